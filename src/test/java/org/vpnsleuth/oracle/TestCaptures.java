package org.vpnsleuth.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Where the oracle tests find their captures. */
final class TestCaptures {
    private TestCaptures() {
    }

    /** The project directory (surefire sets basedir; the working directory otherwise). */
    static Path baseDir() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    /** The project's own captures (strongSwan scenarios): captures/. */
    static Path capturesDir() {
        return baseDir().resolve("captures");
    }

    /**
     * tcpdump's test captures in the shared corpus, beside the repository: ../shared/corpus/tcpdump
     * (override with -Dvpnsleuth.corpus=DIR or the VPNSLEUTH_CORPUS environment variable).
     */
    static Path corpusDir() {
        String o = System.getProperty("vpnsleuth.corpus");
        if (o == null || o.isEmpty()) {
            o = System.getenv("VPNSLEUTH_CORPUS");
        }
        if (o != null && !o.isEmpty()) {
            return Path.of(o).toAbsolutePath().normalize();
        }
        return baseDir().resolve("../shared/corpus/tcpdump").normalize();
    }

    /** Regular files in {@code dir} whose names end with one of the suffixes (never a *.log.gz), sorted by name. */
    static List<Path> list(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        if (n.endsWith(".log.gz")) {
                            return false; // a gzipped daemon log (libreswan's, ls-*): key material, no capture
                        }
                        for (String suf : suffixes) {
                            if (n.endsWith(suf)) {
                                return true;
                            }
                        }
                        return false;
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }
}
