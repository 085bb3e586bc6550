package org.vpnsleuth.track;

/**
 * One direction of an ESP (or AH) SA as seen on the wire: packets, bytes, first and last frame,
 * and what the sequence numbers say (gaps, replays, a restart).
 */
public final class EspFlow implements java.io.Serializable {
    public final int file;
    public final String protocol;
    public final String src;
    public final String dst;
    public final long spi;
    /** Carried in UDP (NAT-T, RFC 3948), with the UDP ports. */
    public final boolean udp;
    public final int srcPort;
    public final int dstPort;
    public long packets;
    /** The IKE SA that owns it as seen when it began (null while its peers had none); for idle eviction. */
    transient IkeSa owner;
    /** The hash of its key in the tracker's flow index (track/AddrIndex), when {@link #indexed}. */
    long indexHash;
    /** Whether the tracker's flow index holds it (under {@link #indexHash}). */
    boolean indexed;
    public long bytes;
    public FrameRef first;
    /** The last packet's frame number and capture time (numbers: the bulk path keeps no object per packet). */
    private long lastFrame;
    private long lastNanos;
    public long firstSeq = -1;
    public long highestSeq = -1;
    /** Sequence numbers skipped (the sum of the holes below the highest seen). */
    public long missing;
    /** Packets whose sequence number was at or below one already seen. */
    public long replays;
    /** ESP packets that decrypted and verified with the supplied or derived keys. */
    public long decrypted;

    EspFlow(int file, String protocol, String src, String dst, long spi, boolean udp, int srcPort, int dstPort) {
        this.file = file;
        this.protocol = protocol;
        this.src = src;
        this.dst = dst;
        this.spi = spi;
        this.udp = udp;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
    }

    void add(FrameAt at, long seq, int length) {
        if (first == null) {
            first = at.ref();
            firstSeq = seq;
        }
        lastFrame = at.frame();
        lastNanos = at.nanos();
        packets++;
        bytes += length;
        if (seq < 0) {
            return;
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

    /** The frame of the last packet; null before the first. */
    public FrameRef last() {
        if (first == null) {
            return null;
        }
        return lastFrame == first.frame() && lastNanos == first.nanos() ? first : new FrameRef(file, lastFrame, lastNanos);
    }

    /** The capture time of the last packet (0 before the first). */
    public long lastNanos() {
        return lastNanos;
    }

    public String spiHex() {
        return "0x" + org.vpnsleuth.base.Bytes.hexPadded(spi, 8);
    }
}
