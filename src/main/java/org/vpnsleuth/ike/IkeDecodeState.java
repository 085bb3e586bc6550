package org.vpnsleuth.ike;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * What the IKE dissector remembers from one message to the next while a capture is decoded, so
 * that a message can be shown with what only earlier messages tell:
 * <ul>
 * <li>the IKEv1 roles: the sender of the first message of a cookie pair (responder cookie zero) is
 * the phase-1 initiator, so later messages are I→R or R→I;</li>
 * <li>the negotiated transforms: the responder's SA payload (IKEv2 IKE_SA_INIT response, IKEv1
 * Main/Aggressive Mode message 2) names the cipher and integrity algorithm, which give the IV,
 * ciphertext and ICV lengths of every later SK payload and the block size of IKEv1 ciphertext;</li>
 * <li>IKEv1 fragmentation (payload 132, the Cisco format that Microsoft and strongSwan use too):
 * fragments are collected by cookies, sender and fragment ID, and the whole message is handed
 * back for decoding when every fragment up to the one flagged last has arrived.</li>
 * </ul>
 * Memory is bounded: at most {@link #MAX_SAS} IKE SAs are remembered (the oldest forgotten
 * first), at most {@link #MAX_PENDING} fragmented messages and {@link #MAX_PENDING_BYTES} bytes
 * are buffered, and a fragmented message still incomplete {@link #FRAGMENT_TIMEOUT_NANOS} after
 * its first fragment is given up and reported. Not thread-safe; one per decoder.
 */
public final class IkeDecodeState {
    static final int MAX_SAS = 65_536;
    static final int MAX_PENDING = 256;
    static final long MAX_PENDING_BYTES = 16L << 20;
    /** A reassembled IKEv1 message larger than this is refused (IKE messages are a few KB). */
    static final int MAX_MESSAGE = 256 * 1024;
    static final long FRAGMENT_TIMEOUT_NANOS = 60_000_000_000L;
    private static final int MAX_INCOMPLETE_KEPT = 1000;

    private static final String BUFFER_FULL =
            "buffer limit reached (" + MAX_PENDING + " messages, " + (MAX_PENDING_BYTES >> 20) + " MiB)";

    /** The transforms the responder chose for an IKE SA. */
    /**
     * @param integrity IKEv2 INTEG ID (-1 for AEAD); IKEv1: the hash algorithm
     * @param prf IKEv2 PRF ID; IKEv1: the hash algorithm again (its HMAC is the PRF), -1 when unknown
     */
    public record Negotiated(int version, int encryption, int keyLength, int integrity, long frame, int prf) {
        /** IKEv2: the ENCR transform's sizes; IKEv1: the cipher's block size (no IV on the wire). */
        public IkeAlgorithms.Sizes cipherSizes() {
            return IkeAlgorithms.of(version == 2 ? IkeAlgorithms.IKEV2_ENCR : IkeAlgorithms.IKEV1_ENCR, encryption);
        }

        /** IKEv2 only: the INTEG transform's sizes (null for an AEAD cipher, which has none). */
        public IkeAlgorithms.Sizes integritySizes() {
            return version == 2 && integrity >= 0 ? IkeAlgorithms.of(IkeAlgorithms.IKEV2_INTEG, integrity) : null;
        }

        /** "ENCR_AES_CBC-256" / "AES-CBC-128". */
        public String cipherName() {
            String n = version == 2 ? IkeRegistries.IKEV2_ENCR.name(encryption)
                    : IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS.name(encryption);
            String s = n != null ? n : Integer.toString(encryption);
            return keyLength > 0 ? s + "-" + keyLength : s;
        }

        /** IKEv2 integrity transform name, or null (AEAD, or IKEv1). */
        public String integrityName() {
            if (version != 2 || integrity < 0) {
                return null;
            }
            String n = IkeRegistries.IKEV2_INTEG.name(integrity);
            return n != null ? n : Integer.toString(integrity);
        }
    }

    /** An IKEv1 message put together from its fragments. */
    public record Reassembled(int fragmentId, int fragments, int length, long[] frames) {
        public String describe() {
            StringBuilder sb = new StringBuilder("IKEv1 message of ").append(length).append(" bytes reassembled from ")
                    .append(fragments).append(" fragments (ID ").append(fragmentId).append(") in frames ");
            for (int i = 0; i < frames.length; i++) {
                sb.append(i == 0 ? "" : ",").append(frames[i]);
            }
            return sb.toString();
        }
    }

    /** A fragmented IKEv1 message whose fragments never all arrived. */
    public record Incomplete(String description, long[] frames, String reason) {
        @Override
        public String toString() {
            return description + ": " + reason + " (frames " + org.vpnsleuth.base.Capped.frames(frames) + ")";
        }
    }

    /** What the dissector shows beside one message; attached to its layer's {@code info}. */
    /**
     * @param decryptedWith for a message decrypted from the ciphertext of the layer before it: where
     *     the keys came from; null otherwise
     */
    public record MessageInfo(String direction, Negotiated negotiated, Reassembled reassembled, String decryptedWith,
            KeyCheck keyCheck) {
        public MessageInfo(String direction, Negotiated negotiated, Reassembled reassembled) {
            this(direction, negotiated, reassembled, null, null);
        }

        public MessageInfo(String direction, Negotiated negotiated, Reassembled reassembled, String decryptedWith) {
            this(direction, negotiated, reassembled, decryptedWith, null);
        }
    }

    /** A message made whole, to be decoded after the fragment that completed it. */
    public record Completed(byte[] data, int length, Reassembled reassembled) {
    }

    private record Addr(long hi, long lo) {
    }

    private record SaKey(long spiI, long spiR) {
    }

    private record FragKey(long spiI, long spiR, int fragmentId, Addr sender) {
    }

    private static final class Pending {
        final byte[][] pieces = new byte[256][];
        final long[] frames = new long[256];
        final long firstNanos;
        int last = -1;
        int bytes;
        int count;

        Pending(long firstNanos) {
            this.firstNanos = firstNanos;
        }
    }

    private final Map<Long, Addr> initiators = lru();
    private final Map<SaKey, Negotiated> negotiated = lru();
    private final LinkedHashMap<FragKey, Pending> pending = new LinkedHashMap<>();
    private long pendingBytes;
    private final List<Incomplete> incomplete = new ArrayList<>();
    private long incompleteDropped;
    private long reassembledCount;
    private int nested;
    private Completed completed;

    /** The IKE state of {@code d}'s capture stream (made on the stream's first IKE message, or here). */
    public static IkeDecodeState of(org.vpnsleuth.decode.Decoder d) {
        return d.extension(IkeDecodeState.class, IkeDecodeState::new);
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > MAX_SAS;
            }
        };
    }

    /**
     * Records what {@code ike} (a complete IKE header just decoded, the last layer of {@code p})
     * tells and returns what to show beside it. When it is the fragment that completes an IKEv1
     * message, {@link #takeCompleted()} then returns that message.
     */
    public MessageInfo observe(Packet p, Layer ike, long frame, long nanos) {
        completed = null;
        decrypted = null;
        note = null;
        if (ike.buf == null || ike.headerLength < 28 || ike.offset + 28 > ike.end) {
            return null;
        }
        byte[] b = ike.buf;
        int o = ike.offset;
        long spiI = Bytes.u64(b, o);
        long spiR = Bytes.u64(b, o + 8);
        int next = b[o + 16] & 0xff;
        int major = (b[o + 17] & 0xff) >>> 4;
        int exchange = b[o + 18] & 0xff;
        int flags = b[o + 19] & 0xff;
        int bodyEnd = (int) Math.min(ike.end, (long) ike.payloadOffset() + ike.payloadLength);
        Addr src = source(p, ike);
        expire(nanos);
        if (major == 2) {
            boolean response = (flags & 0x20) != 0;
            if (exchange == 34 && response && spiR != 0) {
                Negotiated n = chosenV2(b, ike.payloadOffset(), bodyEnd, next, frame);
                if (n != null) {
                    negotiated.put(new SaKey(spiI, spiR), n);
                }
            }
            Negotiated neg2 = negotiated.get(new SaKey(spiI, spiR));
            if (decryption != null) {
                decryption.learnV2(b, o, ike.payloadOffset(), bodyEnd, next, spiI, spiR, response, exchange);
                if (nested == 0 && (next == PayloadType.V2_SK || next == PayloadType.V2_SKF)) {
                    decrypted = decryption.decryptV2(b, o, bodyEnd, neg2);
                    // an IKE SA rekey (CREATE_CHILD_SA) negotiated the algorithms of a new IKE SA in this frame
                    for (IkeDecryption.Rekeyed r : decryption.takeRekeyed()) {
                        negotiated.putIfAbsent(new SaKey(r.spiI(), r.spiR()),
                                new Negotiated(2, r.encr(), r.keyBits(), r.integ(), frame, r.prf()));
                    }
                }
            }
            return new MessageInfo(null, neg2, null);
        }
        if (major != 1) {
            return null;
        }
        String direction = null;
        if (src != null) {
            if (spiR == 0 && nested == 0) {
                initiators.putIfAbsent(spiI, src);
            }
            Addr init = initiators.get(spiI);
            if (init != null) {
                direction = sameHost(init, src) ? "I→R" : "R→I";
            }
        }
        boolean encrypted = (flags & 0x01) != 0;
        if (!encrypted && spiR != 0 && (exchange == 2 || exchange == 4) && next == PayloadType.V1_SA) {
            Negotiated n = chosenV1(b, ike.payloadOffset(), bodyEnd, frame);
            if (n != null) {
                negotiated.putIfAbsent(new SaKey(spiI, spiR), n);
            }
        }
        Negotiated neg = negotiated.get(new SaKey(spiI, spiR));
        if (decryption != null && direction != null) {
            if (!encrypted && exchange == 4 && !decryption.keys().authPsks().isEmpty()) {
                AggressiveMode.Exchange x = aggressive.observe(b, o, bodyEnd, direction.equals("I→R"),
                        negotiated.get(new SaKey(spiI, spiR)), frame);
                if (x != null) {
                    note = pskCheck(x);
                }
            }
            if (!encrypted) {
                decryption.learnV1(b, ike.payloadOffset(), bodyEnd, next, spiI, spiR, direction.equals("I→R"));
            } else if (next != PayloadType.V1_FRAG) {
                decrypted = decryption.decryptV1(b, o, bodyEnd, neg, direction.equals("I→R")); // fragments put together too
            }
        }
        if (next == PayloadType.V1_FRAG && nested == 0) {
            fragment(b, ike.payloadOffset(), bodyEnd, spiI, spiR, src, frame, nanos);
        }
        return new MessageInfo(direction, neg, null, null, note);
    }

    /** The message the last {@link #observe} completed, once; null when none. */
    public Completed takeCompleted() {
        Completed c = completed;
        completed = null;
        return c;
    }

    /** Brackets the decoding of a reassembled message (its payloads are not fragments again). */
    public void enterNested() {
        nested++;
    }

    public void exitNested() {
        nested--;
    }

    /** {@code info} with the reassembly that produced its message. */
    public static MessageInfo withReassembly(Object info, Reassembled r) {
        MessageInfo m = info instanceof MessageInfo mi ? mi : null;
        return new MessageInfo(m == null ? null : m.direction(), m == null ? null : m.negotiated(), r,
                m == null ? null : m.decryptedWith(), m == null ? null : m.keyCheck());
    }

    /**
     * {@code info} marked as the plaintext of the message before it, decrypted with keys from
     * {@code source}, with the check of its hash or AUTH (null when none).
     */
    public static MessageInfo withDecryption(Object info, String source, KeyCheck check) {
        MessageInfo m = info instanceof MessageInfo mi ? mi : null;
        return new MessageInfo(m == null ? null : m.direction(), m == null ? null : m.negotiated(),
                m == null ? null : m.reassembled(), source, check);
    }

    private IkeDecryption decryption;
    private IkeDecryption.Result decrypted;
    private final AggressiveMode aggressive = new AggressiveMode();
    private KeyCheck note;

    /** The PSK check of the message the last {@link #observe} saw (AM2's HASH_R), once; null when none. */
    public KeyCheck takeNote() {
        KeyCheck n = note;
        note = null;
        return n;
    }

    /** Which supplied PSK gives AM2's HASH_R (RFC 2409 §5.4): the responder's key, checked from cleartext. */
    private KeyCheck pskCheck(AggressiveMode.Exchange x) {
        return decryption.pskCheck("HASH_R of AM2", false, x.cookieI(), x.cookieR(), x::matches);
    }

    /** Decrypts what the key material allows from now on (null: nothing). */
    public void setDecryption(IkeDecryption d) {
        decryption = d;
    }

    public IkeDecryption decryption() {
        return decryption;
    }

    /** The decryption (or its failure) of the message the last {@link #observe} saw, once; null when none. */
    public IkeDecryption.Result takeDecrypted() {
        IkeDecryption.Result r = decrypted;
        decrypted = null;
        return r;
    }

    /** NAT may rewrite the port and IKE floats 500 → 4500: the address alone decides. */
    private static boolean sameHost(Addr a, Addr b) {
        return a.hi == b.hi && a.lo == b.lo;
    }

    private static Addr source(Packet p, Layer ike) {
        for (int i = p.count() - 1; i >= 0; i--) {
            Layer l = p.layer(i);
            if (l == ike) {
                continue;
            }
            if (l.proto == Proto.IPV4 && l.headerLength >= 20 && l.offset + 20 <= l.buf.length) {
                return new Addr(0, Bytes.u32(l.buf, l.offset + 12));
            }
            if (l.proto == Proto.IPV6 && l.headerLength >= 40 && l.offset + 40 <= l.buf.length) {
                return new Addr(Bytes.u64(l.buf, l.offset + 8), Bytes.u64(l.buf, l.offset + 16));
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ the responder's choice

    /**
     * The single proposal of an IKE_SA_INIT response's SA payload: ENCR (with its key length) and
     * INTEG; null when the message has no well-formed SA with exactly one IKE proposal.
     */
    private static Negotiated chosenV2(byte[] b, int pos, int end, int first, long frame) {
        PayloadChain c = new PayloadChain(b, pos, end, first, true);
        while (c.next()) {
            if (c.type != PayloadType.V2_SA) {
                continue;
            }
            int p = c.bodyOffset();
            int pend = c.bodyEnd();
            if (pend - p < 8) {
                return null;
            }
            int plen = Bytes.u16(b, p + 2);
            if ((b[p] & 0xff) != 0 || plen < 8 || plen > pend - p) {
                return null; // more than one proposal: not a responder's choice
            }
            int spiSize = b[p + 6] & 0xff;
            int t = p + 8 + spiSize;
            int tend = p + plen;
            int encr = -1;
            int keyLength = 0;
            int integ = -1;
            int prf = -1;
            while (t + 8 <= tend) {
                int tl = Bytes.u16(b, t + 2);
                if (tl < 8 || tl > tend - t) {
                    return null;
                }
                int type = b[t + 4] & 0xff;
                int id = Bytes.u16(b, t + 6);
                if (type == 1) {
                    encr = id;
                    for (int a = t + 8; a + 4 <= t + tl; ) {
                        int at = Bytes.u16(b, a);
                        if ((at & 0x8000) != 0) {
                            if ((at & 0x7fff) == 14) {
                                keyLength = Bytes.u16(b, a + 2);
                            }
                            a += 4;
                        } else {
                            a += 4 + Bytes.u16(b, a + 2);
                        }
                    }
                } else if (type == 3) {
                    integ = id;
                } else if (type == 2) {
                    prf = id;
                }
                t += tl;
            }
            return encr < 0 ? null : new Negotiated(2, encr, keyLength, integ, frame, prf);
        }
        return null;
    }

    /** Encryption algorithm, key length and hash of the responder's single phase-1 transform. */
    private static Negotiated chosenV1(byte[] b, int pos, int end, long frame) {
        PayloadChain c = new PayloadChain(b, pos, end, PayloadType.V1_SA, false);
        if (!c.next() || c.type != PayloadType.V1_SA) {
            return null;
        }
        int p = c.bodyOffset() + 8; // DOI, situation
        int pend = c.bodyEnd();
        if (pend - p < 8 || (Bytes.u32(b, c.bodyOffset() + 4) & 6) != 0) {
            return null;
        }
        int plen = Bytes.u16(b, p + 2);
        if ((b[p] & 0xff) != 0 || plen < 8 || plen > pend - p || (b[p + 5] & 0xff) != 1 || (b[p + 7] & 0xff) != 1) {
            return null; // not one ISAKMP proposal with one transform
        }
        int t = p + 8 + (b[p + 6] & 0xff);
        if (t + 8 > p + plen) {
            return null;
        }
        int tl = Bytes.u16(b, t + 2);
        if (tl < 8 || tl > p + plen - t) {
            return null;
        }
        int encr = -1;
        int keyLength = 0;
        int hash = -1;
        for (int a = t + 8; a + 4 <= t + tl; ) {
            int at = Bytes.u16(b, a);
            if ((at & 0x8000) != 0) {
                int v = Bytes.u16(b, a + 2);
                switch (at & 0x7fff) {
                    case 1 -> encr = v;
                    case 2 -> hash = v;
                    case 14 -> keyLength = v;
                    default -> {
                    }
                }
                a += 4;
            } else {
                a += 4 + Bytes.u16(b, a + 2);
            }
        }
        return encr < 0 ? null : new Negotiated(1, encr, keyLength, hash, frame, hash);
    }

    // ------------------------------------------------------------------ IKEv1 fragments

    private void fragment(byte[] b, int pos, int end, long spiI, long spiR, Addr src, long frame, long nanos) {
        PayloadChain c = new PayloadChain(b, pos, end, PayloadType.V1_FRAG, false);
        if (!c.next() || c.length < 8) {
            return; // the dissector reports the malformed payload
        }
        int f = c.bodyOffset();
        int id = Bytes.u16(b, f);
        int number = b[f + 2] & 0xff;
        boolean last = (b[f + 3] & 1) != 0;
        int dataOff = f + 4;
        int dataLen = c.bodyEnd() - dataOff;
        if (number == 0) {
            return; // fragment numbers start at 1
        }
        FragKey key = new FragKey(spiI, spiR, id, src);
        Pending pd = pending.get(key);
        if (pd == null) {
            while (pending.size() >= MAX_PENDING || (pendingBytes + dataLen > MAX_PENDING_BYTES && !pending.isEmpty())) {
                dropOldest(BUFFER_FULL, null);
            }
            pd = new Pending(nanos);
            pending.put(key, pd);
        }
        if (pd.pieces[number] != null) {
            return; // a retransmitted fragment: the first copy stands
        }
        if (pd.bytes + dataLen > MAX_MESSAGE) {
            giveUp(key, pd, "reassembled message would exceed " + MAX_MESSAGE + " bytes");
            return;
        }
        while (pendingBytes + dataLen > MAX_PENDING_BYTES && dropOldest(BUFFER_FULL, key)) {
            // a message that grows makes room by giving up the oldest others
        }
        pd.pieces[number] = Arrays.copyOfRange(b, dataOff, dataOff + dataLen);
        pd.frames[number] = frame;
        pd.bytes += dataLen;
        pd.count++;
        pendingBytes += dataLen;
        if (last) {
            if (pd.last >= 0 && pd.last != number) {
                giveUp(key, pd, "two fragments flagged last (" + pd.last + " and " + number + ")");
                return;
            }
            pd.last = number;
        }
        if (pd.last < 0 || pd.count < pd.last) {
            return;
        }
        for (int i = 1; i <= pd.last; i++) {
            if (pd.pieces[i] == null) {
                return; // a fragment numbered above the last one took a place: wait for the gap
            }
        }
        byte[] data = new byte[pd.bytes];
        long[] frames = new long[pd.last];
        int at = 0;
        for (int i = 1; i <= pd.last; i++) {
            System.arraycopy(pd.pieces[i], 0, data, at, pd.pieces[i].length);
            at += pd.pieces[i].length;
            frames[i - 1] = pd.frames[i];
        }
        remove(key, pd);
        reassembledCount++;
        completed = new Completed(data, at, new Reassembled(id, pd.last, at, frames));
    }

    private void remove(FragKey key, Pending pd) {
        pending.remove(key);
        pendingBytes -= pd.bytes;
    }

    private void giveUp(FragKey key, Pending pd, String reason) {
        remove(key, pd);
        record(key, pd, reason);
    }

    /** Gives up the oldest pending message other than {@code keep}; false when there is none. */
    private boolean dropOldest(String reason, FragKey keep) {
        Iterator<Map.Entry<FragKey, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<FragKey, Pending> e = it.next();
            if (e.getKey().equals(keep)) {
                continue;
            }
            it.remove();
            pendingBytes -= e.getValue().bytes;
            record(e.getKey(), e.getValue(), reason);
            return true;
        }
        return false;
    }

    private void record(FragKey key, Pending pd, String reason) {
        if (incomplete.size() >= MAX_INCOMPLETE_KEPT) {
            incompleteDropped++;
            return;
        }
        StringBuilder have = new StringBuilder();
        long[] frames = new long[pd.count];
        int n = 0;
        for (int i = 1; i < 256; i++) {
            if (pd.pieces[i] != null) {
                have.append(have.length() == 0 ? "" : ",").append(i);
                if (n < frames.length) {
                    frames[n++] = pd.frames[i];
                }
            }
        }
        StringBuilder spis = new StringBuilder(33);
        Bytes.appendHex(spis, key.spiI, 16);
        Bytes.appendHex(spis.append('/'), key.spiR, 16);
        String desc = "IKEv1 fragmented message " + spis + " fragment ID " + key.fragmentId + ": fragments " + have
                + (pd.last < 0 ? " of ?, the last never seen" : " of " + pd.last);
        incomplete.add(new Incomplete(desc, Arrays.copyOf(frames, n), reason));
    }

    private void expire(long nanos) {
        if (pending.isEmpty()) {
            return;
        }
        Iterator<Map.Entry<FragKey, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<FragKey, Pending> e = it.next();
            if (nanos - e.getValue().firstNanos <= FRAGMENT_TIMEOUT_NANOS) {
                break; // insertion order: the rest are younger
            }
            it.remove();
            pendingBytes -= e.getValue().bytes;
            record(e.getKey(), e.getValue(), "timed out after " + FRAGMENT_TIMEOUT_NANOS / 1_000_000_000L + " s");
        }
    }

    /** At the end of the capture: everything still pending is incomplete. */
    public void finish() {
        for (Map.Entry<FragKey, Pending> e : pending.entrySet()) {
            record(e.getKey(), e.getValue(), "capture ended");
        }
        pending.clear();
        pendingBytes = 0;
    }

    public List<Incomplete> incomplete() {
        return incomplete;
    }

    public long incompleteNotKept() {
        return incompleteDropped;
    }

    public long reassembledCount() {
        return reassembledCount;
    }

    public int pendingCount() {
        return pending.size();
    }
}
