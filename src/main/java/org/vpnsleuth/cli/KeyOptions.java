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

    @Option(names = "--psk", paramLabel = "TEXT", description = "a pre-shared key (repeatable; 0x... for hex)")
    List<String> psks = new ArrayList<>();

    @Option(names = "--show-keys", description = "print the key material that decrypted each SA (SK_*, Ka, ESP keys, the"
            + " matching PSK) after the report; without it no secret is ever printed")
    boolean showKeys;

    /** The key material, or null when none was given. */
    KeyMaterial load() throws IOException, KeyFiles.KeyFileException {
        if (keyFiles.isEmpty() && psks.isEmpty()) {
            return null;
        }
        KeyMaterial k = new KeyMaterial();
        for (Path f : keyFiles) {
            KeyFiles.load(f, k);
        }
        for (int i = 0; i < psks.size(); i++) {
            k.psks.add(new KeyMaterial.Psk(psk(psks.get(i), psks.size() == 1 ? "--psk" : "--psk #" + (i + 1)), null,
                    psks.size() == 1 ? "--psk" : "--psk #" + (i + 1)));
        }
        return k;
    }

    /** The key files given, as inputs no output may overwrite. */
    List<org.vpnsleuth.base.OutputFile.Input> inputs() {
        List<org.vpnsleuth.base.OutputFile.Input> l = new ArrayList<>();
        for (Path f : keyFiles) {
            l.add(new org.vpnsleuth.base.OutputFile.Input("--keys", f));
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
            keys = load();
            if (keys != null) {
                for (String n : keys.notes) {
                    err.println("note: " + n);
                }
            }
            return true;
        } catch (IOException e) {
            err.println("vpnsleuth: cannot read a key file: " + org.vpnsleuth.base.IoErrors.why(e));
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
