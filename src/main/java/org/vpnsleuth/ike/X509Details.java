package org.vpnsleuth.ike;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.interfaces.DSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * What an X.509 certificate (RFC 5280) in a CERT payload says beyond its names: subject
 * alternative names, validity, the public key's type and size, the signature algorithm, whether
 * it is a CA, and the SHA-1 hash of its SubjectPublicKeyInfo, the value an IKEv2 CERTREQ names a
 * CA by (RFC 7296 §3.7). Read with the JDK's CertificateFactory.
 */
public record X509Details(String subject, String issuer, List<String> subjectAltNames, Instant notBefore, Instant notAfter,
        String keyType, int keyBits, String signatureAlgorithm, boolean ca, byte[] spkiSha1, String malformed, byte[] der)
        implements java.io.Serializable {

    /** The certificate's SubjectPublicKeyInfo hash in hex (what a CERTREQ would list for it as a CA). */
    public String spkiSha1Hex() {
        return spkiSha1 == null ? null : HexFormat.of().formatHex(spkiSha1);
    }

    /**
     * SHA-1 hashes (hex) of the keys that may have signed this certificate (ike/IssuerKeys: ECDSA
     * public key recovery), to compare with a CERTREQ's CA hashes; empty for RSA signatures.
     */
    public List<String> issuerKeyHashes() {
        return der == null ? List.of() : IssuerKeys.candidateHashes(der);
    }

    /** "expired" / "not yet valid" / null: the validity at {@code when}. */
    public String validityAt(Instant when) {
        if (notAfter != null && when.isAfter(notAfter)) {
            return "expired";
        }
        if (notBefore != null && when.isBefore(notBefore)) {
            return "not yet valid";
        }
        return null;
    }

    /** "ECDSA P-256 (256 bits)"-like key words: "EC 256-bit", "RSA 2048-bit". */
    public String keyWords() {
        return keyType == null ? null : keyType + (keyBits > 0 ? " " + keyBits + "-bit" : "");
    }

    /** Parses the DER certificate {@code b[off, off + len)}; never throws. */
    public static X509Details parse(byte[] b, int off, int len) {
        X509Certificate c;
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            c = (X509Certificate) f.generateCertificate(new ByteArrayInputStream(b, off, len));
        } catch (CertificateException | RuntimeException e) {
            return new X509Details(null, null, List.of(), null, null, null, 0, null, false, null,
                    "X.509 certificate does not parse: " + e.getMessage(), null);
        }
        List<String> sans = new ArrayList<>();
        try {
            Collection<List<?>> alt = c.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> e : alt) {
                    if (e.size() >= 2 && e.get(1) instanceof String s) {
                        sans.add(sanKind(e.get(0)) + s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            sans.add("(subjectAltName does not parse)");
        }
        PublicKey k = c.getPublicKey();
        String type = k.getAlgorithm();
        int bits = 0;
        if (k instanceof RSAPublicKey r) {
            bits = r.getModulus().bitLength();
        } else if (k instanceof ECPublicKey ec) {
            bits = ec.getParams().getCurve().getField().getFieldSize();
        } else if (k instanceof DSAPublicKey d && d.getParams() != null) {
            bits = d.getParams().getP().bitLength();
        } else if ("Ed25519".equalsIgnoreCase(type) || "EdDSA".equalsIgnoreCase(type) && k.getEncoded().length == 44) {
            type = "Ed25519";
            bits = 256;
        } else if ("Ed448".equalsIgnoreCase(type)) {
            bits = 456;
        }
        byte[] h = null;
        try {
            h = MessageDigest.getInstance("SHA-1").digest(k.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            // every JDK has SHA-1
        }
        return new X509Details(c.getSubjectX500Principal().getName(X500Principal.RFC2253),
                c.getIssuerX500Principal().getName(X500Principal.RFC2253), sans, c.getNotBefore().toInstant(),
                c.getNotAfter().toInstant(), type, bits, c.getSigAlgName(), c.getBasicConstraints() >= 0, h, null,
                java.util.Arrays.copyOfRange(b, off, off + len));
    }

    /** RFC 5280 GeneralName tags: 1 rfc822Name, 2 dNSName, 4 directoryName, 6 URI, 7 iPAddress. */
    private static String sanKind(Object tag) {
        int t = tag instanceof Integer i ? i : -1;
        return switch (t) {
            case 1 -> "email:";
            case 2 -> "DNS:";
            case 4 -> "DN:";
            case 6 -> "URI:";
            case 7 -> "IP:";
            default -> "";
        };
    }
}
