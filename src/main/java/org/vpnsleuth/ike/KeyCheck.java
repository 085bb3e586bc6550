package org.vpnsleuth.ike;

/**
 * The outcome of recomputing one authenticating value of an IKE message with the supplied key
 * material: a PSK check (which supplied pre-shared key gives an IKEv1 HASH_I/HASH_R or an IKEv2
 * shared-key AUTH, which names the key that side uses) or a phase-2 hash check (a Quick Mode,
 * Informational or Transaction HASH recomputed with SKEYID_a of the keys that decrypted it).
 *
 * @param kind what was found
 * @param what the value checked, as an engineer names it ("HASH_I of MM5", "the initiator's AUTH",
 *     "HASH(2) of QM2")
 * @param fromInitiator whether the message came from the IKE SA's initiator
 * @param key where the matching key came from (a PSK's source, or the source of the keys whose
 *     SKEYID_a was used); null for {@link Kind#PSK_NONE}
 * @param psk for a phase-2 hash: the source of the supplied PSK those keys derive from, when known;
 *     for a PSK check, the same as {@code key}
 * @param tried how many supplied pre-shared keys were tried: for a PSK check; for a phase-2 hash,
 *     non-zero when the SKEYID of those keys is known and matches none of them (that side uses
 *     another key)
 * @param matching for a PSK check: how many of the {@code tried} supplied keys give the value (all of
 *     them: the supplied keys agree with this side)
 */
public record KeyCheck(Kind kind, String what, boolean fromInitiator, String key, String psk, int tried, int matching) implements java.io.Serializable {
    public KeyCheck(Kind kind, String what, boolean fromInitiator, String key, String psk, int tried) {
        this(kind, what, fromInitiator, key, psk, tried, kind == Kind.PSK_MATCH ? 1 : 0);
    }

    public enum Kind {
        /** the value matches a supplied pre-shared key: that side uses it */
        PSK_MATCH,
        /** the value matches none of the supplied pre-shared keys: that side uses another key */
        PSK_NONE,
        /** the phase-2 hash verifies with SKEYID_a of the keys that decrypted the message */
        HASH_OK,
        /** the message decrypted but its hash does not verify with those keys */
        HASH_FAILED
    }

    public String side() {
        return fromInitiator ? "initiator" : "responder";
    }

    /** One sentence, as `dissect` notes it and `analyze` cites it as evidence. */
    public String text() {
        return switch (kind) {
            case PSK_MATCH -> what + " matches the pre-shared key from " + key + ": the " + side() + " uses that key";
            case PSK_NONE -> what + " matches none of the " + tried + " supplied pre-shared key(s): the " + side()
                    + " uses another key";
            case HASH_OK -> what + " verifies with SKEYID_a of the keys from " + key
                    + (psk != null && !key.contains(psk) ? ", which derive from the pre-shared key of " + psk
                            + ": the " + side() + " uses that key"
                            : psk == null && tried > 0 ? ", whose SKEYID matches none of the " + tried
                                    + " supplied pre-shared key(s): the " + side() + " uses another key" : "");
            case HASH_FAILED -> what + " does not verify with SKEYID_a of the keys from " + key
                    + " (the message was altered, or those are not the keys its sender used)";
        };
    }

    @Override
    public String toString() {
        return text();
    }
}
