package org.vpnsleuth.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;

/**
 * Decrypts ESP packets (RFC 4303) with the keys the user supplied: esp lines of a keys file,
 * tcpdump's secrets, or a strongSwan log's child SA keys (matched to the SPIs its "established
 * with SPIs" lines name; the integrity check decides which direction's keys an SPI uses). The ICV
 * (or AEAD tag) is checked first; a packet that does not verify is reported, never shown as data.
 */
public final class EspDecryption {
    /**
     * A decrypted packet (the inner packet and its protocol), or why there is none; {@code seqHigh}
     * is the inferred high-order half of an Extended Sequence Number, -1 when the SA has none.
     */
    public record Result(byte[] inner, int nextHeader, int ivLength, int padLength, int icvLength, String source,
            String problem, long seqHigh) {
        Result(byte[] inner, int nextHeader, int ivLength, int padLength, int icvLength, String source, String problem) {
            this(inner, nextHeader, ivLength, padLength, icvLength, source, problem, -1);
        }
    }

    /** One usable key set for an SPI; {@code esn}: the SA uses Extended Sequence Numbers. */
    public record Sa(Encryption enc, byte[] encKey, Integrity integ, byte[] authKey, int icvLength, boolean esn, String source) {
    }

    private final Esn esn = new Esn();

    private final Map<Long, List<Sa>> bySpi = new HashMap<>();
    /** Keys for any SPI (Wireshark's esp_sa "*"), with the destination each is for (null: any). */
    private final List<Sa> anySpi = new ArrayList<>();
    private final List<String> anySpiDst = new ArrayList<>();
    /** SPIs on which every any-SPI key failed (bounded): not tried again. */
    private final java.util.Set<Long> anySpiFailed = new java.util.HashSet<>();
    private final Map<Long, Sa> confirmed = new HashMap<>();
    private long decrypted;
    private long failed;

    public EspDecryption(KeyMaterial keys) {
        for (KeyMaterial.EspKey k : keys.esp) {
            Encryption enc = Encryption.fromIkev2Id(k.encr());
            if (enc == null) {
                continue;
            }
            Integrity integ = k.integ() > 0 ? Integrity.fromIkev2Id(k.integ()) : null;
            int icv = enc.aead() ? enc.icvLength() : integ != null ? integ.icvLength() : 0;
            Sa sa = new Sa(enc, k.encKey(), k.authKey() == null || k.authKey().length == 0 ? null : integ,
                    k.authKey(), icv, k.esn(), k.source());
            if (k.spi() == KeyMaterial.ANY_SPI) {
                anySpi.add(sa);
                anySpiDst.add(k.dst());
            } else {
                add(k.spi(), sa);
            }
        }
        for (KeyMaterial.LoggedSa s : keys.logged) {
            for (int c = 0; c < s.children().size(); c++) {
                KeyMaterial.ChildSpis ch = s.children().get(c);
                if (ch.ah()) {
                    continue; // AhVerification takes those
                }
                Encryption enc = null;
                Integrity integ = null;
                int bits = 0;
                if (ch.proposal() != null) {
                    for (String t : ch.proposal().substring(ch.proposal().indexOf(':') + 1).split("/")) {
                        KeyFiles.Algorithm a = KeyFiles.algorithm(t.toLowerCase(Locale.ROOT));
                        if (a != null && a.kind().equals("encr")) {
                            enc = Encryption.fromIkev2Id(a.id());
                            bits = a.keyBits();
                        } else if (a != null && a.kind().equals("integ")) {
                            integ = Integrity.fromIkev2Id(a.id());
                        }
                    }
                }
                if (enc == null) {
                    continue;
                }
                int icv = enc.aead() ? enc.icvLength() : integ != null ? integ.icvLength() : 0;
                String src = s.source() + " <" + s.id() + ">";
                for (String side : new String[] {"initiator", "responder"}) {
                    byte[] ek = s.childKey("encryption " + side + " key", c);
                    byte[] ak = s.childKey("integrity " + side + " key", c);
                    if (ek == null) {
                        continue;
                    }
                    Sa sa = new Sa(enc, ek, enc.aead() ? null : integ, ak, icv, ch.esn(), src);
                    add(ch.in(), sa);
                    add(ch.out(), sa);
                }
            }
        }
    }

    /** Keys derived during decoding (IKEv2 / IKEv1 KEYMAT), used from the next packet on. */
    public void addDerived(long spi, int encr, int keyBits, byte[] encKey, int integ, byte[] authKey, boolean esn, String source) {
        Encryption enc = Encryption.fromIkev2Id(encr);
        if (enc == null || bySpi.containsKey(spi)) {
            return; // supplied keys come first
        }
        Integrity in = integ > 0 ? Integrity.fromIkev2Id(integ) : null;
        int icv = enc.aead() ? enc.icvLength() : in != null ? in.icvLength() : 0;
        add(spi, new Sa(enc, encKey, enc.aead() ? null : in, authKey, icv, esn, source));
    }

    private void add(long spi, Sa sa) {
        bySpi.computeIfAbsent(spi, k -> new ArrayList<>()).add(sa);
    }

    private final Map<Long, String[]> endpoints = new HashMap<>();

    /** The outer addresses an SPI was seen with (for exports that key SAs by address). */
    public void seen(long spi, String src, String dst) {
        endpoints.putIfAbsent(spi, new String[] {src, dst});
    }

    /** The SAs whose keys verified, by SPI, with the addresses they were seen between. */
    public Map<Long, Sa> verified() {
        return confirmed;
    }

    public String[] endpoints(long spi) {
        return endpoints.get(spi);
    }

    public boolean knows(long spi) {
        return bySpi.containsKey(spi);
    }

    public long decryptedCount() {
        return decrypted;
    }

    public long failedCount() {
        return failed;
    }

    /** Decrypts the ESP packet {@code b[off, end)} (from its SPI); null when no key is known for its SPI. */
    public Result decrypt(byte[] b, int off, int end) {
        return decrypt(b, off, end, null);
    }

    /**
     * As {@link #decrypt(byte[], int, int)}, the packet going to {@code dst} (null: unknown): an SPI
     * no key names tries the keys for any SPI for that destination, and keeps the one whose ICV
     * verifies.
     */
    public Result decrypt(byte[] b, int off, int end, String dst) {
        if (end - off < 8) {
            return null;
        }
        long spi = ((b[off] & 0xffL) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        List<Sa> candidates = bySpi.get(spi);
        if (candidates == null) {
            return anySpi.isEmpty() || anySpiFailed.contains(spi) ? null : tryAnySpi(spi, b, off, end, dst);
        }
        Sa known = confirmed.get(spi);
        List<Sa> order = new ArrayList<>();
        if (known != null) {
            order.add(known);
        }
        for (Sa s : candidates) {
            if (s != known) {
                order.add(s);
            }
        }
        String problem = null;
        long low = ((b[off + 4] & 0xffL) << 24) | ((b[off + 5] & 0xff) << 16) | ((b[off + 6] & 0xff) << 8) | (b[off + 7] & 0xff);
        long high = esn.high(spi, low);
        for (Sa s : order) {
            Result r = tryDecrypt(s, b, off, end, s.esn ? high : -1);
            if (r.problem() == null) {
                accepted(spi, s, high, low);
                return r;
            }
            problem = r.problem() + (s.esn ? ", ESN high-order bits " + high + " inferred" : "");
        }
        failed++;
        String from = order.size() == 1 ? "the key from " + order.get(0).source : "the " + order.size() + " supplied keys";
        return new Result(null, -1, 0, 0, 0, null, String.format("ICV check failed for ESP SA 0x%08x with %s (%s)", spi, from,
                problem));
    }

    /** {@code s} opened a packet of {@code spi}: it is tried first from now on, and an ESN SA's high-order bits move on. */
    private void accepted(long spi, Sa s, long high, long low) {
        confirmed.put(spi, s);
        decrypted++;
        if (s.esn) {
            esn.verified(spi, high, low);
        }
    }

    /** The keys for any SPI on a new SPI: the first whose ICV verifies becomes that SPI's key. */
    private Result tryAnySpi(long spi, byte[] b, int off, int end, String dst) {
        long low = ((b[off + 4] & 0xffL) << 24) | ((b[off + 5] & 0xff) << 16) | ((b[off + 6] & 0xff) << 8) | (b[off + 7] & 0xff);
        long high = esn.high(spi, low);
        for (int i = 0; i < anySpi.size(); i++) {
            Sa s = anySpi.get(i);
            String want = anySpiDst.get(i);
            if (want != null && dst != null && !want.equals(dst) || s.integ == null && !s.enc.aead()) {
                continue; // another destination; or no ICV: nothing would tell a right key from a wrong one
            }
            Result r = tryDecrypt(s, b, off, end, s.esn ? high : -1);
            if (r.problem() == null) {
                Sa named = new Sa(s.enc, s.encKey, s.integ, s.authKey, s.icvLength, s.esn, s.source + " (any SPI)");
                add(spi, named);
                accepted(spi, named, high, low);
                return r;
            }
        }
        if (anySpiFailed.size() < 65_536) {
            anySpiFailed.add(spi);
        }
        return null;
    }

    private static Result tryDecrypt(Sa s, byte[] b, int off, int end, long high) {
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
        byte[] p = d.plaintext();
        if (p.length < 2) {
            return new Result(null, -1, 0, 0, 0, s.source, "no room for the ESP trailer");
        }
        int pad = p[p.length - 2] & 0xff;
        int next = p[p.length - 1] & 0xff;
        if (pad + 2 > p.length) {
            return new Result(null, -1, 0, 0, 0, s.source, "padding length " + pad + " does not fit");
        }
        // without an integrity check (a key file with no integrity key, or an algorithm without its key) the padding
        // must be 1, 2, 3 ... (RFC 4303 §2.4)
        boolean unchecked = !s.enc.aead() && (s.integ == null || s.authKey == null);
        if (unchecked) {
            for (int i = 0; i < pad; i++) {
                if ((p[p.length - 2 - pad + i] & 0xff) != i + 1) {
                    return new Result(null, -1, 0, 0, 0, s.source, "padding bytes are not 1, 2, 3, ... (wrong key?)");
                }
            }
        }
        return new Result(Arrays.copyOf(p, p.length - 2 - pad), next, iv, pad, icv,
                s.source + (unchecked ? " (no integrity key: ICV not checked)" : ""), null, high);
    }
}
