package org.vpnsleuth.crypto;

import java.security.MessageDigest;

/** Small byte-array helpers of this package. */
final class Octets {
    private Octets() {
    }

    static final byte[] EMPTY = new byte[0];

    /** The concatenation of the parts (null parts count as empty). */
    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p == null ? 0 : p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            if (p != null) {
                System.arraycopy(p, 0, out, o, p.length);
                o += p.length;
            }
        }
        return out;
    }

    /** Four bytes, big-endian (an IKEv1 message ID as it is on the wire). */
    static byte[] be32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] head(byte[] b, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, 0, out, 0, n);
        return out;
    }

    static byte[] slice(byte[] b, int from, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, from, out, 0, n);
        return out;
    }

    /** {@code b} cut, from its start, into consecutive pieces of the given lengths (key material taken in order). */
    static byte[][] split(byte[] b, int... lengths) {
        byte[][] out = new byte[lengths.length][];
        int o = 0;
        for (int i = 0; i < lengths.length; i++) {
            out[i] = slice(b, o, lengths[i]);
            o += lengths[i];
        }
        return out;
    }

    /** Constant-time equality (for ICVs and AUTH values). */
    static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static byte[] require(byte[] b, String what) {
        if (b == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        return b;
    }
}
