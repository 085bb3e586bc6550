package org.vpnsleuth.overhead;

import org.vpnsleuth.ike.IkeAlgorithms;

/**
 * AH (RFC 4302 §2): next header 1, payload length 1, reserved 2, SPI 4, sequence 4 = 12, then the
 * ICV, the whole padded to 32 bits over IPv4 and to 64 bits over IPv6 (§2.6):
 * {@code added = roundUp(12 + ICV, 4 or 8)}. ICV sizes from {@code registry/ike/algorithm-sizes.tsv}.
 */
public final class Ah implements Encapsulation {
    private final int integId;
    private final boolean ipv6;
    private final int bytes;

    private Ah(int integId, boolean ipv6, int bytes) {
        this.integId = integId;
        this.ipv6 = ipv6;
        this.bytes = bytes;
    }

    /** AH with that IKEv2 integrity transform, over IPv6 (64-bit alignment) or IPv4 (32-bit). */
    public static Ah of(int ikev2IntegId, boolean ipv6) {
        IkeAlgorithms.Sizes i = IkeAlgorithms.of(IkeAlgorithms.IKEV2_INTEG, ikev2IntegId);
        if (i == null || ikev2IntegId == 0) {
            throw new IllegalArgumentException("AH needs an integrity algorithm whose ICV size is known (known: "
                    + LayerTable.join(Algorithms.names("integ").stream().filter(n -> !n.equals("none")).toList()) + ")");
        }
        int align = LayerTable.row("ah", "align", "after", ipv6 ? "ipv6" : "ipv4").bytes();
        int raw = LayerTable.base("ah") + i.icvLength();
        return new Ah(ikev2IntegId, ipv6, (raw + align - 1) / align * align);
    }

    /** AH from an integrity algorithm's name ({@link Algorithms}). */
    public static Ah of(String integrity, boolean ipv6) {
        Algorithms.Algorithm a = Algorithms.byName(integrity);
        if (a == null || !a.kind().equals("integ")) {
            throw new IllegalArgumentException("unknown AH integrity algorithm '" + integrity + "' (known: "
                    + LayerTable.join(Algorithms.names("integ").stream().filter(n -> !n.equals("none")).toList()) + ")");
        }
        return of(a.id(), ipv6);
    }

    public int integId() {
        return integId;
    }

    public boolean ipv6() {
        return ipv6;
    }

    @Override
    public String name() {
        return "ah";
    }

    @Override
    public int added(int payloadLength) {
        return bytes;
    }

    @Override
    public String spec() {
        return "ah:" + Algorithms.name("integ", integId, 0);
    }

    @Override
    public String describe() {
        return "AH " + bytes + " (RFC 4302: 12 + ICV, padded to " + (ipv6 ? 64 : 32) + " bits)";
    }

    @Override
    public String toString() {
        return spec();
    }
}
