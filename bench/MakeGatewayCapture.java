import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Writes a large, deterministic, gateway-like capture (classic pcap, microsecond timestamps,
 * Ethernet) made of copies of the REAL strongSwan exchanges in {@code captures/}. Single-file
 * program for the Java 11+ source launcher, no dependencies, no root, no network:
 *
 * <pre>
 * java bench/MakeGatewayCapture.java [options] OUT.pcap
 *   --mode pair|clients   pair: every SA between 192.0.2.1 and 192.0.2.2 (default);
 *                         clients: session i's initiator address 192.0.2.1 becomes client 100.64.0.0+i+1
 *   --sas N               IKE SAs to write (distinct initiator SPIs; default 26300)
 *   --esp-per-sa E        ESP-in-UDP frames per IKE SA of a successful session, mean (default 36)
 *   --target-mb M         instead of --esp-per-sa: pick E so that the file is about M * 10^6 bytes
 *   --seed S              seed of everything random (default 1); same arguments = same bytes
 *   --fail-ratio F        share of sessions that are failures (default 0.05)
 *   --interval SEC        mean time between session starts (default 1.1 s: 26,300 SAs span ~6.8 h)
 *   --esp-gap SEC         spacing of the replicated ESP bulk (default 0.05 s)
 *   --captures DIR        where the real captures are (default: captures/ next to bench/)
 *   --manifest FILE       also write one TSV line per session (template, start, SPIs, client)
 *   --pcapng FILE         also write FILE as pcapng (runs editcap -F pcapng OUT FILE)
 *   --list 1              print each template (frames, ESP, SAs, SPIs, NAT-D hashes found)
 *   --esp-keys FILE       re-seal every copy's ESP so that it decrypts, and write its keys to FILE as
 *                         Wireshark's esp_sa table (vpnsleuth analyze --keys FILE; tshark's profile)
 * </pre>
 *
 * <p>What a copy is: a "session" is every IPv4 frame of one real capture (ARP dropped), with
 * <ul>
 * <li>fresh IKE SPIs/cookies: every distinct non-zero 8-byte SPI of the template's IKE headers is
 * mapped to a new value unique in the whole file (a bijective mix of a counter), in the IKE header
 * (SPIi and SPIr). Cleartext NAT detection hashes (IKEv2 NAT_DETECTION_*_IP notifies in
 * IKE_SA_INIT, IKEv1 NAT-D payloads in MM3/MM4/AM1/AM2) are recomputed over the new SPIs and the
 * new addresses/ports when the original hash matched the frame's own address, so no NAT appears
 * where there was none (and the real NAT of nat-t.pcapng stays a NAT). SPIs inside encrypted
 * payloads (IKEv2 SK, IKEv1 encrypted: Notify REKEY_SA, Delete, SA proposals of child SAs) are NOT
 * rewritten, and the integrity checksums of encrypted IKE messages no longer verify (they cover
 * the header): these captures are for load, not for decryption.</li>
 * <li>fresh ESP SPIs (unique in the file) and per-SPI increasing sequence numbers; each run of
 * consecutive ESP frames of the template is repeated k times (k = E * ikeSAs / template ESP
 * frames, dithered per session between floor and ceiling), the first round at the real timing,
 * later rounds every --esp-gap; ciphertext copied, so it does not decrypt;</li>
 * <li>with --esp-keys FILE, the copied ciphertext is replaced: the ICV of ESP covers the SPI and
 * the sequence number (RFC 4303 §2.8; RFC 4106 §5: they are GCM's AAD), both new, so no copy would
 * verify with the template's logged keys. Each new SPI gets its own AES-GCM key (128 bits + 4-byte
 * salt, RFC 4106, 16-byte ICV; seeded, so the same arguments give the same keys), and each ESP frame
 * is sealed anew at its own size: SPI | seq | IV = the 64-bit sequence number | ciphertext | ICV,
 * the plaintext an IPv4 ICMP echo (request from the initiator's side, reply back; 10.1.0.1 and
 * 10.2.0.1 inside, valid checksums) that fills the frame, then the trailer (no padding, next header
 * 4). FILE gets one esp_sa record per new SPI, with the copy's outer addresses. IKE stays as
 * above (not decryptable): these are ESP keys only;</li>
 * <li>timestamps shifted: session i starts at i * interval plus a seeded jitter, real gaps inside
 * IKE exchanges and retransmissions kept, so sessions follow one another over hours and overlap a
 * little (the frames of overlapping sessions are merged in time order);</li>
 * <li>IPv4 identification renumbered, IPv4 header checksum recomputed, UDP checksum set to 0 (the
 * originals carry the veth's partial checksums anyway); IP and UDP lengths are unchanged because
 * no frame changes size;</li>
 * <li>nat-t.pcapng: the NAT's translated ports (389, 9353) get a fresh port in 49152..65535 per session.</li>
 * </ul>
 *
 * <p>The session mix: successes (IKEv2 PSK GCM/CBC, ESP sizes, CREATE_CHILD_SA child and IKE
 * rekeys with deletes, IKEv1 Main+Quick, Quick Mode PFS rekey, Aggressive, NAT-T with keepalives)
 * and, at --fail-ratio, failures (unanswered retransmitted IKE_SA_INIT, IKEv1 MM1 unanswered, IKEv2
 * and IKEv1 PSK mismatch, IKEv2 and IKEv1 proposal mismatch). See WEIGHTS.
 */
public final class MakeGatewayCapture {

    /** template file, weight among successes or failures, failure? */
    private static final Object[][] WEIGHTS = {
        {"ikev2-psk-esp.pcapng", 30, false},
        {"ikev2-psk-esp-cbc.pcapng", 15, false},
        {"ikev2-esp-sizes.pcapng", 5, false},
        {"ikev2-rekey-pfs.pcapng", 20, false},
        {"ikev1-main-quick.pcap", 10, false},
        {"ikev1-quick-pfs.pcapng", 5, false},
        {"ikev1-aggressive.pcapng", 5, false},
        {"nat-t.pcapng", 10, false},
        {"fail-no-responder.pcapng", 30, true},
        {"fail-ikev2-psk.pcapng", 20, true},
        {"fail-ikev1-psk.pcapng", 15, true},
        {"fail-ikev2-proposal.pcapng", 15, true},
        {"fail-ikev1-proposal.pcapng", 10, true},
        {"fail-ikev1-no-responder.pcapng", 10, true},
    };

    private static final int INITIATOR = ip(192, 0, 2, 1);
    private static final int RESPONDER = ip(192, 0, 2, 2);
    private static final int CLIENT_BASE = ip(100, 64, 0, 0);
    /** A fixed address over which "NAT present" hashes are recomputed (the private side of nat-t). */
    private static final int NAT_PRIVATE = ip(198, 51, 100, 2);
    private static final long EPOCH_MICROS = 1_796_083_200_000_000L; // 2026-12-01T00:00:00Z

    static final int IKE = 1, ESP = 2, KEEPALIVE = 3;

    // ------------------------------------------------------------------ templates

    static final class NatD {
        int off;       // offset of the hash in the frame
        int len;       // 20 = SHA-1, 32 = SHA-256, 48 = SHA-384, 64 = SHA-512
        int which;     // 0 = frame's source address, 1 = destination, 2 = neither (NAT)
        boolean v2;    // IKEv2 (SHA-1 over SPIi|SPIr|IP|port) or IKEv1 (same layout, negotiated hash)
    }

    static final class TFrame {
        byte[] data;
        long t;          // microseconds since the template's first IPv4 frame
        int kind;
        int ipOff, udpOff, payOff;
        int ispiIdx = -1, rspiIdx = -1, espIdx = -1;
        int run = -1;    // ESP run index
        List<NatD> natd = new ArrayList<>();
    }

    static final class Template {
        String name;
        boolean failure;
        int weight;
        List<TFrame> frames = new ArrayList<>();
        List<Long> ikeSpis = new ArrayList<>();
        List<Integer> espSpis = new ArrayList<>();
        List<Integer> otherPorts = new ArrayList<>();
        int ikeSas;          // distinct non-zero initiator SPIs
        int espFrames;
        long fixedBytes;     // record bytes (16 + len) of non-ESP frames
        long espBytes;       // record bytes of one round of all ESP runs
        long sessions, written;

        /** Mean number of rounds of the ESP runs per session (a session gets its floor or ceiling). */
        double rounds(double espPerSa) {
            return espFrames == 0 ? 0 : espPerSa * ikeSas / espFrames;
        }
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static String ipStr(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }

    static int u16(byte[] b, int o) {
        return (b[o] & 255) << 8 | (b[o + 1] & 255);
    }

    static int u32(byte[] b, int o) {
        return (b[o] & 255) << 24 | (b[o + 1] & 255) << 16 | (b[o + 2] & 255) << 8 | (b[o + 3] & 255);
    }

    static long u64(byte[] b, int o) {
        return (long) u32(b, o) << 32 | (u32(b, o + 4) & 0xffffffffL);
    }

    static void p16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static void p32(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static void p64(byte[] b, int o, long v) {
        p32(b, o, (int) (v >>> 32));
        p32(b, o + 4, (int) v);
    }

    static void le32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }

    // ------------------------------------------------------------------ minimal pcap / pcapng reader

    /** Returns {timestamp micros (Long), frame bytes (byte[])} pairs of an Ethernet capture. */
    static List<Object[]> readCapture(Path p) throws IOException {
        byte[] f = Files.readAllBytes(p);
        List<Object[]> out = new ArrayList<>();
        int magicBe = u32(f, 0);
        if (magicBe == 0x0A0D0D0A) {
            readPcapng(f, out, p);
            return out;
        }
        boolean le;
        boolean nanos;
        switch (magicBe) {
            case 0xa1b2c3d4: le = false; nanos = false; break;
            case 0xd4c3b2a1: le = true; nanos = false; break;
            case 0xa1b23c4d: le = false; nanos = true; break;
            case 0x4d3cb2a1: le = true; nanos = true; break;
            default: throw new IOException(p + ": not a pcap or pcapng file");
        }
        int link = rd32(f, 20, le);
        if (link != 1) {
            throw new IOException(p + ": link type " + link + ", only Ethernet (1) is supported");
        }
        int o = 24;
        while (o + 16 <= f.length) {
            long sec = rd32(f, o, le) & 0xffffffffL;
            long sub = rd32(f, o + 4, le) & 0xffffffffL;
            int incl = rd32(f, o + 8, le);
            byte[] d = Arrays.copyOfRange(f, o + 16, o + 16 + incl);
            out.add(new Object[] {sec * 1_000_000L + (nanos ? sub / 1000 : sub), d});
            o += 16 + incl;
        }
        return out;
    }

    static int rd32(byte[] b, int o, boolean le) {
        int v = u32(b, o);
        return le ? Integer.reverseBytes(v) : v;
    }

    static int rd16(byte[] b, int o, boolean le) {
        int v = u16(b, o);
        return le ? (v >>> 8 | (v & 255) << 8) : v;
    }

    static void readPcapng(byte[] f, List<Object[]> out, Path p) throws IOException {
        boolean le = true;
        List<long[]> ifaces = new ArrayList<>(); // {linktype, units per second}
        int o = 0;
        while (o + 12 <= f.length) {
            int type = u32(f, o);
            if (type == 0x0A0D0D0A) {
                le = u32(f, o + 8) == 0x4D3C2B1A;
                ifaces.clear();
            }
            int type2 = rd32(f, o, le);
            int len = rd32(f, o + 4, le);
            if (len < 12 || o + len > f.length) {
                throw new IOException(p + ": bad pcapng block at " + o);
            }
            if (type2 == 1) { // IDB
                int link = rd16(f, o + 8, le);
                long units = 1_000_000L;
                int q = o + 16;
                while (q + 4 <= o + len - 4) {
                    int code = rd16(f, q, le);
                    int olen = rd16(f, q + 2, le);
                    if (code == 0) {
                        break;
                    }
                    if (code == 9 && olen == 1) {
                        int r = f[q + 4] & 255;
                        units = (r & 0x80) != 0 ? 1L << (r & 0x7f) : (long) Math.pow(10, r);
                    }
                    q += 4 + ((olen + 3) & ~3);
                }
                ifaces.add(new long[] {link, units});
            } else if (type2 == 6) { // EPB
                int ifid = rd32(f, o + 8, le);
                long ts = (rd32(f, o + 12, le) & 0xffffffffL) << 32 | (rd32(f, o + 16, le) & 0xffffffffL);
                int cap = rd32(f, o + 20, le);
                long[] ifc = ifaces.get(ifid);
                if (ifc[0] != 1) {
                    throw new IOException(p + ": link type " + ifc[0] + ", only Ethernet (1) is supported");
                }
                long micros = ifc[1] == 1_000_000L ? ts : (long) (ts / (ifc[1] / 1e6));
                out.add(new Object[] {micros, Arrays.copyOfRange(f, o + 28, o + 28 + cap)});
            }
            o += len;
        }
    }

    // ------------------------------------------------------------------ template analysis

    static Template load(Path dir, String name, int weight, boolean failure) throws IOException {
        Template t = new Template();
        t.name = name;
        t.weight = weight;
        t.failure = failure;
        List<Object[]> raw = readCapture(dir.resolve(name));
        long t0 = -1;
        long[] spiSeenI = new long[16];
        int nI = 0;
        int prevRunFrame = -2;
        int runs = 0;
        for (Object[] r : raw) {
            byte[] d = (byte[]) r[1];
            if (d.length < 14 + 20 + 8 || u16(d, 12) != 0x0800) {
                continue; // ARP and anything that is not IPv4
            }
            int ipOff = 14;
            int ihl = (d[ipOff] & 15) * 4;
            if (d[ipOff + 9] != 17 || (u16(d, ipOff + 6) & 0x3fff) != 0) {
                throw new IOException(name + ": unexpected non-UDP or fragmented IPv4 frame");
            }
            TFrame tf = new TFrame();
            tf.data = d;
            long ts = (Long) r[0];
            if (t0 < 0) {
                t0 = ts;
            }
            tf.t = ts - t0;
            tf.ipOff = ipOff;
            tf.udpOff = ipOff + ihl;
            int sport = u16(d, tf.udpOff);
            int dport = u16(d, tf.udpOff + 2);
            for (int port : new int[] {sport, dport}) {
                if (port != 500 && port != 4500 && !t.otherPorts.contains(port)) {
                    t.otherPorts.add(port);
                }
            }
            int pay = tf.udpOff + 8;
            int payLen = d.length - pay;
            if (sport == 4500 || dport == 4500) {
                if (payLen == 1 && (d[pay] & 255) == 0xff) {
                    tf.kind = KEEPALIVE;
                } else if (payLen >= 4 && u32(d, pay) == 0) {
                    tf.kind = IKE;
                    tf.payOff = pay + 4;
                } else {
                    tf.kind = ESP;
                    tf.payOff = pay;
                }
            } else {
                tf.kind = IKE;
                tf.payOff = pay;
            }
            int idx = t.frames.size();
            if (tf.kind == IKE) {
                long si = u64(d, tf.payOff);
                long sr = u64(d, tf.payOff + 8);
                tf.ispiIdx = spiIndex(t, si);
                tf.rspiIdx = spiIndex(t, sr);
                boolean seen = false;
                for (int i = 0; i < nI; i++) {
                    seen |= spiSeenI[i] == si;
                }
                if (!seen && si != 0) {
                    spiSeenI[nI++] = si;
                }
                findNatD(t, tf);
                t.fixedBytes += 16 + d.length;
            } else if (tf.kind == ESP) {
                int spi = u32(d, tf.payOff);
                int e = t.espSpis.indexOf(spi);
                if (e < 0) {
                    e = t.espSpis.size();
                    t.espSpis.add(spi);
                }
                tf.espIdx = e;
                if (prevRunFrame != idx - 1) {
                    runs++;
                }
                tf.run = runs - 1;
                prevRunFrame = idx;
                t.espFrames++;
                t.espBytes += 16 + d.length;
            } else {
                t.fixedBytes += 16 + d.length;
            }
            t.frames.add(tf);
        }
        t.ikeSas = nI;
        return t;
    }

    static int spiIndex(Template t, long spi) {
        if (spi == 0) {
            return -1;
        }
        int i = t.ikeSpis.indexOf(spi);
        if (i < 0) {
            i = t.ikeSpis.size();
            t.ikeSpis.add(spi);
        }
        return i;
    }

    /** Finds the cleartext NAT detection hashes of an IKE message and which address each covers. */
    static void findNatD(Template t, TFrame tf) {
        byte[] d = tf.data;
        int h = tf.payOff;
        int major = (d[h + 17] & 255) >>> 4;
        int next = d[h + 16] & 255;
        int flags = d[h + 19] & 255;
        if (major == 1 && (flags & 1) != 0) {
            return; // IKEv1 encrypted
        }
        int q = h + 28;
        int end = Math.min(d.length, h + u32(d, h + 24));
        while (next != 0 && q + 4 <= end) {
            int plen = u16(d, q + 2);
            if (plen < 4 || q + plen > end) {
                return;
            }
            if (major == 2 && next == 46) {
                return; // SK: everything after is encrypted
            }
            if (major == 2 && next == 41 && plen >= 8) {
                int spiSize = d[q + 5] & 255;
                int type = u16(d, q + 6);
                if (type == 16388 || type == 16389) {
                    addNatD(tf, q + 8 + spiSize, plen - 8 - spiSize, true);
                }
            } else if (major == 1 && (next == 20 || next == 130)) {
                addNatD(tf, q + 4, plen - 4, false);
            }
            next = d[q] & 255;
            q += plen;
        }
    }

    static void addNatD(TFrame tf, int off, int len, boolean v2) {
        byte[] d = tf.data;
        NatD n = new NatD();
        n.off = off;
        n.len = len;
        n.v2 = v2;
        n.which = 2;
        long si = u64(d, tf.payOff);
        long sr = u64(d, tf.payOff + 8);
        int src = u32(d, tf.ipOff + 12), dst = u32(d, tf.ipOff + 16);
        int sport = u16(d, tf.udpOff), dport = u16(d, tf.udpOff + 2);
        byte[] orig = Arrays.copyOfRange(d, off, off + len);
        if (Arrays.equals(orig, natHash(len, si, sr, src, sport))) {
            n.which = 0;
        } else if (Arrays.equals(orig, natHash(len, si, sr, dst, dport))) {
            n.which = 1;
        }
        tf.natd.add(n);
    }

    static byte[] natHash(int len, long si, long sr, int addr, int port) {
        String alg = len == 20 ? "SHA-1" : len == 32 ? "SHA-256" : len == 48 ? "SHA-384" : len == 64 ? "SHA-512" : null;
        if (alg == null) {
            return new byte[0];
        }
        byte[] in = new byte[22];
        p64(in, 0, si);
        p64(in, 8, sr);
        p32(in, 16, addr);
        p16(in, 20, port);
        try {
            return MessageDigest.getInstance(alg).digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ generation

    static long mix64(long z) { // splitmix64 finalizer: a bijection on 64-bit values
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static int mix32(int h) { // murmur3 fmix32: a bijection on 32-bit values
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    final List<Template> templates = new ArrayList<>();
    final boolean clients;
    final long seed;
    final double failRatio, interval, espGap;
    int[] sessTemplate;
    long[] sessStart;
    int sessions;
    long ikeCounter, espCounter;
    int ipId;
    /** --esp-keys: where each new SPI's esp_sa record goes (null: ESP copied as it was). */
    PrintWriter espKeys;
    private javax.crypto.Cipher gcm;
    private byte[] plain = new byte[65536];

    MakeGatewayCapture(Path dir, boolean clients, long seed, double failRatio, double interval, double espGap)
            throws IOException {
        this.clients = clients;
        this.seed = seed;
        this.failRatio = failRatio;
        this.interval = interval;
        this.espGap = espGap;
        for (Object[] w : WEIGHTS) {
            templates.add(load(dir, (String) w[0], (Integer) w[1], (Boolean) w[2]));
        }
    }

    /** Picks the session templates and start times (deterministic) until exactly sas IKE SAs. */
    void plan(int sas) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int okW = 0, failW = 0;
        for (Template t : templates) {
            if (t.failure) {
                failW += t.weight;
            } else {
                okW += t.weight;
            }
        }
        int[] tpl = new int[sas];
        long[] start = new long[sas];
        int n = 0;
        int left = sas;
        long intervalMicros = Math.round(interval * 1e6);
        while (left > 0) {
            boolean fail = rnd.nextDouble() < failRatio;
            int pick = rnd.nextInt(fail ? failW : okW);
            int ti = -1;
            for (int i = 0; i < templates.size(); i++) {
                Template t = templates.get(i);
                if (t.failure == fail) {
                    pick -= t.weight;
                    if (pick < 0) {
                        ti = i;
                        break;
                    }
                }
            }
            if (templates.get(ti).ikeSas > left) {
                ti = 0; // the last SA: a one-SA template
            }
            long jitter = (long) (rnd.nextDouble() * 0.9 * intervalMicros);
            tpl[n] = ti;
            start[n] = n * intervalMicros + jitter;
            left -= templates.get(ti).ikeSas;
            n++;
        }
        sessTemplate = Arrays.copyOf(tpl, n);
        sessStart = Arrays.copyOf(start, n);
        sessions = n;
    }

    long predictBytes(double espPerSa) {
        long b = 24;
        for (int i = 0; i < sessions; i++) {
            Template t = templates.get(sessTemplate[i]);
            b += t.fixedBytes + Math.round(t.rounds(espPerSa) * t.espBytes);
        }
        return b;
    }

    double espForTarget(long targetBytes) {
        double lo = 0, hi = 100_000;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (predictBytes(mid) < targetBytes) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** One session, expanded into its events in time order. */
    final class Session {
        final int id;
        final Template t;
        final long[] ts;
        final int[] frame;
        final int[] seq;
        int pos;
        final long[] newIke;
        final int[] newEsp;
        final int[] portMap;
        final int client;
        /** --esp-keys: the key (16 bytes + 4-byte salt) of each new ESP SPI, and whether its record was written. */
        byte[][] espKey;
        boolean[] keyWritten;

        Session(int id, double espPerSa, SplittableRandom rnd) {
            this.id = id;
            t = templates.get(sessTemplate[id]);
            double x = t.rounds(espPerSa);
            int k = (int) Math.floor(x);
            if (rnd.nextDouble() < x - k) {
                k++; // dithered so that the mean is x
            }
            int n = t.frames.size() - t.espFrames + k * t.espFrames;
            ts = new long[n];
            frame = new int[n];
            seq = new int[n];
            newIke = new long[t.ikeSpis.size()];
            for (int i = 0; i < newIke.length; i++) {
                long v;
                do {
                    v = mix64(seed * 0x9E3779B97F4A7C15L + ikeCounter++);
                } while (v == 0);
                newIke[i] = v;
            }
            newEsp = new int[t.espSpis.size()];
            for (int i = 0; i < newEsp.length; i++) {
                int v;
                do {
                    v = mix32((int) (seed * 0x61C88647L) + (int) espCounter++);
                } while (Integer.compareUnsigned(v, 256) < 0);
                newEsp[i] = v;
            }
            if (espKeys != null) {
                espKey = new byte[newEsp.length][20];
                keyWritten = new boolean[newEsp.length];
                for (int i = 0; i < newEsp.length; i++) {
                    SplittableRandom kr = new SplittableRandom(mix64(seed * 0x2545F4914F6CDD1DL + (newEsp[i] & 0xffffffffL)));
                    for (int b = 0; b < 20; b += 4) {
                        p32(espKey[i], b, kr.nextInt());
                    }
                }
            }
            portMap = new int[t.otherPorts.size()];
            for (int i = 0; i < portMap.length; i++) {
                portMap[i] = 49152 + rnd.nextInt(16384); // ephemeral: a registered port (e.g. 2268 AMT) would make tshark decode it as that
            }
            client = clients ? CLIENT_BASE + id + 1 : INITIATOR;
            int[] seqCounter = new int[newEsp.length];
            long espGapMicros = Math.round(espGap * 1e6);
            long now = sessStart[id];
            int e = 0;
            List<TFrame> fr = t.frames;
            for (int i = 0; i < fr.size(); ) {
                TFrame f = fr.get(i);
                long delta = i == 0 ? 0 : f.t - fr.get(i - 1).t;
                if (f.kind != ESP) {
                    now += delta;
                    ts[e] = now;
                    frame[e++] = i;
                    i++;
                    continue;
                }
                int j = i;
                while (j < fr.size() && fr.get(j).run == f.run) {
                    j++;
                }
                for (int round = 0; round < k; round++) {
                    for (int q = i; q < j; q++) {
                        TFrame g = fr.get(q);
                        long dq = q == 0 ? 0 : g.t - fr.get(q - 1).t;
                        if (round > 0) {
                            dq = q == i ? espGapMicros : Math.min(dq, espGapMicros);
                        }
                        now += dq;
                        ts[e] = now;
                        frame[e] = q;
                        seq[e++] = ++seqCounter[g.espIdx];
                    }
                }
                if (k == 0) {
                    now += delta + (fr.get(j - 1).t - f.t);
                }
                i = j;
            }
        }

        long next() {
            return ts[pos];
        }
    }

    // stats
    long frames, bytes, ikeFrames, espFrames, kaFrames, espBytes, ikeSasWritten;
    long lastTs;

    void generate(OutputStream out, double espPerSa, PrintWriter manifest) throws IOException {
        byte[] h = new byte[24];
        le32(h, 0, 0xa1b2c3d4);
        h[4] = 2;
        h[6] = 4;
        le32(h, 16, 262144);
        le32(h, 20, 1);
        out.write(h);
        bytes = 24;
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5A5A5A5AL);
        PriorityQueue<Session> pq = new PriorityQueue<>((a, b) -> {
            int c = Long.compare(a.next(), b.next());
            return c != 0 ? c : Integer.compare(a.id, b.id);
        });
        int nextSession = 0;
        byte[] buf = new byte[65536 + 16];
        while (nextSession < sessions || !pq.isEmpty()) {
            while (nextSession < sessions && (pq.isEmpty() || sessStart[nextSession] <= pq.peek().next())) {
                Session s = new Session(nextSession++, espPerSa, rnd);
                s.t.sessions++;
                ikeSasWritten += s.t.ikeSas;
                if (manifest != null) {
                    StringBuilder sb = new StringBuilder();
                    sb.append(s.id).append('\t').append(s.t.name).append('\t').append(s.t.failure ? "failure" : "ok")
                            .append('\t').append(String.format(Locale.ROOT, "%.6f", (EPOCH_MICROS + sessStart[s.id]) / 1e6))
                            .append('\t').append(ipStr(s.client)).append('\t');
                    for (int i = 0; i < s.newIke.length; i++) {
                        sb.append(i > 0 ? "," : "").append(String.format("%016x", s.newIke[i]));
                    }
                    sb.append('\t');
                    for (int i = 0; i < s.newEsp.length; i++) {
                        sb.append(i > 0 ? "," : "").append(String.format("%08x", s.newEsp[i]));
                    }
                    manifest.println(sb);
                }
                if (s.ts.length > 0) {
                    pq.add(s);
                }
            }
            Session s = pq.poll();
            write(out, s, buf);
            s.pos++;
            if (s.pos < s.ts.length) {
                pq.add(s);
            }
        }
    }

    void write(OutputStream out, Session s, byte[] buf) throws IOException {
        TFrame f = s.t.frames.get(s.frame[s.pos]);
        byte[] d = f.data;
        int len = d.length;
        System.arraycopy(d, 0, buf, 16, len);
        int o = 16;
        int ip = o + f.ipOff;
        int udp = o + f.udpOff;
        if (clients) {
            if (u32(buf, ip + 12) == INITIATOR) {
                p32(buf, ip + 12, s.client);
            }
            if (u32(buf, ip + 16) == INITIATOR) {
                p32(buf, ip + 16, s.client);
            }
        }
        for (int i = 0; i < 2; i++) {
            int port = u16(buf, udp + 2 * i);
            int pi = s.t.otherPorts.indexOf(port);
            if (pi >= 0) {
                p16(buf, udp + 2 * i, s.portMap[pi]);
            }
        }
        p16(buf, ip + 4, ipId++ & 0xffff);
        p16(buf, ip + 10, 0);
        p16(buf, ip + 10, ipChecksum(buf, ip, (buf[ip] & 15) * 4));
        p16(buf, udp + 6, 0);
        int pay = o + f.payOff;
        if (f.kind == IKE) {
            long si = f.ispiIdx < 0 ? 0 : s.newIke[f.ispiIdx];
            long sr = f.rspiIdx < 0 ? 0 : s.newIke[f.rspiIdx];
            p64(buf, pay, si);
            p64(buf, pay + 8, sr);
            for (NatD n : f.natd) {
                int addr, port;
                if (n.which == 2) {
                    addr = NAT_PRIVATE;
                    port = 500;
                } else {
                    addr = u32(buf, ip + (n.which == 0 ? 12 : 16));
                    port = u16(buf, udp + (n.which == 0 ? 0 : 2));
                }
                byte[] hash = natHash(n.len, si, sr, addr, port);
                System.arraycopy(hash, 0, buf, o + n.off, n.len);
            }
            ikeFrames++;
        } else if (f.kind == ESP) {
            p32(buf, pay, s.newEsp[f.espIdx]);
            p32(buf, pay + 4, s.seq[s.pos]);
            if (espKeys != null) {
                seal(buf, ip, udp, pay, s, f.espIdx);
            }
            espFrames++;
            espBytes += 16 + len;
        } else {
            kaFrames++;
        }
        long ts = EPOCH_MICROS + s.ts[s.pos];
        lastTs = s.ts[s.pos];
        le32(buf, 0, (int) (ts / 1_000_000L));
        le32(buf, 4, (int) (ts % 1_000_000L));
        le32(buf, 8, len);
        le32(buf, 12, len);
        out.write(buf, 0, 16 + len);
        frames++;
        bytes += 16 + len;
    }

    /**
     * --esp-keys: the ESP packet at {@code pay} (SPI and sequence number already written) sealed
     * with its SPI's AES-GCM key at the same size (RFC 4303, RFC 4106: nonce salt | IV, AAD SPI |
     * seq); its esp_sa record written on the SPI's first frame.
     */
    void seal(byte[] buf, int ip, int udp, int pay, Session s, int espIdx) {
        int espLen = u16(buf, udp + 4) - 8;
        int ct = espLen - 8 - 8 - 16;
        int inner = ct - 2;
        if (inner < 28) {
            throw new IllegalStateException(s.t.name + ": an ESP packet of " + espLen + " bytes has no room for an ICMP echo");
        }
        byte[] key = s.espKey[espIdx];
        int src = u32(buf, ip + 12);
        int dst = u32(buf, ip + 16);
        if (!s.keyWritten[espIdx]) {
            s.keyWritten[espIdx] = true;
            espKeys.printf(Locale.ROOT, "\"IPv4\",\"%s\",\"%s\",\"0x%08x\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x%s\",\"NULL\",\"\"%n",
                    ipStr(src), ipStr(dst), s.newEsp[espIdx], java.util.HexFormat.of().formatHex(key));
        }
        boolean request = src == s.client || src == INITIATOR;
        Arrays.fill(plain, 0, ct, (byte) 0);
        plain[0] = 0x45;
        p16(plain, 2, inner);
        p16(plain, 4, ipId & 0xffff);
        plain[6] = 0x40; // DF
        plain[8] = 64;
        plain[9] = 1; // ICMP
        p32(plain, 12, request ? ip(10, 1, 0, 1) : ip(10, 2, 0, 1));
        p32(plain, 16, request ? ip(10, 2, 0, 1) : ip(10, 1, 0, 1));
        p16(plain, 10, ipChecksum(plain, 0, 20));
        plain[20] = (byte) (request ? 8 : 0);
        p16(plain, 24, s.id & 0xffff);
        p16(plain, 26, s.seq[s.pos] & 0xffff);
        for (int i = 28; i < inner; i++) {
            plain[i] = (byte) i;
        }
        p16(plain, 22, inetChecksum(plain, 20, inner - 20));
        plain[inner] = 0; // pad length
        plain[inner + 1] = 4; // next header: IPv4
        long seq = s.seq[s.pos] & 0xffffffffL;
        p64(buf, pay + 8, seq); // IV: the sequence number, unique per key
        byte[] nonce = new byte[12];
        System.arraycopy(key, 16, nonce, 0, 4);
        System.arraycopy(buf, pay + 8, nonce, 4, 8);
        try {
            if (gcm == null) {
                gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            }
            gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, 0, 16, "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, nonce));
            gcm.updateAAD(buf, pay, 8);
            int w = gcm.doFinal(plain, 0, ct, buf, pay + 16);
            if (w != ct + 16) {
                throw new IllegalStateException("GCM wrote " + w + " bytes, not " + (ct + 16));
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Internet checksum (RFC 1071) of b[o, o + len), an odd last byte padded with zero. */
    static int inetChecksum(byte[] b, int o, int len) {
        int sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += u16(b, o + i);
        }
        if ((len & 1) != 0) {
            sum += (b[o + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    static int ipChecksum(byte[] b, int o, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += u16(b, o + i);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new LinkedHashMap<>();
        String outName = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    usage("missing value for " + args[i]);
                }
                opt.put(args[i].substring(2), args[++i]);
            } else if (outName == null) {
                outName = args[i];
            } else {
                usage("more than one output file");
            }
        }
        if (outName == null) {
            usage("no output file");
        }
        String mode = opt.getOrDefault("mode", "pair");
        if (!mode.equals("pair") && !mode.equals("clients")) {
            usage("--mode must be pair or clients");
        }
        int sas = Integer.parseInt(opt.getOrDefault("sas", "26300"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "1"));
        double failRatio = Double.parseDouble(opt.getOrDefault("fail-ratio", "0.05"));
        double interval = Double.parseDouble(opt.getOrDefault("interval", "1.1"));
        double espGap = Double.parseDouble(opt.getOrDefault("esp-gap", "0.05"));
        Path dir;
        if (opt.containsKey("captures")) {
            dir = Path.of(opt.get("captures"));
        } else {
            dir = Path.of("captures");
            if (!Files.isDirectory(dir)) {
                dir = Path.of("..", "captures");
            }
        }
        MakeGatewayCapture g = new MakeGatewayCapture(dir, mode.equals("clients"), seed, failRatio, interval, espGap);
        if (g.clients && sas > (1 << 22) - 2) {
            usage("clients mode: at most 4194302 sessions (100.64.0.0/10)");
        }
        if (opt.containsKey("list") && !opt.get("list").equals("0")) {
            for (Template t : g.templates) {
                StringBuilder sb = new StringBuilder();
                for (TFrame f : t.frames) {
                    for (NatD n : f.natd) {
                        sb.append(' ').append(n.v2 ? "v2" : "v1").append(n.len == 20 ? "/sha1" : "/sha" + n.len * 8)
                                .append(n.which == 0 ? ":src" : n.which == 1 ? ":dst" : ":none");
                    }
                }
                System.out.printf(Locale.ROOT, "%-32s frames %3d, ESP %3d, IKE SAs %d, IKE SPIs %d, ESP SPIs %d, "
                        + "ports %s, NAT-D%s%n", t.name, t.frames.size(), t.espFrames, t.ikeSas, t.ikeSpis.size(),
                        t.espSpis.size(), t.otherPorts, sb.length() == 0 ? " none" : sb);
            }
        }
        g.plan(sas);
        double espPerSa;
        if (opt.containsKey("target-mb")) {
            espPerSa = g.espForTarget(Math.round(Double.parseDouble(opt.get("target-mb")) * 1e6));
        } else {
            espPerSa = Double.parseDouble(opt.getOrDefault("esp-per-sa", "36"));
        }
        Path path = Path.of(outName);
        if (path.toAbsolutePath().getParent() != null) {
            Files.createDirectories(path.toAbsolutePath().getParent());
        }
        long t0 = System.nanoTime();
        PrintWriter manifest = opt.containsKey("manifest") ? new PrintWriter(Files.newBufferedWriter(Path.of(opt.get("manifest")))) : null;
        if (manifest != null) {
            manifest.println("session\ttemplate\tresult\tstart\tinitiator\tike_spis\tesp_spis");
        }
        if (opt.containsKey("esp-keys")) {
            g.espKeys = new PrintWriter(Files.newBufferedWriter(Path.of(opt.get("esp-keys"))));
            g.espKeys.println("# esp_sa of " + outName + " (MakeGatewayCapture --esp-keys, seed " + seed + "): one AES-GCM-128 key per ESP SPI");
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            g.generate(os, espPerSa, manifest);
        }
        if (g.espKeys != null) {
            g.espKeys.close();
        }
        if (manifest != null) {
            manifest.close();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (opt.containsKey("pcapng")) {
            try {
                Process p = new ProcessBuilder("editcap", "-F", "pcapng", outName, opt.get("pcapng")).inheritIO().start();
                if (p.waitFor() != 0) {
                    System.err.println("MakeGatewayCapture: editcap failed");
                    System.exit(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        System.out.printf(Locale.ROOT, "%s: mode %s, seed %d, %,d bytes, %,d frames, %,d IKE SAs in %,d sessions, "
                + "span %.2f h, written in %.1f s%n", outName, mode, seed, g.bytes, g.frames, g.ikeSasWritten, g.sessions,
                g.lastTs / 3.6e9, s);
        System.out.printf(Locale.ROOT, "  ESP-in-UDP %,d frames (%.1f %% of frames, %.1f %% of bytes), IKE %,d frames, "
                + "NAT-T keepalives %,d; ESP per IKE SA requested %.2f%n", g.espFrames, 100.0 * g.espFrames / g.frames,
                100.0 * g.espBytes / g.bytes, g.ikeFrames, g.kaFrames, espPerSa);
        for (Template t : g.templates) {
            System.out.printf(Locale.ROOT, "  %-32s %-7s sessions %,8d  (IKE SAs each %d, ESP frames each %.1f on average)%n", t.name,
                    t.failure ? "failure" : "ok", t.sessions, t.ikeSas, t.rounds(espPerSa) * t.espFrames);
        }
    }

    static void usage(String why) {
        System.err.println("MakeGatewayCapture: " + why);
        System.err.println("usage: java bench/MakeGatewayCapture.java [--mode pair|clients] [--sas N] "
                + "[--esp-per-sa E | --target-mb M] [--seed S] [--fail-ratio F] [--interval SEC] [--esp-gap SEC] "
                + "[--captures DIR] [--manifest FILE] [--pcapng FILE] [--list 1] [--esp-keys FILE] OUT.pcap");
        System.exit(2);
    }
}
