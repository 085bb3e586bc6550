package org.vpnsleuth.decode;

/** Placeholder until the stream handling lands. */
public final class TcpStreams {
    /** Called by the TCP codec for segments on the PPTP and IKE-over-TCP ports. */
    public Proto segment(Decoder d, Packet p, Layer tcp) {
        return Proto.DATA;
    }
}
