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
    /** Where its first message was (with {@link #firstNanos}); -1: it has none. */
    private final int firstFile;
    private final long firstFrame;
    /** The SA a rekey created this one from (set by the rekey rule). */
    SaFacts rekeyedFrom;
    /** IKEv2: the answered CREATE_CHILD_SA exchanges, in order (an IKE SA rekey is one of them). */
    final CreateChildSa[] createChildSas;
    /** IKEv2: the time of the request of the last exchange when it is an INFORMATIONAL (a Delete after a rekey), else MIN_VALUE. */
    final long lastInformationalNanos;
    /** It has messages and none of an IKE_SA_INIT: it may have been created by a rekey. */
    final boolean beganWithoutInit;
    /** REDIRECTED_FROM's gateway and the first message carrying it (the client's IKE_SA_INIT to the new gateway). */
    final String redirectedFromGateway;
    final FrameRef redirectedFromAt;
    final String redirectedFromTo;
    /** Deletes of child SPIs read in this SA for children that are not its own (moved here by a rekey). */
    final List<SaDiagnosis.ChildDelete> unmatchedDeletes;

    /** True when {@code spi} (as a Delete names it) is one of child {@code c}'s: its SA payloads' or its flows'. */
    static boolean owns(Child c, String spi) {
        Object k = spiKey(spi);
        for (long x : c.spiCodes) {
            if (k instanceof Long l && l == x) {
                return true;
            }
        }
        for (String x : c.spiTexts) {
            if (x.equals(spi)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An SPI's text (lowercase hex, as Delete payloads and {@link org.vpnsleuth.base.Bytes#hexPadded}
     * write it) packed in a long: its length in bits 56-59, its value below (never negative); the same
     * text gives the same number and different texts different numbers. -1 when the text does not fit
     * (more than 14 digits, or not lowercase hex): such an SPI is kept as text.
     */
    static long spiCode(String spi) {
        int n = spi.length();
        if (n == 0 || n > 14) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char ch = spi.charAt(i);
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return (long) n << 56 | v;
    }

    /** What an SPI is compared by: its {@link #spiCode} as a Long, or the text itself when it has none. */
    static Object spiKey(String spi) {
        long c = spiCode(spi);
        return c < 0 ? spi : (Object) c;
    }

    /** The code of the text {@code Bytes.hexPadded(spi, 8)} (a flow's SPI as a Delete would name it), or -1. */
    private static long flowSpiCode(long spi) {
        return spi >= 0 && spi <= 0xffffffffL ? 8L << 56 | spi : spiCode(org.vpnsleuth.base.Bytes.hexPadded(spi, 8));
    }

    /**
     * One copy of each short text that recurs across SAs (child names, peer addresses): a report of
     * a million SAs would otherwise keep a million copies of "CREATE_CHILD_SA mid 2". Bounded: past
     * {@link #SHARED_MAX} texts, a text is kept as it is.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> SHARED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SHARED_MAX = 4_096;

    static String shared(String s) {
        if (s == null) {
            return null;
        }
        String x = SHARED.get(s);
        if (x != null) {
            return x;
        }
        if (SHARED.size() >= SHARED_MAX) {
            return s;
        }
        x = SHARED.putIfAbsent(s, s);
        return x == null ? s : x;
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
    /**
     * None (null), one edit, or an {@code Object[]} of them in order (most SAs get one or two). An
     * edit is a {@code BiConsumer}, a {@code String} (a note to add: the keepalive note, one text for
     * a pair's SAs) or a {@link Concurrent}: kept this small because every SA of a gateway capture
     * gets them and they are kept to the end.
     */
    private Object edits;

    /** The edit "started while SA {@code up} of the same peers was up" (its text made when applied). */
    private record Concurrent(SaFacts up) {
    }
    /** The child SAs a rule reads (IKEv1 Quick Modes with their initiator; every child of an IKEv2 SA), by position. */
    final Child[] children;
    /** The main finding is LOW and its evidence is that of a child (a refused Quick Mode): a more specific finding may lead. */
    boolean mainLowOnChild;

    private static final long[] NO_CODES = new long[0];
    private static final Child[] NO_CHILDREN = new Child[0];
    private static final CreateChildSa[] NO_CREATE_CHILD_SAS = new CreateChildSa[0];
    private static final String[] NO_TEXTS = new String[0];

    /** What the rules read of one child SA, {@code index} its position in the diagnosis' children. */
    static final class Child {
        final int index;
        final String name;
        final String initiatedBy;
        Verdict verdict;
        final boolean mainEvidence;
        /** Not marked deleted yet (its state is null), and not removed by a rekey. */
        boolean open;
        /**
         * The SPIs it owns, its SA payloads' and its flows' (IKEv2 children only; empty otherwise), each
         * once: as {@link #spiCode}s, and the few that have none as text.
         */
        final long[] spiCodes;
        final String[] spiTexts;

        Child(int index, ChildSa c, boolean mainEvidence, boolean withSpis) {
            this.index = index;
            this.name = shared(c.name);
            this.initiatedBy = shared(c.initiatedBy);
            this.verdict = c.verdict;
            this.mainEvidence = mainEvidence;
            this.open = c.state == null;
            long[] codes = NO_CODES;
            String[] texts = NO_TEXTS;
            if (withSpis) {
                int n = 0;
                codes = new long[c.spis.size() + c.flows.size()];
                List<String> other = null;
                java.util.Iterator<String> it = c.spis.iterator();
                for (int i = 0; i < codes.length; i++) {
                    String text = it.hasNext() ? it.next() : null;
                    long spi = text == null ? c.flows.get(i - c.spis.size()).spi : 0;
                    long code = text != null ? spiCode(text) : flowSpiCode(spi);
                    if (code < 0) {
                        text = text != null ? text : org.vpnsleuth.base.Bytes.hexPadded(spi, 8);
                        if (other == null) {
                            other = new ArrayList<>(1);
                        }
                        if (!other.contains(text)) {
                            other.add(text);
                        }
                        continue;
                    }
                    boolean seen = false;
                    for (int k = 0; k < n && !seen; k++) {
                        seen = codes[k] == code;
                    }
                    if (!seen) {
                        codes[n++] = code;
                    }
                }
                codes = n == 0 ? NO_CODES : java.util.Arrays.copyOf(codes, n);
                texts = other == null ? NO_TEXTS : other.toArray(new String[0]);
            }
            this.spiCodes = codes;
            this.spiTexts = texts;
        }
    }

    SaFacts(SaDiagnosis d) {
        this.sa = d.sa;
        this.firstNanos = d.sa.firstNanos();
        this.lastNanos = d.sa.lastNanos();
        this.verdict = d.verdict;
        this.mainCause = d.main == null ? null : d.main.cause();
        this.chosen = shared(d.chosen);
        FrameRef first = d.sa.messages.isEmpty() ? null : d.sa.messages.get(0).at;
        this.firstFile = first == null ? -1 : first.file();
        this.firstFrame = first == null ? 0 : first.frame();
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
        this.children = kids.isEmpty() ? NO_CHILDREN : kids.toArray(new Child[0]);
        this.mainLowOnChild = low;
        List<CreateChildSa> ccs = new ArrayList<>(0);
        long lastInfo = Long.MIN_VALUE;
        boolean init = false;
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
        }
        this.createChildSas = ccs.isEmpty() ? NO_CREATE_CHILD_SAS : ccs.toArray(new CreateChildSa[0]);
        this.lastInformationalNanos = lastInfo;
        this.beganWithoutInit = !d.sa.messages.isEmpty() && !init;
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

    private void add(Object e) {
        if (edits == null) {
            edits = e;
        } else if (edits instanceof Object[] l) {
            Object[] m = java.util.Arrays.copyOf(l, l.length + 1);
            m[l.length] = e;
            edits = m;
        } else {
            edits = new Object[] {edits, e};
        }
    }

    void edit(Consumer<SaDiagnosis> e) {
        add((java.util.function.BiConsumer<SaDiagnosis, List<ChildSa>>) (d, kids) -> e.accept(d));
    }

    /** An edit of child {@code c} (by its position when the facts were taken). */
    void edit(Child c, java.util.function.BiConsumer<SaDiagnosis, ChildSa> e) {
        add((java.util.function.BiConsumer<SaDiagnosis, List<ChildSa>>) (d, kids) -> e.accept(d, kids.get(c.index)));
    }

    void note(String text) {
        add(java.util.Objects.requireNonNull(text));
    }

    /** The note that this SA started while SA {@code up} of the same peers was up (a rekey or a second connection). */
    void startedWhileUp(SaFacts up) {
        add(new Concurrent(up));
    }

    /**
     * Applies the decided edits to {@code d}, a copy of the diagnosis these facts were taken from
     * (the diagnosis itself, or a copy read back after it was written out: each copy gets them).
     */
    public void apply(SaDiagnosis d) {
        if (edits == null) {
            return;
        }
        List<ChildSa> kids = List.copyOf(d.children);
        if (edits instanceof Object[] l) {
            for (Object e : l) {
                apply(e, d, kids);
            }
        } else {
            apply(edits, d, kids);
        }
    }

    @SuppressWarnings("unchecked")
    private static void apply(Object e, SaDiagnosis d, List<ChildSa> kids) {
        if (e instanceof String note) {
            d.notes.add(note);
        } else if (e instanceof Concurrent c) {
            d.notes.add("started while the SA " + org.vpnsleuth.base.Bytes.hexPadded(c.up().sa.spiI, 16) + "/"
                    + org.vpnsleuth.base.Bytes.hexPadded(c.up().sa.spiR, 16) + " of the same peers was up: a rekey or a second connection");
        } else {
            ((java.util.function.BiConsumer<SaDiagnosis, List<ChildSa>>) e).accept(d, kids);
        }
    }

    /** Where its first message was; null when it has none. */
    FrameRef firstAt() {
        return firstFile < 0 ? null : new FrameRef(firstFile, firstFrame, firstNanos);
    }

    String initiatorAddress() {
        return sa.initiator == null ? null : sa.initiator.address();
    }

    String responderAddress() {
        return sa.responder == null ? null : sa.responder.address();
    }
}
