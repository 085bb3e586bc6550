package org.vpnsleuth.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.report.MeasuredReport;

/**
 * `vpnsleuth overhead FILE...`: the overhead and MTU each tunnel of the capture shows
 * (overhead/Measured, report/OverheadReport), in text, JSON, CSV or Markdown. The calculator
 * (--stack/--preset/--mtu) is the same command without a file.
 */
final class OverheadFile {
    enum Format { text, json, csv, markdown }

    private OverheadFile() {
    }

    static int run(List<String> files, Format format, List<Integer> espPorts, KeyOptions keys, PrintWriter out, PrintWriter err) {
        return run(files, format, espPorts, keys, org.vpnsleuth.overhead.Measurements.Options.NONE, out, err);
    }

    /** With the path MTU to use when the capture proves none (--mtu) and the ESP transforms to assume (--esp). */
    static int run(List<String> files, Format format, List<Integer> espPorts, KeyOptions keys,
            org.vpnsleuth.overhead.Measurements.Options options, PrintWriter out, PrintWriter err) {
        return run(files, format, espPorts, keys, options, org.vpnsleuth.report.TextStyle.PLAIN, out, err);
    }

    /** With the layout of the text format (--width, --color). */
    static int run(List<String> files, Format format, List<Integer> espPorts, KeyOptions keys,
            org.vpnsleuth.overhead.Measurements.Options options, org.vpnsleuth.report.TextStyle style, PrintWriter out,
            PrintWriter err) {
        return run(files, format, espPorts, keys, options, style, org.vpnsleuth.capture.Progress.NONE,
                org.vpnsleuth.track.Tracker.Limits.DEFAULT, out, err);
    }

    /** With a progress line (on a terminal, unless -q) and the tracker's limits (--max-flows, --sa-idle-timeout, ...). */
    static int run(List<String> files, Format format, List<Integer> espPorts, KeyOptions keys,
            org.vpnsleuth.overhead.Measurements.Options options, org.vpnsleuth.report.TextStyle style,
            org.vpnsleuth.capture.Progress progress, org.vpnsleuth.track.Tracker.Limits limits, PrintWriter out,
            PrintWriter err) {
        if (!keys.loadOrReport(err)) {
            return Main.UNREADABLE;
        }
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(files, names, errors);
        for (String e : errors) {
            err.println("vpnsleuth: " + e);
        }
        if (readers.isEmpty()) {
            return Main.UNREADABLE;
        }
        try {
            Analysis a = Analysis.run(names, readers, espPorts, keys::apply, options, progress, limits);
            StringBuilder sb = new StringBuilder(4096);
            switch (format) {
                case json -> MeasuredReport.json(a, sb, out);
                case csv -> MeasuredReport.csv(a, sb, out);
                case markdown -> MeasuredReport.markdown(a, sb, out);
                default -> MeasuredReport.text(a, sb, out);
            }
            if (format == Format.json) {
                sb.append('\n');
            }
            if (format == Format.csv) { // a table has no place for them
                for (String w : a.warnings) {
                    err.println("vpnsleuth: warning: " + w);
                }
            }
            if (format == Format.text) {
                style.write(sb, out);
            } else {
                out.append(sb);
            }
            out.flush();
        } finally {
            Analysis.close(readers);
        }
        return errors.isEmpty() ? Main.OK : Main.UNREADABLE;
    }
}
