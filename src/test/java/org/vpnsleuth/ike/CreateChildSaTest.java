package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.crypto.Encryption;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * CREATE_CHILD_SA exchanges built byte by byte (RFC 7296 §1.3, §3.3) and sealed with AES-GCM-16
 * under supplied SK_* keys: bad input (a KE missing, an SA payload that does not parse, an error
 * answer, a response to a request never seen) gives a clear remark or nothing, never an exception,
 * and the rest of the exchange is still analysed. The key values themselves are checked against
 * strongSwan's logs in DecryptionTest.
 */
class CreateChildSaTest {
    static final long SPI_I = 0x1122334455667788L;
    static final long SPI_R = 0x0102030405060708L;
    static final Encryption GCM = Encryption.fromIkev2Id(20); // ENCR_AES_GCM_16
    static final byte[] SK_EI = fill(36, 0x10);
    static final byte[] SK_ER = fill(36, 0x50);

    final List<String> notes = new ArrayList<>();
    final List<Long> derived = new ArrayList<>();
    final Decoder decoder = new Decoder();
    final KeyMaterial keys = new KeyMaterial();
    long frame;

    CreateChildSaTest() {
        keys.ikev2.add(new KeyMaterial.Ikev2Keys(SPI_I, SPI_R, fill(32, 0x01), new byte[0], new byte[0], SK_EI, SK_ER,
                fill(32, 0x02), fill(32, 0x03), "test keys"));
        IkeDecryption ike = new IkeDecryption(keys);
        ike.onChildKeys((protocol, spi, encr, bits, ek, integ, ak, esn, src) -> derived.add(spi));
        IkeDecodeState.of(decoder).setDecryption(ike);
    }

    static byte[] fill(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** A generic payload (RFC 7296 §3.2): next payload, not critical, length, body. */
    static byte[] payload(int next, byte[] body) {
        byte[] p = new byte[4 + body.length];
        p[0] = (byte) next;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        System.arraycopy(body, 0, p, 4, body.length);
        return p;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] x : parts) {
            o.writeBytes(x);
        }
        return o.toByteArray();
    }

    /** A transform (§3.3.2): type, ID, an optional Key Length attribute (§3.3.5). */
    static byte[] transform(boolean last, int type, int id, int keyBits) {
        byte[] attr = keyBits > 0 ? new byte[] {(byte) 0x80, 14, (byte) (keyBits >>> 8), (byte) keyBits} : new byte[0];
        return cat(new byte[] {(byte) (last ? 0 : 3), 0, 0, (byte) (8 + attr.length), (byte) type, 0, 0, (byte) id}, attr);
    }

    /** One proposal (§3.3.1): ESP with a 4-byte SPI, AES-GCM-16-256, optionally a DH group, no ESN. */
    static byte[] espProposal(long spi, int dh) {
        byte[] t = cat(transform(false, 1, 20, 256), dh > 0 ? transform(false, 4, dh, 0) : new byte[0], transform(true, 5, 0, 0));
        int len = 8 + 4 + t.length;
        return cat(new byte[] {0, 0, (byte) (len >>> 8), (byte) len, 1, 3, 4, (byte) (dh > 0 ? 3 : 2),
                (byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi}, t);
    }

    /** An IKE proposal with 8-byte SPI: AES-GCM-16-256, PRF_HMAC_SHA2_256, the DH group. */
    static byte[] ikeProposal(long spi, int dh) {
        byte[] t = cat(transform(false, 1, 20, 256), transform(false, 2, 5, 0), transform(true, 4, dh, 0));
        int len = 8 + 8 + t.length;
        byte[] s = new byte[8];
        for (int i = 0; i < 8; i++) {
            s[i] = (byte) (spi >>> (56 - 8 * i));
        }
        return cat(new byte[] {0, 0, (byte) (len >>> 8), (byte) len, 1, 1, 8, 3}, s, t);
    }

    static byte[] header(int next, int exchange, int flags, long mid, int length) {
        byte[] h = new byte[28];
        for (int i = 0; i < 8; i++) {
            h[i] = (byte) (SPI_I >>> (56 - 8 * i));
            h[8 + i] = (byte) (SPI_R >>> (56 - 8 * i));
        }
        h[16] = (byte) next;
        h[17] = 0x20;
        h[18] = (byte) exchange;
        h[19] = (byte) flags;
        h[20] = (byte) (mid >>> 24);
        h[21] = (byte) (mid >>> 16);
        h[22] = (byte) (mid >>> 8);
        h[23] = (byte) mid;
        h[24] = (byte) (length >>> 24);
        h[25] = (byte) (length >>> 16);
        h[26] = (byte) (length >>> 8);
        h[27] = (byte) length;
        return h;
    }

    /** The payloads (first of type {@code first}) sealed in an SK payload (§3.14) with AES-GCM-16 (RFC 5282). */
    static byte[] sealed(int exchange, boolean response, long mid, int first, byte[] payloads) {
        byte[] plain = cat(payloads, new byte[] {0}); // no padding, pad length 0
        byte[] iv = fill(8, (int) mid);
        int skLen = 4 + 8 + plain.length + 16;
        byte[] hdr = header(46, exchange, response ? 0x20 : 0x08, mid, 28 + skLen);
        byte[] skHdr = {(byte) first, 0, (byte) (skLen >>> 8), (byte) skLen};
        byte[] ct = GCM.encrypt(response ? SK_ER : SK_EI, iv, cat(hdr, skHdr), plain);
        return cat(hdr, skHdr, iv, ct);
    }

    /** The cleartext IKE_SA_INIT response: the algorithms of the IKE SA. */
    void init() {
        byte[] sa = payload(0, ikeProposal(0, 14));
        sa[0] = 0;
        byte[] msg = cat(header(33, 34, 0x20, 0, 28 + sa.length), sa);
        send(msg, false);
    }

    void send(byte[] ike, boolean fromInitiator) {
        byte[] data = IkeDecodeStateTest.udpFrame(fromInitiator ? "192.0.2.1" : "192.0.2.2",
                fromInitiator ? "192.0.2.2" : "192.0.2.1", 4500, 4500, cat(new byte[4], ike));
        Frame f = new Frame();
        f.data = data;
        f.capturedLength = data.length;
        f.originalLength = data.length;
        f.linkType = 1;
        f.number = ++frame;
        f.timestampNanos = frame * 1_000_000L;
        f.source = "test";
        Packet p = new Packet();
        decoder.decode(f, p);
        notes.addAll(p.notes());
    }

    /** SA, Nonce, [KE] — payload types 33, 40, 34 (§3.3, §3.9, §3.4). */
    static byte[] childPayloads(byte[] proposal, int nonceSeed, boolean ke) {
        byte[] nonce = fill(32, nonceSeed);
        byte[] keBody = cat(new byte[] {0, 14, 0, 0}, fill(256, 0x33));
        return cat(payload(40, proposal), payload(ke ? 34 : 0, nonce), ke ? payload(0, keBody) : new byte[0]);
    }

    void exchange(long mid, byte[] request, byte[] response) {
        send(sealed(36, false, mid, 33, request), true);
        send(sealed(36, true, mid, response.length > 0 && response[0] == 0 && response.length < 16 ? 41 : 33, response), false);
    }

    @Test
    void aNewChildWithoutPfsDerives() {
        init();
        exchange(2, childPayloads(espProposal(0xaaaa0001L, 0), 0x20, false), childPayloads(espProposal(0xbbbb0001L, 0), 0x60, false));
        assertThat(derived).containsExactly(0xbbbb0001L, 0xaaaa0001L); // the responder's SPI (I→R traffic) first
        assertThat(notes).noneMatch(n -> n.contains("not derived") || n.contains("failed"));
        assertThat(notes).filteredOn(n -> n.startsWith("decrypted with keys from test keys")).hasSize(2);
    }

    @Test
    void aPfsChildWithItsDhSecretDerives() {
        keys.childDhSecrets.add(new KeyMaterial.ChildDhSecret(SPI_I, 3, fill(256, 0x44), "test dh-child"));
        init();
        exchange(3, childPayloads(espProposal(0xaaaa0002L, 14), 0x20, true), childPayloads(espProposal(0xbbbb0002L, 14), 0x60, true));
        assertThat(derived).containsExactly(0xbbbb0002L, 0xaaaa0002L);
    }

    @Test
    void aPfsChildWithoutItsDhSecretIsNamed() {
        init();
        exchange(4, childPayloads(espProposal(0xaaaa0003L, 14), 0x20, true), childPayloads(espProposal(0xbbbb0003L, 14), 0x60, true));
        assertThat(derived).isEmpty();
        assertThat(notes).anyMatch(n -> n.contains("CREATE_CHILD_SA MID 4 of IKE SA 1122334455667788/0102030405060708: a child SA"
                + " with PFS and no DH secret for it (a 'dh-child 1122334455667788 4 SECRET' line"));
    }

    @Test
    void aMissingKeIsNamedAndTheNextExchangeStillDerives() {
        init();
        exchange(5, childPayloads(espProposal(0xaaaa0004L, 14), 0x20, true), childPayloads(espProposal(0xbbbb0004L, 14), 0x60, false));
        assertThat(notes).anyMatch(n -> n.contains("CREATE_CHILD_SA MID 5") && n.contains("the response has no KE payload although"
                + " the chosen proposal names DH group 14, its keys are not derived"));
        exchange(6, childPayloads(espProposal(0xaaaa0005L, 0), 0x21, false), childPayloads(espProposal(0xbbbb0005L, 0), 0x61, false));
        assertThat(derived).containsExactly(0xbbbb0005L, 0xaaaa0005L);
    }

    @Test
    void aResponderThatChoosesNoDhGroupGetsKeysWithoutPfs() {
        init();
        // the request offers PFS (KE, group 14); the responder picks a proposal with DH group NONE (0) and sends no KE
        exchange(14, childPayloads(espProposal(0xaaaa000aL, 14), 0x20, true),
                childPayloads(espProposalWithDhNone(0xbbbb000aL), 0x60, false));
        assertThat(derived).containsExactly(0xbbbb000aL, 0xaaaa000aL);
        assertThat(notes).noneMatch(n -> n.contains("not derived"));
    }

    static byte[] espProposalWithDhNone(long spi) {
        byte[] t = cat(transform(false, 1, 20, 256), transform(false, 4, 0, 0), transform(true, 5, 0, 0));
        int len = 8 + 4 + t.length;
        return cat(new byte[] {0, 0, (byte) (len >>> 8), (byte) len, 1, 3, 4, 3,
                (byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi}, t);
    }

    @Test
    void anUnparseableSaPayloadIsNamed() {
        init();
        byte[] bad = espProposal(0xbbbb0006L, 0);
        bad[3] = (byte) 0xf0; // a proposal length beyond the payload
        exchange(7, childPayloads(espProposal(0xaaaa0006L, 0), 0x20, false), childPayloads(bad, 0x60, false));
        assertThat(derived).isEmpty();
        assertThat(notes).anyMatch(n -> n.contains("CREATE_CHILD_SA MID 7") && n.contains("the response's SA payload does not parse"
                + " (proposal length 240 does not fit the SA payload), its keys are not derived"));
        byte[] truncated = Arrays.copyOf(espProposal(0xaaaa0007L, 0), 6);
        exchange(8, childPayloads(truncated, 0x22, false), childPayloads(espProposal(0xbbbb0007L, 0), 0x62, false));
        assertThat(notes).anyMatch(n -> n.contains("CREATE_CHILD_SA MID 8") && n.contains("the request's SA payload does not parse"));
        assertThat(derived).isEmpty();
    }

    @Test
    void anErrorAnswerAndAnUnseenRequestCreateNothing() {
        init();
        byte[] noProposal = payload(0, new byte[] {0, 0, 0, 14}); // N(NO_PROPOSAL_CHOSEN)
        exchange(9, childPayloads(espProposal(0xaaaa0008L, 0), 0x20, false), noProposal);
        send(sealed(36, true, 10, 33, childPayloads(espProposal(0xbbbb0009L, 0), 0x63, false)), false);
        assertThat(derived).isEmpty();
        assertThat(notes).noneMatch(n -> n.contains("not derived"));
        assertThat(notes).filteredOn(n -> n.startsWith("decrypted with keys from")).hasSize(3);
    }

    @Test
    void anIkeRekeyWithoutKeIsNamedAndOneWithoutItsSecretToo() {
        init();
        exchange(11, childPayloads(ikeProposal(0x9999000000000001L, 14), 0x20, false),
                childPayloads(ikeProposal(0x8888000000000001L, 14), 0x60, false));
        assertThat(notes).anyMatch(n -> n.contains("CREATE_CHILD_SA MID 11") && n.contains("has no KE payload"));
        exchange(12, childPayloads(ikeProposal(0x9999000000000002L, 14), 0x20, true),
                childPayloads(ikeProposal(0x8888000000000002L, 14), 0x60, true));
        assertThat(notes).anyMatch(n -> n.contains("rekeyed to IKE SA 9999000000000002/8888000000000002; no DH secret for it"
                + " (a 'dh 9999000000000002 SECRET' line"));
    }

    @Test
    void anIkeRekeyWithItsSecretGivesTheNewSaItsAlgorithms() {
        keys.dhSecrets.add(new KeyMaterial.DhSecret(0x9999000000000003L, fill(256, 0x70), "test dh"));
        init();
        exchange(13, childPayloads(ikeProposal(0x9999000000000003L, 14), 0x20, true),
                childPayloads(ikeProposal(0x8888000000000003L, 14), 0x60, true));
        assertThat(notes).anyMatch(n -> n.contains("IKE SA rekeyed to 9999000000000003/8888000000000003, its keys derived"));
    }
}
