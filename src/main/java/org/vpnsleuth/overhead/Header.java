package org.vpnsleuth.overhead;

/**
 * A layer of fixed size (every layer but ESP and AH): its bytes are the sum of the rows of
 * {@code registry/overhead/layers.tsv} its parameters select (base, flags, byte counts).
 */
public final class Header implements Encapsulation {
    private final String name;
    private final String spec;
    private final int bytes;
    private final String describe;

    Header(String name, String spec, int bytes, String describe) {
        this.name = name;
        this.spec = spec;
        this.bytes = bytes;
        this.describe = describe;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int added(int payloadLength) {
        return bytes;
    }

    /** The layer's size. */
    public int bytes() {
        return bytes;
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public String toString() {
        return spec;
    }
}
