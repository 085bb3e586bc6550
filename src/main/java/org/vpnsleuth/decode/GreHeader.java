package org.vpnsleuth.decode;

/**
 * A GRE header (RFC 2784/2890 version 0, RFC 2637 §4.1 enhanced GRE version 1) read straight from a
 * "gre" layer's bytes by {@link #of(Layer)}. Values the header does not carry, or that the capture
 * cut, are -1.
 *
 * @param version 0 or 1 (another version is read but carries nothing else)
 * @param protocol the payload's protocol type (EtherType)
 * @param protocolName its name (registry/gre-protocol-types.tsv, else the EtherType's), or null
 * @param key version 0: the key (K bit); version 1: the call ID
 * @param payloadLength version 1: the key's payload length
 * @param seq the sequence number (S bit)
 */
public record GreHeader(int version, int protocol, String protocolName, long key, int payloadLength, long seq) {
    /** Enhanced GRE (PPTP) carries PPP: protocol type 0x880b. */
    public static final int PPP = GreCodec.PPP_TYPE;

    /** The header of a "gre" layer; null for another layer or one shorter than 4 bytes. */
    public static GreHeader of(Layer l) {
        return GreCodec.header(l);
    }
}
