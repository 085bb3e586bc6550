package org.vpnsleuth.crypto;

import java.util.Arrays;

/**
 * The IKEv2 and ESP ciphers, by IKEv2 Transform Type 1 ID (IANA; ESP in IKEv2 uses the same IDs).
 *
 * <p>Key material: what IKE derives for a cipher ({@link #keyMaterialLength}) is the cipher key
 * followed by the salt for the modes that have one (RFC 7296 §3.3.5; RFC 3686, 4106, 4309, 4543,
 * 5282, 7634): the {@code decrypt/encrypt(keyMaterial, ...)} forms split it, the
 * {@code (key, salt, ...)} forms take the parts. The IV is the one carried in the message
 * ({@link #ivLength()} bytes).
 *
 * <p>AEAD input and output is ciphertext | tag; the AAD is what the protocol says (ESP: SPI |
 * sequence number [| ESN high bits], RFC 4106 §5; IKEv2: the IKE header and the SK payload
 * header, RFC 5282 §5.1). For {@link #NULL_AUTH_AES_GMAC} nothing is encrypted: the "ciphertext" is
 * the payload in clear followed by the GMAC over AAD | payload; for ESP, whose GMAC covers SPI |
 * sequence number [| ESN high bits] | IV | payload | padding | pad length | next header (RFC 4543
 * §3), pass SPI | sequence number [| ESN] | IV as the AAD and the rest of the packet as input.
 */
public enum Encryption {
    /** ENCR_DES (RFC 2405): CBC, 8-byte key with parity bits, 8-byte IV. */
    DES(2, Kind.JCE_CBC, "DES/CBC/NoPadding", "DES", 8, 8, 0, 0, false, 64),
    /** ENCR_3DES (RFC 2451): CBC, 24-byte key (K1 | K2 | K3), 8-byte IV. */
    TRIPLE_DES(3, Kind.JCE_CBC, "DESede/CBC/NoPadding", "DESede", 8, 8, 0, 0, false, 192),
    /** ENCR_NULL (RFC 2410): the plaintext as it is. */
    NULL(11, Kind.NONE, null, null, 1, 0, 0, 0, false, 0),
    /** ENCR_AES_CBC (RFC 3602): 16-byte IV. */
    AES_CBC(12, Kind.JCE_CBC, "AES/CBC/NoPadding", "AES", 16, 16, 0, 0, true, 128, 192, 256),
    /**
     * ENCR_AES_CTR (RFC 3686, RFC 5930): 4-byte nonce (salt) after the key, 8-byte IV, counter
     * block nonce | IV | counter starting at 1.
     */
    AES_CTR(13, Kind.CTR, "AES/CTR/NoPadding", "AES", 1, 8, 4, 0, true, 128, 192, 256),
    /** ENCR_AES_CCM_8 (RFC 4309, RFC 5282): 3-byte salt, 8-byte IV, L = 4, 8-byte tag. */
    AES_CCM_8(14, Kind.CCM, null, "AES", 1, 8, 3, 8, true, 128, 192, 256),
    /** ENCR_AES_CCM_12: as {@link #AES_CCM_8} with a 12-byte tag. */
    AES_CCM_12(15, Kind.CCM, null, "AES", 1, 8, 3, 12, true, 128, 192, 256),
    /** ENCR_AES_CCM_16: as {@link #AES_CCM_8} with a 16-byte tag. */
    AES_CCM_16(16, Kind.CCM, null, "AES", 1, 8, 3, 16, true, 128, 192, 256),
    /** ENCR_AES_GCM_8 (RFC 4106, RFC 5282): 4-byte salt, 8-byte IV, 8-byte tag. */
    AES_GCM_8(18, Kind.GCM, "AES/GCM/NoPadding", "AES", 1, 8, 4, 8, true, 128, 192, 256),
    /** ENCR_AES_GCM_12: as {@link #AES_GCM_8} with a 12-byte tag. */
    AES_GCM_12(19, Kind.GCM, "AES/GCM/NoPadding", "AES", 1, 8, 4, 12, true, 128, 192, 256),
    /** ENCR_AES_GCM_16: as {@link #AES_GCM_8} with a 16-byte tag. */
    AES_GCM_16(20, Kind.GCM, "AES/GCM/NoPadding", "AES", 1, 8, 4, 16, true, 128, 192, 256),
    /** ENCR_NULL_AUTH_AES_GMAC (RFC 4543): no encryption, a 16-byte GMAC; 4-byte salt, 8-byte IV. */
    NULL_AUTH_AES_GMAC(21, Kind.GMAC, "AES/GCM/NoPadding", "AES", 1, 8, 4, 16, true, 128, 192, 256),
    /** ENCR_CAMELLIA_CBC (RFC 5529): 16-byte IV. */
    CAMELLIA_CBC(23, Kind.CAMELLIA_CBC, null, "Camellia", 16, 16, 0, 0, true, 128, 192, 256),
    /** ENCR_CHACHA20_POLY1305 (RFC 7634): 32-byte key, 4-byte salt, 8-byte IV, 16-byte tag. */
    CHACHA20_POLY1305(28, Kind.CHACHA, "ChaCha20-Poly1305", "ChaCha20", 1, 8, 4, 16, false, 256);

    private enum Kind { NONE, JCE_CBC, CAMELLIA_CBC, CTR, CCM, GCM, GMAC, CHACHA }

    private final int ikev2Id;
    private final Kind kind;
    private final String transformation;
    private final String keyAlgorithm;
    private final int blockSize;
    private final int ivLength;
    private final int saltLength;
    private final int icvLength;
    private final boolean keyLengthAttribute;
    private final int[] keyBits;

    Encryption(int ikev2Id, Kind kind, String transformation, String keyAlgorithm, int blockSize, int ivLength,
            int saltLength, int icvLength, boolean keyLengthAttribute, int... keyBits) {
        this.ikev2Id = ikev2Id;
        this.kind = kind;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
        this.blockSize = blockSize;
        this.ivLength = ivLength;
        this.saltLength = saltLength;
        this.icvLength = icvLength;
        this.keyLengthAttribute = keyLengthAttribute;
        this.keyBits = keyBits;
    }

    /** The IKEv2 Transform Type 1 ID. */
    public int ikev2Id() {
        return ikev2Id;
    }

    /** The cipher block size: CBC ciphertext is whole blocks of it; 1 for stream and AEAD modes. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes of IV carried in each message (0 for NULL). */
    public int ivLength() {
        return ivLength;
    }

    /** Bytes of salt (nonce) at the end of the key material: 4 CTR/GCM/GMAC/ChaCha20, 3 CCM, 0 else. */
    public int saltLength() {
        return saltLength;
    }

    /** Bytes of AEAD tag (or GMAC) after the ciphertext; 0 for the modes that need an integrity algorithm. */
    public int icvLength() {
        return icvLength;
    }

    /** True for the combined modes (no separate integrity algorithm: CCM, GCM, GMAC, ChaCha20-Poly1305). */
    public boolean aead() {
        return icvLength > 0;
    }

    /** True when the transform carries a Key Length attribute (AES and Camellia, RFC 7296 §3.3.5). */
    public boolean keyLengthAttribute() {
        return keyLengthAttribute;
    }

    /** The key sizes the cipher accepts, in bits (without the salt). */
    public int[] keyBits() {
        return keyBits.clone();
    }

    /**
     * Bytes of key material IKE derives for this cipher: the key plus the salt (RFC 7296 §3.3.5,
     * RFC 5282 §7.1, RFC 3686 §5.1, RFC 7634 §3).
     *
     * @param keyBits the Key Length attribute in bits; 0 for the ciphers without one
     * @throws IllegalArgumentException when {@code keyBits} is not a size of this cipher
     */
    public int keyMaterialLength(int keyBits) {
        if (this == NULL) {
            return 0;
        }
        int bits = keyBits == 0 && !keyLengthAttribute ? this.keyBits[0] : keyBits;
        if (Arrays.stream(this.keyBits).noneMatch(b -> b == bits)) {
            throw new IllegalArgumentException(this + " has no " + keyBits + "-bit key");
        }
        return bits / 8 + saltLength;
    }

    /** Decrypts with key material = key | salt (see the class comment). */
    public Decrypted decrypt(byte[] keyMaterial, byte[] iv, byte[] aad, byte[] input) {
        byte[][] ks = split(keyMaterial);
        return decrypt(ks[0], ks[1], iv, aad, input);
    }

    /** Encrypts with key material = key | salt: ciphertext (| tag for AEAD). */
    public byte[] encrypt(byte[] keyMaterial, byte[] iv, byte[] aad, byte[] plaintext) {
        byte[][] ks = split(keyMaterial);
        return encrypt(ks[0], ks[1], iv, aad, plaintext);
    }

    /**
     * Decrypts {@code input} (ciphertext, then the tag for AEAD). The result fails with
     * {@link Decrypted.Failure#BAD_LENGTH} when CBC input is not whole blocks or AEAD input is
     * shorter than the tag, with {@link Decrypted.Failure#AUTHENTICATION_FAILED} when the tag does
     * not match.
     *
     * @param salt the salt ({@link #saltLength()} bytes; null or empty when there is none)
     * @param aad additional authenticated data for AEAD modes (null for none; ignored by the others)
     * @throws IllegalArgumentException for a key, salt or IV of the wrong size
     */
    public Decrypted decrypt(byte[] key, byte[] salt, byte[] iv, byte[] aad, byte[] input) {
        check(key, salt, iv);
        Octets.require(input, "input");
        switch (kind) {
            case NONE:
                return Decrypted.of(input.clone());
            case JCE_CBC:
            case CAMELLIA_CBC:
                if (input.length % blockSize != 0) {
                    return Decrypted.failed(Decrypted.Failure.BAD_LENGTH);
                }
                return Decrypted.of(kind == Kind.JCE_CBC
                        ? Ciphers.jceUnauthenticated(transformation, keyAlgorithm, false, key, iv, input)
                        : Ciphers.camelliaCbc(false, key, iv, input));
            case CTR:
                return Decrypted.of(Ciphers.jceUnauthenticated(transformation, keyAlgorithm, false, key,
                        Ciphers.ctrBlock(salt, iv), input));
            default:
                break;
        }
        if (input.length < icvLength) {
            return Decrypted.failed(Decrypted.Failure.BAD_LENGTH);
        }
        byte[] nonce = Octets.concat(salt, iv);
        byte[] out;
        switch (kind) {
            case CCM:
                out = Ciphers.bcAead(true, false, key, nonce, icvLength, aad, input);
                break;
            case GCM:
                out = icvLength < 12
                        ? Ciphers.bcAead(false, false, key, nonce, icvLength, aad, input)
                        : Ciphers.jceAead(transformation, keyAlgorithm, false, key, nonce, icvLength, aad, null, input);
                break;
            case GMAC: {
                int n = input.length - icvLength;
                byte[] payload = Octets.head(input, n);
                byte[] empty = Ciphers.jceAead(transformation, keyAlgorithm, false, key, nonce, icvLength, aad,
                        payload, Octets.slice(input, n, icvLength));
                out = empty == null ? null : payload;
                break;
            }
            case CHACHA:
                out = Ciphers.jceAead(transformation, keyAlgorithm, false, key, nonce, icvLength, aad, null, input);
                break;
            default:
                throw new IllegalStateException(kind.name());
        }
        return out == null ? Decrypted.failed(Decrypted.Failure.AUTHENTICATION_FAILED) : Decrypted.of(out);
    }

    /**
     * Encrypts {@code plaintext}, which for CBC must already be padded to whole blocks; gives the
     * ciphertext, followed by the tag for AEAD modes.
     *
     * @throws IllegalArgumentException for a key, salt or IV of the wrong size, or CBC plaintext
     *     that is not whole blocks
     */
    public byte[] encrypt(byte[] key, byte[] salt, byte[] iv, byte[] aad, byte[] plaintext) {
        check(key, salt, iv);
        Octets.require(plaintext, "plaintext");
        byte[] nonce = Octets.concat(salt, iv);
        switch (kind) {
            case NONE:
                return plaintext.clone();
            case JCE_CBC:
            case CAMELLIA_CBC:
                if (plaintext.length % blockSize != 0) {
                    throw new IllegalArgumentException(this + " encrypts whole " + blockSize + "-byte blocks");
                }
                return kind == Kind.JCE_CBC
                        ? Ciphers.jceUnauthenticated(transformation, keyAlgorithm, true, key, iv, plaintext)
                        : Ciphers.camelliaCbc(true, key, iv, plaintext);
            case CTR:
                return Ciphers.jceUnauthenticated(transformation, keyAlgorithm, true, key, Ciphers.ctrBlock(salt, iv),
                        plaintext);
            case CCM:
                return Ciphers.bcAead(true, true, key, nonce, icvLength, aad, plaintext);
            case GCM:
                return icvLength < 12
                        ? Ciphers.bcAead(false, true, key, nonce, icvLength, aad, plaintext)
                        : Ciphers.jceAead(transformation, keyAlgorithm, true, key, nonce, icvLength, aad, null, plaintext);
            case GMAC:
                return Octets.concat(plaintext, Ciphers.jceAead(transformation, keyAlgorithm, true, key, nonce,
                        icvLength, aad, plaintext, Octets.EMPTY));
            case CHACHA:
                return Ciphers.jceAead(transformation, keyAlgorithm, true, key, nonce, icvLength, aad, null, plaintext);
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    private byte[][] split(byte[] keyMaterial) {
        Octets.require(keyMaterial, "key material");
        int k = keyMaterial.length - saltLength;
        if (k < 0) {
            throw new IllegalArgumentException(this + " key material of " + keyMaterial.length + " bytes is too short");
        }
        return new byte[][] {Octets.head(keyMaterial, k), Octets.slice(keyMaterial, k, saltLength)};
    }

    private void check(byte[] key, byte[] salt, byte[] iv) {
        Octets.require(key, "key");
        if (this == NULL) {
            return;
        }
        int bits = key.length * 8;
        if (Arrays.stream(keyBits).noneMatch(b -> b == bits)) {
            throw new IllegalArgumentException(this + " has no " + key.length + "-byte key");
        }
        int s = salt == null ? 0 : salt.length;
        if (s != saltLength) {
            throw new IllegalArgumentException(this + " needs a " + saltLength + "-byte salt, not " + s);
        }
        int v = iv == null ? 0 : iv.length;
        if (v != ivLength) {
            throw new IllegalArgumentException(this + " needs a " + ivLength + "-byte IV, not " + v);
        }
    }

    /** The cipher with IKEv2 Transform Type 1 ID {@code id}, or null. */
    public static Encryption fromIkev2Id(int id) {
        for (Encryption e : values()) {
            if (e.ikev2Id == id) {
                return e;
            }
        }
        return null;
    }

    /**
     * The cipher for IKEv1 Encryption Algorithm {@code id} (phase 1, attribute class 1, RFC 2409
     * appendix A, RFC 3602, RFC 4312: 1 DES-CBC, 5 3DES-CBC, 7 AES-CBC, 8 CAMELLIA-CBC), or null.
     */
    public static Encryption fromIkev1Id(int id) {
        switch (id) {
            case 1:
                return DES;
            case 5:
                return TRIPLE_DES;
            case 7:
                return AES_CBC;
            case 8:
                return CAMELLIA_CBC;
            default:
                return null;
        }
    }

    /**
     * The cipher for IPsec DOI ESP Transform ID {@code id} (IKEv1 phase 2, RFC 2407 §4.4.4, IANA
     * IPSEC registry), or null. Mostly the IKEv2 IDs, except ESP_CAMELLIA = 22 and
     * ESP_NULL_AUTH_AES-GMAC = 23 (IKEv2: 23 and 21).
     */
    public static Encryption fromIpsecEspTransform(int id) {
        switch (id) {
            case 22:
                return CAMELLIA_CBC;
            case 23:
                return NULL_AUTH_AES_GMAC;
            case 21:
                return null; // ESP_SEED_CBC
            default:
                return fromIkev2Id(id);
        }
    }
}
