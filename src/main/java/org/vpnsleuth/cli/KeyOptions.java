package org.vpnsleuth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import picocli.CommandLine.Option;

/** `--keys FILE` and `--psk TEXT`, shared by the commands that decrypt (docs/keys.md). */
public final class KeyOptions {
    @Option(names = "--keys", paramLabel = "FILE", description = "key material: vpnsleuth keys file, strongSwan level-4 log,"
            + " tcpdump -E secrets, Wireshark's ikev1_decryption_table / ikev2_decryption_table / esp_sa, or a directory"
            + " holding those (kind recognised from the content; repeatable; docs/keys.md)")
    List<Path> keyFiles = new ArrayList<>();

    @Option(names = "--log", paramLabel = "FILE", description = "a strongSwan charon or libreswan pluto log whose outcome and"
            + " error lines are shown beside each SA's verdict (as those of a --keys log; its keys are not used; repeatable;"
            + " docs/keys.md)")
    List<Path> logFiles = new ArrayList<>();

    @Option(names = "--psk", paramLabel = "TEXT", description = "a pre-shared key (repeatable; 0x... for hex)")
    List<String> psks = new ArrayList<>();

    @Option(names = "--show-keys", description = "print the key material that decrypted each SA (SK_*, Ka, ESP keys, the"
            + " matching PSK) after the report; without it no secret is ever printed")
    boolean showKeys;

    /** Errors of key or log files that were skipped (each printed once); the command ends with UNREADABLE when any. */
    int skipped;

    /**
     * The key material, or null when none was given. A file that cannot be read or does not parse is
     * skipped whole (nothing of it is used) after its one-line error on {@code err}; the others are read.
     */
    KeyMaterial load(java.io.PrintWriter err) throws KeyFiles.KeyFileException {
        if (keyFiles.isEmpty() && psks.isEmpty() && logFiles.isEmpty()) {
            return null;
        }
        KeyMaterial k = new KeyMaterial();
        for (Path f : keyFiles) {
            KeyMaterial one = read(f, "--keys", err);
            if (one != null) {
                k.addAll(one);
            }
        }
        for (Path f : logFiles) {
            KeyMaterial one = read(f, "--log", err);
            if (one != null) {
                // only what a log says, never its keys
                k.daemonLog.addAll(one.daemonLog);
                if (one.daemonLog.isEmpty()) {
                    k.warnings.add(f + ": no outcome line of a strongSwan charon or libreswan pluto log (--log reads those"
                            + " daemons' logs; docs/keys.md)");
                }
            }
        }
        for (int i = 0; i < psks.size(); i++) {
            k.psks.add(new KeyMaterial.Psk(psk(psks.get(i), psks.size() == 1 ? "--psk" : "--psk #" + (i + 1)), null,
                    psks.size() == 1 ? "--psk" : "--psk #" + (i + 1)));
        }
        return k;
    }

    private KeyMaterial read(Path f, String option, java.io.PrintWriter err) {
        KeyMaterial one = new KeyMaterial();
        try {
            KeyFiles.load(f, one);
            return one;
        } catch (IOException e) {
            err.println("vpnsleuth: " + f + ": cannot read the " + option + " file: " + org.vpnsleuth.base.IoErrors.why(e)
                    + "; skipped");
        } catch (KeyFiles.KeyFileException e) {
            err.println("vpnsleuth: " + e.getMessage() + "; this " + option + " file is skipped, the rest is used");
        }
        skipped++;
        return null;
    }

    /** {@code rc}, or UNREADABLE when a key file was skipped and the command otherwise succeeded. */
    int exit(int rc) {
        return rc == 0 && skipped > 0 ? Main.UNREADABLE : rc;
    }

    /** The key files given, as inputs no output may overwrite. */
    List<org.vpnsleuth.base.OutputFile.Input> inputs() {
        List<org.vpnsleuth.base.OutputFile.Input> l = new ArrayList<>();
        for (Path f : keyFiles) {
            l.add(new org.vpnsleuth.base.OutputFile.Input("--keys", f));
        }
        for (Path f : logFiles) {
            l.add(new org.vpnsleuth.base.OutputFile.Input("--log", f));
        }
        return l;
    }

    /**
     * The bytes of a --psk value: 0x and hex digits, else the text as UTF-8. An error says which
     * --psk and what is wrong with it, never the value.
     */
    static byte[] psk(String p, String which) throws KeyFiles.KeyFileException {
        if (p.isEmpty()) {
            throw new KeyFiles.KeyFileException(which + ": an empty key (give the pre-shared key, or 0x and its hex digits)");
        }
        if (p.startsWith("0x") || p.startsWith("0X")) {
            String h = p.substring(2);
            if (h.isEmpty() || (h.length() & 1) != 0 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
                throw new KeyFiles.KeyFileException(which + ": starts with 0x but the rest is not an even number of hex digits"
                        + " (" + h.length() + " characters); a key that really starts with 0x: give it as hex");
            }
            return java.util.HexFormat.of().parseHex(h);
        }
        return p.getBytes(StandardCharsets.UTF_8);
    }

    /** The material loaded by {@link #loadOrReport}, or null. */
    KeyMaterial keys;

    /**
     * Loads the key material into {@link #keys}; false after printing the one-line error of a file
     * that cannot be read or a line that does not parse (the caller exits with UNREADABLE).
     */
    boolean loadOrReport(java.io.PrintWriter err) {
        try {
            keys = load(err);
            if (keys != null) {
                for (String n : keys.notes) {
                    err.println("note: " + n);
                }
                for (String w : keys.warnings) {
                    err.println("warning: " + w);
                }
            }
            return true;
        } catch (KeyFiles.KeyFileException e) {
            err.println("vpnsleuth: " + e.getMessage());
        }
        return false;
    }

    /** Decrypts with the loaded material from now on in {@code d}. */
    void apply(Decoder d) {
        apply(keys, d);
    }

    static void apply(KeyMaterial k, Decoder d) {
        if (k != null) {
            IkeDecryption.install(k, d);
        }
    }
}
