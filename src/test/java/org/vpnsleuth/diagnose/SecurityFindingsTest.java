package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.ike.IkeRegistries;
import org.vpnsleuth.ike.Ikev2Payloads;

/**
 * The security findings (docs/security.md) on real strongSwan captures. What each capture
 * negotiated comes from outside vpnsleuth: the IKE SA's offered and chosen transforms from
 * tshark's dissection of the cleartext IKE_SA_INIT / MM1-MM2 / AM1-AM2, the child SAs' offered and
 * chosen ESP proposals and whether each CREATE_CHILD_SA / Quick Mode answer carried a KE payload
 * from the responder's charon log ("received proposals", "selected proposal", "generating ...
 * response [ ... ]"). The severities those algorithms deserve are written here from the RFC tables
 * (RFC 8247 §2.1-2.4 for the IKE SA, RFC 8221 §5-6 for ESP): MUST NOT high, SHOULD NOT medium,
 * MAY and MUST- low, one step lower when only offered.
 */
class SecurityFindingsTest {
    enum Sev {
        HIGH, MEDIUM, LOW, INFO;

        Sev lower() {
            return this == INFO ? INFO : values()[ordinal() + 1];
        }
    }

    record Expect(String code, Sev sev) {
    }

    // the IKE SA, by IKEv2 transform number (RFC 8247): encr, prf, integ, dh
    static final Map<String, Expect> IKE_V2 = Map.ofEntries(
            Map.entry("encr 2", new Expect("WEAK_ENCRYPTION", Sev.HIGH)), // ENCR_DES MUST NOT §2.1
            Map.entry("encr 3", new Expect("WEAK_ENCRYPTION", Sev.LOW)), // ENCR_3DES MAY §2.1
            Map.entry("prf 1", new Expect("WEAK_PRF", Sev.HIGH)), // PRF_HMAC_MD5 MUST NOT §2.2
            Map.entry("prf 2", new Expect("WEAK_PRF", Sev.LOW)), // PRF_HMAC_SHA1 MUST- §2.2
            Map.entry("integ 1", new Expect("WEAK_INTEGRITY", Sev.HIGH)), // AUTH_HMAC_MD5_96 MUST NOT §2.3
            Map.entry("integ 2", new Expect("WEAK_INTEGRITY", Sev.LOW)), // AUTH_HMAC_SHA1_96 MUST- §2.3
            Map.entry("dh 1", new Expect("WEAK_DH_GROUP", Sev.HIGH)), // MUST NOT §2.4
            Map.entry("dh 2", new Expect("WEAK_DH_GROUP", Sev.MEDIUM)), // SHOULD NOT §2.4
            Map.entry("dh 5", new Expect("WEAK_DH_GROUP", Sev.MEDIUM)),
            Map.entry("dh 22", new Expect("WEAK_DH_GROUP", Sev.MEDIUM)),
            Map.entry("dh 23", new Expect("WEAK_DH_GROUP", Sev.MEDIUM)),
            Map.entry("dh 24", new Expect("WEAK_DH_GROUP", Sev.MEDIUM)));
    // the IKEv1 phase-1 attributes (RFC 2409 appendix A numbers) judged by the same rows; the hash is the PRF
    static final Map<String, Expect> IKE_V1 = Map.of(
            "encr 1", new Expect("WEAK_ENCRYPTION", Sev.HIGH), // DES-CBC
            "encr 5", new Expect("WEAK_ENCRYPTION", Sev.LOW), // 3DES-CBC
            "hash 1", new Expect("WEAK_PRF", Sev.HIGH), // MD5
            "hash 2", new Expect("WEAK_PRF", Sev.LOW), // SHA
            "dh 1", new Expect("WEAK_DH_GROUP", Sev.HIGH),
            "dh 2", new Expect("WEAK_DH_GROUP", Sev.MEDIUM),
            "dh 5", new Expect("WEAK_DH_GROUP", Sev.MEDIUM));
    // ESP (RFC 8221 §5-6) and PFS groups (RFC 8247 §2.4), by the names charon logs
    static final Map<String, Expect> ESP = Map.of(
            "DES_CBC", new Expect("WEAK_ENCRYPTION", Sev.HIGH),
            "3DES_CBC", new Expect("WEAK_ENCRYPTION", Sev.MEDIUM),
            "NULL", new Expect("NO_ENCRYPTION", Sev.INFO),
            "HMAC_MD5_96", new Expect("WEAK_INTEGRITY", Sev.HIGH),
            "HMAC_SHA1_96", new Expect("WEAK_INTEGRITY", Sev.LOW),
            "MODP_768", new Expect("WEAK_DH_GROUP", Sev.HIGH),
            "MODP_1024", new Expect("WEAK_DH_GROUP", Sev.MEDIUM),
            "MODP_1536", new Expect("WEAK_DH_GROUP", Sev.MEDIUM));

    static Path cap(String n) {
        return AnalyzeVerdictTest.captures().resolve(n);
    }

    // ------------------------------------------------------------------ tables

    @Test
    void tableRowsNameTheIanaNumbers() {
        // every status row names the IKEv2 transform (or auth method) the IANA registry gives that number
        List<String[]> rows = NameTable.rows("security/algorithm-status", 8);
        assertThat(rows).hasSizeGreaterThan(30);
        Map<String, Integer> types = Map.of("encr", 1, "prf", 2, "integ", 3, "ke", 4);
        for (String[] r : rows) {
            int id = Integer.parseInt(r[2]);
            NameTable t = r[1].equals("auth") ? IkeRegistries.IKEV2_AUTH_METHODS : Ikev2Payloads.transformIds(types.get(r[1]));
            assertThat(t.name(id)).as("%s %s %d", r[0], r[1], id).isEqualTo(r[3]);
            assertThat(r[4]).isIn("MUST NOT", "SHOULD NOT", "MAY", "MUST-", "MUST");
            assertThat(r[6]).matches("RFC (8247|8221|9395|7296) §[0-9.]+");
        }
        // the IKEv1 map: each IKEv1 name as its registry spells it, each target an IKEv2 name
        Map<String, NameTable> v1 = Map.of("p1-encr", IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS,
                "p1-hash", IkeRegistries.IKE_PHASE1_HASH_ALGORITHMS, "p1-auth", IkeRegistries.IKE_PHASE1_AUTH_METHODS,
                "p1-group", IkeRegistries.IKE_PHASE1_GROUP_DESCRIPTIONS,
                "p2-esp", IkeRegistries.ISAKMP_IPSEC_ESP_TRANSFORMS, "p2-ah", IkeRegistries.ISAKMP_IPSEC_AH_TRANSFORMS,
                "p2-auth", NameTable.load("ike/ipsec-phase2-auth-algorithms"));
        for (String[] r : NameTable.rows("security/ikev1-algorithms", 5)) {
            assertThat(v1.get(r[0]).name(Integer.parseInt(r[1]))).as("%s %s", r[0], r[1]).isEqualTo(r[2]);
            int id = Integer.parseInt(r[4].trim());
            NameTable t = r[3].equals("auth") ? IkeRegistries.IKEV2_AUTH_METHODS : Ikev2Payloads.transformIds(types.get(r[3]));
            assertThat(t.name(id)).as("%s %s → %s %d", r[0], r[1], r[3], id).isNotNull();
        }
        // the modern suites get no row (issue 16): AES-CBC/CTR/CCM/GCM, ChaCha20-Poly1305, HMAC-SHA2 PRFs and
        // integrity, AES-XCBC/CMAC/GMAC, MODP 14-18, ECP 19-21, Brainpool, Curve25519/448
        for (String k : List.of("encr|12", "encr|13", "encr|14", "encr|16", "encr|18", "encr|20", "encr|28", "prf|4",
                "prf|5", "prf|6", "prf|7", "prf|8", "integ|5", "integ|8", "integ|9", "integ|11", "integ|12", "integ|13",
                "integ|14", "ke|14", "ke|15", "ke|16", "ke|17", "ke|18", "ke|19", "ke|20", "ke|21", "ke|28", "ke|31",
                "ke|32")) {
            for (String table : List.of("ike", "ipsec")) {
                assertThat(SecurityFindings.ROWS).as(table + " " + k).doesNotContainKey(table + "|" + k);
            }
        }
    }

    // ------------------------------------------------------------------ the oracles

    /** One finding line of the text report: where (null for the IKE SA, else the child's name), code, severity, offered/chosen, text. */
    record Line(String child, String code, Sev sev, String oc, String what) {
        String key() {
            return code + "/" + sev + "/" + oc;
        }
    }

    static final Pattern SEC = Pattern.compile("^( +)security \\((high|medium|low|info), (offered|chosen)\\): (\\w+) — (.*)$");
    static final Pattern CHILD = Pattern.compile("^    (\\S.*?): (ESTABLISHED|FAILED|INCOMPLETE)");

    static List<Line> lines(String out) {
        List<Line> l = new ArrayList<>();
        String child = null;
        boolean inChildren = false;
        for (String s : out.split("\n")) {
            if (s.startsWith("IKEv")) {
                inChildren = false;
                child = null;
            } else if (s.equals("  child SAs:")) {
                inChildren = true;
            }
            Matcher c = CHILD.matcher(s);
            if (inChildren && c.find()) {
                child = c.group(1);
            }
            Matcher m = SEC.matcher(s);
            if (m.matches()) {
                l.add(new Line(m.group(1).length() == 2 ? null : child, m.group(4), Sev.valueOf(m.group(2).toUpperCase()),
                        m.group(3), m.group(5)));
            }
        }
        return l;
    }

    static String tshark() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "tshark");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("tshark is required under CI=true but was not found on PATH (install the tshark package)");
        }
        Assumptions.abort("skipped: tshark not found on PATH (install tshark to run this test)");
        return null;
    }

    static List<String[]> tsharkFields(Path file, String filter, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tshark(), "-n", "-r", file.toString(), "-Y", filter, "-T", "fields"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    /** chosen ∪ offered-only expectations as "CODE/SEV/chosen|offered" keys, each algorithm once. */
    static List<String> expected(List<String> offered, List<String> chosen, Map<String, Expect> table) {
        List<String> e = new ArrayList<>();
        for (String a : chosen.stream().distinct().toList()) {
            Expect x = table.get(a);
            if (x != null) {
                e.add(x.code() + "/" + x.sev() + "/chosen");
            }
        }
        for (String a : offered.stream().distinct().filter(a -> !chosen.contains(a)).toList()) {
            Expect x = table.get(a);
            if (x != null) {
                e.add(x.code() + "/" + x.sev().lower() + "/offered");
            }
        }
        return e;
    }

    static void add(List<String> to, String type, String cell) {
        if (cell != null && !cell.isEmpty()) {
            for (String v : cell.split(",")) {
                to.add(type + " " + Integer.parseInt(v.trim()));
            }
        }
    }

    /** The IKE SA's weak algorithms as tshark dissects the cleartext offer and choice. */
    static List<String> ikeExpectedFromTshark(Path file, int version) throws Exception {
        List<String> offered = new ArrayList<>();
        List<String> chosen = new ArrayList<>();
        if (version == 2) {
            List<String[]> rows = tsharkFields(file, "isakmp.exchangetype == 34", "isakmp.flags", "isakmp.tf.id.encr",
                    "isakmp.tf.id.prf", "isakmp.tf.id.integ", "isakmp.tf.id.dh");
            for (String[] r : rows) {
                boolean response = (Integer.decode(r[0]) & 0x20) != 0;
                List<String> to = new ArrayList<>();
                add(to, "encr", r[1]);
                add(to, "prf", r[2]);
                add(to, "integ", r[3]);
                add(to, "dh", r[4]);
                if (response && !to.isEmpty()) {
                    chosen.clear();
                    chosen.addAll(to);
                } else if (!response) {
                    offered.addAll(to);
                }
            }
            return expected(offered, chosen, IKE_V2);
        }
        List<String[]> rows = tsharkFields(file, "isakmp.exchangetype == 2 || isakmp.exchangetype == 4",
                "isakmp.ike.attr.encryption_algorithm", "isakmp.ike.attr.hash_algorithm", "isakmp.ike.attr.group_description");
        int sa = 0;
        for (String[] r : rows) {
            List<String> to = new ArrayList<>();
            add(to, "encr", r[0]);
            add(to, "hash", r[1]);
            add(to, "dh", r[2]);
            if (to.isEmpty()) {
                continue;
            }
            (sa++ == 0 ? offered : chosen).addAll(to); // MM1/AM1 offers, MM2/AM2 answers
        }
        return expected(offered, chosen, IKE_V1);
    }

    static final Pattern RECEIVED = Pattern.compile("received proposals: (ESP:.*)$");
    static final Pattern SELECTED = Pattern.compile("selected proposal: (ESP:.*)$");
    static final Pattern CHILD_RESPONSE = Pattern.compile("generating (CREATE_CHILD_SA|QUICK_MODE) response \\S+ \\[ (.*) \\]$");

    /** The child SAs' weak algorithms and NO_PFS as the responder's charon log shows them, over all children. */
    static List<String> childExpectedFromLog(Path log) throws IOException {
        List<String> e = new ArrayList<>();
        List<String> offered = null;
        for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = RECEIVED.matcher(l);
            if (m.find()) {
                offered = new ArrayList<>();
                for (String p : m.group(1).split(", ")) {
                    offered.addAll(List.of(p.substring(p.indexOf(':') + 1).split("/")));
                }
                continue;
            }
            m = SELECTED.matcher(l);
            if (m.find()) {
                String p = m.group(1);
                e.addAll(expected(offered == null ? List.of() : offered, List.of(p.substring(p.indexOf(':') + 1).split("/")), ESP));
                continue;
            }
            m = CHILD_RESPONSE.matcher(l);
            if (m.find()) {
                // a child SA's answer (an IKE SA rekey carries no TSi/TSr): without KE, no PFS
                List<String> payloads = List.of(m.group(2).split(" "));
                boolean child = m.group(1).equals("QUICK_MODE") || payloads.contains("TSi");
                if (child && !payloads.contains("KE")) {
                    e.add("NO_PFS/LOW/chosen");
                }
            }
        }
        return e;
    }

    static void check(String capture, int version, String... extraIke) throws Exception {
        Path file = cap(capture);
        String base = capture.substring(0, capture.indexOf('.'));
        Path ilog = cap(base + ".initiator.log");
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--keys", ilog.toString(), file.toString());
        assertThat(r.exit()).isZero();
        List<Line> lines = lines(r.out());
        List<String> ike = new ArrayList<>(ikeExpectedFromTshark(file, version));
        ike.addAll(List.of(extraIke));
        List<String> gotIke = lines.stream().filter(l -> l.child() == null).map(Line::key).toList();
        assertThat(gotIke).as(capture + " IKE SA\n" + r.out()).containsExactlyInAnyOrderElementsOf(ike);
        List<String> child = childExpectedFromLog(cap(base + ".responder.log"));
        List<String> gotChild = lines.stream().filter(l -> l.child() != null).map(Line::key).toList();
        assertThat(gotChild).as(capture + " child SAs\n" + r.out()).containsExactlyInAnyOrderElementsOf(child);
    }

    // ------------------------------------------------------------------ real captures

    @Test
    void ikev2WithTripleDesSha1Modp1024() throws Exception {
        // tshark: IKE_SA_INIT response chooses ENCR_3DES, PRF_HMAC_SHA1, AUTH_HMAC_SHA1_96, group 2 (after an
        // INVALID_KE_PAYLOAD); the charon log: ESP 3DES_CBC/HMAC_SHA1_96 in IKE_AUTH and in the child rekey, whose
        // CREATE_CHILD_SA response has no KE
        check("weak-ikev2-3des.pcapng", 2);
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--keys", cap("weak-ikev2-3des.initiator.log").toString(),
                cap("weak-ikev2-3des.pcapng").toString());
        assertThat(r.out()).contains("security (medium, chosen): WEAK_DH_GROUP — IKE SA Diffie-Hellman group 1024-bit MODP Group")
                .contains("RFC 8247 §2.4").contains("ESP encryption ENCR_3DES").contains("RFC 8221 §5");
        // without keys the child SAs' proposals are ciphertext: only the IKE SA is judged
        AnalyzeCommandTest.Run plain = AnalyzeCommandTest.run("analyze", cap("weak-ikev2-3des.pcapng").toString());
        assertThat(lines(plain.out())).allMatch(l -> l.child() == null).hasSize(4);
    }

    @Test
    void ikev1MainModeWeakSuiteOnlyOfferedAndMd5Esp() throws Exception {
        // tshark: MM1 offers AES-CBC/SHA2-256/group 14 and 3DES-CBC/MD5/group 2, MM2 chooses the first; the
        // charon log: Quick Mode ESP AES_CBC_128/HMAC_MD5_96, QM2 without KE
        check("weak-ikev1-md5.pcapng", 1, "IKEV1/MEDIUM/chosen");
    }

    @Test
    void ikev1AggressiveModePskAndSha1() throws Exception {
        // tshark: exchange type 4 (Aggressive), auth method pre-shared key; AM2 answers (its HASH_R is on the wire)
        List<String[]> am = tsharkFields(cap("ikev1-aggressive-sha1.pcapng"), "isakmp.exchangetype == 4",
                "isakmp.ike.attr.authentication_method");
        assertThat(am.get(0)[0]).isEqualTo("1");
        check("ikev1-aggressive-sha1.pcapng", 1, "IKEV1/MEDIUM/chosen", "AGGRESSIVE_MODE_PSK/HIGH/chosen");
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", cap("ikev1-aggressive-sha1.pcapng").toString());
        assertThat(lines(r.out())).filteredOn(l -> l.code().equals("AGGRESSIVE_MODE_PSK")).singleElement()
                .satisfies(l -> assertThat(l.what()).contains("vpnsleuth psk-crack"));
        check("ikev1-aggressive.pcapng", 1, "IKEV1/MEDIUM/chosen", "AGGRESSIVE_MODE_PSK/HIGH/chosen");
    }

    @Test
    void ikev1MainQuickSha1WithoutPfsAndWithPfs() throws Exception {
        check("ikev1-main-quick.pcap", 1, "IKEV1/MEDIUM/chosen");
        check("ikev1-quick-pfs.pcapng", 1, "IKEV1/MEDIUM/chosen");
    }

    @Test
    void modernCapturesGetNoFinding() throws Exception {
        // AES-GCM/AES-CBC, SHA-2, MODP-2048, ECP-256, PFS on every CREATE_CHILD_SA (tshark and the charon logs)
        for (String c : List.of("ikev2-psk-esp.pcapng", "ikev2-psk-esp-cbc.pcapng", "ikev2-rekey-pfs.pcapng")) {
            check(c, 2);
            AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--keys",
                    cap(c.replace(".pcapng", ".initiator.log")).toString(), cap(c).toString());
            assertThat(r.out()).as(c).doesNotContain("security (");
            AnalyzeCommandTest.Run j = AnalyzeCommandTest.run("analyze", "--format", "json", cap(c).toString());
            assertThat(j.out()).as(c).contains("\"security\":[]").doesNotContain("\"security\":[{");
        }
    }

    @Test
    void refusedWeakOfferIsOneStepLower() throws Exception {
        // fail-ikev2-proposal: the initiator offers aes128-sha1-modp1024, the responder refuses (NO_PROPOSAL_CHOSEN):
        // nothing was chosen, every weak algorithm is only offered
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", cap("fail-ikev2-proposal.pcapng").toString());
        List<String> exp = ikeExpectedFromTshark(cap("fail-ikev2-proposal.pcapng"), 2);
        assertThat(exp).isNotEmpty().allMatch(k -> k.endsWith("/offered"));
        assertThat(lines(r.out()).stream().map(Line::key).toList()).containsExactlyInAnyOrderElementsOf(exp);
    }

    @Test
    void weakPskOnlyWhenItVerifiesTheExchange() {
        // weak-ikev1-md5 was made with the PSK 'cisco123' (captures/README.md): short and common
        String keys = cap("weak-ikev1-md5.initiator.log").toString();
        String file = cap("weak-ikev1-md5.pcapng").toString();
        AnalyzeCommandTest.Run weak = AnalyzeCommandTest.run("analyze", "--keys", keys, "--psk", "cisco123", file);
        assertThat(lines(weak.out())).filteredOn(l -> l.code().equals("PSK_WEAK")).singleElement()
                .satisfies(l -> assertThat(l.sev()).isEqualTo(Sev.MEDIUM));
        AnalyzeCommandTest.Run json = AnalyzeCommandTest.run("analyze", "--format", "json", "--keys", keys, "--psk", "cisco123", file);
        assertThat(json.out()).contains("\"code\":\"PSK_WEAK\"");
        // the key is never printed
        assertThat(weak.out() + weak.err() + json.out() + json.err()).doesNotContain("cisco123");
        // a key that does not verify the exchange says nothing about the peers' key
        AnalyzeCommandTest.Run other = AnalyzeCommandTest.run("analyze", "--keys", keys, "--psk", "password", file);
        assertThat(other.out()).doesNotContain("PSK_WEAK");
        // the documented 29-character test PSK verifies ikev1-main-quick and is neither short nor common
        AnalyzeCommandTest.Run strong = AnalyzeCommandTest.run("analyze", "--keys",
                cap("ikev1-main-quick.initiator.log").toString(), "--psk", "vpnsleuth-test-psk-0123456789",
                cap("ikev1-main-quick.pcap").toString());
        assertThat(strong.out()).contains("both peers use the key from --psk").doesNotContain("PSK_WEAK");
    }

    @Test
    void jsonCarriesEveryField() {
        AnalyzeCommandTest.Run j = AnalyzeCommandTest.run("analyze", "--format", "json", "--keys",
                cap("weak-ikev2-3des.initiator.log").toString(), cap("weak-ikev2-3des.pcapng").toString());
        org.vpnsleuth.oracle.StrictJson.validate(j.out());
        assertThat(j.out()).containsPattern("\"security\":\\[\\{\"code\":\"WEAK_DH_GROUP\",\"severity\":\"MEDIUM\",\"what\":\"[^\"]+\","
                + "\"offeredOrChosen\":\"chosen\",\"status\":\"SHOULD NOT\",\"reference\":\"RFC 8247 §2.4\",\"file\":0,\"frame\":6\\}");
        // the child SA's findings sit in its childSas entry (after its other members, e.g. a Delete object)
        Matcher child = Pattern.compile("\"name\":\"CREATE_CHILD_SA mid 2\".*?\"security\":\\[(.*?)\\],\"flows\"")
                .matcher(j.out());
        assertThat(child.find()).isTrue();
        assertThat(child.group(1)).contains("\"code\":\"NO_PFS\"").contains("\"reference\":\"RFC 7296 §1.3.1\"");
    }

    /**
     * suricata-verify's ikev2-weakdh (an IKEv2 exchange offering/choosing MODP-1024 only), for each copy the shared
     * corpus holds: none today (../shared/corpus has tcpdump's captures only), so no test, rather than one that
     * always skips; the two weak captures made here cover the same rows.
     */
    @org.junit.jupiter.api.TestFactory
    Stream<org.junit.jupiter.api.DynamicTest> suricataWeakDhCorpusCaptures() throws Exception {
        Path corpus = AnalyzeVerdictTest.captures().resolve("../../shared/corpus").normalize();
        List<Path> found = new java.util.ArrayList<>();
        if (Files.isDirectory(corpus)) {
            try (Stream<Path> s = Files.walk(corpus, 6)) {
                s.filter(p -> p.toString().contains("ikev2-weakdh") && p.toString().matches(".*\\.pcap(ng)?$")).forEach(found::add);
            }
        }
        return found.stream().map(f -> org.junit.jupiter.api.DynamicTest.dynamicTest(f.toString(), () -> {
            List<String> exp = ikeExpectedFromTshark(f, 2);
            assertThat(exp).anyMatch(k -> k.startsWith("WEAK_DH_GROUP/"));
            AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", f.toString());
            assertThat(lines(r.out()).stream().filter(l -> l.child() == null).map(Line::key).toList())
                    .containsExactlyInAnyOrderElementsOf(exp);
        }));
    }
}
