package org.vpnsleuth.report;

/**
 * A small streaming JSON writer; commas and nesting are tracked for the caller. It writes either
 * into a StringBuilder (a document or line the caller uses as text) or, for long reports, straight
 * to an {@link java.io.OutputStream} as UTF-8 ({@link #JsonWriter(java.io.OutputStream)}): the bytes
 * are encoded into one buffer (ASCII copied byte for byte, escapes as in text, numbers as digits,
 * keys and shared values encoded once) and written out in chunks, with no char copy and no
 * CharsetEncoder in between; the bytes are those of the text form encoded as UTF-8.
 * With a writer to flush to, {@link #flush()} (called by renderers after each element of a long
 * array) writes what is held once it passes 64 KiB, so a report of any size is never held whole.
 */
public final class JsonWriter {
    private final StringBuilder out;
    private final java.io.Writer flushTo;
    private final boolean[] first = new boolean[128];
    private int depth;

    // ---- UTF-8 mode (out == null)
    /** Where the bytes go. */
    private final java.io.OutputStream bytesTo;
    /** Bytes encoded and not yet written; {@link #ensure} writes them out (between values) or grows it. */
    private byte[] buf;
    private int len;
    /** How many times what was held has been written out (an encoding to keep must not straddle one). */
    private long drains;
    /** Keys encoded once (quoted, escaped, with their colon), by identity of the key's String. */
    private final Encoded[] keys;
    /** Values the caller knows to be shared ({@link #shared}), encoded once (quoted and escaped), by identity. */
    private final Encoded[] values;

    /** A String and its encoding: both final, so an entry is always whole whoever reads it. */
    private record Encoded(String s, byte[] bytes) {
    }

    /** What is held is written out when it passes this (and at {@link #flush()} past 64 KiB). */
    private static final int CHUNK = 1 << 17;
    private static final int CACHE = 1024;

    public JsonWriter(StringBuilder out) {
        this(out, null);
    }

    /** Writing into {@code out}, which {@link #flush()} empties into {@code flushTo} (null: never). */
    public JsonWriter(StringBuilder out, java.io.Writer flushTo) {
        this.out = out;
        this.flushTo = flushTo;
        this.bytesTo = null;
        this.keys = null;
        this.values = null;
    }

    /**
     * Writing UTF-8 to {@code to}: written out in chunks as the document grows and at
     * {@link #flush()} past 64 KiB; {@link #finish()} writes the rest and flushes {@code to}. Write
     * errors are thrown as {@link java.io.UncheckedIOException}.
     */
    public JsonWriter(java.io.OutputStream to) {
        this.out = null;
        this.flushTo = null;
        this.bytesTo = java.util.Objects.requireNonNull(to);
        this.buf = new byte[CHUNK + (CHUNK >> 2)];
        this.keys = new Encoded[CACHE];
        this.values = new Encoded[CACHE];
    }

    /**
     * Writes out what is held when it passes 64 KiB and there is somewhere to write it (a writer to
     * flush to, or the output stream).
     */
    public void flush() {
        if (out == null) {
            if (len > 1 << 16) {
                drain();
            }
        } else {
            Flush.flush(out, flushTo);
        }
    }

    /** UTF-8 mode: writes all that is held and flushes the stream (text mode: nothing, the text stays in the builder). */
    public void finish() {
        if (out == null) {
            drain();
            try {
                bytesTo.flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The builder written into (null in UTF-8 mode). */
    public StringBuilder out() {
        return out;
    }

    private void sep() {
        if (depth > 0) {
            if (!first[depth]) {
                if (out == null) {
                    ensure(1);
                    buf[len++] = ',';
                } else {
                    out.append(',');
                }
            }
            first[depth] = false;
        }
    }

    private void key(String name) {
        sep();
        if (name != null) {
            if (out == null) {
                keyBytes(name);
            } else {
                string(name, true);
                out.append(':');
            }
        }
    }

    /** One ASCII character (UTF-8 mode). */
    private void put(char c) {
        if (len == buf.length) {
            ensure(1);
        }
        buf[len++] = (byte) c;
    }

    private void punct(char c) {
        if (out == null) {
            put(c);
        } else {
            out.append(c);
        }
    }

    public JsonWriter beginObject(String name) {
        key(name);
        punct('{');
        push();
        return this;
    }

    public JsonWriter endObject() {
        depth--;
        punct('}');
        return this;
    }

    public JsonWriter beginArray(String name) {
        key(name);
        punct('[');
        push();
        return this;
    }

    public JsonWriter endArray() {
        depth--;
        punct(']');
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
            nul();
        } else if (out == null) {
            if (v.length() >= 24) { // long values are mostly shared (interned payload lists, names): their hash is known
                cached(v);
            } else {
                stringBytes(v);
            }
        } else {
            string(v, v.length() >= 24);
        }
        return this;
    }

    /**
     * As {@link #value(String, String)} for a value the caller knows to be one of a few shared
     * Strings (a constant, an enum's name, an interned name): encoded once and copied after that.
     */
    public JsonWriter shared(String name, String v) {
        if (out != null || v == null) {
            return value(name, v);
        }
        key(name);
        cached(v);
        return this;
    }

    /** {@code v} as lowercase hex, at least {@code width} digits (org.vpnsleuth.base.Bytes#hexPadded), as a string. */
    public JsonWriter hex(String name, long v, int width) {
        if (out != null) {
            return value(name, org.vpnsleuth.base.Bytes.hexPadded(v, width));
        }
        key(name);
        int digits = Math.max(width, v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 3) / 4);
        ensure(digits + 2);
        byte[] b = buf;
        int p = len;
        b[p] = '"';
        for (int i = p + digits; i > p; i--) {
            b[i] = HEX[(int) v & 15];
            v >>>= 4;
        }
        p += digits + 1;
        b[p++] = '"';
        len = p;
        return this;
    }

    /** An address and port as the string {@link org.vpnsleuth.track.Endpoint#toString()} gives ("192.0.2.1:500", "[2001:db8::1]:500"). */
    public JsonWriter value(String name, org.vpnsleuth.track.Endpoint e) {
        if (out != null || e == null || e.address() == null) {
            return value(name, e == null ? null : e.toString());
        }
        key(name);
        String a = e.address();
        boolean v6 = a.indexOf(':') >= 0;
        put('"');
        if (v6) {
            put('[');
        }
        content(a);
        if (v6) {
            put(']');
        }
        put(':');
        digits(e.port());
        put('"');
        return this;
    }

    private void nul() {
        if (out == null) {
            ascii("null");
        } else {
            out.append("null");
        }
    }

    public JsonWriter value(String name, long v) {
        key(name);
        if (out == null) {
            digits(v);
        } else {
            out.append(v);
        }
        return this;
    }

    public JsonWriter value(String name, double v) {
        key(name);
        if (!Double.isFinite(v)) {
            nul();
        } else if (out == null) {
            ascii(Double.toString(v)); // what StringBuilder.append(double) writes
        } else {
            out.append(v);
        }
        return this;
    }

    public JsonWriter value(String name, boolean v) {
        key(name);
        if (out == null) {
            ascii(v ? "true" : "false");
        } else {
            out.append(v);
        }
        return this;
    }

    /** A raw, already valid JSON value. */
    public JsonWriter raw(String name, String json) {
        key(name);
        if (out == null) {
            utf8(json);
        } else {
            out.append(json);
        }
        return this;
    }

    // ------------------------------------------------------------------ UTF-8 mode

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * How each ASCII character is written inside a JSON string: 0 as itself, 'u' as a backslash-u escape, any
     * other as a backslash and that letter (the same escapes as {@link #escape}).
     */
    private static final byte[] ESC = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESC[c] = 'u';
        }
        ESC['"'] = '"';
        ESC['\\'] = '\\';
        ESC['\n'] = 'n';
        ESC['\r'] = 'r';
        ESC['\t'] = 't';
    }

    /**
     * Room for {@code n} more bytes: what is held is written out first when the buffer would pass
     * its chunk (only ever between whole characters), and the buffer grows for a longer piece.
     */
    private void ensure(int n) {
        if (len + n > buf.length) {
            if (len > 0) {
                drain();
            }
            if (n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(n, 2 * buf.length));
            }
        }
    }

    private void drain() {
        if (len > 0) {
            drains++;
            try {
                bytesTo.write(buf, 0, len);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            len = 0;
        }
    }

    /** An ASCII string as it is (numbers, literals). */
    @SuppressWarnings("deprecation")
    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, buf, len); // ASCII: each char is its byte
        len += n;
    }

    private void digits(long v) {
        if (v >= 0 && v < 10) {
            put((char) ('0' + v));
            return;
        }
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        ensure(20);
        byte[] b = buf;
        int p = len;
        if (v < 0) {
            b[p++] = '-';
            v = -v;
        }
        int n = 1;
        for (long t = v; t >= 10; t /= 10) {
            n++;
        }
        int end = p + n;
        int i = end;
        while (v > Integer.MAX_VALUE) {
            long q = v / 10;
            b[--i] = (byte) ('0' + (int) (v - q * 10));
            v = q;
        }
        int w = (int) v;
        while (w >= 10) {
            int q = w / 10;
            b[--i] = (byte) ('0' + (w - q * 10));
            w = q;
        }
        b[--i] = (byte) ('0' + w);
        len = end;
    }

    /** A key, quoted and escaped, and its colon: encoded once per key String. */
    private void keyBytes(String name) {
        once(name, keys, true);
    }

    /** A shared value, quoted and escaped: encoded once per String. */
    private void cached(String v) {
        once(v, values, false);
    }

    /** {@code s} quoted and escaped (and a colon after it): copied from {@code table} when encoded before. */
    private void once(String s, Encoded[] table, boolean colon) {
        int slot = s.hashCode() & (CACHE - 1);
        Encoded e = table[slot];
        if (e != null && e.s == s) {
            copy(e.bytes);
            return;
        }
        int from = len;
        long d = drains;
        stringBytes(s);
        if (colon) {
            put(':');
        }
        if (e == null && drains == d) { // nothing was written out in between: the encoding is what is held from {@code from}
            table[slot] = new Encoded(s, java.util.Arrays.copyOfRange(buf, from, len));
        }
    }

    private void copy(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    /** {@code s} as a JSON string (quoted, escaped) in UTF-8. */
    private void stringBytes(String s) {
        put('"');
        content(s);
        put('"');
    }

    /** {@code s} escaped as in {@link #escape}, in UTF-8, without quotes. */
    private void content(String s) {
        int n = s.length();
        if (n > chars.length) {
            if (n > 1 << 16) { // a long text: in pieces, so the scratch stays small
                contentInPieces(s);
                return;
            }
            chars = new char[Math.max(n, 2 * chars.length)];
        }
        char[] c = chars;
        s.getChars(0, n, c, 0); // one copy out of the String, then a plain loop over the array
        ensure(n);
        byte[] b = buf;
        int p = len;
        int i = 0;
        for (; i < n; i++) { // the common case: ASCII with nothing to escape, a byte a character
            char x = c[i];
            if (x >= 0x80 || ESC[x] != 0) {
                break;
            }
            b[p++] = (byte) x;
        }
        len = p;
        if (i < n) {
            escapeBytes(c, i, n);
        }
    }

    /** The characters of the string being written ({@link #content}). */
    private char[] chars = new char[256];

    private void contentInPieces(String s) {
        int n = s.length();
        char[] c = new char[1 << 15];
        for (int at = 0; at < n;) {
            int end = Math.min(n, at + (1 << 14));
            while (end < n && Character.isHighSurrogate(s.charAt(end - 1))) {
                end++; // a piece never ends on a high surrogate before the string does: pairs stay whole
            }
            if (end - at > c.length) {
                c = new char[end - at];
            }
            s.getChars(at, end, c, 0);
            escapeBytes(c, 0, end - at);
            at = end;
        }
    }

    /** Characters {@code i} to {@code n} of {@code c}, escaped as in {@link #escape}, in UTF-8. */
    private void escapeBytes(char[] c, int i, int n) {
        for (; i < n; i++) {
            char x = c[i];
            if (len + 12 > buf.length) {
                ensure(12);
            }
            byte[] b = buf;
            int p = len;
            if (x < 0x80) {
                byte e = ESC[x];
                if (e == 0) {
                    b[p++] = (byte) x;
                } else if (e == 'u') {
                    p = unicodeEscape(b, p, x);
                } else {
                    b[p++] = '\\';
                    b[p++] = e;
                }
            } else if (Character.isSurrogate(x)) {
                if (Character.isHighSurrogate(x) && i + 1 < n && Character.isLowSurrogate(c[i + 1])) {
                    p = utf8(b, p, Character.toCodePoint(x, c[++i]));
                } else { // a lone surrogate: not a character, written as its escape
                    p = unicodeEscape(b, p, x);
                }
            } else if (x == 0x2028 || x == 0x2029) {
                p = unicodeEscape(b, p, x);
            } else {
                p = utf8(b, p, x);
            }
            len = p;
        }
    }

    /** Code point {@code cp} (not a surrogate) in UTF-8 at {@code p}: 1 to 4 bytes; returns the position after them. */
    private static int utf8(byte[] b, int p, int cp) {
        if (cp < 0x80) {
            b[p++] = (byte) cp;
        } else if (cp < 0x800) {
            b[p++] = (byte) (0xc0 | cp >> 6);
            b[p++] = (byte) (0x80 | cp & 0x3f);
        } else if (cp < 0x10000) {
            b[p++] = (byte) (0xe0 | cp >> 12);
            b[p++] = (byte) (0x80 | cp >> 6 & 0x3f);
            b[p++] = (byte) (0x80 | cp & 0x3f);
        } else {
            b[p++] = (byte) (0xf0 | cp >> 18);
            b[p++] = (byte) (0x80 | cp >> 12 & 0x3f);
            b[p++] = (byte) (0x80 | cp >> 6 & 0x3f);
            b[p++] = (byte) (0x80 | cp & 0x3f);
        }
        return p;
    }

    /** A backslash, "u" and four lowercase hex digits. */
    private static int unicodeEscape(byte[] b, int p, char c) {
        b[p++] = '\\';
        b[p++] = 'u';
        b[p++] = HEX[c >> 12];
        b[p++] = HEX[c >> 8 & 15];
        b[p++] = HEX[c >> 4 & 15];
        b[p++] = HEX[c & 15];
        return p;
    }

    /**
     * {@code s} in UTF-8 as it is (raw JSON): what the UTF-8 writer of the text form wrote, a lone
     * surrogate as '?'.
     */
    private void utf8(String s) {
        ensure(s.length() * 3);
        byte[] b = buf;
        int p = len;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    p = utf8(b, p, Character.toCodePoint(c, s.charAt(++i)));
                } else {
                    b[p++] = '?';
                }
            } else {
                p = utf8(b, p, c);
            }
        }
        len = p;
    }

    // ------------------------------------------------------------------ text mode

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
