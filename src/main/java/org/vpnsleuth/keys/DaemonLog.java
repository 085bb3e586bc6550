package org.vpnsleuth.keys;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vpnsleuth.base.NameTable;

/**
 * The lines of IKE daemons' logs (strongSwan charon, libreswan pluto) that state an outcome or an
 * error for an SA ("no acceptable ENCRYPTION_ALGORITHM found", "netlink response for Add SA ...:
 * Function not implemented"), kept to be shown beside the wire's verdict, and what ties each log's
 * SAs to the capture (IKE SPIs / cookies). Only matched lines are kept, at most {@link #MAX_LINES}
 * per file (a gateway log can be gigabytes); a line that could carry a secret (a key dump, a long run
 * of hex digits, a PSK) is never kept. The patterns are data:
 * {@code registry/keys/daemon-log-outcomes.tsv}.
 */
public final class DaemonLog {
    /** Lines kept per log file; later matched lines are counted in {@link #dropped}. */
    public static final int MAX_LINES = 20_000;
    /** The longest text kept of one line, in characters. */
    static final int MAX_TEXT = 400;

    public enum Daemon {
        CHARON("strongSwan charon"), PLUTO("libreswan pluto");

        public final String title;

        Daemon(String title) {
            this.title = title;
        }
    }

    /**
     * One outcome line: the file and line number, the time stamp as logged ("" when the log has none)
     * and as a local date-time ({@code at}; null when none; year 0 when the log gives no year: the
     * capture's decides), the text after the time stamp and syslog prefix, its kind (the table's:
     * install, proposal, auth, ts, ...), and the SA the daemon names on it ("vpn|1", "#2"; null when none).
     */
    public record Line(String file, long number, String time, LocalDateTime at, String text, String kind, String sa,
            Daemon daemon) implements java.io.Serializable {
        /** True for a failure the daemon could only know locally (its kernel refused an SA). */
        public boolean local() {
            return kind.equals("install");
        }
    }

    private record Rule(String daemon, String kind, Pattern pattern) {
    }

    private static final List<Rule> RULES = new ArrayList<>();

    /**
     * The words (runs of two or more letters) of the rules' patterns, by daemon: a line none of whose
     * words is among them matches no rule (each rule holds a literal word outside its alternatives), so
     * the patterns run only on the few lines that may match: a gigabyte log is read at the speed of
     * splitting words.
     */
    private static final Map<String, Set<String>> WORDS = new LinkedHashMap<>();
    /** Shorter words ("of", "no", "SA") are in too many lines to tell anything; every rule has a longer one. */
    private static final int MIN_WORD = 4;

    static {
        for (String[] r : NameTable.rows("keys/daemon-log-outcomes", 3)) {
            RULES.add(new Rule(r[0].trim(), r[1].trim(), Pattern.compile(r[2].trim())));
            Set<String> w = WORDS.computeIfAbsent(r[0].trim(), k -> new java.util.HashSet<>());
            for (String word : r[2].trim().split("[^A-Za-z]+")) {
                if (word.length() >= MIN_WORD) {
                    w.add(word);
                }
            }
        }
    }

    /** True when a word of {@code message} is a word of one of the daemon's rules. */
    private static boolean mayMatch(String daemon, String message) {
        Set<String> w = WORDS.getOrDefault(daemon, Set.of());
        Set<String> any = WORDS.getOrDefault("any", Set.of());
        int n = message.length();
        int i = 0;
        while (i < n) {
            while (i < n && !isLetter(message.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && isLetter(message.charAt(i))) {
                i++;
            }
            if (i - start >= MIN_WORD) {
                String word = message.substring(start, i);
                if (w.contains(word) || any.contains(word)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** Kept lines, in file order. */
    public final List<Line> lines = new ArrayList<>();
    /** Matched lines not kept past {@link #MAX_LINES} per file, by file. */
    public final Map<String, Long> dropped = new LinkedHashMap<>();
    /** The IKE initiator SPIs (IKEv1 initiator cookies) each SA of each log names, by "FILE\0SA". */
    public final Map<String, Set<Long>> spis = new LinkedHashMap<>();
    /** The ESP/AH SPIs (8 hex digits) each SA of each log names, by "FILE\0SA". */
    public final Map<String, Set<String>> childSpis = new LinkedHashMap<>();

    /** The IKE role ("initiator" / "responder") the logging daemon had in each of its SAs, by "FILE\0SA", when it says. */
    public final Map<String, String> roles = new LinkedHashMap<>();

    /** The role the daemon of log {@code file} had in the SA with this initiator SPI, or null when no SA of it says. */
    public String roleIn(String file, long spiI) {
        for (Map.Entry<String, Set<Long>> e : spis.entrySet()) {
            if (e.getValue().contains(spiI) && e.getKey().startsWith(file + "\0") && roles.containsKey(e.getKey())) {
                return roles.get(e.getKey());
            }
        }
        return null;
    }

    /** The initiator SPIs the log {@code file} ties to its SA {@code sa}: empty when none. */
    public Set<Long> spisOf(String file, String sa) {
        return spis.getOrDefault(file + "\0" + sa, Set.of());
    }

    public Set<String> childSpisOf(String file, String sa) {
        return childSpis.getOrDefault(file + "\0" + sa, Set.of());
    }

    void spi(String file, String sa, long spiI) {
        if (sa != null && spiI != 0) {
            spis.computeIfAbsent(file + "\0" + sa, k -> new LinkedHashSet<>()).add(spiI);
        }
    }

    void childSpi(String file, String sa, String spi) {
        if (sa != null) {
            childSpis.computeIfAbsent(file + "\0" + sa, k -> new LinkedHashSet<>()).add(spi.toLowerCase(Locale.ROOT));
        }
    }

    /** Adds what another instance holds (the lines of another file). */
    public void addAll(DaemonLog o) {
        lines.addAll(o.lines);
        o.dropped.forEach((k, v) -> dropped.merge(k, v, Long::sum));
        o.spis.forEach((k, v) -> spis.computeIfAbsent(k, x -> new LinkedHashSet<>()).addAll(v));
        o.childSpis.forEach((k, v) -> childSpis.computeIfAbsent(k, x -> new LinkedHashSet<>()).addAll(v));
        o.roles.forEach(roles::putIfAbsent);
    }

    public boolean isEmpty() {
        return lines.isEmpty() && spis.isEmpty();
    }

    // ------------------------------------------------------------------ one line

    /** A time stamp and prefix at the start of a log line, and where the message starts. */
    record Stamp(String time, LocalDateTime at, int messageStart) {
    }

    /** "2026-12-07 18:29:45", "2026-12-07T18:29:45.123456+00:00" (ISO, journald short-iso). */
    private static final Pattern ISO = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}:\\d{2})(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2})?(?::)? ");
    /** "Dec  7 18:29:45.364901: " (pluto's logtime), "Dec 07 18:29:45 " (syslog, journald short). */
    private static final Pattern BSD = Pattern.compile("^([A-Z][a-z]{2}) {1,2}(\\d{1,2}) (\\d{2}:\\d{2}:\\d{2})(\\.\\d{1,9})?:? ");
    /** A syslog/journald host and program after the time: "host pluto[123]: ", "host charon: ". */
    private static final Pattern PROGRAM = Pattern.compile("^\\S+ ([A-Za-z0-9_.-]+)(?:\\[\\d+\\])?: ");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMM", Locale.ROOT);

    static Stamp stamp(String line) {
        Matcher m = ISO.matcher(line);
        String time = "";
        LocalDateTime at = null;
        int start = 0;
        if (m.find()) {
            time = line.substring(0, m.end()).trim();
            try {
                at = LocalDateTime.parse(m.group(1) + "T" + m.group(2) + (m.group(3) == null ? "" : m.group(3)));
            } catch (java.time.DateTimeException e) {
                at = null;
            }
            start = m.end();
        } else if ((m = BSD.matcher(line)).find()) {
            time = line.substring(0, m.end()).trim();
            if (time.endsWith(":")) {
                time = time.substring(0, time.length() - 1);
            }
            try {
                int month = MONTH.parse(m.group(1)).get(java.time.temporal.ChronoField.MONTH_OF_YEAR);
                java.time.LocalTime t = java.time.LocalTime.parse(m.group(3) + (m.group(4) == null ? "" : m.group(4)));
                at = LocalDateTime.of(java.time.LocalDate.of(2000, month, Integer.parseInt(m.group(2))), t).withYear(0);
            } catch (java.time.DateTimeException | IllegalArgumentException e) {
                at = null;
            }
            start = m.end();
        }
        if (start > 0) {
            Matcher p = PROGRAM.matcher(line).region(start, line.length());
            p.useAnchoringBounds(true);
            if (p.lookingAt() && (p.group(1).startsWith("charon") || p.group(1).startsWith("pluto")
                    || p.group(1).equals("ipsec") || p.group(1).startsWith("strongswan") || p.group(1).startsWith("libreswan"))) {
                start = p.end();
            }
        }
        return new Stamp(time, at, start);
    }

    /** A run of 24 or more hex digits (pairs may be spaced): a key, nonce or DH value, never shown. */
    private static final Pattern LONG_HEX = Pattern.compile("(?:[0-9A-Fa-f]{2}[ :]?){12,}");
    private static final Pattern SECRET_WORD = Pattern.compile(
            "(?i)(pre-?shared key|\\bpsk\\b\\s*[:=]|secret\\s*[:=\"]|\\bpassword\\b\\s*[:=]|=> \\d+ bytes @|enckey|authkey|\\bSK_\\w+\\s*[:=])");

    /** True when the text could carry a secret (a key, a PSK, a dump): such a line is never kept. */
    static boolean secretLike(String text) {
        return LONG_HEX.matcher(text).find() || SECRET_WORD.matcher(text).find();
    }

    /** The kind of outcome the message states, by the table (this daemon's rules and "any"), or null. */
    static String kind(Daemon d, String message) {
        String name = d == Daemon.CHARON ? "charon" : "pluto";
        if (!mayMatch(name, message)) {
            return null;
        }
        for (Rule r : RULES) {
            if ((r.daemon.equals(name) || r.daemon.equals("any")) && r.pattern.matcher(message).find()) {
                return r.kind;
            }
        }
        return null;
    }

    /**
     * Keeps {@code raw} (line {@code number} of {@code file}) when its message states an outcome;
     * {@code message} is the text after the daemon's thread/SA prefix (what the table matches),
     * {@code sa} the SA the line names.
     */
    void offer(String file, long number, Daemon d, Stamp s, String raw, String message, String sa) {
        String k = kind(d, message);
        if (k == null) {
            return;
        }
        String text = raw.substring(s.messageStart()).strip();
        if (secretLike(text)) {
            return;
        }
        if (perFile(file) >= MAX_LINES) {
            dropped.merge(file, 1L, Long::sum);
            return;
        }
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT) + "...";
        }
        lines.add(new Line(file, number, s.time(), s.at(), text, k, sa, d));
        counts.merge(file, 1, Integer::sum);
    }

    private final Map<String, Integer> counts = new LinkedHashMap<>();

    private int perFile(String file) {
        return counts.getOrDefault(file, 0);
    }

    // ------------------------------------------------------------------ charon

    /** "07[IKE] <vpn|1> " after the time: the thread, subsystem, and the IKE SA's label. */
    static final Pattern CHARON_MESSAGE = Pattern.compile("\\d{2}\\[[A-Z]{3}\\] (?:<([^>]*)> )?");
    /** "established with SPIs c1234567_i 89abcdef_o", "received DELETE for ESP CHILD_SA with SPI c1234567". */
    private static final Pattern CHILD_SPI = Pattern.compile("\\b([0-9a-f]{8})(?:_i|_o)\\b|SPIs? ([0-9a-f]{8})\\b");

    private static final Pattern HEX_ROW = Pattern.compile("\\s*\\d+: ");

    /** One line of a charon log; {@code group} is the SA number its label names (KeyFiles' grouping). */
    void charonLine(String file, long number, String line, java.util.function.Function<String, String> group) {
        if (line.contains(" bytes @ 0x")) {
            return;
        }
        Matcher m = CHARON_MESSAGE.matcher(line);
        if (!m.find()) {
            return;
        }
        String message = line.substring(m.end());
        if (message.isEmpty() || HEX_ROW.matcher(message).lookingAt()) {
            return; // a hex row of a dump
        }
        boolean spis = message.contains("SPI") || message.contains("_i ");
        String k = kind(Daemon.CHARON, message);
        if (!spis && k == null) {
            return; // most lines: neither an outcome nor an SPI
        }
        String sa = m.group(1) == null ? null : group.apply(m.group(1));
        if (sa != null && spis) {
            Matcher c = CHILD_SPI.matcher(message);
            while (c.find()) {
                childSpi(file, sa, c.group(1) != null ? c.group(1) : c.group(2));
            }
        }
        if (k != null) {
            offer(file, number, Daemon.CHARON, stamp(line), line, message, sa);
        }
    }

    // ------------------------------------------------------------------ pluto

    /** '"vpn" #2: ', '"vpn"[1] 192.0.2.1 #3: ': the connection and state a pluto line names. */
    private static final Pattern PLUTO_STATE = Pattern.compile("\"[^\"]*\"(?:\\[\\d+\\])?(?: [^ #\"]+)* #(\\d+): ");
    /** A debug line with a state's IKE SPIs: 'hash_table_entries.ike_spis@0x.. "vpn" #1: ac a8 68 7e  b0 ... added'. */
    private static final Pattern PLUTO_SPIS = Pattern.compile("#(\\d+): ((?:[0-9a-f]{2} {1,2}){7}[0-9a-f]{2})\\b");
    /**
     * The IKE SA role a pluto state line states: initiating or established as initiator (groups 1, 2),
     * responding or established as responder; Quick Mode and child lines say nothing of the IKE SA's role.
     */
    private static final Pattern PLUTO_ROLE = Pattern.compile("(initiating (?:IKEv1 (?:Main|Aggressive) Mode|IKEv2))"
            + "|(initiator established IKE SA)|responding to (?:Main|Aggressive) Mode|responder established IKE SA"
            + "|sent IKE_SA_INIT reply");
    /** "SPI=c7958c63" (the child SPI pluto chose or accepted), "esp.c7958c63@192.0.2.1". */
    /** A child SPI in a pluto line: "SPI=c500a83e", "esp.c500a83e@...", and the SA summary's "{ESP/NAT=>0x... <0x...". */
    private static final Pattern PLUTO_CHILD_SPI = Pattern.compile("(?:SPI=|esp\\.|ah\\.|SPI |=>0x|<0x)(?:0x)?([0-9a-f]{8})\\b");

    /** True when the line (after its stamp) is a pluto debug line ("| ..."). */
    static boolean plutoDebug(String line, Stamp s) {
        return line.startsWith("|", s.messageStart());
    }

    /** One non-dump line of a pluto log (debug lines give SPIs; the others may be outcomes). */
    void plutoLine(String file, long number, String line, Stamp s) {
        int from = s.messageStart();
        if (line.startsWith("|", from)) {
            if (line.contains("ike_spis") || line.contains("ike_initiator_spi")) {
                Matcher m = PLUTO_SPIS.matcher(line);
                if (m.find(from)) {
                    spi(file, "#" + m.group(1), Long.parseUnsignedLong(m.group(2).replace(" ", ""), 16));
                }
            }
            return;
        }
        String message = line.substring(from);
        Matcher st = PLUTO_STATE.matcher(message);
        String sa = st.find() ? "#" + st.group(1) : null;
        if (sa != null) {
            Matcher r = PLUTO_ROLE.matcher(message);
            if (r.find()) {
                roles.putIfAbsent(file + "\0" + sa, r.group(1) != null || r.group(2) != null ? "initiator" : "responder");
            }
        }
        if (sa != null && (message.contains("SPI") || message.contains("esp.") || message.contains("ah.") || message.contains("=>0x"))) {
            Matcher c = PLUTO_CHILD_SPI.matcher(message);
            while (c.find()) {
                childSpi(file, sa, c.group(1));
            }
        }
        offer(file, number, Daemon.PLUTO, s, line, message, sa);
    }

    /** Hex pairs of a pluto dump row ("|   76 70 6e 73  6c 65 ...   vpnsleuth-test-p"), or null when the line is none. */
    static String plutoRow(String line, Stamp s) {
        int i = s.messageStart();
        int n = line.length();
        if (i >= n || line.charAt(i) != '|') {
            return null;
        }
        i++;
        int spaces = 0;
        while (i < n && line.charAt(i) == ' ') {
            i++;
            spaces++;
        }
        if (spaces < 2) {
            return null;
        }
        StringBuilder hex = new StringBuilder(32);
        int pairs = 0;
        while (pairs < 16 && i + 1 < n && isHex(line.charAt(i)) && isHex(line.charAt(i + 1))
                && (i + 2 == n || line.charAt(i + 2) == ' ')) {
            hex.append(line, i, i + 2);
            pairs++;
            i += 2;
            // one blank between pairs, two between groups of four, three or more before the ASCII column
            int b = 0;
            while (i < n && line.charAt(i) == ' ' && b < 3) {
                i++;
                b++;
            }
            if (b >= 3 || b == 2 && pairs % 4 != 0) {
                break;
            }
        }
        return pairs == 0 ? null : hex.toString();
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    static byte[] unhex(String h) {
        return HexFormat.of().parseHex(h.toLowerCase(Locale.ROOT));
    }
}
