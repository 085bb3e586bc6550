package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;

/**
 * Windows-style L2TP/IPsec: the real xl2tpd capture l2tp-cdn.pcapng wrapped by scapy in
 * transport-mode ESP (captures/make-l2tp-ipsec-captures.py), raw (AES-CBC-256 + HMAC-SHA1-96) and
 * UDP-encapsulated (AES-GCM-16). Decrypted with the generator's keys, every ESP packet opens to
 * exactly the UDP datagram scapy wrapped (SHA-256 in l2tp-ipsec.expected.tsv), and the L2TP
 * analysis of the decrypted traffic is that of the cleartext capture (its rows in
 * expected-l2tp-verdicts.tsv, from the daemons' logs and tshark): the inner L2TP goes through the
 * same trackers and rules.
 */
class L2tpOverIpsecTest {
    static final List<String> CAPTURES = List.of("l2tp-ipsec-transport.pcap", "l2tp-ipsec-natt.pcap");

    private static KeyMaterial keys() throws Exception {
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(L2tpVerdictTest.captures().resolve("l2tp-ipsec.keys"), k);
        return k;
    }

    @TestFactory
    Stream<DynamicTest> decryptedL2tpGetsTheCleartextVerdicts() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : CAPTURES) {
            for (L2tpVerdictTest.Row r : L2tpVerdictTest.rows()) {
                if (!r.file().equals("l2tp-cdn.pcapng")) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(c + " " + r.kind(), () -> {
                    KeyMaterial k = keys();
                    List<String> names = new ArrayList<>();
                    List<String> errors = new ArrayList<>();
                    List<CaptureReader> readers = Analysis.open(List.of(L2tpVerdictTest.captures().resolve(c).toString()), names,
                            errors);
                    assertThat(errors).isEmpty();
                    Analysis a;
                    try {
                        a = Analysis.run(names, readers, List.of(), d -> IkeDecryption.install(k, d));
                    } finally {
                        Analysis.close(readers);
                    }
                    L2tpVerdictTest.check(r, a, c);
                }));
            }
            tests.add(DynamicTest.dynamicTest(c + " without keys: ESP only", () -> {
                Analysis a = L2tpVerdictTest.analyze(L2tpVerdictTest.captures().resolve(c));
                assertThat(a.l2tp).isEmpty();
                assertThat(a.unlinkedFlows).hasSize(2);
            }));
        }
        tests.add(DynamicTest.dynamicTest("every ESP packet opens to the datagram scapy wrapped", this::datagrams));
        return tests.stream();
    }

    void datagrams() throws Exception {
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(L2tpVerdictTest.captures().resolve("l2tp-ipsec.expected.tsv"), StandardCharsets.UTF_8)) {
            if (!line.startsWith("#")) {
                String[] f = line.split("\t");
                expected.add(f[0] + " " + f[1] + " " + f[2] + " " + f[4]);
            }
        }
        assertThat(expected).hasSize(34);
        List<String> mine = new ArrayList<>();
        for (String c : CAPTURES) {
            Path file = L2tpVerdictTest.captures().resolve(c);
            try (CaptureReader r = org.vpnsleuth.capture.Captures.open(file.toString())) {
                Decoder d = new Decoder();
                IkeDecryption.install(keys(), d);
                Packet p = new Packet();
                Frame f = new Frame();
                while (r.next(f)) {
                    d.decode(f, p);
                    for (int i = 0; i < p.count(); i++) {
                        Layer esp = p.layer(i);
                        if (esp.proto != Proto.ESP || !(esp.info instanceof org.vpnsleuth.decode.EspDecryptor.Result)) {
                            continue;
                        }
                        Layer udp = p.layer(i + 1);
                        assertThat(udp.proto).as(c + " frame " + f.number + ": transport-mode payload").isEqualTo(Proto.UDP);
                        // the whole datagram: the UDP header and everything after it in the decrypted inner packet
                        byte[] datagram = java.util.Arrays.copyOfRange(udp.buf, udp.offset,
                                ((org.vpnsleuth.decode.EspDecryptor.Result) esp.info).inner().length);
                        mine.add(c + " " + f.number + " " + String.format("%08x", esp.u32(0)) + " "
                                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(datagram)));
                    }
                }
            }
        }
        assertThat(mine).containsExactlyElementsOf(expected);
    }
}
