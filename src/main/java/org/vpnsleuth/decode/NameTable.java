package org.vpnsleuth.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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
        String path = "/org/vpnsleuth/registry/" + resource + ".tsv";
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
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new IllegalStateException(path + ":" + n + ": no tab");
                }
                String v = line.substring(0, tab).trim();
                int value = v.startsWith("0x") ? Integer.parseUnsignedInt(v.substring(2), 16) : Integer.parseInt(v);
                t.names.put(value, line.substring(tab + 1).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
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
