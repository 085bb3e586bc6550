package org.vpnsleuth.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.decode.AhVerifier;

/**
 * Verifies AH ICVs (RFC 4302) with the keys the user supplied (ah lines, a strongSwan log's AH
 * child SAs) or derived from IKE. The ICV covers the IP header with its mutable fields zeroed
 * (§3.3.3.1), the AH header with the ICV zeroed, and the payload; with Extended Sequence Numbers
 * the high-order 32 bits follow the packet (§2.5.1). The AH header is 12 bytes plus the ICV,
 * padded to 32 bits (IPv4) or 64 bits (IPv6) (§3.3.3.2.1): any other length is reported.
 */
public final class AhVerification implements AhVerifier {
    /** One usable key for an SPI. */
    public record Sa(Integrity integ, byte[] key, boolean esn, String source) {
    }

    private final Map<Long, List<Sa>> bySpi = new HashMap<>();
    private final Map<Long, Sa> confirmed = new HashMap<>();
    private final Esn esn = new Esn();
    private long verified;
    private long failed;

    /** No keys yet: the key material's owner adds them ({@link #add}, {@link #addDerived}). */
    public AhVerification() {
    }

    /** An AH key derived from IKE (KEYMAT gives AH only an integrity key); supplied keys come first. */
    public void addDerived(long spi, int integ, byte[] key, boolean esnOn, String source) {
        Integrity in = Integrity.fromIkev2Id(integ);
        if (in == null || key == null || bySpi.containsKey(spi)) {
            return;
        }
        add(spi, new Sa(in, key, esnOn, source));
    }

    /** A key for {@code spi}; several for one SPI are tried in the order they were added. */
    public void add(long spi, Sa sa) {
        bySpi.computeIfAbsent(spi, k -> new ArrayList<>()).add(sa);
    }

    @Override
    public boolean knows(long spi) {
        return bySpi.containsKey(spi);
    }

    @Override
    public boolean hasKeys() {
        return !bySpi.isEmpty();
    }

    @Override
    public long verifiedCount() {
        return verified;
    }

    @Override
    public long failedCount() {
        return failed;
    }

    /**
     * Verifies the AH header at {@code ah} of the IP datagram {@code b[ip, end)} (IPv4 or IPv6 by
     * {@code v6}; the AH header directly after the IP header and, for IPv6, the extension headers
     * before it). Null when no key is known for the SPI.
     */
    @Override
    public Result verify(byte[] b, int ip, int ah, int end, boolean v6) {
        if (ip < 0 || ah - ip < (v6 ? 40 : 20) || ah + 12 > end || end > b.length) {
            return null; // not an IP header followed by an AH header: nothing to check
        }
        long spi = Bytes4.u32(b, ah + 4);
        List<Sa> candidates = bySpi.get(spi);
        if (candidates == null) {
            return null;
        }
        String where = String.format("AH SA 0x%08x", spi);
        int hl = ((b[ah + 1] & 0xff) + 2) * 4;
        if (ah + hl > end) {
            failed++;
            return new Result(0, null, "the AH header of " + where + " claims " + hl + " bytes, only " + (end - ah)
                    + " present: ICV not checked", -1);
        }
        byte[] m;
        try {
            m = zeroMutable(b, ip, ah, end, v6);
        } catch (IllegalArgumentException e) {
            failed++;
            return new Result(0, null, "ICV of " + where + " not checked: " + e.getMessage(), -1);
        }
        int rel = ah - ip;
        long low = Bytes4.u32(b, ah + 8);
        long high = esn.high(spi, low);
        Sa known = confirmed.get(spi);
        List<Sa> order = new ArrayList<>();
        if (known != null) {
            order.add(known);
        }
        for (Sa s : candidates) {
            if (s != known) {
                order.add(s);
            }
        }
        String problem = null;
        for (Sa s : order) {
            int icv = s.integ.icvLength();
            int align = v6 ? 8 : 4;
            int want = (12 + icv + align - 1) / align * align;
            if (hl != want) {
                problem = "the AH header is " + hl + " bytes; " + name(s.integ) + " needs 12 + " + icv + " ICV bytes"
                        + (want > 12 + icv ? " + " + (want - 12 - icv) + " padding" : "") + " = " + want + " over "
                        + (v6 ? "IPv6" : "IPv4");
                continue;
            }
            byte[] input = m.clone();
            Arrays.fill(input, rel + 12, rel + 12 + icv, (byte) 0);
            byte[] got = Arrays.copyOfRange(b, ah + 12, ah + 12 + icv);
            boolean ok;
            try {
                ok = s.integ.verify(s.key, got, input, s.esn ? Esn.bytes(high) : null);
            } catch (IllegalArgumentException e) {
                problem = "key of the wrong size for " + name(s.integ) + " from " + s.source;
                continue;
            }
            if (ok) {
                confirmed.put(spi, s);
                verified++;
                if (s.esn) {
                    esn.verified(spi, high, low);
                }
                return new Result(icv, s.source, null, s.esn ? high : -1);
            }
            problem = "ICV mismatch" + (s.esn ? ", ESN high-order bits " + high + " inferred" : "");
        }
        failed++;
        String from = order.size() == 1 ? "the key from " + order.get(0).source : "the " + order.size() + " supplied keys";
        return new Result(0, null, "ICV check failed for " + where + " with " + from + " (" + problem + ")", -1);
    }

    private static String name(Integrity i) {
        return i.name().replace('_', '-');
    }

    // ------------------------------------------------------------------ RFC 4302 §3.3.3.1: mutable fields

    private enum V4Option { IMMUTABLE, ZEROED, SOURCE_ROUTE }

    private static final Map<Integer, V4Option> V4_OPTIONS = new HashMap<>();

    static {
        for (String[] r : NameTable.rows("ipsec/ah-ipv4-options", 3)) {
            V4_OPTIONS.put(Integer.parseInt(r[0].trim()), V4Option.valueOf(r[1].trim().toUpperCase(Locale.ROOT).replace('-', '_')));
        }
    }

    private static final int HOP_BY_HOP = 0;
    private static final int ROUTING = 43;
    private static final int FRAGMENT = 44;
    private static final int DEST_OPTS = 60;
    /** IPv6 option types whose third-highest bit is set may change en route (RFC 8200 §4.2). */
    private static final int V6_MAY_CHANGE = 0x20;

    /**
     * The datagram {@code b[ip, end)} as the ICV sees it, without the ICV itself zeroed (that
     * depends on the algorithm): IPv4 TOS, flags and fragment offset, TTL and checksum zeroed,
     * mutable options zeroed (a source route's last address as the destination); IPv6 traffic
     * class, flow label and hop limit zeroed, option data of options that may change zeroed, a
     * type 0 or 2 routing header as it arrives at the final destination.
     *
     * @throws IllegalArgumentException when the headers before AH cannot be read that way
     */
    static byte[] zeroMutable(byte[] b, int ip, int ah, int end, boolean v6) {
        byte[] m = Arrays.copyOfRange(b, ip, end);
        int hdrEnd = ah - ip;
        if (!v6) {
            m[1] = 0; // TOS (DSCP, ECN)
            m[6] = 0; // flags, fragment offset
            m[7] = 0;
            m[8] = 0; // TTL
            m[10] = 0; // header checksum
            m[11] = 0;
            int o = 20;
            while (o < hdrEnd) {
                int t = m[o] & 0xff;
                if (t == 0) {
                    break; // End of Option List: what follows is padding, included as it is
                }
                if (t == 1) {
                    o++;
                    continue;
                }
                if (o + 2 > hdrEnd || (m[o + 1] & 0xff) < 2 || o + (m[o + 1] & 0xff) > hdrEnd) {
                    throw new IllegalArgumentException("IPv4 option " + t + " at byte " + o + " has an impossible length");
                }
                int len = m[o + 1] & 0xff;
                V4Option h = V4_OPTIONS.getOrDefault(t, V4Option.ZEROED);
                if (h == V4Option.SOURCE_ROUTE && len >= 7) {
                    // the destination the packet will have on arrival: the last address of the route
                    System.arraycopy(m, o + len - 4 - (len - 3) % 4, m, 16, 4);
                }
                if (h != V4Option.IMMUTABLE) {
                    Arrays.fill(m, o, o + len, (byte) 0);
                }
                o += len;
            }
            return m;
        }
        m[0] &= (byte) 0xf0; // traffic class and flow label
        m[1] = 0;
        m[2] = 0;
        m[3] = 0;
        m[7] = 0; // hop limit
        int nh = m[6] & 0xff;
        int o = 40;
        while (o < hdrEnd) {
            if (o + 8 > hdrEnd) {
                throw new IllegalArgumentException("IPv6 extension header " + nh + " runs into the AH header");
            }
            int len = ((m[o + 1] & 0xff) + 1) * 8;
            if (nh == FRAGMENT) {
                throw new IllegalArgumentException("a fragment header before AH (AH is checked on whole datagrams)");
            }
            if (o + len > hdrEnd) {
                throw new IllegalArgumentException("IPv6 extension header " + nh + " of " + len + " bytes runs into the AH header");
            }
            if (nh == HOP_BY_HOP || nh == DEST_OPTS) {
                int p = o + 2;
                while (p < o + len) {
                    int t = m[p] & 0xff;
                    if (t == 0) { // Pad1
                        p++;
                        continue;
                    }
                    if (p + 2 > o + len || p + 2 + (m[p + 1] & 0xff) > o + len) {
                        throw new IllegalArgumentException("IPv6 option " + t + " runs past its extension header");
                    }
                    int ol = m[p + 1] & 0xff;
                    if ((t & V6_MAY_CHANGE) != 0) {
                        Arrays.fill(m, p + 2, p + 2 + ol, (byte) 0);
                    }
                    p += 2 + ol;
                }
            } else if (nh == ROUTING) {
                finalRouting(m, o, len);
            }
            nh = m[o] & 0xff;
            o += len;
        }
        return m;
    }

    /**
     * RFC 4302 §3.3.3.1.2.2: a routing header is mutable but predictable. For types 0 and 2 (RFC
     * 2460 §4.4, RFC 6275 §6.4) with segments left, the header and destination are put as they
     * arrive at the final destination: the current destination takes the place of the next
     * address, the addresses after it move up one, the last address becomes the destination, and
     * segments left is 0.
     */
    private static void finalRouting(byte[] m, int o, int len) {
        int type = m[o + 2] & 0xff;
        int left = m[o + 3] & 0xff;
        if (left == 0) {
            return;
        }
        if (type != 0 && type != 2) {
            throw new IllegalArgumentException("a type " + type + " routing header with segments left");
        }
        int n = (len - 8) / 16;
        if (left > n) {
            throw new IllegalArgumentException("routing header: " + left + " segments left of " + n + " addresses");
        }
        int a = o + 8;
        int next = n - left; // index of the next address to visit
        byte[] dst = Arrays.copyOfRange(m, 24, 40);
        byte[] last = Arrays.copyOfRange(m, a + 16 * (n - 1), a + 16 * n);
        System.arraycopy(m, a + 16 * next, m, a + 16 * (next + 1), 16 * (n - 1 - next));
        System.arraycopy(dst, 0, m, a + 16 * next, 16);
        System.arraycopy(last, 0, m, 24, 16);
        m[o + 3] = 0;
    }

    /** Big-endian reads without depending on the decode package's helpers. */
    private static final class Bytes4 {
        static long u32(byte[] b, int o) {
            return ((b[o] & 0xffL) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
        }
    }
}
