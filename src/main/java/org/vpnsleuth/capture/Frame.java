package org.vpnsleuth.capture;

import java.util.Arrays;

/**
 * One captured frame: a view over bytes owned by the reader (zero copy). A reader reuses the same
 * Frame object and buffer for the next record, so a consumer that keeps a frame must {@link #copy()} it.
 */
public final class Frame {
    /** Bytes holding the frame; the frame is {@code data[offset, offset + capturedLength)}. */
    public byte[] data;
    public int offset;
    /** Bytes present in the capture. */
    public int capturedLength;
    /** Length of the frame on the wire (greater than capturedLength when the snaplen cut it). */
    public int originalLength;
    /** Capture time in nanoseconds since the Unix epoch (UTC). */
    public long timestampNanos;
    /** Link-layer header type (LINKTYPE_* / DLT_* value). */
    public int linkType;
    /** pcapng interface index (0 for classic pcap). */
    public int interfaceId;
    /** 1-based frame number in its file, as tshark and Wireshark count them. */
    public long number;
    /** pcapng opt_comment of the packet, when present. */
    public String comment;
    /** Name of the capture source (file name, "-" for stdin, interface name for live). */
    public String source;

    public boolean isSnaplenCut() {
        return capturedLength < originalLength;
    }

    public int end() {
        return offset + capturedLength;
    }

    /** A detached copy whose bytes no longer belong to the reader. */
    public Frame copy() {
        Frame f = new Frame();
        f.data = Arrays.copyOfRange(data, offset, offset + capturedLength);
        f.offset = 0;
        f.capturedLength = capturedLength;
        f.originalLength = originalLength;
        f.timestampNanos = timestampNanos;
        f.linkType = linkType;
        f.interfaceId = interfaceId;
        f.number = number;
        f.comment = comment;
        f.source = source;
        return f;
    }
}
