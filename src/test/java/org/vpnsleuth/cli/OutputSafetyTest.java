package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.base.OutputFile;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;

/**
 * No user's file is destroyed by what vpnsleuth writes: `decrypt -o` onto its own input (the same
 * path, a symlink, a hard link, a {@code ../} spelling) or onto a --keys file is refused with exit
 * 2 and the input stays byte for byte what it was; a write that fails midway (the process's file
 * size limit, RLIMIT_FSIZE, making the kernel refuse the write) leaves no partial target and no
 * temporary file, and a target that existed is left as it was; an output replaced keeps its mode
 * and a symlink output stays a symlink; standard output and a FIFO get the same bytes as a file.
 */
class OutputSafetyTest {
    @TempDir
    Path tmp;

    static final Path CAPTURES = Path.of(System.getProperty("user.dir"), "captures");
    static final Path CAP = CAPTURES.resolve("l2tp-ipsec-transport.pcap");
    static final Path KEYS = CAPTURES.resolve("l2tp-ipsec.keys");

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            rc = Main.commandLine(o, e).execute(args);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    static long frames(Path f) throws Exception {
        long n = 0;
        try (CaptureReader r = Captures.open(f.toString())) {
            Frame fr = new Frame();
            while (r.next(fr)) {
                n++;
            }
        }
        return n;
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void decryptOntoItsInputIsRefusedAndTheInputUntouched() throws Exception {
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir.resolve("sub"));
        Path in = dir.resolve("cap.pcap");
        Files.copy(CAP, in);
        Path keys = dir.resolve("my.keys");
        Files.copy(KEYS, keys);
        Files.createSymbolicLink(dir.resolve("link.pcap"), in.getFileName());
        Files.createLink(dir.resolve("hard.pcap"), in);
        Files.createSymbolicLink(dir.resolve("link-to-hard.pcap"), dir.resolve("hard.pcap"));
        Files.setLastModifiedTime(in, FileTime.fromMillis(1_000_000_000_000L));
        Files.setLastModifiedTime(keys, FileTime.fromMillis(1_000_000_000_000L));
        String hash = sha256(in);
        String keysHash = sha256(keys);
        long frames = frames(in);
        assertThat(frames).isEqualTo(17); // captures/README.md: the l2tp-cdn exchange, each packet in ESP
        List<String> before = names(dir);
        record Case(String output, String how) {
        }
        for (Case c : List.of(new Case(in.toString(), "the same file"),
                new Case(dir.resolve("link.pcap").toString(), "through a symbolic link"),
                new Case(dir.resolve("hard.pcap").toString(), "a hard link of the same file"),
                new Case(dir.resolve("link-to-hard.pcap").toString(), "through a symbolic link"),
                new Case(dir.resolve("sub/../cap.pcap").toString(), "the same file"),
                new Case(dir.resolve("sub/../hard.pcap").toString(), "a hard link"))) {
            Run r = run("decrypt", dir.resolve("link.pcap").toString(), "--keys", keys.toString(), "-o", c.output());
            assertThat(r.exit()).as(c.output() + ": " + r.err()).isEqualTo(Main.UNREADABLE);
            assertThat(r.err()).as(c.output()).contains("refusing to write " + c.output(), c.how(), "(the capture)",
                    "nothing was written");
            assertThat(sha256(in)).as(c.output()).isEqualTo(hash);
            assertThat(Files.getLastModifiedTime(in).toMillis()).isEqualTo(1_000_000_000_000L);
            assertThat(names(dir)).as("no file added (no temporary file)").isEqualTo(before);
        }
        // the key file as the output, through ../
        Run r = run("decrypt", in.toString(), "--keys", keys.toString(), "-o", dir.resolve("sub/../my.keys").toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("(--keys)", "nothing was written");
        assertThat(sha256(keys)).isEqualTo(keysHash);
        assertThat(Files.getLastModifiedTime(keys).toMillis()).isEqualTo(1_000_000_000_000L);
        assertThat(frames(in)).isEqualTo(frames);
        // another name in the same directory is fine, and the input is still the same
        r = run("decrypt", in.toString(), "--keys", keys.toString(), "-o", dir.resolve("sub/out.pcapng").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(frames(dir.resolve("sub/out.pcapng"))).isEqualTo(frames);
        assertThat(sha256(in)).isEqualTo(hash);
    }

    @Test
    void analyzeReportOntoAnInputIsRefused() throws Exception {
        Path dir = tmp.resolve("a");
        Files.createDirectories(dir.resolve("sub"));
        Path in = dir.resolve("cap.pcap");
        Files.copy(CAP, in);
        Path keys = dir.resolve("my.keys");
        Files.copy(KEYS, keys);
        Files.createLink(dir.resolve("hard.pcap"), in);
        String hash = sha256(in);
        String keysHash = sha256(keys);
        List<String> before = names(dir);
        for (String format : List.of("text", "json", "html")) {
            for (String output : List.of(in.toString(), dir.resolve("hard.pcap").toString(), dir.resolve("sub/../cap.pcap").toString(),
                    keys.toString())) {
                Run r = run("analyze", "--format", format, in.toString(), "--keys", keys.toString(), "-o", output);
                assertThat(r.exit()).as(format + " " + output + ": " + r.err()).isEqualTo(Main.UNREADABLE);
                assertThat(r.err()).as(output).contains("refusing to write " + output, "nothing was written");
                assertThat(sha256(in)).isEqualTo(hash);
                assertThat(sha256(keys)).isEqualTo(keysHash);
                assertThat(names(dir)).as("no file added (no temporary file)").isEqualTo(before);
            }
        }
        // another file: written whole, the same report as on standard output
        Run r = run("analyze", "--format", "json", in.toString(), "-o", dir.resolve("sub/report.json").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("sub/report.json"))).isEqualTo(run("analyze", "--format", "json", in.toString()).out());
        assertThat(names(dir.resolve("sub"))).containsExactly("report.json");
    }

    @Test
    void decryptSaysWhereADamagedCaptureStopped() throws Exception {
        // ikev2-psk-esp.pcapng with the 11th Enhanced Packet Block's leading length made 8 bytes longer:
        // the block's trailing length no longer matches (pcapng spec §3.1), and the next block is read at the wrong place
        byte[] b = Files.readAllBytes(CAPTURES.resolve("ikev2-psk-esp.pcapng"));
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        int epb = 0;
        while (at + 8 <= b.length) {
            int type = bb.getInt(at);
            int len = bb.getInt(at + 4);
            if (type == 6 && ++epb == 11) {
                bb.putInt(at + 4, len + 8);
                break;
            }
            at += len;
        }
        assertThat(epb).isEqualTo(11);
        Path damaged = tmp.resolve("damaged.pcapng");
        Files.write(damaged, b);
        Run r = run("decrypt", damaged.toString(), "--keys", CAPTURES.resolve("ikev2-psk-esp.initiator.log").toString(), "-o",
                tmp.resolve("out.pcapng").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: " + damaged + ": frame 11: ");
        assertThat(frames(tmp.resolve("out.pcapng"))).isLessThan(20).isGreaterThanOrEqualTo(10);
    }

    /** The vpnsleuth command line in a JVM of its own, through bash with {@code ulimit -f BLOCKS} (1 KiB blocks) when given. */
    static Run process(Integer fileSizeLimitKib, Path stdout, String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.vpnsleuth.cli.Main"));
        java.addAll(List.of(args));
        List<String> cmd = new ArrayList<>();
        if (fileSizeLimitKib != null) {
            cmd.addAll(List.of("bash", "-c", "ulimit -f " + fileSizeLimitKib + " && exec \"$@\"", "vpnsleuth"));
        }
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path err = Files.createTempFile("vpnsleuth-err", ".txt");
        pb.redirectError(err.toFile());
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = stdout == null ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String e = Files.readString(err);
        Files.delete(err);
        return new Run(p.exitValue(), out, e);
    }

    static void needBash() {
        if (!Files.isExecutable(Path.of("/bin/bash"))) {
            Assumptions.abort("skipped: no /bin/bash for ulimit -f");
        }
    }

    /**
     * A write the kernel refuses midway (EFBIG past a 2 KiB file size limit; the decrypted capture is
     * about 3 KiB): exit 2 with the reason, no target (or the old one intact), no temporary file.
     */
    @Test
    void aFailedWriteLeavesNoPartialTarget() throws Exception {
        needBash();
        Path dir = tmp.resolve("w");
        Files.createDirectories(dir);
        Path fresh = dir.resolve("fresh.pcapng");
        Path old = dir.resolve("old.pcapng");
        Files.writeString(old, "the user's previous file\n");
        Run r = process(2, null, "decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", fresh.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("cannot write " + fresh, "File too large", fresh + " was not written");
        assertThat(fresh).doesNotExist();
        r = process(2, null, "decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", old.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("it is as it was");
        assertThat(Files.readString(old)).isEqualTo("the user's previous file\n");
        assertThat(names(dir)).containsExactly("old.pcapng");
        // the control: without the limit the same command writes the whole capture, larger than the limit
        r = process(null, null, "decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", fresh.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.size(fresh)).isGreaterThan(2048);
        assertThat(frames(fresh)).isEqualTo(17);
        // the SVG chart too
        Path svg = dir.resolve("chart.svg");
        r = process(2, null, "overhead", "--preset", "vti", "--svg", svg.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("cannot write " + svg, "File too large");
        assertThat(names(dir)).containsExactly("fresh.pcapng", "old.pcapng");
    }

    /** An output replaced keeps its mode; a symlink output stays a symlink, its target replaced. */
    @Test
    void replacingKeepsTheModeAndTheSymlink() throws Exception {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir.resolve("real"));
        Path out = dir.resolve("out.pcapng");
        Files.writeString(out, "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        Run r = run("decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(frames(out)).isEqualTo(17);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-r-----");
        Path target = dir.resolve("real/dec.pcapng");
        Files.writeString(target, "old");
        Path link = dir.resolve("link.pcapng");
        Files.createSymbolicLink(link, Path.of("real/dec.pcapng"));
        r = run("decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", link.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(frames(target)).isEqualTo(17);
        assertThat(names(dir.resolve("real"))).containsExactly("dec.pcapng");
        // a missing directory and a directory as the output: said plainly, exit 2
        r = run("decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", dir.resolve("no/such/out.pcapng").toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("the directory " + dir.resolve("no/such") + " does not exist");
        r = run("decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", dir.resolve("real").toString());
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains(dir.resolve("real") + ": is a directory");
    }

    /** `-o -`, `-o /dev/stdout` onto a pipe and a FIFO are streams: the bytes a regular file gets, no temporary file beside the FIFO. */
    @Test
    void standardOutputAndFifoAreStreams() throws Exception {
        Path dir = tmp.resolve("s");
        Files.createDirectories(dir);
        Path file = dir.resolve("file.pcapng");
        assertThat(run("decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", file.toString()).exit()).isZero();
        byte[] want = Files.readAllBytes(file);
        Path stdout = dir.resolve("stdout.bin");
        Run r = process(null, stdout, "decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", "-");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(stdout)).isEqualTo(want);
        assertThat(r.err()).contains("-: 17 frames, 17 ESP packet(s) replaced"); // said on standard error, not in the capture
        // /dev/stdout onto a pipe: a stream too, the summary on standard error
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.vpnsleuth.cli.Main", "decrypt",
                CAP.toString(), "--keys", KEYS.toString(), "-o", "/dev/stdout").redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] piped = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(piped).isEqualTo(want);
        Path svg = dir.resolve("chart.svg");
        assertThat(run("overhead", "--preset", "vti", "--svg", svg.toString()).exit()).isZero();
        r = process(null, stdout, "overhead", "--preset", "vti", "--svg", "-");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(stdout)).isEqualTo(Files.readAllBytes(svg));
        if (!Files.isExecutable(Path.of("/usr/bin/mkfifo"))) {
            Assumptions.abort("skipped: no mkfifo");
        }
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("/usr/bin/mkfifo", fifo.toString()).start().waitFor()).isZero();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        r = run("decrypt", CAP.toString(), "--keys", KEYS.toString(), "-o", fifo.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(read.get(60, TimeUnit.SECONDS)).isEqualTo(want);
        assertThat(Files.isRegularFile(fifo)).isFalse();
        assertThat(names(dir)).containsExactly("chart.svg", "fifo", "file.pcapng", "stdout.bin");
    }

    /** The utility itself: closed without commit, nothing is left; commit renames; secrets get 0600. */
    @Test
    void outputFileCommitsOrLeavesNothing() throws Exception {
        Path dir = tmp.resolve("u");
        Files.createDirectories(dir);
        Path f = dir.resolve("x");
        try (OutputFile o = OutputFile.open(f, false)) {
            o.stream().write("partial".getBytes(StandardCharsets.US_ASCII));
            assertThat(o.temp()).exists().hasParent(dir);
            assertThat(f).doesNotExist();
        }
        assertThat(names(dir)).isEmpty();
        try (OutputFile o = OutputFile.open(f, true)) {
            o.stream().write("secret".getBytes(StandardCharsets.US_ASCII));
            o.commit();
        }
        assertThat(Files.readString(f)).isEqualTo("secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(names(dir)).containsExactly("x");
    }
}
