package org.vpnsleuth.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vpnsleuth overhead FILE...`: the overhead and MTU a capture shows per tunnel (cli/OverheadFile). */
@Command(name = "overhead", mixinStandardHelpOptions = true,
        description = {"The overhead and MTU each tunnel of a capture shows: measured overhead per packet, sizes,",
            "fragments, ICMP fragmentation-needed, DF, inner TCP MSS, the effective inner MTU and what to set (docs/overhead.md)."})
public final class OverheadCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "pcap or pcapng files, optionally gzip-compressed; - for standard input")
    List<String> files = new ArrayList<>();

    @Option(names = "--format", defaultValue = "text", description = "text, json, csv or markdown (default: ${DEFAULT-VALUE})")
    OverheadFile.Format format;

    @Option(names = "--esp-udp-port", paramLabel = "PORT", description = "also decode UDP on this port as ESP-in-UDP (repeatable)")
    List<Integer> espPorts = new ArrayList<>();

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Main.checkEspPorts(spec, espPorts);
        return OverheadFile.run(files, format, espPorts, keyOptions, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
