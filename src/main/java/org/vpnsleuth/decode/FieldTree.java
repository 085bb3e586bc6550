package org.vpnsleuth.decode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;

/**
 * A layer's fields as a small tree of maps and lists, for the stages after decoding (tracking,
 * diagnosis) that need values rather than text: the same fields the tree view and JSON show, so
 * there is one decode path. Numbers are {@code Long}, texts and byte strings (lowercase hex)
 * {@code String}, booleans {@code Boolean}; a named value also gets "&lt;name&gt;Name" when it has a
 * label. Build one only where it is needed: it allocates.
 */
public final class FieldTree implements FieldSink {
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Deque<Object> stack = new ArrayDeque<>();

    public FieldTree() {
        stack.push(root);
    }

    /** The fields of {@code l} decoded by its codec (empty for a layer without one). */
    public static Map<String, Object> of(Layer l) {
        FieldTree t = new FieldTree();
        LayerCodec c = Codecs.of(l.proto);
        if (c != null) {
            c.fields(l, t);
        }
        return t.root;
    }

    public Map<String, Object> root() {
        return root;
    }

    @SuppressWarnings("unchecked")
    private void put(String name, Object v) {
        Object top = stack.peek();
        if (top instanceof List<?> list) {
            ((List<Object>) list).add(v);
        } else if (name != null) {
            ((Map<String, Object>) top).put(name, v);
        }
    }

    @Override
    public void text(String name, String value) {
        put(name, value);
    }

    @Override
    public void number(String name, long value) {
        put(name, value);
    }

    @Override
    public void named(String name, long value, String label) {
        put(name, value);
        if (label != null && name != null && !(stack.peek() instanceof List<?>)) {
            put(name + "Name", label);
        }
    }

    @Override
    public void hexNumber(String name, long value, int digits) {
        put(name, value);
    }

    @Override
    public void bool(String name, boolean value) {
        put(name, value);
    }

    @Override
    public void bytes(String name, byte[] b, int offset, int length) {
        int n = Math.max(0, Math.min(length, b.length - offset));
        put(name, Bytes.hex(b, offset, n));
    }

    @Override
    public void begin(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(name, m);
        stack.push(m);
    }

    @Override
    public void end() {
        if (stack.size() > 1) {
            stack.pop();
        }
    }

    @Override
    public void beginList(String name) {
        List<Object> l = new ArrayList<>();
        put(name, l);
        stack.push(l);
    }

    @Override
    public void endList() {
        if (stack.size() > 1) {
            stack.pop();
        }
    }

    // ------------------------------------------------------------------ reading helpers

    /** {@code m.get(key)} as a long, or {@code dflt}. */
    public static long num(Map<String, Object> m, String key, long dflt) {
        return m != null && m.get(key) instanceof Long v ? v : dflt;
    }

    public static String str(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof String s ? s : null;
    }

    public static boolean bool(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Boolean b && b;
    }

    /** The maps in list {@code key} of {@code m} (elements that are not maps skipped). */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> maps(Map<String, Object> m, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (m != null && m.get(key) instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> e) {
                    out.add((Map<String, Object>) e);
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Map<?, ?> e ? (Map<String, Object>) e : null;
    }
}
