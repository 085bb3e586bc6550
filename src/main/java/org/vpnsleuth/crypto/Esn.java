package org.vpnsleuth.crypto;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extended Sequence Numbers (RFC 4303 §2.2.1 and Appendix A, RFC 4302 §2.5.1): only the low-order
 * 32 bits of the 64-bit counter are on the wire; the receiver infers the high-order 32 bits from
 * the highest sequence number it has verified on the SA (Appendix A2.2). The counter starts at 0.
 * A passive observer keeps no replay window, so the window is half the 32-bit space: a low-order
 * value up to 2^31 - 1 below the highest verified one is taken as older, anything else as newer.
 * One instance tracks every SA (by SPI) of one protocol; the highest value moves only after a
 * packet verified.
 */
public final class Esn {
    /** The window W of Appendix A2.2. */
    static final long WINDOW = 1L << 31;
    private static final int MAX_SAS = 65_536;

    private final Map<Long, Long> highest = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> e) {
            return size() > MAX_SAS;
        }
    };

    /**
     * RFC 4303 Appendix A2.2: the high-order 32 bits for low-order bits {@code low} when the highest
     * verified 64-bit sequence number is {@code top}.
     */
    public static long inferHigh(long top, long low) {
        long tl = top & 0xffffffffL;
        long th = top >>> 32;
        if (tl >= WINDOW - 1) {
            // case A: the window lies within one 2^32 block
            return low >= tl - WINDOW + 1 ? th : th + 1;
        }
        // case B: the window spans two blocks; below 0 there is nothing (the counter starts at 0)
        long bottom = (tl - WINDOW + 1) & 0xffffffffL;
        return low >= bottom && th > 0 ? th - 1 : th;
    }

    /** The high-order bits to try for {@code low} on SA {@code spi}. */
    public long high(long spi, long low) {
        return inferHigh(highest.getOrDefault(spi, 0L), low);
    }

    /** Records a verified 64-bit sequence number of SA {@code spi}. */
    public void verified(long spi, long high, long low) {
        long s = (high << 32) | low;
        highest.merge(spi, s, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    }

    /** The four bytes of {@code high}, big-endian, as the ICV input and the AAD carry them. */
    static byte[] bytes(long high) {
        return new byte[] {(byte) (high >>> 24), (byte) (high >>> 16), (byte) (high >>> 8), (byte) high};
    }
}
