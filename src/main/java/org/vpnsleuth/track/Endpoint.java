package org.vpnsleuth.track;

/** An address and port as seen on the wire ("192.0.2.1", 500); port 0 when there is none. */
public record Endpoint(String address, int port) implements java.io.Serializable {
    @Override
    public String toString() {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
