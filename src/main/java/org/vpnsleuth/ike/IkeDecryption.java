package org.vpnsleuth.ike;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.crypto.AhVerification;
import org.vpnsleuth.crypto.Decrypted;
import org.vpnsleuth.crypto.Encryption;
import org.vpnsleuth.crypto.EspDecryption;
import org.vpnsleuth.crypto.Ikev2Keys;
import org.vpnsleuth.crypto.Integrity;
import org.vpnsleuth.crypto.Prf;
import org.vpnsleuth.decode.AhVerifier;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.EspDecryptor;
import org.vpnsleuth.keys.IpsecKeys;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * Decrypts IKEv2 SK and SKF payloads with the key material the user supplied: the SA's SK_* keys
 * (a keys file, tcpdump's secrets, a strongSwan log), or the Diffie-Hellman secret, from which
 * SKEYSEED and the SK_* keys are derived with the nonces and SPIs of the capture (RFC 7296
 * §2.14). The integrity check comes first: a message whose ICV (or AEAD tag) does not verify is
 * reported, never shown as data. Decrypted RFC 7383 fragments are put back together. State is
 * bounded like {@link IkeDecodeState}'s.
 */
public final class IkeDecryption {
    static final int MAX_SAS = 65_536;

    /** Derived or supplied IKEv2 keys of one SA, and where they came from. */
    public record V2Keys(byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr, String source) {
    }

    /**
     * A decrypted message: header and plaintext payloads as one IKE message; or why there is none.
     * {@code remark} says what a CREATE_CHILD_SA or Quick Mode in it derived or could not derive (an
     * IKE SA rekey, a missing DH secret or KE payload), null when there is nothing to say.
     */
    public record Result(byte[] message, String source, String problem, int fragment, int fragments, KeyCheck keyCheck,
            String remark) {
        public Result(byte[] message, String source, String problem, int fragment, int fragments) {
            this(message, source, problem, fragment, fragments, null, null);
        }

        public Result(byte[] message, String source, String problem, int fragment, int fragments, KeyCheck keyCheck) {
            this(message, source, problem, fragment, fragments, keyCheck, null);
        }
    }

    record SaKey(long spiI, long spiR) {
    }

    private record FragKey(long spiI, long spiR, long mid, boolean fromInitiator) {
    }

    private final KeyMaterial keys;
    private final Map<Long, byte[]> ni = lru();
    private final Map<SaKey, byte[]> nr = lru();
    private final Map<SaKey, V2Keys> v2 = lru();

    /** IKEv2 keys that decrypted a message, with its algorithms: what `keys export` writes. */
    public record VerifiedV2(long spiI, long spiR, V2Keys keys, Encryption enc, int keyBits, Integrity integ) {
    }

    /** An IKEv1 encryption key that decrypted a message of the SA. */
    public record VerifiedV1(long cookieI, long cookieR, byte[] encKey, Encryption enc, int keyLength, byte[] skeyidA,
            byte[] skeyidD) {
    }

    private final Map<SaKey, VerifiedV2> verifiedV2 = new LinkedHashMap<>();
    final Map<Long, VerifiedV1> verifiedV1 = new LinkedHashMap<>();

    public java.util.Collection<VerifiedV2> verifiedV2() {
        return verifiedV2.values();
    }

    public java.util.Collection<VerifiedV1> verifiedV1() {
        return verifiedV1.values();
    }

    /** A supplied pre-shared key that one side's AUTH (IKEv2) or HASH_I/HASH_R (IKEv1 Main Mode) matched. */
    public record MatchedPsk(long spiI, long spiR, String side, KeyMaterial.Psk psk) {
    }

    private final Map<String, MatchedPsk> matchedPsks = new LinkedHashMap<>();

    /** The PSKs that matched, per SA and side, in the order found (what --show-keys prints). */
    public java.util.Collection<MatchedPsk> matchedPsks() {
        return matchedPsks.values();
    }

    void matched(long spiI, long spiR, String side, KeyMaterial.Psk psk) {
        matchedPsks.putIfAbsent(String.format("%016x/%016x/%s", spiI, spiR, side), new MatchedPsk(spiI, spiR, side, psk));
    }

    /**
     * Which supplied PSK gives the value {@code what} that one side sent ({@code gives} tells for a
     * secret): that side's key, recorded for --show-keys; or that it is none of them.
     */
    KeyCheck pskCheck(String what, boolean fromInitiator, long spiI, long spiR, java.util.function.Predicate<byte[]> gives) {
        KeyMaterial.Psk first = null;
        int matching = 0;
        List<KeyMaterial.Psk> tried = keys.authPsks();
        for (KeyMaterial.Psk psk : tried) {
            if (gives.test(psk.secret())) {
                matching++;
                if (first == null) {
                    first = psk;
                }
            }
        }
        if (first != null) {
            matched(spiI, spiR, fromInitiator ? "initiator" : "responder", first);
            return new KeyCheck(KeyCheck.Kind.PSK_MATCH, what, fromInitiator, first.source(), first.source(), tried.size(),
                    matching);
        }
        return new KeyCheck(KeyCheck.Kind.PSK_NONE, what, fromInitiator, null, null, tried.size());
    }
    private final Map<Long, byte[]> initRequest = lru();
    private final Map<SaKey, byte[]> initResponse = lru();
    private final Map<FragKey, byte[][]> fragments = lru();
    long decrypted;
    long failed;
    private EspDecryption esp;
    private AhVerification ah;

    public IkeDecryption(KeyMaterial keys) {
        this.keys = keys;
    }

    static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > MAX_SAS;
            }
        };
    }

    /**
     * Makes {@code d} decrypt with {@code k}: IKE messages, and ESP with the supplied keys and the
     * child SA keys derived from decrypted IKE_AUTH exchanges.
     */
    public static void install(KeyMaterial k, Decoder d) {
        IkeDecryption ike = new IkeDecryption(k);
        EspDecryption esp = IpsecKeys.esp(k);
        AhVerification ah = IpsecKeys.ah(k);
        ike.esp = esp;
        ike.ah = ah;
        ike.onChildKeys((protocol, spi, encr, keyBits, encKey, integ, authKey, esn, source) -> {
            if (protocol == PROTO_AH) {
                ah.addDerived(spi, integ, authKey, esn, source);
            } else {
                esp.addDerived(spi, encr, keyBits, encKey, integ, authKey, esn, source);
            }
        });
        IkeDecodeState.of(d).setDecryption(ike);
        d.esp = esp;
        d.ah = ah;
    }

    /** The ESP decryption installed beside this (supplied and derived child SA keys). */
    public EspDecryption esp() {
        return esp;
    }

    /** The AH verification installed beside this. */
    public AhVerification ah() {
        return ah;
    }

    /**
     * "6 IKE message(s) decrypted, 0 failed; 10 ESP packet(s) decrypted, 0 failed" (and "; 4 AH
     * packet(s) verified, 0 failed" when there are AH keys) for a decoder given keys, or null.
     */
    public static String summary(Decoder d) {
        IkeDecryption ike = IkeDecodeState.of(d).decryption();
        if (ike == null) {
            return null;
        }
        EspDecryptor esp = d.esp;
        AhVerifier ah = d.ah;
        return ike.decryptedCount() + " IKE message(s) decrypted, " + ike.failedCount() + " failed; "
                + (esp == null ? 0 : esp.decryptedCount()) + " ESP packet(s) decrypted, " + (esp == null ? 0 : esp.failedCount())
                + " failed" + (ah != null && (ah.hasKeys() || ah.verifiedCount() + ah.failedCount() > 0)
                        ? "; " + ah.verifiedCount() + " AH packet(s) verified, " + ah.failedCount() + " failed" : "");
    }

    public KeyMaterial keys() {
        return keys;
    }

    public long decryptedCount() {
        return decrypted;
    }

    public long failedCount() {
        return failed;
    }

    /** Notes the nonces of an IKE_SA_INIT message (the keys depend on them). */
    void learnV2(byte[] b, int msgOff, int bodyOff, int bodyEnd, int first, long spiI, long spiR, boolean response, int exchange) {
        if (exchange != 34) {
            return;
        }
        byte[] raw = Arrays.copyOfRange(b, msgOff, bodyEnd);
        if (response) {
            initResponse.put(new SaKey(spiI, spiR), raw);
        } else {
            initRequest.put(spiI, raw);
        }
        PayloadChain c = new PayloadChain(b, bodyOff, bodyEnd, first, true);
        while (c.next()) {
            if (c.type == PayloadType.V2_NONCE) {
                byte[] n = Arrays.copyOfRange(b, c.bodyOffset(), c.bodyEnd());
                if (response) {
                    nr.put(new SaKey(spiI, spiR), n);
                } else {
                    ni.put(spiI, n);
                }
            }
        }
    }

    /**
     * Decrypts the SK or SKF payload of the IKEv2 message {@code b[off, end)} (the header at
     * {@code off}); null when the message has none or no key material is there for its SA.
     */
    Result decryptV2(byte[] b, int off, int end, IkeDecodeState.Negotiated neg) {
        if (end - off < 28) {
            return null;
        }
        long spiI = Bytes.u64(b, off);
        long spiR = Bytes.u64(b, off + 8);
        if (neg == null) {
            // the negotiation is not in the capture: key material that names its algorithms still serves
            for (KeyMaterial.Ikev2Keys x : keys.ikev2) {
                if (x.spiI() == spiI && x.spiR() == spiR && x.encr() >= 0) {
                    neg = new IkeDecodeState.Negotiated(2, x.encr(), x.keyBits(), x.integ(), -1, -1);
                    break;
                }
            }
        }
        if (neg == null || neg.version() != 2) {
            return null;
        }
        int flags = b[off + 19] & 0xff;
        boolean fromInitiator = (flags & 0x08) != 0;
        long mid = Bytes.u32(b, off + 20);
        PayloadChain c = new PayloadChain(b, off + 28, end, b[off + 16] & 0xff, true);
        while (c.next()) {
            if (c.type == PayloadType.V2_SK || c.type == PayloadType.V2_SKF) {
                break;
            }
        }
        if (c.type != PayloadType.V2_SK && c.type != PayloadType.V2_SKF || c.malformed != null && c.length == 0) {
            return null;
        }
        Encryption enc = Encryption.fromIkev2Id(neg.encryption());
        Integrity integ = enc == null || enc.aead() ? null : Integrity.fromIkev2Id(neg.integrity());
        Prf prf = Prf.fromIkev2Id(neg.prf()); // needed only to derive keys
        if (enc == null || !enc.aead() && integ == null) {
            return null; // an algorithm vpnsleuth cannot decrypt: the message stays as it is
        }
        V2Keys k = keysV2(spiI, spiR, enc, neg.keyLength(), integ, prf);
        if (k == null) {
            return null;
        }
        int p = c.offset;
        int hdrEnd = p + 4 + (c.type == PayloadType.V2_SKF ? 4 : 0);
        int icv = enc.aead() ? enc.icvLength() : integ.icvLength();
        int iv = enc.ivLength();
        int payEnd = c.bodyEnd();
        String where = String.format("IKE SA %016x/%016x", spiI, spiR);
        if (payEnd - hdrEnd < iv + icv) {
            return new Result(null, k.source, "SK payload too short for IV and ICV", 0, 0);
        }
        byte[] encKey = fromInitiator ? k.skEi : k.skEr;
        byte[] input;
        byte[] aad = null;
        if (enc.aead()) {
            aad = Arrays.copyOfRange(b, off, hdrEnd);
            input = Arrays.copyOfRange(b, hdrEnd + iv, payEnd);
        } else {
            byte[] authKey = fromInitiator ? k.skAi : k.skAr;
            byte[] icvBytes = Arrays.copyOfRange(b, payEnd - icv, payEnd);
            if (!integ.verify(authKey, icvBytes, Arrays.copyOfRange(b, off, payEnd - icv))) {
                failed++;
                return new Result(null, k.source, "ICV check failed for " + where + " with the key from " + k.source
                        + " (wrong key, or the message was altered)", 0, 0);
            }
            input = Arrays.copyOfRange(b, hdrEnd + iv, payEnd - icv);
        }
        Decrypted d;
        try {
            d = enc.decrypt(encKey, Arrays.copyOfRange(b, hdrEnd, hdrEnd + iv), aad, input);
        } catch (IllegalArgumentException e) {
            failed++;
            return new Result(null, k.source, "key of the wrong size for " + where + " (" + e.getMessage() + ")", 0, 0);
        }
        if (!d.ok()) {
            failed++;
            return new Result(null, k.source, (d.failure() == Decrypted.Failure.AUTHENTICATION_FAILED
                    ? "ICV check failed for " + where + " with the key from " + k.source : "ciphertext of an impossible length"
                            + " for " + where), 0, 0);
        }
        byte[] plain = d.plaintext();
        int padLen = plain.length == 0 ? 0 : plain[plain.length - 1] & 0xff;
        if (plain.length == 0 || padLen + 1 > plain.length) {
            failed++;
            return new Result(null, k.source, "padding length " + padLen + " does not fit the plaintext of " + where, 0, 0);
        }
        byte[] inner = Arrays.copyOf(plain, plain.length - 1 - padLen);
        decrypted++;
        verifiedV2.putIfAbsent(new SaKey(spiI, spiR), new VerifiedV2(spiI, spiR, k, enc, neg.keyLength(), integ));
        int firstInner = b[p] & 0xff;
        if (c.type == PayloadType.V2_SK) {
            byte[] whole = message(b, off, firstInner, inner);
            childKeys(whole, spiI, spiR, fromInitiator, k, prf);
            return new Result(whole, k.source, null, 0, 0, authCheck(whole, spiI, spiR, fromInitiator, k, prf),
                    createChildSa(whole, spiI, spiR, k, prf));
        }
        // RFC 7383: fragment number and total after the generic header; the first names the first payload
        int number = Bytes.u16(b, p + 4);
        int total = Bytes.u16(b, p + 6);
        if (number < 1 || total < 1 || number > total || total > 256) {
            return new Result(null, k.source, "fragment " + number + " of " + total + " is not a valid numbering", 0, 0);
        }
        FragKey fk = new FragKey(spiI, spiR, mid, fromInitiator);
        byte[][] parts = fragments.computeIfAbsent(fk, x -> new byte[total + 1][]);
        if (parts.length != total + 1) {
            fragments.remove(fk);
            return new Result(null, k.source, "fragments of " + where + " announce different totals", number, total);
        }
        parts[number] = inner;
        if (number == 1) {
            parts[0] = new byte[] {(byte) firstInner};
        }
        for (byte[] x : parts) {
            if (x == null) {
                return new Result(null, k.source, null, number, total); // decrypted, waiting for the others
            }
        }
        fragments.remove(fk);
        int n = 0;
        for (int i = 1; i <= total; i++) {
            n += parts[i].length;
        }
        byte[] whole = new byte[n];
        int at = 0;
        for (int i = 1; i <= total; i++) {
            System.arraycopy(parts[i], 0, whole, at, parts[i].length);
            at += parts[i].length;
        }
        byte[] msg = message(b, off, parts[0][0] & 0xff, whole);
        childKeys(msg, spiI, spiR, fromInitiator, k, prf);
        return new Result(msg, k.source, null, number, total, authCheck(msg, spiI, spiR, fromInitiator, k, prf),
                createChildSa(msg, spiI, spiR, k, prf));
    }

    /** The IKE header of {@code b[off..]} with the first inner payload and the new length, then the payloads. */
    static byte[] message(byte[] b, int off, int first, byte[] payloads) {
        byte[] m = new byte[28 + payloads.length];
        System.arraycopy(b, off, m, 0, 28);
        m[16] = (byte) first;
        long len = m.length;
        m[24] = (byte) (len >>> 24);
        m[25] = (byte) (len >>> 16);
        m[26] = (byte) (len >>> 8);
        m[27] = (byte) len;
        System.arraycopy(payloads, 0, m, 28, payloads.length);
        return m;
    }

    /** Protocol IDs of SA proposals (RFC 7296 §3.3.1; the same values in the IPsec DOI, RFC 2407 §4.4.1). */
    public static final int PROTO_AH = 2;
    public static final int PROTO_ESP = 3;
    /** IKEv2 Transform Type 5 (Extended Sequence Numbers), ID 1 = ESN (RFC 7296 §3.3.2). */
    private static final int TRANSFORM_ESN = 5;
    /** IPsec DOI SA attribute 11, Extended (64-bit) Sequence Number (RFC 4304 §2): value 1 = ESN. */
    static final int V1_ATTR_ESN = 11;
    static final int V1_ATTR_AUTH = 5;
    static final int V1_ATTR_KEY_LENGTH = 6;

    /**
     * Receives the keys derived for a child SA: protocol (AH or ESP), SPI, cipher and integrity IDs
     * (IKEv2 transform IDs; no cipher for AH), key bits, keys, whether it uses ESN, source.
     */
    public interface ChildKeys {
        void derived(int protocol, long spi, int encr, int keyBits, byte[] encKey, int integ, byte[] authKey, boolean esn,
                String source);
    }

    ChildKeys childKeys;
    private final Map<SaKey, long[]> initiatorEspSpi = lru();

    /**
     * The ESP transforms a decrypted exchange negotiated for a child SA, by SPI (each side's
     * receiving SPI): IKEv2 transform IDs (integ 0 with an AEAD cipher), key bits, where from. Known
     * even when the child's keys cannot be derived (PFS without its DH secret): overhead/Measurements
     * draws the overhead of ESP that is not decrypted from them.
     */
    public record Negotiated(long spi, int encr, int keyBits, int integ, boolean esn, String source) {
    }

    private final Map<Long, Negotiated> negotiated = lru();

    /** The ESP transforms negotiated in the decrypted exchanges, by SPI (bounded). */
    public Map<Long, Negotiated> negotiated() {
        return java.util.Collections.unmodifiableMap(negotiated);
    }

    void negotiated(long spi, int encr, int keyBits, int integ, boolean esn, String source) {
        if (encr >= 0 && spi >= 0) {
            negotiated.put(spi, new Negotiated(spi, encr, keyBits, Math.max(0, integ), esn, source));
        }
    }

    /** Where the ESP keys of the child SAs created by IKE_AUTH go (the ESP decryptor). */
    public void onChildKeys(ChildKeys c) {
        childKeys = c;
    }

    /**
     * RFC 7296 §2.17: the child SA an IKE_AUTH exchange creates (no PFS) gets KEYMAT = prf+(SK_d,
     * Ni | Nr): I→R encryption and integrity keys, then R→I. The initiator's SA proposal names the
     * SPI it receives on (R→I traffic), the responder's chosen proposal its own (I→R) and the
     * algorithms.
     */
    private void childKeys(byte[] msg, long spiI, long spiR, boolean fromInitiator, V2Keys k, Prf prf) {
        if ((msg[18] & 0xff) != 35) {
            return;
        }
        PayloadChain c = new PayloadChain(msg, 28, msg.length, msg[16] & 0xff, true);
        int p = -1;
        int pend = -1;
        while (c.next()) {
            if (c.type == PayloadType.V2_SA) {
                p = c.bodyOffset();
                pend = c.bodyEnd();
                break;
            }
        }
        if (p < 0 || pend - p < 8) {
            return;
        }
        int plen = Bytes.u16(msg, p + 2);
        int protocol = msg[p + 5] & 0xff;
        int spiSize = msg[p + 6] & 0xff;
        if (protocol != PROTO_ESP && protocol != PROTO_AH || spiSize != 4 || plen < 12 || plen > pend - p) {
            return; // ESP or AH with a 4-byte SPI only
        }
        long spi = Bytes.u32(msg, p + 8);
        SaKey key = new SaKey(spiI, spiR);
        if (fromInitiator) {
            initiatorEspSpi.put(key, new long[] {spi});
            return;
        }
        long[] rSpi = initiatorEspSpi.get(key);
        if (rSpi == null || (msg[p] & 0xff) != 0) {
            return; // the request was not seen, or the response offers more than its choice
        }
        int encr = -1;
        int bits = 0;
        int integ = 0;
        boolean esn = false;
        for (int t = p + 12, tend = p + plen; t + 8 <= tend; ) {
            int tl = Bytes.u16(msg, t + 2);
            if (tl < 8 || tl > tend - t) {
                return;
            }
            int type = msg[t + 4] & 0xff;
            int id = Bytes.u16(msg, t + 6);
            if (type == 1) {
                encr = id;
                for (int a = t + 8; a + 4 <= t + tl; a += (Bytes.u16(msg, a) & 0x8000) != 0 ? 4 : 4 + Bytes.u16(msg, a + 2)) {
                    if ((Bytes.u16(msg, a) & 0x7fff) == 14 && (Bytes.u16(msg, a) & 0x8000) != 0) {
                        bits = Bytes.u16(msg, a + 2);
                    }
                }
            } else if (type == 3) {
                integ = id;
            } else if (type == TRANSFORM_ESN) {
                esn = id == 1;
            }
            t += tl;
        }
        if (protocol == PROTO_ESP) {
            String from = String.format("negotiated in IKE_AUTH of IKE SA %016x/%016x (decrypted with %s)", spiI, spiR, k.source);
            negotiated(spi, encr, bits, integ, esn, from);
            negotiated(rSpi[0], encr, bits, integ, esn, from);
        }
        if (childKeys == null || k.skD == null || prf == null) {
            return; // the transforms are known, the keys cannot be derived
        }
        Integrity in = integ > 0 ? Integrity.fromIkev2Id(integ) : null;
        byte[] nonceI = ni.get(spiI);
        byte[] nonceR = nr.get(key);
        if (protocol == PROTO_AH) {
            // §2.17: AH has only integrity keys, I→R then R→I
            if (in == null || nonceI == null || nonceR == null) {
                return;
            }
            Ikev2Keys.ChildSa cs = Ikev2Keys.childSaKeys(prf, k.skD, new byte[0], nonceI, nonceR, 0, in.keyLength());
            String src = "the child SA keys derived from SK_d (" + k.source + ")";
            childKeys.derived(PROTO_AH, spi, -1, 0, null, integ, cs.integI(), esn, src);
            childKeys.derived(PROTO_AH, rSpi[0], -1, 0, null, integ, cs.integR(), esn, src);
            return;
        }
        Encryption enc = Encryption.fromIkev2Id(encr);
        if (enc == null || nonceI == null || nonceR == null || !enc.aead() && in == null) {
            return;
        }
        int el;
        try {
            el = enc.keyMaterialLength(bits);
        } catch (IllegalArgumentException e) {
            return;
        }
        Ikev2Keys.ChildSa cs = Ikev2Keys.childSaKeys(prf, k.skD, new byte[0], nonceI, nonceR, el, in == null ? 0 : in.keyLength());
        String src = "the child SA keys derived from SK_d (" + k.source + ")";
        childKeys.derived(PROTO_ESP, spi, encr, bits, cs.encrI(), integ, cs.integI(), esn, src); // the responder's SPI: I→R
        childKeys.derived(PROTO_ESP, rSpi[0], encr, bits, cs.encrR(), integ, cs.integR(), esn, src);
    }

    // ------------------------------------------------------------------ CREATE_CHILD_SA (RFC 7296 §1.3, §2.17, §2.18)

    private static final int CREATE_CHILD_SA = 36;
    /** Notify types below this are errors (RFC 7296 §3.10.1). */
    private static final int NOTIFY_STATUS_FIRST = 16384;

    private record MidKey(long spiI, long spiR, long mid) {
    }

    /** What a CREATE_CHILD_SA request carried, until its response is decrypted. */
    private record ChildRequest(V2Proposals sa, byte[] nonce, boolean ke) {
    }

    /** An IKE SA made by rekeying another, with its algorithms (from the response's chosen proposal). */
    public record Rekeyed(long spiI, long spiR, int encr, int keyBits, int integ, int prf) {
    }

    private final Map<MidKey, ChildRequest> childRequests = lru();
    private final Map<SaKey, V2Keys> rekeyedKeys = lru();
    private final List<Rekeyed> rekeyedNew = new ArrayList<>();

    /** The IKE SAs that the last decrypted messages created by rekeying, once (the decode state records their algorithms). */
    public List<Rekeyed> takeRekeyed() {
        if (rekeyedNew.isEmpty()) {
            return List.of();
        }
        List<Rekeyed> l = new ArrayList<>(rekeyedNew);
        rekeyedNew.clear();
        return l;
    }

    /**
     * A decrypted CREATE_CHILD_SA message: the request's SA, nonce and KE are kept; with the
     * response, the child SA (new, or a rekey: REKEY_SA changes nothing in the keys) gets KEYMAT =
     * prf+(SK_d, [g^ir (new) |] Ni | Nr) (§2.17), the first keys for the SA the exchange's responder
     * receives on (the response's SPI), then for the one its initiator receives on (the request's
     * SPI); a new IKE SA (§1.3.2) gets SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old
     * PRF and SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) with the new proposal's algorithms and
     * SPIs (§2.18). Returns a remark for the message (what was derived, or why not), or null.
     */
    private String createChildSa(byte[] msg, long spiI, long spiR, V2Keys k, Prf prf) {
        if ((msg[18] & 0xff) != CREATE_CHILD_SA) {
            return null;
        }
        boolean response = (msg[19] & 0x20) != 0;
        long mid = Bytes.u32(msg, 20);
        V2Proposals sa = null;
        byte[] nonce = null;
        boolean ke = false;
        int error = -1;
        PayloadChain c = new PayloadChain(msg, 28, msg.length, msg[16] & 0xff, true);
        while (c.next()) {
            int body = c.bodyOffset();
            if (c.type == PayloadType.V2_SA && sa == null) {
                sa = new V2Proposals(msg, body, c.bodyEnd());
            } else if (c.type == PayloadType.V2_NONCE && nonce == null) {
                nonce = Arrays.copyOfRange(msg, body, c.bodyEnd());
            } else if (c.type == PayloadType.V2_KE) {
                ke = true;
            } else if (c.type == PayloadType.V2_N && c.bodyEnd() - body >= 4 && error < 0) {
                int type = Bytes.u16(msg, body + 2);
                if (type < NOTIFY_STATUS_FIRST) {
                    error = type;
                }
            }
        }
        MidKey key = new MidKey(spiI, spiR, mid);
        String what = String.format("CREATE_CHILD_SA MID %d of IKE SA %016x/%016x", mid, spiI, spiR);
        if (!response) {
            childRequests.put(key, new ChildRequest(sa, nonce, ke));
            return null;
        }
        ChildRequest q = childRequests.remove(key);
        if (q == null || error >= 0 && sa == null) {
            return null; // the request was not decrypted (or this is a retransmitted response); or an error answer: no SA
        }
        if (sa == null) {
            return what + ": the response has no SA payload, no SA created";
        }
        if (sa.proposals.isEmpty() || q.sa() == null || q.sa().proposals.isEmpty()) {
            return what + ": " + (sa.proposals.isEmpty() ? "the response's SA payload does not parse ("
                    + sa.problem + ")" : "the request's SA payload does not parse") + ", its keys are not derived";
        }
        V2Proposals.Proposal chosen = sa.proposals.get(0);
        V2Proposals.Proposal offered = q.sa().numbered(chosen.number());
        if (chosen.protocol() == PROTO_ESP && offered != null && chosen.spi().length == 4 && offered.spi().length == 4) {
            String from = "negotiated in " + what + " (decrypted with " + k.source + ")";
            negotiated(chosen.spi32(), chosen.encr(), chosen.keyBits(), chosen.integ(), chosen.esn(), from);
            negotiated(offered.spi32(), chosen.encr(), chosen.keyBits(), chosen.integ(), chosen.esn(), from);
        }
        if (q.nonce() == null || nonce == null) {
            return what + ": a Nonce payload is missing, its keys are not derived";
        }
        if (k.skD == null || prf == null) {
            return what + ": SK_d or the PRF of the IKE SA is not known, its keys are not derived";
        }
        // the chosen proposal's DH group decides (a request may offer proposals with and without one, §1.3.1)
        boolean wantsDh = chosen.dh() > 0;
        if (wantsDh && (!q.ke() || !ke)) {
            return what + ": " + (q.ke() ? "the response" : "the request") + " has no KE payload although the chosen"
                    + " proposal names DH group " + chosen.dh() + ", its keys are not derived";
        }
        boolean pfs = wantsDh || chosen.dh() < 0 && q.ke() && ke;
        String[] from = new String[1];
        byte[] gir = null;
        if (chosen.protocol() == V2Proposals.PROTO_IKE) {
            if (!pfs) {
                return what + ": an IKE SA rekey without KE payloads (RFC 7296 §1.3.2 requires them), keys not derived";
            }
            return rekeyIke(what, chosen, offered, q.nonce(), nonce, k, prf);
        }
        if (pfs) {
            gir = childSecret(spiI, mid, concat(q.nonce(), nonce), null, from);
            if (gir == null) {
                return what + ": a child SA with PFS and no DH secret for it (a 'dh-child " + String.format("%016x", spiI) + " "
                        + mid + " SECRET' line, or the daemon's log), its ESP keys are not derived";
            }
        }
        if (chosen.protocol() != PROTO_ESP && chosen.protocol() != PROTO_AH || chosen.spi().length != 4
                || offered.spi().length != 4) {
            return null;
        }
        if (childKeys == null) {
            return null;
        }
        String src = "the child SA keys derived from SK_d (" + k.source + ")" + (pfs ? " and the DH secret of " + from[0] : "");
        Integrity in = chosen.integ() > 0 ? Integrity.fromIkev2Id(chosen.integ()) : null;
        if (chosen.protocol() == PROTO_AH) {
            // §2.17: AH has only integrity keys, I→R then R→I
            if (in == null) {
                return what + ": the AH integrity algorithm (transform ID " + chosen.integ() + ") is not one vpnsleuth checks";
            }
            Ikev2Keys.ChildSa cs = Ikev2Keys.childSaKeys(prf, k.skD, gir, q.nonce(), nonce, 0, in.keyLength());
            childKeys.derived(PROTO_AH, chosen.spi32(), -1, 0, null, chosen.integ(), cs.integI(), chosen.esn(), src);
            childKeys.derived(PROTO_AH, offered.spi32(), -1, 0, null, chosen.integ(), cs.integR(), chosen.esn(), src);
            return null;
        }
        Encryption enc = Encryption.fromIkev2Id(chosen.encr());
        if (enc == null || !enc.aead() && in == null) {
            return what + ": the ESP algorithms (transform IDs " + chosen.encr() + "/" + chosen.integ()
                    + ") are not ones vpnsleuth decrypts";
        }
        int el;
        try {
            el = enc.keyMaterialLength(chosen.keyBits());
        } catch (IllegalArgumentException e) {
            return what + ": key length " + chosen.keyBits() + " does not fit the cipher";
        }
        Ikev2Keys.ChildSa cs = Ikev2Keys.childSaKeys(prf, k.skD, gir, q.nonce(), nonce, el, in == null ? 0 : in.keyLength());
        int integ = in == null ? 0 : chosen.integ();
        childKeys.derived(PROTO_ESP, chosen.spi32(), chosen.encr(), chosen.keyBits(), cs.encrI(), integ, cs.integI(),
                chosen.esn(), src);
        childKeys.derived(PROTO_ESP, offered.spi32(), chosen.encr(), chosen.keyBits(), cs.encrR(), integ, cs.integR(),
                chosen.esn(), src);
        return null;
    }

    /** The new IKE SA of a rekey (RFC 7296 §2.18); its keys go where the keys of an IKE SA are looked up. */
    private String rekeyIke(String what, V2Proposals.Proposal chosen, V2Proposals.Proposal offered, byte[] ni, byte[] nr,
            V2Keys old, Prf oldPrf) {
        long newI = offered.spi64();
        long newR = chosen.spi64();
        if (newI == -1 && offered.spi().length != 8 || newR == -1 && chosen.spi().length != 8) {
            return what + ": an IKE proposal without 8-byte SPIs, keys not derived";
        }
        Encryption enc = Encryption.fromIkev2Id(chosen.encr());
        Integrity integ = enc == null || enc.aead() ? null : Integrity.fromIkev2Id(chosen.integ());
        Prf prf = Prf.fromIkev2Id(chosen.prf());
        String newSa = String.format("%016x/%016x", newI, newR);
        if (enc == null || prf == null || !enc.aead() && integ == null) {
            return what + ": rekeyed to IKE SA " + newSa + " with algorithms vpnsleuth does not decrypt";
        }
        String[] from = new String[1];
        byte[] gir = rekeySecret(newI, oldPrf, old.skD, ni, nr, from);
        if (gir == null) {
            return what + ": rekeyed to IKE SA " + newSa + "; no DH secret for it (a 'dh " + String.format("%016x", newI)
                    + " SECRET' line, or the daemon's log), its messages are not decrypted";
        }
        int el;
        try {
            el = enc.keyMaterialLength(chosen.keyBits());
        } catch (IllegalArgumentException e) {
            return what + ": key length " + chosen.keyBits() + " does not fit the cipher of the new IKE SA";
        }
        byte[] skeyseed = Ikev2Keys.rekeySkeyseed(oldPrf, old.skD, gir, ni, nr);
        Ikev2Keys.IkeSa n = Ikev2Keys.ikeSaKeys(prf, skeyseed, ni, nr, be64(newI), be64(newR),
                integ == null ? 0 : integ.keyLength(), el);
        String src = "SK_d of the rekeyed IKE SA (" + old.source + ") and the DH secret of " + from[0];
        rekeyedKeys.put(new SaKey(newI, newR), new V2Keys(n.skD(), n.skAi(), n.skAr(), n.skEi(), n.skEr(), n.skPi(), n.skPr(), src));
        rekeyedNew.add(new Rekeyed(newI, newR, chosen.encr(), chosen.keyBits(), enc.aead() ? -1 : chosen.integ(), chosen.prf()));
        return what + ": IKE SA rekeyed to " + newSa + ", its keys derived (RFC 7296 §2.18)";
    }

    /**
     * The DH secret of a child SA exchange with PFS: a `dh-child` line for this IKE SA and
     * message ID, or a strongSwan log's KEYMAT seed that ends with {@code seedTail} (IKEv2: Ni | Nr;
     * IKEv1, {@code seedTail2} too: protocol | SPI | Ni_b | Nr_b for either SPI): what comes before
     * it in the seed is g^ir. {@code from[0]} gets where it came from.
     */
    byte[] childSecret(long spiI, long mid, byte[] seedTail, byte[] seedTail2, String[] from) {
        for (KeyMaterial.ChildDhSecret d : keys.childDhSecrets) {
            if (d.spiI() == spiI && d.mid() == mid) {
                from[0] = d.source();
                return d.secret();
            }
        }
        for (KeyMaterial.LoggedSa s : keys.logged) {
            for (Map.Entry<String, byte[]> e : s.all()) {
                if (!e.getKey().endsWith("seed")) {
                    continue;
                }
                for (byte[] tail : new byte[][] {seedTail, seedTail2}) {
                    byte[] v = e.getValue();
                    if (tail != null && v.length > tail.length && endsWith(v, tail)) {
                        from[0] = s.source() + " <" + s.id() + ">";
                        return Arrays.copyOf(v, v.length - tail.length);
                    }
                }
            }
        }
        return null;
    }

    /**
     * The DH secret of an IKE SA rekey: a `dh` line for the new initiator SPI, or a strongSwan log's
     * `shared Diffie Hellman secret` that gives, with the old SK_d and the nonces, a SKEYSEED the
     * same log printed (the log names no SPIs; this ties the secret to this exchange).
     */
    private byte[] rekeySecret(long newSpiI, Prf oldPrf, byte[] oldSkD, byte[] ni, byte[] nr, String[] from) {
        for (KeyMaterial.DhSecret d : keys.dhSecrets) {
            if (d.spiI() == newSpiI) {
                from[0] = d.source();
                return d.secret();
            }
        }
        for (KeyMaterial.LoggedSa s : keys.logged) {
            List<byte[]> seeds = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : s.all()) {
                if (e.getKey().equals("SKEYSEED")) {
                    seeds.add(e.getValue());
                }
            }
            for (Map.Entry<String, byte[]> e : s.all()) {
                if (!e.getKey().equals("shared Diffie Hellman secret")) {
                    continue;
                }
                byte[] want = Ikev2Keys.rekeySkeyseed(oldPrf, oldSkD, e.getValue(), ni, nr);
                for (byte[] seed : seeds) {
                    if (java.security.MessageDigest.isEqual(want, seed)) {
                        from[0] = s.source() + " <" + s.id() + ">";
                        return e.getValue();
                    }
                }
            }
        }
        return null;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] x : parts) {
            n += x.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] x : parts) {
            System.arraycopy(x, 0, out, o, x.length);
            o += x.length;
        }
        return out;
    }

    private static boolean endsWith(byte[] v, byte[] tail) {
        int o = v.length - tail.length;
        for (int i = 0; i < tail.length; i++) {
            if (v[o + i] != tail[i]) {
                return false;
            }
        }
        return true;
    }

    private static final int AUTH_SHARED_KEY = 2;

    /**
     * RFC 7296 §2.15: for a shared-key AUTH payload in the decrypted message, which supplied PSK
     * gives it (the key that side used), or that none does; null when there is nothing to check.
     */
    private KeyCheck authCheck(byte[] msg, long spiI, long spiR, boolean fromInitiator, V2Keys k, Prf prf) {
        if (keys.authPsks().isEmpty() || prf == null || (msg[18] & 0xff) != 35) {
            return null;
        }
        byte[] realMessage = fromInitiator ? initRequest.get(spiI) : initResponse.get(new SaKey(spiI, spiR));
        byte[] peerNonce = fromInitiator ? nr.get(new SaKey(spiI, spiR)) : ni.get(spiI);
        byte[] skP = fromInitiator ? k.skPi : k.skPr;
        if (realMessage == null || peerNonce == null || skP == null) {
            return null;
        }
        byte[] id = null;
        byte[] auth = null;
        PayloadChain c = new PayloadChain(msg, 28, msg.length, msg[16] & 0xff, true);
        while (c.next()) {
            if (c.type == (fromInitiator ? PayloadType.V2_IDI : PayloadType.V2_IDR) && id == null) {
                id = Arrays.copyOfRange(msg, c.bodyOffset(), c.bodyEnd());
            } else if (c.type == PayloadType.V2_AUTH && auth == null && c.length > 8 && (msg[c.bodyOffset()] & 0xff) == AUTH_SHARED_KEY) {
                auth = Arrays.copyOfRange(msg, c.bodyOffset() + 4, c.bodyEnd());
            }
        }
        if (id == null || auth == null) {
            return null;
        }
        byte[] sent = auth;
        byte[] idBody = id;
        return pskCheck("the " + (fromInitiator ? "initiator" : "responder") + "'s AUTH", fromInitiator, spiI, spiR,
                secret -> java.security.MessageDigest.isEqual(Ikev2Keys.pskAuth(prf, secret, realMessage, peerNonce, idBody, skP),
                        sent));
    }

    // ------------------------------------------------------------------ key material

    private V2Keys keysV2(long spiI, long spiR, Encryption enc, int keyBits, Integrity integ, Prf prf) {
        SaKey key = new SaKey(spiI, spiR);
        V2Keys k = v2.get(key);
        if (k != null) {
            return k;
        }
        for (KeyMaterial.Ikev2Keys x : keys.ikev2) {
            if (x.spiI() == spiI && x.spiR() == spiR && x.skEi() != null && x.skEr() != null) {
                k = new V2Keys(x.skD(), x.skAi(), x.skAr(), x.skEi(), x.skEr(), x.skPi(), x.skPr(), x.source());
                break;
            }
        }
        if (k == null) {
            k = rekeyedKeys.get(key); // an IKE SA made by a rekey in this capture
        }
        byte[] nonceI = ni.get(spiI);
        byte[] nonceR = nr.get(key);
        if (k == null && prf == null) {
            return null;
        }
        if (k == null && (nonceI != null || nonceR != null)) {
            for (KeyMaterial.LoggedSa s : keys.logged) {
                if (s.mentions(nonceR) || s.mentions(nonceI)) {
                    if (s.get("Sk_ei secret") != null && s.get("Sk_er secret") != null) {
                        k = new V2Keys(s.get("Sk_d secret"), s.get("Sk_ai secret"), s.get("Sk_ar secret"), s.get("Sk_ei secret"),
                                s.get("Sk_er secret"), s.get("Sk_pi secret"), s.get("Sk_pr secret"), s.source() + " <" + s.id() + ">");
                    } else if (s.get("shared Diffie Hellman secret") != null) {
                        k = derive(s.get("shared Diffie Hellman secret"), nonceI, nonceR, spiI, spiR, enc, keyBits, integ, prf,
                                "the DH secret in " + s.source() + " <" + s.id() + ">");
                    }
                    if (k != null) {
                        break;
                    }
                }
            }
        }
        if (k == null) {
            for (KeyMaterial.DhSecret d : keys.dhSecrets) {
                if (d.spiI() == spiI) {
                    k = derive(d.secret(), nonceI, nonceR, spiI, spiR, enc, keyBits, integ, prf, "the DH secret of " + d.source());
                    break;
                }
            }
        }
        if (k != null) {
            v2.put(key, k);
        }
        return k;
    }

    /** RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir); SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
    static V2Keys derive(byte[] gir, byte[] nonceI, byte[] nonceR, long spiI, long spiR, Encryption enc, int keyBits,
            Integrity integ, Prf prf, String source) {
        if (nonceI == null || nonceR == null) {
            return null;
        }
        int el;
        try {
            el = enc.keyMaterialLength(keyBits);
        } catch (IllegalArgumentException e) {
            return null;
        }
        Ikev2Keys.IkeSa k = Ikev2Keys.ikeSaKeys(prf, Ikev2Keys.skeyseed(prf, nonceI, nonceR, gir), nonceI, nonceR,
                be64(spiI), be64(spiR), integ == null ? 0 : integ.keyLength(), el);
        return new V2Keys(k.skD(), k.skAi(), k.skAr(), k.skEi(), k.skEr(), k.skPi(), k.skPr(), source);
    }

    static byte[] be64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    // ------------------------------------------------------------------ IKEv1 (ike/Ikev1Decryption)

    /** The IKEv1 half: Main/Aggressive Mode keys and IV chains, Quick Mode, the phase-1 and phase-2 hashes. */
    private final Ikev1Decryption v1Part = new Ikev1Decryption(this);

    /** Notes the KE and nonce of a cleartext Main/Aggressive Mode message (by sender role). */
    void learnV1(byte[] b, int bodyOff, int bodyEnd, int first, long spiI, long spiR, boolean fromInitiator) {
        v1Part.learnV1(b, bodyOff, bodyEnd, first, spiI, spiR, fromInitiator);
    }

    /** Decrypts an IKEv1 message with the Encryption flag (see {@link Ikev1Decryption#decryptV1}). */
    Result decryptV1(byte[] b, int off, int end, IkeDecodeState.Negotiated neg, boolean fromInitiator) {
        return v1Part.decryptV1(b, off, end, neg, fromInitiator);
    }
}
