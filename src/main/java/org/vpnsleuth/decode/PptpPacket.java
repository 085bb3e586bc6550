package org.vpnsleuth.decode;

/**
 * A PPTP control message (RFC 2637 §2) read straight from a "pptp" layer's bytes by
 * {@link #of(Layer)}: the fields the tracker follows calls and failures by. A field the message
 * type does not have, or that the message is too short for (the same length checks as the
 * dissector's fields), is -1 (numbers) or null (texts). Body fields are read only from a message
 * with the magic cookie and PPTP message type 1.
 *
 * @param messageType PPTP message type: 1 control, 2 management
 * @param controlType control message type, {@link #SCCRQ} ... {@link #SLI}
 * @param controlTypeName "Start-Control-Connection-Request", ...; null when the registry has no name
 * @param callId the sender's Call ID (OCRQ, OCRP, ICRQ, ICRP, CCRQ, CDN)
 * @param peerCallId the receiver's Call ID (OCRP, ICRP, ICCN, WEN, SLI)
 * @param resultCode Result Code (SCCRP, StopCCRP, Echo-Reply, OCRP, ICRP, CDN), named per message type
 * @param errorCode Error Code, with the result code
 * @param causeCode Cause Code (OCRP, CDN)
 * @param reason StopCCRQ Reason, named like a result code
 * @param hostName SCCRQ/SCCRP Host Name
 * @param vendor SCCRQ/SCCRP Vendor String
 * @param callStatistics CDN Call Statistics
 */
public record PptpPacket(int messageType, int controlType, String controlTypeName, int callId, int peerCallId,
        int resultCode, String resultName, int errorCode, String errorName, int causeCode, int reason,
        String reasonName, String hostName, String vendor, String callStatistics) {
    /** PPTP message type of control messages (2 is management, never defined). */
    public static final int CONTROL_MESSAGE = 1;
    // control message types (RFC 2637 §2; names in registry/pptp-message-types.tsv)
    public static final int SCCRQ = 1;
    public static final int SCCRP = 2;
    public static final int STOP_CCRQ = 3;
    public static final int STOP_CCRP = 4;
    public static final int ECHO_REQUEST = 5;
    public static final int ECHO_REPLY = 6;
    public static final int OCRQ = 7;
    public static final int OCRP = 8;
    public static final int ICRQ = 9;
    public static final int ICRP = 10;
    public static final int ICCN = 11;
    public static final int CCRQ = 12;
    public static final int CDN = 13;
    public static final int WEN = 14;
    public static final int SLI = 15;

    /** The message in a "pptp" layer; null for another layer or one shorter than the 12-byte header. */
    public static PptpPacket of(Layer l) {
        return PptpCodec.packet(l);
    }
}
