package org.vpnsleuth.ike;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.LayerCodec;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * The codec of the IKE layer: the fixed ISAKMP/IKE header (28 bytes, common to IKEv1 and IKEv2)
 * decoded and its length checked, then the message shown to the stream's {@link IkeDecodeState}
 * (IKEv1 fragments put together, decryption); the payload chain is {@link IkeDissector}'s. Decode
 * dispatches UDP 500/4500 and TCP to {@link Proto#IKE}; this stage registers the codec for it
 * ({@link IkeCodecs}).
 */
public final class IkeHeaderCodec implements LayerCodec {
    static final NameTable EXCHANGES = NameTable.load("ike-exchange-types");

    @Override
    public Proto decode(Decoder d, Packet p) {
        Layer l = d.begin(p, Proto.IKE);
        if (d.end - d.off < 28) {
            return d.shortHeader(l, 28, "IKE");
        }
        long len = Bytes.u32(d.buf, d.off + 24);
        if (len < 28) {
            l.headerLength = 28;
            l.end = d.off + 28;
            l.payloadLength = d.end - d.off - 28;
            l.malformed = "IKE length " + len + " is below the 28-byte header";
            return Decoder.STOP;
        }
        int avail = d.end - d.off;
        if (len > avail && !d.cutByCapture()) {
            l.headerLength = 28;
            l.payloadLength = avail - 28;
            l.end = d.end;
            l.malformed = "IKE length " + len + " exceeds the " + avail + " bytes of the datagram";
            return Decoder.STOP;
        }
        d.claim(l, 28, (int) Math.min(Integer.MAX_VALUE, len - 28), "IKE");
        if (len < avail) {
            l.trailerLength = 0; // extra bytes after the IKE message are left as they are
        }
        if (!d.quoted && d.frame != null) {
            observe(d, p, l);
        }
        return Decoder.STOP;
    }

    /**
     * Lets the IKE state see the message; when it was the fragment that completes an IKEv1
     * message, the whole message is decoded after it, as one more IKE layer of this frame.
     */
    private static void observe(Decoder d, Packet p, Layer l) {
        IkeDecodeState ike = IkeDecodeState.of(d);
        l.info = ike.observe(p, l, d.frame.number, d.frame.timestampNanos);
        IkeDecodeState.Completed c = ike.takeCompleted();
        KeyCheck note = ike.takeNote();
        if (note != null) {
            p.note(note.text());
        }
        IkeDecryption.Result dec = ike.takeDecrypted();
        if (dec != null) {
            decrypted(d, p, dec);
        }
        if (c == null) {
            return;
        }
        p.note(c.reassembled().describe());
        int first = p.count();
        ike.enterNested();
        try {
            d.runNested(Proto.IKE, c.data(), 0, c.length(), p);
        } finally {
            ike.exitNested();
        }
        if (p.count() > first) {
            Layer whole = p.layer(first);
            whole.info = IkeDecodeState.withReassembly(whole.info, c.reassembled());
        }
    }

    /**
     * The exchange type's name for this major version: IKEv1 names only 0–6 (RFC 2408) and the
     * IPsec DOI's 32–33 (RFC 2409), IKEv2 only 34 and above; outside them the IANA ranges say what
     * the number is (ISAKMP: 7–31 reserved, 32–239 DOI-specific; IKEv2: 0–33 reserved; both:
     * 240–255 private use), so a vendor's private exchange is shown by its number, never under an
     * other version's name.
     */
    static String exchangeName(int major, int x) {
        String n = registeredExchange(major, x);
        if (n != null) {
            return n;
        }
        if (x >= 240) {
            return "private use (" + x + ")";
        }
        if (major == 1) {
            return x < 32 ? "reserved (" + x + ")" : "DOI-specific (" + x + ")";
        }
        return major == 2 && x < 34 ? "reserved (" + x + ")" : "unassigned (" + x + ")";
    }

    /** The registered name of exchange type {@code x} in this major version, or null. */
    public static String registeredExchange(int major, int x) {
        boolean v1Name = major == 1 && (x <= 6 || x == 32 || x == 33);
        boolean v2Name = major == 2 && x >= 34;
        return v1Name || v2Name ? EXCHANGES.name(x) : null;
    }

    static int majorVersion(Layer l) {
        return l.u8(17) >>> 4;
    }

    /** The plaintext of the message just decoded, decoded after it as one more IKE layer; or why it failed. */
    private static void decrypted(Decoder d, Packet p, IkeDecryption.Result dec) {
        if (dec.problem() != null) {
            p.note(dec.problem());
            return;
        }
        if (dec.message() == null) {
            p.note("IKE fragment " + dec.fragment() + "/" + dec.fragments() + " decrypted, waiting for the others");
            return;
        }
        p.note("decrypted with keys from " + dec.source()
                + (dec.fragments() > 0 ? " (" + dec.fragments() + " fragments put together)" : ""));
        if (dec.keyCheck() != null) {
            p.note(dec.keyCheck().text());
        }
        if (dec.remark() != null) {
            p.note(dec.remark());
        }
        int first = p.count();
        IkeDecodeState ike = IkeDecodeState.of(d);
        ike.enterNested();
        try {
            d.runNested(Proto.IKE, dec.message(), 0, dec.message().length, p);
        } finally {
            ike.exitNested();
        }
        if (p.count() > first) {
            Layer whole = p.layer(first);
            whole.info = IkeDecodeState.withDecryption(whole.info, dec.source(), dec.keyCheck());
        }
    }

    @Override
    public void summary(Layer l, StringBuilder out) {
        if (l.headerLength < 28) {
            return;
        }
        int major = majorVersion(l);
        int xchg = l.u8(18);
        int flags = l.u8(19);
        if (l.info instanceof IkeDecodeState.MessageInfo m && m.reassembled() != null) {
            out.append("reassembled ");
        }
        if (l.info instanceof IkeDecodeState.MessageInfo m && m.decryptedWith() != null) {
            out.append("decrypted ");
        }
        out.append(major == 2 ? "IKEv2 " : major == 1 ? "IKEv1 " : "IKE(v" + major + ") ");
        out.append(exchangeName(major, xchg));
        if (major == 1 && l.info instanceof IkeDecodeState.MessageInfo m && m.direction() != null) {
            out.append(' ').append(m.direction());
        }
        if (major == 2) {
            out.append((flags & 0x20) != 0 ? " resp" : " req");
            out.append((flags & 0x08) != 0 ? " I" : " R");
        }
        out.append(" mid=").append(l.u32(20));
        out.append(" spi=");
        Bytes.appendHex(out, Bytes.u64(l.buf, l.offset), 16);
        out.append('/');
        Bytes.appendHex(out, Bytes.u64(l.buf, l.offset + 8), 16);
        IkeDissector.summary(l, out);
    }

    @Override
    public void fields(Layer l, FieldSink out) {
        if (l.headerLength < 28) {
            return;
        }
        out.bytes("spiI", l.buf, l.offset, 8);
        out.bytes("spiR", l.buf, l.offset + 8, 8);
        out.number("nextPayload", l.u8(16));
        out.number("majorVersion", l.u8(17) >>> 4);
        out.number("minorVersion", l.u8(17) & 15);
        out.named("exchangeType", l.u8(18), registeredExchange(majorVersion(l), l.u8(18)));
        int flags = l.u8(19);
        out.hexNumber("flags", flags, 2);
        if (majorVersion(l) == 2) { // RFC 7296 §3.1
            out.bool("initiator", (flags & 0x08) != 0);
            out.bool("higherVersion", (flags & 0x10) != 0);
            out.bool("response", (flags & 0x20) != 0);
        } else if (majorVersion(l) == 1) { // RFC 2408 §3.1
            out.bool("encryption", (flags & 0x01) != 0);
            out.bool("commit", (flags & 0x02) != 0);
            out.bool("authenticationOnly", (flags & 0x04) != 0);
        }
        out.number("messageId", l.u32(20));
        out.number("length", l.u32(24));
        IkeDissector.fields(l, out);
    }
}
