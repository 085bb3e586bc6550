package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.ike.IkeRegistries;

/**
 * ESP/AH algorithm names for the stack syntax, from the existing registries: the names key files
 * accept ({@code registry/keys/algorithm-names.tsv}: "aes-gcm-16-256", "sha256", strongSwan's
 * "aes_cbc_128", tcpdump's "aes256") and the IANA IKEv2 transform names ({@code ike/ikev2-encr.tsv},
 * {@code ike/ikev2-integ.tsv}: "ENCR_AES_GCM_16", "AUTH_HMAC_SHA2_256_128", also without the
 * prefix), all case-insensitive.
 */
public final class Algorithms {
    private Algorithms() {
    }

    /** An algorithm: "encr" or "integ", its IKEv2 transform ID, key bits (0: not given or fixed). */
    public record Algorithm(String kind, int id, int keyBits) {
    }

    private static final Map<String, Algorithm> NAMES = new LinkedHashMap<>();
    /** The first (canonical) name of each kind/id/bits. */
    private static final Map<Algorithm, String> CANONICAL = new LinkedHashMap<>();

    static {
        for (String[] r : NameTable.rows("keys/algorithm-names", 4)) {
            Algorithm a = new Algorithm(r[1].trim(), Integer.parseInt(r[2].trim()), Integer.parseInt(r[3].trim()));
            String name = LayerTable.lower(r[0]);
            NAMES.putIfAbsent(name, a);
            CANONICAL.putIfAbsent(a, name);
        }
        iana("encr", IkeRegistries.IKEV2_ENCR, "encr_");
        iana("integ", IkeRegistries.IKEV2_INTEG, "auth_");
    }

    private static void iana(String kind, NameTable t, String prefix) {
        for (int id = 0; id < 1024; id++) {
            String n = t.name(id);
            if (n == null) {
                continue;
            }
            String name = LayerTable.lower(n);
            Algorithm a = new Algorithm(kind, id, 0);
            NAMES.putIfAbsent(name, a);
            if (name.startsWith(prefix)) {
                NAMES.putIfAbsent(name.substring(prefix.length()), a);
            }
            CANONICAL.putIfAbsent(a, name);
        }
    }

    /** The algorithm of that name, or null. */
    public static Algorithm byName(String name) {
        return NAMES.get(LayerTable.lower(name));
    }

    /** A readable name of the algorithm: the first name the tables give it, else "KIND-ID". */
    public static String name(String kind, int id, int keyBits) {
        String n = CANONICAL.get(new Algorithm(kind, id, keyBits));
        if (n == null) {
            n = CANONICAL.get(new Algorithm(kind, id, 0));
        }
        return n != null ? n : kind + "-" + id;
    }

    /** The canonical names of one kind ("encr" or "integ") whose sizes the algorithm-sizes table gives. */
    public static List<String> names(String kind) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Algorithm, String> e : CANONICAL.entrySet()) {
            Algorithm a = e.getKey();
            if (a.kind().equals(kind) && !e.getValue().contains("_")
                    && org.vpnsleuth.ike.IkeAlgorithms.of(kind.equals("encr") ? "ikev2-encr" : "ikev2-integ", a.id()) != null) {
                out.add(e.getValue());
            }
        }
        return out;
    }
}
