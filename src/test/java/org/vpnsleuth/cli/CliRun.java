package org.vpnsleuth.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Running the command line in this JVM (Main.commandLine) or the built jar in a subprocess; the shipped captures and their expected verdicts. */
final class CliRun {
    record Run(int exit, String out, String err) {
    }

    private CliRun() {
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

    static Path captures() {
        return Path.of("captures").toAbsolutePath();
    }

    static String capture(String name) {
        return captures().resolve(name).toString();
    }

    /** captures/expected-verdicts.tsv (the values come from the daemons' logs and tshark), by file name. */
    static Map<String, Map<String, String>> expectedVerdicts() throws Exception {
        List<String> lines = Files.readAllLines(captures().resolve("expected-verdicts.tsv"), StandardCharsets.UTF_8);
        String[] head = lines.get(0).split("\t");
        Map<String, Map<String, String>> rows = new java.util.LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            String[] c = l.split("\t");
            Map<String, String> row = new java.util.HashMap<>();
            for (int i = 0; i < head.length && i < c.length; i++) {
                row.put(head[i], c[i]);
            }
            rows.put(c[0], row);
        }
        return rows;
    }

    /** An executable on PATH, or null. */
    static String onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return null;
    }

    /** Runs a process to its end; its standard output as bytes (standard error discarded unless {@code errTo}). */
    static byte[] exec(List<String> command, Map<String, String> env, Path dir, boolean clearEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (clearEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("exit " + p.exitValue() + ": " + command + "\n" + new String(out, StandardCharsets.UTF_8));
        }
        return out;
    }
}
