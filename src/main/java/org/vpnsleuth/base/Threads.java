package org.vpnsleuth.base;

/** Thread helpers shared by the stages that run work on their own threads. */
public final class Threads {
    private Threads() {
    }

    /**
     * Waits for {@code t} to end, going on waiting when this thread is interrupted meanwhile (a
     * stage must not leave a thread of its own running). Returns true when it was interrupted: the
     * caller sets the interrupt flag again once its own cleanup is done.
     */
    /**
     * The result of work done on another thread, its failure thrown here as if the work had been done
     * on this thread; interrupted while waiting, the flag is set again and {@code what} (what was
     * being waited for) says so.
     */
    public static <T> T await(java.util.concurrent.Future<T> f, String what) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public static boolean joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }
}
