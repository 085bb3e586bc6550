package org.vpnsleuth.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC (RFC 2104) of one message fixed at construction, under keys that change from call to call:
 * what a wordlist attack computes per candidate, so it is made for that. It does no allocation
 * per call; the key block (key XOR ipad / opad) is written in place in front of the message, so
 * each of the two hashes is a single update of contiguous bytes, which the JDK's digest hands to
 * its (intrinsic) multi-block compression as is. javax.crypto.Mac would need a new SecretKeySpec
 * and an init per key, which costs more than the hashing of a short message.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class FixedMessageHmac {
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final MessageDigest md;
    private final int block;
    private final int length;
    /** key ^ ipad (block bytes), then the message. */
    private final byte[] inner;
    /** key ^ opad (block bytes), then the inner hash. */
    private final byte[] outer;
    /** A long key's hash. */
    private final byte[] shortKey;
    /** Bytes of the key blocks that may hold key material (beyond: the bare pads). */
    private int keyed;

    /**
     * @param digest a JCA digest name: MD5, SHA-1, SHA-256, SHA-384 or SHA-512
     * @param message the message, as the concatenation of the parts
     */
    public FixedMessageHmac(String digest, byte[]... message) {
        try {
            md = MessageDigest.getInstance(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("no digest " + digest, e);
        }
        block = blockLength(digest);
        length = md.getDigestLength();
        int n = 0;
        for (byte[] m : message) {
            n += m.length;
        }
        inner = new byte[block + n];
        int o = block;
        for (byte[] m : message) {
            System.arraycopy(m, 0, inner, o, m.length);
            o += m.length;
        }
        outer = new byte[block + length];
        shortKey = new byte[length];
        for (int i = 0; i < block; i++) {
            inner[i] = IPAD;
            outer[i] = OPAD;
        }
    }

    /** The hash's block length in bytes (HMAC's B): 128 for SHA-384/512, 64 for the others. */
    public static int blockLength(String digest) {
        switch (digest) {
            case "MD5":
            case "SHA-1":
            case "SHA-256":
                return 64;
            case "SHA-384":
            case "SHA-512":
                return 128;
            default:
                throw new IllegalArgumentException("no HMAC block length known for " + digest);
        }
    }

    /** Bytes of output. */
    public int length() {
        return length;
    }

    /** Writes HMAC(key[off, off + len), message) to out[outOff, outOff + length()). */
    public void compute(byte[] key, int off, int len, byte[] out, int outOff) {
        try {
            if (len > block) { // RFC 2104 §2: a key longer than B is hashed first
                md.update(key, off, len);
                md.digest(shortKey, 0, length);
                key = shortKey;
                off = 0;
                len = length;
            }
            for (int i = 0; i < len; i++) {
                byte k = key[off + i];
                inner[i] = (byte) (k ^ IPAD);
                outer[i] = (byte) (k ^ OPAD);
            }
            for (int i = len; i < keyed; i++) { // what the last, longer key left
                inner[i] = IPAD;
                outer[i] = OPAD;
            }
            keyed = len;
            md.update(inner, 0, inner.length);
            md.digest(outer, block, length);
            md.update(outer, 0, outer.length);
            md.digest(out, outOff, length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HMAC(key, message) in a new array. */
    public byte[] compute(byte[] key) {
        byte[] out = new byte[length];
        compute(key, 0, key.length, out, 0);
        return out;
    }
}
