package org.vpnsleuth.ike;

import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.NameTable;

/** What the IKEv1 and IKEv2 payload decoders share: bounds checks, malformed reasons, the proposal list. */
final class PayloadFields {
    private PayloadFields() {
    }

    /** Proposals in one SA payload are capped here (the counts in the packet are not trusted). */
    static final int MAX_PROPOSALS = 256;

    /** Decodes one transform at {@code pos} (bounded by {@code end}); false when malformed (reason emitted). */
    interface TransformDecoder {
        boolean decode(byte[] b, int pos, int end, int protocol, FieldSink out);
    }

    static void malformed(FieldSink out, String why) {
        out.text("malformed", why);
    }

    /** True when {@code n} bytes are there from {@code off}; otherwise emits why not. */
    static boolean need(FieldSink out, int off, int n, int end, String what) {
        if (end - off < n) {
            malformed(out, what + " needs " + n + " bytes, only " + Math.max(0, end - off) + " present");
            return false;
        }
        return true;
    }

    /** Certificate encoding "X.509 Certificate - Signature" (RFC 2408 §3.9, RFC 7296 §3.6). */
    static final int CERT_X509_SIGNATURE = 4;

    /**
     * What a certificate (request) payload's data says in an engineer's terms: for an X.509
     * certificate its subject and issuer; for an IKEv1 request the certificate authority's DN
     * (RFC 2408 §3.10); for an IKEv2 request the SHA-1 hashes of the trusted CAs' public keys
     * (RFC 7296 §3.7), 20 bytes each. Other encodings are left as their length.
     */
    static void certificateData(int encoding, boolean request, boolean ikev2, byte[] b, int off, int end, FieldSink out) {
        CertificateData c = certificate(encoding, request, ikev2, b, off, end);
        if (c != null) {
            render(c, out);
        }
    }

    static void render(CertificateData c, FieldSink out) {
        if (c.subject() != null) {
            out.text("subject", c.subject());
        }
        if (c.issuer() != null) {
            out.text("issuer", c.issuer());
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
            return new CertificateData(c.subject(), c.issuer(), null, null, c.malformed());
        }
        if (ikev2) {
            if (n % 20 != 0) {
                return new CertificateData(null, null, null, null,
                        "certificate authority list of " + n + " bytes is not a list of 20-byte SHA-1 hashes");
            }
            java.util.List<byte[]> l = new java.util.ArrayList<>();
            for (int i = off; i < end; i += 20) {
                l.add(java.util.Arrays.copyOfRange(b, i, i + 20));
            }
            return new CertificateData(null, null, l, null, null);
        }
        DerNames.Result r = DerNames.name(b, off, n);
        return r.text() != null ? new CertificateData(null, null, null, r.text(), null)
                : new CertificateData(null, null, null, null, "certificate authority: " + r.malformed());
    }

    /** The registry name of {@code v}, or null (no table, unknown value, out of range). */
    static String name(NameTable t, long v) {
        return t == null || v < 0 || v > Integer.MAX_VALUE ? null : t.name((int) v);
    }

    /**
     * The proposal list of an SA payload (the same substructure layout in RFC 2408 §3.5 and RFC 7296
     * §3.3.1): each proposal's own length moves to the next, "last" (0) in its first byte ends the
     * list, and bytes left after the last proposal are reported. Each proposal's transforms are
     * walked the same way and handed to {@code transforms}; the proposal's counts are checked.
     */
    static void proposals(byte[] b, int pos, int end, FieldSink out, NameTable protocolIds,
            TransformDecoder transforms) {
        out.beginList("proposals");
        int n = 0;
        boolean ok = true;
        while (pos < end && n < MAX_PROPOSALS) {
            n++;
            out.begin(null);
            ok = proposal(b, pos, end, out, protocolIds, transforms);
            int len = end - pos >= 4 ? Bytes.u16(b, pos + 2) : 0;
            int last = b[pos] & 0xff;
            out.end();
            if (!ok) {
                break;
            }
            pos += len;
            if (last == 0) {
                break;
            }
        }
        out.endList();
        if (ok && pos < end) {
            malformed(out, (end - pos) + " bytes after the last proposal");
        }
    }

    /** One proposal at {@code pos}; false when malformed (the reason emitted). */
    static boolean proposal(byte[] b, int pos, int end, FieldSink out, NameTable protocolIds,
            TransformDecoder transforms) {
        if (!need(out, pos, 8, end, "proposal header")) {
            return false;
        }
        int len = Bytes.u16(b, pos + 2);
        if (len < 8 || len > end - pos) {
            malformed(out, "proposal length " + len + (len < 8 ? " is below the 8-byte header"
                    : " overruns the SA payload by " + (len - (end - pos)) + " bytes"));
            return false;
        }
        int pend = pos + len;
        int protocol = b[pos + 5] & 0xff;
        int spiSize = b[pos + 6] & 0xff;
        int count = b[pos + 7] & 0xff;
        out.number("number", b[pos + 4] & 0xff);
        out.named("protocolId", protocol, protocolIds.name(protocol));
        out.number("spiSize", spiSize);
        if (spiSize > pend - pos - 8) {
            malformed(out, "SPI size " + spiSize + " overruns the proposal");
            return false;
        }
        if (spiSize > 0) {
            out.bytes("spi", b, pos + 8, spiSize);
        }
        out.number("transformCount", count);
        int t = pos + 8 + spiSize;
        out.beginList("transforms");
        boolean ok = true;
        int seen = 0;
        while (t < pend && seen < 256) {
            seen++;
            out.begin(null);
            ok = transforms.decode(b, t, pend, protocol, out);
            out.end();
            if (!ok) {
                break;
            }
            int last = b[t] & 0xff;
            t += Bytes.u16(b, t + 2);
            if (last == 0) {
                break;
            }
        }
        out.endList();
        if (!ok) {
            return false;
        }
        if (seen != count) {
            malformed(out, "proposal announces " + count + " transforms, holds " + seen);
            return false;
        }
        if (t != pend) {
            malformed(out, (pend - t) + " bytes after the last transform");
            return false;
        }
        return true;
    }
}
