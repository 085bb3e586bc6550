package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.overhead.Esp;
import org.vpnsleuth.overhead.Measured;
import org.vpnsleuth.overhead.Measurements;
import org.vpnsleuth.pipeline.Analysis;

/**
 * ESP that is not decrypted, with its transforms from the decrypted IKE exchange that negotiated
 * them (ike/IkeDecryption.negotiated): captures/ikev2-rekey-pfs.pcapng with only the PSK and the
 * IKE SAs' DH secrets (no dh-child lines: the PFS children's keys cannot be derived), and
 * captures/ikev1-quick-pfs.pcapng likewise; the overhead range equals the RFC 4303 range worked
 * out by hand below, and every ESP packet's length (tshark's ip.len) fits the transforms.
 */
class OverheadNegotiatedTest {
    /** IPv4 20 + UDP 8 (NAT-T: the scenarios' port 4500) before the ESP header. */
    static final int BEFORE = 20 + 8;

    /**
     * The hand RFC 4303 table per transform: ESP header 8, IV, alignment of (payload + pad + 2), ICV;
     * min overhead = BEFORE + 8 + IV + 2 + ICV (no padding), max = that + alignment − 1.
     * AES-GCM-16 (RFC 4106): IV 8, 4-byte alignment, ICV 16. AES-CBC (RFC 3602) + HMAC-SHA2-256-128
     * (RFC 4868): IV 16, 16-byte blocks, ICV 16.
     */
    record Hand(String transforms, int iv, int align, int icv) {
        int min() {
            return BEFORE + 8 + iv + 2 + icv;
        }

        int max() {
            return min() + align - 1;
        }

        /** The outer IPv4 length fits: what follows header and IV, less the ICV, is whole blocks. */
        boolean fits(int outer) {
            int enc = outer - BEFORE - 8 - iv - icv;
            return enc >= 2 && enc % align == 0;
        }
    }

    static final Hand GCM16 = new Hand("aes-gcm-16-128", 8, 4, 16);     // 62–65
    static final Hand CBC256 = new Hand("aes-cbc-256,sha256", 16, 16, 16); // 70–85

    /** ikev2-rekey-pfs's child SAs by SPI (captures/README.md): net2 AES-GCM-16-128, the net rekeys AES-CBC-256/SHA-256. */
    static final Map<Long, Hand> V2_PFS_CHILDREN = Map.of(
            0x0fadb730L, GCM16, 0x97345af2L, GCM16,     // net2, CREATE_CHILD_SA MID 2
            0x935229b6L, CBC256, 0x57b78b75L, CBC256,   // net rekey, MID 3
            0x6630d4acL, CBC256, 0x5ed30a30L, CBC256);  // net rekey, MID 0 of the new IKE SA
    /** ikev1-quick-pfs's Quick Modes: ESP AES-CBC-256/HMAC-SHA2-256-128 with PFS. */
    static final Map<Long, Hand> V1_PFS_CHILDREN = Map.of(
            0x97781332L, CBC256, 0x099df627L, CBC256, 0x21775a93L, CBC256, 0x1a5a1319L, CBC256);

    static Esp esp(String transforms) {
        String[] p = transforms.split(",");
        return Esp.of(p[0], p.length > 1 ? p[1] : null);
    }

    /** The scenario's PSK and its IKE SAs' DH secrets only (the dh-child lines left out). */
    static KeyMaterial withoutChildSecrets(String scenario, Path tmp) throws Exception {
        Path cap = TestCaptures.capturesDir().resolve(scenario + ".pcapng");
        StringBuilder sb = new StringBuilder();
        for (String l : DecryptionTest.keysFileFromLog(scenario, cap).split("\n")) {
            if (!l.startsWith("dh-child ")) {
                sb.append(l).append('\n');
            }
        }
        Path kf = tmp.resolve(scenario + ".keys");
        Files.writeString(kf, sb.toString());
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(kf, k);
        assertThat(k.childDhSecrets).isEmpty();
        return k;
    }

    void negotiated(String scenario, Map<Long, Hand> children, Path tmp, String exchange) throws Exception {
        negotiated(scenario, children, withoutChildSecrets(scenario, tmp), exchange);
    }

    void negotiated(String scenario, Map<Long, Hand> children, KeyMaterial keys, String exchange) throws Exception {
        Path cap = TestCaptures.capturesDir().resolve(scenario + ".pcapng");
        Analysis a = OverheadMeasuredTest.analyse(cap, keys);
        // tshark's ESP lengths per SPI
        Map<Long, List<Integer>> lengths = new java.util.TreeMap<>();
        for (String l : OverheadMeasuredTest.tshark(cap, "esp", "esp.spi", "ip.len")) {
            String[] c = l.split("\t");
            lengths.computeIfAbsent(Long.decode(c[0]), x -> new ArrayList<>()).add(Integer.parseInt(c[1].split(",")[0]));
        }
        assertThat(lengths.keySet()).containsAll(children.keySet());
        for (Map.Entry<Long, Hand> e : children.entrySet()) {
            Measured m = a.overhead.stream().filter(x -> x.sizes.kind.equals("ESP") && x.sizes.id == e.getKey())
                    .findFirst().orElseThrow(() -> new AssertionError("no ESP " + Long.toHexString(e.getKey())));
            Hand h = e.getValue();
            String spi = String.format("%08x", e.getKey());
            assertThat(m.exact).as(spi + ": not decrypted (PFS, no DH secret)").isFalse();
            assertThat(m.sizes.innerVisible).isZero();
            assertThat(m.esp).as(spi).isNotNull();
            assertThat(m.esp).isEqualTo(esp(h.transforms()));
            assertThat(m.espAssumed).isFalse();
            assertThat(m.espSource).as(spi).startsWith("negotiated in " + exchange);
            assertThat(m.overheadMin).as(spi + " min").isEqualTo(h.min());
            assertThat(m.overheadMax).as(spi + " max").isEqualTo(h.max());
            assertThat(m.modelMin).isEqualTo(h.min());
            assertThat(m.modelMax).isEqualTo(h.max());
            assertThat(m.notes).contains("overhead from the negotiated transforms: " + h.min() + "–" + h.max()
                    + " (padding not visible)");
            List<Integer> seen = lengths.get(e.getKey());
            assertThat(m.sizes.packets).isEqualTo(seen.size());
            for (int len : seen) {
                assertThat(h.fits(len)).as(spi + ": outer " + len + " fits " + h.transforms()).isTrue();
                // the inner packet it can carry: outer − the range, at least one of them a whole packet
                assertThat(len - h.max()).isLessThanOrEqualTo(len - h.min());
            }
            assertThat(m.sizes.largest).isEqualTo(seen.stream().mapToInt(Integer::intValue).max().orElseThrow());
        }
    }

    @Test
    void ikev2PfsChildrenFromCreateChildSa(@TempDir Path tmp) throws Exception {
        negotiated("ikev2-rekey-pfs", V2_PFS_CHILDREN, tmp, "CREATE_CHILD_SA");
        // the IKE_AUTH child has no PFS: decrypted, exact
        Analysis a = OverheadMeasuredTest.analyse(TestCaptures.capturesDir().resolve("ikev2-rekey-pfs.pcapng"),
                withoutChildSecrets("ikev2-rekey-pfs", tmp));
        for (long spi : List.of(0x498aaf66L, 0x3454aab5L)) {
            Measured m = a.overhead.stream().filter(x -> x.sizes.id == spi).findFirst().orElseThrow();
            assertThat(m.exact).isTrue();
            assertThat(m.espSource).startsWith("decrypted with keys from");
        }
    }

    @Test
    void ikev1PfsQuickModesFromQm2(@TempDir Path tmp) throws Exception {
        negotiated("ikev1-quick-pfs", V1_PFS_CHILDREN, tmp, "Quick Mode");
    }

    /**
     * Keys for IKE only: Wireshark's ikev2_decryption_table has SK_e/SK_a but no SK_d, so no child
     * key can be derived; the IKE_AUTH child's transforms still come from the decrypted exchange.
     */
    @Test
    void ikeKeysWithoutSkDGiveTheIkeAuthTransforms(@TempDir Path tmp) throws Exception {
        String scenario = "ikev2-esp-sizes-cbc";
        String log = TestCaptures.capturesDir().resolve(scenario + ".initiator.log").toString();
        OverheadMeasuredTest.run("keys", "export", "--wireshark=" + tmp, "--keys", log,
                TestCaptures.capturesDir().resolve(scenario + ".pcapng").toString());
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(tmp.resolve("ikev2_decryption_table"), k);
        assertThat(k.ikev2).hasSize(1);
        assertThat(k.ikev2.get(0).skD()).isNull();
        assertThat(k.esp).isEmpty();
        negotiated(scenario, Map.of(0x6f494b18L, CBC256, 0x211d2dd6L, CBC256), k, "IKE_AUTH");
    }

    @Test
    void withoutIkeKeysTheAssumedTransformsAreSaidSo() throws Exception {
        Path cap = TestCaptures.capturesDir().resolve("ikev2-rekey-pfs.pcapng");
        Esp assumed = esp("aes-gcm-16-128");
        Analysis a = OverheadMeasuredTest.analyse(cap, null, new Measurements.Options(-1, assumed));
        for (Measured m : a.overhead) {
            assertThat(m.espAssumed).isTrue();
            assertThat(m.esp).isEqualTo(assumed);
            assertThat(m.espSource).startsWith("assumed (--esp aes-gcm-16-128)");
            assertThat(m.overheadMin).isEqualTo(GCM16.min());
            assertThat(m.overheadMax).isEqualTo(GCM16.max());
            assertThat(m.notes).anyMatch(n -> n.startsWith("assumption: ESP transforms"));
        }
        // the transforms the capture shows are never replaced by the assumption
        Path tmp = Files.createTempDirectory("vpnsleuth-neg");
        try {
            Analysis b = OverheadMeasuredTest.analyse(cap, withoutChildSecrets("ikev2-rekey-pfs", tmp),
                    new Measurements.Options(-1, esp("null,sha1")));
            assertThat(b.overhead).allMatch(m -> !m.espAssumed);
        } finally {
            Files.walk(tmp).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        // the command line
        String text = OverheadMeasuredTest.run("overhead", "--esp", "aes-cbc-256,sha256", cap.toString());
        assertThat(text).contains("assumed (--esp aes-cbc-256,").contains("note: assumption: ESP transforms");
        String json = OverheadMeasuredTest.run("overhead", "--format", "json", "--esp", "aes-gcm-16-128", cap.toString());
        assertThat(StrictJson.validate(json)).isEqualTo('{');
        assertThat(json).contains("\"assumed\":true");
    }
}
