package org.vpnsleuth.ike;

import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.NameTable;
import static org.vpnsleuth.ike.PayloadFields.malformed;
import static org.vpnsleuth.ike.PayloadFields.name;
import static org.vpnsleuth.ike.PayloadFields.need;

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
        if (b == null || off < 0 || end > b.length || off > end) {
            return;
        }
        switch (type) {
            case PayloadType.V2_SA -> sa(b, off, end, out);
            case PayloadType.V2_KE -> ke(b, off, end, out);
            case PayloadType.V2_IDI, PayloadType.V2_IDR -> id(b, off, end, out);
            case PayloadType.V2_CERT, PayloadType.V2_CERTREQ -> cert(type == PayloadType.V2_CERTREQ, b, off, end, out);
            case PayloadType.V2_AUTH -> auth(b, off, end, out);
            case PayloadType.V2_NONCE -> {
                out.number("nonceLength", end - off);
                out.bytes("nonce", b, off, end - off);
            }
            case PayloadType.V2_N -> notify(b, off, end, out);
            case PayloadType.V2_D -> delete(b, off, end, out);
            case PayloadType.V2_VID -> vendorId(b, off, end, out);
            case PayloadType.V2_TSI, PayloadType.V2_TSR -> ts(b, off, end, out);
            case PayloadType.V2_SK -> {
                out.named("firstPayload", nextPayload, IkeRegistries.IKEV2_PAYLOAD_TYPES.name(nextPayload));
                out.number("encryptedLength", end - off);
                sealed(neg, b, off, end, "SK payload", out);
            }
            case PayloadType.V2_SKF -> {
                skf(nextPayload, b, off, end, out);
                if (end - off >= 4) {
                    sealed(neg, b, off + 4, end, "SKF payload", out);
                }
            }
            case PayloadType.V2_CP -> cp(b, off, end, out);
            case PayloadType.V2_EAP -> eap(b, off, end, out);
            default -> {
                if (end > off) {
                    out.bytes("data", b, off, end - off);
                }
            }
        }
    }


    /**
     * The layout of encrypted data (RFC 7296 §3.14, RFC 5282 §3 for AEAD): IV, ciphertext (inner
     * payloads, padding, pad length), ICV, with sizes from the negotiated transforms; the ciphertext
     * of a block cipher must fill whole blocks.
     */
    private static void sealed(IkeDecodeState.Negotiated neg, byte[] b, int off, int end, String what, FieldSink out) {
        if (neg == null) {
            return;
        }
        out.text("cipher", neg.cipherName());
        IkeAlgorithms.Sizes c = neg.cipherSizes();
        IkeAlgorithms.Sizes integ = neg.integritySizes();
        boolean aead = c != null && c.icvLength() > 0;
        if (!aead && neg.integrityName() != null) {
            out.text("integrity", neg.integrityName());
        }
        out.number("negotiatedInFrame", neg.frame());
        int icv = aead ? c.icvLength() : integ != null ? integ.icvLength() : -1;
        if (c == null || icv < 0) {
            return; // sizes of this algorithm not known
        }
        int n = end - off;
        if (n < c.ivLength() + icv) {
            malformed(out, what + " of " + n + " bytes cannot hold the " + c.ivLength() + "-byte IV and the "
                    + icv + "-byte ICV of " + neg.cipherName());
            return;
        }
        int ct = n - c.ivLength() - icv;
        out.number("ivLength", c.ivLength());
        if (c.ivLength() > 0) {
            out.bytes("iv", b, off, c.ivLength());
        }
        out.number("ciphertextLength", ct);
        out.number("icvLength", icv);
        if (icv > 0) {
            out.bytes("icv", b, end - icv, icv);
        }
        if (c.blockSize() > 1 && ct % c.blockSize() != 0) {
            malformed(out, "ciphertext of " + ct + " bytes is not a whole number of " + c.blockSize()
                    + "-byte blocks of " + neg.cipherName());
        }
    }

    // ------------------------------------------------------------------ SA (§3.3)

    private static void sa(byte[] b, int off, int end, FieldSink out) {
        PayloadFields.proposals(b, off, end, out, IkeRegistries.IKEV2_PROTOCOL_IDS,
                (bb, pos, e, protocol, o) -> transform(bb, pos, e, o));
    }

    private static boolean transform(byte[] b, int pos, int end, FieldSink out) {
        if (!need(out, pos, 8, end, "transform header")) {
            return false;
        }
        int len = Bytes.u16(b, pos + 2);
        if (len < 8 || len > end - pos) {
            malformed(out, "transform length " + len + (len < 8 ? " is below the 8-byte header"
                    : " overruns the proposal by " + (len - (end - pos)) + " bytes"));
            return false;
        }
        int type = b[pos + 4] & 0xff;
        int id = Bytes.u16(b, pos + 6);
        out.named("type", type, IkeRegistries.IKEV2_TRANSFORM_TYPES.name(type));
        out.named("id", id, name(transformIds(type), id));
        int a = pos + 8;
        int tend = pos + len;
        boolean listed = false;
        while (a < tend) {
            if (tend - a < 4) {
                if (listed) {
                    out.endList();
                }
                malformed(out, "transform attribute needs 4 bytes, only " + (tend - a) + " present");
                return false;
            }
            int at = Bytes.u16(b, a);
            boolean tv = (at & 0x8000) != 0;
            at &= 0x7fff;
            if (tv && at == ATTR_KEY_LENGTH && !listed) {
                out.number("keyLength", Bytes.u16(b, a + 2));
                a += 4;
                continue;
            }
            if (!listed) {
                out.beginList("attributes");
                listed = true;
            }
            out.begin(null);
            out.named("type", at, IkeRegistries.IKEV2_TRANSFORM_ATTRIBUTES.name(at));
            if (tv) {
                out.number("value", Bytes.u16(b, a + 2));
                a += 4;
                out.end();
            } else {
                int vl = Bytes.u16(b, a + 2);
                if (vl > tend - a - 4) {
                    malformed(out, "attribute length " + vl + " overruns the transform by " + (vl - (tend - a - 4)) + " bytes");
                    out.end();
                    out.endList();
                    return false;
                }
                out.bytes("value", b, a + 4, vl);
                a += 4 + vl;
                out.end();
            }
        }
        if (listed) {
            out.endList();
        }
        return true;
    }

    // ------------------------------------------------------------------ KE, ID, CERT, AUTH

    private static void ke(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "KE payload")) {
            return;
        }
        int g = Bytes.u16(b, off);
        out.named("group", g, IkeRegistries.IKEV2_KE.name(g));
        out.number("dataLength", end - off - 4);
    }

    private static void id(byte[] b, int off, int end, FieldSink out) {
        if (off < end) { // the ID type is shown even when the rest of the 4-byte header is missing
            int t0 = b[off] & 0xff;
            out.named("idType", t0, IkeRegistries.IKEV2_ID_TYPES.name(t0));
        }
        if (!need(out, off, 4, end, "ID payload")) {
            return;
        }
        Identities.decode(b[off] & 0xff, false, b, off + 4, end - off - 4, out);
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

    private static void cert(boolean request, byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 1, end, "certificate payload")) {
            return;
        }
        int e = b[off] & 0xff;
        out.named("encoding", e, IkeRegistries.IKEV2_CERT_ENCODINGS.name(e));
        out.number("dataLength", end - off - 1);
        PayloadFields.certificateData(e, request, true, b, off + 1, end, out);
    }

    private static void auth(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "AUTH payload")) {
            return;
        }
        int m = b[off] & 0xff;
        out.named("method", m, IkeRegistries.IKEV2_AUTH_METHODS.name(m));
        int d = off + 4;
        if (m == 14) { // Digital Signature (RFC 7427): length-prefixed AlgorithmIdentifier, then signature
            if (!need(out, d, 1, end, "signature algorithm identifier length")) {
                return;
            }
            int al = b[d] & 0xff;
            out.number("algorithmIdentifierLength", al);
            if (al > end - d - 1) {
                malformed(out, "AlgorithmIdentifier length " + al + " overruns the payload by " + (al - (end - d - 1)) + " bytes");
                return;
            }
            out.bytes("algorithmIdentifier", b, d + 1, al);
            String oid = DerNames.algorithmOid(b, d + 1, al);
            if (oid == null) {
                malformed(out, "the AlgorithmIdentifier is not a DER SEQUENCE starting with an OID");
                return;
            }
            out.text("signatureAlgorithmOid", oid);
            String alg = DerNames.signatureAlgorithmName(oid);
            if (alg != null) {
                out.text("signatureAlgorithm", alg);
            }
            out.number("signatureLength", end - d - 1 - al);
        } else {
            out.number("dataLength", end - d);
        }
    }

    // ------------------------------------------------------------------ Notify, Delete, VID

    private static void notify(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "Notify payload")) {
            return;
        }
        int proto = b[off] & 0xff;
        int spiSize = b[off + 1] & 0xff;
        int t = Bytes.u16(b, off + 2);
        out.named("protocolId", proto, IkeRegistries.IKEV2_PROTOCOL_IDS.name(proto));
        out.number("spiSize", spiSize);
        out.named("notifyType", t, IkeRegistries.IKEV2_NOTIFY_TYPES.name(t));
        if (spiSize > end - off - 4) {
            malformed(out, "SPI size " + spiSize + " overruns the payload");
            return;
        }
        if (spiSize > 0) {
            out.bytes("spi", b, off + 4, spiSize);
        }
        int d = off + 4 + spiSize;
        int n = end - d;
        switch (t) {
            case N_NAT_DETECTION_SOURCE_IP, N_NAT_DETECTION_DESTINATION_IP -> {
                if (n != 20) {
                    malformed(out, "NAT detection hash of " + n + " bytes (20 expected)");
                    return;
                }
                out.bytes("hash", b, d, n);
            }
            case N_COOKIE -> out.bytes("cookie", b, d, n);
            case N_INVALID_KE_PAYLOAD -> {
                if (n != 2) {
                    malformed(out, "INVALID_KE_PAYLOAD data of " + n + " bytes (2 expected)");
                    return;
                }
                int g = Bytes.u16(b, d);
                out.named("group", g, IkeRegistries.IKEV2_KE.name(g));
            }
            case N_SIGNATURE_HASH_ALGORITHMS -> {
                if ((n & 1) != 0) {
                    malformed(out, "hash algorithm list of odd length " + n);
                    return;
                }
                out.beginList("hashAlgorithms");
                for (int i = d; i + 2 <= end; i += 2) {
                    int h = Bytes.u16(b, i);
                    out.begin(null);
                    out.named("algorithm", h, IkeRegistries.IKEV2_HASH_ALGORITHMS.name(h));
                    out.end();
                }
                out.endList();
            }
            case N_INVALID_MESSAGE_ID, N_SET_WINDOW_SIZE, N_AUTH_LIFETIME -> {
                // RFC 7296 §3.10.1 (the invalid message ID, the window size), RFC 4478 (seconds)
                if (n != 4) {
                    malformed(out, IkeRegistries.IKEV2_NOTIFY_TYPES.name(t) + " data of " + n + " bytes (4 expected)");
                    return;
                }
                String f = t == N_INVALID_MESSAGE_ID ? "invalidMessageId" : t == N_SET_WINDOW_SIZE ? "windowSize" : "lifetimeSeconds";
                out.number(f, Bytes.u32(b, d));
            }
            case N_INVALID_SPI -> out.bytes("invalidSpi", b, d, n); // RFC 7296 §3.10.1: the SPI of the packet
            case N_IPCOMP_SUPPORTED -> { // RFC 7296 §3.10.1: CPI (2 octets), transform ID (1)
                if (n < 3) {
                    malformed(out, "IPCOMP_SUPPORTED data of " + n + " bytes (3 expected)");
                    return;
                }
                out.hexNumber("cpi", Bytes.u16(b, d), 4);
                int tid = b[d + 2] & 0xff;
                out.named("ipcompTransform", tid, IkeRegistries.ISAKMP_IPCOMP_TRANSFORMS.name(tid));
            }
            case N_REDIRECT, N_REDIRECTED_FROM -> redirect(t == N_REDIRECT, b, d, end, out);
            default -> {
                // REKEY_SA and most status types carry only the SPI
                if (n > 0) {
                    out.bytes("data", b, d, n);
                }
            }
        }
    }

    /**
     * RFC 5685 §4: gateway identity type (1), its length (1), the identity, and for REDIRECT the
     * nonce of the IKE_SA_INIT request it answers (absent in an IKE_AUTH or INFORMATIONAL redirect).
     */
    private static void redirect(boolean withNonce, byte[] b, int d, int end, FieldSink out) {
        if (!need(out, d, 2, end, "gateway identity header")) {
            return;
        }
        int gt = b[d] & 0xff;
        int gl = b[d + 1] & 0xff;
        out.named("gatewayType", gt, IkeRegistries.IKEV2_REDIRECT_GATEWAY_TYPES.name(gt));
        int g = d + 2;
        if (gl > end - g) {
            malformed(out, "gateway identity length " + gl + " overruns the notify data by " + (gl - (end - g)) + " bytes");
            return;
        }
        if (gt == GW_IPV4 && gl == 4) {
            out.text("gateway", Bytes.ipv4(b, g));
        } else if (gt == GW_IPV6 && gl == 16) {
            out.text("gateway", Bytes.ipv6(b, g));
        } else if (gt == GW_FQDN) {
            out.text("gateway", text(b, g, gl));
        } else {
            out.bytes("gateway", b, g, gl);
            if (gt == GW_IPV4 || gt == GW_IPV6) {
                malformed(out, "gateway address of " + gl + " bytes");
                return;
            }
        }
        int rest = end - g - gl;
        if (rest > 0) {
            if (withNonce) {
                out.bytes("nonce", b, g + gl, rest);
            } else {
                malformed(out, rest + " bytes after the REDIRECTED_FROM gateway identity");
            }
        }
    }

    private static void delete(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "Delete payload")) {
            return;
        }
        int proto = b[off] & 0xff;
        int spiSize = b[off + 1] & 0xff;
        int count = Bytes.u16(b, off + 2);
        out.named("protocolId", proto, IkeRegistries.IKEV2_PROTOCOL_IDS.name(proto));
        out.number("spiSize", spiSize);
        out.number("spiCount", count);
        long need = (long) spiSize * count;
        if (need != end - off - 4) {
            malformed(out, count + " SPIs of " + spiSize + " bytes need " + need + " bytes, the payload holds " + (end - off - 4));
            return;
        }
        if (spiSize == 0) {
            return;
        }
        out.beginList("spis");
        for (int i = 0, p = off + 4; i < count; i++, p += spiSize) {
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
            name = null; // the vendor table failing must not stop the dissection
        }
        if (name != null) {
            out.text("vendor", name);
        }
    }

    // ------------------------------------------------------------------ TS (§3.13)

    private static void ts(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "TS payload")) {
            return;
        }
        int count = b[off] & 0xff;
        out.number("selectorCount", count);
        out.beginList("selectors");
        int p = off + 4;
        int seen = 0;
        boolean ok = true;
        while (p < end && ok) {
            out.begin(null);
            if (end - p < 4) {
                malformed(out, "traffic selector header needs 4 bytes, only " + (end - p) + " present");
                ok = false;
                out.end();
                break;
            }
            int t = b[p] & 0xff;
            int len = Bytes.u16(b, p + 2);
            out.named("type", t, IkeRegistries.IKEV2_TS_TYPES.name(t));
            if (len < 4 || len > end - p) {
                malformed(out, "selector length " + len + (len < 4 ? " is below the 4-byte header"
                        : " overruns the payload by " + (len - (end - p)) + " bytes"));
                ok = false;
                out.end();
                break;
            }
            int addr = t == 7 ? 4 : t == 8 ? 16 : 0; // TS_IPV4_ADDR_RANGE, TS_IPV6_ADDR_RANGE
            if (addr > 0) {
                if (len != 8 + 2 * addr) {
                    malformed(out, "selector length " + len + ", " + (8 + 2 * addr) + " expected");
                    ok = false;
                    out.end();
                    break;
                }
                out.number("ipProtocol", b[p + 1] & 0xff);
                out.number("startPort", Bytes.u16(b, p + 4));
                out.number("endPort", Bytes.u16(b, p + 6));
                out.text("start", addr == 4 ? Bytes.ipv4(b, p + 8) : Bytes.ipv6(b, p + 8));
                out.text("end", addr == 4 ? Bytes.ipv4(b, p + 8 + addr) : Bytes.ipv6(b, p + 8 + addr));
            } else {
                out.number("length", len);
                out.bytes("data", b, p + 4, len - 4);
            }
            out.end();
            seen++;
            p += len;
        }
        out.endList();
        if (ok && seen != count) {
            malformed(out, "payload announces " + count + " selectors, holds " + seen);
        }
    }

    // ------------------------------------------------------------------ SKF, CP, EAP

    private static void skf(int nextPayload, byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "SKF payload")) {
            return;
        }
        out.number("fragmentNumber", Bytes.u16(b, off));
        out.number("totalFragments", Bytes.u16(b, off + 2));
        if (nextPayload != 0) {
            out.named("firstPayload", nextPayload, IkeRegistries.IKEV2_PAYLOAD_TYPES.name(nextPayload));
        }
        out.number("encryptedLength", end - off - 4);
    }

    private static void cp(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "CP payload")) {
            return;
        }
        int t = b[off] & 0xff;
        out.named("cfgType", t, IkeRegistries.IKEV2_CP_TYPES.name(t));
        out.beginList("attributes");
        int p = off + 4;
        int n = 0;
        while (p < end && n < 1024) {
            n++;
            out.begin(null);
            if (end - p < 4) {
                malformed(out, "attribute header needs 4 bytes, only " + (end - p) + " present");
                out.end();
                break;
            }
            int at = Bytes.u16(b, p) & 0x7fff;
            int len = Bytes.u16(b, p + 2);
            String an = IkeRegistries.IKEV2_CP_ATTRIBUTES.name(at);
            out.named("type", at, an);
            out.number("length", len);
            if (len > end - p - 4) {
                malformed(out, "attribute length " + len + " overruns the payload by " + (len - (end - p - 4)) + " bytes");
                out.end();
                break;
            }
            int v = p + 4;
            if (an != null && an.startsWith("INTERNAL_IP4_") && len >= 4) {
                out.text("value", Bytes.ipv4(b, v));
                if (len == 8) {
                    out.text("netmask", Bytes.ipv4(b, v + 4));
                }
            } else if (an != null && an.startsWith("INTERNAL_IP6_") && len >= 16) {
                out.text("value", Bytes.ipv6(b, v));
                if (len == 17) {
                    out.number("prefixLength", b[v + 16] & 0xff);
                }
            } else if (len > 0) {
                out.bytes("value", b, v, len);
            }
            out.end();
            p += 4 + len;
        }
        out.endList();
    }

    private static void eap(byte[] b, int off, int end, FieldSink out) {
        if (!need(out, off, 4, end, "EAP message")) {
            return;
        }
        int code = b[off] & 0xff;
        out.number("eapCode", code);
        out.number("eapIdentifier", b[off + 1] & 0xff);
        int len = Bytes.u16(b, off + 2);
        out.number("eapLength", len);
        if (len > end - off) {
            malformed(out, "EAP length " + len + " overruns the payload by " + (len - (end - off)) + " bytes");
            return;
        }
        if ((code == 1 || code == 2) && len >= 5) { // Request, Response carry a type
            out.number("eapType", b[off + 4] & 0xff);
        }
    }
}
