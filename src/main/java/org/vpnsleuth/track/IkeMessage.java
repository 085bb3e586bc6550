package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;

/**
 * One IKE message as the trackers see it: where and when it was captured, its header, and the
 * cleartext facts the diagnosis needs (notifies, offered and chosen proposals, NAT-D hashes,
 * fragments). Encrypted payloads stay opaque until the decryption stage supplies them.
 */
public final class IkeMessage implements java.io.Serializable {
    /** A cleartext Notify payload: type, its registry name, the decoded data worth showing. */
    public record Notify(int type, String name, String detail) implements java.io.Serializable {
    }

    public final FrameRef at;
    /** Every frame that carried a piece of this message (IP or IKE fragments), in order; {@code at} is the last. */
    public List<FrameRef> frames = List.of();
    public final Endpoint src;
    public final Endpoint dst;
    public final int version;
    public final long spiI;
    public final long spiR;
    public final int exchange;
    public final String exchangeName;
    public final long messageId;
    public final int flags;
    /** The whole message's length (IKE header's Length). */
    public final long length;
    /** Payloads are ciphertext (IKEv1 Encryption flag, or an IKEv2 message whose payloads are SK/SKF). */
    public final boolean encrypted;
    /** The payload list as the one-line view shows it ("[SA KE No N(NAT_DETECTION_SOURCE_IP)]"). */
    public final String payloads;
    /** A hash of the message's bytes: equal hashes and lengths are byte-identical retransmissions. */
    public final long hash;

    /** The payload types in order (cleartext ones, and SK/SKF for the encrypted part). */
    public List<Integer> payloadTypes = List.of();
    public List<Notify> notifies = List.of();
    /** Each SA proposal in words ("#1 IKE: ENCR_AES_CBC-256, AUTH_HMAC_SHA2_256_128, ..."), cleartext SA payloads only. */
    public List<String> proposals = List.of();
    /**
     * The same SA proposals as parsed (IKEv2: ike/Ikev2Payload.Proposal; IKEv1: ike/Ikev1Payload.Proposal),
     * from the cleartext or, once decrypted, the plaintext: what the security findings judge
     * (diagnose/SecurityFindings). Records, shared with the parse (no copy), never re-read from bytes.
     */
    public List<org.vpnsleuth.ike.Ikev2Payload.Proposal> v2Proposals = List.of();
    public List<org.vpnsleuth.ike.Ikev1Payload.Proposal> v1Proposals = List.of();
    /** IKEv1 phase 1: the authentication method of the first transform (1 = pre-shared key); IKEv2: the AUTH payload's method (2 = shared key MIC); -1 when unknown. */
    public int authMethod = -1;
    public String authMethodName;
    /** IKEv1 phase 1: the hash algorithm of the first transform (1 MD5, 2 SHA, 4..6 SHA2), or -1. */
    public int hashAlgorithm = -1;
    /** IKEv1 phase 2: encapsulation modes the proposals ask for (1 tunnel, 2 transport, 3/4 UDP-encapsulated). */
    public List<Long> encapsulationModes = List.of();
    /** Key exchange group of the KE payload, or -1. */
    public int keGroup = -1;
    /** NAT-D / NAT_DETECTION_* hashes: index 0 the source's (IKEv2) or the first, then the others. */
    public List<String> natD = List.of();
    public String natDetectionSource;
    public String natDetectionDestination;
    /** IKEv2 traffic selectors in words ("TSi 10.1.0.0-10.1.0.255"), when visible. */
    public List<String> trafficSelectors = List.of();
    /** XAUTH_STATUS of a (decrypted) ModeCfg SET: 1 OK, 0 FAIL; null when not seen. */
    public Long xauthStatus;
    /** Delete payloads: protocol and SPIs, in words ("IKE", "ESP SPIs [1977eb59]"). */
    public List<String> deletes = List.of();
    /** A Delete payload as read: its protocol (1 IKE/ISAKMP, 2 AH, 3 ESP) and SPIs in hex (none for the IKE SA). */
    public record Delete(int protocol, List<String> spis) implements java.io.Serializable {
    }

    /** Delete payloads as records (cleartext, or decrypted), in order. */
    public List<Delete> deleteRecords = List.of();
    /** SPIs (hex) of the ESP/AH proposals of this message's SA payload (a child SA's inbound SPI of the sender). */
    public List<String> childSpis = List.of();
    /** IKEv2 REKEY_SA (RFC 7296 §1.3.3): the SPI (hex) of the child SA this CREATE_CHILD_SA rekeys; null otherwise. */
    public String rekeySpi;
    /** The protocol and SPI (hex) an error notify names (IKEv1 Notification, IKEv2 Notify with an SPI), or null. */
    public String notifySpi;
    /** RFC 5685: the new gateway a REDIRECT names, and the original gateway a REDIRECTED_FROM names; null when absent. */
    public String redirectGateway;
    public String redirectedFrom;
    /** The DH group of each proposal's D-H transform (IKEv2 transform type 4; IKEv1 phase-2 GROUP-DESCRIPTION), in order. */
    public List<Integer> proposalGroups = List.of();
    /** The proposals without their D-H transform ("#1 ESP: ENCR_AES_GCM_16-256, ESN_NO"), for comparing PFS-less offers. */
    public List<String> proposalsWithoutGroup = List.of();

    /** Vendor IDs by name, as the dissector names them. */
    public List<String> vendors = List.of();
    /** Identities in cleartext (Aggressive Mode, IKEv1 ID in phase 1 when unencrypted). */
    public List<String> identities = List.of();
    /** IKEv2 IDi / IDr (IKEv1: the phase-1 ID) values as shown, and their ID types' names; null when absent or encrypted. */
    public String idI;
    public String idIType;
    public String idR;
    public String idRType;
    /** EAP packets (IKEv2 EAP payloads, readable once decrypted), in order. */
    public List<org.vpnsleuth.ike.EapPacket> eap = List.of();
    /** Certificates of CERT payloads (X.509: subject, issuer, SANs, validity, key), in order. */
    public List<org.vpnsleuth.ike.CertificateData> certs = List.of();
    /** Certificate requests: IKEv2 CA key hashes (hex SHA-1 of the CA's SubjectPublicKeyInfo), IKEv1 CA names. */
    public List<String> certRequests = List.of();
    /** A CERTREQ/CR payload was present (it may name no CA). */
    public boolean certRequested;
    /** Bytes of ciphertext in the SK/SKF payload (without IV and ICV when the transforms are known), or -1. */
    public long ciphertextLength = -1;
    /** The SK ciphertext is exactly known without IV and ICV (the negotiated transforms were seen). */
    public boolean ciphertextExact;
    /** IKEv2 SKF: fragment number and total, 0 when not a fragment. */
    public int fragmentNumber;
    public int fragmentTotal;
    /** The message was carried by an IP datagram reassembled from fragments. */
    public boolean ipFragmented;
    /** The message was reassembled from IKEv1 fragments (payload 132). */
    public boolean ikeFragmented;

    /** Where the keys that decrypted this message came from; null when it was not decrypted. */
    public String decryptedWith;
    /**
     * The check of this message's authenticating value with the supplied keys (a PSK check of
     * HASH_I/HASH_R/AUTH, or a phase-2 HASH check); null when none was possible.
     */
    public org.vpnsleuth.ike.KeyCheck keyCheck;
    /**
     * IKEv2: the SPI (hex) an SA proposal of protocol IKE carries in this message: a CREATE_CHILD_SA
     * that rekeys the IKE SA (RFC 7296 §1.3.2), the request naming the new SA's initiator SPI, the
     * response its responder SPI; null otherwise (or while the message is encrypted).
     */
    public String ikeRekeySpi;
    /** The payload list of the plaintext ("[IDr AUTH N(TS_UNACCEPTABLE)]"), when decrypted. */
    public String decryptedPayloads;

    // filled by the tracker
    /** Sent by the IKE SA's original initiator (IKEv2 I flag; IKEv1 phase-1 roles). */
    public Boolean fromInitiator;
    /** A response (IKEv2 R flag; IKEv1 by position in its exchange). */
    public boolean response;
    /** "MM1".."MM6", "AM1".., "QM1".., "IKE_SA_INIT request", ... */
    public String name;
    /** The first copy, when this one repeats it byte for byte. */
    public IkeMessage retransmissionOf;
    /** Later byte-identical copies of this message. */
    public List<IkeMessage> retransmissions = List.of();
    /** Files in which this same message was also captured (the other side's capture). */
    public List<FrameRef> alsoSeen = List.of();

    /** The IKE header as read (RFC 2408 §3.1, RFC 7296 §3.1), the exchange named, and whether the payloads are ciphertext. */
    record Header(int version, long spiI, long spiR, int exchange, String exchangeName, long messageId, int flags, long length,
            boolean encrypted) {
    }

    /**
     * {@code list} with {@code v} added: the list fields start as the shared empty list and get
     * storage of their own on the first element (most of a message's lists stay empty, and a
     * gateway capture holds hundreds of thousands of messages). Only the tracker adds.
     */
    static <T> List<T> plus(List<T> list, T v) {
        List<T> l = list instanceof ArrayList<T> a ? a : new ArrayList<>(Math.max(2, list.size() + 1));
        if (l != list) {
            l.addAll(list);
        }
        l.add(v);
        return l;
    }

    /**
     * Once the tracker has read a message's facts: each list that got storage of its own becomes a
     * compact immutable copy (one object for one or two elements instead of a list and its array).
     * A gateway capture holds hundreds of thousands of messages until their SAs are over, and every
     * object of theirs is copied by the collector; a later {@link #plus} copies the list again.
     */
    void seal() {
        payloadTypes = compact(payloadTypes);
        notifies = compact(notifies);
        proposals = compact(proposals);
        v2Proposals = compact(v2Proposals);
        v1Proposals = compact(v1Proposals);
        encapsulationModes = compact(encapsulationModes);
        natD = compact(natD);
        trafficSelectors = compact(trafficSelectors);
        deletes = compact(deletes);
        deleteRecords = compact(deleteRecords);
        childSpis = compact(childSpis);
        proposalGroups = compact(proposalGroups);
        proposalsWithoutGroup = compact(proposalsWithoutGroup);
        vendors = compact(vendors);
        identities = compact(identities);
        eap = compact(eap);
        certs = compact(certs);
        certRequests = compact(certRequests);
        frames = compact(frames);
    }

    private static <T> List<T> compact(List<T> l) {
        if (!(l instanceof ArrayList<T>)) {
            return l;
        }
        for (T x : l) {
            if (x == null) {
                return l; // List.copyOf refuses null elements
            }
        }
        return List.copyOf(l);
    }

    /**
     * {@code list} followed by {@code more}: {@code more} itself while {@code list} is empty (the
     * parsed, immutable records are shared, not copied), a new list otherwise.
     */
    static <T> List<T> plusAll(List<T> list, List<T> more) {
        if (more == null || more.isEmpty()) {
            return list;
        }
        if (list.isEmpty()) {
            return java.util.Collections.unmodifiableList(more);
        }
        List<T> l = new ArrayList<>(list.size() + more.size());
        l.addAll(list);
        l.addAll(more);
        return l;
    }

    /** A message seen at {@code at} between {@code src} and {@code dst}; {@code hash} identifies its bytes (retransmissions). */
    IkeMessage(FrameRef at, Endpoint src, Endpoint dst, Header h, String payloads, long hash) {
        this.at = at;
        this.src = src;
        this.dst = dst;
        this.version = h.version();
        this.spiI = h.spiI();
        this.spiR = h.spiR();
        this.exchange = h.exchange();
        this.exchangeName = h.exchangeName();
        this.messageId = h.messageId();
        this.flags = h.flags();
        this.length = h.length();
        this.encrypted = h.encrypted();
        this.payloads = payloads;
        this.hash = hash;
    }

    public boolean hasPayload(int type) {
        return payloadTypes.contains(type);
    }

    public boolean hasNotify(String name) {
        for (Notify n : notifies) {
            if (name.equals(n.name())) {
                return true;
            }
        }
        return false;
    }

    public Notify notify(String name) {
        for (Notify n : notifies) {
            if (name.equals(n.name())) {
                return n;
            }
        }
        return null;
    }

    /** The first cleartext error notify (IKEv1 types below 8192, IKEv2 below 16384), or null. */
    public Notify errorNotify() {
        for (Notify n : notifies) {
            if (n.type() > 0 && n.type() < (version == 2 ? 16384 : 8192)) {
                return n;
            }
        }
        return null;
    }

    /** The IKEv2 Initiator flag. */
    public boolean initiatorFlag() {
        return (flags & 0x08) != 0;
    }

    /** The IKEv2 Response flag. */
    public boolean responseFlag() {
        return (flags & 0x20) != 0;
    }

    /** The sender's retransmission count of this message (0 for a message sent once). */
    public int retransmitted() {
        return retransmissions.size();
    }

    /** The time of the last copy sent. */
    public long lastSentNanos() {
        return retransmissions.isEmpty() ? at.nanos() : retransmissions.get(retransmissions.size() - 1).at.nanos();
    }

    @Override
    public String toString() {
        return (name != null ? name : exchangeName) + " frame " + at.frame();
    }
}
