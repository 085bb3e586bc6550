package org.vpnsleuth.ike;

import static org.vpnsleuth.ike.PayloadFields.malformed;
import static org.vpnsleuth.ike.PayloadFields.name;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.decode.FieldSink;

/**
 * The bodies of the IKEv2 payloads (RFC 7296 §3.3–3.16, RFC 7383 SKF), emitted as fields. Every
 * inner length is checked against the payload's bounds; a piece that does not fit gets a
 * "malformed" text field (in the object being decoded) and the decoding of that payload stops.
 * Names come from the IANA tables in {@link IkeRegistries}. Never throws on any input.
 */
public final class Ikev2Payloads {
    private Ikev2Payloads() {
    }

    // Notify message types whose data has structure (RFC 7296 §3.10.1, RFC 5685, RFC 7427)
    private static final int N_INVALID_KE_PAYLOAD = 17;
    private static final int N_NAT_DETECTION_SOURCE_IP = 16388;
    private static final int N_NAT_DETECTION_DESTINATION_IP = 16389;
    private static final int N_COOKIE = 16390;
    private static final int N_REKEY_SA = 16393;
    private static final int N_SIGNATURE_HASH_ALGORITHMS = 16431;
    private static final int N_INVALID_MESSAGE_ID = 9;
    private static final int N_INVALID_SPI = 11;
    private static final int N_SET_WINDOW_SIZE = 16385;
    private static final int N_IPCOMP_SUPPORTED = 16387;
    private static final int N_AUTH_LIFETIME = 16403;
    private static final int N_REDIRECT = 16407;
    private static final int N_REDIRECTED_FROM = 16408;
    /** RFC 5685 §4: gateway identity types in REDIRECT and REDIRECTED_FROM. */
    private static final int GW_IPV4 = 1;
    private static final int GW_IPV6 = 2;
    private static final int GW_FQDN = 3;

    /** Transform type → the table naming its transform IDs (index = transform type). */
    private static final NameTable[] TRANSFORM_IDS = {
        null,
        IkeRegistries.IKEV2_ENCR,
        IkeRegistries.IKEV2_PRF,
        IkeRegistries.IKEV2_INTEG,
        IkeRegistries.IKEV2_KE,
        IkeRegistries.IKEV2_ESN,
        IkeRegistries.IKEV2_KE, // ADDKE1..7 (RFC 9370) use the key exchange method IDs
        IkeRegistries.IKEV2_KE,
        IkeRegistries.IKEV2_KE,
        IkeRegistries.IKEV2_KE,
        IkeRegistries.IKEV2_KE,
        IkeRegistries.IKEV2_KE,
        IkeRegistries.IKEV2_KE,
    };

    private static final int ATTR_KEY_LENGTH = 14;

    /** The table naming the transform IDs of {@code transformType}, or null. */
    public static NameTable transformIds(int transformType) {
        return transformType >= 0 && transformType < TRANSFORM_IDS.length ? TRANSFORM_IDS[transformType] : null;
    }

    /**
     * Emits the fields of the body of a payload of {@code type}: {@code b[off, end)} is the body
     * after the 4-byte generic header. {@code nextPayload} is the generic header's field (the first
     * inner payload for SK/SKF).
     */
    public static void fields(int type, int nextPayload, byte[] b, int off, int end, FieldSink out) {
        fields(type, nextPayload, b, off, end, null, out);
    }

    /**
     * As {@link #fields(int, int, byte[], int, int, FieldSink)}, with the transforms negotiated for
     * the IKE SA when the capture showed them ({@code null} otherwise): SK and SKF payloads are
     * then split into IV, ciphertext and ICV.
     */
    public static void fields(int type, int nextPayload, byte[] b, int off, int end, IkeDecodeState.Negotiated neg,
            FieldSink out) {
        Ikev2Payload p = parse(type, nextPayload, b, off, end, neg);
        if (p != null) {
            render(p, out);
        }
    }

    /**
     * The body {@code b[off, end)} of a payload of {@code type} parsed into its record (null when
     * the bounds are not those of the buffer); {@code neg}: the transforms negotiated for the IKE
     * SA, or null, for the layout of SK/SKF.
     */
    public static Ikev2Payload parse(int type, int nextPayload, byte[] b, int off, int end, IkeDecodeState.Negotiated neg) {
        if (b == null || off < 0 || end > b.length || off > end) {
            return null;
        }
        return switch (type) {
            case PayloadType.V2_SA -> sa(b, off, end);
            case PayloadType.V2_KE -> end - off < 4 ? new Ikev2Payload.Ke(null, null, PayloadFields.needs(off, 4, end, "KE payload"))
                    : new Ikev2Payload.Ke(Bytes.u16(b, off), end - off - 4, null);
            case PayloadType.V2_IDI, PayloadType.V2_IDR -> id(b, off, end);
            case PayloadType.V2_CERT, PayloadType.V2_CERTREQ -> cert(type == PayloadType.V2_CERTREQ, b, off, end);
            case PayloadType.V2_AUTH -> auth(b, off, end);
            case PayloadType.V2_NONCE -> new Ikev2Payload.Nonce(PayloadFields.copy(b, off, end));
            case PayloadType.V2_N -> notify(b, off, end);
            case PayloadType.V2_D -> delete(b, off, end);
            case PayloadType.V2_VID -> new Ikev2Payload.VendorId(PayloadFields.copy(b, off, end), vendor(b, off, end));
            case PayloadType.V2_TSI, PayloadType.V2_TSR -> ts(b, off, end);
            case PayloadType.V2_SK -> new Ikev2Payload.Sk(nextPayload, end - off, sealed(neg, b, off, end, "SK payload"));
            case PayloadType.V2_SKF -> skf(nextPayload, b, off, end, neg);
            case PayloadType.V2_CP -> cp(b, off, end);
            case PayloadType.V2_EAP -> eap(b, off, end);
            default -> new Ikev2Payload.Other(PayloadFields.copy(b, off, end));
        };
    }

    /** The fields of {@code p}, as `dissect -v` and the JSON show them. */
    public static void render(Ikev2Payload p, FieldSink out) {
        if (p instanceof Ikev2Payload.Sa x) {
            renderSa(x, out);
        } else if (p instanceof Ikev2Payload.Ke x) {
            if (x.group() != null) {
                out.named("group", x.group(), IkeRegistries.IKEV2_KE.name(x.group()));
                out.number("dataLength", x.dataLength());
            }
            PayloadFields.malformedIf(out, x.malformed());
        } else if (p instanceof Ikev2Payload.Id x) {
            if (x.idType() != null) {
                out.named("idType", x.idType(), IkeRegistries.IKEV2_ID_TYPES.name(x.idType()));
            }
            PayloadFields.malformedIf(out, x.malformed());
            if (x.value() != null) {
                Identities.render(x.value(), out);
            }
        } else if (p instanceof Ikev2Payload.Cert x) {
            if (x.encoding() != null) {
                out.named("encoding", x.encoding(), IkeRegistries.IKEV2_CERT_ENCODINGS.name(x.encoding()));
                out.number("dataLength", x.dataLength());
            }
            PayloadFields.malformedIf(out, x.malformed());
            if (x.data() != null) {
                PayloadFields.render(x.data(), out);
            }
        } else if (p instanceof Ikev2Payload.Auth x) {
            renderAuth(x, out);
        } else if (p instanceof Ikev2Payload.Nonce x) {
            out.number("nonceLength", x.nonce().length);
            PayloadFields.bytes(out, "nonce", x.nonce());
        } else if (p instanceof Ikev2Payload.Notify x) {
            renderNotify(x, out);
        } else if (p instanceof Ikev2Payload.Delete x) {
            PayloadFields.renderDelete(IkeRegistries.IKEV2_PROTOCOL_IDS, x.protocolId(), x.spiSize(), x.spiCount(), x.spis(),
                    x.malformed(), out);
        } else if (p instanceof Ikev2Payload.VendorId x) {
            PayloadFields.renderVendorId(x.id(), x.vendor(), out);
        } else if (p instanceof Ikev2Payload.Ts x) {
            renderTs(x, out);
        } else if (p instanceof Ikev2Payload.Sk x) {
            out.named("firstPayload", x.firstPayload(), IkeRegistries.IKEV2_PAYLOAD_TYPES.name(x.firstPayload()));
            out.number("encryptedLength", x.encryptedLength());
            renderSealed(x.sealed(), out);
        } else if (p instanceof Ikev2Payload.Skf x) {
            if (x.fragmentNumber() != null) {
                out.number("fragmentNumber", x.fragmentNumber());
                out.number("totalFragments", x.totalFragments());
                if (x.firstPayload() != null) {
                    out.named("firstPayload", x.firstPayload(), IkeRegistries.IKEV2_PAYLOAD_TYPES.name(x.firstPayload()));
                }
                out.number("encryptedLength", x.encryptedLength());
            }
            PayloadFields.malformedIf(out, x.malformed());
            renderSealed(x.sealed(), out);
        } else if (p instanceof Ikev2Payload.Cp x) {
            renderCp(x, out);
        } else if (p instanceof Ikev2Payload.Eap x) {
            x.packet().render(out);
        } else if (p instanceof Ikev2Payload.Other x) {
            if (x.data().length > 0) {
                PayloadFields.bytes(out, "data", x.data());
            }
        }
    }

    /**
     * The layout of encrypted data (RFC 7296 §3.14, RFC 5282 §3 for AEAD): IV, ciphertext (inner
     * payloads, padding, pad length), ICV, with sizes from the negotiated transforms; the ciphertext
     * of a block cipher must fill whole blocks. Null without negotiated transforms.
     */
    private static Ikev2Payload.Sealed sealed(IkeDecodeState.Negotiated neg, byte[] b, int off, int end, String what) {
        if (neg == null) {
            return null;
        }
        IkeAlgorithms.Sizes c = neg.cipherSizes();
        IkeAlgorithms.Sizes integ = neg.integritySizes();
        boolean aead = c != null && c.icvLength() > 0;
        String integrity = !aead && neg.integrityName() != null ? neg.integrityName() : null;
        int icv = aead ? c.icvLength() : integ != null ? integ.icvLength() : -1;
        if (c == null || icv < 0) { // sizes of this algorithm not known
            return new Ikev2Payload.Sealed(neg.cipherName(), integrity, neg.frame(), null, null, null, null, null, null);
        }
        int n = end - off;
        if (n < c.ivLength() + icv) {
            return new Ikev2Payload.Sealed(neg.cipherName(), integrity, neg.frame(), null, null, null, null, null,
                    what + " of " + n + " bytes cannot hold the " + c.ivLength() + "-byte IV and the " + icv + "-byte ICV of "
                            + neg.cipherName());
        }
        int ct = n - c.ivLength() - icv;
        String blocks = c.blockSize() > 1 && ct % c.blockSize() != 0 ? "ciphertext of " + ct
                + " bytes is not a whole number of " + c.blockSize() + "-byte blocks of " + neg.cipherName() : null;
        return new Ikev2Payload.Sealed(neg.cipherName(), integrity, neg.frame(), c.ivLength(),
                c.ivLength() > 0 ? PayloadFields.copy(b, off, off + c.ivLength()) : null, ct, icv, icv > 0 ? PayloadFields.copy(b, end - icv, end) : null,
                blocks);
    }

    private static void renderSealed(Ikev2Payload.Sealed s, FieldSink out) {
        if (s == null) {
            return;
        }
        out.text("cipher", s.cipher());
        if (s.integrity() != null) {
            out.text("integrity", s.integrity());
        }
        out.number("negotiatedInFrame", s.negotiatedInFrame());
        if (s.ivLength() != null) {
            out.number("ivLength", s.ivLength());
            if (s.iv() != null) {
                PayloadFields.bytes(out, "iv", s.iv());
            }
            out.number("ciphertextLength", s.ciphertextLength());
            out.number("icvLength", s.icvLength());
            if (s.icv() != null) {
                PayloadFields.bytes(out, "icv", s.icv());
            }
        }
        PayloadFields.malformedIf(out, s.malformed());
    }

    // ------------------------------------------------------------------ SA (§3.3)

    /** The proposal list (RFC 7296 §3.3.1), walked as IKEv1's ({@link PayloadFields#proposals}). */
    private static Ikev2Payload.Sa sa(byte[] b, int pos, int end) {
        PayloadFields.ProposalList<Ikev2Payload.Proposal> l = PayloadFields.proposals(b, pos, end, Ikev2Payloads::transform,
                Ikev2Payload.Transform::firstMalformed, Ikev2Payload.Proposal::new, Ikev2Payload.Proposal::firstMalformed);
        return new Ikev2Payload.Sa(l.proposals(), l.malformed());
    }

    private static Ikev2Payload.Transform transform(byte[] b, int pos, int end) {
        String short8 = PayloadFields.needs(pos, 8, end, "transform header");
        if (short8 != null) {
            return new Ikev2Payload.Transform(null, null, null, null, short8);
        }
        int len = Bytes.u16(b, pos + 2);
        if (len < 8 || len > end - pos) {
            return new Ikev2Payload.Transform(null, null, null, null, "transform length " + len
                    + (len < 8 ? " is below the 8-byte header" : " overruns the proposal by " + (len - (end - pos)) + " bytes"));
        }
        int type = b[pos + 4] & 0xff;
        int id = Bytes.u16(b, pos + 6);
        int a = pos + 8;
        int tend = pos + len;
        java.util.List<Integer> keyLengths = new java.util.ArrayList<>(1);
        java.util.List<Ikev2Payload.Attribute> attrs = null;
        while (a < tend) {
            if (tend - a < 4) {
                return new Ikev2Payload.Transform(type, id, keyLengths, attrs == null ? null : java.util.List.copyOf(attrs),
                        "transform attribute needs 4 bytes, only " + (tend - a) + " present");
            }
            int at = Bytes.u16(b, a);
            boolean tv = (at & 0x8000) != 0;
            at &= 0x7fff;
            if (tv && at == ATTR_KEY_LENGTH && attrs == null) {
                keyLengths.add(Bytes.u16(b, a + 2));
                a += 4;
                continue;
            }
            if (attrs == null) {
                attrs = new java.util.ArrayList<>();
            }
            if (tv) {
                attrs.add(new Ikev2Payload.Attribute(at, Bytes.u16(b, a + 2), null, null));
                a += 4;
            } else {
                int vl = Bytes.u16(b, a + 2);
                if (vl > tend - a - 4) {
                    attrs.add(new Ikev2Payload.Attribute(at, null, null,
                            "attribute length " + vl + " overruns the transform by " + (vl - (tend - a - 4)) + " bytes"));
                    return new Ikev2Payload.Transform(type, id, keyLengths, java.util.List.copyOf(attrs), null);
                }
                attrs.add(new Ikev2Payload.Attribute(at, null, PayloadFields.copy(b, a + 4, a + 4 + vl), null));
                a += 4 + vl;
            }
        }
        return new Ikev2Payload.Transform(type, id, keyLengths, attrs == null ? null : java.util.List.copyOf(attrs), null);
    }

    private static void renderSa(Ikev2Payload.Sa sa, FieldSink out) {
        out.beginList("proposals");
        for (Ikev2Payload.Proposal p : sa.proposals()) {
            out.begin(null);
            if (p.number() != null) {
                out.number("number", p.number());
                out.named("protocolId", p.protocolId(), IkeRegistries.IKEV2_PROTOCOL_IDS.name(p.protocolId()));
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
                for (Ikev2Payload.Transform t : p.transforms()) {
                    out.begin(null);
                    renderTransform(t, out);
                    out.end();
                }
                out.endList();
            }
            PayloadFields.malformedIf(out, p.malformed());
            out.end();
        }
        out.endList();
        PayloadFields.malformedIf(out, sa.malformed());
    }

    private static void renderTransform(Ikev2Payload.Transform t, FieldSink out) {
        if (t.type() != null) {
            out.named("type", t.type(), IkeRegistries.IKEV2_TRANSFORM_TYPES.name(t.type()));
            out.named("id", t.id(), name(transformIds(t.type()), t.id()));
            for (int k : t.keyLengths()) {
                out.number("keyLength", k);
            }
        }
        if (t.attributes() != null) {
            out.beginList("attributes");
            for (Ikev2Payload.Attribute a : t.attributes()) {
                out.begin(null);
                out.named("type", a.type(), IkeRegistries.IKEV2_TRANSFORM_ATTRIBUTES.name(a.type()));
                if (a.value() != null) {
                    out.number("value", a.value());
                }
                if (a.bytes() != null) {
                    PayloadFields.bytes(out, "value", a.bytes());
                }
                PayloadFields.malformedIf(out, a.malformed());
                out.end();
            }
            out.endList();
        }
        PayloadFields.malformedIf(out, t.malformed());
    }

    // ------------------------------------------------------------------ KE, ID, CERT, AUTH

    private static Ikev2Payload.Id id(byte[] b, int off, int end) {
        Integer type = off < end ? b[off] & 0xff : null; // the ID type is shown even when the rest of the header is missing
        String short4 = PayloadFields.needs(off, 4, end, "ID payload");
        if (short4 != null) {
            return new Ikev2Payload.Id(type, null, short4);
        }
        return new Ikev2Payload.Id(type, Identities.parse(b[off] & 0xff, false, b, off + 4, end - off - 4), null);
    }

    /** Printable ASCII as is, anything else escaped as \xNN. */
    static String text(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            int c = b[off + i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append("\\x");
                Bytes.appendHex(sb, c, 2);
            }
        }
        return sb.toString();
    }

    private static Ikev2Payload.Cert cert(boolean request, byte[] b, int off, int end) {
        String short1 = PayloadFields.needs(off, 1, end, "certificate payload");
        if (short1 != null) {
            return new Ikev2Payload.Cert(request, null, null, null, short1);
        }
        int e = b[off] & 0xff;
        return new Ikev2Payload.Cert(request, e, end - off - 1, PayloadFields.certificate(e, request, true, b, off + 1, end), null);
    }

    private static Ikev2Payload.Auth auth(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "AUTH payload");
        if (short4 != null) {
            return new Ikev2Payload.Auth(null, null, null, null, null, null, null, short4);
        }
        int m = b[off] & 0xff;
        int d = off + 4;
        if (m != 14) {
            return new Ikev2Payload.Auth(m, null, null, null, null, null, end - d, null);
        }
        // Digital Signature (RFC 7427): length-prefixed AlgorithmIdentifier, then the signature
        String short1 = PayloadFields.needs(d, 1, end, "signature algorithm identifier length");
        if (short1 != null) {
            return new Ikev2Payload.Auth(m, null, null, null, null, null, null, short1);
        }
        int al = b[d] & 0xff;
        if (al > end - d - 1) {
            return new Ikev2Payload.Auth(m, al, null, null, null, null, null,
                    "AlgorithmIdentifier length " + al + " overruns the payload by " + (al - (end - d - 1)) + " bytes");
        }
        byte[] algId = PayloadFields.copy(b, d + 1, d + 1 + al);
        String oid = DerNames.algorithmOid(b, d + 1, al);
        if (oid == null) {
            return new Ikev2Payload.Auth(m, al, algId, null, null, null, null,
                    "the AlgorithmIdentifier is not a DER SEQUENCE starting with an OID");
        }
        return new Ikev2Payload.Auth(m, al, algId, oid, DerNames.signatureAlgorithmName(oid), end - d - 1 - al, null, null);
    }

    private static void renderAuth(Ikev2Payload.Auth x, FieldSink out) {
        if (x.method() != null) {
            out.named("method", x.method(), IkeRegistries.IKEV2_AUTH_METHODS.name(x.method()));
        }
        if (x.algorithmIdentifierLength() != null) {
            out.number("algorithmIdentifierLength", x.algorithmIdentifierLength());
        }
        if (x.algorithmIdentifier() != null) {
            PayloadFields.bytes(out, "algorithmIdentifier", x.algorithmIdentifier());
        }
        if (x.signatureAlgorithmOid() != null) {
            out.text("signatureAlgorithmOid", x.signatureAlgorithmOid());
            if (x.signatureAlgorithm() != null) {
                out.text("signatureAlgorithm", x.signatureAlgorithm());
            }
            out.number("signatureLength", x.signatureLength());
        }
        if (x.dataLength() != null) {
            out.number("dataLength", x.dataLength());
        }
        PayloadFields.malformedIf(out, x.malformed());
    }

    // ------------------------------------------------------------------ Notify, Delete, VID

    private static Ikev2Payload.Notify notifyOnly(Integer proto, Integer spiSize, Integer t, byte[] spi, String why) {
        return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, null, null, null, null, null, null, null,
                null, why);
    }

    private static Ikev2Payload.Notify notify(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "Notify payload");
        if (short4 != null) {
            return notifyOnly(null, null, null, null, short4);
        }
        int proto = b[off] & 0xff;
        int spiSize = b[off + 1] & 0xff;
        int t = Bytes.u16(b, off + 2);
        if (spiSize > end - off - 4) {
            return notifyOnly(proto, spiSize, t, null, "SPI size " + spiSize + " overruns the payload");
        }
        byte[] spi = spiSize > 0 ? PayloadFields.copy(b, off + 4, off + 4 + spiSize) : null;
        int d = off + 4 + spiSize;
        int n = end - d;
        switch (t) {
            case N_NAT_DETECTION_SOURCE_IP, N_NAT_DETECTION_DESTINATION_IP -> {
                if (n != 20) {
                    return notifyOnly(proto, spiSize, t, spi, "NAT detection hash of " + n + " bytes (20 expected)");
                }
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, PayloadFields.copy(b, d, end), null, null, null, null, null, null, null,
                        null, null, null, null, null);
            }
            case N_COOKIE -> {
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, PayloadFields.copy(b, d, end), null, null, null, null, null, null,
                        null, null, null, null, null);
            }
            case N_INVALID_KE_PAYLOAD -> {
                if (n != 2) {
                    return notifyOnly(proto, spiSize, t, spi, "INVALID_KE_PAYLOAD data of " + n + " bytes (2 expected)");
                }
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, Bytes.u16(b, d), null, null, null, null, null,
                        null, null, null, null, null);
            }
            case N_SIGNATURE_HASH_ALGORITHMS -> {
                if ((n & 1) != 0) {
                    return notifyOnly(proto, spiSize, t, spi, "hash algorithm list of odd length " + n);
                }
                java.util.List<Integer> hs = new java.util.ArrayList<>();
                for (int i = d; i + 2 <= end; i += 2) {
                    hs.add(Bytes.u16(b, i));
                }
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, java.util.List.copyOf(hs), null, null,
                        null, null, null, null, null, null, null);
            }
            case N_INVALID_MESSAGE_ID, N_SET_WINDOW_SIZE, N_AUTH_LIFETIME -> {
                // RFC 7296 §3.10.1 (the invalid message ID, the window size), RFC 4478 (seconds)
                if (n != 4) {
                    return notifyOnly(proto, spiSize, t, spi,
                            IkeRegistries.IKEV2_NOTIFY_TYPES.name(t) + " data of " + n + " bytes (4 expected)");
                }
                String f = t == N_INVALID_MESSAGE_ID ? "invalidMessageId" : t == N_SET_WINDOW_SIZE ? "windowSize" : "lifetimeSeconds";
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, f, Bytes.u32(b, d), null, null,
                        null, null, null, null, null);
            }
            case N_INVALID_SPI -> { // RFC 7296 §3.10.1: the SPI of the packet
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, null, null, PayloadFields.copy(b, d, end), null,
                        null, null, null, null, null);
            }
            case N_IPCOMP_SUPPORTED -> { // RFC 7296 §3.10.1: CPI (2 octets), transform ID (1)
                if (n < 3) {
                    return notifyOnly(proto, spiSize, t, spi, "IPCOMP_SUPPORTED data of " + n + " bytes (3 expected)");
                }
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, null, null, null, Bytes.u16(b, d),
                        b[d + 2] & 0xff, null, null, null, null);
            }
            case N_REDIRECT, N_REDIRECTED_FROM -> {
                return redirect(proto, spiSize, t, spi, t == N_REDIRECT, b, d, end);
            }
            default -> { // REKEY_SA and most status types carry only the SPI
                return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, null, null, null, null, null, null,
                        null, n > 0 ? PayloadFields.copy(b, d, end) : null, null);
            }
        }
    }

    /**
     * RFC 5685 §4: gateway identity type (1), its length (1), the identity, and for REDIRECT the
     * nonce of the IKE_SA_INIT request it answers (absent in an IKE_AUTH or INFORMATIONAL redirect).
     */
    private static Ikev2Payload.Notify redirect(int proto, int spiSize, int t, byte[] spi, boolean withNonce, byte[] b, int d,
            int end) {
        String short2 = PayloadFields.needs(d, 2, end, "gateway identity header");
        if (short2 != null) {
            return notifyOnly(proto, spiSize, t, spi, short2);
        }
        int gt = b[d] & 0xff;
        int gl = b[d + 1] & 0xff;
        int g = d + 2;
        if (gl > end - g) {
            return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, null, null, null, null, null, gt, null,
                    null, "gateway identity length " + gl + " overruns the notify data by " + (gl - (end - g)) + " bytes");
        }
        String text = null;
        byte[] raw = null;
        String why = null;
        if (gt == GW_IPV4 && gl == 4) {
            text = Bytes.ipv4(b, g);
        } else if (gt == GW_IPV6 && gl == 16) {
            text = Bytes.ipv6(b, g);
        } else if (gt == GW_FQDN) {
            text = text(b, g, gl);
        } else {
            raw = PayloadFields.copy(b, g, g + gl);
            if (gt == GW_IPV4 || gt == GW_IPV6) {
                why = "gateway address of " + gl + " bytes";
            }
        }
        byte[] nonce = null;
        int rest = end - g - gl;
        if (why == null && rest > 0) {
            if (withNonce) {
                nonce = PayloadFields.copy(b, g + gl, end);
            } else {
                why = rest + " bytes after the REDIRECTED_FROM gateway identity";
            }
        }
        return new Ikev2Payload.Notify(proto, spiSize, t, spi, null, null, null, null, null, null, null, null, null, gt,
                new Ikev2Payload.Gateway(gt, text, raw, nonce), null, why);
    }

    private static void renderNotify(Ikev2Payload.Notify x, FieldSink out) {
        if (x.protocolId() != null) {
            out.named("protocolId", x.protocolId(), IkeRegistries.IKEV2_PROTOCOL_IDS.name(x.protocolId()));
            out.number("spiSize", x.spiSize());
            out.named("notifyType", x.type(), IkeRegistries.IKEV2_NOTIFY_TYPES.name(x.type()));
        }
        if (x.spi() != null) {
            PayloadFields.bytes(out, "spi", x.spi());
        }
        if (x.hash() != null) {
            PayloadFields.bytes(out, "hash", x.hash());
        }
        if (x.cookie() != null) {
            PayloadFields.bytes(out, "cookie", x.cookie());
        }
        if (x.group() != null) {
            out.named("group", x.group(), IkeRegistries.IKEV2_KE.name(x.group()));
        }
        if (x.hashAlgorithms() != null) {
            out.beginList("hashAlgorithms");
            for (int h : x.hashAlgorithms()) {
                out.begin(null);
                out.named("algorithm", h, IkeRegistries.IKEV2_HASH_ALGORITHMS.name(h));
                out.end();
            }
            out.endList();
        }
        if (x.number() != null) {
            out.number(x.numberName(), x.number());
        }
        if (x.invalidSpi() != null) {
            PayloadFields.bytes(out, "invalidSpi", x.invalidSpi());
        }
        if (x.cpi() != null) {
            out.hexNumber("cpi", x.cpi(), 4);
            out.named("ipcompTransform", x.ipcompTransform(), IkeRegistries.ISAKMP_IPCOMP_TRANSFORMS.name(x.ipcompTransform()));
        }
        if (x.gatewayType() != null) {
            out.named("gatewayType", x.gatewayType(), IkeRegistries.IKEV2_REDIRECT_GATEWAY_TYPES.name(x.gatewayType()));
        }
        Ikev2Payload.Gateway g = x.gateway();
        if (g != null) {
            if (g.text() != null) {
                out.text("gateway", g.text());
            }
            if (g.bytes() != null) {
                PayloadFields.bytes(out, "gateway", g.bytes());
            }
            if (g.nonce() != null) {
                PayloadFields.bytes(out, "nonce", g.nonce());
            }
        }
        if (x.data() != null) {
            PayloadFields.bytes(out, "data", x.data());
        }
        PayloadFields.malformedIf(out, x.malformed());
    }

    private static Ikev2Payload.Delete delete(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "Delete payload");
        if (short4 != null) {
            return new Ikev2Payload.Delete(null, null, null, null, short4);
        }
        int proto = b[off] & 0xff;
        int spiSize = b[off + 1] & 0xff;
        int count = Bytes.u16(b, off + 2);
        long need = (long) spiSize * count;
        if (need != end - off - 4) {
            return new Ikev2Payload.Delete(proto, spiSize, count, null,
                    count + " SPIs of " + spiSize + " bytes need " + need + " bytes, the payload holds " + (end - off - 4));
        }
        if (spiSize == 0) {
            return new Ikev2Payload.Delete(proto, spiSize, count, null, null);
        }
        java.util.List<byte[]> spis = new java.util.ArrayList<>(count);
        for (int i = 0, p = off + 4; i < count; i++, p += spiSize) {
            spis.add(PayloadFields.copy(b, p, p + spiSize));
        }
        return new Ikev2Payload.Delete(proto, spiSize, count, java.util.List.copyOf(spis), null);
    }

    private static String vendor(byte[] b, int off, int end) {
        try {
            return VendorIds.describe(b, off, end - off);
        } catch (RuntimeException | LinkageError e) {
            return null; // the vendor table failing must not stop the dissection
        }
    }

    // ------------------------------------------------------------------ TS (§3.13)

    private static Ikev2Payload.Ts ts(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "TS payload");
        if (short4 != null) {
            return new Ikev2Payload.Ts(null, null, short4);
        }
        int count = b[off] & 0xff;
        java.util.List<Ikev2Payload.Selector> l = new java.util.ArrayList<>();
        int p = off + 4;
        boolean ok = true;
        while (p < end && ok) {
            if (end - p < 4) {
                l.add(new Ikev2Payload.Selector(null, null, null, null, null, null, null, null,
                        "traffic selector header needs 4 bytes, only " + (end - p) + " present"));
                ok = false;
                break;
            }
            int t = b[p] & 0xff;
            int len = Bytes.u16(b, p + 2);
            if (len < 4 || len > end - p) {
                l.add(new Ikev2Payload.Selector(t, null, null, null, null, null, null, null, "selector length " + len
                        + (len < 4 ? " is below the 4-byte header" : " overruns the payload by " + (len - (end - p)) + " bytes")));
                ok = false;
                break;
            }
            int addr = t == 7 ? 4 : t == 8 ? 16 : 0; // TS_IPV4_ADDR_RANGE, TS_IPV6_ADDR_RANGE
            if (addr > 0) {
                if (len != 8 + 2 * addr) {
                    l.add(new Ikev2Payload.Selector(t, null, null, null, null, null, null, null,
                            "selector length " + len + ", " + (8 + 2 * addr) + " expected"));
                    ok = false;
                    break;
                }
                l.add(new Ikev2Payload.Selector(t, b[p + 1] & 0xff, Bytes.u16(b, p + 4), Bytes.u16(b, p + 6),
                        addr == 4 ? Bytes.ipv4(b, p + 8) : Bytes.ipv6(b, p + 8),
                        addr == 4 ? Bytes.ipv4(b, p + 8 + addr) : Bytes.ipv6(b, p + 8 + addr), null, null, null));
            } else {
                l.add(new Ikev2Payload.Selector(t, null, null, null, null, null, len, PayloadFields.copy(b, p + 4, p + len), null));
            }
            p += len;
        }
        int seen = ok ? l.size() : 0;
        return new Ikev2Payload.Ts(count, java.util.List.copyOf(l),
                ok && seen != count ? "payload announces " + count + " selectors, holds " + seen : null);
    }

    private static void renderTs(Ikev2Payload.Ts x, FieldSink out) {
        if (x.selectorCount() == null) {
            PayloadFields.malformedIf(out, x.malformed());
            return;
        }
        out.number("selectorCount", x.selectorCount());
        out.beginList("selectors");
        for (Ikev2Payload.Selector s : x.selectors()) {
            out.begin(null);
            if (s.type() != null) {
                out.named("type", s.type(), IkeRegistries.IKEV2_TS_TYPES.name(s.type()));
            }
            if (s.start() != null) {
                out.number("ipProtocol", s.ipProtocol());
                out.number("startPort", s.startPort());
                out.number("endPort", s.endPort());
                out.text("start", s.start());
                out.text("end", s.end());
            }
            if (s.length() != null) {
                out.number("length", s.length());
                PayloadFields.bytes(out, "data", s.data());
            }
            PayloadFields.malformedIf(out, s.malformed());
            out.end();
        }
        out.endList();
        PayloadFields.malformedIf(out, x.malformed());
    }

    // ------------------------------------------------------------------ SKF, CP, EAP

    private static Ikev2Payload.Skf skf(int nextPayload, byte[] b, int off, int end, IkeDecodeState.Negotiated neg) {
        String short4 = PayloadFields.needs(off, 4, end, "SKF payload");
        if (short4 != null) {
            return new Ikev2Payload.Skf(null, null, null, null, null, short4);
        }
        return new Ikev2Payload.Skf(Bytes.u16(b, off), Bytes.u16(b, off + 2), nextPayload != 0 ? nextPayload : null,
                end - off - 4, sealed(neg, b, off + 4, end, "SKF payload"), null);
    }

    private static Ikev2Payload.Cp cp(byte[] b, int off, int end) {
        String short4 = PayloadFields.needs(off, 4, end, "CP payload");
        if (short4 != null) {
            return new Ikev2Payload.Cp(null, null, short4);
        }
        int t = b[off] & 0xff;
        java.util.List<Ikev2Payload.CpAttribute> l = new java.util.ArrayList<>();
        int p = off + 4;
        int n = 0;
        while (p < end && n < 1024) {
            n++;
            if (end - p < 4) {
                l.add(new Ikev2Payload.CpAttribute(null, null, null, null, null, null,
                        "attribute header needs 4 bytes, only " + (end - p) + " present"));
                break;
            }
            int at = Bytes.u16(b, p) & 0x7fff;
            int len = Bytes.u16(b, p + 2);
            if (len > end - p - 4) {
                l.add(new Ikev2Payload.CpAttribute(at, len, null, null, null, null,
                        "attribute length " + len + " overruns the payload by " + (len - (end - p - 4)) + " bytes"));
                break;
            }
            int v = p + 4;
            String an = IkeRegistries.IKEV2_CP_ATTRIBUTES.name(at);
            if (an != null && an.startsWith("INTERNAL_IP4_") && len >= 4) {
                l.add(new Ikev2Payload.CpAttribute(at, len, Bytes.ipv4(b, v), len == 8 ? Bytes.ipv4(b, v + 4) : null, null, null,
                        null));
            } else if (an != null && an.startsWith("INTERNAL_IP6_") && len >= 16) {
                l.add(new Ikev2Payload.CpAttribute(at, len, Bytes.ipv6(b, v), null, len == 17 ? b[v + 16] & 0xff : null, null,
                        null));
            } else {
                l.add(new Ikev2Payload.CpAttribute(at, len, null, null, null, len > 0 ? PayloadFields.copy(b, v, v + len) : null, null));
            }
            p += 4 + len;
        }
        return new Ikev2Payload.Cp(t, java.util.List.copyOf(l), null);
    }

    private static void renderCp(Ikev2Payload.Cp x, FieldSink out) {
        if (x.cfgType() == null) {
            PayloadFields.malformedIf(out, x.malformed());
            return;
        }
        out.named("cfgType", x.cfgType(), IkeRegistries.IKEV2_CP_TYPES.name(x.cfgType()));
        out.beginList("attributes");
        for (Ikev2Payload.CpAttribute a : x.attributes()) {
            out.begin(null);
            if (a.type() != null) {
                out.named("type", a.type(), IkeRegistries.IKEV2_CP_ATTRIBUTES.name(a.type()));
                out.number("length", a.length());
            }
            if (a.value() != null) {
                out.text("value", a.value());
                if (a.netmask() != null) {
                    out.text("netmask", a.netmask());
                }
                if (a.prefixLength() != null) {
                    out.number("prefixLength", a.prefixLength());
                }
            }
            if (a.bytes() != null) {
                PayloadFields.bytes(out, "value", a.bytes());
            }
            PayloadFields.malformedIf(out, a.malformed());
            out.end();
        }
        out.endList();
    }

    private static Ikev2Payload.Eap eap(byte[] b, int off, int end) {
        return new Ikev2Payload.Eap(EapPacket.parse(b, off, end));
    }
}
