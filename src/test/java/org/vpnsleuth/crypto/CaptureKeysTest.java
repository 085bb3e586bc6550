package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vpnsleuth.crypto.Hex.ascii;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.crypto.Captures.Message;
import org.vpnsleuth.crypto.Captures.Payload;

/**
 * Key derivation against real ground truth: the strongSwan 5.9.8 captures in captures/ and the
 * level-4 logs of the same runs, which dump every key (captures/README.md, /work/shared/lab-notes.md).
 * Nonces, SPIs, KE data, SA and ID payloads and the raw messages come from the captures (tshark
 * {@code udp.payload}; frame numbers as captures/README.md lists them); the Diffie-Hellman secret,
 * which no capture shows, and the expected keys come from the initiator's log.
 */
class CaptureKeysTest {
    /** The pre-shared key of every capture (captures/README.md). */
    private static final byte[] PSK = ascii("vpnsleuth-test-psk-0123456789");

    // payload types: RFC 7296 §3.2 (IKEv2), RFC 2408 §3.1 (IKEv1)
    private static final int V2_NONCE = 40;
    private static final int V2_IDI = 35;
    private static final int V2_IDR = 36;
    private static final int V2_AUTH = 39;
    private static final int V2_SK = 46;
    private static final int V1_SA = 1;
    private static final int V1_KE = 4;
    private static final int V1_ID = 5;
    private static final int V1_HASH = 8;
    private static final int V1_NONCE = 10;
    private static final int V1_DELETE = 12;
    private static final int ESP = 3;

    @BeforeAll
    static void needTshark() {
        boolean have = Captures.haveTshark();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(have).as("tshark is installed by .ci/run").isTrue();
        }
        assumeTrue(have, "tshark is not installed");
    }

    // ---------------------------------------------------------------- IKEv2

    /** ikev2-psk-esp: IKE AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, ESP AES_GCM_16_256. */
    @Test
    void ikev2PskEsp() throws Exception {
        ikev2("ikev2-psk-esp", Encryption.AES_CBC, 256, Encryption.AES_GCM_16, 256, null);
    }

    /** ikev2-psk-esp-cbc: IKE AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256, ESP AES_CBC_256 + HMAC_SHA2_256_128. */
    @Test
    void ikev2PskEspCbc() throws Exception {
        ikev2("ikev2-psk-esp-cbc", Encryption.AES_CBC, 128, Encryption.AES_CBC, 256, Integrity.HMAC_SHA2_256_128);
    }

    private static void ikev2(String scenario, Encryption ikeEncr, int ikeBits, Encryption espEncr, int espBits,
            Integrity espInteg) throws Exception {
        Prf prf = Prf.HMAC_SHA2_256;
        Integrity integ = Integrity.HMAC_SHA2_256_128;
        CharonLog log = CharonLog.read(Captures.dir().resolve(scenario + ".initiator.log"));
        Map<Integer, byte[]> frames = Captures.udpPayloads(scenario + ".pcapng");
        // frames 3-4 IKE_SA_INIT (UDP 500), 5-6 IKE_AUTH (UDP 4500), 7-8 the first ESP packets
        Message init = new Message(Captures.ike(frames.get(3)));
        Message resp = new Message(Captures.ike(frames.get(4)));
        Message authReq = new Message(Captures.ike(frames.get(5)));
        Message authResp = new Message(Captures.ike(frames.get(6)));
        assertThat(init.exchangeType()).isEqualTo(34);
        assertThat(resp.exchangeType()).isEqualTo(34);
        assertThat(authReq.exchangeType()).isEqualTo(35);
        assertThat(authResp.exchangeType()).isEqualTo(35);

        byte[] ni = init.payload(V2_NONCE).body();
        byte[] nr = resp.payload(V2_NONCE).body();
        byte[] gir = log.first("shared Diffie Hellman secret");

        // SKEYSEED = prf(Ni | Nr, g^ir)
        byte[] skeyseed = Ikev2Keys.skeyseed(prf, ni, nr, gir);
        assertThat(skeyseed).isEqualTo(log.first("SKEYSEED"));

        // {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
        Ikev2Keys.IkeSa k = Ikev2Keys.ikeSaKeys(prf, skeyseed, ni, nr, resp.spiI(), resp.spiR(), integ.keyLength(),
                ikeEncr.keyMaterialLength(ikeBits));
        assertThat(k.skD()).isEqualTo(log.first("Sk_d secret"));
        assertThat(k.skAi()).isEqualTo(log.first("Sk_ai secret"));
        assertThat(k.skAr()).isEqualTo(log.first("Sk_ar secret"));
        assertThat(k.skEi()).isEqualTo(log.first("Sk_ei secret"));
        assertThat(k.skEr()).isEqualTo(log.first("Sk_er secret"));
        assertThat(k.skPi()).isEqualTo(log.first("Sk_pi secret"));
        assertThat(k.skPr()).isEqualTo(log.first("Sk_pr secret"));

        // IKE_AUTH: the SK payloads open with SK_e/SK_a, and the PSK AUTH of both sides recomputes
        // from the raw IKE_SA_INIT messages
        List<Payload> req = openSk(authReq, ikeEncr, k.skEi(), integ, k.skAi());
        List<Payload> rsp = openSk(authResp, ikeEncr, k.skEr(), integ, k.skAr());
        byte[] idi = Captures.find(req, V2_IDI).body();
        byte[] idr = Captures.find(rsp, V2_IDR).body();
        byte[] authI = authData(Captures.find(req, V2_AUTH));
        byte[] authR = authData(Captures.find(rsp, V2_AUTH));
        assertThat(idi).isEqualTo(log.all("IDx'").get(0));
        assertThat(idr).isEqualTo(log.all("IDx'").get(1));
        assertThat(Ikev2Keys.signedOctets(prf, init.raw(), nr, idi, k.skPi()))
                .isEqualTo(log.all("octets = message + nonce + prf(Sk_px, IDx')").get(0));
        assertThat(Ikev2Keys.signedOctets(prf, resp.raw(), ni, idr, k.skPr()))
                .isEqualTo(log.all("octets = message + nonce + prf(Sk_px, IDx')").get(1));
        byte[] expectI = Ikev2Keys.pskAuth(prf, PSK, init.raw(), nr, idi, k.skPi());
        byte[] expectR = Ikev2Keys.pskAuth(prf, PSK, resp.raw(), ni, idr, k.skPr());
        assertThat(expectI).isEqualTo(authI).isEqualTo(log.all("AUTH = prf(prf(secret, keypad), octets)").get(0));
        assertThat(expectR).isEqualTo(authR).isEqualTo(log.all("AUTH = prf(prf(secret, keypad), octets)").get(1));
        // a wrong PSK, or the other side's octets, give another AUTH
        assertThat(Ikev2Keys.pskAuth(prf, ascii("vpnsleuth-wrong-psk-9876543210"), init.raw(), nr, idi, k.skPi()))
                .isNotEqualTo(authI);
        assertThat(Ikev2Keys.pskAuth(prf, PSK, init.raw(), nr, idi, k.skPr())).isNotEqualTo(authI);

        // CHILD_SA from IKE_AUTH: KEYMAT = prf+(SK_d, Ni | Nr), the IKE_SA_INIT nonces
        assertThat(log.first("seed")).isEqualTo(Octets.concat(ni, nr));
        int espIntegLength = espInteg == null ? 0 : espInteg.keyLength();
        Ikev2Keys.ChildSa c = Ikev2Keys.childSaKeys(prf, k.skD(), null, ni, nr, espEncr.keyMaterialLength(espBits),
                espIntegLength);
        assertThat(c.encrI()).isEqualTo(log.first("encryption initiator key"));
        assertThat(c.encrR()).isEqualTo(log.first("encryption responder key"));
        if (espInteg == null) {
            assertThat(c.integI()).isEmpty();
            assertThat(c.integR()).isEmpty();
        } else {
            assertThat(c.integI()).isEqualTo(log.first("integrity initiator key"));
            assertThat(c.integR()).isEqualTo(log.first("integrity responder key"));
        }

        // the first ESP packet each way decrypts to the inner packet the initiator's log shows
        // (frame 7 I->R: "payload =" as sent; frame 8 R->I: "payload" as received)
        assertThat(openEsp(frames.get(7), espEncr, c.encrI(), espInteg, c.integI())).isEqualTo(log.first("payload ="));
        assertThat(openEsp(frames.get(8), espEncr, c.encrR(), espInteg, c.integR())).isEqualTo(log.first("payload"));
    }

    /** AUTH payload body: method (2 = shared key MIC), 3 reserved bytes, the AUTH data. */
    private static byte[] authData(Payload auth) {
        assertThat(auth.body()[0]).isEqualTo((byte) 2);
        return Arrays.copyOfRange(auth.body(), 4, auth.body().length);
    }

    /**
     * An IKEv2 message's SK payload (RFC 7296 §3.14): the ICV over the whole message checked, the
     * IV | ciphertext decrypted, the padding removed, and the inner payload chain.
     */
    private static List<Payload> openSk(Message m, Encryption e, byte[] ke, Integrity i, byte[] ka) {
        Payload sk = m.payload(V2_SK);
        assertThat(sk.offset() + sk.whole().length).isEqualTo(m.raw().length);
        assertThat(i.verifyAppended(ka, m.raw())).as("SK payload ICV").isTrue();
        byte[] body = sk.body();
        byte[] iv = Arrays.copyOf(body, e.ivLength());
        Decrypted d = e.decrypt(ke, iv, null, Arrays.copyOfRange(body, e.ivLength(), body.length - i.icvLength()));
        assertThat(d.ok()).isTrue();
        byte[] p = d.plaintext();
        byte[] inner = Arrays.copyOf(p, p.length - 1 - (p[p.length - 1] & 0xff));
        return Captures.chain(inner, 0, sk.whole()[0] & 0xff);
    }

    /**
     * An ESP packet (RFC 4303 §2) from a UDP 4500 payload (RFC 3948: it starts with the SPI):
     * SPI | sequence | IV | ciphertext [| ICV]; AEAD AAD = SPI | sequence (RFC 4106 §5). Gives the
     * inner packet (padding, pad length and next header removed; next header must be 4, IPv4).
     */
    private static byte[] openEsp(byte[] esp, Encryption e, byte[] ke, Integrity i, byte[] ka) {
        byte[] aad = Arrays.copyOf(esp, 8);
        byte[] iv = Arrays.copyOfRange(esp, 8, 8 + e.ivLength());
        int end = esp.length;
        if (i != null) {
            assertThat(i.verifyAppended(ka, esp)).as("ESP ICV").isTrue();
            end -= i.icvLength();
        }
        Decrypted d = e.decrypt(ke, iv, e.aead() ? aad : null, Arrays.copyOfRange(esp, 8 + e.ivLength(), end));
        assertThat(d.ok()).as("ESP decryption").isTrue();
        byte[] p = d.plaintext();
        assertThat(p[p.length - 1]).as("next header").isEqualTo((byte) 4);
        int pad = p[p.length - 2] & 0xff;
        for (int j = 0; j < pad; j++) {
            assertThat(p[p.length - 2 - pad + j]).as("RFC 4303 §2.4 padding").isEqualTo((byte) (j + 1));
        }
        return Arrays.copyOf(p, p.length - 2 - pad);
    }

    // ---------------------------------------------------------------- IKEv1

    /** Phase-1 values common to Main and Aggressive Mode. */
    private record Phase1(Prf prf, Encryption cipher, byte[] ckyI, byte[] ckyR, byte[] gxi, byte[] gxr,
            byte[] saiB, Ikev1Keys.Phase1 keys, byte[] ka) {
    }

    private static Phase1 ikev1Phase1(CharonLog log, Prf prf, int keyBytes, Message withI, Message withR,
            Message saI) {
        Encryption cipher = Encryption.AES_CBC;
        byte[] ckyI = withR.spiI();
        byte[] ckyR = withR.spiR();
        byte[] gxi = withI.payload(V1_KE).body();
        byte[] gxr = withR.payload(V1_KE).body();
        byte[] niB = withI.payload(V1_NONCE).body();
        byte[] nrB = withR.payload(V1_NONCE).body();
        byte[] gxy = log.first("shared Diffie Hellman secret");

        // SKEYID = prf(pre-shared-key, Ni_b | Nr_b) and the three keys derived from it
        byte[] skeyid = Ikev1Keys.skeyidPsk(prf, PSK, niB, nrB);
        assertThat(skeyid).isEqualTo(log.first("SKEYID"));
        Ikev1Keys.Phase1 keys = Ikev1Keys.phase1Keys(prf, skeyid, gxy, ckyI, ckyR);
        assertThat(keys.skeyid()).isEqualTo(skeyid);
        assertThat(keys.skeyidD()).isEqualTo(log.first("SKEYID_d"));
        assertThat(keys.skeyidA()).isEqualTo(log.first("SKEYID_a"));
        assertThat(keys.skeyidE()).isEqualTo(log.first("SKEYID_e"));
        byte[] ka = Ikev1Keys.encryptionKey(prf, keys.skeyidE(), keyBytes);
        assertThat(ka).isEqualTo(log.first("encryption key Ka"));
        // phase-1 IV = hash(g^xi | g^xr)
        assertThat(Ikev1Keys.phase1Iv(prf, gxi, gxr, cipher.blockSize())).isEqualTo(log.first("initial IV"));
        // HASH_I / HASH_R data as the log shows it
        byte[] saiB = saI.payload(V1_SA).body();
        return new Phase1(prf, cipher, ckyI, ckyR, gxi, gxr, saiB, keys, ka);
    }

    /** Decrypts an IKEv1 message body with the chain IV; its payload chain. */
    private static Ikev1Cbc.Result open(Phase1 p, Message m, byte[] iv) {
        assertThat(m.flags() & 1).as("encryption flag").isEqualTo(1);
        Ikev1Cbc.Result r = Ikev1Cbc.decrypt(p.cipher(), p.ka(), iv, m.body());
        assertThat(r).isNotNull();
        return r;
    }

    private static List<Payload> chain(Message m, Ikev1Cbc.Result r) {
        return Captures.chain(r.data(), 0, m.firstPayload());
    }

    /**
     * ikev1-main-quick: Main Mode + Quick Mode, PSK, IKE AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/
     * MODP_2048, ESP AES_CBC_128/HMAC_SHA1_96. Frames: 3-6 MM1-MM4, 7-8 MM5-MM6, 9-11 QM
     * (MID 0x2281f7ed), 12 the first ESP packet I->R, 22-23 Informational Deletes.
     */
    @Test
    void ikev1MainMode() throws Exception {
        CharonLog log = CharonLog.read(Captures.dir().resolve("ikev1-main-quick.initiator.log"));
        Map<Integer, byte[]> f = Captures.udpPayloads("ikev1-main-quick.pcap");
        Message mm1 = new Message(Captures.ike(f.get(3)));
        Message mm3 = new Message(Captures.ike(f.get(5)));
        Message mm4 = new Message(Captures.ike(f.get(6)));
        Message mm5 = new Message(Captures.ike(f.get(7)));
        Message mm6 = new Message(Captures.ike(f.get(8)));
        assertThat(mm1.exchangeType()).isEqualTo(2);
        Prf prf = Prf.fromIkev1Hash(2);
        Phase1 p = ikev1Phase1(log, prf, 16, mm3, mm4, mm1);

        // MM5 with the phase-1 IV, MM6 with MM5's last block
        Ikev1Cbc.Result r5 = open(p, mm5, Ikev1Keys.phase1Iv(prf, p.gxi(), p.gxr(), 16));
        List<Payload> c5 = chain(mm5, r5);
        assertThat(r5.nextIv()).isEqualTo(log.all("next IV for MID 0").get(0));
        byte[] hashI = Ikev1Keys.hashI(prf, p.keys().skeyid(), p.gxi(), p.gxr(), p.ckyI(), p.ckyR(), p.saiB(),
                Captures.find(c5, V1_ID).body());
        assertThat(hashI).isEqualTo(Captures.find(c5, V1_HASH).body()).isEqualTo(log.first("HASH_I"));

        Ikev1Cbc.Result r6 = open(p, mm6, r5.nextIv());
        List<Payload> c6 = chain(mm6, r6);
        assertThat(r6.nextIv()).isEqualTo(log.all("next IV for MID 0").get(1));
        byte[] hashR = Ikev1Keys.hashR(prf, p.keys().skeyid(), p.gxi(), p.gxr(), p.ckyI(), p.ckyR(), p.saiB(),
                Captures.find(c6, V1_ID).body());
        assertThat(hashR).isEqualTo(Captures.find(c6, V1_HASH).body()).isEqualTo(log.first("HASH_R"));

        quickMode(log, p, r6.nextIv(), f, 9, Integrity.HMAC_SHA1_96, 16);
        informational(log, p, r6.nextIv(), new Message(Captures.ike(f.get(22))), 0);
        informational(log, p, r6.nextIv(), new Message(Captures.ike(f.get(23))), 1);
    }

    /**
     * ikev1-aggressive: Aggressive Mode + Quick Mode, PSK, IKE AES_CBC_256/HMAC_SHA2_256_128/
     * PRF_HMAC_SHA2_256/MODP_2048, ESP AES_CBC_256/HMAC_SHA2_256_128. Frames: 3-4 AM1-AM2 (in
     * clear, HASH_R in AM2), 5 AM3 (encrypted, HASH_I), 6-8 QM (MID 0x126d3a97), 9 ESP I->R,
     * 19-20 Informational Deletes.
     */
    @Test
    void ikev1AggressiveMode() throws Exception {
        CharonLog log = CharonLog.read(Captures.dir().resolve("ikev1-aggressive.initiator.log"));
        Map<Integer, byte[]> f = Captures.udpPayloads("ikev1-aggressive.pcapng");
        Message am1 = new Message(Captures.ike(f.get(3)));
        Message am2 = new Message(Captures.ike(f.get(4)));
        Message am3 = new Message(Captures.ike(f.get(5)));
        assertThat(am1.exchangeType()).isEqualTo(4);
        Prf prf = Prf.fromIkev1Hash(4);
        Phase1 p = ikev1Phase1(log, prf, 32, am1, am2, am1);

        byte[] hashR = Ikev1Keys.hashR(prf, p.keys().skeyid(), p.gxi(), p.gxr(), p.ckyI(), p.ckyR(), p.saiB(),
                am2.payload(V1_ID).body());
        assertThat(hashR).isEqualTo(am2.payload(V1_HASH).body()).isEqualTo(log.first("HASH_R"));

        Ikev1Cbc.Result r3 = open(p, am3, Ikev1Keys.phase1Iv(prf, p.gxi(), p.gxr(), 16));
        byte[] hashI = Ikev1Keys.hashI(prf, p.keys().skeyid(), p.gxi(), p.gxr(), p.ckyI(), p.ckyR(), p.saiB(),
                am1.payload(V1_ID).body());
        assertThat(hashI).isEqualTo(Captures.find(chain(am3, r3), V1_HASH).body()).isEqualTo(log.first("HASH_I"));
        assertThat(r3.nextIv()).isEqualTo(log.all("next IV for MID 0").get(0));

        quickMode(log, p, r3.nextIv(), f, 6, Integrity.HMAC_SHA2_256_128, 32);
        informational(log, p, r3.nextIv(), new Message(Captures.ike(f.get(19))), 0);
        informational(log, p, r3.nextIv(), new Message(Captures.ike(f.get(20))), 1);
    }

    /**
     * Quick Mode in frames first..first+2 and the ESP packet after it: the phase-2 IV, the IV chain,
     * HASH(1), HASH(2), HASH(3), KEYMAT for both SAs, and one ESP packet decrypted with it.
     */
    private static void quickMode(CharonLog log, Phase1 p, byte[] lastPhase1Block, Map<Integer, byte[]> f,
            int first, Integrity espInteg, int encrLength) {
        Prf prf = p.prf();
        byte[] a = p.keys().skeyidA();
        Message qm1 = new Message(Captures.ike(f.get(first)));
        Message qm2 = new Message(Captures.ike(f.get(first + 1)));
        Message qm3 = new Message(Captures.ike(f.get(first + 2)));
        int mid = qm1.messageId();
        assertThat(qm1.exchangeType()).isEqualTo(32);
        assertThat(qm2.messageId()).isEqualTo(mid);
        List<byte[]> ivs = log.all("next IV for MID " + Integer.toUnsignedString(mid));

        // IV of QM1 = hash(last phase-1 block | M-ID); then each message's last block
        byte[] iv1 = Ikev1Keys.phase2Iv(prf, lastPhase1Block, mid, 16);
        assertThat(iv1).isEqualTo(ivs.get(0));
        Ikev1Cbc.Result r1 = open(p, qm1, iv1);
        Ikev1Cbc.Result r2 = open(p, qm2, r1.nextIv());
        Ikev1Cbc.Result r3 = open(p, qm3, r2.nextIv());
        assertThat(List.of(r1.nextIv(), r2.nextIv(), r3.nextIv())).containsExactly(ivs.get(1), ivs.get(2), ivs.get(3));

        List<Payload> c1 = chain(qm1, r1);
        List<Payload> c2 = chain(qm2, r2);
        List<Payload> c3 = chain(qm3, r3);
        byte[] niB = Captures.find(c1, V1_NONCE).body();
        byte[] nrB = Captures.find(c2, V1_NONCE).body();
        Payload h1 = Captures.find(c1, V1_HASH);
        Payload h2 = Captures.find(c2, V1_HASH);
        assertThat(Ikev1Keys.quickModeHash1(prf, a, mid, Captures.after(r1.data(), c1, h1)))
                .isEqualTo(h1.body()).isEqualTo(log.first("Hash(1)"));
        assertThat(Ikev1Keys.quickModeHash2(prf, a, mid, niB, Captures.after(r2.data(), c2, h2)))
                .isEqualTo(h2.body()).isEqualTo(log.first("Hash(2)"));
        assertThat(Ikev1Keys.quickModeHash3(prf, a, mid, niB, nrB))
                .isEqualTo(Captures.find(c3, V1_HASH).body()).isEqualTo(log.first("Hash(3)"));

        // KEYMAT: the SPI of the SA being keyed, the one its receiver chose; I->R traffic uses
        // the responder's SPI (from QM2's proposal), R->I the initiator's (QM1)
        byte[] spiI = proposalSpi(Captures.find(c1, V1_SA));
        byte[] spiR = proposalSpi(Captures.find(c2, V1_SA));
        assertThat(log.first("initiator SA seed"))
                .isEqualTo(Octets.concat(new byte[] {ESP}, spiR, niB, nrB));
        Ikev1Keys.SaKeys out = Ikev1Keys.quickModeKeys(prf, p.keys().skeyidD(), null, ESP, spiR, niB, nrB, encrLength,
                espInteg.keyLength());
        Ikev1Keys.SaKeys in = Ikev1Keys.quickModeKeys(prf, p.keys().skeyidD(), null, ESP, spiI, niB, nrB, encrLength,
                espInteg.keyLength());
        assertThat(out.encryption()).isEqualTo(log.first("encryption initiator key"));
        assertThat(out.integrity()).isEqualTo(log.first("integrity initiator key"));
        assertThat(in.encryption()).isEqualTo(log.first("encryption responder key"));
        assertThat(in.integrity()).isEqualTo(log.first("integrity responder key"));

        // the ESP packet after Quick Mode (I->R) decrypts to what the initiator's log sent
        byte[] esp = f.get(first + 3);
        assertThat(Arrays.copyOf(esp, 4)).isEqualTo(spiR);
        assertThat(openEsp(esp, Encryption.AES_CBC, out.encryption(), espInteg, out.integrity()))
                .isEqualTo(log.first("payload ="));
    }

    /** SPI of the first proposal of an IPsec DOI SA payload body (RFC 2407 §4.6.1, RFC 2408 §3.5). */
    private static byte[] proposalSpi(Payload sa) {
        byte[] b = sa.body();
        int proposal = 8; // DOI, situation
        assertThat(b[proposal + 5]).as("protocol ID").isEqualTo((byte) ESP);
        int spiSize = b[proposal + 6] & 0xff;
        return Arrays.copyOfRange(b, proposal + 8, proposal + 8 + spiSize);
    }

    /** An Informational exchange: IV = hash(last phase-1 block | M-ID), HASH(1) = prf(SKEYID_a, M-ID | N/D). */
    private static void informational(CharonLog log, Phase1 p, byte[] lastPhase1Block, Message m, int nth) {
        assertThat(m.exchangeType()).isEqualTo(5);
        int mid = m.messageId();
        byte[] iv = Ikev1Keys.phase2Iv(p.prf(), lastPhase1Block, mid, 16);
        assertThat(iv).isEqualTo(log.first("next IV for MID " + Integer.toUnsignedString(mid)));
        Ikev1Cbc.Result r = open(p, m, iv);
        List<Payload> c = chain(m, r);
        Payload h = Captures.find(c, V1_HASH);
        Captures.find(c, V1_DELETE);
        assertThat(Ikev1Keys.informationalHash(p.prf(), p.keys().skeyidA(), mid, Captures.after(r.data(), c, h)))
                .isEqualTo(h.body()).isEqualTo(log.all("Hash").get(nth));
    }
}
