package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;

/**
 * One PPTP control message (RFC 2637 §2) at the cursor. The whole message (its length field says
 * how long) is the layer's header; there is no payload. TcpStreams cuts the TCP byte stream into
 * messages and runs this codec once per message.
 *
 * <p>Layer.aux = control message type.
 */
final class PptpCodec implements LayerCodec {
    static final NameTable MESSAGE_TYPES = NameTable.load("pptp-message-types");
    /** Key: control message type * 256 + result code. */
    static final NameTable RESULT_CODES = NameTable.load("pptp-result-codes");
    static final NameTable ERROR_CODES = NameTable.load("pptp-error-codes");
    static final NameTable BEARER = NameTable.load("pptp-bearer-types");
    static final NameTable FRAMING = NameTable.load("pptp-framing-types");

    static final long MAGIC = 0x1A2B3C4DL;
    static final int HEADER = 12;
    /** Fixed length of each control message type (RFC 2637 §2.1 - §2.15), index = type. */
    static final int[] LENGTHS = {0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24};

    @Override
    public Proto decode(Decoder d, Packet p) {
        Layer l = d.begin(p, Proto.PPTP);
        if (l == null) {
            return Decoder.STOP;
        }
        int avail = d.end - d.off;
        if (avail < HEADER) {
            return d.shortHeader(l, HEADER, "PPTP");
        }
        int len = Bytes.u16(d.buf, d.off);
        int pptpType = Bytes.u16(d.buf, d.off + 2);
        long magic = Bytes.u32(d.buf, d.off + 4);
        int type = Bytes.u16(d.buf, d.off + 8);
        l.aux = type;
        if (len < HEADER) {
            l.headerLength = HEADER;
            l.end = d.off + HEADER;
            l.malformed = "PPTP length " + len + " is below the 12-byte message header";
            return Decoder.STOP;
        }
        if (!d.claim(l, len, 0, "PPTP")) {
            return Decoder.STOP;
        }
        if (magic != MAGIC) {
            l.malformed = "PPTP magic cookie " + Bytes.hex32(magic) + " is not 0x1a2b3c4d";
        } else if (pptpType != 1) {
            l.malformed = "PPTP message type " + pptpType + (pptpType == 2 ? " (management) is not defined" : " is not 1 (control)");
        } else if (type < 1 || type >= LENGTHS.length) {
            l.malformed = "unknown PPTP control message type " + type;
        } else if (len < LENGTHS[type]) {
            l.malformed = "PPTP " + MESSAGE_TYPES.name(type) + " length " + len + ", the message is " + LENGTHS[type] + " bytes";
        }
        return Decoder.STOP;
    }

    @Override
    public void summary(Layer l, StringBuilder out) {
        if (l.headerLength < HEADER) {
            return;
        }
        int type = l.aux;
        out.append("PPTP ").append(MESSAGE_TYPES.nameOrNumber(type));
        switch (type) {
            case PptpPacket.OCRQ, PptpPacket.ICRQ, PptpPacket.CCRQ -> {
                if (has(l, 12, 2)) {
                    out.append(" call=").append(l.u16(12));
                }
            }
            case PptpPacket.OCRP, PptpPacket.ICRP -> {
                if (has(l, 12, 5)) {
                    out.append(" call=").append(l.u16(12)).append(" peer=").append(l.u16(14));
                    out.append(" result=").append(RESULT_CODES.nameOrNumber(type << 8 | l.u8(16)));
                }
            }
            case PptpPacket.ICCN, PptpPacket.WEN, PptpPacket.SLI -> {
                if (has(l, 12, 2)) {
                    out.append(" peer=").append(l.u16(12));
                }
            }
            case PptpPacket.CDN -> {
                if (has(l, 12, 3)) {
                    out.append(" call=").append(l.u16(12)).append(" result=")
                            .append(RESULT_CODES.nameOrNumber(type << 8 | l.u8(14)));
                }
            }
            case PptpPacket.SCCRP -> {
                if (has(l, 12, 3)) {
                    out.append(" result=").append(RESULT_CODES.nameOrNumber(type << 8 | l.u8(14)));
                }
            }
            default -> {
            }
        }
    }

    private static boolean has(Layer l, int rel, int n) {
        return rel + n <= l.headerLength;
    }

    @Override
    public void fields(Layer l, FieldSink out) {
        if (l.headerLength < HEADER) {
            return;
        }
        int type = l.aux;
        out.number("length", l.u16(0));
        int pt = l.u16(2);
        out.named("messageType", pt, pt == 1 ? "Control Message" : pt == 2 ? "Management Message" : null);
        out.hexNumber("magicCookie", l.u32(4), 8);
        out.named("controlMessageType", type, MESSAGE_TYPES.name(type));
        if (l.u32(4) != MAGIC || pt != PptpPacket.CONTROL_MESSAGE) {
            return;
        }
        switch (type) {
            case PptpPacket.SCCRQ, PptpPacket.SCCRP -> {
                if (!has(l, 12, 144)) {
                    return;
                }
                out.text("protocolVersion", l.u8(12) + "." + l.u8(13));
                if (type == PptpPacket.SCCRP) {
                    result(l, out, type, 14);
                }
                capabilities(out, "framingCapabilities", l.u32(16), FRAMING);
                capabilities(out, "bearerCapabilities", l.u32(20), BEARER);
                out.number("maxChannels", l.u16(24));
                out.hexNumber("firmwareRevision", l.u16(26), 4);
                out.text("hostName", PppCodecs.text(l.buf, l.offset + 28, 64));
                out.text("vendor", PppCodecs.text(l.buf, l.offset + 92, 64));
            }
            case PptpPacket.STOP_CCRQ -> {
                if (has(l, 12, 1)) {
                    out.named("reason", l.u8(12), resultName(type, l.u8(12)));
                }
            }
            case PptpPacket.STOP_CCRP -> {
                if (has(l, 12, 2)) {
                    result(l, out, type, 12);
                }
            }
            case PptpPacket.ECHO_REQUEST -> {
                if (has(l, 12, 4)) {
                    out.hexNumber("identifier", l.u32(12), 8);
                }
            }
            case PptpPacket.ECHO_REPLY -> {
                if (has(l, 12, 6)) {
                    out.hexNumber("identifier", l.u32(12), 8);
                    result(l, out, type, 16);
                }
            }
            case PptpPacket.OCRQ -> {
                if (!has(l, 12, 156)) {
                    return;
                }
                out.number("callId", l.u16(12));
                out.number("callSerialNumber", l.u16(14));
                out.number("minBps", l.u32(16));
                out.number("maxBps", l.u32(20));
                capabilities(out, "bearerType", l.u32(24), BEARER);
                capabilities(out, "framingType", l.u32(28), FRAMING);
                out.number("windowSize", l.u16(32));
                out.number("processingDelay", l.u16(34));
                out.number("phoneNumberLength", l.u16(36));
                out.text("phoneNumber", PppCodecs.text(l.buf, l.offset + 40, 64));
                out.text("subaddress", PppCodecs.text(l.buf, l.offset + 104, 64));
            }
            case PptpPacket.OCRP -> {
                if (!has(l, 12, 20)) {
                    return;
                }
                out.number("callId", l.u16(12));
                out.number("peerCallId", l.u16(14));
                result(l, out, type, 16);
                out.number("causeCode", l.u16(18));
                out.number("connectSpeed", l.u32(20));
                out.number("windowSize", l.u16(24));
                out.number("processingDelay", l.u16(26));
                out.number("physicalChannelId", l.u32(28));
            }
            case PptpPacket.ICRQ -> {
                if (!has(l, 12, 208)) {
                    return;
                }
                out.number("callId", l.u16(12));
                out.number("callSerialNumber", l.u16(14));
                capabilities(out, "bearerType", l.u32(16), BEARER);
                out.number("physicalChannelId", l.u32(20));
                out.number("dialedNumberLength", l.u16(24));
                out.number("dialingNumberLength", l.u16(26));
                out.text("dialedNumber", PppCodecs.text(l.buf, l.offset + 28, 64));
                out.text("dialingNumber", PppCodecs.text(l.buf, l.offset + 92, 64));
                out.text("subaddress", PppCodecs.text(l.buf, l.offset + 156, 64));
            }
            case PptpPacket.ICRP -> {
                if (!has(l, 12, 10)) {
                    return;
                }
                out.number("callId", l.u16(12));
                out.number("peerCallId", l.u16(14));
                result(l, out, type, 16);
                out.number("windowSize", l.u16(18));
                out.number("transmitDelay", l.u16(20));
            }
            case PptpPacket.ICCN -> {
                if (!has(l, 12, 16)) {
                    return;
                }
                out.number("peerCallId", l.u16(12));
                out.number("connectSpeed", l.u32(16));
                out.number("windowSize", l.u16(20));
                out.number("transmitDelay", l.u16(22));
                capabilities(out, "framingType", l.u32(24), FRAMING);
            }
            case PptpPacket.CCRQ -> {
                if (has(l, 12, 2)) {
                    out.number("callId", l.u16(12));
                }
            }
            case PptpPacket.CDN -> {
                if (!has(l, 12, 136)) {
                    return;
                }
                out.number("callId", l.u16(12));
                result(l, out, type, 14);
                out.number("causeCode", l.u16(16));
                out.text("callStatistics", PppCodecs.text(l.buf, l.offset + 20, 128));
            }
            case PptpPacket.WEN -> {
                if (!has(l, 12, 28)) {
                    return;
                }
                out.number("peerCallId", l.u16(12));
                out.number("crcErrors", l.u32(16));
                out.number("framingErrors", l.u32(20));
                out.number("hardwareOverruns", l.u32(24));
                out.number("bufferOverruns", l.u32(28));
                out.number("timeoutErrors", l.u32(32));
                out.number("alignmentErrors", l.u32(36));
            }
            case PptpPacket.SLI -> {
                if (!has(l, 12, 12)) {
                    return;
                }
                out.number("peerCallId", l.u16(12));
                out.hexNumber("sendAccm", l.u32(16), 8);
                out.hexNumber("receiveAccm", l.u32(20), 8);
            }
            default -> {
            }
        }
    }

    /** The message of a "pptp" layer, with the length checks of {@link #fields}; null below the 12-byte header. */
    static PptpPacket packet(Layer l) {
        if (l.proto != Proto.PPTP || l.headerLength < HEADER) {
            return null;
        }
        int type = l.aux;
        int pt = l.u16(2);
        String name = MESSAGE_TYPES.name(type);
        int callId = -1;
        int peerCallId = -1;
        int result = -1;
        int error = -1;
        int cause = -1;
        int reason = -1;
        String hostName = null;
        String vendor = null;
        String statistics = null;
        int resultAt = -1;
        if (l.u32(4) == MAGIC && pt == PptpPacket.CONTROL_MESSAGE) {
            switch (type) {
                case PptpPacket.SCCRQ, PptpPacket.SCCRP -> {
                    if (has(l, 12, 144)) {
                        resultAt = type == PptpPacket.SCCRP ? 14 : -1;
                        hostName = PppCodecs.text(l.buf, l.offset + 28, 64);
                        vendor = PppCodecs.text(l.buf, l.offset + 92, 64);
                    }
                }
                case PptpPacket.STOP_CCRQ -> reason = has(l, 12, 1) ? l.u8(12) : -1;
                case PptpPacket.STOP_CCRP -> resultAt = has(l, 12, 2) ? 12 : -1;
                case PptpPacket.ECHO_REPLY -> resultAt = has(l, 12, 6) ? 16 : -1;
                case PptpPacket.OCRQ, PptpPacket.ICRQ -> {
                    if (has(l, 12, type == PptpPacket.OCRQ ? 156 : 208)) {
                        callId = l.u16(12);
                    }
                }
                case PptpPacket.OCRP, PptpPacket.ICRP -> {
                    if (has(l, 12, type == PptpPacket.OCRP ? 20 : 10)) {
                        callId = l.u16(12);
                        peerCallId = l.u16(14);
                        resultAt = 16;
                        cause = type == PptpPacket.OCRP ? l.u16(18) : -1;
                    }
                }
                case PptpPacket.ICCN, PptpPacket.WEN, PptpPacket.SLI -> {
                    if (has(l, 12, type == PptpPacket.ICCN ? 16 : type == PptpPacket.WEN ? 28 : 12)) {
                        peerCallId = l.u16(12);
                    }
                }
                case PptpPacket.CCRQ -> callId = has(l, 12, 2) ? l.u16(12) : -1;
                case PptpPacket.CDN -> {
                    if (has(l, 12, 136)) {
                        callId = l.u16(12);
                        resultAt = 14;
                        cause = l.u16(16);
                        statistics = PppCodecs.text(l.buf, l.offset + 20, 128);
                    }
                }
                default -> {
                }
            }
            if (resultAt >= 0) {
                result = l.u8(resultAt);
                error = l.u8(resultAt + 1);
            }
        }
        return new PptpPacket(pt, type, name, callId, peerCallId, result, result >= 0 ? resultName(type, result) : null,
                error, error >= 0 ? ERROR_CODES.name(error) : null, cause, reason,
                reason >= 0 ? resultName(type, reason) : null, hostName, vendor, statistics);
    }

    /** Result codes (and the StopCCRQ reason) are named per message type: key type * 256 + code. */
    private static String resultName(int type, int code) {
        return RESULT_CODES.name(type << 8 | code);
    }

    private static void result(Layer l, FieldSink out, int type, int rel) {
        int rc = l.u8(rel);
        out.named("resultCode", rc, resultName(type, rc));
        int ec = l.u8(rel + 1);
        out.named("errorCode", ec, ERROR_CODES.name(ec));
    }

    private static void capabilities(FieldSink out, String name, long v, NameTable t) {
        out.named(name, v, v <= 3 ? t.name((int) v) : null);
    }
}
