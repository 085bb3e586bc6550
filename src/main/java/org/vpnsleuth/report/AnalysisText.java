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

    /** Where a long report is written as it grows (null: all of it stays in {@link #out}). */
    private final java.io.Writer flushTo;

    private AnalysisText(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        this.a = a;
        this.out = out;
        this.flushTo = flushTo;
        this.multi = a.inputs.size() > 1;
        this.t0 = a.tracker.firstNanos();
    }

    public static void render(Analysis a, StringBuilder out) {
        new AnalysisText(a, out, null).all();
    }

    /** As {@link #render(Analysis, StringBuilder)}, writing to {@code flushTo} after each IKE SA once more than 64 KiB is held. */
    public static void render(Analysis a, StringBuilder out, java.io.Writer flushTo) {
        new AnalysisText(a, out, flushTo).all();
    }

    String ref(FrameRef r) {
        return multi ? a.inputs.get(r.file()).name() + "#" + r.frame() : Long.toString(r.frame());
    }

    String time(long nanos) {
        return String.format(Locale.ROOT, "+%.3f", (nanos - t0) / 1e9);
    }

    private void all() {
        for (Analysis.Input in : a.inputs) {
            out.append(in.name()).append(": ").append(in.frames()).append(" frames (").append(in.format()).append(")\n");
            for (String w : in.warnings()) {
                out.append(w.startsWith("decryption: ") ? "  " : "  warning: ").append(w).append('\n');
            }
        }
        for (String w : a.warnings) {
            out.append("warning: ").append(w).append('\n');
        }
        if (a.tracker.frames() > 0) {
            out.append(String.format(Locale.ROOT, "capture span %.3f s, %d IKE SA(s), %d ESP/AH flow(s)%n",
                    (a.tracker.lastNanos() - t0) / 1e9, a.ikeSas.size(), a.tracker.flows().size()));
        }
        if (a.ikeSas.isEmpty()) {
            boolean tunnels = !a.l2tp.isEmpty() || !a.pptp.isEmpty() || !a.pppSessions.isEmpty() || !a.greTunnels.isEmpty();
            out.append(tunnels ? "\nNo IKE negotiation in the capture; its tunnels follow.\n"
                    : "\nNo IKE negotiation, L2TP, PPTP, PPP or GRE in the capture.\n");
        }
        for (SaDiagnosis d : a.ikeSas) {
            out.append('\n');
            sa(d);
            Flush.flush(out, flushTo);
        }
        if (!a.unlinkedFlows.isEmpty()) {
            out.append("\nESP/AH flows without an IKE SA in the capture:\n");
            for (EspFlow f : a.unlinkedFlows) {
                flow(f, "  ");
                Flush.flush(out, flushTo);
            }
        }
        // L2TP tunnels, PPTP connections, PPP sessions and GRE flows (TunnelText)
        new TunnelText(a, out, this).all();
        Flush.flush(out, flushTo);
        MeasuredReport.section(a.overhead, out, this::ref, flushTo);
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
        if (d.redirectedTo != null) {
            out.append("  redirected to: ").append(d.redirectedTo);
            if (d.redirectedToSa != null) {
                out.append(" (its SA: ").append(hex(d.redirectedToSa.sa.spiI)).append('/').append(hex(d.redirectedToSa.sa.spiR))
                        .append(", ").append(d.redirectedToSa.verdict).append(')');
            }
            out.append('\n');
        }
        if (d.redirectedFrom != null) {
            out.append("  redirected from: ").append(d.redirectedFromGateway).append(" (SA ")
                    .append(hex(d.redirectedFrom.sa.spiI)).append('/').append(hex(d.redirectedFrom.sa.spiR)).append(")\n");
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
                .append('–').append(ref(f.last));
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
        return String.format("%016x", v);
    }
}
