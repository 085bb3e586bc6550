package org.vpnsleuth.report;

import java.util.List;
import java.util.Locale;
import org.vpnsleuth.overhead.Calculation;
import org.vpnsleuth.overhead.Encapsulation;
import org.vpnsleuth.overhead.Presets;
import org.vpnsleuth.overhead.Stack;

/** `vpnsleuth overhead` output: text, JSON, CSV, Markdown and the SVG chart (docs/overhead.md). */
public final class OverheadReport {
    private OverheadReport() {
    }

    private static String pct(double e) {
        return String.format(Locale.ROOT, "%.1f%%", e * 100);
    }

    private static String ratio(double e) {
        return String.format(Locale.ROOT, "%.4f", e);
    }

    private static String folkloreVerdict(Calculation.FolkloreCheck f) {
        if (f.fits()) {
            return f.margin() == 0 ? "exactly the computed value"
                    : f.margin() + " bytes under the computed value (headroom)";
        }
        return -f.margin() + " bytes too large: a " + f.folklore().ipMtu() + "-byte inner packet makes a "
                + f.outerAtFolklore() + "-byte outer packet";
    }

    /** The text report. */
    public static void text(Calculation c, StringBuilder sb) {
        Stack s = c.stack();
        sb.append("stack       ").append(s.spec()).append('\n');
        if (c.preset() != null) {
            sb.append("preset      ").append(c.preset().name()).append(": ").append(c.preset().description()).append('\n');
        }
        sb.append("layers      (outermost first)\n");
        for (int i = 0; i < s.layers().size(); i++) {
            Encapsulation e = s.layers().get(i);
            String size = e.minAdded() == e.maxAdded() ? String.valueOf(e.minAdded()) : e.minAdded() + ".." + e.maxAdded();
            sb.append(String.format(Locale.ROOT, "  %-34s %7s  %s%n", e.spec(), size,
                    i < s.framingLayers() ? "framing, outside the MTU: " + e.describe() : e.describe()));
        }
        sb.append("path MTU    ").append(c.pathMtu()).append(s.framingLayers() > 0 ? " (the payload of the framing layers)" : "").append('\n');
        if (c.maxInnerPacket() < 0) {
            sb.append("no inner packet fits: the stack adds at least ").append(s.overhead(0)).append(" bytes\n");
            return;
        }
        sb.append("overhead    ").append(c.overheadMin()).append(c.overheadMin() == c.overheadMax() ? "" : ".." + c.overheadMax())
                .append(" bytes (smallest..largest over all payload sizes); ").append(c.overheadAtMax())
                .append(" at the largest packet\n");
        sb.append("ip mtu      ").append(c.maxInnerPacket()).append("   (largest inner IP packet whose outer packet fits ")
                .append(c.pathMtu()).append(")\n");
        sb.append("adjust-mss  ").append(c.mssIpv4()).append(" (IPv4), ").append(c.mssIpv6()).append(" (IPv6)\n");
        sb.append("efficiency  ").append(pct(c.efficiency())).append(" at ").append(c.maxInnerPacket())
                .append(" bytes (inner / outer)\n");
        if (s.framingLayers() > 0) {
            sb.append("frame       ").append(s.frameLength(c.maxInnerPacket())).append(" bytes at the largest packet (")
                    .append(s.framingBytes()).append(" of framing; FCS not counted)\n");
        }
        for (Calculation.FolkloreCheck f : c.folklore()) {
            sb.append("folklore    ip mtu ").append(f.folklore().ipMtu()).append(" / adjust-mss ").append(f.folklore().mss())
                    .append(" (").append(f.folklore().source()).append("): ").append(folkloreVerdict(f)).append('\n');
        }
        sb.append("by inner packet size:\n");
        sb.append(String.format(Locale.ROOT, "  %6s %6s %9s %11s%s%n", "inner", "outer", "overhead", "efficiency",
                s.framingLayers() > 0 ? String.format(Locale.ROOT, " %6s", "frame") : ""));
        for (Calculation.Row r : c.rows()) {
            sb.append(String.format(Locale.ROOT, "  %6d %6d %9d %11s%s%n", r.inner(), r.outer(), r.overhead(), pct(r.efficiency()),
                    s.framingLayers() > 0 ? String.format(Locale.ROOT, " %6d", r.frame()) : ""));
        }
    }

    /** The JSON report (one object, docs/overhead.md). */
    public static void json(Calculation c, StringBuilder sb) {
        JsonWriter j = new JsonWriter(sb);
        Stack s = c.stack();
        j.beginObject(null);
        j.value("stack", s.spec());
        j.value("preset", c.preset() == null ? null : c.preset().name());
        j.value("pathMtu", c.pathMtu());
        j.beginArray("layers");
        for (int i = 0; i < s.layers().size(); i++) {
            Encapsulation e = s.layers().get(i);
            j.beginObject(null).value("name", e.name()).value("spec", e.spec()).value("framing", i < s.framingLayers())
                    .value("minAdded", e.minAdded()).value("maxAdded", e.maxAdded()).value("description", e.describe()).endObject();
        }
        j.endArray();
        j.value("overheadMin", c.overheadMin());
        j.value("overheadMax", c.overheadMax());
        j.value("maxInnerPacket", c.maxInnerPacket());
        j.value("overheadAtMaxInnerPacket", c.overheadAtMax());
        j.value("mssIpv4", c.mssIpv4());
        j.value("mssIpv6", c.mssIpv6());
        j.value("efficiency", Double.parseDouble(ratio(c.efficiency())));
        j.value("framingBytes", s.framingBytes());
        j.beginArray("folklore");
        for (Calculation.FolkloreCheck f : c.folklore()) {
            j.beginObject(null).value("ipMtu", f.folklore().ipMtu()).value("mss", f.folklore().mss())
                    .value("source", f.folklore().source()).value("margin", f.margin()).value("mssMargin", f.mssMargin())
                    .value("fits", f.fits()).endObject();
        }
        j.endArray();
        j.beginArray("table");
        for (Calculation.Row r : c.rows()) {
            j.beginObject(null).value("inner", r.inner()).value("outer", r.outer()).value("overhead", r.overhead())
                    .value("efficiency", Double.parseDouble(ratio(r.efficiency()))).value("frame", r.frame()).endObject();
        }
        j.endArray();
        j.endObject();
        sb.append('\n');
    }

    /** The table by inner packet size as CSV (header line first). */
    public static void csv(Calculation c, StringBuilder sb) {
        sb.append("inner,outer,overhead,efficiency,frame\n");
        for (Calculation.Row r : c.rows()) {
            sb.append(r.inner()).append(',').append(r.outer()).append(',').append(r.overhead()).append(',')
                    .append(ratio(r.efficiency())).append(',').append(r.frame()).append('\n');
        }
    }

    /** The report as Markdown: the figures, then the table by size. */
    public static void markdown(Calculation c, StringBuilder sb) {
        Stack s = c.stack();
        sb.append("| | |\n|---|---|\n");
        sb.append("| stack | `").append(s.spec()).append("` |\n");
        if (c.preset() != null) {
            sb.append("| preset | ").append(c.preset().name()).append(": ").append(c.preset().description()).append(" |\n");
        }
        sb.append("| path MTU | ").append(c.pathMtu()).append(" |\n");
        sb.append("| overhead | ").append(c.overheadMin()).append(c.overheadMin() == c.overheadMax() ? "" : "–" + c.overheadMax())
                .append(" bytes (").append(c.overheadAtMax()).append(" at the largest packet) |\n");
        sb.append("| ip mtu | ").append(c.maxInnerPacket()).append(" |\n");
        sb.append("| adjust-mss | ").append(c.mssIpv4()).append(" (IPv4), ").append(c.mssIpv6()).append(" (IPv6) |\n");
        sb.append("| efficiency | ").append(pct(c.efficiency())).append(" |\n");
        for (Calculation.FolkloreCheck f : c.folklore()) {
            sb.append("| folklore | ").append(f.folklore().ipMtu()).append(" / ").append(f.folklore().mss()).append(" (")
                    .append(f.folklore().source()).append("): ").append(folkloreVerdict(f)).append(" |\n");
        }
        sb.append("\n| layer | bytes | |\n|---|---:|---|\n");
        for (int i = 0; i < s.layers().size(); i++) {
            Encapsulation e = s.layers().get(i);
            sb.append("| `").append(e.spec()).append("` | ").append(e.minAdded() == e.maxAdded() ? e.minAdded() : e.minAdded() + "–" + e.maxAdded())
                    .append(" | ").append(i < s.framingLayers() ? "framing, outside the MTU; " : "").append(e.describe()).append(" |\n");
        }
        sb.append("\n| inner | outer | overhead | efficiency | frame |\n|---:|---:|---:|---:|---:|\n");
        for (Calculation.Row r : c.rows()) {
            sb.append("| ").append(r.inner()).append(" | ").append(r.outer()).append(" | ").append(r.overhead()).append(" | ")
                    .append(pct(r.efficiency())).append(" | ").append(r.frame()).append(" |\n");
        }
    }

    /** The list of presets with their stacks and folklore. */
    public static void presets(StringBuilder sb) {
        for (Presets.Preset p : Presets.all()) {
            sb.append(String.format(Locale.ROOT, "%-17s %s%n", p.name(), p.spec()));
            sb.append(String.format(Locale.ROOT, "%-17s %s%n", "", p.description()));
            for (Presets.Folklore f : p.folklore()) {
                sb.append(String.format(Locale.ROOT, "%-17s folklore: ip mtu %d / adjust-mss %d (%s)%n", "", f.ipMtu(), f.mss(), f.source()));
            }
        }
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * The SVG chart: overhead (bytes, left axis) and efficiency (%, right axis) for every inner
     * packet size from 1 to the largest that fits, one point per byte so the steps of block
     * padding show. Hand-written SVG 1.1.
     */
    public static String svg(Calculation c) {
        Stack s = c.stack();
        int max = Math.max(1, c.maxInnerPacket());
        int w = 900;
        int h = 480;
        int left = 70;
        int right = 70;
        int top = 60;
        int bottom = 60;
        int pw = w - left - right;
        int ph = h - top - bottom;
        int yMax = niceCeiling(Math.max(1, c.overheadMax()) * 1.25);
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<title>").append(xml("overhead of " + s.spec() + " at path MTU " + c.pathMtu())).append("</title>\n");
        sb.append("<rect x=\"0\" y=\"0\" width=\"").append(w).append("\" height=\"").append(h).append("\" fill=\"white\"/>\n");
        sb.append("<text x=\"").append(w / 2).append("\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">")
                .append(xml(s.spec())).append("</text>\n");
        sb.append("<text x=\"").append(w / 2).append("\" y=\"42\" text-anchor=\"middle\">")
                .append(xml("path MTU " + c.pathMtu() + ", ip mtu " + c.maxInnerPacket() + ", adjust-mss " + c.mssIpv4() + " / " + c.mssIpv6()
                        + ", overhead " + c.overheadMin() + (c.overheadMin() == c.overheadMax() ? "" : "–" + c.overheadMax()) + " bytes"))
                .append("</text>\n");
        // axes and grid
        sb.append("<g stroke=\"#ccc\" stroke-width=\"1\">\n");
        for (int i = 0; i <= 5; i++) {
            int y = top + ph - ph * i / 5;
            sb.append("<line x1=\"").append(left).append("\" y1=\"").append(y).append("\" x2=\"").append(left + pw).append("\" y2=\"").append(y).append("\"/>\n");
        }
        sb.append("</g>\n");
        sb.append("<g stroke=\"black\" stroke-width=\"1\" fill=\"none\">\n");
        sb.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(pw).append("\" height=\"").append(ph).append("\"/>\n");
        sb.append("</g>\n");
        sb.append("<g text-anchor=\"end\" fill=\"#b03020\">\n");
        for (int i = 0; i <= 5; i++) {
            int y = top + ph - ph * i / 5;
            sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(y + 4).append("\">").append(yMax * i / 5).append("</text>\n");
        }
        sb.append("</g>\n");
        sb.append("<g text-anchor=\"start\" fill=\"#2050b0\">\n");
        for (int i = 0; i <= 5; i++) {
            int y = top + ph - ph * i / 5;
            sb.append("<text x=\"").append(left + pw + 6).append("\" y=\"").append(y + 4).append("\">").append(20 * i).append("%</text>\n");
        }
        sb.append("</g>\n");
        int xStep = niceCeiling(max / 8.0);
        sb.append("<g text-anchor=\"middle\">\n");
        for (int x = 0; x <= max; x += xStep) {
            double px = left + (double) pw * x / max;
            sb.append("<text x=\"").append(fmt(px)).append("\" y=\"").append(top + ph + 18).append("\">").append(x).append("</text>\n");
        }
        sb.append("<text x=\"").append(left + pw / 2).append("\" y=\"").append(h - 14).append("\">inner IP packet (bytes)</text>\n");
        sb.append("</g>\n");
        sb.append("<text transform=\"translate(18,").append(top + ph / 2).append(") rotate(-90)\" text-anchor=\"middle\" fill=\"#b03020\">overhead (bytes)</text>\n");
        sb.append("<text transform=\"translate(").append(w - 14).append(',').append(top + ph / 2)
                .append(") rotate(90)\" text-anchor=\"middle\" fill=\"#2050b0\">efficiency (inner / outer)</text>\n");
        // curves: one point per byte
        StringBuilder ov = new StringBuilder();
        StringBuilder ef = new StringBuilder();
        for (int n = 1; n <= max; n++) {
            int o = s.overhead(n);
            double e = (double) n / (n + o);
            double px = left + (double) pw * n / max;
            ov.append(fmt(px)).append(',').append(fmt(top + ph - (double) ph * Math.min(o, yMax) / yMax)).append(' ');
            ef.append(fmt(px)).append(',').append(fmt(top + ph - ph * e)).append(' ');
        }
        sb.append("<polyline fill=\"none\" stroke=\"#b03020\" stroke-width=\"1.5\" points=\"").append(ov.toString().trim()).append("\"/>\n");
        sb.append("<polyline fill=\"none\" stroke=\"#2050b0\" stroke-width=\"1.5\" points=\"").append(ef.toString().trim()).append("\"/>\n");
        // legend
        sb.append("<g>\n");
        sb.append("<line x1=\"").append(left + 12).append("\" y1=\"").append(top + 16).append("\" x2=\"").append(left + 36).append("\" y2=\"")
                .append(top + 16).append("\" stroke=\"#b03020\" stroke-width=\"2\"/>\n");
        sb.append("<text x=\"").append(left + 42).append("\" y=\"").append(top + 20).append("\">overhead (left axis)</text>\n");
        sb.append("<line x1=\"").append(left + 12).append("\" y1=\"").append(top + 34).append("\" x2=\"").append(left + 36).append("\" y2=\"")
                .append(top + 34).append("\" stroke=\"#2050b0\" stroke-width=\"2\"/>\n");
        sb.append("<text x=\"").append(left + 42).append("\" y=\"").append(top + 38).append("\">efficiency (right axis)</text>\n");
        sb.append("</g>\n");
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    /** 1, 2 or 5 times a power of ten, at least v. */
    private static int niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(1, v))));
        for (int m : List.of(1, 2, 5, 10)) {
            if (m * p >= v) {
                return (int) Math.max(1, Math.round(m * p));
            }
        }
        return (int) Math.round(10 * p);
    }
}
