package org.vpnsleuth.track;

/**
 * One direction of a GRE tunnel (RFC 2784/2890) or of a PPTP call's enhanced GRE (RFC 2637 §4.1),
 * told apart by its key (version 1: the receiver's call ID): packets, bytes, first and last frame,
 * what the sequence numbers say, keepalives and acknowledgement-only packets.
 */
public final class GreTunnel {
    public final int file;
    public final String src;
    public final String dst;
    public final int version;
    /** Key (version 0, K bit) or call ID (version 1); -1 when the packets carry none. */
    public final long key;
    /** Payload protocol of the first packet ("IPv4", "PPP", ...). */
    public String protocol;
    public long packets;
    public long bytes;
    public FrameRef first;
    public FrameRef last;
    public long firstSeq = -1;
    public long highestSeq = -1;
    public long missing;
    public long replays;
    /** Version 0 keepalives (protocol 0, no payload) and version 1 packets that only acknowledge. */
    public long keepalives;
    public long ackOnly;
    /** The PPTP call this flow belongs to (version 1), or null. */
    public PptpCall call;

    GreTunnel(int file, String src, String dst, int version, long key) {
        this.file = file;
        this.src = src;
        this.dst = dst;
        this.version = version;
        this.key = key;
    }

    void add(FrameRef at, long seq, int length) {
        if (first == null) {
            first = at;
        }
        last = at;
        packets++;
        bytes += length;
        if (seq < 0) {
            return;
        }
        if (firstSeq < 0) {
            firstSeq = seq;
        }
        if (highestSeq < 0 || seq > highestSeq) {
            if (highestSeq >= 0 && seq > highestSeq + 1) {
                missing += seq - highestSeq - 1;
            }
            highestSeq = seq;
        } else {
            replays++;
        }
    }
}
