package org.vpnsleuth.decode;

import java.util.ServiceLoader;

/**
 * The codec of each protocol: decode's own, and those later stages provide for protocols decode
 * only dispatches to ({@link CodecProvider}: the IKE layer).
 */
public final class Codecs {
    private Codecs() {
    }

    private static final LayerCodec[] BY_PROTO = new LayerCodec[Proto.values().length];

    private static void put(Proto p, LayerCodec c) {
        BY_PROTO[p.ordinal()] = c;
    }

    static {
        put(Proto.ETHERNET, new LinkCodecs.Ethernet());
        put(Proto.VLAN, new LinkCodecs.Vlan());
        put(Proto.MPLS, new LinkCodecs.Mpls());
        put(Proto.SLL, new LinkCodecs.Sll(false));
        put(Proto.SLL2, new LinkCodecs.Sll(true));
        put(Proto.NULL, new LinkCodecs.Null());
        put(Proto.CHDLC, new LinkCodecs.Chdlc());
        put(Proto.IPV4, new IpCodecs.Ipv4());
        put(Proto.IPV6, new IpCodecs.Ipv6());
        put(Proto.ICMP, new IpCodecs.Icmp());
        put(Proto.ICMPV6, new IpCodecs.Icmpv6());
        put(Proto.UDP, new TransportCodecs.Udp());
        put(Proto.TCP, new TransportCodecs.Tcp());
        put(Proto.ESP, new IpsecCodecs.Esp());
        put(Proto.AH, new IpsecCodecs.Ah());
        put(Proto.NATT_KEEPALIVE, new IpsecCodecs.NattKeepalive());
        put(Proto.NON_ESP_MARKER, new IpsecCodecs.NonEspMarker());
        put(Proto.IKE_TCP, new IkeTcpCodec());
        put(Proto.GRE, new GreCodec());
        put(Proto.L2TP, new L2tpCodec(false));
        put(Proto.L2TPV3, new L2tpCodec(true));
        put(Proto.PPTP, new PptpCodec());
        PppCodecs.register(Codecs::put);
        for (CodecProvider provider : ServiceLoader.load(CodecProvider.class, Codecs.class.getClassLoader())) {
            provider.register(Codecs::put);
        }
    }

    /** The codec for a protocol, or null when it has none (DATA). */
    public static LayerCodec of(Proto p) {
        return BY_PROTO[p.ordinal()];
    }
}
