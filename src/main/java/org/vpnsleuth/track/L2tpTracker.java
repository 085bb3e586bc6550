package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.decode.L2tpAvp;
import org.vpnsleuth.decode.L2tpPacket;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * The tunnel tracker: L2TP, PPTP, GRE and PPP. This class keeps the L2TP control connections and
 * their sessions (keyed by the receiver's address and the ID it assigned, as RFC 2661 §3.1 and
 * RFC 3931 §3.2.1 route messages) and hands the other protocols of each frame to their trackers:
 * {@link PptpTracker} (control connections over TCP 1723 and their calls), {@link GreTracker} (GRE
 * flows by key) and {@link PppTracker} (the PPP sessions that L2TP data messages, PPTP's enhanced
 * GRE, PPPoE sessions and PPP links carry). Everything is read from the typed packets of decode/
 * ({@link L2tpPacket} and its AVPs here), parsed once from the layer's bytes; the state of each
 * capture file is kept apart (IDs are only unique per peer and per time). Bounded like the IKE
 * tracker.
 */
public final class L2tpTracker {
    public static final int MAX_TUNNELS = 100_000;
    public static final int MAX_MESSAGES_PER_TUNNEL = 10_000;
    public static final int MAX_SESSIONS_PER_TUNNEL = 10_000;
    public static final int MAX_PPTP = 100_000;
    public static final int MAX_CALLS_PER_CONTROL = 10_000;
    public static final int MAX_GRE = 100_000;
    public static final int MAX_PPP = 100_000;
    /** A message with the same Ns, type and sender this soon after the first is a retransmission (Ns wraps). */
    static final long RETRANSMIT_NANOS = 120_000_000_000L;

    private static final int SCCRQ = L2tpPacket.SCCRQ;
    private static final int SCCRP = L2tpPacket.SCCRP;
    private static final int HELLO = L2tpPacket.HELLO;
    private static final int OCRQ = L2tpPacket.OCRQ;
    private static final int OCRP = L2tpPacket.OCRP;
    private static final int OCCN = L2tpPacket.OCCN;
    private static final int ICRQ = L2tpPacket.ICRQ;
    private static final int ICRP = L2tpPacket.ICRP;
    private static final int ICCN = L2tpPacket.ICCN;
    private static final int CDN = L2tpPacket.CDN;
    private static final int WEN = L2tpPacket.WEN;
    private static final int SLI = L2tpPacket.SLI;

    private final List<L2tpTunnel> tunnels = new ArrayList<>();
    /** "file|version|address|id" → the tunnel whose end at that address assigned that ID. */
    private final Map<String, L2tpTunnel> tunnelIds = new HashMap<>();
    /** "file|version|address|tunnel-id|session-id" (v3: tunnel-id 0) → session. */
    private final Map<String, L2tpSession> sessionIds = new HashMap<>();
    /** Per tunnel: "fromInitiator|ns|type" → the first message sent with it. */
    private final Map<L2tpTunnel, Map<String, L2tpMessage>> byNs = new HashMap<>();
    private final PppTracker ppp = new PppTracker();
    private final PptpTracker pptp = new PptpTracker();
    private final GreTracker gre = new GreTracker(pptp, ppp);
    private long untracked;

    public List<L2tpTunnel> tunnels() {
        return tunnels;
    }

    public Collection<PptpControl> pptp() {
        return pptp.controls();
    }

    public Collection<GreTunnel> greTunnels() {
        return gre.flows();
    }

    /** PPP sessions carried by PPPoE, on PPP links, or in GRE without a known PPTP call. */
    public Collection<PppSession> pppSessions() {
        return ppp.standalone();
    }

    /** Tunnels, sessions, calls, flows or PPP sessions not tracked because a bound was reached. */
    public long untracked() {
        return untracked + pptp.untracked() + gre.untracked() + ppp.untracked();
    }

    /**
     * Forgets the tunnels, PPTP connections, GRE flows and PPP sessions whose last frame is older
     * than {@code cutoffNanos} (live capture; L2TP hellos and PPTP echoes keep a quiet tunnel alive).
     */
    public void evictIdle(long cutoffNanos) {
        java.util.Set<L2tpTunnel> goneTunnels = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (L2tpTunnel t : tunnels) {
            long last = 0;
            for (L2tpMessage m : t.messages) {
                last = Math.max(last, m.lastSentNanos());
            }
            if (last < cutoffNanos) {
                goneTunnels.add(t);
            }
        }
        if (!goneTunnels.isEmpty()) {
            tunnels.removeAll(goneTunnels);
            tunnelIds.values().removeIf(goneTunnels::contains);
            byNs.keySet().removeIf(goneTunnels::contains);
            java.util.Set<L2tpSession> goneSessions = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (L2tpTunnel t : goneTunnels) {
                goneSessions.addAll(t.sessions);
            }
            sessionIds.values().removeIf(goneSessions::contains);
        }
        pptp.evictIdle(cutoffNanos);
        gre.evictIdle(cutoffNanos);
        ppp.evictIdle(cutoffNanos);
    }

    /** Takes the L2TP/PPTP/GRE/PPP layers of frame {@code p}. */
    void add(Packet p, FrameAt here) {
        Layer eth = null;
        Layer ip = null;
        Layer transport = null;
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.quoted) {
                continue;
            }
            switch (l.proto) {
                case ETHERNET -> eth = l;
                case IPV4, IPV6 -> {
                    ip = l;
                    transport = null;
                }
                case UDP -> transport = l;
                case TCP -> {
                    transport = l;
                    if (ip != null && PptpTracker.isPptpTcp(l)) {
                        pptp.tcp(l, ip, here.ref());
                    }
                }
                case L2TP, L2TPV3 -> i = l2tp(p, i, ip, here.ref());
                case PPTP -> pptp.pptp(l, ip, transport, here.ref());
                case GRE -> i = gre.gre(p, i, ip, here.ref());
                case PPPOE -> i = ppp.pppoe(p, i, eth, here.ref());
                case PPPOED -> ppp.pppoed(l, eth, here.ref());
                case PPP -> i = ppp.pppLink(p, i, here.ref());
                default -> {
                }
            }
        }
    }

    static Endpoint endpoint(Layer ip, Layer transport, boolean src) {
        String a = ip.ipAddress(src);
        int port = transport != null && transport.headerLength >= 4 ? transport.u16(src ? 0 : 2) : 0;
        return new Endpoint(a == null ? "?" : a, port);
    }

    // ------------------------------------------------------------------ L2TP

    /** Handles the L2TP layer at {@code i}; returns the index of the last layer it consumed. */
    private int l2tp(Packet p, int i, Layer ipl, FrameRef at) {
        Layer l = p.layer(i);
        if (ipl == null) {
            return i;
        }
        L2tpPacket pk = L2tpPacket.of(l);
        Layer transport = i > 0 && p.layer(i - 1).proto == Proto.UDP ? p.layer(i - 1) : null;
        Endpoint src = endpoint(ipl, transport, true);
        Endpoint dst = endpoint(ipl, transport, false);
        if (!pk.control()) {
            return data(p, i, pk, src, dst, at);
        }
        L2tpMessage m = message(pk, l, src, dst, at);
        if (m != null) {
            control(m, at.file());
        }
        return i;
    }

    /**
     * The control message of {@code pk} as the tunnel records it; null when there is nothing to
     * follow (a malformed message without a Message Type, a header without its tunnel ID).
     */
    static L2tpMessage message(L2tpPacket pk, Layer l, Endpoint src, Endpoint dst, FrameRef at) {
        if (l.malformed != null && !pk.hasMessageType()) {
            return null;
        }
        long tunnelId = pk.tunnelId();
        if (tunnelId < 0) {
            return null;
        }
        int version = pk.version();
        int type = pk.messageType();
        String name = type < 0 ? "no Message Type" : pk.messageTypeName() != null ? pk.messageTypeName() : "type " + type;
        // v3 has no session ID in the control header: the Remote Session ID AVP names the receiver's
        long sessionId = 0;
        if (version == 3) {
            for (L2tpAvp a : pk.avps()) {
                if (a.vendorId() == 0 && a.type() == L2tpAvp.REMOTE_SESSION_ID) {
                    sessionId = a.id();
                }
            }
            sessionId = Math.max(0, sessionId);
        } else {
            sessionId = Math.max(0, pk.sessionId());
        }
        L2tpMessage m = new L2tpMessage(at, src, dst, version, tunnelId, sessionId, pk.ns(), pk.nr(), type, name);
        for (L2tpAvp a : pk.avps()) {
            if (a.hidden()) {
                m.hiddenAvps = true;
            }
            if (a.vendorId() != 0) {
                continue;
            }
            // a hidden AVP, or one too short for its value, reads as absent (-1 / null), as it always did
            switch (a.type()) {
                case L2tpAvp.RESULT_CODE -> {
                    L2tpAvp.Result r = a.value() instanceof L2tpAvp.Result x ? x : null;
                    m.resultCode = r == null ? -1 : r.resultCode();
                    m.resultName = r == null ? null : r.resultName();
                    m.errorCode = r == null ? -1 : r.errorCode();
                    m.errorName = r == null ? null : r.errorName();
                    m.errorMessage = r == null ? null : r.errorMessage();
                }
                case L2tpAvp.HOST_NAME -> m.hostName = a.text();
                case L2tpAvp.VENDOR_NAME -> m.vendorName = a.text();
                case L2tpAvp.ASSIGNED_TUNNEL_ID, L2tpAvp.ASSIGNED_CONTROL_CONNECTION_ID -> m.assignedTunnelId = a.id();
                case L2tpAvp.CHALLENGE -> m.challenge = true;
                case L2tpAvp.CHALLENGE_RESPONSE -> m.challengeResponse = true;
                case L2tpAvp.Q931_CAUSE_CODE -> m.q931Cause = a.value() instanceof L2tpAvp.Cause c ? c.causeCode() : -1;
                case L2tpAvp.ASSIGNED_SESSION_ID, L2tpAvp.LOCAL_SESSION_ID -> m.assignedSessionId = a.id();
                case L2tpAvp.CALL_SERIAL_NUMBER -> m.callSerial = a.id();
                default -> {
                }
            }
        }
        return m;
    }

    private static String tkey(int file, int version, String address, long id) {
        return file + "|" + version + "|" + address + "|" + id;
    }

    private String skey(int file, L2tpTunnel t, String address, long id) {
        // v2 session IDs are unique per tunnel end, v3 session IDs per LCCE (RFC 3931 §4.1)
        return file + "|" + t.version + "|" + address + "|" + (t.version == 3 ? 0 : t.index) + "|" + id;
    }

    private L2tpTunnel newTunnel(int version) {
        if (tunnels.size() >= MAX_TUNNELS) {
            untracked++;
            return null;
        }
        L2tpTunnel t = new L2tpTunnel(version);
        t.index = tunnels.size() + 1;
        tunnels.add(t);
        return t;
    }

    private void control(L2tpMessage m, int file) {
        String src = m.src.address();
        String dst = m.dst.address();
        L2tpTunnel t = m.tunnelId != 0 ? tunnelIds.get(tkey(file, m.version, dst, m.tunnelId)) : null;
        if (t == null && m.type == SCCRQ && m.assignedTunnelId >= 0) {
            L2tpTunnel old = tunnelIds.get(tkey(file, m.version, src, m.assignedTunnelId));
            if (old != null && old.responderTunnelId < 0 && old.isInitiator(src) && old.first("StopCCN", null) == null) {
                t = old; // a retransmitted SCCRQ
            }
        }
        if (t == null && m.type == SCCRQ) {
            t = newTunnel(m.version);
            if (t == null) {
                return;
            }
            t.initiator = m.src;
            t.responder = m.dst;
            t.initiatorTunnelId = m.assignedTunnelId;
            if (m.assignedTunnelId >= 0) {
                tunnelIds.put(tkey(file, m.version, src, m.assignedTunnelId), t);
            }
        }
        if (t == null) {
            if (m.tunnelId == 0) {
                return; // nothing to attach it to
            }
            t = lateTunnel(m.version, file, m.src, m.dst, m.tunnelId);
            if (t == null) {
                return;
            }
        }
        m.fromInitiator = t.isInitiator(src);
        if (t.messages.size() >= MAX_MESSAGES_PER_TUNNEL) {
            return;
        }
        // the sender's own ID (SCCRP; also a StopCCN that refuses an SCCRQ carries the refuser's ID)
        if (m.assignedTunnelId > 0 && (m.fromInitiator ? t.initiatorTunnelId < 0 : t.responderTunnelId < 0)) {
            if (m.fromInitiator) {
                t.initiatorTunnelId = m.assignedTunnelId;
            } else {
                t.responderTunnelId = m.assignedTunnelId;
            }
            tunnelIds.put(tkey(file, m.version, src, m.assignedTunnelId), t);
        }
        if (m.type == SCCRQ || m.type == SCCRP) {
            if (m.fromInitiator) {
                t.initiatorHost = m.hostName != null ? m.hostName : t.initiatorHost;
                t.initiatorVendor = m.vendorName != null ? m.vendorName : t.initiatorVendor;
            } else {
                t.responderHost = m.hostName != null ? m.hostName : t.responderHost;
                t.responderVendor = m.vendorName != null ? m.vendorName : t.responderVendor;
            }
        }
        // retransmission: the same Ns and type from the same side, again
        if (!m.zlb() && m.ns >= 0) {
            Map<String, L2tpMessage> seen = byNs.computeIfAbsent(t, k -> new HashMap<>());
            String k = m.fromInitiator + "|" + m.ns + "|" + m.type;
            L2tpMessage orig = seen.get(k);
            if (orig != null && m.at.nanos() - orig.at.nanos() < RETRANSMIT_NANOS) {
                m.retransmissionOf = orig;
                orig.retransmissions.add(m);
                m.session = orig.session;
                if (m.session != null) {
                    m.session.messages.add(m);
                }
                t.messages.add(m);
                return;
            }
            seen.put(k, m);
        }
        t.messages.add(m);
        if (m.type == HELLO) {
            t.hellos++;
        }
        session(t, m, file);
    }

    /** A tunnel first seen after its set-up: attach to one of the pair that lacks this end's ID, or make one. */
    private L2tpTunnel lateTunnel(int version, int file, Endpoint src, Endpoint dst, long idAtDst) {
        for (int k = tunnels.size() - 1; k >= 0 && k >= tunnels.size() - 64; k--) {
            L2tpTunnel t = tunnels.get(k);
            if (t.version != version || !t.rolesGuessed) {
                continue;
            }
            if (t.initiator.address().equals(dst.address()) && t.responder.address().equals(src.address())
                    && t.initiatorTunnelId < 0) {
                t.initiatorTunnelId = idAtDst;
                tunnelIds.put(tkey(file, version, dst.address(), idAtDst), t);
                return t;
            }
        }
        L2tpTunnel t = newTunnel(version);
        if (t == null) {
            return null;
        }
        t.rolesGuessed = true;
        t.initiator = src;
        t.responder = dst;
        t.responderTunnelId = idAtDst;
        tunnelIds.put(tkey(file, version, dst.address(), idAtDst), t);
        return t;
    }

    private void session(L2tpTunnel t, L2tpMessage m, int file) {
        String src = m.src.address();
        String dst = m.dst.address();
        L2tpSession s = null;
        switch (m.type) {
            case ICRQ, OCRQ -> {
                if (t.sessions.size() >= MAX_SESSIONS_PER_TUNNEL) {
                    untracked++;
                    return;
                }
                s = new L2tpSession(t, m.fromInitiator);
                s.callerSessionId = m.assignedSessionId;
                s.serial = m.callSerial;
                t.sessions.add(s);
                if (m.assignedSessionId >= 0) {
                    sessionIds.put(skey(file, t, src, m.assignedSessionId), s);
                }
            }
            case ICRP, OCRP, ICCN, OCCN, CDN, WEN, SLI -> {
                if (m.sessionId != 0) {
                    s = sessionIds.get(skey(file, t, dst, m.sessionId));
                }
                if (s == null && m.type == CDN && m.assignedSessionId >= 0) {
                    s = sessionIds.get(skey(file, t, src, m.assignedSessionId)); // a CDN sent before the peer's ID was known
                }
                if (s == null) {
                    if (m.sessionId == 0 || t.sessions.size() >= MAX_SESSIONS_PER_TUNNEL) {
                        return;
                    }
                    // the capture starts after this session's request
                    boolean callerSends = m.type == ICCN || m.type == OCCN || m.type == SLI;
                    s = new L2tpSession(t, callerSends == m.fromInitiator);
                    s.startedLate = true;
                    t.sessions.add(s);
                    if (callerSends) {
                        s.answererSessionId = m.sessionId;
                    } else {
                        s.callerSessionId = m.sessionId;
                    }
                    sessionIds.put(skey(file, t, dst, m.sessionId), s);
                }
                if ((m.type == ICRP || m.type == OCRP) && m.assignedSessionId >= 0 && !s.fromCaller(m)) {
                    s.answererSessionId = m.assignedSessionId;
                    sessionIds.put(skey(file, t, src, m.assignedSessionId), s);
                }
                if (m.type == CDN && m.assignedSessionId >= 0) {
                    if (s.fromCaller(m) && s.callerSessionId < 0) {
                        s.callerSessionId = m.assignedSessionId;
                        sessionIds.put(skey(file, t, src, m.assignedSessionId), s);
                    } else if (!s.fromCaller(m) && s.answererSessionId < 0) {
                        s.answererSessionId = m.assignedSessionId;
                        sessionIds.put(skey(file, t, src, m.assignedSessionId), s);
                    }
                }
            }
            default -> {
                return;
            }
        }
        m.session = s;
        s.messages.add(m);
    }

    /** An L2TP data message: to its session, and the PPP it carries. */
    private int data(Packet p, int i, L2tpPacket pk, Endpoint src, Endpoint dst, FrameRef at) {
        int file = at.file();
        boolean v3 = pk.version() == 3;
        long sid = pk.sessionId();
        if (sid < 0) {
            return i;
        }
        L2tpTunnel t;
        L2tpSession s;
        if (v3) {
            s = sessionIds.get(file + "|3|" + dst.address() + "|0|" + sid);
            if (s == null) {
                return i; // v3 data of a session whose control connection was not captured: nothing to attach
            }
            t = s.tunnel;
        } else {
            long tid = pk.tunnelId();
            if (tid <= 0) {
                return i;
            }
            t = tunnelIds.get(tkey(file, pk.version(), dst.address(), tid));
            if (t == null) {
                t = lateTunnel(pk.version(), file, src, dst, tid);
                if (t == null) {
                    return i;
                }
            }
            s = sessionIds.get(skey(file, t, dst.address(), sid));
            if (s == null) {
                s = lateSession(t, file, src, dst, sid);
                if (s == null) {
                    t.orphanData++;
                    return i;
                }
            }
        }
        Layer l = p.layer(i);
        s.dataPackets++;
        s.dataBytes += l.totalLength();
        if (v3) {
            return i; // the pseudowire's payload is not decoded (docs/fields-ppp-l2tp-gre-pptp.md)
        }
        if (s.ppp == null) {
            boolean callerIsInitiator = s.byInitiator;
            Endpoint caller = callerIsInitiator ? t.initiator : t.responder;
            Endpoint answerer = callerIsInitiator ? t.responder : t.initiator;
            String[] roles = roles(s);
            s.ppp = ppp.newSession("L2TP", roles[0] + caller.address(), roles[1] + answerer.address());
            if (s.ppp == null) {
                return i;
            }
            s.ppp.sidesGuessed = s.startedLate || t.rolesGuessed;
        }
        boolean fromCaller = t.isInitiator(src.address()) == s.byInitiator;
        return ppp.ppp(s.ppp, p, i + 1, fromCaller, at);
    }

    /** "LAC ", "LNS " for a call whose kind the messages show (ICRQ: the caller is the LAC), else "". */
    private static String[] roles(L2tpSession s) {
        for (L2tpMessage m : s.messages) {
            if (m.type == ICRQ || m.type == ICRP || m.type == ICCN) {
                return new String[] {"LAC ", "LNS "};
            }
            if (m.type == OCRQ || m.type == OCRP || m.type == OCCN) {
                return new String[] {"LNS ", "LAC "};
            }
        }
        return new String[] {"", ""};
    }

    /** A session first seen in data: attach to a late session of the tunnel that lacks this end's ID, or make one. */
    private L2tpSession lateSession(L2tpTunnel t, int file, Endpoint src, Endpoint dst, long sidAtDst) {
        boolean dstIsInitiator = t.isInitiator(dst.address());
        for (L2tpSession s : t.sessions) {
            if (!s.startedLate) {
                continue;
            }
            boolean dstIsCaller = dstIsInitiator == s.byInitiator;
            if (dstIsCaller && s.callerSessionId < 0) {
                s.callerSessionId = sidAtDst;
            } else if (!dstIsCaller && s.answererSessionId < 0) {
                s.answererSessionId = sidAtDst;
            } else {
                continue;
            }
            sessionIds.put(skey(file, t, dst.address(), sidAtDst), s);
            return s;
        }
        if (t.sessions.size() >= MAX_SESSIONS_PER_TUNNEL) {
            return null;
        }
        // the sender of the first data packet is taken as the caller (the LAC of an incoming call, usually)
        L2tpSession s = new L2tpSession(t, t.isInitiator(src.address()));
        s.startedLate = true;
        s.answererSessionId = sidAtDst;
        t.sessions.add(s);
        sessionIds.put(skey(file, t, dst.address(), sidAtDst), s);
        return s;
    }
}
