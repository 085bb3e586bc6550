package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One exchange of an IKE SA: IKEv1 phase 1 (Main or Aggressive Mode, by position), a Quick Mode,
 * an Informational or a Transaction (by message ID); IKEv2 a request and its response (by message
 * ID and which side asked). {@code messages} holds each distinct message once, in order;
 * retransmissions hang off the message they repeat.
 */
public final class IkeExchange implements java.io.Serializable {
    public final String kind;
    public final int exchangeType;
    public final long messageId;
    /** Asked by the IKE SA's original initiator (null when the capture cannot tell). */
    public final Boolean byInitiator;
    /** 1 for the first attempt; an IKE_SA_INIT repeated after INVALID_KE_PAYLOAD or COOKIE is attempt 2... */
    public final int attempt;
    public final List<IkeMessage> messages = new ArrayList<>();

    IkeExchange(String kind, int exchangeType, long messageId, Boolean byInitiator, int attempt) {
        this.kind = kind;
        this.exchangeType = exchangeType;
        this.messageId = messageId;
        this.byInitiator = byInitiator;
        this.attempt = attempt;
    }

    /** The first request (IKEv2) or first message (IKEv1), or null. */
    public IkeMessage request() {
        for (IkeMessage m : messages) {
            if (!m.response) {
                return m;
            }
        }
        return null;
    }

    /** The first response, or null. */
    public IkeMessage response() {
        for (IkeMessage m : messages) {
            if (m.response) {
                return m;
            }
        }
        return null;
    }

    public IkeMessage last() {
        return messages.isEmpty() ? null : messages.get(messages.size() - 1);
    }

    /** Round-trip time of the first request/response pair in nanoseconds (from the last copy of the request sent before the response), or -1. */
    public long roundTripNanos() {
        IkeMessage q = request();
        IkeMessage r = response();
        if (q == null || r == null) {
            return -1;
        }
        long sent = q.at.nanos();
        for (IkeMessage copy : q.retransmissions) {
            if (copy.at.nanos() <= r.at.nanos()) {
                sent = copy.at.nanos();
            }
        }
        return r.at.nanos() - sent;
    }
}
