package org.vpnsleuth.pipeline;

import java.util.concurrent.Future;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SaFacts;

/**
 * The IKE SAs that were over before the capture ended, by creation order ({@code IkeSa.seq}): what
 * the writer thread made of each (its diagnosis kept in memory, or where it was written and its
 * facts). Arrays, no object per SA once written: the handle of the work while the writer has it,
 * then {@link #settle} keeps only the facts and the place in the file packed in a long (about 40
 * bytes per SA with the look-up by creation order, against 150 for a sorted map's entry, its key,
 * the future and the record).
 */
final class OverSas {
    /** What the writer made of an SA: kept in memory ({@code kept}, counted as {@code bytes} of heap) or written at {@code ref}. */
    record Over(SaDiagnosis kept, SaSpill.Ref ref, SaFacts facts, long bytes) {
    }

    private long[] seqs = new long[64];
    /** Per position: the writer's {@code Future<Over>}, an {@link Over}, or (written out, settled) the facts; null once taken back. */
    private Object[] vals = new Object[64];
    private long[] refs = new long[64];
    private int n;
    private int live;
    /** Positions before this one are settled (no future left). */
    private int settledTo;
    /** Creation order → position + 1 (0: free); open addressing, grown at half full, the latest position wins. */
    private long[] keys = new long[128];
    private int[] at = new int[128];
    private int used;

    void put(long seq, Future<Over> work) {
        if (n == seqs.length) {
            int m = n + (n >> 1) + 16;
            seqs = java.util.Arrays.copyOf(seqs, m);
            vals = java.util.Arrays.copyOf(vals, m);
            refs = java.util.Arrays.copyOf(refs, m);
        }
        seqs[n] = seq;
        vals[n] = work;
        index(seq, n);
        n++;
        live++;
    }

    private void index(long seq, int position) {
        if ((used + 1) * 2 > at.length) {
            long[] k = keys;
            int[] a = at;
            keys = new long[k.length * 2];
            at = new int[a.length * 2];
            used = 0;
            for (int i = 0; i < a.length; i++) {
                if (a[i] != 0) {
                    index(k[i], a[i] - 1);
                }
            }
        }
        int m = at.length - 1;
        int i = slot(seq, m);
        while (at[i] != 0 && keys[i] != seq) {
            i = (i + 1) & m;
        }
        if (at[i] == 0) {
            used++;
        }
        keys[i] = seq;
        at[i] = position + 1;
    }

    private static int slot(long seq, int mask) {
        long h = seq * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32) & mask;
    }

    private int position(long seq) {
        int m = at.length - 1;
        for (int i = slot(seq, m); at[i] != 0; i = (i + 1) & m) {
            if (keys[i] == seq) {
                return at[i] - 1;
            }
        }
        return -1;
    }

    /** Keeps only what is needed of the SAs the writer is done with (in the order given to it). */
    void settle() {
        while (settledTo < n) {
            Object v = vals[settledTo];
            if (v instanceof Future<?> f) {
                if (!f.isDone()) {
                    return;
                }
                @SuppressWarnings("unchecked")
                Over w = SaSpill.await((Future<Over>) f);
                long p = w.kept() == null ? SaList.pack(w.ref()) : -1;
                if (p >= 0) {
                    vals[settledTo] = w.facts();
                    refs[settledTo] = p;
                } else {
                    vals[settledTo] = w;
                }
            }
            settledTo++;
        }
    }

    /** What the writer made of SA {@code seq} (waiting for it), taken out; null when it is not here. */
    Over remove(long seq) {
        int p = position(seq);
        if (p < 0 || vals[p] == null) {
            return null;
        }
        Over w = over(p);
        vals[p] = null;
        live--;
        return w;
    }

    @SuppressWarnings("unchecked")
    private Over over(int p) {
        Object v = vals[p];
        if (v instanceof Future<?> f) {
            return SaSpill.await((Future<Over>) f);
        }
        if (v instanceof Over w) {
            return w;
        }
        return new Over(null, SaList.unpack(refs[p]), (SaFacts) v, 0);
    }

    boolean isEmpty() {
        return live == 0;
    }

    /** The creation orders of the SAs here, ascending. */
    long[] seqs() {
        long[] s = new long[live];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (vals[i] != null) {
                s[k++] = seqs[i];
            }
        }
        java.util.Arrays.sort(s);
        return s;
    }

    /** What the writer made of SA {@code seq} (waiting for it), taken out as {@link #remove} does, for the report. */
    Over take(long seq) {
        Over w = remove(seq);
        if (w == null) {
            throw new IllegalStateException("IKE SA " + seq + " written out while reading is not among those written");
        }
        return w;
    }

    void clear() {
        seqs = new long[0];
        vals = new Object[0];
        refs = new long[0];
        keys = new long[2];
        at = new int[2];
        n = live = used = settledTo = 0;
    }
}
