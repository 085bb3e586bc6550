package org.vpnsleuth.pipeline;

import java.util.AbstractList;
import java.util.RandomAccess;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SaFacts;

/**
 * The IKE SAs of an analysis in report order, some of them held in memory and some written out
 * while the capture was read ({@link SaSpill}). {@link #get} reads a written-out SA back each time
 * and gives it the edits the rules across SAs decided ({@link SaFacts#apply}), so a report that
 * goes through the list once holds one SA at a time.
 *
 * <p>Memory per written-out SA: a slot in two arrays (its facts, and where it was written packed
 * in a long), no object of its own: a capture of a million SAs keeps a million of these.
 */
public final class SaList extends AbstractList<SaDiagnosis> implements RandomAccess {
    /** A written-out SA whose place in the file does not fit {@link #pack} (a record of over 64 MB). */
    private record Spilled(SaSpill.Ref ref, SaFacts facts) {
    }

    /** Per SA: the diagnosis held in memory, or (written out) its facts with its place in {@link #refs}, or a {@link Spilled}. */
    private Object[] items = new Object[16];
    private long[] refs = new long[16];
    private int size;
    /** The file the written-out SAs are in (one per analysis). */
    private SaSpill spill;
    /** Written-out SAs being read ahead of a report that goes through the list in order (at most {@link #AHEAD}). */
    private final java.util.Map<Integer, java.util.concurrent.Future<SaDiagnosis>> ahead = new java.util.HashMap<>();
    private static final int AHEAD = 8;
    private java.util.concurrent.ExecutorService reader;

    /** Bits of a packed place for the length (64 MiB); the offset has the rest (37 bits: 128 GiB). */
    private static final int LENGTH_BITS = 26;

    /** {@code r} in one long, or -1 when it does not fit. */
    static long pack(SaSpill.Ref r) {
        return r.length() >= 1 << LENGTH_BITS || r.offset() >= 1L << (63 - LENGTH_BITS) ? -1
                : r.offset() << LENGTH_BITS | r.length();
    }

    static SaSpill.Ref unpack(long p) {
        return new SaSpill.Ref(p >>> LENGTH_BITS, (int) (p & ((1 << LENGTH_BITS) - 1)));
    }

    @Override
    public SaDiagnosis get(int i) {
        SaDiagnosis d = written(i);
        Object o = items[i];
        if (o instanceof SaDiagnosis) {
            return d;
        }
        facts(o).apply(d);
        for (int k = i + 1; k <= i + AHEAD && k < size; k++) {
            if (!(items[k] instanceof SaDiagnosis) && !ahead.containsKey(k)) {
                SaSpill.Ref r = ref(k);
                ahead.put(k, reader().submit(() -> spill.read(r)));
            }
        }
        if (ahead.size() > 4 * AHEAD) { // a report that jumps around: forget what it did not ask for
            ahead.keySet().removeIf(k -> k < i || k > i + AHEAD);
        }
        return d;
    }

    /**
     * SA {@code i} as it was written out, without the edits of the rules across SAs (read back each
     * time); a diagnosis held in memory as it is.
     */
    SaDiagnosis written(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        Object o = items[i];
        if (o instanceof SaDiagnosis d) {
            return d;
        }
        java.util.concurrent.Future<SaDiagnosis> f = ahead.remove(i);
        return f != null ? SaSpill.await(f) : spill.read(ref(i));
    }

    private static SaFacts facts(Object o) {
        return o instanceof Spilled s ? s.facts() : (SaFacts) o;
    }

    private SaSpill.Ref ref(int i) {
        return items[i] instanceof Spilled s ? s.ref() : unpack(refs[i]);
    }

    private java.util.concurrent.ExecutorService reader() {
        if (reader == null) {
            reader = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vpnsleuth-sa-reader");
                t.setDaemon(true);
                return t;
            });
        }
        return reader;
    }

    @Override
    public int size() {
        return size;
    }

    private void append(Object o, long ref) {
        if (size == items.length) {
            int n = size + (size >> 1) + 16;
            items = java.util.Arrays.copyOf(items, n);
            refs = java.util.Arrays.copyOf(refs, n);
        }
        items[size] = o;
        refs[size] = ref;
        size++;
        modCount++;
    }

    @Override
    public boolean add(SaDiagnosis d) {
        append(java.util.Objects.requireNonNull(d), 0);
        return true;
    }

    @Override
    public SaDiagnosis set(int i, SaDiagnosis d) {
        SaDiagnosis old = get(i);
        items[i] = java.util.Objects.requireNonNull(d);
        refs[i] = 0;
        ahead.remove(i);
        return old;
    }

    @Override
    public SaDiagnosis remove(int i) {
        SaDiagnosis old = get(i);
        System.arraycopy(items, i + 1, items, i, size - i - 1);
        System.arraycopy(refs, i + 1, refs, i, size - i - 1);
        items[--size] = null;
        ahead.clear();
        modCount++;
        return old;
    }

    @Override
    public void clear() {
        java.util.Arrays.fill(items, 0, size, null);
        size = 0;
        ahead.clear();
        modCount++;
    }

    /** An SA written out to {@code spill} at {@code ref}: read back when asked for, with the edits of {@code facts}. */
    void addSpilled(SaSpill spill, SaSpill.Ref ref, SaFacts facts) {
        if (this.spill != null && this.spill != spill) {
            throw new IllegalStateException("the SAs of one analysis are written out to one file");
        }
        this.spill = spill;
        long p = pack(ref);
        append(p < 0 ? new Spilled(ref, facts) : facts, p);
    }

    /** How many of the SAs were written out while the capture was read. */
    public int spilled() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            n += items[i] instanceof SaDiagnosis ? 0 : 1;
        }
        return n;
    }
}
