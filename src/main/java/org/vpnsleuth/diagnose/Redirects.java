package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.track.FrameRef;
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
     * (encrypted), the link shows it: REDIRECTED at MEDIUM. {@code story} gives back the whole SA of
     * facts whose SA was written out (its messages are read then, for that rare evidence only).
     */
    static void link(List<SaFacts> all, java.util.function.Function<SaFacts, IkeSa> story) {
        // by client and gateway address, each list by first message time (stable: ties in creation order)
        Map<String, List<SaFacts>> byClientAndGateway = null;
        for (SaFacts b : all) {
            if (b.redirectedFromGateway == null || b.sa.initiator == null) {
                continue;
            }
            if (byClientAndGateway == null) { // made on the first redirect: most captures have none
                byClientAndGateway = new HashMap<>();
                for (SaFacts d : all) {
                    if (d.sa.version == 2 && d.sa.initiator != null) {
                        for (String r : d.sa.responderAddresses) {
                            byClientAndGateway.computeIfAbsent(d.initiatorAddress() + "|" + r, k -> new ArrayList<>()).add(d);
                        }
                    }
                }
                for (List<SaFacts> l : byClientAndGateway.values()) {
                    l.sort(java.util.Comparator.comparingLong(x -> x.firstNanos));
                }
            }
            String gateway = b.redirectedFromGateway;
            // the client's SA with the gateway that began last at or before b (the first created of those
            // that began at that same time), b itself left out: a look-up, not a pass over the client's SAs
            SaFacts from = null;
            List<SaFacts> l = byClientAndGateway.getOrDefault(b.initiatorAddress() + "|" + gateway, List.of());
            int lo = 0;
            int hi = l.size();
            while (lo < hi) { // the first that began after b
                int mid = (lo + hi) >>> 1;
                if (l.get(mid).firstNanos <= b.firstNanos) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (int i = lo - 1; i >= 0; i--) {
                SaFacts a = l.get(i);
                if (a == b) {
                    continue;
                }
                if (from != null && a.firstNanos < from.firstNanos) {
                    break;
                }
                from = a; // going back through the ties keeps the first created of them
            }
            if (from == null) {
                b.note("set up after a redirect from " + gateway + " (N(REDIRECTED_FROM)); the redirected SA is not in the capture");
                continue;
            }
            SaFacts to = from;
            b.edit(d -> d.redirectedFrom = to);
            b.note(String.format("set up after the gateway %s redirected SA %016x/%016x here (N(REDIRECTED_FROM))",
                    gateway, from.sa.spiI, from.sa.spiR));
            if (from.verdict == Verdict.REDIRECTED) {
                from.edit(d -> d.redirectedToSa = b);
                continue;
            }
            FrameRef init = b.redirectedFromAt;
            String at = from.verdict == Verdict.ESTABLISHED ? "INFORMATIONAL" : "IKE_AUTH";
            List<Evidence> ev = new ArrayList<>();
            // the gateway's last message before the client's next IKE_SA_INIT (of an SA written out: read back)
            List<IkeMessage> msgs = from.sa.messages;
            if (msgs.isEmpty() && from.sa.evicted() && story != null) {
                IkeSa whole = story.apply(from);
                msgs = whole == null ? List.of() : whole.messages;
            }
            IkeMessage last = null;
            for (IkeMessage m : msgs) {
                if (!Boolean.TRUE.equals(m.fromInitiator) && m.at.nanos() <= init.nanos()) {
                    last = m;
                }
            }
            if (last != null) {
                ev.add(new Evidence(last.at, "last message from the gateway " + gateway
                        + (last.encrypted ? " (encrypted: the REDIRECT is not readable)" : "")));
            }
            ev.add(new Evidence(init, "the client's next IKE_SA_INIT, to " + b.redirectedFromTo + ": N(REDIRECTED_FROM) "
                    + gateway));
            String newGateway = b.responderAddress();
            Finding f = finding(Cause.REDIRECTED, Confidence.MEDIUM, at,
                    "the gateway redirected the client to " + newGateway
                            + ": its next SA names this gateway in REDIRECTED_FROM",
                    "The client's next IKE SA, with " + newGateway + ", carries N(REDIRECTED_FROM "
                            + gateway + ") in its IKE_SA_INIT (RFC 5685 §4): it was redirected from"
                            + " this SA's gateway. The REDIRECT itself was in an encrypted message"
                            + (at.equals("INFORMATIONAL") ? " (an INFORMATIONAL request on the established SA)" : "")
                            + "; key material would show it.",
                    "Nothing to fix if the new SA comes up; otherwise check the new gateway.", ev, List.of());
            from.verdict = Verdict.REDIRECTED;
            from.edit(d -> {
                d.redirectedToSa = b;
                redirected(d, f, newGateway, at);
            });
        }
    }
}
