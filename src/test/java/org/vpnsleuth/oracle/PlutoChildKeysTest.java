package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * The keys a libreswan 4.10 pluto log prints with {@code plutodebug="all crypt private"} (issue 20),
 * read from the shipped captures/ls-*-child-* (make-libreswan-captures.sh: pluto initiates, charon
 * 5.9.8 at log level 4 responds with kernel-libipsec and sends ESP-in-UDP; pluto's kernel has no
 * ESP and cannot install its SAs) and from the older ls-* captures:
 * <ul>
 * <li>the child SA keys read from pluto's log are, SPI by SPI, the bytes charon logged for the same
 * child SA ("encryption/integrity initiator/responder key", "established with SPIs");</li>
 * <li>the IKE SA keys pluto prints in tcpdump's form are charon's Sk_ei/Sk_er/Sk_ai/Sk_ar;</li>
 * <li>IKEv1 (no ESP: pluto fails before QM3, so charon never derives): pluto's keys are the RFC 2409
 * §5.5 KEYMAT computed here from SKEYID_d as charon's log printed it;</li>
 * <li>pluto's log alone decrypts every encrypted IKE message and every ESP packet; the Wireshark tables
 * exported from it make tshark decrypt every ESP packet too.</li>
 * </ul>
 * Needs only the shipped files (tshark for the Wireshark part, skipped with a reason without it).
 */
class PlutoChildKeysTest {
    @TempDir
    Path tmp;

    static Path cap(String name) {
        return TestCaptures.capturesDir().resolve(name);
    }

    static KeyMaterial pluto(String scenario, String side) throws Exception {
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(cap(scenario + "." + side + ".log.gz"), k)).isEqualTo(KeyFiles.Kind.PLUTO_LOG);
        return k;
    }

    /** charon's child keys by the SPI of the SA they protect: {encryption key hex, integrity key hex or null}. */
    static Map<Long, List<String>> charonChildKeys(Path log, boolean charonInitiator) throws Exception {
        Map<Long, List<String>> m = new LinkedHashMap<>();
        Map<String, String> last = new java.util.HashMap<>();
        for (DecryptionTest.LogLine l : DecryptionTest.readLog(log)) {
            if (l.dump() != null && l.dump().matches("(encryption|integrity) (initiator|responder) key")) {
                last.put(l.dump(), HexFormat.of().formatHex(l.value()));
            } else if (l.spiIn() >= 0 && !last.isEmpty()) {
                // "initiator" keys protect initiator-to-responder traffic (lab notes)
                long iToR = charonInitiator ? l.spiOut() : l.spiIn();
                long rToI = charonInitiator ? l.spiIn() : l.spiOut();
                m.put(iToR, java.util.Arrays.asList(last.get("encryption initiator key"), last.get("integrity initiator key")));
                m.put(rToI, java.util.Arrays.asList(last.get("encryption responder key"), last.get("integrity responder key")));
                last.clear();
            }
        }
        return m;
    }

    static String hex(byte[] b) {
        return b == null || b.length == 0 ? null : HexFormat.of().formatHex(b);
    }

    /** The two IKEv2 child captures: AES-GCM-16-256 (AEAD, salt at the key's end) and AES-CBC-256 + HMAC-SHA2-256-128. */
    @TestFactory
    Stream<DynamicTest> childKeysAreTheOnesCharonLoggedForTheSameSpis() {
        return Stream.of(new Object[] {"ls-ikev2-child-gcm", 20, 0}, new Object[] {"ls-ikev2-child-cbc", 12, 12}).map(t ->
                DynamicTest.dynamicTest((String) t[0], () -> {
                    String scenario = (String) t[0];
                    KeyMaterial p = pluto(scenario, "initiator");
                    Map<Long, List<String>> charon = charonChildKeys(cap(scenario + ".responder.log"), false);
                    assertThat(charon).as("charon's logged child SA").hasSize(2);
                    assertThat(p.esp).as("pluto's child SA keys").hasSize(2);
                    for (KeyMaterial.EspKey k : p.esp) {
                        assertThat(charon).as("SPI %08x", k.spi()).containsKey(k.spi());
                        List<String> want = charon.get(k.spi());
                        assertThat(hex(k.encKey())).as("encryption key of %08x", k.spi()).isEqualTo(want.get(0));
                        assertThat(hex(k.authKey())).as("integrity key of %08x", k.spi()).isEqualTo(want.get(1));
                        // the algorithms as make-libreswan-captures.sh configured them, by IANA transform ID
                        assertThat(k.encr()).isEqualTo((int) t[1]);
                        assertThat(k.keyBits()).isEqualTo(256);
                        assertThat(k.integ()).isEqualTo((int) t[2]);
                        assertThat(k.esn()).isFalse();
                        assertThat(k.source()).startsWith(cap(scenario + ".initiator.log.gz").toString() + ":");
                    }
                    // both directions: pluto's inbound SPI is charon's outbound one and the other way round
                    assertThat(p.esp).extracting(KeyMaterial.EspKey::spi).containsExactlyInAnyOrderElementsOf(charon.keySet());
                    // key material only counts: nothing of it in the text form
                    assertThat(p.toString()).contains("2 ESP SA key(s)").doesNotContain(charon.values().iterator().next().get(0));
                }));
    }

    /** IKEv2 SA keys, tcpdump's 'ikev2 I|R 0xSPI_I 0xSPI_R INTEG:0xKEY ENC:0xKEY' debug lines: charon's Sk_* of that SA. */
    @TestFactory
    Stream<DynamicTest> ikeSaKeysAreTheOnesCharonLogged() {
        // pluto's role, charon's log: every IKEv2 ls-* capture whose IKE SA got its keys
        return Stream.of(new String[] {"ls-ikev2-child-gcm", "initiator"}, new String[] {"ls-ikev2-child-cbc", "initiator"},
                new String[] {"ls-ikev2-install-resp", "responder"}, new String[] {"ls-ikev2-install-init", "initiator"},
                new String[] {"ls-ikev2-ts", "initiator"}, new String[] {"ls-ikev2-child-private", "initiator"}).map(t -> DynamicTest.dynamicTest(t[0], () -> {
                    KeyMaterial p = pluto(t[0], t[1]);
                    Path charonLog = cap(t[0] + "." + (t[1].equals("initiator") ? "responder" : "initiator") + ".log");
                    Map<String, String> sk = new java.util.HashMap<>();
                    for (DecryptionTest.LogLine l : DecryptionTest.readLog(charonLog)) {
                        if (l.dump() != null && l.dump().matches("Sk_[ae][ir] secret")) {
                            sk.putIfAbsent(l.dump().substring(0, 5), HexFormat.of().formatHex(l.value()));
                        }
                    }
                    assertThat(sk).hasSize(4);
                    assertThat(p.ikev2).hasSize(1);
                    KeyMaterial.Ikev2Keys k = p.ikev2.get(0);
                    assertThat(k.spiI()).isEqualTo(DecryptionTest.ikeSpis(cap(t[0] + ".pcapng")).get(0));
                    assertThat(hex(k.skEi())).isEqualTo(sk.get("Sk_ei"));
                    assertThat(hex(k.skEr())).isEqualTo(sk.get("Sk_er"));
                    assertThat(hex(k.skAi())).isEqualTo(sk.get("Sk_ai"));
                    assertThat(hex(k.skAr())).isEqualTo(sk.get("Sk_ar"));
                    // and with them alone every encrypted IKE message of the capture decrypts
                    KeyMaterial only = new KeyMaterial();
                    only.ikev2.addAll(p.ikev2);
                    DecryptionTest.Counts c = DecryptionTest.run(cap(t[0] + ".pcapng"), only);
                    assertThat(c.problems()).isEmpty();
                    assertThat(c.decryptedIke()).isPositive();
                    assertThat(c.encryptedIke()).as("IKE messages left encrypted").isZero();
                }));
    }

    /**
     * plutodebug="all private" (no crypt): no keymat dumps, only the keys pluto hands its kernel, "ESP
     * enckey:"/"ESP authkey:" before the add_sa line naming the SA (direction, SPI, algorithms); here
     * only the outbound SA's, whose install fails first. They are the keys charon logged for that SPI
     * (pluto initiator to charon: charon's "initiator" keys, its inbound SPI).
     */
    @Test
    void privateAloneGivesTheKeysOfTheSaPlutoInstalls() throws Exception {
        String scenario = "ls-ikev2-child-private";
        KeyMaterial p = pluto(scenario, "initiator");
        Map<Long, List<String>> charon = charonChildKeys(cap(scenario + ".responder.log"), false);
        assertThat(p.esp).hasSize(1);
        KeyMaterial.EspKey k = p.esp.get(0);
        assertThat(k.source()).endsWith("(pluto child SA, outbound)");
        assertThat(charon).containsKey(k.spi());
        assertThat(hex(k.encKey())).isEqualTo(charon.get(k.spi()).get(0));
        assertThat(hex(k.authKey())).isEqualTo(charon.get(k.spi()).get(1));
        assertThat(k.encr()).isEqualTo(12);
        assertThat(k.keyBits()).isEqualTo(256);
        assertThat(k.integ()).isEqualTo(12);
        assertThat(k.dst()).isEqualTo("192.0.2.2"); // charon's address, the SA's destination
        assertThat(p.loggedPsks).as("no crypt: no PSK dump").isEmpty();
    }

    private static final Pattern GZ_DUMP = Pattern.compile(": \\| (SPI|Ni_b|Nr_b|protocol: 0x(\\w+))$");
    private static final Pattern GZ_ROW = Pattern.compile(": \\|   ((?:[0-9a-f]{2} {1,2}){1,16})");

    /**
     * IKEv1 Quick Mode without PFS: KEYMAT = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b), continued as
     * K1 | prf(SKEYID_d, K1 | protocol | SPI | Ni_b | Nr_b) | ... (RFC 2409 §5.5), with charon's
     * SKEYID_d (HMAC-SHA2-256, the negotiated PRF) and the nonces pluto's log dumps next to each SPI
     * (libreswan 4.10 labels both nonce dumps "Ni_b"; they come in the formula's order).
     */
    @Test
    void ikev1QuickModeKeysAreRfc2409KeymatFromCharonsSkeyidD() throws Exception {
        String scenario = "ls-ikev1-child-cbc";
        KeyMaterial p = pluto(scenario, "initiator");
        byte[] skeyidD = null;
        for (DecryptionTest.LogLine l : DecryptionTest.readLog(cap(scenario + ".responder.log"))) {
            if ("SKEYID_d".equals(l.dump())) {
                skeyidD = l.value();
            }
        }
        assertThat(skeyidD).as("charon's SKEYID_d").isNotNull();
        // SPI -> {protocol, Ni_b, Nr_b} from pluto's KEYMAT inputs
        Map<Long, byte[][]> inputs = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<StringBuilder> values = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(cap(scenario + ".initiator.log.gz"))), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Matcher d = GZ_DUMP.matcher(line);
                Matcher row = GZ_ROW.matcher(line);
                if (d.find()) {
                    names.add(d.group(2) != null ? "protocol " + d.group(2) : d.group(1));
                    values.add(new StringBuilder());
                } else if (row.find() && !values.isEmpty()) {
                    values.get(values.size() - 1).append(row.group(1).replace(" ", ""));
                } else if (!names.isEmpty() && !line.contains(": |   ")) {
                    names.add("-");
                    values.add(new StringBuilder());
                }
            }
        }
        for (int i = 0; i + 3 < names.size(); i++) {
            if (names.get(i).startsWith("protocol ") && names.get(i + 1).equals("SPI") && names.get(i + 2).equals("Ni_b")
                    && names.get(i + 3).equals("Ni_b")) {
                long spi = Long.parseLong(values.get(i + 1).toString(), 16);
                inputs.putIfAbsent(spi, new byte[][] {{(byte) Integer.parseInt(names.get(i).substring(9), 16)},
                        HexFormat.of().parseHex(values.get(i + 2)), HexFormat.of().parseHex(values.get(i + 3))});
            }
        }
        assertThat(inputs).as("KEYMAT inputs in pluto's log").hasSize(2);
        assertThat(p.esp).hasSize(2);
        for (KeyMaterial.EspKey k : p.esp) {
            byte[][] in = inputs.get(k.spi());
            assertThat(in).as("SPI %08x", k.spi()).isNotNull();
            assertThat(in[0][0]).isEqualTo((byte) 3); // PROTO_IPSEC_ESP
            byte[] seed = concat(in[0], java.nio.ByteBuffer.allocate(4).putInt((int) k.spi()).array(), in[1], in[2]);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(skeyidD, "HmacSHA256"));
            byte[] k1 = mac.doFinal(seed);
            byte[] k2 = mac.doFinal(concat(k1, seed));
            byte[] keymat = concat(k1, k2);
            // AES-CBC-256 takes the first 32 bytes, HMAC-SHA2-256 the next 32
            assertThat(hex(k.encKey())).isEqualTo(HexFormat.of().formatHex(keymat, 0, 32));
            assertThat(hex(k.authKey())).isEqualTo(HexFormat.of().formatHex(keymat, 32, 64));
            assertThat(k.encr()).isEqualTo(12);
            assertThat(k.keyBits()).isEqualTo(256);
            assertThat(k.integ()).isEqualTo(12);
        }
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] b : parts) {
            o.writeBytes(b);
        }
        return o.toByteArray();
    }

    /**
     * pluto's log alone (no charon log, no PSK) decrypts the captures: the IKE_AUTH exchange and
     * every ESP packet charon sent, each an ICMP echo request from 10.2.0.1 to 10.1.0.1 (the pings
     * of make-libreswan-captures.sh); `analyze --keys pluto.log.gz` says so too.
     */
    @TestFactory
    Stream<DynamicTest> plutosLogAloneDecryptsTheEsp() {
        return Stream.of("ls-ikev2-child-gcm", "ls-ikev2-child-cbc").map(s -> DynamicTest.dynamicTest(s, () -> {
            Path c = cap(s + ".pcapng");
            DecryptionTest.Counts got = DecryptionTest.run(c, pluto(s, "initiator"));
            assertThat(got.problems()).isEmpty();
            assertThat(got.encryptedIke()).isZero();
            assertThat(got.decryptedIke()).isEqualTo(2);
            assertThat(got.esp()).isGreaterThanOrEqualTo(20);
            assertThat(got.decryptedEsp()).isEqualTo(got.esp());
            assertThat(got.inner()).hasSize(got.esp()).allMatch(x -> x.equals("10.2.0.1>10.1.0.1"));
            // the same count as with charon's own log (its child SA keys): the oracle decrypts the same packets
            KeyMaterial charon = new KeyMaterial();
            KeyFiles.load(cap(s + ".responder.log"), charon);
            assertThat(DecryptionTest.run(c, charon).decryptedEsp()).isEqualTo(got.esp());
            DecryptionExportTest.AnalyzeRun r = DecryptionExportTest.AnalyzeRun.of("analyze", c.toString(), "--keys",
                    cap(s + ".initiator.log.gz").toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("2 IKE message(s) decrypted, 0 failed; " + got.esp() + " ESP packet(s) decrypted, 0 failed");
            assertThat(r.err()).doesNotContain("warning");
            // no key read from the log is ever shown (text and JSON), in any case, nor a 16-byte piece of one
            DecryptionExportTest.AnalyzeRun json = DecryptionExportTest.AnalyzeRun.of("analyze", "--format", "json", c.toString(),
                    "--keys", cap(s + ".initiator.log.gz").toString());
            KeyMaterial p = pluto(s, "initiator");
            List<byte[]> secrets = new ArrayList<>();
            p.esp.forEach(k -> {
                secrets.add(k.encKey());
                if (k.authKey() != null) {
                    secrets.add(k.authKey());
                }
            });
            p.ikev2.forEach(k -> secrets.addAll(List.of(k.skEi(), k.skEr(), k.skAi(), k.skAr())));
            for (byte[] key : secrets) {
                String h = HexFormat.of().formatHex(key, 0, 16);
                for (String out : List.of(r.out() + r.err(), json.out() + json.err())) {
                    assertThat(out.toLowerCase(java.util.Locale.ROOT).replace(" ", "").replace(":", "")).doesNotContain(h);
                }
            }
        }));
    }

    /**
     * `keys export --wireshark` from pluto's log alone: tshark, with only those tables, decrypts every
     * ESP packet of the capture (and checks its ICV) to an ICMP echo request.
     */
    @TestFactory
    Stream<DynamicTest> tsharkDecryptsWithTablesExportedFromPlutosLog() {
        return Stream.of("ls-ikev2-child-gcm", "ls-ikev2-child-cbc").map(s -> DynamicTest.dynamicTest(s, () -> {
            String tshark = DecryptionExportTest.tshark();
            Path c = cap(s + ".pcapng");
            Path home = tmp.resolve("home-" + s);
            WiresharkTablesRoundTripTest.export(c, null, home.resolve(".config/wireshark"), "--keys",
                    cap(s + ".initiator.log.gz").toString());
            // not the ESP packets quoted by pluto's host's ICMP port unreachable once pluto closed its socket
            int esp = DecryptionExportTest.count(tshark, home, c, "esp && !(icmp.type == 3)");
            assertThat(esp).isGreaterThanOrEqualTo(20).isEqualTo(DecryptionTest.run(c, pluto(s, "initiator")).esp());
            assertThat(DecryptionExportTest.count(tshark, home, c, "esp && !(icmp.type == 3) && icmp.type == 8 && ip.src == 10.2.0.1"))
                    .as("ESP packets tshark decrypts").isEqualTo(esp);
            assertThat(DecryptionExportTest.count(tshark, home, c, "esp.icv_bad == 1 && !(icmp.type == 3)"))
                    .as("ESP packets whose ICV tshark finds wrong (not counting the truncated copies ICMP quotes)").isZero();
            if (s.endsWith("-cbc")) { // HMAC-SHA2-256-128: tshark checks the ICV (AES-GCM's tag it does not mark)
                assertThat(DecryptionExportTest.count(tshark, home, c, "esp.icv_good == 1 && !(icmp.type == 3)"))
                        .as("ICVs tshark verifies").isEqualTo(esp);
            }
        }));
    }
}
