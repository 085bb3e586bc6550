package org.vpnsleuth.ike;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An offline wordlist attack on an Aggressive Mode PSK exchange (what ike-scan's psk-crack does for
 * its own probes): each word is tried as the PSK against AM2's HASH_R, in batches over the given
 * number of threads. For auditing weak keys of one's own gateways.
 */
public final class PskCrack {
    private PskCrack() {
    }

    /** The outcome: the key found (null when none), words tried, seconds spent. */
    public record Outcome(String psk, long tried, double seconds) {
        public double rate() {
            return seconds > 0 ? tried / seconds : 0;
        }
    }

    private static final int BATCH = 4096;

    public static Outcome run(AggressiveMode.Exchange x, BufferedReader words, int threads) throws IOException {
        long t0 = System.nanoTime();
        AtomicLong tried = new AtomicLong();
        AtomicReference<String> found = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> pending = new ArrayList<>();
            List<String> batch = new ArrayList<>(BATCH);
            for (String w; found.get() == null && (w = words.readLine()) != null; ) {
                batch.add(w);
                if (batch.size() == BATCH) {
                    pending.add(submit(pool, x, batch, tried, found));
                    batch = new ArrayList<>(BATCH);
                    if (pending.size() > 4 * threads) { // keep memory flat: wait for the oldest batches
                        wait(pending.remove(0));
                    }
                }
            }
            if (!batch.isEmpty()) {
                pending.add(submit(pool, x, batch, tried, found));
            }
            for (Future<?> f : pending) {
                wait(f);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(found.get(), tried.get(), (System.nanoTime() - t0) / 1e9);
    }

    private static Future<?> submit(ExecutorService pool, AggressiveMode.Exchange x, List<String> words, AtomicLong tried,
            AtomicReference<String> found) {
        return pool.submit(() -> {
            for (String w : words) {
                if (found.get() != null) {
                    return;
                }
                tried.incrementAndGet();
                if (x.matches(w.getBytes(StandardCharsets.UTF_8))) {
                    found.compareAndSet(null, w);
                    return;
                }
            }
        });
    }

    private static void wait(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }
}
