package org.vpnsleuth.cli;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.pipeline.Selection;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * `--peer`, `--spi`, `--frames`, `--since`, `--until`: what analyze and dissect report, shared as a
 * picocli mixin. The capture is always read and analysed whole; the selection only chooses what is
 * printed (pipeline/Selection), so a verdict never depends on it.
 */
public final class SelectionOptions {
    @Option(names = "--peer", paramLabel = "ADDR", description = "only the IKE SAs, tunnels and flows (dissect: frames) with this IPv4 or IPv6 address")
    String peer;

    @Option(names = "--spi", paramLabel = "HEX", description = "only the IKE SA with this IKE SPI, or the SA whose ESP/AH flow has this SPI (dissect: frames carrying it)")
    String spi;

    @Option(names = "--frames", paramLabel = "A-B", split = ",",
            description = "only what has a frame in A-B (also A-, N); with several files FILE:A-B (repeatable, comma-separated)")
    List<String> frames = new ArrayList<>();

    @Option(names = "--since", paramLabel = "TIME", description = "only what lasts until TIME or later: ISO 8601 (2026-12-07T15:30:00Z; no zone: UTC) or seconds from the capture start (12.5)")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "only what began by TIME (as --since)")
    String until;

    /** The selection, or a usage error naming what is wrong. */
    Selection checked(CommandLine.Model.CommandSpec spec) {
        try {
            return Selection.parse(peer, spi, frames, since, until);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
