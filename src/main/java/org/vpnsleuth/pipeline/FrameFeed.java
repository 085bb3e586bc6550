package org.vpnsleuth.pipeline;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;

/**
 * The frames of one or more capture files in the order the decoders and the tracker take them:
 * merged by capture time (the earliest pending frame of any file first; on equal times the file
 * given first), each file in its own order, at most {@code limit} frames. The producer side of
 * the pipeline: read → (ESP opened ahead) → decode → track, where decode and track run on the
 * caller's thread, frame by frame, exactly as they would without threads.
 *
 * <p>With more than one job ({@link #jobs()}): a reader thread reads every file (pcap, pcapng,
 * gzip inflate included) and copies the frames into batches of reused buffers; when a decoder
 * has ESP keys, worker threads open the ESP packets of each batch ahead of their turn
 * ({@link EspDecryption#early}: the costly, stateless part of decryption, packets of one SPI in
 * parallel too); the caller takes the batches in the order they were read and hands each frame's
 * answer to its decoder just before decoding it ({@link EspDecryption#offer}), which takes it only
 * when it is for the same bytes and the SPI's keys, first key and ESN bits are still what they
 * were, and applies its effects (counts, replay and ESN state) in frame order. Everything stateful
 * (IP reassembly, TCP streams, IKE decoding and decryption, IKEv1 IV chains, the tracker) stays on
 * one thread in capture order, so the output is the same with any number of jobs. Memory is
 * bounded: a fixed number of batches circulate between the threads; a worker that fails on a frame
 * leaves no answer for it (the decoder opens that packet itself), never loses or moves a frame.
 *
 * <p>With one job (system property {@value #JOBS_PROPERTY}=1): the frames are read on the caller's
 * thread, from the readers' own buffers, as before.
 */
public abstract class FrameFeed implements AutoCloseable {
    /** The number of threads the pipeline uses (reader, workers and the caller's); default: the machine's cores. */
    public static final String JOBS_PROPERTY = "vpnsleuth.jobs";
    /** Frames per batch, and the bytes a batch's buffer starts with (it grows for a larger frame). */
    static final int BATCH_FRAMES = 256;
    static final int BATCH_BYTES = 256 * 1024;

    protected Frame frame;
    protected int file;

    /** The current frame (valid until the next {@link #next()}). */
    public final Frame frame() {
        return frame;
    }

    /** The index of the current frame's file, in the order of the readers. */
    public final int file() {
        return file;
    }

    /** Moves to the next frame; false at the end. Throws what a reader threw, after the frames before it. */
    public abstract boolean next();

    /** Stops the threads (a caller that stops early must close); the readers stay open. */
    @Override
    public abstract void close();

    /** The jobs of {@value #JOBS_PROPERTY}, or the machine's cores when it is not set (at least 1). */
    public static int jobs() {
        String v = System.getProperty(JOBS_PROPERTY);
        if (v != null && !v.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + JOBS_PROPERTY + "=" + v + " is not a number of threads");
            }
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** The frames of {@code readers} for {@code decoders} (one per reader), with {@link #jobs()} threads. */
    public static FrameFeed open(List<CaptureReader> readers, List<Decoder> decoders, long limit) {
        return open(readers, decoders, limit, jobs());
    }

    /**
     * The frames of {@code readers}, at most {@code limit}, for {@code decoders} (one per reader,
     * set up already: their ESP keys decide whether workers open ESP ahead), with {@code jobs}
     * threads in all (1: none besides the caller's).
     */
    public static FrameFeed open(List<CaptureReader> readers, List<Decoder> decoders, long limit, int jobs) {
        if (jobs <= 1) {
            return new Sequential(readers, limit);
        }
        EspDecryption[] esps = EspWorkers.of(decoders);
        return new Threaded(readers, limit, esps, esps != null ? jobs - 1 : 0);
    }

    /** The merge by capture time, shared by both ways: the pending frame of each file, read one ahead. */
    static final class Merge {
        final List<CaptureReader> readers;
        final Frame[] pending;
        final boolean[] has;
        final long limit;
        long taken;
        private boolean started;

        Merge(List<CaptureReader> readers, long limit) {
            this.readers = readers;
            this.limit = limit;
            pending = new Frame[readers.size()];
            has = new boolean[readers.size()];
        }

        /** The file whose pending frame comes next, or -1 at the end; reads the first frames on first use. */
        int peek() {
            if (!started) {
                started = true;
                if (limit <= 0) {
                    return -1;
                }
                for (int i = 0; i < pending.length; i++) {
                    pending[i] = new Frame();
                    has[i] = readers.get(i).next(pending[i]);
                }
            }
            if (taken >= limit) {
                return -1;
            }
            int next = -1;
            for (int i = 0; i < pending.length; i++) {
                if (has[i] && (next < 0 || pending[i].timestampNanos < pending[next].timestampNanos)) {
                    next = i;
                }
            }
            return next;
        }

        /** Done with the pending frame of file {@code i}: the next one of that file is read (not past the limit). */
        void taken(int i) {
            taken++;
            has[i] = taken < limit && readers.get(i).next(pending[i]);
        }
    }

    /** One thread: the readers' frames as they are. */
    static final class Sequential extends FrameFeed {
        private final Merge merge;
        private int last = -1;

        Sequential(List<CaptureReader> readers, long limit) {
            merge = new Merge(readers, limit);
        }

        @Override
        public boolean next() {
            if (last >= 0) {
                merge.taken(last);
                last = -1;
            }
            int i = merge.peek();
            if (i < 0) {
                return false;
            }
            last = i;
            file = i;
            frame = merge.pending[i];
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Frames copied into one buffer, with the file of each and what was opened ahead for it. */
    static final class Batch extends EspWorkers.Batch {
        byte[] bytes = new byte[BATCH_BYTES];
        int used;
        /** The buffer is larger than {@link #BATCH_BYTES}, for one large frame (at most one such batch circulates). */
        boolean oversize;
        /** The last batch: nothing follows it; {@code error}, when set, is what stopped the reading. */
        boolean last;
        Throwable error;

        Batch() {
            super(BATCH_FRAMES);
        }

        @Override
        public void reset() {
            used = 0;
            last = false;
            error = null;
            super.reset();
        }

        /** True when {@code f} fits in (a frame larger than an empty batch's buffer never does: see {@link Threaded#read}). */
        boolean fits(Frame f) {
            return n < BATCH_FRAMES && used + f.capturedLength <= bytes.length;
        }

        /** Copies {@code f} in (it {@link #fits}). */
        void add(Frame f, int file) {
            int len = f.capturedLength;
            System.arraycopy(f.data, f.offset, bytes, used, len);
            Frame c = add(file);
            c.data = bytes;
            c.offset = used;
            c.capturedLength = len;
            c.originalLength = f.originalLength;
            c.timestampNanos = f.timestampNanos;
            c.linkType = f.linkType;
            c.interfaceId = f.interfaceId;
            c.number = f.number;
            c.comment = f.comment;
            c.source = f.source;
            used += len;
        }
    }

    /** A reader thread, workers for ESP, and the caller. */
    static final class Threaded extends FrameFeed {
        private final Merge merge;
        private final BlockingQueue<Batch> free;
        private final BlockingQueue<Batch> ordered;
        private final Thread reader;
        /** The ESP workers, or null without keys. */
        private final EspWorkers workers;
        private volatile boolean stop;
        /** Batches with a buffer for one large frame, in circulation (0 or 1). */
        private final java.util.concurrent.atomic.AtomicInteger oversize = new java.util.concurrent.atomic.AtomicInteger();
        private Batch current;
        private int index;
        private boolean finished;

        Threaded(List<CaptureReader> readers, long limit, EspDecryption[] esps, int workerCount) {
            merge = new Merge(readers, limit);
            int batches = 4 + 2 * workerCount;
            free = new ArrayBlockingQueue<>(batches);
            ordered = new ArrayBlockingQueue<>(batches);
            for (int i = 0; i < batches; i++) {
                free.add(new Batch());
            }
            workers = workerCount > 0 ? new EspWorkers(esps, workerCount, batches, "vpnsleuth-esp-") : null;
            reader = new Thread(this::read, "vpnsleuth-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The reader thread: batches filled in capture order, handed to the workers and, in that order, to the caller. */
        private void read() {
            try {
                boolean end = false;
                while (!end && !stop) {
                    Batch b = null;
                    while (b == null && !stop) {
                        b = free.poll(100, TimeUnit.MILLISECONDS);
                    }
                    if (b == null) {
                        return;
                    }
                    b.reset();
                    try {
                        while (true) {
                            int i = merge.peek();
                            if (i < 0) {
                                b.last = true;
                                break;
                            }
                            Frame f = merge.pending[i];
                            if (!b.fits(f)) {
                                if (b.n > 0) {
                                    break; // the frame stays pending (the reader has not moved on) and opens the next batch
                                }
                                // a frame larger than a batch: its own buffer, one such at a time (records reach 64 MiB)
                                while (oversize.get() > 0 && !stop) {
                                    Thread.sleep(1);
                                }
                                if (stop) {
                                    return;
                                }
                                oversize.incrementAndGet();
                                b.bytes = new byte[f.capturedLength];
                                b.oversize = true;
                            }
                            b.add(f, i);
                            merge.taken(i);
                        }
                    } catch (Throwable t) { // what the caller would have met reading: it meets it after the frames before
                        b.last = true;
                        b.error = t;
                    }
                    end = b.last;
                    if (workers != null) {
                        workers.submit(b); // never waits: its queue holds every batch in circulation
                    } else {
                        b.finish();
                    }
                    if (!offer(ordered, b)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean offer(BlockingQueue<Batch> q, Batch b) throws InterruptedException {
            while (!stop) {
                if (q.offer(b, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean next() {
            if (finished) {
                return false;
            }
            while (current == null || ++index >= current.n) {
                if (current != null) {
                    if (current.last) {
                        finished = true;
                        Throwable t = current.error;
                        if (t instanceof RuntimeException r) {
                            throw r;
                        } else if (t instanceof Error e) {
                            throw e;
                        } else if (t != null) {
                            throw new IllegalStateException(t);
                        }
                        return false;
                    }
                    if (current.oversize) {
                        current.bytes = new byte[BATCH_BYTES];
                        current.oversize = false;
                        oversize.decrementAndGet();
                    }
                    free.add(current);
                }
                try {
                    current = ordered.take();
                    current.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading the capture", e);
                }
                index = -1;
            }
            frame = current.frames[index];
            file = current.files[index];
            if (workers != null) {
                workers.offer(current, index);
            }
            return true;
        }

        @Override
        public void close() {
            stop = true;
            if (workers != null) {
                workers.close();
            }
            if (org.vpnsleuth.base.Threads.joinUninterruptibly(reader)) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
