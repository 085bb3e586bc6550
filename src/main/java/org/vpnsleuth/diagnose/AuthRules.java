package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.ike.CertificateData;
import org.vpnsleuth.ike.EapPacket;
import org.vpnsleuth.ike.KeyCheck;
import org.vpnsleuth.ike.PayloadType;
import org.vpnsleuth.ike.X509Details;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * IKEv2 authentication (RFC 7296 §2.15, §2.16, §3.5–3.8): EAP over several IKE_AUTH rounds, and
 * why an AUTHENTICATION_FAILED was sent — a certificate expired or not yet valid (validity against
 * the capture time), issued by a CA the other side did not ask for (the CA key hashes of CERTREQ
 * against the issuer's key recovered from an ECDSA signature, ike/IssuerKeys), an identity the
 * other side has no configuration for, or pre-shared keys that differ (ruled out when a supplied
 * PSK verifies the initiator's AUTH).
 */
final class AuthRules {
    private AuthRules() {
    }

    /** The initiator's INFORMATIONAL this soon after the last IKE_AUTH response, with nothing after it, is a rejection, not a delete. */
    static final long REJECT_WITHIN_NANOS = 2_000_000_000L;

    // ------------------------------------------------------------------ EAP (RFC 7296 §2.16)

    /** Several IKE_AUTH rounds, or an EAP payload in the (decrypted) first one: EAP or RFC 4739 multiple authentication. */
    static boolean multiRound(List<IkeExchange> auths) {
        if (auths.size() > 1) {
            return true;
        }
        for (IkeMessage m : auths.get(0).messages) {
            if (!m.eap.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** What the EAP conversation of the IKE_AUTH rounds shows. */
    private static final class Story {
        final List<Evidence> evidence = new ArrayList<>();
        String identity;
        IkeMessage identityAt;
        String method;
        IkeMessage failureAt;
        EapPacket failure;
        IkeMessage mschapFailureAt;
        EapPacket.MsChapV2 mschapFailure;
        IkeMessage nakAt;
        EapPacket.Nak nak;
        IkeMessage successAt;
        IkeExchange finalRound;
        IkeMessage errorAt;
        IkeMessage.Notify error;
        boolean decrypted;
        int rounds;
    }

    private static Story story(List<IkeExchange> auths) {
        Story s = new Story();
        s.rounds = auths.size();
        for (IkeExchange x : auths) {
            IkeMessage q = x.request();
            IkeMessage r = x.response();
            if (q != null && q.idI != null && s.identity == null && q.decryptedWith != null) {
                s.identity = q.idI;
                s.identityAt = q;
            }
            for (IkeMessage m : new IkeMessage[] {q, r}) {
                if (m == null) {
                    continue;
                }
                s.decrypted |= m.response && m.decryptedWith != null;
                for (EapPacket p : m.eap) {
                    s.evidence.add(ev(m, "IKE_AUTH " + (m.response ? "response" : "request") + ": EAP " + p.words()));
                    if (p.code() == EapPacket.RESPONSE && p.method() instanceof EapPacket.Identity id && !id.identity().isEmpty()) {
                        s.identity = id.identity();
                        s.identityAt = m;
                    } else if (p.code() == EapPacket.REQUEST && p.type() != null && p.type() > EapPacket.NAK) {
                        s.method = EapPacket.methodName(p.type());
                        if (p.method() instanceof EapPacket.MsChapV2 ms && ms.opCode() == 4 && ms.error() != null) {
                            s.mschapFailure = ms;
                            s.mschapFailureAt = m;
                        }
                    } else if (p.code() == EapPacket.RESPONSE && p.method() instanceof EapPacket.Nak n) {
                        s.nak = n;
                        s.nakAt = m;
                    } else if (p.code() == EapPacket.FAILURE) {
                        s.failure = p;
                        s.failureAt = m;
                    } else if (p.code() == EapPacket.SUCCESS) {
                        s.successAt = m;
                    }
                }
            }
            if (r != null && r.decryptedWith != null) {
                IkeMessage.Notify err = r.errorNotify();
                if (err != null && s.error == null) {
                    s.error = err;
                    s.errorAt = r;
                }
                if (r.hasPayload(PayloadType.V2_AUTH) && r.eap.isEmpty() && err == null) {
                    s.finalRound = x;
                }
            }
        }
        return s;
    }

    /**
     * EAP (or multiple authentication) over several IKE_AUTH rounds. The IKE SA is up only when the
     * last IKE_AUTH response carries AUTH (after EAP Success); returns that exchange for the caller's
     * success path (child SA, later exchanges), or null when it decided the SA here (FAILED or
     * INCOMPLETE, {@code d} filled).
     */
    static IkeExchange eap(Diagnoser dg, IkeSa sa, SaDiagnosis d, IkeExchange init, List<IkeExchange> auths) {
        Story s = story(auths);
        IkeExchange last = auths.get(auths.size() - 1);
        IkeMessage lastQ = last.request();
        IkeMessage lastR = last.response();
        IkeMessage info = initiatorInformationalAfter(sa, last);
        IkeMessage.Notify infoErr = info == null || info.decryptedWith == null ? null : info.errorNotify();
        d.stoppedAt = "IKE_AUTH";
        String who = s.identity != null ? "'" + s.identity + "'" : "the user";
        String method = s.method != null ? s.method : "EAP";
        if (s.mschapFailure != null) {
            EapPacket.MsChapV2 f = s.mschapFailure;
            String[] m = PppRules.mschap(f.error());
            List<Evidence> e = new ArrayList<>();
            if (s.identityAt != null) {
                e.add(ev(s.identityAt, "EAP identity " + who));
            }
            e.add(ev(s.mschapFailureAt, "EAP-MSCHAPv2 Failure E=" + f.error() + (f.errorName() != null ? " " + f.errorName() : "")
                    + (f.retry() != null ? " R=" + (f.retry() ? 1 : 0) : "")));
            if (info != null) {
                e.add(ev(info, "INFORMATIONAL request from the initiator" + (infoErr != null ? ": N(" + infoErr.name() + ")" : "")));
            }
            fail(d, finding(Cause.EAP_FAILED, Confidence.HIGH, "IKE_AUTH",
                    "EAP-MSCHAPv2 authentication of " + who + " failed: E=" + f.error()
                            + (f.errorName() != null ? " " + f.errorName() : "") + " (" + m[0] + ")",
                    "The responder (the EAP server, or the RADIUS server behind it) answered the client's MS-CHAPv2"
                            + " Response with a Failure carrying error " + f.error() + ": " + m[0] + "."
                            + (f.error() == 691 ? " A user the server does not know gets the same 691 as a wrong"
                                    + " password: the server's log (RADIUS reply, 'no EAP key found') tells them apart." : "")
                            + (infoErr != null ? " The client then gave up with N(" + infoErr.name() + ")." : "")
                            + " The IKE SA never came up: its last IKE_AUTH response carries no AUTH.",
                    m[1] + " Look in the EAP/RADIUS backend's log (FreeRADIUS, NPS, strongSwan `eap-radius` or the"
                            + " `secrets` EAP entries) for identity " + who + ".", e, List.of()), "EAP failed");
            return null;
        }
        if (s.failure != null) {
            List<Evidence> e = new ArrayList<>();
            if (s.identityAt != null) {
                e.add(ev(s.identityAt, "EAP identity " + who));
            }
            String headline;
            String why;
            String fix;
            if (s.nak != null) {
                e.add(ev(s.nakAt, "EAP Nak: the client " + s.nak.words() + " instead of " + method));
                headline = "EAP method mismatch: the server offers " + method + ", the client " + s.nak.words()
                        + " (Nak), then EAP Failure";
                why = "The responder started " + method + "; the client does not do it and answered with a Nak naming the"
                        + " method(s) it would use (" + (s.nak.desiredNames().isEmpty() ? "none" : String.join(", ",
                                s.nak.desiredNames())) + "); the server has no such method for " + who
                        + " and ended EAP with a Failure (RFC 3748 §5.3).";
                fix = "Configure the same EAP method on the client and the server (strongSwan `auth = eap-...` in the"
                        + " responder's remote section and the client's local section, or `eap-dynamic`; Windows: the VPN"
                        + " connection's authentication method; the RADIUS server's allowed EAP types).";
            } else {
                headline = method + " authentication of " + who + " failed: EAP Failure";
                why = "The responder (the EAP server, or the RADIUS server behind it) ended the " + method
                        + " conversation with an EAP Failure: the credentials of " + who
                        + " were refused (wrong password, unknown user, disabled account or a policy of the RADIUS server).";
                fix = "Check the password of " + who + " on the client and in the EAP/RADIUS backend (strongSwan"
                        + " `secrets` EAP entries, FreeRADIUS users, NPS / Active Directory), and whether the account is"
                        + " enabled; the backend's log says which.";
            }
            e.add(ev(s.failureAt, "EAP Failure"));
            if (info != null) {
                e.add(ev(info, "INFORMATIONAL request from the initiator" + (infoErr != null ? ": N(" + infoErr.name() + ")" : "")));
            }
            fail(d, finding(Cause.EAP_FAILED, Confidence.HIGH, "IKE_AUTH", headline, why
                    + " The IKE SA never came up: its last IKE_AUTH response carries no AUTH.", fix, e, List.of()), "EAP failed");
            return null;
        }
        if (s.error != null) {
            IkeExchange x = exchangeOf(auths, s.errorAt);
            IkeMessage q = x.request();
            Finding f;
            if (s.successAt != null && s.error.name().equals("AUTHENTICATION_FAILED")) {
                List<Evidence> e = new ArrayList<>(s.evidence);
                e.add(ev(q, "IKE_AUTH request: AUTH computed from the EAP key (MSK)"));
                e.add(ev(s.errorAt, "N(AUTHENTICATION_FAILED)"));
                f = finding(Cause.AUTH_FAILED, Confidence.HIGH, "IKE_AUTH",
                        "EAP succeeded, but the responder rejects the initiator's final AUTH",
                        "After EAP Success the initiator authenticates with an AUTH computed from the EAP method's key"
                                + " (MSK, RFC 7296 §2.16); the responder answered AUTHENTICATION_FAILED: the two sides derived"
                                + " different MSKs (a RADIUS server that did not pass the MSK, or a method without one, such as"
                                + " EAP-MD5, on one side).",
                        "Check that the RADIUS server sends the MPPE keys (MS-MPPE-Recv/Send-Key) and that the EAP method"
                                + " derives a key.", e, List.of());
            } else {
                f = responderRejects(dg, sa, init, q, s.errorAt, s.error);
            }
            fail(d, f, "IKE_AUTH failed");
            return null;
        }
        if (s.finalRound != null) {
            return s.finalRound;
        }
        if (infoErr != null && infoErr.name().equals("AUTHENTICATION_FAILED")) {
            // the initiator refused the responder (its certificate, identity or AUTH) before EAP finished
            IkeExchange first = auths.get(0);
            Finding f = initiatorRejects(dg, sa, init, first, info, infoErr);
            fail(d, f, "IKE_AUTH failed");
            return null;
        }
        if (lastQ != null && lastR == null) {
            Finding f = dg.noResponse(sa, lastQ, "IKE_AUTH", "IKE_AUTH request (round " + s.rounds + ")");
            d.main = f;
            d.findings.add(f);
            d.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            Ikev2Rules.states(d, "IKE_AUTH round " + s.rounds + " sent, no answer");
            return null;
        }
        if (lastR == null) {
            d.verdict = Verdict.INCOMPLETE;
            Ikev2Rules.states(d, "IKE_AUTH");
            return null;
        }
        // wire only (or nothing decisive decrypted): what follows the last round says whether the SA came up
        boolean esp = Ikev2Rules.espBothWays(sa, lastR.at.nanos());
        boolean otherLater = false;
        boolean after = false;
        for (IkeExchange x : sa.exchanges) {
            if (x == last) {
                after = true;
                continue;
            }
            if (after && x.request() != null && x.request() != info) {
                otherLater = true;
            }
        }
        if (s.decrypted || esp || otherLater) {
            return last; // decrypted without an EAP failure, or traffic/exchanges after it: the SA is up
        }
        List<Evidence> e = new ArrayList<>();
        for (IkeExchange x : auths) {
            if (x.request() != null) {
                e.add(ev(x.request(), "IKE_AUTH request, message ID " + x.messageId));
            }
            if (x.response() != null) {
                e.add(ev(x.response(), "IKE_AUTH response, message ID " + x.messageId));
            }
        }
        if (info != null && info.at.nanos() - lastR.at.nanos() <= REJECT_WITHIN_NANOS) {
            e.add(ev(info, "INFORMATIONAL request from the initiator " + ms(info.at.nanos() - lastR.at.nanos())
                    + " after the last IKE_AUTH response"));
            fail(d, finding(Cause.EAP_FAILED, Confidence.MEDIUM, "IKE_AUTH",
                    s.rounds + " IKE_AUTH rounds (EAP), then the initiator sent an INFORMATIONAL at once and nothing followed",
                    "IKE_AUTH took " + s.rounds + " rounds: the responder authenticates the client with EAP (or a second"
                            + " authentication, RFC 4739). Right after the last round the initiator sent an INFORMATIONAL"
                            + " request and no ESP or other exchange followed: a client whose EAP failed (an EAP Failure,"
                            + " or an MS-CHAPv2 Failure such as E=691) reports N(AUTHENTICATION_FAILED) this way. The EAP"
                            + " payloads are encrypted; decryption shows the method, the identity and the code.",
                    "Check the user's credentials and account in the EAP/RADIUS backend (its log names the user and the"
                            + " reason); supply the key material (the daemons' logs) to read the EAP messages.",
                    e, List.of(Cause.AUTH_FAILED)), "EAP failed");
            return null;
        }
        if (info == null && dg.nearEnd(lastR.at.nanos())) {
            d.verdict = Verdict.INCOMPLETE;
            d.main = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, "IKE_AUTH",
                    "the capture ends during the IKE_AUTH rounds (EAP)", "The EAP conversation had not finished when the"
                            + " capture ended.", "Capture for longer.", e, List.of(Cause.EAP_FAILED));
            d.findings.add(d.main);
            Ikev2Rules.states(d, "IKE_AUTH (EAP) in progress");
            return null;
        }
        if (info != null) {
            e.add(ev(info, "INFORMATIONAL request from the initiator"));
        }
        fail(d, finding(Cause.EAP_FAILED, Confidence.LOW, "IKE_AUTH",
                s.rounds + " IKE_AUTH rounds (EAP), then no ESP and no further exchange",
                "IKE_AUTH took " + s.rounds + " rounds (EAP or multiple authentication) and nothing shows the SA in use"
                        + " afterwards; the payloads are encrypted, so whether EAP failed or the final AUTH was refused"
                        + " cannot be read from the wire.",
                "Read the responder's (EAP server's) log; supply key material to read the EAP messages.", e,
                List.of(Cause.AUTH_FAILED, Cause.UNKNOWN)), "IKE_AUTH (EAP) failed");
        return null;
    }

    private static void fail(SaDiagnosis d, Finding f, String state) {
        d.main = f;
        d.findings.add(f);
        d.stoppedAt = "IKE_AUTH";
        d.verdict = Verdict.FAILED;
        ChildSa child = new ChildSa("IKE_AUTH");
        child.verdict = Verdict.FAILED;
        child.cause = f.cause();
        child.confidence = f.confidence();
        d.children.add(child);
        Ikev2Rules.states(d, state);
    }

    private static IkeExchange exchangeOf(List<IkeExchange> auths, IkeMessage m) {
        for (IkeExchange x : auths) {
            if (x.messages.contains(m)) {
                return x;
            }
        }
        return auths.get(0);
    }

    /** The first INFORMATIONAL request the initiator sent after {@code ex}, when it is the last exchange of the SA; else null. */
    static IkeMessage initiatorInformationalAfter(IkeSa sa, IkeExchange ex) {
        int i = sa.exchanges.indexOf(ex);
        if (i < 0 || i + 1 >= sa.exchanges.size()) {
            return null;
        }
        IkeExchange next = sa.exchanges.get(i + 1);
        if (!next.kind.equals("INFORMATIONAL") || !Boolean.TRUE.equals(next.byInitiator) || i + 2 < sa.exchanges.size()) {
            return null;
        }
        return next.request();
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    // ------------------------------------------------------------------ the responder refuses the initiator

    private static final List<Cause> CERT_ALTERNATIVES = List.of(Cause.CERT_UNTRUSTED, Cause.ID_MISMATCH, Cause.CERT_EXPIRED,
            Cause.CERT_NOT_YET_VALID, Cause.PSK_MISMATCH);

    /**
     * An IKE_AUTH response with AUTHENTICATION_FAILED and no AUTH (decrypted): the responder refused
     * the initiator. Which credential, as far as the request and the key checks tell.
     */
    static Finding responderRejects(Diagnoser dg, IkeSa sa, IkeExchange init, IkeMessage q, IkeMessage r, IkeMessage.Notify err) {
        List<Evidence> e = new ArrayList<>();
        IkeMessage initResp = init == null ? null : init.response();
        String ids = "IDi " + quoted(q.idI) + (q.idR != null ? ", IDr " + quoted(q.idR) : "");
        e.add(ev(q, "IKE_AUTH request: " + ids + (q.authMethodName != null ? ", AUTH " + q.authMethodName : "")
                + (q.certs.isEmpty() ? "" : ", CERT " + certWords(q.certs.get(0)))));
        e.add(ev(r, "N(" + err.name() + ")"));
        X509Details cert = firstX509(q);
        if (cert != null) {
            Finding f = certVerdict("initiator", "responder", cert, q, initResp, e, q.idI);
            if (f != null) {
                return f;
            }
            // valid in time and issued by a CA the responder asked for (or no way to tell)
            boolean trusted = issuedByRequested(cert, initResp) == Boolean.TRUE;
            if (trusted && q.idR != null) {
                return finding(Cause.ID_MISMATCH, Confidence.MEDIUM, "IKE_AUTH",
                        "the responder refuses " + ids + ": its certificate is valid and from a CA the responder asked"
                                + " for, so the identities are what it has no configuration for",
                        "The initiator's certificate (" + certWords(q.certs.get(0)) + ") was valid at the time and is"
                                + " signed by a CA whose key hash the responder listed in its CERTREQ, yet the responder"
                                + " answered AUTHENTICATION_FAILED without authenticating itself: it found no configuration"
                                + " (peer config / tunnel group / IKEv2 profile) for this pair of identities. The initiator"
                                + " asked for IDr " + quoted(q.idR) + ".",
                        "Make the initiator's remote identity (strongSwan `remote.id`, Windows server name, Cisco `match"
                                + " identity remote`) the one the responder has, and the responder accept IDi "
                                + quoted(q.idI) + " (strongSwan `remote.id`, Cisco `match identity`).", e,
                        List.of(Cause.AUTH_FAILED));
            }
            return finding(Cause.AUTH_FAILED, Confidence.LOW, "IKE_AUTH",
                    "the responder refuses the initiator's certificate authentication (" + ids + ")",
                    "The responder answered AUTHENTICATION_FAILED without authenticating itself. The certificate was"
                            + " valid at the time; the capture cannot show whether the responder trusts its issuer"
                            + " (an RSA signature does not reveal the issuer's key) or has a configuration for these"
                            + " identities.",
                    "Check that the responder trusts the CA of '" + cert.issuer() + "' and has a connection for "
                            + ids + "; its log says which.", e, List.of(Cause.CERT_UNTRUSTED, Cause.ID_MISMATCH));
        }
        if (q.authMethod == Ikev2Rules.AUTH_SHARED_KEY) {
            KeyCheck k = q.keyCheck;
            // (not when a daemon's log shows another key: the supplied one may be only the initiator's)
            if (k != null && k.kind() == KeyCheck.Kind.PSK_MATCH && k.fromInitiator() && k.tried() > 0 && k.matching() == k.tried()
                    && !dg.logsHoldAnotherPsk()) {
                e.add(ev(q, k.text()));
                return finding(Cause.ID_MISMATCH, k.tried() >= 2 ? Confidence.HIGH : Confidence.MEDIUM, "IKE_AUTH",
                        "the responder has no configuration for " + ids + " (the pre-shared key is right)",
                        "The initiator's AUTH verifies with " + (k.tried() >= 2 ? "every one of the " + k.tried()
                                + " supplied pre-shared keys" : "the supplied pre-shared key") + ", so the keys do not"
                                + " differ (unless the responder uses a key that was not supplied). The responder still"
                                + " answered AUTHENTICATION_FAILED without authenticating itself: it found no"
                                + " configuration for these identities (strongSwan logs 'no matching peer config found')."
                                + (q.idR != null ? " The initiator asked for IDr " + quoted(q.idR) + "; if the responder"
                                        + " does not have that identity, that is the mismatch." : ""),
                        "Make the identities match: the initiator's remote identity (strongSwan `remote.id`, Cisco"
                                + " `match identity remote` / `identity local`) must be the responder's own, and the"
                                + " responder must have a connection for IDi " + quoted(q.idI) + ".", e,
                        List.of(Cause.AUTH_FAILED));
            }
            if (k != null && k.fromInitiator() && (k.kind() == KeyCheck.Kind.PSK_NONE
                    || k.kind() == KeyCheck.Kind.PSK_MATCH && k.matching() < k.tried())) {
                e.add(ev(q, k.text()));
                return finding(Cause.PSK_MISMATCH, Confidence.HIGH, "IKE_AUTH",
                        "the responder rejects the initiator's pre-shared-key AUTH (AUTHENTICATION_FAILED): the keys differ",
                        "The IKE_AUTH request authenticates with a shared key (AUTH method 2) and the responder answers"
                                + " AUTHENTICATION_FAILED; recomputed with the supplied keys, the initiator's AUTH matches "
                                + (k.kind() == KeyCheck.Kind.PSK_NONE ? "none of them" : "some of them but not all")
                                + ": the peers' keys differ (strongSwan logs 'MAC mismatched').",
                        "Compare the pre-shared keys for these identities on both peers (strongSwan `secrets`, Cisco"
                                + " `pre-shared-key` in the keyring / profile).", e, List.of());
            }
            return finding(Cause.AUTH_FAILED, Confidence.LOW, "IKE_AUTH",
                    "the responder rejects the initiator (AUTHENTICATION_FAILED): the pre-shared keys differ, or the"
                            + " responder has no configuration for " + ids,
                    "The IKE_AUTH request authenticates with a shared key (AUTH method 2); the responder answers"
                            + " AUTHENTICATION_FAILED without authenticating itself. Pre-shared keys that differ and a"
                            + " responder with no configuration for these identities look the same on the wire; supplying"
                            + " the pre-shared key (--psk, or the daemons' logs) tells them apart: a key that verifies the"
                            + " initiator's AUTH rules out the key.",
                    "Compare the pre-shared keys for these identities on both peers, and the identities each side sends"
                            + " and expects (strongSwan `id`/`remote.id`, Cisco `match identity`).", e,
                    List.of(Cause.PSK_MISMATCH, Cause.ID_MISMATCH));
        }
        return finding(Cause.AUTH_FAILED, Confidence.MEDIUM, "IKE_AUTH", "the responder refuses " + ids
                        + " (AUTHENTICATION_FAILED)",
                "The responder answered AUTHENTICATION_FAILED" + (q.hasPayload(PayloadType.V2_AUTH) ? "" : " before any"
                        + " EAP (the request has no AUTH: the initiator wants EAP)") + ": it has no configuration for these"
                        + " identities or refuses the initiator's credentials.",
                "Check the responder's connection for " + ids + " and its log.", e, List.of(Cause.ID_MISMATCH));
    }

    // ------------------------------------------------------------------ the initiator refuses the responder

    /**
     * The responder authenticated itself (IKE_AUTH response with AUTH), then the initiator sent an
     * INFORMATIONAL with AUTHENTICATION_FAILED: the initiator refused the responder's certificate,
     * identity or AUTH. With the notify decrypted; {@code err} null for the wire-only pattern.
     */
    static Finding initiatorRejects(Diagnoser dg, IkeSa sa, IkeExchange init, IkeExchange auth, IkeMessage info,
            IkeMessage.Notify err) {
        IkeMessage q = auth.request();
        IkeMessage r = auth.response();
        IkeMessage initResp = init == null ? null : init.response();
        List<Evidence> e = new ArrayList<>();
        e.add(ev(q, "IKE_AUTH request" + (q.idR != null ? ": IDr " + quoted(q.idR) + " asked for" : "")));
        e.add(ev(r, "IKE_AUTH response" + (r.decryptedWith != null ? ": IDr " + quoted(r.idR) + (r.certs.isEmpty() ? ""
                : ", CERT " + certWords(r.certs.get(0))) : "")));
        e.add(ev(info, "INFORMATIONAL request from the initiator " + ms(info.at.nanos() - r.at.nanos()) + " later"
                + (err != null ? ": N(" + err.name() + ")" : "")));
        if (err == null) {
            return finding(Cause.AUTH_FAILED, Confidence.LOW, "IKE_AUTH",
                    "the initiator sent an INFORMATIONAL " + ms(info.at.nanos() - r.at.nanos()) + " after IKE_AUTH and"
                            + " nothing followed: most likely it rejected the responder's authentication",
                    "IKE_AUTH was answered (the responder's part is done), but right after it the initiator sent an"
                            + " INFORMATIONAL request and then neither ESP nor any other exchange followed. An initiator"
                            + " that cannot verify the responder (an untrusted or expired certificate, another identity"
                            + " than it asked for) reports N(AUTHENTICATION_FAILED) exactly this way (RFC 7296 §2.21.2); a"
                            + " Delete this soon after setting the SA up would be unusual. The payloads are encrypted;"
                            + " decryption tells.",
                    "Check the initiator's log and its trust anchors (CA certificates), the responder's certificate"
                            + " validity, and the identity the initiator expects; supply key material to read the notify.",
                    e, List.of(Cause.CERT_UNTRUSTED, Cause.CERT_EXPIRED, Cause.ID_MISMATCH, Cause.CERT_NOT_YET_VALID,
                            Cause.DELETED_BY_PEER));
        }
        X509Details cert = firstX509(r);
        if (cert != null) {
            // the CAs the initiator asked for: its CERTREQ in IKE_AUTH
            Finding f = certVerdict("responder", "initiator", cert, r, q, e, q.idR);
            if (f != null) {
                return f;
            }
        }
        if (q.idR != null && r.idR != null && !sameId(q.idR, r.idR)) {
            return finding(Cause.ID_MISMATCH, Confidence.HIGH, "IKE_AUTH",
                    "the initiator asked for IDr " + quoted(q.idR) + ", the responder answered as " + quoted(r.idR),
                    "The responder authenticated itself with another identity than the one the initiator asked for; the"
                            + " initiator refused it (N(" + err.name() + ")).",
                    "Make the initiator's remote identity (strongSwan `remote.id`, the Windows server name) the responder's"
                            + " identity, or the responder's local identity the one the initiator expects.", e, List.of());
        }
        return finding(Cause.AUTH_FAILED, Confidence.MEDIUM, "IKE_AUTH",
                "the initiator rejects the responder's authentication (N(" + err.name() + ") after IKE_AUTH)",
                "The responder's IKE_AUTH response authenticated it, but the initiator could not verify it and said so"
                        + " with N(" + err.name() + ") in an INFORMATIONAL (RFC 7296 §2.21.2)"
                        + (r.authMethodName != null ? "; the responder's AUTH method: " + r.authMethodName : "") + ".",
                "Check the initiator's log: its trust anchors, the identity it expects, the pre-shared key it uses.", e,
                List.of(Cause.CERT_UNTRUSTED, Cause.ID_MISMATCH));
    }

    /** Where a certificate verdict is: the IKEv1 message that carried it (MM5, MM6), else IKE_AUTH. */
    private static String at(IkeMessage sent) {
        return sent.version == 1 && sent.name != null ? sent.name : "IKE_AUTH";
    }

    // ------------------------------------------------------------------ IKEv1 Main Mode with signatures (RFC 2409 §5.1)

    private static final List<Cause> V1_ALTERNATIVES = List.of(Cause.CERT_UNTRUSTED, Cause.CERT_EXPIRED, Cause.ID_MISMATCH,
            Cause.CERT_NOT_YET_VALID);

    /**
     * IKEv1 with signatures or certificates: the responder answered the initiator's MM5 (ID, CERT,
     * SIG) with encrypted Informationals instead of MM6. Decrypted: which certificate problem, or the
     * notify; wire only: AUTH_FAILED with the certificate causes as alternatives.
     */
    static Finding v1ResponderRejects(IkeMessage q, IkeMessage cr, List<IkeMessage> answers, List<Evidence> e) {
        IkeMessage.Notify n = null;
        for (IkeMessage a : answers) {
            if (a.decryptedWith != null && a.errorNotify() != null) {
                n = a.errorNotify();
                break;
            }
        }
        X509Details cert = firstX509(q);
        String at = q.name;
        if (q.decryptedWith == null || n == null) {
            return finding(Cause.AUTH_FAILED, Confidence.LOW, at,
                    "the responder refused " + at + " (signature authentication) with encrypted notifies",
                    "Phase 1 authenticates with signatures (certificates), so both peers derived the same keys without"
                            + " any shared secret; the responder did not send MM6 but an encrypted Informational: it"
                            + " refused the initiator's identity, certificate or signature (AUTHENTICATION-FAILED,"
                            + " INVALID-ID-INFORMATION). Which one is encrypted; decryption (the daemons' logs) tells.",
                    "Check the responder's trust anchors for the initiator's CA, the certificate's validity and the"
                            + " identities; the responder's log says which.", e, V1_ALTERNATIVES);
        }
        List<Evidence> all = new ArrayList<>(e);
        if (cert != null) {
            all.add(0, ev(q, at + ": CERT " + certWords(q.certs.get(0))));
            Finding f = certVerdict("initiator", "responder", cert, q, cr, all, null);
            if (f != null) {
                return f;
            }
        }
        return finding(Cause.AUTH_FAILED, Confidence.HIGH, at, "the responder refused " + at + ": " + n.name(),
                "The responder's encrypted Informational says " + n.name() + ": it could not verify the initiator's"
                        + " identity, certificate or signature.", "Check the certificates, CAs and identities; the"
                        + " responder's log says which.", all, List.of(Cause.CERT_UNTRUSTED, Cause.ID_MISMATCH));
    }

    /**
     * IKEv1 Main Mode completed on the wire (MM6 sent), but the initiator's very next message is an
     * encrypted Informational within {@link #REJECT_WITHIN_NANOS} and nothing follows (no Quick
     * Mode, no ESP): the initiator refused the responder's MM6 (strongSwan then sends a Delete).
     * Returns null when that is not the pattern, or when decryption shows nothing wrong with MM6.
     */
    static Finding v1InitiatorRejects(IkeSa sa, IkeExchange p1, IkeMessage m5, IkeMessage m6) {
        if (m6 == null || p1.exchangeType != 2) {
            return null;
        }
        int i = sa.exchanges.indexOf(p1);
        if (i < 0 || i + 2 != sa.exchanges.size() || !sa.flows.isEmpty()) {
            return null;
        }
        IkeExchange next = sa.exchanges.get(i + 1);
        IkeMessage info = next.request();
        if (!next.kind.equals("Informational") || !Boolean.TRUE.equals(next.byInitiator) || info == null
                || info.at.nanos() - m6.at.nanos() > REJECT_WITHIN_NANOS) {
            return null;
        }
        List<Evidence> e = new ArrayList<>();
        e.add(ev(m6, "MM6" + (m6.decryptedWith != null && !m6.certs.isEmpty() ? ": CERT " + certWords(m6.certs.get(0)) : "")));
        e.add(ev(info, "encrypted Informational from the initiator " + ms(info.at.nanos() - m6.at.nanos()) + " after MM6"
                + (info.decryptedWith != null ? ": " + info.decryptedPayloads : "")));
        X509Details cert = firstX509(m6);
        if (m6.decryptedWith != null && cert != null) {
            Finding f = certVerdict("responder", "initiator", cert, m6, m5, e, null);
            return f;
        }
        if (m6.decryptedWith != null || info.decryptedWith != null) {
            return null;
        }
        return finding(Cause.AUTH_FAILED, Confidence.LOW, "MM6",
                "the initiator sent an encrypted Informational " + ms(info.at.nanos() - m6.at.nanos()) + " after MM6 and"
                        + " nothing followed: most likely it refused the responder's authentication",
                "Main Mode completed on the wire, but instead of a Quick Mode the initiator at once sent an Informational"
                        + " and nothing followed: an initiator that cannot verify the responder's certificate or"
                        + " signature deletes the ISAKMP SA (or notifies AUTHENTICATION-FAILED) this way. The payloads"
                        + " are encrypted; decryption tells.",
                "Check the initiator's trust anchors, the responder's certificate validity and identity.", e,
                List.of(Cause.CERT_UNTRUSTED, Cause.CERT_EXPIRED, Cause.ID_MISMATCH, Cause.CERT_NOT_YET_VALID,
                        Cause.DELETED_BY_PEER));
    }

    // ------------------------------------------------------------------ certificates

    /**
     * The certificate {@code cert} of {@code owner}, refused by {@code other}: expired or not yet
     * valid at the time of {@code sent}, issued by none of the CAs {@code requester}'s CERTREQ asked
     * for, or not naming {@code id}; null when none of that shows.
     */
    private static Finding certVerdict(String owner, String other, X509Details cert, IkeMessage sent, IkeMessage requester,
            List<Evidence> e, String id) {
        Instant when = Instant.ofEpochSecond(0, sent.at.nanos());
        String validity = cert.validityAt(when);
        String name = "the " + owner + "'s certificate '" + cert.subject() + "'";
        if (validity != null) {
            boolean expired = validity.equals("expired");
            return finding(expired ? Cause.CERT_EXPIRED : Cause.CERT_NOT_YET_VALID, Confidence.HIGH, at(sent),
                    name + " is " + validity + " (valid " + cert.notBefore() + " to " + cert.notAfter() + ", sent "
                            + when.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")",
                    "The " + owner + " authenticated with a certificate whose validity (notBefore " + cert.notBefore()
                            + ", notAfter " + cert.notAfter() + ") does not cover the time it was sent; the " + other
                            + " refused it (RFC 5280 §4.1.2.5)." + (expired ? "" : " A certificate valid only in the"
                                    + " future usually means a wrong clock on the issuing CA or on the " + other + "."),
                    expired ? "Renew the " + owner + "'s certificate (issued by '" + cert.issuer() + "') and load it."
                            : "Check the clocks (NTP) of the " + other + " and of the CA, or issue a certificate valid now.",
                    e, List.of());
        }
        Boolean requested = issuedByRequested(cert, requester);
        if (requested == Boolean.FALSE) {
            return finding(Cause.CERT_UNTRUSTED, Confidence.HIGH, at(sent),
                    name + " is issued by '" + cert.issuer() + "', a CA the " + other + " did not ask for",
                    (requester.version == 1 ? "The " + other + " listed the CAs it trusts in its certificate requests (CR: "
                            + String.join("; ", requester.certRequests) + "); the issuer of the " + owner
                            + "'s certificate is none of them."
                            : "The " + other + " listed the CAs it trusts in its CERTREQ (SHA-1 hashes of their public keys: "
                            + String.join(", ", requester.certRequests) + "); the key that signed the " + owner
                            + "'s certificate, recovered from its ECDSA signature, is none of them.") + " The " + other
                            + " found no trusted path to the certificate and refused it (strongSwan logs 'no issuer"
                            + " certificate found', 'no trusted ... public key found').",
                    "Install the CA certificate of '" + cert.issuer() + "' as a trust anchor on the " + other
                            + " (strongSwan `x509ca/` and `remote.cacerts`, Cisco trustpoint, Windows 'Trusted Root"
                            + " Certification Authorities'), or issue the " + owner + "'s certificate from a CA the "
                            + other + " trusts.", e, List.of());
        }
        if (id != null && !cert.subjectAltNames().isEmpty() && !namesIdentity(cert, id) && requested == Boolean.TRUE) {
            return finding(Cause.ID_MISMATCH, Confidence.HIGH, at(sent),
                    name + " does not contain the identity " + quoted(id),
                    "The " + other + " expects the identity " + quoted(id) + ", but the certificate names "
                            + cert.subjectAltNames() + " (subject '" + cert.subject() + "'); RFC 4945 §3.1 wants the"
                            + " identity confirmed by the certificate.",
                    "Issue a certificate whose subjectAltName carries " + quoted(id) + ", or use the identity it names.",
                    e, List.of());
        }
        return null;
    }

    /** TRUE: one of the keys that may have signed {@code cert} is among the CAs {@code requester} asked for; FALSE: none; null: cannot tell. */
    static Boolean issuedByRequested(X509Details cert, IkeMessage requester) {
        if (requester == null || requester.certRequests.isEmpty()) {
            return null;
        }
        if (requester.version == 1) {
            // IKEv1 CR names the CA by its distinguished name (RFC 2408 §3.10)
            for (String n : requester.certRequests) {
                if (cert.issuer() != null && sameDn(n, cert.issuer())) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
        List<String> keys = cert.issuerKeyHashes();
        if (keys.isEmpty()) {
            return null;
        }
        for (String k : keys) {
            for (String h : requester.certRequests) {
                if (h.equalsIgnoreCase(k)) {
                    return Boolean.TRUE;
                }
            }
        }
        return Boolean.FALSE;
    }

    /** Two distinguished names with the same attribute=value pairs, whatever their order and spacing. */
    static boolean sameDn(String a, String b) {
        return rdns(a).equals(rdns(b));
    }

    private static java.util.Set<String> rdns(String dn) {
        java.util.Set<String> s = new java.util.TreeSet<>();
        for (String p : dn.split("[,/]")) {
            String t = p.trim().toLowerCase(Locale.ROOT).replaceAll("\\s*=\\s*", "=");
            if (!t.isEmpty()) {
                s.add(t);
            }
        }
        return s;
    }

    private static X509Details firstX509(IkeMessage m) {
        for (CertificateData c : m.certs) {
            if (c.x509() != null && c.x509().malformed() == null && !c.x509().ca()) {
                return c.x509();
            }
        }
        return null;
    }

    private static boolean namesIdentity(X509Details c, String id) {
        for (String san : c.subjectAltNames()) {
            String v = san.contains(":") ? san.substring(san.indexOf(':') + 1) : san;
            if (sameId(v, id)) {
                return true;
            }
        }
        return c.subject() != null && sameId(c.subject(), id);
    }

    private static boolean sameId(String a, String b) {
        return a.replace(" ", "").equalsIgnoreCase(b.replace(" ", ""));
    }

    static String certWords(CertificateData c) {
        X509Details x = c.x509();
        if (x == null || x.malformed() != null) {
            return "'" + c.subject() + "'";
        }
        return "'" + x.subject() + "' from '" + x.issuer() + "', " + x.keyWords() + ", " + x.signatureAlgorithm()
                + ", valid " + x.notBefore() + " to " + x.notAfter();
    }

    private static String quoted(String s) {
        return s == null ? "(none)" : "'" + s + "'";
    }
}
