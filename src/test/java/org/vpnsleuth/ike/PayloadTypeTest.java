package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every payload type constant against the IANA registry files the names come from: the number in
 * {@link PayloadType} is the number the registry gives the payload's name (ISAKMP next payload
 * types for V1_*, IKEv2 payload types for V2_*), and no constant is left unchecked.
 */
class PayloadTypeTest {
    /** Constant → the payload's name in the registry file (as IANA / the RFCs write it). */
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("NONE", "NONE");
        NAMES.put("V1_SA", "Security Association (SA)");
        NAMES.put("V1_P", "Proposal (P)");
        NAMES.put("V1_T", "Transform (T)");
        NAMES.put("V1_KE", "Key Exchange (KE)");
        NAMES.put("V1_ID", "Identification (ID)");
        NAMES.put("V1_CERT", "Certificate (CERT)");
        NAMES.put("V1_CR", "Certificate Request (CR)");
        NAMES.put("V1_HASH", "Hash (HASH)");
        NAMES.put("V1_SIG", "Signature (SIG)");
        NAMES.put("V1_NONCE", "Nonce (NONCE)");
        NAMES.put("V1_N", "Notification (N)");
        NAMES.put("V1_D", "Delete (D)");
        NAMES.put("V1_VID", "Vendor ID (VID)");
        NAMES.put("V1_ATTR", "Attributes (A)");
        NAMES.put("V1_NAT_D", "NAT Discovery (NAT-D)");
        NAMES.put("V1_NAT_OA", "NAT Original Address (NAT-OA)");
        NAMES.put("V1_NAT_D_DRAFT", "NAT-D (draft-ietf-ipsec-nat-t-ike-01 to 03)");
        NAMES.put("V1_NAT_OA_DRAFT", "NAT-OA (draft-ietf-ipsec-nat-t-ike-01 to 03)");
        NAMES.put("V1_FRAG", "Fragmentation");
        NAMES.put("V2_SA", "Security Association");
        NAMES.put("V2_KE", "Key Exchange");
        NAMES.put("V2_IDI", "Identification - Initiator");
        NAMES.put("V2_IDR", "Identification - Responder");
        NAMES.put("V2_CERT", "Certificate");
        NAMES.put("V2_CERTREQ", "Certificate Request");
        NAMES.put("V2_AUTH", "Authentication");
        NAMES.put("V2_NONCE", "Nonce");
        NAMES.put("V2_N", "Notify");
        NAMES.put("V2_D", "Delete");
        NAMES.put("V2_VID", "Vendor ID");
        NAMES.put("V2_TSI", "Traffic Selector - Initiator");
        NAMES.put("V2_TSR", "Traffic Selector - Responder");
        NAMES.put("V2_SK", "Encrypted and Authenticated");
        NAMES.put("V2_CP", "Configuration");
        NAMES.put("V2_EAP", "Extensible Authentication");
        NAMES.put("V2_SKF", "Encrypted and Authenticated Fragment");
    }

    @Test
    void everyConstantIsTheRegistrysNumberForItsName() throws Exception {
        int checked = 0;
        for (Field f : PayloadType.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) {
                continue;
            }
            String name = NAMES.get(f.getName());
            assertThat(name).as("registry name for %s", f.getName()).isNotNull();
            int value = f.getInt(null);
            String registered = f.getName().startsWith("V2_") ? IkeRegistries.IKEV2_PAYLOAD_TYPES.name(value)
                    : IkeRegistries.ISAKMP_PAYLOAD_TYPES.name(value);
            assertThat(registered).as("%s = %d", f.getName(), value).isEqualTo(name);
            checked++;
        }
        assertThat(checked).isEqualTo(NAMES.size());
    }
}
