package org.vpnsleuth.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.CaptureWarning;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;

/**
 * The frames the decoders get from {@link FrameFeed}: with threads exactly what one thread gives,
 * in the order of the libpcap format's records merged by capture time (ties: the file given
 * first), whatever the batches, the buffer sizes, the limit, a damaged file or a failing reader.
 * The files are written here byte by byte from the libpcap file format (24-byte header, 16-byte
 * record headers), so the expected frames are known independently of the readers.
 */
class FrameFeedTest {
    @TempDir
    Path dir;

    /** One record: seconds, microseconds and bytes (the bytes say which file and record they are). */
    private record Rec(long sec, long usec, byte[] data, int file, int number) {
    }

    private static byte[] pcap(List<Rec> recs, int cutLast) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(1 << 20).putInt(1);
        out.writeBytes(h.array());
        for (Rec r : recs) {
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt((int) r.sec).putInt((int) r.usec).putInt(r.data.length).putInt(r.data.length);
            out.writeBytes(b.array());
            out.writeBytes(r.data);
        }
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - cutLast);
    }

    /** Records of {@code file}: sizes from 1 byte to one larger than a batch's buffer, times that interleave with the other file's. */
    private static List<Rec> records(int file, int count, int step) {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int len = i == count / 2 ? FrameFeed.BATCH_BYTES + 1000 : i % 97 == 0 ? 1 : 60 + (i * 37) % 1500;
            byte[] d = new byte[len];
            for (int k = 0; k < len; k++) {
                d[k] = (byte) (file * 31 + i * 7 + k);
            }
            long t = (long) i * step; // microseconds; both files have records at equal times
            recs.add(new Rec(1_700_000_000L + t / 1_000_000, t % 1_000_000, d, file, i + 1));
        }
        return recs;
    }

    private record Seen(int file, long number, long nanos, byte[] data) {
    }

    private static List<Seen> drain(FrameFeed feed) {
        List<Seen> out = new ArrayList<>();
        try (feed) {
            while (feed.next()) {
                Frame f = feed.frame();
                out.add(new Seen(feed.file(), f.number, f.timestampNanos, Arrays.copyOfRange(f.data, f.offset, f.end())));
            }
        }
        return out;
    }

    private List<CaptureReader> open(Path... files) {
        List<CaptureReader> r = new ArrayList<>();
        for (Path p : files) {
            try {
                r.add(Captures.open(p.toString()));
            } catch (CaptureException e) {
                throw new AssertionError(e);
            }
        }
        return r;
    }

    private static List<Decoder> decoders(int n) {
        List<Decoder> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            d.add(new Decoder());
        }
        return d;
    }

    private static void assertSame(List<Seen> got, List<Rec> expected) {
        assertThat(got).hasSize(expected.size());
        for (int i = 0; i < got.size(); i++) {
            Rec r = expected.get(i);
            Seen s = got.get(i);
            assertThat(s.file).as("frame %d", i).isEqualTo(r.file);
            assertThat(s.number).as("frame %d", i).isEqualTo(r.number);
            assertThat(s.nanos).isEqualTo(r.sec * 1_000_000_000L + r.usec * 1000);
            assertThat(s.data).as("frame %d", i).isEqualTo(r.data);
        }
    }

    @Test
    void twoFilesMergedByTimeInOrderWithAnyNumberOfThreads() throws IOException {
        List<Rec> a = records(0, 1500, 30);
        List<Rec> b = records(1, 1200, 45);
        Path pa = dir.resolve("a.pcap");
        Path pb = dir.resolve("b.pcap.gz");
        Files.write(pa, pcap(a, 0));
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(pb))) {
            gz.write(pcap(b, 0));
        }
        List<Rec> expected = new ArrayList<>(a);
        expected.addAll(b);
        // by time, a tie to the file given first (a stable sort keeps a before b)
        expected.sort(Comparator.comparingLong((Rec r) -> r.sec * 1_000_000 + r.usec));
        for (int jobs : new int[] {1, 2, 3, 8}) {
            List<CaptureReader> readers = open(pa, pb);
            assertSame(drain(FrameFeed.open(readers, decoders(2), Long.MAX_VALUE, jobs)), expected);
            for (CaptureReader r : readers) {
                assertThat(r.warnings()).isEmpty();
                r.close();
            }
        }
    }

    @Test
    void aLimitReadsNoFurtherThanOneThreadWould() throws IOException {
        List<Rec> a = records(0, 600, 10);
        Path pa = dir.resolve("cut.pcap");
        Files.write(pa, pcap(a, 5)); // the last record cut short: a warning when it is read
        for (int jobs : new int[] {1, 2, 4}) {
            for (long limit : new long[] {1, 256, 599}) {
                List<CaptureReader> readers = open(pa);
                List<Seen> got = drain(FrameFeed.open(readers, decoders(1), limit, jobs));
                assertSame(got, a.subList(0, (int) limit));
                assertThat(readers.get(0).warnings()).as("jobs %d, limit %d", jobs, limit).isEmpty();
                readers.get(0).close();
            }
            List<CaptureReader> readers = open(pa);
            assertSame(drain(FrameFeed.open(readers, decoders(1), Long.MAX_VALUE, jobs)), a.subList(0, 599));
            List<CaptureWarning> w = readers.get(0).warnings();
            assertThat(w).hasSize(1);
            assertThat(w.get(0).frame()).isEqualTo(600);
            readers.get(0).close();
        }
    }

    /** A reader that gives {@code good} frames, then fails as a bug would. */
    private static final class Failing implements CaptureReader {
        private final int good;
        private int n;

        Failing(int good) {
            this.good = good;
        }

        @Override
        public boolean next(Frame f) {
            if (n == good) {
                throw new IllegalStateException("reader bug after " + good);
            }
            n++;
            f.data = new byte[] {(byte) n, (byte) (n >> 8)};
            f.offset = 0;
            f.capturedLength = 2;
            f.originalLength = 2;
            f.timestampNanos = n;
            f.number = n;
            f.linkType = 1;
            return true;
        }

        @Override
        public List<CaptureWarning> warnings() {
            return List.of();
        }

        @Override
        public String format() {
            return "test";
        }

        @Override
        public long framesRead() {
            return n;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aReaderThatFailsFailsAfterEveryFrameBeforeIt() {
        for (int jobs : new int[] {1, 2, 3}) {
            List<Long> numbers = new ArrayList<>();
            FrameFeed feed = FrameFeed.open(List.of(new Failing(700)), decoders(1), Long.MAX_VALUE, jobs);
            assertThatThrownBy(() -> {
                try (feed) {
                    while (feed.next()) {
                        numbers.add(feed.frame().number);
                    }
                }
            }).isInstanceOf(IllegalStateException.class).hasMessage("reader bug after 700");
            assertThat(numbers).hasSize(700);
            for (int i = 0; i < 700; i++) {
                assertThat(numbers.get(i)).isEqualTo(i + 1L);
            }
        }
    }

    @Test
    void closingEarlyStopsTheThreads() throws IOException {
        List<Rec> a = records(0, 5000, 10);
        Path pa = dir.resolve("long.pcap");
        Files.write(pa, pcap(a, 0));
        List<CaptureReader> readers = open(pa);
        try (FrameFeed feed = FrameFeed.open(readers, decoders(1), Long.MAX_VALUE, 3)) {
            for (int i = 0; i < 10; i++) {
                assertThat(feed.next()).isTrue();
            }
        }
        // close() has joined its threads: none is left reading the file that is closed now
        readers.get(0).close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("vpnsleuth-reader"));
    }

    @Test
    void jobsComeFromThePropertyOrTheCores() {
        String old = System.getProperty(FrameFeed.JOBS_PROPERTY);
        try {
            System.clearProperty(FrameFeed.JOBS_PROPERTY);
            assertThat(FrameFeed.jobs()).isEqualTo(Runtime.getRuntime().availableProcessors());
            System.setProperty(FrameFeed.JOBS_PROPERTY, "1");
            assertThat(FrameFeed.jobs()).isEqualTo(1);
            System.setProperty(FrameFeed.JOBS_PROPERTY, "many");
            assertThatThrownBy(FrameFeed::jobs).hasMessageContaining("vpnsleuth.jobs=many");
        } finally {
            if (old == null) {
                System.clearProperty(FrameFeed.JOBS_PROPERTY);
            } else {
                System.setProperty(FrameFeed.JOBS_PROPERTY, old);
            }
        }
    }
}
