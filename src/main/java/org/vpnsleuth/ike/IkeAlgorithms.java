package org.vpnsleuth.ike;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The wire sizes each negotiated algorithm implies (IV carried in the message, cipher block, ICV),
 * loaded as data from {@code registry/ike/algorithm-sizes.tsv}; null for an algorithm whose sizes
 * the table does not give.
 */
public final class IkeAlgorithms {
    private IkeAlgorithms() {
    }

    /** Sizes of one algorithm. */
    public record Sizes(int ivLength, int blockSize, int icvLength) {
    }

    public static final String IKEV2_ENCR = "ikev2-encr";
    public static final String IKEV2_INTEG = "ikev2-integ";
    public static final String IKEV1_ENCR = "ikev1-encr";

    private static final Map<String, Sizes> SIZES = load();

    private static Map<String, Sizes> load() {
        Map<String, Sizes> m = new HashMap<>();
        String path = "/org/vpnsleuth/registry/ike/algorithm-sizes.tsv";
        try (InputStream in = IkeAlgorithms.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing registry resource " + path);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length < 5) {
                    throw new IllegalStateException(path + ":" + n + ": 5 columns expected");
                }
                m.put(f[0] + "/" + Integer.parseInt(f[1]),
                        new Sizes(Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** The sizes of transform {@code id} of {@code registry} ({@link #IKEV2_ENCR} ...), or null. */
    public static Sizes of(String registry, int id) {
        return SIZES.get(registry + "/" + id);
    }
}
