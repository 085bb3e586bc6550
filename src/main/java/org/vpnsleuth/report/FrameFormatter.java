package org.vpnsleuth.report;

import java.time.Instant;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Codecs;
import org.vpnsleuth.decode.Dispatch;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.LayerCodec;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/** The three views of a decoded frame: one line (like tcpdump -n), a field tree, a JSON object. */
public final class FrameFormatter {
    private FrameFormatter() {
    }

    /** "HH:mm:ss.uuuuuu" of the UTC day. */
    public static void timeOfDay(long nanos, StringBuilder sb) {
        long secs = Math.floorDiv(nanos, 1_000_000_000L);
        long micros = Math.floorMod(nanos, 1_000_000_000L) / 1000;
        long day = Math.floorMod(secs, 86400L);
        two(sb, day / 3600);
        sb.append(':');
        two(sb, (day / 60) % 60);
        sb.append(':');
        two(sb, day % 60);
        sb.append('.');
        String m = Long.toString(micros);
        sb.append("000000", 0, 6 - m.length()).append(m);
    }

    private static void two(StringBuilder sb, long v) {
        if (v < 10) {
            sb.append('0');
        }
        sb.append(v);
    }

    /** ISO-8601 UTC with nanoseconds. */
    public static String isoTime(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    /** Index of the outermost IP layer, or -1. */
    private static int outerIp(Packet p) {
        for (int i = 0; i < p.count(); i++) {
            Proto pr = p.layer(i).proto;
            if (pr == Proto.IPV4 || pr == Proto.IPV6) {
                return i;
            }
        }
        return -1;
    }

    private static String address(Layer ip, boolean src) {
        if (ip.proto == Proto.IPV4 && ip.headerLength >= 20) {
            return Bytes.ipv4(ip.buf, ip.offset + (src ? 12 : 16));
        }
        if (ip.proto == Proto.IPV6 && ip.headerLength >= 40) {
            return Bytes.ipv6(ip.buf, ip.offset + (src ? 8 : 24));
        }
        return "?";
    }

    /** The one-line view: number, time, outer addresses and ports, layer stack, layer summaries. */
    public static void line(Packet p, StringBuilder sb) {
        Frame f = p.frame;
        sb.append(f.number).append(' ');
        timeOfDay(f.timestampNanos, sb);
        sb.append(' ');
        int ip = outerIp(p);
        int skipTo = 0;
        if (ip >= 0) {
            Layer l = p.layer(ip);
            String src = address(l, true);
            String dst = address(l, false);
            Layer t = ip + 1 < p.count() ? p.layer(ip + 1) : null;
            if (t != null && (t.proto == Proto.UDP || t.proto == Proto.TCP) && t.headerLength >= 8) {
                sb.append(src).append('.').append(t.u16(0)).append(" > ").append(dst).append('.').append(t.u16(2));
                skipTo = ip + 2;
            } else {
                sb.append(src).append(" > ").append(dst);
                skipTo = ip + 1;
            }
        } else if (p.count() > 0) {
            LayerCodec c = Codecs.of(p.layer(0).proto);
            if (c != null) {
                c.summary(p.layer(0), sb);
            }
            skipTo = 1;
        }
        if (sb.charAt(sb.length() - 1) != ' ') {
            sb.append(' ');
        }
        sb.append(p.stack());
        if (ip >= 0 && ip + 1 < p.count()) {
            // the transport layer's own words (flags, lengths) when it is the end of the story
            Layer t = p.layer(ip + 1);
            if (t.proto == Proto.TCP && skipTo == p.count()) {
                sb.append(' ');
                Codecs.of(Proto.TCP).summary(t, sb);
            }
        }
        boolean any = false;
        for (int i = skipTo; i < p.count(); i++) {
            Layer l = p.layer(i);
            LayerCodec c = Codecs.of(l.proto);
            if (c != null) {
                int before = sb.length();
                sb.append(any ? " | " : " ");
                int mark = sb.length();
                c.summary(l, sb);
                if (sb.length() == mark) {
                    sb.setLength(before);
                } else {
                    any = true;
                }
            }
        }
        flags(p, sb);
        if (ip >= 0 && p.layer(ip).headerLength == 0) {
            sb.append(" [no IP header]");
        }
    }

    private static void flags(Packet p, StringBuilder sb) {
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            if (l.malformed != null) {
                sb.append(" [malformed ").append(l.proto.shortName).append(": ").append(l.malformed).append(']');
            }
        }
        Frame f = p.frame;
        if (f.isSnaplenCut()) {
            sb.append(" [cut by snaplen: ").append(f.capturedLength).append(" of ").append(f.originalLength).append(" bytes]");
        }
        for (String n : p.notes()) {
            sb.append(" [").append(n).append(']');
        }
    }

    /** The tree view: the line, then every layer's fields. */
    public static void tree(Packet p, StringBuilder sb) {
        line(p, sb);
        sb.append('\n');
        Frame f = p.frame;
        sb.append("  frame: ").append(f.capturedLength).append(" of ").append(f.originalLength).append(" bytes, ")
                .append(isoTime(f.timestampNanos)).append(", link type ").append(f.linkType).append(" (")
                .append(Dispatch.LINK_NAMES.nameOrNumber(f.linkType)).append(')');
        if (f.interfaceId != 0) {
            sb.append(", interface ").append(f.interfaceId);
        }
        sb.append('\n');
        if (f.comment != null) {
            sb.append("  comment: ").append(f.comment).append('\n');
        }
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            sb.append("  ").append(l.proto.displayName).append(" [").append(l.proto.shortName).append("] header ")
                    .append(l.headerLength).append(", payload ").append(l.payloadLength);
            if (l.trailerLength > 0) {
                sb.append(", trailer ").append(l.trailerLength);
            }
            if (l.quoted) {
                sb.append(", quoted in ICMP error");
            }
            if (l.truncated) {
                sb.append(", truncated");
            }
            sb.append('\n');
            if (l.malformed != null) {
                sb.append("    malformed: ").append(l.malformed).append('\n');
            }
            LayerCodec c = Codecs.of(l.proto);
            if (c != null) {
                c.fields(l, new TreeFields(sb, 2));
            }
        }
        for (String n : p.notes()) {
            sb.append("  note: ").append(n).append('\n');
        }
    }

    /** The JSON object of a frame (one line of `dissect --format json`). */
    public static void json(Packet p, JsonWriter w) {
        Frame f = p.frame;
        w.beginObject(null);
        w.value("frame", f.number);
        w.value("source", f.source);
        w.value("time", isoTime(f.timestampNanos));
        w.value("capturedLength", f.capturedLength);
        w.value("length", f.originalLength);
        w.value("linkType", f.linkType);
        if (f.interfaceId != 0) {
            w.value("interface", f.interfaceId);
        }
        if (f.comment != null) {
            w.value("comment", f.comment);
        }
        w.value("stack", p.stack());
        w.beginArray("layers");
        JsonFields jf = new JsonFields(w);
        for (int i = 0; i < p.count(); i++) {
            Layer l = p.layer(i);
            w.beginObject(null);
            w.value("layer", l.proto.shortName);
            w.value("offset", l.buf == f.data ? l.offset - f.offset : l.offset);
            if (l.buf != f.data) {
                w.value("reassembled", true);
            }
            w.value("headerLength", l.headerLength);
            w.value("payloadLength", l.payloadLength);
            if (l.trailerLength > 0) {
                w.value("trailerLength", l.trailerLength);
            }
            if (l.truncated) {
                w.value("truncated", true);
            }
            if (l.quoted) {
                w.value("quoted", true);
            }
            if (l.malformed != null) {
                w.value("malformed", l.malformed);
            }
            LayerCodec c = Codecs.of(l.proto);
            if (c != null) {
                c.fields(l, jf);
            }
            w.endObject();
        }
        w.endArray();
        if (!p.notes().isEmpty()) {
            w.beginArray("notes");
            for (String n : p.notes()) {
                w.value(null, n);
            }
            w.endArray();
        }
        w.endObject();
    }
}
