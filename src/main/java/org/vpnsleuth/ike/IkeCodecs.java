package org.vpnsleuth.ike;

import java.util.function.BiConsumer;
import org.vpnsleuth.decode.CodecProvider;
import org.vpnsleuth.decode.LayerCodec;
import org.vpnsleuth.decode.Proto;

/** Registers the IKE layer's codec with decode (listed in META-INF/services). */
public final class IkeCodecs implements CodecProvider {
    @Override
    public void register(BiConsumer<Proto, LayerCodec> put) {
        put.accept(Proto.IKE, new IkeHeaderCodec());
    }
}
