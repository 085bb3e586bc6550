import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes N valid ESP-in-UDP packets of one child SA pair, re-encrypted with the keys a strongSwan
 * level-4 log prints, for benchmarking decryption. Single-file program for the Java 11+ source
 * launcher, independent of the project (its own log parsing, its own ESP encryption with JCE):
 *
 * <pre>java bench/MakeEspCapture.java LOG CAPTURE OUT.pcap N FRAME_BYTES</pre>
 *
 * <ul>
 * <li>LOG: the initiator's charon log (captures/*.initiator.log). Its "selected proposal: ESP:..."
 * line gives the algorithms (AES_GCM_16_{128,192,256}, or AES_CBC_{128,192,256} with
 * HMAC_SHA2_256_128 / HMAC_SHA1_96), its "CHILD_SA ... established with SPIs I_i O_o" line the SPIs;
 * the "encryption/integrity initiator key" protects initiator → responder packets (SPI O), the
 * responder key the other direction (SPI I). GCM keys end with the 4-byte salt (RFC 4106).</li>
 * <li>CAPTURE: the capture of that SA; the Ethernet, IPv4 and UDP headers of the first ESP-in-UDP
 * frame of each SPI are the templates of the new frames (addresses, ports, DF, TTL).</li>
 * <li>OUT: classic pcap, microsecond timestamps, Ethernet; frames alternate initiator → responder
 * and back (ping and reply), sequence numbers 1, 2, 3 ... per SA.</li>
 * <li>FRAME_BYTES: the frame length; the inner packet (an IPv4 ICMP echo 10.1.0.1 ↔ 10.2.0.1 with a
 * counter in its data) is as large as the cipher's alignment lets the frame be, at most FRAME_BYTES.</li>
 * </ul>
 * The packets follow RFC 4303 (ESP), RFC 3948 (UDP encapsulation), RFC 4106 (GCM: nonce salt | IV,
 * AAD SPI | sequence number, the IV the 64-bit sequence number as strongSwan sends it) and RFC 3602 /
 * 4868 (CBC with a random IV, ICV = HMAC over SPI | seq | IV | ciphertext, truncated). No ESN.
 * Deterministic: the same arguments give the same bytes.
 */
public final class MakeEspCapture {
    private static final HexFormat HEX = HexFormat.of();

    /** One direction: SPI, keys, the cipher prepared once, the header template, the next sequence number. */
    static final class Dir {
        long spi;
        byte[] encKey;
        byte[] authKey;
        byte[] template; // Ethernet + IPv4 + UDP of a real frame of this SPI
        long seq = 1;
        boolean fromInitiator;
    }

    final boolean gcm;
    final String hmac;
    final int icvLen;
    final SplittableRandom rnd = new SplittableRandom(0x45_5350_2024L);

    MakeEspCapture(boolean gcm, String hmac, int icvLen) {
        this.gcm = gcm;
        this.hmac = hmac;
        this.icvLen = icvLen;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java bench/MakeEspCapture.java LOG CAPTURE OUT.pcap N FRAME_BYTES");
            System.exit(2);
        }
        List<String> log = Files.readAllLines(Path.of(args[0]));
        String proposal = null;
        long spiIn = -1;
        long spiOut = -1;
        Map<String, byte[]> keys = new LinkedHashMap<>();
        Pattern keyLine = Pattern.compile("\\[CHD\\] <[^>]*> ((?:encryption|integrity) (?:initiator|responder) key) => (\\d+) bytes");
        Pattern spis = Pattern.compile("CHILD_SA \\S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o");
        Pattern prop = Pattern.compile("selected proposal: (ESP:\\S+)");
        for (int i = 0; i < log.size(); i++) {
            String l = log.get(i);
            Matcher m = prop.matcher(l);
            if (m.find() && proposal == null) {
                proposal = m.group(1);
            }
            m = spis.matcher(l);
            if (m.find() && spiIn < 0) {
                spiIn = Long.parseLong(m.group(1), 16);
                spiOut = Long.parseLong(m.group(2), 16);
            }
            m = keyLine.matcher(l);
            if (m.find() && !keys.containsKey(m.group(1))) {
                int n = Integer.parseInt(m.group(2));
                byte[] k = new byte[n];
                int got = 0;
                for (int j = i + 1; got < n && j < log.size(); j++) {
                    // "<vpn|1>   16: 56 54 1B ...  ascii": 16 hex bytes in 48 columns after the offset
                    Matcher h = Pattern.compile("^.*?\\[CHD\\] <[^>]*> +\\d+: ").matcher(log.get(j));
                    if (!h.find()) {
                        break;
                    }
                    String dump = log.get(j).substring(h.end());
                    for (String b : dump.substring(0, Math.min(48, dump.length())).trim().split(" +")) {
                        if (got < n) {
                            k[got++] = (byte) Integer.parseInt(b, 16);
                        }
                    }
                }
                keys.put(m.group(1), k);
            }
        }
        if (proposal == null || spiIn < 0) {
            throw new IllegalArgumentException(args[0] + ": no selected ESP proposal or no established CHILD_SA");
        }
        boolean gcm = proposal.contains("AES_GCM_16");
        String hmac = null;
        int icv = 16;
        if (!gcm) {
            if (!proposal.contains("AES_CBC")) {
                throw new IllegalArgumentException("only AES_GCM_16 and AES_CBC proposals: " + proposal);
            }
            if (proposal.contains("HMAC_SHA2_256_128")) {
                hmac = "HmacSHA256";
            } else if (proposal.contains("HMAC_SHA1_96")) {
                hmac = "HmacSHA1";
                icv = 12;
            } else {
                throw new IllegalArgumentException("only HMAC_SHA2_256_128 and HMAC_SHA1_96: " + proposal);
            }
        }
        MakeEspCapture g = new MakeEspCapture(gcm, hmac, icv);
        Dir i2r = new Dir();
        i2r.spi = spiOut;
        i2r.fromInitiator = true;
        i2r.encKey = keys.get("encryption initiator key");
        i2r.authKey = keys.get("integrity initiator key");
        Dir r2i = new Dir();
        r2i.spi = spiIn;
        r2i.encKey = keys.get("encryption responder key");
        r2i.authKey = keys.get("integrity responder key");
        long firstTs = templates(Path.of(args[1]), i2r, r2i);
        long n = Long.parseLong(args[3]);
        int frame = Integer.parseInt(args[4]);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[2])), 1 << 20)) {
            g.write(out, n, frame, firstTs, i2r, r2i);
        }
        System.err.printf("%s: %,d ESP-in-UDP frames of %d bytes, %s, SPIs %08x (I->R) %08x (R->I)%n", args[2], n,
                g.frameLength(frame), proposal, i2r.spi, r2i.spi);
    }

    /** The header templates of the two SPIs from the capture; returns the first frame's time in µs. */
    static long templates(Path capture, Dir a, Dir b) throws IOException {
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(capture));
        List<byte[]> frames = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        int magic = f.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0x0A0D0D0A) { // pcapng: Enhanced Packet Blocks
            f.order(f.getInt(8) == 0x1A2B3C4D ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            for (int o = 0; o + 12 <= f.limit(); ) {
                int type = f.getInt(o);
                int len = f.getInt(o + 4);
                if (type == 6) {
                    long ts = ((f.getInt(o + 12) & 0xffffffffL) << 32) | (f.getInt(o + 16) & 0xffffffffL);
                    int cap = f.getInt(o + 20);
                    byte[] d = new byte[cap];
                    f.get(o + 28, d);
                    frames.add(d);
                    times.add(ts); // if_tsresol 6 (µs) assumed, the default
                }
                o += len;
            }
        } else if (magic == 0xa1b2c3d4) {
            for (int o = 24; o + 16 <= f.limit(); ) {
                int cap = f.getInt(o + 8);
                byte[] d = new byte[cap];
                f.get(o + 16, d);
                frames.add(d);
                times.add(f.getInt(o) * 1_000_000L + f.getInt(o + 4));
                o += 16 + cap;
            }
        } else {
            throw new IOException(capture + ": neither pcapng nor little-endian µs pcap");
        }
        for (byte[] d : frames) {
            // Ethernet II, IPv4 without options, UDP 4500, a non-zero SPI
            if (d.length < 14 + 20 + 8 + 8 || (d[12] & 0xff) != 0x08 || d[13] != 0 || (d[14] & 0xff) != 0x45 || d[23] != 17) {
                continue;
            }
            int dport = ((d[36] & 0xff) << 8) | (d[37] & 0xff);
            if (dport != 4500) {
                continue;
            }
            long spi = ByteBuffer.wrap(d, 42, 4).getInt() & 0xffffffffL;
            for (Dir x : new Dir[] {a, b}) {
                if (x.spi == spi && x.template == null) {
                    x.template = java.util.Arrays.copyOf(d, 42);
                }
            }
        }
        if (a.template == null || b.template == null) {
            throw new IOException(capture + ": no ESP-in-UDP frame of SPI " + Long.toHexString(a.template == null ? a.spi : b.spi));
        }
        return times.get(0);
    }

    int ivLength() {
        return gcm ? 8 : 16;
    }

    int align() {
        return gcm ? 4 : 16;
    }

    /** The ciphertext length (inner + padding + 2) that fills a frame of at most {@code frame} bytes. */
    int ciphertextLength(int frame) {
        int room = frame - 42 - 8 - ivLength() - icvLen;
        int ct = room / align() * align();
        if (ct - 2 < 28) {
            throw new IllegalArgumentException("frame of " + frame + " bytes leaves no room for an ICMP echo");
        }
        return ct;
    }

    int frameLength(int frame) {
        return 42 + 8 + ivLength() + ciphertextLength(frame) + icvLen;
    }

    void write(OutputStream out, long n, int frameBytes, long firstTs, Dir i2r, Dir r2i) throws Exception {
        int ct = ciphertextLength(frameBytes);
        int innerLen = ct - 2 - 2; // two bytes of padding (1, 2), as a 4-byte-aligned sender often has
        int len = frameLength(frameBytes);
        ByteBuffer hdr = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        hdr.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(hdr.array());
        Cipher[] ciphers = new Cipher[2];
        Mac[] macs = new Mac[2];
        Dir[] dirs = {i2r, r2i};
        for (int d = 0; d < 2; d++) {
            if (gcm) {
                ciphers[d] = Cipher.getInstance("AES/GCM/NoPadding");
            } else {
                ciphers[d] = Cipher.getInstance("AES/CBC/NoPadding");
                macs[d] = Mac.getInstance(hmac);
                macs[d].init(new SecretKeySpec(dirs[d].authKey, hmac));
            }
        }
        byte[] frame = new byte[len];
        byte[] plain = new byte[ct];
        byte[] rec = new byte[16];
        ByteBuffer recb = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        long ts = firstTs;
        int ipId = 1;
        for (long i = 0; i < n; i++) {
            int d = (int) (i & 1);
            Dir x = dirs[d];
            long seq = x.seq++;
            // the inner packet: IPv4 ICMP echo request (initiator) or reply (responder)
            java.util.Arrays.fill(plain, (byte) 0);
            inner(plain, innerLen, x.fromInitiator, (int) (i / 2), ipId);
            plain[innerLen] = 1;
            plain[innerLen + 1] = 2;
            plain[ct - 2] = 2; // pad length
            plain[ct - 1] = 4; // next header: IPv4
            // outer headers
            System.arraycopy(x.template, 0, frame, 0, 42);
            int ipLen = len - 14;
            put16(frame, 16, ipLen);
            put16(frame, 18, ipId++ & 0xffff);
            put16(frame, 24, 0);
            put16(frame, 24, checksum(frame, 14, 20));
            put16(frame, 38, ipLen - 20);
            put16(frame, 40, 0); // UDP checksum 0 (RFC 3948 allows it)
            int e = 42;
            put32(frame, e, x.spi);
            put32(frame, e + 4, seq);
            byte[] iv = new byte[ivLength()];
            if (gcm) {
                ByteBuffer.wrap(iv).putLong(seq);
            } else {
                rnd.nextBytes(iv);
            }
            System.arraycopy(iv, 0, frame, e + 8, iv.length);
            int c0 = e + 8 + iv.length;
            if (gcm) {
                byte[] k = x.encKey;
                byte[] nonce = new byte[12];
                System.arraycopy(k, k.length - 4, nonce, 0, 4);
                System.arraycopy(iv, 0, nonce, 4, 8);
                Cipher c = ciphers[d];
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, 0, k.length - 4, "AES"), new GCMParameterSpec(128, nonce));
                c.updateAAD(frame, e, 8);
                int w = c.doFinal(plain, 0, ct, frame, c0);
                if (w != ct + 16) {
                    throw new IllegalStateException("GCM wrote " + w);
                }
            } else {
                Cipher c = ciphers[d];
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(x.encKey, "AES"), new IvParameterSpec(iv));
                c.doFinal(plain, 0, ct, frame, c0);
                Mac m = macs[d];
                m.update(frame, e, 8 + iv.length + ct);
                byte[] full = m.doFinal();
                System.arraycopy(full, 0, frame, c0 + ct, icvLen);
            }
            ts += 10;
            recb.clear();
            recb.putInt((int) (ts / 1_000_000)).putInt((int) (ts % 1_000_000)).putInt(len).putInt(len);
            out.write(rec);
            out.write(frame);
        }
    }

    /** An IPv4 ICMP echo of {@code len} bytes at {@code p[0..len)}, with valid checksums. */
    static void inner(byte[] p, int len, boolean request, int id, int ipId) {
        p[0] = 0x45;
        put16(p, 2, len);
        put16(p, 4, ipId & 0xffff);
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = 1; // ICMP
        byte[] a = {10, 1, 0, 1};
        byte[] b = {10, 2, 0, 1};
        System.arraycopy(request ? a : b, 0, p, 12, 4);
        System.arraycopy(request ? b : a, 0, p, 16, 4);
        put16(p, 10, checksum(p, 0, 20));
        p[20] = (byte) (request ? 8 : 0);
        put16(p, 24, 0x1234);
        put16(p, 26, id & 0xffff);
        for (int i = 28; i < len; i++) {
            p[i] = (byte) (i + id);
        }
        put16(p, 22, checksum(p, 20, len - 20));
    }

    static int checksum(byte[] b, int off, int n) {
        long s = 0;
        for (int i = 0; i + 1 < n; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((n & 1) != 0) {
            s += (b[off + n - 1] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static void put32(byte[] b, int o, long v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }
}
