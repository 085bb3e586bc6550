package org.vpnsleuth.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte-keyed index against a map keyed by the same fields as text, over random keys, look-ups and removals. */
class AddrIndexTest {
    @Test
    void agreesWithAMapOfTextKeys() {
        Random r = new Random(7);
        AddrIndex<Integer> index = new AddrIndex<>();
        Map<String, Integer> map = new HashMap<>();
        Map<String, Object[]> keys = new HashMap<>();
        byte[] b = new byte[64];
        for (int i = 0; i < 50_000; i++) {
            int len = r.nextBoolean() ? 4 : 16;
            for (int k = 0; k < 2 * len; k++) {
                b[10 + k] = (byte) r.nextInt(3); // few distinct addresses: many near-collisions
            }
            int file = r.nextInt(2);
            int kind = r.nextInt(3);
            long id = r.nextInt(50);
            String key = file + "|" + kind + "|" + id + "|" + len + "|" + java.util.HexFormat.of().formatHex(b, 10, 10 + 2 * len);
            Integer got = index.get(file, kind, id, b, 10, 10 + len, len);
            assertThat(got).isEqualTo(map.get(key));
            if (got == null) {
                Integer value = i; // one object in both: removal is by identity, as for flows
                index.put(file, kind, id, b, 10, 10 + len, len, value);
                map.put(key, value);
                keys.put(key, new Object[] {file, kind, id, len, java.util.Arrays.copyOfRange(b, 10, 10 + 2 * len)});
            }
        }
        java.util.Set<Integer> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Map.Entry<String, Integer> e : map.entrySet()) { // removed by their key's hash, as the tracker drops flows
            if (e.getValue() % 3 == 0) {
                Object[] k = keys.get(e.getKey());
                int len = (Integer) k[3];
                byte[] a = (byte[]) k[4];
                long h = AddrIndex.hash((Integer) k[0], (Integer) k[1], (Long) k[2], a, 0, len, len);
                assertThat(index.remove(h, e.getValue())).isTrue();
                assertThat(index.remove(h, e.getValue())).isFalse();
                gone.add(e.getValue());
            }
        }
        map.values().removeIf(gone::contains);
        assertThat(map).isNotEmpty();
        for (Map.Entry<String, Object[]> e : keys.entrySet()) {
            Object[] k = e.getValue();
            int len = (Integer) k[3];
            byte[] a = (byte[]) k[4];
            assertThat(index.get((Integer) k[0], (Integer) k[1], (Long) k[2], a, 0, len, len)).isEqualTo(map.get(e.getKey()));
        }
    }
}
