package org.vpnsleuth.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.vpnsleuth.diagnose.Cause;
import org.vpnsleuth.diagnose.ChildSa;
import org.vpnsleuth.diagnose.Evidence;
import org.vpnsleuth.diagnose.Finding;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.TunnelDiagnosis;
import org.vpnsleuth.diagnose.Verdict;
import org.vpnsleuth.overhead.Measured;
import org.vpnsleuth.pipeline.Analysis;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;
import org.vpnsleuth.track.L2tpMessage;
import org.vpnsleuth.track.L2tpSession;
import org.vpnsleuth.track.L2tpTunnel;
import org.vpnsleuth.track.PppPacket;
import org.vpnsleuth.track.PppSession;
import org.vpnsleuth.track.PptpCall;
import org.vpnsleuth.track.PptpControl;
import org.vpnsleuth.track.PptpMessage;

/**
 * `analyze --format html`: one self-contained page (inline CSS, JS and SVG; a Content Security
 * Policy forbids every external load) rendered from the same {@link Analysis} the JSON and text
 * reports render. A summary table first (sortable, filterable, one row per IKE SA, tunnel, session,
 * call and PPP session, each linking to its details), then per IKE SA the verdict, why and fix, a
 * ladder diagram in SVG, proposals offered and chosen, findings with their evidence frames, child
 * SAs with their ESP flows on a timeline; the same for L2TP, PPTP and PPP; the overhead section
 * with a chart. Every string from the capture is escaped ({@link Html#esc}); no key material is
 * written. The DOM contract (docs/html-report.md): {@code .ike-sa[data-verdict]}, {@code svg.ladder},
 * {@code .msg[data-frame]} (one per entry of the JSON's {@code exchanges[].messages[]}),
 * {@code .retransmission}, {@code .stopped-at}, {@code .tunnel}.
 */
public final class AnalysisHtml {
    /** With at most this many IKE SAs and tunnels, every details element starts open (and prints so). */
    public static final int OPEN_UP_TO = 12;
    /**
     * With more IKE SAs and tunnels than this, the page is a large one: each IKE SA's body (findings,
     * facts, proposals, ladder, child SAs) is in the page only as gzip-compressed data, in blocks of
     * {@link #BODIES_PER_BLOCK}, turned into elements when the SA is opened; ladders are compact data
     * the page's script draws; the summary table is data shown {@link #SUMMARY_PAGE_ROWS} rows at a time.
     */
    public static final int LAZY_LADDERS_ABOVE = 200;
    /** IKE SA bodies per compressed block of a large page (one block is decompressed to open one of its SAs). */
    public static final int BODIES_PER_BLOCK = 50;
    /** Rows of the summary table in the DOM at a time on a large page (the rest is data: filtered, sorted, paged). */
    public static final int SUMMARY_PAGE_ROWS = 100;
    /** Retransmissions drawn per message; more are counted in the last one drawn and in the message's tooltip. */
    public static final int RETRANSMISSIONS_DRAWN = 16;

    private final Analysis a;
    /** Where the page is rendered (while an SA's body is rendered for a lazy page, a buffer of its own). */
    private StringBuilder out;
    private final java.io.Writer flushTo;
    private final boolean multi;
    private final long t0;
    private final long t1;
    private final boolean open;
    private final boolean lazy;
    private final int lazyAbove;
    /** Large page: the bodies of the current block of IKE SAs, as JSON strings, waiting to be compressed and written. */
    private final List<String> bodies = new ArrayList<>();
    private int blockFirst = 1;

    private AnalysisHtml(Analysis a, StringBuilder out, java.io.Writer flushTo, int lazyAbove) {
        this.a = a;
        this.out = out;
        this.flushTo = flushTo;
        this.multi = a.inputs.size() > 1;
        this.t0 = a.tracker.firstNanos();
        this.t1 = a.tracker.lastNanos();
        int items = a.ikeSas.size() + a.l2tp.size() + a.pptp.size() + a.pppSessions.size();
        this.lazy = items > lazyAbove;
        this.lazyAbove = lazyAbove;
        // a page whose ladders are drawn on opening starts closed (always so above OPEN_UP_TO; also when a test lowers the threshold)
        this.open = items <= OPEN_UP_TO && !lazy;
    }

    /** Renders the page into {@code out}, writing it to {@code flushTo} as it grows when not null (as the JSON and text reports do). */
    public static void render(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        new AnalysisHtml(a, out, flushTo, LAZY_LADDERS_ABOVE).all();
    }

    /** As {@link #render(Analysis, StringBuilder, java.io.Writer)}, drawing ladders on opening above {@code lazyAbove} SAs and tunnels (tests). */
    public static void render(Analysis a, StringBuilder out, java.io.Writer flushTo, int lazyAbove) {
        new AnalysisHtml(a, out, flushTo, lazyAbove).all();
    }

    private String ref(FrameRef r) {
        return multi ? a.inputs.get(r.file()).name() + "#" + r.frame() : Long.toString(r.frame());
    }

    private String secs(long nanos) {
        return String.format(Locale.ROOT, "%.6f", (nanos - t0) / 1e9);
    }

    private String rel(long nanos) {
        return String.format(Locale.ROOT, "+%.3f", (nanos - t0) / 1e9);
    }

    private static String lower(Enum<?> e) {
        return e == null ? "" : e.name().toLowerCase(Locale.ROOT);
    }

    private static String verdict(Verdict v) {
        return v == null ? "INCOMPLETE" : v.name();
    }

    private AnalysisHtml esc(String s) {
        out.append(Html.esc(s));
        return this;
    }

    private AnalysisHtml raw(String s) {
        out.append(s);
        return this;
    }

    // ------------------------------------------------------------------ page

    private void all() {
        raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                + "script-src 'unsafe-inline'; img-src data:\">\n");
        raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        raw("<meta name=\"generator\" content=\"vpnsleuth analyze --format html\">\n<title>vpnsleuth: ");
        List<String> names = new ArrayList<>();
        for (Analysis.Input in : a.inputs) {
            names.add(in.name());
        }
        esc(String.join(", ", names)).raw("</title>\n<style>").raw(HtmlAssets.CSS).raw("</style>\n</head>\n")
                .raw(lazy ? "<body class=\"large\" data-page-rows=\"" + SUMMARY_PAGE_ROWS + "\">\n" : "<body>\n");
        header();
        summary();
        raw("<main>\n");
        if (!a.ikeSas.isEmpty()) {
            raw("<section id=\"ike\"").raw(lazy ? " data-block=\"" + BODIES_PER_BLOCK + "\"" : "").raw("><h2>IKE SAs (")
                    .raw(Integer.toString(a.ikeSas.size())).raw(")</h2>\n");
            int n = 0;
            for (SaDiagnosis d : a.ikeSas) {
                if (lazy && bodies.isEmpty()) {
                    // a block's SAs in one group the browser need not style or lay out while it is off screen
                    raw("<div class=\"sa-group\">\n");
                }
                sa(++n, d);
                if (lazy && bodies.size() == BODIES_PER_BLOCK) {
                    block();
                }
                Flush.flush(out, flushTo);
            }
            if (lazy && !bodies.isEmpty()) {
                block();
            }
            raw("</section>\n");
        }
        if (!a.unlinkedFlows.isEmpty()) {
            raw("<section id=\"unlinked\"><h2>ESP/AH flows without an IKE SA in the capture</h2>\n");
            flows(a.unlinkedFlows);
            raw("</section>\n");
        }
        tunnels();
        overhead();
        raw("</main>\n<footer>vpnsleuth analyze --format html · times are seconds from the first frame (")
                .raw(utc(t0)).raw(" UTC)").raw(lazy ? " · an SA's details and ladder are put on the page when it is opened (more than "
                        + lazyAbove + " SAs and tunnels; tooltips hold name, frame, time and payloads; printing prints the open ones)" : "")
                .raw(" · DOM contract and limits: docs/html-report.md</footer>\n");
        raw("<script>").raw(HtmlAssets.JS).raw("</script>\n</body></html>\n");
    }

    private static String utc(long nanos) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
                .format(java.time.Instant.ofEpochSecond(0, nanos).atZone(java.time.ZoneOffset.UTC));
    }

    private void header() {
        raw("<header><h1>vpnsleuth report</h1>\n<table class=\"files\"><tr><th>file</th><th>format</th><th>frames</th><th>notes</th></tr>\n");
        for (Analysis.Input in : a.inputs) {
            raw("<tr><td>").esc(in.name()).raw("</td><td>").esc(in.format()).raw("</td><td class=\"n\">")
                    .raw(Long.toString(in.frames())).raw("</td><td>");
            for (String w : in.warnings()) {
                raw("<div class=\"").raw(w.startsWith("decryption: ") ? "note" : "warn").raw("\">").esc(w).raw("</div>");
            }
            raw("</td></tr>\n");
        }
        raw("</table>\n");
        if (a.tracker.frames() > 0) {
            raw("<p class=\"span\">").raw(String.format(Locale.ROOT, "capture span %.3f s from %s UTC, %d IKE SA(s), %d ESP/AH flow(s), "
                    + "%d L2TP tunnel(s), %d PPTP connection(s), %d other PPP session(s), %d GRE flow(s)", (t1 - t0) / 1e9, utc(t0),
                    a.ikeSas.size(), a.tracker.flowCount(), a.l2tp.size(), a.pptp.size(), a.pppSessions.size(),
                    a.greTunnels.size())).raw("</p>\n");
        }
        for (String w : a.warnings) {
            raw("<p class=\"warn\">warning: ").esc(w).raw("</p>\n");
        }
        raw("</header>\n");
    }

    // ------------------------------------------------------------------ summary

    private void summary() {
        raw("<section id=\"summary\"><h2>Summary</h2>\n");
        if (a.ikeSas.isEmpty() && a.l2tp.isEmpty() && a.pptp.isEmpty() && a.pppSessions.isEmpty()) {
            raw("<p>No IKE negotiation, L2TP, PPTP or PPP in the capture").raw(a.greTunnels.isEmpty() ? "" : "; its GRE flows follow")
                    .raw(".</p></section>\n");
            return;
        }
        raw("<div class=\"controls\"><label>filter <input type=\"search\" id=\"filter\" placeholder=\"address, cause, SPI…\"></label> "
                + "<label>verdict <select id=\"verdict-filter\"><option value=\"\">any</option><option>FAILED</option>"
                + "<option>INCOMPLETE</option><option>ESTABLISHED</option></select></label> <span id=\"shown\"></span>"
                + " <button type=\"button\" id=\"expand\">open all</button> <button type=\"button\" id=\"collapse\">close all</button></div>\n");
        raw("<table id=\"summary-table\" class=\"summary\"><thead><tr><th data-type=\"num\">#</th><th>kind</th><th>peers</th>"
                + "<th>verdict</th><th>stopped at</th><th>cause</th><th>confidence</th><th data-type=\"num\">start (s)</th>"
                + "<th data-type=\"num\">messages</th></tr></thead><tbody>\n");
        if (lazy) {
            // a large page: the rows are data (one array per row, see docs/html-report.md); the page's script
            // filters and sorts the data and puts one page of rows in the table
            raw("</tbody></table>\n<div class=\"pager\"><button type=\"button\" id=\"page-first\">«</button> "
                    + "<button type=\"button\" id=\"page-prev\">‹ previous</button> <span id=\"page-rows\"></span> "
                    + "<button type=\"button\" id=\"page-next\">next ›</button> <button type=\"button\" id=\"page-last\">»</button></div>\n"
                    + "<noscript><p class=\"warn\">This page is a large one: its summary and each SA's details are shown by its "
                    + "script (vpnsleuth analyze --format text or json says the same without one).</p></noscript>\n"
                    + "<script type=\"application/json\" id=\"summary-data\">[");
        }
        int n = 0;
        for (SaDiagnosis d : a.ikeSas) {
            n++;
            IkeSa sa = d.sa;
            String peers = (sa.initiator != null ? sa.initiator.toString() : "?") + " ⇄ "
                    + (sa.responder != null ? sa.responder.toString() : "?");
            int msgs = 0;
            for (IkeExchange e : sa.exchanges) {
                msgs += e.messages.size();
            }
            row("sa-" + n, Integer.toString(n), "IKEv" + sa.version, peers + " " + AnalysisText.hex(sa.spiI) + "/"
                    + AnalysisText.hex(sa.spiR), d.verdict, d.stoppedAt, d.cause(), d.confidence(), sa.firstNanos(), msgs);
        }
        n = 0;
        for (TunnelDiagnosis d : a.l2tp) {
            n++;
            L2tpTunnel t = (L2tpTunnel) d.subject;
            row("tun-" + n, "T" + n, "L2TPv" + t.version + " tunnel", t.initiator + " ⇄ " + t.responder, d.verdict, d.stoppedAt,
                    d.cause(), d.confidence(), t.messages.isEmpty() ? t0 : t.messages.get(0).at.nanos(), t.messages.size());
            int k = 0;
            for (TunnelDiagnosis s : d.children) {
                k++;
                L2tpSession x = (L2tpSession) s.subject;
                row("tun-" + n + "-" + k, "T" + n + "." + k, "L2TP session", t.initiator + " ⇄ " + t.responder + " session "
                        + id(x.callerSessionId) + "/" + id(x.answererSessionId), s.verdict, s.stoppedAt, s.cause(), s.confidence(),
                        x.messages.isEmpty() ? t0 : x.messages.get(0).at.nanos(), x.messages.size());
            }
        }
        n = 0;
        for (TunnelDiagnosis d : a.pptp) {
            n++;
            PptpControl c = (PptpControl) d.subject;
            row("pptp-" + n, "P" + n, "PPTP connection", c.client + " → " + c.server, d.verdict, d.stoppedAt, d.cause(),
                    d.confidence(), c.syn != null ? c.syn.nanos() : c.messages.isEmpty() ? t0 : c.messages.get(0).at.nanos(),
                    c.messages.size());
            int k = 0;
            for (TunnelDiagnosis x : d.children) {
                k++;
                PptpCall call = (PptpCall) x.subject;
                row("pptp-" + n + "-" + k, "P" + n + "." + k, "PPTP call", c.client + " → " + c.server + " call "
                        + id(call.clientCallId) + "/" + id(call.serverCallId), x.verdict, x.stoppedAt, x.cause(), x.confidence(),
                        call.messages.isEmpty() ? t0 : call.messages.get(0).at.nanos(), call.messages.size());
            }
        }
        n = 0;
        for (TunnelDiagnosis d : a.pppSessions) {
            n++;
            PppSession s = (PppSession) d.subject;
            row("ppp-" + n, "S" + n, s.carrier + " session", s.sideA + " ⇄ " + s.sideB, d.verdict, d.stoppedAt, d.cause(),
                    d.confidence(), s.first != null ? s.first.nanos() : t0, s.packets.size());
        }
        raw(lazy ? "]</script></section>\n" : "</tbody></table></section>\n");
    }

    private boolean firstRow = true;

    private void row(String anchor, String num, String kind, String peers, Verdict v, String stoppedAt, Cause cause,
            org.vpnsleuth.diagnose.Confidence conf, long start, int messages) {
        if (lazy) {
            // [id, #, kind, peers, verdict, stopped at, cause, confidence, start (s), start as shown, messages]
            raw(firstRow ? "\n[" : ",\n[");
            firstRow = false;
            for (String x : new String[] {anchor, num, kind, peers, verdict(v), stoppedAt, cause == null ? "" : cause.name(),
                    lower(conf)}) {
                Ladder.json(out, x == null ? "" : x).append(',');
            }
            raw(secs(start)).raw(",\"").raw(rel(start)).raw("\",").raw(Integer.toString(messages)).raw("]");
            if (out.length() >= 1 << 16) {
                Flush.flush(out, flushTo);
            }
            return;
        }
        raw("<tr data-verdict=\"").raw(verdict(v)).raw("\"><td><a href=\"#").raw(anchor).raw("\">").raw(num).raw("</a></td><td>")
                .esc(kind).raw("</td><td>").esc(peers).raw("</td><td class=\"v ").raw(verdict(v)).raw("\">").raw(verdict(v))
                .raw("</td><td>").esc(stoppedAt).raw("</td><td>").raw(cause == null ? "" : cause.name()).raw("</td><td>")
                .raw(lower(conf)).raw("</td><td class=\"n\" data-v=\"").raw(secs(start)).raw("\">").raw(rel(start))
                .raw("</td><td class=\"n\">").raw(Integer.toString(messages)).raw("</td></tr>\n");
    }

    private static String id(long v) {
        return v < 0 ? "?" : Long.toString(v);
    }

    // ------------------------------------------------------------------ findings

    private void finding(Finding f, boolean main, String prefix, Map<String, String> targets) {
        raw("<div class=\"finding").raw(main ? " main" : "").raw("\" data-cause=\"").raw(f.cause().name()).raw("\">");
        raw("<p class=\"fh\"><span class=\"cause\">").raw(f.cause().name()).raw("</span> <span class=\"conf\">(")
                .raw(lower(f.confidence())).raw(")</span>").raw(f.recovered() ? " <span class=\"rec\">recovered</span>" : "")
                .raw(f.stoppedAt() != null ? " at " + Html.esc(f.stoppedAt()) : "").raw(": ").esc(f.headline()).raw("</p>");
        if (f.explanation() != null && !f.explanation().isEmpty()) {
            raw("<p><b>why</b> ").esc(f.explanation()).raw("</p>");
        }
        if (f.fix() != null && !f.fix().isEmpty()) {
            raw("<p class=\"fix\"><b>fix</b> ").esc(f.fix()).raw("</p>");
        }
        if (!f.alternatives().isEmpty()) {
            raw("<p><b>also possible</b> ");
            for (int i = 0; i < f.alternatives().size(); i++) {
                raw(i == 0 ? "" : ", ").raw(f.alternatives().get(i).name());
            }
            raw("</p>");
        }
        evidence(f.evidence(), prefix, targets);
        raw("</div>\n");
    }

    private void evidence(List<Evidence> ev, String prefix, Map<String, String> targets) {
        if (ev.isEmpty()) {
            return;
        }
        raw("<ul class=\"evidence\">");
        for (Evidence e : ev) {
            String target = targets.get(e.at().file() + "-" + e.at().frame());
            raw("<li data-frame=\"").raw(Long.toString(e.at().frame())).raw("\">");
            if (target != null) {
                raw("<a href=\"#").raw(target).raw("\">frame ").esc(ref(e.at())).raw("</a>");
            } else {
                raw("frame ").esc(ref(e.at()));
            }
            raw(" ").esc(e.what()).raw("</li>");
        }
        raw("</ul>");
    }

    // ------------------------------------------------------------------ IKE SA

    private void sa(int n, SaDiagnosis d) {
        IkeSa sa = d.sa;
        String prefix = "sa" + n;
        Ladder ladder = ikeLadder(d, prefix);
        Map<String, String> targets = ladderIds;
        raw("<details class=\"ike-sa\" id=\"sa-").raw(Integer.toString(n)).raw("\" data-verdict=\"").raw(verdict(d.verdict))
                .raw("\" data-version=\"").raw(Integer.toString(sa.version)).raw("\" data-spi-i=\"").raw(AnalysisText.hex(sa.spiI))
                .raw("\" data-spi-r=\"").raw(AnalysisText.hex(sa.spiR)).raw('"' + "");
        if (d.cause() != null) {
            raw(" data-cause=\"").raw(d.cause().name()).raw("\" data-confidence=\"").raw(d.confidence().name()).raw("\"");
        }
        if (d.stoppedAt != null) {
            raw(" data-stopped-at=\"").esc(d.stoppedAt).raw("\"");
        }
        raw(open ? " open>" : ">");
        raw("<summary><span class=\"v ").raw(verdict(d.verdict)).raw("\">").raw(verdict(d.verdict)).raw("</span> ")
                .esc(AnalysisText.headline(d)).raw("</summary>\n");
        StringBuilder page = out;
        if (lazy) {
            out = new StringBuilder(4096);
        }
        raw("<div class=\"body\">\n");
        if (d.main != null) {
            finding(d.main, true, prefix, targets);
        }
        raw("<table class=\"facts\">");
        fact("state", d.rfcState + " · Cisco IOS " + d.iosState + " · ASA " + d.asaState + " · strongSwan " + d.strongswanState);
        fact("SPIs", AnalysisText.hex(sa.spiI) + " / " + AnalysisText.hex(sa.spiR));
        if (sa.initiator != null) {
            fact("initiator", String.join(", ", addresses(sa.initiator.toString(), sa.initiatorAddresses))
                    + (sa.rolesGuessed ? " (roles guessed: the capture starts later)" : ""));
            fact("responder", String.join(", ", addresses(sa.responder.toString(), sa.responderAddresses)));
        }
        fact("NAT", d.nat);
        fact("decryption", d.decryption);
        for (String t : sa.translations) {
            fact("translated between the captures", t);
        }
        if (d.rekeyedFrom != null) {
            fact("rekey of", org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedFrom.spiI(), 16) + "/" + org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedFrom.spiR(), 16));
        }
        if (d.rekeyedTo != null) {
            fact("rekeyed to", org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedTo.spiI(), 16) + "/" + org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedTo.spiR(), 16));
        }
        for (String note : d.notes) {
            fact("note", note);
        }
        raw("</table>\n");
        daemonLog(d);
        proposals(d);
        security("Security findings", d.security);
        boolean others = false;
        for (Finding f : d.findings) {
            if (f != d.main) {
                if (!others) {
                    raw("<h4>Other findings</h4>\n");
                    others = true;
                }
                finding(f, false, prefix, targets);
            }
        }
        raw("<h4>Messages</h4>\n");
        ladder(ladder, "IKEv" + sa.version + " ladder of SA " + n);
        children(d, prefix, targets);
        raw("</div>");
        if (lazy) {
            // the body waits in this block's compressed data until the SA is opened: 10,000 closed SAs are
            // 10,000 small elements and about a KB of data each
            bodies.add(jsonString(out));
            out = page;
        }
        raw("</details>\n");
    }

    /**
     * Writes the bodies of the IKE SAs since the last block as one gzip-compressed, base64-encoded JSON
     * array of strings (the SAs' body HTML), {@code data-first} the number of its first SA.
     */
    private void block() {
        raw("</div>\n");
        raw("<script type=\"application/gzip+base64\" class=\"sa-bodies\" data-first=\"").raw(Integer.toString(blockFirst))
                .raw("\" data-count=\"").raw(Integer.toString(bodies.size())).raw("\">")
                .raw(gzipBase64("[" + String.join(",", bodies) + "]")).raw("</script>\n");
        blockFirst += bodies.size();
        bodies.clear();
    }

    /** {@code text} in UTF-8, gzip-compressed (RFC 1952, as the page's DecompressionStream("gzip") reads it), in base64. */
    private static String gzipBase64(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length() / 6 + 64);
        try (java.io.OutputStream z = new java.util.zip.GZIPOutputStream(bytes, 1 << 16)) {
            z.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail
        }
        return java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** {@code s} as a JSON string, escaping only what JSON requires (it is compressed, never read as HTML before parsing). */
    private static String jsonString(CharSequence s) {
        StringBuilder sb = new StringBuilder(s.length() + 64).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1)) || Character.isLowSurrogate(c) && i > 0
                    && Character.isHighSurrogate(s.charAt(i - 1)))) {
                sb.append(String.format("\\u%04x", c < 0x20 ? (int) c : 0xfffd));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static List<String> addresses(String first, Set<String> all) {
        List<String> r = new ArrayList<>();
        r.add(first);
        String addr = first.contains("]:") ? first.substring(0, first.lastIndexOf(':')) : first.contains(":")
                && first.indexOf(':') == first.lastIndexOf(':') ? first.substring(0, first.indexOf(':')) : first;
        for (String x : all) {
            if (!x.equals(addr) && !x.equals(first)) {
                r.add(x);
            }
        }
        return r;
    }

    /** The daemons' own lines for this SA (issue 20): what the log says that the wire cannot, then a table. */
    private void daemonLog(SaDiagnosis d) {
        List<String[]> rows = DaemonLogReport.rows(d);
        if (rows.isEmpty() && d.daemonLogSays == null) {
            return;
        }
        raw("<section class=\"daemon-log\"><h4>The daemons' logs</h4>");
        if (d.daemonLogSays != null) {
            raw("<div class=\"warn\">").esc(d.daemonLogSays).raw("</div>");
        }
        raw("<table class=\"daemon-log\"><tr><th>where</th><th>kind</th><th>line</th></tr>");
        for (String[] r : rows) {
            raw("<tr><td>").esc(r[0]).raw("</td><td>").esc(r[1]).raw("</td><td><code>").esc(r[2]).raw("</code></td></tr>");
        }
        raw("</table></section>\n");
    }

    private void fact(String name, String value) {
        if (value == null) {
            return;
        }
        raw("<tr><th>").esc(name).raw("</th><td>").esc(value).raw("</td></tr>");
    }

    private void ladder(Ladder l, String label) {
        if (lazy) {
            l.renderData(out, label);
            raw("<p class=\"lazy-note\">(the ladder is drawn when this is opened)</p>\n");
        } else {
            l.render(out, label);
            raw("\n");
        }
    }

    /** The ids the last ladder built gives its arrows (evidence links point at them). */
    private Map<String, String> ladderIds = new java.util.HashMap<>();

    private Ladder ikeLadder(SaDiagnosis d, String prefix) {
        IkeSa sa = d.sa;
        ladderIds = new java.util.HashMap<>();
        Ladder l = new Ladder("Initiator" + (sa.rolesGuessed ? " (guessed)" : ""),
                sa.initiator == null ? "?" : sa.initiator.toString(), "Responder",
                sa.responder == null ? "?" : sa.responder.toString(), t0, this::ref);
        if (!sa.translations.isEmpty()) {
            l.laneNote = "NAT between the capture points: " + String.join("; ", sa.translations);
        }
        Map<IkeMessage, IkeExchange> exchangeOf = new IdentityHashMap<>();
        for (IkeExchange e : sa.exchanges) {
            for (IkeMessage m : e.messages) {
                exchangeOf.put(m, e);
            }
        }
        boolean stopped = d.verdict == Verdict.FAILED || d.verdict == Verdict.INCOMPLETE;
        IkeMessage stopMsg = null;
        if (stopped && d.stoppedAt != null) {
            for (IkeMessage m : sa.messages) {
                IkeExchange e = exchangeOf.get(m);
                if (e != null && (d.stoppedAt.equals(m.name) || d.stoppedAt.equals(e.kind)
                        || m.name != null && m.name.startsWith(d.stoppedAt + " "))) {
                    stopMsg = m;
                }
            }
        }
        for (IkeMessage m : sa.messages) {
            IkeMessage orig = m.retransmissionOf;
            if (orig != null && orig.alsoSeen.contains(m.at)) {
                continue; // the same message in the other capture: on the arrow of the first copy
            }
            String id = prefix + "-" + m.at.file() + "-" + m.at.frame();
            ladderIds.put(m.at.file() + "-" + m.at.frame(), id);
            for (FrameRef r : m.frames) {
                ladderIds.putIfAbsent(r.file() + "-" + r.frame(), id);
            }
            if (orig == null) {
                IkeExchange e = exchangeOf.get(m);
                StringBuilder cls = new StringBuilder("msg ").append(m.fromInitiator ? "ir" : "ri");
                if (m.errorNotify() != null || m.keyCheck != null && (m.keyCheck.kind() == org.vpnsleuth.ike.KeyCheck.Kind.PSK_NONE
                        || m.keyCheck.kind() == org.vpnsleuth.ike.KeyCheck.Kind.HASH_FAILED)) {
                    cls.append(" err");
                }
                if (m == stopMsg) {
                    cls.append(" stop-msg");
                }
                if (m.encrypted) {
                    cls.append(m.decryptedPayloads != null ? " decrypted" : " encrypted");
                }
                String[] attrs = m.retransmissions.isEmpty()
                        ? new String[] {"data-name", m.name, "data-exchange", e == null ? m.exchangeName : e.kind,
                            "data-message-id", String.format("%08x", m.messageId)}
                        : new String[] {"data-name", m.name, "data-exchange", e == null ? m.exchangeName : e.kind,
                            "data-message-id", String.format("%08x", m.messageId), "data-retransmissions",
                            Integer.toString(m.retransmissions.size())};
                String sub = m.payloads + (m.decryptedPayloads != null ? " → " + m.decryptedPayloads : "");
                l.add(new Ladder.Row(cls.toString(), id, attrs, m.at, m.fromInitiator, label(m, e), sub, title(m, e)));
            } else {
                int k = orig.retransmissions.indexOf(m) + 1;
                if (k > RETRANSMISSIONS_DRAWN) {
                    continue;
                }
                String sub = "byte-identical copy of frame " + ref(orig.at);
                if (k == RETRANSMISSIONS_DRAWN && orig.retransmissions.size() > k) {
                    IkeMessage lastCopy = orig.retransmissions.get(orig.retransmissions.size() - 1);
                    sub += "; " + (orig.retransmissions.size() - k) + " more copies not drawn, the last in frame " + ref(lastCopy.at);
                }
                String title = "frame " + ref(m.at) + " " + rel(m.at.nanos()) + " s: " + orig.name + ", retransmission " + k
                        + " of frame " + ref(orig.at) + String.format(Locale.ROOT, " (%.3f s after it)",
                                (m.at.nanos() - orig.at.nanos()) / 1e9) + "\n" + m.src + " → " + m.dst + ", " + m.length + " bytes";
                l.add(new Ladder.Row("retransmission " + (m.fromInitiator ? "ir" : "ri") + (orig == stopMsg ? " stop-msg" : ""),
                        id, new String[] {"data-retransmission-of", Long.toString(orig.at.frame())}, m.at, m.fromInitiator,
                        orig.name + " (retransmission " + k + ")", sub, title));
            }
        }
        if (stopped) {
            l.stop = "stopped at " + (d.stoppedAt != null ? d.stoppedAt : "?")
                    + (d.main != null ? " — " + d.main.cause() + ": " + d.main.headline() : "");
        }
        return l;
    }

    private static String label(IkeMessage m, IkeExchange e) {
        StringBuilder sb = new StringBuilder(m.name != null ? m.name : m.exchangeName);
        if (e != null && (m.name == null || !m.name.contains(e.kind))) {
            sb.append(" · ").append(e.kind);
        }
        if (m.messageId != 0 && !(m.version == 1 && m.exchange == 2)) {
            sb.append(m.version == 2 ? " mid " + m.messageId : String.format(" mid %08x", m.messageId));
        }
        if (e != null && e.attempt > 1) {
            sb.append(" (attempt ").append(e.attempt).append(')');
        }
        if (!m.retransmissions.isEmpty()) {
            sb.append(" ×").append(m.retransmissions.size() + 1);
        }
        return sb.toString();
    }

    private String title(IkeMessage m, IkeExchange e) {
        StringBuilder sb = new StringBuilder();
        sb.append("frame ").append(ref(m.at)).append(' ').append(rel(m.at.nanos())).append(" s: ").append(m.name);
        if (e != null) {
            sb.append(" (").append(e.kind).append(", exchange type ").append(m.exchange).append(", message ID ")
                    .append(String.format("0x%08x", m.messageId)).append(e.attempt > 1 ? ", attempt " + e.attempt : "").append(')');
        }
        sb.append('\n').append(m.src).append(" → ").append(m.dst).append(", ").append(m.length).append(" bytes")
                .append(m.encrypted ? ", encrypted" : "");
        if (m.ipFragmented || m.ikeFragmented || m.frames.size() > 1) {
            sb.append(m.ikeFragmented ? ", IKE fragments in frames " : ", IP fragments in frames ");
            for (int i = 0; i < m.frames.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(ref(m.frames.get(i)));
            }
        }
        if (m.fragmentTotal > 0) {
            sb.append(", SKF fragment ").append(m.fragmentNumber).append('/').append(m.fragmentTotal);
        }
        sb.append("\npayloads: ").append(m.payloads);
        if (m.decryptedPayloads != null) {
            sb.append("\ndecrypted: ").append(m.decryptedPayloads);
        }
        if (m.decryptedWith != null) {
            sb.append(" (keys from ").append(m.decryptedWith).append(')');
        }
        for (IkeMessage.Notify x : m.notifies) {
            sb.append("\nnotify ").append(x.name()).append(" (").append(x.type()).append(')');
            if (x.detail() != null) {
                sb.append(": ").append(x.detail());
            }
        }
        for (String p : m.proposals) {
            sb.append("\nproposal ").append(p);
        }
        if (m.keGroup >= 0) {
            sb.append("\nKE group ").append(m.keGroup);
        }
        for (String x : m.identities) {
            sb.append("\nidentity ").append(x);
        }
        for (String x : m.trafficSelectors) {
            sb.append('\n').append(x);
        }
        for (String x : m.deletes) {
            sb.append("\ndelete ").append(x);
        }
        for (String x : m.vendors) {
            sb.append("\nvendor ID ").append(x);
        }
        if (m.authMethodName != null) {
            sb.append("\nauthentication ").append(m.authMethodName);
        }
        if (m.keyCheck != null) {
            sb.append("\nkey check: ").append(m.keyCheck.text());
        }
        if (!m.retransmissions.isEmpty()) {
            sb.append("\nsent ").append(m.retransmissions.size() + 1).append(" times: frames ").append(ref(m.at));
            for (IkeMessage c : m.retransmissions) {
                sb.append(',').append(ref(c.at));
            }
        }
        for (FrameRef r : m.alsoSeen) {
            sb.append("\nalso captured as ").append(ref(r));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ proposals

    private static final java.util.regex.Pattern PROPOSAL = java.util.regex.Pattern.compile("^(#\\d+\\s+[^:]+):\\s*(.*)$");

    private static List<String> transforms(String proposal) {
        java.util.regex.Matcher m = PROPOSAL.matcher(proposal);
        String body = m.matches() ? m.group(2) : proposal;
        List<String> r = new ArrayList<>();
        for (String t : body.split(",\\s*")) {
            if (!t.isBlank()) {
                r.add(t.strip());
            }
        }
        return r;
    }

    private static String proposalHead(String proposal) {
        java.util.regex.Matcher m = PROPOSAL.matcher(proposal);
        return m.matches() ? m.group(1) : "";
    }

    private void proposals(SaDiagnosis d) {
        if (d.offered.isEmpty() && d.chosen == null) {
            return;
        }
        boolean mismatch = false;
        for (Finding f : d.findings) {
            mismatch |= f.cause() == Cause.IKE_PROPOSAL_MISMATCH || f.cause() == Cause.DH_GROUP_MISMATCH;
        }
        Set<String> chosen = new HashSet<>(d.chosen == null ? List.of() : transforms(d.chosen));
        Set<String> offeredAll = new HashSet<>();
        for (String p : d.offered) {
            offeredAll.addAll(transforms(p));
        }
        raw("<h4>Proposals</h4>\n<table class=\"proposals\"><tr><th>offered (initiator)</th><th>chosen (responder)</th></tr><tr><td>");
        for (String p : d.offered) {
            raw("<div class=\"proposal\"><span class=\"ph\">").esc(proposalHead(p)).raw("</span> ");
            for (String t : transforms(p)) {
                String cls = chosen.contains(t) ? "tf chosen" : d.chosen != null || mismatch ? "tf mismatch" : "tf";
                raw("<span class=\"").raw(cls).raw("\">").esc(t).raw("</span> ");
            }
            raw("</div>");
        }
        raw("</td><td>");
        if (d.chosen == null) {
            raw("<div class=\"none\">").raw(mismatch ? "none: the responder accepted no proposal" : "not seen in the capture").raw("</div>");
        } else {
            raw("<div class=\"proposal\"><span class=\"ph\">").esc(proposalHead(d.chosen)).raw("</span> ");
            for (String t : transforms(d.chosen)) {
                raw("<span class=\"").raw(offeredAll.contains(t) ? "tf chosen" : "tf mismatch").raw("\">").esc(t).raw("</span> ");
            }
            raw("</div>");
        }
        raw("</td></tr></table>\n<p class=\"legend\"><span class=\"tf chosen\">chosen</span> <span class=\"tf mismatch\">")
                .raw(d.chosen == null ? "not accepted" : "offered, not chosen (or chosen, never offered)").raw("</span></p>\n");
    }

    // ------------------------------------------------------------------ child SAs and flows

    private void children(SaDiagnosis d, String prefix, Map<String, String> targets) {
        if (d.children.isEmpty()) {
            if (!d.sa.flows.isEmpty()) {
                raw("<h4>ESP/AH flows</h4>\n");
                flows(d.sa.flows);
            }
            return;
        }
        raw("<h4>Child SAs</h4>\n<table class=\"children\"><tr><th>child SA</th><th>verdict</th><th>cause</th><th>detail</th>"
                + "<th>evidence</th></tr>\n");
        List<EspFlow> all = new ArrayList<>();
        for (ChildSa c : d.children) {
            raw("<tr class=\"child\" data-verdict=\"").raw(verdict(c.verdict)).raw("\"><td>").esc(c.name)
                    .raw(c.initiatedBy != null ? "<br><small>by " + Html.esc(c.initiatedBy) + "</small>" : "").raw("</td><td class=\"v ")
                    .raw(verdict(c.verdict)).raw("\">").raw(verdict(c.verdict)).raw("</td><td>")
                    .raw(c.cause == null ? "" : c.cause.name() + " (" + lower(c.confidence) + ")").raw("</td><td>").esc(c.detail)
                    .raw("</td><td>");
            evidence(c.evidence, prefix, targets);
            raw("</td></tr>\n");
            all.addAll(c.flows);
        }
        raw("</table>\n");
        for (ChildSa c : d.children) {
            security("Security findings of " + c.name, c.security);
        }
        if (!all.isEmpty()) {
            flows(all);
        }
    }

    /**
     * What is weak in the algorithms of an SA or child SA (diagnose/SecurityFindings): one row per
     * finding, class {@code security-finding} with {@code data-code} and {@code data-severity}, as
     * JSON's {@code security[]} has them.
     */
    private void security(String title, List<org.vpnsleuth.diagnose.SecurityFinding> list) {
        if (list.isEmpty()) {
            return;
        }
        raw("<h4>").esc(title).raw("</h4>\n<table class=\"security\"><tr><th>severity</th><th>code</th><th>what</th>"
                + "<th>offered or chosen</th><th>reference</th><th>frame</th></tr>\n");
        for (org.vpnsleuth.diagnose.SecurityFinding f : list) {
            raw("<tr class=\"security-finding\" data-code=\"").esc(f.code()).raw("\" data-severity=\"").esc(f.severity().name())
                    .raw("\"><td>").esc(f.severity().name()).raw("</td><td>").esc(f.code()).raw("</td><td>").esc(f.what())
                    .raw("</td><td>").esc(f.offeredOrChosen()).raw("</td><td>")
                    .esc(f.reference() + (f.status() != null ? " (" + f.status() + ")" : "")).raw("</td><td>")
                    .esc(f.at() == null ? "" : ref(f.at())).raw("</td></tr>\n");
        }
        raw("</table>\n");
    }

    /** A table of flows and their timeline (packets and bytes per direction, first to last frame on the capture's time axis). */
    private void flows(List<EspFlow> flows) {
        raw("<table class=\"flows\"><tr><th>protocol</th><th>SPI</th><th>direction</th><th>packets</th><th>bytes</th><th>frames</th>"
                + "<th>sequence</th></tr>\n");
        for (EspFlow f : flows) {
            raw("<tr class=\"flow\" data-spi=\"").raw(org.vpnsleuth.base.Bytes.hexPadded(f.spi, 8)).raw("\"><td>").esc(f.protocol).raw("</td><td>")
                    .raw(f.spiHex()).raw("</td><td>").esc(f.src + " → " + f.dst + (f.udp ? " (UDP " + f.srcPort + "→" + f.dstPort + ")" : ""))
                    .raw("</td><td class=\"n\">").raw(Long.toString(f.packets)).raw("</td><td class=\"n\">").raw(Long.toString(f.bytes))
                    .raw("</td><td>").esc(ref(f.first) + "–" + ref(f.last())).raw("</td><td>");
            if (f.highestSeq >= 0) {
                raw(f.firstSeq + "–" + f.highestSeq);
            }
            if (f.missing > 0) {
                raw(", " + f.missing + " missing");
            }
            if (f.replays > 0) {
                raw(", " + f.replays + " replayed or reordered");
            }
            if (f.decrypted > 0) {
                raw(", " + f.decrypted + " decrypted");
            }
            raw("</td></tr>\n");
        }
        raw("</table>\n");
        int shown = Math.min(flows.size(), 64);
        int w = 860;
        int left = 330;
        int h = 18 * shown + 22;
        double span = Math.max(1, t1 - t0);
        raw("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").raw(w + " " + h).raw("\" width=\"")
                .raw(Integer.toString(w)).raw("\" height=\"").raw(Integer.toString(h)).raw("\" role=\"img\" aria-label=\"flows on the capture's time axis\">");
        raw("<line class=\"axis\" x1=\"" + left + "\" y1=\"" + (h - 14) + "\" x2=\"" + (w - 10) + "\" y2=\"" + (h - 14) + "\"/>");
        raw("<text class=\"ax\" x=\"" + left + "\" y=\"" + (h - 2) + "\">+0</text><text class=\"ax end\" x=\"" + (w - 10) + "\" y=\""
                + (h - 2) + "\">" + String.format(Locale.ROOT, "+%.3f s", (t1 - t0) / 1e9) + "</text>");
        long maxBytes = 1;
        for (EspFlow f : flows) {
            maxBytes = Math.max(maxBytes, f.bytes);
        }
        for (int i = 0; i < shown; i++) {
            EspFlow f = flows.get(i);
            int y = 4 + 18 * i;
            double x1 = left + (w - 10 - left) * ((f.first.nanos() - t0) / span);
            double x2 = left + (w - 10 - left) * ((f.lastNanos() - t0) / span);
            raw("<g class=\"flow-bar\"><title>").esc(f.protocol + " " + f.spiHex() + " " + f.src + " → " + f.dst + ": " + f.packets
                    + " packets, " + f.bytes + " bytes, " + rel(f.first.nanos()) + " to " + rel(f.lastNanos()) + " s").raw("</title>");
            raw("<text x=\"4\" y=\"" + (y + 11) + "\">").esc(Html.cut(f.spiHex() + " " + f.src + "→" + f.dst, 34))
                    .raw(" ").raw(f.packets + " p, " + bytes(f.bytes)).raw("</text>");
            raw(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"12\" style=\"opacity:%.2f\"/></g>", x1, y,
                    Math.max(2, x2 - x1), 0.35 + 0.65 * f.bytes / (double) maxBytes));
        }
        raw("</svg>\n");
        if (flows.size() > shown) {
            raw("<p class=\"note\">").raw(Integer.toString(flows.size() - shown)).raw(" more flows in the table, not on the timeline.</p>\n");
        }
    }

    private static String bytes(long b) {
        return b < 10_000 ? b + " B" : b < 10_000_000 ? b / 1000 + " kB" : b / 1_000_000 + " MB";
    }

    // ------------------------------------------------------------------ tunnels

    private void tunnels() {
        if (a.l2tp.isEmpty() && a.pptp.isEmpty() && a.pppSessions.isEmpty() && a.greTunnels.isEmpty()) {
            return;
        }
        raw("<section id=\"tunnels\"><h2>L2TP, PPTP, PPP and GRE</h2>\n");
        int n = 0;
        for (TunnelDiagnosis d : a.l2tp) {
            n++;
            l2tp(n, d);
            Flush.flush(out, flushTo);
        }
        n = 0;
        for (TunnelDiagnosis d : a.pptp) {
            n++;
            pptp(n, d);
            Flush.flush(out, flushTo);
        }
        n = 0;
        for (TunnelDiagnosis d : a.pppSessions) {
            n++;
            String prefix = "ppp" + n;
            tunnelOpen("ppp-" + n, d, TunnelText.headline(d));
            Map<String, String> ids = new java.util.HashMap<>();
            Ladder l = pppLadder((PppSession) d.subject, prefix, ids, d);
            if (stopped(d)) {
                l.stop = stopText(d);
            }
            tunnelBody(d, prefix, ids);
            pppFacts(d);
            raw("<h4>PPP packets</h4>\n");
            ladder(l, d.kind + " " + n);
            raw("</div></details>\n");
        }
        if (!a.greTunnels.isEmpty()) {
            raw("<h3>GRE flows</h3>\n<table class=\"gre\"><tr><th>flow</th><th>version</th><th>key / call ID</th><th>protocol</th>"
                    + "<th>packets</th><th>bytes</th><th>frames</th><th>sequence</th><th>PPTP call</th></tr>\n");
            for (GreTunnel g : a.greTunnels) {
                gre(g);
            }
            raw("</table>\n");
        }
        raw("</section>\n");
    }

    private void gre(GreTunnel g) {
        raw("<tr class=\"gre-flow\"><td>").esc(g.src + " → " + g.dst).raw("</td><td>").raw(Integer.toString(g.version))
                .raw("</td><td>").raw(g.key < 0 ? "" : Long.toString(g.key)).raw("</td><td>").esc(g.protocol)
                .raw("</td><td class=\"n\">").raw(Long.toString(g.packets)).raw("</td><td class=\"n\">").raw(Long.toString(g.bytes))
                .raw("</td><td>").esc(g.first == null ? "" : ref(g.first) + "–" + ref(g.last)).raw("</td><td>");
        if (g.highestSeq >= 0) {
            raw(g.firstSeq + "–" + g.highestSeq);
        }
        if (g.missing > 0) {
            raw(", " + g.missing + " missing");
        }
        if (g.keepalives > 0) {
            raw(", " + g.keepalives + " keepalives");
        }
        raw("</td><td>");
        if (g.call != null) {
            esc("server " + g.call.control.server + ", call " + id(g.call.clientCallId) + "/" + id(g.call.serverCallId));
        }
        raw("</td></tr>\n");
    }

    private void tunnelOpen(String anchor, TunnelDiagnosis d, String headline) {
        raw("<details class=\"tunnel\" id=\"").raw(anchor).raw("\" data-kind=\"").esc(d.kind).raw("\" data-verdict=\"")
                .raw(verdict(d.verdict)).raw("\"");
        if (d.cause() != null) {
            raw(" data-cause=\"").raw(d.cause().name()).raw("\" data-confidence=\"").raw(d.confidence().name()).raw("\"");
        }
        if (d.stoppedAt != null) {
            raw(" data-stopped-at=\"").esc(d.stoppedAt).raw("\"");
        }
        raw(open ? " open>" : ">").raw("<summary><span class=\"v ").raw(verdict(d.verdict)).raw("\">").raw(verdict(d.verdict))
                .raw("</span> ").esc(headline).raw("</summary>\n<div class=\"body\">\n");
    }

    private void tunnelBody(TunnelDiagnosis d, String prefix, Map<String, String> ids) {
        if (d.main != null) {
            finding(d.main, true, prefix, ids);
        }
        if (d.detail != null) {
            raw("<p class=\"reached\"><b>reached</b> ").esc(d.detail).raw("</p>\n");
        }
        for (Finding f : d.findings) {
            if (f != d.main) {
                finding(f, false, prefix, ids);
            }
        }
    }

    private static boolean stopped(TunnelDiagnosis d) {
        return d.verdict == null || d.verdict == Verdict.FAILED || d.verdict == Verdict.INCOMPLETE;
    }

    private static String stopText(TunnelDiagnosis d) {
        return "stopped at " + (d.stoppedAt != null ? d.stoppedAt : "?")
                + (d.main != null ? " — " + d.main.cause() + ": " + d.main.headline() : "");
    }

    private void l2tp(int n, TunnelDiagnosis d) {
        L2tpTunnel t = (L2tpTunnel) d.subject;
        String prefix = "tun" + n;
        Map<String, String> ids = new java.util.HashMap<>();
        Ladder l = new Ladder("Initiator" + (t.rolesGuessed ? " (guessed)" : ""), String.valueOf(t.initiator), "Responder",
                String.valueOf(t.responder), t0, this::ref);
        for (L2tpMessage m : t.messages) {
            l.add(l2tpRow(m, prefix, ids));
        }
        if (stopped(d)) {
            l.stop = stopText(d);
        }
        tunnelOpen("tun-" + n, d, TunnelText.headline(d));
        tunnelBody(d, prefix, ids);
        raw("<table class=\"facts\">");
        fact("tunnel IDs", "initiator " + id(t.initiatorTunnelId) + ", responder " + id(t.responderTunnelId));
        fact("initiator host", t.initiatorHost);
        fact("initiator vendor", t.initiatorVendor);
        fact("responder host", t.responderHost);
        fact("responder vendor", t.responderVendor);
        fact("hellos", Long.toString(t.hellos));
        raw("</table>\n<h4>Control messages</h4>\n");
        ladder(l, "L2TP tunnel " + n);
        int k = 0;
        for (TunnelDiagnosis s : d.children) {
            k++;
            L2tpSession x = (L2tpSession) s.subject;
            String sp = prefix + "s" + k;
            Map<String, String> sids = new java.util.HashMap<>();
            Ladder sl = new Ladder("Initiator", String.valueOf(t.initiator), "Responder", String.valueOf(t.responder), t0, this::ref);
            for (L2tpMessage m : x.messages) {
                sl.add(l2tpRow(m, sp, sids));
            }
            Ladder pl = s.ppp != null ? pppLadder((PppSession) s.ppp.subject, sp, sids, s.ppp) : null;
            if (stopped(s)) {
                (pl != null && pl.size() > 0 && (s.stoppedAt == null || s.stoppedAt.startsWith("PPP")) ? pl : sl).stop = stopText(s);
            }
            tunnelOpen("tun-" + n + "-" + k, s, "session " + id(x.callerSessionId) + "/" + id(x.answererSessionId) + " ("
                    + (x.byInitiator ? "called by the initiator" : "called by the responder") + (x.serial >= 0 ? ", serial " + x.serial : "")
                    + ", " + x.dataPackets + " data messages, " + x.dataBytes + " bytes): "
                    + TunnelText.headline(s).replaceFirst("^session [^:]*: ", ""));
            tunnelBody(s, sp, sids);
            raw("<h4>Session messages</h4>\n");
            ladder(sl, "L2TP session " + n + "." + k);
            if (s.ppp != null) {
                pppFacts(s.ppp);
                raw("<h4>PPP inside the session</h4>\n");
                ladder(pl, "PPP of session " + n + "." + k);
            }
            raw("</div></details>\n");
        }
        raw("</div></details>\n");
    }

    private Ladder.Row l2tpRow(L2tpMessage m, String prefix, Map<String, String> ids) {
        String id = prefix + "-" + m.at.file() + "-" + m.at.frame();
        ids.put(id.substring(prefix.length() + 1), id);
        StringBuilder sub = new StringBuilder();
        sub.append("tunnel ").append(m.tunnelId).append(" session ").append(m.sessionId);
        if (m.ns >= 0) {
            sub.append(" Ns=").append(m.ns);
        }
        if (m.nr >= 0) {
            sub.append(" Nr=").append(m.nr);
        }
        if (m.assignedTunnelId >= 0) {
            sub.append(", assigned tunnel ").append(m.assignedTunnelId);
        }
        if (m.assignedSessionId >= 0) {
            sub.append(", assigned session ").append(m.assignedSessionId);
        }
        if (m.resultCode >= 0) {
            sub.append(", ").append(m.result());
        }
        if (m.hostName != null) {
            sub.append(", host '").append(m.hostName).append('\'');
        }
        if (m.challenge) {
            sub.append(", Challenge");
        }
        if (m.challengeResponse) {
            sub.append(", Challenge-Response");
        }
        if (m.hiddenAvps) {
            sub.append(", hidden AVPs");
        }
        String cls = "tmsg " + (m.fromInitiator ? "ir" : "ri") + (m.retransmissionOf != null ? " retransmission" : "")
                + (m.zlb() ? " zlb" : "") + (m.resultCode > 1 ? " err" : "");
        String title = "frame " + ref(m.at) + " " + rel(m.at.nanos()) + " s: " + m.name + "\n" + m.src + " → " + m.dst + "\n" + sub
                + (m.vendorName != null ? "\nvendor '" + m.vendorName + "'" : "")
                + (m.retransmissionOf != null ? "\nretransmission of frame " + ref(m.retransmissionOf.at) : "");
        return new Ladder.Row(cls, id, new String[] {"data-name", m.name}, m.at, m.fromInitiator,
                m.name + (m.retransmissionOf != null ? " (retransmission)" : ""), sub.toString(), title);
    }

    private void pppFacts(TunnelDiagnosis d) {
        PppSession s = (PppSession) d.subject;
        raw("<table class=\"facts ppp\">");
        fact("PPP", d.kind + " over " + s.carrier + ", " + s.sideA + " ⇄ " + s.sideB + (s.sidesGuessed ? " (sides guessed)" : ""));
        fact("PPP verdict", verdict(d.verdict) + (d.stoppedAt != null ? " at " + d.stoppedAt : "")
                + (d.cause() != null ? " — " + d.cause() : ""));
        fact("reached", d.detail);
        fact("authentication", d.authProtocol == null ? null : d.authProtocol + (d.authResult != null ? ": " + d.authResult : ""));
        fact("address " + s.sideA, d.addressA);
        fact("address " + s.sideB, d.addressB);
        fact("data", s.dataFromA + " packets (" + s.bytesFromA + " bytes) from " + s.sideA + ", " + s.dataFromB + " ("
                + s.bytesFromB + " bytes) from " + s.sideB);
        raw("</table>\n<p class=\"legend\"><span class=\"ph-lcp\">LCP</span> <span class=\"ph-auth\">authentication</span> "
                + "<span class=\"ph-ncp\">network control (IPCP, IPV6CP, CCP)</span></p>\n");
    }

    private Ladder pppLadder(PppSession s, String prefix, Map<String, String> ids, TunnelDiagnosis d) {
        Ladder l = new Ladder("Side A" + (s.sidesGuessed ? " (guessed)" : ""), s.sideA, "Side B", s.sideB, t0, this::ref);
        for (PppPacket p : s.packets) {
            String id = prefix + "-" + p.at.file() + "-" + p.at.frame();
            ids.put(id.substring(prefix.length() + 1), id);
            String phase = switch (p.protocol) {
                case "LCP", "PPPoE" -> "ph-lcp";
                case "PAP", "CHAP", "EAP" -> "ph-auth";
                default -> "ph-ncp";
            };
            String detail = p.detail();
            String extra = (p.authProtocol != null ? "auth " + p.authProtocol : "") + (p.address != null ? " address " + p.address : "");
            String sub = (detail + (extra.isEmpty() ? "" : (detail.isEmpty() ? "" : "; ") + extra.strip()));
            boolean bad = p.codeName != null && (p.codeName.contains("Nak") || p.codeName.contains("Reject")
                    || p.codeName.contains("Failure") || p.codeName.contains("Terminate")) || p.pppoeError != null
                    || p.protocol.equals("PPPoE") && p.codeName.equals("PADT");
            l.add(new Ladder.Row("pmsg " + phase + (p.fromA ? " ir" : " ri") + (bad ? " err" : ""), id,
                    new String[] {"data-protocol", p.protocol}, p.at, p.fromA, p.label(), sub,
                    "frame " + ref(p.at) + " " + rel(p.at.nanos()) + " s: " + p.label() + (sub.isEmpty() ? "" : "\n" + sub)));
        }
        return l;
    }

    private void pptp(int n, TunnelDiagnosis d) {
        PptpControl c = (PptpControl) d.subject;
        String prefix = "pptp" + n;
        Map<String, String> ids = new java.util.HashMap<>();
        Ladder l = new Ladder("Client", c.client.toString(), "Server", c.server.toString(), t0, this::ref);
        List<Ladder.Row> rows = new ArrayList<>();
        if (c.syn != null) {
            rows.add(tcpRow(prefix, ids, c.syn, true, "TCP SYN" + (c.synCount > 1 ? " ×" + c.synCount : ""), "to port 1723"));
        }
        if (c.synAck != null) {
            rows.add(tcpRow(prefix, ids, c.synAck, false, "TCP SYN-ACK", "connection accepted"));
        }
        if (c.refused != null) {
            rows.add(tcpRow(prefix, ids, c.refused, false, "TCP RST", "connection refused (nothing listens on 1723)"));
        }
        if (c.clientClosed != null) {
            rows.add(tcpRow(prefix, ids, c.clientClosed, true, "TCP FIN/RST", "the client closed the connection"));
        }
        if (c.serverClosed != null) {
            rows.add(tcpRow(prefix, ids, c.serverClosed, false, c.serverReset ? "TCP RST" : "TCP FIN",
                    "the server closed the connection"));
        }
        for (PptpMessage m : c.messages) {
            rows.add(pptpRow(m, prefix, ids));
        }
        rows.sort(java.util.Comparator.comparingLong((Ladder.Row r) -> r.at().nanos()).thenComparingLong(r -> r.at().frame()));
        rows.forEach(l::add);
        if (stopped(d)) {
            l.stop = stopText(d);
        }
        tunnelOpen("pptp-" + n, d, TunnelText.headline(d));
        tunnelBody(d, prefix, ids);
        raw("<h4>Control connection</h4>\n");
        ladder(l, "PPTP connection " + n);
        int k = 0;
        for (TunnelDiagnosis x : d.children) {
            k++;
            PptpCall call = (PptpCall) x.subject;
            String cp = prefix + "c" + k;
            Map<String, String> cids = new java.util.HashMap<>();
            Ladder cl = new Ladder("Client", c.client.toString(), "Server", c.server.toString(), t0, this::ref);
            for (PptpMessage m : call.messages) {
                cl.add(pptpRow(m, cp, cids));
            }
            Ladder pl = x.ppp != null ? pppLadder((PppSession) x.ppp.subject, cp, cids, x.ppp) : null;
            if (stopped(x)) {
                (pl != null && pl.size() > 0 && (x.stoppedAt == null || x.stoppedAt.startsWith("PPP")) ? pl : cl).stop = stopText(x);
            }
            tunnelOpen("pptp-" + n + "-" + k, x, "call " + id(call.clientCallId) + "/" + id(call.serverCallId)
                    + (call.outgoing ? " (outgoing)" : " (incoming)") + ": " + TunnelText.headline(x).replaceFirst("^call [^:]*: ", ""));
            tunnelBody(x, cp, cids);
            raw("<h4>Call messages</h4>\n");
            ladder(cl, "PPTP call " + n + "." + k);
            if (call.toServer != null || call.toClient != null) {
                raw("<table class=\"gre\"><tr><th>flow</th><th>version</th><th>key / call ID</th><th>protocol</th><th>packets</th>"
                        + "<th>bytes</th><th>frames</th><th>sequence</th><th>PPTP call</th></tr>\n");
                if (call.toServer != null) {
                    gre(call.toServer);
                }
                if (call.toClient != null) {
                    gre(call.toClient);
                }
                raw("</table>\n");
            }
            if (x.ppp != null) {
                pppFacts(x.ppp);
                raw("<h4>PPP inside the call</h4>\n");
                ladder(pl, "PPP of call " + n + "." + k);
            }
            raw("</div></details>\n");
        }
        raw("</div></details>\n");
    }

    private Ladder.Row tcpRow(String prefix, Map<String, String> ids, FrameRef at, boolean fromClient, String label, String sub) {
        String id = prefix + "-" + at.file() + "-" + at.frame();
        ids.put(id.substring(prefix.length() + 1), id);
        return new Ladder.Row("tcp " + (fromClient ? "ir" : "ri") + (label.contains("RST") ? " err" : ""), id, new String[0], at, fromClient,
                label, sub, "frame " + ref(at) + " " + rel(at.nanos()) + " s: " + label + ", " + sub);
    }

    private Ladder.Row pptpRow(PptpMessage m, String prefix, Map<String, String> ids) {
        String id = prefix + "-" + m.at.file() + "-" + m.at.frame();
        ids.put(id.substring(prefix.length() + 1), id);
        StringBuilder sub = new StringBuilder();
        if (m.callId >= 0) {
            sub.append("call ID ").append(m.callId);
        }
        if (m.peerCallId >= 0) {
            sub.append(sub.length() > 0 ? ", " : "").append("peer's call ID ").append(m.peerCallId);
        }
        String result = m.result();
        if (!result.isEmpty()) {
            sub.append(sub.length() > 0 ? ", " : "").append(result);
        }
        if (m.reason != null) {
            sub.append(sub.length() > 0 ? ", " : "").append(m.reason);
        }
        if (m.hostName != null) {
            sub.append(sub.length() > 0 ? ", " : "").append("host '").append(m.hostName).append('\'');
        }
        if (m.vendor != null) {
            sub.append(sub.length() > 0 ? ", " : "").append("vendor '").append(m.vendor).append('\'');
        }
        if (m.callStatistics != null) {
            sub.append(sub.length() > 0 ? ", " : "").append(m.callStatistics);
        }
        boolean bad = m.resultCode > 1 || m.errorCode > 0;
        return new Ladder.Row("tmsg " + (m.fromClient ? "ir" : "ri") + (bad ? " err" : ""), id,
                new String[] {"data-name", m.shortName()}, m.at, m.fromClient, m.shortName() + " · " + m.name, sub.toString(),
                "frame " + ref(m.at) + " " + rel(m.at.nanos()) + " s: " + m.name + (sub.length() > 0 ? "\n" + sub : ""));
    }

    // ------------------------------------------------------------------ overhead

    private void overhead() {
        if (a.overhead.isEmpty()) {
            return;
        }
        raw("<section id=\"overhead\"><h2>Overhead and MTU (per tunnel and direction)</h2>\n");
        int shown = Math.min(a.overhead.size(), 200);
        int maxMtu = 1;
        for (int i = 0; i < shown; i++) {
            maxMtu = Math.max(maxMtu, a.overhead.get(i).pathMtu);
        }
        int w = 860;
        int left = 330;
        int h = 20 * shown + 26;
        double scale = (w - left - 10) / (double) maxMtu;
        raw("<svg class=\"overhead-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + w + " " + h + "\" width=\"" + w
                + "\" height=\"" + h + "\" role=\"img\" aria-label=\"path MTU split into inner MTU and overhead\">");
        for (int i = 0; i < shown; i++) {
            Measured m = a.overhead.get(i);
            int y = 4 + 20 * i;
            raw("<g class=\"oh\"><title>").esc(m.title() + ": path MTU " + m.pathMtu + " (" + m.pathMtuFrom + "), overhead "
                    + MeasuredReport.range(m.overheadMin, m.overheadMax) + (m.innerMtu >= 0 ? ", inner MTU " + m.innerMtu : "")
                    + (m.ipMtu >= 0 ? ", ip mtu " + m.ipMtu + ", adjust-mss " + m.mssIpv4 : "")).raw("</title>");
            raw("<text x=\"4\" y=\"" + (y + 12) + "\">").esc(Html.cut(m.title(), 50)).raw("</text>");
            if (m.overheadMax >= 0 && m.innerMtu >= 0) {
                double wi = m.innerMtu * scale;
                double wo = m.overheadMax * scale;
                raw(String.format(Locale.ROOT, "<rect class=\"inner\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\"/>"
                        + "<rect class=\"ovh\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\"/>"
                        + "<text class=\"in\" x=\"%d\" y=\"%d\">inner %d + overhead %s = %d</text>", left, y, wi, left + wi, y,
                        Math.max(2, wo), left + 4, y + 11, m.innerMtu, MeasuredReport.range(m.overheadMin, m.overheadMax), m.pathMtu));
            } else {
                raw(String.format(Locale.ROOT, "<rect class=\"unknown\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\"/>"
                        + "<text class=\"in\" x=\"%d\" y=\"%d\">path MTU %d, overhead unknown</text>", left, y, m.pathMtu * scale,
                        left + 4, y + 11, m.pathMtu));
            }
            raw("</g>");
        }
        raw("<text class=\"ax\" x=\"" + left + "\" y=\"" + (h - 4) + "\">0</text><text class=\"ax end\" x=\"" + (w - 10) + "\" y=\""
                + (h - 4) + "\">" + maxMtu + " bytes</text></svg>\n");
        raw("<p class=\"legend\"><span class=\"inner\">inner MTU</span> <span class=\"ovh\">overhead (most observed)</span> "
                + "<span class=\"unknown\">overhead unknown</span></p>\n");
        StringBuilder page = out;
        if (lazy) {
            // a large page: the table (a row per tunnel and direction) and the text are compressed until opened
            raw("<details class=\"lazy-gz\" id=\"overhead-table\"><summary>the figures of every tunnel and direction (")
                    .raw(Integer.toString(a.overhead.size())).raw(")</summary>");
            out = new StringBuilder(1 << 16);
        }
        raw("<table class=\"overhead\"><tr><th>tunnel and direction</th><th>packets</th><th>largest outer</th><th>overhead</th>"
                + "<th>model</th><th>path MTU</th><th>inner MTU</th><th>ip mtu</th><th>adjust-mss</th><th>warnings</th></tr>\n");
        for (Measured m : a.overhead) {
            raw("<tr><td>").esc(m.title()).raw("</td><td class=\"n\">").raw(Long.toString(m.sizes.packets)).raw("</td><td class=\"n\">")
                    .raw(MeasuredReport.opt(m.sizes.largest)).raw("</td><td>").raw(MeasuredReport.range(m.overheadMin, m.overheadMax))
                    .raw(m.exact ? " (exact)" : "").raw("</td><td>").raw(m.modelMin < 0 ? "" : MeasuredReport.range(m.modelMin, m.modelMax))
                    .raw("</td><td>").raw(m.pathMtu + " (" + Html.esc(m.pathMtuFrom) + ")").raw("</td><td>")
                    .raw(m.innerMtu < 0 ? "" : Integer.toString(m.innerMtu)).raw("</td><td>").raw(m.ipMtu < 0 ? "" : Integer.toString(m.ipMtu))
                    .raw("</td><td>").raw(m.mssIpv4 < 0 ? "" : m.mssIpv4 + " (IPv6 " + m.mssIpv6 + ")").raw("</td><td>");
            for (String wn : m.warnings) {
                raw("<div class=\"warn\">").esc(wn).raw("</div>");
            }
            raw("</td></tr>\n");
        }
        raw("</table>\n<details class=\"overhead-text\"><summary>every figure, as the text report gives it</summary><pre>");
        StringBuilder text = new StringBuilder();
        for (Measured m : a.overhead) {
            MeasuredReport.text(m, text, "", this::ref);
        }
        esc(text.toString()).raw("</pre></details>\n");
        if (lazy) {
            String html = out.toString();
            out = page;
            raw("<script type=\"application/gzip+base64\" class=\"lazy-html\">").raw(gzipBase64(html)).raw("</script></details>\n");
        }
        raw("</section>\n");
    }
}
