package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * IKEv2 redirects (RFC 5685): a gateway names another gateway in N(REDIRECT) in the IKE_SA_INIT
 * response (§4.2), the IKE_AUTH response (§4.3, after authenticating) or an INFORMATIONAL request
 * on an established SA (§5). The SA gets the verdict REDIRECTED naming the new gateway. The client's
 * next SA, with the new gateway, carries N(REDIRECTED_FROM) with the old gateway in its IKE_SA_INIT
 * request (cleartext): it is linked to the redirected SA and has its own verdict; when the REDIRECT
 * itself was encrypted and not read, that link still shows the redirect (MEDIUM).
 */
final class Redirects {
    private Redirects() {
    }

    /** A REDIRECT read in one SA: verdict REDIRECTED; REDIRECTED_FROM remembered for {@link #link}. */
    static void apply(IkeSa sa, SaDiagnosis d) {
        if (sa.version != 2) {
            return;
        }
        for (IkeMessage m : sa.messages) {
            if (m.redirectedFrom != null && Boolean.TRUE.equals(m.fromInitiator) && d.redirectedFromGateway == null) {
                d.redirectedFromGateway = m.redirectedFrom;
            }
        }
        for (IkeExchange e : sa.exchanges) {
            for (IkeMessage m : e.messages) {
                if (m.redirectGateway == null || Boolean.TRUE.equals(m.fromInitiator) || m.retransmissionOf != null) {
                    continue;
                }
                List<Evidence> ev = new ArrayList<>();
                IkeMessage q = e.request();
                if (q != null && q != m) {
                    ev.add(ev(q, e.kind + " request"));
                }
                ev.add(ev(m, e.kind + (m.response ? " response" : " request") + ": N(REDIRECT) " + m.redirectGateway
                        + (m.encrypted ? " (decrypted)" : "")));
                String why = switch (e.kind) {
                    case "IKE_SA_INIT" -> "The gateway answered IKE_SA_INIT with N(REDIRECT): it will not serve this client"
                            + " (load balancing, maintenance) and names the gateway to use instead; the client starts a new"
                            + " IKE SA there (RFC 5685 §4.2), which names this gateway in N(REDIRECTED_FROM).";
                    case "IKE_AUTH" -> "The gateway authenticated the client and answered IKE_AUTH with N(REDIRECT) instead"
                            + " of setting up the SA (RFC 5685 §4.3, e.g. by the user's identity); the client deletes this SA"
                            + " and starts a new one with the gateway named.";
                    default -> "The gateway moved the established SA: an INFORMATIONAL request with N(REDIRECT) (RFC 5685"
                            + " §5, strongSwan `swanctl --redirect`); the client sets up a new IKE SA with the gateway named"
                            + " and deletes this one.";
                };
                Finding f = finding(Cause.REDIRECTED, Confidence.HIGH, e.kind,
                        "the gateway redirected the client to " + m.redirectGateway + " (" + e.kind + ")", why,
                        "Nothing to fix if the new SA comes up; otherwise check the new gateway " + m.redirectGateway
                                + " (reachability, its configuration for this client) and the redirecting gateway's"
                                + " redirect/load-balancing policy.",
                        ev, List.of());
                redirected(d, f, m.redirectGateway, e.kind);
                return;
            }
        }
    }

    private static void redirected(SaDiagnosis d, Finding f, String gateway, String at) {
        boolean wasUp = d.verdict == Verdict.ESTABLISHED;
        d.verdict = Verdict.REDIRECTED;
        d.redirectedTo = gateway;
        d.stoppedAt = at;
        if (d.main != null && d.main != f && !d.findings.contains(d.main)) {
            d.findings.add(d.main);
        }
        d.main = f;
        d.findings.remove(f);
        d.findings.add(0, f);
        d.rfcState = (wasUp ? "established, then " : "") + "redirected to " + gateway;
        d.strongswanState = "DESTROYING";
        if (!wasUp) {
            d.iosState = "DELETE";
        }
    }

    /**
     * The SA set up after a redirect names the old gateway in REDIRECTED_FROM: link it to the latest
     * earlier SA of the same client with that gateway. When that SA's REDIRECT was not read
     * (encrypted), the link shows it: REDIRECTED at MEDIUM.
     */
    static void link(List<SaDiagnosis> all) {
        Map<String, List<SaDiagnosis>> byClient = new HashMap<>();
        for (SaDiagnosis d : all) {
            if (d.sa.version == 2 && d.sa.initiator != null) {
                byClient.computeIfAbsent(d.sa.initiator.address(), k -> new ArrayList<>()).add(d);
            }
        }
        for (SaDiagnosis b : all) {
            if (b.redirectedFromGateway == null || b.sa.initiator == null) {
                continue;
            }
            SaDiagnosis from = null;
            for (SaDiagnosis a : byClient.getOrDefault(b.sa.initiator.address(), List.of())) {
                if (a != b && a.sa.responderAddresses.contains(b.redirectedFromGateway) && a.sa.firstNanos() <= b.sa.firstNanos()
                        && (from == null || a.sa.firstNanos() > from.sa.firstNanos())) {
                    from = a;
                }
            }
            if (from == null) {
                b.notes.add("set up after a redirect from " + b.redirectedFromGateway
                        + " (N(REDIRECTED_FROM)); the redirected SA is not in the capture");
                continue;
            }
            b.redirectedFrom = from;
            from.redirectedToSa = b;
            b.notes.add(String.format("set up after the gateway %s redirected SA %016x/%016x here (N(REDIRECTED_FROM))",
                    b.redirectedFromGateway, from.sa.spiI, from.sa.spiR));
            if (from.verdict != Verdict.REDIRECTED) {
                IkeMessage init = null;
                for (IkeMessage m : b.sa.messages) {
                    if (m.redirectedFrom != null) {
                        init = m;
                        break;
                    }
                }
                String at = from.verdict == Verdict.ESTABLISHED ? "INFORMATIONAL" : "IKE_AUTH";
                List<Evidence> ev = new ArrayList<>();
                IkeMessage lastFromGw = null;
                for (IkeMessage m : from.sa.messages) {
                    if (!Boolean.TRUE.equals(m.fromInitiator) && m.at.nanos() <= init.at.nanos()) {
                        lastFromGw = m;
                    }
                }
                if (lastFromGw != null) {
                    ev.add(ev(lastFromGw, "last message from the gateway " + b.redirectedFromGateway
                            + (lastFromGw.encrypted ? " (encrypted: the REDIRECT is not readable)" : "")));
                }
                ev.add(ev(init, "the client's next IKE_SA_INIT, to " + init.dst.address() + ": N(REDIRECTED_FROM) "
                        + b.redirectedFromGateway));
                Finding f = finding(Cause.REDIRECTED, Confidence.MEDIUM, at,
                        "the gateway redirected the client to " + b.sa.responder.address()
                                + ": its next SA names this gateway in REDIRECTED_FROM",
                        "The client's next IKE SA, with " + b.sa.responder.address() + ", carries N(REDIRECTED_FROM "
                                + b.redirectedFromGateway + ") in its IKE_SA_INIT (RFC 5685 §4): it was redirected from"
                                + " this SA's gateway. The REDIRECT itself was in an encrypted message"
                                + (at.equals("INFORMATIONAL") ? " (an INFORMATIONAL request on the established SA)" : "")
                                + "; key material would show it.",
                        "Nothing to fix if the new SA comes up; otherwise check the new gateway.", ev, List.of());
                redirected(from, f, b.sa.responder.address(), at);
            }
        }
    }
}
