package org.vpnsleuth.base;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BytesTest {
    /** hexPadded must write what java.util.Formatter writes for "%0Nx" of a long (the text it replaces in reports). */
    @Test
    void hexPaddedIsFormattersHex() {
        long[] edge = {0, 1, 15, 16, 0xff, 0xffffffffL, 0x100000000L, 0x7fffffffffffffffL, Long.MIN_VALUE, -1, -2, 0x1977eb59L};
        int[] widths = {1, 2, 4, 8, 16};
        SplittableRandom r = new SplittableRandom(12);
        for (int w : widths) {
            for (long v : edge) {
                assertEquals(String.format("%0" + w + "x", v), Bytes.hexPadded(v, w), v + " width " + w);
            }
            for (int i = 0; i < 2000; i++) {
                long v = r.nextLong() >>> r.nextInt(64);
                assertEquals(String.format("%0" + w + "x", v), Bytes.hexPadded(v, w), v + " width " + w);
            }
        }
    }
}
