package org.vpnsleuth.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line forms the daemons' logs come in (issue 20): pluto's own logfile with logtime (and
 * without), syslog and journald lines of pluto and charon, charon's filelog with its time_format;
 * the time stamp is read, the prefix stripped, the outcome kept; secrets never kept. The line forms
 * are those of the daemons' documentation and of the logs in captures/ (libreswan 4.10, strongSwan
 * 5.9.8); the expected times are the stamps' own fields.
 */
class DaemonLogTest {
    @TempDir
    Path tmp;

    @Test
    void timeStampsAndPrefixesOfEveryForm() {
        // pluto's logfile, logtime=yes (captures/ls-*.log.gz): no year
        DaemonLog.Stamp s = DaemonLog.stamp("Dec  7 18:29:45.364901: \"vpn\" #2: setup_half_ipsec_sa() hit fail:");
        assertThat(s.time()).isEqualTo("Dec  7 18:29:45.364901");
        assertThat(s.at()).isEqualTo(LocalDateTime.of(0, 12, 7, 18, 29, 45, 364_901_000));
        // syslog (rsyslog's traditional format) and journald's short format: the host and program go too
        s = DaemonLog.stamp("Dec  7 18:29:45 gw pluto[1234]: \"vpn\" #1: deleting state");
        String line = "Dec  7 18:29:45 gw pluto[1234]: \"vpn\" #1: deleting state";
        assertThat(line.substring(s.messageStart())).isEqualTo("\"vpn\" #1: deleting state");
        line = "Dec 07 18:29:45 gw charon[99]: 09[IKE] <vpn|1> giving up after 3 retransmits";
        s = DaemonLog.stamp(line);
        assertThat(line.substring(s.messageStart())).isEqualTo("09[IKE] <vpn|1> giving up after 3 retransmits");
        assertThat(s.at()).isEqualTo(LocalDateTime.of(0, 12, 7, 18, 29, 45));
        // journalctl -o short-iso and charon's filelog with time_format %Y-%m-%d %H:%M:%S: with the year
        line = "2026-12-07T18:29:45+0000 gw charon-systemd[7]: 09[IKE] <vpn|1> giving up after 3 retransmits";
        s = DaemonLog.stamp(line);
        assertThat(s.at()).isEqualTo(LocalDateTime.of(2026, 12, 7, 18, 29, 45));
        assertThat(line.substring(s.messageStart())).startsWith("09[IKE]");
        s = DaemonLog.stamp("2026-12-07 18:30:58 09[IKE] <vpn|1> received TS_UNACCEPTABLE notify, no CHILD_SA built");
        assertThat(s.at()).isEqualTo(LocalDateTime.of(2026, 12, 7, 18, 30, 58));
        // logtime=no: no stamp, the message is the line
        s = DaemonLog.stamp("\"vpn\" #1: no acceptable Oakley Transform");
        assertThat(s.time()).isEmpty();
        assertThat(s.at()).isNull();
        assertThat(s.messageStart()).isZero();
    }

    @Test
    void aPlutoLogInEveryFormGivesItsOutcomesAndNeverASecret() throws Exception {
        // the same outcome lines, as libreswan writes them to its logfile without time and to syslog
        String psk = "| PreShared Key\n|   73 65 63 72  65 74                                   secret\n";
        String body = "\"vpn\" #1: initiating IKEv2 connection\n"
                + psk
                + "\"vpn\" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE\n"
                + "ERROR: \"vpn\" #2: netlink response for Add SA esp.c500a83e@192.0.2.1: Function not implemented (errno 38)\n"
                + "\"vpn\" #1: pre-shared key 0123456789abcdef0123456789abcdef failed\n";
        Path plain = tmp.resolve("pluto.log");
        Files.writeString(plain, body, StandardCharsets.UTF_8);
        StringBuilder sys = new StringBuilder();
        for (String l : body.split("\n")) {
            sys.append("Dec  7 18:29:45 gw pluto[1234]: ").append(l).append('\n');
        }
        Path syslog = tmp.resolve("messages");
        Files.writeString(syslog, sys, StandardCharsets.UTF_8);
        for (Path p : new Path[] {plain, syslog}) {
            KeyMaterial k = new KeyMaterial();
            assertThat(KeyFiles.load(p, k)).as(p.toString()).isEqualTo(KeyFiles.Kind.PLUTO_LOG);
            assertThat(k.loggedPsks).extracting(x -> new String(x.secret(), StandardCharsets.UTF_8)).containsExactly("secret");
            assertThat(k.daemonLog.lines).extracting(DaemonLog.Line::text).containsExactly(
                    "\"vpn\" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE",
                    "ERROR: \"vpn\" #2: netlink response for Add SA esp.c500a83e@192.0.2.1: Function not implemented (errno 38)");
            assertThat(k.daemonLog.lines).extracting(DaemonLog.Line::kind).containsExactly("ts", "install");
            assertThat(k.daemonLog.lines).extracting(DaemonLog.Line::sa).containsExactly("#2", "#2");
            assertThat(k.daemonLog.childSpisOf(p.toString(), "#2")).containsExactly("c500a83e");
            assertThat(k.daemonLog.roles).containsEntry(p.toString() + "\0#1", "initiator");
        }
    }

    @Test
    void aGzippedRotatedLogIsReadAsItIs() throws Exception {
        Path gz = tmp.resolve("pluto.log.1.gz");
        try (java.io.OutputStream o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("Dec  7 18:29:45.000001: \"vpn\" #1: no acceptable Oakley Transform\n".getBytes(StandardCharsets.UTF_8));
        }
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(gz, k)).isEqualTo(KeyFiles.Kind.PLUTO_LOG);
        assertThat(k.daemonLog.lines).extracting(DaemonLog.Line::number).containsExactly(1L);
        // no debug lines: one warning saying what the log lacks and how to get it
        assertThat(k.warnings).hasSize(1);
        assertThat(k.warnings.get(0)).contains("without debug lines").contains("plutodebug");
    }

    @Test
    void matchedLinesAreBoundedPerFile() throws Exception {
        Path big = tmp.resolve("charon.log");
        try (java.io.Writer w = Files.newBufferedWriter(big)) {
            for (int i = 0; i < DaemonLog.MAX_LINES + 500; i++) {
                w.write("2026-12-07 18:30:58 09[IKE] <vpn|" + (i + 1) + "> giving up after 3 retransmits\n");
            }
        }
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(big, k);
        assertThat(k.daemonLog.lines).hasSize(DaemonLog.MAX_LINES);
        assertThat(k.daemonLog.dropped).containsEntry(big.toString(), 500L);
    }
}
