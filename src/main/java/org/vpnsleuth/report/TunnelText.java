package org.vpnsleuth.report;

import org.vpnsleuth.pipeline.Analysis;
import java.util.Locale;
import org.vpnsleuth.diagnose.Finding;
import org.vpnsleuth.diagnose.TunnelDiagnosis;
import org.vpnsleuth.diagnose.Verdict;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.L2tpMessage;
import org.vpnsleuth.track.L2tpSession;
import org.vpnsleuth.track.L2tpTunnel;
import org.vpnsleuth.track.PppPacket;
import org.vpnsleuth.track.PppSession;
import org.vpnsleuth.track.PptpCall;
import org.vpnsleuth.track.PptpControl;
import org.vpnsleuth.track.PptpMessage;

/**
 * The text report's L2TP, PPTP, PPP and GRE sections (after the IKE SAs): per tunnel or connection
 * the verdict line, why and what to do, the evidence, the ladder of control messages, then each
 * session or call with its PPP phases and packets.
 */
final class TunnelText {
    private final Analysis a;
    private final StringBuilder out;
    /** The renderer this section belongs to: frame references, times and findings look the same in both. */
    private final AnalysisText text;

    TunnelText(Analysis a, StringBuilder out, AnalysisText text) {
        this.a = a;
        this.out = out;
        this.text = text;
    }

    private String ref(FrameRef r) {
        return text.ref(r);
    }

    private String time(long nanos) {
        return text.time(nanos);
    }

    void all() {
        if (a.l2tp.size() + a.pptp.size() + a.pppSessions.size() + a.greTunnels.size() > 0) {
            out.append(String.format(Locale.ROOT, "%n%d L2TP tunnel(s), %d PPTP connection(s), %d other PPP session(s),"
                    + " %d GRE flow(s)%n", a.l2tp.size(), a.pptp.size(), a.pppSessions.size(), a.greTunnels.size()));
        }
        for (TunnelDiagnosis d : a.l2tp) {
            out.append('\n');
            l2tp(d);
        }
        for (TunnelDiagnosis d : a.pptp) {
            out.append('\n');
            pptp(d);
        }
        for (TunnelDiagnosis d : a.pppSessions) {
            out.append('\n');
            out.append(headline(d)).append('\n');
            body(d, "  ");
            ppp(d, "  ", false);
        }
        if (!a.greTunnels.isEmpty()) {
            out.append("\nGRE flows:\n");
            for (GreTunnel g : a.greTunnels) {
                out.append("  ").append(gre(g)).append('\n');
            }
        }
    }

    /** "L2TPv2 tunnel 192.0.2.1:1701 ⇄ 192.0.2.2:1701: FAILED at L2TP SCCRQ — L2TP_REJECTED (high)". */
    static String headline(TunnelDiagnosis d) {
        StringBuilder sb = new StringBuilder();
        if (d.subject instanceof L2tpTunnel t) {
            sb.append("L2TPv").append(t.version).append(" tunnel ").append(t.initiator).append(" ⇄ ").append(t.responder);
        } else if (d.subject instanceof L2tpSession s) {
            sb.append("session ").append(s.callerSessionId < 0 ? "?" : s.callerSessionId).append('/')
                    .append(s.answererSessionId < 0 ? "?" : s.answererSessionId);
        } else if (d.subject instanceof PptpControl c) {
            sb.append("PPTP connection ").append(c.client).append(" → ").append(c.server);
        } else if (d.subject instanceof PptpCall c) {
            sb.append("call ").append(c.clientCallId < 0 ? "?" : c.clientCallId).append('/')
                    .append(c.serverCallId < 0 ? "?" : c.serverCallId);
        } else if (d.subject instanceof PppSession s) {
            // a PPPoE discovery that got no session (PADS) has session ID 0 (RFC 2516 §4: 0 is never a session's)
            sb.append(s.carrier).append(s.pppoeSessionId == 0 ? " discovery " : " session ");
            if (s.pppoeSessionId > 0) {
                sb.append(String.format("0x%04x ", s.pppoeSessionId));
            }
            sb.append(s.sideA).append(" ⇄ ").append(s.sideB);
        }
        sb.append(": ").append(d.verdict);
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

    private void body(TunnelDiagnosis d, String indent) {
        if (d.main != null) {
            text.finding(d.main, indent, true);
        }
        if (d.detail != null) {
            out.append(indent).append("reached: ").append(d.detail).append('\n');
        }
        for (Finding f : d.findings) {
            if (f != d.main) {
                out.append(indent).append("also: ").append(f.cause()).append(" (")
                        .append(f.confidence().name().toLowerCase(Locale.ROOT)).append("): ").append(f.headline()).append('\n');
                text.finding(f, indent + "  ", false);
            }
        }
    }

    // ------------------------------------------------------------------ L2TP

    private void l2tp(TunnelDiagnosis d) {
        L2tpTunnel t = (L2tpTunnel) d.subject;
        out.append(headline(d)).append('\n');
        body(d, "  ");
        out.append("  tunnel IDs: initiator ").append(id(t.initiatorTunnelId)).append(host(t.initiatorHost, t.initiatorVendor))
                .append(", responder ").append(id(t.responderTunnelId)).append(host(t.responderHost, t.responderVendor));
        if (t.rolesGuessed) {
            out.append(" (roles guessed: the capture starts later)");
        }
        out.append('\n');
        out.append("  messages:\n");
        for (L2tpMessage m : t.messages) {
            message(t, m, "    ");
        }
        int n = 0;
        for (TunnelDiagnosis s : d.children) {
            n++;
            L2tpSession x = (L2tpSession) s.subject;
            out.append("  session ").append(n).append(" (").append(x.byInitiator ? "called by the initiator" : "called by the responder")
                    .append(", IDs caller ").append(id(x.callerSessionId)).append(" / answerer ").append(id(x.answererSessionId));
            if (x.serial >= 0) {
                out.append(", serial ").append(x.serial);
            }
            out.append(", ").append(x.dataPackets).append(" data messages): ").append(headline(s).replaceFirst("^session [^:]*: ", ""))
                    .append('\n');
            body(s, "    ");
            if (!x.messages.isEmpty()) {
                out.append("    session messages:\n");
                for (L2tpMessage m : x.messages) {
                    message(t, m, "      ");
                }
            }
            ppp(s.ppp, "    ", true);
        }
    }

    private static String id(long v) {
        return v < 0 ? "?" : Long.toString(v);
    }

    private static String host(String host, String vendor) {
        if (host == null && vendor == null) {
            return "";
        }
        return " (" + (host != null ? "host '" + host + "'" : "") + (host != null && vendor != null ? ", " : "")
                + (vendor != null ? "vendor '" + vendor + "'" : "") + ")";
    }

    private void message(L2tpTunnel t, L2tpMessage m, String indent) {
        out.append(indent).append(String.format(Locale.ROOT, "%-8s %-9s %s  %-8s tunnel=%d session=%d ns=%s nr=%s", ref(m.at),
                time(m.at.nanos()), m.fromInitiator ? "I→R" : "R→I", m.name, m.tunnelId, m.sessionId,
                m.ns < 0 ? "-" : Integer.toString(m.ns), m.nr < 0 ? "-" : Integer.toString(m.nr)));
        if (m.assignedTunnelId >= 0) {
            out.append("  assigned tunnel ").append(m.assignedTunnelId);
        }
        if (m.assignedSessionId >= 0) {
            out.append("  assigned session ").append(m.assignedSessionId);
        }
        if (m.resultCode >= 0) {
            out.append("  ").append(m.result());
        }
        if (m.challenge) {
            out.append("  Challenge");
        }
        if (m.challengeResponse) {
            out.append("  Challenge-Response");
        }
        if (m.hiddenAvps) {
            out.append("  (hidden AVPs)");
        }
        if (m.retransmissionOf != null) {
            out.append("  (retransmission of frame ").append(ref(m.retransmissionOf.at)).append(')');
        }
        out.append('\n');
    }

    // ------------------------------------------------------------------ PPP

    private void ppp(TunnelDiagnosis d, String indent, boolean nested) {
        if (d == null) {
            return;
        }
        PppSession s = (PppSession) d.subject;
        if (nested) {
            out.append(indent).append("PPP ").append(s.sideA).append(" ⇄ ").append(s.sideB).append(": ").append(d.verdict);
            if (d.stoppedAt != null) {
                out.append(d.verdict == Verdict.ESTABLISHED ? " (reached " : " at ").append(d.stoppedAt)
                        .append(d.verdict == Verdict.ESTABLISHED ? ")" : "");
            }
            out.append('\n');
        }
        if (d.authProtocol != null || d.authResult != null) {
            out.append(indent).append("  authentication: ").append(d.authProtocol != null ? d.authProtocol : "?")
                    .append(d.authResult != null ? " → " + d.authResult : "").append('\n');
        }
        if (d.addressA != null || d.addressB != null) {
            out.append(indent).append("  IPCP addresses: ").append(s.sideA).append(' ').append(d.addressA != null ? d.addressA : "?")
                    .append(", ").append(s.sideB).append(' ').append(d.addressB != null ? d.addressB : "?").append('\n');
        }
        if (s.sidesGuessed) {
            out.append(indent).append("  (which side is which is a guess)\n");
        }
        out.append(indent).append("  PPP packets (A = ").append(s.sideA).append(", B = ").append(s.sideB).append("):\n");
        for (PppPacket p : s.packets) {
            out.append(indent).append("    ").append(String.format(Locale.ROOT, "%-8s %-9s %s  %s", ref(p.at), time(p.at.nanos()),
                    p.fromA ? "A→B" : "B→A", p.label()));
            String detail = p.detail();
            if (!detail.isEmpty()) {
                out.append("  ").append(detail);
            }
            out.append('\n');
        }
        if (s.untrackedPackets > 0) {
            out.append(indent).append("    and ").append(s.untrackedPackets).append(" more control packets, not kept\n");
        }
        if (s.dataFromA + s.dataFromB > 0) {
            out.append(indent).append("  data: ").append(s.dataFromA).append(" packets (").append(s.bytesFromA).append(" bytes) A→B, ")
                    .append(s.dataFromB).append(" packets (").append(s.bytesFromB).append(" bytes) B→A\n");
        }
    }

    // ------------------------------------------------------------------ PPTP

    private void pptp(TunnelDiagnosis d) {
        PptpControl c = (PptpControl) d.subject;
        out.append(headline(d)).append('\n');
        body(d, "  ");
        if (c.syn != null || c.refused != null || c.closed() != null) {
            out.append("  TCP:");
            if (c.syn != null) {
                out.append(" SYN frame ").append(ref(c.syn)).append(c.synCount > 1 ? " (" + c.synCount + " times)" : "");
            }
            if (c.synAck != null) {
                out.append(", SYN-ACK frame ").append(ref(c.synAck));
            }
            if (c.refused != null) {
                out.append(", refused (RST) frame ").append(ref(c.refused));
            }
            if (c.clientClosed != null) {
                out.append(", client closed frame ").append(ref(c.clientClosed));
            }
            if (c.serverClosed != null) {
                out.append(", server ").append(c.serverReset ? "reset" : "closed").append(" frame ").append(ref(c.serverClosed));
            }
            out.append('\n');
        }
        if (!c.messages.isEmpty()) {
            out.append("  messages:\n");
            for (PptpMessage m : c.messages) {
                message(m, "    ");
            }
        }
        int n = 0;
        for (TunnelDiagnosis x : d.children) {
            n++;
            PptpCall call = (PptpCall) x.subject;
            out.append("  call ").append(n).append(" (").append(call.outgoing ? "outgoing" : "incoming").append(", call IDs client ")
                    .append(id(call.clientCallId)).append(" / server ").append(id(call.serverCallId)).append("): ")
                    .append(headline(x).replaceFirst("^call [^:]*: ", "")).append('\n');
            body(x, "    ");
            if (call.toServer != null) {
                out.append("    ").append(gre(call.toServer)).append('\n');
            }
            if (call.toClient != null) {
                out.append("    ").append(gre(call.toClient)).append('\n');
            }
            ppp(x.ppp, "    ", true);
        }
    }

    private void message(PptpMessage m, String indent) {
        out.append(indent).append(String.format(Locale.ROOT, "%-8s %-9s %s  %s", ref(m.at), time(m.at.nanos()),
                m.fromClient ? "C→S" : "S→C", m.name));
        if (m.callId >= 0) {
            out.append("  call ID ").append(m.callId);
        }
        if (m.peerCallId >= 0) {
            out.append("  peer call ID ").append(m.peerCallId);
        }
        if (m.resultCode >= 0) {
            out.append("  ").append(m.result());
        }
        if (m.hostName != null && !m.hostName.isEmpty()) {
            out.append("  host '").append(m.hostName).append('\'');
        }
        if (m.vendor != null && !m.vendor.isEmpty()) {
            out.append("  vendor '").append(m.vendor).append('\'');
        }
        out.append('\n');
    }

    // ------------------------------------------------------------------ GRE

    private String gre(GreTunnel g) {
        StringBuilder sb = new StringBuilder();
        sb.append("GREv").append(g.version).append(' ').append(g.src).append(" → ").append(g.dst);
        if (g.key >= 0) {
            sb.append(g.version == 1 ? " call ID " : String.format(" key 0x%08x", g.key)).append(g.version == 1 ? g.key : "");
        }
        if (g.protocol != null) {
            sb.append(" (").append(g.protocol).append(')');
        }
        sb.append(": ").append(g.packets).append(" packets, ").append(g.bytes).append(" bytes, frames ").append(ref(g.first))
                .append('–').append(ref(g.last));
        if (g.highestSeq >= 0) {
            sb.append(", seq ").append(g.firstSeq).append('–').append(g.highestSeq);
        }
        if (g.missing > 0) {
            sb.append(", ").append(g.missing).append(" missing");
        }
        if (g.replays > 0) {
            sb.append(", ").append(g.replays).append(" replayed or reordered");
        }
        if (g.keepalives > 0) {
            sb.append(", ").append(g.keepalives).append(" keepalives");
        }
        if (g.ackOnly > 0) {
            sb.append(", ").append(g.ackOnly).append(" acknowledgement-only");
        }
        return sb.toString();
    }
}
