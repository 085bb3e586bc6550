package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.report.WiresharkTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `vpnsleuth keys export`: the keys that decrypt a capture, for Wireshark. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Key material for other tools.",
        subcommands = {KeysCommand.Export.class})
public final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (see --help)");
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Decrypt FILE with the key material and write the keys that verified as Wireshark's decryption tables",
                "(ikev1_decryption_table, ikev2_decryption_table, esp_sa, including the ESP keys vpnsleuth derived) into DIR,",
                "a Wireshark profile directory such as ~/.config/wireshark. The files hold secrets."})
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "the capture the keys are for")
        String file;

        @Option(names = "--wireshark", required = true, paramLabel = "DIR", description = "where to write the tables")
        Path dir;

        @CommandLine.Mixin
        KeyOptions keyOptions = new KeyOptions();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!keyOptions.loadOrReport(err)) {
                return Main.UNREADABLE;
            }
            if (keyOptions.keys == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no key material: give --keys FILE or --psk TEXT");
            }
            Decoder d = new Decoder();
            keyOptions.apply(d);
            try (CaptureReader r = Captures.open(file)) {
                Packet p = new Packet();
                Frame f = new Frame();
                while (r.next(f)) {
                    d.decode(f, p);
                }
                IkeDecryption ike = IkeDecodeState.of(d).decryption();
                List<String> left = WiresharkTables.write(dir, ike, ike.esp());
                out.println("wrote " + ike.verifiedV1().size() + " IKEv1, " + ike.verifiedV2().size()
                        + " IKEv2 and " + ike.esp().verified().size() + " ESP SA(s) to " + dir);
                for (String l : left) {
                    err.println("warning: " + l);
                }
                if (keyOptions.showKeys) {
                    StringBuilder keys = new StringBuilder();
                    org.vpnsleuth.report.KeyReport.text(List.of(d), keys);
                    out.append(keys);
                }
            } catch (CaptureException e) {
                err.println("vpnsleuth: " + e.getMessage());
                return Main.UNREADABLE;
            } catch (IOException e) {
                err.println("vpnsleuth: " + dir + ": " + e.getMessage());
                return Main.UNREADABLE;
            }
            out.flush();
            return Main.OK;
        }
    }
}
