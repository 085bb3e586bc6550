package org.vpnsleuth.ike;

import org.vpnsleuth.base.Bytes;

/**
 * A safe walker over the generic payload chain shared by IKEv1 and IKEv2 (RFC 2408 §3.2, RFC 7296
 * §3.2): next payload (1 byte), reserved / critical bit (1), payload length (2, including this
 * 4-byte header). One walker per message; {@link #next()} moves to the following payload without
 * allocating. The walk stops on next payload 0, on a length below 4, on a length that overruns the
 * message, on a header that does not fit, and after {@link #MAX_PAYLOADS} payloads; every stop
 * other than next payload 0 leaves its reason in {@link #malformed}.
 *
 * <p>The IKEv2 Encrypted (SK, 46) and Encrypted Fragment (SKF, 53) payloads carry the type of the
 * first inner payload in their next-payload field and end the message: a chain that reaches the
 * end of the message exactly after one of them ends cleanly.
 */
public final class PayloadChain {
    /** Payloads walked at most per message. */
    public static final int MAX_PAYLOADS = 256;


    private final byte[] buf;
    private final int start;
    private final int limit;
    private final boolean ikev2;
    private int pos;
    private int nextType;

    /** Type of the current payload. */
    public int type;
    /** Offset in the buffer of the current payload's generic header. */
    public int offset;
    /** Length of the current payload, its 4-byte header included. */
    public int length;
    /** The critical bit (IKEv2; the high bit of the reserved byte). */
    public boolean critical;
    /** The next-payload field of the current payload. */
    public int nextPayload;
    /** Payloads yielded so far. */
    public int count;
    /** Why the walk stopped early, or null. */
    public String malformed;

    /**
     * @param buf the message bytes
     * @param start offset of the first payload
     * @param end end of the message (exclusive; clipped to the buffer)
     * @param firstType the header's next-payload field
     * @param ikev2 whether SK/SKF end the chain
     */
    public PayloadChain(byte[] buf, int start, int end, int firstType, boolean ikev2) {
        this.buf = buf;
        this.start = start;
        this.limit = Math.max(start, Math.min(end, buf == null ? 0 : buf.length));
        this.ikev2 = ikev2;
        this.pos = start;
        this.nextType = firstType;
    }

    /** Offset of the current payload's body (after the 4-byte generic header). */
    public int bodyOffset() {
        return offset + 4;
    }

    /** End of the current payload (exclusive). */
    public int bodyEnd() {
        return offset + length;
    }

    /** Bytes from the first payload to the message end. */
    public int messageLength() {
        return limit - start;
    }

    /** Moves to the next payload; false when the chain has ended (cleanly or not). */
    public boolean next() {
        if (malformed != null || nextType == 0 || buf == null) {
            return false;
        }
        if (ikev2 && count > 0 && (type == PayloadType.V2_SK || type == PayloadType.V2_SKF) && pos >= limit) {
            return false; // the next-payload field of SK/SKF names the first encrypted payload
        }
        if (count >= MAX_PAYLOADS) {
            malformed = "more than " + MAX_PAYLOADS + " payloads";
            return false;
        }
        int left = limit - pos;
        if (left < 4) {
            malformed = "payload " + nextType + " header needs 4 bytes, only " + left + " left in the message";
            return false;
        }
        int len = Bytes.u16(buf, pos + 2);
        if (len < 4) {
            malformed = "payload " + nextType + " length " + len + " is below the 4-byte header";
            return false;
        }
        if (len > left) {
            malformed = "payload " + nextType + " length " + len + " overruns the message by " + (len - left) + " bytes";
            return false;
        }
        type = nextType;
        offset = pos;
        length = len;
        nextPayload = buf[pos] & 0xff;
        critical = (buf[pos + 1] & 0x80) != 0;
        nextType = nextPayload;
        pos += len;
        count++;
        return true;
    }
}
