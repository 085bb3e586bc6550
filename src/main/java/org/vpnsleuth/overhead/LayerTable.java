package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.base.NameTable;

/**
 * The overhead model's constants as data: {@code registry/overhead/layers.tsv} (bytes per layer and
 * parameter, with the RFC) and {@code registry/overhead/stack-grammar.tsv} (which layer goes inside
 * which).
 */
final class LayerTable {
    private LayerTable() {
    }

    /** One row of layers.tsv. */
    record Row(String layer, String param, String kind, int bytes, Map<String, String> rule, String source, String meaning) {
        int ruleInt(String key, int dflt) {
            String v = rule.get(key);
            return v == null ? dflt : Integer.parseInt(v);
        }
    }

    /** One row of stack-grammar.tsv. */
    record Grammar(String layer, List<String> follows, boolean mayEnd, boolean framing, String meaning) {
    }

    static final Map<String, List<Row>> ROWS = loadRows();
    static final Map<String, Grammar> GRAMMAR = loadGrammar();

    private static Map<String, List<Row>> loadRows() {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        for (String[] f : NameTable.rows("overhead/layers", 7)) {
            Map<String, String> rule = new LinkedHashMap<>();
            String r = f[4].trim();
            if (!r.equals("-")) {
                for (String part : r.split(" ")) {
                    int eq = part.indexOf('=');
                    rule.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
                }
            }
            Row row = new Row(f[0].trim(), f[1].trim(), f[2].trim(), Integer.parseInt(f[3].trim()),
                    Collections.unmodifiableMap(rule), f[5].trim(), f[6].trim());
            m.computeIfAbsent(row.layer(), k -> new ArrayList<>()).add(row);
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, Grammar> loadGrammar() {
        Map<String, Grammar> m = new LinkedHashMap<>();
        for (String[] f : NameTable.rows("overhead/stack-grammar", 5)) {
            String name = f[0].trim();
            m.put(name, new Grammar(name, List.of(f[1].trim().split(",")), f[2].trim().equals("yes"),
                    f[3].trim().equals("yes"), f[4].trim()));
        }
        for (String name : m.keySet()) {
            if (!ROWS.containsKey(name)) {
                throw new IllegalStateException("stack-grammar.tsv: layer " + name + " has no rows in layers.tsv");
            }
        }
        return Collections.unmodifiableMap(m);
    }

    static List<Row> rows(String layer) {
        List<Row> l = ROWS.get(layer);
        if (l == null) {
            throw new IllegalStateException("layers.tsv: no rows for " + layer);
        }
        return l;
    }

    /** The single row of {@code layer} of that kind (and, when given, that rule key's value). */
    static Row row(String layer, String kind, String ruleKey, String ruleValue) {
        for (Row r : rows(layer)) {
            if (r.kind().equals(kind) && (ruleKey == null || ruleValue.equals(r.rule().get(ruleKey)))) {
                return r;
            }
        }
        throw new IllegalStateException("layers.tsv: no " + kind + " row for " + layer
                + (ruleKey == null ? "" : " with " + ruleKey + "=" + ruleValue));
    }

    /** The fixed bytes of the layer's base row. */
    static int base(String layer) {
        return row(layer, "base", null, null).bytes();
    }

    static String lower(String s) {
        return s.trim().toLowerCase(Locale.ROOT);
    }

    static String join(List<String> l) {
        return String.join(", ", l);
    }

    static List<String> words(String... w) {
        return Arrays.asList(w);
    }
}
