package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The certificates `pki` made for captures/make-auth-captures.sh (captures/certs/auth-*): what
 * X509Details reads against what strongSwan logged about them, and the issuer key recovered from an
 * ECDSA signature against the CA certificate's own public key.
 */
class X509DetailsTest {
    private static Path certs(String scenario) {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).resolve("captures/certs/auth-" + scenario);
    }

    private static byte[] der(Path pem) throws Exception {
        return ((X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)))).getEncoded();
    }

    /** SHA-1 of the certificate's SubjectPublicKeyInfo, as RFC 7296 §3.7 hashes a CA for CERTREQ. */
    private static String spkiSha1(Path pem) throws Exception {
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getPublicKey().getEncoded()));
    }

    @Test
    void validityKeyAndNamesOfAnExpiredCertificate() throws Exception {
        Path dir = certs("fail-cert-expired-initiator");
        Assumptions.assumeTrue(Files.isDirectory(dir), "captures/certs not present");
        byte[] b = der(dir.resolve("initiator.crt"));
        X509Details x = X509Details.parse(b, 0, b.length);
        assertThat(x.malformed()).isNull();
        // responder log: 'subject certificate invalid (valid from Nov 02 15:35:02 2025 to Nov 07 15:35:02 2026)'
        assertThat(x.notBefore()).isEqualTo(Instant.parse("2025-11-02T15:35:02Z"));
        assertThat(x.notAfter()).isEqualTo(Instant.parse("2026-11-07T15:35:02Z"));
        assertThat(x.validityAt(Instant.parse("2026-12-07T15:35:08Z"))).isEqualTo("expired");
        assertThat(x.validityAt(Instant.parse("2026-01-01T00:00:00Z"))).isNull();
        assertThat(x.validityAt(Instant.parse("2025-01-01T00:00:00Z"))).isEqualTo("not yet valid");
        // make-auth-captures.sh: pki --gen --type ecdsa --size 256, --digest sha256, --san FQDN
        assertThat(x.keyType()).isEqualTo("EC");
        assertThat(x.keyBits()).isEqualTo(256);
        assertThat(x.signatureAlgorithm()).isEqualTo("SHA256withECDSA");
        assertThat(x.subjectAltNames()).containsExactly("DNS:initiator.vpnsleuth.example");
        assertThat(x.subject()).contains("CN=initiator.vpnsleuth.example");
        assertThat(x.issuer()).contains("CN=vpnsleuth test CA");
        assertThat(x.ca()).isFalse();
        assertThat(x.spkiSha1Hex()).isEqualTo(spkiSha1(dir.resolve("initiator.crt")));
        assertThat(X509Details.parse(new byte[] {0x30, 3, 1, 2, 3}, 0, 5).malformed()).contains("does not parse");
    }

    @Test
    void theIssuerKeyRecoveredFromTheSignatureIsTheSigningCas() throws Exception {
        Path dir = certs("fail-cert-untrusted-initiator");
        Assumptions.assumeTrue(Files.isDirectory(dir), "captures/certs not present");
        String ca = spkiSha1(dir.resolve("ca.crt"));
        String rogue = spkiSha1(dir.resolve("ca2.crt"));
        // the initiator's certificate was issued by the rogue CA (ca2), the responder's by the CA
        assertThat(IssuerKeys.candidateHashes(der(dir.resolve("initiator.crt")))).contains(rogue).doesNotContain(ca);
        assertThat(IssuerKeys.candidateHashes(der(dir.resolve("responder.crt")))).contains(ca).doesNotContain(rogue);
        // a self-signed CA certificate: its own key is among the candidates
        assertThat(IssuerKeys.candidateHashes(der(dir.resolve("ca.crt")))).contains(ca);
    }
}
