package org.vpnsleuth.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;

/**
 * The key material that decrypted each SA, for {@code --show-keys} only (never printed otherwise):
 * IKEv2 SK_* keys per SPI pair, the IKEv1 encryption key per cookie pair, ESP keys per SPI, and the
 * supplied pre-shared key each side's AUTH or HASH matched. One section after the report (text),
 * or the {@code keys} member of analyze's JSON (docs/analyze-json.md).
 */
public final class KeyReport {
    private KeyReport() {
    }

    private static final HexFormat HEX = HexFormat.of();

    /** One SA's keys: what it is, and its named values in order (hex; a PSK as text too). */
    record Entry(String kind, String id, Map<String, String> values) {
    }

    /** The entries of all decoders, each SA once (the first decoder that verified it). */
    static List<Entry> entries(List<Decoder> decoders) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Decoder d : decoders) {
            IkeDecryption ike = IkeDecodeState.of(d).decryption();
            if (ike != null) {
                for (IkeDecryption.VerifiedV2 v : ike.verifiedV2()) {
                    Map<String, String> x = new LinkedHashMap<>();
                    x.put("encryption", v.enc() + (v.keyBits() > 0 ? "-" + v.keyBits() : ""));
                    x.put("integrity", v.integ() == null ? "none" : v.integ().toString());
                    IkeDecryption.V2Keys k = v.keys();
                    put(x, "SK_d", k.skD());
                    put(x, "SK_ai", k.skAi());
                    put(x, "SK_ar", k.skAr());
                    put(x, "SK_ei", k.skEi());
                    put(x, "SK_er", k.skEr());
                    put(x, "SK_pi", k.skPi());
                    put(x, "SK_pr", k.skPr());
                    x.put("source", k.source());
                    String id = String.format("%016x/%016x", v.spiI(), v.spiR());
                    m.putIfAbsent("ikev2 " + id, new Entry("ikev2", id, x));
                }
                for (IkeDecryption.VerifiedV1 v : ike.verifiedV1()) {
                    Map<String, String> x = new LinkedHashMap<>();
                    x.put("encryption", v.enc() + (v.keyLength() > 0 ? "-" + v.keyLength() * 8 : ""));
                    put(x, "encryption key (SKEYID_e, or Ka from it)", v.encKey());
                    put(x, "SKEYID_a", v.skeyidA());
                    put(x, "SKEYID_d", v.skeyidD());
                    String id = String.format("%016x/%016x", v.cookieI(), v.cookieR());
                    m.putIfAbsent("ikev1 " + id, new Entry("ikev1", id, x));
                }
                for (IkeDecryption.MatchedPsk p : ike.matchedPsks()) {
                    Map<String, String> x = new LinkedHashMap<>();
                    x.put("side", p.side());
                    String text = new String(p.psk().secret(), StandardCharsets.UTF_8);
                    if (text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)
                            && java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), p.psk().secret())) {
                        x.put("psk", text);
                    }
                    put(x, "psk hex", p.psk().secret());
                    x.put("source", p.psk().source());
                    String id = String.format("%016x/%016x %s", p.spiI(), p.spiR(), p.side());
                    m.putIfAbsent("psk " + id, new Entry("psk", id, x));
                }
            }
            if (d.esp != null) {
                for (Map.Entry<Long, EspDecryption.Sa> e : IkeDecodeState.of(d).decryption().esp().verified().entrySet()) {
                    EspDecryption.Sa s = e.getValue();
                    Map<String, String> x = new LinkedHashMap<>();
                    String[] ep = IkeDecodeState.of(d).decryption().esp().endpoints(e.getKey());
                    if (ep != null) {
                        x.put("src", ep[0]);
                        x.put("dst", ep[1]);
                    }
                    x.put("encryption", s.enc().toString());
                    put(x, "encryption key", s.encKey());
                    x.put("integrity", s.integ() == null ? (s.enc().aead() ? "none (AEAD)" : s.icvLength() > 0
                            ? "not checked (" + s.icvLength() + "-byte ICV)" : "none") : s.integ().toString());
                    if (s.integ() != null) {
                        put(x, "integrity key", s.authKey());
                    }
                    x.put("source", s.source());
                    String id = String.format("0x%08x", e.getKey());
                    m.putIfAbsent("esp " + id, new Entry("esp", id, x));
                }
            }
        }
        return new ArrayList<>(m.values());
    }

    private static void put(Map<String, String> x, String name, byte[] v) {
        if (v != null && v.length > 0) {
            x.put(name, HEX.formatHex(v));
        }
    }

    private static final Map<String, String> TITLES = Map.of("ikev2", "IKEv2 SA", "ikev1", "IKEv1 SA", "esp", "ESP SA",
            "psk", "pre-shared key matched by");

    /** The text section: a heading and one block per SA. */
    public static void text(List<Decoder> decoders, StringBuilder sb) {
        List<Entry> l = entries(decoders);
        sb.append("\nKey material used (--show-keys: these are secrets)\n");
        if (l.isEmpty()) {
            sb.append("  none: no key decrypted anything\n");
            return;
        }
        for (Entry e : l) {
            sb.append("  ").append(TITLES.get(e.kind())).append(' ').append(e.id()).append('\n');
            for (Map.Entry<String, String> v : e.values().entrySet()) {
                sb.append("    ").append(v.getKey()).append(": ").append(v.getValue()).append('\n');
            }
        }
    }

    /** The JSON form: {"ikev2": [...], "ikev1": [...], "esp": [...], "psks": [...]} (docs/analyze-json.md). */
    public static void json(List<Decoder> decoders, JsonWriter j) {
        List<Entry> l = entries(decoders);
        j.beginObject("keys");
        for (String kind : List.of("ikev2", "ikev1", "esp", "psk")) {
            j.beginArray(kind.equals("psk") ? "psks" : kind);
            for (Entry e : l) {
                if (!e.kind().equals(kind)) {
                    continue;
                }
                j.beginObject(null);
                String[] id = e.id().split("[/ ]");
                if (kind.equals("esp")) {
                    j.value("spi", e.id());
                } else {
                    j.value(kind.equals("ikev1") ? "cookieI" : "spiI", id[0]).value(kind.equals("ikev1") ? "cookieR" : "spiR", id[1]);
                }
                for (Map.Entry<String, String> v : e.values().entrySet()) {
                    j.value(JSON_NAMES.getOrDefault(v.getKey(), v.getKey()), v.getValue());
                }
                j.endObject();
            }
            j.endArray();
        }
        j.endObject();
    }

    private static final Map<String, String> JSON_NAMES = Map.ofEntries(Map.entry("SK_d", "skD"), Map.entry("SK_ai", "skAi"),
            Map.entry("SK_ar", "skAr"), Map.entry("SK_ei", "skEi"), Map.entry("SK_er", "skEr"), Map.entry("SK_pi", "skPi"),
            Map.entry("SK_pr", "skPr"), Map.entry("encryption key (SKEYID_e, or Ka from it)", "encKey"),
            Map.entry("encryption key", "encKey"), Map.entry("integrity key", "authKey"), Map.entry("psk hex", "pskHex"));
}
