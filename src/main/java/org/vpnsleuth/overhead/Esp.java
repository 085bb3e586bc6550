package org.vpnsleuth.overhead;

import java.util.Optional;
import org.vpnsleuth.ike.IkeAlgorithms;

/**
 * ESP (RFC 4303 §2): what it adds to a payload (the inner IP packet in tunnel mode, the transport
 * payload in transport mode) of n bytes:
 * <pre>
 *   added(n) = SPI 4 + sequence 4 + IV + pad(n) + pad length 1 + next header 1 + ICV
 *   pad(n)   = (-(n + 2)) mod alignment          (the least padding, RFC 4303 §2.4)
 *   alignment = max(cipher block, 4)              (16 AES-CBC/Camellia-CBC, 8 DES/3DES, 4 stream and AEAD modes)
 * </pre>
 * IV: 0 NULL (RFC 2410), 8 DES/3DES (RFC 2451), 16 AES-CBC (RFC 3602), 8 AES-CTR (RFC 3686), 8 AES-GCM
 * (RFC 4106), 8 AES-CCM (RFC 4309), 8 AES-GMAC (RFC 4543), 8 ChaCha20-Poly1305 (RFC 7634), 0 for the
 * implicit-IV transforms (RFC 8750). ICV: the AEAD tag (8, 12, 16) or the truncated MAC of the
 * integrity algorithm (12 HMAC-SHA1-96/MD5-96/AES-XCBC-96, 16 HMAC-SHA2-256-128, 24 -384-192, 32
 * -512-256: RFC 2404, 2403, 3566, 4868). The sizes are those of {@code registry/ike/algorithm-sizes.tsv}
 * (IKEv2 transform IDs), the fixed parts those of {@code registry/overhead/layers.tsv}. Senders may
 * add more padding (up to 255 bytes, or TFC padding): the model gives the least, as Linux, strongSwan,
 * Cisco and Windows send.
 */
public final class Esp implements Encapsulation {
    private final int encrId;
    private final int keyBits;
    private final int integId;
    private final int header;
    private final int trailer;
    private final int iv;
    private final int block;
    private final int alignment;
    private final int icv;

    /** The possible lengths of the protected payload of an observed ESP packet (both ends included). */
    public record Range(int min, int max) {
        public boolean contains(int n) {
            return n >= min && n <= max;
        }
    }

    private Esp(int encrId, int keyBits, int integId, IkeAlgorithms.Sizes encr, IkeAlgorithms.Sizes integ) {
        this.encrId = encrId;
        this.keyBits = keyBits;
        this.integId = integId;
        this.header = LayerTable.base("esp");
        this.trailer = LayerTable.row("esp", "trailer", null, null).bytes();
        this.iv = encr.ivLength();
        this.block = encr.blockSize();
        this.alignment = Math.max(encr.blockSize(), LayerTable.row("esp", "align", "min", "").bytes());
        this.icv = encr.icvLength() + integ.icvLength();
    }

    /**
     * ESP with these IKEv2 transform IDs (ENCR and INTEG, integ 0 for an AEAD cipher or no
     * integrity) and key bits (they do not change the sizes; kept for the name, 0 when unknown).
     *
     * @throws IllegalArgumentException for an algorithm whose sizes the table does not give, an
     *     integrity algorithm with an AEAD cipher, or neither confidentiality nor integrity
     */
    public static Esp of(int ikev2EncrId, int keyBits, int ikev2IntegId) {
        IkeAlgorithms.Sizes e = IkeAlgorithms.of(IkeAlgorithms.IKEV2_ENCR, ikev2EncrId);
        if (e == null) {
            throw new IllegalArgumentException("ESP cipher " + Algorithms.name("encr", ikev2EncrId, keyBits)
                    + " (IKEv2 ENCR " + ikev2EncrId + "): its IV, block and ICV sizes are not known");
        }
        IkeAlgorithms.Sizes i = IkeAlgorithms.of(IkeAlgorithms.IKEV2_INTEG, ikev2IntegId);
        if (i == null) {
            throw new IllegalArgumentException("ESP integrity " + Algorithms.name("integ", ikev2IntegId, 0)
                    + " (IKEv2 INTEG " + ikev2IntegId + "): its ICV size is not known");
        }
        if (e.icvLength() > 0 && ikev2IntegId != 0) {
            throw new IllegalArgumentException("ESP cipher " + Algorithms.name("encr", ikev2EncrId, keyBits)
                    + " is a combined mode with its own ICV: no integrity algorithm goes with it (RFC 4106 §8.2, RFC 5282 §8)");
        }
        if (e.icvLength() == 0 && e.ivLength() == 0 && e.blockSize() <= 1 && ikev2IntegId == 0) {
            throw new IllegalArgumentException("ESP with the NULL cipher needs an integrity algorithm (RFC 4303 §3.2: confidentiality, integrity or both)");
        }
        return new Esp(ikev2EncrId, keyBits, ikev2IntegId, e, i);
    }

    /** ESP from algorithm names ({@link Algorithms}); {@code integrity} may be null (AEAD or none). */
    public static Esp of(String cipher, String integrity) {
        Algorithms.Algorithm c = Algorithms.byName(cipher);
        if (c == null || !c.kind().equals("encr")) {
            throw new IllegalArgumentException("unknown ESP cipher '" + cipher + "' (known: "
                    + LayerTable.join(Algorithms.names("encr")) + ")");
        }
        int integ = 0;
        if (integrity != null) {
            Algorithms.Algorithm a = Algorithms.byName(integrity);
            if (a == null || !a.kind().equals("integ")) {
                throw new IllegalArgumentException("unknown ESP integrity algorithm '" + integrity + "' (known: "
                        + LayerTable.join(Algorithms.names("integ")) + ")");
            }
            integ = a.id();
        }
        return of(c.id(), c.keyBits(), integ);
    }

    public int encrId() {
        return encrId;
    }

    public int keyBits() {
        return keyBits;
    }

    public int integId() {
        return integId;
    }

    /** SPI + sequence number: 8. */
    public int headerLength() {
        return header;
    }

    public int ivLength() {
        return iv;
    }

    /** The ICV: the AEAD tag or the integrity algorithm's truncated MAC. */
    public int icvLength() {
        return icv;
    }

    /** The cipher's block size (1 for stream and AEAD modes). */
    public int blockSize() {
        return block;
    }

    /** The padding unit: the cipher block, at least 4 (RFC 4303 §2.4). */
    public int alignment() {
        return alignment;
    }

    /** The least padding for a payload of n bytes: payload + padding + 2 is a multiple of {@link #alignment()}. */
    public int padLength(int payloadLength) {
        return Math.floorMod(-(payloadLength + trailer), alignment);
    }

    @Override
    public String name() {
        return "esp";
    }

    @Override
    public int added(int payloadLength) {
        return header + iv + padLength(payloadLength) + trailer + icv;
    }

    @Override
    public int period() {
        return alignment;
    }

    /** The ESP packet's length (SPI to ICV) for a payload of n bytes. */
    public int packetLength(int payloadLength) {
        return payloadLength + added(payloadLength);
    }

    /**
     * The payload lengths (the inner packet in tunnel mode) an observed ESP packet of
     * {@code espLength} bytes (SPI through ICV: the IP payload, or the UDP payload for NAT-T) may
     * carry, assuming the least padding: the ciphertext less the 2-byte trailer, less 0 to
     * alignment − 1 bytes of padding. Empty when no payload gives that length (too short, or the
     * ciphertext is not a multiple of the alignment).
     */
    public Optional<Range> payloadRange(int espLength) {
        return payloadRange(espLength, alignment - 1);
    }

    /** As {@link #payloadRange(int)}, allowing up to {@code maxPadLength} bytes of padding (255 at most on the wire). */
    public Optional<Range> payloadRange(int espLength, int maxPadLength) {
        int cipherText = espLength - header - iv - icv;
        if (cipherText < trailer || cipherText % alignment != 0) {
            return Optional.empty();
        }
        int max = cipherText - trailer;
        int min = Math.max(0, max - Math.min(maxPadLength, 255));
        return Optional.of(new Range(min, max));
    }

    /** The cipher's name ("aes-cbc-256"). */
    public String cipherName() {
        return Algorithms.name("encr", encrId, keyBits);
    }

    /** The integrity algorithm's name, or null for none. */
    public String integrityName() {
        return integId == 0 ? null : Algorithms.name("integ", integId, 0);
    }

    @Override
    public String spec() {
        return "esp:" + cipherName() + (integId == 0 ? "" : "," + integrityName());
    }

    @Override
    public String describe() {
        return "ESP " + header + " + IV " + iv + " + pad to " + alignment + " + trailer " + trailer + " + ICV " + icv
                + " (RFC 4303; " + spec().substring(4) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Esp e && e.encrId == encrId && e.keyBits == keyBits && e.integId == integId;
    }

    @Override
    public int hashCode() {
        return (encrId * 31 + keyBits) * 31 + integId;
    }

    @Override
    public String toString() {
        return spec();
    }
}
