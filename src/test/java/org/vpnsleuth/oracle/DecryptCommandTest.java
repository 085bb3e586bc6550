package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;

/**
 * `vpnsleuth decrypt FILE -o OUT.pcapng`: tshark reads the output and sees the pings the capture
 * script sent (captures/README.md: ICMP echo between 10.1.0.1 and 10.2.0.1, 5 each way) where the
 * ESP packets were, each with a frame comment; the other frames and the timestamps are unchanged.
 */
class DecryptCommandTest {
    @TempDir
    Path tmp;

    @Test
    void espReplacedByThePingsTsharkCanRead() throws Exception {
        String tshark = DecryptionExportTest.tshark();
        Path in = TestCaptures.capturesDir().resolve("ikev2-psk-esp.pcapng");
        Path out = tmp.resolve("dec.pcapng");
        DecryptionExportTest.AnalyzeRun r = DecryptionExportTest.AnalyzeRun.of("decrypt", in.toString(), "--keys",
                TestCaptures.capturesDir().resolve("ikev2-psk-esp.initiator.log").toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("20 frames, 10 ESP packet(s) replaced");
        Process p = new ProcessBuilder(tshark, "-n", "-r", out.toString(), "-T", "fields", "-e", "frame.number", "-e", "ip.src",
                "-e", "ip.dst", "-e", "icmp.type", "-e", "frame.comment").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        List<String> rows = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor(60, TimeUnit.SECONDS);
        assertThat(rows).hasSize(20);
        List<String> icmp = rows.stream().filter(l -> l.split("\t", -1)[3].matches("0|8")).toList();
        assertThat(icmp).hasSize(10).allMatch(l -> l.contains("10.1.0.1\t10.2.0.1") || l.contains("10.2.0.1\t10.1.0.1"))
                .allMatch(l -> l.contains("vpnsleuth: ESP SPI 0x"));
        // the same times as the input, frame by frame
        List<Long> a = times(in);
        List<Long> b = times(out);
        assertThat(b).isEqualTo(a);
    }

    static List<Long> times(Path f) throws Exception {
        List<Long> t = new ArrayList<>();
        try (CaptureReader r = Captures.open(f.toString())) {
            Frame fr = new Frame();
            while (r.next(fr)) {
                t.add(fr.timestampNanos);
            }
        }
        return t;
    }
}
