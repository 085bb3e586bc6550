package org.vpnsleuth.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The process's standard output (or error) as a writer, whatever the locale says: JSON is always
 * UTF-8 (byte-identical under {@code LC_ALL=C} and {@code C.UTF-8}); text is written in the
 * terminal's charset, with the report's arrows and dashes spelt in ASCII ("⇄" as "<->", "→" as
 * "->") when that charset cannot show them, and anything else it cannot show as '?'.
 */
final class Stdout extends Writer {
    /** The non-ASCII characters the reports print, and their ASCII spelling. */
    private static final String[][] ASCII = {
        {"⇄", "<->"}, {"→", "->"}, {"←", "<-"}, {"—", "--"}, {"–", "-"}, {"−", "-"}, {"…", "..."},
        {"≤", "<="}, {"≥", ">="}, {"×", "x"}, {"§", "sec. "}, {"µ", "u"},
    };

    private final OutputStream to;
    private final Writer utf8;
    private final Writer text;
    private final boolean unicode;
    private boolean json;
    private Writer last;

    Stdout(OutputStream to, Charset charset) {
        this.to = to;
        this.utf8 = new OutputStreamWriter(to, StandardCharsets.UTF_8);
        CharsetEncoder enc = charset.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.unicode = canShowReports(charset);
        this.text = unicode && charset.equals(StandardCharsets.UTF_8) ? utf8 : new OutputStreamWriter(to, enc);
        this.last = utf8;
    }

    /** Whether {@code charset} can encode every character of {@link #ASCII} the reports use. */
    static boolean canShowReports(Charset charset) {
        if (!charset.canEncode()) {
            return false;
        }
        CharsetEncoder enc = charset.newEncoder();
        for (String[] pair : ASCII) {
            if (!enc.canEncode(pair[0])) {
                return false;
            }
        }
        return true;
    }

    /**
     * The charset the terminal (or whatever reads standard output) expects: {@code stdout.encoding}
     * (Java 19 and later), else the console's, else {@code native.encoding} (the locale's, Java 17),
     * else the JVM default.
     */
    static Charset localeCharset() {
        for (String p : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
            Charset c = named(System.getProperty(p));
            if (c != null) {
                return c;
            }
        }
        java.io.Console console = System.console();
        if (console != null) {
            return console.charset();
        }
        Charset c = named(System.getProperty("native.encoding"));
        return c != null ? c : Charset.defaultCharset();
    }

    private static Charset named(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        try {
            return Charset.forName(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** From now on write UTF-8 whatever the locale (a JSON document or JSON lines follow). */
    void json() {
        json = true;
    }

    /**
     * The stream underneath, for a command that writes UTF-8 bytes itself (a JSON document): what
     * was written through this writer is flushed first, so the bytes follow it.
     */
    OutputStream bytes() throws IOException {
        flush();
        return to;
    }

    boolean unicode() {
        return unicode;
    }

    /** {@code s} with the report's non-ASCII symbols spelt in ASCII. */
    static String ascii(CharSequence s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = null;
            if (c >= 0x80) {
                for (String[] pair : ASCII) {
                    if (pair[0].charAt(0) == c) {
                        r = pair[1];
                        break;
                    }
                }
            }
            if (r != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (r != null) {
                    b.append(r);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s.toString() : b.toString();
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        Writer to = json ? utf8 : text;
        if (to != last) {
            last.flush();
            last = to;
        }
        if (json || unicode) {
            to.write(cbuf, off, len);
        } else {
            to.write(ascii(java.nio.CharBuffer.wrap(cbuf, off, len)));
        }
    }

    @Override
    public void flush() throws IOException {
        last.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
