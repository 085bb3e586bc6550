package org.vpnsleuth.crypto;

import java.nio.charset.StandardCharsets;

/** IKEv2 key derivation (RFC 7296 §2.13-2.18) and the PSK AUTH payload (§2.15). */
public final class Ikev2Keys {
    private Ikev2Keys() {
    }

    /** The 17 ASCII octets "Key Pad for IKEv2" (RFC 7296 §2.15). */
    private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);

    private static final int FIXED_KEY_NONCE_BYTES = 8;

    /**
     * The keys of an IKE SA: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} (RFC 7296
     * §2.14). SK_e includes the salt for the modes that have one; SK_a is empty with AEAD.
     */
    public record IkeSa(byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) {
        @Override
        public String toString() {
            return "IkeSa[SK_d " + skD.length + ", SK_a " + skAi.length + ", SK_e " + skEi.length + ", SK_p "
                    + skPi.length + " bytes]";
        }
    }

    /**
     * The keys of a CHILD_SA (RFC 7296 §2.17): the "initiator" keys protect initiator-to-responder
     * traffic. The encryption keys include the salt for the modes that have one; the integrity
     * keys are empty with AEAD.
     */
    public record ChildSa(byte[] encrI, byte[] integI, byte[] encrR, byte[] integR) {
        @Override
        public String toString() {
            return "ChildSa[encr " + encrI.length + ", integ " + integI.length + " bytes]";
        }
    }

    /**
     * SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). For the PRFs with a fixed key size
     * (AES-XCBC, AES-CMAC) the key is the first 64 bits of Ni followed by the first 64 bits of Nr.
     *
     * @param sharedSecret g^ir, the Diffie-Hellman (or KEM) shared secret
     */
    public static byte[] skeyseed(Prf prf, byte[] ni, byte[] nr, byte[] sharedSecret) {
        Octets.require(ni, "Ni");
        Octets.require(nr, "Nr");
        byte[] key = prf.fixedKeyLength()
                ? Octets.concat(Octets.head(ni, Math.min(FIXED_KEY_NONCE_BYTES, ni.length)),
                        Octets.head(nr, Math.min(FIXED_KEY_NONCE_BYTES, nr.length)))
                : Octets.concat(ni, nr);
        return prf.compute(key, Octets.require(sharedSecret, "g^ir"));
    }

    /**
     * SKEYSEED of a rekeyed IKE SA = prf(SK_d (old), g^ir (new) | Ni | Nr) (RFC 7296 §2.18), with
     * the new exchange's nonces.
     */
    public static byte[] rekeySkeyseed(Prf prf, byte[] oldSkD, byte[] sharedSecret, byte[] ni, byte[] nr) {
        return prf.compute(Octets.require(oldSkD, "SK_d"), Octets.require(sharedSecret, "g^ir"),
                Octets.require(ni, "Ni"), Octets.require(nr, "Nr"));
    }

    /**
     * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
     * (RFC 7296 §2.14). SK_d and SK_p have {@link Prf#keyLength()} bytes.
     *
     * @param integKeyLength {@link Integrity#keyLength()}, 0 with an AEAD cipher
     * @param encrKeyLength {@link Encryption#keyMaterialLength(int)} (key plus salt)
     */
    public static IkeSa ikeSaKeys(Prf prf, byte[] skeyseed, byte[] ni, byte[] nr, byte[] spiI, byte[] spiR,
            int integKeyLength, int encrKeyLength) {
        int p = prf.keyLength();
        byte[] k = prf.plus(Octets.require(skeyseed, "SKEYSEED"), p + 2 * integKeyLength + 2 * encrKeyLength + 2 * p,
                Octets.require(ni, "Ni"), Octets.require(nr, "Nr"), Octets.require(spiI, "SPIi"),
                Octets.require(spiR, "SPIr"));
        // SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr
        byte[][] x = Octets.split(k, p, integKeyLength, integKeyLength, encrKeyLength, encrKeyLength, p, p);
        return new IkeSa(x[0], x[1], x[2], x[3], x[4], x[5], x[6]);
    }

    /**
     * CHILD_SA keys: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), taken as the encryption key then
     * the integrity key for initiator-to-responder traffic, then the same for the other direction
     * (RFC 7296 §2.17). The nonces are those of the exchange that creates the CHILD_SA (IKE_AUTH:
     * the IKE_SA_INIT nonces).
     *
     * @param sharedSecret the new g^ir of a CREATE_CHILD_SA with a KE payload (PFS), else null
     */
    public static ChildSa childSaKeys(Prf prf, byte[] skD, byte[] sharedSecret, byte[] ni, byte[] nr,
            int encrKeyLength, int integKeyLength) {
        byte[] k = prf.plus(Octets.require(skD, "SK_d"), 2 * (encrKeyLength + integKeyLength), sharedSecret,
                Octets.require(ni, "Ni"), Octets.require(nr, "Nr"));
        // encryption then integrity key, initiator-to-responder first
        byte[][] x = Octets.split(k, encrKeyLength, integKeyLength, encrKeyLength, integKeyLength);
        return new ChildSa(x[0], x[1], x[2], x[3]);
    }

    /**
     * The octets an AUTH payload signs (RFC 7296 §2.15): for the initiator
     * RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload), for the responder
     * RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload).
     *
     * @param message the signer's IKE_SA_INIT message as sent, from the IKE header on
     * @param peerNonce the other side's Nonce Data (the Nonce payload body)
     * @param idPayloadBody the signer's ID payload from the ID Type on (without the generic header)
     * @param skP SK_pi for the initiator, SK_pr for the responder
     */
    public static byte[] signedOctets(Prf prf, byte[] message, byte[] peerNonce, byte[] idPayloadBody, byte[] skP) {
        byte[] maced = prf.compute(Octets.require(skP, "SK_p"), Octets.require(idPayloadBody, "ID payload"));
        return Octets.concat(Octets.require(message, "message"), Octets.require(peerNonce, "nonce"), maced);
    }

    /**
     * The expected AUTH Data of a shared-key AUTH payload (method 2):
     * prf(prf(Shared Secret, "Key Pad for IKEv2"), signed octets) (RFC 7296 §2.15). Compare it with
     * the AUTH payload's data (after method and reserved bytes) to tell whether {@code psk} is the
     * key that side used. The arguments are those of {@link #signedOctets}.
     */
    public static byte[] pskAuth(Prf prf, byte[] psk, byte[] message, byte[] peerNonce, byte[] idPayloadBody,
            byte[] skP) {
        byte[] padded = prf.compute(Octets.require(psk, "shared secret"), KEY_PAD);
        return prf.compute(padded, signedOctets(prf, message, peerNonce, idPayloadBody, skP));
    }
}
