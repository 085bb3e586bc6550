package org.vpnsleuth.decode;

/** The PPP frame header and the PPPoE header, read straight from their layers' bytes. */
public final class PppHeaders {
    private PppHeaders() {
    }

    /** PPPoE discovery codes (RFC 2516 §5; names in registry/pppoe-codes.tsv). */
    public static final int PADS = 0x65;
    public static final int PADT = 0xa7;

    /**
     * The direction byte of a "ppp" layer on a link type that has one (libpcap PPP_PPPD and
     * PPP_WITH_DIR: 0 received, 1 sent), -1 otherwise.
     */
    public static int direction(Layer l) {
        if (l.proto != Proto.PPP || (l.aux & PppCodecs.Ppp.DIR) == 0 || l.headerLength < 1) {
            return -1;
        }
        return l.u8(0);
    }

    /**
     * The PPPoE header (RFC 2516 §4) of a "pppoe" (session) or "pppoed" (discovery) layer.
     *
     * @param code 0 for session data, PADI ... PADT for discovery
     * @param sessionId the session ID (0 before PADS)
     */
    public record Pppoe(int code, String codeName, int sessionId) {
    }

    /** The PPPoE header of a "pppoe" or "pppoed" layer; null for another layer or one below 6 bytes. */
    public static Pppoe pppoe(Layer l) {
        if (l.proto != Proto.PPPOE && l.proto != Proto.PPPOED || l.headerLength < 6) {
            return null;
        }
        return new Pppoe(l.u8(1), PppCodecs.PPPOE_CODES.name(l.u8(1)), l.u16(2));
    }
}
