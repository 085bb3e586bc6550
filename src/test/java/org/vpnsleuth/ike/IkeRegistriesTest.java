package org.vpnsleuth.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.base.NameTable;

class IkeRegistriesTest {

    @Test
    void everyTableLoadsAndIsNonEmpty() {
        for (String name : IkeRegistries.NAMES) {
            NameTable t = NameTable.load("ike/" + name);
            assertTrue(t.size() > 0, name);
        }
    }

    @Test
    void ikev2SpotValues() {
        assertEquals("NO_PROPOSAL_CHOSEN", IkeRegistries.IKEV2_NOTIFY_TYPES.name(14));
        assertEquals("INVALID_KE_PAYLOAD", IkeRegistries.IKEV2_NOTIFY_TYPES.name(17));
        assertEquals("AUTHENTICATION_FAILED", IkeRegistries.IKEV2_NOTIFY_TYPES.name(24));
        assertEquals("TS_UNACCEPTABLE", IkeRegistries.IKEV2_NOTIFY_TYPES.name(38));
        assertEquals("INITIAL_CONTACT", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16384));
        assertEquals("NAT_DETECTION_SOURCE_IP", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16388));
        assertEquals("NAT_DETECTION_DESTINATION_IP", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16389));
        assertEquals("COOKIE", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16390));
        assertEquals("REKEY_SA", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16393));
        assertEquals("IKEV2_FRAGMENTATION_SUPPORTED", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16430));
        assertEquals("SIGNATURE_HASH_ALGORITHMS", IkeRegistries.IKEV2_NOTIFY_TYPES.name(16431));
        assertEquals("ENCR_3DES", IkeRegistries.IKEV2_ENCR.name(3));
        assertEquals("ENCR_AES_CBC", IkeRegistries.IKEV2_ENCR.name(12));
        assertEquals("ENCR_AES_GCM_16", IkeRegistries.IKEV2_ENCR.name(20));
        assertEquals("ENCR_CHACHA20_POLY1305", IkeRegistries.IKEV2_ENCR.name(28));
        assertEquals("PRF_HMAC_SHA2_256", IkeRegistries.IKEV2_PRF.name(5));
        assertEquals("AUTH_HMAC_SHA2_256_128", IkeRegistries.IKEV2_INTEG.name(12));
        assertEquals("1024-bit MODP Group", IkeRegistries.IKEV2_KE.name(2));
        assertEquals("2048-bit MODP Group", IkeRegistries.IKEV2_KE.name(14));
        assertEquals("256-bit random ECP group", IkeRegistries.IKEV2_KE.name(19));
        assertEquals("Curve25519", IkeRegistries.IKEV2_KE.name(31));
        assertEquals("Extended Sequence Numbers", IkeRegistries.IKEV2_ESN.name(1));
        assertEquals("Security Association", IkeRegistries.IKEV2_PAYLOAD_TYPES.name(33));
        assertEquals("Encrypted and Authenticated", IkeRegistries.IKEV2_PAYLOAD_TYPES.name(46));
        assertEquals("Encrypted and Authenticated Fragment", IkeRegistries.IKEV2_PAYLOAD_TYPES.name(53));
        assertEquals("Key Length (in bits)", IkeRegistries.IKEV2_TRANSFORM_ATTRIBUTES.name(14));
        assertEquals("ID_RFC822_ADDR", IkeRegistries.IKEV2_ID_TYPES.name(3));
        assertEquals("Shared Key Message Integrity Code", IkeRegistries.IKEV2_AUTH_METHODS.name(2));
        assertEquals("Digital Signature", IkeRegistries.IKEV2_AUTH_METHODS.name(14));
        assertEquals("TS_IPV4_ADDR_RANGE", IkeRegistries.IKEV2_TS_TYPES.name(7));
        assertEquals("CFG_REQUEST", IkeRegistries.IKEV2_CP_TYPES.name(1));
        assertEquals("INTERNAL_IP4_ADDRESS", IkeRegistries.IKEV2_CP_ATTRIBUTES.name(1));
        assertEquals("ESP", IkeRegistries.IKEV2_PROTOCOL_IDS.name(3));
        assertEquals("SHA2-256", IkeRegistries.IKEV2_HASH_ALGORITHMS.name(2));
        assertEquals("FQDN", IkeRegistries.IKEV2_REDIRECT_GATEWAY_TYPES.name(3));
    }

    @Test
    void ikev1SpotValues() {
        assertEquals("NO-PROPOSAL-CHOSEN", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(14));
        assertEquals("INVALID-ID-INFORMATION", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(18));
        assertEquals("INVALID-HASH-INFORMATION", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(23));
        assertEquals("AUTHENTICATION-FAILED", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(24));
        assertEquals("RESPONDER-LIFETIME", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(24576));
        assertEquals("REPLAY-STATUS", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(24577));
        assertEquals("INITIAL-CONTACT", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(24578));
        assertEquals("R-U-THERE", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(36136));
        assertEquals("R-U-THERE-ACK", IkeRegistries.ISAKMP_NOTIFY_TYPES.name(36137));
        assertEquals("pre-shared key", IkeRegistries.IKE_PHASE1_AUTH_METHODS.name(1));
        assertEquals("RSA signatures", IkeRegistries.IKE_PHASE1_AUTH_METHODS.name(3));
        assertEquals("XAUTHInitPreShared", IkeRegistries.IKE_PHASE1_AUTH_METHODS.name(65001));
        assertEquals("HybridInitRSA", IkeRegistries.IKE_PHASE1_AUTH_METHODS.name(64221));
        assertEquals("3DES-CBC", IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS.name(5));
        assertEquals("AES-CBC", IkeRegistries.IKE_PHASE1_ENCRYPTION_ALGORITHMS.name(7));
        assertEquals("SHA", IkeRegistries.IKE_PHASE1_HASH_ALGORITHMS.name(2));
        assertEquals("alternate 1024-bit MODP group", IkeRegistries.IKE_PHASE1_GROUP_DESCRIPTIONS.name(2));
        assertEquals("MODP", IkeRegistries.IKE_PHASE1_GROUP_TYPES.name(1));
        assertEquals("seconds", IkeRegistries.IKE_PHASE1_LIFE_TYPES.name(1));
        assertEquals("Authentication Method", IkeRegistries.IKE_PHASE1_ATTRIBUTE_CLASSES.name(3));
        assertEquals("Life Duration", IkeRegistries.IKE_PHASE1_ATTRIBUTE_CLASSES.name(12));
        assertEquals("Encapsulation Mode", IkeRegistries.IPSEC_PHASE2_ATTRIBUTE_CLASSES.name(4));
        assertEquals("UDP-Encapsulated-Tunnel", IkeRegistries.IPSEC_PHASE2_ENCAPSULATION_MODES.name(3));
        assertEquals("UDP-Encapsulated-Transport (draft)", IkeRegistries.IPSEC_PHASE2_ENCAPSULATION_MODES.name(61444));
        assertEquals("HMAC-SHA", IkeRegistries.IPSEC_PHASE2_AUTH_ALGORITHMS.name(2));
        assertEquals("kilobytes", IkeRegistries.IPSEC_PHASE2_LIFE_TYPES.name(2));
        assertEquals("PROTO_IPSEC_ESP", IkeRegistries.ISAKMP_PROTOCOL_IDS.name(3));
        assertEquals("ESP_3DES", IkeRegistries.ISAKMP_IPSEC_ESP_TRANSFORMS.name(3));
        assertEquals("AH_SHA", IkeRegistries.ISAKMP_IPSEC_AH_TRANSFORMS.name(3));
        assertEquals("IPCOMP_DEFLATE", IkeRegistries.ISAKMP_IPCOMP_TRANSFORMS.name(2));
        assertEquals("KEY_IKE", IkeRegistries.ISAKMP_KEY_IKE_TRANSFORMS.name(1));
        assertEquals("ID_IPV4_ADDR_SUBNET", IkeRegistries.IPSEC_ID_TYPES.name(4));
        assertEquals("X.509 Certificate - Signature", IkeRegistries.ISAKMP_CERT_ENCODINGS.name(4));
        assertEquals("IPSEC", IkeRegistries.ISAKMP_DOI.name(1));
        assertEquals("SIT_IDENTITY_ONLY", IkeRegistries.ISAKMP_SITUATION.name(1));
        assertEquals("Vendor ID (VID)", IkeRegistries.ISAKMP_PAYLOAD_TYPES.name(13));
        assertEquals("NAT Discovery (NAT-D)", IkeRegistries.ISAKMP_PAYLOAD_TYPES.name(20));
        assertEquals("NAT-D (draft-ietf-ipsec-nat-t-ike-01 to 03)", IkeRegistries.ISAKMP_PAYLOAD_TYPES.name(130));
        assertEquals("Fragmentation", IkeRegistries.ISAKMP_PAYLOAD_TYPES.name(132));
        assertEquals("XAUTH_USER_NAME", IkeRegistries.MODECFG_ATTRIBUTE_TYPES.name(16521));
        assertEquals("UNITY_BANNER", IkeRegistries.MODECFG_ATTRIBUTE_TYPES.name(28672));
        assertEquals("ISAKMP_CFG_ACK", IkeRegistries.MODECFG_MESSAGE_TYPES.name(4));
    }

    @Test
    void aliases() {
        assertTrue(IkeRegistries.aliases("isakmp-notify-types", 14).contains("PROPOSAL_NOT_CHOSEN"));
        assertTrue(IkeRegistries.aliases("ikev2-ke", 2).contains("DH group 2 (1024-bit MODP)"));
        assertTrue(IkeRegistries.aliases("ikev2-ke", 14).contains("group 14 (2048-bit MODP)"));
        assertTrue(IkeRegistries.aliases("ikev2-ke", 31).contains("curve25519"));
        assertTrue(IkeRegistries.aliases("ikev2-ke", 999).isEmpty());
        assertTrue(IkeRegistries.aliases("no-such-registry", 1).isEmpty());
        // every alias refers to a registry that exists and a value it names
        for (String reg : IkeRegistries.aliasedRegistries()) {
            assertTrue(IkeRegistries.NAMES.contains(reg), reg);
            NameTable t = NameTable.load("ike/" + reg);
            for (int v = 0; v < 70000; v++) {
                if (!IkeRegistries.aliases(reg, v).isEmpty()) {
                    assertNotNull(t.name(v), reg + " " + v);
                }
            }
        }
    }

    @Test
    void everyLineParsesAndNoValueRepeats() throws IOException {
        for (String name : IkeRegistries.NAMES) {
            checkFile(name, 2);
        }
        checkFile("aliases", 3);
    }

    private static void checkFile(String name, int fields) throws IOException {
        String path = "/org/vpnsleuth/registry/ike/" + name + ".tsv";
        try (InputStream in = IkeRegistriesTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Set<String> seen = new HashSet<>();
            String line;
            int n = 0;
            int entries = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String where = path + ":" + n;
                if (n == 1) {
                    assertTrue(line.startsWith("#"), where + ": first line must be a '#' source comment");
                }
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                assertEquals(fields, f.length, where + ": field count");
                for (String s : f) {
                    assertEquals(s.strip(), s, where + ": stray whitespace");
                    assertTrue(!s.isEmpty(), where + ": empty field");
                }
                int valueField = fields - 2;
                String v = f[valueField];
                int value;
                try {
                    value = v.startsWith("0x") ? Integer.parseUnsignedInt(v.substring(2), 16) : Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    fail(where + ": bad value " + v);
                    return;
                }
                assertTrue(value >= 0 && value <= 65535, where + ": value out of range");
                String key = fields == 2 ? Integer.toString(value) : f[0] + "/" + value + "/" + f[2];
                assertTrue(seen.add(key), where + ": duplicate " + key);
                entries++;
            }
            assertTrue(entries > 0, path + ": no entries");
        }
    }
}
