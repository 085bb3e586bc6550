package org.vpnsleuth.ike;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vpnsleuth.base.Bytes;

/**
 * The proposals of an IKEv2 SA payload (RFC 7296 §3.3): per proposal its number, protocol, SPI and
 * the first transform of each type (the responder's chosen proposal has exactly one of each).
 * Parsing never throws: a malformed payload gives {@link #problem} and the proposals read before it.
 */
final class V2Proposals {
    /** Protocol IDs (RFC 7296 §3.3.1, registry ike/ikev2-protocol-ids). */
    static final int PROTO_IKE = 1;
    static final int PROTO_AH = 2;
    static final int PROTO_ESP = 3;
    /** Transform types (§3.3.2, registry ike/ikev2-transform-types). */
    static final int T_ENCR = 1;
    static final int T_PRF = 2;
    static final int T_INTEG = 3;
    static final int T_DH = 4;
    static final int T_ESN = 5;
    /** Key Length transform attribute (§3.3.5, registry ike/ikev2-transform-attributes). */
    static final int ATTR_KEY_LENGTH = 14;

    /**
     * One proposal: -1 for a transform type it does not have (0 for "none" as the peer sent it);
     * {@code esn} when its first ESN transform is "Extended Sequence Numbers" (1).
     */
    record Proposal(int number, int protocol, byte[] spi, int encr, int keyBits, int prf, int integ, int dh, boolean esn) {
        long spi32() {
            return spi.length == 4 ? Bytes.u32(spi, 0) : -1;
        }

        long spi64() {
            return spi.length == 8 ? Bytes.u64(spi, 0) : -1;
        }
    }

    final List<Proposal> proposals = new ArrayList<>();
    String problem;

    /** The SA payload body {@code b[p, end)}. */
    V2Proposals(byte[] b, int p, int end) {
        while (p + 8 <= end) {
            int last = b[p] & 0xff;
            int plen = Bytes.u16(b, p + 2);
            if (plen < 8 || plen > end - p) {
                problem = "proposal length " + plen + " does not fit the SA payload";
                return;
            }
            int number = b[p + 4] & 0xff;
            int protocol = b[p + 5] & 0xff;
            int spiSize = b[p + 6] & 0xff;
            int count = b[p + 7] & 0xff;
            if (8 + spiSize > plen) {
                problem = "SPI size " + spiSize + " does not fit proposal " + number;
                return;
            }
            byte[] spi = Arrays.copyOfRange(b, p + 8, p + 8 + spiSize);
            int[] first = {-1, -1, -1, -1, -1, -1};
            int keyBits = 0;
            int t = p + 8 + spiSize;
            int tend = p + plen;
            for (int i = 0; i < count && t + 8 <= tend; i++) {
                int tl = Bytes.u16(b, t + 2);
                if (tl < 8 || tl > tend - t) {
                    problem = "transform length " + tl + " does not fit proposal " + number;
                    return;
                }
                int type = b[t + 4] & 0xff;
                int id = Bytes.u16(b, t + 6);
                if (type >= T_ENCR && type <= T_ESN && first[type] < 0) {
                    first[type] = id;
                    if (type == T_ENCR) {
                        for (int a = t + 8; a + 4 <= t + tl; ) {
                            int at = Bytes.u16(b, a);
                            if ((at & 0x8000) != 0) {
                                if ((at & 0x7fff) == ATTR_KEY_LENGTH) {
                                    keyBits = Bytes.u16(b, a + 2);
                                }
                                a += 4;
                            } else {
                                a += 4 + Bytes.u16(b, a + 2);
                            }
                        }
                    }
                }
                t += tl;
            }
            proposals.add(new Proposal(number, protocol, spi, first[T_ENCR], keyBits, first[T_PRF], first[T_INTEG], first[T_DH],
                    first[T_ESN] == 1));
            p += plen;
            if (last == 0) {
                return;
            }
        }
        if (proposals.isEmpty()) {
            problem = "SA payload without a proposal";
        }
    }

    /** The request's proposal with this number (the one the responder accepted), else the first; null when none. */
    Proposal numbered(int number) {
        for (Proposal x : proposals) {
            if (x.number() == number) {
                return x;
            }
        }
        return proposals.isEmpty() ? null : proposals.get(0);
    }
}
