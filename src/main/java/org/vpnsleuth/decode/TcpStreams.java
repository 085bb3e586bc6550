package org.vpnsleuth.decode;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.vpnsleuth.base.Bytes;

/**
 * Bounded TCP stream handling for the two framed protocols vpnsleuth decodes over TCP: PPTP
 * control (port 1723, RFC 2637) and IKE/ESP over TCP (port 4500, RFC 8229/9329). The TCP codec
 * calls {@link #segment} with the cursor on the payload of every segment on those ports; the
 * stream bytes are cut into messages and each message completed by the segment is decoded, in
 * stream order, as {@link Proto#PPTP} or {@link Proto#IKE_TCP} behind the TCP layer.
 *
 * <p>State is kept per connection (IP version, both addresses and ports) and per direction: the
 * next expected sequence number, at most one partial message, and up to {@link #maxDirectionBytes}
 * of out-of-order segments. Limits: {@link #maxFlows} connections (least recently used evicted),
 * {@link #maxTotalBytes} buffered in all. Rules in docs/fields-tcp.md. Never throws on content.
 *
 * <p>Layer.aux bits set on the TCP layer: {@link #RETRANSMISSION}, {@link #OVERLAP},
 * {@link #OUT_OF_ORDER}, {@link #GAP}, {@link #CONTINUES}, {@link #MIDSTREAM},
 * {@link #BUFFERED_DELIVERED}, {@link #RESYNC}. Each is also said in a packet note.
 */
public final class TcpStreams {
    public static final int DEFAULT_MAX_FLOWS = 10_000;
    public static final int DEFAULT_MAX_DIRECTION_BYTES = 64 << 10;
    public static final long DEFAULT_MAX_TOTAL_BYTES = 64L << 20;

    static final int PPTP_PORT = 1723;
    static final int IKE_TCP_PORT = 4500;
    /** PPTP message length bounds: the 12-byte header, and well above RFC 2637's largest message (ICRQ, 220). */
    public static final int PPTP_MIN_LENGTH = 12;
    public static final int PPTP_MAX_LENGTH = 1024;
    public static final long PPTP_MAGIC = 0x1A2B3C4DL;
    /** IKE-TCP length bounds: the 2-byte length field itself and at least one byte; 65535 is the field's maximum. */
    public static final int IKE_TCP_MIN_LENGTH = 3;
    /** The stream prefix of the initiator's direction (RFC 8229 §3.1). */
    static final byte[] IKETCP = {0x49, 0x4b, 0x45, 0x54, 0x43, 0x50};

    /** Bookkeeping bytes charged per buffered out-of-order segment (so tiny segments cannot hide memory). */
    static final int SEGMENT_OVERHEAD = 64;
    /** A segment further behind the expected sequence number than this is not a retransmission: the stream restarts. */
    static final int MAX_BEHIND = 64 << 20;
    /** Longest ESP-in-TCP packet a resynchronisation trusts while no SPI of the direction is known. */
    static final int RESYNC_MAX_ESP = 16384;

    // TCP Layer.aux bits
    /** All the segment's data was seen before: not decoded again. */
    public static final int RETRANSMISSION = 1;
    /** The segment starts before the expected sequence number: the bytes already seen were skipped. */
    public static final int OVERLAP = 2;
    /** The segment lies beyond a gap: buffered, decoded when the gap fills (or is given up). */
    public static final int OUT_OF_ORDER = 4;
    /** A gap before this segment was given up: bytes are missing from the stream here. */
    public static final int GAP = 8;
    /** The segment ends inside a message, which is completed by a later segment. */
    public static final int CONTINUES = 16;
    /** First segment of a connection whose SYN was not seen. */
    public static final int MIDSTREAM = 32;
    /** Buffered out-of-order segments were decoded with this segment (it filled the gap). */
    public static final int BUFFERED_DELIVERED = 64;
    /** The message framing was lost (or not yet found) and bytes were skipped to find it again. */
    public static final int RESYNC = 128;

    final int maxFlows;
    final int maxDirectionBytes;
    final long maxTotalBytes;

    private final LinkedHashMap<Key, Flow> flows = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;

    private long retransmissions;
    private long outOfOrder;
    private long gaps;
    private long resyncs;
    private long evictions;
    private long messages;

    /** Set just before running the IKE_TCP codec on a message: 1 prefix, 0 none, -1 unknown (sniff). */
    private int ikeFraming = -1;

    // the segment being handled (one Decoder, one thread)
    private Decoder d;
    private Packet p;
    private Layer tcp;
    private Flow flow;
    private Dir dir;
    private long frameNo;
    private int hidden;
    // the chunk of stream bytes being consumed: cb[cFrom, cTo), after dir.pend
    private byte[] cb;
    private int cFrom;
    private int cTo;
    private boolean cSegStart;
    private long cFrame;
    // materialize() result
    private byte[] mBuf;
    private int mOff;

    public TcpStreams() {
        this(DEFAULT_MAX_FLOWS, DEFAULT_MAX_DIRECTION_BYTES, DEFAULT_MAX_TOTAL_BYTES);
    }

    public TcpStreams(int maxFlows, int maxDirectionBytes, long maxTotalBytes) {
        this.maxFlows = Math.max(1, maxFlows);
        this.maxDirectionBytes = Math.max(0, maxDirectionBytes);
        this.maxTotalBytes = Math.max(0, maxTotalBytes);
    }

    private static final class Key {
        final byte[] k;
        final int hash;

        Key(byte[] k) {
            this.k = k;
            this.hash = Arrays.hashCode(k);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(k, other.k);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Flow {
        final Key key;
        final boolean ike;
        final Dir[] dirs = new Dir[2];

        Flow(Key key, boolean ike) {
            this.key = key;
            this.ike = ike;
        }
    }

    private static final class Seg {
        final byte[] data;
        final long frame;

        Seg(byte[] data, long frame) {
            this.data = data;
            this.frame = frame;
        }
    }

    private static final class Dir {
        boolean synced;
        boolean closed;
        boolean hasIsn;
        int isn;
        /** Next expected sequence number, and the same as a 64-bit offset in the stream. */
        int nextSeq;
        long nextAbs;
        long finAbs = -1;
        /** No stream byte consumed yet: the IKETCP prefix may come. */
        boolean atStart;
        boolean resync;
        /** The byte at the stream position is known not to start a message. */
        boolean skipOne;
        String resyncReason;
        byte[] pend;
        int pendLen;
        int pendSegs;
        long pendFirstFrame;
        long pendLastFrame;
        TreeMap<Long, Seg> ooo;
        int oooBytes;
        /** The two most recent ESP SPIs seen in this direction (IKE-TCP), -1 when none. */
        final long[] spi = {-1, -1};

        void sawSpi(long s) {
            if (s != spi[0]) {
                spi[1] = spi[0];
                spi[0] = s;
            }
        }

        void advance(long n) {
            nextAbs += n;
            nextSeq += (int) n;
        }
    }

    // ------------------------------------------------------------------ statistics

    /** Connections tracked now. */
    public int flowCount() {
        return flows.size();
    }

    /** Bytes buffered now (partial messages and out-of-order segments, with bookkeeping). */
    public long bufferedBytes() {
        return bytes;
    }

    public long retransmissions() {
        return retransmissions;
    }

    public long outOfOrderSegments() {
        return outOfOrder;
    }

    /** Gaps given up (bytes missing from a stream). */
    public long gaps() {
        return gaps;
    }

    /** Times the message framing was found again after being lost. */
    public long resyncs() {
        return resyncs;
    }

    /** Connections dropped to respect the flow or memory limits. */
    public long evictions() {
        return evictions;
    }

    /** Messages cut from the streams. */
    public long messages() {
        return messages;
    }

    /** Read (and reset) by the IKE_TCP codec: whether the message it decodes starts with the IKETCP prefix. */
    int takeIkeFraming() {
        int v = ikeFraming;
        ikeFraming = -1;
        return v;
    }

    // ------------------------------------------------------------------ entry point

    /**
     * Called by the TCP codec for segments on the PPTP and IKE-over-TCP ports, with the cursor on
     * the TCP payload. Returns {@link Proto#DATA} when no layer was added (the payload is then shown
     * as data), else {@link Decoder#STOP}.
     */
    public Proto segment(Decoder dec, Packet pk, Layer tcpLayer) {
        int before = pk.count();
        d = dec;
        p = pk;
        tcp = tcpLayer;
        hidden = 0;
        try {
            process();
            if (hidden > 0) {
                p.note(hidden + " further message(s) in this segment not shown (" + Packet.MAX_LAYERS + "-layer limit)");
            }
        } catch (RuntimeException e) {
            // a bug here must not poison the stream state: forget the connection
            if (flow != null) {
                removeFlow(flow);
            }
            p.note("TCP stream handling error, connection state dropped: " + e);
        } finally {
            d = null;
            p = null;
            tcp = null;
            flow = null;
            dir = null;
            cb = null;
            mBuf = null;
            ikeFraming = -1;
        }
        return pk.count() == before ? Proto.DATA : Decoder.STOP;
    }

    private void process() {
        if (tcp == null || tcp.headerLength < 20 || d.quoted) {
            return;
        }
        int ti = p.count() - 1;
        if (ti < 1 || p.layer(ti) != tcp) {
            ti = -1;
            for (int i = p.count() - 1; i >= 0; i--) {
                if (p.layer(i) == tcp) {
                    ti = i;
                    break;
                }
            }
            if (ti < 1) {
                return;
            }
        }
        Layer ip = null;
        for (int i = ti - 1; i >= 0; i--) {
            Proto pr = p.layer(i).proto;
            if (pr == Proto.IPV4 || pr == Proto.IPV6) {
                ip = p.layer(i);
                break;
            }
        }
        if (ip == null) {
            return;
        }
        boolean v6 = ip.proto == Proto.IPV6;
        int alen = v6 ? 16 : 4;
        if (ip.headerLength < (v6 ? 40 : 20)) {
            return;
        }
        int srcOff = ip.offset + (v6 ? 8 : 12);
        int dstOff = srcOff + alen;
        int sport = tcp.u16(0);
        int dport = tcp.u16(2);
        int cmp = compareEndpoints(ip.buf, srcOff, sport, dstOff, dport, alen);
        int di = cmp <= 0 ? 0 : 1;
        byte[] k = new byte[1 + 2 * alen + 4];
        k[0] = (byte) (v6 ? 6 : 4);
        int aOff = cmp <= 0 ? srcOff : dstOff;
        int bOff = cmp <= 0 ? dstOff : srcOff;
        int aPort = cmp <= 0 ? sport : dport;
        int bPort = cmp <= 0 ? dport : sport;
        System.arraycopy(ip.buf, aOff, k, 1, alen);
        System.arraycopy(ip.buf, bOff, k, 1 + alen, alen);
        k[1 + 2 * alen] = (byte) (aPort >>> 8);
        k[2 + 2 * alen] = (byte) aPort;
        k[3 + 2 * alen] = (byte) (bPort >>> 8);
        k[4 + 2 * alen] = (byte) bPort;
        Key key = new Key(k);
        boolean ike = sport == IKE_TCP_PORT || dport == IKE_TCP_PORT;

        frameNo = d.frame == null ? 0 : d.frame.number;
        int flags = tcp.u8(13);
        boolean fin = (flags & 0x01) != 0;
        boolean syn = (flags & 0x02) != 0;
        boolean rst = (flags & 0x04) != 0;
        boolean ack = (flags & 0x10) != 0;
        int seq = (int) tcp.u32(4);

        flow = flows.get(key);
        if (rst) {
            if (flow != null) {
                removeFlow(flow);
                p.note("TCP reset: stream state dropped");
            }
            return;
        }
        if (flow == null || flow.ike != ike) {
            if (flow != null) {
                removeFlow(flow);
            }
            flow = new Flow(key, ike);
            flows.put(key, flow);
            while (flows.size() > maxFlows) {
                Iterator<Flow> it = flows.values().iterator();
                Flow eldest = it.next();
                if (eldest == flow) {
                    break;
                }
                it.remove();
                releaseFlow(eldest);
                evictions++;
            }
        }
        dir = flow.dirs[di];
        if (dir == null) {
            dir = new Dir();
            flow.dirs[di] = dir;
        }

        byte[] b = d.buf;
        int from = d.off;
        int to = Math.max(from, d.end);
        int len = to - from;
        // a frame cut by the snaplen: the segment is longer than what the capture holds
        int realLen = len;
        if (ip.truncated && ip.buf == tcp.buf) {
            long claimedEnd = (long) ip.payloadOffset() + ip.payloadLength;
            realLen = (int) Math.max(len, Math.min(1 << 20, claimedEnd - tcp.payloadOffset()));
        }

        if (syn) {
            if (dir.synced && dir.hasIsn && dir.isn == seq && !dir.closed) {
                if (len == 0) {
                    return; // a retransmitted SYN
                }
            } else {
                if (!ack) {
                    // a new connection: both directions start over
                    for (int i = 0; i < 2; i++) {
                        if (flow.dirs[i] != null) {
                            releaseDir(flow.dirs[i]);
                            flow.dirs[i] = null;
                        }
                    }
                } else {
                    releaseDir(dir);
                }
                dir = new Dir();
                flow.dirs[di] = dir;
                dir.synced = true;
                dir.hasIsn = true;
                dir.isn = seq;
                dir.nextSeq = seq + 1;
                dir.atStart = true;
            }
            seq += 1;
        } else if (!dir.synced || (dir.closed && (int) (seq - dir.nextSeq) + realLen > 0)) {
            if (realLen == 0 && !fin) {
                return; // a pure ACK says nothing about the stream yet
            }
            startMidstream(seq);
        }
        if (dir.closed) {
            if (realLen > 0 || fin) {
                markRetransmission("TCP retransmission after the stream was closed: not decoded again");
            }
            return;
        }

        int d32 = seq - dir.nextSeq;
        if (d32 < -MAX_BEHIND && d32 + realLen <= 0) {
            // far behind: no retransmission looks like this, it is another stream on the same ports
            p.note("TCP sequence number " + (seq & 0xffffffffL) + " is " + (-(long) d32)
                    + " bytes behind the stream: restarting it");
            releaseDir(dir);
            dir = new Dir();
            flow.dirs[di] = dir;
            startMidstream(seq);
            d32 = 0;
        }
        long abs = dir.nextAbs + d32;
        if (fin) {
            dir.finAbs = abs + realLen;
        }
        if (len > 0) {
            handleData(abs, b, from, to);
        }
        if (realLen > len && dir.nextAbs == abs + len) {
            gap(realLen - len, "TCP segment cut by the capture's snaplen: " + (realLen - len) + " bytes missing");
        }
        if (dir.finAbs >= 0 && dir.nextAbs >= dir.finAbs) {
            close(dir);
        }
        if (!dir.closed && dir.pendLen > 0 && dir.pendLastFrame == frameNo && !dir.resync && len > 0) {
            tcp.aux |= CONTINUES;
            int want = unitLength(dir.pendLen, true);
            p.note((flow.ike ? "IKE-TCP" : "PPTP") + " message continues in next segment ("
                    + dir.pendLen + (want > 0 ? " of " + want : "") + " bytes so far)");
        }
    }

    private void startMidstream(int seq) {
        if (dir.closed || dir.synced) {
            releaseDir(dir);
            Dir nd = new Dir();
            for (int i = 0; i < 2; i++) {
                if (flow.dirs[i] == dir) {
                    flow.dirs[i] = nd;
                }
            }
            dir = nd;
        }
        dir.synced = true;
        dir.nextSeq = seq;
        dir.atStart = true;
        dir.resync = true; // the segment start is a guess: check it (IKE-TCP) or find the cookie (PPTP)
        tcp.aux |= MIDSTREAM;
        p.note("TCP stream picked up mid-connection (no SYN seen)");
    }

    private void markRetransmission(String note) {
        tcp.aux |= RETRANSMISSION;
        retransmissions++;
        p.note(note);
    }

    private static int compareEndpoints(byte[] b, int aOff, int aPort, int bOff, int bPort, int alen) {
        for (int i = 0; i < alen; i++) {
            int c = Integer.compare(b[aOff + i] & 0xff, b[bOff + i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(aPort, bPort);
    }

    // ------------------------------------------------------------------ sequence space

    private void handleData(long abs, byte[] b, int from, int to) {
        int len = to - from;
        for (int guard = 0; guard < 1_000_000; guard++) {
            long diff = abs - dir.nextAbs;
            if (diff + len <= 0) {
                markRetransmission("TCP retransmission: all " + len + " bytes were seen before, not decoded again");
                return;
            }
            if (diff <= 0) {
                int skip = (int) -diff;
                if (skip > 0) {
                    tcp.aux |= OVERLAP;
                    p.note("TCP segment overlaps data seen before: " + skip + " bytes skipped");
                }
                feed(b, from + skip, to, skip == 0, frameNo);
                dir.advance(len - skip);
                drain();
                return;
            }
            int cost = len + SEGMENT_OVERHEAD;
            if (diff <= maxDirectionBytes && dir.oooBytes + cost <= maxDirectionBytes && reserve(cost)) {
                if (dir.ooo == null) {
                    dir.ooo = new TreeMap<>();
                }
                Seg old = dir.ooo.get(abs);
                if (old != null && old.data.length >= len) {
                    release(cost);
                    markRetransmission("TCP retransmission of a buffered out-of-order segment");
                    return;
                }
                if (old != null) {
                    release(old.data.length + SEGMENT_OVERHEAD);
                    dir.oooBytes -= old.data.length + SEGMENT_OVERHEAD;
                }
                dir.ooo.put(abs, new Seg(Arrays.copyOfRange(b, from, to), frameNo));
                dir.oooBytes += cost;
                tcp.aux |= OUT_OF_ORDER;
                outOfOrder++;
                p.note("TCP segment out of order (" + diff + " bytes missing before it): buffered until the gap fills");
                return;
            }
            // the gap will not fill within the limits: give it up
            long target = abs;
            if (dir.ooo != null && !dir.ooo.isEmpty() && dir.ooo.firstKey() < abs) {
                target = dir.ooo.firstKey();
            }
            gap(target - dir.nextAbs, "TCP gap of " + (target - dir.nextAbs) + " bytes never filled (buffer limit)");
            if (target < abs) {
                drain();
            }
        }
    }

    /** Decodes the buffered out-of-order segments that the stream has reached. */
    private void drain() {
        int delivered = 0;
        while (dir.ooo != null && !dir.ooo.isEmpty()) {
            Map.Entry<Long, Seg> e = dir.ooo.firstEntry();
            long key = e.getKey();
            if (key > dir.nextAbs) {
                break;
            }
            dir.ooo.pollFirstEntry();
            Seg s = e.getValue();
            int cost = s.data.length + SEGMENT_OVERHEAD;
            release(cost);
            dir.oooBytes -= cost;
            long endAbs = key + s.data.length;
            if (endAbs <= dir.nextAbs) {
                continue;
            }
            int skip = (int) (dir.nextAbs - key);
            feed(s.data, skip, s.data.length, skip == 0, s.frame);
            dir.advance(s.data.length - skip);
            delivered++;
        }
        if (delivered > 0) {
            tcp.aux |= BUFFERED_DELIVERED;
            p.note(delivered + " buffered out-of-order segment(s) decoded after this one");
        }
    }

    /** Gives up {@code n} missing bytes: the partial message is lost, the framing must be found again. */
    private void gap(long n, String why) {
        if (n <= 0) {
            return;
        }
        gaps++;
        tcp.aux |= GAP;
        String lost = dir.pendLen > 0 ? "; " + dir.pendLen + " bytes of an unfinished message dropped" : "";
        p.note(why + ": resynchronising" + lost);
        dir.pendLen = 0;
        dir.pendSegs = 0;
        shrinkPend();
        dir.advance(n);
        dir.atStart = false;
        dir.resync = true;
        dir.skipOne = false;
        dir.resyncReason = null;
    }

    private void close(Dir x) {
        if (x.pendLen > 0 && p != null) {
            p.note("stream closed with " + x.pendLen + " bytes of an unfinished message");
        }
        releaseDir(x);
        x.closed = true;
        x.nextSeq += 1; // the FIN
        x.nextAbs += 1;
        x.finAbs = -1;
    }

    // ------------------------------------------------------------------ memory

    private boolean reserve(long n) {
        if (bytes + n > maxTotalBytes) {
            Iterator<Flow> it = flows.values().iterator();
            while (bytes + n > maxTotalBytes && it.hasNext()) {
                Flow f = it.next();
                if (f == flow) {
                    continue;
                }
                it.remove();
                releaseFlow(f);
                evictions++;
            }
            if (bytes + n > maxTotalBytes) {
                return false;
            }
        }
        bytes += n;
        return true;
    }

    private void release(long n) {
        bytes -= n;
    }

    private void releaseDir(Dir x) {
        if (x == null) {
            return;
        }
        if (x.pend != null) {
            release(x.pend.length);
            x.pend = null;
        }
        x.pendLen = 0;
        x.pendSegs = 0;
        if (x.ooo != null) {
            release(x.oooBytes);
            x.ooo = null;
            x.oooBytes = 0;
        }
    }

    private void releaseFlow(Flow f) {
        releaseDir(f.dirs[0]);
        releaseDir(f.dirs[1]);
    }

    private void removeFlow(Flow f) {
        if (flows.get(f.key) == f) {
            flows.remove(f.key);
        }
        releaseFlow(f);
    }

    private void shrinkPend() {
        if (dir.pendLen == 0 && dir.pend != null && dir.pend.length > 4096) {
            release(dir.pend.length);
            dir.pend = null;
        }
    }

    // ------------------------------------------------------------------ the byte view: dir.pend then cb[cFrom, cTo)

    private int total() {
        return dir.pendLen + (cTo - cFrom);
    }

    private int at(int i) {
        return i < dir.pendLen ? dir.pend[i] & 0xff : cb[cFrom + i - dir.pendLen] & 0xff;
    }

    private int u16(int i) {
        return at(i) << 8 | at(i + 1);
    }

    private long u32(int i) {
        return (long) at(i) << 24 | at(i + 1) << 16 | at(i + 2) << 8 | at(i + 3);
    }

    private void drop(int n) {
        if (n <= 0) {
            return;
        }
        if (n < dir.pendLen) {
            System.arraycopy(dir.pend, n, dir.pend, 0, dir.pendLen - n);
            dir.pendLen -= n;
            return;
        }
        cFrom += n - dir.pendLen;
        dir.pendLen = 0;
        dir.pendSegs = 0;
    }

    /** Sets mBuf/mOff to bytes [lo, hi) of the view: the chunk itself when they lie in it, else a copy. */
    private void materialize(int lo, int hi) {
        int pl = dir.pendLen;
        if (lo >= pl) {
            mBuf = cb;
            mOff = cFrom + lo - pl;
            return;
        }
        byte[] c = new byte[hi - lo];
        int fromPend = Math.min(hi, pl) - lo;
        System.arraycopy(dir.pend, lo, c, 0, fromPend);
        if (hi > pl) {
            System.arraycopy(cb, cFrom, c, fromPend, hi - pl);
        }
        mBuf = c;
        mOff = 0;
    }

    /** Moves the rest of the chunk into the partial-message buffer. */
    private void stash() {
        int n = cTo - cFrom;
        if (n <= 0) {
            return;
        }
        int need = dir.pendLen + n;
        if (dir.pend == null || dir.pend.length < need) {
            int old = dir.pend == null ? 0 : dir.pend.length;
            int cap = Math.max(need, Math.max(64, old * 2));
            cap = Math.min(cap, Math.max(need, 65541 + 8));
            if (!reserve(cap - old)) {
                p.note("stream buffer limit reached: " + (dir.pendLen + n) + " bytes of an unfinished message dropped");
                dir.pendLen = 0;
                dir.pendSegs = 0;
                dir.resync = true;
                dir.atStart = false;
                cFrom = cTo;
                return;
            }
            dir.pend = dir.pend == null ? new byte[cap] : Arrays.copyOf(dir.pend, cap);
        }
        if (dir.pendLen == 0) {
            dir.pendFirstFrame = cFrame;
            dir.pendSegs = 0;
        }
        System.arraycopy(cb, cFrom, dir.pend, dir.pendLen, n);
        dir.pendLen += n;
        dir.pendSegs++;
        dir.pendLastFrame = cFrame;
        cFrom = cTo;
    }

    // ------------------------------------------------------------------ framing

    /** Consumes stream bytes: delivers every complete message, keeps a partial one. */
    private void feed(byte[] b, int from, int to, boolean segStart, long frame) {
        cb = b;
        cFrom = from;
        cTo = to;
        cSegStart = segStart;
        cFrame = frame;
        int segStartPos = from;
        for (int guard = 0; guard < 10_000_000; guard++) {
            if (total() == 0) {
                break;
            }
            if (dir.resync) {
                if (!resync(segStartPos)) {
                    break;
                }
                continue;
            }
            int total = total();
            int u = unitLength(total, false);
            if (u < 0) {
                dir.resync = true;
                dir.skipOne = true;
                continue;
            }
            if (u == 0 || u > total) {
                stash();
                break;
            }
            deliver(u);
        }
        if (cFrom < cTo) {
            stash();
        }
    }

    /**
     * The length of the message unit at view position 0 (IKETCP prefix included), 0 when more bytes
     * are needed to tell, -1 when the bytes cannot start a message (reason in dir.resyncReason).
     * {@code peek}: only report, change nothing.
     */
    private int unitLength(int total, boolean peek) {
        if (total <= 0) {
            return 0;
        }
        if (flow.ike) {
            int pre = 0;
            if (dir.atStart) {
                int n = Math.min(total, IKETCP.length);
                boolean match = true;
                for (int i = 0; i < n; i++) {
                    if (at(i) != IKETCP[i]) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    if (n < IKETCP.length) {
                        return 0;
                    }
                    pre = IKETCP.length;
                } else if (!peek) {
                    dir.atStart = false;
                }
            }
            if (total < pre + 2) {
                return 0;
            }
            int len = u16(pre);
            if (len < IKE_TCP_MIN_LENGTH) {
                if (!peek) {
                    dir.resyncReason = "IKE-TCP length " + len + " is below " + IKE_TCP_MIN_LENGTH
                            + " (the length field counts itself)";
                }
                return -1;
            }
            return pre + len;
        }
        if (total < 2) {
            return 0;
        }
        int len = u16(0);
        if (len < PPTP_MIN_LENGTH || len > PPTP_MAX_LENGTH) {
            if (!peek) {
                dir.resyncReason = "PPTP length " + len + " is implausible (" + PPTP_MIN_LENGTH + ".." + PPTP_MAX_LENGTH
                        + "; RFC 2637's largest message is 220 bytes)";
            }
            return -1;
        }
        if (total < 8) {
            return 0;
        }
        long magic = u32(4);
        if (magic != PPTP_MAGIC) {
            if (!peek) {
                dir.resyncReason = "PPTP magic cookie " + Bytes.hex32(magic) + " where 0x1a2b3c4d was expected";
            }
            return -1;
        }
        return len;
    }

    /**
     * Looks for the next message start. PPTP: the magic cookie at offset 4 behind a plausible
     * length, anywhere. IKE-TCP: only a segment start whose length (and content) look right.
     * Skipped bytes are shown as a data layer (malformed when a framing error caused the search).
     * Returns true when a message start is at view position 0, false when all bytes were used up.
     */
    private boolean resync(int segStartPos) {
        int total = total();
        int start = dir.skipOne ? 1 : 0;
        dir.skipOne = false;
        int found = -1;
        int skip;
        if (flow.ike) {
            int segAt = cSegStart && cFrom == segStartPos ? dir.pendLen : -1;
            if (segAt >= start && plausibleIkeStart(segAt, 0)) {
                found = segAt;
                skip = segAt;
            } else {
                skip = total;
            }
        } else {
            for (int i = start; i + 8 <= total; i++) {
                if (at(i + 4) == 0x1a && u32(i + 4) == PPTP_MAGIC) {
                    int len = u16(i);
                    if (len >= PPTP_MIN_LENGTH && len <= PPTP_MAX_LENGTH) {
                        found = i;
                        break;
                    }
                }
            }
            // keep the last 7 bytes: a message may start there, its cookie still to come
            skip = found >= 0 ? found : Math.max(start, total - 7);
        }
        String reason = dir.resyncReason;
        dir.resyncReason = null;
        if (skip > 0) {
            showSkipped(skip, reason);
            drop(skip);
        } else if (reason != null && found == 0) {
            p.note(reason);
        }
        if (found >= 0) {
            dir.resync = false;
            resyncs++;
            if (skip > 0 || reason != null) {
                tcp.aux |= RESYNC;
            }
            return true;
        }
        if (cFrom < cTo) {
            stash();
        }
        return false;
    }

    private void showSkipped(int skip, String reason) {
        tcp.aux |= RESYNC;
        // the skipped bytes this frame carries; those of earlier frames were shown then
        int pl = dir.pendLen;
        int lo = Math.max(pl, 0);
        int hi = Math.min(skip, total());
        String what = flow.ike ? "IKE-TCP" : "PPTP";
        if (reason != null) {
            p.note(reason + ": " + skip + " bytes skipped to find the next " + what + " message");
        } else {
            p.note(skip + " bytes skipped looking for the next " + what + " message");
        }
        if (hi > lo && !p.full()) {
            materialize(lo, hi);
            Layer l = p.add(Proto.DATA, mBuf, mOff, mOff + hi - lo);
            if (l != null) {
                l.payloadLength = hi - lo;
                if (reason != null) {
                    l.malformed = reason;
                }
            }
        } else if (hi <= lo && reason != null && skip <= pl && !p.full()) {
            // the bad message start arrived earlier; say it on this frame's stack anyway
            materialize(0, skip);
            Layer l = p.add(Proto.DATA, mBuf, mOff, mOff + skip);
            if (l != null) {
                l.payloadLength = skip;
                l.malformed = reason;
            }
        }
    }

    /**
     * Whether view position {@code i} (a segment start) looks like an RFC 8229 message start: an
     * IKE message whose header agrees with the length, or an ESP packet with an SPI this direction
     * used before (any SPI of 256 or more, and a length up to {@link #RESYNC_MAX_ESP}, while none is
     * known). When the segment holds more bytes after the message, they must start one too.
     */
    private boolean plausibleIkeStart(int i, int depth) {
        int n = total() - i;
        int pre = 0;
        if (depth == 0 && dir.atStart && n >= IKETCP.length + 2) {
            boolean match = true;
            for (int j = 0; j < IKETCP.length; j++) {
                if (at(i + j) != IKETCP[j]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                pre = IKETCP.length;
            }
        }
        if (n < pre + 2) {
            return false;
        }
        int len = u16(i + pre);
        if (len < IKE_TCP_MIN_LENGTH) {
            return false;
        }
        int body = i + pre + 2;
        int bodyHave = n - pre - 2;
        if (bodyHave >= 4 && at(body) == 0 && at(body + 1) == 0 && at(body + 2) == 0 && at(body + 3) == 0) {
            if (len < 2 + 4 + 28) {
                return false;
            }
            if (bodyHave >= 4 + 28) {
                long ikeLen = u32(body + 4 + 24);
                int ver = at(body + 4 + 17);
                if (ikeLen != len - 6 || (ver != 0x10 && ver != 0x20)) {
                    return false;
                }
            }
        } else if (len == 3) {
            if (bodyHave < 1 || at(body) != 0xff) {
                return false; // only the NAT-T keepalive is that short
            }
        } else {
            if (len < 2 + 8 || bodyHave < 4) {
                return false;
            }
            long spi = u32(body);
            if (dir.spi[0] >= 0 || dir.spi[1] >= 0) {
                if (spi != dir.spi[0] && spi != dir.spi[1]) {
                    return false;
                }
            } else if (spi < 256 || len > RESYNC_MAX_ESP) {
                return false; // SPIs 1-255 are reserved (RFC 4303)
            }
        }
        int next = pre + len;
        if (next < n && depth < 8) {
            return plausibleIkeStart(i + next, depth + 1);
        }
        return true;
    }

    /** Decodes the complete message unit [0, u) of the view and consumes it. */
    private void deliver(int u) {
        boolean spanned = dir.pendLen > 0;
        int segs = dir.pendSegs + 1;
        long first = dir.pendFirstFrame;
        materialize(0, u);
        byte[] mb = mBuf;
        int mo = mOff;
        boolean prefix = false;
        if (flow.ike && dir.atStart && u >= IKETCP.length + 2) {
            prefix = true;
            for (int j = 0; j < IKETCP.length; j++) {
                if ((mb[mo + j] & 0xff) != IKETCP[j]) {
                    prefix = false;
                    break;
                }
            }
        }
        if (flow.ike) {
            int b = mo + (prefix ? IKETCP.length : 0) + 2;
            if (u - (b - mo) >= 8 && (mb[b] | mb[b + 1] | mb[b + 2] | mb[b + 3]) != 0) {
                dir.sawSpi(Bytes.u32(mb, b));
            }
        }
        drop(u);
        dir.atStart = false;
        messages++;
        if (spanned) {
            p.note((flow.ike ? "IKE-TCP" : "PPTP") + " message of " + u + " bytes reassembled from " + segs
                    + " segments (frames " + first + (first == cFrame ? "" : "-" + cFrame) + ")");
        }
        if (p.full()) {
            hidden++;
            return;
        }
        try {
            if (flow.ike) {
                ikeFraming = prefix ? 1 : 0;
                d.runNested(Proto.IKE_TCP, mb, mo, mo + u, p);
            } else {
                d.runNested(Proto.PPTP, mb, mo, mo + u, p);
            }
        } catch (RuntimeException e) {
            Layer l = p.last();
            if (l != null && l.malformed == null) {
                l.malformed = "decoder error: " + e;
            } else {
                p.note("decoder error: " + e);
            }
        } finally {
            ikeFraming = -1;
        }
    }
}
