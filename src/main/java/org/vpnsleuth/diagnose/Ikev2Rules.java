package org.vpnsleuth.diagnose;

import org.vpnsleuth.ike.PayloadType;
import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;
import static org.vpnsleuth.diagnose.Diagnoser.recovered;
import static org.vpnsleuth.diagnose.Diagnoser.sentTimes;
import static org.vpnsleuth.diagnose.Diagnoser.withCopies;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/** The IKEv2 rules (RFC 7296): IKE_SA_INIT attempts, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL. */
final class Ikev2Rules {
    private Ikev2Rules() {
    }

    /** An IKE_AUTH response whose ciphertext is at most this long can hold only a lone Notify: an error. */
    static final int LONE_NOTIFY_CIPHERTEXT = 16;
    /** Payload types (RFC 7296 §3.2). */
    /** AUTH method "Shared Key Message Integrity Code" (RFC 7296 §3.8). */
    static final int AUTH_SHARED_KEY = 2;
    /** Error notifies about the child SA only, in an IKE_AUTH response that still brings the IKE SA up (RFC 7296 §1.2). */
    static final java.util.Set<String> CHILD_ERRORS = java.util.Set.of("TS_UNACCEPTABLE", "NO_PROPOSAL_CHOSEN",
            "SINGLE_PAIR_REQUIRED", "INTERNAL_ADDRESS_FAILURE", "FAILED_CP_REQUIRED", "INVALID_SELECTORS");

    static void diagnose(Diagnoser dg, IkeSa sa, SaDiagnosis d) {
        List<IkeExchange> inits = sa.exchanges("IKE_SA_INIT");
        IkeExchange ok = null;
        List<Finding> pending = new ArrayList<>();
        for (int i = 0; i < inits.size(); i++) {
            IkeExchange e = inits.get(i);
            IkeMessage q = e.request();
            IkeMessage r = e.response();
            if (q != null && d.offered.isEmpty()) {
                d.offered.addAll(q.proposals);
            }
            if (q == null) {
                continue;
            }
            if (r == null) {
                if (i == inits.size() - 1) {
                    d.main = dg.noResponse(sa, q, "IKE_SA_INIT", "IKE_SA_INIT request");
                }
                continue;
            }
            if (r.hasNotify("INVALID_KE_PAYLOAD")) {
                IkeMessage.Notify n = r.notify("INVALID_KE_PAYLOAD");
                pending.add(finding(Cause.DH_GROUP_MISMATCH, Confidence.HIGH, "IKE_SA_INIT",
                        "the responder wants " + (n.detail() != null ? n.detail() : "another group")
                                + "; the initiator's KE payload used group " + q.keGroup,
                        "The initiator guessed a Diffie-Hellman group for its KE payload that the responder does not"
                                + " accept; the responder names the group it wants (INVALID_KE_PAYLOAD) and the initiator"
                                + " may retry with it, keeping its SPI.",
                        "Put the group the responder wants first in the initiator's proposal (strongSwan: the first"
                                + " DH group of `proposals`; Cisco: `group` in the IKEv2 proposal) to save a round trip.",
                        List.of(ev(q, "KE group " + q.keGroup), ev(r, "N(INVALID_KE_PAYLOAD) " + n.detail())), List.of()));
                continue;
            }
            if (r.hasNotify("COOKIE")) {
                pending.add(finding(Cause.COOKIE_CHALLENGE, Confidence.HIGH, "IKE_SA_INIT",
                        "the responder asked for a cookie before going on",
                        "The responder is under load (many half-open SAs) and answers IKE_SA_INIT with a COOKIE the"
                                + " initiator must send back (RFC 7296 §2.6).",
                        "Nothing to fix if the retry follows; many cookies mean the responder sees many half-open SAs.",
                        List.of(ev(q, "IKE_SA_INIT request"), ev(r, "N(COOKIE)")), List.of()));
                continue;
            }
            IkeMessage.Notify err = r.errorNotify();
            if (err != null) {
                d.main = notifyFailure(dg, sa, q, r, err, "IKE_SA_INIT");
                continue;
            }
            ok = e;
            if (d.chosen == null && !r.proposals.isEmpty()) {
                d.chosen = r.proposals.get(0);
            }
        }
        for (Finding f : pending) {
            if (ok != null) {
                List<Evidence> e = new ArrayList<>(f.evidence());
                e.add(ev(ok.request(), "IKE_SA_INIT retried, KE group " + ok.request().keGroup));
                e.add(ev(ok.response(), "IKE_SA_INIT accepted"));
                IkeExchange firstAuth = sa.exchanges("IKE_AUTH").stream().findFirst().orElse(null);
                if (firstAuth != null && firstAuth.response() != null) {
                    e.add(ev(firstAuth.response(), "IKE_AUTH answered: the SA is up"));
                }
                f = new Finding(f.cause(), f.confidence(), f.stoppedAt(), f.headline(), f.explanation(), f.fix(), e,
                        f.alternatives(), false);
            }
            d.findings.add(ok != null ? recovered(f) : f);
        }
        if (ok == null) {
            if (d.main == null && !pending.isEmpty()) {
                d.main = pending.get(pending.size() - 1);
            }
            if (inits.isEmpty()) {
                startedLate(dg, sa, d);
                return;
            }
            d.stoppedAt = "IKE_SA_INIT";
            d.verdict = d.main != null && d.main.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            states(d, "IKE_SA_INIT sent, no usable answer");
            return;
        }
        nat(sa, ok, d);
        List<IkeExchange> auths = sa.exchanges("IKE_AUTH");
        IkeMessage okResp = ok.response();
        if (auths.isEmpty()) {
            d.stoppedAt = "IKE_AUTH";
            if (!sa.lostIpDatagrams.isEmpty()) {
                // the IKE_AUTH request itself never became whole: only some of its IP fragments were captured
                List<Evidence> e = new ArrayList<>();
                e.add(ev(okResp, "IKE_SA_INIT response"));
                for (List<FrameRef> dgFrames : sa.lostIpDatagrams) {
                    for (FrameRef f : dgFrames) {
                        e.add(new Evidence(f, "IP fragment of a datagram that never completed"));
                    }
                }
                d.verdict = Verdict.FAILED;
                d.main = finding(Cause.IKE_FRAGMENTS_LOST, Confidence.HIGH, "IKE_AUTH",
                        "the IKE_AUTH request was IP-fragmented and only part of it arrived",
                        "After IKE_SA_INIT the next message (IKE_AUTH, large with certificates) exceeded the path MTU and"
                                + " went out in IP fragments; not all of them reached the capture point, so neither the"
                                + " capture nor, most likely, the responder ever saw the whole message.",
                        "Enable IKEv2 fragmentation (RFC 7383) on both peers (strongSwan `fragmentation = yes`, Cisco"
                                + " `crypto ikev2 fragmentation`), or allow IP fragments on the path.", e,
                        List.of(Cause.NO_RESPONSE));
                states(d, "IKE_SA_INIT done, IKE_AUTH lost in fragments");
                return;
            }
            if (dg.nearEnd(okResp.at.nanos())) {
                d.verdict = Verdict.INCOMPLETE;
                d.main = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, "IKE_AUTH",
                        "the capture ends right after IKE_SA_INIT", "The IKE_AUTH exchange was not captured.",
                        "Capture for longer.", List.of(ev(okResp, "IKE_SA_INIT response")), List.of());
            } else {
                d.verdict = Verdict.FAILED;
                d.main = finding(Cause.UNKNOWN, Confidence.LOW, "IKE_AUTH",
                        "the initiator never sent IKE_AUTH after a successful IKE_SA_INIT",
                        "The initiator gave up after the IKE_SA_INIT response: it may have rejected the responder's"
                                + " choice, failed to compute the keys, or the IKE_AUTH request never left it.",
                        "Read the initiator's log at this time.", List.of(ev(okResp, "IKE_SA_INIT response")), List.of());
            }
            states(d, "IKE_SA_INIT done, IKE_AUTH not sent");
            return;
        }
        IkeExchange auth = auths.get(0);
        if (AuthRules.multiRound(auths)) {
            // EAP: up only when the last IKE_AUTH response carries AUTH (AuthRules); go on with that round
            auth = AuthRules.eap(dg, sa, d, ok, auths);
            if (auth == null) {
                return;
            }
        }
        IkeMessage q = auth.request();
        IkeMessage r = auth.response();
        if (q == null) {
            d.stoppedAt = "IKE_AUTH";
            d.verdict = Verdict.INCOMPLETE;
            states(d, "IKE_AUTH");
            return;
        }
        if (r == null) {
            d.stoppedAt = "IKE_AUTH";
            d.main = authUnanswered(dg, sa, ok, auth, q, d);
            d.verdict = d.main.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            states(d, "IKE_AUTH sent, no answer");
            return;
        }
        IkeMessage.Notify err = r.encrypted && r.decryptedWith == null ? null : r.errorNotify();
        boolean later = answeredAfter(sa, auth);
        boolean espBoth = espBothWays(sa, r.at.nanos());
        ChildSa child = new ChildSa("IKE_AUTH", auth);
        child.kind = "IKE_AUTH child";
        child.initiatedBy = q.src.address();
        child.spis.addAll(q.childSpis);
        child.spis.addAll(r.childSpis);
        if (!r.proposals.isEmpty() && (!r.encrypted || r.decryptedWith != null)) {
            child.accepted = r.proposals.get(0);
        }
        d.children.add(child);
        if (err != null && r.hasPayload(PayloadType.V2_AUTH) && CHILD_ERRORS.contains(err.name())) {
            // the IKE SA is up (the response authenticates the responder), only the child SA was refused
            Finding f = notifyFailure(dg, sa, q, r, err, "IKE_AUTH");
            d.main = f;
            d.verdict = Verdict.ESTABLISHED;
            child.verdict = Verdict.FAILED;
            child.cause = f.cause();
            child.confidence = f.confidence();
            child.evidence.addAll(f.evidence());
            states(d, "ESTABLISHED, child SA refused");
            later(dg, sa, d, auth);
            return;
        }
        if (err != null && err.name().equals("AUTHENTICATION_FAILED") && !r.hasPayload(PayloadType.V2_AUTH)) {
            // the responder refused the initiator: which credential (AuthRules)
            d.main = AuthRules.responderRejects(dg, sa, ok, q, r, err);
            d.stoppedAt = "IKE_AUTH";
            d.verdict = Verdict.FAILED;
            child.verdict = Verdict.FAILED;
            child.cause = d.main.cause();
            states(d, "IKE_AUTH failed");
            return;
        }
        if (err != null) {
            d.main = notifyFailure(dg, sa, q, r, err, "IKE_AUTH");
            d.stoppedAt = "IKE_AUTH";
            d.verdict = Verdict.FAILED;
            child.verdict = Verdict.FAILED;
            child.cause = d.main.cause();
            states(d, "IKE_AUTH failed");
            return;
        }
        if (r.ciphertextExact && r.ciphertextLength <= LONE_NOTIFY_CIPHERTEXT && !later && !espBoth) {
            // a responder that authenticates with certificates asks for them in IKE_SA_INIT (CERTREQ)
            boolean certs = okResp.hasPayload(PayloadType.V2_CERTREQ) || q.hasPayload(PayloadType.V2_CERT);
            d.main = finding(Cause.AUTH_FAILED, Confidence.LOW, "IKE_AUTH",
                    "the IKE_AUTH response holds " + r.ciphertextLength + " bytes of ciphertext: room for one Notify"
                            + " and nothing else, most likely AUTHENTICATION_FAILED",
                    "A successful IKE_AUTH response carries IDr, AUTH, SA, TSi and TSr; this one can only hold a single"
                            + " Notify payload, an error. After a failed authentication nothing else follows, as here."
                            + " With pre-shared keys the usual reason is that the keys differ (PSK_MISMATCH); with"
                            + " certificates, an untrusted CA, a wrong identity or an expired certificate.",
                    "Compare the pre-shared keys (strongSwan `secrets`, Cisco `pre-shared-key`) and the identities on"
                            + " both peers; decrypt the response (key material) to read the notify and be certain.",
                    List.of(ev(q, "IKE_AUTH request" + sentTimes(q)), ev(r, "IKE_AUTH response: " + r.ciphertextLength
                            + " bytes of ciphertext")), certs
                                    ? List.of(Cause.CERT_UNTRUSTED, Cause.ID_MISMATCH, Cause.CERT_EXPIRED,
                                            Cause.CERT_NOT_YET_VALID, Cause.PSK_MISMATCH)
                                    : List.of(Cause.PSK_MISMATCH, Cause.ID_MISMATCH));
            d.stoppedAt = "IKE_AUTH";
            d.verdict = Verdict.FAILED;
            child.verdict = Verdict.FAILED;
            child.cause = d.main.cause();
            states(d, "IKE_AUTH failed");
            return;
        }
        IkeMessage rejection = AuthRules.initiatorInformationalAfter(sa, auth);
        if (rejection != null) {
            // the responder authenticated itself; did the initiator refuse it right away (AUTHENTICATION_FAILED)?
            IkeMessage.Notify n = rejection.decryptedWith == null ? null : rejection.errorNotify();
            boolean soon = !espBoth && rejection.at.nanos() - r.at.nanos() <= AuthRules.REJECT_WITHIN_NANOS;
            if (n != null && n.name().equals("AUTHENTICATION_FAILED") || n == null && rejection.decryptedWith == null && soon) {
                d.main = AuthRules.initiatorRejects(dg, sa, ok, auth, rejection, n);
                d.findings.add(d.main);
                d.stoppedAt = "IKE_AUTH";
                d.verdict = Verdict.FAILED;
                child.verdict = Verdict.FAILED;
                child.cause = d.main.cause();
                child.confidence = d.main.confidence();
                states(d, "IKE_AUTH: the initiator refused the responder");
                return;
            }
        }
        d.verdict = Verdict.ESTABLISHED;
        if (q.decryptedWith != null && r.decryptedWith != null && q.hasNotify("USE_TRANSPORT_MODE")
                && !r.hasNotify("USE_TRANSPORT_MODE")) {
            Finding f = finding(Cause.MODE_MISMATCH, Confidence.HIGH, "IKE_AUTH",
                    "the initiator asked for transport mode, the responder set up tunnel mode",
                    "The IKE_AUTH request carries USE_TRANSPORT_MODE; the response does not repeat it, which means the"
                            + " responder refused transport mode and the child SA runs in tunnel mode (RFC 7296 §1.3.1)."
                            + " Traffic flows, but with other packet sizes and selectors than the initiator meant.",
                    "Configure the same mode on both peers (strongSwan `mode = transport|tunnel`, Cisco `mode transport`"
                            + " in the transform set / IPsec profile).",
                    List.of(ev(q, "IKE_AUTH request: N(USE_TRANSPORT_MODE)"), ev(r, "IKE_AUTH response without it")),
                    List.of());
            d.findings.add(f);
            d.main = f;
            child.cause = Cause.MODE_MISMATCH;
            child.confidence = Confidence.HIGH;
        }
        if (!espBoth && !later && r.decryptedWith == null && r.ciphertextExact && q.ciphertextExact && q.ciphertextLength > 0
                && 2 * r.ciphertextLength <= q.ciphertextLength) {
            // the IKE SA is up, but the response is too short to carry the child SA's SA, TSi and TSr
            Finding f = finding(Cause.TS_MISMATCH, Confidence.LOW, "IKE_AUTH",
                    "the IKE SA came up but the child SA was most likely refused: the IKE_AUTH response ("
                            + r.ciphertextLength + " bytes of ciphertext) is less than half the request ("
                            + q.ciphertextLength + "), too short for SA, TSi and TSr",
                    "A response that accepts the child SA repeats IDr and AUTH and adds SA, TSi and TSr, so it is about"
                            + " as long as the request; this one carries about IDr and AUTH and a notify. The notify is"
                            + " encrypted: TS_UNACCEPTABLE (traffic selectors / subnets that do not match) is the most"
                            + " common, NO_PROPOSAL_CHOSEN (ESP proposal) and a mode the responder refuses are the others;"
                            + " no ESP follows.",
                    "Compare local_ts/remote_ts (Cisco crypto ACL, interesting traffic) and the ESP proposals on both"
                            + " peers; decrypt the response (key material) or read the responder's log to see the notify.",
                    List.of(ev(q, "IKE_AUTH request: " + q.ciphertextLength + " bytes of ciphertext"),
                            ev(r, "IKE_AUTH response: " + r.ciphertextLength + " bytes of ciphertext")),
                    List.of(Cause.CHILD_PROPOSAL_MISMATCH, Cause.MODE_MISMATCH));
            d.main = f;
            child.verdict = Verdict.FAILED;
            child.cause = f.cause();
            child.confidence = f.confidence();
            child.evidence.addAll(f.evidence());
            states(d, "ESTABLISHED, child SA refused");
            later(dg, sa, d, auth);
            return;
        }
        d.stoppedAt = null;
        child.verdict = espBoth ? Verdict.ESTABLISHED : Verdict.INCOMPLETE;
        child.evidence.add(ev(r, "IKE_AUTH response"));
        if (!espBoth) {
            child.detail = "no ESP in both directions after IKE_AUTH: the child SA may have failed (TS_UNACCEPTABLE,"
                    + " NO_PROPOSAL_CHOSEN are encrypted) or no traffic was sent";
        }
        states(d, "ESTABLISHED");
        later(dg, sa, d, auth);
    }

    /** The capture begins after IKE_SA_INIT: what the later exchanges show. */
    private static void startedLate(Diagnoser dg, IkeSa sa, SaDiagnosis d) {
        boolean answered = false;
        for (IkeExchange e : sa.exchanges) {
            answered |= e.response() != null;
        }
        if (answered || espBothWays(sa, 0)) {
            d.verdict = Verdict.ESTABLISHED;
            d.findings.add(finding(Cause.CAPTURE_INCOMPLETE, Confidence.HIGH, null,
                    "the capture starts after this SA was negotiated",
                    "Its IKE_SA_INIT and IKE_AUTH are not in the capture; later exchanges are answered, so it was up.",
                    "Capture from before the tunnel comes up to see its negotiation.",
                    List.of(ev(sa.messages.get(0), "first message seen")), List.of()));
            states(d, "ESTABLISHED (before the capture)");
            later(dg, sa, d, null);
        } else {
            d.verdict = Verdict.INCOMPLETE;
            d.main = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, null,
                    "only a fragment of this SA's story is in the capture", "Neither IKE_SA_INIT nor an answered exchange was captured.",
                    "Capture from before the tunnel comes up.", List.of(ev(sa.messages.get(0), "first message seen")), List.of());
            states(d, "unknown");
        }
    }

    /** A cleartext error notify in a response: the cause it names. */
    static Finding notifyFailure(Diagnoser dg, IkeSa sa, IkeMessage q, IkeMessage r, IkeMessage.Notify n, String at) {
        String name = n.name();
        List<Evidence> e = new ArrayList<>(withCopies(q, at + " request"));
        e.add(ev(r, "N(" + name + ")"));
        return switch (name) {
            case "NO_PROPOSAL_CHOSEN" -> finding(at.equals("IKE_SA_INIT") ? Cause.IKE_PROPOSAL_MISMATCH : Cause.CHILD_PROPOSAL_MISMATCH,
                    Confidence.HIGH, at, "the responder accepts none of the " + q.proposals.size() + " proposal(s) offered",
                    "The responder answered NO_PROPOSAL_CHOSEN: none of the initiator's proposals matches its policy."
                            + (q.proposals.isEmpty() ? "" : " Offered: " + String.join("; ", q.proposals) + "."),
                    "Make the proposals (encryption, integrity, PRF, DH group) match on both peers: strongSwan"
                            + " `proposals`, Cisco `crypto ikev2 proposal`, Windows `Set-VpnConnectionIPsecConfiguration`.",
                    e, List.of());
            case "AUTHENTICATION_FAILED" -> finding(Cause.AUTH_FAILED, Confidence.HIGH, at, "the peer says AUTHENTICATION_FAILED",
                    "The peer could not verify the AUTH payload: pre-shared keys that differ, an identity it does not expect,"
                            + " or a certificate it does not trust.",
                    "Compare the pre-shared keys and identities on both peers, or the certificates and CAs.", e,
                    List.of(Cause.PSK_MISMATCH));
            case "TS_UNACCEPTABLE" -> finding(Cause.TS_MISMATCH, Confidence.HIGH, at, "the responder refuses the traffic selectors",
                    "TS_UNACCEPTABLE: the subnets/ports the initiator asked for are not in the responder's policy."
                            + (q.trafficSelectors.isEmpty() ? "" : " Asked for: " + String.join(", ", q.trafficSelectors) + "."),
                    "Make the local and remote subnets mirror each other (strongSwan local_ts/remote_ts, Cisco crypto ACL).",
                    e, List.of());
            case "INVALID_SYNTAX", "INVALID_MAJOR_VERSION", "UNSUPPORTED_CRITICAL_PAYLOAD" -> finding(Cause.UNKNOWN,
                    Confidence.HIGH, at, "the peer rejects the message: " + name,
                    "The peer could not parse or does not support the message (" + name + ").",
                    "Check the software versions and interoperability settings of both peers.", e, List.of());
            default -> finding(Cause.UNKNOWN, Confidence.HIGH, at, "the peer answered " + name,
                    "The response carries the error notify " + name + ".", "See RFC 7296 §3.10.1 for " + name + ".", e, List.of());
        };
    }

    private static Finding authUnanswered(Diagnoser dg, IkeSa sa, IkeExchange init, IkeExchange auth, IkeMessage q,
            SaDiagnosis d) {
        List<Evidence> e = new ArrayList<>(withCopies(q, "IKE_AUTH request"));
        // fragments: IP datagrams that never completed, IKEv2 fragments missing
        if (!sa.lostIpDatagrams.isEmpty()) {
            for (List<FrameRef> dgFrames : sa.lostIpDatagrams) {
                for (FrameRef f : dgFrames) {
                    e.add(new Evidence(f, "IP fragment of a datagram that never completed"));
                }
            }
            return finding(Cause.IKE_FRAGMENTS_LOST, Confidence.HIGH, "IKE_AUTH",
                    "IKE_AUTH went out in IP fragments and some never arrived",
                    "The IKE_AUTH message (certificates make it large) is bigger than the path MTU and was IP-fragmented;"
                            + " some fragments were lost on the way (firewalls and NATs often drop non-first fragments),"
                            + " so the peer never got the whole message.",
                    "Enable IKEv2 fragmentation (RFC 7383) on both peers (strongSwan `fragmentation = yes`, Cisco"
                            + " `crypto ikev2 fragmentation`), or allow IP fragments on the path; smaller certificates help.",
                    e, List.of(Cause.NO_RESPONSE));
        }
        if (q.fragmentTotal > 0) {
            java.util.Set<Integer> have = new java.util.TreeSet<>();
            for (IkeMessage m : auth.messages) {
                if (!m.response && m.fragmentNumber > 0) {
                    have.add(m.fragmentNumber);
                }
            }
            if (have.size() < q.fragmentTotal) {
                return finding(Cause.IKE_FRAGMENTS_LOST, Confidence.HIGH, "IKE_AUTH",
                        "only IKE fragments " + have + " of " + q.fragmentTotal + " reached the capture point",
                        "The IKE_AUTH request was sent in " + q.fragmentTotal + " RFC 7383 fragments and some are missing.",
                        "Check the path for loss of large UDP datagrams; lower the fragment size (strongSwan"
                                + " charon.fragment_size).", e, List.of(Cause.NO_RESPONSE));
            }
        }
        boolean floated = q.dst.port() == 4500 && init.request() != null && init.request().dst.port() == 500;
        if (d.nat != null && !d.nat.equals("no NAT") && floated) {
            e.add(0, ev(init.response(), "IKE_SA_INIT response: NAT detection hashes (" + d.nat + ")"));
            e.add(0, ev(init.request(), "IKE_SA_INIT request on UDP " + init.request().dst.port()));
            return finding(Cause.NAT_T_BLOCKED, q.retransmitted() >= 1 ? Confidence.HIGH : Confidence.MEDIUM, "IKE_AUTH",
                    "NAT detected (" + d.nat + "), IKE moved to UDP 4500 and got no answer there" + sentTimes(q),
                    "IKE_SA_INIT on UDP 500 worked and its NAT detection hashes show a NAT, so both peers switch to UDP 4500"
                            + " (RFC 3947/7296 §2.23). Nothing comes back on 4500: a firewall or the NAT passes 500 but"
                            + " not 4500.",
                    "Allow UDP 4500 both ways between the peers (and ESP-in-UDP); on Cisco ASA check `nat-traversal`"
                            + " and ACLs; on cloud security groups open UDP 4500.",
                    e, List.of(Cause.NO_RESPONSE));
        }
        if (q.ipFragmented) {
            return finding(Cause.IKE_FRAGMENTS_LOST, Confidence.MEDIUM, "IKE_AUTH",
                    "IKE_AUTH (" + q.length + " bytes) was IP-fragmented and never answered" + sentTimes(q),
                    "The request left in IP fragments; fragments are often dropped on the way (the capture point saw them"
                            + " all, the peer may not have).",
                    "Enable IKEv2 fragmentation (RFC 7383) on both peers, or allow IP fragments on the path.",
                    e, List.of(Cause.NO_RESPONSE));
        }
        return dg.noResponse(sa, q, "IKE_AUTH", "IKE_AUTH request");
    }

    static boolean answeredAfter(IkeSa sa, IkeExchange auth) {
        boolean after = false;
        for (IkeExchange e : sa.exchanges) {
            if (e == auth) {
                after = true;
                continue;
            }
            if (after && e.response() != null) {
                return true;
            }
        }
        return false;
    }

    static boolean espBothWays(IkeSa sa, long afterNanos) {
        boolean out = false;
        boolean back = false;
        for (EspFlow f : sa.flows) {
            if (f.first != null && f.lastNanos() >= afterNanos) {
                if (sa.isInitiator(f.src)) {
                    out = true;
                } else {
                    back = true;
                }
            }
        }
        return out && back;
    }

    /** NAT detection: recompute the hashes of IKE_SA_INIT from the captured addresses. */
    private static void nat(IkeSa sa, IkeExchange init, SaDiagnosis d) {
        IkeMessage q = init.request();
        IkeMessage r = init.response();
        if (q == null || r == null || q.natDetectionSource == null || r.natDetectionSource == null) {
            return;
        }
        String sha1 = "SHA-1";
        boolean iSelf = NatDetection.differs(q.natDetectionSource, sha1, q.spiI, 0, q.src);
        boolean iPeer = NatDetection.differs(r.natDetectionDestination, sha1, r.spiI, r.spiR, r.dst);
        boolean rPeer = NatDetection.differs(q.natDetectionDestination, sha1, q.spiI, 0, q.dst);
        boolean rSelf = NatDetection.differs(r.natDetectionSource, sha1, r.spiI, r.spiR, r.src);
        d.nat = NatDetection.describe(iSelf, iPeer, rSelf, rPeer);
    }

    /** After IKE_AUTH: child SAs, dead peers, deletes. */
    static void later(Diagnoser dg, IkeSa sa, SaDiagnosis d, IkeExchange auth) {
        boolean after = auth == null;
        IkeExchange lastAnswered = null;
        for (IkeExchange e : sa.exchanges) {
            if (e == auth) {
                after = true;
                continue;
            }
            if (!after) {
                continue;
            }
            IkeMessage q = e.request();
            if (e.kind.equals("CREATE_CHILD_SA") && q != null) {
                ChildExchanges.createChildSa(dg, sa, d, e);
            }
            if (e.response() != null) {
                lastAnswered = e;
            } else if (q != null && e.kind.equals("INFORMATIONAL") && (q.retransmitted() >= 1 || !dg.nearEnd(q.at.nanos()))) {
                String who = Boolean.TRUE.equals(e.byInitiator) ? "responder" : "initiator";
                d.main = finding(Cause.PEER_DEAD, q.retransmitted() >= 2 ? Confidence.HIGH : Confidence.MEDIUM, "INFORMATIONAL",
                        "the " + who + " stopped answering: INFORMATIONAL (liveness check)" + sentTimes(q) + ", no reply",
                        "After the SA was up, the " + (who.equals("responder") ? "initiator" : "responder") + " checks that its"
                                + " peer is alive with INFORMATIONAL requests (dead peer detection); none is answered: the"
                                + " peer went down, lost its SA (reboot), or the path broke.",
                        "Check that the " + who + " is up and still has this SA; check the path (UDP 4500/500) and NAT"
                                + " mappings that may have expired.",
                        deadEvidence(sa, e, q), List.of());
                d.stoppedAt = "INFORMATIONAL";
                states(d, "dead peer");
                return;
            }
        }
        if (lastAnswered != null && lastAnswered.kind.equals("INFORMATIONAL") && d.main == null
                && lastAnswered == sa.exchanges.get(sa.exchanges.size() - 1)) {
            IkeMessage q = lastAnswered.request();
            boolean espAfter = false;
            for (EspFlow f : sa.flows) {
                espAfter |= f.first != null && f.lastNanos() > lastAnswered.response().at.nanos();
            }
            if (q != null && !q.deletes.isEmpty()) {
                String who = Boolean.TRUE.equals(lastAnswered.byInitiator) ? "initiator" : "responder";
                d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, "INFORMATIONAL",
                        "deleted by the " + who + ": Delete " + String.join(", ", q.deletes),
                        "The " + who + " sent an INFORMATIONAL request with Delete payloads (" + String.join(", ", q.deletes)
                                + ") and its peer acknowledged it.",
                        "If the tunnel should have stayed up, read the " + who + "'s log for why it deleted the SA"
                                + " (lifetime, idle timeout, administrator, a failed rekey).",
                        List.of(ev(q, "INFORMATIONAL request: Delete " + String.join(", ", q.deletes)),
                                ev(lastAnswered.response(), "INFORMATIONAL response")), List.of()));
            } else if (!espAfter && q != null) {
                String who = Boolean.TRUE.equals(lastAnswered.byInitiator) ? "initiator" : "responder";
                d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.LOW, "INFORMATIONAL",
                        "closed by the " + who + ": an INFORMATIONAL exchange, then silence",
                        "The last exchange is an INFORMATIONAL request from the " + who + ", answered, after which no IKE or"
                                + " ESP traffic follows: most likely a Delete (the payloads are encrypted).",
                        "If the tunnel should have stayed up, read the " + who + "'s log for why it deleted the SA"
                                + " (lifetime, idle timeout, administrator); decrypt or read the logs to see the Delete payloads.",
                        List.of(ev(q, "INFORMATIONAL request"), ev(lastAnswered.response(), "INFORMATIONAL response")),
                        List.of()));
            }
        }
    }

    /** The unanswered request and its copies, after the earlier INFORMATIONAL exchanges of the same side that were answered. */
    private static List<Evidence> deadEvidence(IkeSa sa, IkeExchange dead, IkeMessage q) {
        List<Evidence> ev = new ArrayList<>();
        for (IkeExchange x : sa.exchanges) {
            if (x == dead) {
                break;
            }
            if (x.kind.equals("INFORMATIONAL") && x.request() != null && x.response() != null
                    && java.util.Objects.equals(x.byInitiator, dead.byInitiator)) {
                ev.add(ev(x.request(), "INFORMATIONAL request (answered)"));
                ev.add(ev(x.response(), "INFORMATIONAL response"));
            }
        }
        ev.addAll(withCopies(q, "INFORMATIONAL request"));
        return ev;
    }

    /** State names for "show crypto ikev2 sa" (IOS, ASA) and strongSwan. */
    static void states(SaDiagnosis d, String rfc) {
        d.rfcState = rfc;
        boolean up = d.verdict == Verdict.ESTABLISHED;
        d.iosState = up ? "READY" : d.verdict == Verdict.FAILED ? "DELETE" : "IN-NEG";
        d.asaState = up ? "READY" : "NEG";
        d.strongswanState = up ? "ESTABLISHED" : "CONNECTING";
    }
}
