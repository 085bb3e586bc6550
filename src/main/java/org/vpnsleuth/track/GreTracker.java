package org.vpnsleuth.track;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vpnsleuth.decode.GreHeader;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * The GRE part of the tunnel tracker: GRE flows by addresses, version and key (version 1: the
 * receiver's call ID, which ties the flow to its PPTP call), and the PPP they carry, to the call's
 * PPP session or to one of their own. Reads {@link GreHeader}.
 */
final class GreTracker {
    private final Map<String, GreTunnel> gre = new LinkedHashMap<>();
    private final PptpTracker pptp;
    private final PppTracker ppp;
    private long untracked;

    GreTracker(PptpTracker pptp, PppTracker ppp) {
        this.pptp = pptp;
        this.ppp = ppp;
    }

    Collection<GreTunnel> flows() {
        return gre.values();
    }

    long untracked() {
        return untracked;
    }

    void evictIdle(long cutoffNanos) {
        gre.values().removeIf(g -> g.last == null || g.last.nanos() < cutoffNanos);
    }

    /** Handles the GRE layer at {@code i}; returns the index of the last layer it consumed. */
    int gre(Packet p, int i, Layer ip, FrameRef at) {
        Layer l = p.layer(i);
        if (ip == null) {
            return i;
        }
        GreHeader h = GreHeader.of(l);
        int version = h == null ? -1 : h.version();
        if (version != 0 && version != 1) {
            return i;
        }
        String src = ip.ipAddress(true);
        String dst = ip.ipAddress(false);
        long key = h.key();
        String k = at.file() + "|" + src + "|" + dst + "|" + version + "|" + key;
        GreTunnel g = gre.get(k);
        if (g == null) {
            if (gre.size() >= L2tpTracker.MAX_GRE) {
                untracked++;
                return i;
            }
            g = new GreTunnel(at.file(), src, dst, version, key);
            g.protocol = h.protocolName();
            gre.put(k, g);
            if (version == 1) {
                PptpCall call = pptp.call(at.file(), dst, key);
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
        boolean hasPayload = version == 1 ? h.payloadLength() > 0 : l.payloadLength > 0;
        long seq = h.seq();
        if (version == 0 && h.protocol() == 0 && !hasPayload) {
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
                call.ppp = ppp.newSession("PPTP", "client " + call.control.client.address(),
                        "server " + call.control.server.address());
                if (call.ppp == null) {
                    return i;
                }
            }
            s = call.ppp;
            fromA = src.equals(call.control.client.address());
        } else {
            // enhanced GRE without its control connection in the capture: sides by the first packet
            String lo = src.compareTo(dst) < 0 ? src : dst;
            String hi = lo.equals(src) ? dst : src;
            String key2 = "gre|" + at.file() + "|" + lo + "|" + hi;
            s = ppp.existing(key2);
            if (s == null) {
                s = ppp.standalone(key2, version == 1 ? "PPTP" : "GRE", src, dst);
                if (s == null) {
                    return i;
                }
                s.sidesGuessed = true;
            }
            fromA = s.sideA.equals(src);
        }
        return ppp.ppp(s, p, i + 1, fromA, at);
    }
}
