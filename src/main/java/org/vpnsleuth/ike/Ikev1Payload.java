package org.vpnsleuth.ike;

import java.util.List;

/**
 * An IKEv1 / ISAKMP payload body parsed once from the bytes into an immutable record (RFC 2407,
 * RFC 2408 §3, RFC 2409, RFC 3947 and the NAT-T drafts, RFC 3706 DPD, ModeCfg/XAUTH attributes,
 * the fragmentation payload 132). Numbers stay numbers (names are looked up in
 * {@link IkeRegistries} by whoever shows them); byte strings are copies. A component that is null
 * was not reached: the parse stopped before it, and {@code malformed} says why. The tracker reads
 * these records; {@link Ikev1Payloads#render} turns one into the fields `dissect -v` and the JSON show.
 */
public sealed interface Ikev1Payload extends Reasons.Reasoned {
    /** The first reason the parse gave for stopping, in the order the fields are shown; null when none. */
    String firstMalformed();

    // ------------------------------------------------------------------ SA (RFC 2408 §3.4–3.6)

    /**
     * An SA attribute (RFC 2408 §3.3): a basic (TV) value, or a variable (TLV) one that is a
     * {@code value} when it fits in 63 bits and {@code bytes} otherwise. {@code type} is null when
     * the 4-byte attribute header did not fit.
     */
    record Attribute(Integer type, Long value, byte[] bytes, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    /**
     * A transform (RFC 2408 §3.6), inside a proposal or standing on its own (payload type 3);
     * {@code attributes} null when the header did not parse. Its names depend on the protocol of
     * the proposal holding it (ISAKMP for one on its own).
     */
    record Transform(Integer number, Integer transformId, List<Attribute> attributes, String malformed)
            implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(attributes), malformed);
        }
    }

    /** A proposal (RFC 2408 §3.5), inside an SA or standing on its own (payload type 2). */
    record Proposal(Integer number, Integer protocolId, Integer spiSize, byte[] spi, Integer transformCount,
            List<Transform> transforms, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(transforms), malformed);
        }
    }

    /**
     * An SA: DOI, situation and proposals (null when the situation carries labelled domain data
     * or nothing follows it).
     */
    record Sa(Long doi, Long situation, List<Proposal> proposals, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(proposals), malformed);
        }
    }

    // ------------------------------------------------------------------ KE, ID, CERT/CR, HASH/SIG, NONCE

    record Ke(int dataLength) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    record Id(Integer idType, Integer protocolId, Integer port, IdentityValue value, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, value == null ? null : value.malformed());
        }
    }

    record Cert(boolean request, Integer encoding, Integer dataLength, CertificateData data, String malformed)
            implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, data == null ? null : data.malformed());
        }
    }

    /** A HASH or SIG payload: its data. */
    record Hash(byte[] data) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    record Nonce(byte[] nonce) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    // ------------------------------------------------------------------ N, D (RFC 2408 §3.14–3.15), VID

    /**
     * A Notification: the generic part, then what its type's data holds (at most one is set): the
     * RFC 3706 DPD {@code sequence}, REPLAY-STATUS's {@code replayDetection}, RESPONDER-LIFETIME's
     * SA {@code attributes}, else the raw {@code data} (null when empty).
     */
    record Notify(Long doi, Integer protocolId, Integer spiSize, Integer type, byte[] spi, Long sequence,
            Boolean replayDetection, List<Attribute> attributes, byte[] data, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, Reasons.firstOf(attributes));
        }
    }

    /** A Delete; {@code spis} null when the SPI size is 0 or the SPIs do not fit. */
    record Delete(Long doi, Integer protocolId, Integer spiSize, Integer spiCount, List<byte[]> spis, String malformed)
            implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record VendorId(byte[] id, String vendor) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    // ------------------------------------------------------------------ NAT-T (RFC 3947 and drafts)

    record NatD(byte[] hash) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    record NatOa(Integer idType, String address, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    // ------------------------------------------------------------------ ModeCfg / XAUTH, fragments

    /**
     * A ModeCfg / XAUTH attribute: a {@code number} (TV, or a short numeric TLV), a {@code text}
     * (address, subnet, name, message, version), raw {@code bytes}, or, for an XAUTH password or
     * passcode, only {@code secretLength} (a secret: never the value). {@code type} is null when the
     * 4-byte attribute header did not fit.
     */
    record CfgAttribute(Integer type, Long number, String text, byte[] bytes, Integer secretLength, String malformed)
            implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record Attr(Integer cfgType, Integer identifier, List<CfgAttribute> attributes, String malformed) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, Reasons.firstOf(attributes));
        }
    }

    /** A fragment (payload 132); {@code flags} bit 0: the last fragment. */
    record Frag(Integer fragmentId, Integer fragmentNumber, Integer flags, Integer dataLength, String malformed)
            implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }

        public boolean last() {
            return flags != null && (flags & 1) != 0;
        }
    }

    /** A payload type without a decoder: its bytes. */
    record Other(byte[] data) implements Ikev1Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }
}
