package org.vpnsleuth.cli;

import org.vpnsleuth.track.Tracker;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The tracker's limits (`--max-sas`, `--max-flows`, `--max-messages-per-sa`), shared as a picocli mixin. */
public final class LimitOptions {
    @Option(names = "--max-sas", paramLabel = "N", defaultValue = "100000",
            description = "IKE SAs tracked at most; later ones are counted and said (default: ${DEFAULT-VALUE})")
    int maxSas;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "100000",
            description = "ESP/AH flows, ICMP errors, keepalive pairs and encapsulations measured for the overhead report kept at most; the rest are counted and said (default: ${DEFAULT-VALUE})")
    int maxFlows;

    @Option(names = "--max-messages-per-sa", paramLabel = "N", defaultValue = "10000",
            description = "IKE messages kept per SA (retransmission storms); the rest are counted and said (default: ${DEFAULT-VALUE})")
    int maxMessages;

    @Option(names = "--sa-idle-timeout", paramLabel = "SECONDS", defaultValue = "900",
            description = "capture time after which an IKE SA with no message and no ESP packet is over: diagnosed,"
                    + " written out and dropped while the capture is read, so memory stays bounded; 0 keeps every SA"
                    + " to the end (default: ${DEFAULT-VALUE})")
    long idleSeconds;

    /** The limits, each checked to be at least 1 (a usage error of {@code spec}'s command otherwise). */
    Tracker.Limits checked(CommandLine.Model.CommandSpec spec) {
        if (maxSas < 1 || maxFlows < 1 || maxMessages < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--max-sas, --max-flows and --max-messages-per-sa take a whole number of at least 1");
        }
        if (idleSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sa-idle-timeout takes a number of seconds, 0 or more");
        }
        return new Tracker.Limits(maxSas, maxFlows, maxMessages, idleSeconds);
    }
}
