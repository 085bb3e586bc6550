package org.vpnsleuth.report;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.decode.FieldSink;

/**
 * Layer fields as an indented tree for `dissect -v`, YAML-like: a list element's first field
 * stands on its "- " line, and an element that is only a named {@code type} and a {@code value}
 * (SA and configuration attributes) is one line, "- Encryption Algorithm (1): AES-CBC (7)". Long
 * byte strings are shortened.
 */
public final class TreeFields implements FieldSink {
    private static final int MAX_HEX_BYTES = 48;
    private static final int MAX_DEPTH = 64;
    private final StringBuilder out;
    private int indent;
    private final boolean[] inList = new boolean[MAX_DEPTH];

    // the list element being written at each depth: where it starts, whether its "- " is pending,
    // and whether it is so far just a type and a value
    private final int[] elementStart = new int[MAX_DEPTH];
    private final boolean[] dashPending = new boolean[MAX_DEPTH];
    private final int[] elementFields = new int[MAX_DEPTH];
    private final boolean[] compact = new boolean[MAX_DEPTH];
    private final String[] typeText = new String[MAX_DEPTH];
    private final String[] valueText = new String[MAX_DEPTH];

    public TreeFields(StringBuilder out, int indent) {
        this.out = out;
        this.indent = indent;
    }

    /** Starts a field line; returns the offset where the field's value text begins. */
    private int line(String name) {
        int level = indent - 1;
        if (level >= 0 && level < MAX_DEPTH && dashPending[level]) {
            dashPending[level] = false; // the element's first field continues its "- " line
        } else {
            for (int i = 0; i < indent; i++) {
                out.append("  ");
            }
            if (name == null && inList(indent)) {
                out.append("- ");
            }
        }
        if (name != null) {
            out.append(name).append(": ");
        }
        return out.length();
    }

    /** Notes a field of the element at the current depth, for the one-line type/value form. */
    private void seen(String name, int valueFrom, String label, long number) {
        int level = indent - 1;
        if (level < 0 || level >= MAX_DEPTH || !inList(level)) {
            return;
        }
        elementFields[level]++;
        if ("type".equals(name) && label != null) {
            typeText[level] = label + " (" + number + ")";
        } else if ("value".equals(name) && typeText[level] != null) {
            valueText[level] = label != null ? label + " (" + number + ")" : out.substring(valueFrom, out.length() - 1);
        } else {
            compact[level] = false;
        }
    }

    @Override
    public void text(String name, String value) {
        int v = line(name);
        out.append(value).append('\n');
        seen(name, v, null, 0);
    }

    @Override
    public void number(String name, long value) {
        int v = line(name);
        out.append(value).append('\n');
        seen(name, v, null, 0);
    }

    @Override
    public void named(String name, long value, String label) {
        int v = line(name);
        out.append(value);
        if (label != null) {
            out.append(" (").append(label).append(')');
        }
        out.append('\n');
        seen(name, v, label, value);
    }

    @Override
    public void hexNumber(String name, long value, int digits) {
        int v = line(name);
        out.append("0x");
        Bytes.appendHex(out, value, digits);
        out.append('\n');
        seen(name, v, null, 0);
    }

    @Override
    public void bool(String name, boolean value) {
        int v = line(name);
        out.append(value).append('\n');
        seen(name, v, null, 0);
    }

    @Override
    public void bytes(String name, byte[] b, int offset, int length) {
        int v = line(name);
        int n = Math.max(0, Math.min(length, b.length - offset));
        if (n > MAX_HEX_BYTES) {
            out.append(Bytes.hex(b, offset, MAX_HEX_BYTES)).append("... (").append(n).append(" bytes)");
        } else {
            out.append(Bytes.hex(b, offset, n));
        }
        out.append('\n');
        seen(name, v, null, 0);
    }

    @Override
    public void begin(String name) {
        int level = indent - 1;
        if (level >= 0 && level < MAX_DEPTH && inList(level)) {
            compact[level] = false; // a nested object inside an element
        }
        if (name != null || !inList(indent)) {
            line(name);
            newline();
            indent++;
            mark(false);
            return;
        }
        if (indent < MAX_DEPTH) {
            elementStart[indent] = out.length();
            line(null);
            dashPending[indent] = true;
            elementFields[indent] = 0;
            compact[indent] = true;
            typeText[indent] = null;
            valueText[indent] = null;
        }
        indent++;
        mark(false);
    }

    @Override
    public void end() {
        indent--;
        if (indent < 0 || indent >= MAX_DEPTH || !inList(indent)) {
            return;
        }
        if (dashPending[indent]) {
            dashPending[indent] = false;
            out.append("{}\n"); // an element without fields
        } else if (compact[indent] && elementFields[indent] == 2 && valueText[indent] != null) {
            out.setLength(elementStart[indent]);
            for (int i = 0; i < indent; i++) {
                out.append("  ");
            }
            out.append("- ").append(typeText[indent]).append(": ").append(valueText[indent]).append('\n');
        }
    }

    @Override
    public void beginList(String name) {
        int level = indent - 1;
        if (level >= 0 && level < MAX_DEPTH && inList(level)) {
            compact[level] = false;
        }
        line(name);
        newline();
        indent++;
        mark(true);
    }

    @Override
    public void endList() {
        mark(false);
        indent--;
    }

    /** Ends a line that introduces nested fields ("payloads:"), without the space after the colon. */
    private void newline() {
        if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
            out.setLength(out.length() - 1);
        }
        out.append('\n');
    }

    private boolean inList(int level) {
        return level >= 0 && level < MAX_DEPTH && inList[level];
    }

    private void mark(boolean v) {
        if (indent >= 0 && indent < MAX_DEPTH) {
            inList[indent] = v;
        }
    }
}
