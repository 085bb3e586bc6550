package org.vpnsleuth.ike;

import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.NameTable;
import static org.vpnsleuth.ike.PayloadFields.malformed;
import static org.vpnsleuth.ike.PayloadFields.name;
import static org.vpnsleuth.ike.PayloadFields.need;

/**
 * The bodies of the IKEv1 / ISAKMP payloads (RFC 2407, 2408 §3, 2409, 3947, draft-ietf-ipsec-nat-t
 * payload numbers 130/131, draft-dukes-ike-mode-cfg and draft-beaulieu-ike-xauth attributes, the
 * Cisco/Microsoft fragmentation payload 132), emitted as fields. Every inner length is checked
 * against the payload's bounds; a piece that does not fit gets a "malformed" text field and the
 * decoding of that payload stops. Names come from the IANA tables in {@link IkeRegistries}. Never
 * throws on any input. XAUTH passwords and passcodes are secrets: only their length is shown.
 */
public final class Ikev1Payloads {
    private Ikev1Payloads() {
    }


    /** Short names of payload types 0..21 as written in RFC 2408/2409 exchange diagrams. */
    private static final String[] SHORT = {
        null, "SA", "P", "T", "KE", "ID", "CERT", "CR", "HASH", "SIG", "NONCE", "N", "D", "VID", "ATTR",
        "SAK", "SAT", "KD", "SEQ", "POP", "NAT-D", "NAT-OA",
    };

    private static final int PROTO_ISAKMP = 1;

    // Phase-1 attribute classes with a value table (RFC 2409 appendix A)
    private static final int P1_ENCRYPTION = 1;
    private static final int P1_HASH = 2;
    private static final int P1_AUTH = 3;
    private static final int P1_GROUP_DESC = 4;
    private static final int P1_GROUP_TYPE = 5;
    private static final int P1_LIFE_TYPE = 11;
    // Phase-2 attribute classes with a value table (RFC 2407 §4.5)
    private static final int P2_LIFE_TYPE = 1;
    private static final int P2_GROUP_DESC = 3;
    private static final int P2_ENCAPSULATION = 4;
    private static final int P2_AUTH = 5;

    // Notify types with a structured body (RFC 3706)
    private static final int N_R_U_THERE = 36136;
    private static final int N_R_U_THERE_ACK = 36137;
    private static final int N_RESPONDER_LIFETIME = 24576;
    private static final int N_REPLAY_STATUS = 24577;

    // ModeCfg / XAUTH attribute types
    private static final int CFG_APPLICATION_VERSION = 7;
    private static final int CFG_INTERNAL_IP4_SUBNET = 13;
    private static final int XAUTH_TYPE = 16520;
    private static final int XAUTH_USER_NAME = 16521;
    private static final int XAUTH_USER_PASSWORD = 16522;
    private static final int XAUTH_PASSCODE = 16523;
    private static final int XAUTH_MESSAGE = 16524;
    private static final int XAUTH_STATUS = 16527;

    /** The IKEv1 short notation of a payload type ("SA", "NAT-D", ...), or its number. */
    public static String shortName(int type) {
        if (type >= 0 && type < SHORT.length && SHORT[type] != null) {
            return SHORT[type];
        }
        return switch (type) {
            case PayloadType.V1_NAT_D_DRAFT -> "NAT-D";
            case PayloadType.V1_NAT_OA_DRAFT -> "NAT-OA";
            case PayloadType.V1_FRAG -> "FRAG";
            default -> Integer.toString(type);
        };
    }

    /** The table naming the transform IDs of an ISAKMP protocol ID, or null. */
    public static NameTable transformIds(int protocolId) {
        return switch (protocolId) {
            case 1 -> IkeRegistries.ISAKMP_KEY_IKE_TRANSFORMS;
            case 2 -> IkeRegistries.ISAKMP_IPSEC_AH_TRANSFORMS;
            case 3 -> IkeRegistries.ISAKMP_IPSEC_ESP_TRANSFORMS;
            case 4 -> IkeRegistries.ISAKMP_IPCOMP_TRANSFORMS;
            default -> null;
        };
    }

    /** The table naming the values of attribute class {@code cls} in phase 1 or 2, or null. */
    static NameTable valueTable(boolean phase1, int cls) {
        if (phase1) {
            return switch (cls) {
                case P1_ENCRYPTION -> IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS;
                case P1_HASH -> IkeRegistries.IKE_PHASE1_HASH_ALGORITHMS;
                case P1_AUTH -> IkeRegistries.IKE_PHASE1_AUTH_METHODS;
                case P1_GROUP_DESC -> IkeRegistries.IKE_PHASE1_GROUP_DESCRIPTIONS;
                case P1_GROUP_TYPE -> IkeRegistries.IKE_PHASE1_GROUP_TYPES;
                case P1_LIFE_TYPE -> IkeRegistries.IKE_PHASE1_LIFE_TYPES;
                default -> null;
            };
        }
        return switch (cls) {
            case P2_LIFE_TYPE -> IkeRegistries.IPSEC_PHASE2_LIFE_TYPES;
            case P2_GROUP_DESC -> IkeRegistries.IKE_PHASE1_GROUP_DESCRIPTIONS; // PFS group, same registry
            case P2_ENCAPSULATION -> IkeRegistries.IPSEC_PHASE2_ENCAPSULATION_MODES;
            case P2_AUTH -> IkeRegistries.IPSEC_PHASE2_AUTH_ALGORITHMS;
            default -> null;
        };
    }

    /**
     * Emits the fields of the body of an IKEv1 payload of {@code type}: {@code b[off, end)} is the
     * body after the 4-byte generic header.
     */
    public static void fields(int type, byte[] b, int off, int end, FieldSink out) {
        if (b == null || off < 0 || end > b.length || off > end) {
            return;
        }
        switch (type) {
            case PayloadType.V1_SA -> sa(b, off, end, out);
            // Proposal and Transform are substructures of SA (RFC 2408 §3.5, §3.6); one standing on
            // its own in the chain is decoded as such (its generic header is the substructure's),
            // with the ISAKMP protocol's names since no proposal says otherwise
            case PayloadType.V1_P -> PayloadFields.proposal(b, off - 4, end, out, IkeRegistries.ISAKMP_PROTOCOL_IDS, Ikev1Payloads::transform);
            case PayloadType.V1_T -> transform(b, off - 4, end, PROTO_ISAKMP, out);
            case PayloadType.V1_KE -> out.number("dataLength", end - off);
            case PayloadType.V1_ID -> id(b, off, end, out);
            case PayloadType.V1_CERT, PayloadType.V1_CR -> cert(type == PayloadType.V1_CR, b, off, end, out);
            case PayloadType.V1_HASH, PayloadType.V1_SIG -> {
                out.number("dataLength", end - off);
                out.bytes("data", b, off, end - off);
            }
            case PayloadType.V1_NONCE -> {
                out.number("nonceLength", end - off);
                out.bytes("nonce", b, off, end - off);
            }
            case PayloadType.V1_N -> notify(b, off, end, out);
            case PayloadType.V1_D -> delete(b, off, end, out);
            case PayloadType.V1_VID -> vendorId(b, off, end, out);
            case PayloadType.V1_NAT_D, PayloadType.V1_NAT_D_DRAFT -> out.bytes("hash", b, off, end - off);
            case PayloadType.V1_NAT_OA, PayloadType.V1_NAT_OA_DRAFT -> natOa(b, off, end, out);
            case PayloadType.V1_ATTR -> attributes(b, off, end, out);
            case PayloadType.V1_FRAG -> fragment(b, off, end, out);
            default -> {
                if (end > off) {
                    out.bytes("data", b, off, end - off);
                }
            }
        }
    }


    private static void doi(byte[] b, int off, FieldSink out) {
        long doi = Bytes.u32(b, off);
        out.named("doi", doi, name(IkeRegistries.ISAKMP_DOI, doi));
    }

    // ------------------------------------------------------------------ SA (RFC 2408 §3.4–3.6)

    private static void sa(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "SA payload")) {
            return;
        }
        doi(b, off, out);
        if (!need(out, off, 8, end, "SA payload")) {
            return;
        }
        long sit = Bytes.u32(b, off + 4);
        out.hexNumber("situation", sit, 8);
        StringBuilder names = new StringBuilder();
        for (int bit = 0; bit < 32; bit++) {
            if ((sit & (1L << bit)) != 0) {
                String s = IkeRegistries.ISAKMP_SITUATION.name(1 << bit);
                if (names.length() > 0) {
                    names.append(',');
                }
                names.append(s != null ? s : Bytes.hex32(1L << bit));
            }
        }
        if (names.length() > 0) {
            out.text("situationNames", names.toString());
        }
        int pos = off + 8;
        if (pos >= end) {
            return;
        }
        // SIT_SECRECY / SIT_INTEGRITY carry labelled domain data before the proposals (RFC 2407 §4.6.2)
        if ((sit & 6) != 0) {
            return;
        }
        PayloadFields.proposals(b, pos, end, out, IkeRegistries.ISAKMP_PROTOCOL_IDS, Ikev1Payloads::transform);
    }

    private static boolean transform(byte[] b, int pos, int end, int protocol, FieldSink out) {
        if (!need(out, pos, 8, end, "transform header")) {
            return false;
        }
        int len = Bytes.u16(b, pos + 2);
        if (len < 8 || len > end - pos) {
            malformed(out, "transform length " + len + (len < 8 ? " is below the 8-byte header"
                    : " overruns the proposal by " + (len - (end - pos)) + " bytes"));
            return false;
        }
        int id = b[pos + 5] & 0xff;
        out.number("number", b[pos + 4] & 0xff);
        out.named("transformId", id, name(transformIds(protocol), id));
        return attributeList(b, pos + 8, pos + len, protocol == PROTO_ISAKMP, out);
    }

    /**
     * SA attributes (RFC 2408 §3.3) in {@code b[a, tend)} as "attributes": basic (TV) and variable
     * (TLV) ones, named from the phase-1 or phase-2 classes; false when one does not fit.
     */
    private static boolean attributeList(byte[] b, int a, int tend, boolean phase1, FieldSink out) {
        NameTable classes = phase1 ? IkeRegistries.IKE_PHASE1_ATTRIBUTE_CLASSES : IkeRegistries.IPSEC_PHASE2_ATTRIBUTE_CLASSES;
        out.beginList("attributes");
        int seen = 0;
        while (a < tend && seen++ < 1024) {
            out.begin(null);
            if (tend - a < 4) {
                malformed(out, "transform attribute needs 4 bytes, only " + (tend - a) + " present");
                out.end();
                out.endList();
                return false;
            }
            int at = Bytes.u16(b, a);
            boolean tv = (at & 0x8000) != 0;
            at &= 0x7fff;
            out.named("type", at, classes.name(at));
            NameTable values = valueTable(phase1, at);
            if (tv) {
                int v = Bytes.u16(b, a + 2);
                out.named("value", v, name(values, v));
                a += 4;
            } else {
                int vl = Bytes.u16(b, a + 2);
                if (vl > tend - a - 4) {
                    malformed(out, "attribute length " + vl + " overruns the transform by " + (vl - (tend - a - 4)) + " bytes");
                    out.end();
                    out.endList();
                    return false;
                }
                variable(b, a + 4, vl, values, out);
                a += 4 + vl;
            }
            out.end();
        }
        out.endList();
        return true;
    }

    /** A variable-length attribute value: a number when it fits in 63 bits, hex otherwise. */
    private static void variable(byte[] b, int off, int len, NameTable values, FieldSink out) {
        if (len == 0) {
            out.bytes("value", b, off, 0);
            return;
        }
        int skip = 0;
        while (skip < len - 1 && b[off + skip] == 0) {
            skip++;
        }
        int sig = len - skip;
        if (sig < 8 || sig == 8 && (b[off + skip] & 0x80) == 0) {
            long v = 0;
            for (int i = skip; i < len; i++) {
                v = v << 8 | (b[off + i] & 0xff);
            }
            out.named("value", v, name(values, v));
        } else {
            out.bytes("value", b, off, len);
        }
    }

    // ------------------------------------------------------------------ ID (RFC 2407 §4.6.2)

    private static void id(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "ID payload")) {
            return;
        }
        int t = b[off] & 0xff;
        out.named("idType", t, IkeRegistries.IPSEC_ID_TYPES.name(t));
        out.number("protocolId", b[off + 1] & 0xff);
        out.number("port", Bytes.u16(b, off + 2));
        Identities.decode(t, true, b, off + 4, end - off - 4, out);
    }

    private static void cert(boolean request, byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 1, end, "certificate payload")) {
            return;
        }
        int e = b[off] & 0xff;
        out.named("encoding", e, IkeRegistries.ISAKMP_CERT_ENCODINGS.name(e));
        out.number("dataLength", end - off - 1);
        PayloadFields.certificateData(e, request, false, b, off + 1, end, out);
    }

    // ------------------------------------------------------------------ N, D (RFC 2408 §3.14–3.15)

    private static void notify(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 8, end, "Notification payload")) {
            return;
        }
        doi(b, off, out);
        int proto = b[off + 4] & 0xff;
        int spiSize = b[off + 5] & 0xff;
        int t = Bytes.u16(b, off + 6);
        out.named("protocolId", proto, IkeRegistries.ISAKMP_PROTOCOL_IDS.name(proto));
        out.number("spiSize", spiSize);
        out.named("notifyType", t, IkeRegistries.ISAKMP_NOTIFY_TYPES.name(t));
        if (spiSize > end - off - 8) {
            malformed(out, "SPI size " + spiSize + " overruns the payload");
            return;
        }
        if (spiSize > 0) {
            out.bytes("spi", b, off + 8, spiSize);
        }
        int d = off + 8 + spiSize;
        int n = end - d;
        if (t == N_R_U_THERE || t == N_R_U_THERE_ACK) {
            if (n != 4) {
                malformed(out, "DPD sequence number of " + n + " bytes (4 expected)");
                return;
            }
            out.number("sequence", Bytes.u32(b, d));
        } else if (t == N_REPLAY_STATUS) { // RFC 2407 §4.6.3.2: replay detection enabled (1) or not (0)
            if (n != 4) {
                malformed(out, "REPLAY-STATUS data of " + n + " bytes (4 expected)");
                return;
            }
            out.bool("replayDetection", Bytes.u32(b, d) != 0);
        } else if (t == N_RESPONDER_LIFETIME) { // RFC 2407 §4.6.3.1: SA attributes (life type and duration)
            attributeList(b, d, end, proto == PROTO_ISAKMP, out);
        } else if (n > 0) {
            out.bytes("data", b, d, n);
        }
    }

    private static void delete(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 8, end, "Delete payload")) {
            return;
        }
        doi(b, off, out);
        int proto = b[off + 4] & 0xff;
        int spiSize = b[off + 5] & 0xff;
        int count = Bytes.u16(b, off + 6);
        out.named("protocolId", proto, IkeRegistries.ISAKMP_PROTOCOL_IDS.name(proto));
        out.number("spiSize", spiSize);
        out.number("spiCount", count);
        long need = (long) spiSize * count;
        if (need != end - off - 8) {
            malformed(out, count + " SPIs of " + spiSize + " bytes need " + need + " bytes, the payload holds " + (end - off - 8));
            return;
        }
        if (spiSize == 0) {
            return;
        }
        out.beginList("spis");
        for (int i = 0, p = off + 8; i < count; i++, p += spiSize) {
            out.bytes(null, b, p, spiSize);
        }
        out.endList();
    }

    private static void vendorId(byte[] b, int off, int end, FieldSink out) {
        out.bytes("vendorId", b, off, end - off);
        String name;
        try {
            name = VendorIds.describe(b, off, end - off);
        } catch (RuntimeException | LinkageError e) {
            name = null;
        }
        if (name != null) {
            out.text("vendor", name);
        }
    }

    private static void natOa(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "NAT-OA payload")) {
            return;
        }
        int t = b[off] & 0xff;
        out.named("idType", t, IkeRegistries.IPSEC_ID_TYPES.name(t));
        int n = end - off - 4;
        if (t == 1 && Identities.exact(out, n, 4, "IPv4 address")) {
            out.text("address", Bytes.ipv4(b, off + 4));
        } else if (t == 5 && Identities.exact(out, n, 16, "IPv6 address")) {
            out.text("address", Bytes.ipv6(b, off + 4));
        } else if (t != 1 && t != 5) {
            malformed(out, "NAT-OA with ID type " + t + " (IPv4 or IPv6 address expected)");
        }
    }

    // ------------------------------------------------------------------ ModeCfg / XAUTH attributes

    private static void attributes(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "Attribute payload")) {
            return;
        }
        int t = b[off] & 0xff;
        out.named("cfgType", t, IkeRegistries.MODECFG_MESSAGE_TYPES.name(t));
        out.number("identifier", Bytes.u16(b, off + 2));
        int a = off + 4;
        out.beginList("attributes");
        int seen = 0;
        while (a < end && seen++ < 1024) {
            out.begin(null);
            if (end - a < 4) {
                malformed(out, "attribute needs 4 bytes, only " + (end - a) + " present");
                out.end();
                break;
            }
            int at = Bytes.u16(b, a);
            boolean tv = (at & 0x8000) != 0;
            at &= 0x7fff;
            out.named("type", at, IkeRegistries.MODECFG_ATTRIBUTE_TYPES.name(at));
            if (tv) {
                out.number("value", Bytes.u16(b, a + 2));
                a += 4;
                out.end();
                continue;
            }
            int vl = Bytes.u16(b, a + 2);
            if (vl > end - a - 4) {
                malformed(out, "attribute length " + vl + " overruns the payload by " + (vl - (end - a - 4)) + " bytes");
                out.end();
                break;
            }
            cfgValue(at, b, a + 4, vl, out);
            a += 4 + vl;
            out.end();
        }
        out.endList();
    }

    private static void cfgValue(int at, byte[] b, int v, int n, FieldSink out) {
        if (at == XAUTH_USER_PASSWORD || at == XAUTH_PASSCODE) {
            out.number("valueLength", n); // a secret: never the value
            return;
        }
        if (n == 0) {
            return; // a request for the attribute
        }
        boolean ip4 = at >= 1 && at <= 6 && at != 5;
        if (ip4 && n == 4) {
            out.text("value", Bytes.ipv4(b, v));
        } else if (at == CFG_INTERNAL_IP4_SUBNET && n == 8) {
            out.text("value", Bytes.ipv4(b, v) + "/" + Bytes.ipv4(b, v + 4));
        } else if (at == XAUTH_USER_NAME || at == XAUTH_MESSAGE || at == CFG_APPLICATION_VERSION) {
            out.text("value", Ikev2Payloads.text(b, v, n));
        } else if ((at == XAUTH_TYPE || at == XAUTH_STATUS || at == 5) && n <= 4) {
            long x = 0;
            for (int i = 0; i < n; i++) {
                x = x << 8 | (b[v + i] & 0xff);
            }
            out.number("value", x);
        } else {
            out.bytes("value", b, v, n);
        }
    }

    // ------------------------------------------------------------------ fragmentation (132)

    private static void fragment(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "Fragmentation payload")) {
            return;
        }
        int flags = b[off + 3] & 0xff;
        out.number("fragmentId", Bytes.u16(b, off));
        out.number("fragmentNumber", b[off + 2] & 0xff);
        out.hexNumber("flags", flags, 2);
        out.bool("lastFragment", (flags & 1) != 0);
        out.number("fragmentDataLength", end - off - 4);
    }
}
