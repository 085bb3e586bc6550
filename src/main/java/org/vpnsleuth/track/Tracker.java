package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.IpReassembly;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDissector;
import org.vpnsleuth.ike.PayloadType;

/**
 * The state over time: decoded frames in, IKE SAs with their exchanges and the ESP/AH flows out.
 * Frames come in capture order (several files merged by time); the tracker keeps its own facts
 * and nothing of the packets. Bounded: at most {@link #MAX_SAS} IKE SAs and {@link #MAX_FLOWS}
 * flows are kept (later ones are counted, not tracked), at most {@link #MAX_MESSAGES_PER_SA}
 * messages per SA (retransmission storms are counted on the message they repeat).
 */
public final class Tracker {
    public static final int MAX_SAS = 100_000;
    public static final int MAX_FLOWS = 100_000;
    public static final int MAX_MESSAGES_PER_SA = 10_000;

    /**
     * How much the tracker keeps: IKE SAs, ESP/AH flows (also the bound on ICMP errors and
     * keepalive pairs), messages per SA. What goes past a limit is counted and said in
     * {@link #limitWarnings()}, with the option that raises it.
     */
    public record Limits(int maxSas, int maxFlows, int maxMessagesPerSa, long idleSeconds) {
        public static final Limits DEFAULT = new Limits(MAX_SAS, MAX_FLOWS, MAX_MESSAGES_PER_SA, IDLE_SECONDS);

        public Limits(int maxSas, int maxFlows, int maxMessagesPerSa) {
            this(maxSas, maxFlows, maxMessagesPerSa, IDLE_SECONDS);
        }
    }

    /**
     * Capture time after which an IKE SA with no message and no packet of its flows is over: it is
     * diagnosed, written out and dropped while the file is still read (analyze --sa-idle-timeout).
     * Longer than any daemon's retransmission schedule, DPD interval or rekey margin.
     */
    public static final long IDLE_SECONDS = 900;

    /** The limits in force. */
    public Limits limits() {
        return limits;
    }

    private final Limits limits;
    private long untrackedSaFrames;
    private long untrackedFlowPackets;
    private long untrackedMessages;
    private long untrackedIcmp;
    private long untrackedKeepalives;

    public Tracker() {
        this(Limits.DEFAULT);
    }

    public Tracker(Limits limits) {
        this.limits = limits;
        this.sizes = new SizeTracker(limits.maxFlows());
    }

    /**
     * What the limits left out, one sentence each with the option that raises the limit; empty
     * when nothing was left out.
     */
    public List<String> limitWarnings() {
        List<String> l = new ArrayList<>();
        if (untrackedSas > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d IKE SA(s) beyond the limit of %,d were not analysed (%,d of their"
                    + " frames); raise the limit with --max-sas", untrackedSas, limits.maxSas(), untrackedSaFrames));
        }
        if (untrackedFlows > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d ESP/AH flow(s) beyond the limit of %,d were not tracked (%,d"
                    + " packets); raise the limit with --max-flows", untrackedFlows, limits.maxFlows(), untrackedFlowPackets));
        }
        if (untrackedMessages > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d IKE message(s) beyond the limit of %,d per SA were not analysed;"
                    + " raise the limit with --max-messages-per-sa", untrackedMessages, limits.maxMessagesPerSa()));
        }
        if (untrackedIcmp > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d ICMP error(s) beyond the limit of %,d were not kept; raise the"
                    + " limit with --max-flows", untrackedIcmp, limits.maxFlows()));
        }
        if (untrackedKeepalives > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d NAT-T keepalive(s) between more than %,d address pairs were not"
                    + " counted; raise the limit with --max-flows", untrackedKeepalives, limits.maxFlows()));
        }
        if (sizes.untracked() > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d packet(s) of encapsulations (ESP SPIs, GRE keys, L2TP sessions)"
                    + " beyond the limit of %,d held at once were not measured for the overhead report; raise the limit with"
                    + " --max-flows", sizes.untracked(), sizes.maxLive()));
        }
        if (untrackedSaturated && !l.isEmpty()) {
            l.add("(the counts of SAs and flows left out stop at " + UNTRACKED_KEYS + " distinct ones: they are lower bounds)");
        }
        return l;
    }
    /** The same message captured in two files within this time is one message seen twice, not a retransmission. */
    static final long SAME_MESSAGE_NANOS = 5_000_000_000L;


    private final Map<String, IkeSa> sas = new LinkedHashMap<>();
    /** The SAs by peer pair, ordered by start: owners of flows, ICMP errors and lost datagrams are look-ups in it. */
    private final PeerIndex peers = new PeerIndex();
    /** Shared copies of the values every message repeats (see {@link Interner}). */
    private final Interner interner = new Interner();
    private long saSeq;
    private final Map<IkeSa, Map<Long, IkeMessage>> sent = new HashMap<>();
    private final Map<String, EspFlow> flows = new LinkedHashMap<>();
    /** The same flows by the header bytes that name them (the per-packet look-up). */
    private final AddrIndex<EspFlow> flowIndex = new AddrIndex<>();
    private final List<IcmpError> icmpErrors = new ArrayList<>();
    private final List<String> files = new ArrayList<>();
    /** L2TP, PPTP, GRE and PPP (track/L2tpTracker.java). */
    private final L2tpTracker l2tp = new L2tpTracker();
    /** Packet sizes per encapsulation instance, IP fragments (track/SizeTracker.java). */
    private final SizeTracker sizes;
    private long untrackedSas;
    /** Keys of the SAs and flows left out, so each is counted once; at most {@link #UNTRACKED_KEYS} (then counts are lower bounds). */
    private final java.util.Set<String> untracked = new java.util.HashSet<>();
    private static final int UNTRACKED_KEYS = 1_000_000;
    private boolean untrackedSaturated;

    private boolean firstTimeUntracked(String key) {
        if (untracked.size() >= UNTRACKED_KEYS) {
            untrackedSaturated = true;
            return false;
        }
        return untracked.add(key);
    }
    private long untrackedFlows;
    private long frames;
    private long lastNanos;
    private long firstNanos = Long.MAX_VALUE;

    private final List<long[]> fileSpans = new ArrayList<>();
    /** Told of every change as it is tracked (live capture); never null. */
    private TrackerListener listener = TrackerListener.NONE;
    private long evictedSas;
    private long evictedFlows;

    /** {@code l} is told of each new IKE SA, message, decrypted message, flow and ICMP error from now on. */
    public void listener(TrackerListener l) {
        listener = l == null ? TrackerListener.NONE : l;
    }

    /** Registers a file; frames from it are given with the returned index. */
    public int addFile(String name) {
        files.add(name);
        fileSpans.add(new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        return files.size() - 1;
    }

    /** First and last capture time of file {@code i} (MAX/MIN_VALUE while it had no frame). */
    public long[] fileSpan(int i) {
        return fileSpans.get(i);
    }

    public List<String> files() {
        return files;
    }

    /** Takes what frame {@code p} (from file {@code file}) says. */
    public void add(Packet p, int file) {
        frames++;
        FrameAt at = here;
        at.set(file, p.frame.number, p.frame.timestampNanos); // its FrameRef only when something keeps it
        firstNanos = Math.min(firstNanos, at.nanos());
        if (at.nanos() < lastNanos - BACKWARDS_SLACK_NANOS) {
            monotonic = false;
        }
        lastNanos = Math.max(lastNanos, at.nanos());
        if (file < fileSpans.size()) {
            long[] span = fileSpans.get(file);
            span[0] = Math.min(span[0], at.nanos());
            span[1] = Math.max(span[1], at.nanos());
        }
        Layer ip = null;
        Layer transport = null;
        boolean ipReassembled = false;
        List<FrameRef> ipFrames = null;
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.quoted) {
                continue;
            }
            switch (l.proto) {
                case IPV4, IPV6 -> {
                    ip = l;
                    transport = null;
                    if (l.info instanceof IpReassembly.Datagram dg) {
                        ipReassembled = true;
                        ipFrames = new ArrayList<>();
                        for (long f : dg.frames) {
                            ipFrames.add(new FrameRef(file, f, at.nanos()));
                        }
                    }
                }
                case UDP, TCP -> transport = l;
                case ICMP, ICMPV6 -> icmp(p, i, at);
                case ESP, AH -> flow(l, ip, transport, at);
                case NATT_KEEPALIVE -> keepalive(ip, at.ref());
                case IKE -> ike(l, ip, transport, at.ref(), ipReassembled ? ipFrames : null);
                default -> {
                }
            }
        }
        l2tp.add(p, at);
        sizes.add(p, at);
    }

    /** Packet sizes, overhead and fragments per encapsulation instance (overhead/ draws the conclusions). */
    public SizeTracker sizes() {
        return sizes;
    }

    /** The L2TP tunnels, PPTP connections, GRE flows and PPP sessions of the capture(s). */
    public L2tpTracker l2tp() {
        return l2tp;
    }

    /** At the end of file {@code file}: what its decoder never completed (IP datagrams, IKE fragments). */
    public void finish(Decoder d, int file) {
        d.reassembly.finish();
        List<IpReassembly.Incomplete> inc = d.reassembly.incomplete();
        for (int i = lostDatagramsSeen.getOrDefault(file, 0); i < inc.size(); i++) {
            lostDatagram(inc.get(i), file);
        }
        lostDatagramsSeen.put(file, inc.size());
    }

    /** Links flows to the IKE SAs of their peers; call once after the last frame (what {@link #linkNow} linked stays once). */
    public void link() {
        for (EspFlow f : flows.values()) {
            linkNow(f);
        }
        for (IcmpError e : icmpErrors) {
            linkNow(e);
        }
    }

    /**
     * The IKE SA flow {@code f} belongs to: the latest SA of its peers that started before it, or
     * (a flow older than any SA of its peers) the earliest SA of them; null when none.
     */
    public IkeSa owner(EspFlow f) {
        return peers.at(f.src, f.dst, f.first.nanos());
    }

    /** Links {@code f} to its {@link #owner} now (live capture), once; returns the owner or null. */
    public IkeSa linkNow(EspFlow f) {
        IkeSa best = owner(f);
        if (best != null && best.evicted) {
            best = revive(best);
            if (best == null) {
                lateFlows++; // its owner was written out before it began: it stays among the flows without an SA
                return null;
            }
        }
        if (best != null && best.flowSet.add(f)) {
            best.flows.add(f);
        }
        return best;
    }

    /**
     * Links ICMP error {@code e}, once, to the IKE SA of the peers its quoted datagram was between
     * that was up when the error came (as {@link #owner} for flows).
     */
    public void linkNow(IcmpError e) {
        IkeSa sa = peers.at(e.quotedSrc(), e.quotedDst(), e.at().nanos());
        if (sa != null && sa.evicted) {
            sa = revive(sa);
        }
        if (sa != null && sa.icmpSet.add(e)) {
            sa.icmpErrors.add(e);
        }
    }

    /** The IKE SAs by peer pair, ordered by the time of their first message. */
    public PeerIndex peers() {
        return peers;
    }

    public Collection<IkeSa> ikeSas() {
        return sas.values();
    }

    /** The ESP/AH flows still held (those of SAs written out while reading are with those SAs). */
    public Collection<EspFlow> flows() {
        return flows.values();
    }

    /** Every ESP/AH flow tracked, held or written out with its SA. */
    public long flowCount() {
        return flows.size() + droppedFlows;
    }

    public List<IcmpError> icmpErrors() {
        return icmpErrors;
    }

    public long untrackedSas() {
        return untrackedSas;
    }

    public long untrackedFlows() {
        return untrackedFlows;
    }

    public long frames() {
        return frames;
    }

    public long firstNanos() {
        return firstNanos == Long.MAX_VALUE ? 0 : firstNanos;
    }

    public long lastNanos() {
        return lastNanos;
    }

    // ------------------------------------------------------------------ eviction (live capture)

    // ------------------------------------------------------------------ SAs that are over (issue 12)

    /** Capture time may step back this much (merged files, reordering) without stopping eviction. */
    static final long BACKWARDS_SLACK_NANOS = 1_000_000_000L;
    private boolean monotonic = true;
    /** Keys of the SAs written out and dropped, so a late frame of one is counted, not taken for a new SA. */
    private final LongMap<IkeSa> droppedV1 = new LongMap<>();
    private final LongMap<IkeSa> droppedV2 = new LongMap<>();

    /** The SAs written out and dropped, by initiator SPI/cookie: a later frame of one reads it back. */
    private LongMap<IkeSa> dropped(int version) {
        return version == 1 ? droppedV1 : droppedV2;
    }
    /** Flows that began before any IKE SA of their peers, by peer pair: the pair's first SA owns them. */
    private final Map<String, List<EspFlow>> waitingForOwner = new HashMap<>();
    private long lateIkeFrames;
    private long lateFlows;
    private long lateLostDatagrams;
    private long evictedOver;
    /** Flows tracked with SAs written out (gone from {@link #flows()}, counted in {@link #flowCount()}). */
    private long droppedFlows;
    private int icmpLinked;
    /** Per file, how many of its decoder's never-reassembled datagrams were given to their SAs already. */
    private final Map<Integer, Integer> lostDatagramsSeen = new HashMap<>();

    private void own(EspFlow f, long nanos) {
        IkeSa o = peers.at(f.src, f.dst, nanos);
        if (o == null) {
            waitingForOwner.computeIfAbsent(PeerIndex.key(f.src, f.dst), k -> new ArrayList<>()).add(f);
            return;
        }
        if (o.evicted) {
            o = revive(o);
            if (o == null) {
                return; // said when the flows are linked (lateFlows)
            }
        }
        f.owner = o;
        if (o.ownedFlows == null) {
            o.ownedFlows = new ArrayList<>(2);
        }
        o.ownedFlows.add(f);
        o.activeNanos = Math.max(o.activeNanos, f.first == null ? nanos : f.lastNanos());
    }

    /** Reads back the whole story of an SA written out by {@link #drop} (the same SA, as it was when dropped). */
    public interface Reloader {
        IkeSa reload(IkeSa dropped);
    }

    private Reloader reloader;
    private long revived;

    /** Where SAs written out can be read back from when something of theirs comes after all (none: it is counted). */
    public void reloader(Reloader r) {
        reloader = r;
    }

    /** SAs read back because a frame of theirs came after they were written out. */
    public long revived() {
        return revived;
    }

    /**
     * SA {@code dropped} again as it was when written out, tracked from here on as if it had never
     * been dropped (a message, flow, ICMP error or lost datagram of its came after the idle timeout:
     * eviction must not change what the report says). Null when no reloader is set.
     */
    private IkeSa revive(IkeSa dropped) {
        if (reloader == null) {
            return null;
        }
        IkeSa sa = reloader.reload(dropped);
        sa.evicted = false; // the same object when it was kept in memory, a copy when it was read back
        String key = sa.version + ":" + Long.toHexString(sa.spiI);
        dropped(sa.version).remove(sa.spiI);
        sas.put(key, sa);
        peers.removeAll(List.of(dropped));
        peers.update(sa);
        Map<Long, IkeMessage> seen = new HashMap<>();
        for (IkeMessage m : sa.messages) {
            if (m.retransmissionOf == null) {
                seen.put(m.hash, m);
            }
        }
        sent.put(sa, seen);
        sa.activeNanos = sa.lastSeenNanos;
        nextOverNanos = Long.MIN_VALUE; // its activity may be older than what the last pass of over() saw
        sa.ownedFlows = new ArrayList<>(sa.flows);
        for (EspFlow f : sa.flows) {
            if (flows.put(flowKey(f.file, f.protocol, f.src, f.dst, f.spi), f) == null) {
                droppedFlows--;
            }
            f.owner = sa;
            if (f.first != null) {
                sa.activeNanos = Math.max(sa.activeNanos, f.lastNanos());
            }
        }
        revived++;
        return sa;
    }

    /** False once capture time went back by more than a second: SAs are then kept to the end. */
    public boolean monotonic() {
        return monotonic;
    }

    /**
     * The IKE SAs that are over as of capture time {@code nowNanos}: no message and no packet of a
     * flow they own for {@code idleNanos}. Each is completed as at the end of the capture (its
     * flows, ICMP errors and lost IP datagrams of file {@code d}'s decoder linked) and returned
     * for the caller to diagnose and write out; then call {@link #drop} for each. Empty while
     * capture time is not monotonic.
     */
    public List<IkeSa> over(long nowNanos, long idleNanos, List<Decoder> decoders) {
        if (!monotonic || sas.isEmpty()) {
            return List.of();
        }
        if (idleNanos == overIdleNanos && nowNanos <= nextOverNanos) {
            return List.of(); // none can be over yet: activity only grows, and SAs made since are newer
        }
        List<IkeSa> out = null;
        // an SA made after this pass starts at this pass's time at the earliest (less the backwards slack a
        // monotonic capture may have): none can be over before that plus the timeout
        long next = nowNanos - BACKWARDS_SLACK_NANOS + idleNanos;
        for (IkeSa sa : sas.values()) {
            if (sa.messages.isEmpty()) {
                continue; // never over (its first message, when it comes, is later than this round)
            }
            long active = Math.max(sa.activeNanos, sa.lastSeenNanos);
            if (nowNanos - active > idleNanos) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(sa);
            } else {
                next = Math.min(next, active + idleNanos);
            }
        }
        overIdleNanos = idleNanos;
        nextOverNanos = next;
        if (out == null) {
            return List.of();
        }
        for (int i = Math.min(icmpLinked, icmpErrors.size()); i < icmpErrors.size(); i++) {
            linkNow(icmpErrors.get(i)); // to the SA up when it came (one without an SA yet: again at the end)
        }
        icmpLinked = icmpErrors.size();
        lostDatagrams(decoders); // those of the SAs about to go, found before they go
        for (IkeSa sa : out) {
            if (sa.ownedFlows != null) {
                for (EspFlow f : sa.ownedFlows) {
                    linkNow(f);
                }
            }
        }
        return out;
    }

    /**
     * Until this capture time no SA held can be over (the earliest last activity plus the idle
     * timeout, as of the last pass of {@link #over}): the passes in between are skipped. A read-back
     * SA, whose activity may be older, sets it back.
     */
    private long nextOverNanos = Long.MIN_VALUE;
    private long overIdleNanos = -1;

    /** Never-reassembled IP datagrams the decoders gave up on since the last call, given to their SAs. */
    private void lostDatagrams(List<Decoder> decoders) {
        for (int file = 0; file < decoders.size(); file++) {
            List<IpReassembly.Incomplete> inc = decoders.get(file).reassembly.incomplete();
            int from = lostDatagramsSeen.getOrDefault(file, 0);
            for (int i = from; i < inc.size(); i++) {
                lostDatagram(inc.get(i), file);
            }
            lostDatagramsSeen.put(file, inc.size());
        }
    }

    private void lostDatagram(IpReassembly.Incomplete inc, int file) {
        if (inc.protocol() != 17 && inc.protocol() != 50) {
            return;
        }
        List<FrameRef> refs = new ArrayList<>();
        for (long f : inc.frames()) {
            refs.add(new FrameRef(file, f, 0));
        }
        IkeSa owner = peers.at(inc.src(), inc.dst(), inc.firstNanos());
        IkeSa sa = owner != null && owner.evicted ? revive(owner) : owner;
        if (sa != null) {
            sa.lostIpDatagrams.add(refs);
        } else if (owner != null) {
            lateLostDatagrams++; // written out and not to be read back (no reloader)
        }
    }

    /** Forgets the SAs {@code gone} (returned by {@link #over}, diagnosed and written out) and their flows; their identity stays. */
    public void drop(List<IkeSa> gone) {
        java.util.Set<EspFlow> goneFlowSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (IkeSa sa : gone) {
            String key = sa.version + ":" + Long.toHexString(sa.spiI);
            if (sas.remove(key) == null) {
                continue;
            }
            dropped(sa.version).put(sa.spiI, sa);
            peers.frozen(sa);
            sent.remove(sa);
            for (EspFlow f : sa.flows) {
                if (flows.remove(flowKey(f.file, f.protocol, f.src, f.dst, f.spi)) != null) {
                    goneFlowSet.add(f);
                    droppedFlows++;
                    if (f.indexed) {
                        addGoneFlow(f.indexHash, sa);
                    }
                }
            }
            if (lastMessage != null && lastMessage.spiI == sa.spiI && lastMessage.version == sa.version) {
                lastMessage = null;
            }
            sa.evict();
            evictedOver++;
        }
        for (EspFlow f : goneFlowSet) {
            if (f.indexed) {
                flowIndex.remove(f.indexHash, f); // by its key's hash: no pass over the index
            }
        }
    }

    /*
     * The flows written out with their SAs, by the hash of their flow-index key: the SA (version,
     * initiator SPI) to read back when a packet of one comes. Arrays, not objects (a few dozen bytes
     * per flow); a flow dropped again after it was read back gets a later position, which wins.
     */
    private final HashPositions goneFlowByHash = new HashPositions();
    private int goneFlows;
    private long[] goneFlowSpi = new long[256];
    private byte[] goneFlowVersion = new byte[256];

    private void addGoneFlow(long hash, IkeSa sa) {
        if (goneFlows == goneFlowSpi.length) {
            goneFlowSpi = java.util.Arrays.copyOf(goneFlowSpi, goneFlows * 2);
            goneFlowVersion = java.util.Arrays.copyOf(goneFlowVersion, goneFlows * 2);
        }
        goneFlowSpi[goneFlows] = sa.spiI;
        goneFlowVersion[goneFlows] = (byte) sa.version;
        goneFlowByHash.add(hash, goneFlows++);
    }

    /** The SA written out with the flow of this index-key hash (the latest such), if it is still written out; else null. */
    private IkeSa goneFlowOwner(long hash) {
        int latest = -1;
        for (int slot = goneFlowByHash.first(hash); slot >= 0; slot = goneFlowByHash.next(hash, slot)) {
            latest = Math.max(latest, goneFlowByHash.position(slot));
        }
        return latest < 0 ? null : dropped(goneFlowVersion[latest]).get(goneFlowSpi[latest]);
    }

    /** IKE SAs written out and dropped while reading ({@link #drop}). */
    public long evictedOver() {
        return evictedOver;
    }

    /**
     * What came for SAs after they were written out (a frame of theirs after the idle timeout), one
     * sentence each with the option that raises the timeout; empty when nothing did.
     */
    public List<String> lateWarnings(String option) {
        List<String> l = new ArrayList<>();
        if (lateIkeFrames > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d IKE frame(s) came for SAs already written out after being idle;"
                    + " they are not in those SAs' stories (raise %s)", lateIkeFrames, option));
        }
        if (lateFlows > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d ESP/AH flow(s) began after the SA that would own them had been"
                    + " written out; they are listed without an SA (raise %s)", lateFlows, option));
        }
        if (lateLostDatagrams > 0) {
            l.add(String.format(java.util.Locale.ROOT, "%,d never-reassembled IP datagram(s) belong to SAs already written out"
                    + " (raise %s)", lateLostDatagrams, option));
        }
        return l;
    }

    /** What one {@link #evictIdle} call removed. */
    public record Evicted(List<IkeSa> sas, List<EspFlow> flows) {
    }

    /**
     * Forgets every IKE SA, ESP/AH flow, keepalive counter, ICMP error and L2TP/PPTP/GRE/PPP story
     * last seen before {@code cutoffNanos}: a long live capture keeps only what is recent. Returns the
     * IKE SAs and flows removed (their last word can still be reported). File analysis never calls it.
     */
    public Evicted evictIdle(long cutoffNanos) {
        List<IkeSa> goneSas = new ArrayList<>();
        var it = sas.values().iterator();
        while (it.hasNext()) {
            IkeSa sa = it.next();
            if (sa.lastSeenNanos < cutoffNanos) {
                it.remove();
                sent.remove(sa);
                goneSas.add(sa);
            }
        }
        peers.removeAll(goneSas);
        for (IkeSa sa : sas.values()) { // what a long-lived SA keeps of its past is bounded too
            sa.flows.removeIf(f -> (f.first == null || f.lastNanos() < cutoffNanos) && sa.flowSet.remove(f));
            sa.icmpErrors.removeIf(e -> e.at().nanos() < cutoffNanos && sa.icmpSet.remove(e));
        }
        List<EspFlow> goneFlows = new ArrayList<>();
        var fi = flows.values().iterator();
        while (fi.hasNext()) {
            EspFlow f = fi.next();
            if (f.first == null || f.lastNanos() < cutoffNanos) {
                fi.remove();
                goneFlows.add(f);
            }
        }
        for (EspFlow f : goneFlows) {
            if (f.indexed) {
                flowIndex.remove(f.indexHash, f);
            }
        }
        keepalives.values().removeIf(k -> k.last().nanos() < cutoffNanos);
        icmpErrors.removeIf(e -> e.at().nanos() < cutoffNanos);
        if (lastMessage != null && lastMessage.at.nanos() < cutoffNanos) {
            lastMessage = null;
        }
        l2tp.evictIdle(cutoffNanos);
        sizes.forgetIdle(cutoffNanos); // the overhead measurements of encapsulations gone quiet
        evictedSas += goneSas.size();
        evictedFlows += goneFlows.size();
        return new Evicted(goneSas, goneFlows);
    }

    /** IKE SAs and flows forgotten by {@link #evictIdle} so far. */
    public long evictedSas() {
        return evictedSas;
    }

    public long evictedFlows() {
        return evictedFlows;
    }

    // ------------------------------------------------------------------ ICMP

    private void icmp(Packet p, int i, FrameAt at) {
        Layer l = p.layer(i);
        if (!org.vpnsleuth.decode.IcmpInfo.isError(l)) {
            return;
        }
        org.vpnsleuth.decode.IcmpInfo info = org.vpnsleuth.decode.IcmpInfo.of(l);
        long type = info.type();
        if (icmpErrors.size() >= limits.maxFlows()) {
            untrackedIcmp++;
            return;
        }
        String from = null;
        for (int k = i - 1; k >= 0; k--) {
            Layer x = p.layer(k);
            if (x.proto == Proto.IPV4 || x.proto == Proto.IPV6) {
                from = x.ipAddress(true);
                break;
            }
        }
        String qs = null;
        String qd = null;
        int proto = -1;
        int port = 0;
        for (int k = i + 1; k < p.count(); k++) {
            Layer x = p.layer(k);
            if (!x.quoted) {
                break;
            }
            if ((x.proto == Proto.IPV4 || x.proto == Proto.IPV6) && qs == null) {
                qs = x.ipAddress(true);
                qd = x.ipAddress(false);
                if (x.proto == Proto.IPV4 ? x.headerLength >= 20 : x.headerLength >= 40) {
                    proto = x.u8(x.proto == Proto.IPV4 ? 9 : 6);
                }
            } else if ((x.proto == Proto.UDP || x.proto == Proto.TCP) && x.headerLength >= 4) {
                port = x.u16(2);
            }
        }
        String what = info.typeName();
        String code = info.codeName();
        String text = (what != null ? what : "type " + type) + (code != null ? ": " + code : "");
        IcmpError e = new IcmpError(at.ref(), from, text, qs, qd, proto, port, (int) info.mtu());
        icmpErrors.add(e);
        listener.icmpError(e);
    }

    // ------------------------------------------------------------------ NAT-T keepalives

    /** NAT-T keepalives (RFC 3948 §2.3) per sender → receiver: count, first and last time. */
    public record Keepalives(String src, String dst, long count, FrameRef first, FrameRef last) {
    }

    private final Map<String, Keepalives> keepalives = new LinkedHashMap<>();

    private void keepalive(Layer ip, FrameRef at) {
        if (ip == null) {
            return;
        }
        String src = ip.ipAddress(true);
        String dst = ip.ipAddress(false);
        if (keepalives.size() >= limits.maxFlows() && !keepalives.containsKey(src + "|" + dst)) {
            untrackedKeepalives++;
            return;
        }
        keepalives.merge(src + "|" + dst, new Keepalives(src, dst, 1, at, at),
                (a, b) -> new Keepalives(a.src(), a.dst(), a.count() + 1, a.first(), b.last()));
    }

    public Collection<Keepalives> keepalives() {
        return keepalives.values();
    }

    // ------------------------------------------------------------------ ESP / AH

    /** A flow's key in {@link #flows}: file, protocol (ESP or AH), addresses, SPI. */
    private static String flowKey(int file, String protocol, String src, String dst, long spi) {
        return file + "|" + protocol + "|" + src + "|" + dst + "|" + spi;
    }

    private void flow(Layer l, Layer ip, Layer transport, FrameAt at) {
        if (ip == null || l.headerLength < 8) {
            return;
        }
        boolean esp = l.proto == Proto.ESP;
        long spi = esp ? l.u32(0) : l.u32(4);
        long seq = esp ? l.u32(4) : l.headerLength >= 12 ? l.u32(8) : -1;
        // this runs for every ESP/AH packet: the flow is found from the header bytes, without address text
        int alen = ip.proto == Proto.IPV4 && ip.headerLength >= 20 ? 4 : ip.proto == Proto.IPV6 && ip.headerLength >= 40 ? 16 : 0;
        int so = ip.offset + (alen == 4 ? 12 : 8);
        int dOff = ip.offset + (alen == 4 ? 16 : 24);
        EspFlow f = alen == 0 ? null : flowIndex.get(at.file(), esp ? 1 : 2, spi, ip.buf, so, dOff, alen);
        boolean opened = false;
        if (f == null) { // a new flow (or one whose addresses the header does not hold whole): named by text once
            long hash = alen == 0 ? 0 : AddrIndex.hash(at.file(), esp ? 1 : 2, spi, ip.buf, so, dOff, alen);
            if (goneFlows > 0 && alen > 0) {
                // a packet of a flow written out with its SA: the SA is read back with the flow, which goes on
                IkeSa d = goneFlowOwner(hash);
                if (d != null) {
                    revive(d);
                }
            }
            String src = ip.ipAddress(true);
            String dst = ip.ipAddress(false);
            String key = flowKey(at.file(), esp ? "ESP" : "AH", src, dst, spi);
            f = flows.get(key);
            if (f != null && alen > 0) {
                flowIndex.put(at.file(), esp ? 1 : 2, spi, ip.buf, so, dOff, alen, f); // a flow read back with its SA
            }
            if (f == null) {
                if (flows.size() >= limits.maxFlows()) {
                    if (firstTimeUntracked(key)) {
                        untrackedFlows++;
                    }
                    untrackedFlowPackets++;
                    return;
                }
                boolean udp = transport != null && transport.proto == Proto.UDP;
                int sp = udp && transport.headerLength >= 8 ? transport.u16(0) : 0;
                int dp = udp && transport.headerLength >= 8 ? transport.u16(2) : 0;
                f = new EspFlow(at.file(), esp ? "ESP" : "AH", src, dst, spi, udp, sp, dp);
                flows.put(key, f);
                own(f, at.nanos());
                if (alen > 0) {
                    flowIndex.put(at.file(), esp ? 1 : 2, spi, ip.buf, so, dOff, alen, f);
                    f.indexHash = hash;
                    f.indexed = true;
                }
                opened = true;
            }
        }
        f.add(at, seq, l.totalLength());
        if (f.owner != null && at.nanos() > f.owner.activeNanos) {
            f.owner.activeNanos = at.nanos();
        }
        if (opened) {
            listener.flowOpened(f);
        }
        if (esp && l.info instanceof org.vpnsleuth.decode.EspDecryptor.Result) {
            f.decrypted++; // the decryption stage verified and opened it
        }
    }

    // ------------------------------------------------------------------ IKE

    private static long fnv(byte[] b, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h ^= b[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private void ike(Layer l, Layer ip, Layer transport, FrameRef at, List<FrameRef> ipFrames) {
        if (l.headerLength < 28 || l.buf == null || l.offset + 28 > l.end || ip == null) {
            return;
        }
        byte[] b = l.buf;
        int o = l.offset;
        int version = (b[o + 17] & 0xff) >>> 4;
        if (version != 1 && version != 2) {
            return;
        }
        long spiI = Bytes.u64(b, o);
        long spiR = Bytes.u64(b, o + 8);
        int next = b[o + 16] & 0xff;
        IkeDecodeState.MessageInfo info = l.info instanceof IkeDecodeState.MessageInfo mi ? mi : null;
        String key = version + ":" + Long.toHexString(spiI);
        IkeSa sa = sas.get(key);
        if (sa == null && dropped(version).containsKey(spiI)) {
            sa = revive(dropped(version).get(spiI));
            if (sa == null) {
                lateIkeFrames++; // its SA was written out after it had been idle for the timeout
                return;
            }
        }
        if (sa == null) {
            if (sas.size() >= limits.maxSas()) {
                if (firstTimeUntracked(key)) {
                    untrackedSas++;
                }
                untrackedSaFrames++;
                return;
            }
            sa = new IkeSa(version, spiI, saSeq++);
            sas.put(key, sa);
        }
        sa.lastSeenNanos = Math.max(sa.lastSeenNanos, at.nanos());
        sa.activeNanos = Math.max(sa.activeNanos, at.nanos());
        if (info != null && info.decryptedWith() != null) {
            // the plaintext of the message tracked just before it (same frame): its facts join that message
            IkeMessage m = lastMessage;
            if (m != null && m.at.equals(at) && m.spiI == spiI) {
                StringBuilder sum = new StringBuilder();
                IkeDissector.V2Message v2 = version == 2 ? IkeDissector.parseV2(l) : null;
                IkeDissector.V1Message v1 = version == 1 ? IkeDissector.parseV1(l) : null;
                if (v2 != null) {
                    IkeDissector.summary(v2, sum);
                } else if (v1 != null) {
                    IkeDissector.summary(v1, sum);
                }
                m.decryptedWith = info.decryptedWith();
                m.decryptedPayloads = interner.of(sum.toString().trim());
                m.keyCheck = info.keyCheck();
                if (v2 != null) {
                    IkeFacts.read(v2, m, interner);
                } else if (v1 != null) {
                    IkeFacts.read(v1, m, interner);
                }
                m.seal();
                listener.ikeDecrypted(sa, m);
            }
            return;
        }
        if (version == 1 && next == PayloadType.V1_FRAG && (info == null || info.reassembled() == null)) {
            sa.fragmentFrames.add(at); // a piece: the whole message is tracked when it is reassembled
            return;
        }
        if (sa.messages.size() >= limits.maxMessagesPerSa()) {
            untrackedMessages++;
            return;
        }
        int sp = transport != null && transport.headerLength >= 4 ? transport.u16(0) : 0;
        int dp = transport != null && transport.headerLength >= 4 ? transport.u16(2) : 0;
        Endpoint src = interner.endpoint(ip.ipAddress(true), sp);
        Endpoint dst = interner.endpoint(ip.ipAddress(false), dp);
        // the payloads parsed once into records (null: the header leaves no usable payload area)
        IkeDissector.V2Message v2 = version == 2 ? IkeDissector.parseV2(l) : null;
        IkeDissector.V1Message v1 = version == 1 ? IkeDissector.parseV1(l) : null;
        StringBuilder sum = new StringBuilder();
        if (v2 != null) {
            IkeDissector.summary(v2, sum);
        } else if (v1 != null) {
            IkeDissector.summary(v1, sum);
        }
        String payloads = interner.of(sum.toString().trim());
        int exchange = b[o + 18] & 0xff;
        String exName = org.vpnsleuth.ike.IkeHeaderCodec.registeredExchange(version, exchange);
        boolean encrypted = v2 != null ? next == PayloadType.V2_SK || next == PayloadType.V2_SKF : v1 != null && v1.encrypted();
        long length = Bytes.u32(b, o + 24);
        int end = (int) Math.min(l.end, (long) o + Math.max(28, length));
        IkeMessage.Header h = new IkeMessage.Header(version, spiI, spiR, exchange,
                exName != null ? exName : interner.of("exchange " + exchange), Bytes.u32(b, o + 20), b[o + 19] & 0xff, length, encrypted);
        IkeMessage m = new IkeMessage(at, src, dst, h, payloads, fnv(b, o, end) ^ ((long) (end - o) << 48));
        if (ipFrames != null) {
            m.ipFragmented = true;
            m.frames = new ArrayList<>(ipFrames);
        }
        if (info != null && info.reassembled() != null) {
            m.ikeFragmented = true;
            List<FrameRef> pieces = new ArrayList<>(info.reassembled().frames().length);
            for (long fr : info.reassembled().frames()) {
                FrameRef r = new FrameRef(at.file(), fr, at.nanos());
                pieces.add(r);
                sa.reassembledFragmentFrames.add(r);
            }
            m.frames = pieces;
        }
        if (m.frames.isEmpty()) {
            m.frames = List.of(at);
        }
        if (v2 != null) {
            IkeFacts.read(v2, m, interner);
        } else if (v1 != null) {
            IkeFacts.read(v1, m, interner);
        }
        if (info != null && info.keyCheck() != null) {
            m.keyCheck = info.keyCheck(); // checked from the cleartext (AM2's HASH_R)
        }
        m.seal();
        place(sa, m, info);
        lastMessage = m;
        if (sa.messages.size() == 1) {
            listener.ikeSaOpened(sa);
        }
        listener.ikeMessage(sa, m);
    }

    /** The frame {@link #add} is tracking (reused). */
    private final FrameAt here = new FrameAt();

    /** The IKE message tracked last (its plaintext, when decrypted, follows it in the same frame). */
    private IkeMessage lastMessage;

    /** Roles, retransmission, exchange and name of a new message of {@code sa}. */
    private void place(IkeSa sa, IkeMessage m, IkeDecodeState.MessageInfo info) {
        if (m.spiR != 0) {
            sa.spiR = m.spiR;
        }
        // roles
        if (m.version == 2) {
            m.fromInitiator = m.initiatorFlag();
            m.response = m.responseFlag();
        } else if (info != null && info.direction() != null) {
            m.fromInitiator = info.direction().equals("I→R");
        }
        if (sa.initiator == null) {
            boolean guessed = m.fromInitiator == null;
            boolean fromI = guessed || m.fromInitiator;
            sa.initiator = fromI ? m.src : m.dst;
            sa.responder = fromI ? m.dst : m.src;
            sa.rolesGuessed = guessed && !(m.version == 1 && m.spiR == 0);
        }
        if (m.fromInitiator == null) {
            m.fromInitiator = sa.isInitiator(m.src.address()) || !sa.initiatorAddresses.contains(m.dst.address())
                    && m.src.address().equals(sa.initiator.address());
        }
        (m.fromInitiator ? sa.initiatorAddresses : sa.responderAddresses).add(m.src.address());
        (m.fromInitiator ? sa.responderAddresses : sa.initiatorAddresses).add(m.dst.address());
        sa.messages.add(m);
        peers.update(sa);
        if (!waitingForOwner.isEmpty() && sa.messages.size() == 1 && sa.initiator != null) {
            List<EspFlow> early = waitingForOwner.remove(PeerIndex.key(sa.initiator.address(), sa.responder.address()));
            if (early != null) {
                for (EspFlow f : early) {
                    own(f, f.first.nanos());
                }
            }
        }
        // a byte-identical copy: a retransmission, or the same message in the other side's capture
        // (where a NAT between the capture points may have changed its addresses)
        Map<Long, IkeMessage> seen = sent.computeIfAbsent(sa, k -> new HashMap<>());
        IkeMessage orig = seen.get(m.hash);
        if (orig != null && orig.at.file() != m.at.file() && Math.abs(m.at.nanos() - orig.at.nanos()) < SAME_MESSAGE_NANOS
                && orig.alsoSeen.stream().noneMatch(r -> r.file() == m.at.file())) {
            orig.alsoSeen = IkeMessage.plus(orig.alsoSeen, m.at);
            translation(sa, orig.src, m.src);
            translation(sa, orig.dst, m.dst);
            m.retransmissionOf = orig;
            m.name = orig.name;
            m.response = orig.response;
            return;
        }
        if (orig != null && orig.src.address().equals(m.src.address())) {
            orig.retransmissions = IkeMessage.plus(orig.retransmissions, m);
            m.retransmissionOf = orig;
            m.name = orig.name;
            m.response = orig.response;
            return;
        }
        seen.put(m.hash, m);
        exchange(sa, m);
    }

    private static void translation(IkeSa sa, Endpoint a, Endpoint b) {
        if (!a.equals(b) && !sa.translations.contains(b + " ⇄ " + a)) {
            sa.translations.add(a + " ⇄ " + b);
        }
    }

    private static IkeExchange find(IkeSa sa, String kind, long mid, Boolean byInitiator) {
        for (int i = sa.exchanges.size() - 1; i >= 0; i--) {
            IkeExchange e = sa.exchanges.get(i);
            if (e.kind.equals(kind) && e.messageId == mid && (byInitiator == null || byInitiator.equals(e.byInitiator))) {
                return e;
            }
        }
        return null;
    }

    private static IkeExchange open(IkeSa sa, String kind, int type, long mid, Boolean byInitiator, int attempt) {
        IkeExchange e = new IkeExchange(kind, type, mid, byInitiator, attempt);
        sa.exchanges.add(e);
        return e;
    }

    private static int count(IkeExchange e, boolean fromInitiator) {
        int n = 0;
        for (IkeMessage x : e.messages) {
            if (x.fromInitiator == fromInitiator) {
                n++;
            }
        }
        return n;
    }

    private void exchange(IkeSa sa, IkeMessage m) {
        if (m.version == 2) {
            boolean byInit = m.response ? !m.initiatorFlag() : m.initiatorFlag();
            IkeExchange e = find(sa, m.exchangeName, m.messageId, byInit);
            if (e == null || !m.response && e.response() != null && m.fragmentNumber <= 1) {
                // a new request, or the same message ID asked again after an answer (a restart)
                e = open(sa, m.exchangeName, m.exchange, m.messageId, byInit, e == null ? 1 : e.attempt + 1);
            }
            e.messages.add(m);
            m.name = interner.of(m.exchangeName + (m.response ? " response" : " request")
                    + (m.fragmentTotal > 0 ? " fragment " + m.fragmentNumber + "/" + m.fragmentTotal : ""));
            return;
        }
        switch (m.exchange) {
            case 2, 4 -> { // Main Mode, Aggressive Mode: positions MM1..MM6, AM1..AM3
                String kind = m.exchange == 2 ? "Main Mode" : "Aggressive Mode";
                IkeExchange e = m.messageId == 0 ? find(sa, kind, 0, null) : null;
                if (e == null) {
                    e = open(sa, kind, m.exchange, m.messageId, Boolean.TRUE, 1);
                }
                int k = count(e, m.fromInitiator) + 1;
                int pos = m.fromInitiator ? 2 * k - 1 : 2 * k;
                m.response = !m.fromInitiator;
                m.name = interner.of((m.exchange == 2 ? "MM" : "AM") + pos);
                e.messages.add(m);
            }
            case 32 -> { // Quick Mode: QM1 and QM3 from the phase-2 initiator, QM2 from the other
                IkeExchange e = find(sa, "Quick Mode", m.messageId, null);
                if (e == null) {
                    e = open(sa, "Quick Mode", 32, m.messageId, m.fromInitiator, 1);
                }
                boolean fromP2Initiator = m.fromInitiator.equals(e.byInitiator);
                int k = count(e, m.fromInitiator) + 1;
                m.response = !fromP2Initiator;
                m.name = interner.of("QM" + (fromP2Initiator ? 2 * k - 1 : 2 * k));
                e.messages.add(m);
            }
            case 6 -> { // Transaction (ModeCfg / XAUTH): a request and its reply per message ID
                IkeExchange e = find(sa, "Transaction", m.messageId, null);
                if (e == null) {
                    e = open(sa, "Transaction", 6, m.messageId, m.fromInitiator, 1);
                }
                m.response = !m.fromInitiator.equals(e.byInitiator);
                m.name = "Transaction " + (m.response ? "reply" : "request");
                e.messages.add(m);
            }
            default -> { // Informational (not acknowledged in IKEv1) and anything else: one per message ID
                String kind = m.exchange == 5 ? "Informational" : m.exchangeName;
                IkeExchange e = find(sa, kind, m.messageId, null);
                if (e == null) {
                    e = open(sa, kind, m.exchange, m.messageId, m.fromInitiator, 1);
                }
                m.response = !m.fromInitiator.equals(e.byInitiator);
                m.name = kind;
                e.messages.add(m);
            }
        }
    }
}
