package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class VendorIdsTest {

    private static byte[] hex(String s) {
        return VendorIds.parseHex(s, 0);
    }

    private static String describe(String h) {
        return VendorIds.describe(hex(h));
    }

    @Test
    void tableLoadsWithoutDuplicates() {
        List<VendorIds.Entry> entries = VendorIds.entries();
        assertThat(entries).hasSizeGreaterThan(50);
        Set<String> seen = new HashSet<>();
        for (VendorIds.Entry e : entries) {
            assertThat(seen.add(e.hex())).as("duplicate %s", e.hex()).isTrue();
            assertThat(e.hex()).matches("[0-9a-f]+");
            assertThat(e.name()).isNotBlank();
            // An exact entry must describe itself with its own name.
            assertThat(VendorIds.describe(e.bytes())).startsWith(e.name());
        }
    }

    // Expected names below are tshark 4.0's dissection of the project captures and the shared corpus.
    @Test
    void knownLookups() {
        assertThat(describe("4a131c81070358455c5728f20e95452f")).isEqualTo("RFC 3947 Negotiation of NAT-Traversal in the IKE");
        assertThat(describe("afcad71368a1f1c96b8696fc77570100")).isEqualTo("RFC 3706 DPD (Dead Peer Detection)");
        assertThat(describe("09002689dfd6b712")).isEqualTo("XAUTH");
        assertThat(describe("4485152d18b6bbcd0be8a8469579ddcc")).isEqualTo("draft-ietf-ipsec-nat-t-ike-00");
        assertThat(describe("cd60464335df21f87cfdb2fc68b6a448")).isEqualTo("draft-ietf-ipsec-nat-t-ike-02");
        assertThat(describe("90cb80913ebb696e086381b5ec427b1f")).isEqualTo("draft-ietf-ipsec-nat-t-ike-02\\n");
        assertThat(describe("7d9419a65310ca6f2c179d9215529d56")).isEqualTo("draft-ietf-ipsec-nat-t-ike-03");
        assertThat(describe("439b59f8ba676c4c7737ae22eab8f582")).isEqualTo("draft-ietf-ipsec-nat-t-ike-07");
        assertThat(describe("12f5f28c457168a9702d9fe274cc0100")).startsWith("CISCO-UNITY");
        assertThat(describe("4048b7d56ebce88525e7de7f00d6c2d380000000"))
                .contains("Cisco Fragmentation").endsWith("[0x80000000]");
        assertThat(describe("4048b7d56ebce88525e7de7f00d6c2d3")).contains("Fragmentation");
        assertThat(describe("882fe56d6fd20dbc2251613b2ebe5beb")).isEqualTo("strongSwan");
        assertThat(describe("1e2b516905991c7d7c96fcbfb587e46100000002")).isEqualTo("MS NT5 ISAKMPOAKLEY (Windows 2000)");
        assertThat(describe("1e2b516905991c7d7c96fcbfb587e46100000005")).isEqualTo("MS NT5 ISAKMPOAKLEY (Windows Vista)");
        assertThat(describe("1e2b516905991c7d7c96fcbfb587e46100000009")).isEqualTo("MS NT5 ISAKMPOAKLEY [0x00000009]");
        assertThat(describe("4865617274426561745f4e6f74696679386b0100")).startsWith("Heartbeat Notify");
        assertThat(describe("f4ed19e0c114eb516faaac0ee37daf2807b4381f0000000100000fa2")).contains("Check Point");
        assertThat(describe("e3a5966a76379fe707228231e5ce8652")).isEqualTo("IKE CGA Version 1");
        assertThat(describe("fb1de3cdf341b7ea16b7e5be0855f120")).isEqualTo("MS-Negotiation Discovery Capable");
        // Printable suffix of a prefix entry is shown as text.
        assertThat(describe("56494120417574682050726f66696c65203a20" + "6d7970726f66")).endsWith(" myprof");
        // Unknown ones (tshark: "Unknown Vendor ID"), and slices of a larger buffer.
        assertThat(describe("3ac5957214a85b93db6a509869fdb330")).isNull();
        byte[] buf = hex("ffff09002689dfd6b712ffff");
        assertThat(VendorIds.describe(buf, 2, 8)).isEqualTo("XAUTH");
        assertThat(VendorIds.describe(buf, 2, 7)).isNull();
        assertThat(VendorIds.describe(buf, 10, 5)).isNull();
    }

    /** Differential check: every vendor ID tshark names in the captures gets a matching name. */
    @Test
    void agreesWithTsharkOnCaptures() throws Exception {
        assumeTrue(haveTshark(), "tshark not installed");
        List<Path> files = new ArrayList<>();
        addCaptures(Path.of("captures"), "", files);
        addCaptures(Path.of("..", "shared", "corpus", "tcpdump"), "", files);
        assumeTrue(!files.isEmpty(), "no captures");
        int checked = 0;
        // one tshark run over all the captures put end to end (mergecap -a), not one per capture;
        // each file alone when mergecap cannot put them together
        Path merged = Files.createTempFile("vendor-ids", ".pcapng");
        try {
            List<String> cmd = new ArrayList<>(List.of("mergecap", "-a", "-F", "pcapng", "-w", merged.toString()));
            files.forEach(f -> cmd.add(f.toString()));
            List<Path> runs = run(cmd) ? List.of(merged) : files;
            for (Path f : runs) {
                for (String[] vid : tsharkVids(f)) {
                    String ours = VendorIds.describe(hex(vid[0]));
                    if (vid[1].equals("Unknown Vendor ID")) {
                        continue;
                    }
                    assertThat(ours).as("%s in %s frame %s (tshark: %s)", vid[0], f, vid[2], vid[1]).isNotNull();
                    assertThat(ours.toLowerCase()).as("%s in %s frame %s", vid[0], f, vid[2]).contains(vid[1].toLowerCase());
                    checked++;
                }
            }
        } finally {
            Files.deleteIfExists(merged);
        }
        assertThat(checked).isPositive();
    }

    private static void addCaptures(Path dir, String unused, List<Path> out) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".pcap") || n.endsWith(".pcapng");
            }).sorted().forEach(out::add);
        }
    }

    private static boolean run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static boolean haveTshark() {
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** (vid hex, tshark name, frame number) for every VID payload in the file. */
    private static List<String[]> tsharkVids(Path f) throws Exception {
        Process p = new ProcessBuilder("tshark", "-n", "-r", f.toString(), "-Y", "isakmp.vid_bytes",
                "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-e", "isakmp.vid_bytes", "-e", "isakmp.vid_string", "-e", "frame.number")
                .redirectError(new File("/dev/null")).start();
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] cols = line.split("\t", -1);
                if (cols.length < 3 || cols[0].isEmpty()) {
                    continue;
                }
                String[] bytes = cols[0].split("\\|");
                String[] names = cols[1].split("\\|");
                if (bytes.length != names.length) {
                    continue;
                }
                for (int i = 0; i < bytes.length; i++) {
                    out.add(new String[] {bytes[i].replace(":", ""), names[i], cols[2]});
                }
            }
        }
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }
}
