package org.vpnsleuth.decode;

import org.vpnsleuth.base.NameTable;

/**
 * Which protocol comes next, as tables: link type, EtherType, IP protocol number and PPP protocol
 * number to {@link Proto}. {@link Proto#IP_BY_VERSION} stands for "IPv4 or IPv6 by the version nibble".
 */
public final class Dispatch {
    private Dispatch() {
    }

    // Plain arrays, not maps: these are looked up for every frame and every layer (no boxing, no
    // hashing, and no HashMap call sites shared with other key types, which cost deoptimizations).
    /** Link types are 16-bit (pcap keeps the low 16 bits; pcapng's field is 16 bits wide). */
    private static final Proto[] LINK = new Proto[65536];
    private static final Proto[] ETHER = new Proto[65536];
    private static final Proto[] IP = new Proto[256];
    private static final Proto[] PPP = new Proto[65536];

    public static final NameTable LINK_NAMES = NameTable.load("link-types");
    public static final NameTable ETHER_NAMES = NameTable.load("ethertypes");
    public static final NameTable IP_NAMES = NameTable.load("ip-protocols");
    public static final NameTable PPP_NAMES = NameTable.load("ppp-protocols");

    static {
        Object[] link = {
            0, Proto.NULL, 108, Proto.NULL, 1, Proto.ETHERNET,
            12, Proto.IP_BY_VERSION, 14, Proto.IP_BY_VERSION, 101, Proto.IP_BY_VERSION, 228, Proto.IPV4, 229, Proto.IPV6,
            113, Proto.SLL, 276, Proto.SLL2,
            9, Proto.PPP, 50, Proto.PPP, 166, Proto.PPP, 204, Proto.PPP, 104, Proto.CHDLC, 51, Proto.PPPOE,
        };
        for (int i = 0; i < link.length; i += 2) {
            LINK[(Integer) link[i]] = (Proto) link[i + 1];
        }
        Object[] ether = {
            0x0800, Proto.IPV4, 0x86dd, Proto.IPV6, 0x8100, Proto.VLAN, 0x88a8, Proto.VLAN, 0x9100, Proto.VLAN,
            0x8847, Proto.MPLS, 0x8848, Proto.MPLS, 0x8863, Proto.PPPOED, 0x8864, Proto.PPPOE, 0x880b, Proto.PPP,
            0x6558, Proto.ETHERNET,
        };
        for (int i = 0; i < ether.length; i += 2) {
            ETHER[(Integer) ether[i]] = (Proto) ether[i + 1];
        }
        Object[] ip = {
            1, Proto.ICMP, 58, Proto.ICMPV6, 4, Proto.IPV4, 41, Proto.IPV6, 6, Proto.TCP, 17, Proto.UDP,
            47, Proto.GRE, 50, Proto.ESP, 51, Proto.AH, 115, Proto.L2TPV3, 137, Proto.MPLS,
        };
        for (int i = 0; i < ip.length; i += 2) {
            IP[(Integer) ip[i]] = (Proto) ip[i + 1];
        }
        Object[] ppp = {
            0x0021, Proto.IPV4, 0x0057, Proto.IPV6, 0xc021, Proto.LCP, 0x8021, Proto.IPCP, 0x8057, Proto.IPV6CP,
            0x80fd, Proto.CCP, 0x80fb, Proto.CCP, 0xc023, Proto.PAP, 0xc223, Proto.CHAP, 0xc227, Proto.EAP,
            0x003d, Proto.MLPPP, 0x0281, Proto.MPLS, 0x0283, Proto.MPLS,
        };
        for (int i = 0; i < ppp.length; i += 2) {
            PPP[(Integer) ppp[i]] = (Proto) ppp[i + 1];
        }
    }

    /** Protocol of a link type, or null when unsupported. */
    public static Proto link(int linkType) {
        return linkType >= 0 && linkType < LINK.length ? LINK[linkType] : null;
    }

    public static Proto etherType(int type) {
        Proto p = type >= 0 && type < 65536 ? ETHER[type] : null;
        return p == null ? Proto.DATA : p;
    }

    public static Proto ipProtocol(int proto) {
        Proto p = IP[proto & 0xff];
        return p == null ? Proto.DATA : p;
    }

    public static Proto pppProtocol(int proto) {
        Proto p = proto >= 0 && proto < PPP.length ? PPP[proto] : null;
        return p == null ? Proto.DATA : p;
    }
}
