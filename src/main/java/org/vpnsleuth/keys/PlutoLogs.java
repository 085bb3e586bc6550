package org.vpnsleuth.keys;

import java.io.IOException;
import java.util.regex.Pattern;
import org.vpnsleuth.base.TextLines;

/**
 * libreswan's pluto log (4.x and 5.x; its own logfile with or without {@code logtime}, or syslog /
 * journald lines of {@code pluto[PID]}): what it holds for the analysis.
 * <ul>
 * <li>{@code plutodebug=base} (part of {@code all}): the IKE SPIs (IKEv1 cookies) of each state
 * ("hash_table_entries.ike_spis ... #1: ac a8 ...") tie its states to the capture's SAs;</li>
 * <li>{@code plutodebug=crypt}: the pre-shared key ("| PreShared Key" and its hex rows), used for the
 * PSK checks like a PSK a strongSwan log printed;</li>
 * <li>without debug: the outcome lines ('"vpn" #2: ...', "ERROR: ..."), kept as evidence
 * ({@link DaemonLog}).</li>
 * </ul>
 * libreswan 4.10 derives SKEYSEED/SK_* inside NSS and never prints them, even with {@code crypt}:
 * the log gives no IKE SA keys (docs/keys.md).
 */
final class PlutoLogs {
    private PlutoLogs() {
    }

    /** A pluto line: its logtime stamp, a syslog "pluto[PID]:", its start-up banner, or a state's '"conn" #N: '. */
    private static final Pattern PLUTO = Pattern.compile(
            "^[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}\\.\\d{6}: |\\bpluto\\[\\d+\\]: |Starting Pluto \\(Libreswan"
                    + "|^\"[^\"]+\"(?:\\[\\d+\\])? (?:[^ ]+ )*#\\d+: |^\\| ");

    static boolean looksLikePluto(String line) {
        return PLUTO.matcher(line).find();
    }

    /** Longest pre-shared key read from a dump, in bytes (libreswan's PSKs are text of a few dozen bytes). */
    private static final int MAX_PSK = 4096;

    static void read(String file, TextLines lines, KeyMaterial into) throws IOException {
        DaemonLog evidence = new DaemonLog();
        StringBuilder psk = null;
        long pskLine = 0;
        long total = 0;
        long debug = 0;
        int psks = 0;
        for (String line; (line = lines.next()) != null; ) {
            total++;
            DaemonLog.Stamp s = DaemonLog.stamp(line);
            if (psk != null) {
                String row = DaemonLog.plutoRow(line, s);
                if (row != null && psk.length() < 2 * MAX_PSK) {
                    psk.append(row);
                    continue;
                }
                if (addPsk(into, psk, file, pskLine)) {
                    psks++;
                }
                psk = null;
            }
            if (DaemonLog.plutoDebug(line, s)) {
                debug++;
                if (line.endsWith("| PreShared Key") || line.endsWith("| PreShared Key:")) {
                    psk = new StringBuilder();
                    pskLine = lines.number();
                    continue;
                }
            }
            evidence.plutoLine(file, lines.number(), line, s);
        }
        if (psk != null && addPsk(into, psk, file, pskLine)) {
            psks++;
        }
        into.daemonLog.addAll(evidence);
        String what = String.format("%s: a libreswan pluto log (%,d lines)", file, total);
        if (debug == 0) {
            into.warnings.add(what + " without debug lines: no SPIs tie its states to the capture (they are matched by time"
                    + " and address only) and no pre-shared key; its " + evidence.lines.size() + " outcome line(s) are used as"
                    + " evidence. For more set plutodebug=\"all crypt\" in ipsec.conf's config setup (docs/keys.md)");
        } else if (psks == 0) {
            into.warnings.add(what + " without a pre-shared key ('PreShared Key' dumps need plutodebug=\"crypt\" and an SA that"
                    + " got as far as authentication; connections with certificates have none) and, as any libreswan 4.x log, without IKE SA keys (NSS keeps"
                    + " SKEYSEED/SK_*): used to tie its states to the capture and as evidence (" + evidence.lines.size()
                    + " outcome line(s)); to decrypt give the strongSwan peer's log or a keys file (docs/keys.md)");
        }
    }

    private static boolean addPsk(KeyMaterial into, StringBuilder hex, String file, long line) {
        if (hex.length() == 0 || hex.length() > 2 * MAX_PSK) {
            return false;
        }
        byte[] k = DaemonLog.unhex(hex.toString());
        if (into.loggedPsks.stream().noneMatch(x -> java.util.Arrays.equals(x.secret(), k))) {
            into.loggedPsks.add(new KeyMaterial.Psk(k, null, file + ":" + line));
        }
        return true; // a key was dumped (the same key again is kept once)
    }
}
