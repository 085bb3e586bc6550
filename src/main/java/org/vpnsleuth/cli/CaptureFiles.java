package org.vpnsleuth.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/** The capture files of a command (FILE...), shared as a picocli mixin by analyze and dissect. */
public final class CaptureFiles {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "pcap or pcapng files, optionally gzip-compressed; - for standard input")
    List<String> files = new ArrayList<>();
}
