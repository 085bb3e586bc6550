package org.vpnsleuth.overhead;

/**
 * One encapsulation layer: the bytes it adds in front of and after a payload of {@code n} bytes
 * (header, padding, trailer, ICV). The sizes are the RFCs' (see each implementation and
 * {@code registry/overhead/layers.tsv}); docs/overhead.md explains the model.
 */
public interface Encapsulation {
    /** The layer's name in the stack syntax: "esp", "udp", "gre", ... */
    String name();

    /** Total bytes this layer adds to a payload of {@code payloadLength} bytes (header + padding + trailer + ICV). */
    int added(int payloadLength);

    /** The layer as written in the stack syntax, with its parameters ("gre:key", "esp:aes-cbc-256,hmac-sha1-96"). */
    default String spec() {
        return name();
    }

    /** What the layer adds, in words, with the RFC ("GRE 4 + key 4 (RFC 2784, RFC 2890)"). */
    default String describe() {
        return spec();
    }

    /**
     * The padding unit: {@code added(n + unit) == added(n)} for every n (1 for a layer of fixed
     * size). {@link #minAdded()} and {@link #maxAdded()} look at one such period.
     */
    default int period() {
        return 1;
    }

    /** The fewest bytes the layer adds, over all payload lengths. */
    default int minAdded() {
        int min = Integer.MAX_VALUE;
        for (int n = 0; n < period(); n++) {
            min = Math.min(min, added(n));
        }
        return min;
    }

    /** The most bytes the layer adds, over all payload lengths (the padding's worst case). */
    default int maxAdded() {
        int max = Integer.MIN_VALUE;
        for (int n = 0; n < period(); n++) {
            max = Math.max(max, added(n));
        }
        return max;
    }
}
