package org.vpnsleuth.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hex dumps of a strongSwan charon level-4 log: a header line {@code NAME => N bytes @ 0x...}
 * followed by lines {@code   0: 7E 44 6B ...  ascii} (the parser of captures/verify-captures.py).
 */
final class CharonLog {
    record Dump(String name, byte[] value) {
    }

    private static final Pattern HDR = Pattern.compile("\\] (?:<[^>]*> )?(.*?) => (\\d+) bytes @ 0x");
    private static final Pattern ROW = Pattern.compile("\\] (?:<[^>]*> )?\\s*\\d+: ((?:[0-9A-F]{2} ?)+)");

    private final List<Dump> dumps;

    private CharonLog(List<Dump> dumps) {
        this.dumps = dumps;
    }

    static CharonLog read(Path log) {
        List<Dump> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String name = null;
        int need = 0;
        StringBuilder buf = new StringBuilder();
        for (String line : lines) {
            Matcher h = HDR.matcher(line);
            if (h.find()) {
                name = h.group(1).trim();
                need = Integer.parseInt(h.group(2));
                buf.setLength(0);
                if (need == 0) {
                    out.add(new Dump(name, new byte[0]));
                    name = null;
                }
                continue;
            }
            if (name != null) {
                Matcher r = ROW.matcher(line);
                if (r.find()) {
                    String hex = r.group(1).replace(" ", "");
                    buf.append(hex, 0, Math.min(32, hex.length()));
                    if (buf.length() >= 2 * need) {
                        out.add(new Dump(name, HexFormat.of().parseHex(buf.substring(0, 2 * need))));
                        name = null;
                    }
                }
            }
        }
        return new CharonLog(out);
    }

    /** Every value dumped under {@code name}, in log order. */
    List<byte[]> all(String name) {
        List<byte[]> r = new ArrayList<>();
        for (Dump d : dumps) {
            if (d.name().equals(name)) {
                r.add(d.value());
            }
        }
        return r;
    }

    /** The first value dumped under {@code name}. */
    byte[] first(String name) {
        List<byte[]> a = all(name);
        if (a.isEmpty()) {
            throw new AssertionError("no dump named '" + name + "' in the log");
        }
        return a.get(0);
    }
}
