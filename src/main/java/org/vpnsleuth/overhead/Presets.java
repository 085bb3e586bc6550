package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.NameTable;

/**
 * The calculator's presets ({@code registry/overhead/presets.tsv}) and the folklore numbers
 * printed next to them ({@code registry/overhead/folklore.tsv}).
 */
public final class Presets {
    private Presets() {
    }

    /** A folklore pair: the {@code ip mtu} and {@code adjust-mss} engineers set, and where it comes from. */
    public record Folklore(int ipMtu, int mss, String source) {
    }

    /** A preset: its name, stack, what it is, and the folklore numbers quoted for it. */
    public record Preset(String name, String spec, Stack stack, String description, List<Folklore> folklore) {
    }

    private static final Map<String, Preset> PRESETS = load();

    private static Map<String, Preset> load() {
        Map<String, List<Folklore>> folk = new LinkedHashMap<>();
        for (String[] f : NameTable.rows("overhead/folklore", 4)) {
            folk.computeIfAbsent(f[0].trim(), k -> new ArrayList<>())
                    .add(new Folklore(Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()), f[3].trim()));
        }
        Map<String, Preset> m = new LinkedHashMap<>();
        for (String[] f : NameTable.rows("overhead/presets", 3)) {
            String name = f[0].trim();
            m.put(name, new Preset(name, f[1].trim(), Stack.parse(f[1].trim()), f[2].trim(),
                    List.copyOf(folk.getOrDefault(name, List.of()))));
        }
        for (String name : folk.keySet()) {
            if (!m.containsKey(name)) {
                throw new IllegalStateException("folklore.tsv: no preset " + name);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The preset names, in the table's order. */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    public static List<Preset> all() {
        return List.copyOf(PRESETS.values());
    }

    /** The preset of that name (case-insensitive); IllegalArgumentException listing the presets otherwise. */
    public static Preset get(String name) {
        Preset p = name == null ? null : PRESETS.get(LayerTable.lower(name));
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (presets: " + LayerTable.join(names()) + ")");
        }
        return p;
    }
}
