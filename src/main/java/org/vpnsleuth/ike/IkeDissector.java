package org.vpnsleuth.ike;

import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.Layer;

/**
 * The payloads of an IKE message, after the 28-byte header that {@code IkeHeaderCodec} decodes.
 * IKEv2 (major version 2) payloads are decoded by {@link Ikev2Payloads}, IKEv1 (major version 1)
 * payloads by {@link Ikev1Payloads}.
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
        return new PayloadChain(ike.buf, ike.payloadOffset(), bodyEnd(ike), ike.buf[ike.offset + 16] & 0xff, major(ike) == 2);
    }

    private static int bodyEnd(Layer ike) {
        long claimed = (long) ike.payloadOffset() + ike.payloadLength;
        return (int) Math.max(ike.payloadOffset(), Math.min(ike.end, claimed));
    }

    /** IKEv1 Encryption flag (RFC 2408 §3.1): the payloads after the header are ciphertext. */
    private static boolean v1Encrypted(Layer ike) {
        return (ike.buf[ike.offset + 19] & 0x01) != 0;
    }


    private static IkeDecodeState.MessageInfo info(Layer ike) {
        return ike.info instanceof IkeDecodeState.MessageInfo m ? m : null;
    }

    private static IkeDecodeState.Negotiated negotiated(Layer ike) {
        IkeDecodeState.MessageInfo m = info(ike);
        return m == null ? null : m.negotiated();
    }

    /**
     * The payloads of an IKEv1 message with the Encryption flag are ciphertext, except in a
     * fragment: payload 132 is never encrypted (the message it carries a piece of may be).
     */
    private static boolean v1Ciphertext(Layer ike) {
        return v1Encrypted(ike) && (ike.buf[ike.offset + 16] & 0xff) != PayloadType.V1_FRAG;
    }

    private static void context(Layer ike, FieldSink out) {
        IkeDecodeState.MessageInfo m = info(ike);
        if (m == null) {
            return;
        }
        if (m.direction() != null) {
            out.text("direction", m.direction());
        }
        if (m.decryptedWith() != null) {
            out.bool("decrypted", true);
            out.text("decryptedWith", m.decryptedWith());
        }
        IkeDecodeState.Reassembled r = m.reassembled();
        if (r != null) {
            out.begin("reassembled");
            out.number("fragmentId", r.fragmentId());
            out.number("fragments", r.fragments());
            out.number("length", r.length());
            out.beginList("frames");
            for (long f : r.frames()) {
                out.number(null, f);
            }
            out.endList();
            out.end();
        }
    }

    private static void fieldsV1(Layer ike, FieldSink out) {
        context(ike, out);
        if (v1Ciphertext(ike)) {
            int n = bodyEnd(ike) - ike.payloadOffset();
            out.bool("encrypted", true);
            out.number("encryptedLength", n);
            IkeDecodeState.Negotiated neg = negotiated(ike);
            if (neg != null) {
                out.text("cipher", neg.cipherName());
                out.number("negotiatedInFrame", neg.frame());
                IkeAlgorithms.Sizes c = neg.cipherSizes();
                if (c != null && c.blockSize() > 1 && n % c.blockSize() != 0 && !ike.truncated) {
                    out.text(ike.malformed == null ? "malformed" : "payloadsMalformed", "ciphertext of " + n
                            + " bytes is not a whole number of " + c.blockSize() + "-byte blocks of " + neg.cipherName());
                }
            }
            return;
        }
        V1Message msg = parseV1(ike);
        out.beginList("payloads");
        for (V1Entry e : msg.payloads()) {
            out.begin(null);
            out.named("type", e.type(), IkeRegistries.ISAKMP_PAYLOAD_TYPES.name(e.type()));
            out.number("length", e.length());
            if (e.body() != null) {
                Ikev1Payloads.render(e.body(), out);
            }
            out.end();
        }
        out.endList();
        chainMalformed(ike, msg.chainMalformed(), out);
    }

    private static void chainMalformed(Layer ike, String chainMalformed, FieldSink out) {
        if (chainMalformed != null) {
            String why = ike.truncated ? chainMalformed + " (message cut by the capture)" : chainMalformed;
            // the layer's own "malformed" member (header problems) is written beside these fields
            out.text(ike.malformed == null ? "malformed" : "payloadsMalformed", why);
        }
    }

    /** One payload of an IKEv1 message: its generic header and its body parsed ({@link Ikev1Payloads#parse}). */
    public record V1Entry(int type, int length, Ikev1Payload body) {
    }

    /**
     * The payloads of an IKEv1 message, parsed once, and why the payload chain broke (null when it
     * did not); {@code encrypted}: the payloads are ciphertext (the Encryption flag, not a
     * fragment), so there are none.
     */
    public record V1Message(java.util.List<V1Entry> payloads, String chainMalformed, boolean truncated, boolean encrypted) {
    }

    /** The payloads of IKEv1 message {@code ike} parsed into records; null when it is not a usable IKEv1 layer. */
    public static V1Message parseV1(Layer ike) {
        if (!usable(ike) || major(ike) != 1) {
            return null;
        }
        if (v1Ciphertext(ike)) {
            return new V1Message(java.util.List.of(), null, ike.truncated, true);
        }
        PayloadChain c = chain(ike);
        java.util.List<V1Entry> l = new java.util.ArrayList<>();
        while (c.next()) {
            l.add(new V1Entry(c.type, c.length, Ikev1Payloads.parse(c.type, ike.buf, c.bodyOffset(), c.bodyEnd())));
        }
        return new V1Message(java.util.List.copyOf(l), c.malformed, ike.truncated, false);
    }

    /** One payload of an IKEv2 message: its generic header and its body parsed ({@link Ikev2Payloads#parse}). */
    public record V2Entry(int type, boolean critical, int length, Ikev2Payload body) {
    }

    /** The payloads of an IKEv2 message, parsed once, and why the payload chain broke (null when it did not). */
    public record V2Message(java.util.List<V2Entry> payloads, String chainMalformed, boolean truncated) {
    }

    /** The payloads of IKEv2 message {@code ike} parsed into records; null when it is not a usable IKEv2 layer. */
    public static V2Message parseV2(Layer ike) {
        if (!usable(ike) || major(ike) != 2) {
            return null;
        }
        IkeDecodeState.Negotiated neg = negotiated(ike);
        PayloadChain c = chain(ike);
        java.util.List<V2Entry> l = new java.util.ArrayList<>();
        while (c.next()) {
            l.add(new V2Entry(c.type, c.critical, c.length,
                    Ikev2Payloads.parse(c.type, c.nextPayload, ike.buf, c.bodyOffset(), c.bodyEnd(), neg)));
        }
        return new V2Message(java.util.List.copyOf(l), c.malformed, ike.truncated);
    }

    /** Emits {@code payloads[]} and, when the chain is broken, its reason. */
    public static void fields(Layer ike, FieldSink out) {
        if (!usable(ike)) {
            return;
        }
        if (major(ike) == 1) {
            fieldsV1(ike, out);
            return;
        }
        if (major(ike) != 2) {
            return;
        }
        context(ike, out);
        V2Message msg = parseV2(ike);
        out.beginList("payloads");
        for (V2Entry e : msg.payloads()) {
            out.begin(null);
            out.named("type", e.type(), IkeRegistries.IKEV2_PAYLOAD_TYPES.name(e.type()));
            out.bool("critical", e.critical());
            out.number("length", e.length());
            if (e.body() != null) {
                Ikev2Payloads.render(e.body(), out);
            }
            out.end();
        }
        out.endList();
        chainMalformed(ike, msg.chainMalformed(), out);
    }

    /** The summary of {@link #summary(Layer, StringBuilder)} for an IKEv2 message already parsed. */
    public static void summary(V2Message msg, StringBuilder out) {
        int mark = out.length();
        out.append(" [");
        boolean any = false;
        String firstBad = null;
        for (V2Entry e : msg.payloads()) {
            if (any) {
                out.append(' ');
            }
            any = true;
            if (firstBad == null && e.body() != null) {
                String why = e.body().firstMalformed();
                if (why != null) {
                    firstBad = shortName(e.type()) + ": " + why;
                }
            }
            out.append(shortName(e.type()));
            if (e.body() instanceof Ikev2Payload.Skf f && f.fragmentNumber() != null) {
                out.append('(').append(f.fragmentNumber()).append('/').append(f.totalFragments()).append(')');
            }
            if (e.body() instanceof Ikev2Payload.Notify n && n.type() != null) {
                String name = IkeRegistries.IKEV2_NOTIFY_TYPES.name(n.type());
                out.append('(').append(name != null ? name : Integer.toString(n.type())).append(')');
            }
        }
        close(out, mark, any, firstBad, msg.chainMalformed(), msg.truncated());
    }

    /** The summary of {@link #summary(Layer, StringBuilder)} for an IKEv1 message already parsed. */
    public static void summary(V1Message msg, StringBuilder out) {
        if (msg.encrypted()) {
            out.append(" [encrypted]");
            return;
        }
        int mark = out.length();
        out.append(" [");
        boolean any = false;
        String firstBad = null;
        for (V1Entry e : msg.payloads()) {
            if (any) {
                out.append(' ');
            }
            any = true;
            if (firstBad == null && e.body() != null) {
                String why = e.body().firstMalformed();
                if (why != null) {
                    firstBad = Ikev1Payloads.shortName(e.type()) + ": " + why;
                }
            }
            out.append(Ikev1Payloads.shortName(e.type()));
            if (e.type() == PayloadType.V1_FRAG && e.body() instanceof Ikev1Payload.Frag f && f.fragmentId() != null) {
                out.append('(').append(f.fragmentId()).append(':').append(f.fragmentNumber());
                out.append(f.last() ? " last)" : ")");
            } else if (e.type() == PayloadType.V1_N && e.body() instanceof Ikev1Payload.Notify n && n.type() != null) {
                String name = IkeRegistries.ISAKMP_NOTIFY_TYPES.name(n.type());
                out.append('(').append(name != null ? name : Integer.toString(n.type())).append(')');
            }
        }
        close(out, mark, any, firstBad, msg.chainMalformed(), msg.truncated());
    }

    /** Ends a summary: the "!" of a broken chain, the first malformed payload and the chain's reason. */
    private static void close(StringBuilder out, int mark, boolean any, String firstBad, String chainMalformed, boolean truncated) {
        if (chainMalformed != null) {
            out.append(any ? " !" : "!");
        }
        if (!any && chainMalformed == null) {
            out.setLength(mark);
            return;
        }
        out.append(']');
        if (firstBad != null) {
            out.append(" [malformed ").append(firstBad).append(']');
        }
        if (chainMalformed != null) {
            out.append(" [malformed payload chain: ").append(chainMalformed)
                    .append(truncated ? " (message cut by the capture)]" : "]");
        }
    }

    /**
     * Appends " [SA KE No N(NAT_DETECTION_SOURCE_IP) ...]" for an IKEv2 message, " [SA VID NAT-D ...]"
     * for an IKEv1 one (" [encrypted]" when its Encryption flag is set).
     */
    public static void summary(Layer ike, StringBuilder out) {
        if (!usable(ike)) {
            return;
        }
        int major = major(ike);
        if (major == 1) {
            summary(parseV1(ike), out);
        } else if (major == 2) {
            summary(parseV2(ike), out);
        }
    }
}
