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
