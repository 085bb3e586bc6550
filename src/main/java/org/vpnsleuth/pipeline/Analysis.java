package org.vpnsleuth.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.base.Capped;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.CaptureWarning;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.diagnose.Diagnoser;
import org.vpnsleuth.diagnose.L2tpRules;
import org.vpnsleuth.diagnose.PptpRules;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SaFacts;
import org.vpnsleuth.pipeline.OverSas.Over;
import org.vpnsleuth.diagnose.TunnelDiagnosis;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.IkeSa;
import org.vpnsleuth.track.L2tpTunnel;
import org.vpnsleuth.track.PppSession;
import org.vpnsleuth.track.PptpControl;
import org.vpnsleuth.track.Tracker;

/**
 * The pipeline (read → decode → track → diagnose), shared by analyze, overhead FILE and live: the
 * whole analysis of one or more capture files: each file decoded by its own decoder, the
 * frames of all files merged by capture time into one tracker (captures taken at both peers tell
 * one story), then every IKE SA diagnosed. The result is the report model the renderers print.
 */
public final class Analysis {
    /** Incomplete IP datagrams (and IKEv1 fragmented messages) listed per file; the rest are counted ("and N more"). */
    static final int INCOMPLETE_LISTED = 20;

    /** One input file and what reading it said. */
    public record Input(String name, String format, long frames, List<String> warnings) {
    }

    public final List<Input> inputs = new ArrayList<>();
    public final SaList ikeSas = new SaList();
    /** Capture time between two looks for SAs that are over, at most (more often on a busy capture: every 4,096 frames). */
    private static final long ROUND_NANOS = 1_000_000_000L;
    /** The IKE SAs that were over before the capture ended, written out while reading: by creation order. */
    private final OverSas spilledBySeq = new OverSas();
    /** Diagnoses and writes out the SAs that are over, beside the thread that reads the capture. */
    private java.util.concurrent.ExecutorService writer;
    private final java.util.ArrayDeque<java.util.concurrent.Future<Over>> writing = new java.util.ArrayDeque<>();
    /** SAs handed to the writer and not written yet, at most (then reading waits: memory stays bounded). */
    private static final int WRITING_MAX = 2_048;

    private SaSpill spill;
    /** What the whole analysis could not do (limits reached), one sentence each with how to change it. */
    public final List<String> warnings = new ArrayList<>();
    /** ESP/AH flows that belong to no IKE SA of the capture. */
    public final List<EspFlow> unlinkedFlows = new ArrayList<>();
    public Tracker tracker;
    /** L2TP tunnels (sessions in {@code children}), PPTP connections (calls in {@code children}), PPP sessions carried by PPPoE or PPP links, and GRE flows. */
    public final List<TunnelDiagnosis> l2tp = new ArrayList<>();
    public final List<TunnelDiagnosis> pptp = new ArrayList<>();
    public final List<TunnelDiagnosis> pppSessions = new ArrayList<>();
    public final List<GreTunnel> greTunnels = new ArrayList<>();
    /** Overhead and MTU per encapsulation instance and direction (overhead/Measurements). */
    public List<org.vpnsleuth.overhead.Measured> overhead = new ArrayList<>();
    /** What the report is narrowed to ({@link Selection#describe}), or null: everything is reported. */
    public String selection;
    /** With a selection: the IKE SAs and the tunnels (L2TP, PPTP, PPP) of the whole capture. */
    public int ikeSasInCapture = -1;
    public int tunnelsInCapture = -1;

    /** Reads {@code files} (opened already, in the same order as {@code names}) and analyses them. */
    public static Analysis run(List<String> names, List<CaptureReader> readers, List<Integer> espPorts) {
        return run(names, readers, espPorts, d -> { });
    }

    /** As {@link #run(List, List, List)}, with {@code setup} applied to each file's decoder (key material). */
    public static Analysis run(List<String> names, List<CaptureReader> readers, List<Integer> espPorts,
            java.util.function.Consumer<Decoder> setup) {
        return run(names, readers, espPorts, setup, org.vpnsleuth.overhead.Measurements.Options.NONE);
    }

    /** As {@link #run(List, List, List, java.util.function.Consumer)}, with the overhead options of {@code overhead FILE} (--mtu, --esp). */
    public static Analysis run(List<String> names, List<CaptureReader> readers, List<Integer> espPorts,
            java.util.function.Consumer<Decoder> setup, org.vpnsleuth.overhead.Measurements.Options overheadOptions) {
        return run(names, readers, espPorts, setup, overheadOptions, org.vpnsleuth.capture.Progress.NONE);
    }

    /** As above, with a progress line for a long read ({@link org.vpnsleuth.capture.Progress}). */
    public static Analysis run(List<String> names, List<CaptureReader> readers, List<Integer> espPorts,
            java.util.function.Consumer<Decoder> setup, org.vpnsleuth.overhead.Measurements.Options overheadOptions,
            org.vpnsleuth.capture.Progress progress) {
        return run(names, readers, espPorts, setup, overheadOptions, progress, Tracker.Limits.DEFAULT);
    }

    /** As above, with the tracker's limits (--max-sas, --max-flows, --max-messages-per-sa). */
    public static Analysis run(List<String> names, List<CaptureReader> readers, List<Integer> espPorts,
            java.util.function.Consumer<Decoder> setup, org.vpnsleuth.overhead.Measurements.Options overheadOptions,
            org.vpnsleuth.capture.Progress progress, Tracker.Limits limits) {
        Analysis a = new Analysis();
        Tracker t = new Tracker(limits);
        a.tracker = t;
        int n = readers.size();
        Decoder[] decoders = new Decoder[n];
        long[] counts = new long[n];
        Packet packet = new Packet();
        for (int i = 0; i < n; i++) {
            t.addFile(names.get(i));
            decoders[i] = new Decoder();
            for (int port : espPorts) {
                decoders[i].udpPorts.addEspPort(port);
            }
            setup.accept(decoders[i]);
        }
        // one capture point: the SAs that are over are written out while reading (several points need every message to the end)
        boolean evict = limits.idleSeconds() > 0 && n == 1;
        if (evict) {
            t.reloader(a::reload);
            t.sizes().spiller(a.new SizesSpiller());
        }
        long idleNanos = limits.idleSeconds() * 1_000_000_000L;
        long lastRound = Long.MIN_VALUE / 2;
        List<Decoder> decoderList = java.util.Arrays.asList(decoders);
        // frames merged by capture time; read, and ESP opened ahead, on other threads (FrameFeed)
        try (FrameFeed feed = FrameFeed.open(readers, decoderList, Long.MAX_VALUE)) {
            while (feed.next()) {
                int next = feed.file();
                Frame frame = feed.frame();
                decoders[next].decode(frame, packet);
                if (evict) { // before the frame: what it brings for an SA already over reads that SA back
                    long now = frame.timestampNanos;
                    long since = now - lastRound;
                    if (since >= idleNanos / 8 || since >= ROUND_NANOS && (t.frames() & 0xfff) == 0) {
                        a.writeOutOver(t, decoderList, now);
                        lastRound = now;
                    }
                }
                t.add(packet, next);
                counts[next]++;
                if ((t.frames() & 0x3fff) == 0) {
                    progress.update(readers, t.frames());
                }
            }
        }
        progress.done();
        List<String> formats = new ArrayList<>();
        List<List<String>> warnings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            formats.add(readers.get(i).format());
            List<String> w = new ArrayList<>();
            for (CaptureWarning cw : readers.get(i).warnings()) {
                w.add(cw.toString());
            }
            warnings.add(w);
        }
        return complete(a, names, java.util.Arrays.asList(decoders), formats, counts, warnings, overheadOptions);
    }

    /**
     * The analysis of frames already decoded by {@code decoders} and tracked by {@code t} (file
     * analysis above, or a live capture when it stops): what the decoders never completed, then the
     * diagnosis of every IKE SA and tunnel. Call once, after the last frame.
     */
    public static Analysis complete(Tracker t, List<String> names, List<Decoder> decoders, List<String> formats,
            long[] counts, List<List<String>> warnings) {
        Analysis a = new Analysis();
        a.tracker = t;
        return complete(a, names, decoders, formats, counts, warnings, org.vpnsleuth.overhead.Measurements.Options.NONE);
    }

    private static Analysis complete(Analysis a, List<String> names, List<Decoder> decoders, List<String> formats,
            long[] counts, List<List<String>> warnings, org.vpnsleuth.overhead.Measurements.Options overheadOptions) {
        Tracker t = a.tracker;
        int n = decoders.size();
        for (int i = 0; i < n; i++) {
            Decoder d = decoders.get(i);
            t.finish(d, i);
            List<String> w = new ArrayList<>(warnings.get(i));
            IkeDecodeState.of(d).finish();
            // as dissect says them, but at most INCOMPLETE_LISTED of each kind per file: a report, not a frame listing
            String file = names.get(i) + ": ";
            Capped.add(w, Capped.prefixed("incomplete ", d.reassembly.incomplete()), d.reassembly.incompleteNotKept(),
                    INCOMPLETE_LISTED, file, "IP datagram(s) never reassembled (vpnsleuth dissect lists them)");
            Capped.add(w, Capped.prefixed("incomplete ", IkeDecodeState.of(d).incomplete()), IkeDecodeState.of(d).incompleteNotKept(), INCOMPLETE_LISTED, file,
                    "IKEv1 fragmented message(s) never reassembled (vpnsleuth dissect lists them)");
            if (IkeDecryption.summary(d) != null) {
                w.add("decryption: " + IkeDecryption.summary(d));
            }
            a.inputs.add(new Input(names.get(i), formats.get(i), counts[i], w));
        }
        t.link();
        a.warnings.addAll(t.limitWarnings());
        a.warnings.addAll(t.lateWarnings("--sa-idle-timeout"));
        Diagnoser dg = diagnoser(t, decoders);
        if (Boolean.getBoolean("vpnsleuth.spillEverySa") && !t.ikeSas().isEmpty() && t.files().size() < 2) {
            // a check of the written-out path (tools/compare-outputs.sh with this property): every SA goes through it
            List<IkeSa> all = new ArrayList<>(t.ikeSas());
            if (a.spill == null) {
                a.spill = new SaSpill();
            }
            t.drop(all);
            for (IkeSa sa : all) {
                a.spilledBySeq.put(sa.seq, java.util.concurrent.CompletableFuture.completedFuture(a.writeOut(dg, sa)));
                a.spilledBySeq.settle();
            }
            t.sizes().spiller(a.new SizesSpiller());
            t.sizes().drop(t.sizes().liveInstances()); // the encapsulations' sizes too
        }
        a.stopWriter();
        List<EspFlow> linked = new ArrayList<>();
        if (a.spilledBySeq.isEmpty()) {
            for (IkeSa sa : t.ikeSas()) {
                a.ikeSas.add(dg.diagnoseSafely(sa));
                linked.addAll(sa.flows);
            }
            Diagnoser.across(a.ikeSas, t);
        } else {
            // in creation order: the SAs written out while reading and those still held
            List<SaFacts> facts = new ArrayList<>();
            List<SaDiagnosis> held = new ArrayList<>();
            List<SaFacts> heldFacts = new ArrayList<>();
            long next = a.spilledBySeq.next(0);
            List<IkeSa> remaining = new ArrayList<>(t.ikeSas());
            remaining.sort(java.util.Comparator.comparingLong(x -> x.seq)); // an SA read back again comes last in the tracker
            for (IkeSa sa : remaining) {
                while (next >= 0 && next < sa.seq) {
                    a.addOver(a.spilledBySeq.remove(next), facts, held, heldFacts);
                    next = a.spilledBySeq.next(next + 1);
                }
                SaDiagnosis d = dg.diagnoseSafely(sa);
                SaFacts f = Diagnoser.facts(d);
                a.ikeSas.add(d);
                facts.add(f);
                held.add(d);
                heldFacts.add(f);
                linked.addAll(sa.flows);
            }
            while (next >= 0) {
                a.addOver(a.spilledBySeq.remove(next), facts, held, heldFacts);
                next = a.spilledBySeq.next(next + 1);
            }
            a.spilledBySeq.clear();
            Diagnoser.acrossFacts(facts, t.keepalives(), t.peers(), a.ikeSas::written);
            for (int i = 0; i < held.size(); i++) { // the written-out ones get theirs when read back (SaList)
                heldFacts.get(i).apply(held.get(i));
            }
        }
        java.util.Set<EspFlow> linkedSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        linkedSet.addAll(linked);
        for (EspFlow f : t.flows()) {
            if (!linkedSet.contains(f)) {
                a.unlinkedFlows.add(f);
            }
        }
        tunnels(a, t);
        a.overhead = org.vpnsleuth.overhead.Measurements.of(t.sizes(), espTransforms(decoders), t.icmpErrors(),
                overheadOptions);
        return a;
    }

    /**
     * The transforms of every ESP SA whose keys verified, then of every child SA a decrypted IKE
     * exchange negotiated (ike/IkeDecryption.negotiated), by "file|spi" (overhead/Measurements).
     */
    private static java.util.Map<String, org.vpnsleuth.overhead.Measurements.Transforms> espTransforms(List<Decoder> decoders) {
        java.util.Map<String, org.vpnsleuth.overhead.Measurements.Transforms> m = new java.util.HashMap<>();
        for (int i = 0; i < decoders.size(); i++) {
            if (decoders.get(i).esp == null) {
                continue;
            }
            for (var e : IkeDecodeState.of(decoders.get(i)).decryption().esp().verified().entrySet()) {
                org.vpnsleuth.crypto.EspDecryption.Sa sa = e.getValue();
                int bits = sa.encKey() == null ? 0 : Math.max(0, sa.encKey().length - sa.enc().saltLength()) * 8;
                m.put(i + "|" + e.getKey(), new org.vpnsleuth.overhead.Measurements.Transforms(sa.enc().ikev2Id(), bits,
                        sa.enc().aead() || sa.integ() == null ? 0 : sa.integ().ikev2Id(), "decrypted with keys from " + sa.source()));
            }
        }
        // the transforms a decrypted IKE exchange negotiated, for ESP whose keys did not verify (or were never derived)
        for (int i = 0; i < decoders.size(); i++) {
            org.vpnsleuth.ike.IkeDecryption ike = IkeDecodeState.of(decoders.get(i)).decryption();
            if (ike == null) {
                continue;
            }
            for (org.vpnsleuth.ike.IkeDecryption.Negotiated x : ike.negotiated().values()) {
                m.putIfAbsent(i + "|" + x.spi(), new org.vpnsleuth.overhead.Measurements.Transforms(x.encr(), x.keyBits(),
                        x.integ(), x.source()));
            }
        }
        return m;
    }

    /** Adds the SA over before the end {@code w} to the report in its place: held in memory, or to be read back. */
    private void addOver(Over w, List<SaFacts> facts, List<SaDiagnosis> held, List<SaFacts> heldFacts) {
        if (w.kept() != null) {
            ikeSas.add(w.kept());
            held.add(w.kept());
            heldFacts.add(w.facts());
        } else {
            ikeSas.addSpilled(spill, w.ref(), w.facts());
        }
        facts.add(w.facts());
    }

    /** SA {@code dropped}, written out while reading, read back whole (something of it came later). */
    private IkeSa reload(IkeSa dropped) {
        Over w = spilledBySeq.remove(dropped.seq);
        if (w == null) {
            throw new IllegalStateException("an IKE SA written out while reading is not in the temporary file");
        }
        if (w.kept() != null) {
            held.addAndGet(-w.bytes());
            return w.kept().sa;
        }
        return spill.read(w.ref()).sa;
    }

    /** Diagnoses SA {@code sa} (dropped by the tracker), writes it out, keeps its facts and forgets its story. */
    private Over writeOut(Diagnoser dg, IkeSa sa) {
        SaDiagnosis d = dg.diagnoseSafely(sa);
        SaFacts f = Diagnoser.facts(d);
        long size = HELD_BYTES_PER_SA + HELD_BYTES_PER_MESSAGE * sa.messages.size();
        if (held.get() + size > heldBudget) { // else memory to spare: kept as it is, no writing and reading back
            try {
                SaSpill.Ref ref = spill.write(d);
                sa.forgetStory();
                return new Over(null, ref, f, 0);
            } catch (SaSpill.NotWritable e) { // a bug of ours, not the capture's: kept in memory, the report stays right
            }
        }
        held.addAndGet(size);
        return new Over(d, null, f, size);
    }

    /**
     * SAs that are over are kept in memory while their estimated size stays within an eighth of the
     * heap (-Xmx); past that they are written out. A large heap makes a large capture fast, a small
     * one keeps it within bounds; the report is the same.
     */
    private final long heldBudget = Long.getLong("vpnsleuth.heldSaBytes", Runtime.getRuntime().maxMemory() / 8);
    private final java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
    /** Heap an SA that is over takes, estimated: measured on gateway captures (docs/performance.md). */
    private static final long HELD_BYTES_PER_SA = 4_000;
    private static final long HELD_BYTES_PER_MESSAGE = 3_000;
    /** Heap the sizes of one encapsulation instance take (track/EncapSizes, with its index entry), estimated. */
    private static final long HELD_BYTES_PER_ENCAPSULATION = 1_200;

    private void startWriter() {
        if (spill == null) {
            spill = new SaSpill();
            writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread th = new Thread(r, "vpnsleuth-sa-writer");
                th.setDaemon(true);
                return th;
            });
        }
    }

    /**
     * Writes encapsulations' sizes out on the writer thread (the same temporary file as the SAs);
     * the handle is the write's future, read back when a late packet or the report asks.
     */
    private final class SizesSpiller implements org.vpnsleuth.track.SizeTracker.Spiller {
        @Override
        public java.util.concurrent.Future<Long> write(org.vpnsleuth.track.EncapSizes s) {
            if (spill == null) {
                spill = new SaSpill();
            }
            SaSpill to = spill;
            java.util.concurrent.Callable<Long> w = () -> {
                java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(512);
                try (java.io.DataOutputStream out = new java.io.DataOutputStream(b)) {
                    s.writeTo(out); // its own compact form: numbers, no object stream per instance
                }
                SaSpill.Ref r = to.writeBytes(b.toByteArray());
                long where = SaList.pack(r); // packed as the written-out SAs' places are
                if (where < 0) {
                    throw new IllegalStateException("an encapsulation's sizes took " + r.length() + " bytes at offset "
                            + r.offset() + " of the temporary file: more than its handle holds");
                }
                return where; // a few hundred bytes each
            };
            if (writer == null) {
                try {
                    return java.util.concurrent.CompletableFuture.completedFuture(w.call());
                } catch (Exception e) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
            return writer.submit(w);
        }

        @Override
        public org.vpnsleuth.track.EncapSizes read(long where) {
            SaSpill.Ref r = SaList.unpack(where);
            try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(spill.readBytes(r)))) {
                return org.vpnsleuth.track.EncapSizes.readFrom(in);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read back an encapsulation's sizes written out to the temporary file: " + e, e);
            }
        }
    }

    private void stopWriter() {
        if (writer != null) {
            writer.shutdown();
            writer = null;
        }
    }

    private static Diagnoser diagnoser(Tracker t, List<Decoder> decoders) {
        Diagnoser dg = new Diagnoser(t.firstNanos(), t.lastNanos());
        if (!decoders.isEmpty() && IkeDecodeState.of(decoders.get(0)).decryption() != null) {
            dg.keys(IkeDecodeState.of(decoders.get(0)).decryption().keys());
        }
        return dg;
    }

    /**
     * The IKE SAs that are over (idle for the tracker's timeout in capture time), diagnosed as at
     * the end, written out and dropped: memory holds the SAs still alive and the facts of the others.
     * The capture end a diagnosis may speak of is near only for SAs active in the last seconds,
     * which are never over, so the verdicts are those of a diagnosis at the end.
     */
    private void writeOutOver(Tracker t, List<Decoder> decoders, long now) {
        long idleNanos = t.limits().idleSeconds() * 1_000_000_000L;
        org.vpnsleuth.track.SizeTracker sizes = t.sizes();
        if (held.get() + sizes.liveCount() * HELD_BYTES_PER_ENCAPSULATION > heldBudget
                || sizes.liveCount() >= t.limits().maxFlows() / 2) {
            // the encapsulations' sizes (kept for the overhead report) take room too: the idle ones are written out,
            // and before those held near the --max-flows limit (a large heap must not leave sizes out)
            List<org.vpnsleuth.track.EncapSizes> idle = sizes.idle(now, idleNanos);
            if (!idle.isEmpty()) {
                startWriter();
                sizes.drop(idle);
            }
        }
        List<IkeSa> over = t.over(now, idleNanos, decoders);
        if (over.isEmpty()) {
            return;
        }
        startWriter();
        t.drop(over); // the tracker no longer touches them; the writer diagnoses and writes them
        Diagnoser dg = diagnoser(t, decoders);
        for (IkeSa sa : over) {
            java.util.concurrent.Future<Over> f = writer.submit(() -> writeOut(dg, sa));
            spilledBySeq.put(sa.seq, f);
            writing.add(f);
        }
        while (!writing.isEmpty() && (writing.size() > WRITING_MAX || writing.peek().isDone())) {
            SaSpill.await(writing.poll());
        }
        spilledBySeq.settle(); // what the writer is done with: its facts and place in the file only
    }

    /** The L2TP, PPTP, PPP and GRE part (diagnose/L2tpRules, PptpRules, PppRules). */
    private static void tunnels(Analysis a, Tracker t) {
        L2tpRules l2tp = new L2tpRules(t.lastNanos(), t.icmpErrors());
        PptpRules pptp = new PptpRules(t.lastNanos(), t.icmpErrors());
        for (L2tpTunnel x : t.l2tp().tunnels()) {
            a.l2tp.add(l2tp.diagnoseSafely(x));
        }
        for (PptpControl x : t.l2tp().pptp()) {
            a.pptp.add(pptp.diagnoseSafely(x));
        }
        for (PppSession x : t.l2tp().pppSessions()) {
            a.pppSessions.add(l2tp.diagnoseSafely(x));
        }
        a.greTunnels.addAll(t.l2tp().greTunnels());
    }

    /** Opens every file; a file that cannot be read is reported and left out. */
    public static List<CaptureReader> open(List<String> files, List<String> names, List<String> errors) {
        List<CaptureReader> readers = new ArrayList<>();
        for (String f : files) {
            try {
                readers.add(Captures.open(f));
                names.add(f);
            } catch (CaptureException e) {
                errors.add(e.getMessage());
            }
        }
        return readers;
    }

    public static void close(List<CaptureReader> readers) {
        for (CaptureReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                // nothing left to do with a reader that fails to close
            }
        }
    }
}
