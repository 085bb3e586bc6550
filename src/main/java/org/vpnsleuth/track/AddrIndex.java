package org.vpnsleuth.track;

import java.util.Arrays;

/**
 * A hash index from (file, kind, id, source address, destination address) to a value, looked up
 * straight from a packet's header bytes: a hit allocates nothing (no address text, no string key),
 * which is what the per-packet paths (ESP/AH flows, encapsulation sizes) need on bulk traffic. The
 * addresses are kept as bytes in the entry and compared exactly.
 */
final class AddrIndex<V> {
    private static final class Entry<V> {
        final long hash;
        final int file;
        final int kind;
        final long id;
        final byte[] src;
        final byte[] dst;
        final V value;
        Entry<V> next;

        Entry(long hash, int file, int kind, long id, byte[] src, byte[] dst, V value) {
            this.hash = hash;
            this.file = file;
            this.kind = kind;
            this.id = id;
            this.src = src;
            this.dst = dst;
            this.value = value;
        }
    }

    @SuppressWarnings("unchecked")
    private Entry<V>[] table = new Entry[1 << 10];
    private int size;

    static long hash(int file, int kind, long id, byte[] b, int src, int dst, int len) {
        long h = 0x9E3779B97F4A7C15L * (file + 1) ^ (long) kind << 40 ^ id * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < len; i++) {
            h = (h ^ (b[src + i] & 0xff)) * 0x100000001B3L;
        }
        for (int i = 0; i < len; i++) {
            h = (h ^ (b[dst + i] & 0xff) ^ 0x80) * 0x100000001B3L;
        }
        return h ^ h >>> 29;
    }

    /** The value for this key, or null; {@code b[src, src+len)} and {@code b[dst, dst+len)} are the addresses. */
    V get(int file, int kind, long id, byte[] b, int src, int dst, int len) {
        long h = hash(file, kind, id, b, src, dst, len);
        for (Entry<V> e = table[(int) h & (table.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && e.file == file && e.kind == kind && e.id == id && e.src.length == len
                    && Arrays.equals(e.src, 0, len, b, src, src + len) && Arrays.equals(e.dst, 0, len, b, dst, dst + len)) {
                return e.value;
            }
        }
        return null;
    }

    /** Adds {@code value} under this key (which must not be there yet); the address bytes are copied. */
    void put(int file, int kind, long id, byte[] b, int src, int dst, int len, V value) {
        if (size + 1 > table.length * 3 / 4) {
            grow();
        }
        long h = hash(file, kind, id, b, src, dst, len);
        Entry<V> e = new Entry<>(h, file, kind, id, Arrays.copyOfRange(b, src, src + len), Arrays.copyOfRange(b, dst, dst + len),
                value);
        int i = (int) h & (table.length - 1);
        e.next = table[i];
        table[i] = e;
        size++;
    }

    /** Removes the entry of {@code value}, whose key has hash {@code h} ({@link #hash}); false when it is not there. */
    boolean remove(long h, V value) {
        int i = (int) h & (table.length - 1);
        Entry<V> prev = null;
        for (Entry<V> e = table[i]; e != null; prev = e, e = e.next) {
            if (e.value == value) {
                if (prev == null) {
                    table[i] = e.next;
                } else {
                    prev.next = e.next;
                }
                size--;
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        Entry<V>[] old = table;
        table = new Entry[old.length * 2];
        for (Entry<V> head : old) {
            Entry<V> e = head;
            while (e != null) {
                Entry<V> next = e.next;
                int i = (int) e.hash & (table.length - 1);
                e.next = table[i];
                table[i] = e;
                e = next;
            }
        }
    }
}
