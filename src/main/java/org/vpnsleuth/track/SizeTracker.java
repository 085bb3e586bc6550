package org.vpnsleuth.track;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.decode.EspDecryptor;
import org.vpnsleuth.decode.IpReassembly;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * Packet sizes per encapsulation instance and direction (track/EncapSizes.java), and the IP
 * fragments per address pair: what the overhead and MTU conclusions (overhead/) are drawn from.
 * Reads the decoded layers only (header bytes, never FieldTree), so it costs little per frame.
 * A length the capture does not prove (an IPv4 total length of 0, a malformed inner header) is
 * counted as unknown, never guessed.
 */
public final class SizeTracker {
    /** Fragment pairs kept at most (each is a few dozen bytes). */
    public static final int MAX_INSTANCES = 100_000;

    /** Layer.aux bits of IP layers (decode/IpCodecs: FRAGMENT, REASSEMBLED, zero total length). */
    private static final int AUX_FRAGMENT = 1;
    private static final int AUX_REASSEMBLED = 2;
    private static final int AUX_LENGTH_FROM_FRAME = 4;

    private static final int GRE_C = 0x8000;
    private static final int GRE_R = 0x4000;
    private static final int GRE_K = 0x2000;
    private static final int L2TP_T = 0x8000;
    private static final int L2TP_L = 0x4000;

    /** IP fragments of one sender → receiver pair: fragment frames, the largest fragment, the first frame. */
    public static final class Fragments {
        public final int file;
        public final String src;
        public final String dst;
        public long frames;
        public int largest = -1;
        public FrameRef first;
        public boolean dfOnFragment;

        Fragments(int file, String src, String dst) {
            this.file = file;
            this.src = src;
            this.dst = dst;
        }
    }

    /** The instances in memory, in the order they were created unless one was read back. */
    private final java.util.ArrayList<EncapSizes> live = new java.util.ArrayList<>();
    private long nextSeq;
    /** The encapsulation kinds; a kind's index is its number in {@link #index}. */
    private static final List<String> KINDS = List.of("ESP", "AH", "PPTP", "GRE", "L2TP", "IP-in-IP");
    /** The instances in memory by the header bytes that name them (the per-packet look-up). */
    private final AddrIndex<EncapSizes> index = new AddrIndex<>();
    private final Map<String, Fragments> fragments = new LinkedHashMap<>();
    private long untracked;
    /** Instances in memory at most ({@code --max-flows}); those written out do not count. */
    private final int maxLive;

    /** Where instances idle for long are written out to and read back from (pipeline/Analysis). */
    public interface Spiller {
        /**
         * Writes {@code s} out (it is not changed after this call, so this may happen on another
         * thread); the future's value is what {@link #read} takes to read it back.
         */
        java.util.concurrent.Future<Long> write(EncapSizes s);

        /** A copy of the instance written out as {@code where}. */
        EncapSizes read(long where);
    }

    private Spiller spiller;
    private long readBack;
    /*
     * The instances written out, a few dozen bytes each in arrays (no object per instance): by
     * position, their key's hash, creation order, where they were written (once the write is done)
     * and whether they were read back; an open-addressing table finds a position by hash.
     */
    private int goneCount;
    private long[] goneSeq = new long[64];
    private long[] goneWhere = new long[64];
    private final java.util.BitSet goneReadBack = new java.util.BitSet();
    /** The positions by their key's hash. */
    private final HashPositions goneByHash = new HashPositions();
    /** Writes not known to be done yet, in the order given (the writer does them in that order). */
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();

    private record Pending(int position, java.util.concurrent.Future<Long> write) {
    }

    public SizeTracker() {
        this(Tracker.MAX_FLOWS);
    }

    /** At most {@code maxLive} instances in memory; packets of instances past that are counted ({@link #untracked}). */
    public SizeTracker(int maxLive) {
        this.maxLive = maxLive;
    }

    /**
     * Every instance in the order they were created; those written out ({@link #drop}) are read
     * back each time the list gives them, so a report that goes through it holds one at a time.
     */
    public List<EncapSizes> instances() {
        if (goneCount == 0) {
            return java.util.Collections.unmodifiableList(live); // nothing read back: creation order
        }
        settle(true);
        // creation order of both kinds: live ones as objects, written-out ones as -(position + 1)
        List<EncapSizes> held = new java.util.ArrayList<>(live);
        held.sort(java.util.Comparator.comparingLong(x -> x.seq));
        int n = goneCount - goneReadBack.cardinality();
        Integer[] boxed = new Integer[n]; // the positions not read back, sorted once, at the end
        for (int i = 0, k = 0; i < goneCount; i++) {
            if (!goneReadBack.get(i)) {
                boxed[k++] = i;
            }
        }
        java.util.Arrays.sort(boxed, java.util.Comparator.comparingLong(i -> goneSeq[i]));
        long[] order = new long[held.size() + n];
        int a = 0;
        int b = 0;
        for (int i = 0; i < order.length; i++) {
            if (b >= n || a < held.size() && held.get(a).seq < goneSeq[boxed[b]]) {
                order[i] = a++;
            } else {
                order[i] = -(boxed[b++] + 1L);
            }
        }
        Spiller sp = spiller;
        long[] where = goneWhere;
        return new java.util.AbstractList<>() {
            @Override
            public EncapSizes get(int i) {
                long o = order[i];
                return o >= 0 ? held.get((int) o) : sp.read(where[(int) (-o - 1)]);
            }

            @Override
            public int size() {
                return order.length;
            }
        };
    }

    /** True when some instances were written out ({@link #instances} then reads them back). */
    public boolean written() {
        return goneCount > 0;
    }

    /** The instances in memory. */
    public int liveCount() {
        return live.size();
    }

    /** Sets where instances are written out to ({@link #drop}) and read back from. */
    public void spiller(Spiller s) {
        this.spiller = s;
    }

    /** The instances in memory with no packet for {@code idleNanos} of capture time before {@code nowNanos}. */
    public List<EncapSizes> idle(long nowNanos, long idleNanos) {
        List<EncapSizes> l = new java.util.ArrayList<>();
        for (EncapSizes x : live) {
            if (nowNanos - x.lastNanos > idleNanos) {
                l.add(x);
            }
        }
        return l;
    }

    private long forgotten;

    /**
     * Forgets the instances with no packet since {@code cutoffNanos} (live capture's bounded state:
     * nothing is written out); a later packet of one starts it again.
     */
    public void forgetIdle(long cutoffNanos) {
        java.util.Iterator<EncapSizes> it = live.iterator();
        while (it.hasNext()) {
            EncapSizes x = it.next();
            if (x.lastNanos < cutoffNanos && index.remove(x.keyHash, x)) {
                it.remove();
                forgotten++;
            }
        }
    }

    /** Instances forgotten by {@link #forgetIdle}. */
    public long forgotten() {
        return forgotten;
    }

    /** Every instance in memory (to write them all out: a check of that path). */
    public List<EncapSizes> liveInstances() {
        return List.copyOf(live);
    }

    /**
     * Writes {@code out} (instances in memory) out with the {@link #spiller} and drops them: a
     * later packet of one reads it back, and it goes on as if it had never left.
     */
    public void drop(List<EncapSizes> out) {
        if (out.isEmpty()) {
            return;
        }
        settle(false);
        java.util.Set<EncapSizes> set = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (EncapSizes x : out) {
            if (!index.remove(x.keyHash, x)) {
                continue; // not one of ours
            }
            int pos = addGone(x.keyHash, x.seq);
            pending.add(new Pending(pos, spiller.write(x)));
            set.add(x);
        }
        live.removeIf(set::contains);
    }

    /** Takes the positions of the writes that are done ({@code all}: waits for every one). */
    private void settle(boolean all) {
        while (!pending.isEmpty() && (all || pending.peek().write().isDone())) {
            Pending p = pending.poll();
            goneWhere[p.position()] = await(p.write());
        }
    }

    private static long await(java.util.concurrent.Future<Long> f) {
        return org.vpnsleuth.base.Threads.await(f, "an encapsulation's sizes were written out");
    }

    private int addGone(long hash, long seq) {
        if (goneCount == goneSeq.length) {
            goneSeq = java.util.Arrays.copyOf(goneSeq, goneSeq.length * 2);
            goneWhere = java.util.Arrays.copyOf(goneWhere, goneWhere.length * 2);
        }
        int pos = goneCount++;
        goneSeq[pos] = seq;
        goneWhere[pos] = -1;
        goneByHash.add(hash, pos);
        return pos;
    }

    /**
     * The instance written out under this key (hash {@code h}), read back and in memory again;
     * null when none was written out.
     */
    private EncapSizes readBack(long h, int file, String kind, long id, Layer outer) {
        for (int slot = goneByHash.first(h); slot >= 0; slot = goneByHash.next(h, slot)) {
            int pos = goneByHash.position(slot);
            if (goneReadBack.get(pos)) {
                continue;
            }
            settle(true);
            EncapSizes x = spiller.read(goneWhere[pos]);
            if (x.file != file || x.id != id || !x.kind.equals(kind) || !x.src.equals(src(outer)) || !x.dst.equals(dst(outer))) {
                continue; // another key with the same hash
            }
            goneReadBack.set(pos);
            x.keyHash = h;
            readBack++;
            return x;
        }
        return null;
    }

    /** Instances read back because a packet of theirs came after they were written out. */
    public long readBack() {
        return readBack;
    }

    /** The limit of instances in memory at once. */
    public int maxLive() {
        return maxLive;
    }

    public Collection<Fragments> fragments() {
        return fragments.values();
    }

    public long untracked() {
        return untracked;
    }

    private static boolean ip(Layer l) {
        return !l.quoted && (l.proto == Proto.IPV4 && l.headerLength >= 20 || l.proto == Proto.IPV6 && l.headerLength >= 40);
    }

    private static String src(Layer ip) {
        return ip.proto == Proto.IPV4 ? org.vpnsleuth.base.Bytes.ipv4(ip.buf, ip.offset + 12)
                : org.vpnsleuth.base.Bytes.ipv6(ip.buf, ip.offset + 8);
    }

    private static String dst(Layer ip) {
        return ip.proto == Proto.IPV4 ? org.vpnsleuth.base.Bytes.ipv4(ip.buf, ip.offset + 16)
                : org.vpnsleuth.base.Bytes.ipv6(ip.buf, ip.offset + 24);
    }

    /** The IP packet's length as its header gives it; -1 when unknown. */
    private static int length(Layer ip) {
        if (ip.malformed != null || ip.proto == Proto.IPV4 && (ip.aux & AUX_LENGTH_FROM_FRAME) != 0) {
            return -1;
        }
        return ip.headerLength + ip.payloadLength;
    }

    /** Takes the sizes of frame {@code p}. */
    public void add(Packet p, FrameAt at) {
        int n = p.count();
        int oi = -1;
        for (int i = 0; i < n; i++) {
            Layer l = p.layer(i);
            if (l.quoted) {
                return; // an ICMP error's quote: the tracker's IcmpError takes it
            }
            if (l.proto == Proto.IPV4 || l.proto == Proto.IPV6) {
                oi = ip(l) ? i : -1;
                break;
            }
        }
        if (oi < 0 || oi + 1 >= n && (p.layer(oi).aux & AUX_FRAGMENT) == 0) {
            return;
        }
        Layer outer = p.layer(oi);
        boolean v4 = outer.proto == Proto.IPV4;
        Boolean df = v4 ? (outer.u16(6) & 0x4000) != 0 : null;
        int outerLength = length(outer);
        IpReassembly.Datagram dg = null;
        if ((outer.aux & AUX_FRAGMENT) != 0) {
            fragment(at.ref(), outer, outerLength, df);
            if ((outer.aux & AUX_REASSEMBLED) == 0 || !(outer.info instanceof IpReassembly.Datagram d)) {
                return;
            }
            dg = d;
            // the whole datagram: this fragment's header (IPv6: without its fragment header) + the reassembled payload
            outerLength = v4 ? outer.headerLength + dg.length : Math.max(40, outer.headerLength - 8) + dg.length;
        }
        // the encapsulation: the first layer after the outer IP (and UDP/TCP framing) that is one
        int e = -1;
        String kind = null;
        long id = 0;
        for (int i = oi + 1; i < n && kind == null; i++) {
            Layer l = p.layer(i);
            switch (l.proto) {
                case UDP, TCP, IKE_TCP -> {
                    continue;
                }
                case ESP -> {
                    if (l.headerLength >= 4) {
                        kind = "ESP";
                        id = l.u32(0);
                    }
                }
                case AH -> {
                    if (l.headerLength >= 8) {
                        kind = "AH";
                        id = l.u32(4);
                    }
                }
                case GRE -> {
                    if (l.headerLength >= 4) {
                        int flags = l.u16(0);
                        if ((flags & 7) == 1) {
                            kind = "PPTP";
                            id = l.headerLength >= 8 ? l.u16(6) : -1;
                        } else {
                            kind = "GRE";
                            int o = (flags & (GRE_C | GRE_R)) != 0 ? 8 : 4;
                            id = (flags & GRE_K) != 0 && l.headerLength >= o + 4 ? l.u32(o) : -1;
                        }
                    }
                }
                case L2TP -> {
                    if (l.headerLength >= 6) {
                        int flags = l.u16(0);
                        if ((flags & L2TP_T) != 0) {
                            return; // control: not tunnelled traffic
                        }
                        if ((flags & 0x0f) == 3) {
                            kind = "L2TP";
                            id = (1L << 32) | l.u32(4);
                        } else {
                            int o = (flags & L2TP_L) != 0 ? 4 : 2;
                            if (l.headerLength >= o + 4) {
                                kind = "L2TP";
                                id = ((long) l.u16(o) << 16) | l.u16(o + 2);
                            }
                        }
                    }
                }
                case L2TPV3 -> {
                    if (l.headerLength >= 4 && l.u32(0) != 0) {
                        kind = "L2TP";
                        id = (1L << 32) | l.u32(0);
                    } else {
                        return;
                    }
                }
                case IPV4, IPV6 -> {
                    if (i == oi + 1) {
                        kind = "IP-in-IP";
                    } else {
                        return;
                    }
                }
                default -> {
                    return; // plain traffic (IKE, DNS, ...), not an encapsulation
                }
            }
            if (kind != null) {
                e = i;
            } else {
                return;
            }
        }
        if (kind == null) {
            return;
        }
        // found from the header bytes without address text (this runs for every tunnelled packet)
        int alen = v4 ? 4 : 16;
        int so = outer.offset + (v4 ? 12 : 8);
        int dOff = outer.offset + (v4 ? 16 : 24);
        int kindCode = KINDS.indexOf(kind);
        EncapSizes x = index.get(at.file(), kindCode, id, outer.buf, so, dOff, alen);
        if (x == null) {
            long h = AddrIndex.hash(at.file(), kindCode, id, outer.buf, so, dOff, alen);
            x = readBack(h, at.file(), kind, id, outer); // written out, and a packet of it came after all
            if (x == null) {
                if (live.size() >= maxLive) {
                    untracked++;
                    return;
                }
                x = new EncapSizes(kind, at.file(), src(outer), dst(outer), id);
                x.seq = nextSeq++;
                x.keyHash = h;
                x.outerIpv6 = !v4;
                x.outerStack = names(p, oi, e);
            }
            live.add(x);
            index.put(at.file(), kindCode, id, outer.buf, so, dOff, alen, x);
        }
        x.outer(at, outerLength, df);
        if (dg != null) {
            x.fragmented(at.ref(), dg.frames.length, outerLength);
        }
        Layer enc = p.layer(e);
        if (enc.proto == Proto.ESP) {
            int before = 0;
            for (int i = oi; i < e; i++) {
                before += p.layer(i).headerLength;
            }
            if (dg != null && !v4) {
                before -= 8;
            }
            x.espBefore(before);
            if (enc.info instanceof EspDecryptor.Result r) {
                x.decrypted(r.ivLength(), r.padLength(), r.icvLength());
            }
        }
        // the inner IP packet: the next IP layer inside
        for (int i = e == oi + 1 && kind.equals("IP-in-IP") ? e : e + 1; i < n; i++) {
            Layer l = p.layer(i);
            if (l.quoted) {
                break;
            }
            if (l.proto == Proto.IPV4 || l.proto == Proto.IPV6) {
                int inner = ip(l) ? length(l) : -1;
                if (inner >= 0 && outerLength >= 0 && outerLength >= inner) {
                    if (x.stack == null) {
                        x.stack = names(p, oi, i);
                    }
                    x.inner(at, outerLength - inner, inner);
                    tcp(p, i, at, x);
                }
                break;
            }
        }
    }

    /** The MSS option of an inner TCP SYN right after inner IP layer {@code ii}. */
    private static void tcp(Packet p, int ii, FrameAt at, EncapSizes x) {
        if (ii + 1 >= p.count()) {
            return;
        }
        Layer t = p.layer(ii + 1);
        if (t.proto != Proto.TCP || t.quoted || t.headerLength < 20 || (t.u16(12) & 0x002) == 0) {
            return;
        }
        int o = t.offset + 20;
        int end = Math.min(t.offset + t.headerLength, t.buf.length);
        while (o < end) {
            int k = t.buf[o] & 0xff;
            if (k == 0) {
                return;
            }
            if (k == 1) {
                o++;
                continue;
            }
            if (o + 1 >= end) {
                return;
            }
            int len = t.buf[o + 1] & 0xff;
            if (len < 2 || o + len > end) {
                return;
            }
            if (k == 2 && len == 4) {
                x.mss(at.ref(), ((t.buf[o + 2] & 0xff) << 8) | (t.buf[o + 3] & 0xff), p.layer(ii).proto == Proto.IPV6);
                return;
            }
            o += len;
        }
    }

    private void fragment(FrameRef at, Layer outer, int length, Boolean df) {
        String key = at.file() + "|" + src(outer) + "|" + dst(outer);
        Fragments f = fragments.get(key);
        if (f == null) {
            if (fragments.size() >= MAX_INSTANCES) {
                return;
            }
            f = new Fragments(at.file(), src(outer), dst(outer));
            fragments.put(key, f);
        }
        f.frames++;
        if (f.first == null) {
            f.first = at;
        }
        // this fragment's own length (a reassembled layer still claims only its own fragment)
        int own = outer.malformed != null ? -1 : outer.headerLength + outer.payloadLength;
        f.largest = Math.max(f.largest, own);
        if (Boolean.TRUE.equals(df)) {
            f.dfOnFragment = true;
        }
    }

    /**
     * The layers {@code from..to} as the overhead model's stack syntax writes them (overhead/Stack,
     * docs/overhead.md), with the parameters their headers show: "ipv4/udp/esp/ipv4",
     * "ipv4/gre:key,seq/ipv4", "ipv4/pptp:seq,ack/ppp:acfc/ipv4"; other layers by their short name.
     */
    private static String names(Packet p, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to && i < p.count(); i++) {
            Layer l = p.layer(i);
            sb.append(i == from ? "" : "/").append(l.proto.shortName);
            List<String> params = new java.util.ArrayList<>();
            switch (l.proto) {
                case IPV4 -> {
                    if (l.headerLength > 20) {
                        params.add("options=" + (l.headerLength - 20));
                    }
                }
                case IPV6 -> {
                    if (l.headerLength > 40) {
                        params.add("ext=" + (l.headerLength - 40));
                    }
                }
                case GRE -> {
                    int flags = l.headerLength >= 2 ? l.u16(0) : 0;
                    if ((flags & 7) == 1) {
                        sb.setLength(sb.length() - l.proto.shortName.length());
                        sb.append("pptp");
                        flag(params, flags, 0x1000, "seq");
                        flag(params, flags, 0x0080, "ack");
                    } else {
                        flag(params, flags, GRE_C, "csum");
                        flag(params, flags, GRE_K, "key");
                        flag(params, flags, 0x1000, "seq");
                    }
                }
                case L2TP -> {
                    int flags = l.headerLength >= 2 ? l.u16(0) : 0;
                    if ((flags & 0x0f) == 3) {
                        sb.setLength(sb.length() - l.proto.shortName.length());
                        sb.append("l2tpv3");
                    } else {
                        flag(params, flags, L2TP_L, "length");
                        flag(params, flags, 0x0800, "seq");
                        if ((flags & 0x0200) != 0) {
                            params.add("offset=" + Math.max(0, l.headerLength - 8 - ((flags & L2TP_L) != 0 ? 2 : 0)
                                    - ((flags & 0x0800) != 0 ? 4 : 0)));
                        }
                    }
                }
                case L2TPV3 -> {
                    if (l.headerLength == 8 || l.headerLength == 12) {
                        params.add("cookie=" + (l.headerLength - 4));
                    }
                }
                case PPP -> {
                    if (l.headerLength == 2 || l.headerLength == 1) {
                        params.add("acfc");
                    }
                    if (l.headerLength == 3 || l.headerLength == 1) {
                        params.add("pfc");
                    }
                }
                default -> {
                }
            }
            if (!params.isEmpty()) {
                sb.append(':').append(String.join(",", params));
            }
        }
        return sb.toString();
    }

    private static void flag(List<String> params, int flags, int bit, String name) {
        if ((flags & bit) != 0) {
            params.add(name);
        }
    }
}
