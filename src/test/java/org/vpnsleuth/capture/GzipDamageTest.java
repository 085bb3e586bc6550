package org.vpnsleuth.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 (5): a gzip capture damaged midway keeps the frames before the damage and says where
 * it stopped. The expected frames are the ones written (the test's own records); the damage is a
 * few overwritten bytes that zlib itself rejects (an independent inflater, run to the end).
 */
class GzipDamageTest {
    /** A classic pcap of {@code n} Ethernet/IPv4/UDP frames whose payloads are words (compressible, as real traffic). */
    static List<byte[]> frames(int n) {
        Random r = new Random(16);
        String[] words = {"alpha", "beta", "gamma", "delta", "esp", "ike", "tunnel", "packet"};
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 400 + i % 80) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            byte[] pl = sb.toString().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + pl.length);
            b.put(new byte[12]).putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + pl.length)).putShort((short) i).putShort((short) 0)
                    .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
            b.putShort((short) 1000).putShort((short) 2000).putShort((short) (8 + pl.length)).putShort((short) 0).put(pl);
            out.add(b.array());
        }
        return out;
    }

    static byte[] pcap(List<byte[]> frames) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        o.writeBytes(h.array());
        for (int i = 0; i < frames.size(); i++) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(i).putInt(0).putInt(frames.get(i).length).putInt(frames.get(i).length);
            o.writeBytes(r.array());
            o.writeBytes(frames.get(i));
        }
        return o.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(o)) {
            g.write(data);
        }
        return o.toByteArray();
    }

    /**
     * A gzip file of {@code data} whose deflate stream is flushed to a byte boundary after
     * {@code cut} bytes (a sync flush, RFC 1951 3.2.4: the next byte starts a new block) and whose
     * next block header is then made a reserved block type (BTYPE 11, RFC 1951 3.2.3), which every
     * inflater rejects: everything before {@code cut} decompresses, nothing after it.
     */
    static byte[] damagedAt(byte[] data, int cut) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 255}); // RFC 1952 header, no flags
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] buf = new byte[1 << 16];
        d.setInput(data, 0, cut);
        for (int n; (n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0; ) {
            o.write(buf, 0, n);
        }
        int badAt = o.size();
        d.setInput(data, cut, data.length - cut);
        d.finish();
        while (!d.finished()) {
            o.write(buf, 0, d.deflate(buf));
        }
        d.end();
        CRC32 crc = new CRC32();
        crc.update(data);
        ByteBuffer t = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).putInt(data.length);
        o.writeBytes(t.array());
        byte[] gz = o.toByteArray();
        gz[badAt] = 0x06; // BFINAL 0, BTYPE 11 (reserved): "invalid block type"
        return gz;
    }

    /** The offset of frame {@code i}'s record in {@link #pcap}. */
    static int recordOffset(List<byte[]> frames, int i) {
        int off = 24;
        for (int k = 0; k < i; k++) {
            off += 16 + frames.get(k).length;
        }
        return off;
    }

    record Read(List<byte[]> frames, List<CaptureWarning> warnings) {
    }

    static Read read(byte[] file) throws Exception {
        List<byte[]> got = new ArrayList<>();
        try (CaptureReader r = Captures.open(new ByteArrayInputStream(file), "damaged.pcap.gz")) {
            Frame f = new Frame();
            while (r.next(f)) {
                got.add(Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength));
            }
            return new Read(got, r.warnings());
        }
    }

    /**
     * Damage in the first 64 KiB of compressed data: it once gave no frame at all ("cannot read:
     * invalid block type"). All frames before the damage are read, but for what the last inflate
     * call before it produced (at most {@link GzipInput#STEP} bytes, a few frames).
     */
    @Test
    void damageEarlyKeepsTheFramesBeforeIt() throws Exception {
        damagedAfterFrame(300);
    }

    @Test
    void damageMidwayKeepsTheFramesBeforeIt() throws Exception {
        damagedAfterFrame(2000);
    }

    private static void damagedAfterFrame(int good) throws Exception {
        List<byte[]> frames = frames(4000);
        byte[] bad = damagedAt(pcap(frames), recordOffset(frames, good));
        Read got = read(bad);
        checkPrefix(frames, got);
        int lost = 0;
        for (int bytes = 0; bytes < GzipInput.STEP; lost++) {
            bytes += 16 + frames.get(good - 1 - lost).length;
        }
        assertThat(got.frames().size()).isBetween(good - lost, good);
        CaptureWarning w = got.warnings().get(got.warnings().size() - 1);
        assertThat(w.frame()).isEqualTo(got.frames().size() + 1);
        assertThat(w.message()).matches("the gzip data is damaged near byte [0-9,]+ of the file \\(invalid block type\\); [0-9,]+"
                + " bytes were decompressed before it; stopped here, the [0-9,]+ frame\\(s\\) before it were read");
    }

    @Test
    void aCutGzipSaysItEndsEarly() throws Exception {
        List<byte[]> frames = frames(4000);
        byte[] gz = gzip(pcap(frames));
        Read got = read(Arrays.copyOf(gz, gz.length * 2 / 3));
        checkPrefix(frames, got);
        assertThat(got.frames().size()).isGreaterThan(frames.size() / 2);
        assertThat(got.warnings().get(got.warnings().size() - 1).message()).matches("the gzip data ends early, at byte [0-9,]+"
                + " of the file \\([0-9,]+ bytes decompressed\\): the file is cut short; stopped here, the [0-9,]+ frame\\(s\\)"
                + " before it were read");
    }

    @Test
    void aWrongCrcIsSaidAfterTheFrames() throws Exception {
        List<byte[]> frames = frames(50);
        byte[] gz = gzip(pcap(frames));
        gz[gz.length - 8] ^= 1; // the trailer's CRC-32
        Read got = read(gz);
        assertThat(got.frames()).hasSize(50);
        assertThat(got.warnings()).singleElement().satisfies(w -> assertThat(w.message())
                .contains("has a CRC-32 that does not match its data"));
    }

    /** Every frame read equals the frame written at its place. */
    static void checkPrefix(List<byte[]> frames, Read got) {
        for (int i = 0; i < got.frames().size(); i++) {
            assertThat(got.frames().get(i)).as("frame %d", i + 1).isEqualTo(frames.get(i));
        }
    }
}
