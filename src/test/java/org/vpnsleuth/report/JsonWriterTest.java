package org.vpnsleuth.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
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
}
