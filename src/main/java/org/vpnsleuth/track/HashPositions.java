package org.vpnsleuth.track;

/**
 * Positions (0, 1, 2, ... into the caller's own arrays) found by a 64-bit key hash, a few bytes
 * each and no object per entry: what the tracker keeps of things written out and dropped (flows
 * with their SA, encapsulation sizes) so a late packet finds them again. Several positions may
 * share a hash (a collision, or the same thing dropped again after it was read back); the caller
 * tells them apart. Open addressing, linear probing, grown at three quarters full, nothing removed.
 */
final class HashPositions {
    private long[] hashes = new long[128];
    /** Position + 1 per slot; 0: free. */
    private int[] positions = new int[128];
    private int size;

    /** Adds {@code position} under {@code hash}. */
    void add(long hash, int position) {
        if ((size + 1) * 4 > positions.length * 3) {
            long[] h = hashes;
            int[] p = positions;
            hashes = new long[h.length * 2];
            positions = new int[p.length * 2];
            for (int i = 0; i < p.length; i++) {
                if (p[i] != 0) {
                    place(h[i], p[i]);
                }
            }
        }
        place(hash, position + 1);
        size++;
    }

    private void place(long hash, int positionPlusOne) {
        int m = positions.length - 1;
        int i = start(hash, m);
        while (positions[i] != 0) {
            i = (i + 1) & m;
        }
        hashes[i] = hash;
        positions[i] = positionPlusOne;
    }

    private static int start(long hash, int mask) {
        return (int) (hash ^ hash >>> 32) & mask;
    }

    /** The first slot holding {@code hash}, or -1; then {@link #next}, and {@link #position} of each. */
    int first(long hash) {
        return size == 0 ? -1 : scan(hash, start(hash, positions.length - 1));
    }

    /** The next slot after {@code slot} holding {@code hash}, or -1. */
    int next(long hash, int slot) {
        return scan(hash, (slot + 1) & (positions.length - 1));
    }

    private int scan(long hash, int from) {
        int m = positions.length - 1;
        for (int i = from; positions[i] != 0; i = (i + 1) & m) {
            if (hashes[i] == hash) {
                return i;
            }
        }
        return -1;
    }

    /** The position in {@code slot} (from {@link #first} or {@link #next}). */
    int position(int slot) {
        return positions[slot] - 1;
    }
}
