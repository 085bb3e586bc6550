package org.vpnsleuth.oracle;

/**
 * A tiny strict JSON (RFC 8259) validator for the tests: one value, nothing but whitespace after
 * it, no trailing commas, no comments, no NaN, only the escapes JSON allows, no raw control
 * characters in strings, no leading zeros. Throws {@link IllegalArgumentException} with the offset.
 */
public final class StrictJson {
    private final String s;
    private int i;
    private int depth;

    private StrictJson(String s) {
        this.s = s;
    }

    /** Validates {@code text}; returns the first non-whitespace character of the value ('{' for an object). */
    public static char validate(String text) {
        StrictJson p = new StrictJson(text);
        p.ws();
        if (p.i >= text.length()) {
            throw p.error("empty input");
        }
        char first = text.charAt(p.i);
        p.value();
        p.ws();
        if (p.i != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return first;
    }

    private IllegalArgumentException error(String what) {
        int from = Math.max(0, i - 30);
        int to = Math.min(s.length(), i + 30);
        return new IllegalArgumentException("invalid JSON at offset " + i + ": " + what + " near «" + s.substring(from, to) + "»");
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else {
                break;
            }
        }
    }

    private void value() {
        if (i >= s.length()) {
            throw error("value expected");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw error("unexpected character '" + c + "'");
                }
            }
        }
    }

    private void enter() {
        if (++depth > 512) {
            throw error("nesting deeper than 512");
        }
    }

    private void object() {
        enter();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            depth--;
            return;
        }
        while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("member name expected");
            }
            string();
            ws();
            expect(':');
            ws();
            value();
            ws();
            if (i >= s.length()) {
                throw error("unterminated object");
            }
            char c = s.charAt(i++);
            if (c == '}') {
                depth--;
                return;
            }
            if (c != ',') {
                i--;
                throw error("',' or '}' expected");
            }
        }
    }

    private void array() {
        enter();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            depth--;
            return;
        }
        while (true) {
            ws();
            value();
            ws();
            if (i >= s.length()) {
                throw error("unterminated array");
            }
            char c = s.charAt(i++);
            if (c == ']') {
                depth--;
                return;
            }
            if (c != ',') {
                i--;
                throw error("',' or ']' expected");
            }
        }
    }

    private void expect(char c) {
        if (i >= s.length() || s.charAt(i) != c) {
            throw error("'" + c + "' expected");
        }
        i++;
    }

    private void literal(String word) {
        if (!s.startsWith(word, i)) {
            throw error(word + " expected");
        }
        i += word.length();
    }

    private void string() {
        i++; // opening quote
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return;
            }
            if (c < 0x20) {
                i--;
                throw error("raw control character U+" + String.format("%04X", (int) c) + " in a string");
            }
            if (Character.isSurrogate(c)) {
                // a lone surrogate cannot be encoded as UTF-8: the output would be mangled
                if (Character.isHighSurrogate(c) && i < s.length() && Character.isLowSurrogate(s.charAt(i))) {
                    i++;
                } else {
                    i--;
                    throw error("lone surrogate in a string");
                }
            }
            if (c == '\\') {
                if (i >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        for (int k = 0; k < 4; k++) {
                            if (i >= s.length() || Character.digit(s.charAt(i), 16) < 0) {
                                throw error("bad \\u escape");
                            }
                            i++;
                        }
                    }
                    default -> {
                        i--;
                        throw error("bad escape \\" + e);
                    }
                }
            }
        }
    }

    private void number() {
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i >= s.length()) {
            throw error("digit expected");
        }
        if (s.charAt(i) == '0') {
            i++;
            if (i < s.length() && Character.isDigit(s.charAt(i))) {
                throw error("leading zero");
            }
        } else {
            digits();
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            digits();
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            digits();
        }
    }

    private void digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == start) {
            throw error("digit expected");
        }
    }
}
