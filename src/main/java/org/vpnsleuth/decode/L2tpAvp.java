package org.vpnsleuth.decode;

/**
 * One AVP of an L2TP control message (RFC 2661 §4.1, RFC 3931 §5.1). {@code value} is decoded for
 * the IETF (vendor 0) AVPs the tracker reads, when the AVP is not hidden and its value is long
 * enough (the length {@link L2tpCodec#minValue} requires); otherwise it is null, and the dissector
 * shows the raw bytes instead.
 */
public record L2tpAvp(boolean mandatory, boolean hidden, int length, int vendorId, int type, boolean truncated,
        Value value) {
    // attribute types, vendor 0 (RFC 2661 §4.4, RFC 3931 §5.4; names in registry/l2tp-avp-types.tsv)
    public static final int MESSAGE_TYPE = 0;
    public static final int RESULT_CODE = 1;
    public static final int HOST_NAME = 7;
    public static final int VENDOR_NAME = 8;
    public static final int ASSIGNED_TUNNEL_ID = 9;
    public static final int CHALLENGE = 11;
    public static final int Q931_CAUSE_CODE = 12;
    public static final int CHALLENGE_RESPONSE = 13;
    public static final int ASSIGNED_SESSION_ID = 14;
    public static final int CALL_SERIAL_NUMBER = 15;
    public static final int ASSIGNED_CONTROL_CONNECTION_ID = 61;
    public static final int LOCAL_SESSION_ID = 63;
    public static final int REMOTE_SESSION_ID = 64;

    /** A decoded AVP value. */
    public sealed interface Value permits MessageType, Result, Text, Id, Cause, Opaque {
    }

    /** Message Type (0). */
    public record MessageType(int type) implements Value {
    }

    /**
     * Result Code (1): the result code (named per message type, RFC 2661 §4.4.2), the error code when
     * the value has it (else -1) and the error message when it has one (else null).
     */
    public record Result(int resultCode, String resultName, int errorCode, String errorName, String errorMessage)
            implements Value {
    }

    /** Host Name (7), Vendor Name (8): text up to the first NUL, control characters as '.'. */
    public record Text(String text) implements Value {
    }

    /** Assigned Tunnel ID (9), Assigned Session ID (14), Call Serial Number (15), and the v3 32-bit IDs (61, 63, 64). */
    public record Id(long id) implements Value {
    }

    /** Q.931 Cause Code (12): the cause code (the message and advisory are left to the dissector). */
    public record Cause(int causeCode) implements Value {
    }

    /** Challenge (11), Challenge Response (13): only their presence and size matter here. */
    public record Opaque(int length) implements Value {
    }

    /** The text of a Host Name or Vendor Name AVP, null when not decoded. */
    public String text() {
        return value instanceof Text t ? t.text() : null;
    }

    /** The ID or number of an ID AVP, -1 when not decoded. */
    public long id() {
        return value instanceof Id i ? i.id() : -1;
    }
}
