package org.vpnsleuth.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.decode.EspDecryptor.Result;

/**
 * ESP opened ahead on another thread ({@link EspDecryption#early}) and handed to the decoding
 * thread ({@link EspDecryption#offer}): the answer taken is always the one the packet gets when
 * opened in its turn, whatever changed in between. Packets are sealed here by the RFC layouts
 * (RFC 4303 §2, RFC 4106 §5: AAD SPI | [ESN high |] sequence number; §2.2.1: the ICV input ends
 * with the ESN high-order bits) with {@link Encryption#encrypt} / {@link Integrity#compute}, which
 * EncryptionTest and IntegrityTest check against the RFC vectors; what is asserted is the inner
 * packet put in, the counts and the problem text of a packet that does not open.
 */
class EspEarlyTest {
    private static final long SPI = 0x0c0ffee1L;
    private static final byte[] GCM_KEY = bytes(36, 3); // 256-bit key and 4-byte salt
    private static final byte[] CBC_KEY = bytes(16, 5);
    private static final byte[] HMAC_KEY = bytes(32, 9);

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 13 * i);
        }
        return b;
    }

    private static byte[] be32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] inner(long seq) {
        byte[] b = bytes(40 + (int) (seq % 17), (int) seq);
        b[0] = 0x45;
        return b;
    }

    private static byte[] plain(byte[] inner, int align) {
        int pad = (align - (inner.length + 2) % align) % align;
        byte[] p = new byte[inner.length + pad + 2];
        System.arraycopy(inner, 0, p, 0, inner.length);
        for (int i = 0; i < pad; i++) {
            p[inner.length + i] = (byte) (i + 1);
        }
        p[p.length - 2] = (byte) pad;
        p[p.length - 1] = 4;
        return p;
    }

    /** AES-GCM-16 (256): SPI | seq | IV | ciphertext and tag; {@code high} -1 without ESN. */
    private static byte[] gcm(long seq, long high) {
        byte[] head = Octets.concat(be32(SPI), be32(seq));
        byte[] iv = bytes(8, (int) seq);
        byte[] aad = high < 0 ? head : Octets.concat(be32(SPI), be32(high), be32(seq));
        return Octets.concat(head, iv, Encryption.AES_GCM_16.encrypt(GCM_KEY, iv, aad, plain(inner(seq), 4)));
    }

    /** AES-CBC-128 + HMAC-SHA2-256-128 with {@code authKey}. */
    private static byte[] cbc(long seq, byte[] authKey) {
        byte[] head = Octets.concat(be32(SPI), be32(seq));
        byte[] iv = bytes(16, (int) seq);
        byte[] body = Octets.concat(head, iv, Encryption.AES_CBC.encrypt(CBC_KEY, iv, null, plain(inner(seq), 16)));
        return Octets.concat(body, Integrity.HMAC_SHA2_256_128.compute(authKey, body));
    }

    private static EspDecryption.Sa gcmSa(boolean esn) {
        return new EspDecryption.Sa(Encryption.AES_GCM_16, GCM_KEY, null, null, 16, esn, "test gcm");
    }

    private static EspDecryption.Sa cbcSa(byte[] authKey, String source) {
        return new EspDecryption.Sa(Encryption.AES_CBC, CBC_KEY, Integrity.HMAC_SHA2_256_128, authKey, 16, false, source);
    }

    /** Opens every packet ahead on another thread, then decrypts them in order with each answer offered. */
    private static List<Result> ahead(EspDecryption esp, List<byte[]> packets) throws InterruptedException {
        List<EspDecryption.Early> early = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            early.add(new EspDecryption.Early());
        }
        Thread t = new Thread(() -> {
            EspDecryption.Openers o = new EspDecryption.Openers();
            for (int i = 0; i < packets.size(); i++) {
                esp.early(packets.get(i), 0, packets.get(i).length, o, early.get(i));
            }
        });
        t.start();
        t.join();
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            esp.offer(early.get(i).holds() ? early.get(i) : null);
            out.add(esp.decrypt(packets.get(i), 0, packets.get(i).length));
        }
        return out;
    }

    @Test
    void answersOpenedAheadAreTheAnswersInTurnWithTheSameCounts() throws InterruptedException {
        List<byte[]> packets = new ArrayList<>();
        for (long seq = 1; seq <= 300; seq++) {
            byte[] p = gcm(seq, -1);
            if (seq % 50 == 0) {
                p[p.length - 1] ^= 1; // a tag that does not verify
            }
            packets.add(p);
        }
        EspDecryption inTurn = new EspDecryption();
        inTurn.add(SPI, gcmSa(false));
        EspDecryption early = new EspDecryption();
        early.add(SPI, gcmSa(false));
        List<Result> a = ahead(early, packets);
        for (int i = 0; i < packets.size(); i++) {
            Result r = inTurn.decrypt(packets.get(i), 0, packets.get(i).length);
            long seq = i + 1;
            if (seq % 50 == 0) {
                assertThat(a.get(i).problem()).startsWith("ICV check failed for ESP SA 0x0c0ffee1").isEqualTo(r.problem());
                assertThat(a.get(i).inner()).isNull();
            } else {
                assertThat(a.get(i).inner()).isEqualTo(inner(seq)).isEqualTo(r.inner());
                assertThat(a.get(i).source()).isEqualTo("test gcm");
            }
        }
        assertThat(early.decryptedCount()).isEqualTo(294).isEqualTo(inTurn.decryptedCount());
        assertThat(early.failedCount()).isEqualTo(6).isEqualTo(inTurn.failedCount());
        assertThat(early.verified()).containsOnlyKeys(SPI);
    }

    @Test
    void anAnswerForOtherBytesIsNotTaken() throws InterruptedException {
        EspDecryption esp = new EspDecryption();
        esp.add(SPI, gcmSa(false));
        byte[] a = gcm(7, -1);
        byte[] b = gcm(8, -1);
        EspDecryption.Early e = new EspDecryption.Early();
        esp.early(a, 0, a.length, new EspDecryption.Openers(), e);
        assertThat(e.holds()).isTrue();
        esp.offer(e);
        assertThat(esp.decrypt(b, 0, b.length).inner()).isEqualTo(inner(8));
        // the same bytes at another place of another buffer: not the packet the answer is for either
        byte[] shifted = Octets.concat(new byte[3], a);
        esp.offer(e);
        assertThat(esp.decrypt(shifted, 3, shifted.length).inner()).isEqualTo(inner(7));
        // an answer is taken at most once, and only by the next packet
        esp.offer(e);
        assertThat(esp.decrypt(b, 0, b.length).inner()).isEqualTo(inner(8));
        assertThat(esp.decrypt(a, 0, a.length).inner()).isEqualTo(inner(7));
        assertThat(esp.decryptedCount()).isEqualTo(4);
    }

    @Test
    void aKeyAddedAfterTheAnswerWasMadeIsUsed() {
        byte[] right = bytes(32, 77);
        byte[] p = cbc(3, right);
        EspDecryption esp = new EspDecryption();
        esp.add(SPI, cbcSa(bytes(32, 1), "wrong key"));
        EspDecryption.Early e = new EspDecryption.Early();
        esp.early(p, 0, p.length, new EspDecryption.Openers(), e);
        assertThat(e.holds()).isTrue();
        esp.add(SPI, cbcSa(right, "right key")); // as a key derived from IKE between the two
        esp.offer(e);
        Result r = esp.decrypt(p, 0, p.length);
        assertThat(r.problem()).isNull();
        assertThat(r.inner()).isEqualTo(inner(3));
        assertThat(r.source()).isEqualTo("right key");
        assertThat(esp.failedCount()).isZero();
    }

    @Test
    void esnBitsInferredFromThePacketsBeforeDecide() throws InterruptedException {
        // RFC 4303 Appendix A2.2: with 2^31 the highest verified, low-order bits 16 are within the window (high 0);
        // once 2^32 - 16 has verified, they are the next block (high 1). Opened ahead, before 2^32 - 16 verified,
        // the packet of 16 was tried with high 0 and failed: that answer must not be taken
        EspDecryption esp = new EspDecryption();
        esp.add(SPI, gcmSa(true));
        byte[] first = gcm(0x80000000L, 0);
        assertThat(esp.decrypt(first, 0, first.length).problem()).isNull();
        List<byte[]> packets = List.of(gcm(0xfffffff0L, 0), gcm(16, 1), gcm(17, 1));
        List<Result> r = ahead(esp, packets);
        assertThat(r).allSatisfy(x -> assertThat(x.problem()).isNull());
        assertThat(r.get(0).seqHigh()).isZero();
        assertThat(r.get(1).seqHigh()).isEqualTo(1);
        assertThat(r.get(2).seqHigh()).isEqualTo(1);
        assertThat(r.get(1).inner()).isEqualTo(inner(16));
        assertThat(esp.decryptedCount()).isEqualTo(4);
        assertThat(esp.failedCount()).isZero();
    }

    @Test
    void noAnswerAheadForAnSpiWithoutKeysOrTooShort() {
        EspDecryption esp = new EspDecryption();
        byte[] p = gcm(1, -1);
        EspDecryption.Early e = new EspDecryption.Early();
        esp.early(p, 0, p.length, new EspDecryption.Openers(), e);
        assertThat(e.holds()).isFalse();
        esp.add(SPI, gcmSa(false));
        esp.early(p, 0, 7, new EspDecryption.Openers(), e);
        assertThat(e.holds()).isFalse();
    }

    @Test
    void anAnswerIsTakenWhenTheKeyTriedFirstBecameTheKeyThatOpenedIt() {
        // two candidate keys, the second right: packet 2 is opened ahead before packet 1 is decoded (no key
        // confirmed: the wrong one is tried first, then the right one opens it); packet 1, decoded in its turn,
        // confirms the right key, which the decoder would now try first for packet 2: the same answer, taken
        byte[] right = bytes(32, 77);
        byte[] p1 = cbc(1, right);
        byte[] p2 = cbc(2, right);
        EspDecryption esp = new EspDecryption();
        esp.add(SPI, cbcSa(bytes(32, 1), "wrong key"));
        esp.add(SPI, cbcSa(right, "right key"));
        EspDecryption.Early e = new EspDecryption.Early();
        esp.early(p2, 0, p2.length, new EspDecryption.Openers(), e);
        Result opened = e.result;
        assertThat(opened.problem()).isNull();
        assertThat(esp.decrypt(p1, 0, p1.length).source()).isEqualTo("right key");
        esp.offer(e);
        Result r = esp.decrypt(p2, 0, p2.length);
        assertThat(r).isSameAs(opened);
        assertThat(r.inner()).isEqualTo(inner(2));
        assertThat(r.source()).isEqualTo("right key");
        assertThat(esp.decryptedCount()).isEqualTo(2);
        assertThat(esp.failedCount()).isZero();
        assertThat(esp.verified().get(SPI).source()).isEqualTo("right key");

        // a packet that opened with neither key ahead is opened again in its turn (its problem names the keys tried)
        byte[] bad = cbc(3, bytes(32, 99));
        EspDecryption esp2 = new EspDecryption();
        esp2.add(SPI, cbcSa(bytes(32, 1), "wrong key"));
        esp2.add(SPI, cbcSa(right, "right key"));
        EspDecryption.Early f = new EspDecryption.Early();
        esp2.early(bad, 0, bad.length, new EspDecryption.Openers(), f);
        Result failedAhead = f.result;
        assertThat(esp2.decrypt(p1, 0, p1.length).problem()).isNull();
        esp2.offer(f);
        Result again = esp2.decrypt(bad, 0, bad.length);
        assertThat(again).isNotSameAs(failedAhead);
        assertThat(again.problem()).startsWith("ICV check failed for ESP SA 0x0c0ffee1 with the 2 supplied keys");
        assertThat(esp2.failedCount()).isEqualTo(1);
    }
}
