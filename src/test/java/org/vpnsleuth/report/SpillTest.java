package org.vpnsleuth.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The details of a report held back until its summary is written: in memory, then in a temporary file. */
class SpillTest {
    @Test
    void smallTextStaysInMemoryLargeTextGoesThroughATemporaryFileUnchanged() throws Exception {
        StringBuilder expected = new StringBuilder();
        try (Spill s = new Spill(1000)) {
            for (int i = 0; i < 500; i++) {
                String line = "line " + i + " ⇄ → é\n";
                expected.append(line);
                s.append(line);
            }
            assertThat(s.spilled()).isTrue();
            StringWriter to = new StringWriter();
            to.write("summary\n");
            s.copyTo(to, null);
            assertThat(to.toString()).isEqualTo("summary\n" + expected);
        }
        try (Spill small = new Spill(1000)) {
            small.append("a few lines\n");
            assertThat(small.spilled()).isFalse();
            StringBuilder sb = new StringBuilder("summary\n");
            small.copyTo(null, sb);
            assertThat(sb.toString()).isEqualTo("summary\na few lines\n");
        }
    }

    @Test
    void wrappingKeepsEveryWordAndIndentsUnderTheLabel() {
        String why = "  why: " + "word ".repeat(30).strip();
        String out = new TextStyle(40, false).apply(why);
        for (String l : out.lines().toList()) {
            assertThat(l.length()).isLessThanOrEqualTo(40);
        }
        assertThat(out.lines().skip(1).allMatch(l -> l.startsWith(" ".repeat(7)) && !l.startsWith(" ".repeat(8)))).isTrue();
        assertThat(out.split("\\s+")).containsExactly(why.split("\\s+"));
        // a word longer than the line is kept whole
        String spec = "  stack: eth/pppoe/ipv4/esp:aes-cbc-256,sha1/gre:key/and/more/layers/than/fit";
        assertThat(new TextStyle(40, false).apply(spec).lines()).contains("         eth/pppoe/ipv4/esp:aes-cbc-256,sha1/gre:key/and/more/layers/than/fit");
    }
}
