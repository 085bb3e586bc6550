package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;
import static org.vpnsleuth.diagnose.Diagnoser.recovered;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vpnsleuth.ike.PayloadType;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * The outcome of each child-SA exchange after the IKE SA is up (issue 14): every IKEv2
 * CREATE_CHILD_SA (RFC 7296 §1.3: a new child, a child rekey with REKEY_SA, an IKE SA rekey) and
 * the IKEv1 Quick Mode that the initiator answers with a notify instead of QM3. A refusal makes a
 * FAILED child with the cause its notify names, and says what followed: the old child kept (its ESP
 * after the refusal), retries and their timing, the Delete that ended it.
 */
final class ChildExchanges {
    private ChildExchanges() {
    }

    /**
     * The smallest ciphertext a CREATE_CHILD_SA response that accepts can have: an SA payload with
     * one proposal of one transform (4 + 8 + 8 bytes, RFC 7296 §3.3) and a Nonce of at least 16
     * bytes (4 + 16, §3.9). Shorter holds a notify and nothing else: a refusal.
     */
    static final int MIN_ACCEPT_CIPHERTEXT = 40;
    /** How far after a refusal a request of the same kind from the same side still counts as its retry. */
    static final long RETRY_WINDOW_NANOS = 600_000_000_000L;
    /**
     * Unreadable: the next CREATE_CHILD_SA from the same side this soon after a refusal is taken as its
     * retry even with another length (a retry with the KE group the peer asked for is longer or shorter).
     */
    static final long SOON_NANOS = 5_000_000_000L;

    /** A proposal of an IKE SA ("#1 IKE: ..."), compiled once (this runs for every CREATE_CHILD_SA). */
    private static final java.util.regex.Pattern IKE_PROPOSAL = java.util.regex.Pattern.compile("#\\d+ IKE: .*");

    /** The kind of a CREATE_CHILD_SA from what its request shows (readable payloads only), or null. */
    static String kind(IkeMessage q) {
        if (q.ikeRekeySpi != null) {
            return "IKE rekey";
        }
        for (String p : q.proposals) {
            if (IKE_PROPOSAL.matcher(p).matches()) {
                return "IKE rekey";
            }
        }
        if (q.rekeySpi != null) {
            return "child rekey";
        }
        return q.encrypted && q.decryptedWith == null ? null : "new child";
    }

    /** One IKEv2 CREATE_CHILD_SA exchange after IKE_AUTH: its child entry with its outcome. */
    static void createChildSa(Diagnoser dg, IkeSa sa, SaDiagnosis d, IkeExchange e) {
        IkeMessage q = e.request();
        IkeMessage r = e.response();
        ChildSa c = new ChildSa("CREATE_CHILD_SA mid " + e.messageId, e);
        c.kind = kind(q);
        c.initiatedBy = q.src.address();
        c.rekeys = q.rekeySpi;
        c.spis.addAll(q.childSpis);
        c.request = q;
        c.evidence.add(ev(q, "CREATE_CHILD_SA request" + (c.kind != null ? " (" + c.kind + ")" : "")));
        d.children.add(c);
        if (r == null) {
            boolean late = q.retransmitted() == 0 && dg.nearEnd(q.at.nanos());
            c.verdict = late ? Verdict.INCOMPLETE : Verdict.FAILED;
            c.cause = late ? Cause.CAPTURE_INCOMPLETE : Cause.NO_RESPONSE;
            return;
        }
        boolean readable = !r.encrypted || r.decryptedWith != null;
        IkeMessage.Notify err = readable ? r.errorNotify() : null;
        if (err != null) {
            refused(dg, sa, d, e, c, q, r, err);
            return;
        }
        if (!readable && r.ciphertextExact && r.ciphertextLength >= 0 && r.ciphertextLength < MIN_ACCEPT_CIPHERTEXT) {
            refusedUnread(sa, d, e, c, q, r);
            return;
        }
        c.verdict = Verdict.ESTABLISHED;
        c.spis.addAll(r.childSpis);
        c.evidence.add(ev(r, "CREATE_CHILD_SA response"));
    }

    /**
     * The earlier refused CREATE_CHILD_SA this one repeats (same side, same REKEY_SA SPI when read,
     * else the same request length while both are unreadable), or null.
     */
    private static ChildSa earlierRefusal(SaDiagnosis d, ChildSa c, IkeMessage q) {
        for (ChildSa x : d.children) {
            if (x == c || x.verdict != Verdict.FAILED || !q.src.address().equals(x.initiatedBy) || x.request == null) {
                continue;
            }
            boolean same = q.rekeySpi != null ? q.rekeySpi.equals(x.rekeys)
                    : x.rekeys == null && q.encrypted && q.decryptedWith == null && x.request.encrypted
                            && x.request.decryptedWith == null && x.request.length == q.length;
            if (same) {
                return x;
            }
        }
        return null;
    }

    /** A CREATE_CHILD_SA refused with a readable error notify. */
    private static void refused(Diagnoser dg, IkeSa sa, SaDiagnosis d, IkeExchange e, ChildSa c, IkeMessage q, IkeMessage r,
            IkeMessage.Notify err) {
        String name = err.name();
        boolean pfs = q.hasPayload(PayloadType.V2_KE) || q.keGroup > 0;
        String what = c.kind != null ? c.kind : "child SA";
        List<org.vpnsleuth.diagnose.Evidence> evidence = new ArrayList<>();
        evidence.add(ev(q, "CREATE_CHILD_SA request (" + what + (pfs ? ", KE group " + q.keGroup : "") + ")"));
        evidence.add(ev(r, "N(" + name + ")" + (err.detail() != null ? " " + err.detail() : "")));
        boolean ikeRekey = "IKE rekey".equals(c.kind);
        Cause cause;
        Confidence conf = Confidence.HIGH;
        List<Cause> alternatives = List.of();
        String headline;
        String why;
        String fix;
        ChildSa accepted = ikeRekey ? null : acceptedBefore(d, q);
        switch (name) {
            case "NO_PROPOSAL_CHOSEN" -> {
                if (ikeRekey) {
                    cause = Cause.IKE_PROPOSAL_MISMATCH;
                    headline = "the IKE SA rekey was refused: NO_PROPOSAL_CHOSEN";
                    why = "The peer accepts none of the IKE proposals offered for the new IKE SA"
                            + (q.proposals.isEmpty() ? "" : " (" + String.join("; ", q.proposals) + ")") + ".";
                    fix = "Make the IKE proposals (including the DH group) match on both peers.";
                } else if (pfs && accepted != null) {
                    cause = Cause.PFS_MISMATCH;
                    headline = "the " + what + " was refused (NO_PROPOSAL_CHOSEN): the PFS group " + groupName(q.keGroup)
                            + " is not acceptable to the peer";
                    why = "The peer accepted these same transforms without a Diffie-Hellman group in "
                            + accepted.name + " (IKE_AUTH carries no KE, so the PFS groups are never compared there); with"
                            + " the PFS group " + groupName(q.keGroup) + " it accepts none: the child SAs' PFS groups differ."
                            + " strongSwan logs 'no acceptable KEY_EXCHANGE_METHOD found'.";
                    fix = "Configure the same PFS group for this child SA on both peers (strongSwan `esp_proposals`"
                            + " ...-modpXXXX / -ecpXXX, Cisco `set pfs groupN` in the crypto map / IPsec profile), or none on both.";
                } else if (pfs) {
                    cause = Cause.PFS_MISMATCH;
                    conf = Confidence.MEDIUM;
                    alternatives = List.of(Cause.CHILD_PROPOSAL_MISMATCH);
                    headline = "the " + what + " with PFS group " + groupName(q.keGroup) + " was refused (NO_PROPOSAL_CHOSEN)";
                    why = "The request carries a KE payload (PFS) and the peer accepts none of its proposals: most often the"
                            + " PFS groups differ; the transforms themselves may differ too.";
                    fix = "Compare the child SA proposals including the PFS group on both peers.";
                } else {
                    cause = Cause.CHILD_PROPOSAL_MISMATCH;
                    headline = "the " + what + " was refused: NO_PROPOSAL_CHOSEN";
                    why = "The peer accepts none of the child SA proposals offered"
                            + (q.proposals.isEmpty() ? "" : " (" + String.join("; ", q.proposals) + ")") + ".";
                    fix = "Make the ESP/AH proposals match on both peers.";
                }
            }
            case "INVALID_KE_PAYLOAD" -> {
                cause = Cause.DH_GROUP_MISMATCH;
                headline = "the " + what + " used KE group " + groupName(q.keGroup) + "; the peer wants "
                        + (err.detail() != null ? err.detail() : "another group") + " (INVALID_KE_PAYLOAD)";
                why = "The peer accepts a proposal but not the group of the KE payload sent with it (both sides allow"
                        + " several groups in a different order); the sender may retry with the group named (RFC 7296 §1.3).";
                fix = "Put the same PFS group first on both peers (strongSwan: the first group of `esp_proposals`) to"
                        + " save a round trip at each rekey.";
            }
            case "TS_UNACCEPTABLE" -> {
                cause = Cause.TS_MISMATCH;
                headline = "the " + what + " was refused: TS_UNACCEPTABLE";
                why = "The peer has no policy for the traffic selectors asked for"
                        + (q.trafficSelectors.isEmpty() ? "" : " (" + String.join(", ", q.trafficSelectors) + ")") + ".";
                fix = "Make local_ts/remote_ts (Cisco crypto ACL) of this child mirror each other on both peers.";
            }
            case "TEMPORARY_FAILURE" -> {
                cause = Cause.TEMPORARY_FAILURE;
                headline = "the " + what + " was refused for now: TEMPORARY_FAILURE";
                why = "The peer is busy with this SA (a simultaneous rekey or a delete in progress, RFC 7296 §2.25) and"
                        + " asks to try again later.";
                fix = "Nothing if a retry follows; frequent collisions: let only one side rekey (different rekey times).";
            }
            case "CHILD_SA_NOT_FOUND" -> {
                cause = Cause.CHILD_NOT_FOUND;
                headline = "the " + what + " was refused: CHILD_SA_NOT_FOUND, the peer no longer has that child SA";
                why = "The child SA the request rekeys (REKEY_SA " + (q.rekeySpi != null ? q.rekeySpi : "?")
                        + ") does not exist on the peer (deleted there, or a rekey collision, RFC 7296 §2.25).";
                fix = "Set the child SA up again (it usually is); check the peer's log for why it deleted it.";
            }
            case "NO_ADDITIONAL_SAS" -> {
                cause = Cause.NO_ADDITIONAL_SAS;
                headline = "the " + what + " was refused: NO_ADDITIONAL_SAS";
                why = "The peer accepts no more child SAs on this IKE SA (a limit of its configuration or license).";
                fix = "Raise the peer's limit of child SAs per IKE SA, or use fewer child SAs (wider traffic selectors).";
            }
            default -> {
                cause = Cause.UNKNOWN;
                headline = "the " + what + " was refused: " + name;
                why = "The CREATE_CHILD_SA response carries the error notify " + name + ".";
                fix = "See RFC 7296 §3.10.1 for " + name + "; read the peer's log.";
            }
        }
        c.verdict = Verdict.FAILED;
        c.cause = cause;
        c.confidence = conf;
        c.detail = headline;
        c.evidence.clear();
        c.evidence.addAll(evidence);
        ChildSa first = earlierRefusal(d, c, q);
        if (first != null) {
            // one finding per series: the first refusal's says what followed, this one is a retry
            c.detail = "a retry of " + first.name + ": " + headline;
            return;
        }
        aftermath(sa, d, e, c, q, r, accepted);
        Finding f = finding(cause, conf, "CREATE_CHILD_SA", headline, why + followedText(c), fix, evidence, alternatives);
        if (c.followed.stream().anyMatch(x -> x.endsWith(": established"))) {
            f = recovered(f);
        }
        d.findings.add(f);
    }

    /** A CREATE_CHILD_SA response whose ciphertext cannot hold SA and Nonce: a refusal, its notify unread. */
    private static void refusedUnread(IkeSa sa, SaDiagnosis d, IkeExchange e, ChildSa c, IkeMessage q, IkeMessage r) {
        List<org.vpnsleuth.diagnose.Evidence> evidence = new ArrayList<>();
        evidence.add(ev(q, "CREATE_CHILD_SA request: " + q.ciphertextLength + " bytes of ciphertext"));
        evidence.add(ev(r, "CREATE_CHILD_SA response: " + r.ciphertextLength + " bytes of ciphertext, room for one Notify"));
        // the refusal is certain to MEDIUM (the size); which notify refused it is not readable: the cause is LOW
        c.verdict = Verdict.FAILED;
        c.cause = Cause.CHILD_PROPOSAL_MISMATCH;
        c.confidence = Confidence.LOW;
        c.detail = "refused (medium confidence): the response (" + r.ciphertextLength + " bytes of ciphertext) is too short"
                + " for SA, Nonce and KE; the notify is encrypted";
        c.evidence.clear();
        c.evidence.addAll(evidence);
        ChildSa first = earlierRefusal(d, c, q);
        if (first != null) {
            c.detail = "a retry of " + first.name + ": refused again (a response as short)";
            return;
        }
        aftermath(sa, d, e, c, q, r, null);
        boolean recovered = c.followed.stream().anyMatch(x -> x.endsWith(": established"));
        Finding unread = finding(Cause.CHILD_PROPOSAL_MISMATCH, Confidence.LOW, "CREATE_CHILD_SA",
                "a CREATE_CHILD_SA was refused (medium confidence): its response holds " + r.ciphertextLength
                        + " bytes of ciphertext, too short for SA, Nonce (and KE); which notify refused it is encrypted",
                "A response that accepts carries at least an SA payload and a Nonce (" + MIN_ACCEPT_CIPHERTEXT + " bytes or"
                        + " more, with PFS also a KE payload); this one can hold a single Notify, an error: NO_PROPOSAL_CHOSEN"
                        + " (often a PFS group mismatch at rekey, as IKE_AUTH never compares PFS groups),"
                        + " INVALID_KE_PAYLOAD, TS_UNACCEPTABLE, TEMPORARY_FAILURE or CHILD_SA_NOT_FOUND."
                        + followedText(c),
                "Compare the child SA proposals including the PFS group, and the traffic selectors, on both peers;"
                        + " decrypt (key material) or read the peer's log to see the notify.",
                evidence, List.of(Cause.PFS_MISMATCH, Cause.DH_GROUP_MISMATCH, Cause.TS_MISMATCH, Cause.TEMPORARY_FAILURE));
        d.findings.add(recovered ? recovered(unread) : unread);
    }

    /** An established child whose accepted transforms (without a DH group) equal one of {@code q}'s proposals. */
    private static ChildSa acceptedBefore(SaDiagnosis d, IkeMessage q) {
        java.util.Set<String> offered = new java.util.HashSet<>();
        for (String p : q.proposalsWithoutGroup) {
            offered.add(p.replaceFirst("^#\\d+ ", ""));
        }
        if (offered.isEmpty()) {
            return null;
        }
        for (ChildSa c : d.children) {
            if (c.verdict == Verdict.ESTABLISHED && c.accepted != null && offered.contains(c.accepted.replaceFirst("^#\\d+ ", ""))) {
                return c;
            }
        }
        return null;
    }

    /**
     * What followed a refusal: later CREATE_CHILD_SAs of the same kind from the same side (retries, by
     * REKEY_SA SPI when read, else by request size) with their time after the refusal and outcome;
     * for a rekey, the old child's ESP after the refusal and the Delete that ended it.
     */
    private static void aftermath(IkeSa sa, SaDiagnosis d, IkeExchange refusedEx, ChildSa c, IkeMessage q, IkeMessage r,
            ChildSa old) {
        long t0 = r.at.nanos();
        boolean after = false;
        int retries = 0;
        for (IkeExchange x : sa.exchanges) {
            if (x == refusedEx) {
                after = true;
                continue;
            }
            IkeMessage xq = x.request();
            if (!after || !x.kind.equals("CREATE_CHILD_SA") || xq == null || !xq.src.address().equals(q.src.address())
                    || xq.at.nanos() - t0 > RETRY_WINDOW_NANOS) {
                continue;
            }
            boolean unread = xq.encrypted && xq.decryptedWith == null && q.encrypted && q.decryptedWith == null;
            boolean same = q.rekeySpi != null ? q.rekeySpi.equals(xq.rekeySpi)
                    : unread && (xq.length == q.length || xq.at.nanos() - t0 < SOON_NANOS);
            if (!same) {
                continue;
            }
            IkeMessage xr = x.response();
            String outcome;
            if (xr == null) {
                outcome = "unanswered";
            } else if ((!xr.encrypted || xr.decryptedWith != null) && xr.errorNotify() != null) {
                outcome = "refused again (" + xr.errorNotify().name() + ")";
            } else if (xr.encrypted && xr.decryptedWith == null && xr.ciphertextExact && xr.ciphertextLength < MIN_ACCEPT_CIPHERTEXT) {
                outcome = "refused again (a response as short)";
            } else {
                outcome = "established";
            }
            retries++;
            c.followed.add(String.format(Locale.ROOT, "retried at frame %d (+%.1f s): %s", xq.at.frame(),
                    (xq.at.nanos() - t0) / 1e9, outcome));
            if (retries >= 10) {
                break;
            }
        }
        if (!"child rekey".equals(c.kind) && !(c.kind == null && retries > 0)) {
            return;
        }
        // the old child stays in use: its ESP after the refusal (unless a retry replaced it: then the ESP may be the new child's)
        boolean replaced = c.followed.stream().anyMatch(x -> x.endsWith(": established"));
        EspFlow lastFlow = null;
        for (EspFlow f : sa.flows) {
            if (f.first != null && f.lastNanos() > t0 && (lastFlow == null || f.lastNanos() > lastFlow.lastNanos())) {
                lastFlow = f;
            }
        }
        if (lastFlow != null && !replaced) {
            c.followed.add(String.format(Locale.ROOT, "the old child SA stayed in use: ESP SPI %s until frame %d (+%.1f s)",
                    lastFlow.spiHex(), lastFlow.last().frame(), (lastFlow.lastNanos() - t0) / 1e9));
        }
        // the Delete that ended the old child (read: its SPI; the first ESP Delete otherwise)
        ChildSa oldChild = null;
        for (ChildSa x : d.children) {
            if (c.rekeys != null && x.spis.contains(c.rekeys)) {
                oldChild = x;
            }
        }
        for (IkeMessage m : sa.messages) {
            if (m.at.nanos() <= t0 || m.response) {
                continue;
            }
            for (IkeMessage.Delete del : m.deleteRecords) {
                boolean hit = del.protocol() != 1 && (oldChild == null || del.spis().stream().anyMatch(oldChild.spis::contains));
                if (hit) {
                    c.followed.add(String.format(Locale.ROOT, "the old child SA was deleted by the %s at frame %d (+%.1f s)",
                            Boolean.TRUE.equals(m.fromInitiator) ? "initiator" : "responder", m.at.frame(),
                            (m.at.nanos() - t0) / 1e9));
                    return;
                }
            }
        }
    }

    static String followedText(ChildSa c) {
        return c.followed.isEmpty() ? "" : " What followed: " + String.join("; ", c.followed) + ".";
    }

    private static String groupName(int g) {
        String n = g > 0 ? org.vpnsleuth.ike.IkeRegistries.IKEV2_KE.name(g) : null;
        return g <= 0 ? "?" : n != null ? n + " (" + g + ")" : String.valueOf(g);
    }

    // ------------------------------------------------------------------ IKEv1 Quick Mode

    /**
     * A Quick Mode with QM1 and QM2 and no QM3: an Informational from the phase-2 initiator after QM2
     * means it refused the responder's choice or could not install it (RFC 2409 §5.5; strongSwan sends
     * NO-PROPOSAL-CHOSEN when installing the SA fails). Readable: its notify decides (HIGH); encrypted:
     * LOW. Returns false when no such Informational follows.
     */
    static boolean quickModeAfterQm2(Diagnoser dg, IkeSa sa, SaDiagnosis d, IkeExchange qm, IkeMessage q1, IkeMessage q2,
            ChildSa c) {
        if (q1 == null) {
            return false;
        }
        boolean byInit = Boolean.TRUE.equals(q1.fromInitiator);
        List<IkeMessage> infos = Ikev1Rules.informationals(sa, byInit, q2.at.nanos(), q2.at.nanos() + 30_000_000_000L, true);
        if (infos.isEmpty()) {
            return false;
        }
        IkeMessage.Notify said = null;
        IkeMessage sayer = null;
        for (IkeMessage a : infos) {
            if (said == null && a.decryptedWith != null && a.errorNotify() != null) {
                said = a.errorNotify();
                sayer = a;
            }
        }
        boolean deleteOnly = said == null && infos.stream().allMatch(a -> a.decryptedWith != null && !a.deleteRecords.isEmpty());
        if (deleteOnly) {
            return false; // the Deletes say what ended; the Delete rules report them
        }
        String who = "the Quick Mode initiator (" + q1.src.address() + ")";
        List<org.vpnsleuth.diagnose.Evidence> e = new ArrayList<>();
        e.add(ev(q1, "QM1"));
        e.add(ev(q2, "QM2: the responder's choice" + (q2.proposals.isEmpty() ? "" : " " + q2.proposals.get(0))));
        for (IkeMessage a : infos) {
            e.add(ev(a, a.decryptedWith != null && a.errorNotify() != null
                    ? "Informational N(" + a.errorNotify().name() + ") from " + who + " instead of QM3"
                    : "encrypted Informational from " + who + " instead of QM3"));
        }
        Finding f;
        if (said != null) {
            boolean proposal = said.name().equals("NO-PROPOSAL-CHOSEN") || said.name().equals("BAD-PROPOSAL-SYNTAX")
                    || said.name().equals("INVALID-KEY-INFORMATION") || said.name().equals("ATTRIBUTES-NOT-SUPPORTED");
            boolean ids = said.name().equals("INVALID-ID-INFORMATION");
            f = finding(ids ? Cause.TS_MISMATCH : proposal ? Cause.CHILD_PROPOSAL_MISMATCH : Cause.UNKNOWN, Confidence.HIGH,
                    "QM2", "Quick Mode refused after QM2: " + who + " answered " + said.name() + " instead of QM3",
                    "The responder chose a proposal in QM2; instead of confirming it with QM3 " + who + " sent "
                            + said.name() + ": it could not use the responder's choice"
                            + (proposal ? " (a proposal, lifetime or PFS group it did not offer in that form) or could not"
                                    + " install the SA in its kernel (strongSwan answers NO-PROPOSAL-CHOSEN when installing"
                                    + " the IPsec SA fails)" : ids ? " (the proxy IDs the responder returned)" : "")
                            + ". The child SA does not exist on either side.",
                    "Read " + who + "'s log at this time (kernel IPsec support, 'unable to install ... SA'); compare the"
                            + " transform sets, lifetimes, PFS groups and proxy IDs of both peers.",
                    e, List.of());
        } else {
            f = finding(Cause.CHILD_PROPOSAL_MISMATCH, Confidence.LOW, "QM2",
                    "Quick Mode refused after QM2: " + who + " sent an encrypted Informational instead of QM3",
                    "The responder answered QM1 with QM2, and instead of QM3 " + who + " sent an encrypted"
                            + " Informational: most likely an error notify (it could not use or install the responder's"
                            + " choice) or a Delete. No QM3 means the child SA was not set up.",
                    "Read " + who + "'s log at this time; decrypt the exchange (key material) to read the notify.",
                    e, List.of(Cause.TS_MISMATCH, Cause.UNKNOWN));
        }
        c.verdict = Verdict.FAILED;
        c.cause = f.cause();
        c.confidence = f.confidence();
        c.detail = f.headline();
        c.evidence.clear();
        c.evidence.addAll(f.evidence());
        d.findings.add(f);
        if (d.main == null) {
            d.main = f;
            d.stoppedAt = "QM2";
        }
        return true;
    }
}
