package org.vpnsleuth.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.decode.EspDecryptor;

/**
 * Decrypts ESP packets (RFC 4303) with the keys the user supplied: esp lines of a keys file,
 * tcpdump's secrets, or a strongSwan log's child SA keys (matched to the SPIs its "established
 * with SPIs" lines name; the integrity check decides which direction's keys an SPI uses). The ICV
 * (or AEAD tag) is checked first; a packet that does not verify is reported, never shown as data.
 */
public final class EspDecryption implements EspDecryptor {
    /** One usable key set for an SPI; {@code esn}: the SA uses Extended Sequence Numbers. */
    public record Sa(Encryption enc, byte[] encKey, Integrity integ, byte[] authKey, int icvLength, boolean esn, String source) {
    }

    /**
     * The SPIs that have keys, each with its own state ({@link SpiState}): an open-addressing table
     * read without a lock (slots are only ever filled, each with a fully built state; a bigger table
     * is published whole), written under {@code this}.
     */
    private volatile SpiState[] table = new SpiState[16];
    private int spiCount;
    /** Keys for any SPI (Wireshark's esp_sa "*"), with the destination each is for (null: any). */
    private final List<Sa> anySpi = new ArrayList<>();
    private final List<String> anySpiDst = new ArrayList<>();
    /** SPIs on which every any-SPI key failed (bounded): not tried again. */
    private final java.util.Set<Long> anySpiFailed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The key set that opened each SPI's latest packet; changed only when that key set changes. Guarded by itself. */
    private final Map<Long, Sa> confirmed = new HashMap<>();
    /** Addresses of SPIs seen without a state of their own (callers outside the decode path). Guarded by itself. */
    private final Map<Long, String[]> otherEndpoints = new HashMap<>();

    /**
     * One SPI: its candidate key sets in the order they came, each with its prepared
     * {@link EspOpener} (made on first use), the one that opened the latest packet, the highest
     * verified sequence number (RFC 4303 Appendix A2.2, as {@link Esn} infers it) and the counts.
     * Everything in it is guarded by the state's own lock: packets of different SPIs never wait
     * for each other, and a state can be used from any thread.
     */
    static final class SpiState implements OpenerSource {
        final long spi;
        private Sa[] sas = new Sa[0];
        private EspOpener[] openers = new EspOpener[0];
        private int known = -1;
        /** The key set {@link #attempt} opened the packet with (under the state's lock). */
        private int opened;
        private long highest;
        private long decrypted;
        private long failed;
        private volatile String[] endpoints;

        SpiState(long spi) {
            this.spi = spi;
        }

        synchronized void add(Sa sa) {
            sas = Arrays.copyOf(sas, sas.length + 1);
            sas[sas.length - 1] = sa;
            openers = Arrays.copyOf(openers, sas.length);
        }

        synchronized long decrypted() {
            return decrypted;
        }

        synchronized long failed() {
            return failed;
        }

        @Override
        public EspOpener opener(Sa[] keys, int i) {
            EspOpener o = openers[i];
            if (o == null) {
                o = new EspOpener(keys[i]);
                openers[i] = o;
            }
            return o;
        }
    }

    /** Where {@link #attempt} gets the prepared opener of key set {@code i} of {@code keys}. */
    private interface OpenerSource {
        EspOpener opener(Sa[] keys, int i);
    }

    /**
     * The openers of one worker thread ({@link #early}): its own JCE objects per key set, so that
     * packets of one SPI can be opened on several threads at once (ESP packets are independent
     * given the keys). Bounded: past {@link #KEPT} key sets the cache starts again. Not thread-safe:
     * one per thread.
     */
    public static final class Openers implements OpenerSource {
        static final int KEPT = 256;
        private int opened;
        private final Map<Sa, EspOpener> bySa = new java.util.IdentityHashMap<>();

        @Override
        public EspOpener opener(Sa[] keys, int i) {
            EspOpener o = bySa.get(keys[i]);
            if (o == null) {
                if (bySa.size() >= KEPT) {
                    bySa.clear();
                }
                o = new EspOpener(keys[i]);
                bySa.put(keys[i], o);
            }
            return o;
        }
    }

    /**
     * An ESP packet opened ahead of its turn on a worker thread ({@link #early}), with what its
     * answer depended on: the SPI's key sets, the one tried first and the inferred ESN high-order
     * bits. The decoding thread hands it over ({@link #offer}) just before it decodes that frame;
     * {@link #decrypt(byte[], int, int, String)} takes the answer only when the packet is the same
     * bytes and the SPI's state is still what it was (the key tried first may have changed to the
     * very key that opened the packet: the decoder would open it with that key first, the same
     * answer), and applies its effects (counts, the key that
     * opened, the highest sequence number) then, in frame order; otherwise it opens the packet
     * itself. Reused from frame to frame (no object per packet besides the inner packet).
     */
    public static final class Early {
        byte[] buf;
        int off;
        int end;
        SpiState st;
        Sa[] sas;
        int known;
        long high;
        int opened;
        Result result;

        /** Forgets the packet (the slot holds no answer). */
        public void clear() {
            buf = null;
            st = null;
            sas = null;
            result = null;
        }

        public boolean holds() {
            return result != null;
        }
    }

    /** The answer opened ahead for the frame being decoded; used (or dropped) by the next {@link #decrypt}. Decoding thread only. */
    private Early offered;

    /** No keys yet: the key material's owner adds them ({@link #add}, {@link #addAnySpi}, {@link #addDerived}). */
    public EspDecryption() {
    }

    /** A key set for any SPI (Wireshark's esp_sa "*"), for packets to {@code dst} (null: any destination). */
    public synchronized void addAnySpi(Sa sa, String dst) {
        anySpi.add(sa);
        anySpiDst.add(dst);
    }

    /** Keys derived during decoding (IKEv2 / IKEv1 KEYMAT), used from the next packet on. */
    public void addDerived(long spi, int encr, int keyBits, byte[] encKey, int integ, byte[] authKey, boolean esn, String source) {
        Encryption enc = Encryption.fromIkev2Id(encr);
        if (enc == null || knows(spi)) {
            return; // supplied keys come first
        }
        Integrity in = integ > 0 ? Integrity.fromIkev2Id(integ) : null;
        int icv = enc.aead() ? enc.icvLength() : in != null ? in.icvLength() : 0;
        add(spi, new Sa(enc, encKey, enc.aead() ? null : in, authKey, icv, esn, source));
    }

    /** A key set for {@code spi}; several for one SPI are tried in the order they were added. */
    public void add(long spi, Sa sa) {
        stateFor(spi).add(sa);
    }

    /** The state of {@code spi}, made and put in the table when there is none. */
    private synchronized SpiState stateFor(long spi) {
        SpiState s = state(spi);
        if (s != null) {
            return s;
        }
        s = new SpiState(spi);
        SpiState[] t = table;
        if ((spiCount + 1) * 2 > t.length) {
            SpiState[] bigger = new SpiState[t.length * 2];
            for (SpiState o : t) {
                if (o != null) {
                    put(bigger, o);
                }
            }
            put(bigger, s);
            table = bigger; // published whole
        } else {
            put(t, s); // one reference written into an empty slot: a reader sees the slot empty or the whole state
        }
        spiCount++;
        return s;
    }

    private static void put(SpiState[] t, SpiState s) {
        int m = t.length - 1;
        for (int i = slot(s.spi) & m; ; i = (i + 1) & m) {
            if (t[i] == null) {
                t[i] = s;
                return;
            }
        }
    }

    private static int slot(long spi) {
        long h = spi * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32);
    }

    /** The state of {@code spi}, or null when no key names it. Lock-free. */
    private SpiState state(long spi) {
        SpiState[] t = table;
        int m = t.length - 1;
        for (int i = slot(spi) & m; ; i = (i + 1) & m) {
            SpiState s = t[i];
            if (s == null || s.spi == spi) {
                return s;
            }
        }
    }

    /** The outer addresses an SPI was seen with (for exports that key SAs by address); the first ones stay. */
    @Override
    public void seen(long spi, String src, String dst) {
        SpiState s = state(spi);
        if (s != null) {
            if (s.endpoints == null) {
                s.endpoints = new String[] {src, dst};
            }
            return;
        }
        synchronized (otherEndpoints) {
            otherEndpoints.putIfAbsent(spi, new String[] {src, dst});
        }
    }

    /**
     * The SAs whose keys verified, by SPI, with the addresses they were seen between. The live map:
     * read it when the packets are decoded.
     */
    public Map<Long, Sa> verified() {
        return confirmed;
    }

    @Override
    public String[] endpoints(long spi) {
        SpiState s = state(spi);
        String[] e = s == null ? null : s.endpoints;
        if (e != null) {
            return e;
        }
        synchronized (otherEndpoints) {
            return otherEndpoints.get(spi);
        }
    }

    public boolean knows(long spi) {
        return state(spi) != null;
    }

    /**
     * True when {@link #decrypt(byte[], int, int, String)} would look at the destination for a packet
     * of {@code spi}: no key names it and there are keys for any SPI (so a caller need not format
     * the address otherwise).
     */
    @Override
    public boolean wantsDestination(long spi) {
        return !anySpi.isEmpty() && state(spi) == null;
    }

    @Override
    public long decryptedCount() {
        long n = 0;
        for (SpiState s : table) {
            n += s == null ? 0 : s.decrypted();
        }
        return n;
    }

    @Override
    public long failedCount() {
        long n = 0;
        for (SpiState s : table) {
            n += s == null ? 0 : s.failed();
        }
        return n;
    }

    /**
     * As {@link EspDecryptor#decrypt(byte[], int, int)}, the packet going to {@code dst} (null: unknown): an SPI
     * no key names tries the keys for any SPI for that destination, and keeps the one whose ICV
     * verifies. Safe to call from several threads: packets of one SPI are opened one at a time (in
     * the order the callers get its lock, which is the order the ESN inference assumes).
     */
    @Override
    public Result decrypt(byte[] b, int off, int end, String dst) {
        if (end - off < 8) {
            return null;
        }
        long spi = u32(b, off);
        SpiState st = state(spi);
        if (st == null) {
            return anySpi.isEmpty() || anySpiFailed.contains(spi) ? null : tryAnySpi(spi, b, off, end, dst);
        }
        return decrypt(st, b, off, end);
    }

    private static long u32(byte[] b, int o) {
        return ((b[o] & 0xffL) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    /** The key that opened the SPI's latest packet first, then the others in the order they came. */
    private Result decrypt(SpiState st, byte[] b, int off, int end) {
        Early e = offered;
        offered = null;
        synchronized (st) {
            long low = u32(b, off + 4);
            long high = Esn.inferHigh(st.highest, low);
            int known = st.known;
            if (st.sas.length == 0) {
                return null; // being added by another thread
            }
            if (e != null && e.result != null && e.buf == b && e.off == off && e.end == end && e.st == st && e.sas == st.sas
                    && (e.known == known || e.opened >= 0 && e.opened == known) && e.high == high) {
                // opened ahead from the same bytes with the same keys and ESN bits, and the same key tried first or the
                // key that opened it tried first now (the SPI's first packet, decoded meanwhile, confirmed it): the same answer
                Result r = e.result;
                e.clear();
                if (r.problem() == null) {
                    accepted(st, e.opened, high, low);
                } else {
                    st.failed++;
                }
                return r;
            }
            Result r = attempt(st, st.sas, known, high, b, off, end, st);
            if (r.problem() == null) {
                accepted(st, st.opened, high, low);
            } else {
                st.failed++;
            }
            return r;
        }
    }

    /**
     * Opens {@code b[off, end)} with the key sets {@code sas}, {@code known} first, then the others
     * in the order they came; on success {@code st.opened} / the caller's index says which. No
     * effect on the SPI's state: the caller applies it.
     */
    private static Result attempt(SpiState st, Sa[] sas, int known, long high, byte[] b, int off, int end, OpenerSource openers) {
        String problem = null;
        int tried = 0;
        for (int k = -1; k < sas.length; k++) {
            int i = k < 0 ? known : k;
            if (i < 0 || k >= 0 && i == known) {
                continue;
            }
            Sa s = sas[i];
            Result r = openers.opener(sas, i).open(b, off, end, s.esn ? high : -1);
            tried++;
            if (r.problem() == null) {
                if (openers == st) {
                    st.opened = i;
                } else {
                    ((Openers) openers).opened = i;
                }
                return r;
            }
            problem = r.problem() + (s.esn ? ", ESN high-order bits " + high + " inferred" : "");
        }
        String from = tried == 1 ? "the key from " + sas[known >= 0 ? known : 0].source : "the " + tried + " supplied keys";
        return new Result(null, -1, 0, 0, 0, null, String.format("ICV check failed for ESP SA 0x%08x with %s (%s)", st.spi, from,
                problem));
    }

    /**
     * Opens the ESP packet {@code b[off, end)} ahead of its turn, on a worker thread with its own
     * {@code openers}, into {@code into} (cleared when there is nothing to open ahead: no key names
     * the SPI, or only keys for any SPI would). Changes nothing in this decryption's state; the
     * decoding thread takes the answer when that frame's turn comes ({@link #offer}).
     */
    public void early(byte[] b, int off, int end, Openers openers, Early into) {
        into.clear();
        if (end - off < 8) {
            return;
        }
        SpiState st = state(u32(b, off));
        if (st == null) {
            return;
        }
        Sa[] sas;
        int known;
        long high;
        synchronized (st) {
            sas = st.sas;
            known = st.known;
            high = Esn.inferHigh(st.highest, u32(b, off + 4));
        }
        if (sas.length == 0) {
            return;
        }
        Result r = attempt(st, sas, known, high, b, off, end, openers);
        into.buf = b;
        into.off = off;
        into.end = end;
        into.st = st;
        into.sas = sas;
        into.known = known;
        into.high = high;
        into.opened = r.problem() == null ? openers.opened : -1;
        into.result = r;
    }

    /**
     * The answer opened ahead for the frame the decoding thread decodes next (null: none); the next
     * {@link #decrypt} call takes it if it is for the same packet and still valid, and drops it
     * otherwise. Call from the decoding thread, before each frame.
     */
    public void offer(Early e) {
        offered = e;
    }

    /** Key set {@code i} opened a packet of the SPI: it is tried first from now on, and an ESN SA's high-order bits move on. */
    private void accepted(SpiState st, int i, long high, long low) {
        if (st.known != i) {
            st.known = i;
            synchronized (confirmed) {
                confirmed.put(st.spi, st.sas[i]);
            }
        }
        st.decrypted++;
        if (st.sas[i].esn) {
            long s = (high << 32) | low;
            if (Long.compareUnsigned(s, st.highest) > 0) {
                st.highest = s;
            }
        }
    }

    /** The keys for any SPI on a new SPI: the first whose ICV verifies becomes that SPI's key. */
    private Result tryAnySpi(long spi, byte[] b, int off, int end, String dst) {
        long low = u32(b, off + 4);
        long high = Esn.inferHigh(0, low); // nothing verified yet on this SPI
        for (int i = 0; i < anySpi.size(); i++) {
            Sa s = anySpi.get(i);
            String want = anySpiDst.get(i);
            if (want != null && dst != null && !want.equals(dst) || s.integ == null && !s.enc.aead()) {
                continue; // another destination; or no ICV: nothing would tell a right key from a wrong one
            }
            Result r = openGeneric(s, b, off, end, s.esn ? high : -1);
            if (r.problem() == null) {
                Sa named = new Sa(s.enc, s.encKey, s.integ, s.authKey, s.icvLength, s.esn, s.source + " (any SPI)");
                SpiState st = stateFor(spi);
                synchronized (st) {
                    st.add(named);
                    accepted(st, st.sas.length - 1, high, low);
                }
                return r;
            }
        }
        if (anySpiFailed.size() < 65_536) {
            anySpiFailed.add(spi);
        }
        return null;
    }

    /**
     * Opens a packet with everything made anew per packet, through {@link Encryption} and
     * {@link Integrity}: the path of the algorithms {@link EspOpener} does not prepare, and of a
     * key the cipher refuses (which it reports per packet).
     */
    static Result openGeneric(Sa s, byte[] b, int off, int end, long high) {
        int iv = s.enc.ivLength();
        int icv = s.icvLength;
        int n = end - off - 8 - iv - icv;
        if (n <= 0) {
            return new Result(null, -1, 0, 0, 0, s.source, "packet too short for IV and ICV");
        }
        byte[] ivBytes = Arrays.copyOfRange(b, off + 8, off + 8 + iv);
        Decrypted d;
        try {
            if (s.enc.aead()) {
                // RFC 4106 §5, RFC 4309 §5, RFC 7634 §2.1: SPI | sequence number, the ESN as 64 bits (high, low)
                byte[] aad = high < 0 ? Arrays.copyOfRange(b, off, off + 8)
                        : Octets.concat(Arrays.copyOfRange(b, off, off + 4), Esn.bytes(high), Arrays.copyOfRange(b, off + 4, off + 8));
                d = s.enc.decrypt(s.encKey, ivBytes, aad, Arrays.copyOfRange(b, off + 8 + iv, end));
            } else {
                // RFC 4303 §2.2.1: the ESN high-order bits follow the Next Header in the ICV input, not on the wire
                if (s.integ != null && s.authKey != null && !s.integ.verify(s.authKey, Arrays.copyOfRange(b, end - icv, end),
                        Arrays.copyOfRange(b, off, end - icv), high < 0 ? null : Esn.bytes(high))) {
                    return new Result(null, -1, 0, 0, 0, s.source, "ICV mismatch");
                }
                d = s.enc.decrypt(s.encKey, ivBytes, null, Arrays.copyOfRange(b, off + 8 + iv, end - icv));
            }
        } catch (IllegalArgumentException e) {
            return new Result(null, -1, 0, 0, 0, s.source, "key of the wrong size");
        }
        if (!d.ok()) {
            return new Result(null, -1, 0, 0, 0, s.source, d.failure() == Decrypted.Failure.AUTHENTICATION_FAILED
                    ? "tag mismatch" : "ciphertext of an impossible length");
        }
        boolean unchecked = !s.enc.aead() && (s.integ == null || s.authKey == null);
        byte[] p = d.plaintext();
        return trailer(s, p, p.length, iv, icv, high, s.source + (unchecked ? " (no integrity key: ICV not checked)" : ""));
    }

    /**
     * The inner packet of the plaintext {@code p[0, len)} (payload, padding, pad length, next
     * header), or why the trailer does not fit; {@code source} is what the result names.
     */
    static Result trailer(Sa s, byte[] p, int len, int iv, int icv, long high, String source) {
        if (len < 2) {
            return new Result(null, -1, 0, 0, 0, s.source, "no room for the ESP trailer");
        }
        int pad = p[len - 2] & 0xff;
        int next = p[len - 1] & 0xff;
        if (pad + 2 > len) {
            return new Result(null, -1, 0, 0, 0, s.source, "padding length " + pad + " does not fit");
        }
        // without an integrity check (a key file with no integrity key, or an algorithm without its key) the padding
        // must be 1, 2, 3 ... (RFC 4303 §2.4)
        boolean unchecked = !s.enc.aead() && (s.integ == null || s.authKey == null);
        if (unchecked) {
            for (int i = 0; i < pad; i++) {
                if ((p[len - 2 - pad + i] & 0xff) != i + 1) {
                    return new Result(null, -1, 0, 0, 0, s.source, "padding bytes are not 1, 2, 3, ... (wrong key?)");
                }
            }
        }
        return new Result(Arrays.copyOf(p, len - 2 - pad), next, iv, pad, icv, source, null, high);
    }
}
