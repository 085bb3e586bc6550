package org.vpnsleuth.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.base.OutputFile;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.WiresharkNames;

/**
 * Writes the keys that verified while a capture was decrypted as a Wireshark profile: the
 * decryption tables (ikev1_decryption_table, ikev2_decryption_table, esp_sa), the ESP keys
 * vpnsleuth derived itself included, and a {@code preferences} file that turns on ESP decryption
 * and ESP authentication checking (both off by default, so the tables alone decrypt no ESP). What
 * the directory already holds is kept: a table is merged record by record (a record with the same
 * key as one of ours is replaced by ours and said; ours come first, so that a wildcard record of the
 * user's cannot hide them, since Wireshark takes the first esp_sa record that matches), or with
 * {@code replace} the table is replaced; the preferences file keeps every line, ours added or set.
 * Each file is written through {@link OutputFile} (temporary file, renamed when complete), mode 0600;
 * a directory created is 0700. Algorithms Wireshark's tables cannot name are left out and listed.
 */
public final class WiresharkTables {
    private WiresharkTables() {
    }

    /** The preferences vpnsleuth sets (names as {@code tshark -G defaultprefs} gives them). */
    public static final Map<String, String> PREFERENCES = prefs();

    private static Map<String, String> prefs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("esp.enable_encryption_decode", "TRUE");
        m.put("esp.enable_authentication_check", "TRUE");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The three tables: file name, how many leading fields make a record's key, and what they are. */
    public enum Table {
        IKEV1("ikev1_decryption_table", 1, "initiator's cookie"),
        IKEV2("ikev2_decryption_table", 2, "SPIi and SPIr"),
        ESP("esp_sa", 4, "protocol, addresses and SPI");

        public final String file;
        final int keyFields;
        final String keyName;

        Table(String file, int keyFields, String keyName) {
            this.file = file;
            this.keyFields = keyFields;
            this.keyName = keyName;
        }
    }

    /** One record of ours: the line and a label for messages (no secret in it). */
    public record Record(String line, String label) {
    }

    /** The records for each table, and what could not be written. */
    public record Tables(Map<Table, List<Record>> records, List<String> left) {
    }

    private static String name(String table, int id, int bits) {
        return WiresharkNames.name(table, id, bits);
    }

    /** The records for the keys that verified; what Wireshark cannot name goes to {@link Tables#left}. */
    public static Tables tables(IkeDecryption ike, EspDecryption esp) {
        HexFormat hex = HexFormat.of();
        List<String> left = new ArrayList<>();
        Map<Table, List<Record>> t = new LinkedHashMap<>();
        List<Record> v1 = new ArrayList<>();
        for (IkeDecryption.VerifiedV1 k : ike.verifiedV1()) {
            v1.add(new Record(String.format("%016x,%s", k.cookieI(), hex.formatHex(k.encKey())), String.format("cookie %016x", k.cookieI())));
        }
        List<Record> v2 = new ArrayList<>();
        for (IkeDecryption.VerifiedV2 k : ike.verifiedV2()) {
            String enc = name("ikev2-encr", k.enc().ikev2Id(), k.keyBits());
            String integ = k.integ() == null ? null : name("ikev2-integ", k.integ().ikev2Id(), 0);
            if (enc == null || integ == null) {
                left.add(String.format("IKEv2 SA %016x/%016x: %s / %s not in Wireshark's table", k.spiI(), k.spiR(), k.enc(),
                        k.integ()));
                continue;
            }
            v2.add(new Record(String.format("%016x,%016x,%s,%s,\"%s\",%s,%s,\"%s\"", k.spiI(), k.spiR(), hex.formatHex(k.keys().skEi()),
                    hex.formatHex(k.keys().skEr()), enc, hex.formatHex(k.keys().skAi()), hex.formatHex(k.keys().skAr()), integ),
                    String.format("SPIs %016x/%016x", k.spiI(), k.spiR())));
        }
        List<Record> sa = new ArrayList<>();
        for (Map.Entry<Long, EspDecryption.Sa> e : esp.verified().entrySet()) {
            EspDecryption.Sa s = e.getValue();
            String[] ep = esp.endpoints(e.getKey());
            String enc = name("esp-encr", s.enc().ikev2Id(), 0);
            // no integrity key (tcpdump's -E secrets): an ICV of that length that tshark does not check either
            String integ = s.integ() != null ? name("esp-integ", s.integ().ikev2Id(), 0)
                    : s.icvLength() > 0 && !s.enc().aead() ? WiresharkNames.uncheckedIcv("esp-integ", s.icvLength() * 8)
                    : name("esp-integ", 0, 0);
            if (ep == null || enc == null || integ == null) {
                left.add(String.format("ESP SA 0x%08x: %s / %s not in Wireshark's table", e.getKey(), s.enc(), s.integ()));
                continue;
            }
            String fam = ep[0].indexOf(':') >= 0 ? "IPv6" : "IPv4";
            sa.add(new Record(String.format("\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s\"", fam, ep[0], ep[1], e.getKey(),
                    enc, hex.formatHex(s.encKey()), integ, s.authKey() == null || s.integ() == null ? ""
                            : "0x" + hex.formatHex(s.authKey())), String.format("SPI 0x%08x %s -> %s", e.getKey(), ep[0], ep[1])));
        }
        t.put(Table.IKEV1, v1);
        t.put(Table.IKEV2, v2);
        t.put(Table.ESP, sa);
        return new Tables(t, left);
    }

    /**
     * Writes the profile into {@code dir} (created 0700 with the missing parents when absent);
     * returns what was done, file by file, for the user. No file is renamed into place before all
     * four are written.
     */
    public static List<String> writeProfile(Path dir, Tables tables, boolean replace) throws IOException {
        createPrivateDirectories(dir);
        List<String> said = new ArrayList<>();
        List<OutputFile> files = new ArrayList<>();
        try {
            for (Table t : Table.values()) {
                Path f = dir.resolve(t.file);
                List<String> existing = readIfExists(f);
                StringBuilder text = new StringBuilder();
                said.add(t.file + ": " + merge(t, existing, tables.records().get(t), replace, text));
                files.add(write(f, text));
            }
            Path p = dir.resolve("preferences");
            StringBuilder text = new StringBuilder();
            said.add("preferences: " + preferences(readIfExists(p), text));
            files.add(write(p, text));
            for (OutputFile f : files) {
                f.commit();
            }
        } finally {
            for (OutputFile f : files) {
                f.close();
            }
        }
        return said;
    }

    private static OutputFile write(Path f, CharSequence text) throws IOException {
        OutputFile o = OutputFile.open(f, true);
        try {
            o.stream().write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
            o.stream().flush();
        } catch (IOException e) {
            o.close();
            throw e;
        }
        return o;
    }

    /** Creates {@code dir} and its missing parents, each 0700 (where the file system has POSIX permissions). */
    static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path abs = dir.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(0, p);
        }
        boolean posix = abs.getFileSystem().supportedFileAttributeViews().contains("posix");
        for (Path p : missing) {
            try {
                if (posix) {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------")); // whatever the umask
                } else {
                    Files.createDirectory(p);
                }
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw new java.nio.file.FileSystemException(p.toString(), null, "exists and is not a directory");
                }
            }
        }
    }

    /** How many records (lines that are not blank or comments) a table file holds; 0 when it cannot be read. */
    public static int records(Path f) {
        try {
            return (int) readIfExists(f).stream().filter(l -> !isComment(l)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The lines of a file that exists (a table or preferences: read whole, at most 64 MiB), else an empty list. */
    static List<String> readIfExists(Path f) throws IOException {
        if (!Files.exists(f)) {
            return List.of();
        }
        if (!Files.isRegularFile(f)) {
            throw new java.nio.file.FileSystemException(f.toString(), null, "exists and is not a regular file");
        }
        long max = 64L << 20;
        byte[] b;
        try (InputStream in = Files.newInputStream(f)) {
            b = in.readNBytes((int) max + 1);
        }
        if (b.length > max) {
            throw new java.nio.file.FileSystemException(f.toString(), null, "larger than 64 MiB: not a Wireshark table");
        }
        return new String(b, StandardCharsets.ISO_8859_1).lines().toList();
    }

    /**
     * The table's new text in {@code text}: ours, and (unless {@code replace}) the user's lines
     * that are not replaced by one of ours, comments included, in their order; ours go after the
     * user's leading comments and before the user's first record. Returns what was done.
     */
    static String merge(Table t, List<String> existing, List<Record> ours, boolean replace, StringBuilder text) {
        Map<String, Record> byKey = new LinkedHashMap<>();
        for (Record r : ours) {
            byKey.put(key(t, r.line()), r);
        }
        int records = 0;
        for (String l : existing) {
            if (!isComment(l)) {
                records++;
            }
        }
        List<String> replaced = new ArrayList<>();
        int kept = 0;
        boolean placed = false;
        Map<String, Boolean> seen = new HashMap<>();
        if (!replace) {
            for (String l : existing) {
                if (!placed && !isComment(l)) {
                    append(ours, text);
                    placed = true;
                }
                if (isComment(l)) {
                    text.append(l).append('\n');
                    continue;
                }
                String k = key(t, l);
                Record r = k == null ? null : byKey.get(k);
                if (r != null) {
                    if (seen.put(k, Boolean.TRUE) == null) {
                        replaced.add(r.label());
                    }
                    continue;
                }
                text.append(l).append('\n');
                kept++;
            }
        }
        if (!placed) {
            append(ours, text);
        }
        StringBuilder s = new StringBuilder();
        s.append(ours.size()).append(ours.size() == 1 ? " record" : " records").append(" of this capture");
        if (replace) {
            s.append(records > 0 ? "; --replace: the table's " + records + " previous record(s) replaced" : "");
        } else {
            if (!replaced.isEmpty()) {
                s.append("; ").append(replaced.size()).append(" of them replaced your record(s) with the same ").append(t.keyName)
                        .append(" (").append(String.join(", ", replaced)).append(')');
            }
            if (kept > 0) {
                s.append("; ").append(kept).append(" of your record(s) kept").append(t == Table.ESP && !ours.isEmpty()
                        ? " after ours (Wireshark uses the first esp_sa record that matches)" : "");
            }
        }
        return s.toString();
    }

    private static void append(List<Record> ours, StringBuilder text) {
        for (Record r : ours) {
            text.append(r.line()).append('\n');
        }
    }

    private static boolean isComment(String line) {
        String s = line.strip();
        return s.isEmpty() || s.startsWith("#");
    }

    /**
     * A record's key: its first fields (quotes taken off, case and a {@code 0x} ignored, spaces
     * around commas dropped), or null for a line without that many fields.
     */
    static String key(Table t, String line) {
        List<String> f = new ArrayList<>(t.keyFields);
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length() && f.size() < t.keyFields; i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(c).append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                f.add(normal(cur));
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (f.size() < t.keyFields && cur.length() > 0 && !quoted) {
            f.add(normal(cur));
        }
        return f.size() < t.keyFields ? null : String.join(",", f);
    }

    private static String normal(CharSequence field) {
        String s = field.toString().strip().toLowerCase(Locale.ROOT);
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    /**
     * The preferences file's new text in {@code text}: every line kept; each preference of ours set
     * where the file sets it, added at the end otherwise. Returns what was done.
     */
    static String preferences(List<String> existing, StringBuilder text) {
        Map<String, String> before = new LinkedHashMap<>();
        for (String l : existing) {
            String name = prefName(l);
            if (name != null && PREFERENCES.containsKey(name)) {
                before.put(name, l.substring(l.indexOf(':') + 1).strip());
                text.append(name).append(": ").append(PREFERENCES.get(name)).append('\n');
            } else {
                text.append(l).append('\n');
            }
        }
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, String> p : PREFERENCES.entrySet()) {
            if (!before.containsKey(p.getKey())) {
                if (added.isEmpty()) {
                    text.append(existing.isEmpty() ? "# Wireshark preferences (written by vpnsleuth keys export)\n"
                            : "\n# added by vpnsleuth keys export\n");
                }
                text.append(p.getKey()).append(": ").append(p.getValue()).append('\n');
                added.add(p.getKey() + ": " + p.getValue());
            }
        }
        List<String> set = new ArrayList<>();
        List<String> already = new ArrayList<>();
        for (Map.Entry<String, String> b : before.entrySet()) {
            if (b.getValue().equalsIgnoreCase(PREFERENCES.get(b.getKey()))) {
                already.add(b.getKey());
            } else {
                set.add(b.getKey() + " " + b.getValue() + " -> " + PREFERENCES.get(b.getKey()));
            }
        }
        int others = 0;
        for (String l : existing) {
            String name = prefName(l);
            if (name != null && !PREFERENCES.containsKey(name)) {
                others++;
            }
        }
        List<String> s = new ArrayList<>();
        if (!added.isEmpty()) {
            s.add("added " + String.join(", ", added));
        }
        if (!set.isEmpty()) {
            s.add("set " + String.join(", ", set));
        }
        if (!already.isEmpty()) {
            s.add(String.join(", ", already) + " already TRUE");
        }
        if (others > 0) {
            s.add(others + " other preference(s) of yours kept");
        }
        return String.join("; ", s) + " (ESP decryption and ESP authentication checking on)";
    }

    /** The preference a line sets ("name: value", not a comment or a continuation), or null. */
    private static String prefName(String line) {
        if (line.isEmpty() || line.startsWith("#") || Character.isWhitespace(line.charAt(0))) {
            return null;
        }
        int colon = line.indexOf(':');
        return colon <= 0 ? null : line.substring(0, colon).strip();
    }
}
