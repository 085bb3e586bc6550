package org.vpnsleuth.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vpnsleuth.base.OutputFile;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.AnalysisJson;
import org.vpnsleuth.report.AnalysisText;
import org.vpnsleuth.report.KeyReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vpnsleuth analyze`: every IKE SA rebuilt, where each negotiation stopped and why. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Rebuild every IKE SA and exchange and say where each negotiation stopped, why, with evidence and a fix.",
            "Several files (captures taken at both peers) are merged by time. --format json: docs/analyze-json.md;",
            "--format html: one self-contained page with ladder diagrams (docs/html-report.md)."})
public final class AnalyzeCommand implements Callable<Integer> {
    @CommandLine.Mixin
    CaptureFiles captureFiles;

    @CommandLine.Mixin
    LimitOptions limits;

    @CommandLine.Mixin
    QuietOption quiet;

    @CommandLine.Mixin
    ReportFormat output;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "write the report to FILE instead of standard output (UTF-8)")
    java.nio.file.Path outputFile;

    @CommandLine.Mixin
    EspPortOptions espUdp;

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Mixin
    TextOptions text;

    @CommandLine.Mixin
    SelectionOptions select;

    @Option(names = "--brief", description = "the summary alone: one line per IKE SA and tunnel (verdict, where, cause, confidence), and the warnings")
    boolean brief;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (output.json() || output.html()) {
            Main.jsonOutput(spec); // UTF-8 whatever the locale (the page declares UTF-8 too)
        }
        PrintWriter err = spec.commandLine().getErr();
        if (outputFile == null) {
            return report(spec.commandLine().getOut(), output.json() ? Main.jsonBytes(spec) : null, err);
        }
        // never onto an input (capture or key file); a regular file is written aside and renamed when complete
        String target = outputFile.toString();
        List<OutputFile.Input> inputs = new ArrayList<>(keyOptions.inputs());
        for (String f : captureFiles.files) {
            inputs.add(new OutputFile.Input("a capture", java.nio.file.Path.of(f)));
        }
        OutputFile of = DecryptCommand.openOutput(target, inputs, err);
        if (of == null) {
            return Main.UNREADABLE;
        }
        try (of) {
            PrintWriter out = new PrintWriter(new java.io.BufferedWriter(
                    new java.io.OutputStreamWriter(of.stream(), java.nio.charset.StandardCharsets.UTF_8)));
            // JSON is written as UTF-8 bytes straight to the file; a PrintStream keeps its write errors for checkError
            java.io.PrintStream bytes = output.json() ? new java.io.PrintStream(of.stream(), false) : null;
            int rc = report(out, bytes, err);
            out.flush();
            if (out.checkError() || bytes != null && bytes.checkError()) {
                err.println("vpnsleuth: cannot write " + target + " (writing)"
                        + (of.streamed() ? "" : "; " + DecryptCommand.notWritten(of)));
                return Main.UNREADABLE;
            }
            of.commit();
            return rc;
        } catch (java.io.IOException e) {
            err.println("vpnsleuth: cannot write " + target + " (finishing): " + OutputFile.reason(e)
                    + (of.streamed() ? "" : "; " + DecryptCommand.notWritten(of)));
            return Main.UNREADABLE;
        }
    }

    /**
     * The analysis and its report to {@code out}; a JSON report goes to {@code bytes} as UTF-8 when
     * it is not null (standard output's or the file's stream), else through {@code out}.
     */
    private int report(PrintWriter out, java.io.OutputStream bytes, PrintWriter err) {
        List<Integer> espPorts = espUdp.checked(spec);
        org.vpnsleuth.track.Tracker.Limits trackerLimits = limits.checked(spec);
        org.vpnsleuth.pipeline.Selection selection = select.checked(spec);
        if (!keyOptions.loadOrReport(err)) {
            return Main.UNREADABLE;
        }
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(captureFiles.files, names, errors);
        for (String e : errors) {
            err.println("vpnsleuth: " + e);
        }
        if (readers.isEmpty()) {
            return Main.UNREADABLE;
        }
        try {
            selection.checkFiles(names);
        } catch (IllegalArgumentException e) {
            Analysis.close(readers);
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            List<org.vpnsleuth.decode.Decoder> decoders = new ArrayList<>();
            Analysis a = Analysis.run(names, readers, espPorts, d -> {
                keyOptions.apply(d);
                decoders.add(d);
            }, org.vpnsleuth.overhead.Measurements.Options.NONE, org.vpnsleuth.capture.Progress.onTerminal(quiet.quiet), trackerLimits);
            a = selection.apply(a); // after the whole capture: the verdicts are those of the whole analysis
            StringBuilder sb = new StringBuilder(8192);
            if (output.html()) {
                if (keyOptions.showKeys) {
                    err.println("vpnsleuth: --show-keys: the HTML page never holds key material; use --format text or json for it");
                }
                org.vpnsleuth.report.AnalysisHtml.render(a, sb, out);
            } else if (output.json()) {
                out.flush();
                AnalysisJson.render(a, bytes != null ? bytes : new Utf8To(out), j -> {
                    if (keyOptions.showKeys) {
                        KeyReport.json(decoders, j);
                    }
                });
            } else {
                AnalysisText.render(a, sb, out, text.style(), brief);
                if (keyOptions.showKeys && !brief) {
                    KeyReport.text(decoders, sb);
                }
            }
            out.append(sb);
            out.flush();
        } finally {
            Analysis.close(readers);
        }
        return keyOptions.exit(errors.isEmpty() ? Main.OK : Main.UNREADABLE);
    }

    /**
     * UTF-8 bytes handed on to a writer as text (a test's own writer): the JSON writer writes out
     * only between whole characters, so each chunk decodes on its own.
     */
    private static final class Utf8To extends java.io.OutputStream {
        private final java.io.Writer to;

        Utf8To(java.io.Writer to) {
            this.to = to;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            to.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void flush() throws java.io.IOException {
            to.flush();
        }
    }
}
