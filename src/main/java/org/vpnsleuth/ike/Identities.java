package org.vpnsleuth.ike;

import static org.vpnsleuth.ike.PayloadFields.malformed;

import org.vpnsleuth.decode.Bytes;
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
        switch (t) {
            case IPV4_ADDR -> {
                if (exact(out, n, 4, "IPv4 address")) {
                    out.text("value", Bytes.ipv4(b, v));
                }
            }
            case IPV6_ADDR -> {
                if (exact(out, n, 16, "IPv6 address")) {
                    out.text("value", Bytes.ipv6(b, v));
                }
            }
            case FQDN, USER_FQDN -> out.text("value", Ikev2Payloads.text(b, v, n));
            case DER_ASN1_DN -> der(DerNames.name(b, v, n), b, v, n, out);
            case DER_ASN1_GN -> der(DerNames.generalName(b, v, n), b, v, n, out);
            case KEY_ID -> {
                out.bytes("value", b, v, n);
                if (printable(b, v, n)) {
                    out.text("text", new String(b, v, n, java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
            default -> {
                if (v1) {
                    v1Only(t, b, v, n, out);
                } else if (t == V2_NULL) {
                    if (n != 0) {
                        malformed(out, "ID_NULL with " + n + " bytes of identification data (none expected)");
                    }
                } else {
                    out.bytes("value", b, v, n);
                }
            }
        }
    }

    private static void v1Only(int t, byte[] b, int v, int n, FieldSink out) {
        switch (t) {
            case V1_IPV4_ADDR_SUBNET -> {
                if (exact(out, n, 8, "IPv4 subnet")) {
                    out.text("value", Bytes.ipv4(b, v) + "/" + Bytes.ipv4(b, v + 4));
                }
            }
            case V1_IPV6_ADDR_SUBNET -> {
                if (exact(out, n, 32, "IPv6 subnet")) {
                    out.text("value", Bytes.ipv6(b, v) + "/" + Bytes.ipv6(b, v + 16));
                }
            }
            case V1_IPV4_ADDR_RANGE -> {
                if (exact(out, n, 8, "IPv4 range")) {
                    out.text("value", Bytes.ipv4(b, v) + "-" + Bytes.ipv4(b, v + 4));
                }
            }
            case V1_IPV6_ADDR_RANGE -> {
                if (exact(out, n, 32, "IPv6 range")) {
                    out.text("value", Bytes.ipv6(b, v) + "-" + Bytes.ipv6(b, v + 16));
                }
            }
            default -> out.bytes("value", b, v, n); // ID_LIST and unassigned types
        }
    }

    /** A DER identity: its readable text, or its bytes and why they do not parse. */
    private static void der(DerNames.Result r, byte[] b, int v, int n, FieldSink out) {
        if (r.text() != null) {
            out.text("value", r.text());
        } else {
            out.bytes("value", b, v, n);
            malformed(out, r.malformed());
        }
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

    static boolean exact(FieldSink out, int n, int want, String what) {
        if (n != want) {
            malformed(out, what + " identity of " + n + " bytes (" + want + " expected)");
            return false;
        }
        return true;
    }
}
