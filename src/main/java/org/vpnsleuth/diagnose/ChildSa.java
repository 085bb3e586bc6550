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

    ChildSa(String name) {
        this.name = name;
    }
}
