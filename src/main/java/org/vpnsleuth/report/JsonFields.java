package org.vpnsleuth.report;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.decode.FieldSink;

/** Layer fields as JSON members: numbers as numbers, registry names beside them as NAMEName. */
public final class JsonFields implements FieldSink {
    private final JsonWriter w;

    public JsonFields(JsonWriter w) {
        this.w = w;
    }

    @Override
    public void text(String name, String value) {
        w.value(name, value);
    }

    @Override
    public void number(String name, long value) {
        w.value(name, value);
    }

    @Override
    public void named(String name, long value, String label) {
        w.value(name, value);
        if (label != null && name != null) {
            w.value(name + "Name", label);
        }
    }

    @Override
    public void hexNumber(String name, long value, int digits) {
        w.value(name, value);
    }

    @Override
    public void bool(String name, boolean value) {
        w.value(name, value);
    }

    @Override
    public void bytes(String name, byte[] b, int offset, int length) {
        int n = Math.max(0, Math.min(length, b.length - offset));
        w.value(name, Bytes.hex(b, offset, n));
    }

    @Override
    public void begin(String name) {
        w.beginObject(name);
    }

    @Override
    public void end() {
        w.endObject();
    }

    @Override
    public void beginList(String name) {
        w.beginArray(name);
    }

    @Override
    public void endList() {
        w.endArray();
    }
}
