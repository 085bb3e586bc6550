package org.vpnsleuth.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.crypto.Encryption;
import org.vpnsleuth.base.TextLines;
import org.vpnsleuth.crypto.Integrity;

/**
 * Reads Wireshark's own key tables, the UAT files {@code ikev1_decryption_table},
 * {@code ikev2_decryption_table} and {@code esp_sa} of a Wireshark profile: one record per line,
 * comma-separated fields, each a double-quoted string (with C-style escapes: {@code \xNN}, octal,
 * {@code \n} ...), a run of hex digit pairs, or empty; lines starting with {@code #} are comments.
 * Which table a file is comes from the shape of its records. Algorithm names map to vpnsleuth's
 * algorithms through {@link WiresharkNames}; what vpnsleuth cannot use (an algorithm it lacks, a
 * wildcard SPI, a newer Wireshark's extra columns) is skipped or ignored with a note in
 * {@link KeyMaterial#notes}, never silently. An error names the file, the line, the field and what
 * it should hold, never the field's text (it may be a key).
 */
final class WiresharkKeyTables {
    /** The patterns the fields are checked against, compiled once (a table may have thousands of records). */
    private static final java.util.regex.Pattern HEX16 = java.util.regex.Pattern.compile("[0-9a-fA-F]{16}");
    private static final java.util.regex.Pattern SPI = java.util.regex.Pattern.compile("0[xX][0-9a-fA-F]{1,8}");
    private static final java.util.regex.Pattern V4 = java.util.regex.Pattern.compile("[0-9.*]+");
    private static final java.util.regex.Pattern V6 = java.util.regex.Pattern.compile("[0-9a-fA-F:.*]+");
    private static final java.util.regex.Pattern HEX = java.util.regex.Pattern.compile("[0-9a-fA-F]*");
    private static final java.util.regex.Pattern LOWER_HEX = java.util.regex.Pattern.compile("[0-9a-f]*");

    private WiresharkKeyTables() {
    }

    enum Table {
        IKEV1("ikev1_decryption_table", 2, "Initiator's COOKIE, Encryption Key"),
        IKEV2("ikev2_decryption_table", 8, "SPIi, SPIr, SK_ei, SK_er, encryption algorithm, SK_ai, SK_ar, integrity algorithm"),
        ESP("esp_sa", 8, "protocol, Src IP, Dest IP, SPI, encryption algorithm, encryption key, authentication algorithm,"
                + " authentication key");

        final String file;
        final int fields;
        final String columns;

        Table(String file, int fields, String columns) {
            this.file = file;
            this.fields = fields;
            this.columns = columns;
        }
    }

    /** A field: its text (escapes undone) and whether it was quoted. */
    record Field(String text, boolean quoted) {
    }

    /** Thrown by {@link #fields} with what is wrong (the caller adds FILE:LINE). */
    static final class Syntax extends Exception {
        Syntax(String m) {
            super(m);
        }
    }

    /** True for a line that is blank or a comment. */
    static boolean skip(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }

    /** The fields of a UAT record line. */
    static List<Field> fields(String line) throws Syntax {
        List<Field> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i = quoted(line, i + 1, sb, out.size() + 1);
                out.add(new Field(sb.toString(), true));
            } else if (i < n && Character.isLetterOrDigit(line.charAt(i))) {
                int s = i;
                while (i < n && Character.isLetterOrDigit(line.charAt(i))) {
                    i++;
                }
                out.add(new Field(line.substring(s, i), false));
            } else {
                out.add(new Field("", false));
            }
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            if (line.charAt(i) != ',') {
                throw new Syntax("unexpected character at column " + (i + 1) + ", after field " + out.size()
                        + " (fields are \"quoted\", hex digit pairs or empty, separated by commas)");
            }
            i++;
        }
    }

    /** Reads a quoted string's body from {@code i} (after the opening quote) into {@code sb}; returns the index after the closing quote. */
    private static int quoted(String s, int i, StringBuilder sb, int field) throws Syntax {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c != '\\' || i >= n) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'e' -> sb.append('\u001b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case 'x' -> {
                    if (i + 1 < n && hexDigit(s.charAt(i)) && hexDigit(s.charAt(i + 1))) {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 2), 16));
                        i += 2;
                    } else {
                        sb.append('x'); // as Wireshark: "\x" without two hex digits is an x
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i < n && s.charAt(i) >= '0' && s.charAt(i) <= '7'; k++) {
                            v = v * 8 + s.charAt(i++) - '0';
                        }
                        sb.append((char) Math.min(v, 255));
                    } else {
                        sb.append(e); // \" \\ and any other escaped character stand for themselves
                    }
                }
            }
        }
        throw new Syntax("field " + field + ": a quoted string without its closing '\"'");
    }

    private static boolean hexDigit(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** True when the record looks like one of the three tables. */
    static Table shape(List<Field> f) {
        if (f.isEmpty()) {
            return null;
        }
        if (f.get(0).quoted() && (f.get(0).text().equals("IPv4") || f.get(0).text().equals("IPv6")) && f.size() >= 4) {
            return Table.ESP;
        }
        if (!f.get(0).quoted() && HEX16.matcher(f.get(0).text()).matches()) {
            return f.size() == 2 ? Table.IKEV1 : f.size() >= 3 && HEX16.matcher(f.get(1).text()).matches() ? Table.IKEV2 : null;
        }
        return null;
    }

    /** The table a file holds: by its first record's shape, else by the file name; null when neither tells. */
    static Table detect(String fileName, List<String> lines) {
        for (String l : lines.subList(0, Math.min(lines.size(), 200))) {
            if (skip(l)) {
                continue;
            }
            try {
                Table t = shape(fields(l));
                if (t != null) {
                    return t;
                }
            } catch (Syntax e) {
                // not a record: maybe the file name says what it is
            }
            break;
        }
        for (Table t : Table.values()) {
            if (t.file.equals(fileName)) {
                return t;
            }
        }
        return null;
    }

    /** Reads the records of {@code table} from {@code lines} into {@code into}. */
    static void load(String file, Table table, TextLines lines, KeyMaterial into) throws KeyFiles.KeyFileException, IOException {
        for (String line; (line = lines.next()) != null; ) {
            long n = lines.number();
            if (skip(line)) {
                continue;
            }
            String where = file + ":" + n;
            List<Field> f;
            try {
                f = fields(line);
            } catch (Syntax e) {
                throw new KeyFiles.KeyFileException(where + ": " + e.getMessage());
            }
            if (f.size() < table.fields || table != Table.ESP && f.size() > table.fields) {
                throw new KeyFiles.KeyFileException(where + ": " + f.size() + " field(s); a record of Wireshark's " + table.file
                        + " has " + table.fields + " (" + table.columns + ")");
            }
            switch (table) {
                case IKEV1 -> ikev1(where, f, into);
                case IKEV2 -> ikev2(where, f, into);
                default -> esp(where, f, into);
            }
        }
    }

    private static void ikev1(String where, List<Field> f, KeyMaterial into) throws KeyFiles.KeyFileException {
        long cookie = spi64(where, f.get(0), "field 1 (Initiator's COOKIE)");
        byte[] key = hexBytes(where, f.get(1), "Encryption Key");
        if (key.length == 0) {
            throw new KeyFiles.KeyFileException(where + ": empty Encryption Key");
        }
        // the table names the initiator's cookie only: the keys serve whichever responder cookie goes with it
        into.ikev1.add(new KeyMaterial.Ikev1Keys(cookie, 0, key, null, null, where));
    }

    private static void ikev2(String where, List<Field> f, KeyMaterial into) throws KeyFiles.KeyFileException {
        long spiI = spi64(where, f.get(0), "field 1 (SPIi)");
        long spiR = spi64(where, f.get(1), "field 2 (SPIr)");
        byte[] skEi = hexBytes(where, f.get(2), "SK_ei");
        byte[] skEr = hexBytes(where, f.get(3), "SK_er");
        WiresharkNames.Name encName = name(where, "ikev2-encr", f, 4, "encryption algorithm");
        byte[] skAi = hexBytes(where, f.get(5), "SK_ai");
        byte[] skAr = hexBytes(where, f.get(6), "SK_ar");
        WiresharkNames.Name integName = name(where, "ikev2-integ", f, 7, "integrity algorithm");
        String sa = String.format("IKEv2 SA %016x/%016x", spiI, spiR);
        if (encName.use() != WiresharkNames.Use.ALGORITHM) {
            into.notes.add(where + ": " + sa + " not used: vpnsleuth does not decrypt " + encName.name());
            return;
        }
        Encryption enc = Encryption.fromIkev2Id(encName.id());
        if (enc == null) {
            into.notes.add(where + ": " + sa + " not used: vpnsleuth does not decrypt " + encName.name());
            return;
        }
        int want = enc.keyMaterialLength(enc.keyLengthAttribute() ? encName.bits() : 0);
        for (Object[] k : new Object[][] {{"SK_ei", skEi}, {"SK_er", skEr}}) {
            if (((byte[]) k[1]).length != want) {
                throw new KeyFiles.KeyFileException(where + ": " + k[0] + " is " + ((byte[]) k[1]).length + " bytes; "
                        + encName.name() + " takes " + want + (enc.saltLength() > 0 ? " (the key and its " + enc.saltLength()
                        + "-byte salt)" : ""));
            }
        }
        int integ = 0;
        if (enc.aead()) {
            if (integName.use() != WiresharkNames.Use.ALGORITHM || integName.id() != 0) {
                into.notes.add(where + ": " + sa + ": integrity algorithm " + integName.name() + " ignored: " + encName.name()
                        + " carries its own ICV");
            }
            skAi = null;
            skAr = null;
        } else {
            Integrity in = integName.use() == WiresharkNames.Use.ALGORITHM ? Integrity.fromIkev2Id(integName.id()) : null;
            if (in == null) {
                into.notes.add(where + ": " + sa + " not used: " + integName.name() + (integName.name().startsWith("ANY")
                        ? " checks nothing, and vpnsleuth checks the ICV of every IKE message before decrypting it"
                        : " is not an integrity algorithm vpnsleuth checks"));
                return;
            }
            integ = in.ikev2Id();
            for (Object[] k : new Object[][] {{"SK_ai", skAi}, {"SK_ar", skAr}}) {
                if (((byte[]) k[1]).length != in.keyLength()) {
                    throw new KeyFiles.KeyFileException(where + ": " + k[0] + " is " + ((byte[]) k[1]).length + " bytes; "
                            + integName.name() + " takes " + in.keyLength());
                }
            }
        }
        into.ikev2.add(new KeyMaterial.Ikev2Keys(spiI, spiR, null, skAi, skAr, skEi, skEr, null, null, where, enc.ikev2Id(),
                enc.keyLengthAttribute() ? encName.bits() : 0, integ));
    }

    private static void esp(String where, List<Field> f, KeyMaterial into) throws KeyFiles.KeyFileException {
        String proto = f.get(0).text();
        if (!proto.equals("IPv4") && !proto.equals("IPv6")) {
            throw new KeyFiles.KeyFileException(where + ": field 1 (protocol) is neither \"IPv4\" nor \"IPv6\"");
        }
        String src = address(where, f.get(1).text(), proto, "field 2 (Src IP)");
        String dst = address(where, f.get(2).text(), proto, "field 3 (Dest IP)");
        String spiText = f.get(3).text().strip();
        WiresharkNames.Name encName = name(where, "esp-encr", f, 4, "encryption algorithm");
        byte[] encKey = espKey(where, f.get(5).text(), "encryption key");
        WiresharkNames.Name authName = name(where, "esp-integ", f, 6, "authentication algorithm");
        byte[] authKey = espKey(where, f.get(7).text(), "authentication key");
        if (f.size() > Table.ESP.fields) {
            into.notes.add(where + ": " + (f.size() - Table.ESP.fields) + " field(s) after the authentication key ignored"
                    + " (a newer Wireshark's columns, e.g. its sequence-number settings; vpnsleuth takes ESN from the"
                    + " negotiation or an esn flag in its own keys file)");
        }
        boolean anySpi = spiText.equals("*");
        if (spiText.contains("*") && !anySpi) {
            into.notes.add(where + ": ESP SA with an SPI pattern (a '*' among other characters) not used: vpnsleuth takes"
                    + " an SPI or '*' (any SPI), not a pattern");
            return;
        }
        if (!anySpi && !SPI.matcher(spiText).matches()) {
            throw new KeyFiles.KeyFileException(where + ": field 4 (SPI) is not 0x and 1 to 8 hex digits (or *)");
        }
        long spi = anySpi ? KeyMaterial.ANY_SPI : Long.parseLong(spiText.substring(2), 16);
        String sa = anySpi ? "ESP SA with any SPI" : "ESP SA 0x" + HexFormat.of().toHexDigits((int) spi); // %08x, without a Formatter per record
        if (!anySpi && (src == null || dst == null)) {
            into.notes.add(where + ": " + sa + ": wildcard address (" + (src == null ? "Src IP '" + f.get(1).text() + "'" : "")
                    + (src == null && dst == null ? ", " : "") + (dst == null ? "Dest IP '" + f.get(2).text() + "'" : "")
                    + "): vpnsleuth finds ESP keys by the SPI alone");
        }
        Encryption enc = encName.use() == WiresharkNames.Use.ALGORITHM ? Encryption.fromIkev2Id(encName.id()) : null;
        if (enc == null) {
            into.notes.add(where + ": " + sa + " not used: vpnsleuth does not decrypt " + encName.name());
            return;
        }
        int bits = (encKey.length - enc.saltLength()) * 8;
        if (enc != Encryption.NULL && java.util.Arrays.stream(enc.keyBits()).noneMatch(b -> b == bits)) {
            throw new KeyFiles.KeyFileException(where + ": the encryption key is " + encKey.length + " bytes; " + encName.name()
                    + " takes " + lengths(enc));
        }
        int integ = 0;
        if (enc.aead()) {
            if (authName.use() != WiresharkNames.Use.ALGORITHM || authName.id() != 0) {
                into.notes.add(where + ": " + sa + ": authentication algorithm " + authName.name() + " ignored: " + encName.name()
                        + " carries its own ICV (tshark 4.0 wants NULL there)");
            }
            authKey = null;
        } else if (authName.use() == WiresharkNames.Use.UNCHECKED_ICV) {
            Integrity in = icvOf(authName.bits() / 8);
            if (in == null) {
                into.notes.add(where + ": " + sa + " not used: no integrity algorithm of vpnsleuth has a " + authName.bits()
                        + "-bit ICV (" + authName.name() + ")");
                return;
            }
            integ = in.ikev2Id();
            authKey = null; // an ICV of that length that nobody checks: the padding is checked instead
        } else if (authName.use() == WiresharkNames.Use.UNSUPPORTED) {
            into.notes.add(where + ": " + sa + " not used: vpnsleuth does not check " + authName.name());
            return;
        } else if (authName.id() != 0) {
            integ = authName.id();
            if (authKey.length == 0) {
                into.notes.add(where + ": " + sa + ": no authentication key: the ICV is not checked");
                authKey = null;
            }
        } else {
            authKey = null;
        }
        if (anySpi && !enc.aead() && (integ == 0 || authKey == null)) {
            into.notes.add(where + ": " + sa + " not used: without a checked ICV nothing tells which SPI's packets it opens");
            return;
        }
        if (anySpi) {
            into.notes.add(where + ": " + sa + ": tried on every SPI that no other key names" + (dst != null
                    ? " whose packets go to " + dst : "") + ", kept for the SPI once its ICV verifies");
        }
        into.esp.add(new KeyMaterial.EspKey(spi, dst, enc.ikev2Id(), enc == Encryption.NULL ? 0 : bits, encKey, integ, authKey,
                where));
    }

    private static Integrity icvOf(int bytes) {
        for (Integrity i : Integrity.values()) {
            if (i.icvLength() == bytes) {
                return i;
            }
        }
        return null;
    }

    private static String lengths(Encryption enc) {
        List<String> l = new ArrayList<>();
        for (int b : enc.keyBits()) {
            l.add(String.valueOf(b / 8 + enc.saltLength()));
        }
        return String.join(", ", l) + " bytes" + (enc.saltLength() > 0 ? " (the key and its " + enc.saltLength() + "-byte salt)" : "");
    }

    /** The address, or null for a wildcard ("*", "10.0.*"); an error when it is neither an address of the protocol nor a pattern. */
    private static String address(String where, String a, String proto, String what) throws KeyFiles.KeyFileException {
        String t = a.strip();
        boolean v4 = proto.equals("IPv4");
        if (t.isEmpty() || !(v4 ? V4.matcher(t).matches() : V6.matcher(t).matches() && t.contains(":") || t.equals("*"))) {
            throw new KeyFiles.KeyFileException(where + ": " + what + " is not an " + proto + " address or wildcard");
        }
        return t.contains("*") ? null : t;
    }

    /** An esp_sa key: "0x" and hex digits (an odd count gets a leading 0, as Wireshark reads it), else the text's own bytes. */
    private static byte[] espKey(String where, String s, String what) throws KeyFiles.KeyFileException {
        if (s.length() >= 2 && s.charAt(0) == '0' && (s.charAt(1) == 'x' || s.charAt(1) == 'X')) {
            String h = s.substring(2);
            if (!HEX.matcher(h).matches()) {
                throw new KeyFiles.KeyFileException(where + ": the " + what + " starts with 0x but is not all hex digits");
            }
            return HexFormat.of().parseHex((h.length() & 1) != 0 ? "0" + h : h);
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static WiresharkNames.Name name(String where, String table, List<Field> fields, int i, String what)
            throws KeyFiles.KeyFileException {
        WiresharkNames.Name n = WiresharkNames.byName(table, fields.get(i).text());
        if (n == null) {
            String file = table.startsWith("esp") ? "esp_sa" : "ikev2_decryption_table";
            throw new KeyFiles.KeyFileException(where + ": field " + (i + 1) + " is not an " + what + " of Wireshark 4.0's "
                    + file + " (such as " + WiresharkNames.examples(table) + "; the names are spelled exactly as Wireshark"
                    + " spells them)");
        }
        return n;
    }

    private static long spi64(String where, Field f, String what) throws KeyFiles.KeyFileException {
        String t = f.text();
        if (f.quoted() || !HEX16.matcher(t).matches()) {
            throw new KeyFiles.KeyFileException(where + ": " + what + " is not 16 hex digits" + (f.quoted()
                    ? " (it is quoted; Wireshark writes it bare)" : ""));
        }
        return Long.parseUnsignedLong(t, 16);
    }

    private static byte[] hexBytes(String where, Field f, String what) throws KeyFiles.KeyFileException {
        String t = f.text();
        if (f.quoted()) {
            throw new KeyFiles.KeyFileException(where + ": " + what + " is quoted; Wireshark writes it as bare hex digits"
                    + " (a quoted value would be taken as the characters themselves)");
        }
        if ((t.length() & 1) != 0 || !LOWER_HEX.matcher(t.toLowerCase(Locale.ROOT)).matches()) {
            throw new KeyFiles.KeyFileException(where + ": " + what + " is not an even number of hex digits");
        }
        return HexFormat.of().parseHex(t);
    }
}
