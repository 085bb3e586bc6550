package org.vpnsleuth.ike;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.crypto.Decrypted;
import org.vpnsleuth.crypto.Encryption;
import org.vpnsleuth.crypto.Ikev2Keys;
import org.vpnsleuth.crypto.Integrity;
import org.vpnsleuth.crypto.Prf;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * The IKEv1 half of {@link IkeDecryption} (RFC 2409 appendix B): per SA the KE and nonces seen in
 * clear, the candidate keys (from logs, DH secrets and PSKs), the CBC IV chain of phase 1 and of
 * each phase-2 exchange, Quick Mode KEYMAT, and the HASH checks that say which PSK each side uses.
 */
final class Ikev1Decryption {
    private final IkeDecryption top;

    Ikev1Decryption(IkeDecryption top) {
        this.top = top;
    }



    /** What an IKEv1 SA's decryption needs from its cleartext messages, and the CBC chain so far. */
    /**
     * One candidate key set of an IKEv1 SA: the key the cipher uses, where it came from, SKEYID_d
     * (Quick Mode KEYMAT) and SKEYID_a (phase-2 HASH checks), null when unknown, and the source of
     * the supplied PSK it derives from: null when none or unknown, "" when a log's SKEYID shows it
     * matches none of the supplied PSKs.
     */
    private record V1Key(byte[] enc, String source, byte[] skeyidD, byte[] skeyidA, String psk) {
    }

    private static final class V1State {
        byte[] gxi;
        byte[] gxr;
        byte[] ni;
        byte[] nr;
        byte[] lastPhase1Block;
        byte[] saiB;
        /** IDii_b of AM1 (Aggressive Mode sends it in clear), for the HASH_I of AM3. */
        byte[] idI;
        final Map<Long, byte[]> lastBlockByMid = new java.util.HashMap<>();
        /** IV used for each ciphertext seen (a byte-identical retransmission decrypts with the same IV). */
        final Map<Integer, byte[]> ivByCiphertext = new java.util.HashMap<>();
        /** The candidate keys for this SA, tried in order; null until first needed. */
        List<V1Key> keys;
        /** Per Quick Mode message ID: Ni_b and Nr_b as seen so far, for HASH(2) and HASH(3). */
        final Map<Long, byte[][]> qmNonces = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[][]> e) {
                return size() > 64;
            }
        };
        /** Per Quick Mode message ID: the phase-2 initiator's nonce and SPI, once QM1 is read. */
        final Map<Long, Object[]> quickModes = new java.util.HashMap<>();
    }

    private final Map<IkeDecryption.SaKey, V1State> v1 = IkeDecryption.lru();

    /** By initiator cookie alone: AM1 carries the initiator's KE and nonce before the responder cookie exists. */
    private V1State v1State(long spiI) {
        return v1.computeIfAbsent(new IkeDecryption.SaKey(spiI, 0), k -> new V1State());
    }

    /** Notes the KE and nonce of a cleartext Main/Aggressive Mode message (by sender role). */
    void learnV1(byte[] b, int bodyOff, int bodyEnd, int first, long spiI, long spiR, boolean fromInitiator) {
        PayloadChain c = new PayloadChain(b, bodyOff, bodyEnd, first, false);
        V1State st = null;
        while (c.next()) {
            if (c.type == PayloadType.V1_SA && fromInitiator && spiR == 0) {
                // MM1/AM1: the initiator's SA payload body (SAi_b) goes into HASH_I and HASH_R
                v1State(spiI).saiB = Arrays.copyOfRange(b, c.bodyOffset(), c.bodyEnd());
            }
            if (c.type == PayloadType.V1_ID && fromInitiator) {
                v1State(spiI).idI = Arrays.copyOfRange(b, c.bodyOffset(), c.bodyEnd());
            }
            if (c.type == PayloadType.V1_KE || c.type == PayloadType.V1_NONCE) {
                if (st == null) {
                    st = v1State(spiI);
                }
                byte[] v = Arrays.copyOfRange(b, c.bodyOffset(), c.bodyEnd());
                if (c.type == PayloadType.V1_KE) {
                    if (fromInitiator) {
                        st.gxi = v;
                    } else {
                        st.gxr = v;
                    }
                } else if (fromInitiator) {
                    st.ni = v;
                } else {
                    st.nr = v;
                }
            }
        }
    }

    /** Decrypts an IKEv1 message with the Encryption flag; null when no key material applies. */
    IkeDecryption.Result decryptV1(byte[] b, int off, int end, IkeDecodeState.Negotiated neg, boolean fromInitiator) {
        if (neg == null || neg.version() != 1 || end - off <= 28) {
            return null;
        }
        long spiI = Bytes.u64(b, off);
        long spiR = Bytes.u64(b, off + 8);
        V1State st = v1.get(new IkeDecryption.SaKey(spiI, 0));
        Encryption enc = Encryption.fromIkev1Id(neg.encryption());
        Prf prf = Prf.fromIkev1Hash(neg.prf());
        if (st == null || enc == null || prf == null || enc.blockSize() < 8) {
            return null;
        }
        int keyLen = neg.keyLength() > 0 ? neg.keyLength() / 8 : enc.keyMaterialLength(0);
        if (st.keys == null) {
            keysV1(st, spiI, spiR, prf, keyLen);
        }
        if (st.keys.isEmpty()) {
            return null;
        }
        byte[] ct = Arrays.copyOfRange(b, off + 28, end);
        if (ct.length % enc.blockSize() != 0) {
            return null; // the dissector reports the misalignment
        }
        int exchange = b[off + 18] & 0xff;
        long mid = Bytes.u32(b, off + 20);
        int first = b[off + 16] & 0xff;
        boolean phase1 = (exchange == 2 || exchange == 4) && mid == 0;
        String where = String.format("IKEv1 SA %016x/%016x", spiI, spiR);
        int ctKey = Arrays.hashCode(ct) ^ ct.length;
        List<byte[]> ivs = new ArrayList<>();
        byte[] known = st.ivByCiphertext.get(ctKey);
        byte[] iv0 = st.gxi != null && st.gxr != null ? org.vpnsleuth.crypto.Ikev1Keys.phase1Iv(prf, st.gxi, st.gxr, enc.blockSize()) : null;
        if (known != null) {
            ivs.add(known);
        } else if (phase1) {
            ivs.add(st.lastPhase1Block != null ? st.lastPhase1Block : iv0);
        } else {
            byte[] chained = st.lastBlockByMid.get(mid);
            if (chained != null) {
                ivs.add(chained);
            }
            for (byte[] base : new byte[][] {st.lastPhase1Block, iv0}) {
                if (base != null) {
                    ivs.add(org.vpnsleuth.crypto.Ikev1Keys.phase2Iv(prf, base, (int) mid, enc.blockSize()));
                }
            }
        }
        for (byte[] iv : ivs) {
            if (iv == null) {
                continue;
            }
            for (int k = 0; k < st.keys.size(); k++) {
                org.vpnsleuth.crypto.Ikev1Cbc.Result r;
                try {
                    r = org.vpnsleuth.crypto.Ikev1Cbc.decrypt(enc, st.keys.get(k).enc(), iv, ct);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (r == null) {
                    continue;
                }
                int len = chainLength(r.data(), first, phase1);
                if (len < 0) {
                    continue;
                }
                st.ivByCiphertext.put(ctKey, iv);
                top.verifiedV1.putIfAbsent(spiI, new IkeDecryption.VerifiedV1(spiI, spiR, st.keys.get(k).enc(), enc, keyLen,
                        st.keys.get(k).skeyidA(), st.keys.get(k).skeyidD()));
                if (phase1) {
                    st.lastPhase1Block = r.nextIv();
                } else {
                    st.lastBlockByMid.put(mid, r.nextIv());
                }
                top.decrypted++;
                byte[] m = IkeDecryption.message(b, off, first, Arrays.copyOf(r.data(), len));
                m[19] &= (byte) ~0x01; // the plaintext is not encrypted any more
                String qm = exchange == 32
                        ? quickMode(st, m, spiI, mid, st.keys.get(k).skeyidD(), prf, st.keys.get(k).source()) : null;
                KeyCheck check = (exchange == 2 || exchange == 4 && fromInitiator) && phase1
                        ? mainModeHash(st, m, spiI, spiR, prf, fromInitiator, exchange == 4)
                        : phase1 ? null : phase2Hash(st, m, mid, exchange, k, prf, fromInitiator);
                return new IkeDecryption.Result(m, st.keys.get(k).source(), null, 0, 0, check, qm);
            }
        }
        // the CBC chain moves on with the ciphertext even when it could not be read
        byte[] last = Arrays.copyOfRange(ct, ct.length - enc.blockSize(), ct.length);
        if (phase1) {
            st.lastPhase1Block = last;
        } else {
            st.lastBlockByMid.put(mid, last);
        }
        top.failed++;
        return new IkeDecryption.Result(null, null, "none of the " + st.keys.size() + " supplied key(s) decrypts this message of " + where
                + " (IKEv1 has no ICV: the plaintext did not parse; wrong key, or the peers' keys differ)", 0, 0);
    }

    /**
     * RFC 2409 §5.5: the ESP (or AH) keys a Quick Mode creates, KEYMAT = prf(SKEYID_d, [g(qm)^xy |]
     * protocol | SPI | Ni_b | Nr_b) expanded as K1 | K2 | ..., for the SPI each side receives on; the
     * algorithms from the responder's chosen transform (QM2). QM1 gives the phase-2 initiator's nonce,
     * SPI and whether it carries KE; with KE in QM1 and QM2 (PFS) g(qm)^xy comes from a `dh-child`
     * line for this cookie and message ID or a strongSwan log's SA seed. Returns a remark when the
     * keys cannot be derived for a reason the user can fix, else null.
     */
    private String quickMode(V1State st, byte[] m, long spiI, long mid, byte[] skeyidD, Prf prf, String source) {
        PayloadChain c = new PayloadChain(m, 28, m.length, m[16] & 0xff, false);
        byte[] nonce = null;
        int saOff = -1;
        int saEnd = -1;
        boolean ke = false;
        while (c.next()) {
            if (c.type == PayloadType.V1_NONCE && nonce == null) {
                nonce = Arrays.copyOfRange(m, c.bodyOffset(), c.bodyEnd());
            } else if (c.type == PayloadType.V1_SA && saOff < 0) {
                saOff = c.bodyOffset();
                saEnd = c.bodyEnd();
            } else if (c.type == PayloadType.V1_KE) {
                ke = true;
            }
        }
        if (nonce == null || saOff < 0 || saEnd - saOff < 8 + 12) {
            return null;
        }
        int p = saOff + 8; // DOI, situation
        int plen = Bytes.u16(m, p + 2);
        int protocol = m[p + 5] & 0xff;
        int spiSize = m[p + 6] & 0xff;
        if (protocol != IkeDecryption.PROTO_ESP && protocol != IkeDecryption.PROTO_AH || spiSize != 4 || plen > saEnd - p || plen < 12) {
            return null;
        }
        byte[] spi = Arrays.copyOfRange(m, p + 8, p + 12);
        Object[] q1 = st.quickModes.get(mid);
        if (q1 == null) {
            st.quickModes.put(mid, new Object[] {nonce, spi, ke});
            return null;
        }
        String what = String.format("Quick Mode MID 0x%08x of IKEv1 SA %016x", mid, spiI);
        // QM2: the responder's single transform: ESP transform ID, key length (6), authentication algorithm (5)
        int t = p + 8 + spiSize;
        if (t + 8 > p + plen) {
            st.quickModes.remove(mid);
            return null;
        }
        int tid = m[t + 5] & 0xff;
        int tl = Bytes.u16(m, t + 2);
        int keyBits = 0;
        int auth = 0;
        boolean esn = false;
        for (int a = t + 8; a + 4 <= t + tl && a + 4 <= m.length; ) {
            int at = Bytes.u16(m, a);
            if ((at & 0x8000) != 0) {
                int v = Bytes.u16(m, a + 2);
                if ((at & 0x7fff) == IkeDecryption.V1_ATTR_KEY_LENGTH) {
                    keyBits = v;
                } else if ((at & 0x7fff) == IkeDecryption.V1_ATTR_AUTH) {
                    auth = v;
                } else if ((at & 0x7fff) == IkeDecryption.V1_ATTR_ESN) {
                    esn = v == 1;
                }
                a += 4;
            } else {
                a += 4 + Bytes.u16(m, a + 2);
            }
        }
        if (protocol == IkeDecryption.PROTO_ESP) {
            Encryption negEnc = Encryption.fromIpsecEspTransform(tid);
            Integrity negIn = auth > 0 ? Integrity.fromIpsecAuthAlgorithm(auth) : null;
            if (negEnc != null && (auth == 0 || negIn != null)) {
                String from = "negotiated in " + what + " (decrypted with " + source + ")";
                int integId = negIn == null ? 0 : negIn.ikev2Id();
                top.negotiated(Bytes.u32(spi, 0), negEnc.ikev2Id(), keyBits, integId, esn, from);
                top.negotiated(Bytes.u32((byte[]) q1[1], 0), negEnc.ikev2Id(), keyBits, integId, esn, from);
            }
        }
        if (top.childKeys == null || skeyidD == null) {
            st.quickModes.remove(mid);
            return null; // the transforms are known, the keys cannot be derived
        }
        if ((Boolean) q1[2] != ke) {
            st.quickModes.remove(mid);
            return what + ": KE in " + (ke ? "QM2" : "QM1") + " only, its keys are not derived";
        }
        byte[] gqm = null;
        String[] from = new String[1];
        if (ke) {
            // a log's SA seed is g(qm)^xy | protocol | SPI | Ni_b | Nr_b, for either SPI
            byte[] proto = {(byte) protocol};
            gqm = top.childSecret(spiI, mid, IkeDecryption.concat(proto, spi, (byte[]) q1[0], nonce), IkeDecryption.concat(proto, (byte[]) q1[1], (byte[]) q1[0],
                    nonce), from);
            if (gqm == null) {
                st.quickModes.remove(mid);
                return what + ": PFS and no DH secret for it (a 'dh-child " + String.format("%016x", spiI) + " 0x"
                        + String.format("%08x", mid) + " SECRET' line, or the daemon's log), its keys are not derived";
            }
        }
        String pfsSource = ke ? " and the DH secret of " + from[0] : "";
        Integrity in = auth > 0 ? Integrity.fromIpsecAuthAlgorithm(auth) : null;
        if (protocol == IkeDecryption.PROTO_AH) {
            // RFC 2407 §4.4.3: the AH transform names the algorithm; the Authentication Algorithm attribute agrees
            Integrity ahIn = in != null ? in : Integrity.fromIpsecAhTransform(tid);
            if (ahIn == null) {
                return null;
            }
            String src = "the Quick Mode keys derived from SKEYID_d (" + source + ")" + pfsSource;
            for (byte[] receiver : new byte[][] {spi, (byte[]) q1[1]}) {
                org.vpnsleuth.crypto.Ikev1Keys.SaKeys k = org.vpnsleuth.crypto.Ikev1Keys.quickModeKeys(prf, skeyidD, gqm,
                        IkeDecryption.PROTO_AH, receiver, (byte[]) q1[0], nonce, 0, ahIn.keyLength());
                top.childKeys.derived(IkeDecryption.PROTO_AH, Bytes.u32(receiver, 0), -1, 0, null, ahIn.ikev2Id(), k.integrity(), esn, src);
            }
            st.quickModes.remove(mid);
            return null;
        }
        Encryption enc = Encryption.fromIpsecEspTransform(tid);
        if (enc == null || !enc.aead() && in == null) {
            return null;
        }
        int el;
        try {
            el = enc.keyMaterialLength(keyBits);
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] niB = (byte[]) q1[0];
        byte[] iSpi = (byte[]) q1[1];
        String src = "the Quick Mode keys derived from SKEYID_d (" + source + ")" + pfsSource;
        for (byte[] receiver : new byte[][] {spi, iSpi}) {
            org.vpnsleuth.crypto.Ikev1Keys.SaKeys k = org.vpnsleuth.crypto.Ikev1Keys.quickModeKeys(prf, skeyidD, gqm,
                    IkeDecryption.PROTO_ESP, receiver, niB, nonce, el, in == null ? 0 : in.keyLength());
            top.childKeys.derived(IkeDecryption.PROTO_ESP, Bytes.u32(receiver, 0), enc.ikev2Id(), keyBits, k.encryption(),
                    in == null ? 0 : in.ikev2Id(), k.integrity(), esn, src);
        }
        st.quickModes.remove(mid);
        return null;
    }

    /**
     * RFC 2409 §5: the HASH_I of MM5 or AM3 (or HASH_R of MM6) recomputed for every supplied PSK, with
     * SKEYID = prf(PSK, Ni_b | Nr_b): which key the sender used, or that it is none of them.
     */
    private KeyCheck mainModeHash(V1State st, byte[] m, long spiI, long spiR, Prf prf, boolean fromInitiator,
            boolean aggressive) {
        if (top.keys().authPsks().isEmpty() || st.saiB == null || st.gxi == null || st.gxr == null || st.ni == null || st.nr == null) {
            return null;
        }
        byte[] id = null;
        byte[] hash = null;
        PayloadChain c = new PayloadChain(m, 28, m.length, m[16] & 0xff, false);
        while (c.next()) {
            if (c.type == PayloadType.V1_ID && id == null) {
                id = Arrays.copyOfRange(m, c.bodyOffset(), c.bodyEnd());
            } else if (c.type == PayloadType.V1_HASH && hash == null) {
                hash = Arrays.copyOfRange(m, c.bodyOffset(), c.bodyEnd());
            }
        }
        if (aggressive) {
            id = st.idI; // AM3 carries only HASH_I; the identity went in clear in AM1
        }
        if (id == null || hash == null) {
            return null; // signatures, not a PSK
        }
        String what = aggressive ? "HASH_I of AM3" : fromInitiator ? "HASH_I of MM5" : "HASH_R of MM6";
        byte[] idBody = id;
        byte[] sent = hash;
        return top.pskCheck(what, fromInitiator, spiI, spiR, secret -> {
            byte[] skeyid = org.vpnsleuth.crypto.Ikev1Keys.skeyidPsk(prf, secret, st.ni, st.nr);
            byte[] want = fromInitiator
                    ? org.vpnsleuth.crypto.Ikev1Keys.hashI(prf, skeyid, st.gxi, st.gxr, IkeDecryption.be64(spiI), IkeDecryption.be64(spiR), st.saiB, idBody)
                    : org.vpnsleuth.crypto.Ikev1Keys.hashR(prf, skeyid, st.gxi, st.gxr, IkeDecryption.be64(spiI), IkeDecryption.be64(spiR), st.saiB, idBody);
            return java.security.MessageDigest.isEqual(want, sent);
        });
    }

    /** Which supplied PSK gives the SKEYID a strongSwan log printed for this SA (prf(PSK, Ni_b | Nr_b)); null when none. */
    private String loggedPsk(KeyMaterial.LoggedSa s, V1State st, Prf prf) {
        byte[] skeyid = s.get("SKEYID");
        if (skeyid == null || st.ni == null || st.nr == null) {
            return null;
        }
        for (KeyMaterial.Psk psk : top.keys().psks) {
            if (java.security.MessageDigest.isEqual(skeyid, org.vpnsleuth.crypto.Ikev1Keys.skeyidPsk(prf, psk.secret(), st.ni, st.nr))) {
                return psk.source();
            }
        }
        return null;
    }

    /**
     * RFC 2409 §5.5, §5.7 and the ModeCfg draft: the HASH that opens every message after phase 1,
     * recomputed with SKEYID_a of the key that decrypted it. Quick Mode: HASH(1) = prf(SKEYID_a,
     * M-ID | rest), HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest), HASH(3) = prf(SKEYID_a, 0 | M-ID |
     * Ni_b | Nr_b); Informational and Transaction: prf(SKEYID_a, M-ID | rest), rest being the
     * payloads after HASH. Null when SKEYID_a of that key is unknown or the Quick Mode nonces are.
     */
    private KeyCheck phase2Hash(V1State st, byte[] m, long mid, int exchange, int k, Prf prf, boolean fromInitiator) {
        byte[] a = st.keys.get(k).skeyidA();
        if (a == null) {
            return null;
        }
        PayloadChain c = new PayloadChain(m, 28, m.length, m[16] & 0xff, false);
        if (!c.next() || c.type != PayloadType.V1_HASH) {
            return null;
        }
        byte[] hash = Arrays.copyOfRange(m, c.bodyOffset(), c.bodyEnd());
        byte[] rest = Arrays.copyOfRange(m, c.bodyEnd(), m.length);
        byte[] nonce = null;
        while (c.next()) {
            if (c.type == PayloadType.V1_NONCE && nonce == null) {
                nonce = Arrays.copyOfRange(m, c.bodyOffset(), c.bodyEnd());
            }
        }
        int id = (int) mid;
        byte[] want;
        String what;
        if (exchange == 32) {
            byte[][] q = st.qmNonces.computeIfAbsent(mid, x -> new byte[3][]); // Ni_b, Nr_b, QM1's sender (0/1)
            if (rest.length == 0) {
                if (q[0] == null || q[1] == null) {
                    return null;
                }
                want = org.vpnsleuth.crypto.Ikev1Keys.quickModeHash3(prf, a, id, q[0], q[1]);
                what = "HASH(3) of QM3";
            } else if (nonce == null) {
                return null;
            } else if (q[0] == null || Arrays.equals(q[0], nonce) && q[2][0] == (fromInitiator ? 1 : 0)) {
                q[0] = nonce;
                q[2] = new byte[] {(byte) (fromInitiator ? 1 : 0)};
                want = org.vpnsleuth.crypto.Ikev1Keys.quickModeHash1(prf, a, id, rest);
                what = "HASH(1) of QM1";
            } else {
                q[1] = nonce;
                want = org.vpnsleuth.crypto.Ikev1Keys.quickModeHash2(prf, a, id, q[0], rest);
                what = "HASH(2) of QM2";
            }
        } else if (exchange == 5 || exchange == 6) {
            want = org.vpnsleuth.crypto.Ikev1Keys.informationalHash(prf, a, id, rest);
            what = exchange == 5 ? "HASH(1) of the Informational" : "HASH of the Transaction message";
        } else {
            return null;
        }
        boolean ok = java.security.MessageDigest.isEqual(want, hash);
        String psk = st.keys.get(k).psk();
        boolean noneOfThem = "".equals(psk);
        return new KeyCheck(ok ? KeyCheck.Kind.HASH_OK : KeyCheck.Kind.HASH_FAILED, what, fromInitiator,
                st.keys.get(k).source(), noneOfThem ? null : psk, noneOfThem ? top.keys().psks.size() : 0);
    }

    /** Length of a well-formed IKEv1 payload chain at the start of {@code plain}, or -1. */
    private static int chainLength(byte[] plain, int first, boolean phase1) {
        if (!phase1 && first != PayloadType.V1_HASH) {
            return -1; // after phase 1 every encrypted message starts with HASH (RFC 2409 §5.5, §5.7)
        }
        PayloadChain c = new PayloadChain(plain, 0, plain.length, first, false);
        int n = 0;
        int end = 0;
        while (c.next()) {
            if (c.type < 1 || c.type > 21 && (c.type < 130 || c.type > 132)) {
                return -1;
            }
            n++;
            end = c.bodyEnd();
        }
        if (c.malformed != null || n == 0) {
            // padding after the last payload is fine; a chain broken before its end is not
            return c.malformed != null && c.count > 0 && c.nextPayload == 0 ? end : -1;
        }
        return plain.length - end < 256 ? end : -1;
    }

    private void keysV1(V1State st, long spiI, long spiR, Prf prf, int keyLen) {
        st.keys = new ArrayList<>();
        for (KeyMaterial.Ikev1Keys x : top.keys().ikev1) {
            if (x.cookieI() == spiI && (x.cookieR() == spiR || x.cookieR() == 0)) {
                st.keys.add(new V1Key(x.encKey(), x.source(), x.skeyidD(), x.skeyidA(), null));
            }
        }
        byte[] cookieI = IkeDecryption.be64(spiI);
        for (KeyMaterial.LoggedSa s : top.keys().logged) {
            // nonces and KE values, or the cookies (in the NAT-D input "natd_chunk" both peers print)
            if (s.mentions(st.ni) || s.mentions(st.nr) || s.mentions(st.gxi) || s.mentions(cookieI)) {
                byte[] ka = s.get("encryption key Ka");
                if (ka == null && s.get("SKEYID_e") != null && s.get("SKEYID_e").length >= keyLen) {
                    ka = Arrays.copyOf(s.get("SKEYID_e"), keyLen);
                }
                if (ka != null) {
                    String lp = loggedPsk(s, st, prf);
                    // "" when the log's SKEYID matches none of the supplied PSKs: that side uses another key
                    st.keys.add(new V1Key(ka, s.source() + " <" + s.id() + ">", s.get("SKEYID_d"), s.get("SKEYID_a"),
                            lp == null && s.get("SKEYID") != null && st.ni != null && st.nr != null && !top.keys().psks.isEmpty()
                                    ? "" : lp));
                }
            }
        }
        if (st.ni != null && st.nr != null) {
            List<byte[]> secrets = new ArrayList<>();
            List<String> from = new ArrayList<>();
            for (KeyMaterial.DhSecret d : top.keys().dhSecrets) {
                if (d.spiI() == spiI) {
                    secrets.add(d.secret());
                    from.add(d.source());
                }
            }
            for (KeyMaterial.LoggedSa s : top.keys().logged) {
                if ((s.mentions(st.ni) || s.mentions(st.nr) || s.mentions(cookieI)) && s.get("shared Diffie Hellman secret") != null) {
                    secrets.add(s.get("shared Diffie Hellman secret"));
                    from.add(s.source());
                }
            }
            for (int i = 0; i < secrets.size(); i++) {
                for (KeyMaterial.Psk psk : top.keys().psks) {
                    byte[] skeyid = org.vpnsleuth.crypto.Ikev1Keys.skeyidPsk(prf, psk.secret(), st.ni, st.nr);
                    org.vpnsleuth.crypto.Ikev1Keys.Phase1 p1 = org.vpnsleuth.crypto.Ikev1Keys.phase1Keys(prf, skeyid,
                            secrets.get(i), IkeDecryption.be64(spiI), IkeDecryption.be64(spiR));
                    st.keys.add(new V1Key(org.vpnsleuth.crypto.Ikev1Keys.encryptionKey(prf, p1.skeyidE(), keyLen),
                            "the PSK of " + psk.source() + " and the DH secret of " + from.get(i), p1.skeyidD(), p1.skeyidA(),
                            psk.source()));
                }
                // signature (and public-key) authentication: SKEYID = prf(Ni_b | Nr_b, g^xy), no PSK (RFC 2409 §5)
                byte[] skeyid = org.vpnsleuth.crypto.Ikev1Keys.skeyidSignature(prf, st.ni, st.nr, secrets.get(i));
                org.vpnsleuth.crypto.Ikev1Keys.Phase1 p1 = org.vpnsleuth.crypto.Ikev1Keys.phase1Keys(prf, skeyid,
                        secrets.get(i), IkeDecryption.be64(spiI), IkeDecryption.be64(spiR));
                st.keys.add(new V1Key(org.vpnsleuth.crypto.Ikev1Keys.encryptionKey(prf, p1.skeyidE(), keyLen),
                        "the DH secret of " + from.get(i) + " (signature authentication)", p1.skeyidD(), p1.skeyidA(), null));
            }
        }
    }
}
