package org.vpnsleuth.pipeline;

import java.util.concurrent.Future;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SaFacts;

/**
 * The IKE SAs that were over before the capture ended, by creation order ({@code IkeSa.seq}: the
 * tracker numbers its SAs 0, 1, 2, ...): what the writer thread made of each (its diagnosis kept in
 * memory, or where it was written and its facts). Arrays indexed by creation order, no object per
 * SA once written: the handle of the work while the writer has it, then {@link #settle} keeps only
 * the facts and the place in the file packed in a long (12 bytes per SA, against about 150 for a
 * sorted map's entry, its key, the future and the record).
 */
final class OverSas {
    /** What the writer made of an SA: kept in memory ({@code kept}, counted as {@code bytes} of heap) or written at {@code ref}. */
    record Over(SaDiagnosis kept, SaSpill.Ref ref, SaFacts facts, long bytes) {
    }

    /** Per creation order: the writer's {@code Future<Over>}, an {@link Over}, or (written out, settled) the facts; null: none here. */
    private Object[] vals = new Object[64];
    private long[] refs = new long[64];
    private int live;
    /** Creation orders given to the writer and not settled yet, in the order given (the writer works in that order). */
    private final java.util.ArrayDeque<Integer> pending = new java.util.ArrayDeque<>();

    private static int index(long seq) {
        if (seq < 0 || seq >= Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("IKE SA number " + seq + " is past what the SAs written out can be indexed by");
        }
        return (int) seq;
    }

    void put(long seq, Future<Over> work) {
        int i = index(seq);
        if (i >= vals.length) {
            int m = Math.max(i + 1, vals.length + (vals.length >> 1));
            vals = java.util.Arrays.copyOf(vals, m);
            refs = java.util.Arrays.copyOf(refs, m);
        }
        if (vals[i] == null) {
            live++;
        }
        vals[i] = work;
        pending.add(i);
    }

    /** Keeps only what is needed of the SAs the writer is done with. */
    void settle() {
        while (!pending.isEmpty()) {
            int i = pending.peek();
            if (vals[i] instanceof Future<?> f) {
                if (!f.isDone()) {
                    return;
                }
                @SuppressWarnings("unchecked")
                Over w = SaSpill.await((Future<Over>) f);
                long p = w.kept() == null ? SaList.pack(w.ref()) : -1;
                if (p >= 0) {
                    vals[i] = w.facts();
                    refs[i] = p;
                } else {
                    vals[i] = w;
                }
            }
            pending.poll();
        }
    }

    /** What the writer made of SA {@code seq} (waiting for it), taken out; null when it is not here. */
    Over remove(long seq) {
        int i = index(seq);
        if (i >= vals.length || vals[i] == null) {
            return null;
        }
        Over w = over(i);
        vals[i] = null;
        live--;
        return w;
    }

    @SuppressWarnings("unchecked")
    private Over over(int i) {
        Object v = vals[i];
        if (v instanceof Future<?> f) {
            return SaSpill.await((Future<Over>) f);
        }
        if (v instanceof Over w) {
            return w;
        }
        return new Over(null, SaList.unpack(refs[i]), (SaFacts) v, 0);
    }

    boolean isEmpty() {
        return live == 0;
    }

    /** The first creation order at or after {@code seq} of an SA here; -1 when none. */
    long next(long seq) {
        for (long i = Math.max(0, seq); i < vals.length; i++) {
            if (vals[(int) i] != null) {
                return i;
            }
        }
        return -1;
    }

    void clear() {
        vals = new Object[0];
        refs = new long[0];
        live = 0;
        pending.clear();
    }
}
