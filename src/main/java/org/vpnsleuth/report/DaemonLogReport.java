package org.vpnsleuth.report;

import java.util.List;
import org.vpnsleuth.diagnose.DaemonLogEvidence;
import org.vpnsleuth.diagnose.SaDiagnosis;

/**
 * The daemons' own lines for an SA (issue 20; diagnose/DaemonLogEvidence) in the three formats:
 * text ("  daemon log: FILE:LINE TIME TEXT"), JSON {@code daemonLog[]} and {@code daemonLogSays}
 * (docs/analyze-json.md), HTML (a table under the SA's facts). The lines hold no secret: the reader
 * keeps no line that could (keys/DaemonLog).
 */
public final class DaemonLogReport {
    private DaemonLogReport() {
    }

    /** Text: what the log says that the wire cannot, then one line per log line and "and N more". */
    static void text(SaDiagnosis d, StringBuilder out) {
        if (d.daemonLogSays != null) {
            out.append("  the daemon's log says: ").append(d.daemonLogSays).append('\n');
        }
        for (DaemonLogEvidence.Shown s : d.daemonLog) {
            out.append("  daemon log: ").append(where(s)).append(' ').append(s.line().text()).append('\n');
        }
        if (d.daemonLogMore > 0) {
            out.append("  daemon log: and ").append(d.daemonLogMore).append(" more line(s) of the logs for this SA\n");
        }
    }

    /** "pluto.log:7819 (18:29:45.364901)": the file and line, and the time as logged. */
    static String where(DaemonLogEvidence.Shown s) {
        String t = s.line().time();
        return s.line().file() + ":" + s.line().number() + (t.isEmpty() ? "" : " (" + t + ")");
    }

    /** JSON: {@code daemonLogSays} (null when nothing), {@code daemonLog[]} of {file, line, time, timeAsLogged, daemon, kind, sa, text}, {@code daemonLogMore}. */
    static void json(JsonWriter j, SaDiagnosis d) {
        j.value("daemonLogSays", d.daemonLogSays);
        j.beginArray("daemonLog");
        for (DaemonLogEvidence.Shown s : d.daemonLog) {
            j.beginObject(null).value("file", s.line().file()).value("line", s.line().number())
                    .value("time", s.at() == null ? null : s.at().toString())
                    .value("timeAsLogged", s.line().time().isEmpty() ? null : s.line().time())
                    .value("daemon", s.line().daemon() == org.vpnsleuth.keys.DaemonLog.Daemon.CHARON ? "charon" : "pluto")
                    .value("kind", s.line().kind()).value("sa", s.line().sa()).value("text", s.line().text()).endObject();
        }
        j.endArray();
        j.value("daemonLogMore", d.daemonLogMore);
    }

    /** The rows of the HTML table: [where, kind, text]; empty when none. */
    static List<String[]> rows(SaDiagnosis d) {
        java.util.List<String[]> r = new java.util.ArrayList<>();
        for (DaemonLogEvidence.Shown s : d.daemonLog) {
            r.add(new String[] {where(s), s.line().kind(), s.line().text()});
        }
        if (d.daemonLogMore > 0) {
            r.add(new String[] {"", "", "and " + d.daemonLogMore + " more line(s) of the logs for this SA"});
        }
        return r;
    }
}
