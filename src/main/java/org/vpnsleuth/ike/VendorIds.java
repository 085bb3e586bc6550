package org.vpnsleuth.ike;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names of well-known IKE Vendor ID payloads, loaded once from
 * {@code /org/vpnsleuth/registry/ike/vendor-ids.tsv} ("hex&lt;TAB&gt;exact|prefix&lt;TAB&gt;name").
 *
 * <p>An exact entry matches only a payload of exactly those bytes; a prefix entry matches any
 * payload that starts with them (the longest matching prefix wins, and an exact match wins over
 * any prefix). For prefix matches the remaining bytes are appended: as text when printable,
 * otherwise in hex ({@code "MS NT5 ISAKMPOAKLEY [0x00000009]"}).
 */
public final class VendorIds {
    /** Resource path of the table. */
    public static final String RESOURCE = "/org/vpnsleuth/registry/ike/vendor-ids.tsv";

    /** One row of the table. */
    public record Entry(byte[] bytes, boolean prefix, String name) {
        public String hex() {
            return toHex(bytes, 0, bytes.length);
        }
    }

    private static final class Holder {
        static final List<Entry> ENTRIES;
        static final Map<Key, String> EXACT = new HashMap<>();
        /** Prefix entries, longest first. */
        static final Entry[] PREFIXES;

        static {
            ENTRIES = Collections.unmodifiableList(load());
            List<Entry> prefixes = new ArrayList<>();
            for (Entry e : ENTRIES) {
                if (e.prefix()) {
                    prefixes.add(e);
                } else {
                    EXACT.put(new Key(e.bytes(), 0, e.bytes().length), e.name());
                }
            }
            prefixes.sort(Comparator.comparingInt((Entry e) -> e.bytes().length).reversed());
            PREFIXES = prefixes.toArray(new Entry[0]);
        }
    }

    private VendorIds() {
    }

    /** All table rows in file order. */
    public static List<Entry> entries() {
        return Holder.ENTRIES;
    }

    /** Name for the vendor ID in {@code b[off, off+len)}, or null when unknown. */
    public static String describe(byte[] b, int off, int len) {
        if (b == null || off < 0 || len <= 0 || off + len > b.length) {
            return null;
        }
        String exact = Holder.EXACT.get(new Key(b, off, len));
        if (exact != null) {
            return exact;
        }
        for (Entry e : Holder.PREFIXES) {
            byte[] p = e.bytes();
            if (p.length <= len && Arrays.equals(b, off, off + p.length, p, 0, p.length)) {
                return e.name() + suffix(b, off + p.length, len - p.length);
            }
        }
        return null;
    }

    /** Convenience form of {@link #describe(byte[], int, int)} for a whole array. */
    public static String describe(byte[] b) {
        return b == null ? null : describe(b, 0, b.length);
    }

    private static String suffix(byte[] b, int off, int len) {
        if (len == 0) {
            return "";
        }
        boolean printable = true;
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 || c > 0x7e) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return " " + new String(b, off, len, StandardCharsets.US_ASCII);
        }
        return " [0x" + toHex(b, off, len) + "]";
    }

    static List<Entry> load() {
        List<Entry> out = new ArrayList<>();
        try (InputStream in = VendorIds.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 3 || f[2].isEmpty()) {
                    throw new IllegalStateException(RESOURCE + ":" + no + ": expected hex<TAB>kind<TAB>name");
                }
                boolean prefix;
                switch (f[1]) {
                    case "exact" -> prefix = false;
                    case "prefix" -> prefix = true;
                    default -> throw new IllegalStateException(RESOURCE + ":" + no + ": bad match kind " + f[1]);
                }
                out.add(new Entry(parseHex(f[0], no), prefix, f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static byte[] parseHex(String s, int line) {
        if (s.isEmpty() || (s.length() & 1) != 0) {
            throw new IllegalStateException(RESOURCE + ":" + line + ": bad hex " + s);
        }
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0 || Character.isUpperCase(s.charAt(2 * i)) || Character.isUpperCase(s.charAt(2 * i + 1))) {
                throw new IllegalStateException(RESOURCE + ":" + line + ": bad hex " + s);
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }

    static String toHex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len * 2);
        for (int i = off; i < off + len; i++) {
            sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
        }
        return sb.toString();
    }

    /** Byte-range key for the exact-match map. */
    private static final class Key {
        private final byte[] b;
        private final int off;
        private final int len;
        private final int hash;

        Key(byte[] b, int off, int len) {
            this.b = b;
            this.off = off;
            this.len = len;
            int h = 1;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + b[i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.len == len && k.hash == hash
                    && Arrays.equals(b, off, off + len, k.b, k.off, k.off + k.len);
        }
    }
}
