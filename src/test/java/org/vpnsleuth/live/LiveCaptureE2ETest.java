package org.vpnsleuth.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.oracle.StrictJson;

/**
 * `vpnsleuth live` for real: two network namespaces joined by a veth pair, the live command (a
 * subprocess on this test's classpath) capturing on one end, a real capture replayed onto the other
 * end by tcpreplay (libpcap injection), and the events, the final verdict and the saved pcapng
 * checked. Needs root, `ip netns`, tcpreplay and tshark: skipped with the reason otherwise, and
 * failed instead under CI=true (.ci/run installs them).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveCaptureE2ETest {
    static final Path CAPTURES = Path.of("captures").toAbsolutePath();
    static final String NS_LIVE = "vsl" + ProcessHandle.current().pid() + "a";
    static final String NS_PEER = "vsl" + ProcessHandle.current().pid() + "b";
    static boolean up;

    @TempDir
    Path tmp;

    static void need(boolean ok, String why) {
        if (!ok) {
            if ("true".equals(System.getenv("CI"))) {
                fail("live end-to-end test cannot run under CI: " + why);
            }
            Assumptions.assumeTrue(false, "live end-to-end test skipped: " + why);
        }
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(long timeoutSeconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread a = pump(p.getInputStream(), out);
        Thread b = pump(p.getErrorStream(), err);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        a.join();
        b.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    static void sh(String... cmd) throws Exception {
        Result r = run(20, cmd);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + r.exit() + ": " + r.err());
        }
    }

    @BeforeAll
    static void namespaces() throws Exception {
        need("root".equals(System.getProperty("user.name")), "not root (network namespaces and libpcap capture need root)");
        need(onPath("ip"), "the ip command (iproute2) is missing");
        need(onPath("tcpreplay"), "tcpreplay is missing (apt-get install tcpreplay)");
        need(onPath("tshark"), "tshark is missing (apt-get install tshark)");
        Result add = run(20, "ip", "netns", "add", NS_LIVE);
        need(add.exit() == 0, "ip netns add failed: " + add.err().trim());
        up = true;
        sh("ip", "netns", "add", NS_PEER);
        sh("ip", "-n", NS_LIVE, "link", "add", "vlive", "type", "veth", "peer", "name", "vpeer", "netns", NS_PEER);
        for (String[] ns : new String[][] {{NS_LIVE, "vlive"}, {NS_PEER, "vpeer"}}) {
            // no IPv6 chatter (router solicitations, MLD) on the wire: the frame counts stay exact
            sh("ip", "netns", "exec", ns[0], "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            sh("ip", "netns", "exec", ns[0], "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            sh("ip", "-n", ns[0], "link", "set", ns[1], "up");
        }
    }

    @AfterAll
    static void teardown() throws Exception {
        if (up) {
            run(20, "ip", "netns", "del", NS_LIVE);
            run(20, "ip", "netns", "del", NS_PEER);
        }
    }

    /** The live command in the capturing namespace, on this JVM's classpath. */
    static List<String> live(String... args) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", NS_LIVE,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "org.vpnsleuth.cli.Main", "live", "-i", "vlive"));
        c.addAll(List.of(args));
        return c;
    }

    /** A live process whose standard output and error go to files (read them with {@link #read}). */
    record Live(Process process, Path out, Path err) {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }
    }

    /** Starts {@code cmd}, waits for "listening on", replays {@code capture} onto the peer end. */
    static Live startAndReplay(List<String> cmd, String capture, Path dir, double multiplier) throws Exception {
        Path out = dir.resolve("live.out");
        Path err = dir.resolve("live.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Live l = new Live(p, out, err);
        long until = System.nanoTime() + 30_000_000_000L;
        while (!l.stderr().contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > until) {
                p.destroyForcibly();
                fail("vpnsleuth live did not start: " + l.stderr());
            }
            Thread.sleep(50);
        }
        Result r = run(60, "ip", "netns", "exec", NS_PEER, "tcpreplay", "-q", "-i", "vpeer", "--multiplier=" + multiplier,
                CAPTURES.resolve(capture).toString());
        assertThat(r.exit()).as("tcpreplay: " + r.err()).isZero();
        return l;
    }

    static List<String> tsharkFrames(Path f) throws Exception {
        Result r = run(60, "tshark", "-r", f.toString(), "-T", "fields", "-e", "frame.number", "-e", "frame.len");
        assertThat(r.exit()).as("tshark: " + r.err()).isZero();
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void ikev1PskMismatchReplayedOntoAVeth() throws Exception {
        Path saved = tmp.resolve("live.pcapng");
        // 12 of the capture's 16 frames pass the default filter (the 4 ARP frames do not)
        Live lv = startAndReplay(live("--format", "json", "--count", "12", "--duration", "60", "--write", saved.toString()),
                "fail-ikev1-psk.pcapng", tmp, 5);
        assertThat(lv.process().waitFor(60, TimeUnit.SECONDS)).as("live stops after --count 12").isTrue();
        assertThat(lv.process().exitValue()).as(lv.stderr()).isZero();
        List<String> lines = lv.stdout().lines().toList();
        for (String l : lines) {
            StrictJson.validate(l); // every line is one JSON document
        }
        List<String> events = lines.subList(0, lines.size() - 1);
        assertThat(events.get(0)).startsWith("{\"event\":\"capture-started\"");
        assertThat(events).filteredOn(l -> l.startsWith("{\"event\":\"ike-sa-new\"")).hasSize(1)
                .allMatch(l -> l.contains("\"spiI\":\"7aae93b1fa9cd9ea\""));
        for (String mm : List.of("MM1", "MM2", "MM3", "MM4", "MM5")) {
            assertThat(events).anyMatch(l -> l.startsWith("{\"event\":\"exchange\"") && l.contains("\"message\":\"" + mm + "\""));
        }
        assertThat(events).filteredOn(l -> l.startsWith("{\"event\":\"retransmission\"")).hasSize(3);
        List<String> verdicts = events.stream().filter(l -> l.startsWith("{\"event\":\"verdict\"")).toList();
        assertThat(verdicts).hasSize(1);
        assertThat(verdicts.get(0)).contains("\"verdict\":\"FAILED\"", "\"stoppedAt\":\"MM5\"", "\"cause\":\"PSK_MISMATCH\"");
        String stopped = events.get(events.size() - 1);
        assertThat(stopped).startsWith("{\"event\":\"capture-stopped\"").contains("\"stoppedBy\":\"count\"", "\"packets\":12",
                "\"dropped\":0", "\"written\":12");
        // the last line is the report analyze gives
        String report = lines.get(lines.size() - 1);
        assertThat(report).doesNotStartWith("{\"event\"").contains("\"PSK_MISMATCH\"");
        // the saved capture: tshark reads it, with the 12 frames of the original that pass the filter, same lengths
        List<String> got = tsharkFrames(saved);
        assertThat(got).hasSize(12);
        Path filtered = tmp.resolve("original-filtered.pcapng");
        sh("tshark", "-r", CAPTURES.resolve("fail-ikev1-psk.pcapng").toString(), "-Y", "!arp", "-w", filtered.toString());
        assertThat(got.stream().map(l -> l.split("\t")[1]).toList())
                .isEqualTo(tsharkFrames(filtered).stream().map(l -> l.split("\t")[1]).toList());
    }

    @Test
    void sigtermGivesTheReportAndKeysDecryptLive() throws Exception {
        Path rotated = tmp.resolve("rot.pcapng");
        Live l = startAndReplay(live("--duration", "60", "--keys", CAPTURES.resolve("ikev2-psk-esp.initiator.log").toString(),
                "--write", rotated.toString(), "--rotate-size", "1"), "ikev2-psk-esp.pcapng", tmp, 10);
        Thread.sleep(1000); // let the last replayed frames be read
        l.process().destroy(); // SIGTERM: the shutdown hook lets the capture thread print the report
        assertThat(l.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        String o = l.stdout();
        assertThat(l.process().exitValue()).as(o + l.stderr()).isEqualTo(143);
        assertThat(o).contains(" ike-sa-new ").contains(" verdict ").contains("ESTABLISHED").contains(" child-sa-up ")
                .contains(" esp-flow-started ").contains(" delete ");
        assertThat(o).contains("capture-stopped  stopped by signal");
        // the report, with the decryption counts analyze gives with the same keys
        assertThat(o).contains("vlive: ").contains("IKEv2 192.0.2.1 ⇄ 192.0.2.2: ESTABLISHED").contains("decryption: ");
        assertThat(tsharkFrames(rotated)).isNotEmpty();
    }

    static long jsonNumber(String line, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(line);
        assertThat(m.find()).as(field + " in " + line).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void captureStoppedGivesLibpcapsCountersAndTheAnalysisDrops() throws Exception {
        Path saved = tmp.resolve("all.pcapng");
        Path out = tmp.resolve("counts.out");
        Path err = tmp.resolve("counts.err");
        // a filter that keeps every frame, so that tcpreplay's count is what libpcap must receive
        Process p = new ProcessBuilder(live("--format", "json", "--filter", "ip or not ip", "--duration", "60", "--write",
                saved.toString())).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long until = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(err).contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > until) {
                p.destroyForcibly();
                fail("vpnsleuth live did not start: " + Files.readString(err));
            }
            Thread.sleep(50);
        }
        Result r = run(60, "ip", "netns", "exec", NS_PEER, "tcpreplay", "-i", "vpeer", "--pps=20000", "--loop=1000", "-K",
                CAPTURES.resolve("ikev2-psk-esp.pcapng").toString());
        assertThat(r.exit()).as("tcpreplay: " + r.err()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Actual: (\\d+) packets").matcher(r.out() + r.err());
        assertThat(m.find()).as("tcpreplay's summary: " + r.out()).isTrue();
        long sent = Long.parseLong(m.group(1));
        assertThat(sent).isEqualTo(20_000);
        Thread.sleep(1500); // let the last frames be read
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readString(out, StandardCharsets.UTF_8).lines().toList();
        String stopped = lines.stream().filter(l -> l.startsWith("{\"event\":\"capture-stopped\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no capture-stopped event: " + lines));
        StrictJson.validate(stopped);
        long received = jsonNumber(stopped, "received");
        long dropped = jsonNumber(stopped, "dropped");
        long droppedInternal = jsonNumber(stopped, "droppedInternal");
        long analysed = jsonNumber(stopped, "packets");
        long written = tsharkFrames(saved).size();
        assertThat(received).as("libpcap received what tcpreplay sent").isEqualTo(sent);
        assertThat(written).as("the saved file has every frame libpcap delivered").isEqualTo(received - dropped);
        assertThat(analysed + droppedInternal).as("analysed + droppedInternal = frames libpcap delivered").isEqualTo(written);
        assertThat(dropped).isGreaterThanOrEqualTo(0);
        assertThat(droppedInternal).isGreaterThanOrEqualTo(0);
    }

    @Test
    void unknownInterfaceListsTheInterfaces() throws Exception {
        List<String> cmd = new ArrayList<>(live("--count", "1"));
        cmd.set(cmd.indexOf("vlive"), "no-such-if0");
        Result r = run(60, cmd.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no interface named 'no-such-if0'").contains("interfaces:").contains("vlive");
    }

    @Test
    void withoutPermissionSaysRootOrCapNetRaw() throws Exception {
        need(onPath("setpriv"), "setpriv (util-linux) is missing");
        // a copy of the classpath that the unprivileged user can read
        Path cp = Files.createDirectories(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String n = Path.of(e).getFileName().toString();
            if (e.endsWith("classes") && !e.endsWith("test-classes") || n.matches("(pcap4j|jna|slf4j|picocli|bc).*\\.jar")) {
                Path to = cp.resolve(entries.size() + "-" + n);
                if (Files.isDirectory(Path.of(e))) {
                    sh("cp", "-r", e, to.toString());
                } else {
                    Files.copy(Path.of(e), to);
                }
                entries.add(to.toString());
            }
        }
        sh("chmod", "-R", "a+rX", tmp.toString());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = run(60, "ip", "netns", "exec", NS_LIVE, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", String.join(":", entries), "org.vpnsleuth.cli.Main", "live", "-i", "vlive", "--count", "1");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("no permission to capture on vlive").contains("root").contains("CAP_NET_RAW");
    }
}
