package org.vpnsleuth.crypto;

/**
 * What a decryption gave: the plaintext, or why there is none. A failed tag check or a ciphertext
 * of an impossible length is a normal result here, not an exception.
 *
 * @param plaintext the plaintext (without the AEAD tag), or null when the decryption failed
 * @param failure why it failed, or null when it did not
 */
public record Decrypted(byte[] plaintext, Failure failure) {
    /** Why a decryption gave no plaintext. */
    public enum Failure {
        /** The AEAD tag (or GMAC) did not match: wrong key, salt or IV, or altered data. */
        AUTHENTICATION_FAILED,
        /** The input cannot be a ciphertext of this mode (not whole blocks, shorter than the tag). */
        BAD_LENGTH
    }

    public Decrypted {
        if ((plaintext == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of plaintext and failure");
        }
    }

    static Decrypted of(byte[] plaintext) {
        return new Decrypted(plaintext, null);
    }

    static Decrypted failed(Failure failure) {
        return new Decrypted(null, failure);
    }

    /** True when there is a plaintext. */
    public boolean ok() {
        return failure == null;
    }

    @Override
    public String toString() {
        return ok() ? "Decrypted[ok, " + plaintext.length + " bytes]" : "Decrypted[" + failure + "]";
    }
}
