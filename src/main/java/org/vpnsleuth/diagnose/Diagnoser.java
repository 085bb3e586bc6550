package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IcmpError;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * Rules over a tracked IKE SA → its verdict, where it stopped, why, with evidence and a fix. The
 * rules read only what the wire shows in cleartext (and the sizes, timing and direction of what is
 * encrypted); each finding says how sure it is and, where the cleartext cannot tell causes apart,
 * which others remain and what would decide (docs/diagnosis.md).
 */
public final class Diagnoser {
    /** A request unanswered this close to the end of the capture may still have been answered. */
    static final long END_SLACK_NANOS = 3_000_000_000L;
    /** ESP packets in one direction, none back, from which ESP_ONE_WAY is said. */
    static final int ONE_WAY_PACKETS = 4;

    private final long captureStart;
    private final long captureEnd;

    /** @param captureStart time of the first frame of the capture(s); @param captureEnd of the last */
    private org.vpnsleuth.keys.KeyMaterial keys;

    /** The key material the capture was decrypted with (null: none), for what decrypted and what is missing. */
    /**
     * True when a daemon's log given as keys holds a pre-shared key that is none of the keys given with
     * --psk: a supplied key that verifies one side's AUTH then says nothing about the other side's key.
     */
    boolean logsHoldAnotherPsk() {
        if (keys == null || keys.psks.isEmpty()) {
            return false; // without --psk the check itself tried every logged key
        }
        for (org.vpnsleuth.keys.KeyMaterial.Psk l : keys.loggedPsks) {
            if (keys.psks.stream().noneMatch(x -> java.util.Arrays.equals(x.secret(), l.secret()))) {
                return true;
            }
        }
        return false;
    }

    public Diagnoser keys(org.vpnsleuth.keys.KeyMaterial k) {
        keys = k;
        return this;
    }

    public Diagnoser(long captureStart, long captureEnd) {
        this.captureStart = captureStart;
        this.captureEnd = captureEnd;
    }

    /**
     * {@link #diagnose}, but a rule that fails on an SA never takes the report down: that SA gets an
     * UNKNOWN finding naming the error (a bug to report), the others are diagnosed as usual.
     */
    public SaDiagnosis diagnoseSafely(IkeSa sa) {
        try {
            return diagnose(sa);
        } catch (RuntimeException e) {
            SaDiagnosis d = new SaDiagnosis(sa);
            d.verdict = Verdict.INCOMPLETE;
            d.rfcState = "unknown";
            d.main = finding(Cause.UNKNOWN, Confidence.LOW, null, "this SA could not be diagnosed (" + e + ")",
                    "vpnsleuth met an internal error while diagnosing this SA; its messages are listed as captured.",
                    "Please report it with the capture.", List.of(), List.of());
            d.findings.add(d.main);
            return d;
        }
    }

    public SaDiagnosis diagnose(IkeSa sa) {
        SaDiagnosis d = new SaDiagnosis(sa);
        if (sa.messages.isEmpty()) {
            // only pieces of fragmented messages, none of them ever whole
            List<Evidence> e = new ArrayList<>();
            for (FrameRef f : sa.fragmentFrames) {
                e.add(new Evidence(f, "IKE fragment whose message never completed"));
            }
            d.verdict = Verdict.INCOMPLETE;
            d.rfcState = "unknown";
            d.main = finding(e.isEmpty() ? Cause.CAPTURE_INCOMPLETE : Cause.IKE_FRAGMENTS_LOST, Confidence.MEDIUM, null,
                    "only fragments of this SA's messages are in the capture, and none of them completes a message",
                    "Fragments of a fragmented IKE message arrived, the others never did.",
                    "Check the path for loss of fragments; capture where both peers' traffic passes.", e, List.of());
            d.findings.add(d.main);
            return d;
        }
        if (sa.version == 1) {
            Ikev1Rules.diagnose(this, sa, d);
        } else {
            Ikev2Rules.diagnose(this, sa, d);
        }
        children(sa, d);
        KeyCheckRules.apply(sa, d);
        Deletes.apply(sa, d);
        Redirects.apply(sa, d);
        PayloadInvariant.apply(sa, d);
        try {
            SecurityFindings.apply(sa, d, keys);
        } catch (RuntimeException e) {
            // a bug in the security rules never costs the SA its diagnosis
            d.notes.add("security findings could not be computed (" + e + "): please report it with the capture");
        }
        d.decryption = DecryptionStatus.describe(sa, keys);
        DaemonLogEvidence.apply(sa, d, keys); // issue 20: the daemons' own lines for this SA
        if (d.main == null && d.verdict == Verdict.FAILED) {
            d.main = finding(Cause.UNKNOWN, Confidence.LOW, d.stoppedAt, "the negotiation stopped at " + d.stoppedAt,
                    "The capture shows the negotiation stop here without a cleartext reason.",
                    "Look at both peers' logs for this time; decrypting the exchange (keys) would show the notify.",
                    List.of(), List.of());
        }
        if (d.main == null && d.verdict == Verdict.ESTABLISHED) {
            // nothing failed: the most telling finding (a recovered problem, a delete) leads
            for (Finding f : d.findings) {
                if (f.cause() != Cause.CAPTURE_INCOMPLETE && f.cause() != Cause.UNKNOWN
                        && (d.main == null || f.recovered() && !d.main.recovered())) {
                    d.main = f;
                }
            }
        }
        if (d.main != null && !d.findings.contains(d.main)) {
            d.findings.add(0, d.main);
        }
        if (d.verdict == Verdict.ESTABLISHED) {
            // where the story is: the step of the main finding, or the last negotiation step completed
            String step = d.main == null ? null : d.main.stoppedAt();
            d.stoppedAt = step != null && NEGOTIATION_STEP.matcher(step).matches() ? step : lastStep(sa);
        }
        return d;
    }

    /** Names of negotiation steps (as opposed to later events: DPD, INFORMATIONAL, ESP). */
    static final java.util.regex.Pattern NEGOTIATION_STEP = java.util.regex.Pattern.compile(
            "MM[1-6]|AM[1-3]|QM[1-3]|IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|XAUTH|MODECFG");

    /** The last negotiation step of the SA that was answered or completed. */
    static String lastStep(IkeSa sa) {
        String last = null;
        for (IkeExchange e : sa.exchanges) {
            for (IkeMessage m : e.messages) {
                String n = m.name == null ? "" : m.name;
                if (sa.version == 1 && NEGOTIATION_STEP.matcher(n).matches()) {
                    last = n;
                } else if (sa.version == 2 && m.response && NEGOTIATION_STEP.matcher(e.kind).matches()) {
                    last = e.kind;
                }
            }
        }
        return last;
    }

    // ------------------------------------------------------------------ across SAs

    /**
     * What only several SAs together show: what a responder accepts (another SA of the capture
     * with the same responder), proxy IDs that do not mirror (Quick Mode works when one peer starts
     * it and fails when the other does), a new SA between peers that already have one (a rekey or a
     * second connection), NAT-T keepalives between the peers.
     */
    public static void across(List<SaDiagnosis> all, org.vpnsleuth.track.Tracker t) {
        List<SaFacts> facts = new ArrayList<>(all.size());
        for (SaDiagnosis d : all) {
            facts.add(new SaFacts(d));
        }
        acrossFacts(facts, t.keepalives(), t.peers());
        for (int i = 0; i < all.size(); i++) {
            facts.get(i).apply(all.get(i));
        }
        lostBetweenCapturePoints(all, t);
    }

    /**
     * The rules across SAs on their facts alone (every SA of the capture, in report order, some of
     * them possibly written out already): each gets the edits its diagnosis needs
     * ({@link SaFacts#apply}). Captures at several points need the SAs' messages: use
     * {@link #across(List, org.vpnsleuth.track.Tracker)} then.
     */
    public static void acrossFacts(List<SaFacts> facts, java.util.Collection<org.vpnsleuth.track.Tracker.Keepalives> keepalives,
            org.vpnsleuth.track.PeerIndex peers) {
        acrossFacts(facts, keepalives, peers, i -> {
            throw new IllegalStateException("an IKE SA written out is needed back and there is no way to read it");
        });
    }

    /**
     * As {@link #acrossFacts(List, java.util.Collection, org.vpnsleuth.track.PeerIndex)}, with
     * {@code readBack} giving the diagnosis at position {@code i} of {@code facts} as it was written
     * out (before any edit): a rare rule reads the messages of an SA whose story was dropped.
     */
    public static void acrossFacts(List<SaFacts> facts, java.util.Collection<org.vpnsleuth.track.Tracker.Keepalives> keepalives,
            org.vpnsleuth.track.PeerIndex peers, java.util.function.IntFunction<SaDiagnosis> readBack) {
        FactsBySa factsBySa = new FactsBySa(facts);
        acceptedElsewhere(facts);
        quickModeMirrors(facts);
        IkeRekeys.link(facts, factsBySa, peers);
        Redirects.link(facts, new java.util.function.Function<>() {
            private java.util.Map<SaFacts, Integer> at; // made on the first read-back: most captures have no redirect

            @Override
            public org.vpnsleuth.track.IkeSa apply(SaFacts f) {
                if (at == null) {
                    at = new java.util.IdentityHashMap<>();
                    for (int i = 0; i < facts.size(); i++) {
                        at.put(facts.get(i), i);
                    }
                }
                Integer i = at.get(f);
                return i == null ? null : readBack.apply(i).sa;
            }
        });
        Deletes.acrossRekeys(facts);
        concurrent(factsBySa, peers);
        keepalives(factsBySa, keepalives, peers);
    }

    /**
     * The facts of an SA found by the SA: an array by its creation order (the tracker numbers its SAs
     * 0, 1, 2, ...), 4 bytes per SA instead of an identity map's 30; the same SA object only.
     */
    static final class FactsBySa {
        private final SaFacts[] bySeq;
        /** When the creation orders are sparse (a live capture that forgot most of its SAs): an identity map. */
        private final java.util.Map<org.vpnsleuth.track.IkeSa, SaFacts> bySa;

        FactsBySa(List<SaFacts> facts) {
            long max = -1;
            for (SaFacts f : facts) {
                max = Math.max(max, f.sa.seq);
            }
            if (max < 0 || max > 4L * facts.size() + 1_024) {
                bySeq = null;
                bySa = new java.util.IdentityHashMap<>();
                for (SaFacts f : facts) {
                    bySa.put(f.sa, f);
                }
                return;
            }
            bySa = null;
            bySeq = new SaFacts[(int) (max + 1)];
            for (SaFacts f : facts) {
                bySeq[(int) f.sa.seq] = f;
            }
        }

        /** The facts of {@code sa} (this very object), or null. */
        SaFacts get(org.vpnsleuth.track.IkeSa sa) {
            if (bySa != null) {
                return bySa.get(sa);
            }
            SaFacts f = sa.seq >= 0 && sa.seq < bySeq.length ? bySeq[(int) sa.seq] : null;
            return f != null && f.sa == sa ? f : null;
        }
    }

    /** What the rules across SAs read of {@code d}, kept when {@code d} is written out and dropped. */
    public static SaFacts facts(SaDiagnosis d) {
        return new SaFacts(d);
    }

    /** Captures at both peers: a message in one file that the other, covering the same time, lacks. */
    public static void lostBetweenCapturePoints(List<SaDiagnosis> all, org.vpnsleuth.track.Tracker t) {
        if (t.files().size() < 2) {
            return;
        }
        // captures at both peers: a message in one file that the other, covering the same time, lacks
        for (SaDiagnosis d : all) {
            int said = 0;
            for (IkeMessage m : d.sa.messages) {
                if (m.retransmissionOf != null && m.retransmissionOf.alsoSeen.contains(m.at)) {
                    continue; // the other file's copy of a message
                }
                for (int file = 0; file < t.files().size() && said < 10; file++) {
                    final int g = file;
                    long[] span = t.fileSpan(g);
                    boolean covered = span[0] < m.at.nanos() && m.at.nanos() < span[1];
                    boolean there = m.at.file() == g || m.alsoSeen.stream().anyMatch(r -> r.file() == g);
                    if (covered && !there) {
                        d.notes.add(m.name + " (" + t.files().get(m.at.file()) + " frame " + m.at.frame() + ") is not in "
                                + t.files().get(g) + ", which was capturing at that time: lost between the capture points"
                                + " (or that capture does not see this path)");
                        said++;
                    }
                }
            }
        }
    }

    /**
     * A proposal refused by a responder that accepted a proposal in another SA of the capture: the
     * explanation names what it accepted there (the first two SAs, in report order, of the same
     * version and responder that chose a proposal).
     */
    private static void acceptedElsewhere(List<SaFacts> facts) {
        java.util.Map<String, List<SaFacts>> acceptedBy = new java.util.HashMap<>();
        for (SaFacts f : facts) {
            if (f.chosen != null && f.sa.responder != null) {
                List<SaFacts> l = acceptedBy.computeIfAbsent(f.sa.version + "|" + f.responderAddress(), k -> new ArrayList<>(2));
                if (l.size() < 2) {
                    l.add(f);
                }
            }
        }
        for (SaFacts f : facts) {
            if (f.mainCause != Cause.IKE_PROPOSAL_MISMATCH || f.sa.responder == null) {
                continue;
            }
            for (SaFacts o : acceptedBy.getOrDefault(f.sa.version + "|" + f.responderAddress(), List.of())) {
                if (o != f) {
                    String chosen = o.chosen;
                    FrameRef at = o.firstAt();
                    String from = o.initiatorAddress();
                    f.mainLowOnChild = false; // the main finding gets evidence no child has
                    f.edit(d -> {
                        Finding m = d.main;
                        List<Evidence> e = new ArrayList<>(m.evidence());
                        e.add(new Evidence(at, "another SA with this responder: accepted " + chosen));
                        Finding g = new Finding(m.cause(), m.confidence(), m.stoppedAt(), m.headline(), m.explanation()
                                + " The same responder accepted " + chosen + " from " + from + " in this capture.",
                                m.fix(), e, m.alternatives(), m.recovered());
                        d.findings.set(d.findings.indexOf(m), g);
                        d.main = g;
                    });
                    break;
                }
            }
        }
    }

    /**
     * Quick Modes by who started them, per peer pair: when they work as one peer starts them and
     * fail as the other does, the proxy IDs do not mirror.
     */
    private static void quickModeMirrors(List<SaFacts> facts) {
        java.util.Map<String, List<SaFacts.Child>> byPair = new java.util.LinkedHashMap<>();
        java.util.Map<SaFacts.Child, SaFacts> owner = new java.util.IdentityHashMap<>();
        for (SaFacts f : facts) {
            if (f.sa.version != 1 || f.children.length == 0) {
                continue; // an IKEv1 SA's facts hold its Quick Modes with their initiator
            }
            String a = f.initiatorAddress();
            String b = f.responderAddress();
            String pair = a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
            for (SaFacts.Child c : f.children) {
                byPair.computeIfAbsent(pair, k -> new ArrayList<>()).add(c);
                owner.put(c, f);
            }
        }
        for (List<SaFacts.Child> cs : byPair.values()) {
            java.util.Set<String> ok = new java.util.TreeSet<>();
            java.util.Set<String> bad = new java.util.TreeSet<>();
            for (SaFacts.Child c : cs) {
                (c.verdict == Verdict.ESTABLISHED ? ok : bad).add(c.initiatedBy);
            }
            for (SaFacts.Child c : cs) {
                if (c.verdict != Verdict.FAILED || ok.isEmpty() || ok.contains(c.initiatedBy)) {
                    continue;
                }
                SaFacts f = owner.get(c);
                String works = String.join(", ", ok);
                // more specific than the LOW "refused Quick Mode" finding of the same child: it leads
                boolean leads = f.mainLowOnChild && c.mainEvidence;
                if (leads) {
                    f.mainLowOnChild = false;
                }
                f.edit(c, (d, child) -> {
                    Finding mirror = finding(Cause.TS_MISMATCH, Confidence.MEDIUM, "QM1",
                            "Quick Mode works when " + works + " starts it and fails when " + child.initiatedBy
                                    + " does: the proxy IDs do not mirror",
                            "Each peer proposes its own view of the protected subnets. When only one direction works, the"
                                    + " responder accepts a narrower or wider set than it proposes itself (e.g. a host"
                                    + " route on one side, a subnet on the other, or an ACL that is not the mirror image"
                                    + " of the peer's).",
                            "Make the crypto ACL / local_ts and remote_ts exact mirror images on both peers.",
                            child.evidence, List.of(Cause.CHILD_PROPOSAL_MISMATCH));
                    d.findings.add(mirror);
                    if (leads) {
                        d.main = mirror;
                        child.cause = Cause.TS_MISMATCH;
                        child.confidence = Confidence.MEDIUM;
                    }
                });
            }
        }
    }

    /** NAT-T keepalives between two peers: a note on every SA of the pair. */
    private static void keepalives(FactsBySa factsBySa,
            java.util.Collection<org.vpnsleuth.track.Tracker.Keepalives> keepalives, org.vpnsleuth.track.PeerIndex peers) {
        for (org.vpnsleuth.track.Tracker.Keepalives k : keepalives) {
            List<org.vpnsleuth.track.IkeSa> pair = peers.between(k.src(), k.dst());
            if (pair.isEmpty()) {
                continue;
            }
            double span = (k.last().nanos() - k.first().nanos()) / 1e9;
            String note = String.format(java.util.Locale.ROOT, "NAT-T keepalives %s → %s: %d%s", k.src(), k.dst(),
                    k.count(), k.count() > 1 ? String.format(java.util.Locale.ROOT, ", every %.1f s", span / (k.count() - 1)) : "");
            for (org.vpnsleuth.track.IkeSa sa : pair) {
                SaFacts f = factsBySa.get(sa);
                if (f != null) {
                    f.note(note);
                }
            }
        }
    }

    /**
     * A second SA between the same peers while an established one is still in use (a rekey or a
     * second connection): for each SA, the first (in report order) established SA of the same
     * version and peers that started strictly before it and was last seen strictly after its start.
     * One sweep per peer pair in order of start time, with the SAs still up kept by report order.
     */
    private static void concurrent(FactsBySa factsBySa,
            org.vpnsleuth.track.PeerIndex peers) {
        for (var entry : peers.pairs().entrySet()) {
            String key = entry.getKey();
            List<org.vpnsleuth.track.IkeSa> pair = entry.getValue();
            if (pair.size() < 2) {
                continue;
            }
            java.util.Map<Integer, java.util.TreeMap<Long, SaFacts>> up = new java.util.HashMap<>();
            // {last seen, creation order, version} of the SAs that are up, earliest end first
            java.util.PriorityQueue<long[]> ends = new java.util.PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
            int i = 0;
            while (i < pair.size()) {
                long start = pair.get(i).firstNanos();
                int j = i;
                while (j < pair.size() && pair.get(j).firstNanos() == start) {
                    j++;
                }
                while (!ends.isEmpty() && ends.peek()[0] <= start) { // no longer up at this start
                    long[] e = ends.poll();
                    up.get((int) e[2]).remove(e[1]);
                }
                for (int k = i; k < j; k++) {
                    SaFacts d = factsBySa.get(pair.get(k));
                    if (d == null || d.rekeyedFrom != null || d.sa.initiator == null) {
                        continue;
                    }
                    String own = org.vpnsleuth.track.PeerIndex.key(d.initiatorAddress(), d.responderAddress());
                    if (!own.equals(key)) {
                        continue; // said in the sweep of its own peers' pair
                    }
                    java.util.TreeMap<Long, SaFacts> same = up.get(d.sa.version);
                    if (same != null && !same.isEmpty()) {
                        SaFacts o = same.firstEntry().getValue();
                        d.startedWhileUp(o); // the text made when applied: one small edit per SA kept to the end
                    }
                }
                for (int k = i; k < j; k++) {
                    SaFacts o = factsBySa.get(pair.get(k));
                    if (o != null && o.verdict == Verdict.ESTABLISHED) {
                        long last = o.lastNanos;
                        if (last > start) {
                            up.computeIfAbsent(o.sa.version, v -> new java.util.TreeMap<>()).put(o.sa.seq, o);
                            ends.add(new long[] {last, o.sa.seq, o.sa.version});
                        }
                    }
                }
                i = j;
            }
        }
    }

    // ------------------------------------------------------------------ shared helpers

    boolean nearEnd(long nanos) {
        return captureEnd - nanos < END_SLACK_NANOS;
    }

    static Evidence ev(IkeMessage m, String what) {
        return new Evidence(m.at, what);
    }

    static Evidence ev(FrameRef r, String what) {
        return new Evidence(r, what);
    }

    static Finding finding(Cause c, Confidence conf, String at, String headline, String explanation, String fix,
            List<Evidence> evidence, List<Cause> alternatives) {
        return new Finding(c, conf, at, headline, explanation, fix, List.copyOf(evidence), List.copyOf(alternatives), false);
    }

    static Finding recovered(Finding f) {
        return new Finding(f.cause(), f.confidence(), f.stoppedAt(), f.headline() + " (recovered)", f.explanation(),
                f.fix(), f.evidence(), f.alternatives(), true);
    }

    /** "sent 4 times over 9.1 s" for a retransmitted message, "" otherwise. */
    static String sentTimes(IkeMessage m) {
        if (m.retransmitted() == 0) {
            return "";
        }
        double span = (m.lastSentNanos() - m.at.nanos()) / 1e9;
        return String.format(" sent %d times over %.1f s", m.retransmitted() + 1, span);
    }

    /** Evidence for a message and each of its retransmissions. */
    static List<Evidence> withCopies(IkeMessage m, String what) {
        List<Evidence> l = new ArrayList<>();
        l.add(ev(m, what));
        for (IkeMessage c : m.retransmissions) {
            l.add(ev(c, what + " (retransmission)"));
        }
        return l;
    }

    /** ICMP errors about datagrams to the peer that did not answer, as evidence. */
    static List<Evidence> icmp(IkeSa sa, String unansweredPeer) {
        List<Evidence> l = new ArrayList<>();
        for (IcmpError e : sa.icmpErrors) {
            if (unansweredPeer.equals(e.quotedDst())) {
                l.add(new Evidence(e.at(), "ICMP " + e.what() + " from " + e.from() + " for a datagram to "
                        + e.quotedDst() + (e.quotedDstPort() > 0 ? " port " + e.quotedDstPort() : "")));
            }
        }
        return l;
    }

    /**
     * A request that got no answer: NO_RESPONSE (or CAPTURE_INCOMPLETE when the capture ends right
     * after it), with the retransmissions and any ICMP errors as evidence.
     */
    Finding noResponse(IkeSa sa, IkeMessage q, String at, String what) {
        List<Evidence> evidence = withCopies(q, at);
        List<Evidence> icmp = icmp(sa, q.dst.address());
        evidence.addAll(icmp);
        if (q.retransmitted() == 0 && nearEnd(q.at.nanos())) {
            return finding(Cause.CAPTURE_INCOMPLETE, Confidence.MEDIUM, at,
                    "the capture ends " + String.format("%.1f", (captureEnd - q.at.nanos()) / 1e9) + " s after " + at
                            + ", before any answer could be expected",
                    "The " + what + " was sent once, just before the capture ended: the answer may simply not have been captured.",
                    "Capture for longer (at least the peers' retransmission time).", evidence, List.of(Cause.NO_RESPONSE));
        }
        String why;
        String fix;
        if (!icmp.isEmpty()) {
            why = "The peer's side answered with ICMP errors: nothing listens there (IKE daemon down, wrong address) or a"
                    + " firewall rejects the port.";
            fix = "Check that the IKE daemon runs on " + q.dst.address() + " and listens on UDP " + q.dst.port()
                    + "; check firewalls and ACLs for UDP 500/4500 on the path.";
        } else {
            why = "Nothing came back from " + q.dst.address() + ". UDP " + q.dst.port() + " may be filtered on the way,"
                    + " the peer may be down or unreachable, or it may drop requests it does not like silently (some"
                    + " Cisco configurations drop an IKE proposal they cannot match without a notify).";
            fix = "Check reachability and UDP " + q.dst.port() + " on the path (ACLs, firewalls, NAT); capture on the"
                    + " responder to see whether the request arrives; compare the proposals with the responder's policy.";
        }
        return finding(Cause.NO_RESPONSE, q.retransmitted() >= 2 || !icmp.isEmpty() ? Confidence.HIGH : Confidence.MEDIUM,
                at, "no answer to " + at + sentTimes(q), why, fix, evidence, List.of());
    }

    // ------------------------------------------------------------------ child SAs and ESP

    private void children(IkeSa sa, SaDiagnosis d) {
        // flows linked to this SA: pair them by direction; ESP in one direction only is a finding
        List<EspFlow> out = new ArrayList<>();
        List<EspFlow> back = new ArrayList<>();
        for (EspFlow f : sa.flows) {
            (sa.isInitiator(f.src) ? out : back).add(f);
        }
        long outPackets = out.stream().mapToLong(f -> f.packets).sum();
        long backPackets = back.stream().mapToLong(f -> f.packets).sum();
        if (!sa.flows.isEmpty() && (outPackets == 0 || backPackets == 0)
                && Math.max(outPackets, backPackets) >= ONE_WAY_PACKETS) {
            List<EspFlow> one = outPackets == 0 ? back : out;
            EspFlow f = one.get(0);
            String from = outPackets == 0 ? "responder" : "initiator";
            List<Evidence> e = new ArrayList<>();
            for (EspFlow x : one) {
                e.add(new Evidence(x.first, x.protocol + " SPI " + x.spiHex() + " " + x.src + " → " + x.dst + ": "
                        + x.packets + " packets, first"));
                e.add(new Evidence(x.last(), x.protocol + " SPI " + x.spiHex() + ": last"));
            }
            d.findings.add(finding(Cause.ESP_ONE_WAY, Confidence.MEDIUM, "ESP",
                    "ESP only from the " + from + " (" + Math.max(outPackets, backPackets) + " packets, none back)",
                    "The " + from + " sends ESP (SPI " + f.spiHex() + ") but nothing comes back: the other peer does not"
                            + " decrypt it (wrong keys after a rekey, SA missing), drops the decrypted traffic (policy,"
                            + " routing, the inner service does not answer), or its ESP is filtered on the way back.",
                    "On the receiving peer check the SA counters (`show crypto ipsec sa`: decaps, errors; `swanctl"
                            + " --list-sas`), the routes and firewall for the inner traffic, and that ESP/UDP 4500 is"
                            + " allowed in the other direction.",
                    e, List.of()));
        }
        for (EspFlow f : sa.flows) {
            if (f.missing > 0 && f.packets >= ONE_WAY_PACKETS) {
                d.findings.add(finding(Cause.UNKNOWN, Confidence.LOW, "ESP",
                        f.protocol + " SPI " + f.spiHex() + ": " + f.missing + " sequence numbers missing of "
                                + (f.highestSeq - f.firstSeq + 1),
                        "Packets of this SA never reached the capture point (lost on the way, or captured after a drop).",
                        "Check for loss on the path; compare with the sender's counters.",
                        List.of(new Evidence(f.first, "first packet"), new Evidence(f.last(), "last packet")), List.of()));
            }
        }
        if (d.children.isEmpty() && !sa.flows.isEmpty()) {
            ChildSa c = new ChildSa("traffic");
            c.flows.addAll(sa.flows);
            c.verdict = outPackets > 0 && backPackets > 0 ? Verdict.ESTABLISHED : Verdict.INCOMPLETE;
            d.children.add(c);
        } else if (!d.children.isEmpty()) {
            // the flows belong to the established children; with several, to the last one before them
            ChildSa target = null;
            for (ChildSa c : d.children) {
                if (c.verdict == Verdict.ESTABLISHED) {
                    target = c;
                }
            }
            if (target == null) {
                target = d.children.get(d.children.size() - 1);
            }
            // a flow whose SPI a child's SA payloads named (read) belongs to that child
            List<EspFlow> unnamed = new ArrayList<>();
            for (EspFlow f : sa.flows) {
                ChildSa named = null;
                String spi = org.vpnsleuth.base.Bytes.hexPadded(f.spi, 8);
                for (ChildSa c : d.children) {
                    if (c.spis.contains(spi)) {
                        named = c;
                    }
                }
                if (named != null) {
                    named.flows.add(f);
                } else {
                    unnamed.add(f);
                }
            }
            target.flows.addAll(unnamed);
            if (target.verdict != Verdict.ESTABLISHED && outPackets > 0 && backPackets > 0 && !unnamed.isEmpty()) {
                target.verdict = Verdict.ESTABLISHED;
                target.detail = "ESP flows in both directions";
            }
        }
        for (ChildSa c : d.children) {
            if (c.verdict == Verdict.ESTABLISHED && !c.flows.isEmpty() && (outPackets == 0 || backPackets == 0)
                    && Math.max(outPackets, backPackets) >= ONE_WAY_PACKETS) {
                c.cause = Cause.ESP_ONE_WAY;
                c.confidence = Confidence.MEDIUM;
            }
        }
    }
}
