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
    /** The changes decided for this SA's diagnosis, in order. */
    private final List<Consumer<SaDiagnosis>> edits = new ArrayList<>(0);

    SaFacts(int index, SaDiagnosis d) {
        this.index = index;
        this.sa = d.sa;
        this.firstNanos = d.sa.firstNanos();
        this.lastNanos = d.sa.lastNanos();
        this.verdict = d.verdict;
        this.mainCause = d.main == null ? null : d.main.cause();
        this.chosen = d.chosen;
        this.firstAt = d.sa.messages.isEmpty() ? null : d.sa.messages.get(0).at;
    }

    void edit(Consumer<SaDiagnosis> e) {
        edits.add(e);
    }

    void note(String text) {
        edits.add(d -> d.notes.add(text));
    }

    /** Applies the decided edits to {@code d} (the diagnosis these facts were taken from), once. */
    void apply(SaDiagnosis d) {
        for (Consumer<SaDiagnosis> e : edits) {
            e.accept(d);
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
