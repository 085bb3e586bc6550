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
    public final List<SaDiagnosis> ikeSas = new ArrayList<>();
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
    public final List<org.vpnsleuth.overhead.Measured> overhead = new ArrayList<>();
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
        // frames merged by capture time; read, and ESP opened ahead, on other threads (FrameFeed)
        try (FrameFeed feed = FrameFeed.open(readers, java.util.Arrays.asList(decoders), Long.MAX_VALUE)) {
            while (feed.next()) {
                int next = feed.file();
                decoders[next].decode(feed.frame(), packet);
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
        Diagnoser dg = new Diagnoser(t.firstNanos(), t.lastNanos());
        if (n > 0 && IkeDecodeState.of(decoders.get(0)).decryption() != null) {
            dg.keys(IkeDecodeState.of(decoders.get(0)).decryption().keys());
        }
        List<EspFlow> linked = new ArrayList<>();
        for (IkeSa sa : t.ikeSas()) {
            a.ikeSas.add(dg.diagnoseSafely(sa));
            linked.addAll(sa.flows);
        }
        Diagnoser.across(a.ikeSas, t);
        java.util.Set<EspFlow> linkedSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        linkedSet.addAll(linked);
        for (EspFlow f : t.flows()) {
            if (!linkedSet.contains(f)) {
                a.unlinkedFlows.add(f);
            }
        }
        tunnels(a, t);
        a.overhead.addAll(org.vpnsleuth.overhead.Measurements.of(t.sizes(), espTransforms(decoders), t.icmpErrors(),
                overheadOptions));
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
