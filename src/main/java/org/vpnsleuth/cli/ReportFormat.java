package org.vpnsleuth.cli;

import picocli.CommandLine.Option;

/** `--format text|json|html` for `analyze` (the commands that write frames offer text|json: {@link TextOrJson}). */
public final class ReportFormat {
    /** The report formats. */
    public enum Format { text, json, html }

    @Option(names = "--format", defaultValue = "text",
            description = "text, json (docs/analyze-json.md) or html (one self-contained page: docs/html-report.md) (default: ${DEFAULT-VALUE})")
    Format format;

    boolean json() {
        return format == Format.json;
    }

    boolean html() {
        return format == Format.html;
    }
}
