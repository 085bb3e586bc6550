package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.AhVerification;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * AH ICVs and Extended Sequence Numbers against an independent implementation: the captures of
 * captures/make-ah-esn-captures.py (scapy's SecurityAssociation), whose expected.tsv says per frame
 * the 64-bit sequence number, whether the ICV is good, and the SHA-256 of what follows the AH
 * header / of the ESP inner packet the generator sent.
 */
class AhEsnTest {
    record Expected(String capture, int frame, String protocol, long spi, long seq64, boolean good, String sha256) {
    }

    /** What one frame showed (layers are reused by the next frame: copied out). */
    record Seen(List<String> notes, Proto proto, long seqLow, Object info, byte[] after) {
    }

    static List<Expected> expected() throws Exception {
        List<Expected> l = new ArrayList<>();
        for (String line : Files.readAllLines(TestCaptures.capturesDir().resolve("ah-esn.expected.tsv"))) {
            String[] f = line.split("\t");
            if (f[0].equals("capture")) {
                continue;
            }
            l.add(new Expected(f[0], Integer.parseInt(f[1]), f[2], Long.parseLong(f[3], 16), Long.parseUnsignedLong(f[4]),
                    f[5].equals("1"), f[6]));
        }
        return l;
    }

    static KeyMaterial keys(boolean esn) throws Exception {
        Path k = TestCaptures.capturesDir().resolve("ah-esn.keys");
        if (!esn) {
            Path t = Files.createTempFile("ah-esn-no-esn", ".keys");
            Files.writeString(t, Files.readString(k).replaceAll("(?m) esn$", ""));
            k = t;
        }
        KeyMaterial m = new KeyMaterial();
        KeyFiles.load(k, m);
        return m;
    }

    /** Every frame of the capture decoded with the keys: its notes, the AH/ESP layer, what follows it. */
    static Map<Integer, Seen> decode(String capture, KeyMaterial k) throws Exception {
        Map<Integer, Seen> out = new TreeMap<>();
        try (CaptureReader r = Captures.open(TestCaptures.capturesDir().resolve(capture).toString())) {
            Decoder d = new Decoder();
            IkeDecryption.install(k, d);
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                Layer l = p.find(Proto.AH) != null ? p.find(Proto.AH) : p.find(Proto.ESP);
                byte[] after = null;
                if (l != null && l.proto == Proto.AH) {
                    after = java.util.Arrays.copyOfRange(l.buf, l.payloadOffset(), l.end);
                } else if (l != null && l.info instanceof org.vpnsleuth.decode.EspDecryptor.Result er) {
                    after = er.inner();
                }
                out.put((int) f.number, new Seen(new ArrayList<>(p.notes()), l == null ? null : l.proto,
                        l == null ? -1 : l.u32(l.proto == Proto.AH ? 8 : 4), l == null ? null : l.info, after));
            }
        }
        return out;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void everyAhIcvVerifiesAndTheCorruptedOnesFail() throws Exception {
        Map<Integer, Seen> seen = decode("ipsec-ah.pcap", keys(true));
        int good = 0;
        int bad = 0;
        for (Expected e : expected()) {
            if (!e.capture().equals("ipsec-ah.pcap")) {
                continue;
            }
            Seen s = seen.get(e.frame());
            String what = "frame " + e.frame() + " " + s.notes();
            assertThat(s.proto()).as(what).isEqualTo(Proto.AH);
            assertThat(s.seqLow()).as(what).isEqualTo(e.seq64() & 0xffffffffL);
            if (e.good()) {
                good++;
                assertThat(s.notes()).as(what).anyMatch(n -> n.startsWith("AH ICV verified with the key from ")
                        && n.contains("ah-esn.keys"));
                assertThat(s.info()).as(what).isInstanceOf(org.vpnsleuth.decode.AhVerifier.Result.class);
                org.vpnsleuth.decode.AhVerifier.Result r = (org.vpnsleuth.decode.AhVerifier.Result) s.info();
                if (r.seqHigh() >= 0) {
                    assertThat((r.seqHigh() << 32) | s.seqLow()).as(what).isEqualTo(e.seq64());
                }
                // the payload after AH goes on through the pipeline and is what the generator sent
                assertThat(sha256(s.after())).as(what).isEqualTo(e.sha256());
            } else {
                bad++;
                assertThat(s.notes()).as(what).anyMatch(n -> n.startsWith(String.format(
                        "ICV check failed for AH SA 0x%08x with the key from ", e.spi())));
            }
        }
        assertThat(good).isEqualTo(16);
        assertThat(bad).isEqualTo(3);
    }

    @Test
    void ahPayloadsAreDecodedInTransportAndTunnelMode() throws Exception {
        Map<Integer, Seen> seen = decode("ipsec-ah.pcap", keys(true));
        // frame 4: tunnel IPv4 (inner ICMP 10.1.0.1 > 10.2.0.1); frame 8: tunnel IPv6; frame 6: transport IPv6 UDP
        try (CaptureReader r = Captures.open(TestCaptures.capturesDir().resolve("ipsec-ah.pcap").toString())) {
            Decoder d = new Decoder();
            IkeDecryption.install(keys(true), d);
            Packet p = new Packet();
            Frame f = new Frame();
            List<String> stacks = new ArrayList<>();
            while (r.next(f)) {
                d.decode(f, p);
                stacks.add(p.stack());
            }
            assertThat(stacks.get(0)).isEqualTo("eth/ipv4/ah/icmp/data");
            assertThat(stacks.get(3)).isEqualTo("eth/ipv4/ah/ipv4/icmp/data");
            assertThat(stacks.get(5)).isEqualTo("eth/ipv6/ah/udp/data");
            assertThat(stacks.get(7)).isEqualTo("eth/ipv6/ah/ipv6/udp/data");
            assertThat(IkeDecryption.summary(d)).endsWith("16 AH packet(s) verified, 3 failed");
        }
        assertThat(seen).hasSize(19);
    }

    @Test
    void esnEspDecryptsAcrossTheWrapToWhatTheGeneratorSent() throws Exception {
        Map<Integer, Seen> seen = decode("ipsec-esp-esn.pcap", keys(true));
        int good = 0;
        for (Expected e : expected()) {
            if (!e.capture().equals("ipsec-esp-esn.pcap")) {
                continue;
            }
            Seen s = seen.get(e.frame());
            String what = "frame " + e.frame() + " " + s.notes();
            if (e.good()) {
                good++;
                assertThat(s.info()).as(what).isInstanceOf(org.vpnsleuth.decode.EspDecryptor.Result.class);
                org.vpnsleuth.decode.EspDecryptor.Result r = (org.vpnsleuth.decode.EspDecryptor.Result) s.info();
                assertThat((r.seqHigh() << 32) | s.seqLow()).as(what).isEqualTo(e.seq64());
                assertThat(sha256(r.inner())).as(what).isEqualTo(e.sha256());
            } else {
                assertThat(s.notes()).as(what).anyMatch(n -> n.startsWith(String.format(
                        "ICV check failed for ESP SA 0x%08x with the key from ", e.spi())) && n.contains("ESN high-order bits 1"));
            }
        }
        assertThat(good).isEqualTo(16);
    }

    @Test
    void withoutTheEsnFlagEsnPacketsFail() throws Exception {
        Map<Integer, Seen> esp = decode("ipsec-esp-esn.pcap", keys(false));
        assertThat(esp.values()).hasSize(18).allMatch(s -> !(s.info() instanceof org.vpnsleuth.decode.EspDecryptor.Result)
                && s.notes().stream().anyMatch(n -> n.startsWith("ICV check failed for ESP SA")));
        Map<Integer, Seen> ah = decode("ipsec-ah.pcap", keys(false));
        for (int frame = 14; frame <= 17; frame++) { // SPI 0xa007, the AH SA with ESN
            assertThat(ah.get(frame).notes()).anyMatch(n -> n.startsWith("ICV check failed for AH SA 0x0000a007"));
        }
        assertThat(ah.get(1).notes()).anyMatch(n -> n.startsWith("AH ICV verified")); // the others are unaffected
    }

    /** tshark 4.0 has no AH ICV check, but its AH header fields must be the ones vpnsleuth shows. */
    @Test
    void ahHeaderFieldsAgreeWithTshark() throws Exception {
        String tshark = DecryptionExportTest.tshark();
        Path cap = TestCaptures.capturesDir().resolve("ipsec-ah.pcap");
        Process pr = new ProcessBuilder(tshark, "-n", "-r", cap.toString(), "-T", "fields", "-e", "ah.spi", "-e", "ah.sequence",
                "-e", "ah.length", "-e", "ah.icv", "-e", "ah.next_header").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> theirs = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        pr.waitFor();
        List<String> ours = new ArrayList<>();
        try (CaptureReader r = Captures.open(cap.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                Layer l = p.find(Proto.AH);
                ours.add(String.format("0x%08x\t%d\t%d\t%s\t%d", l.u32(4), l.u32(8), l.u8(1),
                        HexFormat.of().formatHex(l.buf, l.offset + 12, l.offset + l.headerLength), l.u8(0)));
            }
        }
        assertThat(ours).hasSize(19).isEqualTo(theirs);
    }

    /** Hostile AH headers: a length beyond the packet, a length that does not fit the algorithm. */
    @Test
    void hostileAhLengthsGiveAMessageNotACrash() throws Exception {
        byte[] frame;
        try (CaptureReader r = Captures.open(TestCaptures.capturesDir().resolve("ipsec-ah.pcap").toString())) {
            Frame f = new Frame();
            r.next(f);
            frame = java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
        }
        int ip = 14;
        int ah = ip + ((frame[ip] & 0x0f) * 4);
        AhVerification v = org.vpnsleuth.keys.IpsecKeys.ah(keys(true));
        assertThat(v.verify(frame, ip, ah, frame.length, false).verified()).isTrue();

        byte[] longer = frame.clone();
        longer[ah + 1] = (byte) 200;
        org.vpnsleuth.decode.AhVerifier.Result r = org.vpnsleuth.keys.IpsecKeys.ah(keys(true)).verify(longer, ip, ah, longer.length, false);
        assertThat(r.problem()).contains("AH SA 0x0000a001").contains("claims 808 bytes");

        byte[] wrong = frame.clone();
        wrong[ah + 1] = 5; // 28 bytes: HMAC-SHA1-96 needs 24 over IPv4
        r = org.vpnsleuth.keys.IpsecKeys.ah(keys(true)).verify(wrong, ip, ah, wrong.length, false);
        assertThat(r.problem()).startsWith("ICV check failed for AH SA 0x0000a001")
                .contains("the AH header is 28 bytes; HMAC-SHA1-96 needs 12 + 12 ICV bytes = 24 over IPv4");

        byte[] badOption = frame.clone();
        badOption[ip + 21] = 40; // the Router Alert option claims 40 bytes
        r = org.vpnsleuth.keys.IpsecKeys.ah(keys(true)).verify(badOption, ip, ah, badOption.length, false);
        assertThat(r.problem()).contains("not checked").contains("impossible length");

        // and through the decoder, cut anywhere: never an exception, never a decoder error
        for (int cut = ip; cut <= frame.length; cut++) {
            for (byte[] b : new byte[][] {longer, wrong, badOption, frame}) {
                Frame f = new Frame();
                f.data = java.util.Arrays.copyOf(b, cut);
                f.capturedLength = cut;
                f.originalLength = cut;
                f.linkType = 1;
                Decoder d = new Decoder();
                IkeDecryption.install(keys(true), d);
                Packet p = new Packet();
                d.decode(f, p);
                for (int i = 0; i < p.count(); i++) {
                    String m = p.layer(i).malformed;
                    assertThat(m == null || !m.startsWith("decoder error")).as(m).isTrue();
                }
            }
        }
    }

    /**
     * A strongSwan log's AH child SA: the proposal says AH and EXT_SEQ, the integrity keys are the
     * only keys. (No daemon here runs AH: the log lines are written in charon's level-4 form with
     * the key of SPI 0xa007.)
     */
    @Test
    void ahChildSaOfAStrongSwanLog() throws Exception {
        String key = "a2fd97ea7d72ece99cb63d4b02bb95dd50b1be241b8f414914d362387e5dad96";
        StringBuilder log = new StringBuilder();
        String p = "2026-11-25 10:42:01 09[CFG] <vpn|1> ";
        log.append(p).append("selected proposal: AH:HMAC_SHA2_256_128/EXT_SEQ\n");
        log.append(p.replace("CFG", "CHD")).append("integrity initiator key => 32 bytes @ 0x7fdd98002920\n");
        for (int row = 0; row < 2; row++) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                hex.append(key.substring(2 * (16 * row + i), 2 * (16 * row + i) + 2).toUpperCase()).append(' ');
            }
            log.append(p.replace("CFG", "CHD")).append(String.format("  %2d: ", 16 * row)).append(hex).append(" ................\n");
        }
        log.append(p.replace("CFG", "IKE")).append("CHILD_SA net{1} established with SPIs 0000a0ff_i 0000a007_o and TS"
                + " 192.0.2.1/32 === 192.0.2.2/32\n");
        Path t = Files.createTempFile("ah-charon", ".log");
        Files.writeString(t, log.toString());
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(t, k)).isEqualTo(KeyFiles.Kind.STRONGSWAN_LOG);
        Map<Integer, Seen> seen = decode("ipsec-ah.pcap", k);
        for (int frame = 14; frame <= 16; frame++) {
            assertThat(seen.get(frame).notes()).anyMatch(n -> n.startsWith("AH ICV verified with the key from " + t + " <vpn|1>"));
        }
        assertThat(seen.get(17).notes()).anyMatch(n -> n.startsWith("ICV check failed for AH SA 0x0000a007"));
        assertThat(seen.get(1).notes()).noneMatch(n -> n.contains("AH"));
    }

    @Test
    void keyLinesAreCheckedAndNeverEchoTheKey() throws Exception {
        Path t = Files.createTempFile("ah", ".keys");
        String secret = "00112233445566778899aabbccddeeff00112233";
        String[][] bad = {
            {"ah 0000a001 auth=hmac-sha9:" + secret, ":1: field 3: expected auth=ALG:HEX with ALG an integrity algorithm vpnsleuth knows"},
            {"ah 0000a001 dst=192.0.2.2", ":1: ah line without auth=ALG:HEX"},
            {"ah xyz auth=hmac-sha1-96:" + secret, ":1: field 2 is not an SPI"},
            {"ah 0 auth=hmac-sha1-96:" + secret, ":1: SPI 0 is reserved"},
            {"ah 0000a001 auth=hmac-sha1-96:" + secret + " colour=red", ":1: field 4: expected dst=, auth= or esn"},
            {"ah 0000a001 auth=hmac-sha1-96", ":1: auth=hmac-sha1-96 without :HEX"},
            {"ah 0000a001 auth=hmac-sha1-96:abc", ":1: a value is not an even number of hex digits"},
            {"ah 0000a001 auth=none:" + secret, ":1: field 3: expected auth=ALG:HEX with ALG an integrity algorithm vpnsleuth knows"},
            {"esp 0000b001 enc=aes-cbc-128:" + secret.substring(0, 32) + " esnx", ":1: field 4 is not NAME=VALUE"},
        };
        for (String[] c : bad) {
            Files.writeString(t, c[0] + "\n", StandardCharsets.UTF_8);
            assertThatThrownBy(() -> KeyFiles.load(t, new KeyMaterial())).isInstanceOf(KeyFiles.KeyFileException.class)
                    .hasMessageStartingWith(t + c[1]).hasMessageNotContaining(secret).hasMessageNotContaining(secret.substring(0, 32));
        }
        Files.writeString(t, "ah 0xa001 dst=192.0.2.2 auth=hmac-sha2-256-128:" + secret + secret.substring(0, 24) + " esn\n");
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(t, k);
        assertThat(k.ah).singleElement().satisfies(a -> {
            assertThat(a.spi()).isEqualTo(0xa001);
            assertThat(a.esn()).isTrue();
            assertThat(a.integ()).isEqualTo(12);
            assertThat(a.toString()).doesNotContain(secret);
        });
    }
}
