package org.vpnsleuth.report;

import org.vpnsleuth.pipeline.Analysis;
import java.util.List;
import org.vpnsleuth.diagnose.Cause;
import org.vpnsleuth.diagnose.Evidence;
import org.vpnsleuth.diagnose.Finding;
import org.vpnsleuth.diagnose.TunnelDiagnosis;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.GreTunnel;
import org.vpnsleuth.track.L2tpMessage;
import org.vpnsleuth.track.L2tpSession;
import org.vpnsleuth.track.L2tpTunnel;
import org.vpnsleuth.track.PppPacket;
import org.vpnsleuth.track.PppSession;
import org.vpnsleuth.track.PptpCall;
import org.vpnsleuth.track.PptpControl;
import org.vpnsleuth.track.PptpMessage;

/**
 * The `l2tp`, `pptp`, `pppSessions` and `greTunnels` arrays of `analyze --format json`. Every
 * tunnel, session, call and PPP session has {@code verdict}, {@code stoppedAt}, {@code cause},
 * {@code confidence}, {@code headline}, {@code evidenceFrames} (of the main finding) and
 * {@code findings}; the messages ladder and the IDs each side assigned.
 */
final class TunnelJson {
    private final JsonWriter j;
    private final long t0;

    private TunnelJson(JsonWriter j, long t0) {
        this.j = j;
        this.t0 = t0;
    }

    /** Writes the four arrays as members of the current object. */
    static void render(Analysis a, JsonWriter j) {
        TunnelJson t = new TunnelJson(j, a.tracker.firstNanos());
        j.beginArray("l2tp");
        for (TunnelDiagnosis d : a.l2tp) {
            t.tunnel(d);
            j.flush();
        }
        j.endArray();
        j.beginArray("pptp");
        for (TunnelDiagnosis d : a.pptp) {
            t.pptp(d);
            j.flush();
        }
        j.endArray();
        j.beginArray("pppSessions");
        for (TunnelDiagnosis d : a.pppSessions) {
            t.ppp(null, d);
            j.flush();
        }
        j.endArray();
        j.beginArray("greTunnels");
        for (GreTunnel g : a.greTunnels) {
            t.gre(null, g);
            j.flush();
        }
        j.endArray();
    }

    private void opt(String name, String v) {
        if (v != null) {
            j.value(name, v);
        }
    }

    private void id(String name, long v) {
        if (v >= 0) {
            j.value(name, v);
        }
    }

    private void ref(FrameRef r) {
        j.value("file", r.file()).value("frame", r.frame()).value("time", (r.nanos() - t0) / 1e9);
    }

    /** The frames of {@code ev}, sorted, each once (as the IKE part writes them). */
    private void frames(String name, List<Evidence> ev) {
        j.beginArray(name);
        java.util.TreeSet<Long> sorted = new java.util.TreeSet<>();
        for (Evidence e : ev) {
            sorted.add(e.at().frame());
        }
        for (long f : sorted) {
            j.value(null, f);
        }
        j.endArray();
    }

    /** verdict, stoppedAt, cause, confidence, headline, evidenceFrames, detail, findings. */
    private void verdict(TunnelDiagnosis d) {
        j.value("verdict", d.verdict == null ? "INCOMPLETE" : d.verdict.name());
        opt("stoppedAt", d.stoppedAt);
        opt("cause", d.cause() == null ? null : d.cause().name());
        opt("confidence", d.confidence() == null ? null : d.confidence().name());
        opt("headline", d.main == null ? null : d.main.headline());
        frames("evidenceFrames", d.main == null ? List.of() : d.main.evidence());
        opt("detail", d.detail);
        j.beginArray("findings");
        for (Finding f : d.findings) {
            finding(f);
        }
        j.endArray();
    }

    private void finding(Finding f) {
        j.beginObject(null);
        j.value("cause", f.cause().name()).value("confidence", f.confidence().name());
        opt("stoppedAt", f.stoppedAt());
        j.value("headline", f.headline());
        opt("explanation", f.explanation());
        opt("fix", f.fix());
        j.value("recovered", f.recovered());
        j.beginArray("alternatives");
        for (Cause c : f.alternatives()) {
            j.value(null, c.name());
        }
        j.endArray();
        frames("evidenceFrames", f.evidence());
        j.beginArray("evidence");
        for (Evidence e : f.evidence()) {
            j.beginObject(null).value("file", e.at().file()).value("frame", e.at().frame()).value("what", e.what()).endObject();
        }
        j.endArray();
        j.endObject();
    }

    // ------------------------------------------------------------------ L2TP

    private void tunnel(TunnelDiagnosis d) {
        L2tpTunnel t = (L2tpTunnel) d.subject;
        j.beginObject(null);
        j.value("kind", d.kind).value("version", t.version);
        opt("initiator", t.initiator == null ? null : t.initiator.toString());
        opt("responder", t.responder == null ? null : t.responder.toString());
        j.value("rolesGuessed", t.rolesGuessed);
        id("initiatorTunnelId", t.initiatorTunnelId);
        id("responderTunnelId", t.responderTunnelId);
        opt("initiatorHost", t.initiatorHost);
        opt("responderHost", t.responderHost);
        opt("initiatorVendor", t.initiatorVendor);
        opt("responderVendor", t.responderVendor);
        verdict(d);
        j.value("hellos", t.hellos);
        j.beginArray("messages");
        for (L2tpMessage m : t.messages) {
            message(m);
        }
        j.endArray();
        j.beginArray("sessions");
        for (TunnelDiagnosis s : d.children) {
            session(s);
        }
        j.endArray();
        j.endObject();
    }

    private void message(L2tpMessage m) {
        j.beginObject(null);
        ref(m.at);
        j.value("name", m.name).value("type", m.type).value("direction", m.fromInitiator ? "I→R" : "R→I");
        j.value("src", m.src.toString()).value("dst", m.dst.toString());
        j.value("tunnelId", m.tunnelId).value("sessionId", m.sessionId);
        id("ns", m.ns);
        id("nr", m.nr);
        id("assignedTunnelId", m.assignedTunnelId);
        id("assignedSessionId", m.assignedSessionId);
        if (m.resultCode >= 0) {
            j.value("resultCode", m.resultCode);
            opt("resultName", m.resultName);
            id("errorCode", m.errorCode);
            opt("errorName", m.errorName);
            opt("errorMessage", m.errorMessage);
        }
        opt("hostName", m.hostName);
        id("q931Cause", m.q931Cause);
        if (m.challenge) {
            j.value("challenge", true);
        }
        if (m.challengeResponse) {
            j.value("challengeResponse", true);
        }
        if (m.hiddenAvps) {
            j.value("hiddenAvps", true);
        }
        if (m.retransmissionOf != null) {
            j.value("retransmissionOf", m.retransmissionOf.at.frame());
        }
        j.beginArray("retransmissions");
        for (L2tpMessage c : m.retransmissions) {
            j.value(null, c.at.frame());
        }
        j.endArray();
        j.endObject();
    }

    private void session(TunnelDiagnosis d) {
        L2tpSession s = (L2tpSession) d.subject;
        j.beginObject(null);
        j.value("kind", d.kind).value("byInitiator", s.byInitiator);
        id("callerSessionId", s.callerSessionId);
        id("answererSessionId", s.answererSessionId);
        id("serial", s.serial);
        j.value("startedLate", s.startedLate);
        verdict(d);
        j.value("dataMessages", s.dataPackets).value("dataBytes", s.dataBytes);
        j.beginArray("messages");
        for (L2tpMessage m : s.messages) {
            message(m);
        }
        j.endArray();
        if (d.ppp != null) {
            ppp("ppp", d.ppp);
        }
        j.endObject();
    }

    // ------------------------------------------------------------------ PPP

    private void ppp(String name, TunnelDiagnosis d) {
        PppSession s = (PppSession) d.subject;
        j.beginObject(name);
        j.value("kind", d.kind).value("carrier", s.carrier).value("sideA", s.sideA).value("sideB", s.sideB)
                .value("sidesGuessed", s.sidesGuessed);
        id("pppoeSessionId", s.pppoeSessionId);
        if (s.padt != null) {
            j.value("padtFrame", s.padt.frame()).value("padtBy", s.padtFromHost ? "host" : "AC");
        }
        verdict(d);
        opt("authProtocol", d.authProtocol);
        opt("authResult", d.authResult);
        opt("addressA", d.addressA);
        opt("addressB", d.addressB);
        j.value("dataFromA", s.dataFromA).value("dataFromB", s.dataFromB).value("bytesFromA", s.bytesFromA)
                .value("bytesFromB", s.bytesFromB);
        j.beginArray("packets");
        for (PppPacket p : s.packets) {
            j.beginObject(null);
            ref(p.at);
            j.value("direction", p.fromA ? "A→B" : "B→A").value("protocol", p.protocol).value("code", p.code)
                    .value("codeName", p.codeName).value("identifier", p.identifier);
            if (!p.options.isEmpty()) {
                j.beginArray("options");
                for (String o : p.options) {
                    j.value(null, o);
                }
                j.endArray();
            }
            opt("authProtocol", p.authProtocol);
            opt("address", p.address);
            opt("name", p.name);
            opt("variant", p.variant);
            opt("message", p.message);
            if (p.errorCode >= 0) {
                j.value("errorCode", p.errorCode);
                opt("errorName", p.errorName);
            }
            opt("failureMessage", p.failureMessage);
            opt("pppoeError", p.pppoeError);
            j.endObject();
        }
        j.endArray();
        j.value("untrackedPackets", s.untrackedPackets);
        j.endObject();
    }

    // ------------------------------------------------------------------ PPTP

    private void pptp(TunnelDiagnosis d) {
        PptpControl c = (PptpControl) d.subject;
        j.beginObject(null);
        j.value("kind", d.kind).value("file", c.file).value("client", c.client.toString()).value("server", c.server.toString());
        verdict(d);
        j.beginObject("tcp");
        if (c.syn != null) {
            j.value("synFrame", c.syn.frame()).value("synCount", c.synCount);
        }
        if (c.synAck != null) {
            j.value("synAckFrame", c.synAck.frame());
        }
        if (c.refused != null) {
            j.value("refusedFrame", c.refused.frame());
        }
        if (c.clientClosed != null) {
            j.value("clientClosedFrame", c.clientClosed.frame());
        }
        if (c.serverClosed != null) {
            j.value("serverClosedFrame", c.serverClosed.frame()).value("serverReset", c.serverReset);
        }
        j.endObject();
        j.beginArray("messages");
        for (PptpMessage m : c.messages) {
            message(m);
        }
        j.endArray();
        j.beginArray("calls");
        for (TunnelDiagnosis x : d.children) {
            PptpCall call = (PptpCall) x.subject;
            j.beginObject(null);
            j.value("kind", x.kind).value("outgoing", call.outgoing);
            id("clientCallId", call.clientCallId);
            id("serverCallId", call.serverCallId);
            verdict(x);
            j.beginArray("messages");
            for (PptpMessage m : call.messages) {
                message(m);
            }
            j.endArray();
            if (call.toServer != null) {
                gre("greToServer", call.toServer);
            }
            if (call.toClient != null) {
                gre("greToClient", call.toClient);
            }
            if (x.ppp != null) {
                ppp("ppp", x.ppp);
            }
            j.endObject();
        }
        j.endArray();
        j.endObject();
    }

    private void message(PptpMessage m) {
        j.beginObject(null);
        ref(m.at);
        j.value("name", m.name).value("shortName", m.shortName()).value("type", m.type)
                .value("direction", m.fromClient ? "C→S" : "S→C");
        id("callId", m.callId);
        id("peerCallId", m.peerCallId);
        if (m.resultCode >= 0) {
            j.value("resultCode", m.resultCode);
            opt("resultName", m.resultName);
        }
        if (m.errorCode >= 0) {
            j.value("errorCode", m.errorCode);
            opt("errorName", m.errorName);
        }
        id("causeCode", m.causeCode);
        opt("reason", m.reason);
        opt("hostName", m.hostName);
        opt("vendor", m.vendor);
        opt("callStatistics", m.callStatistics);
        j.endObject();
    }

    // ------------------------------------------------------------------ GRE

    private void gre(String name, GreTunnel g) {
        j.beginObject(name);
        j.value("file", g.file).value("src", g.src).value("dst", g.dst).value("version", g.version);
        id(g.version == 1 ? "callId" : "key", g.key);
        opt("protocol", g.protocol);
        j.value("packets", g.packets).value("bytes", g.bytes).value("firstFrame", g.first.frame())
                .value("lastFrame", g.last.frame()).value("firstSeq", g.firstSeq).value("highestSeq", g.highestSeq)
                .value("missing", g.missing).value("replaysOrReordered", g.replays).value("keepalives", g.keepalives)
                .value("ackOnly", g.ackOnly);
        if (g.call != null) {
            j.value("pptpServer", g.call.control.server.toString());
            id("pptpClientCallId", g.call.clientCallId);
            id("pptpServerCallId", g.call.serverCallId);
        }
        j.endObject();
    }
}
