package org.vpnsleuth.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The stages depend one way only (docs/architecture.md): each package of the main code refers
 * only to packages before it in {@link #LAYERS}, by import or by fully qualified name. A package
 * not in the list fails the test, so a new one is placed on purpose.
 */
class PackageLayersTest {
    /** Left to right: a package may use the ones before it. */
    static final List<String> LAYERS = List.of("base", "capture", "decode", "crypto", "keys", "ike", "track",
            "diagnose", "overhead", "pipeline", "report", "live", "cli");

    private static final Path SRC = Path.of("src/main/java/org/vpnsleuth");
    private static final Pattern REF = Pattern.compile("\\borg\\.vpnsleuth\\.(\\w+)\\b");
    private static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\\\n])*\"");

    @Test
    void everyPackageIsPlaced() throws IOException {
        TreeSet<String> packages = new TreeSet<>();
        try (Stream<Path> s = Files.list(SRC)) {
            s.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
        }
        assertThat(packages).as("packages under %s", SRC).isSubsetOf(LAYERS);
        assertThat(packages).contains("base", "decode", "ike", "track", "diagnose", "report", "cli");
    }

    @Test
    void dependenciesPointLeftOnly() throws IOException {
        List<String> wrong = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(SRC)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).hasSizeGreaterThan(100);
        for (Path f : files) {
            String pkg = SRC.relativize(f).getName(0).toString();
            int own = LAYERS.indexOf(pkg);
            String text = Files.readString(f, StandardCharsets.UTF_8);
            text = STRINGS.matcher(COMMENTS.matcher(text).replaceAll(" ")).replaceAll("\"\"");
            Matcher m = REF.matcher(text);
            while (m.find()) {
                String used = m.group(1);
                int at = LAYERS.indexOf(used);
                if (at < 0 || at > own) {
                    wrong.add(SRC.relativize(f) + " (" + pkg + ") uses " + used);
                }
            }
        }
        assertThat(wrong).as("references to a later stage or an unplaced package").isEmpty();
    }

    /** The check itself finds a reference to a later stage (so an empty result means something). */
    @Test
    void theCheckSeesFullyQualifiedNamesAndImports() {
        String sample = "import org.vpnsleuth.ike.IkeDecodeState;\nclass X { org.vpnsleuth.crypto.Prf p; // org.vpnsleuth.cli\n}";
        String text = COMMENTS.matcher(sample).replaceAll(" ");
        List<String> found = new ArrayList<>();
        Matcher m = REF.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsExactly("ike", "crypto");
    }
}
