package org.vpnsleuth.ike;

import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.NameTable;

/** What the IKEv1 and IKEv2 payload decoders share: malformed reasons, certificate data, registry names, the proposal cap. */
final class PayloadFields {
    private PayloadFields() {
    }

    /** Proposals in one SA payload are capped here (the counts in the packet are not trusted). */
    static final int MAX_PROPOSALS = 256;

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
}
