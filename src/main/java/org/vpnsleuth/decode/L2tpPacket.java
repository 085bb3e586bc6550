package org.vpnsleuth.decode;

import java.util.List;

/**
 * An L2TP message (RFC 2661 L2TPv2, RFC 3931 L2TPv3) read straight from an "l2tp" or "l2tpv3"
 * layer's bytes by {@link #of(Layer)}: the header's IDs and sequence numbers and, for a control
 * message, its message type and AVPs. Values the layer does not hold (a header cut short, a data
 * message's Ns) are -1. The same header the dissector shows (docs/fields.md): a header too short
 * for its flags reads as a data message, as the "control" field is then absent.
 *
 * @param version 2 or 3
 * @param control the T bit of a header that has its flags word
 * @param tunnelId v2 header Tunnel ID, v3 Control Connection ID of a control message; -1 when absent
 * @param sessionId v2 header Session ID, v3 data message Session ID; -1 when absent (and for v3 control)
 * @param ns Ns of a control message (and of v2 data with the S bit), -1 when absent
 * @param nr Nr, likewise
 * @param messageType control message type, {@link #ZLB} for a message without AVPs, -1 when it has no
 *     Message Type AVP (or is not a control message)
 * @param messageTypeName "SCCRQ", "ZLB", ...; null when the registry has no name
 * @param avps the AVPs in order (empty for data messages and ZLBs)
 */
public record L2tpPacket(int version, boolean control, long tunnelId, long sessionId, int ns, int nr, int messageType,
        String messageTypeName, List<L2tpAvp> avps) {
    /** Message type 0 stands for a ZLB acknowledgement (the AVP list is empty). */
    public static final int ZLB = 0;
    // message types (RFC 2661 §3.2, RFC 3931 §3.1; names in registry/l2tp-message-types.tsv)
    public static final int SCCRQ = 1;
    public static final int SCCRP = 2;
    public static final int SCCCN = 3;
    public static final int STOPCCN = 4;
    public static final int HELLO = 6;
    public static final int OCRQ = 7;
    public static final int OCRP = 8;
    public static final int OCCN = 9;
    public static final int ICRQ = 10;
    public static final int ICRP = 11;
    public static final int ICCN = 12;
    public static final int CDN = 14;
    public static final int WEN = 15;
    public static final int SLI = 16;

    /** The message in an "l2tp" or "l2tpv3" layer (any other layer: null). */
    public static L2tpPacket of(Layer l) {
        return L2tpCodec.packet(l);
    }

    public boolean hasMessageType() {
        return messageType >= 0;
    }
}
