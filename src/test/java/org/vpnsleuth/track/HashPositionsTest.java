package org.vpnsleuth.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashPositionsTest {
    private static List<Integer> all(HashPositions t, long hash) {
        List<Integer> l = new ArrayList<>();
        for (int s = t.first(hash); s >= 0; s = t.next(hash, s)) {
            l.add(t.position(s));
        }
        return l;
    }

    @Test
    void everyPositionIsFoundUnderItsHashAcrossGrowthAndSharedHashes() {
        HashPositions t = new HashPositions();
        assertThat(t.first(42)).isEqualTo(-1);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            t.add(i * 0x9E3779B97F4A7C15L, i); // spread hashes
        }
        t.add(7 * 0x9E3779B97F4A7C15L, n); // the same hash again (a thing dropped a second time)
        t.add(0, n + 1); // hash 0 is a hash like any other
        for (int i = 0; i < n; i += 997) {
            assertThat(all(t, i * 0x9E3779B97F4A7C15L)).as("hash of %d", i).contains(i);
        }
        assertThat(all(t, 7 * 0x9E3779B97F4A7C15L)).containsExactlyInAnyOrder(7, n);
        assertThat(all(t, 0)).containsExactlyInAnyOrder(0, n + 1);
        assertThat(all(t, 12345)).isEmpty();
    }
}
