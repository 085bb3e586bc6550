package org.vpnsleuth.track;

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
            case 1 -> "SCCRQ";
            case 2 -> "SCCRP";
            case 3 -> "StopCCRQ";
            case 4 -> "StopCCRP";
            case 5 -> "Echo-Request";
            case 6 -> "Echo-Reply";
            case 7 -> "OCRQ";
            case 8 -> "OCRP";
            case 9 -> "ICRQ";
            case 10 -> "ICRP";
            case 11 -> "ICCN";
            case 12 -> "CCRQ";
            case 13 -> "CDN";
            case 14 -> "WEN";
            case 15 -> "SLI";
            default -> "type " + type;
        };
    }
}
