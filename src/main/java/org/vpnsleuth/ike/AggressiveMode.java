package org.vpnsleuth.ike;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.crypto.Ikev1Keys;
import org.vpnsleuth.crypto.Prf;

/**
 * IKEv1 Aggressive Mode with a pre-shared key sends HASH_R in clear in AM2 (RFC 2409 §5.4):
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) with SKEYID = prf(PSK,
 * Ni_b | Nr_b), so a PSK can be checked against AM1 and AM2 alone — and guessed, which is why
 * Aggressive Mode with PSK is weak. This collects what each exchange needs from its two cleartext
 * messages; bounded like {@link IkeDecodeState}.
 */
public final class AggressiveMode {
    static final int MAX = 65_536;

    /** One exchange, once AM2 has been seen: everything HASH_R depends on. */
    public record Exchange(long cookieI, long cookieR, Prf prf, byte[] gxi, byte[] gxr, byte[] ni, byte[] nr, byte[] saiB,
            byte[] idirB, byte[] hashR, long am1Frame, long am2Frame) {
        /** True when {@code psk} gives this exchange's HASH_R. */
        public boolean matches(byte[] psk) {
            byte[] skeyid = Ikev1Keys.skeyidPsk(prf, psk, ni, nr);
            return java.security.MessageDigest.isEqual(hashR,
                    Ikev1Keys.hashR(prf, skeyid, gxi, gxr, IkeDecryption.be64(cookieI), IkeDecryption.be64(cookieR), saiB, idirB));
        }
    }

    private static final class Am1 {
        byte[] gxi;
        byte[] ni;
        byte[] saiB;
        long frame;
    }

    private final Map<Long, Am1> am1 = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Am1> e) {
            return size() > MAX;
        }
    };

    /**
     * Takes a cleartext IKEv1 Aggressive Mode message (exchange 4, header at {@code off}); returns
     * the exchange when this was the AM2 that completes one, else null.
     */
    public Exchange observe(byte[] b, int off, int end, boolean fromInitiator, IkeDecodeState.Negotiated neg, long frame) {
        if (end - off < 28 || (b[off + 18] & 0xff) != 4 || (b[off + 19] & 1) != 0) {
            return null;
        }
        long cookieI = Bytes.u64(b, off);
        long cookieR = Bytes.u64(b, off + 8);
        PayloadChain c = new PayloadChain(b, off + 28, end, b[off + 16] & 0xff, false);
        byte[] sa = null;
        byte[] ke = null;
        byte[] nonce = null;
        byte[] id = null;
        byte[] hash = null;
        while (c.next()) {
            byte[] body = Arrays.copyOfRange(b, c.bodyOffset(), c.bodyEnd());
            switch (c.type) {
                case PayloadType.V1_SA -> sa = sa == null ? body : sa;
                case PayloadType.V1_KE -> ke = body;
                case PayloadType.V1_NONCE -> nonce = body;
                case PayloadType.V1_ID -> id = id == null ? body : id;
                case PayloadType.V1_HASH -> hash = body;
                default -> {
                }
            }
        }
        if (fromInitiator && cookieR == 0) {
            if (sa != null && ke != null && nonce != null) {
                Am1 a = new Am1();
                a.gxi = ke;
                a.ni = nonce;
                a.saiB = sa;
                a.frame = frame;
                am1.put(cookieI, a);
            }
            return null;
        }
        Am1 a = am1.get(cookieI);
        Prf prf = neg == null ? null : Prf.fromIkev1Hash(neg.integrity());
        if (fromInitiator || a == null || ke == null || nonce == null || id == null || hash == null || prf == null) {
            return null;
        }
        return new Exchange(cookieI, cookieR, prf, a.gxi, ke, a.ni, nonce, a.saiB, id, hash, a.frame, frame);
    }
}
