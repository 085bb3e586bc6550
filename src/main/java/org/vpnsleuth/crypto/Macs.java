package org.vpnsleuth.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/** The MAC primitives behind {@link Prf} and {@link Integrity}: HMAC (JCE), AES-XCBC and AES-CMAC. */
final class Macs {
    private Macs() {
    }

    static final int AES_BLOCK = 16;

    /** One JCE Mac per thread for a JCE HMAC name. */
    static final class Hmac {
        private final String name;
        private final ThreadLocal<Mac> mac;

        Hmac(String name) {
            this.name = name;
            this.mac = ThreadLocal.withInitial(() -> {
                try {
                    return Mac.getInstance(name);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("JCE lacks " + name, e);
                }
            });
        }

        byte[] compute(byte[] key, byte[][] parts) {
            Mac m = mac.get();
            // HMAC pads the key with zeros to the block size, so an empty key is the same as a
            // one-byte zero key; SecretKeySpec refuses empty keys.
            byte[] k = key.length == 0 ? new byte[1] : key;
            try {
                m.init(new SecretKeySpec(k, name));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(name + " refused its key", e);
            }
            for (byte[] p : parts) {
                if (p != null) {
                    m.update(p);
                }
            }
            return m.doFinal();
        }
    }

    private static BlockCipher aes(byte[] key) {
        BlockCipher c = AESEngine.newInstance();
        c.init(true, new KeyParameter(key));
        return c;
    }

    private static byte[] constant(BlockCipher c, int v) {
        byte[] in = new byte[AES_BLOCK];
        java.util.Arrays.fill(in, (byte) v);
        byte[] out = new byte[AES_BLOCK];
        c.processBlock(in, 0, out, 0);
        return out;
    }

    /** AES-XCBC-MAC (RFC 3566 §4), full 128-bit output; {@code key} is 16 bytes. */
    static byte[] xcbc(byte[] key, byte[][] parts) {
        if (key.length != AES_BLOCK) {
            throw new IllegalArgumentException("AES-XCBC-MAC needs a 16-byte key, not " + key.length);
        }
        BlockCipher base = aes(key);
        byte[] k1 = constant(base, 0x01);
        byte[] k2 = constant(base, 0x02);
        byte[] k3 = constant(base, 0x03);
        BlockCipher c = aes(k1);
        byte[] m = Octets.concat(parts);
        byte[] e = new byte[AES_BLOCK];
        int n = m.length;
        // every block but the last goes through plain CBC-MAC under K1
        int full = n == 0 ? 0 : (n - 1) / AES_BLOCK;
        for (int b = 0; b < full; b++) {
            for (int i = 0; i < AES_BLOCK; i++) {
                e[i] ^= m[b * AES_BLOCK + i];
            }
            c.processBlock(e, 0, e, 0);
        }
        int rest = n - full * AES_BLOCK;
        byte[] last = new byte[AES_BLOCK];
        System.arraycopy(m, full * AES_BLOCK, last, 0, rest);
        byte[] k;
        if (rest == AES_BLOCK) {
            k = k2;
        } else {
            last[rest] = (byte) 0x80;
            k = k3;
        }
        for (int i = 0; i < AES_BLOCK; i++) {
            e[i] ^= (byte) (last[i] ^ k[i]);
        }
        c.processBlock(e, 0, e, 0);
        return e;
    }

    /** AES-CMAC (RFC 4493), full 128-bit output; {@code key} is 16 bytes. */
    static byte[] cmac(byte[] key, byte[][] parts) {
        if (key.length != AES_BLOCK) {
            throw new IllegalArgumentException("AES-CMAC needs a 16-byte key, not " + key.length);
        }
        CMac mac = new CMac(AESEngine.newInstance());
        mac.init(new KeyParameter(key));
        for (byte[] p : parts) {
            if (p != null) {
                mac.update(p, 0, p.length);
            }
        }
        byte[] out = new byte[AES_BLOCK];
        mac.doFinal(out, 0);
        return out;
    }
}
