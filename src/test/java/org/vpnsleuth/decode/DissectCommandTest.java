package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.decode.FrameBuilder.cat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.cli.Main;
import org.vpnsleuth.oracle.StrictJson;

/** `vpnsleuth dissect` end to end: exit codes, the three output forms, warnings. */
class DissectCommandTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    // ---------------------------------------------------------------- a small capture

    private static byte[] ipv4Udp(int sport, int dport, byte[] payload) {
        int udpLen = 8 + payload.length;
        return ByteBuffer.allocate(20 + udpLen).put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLen))
                .putShort((short) 1).putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {(byte) 192, (byte) 168, 1, 10}).put(new byte[] {(byte) 203, 0, 113, 5})
                .putShort((short) sport).putShort((short) dport).putShort((short) udpLen).putShort((short) 0).put(payload)
                .array();
    }

    private static byte[] eth(byte[] ip) {
        return cat(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0}, ip);
    }

    private static byte[] ike() {
        return ByteBuffer.allocate(28).putLong(0x1111222233334444L).putLong(0).put((byte) 33).put((byte) 0x20)
                .put((byte) 34).put((byte) 0x08).putInt(0).putInt(28).array();
    }

    private static byte[] esp() {
        return cat(ByteBuffer.allocate(8).putInt(0xcafe0001).putInt(3).array(), new byte[32]);
    }

    private static byte[] pcap(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1).array());
        int t = 0;
        for (byte[] f : frames) {
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1_700_000_000 + t++).putInt(250)
                    .putInt(f.length).putInt(f.length).array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private Path sample() throws Exception {
        Path p = dir.resolve("sample.pcap");
        Files.write(p, pcap(List.of(eth(ipv4Udp(500, 500, ike())), eth(ipv4Udp(4500, 4500, esp())),
                eth(ipv4Udp(7777, 1000, esp())))));
        return p;
    }

    // ================================================================= exit codes

    @Test
    void goodFileExitsZeroWithOneLinePerFrame() throws Exception {
        Result r = run("dissect", sample().toString());
        assertThat(r.code).isEqualTo(0);
        assertThat(r.outLines()).hasSize(3);
        assertThat(r.outLines().get(0)).startsWith("1 ").contains("192.168.1.10.500 > 203.0.113.5.500").contains("isakmp");
        assertThat(r.outLines().get(1)).startsWith("2 ").contains("esp").contains("0xcafe0001");
        assertThat(r.outLines().get(2)).doesNotContain("esp");
        assertThat(r.err).isEmpty();
    }

    @Test
    void espUdpPortOption() throws Exception {
        Result r = run("dissect", "--esp-udp-port", "7777", sample().toString());
        assertThat(r.code).isEqualTo(0);
        assertThat(r.outLines().get(2)).contains("esp");
        Result bad = run("dissect", "--esp-udp-port", "70000", sample().toString());
        assertThat(bad.code).isEqualTo(1);
        assertThat(bad.err).contains("70000");
    }

    @Test
    void notACaptureFileExitsTwoWithOneLine() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "just some text\nand more\n");
        Result r = run("dissect", text.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err.strip().split("\n")).hasSize(1);
        assertThat(r.err).contains("notes.txt").contains("not a capture file").doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void missingFileExitsTwo() {
        Result r = run("dissect", dir.resolve("nope.pcap").toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err.strip().split("\n")).hasSize(1);
        assertThat(r.err).contains("nope.pcap").contains("no such file").doesNotContain("\tat ");
    }

    @Test
    void emptyFileExitsTwo() throws Exception {
        Path e = dir.resolve("empty.pcap");
        Files.write(e, new byte[0]);
        Result r = run("dissect", e.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("empty");
    }

    @Test
    void badOptionExitsOne() throws Exception {
        Result r = run("dissect", "--no-such-option", sample().toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("--no-such-option").doesNotContain("\tat ");
        assertThat(run("dissect").code).isEqualTo(1);
        assertThat(run("dissect", "--format", "xml", sample().toString()).code).isEqualTo(1);
    }

    @Test
    void goodAndBadFilesTogetherExitTwoButPrintTheGoodOne() throws Exception {
        Result r = run("dissect", sample().toString(), dir.resolve("nope.pcap").toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.outLines()).hasSize(3);
    }

    // ================================================================= output forms

    @Test
    void verboseTreeHasFieldNames() throws Exception {
        Result r = run("dissect", "-v", sample().toString());
        assertThat(r.code).isEqualTo(0);
        assertThat(r.out).contains("srcPort").contains("dstPort").contains("spi").contains("seq").contains("ttl")
                .contains("src").contains("exchangeType").contains("majorVersion");
    }

    @Test
    void jsonLinesAreValidJson() throws Exception {
        Result r = run("dissect", "--format", "json", sample().toString());
        assertThat(r.code).isEqualTo(0);
        List<String> lines = r.outLines();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertThat(line).startsWith("{\"frame\":");
            StrictJson.validate(line);
            assertThat(line).contains("\"frame\":" + (i + 1));
        }
        assertThat(lines.get(1)).contains("\"layer\":\"esp\"").contains("\"spi\":" + 0xcafe0001L);
    }

    @Test
    void truncatedFileWarnsAndExitsZero() throws Exception {
        byte[] whole = Files.readAllBytes(sample());
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 10));
        Result r = run("dissect", cut.toString());
        assertThat(r.code).isEqualTo(0);
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.err).contains("warning: " + cut + ": frame 3:");
    }

    @Test
    void standardInput() throws Exception {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(sample())));
            Result r = run("dissect", "--format", "json", "-");
            assertThat(r.code).isEqualTo(0);
            assertThat(r.outLines()).hasSize(3);
            assertThat(r.out).contains("\"source\":\"-\"");
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void countOption() throws Exception {
        Result r = run("dissect", "-c", "1", sample().toString());
        assertThat(r.outLines()).hasSize(1);
    }

    @Test
    void miniJsonRejectsBrokenJson() {
        for (String bad : new String[] {"{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":\"x\ny\"}", "{} x", "{'a':1}"}) {
            try {
                StrictJson.validate(bad);
                throw new IllegalStateException("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
        StrictJson.validate("{\"a\":[1,-2.5e3,true,null,{\"b\":\"\\u00e9\"}]}");
        assertThat(StandardCharsets.UTF_8).isNotNull();
    }
}
