package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.decode.FieldTree;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * The L2TP, PPTP, GRE and PPP part of the tracker: L2TP control connections and their sessions
 * (keyed by the receiver's address and the ID it assigned, as RFC 2661 §3.1 and RFC 3931 §3.2.1
 * route messages), PPTP control connections over TCP 1723 and their calls, GRE flows by key, and
 * the PPP sessions that L2TP data messages, PPTP's enhanced GRE, PPPoE sessions and PPP links
 * carry. Everything is read from the decoded fields ({@link FieldTree}); the state of each capture
 * file is kept apart (IDs are only unique per peer and per time). Bounded like the IKE tracker.
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

    private static final int SCCRQ = 1;
    private static final int SCCRP = 2;
    private static final int HELLO = 6;
    private static final int OCRQ = 7;
    private static final int OCRP = 8;
    private static final int OCCN = 9;
    private static final int ICRQ = 10;
    private static final int ICRP = 11;
    private static final int ICCN = 12;
    private static final int CDN = 14;
    private static final int WEN = 15;
    private static final int SLI = 16;

    private final List<L2tpTunnel> tunnels = new ArrayList<>();
    /** "file|version|address|id" → the tunnel whose end at that address assigned that ID. */
    private final Map<String, L2tpTunnel> tunnelIds = new HashMap<>();
    /** "file|version|address|tunnel-id|session-id" (v3: tunnel-id 0) → session. */
    private final Map<String, L2tpSession> sessionIds = new HashMap<>();
    /** Per tunnel: "fromInitiator|ns|type" → the first message sent with it. */
    private final Map<L2tpTunnel, Map<String, L2tpMessage>> byNs = new HashMap<>();
    private final Map<String, PptpControl> controls = new LinkedHashMap<>();
    /** "file|address|call-id" → the call whose end at that address assigned that call ID. */
    private final Map<String, PptpCall> callIds = new HashMap<>();
    private final Map<String, GreTunnel> gre = new LinkedHashMap<>();
    /** PPP sessions not inside an L2TP session or PPTP call: PPPoE, PPP links, GRE without a known call. */
    private final Map<String, PppSession> standalone = new LinkedHashMap<>();
    /** PPPoE: "file|session-id" → the access concentrator's MAC from PADS. */
    private final Map<String, String> pppoeAc = new HashMap<>();
    private long pppCount;
    private long untracked;

    public List<L2tpTunnel> tunnels() {
        return tunnels;
    }

    public Collection<PptpControl> pptp() {
        return controls.values();
    }

    public Collection<GreTunnel> greTunnels() {
        return gre.values();
    }

    /** PPP sessions carried by PPPoE, on PPP links, or in GRE without a known PPTP call. */
    public Collection<PppSession> pppSessions() {
        return standalone.values();
    }

    /** Tunnels, sessions, calls, flows or PPP sessions not tracked because a bound was reached. */
    public long untracked() {
        return untracked;
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
        java.util.Set<PptpCall> goneCalls = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        controls.values().removeIf(c -> {
            long last = c.syn == null ? 0 : c.syn.nanos();
            for (PptpMessage m : c.messages) {
                last = Math.max(last, m.at.nanos());
            }
            if (last < cutoffNanos) {
                goneCalls.addAll(c.calls);
                return true;
            }
            return false;
        });
        callIds.values().removeIf(goneCalls::contains);
        gre.values().removeIf(g -> g.last == null || g.last.nanos() < cutoffNanos);
        standalone.values().removeIf(s -> s.last == null || s.last.nanos() < cutoffNanos);
    }

    /** Takes the L2TP/PPTP/GRE/PPP layers of frame {@code p}. */
    public void add(Packet p, FrameRef at) {
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
                    if (ip != null && l.headerLength >= 4 && (l.u16(0) == 1723 || l.u16(2) == 1723)) {
                        tcp(l, ip, at);
                    }
                }
                case L2TP, L2TPV3 -> i = l2tp(p, i, ip, at);
                case PPTP -> pptp(l, ip, transport, at);
                case GRE -> i = gre(p, i, ip, at);
                case PPPOE -> i = pppoe(p, i, eth, at);
                case PPPOED -> pppoed(l, eth, at);
                case PPP -> i = pppLink(p, i, at);
                default -> {
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Endpoint endpoint(Layer ip, Layer transport, boolean src) {
        String a = ip.ipAddress(src);
        int port = transport != null && transport.headerLength >= 4 ? transport.u16(src ? 0 : 2) : 0;
        return new Endpoint(a == null ? "?" : a, port);
    }

    private static int num(Map<String, Object> m, String k) {
        return (int) FieldTree.num(m, k, -1);
    }

    private static String nameOr(Map<String, Object> m, String k, String dflt) {
        String s = FieldTree.str(m, k + "Name");
        return s != null ? s : dflt;
    }

    // ------------------------------------------------------------------ L2TP

    /** Handles the L2TP layer at {@code i}; returns the index of the last layer it consumed. */
    private int l2tp(Packet p, int i, Layer ipl, FrameRef at) {
        Layer l = p.layer(i);
        if (ipl == null) {
            return i;
        }
        boolean v3 = l.proto == Proto.L2TPV3;
        Map<String, Object> f = FieldTree.of(l);
        boolean control = FieldTree.bool(f, "control");
        if (v3 && !f.containsKey("flags")) {
            control = false; // v3 over IP, data
        }
        Layer transport = i > 0 && p.layer(i - 1).proto == Proto.UDP ? p.layer(i - 1) : null;
        Endpoint src = endpoint(ipl, transport, true);
        Endpoint dst = endpoint(ipl, transport, false);
        if (!control) {
            return data(p, i, f, v3, src, dst, at);
        }
        if (l.malformed != null && !f.containsKey("messageType")) {
            return i;
        }
        int version = v3 ? 3 : 2;
        long tunnelId = FieldTree.num(f, v3 ? "controlConnectionId" : "tunnelId", -1);
        if (tunnelId < 0) {
            return i;
        }
        int type = f.containsKey("messageType") ? num(f, "messageType") : -1;
        String name = type < 0 ? "no Message Type" : nameOr(f, "messageType", "type " + type);
        long sessionId = v3 ? 0 : FieldTree.num(f, "sessionId", 0);
        L2tpMessage m0 = new L2tpMessage(at, src, dst, version, tunnelId, sessionId, num(f, "ns"), num(f, "nr"), type, name);
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
        L2tpMessage m = m0;
        if (v3 && v3Remote > 0) {
            m = new L2tpMessage(at, src, dst, version, tunnelId, v3Remote, m0.ns, m0.nr, type, name);
            copyAvps(m0, m);
        }
        control(m, at.file());
        return i;
    }

    private static void copyAvps(L2tpMessage a, L2tpMessage b) {
        b.assignedTunnelId = a.assignedTunnelId;
        b.assignedSessionId = a.assignedSessionId;
        b.resultCode = a.resultCode;
        b.resultName = a.resultName;
        b.errorCode = a.errorCode;
        b.errorName = a.errorName;
        b.errorMessage = a.errorMessage;
        b.hostName = a.hostName;
        b.vendorName = a.vendorName;
        b.callSerial = a.callSerial;
        b.q931Cause = a.q931Cause;
        b.challenge = a.challenge;
        b.challengeResponse = a.challengeResponse;
        b.hiddenAvps = a.hiddenAvps;
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
    private int data(Packet p, int i, Map<String, Object> f, boolean v3, Endpoint src, Endpoint dst, FrameRef at) {
        int file = at.file();
        int version = v3 ? 3 : 2;
        long sid = FieldTree.num(f, "sessionId", -1);
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
            long tid = FieldTree.num(f, "tunnelId", -1);
            if (tid <= 0) {
                return i;
            }
            t = tunnelIds.get(tkey(file, version, dst.address(), tid));
            if (t == null) {
                t = lateTunnel(version, file, src, dst, tid);
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
            if (pppCount >= MAX_PPP) {
                untracked++;
                return i;
            }
            pppCount++;
            boolean callerIsInitiator = s.byInitiator;
            Endpoint caller = callerIsInitiator ? t.initiator : t.responder;
            Endpoint answerer = callerIsInitiator ? t.responder : t.initiator;
            String[] roles = roles(s);
            s.ppp = new PppSession("L2TP", roles[0] + caller.address(), roles[1] + answerer.address());
            s.ppp.sidesGuessed = s.startedLate || t.rolesGuessed;
        }
        boolean fromCaller = t.isInitiator(src.address()) == s.byInitiator;
        return ppp(s.ppp, p, i + 1, fromCaller, at);
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

    // ------------------------------------------------------------------ PPP

    /**
     * The PPP payload starting at layer {@code i} (a "ppp" header, or directly the protocol's layer
     * for PPPoE): a control packet is recorded, network-layer data counted. Returns the index of the
     * last layer consumed (data layers are left for the caller's loop).
     */
    private int ppp(PppSession s, Packet p, int i, boolean fromA, FrameRef at) {
        s.touch(at);
        if (i < p.count() && p.layer(i).proto == Proto.PPP) {
            i++;
        }
        if (i >= p.count()) {
            return i - 1;
        }
        Layer c = p.layer(i);
        switch (c.proto) {
            case LCP, IPCP, IPV6CP, CCP, PAP, CHAP, EAP -> {
                control(s, c, fromA, at);
                return i;
            }
            case MLPPP, DATA -> {
                return i;
            }
            default -> {
                if (fromA) {
                    s.dataFromA++;
                    s.bytesFromA += c.totalLength();
                } else {
                    s.dataFromB++;
                    s.bytesFromB += c.totalLength();
                }
                if (s.firstData == null) {
                    s.firstData = at;
                }
                return i - 1;
            }
        }
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
                return null; // not text
            }
            sb.append((char) b);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** LCP option 3 in words: "PAP", "CHAP with MD5", "MS-CHAP-2", "EAP", or the protocol's name. */
    static String authName(Map<String, Object> o) {
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

    private void control(PppSession s, Layer c, boolean fromA, FrameRef at) {
        if (s.packets.size() >= PppSession.MAX_PACKETS) {
            s.untrackedPackets++;
            return;
        }
        Map<String, Object> f = FieldTree.of(c);
        int code = num(f, "code");
        if (code < 0) {
            return;
        }
        String protocol = c.proto.shortName.toUpperCase(Locale.ROOT);
        PppPacket pk = new PppPacket(at, fromA, protocol, code, nameOr(f, "code", "code " + code), num(f, "identifier"));
        switch (c.proto) {
            case LCP, IPCP, IPV6CP, CCP -> {
                for (Map<String, Object> o : FieldTree.maps(f, "options")) {
                    pk.options.add(option(c.proto, o, pk));
                }
                if (code == 5 || code == 6) {
                    pk.message = text(FieldTree.str(f, "data"));
                } else if (code == 8) {
                    pk.message = "rejected protocol " + nameOr(f, "rejectedProtocol", Long.toString(FieldTree.num(f, "rejectedProtocol", -1)));
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
        s.packets.add(pk);
    }

    private PppSession standalone(String key, String carrier, String a, String b) {
        PppSession s = standalone.get(key);
        if (s == null) {
            if (pppCount >= MAX_PPP) {
                untracked++;
                return null;
            }
            pppCount++;
            s = new PppSession(carrier, a, b);
            standalone.put(key, s);
        }
        return s;
    }

    /** PPP as the link layer (PPP link types): side A is the capturing end when the direction field says so. */
    private int pppLink(Packet p, int i, FrameRef at) {
        Map<String, Object> f = FieldTree.of(p.layer(i));
        long dir = FieldTree.num(f, "direction", -1);
        PppSession s = standalone("ppp|" + at.file(), "PPP link", "local end", "remote end");
        if (s == null) {
            return i;
        }
        if (dir < 0) {
            s.sidesGuessed = true;
        }
        return ppp(s, p, i, dir != 0, at);
    }

    // ------------------------------------------------------------------ PPPoE

    private int pppoe(Packet p, int i, Layer eth, FrameRef at) {
        Map<String, Object> f = FieldTree.of(p.layer(i));
        long sid = FieldTree.num(f, "sessionId", -1);
        if (sid < 0 || eth == null) {
            return i;
        }
        Map<String, Object> e = FieldTree.of(eth);
        String src = FieldTree.str(e, "src");
        String dst = FieldTree.str(e, "dst");
        if (src == null || dst == null) {
            return i;
        }
        String lo = src.compareTo(dst) < 0 ? src : dst;
        String hi = lo.equals(src) ? dst : src;
        String key = "pppoe|" + at.file() + "|" + sid + "|" + lo + "|" + hi;
        PppSession s = standalone.get(key);
        if (s == null) {
            String ac = pppoeAc.get(at.file() + "|" + sid);
            boolean known = ac != null && (ac.equals(src) || ac.equals(dst));
            String host = known ? (ac.equals(src) ? dst : src) : src;
            s = standalone(key, "PPPoE", "host " + host, "AC " + (host.equals(src) ? dst : src));
            if (s == null) {
                return i;
            }
            s.pppoeSessionId = sid;
            s.sidesGuessed = !known;
        }
        boolean fromA = s.sideA.equals("host " + src);
        return ppp(s, p, i + 1, fromA, at);
    }

    private void pppoed(Layer l, Layer eth, FrameRef at) {
        if (eth == null) {
            return;
        }
        Map<String, Object> f = FieldTree.of(l);
        long code = FieldTree.num(f, "code", -1);
        long sid = FieldTree.num(f, "sessionId", -1);
        Map<String, Object> e = FieldTree.of(eth);
        String src = FieldTree.str(e, "src");
        String dst = FieldTree.str(e, "dst");
        if (code == 0x65 && sid > 0 && src != null && pppoeAc.size() < MAX_PPP) { // PADS: from the AC
            pppoeAc.put(at.file() + "|" + sid, src);
        } else if (code == 0xa7 && src != null && dst != null) { // PADT: either side ends the session
            String lo = src.compareTo(dst) < 0 ? src : dst;
            String hi = lo.equals(src) ? dst : src;
            PppSession s = standalone.get("pppoe|" + at.file() + "|" + sid + "|" + lo + "|" + hi);
            if (s != null && s.padt == null) {
                s.padt = at;
                s.touch(at);
            }
        }
    }

    // ------------------------------------------------------------------ PPTP

    private static String ckey(int file, Endpoint client, Endpoint server) {
        return file + "|" + client + "|" + server;
    }

    private PptpControl control(int file, Endpoint client, Endpoint server, boolean create) {
        String k = ckey(file, client, server);
        PptpControl c = controls.get(k);
        if (c == null && create) {
            if (controls.size() >= MAX_PPTP) {
                untracked++;
                return null;
            }
            c = new PptpControl(file, client, server);
            controls.put(k, c);
        }
        return c;
    }

    private void tcp(Layer l, Layer ip, FrameRef at) {
        Endpoint src = endpoint(ip, l, true);
        Endpoint dst = endpoint(ip, l, false);
        boolean toServer = dst.port() == 1723;
        Endpoint client = toServer ? src : dst;
        Endpoint server = toServer ? dst : src;
        String flags = FieldTree.str(FieldTree.of(l), "flags");
        if (flags == null) {
            return;
        }
        boolean syn = flags.indexOf('S') >= 0;
        boolean ack = flags.indexOf('A') >= 0;
        boolean rst = flags.indexOf('R') >= 0;
        boolean fin = flags.indexOf('F') >= 0;
        PptpControl c = control(at.file(), client, server, false);
        if (syn && !ack && toServer) {
            if (c != null && (c.synAck != null || !c.messages.isEmpty())) {
                // a new connection on the same ports: the old one is kept under another key
                controls.put(ckey(at.file(), client, server) + "|" + at.frame(), c);
                controls.remove(ckey(at.file(), client, server));
                c = null;
            }
            if (c == null) {
                c = control(at.file(), client, server, true);
                if (c == null) {
                    return;
                }
            }
            if (c.syn == null) {
                c.syn = at;
            }
            c.synCount++;
            return;
        }
        if (c == null) {
            return;
        }
        if (syn && ack && !toServer && c.synAck == null) {
            c.synAck = at;
        } else if (rst && !toServer && c.synAck == null && c.messages.isEmpty()) {
            if (c.refused == null) {
                c.refused = at;
            }
        } else if (fin || rst) {
            if (toServer && c.clientClosed == null) {
                c.clientClosed = at;
            } else if (!toServer && c.serverClosed == null) {
                c.serverClosed = at;
                c.serverReset = rst;
            }
        }
    }

    private void pptp(Layer l, Layer ip, Layer transport, FrameRef at) {
        if (ip == null || transport == null || transport.proto != Proto.TCP) {
            return;
        }
        Map<String, Object> f = FieldTree.of(l);
        if (FieldTree.num(f, "messageType", -1) != 1) {
            return;
        }
        int type = num(f, "controlMessageType");
        if (type < 0) {
            return;
        }
        Endpoint src = endpoint(ip, transport, true);
        Endpoint dst = endpoint(ip, transport, false);
        boolean fromClient = dst.port() == 1723;
        PptpControl c = control(at.file(), fromClient ? src : dst, fromClient ? dst : src, true);
        if (c == null || c.messages.size() >= MAX_MESSAGES_PER_TUNNEL) {
            return;
        }
        PptpMessage m = new PptpMessage(at, fromClient, type, nameOr(f, "controlMessageType", "type " + type));
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
        c.messages.add(m);
        call(c, m, at.file());
    }

    private PptpCall findCall(PptpControl c, boolean byClientId, long id) {
        if (id < 0) {
            return null;
        }
        for (int k = c.calls.size() - 1; k >= 0; k--) {
            PptpCall x = c.calls.get(k);
            if ((byClientId ? x.clientCallId : x.serverCallId) == id) {
                return x;
            }
        }
        return null;
    }

    private void call(PptpControl c, PptpMessage m, int file) {
        PptpCall call = null;
        String client = c.client.address();
        String server = c.server.address();
        switch (m.type) {
            case 7, 9 -> { // OCRQ from the client, ICRQ from the server: a new call
                if (c.calls.size() >= MAX_CALLS_PER_CONTROL) {
                    untracked++;
                    return;
                }
                call = new PptpCall(c, m.type == 7);
                if (m.type == 7) {
                    call.clientCallId = m.callId;
                    callIds.put(file + "|" + client + "|" + m.callId, call);
                } else {
                    call.serverCallId = m.callId;
                    callIds.put(file + "|" + server + "|" + m.callId, call);
                }
                c.calls.add(call);
            }
            case 8 -> { // OCRP: call ID of the server, peer call ID of the client
                call = findCall(c, true, m.peerCallId);
                if (call != null && m.callId >= 0) {
                    call.serverCallId = m.callId;
                    callIds.put(file + "|" + server + "|" + m.callId, call);
                }
            }
            case 10 -> { // ICRP from the client
                call = findCall(c, false, m.peerCallId);
                if (call != null && m.callId >= 0) {
                    call.clientCallId = m.callId;
                    callIds.put(file + "|" + client + "|" + m.callId, call);
                }
            }
            case 11 -> call = findCall(c, true, m.peerCallId); // ICCN from the server
            case 12 -> call = findCall(c, true, m.callId); // Call-Clear-Request from the client, its own call ID
            case 13 -> { // Call-Disconnect-Notify from the server, its own call ID
                call = findCall(c, !m.fromClient, m.callId);
                if (call == null) {
                    call = findCall(c, m.fromClient, m.callId);
                }
            }
            case 14 -> call = findCall(c, true, m.peerCallId); // WAN-Error-Notify from the server: the client's ID
            case 15 -> call = findCall(c, false, m.peerCallId); // Set-Link-Info from the client: the server's ID
            default -> {
                return;
            }
        }
        if (call != null) {
            call.messages.add(m);
        }
    }

    // ------------------------------------------------------------------ GRE

    private int gre(Packet p, int i, Layer ip, FrameRef at) {
        Layer l = p.layer(i);
        if (ip == null) {
            return i;
        }
        Map<String, Object> f = FieldTree.of(l);
        int version = num(f, "version");
        if (version != 0 && version != 1) {
            return i;
        }
        String src = ip.ipAddress(true);
        String dst = ip.ipAddress(false);
        long key = FieldTree.num(f, version == 1 ? "callId" : "key", -1);
        String k = at.file() + "|" + src + "|" + dst + "|" + version + "|" + key;
        GreTunnel g = gre.get(k);
        if (g == null) {
            if (gre.size() >= MAX_GRE) {
                untracked++;
                return i;
            }
            g = new GreTunnel(at.file(), src, dst, version, key);
            g.protocol = nameOr(f, "protocol", null);
            gre.put(k, g);
            if (version == 1) {
                PptpCall call = callIds.get(at.file() + "|" + dst + "|" + key);
                if (call != null) {
                    g.call = call;
                    if (dst.equals(call.control.server.address())) {
                        call.toServer = g;
                    } else {
                        call.toClient = g;
                    }
                }
            }
        }
        long proto = FieldTree.num(f, "protocol", -1);
        boolean hasPayload = version == 1 ? FieldTree.num(f, "payloadLength", 0) > 0 : l.payloadLength > 0;
        long seq = FieldTree.num(f, "seq", -1);
        if (version == 0 && proto == 0 && !hasPayload) {
            g.keepalives++;
        }
        if (version == 1 && (!hasPayload || seq < 0)) {
            g.ackOnly++;
            seq = -1;
        }
        g.add(at, seq, l.totalLength());
        if (!hasPayload || i + 1 >= p.count() || p.layer(i + 1).proto != Proto.PPP) {
            return i;
        }
        PppSession s;
        boolean fromA;
        if (g.call != null) {
            PptpCall call = g.call;
            if (call.ppp == null) {
                if (pppCount >= MAX_PPP) {
                    untracked++;
                    return i;
                }
                pppCount++;
                call.ppp = new PppSession("PPTP", "client " + call.control.client.address(),
                        "server " + call.control.server.address());
            }
            s = call.ppp;
            fromA = src.equals(call.control.client.address());
        } else {
            // enhanced GRE without its control connection in the capture: sides by the first packet
            String lo = src.compareTo(dst) < 0 ? src : dst;
            String hi = lo.equals(src) ? dst : src;
            s = standalone.get("gre|" + at.file() + "|" + lo + "|" + hi);
            if (s == null) {
                s = standalone("gre|" + at.file() + "|" + lo + "|" + hi, version == 1 ? "PPTP" : "GRE", src, dst);
                if (s == null) {
                    return i;
                }
                s.sidesGuessed = true;
            }
            fromA = s.sideA.equals(src);
        }
        return ppp(s, p, i + 1, fromA, at);
    }
}
