package org.vpnsleuth.decode;

import java.util.function.BiConsumer;

/**
 * Codecs a later stage contributes for protocols decode dispatches to but does not decode itself
 * (the IKE layer: its payloads, fragments and decryption belong to the ike stage). Found with
 * {@link java.util.ServiceLoader} (META-INF/services), so decode depends on no stage after it.
 */
public interface CodecProvider {
    /** Registers this provider's codecs: {@code put.accept(proto, codec)} for each. */
    void register(BiConsumer<Proto, LayerCodec> put);
}
