package org.vpnsleuth.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.track.FrameRef;

/**
 * A ladder (sequence) diagram in SVG: two lanes (initiator and responder, client and server, or
 * the two PPP ends), one arrow per message in capture order with its name, time and frame, the
 * payloads or details on a second line (cut to fit; whole in the tooltip), retransmissions dashed,
 * and the point where the negotiation stopped marked across both lanes.
 */
final class Ladder {
    static final int WIDTH = 900;
    static final int LEFT = 230;
    static final int RIGHT = 740;
    static final int TOP = 46;
    static final int ROW = 36;
    /** Characters of the second line of an arrow that fit between the lanes (10 px monospace). */
    static final int LINE_CHARS = 84;
    /** Lines the second text may take before it is cut (the tooltip keeps all of it). */
    static final int SUB_LINES = 4;

    /**
     * One arrow.
     *
     * @param cls classes ("msg", "retransmission", "tmsg", plus "err", "stop-msg", a phase)
     * @param id element id (an evidence link's target), or null
     * @param attrs extra attributes as name, value, name, value... (values as they are: escaped when written)
     * @param at the frame
     * @param fromLeft sent by the left lane's side
     * @param label the first line (name and exchange)
     * @param sub the second line (payloads, result), or null
     * @param title the tooltip (every detail), plain text
     */
    record Row(String cls, String id, String[] attrs, FrameRef at, boolean fromLeft, String label, String sub, String title) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final String leftName;
    private final String leftAddr;
    private final String rightName;
    private final String rightAddr;
    private final long t0;
    private final java.util.function.Function<FrameRef, String> ref;
    /** Text of the stopping-point mark (null: none). */
    String stop;
    /** A note drawn between the lanes under their names (NAT translations between captures), or null. */
    String laneNote;

    Ladder(String leftName, String leftAddr, String rightName, String rightAddr, long t0,
            java.util.function.Function<FrameRef, String> ref) {
        this.leftName = leftName;
        this.leftAddr = leftAddr;
        this.rightName = rightName;
        this.rightAddr = rightAddr;
        this.t0 = t0;
        this.ref = ref;
    }

    void add(Row r) {
        rows.add(r);
    }

    int size() {
        return rows.size();
    }

    String time(FrameRef at) {
        return String.format(Locale.ROOT, "+%.3f", (at.nanos() - t0) / 1e9);
    }

    void render(StringBuilder out, String label) {
        int gaps = 0;
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i).at().nanos() - rows.get(i - 1).at().nanos() >= 1_000_000_000L) {
                gaps++;
            }
        }
        int extra = laneNote != null ? 14 : 0;
        int height = TOP + extra + gaps * 14 + (stop != null ? 40 : 14);
        for (Row r : rows) {
            height += rowHeight(r);
        }
        out.append("<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"")
                .append(Html.esc(label)).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\">");
        out.append("<text class=\"lane\" x=\"").append(LEFT).append("\" y=\"14\">").append(Html.esc(leftName)).append("</text>");
        out.append("<text class=\"addr\" x=\"").append(LEFT).append("\" y=\"29\">").append(Html.esc(leftAddr)).append("</text>");
        out.append("<text class=\"lane\" x=\"").append(RIGHT).append("\" y=\"14\">").append(Html.esc(rightName)).append("</text>");
        out.append("<text class=\"addr\" x=\"").append(RIGHT).append("\" y=\"29\">").append(Html.esc(rightAddr)).append("</text>");
        out.append("<text class=\"hdr\" x=\"8\" y=\"29\">frame  time (s)</text>");
        if (laneNote != null) {
            out.append("<text class=\"nat\" x=\"").append((LEFT + RIGHT) / 2).append("\" y=\"43\">").append(Html.esc(laneNote))
                    .append("</text>");
        }
        int y = TOP + extra;
        out.append("<line class=\"lifeline\" x1=\"").append(LEFT).append("\" y1=\"34\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(height - 4).append("\"/>");
        out.append("<line class=\"lifeline\" x1=\"").append(RIGHT).append("\" y1=\"34\" x2=\"").append(RIGHT).append("\" y2=\"")
                .append(height - 4).append("\"/>");
        long prev = Long.MIN_VALUE;
        for (Row r : rows) {
            if (prev != Long.MIN_VALUE && r.at().nanos() - prev >= 1_000_000_000L) {
                out.append("<text class=\"gap\" x=\"").append((LEFT + RIGHT) / 2).append("\" y=\"").append(y + 9).append("\">")
                        .append(String.format(Locale.ROOT, "⋯ %.1f s ⋯", (r.at().nanos() - prev) / 1e9)).append("</text>");
                y += 14;
            }
            prev = r.at().nanos();
            row(out, r, y);
            y += rowHeight(r);
        }
        if (stop != null) {
            y += 8;
            out.append("<g class=\"stopped-at\"><line x1=\"").append(LEFT - 40).append("\" y1=\"").append(y).append("\" x2=\"")
                    .append(RIGHT + 40).append("\" y2=\"").append(y).append("\"/><text x=\"").append((LEFT + RIGHT) / 2)
                    .append("\" y=\"").append(y + 16).append("\">✕ ").append(Html.esc(Html.cut(stop, 110))).append("</text><title>")
                    .append(Html.esc(stop)).append("</title></g>");
        }
        out.append("</svg>");
    }

    /** Lines of the second text, at most {@link #SUB_LINES}, broken at spaces; the last cut with an ellipsis. */
    static List<String> lines(String sub) {
        List<String> out = new ArrayList<>();
        if (sub == null || sub.isEmpty()) {
            return out;
        }
        String rest = sub;
        while (!rest.isEmpty()) {
            if (out.size() == SUB_LINES - 1 || rest.length() <= LINE_CHARS) {
                out.add(Html.cut(rest, LINE_CHARS));
                break;
            }
            int cut = rest.lastIndexOf(' ', LINE_CHARS);
            if (cut <= LINE_CHARS / 2) {
                cut = LINE_CHARS;
            }
            out.add(rest.substring(0, cut));
            rest = rest.substring(cut).stripLeading();
        }
        return out;
    }

    /**
     * The ladder as data for the page's script to draw when its SA is opened (reports above
     * {@link AnalysisHtml#LAZY_LADDERS_ABOVE}): the same lanes, rows, classes and attributes, with
     * the tooltip cut to the frame, time, name and second line, so that a report of many SAs stays
     * small. {@code <} is written as {@code \u003c}, so no text can end the script element.
     */
    void renderData(StringBuilder out, String label) {
        out.append("<script type=\"application/json\" class=\"ladder-data\">{\"label\":");
        json(out, label).append(",\"lanes\":[");
        json(out, leftName).append(',');
        json(out, leftAddr).append(',');
        json(out, rightName).append(',');
        json(out, rightAddr).append("],\"note\":");
        json(out, laneNote).append(",\"stop\":");
        json(out, stop).append(",\"rows\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            out.append(i == 0 ? "[" : ",[");
            json(out, r.cls()).append(',');
            json(out, r.id()).append(",[");
            for (int k = 0; k < r.attrs().length; k++) {
                json(out.append(k == 0 ? "" : ","), r.attrs()[k]);
            }
            out.append("],").append(r.at().frame()).append(',').append(r.at().file()).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", (r.at().nanos() - t0) / 1e9)).append(',')
                    .append(r.fromLeft() ? 1 : 0).append(',');
            json(out, ref.apply(r.at())).append(',');
            json(out, r.label()).append(',');
            json(out, r.sub()).append(']');
        }
        out.append("]}</script>");
    }

    /** {@code s} as a JSON string safe inside a script element (null as null). */
    static StringBuilder json(StringBuilder out, String s) {
        if (s == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        out.append(c < 0x20 && c != '\t' ? "\\ufffd" : c == '\t' ? "\\t" : "\\ufffd");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static int rowHeight(Row r) {
        return ROW + Math.max(0, lines(r.sub()).size() - 1) * 12;
    }

    private void row(StringBuilder out, Row r, int y) {
        int ay = y + 15;
        int x1 = r.fromLeft() ? LEFT : RIGHT;
        int x2 = r.fromLeft() ? RIGHT : LEFT;
        int head = r.fromLeft() ? -9 : 9;
        out.append("<g class=\"").append(r.cls()).append('"');
        if (r.id() != null) {
            out.append(" id=\"").append(Html.esc(r.id())).append('"');
        }
        out.append(" data-frame=\"").append(r.at().frame()).append("\" data-file=\"").append(r.at().file())
                .append("\" data-time=\"").append(String.format(Locale.ROOT, "%.6f", (r.at().nanos() - t0) / 1e9)).append('"')
                ;
        for (int i = 0; i + 1 < r.attrs().length; i += 2) {
            out.append(' ').append(r.attrs()[i]).append("=\"").append(Html.esc(r.attrs()[i + 1])).append('"');
        }
        out.append('>');
        out.append("<title>").append(Html.esc(r.title())).append("</title>");
        out.append("<rect class=\"hit\" x=\"0\" y=\"").append(y).append("\" width=\"").append(WIDTH).append("\" height=\"")
                .append(ROW).append("\"/>");
        out.append("<text class=\"tf\" x=\"8\" y=\"").append(ay + 4).append("\">").append(Html.esc(ref.apply(r.at())))
                .append("</text><text class=\"tt\" x=\"").append(LEFT - 12).append("\" y=\"").append(ay + 4).append("\">")
                .append(time(r.at())).append("</text>");
        out.append("<line x1=\"").append(x1).append("\" y1=\"").append(ay).append("\" x2=\"").append(x2 + head)
                .append("\" y2=\"").append(ay).append("\"/>");
        out.append("<path d=\"M").append(x2).append(' ').append(ay).append(" l").append(head).append(" -5 v10 z\"/>");
        int mid = (LEFT + RIGHT) / 2;
        out.append("<text class=\"lbl\" x=\"").append(mid).append("\" y=\"").append(ay - 4).append("\">")
                .append(Html.esc(Html.cut(r.label(), LINE_CHARS))).append("</text>");
        List<String> lines = lines(r.sub());
        for (int i = 0; i < lines.size(); i++) {
            out.append("<text class=\"pl\" x=\"").append(mid).append("\" y=\"").append(ay + 13 + 12 * i).append("\">")
                    .append(Html.esc(lines.get(i))).append("</text>");
        }
        out.append("</g>");
    }
}
