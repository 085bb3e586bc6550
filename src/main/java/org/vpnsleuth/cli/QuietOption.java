package org.vpnsleuth.cli;

import picocli.CommandLine.Option;

/** `-q/--quiet`: no progress line, shared (as a picocli mixin) by the commands that read captures at length. */
public final class QuietOption {
    @Option(names = {"-q", "--quiet"}, description = "no progress line on standard error (it is shown only on a terminal, for work over 2 s)")
    boolean quiet;
}
