package org.vpnsleuth.live;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.vpnsleuth.capture.Frame;

/**
 * The hand-over from the capture thread to the analysis thread: a bounded single-producer,
 * single-consumer ring, allocated once. Frame bytes go into one byte arena (frames laid end to end,
 * wrapping), their lengths, times and numbers into parallel slot arrays; nothing is allocated per
 * frame. When the arena or the slots are full the frame is not queued and is counted in
 * {@link #dropped()}: the analysis falling behind loses frames visibly, never silently
 * ({@code offered() == taken() + dropped() + queued()} at all times, {@code offered() == taken() +
 * dropped()} once drained).
 *
 * <p>Producer (one thread): {@link #reserve} room for a frame, copy its bytes into {@link #arena()}
 * at the offset returned, {@link #publish} it; or, when {@link #reserve} says -1, {@link #drop}. The
 * consumer (one other thread): {@link #take} a frame (a view over the arena, zero copy), use it,
 * {@link #release} it, and {@link #await} when the ring is empty. The consumer may take several
 * frames before releasing them (the analysis hands a batch to its ESP workers and decodes it
 * afterwards): {@link #release} gives back the oldest frame taken, so frames are released in the
 * order they were taken and the arena stays a ring. {@link #close} (producer side)
 * ends the stream: {@link #await} returns false once everything queued was taken.
 */
public final class FrameRing {
    private final byte[] arena;
    private final int arenaMask;
    private final int slotMask;
    private final long[] start;
    private final int[] capLen;
    private final int[] origLen;
    private final long[] nanos;
    private final long[] number;

    // producer
    /** Next byte position (monotonic; the arena offset is position & arenaMask). */
    private long writePos;
    /** The consumer's {@link #released} as last read (refreshed only when the ring looks full). */
    private long releasedCache;
    private long takenCache;
    private long reservedAt = -1;
    private volatile long offered;
    private volatile long dropped;
    /** Slots published (monotonic). */
    private volatile long head;
    private volatile boolean closed;

    // consumer
    /** Slots taken and released (monotonic). */
    private volatile long tail;
    /** Arena position up to which the consumer is done (the end of the last released frame). */
    private volatile long released;
    /** Slots taken (monotonic; {@code read - tail} frames are taken and not yet released). */
    private long read;
    private volatile Thread waiter;

    /**
     * @param arenaBytes bytes for frame data, rounded up to a power of two (at least 1 MiB; a frame
     *                   is never larger than a quarter of it, so a snaplen of 262144 needs 1 MiB)
     * @param slots      frames queued at most, rounded up to a power of two
     */
    public FrameRing(int arenaBytes, int slots) {
        int a = Integer.highestOneBit(Math.max(arenaBytes, 1 << 20) - 1) << 1;
        int s = Integer.highestOneBit(Math.max(slots, 2) - 1) << 1;
        arena = new byte[a];
        arenaMask = a - 1;
        slotMask = s - 1;
        start = new long[s];
        capLen = new int[s];
        origLen = new int[s];
        nanos = new long[s];
        number = new long[s];
    }

    public int arenaBytes() {
        return arena.length;
    }

    public int slots() {
        return slotMask + 1;
    }

    /** The bytes frames are copied into; write only at an offset {@link #reserve} returned. */
    public byte[] arena() {
        return arena;
    }

    // ------------------------------------------------------------------ producer

    /**
     * Room for a frame of {@code length} bytes: its offset in {@link #arena()}, or -1 when the ring
     * is full (then {@link #drop} it). Producer thread only.
     */
    public int reserve(int length) {
        if (length < 0 || length > arena.length >>> 2) {
            throw new IllegalArgumentException("frame of " + length + " bytes in an arena of " + arena.length);
        }
        long h = head;
        if (h - takenCache > slotMask) {
            takenCache = tail;
            if (h - takenCache > slotMask) {
                return -1;
            }
        }
        long pos = writePos;
        int off = (int) (pos & arenaMask);
        if (off + length > arena.length) {
            pos += arena.length - off; // the frame does not fit before the end: start it at 0
            off = 0;
        }
        if (pos + length - releasedCache > arena.length) {
            releasedCache = released;
            if (pos + length - releasedCache > arena.length) {
                return -1;
            }
        }
        reservedAt = pos;
        return off;
    }

    /** Queues the frame copied at the offset {@link #reserve} gave. Producer thread only. */
    public void publish(int capturedLength, int originalLength, long timestampNanos, long frameNumber) {
        if (reservedAt < 0) {
            throw new IllegalStateException("publish without reserve");
        }
        long h = head;
        int i = (int) (h & slotMask);
        start[i] = reservedAt;
        capLen[i] = capturedLength;
        origLen[i] = originalLength;
        nanos[i] = timestampNanos;
        number[i] = frameNumber;
        writePos = reservedAt + capturedLength;
        reservedAt = -1;
        offered++;
        head = h + 1; // volatile write: the slot is visible to the consumer from here
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** A frame the ring had no room for: counted, not queued. Producer thread only. */
    public void drop() {
        reservedAt = -1;
        offered++;
        dropped++;
    }

    /** No more frames: the consumer's {@link #await} returns false once it has taken everything queued. */
    public void close() {
        closed = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ------------------------------------------------------------------ consumer

    /**
     * Fills {@code f} (data, offset, lengths, time, number) with the oldest queued frame not taken
     * yet, a view over the arena valid until it is released; false when none is queued. Consumer
     * thread only.
     */
    public boolean take(Frame f) {
        long t = read;
        if (t == head) {
            return false;
        }
        int i = (int) (t & slotMask);
        f.data = arena;
        f.offset = (int) (start[i] & arenaMask);
        f.capturedLength = capLen[i];
        f.originalLength = origLen[i];
        f.timestampNanos = nanos[i];
        f.number = number[i];
        read = t + 1;
        return true;
    }

    /** Gives the oldest frame taken and not yet released back to the producer (none: nothing). Consumer thread only. */
    public void release() {
        long t = tail;
        if (t == read) {
            return;
        }
        int i = (int) (t & slotMask);
        released = start[i] + capLen[i];
        tail = t + 1;
    }

    /**
     * Waits until a frame is queued that was not taken (true), the ring is closed and has nothing
     * left to take (false), or {@code nanos} pass (true, possibly with nothing queued). Consumer
     * thread only.
     *
     * <p>While frames flow the consumer naps a millisecond at a time and looks again, so the
     * producer never has to wake it (an unpark per frame is a system call per frame on both
     * threads); only after {@link #NAPS} empty naps in a row does it sleep until the producer wakes it.
     */
    public boolean await(long waitNanos) {
        long until = System.nanoTime() + waitNanos;
        for (int spin = 0; read == head; spin++) {
            if (closed && read == head) {
                return false;
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (spin < 64) {
                Thread.onSpinWait();
            } else if (idleNaps < NAPS) {
                idleNaps++;
                LockSupport.parkNanos(this, Math.min(left, NAP_NANOS));
            } else {
                waiter = Thread.currentThread();
                if (read == head && !closed) { // checked again after announcing the wait: a publish in between unparks
                    LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                }
                waiter = null;
            }
        }
        idleNaps = 0;
        return true;
    }

    /** Naps of {@link #NAP_NANOS} with nothing queued before the consumer sleeps until woken. */
    static final int NAPS = 50;
    static final long NAP_NANOS = 1_000_000L;
    private int idleNaps;

    // ------------------------------------------------------------------ counters (any thread)

    /** Frames handed to the ring (queued or dropped). */
    public long offered() {
        return offered;
    }

    /** Frames the ring had no room for. */
    public long dropped() {
        return dropped;
    }

    /** Frames taken and released by the consumer. */
    public long taken() {
        return tail;
    }

    /** Frames queued now (taken and not released included: they hold their room). */
    public long queued() {
        return head - tail;
    }
}
