package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vpnsleuth.base.OutputFile;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.capture.PcapngWriter;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.EspDecryptor;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.IkeDecryption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `vpnsleuth decrypt`: the capture with each decrypted ESP packet replaced by its inner packet. */
@Command(name = "decrypt", mixinStandardHelpOptions = true,
        description = {"Write FILE as pcapng with every ESP packet the key material decrypts replaced by its inner packet",
            "(raw IP; a transport-mode payload gets the outer IP header back), a frame comment naming the SPI and frame.",
            "Every other frame is copied as it is, so frame numbers stay the same."})
public final class DecryptCommand implements Callable<Integer> {
    /** LINKTYPE_RAW: an IPv4 or IPv6 packet without a link header. */
    static final int LINKTYPE_RAW = 101;

    @Parameters(index = "0", paramLabel = "FILE", description = "pcap or pcapng file")
    String file;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.pcapng", description = "the file to write (- for standard"
            + " output); written to a temporary file renamed when complete; an output that is an input is refused")
    String output;

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!keyOptions.loadOrReport(err)) {
            return Main.UNREADABLE;
        }
        if (keyOptions.keys == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no key material: give --keys FILE or --psk TEXT");
        }
        List<OutputFile.Input> inputs = new ArrayList<>(keyOptions.inputs());
        inputs.add(new OutputFile.Input("the capture", Path.of(file)));
        Decoder d = new Decoder();
        keyOptions.apply(d);
        long frames = 0;
        long replaced = 0;
        OutputFile of = openOutput(output, inputs, err);
        if (of == null) {
            return Main.UNREADABLE;
        }
        String writing = "writing";
        try (of; CaptureReader r = Captures.open(file); PcapngWriter w = new PcapngWriter(of.stream(), "vpnsleuth decrypt")) {
            Packet p = new Packet();
            StringBuilder comment = new StringBuilder(128);
            // read, and ESP opened ahead, on other threads; decoded and written here in frame order
            try (org.vpnsleuth.pipeline.FrameFeed feed = org.vpnsleuth.pipeline.FrameFeed.open(List.of(r), List.of(d), Long.MAX_VALUE)) {
                while (feed.next()) {
                    Frame f = feed.frame();
                    frames++;
                    d.decode(f, p);
                    byte[] inner = decrypted(p);
                    if (inner != null) {
                        Layer esp = p.find(Proto.ESP);
                        w.write(inner, 0, inner.length, inner.length, f.timestampNanos, LINKTYPE_RAW,
                                comment(comment, esp.u32(0), esp.u32(4), f.number, file));
                        replaced++;
                    } else {
                        w.write(f.data, f.offset, f.capturedLength, f.originalLength, f.timestampNanos, f.linkType, f.comment);
                    }
                }
            }
            w.flush();
            // what the reader could not read (a damaged or cut file): said, as analyze and dissect say it
            for (org.vpnsleuth.capture.CaptureWarning cw : r.warnings()) {
                err.println("warning: " + cw);
            }
            writing = "finishing";
            of.commit();
        } catch (CaptureException e) {
            err.println("vpnsleuth: " + e.getMessage());
            err.println("vpnsleuth: " + notWritten(of));
            return Main.UNREADABLE;
        } catch (IOException e) {
            err.println("vpnsleuth: cannot write " + output + " (" + writing + "): " + OutputFile.reason(e)
                    + (of.streamed() ? "" : "; " + notWritten(of)));
            return Main.UNREADABLE;
        }
        // with -o - (or /dev/stdout) the capture is standard output: what is said goes to standard error
        PrintWriter say = of.isStandardOutput() ? err : out;
        say.println(output + ": " + frames + " frames, " + replaced + " ESP packet(s) replaced by their decrypted inner packet");
        err.println(file + ": " + IkeDecryption.summary(d));
        if (keyOptions.showKeys) {
            StringBuilder keys = new StringBuilder();
            org.vpnsleuth.report.KeyReport.text(java.util.List.of(d), keys);
            say.append(keys);
        }
        say.flush();
        return keyOptions.exit(Main.OK);
    }

    /**
     * Opens the output {@code output} (a file, or - for standard output) unless it is one of
     * {@code inputs}; null after saying why on {@code err} (refused, or it cannot be opened).
     */
    static OutputFile openOutput(String output, List<OutputFile.Input> inputs, PrintWriter err) {
        try {
            if (!"-".equals(output)) {
                OutputFile.refuseInputs(Path.of(output), inputs);
            }
            return OutputFile.open(output, false);
        } catch (OutputFile.RefusedException e) {
            err.println("vpnsleuth: " + e.getMessage());
        } catch (IOException | java.nio.file.InvalidPathException e) {
            err.println("vpnsleuth: cannot write " + output + ": " + (e instanceof IOException io ? OutputFile.reason(io) : e.getMessage()));
        }
        return null;
    }

    /** What a failure left: nothing (a stream may hold what was written before it). */
    static String notWritten(OutputFile of) {
        return of.streamed() ? of.target() + " holds what was written before the error"
                : of.target() + " was not written" + (Files.exists(of.target()) ? " (it is as it was)" : "");
    }

    /**
     * "vpnsleuth: ESP SPI 0x%08x seq %d decrypted (frame %d of %s)" in {@code sb} (cleared first),
     * without a Formatter: it is written for every decrypted packet.
     */
    static StringBuilder comment(StringBuilder sb, long spi, long seq, long frame, String file) {
        sb.setLength(0);
        sb.append("vpnsleuth: ESP SPI 0x");
        for (int shift = 28; shift >= 0; shift -= 4) {
            sb.append(Character.forDigit((int) (spi >>> shift) & 0xf, 16));
        }
        return sb.append(" seq ").append(seq).append(" decrypted (frame ").append(frame).append(" of ").append(file).append(')');
    }

    /** The decrypted inner packet of the frame's first ESP layer as an IP packet, or null. */
    static byte[] decrypted(Packet p) {
        int e = -1;
        for (int i = 0; i < p.count(); i++) {
            if (p.layer(i).proto == Proto.ESP && p.layer(i).info instanceof EspDecryptor.Result) {
                e = i;
                break;
            }
        }
        if (e < 0) {
            return null;
        }
        EspDecryptor.Result r = (EspDecryptor.Result) p.layer(e).info;
        if (r.nextHeader() == 4 || r.nextHeader() == 41) {
            return r.inner(); // tunnel mode: the inner packet is an IP packet
        }
        for (int i = e - 1; i >= 0; i--) { // transport mode: the outer IP header, now carrying the payload
            Layer ip = p.layer(i);
            if (ip.proto == Proto.IPV4 && ip.headerLength >= 20) {
                int hl = ip.headerLength;
                byte[] pkt = new byte[hl + r.inner().length];
                System.arraycopy(ip.buf, ip.offset, pkt, 0, hl);
                System.arraycopy(r.inner(), 0, pkt, hl, r.inner().length);
                pkt[2] = (byte) (pkt.length >>> 8);
                pkt[3] = (byte) pkt.length;
                pkt[9] = (byte) r.nextHeader();
                pkt[10] = 0;
                pkt[11] = 0;
                int sum = 0;
                for (int k = 0; k < hl; k += 2) {
                    sum += ((pkt[k] & 0xff) << 8) | (pkt[k + 1] & 0xff);
                }
                sum = (sum & 0xffff) + (sum >>> 16);
                sum = (sum & 0xffff) + (sum >>> 16);
                pkt[10] = (byte) (~sum >>> 8);
                pkt[11] = (byte) ~sum;
                return pkt;
            }
            if (ip.proto == Proto.IPV6 && ip.headerLength == 40) {
                byte[] pkt = new byte[40 + r.inner().length];
                System.arraycopy(ip.buf, ip.offset, pkt, 0, 40);
                System.arraycopy(r.inner(), 0, pkt, 40, r.inner().length);
                pkt[4] = (byte) (r.inner().length >>> 8);
                pkt[5] = (byte) r.inner().length;
                pkt[6] = (byte) r.nextHeader();
                return pkt;
            }
        }
        return null;
    }
}
