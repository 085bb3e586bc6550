package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.overhead.Measured;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.track.EncapSizes;
import org.vpnsleuth.track.FrameAt;
import org.vpnsleuth.track.SizeTracker;

/**
 * The measured overhead of GRE, IP-in-IP, L2TPv2 data and PPTP enhanced GRE on the synthetic
 * captures/tunnel-sizes.pcap (captures/make-tunnel-sizes-captures.py): per instance equal to the
 * header sizes of the RFCs worked out by hand below, and every frame's outer length equal to
 * tshark's ip.len.
 */
class OverheadTunnelsTest {
    static final int IPV4 = 20;
    static final int UDP = 8;
    /** RFC 2784 §2.1: flags/version 2 + protocol type 2; §2.5 checksum 2 + reserved1 2; RFC 2890 §2.1/§2.2 key 4, sequence 4. */
    static final int GRE = 4;
    static final int GRE_CSUM = 4;
    static final int GRE_KEY = 4;
    static final int GRE_SEQ = 4;
    /** RFC 2661 §3.1: flags/version 2, tunnel ID 2, session ID 2; length 2 with L; Ns 2 + Nr 2 with S. */
    static final int L2TP = 6;
    static final int L2TP_LENGTH = 2;
    static final int L2TP_SEQ = 4;
    /** RFC 1661 §2 (HDLC-like framing, RFC 1662 §3.1): address 1 + control 1 (gone with ACFC, RFC 1661 §6.6), protocol 2. */
    static final int PPP = 4;
    static final int PPP_ACFC = 2;
    /** RFC 2637 §4.1: flags/version 2, protocol 2, payload length 2, call ID 2, sequence 4 (S), acknowledgment 4 (A). */
    static final int PPTP = 8;
    static final int PPTP_SEQ = 4;
    static final int PPTP_ACK = 4;

    /** Instance (EncapSizes.name() and the outer source) → the hand overhead, the model stack, the frames. */
    record Expected(String name, String src, int overhead, String stack, long firstFrame) {
    }

    static final List<Expected> EXPECTED = List.of(
            new Expected("GRE", "198.51.100.1", IPV4 + GRE, "ipv4/gre/ipv4", 1),                                  // 24
            new Expected("GRE key 0x00000064", "198.51.100.2", IPV4 + GRE + GRE_KEY, "ipv4/gre:key/ipv4", 5),       // 28
            new Expected("GRE key 0x000000c8", "198.51.100.3", IPV4 + GRE + GRE_KEY + GRE_SEQ, "ipv4/gre:key,seq/ipv4", 9), // 32
            new Expected("GRE key 0x0000012c", "198.51.100.4", IPV4 + GRE + GRE_CSUM + GRE_KEY + GRE_SEQ,
                    "ipv4/gre:csum,key,seq/ipv4", 13),                                                             // 36
            new Expected("GRE", "198.51.100.5", IPV4 + GRE + GRE_CSUM, "ipv4/gre:csum/ipv4", 17),                 // 28
            new Expected("IP-in-IP", "198.51.100.6", IPV4, "ipv4/ipv4", 21),                                      // 20 (RFC 2003 §3.1)
            new Expected("L2TP tunnel 7 session 1", "198.51.100.7", IPV4 + UDP + L2TP + PPP, "ipv4/udp/l2tp/ppp/ipv4", 25), // 38
            new Expected("L2TP tunnel 7 session 2", "198.51.100.7", IPV4 + UDP + L2TP + L2TP_LENGTH + PPP,
                    "ipv4/udp/l2tp:length/ppp/ipv4", 29),                                                          // 40
            new Expected("L2TP tunnel 7 session 3", "198.51.100.7", IPV4 + UDP + L2TP + PPP_ACFC,
                    "ipv4/udp/l2tp/ppp:acfc/ipv4", 33),                                                            // 36
            new Expected("L2TP tunnel 7 session 4", "198.51.100.7", IPV4 + UDP + L2TP + L2TP_LENGTH + L2TP_SEQ + PPP_ACFC,
                    "ipv4/udp/l2tp:length,seq/ppp:acfc/ipv4", 37),                                                 // 42
            new Expected("PPTP call 1", "198.51.100.8", IPV4 + PPTP + PPTP_SEQ + PPTP_ACK + PPP, "ipv4/pptp:seq,ack/ppp/ipv4", 41), // 40
            new Expected("PPTP call 2", "198.51.100.8", IPV4 + PPTP + PPTP_SEQ + PPP_ACFC, "ipv4/pptp:seq/ppp:acfc/ipv4", 45)); // 34

    /** The inner IPv4 packets each instance carries (ICMP echo requests, the generator's DATA + 28). */
    static final List<Integer> INNER = List.of(64, 100, 1000, 1400);

    static Path capture() {
        return TestCaptures.capturesDir().resolve("tunnel-sizes.pcap");
    }

    /** Frame → {outer length, overhead} as the tracker sees each frame alone. */
    static Map<Long, int[]> perFrame() throws Exception {
        Map<Long, int[]> out = new TreeMap<>();
        try (CaptureReader r = Captures.open(capture().toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                SizeTracker t = new SizeTracker();
                FrameAt at = new FrameAt();
                at.set(0, f.number, f.timestampNanos);
                t.add(p, at);
                assertThat(t.instances()).as("frame %d", f.number).hasSize(1);
                EncapSizes s = t.instances().iterator().next();
                assertThat(s.innerVisible).isEqualTo(1);
                out.put(f.number, new int[] {s.largest, s.overheadMin});
            }
        }
        return out;
    }

    @Test
    void overheadIsTheHeaderSizes() throws Exception {
        Analysis a = OverheadMeasuredTest.analyse(capture(), null);
        assertThat(a.overhead).hasSize(EXPECTED.size());
        Map<Long, int[]> frames = perFrame();
        assertThat(frames).hasSize(EXPECTED.size() * INNER.size());
        for (Expected e : EXPECTED) {
            Measured m = a.overhead.stream().filter(x -> x.sizes.name().equals(e.name()) && x.sizes.src.equals(e.src()))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + e.name() + " from " + e.src()));
            assertThat(m.exact).as(e.name()).isTrue();
            assertThat(m.sizes.packets).isEqualTo(INNER.size());
            assertThat(m.sizes.innerVisible).isEqualTo(INNER.size());
            assertThat(m.overheadMin).as(e.name() + " overhead").isEqualTo(e.overhead());
            assertThat(m.overheadMax).as(e.name() + " overhead").isEqualTo(e.overhead());
            assertThat(m.sizes.stack).as(e.name()).isEqualTo(e.stack());
            // the model for the same stack gives the same number (no second formula: overhead/Stack)
            assertThat(m.modelMin).as(e.name() + " model").isEqualTo(e.overhead());
            assertThat(m.modelMax).isEqualTo(e.overhead());
            assertThat(m.sizes.largest).isEqualTo(1400 + e.overhead());
            assertThat(m.sizes.smallest).isEqualTo(64 + e.overhead());
            assertThat(m.sizes.innerLargest).isEqualTo(1400);
            assertThat(m.ipMtu).as(e.name() + " ip mtu").isEqualTo(1500 - e.overhead());
            assertThat(m.mssIpv4).isEqualTo(1500 - e.overhead() - 40);
            assertThat(m.sizes.dfSet).isEqualTo(INNER.size());
            assertThat(m.warnings).isEmpty();
            for (int i = 0; i < INNER.size(); i++) {
                int[] v = frames.get(e.firstFrame() + i);
                assertThat(v[0]).as("frame %d outer", e.firstFrame() + i).isEqualTo(INNER.get(i) + e.overhead());
                assertThat(v[1]).as("frame %d overhead", e.firstFrame() + i).isEqualTo(e.overhead());
            }
        }
    }

    @Test
    void outerLengthsAreTsharksIpLen() throws Exception {
        Map<Long, int[]> frames = perFrame();
        Map<Long, int[]> ts = new TreeMap<>();
        for (String l : OverheadMeasuredTest.tshark(capture(), "ip", "frame.number", "ip.len")) {
            String[] c = l.split("\t");
            String[] lens = c[1].split(",");
            ts.put(Long.parseLong(c[0]), new int[] {Integer.parseInt(lens[0]), Integer.parseInt(lens[lens.length - 1])});
        }
        assertThat(ts.keySet()).containsExactlyElementsOf(frames.keySet());
        frames.forEach((f, v) -> {
            assertThat(v[0]).as("frame %d: outer ip.len", f).isEqualTo(ts.get(f)[0]);
            // and the overhead: tshark's outer minus its inner ip.len
            assertThat(v[1]).as("frame %d: overhead", f).isEqualTo(ts.get(f)[0] - ts.get(f)[1]);
        });
    }
}
