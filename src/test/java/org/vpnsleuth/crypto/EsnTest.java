package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 4303 Appendix A2.2: the high-order bits from the low-order ones and the highest verified value. */
class EsnTest {
    private static final long TWO32 = 1L << 32;

    @Test
    void caseAWindowWithinOneBlock() {
        long top = 0xfffffff0L; // Tl >= W - 1
        assertThat(Esn.inferHigh(top, 0xfffffff5L)).isZero(); // ahead in the same block
        assertThat(Esn.inferHigh(top, 0x80000000L)).isZero(); // older, inside the window
        assertThat(Esn.inferHigh(top, 5)).isEqualTo(1); // wrapped
        assertThat(Esn.inferHigh(3 * TWO32 + 0x90000000L, 0x10000001L)).isEqualTo(3);
        assertThat(Esn.inferHigh(3 * TWO32 + 0x90000000L, 0x10000000L)).isEqualTo(4);
    }

    @Test
    void caseBWindowAcrossTwoBlocks() {
        long top = TWO32 + 2; // Tl < W - 1
        assertThat(Esn.inferHigh(top, 0xffffffffL)).isZero(); // reordered back over the wrap
        assertThat(Esn.inferHigh(top, 1)).isEqualTo(1);
        assertThat(Esn.inferHigh(top, 0x7fffffffL)).isEqualTo(1); // ahead
        assertThat(Esn.inferHigh(top, 0x80000003L)).isZero(); // the window's lowest value
    }

    @Test
    void theCounterStartsAtZero() {
        assertThat(Esn.inferHigh(0, 0xfffffffdL)).isZero(); // no "-1" before the first block
        assertThat(Esn.inferHigh(0, 1)).isZero();
        Esn e = new Esn();
        assertThat(e.high(7, 0xfffffffeL)).isZero();
        e.verified(7, 0, 0xfffffffeL);
        assertThat(e.high(7, 0)).isEqualTo(1);
        e.verified(7, 1, 0);
        e.verified(7, 0, 0xffffffffL); // an older packet does not move the top back
        assertThat(e.high(7, 0xffffffffL)).isZero();
        assertThat(e.high(7, 1)).isEqualTo(1);
        assertThat(e.high(8, 1)).isZero(); // per SA
    }
}
