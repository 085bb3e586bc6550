package org.vpnsleuth.diagnose;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.vpnsleuth.track.Endpoint;

/**
 * Recomputes NAT detection hashes from the addresses the capture shows, to say which side is
 * behind a NAT: IKEv2 NAT_DETECTION_*_IP = SHA-1(SPIi | SPIr | IP | port) (RFC 7296 §2.23, SPIr
 * zero in the IKE_SA_INIT request); IKEv1 NAT-D = HASH(CKY-I | CKY-R | IP | port) with the
 * negotiated hash (RFC 3947 §3.2). A hash that differs from the one recomputed from the captured
 * address means that address was translated between the sender and the capture point, or will be.
 */
public final class NatDetection {
    private NatDetection() {
    }

    /** JCE names of IKEv1 phase-1 hash algorithms (RFC 2409 appendix A, RFC 4868). */
    static String v1Hash(int id) {
        return switch (id) {
            case 1 -> "MD5";
            case 2 -> "SHA-1";
            case 4 -> "SHA-256";
            case 5 -> "SHA-384";
            case 6 -> "SHA-512";
            default -> null;
        };
    }

    /** The hash of (spiI, spiR, endpoint) as lowercase hex, or null when the address or algorithm is unusable. */
    public static String hash(String algorithm, long spiI, long spiR, Endpoint e) {
        if (algorithm == null || e == null || e.address() == null) {
            return null;
        }
        try {
            if (!literal(e.address())) {
                return null; // only literal addresses: never a name lookup
            }
            byte[] ip = InetAddress.getByName(e.address()).getAddress();
            ByteBuffer b = ByteBuffer.allocate(16 + ip.length + 2);
            b.putLong(spiI).putLong(spiR).put(ip).putShort((short) e.port());
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b.array()));
        } catch (NoSuchAlgorithmException | java.net.UnknownHostException ex) {
            return null;
        }
    }

    /** True for a non-empty string of hex digits, ':' and '.' only (an address literal, never a name to look up). */
    private static boolean literal(String a) {
        if (a.isEmpty()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code sent} (from the message) is known and differs from the hash of the captured endpoint. */
    static boolean differs(String sent, String algorithm, long spiI, long spiR, Endpoint captured) {
        String h = hash(algorithm, spiI, spiR, captured);
        return sent != null && h != null && !sent.equalsIgnoreCase(h);
    }

    /**
     * Words for what the hashes show. A peer's own (source) hash that differs from its captured
     * address means a NAT before the capture point, or a peer that fakes it to force UDP
     * encapsulation (strongSwan {@code encap = yes}, kernel-libipsec; Windows
     * AssumeUDPEncapsulationContextOnSendRule); the other peer's hash of it that differs means a NAT
     * between the capture point and that peer: NAT for certain.
     */
    static String describe(boolean iSelf, boolean iPeer, boolean rSelf, boolean rPeer) {
        String i = iPeer ? "initiator behind NAT" : iSelf ? "initiator behind NAT (or forcing UDP encapsulation)" : null;
        String r = rPeer ? "responder behind NAT" : rSelf ? "responder behind NAT (or forcing UDP encapsulation)" : null;
        if (i == null && r == null) {
            return "no NAT";
        }
        return i == null ? r : r == null ? i : i + "; " + r;
    }
}
