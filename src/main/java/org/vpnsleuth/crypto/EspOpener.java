package org.vpnsleuth.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.vpnsleuth.decode.EspDecryptor;

/**
 * One ESP key set ({@link EspDecryption.Sa}) prepared for one SPI: the JCE Cipher and Mac are made
 * and keyed once, and each packet is opened from the capture's buffer into a reused buffer, with
 * the nonce, the AAD and the ESN bytes built in place. Per packet only the inner packet (the
 * result) is a new array, plus what JCE itself allocates (a {@link GCMParameterSpec} and its
 * engine for GCM). The common SunJCE modes take this path: AES-GCM with a 12- or 16-byte tag,
 * ChaCha20-Poly1305, AES-CTR, and DES / 3DES / AES-CBC with an HMAC (or with no integrity key).
 * The rest (AES-CCM, AES-GCM with an 8-byte tag, Camellia: Bouncy Castle; AES-GMAC; AES-XCBC and
 * AES-CMAC integrity; a key of a size the cipher has not) goes through
 * {@link EspDecryption#openGeneric}, the per-packet path that makes everything anew.
 *
 * <p>Threads: an opener holds mutable buffers (and a Cipher and Mac, which are not thread-safe),
 * so it opens one packet at a time: it belongs to one SPI's {@link EspDecryption.SpiState} and is
 * used only under that state's lock, which also makes it safe to use from a thread other than
 * the one that made it. Openers share nothing with each other (each has its own Cipher, Mac and
 * buffers), so packets of different SPIs can be opened in parallel.
 */
final class EspOpener {
    private enum Path { GCM, CHACHA, CBC, CTR, NULL, GENERIC }

    final EspDecryption.Sa sa;
    private final Path path;
    private final String source;
    private final int iv;
    private final int icv;
    private final int tagBits;
    private Cipher cipher;
    private SecretKeySpec key;
    private final Mac mac;
    private final byte[] nonce;
    private final byte[] aad = new byte[12];
    private final byte[] macOut;
    private final byte[] esnBytes = new byte[4];
    private byte[] work = new byte[2048];

    EspOpener(EspDecryption.Sa sa) {
        this.sa = sa;
        this.iv = sa.enc().ivLength();
        this.icv = sa.icvLength();
        boolean unchecked = !sa.enc().aead() && (sa.integ() == null || sa.authKey() == null);
        this.source = sa.source() + (unchecked ? " (no integrity key: ICV not checked)" : "");
        Path p = pathOf(sa);
        Mac m = null;
        byte[] n = null;
        try {
            if (p != Path.GENERIC && p != Path.NULL) {
                byte[] material = sa.encKey();
                int salt = sa.enc().saltLength();
                int keyLen = material.length - salt;
                int bits = keyLen * 8;
                if (keyLen <= 0 || Arrays.stream(sa.enc().keyBits()).noneMatch(b -> b == bits)) {
                    throw new IllegalArgumentException("key of the wrong size"); // the generic path says so per packet
                }
                String alg = p == Path.CHACHA ? "ChaCha20" : sa.enc() == Encryption.DES ? "DES"
                        : sa.enc() == Encryption.TRIPLE_DES ? "DESede" : "AES";
                key = new SecretKeySpec(material, 0, keyLen, alg);
                n = new byte[p == Path.CTR ? 16 : 12];
                System.arraycopy(material, keyLen, n, 0, salt);
                switch (p) {
                    case GCM:
                        cipher = Cipher.getInstance("AES/GCM/NoPadding");
                        break;
                    case CHACHA:
                        cipher = Cipher.getInstance("ChaCha20-Poly1305");
                        break;
                    case CTR:
                        cipher = Cipher.getInstance("AES/CTR/NoPadding");
                        n[15] = 1; // RFC 3686 §4: nonce | IV | block counter starting at 1
                        break;
                    case CBC:
                        // keyed once with a zero IV: each doFinal starts again from that IV, and the
                        // packet's IV is XORed into the first plaintext block afterwards (CBC: P1 = D(C1) ^ IV)
                        cipher = Cipher.getInstance(sa.enc() == Encryption.DES ? "DES/CBC/NoPadding"
                                : sa.enc() == Encryption.TRIPLE_DES ? "DESede/CBC/NoPadding" : "AES/CBC/NoPadding");
                        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(new byte[iv]));
                        break;
                    default:
                        break;
                }
            }
            if (!sa.enc().aead() && p != Path.GENERIC && sa.integ() != null && sa.authKey() != null) {
                String name = hmacName(sa.integ());
                m = Mac.getInstance(name);
                // HMAC pads the key with zeros to the block size: an empty key is a one-byte zero key
                m.init(new SecretKeySpec(sa.authKey().length == 0 ? new byte[1] : sa.authKey(), name));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            p = Path.GENERIC; // a key JCE or the cipher refuses: the generic path gives the per-packet answer
            cipher = null;
            key = null;
            m = null;
        }
        this.path = p;
        this.mac = m;
        this.nonce = n;
        this.tagBits = sa.enc().icvLength() * 8;
        this.macOut = new byte[m == null ? 0 : m.getMacLength()];
    }

    private static Path pathOf(EspDecryption.Sa sa) {
        Encryption e = sa.enc();
        if (sa.encKey() == null) {
            return Path.GENERIC;
        }
        boolean hmac = sa.integ() == null || sa.authKey() == null || hmacName(sa.integ()) != null;
        switch (e) {
            case AES_GCM_12:
            case AES_GCM_16:
                return Path.GCM;
            case CHACHA20_POLY1305:
                return Path.CHACHA;
            case AES_CTR:
                return hmac ? Path.CTR : Path.GENERIC;
            case AES_CBC:
            case DES:
            case TRIPLE_DES:
                return hmac ? Path.CBC : Path.GENERIC;
            case NULL:
                return hmac ? Path.NULL : Path.GENERIC;
            default:
                return Path.GENERIC; // Bouncy Castle (CCM, GCM-8, Camellia) and GMAC
        }
    }

    private static String hmacName(Integrity i) {
        switch (i) {
            case HMAC_MD5_96:
            case HMAC_MD5_128:
                return "HmacMD5";
            case HMAC_SHA1_96:
            case HMAC_SHA1_160:
                return "HmacSHA1";
            case HMAC_SHA2_256_128:
                return "HmacSHA256";
            case HMAC_SHA2_384_192:
                return "HmacSHA384";
            case HMAC_SHA2_512_256:
                return "HmacSHA512";
            default:
                return null;
        }
    }

    /** True when this key set takes the prepared path (for tests and the benchmark). */
    boolean prepared() {
        return path != Path.GENERIC;
    }

    /**
     * Opens the ESP packet {@code b[off, end)} (from its SPI) with {@code high} the ESN high-order
     * bits (-1: the SA has no ESN): the decrypted packet, or the reason it does not open.
     */
    EspDecryptor.Result open(byte[] b, int off, int end, long high) {
        if (path == Path.GENERIC) {
            return EspDecryption.openGeneric(sa, b, off, end, high);
        }
        int n = end - off - 8 - iv - icv;
        if (n <= 0) {
            return new EspDecryptor.Result(null, -1, 0, 0, 0, sa.source(), "packet too short for IV and ICV");
        }
        int ct = off + 8 + iv; // the ciphertext
        if (high >= 0) {
            esnBytes[0] = (byte) (high >>> 24);
            esnBytes[1] = (byte) (high >>> 16);
            esnBytes[2] = (byte) (high >>> 8);
            esnBytes[3] = (byte) high;
        }
        int len; // plaintext bytes in work
        try {
            switch (path) {
                case GCM:
                case CHACHA: {
                    // RFC 4106 §5, RFC 7634 §2.1: AAD = SPI | sequence number, with an ESN as 64 bits (high, low)
                    int a = aad(b, off, high);
                    System.arraycopy(b, off + 8, nonce, 4, 8);
                    if (work.length < n + icv) {
                        work = new byte[n + icv + 256];
                    }
                    if (path == Path.GCM) {
                        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(tagBits, nonce));
                    } else {
                        initChaCha();
                    }
                    cipher.updateAAD(aad, 0, a);
                    len = cipher.doFinal(b, ct, n + icv, work, 0);
                    break;
                }
                case CBC:
                case CTR:
                case NULL: {
                    // RFC 4303 §2.2.1: the ICV covers SPI .. Next Header, then the ESN high-order bits; there is
                    // no Mac only when the SA has no integrity algorithm or key (the trailer check says "not checked")
                    if (mac != null && !icvMatches(b, off, end, high)) {
                        return new EspDecryptor.Result(null, -1, 0, 0, 0, sa.source(), "ICV mismatch");
                    }
                    if (work.length < n) {
                        work = new byte[n + 256];
                    }
                    if (path == Path.NULL) {
                        System.arraycopy(b, ct, work, 0, n);
                        len = n;
                    } else if (path == Path.CTR) {
                        System.arraycopy(b, off + 8, nonce, 4, 8);
                        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
                        len = cipher.doFinal(b, ct, n, work, 0);
                    } else {
                        if (n % sa.enc().blockSize() != 0) {
                            return new EspDecryptor.Result(null, -1, 0, 0, 0, sa.source(), "ciphertext of an impossible length");
                        }
                        len = cipher.doFinal(b, ct, n, work, 0);
                        for (int i = 0; i < iv; i++) {
                            work[i] ^= b[off + 8 + i];
                        }
                    }
                    break;
                }
                default:
                    throw new IllegalStateException(path.name());
            }
        } catch (AEADBadTagException e) {
            return new EspDecryptor.Result(null, -1, 0, 0, 0, sa.source(), "tag mismatch");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(sa.enc() + " failed", e);
        }
        return EspDecryption.trailer(sa, work, len, iv, icv, high, source);
    }

    /** The AAD in {@link #aad}: SPI | [ESN high |] sequence number; returns its length. */
    private int aad(byte[] b, int off, long high) {
        System.arraycopy(b, off, aad, 0, 4);
        if (high < 0) {
            System.arraycopy(b, off + 4, aad, 4, 4);
            return 8;
        }
        System.arraycopy(esnBytes, 0, aad, 4, 4);
        System.arraycopy(b, off + 4, aad, 8, 4);
        return 12;
    }

    /**
     * SunJCE (JDK 17) refuses to key a ChaCha20-Poly1305 object twice in a row with the same key
     * and nonce, in either direction; a second look at the same packet (a duplicate, another SPI's
     * candidate) does that: then a new object.
     */
    private void initChaCha() throws GeneralSecurityException {
        IvParameterSpec spec = new IvParameterSpec(nonce);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, spec);
        } catch (InvalidKeyException e) {
            cipher = Cipher.getInstance("ChaCha20-Poly1305");
            cipher.init(Cipher.DECRYPT_MODE, key, spec);
        }
    }

    /** The HMAC over SPI .. Next Header [| ESN high] against the packet's ICV, in constant time. */
    private boolean icvMatches(byte[] b, int off, int end, long high) {
        mac.update(b, off, end - icv - off);
        if (high >= 0) {
            mac.update(esnBytes, 0, 4);
        }
        try {
            mac.doFinal(macOut, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        if (icv > macOut.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0, j = end - icv; i < icv; i++, j++) {
            diff |= macOut[i] ^ b[j];
        }
        return diff == 0;
    }
}
