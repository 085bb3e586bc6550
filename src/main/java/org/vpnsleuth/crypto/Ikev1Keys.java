package org.vpnsleuth.crypto;

import java.io.ByteArrayOutputStream;

/**
 * IKEv1 key derivation and the phase-1 and phase-2 hashes (RFC 2409 §5, §5.5, §5.7, appendix B).
 * {@code prf} is the negotiated one (the HMAC of the hash algorithm, {@link Prf#fromIkev1Hash});
 * its hash is the "hash" of the IV computations. Payload bodies ("_b") are payloads without their
 * 4-byte generic header; message IDs are taken as the 4 bytes of the ISAKMP header.
 */
public final class Ikev1Keys {
    private Ikev1Keys() {
    }

    /** SKEYID and the three keys derived from it (RFC 2409 §5). */
    public record Phase1(byte[] skeyid, byte[] skeyidD, byte[] skeyidA, byte[] skeyidE) {
        @Override
        public String toString() {
            return "Phase1[" + skeyid.length + "-byte keys]";
        }
    }

    /** The keys of one IPsec SA from Quick Mode KEYMAT: encryption first, then integrity. */
    public record SaKeys(byte[] encryption, byte[] integrity) {
        @Override
        public String toString() {
            return "SaKeys[encr " + encryption.length + ", integ " + integrity.length + " bytes]";
        }
    }

    /** SKEYID for pre-shared keys = prf(pre-shared-key, Ni_b | Nr_b). */
    public static byte[] skeyidPsk(Prf prf, byte[] psk, byte[] niB, byte[] nrB) {
        return prf.compute(Octets.require(psk, "pre-shared key"), Octets.require(niB, "Ni_b"),
                Octets.require(nrB, "Nr_b"));
    }

    /** SKEYID for signatures = prf(Ni_b | Nr_b, g^xy). */
    public static byte[] skeyidSignature(Prf prf, byte[] niB, byte[] nrB, byte[] gxy) {
        return prf.compute(Octets.concat(Octets.require(niB, "Ni_b"), Octets.require(nrB, "Nr_b")),
                Octets.require(gxy, "g^xy"));
    }

    /**
     * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0), SKEYID_a = prf(SKEYID, SKEYID_d | g^xy |
     * CKY-I | CKY-R | 1), SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2).
     */
    public static Phase1 phase1Keys(Prf prf, byte[] skeyid, byte[] gxy, byte[] ckyI, byte[] ckyR) {
        Octets.require(skeyid, "SKEYID");
        Octets.require(gxy, "g^xy");
        Octets.require(ckyI, "CKY-I");
        Octets.require(ckyR, "CKY-R");
        byte[] d = prf.compute(skeyid, gxy, ckyI, ckyR, new byte[] {0});
        byte[] a = prf.compute(skeyid, d, gxy, ckyI, ckyR, new byte[] {1});
        byte[] e = prf.compute(skeyid, a, gxy, ckyI, ckyR, new byte[] {2});
        return new Phase1(skeyid.clone(), d, a, e);
    }

    /**
     * The phase-1 encryption key Ka of {@code length} bytes (RFC 2409 appendix B): the first bytes
     * of SKEYID_e, or, when SKEYID_e is shorter, the first bytes of K1 | K2 | ... with
     * K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1).
     */
    public static byte[] encryptionKey(Prf prf, byte[] skeyidE, int length) {
        Octets.require(skeyidE, "SKEYID_e");
        if (skeyidE.length >= length) {
            return Octets.head(skeyidE, length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] k = prf.compute(skeyidE, new byte[] {0});
        out.write(k, 0, k.length);
        while (out.size() < length) {
            k = prf.compute(skeyidE, k);
            out.write(k, 0, k.length);
        }
        return Octets.head(out.toByteArray(), length);
    }

    /** The phase-1 IV = hash(g^xi | g^xr), truncated to the cipher block size (RFC 2409 appendix B). */
    public static byte[] phase1Iv(Prf prf, byte[] gxi, byte[] gxr, int blockSize) {
        return Octets.head(prf.hash(Octets.require(gxi, "g^xi"), Octets.require(gxr, "g^xr")), blockSize);
    }

    /**
     * The first IV of a phase-2 exchange (Quick Mode, Informational) = hash(last phase-1 CBC
     * block | M-ID), truncated to the block size (RFC 2409 appendix B). The last phase-1 block is
     * the last ciphertext block of the last phase-1 message (MM6, or AM3 in Aggressive Mode).
     */
    public static byte[] phase2Iv(Prf prf, byte[] lastPhase1Block, int messageId, int blockSize) {
        return Octets.head(prf.hash(Octets.require(lastPhase1Block, "last phase-1 block"), Octets.be32(messageId)),
                blockSize);
    }

    /** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 §5). */
    public static byte[] hashI(Prf prf, byte[] skeyid, byte[] gxi, byte[] gxr, byte[] ckyI, byte[] ckyR,
            byte[] saiB, byte[] idiiB) {
        return prf.compute(Octets.require(skeyid, "SKEYID"), gxi, gxr, ckyI, ckyR, saiB, idiiB);
    }

    /**
     * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 §5). The
     * arguments are in the same order as {@link #hashI} (initiator's values first); SAi_b is the
     * initiator's SA payload in both.
     */
    public static byte[] hashR(Prf prf, byte[] skeyid, byte[] gxi, byte[] gxr, byte[] ckyI, byte[] ckyR,
            byte[] saiB, byte[] idirB) {
        return prf.compute(Octets.require(skeyid, "SKEYID"), gxr, gxi, ckyR, ckyI, saiB, idirB);
    }

    /**
     * Quick Mode HASH(1) = prf(SKEYID_a, M-ID | rest) (RFC 2409 §5.5), rest being every payload of
     * the message after the HASH payload, with their generic headers, without the padding.
     */
    public static byte[] quickModeHash1(Prf prf, byte[] skeyidA, int messageId, byte[] rest) {
        return prf.compute(Octets.require(skeyidA, "SKEYID_a"), Octets.be32(messageId), rest);
    }

    /** Quick Mode HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest) (RFC 2409 §5.5). */
    public static byte[] quickModeHash2(Prf prf, byte[] skeyidA, int messageId, byte[] niB, byte[] rest) {
        return prf.compute(Octets.require(skeyidA, "SKEYID_a"), Octets.be32(messageId), niB, rest);
    }

    /** Quick Mode HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) (RFC 2409 §5.5). */
    public static byte[] quickModeHash3(Prf prf, byte[] skeyidA, int messageId, byte[] niB, byte[] nrB) {
        return prf.compute(Octets.require(skeyidA, "SKEYID_a"), new byte[] {0}, Octets.be32(messageId), niB, nrB);
    }

    /**
     * The HASH(1) of an Informational exchange = prf(SKEYID_a, M-ID | N/D) (RFC 2409 §5.7), N/D
     * being the Notify or Delete payload(s) after the HASH payload, with generic headers.
     */
    public static byte[] informationalHash(Prf prf, byte[] skeyidA, int messageId, byte[] payloads) {
        return prf.compute(Octets.require(skeyidA, "SKEYID_a"), Octets.be32(messageId), payloads);
    }

    /**
     * Quick Mode KEYMAT of {@code length} bytes = K1 | K2 | ... with
     * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
     * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) (RFC 2409 §5.5). The SPI
     * is the one of the SA being keyed: the SPI its receiver chose (for initiator-to-responder
     * traffic, the responder's SPI).
     *
     * @param gqmxy the Quick Mode Diffie-Hellman secret with PFS, else null
     * @param protocol the protocol ID (2 AH, 3 ESP, 4 IPCOMP)
     */
    public static byte[] quickModeKeymat(Prf prf, byte[] skeyidD, byte[] gqmxy, int protocol, byte[] spi,
            byte[] niB, byte[] nrB, int length) {
        Octets.require(skeyidD, "SKEYID_d");
        byte[] seed = Octets.concat(gqmxy, new byte[] {(byte) protocol}, Octets.require(spi, "SPI"),
                Octets.require(niB, "Ni_b"), Octets.require(nrB, "Nr_b"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] k = Octets.EMPTY;
        while (out.size() < length) {
            k = prf.compute(skeyidD, k, seed);
            out.write(k, 0, k.length);
        }
        return Octets.head(out.toByteArray(), length);
    }

    /**
     * The keys of one IPsec SA: {@link #quickModeKeymat} of {@code encrLength + integLength}
     * bytes, split into the encryption key (with the salt for the modes that have one) and the
     * integrity key.
     */
    public static SaKeys quickModeKeys(Prf prf, byte[] skeyidD, byte[] gqmxy, int protocol, byte[] spi, byte[] niB,
            byte[] nrB, int encrLength, int integLength) {
        byte[] k = quickModeKeymat(prf, skeyidD, gqmxy, protocol, spi, niB, nrB, encrLength + integLength);
        return new SaKeys(Octets.head(k, encrLength), Octets.slice(k, encrLength, integLength));
    }
}
