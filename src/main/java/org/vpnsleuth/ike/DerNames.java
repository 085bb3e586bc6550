package org.vpnsleuth.ike;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;

/**
 * Readable forms of the DER identities IKE carries: an X.501 Name (ID_DER_ASN1_DN, RFC 2407 §4.6.2.1
 * and RFC 7296 §3.5) as "C=CH, O=strongSwan, CN=moon" (RDNs in the order they are encoded, as
 * strongSwan and Windows print them; a multi-valued RDN joined with '+'; an attribute type without a
 * short name as its dotted OID; a value that is not a string as '#' and its DER in hex, RFC 4514
 * §2.4), and an X.509 GeneralName (ID_DER_ASN1_GN) as "dns:...", "email:...", "uri:...", "ip:...",
 * "dn:...". Every length is checked against its enclosing element; anything that does not parse
 * gives a {@link Result} with the reason instead of a text. Never throws.
 */
public final class DerNames {
    private DerNames() {
    }

    /** A readable text, or why the bytes are not one. */
    public record Result(String text, String malformed) {
        static Result ok(String text) {
            return new Result(text, null);
        }

        static Result bad(String why) {
            return new Result(null, why);
        }
    }

    private static final Map<String, String> ATTRIBUTE_TYPES = loadAttributeTypes();
    private static final Map<String, String> SIGNATURE_ALGORITHMS = load("asn1/signature-algorithms");

    private static final int TAG_SEQUENCE = 0x30;
    private static final int TAG_SET = 0x31;
    private static final int TAG_OID = 0x06;

    private static Map<String, String> loadAttributeTypes() {
        return load("asn1/x500-attribute-types");
    }

    private static Map<String, String> load(String resource) {
        Map<String, String> m = new HashMap<>();
        for (String[] row : NameTable.rows(resource, 2)) {
            m.put(row[0].trim(), row[1].trim());
        }
        return m;
    }

    /**
     * The OID of the DER AlgorithmIdentifier (RFC 5280 §4.1.1.2: SEQUENCE { algorithm OID,
     * parameters ANY OPTIONAL }) filling {@code b[off, off + len)}, dotted, or null.
     */
    public static String algorithmOid(byte[] b, int off, int len) {
        Tlv seq = tlv(b, off, off + len);
        if (seq == null || seq.tag != TAG_SEQUENCE || seq.end != off + len) {
            return null;
        }
        Tlv o = tlv(b, seq.start, seq.end);
        return o == null || o.tag != TAG_OID ? null : oid(b, o.start, o.end);
    }

    /** The name of a signature algorithm OID ("1.2.840.113549.1.1.11" → "sha256WithRSAEncryption"), or null. */
    public static String signatureAlgorithmName(String oid) {
        return oid == null ? null : SIGNATURE_ALGORITHMS.get(oid);
    }

    /** The short name of an attribute type OID ("2.5.4.3" → "CN"), or null. */
    public static String attributeName(String oid) {
        return ATTRIBUTE_TYPES.get(oid);
    }

    /** One DER element: tag, where it begins, where its contents start and end. */
    private record Tlv(int tag, int pos, int start, int end) {
    }

    /** Reads the element at {@code pos}, bounded by {@code limit}; null when it does not fit. */
    private static Tlv tlv(byte[] b, int pos, int limit) {
        if (limit - pos < 2) {
            return null;
        }
        int tag = b[pos] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            return null; // high tag numbers are not used in names
        }
        int lb = b[pos + 1] & 0xff;
        int p = pos + 2;
        long len;
        if (lb < 0x80) {
            len = lb;
        } else {
            int n = lb & 0x7f;
            if (n == 0 || n > 4 || limit - p < n) {
                return null; // indefinite length (not DER) or longer than the buffer can be
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (b[p + i] & 0xff);
            }
            p += n;
        }
        if (len > limit - p) {
            return null;
        }
        return new Tlv(tag, pos, p, p + (int) len);
    }

    /** Decodes a DER Name filling {@code b[off, off + len)} exactly. */
    public static Result name(byte[] b, int off, int len) {
        if (len == 0) {
            return Result.ok(""); // the empty DN
        }
        Tlv seq = tlv(b, off, off + len);
        if (seq == null || seq.tag != TAG_SEQUENCE) {
            return Result.bad("DER Name: no SEQUENCE at the start");
        }
        if (seq.end != off + len) {
            return Result.bad("DER Name: " + (off + len - seq.end) + " bytes after the SEQUENCE");
        }
        StringBuilder sb = new StringBuilder();
        String why = rdnSequence(b, seq.start, seq.end, sb);
        return why == null ? Result.ok(sb.toString()) : Result.bad("DER Name: " + why);
    }

    private static String rdnSequence(byte[] b, int pos, int end, StringBuilder sb) {
        int rdn = 0;
        while (pos < end) {
            Tlv set = tlv(b, pos, end);
            if (set == null || set.tag != TAG_SET) {
                return "RDN " + (rdn + 1) + " is not a SET";
            }
            if (set.start == set.end) {
                return "RDN " + (rdn + 1) + " is an empty SET"; // SET SIZE (1..MAX), RFC 5280 §4.1.2.4
            }
            if (rdn++ > 0) {
                sb.append(", ");
            }
            int q = set.start;
            int atv = 0;
            while (q < set.end) {
                Tlv a = tlv(b, q, set.end);
                if (a == null || a.tag != TAG_SEQUENCE) {
                    return "RDN " + rdn + " attribute " + (atv + 1) + " is not a SEQUENCE";
                }
                if (atv++ > 0) {
                    sb.append('+');
                }
                String why = attribute(b, a.start, a.end, sb);
                if (why != null) {
                    return "RDN " + rdn + ": " + why;
                }
                q = a.end;
            }
            pos = set.end;
        }
        return null;
    }

    private static String attribute(byte[] b, int pos, int end, StringBuilder sb) {
        Tlv oid = tlv(b, pos, end);
        if (oid == null || oid.tag != TAG_OID) {
            return "attribute type is not an OID";
        }
        String dotted = oid(b, oid.start, oid.end);
        if (dotted == null) {
            return "bad OID encoding";
        }
        Tlv v = tlv(b, oid.end, end);
        if (v == null) {
            return "attribute value of " + dotted + " does not fit";
        }
        if (v.end != end) {
            return "bytes after the value of " + dotted;
        }
        String shortName = ATTRIBUTE_TYPES.get(dotted);
        sb.append(shortName != null ? shortName : dotted).append('=');
        String s = string(b, v.tag, v.start, v.end);
        if (s != null) {
            sb.append(s);
        } else {
            sb.append('#');
            appendHex(sb, b, oid.end, v.end - oid.end);
        }
        return null;
    }

    /** An OID's contents as dotted decimal, or null when the encoding is broken. */
    static String oid(byte[] b, int start, int end) {
        if (start >= end || (b[end - 1] & 0x80) != 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        long v = 0;
        boolean first = true;
        int digits = 0;
        for (int i = start; i < end; i++) {
            int c = b[i] & 0xff;
            if (digits == 0 && c == 0x80) {
                return null; // non-minimal encoding
            }
            if (++digits > 9) {
                return null; // arcs beyond 63 bits are not attribute types
            }
            v = (v << 7) | (c & 0x7f);
            if ((c & 0x80) == 0) {
                if (first) {
                    long top = Math.min(2, v / 40);
                    sb.append(top).append('.').append(v - 40 * top);
                    first = false;
                } else {
                    sb.append('.').append(v);
                }
                v = 0;
                digits = 0;
            }
        }
        return sb.toString();
    }

    /** The text of a DirectoryString-like value, or null for a type that is not a string. */
    private static String string(byte[] b, int tag, int start, int end) {
        int n = end - start;
        return switch (tag) {
            case 0x0c -> escape(new String(b, start, n, StandardCharsets.UTF_8)); // UTF8String
            case 0x12, 0x13, 0x16, 0x1a -> escape(new String(b, start, n, StandardCharsets.US_ASCII)); // Numeric, Printable, IA5, Visible
            case 0x14 -> escape(new String(b, start, n, StandardCharsets.ISO_8859_1)); // TeletexString, as Latin-1 in practice
            case 0x1e -> (n & 1) == 0 ? escape(new String(b, start, n, StandardCharsets.UTF_16BE)) : null; // BMPString
            case 0x1c -> (n & 3) == 0 ? escape(utf32(b, start, end)) : null; // UniversalString
            default -> null;
        };
    }

    private static String utf32(byte[] b, int start, int end) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i + 4 <= end; i += 4) {
            long cp = Bytes.u32(b, i);
            if (cp <= Character.MAX_CODE_POINT) {
                sb.appendCodePoint((int) cp);
            } else {
                sb.append('\ufffd');
            }
        }
        return sb.toString();
    }

    /** Control characters (C0, DEL, C1) escaped as \xNN so that a hostile name cannot break a line. */
    private static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append("\\x");
                Bytes.appendHex(sb, c, 2);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static void appendHex(StringBuilder sb, byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            Bytes.appendHex(sb, b[off + i] & 0xff, 2);
        }
    }

    /** The issuer and subject of an X.509 certificate, or why they could not be read. */
    public record CertificateNames(String subject, String issuer, String malformed) {
    }

    /**
     * The issuer and subject names of the DER X.509 certificate filling {@code b[off, off + len)}
     * (RFC 5280 §4.1: Certificate → TBSCertificate → [0] version, serialNumber, signature,
     * issuer, validity, subject).
     */
    public static CertificateNames certificate(byte[] b, int off, int len) {
        Tlv cert = tlv(b, off, off + len);
        if (cert == null || cert.tag != TAG_SEQUENCE) {
            return new CertificateNames(null, null, "X.509 certificate: no SEQUENCE at the start");
        }
        Tlv tbs = tlv(b, cert.start, cert.end);
        if (tbs == null || tbs.tag != TAG_SEQUENCE) {
            return new CertificateNames(null, null, "X.509 certificate: no TBSCertificate");
        }
        int p = tbs.start;
        Tlv[] parts = new Tlv[6];
        int[] wanted = {0xa0, 0x02, TAG_SEQUENCE, TAG_SEQUENCE, TAG_SEQUENCE, TAG_SEQUENCE};
        for (int i = 0; i < parts.length; i++) {
            Tlv t = tlv(b, p, tbs.end);
            if (i == 0 && t != null && t.tag != 0xa0) {
                continue; // version absent: v1 certificate
            }
            if (t == null || t.tag != wanted[i]) {
                return new CertificateNames(null, null, "X.509 certificate: TBSCertificate field " + (i + 1) + " is not as expected");
            }
            parts[i] = t;
            p = t.end;
        }
        Tlv issuer = parts[3];
        Tlv subject = parts[5];
        Result is = name(b, issuer.pos, issuer.end - issuer.pos);
        Result su = name(b, subject.pos, subject.end - subject.pos);
        String why = su.malformed != null ? su.malformed : is.malformed;
        return new CertificateNames(su.text, is.text, why == null ? null : "X.509 certificate: " + why);
    }

    /** Decodes one X.509 GeneralName (RFC 5280 §4.2.1.6) filling {@code b[off, off + len)} exactly. */
    public static Result generalName(byte[] b, int off, int len) {
        Tlv t = tlv(b, off, off + len);
        if (t == null) {
            return Result.bad("DER GeneralName: element does not fit in " + len + " bytes");
        }
        if (t.end != off + len) {
            return Result.bad("DER GeneralName: " + (off + len - t.end) + " bytes after the element");
        }
        int n = t.end - t.start;
        switch (t.tag) {
            case 0x81: // [1] rfc822Name
                return Result.ok("email:" + escape(new String(b, t.start, n, StandardCharsets.US_ASCII)));
            case 0x82: // [2] dNSName
                return Result.ok("dns:" + escape(new String(b, t.start, n, StandardCharsets.US_ASCII)));
            case 0x86: // [6] uniformResourceIdentifier
                return Result.ok("uri:" + escape(new String(b, t.start, n, StandardCharsets.US_ASCII)));
            case 0x87: // [7] iPAddress
                if (n == 4) {
                    return Result.ok("ip:" + Bytes.ipv4(b, t.start));
                }
                if (n == 16) {
                    return Result.ok("ip:" + Bytes.ipv6(b, t.start));
                }
                return Result.bad("DER GeneralName: iPAddress of " + n + " bytes");
            case 0x88: { // [8] registeredID
                String o = oid(b, t.start, t.end);
                return o != null ? Result.ok("rid:" + o) : Result.bad("DER GeneralName: bad registeredID");
            }
            case 0xa4: { // [4] directoryName, EXPLICIT Name
                Result r = name(b, t.start, n);
                return r.text != null ? Result.ok("dn:" + r.text) : r;
            }
            default: {
                StringBuilder sb = new StringBuilder("[").append(t.tag & 0x1f).append("]#");
                appendHex(sb, b, t.start, n);
                return Result.ok(sb.toString()); // otherName, x400Address, ediPartyName: shown raw
            }
        }
    }
}
