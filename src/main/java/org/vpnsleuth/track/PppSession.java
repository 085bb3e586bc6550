package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * A PPP session as the wire shows it, wherever it is carried: inside an L2TP session, a PPTP call
 * (enhanced GRE), a PPPoE session, or on a PPP link. Side A is the client end (the L2TP caller, the
 * PPTP client, the PPPoE host, the capturing side of a PPP link); its control and authentication
 * packets in order (bounded), and the network-layer packets counted per direction.
 */
public final class PppSession {
    public static final int MAX_PACKETS = 10_000;

    /** "L2TP", "PPTP", "PPPoE", "PPP link". */
    public final String carrier;
    /** How the two ends are named in the report: "LAC 192.0.2.1", "client 10.1.1.11", a MAC address. */
    public final String sideA;
    /** Side B of a PPPoE discovery that no access concentrator answered. */
    public static final String NO_AC = "no access concentrator";
    /** Side B; {@link #NO_AC} for a PPPoE discovery that no access concentrator answered (yet). */
    public String sideB;
    /** Which side is which is a guess (no discovery stage, no direction field, capture started late). */
    public boolean sidesGuessed;
    /** PPPoE session ID, -1 otherwise. */
    public long pppoeSessionId = -1;
    public final List<PppPacket> packets = new ArrayList<>();
    public long untrackedPackets;
    /** Network-layer packets (IPv4, IPv6, ...) from A and from B, and their bytes. */
    public long dataFromA;
    public long dataFromB;
    public long bytesFromA;
    public long bytesFromB;
    public FrameRef first;
    public FrameRef last;
    public FrameRef firstData;
    /** PPPoE: PADT seen (the session was ended at the discovery level). */
    public FrameRef padt;
    /** PPPoE: the PADT came from the host (side A), else from the access concentrator. */
    public boolean padtFromHost;

    PppSession(String carrier, String sideA, String sideB) {
        this.carrier = carrier;
        this.sideA = sideA;
        this.sideB = sideB;
    }

    void touch(FrameRef at) {
        if (first == null) {
            first = at;
        }
        last = at;
    }

    /** Packets of one protocol ("LCP"). */
    public List<PppPacket> of(String protocol) {
        List<PppPacket> l = new ArrayList<>();
        for (PppPacket p : packets) {
            if (p.protocol.equals(protocol)) {
                l.add(p);
            }
        }
        return l;
    }
}
