package org.vpnsleuth.decode;

/**
 * Every layer the decode pipeline knows. The short name is the stable identifier used in the
 * one-line stack ("eth/ipv4/udp/esp") and in JSON ("layer": "esp").
 */
public enum Proto {
    // link
    ETHERNET("eth", "Ethernet"),
    VLAN("vlan", "802.1Q/802.1ad VLAN tag"),
    MPLS("mpls", "MPLS label"),
    SLL("sll", "Linux cooked capture"),
    SLL2("sll2", "Linux cooked capture v2"),
    NULL("null", "BSD loopback"),
    CHDLC("chdlc", "Cisco HDLC"),
    PPPOE("pppoe", "PPPoE session"),
    PPPOED("pppoed", "PPPoE discovery"),
    PPP("ppp", "PPP"),
    // network
    IPV4("ipv4", "IPv4"),
    IPV6("ipv6", "IPv6"),
    ICMP("icmp", "ICMP"),
    ICMPV6("icmpv6", "ICMPv6"),
    // transport
    UDP("udp", "UDP"),
    TCP("tcp", "TCP"),
    // VPN
    NATT_KEEPALIVE("natt-keepalive", "NAT-T keepalive"),
    NON_ESP_MARKER("non-esp", "Non-ESP marker"),
    IKE_TCP("iketcp", "IKE/ESP over TCP framing (RFC 8229)"),
    IKE("isakmp", "ISAKMP/IKE"),
    ESP("esp", "ESP"),
    AH("ah", "AH"),
    GRE("gre", "GRE"),
    L2TP("l2tp", "L2TPv2"),
    L2TPV3("l2tpv3", "L2TPv3"),
    PPTP("pptp", "PPTP control"),
    // PPP control and authentication protocols
    LCP("lcp", "PPP LCP"),
    IPCP("ipcp", "PPP IPCP"),
    IPV6CP("ipv6cp", "PPP IPV6CP"),
    CCP("ccp", "PPP CCP"),
    PAP("pap", "PPP PAP"),
    CHAP("chap", "PPP CHAP"),
    EAP("eap", "EAP"),
    MLPPP("mlppp", "PPP Multilink"),
    // what is left
    DATA("data", "Data"),
    /** Dispatch marker, never a layer: IPv4 or IPv6 by the version nibble (raw IP link types, MPLS). */
    IP_BY_VERSION("ip", "IPv4 or IPv6");

    public final String shortName;
    public final String displayName;

    Proto(String shortName, String displayName) {
        this.shortName = shortName;
        this.displayName = displayName;
    }

    private static final Proto[] VALUES = values();

    public static Proto byShortName(String s) {
        for (Proto p : VALUES) {
            if (p.shortName.equals(s)) {
                return p;
            }
        }
        return null;
    }
}
