package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.base.Bytes;

/**
 * The packed form of SPI texts the rules across SAs compare (SaFacts.spiCode): two texts get the
 * same number exactly when they are the same text, and a flow's SPI packs to what the text a Delete
 * payload gives for it ({@code Bytes.hexPadded(spi, 8)}, RFC 4303's 32-bit SPI in hex) packs to.
 */
class SaFactsSpiTest {
    @Test
    void sameTextSameNumberOnly() {
        String[] texts = {"0", "00", "000", "a", "0a", "00a", "0346f77f", "346f77f", "00000000", "ffffffff",
                "0123456789abcd", "1", "10", "100"};
        Set<Long> codes = new HashSet<>();
        for (String t : texts) {
            long c = SaFacts.spiCode(t);
            assertThat(c).as(t).isNotNegative();
            assertThat(codes.add(c)).as("a number of its own for " + t).isTrue();
            assertThat(SaFacts.spiCode(new String(t))).isEqualTo(c);
            assertThat(SaFacts.spiKey(t)).isEqualTo(c);
        }
    }

    @Test
    void textsThatDoNotPackAreKeptAsText() {
        for (String t : new String[] {"", "0346F77F", "0x0346f77f", "0123456789abcde", "0123456789abcdef0123", "zz"}) {
            assertThat(SaFacts.spiCode(t)).as(t).isEqualTo(-1);
            assertThat(SaFacts.spiKey(t)).isEqualTo(t);
        }
    }

    @Test
    void aFlowsSpiPacksAsTheDeletesText() {
        for (long spi : new long[] {0, 1, 0x0346f77fL, 0xc0af3c87L, 0xffffffffL}) {
            String text = Bytes.hexPadded(spi, 8);
            assertThat(text).hasSize(8).isEqualTo(String.format("%08x", spi));
            assertThat(SaFacts.spiCode(text)).isEqualTo(8L << 56 | spi);
        }
    }
}
