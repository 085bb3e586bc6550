package org.vpnsleuth.base;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry as data: value → name, loaded from a tab-separated resource
 * {@code /org/vpnsleuth/registry/NAME.tsv} ("value&lt;TAB&gt;name", value decimal or 0x-hex, '#'
 * comments). Names are spelled as the registry (IANA, tcpdump's DLT list) spells them.
 */
public final class NameTable {
    private final String title;
    private final Map<Integer, String> names = new HashMap<>();

    private NameTable(String title) {
        this.title = title;
    }

    public static NameTable load(String resource) {
        NameTable t = new NameTable(resource);
        for (String[] row : rows(resource, 2)) {
            String v = row[0].trim();
            int value = v.startsWith("0x") ? Integer.parseUnsignedInt(v.substring(2), 16) : Integer.parseInt(v);
            t.names.put(value, row[1].trim());
        }
        return t;
    }

    /**
     * The rows of the registry resource {@code /org/vpnsleuth/registry/NAME.tsv}: tab-separated
     * columns, blank lines and '#' comments skipped; a row with fewer than {@code columns} columns
     * fails loading with the file and line (the tables are part of the program).
     */
    public static List<String[]> rows(String resource, int columns) {
        String path = "/org/vpnsleuth/registry/" + resource + ".tsv";
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = NameTable.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing registry resource " + path);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", columns);
                if (f.length < columns) {
                    throw new IllegalStateException(path + ":" + n + ": " + columns + " tab-separated columns expected");
                }
                rows.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** The registered name, or null. */
    public String name(int value) {
        return names.get(value);
    }

    /** The registered name, or "unknown (N)". */
    public String nameOrNumber(int value) {
        String s = names.get(value);
        return s != null ? s : "unknown (" + value + ")";
    }

    public int size() {
        return names.size();
    }

    @Override
    public String toString() {
        return title;
    }
}
