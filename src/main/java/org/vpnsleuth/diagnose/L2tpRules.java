package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.track.IcmpError;
import org.vpnsleuth.track.L2tpMessage;
import org.vpnsleuth.track.L2tpSession;
import org.vpnsleuth.track.L2tpTunnel;
import org.vpnsleuth.track.PppSession;

/**
 * The L2TP rules (RFC 2661 §5, RFC 3931 §3.3): a control connection is up when SCCRQ was answered by
 * SCCRP and confirmed by SCCCN; a session when ICRQ/ICRP/ICCN (or OCRQ/OCRP/OCCN) completed and the
 * PPP it carries came up. StopCCN and CDN carry a result code (named from the message's own table,
 * registry/l2tp-result-codes.tsv) and optionally an error code and message: they say why outright.
 * A request that nothing answers (or that only ICMP errors answer) is L2TP_NO_RESPONSE; whether the
 * peer at least acknowledged it (a later Nr above its Ns) tells a lost request from an ignored one.
 */
public final class L2tpRules {
    static final String SCCRQ = "L2TP SCCRQ";
    static final String SCCRP = "L2TP SCCRP";
    static final String SCCCN = "L2TP SCCCN";
    /** Copies of a request from which "no answer" is called certain. */
    static final int RETRIES = 2;

    private final long captureEnd;
    private final List<IcmpError> icmpErrors;
    private final PppRules ppp;

    /** @param captureEnd time of the last frame; @param icmpErrors every ICMP error of the capture(s) */
    public L2tpRules(long captureEnd, List<IcmpError> icmpErrors) {
        this.captureEnd = captureEnd;
        this.icmpErrors = icmpErrors;
        this.ppp = new PppRules(captureEnd);
    }

    boolean nearEnd(long nanos) {
        return captureEnd - nanos < Diagnoser.END_SLACK_NANOS;
    }

    static String secs(long nanos) {
        return nanos < 1_000_000_000L ? String.format(Locale.ROOT, "%d ms", nanos / 1_000_000)
                : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    static Evidence ev(L2tpMessage m, String what) {
        return new Evidence(m.at, what);
    }

    /** Evidence for a message and each of its retransmissions. */
    static List<Evidence> withCopies(L2tpMessage m, String what) {
        List<Evidence> l = new ArrayList<>();
        l.add(ev(m, what));
        for (L2tpMessage c : m.retransmissions) {
            l.add(ev(c, what + " (retransmission)"));
        }
        return l;
    }

    static String sentTimes(L2tpMessage m) {
        if (m.retransmissions.isEmpty()) {
            return "";
        }
        return " sent " + (m.retransmissions.size() + 1) + " times over " + secs(m.lastSentNanos() - m.at.nanos());
    }

    /** ICMP errors about UDP datagrams to {@code address} (port {@code port}) after {@code fromNanos}. */
    List<Evidence> icmp(String address, int port, long fromNanos) {
        List<Evidence> l = new ArrayList<>();
        for (IcmpError e : icmpErrors) {
            if (address.equals(e.quotedDst()) && e.at().nanos() >= fromNanos && (e.quotedProtocol() == 17 || e.quotedProtocol() == 115)
                    && (port == 0 || e.quotedDstPort() == 0 || e.quotedDstPort() == port)) {
                l.add(new Evidence(e.at(), "ICMP " + e.what() + " from " + e.from() + " for a datagram to " + e.quotedDst()
                        + (e.quotedDstPort() > 0 ? " port " + e.quotedDstPort() : "")));
            }
        }
        return l;
    }

    /** True when the other side acknowledged message {@code m} (a later message of it has Nr above m's Ns). */
    static boolean acknowledged(L2tpTunnel t, L2tpMessage m) {
        if (m.ns < 0) {
            return false;
        }
        for (L2tpMessage x : t.messages) {
            if (x.fromInitiator != m.fromInitiator && x.at.nanos() >= m.at.nanos() && x.nr >= 0
                    && ((x.nr - m.ns - 1) & 0xffff) < 0x8000) {
                return true;
            }
        }
        return false;
    }

    /** The result code of a StopCCN/CDN in an engineer's terms, with what to do. */
    static String[] meaning(L2tpMessage m) {
        String msg = m.errorMessage == null ? "" : m.errorMessage.toLowerCase(Locale.ROOT);
        boolean stop = m.type == 4;
        if (msg.contains("challenge") || msg.contains("authenticat") && stop) {
            return new String[] {"the tunnel authentication (Challenge/Challenge Response AVPs, RFC 2661 §5.1.1) failed: the"
                + " two ends have different tunnel secrets",
                "Make the tunnel secret the same on both ends (xl2tpd `challenge = yes` and the `auth file` l2tp-secrets,"
                    + " Cisco `l2tp tunnel password`), or turn tunnel authentication off on both."};
        }
        if (stop && (m.resultCode == 4 || msg.contains("authoriz") || msg.contains("denied"))) {
            return new String[] {"the peer does not accept control connections from this address or host name",
                "Allow the LAC on the LNS (xl2tpd `access control` with a `lac = ` range, Cisco `vpdn-group ... terminate-from"
                    + " hostname`); check the Host Name AVP it expects."};
        }
        if (stop && msg.contains("timeout")) {
            return new String[] {"the sender gave up waiting: its control messages went unacknowledged until its"
                + " retransmissions ran out (xl2tpd 'Maximum retries exceeded for tunnel')",
                "Find out why the peer stopped acknowledging (see the unanswered messages before the StopCCN): a lost or"
                    + " filtered message blocks the peer's receive window, or the peer's daemon hangs."};
        }
        if (stop) {
            return switch (m.resultCode) {
                case 1 -> new String[] {"the peer closed the control connection on request (an administrative disconnect or"
                    + " the last session ending)", "Nothing to fix if it was intended; otherwise read the peer's log for why."};
                case 3 -> new String[] {"a control connection between these peers already exists", "Clear the stale tunnel on"
                    + " the peer, or let it time out."};
                case 5 -> new String[] {"the peer does not support the protocol version asked for", "Use L2TP version 2"
                    + " (Protocol Version AVP 1.0) on both."};
                case 6 -> new String[] {"the peer is shutting down", "Retry later; check why the peer's L2TP service stops."};
                case 7 -> new String[] {"the peer saw a message it did not expect in its state (finite state machine error)",
                    "Read both ends' logs; a retransmission or a restart on one side often causes it."};
                case 8 -> new String[] {"the control channel data sequencing settings do not match", "Align the sequencing"
                    + " settings of both ends (RFC 3931 §5.4.2)."};
                default -> new String[] {"the peer refused the control connection (general error" + (m.errorMessage != null
                    ? ": '" + m.errorMessage + "'" : "") + ")", "Read the peer's L2TP log for this time."};
            };
        }
        return switch (m.resultCode) {
            case 1 -> new String[] {"the call was disconnected (loss of carrier or circuit): on an L2TP VPN this means the"
                + " sending end's PPP for the session went away (pppd exited or could not start)",
                "Read the sending end's PPP log for the session (pppd exit status, /dev/ppp, plugin errors)."};
            case 2 -> new String[] {"the call was disconnected for the reason in the error code" + (m.errorMessage != null
                ? ": '" + m.errorMessage + "'" : ""), "Read the sending end's L2TP log for this call."};
            case 3 -> new String[] {"the call was disconnected for administrative reasons", "Nothing to fix if it was intended."};
            case 4, 5 -> new String[] {"the peer lacks the facilities for the call (" + (m.resultCode == 4 ? "temporary" : "permanent")
                + "): no free session, no PPP, a limit reached", "Check the peer's session limits and its PPP setup."};
            case 6 -> new String[] {"the called destination is invalid", "Check the called number / LNS name."};
            case 10 -> new String[] {"the call was not established within the time allowed by the LAC", "Check the LNS's"
                + " response time and the path."};
            case 11 -> new String[] {"the call connected but no framing (PPP) was detected", "Check that PPP runs on both ends."};
            default -> new String[] {"the peer disconnected the call (" + (m.resultName != null ? m.resultName : "result "
                + m.resultCode) + ")", "Read the peer's L2TP log for this call."};
        };
    }

    static String who(L2tpTunnel t, boolean initiator) {
        return (initiator ? "initiator " : "responder ") + (initiator ? t.initiator.address() : t.responder.address());
    }

    /** {@link #diagnose(L2tpTunnel)}, with a rule failure reported as a finding. */
    public TunnelDiagnosis diagnoseSafely(L2tpTunnel t) {
        return TunnelDiagnosis.safely("L2TP tunnel", t, () -> diagnose(t));
    }

    /** {@link #diagnose(PppSession)}, with a rule failure reported as a finding. */
    public TunnelDiagnosis diagnoseSafely(PppSession s) {
        return TunnelDiagnosis.safely("PPP session", s, () -> diagnose(s));
    }

    /** A PPP session carried by PPPoE, on a PPP link, or in GRE without its PPTP call. */
    public TunnelDiagnosis diagnose(PppSession s) {
        return ppp.diagnose(s, null, null);
    }

    // ------------------------------------------------------------------ tunnel

    public TunnelDiagnosis diagnose(L2tpTunnel t) {
        TunnelDiagnosis d = new TunnelDiagnosis("L2TP tunnel", t);
        control(t, d);
        for (L2tpSession s : t.sessions) {
            d.children.add(session(t, s, d));
        }
        if (d.main == null && d.verdict == Verdict.ESTABLISHED && !d.findings.isEmpty()) {
            d.main = d.findings.get(0);
        }
        return d;
    }

    private void control(L2tpTunnel t, TunnelDiagnosis d) {
        L2tpMessage rq = t.first("SCCRQ", true);
        L2tpMessage rp = t.first("SCCRP", false);
        L2tpMessage cn = t.first("SCCCN", true);
        L2tpMessage stopR = t.first("StopCCN", false);
        L2tpMessage stopI = t.first("StopCCN", true);
        if (rq == null) {
            // the capture starts after the set-up
            boolean both = false;
            boolean fromI = false;
            boolean fromR = false;
            for (L2tpMessage m : t.messages) {
                fromI |= m.fromInitiator;
                fromR |= !m.fromInitiator;
            }
            both = fromI && fromR || t.sessions.stream().anyMatch(s -> s.ppp != null && s.ppp.dataFromA > 0 && s.ppp.dataFromB > 0);
            d.verdict = both || rp != null || cn != null ? Verdict.ESTABLISHED : Verdict.INCOMPLETE;
            d.stoppedAt = cn != null ? SCCCN : null;
            if (d.verdict == Verdict.INCOMPLETE) {
                d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, null,
                        "the capture starts after the control connection was set up and shows one direction only",
                        "No SCCRQ in the capture, and messages from one side only.", "Capture from the start of the tunnel.",
                        t.messages.isEmpty() ? List.of() : List.of(ev(t.messages.get(0), "first message seen")), List.of()));
            }
            tunnelEnd(t, d, stopI, stopR);
            return;
        }
        if (rp == null) {
            d.stoppedAt = SCCRQ;
            if (stopR != null) {
                d.verdict = Verdict.FAILED;
                d.lead(refused(t, rq, stopR, SCCRQ, "SCCRQ"));
                return;
            }
            Finding f = unanswered(t, rq, SCCRQ, "SCCRQ", t.responder.address(), t.responder.port(),
                    "the L2TP daemon (xl2tpd, the LNS) does not run on " + t.responder.address() + " or does not listen on UDP "
                            + t.responder.port());
            d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            d.lead(f);
            return;
        }
        if (cn == null) {
            d.stoppedAt = SCCRP;
            if (stopI != null) {
                d.verdict = Verdict.FAILED;
                d.lead(refused(t, rp, stopI, SCCRP, "SCCRP"));
                return;
            }
            if (stopR != null) {
                d.verdict = Verdict.FAILED;
                d.lead(refused(t, rp, stopR, SCCRP, "SCCRP"));
                return;
            }
            Finding f = unanswered(t, rp, SCCRP, "SCCRP", t.initiator.address(), t.initiator.port(),
                    "the initiator did not confirm the control connection (its SCCCN never came)");
            d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            d.lead(f);
            return;
        }
        d.stoppedAt = SCCCN;
        if (stopR != null && stopR.at.nanos() < cn.at.nanos()) {
            stopR = null;
        }
        if (stopR != null && answers(t, cn, stopR)) {
            // RFC 2661 §5.1: the control connection is up only once the responder accepts the SCCCN; a StopCCN that is
            // the responder's next message refuses it (typically the Challenge Response in the SCCCN did not verify)
            d.verdict = Verdict.FAILED;
            d.lead(refused(t, cn, stopR, SCCCN, "SCCCN"));
            return;
        }
        d.verdict = Verdict.ESTABLISHED;
        tunnelEnd(t, d, stopI, stopR);
    }

    /**
     * True when {@code stop} answers {@code q}: it comes from the other side and that side sent no other message (a ZLB
     * or a retransmission aside) between {@code q} and it, so {@code q} is the last thing it accepted or refused.
     */
    static boolean answers(L2tpTunnel t, L2tpMessage q, L2tpMessage stop) {
        if (stop.fromInitiator == q.fromInitiator || stop.at.nanos() < q.at.nanos()) {
            return false;
        }
        for (L2tpMessage x : t.messages) {
            if (x.fromInitiator == stop.fromInitiator && x != stop && !x.zlb() && x.retransmissionOf == null
                    && x.at.nanos() > q.at.nanos() && x.at.nanos() < stop.at.nanos()) {
                return false;
            }
        }
        for (L2tpSession s : t.sessions) {
            for (L2tpMessage x : s.messages) {
                if (x.fromInitiator == stop.fromInitiator && x.retransmissionOf == null && x.at.nanos() > q.at.nanos()
                        && x.at.nanos() < stop.at.nanos()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Tunnel authentication (RFC 2661 §4.2, §5.1.1) in a StopCCN refusing {@code q}: {@code q} carried the Challenge
     * Response to the refuser's Challenge (the refuser computed another response: the secrets differ), or {@code q}
     * challenged the refuser and its StopCCN carries no response (it has no secret to answer with). Null when the
     * exchange shows neither.
     */
    static String secretRefusal(L2tpMessage q, L2tpMessage stop) {
        if (stop.type != 4 || stop.resultCode == 1) {
            return null;
        }
        if (q.challengeResponse) {
            return "the " + (q.fromInitiator ? "initiator" : "responder") + "'s " + q.name + " carried a Challenge Response"
                    + " that the " + (stop.fromInitiator ? "initiator" : "responder") + " did not accept: the two ends compute"
                    + " it (RFC 2661 §4.2: MD5 over the message type, the tunnel secret and the challenge) with different"
                    + " tunnel secrets";
        }
        String msg = stop.errorMessage == null ? "" : stop.errorMessage.toLowerCase(Locale.ROOT);
        if (q.challenge && !stop.challengeResponse && !msg.contains("authoriz") && !msg.contains("denied")) {
            return "the " + (q.fromInitiator ? "initiator" : "responder") + "'s " + q.name + " challenged the "
                    + (stop.fromInitiator ? "initiator" : "responder") + " (Challenge AVP), which refused instead of answering:"
                    + " it has no tunnel secret for this peer (a secret on one end only)";
        }
        return null;
    }

    /** Findings of an established tunnel: who closed it and why, hellos that went unanswered. */
    private void tunnelEnd(L2tpTunnel t, TunnelDiagnosis d, L2tpMessage stopI, L2tpMessage stopR) {
        L2tpMessage stop = stopI == null ? stopR : stopR == null ? stopI : stopI.at.nanos() <= stopR.at.nanos() ? stopI : stopR;
        if (stop != null) {
            String[] m = meaning(stop);
            List<Evidence> e = withCopies(stop, "StopCCN from the " + (stop.fromInitiator ? "initiator" : "responder")
                    + " (" + stop.result() + ")");
            // the closing side's earlier messages that the other never acknowledged: the other side stopped answering
            List<L2tpMessage> lost = new ArrayList<>();
            for (L2tpMessage x : t.messages) {
                if (x.fromInitiator == stop.fromInitiator && x.retransmissionOf == null && !x.zlb() && x != stop
                        && x.at.nanos() < stop.at.nanos() && !x.retransmissions.isEmpty() && !acknowledged(t, x)) {
                    lost.add(x);
                }
            }
            if (!lost.isEmpty() && !acknowledged(t, stop)) {
                List<Evidence> le = new ArrayList<>();
                for (L2tpMessage x : lost) {
                    le.addAll(withCopies(x, x.name + " (Ns " + x.ns + "), never acknowledged"));
                }
                le.addAll(e);
                d.findings.add(finding(Cause.PEER_DEAD, Confidence.HIGH, d.stoppedAt,
                        "the " + who(t, !stop.fromInitiator) + " stopped acknowledging control messages after Ns "
                                + (lost.get(0).ns - 1) + "; the " + (stop.fromInitiator ? "initiator" : "responder")
                                + " gave up with StopCCN " + stop.result(),
                        "The " + (stop.fromInitiator ? "initiator" : "responder") + "'s " + lost.get(0).name
                                + sentTimes(lost.get(0)) + " was never acknowledged (no Nr above its Ns came back), nor was"
                                + " the StopCCN" + sentTimes(stop) + ": the peer's control channel was dead for it (the"
                                + " message lost or filtered, the peer's receive window blocked, or the peer hung).",
                        m[1], le, List.of()));
                return;
            }
            d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, d.stoppedAt,
                    "the " + who(t, stop.fromInitiator) + " closed the control connection: StopCCN " + stop.result(),
                    "StopCCN after the tunnel was up: " + m[0] + "." + (acknowledged(t, stop) ? ""
                            : " The StopCCN was never acknowledged" + sentTimes(stop) + ": the peer no longer answered."),
                    m[1], e, List.of()));
        }
        // a HELLO (keepalive) that the peer never acknowledged: the peer or the path is gone
        for (L2tpMessage m : t.messages) {
            if (m.retransmissionOf == null && "HELLO".equals(m.name) && !m.retransmissions.isEmpty() && !acknowledged(t, m)) {
                d.findings.add(finding(Cause.PEER_DEAD, Confidence.HIGH, d.stoppedAt,
                        "the " + who(t, !m.fromInitiator) + " stopped answering: HELLO" + sentTimes(m) + " without acknowledgement",
                        "The L2TP keepalive (HELLO, RFC 2661 §6.5) was retransmitted and never acknowledged.",
                        "Check the path and the peer's L2TP daemon.", withCopies(m, "HELLO"), List.of()));
                break;
            }
        }
    }

    /** A StopCCN/CDN in answer to {@code q}: L2TP_REJECTED with the result code, L2TP_SECRET_MISMATCH for tunnel authentication. */
    private Finding refused(L2tpTunnel t, L2tpMessage q, L2tpMessage stop, String at, String what) {
        String[] m = meaning(stop);
        List<Evidence> e = withCopies(q, what + " from the " + (q.fromInitiator ? "initiator" : "responder"));
        e.add(ev(stop, stop.name + " from the " + (stop.fromInitiator ? "initiator" : "responder") + " (" + stop.result() + ")"));
        String kind = stop.type == 4 ? "control connection" : "session";
        String secret = secretRefusal(q, stop);
        if (secret != null) {
            String msg = stop.errorMessage == null ? "" : stop.errorMessage.toLowerCase(Locale.ROOT);
            boolean said = msg.contains("challenge") || msg.contains("secret") || msg.contains("authenticat");
            return finding(Cause.L2TP_SECRET_MISMATCH, said ? Confidence.HIGH : Confidence.MEDIUM, at,
                    "the " + who(t, stop.fromInitiator) + " refused the tunnel authentication: StopCCN " + stop.result(),
                    "The " + (stop.fromInitiator ? "initiator" : "responder") + " answered " + what + " with StopCCN: " + secret
                            + "." + (said ? "" : " The StopCCN does not name the reason; its result code and the challenge"
                                    + " exchange point to the tunnel secret."),
                    "Make the tunnel secret the same on both ends (xl2tpd `challenge = yes` and the `auth file`"
                            + " l2tp-secrets, Cisco `l2tp tunnel password` / `l2tp tunnel authentication`), or turn tunnel"
                            + " authentication off on both.",
                    e, said ? List.of() : List.of(Cause.L2TP_REJECTED));
        }
        return finding(Cause.L2TP_REJECTED, Confidence.HIGH, at,
                "the " + who(t, stop.fromInitiator) + " refused the " + kind + ": " + stop.name + " " + stop.result(),
                "The " + (stop.fromInitiator ? "initiator" : "responder") + " answered " + what + " with " + stop.name + ": "
                        + m[0] + ".",
                m[1], e, List.of());
    }

    /** A request nothing answered: L2TP_NO_RESPONSE (or CAPTURE_INCOMPLETE at the end of the capture). */
    private Finding unanswered(L2tpTunnel t, L2tpMessage q, String at, String what, String peer, int port, String icmpWhy) {
        List<Evidence> e = withCopies(q, what);
        List<Evidence> icmp = icmp(peer, port, q.at.nanos());
        e.addAll(icmp);
        boolean acked = acknowledged(t, q);
        if (q.retransmissions.isEmpty() && icmp.isEmpty() && nearEnd(q.at.nanos())) {
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, at,
                    "the capture ends " + secs(captureEnd - q.at.nanos()) + " after " + what + ", before an answer could be expected",
                    "The " + what + " was sent once, just before the capture ended.", "Capture for longer.", e,
                    List.of(Cause.L2TP_NO_RESPONSE));
        }
        String why;
        String fix;
        if (!icmp.isEmpty()) {
            why = "Every answer to " + what + sentTimes(q) + " was an ICMP error (" + icmp.size() + "): " + icmpWhy
                    + ", or a firewall on the way rejects UDP " + port + ".";
            fix = "Start the L2TP daemon on " + peer + " (xl2tpd, `listen-addr`/`port`), check firewalls for UDP " + port + ".";
        } else if (acked) {
            why = "The peer acknowledged " + what + " (its Nr moved past the Ns) but never answered it: it received the request"
                    + " and chose not to reply (no matching configuration, a resource limit, or it is stuck).";
            fix = "Read " + peer + "'s L2TP log for this time: it saw the request.";
        } else {
            why = "Nothing came back for " + what + sentTimes(q) + ", not even an acknowledgement (ZLB): the peer never"
                    + " received it (UDP " + port + " filtered or lost on the way, " + peer + " down or unreachable), or"
                    + " drops it silently.";
            fix = "Check reachability and UDP " + port + " towards " + peer + " (ACLs, firewalls, NAT; L2TP over IPsec needs"
                    + " the IPsec SA first); capture on " + peer + " to see whether the request arrives.";
        }
        return finding(Cause.L2TP_NO_RESPONSE, q.retransmissions.size() >= RETRIES || !icmp.isEmpty() ? Confidence.HIGH
                : Confidence.MEDIUM, at, "no answer to " + what + sentTimes(q) + (icmp.isEmpty() ? "" : ", only ICMP errors"),
                why, fix, e, List.of());
    }

    // ------------------------------------------------------------------ sessions

    private TunnelDiagnosis session(L2tpTunnel t, L2tpSession s, TunnelDiagnosis tunnel) {
        TunnelDiagnosis d = new TunnelDiagnosis("L2TP session", s);
        String rqName = s.first("OCRQ", true) != null ? "OCRQ" : "ICRQ";
        String rpName = rqName.equals("OCRQ") ? "OCRP" : "ICRP";
        String cnName = rqName.equals("OCRQ") ? "OCCN" : "ICCN";
        L2tpMessage rq = s.first(rqName, true);
        L2tpMessage rp = s.first(rpName, false);
        L2tpMessage cn = s.first(cnName, true);
        L2tpMessage cdnA = s.first("CDN", false);
        L2tpMessage cdnC = s.first("CDN", true);
        L2tpMessage cdn = cdnA == null ? cdnC : cdnC == null ? cdnA : cdnA.at.nanos() <= cdnC.at.nanos() ? cdnA : cdnC;
        String caller = s.byInitiator ? "initiator" : "responder";
        String callerAddr = s.byInitiator ? t.initiator.address() : t.responder.address();
        String answerAddr = s.byInitiator ? t.responder.address() : t.initiator.address();
        int answerPort = s.byInitiator ? t.responder.port() : t.initiator.port();
        if (s.ppp != null) {
            d.ppp = ppp.diagnose(s.ppp, null, null);
        }
        if (rq != null && rp == null) {
            d.stoppedAt = "L2TP " + rqName;
            if (cdnA != null) {
                d.verdict = Verdict.FAILED;
                d.lead(refused(t, rq, cdnA, d.stoppedAt, rqName));
                return d;
            }
            L2tpMessage stop = t.first("StopCCN", null);
            if (stop != null && stop.at.nanos() >= rq.at.nanos() && tunnel.verdict == Verdict.FAILED && tunnel.main != null) {
                // the control connection was refused under the request: the session goes with it
                d.verdict = Verdict.FAILED;
                List<Evidence> e = new ArrayList<>(withCopies(rq, rqName));
                e.addAll(tunnel.main.evidence());
                d.lead(finding(tunnel.main.cause(), tunnel.main.confidence(), d.stoppedAt,
                        "the tunnel was refused before the " + rqName + " was answered: " + tunnel.main.headline(),
                        "The " + caller + " sent " + rqName + " right after its part of the tunnel set-up, and the control"
                                + " connection was refused (StopCCN " + stop.result() + "), which ends every session in it.",
                        tunnel.main.fix(), e, tunnel.main.alternatives()));
                return d;
            }
            Finding f = unanswered(t, rq, d.stoppedAt, rqName, answerAddr, answerPort,
                    "the peer's L2TP daemon is gone");
            d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            d.lead(f);
            return d;
        }
        if (rp != null && cn == null && !s.startedLate) {
            d.stoppedAt = "L2TP " + rpName;
            if (cdnC != null) {
                d.verdict = Verdict.FAILED;
                d.lead(refused(t, rp, cdnC, d.stoppedAt, rpName));
                return d;
            }
            Finding f = unanswered(t, rp, d.stoppedAt, rpName, callerAddr, s.byInitiator ? t.initiator.port() : t.responder.port(),
                    "the caller's L2TP daemon is gone");
            d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            d.lead(f);
            return d;
        }
        // the call is connected (or the capture starts later): the PPP inside decides
        if (d.ppp != null) {
            d.verdict = d.ppp.verdict;
            d.stoppedAt = d.ppp.stoppedAt;
            d.detail = d.ppp.detail;
            if (d.ppp.main != null) {
                d.lead(d.ppp.main);
            }
            for (Finding f : d.ppp.findings) {
                if (!d.findings.contains(f)) {
                    d.findings.add(f);
                }
            }
            L2tpMessage stop = t.first("StopCCN", null);
            L2tpMessage end = cdn != null ? cdn : stop != null && stop.at.nanos() >= s.ppp.last.nanos() ? stop : null;
            if (d.verdict == Verdict.INCOMPLETE && end != null && end.at.nanos() >= s.ppp.last.nanos()) {
                // the capture goes on past the end of the session: PPP stopped where it was
                d.verdict = Verdict.FAILED;
                List<Evidence> e = new ArrayList<>(d.main == null ? List.of() : d.main.evidence());
                e.add(ev(end, end.name + " from the " + (end.fromInitiator ? "initiator" : "responder") + " (" + end.result() + ")"));
                d.lead(PppRules.stalled(d.stoppedAt, "the " + who(t, end.fromInitiator) + " ended the session with " + end.name
                        + " while PPP was still in " + d.stoppedAt, e));
            }
            if (cdn != null) {
                String[] m = meaning(cdn);
                Finding f = finding(d.verdict == Verdict.ESTABLISHED ? Cause.DELETED_BY_PEER : Cause.L2TP_REJECTED, Confidence.HIGH,
                        d.stoppedAt, "the " + who(t, cdn.fromInitiator) + " disconnected the session: CDN " + cdn.result(),
                        "CDN " + secs(cdn.at.nanos() - (cn != null ? cn.at.nanos() : s.ppp.first.nanos())) + " after the"
                                + " session came up: " + m[0] + ".", m[1], List.of(ev(cdn, "CDN (" + cdn.result() + ")")), List.of());
                d.findings.add(f);
                if (d.verdict == Verdict.ESTABLISHED && d.main == null) {
                    d.main = f;
                }
            }
            return d;
        }
        if (s.startedLate && cn == null && cdn == null) {
            d.verdict = Verdict.INCOMPLETE;
            d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, null, "the capture starts after this session was set up",
                    "Only later messages of the session are in the capture.", "Capture from the start of the session.",
                    s.messages.isEmpty() ? List.of() : List.of(ev(s.messages.get(0), s.messages.get(0).name)), List.of()));
            return d;
        }
        // connected, and no PPP frame at all
        d.stoppedAt = PppRules.LCP;
        d.detail = "no PPP frame in the session";
        long up = cn != null ? cn.at.nanos() : s.messages.get(0).at.nanos();
        List<Evidence> e = new ArrayList<>();
        if (cn != null) {
            e.add(ev(cn, cnName + " from the caller (" + caller + ")"));
        }
        if (cdn != null) {
            String[] m = meaning(cdn);
            e.addAll(withCopies(cdn, "CDN from the " + (cdn.fromInitiator ? "initiator" : "responder") + " (" + cdn.result() + ")"));
            d.verdict = Verdict.FAILED;
            String ender = cdn.fromInitiator ? "initiator" : "responder";
            // RFC 2661 §5.4: the session is up at ICCN/OCCN; PPP (RFC 1661) starts with the first LCP Configure-Request
            // from either end. A CDN before any PPP frame means one end's PPP never started for the call (or the end
            // refused it after connecting): the CDN's sender is the end whose PPP side went away.
            d.lead(finding(Cause.PPP_NOT_STARTED, Confidence.HIGH, d.stoppedAt,
                    "PPP never started: the " + who(t, cdn.fromInitiator) + " tore the session down with CDN "
                            + secs(cdn.at.nanos() - up) + " after it connected, before any PPP frame: " + cdn.result(),
                    "The session came up (" + cnName + ") and was disconnected by CDN before a single PPP frame crossed it"
                            + " in either direction: " + m[0] + ". The PPP daemon for the session did not start or quit at once"
                            + " on the " + ender + " (xl2tpd logs 'pppd exited for call ...'), or the " + ender + " refused"
                            + " the call after connecting it.",
                    "Read the PPP log of the " + ender + " for this call (pppd options file, /dev/ppp, kernel PPP/L2TP"
                            + " modules, plugins, the LNS's address pool).",
                    e, List.of()));
            return d;
        }
        L2tpMessage stop = t.first("StopCCN", null);
        if (stop != null && stop.at.nanos() >= up) {
            e.add(ev(stop, "StopCCN (" + stop.result() + ")"));
            d.verdict = Verdict.FAILED;
            d.lead(finding(Cause.PPP_NOT_STARTED, Confidence.MEDIUM, d.stoppedAt,
                    "PPP never started: the tunnel was closed " + secs(stop.at.nanos() - up) + " after the session connected,"
                            + " before any PPP frame",
                    "The session's tunnel ended (StopCCN " + stop.result() + ") before PPP started in the session.",
                    meaning(stop)[1], e, List.of(Cause.L2TP_REJECTED)));
            return d;
        }
        if (nearEnd(up)) {
            d.verdict = Verdict.INCOMPLETE;
            d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, d.stoppedAt, "the capture ends right after the session connected",
                    "PPP had no time to start before the capture ended.", "Capture for longer.", e, List.of(Cause.PPP_NOT_STARTED)));
            return d;
        }
        d.verdict = Verdict.FAILED;
        d.lead(finding(Cause.PPP_NOT_STARTED, Confidence.MEDIUM, d.stoppedAt,
                "PPP never started: no PPP frame in the session for " + secs(captureEnd - up) + " after it connected",
                "The L2TP session is up but neither end sends PPP (not even an LCP Configure-Request): PPP did not start on"
                        + " either side for this call.", "Check that pppd is started for the call on both ends (xl2tpd"
                                + " `pppoptfile`, the LAC's `autodial`), and its logs.", e, List.of(Cause.UNKNOWN)));
        return d;
    }
}
