package org.vpnsleuth.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    private static final String[] VALUES = {
        "192.0.2.1:500", "I→R", "a \"quoted\" word", "back\\slash", "tab\tnew\nline\rcr", "bell\u0007",
        "line\u2028para\u2029", "caf\u00e9", "pair \ud83d\ude00 ok", "lone \ud83d high", "lone \ude00 low", "",
        "198.51.100.7 ⇄ 203.0.113.9", "plain again",
    };

    /** What RFC 8259 section 7 asks for each value above (the writer escapes U+2028/2029 too, for JavaScript). */
    private static final String EXPECTED = "{\"a\":\"192.0.2.1:500\",\"b\":\"I→R\",\"c\":\"a \\\"quoted\\\" word\","
            + "\"d\":\"back\\\\slash\",\"e\":\"tab\\tnew\\nline\\rcr\",\"f\":\"bell\\u0007\",\"g\":\"line\\u2028para\\u2029\","
            + "\"h\":\"caf\u00e9\",\"i\":\"pair \ud83d\ude00 ok\",\"j\":\"lone \\ud83d high\",\"k\":\"lone \\ude00 low\",\"l\":\"\","
            + "\"m\":\"198.51.100.7 ⇄ 203.0.113.9\",\"n\":\"plain again\",\"list\":[\"I→R\",1,\"x\"]}";

    private static void write(JsonWriter j) {
        j.beginObject(null);
        for (int i = 0; i < VALUES.length; i++) {
            j.value(String.valueOf((char) ('a' + i)), VALUES[i]);
        }
        j.beginArray("list").value(null, "I→R").value(null, 1).value(null, "x").endArray();
        j.endObject();
    }

    @Test
    void heldWholeOrWrittenThroughTheSameText() {
        StringBuilder held = new StringBuilder();
        write(new JsonWriter(held));
        assertThat(held.toString()).isEqualTo(EXPECTED);

        // with a writer: strings beyond Latin-1 go to it at once, in order, the rest stays held
        StringBuilder sb = new StringBuilder();
        StringWriter to = new StringWriter();
        write(new JsonWriter(sb, to));
        assertThat(to + sb.toString()).isEqualTo(EXPECTED);
        assertThat(to.toString()).as("written through up to the last wide string").endsWith("\"list\":[\"I→R\"");
        assertThat(sb.toString()).isEqualTo(",1,\"x\"]}");
    }

    /**
     * An independent reference for a JSON string (RFC 8259 section 7, and the writer's documented
     * choices: lowercase hex, U+2028/U+2029 and lone surrogates as escapes), code point by code point
     * with the JDK's iteration (a lone surrogate comes out as itself) and the JDK's formatting.
     */
    private static String reference(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (cp < 0x20 || cp == 0x2028 || cp == 0x2029 || cp >= 0xd800 && cp <= 0xdfff) {
                        b.append(String.format("\\u%04x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }

    /** Odd input: controls, NUL, DEL, separators, pairs and lone surrogates at either end and side by side. */
    private static final String[] ODD = {
        "\u0000", "a\u0000b", "\u001f\u007f\u0080", "\u2028", "x\u2029", "\ud83d", "\ude00", "\ude00\ud83d",
        "\ud83d\ud83d\ude00", "\ud83d\ude00\ude00", "end \ud83d", "\ude00 start", "\ud800\udc00\udbff\udfff",
        "\u07ff\u0800\uffff\ufffe", "\b\f", "caf\u00e9 → ⇄", "\"\\/", "\ufeffbom",
    };

    private static byte[] bytes(java.util.function.Consumer<JsonWriter> w) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        JsonWriter j = new JsonWriter(b);
        w.accept(j);
        j.finish();
        return b.toByteArray();
    }

    private static String text(java.util.function.Consumer<JsonWriter> w) {
        StringBuilder sb = new StringBuilder();
        w.accept(new JsonWriter(sb));
        return sb.toString();
    }

    private static void assertString(String s) {
        String expected = reference(s);
        String what = s.codePoints().mapToObj(Integer::toHexString).toList().toString();
        assertThat(text(j -> j.value(null, s))).as("text " + what).isEqualTo(expected);
        // the JDK's UTF-8 of the expected text (which holds no lone surrogate), byte for byte
        assertThat(bytes(j -> j.value(null, s))).as("UTF-8 " + what).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(bytes(j -> j.shared(null, s).shared(null, s))).as("shared, twice " + what)
                .isEqualTo((expected + expected).getBytes(StandardCharsets.UTF_8));
        assertThat(bytes(j -> j.beginObject(null).beginObject(s).endObject().endObject())).as("as a key " + what)
                .isEqualTo(("{" + expected + ":{}}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oddStringsAsTheReferenceSaysInTextAndUtf8() {
        for (String s : ODD) {
            assertString(s);
        }
        for (String s : VALUES) {
            assertString(s);
        }
    }

    @Test
    void randomStringsShortAndLongAsTheReferenceSays() {
        Random r = new Random(12);
        char[] pool = {'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\u0080', '\u00e9',
            '\u00ff', '\u0100', '\u07ff', '\u0800', '→', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ufffd', '\uffff'};
        for (int k = 0; k < 3000; k++) {
            // mostly short; some past the 64 Ki characters the writer takes in pieces, with pairs across the joins
            int n = k % 250 == 0 ? (1 << 14) * (1 + r.nextInt(5)) + r.nextInt(3) - 1 : r.nextInt(40);
            char[] c = new char[n];
            for (int i = 0; i < n; i++) {
                c[i] = r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)] : (char) ('a' + r.nextInt(26));
            }
            if (n > 1 << 14) {
                c[(1 << 14) - 1] = '\ud83d';
                c[1 << 14] = '\ude00';
            }
            assertString(new String(c));
        }
    }

    @Test
    void numbersHexAndEndpointsAsTheJdkWritesThem() {
        long[] longs = {0, 1, 9, 10, 99, 100, -1, -9, -10, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE,
            Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1796083200961292000L, 999_999_999_999L};
        double[] doubles = {0.0, -0.0, 1.0, 6.37E-4, 0.005406, 3.560997, 1e7, 1.0E-3, 123456.789, Double.NaN, Double.POSITIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE};
        java.util.function.Consumer<JsonWriter> w = j -> {
            j.beginArray(null);
            for (long v : longs) {
                j.value(null, v);
            }
            for (double v : doubles) {
                j.value(null, v);
            }
            j.value(null, true).value(null, false).value(null, (String) null).endArray();
        };
        assertThat(new String(bytes(w), StandardCharsets.UTF_8)).isEqualTo(text(w));
        StringBuilder want = new StringBuilder("[");
        for (long v : new long[] {0, 1, 0xabc, 0x36bf99aaL, 0xe220a8397b1dcdafL, -1}) {
            String h = Long.toHexString(v);
            want.append(want.length() > 1 ? "," : "").append('"').append("0".repeat(Math.max(0, 8 - h.length()))).append(h).append('"');
            assertThat(new String(bytes(j -> j.hex(null, v, 16)), StandardCharsets.UTF_8))
                    .isEqualTo('"' + "0".repeat(Math.max(0, 16 - h.length())) + h + '"');
        }
        assertThat(new String(bytes(j -> {
            j.beginArray(null);
            for (long v : new long[] {0, 1, 0xabc, 0x36bf99aaL, 0xe220a8397b1dcdafL, -1}) {
                j.hex(null, v, 8);
            }
            j.endArray();
        }), StandardCharsets.UTF_8)).isEqualTo(want.append(']').toString());
        for (org.vpnsleuth.track.Endpoint e : List.of(new org.vpnsleuth.track.Endpoint("192.0.2.1", 500),
                new org.vpnsleuth.track.Endpoint("2001:db8::1", 4500), new org.vpnsleuth.track.Endpoint("198.51.100.7", 0),
                new org.vpnsleuth.track.Endpoint("odd\"\ud83d", 65535))) {
            assertThat(bytes(j -> j.value("src", e))).isEqualTo(bytes(j -> j.value("src", e.toString())));
            assertThat(text(j -> j.value("src", e))).isEqualTo("\"src\":" + reference(e.toString()));
        }
    }

    @Test
    void writtenOutInChunksThatEachDecodeOnTheirOwn() throws CharacterCodingException {
        List<byte[]> chunks = new ArrayList<>();
        java.io.OutputStream sink = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                chunks.add(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                chunks.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        JsonWriter j = new JsonWriter(sink);
        j.beginArray(null);
        StringBuilder expected = new StringBuilder("[");
        Random r = new Random(7);
        for (int i = 0; i < 40_000; i++) { // 4-byte, 3-byte, 2-byte characters and escapes across every chunk end
            String s = "\ud83d\ude00→é\u2028" + "x".repeat(r.nextInt(20)) + i;
            j.value(null, s);
            expected.append(i == 0 ? "" : ",").append(reference(s));
            j.flush();
        }
        j.endArray();
        j.finish();
        assertThat(chunks.size()).isGreaterThan(10);
        StringBuilder got = new StringBuilder();
        for (byte[] c : chunks) {
            got.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(c)));
        }
        assertThat(got.toString().equals(expected.append(']').toString())).as("the chunks, decoded and joined, are the document").isTrue();
    }
}
