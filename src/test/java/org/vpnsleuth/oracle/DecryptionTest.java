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
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
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
    /** Captures made with another PSK (captures/README.md): weak-ikev1-md5 uses a short, common one on purpose. */
    static final java.util.Map<String, String> OTHER_PSKS = java.util.Map.of("weak-ikev1-md5", "cisco123");

    record Counts(int encryptedIke, int decryptedIke, int esp, int decryptedEsp, List<String> problems, List<String> inner,
            int espIcvUnchecked) {
    }

    static Counts run(Path file, KeyMaterial k) throws Exception {
        Decoder d = new Decoder();
        IkeDecryption.install(k, d);
        return run(file, d);
    }

    static Counts run(Path file, Decoder d) throws Exception {
        int unchecked = 0;
        int encIke = 0;
        int decIke = 0;
        int esp = 0;
        int decEsp = 0;
        List<String> problems = new ArrayList<>();
        List<String> inner = new ArrayList<>();
        try (CaptureReader r = Captures.open(file.toString())) {
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
                        if (l.info instanceof org.vpnsleuth.decode.EspDecryptor.Result) {
                            decEsp++;
                            if (((org.vpnsleuth.decode.EspDecryptor.Result) l.info).source().contains("ICV not checked")) {
                                unchecked++;
                            }
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
        return new Counts(encIke, decIke, esp, decEsp, problems, inner, unchecked);
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
            // both strongSwan level-4 logs (plain .log): a libreswan peer's log (ls-*, .log.gz) prints no IKE SA keys
            if (Files.exists(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"))
                    && Files.exists(TestCaptures.capturesDir().resolve(scenario + ".responder.log"))) {
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
            // the logs print every child SA's integrity keys: no packet may pass on its padding alone
            assertThat(n.espIcvUnchecked()).as(c.getFileName() + ": ESP packets whose ICV was not checked").isZero();
            System.out.println("[decrypt] " + c.getFileName() + ": " + n.decryptedIke() + " IKE message(s), "
                    + n.decryptedEsp() + " ESP packet(s) decrypted and verified");
        }));
    }

    /**
     * Either daemon's log alone holds both directions' IKE keys (strongSwan logs SK_ei/SK_er,
     * Ka); a responder logs its IKE_SA_INIT keys under "<1>" and the rest under "<vpn|1>", which
     * is one SA. Not for the *-psk failures, whose peers derived different keys,
     * nor for the responder of fail-nat-t-blocked, which never got MM5 and so derived no keys.
     */
    @TestFactory
    Stream<DynamicTest> eachLogAloneDecryptsTheIkeSa() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path c : capturesWithLogs()) {
            String scenario = scenario(c);
            if (scenario.endsWith("-psk")) {
                continue;
            }
            for (String side : List.of("initiator", "responder")) {
                if (scenario.equals("fail-nat-t-blocked") && side.equals("responder")) {
                    continue; // MM5 never reached it (UDP 4500 blocked): its log holds no keys (no Ka, no DH secret)
                }
                if (side.equals("responder") && scenario.startsWith("fail-id-")) {
                    // 'no matching peer config found' (make-auth-captures.sh): the responder refused IKE_AUTH before
                    // computing any AUTH, so no dump in its log holds the nonces that tie a charon log's keys to an
                    // SA; the initiator's log decrypts these captures
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(c.getFileName() + " " + side, () -> {
                    KeyMaterial k = new KeyMaterial();
                    KeyFiles.load(TestCaptures.capturesDir().resolve(scenario + "." + side + ".log"), k);
                    Counts n = run(c, k);
                    assertThat(n.problems()).as(scenario + " " + side + ": problems").isEmpty();
                    assertThat(n.encryptedIke()).as(scenario + " " + side + ": encrypted IKE messages left").isZero();
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The DH secret alone (IKEv2, IKEv1 with signatures: the *-fragments captures use RSA certificates), or with the
     * PSK (IKEv1), gives every IKE key and the ESP keys
     * of the child SAs: nothing from the logs but g^ir.
     */
    @TestFactory
    Stream<DynamicTest> ikeDecryptsFromTheDhSecretAndThePsk() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        java.util.Set<String> scenarios = new java.util.TreeSet<>();
        for (Path p : capturesWithLogs()) {
            scenarios.add(scenario(p));
        }
        // the *-psk failures: the peers' PSKs differ (one PSK decrypts one side); the PFS/rekey captures
        // need each exchange's own DH secret too (their own test below, with dh-child lines)
        scenarios.removeIf(x -> x.endsWith("-psk") || x.equals("ikev2-rekey-pfs") || x.equals("ikev1-quick-pfs"));
        assertThat(scenarios).hasSizeGreaterThan(20);
        for (String scenario : scenarios) {
            Path cap = TestCaptures.capturesDir().resolve(scenario + ".pcapng");
            Path c = Files.exists(cap) ? cap : TestCaptures.capturesDir().resolve(scenario + ".pcap");
            tests.add(DynamicTest.dynamicTest(scenario, () -> {
                KeyMaterial logged = new KeyMaterial();
                KeyFiles.load(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"), logged);
                KeyMaterial k = new KeyMaterial();
                if (OWN_DH_LINES.contains(scenario)) {
                    // several IKE SAs (a redirect) or a child exchange with PFS (a rekey): each its own DH secret
                    Path kf = Files.createTempFile("vpnsleuth-" + scenario, ".keys");
                    Files.writeString(kf, keysFileFromLog(scenario, c));
                    KeyFiles.load(kf, k);
                    Files.delete(kf);
                } else {
                    k.psks.add(new KeyMaterial.Psk(OTHER_PSKS.getOrDefault(scenario, PSK).getBytes(StandardCharsets.UTF_8), null,
                            "test"));
                    for (KeyMaterial.LoggedSa s : logged.logged) {
                        byte[] dh = s.get("shared Diffie Hellman secret");
                        if (dh != null) {
                            k.dhSecrets.add(new KeyMaterial.DhSecret(firstSpi(c), dh, "log"));
                        }
                    }
                }
                Counts n = run(c, k);
                assertThat(n.problems()).as(scenario + ": problems").isEmpty();
                // as much as the two daemons' logs decrypt (captures of proposal failures and silent
                // responders hold no encrypted message at all)
                assertThat(n.decryptedIke()).as(scenario + ": decrypted").isEqualTo(run(c, logs(scenario)).decryptedIke());
                assertThat(n.encryptedIke()).as(scenario + ": encrypted IKE messages left").isZero();
                // the child SA keys follow too: IKEv2 KEYMAT from SK_d (RFC 7296 §2.17), IKEv1 from SKEYID_d (RFC 2409 §5.5)
                assertThat(n.decryptedEsp()).as(scenario + ": ESP decrypted with derived child keys").isEqualTo(n.esp());
            }));
        }
        return tests.stream();
    }

    /**
     * Captures of more than one IKE SA (a redirect: the SA with the new gateway) or with a child
     * exchange that has its own DH secret (a PFS rekey that succeeded): the keys file of
     * {@link #keysFileFromLog} gives each its own secret (`dh SPI_I` per IKE SA, `dh-child`).
     */
    static final java.util.Set<String> OWN_DH_LINES = java.util.Set.of("ikev2-redirect", "ikev2-rekey-invalid-ke");

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

    // ------------------------------------------------------------------ PFS, CREATE_CHILD_SA, rekeys

    /** A strongSwan log read in order (this test's own reading, not KeyFiles'): what each line tells. */
    record LogLine(String sa, String dump, byte[] value, long parsedResponseMid, long spiIn, long spiOut) {
    }

    private static final Pattern LOG_SA = Pattern.compile("\\[[A-Z]{3}\\] (?:<([^>]*)> )?");
    private static final Pattern LOG_DUMP = Pattern.compile("\\[[A-Z]{3}\\] (?:<([^>]*)> )?(.*?) => (\\d+) bytes @ 0x");
    private static final Pattern LOG_ROW = Pattern.compile("\\[[A-Z]{3}\\] (?:<[^>]*> )?\\s*\\d+: ((?:[0-9A-F]{2} ?)+)");
    private static final Pattern LOG_PARSED = Pattern.compile("parsed (?:CREATE_CHILD_SA|QUICK_MODE) response (\\d+) ");
    private static final Pattern LOG_CHILD = Pattern.compile("CHILD_SA \\S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o");

    static List<LogLine> readLog(Path log) throws Exception {
        List<LogLine> out = new ArrayList<>();
        String name = null;
        String sa = null;
        int need = 0;
        StringBuilder hex = new StringBuilder();
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
            Matcher g = LOG_SA.matcher(line);
            String here = g.find() && g.group(1) != null ? g.group(1) : "";
            Matcher h = LOG_DUMP.matcher(line);
            if (h.find()) {
                sa = here;
                name = h.group(2).trim();
                need = Integer.parseInt(h.group(3));
                hex.setLength(0);
                continue;
            }
            Matcher r = LOG_ROW.matcher(line);
            if (name != null && r.find()) {
                String row = r.group(1).replace(" ", "");
                hex.append(row, 0, Math.min(32, row.length()));
                if (hex.length() >= 2 * need) {
                    out.add(new LogLine(sa, name, java.util.HexFormat.of().parseHex(hex.substring(0, 2 * need)), -1, -1, -1));
                    name = null;
                }
                continue;
            }
            Matcher m = LOG_PARSED.matcher(line);
            if (m.find()) {
                out.add(new LogLine(here, null, null, Long.parseLong(m.group(1)), -1, -1));
            }
            Matcher c = LOG_CHILD.matcher(line);
            if (c.find()) {
                out.add(new LogLine(here, null, null, -1, Long.parseLong(c.group(1), 16), Long.parseLong(c.group(2), 16)));
            }
        }
        return out;
    }

    /** The initiator SPIs (cookies) of the capture's IKE headers, in order of appearance: the first SA, then the rekeyed ones. */
    static List<Long> ikeSpis(Path c) throws Exception {
        List<Long> l = new ArrayList<>();
        try (CaptureReader r = Captures.open(c.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                Layer ike = p.find(Proto.IKE);
                if (ike != null && ike.headerLength >= 28 && !l.contains(Bytes.u64(ike.buf, ike.offset))) {
                    l.add(Bytes.u64(ike.buf, ike.offset));
                }
            }
        }
        return l;
    }

    /**
     * A vpnsleuth keys file with the PSK and the DH secrets of the initiator's log, each on the line
     * docs/keys.md gives it: the first IKE SA's and every rekeyed IKE SA's `shared Diffie Hellman
     * secret` as `dh SPI_I` (the k-th secret for the k-th IKE SA of the capture), each child SA
     * exchange's `DH secret` as `dh-child SPI_I MID`, MID from the log's "parsed ... response MID"
     * line before it, SPI_I of the IKE SA the log line names (<vpn|1>, <vpn|2>: first, second).
     */
    static String keysFileFromLog(String scenario, Path cap) throws Exception {
        List<Long> spis = ikeSpis(cap);
        List<String> groups = new ArrayList<>();
        StringBuilder k = new StringBuilder("psk " + PSK + "\n");
        int shared = 0;
        java.util.Map<String, Long> mid = new java.util.HashMap<>();
        for (LogLine l : readLog(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"))) {
            if (!l.sa().isEmpty() && !groups.contains(l.sa())) {
                groups.add(l.sa());
            }
            if (l.parsedResponseMid() >= 0) {
                mid.put(l.sa(), l.parsedResponseMid());
            } else if ("shared Diffie Hellman secret".equals(l.dump())) {
                k.append(String.format("dh %016x %s%n", spis.get(shared++), java.util.HexFormat.of().formatHex(l.value())));
            } else if ("DH secret".equals(l.dump())) {
                k.append(String.format("dh-child %016x %d %s%n", spis.get(groups.indexOf(l.sa())), mid.get(l.sa()),
                        java.util.HexFormat.of().formatHex(l.value())));
            }
        }
        return k.toString();
    }

    /** Child SA keys the logs printed, by the SPI of the SA they protect: {encryption key, integrity key or null}. */
    static Map<Long, List<String>> loggedChildKeys(String scenario) throws Exception {
        Map<Long, List<String>> m = new java.util.TreeMap<>();
        for (String side : List.of("initiator", "responder")) {
            Map<String, String> last = new java.util.HashMap<>();
            for (LogLine l : readLog(TestCaptures.capturesDir().resolve(scenario + "." + side + ".log"))) {
                if (l.dump() != null && l.dump().matches("(encryption|integrity) (initiator|responder) key")) {
                    last.put(l.dump(), java.util.HexFormat.of().formatHex(l.value()));
                } else if (l.spiIn() >= 0 && !last.isEmpty()) {
                    // "initiator" keys protect initiator-to-responder traffic: the initiator's out SPI, the responder's in SPI
                    long iToR = side.equals("initiator") ? l.spiOut() : l.spiIn();
                    long rToI = side.equals("initiator") ? l.spiIn() : l.spiOut();
                    m.put(iToR, java.util.Arrays.asList(last.get("encryption initiator key"), last.get("integrity initiator key")));
                    m.put(rToI, java.util.Arrays.asList(last.get("encryption responder key"), last.get("integrity responder key")));
                    last.clear();
                }
            }
        }
        return m;
    }

    /**
     * The PFS and rekey captures from the PSK and the DH secrets alone (`psk`, `dh`, `dh-child`
     * lines): every IKE message decrypts (those of the rekeyed IKE SA too), the keys vpnsleuth
     * derives for every child SA are the ones both daemons logged, the rekeyed IKE SA's SK_* are the
     * logged ones, and every ESP packet decrypts and verifies and is one of the pings.
     */
    @TestFactory
    Stream<DynamicTest> pfsAndRekeysDeriveFromTheDhSecrets(@org.junit.jupiter.api.io.TempDir Path tmp) {
        return Stream.of(new Object[] {"ikev2-rekey-pfs", 8, 24, 2}, new Object[] {"ikev1-quick-pfs", 4, 12, 1}).map(t -> {
            String scenario = (String) t[0];
            return DynamicTest.dynamicTest(scenario, () -> {
                Path cap = TestCaptures.capturesDir().resolve(scenario + ".pcapng");
                Path kf = tmp.resolve(scenario + ".keys");
                Files.writeString(kf, keysFileFromLog(scenario, cap));
                KeyMaterial k = new KeyMaterial();
                KeyFiles.load(kf, k);
                assertThat(k.childDhSecrets).as("dh-child lines").hasSize(scenario.startsWith("ikev2") ? 3 : 2);
                derivesLikeTheLogs(scenario, k, t);
            });
        });
    }

    /**
     * The same from both daemons' logs with their child SAs' keys left out (no "established with
     * SPIs" lines): the ESP keys must be derived, each child exchange's DH secret taken from the
     * log's KEYMAT seed, the rekeyed IKE SA's from its logged SKEYSEED.
     */
    @TestFactory
    Stream<DynamicTest> pfsAndRekeysDeriveFromTheLogsDhSecrets() {
        return Stream.of(new Object[] {"ikev2-rekey-pfs", 8, 24, 2}, new Object[] {"ikev1-quick-pfs", 4, 12, 1}).map(t -> {
            String scenario = (String) t[0];
            return DynamicTest.dynamicTest(scenario, () -> {
                KeyMaterial k = new KeyMaterial();
                k.psks.add(new KeyMaterial.Psk(PSK.getBytes(StandardCharsets.UTF_8), null, "test"));
                for (KeyMaterial.LoggedSa s : logs(scenario).logged) {
                    k.logged.add(new KeyMaterial.LoggedSa(s.source(), s.id(), s.first(), s.all(), List.of()));
                }
                derivesLikeTheLogs(scenario, k, t);
            });
        });
    }

    static void derivesLikeTheLogs(String scenario, KeyMaterial k, Object[] t) throws Exception {
        Path cap = TestCaptures.capturesDir().resolve(scenario + ".pcapng");
        Map<Long, List<String>> derived = new java.util.TreeMap<>();
        Decoder d = new Decoder();
        IkeDecryption ike = new IkeDecryption(k);
        EspDecryption esp = org.vpnsleuth.keys.IpsecKeys.esp(k);
        ike.onChildKeys((protocol, spi, encr, bits, ek, integ, ak, esn, src) -> {
            assertThat(protocol).isEqualTo(IkeDecryption.PROTO_ESP);
            derived.put(spi, java.util.Arrays.asList(java.util.HexFormat.of().formatHex(ek),
                    ak == null || ak.length == 0 ? null : java.util.HexFormat.of().formatHex(ak)));
            esp.addDerived(spi, encr, bits, ek, integ, ak, esn, src);
        });
        IkeDecodeState.of(d).setDecryption(ike);
        d.esp = esp;
        Counts n = run(cap, d);
        assertThat(n.problems()).as(scenario + ": problems").isEmpty();
        assertThat(n.encryptedIke()).as(scenario + ": encrypted IKE messages left").isZero();
        assertThat(n.decryptedEsp()).as(scenario + ": ESP packets decrypted with derived keys").isEqualTo(n.esp())
                .isEqualTo((int) t[2]);
        assertThat(n.espIcvUnchecked()).as(scenario + ": ESP packets whose ICV was not checked").isZero();
        assertThat(n.inner()).allMatch(x -> x.matches("10\\.[12]\\.[01]\\.1>10\\.[12]\\.[01]\\.1"));
        Map<Long, List<String>> logged = loggedChildKeys(scenario);
        assertThat(logged).as("child SAs in the logs").hasSize((int) t[1]);
        assertThat(derived).as(scenario + ": derived child SA keys").isEqualTo(logged);
        // the IKE SAs whose messages verified: the first and each rekeyed one, SK_* as the log printed them
        assertThat(ike.verifiedV2()).hasSize(scenario.startsWith("ikev2") ? (int) t[3] : 0);
        List<String> loggedSk = new ArrayList<>();
        for (LogLine l : readLog(TestCaptures.capturesDir().resolve(scenario + ".initiator.log"))) {
            if (l.dump() != null && l.dump().startsWith("Sk_")) {
                loggedSk.add(l.dump() + " " + java.util.HexFormat.of().formatHex(l.value()));
            }
        }
        for (IkeDecryption.VerifiedV2 v : ike.verifiedV2()) {
            IkeDecryption.V2Keys x = v.keys();
            assertThat(loggedSk).contains("Sk_d secret " + java.util.HexFormat.of().formatHex(x.skD()),
                    "Sk_ei secret " + java.util.HexFormat.of().formatHex(x.skEi()),
                    "Sk_er secret " + java.util.HexFormat.of().formatHex(x.skEr()),
                    "Sk_ai secret " + java.util.HexFormat.of().formatHex(x.skAi()),
                    "Sk_pr secret " + java.util.HexFormat.of().formatHex(x.skPr()));
        }
        System.out.println("[pfs] " + scenario + ": " + n.decryptedIke() + " IKE message(s), " + n.decryptedEsp()
                + " ESP packet(s), " + derived.size() + " child SA key sets equal to the logs'");
    }

    /** Without the child SA's DH secret the analysis goes on, and says what is missing. */
    @Test
    void aMissingChildDhSecretIsNamed() throws Exception {
        Path cap = TestCaptures.capturesDir().resolve("ikev2-rekey-pfs.pcapng");
        KeyMaterial k = new KeyMaterial();
        List<Long> spis = ikeSpis(cap);
        for (String line : keysFileFromLog("ikev2-rekey-pfs", cap).split("\n")) {
            String[] w = line.split(" ");
            if (w[0].equals("dh")) {
                k.dhSecrets.add(new KeyMaterial.DhSecret(Long.parseUnsignedLong(w[1], 16), java.util.HexFormat.of().parseHex(w[2]),
                        "test"));
            }
        }
        List<String> notes = new ArrayList<>();
        Decoder d = new Decoder();
        IkeDecryption.install(k, d);
        try (CaptureReader r = Captures.open(cap.toString())) {
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                notes.addAll(p.notes());
            }
        }
        assertThat(notes).anyMatch(x -> x.contains(String.format("CREATE_CHILD_SA MID 2 of IKE SA %016x", spis.get(0)))
                && x.contains("no DH secret") && x.contains(String.format("dh-child %016x 2", spis.get(0))));
        assertThat(notes).anyMatch(x -> x.contains("IKE SA rekeyed to " + String.format("%016x", spis.get(1))));
        // the rekeyed IKE SA still decrypts (its `dh` line is there); nothing is reported as failed
        assertThat(notes).noneMatch(x -> x.contains("failed"));
        assertThat(d.esp.decryptedCount()).isEqualTo(4); // only the IKE_AUTH child (no PFS) derives: 4 pings' packets
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
