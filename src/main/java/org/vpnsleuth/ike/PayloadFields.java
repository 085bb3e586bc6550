package org.vpnsleuth.ike;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.decode.FieldSink;

/** What the IKEv1 and IKEv2 payload decoders share: malformed reasons, certificate data, registry names, the proposal list walk. */
final class PayloadFields {
    private PayloadFields() {
    }

    /** Proposals in one SA payload are capped here (the counts in the packet are not trusted). */
    static final int MAX_PROPOSALS = 256;

    static byte[] copy(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    /** The reason a piece of {@code n} bytes at {@code off} does not fit before {@code end}, or null when it does. */
    static String needs(int off, int n, int end, String what) {
        return end - off < n ? what + " needs " + n + " bytes, only " + Math.max(0, end - off) + " present" : null;
    }

    static void bytes(FieldSink out, String name, byte[] v) {
        out.bytes(name, v, 0, v.length);
    }

    static void malformedIf(FieldSink out, String why) {
        if (why != null) {
            malformed(out, why);
        }
    }

    /**
     * A Delete payload's fields (RFC 2408 §3.15, RFC 7296 §3.11: the same shape in both versions;
     * IKEv1's DOI is written before it): protocol, SPI size and count when reached, why it stopped,
     * the SPIs.
     */
    static void renderDelete(NameTable protocols, Integer protocolId, Integer spiSize, Integer spiCount,
            java.util.List<byte[]> spis, String malformed, FieldSink out) {
        if (protocolId != null) {
            out.named("protocolId", protocolId, protocols.name(protocolId));
            out.number("spiSize", spiSize);
            out.number("spiCount", spiCount);
        }
        malformedIf(out, malformed);
        if (spis != null) {
            out.beginList("spis");
            for (byte[] spi : spis) {
                out.bytes(null, spi, 0, spi.length);
            }
            out.endList();
        }
    }

    /** A Vendor ID payload's fields (the same in both versions): its bytes and the vendor it names. */
    static void renderVendorId(byte[] id, String vendor, FieldSink out) {
        bytes(out, "vendorId", id);
        if (vendor != null) {
            out.text("vendor", vendor);
        }
    }

    static void malformed(FieldSink out, String why) {
        out.text("malformed", why);
    }

    /** Certificate encoding "X.509 Certificate - Signature" (RFC 2408 §3.9, RFC 7296 §3.6). */
    static final int CERT_X509_SIGNATURE = 4;

    /** The fields of certificate data {@code c} (subject, issuer, CA hashes or name, why it does not parse). */
    static void render(CertificateData c, FieldSink out) {
        if (c.subject() != null) {
            out.text("subject", c.subject());
        }
        if (c.issuer() != null) {
            out.text("issuer", c.issuer());
        }
        X509Details x = c.x509();
        if (x != null && x.malformed() == null) {
            if (!x.subjectAltNames().isEmpty()) {
                out.beginList("subjectAltNames");
                for (String n : x.subjectAltNames()) {
                    out.text(null, n);
                }
                out.endList();
            }
            out.text("notBefore", x.notBefore().toString());
            out.text("notAfter", x.notAfter().toString());
            out.text("keyType", x.keyType());
            if (x.keyBits() > 0) {
                out.number("keyBits", x.keyBits());
            }
            out.text("signatureAlgorithm", x.signatureAlgorithm());
            out.bool("ca", x.ca());
            out.bytes("spkiSha1", x.spkiSha1(), 0, x.spkiSha1().length);
        } else if (x != null) {
            malformed(out, x.malformed());
        }
        if (c.authorityKeyHashes() != null) {
            out.beginList("authorityKeyHashes");
            for (byte[] h : c.authorityKeyHashes()) {
                out.bytes(null, h, 0, h.length);
            }
            out.endList();
        }
        if (c.authority() != null) {
            out.text("authority", c.authority());
        }
        if (c.malformed() != null) {
            malformed(out, c.malformed());
        }
    }

    /** The data {@code b[off, end)} of a certificate (request) payload; null when there is nothing to say. */
    static CertificateData certificate(int encoding, boolean request, boolean ikev2, byte[] b, int off, int end) {
        if (encoding != CERT_X509_SIGNATURE || off >= end) {
            return null;
        }
        int n = end - off;
        if (!request) {
            DerNames.CertificateNames c = DerNames.certificate(b, off, n);
            X509Details x = c.malformed() == null ? X509Details.parse(b, off, n) : null;
            return new CertificateData(c.subject(), c.issuer(), null, null, c.malformed(), x);
        }
        if (ikev2) {
            if (n % 20 != 0) {
                return new CertificateData(null, null, null, null,
                        "certificate authority list of " + n + " bytes is not a list of 20-byte SHA-1 hashes", null);
            }
            java.util.List<byte[]> l = new java.util.ArrayList<>();
            for (int i = off; i < end; i += 20) {
                l.add(java.util.Arrays.copyOfRange(b, i, i + 20));
            }
            return new CertificateData(null, null, l, null, null, null);
        }
        DerNames.Result r = DerNames.name(b, off, n);
        return r.text() != null ? new CertificateData(null, null, null, r.text(), null, null)
                : new CertificateData(null, null, null, null, "certificate authority: " + r.malformed(), null);
    }

    /** The registry name of {@code v}, or null (no table, unknown value, out of range). */
    static String name(NameTable t, long v) {
        return t == null || v < 0 || v > Integer.MAX_VALUE ? null : t.name((int) v);
    }

    // ------------------------------------------------------------------ the proposal list (RFC 2408 §3.5, RFC 7296 §3.3.1)

    /** Parses one transform at {@code pos}, bounded by the end of its proposal. */
    interface TransformParser<T> {
        T parse(byte[] b, int pos, int end);
    }

    /** Makes a proposal record from what was parsed; null components were not reached. */
    interface ProposalMaker<P, T> {
        P make(Integer number, Integer protocolId, Integer spiSize, byte[] spi, Integer transformCount, java.util.List<T> transforms,
                String malformed);
    }

    /** The proposals of an SA payload and the reason for bytes left after the last one (null when none). */
    record ProposalList<P>(java.util.List<P> proposals, String malformed) {
    }

    /**
     * The proposal list of an SA payload in {@code b[pos, end)}, the same substructure layout in
     * IKEv1 and IKEv2: each proposal's own length moves to the next, "last" (0) in its first byte
     * ends the list, bytes left after the last proposal are reported; each proposal's transforms
     * are walked the same way, its counts checked. A proposal or transform that does not parse
     * ends the walk ({@code reasonP}/{@code reasonT}: the first reason a record gives, or null).
     */
    static <P, T> ProposalList<P> proposals(byte[] b, int pos, int end, TransformParser<T> transforms,
            java.util.function.Function<T, String> reasonT, ProposalMaker<P, T> maker, java.util.function.Function<P, String> reasonP) {
        java.util.List<P> l = new java.util.ArrayList<>();
        int n = 0;
        boolean ok = true;
        while (pos < end && n < MAX_PROPOSALS) {
            n++;
            P p = proposal(b, pos, end, transforms, reasonT, maker);
            l.add(p);
            ok = reasonP.apply(p) == null;
            int len = end - pos >= 4 ? Bytes.u16(b, pos + 2) : 0;
            int last = b[pos] & 0xff;
            if (!ok) {
                break;
            }
            pos += len;
            if (last == 0) {
                break;
            }
        }
        return new ProposalList<>(java.util.List.copyOf(l), ok && pos < end ? (end - pos) + " bytes after the last proposal" : null);
    }

    /** One proposal at {@code pos}; a malformed transform ends it (the reason is the transform's). */
    static <P, T> P proposal(byte[] b, int pos, int end, TransformParser<T> transforms, java.util.function.Function<T, String> reasonT,
            ProposalMaker<P, T> maker) {
        if (end - pos < 8) {
            return maker.make(null, null, null, null, null, null,
                    "proposal header needs 8 bytes, only " + Math.max(0, end - pos) + " present");
        }
        int len = Bytes.u16(b, pos + 2);
        if (len < 8 || len > end - pos) {
            return maker.make(null, null, null, null, null, null, "proposal length " + len
                    + (len < 8 ? " is below the 8-byte header" : " overruns the SA payload by " + (len - (end - pos)) + " bytes"));
        }
        int pend = pos + len;
        int number = b[pos + 4] & 0xff;
        int protocol = b[pos + 5] & 0xff;
        int spiSize = b[pos + 6] & 0xff;
        int count = b[pos + 7] & 0xff;
        if (spiSize > pend - pos - 8) {
            return maker.make(number, protocol, spiSize, null, null, null, "SPI size " + spiSize + " overruns the proposal");
        }
        byte[] spi = spiSize > 0 ? java.util.Arrays.copyOfRange(b, pos + 8, pos + 8 + spiSize) : null;
        int t = pos + 8 + spiSize;
        java.util.List<T> ts = new java.util.ArrayList<>();
        int seen = 0;
        while (t < pend && seen < 256) {
            seen++;
            T x = transforms.parse(b, t, pend);
            ts.add(x);
            if (reasonT.apply(x) != null) {
                return maker.make(number, protocol, spiSize, spi, count, java.util.List.copyOf(ts), null);
            }
            int last = b[t] & 0xff;
            t += Bytes.u16(b, t + 2);
            if (last == 0) {
                break;
            }
        }
        String why = seen != count ? "proposal announces " + count + " transforms, holds " + seen
                : t != pend ? (pend - t) + " bytes after the last transform" : null;
        return maker.make(number, protocol, spiSize, spi, count, java.util.List.copyOf(ts), why);
    }
}
