package org.vpnsleuth.pipeline;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.decode.Decoder;

/**
 * Worker threads that open the ESP packets of batches of frames ahead of their turn
 * ({@link EspDecryption#early}: the costly, stateless part of decryption, each worker with its own
 * JCE objects, so packets of one SPI in parallel too). The one design shared by the file pipeline
 * ({@link FrameFeed}: a reader thread fills the batches) and {@code live} (the analysis thread
 * fills them with views over its frame ring): whoever fills a batch {@link #submit}s it, and the
 * thread that decodes waits for it ({@link Batch#await}), then, frame by frame in order, hands each
 * frame's answer to its decoder ({@link #offer}) just before decoding it. The decoder takes an
 * answer only for the same bytes with the SPI's keys, first key and ESN bits unchanged, and applies
 * its effects in frame order, so the output does not depend on the workers. A worker that fails on
 * a frame leaves no answer for it (the decoder opens that packet itself), never loses a frame.
 */
public final class EspWorkers implements AutoCloseable {
    /** Frames (views: the filler owns their bytes until the batch is done with), the decoder of each and the answers opened ahead. */
    public static class Batch {
        public final Frame[] frames;
        final int[] files;
        final EspDecryption.Early[] early;
        /** Frames in the batch. */
        public int n;
        private boolean done;

        public Batch(int capacity) {
            frames = new Frame[capacity];
            files = new int[capacity];
            early = new EspDecryption.Early[capacity];
            for (int i = 0; i < capacity; i++) {
                frames[i] = new Frame();
                early[i] = new EspDecryption.Early();
            }
        }

        public final int capacity() {
            return frames.length;
        }

        /** Empties the batch for filling again. */
        public void reset() {
            n = 0;
            synchronized (this) {
                done = false;
            }
        }

        /** The next slot to fill, for a frame of decoder {@code file}; its frame is filled by the caller. */
        public final Frame add(int file) {
            files[n] = file;
            early[n].clear();
            return frames[n++];
        }

        /** Done: the workers have looked at every frame (or nothing was submitted). */
        public final synchronized void finish() {
            done = true;
            notifyAll();
        }

        public final synchronized void await() throws InterruptedException {
            while (!done) {
                wait();
            }
        }
    }

    private final EspDecryption[] esps;
    private final BlockingQueue<Batch> work;
    private final Thread[] threads;
    private volatile boolean stop;

    /**
     * {@code count} workers for frames of the decoders whose ESP decryption is {@code esps[file]}
     * (null: nothing to open for that file); at most {@code queued} batches submitted and not yet
     * taken by a worker (the filler circulates no more than that, so {@link #submit} never waits).
     */
    public EspWorkers(EspDecryption[] esps, int count, int queued, String name) {
        this.esps = esps;
        work = new ArrayBlockingQueue<>(Math.max(1, queued));
        threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            threads[i] = new Thread(this::work, name + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    /**
     * The ESP decryption of each decoder (null where it has none), or null when no decoder has
     * one: then there is nothing to open ahead.
     */
    public static EspDecryption[] of(java.util.List<Decoder> decoders) {
        EspDecryption[] esps = new EspDecryption[decoders.size()];
        boolean any = false;
        for (int i = 0; i < esps.length; i++) {
            esps[i] = decoders.get(i).esp instanceof EspDecryption e ? e : null;
            any |= esps[i] != null;
        }
        return any ? esps : null;
    }

    public int count() {
        return threads.length;
    }

    /** Queues {@code b} for the workers (or marks it done at once when there are none or it is empty). */
    public void submit(Batch b) {
        if (threads.length == 0 || b.n == 0) {
            b.finish();
        } else if (!work.offer(b)) {
            throw new IllegalStateException("more batches submitted than the workers were made for");
        }
    }

    /** Hands the answer opened ahead for frame {@code i} of {@code b} (a done batch) to its decoder; call just before decoding it. */
    public void offer(Batch b, int i) {
        EspDecryption esp = esps[b.files[i]];
        if (esp != null) {
            EspDecryption.Early e = b.early[i];
            esp.offer(e.holds() ? e : null);
        }
    }

    /** A worker thread: the ESP packets of each batch opened ahead, with its own cipher objects. */
    private void work() {
        EspDecryption.Openers openers = new EspDecryption.Openers();
        while (!stop) {
            Batch b;
            try {
                b = work.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                for (int i = 0; i < b.n && !stop; i++) {
                    EspDecryption.Early e = b.early[i];
                    try {
                        EspDecryption esp = esps[b.files[i]];
                        long at = esp == null ? -1 : espAt(b.frames[i]);
                        if (at >= 0) {
                            esp.early(b.frames[i].data, (int) (at >>> 32), (int) at, openers, e);
                        }
                    } catch (Throwable x) { // even an Error: the worker must live on, or the batches behind would wait forever
                        e.clear(); // the decoder opens this one itself
                    }
                }
            } finally {
                b.finish();
            }
        }
    }

    /** Stops and joins the workers; every decoder's pending answer is dropped. */
    @Override
    public void close() {
        stop = true;
        for (Thread w : threads) {
            w.interrupt();
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            interrupted |= org.vpnsleuth.base.Threads.joinUninterruptibly(t);
        }
        for (EspDecryption e : esps) {
            if (e != null) {
                e.offer(null);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where the ESP packet of a frame probably is, as (offset << 32 | end), or -1: a quick look at
     * the link, IPv4 (not a fragment) or IPv6 header and UDP, without the decoder's state. Only a
     * guess to open ahead: the decoder takes an answer only for the exact bytes it decodes as ESP
     * itself, so a wrong guess costs time, never a different result.
     */
    static long espAt(Frame f) {

        byte[] b = f.data;
        int off = f.offset;
        int end = f.offset + f.capturedLength;
        int ip;
        switch (f.linkType) {
            case 1: { // Ethernet, VLAN tags
                int type = end - off >= 14 ? u16(b, off + 12) : -1;
                ip = off + 14;
                while ((type == 0x8100 || type == 0x88a8) && end - ip >= 4) {
                    type = u16(b, ip + 2);
                    ip += 4;
                }
                if (type != 0x0800 && type != 0x86dd) {
                    return -1;
                }
                break;
            }
            case 113: // Linux cooked (SLL)
                ip = off + 16;
                if (end - off < 16 || u16(b, off + 14) != 0x0800 && u16(b, off + 14) != 0x86dd) {
                    return -1;
                }
                break;
            case 276: // SLL2
                ip = off + 20;
                if (end - off < 20 || u16(b, off) != 0x0800 && u16(b, off) != 0x86dd) {
                    return -1;
                }
                break;
            case 0: case 108: // BSD loopback: a 4-byte family, then IP
                ip = off + 4;
                break;
            case 12: case 14: case 101: case 228: case 229: // raw IP
                ip = off;
                break;
            default:
                return -1;
        }
        if (end - ip < 20) {
            return -1;
        }
        int version = (b[ip] & 0xf0) >> 4;
        int proto;
        int payload;
        int ipEnd;
        if (version == 4) {
            int ihl = (b[ip] & 0x0f) * 4;
            int total = u16(b, ip + 2);
            if (ihl < 20 || total < ihl || (u16(b, ip + 6) & 0x3fff) != 0) {
                return -1; // a fragment: the decoder reassembles it
            }
            proto = b[ip + 9] & 0xff;
            payload = ip + ihl;
            ipEnd = Math.min(end, ip + total);
        } else if (version == 6 && end - ip >= 40) {
            proto = b[ip + 6] & 0xff;
            payload = ip + 40;
            ipEnd = Math.min(end, payload + u16(b, ip + 4));
        } else {
            return -1;
        }
        if (proto == 50) {
            return payload + 8 <= ipEnd ? (long) payload << 32 | ipEnd : -1;
        }
        if (proto != 17 || ipEnd - payload < 16) {
            return -1;
        }
        int sport = u16(b, payload);
        int dport = u16(b, payload + 2);
        int len = u16(b, payload + 4);
        if (sport == 500 || dport == 500 || len < 16) {
            return -1;
        }
        int esp = payload + 8;
        int espEnd = Math.min(ipEnd, payload + len);
        if (espEnd - esp < 8 || b[esp] == 0 && b[esp + 1] == 0 && b[esp + 2] == 0 && b[esp + 3] == 0) {
            return -1; // the non-ESP marker: IKE
        }
        return (long) esp << 32 | espEnd;
    }

    private static int u16(byte[] b, int o) {
        return (b[o] & 0xff) << 8 | (b[o + 1] & 0xff);
    }
}
