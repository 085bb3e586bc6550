package org.vpnsleuth.report;

/**
 * A small streaming JSON writer into a StringBuilder; commas and nesting are tracked for the caller.
 * With a writer to flush to, {@link #flush()} (called by renderers after each element of a long
 * array) writes what is held once it passes 64 KiB, so a report of any size is never held whole.
 */
public final class JsonWriter {
    private final StringBuilder out;
    private final java.io.Writer flushTo;
    private final boolean[] first = new boolean[128];
    private int depth;

    public JsonWriter(StringBuilder out) {
        this(out, null);
    }

    /** Writing into {@code out}, which {@link #flush()} empties into {@code flushTo} (null: never). */
    public JsonWriter(StringBuilder out, java.io.Writer flushTo) {
        this.out = out;
        this.flushTo = flushTo;
    }

    /** Writes out what is held when it passes 64 KiB and there is a writer to flush to. */
    public void flush() {
        Flush.flush(out, flushTo);
    }

    public StringBuilder out() {
        return out;
    }

    private void sep() {
        if (depth > 0) {
            if (!first[depth]) {
                out.append(',');
            }
            first[depth] = false;
        }
    }

    private void key(String name) {
        sep();
        if (name != null) {
            string(name, true);
            out.append(':');
        }
    }

    public JsonWriter beginObject(String name) {
        key(name);
        out.append('{');
        push();
        return this;
    }

    public JsonWriter endObject() {
        depth--;
        out.append('}');
        return this;
    }

    public JsonWriter beginArray(String name) {
        key(name);
        out.append('[');
        push();
        return this;
    }

    public JsonWriter endArray() {
        depth--;
        out.append(']');
        return this;
    }

    private void push() {
        if (depth + 1 >= first.length) {
            throw new IllegalStateException("JSON nesting too deep");
        }
        first[++depth] = true;
    }

    public JsonWriter value(String name, String v) {
        key(name);
        if (v == null) {
            out.append("null");
        } else {
            string(v, v.length() >= 24); // long values are mostly shared (interned payload lists, names): their hash is known
        }
        return this;
    }

    public JsonWriter value(String name, long v) {
        key(name);
        out.append(v);
        return this;
    }

    public JsonWriter value(String name, double v) {
        key(name);
        if (Double.isFinite(v)) {
            out.append(v);
        } else {
            out.append("null");
        }
        return this;
    }

    public JsonWriter value(String name, boolean v) {
        key(name);
        out.append(v);
        return this;
    }

    /** A raw, already valid JSON value. */
    public JsonWriter raw(String name, String json) {
        key(name);
        out.append(json);
        return this;
    }

    /** True when {@code c} is written as itself inside a JSON string (the common case, checked first). */
    private static boolean plain(char c) {
        return c >= 0x20 && c != '"' && c != '\\' && c < 0x2028 && !Character.isSurrogate(c)
                || c > 0x2029 && !Character.isSurrogate(c);
    }

    /**
     * Strings already found to be Latin-1 without anything to escape, by their (cached) hash: a key
     * or a shared value written again is then appended without looking at its characters. Only such
     * strings are ever stored, so whatever a slot holds (threads may race on it) is safe to use.
     */
    private static final String[] PLAIN = new String[1024];

    private void string(String s, boolean remember) {
        int slot = 0;
        if (remember) {
            slot = s.hashCode() & (PLAIN.length - 1);
            if (PLAIN[slot] == s) {
                out.append('"').append(s).append('"');
                return;
            }
        }
        int n = s.length();
        int start = 0;
        // the common case: Latin-1 text that needs no escaping, appended in one copy
        while (start < n) {
            char c = s.charAt(start);
            if (c < 0x20 || c > 0xff || c == '"' || c == '\\') {
                break;
            }
            start++;
        }
        if (start == n) {
            out.append('"').append(s).append('"');
            if (remember) {
                PLAIN[slot] = s;
            }
            return;
        }
        if (flushTo != null && wide(s, start)) {
            // a character beyond Latin-1 ("I→R", "⇄") would turn the held builder into UTF-16 for
            // good, and every later append into a widening copy: what is held is written out first
            // and this string goes to the writer on its own, in the same order
            Flush.all(out, flushTo);
            StringBuilder w = wideScratch;
            w.setLength(0);
            w.append('"');
            escape(s, 0, w);
            w.append('"');
            Flush.all(w, flushTo);
            return;
        }
        out.append('"');
        escape(s, start, out);
        out.append('"');
    }

    /** Reused for the strings written straight to the writer (they may widen it; the held builder stays Latin-1). */
    private final StringBuilder wideScratch = new StringBuilder();

    private static boolean wide(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return true;
            }
        }
        return false;
    }

    /** {@code s} from {@code start} (everything before it plain) as JSON string content into {@code to}. */
    private static void escape(String s, int start, StringBuilder to) {
        int n = s.length();
        while (start < n && plain(s.charAt(start))) {
            start++;
        }
        to.append(s, 0, start); // the run that needs no escaping, in one copy
        for (int i = start; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> to.append("\\\"");
                case '\\' -> to.append("\\\\");
                case '\n' -> to.append("\\n");
                case '\r' -> to.append("\\r");
                case '\t' -> to.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || (Character.isSurrogate(c) && !validSurrogate(s, i))) {
                        to.append("\\u");
                        String h = Integer.toHexString(c);
                        to.append("0000", 0, 4 - h.length()).append(h);
                    } else {
                        to.append(c);
                    }
                }
            }
        }
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
