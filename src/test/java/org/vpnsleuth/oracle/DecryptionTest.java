package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.FieldTree;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * Decryption against independent ground truth: every encrypted IKE message and every ESP packet
 * of the real strongSwan captures must decrypt and verify with the two daemons' logs (including the
 * PSK-mismatch capture, where each side's messages use that side's keys), and with only the
 * documented PSK and the logged DH secret; the inner packets are the pings the capture script sent
 * (captures/README.md); tcpdump's own decryption outputs of its ESP test captures are matched.
 */
class DecryptionTest {
    static final String PSK = "vpnsleuth-test-psk-0123456789"; // captures/README.md

    record Counts(int encryptedIke, int decryptedIke, int esp, int decryptedEsp, List<String> problems, List<String> inner) {
    }

    static Counts run(Path file, KeyMaterial k) throws Exception {
        int encIke = 0;
        int decIke = 0;
        int esp = 0;
        int decEsp = 0;
        List<String> problems = new ArrayList<>();
        List<String> inner = new ArrayList<>();
        try (CaptureReader r = Captures.open(file.toString())) {
            Decoder d = new Decoder();
            IkeDecryption.install(k, d);
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                boolean waiting = p.notes().stream().anyMatch(x -> x.contains("waiting for the others"));
                for (String n : p.notes()) {
                    if (n.contains("failed") || n.contains("none of the")) {
                        problems.add("frame " + f.number + ": " + n);
                    }
                }
                boolean seenEsp = false;
                int encHere = 0;
                int decHere = 0;
                for (int i = 0; i < p.count(); i++) {
                    Layer l = p.layer(i);
                    if (l.proto == Proto.IKE && l.headerLength >= 28) {
                        IkeDecodeState.MessageInfo m = l.info instanceof IkeDecodeState.MessageInfo mi ? mi : null;
                        int next = l.u8(16);
                        boolean v1Enc = (l.u8(17) >>> 4) == 1 && (l.u8(19) & 1) != 0 && next != 132;
                        boolean v2Enc = (l.u8(17) >>> 4) == 2 && (next == 46 || next == 53);
                        if (v1Enc || v2Enc) {
                            encHere++;
                        }
                        if (m != null && m.decryptedWith() != null) {
                            decHere++;
                        }
                    }
                    if (l.proto == Proto.ESP && !seenEsp && !l.quoted) {
                        seenEsp = true;
                        esp++;
                        if (l.info instanceof EspDecryption.Result) {
                            decEsp++;
                            for (int j = i + 1; j < p.count(); j++) {
                                if (p.layer(j).proto == Proto.IPV4) {
                                    Map<String, Object> ip = FieldTree.of(p.layer(j));
                                    inner.add(FieldTree.str(ip, "src") + ">" + FieldTree.str(ip, "dst"));
                                    break;
                                }
                            }
                        }
                    }
                }
                // each encrypted message of the frame decrypted, or an IKEv2 fragment kept for the others
                decIke += decHere;
                if (encHere > decHere && !waiting) {
                    encIke += encHere - decHere;
                }
            }
        }
        return new Counts(encIke, decIke, esp, decEsp, problems, inner);
    }

    static KeyMaterial logs(String scenario) throws Exception {
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"), k);
        KeyFiles.load(TestCaptures.capturesDir().resolve(scenario + ".responder.log"), k);
        return k;
    }

    /** Every capture of captures/ with both daemons' logs. */
    static List<Path> capturesWithLogs() throws Exception {
        List<Path> l = new ArrayList<>();
        for (Path c : TestCaptures.list(TestCaptures.capturesDir(), ".pcap", ".pcapng")) {
            String scenario = c.getFileName().toString().replaceAll("(\\.initiator-side)?\\.pcap(ng)?$", "");
            if (Files.exists(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"))) {
                l.add(c);
            }
        }
        return l;
    }

    static String scenario(Path c) {
        return c.getFileName().toString().replaceAll("(\\.initiator-side)?\\.pcap(ng)?$", "");
    }

    @TestFactory
    Stream<DynamicTest> everythingDecryptsWithTheDaemonsLogs() throws Exception {
        List<Path> caps = capturesWithLogs();
        assertThat(caps).hasSizeGreaterThan(20);
        return caps.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
            Counts n = run(c, logs(scenario(c)));
            assertThat(n.problems()).as(c.getFileName() + ": decryption problems").isEmpty();
            assertThat(n.encryptedIke()).as(c.getFileName() + ": encrypted IKE messages left undecrypted").isZero();
            assertThat(n.decryptedEsp()).as(c.getFileName() + ": ESP packets decrypted").isEqualTo(n.esp());
            System.out.println("[decrypt] " + c.getFileName() + ": " + n.decryptedIke() + " IKE message(s), "
                    + n.decryptedEsp() + " ESP packet(s) decrypted and verified");
        }));
    }

    /**
     * The DH secret alone (IKEv2, IKEv1 with signatures: the *-fragments captures use RSA certificates), or with the
     * PSK (IKEv1), gives every IKE key and the ESP keys
     * of the child SAs: nothing from the logs but g^ir.
     */
    @TestFactory
    Stream<DynamicTest> ikeDecryptsFromTheDhSecretAndThePsk() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String scenario : List.of("ikev2-psk-esp", "ikev2-psk-esp-cbc", "ikev1-main-quick", "ikev1-aggressive",
                "nat-t", "fail-ikev2-dh-retry", "fail-ikev1-qm-ts", "fail-xauth", "ikev1-fragments", "ikev2-fragments")) {
            Path cap = TestCaptures.capturesDir().resolve(scenario + ".pcapng");
            Path c = Files.exists(cap) ? cap : TestCaptures.capturesDir().resolve(scenario + ".pcap");
            tests.add(DynamicTest.dynamicTest(scenario, () -> {
                KeyMaterial logged = new KeyMaterial();
                KeyFiles.load(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"), logged);
                KeyMaterial k = new KeyMaterial();
                k.psks.add(new KeyMaterial.Psk(PSK.getBytes(StandardCharsets.UTF_8), null, "test"));
                for (KeyMaterial.LoggedSa s : logged.logged) {
                    byte[] dh = s.get("shared Diffie Hellman secret");
                    if (dh != null) {
                        k.dhSecrets.add(new KeyMaterial.DhSecret(firstSpi(c), dh, "log"));
                    }
                }
                Counts n = run(c, k);
                assertThat(n.problems()).as(scenario + ": problems").isEmpty();
                assertThat(n.decryptedIke()).as(scenario + ": decrypted").isPositive();
                assertThat(n.encryptedIke()).as(scenario + ": encrypted IKE messages left").isZero();
                // the child SA keys follow too: IKEv2 KEYMAT from SK_d (RFC 7296 §2.17), IKEv1 from SKEYID_d (RFC 2409 §5.5)
                assertThat(n.decryptedEsp()).as(scenario + ": ESP decrypted with derived child keys").isEqualTo(n.esp());
            }));
        }
        return tests.stream();
    }

    static long firstSpi(Path c) throws Exception {
        try (CaptureReader r = Captures.open(c.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                boolean waiting = p.notes().stream().anyMatch(x -> x.contains("waiting for the others"));
                Layer l = p.find(Proto.IKE);
                if (l != null && l.headerLength >= 28) {
                    return Bytes.u64(l.buf, l.offset);
                }
            }
        }
        throw new AssertionError("no IKE in " + c);
    }

    @Test
    void innerPacketsAreThePings() throws Exception {
        // captures/README.md: "ping -I 10.1.0.1 10.2.0.1": ICMP between 10.1.0.1 and 10.2.0.1
        Counts n = run(TestCaptures.capturesDir().resolve("ikev2-psk-esp.pcapng"), logs("ikev2-psk-esp"));
        assertThat(n.inner()).hasSize(10).allMatch(s -> s.equals("10.1.0.1>10.2.0.1") || s.equals("10.2.0.1>10.1.0.1"));
    }

    @Test
    void wrongKeysAreReportedNeverShown() throws Exception {
        KeyMaterial k = new KeyMaterial();
        k.dhSecrets.add(new KeyMaterial.DhSecret(0x4566c9b7d4ad3a34L, new byte[256], "zeros"));
        Counts n = run(TestCaptures.capturesDir().resolve("ikev2-psk-esp.pcapng"), k);
        assertThat(n.decryptedIke()).isZero();
        assertThat(n.problems()).isNotEmpty().allMatch(s -> s.contains("ICV check failed for IKE SA 4566c9b7d4ad3a34/2d7b63460c364e9e"));
    }

    /** tcpdump's decryption of its own ESP test captures (TESTrun.crypto-excerpt: esp2 / esp4, esp5). */
    @TestFactory
    Stream<DynamicTest> tcpdumpsDecryptedOutputs() throws Exception {
        Path corpus = TestCaptures.corpusDir();
        if (!Files.isDirectory(corpus)) {
            return Stream.of(DynamicTest.dynamicTest("corpus absent", () -> Assumptions.abort("skipped: corpus absent (" + corpus + ")")));
        }
        return Stream.of(new String[] {"08-sunrise-sunset-esp2.pcap", "esp2.out"}, new String[] {"08-sunrise-sunset-aes.pcap", "esp5.out"})
                .map(t -> DynamicTest.dynamicTest(t[0], () -> {
                    KeyMaterial k = new KeyMaterial();
                    KeyFiles.load(corpus.resolve("esp-secrets.txt"), k);
                    Counts n = run(corpus.resolve(t[0]), k);
                    // tcpdump prints "... ESP(...), length N: IP A > B: ..." per decrypted layer: the innermost pair
                    List<String> expected = new ArrayList<>();
                    Pattern ip = Pattern.compile("IP (\\d+\\.\\d+\\.\\d+\\.\\d+) > (\\d+\\.\\d+\\.\\d+\\.\\d+):");
                    for (String line : Files.readAllLines(corpus.resolve(t[1]))) {
                        Matcher m = ip.matcher(line);
                        String last = null;
                        int count = 0;
                        while (m.find()) {
                            count++;
                            if (count == 2) { // the first decrypted layer: what vpnsleuth's first inner IPv4 shows
                                last = m.group(1) + ">" + m.group(2);
                            }
                        }
                        if (last != null) {
                            expected.add(last);
                        }
                    }
                    assertThat(expected).as("tcpdump's decrypted lines in " + t[1]).isNotEmpty();
                    assertThat(n.problems()).isEmpty();
                    assertThat(n.inner()).isEqualTo(expected);
                }));
    }
}
