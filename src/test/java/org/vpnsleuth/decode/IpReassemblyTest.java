package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.decode.FrameBuilder.cat;
import static org.vpnsleuth.decode.FrameBuilder.udp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;

/** IPv4 and IPv6 fragment reassembly through the decoder, and its limits. */
class IpReassemblyTest {

    // ---------------------------------------------------------------- builders

    private static byte[] bytes(int n, int seed) {
        return FrameBuilder.pattern(n, seed, 13);
    }

    private static final byte[] A = {(byte) 192, 0, 2, 1};
    private static final byte[] B = {(byte) 198, 51, 100, 7};

    /** An IKEv2 message of {@code len} bytes (28-byte header, then opaque payload bytes). */
    private static byte[] ike(int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putLong(0x1122334455667788L).putLong(0).put((byte) 33).put((byte) 0x20).put((byte) 34).put((byte) 0x08)
                .putInt(0).putInt(len).put(bytes(len - 28, 5));
        return b.array();
    }

    /** One IPv4 fragment of {@code datagram} (the IP payload): bytes [from, to), offset from/8. */
    private static byte[] frag4(int id, byte[] datagram, int from, int to, boolean more) {
        return frag4(id, 17, Arrays.copyOfRange(datagram, from, to), from, more);
    }

    private static byte[] frag4(int id, int proto, byte[] piece, int offset, boolean more) {
        ByteBuffer b = ByteBuffer.allocate(20 + piece.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + piece.length)).putShort((short) id)
                .putShort((short) ((more ? 0x2000 : 0) | (offset / 8))).put((byte) 64).put((byte) proto)
                .putShort((short) 0).put(A).put(B).put(piece);
        return b.array();
    }

    private static final byte[] A6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final byte[] B6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

    /** IPv6 with a fragment header (next header {@code nh}) carrying {@code piece} at {@code offset}. */
    private static byte[] frag6(long id, int nh, byte[] piece, int offset, boolean more) {
        ByteBuffer b = ByteBuffer.allocate(48 + piece.length);
        b.putInt(0x60000000).putShort((short) (8 + piece.length)).put((byte) 44).put((byte) 64).put(A6).put(B6);
        b.put((byte) nh).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt((int) id).put(piece);
        return b.array();
    }

    private static final class Run {
        final Decoder decoder;
        final List<String> stacks = new ArrayList<>();
        final List<List<String>> notes = new ArrayList<>();
        final List<Packet> last = new ArrayList<>();
        long number;

        Run(Decoder d) {
            decoder = d;
        }

        Run() {
            this(new Decoder());
        }

        /** Decodes a raw-IPv4/IPv6 frame (link type 101); returns the packet (valid until the next call). */
        Packet feed(byte[] data, long nanos) {
            return feed(data, data.length, nanos);
        }

        Packet feed(byte[] data, int originalLength, long nanos) {
            Frame f = new Frame();
            f.data = data;
            f.capturedLength = data.length;
            f.originalLength = originalLength;
            f.linkType = 101;
            f.number = ++number;
            f.timestampNanos = nanos;
            f.source = "t";
            Packet p = new Packet();
            decoder.decode(f, p);
            stacks.add(p.stack());
            notes.add(new ArrayList<>(p.notes()));
            last.add(p);
            return p;
        }

        Packet feed(byte[] data) {
            return feed(data, number * 1_000_000L);
        }
    }

    private static byte[] reassembledBytes(Packet p, Proto from) {
        Layer l = p.find(from);
        return Arrays.copyOfRange(l.buf, l.offset, l.offset + l.headerLength + l.capturedPayloadLength());
    }

    // ================================================================= IPv4

    private static final byte[] DGRAM = udp(500, 500, ike(300)); // 308 bytes of IP payload

    @Test
    void inOrderIkeDatagramIsDecodedInTheLastFragment() {
        Run r = new Run();
        Packet p1 = r.feed(frag4(7, DGRAM, 0, 128, true));
        assertThat(p1.stack()).isEqualTo("ipv4/data");
        assertThat(FrameBuilder.strictSummary(p1.layer(0))).contains("frag id=7 off=0 MF");
        r.feed(frag4(7, DGRAM, 128, 256, true));
        Packet p3 = r.feed(frag4(7, DGRAM, 256, DGRAM.length, false));
        assertThat(r.stacks).containsExactly("ipv4/data", "ipv4/data", "ipv4/udp/isakmp");
        assertThat(p3.notes()).hasSize(1);
        assertThat(p3.notes().get(0)).contains("308 bytes").contains("3 fragments").contains("frames 1,2,3");
        Layer ike = p3.find(Proto.IKE);
        assertThat(ike.headerLength + ike.payloadLength).isEqualTo(300);
        assertThat(ike.malformed).isNull();
        assertThat(reassembledBytes(p3, Proto.UDP)).isEqualTo(DGRAM);
        assertThat(p3.layer(0).info).isInstanceOf(IpReassembly.Datagram.class);
        assertThat(r.decoder.reassembly.pendingCount()).isZero();
        assertThat(r.decoder.reassembly.bufferedBytes()).isZero();
        assertThat(r.decoder.reassembly.completedCount()).isEqualTo(1);
        r.decoder.reassembly.finish();
        assertThat(r.decoder.reassembly.incomplete()).isEmpty();
    }

    @Test
    void reverseOrder() {
        Run r = new Run();
        r.feed(frag4(9, DGRAM, 256, DGRAM.length, false));
        r.feed(frag4(9, DGRAM, 128, 256, true));
        Packet p = r.feed(frag4(9, DGRAM, 0, 128, true));
        assertThat(r.stacks).containsExactly("ipv4/data", "ipv4/data", "ipv4/udp/isakmp");
        assertThat(p.notes().get(0)).contains("frames 1,2,3");
        assertThat(reassembledBytes(p, Proto.UDP)).isEqualTo(DGRAM);
    }

    @Test
    void duplicatesAreHarmless() {
        Run r = new Run();
        r.feed(frag4(3, DGRAM, 0, 128, true));
        r.feed(frag4(3, DGRAM, 0, 128, true));
        r.feed(frag4(3, DGRAM, 128, 256, true));
        Packet p = r.feed(frag4(3, DGRAM, 256, DGRAM.length, false));
        assertThat(p.stack()).isEqualTo("ipv4/udp/isakmp");
        assertThat(p.notes().get(0)).contains("frames 1,2,3,4").doesNotContain("overlap");
        assertThat(reassembledBytes(p, Proto.UDP)).isEqualTo(DGRAM);
        // a duplicate after completion starts a new datagram that never completes
        r.feed(frag4(3, DGRAM, 0, 128, true));
        r.decoder.reassembly.finish();
        assertThat(r.decoder.reassembly.incomplete()).hasSize(1);
        assertThat(r.decoder.reassembly.incomplete().get(0).frames()).containsExactly(5L);
    }

    @Test
    void overlapWithSameContentIsNotAProblem() {
        Run r = new Run();
        r.feed(frag4(4, DGRAM, 0, 160, true));
        r.feed(frag4(4, DGRAM, 120, 256, true));
        Packet p = r.feed(frag4(4, DGRAM, 248, DGRAM.length, false));
        assertThat(p.stack()).isEqualTo("ipv4/udp/isakmp");
        assertThat(p.notes().get(0)).doesNotContain("overlap");
        assertThat(reassembledBytes(p, Proto.UDP)).isEqualTo(DGRAM);
    }

    @Test
    void overlapWithDifferentContentKeepsTheFirstArrival() {
        Run r = new Run();
        r.feed(frag4(5, DGRAM, 0, 160, true));
        byte[] liar = Arrays.copyOfRange(DGRAM, 120, 256);
        Arrays.fill(liar, 0, 40, (byte) 0xee); // bytes 120..159 differ from the first arrival
        r.feed(frag4(5, 17, liar, 120, true));
        Packet p = r.feed(frag4(5, DGRAM, 256, DGRAM.length, false));
        assertThat(p.stack()).isEqualTo("ipv4/udp/isakmp");
        assertThat(p.notes().get(0)).contains("overlapping fragments with different content").contains("120-160")
                .contains("first arrival");
        assertThat(reassembledBytes(p, Proto.UDP)).isEqualTo(DGRAM);
        IpReassembly.Datagram dg = (IpReassembly.Datagram) p.layer(0).info;
        assertThat(dg.problem).contains("different content");
    }

    @Test
    void missingFragmentIsReportedWithItsFramesAfterFinish() {
        Run r = new Run();
        r.feed(frag4(11, DGRAM, 0, 128, true));
        r.feed(udpFrame());
        r.feed(frag4(11, DGRAM, 256, DGRAM.length, false));
        assertThat(r.stacks).containsExactly("ipv4/data", "ipv4/udp/data", "ipv4/data");
        assertThat(r.decoder.reassembly.incomplete()).isEmpty();
        r.decoder.reassembly.finish();
        List<IpReassembly.Incomplete> inc = r.decoder.reassembly.incomplete();
        assertThat(inc).hasSize(1);
        assertThat(inc.get(0).frames()).containsExactly(1L, 3L);
        assertThat(inc.get(0).bytesReceived()).isEqualTo(128 + DGRAM.length - 256);
        assertThat(inc.get(0).totalLength()).isEqualTo(DGRAM.length);
        assertThat(inc.get(0).toString()).contains("192.0.2.1 > 198.51.100.7").contains("end of the capture");
        assertThat(r.decoder.reassembly.bufferedBytes()).isZero();
    }

    private static byte[] udpFrame() {
        byte[] u = udp(1, 2, bytes(4, 0));
        return frag4(1, 17, u, 0, false);
    }

    @Test
    void unfragmentedTrafficExpiresOldDatagrams() {
        Run r = new Run();
        r.feed(frag4(13, DGRAM, 0, 128, true), 0L);
        // no further fragment ever comes; ordinary traffic 61 s later ends the reassembly
        r.feed(udpFrame(), 61_000_000_000L);
        assertThat(r.decoder.reassembly.pendingCount()).isZero();
        List<IpReassembly.Incomplete> inc = r.decoder.reassembly.incomplete();
        assertThat(inc).hasSize(1);
        assertThat(inc.get(0).frames()).containsExactly(1L);
        assertThat(inc.get(0).description()).isEqualTo("IPv4 192.0.2.1 > 198.51.100.7 id 0x0000000d proto 17");
    }

    @Test
    void timeoutByCaptureTime() {
        Run r = new Run();
        r.feed(frag4(12, DGRAM, 0, 128, true), 0L);
        r.feed(frag4(12, DGRAM, 128, 256, true), 30_000_000_000L);
        // 61 s after the first fragment: the datagram has expired; this fragment starts a new one
        Packet p = r.feed(frag4(12, DGRAM, 256, DGRAM.length, false), 61_000_000_000L);
        assertThat(p.stack()).isEqualTo("ipv4/data");
        List<IpReassembly.Incomplete> inc = r.decoder.reassembly.incomplete();
        assertThat(inc).hasSize(1);
        assertThat(inc.get(0).frames()).containsExactly(1L, 2L);
        assertThat(inc.get(0).reason()).contains("60 s");
        assertThat(r.decoder.reassembly.pendingCount()).isEqualTo(1);
    }

    @Test
    void pendingCountLimitEvictsTheOldest() {
        Run r = new Run(new Decoder(new IpReassembly(2, 64L << 20, 60_000_000_000L), new TcpStreams()));
        r.feed(frag4(1, DGRAM, 0, 128, true));
        r.feed(frag4(2, DGRAM, 0, 128, true));
        r.feed(frag4(3, DGRAM, 0, 128, true));
        IpReassembly ra = r.decoder.reassembly;
        assertThat(ra.pendingCount()).isEqualTo(2);
        assertThat(ra.incomplete()).hasSize(1);
        assertThat(ra.incomplete().get(0).frames()).containsExactly(1L);
        assertThat(ra.incomplete().get(0).reason()).contains("too many");
        // the others still complete
        Packet p = r.feed(frag4(3, DGRAM, 128, DGRAM.length, false));
        assertThat(p.stack()).isEqualTo("ipv4/udp/isakmp");
    }

    @Test
    void totalMemoryLimitEvictsOthersButNotTheDatagramBeingAddedTo() {
        IpReassembly ra = new IpReassembly(100, 66_000, 60_000_000_000L);
        Run r = new Run(new Decoder(ra, new TcpStreams()));
        r.feed(frag4(1, DGRAM, 0, 128, true)); // a small datagram waiting
        // a big one: 60000 bytes of UDP payload in fragments of 1480
        byte[] big = udp(500, 500, ike(60000));
        int off = 0;
        Packet p = null;
        while (off < big.length) {
            int to = Math.min(big.length, off + 1480);
            p = r.feed(frag4(2, big, off, to, to < big.length));
            off = to;
        }
        assertThat(p.stack()).isEqualTo("ipv4/udp/isakmp");
        assertThat(reassembledBytes(p, Proto.UDP)).isEqualTo(big);
        assertThat(ra.incomplete()).hasSize(1);
        assertThat(ra.incomplete().get(0).frames()).containsExactly(1L);
        assertThat(ra.incomplete().get(0).reason()).contains("memory limit");
        assertThat(ra.bufferedBytes()).isZero();
        assertThat(ra.pendingCount()).isZero();
    }

    @Test
    void aDatagramLargerThanTheMemoryLimitIsDroppedAndReported() {
        IpReassembly ra = new IpReassembly(100, 10_000, 60_000_000_000L);
        Run r = new Run(new Decoder(ra, new TcpStreams()));
        byte[] big = udp(500, 500, ike(20000));
        for (int off = 0; off < big.length; off += 1480) {
            int to = Math.min(big.length, off + 1480);
            Packet p = r.feed(frag4(2, big, off, to, to < big.length));
            assertThat(p.stack()).isEqualTo("ipv4/data");
            assertThat(ra.bufferedBytes()).isLessThanOrEqualTo(10_000);
        }
        ra.finish();
        assertThat(ra.incomplete()).isNotEmpty();
        assertThat(ra.incomplete().get(0).reason()).contains("memory limit");
        assertThat(ra.bufferedBytes()).isZero();
    }

    @Test
    void memoryAccountingReturnsToZero() {
        Run r = new Run();
        for (int id = 0; id < 50; id++) {
            r.feed(frag4(id, DGRAM, 0, 128, true));
        }
        IpReassembly ra = r.decoder.reassembly;
        assertThat(ra.bufferedBytes()).isPositive();
        for (int id = 0; id < 50; id++) {
            r.feed(frag4(id, DGRAM, 128, DGRAM.length, false));
        }
        assertThat(ra.completedCount()).isEqualTo(50);
        assertThat(ra.bufferedBytes()).isZero();
        for (int id = 0; id < 10; id++) {
            r.feed(frag4(100 + id, DGRAM, 0, 128, true));
        }
        ra.finish();
        assertThat(ra.bufferedBytes()).isZero();
        assertThat(ra.incomplete()).hasSize(10);
    }

    @Test
    void fragmentBeyond65535IsDropped() {
        Run r = new Run();
        r.feed(frag4(20, DGRAM, 0, 128, true));
        // offset 8191*8 = 65528 plus 100 bytes: the "ping of death"
        Packet p = r.feed(frag4(20, 17, bytes(100, 0), 65528, false));
        assertThat(p.stack()).isEqualTo("ipv4/data");
        List<IpReassembly.Incomplete> inc = r.decoder.reassembly.incomplete();
        assertThat(inc).hasSize(1);
        assertThat(inc.get(0).reason()).contains("beyond the largest possible datagram");
        assertThat(inc.get(0).frames()).containsExactly(1L, 2L);
        // an IPv4 datagram of exactly 65535 bytes (header included) is fine
        Run ok = new Run();
        byte[] max = udp(500, 500, ike(65535 - 20 - 8));
        Packet last = null;
        for (int off = 0; off < max.length; off += 8192) {
            int to = Math.min(max.length, off + 8192);
            last = ok.feed(frag4(21, max, off, to, to < max.length));
        }
        assertThat(last.stack()).isEqualTo("ipv4/udp/isakmp");
    }

    @Test
    void fragmentCutBySnaplenNeverCompletes() {
        Run r = new Run();
        byte[] f1 = frag4(30, DGRAM, 0, 128, true);
        r.feed(Arrays.copyOf(f1, 60), f1.length, 0);
        r.feed(frag4(30, DGRAM, 128, 256, true));
        Packet p = r.feed(frag4(30, DGRAM, 256, DGRAM.length, false));
        assertThat(p.stack()).isEqualTo("ipv4/data");
        r.decoder.reassembly.finish();
        assertThat(r.decoder.reassembly.incomplete()).hasSize(1);
        assertThat(r.decoder.reassembly.incomplete().get(0).reason()).contains("snaplen");
        assertThat(r.decoder.reassembly.incomplete().get(0).frames()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void differentIdsSourcesOrProtocolsAreDifferentDatagrams() {
        Run r = new Run();
        r.feed(frag4(40, DGRAM, 0, 128, true));
        Packet p = r.feed(frag4(41, DGRAM, 128, DGRAM.length, false));
        assertThat(p.stack()).isEqualTo("ipv4/data");
        assertThat(r.decoder.reassembly.pendingCount()).isEqualTo(2);
    }

    @Test
    void quotedFragmentsAreNotReassembled() {
        byte[] quoted = frag4(50, DGRAM, 0, 64, true);
        byte[] icmp = cat(new byte[] {3, 4, 0, 0, 0, 0, 5, (byte) 0xdc}, quoted);
        byte[] outer = frag4(1, 1, icmp, 0, false);
        Run r = new Run();
        Packet p = r.feed(outer);
        assertThat(p.stack()).isEqualTo("ipv4/icmp/ipv4/udp/isakmp");
        assertThat(r.decoder.reassembly.pendingCount()).isZero();
        assertThat(p.malformed()).isFalse();
    }

    // ================================================================= IPv6

    @Test
    void ipv6FragmentsReassembleToIke() {
        byte[] dg = udp(500, 500, ike(200));
        Run r = new Run();
        // the second fragment's payload begins with bytes that would look like an extension header
        byte[] second = Arrays.copyOfRange(dg, 96, dg.length);
        Packet p1 = r.feed(frag6(0xdeadbeefL, 17, Arrays.copyOfRange(dg, 0, 96), 0, true));
        assertThat(p1.stack()).isEqualTo("ipv6/data");
        Packet p2 = r.feed(frag6(0xdeadbeefL, 17, second, 96, false));
        assertThat(p2.stack()).isEqualTo("ipv6/udp/isakmp");
        assertThat(p2.notes().get(0)).contains("frames 1,2");
        assertThat(reassembledBytes(p2, Proto.UDP)).isEqualTo(dg);
        assertThat(p2.layer(0).headerLength).isEqualTo(48);
    }

    @Test
    void ipv6LaterFragmentPayloadIsNotParsedAsHeaders() {
        // fragment header says next header = destination options (60); in a later fragment that is data
        byte[] piece = new byte[64];
        piece[0] = 0; // would be "hop-by-hop next", with a huge length:
        piece[1] = (byte) 200;
        Run r = new Run();
        Packet p = r.feed(frag6(1, 60, piece, 1024, true));
        assertThat(p.stack()).isEqualTo("ipv6/data");
        assertThat(p.layer(0).headerLength).isEqualTo(48);
        assertThat(p.layer(0).malformed).isNull();
    }

    @Test
    void ipv6FirstFragmentWithDestinationOptionsAfterTheFragmentHeader() {
        byte[] dest = new byte[8];
        dest[0] = 17; // next: UDP
        dest[2] = 1;
        dest[3] = 4;
        byte[] dg = cat(dest, udp(500, 500, ike(120)));
        Run r = new Run();
        Packet p1 = r.feed(frag6(77, 60, Arrays.copyOfRange(dg, 0, 64), 0, true));
        assertThat(p1.stack()).isEqualTo("ipv6/data");
        assertThat(p1.layer(0).headerLength).isEqualTo(48); // the fragmentable part starts after the fragment header
        Packet p2 = r.feed(frag6(77, 60, Arrays.copyOfRange(dg, 64, dg.length), 64, false));
        assertThat(p2.stack()).isEqualTo("ipv6/udp/isakmp");
        assertThat(p2.find(Proto.IKE).malformed).isNull();
        assertThat(r.decoder.reassembly.pendingCount()).isZero();
    }

    @Test
    void ipv6FragmentBeyond65535IsDropped() {
        Run r = new Run();
        r.feed(frag6(5, 17, bytes(64, 0), 0, true));
        r.feed(frag6(5, 17, bytes(64, 0), 65528, false));
        assertThat(r.decoder.reassembly.incomplete()).hasSize(1);
        assertThat(r.decoder.reassembly.incomplete().get(0).reason()).contains("beyond");
    }

    @Test
    void ipv4AndIpv6DoNotMix() {
        Run r = new Run();
        r.feed(frag4(5, DGRAM, 0, 128, true));
        Packet p = r.feed(frag6(5, 17, Arrays.copyOfRange(DGRAM, 128, DGRAM.length), 128, false));
        assertThat(p.stack()).isEqualTo("ipv6/data");
        assertThat(r.decoder.reassembly.pendingCount()).isEqualTo(2);
    }

    @Test
    void tooManyFragmentsForOneDatagram() {
        Run r = new Run();
        for (int i = 0; i < 600; i++) {
            r.feed(frag4(60, 17, bytes(8, i), 8 * (i % 100), true));
        }
        IpReassembly ra = r.decoder.reassembly;
        assertThat(ra.incomplete()).isNotEmpty();
        assertThat(ra.incomplete().get(0).reason()).contains("512 fragments");
    }
}
