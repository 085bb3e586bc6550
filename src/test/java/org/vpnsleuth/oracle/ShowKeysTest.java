package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * Secrets are printed only when asked: with the daemons' logs and the PSK, no hex of any secret
 * (supplied or derived: SK_*, SKEYID*, Ka, ESP keys, the DH secret, the PSK) appears anywhere in
 * what dissect and analyze print, in text or JSON; with --show-keys every key that decrypted an SA
 * does.
 */
class ShowKeysTest {
    static final HexFormat HEX = HexFormat.of();

    /** The secrets a strongSwan log dumps (its nonces, KE values and hashes are public: they are on the wire). */
    static final List<String> SECRET_DUMPS = List.of("shared Diffie Hellman secret", "SKEYSEED", "Sk_d secret", "Sk_ai secret",
            "Sk_ar secret", "Sk_ei secret", "Sk_er secret", "Sk_pi secret", "Sk_pr secret", "SKEYID", "SKEYID_d", "SKEYID_a",
            "SKEYID_e", "encryption key Ka", "encryption initiator key", "encryption responder key", "integrity initiator key",
            "integrity responder key", "secret");

    /** Every secret as lower-case hex; the PSK also as its text. */
    static Set<String> secrets(KeyMaterial k, List<String> used) {
        Set<String> s = new LinkedHashSet<>();
        for (KeyMaterial.LoggedSa sa : k.logged) {
            for (Map.Entry<String, byte[]> e : sa.all()) {
                if (SECRET_DUMPS.contains(e.getKey()) && e.getValue().length >= 8) {
                    s.add(HEX.formatHex(e.getValue()));
                }
            }
        }
        s.add(HEX.formatHex(DecryptionTest.PSK.getBytes(StandardCharsets.UTF_8)));
        s.add(DecryptionTest.PSK);
        s.addAll(used);
        return s;
    }

    /** The keys that decrypted something in the capture (what --show-keys must print). */
    static List<String> used(Path cap, KeyMaterial k) throws Exception {
        List<String> out = new ArrayList<>();
        try (CaptureReader r = Captures.open(cap.toString())) {
            Decoder d = new Decoder();
            IkeDecryption.install(k, d);
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
            }
            for (IkeDecryption.VerifiedV2 v : IkeDecodeState.of(d).decryption().verifiedV2()) {
                for (byte[] b : new byte[][] {v.keys().skEi(), v.keys().skEr(), v.keys().skAi(), v.keys().skAr(), v.keys().skD()}) {
                    if (b != null) {
                        out.add(HEX.formatHex(b));
                    }
                }
            }
            for (IkeDecryption.VerifiedV1 v : IkeDecodeState.of(d).decryption().verifiedV1()) {
                out.add(HEX.formatHex(v.encKey()));
            }
            for (EspDecryption.Sa s : IkeDecodeState.of(d).decryption().esp().verified().values()) {
                out.add(HEX.formatHex(s.encKey()));
                if (s.authKey() != null) {
                    out.add(HEX.formatHex(s.authKey()));
                }
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> noSecretIsPrintedUnlessAsked() {
        return Stream.of("ikev2-psk-esp.pcapng", "ikev2-psk-esp-cbc.pcapng", "ikev1-main-quick.pcap", "ikev1-aggressive.pcapng")
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    Path cap = TestCaptures.capturesDir().resolve(name);
                    String scenario = WiresharkTablesRoundTripTest.scenario(cap);
                    KeyMaterial k = DecryptionTest.logs(scenario);
                    List<String> used = used(cap, k);
                    assertThat(used).isNotEmpty();
                    Set<String> secrets = secrets(k, used);
                    Path logI = TestCaptures.capturesDir().resolve(scenario + ".initiator.log");
                    Path logR = TestCaptures.capturesDir().resolve(scenario + ".responder.log");
                    String[] keys = {"--keys", logI.toString(), "--keys", logR.toString(), "--psk", DecryptionTest.PSK};
                    List<String[]> commands = List.of(new String[] {"dissect", cap.toString()},
                            new String[] {"dissect", "-v", cap.toString()},
                            new String[] {"dissect", "--format", "json", cap.toString()},
                            new String[] {"analyze", cap.toString()},
                            new String[] {"analyze", "--format", "json", cap.toString()});
                    for (String[] cmd : commands) {
                        DecryptionExportTest.AnalyzeRun r = run(cmd, keys);
                        assertThat(r.exit()).as(String.join(" ", cmd) + ": " + r.err()).isZero();
                        assertThat(r.out() + r.err()).contains("decrypted"); // the keys were used
                        String all = (r.out() + "\n" + r.err()).toLowerCase(Locale.ROOT).replace(":", "").replace(" ", "");
                        for (String s : secrets) {
                            assertThat(all).as(String.join(" ", cmd) + " prints a secret").doesNotContain(s.toLowerCase(Locale.ROOT)
                                    .replace(" ", ""));
                        }
                        assertThat(r.out()).doesNotContain("\"keys\"").doesNotContain("Key material used");
                        DecryptionExportTest.AnalyzeRun shown = run(cmd, keys, "--show-keys");
                        assertThat(shown.exit()).isZero();
                        for (String s : used) {
                            assertThat(shown.out()).as(String.join(" ", cmd) + " --show-keys").contains(s);
                        }
                        assertThat(shown.out()).contains(DecryptionTest.PSK);
                    }
                    // analyze's JSON: the documented member
                    String json = run(new String[] {"analyze", "--format", "json", cap.toString()}, keys, "--show-keys").out();
                    assertThat(json).contains("\"keys\":{\"ikev2\":[");
                }));
    }

    static DecryptionExportTest.AnalyzeRun run(String[] cmd, String[] keys, String... more) {
        List<String> a = new ArrayList<>(List.of(cmd));
        a.addAll(List.of(keys));
        a.addAll(List.of(more));
        return DecryptionExportTest.AnalyzeRun.of(a.toArray(String[]::new));
    }
}
