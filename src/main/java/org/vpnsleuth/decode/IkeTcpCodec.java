package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;

/**
 * The framing of IKE and ESP over TCP (RFC 8229 §3, RFC 9329): a 2-byte length that counts
 * itself, then either the non-ESP marker (four zero bytes) and an IKE message, or an ESP packet.
 * The first message of the initiator's stream is preceded by the 6-byte stream prefix "IKETCP";
 * it is part of this layer's header then.
 *
 * <p>{@link TcpStreams} cuts the stream into messages and runs this codec once per message, telling
 * it whether the message carries the prefix. Run on its own (no stream), the codec takes a message
 * that starts with "IKETCP" as prefixed.
 *
 * <p>Layer.aux: 1 when the header includes the IKETCP prefix.
 */
final class IkeTcpCodec implements LayerCodec {
    static final int PREFIX = 1;
    static final int PREFIX_LENGTH = 6;

    @Override
    public Proto decode(Decoder d, Packet p) {
        int framing = d.tcpStreams == null ? -1 : d.tcpStreams.takeIkeFraming();
        Layer l = d.begin(p, Proto.IKE_TCP);
        if (l == null) {
            return Decoder.STOP;
        }
        boolean prefix = framing == 1 || (framing < 0 && startsWithPrefix(d.buf, d.off, d.end));
        int hl = prefix ? PREFIX_LENGTH + 2 : 2;
        if (prefix) {
            l.aux = PREFIX;
        }
        if (d.end - d.off < hl) {
            return d.shortHeader(l, hl, "IKE-TCP");
        }
        int len = Bytes.u16(d.buf, d.off + hl - 2);
        if (len < TcpStreams.IKE_TCP_MIN_LENGTH) {
            l.headerLength = hl;
            l.payloadLength = 0;
            l.end = d.off + hl;
            l.malformed = "IKE-TCP length " + len + " is below " + TcpStreams.IKE_TCP_MIN_LENGTH
                    + " (the length counts its own 2 bytes)";
            return Decoder.STOP;
        }
        if (!d.claim(l, hl, len - 2, "IKE-TCP")) {
            return Decoder.STOP;
        }
        int n = d.end - d.off;
        byte[] b = d.buf;
        int o = d.off;
        if (n >= 4 && b[o] == 0 && b[o + 1] == 0 && b[o + 2] == 0 && b[o + 3] == 0) {
            return Proto.NON_ESP_MARKER;
        }
        if (n == 1 && (b[o] & 0xff) == 0xff) {
            return Proto.NATT_KEEPALIVE;
        }
        // an ESP packet: the ESP codec reports one too short for its 8-byte header
        return n >= 4 ? Proto.ESP : Proto.DATA;
    }

    static boolean startsWithPrefix(byte[] b, int off, int end) {
        if (end - off < PREFIX_LENGTH + 2) {
            return false;
        }
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            if ((b[off + i] & 0xff) != TcpStreams.IKETCP[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void summary(Layer l, StringBuilder out) {
        int hl = (l.aux & PREFIX) != 0 ? PREFIX_LENGTH + 2 : 2;
        if (l.headerLength < hl) {
            return;
        }
        out.append("IKE-TCP len=").append(l.u16(hl - 2));
        if ((l.aux & PREFIX) != 0) {
            out.append(" (IKETCP prefix)");
        }
    }

    @Override
    public void fields(Layer l, FieldSink out) {
        boolean prefix = (l.aux & PREFIX) != 0;
        int hl = prefix ? PREFIX_LENGTH + 2 : 2;
        if (l.headerLength < hl) {
            if (prefix) {
                out.bool("prefix", true);
            }
            return;
        }
        out.number("length", l.u16(hl - 2));
        out.bool("prefix", prefix);
    }
}
