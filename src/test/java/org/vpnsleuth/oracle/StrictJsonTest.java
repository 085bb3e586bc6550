package org.vpnsleuth.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The validator the robustness and fuzz tests rely on must itself reject what is not JSON. */
class StrictJsonTest {
    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\\n\"],\"b\":{}}", " 0 ", "\"\\/\""})
    void accepts(String json) {
        assertEquals(json.strip().charAt(0), StrictJson.validate(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1,}", "[1,]", "{a:1}", "{\"a\" 1}", "01", "1.", "-", "NaN", "'x'",
        "\"\\x\"", "\"a\tb\"", "{} {}", "tru", "[1 2]", "\"\ud800\"", "{\"a\":1}x", "1e"})
    void rejects(String json) {
        assertThrows(IllegalArgumentException.class, () -> StrictJson.validate(json));
    }
}
