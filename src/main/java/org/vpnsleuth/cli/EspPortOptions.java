package org.vpnsleuth.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** `--esp-udp-port PORT`, shared (as a picocli mixin) by every command that decodes captures. */
public final class EspPortOptions {
    @Option(names = "--esp-udp-port", paramLabel = "PORT", description = "also decode UDP on this port as ESP-in-UDP (repeatable)")
    List<Integer> ports = new ArrayList<>();

    /** The ports, each checked to be a UDP port (a usage error of {@code spec}'s command otherwise). */
    List<Integer> checked(CommandLine.Model.CommandSpec spec) {
        for (int port : ports) {
            if (port < 1 || port > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--esp-udp-port " + port + " is not a port");
            }
        }
        return ports;
    }
}
