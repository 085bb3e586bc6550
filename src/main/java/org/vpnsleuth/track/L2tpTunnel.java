package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * An L2TP control connection between two peers: each peer's tunnel ID (v3: control connection ID),
 * the control messages in capture order (ZLB acknowledgements included), and its sessions. The
 * initiator is the peer that sent SCCRQ; when the capture starts later the roles are guessed.
 */
public final class L2tpTunnel {
    public final int version;
    public Endpoint initiator;
    public Endpoint responder;
    public boolean rolesGuessed;
    public long initiatorTunnelId = -1;
    public long responderTunnelId = -1;
    public String initiatorHost;
    public String responderHost;
    public String initiatorVendor;
    public String responderVendor;
    public final List<L2tpMessage> messages = new ArrayList<>();
    public final List<L2tpSession> sessions = new ArrayList<>();
    /** Data messages whose session ID no session of this tunnel has. */
    public long orphanData;
    public long hellos;
    /** 1-based number of the tunnel in its tracker (IDs repeat across tunnels). */
    int index;

    L2tpTunnel(int version) {
        this.version = version;
    }

    /** The first message of {@code name} ("SCCRQ") sent by the initiator (TRUE), the responder (FALSE) or either (null). */
    public L2tpMessage first(String name, Boolean byInitiator) {
        for (L2tpMessage m : messages) {
            if (m.retransmissionOf == null && name.equals(m.name) && (byInitiator == null || byInitiator == m.fromInitiator)) {
                return m;
            }
        }
        return null;
    }

    public boolean isInitiator(String address) {
        return initiator != null && initiator.address().equals(address);
    }

    public long firstNanos() {
        return messages.isEmpty() ? 0 : messages.get(0).at.nanos();
    }
}
