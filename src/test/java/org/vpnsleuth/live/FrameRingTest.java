package org.vpnsleuth.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vpnsleuth.capture.Frame;

/**
 * The hand-over between the capture and the analysis thread: what the consumer cannot take is
 * counted, never lost silently, and what it takes is intact. Frame i is {@link #size(long)} bytes,
 * every byte derived from i, so the consumer checks each frame against the producer's recipe, not
 * against what the ring says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameRingTest {
    /** Sizes from 1 byte to about 3 KB, so that frames wrap around the arena at every offset. */
    static int size(long i) {
        return (int) (1 + (i * 7919) % 3000);
    }

    /** Frames 1..n of {@link #size} bytes {@link #at}, waiting for room instead of dropping, then the ring closed. */
    static Thread waitingProducer(FrameRing ring, long n) {
        return new Thread(() -> {
            for (long i = 1; i <= n; i++) {
                int len = size(i);
                int off;
                while ((off = ring.reserve(len)) < 0) {
                    Thread.onSpinWait();
                }
                byte[] a = ring.arena();
                for (int k = 0; k < len; k++) {
                    a[off + k] = at(i, k);
                }
                ring.publish(len, len + 4, 1_000L * i, i);
            }
            ring.close();
        });
    }

    static byte at(long i, int k) {
        return (byte) (i * 31 + k * 7);
    }

    /** Offers {@code n} frames as fast as it can (the capture thread): queued, or dropped when full. */
    static Thread producer(FrameRing ring, long n) {
        Thread t = new Thread(() -> {
            for (long i = 1; i <= n; i++) {
                int len = size(i);
                int off = ring.reserve(len);
                if (off < 0) {
                    ring.drop();
                    continue;
                }
                byte[] a = ring.arena();
                for (int k = 0; k < len; k++) {
                    a[off + k] = at(i, k);
                }
                ring.publish(len, len + 4, 1_000L * i, i);
            }
            ring.close();
        }, "producer");
        t.start();
        return t;
    }

    /** Takes everything until the ring is closed and drained, checking each frame; returns the numbers taken. */
    static List<Long> consume(FrameRing ring, long workNanosPerFrame) {
        List<Long> got = new ArrayList<>();
        Frame f = new Frame();
        while (true) {
            if (ring.take(f)) {
                long i = f.number;
                assertThat(f.capturedLength).isEqualTo(size(i));
                assertThat(f.originalLength).isEqualTo(size(i) + 4);
                assertThat(f.timestampNanos).isEqualTo(1_000L * i);
                for (int k = 0; k < f.capturedLength; k++) {
                    if (f.data[f.offset + k] != at(i, k)) {
                        throw new AssertionError("frame " + i + " byte " + k + " overwritten");
                    }
                }
                long until = System.nanoTime() + workNanosPerFrame;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a slow analysis
                }
                ring.release();
                got.add(i);
            } else if (!ring.await(50_000_000L)) {
                return got;
            }
        }
    }

    @Test
    void aSlowConsumerLosesFramesThatAreCountedAndGetsTheOthersIntact() throws Exception {
        long n = 200_000;
        FrameRing ring = new FrameRing(1 << 20, 256);
        Thread p = producer(ring, n);
        List<Long> got = consume(ring, 20_000); // 20 µs a frame: at most 50,000 frames a second
        p.join();
        assertThat(ring.dropped()).as("frames the slow consumer could not take").isPositive();
        assertThat(ring.offered()).isEqualTo(n);
        assertThat((long) got.size()).isEqualTo(ring.taken());
        assertThat(ring.taken() + ring.dropped()).as("received = analysed + droppedInternal").isEqualTo(n);
        for (int k = 1; k < got.size(); k++) {
            assertThat(got.get(k)).isGreaterThan(got.get(k - 1)); // in capture order, none twice
        }
    }

    @Test
    void aConsumerThatKeepsUpGetsEveryFrameInOrder() throws Exception {
        long n = 100_000;
        FrameRing ring = new FrameRing(1 << 20, 1 << 16);
        // the producer waits for room instead of dropping: every frame must come through, across many wraps
        Thread p = waitingProducer(ring, n);
        p.start();
        List<Long> got = consume(ring, 0);
        p.join();
        assertThat(got).hasSize((int) n);
        for (int k = 0; k < got.size(); k++) {
            assertThat(got.get(k)).isEqualTo(k + 1L);
        }
        assertThat(ring.dropped()).isZero();
        assertThat(ring.queued()).isZero();
    }

    @Test
    void fullWhenTheSlotsRunOutBeforeTheBytes() {
        FrameRing ring = new FrameRing(1 << 20, 4);
        for (int i = 0; i < 4; i++) {
            assertThat(ring.reserve(100)).isGreaterThanOrEqualTo(0);
            ring.publish(100, 100, i, i + 1);
        }
        assertThat(ring.reserve(100)).isEqualTo(-1);
        ring.drop();
        Frame f = new Frame();
        assertThat(ring.take(f)).isTrue();
        assertThat(f.number).isEqualTo(1);
        ring.release();
        assertThat(ring.reserve(100)).isGreaterThanOrEqualTo(0);
        assertThat(ring.offered()).isEqualTo(5);
        assertThat(ring.dropped()).isEqualTo(1);
    }

    @Test
    void framesTakenAheadStayIntactUntilReleasedInOrder() throws Exception {
        // the analysis with ESP workers takes a batch of frames, then releases them one by one as it decodes them
        long n = 100_000;
        FrameRing ring = new FrameRing(1 << 20, 256);
        Thread p = waitingProducer(ring, n);
        p.start();
        Frame[] batch = new Frame[100];
        for (int k = 0; k < batch.length; k++) {
            batch[k] = new Frame();
        }
        long expect = 1;
        while (true) {
            int got = 0;
            while (got < batch.length && ring.take(batch[got])) {
                got++;
            }
            if (got == 0) {
                if (!ring.await(50_000_000L)) {
                    break;
                }
                continue;
            }
            for (int j = 0; j < got; j++) { // every frame of the batch still intact while the later ones are held
                Frame f = batch[j];
                assertThat(f.number).isEqualTo(expect++);
                for (int k = 0; k < f.capturedLength; k++) {
                    if (f.data[f.offset + k] != at(f.number, k)) {
                        throw new AssertionError("frame " + f.number + " byte " + k + " overwritten while taken");
                    }
                }
                ring.release();
            }
        }
        p.join();
        assertThat(expect - 1).isEqualTo(n);
        assertThat(ring.taken()).isEqualTo(n);
        assertThat(ring.queued()).isZero();
        ring.release(); // nothing taken: nothing happens
        assertThat(ring.taken()).isEqualTo(n);
    }
}
