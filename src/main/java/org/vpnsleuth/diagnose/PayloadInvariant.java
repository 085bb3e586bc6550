package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.ike.PayloadType;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * The invariant of issue 14: a verdict never contradicts a payload the tool has read. Run last, over
 * every readable message (cleartext, or decrypted with key material), it makes sure that nothing an
 * error notify refers to is ESTABLISHED unless a later exchange set it up again, scoped as RFC 7296
 * §2.21 says: an error in the IKE_SA_INIT response fails the IKE SA unless a retry (after
 * INVALID_KE_PAYLOAD or COOKIE) is accepted; in the IKE_AUTH response a child-SA error (with AUTH:
 * the responder authenticated) fails only the child, any other error the IKE SA; AUTHENTICATION_FAILED
 * in an INFORMATIONAL after IKE_AUTH (the initiator rejecting the responder's AUTH, §2.21.2) fails
 * the IKE SA; an error in a CREATE_CHILD_SA response fails that exchange's child. IKEv1: an error
 * notify between a Quick Mode's QM1 and its QM3 fails that Quick Mode's child. The specific rules
 * (Ikev1Rules, Ikev2Rules, ChildExchanges) normally conclude this with a precise cause; this pass
 * only catches what they left contradicting the notify, with the notify as evidence.
 */
final class PayloadInvariant {
    private PayloadInvariant() {
    }

    static void apply(IkeSa sa, SaDiagnosis d) {
        if (sa.version == 2) {
            v2(sa, d);
        } else {
            v1(sa, d);
        }
    }

    static boolean readable(IkeMessage m) {
        return !m.encrypted || m.decryptedWith != null;
    }

    private static void v2(IkeSa sa, SaDiagnosis d) {
        List<IkeExchange> ex = sa.exchanges;
        for (int i = 0; i < ex.size(); i++) {
            IkeExchange e = ex.get(i);
            for (IkeMessage m : e.messages) {
                if (m.retransmissionOf != null || !readable(m) || m.errorNotify() == null) {
                    continue;
                }
                IkeMessage.Notify err = m.errorNotify();
                switch (e.kind) {
                    case "IKE_SA_INIT" -> {
                        if (d.verdict == Verdict.ESTABLISHED && !acceptedLater(ex, i)) {
                            fail(d, m, err, "IKE_SA_INIT");
                        }
                    }
                    case "IKE_AUTH" -> {
                        if (!m.response) {
                            break;
                        }
                        if (Ikev2Rules.CHILD_ERRORS.contains(err.name()) && m.hasPayload(PayloadType.V2_AUTH)) {
                            for (ChildSa c : d.children) {
                                if (c.name.equals("IKE_AUTH") && c.verdict == Verdict.ESTABLISHED) {
                                    failChild(c, m, err);
                                }
                            }
                        } else if (d.verdict == Verdict.ESTABLISHED) {
                            fail(d, m, err, "IKE_AUTH");
                        }
                    }
                    case "INFORMATIONAL" -> {
                        if (err.name().equals("AUTHENTICATION_FAILED") && d.verdict == Verdict.ESTABLISHED) {
                            fail(d, m, err, "IKE_AUTH");
                        }
                    }
                    case "CREATE_CHILD_SA" -> {
                        for (ChildSa c : d.children) {
                            if (c.name.equals("CREATE_CHILD_SA mid " + e.messageId) && c.verdict == Verdict.ESTABLISHED) {
                                failChild(c, m, err);
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }

    /** An IKE_SA_INIT exchange after index {@code i} answered without an error notify. */
    private static boolean acceptedLater(List<IkeExchange> ex, int i) {
        for (int j = i + 1; j < ex.size(); j++) {
            IkeExchange e = ex.get(j);
            if (e.kind.equals("IKE_SA_INIT") && e.response() != null && e.response().errorNotify() == null) {
                return true;
            }
        }
        return false;
    }

    private static void v1(IkeSa sa, SaDiagnosis d) {
        List<IkeExchange> qms = sa.exchanges("Quick Mode");
        for (IkeMessage m : sa.messages) {
            if (m.exchange != 5 || m.retransmissionOf != null || !readable(m) || m.errorNotify() == null) {
                continue;
            }
            // the latest Quick Mode begun before the notify and not confirmed by QM3 before it
            IkeExchange qm = null;
            for (IkeExchange x : qms) {
                IkeMessage first = x.messages.isEmpty() ? null : x.messages.get(0);
                if (first != null && first.at.nanos() < m.at.nanos()) {
                    qm = x;
                }
            }
            if (qm == null) {
                continue;
            }
            IkeMessage q3 = Ikev1Rules.byName(qm, "QM3");
            if (q3 != null && q3.at.nanos() < m.at.nanos()) {
                continue;
            }
            String name = String.format("QM 0x%08x", qm.messageId);
            for (ChildSa c : d.children) {
                if (c.name.equals(name) && c.verdict == Verdict.ESTABLISHED) {
                    failChild(c, m, m.errorNotify());
                }
            }
        }
    }

    private static void failChild(ChildSa c, IkeMessage m, IkeMessage.Notify err) {
        c.verdict = Verdict.FAILED;
        c.cause = switch (err.name()) {
            case "TS_UNACCEPTABLE", "INVALID-ID-INFORMATION" -> Cause.TS_MISMATCH;
            case "NO_PROPOSAL_CHOSEN", "NO-PROPOSAL-CHOSEN" -> Cause.CHILD_PROPOSAL_MISMATCH;
            default -> Cause.UNKNOWN;
        };
        c.confidence = Confidence.HIGH;
        c.detail = "refused: N(" + err.name() + ") in frame " + m.at.frame();
        c.evidence.add(ev(m, "N(" + err.name() + ")" + (m.encrypted ? " (decrypted)" : "")));
    }

    private static void fail(SaDiagnosis d, IkeMessage m, IkeMessage.Notify err, String at) {
        boolean auth = err.name().equals("AUTHENTICATION_FAILED");
        String who = Boolean.TRUE.equals(m.fromInitiator) ? "initiator" : "responder";
        List<Evidence> e = new ArrayList<>();
        e.add(ev(m, "N(" + err.name() + ") from the " + who + (m.encrypted ? " (decrypted)" : "")));
        Finding f = finding(auth ? Cause.AUTH_FAILED : Cause.UNKNOWN, Confidence.HIGH, at,
                "the " + who + " said " + err.name() + ": the IKE SA did not come up",
                auth ? "The " + who + " rejected its peer's authentication (RFC 7296 §2.21.2: an initiator that cannot"
                        + " verify the responder's AUTH sends AUTHENTICATION_FAILED in a separate INFORMATIONAL and"
                        + " deletes the SA): the exchange looked complete but the SA was never used."
                        : "The " + who + " answered with the error notify " + err.name() + ", which ends the negotiation.",
                auth ? "Check the identities, certificates and CAs (or pre-shared keys) the " + who + " checks its peer"
                        + " against; its log names the reason."
                        : "See RFC 7296 §3.10.1 for " + err.name() + "; read the " + who + "'s log.",
                e, List.of());
        if (d.main != null && !d.findings.contains(d.main)) {
            d.findings.add(d.main);
        }
        d.main = f;
        d.findings.add(0, f);
        d.verdict = Verdict.FAILED;
        d.stoppedAt = at;
        d.rfcState = at + " failed";
        d.iosState = "DELETE";
        d.asaState = "NEG";
        d.strongswanState = "DESTROYING";
        for (ChildSa c : d.children) {
            if (c.verdict == Verdict.ESTABLISHED) {
                failChild(c, m, err);
                c.cause = f.cause();
            }
        }
    }
}
