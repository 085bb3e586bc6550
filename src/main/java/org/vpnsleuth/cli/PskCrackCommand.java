package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vpnsleuth.base.IoErrors;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.AggressiveMode;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.PskCrack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vpnsleuth psk-crack`: a wordlist attack on captured IKEv1 Aggressive Mode PSK exchanges. */
@Command(name = "psk-crack", mixinStandardHelpOptions = true,
        description = {"Try every word of a wordlist as the pre-shared key of each IKEv1 Aggressive Mode exchange in the capture.",
            "For auditing weak keys: Aggressive Mode sends HASH_R in clear, so its PSK can be guessed offline."})
public final class PskCrackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "pcap or pcapng file with IKEv1 Aggressive Mode")
    String file;

    @Option(names = "--wordlist", required = true, paramLabel = "FILE",
            description = "one candidate key per line, as bytes (any encoding; \\n or \\r\\n line ends; empty lines skipped;"
                    + " lines of at most " + PskCrack.MAX_WORD + " bytes); - for standard input")
    String wordlist;

    @Option(names = "--threads", paramLabel = "N",
            description = "worker threads, 1 to 4 × the number of cores (default: the number of cores)")
    Integer threads;

    @Option(names = "--first", description = "stop at the first key found (with several exchanges in the capture)")
    boolean first;

    @Option(names = {"-q", "--quiet"}, description = "no progress line and no statistics on stderr, only the results")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int cores = Runtime.getRuntime().availableProcessors();
        int n = threads == null ? cores : threads;
        if (n < 1 || n > 4 * cores) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--threads " + n + " is out of range: give 1 to " + 4 * cores + " (4 × the " + cores + " core(s))");
        }
        List<AggressiveMode.Exchange> found;
        try {
            found = exchanges(file);
        } catch (CaptureException e) {
            err.println("vpnsleuth: " + e.getMessage());
            return Main.UNREADABLE;
        } catch (IOException e) {
            err.println("vpnsleuth: cannot read " + file + ": " + IoErrors.why(e));
            return Main.UNREADABLE;
        }
        if (found.isEmpty()) {
            err.println("vpnsleuth: " + file + ": no IKEv1 Aggressive Mode exchange with a cleartext HASH_R (AM1 and AM2)");
            return Main.UNREADABLE;
        }
        boolean stdin = wordlist.equals("-");
        long size = 0;
        PskCrack.Outcome o;
        PskCrack.Counters counters = new PskCrack.Counters();
        try (InputStream words = stdin ? System.in : Files.newInputStream(Path.of(wordlist))) {
            if (!stdin && Files.isRegularFile(Path.of(wordlist))) {
                size = Files.size(Path.of(wordlist));
            }
            Progress progress = !quiet && Progress.stderrIsTerminal() ? new Progress(err, counters, size) : null;
            try {
                o = PskCrack.run(found, words, n, first, counters);
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
        } catch (PskCrack.LineTooLongException e) {
            err.println("vpnsleuth: " + wordlist + ": " + where(e.offset(), stdin) + " is longer than " + PskCrack.MAX_WORD
                    + " bytes, the longest key tried: not a wordlist?");
            return Main.UNREADABLE;
        } catch (IOException e) {
            err.println("vpnsleuth: cannot read the wordlist " + wordlist + ": " + IoErrors.why(e));
            return Main.UNREADABLE;
        } catch (RuntimeException e) {
            err.println("vpnsleuth: " + wordlist + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return Main.UNREADABLE;
        }
        boolean stoppedEarly = first && o.keys().stream().anyMatch(k -> k != null);
        for (int i = 0; i < found.size(); i++) {
            AggressiveMode.Exchange x = found.get(i);
            byte[] k = o.keys().get(i);
            String sa = String.format("%016x/%016x (frames %d, %d)", x.cookieI(), x.cookieR(), x.am1Frame(), x.am2Frame());
            out.println(k != null ? sa + ": PSK found: " + display(k)
                    : sa + (stoppedEarly ? ": not found before --first stopped" : ": not in the wordlist"));
        }
        out.flush();
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "%,d words in %.2f s, %,.0f words/s on %d thread(s), %d exchange(s)", o.tried(),
                    o.seconds(), o.rate(), n, found.size()));
        }
        return Main.OK;
    }

    /** The Aggressive Mode exchanges of a capture with AM1 and AM2 (one per initiator cookie), in capture order. */
    static List<AggressiveMode.Exchange> exchanges(String file) throws IOException, CaptureException {
        List<AggressiveMode.Exchange> found = new ArrayList<>();
        try (CaptureReader r = Captures.open(file)) {
            Decoder d = new Decoder();
            AggressiveMode am = new AggressiveMode();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                for (int i = 0; i < p.count(); i++) {
                    Layer l = p.layer(i);
                    if (l.proto == Proto.IKE && l.info instanceof IkeDecodeState.MessageInfo m && m.direction() != null) {
                        AggressiveMode.Exchange x = am.observe(l.buf, l.offset, l.end, m.direction().equals("I→R"),
                                m.negotiated(), f.number);
                        if (x != null && found.stream().noneMatch(y -> y.cookieI() == x.cookieI())) {
                            found.add(x);
                        }
                    }
                }
            }
        }
        return found;
    }

    /** "line N" of the wordlist for a byte offset (counted again from the file), or the offset alone. */
    private String where(long offset, boolean stdin) {
        if (offset == 0) {
            return "line 1";
        }
        if (!stdin) {
            try (InputStream in = Files.newInputStream(Path.of(wordlist))) {
                byte[] b = new byte[1 << 16];
                long line = 1;
                long left = offset;
                for (int r; left > 0 && (r = in.read(b, 0, (int) Math.min(b.length, left))) > 0; left -= r) {
                    for (int i = 0; i < r; i++) {
                        if (b[i] == '\n') {
                            line++;
                        }
                    }
                }
                return "line " + line;
            } catch (IOException e) {
                // fall through: the offset is still right
            }
        }
        return "the line at byte " + offset;
    }

    /**
     * A key as text: itself when it is printable UTF-8, else with every byte outside printable
     * ASCII as \xHH and the key in hex (a Latin-1 word of a wordlist, say).
     */
    static String display(byte[] k) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(k)).toString();
            if (s.codePoints().noneMatch(c -> Character.isISOControl(c) || c == '\\')) {
                return s;
            }
        } catch (CharacterCodingException e) {
            // not UTF-8: escaped below
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder hex = new StringBuilder();
        for (byte b : k) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
            hex.append(String.format("%02x", c));
        }
        return sb + " (hex " + hex + ")";
    }

    /** The progress line on stderr: words, rate, share done and ETA, redrawn twice a second. */
    static final class Progress implements AutoCloseable {
        private final PrintWriter err;
        private final PskCrack.Counters counters;
        private final long size;
        private final Thread thread;
        private long lastT = System.nanoTime();
        private long lastWords;
        private long lastBytes;
        private double wordRate = -1;
        private double byteRate = -1;
        private volatile boolean closed;
        private int width;

        Progress(PrintWriter err, PskCrack.Counters counters, long size) {
            this.err = err;
            this.counters = counters;
            this.size = size;
            thread = new Thread(this::loop, "psk-crack-progress");
            thread.setDaemon(true);
            thread.start();
        }

        /** True when stderr is a terminal (Linux: /proc/self/fd/2 is a tty; elsewhere: a console). */
        static boolean stderrIsTerminal() {
            try {
                String t = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return System.console() != null;
            }
        }

        private void loop() {
            while (!closed) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    long now = System.nanoTime();
                    long w = counters.words();
                    long b = counters.bytes();
                    double dt = (now - lastT) / 1e9;
                    // rates over the last few draws (the first seconds include the JIT's warm-up)
                    wordRate = smooth(wordRate, (w - lastWords) / dt);
                    byteRate = smooth(byteRate, (b - lastBytes) / dt);
                    lastT = now;
                    lastWords = w;
                    lastBytes = b;
                    String line = String.format(Locale.ROOT, "%,d words, %,.0f words/s", w, wordRate);
                    if (size > 0) {
                        line += String.format(Locale.ROOT, ", %.1f %%", 100 * Math.min(1, b / (double) size));
                        if (byteRate > 0) {
                            long eta = Math.round(Math.max(0, size - b) / byteRate);
                            line += String.format(Locale.ROOT, ", ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60);
                        }
                    }
                    draw(line);
                }
            }
        }

        private static double smooth(double old, double now) {
            return old < 0 ? now : 0.6 * old + 0.4 * now;
        }

    private void draw(String line) {
            String pad = line.length() < width ? " ".repeat(width - line.length()) : "";
            err.print("\r" + line + pad);
            err.flush();
            width = line.length();
        }

        @Override
        public synchronized void close() {
            closed = true;
            thread.interrupt();
            if (width > 0) {
                err.print("\r" + " ".repeat(width) + "\r");
                err.flush();
            }
        }
    }
}
