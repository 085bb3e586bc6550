package org.vpnsleuth.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AheadTest {
    /** A list read back element by element (like SaList): records which thread asked for what, in which order. */
    private static final class Costly extends AbstractList<Integer> {
        final int n;
        final int failAt;
        final List<Integer> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Costly(int n, int failAt) {
            this.n = n;
            this.failAt = failAt;
        }

        @Override
        public Integer get(int i) {
            asked.add(i);
            threads.add(Thread.currentThread().getName());
            if (i == failAt) {
                throw new IllegalStateException("cannot read back element " + i);
            }
            return i;
        }

        @Override
        public int size() {
            return n;
        }
    }

    private static List<Integer> upTo(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void everyElementOnceInOrderGotOnAnotherThread() {
        Costly list = new Costly(10_000, -1);
        List<Integer> seen = new ArrayList<>();
        Ahead.forEach(list, seen::add);
        assertThat(seen).isEqualTo(upTo(10_000));
        assertThat(list.asked).as("each got once, in order").isEqualTo(upTo(10_000));
        assertThat(list.threads).containsExactly("vpnsleuth-report-ahead");
    }

    @Test
    void shortListsAndListsInMemoryOnTheCallersThread() {
        Costly small = new Costly(Ahead.MIN - 1, -1);
        List<Integer> seen = new ArrayList<>();
        Ahead.forEach(small, seen::add);
        assertThat(seen).isEqualTo(upTo(Ahead.MIN - 1));
        assertThat(small.threads).containsExactly(Thread.currentThread().getName());
        seen.clear();
        Ahead.forEach(upTo(5000), seen::add);
        assertThat(seen).isEqualTo(upTo(5000));
    }

    @Test
    void aFailureToGetIsThrownWhereTheCallerReachesIt() {
        Costly list = new Costly(10_000, 5_000);
        List<Integer> seen = new ArrayList<>();
        assertThatThrownBy(() -> Ahead.forEach(list, seen::add)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot read back element 5000");
        assertThat(seen).as("everything before it was written").isEqualTo(upTo(5_000));
        assertThat(list.asked).as("nothing got after the failure").isEqualTo(upTo(5_001));
    }

    @Test
    void theCallerFailingStopsTheOtherThread() {
        Costly list = new Costly(100_000, -1);
        AtomicInteger n = new AtomicInteger();
        assertThatThrownBy(() -> Ahead.forEach(list, i -> {
            if (n.incrementAndGet() == 100) {
                throw new java.io.UncheckedIOException(new java.io.IOException("Broken pipe"));
            }
        })).isInstanceOf(java.io.UncheckedIOException.class);
        // forEach returned after the other thread ended: it had got at most the bounded read-ahead beyond element 100
        assertThat(list.asked.size()).isLessThan(100 + 64);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("vpnsleuth-report-ahead"));
    }
}
