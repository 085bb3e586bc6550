package org.vpnsleuth.track;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.PppControlPacket;
import org.vpnsleuth.decode.PppHeaders;
import org.vpnsleuth.decode.PppOption;
import org.vpnsleuth.decode.PppProtocols;
import org.vpnsleuth.decode.Proto;

/**
 * The PPP part of the tunnel tracker: every PPP session (bounded by {@link L2tpTracker#MAX_PPP}),
 * the control and authentication packets recorded in it and its data counted; and the sessions
 * not inside an L2TP session or a PPTP call: PPPoE (with the discovery stage's PADS and PADT), PPP
 * links, enhanced GRE without its call. Reads the typed packets of decode/ ({@link PppControlPacket},
 * {@link PppHeaders}).
 */
final class PppTracker {
    /** PPP sessions not inside an L2TP session or PPTP call: PPPoE, PPP links, GRE without a known call. */
    private final Map<String, PppSession> standalone = new LinkedHashMap<>();
    /** PPPoE: "file|session-id" → the access concentrator's MAC from PADS. */
    private final Map<String, String> pppoeAc = new HashMap<>();
    /** PPPoE: "pppoed|file|host MAC" → the host's latest discovery story. */
    private final Map<String, PppSession> discovering = new HashMap<>();
    private long count;
    private long untracked;

    Collection<PppSession> standalone() {
        return standalone.values();
    }

    long untracked() {
        return untracked;
    }

    void evictIdle(long cutoffNanos) {
        standalone.values().removeIf(s -> s.last == null || s.last.nanos() < cutoffNanos);
        discovering.values().removeIf(s -> s.last == null || s.last.nanos() < cutoffNanos);
    }

    /** A new PPP session, or null (counted as untracked) when {@link L2tpTracker#MAX_PPP} sessions exist. */
    PppSession newSession(String carrier, String sideA, String sideB) {
        if (count >= L2tpTracker.MAX_PPP) {
            untracked++;
            return null;
        }
        count++;
        return new PppSession(carrier, sideA, sideB);
    }

    /** The standalone session under {@code key}, made when new (null when the bound is reached). */
    PppSession standalone(String key, String carrier, String a, String b) {
        PppSession s = standalone.get(key);
        if (s == null) {
            s = newSession(carrier, a, b);
            if (s == null) {
                return null;
            }
            standalone.put(key, s);
        }
        return s;
    }

    PppSession existing(String key) {
        return standalone.get(key);
    }

    /**
     * The PPP payload starting at layer {@code i} (a "ppp" header, or directly the protocol's layer
     * for PPPoE): a control packet is recorded, network-layer data counted. Returns the index of the
     * last layer consumed (data layers are left for the caller's loop).
     */
    int ppp(PppSession s, Packet p, int i, boolean fromA, FrameRef at) {
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

    private static void control(PppSession s, Layer c, boolean fromA, FrameRef at) {
        if (s.packets.size() >= PppSession.MAX_PACKETS) {
            s.untrackedPackets++;
            return;
        }
        PppPacket pk = packet(c, fromA, at);
        if (pk != null) {
            s.packets.add(pk);
        }
    }

    /** The control or authentication packet of layer {@code c} as the session records it; null when it has no code. */
    static PppPacket packet(Layer c, boolean fromA, FrameRef at) {
        PppControlPacket cp = PppControlPacket.of(c);
        if (cp == null) {
            return null;
        }
        String protocol = c.proto.shortName.toUpperCase(Locale.ROOT);
        String codeName = cp.codeName() != null ? cp.codeName() : "code " + cp.code();
        PppPacket pk = new PppPacket(at, fromA, protocol, cp.code(), codeName, cp.identifier());
        if (cp instanceof PppControlPacket.Control x) {
            for (PppOption o : x.options()) {
                pk.options.add(option(o, pk));
            }
            switch (x.code()) {
                case PppControlPacket.TERMINATE_REQUEST, PppControlPacket.TERMINATE_ACK -> pk.message = x.terminateText();
                case PppControlPacket.PROTOCOL_REJECT -> pk.message = "rejected protocol "
                        + (x.rejectedProtocolName() != null ? x.rejectedProtocolName() : Long.toString(x.rejectedProtocol()));
                case PppControlPacket.CODE_REJECT -> pk.message = "rejected code";
                default -> {
                }
            }
        } else if (cp instanceof PppControlPacket.Pap x) {
            pk.name = x.peerId();
            pk.message = x.message();
        } else if (cp instanceof PppControlPacket.Chap x) {
            pk.name = x.name();
            pk.variant = x.variant();
            pk.message = x.message();
            pk.errorCode = x.errorCode();
            pk.errorName = x.errorName();
            pk.failureMessage = x.failureMessage();
        } else if (cp instanceof PppControlPacket.Eap x) {
            pk.variant = x.typeName();
            pk.name = x.identity();
            pk.message = x.notification();
        }
        return pk;
    }

    /** LCP option 3 in words: "PAP", "CHAP with MD5", "MS-CHAP-2", "EAP", or the protocol's name. */
    static String authName(PppOption.AuthProtocol o) {
        long proto = o.protocol();
        if (proto == PppProtocols.PAP) {
            return "PAP";
        }
        if (proto == PppProtocols.EAP) {
            return "EAP";
        }
        if (proto == PppProtocols.CHAP) {
            String alg = o.algorithmName();
            long a = o.algorithm();
            return alg != null ? (a == PppOption.CHAP_MD5 ? "CHAP with MD5" : alg) : a >= 0 ? "CHAP algorithm " + a : "CHAP";
        }
        String n = o.protocolName();
        return n != null ? n : String.format(Locale.ROOT, "protocol 0x%04x", proto);
    }

    /**
     * An option in words ("MRU 1400", "Auth CHAP with MD5", "IP-Address 10.0.0.1"); the LCP
     * authentication protocol and the IPCP address are also kept on the packet. An option whose
     * length is wrong shows its values as -1 (ACCM and magic number as 0), as it always did.
     */
    private static String option(PppOption o, PppPacket pk) {
        if (o instanceof PppOption.Mru x) {
            return "MRU " + x.mru();
        } else if (o instanceof PppOption.Accm x) {
            return String.format(Locale.ROOT, "ACCM 0x%08x", Math.max(0, x.accm()));
        } else if (o instanceof PppOption.AuthProtocol x) {
            pk.authProtocol = authName(x);
            return "Auth " + pk.authProtocol;
        } else if (o instanceof PppOption.MagicNumber x) {
            return String.format(Locale.ROOT, "Magic 0x%08x", Math.max(0, x.magic()));
        } else if (o instanceof PppOption.Pfc) {
            return "PFC";
        } else if (o instanceof PppOption.Acfc) {
            return "ACFC";
        } else if (o instanceof PppOption.Mrru x) {
            return "MRRU " + x.mrru();
        } else if (o instanceof PppOption.IpAddress x) {
            String label = switch (x.type()) {
                case PppOption.IPCP_ADDRESS -> "IP-Address ";
                case PppOption.IPCP_PRIMARY_DNS -> "Primary-DNS ";
                case PppOption.IPCP_PRIMARY_NBNS -> "Primary-NBNS ";
                case PppOption.IPCP_SECONDARY_DNS -> "Secondary-DNS ";
                default -> "Secondary-NBNS ";
            };
            if (x.type() == PppOption.IPCP_ADDRESS) {
                pk.address = x.address();
            }
            return label + x.address();
        } else if (o instanceof PppOption.IpCompression x) {
            return "IP-Compression " + (x.protocolName() != null ? x.protocolName() : "");
        }
        PppOption.Other x = (PppOption.Other) o;
        return x.typeName() != null ? x.typeName() : "option " + x.type();
    }

    // ------------------------------------------------------------------ PPP links and PPPoE

    /** PPP as the link layer (PPP link types): side A is the capturing end when the direction field says so. */
    int pppLink(Packet p, int i, FrameRef at) {
        int dir = PppHeaders.direction(p.layer(i));
        PppSession s = standalone("ppp|" + at.file(), "PPP link", "local end", "remote end");
        if (s == null) {
            return i;
        }
        if (dir < 0) {
            s.sidesGuessed = true;
        }
        return ppp(s, p, i, dir != 0, at);
    }

    /** The source or destination MAC of an Ethernet layer, as its "src"/"dst" fields write it; null when cut. */
    private static String mac(Layer eth, boolean src) {
        return eth.headerLength >= 14 ? Bytes.mac(eth.buf, eth.offset + (src ? 6 : 0)) : null;
    }

    private static String pppoeKey(int file, long sid, String src, String dst) {
        String lo = src.compareTo(dst) < 0 ? src : dst;
        String hi = lo.equals(src) ? dst : src;
        return "pppoe|" + file + "|" + sid + "|" + lo + "|" + hi;
    }

    int pppoe(Packet p, int i, Layer eth, FrameRef at) {
        PppHeaders.Pppoe h = PppHeaders.pppoe(p.layer(i));
        if (h == null || eth == null) {
            return i;
        }
        long sid = h.sessionId();
        String src = mac(eth, true);
        String dst = mac(eth, false);
        if (src == null || dst == null) {
            return i;
        }
        String key = pppoeKey(at.file(), sid, src, dst);
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

    /**
     * A PPPoE discovery packet (RFC 2516 §5): PADI and PADR come from the host, PADO and PADS from the access
     * concentrator, PADT from either. Each host's discovery is a session story from its PADI (made when new, or
     * when its last discovery already ended with a PADS or PADT); the PADS's session ID makes it the PPPoE
     * session whose PPP follows. Every discovery packet is recorded in the story as a "PPPoE" packet.
     */
    void pppoed(Layer l, Layer eth, FrameRef at) {
        if (eth == null) {
            return;
        }
        PppHeaders.Pppoe h = PppHeaders.pppoe(l);
        String src = mac(eth, true);
        String dst = mac(eth, false);
        if (h == null || src == null || dst == null) {
            return;
        }
        int code = h.code();
        long sid = h.sessionId();
        if (code == PppHeaders.PADS && sid > 0 && pppoeAc.size() < L2tpTracker.MAX_PPP) { // from the AC
            pppoeAc.put(at.file() + "|" + sid, src);
        }
        String hostKey = "pppoed|" + at.file() + "|";
        PppSession s;
        boolean fromHost;
        switch (code) {
            case PppHeaders.PADI, PppHeaders.PADR -> {
                fromHost = true;
                s = discovering.get(hostKey + src);
                if (s == null || s.pppoeSessionId > 0 || s.padt != null) {
                    s = newDiscovery(hostKey + src, src, code == PppHeaders.PADR ? "AC " + dst : PppSession.NO_AC, at);
                } else if (code == PppHeaders.PADR && PppSession.NO_AC.equals(s.sideB)) {
                    s.sideB = "AC " + dst;
                }
            }
            case PppHeaders.PADO, PppHeaders.PADS -> {
                fromHost = false;
                s = discovering.get(hostKey + dst);
                if (s == null || s.pppoeSessionId > 0 || s.padt != null) {
                    s = newDiscovery(hostKey + dst, dst, "AC " + src, at);
                    if (s != null) {
                        s.sidesGuessed = false;
                    }
                }
                if (s != null && (PppSession.NO_AC.equals(s.sideB) || code == PppHeaders.PADS)) {
                    s.sideB = "AC " + src;
                }
            }
            case PppHeaders.PADT -> {
                s = standalone.get(pppoeKey(at.file(), sid, src, dst));
                if (s == null) {
                    return;
                }
                fromHost = s.sideA.equals("host " + src);
                if (s.padt == null) {
                    s.padt = at;
                    s.padtFromHost = fromHost;
                }
            }
            default -> {
                return;
            }
        }
        if (s == null) {
            return;
        }
        s.touch(at);
        if (s.packets.size() >= PppSession.MAX_PACKETS) {
            s.untrackedPackets++;
        } else {
            PppPacket pk = new PppPacket(at, fromHost, "PPPoE", code, h.codeName() != null ? h.codeName() : "code " + code,
                    (int) sid);
            for (PppHeaders.PppoeTag t : PppHeaders.pppoeTags(l)) {
                String name = t.name() != null ? t.name() : String.format(Locale.ROOT, "tag 0x%04x", t.type());
                pk.options.add(t.text() != null && !t.text().isEmpty() ? name + " '" + t.text() + "'" : name);
                if (t.error() && pk.pppoeError == null) {
                    pk.pppoeError = name;
                    pk.message = t.text();
                }
            }
            s.packets.add(pk);
        }
        if (code == PppHeaders.PADS && sid > 0 && s.pppoeSessionId <= 0) {
            // the discovery became a session: the session stage's packets find it under its session key
            s.pppoeSessionId = sid;
            String key = pppoeKey(at.file(), sid, src, dst);
            standalone.values().remove(s);
            if (!standalone.containsKey(key)) {
                standalone.put(key, s);
            }
        }
    }

    /** A new discovery story of host {@code host} (a MAC), its AC when known. */
    private PppSession newDiscovery(String key, String host, String ac, FrameRef at) {
        PppSession s = newSession("PPPoE", "host " + host, ac);
        if (s == null) {
            return null;
        }
        s.pppoeSessionId = 0;
        discovering.put(key, s);
        standalone.put("pppoed|" + at.file() + "|" + at.frame(), s);
        return s;
    }
}
