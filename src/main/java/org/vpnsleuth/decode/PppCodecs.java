package org.vpnsleuth.decode;

import java.util.function.BiConsumer;

/** Placeholder until the real codecs land. */
final class PppCodecs {
    private PppCodecs() {
    }

    static void register(BiConsumer<Proto, LayerCodec> put) {
    }
}
