package org.vpnsleuth.report;

import org.vpnsleuth.pipeline.Analysis;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.diagnose.ChildSa;
import org.vpnsleuth.diagnose.Evidence;
import org.vpnsleuth.diagnose.Finding;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SecurityFinding;
import org.vpnsleuth.diagnose.Verdict;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * The text report: per IKE SA the verdict line first ("IKEv1 192.0.2.1 ⇄ 192.0.2.2: FAILED at MM5 —
 * PSK_MISMATCH (high)"), why and what to do, the evidence, the state as routers name it, then the
 * ladder of messages and the child SAs with their ESP flows.
 */
public final class AnalysisText {
    private final Analysis a;
    private final StringBuilder out;
    private final boolean multi;
    private final long t0;
    /** Round-trip time of each exchange's first response, for the ladder. */
    private final java.util.Map<IkeMessage, Long> rtt = new java.util.HashMap<>();

    /** Where a long report is written as it grows (null: all of it stays in {@link #result}). */
    private final java.io.Writer flushTo;
    /** The caller's buffer: what is not written to {@link #flushTo} yet when rendering ends. */
    private final StringBuilder result;
    private final TextStyle style;
    private final boolean brief;
    /** The details (after the summary and the inputs), styled, until the summary is written. */
    private final Spill details = new Spill();

    private AnalysisText(Analysis a, StringBuilder result, java.io.Writer flushTo, TextStyle style, boolean brief) {
        this.a = a;
        this.out = new StringBuilder(8192);
        this.result = result;
        this.flushTo = flushTo;
        this.style = style;
        this.brief = brief;
        this.multi = a.inputs.size() > 1;
        this.t0 = a.tracker.firstNanos();
    }

    public static void render(Analysis a, StringBuilder out) {
        render(a, out, null);
    }

    /** As {@link #render(Analysis, StringBuilder)}, writing to {@code flushTo} as the report grows (more than 64 KiB held). */
    public static void render(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        render(a, out, flushTo, TextStyle.PLAIN, false);
    }

    /**
     * The text report, answer first: the summary (one line per IKE SA and tunnel when there are
     * several, else the one verdict line), the inputs and warnings, then the details of each SA and
     * tunnel and the overhead section. The details are held back (in a temporary file once large,
     * {@link Spill}) until the summary is written, so memory stays bounded; with {@code brief} only
     * the summary and the warnings are written. Lines are wrapped and verdicts coloured by {@code style}.
     */
    public static void render(Analysis a, StringBuilder out, java.io.Writer flushTo, TextStyle style, boolean brief) {
        AnalysisText t = new AnalysisText(a, out, flushTo, style, brief);
        try {
            t.all();
        } finally {
            t.details.close();
        }
    }

    String ref(FrameRef r) {
        return multi ? a.inputs.get(r.file()).name() + "#" + r.frame() : Long.toString(r.frame());
    }

    String time(long nanos) {
        return String.format(Locale.ROOT, "+%.3f", (nanos - t0) / 1e9);
    }

    /** Moves the details rendered so far (whole lines) to {@link #details} once more than 64 KiB are held. */
    private void spillIfLarge() {
        if (out.length() > 1 << 16) {
            style.write(out, details);
            out.setLength(0);
        }
    }

    private void all() {
        StringBuilder head = new StringBuilder(1024);
        summary(head);
        if (brief) {
            if (a.selection != null) {
                selected(head);
            }
            for (String w : a.warnings) {
                head.append("warning: ").append(w).append('\n');
            }
            emit(head, summaryStyle());
            return;
        }
        emit(head, summaryStyle());
        head.setLength(0);
        if (!a.ikeSas.isEmpty() || tunnelCount() > 0) {
            head.append('\n');
        }
        for (Analysis.Input in : a.inputs) {
            head.append(in.name()).append(": ").append(in.frames()).append(" frames (").append(in.format()).append(")\n");
            for (String w : in.warnings()) {
                head.append(w.startsWith("decryption: ") ? "  " : "  warning: ").append(w).append('\n');
            }
        }
        for (String w : a.warnings) {
            head.append("warning: ").append(w).append('\n');
        }
        if (a.tracker.frames() > 0) {
            head.append(String.format(Locale.ROOT, "capture span %.3f s, %d IKE SA(s), %d ESP/AH flow(s)%n",
                    (a.tracker.lastNanos() - t0) / 1e9, a.selection != null ? a.ikeSasInCapture : a.ikeSas.size(),
                    a.tracker.flowCount()));
        }
        if (a.selection != null) {
            selected(head);
        }
        emit(head, style);
        for (SaDiagnosis d : a.ikeSas) {
            out.append('\n');
            sa(d);
            spillIfLarge();
        }
        if (!a.unlinkedFlows.isEmpty()) {
            out.append("\nESP/AH flows without an IKE SA in the capture:\n");
            for (EspFlow f : a.unlinkedFlows) {
                flow(f, "  ");
                spillIfLarge();
            }
        }
        // L2TP tunnels, PPTP connections, PPP sessions and GRE flows (TunnelText)
        new TunnelText(a, out, this).all();
        spillIfLarge();
        MeasuredReport.section(a.overhead, out, this::ref, this::spillIfLarge);
        style.write(out, details);
        out.setLength(0);
        details.copyTo(flushTo, result);
    }

    /** A table of several SAs is never wrapped (one line each); a single verdict line is. */
    private TextStyle summaryStyle() {
        return summaryIsTable() ? new TextStyle(0, style.color()) : style;
    }

    /** Writes {@code text} styled to the caller: to {@link #flushTo}, or into {@link #result}. */
    private void emit(CharSequence text, TextStyle st) {
        if (flushTo != null) {
            st.write(text, flushTo);
        } else {
            st.write(text, result);
        }
    }

    private boolean summaryIsTable() {
        int rows = a.ikeSas.size() + tunnelCount();
        for (java.util.List<org.vpnsleuth.diagnose.TunnelDiagnosis> l : java.util.List.of(a.l2tp, a.pptp, a.pppSessions)) {
            for (org.vpnsleuth.diagnose.TunnelDiagnosis d : l) {
                rows += d.children.size();
            }
        }
        return rows > 1;
    }

    private void selected(StringBuilder sb) {
        sb.append("selected (").append(a.selection).append("): ").append(a.ikeSas.size()).append(" of ")
                .append(a.ikeSasInCapture).append(" IKE SA(s), ").append(tunnelCount()).append(" of ")
                .append(a.tunnelsInCapture).append(" tunnel(s)\n");
    }

    private int tunnelCount() {
        return a.l2tp.size() + a.pptp.size() + a.pppSessions.size();
    }

    /**
     * The answer first: with several IKE SAs and tunnels a table, one line each (verdict, where it
     * stopped, cause, confidence, which SA or tunnel); with one, its verdict line; with none, says so.
     */
    private void summary(StringBuilder sb) {
        int items = a.ikeSas.size() + tunnelCount();
        if (items == 0 && a.selection != null) {
            sb.append("No IKE SA or tunnel matches the selection (").append(a.selection).append(").\n");
            return;
        }
        if (items == 0) {
            boolean tunnels = !a.greTunnels.isEmpty();
            sb.append(tunnels ? "No IKE negotiation, L2TP, PPTP or PPP in the capture; its GRE flows follow.\n"
                    : "No IKE negotiation, L2TP, PPTP, PPP or GRE in the capture.\n");
            return;
        }
        java.util.List<String[]> rows = new java.util.ArrayList<>(items);
        java.util.Map<Verdict, Integer> byVerdict = new java.util.EnumMap<>(Verdict.class);
        for (SaDiagnosis d : a.ikeSas) {
            String h = headline(d);
            rows.add(row(d.verdict, d.stoppedAt, d.main, subject(h, d.verdict) + "  SPI " + hex(d.sa.spiI)));
            byVerdict.merge(d.verdict, 1, Integer::sum);
        }
        for (java.util.List<org.vpnsleuth.diagnose.TunnelDiagnosis> l : java.util.List.of(a.l2tp, a.pptp, a.pppSessions)) {
            for (org.vpnsleuth.diagnose.TunnelDiagnosis d : l) {
                rows.add(row(d.verdict, d.stoppedAt, d.main, subject(TunnelText.headline(d), d.verdict)));
                byVerdict.merge(d.verdict, 1, Integer::sum);
                // its sessions or calls, under it: where the PPP inside stopped
                for (org.vpnsleuth.diagnose.TunnelDiagnosis c : d.children) {
                    rows.add(row(c.verdict, c.stoppedAt, c.main, "  " + subject(TunnelText.headline(c), c.verdict)));
                }
            }
        }
        if (rows.size() == 1) {
            sb.append(a.ikeSas.isEmpty() ? TunnelText.headline(firstTunnel()) : headline(a.ikeSas.get(0))).append('\n');
            return;
        }
        sb.append(items).append(" IKE SA(s) and tunnel(s):");
        String sep = " ";
        for (var e : byVerdict.entrySet()) {
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        sb.append('\n');
        String[] header = {"verdict", "where", "cause", "confidence", "IKE SA or tunnel"};
        int[] w = new int[header.length - 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = header[i].length();
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        line(sb, header, w);
        for (String[] r : rows) {
            line(sb, r, w);
        }
    }

    private org.vpnsleuth.diagnose.TunnelDiagnosis firstTunnel() {
        return !a.l2tp.isEmpty() ? a.l2tp.get(0) : !a.pptp.isEmpty() ? a.pptp.get(0) : a.pppSessions.get(0);
    }

    private static String[] row(Verdict v, String stoppedAt, Finding main, String subject) {
        return new String[] {String.valueOf(v), stoppedAt == null ? "-" : stoppedAt, main == null ? "-" : main.cause().toString(),
            main == null ? "-" : main.confidence().name().toLowerCase(Locale.ROOT), subject};
    }

    /** The part of a verdict line that names the SA or tunnel ("IKEv2 192.0.2.1 ⇄ 192.0.2.2"). */
    private static String subject(String headline, Verdict v) {
        int i = headline.lastIndexOf(": " + v);
        return i > 0 ? headline.substring(0, i) : headline;
    }

    private static void line(StringBuilder sb, String[] cells, int[] w) {
        sb.append("  ");
        for (int i = 0; i < w.length; i++) {
            sb.append(cells[i]);
            for (int k = cells[i].length(); k < w[i] + 2; k++) {
                sb.append(' ');
            }
        }
        sb.append(cells[w.length]).append('\n');
    }

    public static String headline(SaDiagnosis d) {
        IkeSa sa = d.sa;
        StringBuilder sb = new StringBuilder();
        sb.append("IKEv").append(sa.version).append(' ')
                .append(sa.initiator != null ? sa.initiator.address() : "?").append(" ⇄ ")
                .append(sa.responder != null ? sa.responder.address() : "?").append(": ").append(d.verdict);
        if (d.stoppedAt != null && d.verdict != Verdict.ESTABLISHED) {
            sb.append(" at ").append(d.stoppedAt);
        }
        if (d.main != null) {
            sb.append(" — ").append(d.main.cause()).append(" (").append(d.main.confidence().name().toLowerCase(Locale.ROOT))
                    .append(')');
            if (d.verdict == Verdict.ESTABLISHED && d.stoppedAt != null) {
                sb.append(" at ").append(d.stoppedAt);
            }
        }
        return sb.toString();
    }

    private void sa(SaDiagnosis d) {
        IkeSa sa = d.sa;
        out.append(headline(d)).append('\n');
        if (d.main != null) {
            finding(d.main, "  ", true);
        }
        security(d.security, "  ");
        out.append("  state: ").append(d.rfcState).append(" | Cisco IOS ").append(d.iosState).append(" | ASA ")
                .append(d.asaState).append(" | strongSwan ").append(d.strongswanState).append('\n');
        out.append("  SPIs: ").append(hex(sa.spiI)).append('/').append(hex(sa.spiR));
        if (sa.initiator != null) {
            out.append("   initiator ").append(sa.initiator).append(", responder ").append(sa.responder);
            if (sa.rolesGuessed) {
                out.append(" (roles guessed: the capture starts later)");
            }
        }
        out.append('\n');
        if (d.nat != null) {
            out.append("  NAT: ").append(d.nat).append('\n');
        }
        if (d.decryption != null) {
            out.append("  decryption: ").append(d.decryption).append('\n');
        }
        DaemonLogReport.text(d, out); // issue 20: the daemons' own lines for this SA
        if (d.redirectedTo != null) {
            out.append("  redirected to: ").append(d.redirectedTo);
            if (d.redirectedToSa != null) {
                out.append(" (its SA: ").append(hex(d.redirectedToSa.spiI())).append('/').append(hex(d.redirectedToSa.spiR()))
                        .append(", ").append(d.redirectedToSa.verdict()).append(')');
            }
            out.append('\n');
        }
        if (d.redirectedFrom != null) {
            out.append("  redirected from: ").append(d.redirectedFromGateway).append(" (SA ")
                    .append(hex(d.redirectedFrom.spiI())).append('/').append(hex(d.redirectedFrom.spiR())).append(")\n");
        }
        if (d.deletedAt != null) {
            out.append("  deleted by the ").append(d.deletedBy).append(" in frame ").append(ref(d.deletedAt)).append('\n');
        }
        for (String n : d.notes) {
            out.append("  note: ").append(n).append('\n');
        }
        for (String t : sa.translations) {
            out.append("  translated between the captures: ").append(t).append('\n');
        }
        for (String p : d.offered) {
            out.append("  offered: ").append(p).append('\n');
        }
        if (d.chosen != null) {
            out.append("  chosen:  ").append(d.chosen).append('\n');
        }
        for (Finding f : d.findings) {
            if (f != d.main) {
                out.append("  also: ").append(f.cause()).append(" (").append(f.confidence().name().toLowerCase(Locale.ROOT))
                        .append("): ").append(f.headline()).append('\n');
                finding(f, "    ", false);
            }
        }
        out.append("  messages:\n");
        rtt.clear();
        for (org.vpnsleuth.track.IkeExchange e : sa.exchanges) {
            if (e.response() != null && e.roundTripNanos() >= 0) {
                rtt.put(e.response(), e.roundTripNanos());
            }
        }
        for (IkeMessage m : sa.messages) {
            message(sa, m);
        }
        if (!d.children.isEmpty()) {
            out.append("  child SAs:\n");
            for (ChildSa c : d.children) {
                out.append("    ").append(c.name).append(": ").append(c.verdict);
                if (c.cause != null) {
                    out.append(" — ").append(c.cause);
                }
                if (c.detail != null) {
                    out.append(" (").append(c.detail).append(')');
                }
                if (c.kind != null) {
                    out.append(" [").append(c.kind).append(c.spis.isEmpty() ? "" : ", SPIs " + String.join(" ", c.spis))
                            .append(']');
                }
                if (c.state != null) {
                    out.append(", ").append(c.state).append(" by the ").append(c.deletedBy).append(" in frame ")
                            .append(ref(c.deletedAt));
                }
                out.append('\n');
                security(c.security, "      ");
                for (String f : c.followed) {
                    out.append("      then: ").append(f).append('\n');
                }
                for (EspFlow f : c.flows) {
                    flow(f, "      ");
                }
            }
        }
    }

    /**
     * One line per security finding: "security (medium, chosen): WEAK_DH_GROUP — what (SHOULD NOT,
     * RFC 8247 §2.4; frame 6)", most severe first (docs/security.md).
     */
    void security(List<SecurityFinding> l, String indent) {
        for (SecurityFinding f : l) {
            out.append(indent).append("security (").append(f.severity().name().toLowerCase(Locale.ROOT)).append(", ")
                    .append(f.offeredOrChosen()).append("): ").append(f.code()).append(" — ").append(f.what()).append(" (");
            if (f.status() != null) {
                out.append(f.status()).append(", ");
            }
            out.append(f.reference());
            if (f.at() != null) {
                out.append("; frame ").append(ref(f.at()));
            }
            out.append(")\n");
        }
    }

    void finding(Finding f, String indent, boolean withHeadline) {
        if (withHeadline) {
            out.append(indent).append(f.headline()).append('\n');
        }
        if (f.explanation() != null && !f.explanation().isEmpty()) {
            out.append(indent).append("why: ").append(f.explanation()).append('\n');
        }
        if (f.fix() != null && !f.fix().isEmpty()) {
            out.append(indent).append("fix: ").append(f.fix()).append('\n');
        }
        if (!f.alternatives().isEmpty()) {
            out.append(indent).append("also possible: ").append(f.alternatives()).append('\n');
        }
        if (!f.evidence().isEmpty()) {
            out.append(indent).append("evidence:");
            List<Evidence> ev = f.evidence();
            for (int i = 0; i < ev.size(); i++) {
                out.append(i == 0 ? " " : "; ").append("frame ").append(ref(ev.get(i).at())).append(' ').append(ev.get(i).what());
            }
            out.append('\n');
        }
    }

    private void message(IkeSa sa, IkeMessage m) {
        if (m.retransmissionOf != null && m.retransmissionOf.alsoSeen.contains(m.at)) {
            return; // shown on the line of the first capture's copy
        }
        out.append("    ").append(String.format(Locale.ROOT, "%-8s %-9s %s  %-26s %s", ref(m.at), time(m.at.nanos()),
                m.fromInitiator ? "I→R" : "R→I", m.name != null ? m.name : m.exchangeName, m.payloads));
        if (m.decryptedPayloads != null) {
            out.append(" → decrypted ").append(m.decryptedPayloads);
        }
        for (org.vpnsleuth.ike.EapPacket p : m.eap) {
            out.append(" {EAP ").append(p.words()).append('}'); // issue 14: what the EAP exchange says
        }
        if (m.retransmissionOf != null) {
            out.append("  (retransmission of frame ").append(ref(m.retransmissionOf.at)).append(')');
        }
        Long roundTrip = rtt.get(m);
        if (roundTrip != null) {
            out.append(String.format(Locale.ROOT, "  rtt %.1f ms", roundTrip / 1e6));
        }
        for (FrameRef r : m.alsoSeen) {
            out.append("  (also captured as ").append(ref(r)).append(')');
        }
        if (multi && m.alsoSeen.isEmpty() && m.retransmissionOf == null) {
            out.append("  (only in ").append(a.inputs.get(m.at.file()).name()).append(')');
        }
        if (m.ikeFragmented || m.ipFragmented && m.frames.size() > 1) {
            out.append("  (").append(m.ikeFragmented ? "IKE" : "IP").append(" fragments in frames ");
            for (int i = 0; i < m.frames.size(); i++) {
                out.append(i == 0 ? "" : ",").append(ref(m.frames.get(i)));
            }
            out.append(')');
        }
        if (m.src.port() != 500 && m.src.port() != 4500 || m.dst.port() != 500 && m.dst.port() != 4500) {
            out.append("  ").append(m.src).append(" > ").append(m.dst);
        }
        out.append('\n');
    }

    private void flow(EspFlow f, String indent) {
        out.append(indent).append(f.protocol).append(' ').append(f.spiHex()).append(' ').append(f.src).append(" → ")
                .append(f.dst).append(f.udp ? " (UDP " + f.srcPort + "→" + f.dstPort + ")" : "").append(": ")
                .append(f.packets).append(" packets, ").append(f.bytes).append(" bytes, frames ").append(ref(f.first))
                .append('–').append(ref(f.last()));
        if (f.highestSeq >= 0) {
            out.append(", seq ").append(f.firstSeq).append('–').append(f.highestSeq);
        }
        if (f.missing > 0) {
            out.append(", ").append(f.missing).append(" missing");
        }
        if (f.replays > 0) {
            out.append(", ").append(f.replays).append(" replayed or reordered");
        }
        out.append('\n');
    }

    static String hex(long v) {
        return org.vpnsleuth.base.Bytes.hexPadded(v, 16);
    }
}
