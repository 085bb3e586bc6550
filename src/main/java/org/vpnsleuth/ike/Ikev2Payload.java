package org.vpnsleuth.ike;

import java.util.List;

/**
 * An IKEv2 payload body parsed once from the bytes into an immutable record (RFC 7296 §3.3–3.16,
 * RFC 7383 SKF, RFC 5685 redirects, RFC 7427 signatures). Numbers stay numbers (names are looked
 * up in {@link IkeRegistries} by whoever shows them); byte strings are copies. A component that is
 * null was not reached: the parse stopped before it, and {@code malformed} says why. The tracker
 * and the diagnosis read these records; {@link Ikev2Payloads#render} turns one into the fields
 * `dissect -v` and the JSON show.
 */
public sealed interface Ikev2Payload extends Reasons.Reasoned {
    /** The first reason the parse gave for stopping, in the order the fields are shown; null when none. */
    String firstMalformed();

    /** A piece of a payload that may have stopped the parse. */
    interface HasReason extends Reasons.Reasoned {
    }

    // ------------------------------------------------------------------ SA (§3.3)

    /** An attribute of a transform (only Key Length is registered, RFC 7296 §3.3.5): TV value or TLV bytes. */
    record Attribute(int type, Integer value, byte[] bytes, String malformed) implements HasReason {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    /**
     * A transform (§3.3.2). {@code keyLengths}: Key Length attributes before any other attribute
     * (shown as "keyLength"); {@code attributes}: null when no other attribute came.
     */
    record Transform(Integer type, Integer id, List<Integer> keyLengths, List<Attribute> attributes, String malformed)
            implements HasReason {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(attributes), malformed);
        }

        /** The key length in bits, or -1 (the first Key Length attribute, as shown). */
        public int keyLength() {
            return keyLengths == null || keyLengths.isEmpty() ? -1 : keyLengths.get(keyLengths.size() - 1);
        }
    }

    /** A proposal (§3.3.1) with its transforms (null when the parse stopped before them). */
    record Proposal(Integer number, Integer protocolId, Integer spiSize, byte[] spi, Integer transformCount,
            List<Transform> transforms, String malformed) implements HasReason {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(transforms), malformed);
        }
    }

    record Sa(List<Proposal> proposals, String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(proposals), malformed);
        }
    }

    // ------------------------------------------------------------------ KE, ID, CERT, AUTH, Nonce

    record Ke(Integer group, Integer dataLength, String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record Id(Integer idType, IdentityValue value, String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, value == null ? null : value.malformed());
        }
    }

    record Cert(boolean request, Integer encoding, Integer dataLength, CertificateData data, String malformed)
            implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, data == null ? null : data.malformed());
        }
    }

    /** AUTH (§3.8); for method 14 (RFC 7427) the AlgorithmIdentifier and what it names. */
    record Auth(Integer method, Integer algorithmIdentifierLength, byte[] algorithmIdentifier, String signatureAlgorithmOid,
            String signatureAlgorithm, Integer signatureLength, Integer dataLength, String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record Nonce(byte[] nonce) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    // ------------------------------------------------------------------ Notify (§3.10), Delete, VID

    /** A gateway identity of REDIRECT / REDIRECTED_FROM (RFC 5685 §4): text for addresses and FQDNs, else bytes. */
    record Gateway(int type, String text, byte[] bytes, byte[] nonce) {
    }

    /**
     * A Notify: the generic part, then what its type's data holds (at most one group of the
     * components below is set, by type): NAT detection {@code hash}, {@code cookie}, the
     * {@code group} INVALID_KE_PAYLOAD asks for, {@code hashAlgorithms}, a 32-bit {@code number}
     * shown as {@code numberName}, {@code invalidSpi}, IPCOMP's {@code cpi} and transform, a
     * {@code gateway}, else the raw {@code data}.
     */
    record Notify(Integer protocolId, Integer spiSize, Integer type, byte[] spi, byte[] hash, byte[] cookie, Integer group,
            List<Integer> hashAlgorithms, String numberName, Long number, byte[] invalidSpi, Integer cpi,
            Integer ipcompTransform, Integer gatewayType, Gateway gateway, byte[] data, String malformed)
            implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record Delete(Integer protocolId, Integer spiSize, Integer spiCount, List<byte[]> spis, String malformed)
            implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record VendorId(byte[] id, String vendor) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }

    // ------------------------------------------------------------------ TS (§3.13)

    /** A traffic selector: an address range (types 7, 8) or another type's raw data. */
    record Selector(Integer type, Integer ipProtocol, Integer startPort, Integer endPort, String start, String end,
            Integer length, byte[] data, String malformed) implements HasReason {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record Ts(Integer selectorCount, List<Selector> selectors, String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(Reasons.firstOf(selectors), malformed);
        }
    }

    // ------------------------------------------------------------------ SK (§3.14), SKF (RFC 7383), CP, EAP

    /** The layout of encrypted data from the negotiated transforms (null components: not known or not reached). */
    record Sealed(String cipher, String integrity, long negotiatedInFrame, Integer ivLength, byte[] iv,
            Integer ciphertextLength, Integer icvLength, byte[] icv, String malformed) {
    }

    record Sk(int firstPayload, int encryptedLength, Sealed sealed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return sealed == null ? null : sealed.malformed();
        }
    }

    record Skf(Integer fragmentNumber, Integer totalFragments, Integer firstPayload, Integer encryptedLength, Sealed sealed,
            String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, sealed == null ? null : sealed.malformed());
        }
    }

    /** A configuration attribute: an internal address (with netmask or prefix length), else raw bytes. */
    record CpAttribute(Integer type, Integer length, String value, String netmask, Integer prefixLength, byte[] bytes,
            String malformed) implements HasReason {
        @Override
        public String firstMalformed() {
            return malformed;
        }
    }

    record Cp(Integer cfgType, List<CpAttribute> attributes, String malformed) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return Reasons.first(malformed, Reasons.firstOf(attributes));
        }
    }

    /** An EAP message (RFC 7296 §3.16): the packet as {@link EapPacket} decodes it. */
    record Eap(EapPacket packet) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return packet.malformed();
        }
    }

    /** A payload type without a decoder: its bytes. */
    record Other(byte[] data) implements Ikev2Payload {
        @Override
        public String firstMalformed() {
            return null;
        }
    }
}
