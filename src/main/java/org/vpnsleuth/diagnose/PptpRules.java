package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.IcmpError;
import org.vpnsleuth.track.PptpCall;
import org.vpnsleuth.track.PptpControl;
import org.vpnsleuth.track.PptpMessage;

/**
 * The PPTP rules (RFC 2637): the TCP connection to port 1723, the control connection
 * (Start-Control-Connection-Request/Reply with its result code), each call (Outgoing-Call-Request/
 * Reply or Incoming-Call-Request/Reply/Connected) and the PPP its enhanced GRE carries. A refusal in
 * a reply's result code is PPTP_REJECTED (RFC 2637 §2.2, §2.8: result codes other than 1); a call that
 * connected and ended before any PPP frame is PPP_NOT_STARTED; an unanswered request or a refused
 * TCP connection is NO_RESPONSE.
 */
public final class PptpRules {
    static final String TCP = "PPTP TCP";
    static final String SCCRQ = "PPTP SCCRQ";
    static final String SCCRP = "PPTP SCCRP";

    private final long captureEnd;
    private final List<IcmpError> icmpErrors;
    private final PppRules ppp;

    public PptpRules(long captureEnd, List<IcmpError> icmpErrors) {
        this.captureEnd = captureEnd;
        this.icmpErrors = icmpErrors;
        this.ppp = new PppRules(captureEnd);
    }

    private boolean nearEnd(long nanos) {
        return captureEnd - nanos < Diagnoser.END_SLACK_NANOS;
    }

    private static Evidence ev(PptpMessage m, String what) {
        return new Evidence(m.at, what);
    }

    private static String side(boolean client) {
        return client ? "client" : "server";
    }

    /** What a reply's result code means and the fix (RFC 2637 §2.2, §2.8, §2.10, §2.13). */
    private static String[] meaning(PptpMessage m) {
        String r = m.resultName != null ? m.resultName : "result " + m.resultCode;
        return switch (m.type) {
            case 2 -> switch (m.resultCode) {
                case 3 -> new String[] {"a control connection between these two already exists", "Clear the stale session on the server."};
                case 4 -> new String[] {"the client is not authorized to open a control connection", "Allow the client on the"
                    + " server (its access list / pptpd's tcp wrappers)."};
                case 5 -> new String[] {"the server does not support the client's protocol version", "Use PPTP version 1.0."};
                default -> new String[] {"the server refused the control connection (" + r + ")", "Read the server's PPTP log."};
            };
            case 8 -> switch (m.resultCode) {
                case 3, 4, 5 -> new String[] {"the call failed on the server's side (" + r + ")", "Read the server's log for the call."};
                case 6 -> new String[] {"the server timed the call out", "Check the server's load and limits."};
                case 7 -> new String[] {"the server does not accept the call (Do Not Accept): a per-user or connection limit,"
                    + " or policy", "Check the server's call limits (pptpd `connections`, maximum sessions) and policy."};
                default -> new String[] {"the server could not place the call (" + r + (m.errorName != null && m.errorCode > 0
                    ? ", " + m.errorName : "") + ")", "Read the server's log for the call (no free call IDs, no address, pppd)."};
            };
            case 13 -> new String[] {"the server disconnected the call (" + r + (m.callStatistics != null && !m.callStatistics.isEmpty()
                ? ", '" + m.callStatistics + "'" : "") + ")", "Read the server's PPP log for the call."};
            default -> new String[] {"the peer refused (" + r + ")", "Read the peer's PPTP log."};
        };
    }

    /** {@link #diagnose(PptpControl)}, with a rule failure reported as a finding. */
    public TunnelDiagnosis diagnoseSafely(PptpControl c) {
        return TunnelDiagnosis.safely("PPTP connection", c, () -> diagnose(c));
    }

    public TunnelDiagnosis diagnose(PptpControl c) {
        TunnelDiagnosis d = new TunnelDiagnosis("PPTP connection", c);
        PptpMessage rq = c.first(1);
        PptpMessage rp = c.first(2);
        if (rq == null && c.messages.isEmpty()) {
            tcpOnly(c, d);
            return d;
        }
        if (rq == null) {
            boolean both = c.messages.stream().anyMatch(m -> m.fromClient) && c.messages.stream().anyMatch(m -> !m.fromClient);
            d.verdict = both ? Verdict.ESTABLISHED : Verdict.INCOMPLETE;
            if (!both) {
                d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, null, "the capture starts after the control connection was set up",
                        "No Start-Control-Connection-Request in the capture.", "Capture from the start of the connection.",
                        List.of(ev(c.messages.get(0), "first message seen")), List.of()));
            }
        } else if (rp == null) {
            d.stoppedAt = SCCRQ;
            List<Evidence> e = new ArrayList<>();
            e.add(ev(rq, "Start-Control-Connection-Request"));
            if (c.serverClosed != null) {
                e.add(new Evidence(c.serverClosed, "the server closed the TCP connection (" + (c.serverReset ? "RST" : "FIN") + ")"));
                d.verdict = Verdict.FAILED;
                d.lead(finding(Cause.NO_RESPONSE, Confidence.MEDIUM, SCCRQ,
                        "the server closed the connection without answering Start-Control-Connection-Request",
                        "TCP to port 1723 worked, but the server sent no Start-Control-Connection-Reply and closed the"
                                + " connection: it does not accept this client (access list, connection limit) or is not a"
                                + " PPTP server.",
                        "Read the server's PPTP log (pptpd 'MGR:' lines); check its connection limit and access rules.", e,
                        List.of(Cause.PPTP_REJECTED)));
            } else if (nearEnd(rq.at.nanos())) {
                d.verdict = Verdict.INCOMPLETE;
                d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, SCCRQ, "the capture ends right after the"
                        + " Start-Control-Connection-Request", "No time for an answer.", "Capture for longer.", e, List.of()));
            } else {
                d.verdict = Verdict.FAILED;
                d.lead(finding(Cause.NO_RESPONSE, Confidence.MEDIUM, SCCRQ, "no Start-Control-Connection-Reply",
                        "The server took the TCP connection but never answered the control connection request.",
                        "Read the server's PPTP log.", e, List.of()));
            }
            return d;
        } else if (rp.resultCode > 1) {
            d.stoppedAt = SCCRQ;
            d.verdict = Verdict.FAILED;
            String[] m = meaning(rp);
            d.lead(finding(Cause.PPTP_REJECTED, Confidence.HIGH, SCCRQ,
                    "the server refused the PPTP control connection: " + rp.result(),
                    "The Start-Control-Connection-Reply carries " + rp.result() + ": " + m[0] + ".", m[1],
                    List.of(ev(rq, "Start-Control-Connection-Request"), ev(rp, "Start-Control-Connection-Reply (" + rp.result() + ")")),
                    List.of()));
            return d;
        } else {
            d.verdict = Verdict.ESTABLISHED;
            d.stoppedAt = SCCRP;
        }
        for (PptpCall call : c.calls) {
            d.children.add(call(c, call));
        }
        PptpMessage stop = c.first(3);
        if (stop != null) {
            d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, d.stoppedAt,
                    "the " + side(stop.fromClient) + " closed the control connection (Stop-Control-Connection-Request"
                            + (stop.reason != null ? ", reason " + stop.reason : "") + ")",
                    "A Stop-Control-Connection-Request ended the control connection.", "", List.of(ev(stop,
                            "Stop-Control-Connection-Request")), List.of()));
        }
        echoes(c, d);
        if (d.main == null && !d.findings.isEmpty()) {
            d.main = d.findings.get(0);
        }
        return d;
    }

    private void tcpOnly(PptpControl c, TunnelDiagnosis d) {
        d.stoppedAt = TCP;
        List<Evidence> e = new ArrayList<>();
        if (c.syn != null) {
            e.add(new Evidence(c.syn, "TCP SYN to port 1723" + (c.synCount > 1 ? " (sent " + c.synCount + " times)" : "")));
        }
        if (c.refused != null) {
            e.add(new Evidence(c.refused, "TCP RST from the server"));
            d.verdict = Verdict.FAILED;
            d.lead(finding(Cause.NO_RESPONSE, Confidence.HIGH, TCP,
                    "the TCP connection to " + c.server + " was refused (RST): no PPTP server listens there",
                    "The server answered the SYN to port 1723 with a reset: nothing listens on TCP 1723 (pptpd / RRAS not"
                            + " running) or a firewall rejects it.",
                    "Start the PPTP service on " + c.server.address() + " (pptpd, Windows RRAS) and allow TCP 1723 and GRE"
                            + " (IP protocol 47) through the firewalls.", e, List.of()));
            return;
        }
        for (IcmpError x : icmpErrors) {
            if (c.server.address().equals(x.quotedDst()) && x.quotedProtocol() == 6) {
                e.add(new Evidence(x.at(), "ICMP " + x.what() + " from " + x.from()));
            }
        }
        if (c.synAck != null) {
            e.add(new Evidence(c.synAck, "TCP SYN-ACK"));
            d.verdict = nearEnd(c.synAck.nanos()) ? Verdict.INCOMPLETE : Verdict.FAILED;
            d.lead(finding(d.verdict == Verdict.INCOMPLETE ? Cause.CAPTURE_INCOMPLETE : Cause.UNKNOWN, Confidence.LOW, SCCRQ,
                    "TCP 1723 connected but no PPTP message followed", "The client never sent its"
                            + " Start-Control-Connection-Request.", "Read the client's PPTP log.", e, List.of()));
            return;
        }
        if (c.syn == null) {
            d.verdict = Verdict.INCOMPLETE;
            d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, TCP, "only part of the TCP connection is in the capture",
                    "", "", e, List.of()));
            return;
        }
        boolean icmp = e.size() > 1;
        if (c.synCount < 2 && !icmp && nearEnd(c.syn.nanos())) {
            d.verdict = Verdict.INCOMPLETE;
            d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, TCP, "the capture ends right after the TCP SYN",
                    "No time for an answer.", "Capture for longer.", e, List.of(Cause.NO_RESPONSE)));
            return;
        }
        d.verdict = Verdict.FAILED;
        d.lead(finding(Cause.NO_RESPONSE, c.synCount >= 2 || icmp ? Confidence.HIGH : Confidence.MEDIUM, TCP,
                "no answer to the TCP SYN to " + c.server + (c.synCount > 1 ? " (sent " + c.synCount + " times)" : ""),
                "The PPTP server never answered the TCP connection attempt: TCP 1723 is filtered on the way, or the server is"
                        + " down or unreachable.",
                "Check reachability and TCP 1723 towards " + c.server.address() + " (firewalls, ACLs).", e, List.of()));
    }

    private static void echoes(PptpControl c, TunnelDiagnosis d) {
        for (boolean fromClient : new boolean[] {true, false}) {
            List<Evidence> e = new ArrayList<>();
            for (PptpMessage m : c.messages) {
                if (m.fromClient == fromClient && m.type == 5) {
                    e.add(ev(m, "Echo-Request from the " + side(fromClient) + ", no reply"));
                } else if (m.fromClient != fromClient) {
                    e.clear();
                }
            }
            if (e.size() >= PppRules.SILENT_REQUESTS) {
                d.findings.add(finding(Cause.PEER_DEAD, Confidence.MEDIUM, d.stoppedAt, "the " + side(!fromClient)
                        + " stopped answering PPTP Echo-Requests (" + e.size() + " unanswered)",
                        "The control connection keepalive got no reply.", "Check the path and the other end.", e, List.of()));
            }
        }
    }

    /** What ended the call after {@code afterNanos}: a Call-Clear-Request, a Call-Disconnect-Notify, a FIN/RST. */
    private static Evidence ended(PptpControl c, PptpCall call, long afterNanos) {
        Evidence best = null;
        for (PptpMessage m : call.messages) {
            if ((m.type == 12 || m.type == 13) && m.at.nanos() >= afterNanos) {
                best = ev(m, "the " + side(m.fromClient) + " sent " + m.name + (m.resultCode >= 0 ? " (" + m.result() + ")" : ""));
                break;
            }
        }
        FrameRef closed = c.closed();
        if (closed != null && closed.nanos() >= afterNanos && (best == null || closed.nanos() < best.at().nanos())) {
            boolean byServer = closed == c.serverClosed;
            best = new Evidence(closed, "the " + side(!byServer) + " closed the control connection ("
                    + (byServer && c.serverReset ? "RST" : "FIN") + ")");
        }
        return best;
    }

    private TunnelDiagnosis call(PptpControl c, PptpCall call) {
        TunnelDiagnosis d = new TunnelDiagnosis("PPTP call", call);
        PptpMessage rq = call.first(call.outgoing ? 7 : 9);
        PptpMessage rp = call.first(call.outgoing ? 8 : 10);
        String rqName = call.outgoing ? "OCRQ" : "ICRQ";
        if (rq != null && rp == null) {
            d.stoppedAt = "PPTP " + rqName;
            List<Evidence> e = new ArrayList<>(List.of(ev(rq, rq.name)));
            if (nearEnd(rq.at.nanos())) {
                d.verdict = Verdict.INCOMPLETE;
                d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, d.stoppedAt, "the capture ends right after " + rq.name,
                        "No time for an answer.", "Capture for longer.", e, List.of(Cause.NO_RESPONSE)));
            } else {
                if (c.closed() != null) {
                    e.add(new Evidence(c.closed(), "TCP connection closed"));
                }
                d.verdict = Verdict.FAILED;
                d.lead(finding(Cause.NO_RESPONSE, Confidence.MEDIUM, d.stoppedAt, "no reply to " + rq.name,
                        "The " + side(!rq.fromClient) + " never answered the call request.", "Read its PPTP log for the call.",
                        e, List.of()));
            }
            return d;
        }
        if (rp != null && rp.resultCode > 1) {
            d.stoppedAt = "PPTP " + rqName;
            d.verdict = Verdict.FAILED;
            String[] m = meaning(rp);
            List<Evidence> e = new ArrayList<>();
            if (rq != null) {
                e.add(ev(rq, rq.name));
            }
            e.add(ev(rp, rp.name + " (" + rp.result() + ")"));
            d.lead(finding(Cause.PPTP_REJECTED, Confidence.HIGH, d.stoppedAt, "the " + side(rp.fromClient) + " refused the call: "
                    + rp.result(), rp.name + " carries " + rp.result() + ": " + m[0] + ".", m[1], e, List.of()));
            return d;
        }
        GreTunnel fromServer = call.toClient;
        GreTunnel fromClient = call.toServer;
        String serverSilent = fromServer == null
                ? "No GRE (IP protocol 47) at all came back from the server for this call: either GRE is dropped on the"
                        + " way (a firewall or NAT that passes TCP 1723 but not GRE, the classic PPTP failure; pppd logs"
                        + " 'LCP: timeout sending Config-Requests') or the server's PPP does not answer; a capture at the"
                        + " server tells which."
                : fromServer.packets == fromServer.ackOnly ? "The server's GRE acknowledgements do come back (" + fromServer.ackOnly
                        + " acknowledgement-only packets), so GRE passes and the server's PPTP stack receives the frames:"
                        + " its PPP daemon does not answer." : null;
        String clientSilent = fromClient == null ? "No GRE at all came from the client for this call: GRE from the client"
                + " is blocked on the way, or its PPP did not start." : null;
        PptpMessage cdn = call.first(13);
        PptpMessage ccrq = call.first(12);
        if (call.ppp != null) {
            d.ppp = ppp.diagnose(call.ppp, serverSilent, clientSilent);
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
            Evidence end = ended(c, call, call.ppp.last.nanos());
            if (d.verdict == Verdict.INCOMPLETE && end != null) {
                // the capture goes on past the end of the call: PPP stopped where it was
                d.verdict = Verdict.FAILED;
                List<Evidence> e = new ArrayList<>(d.main == null ? List.of() : d.main.evidence());
                e.add(end);
                d.lead(PppRules.stalled(d.stoppedAt, end.what() + " while PPP was still in " + d.stoppedAt, e));
            }
            if (cdn != null) {
                d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, d.stoppedAt, "the " + side(cdn.fromClient)
                        + " disconnected the call: " + cdn.result(), "Call-Disconnect-Notify: " + meaning(cdn)[0] + ".", "",
                        List.of(ev(cdn, "Call-Disconnect-Notify (" + cdn.result() + ")")), List.of()));
                if (d.main == null && d.verdict == Verdict.ESTABLISHED) {
                    d.main = d.findings.get(d.findings.size() - 1);
                }
            }
            return d;
        }
        // connected, and no PPP frame at all
        d.stoppedAt = PppRules.LCP;
        d.detail = "no PPP frame in the call";
        long up = rp != null ? rp.at.nanos() : call.messages.isEmpty() ? c.firstNanos() : call.messages.get(0).at.nanos();
        List<Evidence> e = new ArrayList<>();
        if (rp != null) {
            e.add(ev(rp, rp.name + " (" + rp.result() + ")"));
        }
        // what ended the call first: the server closing TCP, a Call-Clear-Request, a Call-Disconnect-Notify
        long endNanos = Long.MAX_VALUE;
        String ender = null;
        if (c.serverClosed != null && c.serverClosed.nanos() >= up) {
            e.add(new Evidence(c.serverClosed, "the server closed the control connection (" + (c.serverReset ? "RST" : "FIN") + ")"));
            endNanos = c.serverClosed.nanos();
            ender = "the server closed the control connection";
        }
        if (ccrq != null) {
            e.add(ev(ccrq, "Call-Clear-Request from the client"));
            if (ccrq.at.nanos() < endNanos) {
                endNanos = ccrq.at.nanos();
                ender = "the client cleared the call (Call-Clear-Request)";
            }
        }
        if (cdn != null) {
            e.add(ev(cdn, "Call-Disconnect-Notify (" + cdn.result() + ")"));
            if (cdn.at.nanos() < endNanos) {
                endNanos = cdn.at.nanos();
                ender = "the server disconnected the call (" + cdn.result() + ")";
            }
        }
        if (c.clientClosed != null && c.clientClosed.nanos() >= up && c.clientClosed.nanos() < endNanos) {
            e.add(new Evidence(c.clientClosed, "the client closed the control connection"));
            endNanos = c.clientClosed.nanos();
            ender = "the client closed the control connection";
        }
        if (ender != null) {
            e.sort(java.util.Comparator.comparingLong(x -> x.at().frame()));
            d.verdict = Verdict.FAILED;
            d.lead(finding(Cause.PPP_NOT_STARTED, Confidence.MEDIUM, d.stoppedAt,
                    "PPP never started: " + ender + " " + L2tpRules.secs(endNanos - up) + " after the call connected, before any PPP frame",
                    "The call came up (" + (rp != null ? rp.name + " " + rp.result() : "connected") + ") and ended before a single"
                            + " GRE/PPP frame in either direction: PPP never started. When the server ends it within"
                            + " moments, its PPP daemon did not start for the call (pptpd logs 'CTRL: ...', pppd errors);"
                            + " when the client gives up after a while, GRE is blocked in both directions or the client's"
                            + " PPP did not start.",
                    "Read the PPP logs of both ends for this call; allow GRE (IP protocol 47) both ways.",
                    e, List.of(Cause.UNKNOWN)));
            return d;
        }
        if (nearEnd(up)) {
            d.verdict = Verdict.INCOMPLETE;
            d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, d.stoppedAt, "the capture ends right after the call"
                    + " connected", "", "Capture for longer.", e, List.of(Cause.PPP_NOT_STARTED)));
            return d;
        }
        d.verdict = Verdict.FAILED;
        d.lead(finding(Cause.PPP_NOT_STARTED, Confidence.MEDIUM, d.stoppedAt, "PPP never started: no GRE/PPP frame in the call for "
                + L2tpRules.secs(captureEnd - up) + " after it connected", "The call is up, but no PPP frame crosses it in"
                        + " either direction: GRE is blocked both ways, or PPP does not start on either end.",
                "Allow GRE (IP protocol 47) between the peers; check that pppd starts for the call.", e, List.of(Cause.UNKNOWN)));
        return d;
    }
}
