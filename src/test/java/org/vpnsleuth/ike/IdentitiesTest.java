package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.ike.DerNamesTest.C;
import static org.vpnsleuth.ike.DerNamesTest.CN;
import static org.vpnsleuth.ike.DerNamesTest.O;
import static org.vpnsleuth.ike.DerNamesTest.cat;
import static org.vpnsleuth.ike.DerNamesTest.h;
import static org.vpnsleuth.ike.DerNamesTest.printable;
import static org.vpnsleuth.ike.DerNamesTest.rdn;
import static org.vpnsleuth.ike.DerNamesTest.seq;
import static org.vpnsleuth.ike.DerNamesTest.utf8;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.ike.Ikev2PayloadsTest.Rec;

/**
 * {@link Identities} through the ID payload bodies: IKEv1 ID (RFC 2407 §4.6.2: ID type, protocol ID,
 * port, data) and IKEv2 IDi/IDr (RFC 7296 §3.5: ID type, 3 reserved bytes, data).
 */
class IdentitiesTest {

    static final byte[] MOON_DN = seq(rdn(C, printable("CH")), rdn(O, utf8("strongSwan")), rdn(CN, utf8("moon")));

    /** The fields of an IKEv1 ID payload body (after the generic header), placed at offset 3 of a buffer. */
    static Map<String, Object> v1(int idType, byte[] data) {
        byte[] body = cat(new byte[] {(byte) idType, 17, 0x01, (byte) 0xf4}, data); // protocol UDP, port 500
        byte[] buf = cat(h("ee ee ee"), body, h("ee"));
        Rec r = new Rec();
        Ikev1Payloads.fields(PayloadType.V1_ID, buf, 3, 3 + body.length, r);
        r.balanced();
        return r.root;
    }

    /** The fields of an IKEv2 IDi payload body, placed at offset 3 of a buffer. */
    static Map<String, Object> v2(int idType, byte[] data) {
        byte[] body = cat(new byte[] {(byte) idType, 0, 0, 0}, data);
        byte[] buf = cat(h("ee ee ee"), body, h("ee"));
        Rec r = new Rec();
        Ikev2Payloads.fields(35, 0, buf, 3, 3 + body.length, r);
        r.balanced();
        return r.root;
    }

    @Test
    void derAsn1Dn() {
        // ID type 9, ID_DER_ASN1_DN: the DER of a Name
        for (Map<String, Object> f : List.of(v1(9, MOON_DN), v2(9, MOON_DN))) {
            assertThat(f).containsEntry("idType", 9L).containsEntry("value", "C=CH, O=strongSwan, CN=moon")
                    .doesNotContainKey("malformed").doesNotContainKey("text");
        }
        assertThat(v1(9, MOON_DN)).containsEntry("protocolId", 17L).containsEntry("port", 500L);
        // not a Name: the bytes, and why
        byte[] bad = h("31 00");
        for (Map<String, Object> f : List.of(v1(9, bad), v2(9, bad))) {
            assertThat(f).containsEntry("value", "3100");
            assertThat((String) f.get("malformed")).startsWith("DER Name: ");
        }
        byte[] trailing = cat(MOON_DN, h("00"));
        assertThat((String) v2(9, trailing).get("malformed")).contains("1 bytes after the SEQUENCE");
    }

    @Test
    void derAsn1Gn() {
        // ID type 10, ID_DER_ASN1_GN: the DER of one GeneralName
        byte[] dns = cat(h("82 13"), "moon.strongswan.org".getBytes(StandardCharsets.US_ASCII));
        assertThat(v1(10, dns)).containsEntry("value", "dns:moon.strongswan.org").doesNotContainKey("malformed");
        assertThat(v2(10, dns)).containsEntry("value", "dns:moon.strongswan.org").doesNotContainKey("malformed");
        byte[] dir = cat(h("a4"), new byte[] {(byte) MOON_DN.length}, MOON_DN);
        assertThat(v2(10, dir)).containsEntry("value", "dn:C=CH, O=strongSwan, CN=moon");
        assertThat(v1(10, h("87 04 c6 33 64 07"))).containsEntry("value", "ip:198.51.100.7");
        Map<String, Object> f = v1(10, h("87 03 c6 33 64"));
        assertThat(f).containsEntry("value", "8703c63364");
        assertThat((String) f.get("malformed")).contains("iPAddress of 3 bytes");
    }

    @Test
    void keyId() {
        // ID type 11, ID_KEY_ID: opaque bytes; printable ASCII is also shown as text
        byte[] printableId = "vpn-key #1".getBytes(StandardCharsets.US_ASCII);
        for (Map<String, Object> f : List.of(v1(11, printableId), v2(11, printableId))) {
            assertThat(f).containsEntry("value", "76706e2d6b6579202331").containsEntry("text", "vpn-key #1")
                    .doesNotContainKey("malformed");
        }
        for (Map<String, Object> f : List.of(v1(11, h("00 01 02 ff")), v2(11, h("61 62 0a")))) {
            assertThat(f).doesNotContainKey("text").doesNotContainKey("malformed");
        }
        assertThat(v2(11, h("61 62 0a"))).containsEntry("value", "61620a");
        assertThat(v1(11, new byte[0])).containsEntry("value", "").doesNotContainKey("text");
    }

    @Test
    void idNull() {
        // IKEv2 ID type 13, ID_NULL (RFC 7619 §3): the identification data is empty
        assertThat(v2(13, new byte[0])).containsEntry("idType", 13L).doesNotContainKey("malformed");
        Map<String, Object> f = v2(13, h("01 02 03"));
        assertThat((String) f.get("malformed")).isEqualTo("ID_NULL with 3 bytes of identification data (none expected)");
    }

    @Test
    void versionSpecificTypes() {
        // type 4 is ID_IPV4_ADDR_SUBNET in IKEv1 (RFC 2407 §4.6.2.5) and unassigned in IKEv2
        byte[] subnet = h("0a 00 00 00 ff ff ff 00");
        assertThat(v1(4, subnet)).containsEntry("value", "10.0.0.0/255.255.255.0");
        assertThat(v2(4, subnet)).containsEntry("value", "0a000000ffffff00").doesNotContainKey("malformed");
        // type 13 is not ID_NULL in IKEv1
        assertThat(v1(13, h("01 02 03"))).containsEntry("value", "010203").doesNotContainKey("malformed");
        // addresses of the wrong size
        assertThat((String) v1(1, h("c0 00 02")).get("malformed")).isEqualTo("IPv4 address identity of 3 bytes (4 expected)");
        assertThat((String) v2(5, h("20 01 0d b8")).get("malformed")).isEqualTo("IPv6 address identity of 4 bytes (16 expected)");
    }
}
