package org.vpnsleuth.ike;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The key of the CA that signed a certificate, as far as the certificate alone tells it: an ECDSA
 * signature (SEC 1 v2 §4.1.6, public key recovery) gives at most two candidate public keys of the
 * signer per curve, and the SHA-1 hash of each candidate's SubjectPublicKeyInfo is what an IKEv2
 * CERTREQ lists for that CA (RFC 7296 §3.7). So "was this certificate issued by a CA the peer asked
 * for" can be answered from the capture for ECDSA-signed certificates; RSA signatures do not reveal
 * the signer's key (empty result).
 */
public final class IssuerKeys {
    private IssuerKeys() {
    }

    /** SHA-1 hashes (hex) of the SubjectPublicKeyInfo of every key that may have signed {@code der}; empty when unknown. */
    public static List<String> candidateHashes(byte[] der) {
        List<String> out = new ArrayList<>();
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            String alg = c.getSigAlgName().toUpperCase(java.util.Locale.ROOT);
            if (!alg.endsWith("WITHECDSA")) {
                return out;
            }
            String hash = switch (alg) {
                case "SHA1WITHECDSA" -> "SHA-1";
                case "SHA224WITHECDSA" -> "SHA-224";
                case "SHA256WITHECDSA" -> "SHA-256";
                case "SHA384WITHECDSA" -> "SHA-384";
                case "SHA512WITHECDSA" -> "SHA-512";
                default -> null;
            };
            if (hash == null) {
                return out;
            }
            BigInteger[] rs = ecdsaSignature(c.getSignature());
            if (rs == null) {
                return out;
            }
            int bits = Math.max(rs[0].bitLength(), rs[1].bitLength());
            String curve = bits <= 256 ? "secp256r1" : bits <= 384 ? "secp384r1" : "secp521r1";
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec(curve));
            ECParameterSpec spec = ap.getParameterSpec(ECParameterSpec.class);
            byte[] digest = MessageDigest.getInstance(hash).digest(c.getTBSCertificate());
            for (ECPoint q : recover(spec, rs[0], rs[1], digest)) {
                byte[] spki = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, spec)).getEncoded();
                out.add(java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(spki)));
            }
        } catch (Exception | StackOverflowError e) {
            return List.of(); // not a certificate this can read: no candidates
        }
        return out;
    }

    /** (r, s) of a DER ECDSA-Sig-Value (RFC 3279 §2.2.3), or null. */
    private static BigInteger[] ecdsaSignature(byte[] sig) {
        if (sig.length < 8 || sig[0] != 0x30) {
            return null;
        }
        int p = 2;
        if ((sig[1] & 0x80) != 0) {
            p = 2 + (sig[1] & 0x7f);
        }
        BigInteger[] out = new BigInteger[2];
        for (int i = 0; i < 2; i++) {
            if (p + 2 > sig.length || sig[p] != 0x02) {
                return null;
            }
            int len = sig[p + 1] & 0xff;
            if (p + 2 + len > sig.length || len == 0 || len > 80) {
                return null;
            }
            out[i] = new BigInteger(1, java.util.Arrays.copyOfRange(sig, p + 2, p + 2 + len));
            p += 2 + len;
        }
        return out;
    }

    /** Q = r^-1 (sR - eG) for both points R with x = r (SEC 1 v2 §4.1.6, j = 0). */
    private static List<ECPoint> recover(ECParameterSpec spec, BigInteger r, BigInteger s, byte[] digest) {
        BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
        BigInteger a = spec.getCurve().getA();
        BigInteger b = spec.getCurve().getB();
        BigInteger n = spec.getOrder();
        List<ECPoint> out = new ArrayList<>();
        if (r.signum() <= 0 || r.compareTo(n) >= 0 || s.signum() <= 0 || s.compareTo(n) >= 0 || !p.testBit(0) || !p.testBit(1)) {
            return out; // out of range, or p not 3 mod 4 (the square root below needs it; true of the NIST curves)
        }
        BigInteger e = new BigInteger(1, digest);
        int extra = digest.length * 8 - n.bitLength();
        if (extra > 0) {
            e = e.shiftRight(extra);
        }
        BigInteger x = r;
        BigInteger alpha = x.modPow(BigInteger.valueOf(3), p).add(a.multiply(x)).add(b).mod(p);
        BigInteger beta = alpha.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
        if (!beta.modPow(BigInteger.TWO, p).equals(alpha)) {
            return out;
        }
        BigInteger rInv = r.modInverse(n);
        BigInteger u1 = e.negate().multiply(rInv).mod(n);
        BigInteger u2 = s.multiply(rInv).mod(n);
        ECPoint g = spec.getGenerator();
        ECPoint u1g = multiply(g, u1, a, p);
        for (BigInteger y : new BigInteger[] {beta, p.subtract(beta)}) {
            ECPoint big = new ECPoint(x, y);
            ECPoint q = add(u1g, multiply(big, u2, a, p), a, p);
            if (q != ECPoint.POINT_INFINITY) {
                out.add(q);
            }
        }
        return out;
    }

    private static ECPoint add(ECPoint u, ECPoint v, BigInteger a, BigInteger p) {
        if (u == ECPoint.POINT_INFINITY) {
            return v;
        }
        if (v == ECPoint.POINT_INFINITY) {
            return u;
        }
        BigInteger lambda;
        if (u.getAffineX().equals(v.getAffineX())) {
            if (!u.getAffineY().equals(v.getAffineY()) || u.getAffineY().signum() == 0) {
                return ECPoint.POINT_INFINITY;
            }
            BigInteger x = u.getAffineX();
            lambda = x.multiply(x).multiply(BigInteger.valueOf(3)).add(a)
                    .multiply(u.getAffineY().shiftLeft(1).modInverse(p)).mod(p);
        } else {
            lambda = v.getAffineY().subtract(u.getAffineY())
                    .multiply(v.getAffineX().subtract(u.getAffineX()).mod(p).modInverse(p)).mod(p);
        }
        BigInteger x3 = lambda.multiply(lambda).subtract(u.getAffineX()).subtract(v.getAffineX()).mod(p);
        BigInteger y3 = lambda.multiply(u.getAffineX().subtract(x3)).subtract(u.getAffineY()).mod(p);
        return new ECPoint(x3, y3);
    }

    private static ECPoint multiply(ECPoint pt, BigInteger k, BigInteger a, BigInteger p) {
        ECPoint r = ECPoint.POINT_INFINITY;
        for (int i = k.bitLength() - 1; i >= 0; i--) {
            r = add(r, r, a, p);
            if (k.testBit(i)) {
                r = add(r, pt, a, p);
            }
        }
        return r;
    }
}
