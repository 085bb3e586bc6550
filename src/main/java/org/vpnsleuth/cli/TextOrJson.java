package org.vpnsleuth.cli;

import picocli.CommandLine.Option;

/** `--format text|json`, shared as a picocli mixin by the commands that write a report or frames either way. */
public final class TextOrJson {
    /** The two output formats. */
    public enum Format { text, json }

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    Format format;

    boolean json() {
        return format == Format.json;
    }
}
