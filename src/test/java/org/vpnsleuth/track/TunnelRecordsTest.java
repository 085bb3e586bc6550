package org.vpnsleuth.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.FieldTree;
import org.vpnsleuth.decode.GreHeader;
import org.vpnsleuth.decode.L2tpPacket;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.PppHeaders;
import org.vpnsleuth.decode.PptpPacket;
import org.vpnsleuth.decode.Proto;

/**
 * The typed records the tunnel trackers read (L2tpPacket, PptpPacket, GreHeader, PppControlPacket,
 * PppHeaders) against the dissector's fields they replaced: for every L2TP, PPTP, GRE, PPP and
 * PPPoE layer of the shipped and corpus captures and the fuzz inputs, and for thousands of
 * mutations of them (bytes changed, lengths stretched, cut short), what the tracker makes of the
 * record (the L2tpMessage, PptpMessage, PppPacket, GRE facts) equals what the tracker of commit
 * 2f799d8 made of the fields ({@link FieldTree}, the reading code kept here as the reference).
 */
class TunnelRecordsTest {
    private static final FrameRef AT = new FrameRef(0, 1, 0);
    private static final Endpoint SRC = new Endpoint("192.0.2.1", 1701);
    private static final Endpoint DST = new Endpoint("192.0.2.2", 1701);
    private static final Set<Proto> TUNNEL = Set.of(Proto.L2TP, Proto.L2TPV3, Proto.PPTP, Proto.GRE, Proto.PPP,
            Proto.PPPOE, Proto.PPPOED, Proto.LCP, Proto.IPCP, Proto.IPV6CP, Proto.CCP, Proto.PAP, Proto.CHAP, Proto.EAP);
    /** Layer.aux bit of an L2TPv3 layer directly over IP (L2tpCodec). */
    private static final int L2TP_OVER_IP = 1 << 18;

    /** A layer to decode again: where to start, as what, on which link type. */
    private record Seed(Proto proto, byte[] bytes, int linkType) {
    }

    private final java.util.EnumMap<Proto, Integer> checked = new java.util.EnumMap<>(Proto.class);

    @Test
    void recordsReadWhatTheFieldsSaid() throws IOException {
        List<Seed> seeds = seeds();
        assertTrue(seeds.size() > 50, "seeds: " + seeds.size());
        Random rnd = new Random(13);
        for (Seed s : seeds) {
            check(s.proto, s.bytes, s.linkType);
            for (int k = 0; k < 60; k++) {
                check(s.proto, mutate(s.bytes, rnd), s.linkType);
            }
        }
        System.out.println("[tunnel-records] " + seeds.size() + " seeds, layers checked: " + checked);
        for (Proto p : TUNNEL) {
            assertTrue(checked.getOrDefault(p, 0) >= 50, p + " layers checked: " + checked);
        }
    }

    // ------------------------------------------------------------------ seeds and mutations

    private static Path base() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    private static List<Seed> seeds() throws IOException {
        List<Seed> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(base().resolve("captures"), base().resolve("../shared/corpus/tcpdump").normalize())) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> st = Files.list(dir)) {
                    st.filter(p -> p.toString().matches(".*\\.(pcap|pcapng)(\\.gz)?$")).sorted().forEach(files::add);
                }
            }
        }
        for (Path f : files) {
            CaptureReader r;
            try {
                r = Captures.open(f.toString());
            } catch (CaptureException e) {
                continue;
            }
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame fr = new Frame();
            try (r) {
                while (r.next(fr)) {
                    d.decode(fr, p);
                    seedsOf(p, fr.linkType, out, seen);
                }
            }
        }
        Path fuzz = base().resolve("src/test/resources/org/vpnsleuth/fuzz/DecodeFuzzTestInputs");
        Map<String, Integer> linkTypes = Map.of("ethernetFrame", 1, "rawIpFrame", 101, "sllFrame", 113, "pppFrame", 9);
        for (Map.Entry<String, Integer> e : linkTypes.entrySet()) {
            Path dir = fuzz.resolve(e.getKey());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> inputs;
            try (Stream<Path> st = Files.list(dir)) {
                inputs = st.sorted().toList();
            }
            for (Path in : inputs) {
                byte[] data = Files.readAllBytes(in);
                Packet p = new Packet();
                new Decoder().decode(frame(e.getValue(), data), p);
                seedsOf(p, e.getValue(), out, seen);
            }
        }
        out.addAll(built());
        return out;
    }

    // ------------------------------------------------------------------ built seeds: what the captures lack

    private static byte[] cat(Object... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (Object x : parts) {
            if (x instanceof byte[] b) {
                o.writeBytes(b);
            } else if (x instanceof String str) {
                o.writeBytes(str.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            } else {
                o.write((Integer) x);
            }
        }
        return o.toByteArray();
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] hexBytes(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) Integer.parseInt(h.substring(2 * k, 2 * k + 2), 16);
        }
        return b;
    }

    /** A PPP frame (address/control, protocol) with an RFC 1661 code/id/length packet. */
    private static byte[] ppp(int proto, int code, int id, Object... body) {
        byte[] b = cat(body);
        return cat(0xff, 0x03, u16(proto), code, id, u16(4 + b.length), b);
    }

    private static byte[] opt(int type, Object... value) {
        byte[] v = cat(value);
        return cat(type, 2 + v.length, v);
    }

    private static byte[] avp(int flags, int vendor, int attr, Object... value) {
        byte[] v = cat(value);
        return cat(u16(flags | (6 + v.length)), u16(vendor), u16(attr), v);
    }

    private static byte[] v2(int tid, int sid, int ns, int nr, Object... avps) {
        byte[] a = cat(avps);
        return cat(u16(0xc802), u16(12 + a.length), u16(tid), u16(sid), u16(ns), u16(nr), a);
    }

    private static byte[] v3(long ccid, int ns, int nr, Object... avps) {
        byte[] a = cat(avps);
        return cat(u16(0xc803), u16(12 + a.length), u32(ccid), u16(ns), u16(nr), a);
    }

    private static byte[] type(int t) {
        return avp(0x8000, 0, 0, u16(t));
    }

    /** PPP, L2TP control messages and AVPs the shipped captures do not have (authentication, hidden AVPs, v3). */
    private static List<Seed> built() {
        int lcp = 0xc021;
        byte[] chal = hexBytes("00112233445566778899aabbccddeeff");
        byte[] msv2 = cat(hexBytes("0102030405060708090a0b0c0d0e0f10"), new byte[8],
                hexBytes("a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8"), 0);
        List<byte[]> ppp = List.of(
                ppp(lcp, 1, 1, opt(1, u16(1400)), opt(2, u32(0)), opt(3, u16(0xc223), 5), opt(5, u32(0x12345678)),
                        opt(7), opt(8), opt(17, u16(1500)), opt(13, 6), opt(19, 1, "ab")),
                ppp(lcp, 3, 2, opt(3, u16(0xc223), 0x81), opt(3, u16(0xc223), 0x80), opt(3, u16(0xc223), 0x77),
                        opt(3, u16(0xc223)), opt(3, u16(0xc023)), opt(3, u16(0xc227)), opt(3, u16(0x1234))),
                ppp(lcp, 4, 3, opt(1, u16(1400), 0), opt(2, 1), opt(3, 0xc0), opt(5, u16(1)), opt(17), opt(99, 1, 2)),
                ppp(lcp, 5, 4, "User request"), ppp(lcp, 6, 4), ppp(lcp, 5, 5, "bad\u0001text"), ppp(lcp, 5, 6, "stop", 0, "x"),
                ppp(lcp, 8, 7, u16(0x8057), "rest"), ppp(lcp, 8, 8, u16(0x4242)), ppp(lcp, 8, 9, 1),
                ppp(lcp, 7, 10, 0x20, 1, 0, 4), ppp(lcp, 9, 11, u32(1)), ppp(lcp, 12, 12, u32(1), "ident"),
                ppp(lcp, 13, 13, u32(1), u32(60), "left"), ppp(lcp, 42, 14, "?"),
                ppp(0x8021, 3, 1, opt(3, 10, 0, 0, 1), opt(129, 8, 8, 8, 8), opt(130, 1, 1, 1, 1), opt(131, 8, 8, 4, 4),
                        opt(132, 2, 2, 2, 2), opt(2, u16(0x002d), 15, 1), opt(2, u16(0x0061)), opt(1, u32(1), u32(2)), opt(4, 1)),
                ppp(0x8021, 1, 2, opt(3, 10, 0), opt(2, 0), opt(129, 1, 2, 3, 4, 5)), ppp(0x8021, 8, 3, u16(0x0021)),
                ppp(0x8021, 5, 4, "ipcp down"),
                ppp(0x8057, 1, 1, opt(1, u32(1), u32(2)), opt(2, u16(0x004f))), ppp(0x8057, 4, 2, opt(2, 1), opt(9)),
                ppp(0x8057, 6, 3, "v6 down"),
                ppp(0x80fd, 1, 1, opt(18, u32(0x01000040)), opt(17, 1, 2), opt(26, 0x80)), ppp(0x80fd, 14, 2), ppp(0x80fd, 15, 3),
                ppp(0xc023, 1, 1, 5, "alice", 3, "pwd"), ppp(0xc023, 1, 2, 9, "al"), ppp(0xc023, 2, 1, 7, "welcome"),
                ppp(0xc023, 3, 1, 20, "no"), ppp(0xc023, 2, 2), ppp(0xc023, 4, 4, "?"),
                ppp(0xc223, 1, 1, 16, chal, "server"), ppp(0xc223, 2, 1, 49, msv2, "alice"),
                ppp(0xc223, 2, 2, 16, chal, "bob"), ppp(0xc223, 2, 3, 49, msv2), ppp(0xc223, 2, 4, 0),
                ppp(0xc223, 3, 1, "S=0123456789ABCDEF0123456789ABCDEF01234567 M=welcome"), ppp(0xc223, 3, 2, "Welcome"),
                ppp(0xc223, 4, 1, "E=691 R=1 C=00112233445566778899aabbccddeeff V=3 M=Authentication failure"),
                ppp(0xc223, 4, 2, "E=649 R=0 E=99999 M=twice"), ppp(0xc223, 4, 3, "E=x R=2 V= M="), ppp(0xc223, 4, 4, "Bad"),
                ppp(0xc223, 4, 5), ppp(0xc223, 9, 6, "?"),
                ppp(0xc227, 1, 1, 1), ppp(0xc227, 2, 1, 1, "alice@example.com"), ppp(0xc227, 1, 2, 2, "notice"),
                ppp(0xc227, 2, 3, 3, 26, 13), ppp(0xc227, 1, 4, 4, 16, chal, "srv"), ppp(0xc227, 1, 5, 254, 0, 0, 9, u32(1), "x"),
                ppp(0xc227, 1, 6, 13, 0x20), ppp(0xc227, 3, 7), ppp(0xc227, 4, 8), ppp(0xc227, 1, 9), ppp(0xc227, 7, 9, "?"));
        List<byte[]> l2tp = List.of(
                v2(0, 0, 0, 0, type(1), avp(0x8000, 0, 2, 1, 0), avp(0x8000, 0, 3, u32(3)), avp(0x8000, 0, 7, "lac-1"),
                        avp(0, 0, 8, "Vendor Inc."), avp(0x8000, 0, 9, u16(4711)), avp(0x8000, 0, 11, chal),
                        avp(0, 0, 6, u16(0x0680)), avp(0x8000, 0, 10, u16(4)), avp(0x8000, 0, 5, chal)),
                v2(4711, 0, 0, 1, type(2), avp(0x8000, 0, 7, "lns"), avp(0x8000, 0, 9, u16(99)), avp(0x8000, 0, 13, chal)),
                v2(99, 0, 1, 1, type(4), avp(0x8000, 0, 9, u16(4711)), avp(0x8000, 0, 1, u16(2), u16(6), "No Authorization")),
                v2(99, 0, 1, 1, type(4), avp(0x8000, 0, 1, u16(1))), v2(99, 0, 1, 1, type(4), avp(0x8000, 0, 1, 1)),
                v2(99, 0, 2, 2, type(10), avp(0x8000, 0, 14, u16(7)), avp(0x8000, 0, 15, u32(123456)), avp(0x8000, 0, 18, u32(1)),
                        avp(0x8000, 0, 21, "555"), avp(0x8000, 0, 22, "666")),
                v2(4711, 7, 3, 3, type(14), avp(0x8000, 0, 1, u16(3), u16(0)), avp(0x8000, 0, 14, u16(8)),
                        avp(0x8000, 0, 12, u16(16), 1, "advice")),
                v2(4711, 7, 3, 3, type(12), avp(0xc000, 0, 14, u16(8)), avp(0xc000, 0, 7, "hidden"), avp(0xc000, 0, 1, u16(2)),
                        avp(0x8000, 9, 9, u16(1)), avp(0x8000, 0, 9, 1), avp(0x4000, 0, 11, chal), avp(0x8000, 0, 24, u32(64000)),
                        avp(0x8000, 0, 34, new byte[26]), avp(0x8000, 0, 35, new byte[10]), avp(0x8000, 0, 12, u16(1))),
                v2(99, 0, 4, 4, type(6)), v2(99, 0, 5, 4), v2(99, 0, 5, 4, type(0x7fff)), v2(99, 0, 5, 4, avp(0x8000, 0, 7, "x")),
                v2(99, 0, 5, 4, avp(0xc000, 0, 0, u16(1))), v2(99, 0, 5, 4, avp(0x8000, 0, 0, 1)),
                cat(u16(0x0002), u16(99), u16(7), ppp(lcp, 1, 1, opt(1, u16(1400)))),
                cat(u16(0x4002), u16(14), u16(99), u16(7), 0xff, 0x03, u16(0xc023), 1, 1, u16(6), 0, 0),
                cat(u16(0x0802), u16(99), u16(7), u16(1), u16(2), ppp(0xc223, 1, 1, 16, chal)),
                v3(0, 0, 0, type(1), avp(0x8000, 0, 61, u32(0x01020304)), avp(0x8000, 0, 7, "lcce")),
                v3(0x01020304, 1, 1, type(10), avp(0x8000, 0, 63, u32(0x11)), avp(0x8000, 0, 64, u32(0)),
                        avp(0x8000, 0, 68, u16(5)), avp(0x8000, 0, 15, u32(9))),
                v3(0x01020304, 1, 1, type(11), avp(0x8000, 0, 63, u32(0x22)), avp(0x8000, 0, 64, u32(0x11))),
                v3(0x01020304, 1, 1, type(14), avp(0x8000, 0, 64, u32(0x11)), avp(0xc000, 0, 64, u32(0x12)),
                        avp(0x8000, 0, 1, u16(3))),
                cat(u16(0x0003), u16(0), u32(0x11), "payload"));
        List<Seed> out = new ArrayList<>();
        for (byte[] b : ppp) {
            out.add(new Seed(Proto.PPP, b, 1));
        }
        out.add(new Seed(Proto.PPP, cat(1, ppp(lcp, 1, 1, opt(1, u16(1400)))), 204));
        out.add(new Seed(Proto.PPP, cat(0, ppp(0xc223, 4, 1, "E=691 M=no")), 166));
        for (byte[] b : l2tp) {
            out.add(new Seed(Proto.L2TP, b, 1));
        }
        for (byte[] b : List.of(v3(0x01020304, 2, 2, type(12), avp(0x8000, 0, 64, u32(0x11))), v3(7, 0, 0))) {
            out.add(new Seed(Proto.L2TPV3, cat(u32(0), b), 1));
        }
        out.add(new Seed(Proto.L2TPV3, cat(u32(0x11), "data"), 1));
        return out;
    }

    /** The outermost tunnel layers of a decoded frame (what follows them is decoded again with them). */
    private static void seedsOf(Packet p, int linkType, List<Seed> out, Set<String> seen) {
        boolean inside = false;
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            boolean tunnel = TUNNEL.contains(l.proto);
            if (tunnel && !inside && l.end > l.offset && l.end <= l.buf.length) {
                Proto as = l.proto == Proto.L2TPV3 && (l.aux & L2TP_OVER_IP) == 0 ? Proto.L2TP : l.proto;
                byte[] b = Arrays.copyOfRange(l.buf, l.offset, l.end);
                int lt = i == 0 ? linkType : 1;
                if (seen.add(as + "|" + lt + "|" + Arrays.toString(b)) && seen.size() < 5000) {
                    out.add(new Seed(as, b, lt));
                }
            }
            inside = tunnel;
        }
    }

    private static byte[] mutate(byte[] b, Random rnd) {
        byte[] m = b.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> { // a few bytes changed, mostly in the headers
                int n = 1 + rnd.nextInt(4);
                for (int k = 0; k < n && m.length > 0; k++) {
                    int at = rnd.nextInt(Math.min(m.length, rnd.nextBoolean() ? 48 : m.length));
                    m[at] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> { // cut short
                return Arrays.copyOf(m, rnd.nextInt(m.length + 1));
            }
            case 2 -> { // a byte set to an edge value
                if (m.length > 0) {
                    int at = rnd.nextInt(Math.min(m.length, 64));
                    m[at] = (byte) new int[] {0, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0xc0, 0xff}[rnd.nextInt(11)];
                }
            }
            default -> { // longer, with random bytes after
                byte[] x = Arrays.copyOf(m, m.length + 1 + rnd.nextInt(40));
                for (int k = m.length; k < x.length; k++) {
                    x[k] = (byte) rnd.nextInt(256);
                }
                if (x.length > 0) {
                    x[rnd.nextInt(Math.min(x.length, 32))] ^= (byte) (1 << rnd.nextInt(8));
                }
                return x;
            }
        }
        return m;
    }

    private static Frame frame(int linkType, byte[] data) {
        Frame f = new Frame();
        f.data = data;
        f.offset = 0;
        f.capturedLength = data.length;
        f.originalLength = data.length;
        f.linkType = linkType;
        f.number = 1;
        f.source = "test";
        return f;
    }

    // ------------------------------------------------------------------ the check

    private void check(Proto proto, byte[] bytes, int linkType) {
        Decoder d = new Decoder();
        d.frame = frame(linkType, bytes);
        Packet p = new Packet();
        d.runNested(proto, bytes, 0, bytes.length, p);
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            String what = l.proto + " of " + proto + " " + hex(bytes);
            switch (l.proto) {
                case L2TP, L2TPV3 -> {
                    L2tpPacket pk = L2tpPacket.of(l);
                    Map<String, Object> f = FieldTree.of(l);
                    boolean v3 = l.proto == Proto.L2TPV3;
                    boolean control = FieldTree.bool(f, "control") && !(v3 && !f.containsKey("flags"));
                    assertEquals(control, pk.control(), what);
                    if (!control) {
                        assertEquals(FieldTree.num(f, "sessionId", -1), pk.sessionId(), what);
                        if (!v3) {
                            assertEquals(FieldTree.num(f, "tunnelId", -1), pk.tunnelId(), what);
                        }
                    } else {
                        assertEquals(describe(legacyL2tp(l, f)), describe(L2tpTracker.message(pk, l, SRC, DST, AT)), what);
                    }
                }
                case PPTP -> {
                    PptpPacket pk = PptpPacket.of(l);
                    assertEquals(describe(legacyPptp(l)), pk == null || pk.messageType() != 1 ? "null"
                            : describe(new PptpMessage(AT, true, pk)), what);
                }
                case GRE -> {
                    GreHeader h = GreHeader.of(l);
                    Map<String, Object> f = FieldTree.of(l);
                    long version = FieldTree.num(f, "version", -1);
                    assertEquals(version, h == null ? -1 : h.version(), what);
                    if (version == 0 || version == 1) {
                        assertEquals(FieldTree.num(f, version == 1 ? "callId" : "key", -1), h.key(), what);
                        assertEquals(FieldTree.str(f, "protocolName"), h.protocolName(), what);
                        assertEquals(FieldTree.num(f, "protocol", -1), h.protocol(), what);
                        assertEquals(FieldTree.num(f, "payloadLength", 0) > 0, h.payloadLength() > 0, what);
                        assertEquals(FieldTree.num(f, "seq", -1), h.seq(), what);
                    }
                }
                case PPP -> assertEquals(FieldTree.num(FieldTree.of(l), "direction", -1), PppHeaders.direction(l), what);
                case PPPOE, PPPOED -> {
                    Map<String, Object> f = FieldTree.of(l);
                    PppHeaders.Pppoe h = PppHeaders.pppoe(l);
                    assertEquals(FieldTree.num(f, "sessionId", -1), h == null ? -1 : h.sessionId(), what);
                    assertEquals(FieldTree.num(f, "code", -1), h == null ? -1 : h.code(), what);
                }
                case LCP, IPCP, IPV6CP, CCP, PAP, CHAP, EAP -> assertEquals(describe(legacyPpp(l)),
                        describe(PppTracker.packet(l, true, AT)), what);
                default -> {
                    continue;
                }
            }
            checked.merge(l.proto, 1, Integer::sum);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < Math.min(b.length, 96); k++) {
            sb.append(String.format(Locale.ROOT, "%02x", b[k]));
        }
        return sb.toString();
    }

    private static String describe(L2tpMessage m) {
        if (m == null) {
            return "null";
        }
        return String.join("|", "" + m.version, "" + m.tunnelId, "" + m.sessionId, "" + m.ns, "" + m.nr, "" + m.type,
                m.name, "" + m.assignedTunnelId, "" + m.assignedSessionId, "" + m.resultCode, m.resultName,
                "" + m.errorCode, m.errorName, m.errorMessage, m.hostName, m.vendorName, "" + m.callSerial,
                "" + m.q931Cause, "" + m.challenge, "" + m.challengeResponse, "" + m.hiddenAvps);
    }

    private static String describe(PptpMessage m) {
        if (m == null) {
            return "null";
        }
        return String.join("|", "" + m.type, m.name, "" + m.callId, "" + m.peerCallId, "" + m.resultCode, m.resultName,
                "" + m.errorCode, m.errorName, "" + m.causeCode, m.reason, m.hostName, m.vendor, m.callStatistics);
    }

    private static String describe(PppPacket p) {
        if (p == null) {
            return "null";
        }
        return String.join("|", p.protocol, "" + p.code, p.codeName, "" + p.identifier, String.join(", ", p.options),
                p.authProtocol, p.address, p.message, "" + p.errorCode, p.errorName, p.failureMessage, p.name, p.variant);
    }

    // ------------------------------------------------------------------ the reference: commit 2f799d8's L2tpTracker

    private static int num(Map<String, Object> m, String k) {
        return (int) FieldTree.num(m, k, -1);
    }

    private static String nameOr(Map<String, Object> m, String k, String dflt) {
        String s = FieldTree.str(m, k + "Name");
        return s != null ? s : dflt;
    }

    private static L2tpMessage legacyL2tp(Layer l, Map<String, Object> f) {
        boolean v3 = l.proto == Proto.L2TPV3;
        if (l.malformed != null && !f.containsKey("messageType")) {
            return null;
        }
        int version = v3 ? 3 : 2;
        long tunnelId = FieldTree.num(f, v3 ? "controlConnectionId" : "tunnelId", -1);
        if (tunnelId < 0) {
            return null;
        }
        int type = f.containsKey("messageType") ? num(f, "messageType") : -1;
        String name = type < 0 ? "no Message Type" : nameOr(f, "messageType", "type " + type);
        long sessionId = v3 ? 0 : FieldTree.num(f, "sessionId", 0);
        L2tpMessage m0 = new L2tpMessage(AT, SRC, DST, version, tunnelId, sessionId, num(f, "ns"), num(f, "nr"), type, name);
        long v3Remote = -1;
        for (Map<String, Object> a : FieldTree.maps(f, "avps")) {
            if (FieldTree.bool(a, "hidden")) {
                m0.hiddenAvps = true;
            }
            if (FieldTree.num(a, "vendorId", -1) != 0) {
                continue;
            }
            switch ((int) FieldTree.num(a, "type", -1)) {
                case 1 -> {
                    m0.resultCode = num(a, "resultCode");
                    m0.resultName = FieldTree.str(a, "resultCodeName");
                    m0.errorCode = num(a, "errorCode");
                    m0.errorName = FieldTree.str(a, "errorCodeName");
                    m0.errorMessage = FieldTree.str(a, "errorMessage");
                }
                case 7 -> m0.hostName = FieldTree.str(a, "hostName");
                case 8 -> m0.vendorName = FieldTree.str(a, "vendorName");
                case 9 -> m0.assignedTunnelId = FieldTree.num(a, "assignedTunnelId", -1);
                case 61 -> m0.assignedTunnelId = FieldTree.num(a, "assignedControlConnectionId", -1);
                case 11 -> m0.challenge = true;
                case 13 -> m0.challengeResponse = true;
                case 12 -> m0.q931Cause = num(a, "causeCode");
                case 14 -> m0.assignedSessionId = FieldTree.num(a, "assignedSessionId", -1);
                case 63 -> m0.assignedSessionId = FieldTree.num(a, "localSessionId", -1);
                case 64 -> v3Remote = FieldTree.num(a, "remoteSessionId", -1);
                case 15 -> m0.callSerial = FieldTree.num(a, "callSerialNumber", -1);
                default -> {
                }
            }
        }
        if (v3 && v3Remote > 0) {
            L2tpMessage m = new L2tpMessage(AT, SRC, DST, version, tunnelId, v3Remote, m0.ns, m0.nr, type, name);
            m.assignedTunnelId = m0.assignedTunnelId;
            m.assignedSessionId = m0.assignedSessionId;
            m.resultCode = m0.resultCode;
            m.resultName = m0.resultName;
            m.errorCode = m0.errorCode;
            m.errorName = m0.errorName;
            m.errorMessage = m0.errorMessage;
            m.hostName = m0.hostName;
            m.vendorName = m0.vendorName;
            m.callSerial = m0.callSerial;
            m.q931Cause = m0.q931Cause;
            m.challenge = m0.challenge;
            m.challengeResponse = m0.challengeResponse;
            m.hiddenAvps = m0.hiddenAvps;
            return m;
        }
        return m0;
    }

    private static PptpMessage legacyPptp(Layer l) {
        Map<String, Object> f = FieldTree.of(l);
        if (FieldTree.num(f, "messageType", -1) != 1) {
            return null;
        }
        int type = num(f, "controlMessageType");
        if (type < 0) {
            return null;
        }
        PptpMessage m = new PptpMessage(AT, true, type, nameOr(f, "controlMessageType", "type " + type));
        m.callId = FieldTree.num(f, type == 11 ? "peerCallId" : "callId", -1);
        if (type == 11) {
            m.peerCallId = m.callId;
            m.callId = -1;
        }
        if (m.peerCallId < 0) {
            m.peerCallId = FieldTree.num(f, "peerCallId", -1);
        }
        m.resultCode = num(f, "resultCode");
        m.resultName = FieldTree.str(f, "resultCodeName");
        m.errorCode = num(f, "errorCode");
        m.errorName = FieldTree.str(f, "errorCodeName");
        m.causeCode = num(f, "causeCode");
        m.reason = FieldTree.str(f, "reasonName");
        m.hostName = FieldTree.str(f, "hostName");
        m.vendor = FieldTree.str(f, "vendor");
        m.callStatistics = FieldTree.str(f, "callStatistics");
        return m;
    }

    private static String text(String hex) {
        if (hex == null || hex.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k + 1 < hex.length(); k += 2) {
            int b = Integer.parseInt(hex.substring(k, k + 2), 16);
            if (b == 0) {
                break;
            }
            if (b < 0x20 || b > 0x7e) {
                return null;
            }
            sb.append((char) b);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String authName(Map<String, Object> o) {
        long proto = FieldTree.num(o, "authProtocol", -1);
        if (proto == 0xc023) {
            return "PAP";
        }
        if (proto == 0xc227) {
            return "EAP";
        }
        if (proto == 0xc223) {
            String alg = FieldTree.str(o, "algorithmName");
            long a = FieldTree.num(o, "algorithm", -1);
            return alg != null ? (a == 5 ? "CHAP with MD5" : alg) : a >= 0 ? "CHAP algorithm " + a : "CHAP";
        }
        String n = FieldTree.str(o, "authProtocolName");
        return n != null ? n : String.format(Locale.ROOT, "protocol 0x%04x", proto);
    }

    private static String option(Proto proto, Map<String, Object> o, PppPacket pk) {
        int type = num(o, "type");
        String tn = FieldTree.str(o, "typeName");
        if (proto == Proto.LCP) {
            switch (type) {
                case 1 -> {
                    return "MRU " + FieldTree.num(o, "mru", -1);
                }
                case 2 -> {
                    return String.format(Locale.ROOT, "ACCM 0x%08x", FieldTree.num(o, "accm", 0));
                }
                case 3 -> {
                    pk.authProtocol = authName(o);
                    return "Auth " + pk.authProtocol;
                }
                case 5 -> {
                    return String.format(Locale.ROOT, "Magic 0x%08x", FieldTree.num(o, "magicNumber", 0));
                }
                case 7 -> {
                    return "PFC";
                }
                case 8 -> {
                    return "ACFC";
                }
                case 17 -> {
                    return "MRRU " + FieldTree.num(o, "mrru", -1);
                }
                default -> {
                }
            }
        } else if (proto == Proto.IPCP) {
            String a = FieldTree.str(o, "address");
            switch (type) {
                case 3 -> {
                    pk.address = a;
                    return "IP-Address " + a;
                }
                case 129 -> {
                    return "Primary-DNS " + a;
                }
                case 130 -> {
                    return "Primary-NBNS " + a;
                }
                case 131 -> {
                    return "Secondary-DNS " + a;
                }
                case 132 -> {
                    return "Secondary-NBNS " + a;
                }
                case 2 -> {
                    return "IP-Compression " + nameOr(o, "compressionProtocol", "");
                }
                default -> {
                }
            }
        }
        return tn != null ? tn : "option " + type;
    }

    private static PppPacket legacyPpp(Layer c) {
        Map<String, Object> f = FieldTree.of(c);
        int code = num(f, "code");
        if (code < 0) {
            return null;
        }
        String protocol = c.proto.shortName.toUpperCase(Locale.ROOT);
        PppPacket pk = new PppPacket(AT, true, protocol, code, nameOr(f, "code", "code " + code), num(f, "identifier"));
        switch (c.proto) {
            case LCP, IPCP, IPV6CP, CCP -> {
                for (Map<String, Object> o : FieldTree.maps(f, "options")) {
                    pk.options.add(option(c.proto, o, pk));
                }
                if (code == 5 || code == 6) {
                    pk.message = text(FieldTree.str(f, "data"));
                } else if (code == 8) {
                    pk.message = "rejected protocol "
                            + nameOr(f, "rejectedProtocol", Long.toString(FieldTree.num(f, "rejectedProtocol", -1)));
                } else if (code == 7) {
                    pk.message = "rejected code";
                }
            }
            case PAP -> {
                pk.name = FieldTree.str(f, "peerId");
                pk.message = FieldTree.str(f, "message");
            }
            case CHAP -> {
                pk.name = FieldTree.str(f, "name");
                pk.variant = FieldTree.str(f, "variant");
                pk.message = FieldTree.str(f, "message");
                pk.errorCode = FieldTree.num(f, "errorCode", -1);
                pk.errorName = FieldTree.str(f, "errorCodeName");
                pk.failureMessage = FieldTree.str(f, "failureMessage");
            }
            case EAP -> {
                pk.variant = FieldTree.str(f, "typeName");
                pk.name = FieldTree.str(f, "identity");
                pk.message = FieldTree.str(f, "notification");
            }
            default -> {
            }
        }
        return pk;
    }
}
