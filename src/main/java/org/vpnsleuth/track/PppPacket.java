package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One PPP control or authentication packet (LCP, PAP, CHAP, EAP, IPCP, IPV6CP, CCP) of a PPP
 * session, with what the diagnosis reads from it. {@code fromA} tells the direction: side A is the
 * client end of the session (the L2TP caller, the PPTP client, the PPPoE host).
 */
public final class PppPacket {
    public final FrameRef at;
    public final boolean fromA;
    /** "LCP", "PAP", "CHAP", "EAP", "IPCP", "IPV6CP", "CCP", or "PPPoE" for a discovery packet (code PADI ... PADT, identifier the session ID, options its tags). */
    public final String protocol;
    public final int code;
    /** "Configure-Request", "Failure", ... (or "code N"). */
    public final String codeName;
    public final int identifier;
    /** The options of a Configure-Request/Ack/Nak/Reject, in words ("MRU 1400, Auth CHAP MS-CHAP-2, Magic 0x..."). */
    public final List<String> options = new ArrayList<>();
    /** LCP option 3 in this packet: "PAP", "CHAP with MD5", "MS-CHAP-2", "EAP"; null when absent. */
    public String authProtocol;
    /** IPCP option 3 (IP-Address) in this packet. */
    public String address;
    /** PAP/CHAP Success/Failure text, LCP Terminate reason, EAP notification. */
    public String message;
    /** MS-CHAP Failure E= code and its name; -1 when none. */
    public long errorCode = -1;
    public String errorName;
    public String failureMessage;
    /** CHAP Challenge/Response name, PAP peer ID, EAP identity. */
    public String name;
    /** CHAP Response recognised as MS-CHAPv2; EAP method type name. */
    public String variant;
    /** PPPoE discovery: the first error tag's name (Service-Name-Error, AC-System-Error, Generic-Error), its text in {@link #message}. */
    public String pppoeError;

    PppPacket(FrameRef at, boolean fromA, String protocol, int code, String codeName, int identifier) {
        this.at = at;
        this.fromA = fromA;
        this.protocol = protocol;
        this.code = code;
        this.codeName = codeName;
        this.identifier = identifier;
    }

    /** "LCP Configure-Request id=1". */
    public String label() {
        if (protocol.equals("PPPoE")) {
            return "PPPoE " + codeName + (identifier != 0 ? String.format(java.util.Locale.ROOT, " session 0x%04x", identifier) : "");
        }
        return protocol + " " + codeName + " id=" + identifier;
    }

    /** The details in words: options, name, message, error code. */
    public String detail() {
        StringBuilder sb = new StringBuilder();
        if (!options.isEmpty()) {
            sb.append(String.join(", ", options));
        }
        if (name != null) {
            sb.append(sb.length() > 0 ? "; " : "").append("name '").append(name).append('\'');
        }
        if (variant != null) {
            sb.append(sb.length() > 0 ? "; " : "").append(variant);
        }
        if (errorCode >= 0) {
            sb.append(sb.length() > 0 ? "; " : "").append("E=").append(errorCode);
            if (errorName != null) {
                sb.append(' ').append(errorName);
            }
        }
        String text = failureMessage != null ? failureMessage : message;
        if (text != null && !text.isEmpty()) {
            sb.append(sb.length() > 0 ? "; " : "").append('\'').append(text).append('\'');
        }
        return sb.toString();
    }
}
