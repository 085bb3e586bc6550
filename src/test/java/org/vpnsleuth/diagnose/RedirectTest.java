package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.diagnose.TunnelPcap.B;
import static org.vpnsleuth.diagnose.TunnelPcap.eth;
import static org.vpnsleuth.diagnose.TunnelPcap.ipv4;
import static org.vpnsleuth.diagnose.TunnelPcap.udp;

import java.nio.file.Path;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.pipeline.Analysis;

/**
 * IKEv2 REDIRECT in IKE_SA_INIT (RFC 5685 §4.2), which strongSwan 5.9.8 does only through a
 * redirect provider plugin that none of its plugins is: the exchange built byte for byte from RFC
 * 5685 §8 (REDIRECT: GW Ident Type, GW Ident Len, New Responder GW Identity, Nonce Data = the
 * initiator's Ni; REDIRECTED_FROM: the original gateway) and RFC 7296 §3 (header, SA, KE, Nonce,
 * Notify). The real INFORMATIONAL redirect of an established SA is captures/ikev2-redirect.pcapng.
 */
class RedirectTest {
    @TempDir
    Path tmp;

    static final String CLIENT = "c0000201"; // 192.0.2.1
    static final String GW_A = "c0000202"; // 192.0.2.2
    static final String GW_B = "c0000203"; // 192.0.2.3
    static final int N_REDIRECT_SUPPORTED = 16406;
    static final int N_REDIRECT = 16407;
    static final int N_REDIRECTED_FROM = 16408;

    /** RFC 7296 §3.1: the IKE header then the payloads; {@code first} is the first payload's type. */
    static byte[] ike(long spiI, long spiR, int first, int exchange, int flags, long mid, byte[] payloads) {
        return new B().u32(spiI >>> 32).u32(spiI).u32(spiR >>> 32).u32(spiR).u8(first).u8(0x20).u8(exchange).u8(flags).u32(mid)
                .u32(28 + payloads.length).bytes(payloads).build();
    }

    /** A generic payload header (RFC 7296 §3.2) around {@code body}. */
    static byte[] payload(int next, byte[] body) {
        return new B().u8(next).u8(0).u16(4 + body.length).bytes(body).build();
    }

    static byte[] transform(boolean last, int type, int id, byte[] attrs) {
        return new B().u8(last ? 0 : 3).u8(0).u16(8 + attrs.length).u8(type).u8(0).u16(id).bytes(attrs).build();
    }

    /** SA with one IKE proposal: AES-CBC-256, PRF_HMAC_SHA2_256, AUTH_HMAC_SHA2_256_128, group 14 (RFC 7296 §3.3). */
    static byte[] sa(int next) {
        byte[] t = TunnelPcap.cat(transform(false, 1, 12, new B().u16(0x800e).u16(256).build()), transform(false, 2, 5, new byte[0]),
                transform(false, 3, 12, new byte[0]), transform(true, 4, 14, new byte[0]));
        byte[] prop = new B().u8(0).u8(0).u16(8 + t.length).u8(1).u8(1).u8(0).u8(4).bytes(t).build();
        return payload(next, prop);
    }

    static byte[] ke(int next) {
        return payload(next, new B().u16(14).u16(0).bytes(filled(256, 0x11)).build());
    }

    static byte[] nonce(int next, byte[] n) {
        return payload(next, n);
    }

    /** A Notify without SPI (RFC 7296 §3.10) of {@code type} with {@code data}. */
    static byte[] notify(int next, int type, byte[] data) {
        return payload(next, new B().u8(0).u8(0).u16(type).bytes(data).build());
    }

    /** RFC 5685 §8: GW Ident Type 1 (IPv4), GW Ident Len 4, the address, then (REDIRECT) the nonce. */
    static byte[] gateway(String addr, byte[] nonce) {
        return new B().u8(1).u8(4).hex(addr).bytes(nonce).build();
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    static byte[] frame(String src, String dst, byte[] ike) {
        return eth(0x0800, ipv4(src, dst, 17, udp(500, 500, ike)));
    }

    @Test
    void redirectInIkeSaInitNamesTheNewGatewayAndTheNextSaIsLinked() throws Exception {
        long spiA = 0x1111222233334444L;
        long spiB = 0x5555666677778888L;
        long spiRb = 0x99990000aaaabbbbL;
        byte[] ni = filled(32, 0x42);
        TunnelPcap p = new TunnelPcap();
        // 1: IKE_SA_INIT to gateway A with N(REDIRECT_SUPPORTED) (RFC 5685 §4.1)
        int q = p.add(frame(CLIENT, GW_A, ike(spiA, 0, 33, 34, 0x08, 0, TunnelPcap.cat(sa(34), ke(40), nonce(41, ni),
                notify(0, N_REDIRECT_SUPPORTED, new byte[0])))));
        // 2: A answers with N(REDIRECT 192.0.2.3, Ni) only, responder SPI zero (RFC 5685 §4.2)
        int r = p.after(10).add(frame(GW_A, CLIENT, ike(spiA, 0, 41, 34, 0x20, 0,
                notify(0, N_REDIRECT, gateway(GW_B, ni)))));
        // 3-6: the client's new SA with B: IKE_SA_INIT with N(REDIRECTED_FROM 192.0.2.2), then IKE_AUTH (SK, opaque)
        int q2 = p.after(20).add(frame(CLIENT, GW_B, ike(spiB, 0, 33, 34, 0x08, 0, TunnelPcap.cat(sa(34), ke(40),
                nonce(41, filled(32, 0x43)), notify(0, N_REDIRECTED_FROM, gateway(GW_A, new byte[0]))))));
        p.after(10).add(frame(GW_B, CLIENT, ike(spiB, spiRb, 33, 34, 0x20, 0, TunnelPcap.cat(sa(34), ke(40),
                nonce(0, filled(32, 0x44))))));
        byte[] sk = new B().u8(35).u8(0).u16(4 + 16 + 240 + 16).bytes(filled(16 + 240 + 16, 0x5a)).build();
        p.after(10).add(frame(CLIENT, GW_B, ike(spiB, spiRb, 46, 35, 0x08, 1, sk)));
        byte[] skR = new B().u8(36).u8(0).u16(4 + 16 + 224 + 16).bytes(filled(16 + 224 + 16, 0x5b)).build();
        p.after(10).add(frame(GW_B, CLIENT, ike(spiB, spiRb, 46, 35, 0x20, 1, skR)));
        Analysis a = p.analyze(tmp);

        SaDiagnosis da = a.ikeSas.stream().filter(d -> d.sa.spiI == spiA).findFirst().orElseThrow();
        SaDiagnosis db = a.ikeSas.stream().filter(d -> d.sa.spiI == spiB).findFirst().orElseThrow();
        assertThat(da.verdict).isEqualTo(Verdict.REDIRECTED);
        assertThat(da.stoppedAt).isEqualTo("IKE_SA_INIT");
        assertThat(da.cause()).isEqualTo(Cause.REDIRECTED);
        assertThat(da.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(da.redirectedTo).isEqualTo("192.0.2.3");
        TreeSet<Long> frames = new TreeSet<>();
        da.main.evidence().forEach(e -> frames.add(e.at().frame()));
        assertThat(frames).contains((long) q, (long) r);
        assertThat(da.redirectedToSa.spiI()).isEqualTo(db.sa.spiI);
        assertThat(da.redirectedToSa.spiR()).isEqualTo(db.sa.spiR);
        assertThat(da.redirectedToSa.verdict()).isEqualTo(db.verdict);
        assertThat(db.redirectedFrom.spiI()).isEqualTo(da.sa.spiI);
        assertThat(db.redirectedFrom.spiR()).isEqualTo(da.sa.spiR);
        assertThat(db.redirectedFromGateway).isEqualTo("192.0.2.2");
        assertThat(db.verdict).as("the SA with the new gateway has its own verdict").isEqualTo(Verdict.ESTABLISHED);
        assertThat(q2).isEqualTo(3);
    }

    @Test
    void aRedirectedFromWithoutTheRedirectedSaInTheCaptureIsANote() throws Exception {
        long spiB = 0x0102030405060708L;
        TunnelPcap p = new TunnelPcap();
        p.add(frame(CLIENT, GW_B, ike(spiB, 0, 33, 34, 0x08, 0, TunnelPcap.cat(sa(34), ke(40), nonce(41, filled(32, 1)),
                notify(0, N_REDIRECTED_FROM, gateway(GW_A, new byte[0]))))));
        Analysis a = p.analyze(tmp);
        SaDiagnosis d = a.ikeSas.get(0);
        assertThat(d.redirectedFromGateway).isEqualTo("192.0.2.2");
        assertThat(d.redirectedFrom).isNull();
        assertThat(d.notes).anyMatch(n -> n.contains("redirect from 192.0.2.2"));
        assertThat(d.verdict).isNotEqualTo(Verdict.REDIRECTED);
    }
}
