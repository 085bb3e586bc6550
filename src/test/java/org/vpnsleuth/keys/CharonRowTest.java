package org.vpnsleuth.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The hand-written dump-row reader of strongSwan logs finds what the row pattern finds, on every line of every log here. */
class CharonRowTest {
    private static String byPattern(String line) {
        Matcher m = KeyFiles.CHARON_ROW.matcher(line);
        return m.find() ? m.group(3).replace(" ", "") : null;
    }

    @Test
    void sameAsThePatternOnEveryLogLine() throws IOException {
        List<Path> logs;
        try (Stream<Path> s = Files.list(Path.of("captures"))) {
            logs = s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
        assertThat(logs).hasSizeGreaterThan(40);
        long rows = 0;
        for (Path log : logs) {
            for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                String want = byPattern(line);
                assertThat(KeyFiles.rowHex(line)).as(log + ": " + line).isEqualTo(want);
                rows += want == null ? 0 : 1;
            }
        }
        assertThat(rows).isGreaterThan(10_000);
    }

    @Test
    void edgeCases() {
        for (String line : new String[] {
            "", "[", "[CHD]", "[CHD] ", "[CHD]  0: ", "[CHD] 0: AB", "[CHD] <vpn|1>    16: 56 54 1B  ...A.", "[chd] 0: AB",
            "x [IKE] <a> 0: ab", "x [IKE] <a>  12: AB CD EF01 2", "[IKE] <a>x 0: AB", "[IKE] [CFG] 3: 0A", "[IKE] <unclosed 0: 0A",
            "[IKE] <a> : 0A", "[IKE] \t 7: 0A0B", "[IKE] 7:  0A", "[IKE] 7: 0A  0B", "[ABCD] 1: 00", "[AB] [CDE] 1: 00 ",
            "09:44:27 02[CHD] <vpn|1>   32: 87 E7 FF C8                                      ....",
        }) {
            assertThat(KeyFiles.rowHex(line)).as(line).isEqualTo(byPattern(line));
        }
    }
}
