package org.vpnsleuth.decode;

/**
 * An ICMP or ICMPv6 message read once from its header bytes, as the tracker needs it: the type,
 * the type's and the code's names as its fields show them (null when unnamed), and the MTU of a
 * fragmentation-needed / packet-too-big error (-1 otherwise).
 */
public record IcmpInfo(int type, String typeName, String codeName, long mtu) {
    /**
     * Whether layer {@code l} is an ICMP error (destination unreachable, time exceeded, parameter
     * problem; ICMPv6 types 1 to 4) with a header long enough for {@link #of}: read from the type
     * byte, without making the record (echo traffic inside a tunnel is common).
     */
    public static boolean isError(Layer l) {
        if (l.proto == Proto.ICMP && l.headerLength >= 8) {
            int type = l.u8(0);
            return type == 3 || type == 11 || type == 12;
        }
        if (l.proto == Proto.ICMPV6 && l.headerLength >= 4) {
            int type = l.u8(0);
            return type >= 1 && type <= 4;
        }
        return false;
    }

    /** The ICMP/ICMPv6 layer {@code l}; null when its header is too short to have fields. */
    public static IcmpInfo of(Layer l) {
        if (l.proto == Proto.ICMP && l.headerLength >= 8) {
            int type = l.u8(0);
            int code = l.u8(1);
            return new IcmpInfo(type, IpCodecs.ICMP_TYPES.name(type), type == 3 ? IpCodecs.ICMP_UNREACH.name(code) : null,
                    type == 3 && code == 4 ? l.u16(6) : -1);
        }
        if (l.proto == Proto.ICMPV6 && l.headerLength >= 4) {
            int type = l.u8(0);
            return new IcmpInfo(type, IpCodecs.ICMPV6_TYPES.name(type), null, type == 2 && l.headerLength >= 8 ? l.u32(4) : -1);
        }
        return null;
    }
}
