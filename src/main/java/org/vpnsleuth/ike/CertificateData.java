package org.vpnsleuth.ike;

/**
 * What a certificate (request) payload's data holds, as parsed (ike/PayloadFields): an X.509
 * certificate's subject and issuer, an IKEv2 request's CA key hashes (RFC 7296 §3.7), an IKEv1
 * request's CA name (RFC 2408 §3.10), and why it does not parse; null components were not produced.
 * {@code x509}: the rest of an X.509 certificate (SANs, validity, key, signature algorithm, key hash).
 */
public record CertificateData(String subject, String issuer, java.util.List<byte[]> authorityKeyHashes, String authority,
        String malformed, X509Details x509) implements java.io.Serializable {
}
