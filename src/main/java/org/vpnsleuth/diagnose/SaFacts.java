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
final class SaFacts {
    /** The position of the SA in the report (creation order). */
    final int index;
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
    /** The changes decided for this SA's diagnosis, in order; each gets the children as they were when the facts were taken. */
    private final List<java.util.function.BiConsumer<SaDiagnosis, List<ChildSa>>> edits = new ArrayList<>(0);
    /** The child SAs a rule reads (IKEv1 Quick Modes with their initiator; every child of an IKEv2 SA), by position. */
    final List<Child> children;
    /** The main finding is LOW and its evidence is that of a child (a refused Quick Mode): a more specific finding may lead. */
    boolean mainLowOnChild;

    /** What the rules read of one child SA, {@code index} its position in the diagnosis' children. */
    static final class Child {
        final int index;
        final String initiatedBy;
        Verdict verdict;
        final boolean mainEvidence;

        Child(int index, ChildSa c, boolean mainEvidence) {
            this.index = index;
            this.initiatedBy = c.initiatedBy;
            this.verdict = c.verdict;
            this.mainEvidence = mainEvidence;
        }
    }

    SaFacts(int index, SaDiagnosis d) {
        this.index = index;
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
                    kids.add(new Child(i, c, low && d.main.evidence().equals(c.evidence)));
                }
            }
        }
        this.children = kids;
        this.mainLowOnChild = low;
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

    /** Applies the decided edits to {@code d} (the diagnosis these facts were taken from), once. */
    void apply(SaDiagnosis d) {
        if (edits.isEmpty()) {
            return;
        }
        List<ChildSa> kids = List.copyOf(d.children);
        for (var e : edits) {
            e.accept(d, kids);
        }
        edits.clear();
    }

    String initiatorAddress() {
        return sa.initiator == null ? null : sa.initiator.address();
    }

    String responderAddress() {
        return sa.responder == null ? null : sa.responder.address();
    }
}
