package org.vpnsleuth.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.WiresharkNames;

/**
 * Writes the keys that verified while a capture was decrypted as Wireshark's decryption tables
 * (ikev1_decryption_table, ikev2_decryption_table, esp_sa) into a directory (a Wireshark profile
 * directory, e.g. ~/.config/wireshark), so that Wireshark decrypts the same capture, including the
 * ESP keys vpnsleuth derived itself. Algorithms Wireshark's tables cannot name are left out and
 * listed.
 */
public final class WiresharkTables {
    private WiresharkTables() {
    }

    private static String name(String table, int id, int bits) {
        return WiresharkNames.name(table, id, bits);
    }

    /** Writes the tables; returns what could not be written (unsupported algorithms). */
    public static List<String> write(Path dir, IkeDecryption ike, EspDecryption esp) throws IOException {
        Files.createDirectories(dir);
        HexFormat hex = HexFormat.of();
        List<String> left = new ArrayList<>();
        StringBuilder v1 = new StringBuilder();
        for (IkeDecryption.VerifiedV1 k : ike.verifiedV1()) {
            v1.append(String.format("%016x,%s%n", k.cookieI(), hex.formatHex(k.encKey())));
        }
        StringBuilder v2 = new StringBuilder();
        for (IkeDecryption.VerifiedV2 k : ike.verifiedV2()) {
            String enc = name("ikev2-encr", k.enc().ikev2Id(), k.keyBits());
            String integ = k.integ() == null ? null : name("ikev2-integ", k.integ().ikev2Id(), 0);
            if (enc == null || integ == null) {
                left.add(String.format("IKEv2 SA %016x/%016x: %s / %s not in Wireshark's table", k.spiI(), k.spiR(), k.enc(),
                        k.integ()));
                continue;
            }
            v2.append(String.format("%016x,%016x,%s,%s,\"%s\",%s,%s,\"%s\"%n", k.spiI(), k.spiR(), hex.formatHex(k.keys().skEi()),
                    hex.formatHex(k.keys().skEr()), enc, hex.formatHex(k.keys().skAi()), hex.formatHex(k.keys().skAr()), integ));
        }
        StringBuilder sa = new StringBuilder();
        for (Map.Entry<Long, EspDecryption.Sa> e : esp.verified().entrySet()) {
            EspDecryption.Sa s = e.getValue();
            String[] ep = esp.endpoints(e.getKey());
            String enc = name("esp-encr", s.enc().ikev2Id(), 0);
            // no integrity key (tcpdump's -E secrets): an ICV of that length that tshark does not check either
            String integ = s.integ() != null ? name("esp-integ", s.integ().ikev2Id(), 0)
                    : s.icvLength() > 0 && !s.enc().aead() ? WiresharkNames.uncheckedIcv("esp-integ", s.icvLength() * 8)
                    : name("esp-integ", 0, 0);
            if (ep == null || enc == null || integ == null) {
                left.add(String.format("ESP SA 0x%08x: %s / %s not in Wireshark's table", e.getKey(), s.enc(), s.integ()));
                continue;
            }
            String fam = ep[0].indexOf(':') >= 0 ? "IPv6" : "IPv4";
            sa.append(String.format("\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s\"%n", fam, ep[0], ep[1], e.getKey(),
                    enc, hex.formatHex(s.encKey()), integ, s.authKey() == null || s.integ() == null ? ""
                            : "0x" + hex.formatHex(s.authKey())));
        }
        Files.writeString(dir.resolve("ikev1_decryption_table"), v1, StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("ikev2_decryption_table"), v2, StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("esp_sa"), sa, StandardCharsets.US_ASCII);
        return left;
    }
}
