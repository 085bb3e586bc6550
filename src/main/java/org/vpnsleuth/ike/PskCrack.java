package org.vpnsleuth.ike;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.vpnsleuth.crypto.FixedMessageHmac;

/**
 * An offline wordlist attack on Aggressive Mode PSK exchanges (what ike-scan's psk-crack does for
 * its own probes): each word is tried as the PSK against AM2's HASH_R. For auditing weak keys of
 * one's own gateways.
 *
 * <p>Per word and exchange exactly two HMACs: SKEYID = prf(word, Ni_b | Nr_b), then HASH_R =
 * prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b). Both messages are fixed for an
 * exchange, so each is laid out once behind its key block ({@link FixedMessageHmac}) and a word
 * costs the hash compressions and nothing else: no allocation, no String. The wordlist is read as
 * bytes in large chunks cut at line ends by one thread and hashed by the others; a word is the
 * raw bytes of its line (any encoding), without the line end ({@code \n} or {@code \r\n}). Empty
 * lines are skipped. All exchanges are attacked in the same pass over the wordlist.
 */
public final class PskCrack {
    private PskCrack() {
    }

    /** The longest word tried, in bytes: a longer line is an error (a wordlist has no such lines). */
    public static final int MAX_WORD = 1024;
    /** Bytes per chunk handed to a worker: big enough that handing over costs nothing. */
    static final int CHUNK = 256 * 1024;

    /** The outcome: per exchange (in the order given) the key found or null; words tried; seconds spent. */
    public record Outcome(List<byte[]> keys, long tried, double seconds) {
        public double rate() {
            return seconds > 0 ? tried / seconds : 0;
        }
    }

    /** Live counters, for progress: words tried and wordlist bytes done so far. */
    public static final class Counters {
        final AtomicLong words = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        public long words() {
            return words.get();
        }

        public long bytes() {
            return bytes.get();
        }
    }

    /** A line longer than {@link #MAX_WORD}: not a wordlist (or not one this can use). */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long offset;

        LineTooLongException(long offset) {
            super("a line (at byte " + offset + ") is longer than " + MAX_WORD + " bytes, the longest key tried: not a wordlist?");
            this.offset = offset;
        }

        /** The byte offset in the wordlist where the line starts. */
        public long offset() {
            return offset;
        }
    }

    /** Tries words against one exchange; one per thread. */
    interface Checker {
        boolean matches(byte[] b, int off, int len);
    }

    /** The HMAC PRFs: two {@link FixedMessageHmac}s and HASH_R. */
    static final class HmacChecker implements Checker {
        private final FixedMessageHmac skeyid;
        private final FixedMessageHmac hashR;
        private final byte[] expected;
        private final byte[] key;
        private final byte[] out;

        HmacChecker(AggressiveMode.Exchange x) {
            String d = x.prf().digestName();
            skeyid = new FixedMessageHmac(d, x.ni(), x.nr());
            hashR = new FixedMessageHmac(d, x.gxr(), x.gxi(), IkeDecryption.be64(x.cookieR()), IkeDecryption.be64(x.cookieI()),
                    x.saiB(), x.idirB());
            expected = x.hashR();
            key = new byte[skeyid.length()];
            out = new byte[hashR.length()];
        }

        @Override
        public boolean matches(byte[] b, int off, int len) {
            skeyid.compute(b, off, len, key, 0);
            hashR.compute(key, 0, key.length, out, 0);
            return Arrays.equals(out, expected);
        }
    }

    static Checker checker(AggressiveMode.Exchange x) {
        if (x.prf().digestName() != null) {
            return new HmacChecker(x);
        }
        return (b, off, len) -> x.matches(Arrays.copyOfRange(b, off, off + len)); // AES PRFs: not seen in IKEv1
    }

    private record Chunk(byte[] buf, int len, long offset) {
    }

    private static final Chunk END = new Chunk(null, 0, 0);

    /**
     * Runs the attack on {@code threads} worker threads (plus the calling thread, which reads).
     * Stops when every exchange's key is found, or at the first key found when {@code first}.
     *
     * @throws LineTooLongException for a line longer than {@link #MAX_WORD} bytes
     */
    public static Outcome run(List<AggressiveMode.Exchange> xs, InputStream words, int threads, boolean first, Counters counters)
            throws IOException {
        long t0 = System.nanoTime();
        int n = Math.max(1, threads);
        Shared s = new Shared(xs.size(), first);
        BlockingQueue<Chunk> work = new ArrayBlockingQueue<>(2 * n + 2);
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(3 * n + 4);
        for (int i = 0; i < 3 * n + 4; i++) {
            free.add(new byte[CHUNK]);
        }
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> work(xs, s, work, free, counters), "psk-crack-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        try {
            read(words, s, work, free);
        } catch (IOException | RuntimeException e) {
            s.fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.fail(new IOException("interrupted"));
        } finally {
            for (int i = 0; i < n; i++) {
                put(work, END);
            }
            for (Thread t : workers) {
                join(t);
            }
        }
        Throwable e = s.error.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            keys.add(s.keys.get(i));
        }
        return new Outcome(keys, counters.words(), (System.nanoTime() - t0) / 1e9);
    }

    private static final class Shared {
        final AtomicReferenceArray<byte[]> keys;
        final AtomicLong left;
        final boolean first;
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile boolean stop;

        Shared(int n, boolean first) {
            keys = new AtomicReferenceArray<>(n);
            left = new AtomicLong(n);
            this.first = first;
        }

        void found(int i, byte[] b, int off, int len) {
            if (keys.compareAndSet(i, null, Arrays.copyOfRange(b, off, off + len)) && (left.decrementAndGet() == 0 || first)) {
                stop = true;
            }
        }

        void fail(Throwable e) {
            error.compareAndSet(null, e);
            stop = true;
        }
    }

    /** The reading thread: fills chunks, cuts them after their last line end, hands them over. */
    private static void read(InputStream in, Shared s, BlockingQueue<Chunk> work, BlockingQueue<byte[]> free)
            throws IOException, InterruptedException {
        byte[] buf = take(free, s);
        int have = 0; // bytes in buf (a carried partial line, then what was read)
        long offset = 0; // of buf[0] in the wordlist
        boolean eof = false;
        while (!s.stop && buf != null) {
            while (have < CHUNK) {
                int r = in.read(buf, have, CHUNK - have);
                if (r < 0) {
                    eof = true;
                    break;
                }
                have += r;
            }
            if (offset == 0 && have >= 3 && (buf[0] & 0xff) == 0xef && (buf[1] & 0xff) == 0xbb && (buf[2] & 0xff) == 0xbf) {
                // a UTF-8 byte order mark at the start says how the file is encoded; it is no part of the first word
                System.arraycopy(buf, 3, buf, 0, have - 3);
                have -= 3;
                offset = 3;
                if (!eof) {
                    continue;
                }
            }
            if (eof) {
                if (have > 0) {
                    work.put(new Chunk(buf, have, offset));
                }
                return;
            }
            int end = have;
            while (end > 0 && buf[end - 1] != '\n') {
                end--;
            }
            int tail = have - end;
            if (end == 0 || tail > MAX_WORD + 1) { // no line end in a full chunk, or a long line after the last
                throw new LineTooLongException(offset + end);
            }
            byte[] next = take(free, s);
            if (next == null) {
                return;
            }
            System.arraycopy(buf, end, next, 0, tail);
            work.put(new Chunk(buf, end, offset));
            offset += end;
            buf = next;
            have = tail;
        }
    }

    private static byte[] take(BlockingQueue<byte[]> free, Shared s) throws InterruptedException {
        while (!s.stop) {
            byte[] b = free.poll(50, TimeUnit.MILLISECONDS);
            if (b != null) {
                return b;
            }
        }
        return null;
    }

    /** A worker thread: the words of each chunk against the exchanges whose key is not yet known. */
    private static void work(List<AggressiveMode.Exchange> xs, Shared s, BlockingQueue<Chunk> work, BlockingQueue<byte[]> free,
            Counters counters) {
        Checker[] checkers = null;
        boolean[] done = new boolean[xs.size()];
        while (true) {
            Chunk c;
            try {
                c = work.take();
            } catch (InterruptedException e) {
                s.fail(new IOException("interrupted"));
                return;
            }
            if (c == END) {
                return;
            }
            try {
                if (!s.stop) {
                    if (checkers == null) {
                        checkers = new Checker[xs.size()];
                        for (int i = 0; i < checkers.length; i++) {
                            checkers[i] = checker(xs.get(i));
                        }
                    }
                    for (int i = 0; i < done.length; i++) {
                        done[i] = s.keys.get(i) != null;
                    }
                    counters.words.addAndGet(crack(c, checkers, done, s));
                    counters.bytes.addAndGet(c.len);
                }
            } catch (Throwable e) {
                s.fail(e);
            } finally {
                free.offer(c.buf);
            }
        }
    }

    /** The words of one chunk; returns how many were tried. */
    private static long crack(Chunk c, Checker[] checkers, boolean[] done, Shared s) throws LineTooLongException {
        byte[] b = c.buf;
        long tried = 0;
        int pos = 0;
        while (pos < c.len && !s.stop) {
            int nl = pos;
            while (nl < c.len && b[nl] != '\n') {
                nl++;
            }
            int end = nl > pos && b[nl - 1] == '\r' ? nl - 1 : nl;
            int len = end - pos;
            if (len > MAX_WORD) {
                throw new LineTooLongException(c.offset + pos);
            }
            if (len > 0) {
                tried++;
                for (int i = 0; i < checkers.length; i++) {
                    if (!done[i] && checkers[i].matches(b, pos, len)) {
                        done[i] = true;
                        s.found(i, b, pos, len);
                    }
                }
            }
            pos = nl + 1;
        }
        return tried;
    }

    private static void put(BlockingQueue<Chunk> q, Chunk c) {
        boolean interrupted = false;
        while (true) {
            try {
                q.put(c);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        if (org.vpnsleuth.base.Threads.joinUninterruptibly(t)) {
            Thread.currentThread().interrupt();
        }
    }
}
