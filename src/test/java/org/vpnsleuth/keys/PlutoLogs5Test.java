package org.vpnsleuth.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/**
 * libreswan 5.x's log format, on real 5.1 and 5.2 lines users posted in libreswan's issues (the
 * fixtures' README names them; no 5.x ran here): recognised as a pluto log, each state's lines
 * tied to it by its number even with the '"conn"[N] ADDRESS #N: ' prefix of an instantiated
 * connection, the child SPIs of the SA summary '{ESPinUDP=>0x54da5e87 <0x16413155 ...}' tied to
 * that state, the journald stamp read, and none of these lines (a proposal shown, a responder's
 * Quick Mode reply, an XAUTH success, a warning) taken for a failure.
 */
class PlutoLogs5Test {
    static Path fixture(String name) throws Exception {
        return Path.of(PlutoLogs5Test.class.getResource("/org/vpnsleuth/keys/libreswan5/" + name).toURI());
    }

    @Test
    void libreswan51QuickModeResponderLines() throws Exception {
        Path f = fixture("pluto-5.1-issue1857.log");
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(f, k)).isEqualTo(KeyFiles.Kind.PLUTO_LOG);
        String file = f.toString();
        // '"tunnel8"[2] 6.149.27.119 #4: sent Quick Mode reply, ... {ESPinUDP=>0x54da5e87 <0x16413155 ...': state #4's SPIs
        assertThat(k.daemonLog.childSpisOf(file, "#4")).containsExactlyInAnyOrder("54da5e87", "16413155");
        assertThat(k.daemonLog.childSpisOf(file, "#3")).isEmpty();
        // not one of these lines states a failure or an outcome of the registry's kinds
        assertThat(k.daemonLog.lines).isEmpty();
        // no PSK, no keys: one warning that says what the log lacks
        assertThat(k.esp).isEmpty();
        assertThat(k.warnings).singleElement().asString().contains("a libreswan pluto log (6 lines)")
                .contains("without a pre-shared key");
        DaemonLog.Stamp s = DaemonLog.stamp("Jan 22 09:43:42 sol1 pluto[1313774]: \"tunnel8\"[2] 6.149.27.119 #4: x");
        assertThat(s.at()).isEqualTo(LocalDateTime.of(0, 1, 22, 9, 43, 42));
    }

    @Test
    void libreswan52XauthLines() throws Exception {
        Path f = fixture("pluto-5.2-issue2051.log");
        KeyMaterial k = new KeyMaterial();
        assertThat(KeyFiles.load(f, k)).isEqualTo(KeyFiles.Kind.PLUTO_LOG);
        // 'XAUTH: User ...: Authentication Successful' is no authentication failure
        assertThat(k.daemonLog.lines).isEmpty();
        assertThat(k.warnings).singleElement().asString().contains("a libreswan pluto log (11 lines)");
        assertThat(k.loggedPsks).isEmpty();
        assertThat(k.ikev2).isEmpty();
    }
}
