package org.vpnsleuth.track;

/**
 * An ICMP/ICMPv6 error about a datagram of the VPN: who sent it, its type/code in words, and the
 * quoted datagram's addresses, protocol and destination port (0 when not UDP/TCP).
 */
public record IcmpError(FrameRef at, String from, String what, String quotedSrc, String quotedDst, int quotedProtocol,
        int quotedDstPort, int mtu) implements java.io.Serializable {
}
