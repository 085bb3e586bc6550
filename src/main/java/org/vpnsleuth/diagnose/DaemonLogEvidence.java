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
    /** The kinds of registry/keys/daemon-log-outcomes.tsv, most telling first. */
    private static final List<String> RANK = List.of("install", "proposal", "auth", "peer-config", "ts", "certificate",
            "failed", "error", "retransmit", "delete", "established");

    /** One line shown for an SA, its time as an instant in the capture's clock (null when the log has none). */
    public record Shown(DaemonLog.Line line, java.time.Instant at) implements java.io.Serializable {
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
        // the lines of the SA, at most PER_SA of them in order of what they tell (a local failure, a refusal,
        // an authentication failure ... before establishments and deletes), then shown in log order
        List<Shown> all = new ArrayList<>();
        for (DaemonLog.Line l : keys.daemonLog.lines) {
            java.time.Instant at = instant(l.at(), first);
            if (belongs(l, at, sa, first, last, addresses, childSpis, keys.daemonLog)) {
                all.add(new Shown(l, at));
            }
        }
        List<Shown> keep = new ArrayList<>(all);
        keep.sort(java.util.Comparator.comparingInt(x -> RANK.indexOf(x.line().kind())));
        java.util.Set<Shown> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        kept.addAll(keep.subList(0, Math.min(PER_SA, keep.size())));
        for (Shown x : all) {
            if (kept.contains(x)) {
                d.daemonLog.add(x);
            }
        }
        d.daemonLogMore = all.size() - d.daemonLog.size();
        pskSides(sa, d, keys);
        localFailure(sa, d, keys);
        pfs(d);
    }

    /** A refused child proposal whose refusing daemon says the Diffie-Hellman group (PFS) was what did not match. */
    private static final java.util.regex.Pattern PFS_LINE = java.util.regex.Pattern.compile(
            "no acceptable (KEY_EXCHANGE_METHOD|DIFFIE_HELLMAN_GROUP)|PFS|pfsgroup|KE payload");

    /**
     * The wire says only NO_PROPOSAL_CHOSEN for a child SA; the refusing daemon's log names the
     * transform type that matched nothing: a Diffie-Hellman group means the child proposals' PFS
     * groups differ (one side proposes PFS, the other none or another group).
     */
    private static void pfs(SaDiagnosis d) {
        DaemonLog.Line says = null;
        for (Shown s : d.daemonLog) {
            if (s.line().kind().equals("proposal") && PFS_LINE.matcher(s.line().text()).find()) {
                says = s.line();
                break;
            }
        }
        if (says == null) {
            return;
        }
        for (ChildSa c : d.children) {
            if (c.verdict == Verdict.FAILED && c.cause == Cause.CHILD_PROPOSAL_MISMATCH) {
                c.cause = Cause.PFS_MISMATCH;
                c.confidence = Confidence.HIGH;
                c.detail = "the refusing daemon's log names the Diffie-Hellman group: '" + says.text() + "' (" + says.file()
                        + ":" + says.number() + ")";
                if (d.main != null && d.main.cause() == Cause.CHILD_PROPOSAL_MISMATCH) {
                    Finding f = Diagnoser.finding(Cause.PFS_MISMATCH, Confidence.HIGH, d.main.stoppedAt(),
                            "the child SA proposals' PFS groups differ (" + says.daemon().title + "'s log says so)",
                            "The peer refused the child SA with NO_PROPOSAL_CHOSEN; " + says.daemon().title + " ("
                                    + says.file() + ":" + says.number() + ") names what matched nothing: '" + says.text()
                                    + "'. One side proposes PFS with a Diffie-Hellman group, the other none or another one.",
                            "Make the child SA's PFS setting agree: the same DH group on both sides (strongSwan esp_proposals"
                                    + " with a group, libreswan pfs=yes/no and esp=...-modpNNNN, Cisco `set pfs groupN`), or"
                                    + " none on both.",
                            d.main.evidence(), List.of(Cause.CHILD_PROPOSAL_MISMATCH));
                    d.findings.add(0, f);
                    d.main = f;
                }
                return;
            }
        }
    }

    /**
     * A pre-shared key printed by a daemon's log whose state is this SA (its SPIs) is that side's own
     * key, in the role the log states: when the other side's HASH_I/HASH_R/AUTH, recomputed, comes from
     * none of the logged keys, the keys differ and it is the other side that uses another one (IKEv1
     * Aggressive Mode, where only AM2's HASH_R can be checked, included). With --psk the checks tried
     * the given keys: a logged key counts only when it is one of them.
     */
    private static void pskSides(IkeSa sa, SaDiagnosis d, KeyMaterial keys) {
        Cause c = d.cause();
        if (c != null && c != Cause.UNKNOWN && c != Cause.AUTH_FAILED
                && !(c == Cause.PSK_MISMATCH && d.confidence() != Confidence.HIGH)) {
            return;
        }
        for (KeyMaterial.Psk p : keys.loggedPsks) {
            // with --psk the checks tried the given keys: the logged key counts only when it is one of them
            if (!keys.psks.isEmpty() && keys.psks.stream().noneMatch(x -> java.util.Arrays.equals(x.secret(), p.secret()))) {
                continue;
            }
            int colon = p.source().lastIndexOf(':');
            String file = colon > 0 ? p.source().substring(0, colon) : p.source();
            String role = keys.daemonLog.roleIn(file, sa.spiI);
            if (role == null) {
                continue;
            }
            boolean ownInitiator = role.equals("initiator");
            String other = ownInitiator ? "responder" : "initiator";
            for (org.vpnsleuth.track.IkeMessage m : sa.messages) {
                org.vpnsleuth.ike.KeyCheck k = m.keyCheck;
                if (k == null || k.fromInitiator() == ownInitiator) {
                    continue;
                }
                boolean none = k.kind() == org.vpnsleuth.ike.KeyCheck.Kind.PSK_NONE
                        || k.kind() == org.vpnsleuth.ike.KeyCheck.Kind.HASH_OK && k.psk() == null && k.tried() > 0;
                if (!none) {
                    continue;
                }
                List<Evidence> ev = new ArrayList<>();
                ev.add(new Evidence(m.at, k.text()));
                if (d.main != null) {
                    ev.addAll(d.main.evidence());
                }
                Finding f = Diagnoser.finding(Cause.PSK_MISMATCH, Confidence.HIGH, d.main != null ? d.main.stoppedAt() : d.stoppedAt,
                        "the pre-shared keys differ: the " + role + " uses the key its log printed (" + p.source() + "), the "
                                + other + "'s " + k.what() + " is made with another",
                        "The " + role + "'s log ties its state to this SA (its SPIs) and prints the pre-shared key it used;"
                                + " recomputed from the capture, the " + other + "'s " + k.what() + " (frame " + m.at.frame()
                                + ") does not come from that key, so the " + other + " uses a different one."
                                + (d.main != null && d.main.cause() != Cause.PSK_MISMATCH ? " " + d.main.explanation() : ""),
                        "Give the " + other + " the same pre-shared key for this peer as the " + role + " (the one its log"
                                + " printed), or both a new one: libreswan ipsec.secrets, strongSwan secrets, Cisco `crypto"
                                + " isakmp key` / tunnel-group pre-shared-key.",
                        ev, d.main != null && d.main.cause() != Cause.PSK_MISMATCH && d.main.cause() != Cause.UNKNOWN
                                ? List.of(d.main.cause()) : List.of());
                d.findings.add(0, f);
                d.main = f;
                return;
            }
        }
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

    /** The evidence of the finding that gave the wire's reading (ESP one way), else the refused child's own. */
    private static List<Evidence> wireEvidence(SaDiagnosis d, String wire, ChildSa child) {
        for (Finding f : d.findings) {
            if (f.cause().name().equals(wire)) {
                return f.evidence();
            }
        }
        return child != null ? List.copyOf(child.evidence) : List.of();
    }

    /** The IKE role of the peer that sends no ESP while the other one does, or null when both or neither send. */
    private static String silentSide(IkeSa sa) {
        long fromInitiator = 0;
        long fromResponder = 0;
        for (org.vpnsleuth.track.EspFlow f : sa.flows) {
            if (sa.isInitiator(f.src)) {
                fromInitiator += f.packets;
            } else {
                fromResponder += f.packets;
            }
        }
        return fromInitiator == 0 && fromResponder > 0 ? "initiator" : fromResponder == 0 && fromInitiator > 0 ? "responder" : null;
    }

    /** Causes that a local install failure is reported to the peer as (RFC 7296 gives no notify for it). */
    private static final Set<Cause> LOOKS_LIKE = Set.of(Cause.CHILD_PROPOSAL_MISMATCH, Cause.TS_MISMATCH, Cause.UNKNOWN,
            Cause.PFS_MISMATCH, Cause.MODE_MISMATCH);

    /**
     * A daemon that says its kernel refused the child SA: the wire showed a refusal (NO_PROPOSAL_CHOSEN,
     * TS_UNACCEPTABLE) or nothing; the cause follows the log at HIGH confidence, the wire's reading stays
     * as an alternative.
     */
    private static void localFailure(IkeSa sa, SaDiagnosis d, KeyMaterial keys) {
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
        // ESP in one direction only, and the peer that sends none back says its kernel refused the child SA: its peer
        // installed the SA and sends, it has no SA to take the packets or to answer with
        // (an established SA's leading finding is chosen after this: ESP_ONE_WAY is then still one of its findings)
        boolean oneWayFinding = old == Cause.ESP_ONE_WAY
                || old == null && d.findings.stream().anyMatch(x -> x.cause() == Cause.ESP_ONE_WAY);
        boolean oneWay = oneWayFinding && silentSide(sa) != null
                && silentSide(sa).equals(keys.daemonLog.roleIn(install.file(), sa.spiI));
        if (oneWay) {
            old = Cause.ESP_ONE_WAY;
            for (ChildSa c : d.children) {
                if (child == null && c.cause == Cause.ESP_ONE_WAY) {
                    child = c;
                    wire = c.cause.name();
                }
            }
        }
        saLevel |= oneWay;
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
        d.daemonLogSays = oneWay
                ? who + " says what the wire cannot: its kernel refused to install the child SA ('" + install.text()
                        + "'); its peer installed the SA and sends ESP, which this side has no SA to take: the wire shows only"
                        + " ESP in one direction"
                : who + " says what the wire cannot: its kernel refused to install the child SA ('" + install.text()
                        + "'); the wire shows only " + ("no reason".equals(wire) ? "the child SA failing" : wire)
                        + ", the refusal its peer received";
        Finding f = Diagnoser.finding(Cause.CHILD_SA_INSTALL_FAILED, Confidence.HIGH,
                d.main != null ? d.main.stoppedAt() : d.stoppedAt,
                "the child SA could not be installed in " + install.daemon().title + "'s kernel (its log says so)",
                oneWay
                        ? "The negotiation itself agreed and the peer installed the child SA, but " + who + " failed to add it to"
                                + " its kernel: the peer's ESP reaches a host without the SA and nothing comes back, which the wire"
                                + " shows as ESP in one direction (" + wire + "), not the cause. Log line: '" + install.text() + "'."
                        : "The negotiation itself agreed, but " + who + " failed to add the SA to its kernel and then refused the child"
                                + " SA; on the wire that refusal reads as " + wire + ", which is not the cause. Log line: '"
                                + install.text() + "'.",
                "Fix the kernel side of that host: IPsec support (XFRM, ESP/AH and the negotiated algorithms in the kernel,"
                        + " e.g. CONFIG_INET_ESP / the esp4 module), SELinux labels, or a conflicting SA/policy; then retry.",
                d.main != null ? d.main.evidence() : wireEvidence(d, wire, child), alternatives);
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
