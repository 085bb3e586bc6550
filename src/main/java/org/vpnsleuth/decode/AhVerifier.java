package org.vpnsleuth.decode;

/**
 * Whoever checks AH ICVs for the decoder (the crypto stage, with the user's key material and keys
 * derived from IKE); decode itself holds no keys.
 */
public interface AhVerifier {
    /** The verified ICV (its length and the key's source) or why it did not verify; seqHigh -1 without ESN. */
    record Result(int icvLength, String source, String problem, long seqHigh) {
        public boolean verified() {
            return problem == null;
        }
    }

    /**
     * Verifies the AH header at {@code ah} of the IP datagram {@code b[ip, end)} (IPv4 or IPv6 by
     * {@code v6}; the AH header directly after the IP header and, for IPv6, the extension headers
     * before it). Null when no key is known for the SPI.
     */
    Result verify(byte[] b, int ip, int ah, int end, boolean v6);

    /** True when there is a key for {@code spi}. */
    boolean knows(long spi);

    /** True when any AH key was supplied or derived. */
    boolean hasKeys();

    long verifiedCount();

    long failedCount();
}
