package org.vpnsleuth.ike;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.crypto.Decrypted;
import org.vpnsleuth.crypto.Encryption;
import org.vpnsleuth.crypto.Integrity;
import org.vpnsleuth.crypto.Prf;
import org.vpnsleuth.decode.Bytes;
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
    private static final int SK = 46;
    private static final int SKF = 53;
    private static final int NONCE = 40;

    /** Derived or supplied IKEv2 keys of one SA, and where they came from. */
    record V2Keys(byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr, String source) {
    }

    /** A decrypted message: header and plaintext payloads as one IKE message; or why there is none. */
    public record Result(byte[] message, String source, String problem, int fragment, int fragments) {
    }

    private record SaKey(long spiI, long spiR) {
    }

    private record FragKey(long spiI, long spiR, long mid, boolean fromInitiator) {
    }

    private final KeyMaterial keys;
    private final Map<Long, byte[]> ni = lru();
    private final Map<SaKey, byte[]> nr = lru();
    private final Map<SaKey, V2Keys> v2 = lru();
    private final Map<FragKey, byte[][]> fragments = lru();
    private long decrypted;
    private long failed;

    public IkeDecryption(KeyMaterial keys) {
        this.keys = keys;
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > MAX_SAS;
            }
        };
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
        PayloadChain c = new PayloadChain(b, bodyOff, bodyEnd, first, true);
        while (c.next()) {
            if (c.type == NONCE) {
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
        if (neg == null || neg.version() != 2 || end - off < 28) {
            return null;
        }
        long spiI = Bytes.u64(b, off);
        long spiR = Bytes.u64(b, off + 8);
        int flags = b[off + 19] & 0xff;
        boolean fromInitiator = (flags & 0x08) != 0;
        long mid = Bytes.u32(b, off + 20);
        PayloadChain c = new PayloadChain(b, off + 28, end, b[off + 16] & 0xff, true);
        while (c.next()) {
            if (c.type == SK || c.type == SKF) {
                break;
            }
        }
        if (c.type != SK && c.type != SKF || c.malformed != null && c.length == 0) {
            return null;
        }
        Encryption enc = Encryption.fromIkev2Id(neg.encryption());
        Integrity integ = enc == null || enc.aead() ? null : Integrity.fromIkev2Id(neg.integrity());
        Prf prf = Prf.fromIkev2Id(neg.prf());
        if (enc == null || prf == null || !enc.aead() && integ == null) {
            return null; // an algorithm vpnsleuth cannot decrypt: the message stays as it is
        }
        V2Keys k = keysV2(spiI, spiR, enc, neg.keyLength(), integ, prf);
        if (k == null) {
            return null;
        }
        int p = c.offset;
        int hdrEnd = p + 4 + (c.type == SKF ? 4 : 0);
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
        int firstInner = b[p] & 0xff;
        if (c.type == SK) {
            return new Result(message(b, off, firstInner, inner), k.source, null, 0, 0);
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
        return new Result(message(b, off, parts[0][0] & 0xff, whole), k.source, null, number, total);
    }

    /** The IKE header of {@code b[off..]} with the first inner payload and the new length, then the payloads. */
    private static byte[] message(byte[] b, int off, int first, byte[] payloads) {
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
        byte[] nonceI = ni.get(spiI);
        byte[] nonceR = nr.get(key);
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
        byte[] seedKey = prf.fixedKeyLength()
                ? concat(Arrays.copyOf(nonceI, 8), Arrays.copyOf(nonceR, 8))
                : concat(nonceI, nonceR);
        byte[] skeyseed = prf.compute(seedKey, gir);
        int pl = prf.keyLength();
        int il = integ == null ? 0 : integ.keyLength();
        int el;
        try {
            el = enc.keyMaterialLength(keyBits);
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] spis = new byte[16];
        for (int i = 0; i < 8; i++) {
            spis[i] = (byte) (spiI >>> (56 - 8 * i));
            spis[8 + i] = (byte) (spiR >>> (56 - 8 * i));
        }
        byte[] km = prf.plus(skeyseed, 3 * pl + 2 * il + 2 * el, nonceI, nonceR, spis);
        int at = 0;
        byte[] skD = Arrays.copyOfRange(km, at, at += pl);
        byte[] skAi = Arrays.copyOfRange(km, at, at += il);
        byte[] skAr = Arrays.copyOfRange(km, at, at += il);
        byte[] skEi = Arrays.copyOfRange(km, at, at += el);
        byte[] skEr = Arrays.copyOfRange(km, at, at += el);
        byte[] skPi = Arrays.copyOfRange(km, at, at += pl);
        byte[] skPr = Arrays.copyOfRange(km, at, at + pl);
        return new V2Keys(skD, skAi, skAr, skEi, skEr, skPi, skPr, source);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Problems seen so far, for the end of a run. */
    public List<String> summary() {
        List<String> l = new ArrayList<>();
        l.add(decrypted + " IKE message(s) decrypted, " + failed + " failed");
        return l;
    }
}
