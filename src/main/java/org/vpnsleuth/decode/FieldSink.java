package org.vpnsleuth.decode;

import org.vpnsleuth.base.Bytes;

/**
 * Receives the decoded fields of a layer. Field names are stable identifiers (documented in
 * docs/fields.md): the text tree and the JSON output are both rendered from these calls.
 */
public interface FieldSink {
    void text(String name, String value);

    void number(String name, long value);

    /** A number with its registry name ("type": 2048 and "typeName": "IPv4" in JSON). */
    void named(String name, long value, String label);

    /** A number shown in hex in text form (SPIs, flags, checksums); a plain number in JSON. */
    void hexNumber(String name, long value, int digits);

    void bool(String name, boolean value);

    /** Bytes as lowercase hex without separators. */
    void bytes(String name, byte[] b, int offset, int length);

    /** Opens a nested object; {@code name} is null for an element of a list. */
    void begin(String name);

    void end();

    void beginList(String name);

    void endList();

    /** A sink that ignores every field: extend it and override the calls that matter. */
    abstract class Ignoring implements FieldSink {
        @Override
        public void text(String name, String value) {
        }

        @Override
        public void number(String name, long value) {
        }

        @Override
        public void named(String name, long value, String label) {
        }

        @Override
        public void hexNumber(String name, long value, int digits) {
        }

        @Override
        public void bool(String name, boolean value) {
        }

        @Override
        public void bytes(String name, byte[] b, int offset, int length) {
        }

        @Override
        public void begin(String name) {
        }

        @Override
        public void end() {
        }

        @Override
        public void beginList(String name) {
        }

        @Override
        public void endList() {
        }
    }
}
