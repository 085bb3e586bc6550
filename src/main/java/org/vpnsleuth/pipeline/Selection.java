package org.vpnsleuth.pipeline;

import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.diagnose.ChildSa;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.TunnelDiagnosis;
import org.vpnsleuth.overhead.Measured;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;
import org.vpnsleuth.track.L2tpMessage;
import org.vpnsleuth.track.L2tpSession;
import org.vpnsleuth.track.L2tpTunnel;
import org.vpnsleuth.track.PppPacket;
import org.vpnsleuth.track.PppSession;
import org.vpnsleuth.track.PptpCall;
import org.vpnsleuth.track.PptpControl;
import org.vpnsleuth.track.PptpMessage;

/**
 * What a user narrows a report to: a peer address, an SPI (IKE or ESP/AH), frame ranges, a time
 * window. Applied after the whole capture has been analysed ({@link #apply}), it chooses which IKE
 * SAs, tunnels, flows and overhead items are reported, never how they are diagnosed: a verdict is
 * the same with and without it. An item is selected when every criterion given matches it: the
 * peer is one of its addresses; the SPI one of its SPIs (an IKE SA's own, or one of its ESP/AH
 * flows'); one of its frames (a message, or a flow's span) lies in a range; its time span meets
 * the window. {@link #frame} is the same test for one frame (dissect).
 */
public final class Selection {
    /** A frame range of one file ({@code file} null: the only file). */
    public record Range(String file, long from, long to) {
    }

    /** Nothing selected out: every item is reported. */
    public static final Selection ALL = new Selection(null, null, List.of(), null, null);

    private final byte[] peer;
    private final String peerText;
    private final Long spi;
    private final List<Range> ranges;
    /** Seconds from the capture's start, or an absolute instant (epoch nanoseconds), or null. */
    private final Time since;
    private final Time until;

    /** A time bound: {@code relative} seconds from the capture start, else {@code epochNanos}. */
    record Time(boolean relative, long nanos) {
        long resolve(long captureStartNanos) {
            return relative ? captureStartNanos + nanos : nanos;
        }
    }

    private Selection(String peer, Long spi, List<Range> ranges, Time since, Time until) {
        this.peerText = peer;
        this.peer = peer == null ? null : literal(peer);
        this.spi = spi;
        this.ranges = ranges;
        this.since = since;
        this.until = until;
    }

    /**
     * From the command line's words, each null when not given: {@code --peer ADDR} (an IPv4 or IPv6
     * address), {@code --spi HEX} (up to 16 hex digits, 0x optional), {@code --frames} ranges
     * ("A-B", "A-", "N", with several files "FILE:A-B"; comma-separated or repeated), {@code --since}
     * and {@code --until} (ISO 8601, e.g. 2026-12-07T15:30:00Z, no zone meaning UTC, or seconds from
     * the capture start, e.g. 12.5). Throws IllegalArgumentException naming what is wrong.
     */
    public static Selection parse(String peer, String spi, List<String> frames, String since, String until) {
        if (peer != null && literal(peer) == null) {
            throw new IllegalArgumentException("--peer " + peer + ": not an IPv4 or IPv6 address (no host names: nothing is looked up)");
        }
        Long s = null;
        if (spi != null) {
            String h = spi.trim().toLowerCase(java.util.Locale.ROOT);
            if (h.startsWith("0x")) {
                h = h.substring(2);
            }
            if (!h.matches("[0-9a-f]{1,16}")) {
                throw new IllegalArgumentException("--spi " + spi + ": not an SPI (1 to 16 hex digits, an IKE SPI or an ESP/AH SPI)");
            }
            s = Long.parseUnsignedLong(h, 16);
        }
        List<Range> rs = new ArrayList<>();
        if (frames != null) {
            for (String f : frames) {
                for (String one : f.split(",")) {
                    rs.add(range(one.trim()));
                }
            }
        }
        Time a = since == null ? null : time("--since", since);
        Time b = until == null ? null : time("--until", until);
        if (a != null && b != null && a.relative() == b.relative() && a.nanos() > b.nanos()) {
            throw new IllegalArgumentException("--since " + since + " is after --until " + until);
        }
        return new Selection(peer, s, List.copyOf(rs), a, b);
    }

    private static final Pattern RANGE = Pattern.compile("(?:(.+):)?(\\d+)(?:(-)(\\d+)?)?");

    private static Range range(String s) {
        Matcher m = RANGE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("--frames " + s + ": not a frame range (A-B, A-, N, or FILE:A-B with several files)");
        }
        long from = Long.parseLong(m.group(2));
        long to = m.group(3) == null ? from : m.group(4) == null ? Long.MAX_VALUE : Long.parseLong(m.group(4));
        if (from < 1 || to < from) {
            throw new IllegalArgumentException("--frames " + s + ": frames are numbered from 1 and the range must not end before it starts");
        }
        return new Range(m.group(1), from, to);
    }

    private static Time time(String option, String s) {
        String t = s.trim();
        if (t.matches("\\d+(\\.\\d+)?")) {
            return new Time(true, new java.math.BigDecimal(t).movePointRight(9).longValue());
        }
        try {
            Instant i;
            try {
                i = OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                i = LocalDateTime.parse(t).toInstant(ZoneOffset.UTC); // no zone: UTC, as the reports print times
            }
            return new Time(false, i.getEpochSecond() * 1_000_000_000L + i.getNano());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " " + s + ": neither ISO 8601 (2026-12-07T15:30:00Z) nor seconds from the capture start (12.5)");
        }
    }

    /** The bytes of an IPv4 or IPv6 literal, or null (never a name look-up). */
    static byte[] literal(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress(); // a literal: parsed, not looked up
        } catch (java.net.UnknownHostException | SecurityException e) {
            return null;
        }
    }

    public boolean isAll() {
        return peer == null && spi == null && ranges.isEmpty() && since == null && until == null;
    }

    /** One line saying what was selected, for the report ("selected: --peer 192.0.2.2 --frames 3-6"). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (peerText != null) {
            sb.append(" --peer ").append(peerText);
        }
        if (spi != null) {
            sb.append(" --spi ").append(Long.toHexString(spi));
        }
        for (Range r : ranges) {
            sb.append(" --frames ").append(r.file() == null ? "" : r.file() + ":").append(r.from()).append('-')
                    .append(r.to() == Long.MAX_VALUE ? "" : Long.toString(r.to()));
        }
        if (since != null) {
            sb.append(" --since ").append(show(since));
        }
        if (until != null) {
            sb.append(" --until ").append(show(until));
        }
        return sb.toString().trim();
    }

    private static String show(Time t) {
        return t.relative() ? java.math.BigDecimal.valueOf(t.nanos(), 9).stripTrailingZeros().toPlainString()
                : Instant.ofEpochSecond(Math.floorDiv(t.nanos(), 1_000_000_000L), Math.floorMod(t.nanos(), 1_000_000_000L)).toString();
    }

    /**
     * Checks the ranges against the input names: a range with FILE must name one of them (its path
     * or its file name); without FILE there must be one input. Throws IllegalArgumentException.
     */
    public void checkFiles(List<String> names) {
        for (Range r : ranges) {
            if (r.file() == null && names.size() > 1) {
                throw new IllegalArgumentException("--frames " + r.from() + "-...: with several files say which: FILE:A-B");
            }
            if (r.file() != null && fileIndex(r.file(), names) < 0) {
                throw new IllegalArgumentException("--frames " + r.file() + ":...: " + r.file() + " is not one of the files read");
            }
        }
    }

    private static int fileIndex(String file, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.equals(file) || java.nio.file.Path.of(n).getFileName() != null
                    && java.nio.file.Path.of(n).getFileName().toString().equals(file)) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ analyze

    /** What one item shows: its addresses, SPIs, and frames (points or spans), collected then tested. */
    private final class Item {
        boolean peerSeen;
        boolean spiSeen;
        boolean framesSeen;
        long firstNanos = Long.MAX_VALUE;
        long lastNanos = Long.MIN_VALUE;
        private final List<String> names;

        Item(List<String> names) {
            this.names = names;
        }

        void address(String a) {
            if (peer != null && !peerSeen && a != null) {
                byte[] b = literal(a);
                peerSeen = b != null && java.util.Arrays.equals(b, peer);
            }
        }

        void spi(long s) {
            if (spi != null && spi == s) {
                spiSeen = true;
            }
        }

        void frame(FrameRef r) {
            span(r, r);
        }

        void span(FrameRef first, FrameRef last) {
            if (first == null || last == null) {
                return;
            }
            firstNanos = Math.min(firstNanos, first.nanos());
            lastNanos = Math.max(lastNanos, last.nanos());
            if (!framesSeen) {
                for (Range r : ranges) {
                    int file = r.file() == null ? 0 : fileIndex(r.file(), names);
                    if (first.file() == file && last.file() == file && first.frame() <= r.to() && last.frame() >= r.from()) {
                        framesSeen = true;
                        break;
                    }
                }
            }
        }

        boolean selected(long captureStart) {
            if (peer != null && !peerSeen || spi != null && !spiSeen || !ranges.isEmpty() && !framesSeen) {
                return false;
            }
            if (since != null || until != null) {
                if (firstNanos == Long.MAX_VALUE) {
                    return false;
                }
                long a = since == null ? Long.MIN_VALUE : since.resolve(captureStart);
                long b = until == null ? Long.MAX_VALUE : until.resolve(captureStart);
                return lastNanos >= a && firstNanos <= b;
            }
            return true;
        }
    }

    /**
     * The analysis as the selection reports it: the same inputs, warnings and capture-wide counts,
     * with only the selected IKE SAs, tunnels, flows and overhead items (each unchanged).
     */
    public Analysis apply(Analysis a) {
        if (isAll()) {
            return a;
        }
        List<String> names = new ArrayList<>();
        for (Analysis.Input in : a.inputs) {
            names.add(in.name());
        }
        long t0 = a.tracker.firstNanos();
        Analysis r = new Analysis();
        r.tracker = a.tracker;
        r.inputs.addAll(a.inputs);
        r.warnings.addAll(a.warnings);
        r.selection = describe();
        r.ikeSasInCapture = a.ikeSas.size();
        r.tunnelsInCapture = a.l2tp.size() + a.pptp.size() + a.pppSessions.size();
        java.util.Set<String> flowKeys = new java.util.HashSet<>();
        for (SaDiagnosis d : a.ikeSas) {
            Item it = new Item(names);
            ikeSa(d, it);
            if (it.selected(t0)) {
                r.ikeSas.add(d);
                for (EspFlow f : flows(d)) {
                    flowKeys.add(f.file + "|" + f.spi);
                }
            }
        }
        for (EspFlow f : a.unlinkedFlows) {
            Item it = new Item(names);
            flow(f, it);
            if (it.selected(t0)) {
                r.unlinkedFlows.add(f);
                flowKeys.add(f.file + "|" + f.spi);
            }
        }
        for (TunnelDiagnosis d : a.l2tp) {
            Item it = new Item(names);
            tunnel(d.subject, it);
            if (it.selected(t0)) {
                r.l2tp.add(d);
            }
        }
        for (TunnelDiagnosis d : a.pptp) {
            Item it = new Item(names);
            tunnel(d.subject, it);
            if (it.selected(t0)) {
                r.pptp.add(d);
            }
        }
        for (TunnelDiagnosis d : a.pppSessions) {
            Item it = new Item(names);
            tunnel(d.subject, it);
            if (it.selected(t0)) {
                r.pppSessions.add(d);
            }
        }
        for (GreTunnel g : a.greTunnels) {
            Item it = new Item(names);
            it.address(g.src);
            it.address(g.dst);
            it.span(g.first, g.last);
            if (it.selected(t0)) {
                r.greTunnels.add(g);
            }
        }
        for (Measured m : a.overhead) {
            boolean esp = m.sizes.kind.equals("ESP") || m.sizes.kind.equals("AH");
            if (esp && flowKeys.contains(m.sizes.file + "|" + m.sizes.id)) {
                r.overhead.add(m); // the overhead of a selected SA's (or selected) flow
                continue;
            }
            Item it = new Item(names);
            it.address(m.sizes.src);
            it.address(m.sizes.dst);
            if (esp) {
                it.spi(m.sizes.id);
            }
            if (m.sizes.largestAt != null) {
                it.frame(m.sizes.largestAt);
            }
            if (!esp && it.selected(t0)) {
                r.overhead.add(m);
            }
        }
        return r;
    }

    private static List<EspFlow> flows(SaDiagnosis d) {
        List<EspFlow> l = new ArrayList<>(d.sa.flows);
        for (ChildSa c : d.children) {
            l.addAll(c.flows);
        }
        return l;
    }

    private void ikeSa(SaDiagnosis d, Item it) {
        IkeSa sa = d.sa;
        it.spi(sa.spiI);
        it.spi(sa.spiR);
        if (sa.initiator != null) {
            it.address(sa.initiator.address());
        }
        if (sa.responder != null) {
            it.address(sa.responder.address());
        }
        sa.initiatorAddresses.forEach(it::address);
        sa.responderAddresses.forEach(it::address);
        for (IkeMessage m : sa.messages) {
            it.address(m.src.address());
            it.address(m.dst.address());
            it.frame(m.at);
            m.frames.forEach(it::frame);
            m.alsoSeen.forEach(it::frame);
        }
        for (EspFlow f : flows(d)) {
            flow(f, it);
        }
    }

    private void flow(EspFlow f, Item it) {
        it.spi(f.spi);
        it.address(f.src);
        it.address(f.dst);
        it.span(f.first, f.last());
    }

    private void tunnel(Object subject, Item it) {
        if (subject instanceof L2tpTunnel t) {
            if (t.initiator != null) {
                it.address(t.initiator.address());
            }
            if (t.responder != null) {
                it.address(t.responder.address());
            }
            for (L2tpMessage m : t.messages) {
                l2tpMessage(m, it);
            }
            for (L2tpSession s : t.sessions) {
                s.messages.forEach(m -> l2tpMessage(m, it));
                if (s.ppp != null) {
                    tunnel(s.ppp, it);
                }
            }
        } else if (subject instanceof PptpControl c) {
            it.address(c.client.address());
            it.address(c.server.address());
            for (FrameRef r : new FrameRef[] {c.syn, c.synAck, c.refused, c.clientClosed, c.serverClosed}) {
                if (r != null) {
                    it.frame(r);
                }
            }
            for (PptpMessage m : c.messages) {
                it.frame(m.at);
            }
            for (PptpCall call : c.calls) {
                call.messages.forEach(m -> it.frame(m.at));
                if (call.ppp != null) {
                    tunnel(call.ppp, it);
                }
            }
        } else if (subject instanceof PppSession p) {
            it.address(p.sideA);
            it.address(p.sideB);
            for (PppPacket x : p.packets) {
                it.frame(x.at);
            }
            it.span(p.first, p.last);
        }
    }

    private void l2tpMessage(L2tpMessage m, Item it) {
        it.address(m.src.address());
        it.address(m.dst.address());
        it.frame(m.at);
    }

    // ------------------------------------------------------------------ dissect

    /**
     * Whether frame {@code frameNumber} of file {@code fileName} (decoded into {@code p}, captured at
     * {@code nanos}; the file's first frame at {@code fileStartNanos}) is selected: the peer is a
     * source or destination of one of its IP headers (outer or inner, as tshark's ip.addr), the SPI
     * is its ESP or AH SPI or one of its IKE header's SPIs, its number is in a range, its time in the window.
     */
    public boolean frame(String fileName, long frameNumber, long nanos, long fileStartNanos, Packet p) {
        if (!ranges.isEmpty()) {
            boolean in = false;
            for (Range r : ranges) {
                if ((r.file() == null || fileIndex(r.file(), List.of(fileName)) == 0) && frameNumber >= r.from() && frameNumber <= r.to()) {
                    in = true;
                    break;
                }
            }
            if (!in) {
                return false;
            }
        }
        if (since != null && nanos < since.resolve(fileStartNanos) || until != null && nanos > until.resolve(fileStartNanos)) {
            return false;
        }
        if (peer != null && !hasPeer(p)) {
            return false;
        }
        return spi == null || hasSpi(p);
    }

    private boolean hasPeer(Packet p) {
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.proto == Proto.IPV4 && l.headerLength >= 20 && peer.length == 4) {
                if (equalAt(l, 12, 4) || equalAt(l, 16, 4)) {
                    return true;
                }
            } else if (l.proto == Proto.IPV6 && l.headerLength >= 40 && peer.length == 16) {
                if (equalAt(l, 8, 16) || equalAt(l, 24, 16)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean equalAt(Layer l, int rel, int n) {
        return java.util.Arrays.equals(l.buf, l.offset + rel, l.offset + rel + n, peer, 0, n);
    }

    private boolean hasSpi(Packet p) {
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.proto == Proto.ESP && l.end - l.offset >= 4 && l.u32(0) == spi) {
                return true;
            }
            if (l.proto == Proto.AH && l.end - l.offset >= 8 && l.u32(4) == spi) {
                return true;
            }
            if (l.proto == Proto.IKE && l.end - l.offset >= 16 && (u64(l, 0) == spi || u64(l, 8) == spi)) {
                return true;
            }
        }
        return false;
    }

    private static long u64(Layer l, int rel) {
        return l.u32(rel) << 32 | l.u32(rel + 4);
    }
}
