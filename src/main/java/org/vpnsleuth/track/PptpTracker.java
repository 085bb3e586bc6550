package org.vpnsleuth.track;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.PptpPacket;
import org.vpnsleuth.decode.Proto;

/**
 * The PPTP part of the tunnel tracker: control connections over TCP 1723 (their TCP handshake and
 * close, their control messages) and the calls set up in them, with the call IDs each end
 * assigned (the enhanced GRE of a call carries the receiver's). Reads {@link PptpPacket}.
 */
final class PptpTracker {
    /** The PPTP control connection's TCP port (RFC 2637 §1.3). */
    static final int PORT = 1723;

    private final Map<String, PptpControl> controls = new LinkedHashMap<>();
    /** "file|address|call-id" → the call whose end at that address assigned that call ID. */
    private final Map<String, PptpCall> callIds = new HashMap<>();
    private long untracked;

    Collection<PptpControl> controls() {
        return controls.values();
    }

    long untracked() {
        return untracked;
    }

    /** The call whose end at {@code address} assigned {@code callId} in file {@code file}, or null. */
    PptpCall call(int file, String address, long callId) {
        return callIds.get(file + "|" + address + "|" + callId);
    }

    void evictIdle(long cutoffNanos) {
        java.util.Set<PptpCall> goneCalls = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        controls.values().removeIf(c -> {
            long last = c.syn == null ? 0 : c.syn.nanos();
            for (PptpMessage m : c.messages) {
                last = Math.max(last, m.at.nanos());
            }
            if (last < cutoffNanos) {
                goneCalls.addAll(c.calls);
                return true;
            }
            return false;
        });
        callIds.values().removeIf(goneCalls::contains);
    }

    private static String ckey(int file, Endpoint client, Endpoint server) {
        return file + "|" + client + "|" + server;
    }

    private PptpControl control(int file, Endpoint client, Endpoint server, boolean create) {
        String k = ckey(file, client, server);
        PptpControl c = controls.get(k);
        if (c == null && create) {
            if (controls.size() >= L2tpTracker.MAX_PPTP) {
                untracked++;
                return null;
            }
            c = new PptpControl(file, client, server);
            controls.put(k, c);
        }
        return c;
    }

    /** Whether a TCP layer is to or from the PPTP port. */
    static boolean isPptpTcp(Layer tcp) {
        return tcp.headerLength >= 4 && (tcp.u16(0) == PORT || tcp.u16(2) == PORT);
    }

    // TCP flags (RFC 9293 §3.1)
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;

    /** A TCP segment to or from port 1723: the connection's handshake, refusal and close. */
    void tcp(Layer l, Layer ip, FrameRef at) {
        Endpoint src = L2tpTracker.endpoint(ip, l, true);
        Endpoint dst = L2tpTracker.endpoint(ip, l, false);
        boolean toServer = dst.port() == PORT;
        Endpoint client = toServer ? src : dst;
        Endpoint server = toServer ? dst : src;
        if (l.headerLength < 20) {
            return; // the flags are not in the capture
        }
        int flags = l.u16(12);
        boolean syn = (flags & SYN) != 0;
        boolean ack = (flags & ACK) != 0;
        boolean rst = (flags & RST) != 0;
        boolean fin = (flags & FIN) != 0;
        PptpControl c = control(at.file(), client, server, false);
        if (syn && !ack && toServer) {
            if (c != null && (c.synAck != null || !c.messages.isEmpty())) {
                // a new connection on the same ports: the old one is kept under another key
                controls.put(ckey(at.file(), client, server) + "|" + at.frame(), c);
                controls.remove(ckey(at.file(), client, server));
                c = null;
            }
            if (c == null) {
                c = control(at.file(), client, server, true);
                if (c == null) {
                    return;
                }
            }
            if (c.syn == null) {
                c.syn = at;
            }
            c.synCount++;
            return;
        }
        if (c == null) {
            return;
        }
        if (syn && ack && !toServer && c.synAck == null) {
            c.synAck = at;
        } else if (rst && !toServer && c.synAck == null && c.messages.isEmpty()) {
            if (c.refused == null) {
                c.refused = at;
            }
        } else if (fin || rst) {
            if (toServer && c.clientClosed == null) {
                c.clientClosed = at;
            } else if (!toServer && c.serverClosed == null) {
                c.serverClosed = at;
                c.serverReset = rst;
            }
        }
    }

    /** A PPTP control message: to its connection, and to its call. */
    void pptp(Layer l, Layer ip, Layer transport, FrameRef at) {
        if (ip == null || transport == null || transport.proto != Proto.TCP) {
            return;
        }
        PptpPacket pk = PptpPacket.of(l);
        if (pk == null || pk.messageType() != PptpPacket.CONTROL_MESSAGE) {
            return;
        }
        Endpoint src = L2tpTracker.endpoint(ip, transport, true);
        Endpoint dst = L2tpTracker.endpoint(ip, transport, false);
        boolean fromClient = dst.port() == PORT;
        PptpControl c = control(at.file(), fromClient ? src : dst, fromClient ? dst : src, true);
        if (c == null || c.messages.size() >= L2tpTracker.MAX_MESSAGES_PER_TUNNEL) {
            return;
        }
        PptpMessage m = new PptpMessage(at, fromClient, pk);
        c.messages.add(m);
        call(c, m, at.file());
    }

    private static PptpCall findCall(PptpControl c, boolean byClientId, long id) {
        if (id < 0) {
            return null;
        }
        for (int k = c.calls.size() - 1; k >= 0; k--) {
            PptpCall x = c.calls.get(k);
            if ((byClientId ? x.clientCallId : x.serverCallId) == id) {
                return x;
            }
        }
        return null;
    }

    private void call(PptpControl c, PptpMessage m, int file) {
        PptpCall call = null;
        String client = c.client.address();
        String server = c.server.address();
        switch (m.type) {
            case PptpPacket.OCRQ, PptpPacket.ICRQ -> { // OCRQ from the client, ICRQ from the server: a new call
                if (c.calls.size() >= L2tpTracker.MAX_CALLS_PER_CONTROL) {
                    untracked++;
                    return;
                }
                boolean outgoing = m.type == PptpPacket.OCRQ;
                call = new PptpCall(c, outgoing);
                if (outgoing) {
                    call.clientCallId = m.callId;
                    callIds.put(file + "|" + client + "|" + m.callId, call);
                } else {
                    call.serverCallId = m.callId;
                    callIds.put(file + "|" + server + "|" + m.callId, call);
                }
                c.calls.add(call);
            }
            case PptpPacket.OCRP -> { // call ID of the server, peer call ID of the client
                call = findCall(c, true, m.peerCallId);
                if (call != null && m.callId >= 0) {
                    call.serverCallId = m.callId;
                    callIds.put(file + "|" + server + "|" + m.callId, call);
                }
            }
            case PptpPacket.ICRP -> { // from the client
                call = findCall(c, false, m.peerCallId);
                if (call != null && m.callId >= 0) {
                    call.clientCallId = m.callId;
                    callIds.put(file + "|" + client + "|" + m.callId, call);
                }
            }
            case PptpPacket.ICCN -> call = findCall(c, true, m.peerCallId); // from the server
            case PptpPacket.CCRQ -> call = findCall(c, true, m.callId); // Call-Clear-Request from the client, its own call ID
            case PptpPacket.CDN -> { // Call-Disconnect-Notify from the server, its own call ID
                call = findCall(c, !m.fromClient, m.callId);
                if (call == null) {
                    call = findCall(c, m.fromClient, m.callId);
                }
            }
            case PptpPacket.WEN -> call = findCall(c, true, m.peerCallId); // WAN-Error-Notify from the server: the client's ID
            case PptpPacket.SLI -> call = findCall(c, false, m.peerCallId); // Set-Link-Info from the client: the server's ID
            default -> {
                return;
            }
        }
        if (call != null) {
            call.messages.add(m);
        }
    }
}
