package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * A PPTP control connection (TCP to port 1723, RFC 2637): the TCP handshake as far as it went, the
 * control messages in order and the calls.
 */
public final class PptpControl {
    public final int file;
    public final Endpoint client;
    public final Endpoint server;
    public FrameRef syn;
    public int synCount;
    public FrameRef synAck;
    /** The server answered the SYN with a reset (nothing listens on 1723). */
    public FrameRef refused;
    /** First FIN or RST of each side after the handshake. */
    public FrameRef clientClosed;
    public FrameRef serverClosed;
    public boolean serverReset;
    public final List<PptpMessage> messages = new ArrayList<>();
    public final List<PptpCall> calls = new ArrayList<>();

    PptpControl(int file, Endpoint client, Endpoint server) {
        this.file = file;
        this.client = client;
        this.server = server;
    }

    public PptpMessage first(int type) {
        for (PptpMessage m : messages) {
            if (m.type == type) {
                return m;
            }
        }
        return null;
    }

    public long firstNanos() {
        if (syn != null) {
            return syn.nanos();
        }
        return messages.isEmpty() ? 0 : messages.get(0).at.nanos();
    }

    /** The time the connection ended (first FIN/RST of either side), or -1. */
    public FrameRef closed() {
        if (clientClosed == null) {
            return serverClosed;
        }
        if (serverClosed == null) {
            return clientClosed;
        }
        return clientClosed.nanos() <= serverClosed.nanos() ? clientClosed : serverClosed;
    }
}
