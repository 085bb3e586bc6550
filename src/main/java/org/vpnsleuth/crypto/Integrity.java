package org.vpnsleuth.crypto;

/**
 * The integrity algorithms of IKEv2 and ESP, by IKEv2 Transform Type 3 ID (IANA): the ICV is the
 * MAC truncated to {@link #icvLength()} bytes. The key has {@link #keyLength()} bytes (RFC 7296
 * §3.3.5: the SK_a and ESP integrity key lengths).
 */
public enum Integrity {
    /** AUTH_HMAC_MD5_96 (RFC 2403). */
    HMAC_MD5_96(1, Prf.HMAC_MD5, 16, 12),
    /** AUTH_HMAC_SHA1_96 (RFC 2404). */
    HMAC_SHA1_96(2, Prf.HMAC_SHA1, 20, 12),
    /** AUTH_AES_XCBC_96 (RFC 3566): the key is exactly 16 bytes. */
    AES_XCBC_96(5, Prf.AES128_XCBC, 16, 12),
    /** AUTH_HMAC_MD5_128 (RFC 4595). */
    HMAC_MD5_128(6, Prf.HMAC_MD5, 16, 16),
    /** AUTH_HMAC_SHA1_160 (RFC 4595). */
    HMAC_SHA1_160(7, Prf.HMAC_SHA1, 20, 20),
    /** AUTH_AES_CMAC_96 (RFC 4494): the key is exactly 16 bytes. */
    AES_CMAC_96(8, Prf.AES128_CMAC, 16, 12),
    /** AUTH_HMAC_SHA2_256_128 (RFC 4868). */
    HMAC_SHA2_256_128(12, Prf.HMAC_SHA2_256, 32, 16),
    /** AUTH_HMAC_SHA2_384_192 (RFC 4868). */
    HMAC_SHA2_384_192(13, Prf.HMAC_SHA2_384, 48, 24),
    /** AUTH_HMAC_SHA2_512_256 (RFC 4868). */
    HMAC_SHA2_512_256(14, Prf.HMAC_SHA2_512, 64, 32);

    private final int ikev2Id;
    private final Prf mac;
    private final int keyLength;
    private final int icvLength;

    Integrity(int ikev2Id, Prf mac, int keyLength, int icvLength) {
        this.ikev2Id = ikev2Id;
        this.mac = mac;
        this.keyLength = keyLength;
        this.icvLength = icvLength;
    }

    /** The IKEv2 Transform Type 3 ID. */
    public int ikev2Id() {
        return ikev2Id;
    }

    /** Key bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** ICV bytes (the truncated MAC). */
    public int icvLength() {
        return icvLength;
    }

    /**
     * The ICV of data[0] | data[1] | ....
     *
     * @throws IllegalArgumentException if an AES-based algorithm gets a key that is not 16 bytes
     */
    public byte[] compute(byte[] key, byte[]... data) {
        Octets.require(key, "integrity key");
        byte[] full;
        switch (this) {
            case AES_XCBC_96:
                full = Macs.xcbc(key, data);
                break;
            case AES_CMAC_96:
                full = Macs.cmac(key, data);
                break;
            default:
                full = mac.compute(key, data);
        }
        return Octets.head(full, icvLength);
    }

    /** True when {@code icv} is the ICV of data[0] | data[1] | ... (compared in constant time). */
    public boolean verify(byte[] key, byte[] icv, byte[]... data) {
        return icv != null && icv.length == icvLength && Octets.equal(compute(key, data), icv);
    }

    /**
     * True when {@code message} ends with the ICV of everything before it: the layout of an IKEv2
     * message with an SK payload (RFC 7296 §3.14) and of an ESP packet (RFC 4303 §2). False when
     * the message is shorter than the ICV.
     */
    public boolean verifyAppended(byte[] key, byte[] message) {
        if (message == null || message.length < icvLength) {
            return false;
        }
        int n = message.length - icvLength;
        return Octets.equal(compute(key, Octets.head(message, n)), Octets.slice(message, n, icvLength));
    }

    /** The algorithm with IKEv2 Transform Type 3 ID {@code id}, or null. */
    public static Integrity fromIkev2Id(int id) {
        for (Integrity i : values()) {
            if (i.ikev2Id == id) {
                return i;
            }
        }
        return null;
    }

    /**
     * The algorithm of IPsec DOI AH Transform ID {@code id} (IKEv1 phase 2, RFC 2407 §4.4.3, RFC
     * 4868 §2.4, RFC 3566: 2 AH_MD5, 3 AH_SHA, 5/6/7 AH_SHA2-256/384/512, 9 AH_AES-XCBC-MAC), or null.
     */
    public static Integrity fromIpsecAhTransform(int id) {
        switch (id) {
            case 2:
                return HMAC_MD5_96;
            case 3:
                return HMAC_SHA1_96;
            case 5:
                return HMAC_SHA2_256_128;
            case 6:
                return HMAC_SHA2_384_192;
            case 7:
                return HMAC_SHA2_512_256;
            case 9:
                return AES_XCBC_96;
            default:
                return null;
        }
    }

    /**
     * The algorithm for IPsec DOI Authentication Algorithm {@code id} (IKEv1 phase 2, SA attribute
     * class 5, RFC 2407 §4.5: 1 HMAC-MD5, 2 HMAC-SHA, 5/6/7 HMAC-SHA2-256/384/512 with the RFC 4868
     * truncations, 9 AES-XCBC-MAC), or null.
     */
    public static Integrity fromIpsecAuthAlgorithm(int id) {
        switch (id) {
            case 1:
                return HMAC_MD5_96;
            case 2:
                return HMAC_SHA1_96;
            case 5:
                return HMAC_SHA2_256_128;
            case 6:
                return HMAC_SHA2_384_192;
            case 7:
                return HMAC_SHA2_512_256;
            case 9:
                return AES_XCBC_96;
            default:
                return null;
        }
    }
}
