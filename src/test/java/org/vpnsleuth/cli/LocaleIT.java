package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Output under any locale (issue 15), from the built jar in a subprocess (runs after `package`):
 * JSON is the same UTF-8 bytes under LC_ALL=C and LC_ALL=C.UTF-8; text shows ⇄ and → under UTF-8
 * and ASCII arrows where the charset cannot show them, never '?'.
 */
class LocaleIT {
    static Path jar() throws Exception {
        try (var s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("vpnsleuth-.*-all\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/vpnsleuth-*-all.jar: run after mvn package"));
        }
    }

    private static byte[] run(String locale, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LC_ALL", locale);
        env.put("LANG", locale);
        return CliRun.exec(cmd, env, null, true);
    }

    @Test
    void jsonIsTheSameUtf8BytesUnderCAndCUtf8() throws Exception {
        String cap = CliRun.capture("fail-ikev1-psk.pcapng");
        for (String[] args : new String[][] {{"analyze", "--format", "json", cap}, {"dissect", "--format", "json", "-v", cap},
            {"overhead", "--format", "json", CliRun.capture("ikev2-esp-pmtu.pcapng")}}) {
            byte[] c = run("C", args);
            byte[] utf8 = run("C.UTF-8", args);
            assertThat(c).as(String.join(" ", args)).isEqualTo(utf8);
            assertThat(new String(c, StandardCharsets.US_ASCII)).doesNotContain("\"I?R\"");
            // valid UTF-8
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(c));
        }
        assertThat(new String(run("C", "analyze", "--format", "json", cap), StandardCharsets.UTF_8)).contains("\"I→R\"");
    }

    @Test
    void textFallsBackToAsciiArrowsWhenTheCharsetCannotShowThem() throws Exception {
        String cap = CliRun.capture("fail-ikev1-psk.pcapng");
        byte[] c = run("C", "analyze", cap);
        for (byte b : c) {
            assertThat(b & 0xff).as("ASCII only under LC_ALL=C").isLessThan(0x80);
        }
        String ascii = new String(c, StandardCharsets.US_ASCII);
        assertThat(ascii.lines().findFirst().orElseThrow()).isEqualTo("IKEv1 192.0.2.1 <-> 192.0.2.2: FAILED at MM5 -- PSK_MISMATCH (high)");
        assertThat(ascii).contains("I->R").doesNotContain(" ? ");
        String utf8 = new String(run("C.UTF-8", "analyze", cap), StandardCharsets.UTF_8);
        assertThat(utf8.lines().findFirst().orElseThrow()).isEqualTo("IKEv1 192.0.2.1 ⇄ 192.0.2.2: FAILED at MM5 — PSK_MISMATCH (high)");
        assertThat(new String(run("C", "overhead", "--stack", "eth/ipv4/udp/esp:aes-gcm-16-256"), StandardCharsets.US_ASCII)).doesNotContain("?");
    }

    @Test
    void theCharsetTestSeesWhatTheLocaleSays() {
        assertThat(Stdout.canShowReports(StandardCharsets.UTF_8)).isTrue();
        assertThat(Stdout.canShowReports(StandardCharsets.US_ASCII)).isFalse();
        assertThat(Stdout.canShowReports(StandardCharsets.ISO_8859_1)).isFalse();
        assertThat(Stdout.ascii("a ⇄ b → c — d – e")).isEqualTo("a <-> b -> c -- d - e");
    }
}
