package org.vpnsleuth.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vpnsleuth.base.Capped;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.CaptureWarning;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.report.FrameFormatter;
import org.vpnsleuth.report.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `vpnsleuth dissect`: every frame decoded, one line each, a field tree, or JSON lines. */
@Command(name = "dissect", mixinStandardHelpOptions = true,
        description = {"Decode every frame, one line each, like tcpdump -n.",
            "-v shows every field as a tree; --format json prints JSON lines (fields: docs/fields.md)."})
public final class DissectCommand implements Callable<Integer> {
    @CommandLine.Mixin
    CaptureFiles captureFiles;

    @Option(names = {"-v", "--verbose"}, description = "show every field of every layer")
    boolean verbose;

    @CommandLine.Mixin
    QuietOption quiet;

    @CommandLine.Mixin
    TextOrJson output;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "stop after N frames of each file")
    long count = Long.MAX_VALUE;

    @CommandLine.Mixin
    EspPortOptions espUdp;

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Mixin
    SelectionOptions select;

    @CommandLine.Mixin
    TextOptions text;

    private org.vpnsleuth.pipeline.Selection selection;
    private org.vpnsleuth.report.TextStyle style;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (output.json()) {
            Main.jsonOutput(spec); // UTF-8 whatever the locale
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        espUdp.checked(spec);
        selection = select.checked(spec);
        try {
            selection.checkFiles(captureFiles.files);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        // one line per frame unless --width is given; colour only marks verdicts, which dissect has none of
        style = output.json() ? org.vpnsleuth.report.TextStyle.PLAIN : text.styleWrappingOnlyWhenAsked();
        if (!keyOptions.loadOrReport(err)) {
            return Main.UNREADABLE;
        }
        int rc = Main.OK;
        for (String file : captureFiles.files) {
            int r = dissect(file, out, err);
            rc = Math.max(rc, r);
            if (out.checkError()) {
                break; // output closed (e.g. piped into head)
            }
        }
        out.flush();
        return keyOptions.exit(rc);
    }

    private int dissect(String file, PrintWriter out, PrintWriter err) {
        CaptureReader reader;
        try {
            reader = Captures.open(file);
        } catch (CaptureException e) {
            err.println("vpnsleuth: " + e.getMessage());
            return Main.UNREADABLE;
        }
        Decoder decoder = new Decoder();
        espUdp.ports.forEach(decoder.udpPorts::addEspPort);
        keyOptions.apply(decoder);
        Packet packet = new Packet();
        StringBuilder sb = new StringBuilder(4096);
        JsonWriter json = new JsonWriter(sb);
        long n = 0;
        long fileStart = 0;
        org.vpnsleuth.capture.Progress progress = org.vpnsleuth.capture.Progress.onTerminal(quiet.quiet || org.vpnsleuth.capture.Progress.stdoutIsTerminal());
        List<org.vpnsleuth.capture.CaptureReader> progressOf = List.of(reader);
        try (reader; org.vpnsleuth.pipeline.FrameFeed feed = org.vpnsleuth.pipeline.FrameFeed.open(List.of(reader), List.of(decoder), count)) {
            while (feed.next()) {
                Frame frame = feed.frame();
                n++;
                if ((n & 0x3fff) == 0) {
                    progress.update(progressOf, n);
                }
                decoder.decode(frame, packet);
                if (n == 1) {
                    fileStart = frame.timestampNanos;
                }
                if (!selection.isAll() && !selection.frame(file, frame.number, frame.timestampNanos, fileStart, packet)) {
                    continue; // decoded all the same: reassembly and decryption need every frame
                }
                if (output.json()) {
                    FrameFormatter.json(packet, json);
                } else if (verbose) {
                    FrameFormatter.tree(packet, sb);
                } else {
                    FrameFormatter.line(packet, sb);
                }
                sb.append('\n');
                if (sb.length() > 1 << 16) {
                    style.write(sb, out);
                    sb.setLength(0);
                    if (out.checkError()) {
                        return Main.OK;
                    }
                }
            }
            progress.done();
            style.write(sb, out);
            out.flush();
        } catch (java.io.IOException e) {
            err.println("vpnsleuth: " + file + ": " + org.vpnsleuth.base.IoErrors.why(e));
        }
        for (CaptureWarning w : reader.warnings()) {
            err.println("warning: " + w);
        }
        decoder.reassembly.finish();
        IkeDecodeState.of(decoder).finish();
        List<String> incomplete = new java.util.ArrayList<>();
        Capped.add(incomplete, Capped.prefixed("incomplete ", decoder.reassembly.incomplete()),
                decoder.reassembly.incompleteNotKept(), Integer.MAX_VALUE, file + ": ", "IP datagram(s) never reassembled, not kept");
        Capped.add(incomplete, Capped.prefixed("incomplete ", IkeDecodeState.of(decoder).incomplete()), IkeDecodeState.of(decoder).incompleteNotKept(),
                Integer.MAX_VALUE, file + ": ", "IKEv1 fragmented message(s) never reassembled, not kept");
        for (String w : incomplete) {
            err.println("warning: " + w);
        }
        if (IkeDecryption.summary(decoder) != null) {
            err.println(file + ": " + IkeDecryption.summary(decoder));
        }
        if (keyOptions.showKeys) {
            StringBuilder keys = new StringBuilder();
            if (output.json()) { // one more JSON line after the frames': {"keys": {...}}
                JsonWriter j = new JsonWriter(keys);
                j.beginObject(null);
                org.vpnsleuth.report.KeyReport.json(List.of(decoder), j);
                j.endObject();
                keys.append('\n');
            } else {
                org.vpnsleuth.report.KeyReport.text(List.of(decoder), keys);
            }
            out.append(keys);
            out.flush();
        }
        decoder.unknownLinkTypes().forEach((lt, c) -> err.println("warning: " + file + ": " + c
                + " frame(s) of unsupported link type " + lt + " shown as data"));
        if (verbose || decoder.malformedFrames() > 0) {
            err.println(file + ": " + n + " frames (" + reader.format() + "), " + decoder.malformedFrames() + " malformed");
        }
        return Main.OK;
    }
}
