import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a large, deterministic, mixed VPN capture (classic pcap, microsecond timestamps, Ethernet)
 * for benchmarking. Single-file program for the Java 11+ source launcher, independent of the project:
 *
 * <pre>java bench/MakeBigCapture.java OUT SIZE_MB</pre>
 *
 * SIZE_MB is in units of 10^6 bytes; the file stops at the first frame that reaches it. The mix
 * (by frame count, approximately):
 * <ul>
 * <li>42 % ESP (IP protocol 50), 8 SAs (SPIs), per-SA increasing sequence numbers;</li>
 * <li>22 % ESP-in-UDP on 4500 (some peers behind NAT with a random source port), 8 SAs;</li>
 * <li>1 % NAT-T keepalives (one 0xFF byte on 4500, half of them padded to 60 bytes);</li>
 * <li>2 % IKE: IKEv2 on 500 (IKE_SA_INIT), IKEv2 on 4500 behind the non-ESP marker (IKE_AUTH,
 * CREATE_CHILD_SA, INFORMATIONAL), IKEv1 on 500 (main, aggressive, quick mode, informational);</li>
 * <li>12 % GRE with key and sequence number carrying IPv4 (TCP/UDP inside);</li>
 * <li>12 % L2TPv2 data messages on UDP 1701 carrying PPP/IPv4 (with and without the length field);</li>
 * <li>~6 % IPv4 fragments: pairs that reassemble (ESP and ESP-in-UDP datagrams larger than the MTU,
 * one pair in ten sent last fragment first);</li>
 * <li>2 % ESP over IPv6;</li>
 * <li>5 % of all frames carry an 802.1Q tag (VLAN 100 or 200).</li>
 * </ul>
 * Inner packet sizes follow a bimodal internet mix: 40 % 40..100 bytes (ACKs), 10 % 100..300,
 * 15 % 300..1000, 35 % near the tunnel MTU; Ethernet frames are at most 1514 bytes.
 */
public final class MakeBigCapture {
    private static final long SEED = 0x5EED_2024_0501L;
    private static final int LINKTYPE_ETHERNET = 1;

    private final SplittableRandom rnd = new SplittableRandom(SEED);
    private final byte[] pool = new byte[1 << 20];
    private final byte[] f = new byte[1 << 17];
    private final byte[] rec = new byte[16];
    private final OutputStream out;
    private long tsMicros = 1_704_067_200_000_000L; // 2024-01-01T00:00:00Z
    long bytes;
    long frames;
    private final long[] kinds = new long[Kind.values().length];

    // SA / tunnel state
    private final long[] espSpi = new long[8];
    private final long[] espSeq = new long[8];
    private final long[] uSpi = new long[8];
    private final long[] uSeq = new long[8];
    private final int[] uNatPort = new int[8];
    private final long[] v6Spi = new long[2];
    private final long[] v6Seq = new long[2];
    private final long[] greKey = new long[4];
    private final long[] greSeq = new long[4];
    private final int[] l2tpTunnel = new int[4];
    private final int[] l2tpSession = new int[4];
    private int ipId = 1;
    private long ikeMid;

    enum Kind { ESP, ESP_UDP, NATT_KEEPALIVE, IKEV2_500, IKEV2_4500, IKEV1_500, GRE, L2TP, FRAG_PAIR, ESP_V6 }

    MakeBigCapture(OutputStream out) {
        this.out = out;
        rnd.nextBytes(pool);
        for (int i = 0; i < 8; i++) {
            espSpi[i] = 0xc0000000L | rnd.nextInt(1 << 30);
            espSeq[i] = 1 + rnd.nextInt(1000);
            uSpi[i] = 0x10000000L | rnd.nextInt(1 << 28);
            uSeq[i] = 1;
            uNatPort[i] = i < 4 ? 4500 : 1024 + rnd.nextInt(60000);
        }
        for (int i = 0; i < 2; i++) {
            v6Spi[i] = 0x60000000L | rnd.nextInt(1 << 28);
            v6Seq[i] = 1;
        }
        for (int i = 0; i < 4; i++) {
            greKey[i] = 1000 + i;
            greSeq[i] = 0;
            l2tpTunnel[i] = 1 + rnd.nextInt(65535);
            l2tpSession[i] = 1 + rnd.nextInt(65535);
        }
    }

    public static void main(String[] args) throws IOException {
        String outName = args.length > 0 ? args[0] : "bench/out/big.pcap";
        long sizeMb = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        Path path = Path.of(outName);
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        long t0 = System.nanoTime();
        try (OutputStream os = new BufferedOutputStream(new FileOutputStream(outName), 1 << 20)) {
            MakeBigCapture g = new MakeBigCapture(os);
            g.fileHeader();
            long target = sizeMb * 1_000_000L;
            while (g.bytes < target) {
                g.one();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %,d bytes, %,d frames (%.0f bytes/frame on average) in %.1f s%n", outName, g.bytes,
                    g.frames, (double) (g.bytes - 24) / g.frames, s);
            for (Kind k : Kind.values()) {
                System.out.printf("  %-15s %,12d%n", k, g.kinds[k.ordinal()]);
            }
        }
    }

    // ---------------------------------------------------------------- output

    private void fileHeader() throws IOException {
        byte[] h = new byte[24];
        le32(h, 0, 0xa1b2c3d4);
        le16(h, 4, 2);
        le16(h, 6, 4);
        le32(h, 16, 262144);
        le32(h, 20, LINKTYPE_ETHERNET);
        out.write(h);
        bytes += 24;
    }

    private void emit(int len) throws IOException {
        tsMicros += 1 + rnd.nextInt(12);
        le32(rec, 0, (int) (tsMicros / 1_000_000L));
        le32(rec, 4, (int) (tsMicros % 1_000_000L));
        le32(rec, 8, len);
        le32(rec, 12, len);
        out.write(rec);
        out.write(f, 0, len);
        bytes += 16 + len;
        frames++;
    }

    // ---------------------------------------------------------------- the mix

    private void one() throws IOException {
        int r = rnd.nextInt(10000);
        Kind k;
        if (r < 4200) {
            k = Kind.ESP;
        } else if (r < 6400) {
            k = Kind.ESP_UDP;
        } else if (r < 6500) {
            k = Kind.NATT_KEEPALIVE;
        } else if (r < 6570) {
            k = Kind.IKEV2_500;
        } else if (r < 6650) {
            k = Kind.IKEV2_4500;
        } else if (r < 6700) {
            k = Kind.IKEV1_500;
        } else if (r < 7900) {
            k = Kind.GRE;
        } else if (r < 9100) {
            k = Kind.L2TP;
        } else if (r < 9800) {
            k = Kind.FRAG_PAIR; // two frames each
        } else {
            k = Kind.ESP_V6;
        }
        kinds[k.ordinal()]++;
        switch (k) {
            case ESP -> esp();
            case ESP_UDP -> espUdp();
            case NATT_KEEPALIVE -> keepalive();
            case IKEV2_500 -> ikev2(false);
            case IKEV2_4500 -> ikev2(true);
            case IKEV1_500 -> ikev1();
            case GRE -> gre();
            case L2TP -> l2tp();
            case FRAG_PAIR -> fragPair();
            case ESP_V6 -> espV6();
            default -> throw new AssertionError(k);
        }
    }

    /** An inner (plaintext) IP packet size from a bimodal internet mix, at most {@code max}. */
    private int innerSize(int max) {
        int r = rnd.nextInt(100);
        int s;
        if (r < 40) {
            s = 40 + rnd.nextInt(61);
        } else if (r < 50) {
            s = 100 + rnd.nextInt(200);
        } else if (r < 65) {
            s = 300 + rnd.nextInt(700);
        } else {
            s = max - rnd.nextInt(60);
        }
        return Math.min(s, max);
    }

    /** ESP payload length for an inner packet: SPI, seq, 16-byte IV, padded ciphertext + trailer, 16-byte ICV. */
    private static int espLen(int inner) {
        return 8 + 16 + ((inner + 2 + 15) & ~15) + 16;
    }

    // ---------------------------------------------------------------- builders

    /** Ethernet header (with an 802.1Q tag in 5 % of frames); returns the offset of the payload. */
    private int eth(int etherType, int host) {
        f[0] = 0x02;
        f[1] = 0x00;
        f[2] = 0x5e;
        f[3] = 0x10;
        f[4] = 0x00;
        f[5] = (byte) host;
        f[6] = 0x02;
        f[7] = 0x42;
        f[8] = (byte) 0xac;
        f[9] = 0x11;
        f[10] = 0x00;
        f[11] = (byte) (host + 1);
        if (rnd.nextInt(100) < 5) {
            be16(f, 12, 0x8100);
            be16(f, 14, (rnd.nextBoolean() ? 100 : 200) | (rnd.nextInt(8) << 13));
            be16(f, 16, etherType);
            return 18;
        }
        be16(f, 12, etherType);
        return 14;
    }

    /** IPv4 header without options; total length and checksum are filled by {@link #ipv4Done}. */
    private int ipv4(int o, int proto, int src, int dst, int id, int fragField) {
        f[o] = 0x45;
        f[o + 1] = 0;
        be16(f, o + 4, id);
        be16(f, o + 6, fragField);
        f[o + 8] = (byte) (48 + rnd.nextInt(17));
        f[o + 9] = (byte) proto;
        be32(f, o + 12, src);
        be32(f, o + 16, dst);
        return o + 20;
    }

    private void ipv4Done(int o, int end) {
        be16(f, o + 2, end - o);
        be16(f, o + 10, 0);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((f[o + i] & 0xff) << 8) | (f[o + i + 1] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        be16(f, o + 10, ~sum & 0xffff);
    }

    private int ipv6(int o, int nh, int host) {
        be32(f, o, 0x60000000 | rnd.nextInt(1 << 20));
        f[o + 6] = (byte) nh;
        f[o + 7] = 64;
        // 2001:db8:0:<host>::1 > 2001:db8:1:<host>::2
        be32(f, o + 8, 0x20010db8);
        be32(f, o + 12, host);
        be32(f, o + 16, 0);
        be32(f, o + 20, 1);
        be32(f, o + 24, 0x20010db8);
        be32(f, o + 28, 0x10000 | host);
        be32(f, o + 32, 0);
        be32(f, o + 36, 2);
        return o + 40;
    }

    private void ipv6Done(int o, int end) {
        be16(f, o + 4, end - o - 40);
    }

    private int udp(int o, int sport, int dport) {
        be16(f, o, sport);
        be16(f, o + 2, dport);
        be16(f, o + 6, 0); // no checksum (allowed over IPv4)
        return o + 8;
    }

    private void udpDone(int o, int end) {
        be16(f, o + 4, end - o);
    }

    /** Pseudo-random bytes (ciphertext, application data). */
    private int fill(int o, int len) {
        int src = rnd.nextInt(pool.length - len);
        System.arraycopy(pool, src, f, o, len);
        return o + len;
    }

    private int esp(int o, long spi, long seq, int len) {
        be32(f, o, (int) spi);
        be32(f, o + 4, (int) seq);
        return fill(o + 8, len - 8);
    }

    /** A plaintext IPv4 packet of {@code size} bytes: TCP (443, 80, 22) or UDP (53, 443, 123). */
    private int innerIp(int o, int size, int host) {
        boolean tcp = rnd.nextInt(100) < 75;
        int minimum = tcp ? 40 : 28;
        size = Math.max(size, minimum);
        int client = 0x0a000000 | (host << 8) | (2 + rnd.nextInt(200)); // 10.x.h.n
        int server = 0xc6336400 | rnd.nextInt(256); // 198.51.100.n
        boolean up = rnd.nextBoolean();
        int p = ipv4(o, tcp ? 6 : 17, up ? client : server, up ? server : client, rnd.nextInt(65536), 0x4000);
        int eph = 32768 + rnd.nextInt(28000);
        if (tcp) {
            int[] ports = {443, 443, 443, 993, 8443};
            int svc = ports[rnd.nextInt(ports.length)];
            be16(f, p, up ? eph : svc);
            be16(f, p + 2, up ? svc : eph);
            be32(f, p + 4, rnd.nextInt());
            be32(f, p + 8, rnd.nextInt());
            be16(f, p + 12, 0x5010 | (size > 40 ? 0x08 : 0)); // data offset 5, ACK (+PSH)
            be16(f, p + 14, 502 + rnd.nextInt(64000));
            be16(f, p + 16, rnd.nextInt(65536));
            be16(f, p + 18, 0);
            p += 20;
        } else {
            int[] ports = {443, 443, 8443, 20000};
            int svc = ports[rnd.nextInt(ports.length)];
            int u = p;
            p = udp(p, up ? eph : svc, up ? svc : eph);
            be16(f, u + 6, rnd.nextInt(65535) + 1);
            be16(f, u + 4, size - 20);
        }
        int end = fill(p, o + size - p);
        ipv4Done(o, end);
        return end;
    }

    private static int gw(int i) {
        return 0xcb007100 | (i + 1); // 203.0.113.x
    }

    private static int peer(int i) {
        return 0xc0000200 | (i + 101); // 192.0.2.x
    }

    private int nextId() {
        ipId = (ipId + 1) & 0xffff;
        return ipId;
    }

    // ---------------------------------------------------------------- frame kinds

    private void esp() throws IOException {
        int sa = rnd.nextInt(8);
        int len = espLen(innerSize(1400));
        int o = eth(0x0800, sa);
        boolean out = (sa & 1) == 0;
        int ip = o;
        o = ipv4(o, 50, out ? gw(sa >> 1) : peer(sa >> 1), out ? peer(sa >> 1) : gw(sa >> 1), nextId(), 0x4000);
        o = esp(o, espSpi[sa], espSeq[sa]++, len);
        ipv4Done(ip, o);
        emit(o);
    }

    private void espUdp() throws IOException {
        int sa = rnd.nextInt(8);
        int len = espLen(innerSize(1380));
        int o = eth(0x0800, 16 + sa);
        boolean out = (sa & 1) == 0;
        int ip = o;
        o = ipv4(o, 17, out ? gw(4 + (sa >> 1)) : peer(8 + sa), out ? peer(8 + sa) : gw(4 + (sa >> 1)), nextId(), 0x4000);
        int u = o;
        o = udp(o, out ? 4500 : uNatPort[sa], out ? uNatPort[sa] : 4500);
        o = esp(o, uSpi[sa], uSeq[sa]++, len);
        udpDone(u, o);
        ipv4Done(ip, o);
        emit(o);
    }

    private void keepalive() throws IOException {
        int sa = rnd.nextInt(8);
        int o = eth(0x0800, 16 + sa);
        int ip = o;
        o = ipv4(o, 17, peer(8 + sa), gw(4 + (sa >> 1)), nextId(), 0);
        int u = o;
        o = udp(o, uNatPort[sa], 4500);
        f[o++] = (byte) 0xff;
        udpDone(u, o);
        ipv4Done(ip, o);
        int len = o;
        if (rnd.nextBoolean()) {
            // received frames arrive padded to the Ethernet minimum
            while (len < 60) {
                f[len++] = 0;
            }
        }
        emit(len);
    }

    /** Generic IKE payload header + random body; returns the end. */
    private int ikePayload(int o, int next, int bodyLen) {
        f[o] = (byte) next;
        f[o + 1] = 0;
        be16(f, o + 2, 4 + bodyLen);
        return fill(o + 4, bodyLen);
    }

    /** IKE header at {@code o}; the length is filled by the caller. */
    private int ikeHeader(int o, int next, int version, int exchange, int flags, long mid, boolean haveRspi) {
        long ispi = 0x1122334455667788L ^ (mid >>> 3) * 0x9e3779b97f4a7c15L;
        be32(f, o, (int) (ispi >>> 32));
        be32(f, o + 4, (int) ispi);
        long rspi = haveRspi ? ispi * 31 + 7 : 0;
        be32(f, o + 8, (int) (rspi >>> 32));
        be32(f, o + 12, (int) rspi);
        f[o + 16] = (byte) next;
        f[o + 17] = (byte) version;
        f[o + 18] = (byte) exchange;
        f[o + 19] = (byte) flags;
        be32(f, o + 20, (int) mid);
        return o + 28;
    }

    /** IKEv2 Notify NAT_DETECTION_SOURCE_IP / _DESTINATION_IP with a 20-byte hash. */
    private int natDetection(int o, int next, int type) {
        f[o] = (byte) next;
        f[o + 1] = 0;
        be16(f, o + 2, 8 + 20);
        f[o + 4] = 0; // protocol
        f[o + 5] = 0; // SPI size
        be16(f, o + 6, type);
        return fill(o + 8, 20);
    }

    /** IKEv2 SA payload: one IKE proposal, AES-CBC-256 / HMAC-SHA2-256 PRF and integrity / group 19. */
    private int ikev2Sa(int o, int next) {
        int start = o;
        f[o] = (byte) next;
        f[o + 1] = 0;
        o += 4;
        int prop = o;
        f[o] = 0; // last proposal
        f[o + 1] = 0;
        f[o + 4] = 1; // proposal 1
        f[o + 5] = 1; // IKE
        f[o + 6] = 0; // SPI size
        f[o + 7] = 4; // transforms
        o += 8;
        o = ikev2Transform(o, 3, 1, 12, true);
        o = ikev2Transform(o, 3, 2, 5, false);
        o = ikev2Transform(o, 3, 3, 12, false);
        o = ikev2Transform(o, 0, 4, 19, false);
        be16(f, prop + 2, o - prop);
        be16(f, start + 2, o - start);
        return o;
    }

    private int ikev2Transform(int o, int more, int type, int id, boolean keyLength) {
        f[o] = (byte) more;
        f[o + 1] = 0;
        be16(f, o + 2, keyLength ? 12 : 8);
        f[o + 4] = (byte) type;
        f[o + 5] = 0;
        be16(f, o + 6, id);
        if (keyLength) {
            be16(f, o + 8, 0x800e);
            be16(f, o + 10, 256);
            return o + 12;
        }
        return o + 8;
    }

    /** IKEv1 SA payload: DOI IPsec, one ISAKMP proposal with one transform (AES-256, SHA2-256, PSK, group 14). */
    private int ikev1Sa(int o, int next) {
        int start = o;
        f[o] = (byte) next;
        f[o + 1] = 0;
        be32(f, o + 4, 1); // DOI IPsec
        be32(f, o + 8, 1); // situation: identity only
        o += 12;
        int prop = o;
        f[o] = 0;
        f[o + 1] = 0;
        f[o + 4] = 1; // proposal 1
        f[o + 5] = 1; // PROTO_ISAKMP
        f[o + 6] = 0; // SPI size
        f[o + 7] = 1; // one transform
        o += 8;
        int tr = o;
        f[o] = 0;
        f[o + 1] = 0;
        f[o + 4] = 1; // transform 1
        f[o + 5] = 1; // KEY_IKE
        be16(f, o + 6, 0);
        o += 8;
        int[] attrs = {0x8001, 7, 0x800e, 256, 0x8002, 4, 0x8003, 1, 0x8004, 14};
        for (int a : attrs) {
            be16(f, o, a);
            o += 2;
        }
        be16(f, tr + 2, o - tr);
        be16(f, prop + 2, o - prop);
        be16(f, start + 2, o - start);
        return o;
    }

    private void ikev2(boolean natt) throws IOException {
        int gw = rnd.nextInt(4);
        boolean resp = rnd.nextBoolean();
        int o = eth(0x0800, 32 + gw);
        int ip = o;
        o = ipv4(o, 17, resp ? gw(gw) : peer(20 + gw), resp ? peer(20 + gw) : gw(gw), nextId(), 0);
        int u = o;
        int port = natt ? 4500 : 500;
        o = udp(o, port, port);
        if (natt) {
            be32(f, o, 0); // non-ESP marker
            o += 4;
        }
        int ike = o;
        long mid = ikeMid++;
        int flags = (resp ? 0x20 : 0) | (resp ? 0 : 0x08);
        if (!natt) {
            // IKE_SA_INIT: SA, KE, Nonce, two NAT-D notifies
            o = ikeHeader(o, 33, 0x20, 34, flags, 0, resp);
            o = ikev2Sa(o, 34);
            f[o] = 40; // KE: DH group 19 (256-bit ECP) = 64 bytes
            f[o + 1] = 0;
            be16(f, o + 2, 4 + 4 + 64);
            be16(f, o + 4, 19);
            be16(f, o + 6, 0);
            o = fill(o + 8, 64);
            o = ikePayload(o, 41, 32); // Nonce
            o = natDetection(o, 41, 16388);
            o = natDetection(o, 0, 16389);
        } else {
            int r = rnd.nextInt(10);
            int exchange = r < 4 ? 35 : r < 6 ? 36 : 37; // IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL
            int body = exchange == 35 ? 300 + rnd.nextInt(1000) : exchange == 36 ? 200 + rnd.nextInt(300) : 16 + 16 * rnd.nextInt(3);
            o = ikeHeader(o, 46, 0x20, exchange, flags, 1 + (mid & 0xff), true);
            o = ikePayload(o, exchange == 37 ? 42 : exchange == 36 ? 33 : 35, 16 + body + 16); // SK: IV, ciphertext, ICV
        }
        be32(f, ike + 24, o - ike);
        udpDone(u, o);
        ipv4Done(ip, o);
        emit(o);
    }

    private void ikev1() throws IOException {
        int gw = rnd.nextInt(4);
        boolean resp = rnd.nextBoolean();
        int o = eth(0x0800, 40 + gw);
        int ip = o;
        o = ipv4(o, 17, resp ? gw(gw) : peer(30 + gw), resp ? peer(30 + gw) : gw(gw), nextId(), 0);
        int u = o;
        o = udp(o, 500, 500);
        int ike = o;
        long mid = ikeMid++;
        int r = rnd.nextInt(10);
        if (r < 3) {
            // main mode, first exchange: SA + vendor IDs
            o = ikeHeader(o, 1, 0x10, 2, 0, 0, resp);
            o = ikev1Sa(o, 13);
            o = ikePayload(o, 13, 16);
            o = ikePayload(o, 0, 16);
        } else if (r < 5) {
            // aggressive mode: SA, KE, Nonce, ID
            o = ikeHeader(o, 1, 0x10, 4, 0, 0, resp);
            o = ikev1Sa(o, 4);
            o = ikePayload(o, 10, 128);
            o = ikePayload(o, 5, 20);
            o = ikePayload(o, 0, 12);
        } else if (r < 9) {
            // quick mode, encrypted (flag E): HASH first, the rest ciphertext
            o = ikeHeader(o, 8, 0x10, 32, 0x01, 0x40000000L | (mid & 0xffffff), true);
            o = fill(o, 16 * (5 + rnd.nextInt(20)));
        } else {
            // informational, encrypted
            o = ikeHeader(o, 8, 0x10, 5, 0x01, 0x20000000L | (mid & 0xffffff), true);
            o = fill(o, 16 * (3 + rnd.nextInt(3)));
        }
        be32(f, ike + 24, o - ike);
        udpDone(u, o);
        ipv4Done(ip, o);
        emit(o);
    }

    private void gre() throws IOException {
        int t = rnd.nextInt(4);
        boolean out = rnd.nextBoolean();
        int o = eth(0x0800, 48 + t);
        int ip = o;
        o = ipv4(o, 47, out ? gw(8 + t) : peer(40 + t), out ? peer(40 + t) : gw(8 + t), nextId(), 0x4000);
        be16(f, o, 0x3000); // K and S bits, version 0
        be16(f, o + 2, 0x0800);
        be32(f, o + 4, (int) greKey[t]);
        be32(f, o + 8, (int) greSeq[t]++);
        o = innerIp(o + 12, innerSize(1476), 10 + t);
        ipv4Done(ip, o);
        emit(o);
    }

    private void l2tp() throws IOException {
        int t = rnd.nextInt(4);
        boolean out = rnd.nextBoolean();
        int o = eth(0x0800, 56 + t);
        int ip = o;
        o = ipv4(o, 17, out ? gw(12 + t) : peer(50 + t), out ? peer(50 + t) : gw(12 + t), nextId(), 0x4000);
        int u = o;
        o = udp(o, 1701, 1701);
        int l = o;
        boolean withLength = (t & 1) == 0;
        if (withLength) {
            be16(f, o, 0x4002); // L bit, version 2
            o += 4; // length filled below
        } else {
            be16(f, o, 0x0002);
            o += 2;
        }
        be16(f, o, l2tpTunnel[t]);
        be16(f, o + 2, l2tpSession[t]);
        o += 4;
        f[o] = (byte) 0xff; // PPP address and control
        f[o + 1] = 0x03;
        be16(f, o + 2, 0x0021); // IPv4
        o = innerIp(o + 4, innerSize(1500 - 20 - 8 - 8 - 4), 20 + t);
        if (withLength) {
            be16(f, l + 2, o - l);
        }
        udpDone(u, o);
        ipv4Done(ip, o);
        emit(o);
    }

    /** A datagram larger than the MTU, sent as two fragments (one pair in ten in reverse order). */
    private void fragPair() throws IOException {
        int sa = rnd.nextInt(8);
        boolean overUdp = rnd.nextBoolean();
        int inner = 1450 + rnd.nextInt(500);
        int espLen = espLen(inner);
        int id = nextId();
        int src = overUdp ? peer(8 + sa) : gw(sa >> 1);
        int dst = overUdp ? gw(4 + (sa >> 1)) : peer(sa >> 1);
        // Build the whole IP payload once at offset 2048 of f, then cut it.
        int base = 2048;
        int o = base;
        if (overUdp) {
            o = udp(o, uNatPort[sa], 4500);
            o = esp(o, uSpi[sa], uSeq[sa]++, espLen);
            udpDone(base, o);
        } else {
            o = esp(o, espSpi[sa], espSeq[sa]++, espLen);
        }
        int payload = o - base;
        int first = 1480; // multiple of 8
        boolean reverse = rnd.nextInt(10) == 0;
        for (int k = 0; k < 2; k++) {
            boolean isFirst = (k == 0) != reverse;
            int from = isFirst ? 0 : first;
            int len = isFirst ? first : payload - first;
            int p = eth(0x0800, overUdp ? 16 + sa : sa);
            int ip = p;
            p = ipv4(p, overUdp ? 17 : 50, src, dst, id, (isFirst ? 0x2000 : 0) | (from / 8));
            System.arraycopy(f, base + from, f, p, len);
            p += len;
            ipv4Done(ip, p);
            // the fragment must not overwrite the datagram kept at base
            emit(p);
        }
    }

    private void espV6() throws IOException {
        int sa = rnd.nextInt(2);
        int len = espLen(innerSize(1380));
        int o = eth(0x86dd, 64 + sa);
        int ip = o;
        o = ipv6(o, 50, sa);
        o = esp(o, v6Spi[sa], v6Seq[sa]++, len);
        ipv6Done(ip, o);
        emit(o);
    }

    // ---------------------------------------------------------------- bytes

    private static void be16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    private static void be32(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    private static void le16(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
    }

    private static void le32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
