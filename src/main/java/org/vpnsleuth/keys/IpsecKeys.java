package org.vpnsleuth.keys;

import java.util.Locale;
import org.vpnsleuth.crypto.AhVerification;
import org.vpnsleuth.crypto.Encryption;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.crypto.Integrity;

/**
 * The ESP and AH key sets of the user's key material, handed to the crypto stage: esp/ah lines of
 * a keys file or tcpdump's secrets (by SPI, or for any SPI), and a strongSwan log's child SA keys
 * (matched to the SPIs its "established with SPIs" lines name; the integrity check then decides
 * which direction's keys an SPI uses).
 */
public final class IpsecKeys {
    private IpsecKeys() {
    }

    /** ESP decryption with every ESP key in {@code keys} (transforms crypto does not know are skipped). */
    public static EspDecryption esp(KeyMaterial keys) {
        EspDecryption esp = new EspDecryption();
        for (KeyMaterial.EspKey k : keys.esp) {
            Encryption enc = Encryption.fromIkev2Id(k.encr());
            if (enc == null) {
                continue;
            }
            Integrity integ = k.integ() > 0 ? Integrity.fromIkev2Id(k.integ()) : null;
            int icv = enc.aead() ? enc.icvLength() : integ != null ? integ.icvLength() : 0;
            EspDecryption.Sa sa = new EspDecryption.Sa(enc, k.encKey(), k.authKey() == null || k.authKey().length == 0 ? null : integ,
                    k.authKey(), icv, k.esn(), k.source());
            if (k.spi() == KeyMaterial.ANY_SPI) {
                esp.addAnySpi(sa, k.dst());
            } else {
                esp.add(k.spi(), sa);
            }
        }
        for (KeyMaterial.LoggedSa s : keys.logged) {
            for (int c = 0; c < s.children().size(); c++) {
                KeyMaterial.ChildSpis ch = s.children().get(c);
                if (ch.ah()) {
                    continue; // ah() takes those
                }
                Encryption enc = null;
                Integrity integ = null;
                if (ch.proposal() != null) {
                    for (String t : ch.proposal().substring(ch.proposal().indexOf(':') + 1).split("/")) {
                        KeyFiles.Algorithm a = KeyFiles.algorithm(t.toLowerCase(Locale.ROOT));
                        if (a != null && a.kind().equals("encr")) {
                            enc = Encryption.fromIkev2Id(a.id());
                        } else if (a != null && a.kind().equals("integ")) {
                            integ = Integrity.fromIkev2Id(a.id());
                        }
                    }
                }
                if (enc == null) {
                    continue;
                }
                int icv = enc.aead() ? enc.icvLength() : integ != null ? integ.icvLength() : 0;
                String src = s.source() + " <" + s.id() + ">";
                for (String side : new String[] {"initiator", "responder"}) {
                    byte[] ek = s.childKey("encryption " + side + " key", c);
                    byte[] ak = s.childKey("integrity " + side + " key", c);
                    if (ek == null) {
                        continue;
                    }
                    EspDecryption.Sa sa = new EspDecryption.Sa(enc, ek, enc.aead() ? null : integ, ak, icv, ch.esn(), src);
                    esp.add(ch.in(), sa);
                    esp.add(ch.out(), sa);
                }
            }
        }
        return esp;
    }

    /** AH verification with every AH key in {@code keys}. */
    public static AhVerification ah(KeyMaterial keys) {
        AhVerification ah = new AhVerification();
        for (KeyMaterial.AhKey k : keys.ah) {
            Integrity in = Integrity.fromIkev2Id(k.integ());
            if (in != null) {
                ah.add(k.spi(), new AhVerification.Sa(in, k.authKey(), k.esn(), k.source()));
            }
        }
        for (KeyMaterial.LoggedSa s : keys.logged) {
            for (int c = 0; c < s.children().size(); c++) {
                KeyMaterial.ChildSpis ch = s.children().get(c);
                if (!ch.ah()) {
                    continue;
                }
                Integrity in = null;
                for (String t : ch.proposal().substring(3).split("/")) {
                    KeyFiles.Algorithm a = KeyFiles.algorithm(t.toLowerCase(Locale.ROOT));
                    if (a != null && a.kind().equals("integ")) {
                        in = Integrity.fromIkev2Id(a.id());
                    }
                }
                if (in == null) {
                    continue;
                }
                for (String side : new String[] {"initiator", "responder"}) {
                    byte[] ak = s.childKey("integrity " + side + " key", c);
                    if (ak != null) {
                        AhVerification.Sa sa = new AhVerification.Sa(in, ak, ch.esn(), s.source() + " <" + s.id() + ">");
                        ah.add(ch.in(), sa);
                        ah.add(ch.out(), sa);
                    }
                }
            }
        }
        return ah;
    }
}
