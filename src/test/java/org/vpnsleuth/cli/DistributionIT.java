package org.vpnsleuth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable distribution (issue 15), after `mvn package`: target/vpnsleuth-VERSION.tar.gz
 * unpacked into a temporary directory; its launcher run from another directory, by path and by
 * name through a PATH that holds java and a few base tools but no mvn; its man page read by groff;
 * its completion script loaded by bash, and by zsh (through compinit and bashcompinit, as the script
 * itself does) and bash in an interactive shell on a pseudo-terminal where TAB is pressed.
 */
class DistributionIT {
    /** The tools the launcher uses (POSIX sh and coreutils), linked into the test's PATH. */
    private static final List<String> TOOLS = List.of("sh", "dirname", "readlink", "ls", "head", "stat", "cksum", "cut", "mkdir",
            "find", "mv", "rm", "cat");

    @TempDir
    Path tmp;

    private Path unpack() throws Exception {
        Path tar;
        try (var s = Files.list(Path.of("target"))) {
            tar = s.filter(p -> p.getFileName().toString().matches("vpnsleuth-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/vpnsleuth-*.tar.gz: mvn package builds it"));
        }
        Path into = Files.createDirectories(tmp.resolve("opt"));
        CliRun.exec(List.of("tar", "xzf", tar.toAbsolutePath().toString(), "-C", into.toString()), Map.of(), null, false);
        try (var s = Files.list(into)) {
            return s.findFirst().orElseThrow();
        }
    }

    /** A PATH directory with java, the launcher's tools and `vpnsleuth` (a symbolic link to the launcher), and no mvn. */
    private Path pathWithoutMaven(Path home) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("path-bin"));
        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String t : TOOLS) {
            String p = CliRun.onPath(t);
            assertThat(p).as(t).isNotNull();
            Files.createSymbolicLink(bin.resolve(t), Path.of(p));
        }
        Files.createSymbolicLink(bin.resolve("vpnsleuth"), home.resolve("bin/vpnsleuth"));
        return bin;
    }

    @Test
    void theLauncherRunsFromAnyDirectoryAndFromPathWithoutMaven() throws Exception {
        Path home = unpack();
        assertThat(home.getFileName().toString()).startsWith("vpnsleuth-");
        assertThat(Files.isExecutable(home.resolve("bin/vpnsleuth"))).isTrue();
        try (var s = Files.list(home.resolve("lib"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).singleElement().asString().matches("vpnsleuth-.*\\.jar");
        }
        Path bin = pathWithoutMaven(home);
        Path elsewhere = Files.createDirectories(tmp.resolve("somewhere/else"));
        Files.copy(Path.of(CliRun.capture("fail-ikev1-psk.pcapng")), elsewhere.resolve("x.pcapng"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin.toString());
        env.put("HOME", tmp.resolve("home").toString());
        env.put("LANG", "C.UTF-8");
        Map<String, String> expected = CliRun.expectedVerdicts().get("fail-ikev1-psk.pcapng");
        String verdict = expected.get("verdict") + " at " + expected.get("stoppedAt") + " — " + expected.get("cause");
        // by name through PATH (twice: the first run makes the class-data-sharing archive, the second uses it)
        for (int i = 0; i < 2; i++) {
            String out = new String(CliRun.exec(List.of("sh", "-c", "command -v mvn || vpnsleuth analyze --brief x.pcapng"), env, elsewhere, true),
                    StandardCharsets.UTF_8);
            assertThat(out).as("no mvn on this PATH; the report").startsWith("IKEv1 ").contains(verdict);
        }
        try (var s = Files.list(tmp.resolve("home/.cache/vpnsleuth"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).singleElement().asString().endsWith(".jsa");
        }
        // by its path, from another directory, with VPNSLEUTH_CDS=0
        env.put("VPNSLEUTH_CDS", "0");
        String version = new String(CliRun.exec(List.of(home.resolve("bin/vpnsleuth").toString(), "--version"), env, elsewhere, true),
                StandardCharsets.UTF_8);
        assertThat(version).startsWith("vpnsleuth ").doesNotContain("development build");
        // psk-crack, which the launcher runs with JVM options of its own (serial GC, no tiered
        // compilation), with and without the archive; the key is the one the capture's strongSwan
        // configuration set (captures/README.md)
        Files.copy(Path.of(CliRun.capture("ikev1-aggressive-sha1.pcapng")), elsewhere.resolve("am.pcapng"));
        Files.write(elsewhere.resolve("words.txt"), "secret\npassword\nvpnsleuth-test-psk-0123456789\nlast\n".getBytes(StandardCharsets.UTF_8));
        for (String cds : new String[] {"0", "1", "1"}) {
            env.put("VPNSLEUTH_CDS", cds);
            String found = new String(CliRun.exec(List.of("sh", "-c", "vpnsleuth psk-crack -q am.pcapng --wordlist words.txt"), env,
                    elsewhere, true), StandardCharsets.UTF_8);
            assertThat(found).as("VPNSLEUTH_CDS=" + cds).contains("PSK found: vpnsleuth-test-psk-0123456789");
        }
    }

    @Test
    void theManPageIsValidTroffAndNamesEveryCommand() throws Exception {
        Path home = unpack();
        Path man = home.resolve("share/man/man1/vpnsleuth.1");
        String page = Files.readString(man, StandardCharsets.UTF_8);
        // the commands README.md documents, each a section of the man page
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| `vpnsleuth ([a-z-]+)").matcher(readme);
        java.util.Set<String> commands = new java.util.TreeSet<>();
        while (m.find()) {
            commands.add(m.group(1));
        }
        assertThat(commands).contains("analyze", "dissect", "overhead", "live");
        for (String c : commands) {
            assertThat(page).as(c).contains(".SS \"vpnsleuth " + c.replace("-", "\\-") + "\"");
        }
        String groff = CliRun.onPath("groff");
        // under CI (.ci/run installs groff-base) the man page is always checked
        assertThat(groff != null || !"true".equals(System.getenv("CI"))).as("groff is needed under CI=true").isTrue();
        if (groff != null) { // groff -ww: every warning; none may be printed
            ProcessBuilder pb = new ProcessBuilder(groff, "-man", "-ww", "-z", man.toString()).redirectErrorStream(true);
            Process p = pb.start();
            String warnings = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(warnings).isEmpty();
        }
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        Path home = unpack();
        Path script = home.resolve("share/bash-completion/completions/vpnsleuth");
        String bash = CliRun.onPath("bash");
        assertThat(bash).isNotNull();
        String test = "source '" + script + "'; complete -p vpnsleuth >/dev/null || exit 9;"
                + " COMP_WORDS=(vpnsleuth an); COMP_CWORD=1; COMP_LINE='vpnsleuth an'; COMP_POINT=${#COMP_LINE};"
                + " _complete_vpnsleuth vpnsleuth an vpnsleuth; echo \"${COMPREPLY[*]}\";"
                + " COMP_WORDS=(vpnsleuth analyze --bri); COMP_CWORD=2; COMP_LINE='vpnsleuth analyze --bri'; COMP_POINT=${#COMP_LINE};"
                + " _complete_vpnsleuth vpnsleuth --bri analyze; echo \"${COMPREPLY[*]}\"";
        List<String> cmd = new ArrayList<>(List.of(bash, "-c", test));
        String out = new String(CliRun.exec(cmd, Map.of("PATH", System.getenv("PATH")), null, true), StandardCharsets.UTF_8);
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0).split(" ")).contains("analyze");
        assertThat(lines.get(1).split(" ")).contains("--brief");
    }

    /** The commands of README's table (the man page test reads the same table). */
    private static java.util.Set<String> readmeCommands() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| `vpnsleuth ([a-z-]+)").matcher(readme);
        java.util.Set<String> commands = new java.util.TreeSet<>();
        while (m.find()) {
            commands.add(m.group(1));
        }
        return commands;
    }

    /**
     * The driver: an interactive shell (zsh or bash) on a pseudo-terminal (zsh's zpty module) with
     * the distribution's completion script sourced (zsh: after compinit), and {@code vpnsleuth} a shell
     * function that prints its arguments; keys are typed as a user would, TAB included, and the
     * terminal's output is printed. What TAB made of a line is what the function printed when Enter
     * ran it; a TAB on an empty word lists the candidates (waited for: zsh lists nothing while keys
     * are still pending).
     */
    private static final String ZSH_DRIVER = """
            zmodload zsh/zpty || exit 7
            zpty z @SHELL@
            zpty -w z @SETUP@
            out=
            integer i=0
            zpty -w z $'echo READ""Y'
            # the set-up is done when READY is printed; then TAB on an empty word lists the commands
            while (( i++ < 400 )) && [[ $out != *READY* ]]; do if zpty -r -t z line; then out+=$line; else sleep 0.05; fi; done
            zpty -w -n z $'vpnsleuth @LIST@'
            i=0
            while (( i++ < 400 )) && [[ $out != *psk-crack* ]]; do if zpty -r -t z line; then out+=$line; else sleep 0.05; fi; done
            zpty -w -n z $'\\x15'
            zpty -w z $'echo LIST""END'
            zpty -w z $'vpnsleuth an\\t --bri\\t'
            zpty -w z $'vpnsleuth analyze --form\\t ht\\t'
            zpty -w z $'vpnsleuth diss\\t --fr\\t 1-2'
            zpty -w z $'echo DO""NE'
            i=0
            while (( i++ < 600 )) && [[ $out != *DONE* ]]; do if zpty -r -t z line; then out+=$line; else sleep 0.05; fi; done
            zpty -d z
            print -r -- "$out"
            """;

    /** zsh: compinit, then the script (which loads bashcompinit); one TAB on an empty word lists the candidates. */
    private static final String ZSH = ZSH_DRIVER.replace("@SHELL@", "zsh -f -i").replace("@SETUP@",
            "\"PS1='%% '; vpnsleuth() { print -r -- \\\"ARGS:\\$*:END\\\" }; autoload -U compinit; compinit -u -D; source '$1'\"")
            .replace("@LIST@", "\\t");
    /** bash (readline): the script as a user's .bashrc would source it; two TABs list the candidates. */
    private static final String BASH = ZSH_DRIVER.replace("@SHELL@", "bash --norc --noprofile -i").replace("@SETUP@",
            "\"PS1='$ '; vpnsleuth() { echo \\\"ARGS:\\$*:END\\\"; }; source '$1'\"").replace("@LIST@", "\\t\\t");

    @Test
    void zshCompletesCommandsAndOptionsOnTab() throws Exception {
        tabCompletion(ZSH);
    }

    @Test
    void bashCompletesCommandsAndOptionsOnTab() throws Exception {
        tabCompletion(BASH);
    }

    /** Runs {@code driver} (through zsh's zpty module) on the distribution's script and checks what TAB did. */
    private void tabCompletion(String driverText) throws Exception {
        String zsh = CliRun.onPath("zsh");
        if (zsh == null) {
            // .ci/run installs zsh: under CI=true it must be there
            assertThat("true".equals(System.getenv("CI"))).as("zsh is needed under CI=true (.ci/run installs it)").isFalse();
            org.junit.jupiter.api.Assumptions.abort("zsh is not installed (Debian: apt-get install zsh): completion on TAB"
                    + " not checked (zsh's zpty module is the pseudo-terminal)");
        }
        Path home = unpack();
        Path script = home.resolve("share/bash-completion/completions/vpnsleuth");
        Path driver = tmp.resolve("driver.zsh");
        Files.writeString(driver, driverText);
        String out = new String(CliRun.exec(List.of(zsh, "-f", driver.toString(), script.toString()),
                Map.of("PATH", System.getenv("PATH"), "TERM", "xterm", "HOME", tmp.toString()), null, true), StandardCharsets.UTF_8);
        String plain = out.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "");
        assertThat(plain).as("the terminal's output:%n%s", plain).contains("DONE");
        // TAB after the command lists every command of README's table
        String listing = plain.substring(0, plain.indexOf("LISTEND"));
        java.util.Set<String> words = new java.util.HashSet<>(List.of(listing.split("\\s+")));
        assertThat(words).as("the listing after `vpnsleuth TAB`:%n%s", listing).containsAll(readmeCommands());
        // a unique prefix is completed: commands, options, an option's values
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ARGS:(.*):END$").matcher(plain);
        List<String> lines = new ArrayList<>();
        while (m.find()) {
            lines.add(m.group(1));
        }
        assertThat(lines).as("what the completed lines ran:%n%s", plain)
                .containsExactly("analyze --brief", "analyze --format html", "dissect --frames 1-2");
    }
}
