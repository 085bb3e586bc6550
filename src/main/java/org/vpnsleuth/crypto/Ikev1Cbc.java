package org.vpnsleuth.crypto;

/**
 * CBC with the IKEv1 IV chain (RFC 2409 appendix B): IKEv1 sends no IV. The first message of
 * phase 1 uses {@link Ikev1Keys#phase1Iv}, the first of each phase-2 exchange
 * {@link Ikev1Keys#phase2Iv}, and every later message of the same exchange the last ciphertext
 * block of the exchange's previous message, which these methods return as {@link Result#nextIv}.
 */
public final class Ikev1Cbc {
    private Ikev1Cbc() {
    }

    /** A decrypted (or encrypted) message and the IV for the next message of the exchange. */
    public record Result(byte[] data, byte[] nextIv) {
        @Override
        public String toString() {
            return "Ikev1Cbc.Result[" + data.length + " bytes]";
        }
    }

    /**
     * Decrypts an IKEv1 message body (everything after the 28-byte ISAKMP header); the plaintext
     * still has its padding. Null when the ciphertext is empty or not whole blocks.
     *
     * @param cipher a CBC cipher: {@link Encryption#DES}, {@link Encryption#TRIPLE_DES},
     *     {@link Encryption#AES_CBC} or {@link Encryption#CAMELLIA_CBC}
     * @param key the encryption key (Ka, {@link Ikev1Keys#encryptionKey})
     * @throws IllegalArgumentException for a cipher that is not CBC, or a key or IV of the wrong size
     */
    public static Result decrypt(Encryption cipher, byte[] key, byte[] iv, byte[] ciphertext) {
        checkCbc(cipher);
        Octets.require(ciphertext, "ciphertext");
        if (ciphertext.length == 0) {
            return null;
        }
        Decrypted d = cipher.decrypt(key, null, iv, null, ciphertext);
        if (!d.ok()) {
            return null;
        }
        return new Result(d.plaintext(), lastBlock(ciphertext, cipher.blockSize()));
    }

    /**
     * Encrypts an IKEv1 message body that is already padded to whole blocks.
     *
     * @throws IllegalArgumentException for a cipher that is not CBC, a key or IV of the wrong size,
     *     or a plaintext that is empty or not whole blocks
     */
    public static Result encrypt(Encryption cipher, byte[] key, byte[] iv, byte[] plaintext) {
        checkCbc(cipher);
        Octets.require(plaintext, "plaintext");
        if (plaintext.length == 0) {
            throw new IllegalArgumentException("nothing to encrypt");
        }
        byte[] c = cipher.encrypt(key, null, iv, null, plaintext);
        return new Result(c, lastBlock(c, cipher.blockSize()));
    }

    private static byte[] lastBlock(byte[] ciphertext, int blockSize) {
        return Octets.slice(ciphertext, ciphertext.length - blockSize, blockSize);
    }

    private static void checkCbc(Encryption cipher) {
        switch (cipher) {
            case DES:
            case TRIPLE_DES:
            case AES_CBC:
            case CAMELLIA_CBC:
                return;
            default:
                throw new IllegalArgumentException("IKEv1 encrypts with CBC ciphers, not " + cipher);
        }
    }
}
