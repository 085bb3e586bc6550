package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One L2TP control message (L2TPv2, RFC 2661, or L2TPv3, RFC 3931) as the wire shows it: the
 * header's IDs (those of the receiver), the sequence numbers, the message type and the AVPs that
 * matter for the story (assigned IDs, result and error codes, host names, tunnel authentication).
 * A ZLB (no AVPs) is an acknowledgement only.
 */
public final class L2tpMessage {
    public final FrameRef at;
    public final Endpoint src;
    public final Endpoint dst;
    public final int version;
    /** Header tunnel ID (v3: control connection ID): the receiver's ID, 0 when it has none yet. */
    public final long tunnelId;
    /** Header session ID (v3: the Remote Session ID AVP): the receiver's, 0 when none yet. */
    public final long sessionId;
    public final int ns;
    public final int nr;
    /** Message type, 0 for a ZLB, -1 when the message has no Message Type AVP. */
    public final int type;
    /** "SCCRQ", "ZLB", "CDN", ... */
    public final String name;
    public long assignedTunnelId = -1;
    public long assignedSessionId = -1;
    public int resultCode = -1;
    public String resultName;
    public int errorCode = -1;
    public String errorName;
    public String errorMessage;
    public String hostName;
    public String vendorName;
    public long callSerial = -1;
    /** Q.931 cause code of a CDN, -1 when absent. */
    public int q931Cause = -1;
    public boolean challenge;
    public boolean challengeResponse;
    public boolean hiddenAvps;
    /** Sent by the tunnel's initiator (the sender of SCCRQ); set by the tracker. */
    public boolean fromInitiator;
    public L2tpMessage retransmissionOf;
    public final List<L2tpMessage> retransmissions = new ArrayList<>();
    /** The session this message belongs to (null for tunnel messages). */
    L2tpSession session;

    L2tpMessage(FrameRef at, Endpoint src, Endpoint dst, int version, long tunnelId, long sessionId, int ns, int nr,
            int type, String name) {
        this.at = at;
        this.src = src;
        this.dst = dst;
        this.version = version;
        this.tunnelId = tunnelId;
        this.sessionId = sessionId;
        this.ns = ns;
        this.nr = nr;
        this.type = type;
        this.name = name;
    }

    public L2tpSession session() {
        return session;
    }

    public boolean zlb() {
        return type == 0;
    }

    /** "result 2 (General error, ...), error 6 (...) 'No Authorization'", or "" without a Result Code AVP. */
    public String result() {
        if (resultCode < 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder("result ").append(resultCode);
        if (resultName != null) {
            sb.append(" (").append(resultName).append(')');
        }
        if (errorCode >= 0) {
            sb.append(", error ").append(errorCode);
            if (errorName != null) {
                sb.append(" (").append(errorName).append(')');
            }
        }
        if (errorMessage != null && !errorMessage.isEmpty()) {
            sb.append(" '").append(errorMessage).append('\'');
        }
        return sb.toString();
    }

    /** Last frame this message (or a copy of it) was sent. */
    public long lastSentNanos() {
        return retransmissions.isEmpty() ? at.nanos() : retransmissions.get(retransmissions.size() - 1).at.nanos();
    }
}
