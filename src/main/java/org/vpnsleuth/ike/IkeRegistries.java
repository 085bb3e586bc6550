package org.vpnsleuth.ike;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.NameTable;

/**
 * The IKEv1 (ISAKMP) and IKEv2 registries, loaded as data from
 * {@code /org/vpnsleuth/registry/ike/*.tsv}, plus the aliases engineers see in router logs
 * ({@code ike/aliases.tsv}: "registry&lt;TAB&gt;value&lt;TAB&gt;alias").
 */
public final class IkeRegistries {
    private IkeRegistries() {
    }

    /** Every registry file name under {@code ike/}, without ".tsv". */
    public static final List<String> NAMES = List.of(
            "ike-phase1-attribute-classes",
            "ike-phase1-auth-methods",
            "ike-phase1-encryption-algorithms",
            "ike-phase1-group-descriptions",
            "ike-phase1-group-types",
            "ike-phase1-hash-algorithms",
            "ike-phase1-life-types",
            "ikev2-auth-methods",
            "ikev2-cert-encodings",
            "ikev2-cp-attributes",
            "ikev2-cp-types",
            "ikev2-encr",
            "ikev2-esn",
            "ikev2-hash-algorithms",
            "ikev2-id-types",
            "ikev2-integ",
            "ikev2-ke",
            "ikev2-notify-types",
            "ikev2-payload-types",
            "ikev2-prf",
            "ikev2-protocol-ids",
            "ikev2-redirect-gateway-types",
            "ikev2-transform-attributes",
            "ikev2-transform-types",
            "ikev2-ts-types",
            "ipsec-id-types",
            "ipsec-phase2-attribute-classes",
            "ipsec-phase2-auth-algorithms",
            "ipsec-phase2-encapsulation-modes",
            "ipsec-phase2-life-types",
            "isakmp-cert-encodings",
            "isakmp-doi",
            "isakmp-ipcomp-transforms",
            "isakmp-ipsec-ah-transforms",
            "isakmp-ipsec-esp-transforms",
            "isakmp-key-ike-transforms",
            "isakmp-notify-types",
            "isakmp-payload-types",
            "isakmp-protocol-ids",
            "isakmp-situation",
            "modecfg-attribute-types",
            "modecfg-message-types"
    );

    public static final NameTable IKE_PHASE1_ATTRIBUTE_CLASSES = NameTable.load("ike/ike-phase1-attribute-classes");
    public static final NameTable IKE_PHASE1_AUTH_METHODS = NameTable.load("ike/ike-phase1-auth-methods");
    public static final NameTable IKE_PHASE1_ENCRYPTION_ALGORITHMS = NameTable.load("ike/ike-phase1-encryption-algorithms");
    public static final NameTable IKE_PHASE1_GROUP_DESCRIPTIONS = NameTable.load("ike/ike-phase1-group-descriptions");
    public static final NameTable IKE_PHASE1_GROUP_TYPES = NameTable.load("ike/ike-phase1-group-types");
    public static final NameTable IKE_PHASE1_HASH_ALGORITHMS = NameTable.load("ike/ike-phase1-hash-algorithms");
    public static final NameTable IKE_PHASE1_LIFE_TYPES = NameTable.load("ike/ike-phase1-life-types");
    public static final NameTable IKEV2_AUTH_METHODS = NameTable.load("ike/ikev2-auth-methods");
    public static final NameTable IKEV2_CERT_ENCODINGS = NameTable.load("ike/ikev2-cert-encodings");
    public static final NameTable IKEV2_CP_ATTRIBUTES = NameTable.load("ike/ikev2-cp-attributes");
    public static final NameTable IKEV2_CP_TYPES = NameTable.load("ike/ikev2-cp-types");
    public static final NameTable IKEV2_ENCR = NameTable.load("ike/ikev2-encr");
    public static final NameTable IKEV2_ESN = NameTable.load("ike/ikev2-esn");
    public static final NameTable IKEV2_HASH_ALGORITHMS = NameTable.load("ike/ikev2-hash-algorithms");
    public static final NameTable IKEV2_ID_TYPES = NameTable.load("ike/ikev2-id-types");
    public static final NameTable IKEV2_INTEG = NameTable.load("ike/ikev2-integ");
    public static final NameTable IKEV2_KE = NameTable.load("ike/ikev2-ke");
    public static final NameTable IKEV2_NOTIFY_TYPES = NameTable.load("ike/ikev2-notify-types");
    public static final NameTable IKEV2_PAYLOAD_TYPES = NameTable.load("ike/ikev2-payload-types");
    public static final NameTable IKEV2_PRF = NameTable.load("ike/ikev2-prf");
    public static final NameTable IKEV2_PROTOCOL_IDS = NameTable.load("ike/ikev2-protocol-ids");
    public static final NameTable IKEV2_REDIRECT_GATEWAY_TYPES = NameTable.load("ike/ikev2-redirect-gateway-types");
    public static final NameTable IKEV2_TRANSFORM_ATTRIBUTES = NameTable.load("ike/ikev2-transform-attributes");
    public static final NameTable IKEV2_TRANSFORM_TYPES = NameTable.load("ike/ikev2-transform-types");
    public static final NameTable IKEV2_TS_TYPES = NameTable.load("ike/ikev2-ts-types");
    public static final NameTable IPSEC_ID_TYPES = NameTable.load("ike/ipsec-id-types");
    public static final NameTable IPSEC_PHASE2_ATTRIBUTE_CLASSES = NameTable.load("ike/ipsec-phase2-attribute-classes");
    public static final NameTable IPSEC_PHASE2_AUTH_ALGORITHMS = NameTable.load("ike/ipsec-phase2-auth-algorithms");
    public static final NameTable IPSEC_PHASE2_ENCAPSULATION_MODES = NameTable.load("ike/ipsec-phase2-encapsulation-modes");
    public static final NameTable IPSEC_PHASE2_LIFE_TYPES = NameTable.load("ike/ipsec-phase2-life-types");
    public static final NameTable ISAKMP_CERT_ENCODINGS = NameTable.load("ike/isakmp-cert-encodings");
    public static final NameTable ISAKMP_DOI = NameTable.load("ike/isakmp-doi");
    public static final NameTable ISAKMP_IPCOMP_TRANSFORMS = NameTable.load("ike/isakmp-ipcomp-transforms");
    public static final NameTable ISAKMP_IPSEC_AH_TRANSFORMS = NameTable.load("ike/isakmp-ipsec-ah-transforms");
    public static final NameTable ISAKMP_IPSEC_ESP_TRANSFORMS = NameTable.load("ike/isakmp-ipsec-esp-transforms");
    public static final NameTable ISAKMP_KEY_IKE_TRANSFORMS = NameTable.load("ike/isakmp-key-ike-transforms");
    public static final NameTable ISAKMP_NOTIFY_TYPES = NameTable.load("ike/isakmp-notify-types");
    public static final NameTable ISAKMP_PAYLOAD_TYPES = NameTable.load("ike/isakmp-payload-types");
    public static final NameTable ISAKMP_PROTOCOL_IDS = NameTable.load("ike/isakmp-protocol-ids");
    public static final NameTable ISAKMP_SITUATION = NameTable.load("ike/isakmp-situation");
    public static final NameTable MODECFG_ATTRIBUTE_TYPES = NameTable.load("ike/modecfg-attribute-types");
    public static final NameTable MODECFG_MESSAGE_TYPES = NameTable.load("ike/modecfg-message-types");

    private static final Map<String, Map<Integer, List<String>>> ALIASES = loadAliases();

    private static final java.util.regex.Pattern MODP = java.util.regex.Pattern.compile(
            "(?i)(?:default |alternate )?(\\d+)-bit MODP group(?: with (\\d+)-bit Prime Order Subgroup)?");
    private static final java.util.regex.Pattern ECP = java.util.regex.Pattern.compile("(?i)(\\d+)-bit random ECP group");

    /**
     * A Diffie-Hellman group (key exchange method) as engineers write it, with its number:
     * "MODP-2048 (14)", "ECP-256 (19)", "MODP-2048-224 (23)", "Curve25519 (31)"; the IANA name
     * {@code registryName} (IKEv2 Transform Type 4 or IKEv1 Group Description) shortened the way
     * strongSwan and Cisco spell it, or kept when it has no shorter form; "group N" when unregistered.
     */
    public static String dhGroup(int number, String registryName) {
        if (registryName == null) {
            return "group " + number;
        }
        // a few groups, asked for in every message that offers or chooses one: each spelt once
        String[] known = DH_NAMES.get(number);
        if (known != null && known[0].equals(registryName)) {
            return known[1];
        }
        String name = dhGroupName(number, registryName);
        DH_NAMES.put(number, new String[] {registryName, name});
        return name;
    }

    /** The last spelling made by {@link #dhGroup} per group number: {registry name, spelling}. */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, String[]> DH_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String dhGroupName(int number, String registryName) {
        java.util.regex.Matcher m = MODP.matcher(registryName);
        String shortName = registryName;
        if (m.matches()) {
            shortName = "MODP-" + m.group(1) + (m.group(2) != null ? "-" + m.group(2) : "");
        } else if ((m = ECP.matcher(registryName)).matches()) {
            shortName = "ECP-" + m.group(1);
        }
        return shortName + " (" + number + ")";
    }

    /** The aliases recorded for {@code value} in registry {@code registry} (e.g. "ikev2-ke"), never null. */
    public static List<String> aliases(String registry, int value) {
        Map<Integer, List<String>> m = ALIASES.get(registry);
        if (m == null) {
            return List.of();
        }
        List<String> l = m.get(value);
        return l == null ? List.of() : l;
    }

    /** The registry names that have aliases. */
    public static java.util.Set<String> aliasedRegistries() {
        return ALIASES.keySet();
    }

    private static Map<String, Map<Integer, List<String>>> loadAliases() {
        Map<String, Map<Integer, List<String>>> out = new HashMap<>();
        for (String[] f : NameTable.rows("ike/aliases", 3)) { // registry, value, alias
            String v = f[1].trim();
            int value = v.startsWith("0x") ? Integer.parseUnsignedInt(v.substring(2), 16) : Integer.parseInt(v);
            out.computeIfAbsent(f[0].trim(), k -> new HashMap<>())
                    .computeIfAbsent(value, k -> new ArrayList<>()).add(f[2].trim());
        }
        for (Map<Integer, List<String>> m : out.values()) {
            m.replaceAll((k, l) -> Collections.unmodifiableList(l));
        }
        return Collections.unmodifiableMap(out);
    }
}
