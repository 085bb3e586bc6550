package org.vpnsleuth.overhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vpnsleuth.cli.Main;
import org.vpnsleuth.oracle.StrictJson;
import org.w3c.dom.Document;

/** `vpnsleuth overhead`: formats parse, usage errors are precise, values match the hand tables. */
class OverheadCommandTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void textForAPreset() {
        Result r = run("overhead", "--preset", "dmvpn", "--width", "0"); // unwrapped: phrases on one line
        assertEquals(0, r.code(), r.err());
        // hand values: OverheadModelTest.presets (dmvpn: 66..81, 1430, 1390/1370)
        assertTrue(r.out().contains("overhead    66..81 bytes"), r.out());
        assertTrue(r.out().contains("ip mtu      1430"), r.out());
        assertTrue(r.out().contains("adjust-mss  1390 (IPv4), 1370 (IPv6)"), r.out());
        assertTrue(r.out().contains("folklore    ip mtu 1416 / adjust-mss 1376"), r.out());
        assertTrue(r.out().contains("14 bytes under the computed value"), r.out());
    }

    @Test
    void aCaptureBeyondTheEncapsulationLimitIsSaidInEveryFormat() {
        // ikev2-esp-sizes: two ESP SPIs; tshark `-Y esp.spi==0x466fc618` counts 19 frames of the second one
        String cap = Path.of(System.getProperty("basedir", "."), "captures", "ikev2-esp-sizes.pcapng").toString();
        String said = "19 packet(s) of encapsulations (ESP SPIs, GRE keys, L2TP sessions) beyond the limit of 1 held at once";
        Result json = run("overhead", "-q", "--max-flows", "1", "--format", "json", cap);
        assertEquals(0, json.code(), json.err());
        StrictJson.validate(json.out());
        assertTrue(json.out().contains("\"warnings\":[") && json.out().contains(said), json.out());
        Result text = run("overhead", "-q", "--max-flows", "1", "--width", "0", cap);
        assertTrue(text.out().contains("warning: " + said), text.out());
        Result md = run("overhead", "-q", "--max-flows", "1", "--format", "markdown", cap);
        assertTrue(md.out().contains("- **warning**: " + said), md.out());
        Result csv = run("overhead", "-q", "--max-flows", "1", "--format", "csv", cap);
        assertTrue(csv.err().contains("vpnsleuth: warning: " + said), csv.err());
        // within the limit: nothing said
        Result all = run("overhead", "-q", "--format", "json", cap);
        assertTrue(all.out().endsWith("\"warnings\":[]}\n"), all.out());
    }

    @Test
    void folkloreTooLargeIsSaid() {
        Result r = run("overhead", "--preset", "dmvpn-pppoe");
        // dmvpn-pppoe: 64 + ceil16(n+10) <= 1500 -> 1424 -> 1414 (the folklore rows belong to the dmvpn preset)
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ip mtu      1414"), r.out());
        // the same with the dmvpn preset at MTU 1492: 56 + ceil16(1416 + 10) = 56 + 1440 = 1496 > 1492
        Result e = run("overhead", "--preset", "dmvpn", "--mtu", "1492", "--width", "0");
        assertTrue(e.out().contains("2 bytes too large: a 1416-byte inner packet makes a 1496-byte outer packet"), e.out());
    }

    @Test
    void json() {
        Result r = run("overhead", "--stack", "eth/ipv4/udp/esp:aes-gcm-16-256", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals('{', StrictJson.validate(r.out()));
        // 20 + 8 + 8 + 8 + ceil4(n+2) + 16 = 60 + ceil4(n+2): overhead 62..65, max 1438, MSS 1398/1378
        for (String s : List.of("\"overheadMin\":62", "\"overheadMax\":65", "\"maxInnerPacket\":1438", "\"mssIpv4\":1398",
                "\"mssIpv6\":1378", "\"pathMtu\":1500", "\"framingBytes\":14")) {
            assertTrue(r.out().contains(s), s + " in " + r.out());
        }
    }

    @Test
    void jsonWithFolkloreAndEveryPresetValid() {
        for (String p : Stack.presets()) {
            Result r = run("overhead", "--preset", p, "--format", "json");
            assertEquals(0, r.code(), p + r.err());
            StrictJson.validate(r.out());
        }
        Result r = run("overhead", "--preset", "pppoe", "--format", "json");
        assertTrue(r.out().contains("\"folklore\":[{\"ipMtu\":1492,\"mss\":1452"), r.out());
        assertTrue(r.out().contains("\"margin\":0,\"mssMargin\":0,\"fits\":true"), r.out());
    }

    @Test
    void csv() {
        Result r = run("overhead", "--preset", "vti", "--format", "csv", "--sizes", "14,15,1438");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("inner,outer,overhead,efficiency,frame", lines.get(0));
        // vti: outer = 56 + ceil16(n+2): 14 -> 72 (58), 15 -> 88 (73), 1438 -> 1496
        assertEquals("14,72,58,0.1944,86", lines.get(1));
        assertEquals("15,88,73,0.1705,102", lines.get(2));
        assertEquals("1438,1496,58,0.9612,1510", lines.get(3));
        assertEquals(4, lines.size());
        for (String l : lines) {
            assertEquals(5, l.split(",", -1).length, l);
        }
    }

    @Test
    void step() {
        Result r = run("overhead", "--preset", "pptp", "--format", "csv", "--step", "500");
        // pptp: 44 bytes, max 1456: rows 500, 1000, 1456
        assertEquals(List.of("inner,outer,overhead,efficiency,frame", "500,544,44,0.9191,558", "1000,1044,44,0.9579,1058",
                "1456,1500,44,0.9707,1514"), r.out().lines().toList());
    }

    @Test
    void markdown() {
        Result r = run("overhead", "--preset", "l2tpv3", "--format", "markdown");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| ip mtu | 1458 |"), r.out());
        assertTrue(r.out().contains("| inner | outer | overhead | efficiency | frame |"), r.out());
    }

    @Test
    void svgIsWellFormedXml(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("chart.svg");
        Result r = run("overhead", "--preset", "gre-ipsec", "--svg", svg.toString());
        assertEquals(0, r.code(), r.err());
        byte[] bytes = Files.readAllBytes(svg);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        assertEquals(2, d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength());
        // one point per byte from 1 to the largest packet (1434)
        String points = ((org.w3c.dom.Element) d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").item(0)).getAttribute("points");
        assertEquals(1434, points.split(" ").length);
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("ip mtu 1434"));
    }

    @Test
    void presetList() {
        Result r = run("overhead", "--preset", "list");
        assertEquals(0, r.code());
        for (String p : Stack.presets()) {
            assertTrue(r.out().contains(p + " "), p);
        }
        assertTrue(r.out().contains("eth/pppoe/ipv4/esp:aes-cbc-256,sha1/gre:key"), r.out());
        assertTrue(r.out().contains("folklore: ip mtu 1492 / adjust-mss 1452"), r.out());
    }

    @Test
    void espReplacement() {
        Result r = run("overhead", "--preset", "vti", "--esp", "aes-gcm-16-256", "--format", "json");
        // 20 + 8 + 8 + ceil4(n+2) + 16 = 52 + ceil4(n+2) <= 1500 -> 1448 -> n = 1446
        assertTrue(r.out().contains("\"maxInnerPacket\":1446"), r.out());
        assertTrue(r.out().contains("eth/ipv4/esp:aes-gcm-16-256"), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "--stack ipv4/udp;                       ends with 'udp'",
        "--stack ipv4/gre:kye;                   gre has no parameter 'kye'",
        "--preset dmvnp;                          unknown preset 'dmvnp' (presets: gre-ipsec",
        "--preset vti --stack ipv4;              either --stack SPEC or --preset NAME",
        "--mtu 1500;                             either --stack SPEC or --preset NAME",
        "--preset vti --mtu 0;                   not an MTU",
        "--preset pptp --esp aes-gcm-16-256;     has no esp layer",
        "--preset vti --esp aes-gcm-16-256,sha1; combined mode",
        "--preset vti --step 0;                  at least 1",
        "--preset vti --format xml;              Invalid value for option '--format'",
        "captures/tunnel-sizes.pcap --esp foo;   --esp foo: unknown ESP cipher 'foo'",
        "captures/tunnel-sizes.pcap --esp aes-gcm-16-256,sha1; combined mode",
        "captures/tunnel-sizes.pcap --mtu 0;     --mtu 0 is not an MTU",
        "captures/tunnel-sizes.pcap --mtu 70000; --mtu 70000 is not an MTU",
        "captures/tunnel-sizes.pcap --preset vti; with FILE the stack comes from the capture",
    })
    void usageErrors(String args, String message) {
        String[] a = ("overhead " + args.trim()).split(" ");
        Result r = run(a);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(message.trim()), r.err());
    }

    @Test
    void nothingFits() {
        Result r = run("overhead", "--preset", "dmvpn", "--mtu", "60");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no inner packet fits a path MTU of 60"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--stack", "--preset"})
    void completionCandidates(String option) {
        Result r = run("overhead", "--help");
        assertTrue(r.out().contains(option), r.out());
        assertTrue(r.out().contains("vxlan") && r.out().contains("dmvpn-pppoe"), r.out());
    }
}
