package org.vpnsleuth.diagnose;

import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * One line per IKE SA when key material was supplied: how many of its encrypted messages
 * decrypted and, when some did not, exactly which material is missing and how to get it (a PSK
 * alone never decrypts Main Mode, Quick Mode or IKEv2: their keys depend on the Diffie-Hellman
 * secret, which never crosses the wire).
 */
final class DecryptionStatus {
    private DecryptionStatus() {
    }

    /** How to get the DH secret or the keys out of the usual peers. */
    private static final String HOW = " strongSwan prints them at log level 4 (charon `filelog` with `ike = 4`, or"
            + " `charondebug=\"ike 4\"`); pass that log with --keys. See docs/keys.md for the keys-file lines.";

    static String describe(IkeSa sa, KeyMaterial k) {
        if (k == null || k.isEmpty()) {
            return null;
        }
        String ike = ike(sa, k);
        String esp = esp(sa);
        return ike == null ? esp : esp == null ? ike : ike + (ike.endsWith(".") ? " " : "; ") + esp;
    }

    /** ESP of the SA's child SAs: how many packets decrypted, and where the missing keys come from. */
    private static String esp(IkeSa sa) {
        long packets = 0;
        long decrypted = 0;
        java.util.List<String> without = new java.util.ArrayList<>();
        for (org.vpnsleuth.track.EspFlow f : sa.flows) {
            if (!f.protocol.equals("ESP")) {
                continue;
            }
            packets += f.packets;
            decrypted += f.decrypted;
            if (f.decrypted == 0) {
                without.add(f.spiHex());
            }
        }
        if (packets == 0) {
            return null;
        }
        String counts = decrypted + " of " + packets + " ESP packet(s) decrypted";
        if (without.isEmpty()) {
            return counts;
        }
        return counts + " (no keys for SPI " + String.join(", ", without) + ": child SA keys derive from this SA's"
                + " IKE_AUTH / CREATE_CHILD_SA or Quick Mode once those decrypt, or come from `esp` lines or a strongSwan"
                + " log with `chd = 4`)";
    }

    private static String ike(IkeSa sa, KeyMaterial k) {
        int encrypted = 0;
        int decrypted = 0;
        for (IkeMessage m : sa.messages) {
            if (m.encrypted) {
                encrypted++;
                if (m.decryptedWith != null) {
                    decrypted++;
                }
            }
        }
        if (encrypted == 0) {
            return null;
        }
        String counts = decrypted + " of " + encrypted + " encrypted message(s) decrypted";
        if (decrypted == encrypted) {
            return counts;
        }
        boolean psk = !k.psks.isEmpty();
        boolean dh = false;
        for (KeyMaterial.DhSecret d : k.dhSecrets) {
            dh |= d.spiI() == sa.spiI;
        }
        boolean saKeys = false;
        for (KeyMaterial.Ikev1Keys x : k.ikev1) {
            saKeys |= x.cookieI() == sa.spiI;
        }
        for (KeyMaterial.Ikev2Keys x : k.ikev2) {
            saKeys |= x.spiI() == sa.spiI;
        }
        boolean logs = !k.logged.isEmpty();
        String cookies = org.vpnsleuth.base.Bytes.hexPadded(sa.spiI, 16);
        String both = sa.spiR != 0 ? cookies + " " + org.vpnsleuth.base.Bytes.hexPadded(sa.spiR, 16) : cookies + " COOKIE_R";
        int auth = -1;
        for (IkeMessage m : sa.messages) {
            if (m.authMethod >= 0) {
                auth = m.authMethod;
                break;
            }
        }
        boolean needsPsk = sa.version == 1 && (auth < 0 || Ikev1Rules.psk(auth));
        if (decrypted > 0 || saKeys || dh && (psk || !needsPsk)) {
            return counts + (decrypted == 0 ? ": the supplied keys for this SA decrypt none of them (wrong key; see the"
                    + " notes of `dissect` for each message's ICV or parse failure)"
                    : ": the supplied keys for this SA do not decrypt the others (wrong key, or the two peers'"
                    + " keys differ: each side's messages need that side's key; see the notes of `dissect`)");
        }
        if (dh) {
            return counts + ": the DH secret is there, but with pre-shared-key authentication SKEYID = prf(PSK, Ni_b |"
                    + " Nr_b) (RFC 2409 §5) needs the key too: add --psk";
        }
        String logNote = logs ? " The strongSwan log(s) supplied hold nothing for this SA (another SA, or not level 4)." : "";
        if (sa.version == 2) {
            return counts + ": IKEv2 keys derive from the Diffie-Hellman secret and the nonces (SKEYSEED = prf(Ni | Nr,"
                    + " g^ir), RFC 7296 §2.14); " + (psk ? "the pre-shared key only authenticates and cannot decrypt. " : "")
                    + "Supply the DH secret (`dh " + cookies + " <g^ir hex>`) or the SK_e/SK_a keys (`ikev2 " + both
                    + " sk_ei=... sk_er=... sk_ai=... sk_ar=...`)." + logNote + HOW;
        }
        if (psk || !needsPsk) {
            return counts + ": IKEv1 keys derive from " + (needsPsk ? "the pre-shared key and " : "")
                    + "the Diffie-Hellman secret g^xy (SKEYID_e, RFC 2409 §5), which never crosses the wire: "
                    + (psk && needsPsk ? "the pre-shared key alone cannot decrypt Main Mode, Quick Mode or Informational"
                            + " messages. " : psk ? "this SA authenticates with signatures, the pre-shared key plays no part. " : "")
                    + "Supply the DH secret (`dh " + cookies + " <g^xy hex>`) or the encryption key (`ikev1 " + both
                    + " enc=<Ka hex>`)." + logNote + HOW;
        }
        return counts + ": IKEv1 with pre-shared keys derives SKEYID from the PSK and the Diffie-Hellman secret g^xy"
                + " (RFC 2409 §5): add --psk and the DH secret (`dh " + cookies + " <g^xy hex>`), or supply the encryption key (`ikev1 " + both
                + " enc=<Ka hex>`)." + logNote + HOW;
    }
}
