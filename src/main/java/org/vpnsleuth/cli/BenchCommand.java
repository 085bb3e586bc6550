package org.vpnsleuth.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vpnsleuth bench`: frames/s and MB/s for reading only, and for reading + decoding. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure read-only and read+decode speed (frames/s, MB/s).",
            "Run it on a large file (see bench/make-big-capture.sh); figures go in docs/performance.md."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    String file;

    @Option(names = "--repeat", defaultValue = "3", description = "passes of each kind (default: ${DEFAULT-VALUE}); the first warms the JIT up")
    int repeat;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        long size = "-".equals(file) ? 0 : Files.size(Path.of(file));
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        out.printf("file %s, %.1f MB%n", file, size / 1e6);
        for (String kind : new String[] {"read", "read+decode"}) {
            for (int i = 0; i < repeat; i++) {
                long c0 = cpu.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long[] r;
                try {
                    r = pass(kind.equals("read+decode"));
                } catch (CaptureException e) {
                    spec.commandLine().getErr().println("vpnsleuth: " + e.getMessage());
                    return Main.UNREADABLE;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                double c = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
                // The thread's CPU time as well: on a busy machine it tells the wall time's share of waiting.
                out.printf("%-12s pass %d: %,d frames in %.3f s = %.2f M frames/s, %.0f MB/s (checksum %d, cpu %.3f s)%n",
                        kind, i + 1, r[0], s, r[0] / s / 1e6, size / s / 1e6, r[1], c);
            }
        }
        return Main.OK;
    }

    private long[] pass(boolean decode) throws CaptureException, java.io.IOException {
        Decoder d = new Decoder();
        Packet p = new Packet();
        Frame f = new Frame();
        long frames = 0;
        long check = 0;
        try (CaptureReader r = Captures.open(file)) {
            while (r.next(f)) {
                frames++;
                if (decode) {
                    d.decode(f, p);
                    check += p.count();
                } else {
                    check += f.capturedLength;
                }
            }
        }
        return new long[] {frames, check};
    }
}
