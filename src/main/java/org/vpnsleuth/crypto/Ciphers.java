package org.vpnsleuth.crypto;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.CamelliaEngine;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.CBCModeCipher;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The cipher modes behind {@link Encryption}: SunJCE for DES/3DES/AES-CBC, AES-CTR, AES-GCM with
 * 12- and 16-byte tags, GMAC and ChaCha20-Poly1305; Bouncy Castle's lightweight API for what SunJCE
 * lacks (AES-CCM, AES-GCM with an 8-byte tag, Camellia). Inputs are checked by the caller.
 */
final class Ciphers {
    private Ciphers() {
    }

    /** Decrypting JCE ciphers, one per transformation and thread (init resets them). */
    private static final ThreadLocal<Map<String, Cipher>> DECRYPTORS = ThreadLocal.withInitial(HashMap::new);

    private static Cipher jce(String transformation, boolean encrypt) {
        try {
            if (encrypt || transformation.startsWith("ChaCha20")) {
                // SunJCE refuses to init one object twice with the same key and nonce for GCM
                // encryption and for ChaCha20-Poly1305 in both directions (a second look at the
                // same packet does that): those get a new object each time.
                return Cipher.getInstance(transformation);
            }
            Map<String, Cipher> m = DECRYPTORS.get();
            Cipher c = m.get(transformation);
            if (c == null) {
                c = Cipher.getInstance(transformation);
                m.put(transformation, c);
            }
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks " + transformation, e);
        }
    }

    /** CBC (or CTR) without padding through JCE; the length is checked by the caller. */
    static byte[] jceUnauthenticated(String transformation, String keyAlg, boolean encrypt, byte[] key,
            byte[] iv, byte[] in) {
        Cipher c = jce(transformation, encrypt);
        try {
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlg),
                    new IvParameterSpec(iv));
            return c.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " failed", e);
        }
    }

    /**
     * An AEAD through JCE ("AES/GCM/NoPadding" with a 12- or 16-byte tag, "ChaCha20-Poly1305"):
     * encrypt gives ciphertext | tag, decrypt takes it and gives null when the tag does not match.
     * {@code aad2} is more authenticated data after {@code aad} (GMAC's payload), may be null.
     */
    static byte[] jceAead(String transformation, String keyAlg, boolean encrypt, byte[] key, byte[] nonce,
            int tagBytes, byte[] aad, byte[] aad2, byte[] in) {
        Cipher c = jce(transformation, encrypt);
        try {
            java.security.spec.AlgorithmParameterSpec spec = transformation.startsWith("AES")
                    ? new GCMParameterSpec(tagBytes * 8, nonce) : new IvParameterSpec(nonce);
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlg), spec);
            if (aad != null && aad.length > 0) {
                c.updateAAD(aad);
            }
            if (aad2 != null && aad2.length > 0) {
                c.updateAAD(aad2);
            }
            return c.doFinal(in);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " failed", e);
        }
    }

    /** Camellia-CBC (Bouncy Castle), whole blocks. */
    static byte[] camelliaCbc(boolean encrypt, byte[] key, byte[] iv, byte[] in) {
        CBCModeCipher c = CBCBlockCipher.newInstance(new CamelliaEngine());
        c.init(encrypt, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[in.length];
        int bs = c.getBlockSize();
        for (int o = 0; o < in.length; o += bs) {
            c.processBlock(in, o, out, o);
        }
        return out;
    }

    /** AES-CCM (RFC 3610) or AES-GCM (Bouncy Castle) with any tag length; null on a bad tag. */
    static byte[] bcAead(boolean ccm, boolean encrypt, byte[] key, byte[] nonce, int tagBytes, byte[] aad,
            byte[] in) {
        BlockCipher aes = AESEngine.newInstance();
        AEADBlockCipher c = ccm ? CCMBlockCipher.newInstance(aes) : GCMBlockCipher.newInstance(aes);
        c.init(encrypt, new AEADParameters(new KeyParameter(key), tagBytes * 8, nonce,
                aad == null ? Octets.EMPTY : aad));
        byte[] out = new byte[c.getOutputSize(in.length)];
        int n = c.processBytes(in, 0, in.length, out, 0);
        try {
            n += c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            return null;
        }
        return n == out.length ? out : Octets.head(out, n);
    }

    /** Counter block for AES-CTR in IPsec (RFC 3686 §4): nonce | IV | 0x00000001. */
    static byte[] ctrBlock(byte[] nonce, byte[] iv) {
        byte[] b = new byte[16];
        System.arraycopy(nonce, 0, b, 0, 4);
        System.arraycopy(iv, 0, b, 4, 8);
        b[15] = 1;
        return b;
    }
}
