package org.vpnsleuth.ike;

import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.Layer;

/**
 * The payloads of an IKE message, after the 28-byte header that {@code IkeHeaderCodec} decodes.
 * IKEv2 (major version 2) only for now; IKEv1 payloads are left to their own dissector.
 */
public final class IkeDissector {
    private IkeDissector() {
    }

    /**
     * The notation RFC 7296 §3.2 (and RFC 7383 for SKF) uses for payload types 33..53 in exchange
     * diagrams; index = type − 33, null where the RFCs give none.
     */
    private static final String[] SHORT = {
        "SA", "KE", "IDi", "IDr", "CERT", "CERTREQ", "AUTH", "No", "N", "D", "V", "TSi", "TSr", "SK", "CP", "EAP",
        "GSPM", "IDg", "GSA", "KD", "SKF", "PS",
    };

    private static final int NOTIFY = 41;

    /** The short notation of an IKEv2 payload type, or its number. */
    public static String shortName(int type) {
        int i = type - 33;
        return i >= 0 && i < SHORT.length && SHORT[i] != null ? SHORT[i] : Integer.toString(type);
    }

    private static boolean usable(Layer ike) {
        return ike != null && ike.buf != null && ike.headerLength >= 28 && ike.end <= ike.buf.length
                && ike.offset >= 0 && ike.offset + 28 <= ike.end;
    }

    private static int major(Layer ike) {
        return (ike.buf[ike.offset + 17] & 0xff) >>> 4;
    }

    private static PayloadChain chain(Layer ike) {
        int start = ike.payloadOffset();
        long claimed = (long) start + ike.payloadLength;
        int end = (int) Math.min(ike.end, claimed);
        return new PayloadChain(ike.buf, start, end, ike.buf[ike.offset + 16] & 0xff, true);
    }

    /** Emits {@code payloads[]} and, when the chain is broken, its reason. */
    public static void fields(Layer ike, FieldSink out) {
        if (!usable(ike) || major(ike) != 2) {
            return;
        }
        PayloadChain c = chain(ike);
        out.beginList("payloads");
        while (c.next()) {
            out.begin(null);
            out.named("type", c.type, IkeRegistries.IKEV2_PAYLOAD_TYPES.name(c.type));
            out.bool("critical", c.critical);
            out.number("length", c.length);
            Ikev2Payloads.fields(c.type, c.nextPayload, ike.buf, c.bodyOffset(), c.bodyEnd(), out);
            out.end();
        }
        out.endList();
        if (c.malformed != null) {
            String why = ike.truncated ? c.malformed + " (message cut by the capture)" : c.malformed;
            // the layer's own "malformed" member (header problems) is written beside these fields
            out.text(ike.malformed == null ? "malformed" : "payloadsMalformed", why);
        }
    }

    /** Appends " [SA KE No N(NAT_DETECTION_SOURCE_IP) ...]" for an IKEv2 message. */
    public static void summary(Layer ike, StringBuilder out) {
        if (!usable(ike) || major(ike) != 2) {
            return;
        }
        PayloadChain c = chain(ike);
        int mark = out.length();
        out.append(" [");
        boolean any = false;
        while (c.next()) {
            if (any) {
                out.append(' ');
            }
            any = true;
            out.append(shortName(c.type));
            if (c.type == NOTIFY && c.length >= 8) {
                int t = Bytes.u16(ike.buf, c.offset + 6);
                String n = IkeRegistries.IKEV2_NOTIFY_TYPES.name(t);
                out.append('(').append(n != null ? n : Integer.toString(t)).append(')');
            }
        }
        if (c.malformed != null) {
            out.append(any ? " !" : "!");
        }
        if (!any && c.malformed == null) {
            out.setLength(mark);
            return;
        }
        out.append(']');
    }
}
