package org.vpnsleuth.track;

/**
 * A map from long keys to objects without an object per entry (open addressing, linear probing,
 * removal by shifting back): what the tracker keeps per SA written out (the SA by its initiator
 * SPI) costs about 20 bytes instead of a {@code HashMap} node and a boxed key (about 55).
 */
final class LongMap<V> {
    private long[] keys = new long[16];
    private Object[] values = new Object[16];
    private int size;

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32) & mask;
    }

    private int find(long key) {
        int m = keys.length - 1;
        for (int i = slot(key, m); values[i] != null; i = (i + 1) & m) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int i = find(key);
        return i < 0 ? null : (V) values[i];
    }

    boolean containsKey(long key) {
        return find(key) >= 0;
    }

    int size() {
        return size;
    }

    /** Maps {@code key} to {@code value} (not null); returns the value it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        java.util.Objects.requireNonNull(value);
        int i = find(key);
        if (i >= 0) {
            V old = (V) values[i];
            values[i] = value;
            return old;
        }
        if ((size + 1) * 4 > keys.length * 3) {
            long[] k = keys;
            Object[] v = values;
            keys = new long[k.length * 2];
            values = new Object[v.length * 2];
            for (int j = 0; j < v.length; j++) {
                if (v[j] != null) {
                    place(k[j], v[j]);
                }
            }
        }
        place(key, value);
        size++;
        return null;
    }

    private void place(long key, Object value) {
        int m = keys.length - 1;
        int i = slot(key, m);
        while (values[i] != null) {
            i = (i + 1) & m;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes {@code key}; returns its value, or null when it was not here. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = find(key);
        if (i < 0) {
            return null;
        }
        V old = (V) values[i];
        int m = keys.length - 1;
        // shift back the entries after it whose probe passed through the freed slot
        int free = i;
        for (int j = (i + 1) & m; values[j] != null; j = (j + 1) & m) {
            int home = slot(keys[j], m);
            if (((j - home) & m) >= ((j - free) & m)) {
                keys[free] = keys[j];
                values[free] = values[j];
                free = j;
            }
        }
        values[free] = null;
        size--;
        return old;
    }
}
