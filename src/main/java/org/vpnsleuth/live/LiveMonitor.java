package org.vpnsleuth.live;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.vpnsleuth.diagnose.ChildSa;
import org.vpnsleuth.diagnose.Confidence;
import org.vpnsleuth.diagnose.Diagnoser;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.Verdict;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.report.AnalysisText;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.IcmpError;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;
import org.vpnsleuth.track.Tracker;
import org.vpnsleuth.track.TrackerListener;

/**
 * Turns the tracker's changes into {@link LiveEvent}s: it listens while a frame is tracked, and
 * after the frame ({@link #afterFrame}) reads the state the frame left (decrypted facts included)
 * and says what changed. The verdict is the diagnoser's, run on the SA as the capture so far shows
 * it, the same rules as {@code analyze}. {@link #tick} is called about once a second with the
 * current time: verdicts that only time decides (no answer), ESP flows that stopped, and the
 * eviction of idle state. No protocol rule lives here: roles, exchanges and retransmissions are the
 * tracker's, verdicts and child SAs the diagnoser's.
 */
public final class LiveMonitor implements TrackerListener {
    /** Default: an ESP/AH flow silent this long has stopped. */
    public static final long DEFAULT_FLOW_IDLE_NANOS = 10_000_000_000L;
    /** Default: IKE SAs, flows and tunnels silent this long are forgotten (docs/live.md, "Bounded state"). */
    public static final long DEFAULT_IDLE_TIMEOUT_NANOS = 600_000_000_000L;
    /**
     * An SA is diagnosed at most once per this much capture time: a burst of its messages (a
     * retransmission storm, many SAs at once) gives one diagnosis, the rest wait for the next frame
     * or tick after it (docs/performance.md: the diagnosis per IKE message was a fifth of the time).
     */
    static final long COALESCE_NANOS = 100_000_000L;
    /** SAs with a frame this recent are diagnosed again on each tick (time alone may change their verdict). */
    static final long RECHECK_NANOS = 120_000_000_000L;
    static final long EVICT_EVERY_NANOS = 10_000_000_000L;
    /** A verdict that rests on silence is said after this much of it (the diagnoser's end-of-capture slack). */
    public static final long SETTLE_NANOS = 3_000_000_000L;
    /** ... and after this much for a low-confidence one ("an INFORMATIONAL exchange, then silence"). */
    public static final long SETTLE_LOW_NANOS = 60_000_000_000L;

    private final Tracker tracker;
    private final Consumer<LiveEvent> sink;
    private final Supplier<KeyMaterial> keys;
    private final long flowIdleNanos;
    private final long idleTimeoutNanos;

    /** Per SA: what was said already. */
    private static final class SaState {
        String verdictKey;
        final Set<String> childrenUp = new LinkedHashSet<>();
        /** IKEv2: message IDs of empty INFORMATIONAL requests (liveness checks) not answered yet. */
        final Set<Long> dpdPending = new LinkedHashSet<>();
        /** Capture time of the last diagnosis. */
        long diagnosedAt = Long.MIN_VALUE / 2;
    }

    /** SAs touched since their last diagnosis, waiting for {@link #COALESCE_NANOS} to pass. */
    private final Set<IkeSa> due = new LinkedHashSet<>();
    /**
     * No SA in {@link #due} is due before this capture time: between two frames nothing is scanned
     * (a copy of {@code due} on every frame was a tenth of the live analysis time with many SAs).
     */
    private long nextDue = Long.MAX_VALUE;
    private final List<IkeSa> dueNow = new ArrayList<>();

    /** Diagnoses every SA still waiting (the capture ends: their verdicts are said before the report). */
    public void flush(long now) {
        for (IkeSa sa : new ArrayList<>(due)) {
            if (states.containsKey(sa)) {
                verdict(sa, now);
            }
        }
        due.clear();
        nextDue = Long.MAX_VALUE;
    }

    private void addDue(IkeSa sa, SaState st) {
        due.add(sa);
        nextDue = Math.min(nextDue, st.diagnosedAt + COALESCE_NANOS);
    }

    /** Diagnoses the SAs whose wait is over. */
    private void diagnoseDue(long now) {
        if (due.isEmpty() || now < nextDue) {
            return;
        }
        long next = Long.MAX_VALUE;
        for (java.util.Iterator<IkeSa> it = due.iterator(); it.hasNext(); ) {
            IkeSa sa = it.next();
            SaState st = states.get(sa);
            if (st == null) {
                it.remove();
            } else if (now - st.diagnosedAt >= COALESCE_NANOS) {
                it.remove();
                dueNow.add(sa);
            } else {
                next = Math.min(next, st.diagnosedAt + COALESCE_NANOS);
            }
        }
        nextDue = next;
        try {
            for (IkeSa sa : dueNow) {
                verdict(sa, now);
            }
        } finally {
            dueNow.clear();
        }
    }

    private final Map<IkeSa, SaState> states = new IdentityHashMap<>();
    /** Filled while a frame is tracked. */
    private final Set<IkeSa> touched = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<IkeSa> opened = new ArrayList<>();
    private final List<IkeMessage> messages = new ArrayList<>();
    private final Map<IkeMessage, IkeSa> messageSa = new IdentityHashMap<>();
    private final List<EspFlow> newFlows = new ArrayList<>();
    private final List<IcmpError> icmp = new ArrayList<>();
    /** Flows said to have stopped, with the time of their last packet then. */
    private final Map<EspFlow, Long> stopped = new IdentityHashMap<>();
    private long lastEviction;
    private long events;

    public LiveMonitor(Tracker tracker, Consumer<LiveEvent> sink, Supplier<KeyMaterial> keys, long flowIdleNanos,
            long idleTimeoutNanos) {
        this.tracker = tracker;
        this.sink = sink;
        this.keys = keys;
        this.flowIdleNanos = flowIdleNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        tracker.listener(this);
    }

    public long events() {
        return events;
    }

    private void emit(LiveEvent e) {
        events++;
        sink.accept(e);
    }

    // ------------------------------------------------------------------ TrackerListener

    @Override
    public void ikeSaOpened(IkeSa sa) {
        opened.add(sa);
    }

    @Override
    public void ikeMessage(IkeSa sa, IkeMessage m) {
        touched.add(sa);
        if (messageSa.put(m, sa) == null) {
            messages.add(m);
        }
    }

    @Override
    public void ikeDecrypted(IkeSa sa, IkeMessage m) {
        ikeMessage(sa, m);
    }

    @Override
    public void flowOpened(EspFlow f) {
        newFlows.add(f);
    }

    @Override
    public void icmpError(IcmpError e) {
        icmp.add(e);
    }

    // ------------------------------------------------------------------ after each frame

    /** What the frame just tracked changed; {@code now} is its capture time. */
    public void afterFrame(long now) {
        diagnoseDue(now); // what waited is said before what this frame brings
        if (opened.isEmpty() && messages.isEmpty() && newFlows.isEmpty() && icmp.isEmpty()) {
            return;
        }
        try {
            for (IkeSa sa : opened) {
                states.computeIfAbsent(sa, k -> new SaState());
                IkeMessage first = sa.messages.isEmpty() ? null : sa.messages.get(0);
                emit(sa(new LiveEvent(LiveEvent.Kind.IKE_SA_NEW, now, label(sa) + ": new IKE SA, initiator "
                        + sa.initiator + (sa.rolesGuessed ? " (roles guessed)" : "") + ", responder " + sa.responder
                        + (first != null ? ", " + first.exchangeName : "")), sa, first));
            }
            for (IkeMessage m : messages) {
                message(messageSa.get(m), m, now);
            }
            for (IcmpError x : icmp) {
                tracker.linkNow(x);
                for (IkeSa sa : tracker.ikeSas()) {
                    if (sa.icmpErrors.contains(x)) {
                        touched.add(sa);
                    }
                }
            }
            for (EspFlow f : newFlows) {
                IkeSa sa = tracker.linkNow(f);
                if (sa != null) {
                    touched.add(sa);
                }
            }
            for (IkeSa sa : touched) {
                SaState st = states.computeIfAbsent(sa, k -> new SaState());
                if (now - st.diagnosedAt >= COALESCE_NANOS) {
                    verdict(sa, now);
                } else {
                    addDue(sa, st);
                }
            }
            for (EspFlow f : newFlows) {
                IkeSa sa = tracker.owner(f);
                LiveEvent e = new LiveEvent(LiveEvent.Kind.ESP_FLOW_STARTED, now, f.protocol + " SPI " + f.spiHex() + " "
                        + f.src + " → " + f.dst + (f.udp ? " (UDP " + f.srcPort + "→" + f.dstPort + ")" : "")
                        + " started" + (sa != null ? ", " + label(sa) : ", no IKE SA seen for these peers"));
                flowFields(e, f);
                if (sa != null) {
                    sa(e, sa, null);
                }
                emit(e);
            }
            for (IcmpError x : icmp) {
                emit(new LiveEvent(LiveEvent.Kind.ICMP_ERROR, now, "ICMP " + x.what() + " from " + x.from() + " about "
                        + x.quotedSrc() + " → " + x.quotedDst() + (x.quotedDstPort() > 0 ? " port " + x.quotedDstPort() : "")
                        + (x.mtu() > 0 ? ", MTU " + x.mtu() : ""))
                        .with("frame", x.at().frame()).with("from", x.from()).with("what", x.what())
                        .with("quotedSrc", x.quotedSrc()).with("quotedDst", x.quotedDst())
                        .with("quotedDstPort", x.quotedDstPort()).with("mtu", x.mtu() > 0 ? (Object) (long) x.mtu() : null));
            }
        } finally {
            opened.clear();
            messages.clear();
            messageSa.clear();
            touched.clear();
            newFlows.clear();
            icmp.clear();
        }
    }

    private void message(IkeSa sa, IkeMessage m, long now) {
        String dir = Boolean.TRUE.equals(m.fromInitiator) ? "I→R" : "R→I";
        String name = m.name != null ? m.name : m.exchangeName;
        String route = m.src + " → " + m.dst;
        if (m.retransmissionOf != null) {
            IkeMessage o = m.retransmissionOf;
            emit(sa(new LiveEvent(LiveEvent.Kind.RETRANSMISSION, now, label(sa) + ": " + name + " " + dir + " sent again ("
                    + (o.retransmitted() + 1) + " copies, first frame " + o.at.frame() + ", "
                    + String.format(Locale.ROOT, "%.1f", (m.at.nanos() - o.at.nanos()) / 1e9) + " s later)"), sa, m)
                    .with("copies", (long) o.retransmitted() + 1).with("firstFrame", o.at.frame()));
            return;
        }
        String payloads = m.decryptedPayloads != null ? m.payloads + " → " + m.decryptedPayloads : m.payloads;
        emit(sa(new LiveEvent(LiveEvent.Kind.EXCHANGE, now, label(sa) + ": " + name + " " + dir + " " + route + " "
                + payloads), sa, m).with("payloads", m.payloads).with("decryptedPayloads", m.decryptedPayloads));
        if (m.hasNotify("R-U-THERE") || m.hasNotify("R-U-THERE-ACK")) {
            boolean ack = m.hasNotify("R-U-THERE-ACK");
            emit(sa(new LiveEvent(LiveEvent.Kind.DPD, now, label(sa) + ": dead peer detection " + (ack ? "R-U-THERE-ACK" : "R-U-THERE")
                    + " from " + m.src.address()), sa, m).with("dpd", ack ? "ack" : "request"));
        } else if (m.version == 2 && "INFORMATIONAL".equals(m.exchangeName) && m.deletes.isEmpty() && m.notifies.isEmpty()
                && emptyV2(m) && dpdStep(sa, m)) {
            emit(sa(new LiveEvent(LiveEvent.Kind.DPD, now, label(sa) + ": liveness check (empty INFORMATIONAL "
                    + (m.response ? "response" : "request") + ") from " + m.src.address()), sa, m)
                    .with("dpd", m.response ? "ack" : "request"));
        }
        if (!m.deletes.isEmpty()) {
            emit(sa(new LiveEvent(LiveEvent.Kind.DELETE, now, label(sa) + ": Delete " + String.join(", ", m.deletes) + " from "
                    + m.src.address()), sa, m).with("deletes", String.join(", ", m.deletes)));
        }
    }

    /** An empty IKEv2 INFORMATIONAL is a liveness check when it is a request, or answers one (not a Delete). */
    private boolean dpdStep(IkeSa sa, IkeMessage m) {
        SaState st = states.computeIfAbsent(sa, k -> new SaState());
        if (!m.response) {
            if (st.dpdPending.size() > 64) {
                st.dpdPending.clear();
            }
            st.dpdPending.add(m.messageId);
            return true;
        }
        return st.dpdPending.remove(m.messageId);
    }

    /** An IKEv2 message with nothing inside its SK payload: decrypted and empty, or too small to hold a payload. */
    private static boolean emptyV2(IkeMessage m) {
        if (m.decryptedWith != null) {
            String p = m.decryptedPayloads == null ? "" : m.decryptedPayloads.replaceAll("[\\[\\]\\s]", "");
            return p.isEmpty();
        }
        return m.encrypted && m.ciphertextLength >= 0 && m.ciphertextLength <= 16;
    }

    /**
     * Diagnoses {@code sa} as the capture shows it at {@code now}; says a new verdict and new child
     * SAs. A verdict is said at once when it is sure: a clean success, a high-confidence finding,
     * or the peers themselves retransmitting. Otherwise (it rests on what has not happened yet, like
     * an answer not seen) it is said only once the SA has been quiet for {@link #SETTLE_NANOS}
     * ({@link #SETTLE_LOW_NANOS} for a low-confidence finding), so that an answer in flight does not
     * flip the verdict back and forth.
     */
    private SaDiagnosis verdict(IkeSa sa, long now) {
        SaState st = states.computeIfAbsent(sa, k -> new SaState());
        st.diagnosedAt = now;
        due.remove(sa);
        Diagnoser dg = new Diagnoser(tracker.firstNanos(), Math.max(now, tracker.lastNanos()));
        KeyMaterial k = keys.get();
        if (k != null) {
            dg.keys(k);
        }
        SaDiagnosis d = dg.diagnoseSafely(sa);
        // a clean success is one verdict, whichever step (QM3, CREATE_CHILD_SA) it has reached
        String key = d.verdict + "|" + (d.verdict == Verdict.ESTABLISHED && d.main == null ? "" : d.stoppedAt) + "|" + d.cause();
        IkeMessage last = sa.messages.isEmpty() ? null : sa.messages.get(sa.messages.size() - 1);
        // a clean success is sure the first time; back to clean after a finding (a Delete answered,
        // a DPD answered) only once things have settled
        boolean wasEstablished = st.verdictKey != null && st.verdictKey.startsWith(Verdict.ESTABLISHED.name());
        boolean sure = d.verdict == Verdict.ESTABLISHED && d.main == null && !wasEstablished
                || d.verdict != Verdict.INCOMPLETE && d.confidence() == Confidence.HIGH
                || d.verdict != Verdict.INCOMPLETE && last != null && last.retransmissionOf != null;
        long quiet = now - sa.lastSeenNanos;
        boolean settled = sure || quiet >= (d.confidence() == Confidence.LOW ? SETTLE_LOW_NANOS : SETTLE_NANOS);
        if (!key.equals(st.verdictKey) && settled) {
            st.verdictKey = key;
            LiveEvent e = sa(new LiveEvent(LiveEvent.Kind.VERDICT, now, AnalysisText.headline(d)
                    + (d.main != null ? ": " + d.main.headline() : "")), sa, null)
                    .with("verdict", d.verdict.name()).with("stoppedAt", d.stoppedAt)
                    .with("cause", d.cause() == null ? null : d.cause().name())
                    .with("confidence", d.confidence() == null ? null : d.confidence().name().toLowerCase(Locale.ROOT))
                    .with("headline", d.main == null ? null : d.main.headline())
                    .with("fix", d.main == null ? null : d.main.fix());
            if (d.main != null && !d.main.evidence().isEmpty()) {
                StringBuilder fr = new StringBuilder();
                d.main.evidence().forEach(ev -> fr.append(fr.length() > 0 ? "," : "").append(ev.at().frame()));
                e.with("evidenceFrames", fr.toString());
            }
            emit(e);
        }
        for (ChildSa c : d.children) {
            if (c.verdict == Verdict.ESTABLISHED && st.childrenUp.add(c.name)) {
                emit(sa(new LiveEvent(LiveEvent.Kind.CHILD_SA_UP, now, label(sa) + ": child SA " + c.name + " up"
                        + (c.detail != null ? " (" + c.detail + ")" : "")), sa, null).with("child", c.name));
            }
        }
        return d;
    }

    // ------------------------------------------------------------------ about once a second

    /** Time-driven changes at {@code now} (wall clock, or the last frame's time when replaying a file). */
    public void tick(long now) {
        for (IkeSa sa : new ArrayList<>(tracker.ikeSas())) {
            if (now - sa.lastSeenNanos < RECHECK_NANOS) {
                verdict(sa, now);
            }
        }
        for (EspFlow f : tracker.flows()) {
            if (f.first == null) {
                continue;
            }
            Long at = stopped.get(f);
            if (at == null && now - f.lastNanos() > flowIdleNanos) {
                stopped.put(f, f.lastNanos());
                IkeSa sa = tracker.owner(f);
                LiveEvent e = new LiveEvent(LiveEvent.Kind.ESP_FLOW_STOPPED, now, f.protocol + " SPI " + f.spiHex() + " "
                        + f.src + " → " + f.dst + " stopped: nothing for " + (now - f.lastNanos()) / 1_000_000_000L
                        + " s after " + f.packets + " packets, " + f.bytes + " bytes"
                        + (f.missing > 0 ? ", " + f.missing + " sequence numbers missing" : ""));
                flowFields(e, f);
                if (sa != null) {
                    sa(e, sa, null);
                }
                emit(e);
            } else if (at != null && f.lastNanos() > at) {
                stopped.remove(f);
                LiveEvent e = new LiveEvent(LiveEvent.Kind.ESP_FLOW_RESUMED, now, f.protocol + " SPI " + f.spiHex() + " "
                        + f.src + " → " + f.dst + " resumed");
                flowFields(e, f);
                emit(e);
            }
        }
        if (now - lastEviction >= EVICT_EVERY_NANOS) {
            lastEviction = now;
            evict(now - idleTimeoutNanos, now);
        }
    }

    /** Forgets what was last seen before {@code cutoff}; each IKE SA's last verdict is said as it goes. */
    public void evict(long cutoff, long now) {
        Tracker.Evicted gone = tracker.evictIdle(cutoff);
        for (IkeSa sa : gone.sas()) {
            Diagnoser dg = new Diagnoser(tracker.firstNanos(), now);
            KeyMaterial k = keys.get();
            if (k != null) {
                dg.keys(k);
            }
            SaDiagnosis d = dg.diagnoseSafely(sa);
            emit(sa(new LiveEvent(LiveEvent.Kind.IKE_SA_EVICTED, now, AnalysisText.headline(d) + " — idle for "
                    + (now - sa.lastSeenNanos) / 1_000_000_000L + " s, forgotten (" + sa.messages.size() + " messages)"), sa, null)
                    .with("verdict", d.verdict.name()).with("cause", d.cause() == null ? null : d.cause().name()));
            states.remove(sa);
            due.remove(sa);
        }
        for (EspFlow f : gone.flows()) {
            stopped.remove(f);
        }
    }

    /** IKE SAs and flows the monitor remembers something about (for the bounded-state test). */
    int remembered() {
        return states.size() + stopped.size();
    }

    // ------------------------------------------------------------------ helpers

    static String label(IkeSa sa) {
        return "IKEv" + sa.version + " " + (sa.initiator != null ? sa.initiator.address() : "?") + " ⇄ "
                + (sa.responder != null ? sa.responder.address() : "?") + " " + hex16(sa.spiI);
    }

    /** {@code String.format("%016x", v)} without the Formatter (three per event). */
    static String hex16(long v) {
        String h = Long.toHexString(v);
        return h.length() == 16 ? h : "0000000000000000".substring(h.length()) + h;
    }

    private static LiveEvent sa(LiveEvent e, IkeSa sa, IkeMessage m) {
        e.with("ikeVersion", (long) sa.version).with("spiI", hex16(sa.spiI))
                .with("spiR", hex16(sa.spiR))
                .with("initiator", sa.initiator == null ? null : sa.initiator.toString())
                .with("responder", sa.responder == null ? null : sa.responder.toString());
        if (m != null) {
            e.with("frame", m.at.frame()).with("message", m.name).with("exchange", m.exchangeName)
                    .with("messageId", m.messageId).with("fromInitiator", m.fromInitiator)
                    .with("src", m.src.toString()).with("dst", m.dst.toString());
        }
        return e;
    }

    private static void flowFields(LiveEvent e, EspFlow f) {
        e.with("protocol", f.protocol).with("spi", f.spiHex()).with("src", f.src).with("dst", f.dst)
                .with("udp", f.udp).with("packets", f.packets).with("bytes", f.bytes)
                .with("firstFrame", f.first == null ? null : (Object) f.first.frame())
                .with("lastFrame", f.first == null ? null : (Object) f.last().frame());
    }
}
