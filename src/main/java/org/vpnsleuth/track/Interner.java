package org.vpnsleuth.track;

import java.util.HashMap;

/**
 * One shared instance per distinct value of what the tracker keeps for every message: payload
 * summaries, proposals, notifies, endpoints, identities. A gateway capture repeats the same few
 * values across tens of thousands of SAs; without this each message held its own copies (most of
 * the heap at the end of such a capture). Values must be immutable with value equality (strings,
 * records). At most {@link #MAX} distinct values are held; past that a value is kept as it came
 * (only sharing is lost, nothing else).
 */
final class Interner {
    static final int MAX = 1 << 17;
    private final HashMap<Object, Object> values = new HashMap<>();

    @SuppressWarnings("unchecked")
    <T> T of(T v) {
        if (v == null) {
            return null;
        }
        Object c = values.get(v);
        if (c != null) {
            return (T) c;
        }
        if (values.size() < MAX) {
            values.put(v, v);
        }
        return v;
    }

    Endpoint endpoint(String address, int port) {
        return of(new Endpoint(address, port));
    }
}
