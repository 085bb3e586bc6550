package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.track.PppPacket;
import org.vpnsleuth.track.PppSession;

/**
 * The PPP rules: the phases of RFC 1661 §3.2 as the packets show them. LCP is Opened when each
 * side's latest Configure-Request was acknowledged by the other (or when authentication or NCP
 * packets show the link reached those phases); authentication (PAP RFC 1334, CHAP RFC 1994 with
 * MS-CHAPv2 RFC 2759, EAP RFC 3748) succeeds or fails by its result packet; IPCP (RFC 1332) is
 * Opened like LCP and gives each side's address. The first phase that did not complete is where
 * the session stopped.
 */
final class PppRules {
    static final String LCP = "PPP LCP";
    static final String AUTH = "PPP AUTH";
    static final String IPCP = "PPP IPCP";
    static final String PADI = "PPPoE PADI";
    static final String PADO = "PPPoE PADO";
    static final String PADR = "PPPoE PADR";

    /** Configure-Requests unanswered from which the silence is called certain. */
    static final int SILENT_REQUESTS = 3;

    private final long captureEnd;

    PppRules(long captureEnd) {
        this.captureEnd = captureEnd;
    }

    private boolean nearEnd(long nanos) {
        return captureEnd - nanos < Diagnoser.END_SLACK_NANOS;
    }

    private static Evidence ev(PppPacket p, String what) {
        return new Evidence(p.at, what);
    }

    private static String side(PppSession s, boolean a) {
        return a ? s.sideA : s.sideB;
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** The negotiation state of one RFC 1661 automaton (LCP or an NCP) as the packets show it. */
    static final class Nego {
        final List<PppPacket> requestsA = new ArrayList<>();
        final List<PppPacket> requestsB = new ArrayList<>();
        PppPacket lastReqA;
        PppPacket lastReqB;
        /** The Configure-Ack of each side's latest request (sent by the other side). */
        PppPacket ackOfA;
        PppPacket ackOfB;
        final List<PppPacket> naksAndRejects = new ArrayList<>();
        PppPacket terminate;
        PppPacket openedAt;
        /** Acknowledged requests of each side at the moment it opened. */
        PppPacket openReqA;
        PppPacket openReqB;
        int packetsFromA;
        int packetsFromB;

        boolean opened() {
            return openedAt != null;
        }

        static Nego of(List<PppPacket> packets) {
            Nego n = new Nego();
            for (PppPacket p : packets) {
                if (p.fromA) {
                    n.packetsFromA++;
                } else {
                    n.packetsFromB++;
                }
                switch (p.code) {
                    case 1 -> {
                        (p.fromA ? n.requestsA : n.requestsB).add(p);
                        if (p.fromA) {
                            n.lastReqA = p;
                            n.ackOfA = null;
                        } else {
                            n.lastReqB = p;
                            n.ackOfB = null;
                        }
                    }
                    case 2 -> {
                        PppPacket req = p.fromA ? n.lastReqB : n.lastReqA;
                        if (req != null && req.identifier == p.identifier) {
                            if (p.fromA) {
                                n.ackOfB = p;
                            } else {
                                n.ackOfA = p;
                            }
                        }
                    }
                    case 3, 4 -> n.naksAndRejects.add(p);
                    case 5 -> {
                        if (n.terminate == null) {
                            n.terminate = p;
                        }
                    }
                    default -> {
                    }
                }
                if (n.openedAt == null && n.ackOfA != null && n.ackOfB != null) {
                    n.openedAt = p;
                    n.openReqA = n.lastReqA;
                    n.openReqB = n.lastReqB;
                }
            }
            return n;
        }
    }

    /**
     * @param silentBHint added to the explanation when side B never answers LCP (the carrier's view: GRE
     *     seen or not); @param silentAHint the same for side A
     */
    TunnelDiagnosis diagnose(PppSession s, String silentBHint, String silentAHint) {
        TunnelDiagnosis d = new TunnelDiagnosis("PPP session", s);
        if (discovery(s, d)) {
            return d;
        }
        Nego lcp = Nego.of(s.of("LCP"));
        List<PppPacket> auth = new ArrayList<>();
        boolean ncp = false;
        boolean echo = false;
        for (PppPacket p : s.packets) {
            switch (p.protocol) {
                case "PAP", "CHAP", "EAP" -> auth.add(p);
                case "IPCP", "IPV6CP", "CCP" -> ncp = true;
                case "LCP" -> echo |= p.code >= 9 && p.code <= 12;
                default -> {
                }
            }
        }
        boolean dataBoth = s.dataFromA > 0 && s.dataFromB > 0;
        boolean implicit = !lcp.opened() && (!auth.isEmpty() || ncp || echo || dataBoth);
        List<String> detail = new ArrayList<>();
        if (!lcp.opened() && !implicit) {
            detail.add("LCP not opened");
            d.detail = String.join("; ", detail);
            d.stoppedAt = LCP;
            Finding f = lcpFailure(s, lcp, silentBHint, silentAHint);
            d.lead(f);
            d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            return d;
        }
        detail.add(lcp.opened() ? "LCP opened" : "LCP open before the capture");
        // who authenticates whom: option 3 in the acknowledged Configure-Request of the authenticator
        Boolean authenticatorIsA = null;
        if (lcp.openReqB != null && lcp.openReqB.authProtocol != null) {
            authenticatorIsA = false;
            d.authProtocol = lcp.openReqB.authProtocol;
        }
        if (lcp.openReqA != null && lcp.openReqA.authProtocol != null) {
            authenticatorIsA = true;
            d.authProtocol = lcp.openReqA.authProtocol;
        }
        if (d.authProtocol != null || !auth.isEmpty()) {
            Finding f = auth(s, d, lcp, auth, authenticatorIsA, detail);
            if (f != null) {
                d.detail = String.join("; ", detail);
                d.stoppedAt = AUTH;
                d.lead(f);
                d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
                lcpEnd(s, d, lcp);
                return d;
            }
        }
        Nego ipcp = Nego.of(s.of("IPCP"));
        Nego ipv6cp = Nego.of(s.of("IPV6CP"));
        if (ipcp.opened()) {
            d.addressA = ipcp.openReqA != null ? ipcp.openReqA.address : null;
            d.addressB = ipcp.openReqB != null ? ipcp.openReqB.address : null;
            detail.add("IPCP opened: " + s.sideA + " " + (d.addressA != null ? d.addressA : "?") + ", " + s.sideB + " "
                    + (d.addressB != null ? d.addressB : "?"));
        }
        if (ipv6cp.opened()) {
            detail.add("IPV6CP opened");
        }
        if (s.dataFromA + s.dataFromB > 0) {
            detail.add("data " + s.dataFromA + " packets from " + s.sideA + ", " + s.dataFromB + " from " + s.sideB);
        }
        if (ipcp.opened() || ipv6cp.opened() || dataBoth) {
            d.verdict = Verdict.ESTABLISHED;
            d.stoppedAt = ipcp.opened() ? IPCP : ipv6cp.opened() ? "PPP IPV6CP" : null;
            d.detail = String.join("; ", detail);
            lcpEnd(s, d, lcp);
            if (d.main == null && !d.findings.isEmpty()) {
                d.main = d.findings.get(0);
            }
            return d;
        }
        if (implicit && ipcp.requestsA.isEmpty() && ipcp.requestsB.isEmpty() && d.authProtocol == null && auth.isEmpty()) {
            // only keepalives or one-way data: the session was up before the capture started
            d.verdict = Verdict.INCOMPLETE;
            d.detail = String.join("; ", detail);
            List<Evidence> e = new ArrayList<>();
            if (s.first != null) {
                e.add(new Evidence(s.first, "first packet of the session"));
            }
            d.lead(finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, null,
                    "the capture starts after this PPP session came up (" + (echo ? "LCP Echo" : "packets") + " only"
                            + (s.dataFromA + s.dataFromB > 0 ? ", data in one direction" : "") + ")",
                    "No LCP negotiation, authentication or IPCP is in the capture: the session was set up before the capture"
                            + " started.", "Capture from the start of the session to see its negotiation.", e, List.of()));
            return d;
        }
        // IPCP did not complete
        d.stoppedAt = IPCP;
        d.detail = String.join("; ", detail) + "; IPCP not opened";
        Finding f = ipcpFailure(s, lcp, ipcp, implicit);
        d.lead(f);
        d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
        return d;
    }

    /** A PPP session that its carrier ended while it was still at {@code stoppedAt}. */
    static Finding stalled(String stoppedAt, String headline, List<Evidence> evidence) {
        Cause c = LCP.equals(stoppedAt) ? Cause.PPP_LCP_FAILED : AUTH.equals(stoppedAt) ? Cause.PPP_AUTH_FAILED : Cause.UNKNOWN;
        return finding(c, Confidence.MEDIUM, stoppedAt, headline,
                "The tunnel or call carrying the PPP session ended before " + stoppedAt + " completed; the capture shows no"
                        + " more of the PPP negotiation than what is listed.",
                "Read both ends' PPP logs for this session: the end that closed the call says why.", evidence,
                List.of(Cause.UNKNOWN));
    }

    // ------------------------------------------------------------------ PPPoE discovery

    private static String tag(PppPacket p, String prefix) {
        for (String o : p.options) {
            if (o.startsWith(prefix + " '")) {
                return o.substring(prefix.length() + 1);
            }
        }
        return null;
    }

    private static String requested(List<PppPacket> l) {
        for (PppPacket p : l) {
            String v = tag(p, "Service-Name");
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /**
     * The PPPoE discovery stage (RFC 2516 §5): PADI from the host, PADO from each access concentrator that can serve
     * it, PADR to the chosen one, PADS with the session ID (or with session ID 0 and an error tag: a refusal, §5.4),
     * PADT from either side to end it (§5.5). True when the discovery decided the verdict (it did not reach a
     * session); false when the session came up and PPP decides (or when the capture has no discovery).
     */
    private boolean discovery(PppSession s, TunnelDiagnosis d) {
        List<PppPacket> disc = s.of("PPPoE");
        if (disc.isEmpty()) {
            return false;
        }
        List<PppPacket> padi = new ArrayList<>();
        List<PppPacket> pado = new ArrayList<>();
        List<PppPacket> padr = new ArrayList<>();
        PppPacket pads = null;
        PppPacket padt = null;
        for (PppPacket p : disc) {
            switch (p.code) {
                case 0x09 -> padi.add(p);
                case 0x07 -> pado.add(p);
                case 0x19 -> padr.add(p);
                case 0x65 -> pads = pads == null || pads.identifier == 0 ? p : pads;
                case 0xa7 -> padt = padt == null ? p : padt;
                default -> {
                }
            }
        }
        String ac = s.sideB;
        if (pads != null && pads.identifier != 0 && pads.pppoeError == null) {
            d.detail = "PPPoE discovery: " + ac + ", session " + String.format(Locale.ROOT, "0x%04x", pads.identifier)
                    + (tag(pads, "Service-Name") != null ? ", Service-Name " + tag(pads, "Service-Name") : "");
            return false;
        }
        if (pads == null && padi.isEmpty() && pado.isEmpty() && padr.isEmpty()) {
            return false; // only a PADT of a session whose discovery is not in the capture
        }
        d.detail = "PPPoE discovery: " + padi.size() + " PADI, " + pado.size() + " PADO, " + padr.size() + " PADR, "
                + (pads == null ? "no PADS" : "PADS session " + pads.identifier);
        List<Evidence> e = new ArrayList<>();
        String want = requested(padi.isEmpty() ? padr : padi);
        String wanted = want == null || want.equals("''") ? "any service (empty Service-Name)" : "Service-Name " + want;
        Finding f;
        if (pads != null) {
            d.stoppedAt = PADR;
            for (PppPacket p : padr) {
                e.add(ev(p, "PADR from " + s.sideA));
            }
            e.add(ev(pads, "PADS from " + ac + " session " + pads.identifier + (pads.pppoeError != null ? ", " + pads.pppoeError
                    + (pads.message != null ? " '" + pads.message + "'" : "") : "")));
            String err = pads.pppoeError == null ? "session ID 0" : pads.pppoeError + (pads.message != null && !pads.message.isEmpty()
                    ? " '" + pads.message + "'" : "");
            String[] m = pppoeError(pads.pppoeError, want);
            f = finding(Cause.PPPOE_REJECTED, Confidence.HIGH, PADR, ac + " refused the session: PADS with " + err,
                    "RFC 2516 §5.4: a PADS with session ID 0 and an error tag refuses the PADR. " + m[0], m[1], e, List.of());
        } else if (padt != null && padr.isEmpty()) {
            d.stoppedAt = pado.isEmpty() ? PADI : PADO;
            for (PppPacket p : disc) {
                if (p.at.nanos() <= padt.at.nanos()) {
                    e.add(ev(p, p.codeName + " from " + side(s, p.fromA)));
                }
            }
            f = finding(Cause.PPPOE_REJECTED, Confidence.HIGH, d.stoppedAt, side(s, padt.fromA) + " ended the discovery with PADT"
                    + (padt.pppoeError != null ? ": " + padt.pppoeError + " '" + padt.message + "'" : ""),
                    "A PADT before any PADS ends the discovery (RFC 2516 §5.5).", "Read " + side(s, padt.fromA) + "'s PPPoE log.", e,
                    List.of());
        } else if (!padr.isEmpty()) {
            d.stoppedAt = PADR;
            for (PppPacket p : padr) {
                e.add(ev(p, "PADR from " + s.sideA + " to " + ac));
            }
            PppPacket last = padr.get(padr.size() - 1);
            if (padr.size() == 1 && nearEnd(last.at.nanos())) {
                f = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, PADR, "the capture ends right after the PADR",
                        "No time for the PADS.", "Capture for longer.", e, List.of(Cause.PPPOE_NO_RESPONSE));
            } else {
                f = finding(Cause.PPPOE_NO_RESPONSE, padr.size() >= SILENT_REQUESTS ? Confidence.HIGH : Confidence.MEDIUM, PADR,
                        ac + " offered a session (PADO) but never confirmed it: " + padr.size() + " PADR, no PADS",
                        "The host accepted the offer and sent PADR" + (padr.size() > 1 ? " " + padr.size() + " times over "
                                + secs(last.at.nanos() - padr.get(0).at.nanos()) : "") + "; no PADS came back: the access"
                                + " concentrator could not create the session (its session limit, a RADIUS or pool problem it"
                                + " does not report) or the PADR does not reach it (the AC-Cookie it checks, a relay that"
                                + " drops it).",
                        "Read the access concentrator's log for this host's MAC address; check its session limits.", e,
                        List.of());
            }
        } else if (!pado.isEmpty()) {
            d.stoppedAt = PADO;
            for (PppPacket p : disc) {
                e.add(ev(p, p.codeName + " from " + side(s, p.fromA) + (p.detail().isEmpty() ? "" : " (" + p.detail() + ")")));
            }
            PppPacket last = pado.get(pado.size() - 1);
            PppPacket errPado = null;
            for (PppPacket p : pado) {
                errPado = errPado == null && p.pppoeError != null ? p : errPado;
            }
            if (errPado == null && padi.size() <= 1 && nearEnd(last.at.nanos())) {
                f = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, PADO, "the capture ends right after the PADO",
                        "No time for the host's PADR.", "Capture for longer.", e, List.of(Cause.PPPOE_REJECTED));
            } else {
                String offered = tag(last, "Service-Name");
                String acName = tag(last, "AC-Name");
                f = finding(Cause.PPPOE_REJECTED, errPado != null ? Confidence.HIGH : Confidence.MEDIUM, PADO,
                        s.sideA + " did not take the offer: " + pado.size() + " PADO" + (acName != null ? " from AC-Name " + acName : "")
                                + (errPado != null ? " with " + errPado.pppoeError : "") + ", no PADR",
                        "The host asked for " + wanted + (offered != null ? " and the access concentrator offered Service-Name "
                                + offered : "") + "; the host never sent PADR"
                                + (errPado != null ? ": the PADO carries " + errPado.pppoeError + (errPado.message != null
                                        ? " '" + errPado.message + "'" : "") : ": it waits for an offer that matches what it is"
                                        + " configured to accept (a specific AC-Name or Service-Name) and this one does not")
                                + ".",
                        "Compare the host's PPPoE settings (pppd `rp_pppoe_ac`, `rp_pppoe_service`, a router's 'AC name' and"
                                + " 'service name') with the AC-Name and Service-Name offered; leave them empty to take any"
                                + " offer.", e, List.of());
            }
        } else {
            d.stoppedAt = PADI;
            for (PppPacket p : padi) {
                e.add(ev(p, "PADI from " + s.sideA + " (" + wanted + ")"));
            }
            PppPacket last = padi.get(padi.size() - 1);
            if (padi.size() == 1 && nearEnd(last.at.nanos())) {
                f = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, PADI, "the capture ends right after the PADI",
                        "No time for a PADO.", "Capture for longer.", e, List.of(Cause.PPPOE_NO_RESPONSE));
            } else {
                f = finding(Cause.PPPOE_NO_RESPONSE, padi.size() >= SILENT_REQUESTS ? Confidence.HIGH : Confidence.MEDIUM, PADI,
                        "no access concentrator answered: " + padi.size() + " PADI" + (padi.size() > 1 ? " over "
                                + secs(last.at.nanos() - padi.get(0).at.nanos()) : "") + ", no PADO",
                        "The host broadcast PADI asking for " + wanted + " and no PADO came back. RFC 2516 §5.2: an access"
                                + " concentrator that cannot serve the PADI does not answer it, so the silence means no"
                                + " access concentrator on this Ethernet segment or VLAN, or none that offers the requested"
                                + " service, or one that refuses this host (a MAC or session limit) without saying so.",
                        "Check the link and VLAN to the access concentrator (the ISP's VLAN ID on the WAN port), that it runs,"
                                + " and the Service-Name the host asks for (leave it empty unless the ISP requires one).",
                        e, List.of());
            }
        }
        d.lead(f);
        d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
        return true;
    }

    /** What an error tag in a PADS means and what to do (RFC 2516 appendix A). */
    private static String[] pppoeError(String tag, String want) {
        if ("Service-Name-Error".equals(tag)) {
            return new String[] {"Service-Name-Error: the access concentrator will not honour the Service-Name requested"
                + (want != null ? " (" + want + ")" : "") + ".",
                "Ask for a Service-Name the access concentrator offers (its PADO lists them) or leave it empty."};
        }
        if ("AC-System-Error".equals(tag)) {
            return new String[] {"AC-System-Error: the access concentrator failed to create the session (for example no"
                + " resources: its session limit reached).", "Read the access concentrator's log; check its session limits and"
                        + " per-MAC limits, and stale sessions of this host."};
        }
        if ("Generic-Error".equals(tag)) {
            return new String[] {"Generic-Error: the access concentrator refused the session; the tag's text says why.",
                "Read the access concentrator's log for this host."};
        }
        return new String[] {"The PADS carries session ID 0 without an error tag: the access concentrator refused the"
            + " session without saying why.", "Read the access concentrator's log for this host."};
    }

    // ------------------------------------------------------------------ LCP

    private Finding lcpFailure(PppSession s, Nego lcp, String silentBHint, String silentAHint) {
        List<PppPacket> all = s.of("LCP");
        if (all.isEmpty() && s.padt != null) {
            String by = side(s, s.padtFromHost);
            String err = null;
            for (PppPacket p : s.of("PPPoE")) {
                if (p.at.equals(s.padt) && p.pppoeError != null) {
                    err = p.pppoeError + (p.message != null && !p.message.isEmpty() ? " '" + p.message + "'" : "");
                }
            }
            // RFC 2516 §5.5: the PADT ends the session the PADS opened; before any LCP packet, PPP never ran on it
            return finding(Cause.PPP_NOT_STARTED, Confidence.HIGH, LCP, "PPP never started: " + by + " ended the PPPoE session"
                            + " (PADT" + (err != null ? ", " + err : "") + ") before any LCP packet",
                    "The discovery gave a session (PADS), and " + (s.padtFromHost ? "the host" : "the access concentrator")
                            + " ended it with PADT before a single LCP packet in either direction: its PPP daemon for the"
                            + " session did not start or quit at once" + (err != null ? " (the PADT says: " + err + ")" : "")
                            + ".",
                    "Read " + by + "'s PPPoE and PPP logs for the session (pppoe-server's pppd options file, /dev/ppp,"
                            + " plugins, RADIUS).",
                    List.of(new Evidence(s.padt, "PADT from " + by + (err != null ? " (" + err + ")" : ""))), List.of());
        }
        if (all.isEmpty() && !s.of("PPPoE").isEmpty() && s.last != null && !nearEnd(s.last.nanos())) {
            return finding(Cause.PPP_NOT_STARTED, Confidence.MEDIUM, LCP, "PPP never started after the PPPoE discovery",
                    "The access concentrator confirmed the session (PADS) but no LCP packet followed in either direction.",
                    "Check that PPP (pppd) starts on both ends for the session.", List.of(new Evidence(s.last, "PADS")),
                    List.of(Cause.UNKNOWN));
        }
        if (all.isEmpty()) {
            List<Evidence> e = new ArrayList<>();
            if (s.first != null) {
                e.add(new Evidence(s.first, "first packet of the session"));
            }
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, LCP, "no PPP control packet in the capture",
                    "The session carries data in one direction only and no LCP: the capture starts after the link came up,"
                            + " or the other direction was not captured.",
                    "Capture from the start of the session, on a point that sees both directions.", e, List.of());
        }
        // a terminate during negotiation
        if (lcp.terminate != null) {
            PppPacket t = lcp.terminate;
            List<Evidence> e = new ArrayList<>();
            for (PppPacket p : lcp.naksAndRejects) {
                e.add(ev(p, p.label() + (p.detail().isEmpty() ? "" : " (" + p.detail() + ")")));
            }
            e.add(ev(t, "LCP Terminate-Request from " + side(s, t.fromA) + (t.message != null ? " '" + t.message + "'" : "")));
            PppPacket authReject = authRefusal(lcp);
            boolean disagreement = false;
            for (PppPacket p : lcp.naksAndRejects) {
                disagreement |= p.at.nanos() <= t.at.nanos();
            }
            if (authReject == null && !disagreement) {
                // RFC 1661 §3.7, §5.5: a Terminate-Request "MUST" be sent to close the link; options the sides disagree on
                // show as Configure-Nak/Reject (§5.3, §5.4). With none before it, the terminating side ended the link on its
                // own: a user or administrator, an idle or connect timer, a plugin; not an LCP option disagreement.
                List<PppPacket> mine = t.fromA ? lcp.requestsA : lcp.requestsB;
                String after = mine.isEmpty() ? "" : " " + secs(t.at.nanos() - mine.get(0).at.nanos()) + " after its first"
                        + " Configure-Request";
                return finding(Cause.PPP_TERMINATED, t.message != null ? Confidence.HIGH : Confidence.MEDIUM, LCP,
                        side(s, t.fromA) + " ended the link" + after + (t.message != null ? ": '" + t.message + "'" : "")
                                + ", with no Configure-Nak or Configure-Reject from either side",
                        side(s, t.fromA) + " sent an LCP Terminate-Request before the link opened, and no Configure-Nak or"
                                + " Configure-Reject was exchanged before it: the two sides did not disagree on LCP options; "
                                + side(s, t.fromA) + " chose to end the link" + (t.message != null ? " and said why ('"
                                + t.message + "')" : " without saying why (no text in the Terminate-Request)") + ".",
                        "Read " + side(s, t.fromA) + "'s PPP log for why it hung up (pppd 'Terminating on signal', the user"
                                + " disconnecting, `idle`/`connect-delay` timers, a plugin or RADIUS client giving up).",
                        e, t.message != null ? List.of() : List.of(Cause.PPP_LCP_FAILED));
            }
            String why = authReject != null ? authRefusalText(s, authReject)
                    : side(s, t.fromA) + " ended LCP with a Terminate-Request before the link opened"
                            + (t.message != null ? " ('" + t.message + "')" : "") + ".";
            return finding(Cause.PPP_LCP_FAILED, Confidence.HIGH, LCP,
                    side(s, t.fromA) + " terminated LCP before it opened" + (t.message != null ? ": '" + t.message + "'" : ""),
                    why, authReject != null ? authRefusalFix() : "Read " + side(s, t.fromA) + "'s PPP log (pppd `debug`) for the"
                            + " reason; compare the LCP options both sides require (MRU, authentication, ACCM).",
                    e, List.of());
        }
        PppPacket authReject = authRefusal(lcp);
        if (authReject != null) {
            List<Evidence> e = new ArrayList<>();
            PppPacket req = authReject.fromA ? lcp.lastReqB : lcp.lastReqA;
            if (req != null) {
                e.add(ev(req, req.label() + " (" + req.detail() + ")"));
            }
            for (PppPacket p : lcp.naksAndRejects) {
                e.add(ev(p, p.label() + " (" + p.detail() + ")"));
            }
            return finding(Cause.PPP_LCP_FAILED, Confidence.HIGH, LCP,
                    side(s, authReject.fromA) + " will not use the authentication protocol " + side(s, !authReject.fromA)
                            + " asks for (" + authReject.codeName + ")",
                    authRefusalText(s, authReject), authRefusalFix(), e, List.of(Cause.PPP_AUTH_FAILED));
        }
        // one side silent
        boolean silentB = lcp.packetsFromB == 0;
        boolean silentA = lcp.packetsFromA == 0;
        if (silentA || silentB) {
            boolean talker = silentB; // true: A talks
            String silentPeerHint = talker ? silentBHint : silentAHint;
            List<PppPacket> reqs = talker ? lcp.requestsA : lcp.requestsB;
            List<PppPacket> sent = new ArrayList<>();
            for (PppPacket p : all) {
                if (p.fromA == talker) {
                    sent.add(p);
                }
            }
            PppPacket first = sent.get(0);
            PppPacket last = sent.get(sent.size() - 1);
            List<Evidence> e = new ArrayList<>();
            for (PppPacket p : sent) {
                e.add(ev(p, p.label() + " from " + side(s, talker)));
            }
            String over = secs(last.at.nanos() - first.at.nanos());
            if (reqs.size() < SILENT_REQUESTS && nearEnd(last.at.nanos())) {
                return finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, LCP,
                        "the capture ends " + secs(captureEnd - last.at.nanos()) + " after " + side(s, talker)
                                + "'s LCP Configure-Request, before an answer could be expected",
                        "LCP was only starting when the capture ended.", "Capture for longer.", e, List.of(Cause.PPP_LCP_FAILED));
            }
            return finding(Cause.PPP_LCP_FAILED, reqs.size() >= SILENT_REQUESTS ? Confidence.HIGH : Confidence.MEDIUM, LCP,
                    side(s, !talker) + " never answered LCP: " + reqs.size() + " Configure-Request(s) from " + side(s, talker)
                            + " over " + over + ", nothing back",
                    side(s, talker) + " kept sending LCP Configure-Requests (RFC 1661 restart timer) and no PPP packet at all"
                            + " came back from " + side(s, !talker) + ": its PPP is not running on this session, or it"
                            + " never receives the frames." + (silentPeerHint == null ? "" : " " + silentPeerHint),
                    "Check that PPP (pppd) starts on " + side(s, !talker) + " for this session and what its log says;"
                            + " capture on " + side(s, !talker) + " to see whether the frames arrive.",
                    e, List.of());
        }
        // both talk, never both acknowledged: the options do not converge
        List<Evidence> e = new ArrayList<>();
        for (PppPacket p : lcp.naksAndRejects) {
            e.add(ev(p, p.label() + " from " + side(s, p.fromA) + " (" + p.detail() + ")"));
        }
        if (lcp.lastReqA != null) {
            e.add(ev(lcp.lastReqA, "last Configure-Request from " + s.sideA + (lcp.ackOfA != null ? " (acknowledged)" : " (not acknowledged)")));
        }
        if (lcp.lastReqB != null) {
            e.add(ev(lcp.lastReqB, "last Configure-Request from " + s.sideB + (lcp.ackOfB != null ? " (acknowledged)" : " (not acknowledged)")));
        }
        PppPacket last = all.get(all.size() - 1);
        if (nearEnd(last.at.nanos()) && lcp.naksAndRejects.size() < 2) {
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, LCP, "the capture ends during LCP negotiation",
                    "Both sides were still negotiating LCP when the capture ended.", "Capture for longer.", e,
                    List.of(Cause.PPP_LCP_FAILED));
        }
        String unacked = lcp.ackOfA == null && lcp.ackOfB == null ? "neither side's" : lcp.ackOfA == null ? s.sideA + "'s"
                : s.sideB + "'s";
        return finding(Cause.PPP_LCP_FAILED, lcp.naksAndRejects.isEmpty() ? Confidence.MEDIUM : Confidence.HIGH, LCP,
                "LCP did not converge: " + unacked + " Configure-Request was acknowledged (" + lcp.naksAndRejects.size()
                        + " Configure-Nak/Reject)",
                "Both sides send LCP, but " + unacked + " options were not accepted: the peer keeps answering with"
                        + " Configure-Nak/Reject (the options it names) or does not acknowledge at all.",
                "Make the LCP options both sides insist on compatible (MRU/MTU, ACCM, magic number, authentication,"
                        + " multilink); pppd logs 'LCP: timeout sending Config-Requests' or the rejected options.",
                e, List.of());
    }

    /** A Configure-Nak or Configure-Reject that names the Authentication-Protocol option. */
    private static PppPacket authRefusal(Nego lcp) {
        for (PppPacket p : lcp.naksAndRejects) {
            if (p.authProtocol != null || p.options.stream().anyMatch(o -> o.startsWith("Auth"))) {
                return p;
            }
        }
        return null;
    }

    private static String authRefusalText(PppSession s, PppPacket p) {
        String by = side(s, p.fromA);
        String asker = side(s, !p.fromA);
        if (p.code == 4) {
            return by + " rejected the Authentication-Protocol option (Configure-Reject): it refuses to authenticate itself"
                    + " at all, while " + asker + " requires it. pppd on the client says 'peer refused to authenticate'.";
        }
        return by + " answered " + asker + "'s Authentication-Protocol with Configure-Nak" + (p.authProtocol != null
                ? ", suggesting " + p.authProtocol : "") + ": it will not use the protocol asked for (e.g. the server"
                + " requires MS-CHAP-2 and the client refuses it, or the client allows only PAP).";
    }

    private static String authRefusalFix() {
        return "Allow a common authentication protocol on both sides (pppd `require-mschap-v2`/`refuse-pap`/`refuse-chap`,"
                + " Windows 'Allow these protocols', Cisco `ppp authentication`).";
    }

    // ------------------------------------------------------------------ authentication

    private static boolean result(PppPacket p) {
        return switch (p.protocol) {
            case "PAP" -> p.code == 2 || p.code == 3;
            case "CHAP", "EAP" -> p.code == 3 || p.code == 4;
            default -> false;
        };
    }

    private static boolean success(PppPacket p) {
        return p.protocol.equals("PAP") ? p.code == 2 : p.code == 3;
    }

    /** The authentication phase; null when it succeeded (details added to {@code detail}). */
    private Finding auth(PppSession s, TunnelDiagnosis d, Nego lcp, List<PppPacket> auth, Boolean authenticatorIsA,
            List<String> detail) {
        PppPacket last = null;
        List<PppPacket> failures = new ArrayList<>();
        for (PppPacket p : auth) {
            if (result(p)) {
                last = p;
                if (!success(p)) {
                    failures.add(p);
                }
            }
        }
        if (authenticatorIsA == null && !auth.isEmpty()) {
            // the authenticator sends the Challenge, the PAP Ack/Nak, the EAP Request and Success/Failure
            PppPacket p = auth.get(0);
            boolean fromAuthenticator = p.protocol.equals("PAP") ? p.code != 1 : p.code == 1 || p.code == 3 || p.code == 4;
            authenticatorIsA = fromAuthenticator == p.fromA;
        }
        String proto = d.authProtocol != null ? d.authProtocol : auth.get(0).protocol;
        String peerName = null;
        for (PppPacket p : auth) {
            if (p.name != null && (authenticatorIsA == null || p.fromA != authenticatorIsA)) {
                peerName = p.name;
            }
            if (p.variant != null && p.protocol.equals("CHAP") && "MS-CHAPv2".equals(p.variant) && d.authProtocol == null) {
                proto = "MS-CHAP-2";
            }
        }
        String authenticator = authenticatorIsA == null ? "the authenticator" : side(s, authenticatorIsA);
        String peer = authenticatorIsA == null ? "the peer" : side(s, !authenticatorIsA);
        if (last != null && success(last)) {
            d.authResult = "success";
            detail.add(proto + " by " + authenticator + ": success" + (peerName != null ? " for '" + peerName + "'" : ""));
            for (PppPacket f : failures) {
                d.findings.add(Diagnoser.recovered(authFailure(s, auth, f, proto, authenticator, peer, peerName)));
            }
            return null;
        }
        if (last != null) {
            d.authResult = "failure";
            detail.add(proto + " by " + authenticator + ": failure");
            return authFailure(s, auth, last, proto, authenticator, peer, peerName);
        }
        // no result packet
        d.authResult = "no result";
        detail.add(proto + " by " + authenticator + ": no result");
        List<Evidence> e = new ArrayList<>();
        for (PppPacket p : auth) {
            e.add(ev(p, p.label() + " from " + side(s, p.fromA)));
        }
        PppPacket lastAny = s.packets.get(s.packets.size() - 1);
        PppPacket term = null;
        for (PppPacket p : s.of("LCP")) {
            if (p.code == 5 && (lcp.openedAt == null || p.at.nanos() >= lcp.openedAt.at.nanos())) {
                term = p;
                break;
            }
        }
        if (term != null) {
            e.add(ev(term, "LCP Terminate-Request from " + side(s, term.fromA) + (term.message != null ? " '" + term.message + "'" : "")));
            return finding(Cause.PPP_AUTH_FAILED, Confidence.MEDIUM, AUTH,
                    side(s, term.fromA) + " ended the link during " + proto + " authentication, without a result packet",
                    "LCP opened with " + proto + " required by " + authenticator + ", then the link was terminated before"
                            + " any Success/Failure (or PAP Ack/Nak): the authentication timed out or was refused without"
                            + " saying so" + (auth.isEmpty() ? " (" + peer + " never even started it)" : "") + ".",
                    "Check " + authenticator + "'s log for the authentication of " + (peerName != null ? "'" + peerName + "'" : "the user")
                            + " (pppd 'CHAP peer authentication failed', RADIUS rejects).",
                    e, List.of());
        }
        if (nearEnd(lastAny.at.nanos())) {
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, AUTH, "the capture ends during authentication",
                    "Authentication (" + proto + ") had started but had no result when the capture ended.", "Capture for longer.",
                    e, List.of(Cause.PPP_AUTH_FAILED));
        }
        return finding(Cause.PPP_AUTH_FAILED, Confidence.LOW, AUTH, proto + " authentication never completed",
                "LCP opened with " + proto + " required by " + authenticator + ", but no Success/Failure followed"
                        + (auth.isEmpty() ? ": " + peer + " never started authenticating" : "") + ".",
                "Check both sides' PPP logs for the authentication; check that " + peer + " has credentials for " + proto + ".",
                e, List.of(Cause.UNKNOWN));
    }

    /** What an MS-CHAP failure code means and what to do (RFC 2759 §6, RFC 2433 §2.3). */
    static String[] mschap(long code) {
        return switch ((int) code) {
            case 646 -> new String[] {"the account may not log in at this time of day (restricted logon hours)",
                "Change the account's logon hours on the authentication server."};
            case 647 -> new String[] {"the account is disabled", "Enable the account on the authentication server (AD, RADIUS)."};
            case 648 -> new String[] {"the password has expired", "Change the password (MS-CHAPv2 can do it in-band, E=709 flow)."};
            case 649 -> new String[] {"the account has no dial-in permission",
                "Grant dial-in / remote access permission to the user (AD user 'Dial-in' tab, NPS network policy)."};
            case 691 -> new String[] {"the user name or password is wrong (or the user is unknown to the server)",
                "Check the user name and password on the client and in the server's secrets (pppd chap-secrets, RADIUS, AD);"
                        + " MS-CHAPv2 also fails with 691 when the server cannot reach its authentication backend."};
            case 709 -> new String[] {"changing the password failed", "Change the password on the server directly."};
            default -> new String[] {"the authenticator refused the credentials", "Check the credentials on both sides."};
        };
    }

    private static Finding authFailure(PppSession s, List<PppPacket> auth, PppPacket f, String proto, String authenticator,
            String peer, String peerName) {
        List<Evidence> e = new ArrayList<>();
        for (PppPacket p : auth) {
            if (p.at.nanos() > f.at.nanos()) {
                break;
            }
            if (p == f || p.code == 1 || p.code == 2) {
                e.add(ev(p, p.label() + (p == f && !p.detail().isEmpty() ? " (" + p.detail() + ")" : "")));
            }
        }
        String who = peerName != null ? "'" + peerName + "'" : peer;
        String headline;
        String why;
        String fix;
        if (f.protocol.equals("CHAP") && f.errorCode >= 0) {
            String[] m = mschap(f.errorCode);
            headline = proto + " authentication of " + who + " failed: E=" + f.errorCode
                    + (f.errorName != null ? " " + f.errorName : "") + (f.failureMessage != null ? " '" + f.failureMessage + "'" : "");
            why = authenticator + " sent a CHAP Failure with the MS-CHAP error code " + f.errorCode + ": " + m[0] + "."
                    + (f.message != null ? " Failure text: '" + f.message + "'." : "");
            fix = m[1];
        } else if (f.protocol.equals("PAP")) {
            headline = "PAP authentication of " + who + " failed: Authenticate-Nak" + (f.message != null ? " '" + f.message + "'" : "");
            why = authenticator + " rejected the peer ID and password sent in the clear by PAP (Authenticate-Nak"
                    + (f.message != null ? " '" + f.message + "'" : "") + ").";
            fix = "Check the user name and password on the client and in the server's pap-secrets / RADIUS.";
        } else if (f.protocol.equals("EAP")) {
            headline = "EAP authentication of " + who + " failed (EAP Failure)";
            why = authenticator + " ended EAP with a Failure: the method's credentials were not accepted.";
            fix = "Check the EAP method and credentials (certificates for EAP-TLS, user/password for PEAP/EAP-MSCHAPv2) and the"
                    + " RADIUS server's log.";
        } else {
            headline = proto + " authentication of " + who + " failed (CHAP Failure" + (f.message != null ? " '" + f.message + "'" : "") + ")";
            why = authenticator + " could not verify the CHAP response: the shared secret differs (or the user is unknown).";
            fix = "Check the CHAP secret for " + who + " on both sides (pppd chap-secrets, RADIUS).";
        }
        return finding(Cause.PPP_AUTH_FAILED, Confidence.HIGH, AUTH, headline, why, fix, e, List.of());
    }

    // ------------------------------------------------------------------ after authentication

    /** Findings for the end of an LCP session: Terminate-Request, PPPoE PADT, echoes unanswered. */
    private void lcpEnd(PppSession s, TunnelDiagnosis d, Nego lcp) {
        List<PppPacket> all = s.of("LCP");
        for (PppPacket p : all) {
            if (p.code == 5 && (lcp.openedAt == null || p.at.nanos() > lcp.openedAt.at.nanos())) {
                d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, d.stoppedAt,
                        side(s, p.fromA) + " terminated the PPP link" + (p.message != null ? ": '" + p.message + "'" : ""),
                        "LCP Terminate-Request from " + side(s, p.fromA) + " after the link was up.", "", List.of(ev(p,
                                "LCP Terminate-Request" + (p.message != null ? " '" + p.message + "'" : ""))), List.of()));
                break;
            }
        }
        if (s.padt != null) {
            String by = side(s, s.padtFromHost);
            String err = null;
            for (PppPacket p : s.of("PPPoE")) {
                if (p.code == 0xa7 && p.pppoeError != null) {
                    err = p.pppoeError + (p.message != null && !p.message.isEmpty() ? " '" + p.message + "'" : "");
                }
            }
            d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, d.stoppedAt, by + " ended the PPPoE session (PADT"
                    + (err != null ? ", " + err : "") + ")",
                    "A PPPoE Active Discovery Terminate from " + (s.padtFromHost ? "the host" : "the access concentrator") + " ("
                            + by + ") ended the session (RFC 2516 §5.5)" + (err != null ? "; it carries " + err : "") + ".",
                    "Read " + by + "'s log for why it ended the session.", List.of(new Evidence(s.padt, "PADT from " + by)),
                    List.of()));
        }
        // echo requests at the end that got no reply
        for (boolean fromA : new boolean[] {true, false}) {
            List<PppPacket> unanswered = new ArrayList<>();
            for (PppPacket p : all) {
                if (p.fromA == fromA && p.code == 9) {
                    unanswered.add(p);
                } else if (p.fromA != fromA) {
                    unanswered.clear();
                }
            }
            if (unanswered.size() >= SILENT_REQUESTS) {
                List<Evidence> e = new ArrayList<>();
                for (PppPacket p : unanswered) {
                    e.add(ev(p, "LCP Echo-Request from " + side(s, fromA) + ", no reply"));
                }
                d.findings.add(finding(Cause.PEER_DEAD, Confidence.MEDIUM, d.stoppedAt, side(s, !fromA) + " stopped answering LCP"
                        + " Echo-Requests (" + unanswered.size() + " unanswered)",
                        "The link keepalive (LCP Echo, pppd `lcp-echo-interval`) got no reply: the other end or the path"
                                + " went away.", "Check the path and the other end; pppd ends the link after `lcp-echo-failure`"
                                        + " misses.", e, List.of()));
            }
        }
    }

    private Finding ipcpFailure(PppSession s, Nego lcp, Nego ipcp, boolean implicitLcp) {
        List<Evidence> e = new ArrayList<>();
        for (PppPacket p : s.of("IPCP")) {
            e.add(ev(p, p.label() + " from " + side(s, p.fromA) + (p.detail().isEmpty() ? "" : " (" + p.detail() + ")")));
        }
        PppPacket term = null;
        for (PppPacket p : s.of("LCP")) {
            if (p.code == 5 && (lcp.openedAt == null || p.at.nanos() >= lcp.openedAt.at.nanos())) {
                term = p;
                break;
            }
            if (p.code == 8 && p.message != null && p.message.contains("IPCP") || p.code == 8 && p.message != null
                    && p.message.contains("Internet Protocol Control")) {
                e.add(ev(p, "LCP Protocol-Reject of IPCP from " + side(s, p.fromA)));
                return finding(Cause.PPP_IPCP_FAILED, Confidence.HIGH, IPCP, side(s, p.fromA) + " does not run IPCP (Protocol-Reject)",
                        "IPv4 was refused as a network protocol on this link.", "Enable IPv4 (IPCP) on " + side(s, p.fromA) + ".",
                        e, List.of());
            }
        }
        if (term != null) {
            e.add(ev(term, "LCP Terminate-Request from " + side(s, term.fromA) + (term.message != null ? " '" + term.message + "'" : "")));
            return finding(Cause.PPP_IPCP_FAILED, Confidence.MEDIUM, IPCP,
                    side(s, term.fromA) + " ended the link before IPCP agreed on addresses"
                            + (term.message != null ? ": '" + term.message + "'" : ""),
                    "Authentication succeeded (or was not required), then the link was terminated while IPCP had not opened:"
                            + " typically no address could be assigned (pool exhausted, RADIUS Framed-IP-Address refused) or the"
                            + " client insists on an address the server will not give.",
                    "Check the server's address pool (xl2tpd `ip range`, pptpd `remoteip`, `ms-dns`) and its PPP log for IPCP.",
                    e, List.of());
        }
        if (ipcpStuck(ipcp)) {
            return ipcpDisagreement(s, ipcp, e);
        }
        long lastNanos = s.last != null ? s.last.nanos() : 0;
        if (nearEnd(lastNanos) || ipcp.requestsA.isEmpty() && ipcp.requestsB.isEmpty() && implicitLcp) {
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, IPCP, "IPCP not seen completing in the capture",
                    "The capture ends (or starts) before IPCP completed.", "Capture the whole session.", e, List.of());
        }
        if (ipcp.requestsA.isEmpty() && ipcp.requestsB.isEmpty()) {
            return finding(Cause.PPP_IPCP_FAILED, Confidence.LOW, IPCP, "no IPCP after LCP" + (s.of("PAP").isEmpty()
                    && s.of("CHAP").isEmpty() && s.of("EAP").isEmpty() ? "" : " and authentication"),
                    "Neither side started IPCP: no IPv4 network layer was negotiated.", "Check both sides' PPP logs.", e,
                    List.of());
        }
        return ipcpDisagreement(s, ipcp, e);

    }

    /** IPCP requests that never converged: a Nak/Reject loop or requests never acknowledged. */
    private static Finding ipcpDisagreement(PppSession s, Nego ipcp, List<Evidence> e) {
        // RFC 1661 §4.6: Max-Configure (10) unanswered requests or Max-Failure (5) Naks end the negotiation; a side whose
        // requests never got an Ack, or Naks/Rejects repeating, is an IPCP failure the packets show outright.
        int unackedA = ipcp.ackOfA == null ? ipcp.requestsA.size() : 0;
        int unackedB = ipcp.ackOfB == null ? ipcp.requestsB.size() : 0;
        boolean loop = ipcp.naksAndRejects.size() >= SILENT_REQUESTS;
        boolean neverAcked = Math.max(unackedA, unackedB) >= SILENT_REQUESTS;
        String unacked = unackedA >= unackedB ? s.sideA : s.sideB;
        String other = unackedA >= unackedB ? s.sideB : s.sideA;
        StringBuilder options = new StringBuilder();
        for (PppPacket p : ipcp.naksAndRejects) {
            if (!p.detail().isEmpty() && options.indexOf(p.detail()) < 0) {
                options.append(options.length() == 0 ? "" : "; ").append(p.codeName).append(' ').append(p.detail());
            }
        }
        return finding(Cause.PPP_IPCP_FAILED, loop || neverAcked ? Confidence.HIGH : ipcp.naksAndRejects.isEmpty()
                ? Confidence.LOW : Confidence.MEDIUM, IPCP,
                loop ? "IPCP Configure-Nak/Reject loop (" + ipcp.naksAndRejects.size() + " Naks/Rejects): no address agreed"
                        : neverAcked ? other + " never acknowledged " + unacked + "'s IPCP Configure-Request ("
                                + Math.max(unackedA, unackedB) + " sent)"
                        : "IPCP did not open (" + ipcp.naksAndRejects.size() + " Configure-Nak/Reject): no address agreed",
                "The sides did not agree on the IPCP options (IP-Address, DNS, compression)"
                        + (options.length() > 0 ? ": " + options : "") + (neverAcked && !loop ? "; " + other + " kept"
                                + " answering without an Ack, or not at all" : "") + ".",
                "Compare the address each side asks for with what the other will give (server pool, client static address,"
                        + " `noipdefault`, `ipcp-accept-local/remote`, RADIUS Framed-IP-Address).",
                e, ipcp.naksAndRejects.isEmpty() && !neverAcked ? List.of(Cause.UNKNOWN) : List.of());
    }

    private static boolean ipcpStuck(Nego ipcp) {
        int unackedA = ipcp.ackOfA == null ? ipcp.requestsA.size() : 0;
        int unackedB = ipcp.ackOfB == null ? ipcp.requestsB.size() : 0;
        return ipcp.naksAndRejects.size() >= SILENT_REQUESTS || Math.max(unackedA, unackedB) >= SILENT_REQUESTS;
    }
}
