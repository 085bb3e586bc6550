package org.vpnsleuth.decode;

/** The PPP frame header and the PPPoE header, read straight from their layers' bytes. */
public final class PppHeaders {
    private PppHeaders() {
    }

    /** PPPoE discovery codes (RFC 2516 §5; names in registry/pppoe-codes.tsv). */
    public static final int PADI = 0x09;
    public static final int PADO = 0x07;
    public static final int PADR = 0x19;
    public static final int PADS = 0x65;
    public static final int PADT = 0xa7;

    /** PPPoE tag types (RFC 2516 appendix A; names in registry/pppoe-tags.tsv). */
    public static final int TAG_END_OF_LIST = 0x0000;
    public static final int TAG_SERVICE_NAME = 0x0101;
    public static final int TAG_AC_NAME = 0x0102;
    public static final int TAG_SERVICE_NAME_ERROR = 0x0201;
    public static final int TAG_AC_SYSTEM_ERROR = 0x0202;
    public static final int TAG_GENERIC_ERROR = 0x0203;
    /** At most this many tags are read from one discovery packet. */
    static final int MAX_TAGS = 64;

    /**
     * One tag of a PPPoE discovery packet (RFC 2516 appendix A): its type and name, its declared length,
     * and its value as text (ISO-8859-1, control characters as '.') for the tags whose value is text (Service-Name, AC-Name, the three error
     * tags; null otherwise), or null when the value is cut by the capture.
     */
    public record PppoeTag(int type, String name, int length, String text) {
        /** Service-Name-Error, AC-System-Error or Generic-Error. */
        public boolean error() {
            return type == TAG_SERVICE_NAME_ERROR || type == TAG_AC_SYSTEM_ERROR || type == TAG_GENERIC_ERROR;
        }
    }

    /** The tags of a "pppoed" layer, in order (End-Of-List ends them; at most {@link #MAX_TAGS}); empty for another layer. */
    public static java.util.List<PppoeTag> pppoeTags(Layer l) {
        java.util.List<PppoeTag> tags = new java.util.ArrayList<>();
        if (l.proto != Proto.PPPOED || l.headerLength < 6) {
            return tags;
        }
        byte[] b = l.buf;
        int o = l.payloadOffset();
        int end = Math.min(o + l.payloadLength, PppCodecs.dataEnd(l));
        while (o + 4 <= end && tags.size() < MAX_TAGS) {
            int type = org.vpnsleuth.base.Bytes.u16(b, o);
            int len = org.vpnsleuth.base.Bytes.u16(b, o + 2);
            if (type == TAG_END_OF_LIST) {
                break;
            }
            boolean textual = type == TAG_SERVICE_NAME || type == TAG_AC_NAME || type == TAG_SERVICE_NAME_ERROR
                    || type == TAG_AC_SYSTEM_ERROR || type == TAG_GENERIC_ERROR;
            String text = textual && o + 4 + len <= end ? PppCodecs.text(b, o + 4, len) : null;
            tags.add(new PppoeTag(type, PppCodecs.PPPOE_TAGS.name(type), len, text));
            o += 4 + len;
        }
        return tags;
    }

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
