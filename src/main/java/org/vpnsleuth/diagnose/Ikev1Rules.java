package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;
import static org.vpnsleuth.diagnose.Diagnoser.sentTimes;
import static org.vpnsleuth.diagnose.Diagnoser.withCopies;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/** The IKEv1 rules (RFC 2408/2409): Main and Aggressive Mode by position, Quick Mode, Informational, Transaction. */
final class Ikev1Rules {
    private Ikev1Rules() {
    }

    /** Authentication methods that use a pre-shared key: 1, and XAUTH/hybrid PSK 65001/65002 (draft-beaulieu-ike-xauth). */
    static boolean psk(int method) {
        return method == 1 || method == 65001 || method == 65002;
    }

    static IkeMessage byName(IkeExchange e, String name) {
        for (IkeMessage m : e.messages) {
            if (name.equals(m.name)) {
                return m;
            }
        }
        return null;
    }

    /** Informationals sent by one side ({@code fromInitiator}) after {@code afterNanos}, before {@code beforeNanos}. */
    static List<IkeMessage> informationals(IkeSa sa, Boolean fromInitiator, long afterNanos, long beforeNanos, boolean encrypted) {
        List<IkeMessage> l = new ArrayList<>();
        for (IkeExchange e : sa.exchanges) {
            if (e.exchangeType != 5) {
                continue;
            }
            for (IkeMessage m : e.messages) {
                if (fromInitiator.equals(m.fromInitiator) && m.at.nanos() > afterNanos && m.at.nanos() < beforeNanos
                        && m.encrypted == encrypted) {
                    l.add(m);
                }
            }
        }
        return l;
    }

    static void diagnose(Diagnoser dg, IkeSa sa, SaDiagnosis d) {
        IkeExchange p1 = null;
        for (IkeExchange e : sa.exchanges) {
            if (e.exchangeType == 2 || e.exchangeType == 4) {
                p1 = e;
                break;
            }
        }
        if (p1 == null) {
            startedLate(dg, sa, d);
            return;
        }
        boolean aggressive = p1.exchangeType == 4;
        String px = aggressive ? "AM" : "MM";
        IkeMessage m1 = byName(p1, px + "1");
        IkeMessage m2 = byName(p1, px + "2");
        if (m1 != null) {
            d.offered.addAll(m1.proposals);
        }
        if (m2 != null && !m2.proposals.isEmpty()) {
            d.chosen = m2.proposals.get(0);
        }
        int reached = 0;
        for (IkeMessage m : p1.messages) {
            if (m.name != null && m.name.startsWith(px)) {
                reached = Math.max(reached, Integer.parseInt(m.name.substring(2)));
            }
        }
        int auth = m1 != null ? m1.authMethod : -1;
        if (m2 != null && m2.authMethod >= 0) {
            auth = m2.authMethod;
        }
        nat(sa, p1, d, m2);
        // a cleartext Informational with an error notify from the responder ends phase 1 outright
        IkeMessage start = m1 != null ? m1 : p1.messages.get(0);
        for (IkeMessage n : informationals(sa, Boolean.FALSE, start.at.nanos() - 1, Long.MAX_VALUE, false)) {
            IkeMessage.Notify err = n.errorNotify();
            if (err != null && reached < (aggressive ? 3 : 6)) {
                String at = px + reached;
                IkeMessage last = lastFromInitiator(p1);
                d.main = cleartextNotify(err, last != null ? last : start, n, last != null ? last.name : at, d);
                d.stoppedAt = last != null ? last.name : at;
                d.verdict = Verdict.FAILED;
                states(d, aggressive, reached, false);
                return;
            }
        }
        int done = aggressive ? 3 : 6;
        if (reached < done) {
            d.main = phase1Stop(dg, sa, p1, reached, aggressive, auth, d);
            d.stoppedAt = d.main.stoppedAt() != null && !d.main.stoppedAt().endsWith("?") ? d.main.stoppedAt() : px + reached;
            d.verdict = d.main.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            states(d, aggressive, reached, false);
            return;
        }
        Finding refused = aggressive || psk(auth) ? null : AuthRules.v1InitiatorRejects(sa, p1, byName(p1, "MM5"), byName(p1, "MM6"));
        if (refused != null) {
            // the initiator refused the responder's MM6 (certificate, signature, identity) and went no further
            d.main = refused;
            d.findings.add(refused);
            d.stoppedAt = "MM6";
            d.verdict = Verdict.FAILED;
            states(d, aggressive, reached, false);
            return;
        }
        d.verdict = Verdict.ESTABLISHED;
        states(d, aggressive, reached, true);
        phase2(dg, sa, d, p1);
    }

    private static IkeMessage lastFromInitiator(IkeExchange p1) {
        IkeMessage last = null;
        for (IkeMessage m : p1.messages) {
            if (m.fromInitiator) {
                last = m;
            }
        }
        return last;
    }

    private static Finding cleartextNotify(IkeMessage.Notify n, IkeMessage q, IkeMessage r, String at, SaDiagnosis d) {
        List<Evidence> e = new ArrayList<>(withCopies(q, at));
        e.add(ev(r, "Informational N(" + n.name() + ")"));
        String name = n.name();
        if (name.equals("NO-PROPOSAL-CHOSEN") || name.equals("ATTRIBUTES-NOT-SUPPORTED")) {
            return finding(Cause.IKE_PROPOSAL_MISMATCH, Confidence.HIGH, at,
                    "the responder accepts none of the " + d.offered.size() + " phase-1 proposal(s) offered (" + name + ")",
                    "The responder answered " + at + " with a cleartext Informational " + name + ": no transform in the"
                            + " initiator's SA matches its ISAKMP policy."
                            + (d.offered.isEmpty() ? "" : " Offered: " + String.join("; ", d.offered) + "."),
                    "Make encryption, hash, DH group, authentication method and lifetime match on both peers"
                            + " (Cisco `crypto isakmp policy`, strongSwan `proposals`); Cisco logs it as"
                            + " 'atts are not acceptable'.",
                    e, List.of());
        }
        if (name.equals("INVALID-HASH-INFORMATION") || name.equals("AUTHENTICATION-FAILED")
                || name.equals("INVALID-SIGNATURE")) {
            return finding(Cause.AUTH_FAILED, Confidence.HIGH, at, "the peer says " + name,
                    "The peer could not verify the hash or signature that authenticates phase 1.",
                    "Compare pre-shared keys, identities and certificates on both peers.", e, List.of(Cause.PSK_MISMATCH));
        }
        if (name.equals("INVALID-ID-INFORMATION")) {
            return finding(Cause.AUTH_FAILED, Confidence.HIGH, at, "the peer rejects the identity (INVALID-ID-INFORMATION)",
                    "The peer does not accept the phase-1 identity it was sent.",
                    "Make the identities match what each peer expects (Cisco `crypto isakmp identity`, strongSwan"
                            + " `id`/`remote.id`).", e, List.of());
        }
        return finding(Cause.UNKNOWN, Confidence.HIGH, at, "the peer answered " + name,
                "A cleartext Informational carries the error notify " + name + ".", "See RFC 2408 §3.14.1 for " + name + ".",
                e, List.of());
    }

    private static Finding phase1Stop(Diagnoser dg, IkeSa sa, IkeExchange p1, int reached, boolean aggressive, int auth,
            SaDiagnosis d) {
        String px = aggressive ? "AM" : "MM";
        IkeMessage last = p1.last();
        if (reached == 0 || last == null) {
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.LOW, px + "?", "phase 1 seen only in part", "", "", List.of(), List.of());
        }
        // whose message was last: odd positions are the initiator's (MM1, MM3, MM5, AM1, AM3)
        IkeMessage q = byName(p1, px + reached);
        if (q == null) {
            q = last;
        }
        boolean lastFromInitiator = reached % 2 == 1;
        List<Evidence> lostPieces = lostFragments(sa);
        if (!lostPieces.isEmpty()) {
            // the next message went out in fragments that never all arrived
            String next = px + (reached + 1);
            List<Evidence> e = new ArrayList<>();
            e.add(ev(q, q.name));
            e.addAll(lostPieces);
            return finding(Cause.IKE_FRAGMENTS_LOST, Confidence.HIGH, next,
                    next + " was fragmented and not all fragments arrived",
                    "The message after " + q.name + " (certificates make it large) was split into fragments and some never"
                            + " arrived, so the peer never had the whole message.",
                    "Enable IKE fragmentation on both peers (strongSwan `fragmentation = yes/force`, Cisco `crypto isakmp"
                            + " fragmentation`), or allow IP fragments on the path.", e, List.of(Cause.NO_RESPONSE));
        }
        if (!lastFromInitiator) {
            // the responder answered and the initiator went no further
            List<IkeMessage> infos = informationals(sa, Boolean.TRUE, q.at.nanos(), Long.MAX_VALUE, true);
            if (aggressive && reached == 2 && !infos.isEmpty()) {
                List<Evidence> e = new ArrayList<>(withCopies(q, "AM2 (HASH_R)"));
                for (IkeMessage i : infos) {
                    e.add(ev(i, "encrypted Informational from the initiator"));
                }
                return finding(psk(auth) ? Cause.PSK_MISMATCH : Cause.AUTH_FAILED, Confidence.MEDIUM, "AM2",
                        "the initiator did not accept AM2 and answered with an encrypted Informational",
                        "In Aggressive Mode the responder authenticates first (HASH_R in AM2). The initiator sent no AM3"
                                + " but an encrypted notify: it could not verify HASH_R, which with pre-shared keys means the"
                                + " keys differ.",
                        "Compare the pre-shared keys for this peer on both sides (Cisco `crypto isakmp key`, strongSwan"
                                + " `secrets`).", e, List.of(Cause.AUTH_FAILED));
            }
            if (dg.nearEnd(q.at.nanos())) {
                return finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, q.name, "the capture ends right after " + q.name,
                        "The initiator's next message was not captured.", "Capture for longer.", List.of(ev(q, q.name)),
                        List.of());
            }
            return finding(Cause.UNKNOWN, Confidence.LOW, q.name, "the initiator went no further after " + q.name,
                    "The responder answered, and the initiator sent nothing more: it may have rejected the answer"
                            + " (a proposal it did not offer, a key exchange it could not use).",
                    "Read the initiator's log at this time.", List.of(ev(q, q.name)), List.of());
        }
        // the initiator's message was not answered
        String at = q.name;
        boolean encryptedStep = q.encrypted;
        List<IkeMessage> answers = informationals(sa, Boolean.FALSE, q.at.nanos(), Long.MAX_VALUE, true);
        if (encryptedStep && !answers.isEmpty()) {
            List<Evidence> e = new ArrayList<>(withCopies(q, at));
            for (IkeMessage a : answers) {
                e.add(ev(a, "encrypted Informational from the responder"));
            }
            boolean isPsk = psk(auth);
            if (!isPsk && auth >= 0) {
                // signatures: both peers have the same keys; the responder refused the initiator (AuthRules)
                return AuthRules.v1ResponderRejects(q, byName(p1, px + (reached - 1)), answers, e);
            }
            return finding(isPsk ? Cause.PSK_MISMATCH : Cause.AUTH_FAILED, Confidence.HIGH, at,
                    "the responder could not read " + at + " and answered with encrypted notifies"
                            + (isPsk ? ": the pre-shared keys differ" : ""),
                    at + " is the first message encrypted with the key derived from the pre-shared key and the DH secret."
                            + " The responder never sent the next message but encrypted Informationals (PAYLOAD-MALFORMED /"
                            + " INVALID-HASH-INFORMATION under its own key) to each of its " + (q.retransmitted() + 1)
                            + " copies: it derived a"
                            + " different key, which with an intact MM3/MM4 exchange means the pre-shared keys differ."
                            + " Cisco shows this SA stuck in MM_KEY_EXCH.",
                    isPsk ? "Compare `crypto isakmp key` (Cisco), `secrets`/`ike.secret` (strongSwan), the PSK on the"
                            + " other peer for this peer's address or identity."
                            : "Check the certificates, CAs and identities on both peers.",
                    e, isPsk ? List.of() : List.of(Cause.PSK_MISMATCH));
        }
        IkeMessage m1 = byName(p1, px + "1");
        boolean floated = q.dst.port() == 4500 && m1 != null && m1.dst.port() == 500;
        if (floated && d.nat != null && !d.nat.equals("no NAT")) {
            return finding(Cause.NAT_T_BLOCKED, q.retransmitted() >= 1 ? Confidence.HIGH : Confidence.MEDIUM, at,
                    "NAT detected (" + d.nat + "), IKE moved to UDP 4500 and got no answer there" + sentTimes(q),
                    "MM3/MM4 on UDP 500 worked and their NAT-D hashes show a NAT, so the peers switched to UDP 4500"
                            + " (RFC 3947); nothing comes back on 4500.",
                    "Allow UDP 4500 both ways between the peers; check NAT-T settings (Cisco `crypto isakmp nat"
                            + " keepalive`, ASA `crypto isakmp nat-traversal`).", withCopies(q, at), List.of(Cause.NO_RESPONSE));
        }
        if (encryptedStep && q.retransmitted() >= 1) {
            boolean isPsk = psk(auth);
            return finding(isPsk ? Cause.PSK_MISMATCH : Cause.AUTH_FAILED, Confidence.MEDIUM, at,
                    at + sentTimes(q) + " and never answered",
                    "The exchanges before it were answered, so the path works; the first encrypted message is not: the"
                            + " responder most likely could not decrypt it (different pre-shared keys) and drops it"
                            + " silently. Cisco shows this SA in MM_KEY_EXCH.",
                    "Compare the pre-shared keys on both peers; capture on the responder or read its log to be sure.",
                    withCopies(q, at), List.of(Cause.NO_RESPONSE));
        }
        return dg.noResponse(sa, q, at, at);
    }

    /** IKEv1 fragments whose message never completed, and IP fragments of datagrams that never reassembled. */
    private static List<Evidence> lostFragments(IkeSa sa) {
        List<Evidence> frag = new ArrayList<>();
        for (FrameRef f : sa.fragmentFrames) {
            if (!sa.reassembledFragmentFrames.contains(f)) {
                frag.add(new Evidence(f, "IKE fragment whose message never completed"));
            }
        }
        for (List<FrameRef> dgf : sa.lostIpDatagrams) {
            for (FrameRef f : dgf) {
                frag.add(new Evidence(f, "IP fragment of a datagram that never completed"));
            }
        }
        return frag;
    }

    /** Quick Modes (children), Transactions (XAUTH/ModeCfg), DPD. */
    private static void phase2(Diagnoser dg, IkeSa sa, SaDiagnosis d, IkeExchange p1) {
        List<IkeExchange> qms = sa.exchanges("Quick Mode");
        for (IkeExchange qm : qms) {
            ChildSa c = new ChildSa(String.format("QM 0x%08x", qm.messageId), qm);
            d.children.add(c);
            IkeMessage q1 = byName(qm, "QM1");
            c.initiatedBy = q1 != null ? q1.src.address() : null;
            IkeMessage q2 = byName(qm, "QM2");
            IkeMessage q3 = byName(qm, "QM3");
            c.kind = "Quick Mode";
            if (q1 != null) {
                c.spis.addAll(q1.childSpis);
            }
            if (q2 != null) {
                c.spis.addAll(q2.childSpis);
                if (!q2.proposals.isEmpty() && (!q2.encrypted || q2.decryptedWith != null)) {
                    c.accepted = q2.proposals.get(0);
                }
            }
            if (q3 == null && q2 != null && ChildExchanges.quickModeAfterQm2(dg, sa, d, qm, q1, q2, c)) {
                continue;
            }
            if (q3 != null || q2 != null && espBoth(sa, q2.at.nanos())) {
                c.verdict = Verdict.ESTABLISHED;
                c.evidence.add(ev(q3 != null ? q3 : q2, q3 != null ? "QM3" : "QM2"));
                continue;
            }
            if (q2 != null) {
                c.verdict = dg.nearEnd(q2.at.nanos()) ? Verdict.INCOMPLETE : Verdict.FAILED;
                c.cause = c.verdict == Verdict.INCOMPLETE ? Cause.CAPTURE_INCOMPLETE : Cause.UNKNOWN;
                c.detail = "QM2 was not confirmed by QM3";
                c.evidence.add(ev(q2, "QM2"));
                continue;
            }
            if (q1 == null) {
                c.verdict = Verdict.INCOMPLETE;
                continue;
            }
            boolean byInit = Boolean.TRUE.equals(qm.byInitiator);
            List<IkeMessage> answers = informationals(sa, !byInit, q1.at.nanos(), q1.lastSentNanos() + 30_000_000_000L, true);
            Finding f;
            IkeMessage.Notify said = null;
            for (IkeMessage a : answers) {
                if (said == null && a.decryptedWith != null) {
                    said = a.errorNotify();
                }
            }
            if (said != null) {
                List<Evidence> e = new ArrayList<>(withCopies(q1, "QM1" + (q1.identities.isEmpty() ? ""
                        : ": IDs " + String.join(", ", q1.identities))));
                for (IkeMessage a : answers) {
                    e.add(ev(a, "Informational N(" + (a.errorNotify() != null ? a.errorNotify().name() : "?") + ") (decrypted)"));
                }
                boolean ids = said.name().equals("INVALID-ID-INFORMATION");
                f = finding(ids ? Cause.TS_MISMATCH : said.name().equals("NO-PROPOSAL-CHOSEN") ? Cause.CHILD_PROPOSAL_MISMATCH
                        : Cause.UNKNOWN, Confidence.HIGH, "QM1",
                        "Quick Mode refused with " + said.name() + (ids ? ": the proxy IDs do not match" : ""),
                        ids ? "The peer does not accept the proxy IDs (traffic selectors) of QM1"
                                + (q1.identities.isEmpty() ? "" : " (" + String.join(", ", q1.identities) + ")")
                                + ": no policy of its own covers them."
                                : "The peer refused QM1 with " + said.name() + (said.name().equals("NO-PROPOSAL-CHOSEN")
                                        ? ": no transform set (encryption, integrity, PFS group, mode) matches." : "."),
                        ids ? "Make the crypto ACL / local_ts and remote_ts exact mirror images on both peers."
                                : "Compare the transform sets, PFS groups and modes of both peers.",
                        e, List.of());
            } else if (!answers.isEmpty()) {
                List<Evidence> e = new ArrayList<>(withCopies(q1, "QM1"));
                for (IkeMessage a : answers) {
                    e.add(ev(a, "encrypted Informational in answer"));
                }
                f = finding(Cause.CHILD_PROPOSAL_MISMATCH, Confidence.LOW, "QM1",
                        "Quick Mode refused: QM1 answered by an encrypted Informational instead of QM2",
                        "The peer refused the phase-2 proposal with an encrypted notify. Without decryption it cannot be told"
                                + " whether it is NO-PROPOSAL-CHOSEN (transform set / PFS group) or INVALID-ID-INFORMATION"
                                + " (proxy IDs / traffic selectors that do not mirror), or a mode mismatch.",
                        "Compare the transform sets, PFS groups and the proxy IDs (crypto ACL / local_ts, remote_ts) on"
                                + " both peers; decrypt the exchange (key material, vpnsleuth decryption) or read the responder's log to see the notify.",
                        e, List.of(Cause.TS_MISMATCH, Cause.MODE_MISMATCH));
            } else {
                f = dg.noResponse(sa, q1, "QM1", "QM1");
            }
            c.verdict = f.cause() == Cause.CAPTURE_INCOMPLETE ? Verdict.INCOMPLETE : Verdict.FAILED;
            c.cause = f.cause();
            c.confidence = f.confidence();
            c.evidence.addAll(f.evidence());
            d.findings.add(f);
            if (d.main == null) {
                d.main = f;
                d.stoppedAt = "QM1";
            }
        }
        // XAUTH / Mode Config: Transactions after phase 1 and then no Quick Mode
        List<IkeExchange> tx = sa.exchanges("Transaction");
        if (!tx.isEmpty() && qms.isEmpty()) {
            IkeExchange lastTx = tx.get(tx.size() - 1);
            IkeMessage lt = lastTx.last();
            List<Evidence> e = new ArrayList<>();
            for (IkeExchange t : tx) {
                for (IkeMessage m : t.messages) {
                    e.add(ev(m, m.name));
                }
            }
            List<IkeMessage> after = informationals(sa, Boolean.FALSE, lt.at.nanos(), Long.MAX_VALUE, true);
            for (IkeMessage a : after) {
                e.add(ev(a, "encrypted Informational from the gateway"));
            }
            Long status = null;
            for (IkeExchange t : tx) {
                for (IkeMessage m : t.messages) {
                    if (m.xauthStatus != null) {
                        status = m.xauthStatus;
                    }
                }
            }
            Finding f = status != null && status == 1 ? null : finding(Cause.XAUTH_FAILED,
                    status != null ? Confidence.HIGH : after.isEmpty() ? Confidence.LOW : Confidence.MEDIUM, "XAUTH",
                    "XAUTH/Mode Config ran (" + tx.size() + " transaction(s)) and no Quick Mode followed",
                    "After phase 1 the gateway ran XAUTH/Mode Config transactions, then the tunnel went no further"
                            + (after.isEmpty() ? "" : " and the gateway sent an encrypted Informational (a Delete)")
                            + ": typically the user's XAUTH credentials were refused (XAUTH_STATUS=FAIL) or Mode Config"
                            + " gave no address.",
                    "Check the user name and password against the gateway's user database (RADIUS log); decrypt"
                            + " the transaction to see XAUTH_STATUS.", e, status != null ? List.of() : List.of(Cause.MODECFG_FAILED));
            if (f != null) {
                d.findings.add(f);
            }
            if (f != null && d.main == null) {
                d.main = f;
                d.stoppedAt = "XAUTH";
                d.verdict = Verdict.FAILED; // the gateway destroys the IKE SA after a failed XAUTH
                d.rfcState = "phase 1 done, XAUTH / Mode Config failed";
                d.iosState = "MM_NO_STATE";
                d.strongswanState = "DESTROYING";
            }
        }
        dpd(dg, sa, d);
    }

    /** R-U-THERE without ACK: Informationals from one side at a steady rhythm, nothing from the other after them. */
    private static void dpd(Diagnoser dg, IkeSa sa, SaDiagnosis d) {
        for (boolean side : new boolean[] {true, false}) {
            List<IkeMessage> mine = informationals(sa, side, 0, Long.MAX_VALUE, true);
            if (mine.size() < 3) {
                continue;
            }
            IkeMessage firstProbe = mine.get(mine.size() - 3);
            boolean otherAfter = false;
            for (IkeMessage m : sa.messages) {
                otherAfter |= m.fromInitiator != side && m.at.nanos() > firstProbe.at.nanos();
            }
            for (EspFlow f : sa.flows) {
                boolean fromOther = sa.isInitiator(f.src) != side;
                otherAfter |= fromOther && f.first != null && f.lastNanos() > firstProbe.at.nanos();
            }
            if (otherAfter) {
                continue;
            }
            String who = side ? "responder" : "initiator";
            List<Evidence> e = new ArrayList<>();
            // earlier probes that were answered show the rhythm (R-U-THERE / R-U-THERE-ACK pairs)
            for (IkeMessage m : sa.messages) {
                if (m.exchange == 5 && m.encrypted && m.retransmissionOf == null && m.at.nanos() < firstProbe.at.nanos()
                        && m.at.nanos() > lastNegotiation(sa)) {
                    e.add(ev(m, "encrypted Informational from the " + (m.fromInitiator ? "initiator" : "responder")
                            + " (answered)"));
                }
            }
            for (IkeMessage m : mine.subList(mine.size() - 3, mine.size())) {
                e.add(ev(m, "encrypted Informational from the " + (side ? "initiator" : "responder")));
            }
            boolean seenRuThere = mine.subList(mine.size() - 3, mine.size()).stream().allMatch(m -> m.hasNotify("R-U-THERE"));
            Finding f = finding(Cause.PEER_DEAD, seenRuThere ? Confidence.HIGH : Confidence.MEDIUM, "DPD",
                    "the " + who + " stopped answering: repeated Informationals (DPD R-U-THERE) with no reply",
                    "After the tunnel was up the " + (side ? "initiator" : "responder") + " sent encrypted Informationals at"
                            + " a steady rhythm (dead peer detection, RFC 3706) and nothing came back, neither"
                            + " R-U-THERE-ACK nor ESP: the peer went down or the path broke.",
                    "Check that the " + who + " is up and still has the SA; check the path and NAT mappings.", e, List.of());
            d.findings.add(f);
            if (d.main == null) {
                d.main = f;
                d.stoppedAt = "DPD";
            }
            return;
        }
    }

    /** Time of the last phase-1 / Quick Mode message. */
    private static long lastNegotiation(IkeSa sa) {
        long t = 0;
        for (IkeMessage m : sa.messages) {
            if (m.exchange == 2 || m.exchange == 4 || m.exchange == 32) {
                t = Math.max(t, m.at.nanos());
            }
        }
        return t;
    }

    private static boolean espBoth(IkeSa sa, long after) {
        return Ikev2Rules.espBothWays(sa, after);
    }

    private static void startedLate(Diagnoser dg, IkeSa sa, SaDiagnosis d) {
        boolean fromI = false;
        boolean fromR = false;
        for (IkeMessage m : sa.messages) {
            fromI |= m.fromInitiator;
            fromR |= !m.fromInitiator;
        }
        if (fromI && fromR || Ikev2Rules.espBothWays(sa, 0)) {
            d.verdict = Verdict.ESTABLISHED;
            d.findings.add(finding(Cause.CAPTURE_INCOMPLETE, Confidence.HIGH, null,
                    "the capture starts after phase 1 of this SA", "Its Main/Aggressive Mode is not in the capture; both"
                            + " peers use the SA, so it was up.", "Capture from before the tunnel comes up.",
                    List.of(ev(sa.messages.get(0), "first message seen")), List.of()));
            d.rfcState = "phase 1 established (before the capture)";
            d.iosState = "QM_IDLE";
            d.asaState = "MM_ACTIVE";
            d.strongswanState = "ESTABLISHED";
            phase2(dg, sa, d, null);
        } else {
            d.verdict = Verdict.INCOMPLETE;
            d.main = finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, null, "only part of this SA is in the capture",
                    "Neither phase 1 nor messages from both peers were captured.", "Capture from before the tunnel comes up.",
                    List.of(ev(sa.messages.get(0), "first message seen")), List.of());
            d.rfcState = "unknown";
        }
    }

    /** NAT-D (RFC 3947): recompute MM3/MM4 (or AM1/AM2) hashes with the negotiated hash algorithm. */
    private static void nat(IkeSa sa, IkeExchange p1, SaDiagnosis d, IkeMessage m2) {
        boolean aggressive = p1.exchangeType == 4;
        IkeMessage a = byName(p1, aggressive ? "AM2" : "MM3");
        IkeMessage b = byName(p1, aggressive ? "AM3" : "MM4");
        String alg = m2 == null ? null : NatDetection.v1Hash(m2.hashAlgorithm);
        if (alg == null || a == null || b == null || a.natD.size() < 2 || b.natD.size() < 2) {
            return;
        }
        // each sender lists the peer's (remote) hash first, then its own (local)
        boolean aSrcNat = NatDetection.differs(a.natD.get(1), alg, a.spiI, a.spiR, a.src);
        boolean aDstNat = NatDetection.differs(a.natD.get(0), alg, a.spiI, a.spiR, a.dst);
        boolean bSrcNat = NatDetection.differs(b.natD.get(1), alg, b.spiI, b.spiR, b.src);
        boolean bDstNat = NatDetection.differs(b.natD.get(0), alg, b.spiI, b.spiR, b.dst);
        // a from the initiator (MM3) or the responder (AM2): its own hash is "self", its hash of the peer "peer"
        boolean aFromInit = a.fromInitiator;
        boolean iSelf = aFromInit ? aSrcNat : bSrcNat;
        boolean iPeer = aFromInit ? bDstNat : aDstNat;
        boolean rSelf = aFromInit ? bSrcNat : aSrcNat;
        boolean rPeer = aFromInit ? aDstNat : bDstNat;
        d.nat = NatDetection.describe(iSelf, iPeer, rSelf, rPeer);
    }

    /** Cisco IOS (`show crypto isakmp sa`), ASA and strongSwan names for how far phase 1 got. */
    private static void states(SaDiagnosis d, boolean aggressive, int reached, boolean up) {
        if (up) {
            d.rfcState = (aggressive ? "Aggressive Mode" : "Main Mode") + " complete, phase 1 established";
            d.iosState = "QM_IDLE";
            d.asaState = aggressive ? "AM_ACTIVE" : "MM_ACTIVE";
            d.strongswanState = "ESTABLISHED";
            return;
        }
        d.strongswanState = "CONNECTING";
        if (aggressive) {
            d.rfcState = "Aggressive Mode, AM" + reached + " the last message";
            d.iosState = reached <= 1 ? "AG_NO_STATE" : "AG_INIT_EXCH";
            d.asaState = reached <= 1 ? "AM_WAIT_MSG2" : "AM_WAIT_MSG3";
            return;
        }
        d.rfcState = "Main Mode, MM" + reached + " the last message";
        d.iosState = reached <= 1 ? "MM_NO_STATE" : reached <= 3 ? "MM_SA_SETUP" : "MM_KEY_EXCH";
        // the ASA names the message it waits for: the initiator's view
        d.asaState = "MM_WAIT_MSG" + Math.min(6, reached % 2 == 1 ? reached + 1 : reached + 2);
    }
}
