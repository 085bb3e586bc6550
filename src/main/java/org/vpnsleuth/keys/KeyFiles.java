package org.vpnsleuth.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vpnsleuth.base.IoErrors;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.base.TextLines;

/**
 * Reads key material, recognising each file's kind from its content: vpnsleuth's own keys file
 * (docs/keys.md), a strongSwan charon log at level 4 (file or syslog form), tcpdump's {@code -E}
 * secrets, Wireshark's key tables (ikev1_decryption_table, ikev2_decryption_table, esp_sa; a
 * directory: those of them it holds). A line that does not parse is an error naming the file and line and what was
 * expected there; no text of the file is ever part of a message (a token that does not parse may be a key). Files are
 * read as bytes in chunks, line by line, with lines of at most {@link #MAX_LINE} bytes: an endless input or one
 * without line ends is an error at its first long line, not a read of everything into memory.
 */
public final class KeyFiles {
    private KeyFiles() {
    }

    /** A key file line that does not parse: "FILE:LINE: what is wrong". */
    public static final class KeyFileException extends Exception {
        public KeyFileException(String message) {
            super(message);
        }
    }

    /** The longest line of a key file or log, in bytes (strongSwan's longest log lines are a few KB). */
    public static final int MAX_LINE = 64 * 1024;

    /** How many lines are looked at to tell the kind of a file. */
    private static final int DETECT_LINES = 200;

    /** Kinds of key file. */
    public enum Kind { VPNSLEUTH, STRONGSWAN_LOG, PLUTO_LOG, TCPDUMP, WIRESHARK }

    /** An algorithm named in a key file or log: "encr" / "integ", IKEv2 transform ID, key bits. */
    public record Algorithm(String kind, int id, int keyBits) {
    }

    /** The algorithm of that name (any spelling of the table, case-insensitive), or null. */
    public static Algorithm algorithm(String name) {
        return ALGORITHMS.get(name.toLowerCase(Locale.ROOT));
    }

    private static final Map<String, Algorithm> ALGORITHMS = new HashMap<>();
    /** Names by kind ("encr", "integ"), in the table's order: the examples an error message gives. */
    private static final Map<String, List<String>> NAMES = new HashMap<>();

    static {
        for (String[] r : NameTable.rows("keys/algorithm-names", 4)) {
            Algorithm a = new Algorithm(r[1].trim(), Integer.parseInt(r[2].trim()), Integer.parseInt(r[3].trim()));
            ALGORITHMS.put(r[0].trim(), a);
            NAMES.computeIfAbsent(a.kind(), k -> new ArrayList<>()).add(r[0].trim());
        }
    }

    /** A few names of that kind, for an error message: "aes-cbc-128, aes-gcm-16-256, ... (N names)". */
    private static String examples(String kind) {
        List<String> l = NAMES.getOrDefault(kind, List.of()).stream().filter(n -> !n.equals("null") && !n.equals("none")).toList();
        return String.join(", ", l.subList(0, Math.min(4, l.size()))) + (l.size() > 4 ? ", ..." : "");
    }

    private static final Pattern CHARON_DUMP = Pattern.compile("\\[[A-Z]{3}\\] (?:<([^>]*)> )?(.*?) => (\\d+) bytes @ 0x");
    /** A hex row of a dump; {@link #rowHex} finds the same without the regex engine. */
    static final Pattern CHARON_ROW = Pattern.compile("\\[[A-Z]{3}\\] (?:<([^>]*)> )?\\s*(\\d+): ((?:[0-9A-F]{2} ?)+)");
    private static final Pattern CHARON_LINE = Pattern.compile("\\d{2}\\[[A-Z]{3}\\] ");
    private static final Pattern CHARON_CHILD = Pattern.compile(
            "\\[[A-Z]{3}\\] (?:<([^>]*)> )?(?:inbound |outbound )?CHILD_SA \\S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o");
    private static final Pattern CHARON_PREFIX = Pattern.compile("\\[[A-Z]{3}\\] (?:<([^>]*)> )?");
    private static final Pattern CHARON_PROPOSAL = Pattern.compile(
            "\\[[A-Z]{3}\\] (?:<([^>]*)> )?selected proposal: ((?:ESP|AH):\\S+)");
    private static final Pattern TCPDUMP_ESP = Pattern.compile("^0x([0-9a-fA-F]{1,8})@(\\S+)\\s+([A-Za-z0-9-]+):0x([0-9a-fA-F]+)(?:\\s+.*)?$");
    private static final Pattern TCPDUMP_IKEV2 = Pattern.compile(
            "^ikev2\\s+([IR])\\s+0x([0-9a-fA-F]{16})\\s+0x([0-9a-fA-F]{16})\\s+([a-z0-9-]+):0x([0-9a-fA-F]+)\\s+([a-z0-9-]+):0x([0-9a-fA-F]+)\\s*$");

    /** A line of vpnsleuth's keys file starts with one of its keywords. */
    private static final Pattern VPNSLEUTH_LINE = Pattern.compile("^(?i:psk|dh|ikev1|ikev2|esp)(\\s|$)");
    /** A Wireshark UAT record starts with a quoted field or a run of hex digits, then a comma. */
    private static final Pattern WIRESHARK_LINE = Pattern.compile("^(\"|[0-9A-Fa-f]+\\s*,)");

    /** Reads {@code file} (a directory: the Wireshark tables in it) into {@code into}; returns the kind it was. */
    public static Kind load(Path file, KeyMaterial into) throws IOException, KeyFileException {
        if (Files.isDirectory(file)) {
            return directory(file, into);
        }
        String name = file.toString();
        try (TextLines lines = open(file)) {
            List<String> head = lines.peek(DETECT_LINES);
            Kind kind = detect(head);
            WiresharkKeyTables.Table table = kind == Kind.WIRESHARK ? WiresharkKeyTables.detect(
                    file.getFileName() == null ? "" : file.getFileName().toString(), head) : null;
            switch (kind) {
                case STRONGSWAN_LOG -> charon(name, lines, into);
                case PLUTO_LOG -> PlutoLogs.read(name, lines, into);
                case TCPDUMP -> tcpdump(name, lines, into);
                case WIRESHARK -> {
                    if (table == null) {
                        throw new KeyFileException(name + ": looks like a Wireshark table (quoted, comma-separated fields) but"
                                + " its records are none of ikev1_decryption_table, ikev2_decryption_table, esp_sa");
                    }
                    WiresharkKeyTables.load(name, table, lines, into);
                }
                default -> vpnsleuth(name, lines, into);
            }
            return kind;
        } catch (TextLines.LineTooLongException e) {
            throw tooLong(name, e);
        } catch (StreamTooLongException e) {
            throw new KeyFileException(String.format("%s: more than %,d MiB from a pipe or device, and no end: not key material"
                    + " for one capture (save a longer log to a file and give that)", name, MAX_STREAM_BYTES >> 20));
        } catch (IOException e) {
            throw new KeyFileException(name + ": cannot read the key file: " + IoErrors.why(e));
        }
    }

    /**
     * Most bytes read from key material that is not a regular file (a pipe, /dev/stdin, a device):
     * a regular file ends, a stream may never (`yes LINE | vpnsleuth ... --keys /dev/stdin`). 1 GiB is
     * more than any daemon log that goes with one capture; a longer log can be saved to a file first.
     */
    static final long MAX_STREAM_BYTES = 1L << 30;

    /** Thrown through the reader when a stream passes {@link #MAX_STREAM_BYTES}. */
    static final class StreamTooLongException extends IOException {
        StreamTooLongException() {
            super("more than " + (MAX_STREAM_BYTES >> 20) + " MiB");
        }
    }

    private static TextLines open(Path file) throws KeyFileException {
        try {
            java.io.InputStream in = Files.newInputStream(file);
            if (!Files.isRegularFile(file)) {
                in = new java.io.FilterInputStream(in) {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        read += Math.max(0, n);
                        if (read > MAX_STREAM_BYTES) {
                            throw new StreamTooLongException();
                        }
                        return n;
                    }
                };
            }
            if (Files.isRegularFile(file) && gzip(file)) {
                // a rotated log compressed by logrotate (pluto.log.1.gz): read through gzip
                in = new java.util.zip.GZIPInputStream(in, 1 << 16);
            }
            return new TextLines(in, MAX_LINE);
        } catch (IOException e) {
            throw new KeyFileException(file + ": cannot open the key file: " + IoErrors.why(e));
        }
    }

    /** True when the regular file starts with gzip's magic bytes (RFC 1952 §2.3.1). */
    private static boolean gzip(Path file) throws IOException {
        try (java.io.InputStream i = Files.newInputStream(file)) {
            return i.read() == 0x1f && i.read() == 0x8b;
        }
    }

    private static KeyFileException tooLong(String name, TextLines.LineTooLongException e) {
        return new KeyFileException(String.format("%s:%d: a line longer than %,d bytes: not key material (vpnsleuth's keys"
                + " file, a strongSwan level-4 log, tcpdump -E secrets or a Wireshark key table have short lines)", name,
                e.line(), e.max()));
    }

    /** A Wireshark profile directory: its ikev1_decryption_table, ikev2_decryption_table and esp_sa. */
    private static Kind directory(Path dir, KeyMaterial into) throws IOException, KeyFileException {
        int found = 0;
        for (WiresharkKeyTables.Table t : WiresharkKeyTables.Table.values()) {
            Path f = dir.resolve(t.file);
            if (Files.isRegularFile(f)) {
                found++;
                try (TextLines lines = open(f)) {
                    WiresharkKeyTables.load(f.toString(), t, lines, into);
                } catch (TextLines.LineTooLongException e) {
                    throw tooLong(f.toString(), e);
                } catch (IOException e) {
                    throw new KeyFileException(f + ": cannot read the key table: " + IoErrors.why(e));
                }
            }
        }
        if (found == 0) {
            throw new KeyFileException(dir + ": a directory without ikev1_decryption_table, ikev2_decryption_table or esp_sa"
                    + " (--keys DIR reads a Wireshark profile's key tables)");
        }
        return Kind.WIRESHARK;
    }

    static Kind detect(List<String> lines) {
        int charon = 0;
        int tcpdump = 0;
        int vpnsleuth = 0;
        int wireshark = 0;
        int pluto = 0;
        for (String l : lines.subList(0, Math.min(lines.size(), DETECT_LINES))) {
            if (PlutoLogs.looksLikePluto(l)) {
                pluto++;
            }
            String t = l.trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                if (VPNSLEUTH_LINE.matcher(t).find()) {
                    vpnsleuth++;
                } else if (WIRESHARK_LINE.matcher(t).find()) {
                    wireshark++;
                }
            }
            if (CHARON_LINE.matcher(l).find()) {
                charon++;
            }
            if (TCPDUMP_ESP.matcher(t).matches() || TCPDUMP_IKEV2.matcher(t).matches()) {
                tcpdump++;
            }
        }
        return charon > 0 ? Kind.STRONGSWAN_LOG : pluto > 0 && vpnsleuth == 0 ? Kind.PLUTO_LOG : tcpdump > 0 ? Kind.TCPDUMP
                : wireshark > 0 && vpnsleuth == 0 ? Kind.WIRESHARK : Kind.VPNSLEUTH;
    }

    // ------------------------------------------------------------------ vpnsleuth's keys file

    private static void vpnsleuth(String file, TextLines lines, KeyMaterial into) throws KeyFileException, IOException {
        boolean first = true;
        for (String line; (line = lines.next()) != null; ) {
            long n = lines.number();
            int hash = line.indexOf('#');
            String t = (hash >= 0 && !line.trim().startsWith("psk ") ? line.substring(0, hash) : line).trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String where = file + ":" + n;
            String[] w = t.split("\\s+");
            switch (w[0].toLowerCase(Locale.ROOT)) {
                case "psk" -> psk(t, where, into);
                case "dh" -> {
                    need(w, 3, where, "dh <initiator-spi-hex> <shared-secret-hex>");
                    into.dhSecrets.add(new KeyMaterial.DhSecret(spi(w, 1, where), hex(w[2], where), where));
                }
                case "dh-child" -> {
                    need(w, 4, where, "dh-child <ike-initiator-spi-hex> <message-id> <shared-secret-hex>");
                    if (w.length > 4) {
                        throw new KeyFileException(where + ": expected 'dh-child <ike-initiator-spi-hex> <message-id>"
                                + " <shared-secret-hex>', got " + w.length + " fields");
                    }
                    into.childDhSecrets.add(new KeyMaterial.ChildDhSecret(spi(w, 1, where), messageId(w[2], where),
                            hex(w[3], where), where));
                }
                case "ikev2" -> {
                    need(w, 4, where, "ikev2 <spi-i> <spi-r> sk_ei=HEX sk_er=HEX sk_ai=HEX sk_ar=HEX [sk_d= sk_pi= sk_pr=]");
                    Map<String, byte[]> k = pairs(w, 3, where);
                    into.ikev2.add(new KeyMaterial.Ikev2Keys(spi(w, 1, where), spi(w, 2, where), k.get("sk_d"), k.get("sk_ai"),
                            k.get("sk_ar"), k.get("sk_ei"), k.get("sk_er"), k.get("sk_pi"), k.get("sk_pr"), where));
                }
                case "ikev1" -> {
                    need(w, 4, where, "ikev1 <cookie-i> <cookie-r> enc=HEX [skeyid_a=HEX] [skeyid_d=HEX]");
                    Map<String, byte[]> k = pairs(w, 3, where);
                    if (k.get("enc") == null) {
                        throw new KeyFileException(where + ": ikev1 line without enc=HEX (the encryption key, Ka)");
                    }
                    into.ikev1.add(new KeyMaterial.Ikev1Keys(spi(w, 1, where), spi(w, 2, where), k.get("enc"),
                            k.get("skeyid_a"), k.get("skeyid_d"), where));
                }
                case "esp" -> esp(w, where, into);
                case "ah" -> ah(w, where, into);
                default -> throw new KeyFileException(where + ": expected a line of vpnsleuth's keys file, starting with psk,"
                        + " dh, dh-child, ikev1, ikev2, esp or ah (docs/keys.md)" + unknownWord(w[0]) + (first
                        ? "; the file is none of the kinds vpnsleuth reads (its keys file, a strongSwan level-4 log,"
                        + " tcpdump -E secrets, Wireshark's ikev1_decryption_table, ikev2_decryption_table or esp_sa)" : ""));
            }
            first = false;
        }
    }

    /**
     * What can be said of a first word that is no keyword without showing it (it may be a key):
     * a keyword joined by '=' instead of a blank, or a word of hex digits only (a key without its line).
     */
    private static String unknownWord(String w) {
        String l = w.toLowerCase(Locale.ROOT);
        for (String k : new String[] {"dh-child", "psk", "dh", "ikev1", "ikev2", "esp", "ah"}) {
            if (l.startsWith(k + "=") || l.startsWith(k + ":")) {
                return ": the line starts with '" + k + "' and '" + l.charAt(k.length()) + "'; write '" + k
                        + " VALUE' with a blank";
            }
        }
        String h = l.startsWith("0x") ? l.substring(2) : l;
        if (h.length() >= 8 && h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return ": the line starts with " + h.length() + " hex digits, a key without the line that says what it is for?";
        }
        return "; its first word is none of these";
    }

    private static void psk(String t, String where, KeyMaterial into) throws KeyFileException {
        String rest = t.substring(3).trim();
        String peer = null;
        Matcher pm = Pattern.compile("\\s+peer=(\\S+)$").matcher(rest);
        if (pm.find()) {
            peer = pm.group(1);
            rest = rest.substring(0, pm.start()).trim();
        }
        if (rest.isEmpty()) {
            throw new KeyFileException(where + ": psk without a key");
        }
        // the file's own bytes (lines are read one char per byte): a UTF-8 or Latin-1 key is the bytes the peer uses
        byte[] secret = rest.startsWith("0x") ? hex(rest.substring(2), where) : unquote(rest).getBytes(StandardCharsets.ISO_8859_1);
        into.psks.add(new KeyMaterial.Psk(secret, peer, where));
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static long ipsecSpi(String s, String where) throws KeyFileException {
        String h = strip0x(s, where);
        if (!h.matches("[0-9a-fA-F]{1,8}")) {
            throw new KeyFileException(where + ": field 2 is not an SPI (at most 8 hex digits)");
        }
        long spi = Long.parseLong(h, 16);
        if (spi == 0) {
            throw new KeyFileException(where + ": SPI 0 is reserved (RFC 4301)");
        }
        return spi;
    }

    /** {@code ah SPI [dst=ADDR] auth=ALG:HEX [esn]}: an AH SA (RFC 4302). */
    private static void ah(String[] w, String where, KeyMaterial into) throws KeyFileException {
        need(w, 3, where, "ah <spi-hex> [dst=ADDR] auth=ALG:HEX [esn]");
        long spi = ipsecSpi(w[1], where);
        String dst = null;
        Algorithm auth = null;
        byte[] authKey = null;
        boolean esn = false;
        for (int i = 2; i < w.length; i++) {
            if (w[i].equalsIgnoreCase("esn")) {
                esn = true;
                continue;
            }
            int eq = w[i].indexOf('=');
            if (eq < 0) {
                throw new KeyFileException(where + ": field " + (i + 1) + " is not NAME=VALUE (dst=, auth=) or esn");
            }
            String k = w[i].substring(0, eq).toLowerCase(Locale.ROOT);
            String v = w[i].substring(eq + 1);
            switch (k) {
                case "dst" -> dst = v;
                case "auth" -> {
                    int colon = v.indexOf(':');
                    String alg = colon < 0 ? v : v.substring(0, colon);
                    Algorithm a = ALGORITHMS.get(alg.toLowerCase(Locale.ROOT));
                    if (a == null || !a.kind().equals("integ") || a.id() == 0) {
                        throw new KeyFileException(where + ": field " + (i + 1) + ": expected auth=ALG:HEX with ALG an"
                                + " integrity algorithm vpnsleuth knows (" + examples("integ") + "; docs/keys.md)"
                                + (colon < 0 ? "; there is no ':' between the algorithm and the key" : ""));
                    }
                    if (colon < 0) {
                        throw new KeyFileException(where + ": auth=" + alg + " without :HEX (the integrity key)");
                    }
                    auth = a;
                    authKey = hex(strip0x(v.substring(colon + 1), where), where);
                }
                default -> throw new KeyFileException(where + ": field " + (i + 1) + ": expected dst=, auth= or esn");
            }
        }
        if (auth == null) {
            throw new KeyFileException(where + ": ah line without auth=ALG:HEX");
        }
        into.ah.add(new KeyMaterial.AhKey(spi, dst, auth.id(), authKey, esn, where));
    }

    private static void esp(String[] w, String where, KeyMaterial into) throws KeyFileException {
        need(w, 3, where, "esp <spi-hex> [dst=ADDR] enc=ALG:HEX [auth=ALG:HEX] [esn]");
        long spi = ipsecSpi(w[1], where);
        String dst = null;
        Algorithm enc = null;
        byte[] encKey = null;
        Algorithm auth = null;
        byte[] authKey = null;
        boolean esn = false;
        for (int i = 2; i < w.length; i++) {
            if (w[i].equalsIgnoreCase("esn")) {
                esn = true;
                continue;
            }
            int eq = w[i].indexOf('=');
            if (eq < 0) {
                throw new KeyFileException(where + ": field " + (i + 1) + " is not NAME=VALUE (dst=, enc=, auth=) or esn");
            }
            String k = w[i].substring(0, eq).toLowerCase(Locale.ROOT);
            String v = w[i].substring(eq + 1);
            switch (k) {
                case "dst" -> dst = v;
                case "enc", "auth" -> {
                    int colon = v.indexOf(':');
                    String alg = colon < 0 ? v : v.substring(0, colon);
                    Algorithm a = ALGORITHMS.get(alg.toLowerCase(Locale.ROOT));
                    String kind = k.equals("enc") ? "encr" : "integ";
                    if (a == null || !a.kind().equals(kind)) {
                        throw new KeyFileException(where + ": field " + (i + 1) + ": expected " + k + "=ALG:HEX with ALG "
                                + (k.equals("enc") ? "a cipher" : "an integrity algorithm") + " vpnsleuth knows ("
                                + examples(kind) + "; docs/keys.md)"
                                + (colon < 0 ? "; there is no ':' between the algorithm and the key" : ""));
                    }
                    byte[] key = colon < 0 ? new byte[0] : hex(strip0x(v.substring(colon + 1), where), where);
                    if (k.equals("enc")) {
                        enc = a;
                        encKey = key;
                    } else {
                        auth = a;
                        authKey = key;
                    }
                }
                default -> throw new KeyFileException(where + ": field " + (i + 1) + ": expected dst=, enc=, auth= or esn");
            }
        }
        if (enc == null) {
            throw new KeyFileException(where + ": esp line without enc=ALG:HEX");
        }
        into.esp.add(new KeyMaterial.EspKey(spi, dst, enc.id(), enc.keyBits(), encKey, auth == null ? 0 : auth.id(),
                authKey, esn, where));
    }

    private static Map<String, byte[]> pairs(String[] w, int from, String where) throws KeyFileException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = from; i < w.length; i++) {
            int eq = w[i].indexOf('=');
            if (eq < 0) {
                throw new KeyFileException(where + ": field " + (i + 1) + " is not NAME=HEX");
            }
            m.put(w[i].substring(0, eq).toLowerCase(Locale.ROOT), hex(strip0x(w[i].substring(eq + 1), where), where));
        }
        return m;
    }

    private static void need(String[] w, int n, String where, String form) throws KeyFileException {
        if (w.length < n) {
            throw new KeyFileException(where + ": expected '" + form + "'");
        }
    }

    private static String strip0x(String s, String where) {
        return s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    }

    private static long spi(String[] w, int i, String where) throws KeyFileException {
        String h = strip0x(w[i], where);
        if (!h.matches("[0-9a-fA-F]{16}")) {
            throw new KeyFileException(where + ": field " + (i + 1) + " is not an SPI/cookie (16 hex digits)");
        }
        return Long.parseUnsignedLong(h, 16);
    }

    /** A message ID: decimal (as strongSwan logs it), or hexadecimal with 0x (as Wireshark shows it); 32 bits. */
    private static long messageId(String s, String where) throws KeyFileException {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v >= 0 && v <= 0xffffffffL) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KeyFileException(where + ": field 3 is not a message ID (decimal, or hex with 0x; 32 bits)");
    }

    private static byte[] hex(String s, String where) throws KeyFileException {
        String h = strip0x(s.replace(":", ""), where);
        if (h.isEmpty() || (h.length() & 1) != 0 || !h.matches("[0-9a-fA-F]+")) {
            throw new KeyFileException(where + ": a value is not an even number of hex digits");
        }
        return HexFormat.of().parseHex(h);
    }

    // ------------------------------------------------------------------ strongSwan charon logs

    /**
     * The group of a charon log prefix: the IKE SA's unique number ("vpn|1" and "1" are the same SA:
     * charon names the connection only once a config matched, so a responder logs its IKE_SA_INIT keys
     * under "&lt;1&gt;" and the rest under "&lt;vpn|1&gt;"); {@code labels} keeps the most telling label.
     */
    private static String saGroup(String prefix, Map<String, String> labels) {
        if (prefix == null) {
            return "";
        }
        int bar = prefix.lastIndexOf('|');
        String n = bar >= 0 ? prefix.substring(bar + 1) : prefix;
        if (!n.matches("\\d+")) {
            return prefix;
        }
        String had = labels.get(n);
        if (had == null || bar >= 0 && had.indexOf('|') < 0) {
            labels.put(n, prefix);
        }
        return n;
    }

    /**
     * Every "NAME => N bytes @ 0x..." dump with its hex rows, grouped by the IKE SA the line names
     * ("&lt;vpn|1&gt;", "&lt;1&gt;"); dumps without an SA go to a group of their own.
     */
    private static void charon(String file, TextLines lines, KeyMaterial into) throws KeyFileException, IOException {
        Map<String, List<Map.Entry<String, byte[]>>> bySa = new LinkedHashMap<>();
        String name = null;
        String sa = null;
        int need = 0;
        StringBuilder hex = new StringBuilder();
        Map<String, List<KeyMaterial.ChildSpis>> children = new LinkedHashMap<>();
        Map<String, String> proposal = new HashMap<>();
        Map<String, String> labels = new HashMap<>();
        // Each pattern is tried only on a line holding its fixed words (a level-4 log has thousands of
        // lines, and the patterns, not anchored, would scan every one of them; at start-up they run interpreted).
        // SAs that did EAP: their "secret" dump is the MSK, no pre-shared key (read in the same single pass)
        java.util.Set<String> eapSas = new java.util.HashSet<>();
        DaemonLog evidence = new DaemonLog();
        long total = 0;
        for (String line; (line = lines.next()) != null; ) {
            total++;
            if (line.indexOf(']') > 0) {
                evidence.charonLine(file, lines.number(), line, g -> saGroup(g, labels));
            }
            if (line.contains("MSK established") || line.contains("EAP method")) {
                Matcher em = CHARON_PREFIX.matcher(line);
                eapSas.add(em.find() ? saGroup(em.group(1), labels) : "");
            }
            Matcher pr = line.contains("selected proposal: ") ? CHARON_PROPOSAL.matcher(line) : null;
            if (pr != null && pr.find()) {
                proposal.put(saGroup(pr.group(1), labels), pr.group(2));
            }
            Matcher ch = line.contains(" established with SPIs ") ? CHARON_CHILD.matcher(line) : null;
            if (ch != null && ch.find()) {
                String g = saGroup(ch.group(1), labels);
                int at = bySa.computeIfAbsent(g, k -> new ArrayList<>()).size();
                KeyMaterial.ChildSpis cs = new KeyMaterial.ChildSpis(Long.parseLong(ch.group(2), 16),
                        Long.parseLong(ch.group(3), 16), proposal.get(g), at);
                List<KeyMaterial.ChildSpis> l = children.computeIfAbsent(g, k -> new ArrayList<>());
                // a rekeyed child is logged twice ("inbound CHILD_SA ... established", then "outbound"): one SA, one key set
                if (l.stream().noneMatch(x -> x.in() == cs.in() && x.out() == cs.out())) {
                    l.add(cs);
                }
            }
            Matcher h = line.contains(" bytes @ 0x") ? CHARON_DUMP.matcher(line) : null;
            if (h != null && h.find()) {
                if (name != null && hex.length() > 0) {
                    add(bySa, sa, name, hex.toString()); // a dump cut short: keep what was printed
                }
                sa = saGroup(h.group(1), labels);
                name = h.group(2).trim();
                need = dumpLength(h.group(3), file + ":" + lines.number());
                hex.setLength(0);
                if (need == 0) {
                    name = null;
                }
                continue;
            }
            if (name == null) {
                continue;
            }
            String row = rowHex(line);
            if (row != null) {
                hex.append(row, 0, Math.min(32, row.length()));
                if (hex.length() >= 2 * need) {
                    add(bySa, sa, name, hex.substring(0, 2 * need));
                    name = null;
                }
            }
        }
        // the PSK of an IKEv2 shared-key AUTH ("secret", hashed into "prf(secret, keypad)"); in an EAP
        // session the same dump is the MSK, which is no pre-shared key
        for (Map.Entry<String, List<Map.Entry<String, byte[]>>> e : bySa.entrySet()) {
            if (eapSas.contains(e.getKey())) {
                continue;
            }
            for (Map.Entry<String, byte[]> d : e.getValue()) {
                if (d.getKey().equals("secret") && into.loggedPsks.stream().noneMatch(x -> java.util.Arrays.equals(x.secret(),
                        d.getValue()))) {
                    into.loggedPsks.add(new KeyMaterial.Psk(d.getValue(), null, file));
                }
            }
        }
        charonEvidence(file, evidence, bySa, labels, into, total);
        for (Map.Entry<String, List<Map.Entry<String, byte[]>>> e : bySa.entrySet()) {
            into.logged.add(new KeyMaterial.LoggedSa(file, labels.getOrDefault(e.getKey(), e.getKey()),
                    KeyMaterial.firstByName(e.getValue()), e.getValue(),
                    children.getOrDefault(e.getKey(), List.of())));
        }
    }

    /**
     * The charon log's outcome lines under their SA's final label ("vpn|1": a responder's SA is "1"
     * until a config matched), the initiator SPIs each SA's dumped messages carry (an IKE header: the
     * version byte at offset 17), and a warning when the log holds no key material at all.
     */
    private static void charonEvidence(String file, DaemonLog evidence, Map<String, List<Map.Entry<String, byte[]>>> bySa,
            Map<String, String> labels, KeyMaterial into, long total) {
        DaemonLog out = new DaemonLog();
        for (DaemonLog.Line l : evidence.lines) {
            out.lines.add(new DaemonLog.Line(l.file(), l.number(), l.time(), l.at(), l.text(), l.kind(),
                    l.sa() == null ? null : labels.getOrDefault(l.sa(), l.sa()), l.daemon()));
        }
        out.dropped.putAll(evidence.dropped);
        evidence.childSpis.forEach((k, v) -> {
            String g = k.substring(k.indexOf('\0') + 1);
            for (String spi : v) {
                out.childSpi(file, labels.getOrDefault(g, g), spi);
            }
        });
        for (Map.Entry<String, List<Map.Entry<String, byte[]>>> e : bySa.entrySet()) {
            String label = labels.getOrDefault(e.getKey(), e.getKey());
            for (Map.Entry<String, byte[]> d : e.getValue()) {
                byte[] v = d.getValue();
                int version = v.length >= 28 ? v[17] & 0xff : 0;
                // a whole IKE message: the version byte, and the header's length field is the dump's length
                if ((version == 0x10 || version == 0x20) && java.nio.ByteBuffer.wrap(v, 24, 4).getInt() == v.length) {
                    out.spi(file, label, java.nio.ByteBuffer.wrap(v, 0, 8).getLong());
                }
            }
        }
        into.daemonLog.addAll(out);
        if (bySa.isEmpty()) {
            into.warnings.add(String.format("%s: a strongSwan charon log (%,d lines) without key material: no 'NAME => N bytes'"
                    + " dumps (the IKE log level is below 4, or no SA got as far as its keys); its %,d outcome line(s) are used as evidence only. For keys"
                    + " set in strongswan.conf charon { filelog { NAME { path = ...; ike = 4; chd = 4 } } } (docs/keys.md)",
                    file, total, out.lines.size()));
        }
    }

    /** The longest dump kept from a log, in bytes: charon dumps keys, nonces and whole IKE messages (at most 64 KiB). */
    static final int MAX_DUMP = 1 << 20;

    /** The byte count of a "NAME =&gt; N bytes @ 0x..." line; an error naming FILE:LINE when it is no count charon prints. */
    private static int dumpLength(String digits, String where) throws KeyFileException {
        long n = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (n > MAX_DUMP) {
            throw new KeyFileException(where + ": a strongSwan dump line ('NAME => N bytes @ 0x...') with a byte count of "
                    + digits.length() + " digits, over the " + (MAX_DUMP >> 20) + " MiB any dump of charon has: the log is"
                    + " damaged here");
        }
        return (int) n;
    }

    /**
     * What {@link #CHARON_ROW} finds in {@code line}, its hex group without the spaces ("5654..."), or
     * null: the first "[XYZ] " (three capital letters) followed by an optional "&lt;...&gt; ", blanks,
     * digits, ": " and hex pairs each followed by at most one space. Written out because most lines
     * of a level-4 log are dump rows, and at start-up the regex engine runs interpreted.
     */
    static String rowHex(String line) {
        int n = line.length();
        for (int i = line.indexOf('['); i >= 0 && i + 5 < n; i = line.indexOf('[', i + 1)) {
            if (upper(line.charAt(i + 1)) && upper(line.charAt(i + 2)) && upper(line.charAt(i + 3)) && line.charAt(i + 4) == ']'
                    && line.charAt(i + 5) == ' ') {
                int j = i + 6;
                if (j < n && line.charAt(j) == '<') {
                    int k = line.indexOf('>', j + 1);
                    if (k > 0 && k + 1 < n && line.charAt(k + 1) == ' ') {
                        String r = rowAfterLabel(line, k + 2);
                        if (r != null) {
                            return r;
                        }
                    }
                }
                String r = rowAfterLabel(line, j);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean hexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'F';
    }

    /** Blanks, digits, ": ", hex pairs: the pairs without spaces, or null. */
    private static String rowAfterLabel(String line, int j) {
        int n = line.length();
        while (j < n && " \t\n\u000B\f\r".indexOf(line.charAt(j)) >= 0) {
            j++;
        }
        int d = j;
        while (j < n && line.charAt(j) >= '0' && line.charAt(j) <= '9') {
            j++;
        }
        if (j == d || j + 1 >= n || line.charAt(j) != ':' || line.charAt(j + 1) != ' ') {
            return null;
        }
        j += 2;
        StringBuilder hex = null;
        while (j + 1 < n && hexDigit(line.charAt(j)) && hexDigit(line.charAt(j + 1))) {
            if (hex == null) {
                hex = new StringBuilder(32);
            }
            hex.append(line, j, j + 2);
            j += 2;
            if (j < n && line.charAt(j) == ' ') {
                j++;
            }
        }
        return hex == null ? null : hex.toString();
    }

    private static void add(Map<String, List<Map.Entry<String, byte[]>>> bySa, String sa, String name, String hex) {
        bySa.computeIfAbsent(sa, k -> new ArrayList<>())
                .add(new AbstractMap.SimpleImmutableEntry<>(name, HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT))));
    }

    // ------------------------------------------------------------------ tcpdump -E secrets

    private static void tcpdump(String file, TextLines lines, KeyMaterial into) throws KeyFileException, IOException {
        Map<String, byte[][]> ikev2 = new LinkedHashMap<>();
        Map<String, int[]> ikev2Algorithms = new LinkedHashMap<>();
        for (String line; (line = lines.next()) != null; ) {
            long n = lines.number();
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String where = file + ":" + n;
            Matcher e = TCPDUMP_ESP.matcher(t);
            Matcher i = TCPDUMP_IKEV2.matcher(t);
            if (e.matches()) {
                String alg = e.group(3).toLowerCase(Locale.ROOT);
                boolean hmac96 = alg.endsWith("-hmac96");
                String cipher = hmac96 ? alg.substring(0, alg.length() - "-hmac96".length()) : alg;
                Algorithm a = ALGORITHMS.get(cipher);
                if (a == null || !a.kind().equals("encr")) {
                    throw new KeyFileException(where + ": expected '0xSPI@ADDR ALG:0xKEY' with ALG a cipher of tcpdump -E that"
                            + " vpnsleuth knows (des-cbc, 3des-cbc, aes128-cbc, aes192-cbc, aes256-cbc, optionally -hmac96)");
                }
                // tcpdump's -E carries only the encryption key; "-hmac96" says a 12-byte ICV follows (HMAC-SHA1-96)
                into.esp.add(new KeyMaterial.EspKey(Long.parseLong(e.group(1), 16), e.group(2), a.id(), a.keyBits(),
                        hex(e.group(4), where), hmac96 ? 2 : 0, null, where));
            } else if (i.matches()) {
                tcpdumpIkev2(i, where, ikev2, ikev2Algorithms);
            } else {
                throw new KeyFileException(where + ": not a tcpdump -E secret ('0xSPI@ADDR ALG:0xKEY' or"
                        + " 'ikev2 I|R 0xSPI_I 0xSPI_R INTEG:0xKEY ENC:0xKEY')");
            }
        }
        tcpdumpIkev2Keys(ikev2, ikev2Algorithms, k -> file, into);
    }

    /** tcpdump's IKEv2 secret line 'ikev2 I|R 0xSPI_I 0xSPI_R INTEG:0xKEY ENC:0xKEY' (also in pluto's private debug), or null. */
    static Matcher tcpdumpIkev2(String line) {
        Matcher i = TCPDUMP_IKEV2.matcher(line);
        return i.matches() ? i : null;
    }

    /** One direction's IKEv2 keys of a tcpdump line ({@link #tcpdumpIkev2(String)}), kept by SPI pair until {@link #tcpdumpIkev2Keys}. */
    static void tcpdumpIkev2(Matcher i, String where, Map<String, byte[][]> ikev2, Map<String, int[]> ikev2Algorithms)
            throws KeyFileException {
        String key = i.group(2) + i.group(3);
        byte[][] k = ikev2.computeIfAbsent(key, x -> new byte[4][]);
        byte[] first = hex(i.group(5), where);
        byte[] second = hex(i.group(7), where);
        Algorithm a1 = ALGORITHMS.get(i.group(4));
        boolean integFirst = a1 != null && a1.kind().equals("integ");
        Algorithm a2 = ALGORITHMS.get(i.group(6));
        Algorithm en = integFirst ? a2 : a1;
        Algorithm in = integFirst ? a1 : a2;
        if (en != null && in != null) {
            ikev2Algorithms.put(key, new int[] {en.id(), en.keyBits(), in.id()});
        }
        int base = i.group(1).equals("I") ? 0 : 2;
        k[base] = integFirst ? first : second; // integrity key
        k[base + 1] = integFirst ? second : first; // encryption key
    }

    /** The IKEv2 SA keys gathered by {@link #tcpdumpIkev2}, each with the source {@code source} names for its SPI pair. */
    static void tcpdumpIkev2Keys(Map<String, byte[][]> ikev2, Map<String, int[]> ikev2Algorithms,
            java.util.function.Function<String, String> source, KeyMaterial into) {
        for (Map.Entry<String, byte[][]> e : ikev2.entrySet()) {
            long spiI = Long.parseUnsignedLong(e.getKey().substring(0, 16), 16);
            long spiR = Long.parseUnsignedLong(e.getKey().substring(16), 16);
            byte[][] k = e.getValue();
            int[] alg = ikev2Algorithms.getOrDefault(e.getKey(), new int[] {-1, 0, -1});
            into.ikev2.add(new KeyMaterial.Ikev2Keys(spiI, spiR, null, k[0], k[2], k[1], k[3], null, null, source.apply(e.getKey()),
                    alg[0], alg[1], alg[2]));
        }
    }
}
