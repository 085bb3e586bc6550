package org.vpnsleuth.capture;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A progress line on standard error for long reads: after {@link #DELAY_NANOS} of work, once a
 * second, bytes read of the total, frames per second and the time left ("read 412 MB of 1,024 MB
 * (40 %), 1.21 M frames/s, about 9 s left"), rewritten in place and erased at the end. Only when
 * standard error is a terminal, never with {@code --quiet}: a pipe or a file never gets it.
 */
public final class Progress {
    /** Nothing is shown for work that ends sooner. */
    public static final long DELAY_NANOS = 2_000_000_000L;
    private static final long EVERY_NANOS = 1_000_000_000L;

    /** Shows nothing. */
    public static final Progress NONE = new Progress(null);

    private final PrintStream err;
    private final long start = System.nanoTime();
    private long nextCheck;
    private long lastShown;
    private boolean shown;
    private int width;

    private Progress(PrintStream err) {
        this.err = err;
    }

    /** A progress line on {@code System.err} when it is a terminal and {@code quiet} is false; otherwise {@link #NONE}. */
    public static Progress onTerminal(boolean quiet) {
        return quiet || !stderrIsTerminal() ? NONE : new Progress(System.err);
    }

    /** Standard error is a terminal (Linux: file descriptor 2 is a tty or pseudo-terminal device). */
    static boolean stderrIsTerminal() {
        return isTerminal(2);
    }

    /** Standard output is a terminal (a command that streams its output there gets no progress line). */
    public static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    /** Called often (e.g. every few thousand frames): shows the line when due. */
    public void update(List<CaptureReader> readers, long frames) {
        if (err == null) {
            return;
        }
        long now = System.nanoTime();
        if (now < nextCheck) {
            return;
        }
        nextCheck = now + 100_000_000L; // the clock is read at most every 100 ms
        if (now - start < DELAY_NANOS || now - lastShown < EVERY_NANOS) {
            return;
        }
        lastShown = now;
        long read = 0;
        long total = 0;
        for (CaptureReader r : readers) {
            long b = r.sourceBytesRead();
            long s = r.sourceSize();
            if (b < 0 || s < 0) {
                total = -1;
                read = Math.max(read, 0);
                break;
            }
            read += b;
            total += s;
        }
        double secs = (now - start) / 1e9;
        StringBuilder sb = new StringBuilder("read ");
        if (total > 0) {
            double frac = Math.min(1.0, (double) read / total);
            sb.append(String.format(Locale.ROOT, "%,d MB of %,d MB (%d %%)", read / 1_000_000, total / 1_000_000,
                    (int) (frac * 100)));
            sb.append(String.format(Locale.ROOT, ", %.2f M frames/s", frames / secs / 1e6));
            if (frac > 0.01) {
                long left = Math.round(secs / frac - secs);
                sb.append(", about ").append(left).append(" s left");
            }
        } else {
            sb.append(String.format(Locale.ROOT, "%,d frames, %.2f M frames/s", frames, frames / secs / 1e6));
        }
        String line = sb.toString();
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        err.flush();
        width = line.length();
        shown = true;
    }

    /** Erases the line (the work is done or failed). */
    public void done() {
        if (err != null && shown) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            shown = false;
        }
    }
}
