package org.vpnsleuth.decode;

/** Placeholder until the real codec lands: the bytes are shown as data. */
final class PptpCodec implements LayerCodec {
    @Override
    public Proto decode(Decoder d, Packet p) {
        return Proto.DATA;
    }

    @Override
    public void summary(Layer l, StringBuilder out) {
    }

    @Override
    public void fields(Layer l, FieldSink out) {
    }
}
