package org.vpnsleuth.ike;

import static org.vpnsleuth.ike.PayloadFields.malformed;

import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.decode.FieldSink;

/**
 * The identification data of an IKEv1 ID payload (RFC 2407 §4.6.2) or an IKEv2 IDi/IDr payload
 * (RFC 7296 §3.5), which share their type numbers for addresses, names, DER identities and
 * KEY_ID; the subnet and range types exist only in IKEv1, ID_NULL (RFC 7619) only in IKEv2.
 * Emits "value" (text, or bytes where the identity is opaque) and, for a KEY_ID made of printable
 * ASCII, "text". A value that does not fit its type is marked malformed.
 */
final class Identities {
    private Identities() {
    }

    // the type numbers both registries share
    static final int IPV4_ADDR = 1;
    static final int FQDN = 2;
    static final int USER_FQDN = 3;
    static final int IPV6_ADDR = 5;
    static final int DER_ASN1_DN = 9;
    static final int DER_ASN1_GN = 10;
    static final int KEY_ID = 11;
    // IKEv1 only
    static final int V1_IPV4_ADDR_SUBNET = 4;
    static final int V1_IPV6_ADDR_SUBNET = 6;
    static final int V1_IPV4_ADDR_RANGE = 7;
    static final int V1_IPV6_ADDR_RANGE = 8;
    // IKEv2 only
    static final int V2_NULL = 13;

    static void decode(int t, boolean v1, byte[] b, int v, int n, FieldSink out) {
        render(parse(t, v1, b, v, n), out);
    }

    static void render(IdentityValue x, FieldSink out) {
        if (x.text() != null) {
            out.text("value", x.text());
        }
        if (x.bytes() != null) {
            out.bytes("value", x.bytes(), 0, x.bytes().length);
        }
        if (x.ascii() != null) {
            out.text("text", x.ascii());
        }
        if (x.malformed() != null) {
            malformed(out, x.malformed());
        }
    }

    private static IdentityValue text(String t) {
        return new IdentityValue(t, null, null, null);
    }

    private static IdentityValue bytes(byte[] b, int v, int n) {
        return new IdentityValue(null, java.util.Arrays.copyOfRange(b, v, v + n), null, null);
    }

    private static IdentityValue bad(String why) {
        return new IdentityValue(null, null, null, why);
    }

    /** The identification data {@code b[v, v+n)} of ID type {@code t}. */
    static IdentityValue parse(int t, boolean v1, byte[] b, int v, int n) {
        switch (t) {
            case IPV4_ADDR -> {
                return n != 4 ? bad(inexact(n, 4, "IPv4 address")) : text(Bytes.ipv4(b, v));
            }
            case IPV6_ADDR -> {
                return n != 16 ? bad(inexact(n, 16, "IPv6 address")) : text(Bytes.ipv6(b, v));
            }
            case FQDN, USER_FQDN -> {
                return text(Ikev2Payloads.text(b, v, n));
            }
            case DER_ASN1_DN -> {
                return der(DerNames.name(b, v, n), b, v, n);
            }
            case DER_ASN1_GN -> {
                return der(DerNames.generalName(b, v, n), b, v, n);
            }
            case KEY_ID -> {
                return new IdentityValue(null, java.util.Arrays.copyOfRange(b, v, v + n),
                        printable(b, v, n) ? new String(b, v, n, java.nio.charset.StandardCharsets.US_ASCII) : null, null);
            }
            default -> {
                if (v1) {
                    return v1Only(t, b, v, n);
                }
                if (t == V2_NULL) {
                    return n != 0 ? bad("ID_NULL with " + n + " bytes of identification data (none expected)")
                            : new IdentityValue(null, null, null, null);
                }
                return bytes(b, v, n);
            }
        }
    }

    private static IdentityValue v1Only(int t, byte[] b, int v, int n) {
        return switch (t) {
            case V1_IPV4_ADDR_SUBNET -> n != 8 ? bad(inexact(n, 8, "IPv4 subnet")) : text(Bytes.ipv4(b, v) + "/" + Bytes.ipv4(b, v + 4));
            case V1_IPV6_ADDR_SUBNET -> n != 32 ? bad(inexact(n, 32, "IPv6 subnet"))
                    : text(Bytes.ipv6(b, v) + "/" + Bytes.ipv6(b, v + 16));
            case V1_IPV4_ADDR_RANGE -> n != 8 ? bad(inexact(n, 8, "IPv4 range")) : text(Bytes.ipv4(b, v) + "-" + Bytes.ipv4(b, v + 4));
            case V1_IPV6_ADDR_RANGE -> n != 32 ? bad(inexact(n, 32, "IPv6 range"))
                    : text(Bytes.ipv6(b, v) + "-" + Bytes.ipv6(b, v + 16));
            default -> bytes(b, v, n); // ID_LIST and unassigned types
        };
    }

    /** A DER identity: its readable text, or its bytes and why they do not parse. */
    private static IdentityValue der(DerNames.Result r, byte[] b, int v, int n) {
        if (r.text() != null) {
            return text(r.text());
        }
        return new IdentityValue(null, java.util.Arrays.copyOfRange(b, v, v + n), null, r.malformed());
    }

    private static boolean printable(byte[] b, int v, int n) {
        if (n == 0) {
            return false;
        }
        for (int i = v; i < v + n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String inexact(int n, int want, String what) {
        return what + " identity of " + n + " bytes (" + want + " expected)";
    }
}
