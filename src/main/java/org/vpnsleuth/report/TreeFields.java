package org.vpnsleuth.report;

import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.FieldSink;

/** Layer fields as an indented tree for `dissect -v`. Long byte strings are shortened. */
public final class TreeFields implements FieldSink {
    private static final int MAX_HEX_BYTES = 48;
    private final StringBuilder out;
    private int indent;
    private final int[] listIndex = new int[64];
    private final boolean[] inList = new boolean[64];

    public TreeFields(StringBuilder out, int indent) {
        this.out = out;
        this.indent = indent;
    }

    private void line(String name) {
        for (int i = 0; i < indent; i++) {
            out.append("  ");
        }
        if (name != null) {
            out.append(name).append(": ");
        } else if (indent < inList.length && inList[indent]) {
            out.append("- ");
        }
    }

    @Override
    public void text(String name, String value) {
        line(name);
        out.append(value).append('\n');
    }

    @Override
    public void number(String name, long value) {
        line(name);
        out.append(value).append('\n');
    }

    @Override
    public void named(String name, long value, String label) {
        line(name);
        out.append(value);
        if (label != null) {
            out.append(" (").append(label).append(')');
        }
        out.append('\n');
    }

    @Override
    public void hexNumber(String name, long value, int digits) {
        line(name);
        out.append("0x");
        Bytes.appendHex(out, value, digits);
        out.append('\n');
    }

    @Override
    public void bool(String name, boolean value) {
        line(name);
        out.append(value).append('\n');
    }

    @Override
    public void bytes(String name, byte[] b, int offset, int length) {
        line(name);
        int n = Math.max(0, Math.min(length, b.length - offset));
        if (n > MAX_HEX_BYTES) {
            out.append(Bytes.hex(b, offset, MAX_HEX_BYTES)).append("... (").append(n).append(" bytes)");
        } else {
            out.append(Bytes.hex(b, offset, n));
        }
        out.append('\n');
    }

    @Override
    public void begin(String name) {
        if (name != null || !inList(indent)) {
            line(name);
            out.append('\n');
            indent++;
            mark(false);
        } else {
            line(null);
            out.append("#").append(++listIndex[indent]).append('\n');
            indent++;
            mark(false);
        }
    }

    @Override
    public void end() {
        indent--;
    }

    @Override
    public void beginList(String name) {
        line(name);
        out.append('\n');
        indent++;
        mark(true);
        if (indent < listIndex.length) {
            listIndex[indent] = 0;
        }
    }

    @Override
    public void endList() {
        mark(false);
        indent--;
    }

    private boolean inList(int level) {
        return level < inList.length && inList[level];
    }

    private void mark(boolean v) {
        if (indent < inList.length) {
            inList[indent] = v;
        }
    }
}
