package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.vpnsleuth.overhead.Calculation;
import org.vpnsleuth.overhead.Encapsulation;
import org.vpnsleuth.overhead.Presets;
import org.vpnsleuth.overhead.Stack;
import org.vpnsleuth.report.OverheadReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `vpnsleuth overhead`: the calculator (--stack SPEC or --preset NAME, --mtu N): overhead, the
 * largest inner packet (ip mtu), the MSS to clamp, a table by size and an SVG chart.
 * docs/overhead.md describes the model, the stack syntax, the presets and the JSON.
 */
@Command(name = "overhead", mixinStandardHelpOptions = true,
        description = {"With FILE: the overhead and MTU each tunnel of the capture shows (measured; --keys to decrypt ESP).",
            "Without: encapsulation overhead and MTU planning for a tunnel stack: the overhead for the smallest and largest payload,",
            "the largest inner IP packet that fits the path MTU (ip mtu), the TCP MSS to clamp, efficiency, a table by size.",
            "Stack syntax (outermost first, the inner packet not written): eth/ipv4/udp/esp:aes-gcm-16-256,",
            "eth/pppoe/ipv4/esp:aes-cbc-256,sha1/gre:key. Layers, parameters, presets and JSON: docs/overhead.md."})
public final class OverheadCommand implements Callable<Integer> {
    enum Format { text, json, csv, markdown }

    /** Captures to measure (cli/OverheadFile); without one, the calculator runs. */
    @CommandLine.Parameters(arity = "0..*", paramLabel = "FILE",
            description = "measure the overhead and MTU each tunnel of these captures shows (pcap, pcapng, gzip; - for standard input)")
    List<String> files = new ArrayList<>();

    @CommandLine.Mixin
    EspPortOptions espUdp;

    @CommandLine.Mixin
    KeyOptions keyOptions = new KeyOptions();

    @Option(names = "--stack", paramLabel = "SPEC", completionCandidates = LayerNames.class,
            description = "the layers the tunnel adds, outermost first, '/'-separated, parameters after ':' (layers: ${COMPLETION-CANDIDATES})")
    String stackSpec;

    @Option(names = "--preset", paramLabel = "NAME", completionCandidates = PresetNames.class,
            description = "a preset stack; 'list' lists them (${COMPLETION-CANDIDATES})")
    String preset;

    /** The path MTU when --mtu is not given. */
    static final int DEFAULT_MTU = 1500;

    @Option(names = "--mtu", paramLabel = "N",
            description = {"the path MTU the outer packets must fit: the Ethernet MTU when the stack starts with eth (default: 1500);",
                "with FILE: the path MTU to use instead of assuming 1500 when the capture proves none (a lower one from ICMP or fragments still wins)"})
    Integer mtuOption;
    int mtu;

    @Option(names = "--esp", paramLabel = "CIPHER[,INTEGRITY]",
            description = {"replace the ESP algorithms of the stack or preset (aes-gcm-16-256; aes-cbc-256,sha256);",
                "with FILE: assume these ESP transforms for flows whose transforms are unknown (not decrypted, not negotiated in a decrypted exchange)"})
    String esp;

    @Option(names = "--sizes", paramLabel = "N,N...", split = ",",
            description = "inner packet sizes of the table (default: 40,64,128,256,512,576,1024,1280,1360,1400; the largest that fits is always added)")
    List<Integer> sizes;

    @Option(names = "--step", paramLabel = "N", description = "a table row every N bytes up to the largest packet that fits (instead of --sizes)")
    Integer step;

    @Option(names = "--format", defaultValue = "text", description = "text, json, csv (the table by size) or markdown (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--svg", paramLabel = "FILE", description = "also write an SVG chart of overhead and efficiency against the inner packet size"
            + " (- : standard output, with the SVG alone on it: no report)")
    String svg;

    @CommandLine.Mixin
    TextOptions text;

    @CommandLine.Mixin
    QuietOption quiet;

    @CommandLine.Mixin
    LimitOptions limits;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Layer names for shell completion of --stack. */
    static final class LayerNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Stack.layerNames().iterator();
        }
    }

    /** Preset names (and "list") for shell completion of --preset. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> l = new ArrayList<>(Presets.names());
            l.add("list");
            return l.iterator();
        }
    }

    @Override
    public Integer call() {
        if (format == Format.json || format == Format.csv) {
            Main.jsonOutput(spec); // data for programs: UTF-8 whatever the locale
        }
        if (mtuOption != null && (mtuOption < 1 || mtuOption > 65535)) {
            throw usage("--mtu " + mtuOption + " is not an MTU (1 to 65535)");
        }
        mtu = mtuOption != null ? mtuOption : DEFAULT_MTU;
        if (!files.isEmpty()) {
            if (stackSpec != null || preset != null || svg != null || sizes != null || step != null) {
                throw usage("with FILE the stack comes from the capture: --stack, --preset, --sizes, --step and --svg are for the calculator");
            }
            List<Integer> espPorts = espUdp.checked(spec);
            org.vpnsleuth.overhead.Esp assumed = null;
            if (esp != null) {
                try {
                    assumed = espAlgorithms(esp);
                } catch (IllegalArgumentException e) {
                    throw usage("--esp " + esp + ": " + e.getMessage().replaceFirst("^layer \\d+ '[^']*': ", ""));
                }
            }
            org.vpnsleuth.track.Tracker.Limits trackerLimits = limits.checked(spec);
            return OverheadFile.run(files, OverheadFile.Format.valueOf(format.name()), espPorts, keyOptions,
                    new org.vpnsleuth.overhead.Measurements.Options(mtuOption != null ? mtuOption : -1, assumed),
                    text.style(), org.vpnsleuth.capture.Progress.onTerminal(quiet.quiet), trackerLimits,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        return calculator();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The calculator: --stack or --preset. */
    private int calculator() {
        PrintWriter out = spec.commandLine().getOut();
        if ("list".equalsIgnoreCase(preset)) {
            StringBuilder sb = new StringBuilder();
            OverheadReport.presets(sb);
            out.append(sb).flush();
            return Main.OK;
        }
        if ((stackSpec == null) == (preset == null)) {
            throw usage("give either --stack SPEC or --preset NAME (--preset list lists the presets)");
        }
        if (step != null && sizes != null) {
            throw usage("--sizes and --step do not go together");
        }
        if (step != null && step < 1) {
            throw usage("--step " + step + " must be at least 1");
        }
        Presets.Preset p = null;
        Stack stack;
        try {
            if (preset != null) {
                p = Presets.get(preset);
                stack = p.stack();
            } else {
                stack = Stack.parse(stackSpec);
            }
            if (esp != null) {
                stack = replaceEsp(stack, esp);
            }
        } catch (IllegalArgumentException e) {
            throw usage((preset != null && p == null ? "--preset: " : "--stack: ") + e.getMessage());
        }
        int max = stack.maxInnerPacket(mtu);
        if (max < 1) {
            spec.commandLine().getErr().println("vpnsleuth: no inner packet fits a path MTU of " + mtu + ": the stack "
                    + stack.spec() + " adds at least " + stack.overhead(0) + " bytes");
            return Main.USAGE;
        }
        List<Integer> table = new ArrayList<>();
        if (step != null) {
            for (int n = step; n <= max; n += step) {
                table.add(n);
            }
        } else {
            table.addAll(sizes != null ? sizes : Calculation.DEFAULT_SIZES);
        }
        Calculation c = Calculation.of(stack, p, mtu, table);
        StringBuilder sb = new StringBuilder(4096);
        switch (format) {
            case json -> OverheadReport.json(c, sb);
            case csv -> OverheadReport.csv(c, sb);
            case markdown -> OverheadReport.markdown(c, sb);
            default -> OverheadReport.text(c, sb);
        }
        if (svg != null) {
            try (org.vpnsleuth.base.OutputFile f = org.vpnsleuth.base.OutputFile.open(svg, false)) {
                f.stream().write(OverheadReport.svg(c).getBytes(StandardCharsets.UTF_8));
                f.commit();
                if (f.isStandardOutput()) {
                    return Main.OK;
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                spec.commandLine().getErr().println("vpnsleuth: cannot write " + svg + ": "
                        + (e instanceof IOException io ? org.vpnsleuth.base.OutputFile.reason(io) : e.getMessage()));
                return Main.UNREADABLE;
            }
        }
        if (format == Format.text) {
            text.style().write(sb, out);
            out.flush();
        } else {
            out.append(sb).flush();
        }
        return Main.OK;
    }

    /** ESP from --esp's "CIPHER[,INTEGRITY]" (the stack syntax's esp parameters). */
    static org.vpnsleuth.overhead.Esp espAlgorithms(String algorithms) {
        Stack s = Stack.parse("ipv4/esp:" + algorithms);
        if (s.layers().size() != 2 || !(s.layers().get(1) instanceof org.vpnsleuth.overhead.Esp e)) {
            throw new IllegalArgumentException("'" + algorithms + "' is not CIPHER[,INTEGRITY]");
        }
        return e;
    }

    /** The stack with every ESP layer's algorithms replaced. */
    static Stack replaceEsp(Stack stack, String algorithms) {
        List<String> parts = new ArrayList<>();
        boolean found = false;
        for (Encapsulation e : stack.layers()) {
            if (e.name().equals("esp")) {
                parts.add("esp:" + algorithms);
                found = true;
            } else {
                parts.add(e.spec());
            }
        }
        if (!found) {
            throw new IllegalArgumentException("--esp: the stack " + stack.spec() + " has no esp layer");
        }
        return Stack.parse(String.join("/", parts));
    }
}
