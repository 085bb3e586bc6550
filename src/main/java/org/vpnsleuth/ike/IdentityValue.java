package org.vpnsleuth.ike;

/**
 * The identification data of an ID / IDi / IDr payload as parsed (ike/Identities): {@code text}
 * (readable) or {@code bytes} (opaque) is its "value", {@code ascii} the "text" of a printable
 * KEY_ID, {@code malformed} why it does not fit its type; null components were not produced.
 */
public record IdentityValue(String text, byte[] bytes, String ascii, String malformed) implements java.io.Serializable {
    /** The value as the field tree writes it: its text, else its bytes in lowercase hex; null when there is none. */
    public String shown() {
        return text != null ? text : bytes != null ? org.vpnsleuth.base.Bytes.hex(bytes, 0, bytes.length) : null;
    }
}
