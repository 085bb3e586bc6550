package org.vpnsleuth.crypto;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The IKE pseudorandom functions, by IKEv2 Transform Type 2 ID (IANA), and prf+ (RFC 7296 §2.13).
 * IKEv1 uses the HMAC of its negotiated hash algorithm as prf ({@link #fromIkev1Hash}).
 */
public enum Prf {
    /** PRF_HMAC_MD5 (RFC 2104). */
    HMAC_MD5(1, "HmacMD5", "MD5", 16),
    /** PRF_HMAC_SHA1 (RFC 2104). */
    HMAC_SHA1(2, "HmacSHA1", "SHA-1", 20),
    /**
     * PRF_AES128_XCBC (RFC 4434): AES-XCBC-MAC-96's untruncated output; a key of any length is
     * zero-padded (shorter than 16 bytes) or first reduced with AES-XCBC under the zero key (longer).
     */
    AES128_XCBC(4, null, null, 16),
    /** PRF_HMAC_SHA2_256 (RFC 4868). */
    HMAC_SHA2_256(5, "HmacSHA256", "SHA-256", 32),
    /** PRF_HMAC_SHA2_384 (RFC 4868). */
    HMAC_SHA2_384(6, "HmacSHA384", "SHA-384", 48),
    /** PRF_HMAC_SHA2_512 (RFC 4868). */
    HMAC_SHA2_512(7, "HmacSHA512", "SHA-512", 64),
    /**
     * PRF_AES128_CMAC (RFC 4615): AES-CMAC; a key that is not 16 bytes is first reduced with
     * AES-CMAC under the zero key.
     */
    AES128_CMAC(8, null, null, 16);

    private static final int MAX_PLUS_ROUNDS = 255;

    private final int ikev2Id;
    private final String digest;
    private final int outputLength;
    private final Macs.Hmac hmac;

    Prf(int ikev2Id, String hmacName, String digest, int outputLength) {
        this.ikev2Id = ikev2Id;
        this.digest = digest;
        this.outputLength = outputLength;
        this.hmac = hmacName == null ? null : new Macs.Hmac(hmacName);
    }

    /** The IKEv2 Transform Type 2 ID. */
    public int ikev2Id() {
        return ikev2Id;
    }

    /** Bytes of output. */
    public int outputLength() {
        return outputLength;
    }

    /**
     * The preferred key length in bytes (RFC 7296 §2.13: the output length for HMAC, 16 for the
     * AES PRFs); SK_d, SK_pi and SK_pr have this length (§2.14).
     */
    public int keyLength() {
        return outputLength;
    }

    /**
     * True for the PRFs whose key has a fixed size (AES-XCBC, AES-CMAC): SKEYSEED then keys them
     * with the first 8 bytes of each nonce (RFC 7296 §2.14).
     */
    public boolean fixedKeyLength() {
        return hmac == null;
    }

    /** prf(key, data[0] | data[1] | ...). */
    public byte[] compute(byte[] key, byte[]... data) {
        Octets.require(key, "PRF key");
        switch (this) {
            case AES128_XCBC:
                return Macs.xcbc(xcbcKey(key), data);
            case AES128_CMAC:
                return Macs.cmac(cmacKey(key), data);
            default:
                return hmac.compute(key, data);
        }
    }

    /** RFC 4434 §2: pad a short key with zeros, reduce a long one with AES-XCBC under 0^128. */
    private static byte[] xcbcKey(byte[] key) {
        if (key.length == Macs.AES_BLOCK) {
            return key;
        }
        if (key.length < Macs.AES_BLOCK) {
            byte[] k = new byte[Macs.AES_BLOCK];
            System.arraycopy(key, 0, k, 0, key.length);
            return k;
        }
        return Macs.xcbc(new byte[Macs.AES_BLOCK], new byte[][] {key});
    }

    /** RFC 4615 §3: a key that is not 128 bits becomes AES-CMAC(0^128, key). */
    private static byte[] cmacKey(byte[] key) {
        if (key.length == Macs.AES_BLOCK) {
            return key;
        }
        return Macs.cmac(new byte[Macs.AES_BLOCK], new byte[][] {key});
    }

    /**
     * prf+ (RFC 7296 §2.13): the first {@code length} bytes of T1 | T2 | ... with
     * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), S = seed[0] | seed[1] | ....
     *
     * @throws IllegalArgumentException if {@code length} needs more than 255 rounds
     */
    public byte[] plus(byte[] key, int length, byte[]... seed) {
        if (length < 0 || length > MAX_PLUS_ROUNDS * outputLength) {
            throw new IllegalArgumentException("prf+ cannot give " + length + " bytes with " + this);
        }
        byte[] s = Octets.concat(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + outputLength);
        byte[] t = Octets.EMPTY;
        for (int n = 1; out.size() < length; n++) {
            t = compute(key, t, s, new byte[] {(byte) n});
            out.write(t, 0, t.length);
        }
        return Octets.head(out.toByteArray(), length);
    }

    /** The JCA name of the HMAC's hash ("SHA-1", ...), or null for the AES PRFs. */
    public String digestName() {
        return digest;
    }

    /** True when the PRF is an HMAC and so has an underlying hash ({@link #hash}). */
    public boolean hasHash() {
        return digest != null;
    }

    /**
     * The PRF's hash function over data[0] | data[1] | ... (IKEv1 uses it for the phase-1 and
     * phase-2 IVs, RFC 2409 appendix B).
     *
     * @throws IllegalStateException for the AES PRFs, which have no hash
     */
    public byte[] hash(byte[]... data) {
        if (digest == null) {
            throw new IllegalStateException(this + " has no hash function");
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks " + digest, e);
        }
        for (byte[] d : data) {
            if (d != null) {
                md.update(d);
            }
        }
        return md.digest();
    }

    /** The PRF with IKEv2 Transform Type 2 ID {@code id}, or null. */
    public static Prf fromIkev2Id(int id) {
        for (Prf p : values()) {
            if (p.ikev2Id == id) {
                return p;
            }
        }
        return null;
    }

    /**
     * The HMAC that IKEv1 uses as prf for IKE Hash Algorithm {@code id} (attribute class 2: 1 MD5,
     * 2 SHA, 4 SHA2-256, 5 SHA2-384, 6 SHA2-512), or null (3 Tiger and unassigned values).
     */
    public static Prf fromIkev1Hash(int id) {
        switch (id) {
            case 1:
                return HMAC_MD5;
            case 2:
                return HMAC_SHA1;
            case 4:
                return HMAC_SHA2_256;
            case 5:
                return HMAC_SHA2_384;
            case 6:
                return HMAC_SHA2_512;
            default:
                return null;
        }
    }
}
