package org.vpnsleuth.ike;

import java.util.HashMap;
import java.util.Map;
import org.vpnsleuth.base.NameTable;

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
        for (String[] f : NameTable.rows("ike/algorithm-sizes", 6)) {
            m.put(f[0] + "/" + Integer.parseInt(f[1]),
                    new Sizes(Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4])));
        }
        return m;
    }

    /** The sizes of transform {@code id} of {@code registry} ({@link #IKEV2_ENCR} ...), or null. */
    public static Sizes of(String registry, int id) {
        return SIZES.get(registry + "/" + id);
    }
}
