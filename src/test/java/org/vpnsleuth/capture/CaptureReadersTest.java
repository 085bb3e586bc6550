package org.vpnsleuth.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture readers, on files built byte by byte from the format descriptions: the libpcap file
 * format (24-byte file header, 16-byte record header; the modified variant with 24-byte records)
 * and pcapng (draft-ietf-opsawg-pcapng: SHB, IDB, EPB, SPB, obsolete PB, other blocks).
 */
class CaptureReadersTest {

    // ---------------------------------------------------------------- classic pcap builders

    private static final int MAGIC_US = 0xa1b2c3d4;
    private static final int MAGIC_NS = 0xa1b23c4d;
    private static final int MAGIC_MODIFIED = 0xa1b2cd34;

    private static ByteBuffer buf(int size, ByteOrder order) {
        return ByteBuffer.allocate(size).order(order);
    }

    private static byte[] pcapHeader(int magic, ByteOrder order, int snaplen, int linkType) {
        ByteBuffer b = buf(24, order);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(linkType);
        return b.array();
    }

    private static byte[] pcapRecord(ByteOrder order, long sec, long frac, byte[] data, int origLen, boolean modified) {
        ByteBuffer b = buf((modified ? 24 : 16) + data.length, order);
        b.putInt((int) sec).putInt((int) frac).putInt(data.length).putInt(origLen);
        if (modified) {
            b.putInt(3).putShort((short) 0x0800).put((byte) 0).put((byte) 0);
        }
        b.put(data);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] payload(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    // ---------------------------------------------------------------- pcapng builders

    private static final int SHB = 0x0A0D0D0A;

    /** A block: type, total length, body padded to 4, total length again. */
    private static byte[] block(ByteOrder order, int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        int len = 12 + padded;
        ByteBuffer b = buf(len, order);
        b.putInt(type).putInt(len).put(body);
        b.position(8 + padded);
        b.putInt(len);
        return b.array();
    }

    /** An option: code, length, value padded to 4. */
    private static byte[] option(ByteOrder order, int code, byte[] value) {
        ByteBuffer b = buf(4 + ((value.length + 3) & ~3), order);
        b.putShort((short) code).putShort((short) value.length).put(value);
        return b.array();
    }

    private static byte[] endOfOptions(ByteOrder order) {
        return buf(4, order).array();
    }

    private static byte[] shb(ByteOrder order, byte[]... options) {
        ByteBuffer b = buf(16, order);
        b.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        byte[] body = concat(b.array(), options.length == 0 ? new byte[0] : concat(concat(options), endOfOptions(order)));
        return block(order, SHB, body);
    }

    private static byte[] idb(ByteOrder order, int linkType, int snaplen, byte[]... options) {
        ByteBuffer b = buf(8, order);
        b.putShort((short) linkType).putShort((short) 0).putInt(snaplen);
        byte[] body = options.length == 0 ? b.array() : concat(b.array(), concat(options), endOfOptions(order));
        return block(order, 1, body);
    }

    private static byte[] epb(ByteOrder order, int ifId, long ts, byte[] data, int origLen, byte[]... options) {
        int padded = (data.length + 3) & ~3;
        ByteBuffer b = buf(20 + padded, order);
        b.putInt(ifId).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(data.length).putInt(origLen).put(data);
        byte[] body = options.length == 0 ? b.array() : concat(b.array(), concat(options), endOfOptions(order));
        return block(order, 6, body);
    }

    private static byte[] spb(ByteOrder order, byte[] data, int origLen) {
        ByteBuffer b = buf(4 + data.length, order);
        b.putInt(origLen).put(data);
        return block(order, 3, b.array());
    }

    /** Obsolete packet block (type 2): interface id (16), drops count (16), timestamp, lengths. */
    private static byte[] obsoletePb(ByteOrder order, int ifId, long ts, byte[] data, int origLen) {
        int padded = (data.length + 3) & ~3;
        ByteBuffer b = buf(20 + padded, order);
        b.putShort((short) ifId).putShort((short) 0).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(data.length)
                .putInt(origLen).put(data);
        return block(order, 2, b.array());
    }

    private static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    private static byte[] i64(ByteOrder order, long v) {
        return buf(8, order).putLong(v).array();
    }

    // ---------------------------------------------------------------- reading

    private static CaptureReader open(byte[] file) throws CaptureException {
        return Captures.open(new ByteArrayInputStream(file), "test.cap");
    }

    private static List<Frame> readAll(CaptureReader r) {
        List<Frame> frames = new ArrayList<>();
        Frame f = new Frame();
        while (r.next(f)) {
            frames.add(f.copy());
        }
        return frames;
    }

    private static List<Frame> readAll(byte[] file) throws Exception {
        try (CaptureReader r = open(file)) {
            return readAll(r);
        }
    }

    private static byte[] bytesOf(Frame f) {
        return Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
    }

    // ================================================================= classic pcap

    @Test
    void pcapLittleEndianMicroseconds() throws Exception {
        byte[] a = payload(60, 1);
        byte[] b = payload(42, 7);
        byte[] file = concat(pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1),
                pcapRecord(ByteOrder.LITTLE_ENDIAN, 1_700_000_000L, 123_456, a, 60, false),
                pcapRecord(ByteOrder.LITTLE_ENDIAN, 1_700_000_001L, 999_999, b, 42, false));
        try (CaptureReader r = open(file)) {
            List<Frame> frames = readAll(r);
            assertThat(r.format()).isEqualTo("pcap");
            assertThat(r.warnings()).isEmpty();
            assertThat(r.framesRead()).isEqualTo(2);
            assertThat(frames).hasSize(2);
            Frame f = frames.get(0);
            assertThat(f.number).isEqualTo(1);
            assertThat(f.source).isEqualTo("test.cap");
            assertThat(f.linkType).isEqualTo(1);
            assertThat(f.capturedLength).isEqualTo(60);
            assertThat(f.originalLength).isEqualTo(60);
            assertThat(bytesOf(f)).isEqualTo(a);
            assertThat(f.timestampNanos).isEqualTo(1_700_000_000_123_456_000L);
            assertThat(frames.get(1).number).isEqualTo(2);
            assertThat(frames.get(1).timestampNanos).isEqualTo(1_700_000_001_999_999_000L);
            assertThat(bytesOf(frames.get(1))).isEqualTo(b);
        }
    }

    @Test
    void pcapBigEndianNanoseconds() throws Exception {
        byte[] a = payload(20, 3);
        byte[] file = concat(pcapHeader(MAGIC_NS, ByteOrder.BIG_ENDIAN, 65535, 101),
                pcapRecord(ByteOrder.BIG_ENDIAN, 1_600_000_000L, 123_456_789, a, 20, false));
        try (CaptureReader r = open(file)) {
            List<Frame> frames = readAll(r);
            assertThat(r.format()).isEqualTo("pcap-ns");
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0).timestampNanos).isEqualTo(1_600_000_000_123_456_789L);
            assertThat(frames.get(0).linkType).isEqualTo(101);
            assertThat(bytesOf(frames.get(0))).isEqualTo(a);
        }
    }

    @Test
    void pcapBigEndianMicrosecondsAndLittleEndianNanoseconds() throws Exception {
        byte[] a = payload(10, 0);
        List<Frame> be = readAll(concat(pcapHeader(MAGIC_US, ByteOrder.BIG_ENDIAN, 65535, 1),
                pcapRecord(ByteOrder.BIG_ENDIAN, 10, 5, a, 10, false)));
        assertThat(be).hasSize(1);
        assertThat(be.get(0).timestampNanos).isEqualTo(10_000_005_000L);
        List<Frame> le = readAll(concat(pcapHeader(MAGIC_NS, ByteOrder.LITTLE_ENDIAN, 65535, 1),
                pcapRecord(ByteOrder.LITTLE_ENDIAN, 10, 5, a, 10, false)));
        assertThat(le.get(0).timestampNanos).isEqualTo(10_000_000_005L);
    }

    @Test
    void modifiedPcapHas24ByteRecordHeaders() throws Exception {
        byte[] a = payload(30, 9);
        byte[] b = payload(31, 2);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] file = concat(pcapHeader(MAGIC_MODIFIED, order, 65535, 1),
                    pcapRecord(order, 5, 6, a, 30, true), pcapRecord(order, 7, 8, b, 31, true));
            try (CaptureReader r = open(file)) {
                List<Frame> frames = readAll(r);
                assertThat(r.warnings()).isEmpty();
                assertThat(frames).hasSize(2);
                assertThat(bytesOf(frames.get(0))).isEqualTo(a);
                assertThat(bytesOf(frames.get(1))).isEqualTo(b);
                assertThat(frames.get(1).timestampNanos).isEqualTo(7_000_008_000L);
            }
        }
    }

    @Test
    void snaplenCutFrameKeepsBothLengths() throws Exception {
        byte[] a = payload(96, 1);
        List<Frame> frames = readAll(concat(pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 96, 1),
                pcapRecord(ByteOrder.LITTLE_ENDIAN, 1, 0, a, 1514, false)));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).capturedLength).isEqualTo(96);
        assertThat(frames.get(0).originalLength).isEqualTo(1514);
        assertThat(frames.get(0).isSnaplenCut()).isTrue();
    }

    @Test
    void originalLengthBelowCapturedIsRaisedToCaptured() throws Exception {
        List<Frame> frames = readAll(concat(pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1),
                pcapRecord(ByteOrder.LITTLE_ENDIAN, 1, 0, payload(50, 0), 10, false)));
        assertThat(frames.get(0).originalLength).isEqualTo(50);
        assertThat(frames.get(0).isSnaplenCut()).isFalse();
    }

    @Test
    void pcapWithNoRecordsIsEmptyWithoutWarnings() throws Exception {
        try (CaptureReader r = open(pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1))) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.warnings()).isEmpty();
        }
    }

    @Test
    void unsupportedPcapVersionIsCaptureException() {
        byte[] h = pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1);
        h[4] = 3;
        assertThatThrownBy(() -> open(h)).isInstanceOf(CaptureException.class).hasMessageContaining("version 3");
    }

    // ================================================================= pcapng

    @Test
    void pcapngBothByteOrdersWithEpbAndComment() throws Exception {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] a = payload(61, 4); // not a multiple of 4: padding
            byte[] file = concat(shb(order), idb(order, 1, 65535),
                    epb(order, 0, 1_700_000_000_123_456L, a, 61,
                            option(order, 1, "hello \u00e9".getBytes(StandardCharsets.UTF_8))),
                    epb(order, 0, 1_700_000_001_000_000L, payload(8, 1), 8));
            try (CaptureReader r = open(file)) {
                List<Frame> frames = readAll(r);
                assertThat(r.format()).isEqualTo("pcapng");
                assertThat(r.warnings()).isEmpty();
                assertThat(frames).hasSize(2);
                Frame f = frames.get(0);
                assertThat(bytesOf(f)).isEqualTo(a);
                assertThat(f.linkType).isEqualTo(1);
                assertThat(f.timestampNanos).isEqualTo(1_700_000_000_123_456_000L);
                assertThat(f.comment).isEqualTo("hello \u00e9");
                assertThat(frames.get(1).comment).isNull();
                assertThat(frames.get(1).number).isEqualTo(2);
            }
        }
    }

    @Test
    void pcapngSeveralInterfacesAndSectionsOfBothByteOrders() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        byte[] file = concat(
                shb(le), idb(le, 1, 0), idb(le, 101, 0),
                epb(le, 1, 1_000_000L, payload(20, 1), 20),
                epb(le, 0, 2_000_000L, payload(14, 2), 14),
                // second section, other byte order, its own interfaces (index 0 is now raw IPv4)
                shb(be), idb(be, 228, 0, option(be, 9, u8(9))),
                epb(be, 0, 3_000_000_007L, payload(21, 3), 21),
                // interface 1 does not exist in this section: skipped with a warning
                epb(be, 1, 4L, payload(5, 4), 5),
                epb(be, 0, 5_000_000_000L, payload(22, 5), 22));
        try (CaptureReader r = open(file)) {
            List<Frame> frames = readAll(r);
            assertThat(frames).extracting(f -> f.linkType).containsExactly(101, 1, 228, 228);
            assertThat(frames).extracting(f -> f.interfaceId).containsExactly(1, 0, 0, 0);
            assertThat(frames).extracting(f -> f.capturedLength).containsExactly(20, 14, 21, 22);
            assertThat(frames).extracting(f -> f.timestampNanos)
                    .containsExactly(1_000_000_000L, 2_000_000_000L, 3_000_000_007L, 5_000_000_000L);
            assertThat(frames).extracting(f -> f.number).containsExactly(1L, 2L, 3L, 4L);
            assertThat(r.warnings()).hasSize(1);
            assertThat(r.warnings().get(0).message()).contains("interface 1").contains("skipped");
            assertThat(r.warnings().get(0).source()).isEqualTo("test.cap");
        }
    }

    @Test
    void pcapngTimestampResolutions() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        long secs = 1_700_000_000L;
        // 2^-20: ticks = secs * 2^20 + 123456 -> 123456 * 10^9 / 2^20 = 117736816.40625 ns, rounded down
        long binTicks = (secs << 20) + 123_456;
        // 10^-9 with an offset of 100 s (if_tsoffset)
        long nsTicks = secs * 1_000_000_000L + 987_654_321L;
        byte[] file = concat(shb(le),
                idb(le, 1, 0, option(le, 9, u8(0x80 | 20))),
                idb(le, 1, 0, option(le, 9, u8(9)), option(le, 14, i64(le, 100))),
                idb(le, 1, 0, option(le, 9, u8(3))),
                epb(le, 0, binTicks, payload(4, 0), 4),
                epb(le, 1, nsTicks, payload(4, 0), 4),
                epb(le, 2, secs * 1000 + 5, payload(4, 0), 4));
        List<Frame> frames = readAll(file);
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).timestampNanos).isEqualTo(secs * 1_000_000_000L + 117_736_816L);
        assertThat(frames.get(1).timestampNanos).isEqualTo((secs + 100) * 1_000_000_000L + 987_654_321L);
        assertThat(frames.get(2).timestampNanos).isEqualTo(secs * 1_000_000_000L + 5_000_000L);
    }

    @Test
    void pcapngNegativeTsOffsetInBigEndian() throws Exception {
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        byte[] file = concat(shb(be), idb(be, 1, 0, option(be, 14, i64(be, -10))),
                epb(be, 0, 20_000_000L, payload(4, 0), 4));
        assertThat(readAll(file).get(0).timestampNanos).isEqualTo(10_000_000_000L);
    }

    @Test
    void simplePacketBlockTakesOriginalLengthAndSnaplen() throws Exception {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] file = concat(shb(order), idb(order, 1, 64),
                    spb(order, payload(30, 1), 30),      // whole frame (padded to 32 in the block)
                    spb(order, payload(64, 2), 1500));   // cut at the snaplen
            try (CaptureReader r = open(file)) {
                List<Frame> frames = readAll(r);
                assertThat(r.warnings()).isEmpty();
                assertThat(frames).hasSize(2);
                assertThat(frames.get(0).capturedLength).isEqualTo(30);
                assertThat(frames.get(0).originalLength).isEqualTo(30);
                assertThat(bytesOf(frames.get(0))).isEqualTo(payload(30, 1));
                assertThat(frames.get(1).capturedLength).isEqualTo(64);
                assertThat(frames.get(1).originalLength).isEqualTo(1500);
                assertThat(frames.get(1).isSnaplenCut()).isTrue();
                assertThat(frames.get(1).timestampNanos).isZero();
            }
        }
    }

    @Test
    void obsoletePacketBlockIsRead() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] file = concat(shb(le), idb(le, 1, 0), idb(le, 113, 0),
                obsoletePb(le, 1, 3_000_000L, payload(33, 3), 40));
        List<Frame> frames = readAll(file);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).linkType).isEqualTo(113);
        assertThat(frames.get(0).interfaceId).isEqualTo(1);
        assertThat(frames.get(0).capturedLength).isEqualTo(33);
        assertThat(frames.get(0).originalLength).isEqualTo(40);
        assertThat(frames.get(0).timestampNanos).isEqualTo(3_000_000_000L);
    }

    @Test
    void otherBlocksAreSkipped() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] nrb = block(le, 4, concat(buf(4, le).putShort((short) 1).putShort((short) 8).array(),
                new byte[] {10, 0, 0, 1, 'a', 'b', 'c', 0}, buf(4, le).array()));
        byte[] isb = block(le, 5, buf(12, le).putInt(0).putInt(0).putInt(0).array());
        byte[] dsb = block(le, 10, concat(buf(8, le).putInt(0x544c534b).putInt(5).array(), payload(5, 0)));
        byte[] custom = block(le, 0x00000BAD, concat(buf(4, le).putInt(32473).array(), payload(7, 0)));
        byte[] customNoCopy = block(le, 0x40000BAD, concat(buf(4, le).putInt(32473).array(), payload(3, 0)));
        byte[] unknown = block(le, 0x12345, payload(100, 0));
        byte[] file = concat(shb(le), nrb, idb(le, 1, 0), isb, dsb, epb(le, 0, 1, payload(10, 0), 10), custom,
                customNoCopy, unknown, epb(le, 0, 2, payload(11, 0), 11), isb);
        try (CaptureReader r = open(file)) {
            List<Frame> frames = readAll(r);
            assertThat(frames).extracting(f -> f.capturedLength).containsExactly(10, 11);
            assertThat(r.warnings()).isEmpty();
        }
    }

    @Test
    void shbWithOptionsAndEpbWithSeveralOptions() throws Exception {
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        byte[] file = concat(shb(be, option(be, 2, "x86".getBytes(StandardCharsets.UTF_8))),
                idb(be, 1, 0, option(be, 2, "eth0".getBytes(StandardCharsets.UTF_8))),
                epb(be, 0, 1, payload(3, 0), 3, option(be, 2, new byte[4]), option(be, 1, "c".getBytes(StandardCharsets.UTF_8))));
        List<Frame> frames = readAll(file);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).comment).isEqualTo("c");
    }

    // ================================================================= gzip, stdin

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] samplePcap(int frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1));
        for (int i = 0; i < frames; i++) {
            out.writeBytes(pcapRecord(ByteOrder.LITTLE_ENDIAN, i, 0, payload(100 + i, i), 100 + i, false));
        }
        return out.toByteArray();
    }

    @Test
    void gzipCompressedPcapAndPcapng() throws Exception {
        try (CaptureReader r = open(gzip(samplePcap(5)))) {
            assertThat(readAll(r)).hasSize(5);
            assertThat(r.format()).isEqualTo("pcap+gzip");
            assertThat(r.warnings()).isEmpty();
        }
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] ng = concat(shb(le), idb(le, 1, 0), epb(le, 0, 1, payload(9, 9), 9));
        try (CaptureReader r = open(gzip(ng))) {
            List<Frame> frames = readAll(r);
            assertThat(frames).hasSize(1);
            assertThat(bytesOf(frames.get(0))).isEqualTo(payload(9, 9));
            assertThat(r.format()).isEqualTo("pcapng+gzip");
        }
    }

    @Test
    void multiMemberGzip() throws Exception {
        byte[] whole = samplePcap(20);
        int cut = 24 + 3 * (16 + 100) + 50; // inside the fourth record
        byte[] file = concat(gzip(Arrays.copyOfRange(whole, 0, cut)), gzip(Arrays.copyOfRange(whole, cut, whole.length)));
        assertThat(readAll(file)).hasSize(20);
    }

    /** Serves bytes a few at a time and never says any are available, like a slow pipe. */
    private static final class TricklingStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        TricklingStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return 0;
        }
    }

    @Test
    void multiMemberGzipFromAPipeThatReportsNothingAvailable() throws Exception {
        byte[] whole = samplePcap(30);
        int cut = 24 + 2 * (16 + 100) + 16;
        byte[] file = concat(gzip(Arrays.copyOfRange(whole, 0, cut)), gzip(Arrays.copyOfRange(whole, cut, whole.length)));
        // the first member ends exactly where a read ends: the reader must still find the second
        int firstMember = gzip(Arrays.copyOfRange(whole, 0, cut)).length;
        try (CaptureReader r = Captures.open(new TricklingStream(file, firstMember), "-")) {
            assertThat(readAll(r)).hasSize(30);
            assertThat(r.warnings()).isEmpty();
        }
    }

    @Test
    void gzipWithTrailingGarbageAfterLastMemberKeepsFrames() throws Exception {
        byte[] file = concat(gzip(samplePcap(3)), "garbage!".getBytes(StandardCharsets.US_ASCII));
        try (CaptureReader r = open(file)) {
            assertThat(readAll(r)).hasSize(3);
        }
    }

    @Test
    void truncatedGzipReturnsCompleteFramesThenWarns() throws Exception {
        byte[] gz = gzip(samplePcap(200));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        try (CaptureReader r = open(cut)) {
            List<Frame> frames = readAll(r);
            assertThat(frames.size()).isBetween(1, 199);
            assertThat(r.warnings()).hasSize(1);
            assertThat(r.warnings().get(0).frame()).isEqualTo(frames.size() + 1);
        }
    }

    @Test
    void standardInputIsNamedDash() throws Exception {
        try (CaptureReader r = Captures.open(new TricklingStream(samplePcap(4), 7), "-")) {
            List<Frame> frames = readAll(r);
            assertThat(frames).hasSize(4);
            assertThat(frames.get(3).source).isEqualTo("-");
            assertThat(bytesOf(frames.get(3))).isEqualTo(payload(103, 3));
        }
    }

    @Test
    void openByFileName(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.pcap.gz");
        Files.write(p, gzip(samplePcap(2)));
        try (CaptureReader r = Captures.open(p.toString())) {
            assertThat(readAll(r)).hasSize(2);
        }
        assertThatThrownBy(() -> Captures.open(dir.resolve("missing.pcap").toString()))
                .isInstanceOf(CaptureException.class).hasMessageContaining("no such file");
        assertThatThrownBy(() -> Captures.open(dir.toString()))
                .isInstanceOf(CaptureException.class).hasMessageContaining("directory");
    }

    // ================================================================= damaged files

    @Test
    void emptyFile() {
        assertThatThrownBy(() -> open(new byte[0])).isInstanceOf(CaptureException.class).hasMessageContaining("empty");
    }

    @Test
    void textFileIsNotACaptureFile() {
        byte[] text = "Hello, this is a text file.\nNot a capture.\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> open(text)).isInstanceOf(CaptureException.class)
                .hasMessageContaining("test.cap").hasMessageContaining("not a capture file");
        assertThatThrownBy(() -> open(new byte[] {'a', 'b'})).isInstanceOf(CaptureException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void cutInsidePcapFileHeader() {
        byte[] h = pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1);
        for (int n = 4; n < 24; n += 5) {
            byte[] cut = Arrays.copyOf(h, n);
            assertThatThrownBy(() -> open(cut)).isInstanceOf(CaptureException.class)
                    .hasMessageContaining("header cut short");
        }
    }

    @Test
    void cutInsidePcapngSectionHeader() {
        byte[] s = shb(ByteOrder.LITTLE_ENDIAN);
        for (int n = 4; n < s.length; n += 3) {
            byte[] cut = Arrays.copyOf(s, n);
            assertThatThrownBy(() -> open(cut)).isInstanceOf(CaptureException.class);
        }
    }

    @Test
    void cutInsideARecordHeader() throws Exception {
        byte[] whole = samplePcap(3);
        byte[] cut = Arrays.copyOf(whole, whole.length - (102 + 16) + 9);
        try (CaptureReader r = open(cut)) {
            assertThat(readAll(r)).hasSize(2);
            assertThat(r.warnings()).hasSize(1);
            CaptureWarning w = r.warnings().get(0);
            assertThat(w.frame()).isEqualTo(3);
            assertThat(w.toString()).startsWith("test.cap: frame 3: ").contains("record header");
        }
    }

    @Test
    void cutInsideAFrame() throws Exception {
        byte[] whole = samplePcap(3);
        byte[] cut = Arrays.copyOf(whole, whole.length - 40);
        try (CaptureReader r = open(cut)) {
            List<Frame> frames = readAll(r);
            assertThat(frames).hasSize(2);
            assertThat(bytesOf(frames.get(1))).isEqualTo(payload(101, 1));
            assertThat(r.warnings()).hasSize(1);
            assertThat(r.warnings().get(0).toString()).startsWith("test.cap: frame 3: ").contains("cut short");
            // next() stays false
            assertThat(r.next(new Frame())).isFalse();
        }
    }

    @Test
    void pcapngCutInsideABlock() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] whole = concat(shb(le), idb(le, 1, 0), epb(le, 0, 1, payload(40, 0), 40), epb(le, 0, 2, payload(40, 1), 40));
        for (int drop : new int[] {1, 20, 60, 68}) { // inside the last EPB, and inside its 8-byte block header
            byte[] cut = Arrays.copyOf(whole, whole.length - drop);
            try (CaptureReader r = open(cut)) {
                assertThat(readAll(r)).hasSize(1);
                assertThat(r.warnings()).hasSize(1);
                assertThat(r.warnings().get(0).toString()).startsWith("test.cap: frame 2: ").contains("cut short");
            }
        }
        // cut inside the interface block: no frames, one warning
        byte[] cutIdb = Arrays.copyOf(whole, shb(le).length + 10);
        try (CaptureReader r = open(cutIdb)) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.warnings()).hasSize(1);
        }
    }

    @Test
    void garbageAfterValidRecords() throws Exception {
        byte[] garbage = "\u0001\u0002 this is not a record at all, just trailing junk bytes ....".getBytes(StandardCharsets.US_ASCII);
        try (CaptureReader r = open(concat(samplePcap(3), garbage))) {
            assertThat(readAll(r)).hasSize(3);
            assertThat(r.warnings()).hasSize(1);
            assertThat(r.warnings().get(0).frame()).isEqualTo(4);
        }
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] ng = concat(shb(le), idb(le, 1, 0), epb(le, 0, 1, payload(8, 0), 8), garbage);
        try (CaptureReader r = open(ng)) {
            assertThat(readAll(r)).hasSize(1);
            assertThat(r.warnings()).hasSize(1);
        }
    }

    /** The block header of a block with a lying length, and some bytes after it. */
    private static byte[] lyingBlock(ByteOrder order, int type, int len) {
        return concat(buf(8, order).putInt(type).putInt(len).array(), payload(64, 0));
    }

    @Test
    void pcapngBlockLengthsThatLie() {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] head = concat(shb(le), idb(le, 1, 0), epb(le, 0, 1, payload(8, 0), 8));
        int[] types = {6, 3, 2, 1, 5, 0x12345};
        int[] lengths = {0, 8, 11, 13, 30, 0x7ffffffc, 0x7fffffff, 0xfffffffc, 0x80000000, 0x10000000, 100_000_000,
            (64 << 20) + 4, 1 << 20};
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int type : types) {
                for (int len : lengths) {
                    try (CaptureReader r = open(concat(head, lyingBlock(le, type, len)))) {
                        List<Frame> frames = readAll(r);
                        assertThat(frames).as("type %d length %d", type, len).hasSize(1);
                        assertThat(r.warnings()).as("type %d length %d", type, len).isNotEmpty();
                        assertThat(r.warnings().get(0).frame()).isEqualTo(2);
                    }
                }
            }
        });
    }

    @Test
    void pcapngSectionHeaderWithLyingLength() {
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        byte[] head = concat(shb(be), idb(be, 1, 0), epb(be, 0, 1, payload(8, 0), 8));
        for (int len : new int[] {12, 27, 29, 0x7ffffffc, -4}) {
            byte[] second = concat(buf(12, be).putInt(SHB).putInt(len).putInt(0x1A2B3C4D).array(), payload(40, 0));
            try (CaptureReader r = open(concat(head, second))) {
                assertThat(readAll(r)).hasSize(1);
                assertThat(r.warnings()).hasSize(1);
            } catch (Exception e) {
                throw new AssertionError("length " + len, e);
            }
        }
    }

    @Test
    void recordClaimingTwoGigabytes() {
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int snaplen : new int[] {65535, 0x7fffffff, -1, 0}) {
                for (int incl : new int[] {0x7fffffff, 0x80000000, 0xffffffff, 300_000, 100 << 20}) {
                    byte[] file = concat(pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, snaplen, 1),
                            pcapRecord(ByteOrder.LITTLE_ENDIAN, 1, 0, payload(10, 0), 10, false),
                            buf(16, ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0).putInt(incl).putInt(incl).array(),
                            payload(100, 0));
                    try (CaptureReader r = open(file)) {
                        assertThat(readAll(r)).hasSize(1);
                        assertThat(r.warnings()).as("snaplen %d incl %d", snaplen, incl).hasSize(1);
                        assertThat(r.warnings().get(0).frame()).isEqualTo(2);
                    }
                }
            }
        });
    }

    @Test
    void epbCapturedLengthBeyondItsBlockIsCut() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] e = epb(le, 0, 1, payload(16, 0), 16);
        ByteBuffer.wrap(e).order(le).putInt(20, 5000); // captured length field
        try (CaptureReader r = open(concat(shb(le), idb(le, 1, 0), e, epb(le, 0, 2, payload(4, 0), 4)))) {
            List<Frame> frames = readAll(r);
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0).capturedLength).isEqualTo(16);
            assertThat(r.warnings()).hasSize(1);
        }
    }

    // ================================================================= memory

    /** A pcap generated on the fly: header, then records of 1514 bytes, up to {@code total} bytes. */
    private static final class GeneratedPcap extends InputStream {
        private final long total;
        private long pos;
        private final byte[] header = pcapHeader(MAGIC_US, ByteOrder.LITTLE_ENDIAN, 65535, 1);
        private final byte[] record = pcapRecord(ByteOrder.LITTLE_ENDIAN, 1, 2, payload(1514, 5), 1514, false);

        GeneratedPcap(long total) {
            this.total = total;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= total) {
                return -1;
            }
            int n = (int) Math.min(len, total - pos);
            for (int i = 0; i < n; i++) {
                long p = pos + i;
                b[off + i] = p < 24 ? header[(int) p] : record[(int) ((p - 24) % record.length)];
            }
            pos += n;
            return n;
        }
    }

    @Test
    void twoHundredMegabytesStreamWithASmallBuffer() throws Exception {
        long recordLen = 16 + 1514;
        long records = (200L << 20) / recordLen;
        long total = 24 + records * recordLen;
        try (CaptureReader r = Captures.open(new GeneratedPcap(total), "big.pcap")) {
            Frame f = new Frame();
            long n = 0;
            int maxCapacity = 0;
            InputBuffer in = ((AbstractReader) r).in;
            while (r.next(f)) {
                n++;
                if ((n & 1023) == 0) {
                    maxCapacity = Math.max(maxCapacity, in.capacity());
                }
                if (f.capturedLength != 1514) {
                    throw new AssertionError("frame " + n + " has " + f.capturedLength + " bytes");
                }
            }
            maxCapacity = Math.max(maxCapacity, in.capacity());
            assertThat(n).isEqualTo(records);
            assertThat(r.warnings()).isEmpty();
            assertThat(maxCapacity).isLessThanOrEqualTo(2 << 20);
            // and via reflection, as an outsider would see it
            Field bufField = InputBuffer.class.getDeclaredField("buf");
            bufField.setAccessible(true);
            assertThat(((byte[]) bufField.get(in)).length).isLessThanOrEqualTo(2 << 20);
        }
    }

    @Test
    void lyingLengthOnAShortFileDoesNotAllocateForIt() throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] head = concat(shb(le), idb(le, 1, 0));
        try (CaptureReader r = open(concat(head, lyingBlock(le, 6, 60 << 20)))) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.warnings()).hasSize(1);
            assertThat(((AbstractReader) r).in.capacity()).isLessThanOrEqualTo(2 << 20);
        }
    }

    @Test
    void largeRecordGrowsTheBufferAndIsReadWhole() throws Exception {
        byte[] big = payload(3 << 20, 1); // 3 MiB frame, allowed by a large snaplen
        byte[] file = concat(pcapHeader(MAGIC_US, ByteOrder.BIG_ENDIAN, 8 << 20, 1),
                pcapRecord(ByteOrder.BIG_ENDIAN, 1, 0, payload(10, 0), 10, false),
                pcapRecord(ByteOrder.BIG_ENDIAN, 2, 0, big, big.length, false),
                pcapRecord(ByteOrder.BIG_ENDIAN, 3, 0, payload(10, 2), 10, false));
        try (CaptureReader r = Captures.open(new TricklingStream(file, 100_000), "x")) {
            List<Frame> frames = readAll(r);
            assertThat(frames).hasSize(3);
            assertThat(bytesOf(frames.get(1))).isEqualTo(big);
            assertThat(bytesOf(frames.get(2))).isEqualTo(payload(10, 2));
            assertThat(r.warnings()).isEmpty();
        }
    }

    @Test
    void frameCopyIsDetached() throws Exception {
        try (CaptureReader r = open(samplePcap(2))) {
            Frame f = new Frame();
            assertThat(r.next(f)).isTrue();
            Frame c = f.copy();
            assertThat(r.next(f)).isTrue();
            assertThat(c.offset).isZero();
            assertThat(bytesOf(c)).isEqualTo(payload(100, 0));
            assertThat(c.number).isEqualTo(1);
        }
    }
}
