package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.List;

/**
 * The diagnosis of one L2TP tunnel or session, PPTP control connection or call, or PPP session:
 * the verdict, where it stopped ("L2TP SCCRQ", "L2TP ICRQ", "PPP LCP", "PPP AUTH", "PPP IPCP",
 * "PPTP OCRQ", ...), the main finding (null for a clean success) and every other finding, the
 * sessions or calls inside ({@link #children}) and the PPP session a session or call carries.
 */
public final class TunnelDiagnosis {
    /** "L2TP tunnel", "L2TP session", "PPTP connection", "PPTP call", "PPP session". */
    public final String kind;
    /** The tracked object: L2tpTunnel, L2tpSession, PptpControl, PptpCall or PppSession. */
    public final Object subject;
    public Verdict verdict;
    public String stoppedAt;
    public Finding main;
    public final List<Finding> findings = new ArrayList<>();
    public final List<TunnelDiagnosis> children = new ArrayList<>();
    /** The PPP session inside an L2TP session or PPTP call, diagnosed on its own; null when none was seen. */
    public TunnelDiagnosis ppp;
    /** A one-line summary of what was reached ("LCP opened; CHAP MS-CHAP-2: failure; IPCP not reached"). */
    public String detail;
    /** PPP: the authentication protocol asked for in LCP, the outcome, and who authenticated whom. */
    public String authProtocol;
    public String authResult;
    /** PPP: the IPCP addresses each side ended up with (null when not agreed). */
    public String addressA;
    public String addressB;

    TunnelDiagnosis(String kind, Object subject) {
        this.kind = kind;
        this.subject = subject;
    }

    public Cause cause() {
        return main == null ? null : main.cause();
    }

    public Confidence confidence() {
        return main == null ? null : main.confidence();
    }

    /** Runs a diagnosis; a bug in a rule gives an UNKNOWN finding instead of ending the report. */
    static TunnelDiagnosis safely(String kind, Object subject, java.util.function.Supplier<TunnelDiagnosis> rules) {
        try {
            return rules.get();
        } catch (RuntimeException e) {
            TunnelDiagnosis d = new TunnelDiagnosis(kind, subject);
            d.verdict = Verdict.INCOMPLETE;
            d.lead(Diagnoser.finding(Cause.UNKNOWN, Confidence.LOW, null, "the diagnosis of this " + kind + " failed: " + e,
                    "A rule met a case it does not handle; the tracked messages are still listed.",
                    "Report this capture to the vpnsleuth maintainers.", java.util.List.of(), java.util.List.of()));
            return d;
        }
    }

    /** Makes {@code f} the main finding (first in {@link #findings}). */
    void lead(Finding f) {
        main = f;
        findings.remove(f);
        findings.add(0, f);
    }
}
