package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.EspFlow;

/**
 * A child SA (IKEv1 Quick Mode, IKEv2 IKE_AUTH or CREATE_CHILD_SA) and the ESP/AH flows that
 * belong to it: its verdict and cause as the exchange and the traffic show them.
 */
public final class ChildSa {
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

    ChildSa(String name) {
        this(name, null);
    }

    ChildSa(String name, org.vpnsleuth.track.IkeExchange exchange) {
        this.name = name;
        this.exchange = exchange;
    }
}
