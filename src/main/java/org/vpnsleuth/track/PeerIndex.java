package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IKE SAs by the unordered pair of their peers' addresses, each pair's SAs ordered by the time of
 * their first message (then by the order they were created): what "the SAs between these two
 * peers" and "the SA of these peers that was up at time t" are looked up in, instead of a pass
 * over every SA. An SA is listed under every pair of an initiator address and a responder address
 * it was seen with ({@link IkeSa#between} is true for exactly those pairs).
 */
public final class PeerIndex {
    /** First message time, then creation order: the order of {@link #between}. */
    public static final Comparator<IkeSa> BY_START = Comparator.comparingLong(IkeSa::firstNanos)
            .thenComparingLong(sa -> sa.seq);

    private static final class Bucket {
        final ArrayList<IkeSa> sas = new ArrayList<>(2);
        boolean sorted = true;
        String key;

        List<IkeSa> sorted() {
            if (!sorted) {
                sas.sort(BY_START); // stable: ties keep creation order
                sorted = true;
            }
            return sas;
        }
    }

    /** The pairs an SA is listed under, and how many addresses of each side were listed. */
    private static final class Listed {
        /** Almost always one pair: a small list (the key strings are those of {@code byPair}). */
        final ArrayList<String> keys = new ArrayList<>(1);
        int initiators;
        int responders;
    }

    private final Map<String, Bucket> byPair = new HashMap<>();
    private final Map<IkeSa, Listed> listed = new java.util.IdentityHashMap<>();

    /** The key of the unordered pair {a, b}. */
    public static String key(String a, String b) {
        return a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
    }

    /** Lists {@code sa} under every pair of its addresses it is not listed under yet (after its first message). */
    public void update(IkeSa sa) {
        int ni = sa.initiatorAddresses.size();
        int nr = sa.responderAddresses.size();
        Listed x = listed.computeIfAbsent(sa, k -> new Listed());
        if (ni == x.initiators && nr == x.responders) {
            return;
        }
        x.initiators = ni;
        x.responders = nr;
        for (String i : sa.initiatorAddresses) {
            for (String r : sa.responderAddresses) {
                String k = key(i, r);
                if (!x.keys.contains(k)) {
                    Bucket b = byPair.computeIfAbsent(k, n -> new Bucket());
                    x.keys.add(b.key == null ? (b.key = k) : b.key); // one copy of the key string per pair
                    if (!b.sas.isEmpty() && BY_START.compare(b.sas.get(b.sas.size() - 1), sa) > 0) {
                        b.sorted = false;
                    }
                    b.sas.add(sa);
                }
            }
        }
    }

    /** The SAs between {@code a} and {@code b} (either way round), by first message time; empty when none. */
    public List<IkeSa> between(String a, String b) {
        if (a == null || b == null) {
            return List.of();
        }
        Bucket bk = byPair.get(key(a, b));
        return bk == null ? List.of() : Collections.unmodifiableList(bk.sorted());
    }

    /**
     * The SA of peers {@code a} and {@code b} that was up at {@code nanos}: the latest one whose
     * first message is at or before it (the first created of those that started at the same time),
     * or, when all started later, the earliest one; null when the peers have none.
     */
    public IkeSa at(String a, String b, long nanos) {
        List<IkeSa> l = between(a, b);
        if (l.isEmpty()) {
            return null;
        }
        int lo = 0;
        int hi = l.size() - 1;
        int found = -1;
        while (lo <= hi) { // the last SA that started at or before nanos
            int mid = (lo + hi) >>> 1;
            if (l.get(mid).firstNanos() <= nanos) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return l.get(0);
        }
        long start = l.get(found).firstNanos();
        while (found > 0 && l.get(found - 1).firstNanos() == start) {
            found--;
        }
        return l.get(found);
    }

    /**
     * SA {@code sa} was written out: its addresses no longer change, so what it is listed under is
     * no longer kept for it ({@link #removeAll} works it out from its addresses): a few dozen bytes
     * less for every SA written out.
     */
    public void frozen(IkeSa sa) {
        listed.remove(sa);
    }

    /** Forgets {@code gone} (evicted SAs). */
    public void removeAll(Collection<IkeSa> gone) {
        if (gone.isEmpty()) {
            return;
        }
        java.util.Set<String> keys = new java.util.HashSet<>();
        java.util.Set<IkeSa> set = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (IkeSa sa : gone) {
            Listed x = listed.remove(sa);
            if (x != null) {
                keys.addAll(x.keys);
            } else { // frozen: listed under every pair of its addresses
                for (String i : sa.initiatorAddresses) {
                    for (String r : sa.responderAddresses) {
                        keys.add(key(i, r));
                    }
                }
            }
            set.add(sa);
        }
        for (String k : keys) {
            Bucket b = byPair.get(k);
            if (b != null) {
                b.sas.removeIf(set::contains);
                if (b.sas.isEmpty()) {
                    byPair.remove(k);
                }
            }
        }
    }

    /** Every pair's SAs by the pair's {@link #key} (for cross-SA rules that sweep pair by pair). */
    public Map<String, List<IkeSa>> pairs() {
        Map<String, List<IkeSa>> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Bucket> e : byPair.entrySet()) {
            m.put(e.getKey(), Collections.unmodifiableList(e.getValue().sorted()));
        }
        return m;
    }
}
