package org.vpnsleuth.keys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.NameTable;

/**
 * The algorithm names of Wireshark's decryption tables (registry/keys/wireshark-names.tsv), both
 * ways: the name {@code keys export} writes for an algorithm, and what a name read from a table
 * means to vpnsleuth.
 */
public final class WiresharkNames {
    private WiresharkNames() {
    }

    /** What a Wireshark name means. */
    public enum Use {
        /** an algorithm vpnsleuth decrypts or checks ({@link Name#id()}) */
        ALGORITHM,
        /** an ICV of {@link Name#bits()} bits that is not checked ("ANY 96 bit authentication") */
        UNCHECKED_ICV,
        /** a name Wireshark offers that vpnsleuth cannot use */
        UNSUPPORTED
    }

    /** One row: table ("ikev2-encr", "ikev2-integ", "esp-encr", "esp-integ"), meaning, Wireshark's name, how it was checked. */
    public record Name(String table, Use use, int id, int bits, String name, String checked) {
    }

    private static final List<Name> ROWS = load();
    private static final Map<String, Name> BY_NAME = new HashMap<>();

    static {
        for (Name n : ROWS) {
            BY_NAME.putIfAbsent(n.table() + "/" + n.name(), n);
        }
    }

    private static List<Name> load() {
        List<Name> l = new ArrayList<>();
        for (String[] r : NameTable.rows("keys/wireshark-names", 5)) {
            String id = r[1].trim();
            Use use = id.equals("-") ? Use.UNSUPPORTED : id.equals("icv") ? Use.UNCHECKED_ICV : Use.ALGORITHM;
            l.add(new Name(r[0].trim(), use, use == Use.ALGORITHM ? Integer.parseInt(id) : -1, Integer.parseInt(r[2].trim()),
                    r[3].trim(), r[4].trim()));
        }
        return List.copyOf(l);
    }

    /** Every row, in the table's order. */
    public static List<Name> all() {
        return ROWS;
    }

    /** The row of that exact name in that table, or null. */
    public static Name byName(String table, String name) {
        return BY_NAME.get(table + "/" + name);
    }

    /**
     * The name Wireshark knows the algorithm by (IKEv2 transform ID and key bits; a row or a
     * request with 0 bits matches any), or null.
     */
    public static String name(String table, int id, int bits) {
        String any = null;
        for (Name n : ROWS) {
            if (n.table().equals(table) && n.use() == Use.ALGORITHM && n.id() == id) {
                if (n.bits() == bits) {
                    return n.name();
                }
                if ((n.bits() == 0 || bits == 0) && any == null) {
                    any = n.name();
                }
            }
        }
        return any;
    }

    /** The name of an unchecked ICV of that many bits ("ANY 96 bit authentication [no checking]"), or null. */
    public static String uncheckedIcv(String table, int bits) {
        for (Name n : ROWS) {
            if (n.table().equals(table) && n.use() == Use.UNCHECKED_ICV && n.bits() == bits) {
                return n.name();
            }
        }
        return null;
    }

    /** A few of the table's names, for a message about a name that is none of them. */
    public static String examples(String table) {
        List<String> l = new ArrayList<>();
        for (Name n : ROWS) {
            if (n.table().equals(table) && n.use() == Use.ALGORITHM && l.size() < 3) {
                l.add('"' + n.name() + '"');
            }
        }
        return String.join(", ", l);
    }
}
