package org.vpnsleuth.diagnose;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.vpnsleuth.keys.DaemonLog;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.track.IkeSa;

/**
 * The daemons' own outcome lines (strongSwan charon, libreswan pluto: keys/DaemonLog) that belong
 * to one IKE SA, put beside the wire's verdict; and where the daemon states what the wire cannot
 * show (its kernel refused to install the child SA, which the peer saw only as NO_PROPOSAL_CHOSEN or
 * TS_UNACCEPTABLE), the cause follows the log.
 *
 * <p>A line belongs to the SA when the log's SA it names ("vpn|1", "#2") carries the SA's initiator
 * SPI (pluto's state table, the IKE headers of charon's message dumps); when that SA of the log names
 * no SPI, when its time lies within the SA's time on the wire (two seconds of slack: charon logs whole
 * seconds); a line that names no SA also needs one of the SA's addresses in its text. Log times are
 * local times of the machine running vpnsleuth (TZ); a log without a year takes the capture's.
 */
public final class DaemonLogEvidence {
    private DaemonLogEvidence() {
    }

    /** Lines shown per SA; the rest are counted ("and N more"). */
    public static final int PER_SA = 12;
    private static final long SLACK_NANOS = 2_000_000_000L;

    /** One line shown for an SA, its time as an instant in the capture's clock (null when the log has none). */
    public record Shown(DaemonLog.Line line, java.time.Instant at) {
    }

    static void apply(IkeSa sa, SaDiagnosis d, KeyMaterial keys) {
        if (keys == null || keys.daemonLog.lines.isEmpty() || sa.messages.isEmpty()) {
            return;
        }
        long first = sa.firstNanos();
        long last = Math.max(sa.lastNanos(), first);
        java.util.Set<String> addresses = new java.util.HashSet<>(sa.initiatorAddresses);
        addresses.addAll(sa.responderAddresses);
        java.util.Set<String> childSpis = new java.util.HashSet<>();
        for (ChildSa c : d.children) {
            for (String s : c.spis) {
                childSpis.add(s.toLowerCase(java.util.Locale.ROOT).replace("0x", ""));
            }
        }
        int more = 0;
        for (DaemonLog.Line l : keys.daemonLog.lines) {
            java.time.Instant at = instant(l.at(), first);
            if (!belongs(l, at, sa, first, last, addresses, childSpis, keys.daemonLog)) {
                continue;
            }
            if (d.daemonLog.size() < PER_SA || l.local() && d.daemonLog.stream().noneMatch(s -> s.line().local())) {
                d.daemonLog.add(new Shown(l, at));
            } else {
                more++;
            }
        }
        d.daemonLogMore = more;
        localFailure(d);
    }

    private static boolean belongs(DaemonLog.Line l, java.time.Instant at, IkeSa sa, long first, long last,
            Set<String> addresses, Set<String> childSpis, DaemonLog log) {
        if (l.sa() != null) {
            Set<Long> spis = log.spisOf(l.file(), l.sa());
            if (!spis.isEmpty()) {
                return spis.contains(sa.spiI);
            }
            for (String c : log.childSpisOf(l.file(), l.sa())) {
                if (childSpis.contains(c)) {
                    return true;
                }
            }
        }
        if (at == null) {
            return false;
        }
        long t = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        if (t < first - SLACK_NANOS || t > last + SLACK_NANOS) {
            return false;
        }
        if (l.sa() != null) {
            return true;
        }
        for (String a : addresses) {
            if (mentions(l.text(), a)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code text} names the address (not as part of a longer one: 192.0.2.1 is not in 192.0.2.10). */
    private static boolean mentions(String text, String address) {
        for (int i = text.indexOf(address); i >= 0; i = text.indexOf(address, i + 1)) {
            int e = i + address.length();
            boolean before = i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)) && text.charAt(i - 1) != '.';
            boolean after = e >= text.length() || !Character.isDigit(text.charAt(e)) && !(text.charAt(e) == '.'
                    && e + 1 < text.length() && Character.isDigit(text.charAt(e + 1)));
            if (before && after) {
                return true;
            }
        }
        return false;
    }

    /** The log's local time as an instant; a time without a year takes the capture's year (or the one before/after, nearest). */
    static java.time.Instant instant(LocalDateTime at, long captureNanos) {
        if (at == null) {
            return null;
        }
        ZoneId zone = ZoneId.systemDefault();
        if (at.getYear() != 0) {
            return at.atZone(zone).toInstant();
        }
        java.time.Instant capture = java.time.Instant.ofEpochSecond(captureNanos / 1_000_000_000L);
        int year = capture.atZone(zone).getYear();
        java.time.Instant best = null;
        for (int y = year - 1; y <= year + 1; y++) {
            java.time.Instant i;
            try {
                i = at.withYear(y).atZone(zone).toInstant();
            } catch (java.time.DateTimeException e) {
                continue; // Feb 29 in a year without it
            }
            if (best == null || Math.abs(i.getEpochSecond() - capture.getEpochSecond())
                    < Math.abs(best.getEpochSecond() - capture.getEpochSecond())) {
                best = i;
            }
        }
        return best;
    }

    /** Causes that a local install failure is reported to the peer as (RFC 7296 gives no notify for it). */
    private static final Set<Cause> LOOKS_LIKE = Set.of(Cause.CHILD_PROPOSAL_MISMATCH, Cause.TS_MISMATCH, Cause.UNKNOWN,
            Cause.PFS_MISMATCH, Cause.MODE_MISMATCH);

    /**
     * A daemon that says its kernel refused the child SA: the wire showed a refusal (NO_PROPOSAL_CHOSEN,
     * TS_UNACCEPTABLE) or nothing; the cause follows the log at HIGH confidence, the wire's reading stays
     * as an alternative.
     */
    private static void localFailure(SaDiagnosis d) {
        DaemonLog.Line install = null;
        for (Shown s : d.daemonLog) {
            if (s.line().local()) {
                install = s.line();
                break;
            }
        }
        if (install == null) {
            return;
        }
        String who = install.daemon().title + " (" + install.file() + ":" + install.number() + ")";
        String wire = null;
        ChildSa child = null;
        for (ChildSa c : d.children) {
            if (c.verdict == Verdict.FAILED && (c.cause == null || LOOKS_LIKE.contains(c.cause))) {
                child = c;
                wire = c.cause == null ? "no reason" : c.cause.name();
                break;
            }
        }
        Cause old = d.cause();
        boolean saLevel = old != null && LOOKS_LIKE.contains(old);
        if (child == null && !saLevel) {
            d.daemonLogSays = who + " could not install a child SA in its kernel: '" + install.text() + "'";
            return;
        }
        if (wire == null) {
            wire = old.name();
        }
        List<Cause> alternatives = new ArrayList<>();
        if (old != null && old != Cause.UNKNOWN) {
            alternatives.add(old);
        }
        d.daemonLogSays = who + " says what the wire cannot: its kernel refused to install the child SA ('" + install.text()
                + "'); the wire shows only " + ("no reason".equals(wire) ? "the child SA failing" : wire)
                + ", the refusal its peer received";
        Finding f = Diagnoser.finding(Cause.CHILD_SA_INSTALL_FAILED, Confidence.HIGH,
                d.main != null ? d.main.stoppedAt() : d.stoppedAt,
                "the child SA could not be installed in " + install.daemon().title + "'s kernel (its log says so)",
                "The negotiation itself agreed, but " + who + " failed to add the SA to its kernel and then refused the child"
                        + " SA; on the wire that refusal reads as " + wire + ", which is not the cause. Log line: '"
                        + install.text() + "'.",
                "Fix the kernel side of that host: IPsec support (XFRM, ESP/AH and the negotiated algorithms in the kernel,"
                        + " e.g. CONFIG_INET_ESP / the esp4 module), SELinux labels, or a conflicting SA/policy; then retry.",
                d.main != null ? d.main.evidence() : List.of(), alternatives);
        if (child != null) {
            child.cause = Cause.CHILD_SA_INSTALL_FAILED;
            child.confidence = Confidence.HIGH;
            child.detail = "its log says the kernel refused it: '" + install.text() + "' (" + install.file() + ":"
                    + install.number() + "); the wire showed " + wire;
        }
        d.findings.add(0, f);
        if (d.main == null || saLevel) {
            d.main = f;
        }
    }
}
