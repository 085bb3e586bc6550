package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One PPTP call: the call IDs of both ends (each end's GRE packets carry the other end's ID), its
 * control messages (OCRQ/OCRP or ICRQ/ICRP/ICCN, Set-Link-Info, Call-Clear-Request,
 * Call-Disconnect-Notify) and the PPP session its enhanced GRE carries.
 */
public final class PptpCall {
    public final PptpControl control;
    /** Outgoing call (OCRQ from the client, the PNS) or incoming (ICRQ from the server, the PAC). */
    public final boolean outgoing;
    public long clientCallId = -1;
    public long serverCallId = -1;
    public long serial = -1;
    public final List<PptpMessage> messages = new ArrayList<>();
    public PppSession ppp;
    /** The GRE flows of this call: client → server and server → client (null when none was seen). */
    public GreTunnel toServer;
    public GreTunnel toClient;

    PptpCall(PptpControl control, boolean outgoing) {
        this.control = control;
        this.outgoing = outgoing;
    }

    public PptpMessage first(int type) {
        for (PptpMessage m : messages) {
            if (m.type == type) {
                return m;
            }
        }
        return null;
    }
}
