package org.vpnsleuth.report;

import java.util.List;
import java.util.function.Consumer;

/**
 * Going through a long list whose elements are costly to get (IKE SAs and encapsulation sizes
 * written out while the capture was read and read back by {@code get}: deserialization, the edits
 * of the rules across SAs) while the caller writes each one out: the elements are got in order on
 * another thread, some batches ahead of the caller, so that getting the next ones and writing this
 * one use both cores. Only that thread calls {@code get} while this runs (the lists are read by one
 * thread at a time); an element is handed over once {@code get} returned it and is not touched by
 * that thread again. A failure to get an element is thrown to the caller when it reaches that
 * element, as if it had called {@code get} itself; the caller failing stops the other thread (it is told so and ends within 50 ms, never interrupted).
 */
final class Ahead {
    /** Shorter lists, and lists held in memory, are gone through on the caller's thread. */
    static final int MIN = 256;
    /** Elements handed over at a time (one wake-up of either thread per batch, not per element). */
    private static final int BATCH = 8;
    /**
     * Batches got ahead of the caller at most: with the batch being got and the one being written,
     * at most 40 elements are held (an SA read back holds its whole story: memory stays bounded).
     */
    private static final int BATCHES = 3;

    private Ahead() {
    }

    /** A batch of elements, or the failure that ended the batches ({@code failure} not null). */
    private record Batch(Object[] items, int count, Throwable failure) {
    }

    /** {@code each} for every element of {@code list} in order; the elements are got ahead on another thread when the list is long and not held in memory. */
    static <T> void forEach(List<T> list, Consumer<? super T> each) {
        int n = list.size();
        if (n < MIN || list instanceof java.util.ArrayList || list instanceof java.util.RandomAccess && list.getClass().getName().startsWith("java.")) {
            for (int i = 0; i < n; i++) {
                each.accept(list.get(i));
            }
            return;
        }
        java.util.concurrent.ArrayBlockingQueue<Batch> queue = new java.util.concurrent.ArrayBlockingQueue<>(BATCHES);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread getter = new Thread(() -> {
            for (int i = 0; i < n && !stop.get();) {
                int count = Math.min(BATCH, n - i);
                Object[] items = new Object[count];
                Throwable failure = null;
                int k = 0;
                try {
                    for (; k < count; k++) {
                        items[k] = list.get(i + k);
                    }
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
                if (!hand(queue, new Batch(items, k, failure), stop) || failure != null) {
                    return;
                }
                i += count;
            }
        }, "vpnsleuth-report-ahead");
        getter.setDaemon(true);
        getter.start();
        try {
            for (int i = 0; i < n;) {
                Batch b = take(queue);
                for (int k = 0; k < b.count(); k++) {
                    @SuppressWarnings("unchecked")
                    T t = (T) b.items()[k];
                    each.accept(t);
                }
                i += b.count();
                if (b.failure() != null) {
                    if (b.failure() instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) b.failure();
                }
            }
        } finally {
            // never interrupted (an interrupt closes the file channel a read-back may be using): told to stop, it
            // sees so within a wait of the queue
            stop.set(true);
            org.vpnsleuth.base.Threads.joinUninterruptibly(getter);
        }
    }

    /** Puts {@code b} in the queue unless told to stop first; false when stopped. */
    private static boolean hand(java.util.concurrent.BlockingQueue<Batch> queue, Batch b,
            java.util.concurrent.atomic.AtomicBoolean stop) {
        while (!stop.get()) {
            try {
                if (queue.offer(b, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                return false; // nobody interrupts this thread; if someone did, it stops
            }
        }
        return false;
    }

    private static Batch take(java.util.concurrent.BlockingQueue<Batch> queue) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    interrupted = true; // the report is finished all the same; the flag is set again after
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
