package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One L2TP session (call) of a tunnel: the session ID each side assigned, the session's control
 * messages (ICRQ/ICRP/ICCN, OCRQ/OCRP/OCCN, CDN) and the PPP session its data messages carry.
 * The caller is the peer that sent ICRQ or OCRQ.
 */
public final class L2tpSession {
    public final L2tpTunnel tunnel;
    /** The call was placed by the tunnel's initiator. */
    public final boolean byInitiator;
    public long callerSessionId = -1;
    public long answererSessionId = -1;
    public long serial = -1;
    /** The capture starts after this session's request (it is known from data or later messages only). */
    public boolean startedLate;
    public final List<L2tpMessage> messages = new ArrayList<>();
    /** The PPP session carried by the data messages; null when none was seen. */
    public PppSession ppp;
    public long dataPackets;
    public long dataBytes;

    L2tpSession(L2tpTunnel tunnel, boolean byInitiator) {
        this.tunnel = tunnel;
        this.byInitiator = byInitiator;
    }

    /** The first message of {@code name} of this session, sent by the caller (TRUE), the answerer (FALSE) or either (null). */
    public L2tpMessage first(String name, Boolean byCaller) {
        for (L2tpMessage m : messages) {
            if (m.retransmissionOf == null && name.equals(m.name)
                    && (byCaller == null || byCaller == (m.fromInitiator == byInitiator))) {
                return m;
            }
        }
        return null;
    }

    /** True when message {@code m} was sent by the caller. */
    public boolean fromCaller(L2tpMessage m) {
        return m.fromInitiator == byInitiator;
    }
}
