package org.vpnsleuth.decode;

/**
 * PPP protocol numbers (RFC 1661 §2; names in registry/ppp-protocols.tsv) that the codecs and the
 * tracker tell apart by number.
 */
public final class PppProtocols {
    private PppProtocols() {
    }

    public static final int LCP = 0xc021;
    public static final int PAP = 0xc023;
    public static final int CHAP = 0xc223;
    public static final int EAP = 0xc227;
    public static final int IPCP = 0x8021;
    public static final int IPV6CP = 0x8057;
    public static final int CCP = 0x80fd;
}
