package org.vpnsleuth.track;

/**
 * Told by the {@link Tracker} of each change as a frame is tracked: the source of live events
 * (live/LiveMonitor). Called on the tracking thread, inside {@link Tracker#add}; a listener must
 * not change the tracker. Every method has an empty default.
 */
public interface TrackerListener {
    TrackerListener NONE = new TrackerListener() { };

    /** A new IKE SA (a new initiator SPI or cookie); {@link #ikeMessage} follows for its first message. */
    default void ikeSaOpened(IkeSa sa) {
    }

    /** A message of {@code sa}: a new one, or a retransmission ({@code m.retransmissionOf != null}). */
    default void ikeMessage(IkeSa sa, IkeMessage m) {
    }

    /** The plaintext of {@code m} (tracked just before, same frame) was read: its facts are in {@code m} now. */
    default void ikeDecrypted(IkeSa sa, IkeMessage m) {
    }

    /** The first packet of a new ESP or AH flow (one direction of an SA). */
    default void flowOpened(EspFlow f) {
    }

    default void icmpError(IcmpError e) {
    }
}
