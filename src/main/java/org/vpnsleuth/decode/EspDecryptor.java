package org.vpnsleuth.decode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whoever opens ESP packets for the decoder (the crypto stage, with the user's key material and
 * keys derived from IKE). The ESP codec asks it for each packet of an SPI it knows and decodes the
 * inner packet it returns; decode itself holds no keys and no ciphers.
 */
public interface EspDecryptor {
    /**
     * A decrypted packet (the inner packet and its protocol), or why there is none; {@code seqHigh}
     * is the inferred high-order half of an Extended Sequence Number, -1 when the SA has none.
     */
    record Result(byte[] inner, int nextHeader, int ivLength, int padLength, int icvLength, String source,
            String problem, long seqHigh) {
        /** Without an Extended Sequence Number. */
        public Result(byte[] inner, int nextHeader, int ivLength, int padLength, int icvLength, String source, String problem) {
            this(inner, nextHeader, ivLength, padLength, icvLength, source, problem, -1);
        }

        /** The frame note of a decrypted packet: "ESP decrypted with keys from " and the source (made once per source). */
        public String note() {
            String n = NOTES.get(source);
            if (n == null) {
                n = "ESP decrypted with keys from " + source;
                if (NOTES.size() < 4096) {
                    NOTES.put(source, n);
                }
            }
            return n;
        }
    }

    /** The notes of {@link Result#note()}, one per key source (bounded). */
    Map<String, String> NOTES = new ConcurrentHashMap<>();

    /**
     * Decrypts the ESP packet {@code b[off, end)} (from its SPI), the packet going to {@code dst}
     * (null: unknown, or not wanted by {@link #wantsDestination}); null when no key is known for
     * its SPI.
     */
    Result decrypt(byte[] b, int off, int end, String dst);

    /** As {@link #decrypt(byte[], int, int, String)} without the destination. */
    default Result decrypt(byte[] b, int off, int end) {
        return decrypt(b, off, end, null);
    }

    /** True when a packet of {@code spi} would be matched by its destination (formatting it costs). */
    boolean wantsDestination(long spi);

    /** The outer addresses {@code spi} was first seen with, or null. */
    String[] endpoints(long spi);

    /** Notes the outer addresses of an SPI's packet (the first ones stay). */
    void seen(long spi, String src, String dst);

    long decryptedCount();

    long failedCount();
}
