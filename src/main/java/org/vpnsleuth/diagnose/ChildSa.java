package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.EspFlow;

/**
 * A child SA (IKEv1 Quick Mode, IKEv2 IKE_AUTH or CREATE_CHILD_SA) and the ESP/AH flows that
 * belong to it: its verdict and cause as the exchange and the traffic show them.
 */
public final class ChildSa implements java.io.Serializable {
    /** "QM 0x2281f7ed", "IKE_AUTH", "CREATE_CHILD_SA mid 2". */
    public final String name;
    public Verdict verdict;
    public Cause cause;
    public Confidence confidence;
    public String detail;
    public final List<EspFlow> flows = new ArrayList<>();
    public final List<Evidence> evidence = new ArrayList<>();
    /** Address of the side that started the exchange (a phase-2 initiator may be the phase-1 responder). */
    public String initiatedBy;
    /** The exchange that negotiated it (Quick Mode, IKE_AUTH, CREATE_CHILD_SA); null for flows without one. */
    public final org.vpnsleuth.track.IkeExchange exchange;
    /** What is weak in the ESP/AH algorithms it negotiated, or its lack of PFS (SecurityFindings), most severe first. */
    public final List<SecurityFinding> security = new ArrayList<>();
    /**
     * What the exchange was for: "IKE_AUTH child", "new child", "child rekey", "IKE rekey" (IKEv2
     * CREATE_CHILD_SA, RFC 7296 §1.3), "Quick Mode"; null when it cannot be told (encrypted).
     */
    public String kind;
    /** The child SA's SPIs (hex) as the exchange's SA payloads name them, when read (cleartext or decrypted). */
    public final java.util.Set<String> spis = new java.util.LinkedHashSet<>();
    /** The request that set this child up (IKEv2 CREATE_CHILD_SA), when there is one. */
    org.vpnsleuth.track.IkeMessage request;
    /** The proposal the responder accepted (its SA payload), when read. */
    public String accepted;
    /** For a rekey: the SPI (hex) of the child SA it replaces (REKEY_SA), when read. */
    public String rekeys;
    /** Set when a Delete (read, cleartext or decrypted) ended this child: "DELETED". */
    public String state;
    /** Who sent the Delete ("initiator 192.0.2.1" or "responder 192.0.2.2") and where. */
    public String deletedBy;
    public org.vpnsleuth.track.FrameRef deletedAt;
    /** What followed a refusal: the old child kept and until when, retries and their timing, in words. */
    public final List<String> followed = new ArrayList<>();

    ChildSa(String name) {
        this(name, null);
    }

    ChildSa(String name, org.vpnsleuth.track.IkeExchange exchange) {
        this.name = name;
        this.exchange = exchange;
    }
}
