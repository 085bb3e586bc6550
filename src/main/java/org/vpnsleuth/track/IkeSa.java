package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One IKE SA's story: every message with its initiator SPI/cookie, across IKEv2 restarts that keep
 * the initiator SPI (INVALID_KE_PAYLOAD, COOKIE) and across the NAT-T float from 500 to 4500.
 */
public final class IkeSa implements java.io.Serializable {
    public final int version;
    public final long spiI;
    /** The responder SPI/cookie of the established SA (the last non-zero one seen). */
    public long spiR;
    /** The original initiator and responder, as first seen (null while unknown). */
    public Endpoint initiator;
    public Endpoint responder;
    /** Every address each side was seen with (NAT and captures on both sides of a NAT show several). */
    public java.util.Set<String> initiatorAddresses = new java.util.LinkedHashSet<>();
    public java.util.Set<String> responderAddresses = new java.util.LinkedHashSet<>();
    /** Address translations seen between captures of the same message ("198.51.100.2:500 → 192.0.2.1:389"). */
    public java.util.Set<String> translations = new java.util.LinkedHashSet<>();
    /** The roles were inferred from a message in the middle of the story (the capture missed the start). */
    public boolean rolesGuessed;
    public List<IkeMessage> messages = new ArrayList<>();
    public List<IkeExchange> exchanges = new ArrayList<>();
    /** Frames of IKEv1 fragments (payload 132) of this SA, and of those that became whole messages. */
    public List<FrameRef> fragmentFrames = new ArrayList<>();
    public List<FrameRef> reassembledFragmentFrames = new ArrayList<>();
    /** IP datagrams between the peers that never reassembled (their fragments' frames). */
    public List<List<FrameRef>> lostIpDatagrams = new ArrayList<>();
    /** Child SAs: ESP/AH flows between the peers, seen after the SA's first message. */
    public List<EspFlow> flows = new ArrayList<>();
    /** ICMP errors about datagrams between the peers (e.g. port unreachable for UDP 500). */
    public List<IcmpError> icmpErrors = new ArrayList<>();

    /** Capture time of the last frame of this SA (fragments included), for idle eviction. */
    public long lastSeenNanos;
    /** The order the tracker created it in (ties in time are broken by it). */
    public final long seq;
    /**
     * Written out and dropped while the capture was read ({@link Tracker#evictOver}): only the
     * identity, peers and times stay (the look-ups by peer pair still find it); its messages,
     * exchanges and flows are gone from memory.
     */
    transient boolean evicted;
    private transient long evictedFirstNanos;
    private transient long evictedLastNanos;
    /** The latest capture time of a message or of a packet of a flow it owns (idle eviction). */
    transient long activeNanos;
    /** Flows whose owner this SA is, seen so far (linked when the SA is evicted or at the end). */
    transient List<EspFlow> ownedFlows;

    /** Marks it written out: its times are kept, the tracker no longer touches its story ({@link #forgetStory} drops it). */
    void evict() {
        evictedFirstNanos = firstNanos();
        evictedLastNanos = lastNanos();
        evicted = true;
    }

    /**
     * Drops the story of an SA the tracker dropped, once it was diagnosed and written out (on the
     * thread that wrote it: the tracker reads only the identity, peers and times of a dropped SA).
     */
    public void forgetStory() {
        // empty and unmodifiable: nothing adds to an SA once written out (what comes later reads it back whole)
        messages = List.of();
        exchanges = List.of();
        fragmentFrames = List.of();
        reassembledFragmentFrames = List.of();
        lostIpDatagrams = List.of();
        flows = List.of();
        icmpErrors = List.of();
        flowSet = java.util.Set.of();
        icmpSet = java.util.Set.of();
        translations = java.util.Set.of();
        initiatorAddresses = shared(initiatorAddresses); // look-ups only from now on (PeerIndex, rules on facts)
        responderAddresses = shared(responderAddresses);
        ownedFlows = null;
    }

    /**
     * One unmodifiable copy of each set of addresses of SAs written out: a gateway's SAs share a few
     * peers, so a million SAs share a few sets instead of two each. Bounded: past {@link #SHARED_MAX}
     * sets, a set gets its own copy.
     */
    private static final java.util.concurrent.ConcurrentHashMap<java.util.Set<String>, java.util.Set<String>> SHARED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SHARED_MAX = 4_096;

    private static java.util.Set<String> shared(java.util.Set<String> s) {
        java.util.Set<String> c = java.util.Set.copyOf(s);
        java.util.Set<String> x = SHARED.get(c);
        if (x != null) {
            return x;
        }
        if (SHARED.size() >= SHARED_MAX) {
            return c;
        }
        x = SHARED.putIfAbsent(c, c);
        return x == null ? c : x;
    }

    /** True once the SA was written out and dropped while the capture was read. */
    public boolean evicted() {
        return evicted;
    }

    /** {@link #flows} as a set, so that linking a flow twice is a look-up. */
    java.util.Set<EspFlow> flowSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>(2));
    java.util.Set<IcmpError> icmpSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>(2));

    IkeSa(int version, long spiI, long seq) {
        this.version = version;
        this.spiI = spiI;
        this.seq = seq;
    }

    public long firstNanos() {
        if (evicted) {
            return evictedFirstNanos;
        }
        return messages.isEmpty() ? 0 : messages.get(0).at.nanos();
    }

    public long lastNanos() {
        if (evicted) {
            return evictedLastNanos;
        }
        long t = 0;
        for (IkeMessage m : messages) {
            t = Math.max(t, m.lastSentNanos());
        }
        return t;
    }

    /** The exchanges of this kind ("Main Mode", "IKE_SA_INIT", ...), in order. */
    public List<IkeExchange> exchanges(String kind) {
        List<IkeExchange> l = new ArrayList<>();
        for (IkeExchange e : exchanges) {
            if (e.kind.equals(kind)) {
                l.add(e);
            }
        }
        return l;
    }

    /** True when a and b are this SA's two peers (in either order), by address. */
    public boolean between(String a, String b) {
        return initiatorAddresses.contains(a) && responderAddresses.contains(b)
                || initiatorAddresses.contains(b) && responderAddresses.contains(a);
    }

    /** True when {@code a} is an address the initiator was seen with. */
    public boolean isInitiator(String a) {
        return initiatorAddresses.contains(a);
    }
}
