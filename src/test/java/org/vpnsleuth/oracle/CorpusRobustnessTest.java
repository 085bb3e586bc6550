package org.vpnsleuth.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.cli.Main;

/**
 * Every capture of the shared tcpdump corpus (the malformed ones included: *oobr*, *segfault*,
 * *overflow*, the pointer loop) and of captures/ goes through `dissect`, `dissect -v` and
 * `dissect --format json`, `analyze` and `analyze --format json`: no exception, exit code 0 (or 2 with a one-line error for input that
 * is not a capture at all), within a time limit per file, and every JSON line valid JSON.
 */
class CorpusRobustnessTest {
    static final Duration LIMIT = Duration.ofSeconds(20);

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

    static void check(Path file) {
        String f = file.toString();
        for (String[] args : List.of(new String[] {"dissect", f}, new String[] {"dissect", "-v", f},
                new String[] {"dissect", "--format", "json", f}, new String[] {"analyze", f},
                new String[] {"analyze", "--format", "json", f})) {
            String what = String.join(" ", args);
            Run r = assertTimeoutPreemptively(LIMIT, () -> run(args), what + " took longer than " + LIMIT);
            assertTrue(!r.err().contains("internal error") && !r.err().contains("Exception"),
                    what + ": an exception reached the command line:\n" + r.err());
            if (r.exit() == Main.UNREADABLE) {
                String[] lines = r.err().strip().split("\\R");
                assertEquals(1, lines.length, what + ": exit 2 must come with exactly one error line, got:\n" + r.err());
                assertTrue(lines[0].startsWith("vpnsleuth: "), what + ": error line: " + lines[0]);
                assertTrue(r.out().isEmpty(), what + ": exit 2 but frames were printed");
                continue;
            }
            assertEquals(Main.OK, r.exit(), what + ": exit code; stderr:\n" + r.err());
            if (args[0].equals("analyze") && args[1].equals("--format")) {
                try {
                    assertEquals('{', StrictJson.validate(r.out().strip()), what + ": not one JSON object");
                } catch (IllegalArgumentException e) {
                    fail(what + ": " + e.getMessage());
                }
            } else if (args[1].equals("--format")) {
                int n = 0;
                for (String line : r.out().split("\n")) {
                    n++;
                    if (line.isEmpty()) {
                        continue;
                    }
                    try {
                        char c = StrictJson.validate(line);
                        assertEquals('{', c, what + ": line " + n + " is not a JSON object");
                    } catch (IllegalArgumentException e) {
                        fail(what + ": line " + n + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicNode> everyCorpusFileIsDissectedCleanly() throws IOException {
        List<DynamicNode> nodes = new ArrayList<>();
        add(nodes, "corpus", TestCaptures.corpusDir());
        add(nodes, "captures", TestCaptures.capturesDir());
        return nodes.stream();
    }

    private static void add(List<DynamicNode> nodes, String label, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            nodes.add(DynamicTest.dynamicTest(label + " absent",
                    () -> Assumptions.abort("skipped: " + label + " absent (" + dir + ")")));
            return;
        }
        List<Path> files = TestCaptures.list(dir, ".pcap", ".pcapng", ".gz");
        if (files.isEmpty()) {
            nodes.add(DynamicTest.dynamicTest(label + " empty",
                    () -> Assumptions.abort("skipped: no capture files in " + dir)));
            return;
        }
        for (Path f : files) {
            nodes.add(DynamicTest.dynamicTest(label + "/" + f.getFileName(), f.toUri(), () -> check(f)));
        }
    }

    /** Files that are not captures at all end with exit code 2 and one error line. */
    @TestFactory
    Stream<DynamicNode> nonCapturesAreRejectedWithOneLine() throws IOException {
        List<DynamicNode> nodes = new ArrayList<>();
        Path dir = TestCaptures.corpusDir();
        if (!Files.isDirectory(dir)) {
            nodes.add(DynamicTest.dynamicTest("corpus absent",
                    () -> Assumptions.abort("skipped: corpus absent (" + dir + ")")));
            return nodes.stream();
        }
        // the corpus' text files (expected tcpdump output, secrets, licence) are not captures
        List<Path> texts = TestCaptures.list(dir, ".out", ".txt");
        for (Path f : texts.subList(0, Math.min(5, texts.size()))) {
            nodes.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                for (String[] args : List.of(new String[] {"dissect", f.toString()},
                        new String[] {"dissect", "--format", "json", f.toString()})) {
                    Run r = assertTimeoutPreemptively(LIMIT, () -> run(args));
                    assertEquals(Main.UNREADABLE, r.exit(), String.join(" ", args) + ": " + r.err());
                    String[] lines = r.err().strip().split("\\R");
                    assertEquals(1, lines.length, "one error line expected, got:\n" + r.err());
                    assertTrue(lines[0].startsWith("vpnsleuth: ") && lines[0].contains("not a capture file"), lines[0]);
                    assertTrue(r.out().isEmpty());
                }
            }));
        }
        return nodes.stream();
    }
}
