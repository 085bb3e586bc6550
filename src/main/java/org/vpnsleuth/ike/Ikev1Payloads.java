package org.vpnsleuth.ike;

import static org.vpnsleuth.ike.PayloadFields.malformed;
import static org.vpnsleuth.ike.PayloadFields.name;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.decode.FieldSink;

/**
 * The bodies of the IKEv1 / ISAKMP payloads (RFC 2407, 2408 §3, 2409, 3947, draft-ietf-ipsec-nat-t
 * payload numbers 130/131, draft-dukes-ike-mode-cfg and draft-beaulieu-ike-xauth attributes, the
 * Cisco/Microsoft fragmentation payload 132): {@link #parse} reads a body once into its
 * {@link Ikev1Payload} record, {@link #render} emits its fields. Every inner length is checked
 * against the payload's bounds; a piece that does not fit gets a "malformed" reason (a text field
 * when rendered) and the decoding of that payload stops. Names come from the IANA tables in
 * {@link IkeRegistries}, looked up when rendering. Never throws on any input. XAUTH passwords and
 * passcodes are secrets: the record keeps only their length, and only that is shown.
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
    public static NameTable valueTable(boolean phase1, int cls) {
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
        Ikev1Payload p = parse(type, b, off, end);
        if (p != null) {
            render(p, out);
        }
    }

    /**
     * The body {@code b[off, end)} (after the 4-byte generic header) of an IKEv1 payload of
     * {@code type} parsed into its record; null when the bounds are not those of the buffer.
     */
    public static Ikev1Payload parse(int type, byte[] b, int off, int end) {
        if (b == null || off < 0 || end > b.length || off > end) {
            return null;
        }
        return switch (type) {
            case PayloadType.V1_SA -> sa(b, off, end);
            // Proposal and Transform are substructures of SA (RFC 2408 §3.5, §3.6); one standing on
            // its own in the chain is decoded as such (its generic header is the substructure's),
            // with the ISAKMP protocol's names since no proposal says otherwise
            case PayloadType.V1_P -> proposal(b, off - 4, end);
            case PayloadType.V1_T -> transform(b, off - 4, end);
            case PayloadType.V1_KE -> new Ikev1Payload.Ke(end - off);
            case PayloadType.V1_ID -> id(b, off, end);
            case PayloadType.V1_CERT, PayloadType.V1_CR -> cert(type == PayloadType.V1_CR, b, off, end);
            case PayloadType.V1_HASH, PayloadType.V1_SIG -> new Ikev1Payload.Hash(PayloadFields.copy(b, off, end));
            case PayloadType.V1_NONCE -> new Ikev1Payload.Nonce(PayloadFields.copy(b, off, end));
            case PayloadType.V1_N -> notify(b, off, end);
            case PayloadType.V1_D -> delete(b, off, end);
            case PayloadType.V1_VID -> new Ikev1Payload.VendorId(PayloadFields.copy(b, off, end), vendor(b, off, end));
            case PayloadType.V1_NAT_D, PayloadType.V1_NAT_D_DRAFT -> new Ikev1Payload.NatD(PayloadFields.copy(b, off, end));
            case PayloadType.V1_NAT_OA, PayloadType.V1_NAT_OA_DRAFT -> natOa(b, off, end);
            case PayloadType.V1_ATTR -> attributes(b, off, end);
            case PayloadType.V1_FRAG -> fragment(b, off, end);
            default -> new Ikev1Payload.Other(PayloadFields.copy(b, off, end));
        };
    }

    private static void doi(long doi, FieldSink out) {
        out.named("doi", doi, name(IkeRegistries.ISAKMP_DOI, doi));
    }

    // ------------------------------------------------------------------ rendering

    /** The fields of {@code p}, as `dissect -v` and the JSON show them. */
    public static void render(Ikev1Payload p, FieldSink out) {
        if (p instanceof Ikev1Payload.Sa x) {
            renderSa(x, out);
        } else if (p instanceof Ikev1Payload.Proposal x) {
            renderProposal(x, out);
        } else if (p instanceof Ikev1Payload.Transform x) {
            renderTransform(x, PROTO_ISAKMP, out);
        } else if (p instanceof Ikev1Payload.Ke x) {
            out.number("dataLength", x.dataLength());
        } else if (p instanceof Ikev1Payload.Id x) {
            if (x.idType() != null) {
                out.named("idType", x.idType(), IkeRegistries.IPSEC_ID_TYPES.name(x.idType()));
                out.number("protocolId", x.protocolId());
                out.number("port", x.port());
            }
            PayloadFields.malformedIf(out, x.malformed());
            if (x.value() != null) {
                Identities.render(x.value(), out);
            }
        } else if (p instanceof Ikev1Payload.Cert x) {
            if (x.encoding() != null) {
                out.named("encoding", x.encoding(), IkeRegistries.ISAKMP_CERT_ENCODINGS.name(x.encoding()));
                out.number("dataLength", x.dataLength());
            }
            PayloadFields.malformedIf(out, x.malformed());
            if (x.data() != null) {
                PayloadFields.render(x.data(), out);
            }
        } else if (p instanceof Ikev1Payload.Hash x) {
            out.number("dataLength", x.data().length);
            PayloadFields.bytes(out, "data", x.data());
        } else if (p instanceof Ikev1Payload.Nonce x) {
            out.number("nonceLength", x.nonce().length);
            PayloadFields.bytes(out, "nonce", x.nonce());
        } else if (p instanceof Ikev1Payload.Notify x) {
            renderNotify(x, out);
        } else if (p instanceof Ikev1Payload.Delete x) {
            if (x.doi() != null) {
                doi(x.doi(), out);
            }
            PayloadFields.renderDelete(IkeRegistries.ISAKMP_PROTOCOL_IDS, x.protocolId(), x.spiSize(), x.spiCount(), x.spis(),
                    x.malformed(), out);
        } else if (p instanceof Ikev1Payload.VendorId x) {
            PayloadFields.renderVendorId(x.id(), x.vendor(), out);
        } else if (p instanceof Ikev1Payload.NatD x) {
            PayloadFields.bytes(out, "hash", x.hash());
        } else if (p instanceof Ikev1Payload.NatOa x) {
            if (x.idType() != null) {
                out.named("idType", x.idType(), IkeRegistries.IPSEC_ID_TYPES.name(x.idType()));
            }
            if (x.address() != null) {
                out.text("address", x.address());
            }
            PayloadFields.malformedIf(out, x.malformed());
        } else if (p instanceof Ikev1Payload.Attr x) {
            renderAttr(x, out);
        } else if (p instanceof Ikev1Payload.Frag x) {
            if (x.fragmentId() != null) {
                out.number("fragmentId", x.fragmentId());
                out.number("fragmentNumber", x.fragmentNumber());
                out.hexNumber("flags", x.flags(), 2);
                out.bool("lastFragment", x.last());
                out.number("fragmentDataLength", x.dataLength());
            }
            PayloadFields.malformedIf(out, x.malformed());
        } else if (p instanceof Ikev1Payload.Other x) {
            if (x.data().length > 0) {
                PayloadFields.bytes(out, "data", x.data());
            }
        }
    }

    private static void renderSa(Ikev1Payload.Sa sa, FieldSink out) {
        if (sa.doi() != null) {
            doi(sa.doi(), out);
        }
        if (sa.situation() != null) {
            long sit = sa.situation();
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
        }
        if (sa.proposals() != null) {
            out.beginList("proposals");
            for (Ikev1Payload.Proposal p : sa.proposals()) {
                out.begin(null);
                renderProposal(p, out);
                out.end();
            }
            out.endList();
        }
        PayloadFields.malformedIf(out, sa.malformed());
    }

    private static void renderProposal(Ikev1Payload.Proposal p, FieldSink out) {
        if (p.number() != null) {
            out.number("number", p.number());
            out.named("protocolId", p.protocolId(), IkeRegistries.ISAKMP_PROTOCOL_IDS.name(p.protocolId()));
            out.number("spiSize", p.spiSize());
        }
        if (p.spi() != null) {
            PayloadFields.bytes(out, "spi", p.spi());
        }
        if (p.transformCount() != null) {
            out.number("transformCount", p.transformCount());
        }
        if (p.transforms() != null) {
            out.beginList("transforms");
            for (Ikev1Payload.Transform t : p.transforms()) {
                out.begin(null);
                renderTransform(t, p.protocolId(), out);
                out.end();
            }
            out.endList();
        }
        PayloadFields.malformedIf(out, p.malformed());
    }

    /** A transform of a proposal for {@code protocol}, whose tables name its ID and attributes. */
    private static void renderTransform(Ikev1Payload.Transform t, int protocol, FieldSink out) {
        if (t.number() != null) {
            out.number("number", t.number());
            out.named("transformId", t.transformId(), name(transformIds(protocol), t.transformId()));
        }
        if (t.attributes() != null) {
            renderAttributes(t.attributes(), protocol == PROTO_ISAKMP, out);
        }
        PayloadFields.malformedIf(out, t.malformed());
    }

    private static void renderAttributes(java.util.List<Ikev1Payload.Attribute> l, boolean phase1, FieldSink out) {
        NameTable classes = phase1 ? IkeRegistries.IKE_PHASE1_ATTRIBUTE_CLASSES : IkeRegistries.IPSEC_PHASE2_ATTRIBUTE_CLASSES;
        out.beginList("attributes");
        for (Ikev1Payload.Attribute a : l) {
            out.begin(null);
            if (a.type() != null) {
                out.named("type", a.type(), classes.name(a.type()));
                if (a.value() != null) {
                    out.named("value", a.value(), name(valueTable(phase1, a.type()), a.value()));
                }
                if (a.bytes() != null) {
                    PayloadFields.bytes(out, "value", a.bytes());
                }
            }
            PayloadFields.malformedIf(out, a.malformed());
            out.end();
        }
        out.endList();
    }

    private static void renderNotify(Ikev1Payload.Notify x, FieldSink out) {
        if (x.doi() != null) {
            doi(x.doi(), out);
            out.named("protocolId", x.protocolId(), IkeRegistries.ISAKMP_PROTOCOL_IDS.name(x.protocolId()));
            out.number("spiSize", x.spiSize());
            out.named("notifyType", x.type(), IkeRegistries.ISAKMP_NOTIFY_TYPES.name(x.type()));
        }
        if (x.spi() != null) {
            PayloadFields.bytes(out, "spi", x.spi());
        }
        if (x.sequence() != null) {
            out.number("sequence", x.sequence());
        }
        if (x.replayDetection() != null) {
            out.bool("replayDetection", x.replayDetection());
        }
        if (x.attributes() != null) {
            renderAttributes(x.attributes(), x.protocolId() == PROTO_ISAKMP, out);
        }
        if (x.data() != null) {
            PayloadFields.bytes(out, "data", x.data());
        }
        PayloadFields.malformedIf(out, x.malformed());
    }

    private static void renderAttr(Ikev1Payload.Attr x, FieldSink out) {
        if (x.cfgType() == null) {
            PayloadFields.malformedIf(out, x.malformed());
            return;
        }
        out.named("cfgType", x.cfgType(), IkeRegistries.MODECFG_MESSAGE_TYPES.name(x.cfgType()));
        out.number("identifier", x.identifier());
        out.beginList("attributes");
        for (Ikev1Payload.CfgAttribute a : x.attributes()) {
            out.begin(null);
            if (a.type() != null) {
                out.named("type", a.type(), IkeRegistries.MODECFG_ATTRIBUTE_TYPES.name(a.type()));
            }
            if (a.secretLength() != null) {
                out.number("valueLength", a.secretLength()); // a secret: never the value
            }
            if (a.number() != null) {
                out.number("value", a.number());
            }
            if (a.text() != null) {
                out.text("value", a.text());
            }
            if (a.bytes() != null) {
                PayloadFields.bytes(out, "value", a.bytes());
            }
            PayloadFields.malformedIf(out, a.malformed());
            out.end();
        }
        out.endList();
        PayloadFields.malformedIf(out, x.malformed());
    }

    // ------------------------------------------------------------------ SA (RFC 2408 §3.4–3.6)

    private static Ikev1Payload.Sa sa(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "SA payload");
        if (short4 != null) {
            return new Ikev1Payload.Sa(null, null, null, short4);
        }
        long doi = Bytes.u32(b, off);
        String short8 = PayloadFields.needs(off, 8, end, "SA payload");
        if (short8 != null) {
            return new Ikev1Payload.Sa(doi, null, null, short8);
        }
        long sit = Bytes.u32(b, off + 4);
        int pos = off + 8;
        // SIT_SECRECY / SIT_INTEGRITY carry labelled domain data before the proposals (RFC 2407 §4.6.2)
        if (pos >= end || (sit & 6) != 0) {
            return new Ikev1Payload.Sa(doi, sit, null, null);
        }
        PayloadFields.ProposalList<Ikev1Payload.Proposal> l = PayloadFields.proposals(b, pos, end, Ikev1Payloads::transform,
                Ikev1Payload.Transform::firstMalformed, Ikev1Payload.Proposal::new, Ikev1Payload.Proposal::firstMalformed);
        return new Ikev1Payload.Sa(doi, sit, l.proposals(), l.malformed());
    }

    /** One proposal at {@code pos} (a standing-alone P payload). */
    private static Ikev1Payload.Proposal proposal(byte[] b, int pos, int end) {
        return PayloadFields.proposal(b, pos, end, Ikev1Payloads::transform, Ikev1Payload.Transform::firstMalformed,
                Ikev1Payload.Proposal::new);
    }

    private static Ikev1Payload.Transform transform(byte[] b, int pos, int end) {
        String short8 = PayloadFields.needs(pos, 8, end, "transform header");
        if (short8 != null) {
            return new Ikev1Payload.Transform(null, null, null, short8);
        }
        int len = Bytes.u16(b, pos + 2);
        if (len < 8 || len > end - pos) {
            return new Ikev1Payload.Transform(null, null, null, "transform length " + len
                    + (len < 8 ? " is below the 8-byte header" : " overruns the proposal by " + (len - (end - pos)) + " bytes"));
        }
        return new Ikev1Payload.Transform(b[pos + 4] & 0xff, b[pos + 5] & 0xff, attributeList(b, pos + 8, pos + len, "transform"), null);
    }

    /**
     * SA attributes (RFC 2408 §3.3) in {@code b[a, tend)}: basic (TV) and variable (TLV) ones; the
     * last one carries the reason when it does not fit in the {@code container}.
     */
    private static java.util.List<Ikev1Payload.Attribute> attributeList(byte[] b, int a, int tend, String container) {
        java.util.List<Ikev1Payload.Attribute> l = new java.util.ArrayList<>();
        int seen = 0;
        while (a < tend && seen++ < 1024) {
            if (tend - a < 4) {
                l.add(new Ikev1Payload.Attribute(null, null, null, "transform attribute needs 4 bytes, only " + (tend - a) + " present"));
                break;
            }
            int at = Bytes.u16(b, a);
            boolean tv = (at & 0x8000) != 0;
            at &= 0x7fff;
            if (tv) {
                l.add(new Ikev1Payload.Attribute(at, (long) Bytes.u16(b, a + 2), null, null));
                a += 4;
                continue;
            }
            int vl = Bytes.u16(b, a + 2);
            if (vl > tend - a - 4) {
                l.add(new Ikev1Payload.Attribute(at, null, null,
                        "attribute length " + vl + " overruns the " + container + " by " + (vl - (tend - a - 4)) + " bytes"));
                break;
            }
            l.add(variable(at, b, a + 4, vl));
            a += 4 + vl;
        }
        return java.util.List.copyOf(l);
    }

    /** A variable-length attribute value: a number when it fits in 63 bits, bytes otherwise. */
    private static Ikev1Payload.Attribute variable(int type, byte[] b, int off, int len) {
        if (len == 0) {
            return new Ikev1Payload.Attribute(type, null, new byte[0], null);
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
            return new Ikev1Payload.Attribute(type, v, null, null);
        }
        return new Ikev1Payload.Attribute(type, null, PayloadFields.copy(b, off, off + len), null);
    }

    // ------------------------------------------------------------------ ID (RFC 2407 §4.6.2), CERT/CR

    private static Ikev1Payload.Id id(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "ID payload");
        if (short4 != null) {
            return new Ikev1Payload.Id(null, null, null, null, short4);
        }
        int t = b[off] & 0xff;
        return new Ikev1Payload.Id(t, b[off + 1] & 0xff, Bytes.u16(b, off + 2),
                Identities.parse(t, true, b, off + 4, end - off - 4), null);
    }

    private static Ikev1Payload.Cert cert(boolean request, byte[] b, int off, int end) {
        String short1 = PayloadFields.needs(off, 1, end, "certificate payload");
        if (short1 != null) {
            return new Ikev1Payload.Cert(request, null, null, null, short1);
        }
        int e = b[off] & 0xff;
        return new Ikev1Payload.Cert(request, e, end - off - 1, PayloadFields.certificate(e, request, false, b, off + 1, end), null);
    }

    // ------------------------------------------------------------------ N, D (RFC 2408 §3.14–3.15)

    private static Ikev1Payload.Notify notify(byte[] b, int off, int end) {
        String short8 = PayloadFields.needs(off, 8, end, "Notification payload");
        if (short8 != null) {
            return new Ikev1Payload.Notify(null, null, null, null, null, null, null, null, null, short8);
        }
        long doi = Bytes.u32(b, off);
        int proto = b[off + 4] & 0xff;
        int spiSize = b[off + 5] & 0xff;
        int t = Bytes.u16(b, off + 6);
        if (spiSize > end - off - 8) {
            return new Ikev1Payload.Notify(doi, proto, spiSize, t, null, null, null, null, null,
                    "SPI size " + spiSize + " overruns the payload");
        }
        byte[] spi = spiSize > 0 ? PayloadFields.copy(b, off + 8, off + 8 + spiSize) : null;
        int d = off + 8 + spiSize;
        int n = end - d;
        if (t == N_R_U_THERE || t == N_R_U_THERE_ACK) {
            return n != 4 ? new Ikev1Payload.Notify(doi, proto, spiSize, t, spi, null, null, null, null,
                    "DPD sequence number of " + n + " bytes (4 expected)")
                    : new Ikev1Payload.Notify(doi, proto, spiSize, t, spi, Bytes.u32(b, d), null, null, null, null);
        } else if (t == N_REPLAY_STATUS) { // RFC 2407 §4.6.3.2: replay detection enabled (1) or not (0)
            return n != 4 ? new Ikev1Payload.Notify(doi, proto, spiSize, t, spi, null, null, null, null,
                    "REPLAY-STATUS data of " + n + " bytes (4 expected)")
                    : new Ikev1Payload.Notify(doi, proto, spiSize, t, spi, null, Bytes.u32(b, d) != 0, null, null, null);
        } else if (t == N_RESPONDER_LIFETIME) { // RFC 2407 §4.6.3.1: SA attributes (life type and duration)
            return new Ikev1Payload.Notify(doi, proto, spiSize, t, spi, null, null, attributeList(b, d, end, "transform"), null, null);
        }
        return new Ikev1Payload.Notify(doi, proto, spiSize, t, spi, null, null, null, n > 0 ? PayloadFields.copy(b, d, end) : null, null);
    }

    private static Ikev1Payload.Delete delete(byte[] b, int off, int end) {
        String short8 = PayloadFields.needs(off, 8, end, "Delete payload");
        if (short8 != null) {
            return new Ikev1Payload.Delete(null, null, null, null, null, short8);
        }
        long doi = Bytes.u32(b, off);
        int proto = b[off + 4] & 0xff;
        int spiSize = b[off + 5] & 0xff;
        int count = Bytes.u16(b, off + 6);
        long need = (long) spiSize * count;
        if (need != end - off - 8) {
            return new Ikev1Payload.Delete(doi, proto, spiSize, count, null,
                    count + " SPIs of " + spiSize + " bytes need " + need + " bytes, the payload holds " + (end - off - 8));
        }
        if (spiSize == 0) {
            return new Ikev1Payload.Delete(doi, proto, spiSize, count, null, null);
        }
        java.util.List<byte[]> spis = new java.util.ArrayList<>(count);
        for (int i = 0, p = off + 8; i < count; i++, p += spiSize) {
            spis.add(PayloadFields.copy(b, p, p + spiSize));
        }
        return new Ikev1Payload.Delete(doi, proto, spiSize, count, java.util.List.copyOf(spis), null);
    }

    private static String vendor(byte[] b, int off, int end) {
        try {
            return VendorIds.describe(b, off, end - off);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static Ikev1Payload.NatOa natOa(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "NAT-OA payload");
        if (short4 != null) {
            return new Ikev1Payload.NatOa(null, null, short4);
        }
        int t = b[off] & 0xff;
        int n = end - off - 4;
        if (t == 1) {
            return n != 4 ? new Ikev1Payload.NatOa(t, null, Identities.inexact(n, 4, "IPv4 address"))
                    : new Ikev1Payload.NatOa(t, Bytes.ipv4(b, off + 4), null);
        }
        if (t == 5) {
            return n != 16 ? new Ikev1Payload.NatOa(t, null, Identities.inexact(n, 16, "IPv6 address"))
                    : new Ikev1Payload.NatOa(t, Bytes.ipv6(b, off + 4), null);
        }
        return new Ikev1Payload.NatOa(t, null, "NAT-OA with ID type " + t + " (IPv4 or IPv6 address expected)");
    }

    // ------------------------------------------------------------------ ModeCfg / XAUTH attributes

    private static Ikev1Payload.Attr attributes(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "Attribute payload");
        if (short4 != null) {
            return new Ikev1Payload.Attr(null, null, null, short4);
        }
        int a = off + 4;
        java.util.List<Ikev1Payload.CfgAttribute> l = new java.util.ArrayList<>();
        int seen = 0;
        while (a < end && seen++ < 1024) {
            if (end - a < 4) {
                l.add(new Ikev1Payload.CfgAttribute(null, null, null, null, null, "attribute needs 4 bytes, only " + (end - a) + " present"));
                break;
            }
            int at = Bytes.u16(b, a);
            boolean tv = (at & 0x8000) != 0;
            at &= 0x7fff;
            if (tv) {
                l.add(new Ikev1Payload.CfgAttribute(at, (long) Bytes.u16(b, a + 2), null, null, null, null));
                a += 4;
                continue;
            }
            int vl = Bytes.u16(b, a + 2);
            if (vl > end - a - 4) {
                l.add(new Ikev1Payload.CfgAttribute(at, null, null, null, null,
                        "attribute length " + vl + " overruns the payload by " + (vl - (end - a - 4)) + " bytes"));
                break;
            }
            l.add(cfgValue(at, b, a + 4, vl));
            a += 4 + vl;
        }
        return new Ikev1Payload.Attr(b[off] & 0xff, Bytes.u16(b, off + 2), java.util.List.copyOf(l), null);
    }

    private static Ikev1Payload.CfgAttribute cfgValue(int at, byte[] b, int v, int n) {
        if (at == XAUTH_USER_PASSWORD || at == XAUTH_PASSCODE) {
            return new Ikev1Payload.CfgAttribute(at, null, null, null, n, null); // a secret: only its length
        }
        if (n == 0) {
            return new Ikev1Payload.CfgAttribute(at, null, null, null, null, null); // a request for the attribute
        }
        boolean ip4 = at >= 1 && at <= 6 && at != 5;
        String text = null;
        if (ip4 && n == 4) {
            text = Bytes.ipv4(b, v);
        } else if (at == CFG_INTERNAL_IP4_SUBNET && n == 8) {
            text = Bytes.ipv4(b, v) + "/" + Bytes.ipv4(b, v + 4);
        } else if (at == XAUTH_USER_NAME || at == XAUTH_MESSAGE || at == CFG_APPLICATION_VERSION) {
            text = Ikev2Payloads.text(b, v, n);
        } else if ((at == XAUTH_TYPE || at == XAUTH_STATUS || at == 5) && n <= 4) {
            long x = 0;
            for (int i = 0; i < n; i++) {
                x = x << 8 | (b[v + i] & 0xff);
            }
            return new Ikev1Payload.CfgAttribute(at, x, null, null, null, null);
        } else {
            return new Ikev1Payload.CfgAttribute(at, null, null, PayloadFields.copy(b, v, v + n), null, null);
        }
        return new Ikev1Payload.CfgAttribute(at, null, text, null, null, null);
    }

    // ------------------------------------------------------------------ fragmentation (132)

    private static Ikev1Payload.Frag fragment(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "Fragmentation payload");
        if (short4 != null) {
            return new Ikev1Payload.Frag(null, null, null, null, short4);
        }
        return new Ikev1Payload.Frag(Bytes.u16(b, off), b[off + 2] & 0xff, b[off + 3] & 0xff, end - off - 4, null);
    }
}
