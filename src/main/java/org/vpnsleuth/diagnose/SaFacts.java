package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IkeSa;

/**
 * What the rules across SAs ({@link Diagnoser#across}) read of one diagnosed IKE SA, and the
 * edits they decide for it. The rules decide on these facts alone and record each change to the
 * SA's diagnosis as an edit, applied in the order the rules decided them ({@link #apply}): the
 * diagnosis itself can then be written out and dropped while the capture is still being read, with
 * only these facts kept until the end (issue 12's bounded memory; docs/performance.md, "The design
 * worked out for dropping what is over").
 *
 * <p>The facts mirror every field a rule reads that an earlier rule may change (the verdict a rekey
 * sets, the link a rekey claims), so a rule decides on the same state as when the rules edited the
 * diagnoses in place.
 */
public final class SaFacts {
    /** The SA's identity and scalar fields; its message lists are not read by the rules that use facts. */
    final IkeSa sa;
    final long firstNanos;
    final long lastNanos;
    Verdict verdict;
    /** The cause and confidence of the main finding (null when none). */
    Cause mainCause;
    /** The transforms the SA chose (null when none) and where its first message was. */
    final String chosen;
    final FrameRef firstAt;
    /** The SA a rekey created this one from (set by the rekey rule). */
    SaFacts rekeyedFrom;
    /** IKEv2: the answered CREATE_CHILD_SA exchanges, in order (an IKE SA rekey is one of them). */
    final List<CreateChildSa> createChildSas;
    /** IKEv2: the time of the request of the last exchange when it is an INFORMATIONAL (a Delete after a rekey), else MIN_VALUE. */
    final long lastInformationalNanos;
    /** It has messages and none of an IKE_SA_INIT: it may have been created by a rekey. */
    final boolean beganWithoutInit;
    /** REDIRECTED_FROM's gateway and the first message carrying it (the client's IKE_SA_INIT to the new gateway). */
    final String redirectedFromGateway;
    final FrameRef redirectedFromAt;
    final String redirectedFromTo;
    /** IKEv2, as {file, frame, nanos} triples: the messages not sent by the initiator (the gateway's), and which were encrypted. */
    final long[] gatewayMessages;
    final java.util.BitSet gatewayEncrypted;
    /** Deletes of child SPIs read in this SA for children that are not its own (moved here by a rekey). */
    final List<SaDiagnosis.ChildDelete> unmatchedDeletes;

    /** True when {@code spi} (as a Delete names it) is one of child {@code c}'s: its SA payloads' or its flows'. */
    static boolean owns(Child c, String spi) {
        for (String x : c.spis) {
            if (x.equals(spi)) {
                return true;
            }
        }
        for (long f : c.flowSpis) {
            if (org.vpnsleuth.base.Bytes.hexPadded(f, 8).equals(spi)) {
                return true;
            }
        }
        return false;
    }

    /** An answered CREATE_CHILD_SA: its name, frames, the response's time, the new IKE SPI when readable. */
    record CreateChildSa(long messageId, long requestFrame, long responseFrame, long responseNanos, String ikeRekeySpi,
            boolean requestDecrypted) {
        /** The child SA's name in the diagnosis (ChildSa.name). */
        String name() {
            return "CREATE_CHILD_SA mid " + messageId;
        }
    }
    /** The changes decided for this SA's diagnosis, in order; each gets the children as they were when the facts were taken. */
    private final List<java.util.function.BiConsumer<SaDiagnosis, List<ChildSa>>> edits = new ArrayList<>(0);
    /** The child SAs a rule reads (IKEv1 Quick Modes with their initiator; every child of an IKEv2 SA), by position. */
    final List<Child> children;
    /** The main finding is LOW and its evidence is that of a child (a refused Quick Mode): a more specific finding may lead. */
    boolean mainLowOnChild;

    /** What the rules read of one child SA, {@code index} its position in the diagnosis' children. */
    static final class Child {
        final int index;
        final String name;
        final String initiatedBy;
        Verdict verdict;
        final boolean mainEvidence;
        /** Not marked deleted yet (its state is null), and not removed by a rekey. */
        boolean open;
        /** The SPIs it owns: its SA payloads' and its flows' (IKEv2 children only; empty otherwise). */
        /** Its SA payloads' SPIs, and its flows' (as numbers: compared only for a Delete read elsewhere). */
        final String[] spis;
        final long[] flowSpis;

        Child(int index, ChildSa c, boolean mainEvidence, boolean withSpis) {
            this.index = index;
            this.name = c.name;
            this.initiatedBy = c.initiatedBy;
            this.verdict = c.verdict;
            this.mainEvidence = mainEvidence;
            this.open = c.state == null;
            if (withSpis) {
                this.spis = c.spis.toArray(new String[0]);
                this.flowSpis = new long[c.flows.size()];
                for (int i = 0; i < flowSpis.length; i++) {
                    flowSpis[i] = c.flows.get(i).spi;
                }
            } else {
                this.spis = new String[0];
                this.flowSpis = new long[0];
            }
        }
    }

    SaFacts(SaDiagnosis d) {
        this.sa = d.sa;
        this.firstNanos = d.sa.firstNanos();
        this.lastNanos = d.sa.lastNanos();
        this.verdict = d.verdict;
        this.mainCause = d.main == null ? null : d.main.cause();
        this.chosen = d.chosen;
        this.firstAt = d.sa.messages.isEmpty() ? null : d.sa.messages.get(0).at;
        List<Child> kids = new ArrayList<>(0);
        boolean low = d.main != null && d.main.confidence() == Confidence.LOW;
        if (d.sa.version == 1 && d.sa.initiator != null) {
            for (int i = 0; i < d.children.size(); i++) {
                ChildSa c = d.children.get(i);
                if (c.initiatedBy != null) {
                    kids.add(new Child(i, c, low && d.main.evidence().equals(c.evidence), false));
                }
            }
        } else if (d.sa.version == 2) {
            for (int i = 0; i < d.children.size(); i++) {
                kids.add(new Child(i, d.children.get(i), false, true));
            }
        }
        this.children = kids;
        this.mainLowOnChild = low;
        List<CreateChildSa> ccs = new ArrayList<>(0);
        long lastInfo = Long.MIN_VALUE;
        boolean init = false;
        long[] gw = new long[0];
        java.util.BitSet enc = new java.util.BitSet();
        if (d.sa.version == 2) {
            for (org.vpnsleuth.track.IkeExchange e : d.sa.exchanges) {
                org.vpnsleuth.track.IkeMessage q = e.request();
                org.vpnsleuth.track.IkeMessage r = e.response();
                init |= e.kind.equals("IKE_SA_INIT");
                if (e.kind.equals("CREATE_CHILD_SA") && q != null && r != null) {
                    ccs.add(new CreateChildSa(e.messageId, q.at.frame(), r.at.frame(), r.at.nanos(),
                            q.ikeRekeySpi, q.decryptedWith != null));
                }
            }
            if (!d.sa.exchanges.isEmpty()) {
                org.vpnsleuth.track.IkeExchange last = d.sa.exchanges.get(d.sa.exchanges.size() - 1);
                if (last.kind.equals("INFORMATIONAL") && last.request() != null) {
                    lastInfo = last.request().at.nanos();
                }
            }
            int n = 0;
            for (org.vpnsleuth.track.IkeMessage m : d.sa.messages) {
                if (!Boolean.TRUE.equals(m.fromInitiator)) {
                    n++;
                }
            }
            gw = new long[3 * n];
            int k = 0;
            for (org.vpnsleuth.track.IkeMessage m : d.sa.messages) {
                if (!Boolean.TRUE.equals(m.fromInitiator)) {
                    gw[3 * k] = m.at.file();
                    gw[3 * k + 1] = m.at.frame();
                    gw[3 * k + 2] = m.at.nanos();
                    enc.set(k, m.encrypted);
                    k++;
                }
            }
        }
        this.createChildSas = ccs;
        this.lastInformationalNanos = lastInfo;
        this.beganWithoutInit = !d.sa.messages.isEmpty() && !init;
        this.gatewayMessages = gw;
        this.gatewayEncrypted = enc;
        this.redirectedFromGateway = d.redirectedFromGateway;
        org.vpnsleuth.track.IkeMessage rf = null;
        if (d.redirectedFromGateway != null) {
            for (org.vpnsleuth.track.IkeMessage m : d.sa.messages) {
                if (m.redirectedFrom != null) {
                    rf = m;
                    break;
                }
            }
        }
        this.redirectedFromAt = rf == null ? null : rf.at;
        this.redirectedFromTo = rf == null ? null : rf.dst.address();
        this.unmatchedDeletes = d.unmatchedDeletes.isEmpty() ? List.of() : List.copyOf(d.unmatchedDeletes);
    }

    /** The IKE SPIs of the SA (initiator's, responder's). */
    public long spiI() {
        return sa.spiI;
    }

    public long spiR() {
        return sa.spiR;
    }

    /** The SA's verdict once every rule across SAs has decided. */
    public Verdict verdict() {
        return verdict;
    }

    void edit(Consumer<SaDiagnosis> e) {
        edits.add((d, kids) -> e.accept(d));
    }

    /** An edit of child {@code c} (by its position when the facts were taken). */
    void edit(Child c, java.util.function.BiConsumer<SaDiagnosis, ChildSa> e) {
        edits.add((d, kids) -> e.accept(d, kids.get(c.index)));
    }

    void note(String text) {
        edits.add((d, kids) -> d.notes.add(text));
    }

    /**
     * Applies the decided edits to {@code d}, a copy of the diagnosis these facts were taken from
     * (the diagnosis itself, or a copy read back after it was written out: each copy gets them).
     */
    public void apply(SaDiagnosis d) {
        if (edits.isEmpty()) {
            return;
        }
        List<ChildSa> kids = List.copyOf(d.children);
        for (var e : edits) {
            e.accept(d, kids);
        }
    }

    String initiatorAddress() {
        return sa.initiator == null ? null : sa.initiator.address();
    }

    String responderAddress() {
        return sa.responder == null ? null : sa.responder.address();
    }
}
