package org.vpnsleuth.track;

import org.vpnsleuth.decode.PptpPacket;

/** One PPTP control message (RFC 2637 §2) of a control connection, with the fields the diagnosis reads. */
public final class PptpMessage {
    public final FrameRef at;
    /** Sent by the client (the end that opened the TCP connection to port 1723). */
    public final boolean fromClient;
    public final int type;
    /** "Start-Control-Connection-Request", ... */
    public final String name;
    public long callId = -1;
    public long peerCallId = -1;
    public int resultCode = -1;
    public String resultName;
    public int errorCode = -1;
    public String errorName;
    public int causeCode = -1;
    /** StopCCRQ reason (named). */
    public String reason;
    public String hostName;
    public String vendor;
    public String callStatistics;

    PptpMessage(FrameRef at, boolean fromClient, int type, String name) {
        this.at = at;
        this.fromClient = fromClient;
        this.type = type;
        this.name = name;
    }

    /** The message as the decoded packet has it. */
    PptpMessage(FrameRef at, boolean fromClient, PptpPacket p) {
        this(at, fromClient, p.controlType(),
                p.controlTypeName() != null ? p.controlTypeName() : "type " + p.controlType());
        callId = p.callId();
        peerCallId = p.peerCallId();
        resultCode = p.resultCode();
        resultName = p.resultName();
        errorCode = p.errorCode();
        errorName = p.errorName();
        causeCode = p.causeCode();
        reason = p.reasonName();
        hostName = p.hostName();
        vendor = p.vendor();
        callStatistics = p.callStatistics();
    }

    /** "result 7 (Do Not Accept), error 0 (None)" or "". */
    public String result() {
        if (resultCode < 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder("result ").append(resultCode);
        if (resultName != null) {
            sb.append(" (").append(resultName).append(')');
        }
        if (errorCode > 0) {
            sb.append(", error ").append(errorCode);
            if (errorName != null) {
                sb.append(" (").append(errorName).append(')');
            }
        }
        if (causeCode > 0) {
            sb.append(", cause ").append(causeCode);
        }
        return sb.toString();
    }

    /** The short name used in the ladder and stoppedAt: "SCCRQ", "OCRP", "CCRQ", "CDN", ... */
    public String shortName() {
        return switch (type) {
            case PptpPacket.SCCRQ -> "SCCRQ";
            case PptpPacket.SCCRP -> "SCCRP";
            case PptpPacket.STOP_CCRQ -> "StopCCRQ";
            case PptpPacket.STOP_CCRP -> "StopCCRP";
            case PptpPacket.ECHO_REQUEST -> "Echo-Request";
            case PptpPacket.ECHO_REPLY -> "Echo-Reply";
            case PptpPacket.OCRQ -> "OCRQ";
            case PptpPacket.OCRP -> "OCRP";
            case PptpPacket.ICRQ -> "ICRQ";
            case PptpPacket.ICRP -> "ICRP";
            case PptpPacket.ICCN -> "ICCN";
            case PptpPacket.CCRQ -> "CCRQ";
            case PptpPacket.CDN -> "CDN";
            case PptpPacket.WEN -> "WEN";
            case PptpPacket.SLI -> "SLI";
            default -> "type " + type;
        };
    }
}
