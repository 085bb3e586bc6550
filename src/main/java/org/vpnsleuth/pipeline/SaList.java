package org.vpnsleuth.pipeline;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SaFacts;

/**
 * The IKE SAs of an analysis in report order, some of them held in memory and some written out
 * while the capture was read ({@link SaSpill}). {@link #get} reads a written-out SA back each time
 * and gives it the edits the rules across SAs decided ({@link SaFacts#apply}), so a report that
 * goes through the list once holds one SA at a time.
 */
public final class SaList extends AbstractList<SaDiagnosis> implements RandomAccess {
    private record Spilled(SaSpill spill, SaSpill.Ref ref, SaFacts facts) {
    }

    private final List<Object> items = new ArrayList<>();
    /** Written-out SAs being read ahead of a report that goes through the list in order (at most {@link #AHEAD}). */
    private final java.util.Map<Integer, java.util.concurrent.Future<SaDiagnosis>> ahead = new java.util.HashMap<>();
    private static final int AHEAD = 8;
    private java.util.concurrent.ExecutorService reader;

    @Override
    public SaDiagnosis get(int i) {
        Object o = items.get(i);
        if (o instanceof SaDiagnosis d) {
            return d;
        }
        Spilled s = (Spilled) o;
        java.util.concurrent.Future<SaDiagnosis> f = ahead.remove(i);
        SaDiagnosis d = f != null ? SaSpill.await(f) : s.spill().read(s.ref());
        s.facts().apply(d);
        for (int k = i + 1; k <= i + AHEAD && k < items.size(); k++) {
            if (items.get(k) instanceof Spilled next && !ahead.containsKey(k)) {
                ahead.put(k, reader().submit(() -> next.spill().read(next.ref())));
            }
        }
        if (ahead.size() > 4 * AHEAD) { // a report that jumps around: forget what it did not ask for
            ahead.keySet().removeIf(k -> k < i || k > i + AHEAD);
        }
        return d;
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
        return items.size();
    }

    @Override
    public boolean add(SaDiagnosis d) {
        items.add(d);
        return true;
    }

    @Override
    public SaDiagnosis set(int i, SaDiagnosis d) {
        SaDiagnosis old = get(i);
        items.set(i, d);
        return old;
    }

    @Override
    public SaDiagnosis remove(int i) {
        SaDiagnosis old = get(i);
        items.remove(i);
        return old;
    }

    @Override
    public void clear() {
        items.clear();
    }

    /** An SA written out: read back from {@code spill} when asked for, with the edits of {@code facts}. */
    void addSpilled(SaSpill spill, SaSpill.Ref ref, SaFacts facts) {
        items.add(new Spilled(spill, ref, facts));
    }

    /** How many of the SAs were written out while the capture was read. */
    public int spilled() {
        int n = 0;
        for (Object o : items) {
            n += o instanceof Spilled ? 1 : 0;
        }
        return n;
    }
}
