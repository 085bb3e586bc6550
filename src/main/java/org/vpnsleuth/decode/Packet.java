package org.vpnsleuth.decode;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.capture.Frame;

/**
 * The decoded stack of one frame: a reusable, preallocated array of {@link Layer} views. A
 * {@link Decoder} fills it; the next decode reuses it, so keep nothing from it across frames.
 */
public final class Packet {
    /** Decoding stops after this many layers (tunnels inside tunnels inside tunnels...). */
    public static final int MAX_LAYERS = 32;

    public Frame frame;
    private final Layer[] layers = new Layer[MAX_LAYERS];
    private int count;
    /** Remarks about the frame as a whole (reassembly, depth limit, decryption); null until the first, then reused. */
    private List<String> notes;

    public Packet() {
        for (int i = 0; i < MAX_LAYERS; i++) {
            layers[i] = new Layer();
        }
    }

    void clear(Frame f) {
        for (int i = 0; i < count; i++) {
            layers[i].reset();
        }
        count = 0;
        if (notes != null) {
            notes.clear(); // one list for every frame: decrypted ESP notes each packet
        }
        frame = f;
    }

    public boolean full() {
        return count == MAX_LAYERS;
    }

    /** Adds a layer; the caller sets the lengths. Returns null when the stack is full. */
    public Layer add(Proto proto, byte[] buf, int offset, int end) {
        if (count == MAX_LAYERS) {
            return null;
        }
        Layer l = layers[count++];
        l.proto = proto;
        l.buf = buf;
        l.offset = offset;
        l.end = end;
        return l;
    }

    public int count() {
        return count;
    }

    public Layer layer(int i) {
        return layers[i];
    }

    public Layer last() {
        return count == 0 ? null : layers[count - 1];
    }

    /** The first (outermost) layer of that protocol, or null. */
    public Layer find(Proto p) {
        for (int i = 0; i < count; i++) {
            if (layers[i].proto == p) {
                return layers[i];
            }
        }
        return null;
    }

    /** Index of the first layer of that protocol at or after {@code from}, or -1. */
    public int indexOf(Proto p, int from) {
        for (int i = from; i < count; i++) {
            if (layers[i].proto == p) {
                return i;
            }
        }
        return -1;
    }

    public boolean has(Proto p) {
        return find(p) != null;
    }

    /** True when any layer is malformed. */
    public boolean malformed() {
        for (int i = 0; i < count; i++) {
            if (layers[i].malformed != null) {
                return true;
            }
        }
        return false;
    }

    public void note(String s) {
        if (notes == null) {
            notes = new ArrayList<>(2);
        }
        notes.add(s);
    }

    /** The remarks about this frame; valid until the packet is decoded again (copy to keep them). */
    public List<String> notes() {
        return notes == null || notes.isEmpty() ? List.of() : notes;
    }

    /** "eth/ipv4/udp/esp". */
    public String stack() {
        StringBuilder sb = new StringBuilder(48);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(layers[i].proto.shortName);
        }
        return sb.toString();
    }
}
