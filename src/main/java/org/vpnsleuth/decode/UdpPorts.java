package org.vpnsleuth.decode;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vpnsleuth.base.Bytes;

/**
 * What a UDP payload is, from its ports and first bytes. The rules, in order (docs/decode.md):
 * <ol>
 * <li>either port 500: IKE;</li>
 * <li>either port 4500, or a port pair learned as NAT-T: a single 0xFF byte is a NAT-T keepalive,
 * four zero bytes are the non-ESP marker before IKE, anything of 8 bytes or more is ESP (RFC 3948);</li>
 * <li>either port 1701: L2TP (the version field tells v2 from v3);</li>
 * <li>otherwise data.</li>
 * </ol>
 * A port pair is learned as NAT-T when IKE behind a non-ESP marker is seen on it: NAT devices
 * rewrite 4500 to other ports (on both sides when both peers are behind NAT), and ESP then follows
 * on the same pair. On a pair that is neither 4500 nor learned, the marker is recognised only
 * when it is followed by a whole, consistent IKE header: four zero bytes, a non-zero initiator
 * SPI, version 1.0 or 2.0, and an IKE length equal to the rest of the datagram (a chance of about
 * 2^-60 for random bytes). ESP itself is never guessed from bytes. The learned set is bounded.
 * Extra ESP-in-UDP ports can be configured ({@link #addEspPort}).
 */
public final class UdpPorts {
    public static final int IKE = 500;
    public static final int NATT = 4500;
    public static final int L2TP = 1701;
    private static final int MAX_LEARNED = 10000;

    private final boolean[] espPorts = new boolean[65536];
    private final Map<Long, Boolean> learned = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> e) {
            return size() > MAX_LEARNED;
        }
    };

    public UdpPorts() {
        espPorts[NATT] = true;
    }

    /** Treats UDP on this port (either direction) like 4500. */
    public void addEspPort(int port) {
        espPorts[port & 0xffff] = true;
    }

    private static long pair(int a, int b) {
        return a < b ? ((long) a << 16) | b : ((long) b << 16) | a;
    }

    /** Remembers a NAT-T port pair (called when IKE with a non-ESP marker is seen on it). */
    public void learn(int sport, int dport) {
        if (!espPorts[sport] && !espPorts[dport]) {
            learned.put(pair(sport, dport), Boolean.TRUE);
        }
    }

    public boolean isNattPair(int sport, int dport) {
        return espPorts[sport] || espPorts[dport] || (!learned.isEmpty() && learned.containsKey(pair(sport, dport)));
    }

    /** Classifies a UDP payload of which {@code len} bytes are captured (the whole payload). */
    public Proto classify(int sport, int dport, byte[] b, int off, int len) {
        return classify(sport, dport, b, off, len, len);
    }

    /**
     * Classifies a UDP payload of {@code claimed} bytes (the UDP length) of which {@code len} are
     * captured at {@code b[off]}: the size rules (a 1-byte keepalive, ESP of 8 bytes or more) go by
     * the claimed size, so that ESP cut by the snaplen is still ESP (truncated), as in tcpdump.
     */
    public Proto classify(int sport, int dport, byte[] b, int off, int len, int claimed) {
        if (sport == IKE || dport == IKE) {
            return Proto.IKE;
        }
        if (isNattPair(sport, dport)) {
            if (claimed == 1 && len == 1 && (b[off] & 0xff) == 0xff) {
                return Proto.NATT_KEEPALIVE;
            }
            if (len >= 4 && b[off] == 0 && b[off + 1] == 0 && b[off + 2] == 0 && b[off + 3] == 0) {
                return Proto.NON_ESP_MARKER;
            }
            return Math.max(len, claimed) >= 8 && len > 0 ? Proto.ESP : Proto.DATA;
        }
        if (sport == L2TP || dport == L2TP) {
            return Proto.L2TP;
        }
        if (isMarkedIke(b, off, len)) {
            return Proto.NON_ESP_MARKER; // the codec learns the pair
        }
        return Proto.DATA;
    }

    /** A non-ESP marker followed by exactly one plausible IKE message filling the datagram. */
    static boolean isMarkedIke(byte[] b, int off, int len) {
        if (len < 4 + 28 || b[off] != 0 || b[off + 1] != 0 || b[off + 2] != 0 || b[off + 3] != 0) {
            return false;
        }
        int ike = off + 4;
        if (Bytes.u64(b, ike) == 0) {
            return false;
        }
        int version = b[ike + 17] & 0xff;
        if (version != 0x10 && version != 0x20) {
            return false;
        }
        return Bytes.u32(b, ike + 24) == len - 4;
    }
}
