package org.vpnsleuth.report;

import org.vpnsleuth.pipeline.Analysis;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.overhead.Measured;
import org.vpnsleuth.track.EncapSizes;
import org.vpnsleuth.track.IcmpError;

/**
 * The measured overhead and MTU per encapsulation instance (overhead/Measured): the section of
 * `analyze`, and `vpnsleuth overhead FILE` as text, JSON (the `overhead` items of
 * docs/analyze-json.md), CSV and Markdown. Unknown values are left out (JSON) or empty (CSV), never
 * guessed.
 */
public final class MeasuredReport {
    /** CSV columns, in order (docs/overhead.md). */
    public static final List<String> CSV_COLUMNS = List.of("file", "kind", "id", "src", "dst", "stack", "packets",
            "largest", "largestFrame", "dfSet", "dfClear", "fragmentedPackets", "fragmentFrames", "icmpMtuMessages",
            "innerVisible", "overheadMin", "overheadMax", "exact", "modelMin", "modelMax", "pathMtu", "innerMtu", "ipMtu",
            "mssIpv4", "mssIpv6", "mssSeenMax", "warnings");

    private MeasuredReport() {
    }

    static String opt(int v) {
        return v < 0 ? "?" : Integer.toString(v);
    }

    static String range(int min, int max) {
        if (min < 0) {
            return "unknown";
        }
        return min == max ? Integer.toString(min) : min + "–" + max;
    }

    static String id(EncapSizes s) {
        return switch (s.kind) {
            case "ESP", "AH" -> org.vpnsleuth.base.Bytes.hexPadded(s.id, 8);
            case "IP-in-IP" -> "";
            default -> s.id < 0 ? "" : s.kind.equals("L2TP") && s.id > 0xffffffffL ? org.vpnsleuth.base.Bytes.hexPadded(s.id & 0xffffffffL, 8)
                    : Long.toString(s.id);
        };
    }

    // ------------------------------------------------------------------ text

    /** The text lines of one instance, each starting with {@code indent}. */
    public static void text(Measured m, StringBuilder out, String indent, java.util.function.Function<org.vpnsleuth.track.FrameRef, String> ref) {
        EncapSizes s = m.sizes;
        out.append(indent).append(m.title()).append(": ").append(s.packets).append(" packets");
        if (s.stack != null || s.outerStack != null) {
            out.append(", ").append(s.stack != null ? s.stack : s.outerStack);
        }
        if (nothingMeasured(m)) { // one line: what was seen, and why the overhead is unknown
            out.append(", largest ").append(opt(s.largest));
            if (s.largestAt != null) {
                out.append(" (frame ").append(ref.apply(s.largestAt)).append(')');
            }
            if (s.dfSet + s.dfClear > 0) {
                out.append(", DF set on ").append(s.dfSet).append(" of ").append(s.dfSet + s.dfClear);
            }
            out.append("; ").append(m.notes.isEmpty() ? "overhead unknown" : String.join("; ", m.notes)).append('\n');
            return;
        }
        out.append('\n');
        String in = indent + "  ";
        out.append(in).append("overhead: ").append(range(m.overheadMin, m.overheadMax)).append(m.overheadMin < 0 ? "" : " bytes");
        if (m.exact) {
            out.append(" (measured on ").append(s.innerVisible).append(" packet(s) with the inner packet visible)");
        } else if (m.overheadMin >= 0) {
            out.append(m.espAssumed ? " (assumed from --esp and the ESP length; padding not visible)"
                    : " (from the negotiated transforms and the ESP length; padding not visible)");
        }
        if (m.stack != null) {
            out.append("; model ").append(range(m.modelMin, m.modelMax)).append(" for ").append(m.stack.spec());
        }
        out.append('\n');
        if (m.esp != null) {
            out.append(in).append("ESP: ").append(m.esp.describe()).append(" — ").append(m.espSource);
            if (s.padMin >= 0) {
                out.append("; padding seen ").append(range(s.padMin, s.padMax)).append(" bytes");
            }
            out.append('\n');
        }
        out.append(in).append("outer packets: largest ").append(opt(s.largest));
        if (s.largestAt != null) {
            out.append(" (frame ").append(ref.apply(s.largestAt)).append(')');
        }
        out.append(", smallest ").append(opt(s.smallest));
        if (s.dfSet + s.dfClear > 0) {
            out.append(", DF set on ").append(s.dfSet).append(" of ").append(s.dfSet + s.dfClear);
        }
        if (s.unknownLength > 0) {
            out.append(", ").append(s.unknownLength).append(" of unknown length");
        }
        out.append('\n');
        out.append(in).append("sizes:");
        for (int i = 0; i < s.buckets.length; i++) {
            if (s.buckets[i] > 0) {
                out.append(' ').append(EncapSizes.bucketLabel(i)).append(": ").append(s.buckets[i]);
            }
        }
        out.append('\n');
        if (s.fragmentedPackets > 0) {
            out.append(in).append("IP-fragmented: ").append(s.fragmentedPackets).append(" datagram(s) in ")
                    .append(s.fragmentFrames).append(" fragments, largest piece ").append(opt(m.largestFragment))
                    .append(", first completed in frame ").append(ref.apply(s.firstFragmented)).append('\n');
        }
        for (IcmpError e : m.icmp) {
            out.append(in).append("ICMP frame ").append(ref.apply(e.at())).append(" from ").append(e.from()).append(": ")
                    .append(e.what()).append(", MTU ").append(e.mtu()).append('\n');
        }
        if (s.mssSyns > 0) {
            out.append(in).append("TCP MSS inside: ").append(range(s.mssMin, s.mssMax)).append(" in ").append(s.mssSyns)
                    .append(" SYN(s)").append(s.mssIpv6 ? " (IPv6)" : "").append('\n');
        }
        out.append(in).append("path MTU ").append(m.pathMtu).append(": ").append(m.pathMtuSource);
        if (m.pathMtuAt != null) {
            out.append(" (frame ").append(ref.apply(m.pathMtuAt)).append(')');
        }
        out.append('\n');
        if (m.innerMtu >= 0) {
            out.append(in).append("effective inner MTU ").append(m.innerMtu).append(" (path MTU − ").append(m.overheadMax)
                    .append(')');
            if (m.ipMtu >= 0) {
                out.append("; ip mtu ").append(m.ipMtu).append(", adjust-mss ").append(m.mssIpv4).append(" (IPv6 ")
                        .append(m.mssIpv6).append(") from the ").append(m.figuresFrom);
            }
            out.append('\n');
        }
        for (String w : m.warnings) {
            out.append(in).append("warning: ").append(w).append('\n');
        }
        for (String n : m.notes) {
            out.append(in).append("note: ").append(n).append('\n');
        }
    }

    /**
     * Nothing about overhead or MTU was learnt for {@code m}: overhead unknown, no model, no ICMP,
     * fragments, MSS or measured path MTU, no warning; its text is one line.
     */
    static boolean nothingMeasured(Measured m) {
        EncapSizes s = m.sizes;
        return m.overheadMin < 0 && m.stack == null && m.esp == null && s.fragmentedPackets == 0 && m.icmp.isEmpty()
                && s.mssSyns == 0 && m.innerMtu < 0 && m.warnings.isEmpty() && m.pathMtuAt == null
                && "assumed".equals(m.pathMtuFrom) && s.unknownLength == 0;
    }

    /**
     * `analyze`'s section: every instance, or nothing when the capture has no encapsulated traffic;
     * {@code afterEach} runs after each instance (the caller writes out or spills what is held).
     */
    static void section(List<Measured> all, StringBuilder out, java.util.function.Function<org.vpnsleuth.track.FrameRef, String> ref,
            Runnable afterEach) {
        if (all.isEmpty()) {
            return;
        }
        out.append("\nOverhead and MTU (per tunnel and direction):\n");
        for (Measured m : all) {
            text(m, out, "  ", ref);
            afterEach.run();
        }
    }

    // ------------------------------------------------------------------ JSON

    /** The histogram's labels, made once (EncapSizes.bucketLabel). */
    private static final String[] BUCKET_LABELS = new String[EncapSizes.BUCKET_UPPER.length];

    static {
        for (int i = 0; i < BUCKET_LABELS.length; i++) {
            BUCKET_LABELS[i] = EncapSizes.bucketLabel(i);
        }
    }

    private static void num(JsonWriter j, String name, long v) {
        if (v >= 0) {
            j.value(name, v);
        }
    }

    /** One instance as the `overhead` object of docs/analyze-json.md. */
    public static void json(JsonWriter j, String name, Measured m) {
        EncapSizes s = m.sizes;
        j.beginObject(name);
        j.value("kind", s.kind).value("name", s.name()).value("file", s.file).value("src", s.src).value("dst", s.dst);
        String id = id(s);
        if (!id.isEmpty()) {
            j.value("id", id);
        }
        if (s.stack != null) {
            j.value("stack", s.stack);
        }
        if (s.outerStack != null) {
            j.value("outerStack", s.outerStack);
        }
        if (m.stack != null) {
            j.value("modelStack", m.stack.spec());
        }
        j.value("packets", s.packets).value("unknownLength", s.unknownLength);
        num(j, "largest", s.largest);
        if (s.largestAt != null) {
            j.value("largestFrame", s.largestAt.frame());
        }
        num(j, "smallest", s.smallest);
        j.beginArray("histogram");
        for (int i = 0; i < s.buckets.length; i++) {
            if (s.buckets[i] > 0) {
                j.beginObject(null).shared("range", i < BUCKET_LABELS.length ? BUCKET_LABELS[i] : EncapSizes.bucketLabel(i));
                if (i > 0) {
                    j.value("from", EncapSizes.BUCKET_UPPER[i - 1] + 1);
                }
                if (EncapSizes.BUCKET_UPPER[i] != Integer.MAX_VALUE) {
                    j.value("to", EncapSizes.BUCKET_UPPER[i]);
                }
                j.value("packets", s.buckets[i]).endObject();
            }
        }
        j.endArray();
        j.value("dfSet", s.dfSet).value("dfClear", s.dfClear);
        j.value("fragmentedPackets", s.fragmentedPackets).value("fragmentFrames", s.fragmentFrames);
        if (s.firstFragmented != null) {
            j.value("firstFragmentedFrame", s.firstFragmented.frame());
        }
        num(j, "largestFragmented", s.largestFragmented);
        num(j, "largestFragment", m.largestFragment);
        j.value("innerVisible", s.innerVisible);
        num(j, "overheadMin", m.overheadMin);
        num(j, "overheadMax", m.overheadMax);
        j.value("exact", m.exact);
        j.beginArray("overheads");
        for (Map.Entry<Integer, Long> e : s.overheads().entrySet()) {
            j.beginObject(null).value("bytes", e.getKey()).value("packets", e.getValue()).endObject();
        }
        j.endArray();
        num(j, "innerLargest", s.innerLargest);
        if (m.esp != null) {
            j.beginObject("esp").value("transforms", m.esp.spec()).value("ivLength", m.esp.ivLength())
                    .value("icvLength", m.esp.icvLength()).value("alignment", m.esp.alignment()).value("source", m.espSource)
                    .value("assumed", m.espAssumed)
                    .value("decrypted", s.decrypted);
            num(j, "padMin", s.padMin);
            num(j, "padMax", s.padMax);
            j.endObject();
        }
        num(j, "modelMin", m.modelMin);
        num(j, "modelMax", m.modelMax);
        j.value("pathMtu", m.pathMtu).value("pathMtuFrom", m.pathMtuFrom).value("pathMtuSource", m.pathMtuSource);
        if (m.pathMtuAt != null) {
            j.value("pathMtuFrame", m.pathMtuAt.frame());
        }
        num(j, "innerMtu", m.innerMtu);
        num(j, "ipMtu", m.ipMtu);
        num(j, "mssIpv4", m.mssIpv4);
        num(j, "mssIpv6", m.mssIpv6);
        if (m.figuresFrom != null) {
            j.value("figuresFrom", m.figuresFrom);
        }
        j.beginArray("icmp");
        for (IcmpError e : m.icmp) {
            j.beginObject(null).value("file", e.at().file()).value("frame", e.at().frame()).value("from", e.from())
                    .value("what", e.what()).value("mtu", e.mtu()).endObject();
        }
        j.endArray();
        j.beginObject("tcpMss").value("syns", s.mssSyns);
        num(j, "min", s.mssMin);
        num(j, "max", s.mssMax);
        if (s.mssMaxAt != null) {
            j.value("maxFrame", s.mssMaxAt.frame()).value("ipv6", s.mssIpv6);
        }
        j.endObject();
        j.beginArray("warnings");
        for (String w : m.warnings) {
            j.value(null, w);
        }
        j.endArray();
        j.beginArray("notes");
        for (String n : m.notes) {
            j.value(null, n);
        }
        j.endArray();
        j.endObject();
    }

    /** `overhead FILE --format json`: {"version", "files", "overhead": [...]}, written to {@code flushTo} every 64 KiB (null: never). */
    public static void json(Analysis a, StringBuilder sb, java.io.Writer flushTo) {
        JsonWriter j = new JsonWriter(sb, flushTo);
        j.beginObject(null).value("version", AnalysisJson.VERSION);
        j.beginArray("files");
        for (Analysis.Input in : a.inputs) {
            j.value(null, in.name());
        }
        j.endArray();
        array(j, a.overhead);
        j.beginArray("warnings"); // what a limit left out (--max-flows, ...), known at the end
        for (String w : a.warnings) {
            j.value(null, w);
        }
        j.endArray();
        j.endObject();
    }

    static void array(JsonWriter j, List<Measured> all) {
        j.beginArray("overhead");
        for (Measured m : all) {
            json(j, null, m);
            j.flush();
        }
        j.endArray();
    }

    // ------------------------------------------------------------------ CSV, Markdown

    private static List<String> row(Analysis a, Measured m) {
        EncapSizes s = m.sizes;
        return List.of(a.inputs.get(s.file).name(), s.kind, id(s), s.src, s.dst, s.stack != null ? s.stack : s.outerStack == null ? "" : s.outerStack,
                Long.toString(s.packets), e(s.largest), s.largestAt == null ? "" : Long.toString(s.largestAt.frame()),
                Long.toString(s.dfSet), Long.toString(s.dfClear), Long.toString(s.fragmentedPackets),
                Long.toString(s.fragmentFrames), Integer.toString(m.icmp.size()), Long.toString(s.innerVisible),
                e(m.overheadMin), e(m.overheadMax), Boolean.toString(m.exact), e(m.modelMin), e(m.modelMax),
                Integer.toString(m.pathMtu), e(m.innerMtu), e(m.ipMtu), e(m.mssIpv4), e(m.mssIpv6), e(s.mssMax),
                String.join(" | ", m.warnings));
    }

    private static String e(int v) {
        return v < 0 ? "" : Integer.toString(v);
    }

    private static String csvCell(String v) {
        return v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    /** `overhead FILE --format csv`, written to {@code flushTo} every 64 KiB (null: never). */
    public static void csv(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        out.append(String.join(",", CSV_COLUMNS)).append('\n');
        for (Measured m : a.overhead) {
            List<String> r = row(a, m);
            for (int i = 0; i < r.size(); i++) {
                out.append(i == 0 ? "" : ",").append(csvCell(r.get(i)));
            }
            out.append('\n');
            Flush.flush(out, flushTo);
        }
    }

    /** `overhead FILE --format markdown`, written to {@code flushTo} every 64 KiB (null: never). */
    public static void markdown(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        out.append("# Overhead and MTU\n\n");
        for (Analysis.Input in : a.inputs) {
            out.append("- `").append(in.name()).append("`: ").append(in.frames()).append(" frames\n");
        }
        for (String w : a.warnings) {
            out.append("- **warning**: ").append(w).append('\n');
        }
        out.append('\n');
        if (a.overhead.isEmpty()) {
            out.append("No encapsulated traffic (ESP, AH, GRE, PPTP, L2TP, IP-in-IP) in the capture.\n");
            return;
        }
        out.append("| tunnel | packets | largest outer | fragmented | ICMP MTU | overhead | model | path MTU | inner MTU | ip mtu | adjust-mss |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Measured m : a.overhead) {
            EncapSizes s = m.sizes;
            out.append("| ").append(m.title()).append(" | ").append(s.packets).append(" | ").append(opt(s.largest))
                    .append(" | ").append(s.fragmentedPackets).append(" | ")
                    .append(m.icmp.isEmpty() ? "" : Integer.toString(m.icmp.get(0).mtu())).append(" | ")
                    .append(range(m.overheadMin, m.overheadMax)).append(m.exact ? " (exact)" : "").append(" | ")
                    .append(m.modelMin < 0 ? "" : range(m.modelMin, m.modelMax)).append(" | ").append(m.pathMtu).append(" | ")
                    .append(m.innerMtu < 0 ? "" : Integer.toString(m.innerMtu)).append(" | ")
                    .append(m.ipMtu < 0 ? "" : Integer.toString(m.ipMtu)).append(" | ")
                    .append(m.mssIpv4 < 0 ? "" : Integer.toString(m.mssIpv4)).append(" |\n");
            Flush.flush(out, flushTo);
        }
        boolean any = false;
        for (Measured m : a.overhead) {
            for (String w : m.warnings) {
                if (!any) {
                    out.append("\n## Warnings\n\n");
                    any = true;
                }
                out.append("- **").append(m.title()).append("**: ").append(w).append('\n');
            }
            Flush.flush(out, flushTo);
        }
    }

    /** `overhead FILE` as text, written to {@code flushTo} every 64 KiB (null: never). */
    public static void text(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        for (Analysis.Input in : a.inputs) {
            out.append(in.name()).append(": ").append(in.frames()).append(" frames (").append(in.format()).append(")\n");
            for (String w : in.warnings()) {
                out.append(w.startsWith("decryption: ") ? "  " : "  warning: ").append(w).append('\n');
            }
        }
        for (String w : a.warnings) { // what a limit left out (--max-flows, ...)
            out.append("warning: ").append(w).append('\n');
        }
        if (a.overhead.isEmpty()) {
            out.append("No encapsulated traffic (ESP, AH, GRE, PPTP, L2TP, IP-in-IP) in the capture.\n");
            return;
        }
        boolean multi = a.inputs.size() > 1;
        for (Measured m : a.overhead) {
            out.append('\n');
            text(m, out, "", r -> multi ? a.inputs.get(r.file()).name() + "#" + r.frame() : Long.toString(r.frame()));
            Flush.flush(out, flushTo);
        }
    }
}
