package org.vpnsleuth.diagnose;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.pipeline.Analysis;

/**
 * Test helper: builds L2TP, PPP, PPTP, GRE and PPPoE frames byte by byte from the RFC layouts
 * (RFC 2661 §3.1/§4.1 L2TP header and AVPs, RFC 1661 §5 LCP, RFC 1334 PAP, RFC 1994 CHAP, RFC 2759
 * MS-CHAPv2, RFC 1332 IPCP, RFC 2637 PPTP, RFC 2784/2890 GRE, RFC 2516 PPPoE), wraps them in
 * Ethernet/IPv4/UDP or TCP, writes a classic pcap (link type 1) and analyses it.
 */
final class TunnelPcap {
    static final String LAC = "c0000201"; // 192.0.2.1
    static final String LNS = "c0000202"; // 192.0.2.2

    private final List<byte[]> frames = new ArrayList<>();
    private final List<Long> micros = new ArrayList<>();
    private long now = 1_700_000_000_000_000L;

    /** Moves the capture clock on by {@code ms} milliseconds. */
    TunnelPcap after(long ms) {
        now += ms * 1000;
        return this;
    }

    /** Adds a frame at the current time (+1 µs so frames never share a timestamp); returns its 1-based number. */
    int add(byte[] frame) {
        now += 1;
        frames.add(frame);
        micros.add(now);
        return frames.size();
    }

    int count() {
        return frames.size();
    }

    Analysis analyze(Path dir) throws IOException {
        Path f = dir.resolve("t" + System.nanoTime() + ".pcap");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(hex("d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000"));
        for (int i = 0; i < frames.size(); i++) {
            byte[] b = frames.get(i);
            long us = micros.get(i);
            le32(o, us / 1_000_000);
            le32(o, us % 1_000_000);
            le32(o, b.length);
            le32(o, b.length);
            o.writeBytes(b);
        }
        Files.write(f, o.toByteArray());
        String keep = System.getProperty("vpnsleuth.keepTestPcaps"); // a directory: keep a copy to check with tshark
        if (keep != null) {
            Files.copy(f, Path.of(keep).resolve(f.getFileName()));
        }
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(f.toString()), names, errors);
        if (!errors.isEmpty()) {
            throw new IOException(errors.toString());
        }
        try {
            return Analysis.run(names, readers, List.of());
        } finally {
            Analysis.close(readers);
        }
    }

    private static void le32(ByteArrayOutputStream o, long v) {
        o.write((int) v);
        o.write((int) (v >>> 8));
        o.write((int) (v >>> 16));
        o.write((int) (v >>> 24));
    }

    // ------------------------------------------------------------------ bytes

    static final class B {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        B u8(int v) {
            out.write(v);
            return this;
        }

        B u16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        B u32(long v) {
            u16((int) (v >>> 16));
            return u16((int) v);
        }

        B bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        B hex(String h) {
            return bytes(TunnelPcap.hex(h));
        }

        B ascii(String s) {
            return bytes(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        B fixed(String s, int n) {
            byte[] b = new byte[n];
            byte[] t = s.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(t, 0, b, 0, Math.min(n, t.length));
            return bytes(b);
        }

        int size() {
            return out.size();
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    // ------------------------------------------------------------------ link / IP / transport

    static byte[] eth(String dst, String src, int type, byte[] payload) {
        return new B().hex(dst).hex(src).u16(type).bytes(payload).build();
    }

    static byte[] eth(int type, byte[] payload) {
        return eth("020000000002", "020000000001", type, payload);
    }

    /** IPv4 header (no options, checksum 0, DF clear) with a correct total length. */
    static byte[] ipv4(String src, String dst, int proto, byte[] payload) {
        return new B().u8(0x45).u8(0).u16(20 + payload.length).u16(1).u16(0).u8(64).u8(proto).u16(0).hex(src).hex(dst)
                .bytes(payload).build();
    }

    static byte[] udp(int sport, int dport, byte[] payload) {
        return new B().u16(sport).u16(dport).u16(8 + payload.length).u16(0).bytes(payload).build();
    }

    /** TCP header without options (data offset 5). Flags: F 1, S 2, R 4, P 8, A 16. */
    static byte[] tcp(int sport, int dport, long seq, long ack, int flags, byte[] payload) {
        return new B().u16(sport).u16(dport).u32(seq).u32(ack).u8(0x50).u8(flags).u16(65535).u16(0).u16(0).bytes(payload)
                .build();
    }

    /** An Ethernet/IPv4/UDP 1701 frame from {@code src} to {@code dst}. */
    static byte[] l2tpFrame(String src, String dst, byte[] l2tp) {
        return eth(0x0800, ipv4(src, dst, 17, udp(1701, 1701, l2tp)));
    }

    // ------------------------------------------------------------------ L2TP (RFC 2661)

    /** One AVP with the M bit (RFC 2661 §4.1): flags+length, vendor 0, type, value. */
    static byte[] avp(int type, byte[] value) {
        return new B().u16(0x8000 | (6 + value.length)).u16(0).u16(type).bytes(value).build();
    }

    static byte[] avp16(int type, int v) {
        return avp(type, new B().u16(v).build());
    }

    static byte[] avp32(int type, long v) {
        return avp(type, new B().u32(v).build());
    }

    /** A control message (T, L, S bits, version 2) with the Message Type AVP first, then {@code avps}. */
    static byte[] control(int tunnelId, int sessionId, int ns, int nr, int type, byte[]... avps) {
        byte[] body = cat(type < 0 ? new byte[0] : avp16(0, type), cat(avps));
        return new B().u16(0xc802).u16(12 + body.length).u16(tunnelId).u16(sessionId).u16(ns).u16(nr).bytes(body).build();
    }

    /** A data message (L bit, version 2: flags, length, tunnel ID, session ID = 8 octets) carrying a PPP frame with address/control FF 03. */
    static byte[] data(int tunnelId, int sessionId, int pppProtocol, byte[] ppp) {
        byte[] p = new B().u8(0xff).u8(0x03).u16(pppProtocol).bytes(ppp).build();
        return new B().u16(0x4002).u16(8 + p.length).u16(tunnelId).u16(sessionId).bytes(p).build();
    }

    // ------------------------------------------------------------------ PPP

    /** An LCP/IPCP packet (RFC 1661 §5): code, identifier, length, then the options or data. */
    static byte[] cp(int code, int id, byte[]... options) {
        byte[] o = cat(options);
        return new B().u8(code).u8(id).u16(4 + o.length).bytes(o).build();
    }

    static byte[] opt(int type, byte[] value) {
        return new B().u8(type).u8(2 + value.length).bytes(value).build();
    }

    static byte[] magic(long m) {
        return opt(5, new B().u32(m).build());
    }

    /** LCP option 3: CHAP (0xc223) with an algorithm (5 MD5, 0x81 MS-CHAPv2), RFC 1994 §3, RFC 2759 §2. */
    static byte[] authChap(int algorithm) {
        return opt(3, new B().u16(0xc223).u8(algorithm).build());
    }

    static byte[] authPap() {
        return opt(3, new B().u16(0xc023).build());
    }

    static byte[] ipAddress(String hexAddr) {
        return opt(3, hex(hexAddr));
    }

    /** CHAP Challenge/Response (RFC 1994 §4.1): code, id, length, value-size, value, name. */
    static byte[] chap(int code, int id, byte[] value, String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        return new B().u8(code).u8(id).u16(5 + value.length + n.length).u8(value.length).bytes(value).bytes(n).build();
    }

    /** CHAP Success/Failure (RFC 1994 §4.2): code, id, length, message. */
    static byte[] chapResult(int code, int id, String message) {
        byte[] m = message.getBytes(StandardCharsets.ISO_8859_1);
        return new B().u8(code).u8(id).u16(4 + m.length).bytes(m).build();
    }

    /** PAP Authenticate-Request (RFC 1334 §2.2.1). */
    static byte[] papRequest(int id, String peer, String password) {
        byte[] p = peer.getBytes(StandardCharsets.ISO_8859_1);
        byte[] w = password.getBytes(StandardCharsets.ISO_8859_1);
        return new B().u8(1).u8(id).u16(6 + p.length + w.length).u8(p.length).bytes(p).u8(w.length).bytes(w).build();
    }

    /** PAP Authenticate-Ack (2) / Authenticate-Nak (3) (RFC 1334 §2.2.2). */
    static byte[] papResult(int code, int id, String message) {
        byte[] m = message.getBytes(StandardCharsets.ISO_8859_1);
        return new B().u8(code).u8(id).u16(5 + m.length).u8(m.length).bytes(m).build();
    }

    // ------------------------------------------------------------------ an L2TP session set up

    static final int LAC_TUNNEL = 100;
    static final int LNS_TUNNEL = 200;
    static final int LAC_SESSION = 11;
    static final int LNS_SESSION = 22;

    /** SCCRQ/SCCRP/SCCCN, ICRQ/ICRP/ICCN and a ZLB: tunnel 100/200, session 11/22 (frames 1-7). */
    TunnelPcap l2tpSessionUp() {
        add(l2tpFrame(LAC, LNS, control(0, 0, 0, 0, 1, avp16(2, 0x0100), avp32(3, 3), avp(7, "lac".getBytes()),
                avp16(9, LAC_TUNNEL))));
        add(l2tpFrame(LNS, LAC, control(LAC_TUNNEL, 0, 0, 1, 2, avp16(2, 0x0100), avp32(3, 3), avp(7, "lns".getBytes()),
                avp16(9, LNS_TUNNEL))));
        add(l2tpFrame(LAC, LNS, control(LNS_TUNNEL, 0, 1, 1, 3)));
        add(l2tpFrame(LAC, LNS, control(LNS_TUNNEL, 0, 2, 1, 10, avp16(14, LAC_SESSION), avp32(15, 1), avp32(18, 1))));
        add(l2tpFrame(LNS, LAC, control(LAC_TUNNEL, LAC_SESSION, 1, 3, 11, avp16(14, LNS_SESSION))));
        add(l2tpFrame(LAC, LNS, control(LNS_TUNNEL, LNS_SESSION, 3, 2, 12, avp32(24, 10_000_000), avp32(19, 1))));
        add(l2tpFrame(LNS, LAC, control(LAC_TUNNEL, 0, 2, 4, -1)));
        return this;
    }

    /** A PPP packet in the session, from the LAC (true) or the LNS. */
    int ppp(boolean fromLac, int protocol, byte[] packet) {
        after(20);
        return fromLac ? add(l2tpFrame(LAC, LNS, data(LNS_TUNNEL, LNS_SESSION, protocol, packet)))
                : add(l2tpFrame(LNS, LAC, data(LAC_TUNNEL, LAC_SESSION, protocol, packet)));
    }

    /** A HELLO and its ZLB {@code ms} later (keeps the capture going past the PPP exchange). */
    void hello(long ms, int ns, int nr) {
        after(ms);
        add(l2tpFrame(LAC, LNS, control(LNS_TUNNEL, 0, ns, nr, 6)));
        add(l2tpFrame(LNS, LAC, control(LAC_TUNNEL, 0, nr, ns + 1, -1)));
    }
}
