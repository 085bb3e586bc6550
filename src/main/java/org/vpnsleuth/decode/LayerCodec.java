package org.vpnsleuth.decode;

/**
 * Decodes one protocol's header from the decoder's cursor and describes it afterwards. Codecs are
 * stateless (state such as fragment reassembly lives in the {@link Decoder}).
 */
public interface LayerCodec {
    /**
     * Decodes the header at {@code d.buf[d.off, d.end)}, adds its layer to {@code p}, leaves the
     * cursor on the payload and returns the protocol of the payload ({@link Decoder#STOP} when
     * nothing further can be decoded). Must not throw on any input: bad lengths set
     * {@link Layer#malformed} and stop.
     */
    Proto decode(Decoder d, Packet p);

    /** A short summary for the one-line view, e.g. "ESP spi=0x0a1b2c3d seq=7". */
    void summary(Layer l, StringBuilder out);

    /** All fields, for the tree view and JSON. */
    void fields(Layer l, FieldSink out);
}
