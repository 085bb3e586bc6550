package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vpnsleuth.base.OutputFile;
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
            description = {"Decrypt FILE with the key material and write the keys that verified as a Wireshark profile in DIR:",
                "the decryption tables ikev1_decryption_table, ikev2_decryption_table and esp_sa (the ESP keys vpnsleuth derived",
                "included) and a preferences file turning on ESP decryption and authentication checking. Tables already in DIR",
                "are merged record by record (a record with the same key is replaced by the new one, said in the output; the",
                "others kept), or replaced with --replace; other preferences are kept. The files hold secrets: mode 0600.",
                "Use it with: WIRESHARK_CONFIG_DIR=DIR tshark -r FILE (docs/decryption.md)."})
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "the capture the keys are for")
        String file;

        @Option(names = "--wireshark", required = true, paramLabel = "DIR", description = "the profile directory to write"
                + " (created 0700 when absent), e.g. ~/.config/wireshark/profiles/vpnsleuth")
        Path dir;

        @Option(names = "--replace", description = "replace the tables DIR already holds instead of merging into them"
                + " (the preferences file is always merged)")
        boolean replace;

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
            List<OutputFile.Input> inputs = new ArrayList<>(keyOptions.inputs());
            inputs.add(new OutputFile.Input("the capture", Path.of(file)));
            try {
                for (WiresharkTables.Table t : WiresharkTables.Table.values()) {
                    OutputFile.refuseInputs(dir.resolve(t.file), inputs);
                }
                OutputFile.refuseInputs(dir.resolve("preferences"), inputs);
            } catch (OutputFile.RefusedException e) {
                err.println("vpnsleuth: " + e.getMessage());
                return Main.UNREADABLE;
            }
            Decoder d = new Decoder();
            keyOptions.apply(d);
            try (CaptureReader r = Captures.open(file)) {
                Packet p = new Packet();
                Frame f = new Frame();
                while (r.next(f)) {
                    d.decode(f, p);
                }
            } catch (CaptureException e) {
                err.println("vpnsleuth: " + e.getMessage());
                err.println("vpnsleuth: nothing was written to " + dir);
                return Main.UNREADABLE;
            } catch (IOException e) {
                err.println("vpnsleuth: cannot read " + file + ": " + OutputFile.reason(e));
                return Main.UNREADABLE;
            }
            IkeDecryption ike = IkeDecodeState.of(d).decryption();
            WiresharkTables.Tables tables = WiresharkTables.tables(ike, ike.esp());
            if (replace && Files.isDirectory(dir)) {
                for (WiresharkTables.Table t : WiresharkTables.Table.values()) {
                    int n = WiresharkTables.records(dir.resolve(t.file));
                    if (n > 0) {
                        err.println("note: --replace: " + dir.resolve(t.file) + " is replaced: its " + n + " record(s) are not kept");
                    }
                }
            }
            List<String> said;
            try {
                said = WiresharkTables.writeProfile(dir, tables, replace);
            } catch (IOException e) {
                err.println("vpnsleuth: cannot write the Wireshark profile " + dir + ": " + OutputFile.reason(e)
                        + " (no file of it was changed)");
                return Main.UNREADABLE;
            }
            out.println("wrote " + ike.verifiedV1().size() + " IKEv1, " + ike.verifiedV2().size()
                    + " IKEv2 and " + ike.esp().verified().size() + " ESP SA(s) to the Wireshark profile " + dir + ":");
            for (String l : said) {
                out.println("  " + l);
            }
            for (String l : tables.left()) {
                err.println("warning: " + l);
            }
            out.println("Use it (the files hold secrets, mode 0600):");
            out.println("  tshark:    WIRESHARK_CONFIG_DIR=" + shellWord(dir) + " tshark -r " + shellWord(Path.of(file)));
            out.println("  Wireshark: WIRESHARK_CONFIG_DIR=" + shellWord(dir) + " wireshark " + shellWord(Path.of(file))
                    + "; or as a profile: export into (or copy the files to)");
            out.println("             ~/.config/wireshark/profiles/NAME (Windows: %APPDATA%\\Wireshark\\profiles\\NAME),"
                    + " then Edit > Configuration Profiles > NAME, or tshark -C NAME");
            if (keyOptions.showKeys) {
                StringBuilder keys = new StringBuilder();
                org.vpnsleuth.report.KeyReport.text(List.of(d), keys);
                out.append(keys);
            }
            out.flush();
            return keyOptions.exit(Main.OK);
        }

        /** A path as one shell word: as it is when it needs no quoting, else in single quotes. */
        static String shellWord(Path p) {
            String s = p.toString();
            return s.matches("[A-Za-z0-9_@%+=:,./~-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
        }
    }
}
