package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.pipeline.FrameFeed;

/**
 * Threads change nothing: `decrypt -o`, `analyze --format json --keys` and `dissect -v --keys` on
 * the shipped captures with their daemons' logs as keys (IKE decrypted, ESP decrypted with the
 * child SA keys derived from it and from the logs) give the same bytes with one thread
 * ({@value FrameFeed#JOBS_PROPERTY}=1: read, decode and decrypt on the caller's thread) as with a
 * reader thread and ESP workers.
 */
class JobsIdentityTest {
    private static final List<String> CAPTURES = List.of("ikev2-esp-sizes.pcapng", "ikev2-esp-sizes-cbc.pcapng",
            "ikev1-main-quick.pcap", "ikev1-quick-pfs.pcapng", "ikev2-esp-pmtu.pcapng", "ikev2-ip-fragments.pcapng", "nat-t.pcapng");

    @TempDir
    Path dir;

    private static String withJobs(int jobs, java.util.function.Supplier<String> run) {
        String old = System.getProperty(FrameFeed.JOBS_PROPERTY);
        System.setProperty(FrameFeed.JOBS_PROPERTY, Integer.toString(jobs));
        try {
            return run.get();
        } finally {
            if (old == null) {
                System.clearProperty(FrameFeed.JOBS_PROPERTY);
            } else {
                System.setProperty(FrameFeed.JOBS_PROPERTY, old);
            }
        }
    }

    private static List<String> keys(String capture) throws Exception {
        List<String> args = new ArrayList<>();
        String stem = capture.substring(0, capture.indexOf('.'));
        try (var s = Files.list(CliRun.captures())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(stem + ".") && p.toString().endsWith(".log"))
                    .sorted().toList()) {
                args.add("--keys");
                args.add(p.toString());
            }
        }
        return args;
    }

    @Test
    void oneThreadAndSeveralGiveTheSameBytes() throws Exception {
        int tested = 0;
        for (String name : CAPTURES) {
            Path capture = CliRun.captures().resolve(name);
            List<String> keys = keys(name);
            if (!Files.exists(capture) || keys.isEmpty()) {
                continue;
            }
            tested++;
            List<String> results = new ArrayList<>();
            for (int jobs : new int[] {1, 3}) {
                Path out = dir.resolve(name + "." + jobs + ".pcapng");
                String said = withJobs(jobs, () -> {
                    List<String> a = new ArrayList<>(List.of("decrypt"));
                    a.addAll(keys);
                    a.addAll(List.of("-o", out.toString(), capture.toString()));
                    CliRun.Run r = CliRun.run(a.toArray(String[]::new));
                    List<String> j = new ArrayList<>(List.of("analyze", "--format", "json"));
                    j.addAll(keys);
                    j.add(capture.toString());
                    CliRun.Run json = CliRun.run(j.toArray(String[]::new));
                    List<String> d = new ArrayList<>(List.of("dissect", "-v"));
                    d.addAll(keys);
                    d.add(capture.toString());
                    CliRun.Run dissect = CliRun.run(d.toArray(String[]::new));
                    return r.exit() + r.out().replace(out.toString(), "OUT") + r.err() + "\n" + json.out() + json.err() + "\n"
                            + dissect.out() + dissect.err();
                });
                results.add(said);
            }
            assertThat(results.get(1)).as(name).isEqualTo(results.get(0));
            assertThat(results.get(0)).as(name).containsPattern("[1-9][0-9]* ESP packet\\(s\\) decrypted");
            assertThat(Files.readAllBytes(dir.resolve(name + ".3.pcapng"))).as(name)
                    .isEqualTo(Files.readAllBytes(dir.resolve(name + ".1.pcapng")));
        }
        assertThat(tested).isPositive();
    }
}
