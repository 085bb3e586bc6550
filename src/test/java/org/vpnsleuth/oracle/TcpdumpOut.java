package org.vpnsleuth.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syntax of tcpdump's regression-test expectations, for {@link TcpdumpOutIkeTest}: which
 * capture is printed into which {@code .out} file with which flags ({@code TESTLIST.excerpt},
 * {@code TESTrun.crypto-excerpt}), the packets of a {@code .out} file, and the ISAKMP part of a
 * packet as tcpdump's print-isakmp.c lays it out: the header line ({@code isakmp 2.0 msgid
 * 00000000 cookie I->R: parent_sa ikev2_init[I]:}), one {@code (name: ...)} item per payload on a
 * line of its own indented four spaces per depth (proposals and transforms nested below their SA),
 * and the truncation markers ({@code [|sa]}, {@code [|isakmp]} ...). Only syntax lives here: what
 * a name or a printed value means is decided by the test, with its explicit mnemonic tables.
 */
final class TcpdumpOut {
    private TcpdumpOut() {
    }

    // ---------------------------------------------------------------- the test lists

    /** One tcpdump test: its name, input capture, expected output, the flags it runs with. */
    record Case(String name, String pcap, String out, String args, boolean crypto) {
        /** The number of -v flags (-v -v -v and -vvv alike). */
        int verbosity() {
            int n = 0;
            Matcher m = Pattern.compile("(?:^|\\s)-(v+)(?=\\s|$)").matcher(args);
            while (m.find()) {
                n += m.group(1).length();
            }
            return n;
        }

        String label() {
            return out + " (" + pcap + (args.isBlank() ? "" : " " + args.trim()) + ")";
        }
    }

    private static final Pattern TESTLIST_LINE = Pattern.compile("^\\s*(\\S+)\\s+(\\S+)\\s+(\\S+)(.*)$");

    /**
     * The tests of {@code TESTLIST.excerpt} (name, input, output, flags per line) and of
     * {@code TESTrun.crypto-excerpt} (perl hashes with name, input, output, args) whose name or
     * input names ISAKMP or IKE.
     */
    static List<Case> ikeCases(Path dir) throws IOException {
        List<Case> cases = new ArrayList<>();
        Path list = dir.resolve("TESTLIST.excerpt");
        if (Files.isRegularFile(list)) {
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.trim().startsWith("#")) {
                    continue;
                }
                Matcher m = TESTLIST_LINE.matcher(line);
                if (m.matches() && isIke(m.group(1), m.group(2))) {
                    cases.add(new Case(m.group(1), m.group(2), m.group(3), m.group(4).trim(), false));
                }
            }
        }
        Path crypto = dir.resolve("TESTrun.crypto-excerpt");
        if (Files.isRegularFile(crypto)) {
            String all = Files.readString(crypto, StandardCharsets.UTF_8);
            // one perl hash per "{" on a line of its own ("${testsdir}" inside the args has a brace too)
            for (String block : all.split("(?m)^\\s*\\{\\s*$")) {
                String name = perlValue(block, "name");
                String input = perlValue(block, "input");
                String output = perlValue(block, "output");
                String args = perlValue(block, "args");
                if (name != null && input != null && output != null && isIke(name, input)) {
                    cases.add(new Case(name, input, output, args == null ? "" : args, true));
                }
            }
        }
        return cases;
    }

    private static boolean isIke(String name, String input) {
        String s = (name + " " + input).toLowerCase(Locale.ROOT);
        return s.contains("isakmp") || s.contains("ikev");
    }

    /** {@code key => 'value'} or {@code key => "value"} in a perl hash literal. */
    private static String perlValue(String block, String key) {
        Matcher m = Pattern.compile("\\b" + key + "\\s*=>\\s*(?:'([^']*)'|\"((?:[^\"\\\\]|\\\\.)*)\")").matcher(block);
        if (!m.find()) {
            return null;
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    // ---------------------------------------------------------------- packets of a .out file

    /** One packet of a .out file: its number (tcpdump -#) and its lines, the first holding the number. */
    record Packet(int number, List<String> lines) {
    }

    /** The first line of a packet: right-aligned number, two spaces, the -tttt timestamp. */
    private static final Pattern PACKET_LINE =
            Pattern.compile("^ *(\\d+)  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+ .*$");

    static List<Packet> packets(Path out) throws IOException {
        List<Packet> packets = new ArrayList<>();
        List<String> cur = null;
        int number = 0;
        for (String line : Files.readAllLines(out, StandardCharsets.ISO_8859_1)) {
            Matcher m = PACKET_LINE.matcher(line);
            if (m.matches()) {
                if (cur != null) {
                    packets.add(new Packet(number, cur));
                }
                number = Integer.parseInt(m.group(1));
                cur = new ArrayList<>();
                cur.add(line);
            } else if (cur != null) {
                cur.add(line);
            } else if (!line.isBlank()) {
                throw new IOException(out + ": text before the first packet line: " + line);
            }
        }
        if (cur != null) {
            packets.add(new Packet(number, cur));
        }
        return packets;
    }

    // ---------------------------------------------------------------- the ISAKMP part of a packet

    /** One printed payload (or proposal, transform) item: {@code (name[C]: rest}. */
    static final class Item {
        final int depth;
        /** The printed name ("sa", "v2ke", "n", "pay15", "#126"), "" when tcpdump printed none. */
        final String name;
        final boolean critical;
        /** The name was followed by ':' (a printer ran) rather than printed alone (unknown type). */
        final boolean colon;
        /** The rest of the line after "name:", closing parentheses included. */
        final String rest;
        final List<Item> children = new ArrayList<>();

        Item(int depth, String name, boolean critical, boolean colon, String rest) {
            this.depth = depth;
            this.name = name;
            this.critical = critical;
            this.colon = colon;
            this.rest = rest;
        }

        @Override
        public String toString() {
            return "(" + name + (critical ? "[C]" : "") + (colon ? ":" : "") + rest;
        }
    }

    /** What tcpdump printed for ISAKMP in one packet, as raw strings. */
    static final class Isakmp {
        /** An ISAKMP header line was printed ("isakmp ...:"). */
        boolean header;
        /** "[|isakmp]" or "[|isakmp_rfc3948]" was printed where the header would be. */
        boolean cutBeforeHeader;
        /** "keepalive" (isakmp-nat-keep-alive), "non-esp" (NONESP-encap), "esp" (UDP-encap: ESP), or null. */
        String natt;
        String espSpi;
        String espSeq;
        /** -v: "M", "m", the message ID (8 hex digits); -vv: the SPIs (cookies). Null when not printed. */
        String major;
        String minor;
        String msgid;
        String spiI;
        String spiR;
        /** "1" (phase ...), "2" (parent_sa/child_sa) or "other" (nothing after "isakmp...:"). */
        String family;
        /** IKEv1 "1" or "2/others"; IKEv2 "parent_sa" or "child_sa". */
        String phase;
        /** IKEv1: I, R or ? (tcpdump's guess from its cookie cache, not a header field). */
        String side;
        String exchange;
        /** The characters between the brackets after the exchange name, null without brackets. */
        String flags;
        /** "[encrypted X]": the name X. */
        String encrypted;
        /** A marker right after the header's colon (nothing printed before it): its name. */
        String headerMarker;
        /** "(len mismatch: isakmp X/ip Y)": X and Y. */
        String lenIsakmp;
        String lenIp;
        /** Payload items at depth 1, each with its nested items. */
        final List<Item> payloads = new ArrayList<>();
        /** Every damage marker after the header: "[|x]", "[bad: ...]", "[payload too short]", "len=N < 8". */
        final List<String> markers = new ArrayList<>();
    }

    private static final Pattern HEADER = Pattern.compile(
            "(?<![\\w|-])isakmp(?: (\\d+)\\.(\\d+) msgid ([0-9a-f]{8})(?: cookie ([0-9a-f]{16})->([0-9a-f]{16}))?)?:(.*)$");
    private static final Pattern CUT_HEADER = Pattern.compile("\\[\\|isakmp(?:_rfc3948)?\\]");
    private static final Pattern V1 = Pattern.compile("^ phase (1|2/others) ([IR?]) ([^\\[\\s:]+)(?:\\[([^\\]]*)\\])?(:?)(.*)$");
    private static final Pattern V2 = Pattern.compile("^ (parent_sa|child_sa) +([^\\[\\s:]+)(?:\\[([^\\]]*)\\])?(:?)(.*)$");
    private static final Pattern ENCRYPTED = Pattern.compile("^ \\[encrypted ([^\\]]+)\\]");
    private static final Pattern LEADING_MARKER = Pattern.compile("^ \\[\\|([^\\]]+)\\]");
    private static final Pattern LEN_MISMATCH = Pattern.compile("\\(len mismatch: isakmp (\\d+)/ip (\\d+)\\)");
    private static final Pattern ESP = Pattern.compile("UDP-encap: ESP\\(spi=0x([0-9a-f]+),seq=0x([0-9a-f]+)\\)");
    static final Pattern MARKER = Pattern.compile(
            "\\[\\|[^\\]]+\\]|\\[bad: [^\\]]*\\]|\\[payload too short\\]|len=\\d+ < 8");
    private static final Pattern ITEM = Pattern.compile("^( +)\\(([A-Za-z][A-Za-z0-9]*|#\\d+)?(\\[C\\])?(:?)(.*)$");

    static Isakmp isakmp(Packet p) {
        Isakmp r = new Isakmp();
        List<String> lines = p.lines();
        int h = -1;
        String tail = null;
        for (int i = 0; i < lines.size() && h < 0; i++) {
            String line = lines.get(i);
            if (line.contains("isakmp-nat-keep-alive")) {
                r.natt = "keepalive";
            }
            Matcher e = ESP.matcher(line);
            if (e.find()) {
                r.natt = "esp";
                r.espSpi = e.group(1);
                r.espSeq = e.group(2);
            }
            Matcher m = HEADER.matcher(line);
            if (m.find()) {
                if (line.substring(0, m.start()).endsWith("NONESP-encap: ")) {
                    r.natt = "non-esp";
                }
                h = i;
                r.header = true;
                r.major = m.group(1);
                r.minor = m.group(2);
                r.msgid = m.group(3);
                r.spiI = m.group(4);
                r.spiR = m.group(5);
                tail = m.group(6);
            } else if (CUT_HEADER.matcher(line).find()) {
                r.cutBeforeHeader = true;
            }
        }
        if (!r.header) {
            return r;
        }
        String all = String.join("\n", lines.subList(h, lines.size()));
        Matcher lm = LEN_MISMATCH.matcher(all);
        if (lm.find()) {
            r.lenIsakmp = lm.group(1);
            r.lenIp = lm.group(2);
        }
        String after = "";
        Matcher v1 = V1.matcher(tail);
        Matcher v2 = V2.matcher(tail);
        if (v1.matches()) {
            r.family = "1";
            r.phase = v1.group(1);
            r.side = v1.group(2);
            r.exchange = v1.group(3);
            r.flags = v1.group(4);
            after = v1.group(6);
        } else if (v2.matches()) {
            r.family = "2";
            r.phase = v2.group(1);
            r.exchange = v2.group(2);
            r.flags = v2.group(3);
            after = v2.group(5);
        } else {
            r.family = "other";
        }
        Matcher enc = ENCRYPTED.matcher(after);
        if (enc.find()) {
            r.encrypted = enc.group(1);
        }
        Matcher lead = LEADING_MARKER.matcher(after);
        if (lead.find()) {
            r.headerMarker = lead.group(1);
        }
        // damage markers: on the rest of the header line and on every later line
        StringBuilder body = new StringBuilder(after);
        for (String line : lines.subList(h + 1, lines.size())) {
            body.append('\n').append(line);
        }
        Matcher mk = MARKER.matcher(body);
        while (mk.find()) {
            r.markers.add(mk.group());
        }
        // the item tree, by indentation (four spaces per depth)
        Deque<Item> stack = new ArrayDeque<>();
        for (String line : lines.subList(h + 1, lines.size())) {
            Matcher im = ITEM.matcher(line);
            if (!im.matches()) {
                continue;
            }
            int depth = Math.max(1, im.group(1).length() / 4);
            Item it = new Item(depth, im.group(2) == null ? "" : im.group(2), im.group(3) != null,
                    !im.group(4).isEmpty(), im.group(5));
            while (!stack.isEmpty() && stack.peek().depth >= depth) {
                stack.pop();
            }
            if (stack.isEmpty()) {
                r.payloads.add(it);
            } else {
                stack.peek().children.add(it);
            }
            stack.push(it);
        }
        return r;
    }

    // ---------------------------------------------------------------- tcpdump's renderings of bytes

    /** tcpdump's fn_print_char (IKEv1 FQDN and USER_FQDN identities): M- for the high bit, ^X for controls. */
    static String fnPrint(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c >= 0x80) {
                sb.append("M-");
                c &= 0x7f;
            }
            if (c < 0x20 || c == 0x7f) {
                sb.append('^').append((char) (c ^ 0x40));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** tcpdump's IKEv2 ID and VID text: printable ASCII as is, anything else '.'. */
    static String asciiDots(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        return sb.toString();
    }
}
