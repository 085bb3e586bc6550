package org.vpnsleuth.report;

import org.vpnsleuth.pipeline.Analysis;
import java.util.List;
import org.vpnsleuth.diagnose.Cause;
import org.vpnsleuth.diagnose.ChildSa;
import org.vpnsleuth.diagnose.Evidence;
import org.vpnsleuth.diagnose.Finding;
import org.vpnsleuth.diagnose.SaDiagnosis;
import org.vpnsleuth.diagnose.SecurityFinding;
import org.vpnsleuth.track.EspFlow;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * `analyze --format json`: one document, the contract for scripts (docs/analyze-json.md). Its
 * {@code version} changes only when a field changes meaning or disappears; fields may be added.
 * Byte strings (SPIs) are lowercase hex; times are nanoseconds since the epoch and seconds since
 * the first frame; frames are numbers in their file (with {@code file} the input's index).
 */
public final class AnalysisJson {
    /** The version of this document's layout. */
    public static final int VERSION = 1;

    private AnalysisJson() {
    }

    public static void render(Analysis a, StringBuilder sb) {
        render(a, sb, j -> { });
    }

    /** As {@link #render(Analysis, StringBuilder)}, with {@code extra} members (--show-keys' "keys") at the end. */
    public static void render(Analysis a, StringBuilder sb, java.util.function.Consumer<JsonWriter> extra) {
        render(a, sb, extra, null);
    }

    /**
     * As {@link #render(Analysis, StringBuilder, java.util.function.Consumer)}, writing what is
     * rendered to {@code flushTo} after each IKE SA once {@code sb} holds more than 64 KiB (when not
     * null), so that a report of many SAs never sits whole in memory; the rest stays in {@code sb}.
     */
    public static void render(Analysis a, StringBuilder sb, java.util.function.Consumer<JsonWriter> extra,
            java.io.Writer flushTo) {
        render(a, new JsonWriter(sb, flushTo), extra);
    }

    /**
     * The document and a line end, in UTF-8 to {@code to} as it is rendered (what the other forms
     * give, encoded; written in chunks of about 128 KiB, then {@code to} is flushed). Write errors
     * are thrown as {@link java.io.UncheckedIOException}.
     */
    public static void render(Analysis a, java.io.OutputStream to, java.util.function.Consumer<JsonWriter> extra) {
        JsonWriter j = new JsonWriter(to);
        render(a, j, extra);
        j.raw(null, "\n");
        j.finish();
    }

    private static void render(Analysis a, JsonWriter j, java.util.function.Consumer<JsonWriter> extra) {
        long t0 = a.tracker.firstNanos();
        j.beginObject(null);
        j.value("version", VERSION);
        j.beginArray("files");
        for (Analysis.Input in : a.inputs) {
            j.beginObject(null).value("name", in.name()).value("format", in.format()).value("frames", in.frames());
            j.beginArray("warnings");
            for (String w : in.warnings()) {
                j.value(null, w);
            }
            j.endArray().endObject();
        }
        j.endArray();
        j.value("firstTime", t0).value("lastTime", a.tracker.lastNanos());
        if (a.selection != null) { // --peer/--spi/--frames/--since/--until: what the arrays below are narrowed to
            j.beginObject("selection").value("criteria", a.selection).value("ikeSasInCapture", a.ikeSasInCapture)
                    .value("tunnelsInCapture", a.tunnelsInCapture).endObject();
        }
        j.beginArray("ikeSas");
        for (SaDiagnosis d : a.ikeSas) {
            sa(j, d, t0);
            j.flush();
        }
        j.endArray();
        j.beginArray("unlinkedFlows");
        for (EspFlow f : a.unlinkedFlows) {
            flow(j, f);
            j.flush();
        }
        j.endArray();
        // L2TP tunnels, PPTP connections, PPP sessions (PPPoE, PPP links) and GRE flows (TunnelJson)
        TunnelJson.render(a, j);
        // overhead and MTU per encapsulation instance and direction (OverheadReport)
        MeasuredReport.array(j, a.overhead);
        j.beginArray("warnings");
        for (String w : a.warnings) {
            j.value(null, w);
        }
        j.endArray();
        extra.accept(j);
        j.endObject();
    }

    private static void ref(JsonWriter j, FrameRef r) {
        j.value("file", r.file()).value("frame", r.frame());
    }

    /** The evidence's frame numbers, sorted, each once (the evidence list keeps their order and files). */
    private static void frames(JsonWriter j, String name, List<Evidence> ev) {
        j.beginArray(name);
        int n = ev.size();
        if (n == 1) {
            j.value(null, ev.get(0).at().frame());
        } else if (n > 1) {
            long[] f = new long[n];
            for (int i = 0; i < n; i++) {
                f[i] = ev.get(i).at().frame();
            }
            java.util.Arrays.sort(f);
            for (int i = 0; i < n; i++) {
                if (i == 0 || f[i] != f[i - 1]) {
                    j.value(null, f[i]);
                }
            }
        }
        j.endArray();
    }

    private static void opt(JsonWriter j, String name, String v) {
        if (v != null) {
            j.value(name, v);
        }
    }

    private static void finding(JsonWriter j, Finding f) {
        j.beginObject(null);
        j.shared("cause", f.cause().name()).shared("confidence", f.confidence().name());
        opt(j, "stoppedAt", f.stoppedAt());
        j.value("headline", f.headline());
        opt(j, "explanation", f.explanation());
        opt(j, "fix", f.fix());
        j.value("recovered", f.recovered());
        j.beginArray("alternatives");
        for (Cause c : f.alternatives()) {
            j.shared(null, c.name());
        }
        j.endArray();
        frames(j, "evidenceFrames", f.evidence());
        j.beginArray("evidence");
        for (Evidence e : f.evidence()) {
            j.beginObject(null);
            ref(j, e.at());
            j.value("what", e.what());
            j.endObject();
        }
        j.endArray();
        j.endObject();
    }

    /** The security findings (diagnose/SecurityFindings, docs/security.md) as {@code security[]}. */
    private static void security(JsonWriter j, List<SecurityFinding> l) {
        j.beginArray("security");
        for (SecurityFinding f : l) {
            j.beginObject(null).value("code", f.code()).shared("severity", f.severity().name()).value("what", f.what())
                    .value("offeredOrChosen", f.offeredOrChosen());
            opt(j, "status", f.status());
            j.value("reference", f.reference());
            if (f.at() != null) {
                ref(j, f.at());
            }
            j.endObject();
        }
        j.endArray();
    }

    private static void sa(JsonWriter j, SaDiagnosis d, long t0) {
        IkeSa sa = d.sa;
        j.beginObject(null);
        j.value("version", sa.version);
        if (sa.initiator != null) {
            j.value("initiator", sa.initiator);
        }
        if (sa.responder != null) {
            j.value("responder", sa.responder);
        }
        j.value("rolesGuessed", sa.rolesGuessed);
        j.hex("spiI", sa.spiI, 16).hex("spiR", sa.spiR, 16);
        j.beginObject("state");
        opt(j, "rfc", d.rfcState);
        opt(j, "ciscoIos", d.iosState);
        opt(j, "ciscoAsa", d.asaState);
        opt(j, "strongswan", d.strongswanState);
        j.endObject();
        j.shared("verdict", d.verdict.name());
        opt(j, "stoppedAt", d.stoppedAt);
        if (d.cause() != null) {
            j.shared("cause", d.cause().name());
        }
        if (d.confidence() != null) {
            j.shared("confidence", d.confidence().name());
        }
        opt(j, "headline", d.main == null ? null : d.main.headline());
        frames(j, "evidenceFrames", d.main == null ? List.of() : d.main.evidence());
        opt(j, "nat", d.nat);
        opt(j, "decryption", d.decryption);
        DaemonLogReport.json(j, d); // issue 20: daemonLogSays, daemonLog[], daemonLogMore
        opt(j, "rekeyedFrom", d.rekeyedFrom == null ? null : org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedFrom.spiI(), 16) + "/" + org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedFrom.spiR(), 16));
        opt(j, "rekeyedTo", d.rekeyedTo == null ? null : org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedTo.spiI(), 16) + "/" + org.vpnsleuth.base.Bytes.hexPadded(d.rekeyedTo.spiR(), 16));
        opt(j, "redirectedTo", d.redirectedTo);
        opt(j, "redirectedToSa", d.redirectedToSa == null ? null
                : org.vpnsleuth.base.Bytes.hexPadded(d.redirectedToSa.spiI(), 16) + "/" + org.vpnsleuth.base.Bytes.hexPadded(d.redirectedToSa.spiR(), 16));
        opt(j, "redirectedFrom", d.redirectedFrom == null ? null
                : org.vpnsleuth.base.Bytes.hexPadded(d.redirectedFrom.spiI(), 16) + "/" + org.vpnsleuth.base.Bytes.hexPadded(d.redirectedFrom.spiR(), 16));
        opt(j, "redirectedFromGateway", d.redirectedFromGateway);
        if (d.deletedAt != null) {
            j.beginObject("deleted").value("by", d.deletedBy);
            ref(j, d.deletedAt);
            j.value("time", (d.deletedAt.nanos() - t0) / 1e9).endObject();
        }
        j.beginArray("notes");
        for (String n : d.notes) {
            j.value(null, n);
        }
        j.endArray();
        j.beginArray("translations");
        for (String t : sa.translations) {
            j.value(null, t);
        }
        j.endArray();
        j.beginArray("offered");
        for (String p : d.offered) {
            j.value(null, p);
        }
        j.endArray();
        opt(j, "chosen", d.chosen);
        j.beginArray("findings");
        for (Finding f : d.findings) {
            finding(j, f);
        }
        j.endArray();
        security(j, d.security);
        j.beginArray("exchanges");
        for (IkeExchange e : sa.exchanges) {
            j.beginObject(null).value("kind", e.kind).value("exchangeType", e.exchangeType).value("messageId", e.messageId)
                    .value("attempt", e.attempt);
            if (e.byInitiator != null) {
                j.value("byInitiator", e.byInitiator);
            }
            long rtt = e.roundTripNanos();
            if (rtt >= 0) {
                j.value("roundTrip", rtt / 1e9);
            }
            j.beginArray("messages");
            for (IkeMessage m : e.messages) {
                message(j, m, t0);
            }
            j.endArray().endObject();
        }
        j.endArray();
        j.beginArray("childSas");
        for (ChildSa c : d.children) {
            j.beginObject(null).value("name", c.name).shared("verdict", c.verdict.name());
            if (c.cause != null) {
                j.shared("cause", c.cause.name());
            }
            if (c.confidence != null) {
                j.shared("confidence", c.confidence.name());
            }
            opt(j, "detail", c.detail);
            opt(j, "kind", c.kind);
            opt(j, "initiatedBy", c.initiatedBy);
            if (!c.spis.isEmpty()) {
                j.beginArray("spis");
                c.spis.forEach(x -> j.value(null, x));
                j.endArray();
            }
            opt(j, "rekeys", c.rekeys);
            opt(j, "accepted", c.accepted);
            opt(j, "state", c.state);
            if (c.deletedAt != null) {
                j.beginObject("deleted").value("by", c.deletedBy);
                ref(j, c.deletedAt);
                j.value("time", (c.deletedAt.nanos() - t0) / 1e9).endObject();
            }
            if (!c.followed.isEmpty()) {
                j.beginArray("followed");
                c.followed.forEach(x -> j.value(null, x));
                j.endArray();
            }
            frames(j, "evidenceFrames", c.evidence);
            security(j, c.security);
            j.beginArray("flows");
            for (EspFlow f : c.flows) {
                flow(j, f);
            }
            j.endArray().endObject();
        }
        j.endArray();
        j.endObject();
    }

    /** Identities, EAP packets, certificates and certificate requests, when the message shows them (issue 14). */
    private static void authentication(JsonWriter j, IkeMessage m) {
        opt(j, "idI", m.idI);
        opt(j, "idR", m.idR);
        if (!m.eap.isEmpty()) {
            j.beginArray("eap");
            for (org.vpnsleuth.ike.EapPacket p : m.eap) {
                j.beginObject(null).value("code", p.code());
                opt(j, "codeName", p.codeName());
                j.value("identifier", p.identifier());
                if (p.type() != null) {
                    j.value("type", p.type());
                    opt(j, "method", org.vpnsleuth.ike.EapPacket.methodName(p.type()));
                }
                if (p.error() != null) {
                    j.value("errorCode", p.error());
                    opt(j, "errorName", ((org.vpnsleuth.ike.EapPacket.MsChapV2) p.method()).errorName());
                }
                j.value("text", p.words());
                opt(j, "malformed", p.malformed());
                j.endObject();
            }
            j.endArray();
        }
        if (!m.certs.isEmpty()) {
            j.beginArray("certificates");
            for (org.vpnsleuth.ike.CertificateData c : m.certs) {
                j.beginObject(null);
                org.vpnsleuth.ike.X509Details x = c.x509();
                if (x != null && x.malformed() == null) {
                    j.value("subject", x.subject()).value("issuer", x.issuer());
                    j.beginArray("subjectAltNames");
                    for (String n : x.subjectAltNames()) {
                        j.value(null, n);
                    }
                    j.endArray();
                    j.value("notBefore", x.notBefore().toString()).value("notAfter", x.notAfter().toString());
                    j.value("keyType", x.keyType()).value("keyBits", x.keyBits());
                    j.value("signatureAlgorithm", x.signatureAlgorithm()).value("ca", x.ca());
                    j.value("spkiSha1", x.spkiSha1Hex());
                } else {
                    opt(j, "subject", c.subject());
                    opt(j, "issuer", c.issuer());
                    opt(j, "malformed", x != null ? x.malformed() : c.malformed());
                }
                j.endObject();
            }
            j.endArray();
        }
        if (m.certRequested) {
            j.beginArray("certRequests");
            for (String h : m.certRequests) {
                j.value(null, h);
            }
            j.endArray();
        }
    }

    private static void message(JsonWriter j, IkeMessage m, long t0) {
        j.beginObject(null);
        ref(j, m.at);
        j.value("time", (m.at.nanos() - t0) / 1e9);
        opt(j, "name", m.name);
        j.shared("direction", m.fromInitiator ? "I→R" : "R→I");
        j.value("response", m.response);
        j.value("src", m.src).value("dst", m.dst);
        j.value("length", m.length).value("encrypted", m.encrypted).value("payloads", m.payloads);
        opt(j, "decryptedPayloads", m.decryptedPayloads);
        opt(j, "decryptedWith", m.decryptedWith);
        if (m.keyCheck != null) {
            j.beginObject("keyCheck").shared("result", m.keyCheck.kind().name()).value("what", m.keyCheck.what())
                    .value("side", m.keyCheck.side());
            opt(j, "key", m.keyCheck.key());
            opt(j, "psk", m.keyCheck.psk());
            j.value("text", m.keyCheck.text()).endObject();
        }
        authentication(j, m);
        j.beginArray("notifies");
        for (IkeMessage.Notify n : m.notifies) {
            j.beginObject(null).value("type", n.type()).value("name", n.name());
            opt(j, "detail", n.detail());
            j.endObject();
        }
        j.endArray();
        j.beginArray("retransmissions");
        for (IkeMessage c : m.retransmissions) {
            j.beginObject(null);
            ref(j, c.at);
            j.value("time", (c.at.nanos() - t0) / 1e9).endObject();
        }
        j.endArray();
        j.beginArray("frames");
        for (FrameRef r : m.frames) {
            j.beginObject(null);
            ref(j, r);
            j.endObject();
        }
        j.endArray();
        j.beginArray("alsoSeen");
        for (FrameRef r : m.alsoSeen) {
            j.beginObject(null);
            ref(j, r);
            j.endObject();
        }
        j.endArray();
        j.endObject();
    }

    private static void flow(JsonWriter j, EspFlow f) {
        j.beginObject(null).value("protocol", f.protocol).hex("spi", f.spi, 8).value("src", f.src)
                .value("dst", f.dst).value("udpEncapsulated", f.udp).value("packets", f.packets).value("bytes", f.bytes)
                .value("file", f.file).value("firstFrame", f.first.frame()).value("lastFrame", f.last().frame())
                .value("firstSeq", f.firstSeq).value("highestSeq", f.highestSeq).value("missing", f.missing)
                .value("replaysOrReordered", f.replays).endObject();
    }
}
