package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.IkeSa;

/**
 * The diagnosis of one IKE SA: the verdict and where it stopped, the main finding (null for a
 * clean success) and every other finding, the state in RFC terms and as routers name it, the
 * child SAs, and the NAT situation.
 */
public final class SaDiagnosis implements java.io.Serializable {
    public final IkeSa sa;
    public Verdict verdict;
    /** The last step reached or the one that failed: MM1..MM6, AM1..AM3, IKE_SA_INIT, IKE_AUTH, ... */
    public String stoppedAt;
    /** The finding that decides the verdict (a failure's cause), or null. */
    public Finding main;
    public final List<Finding> findings = new ArrayList<>();
    public final List<ChildSa> children = new ArrayList<>();
    /** State names: RFC terms, Cisco IOS, Cisco ASA, strongSwan. */
    public String rfcState;
    public String iosState;
    public String asaState;
    public String strongswanState;
    /** "initiator behind NAT", "responder behind NAT", "no NAT", null when unknown. */
    public String nat;
    /** The negotiated transforms, when the cleartext shows them. */
    public String chosen;
    public final List<String> offered = new ArrayList<>();
    /**
     * With key material: how many encrypted messages decrypted and, when some did not, which
     * material is missing (diagnose/DecryptionStatus); null without key material.
     */
    public String decryption;
    /** IKEv2: the SA this one replaced by a rekey (RFC 7296 §1.3.2), and the one that replaced it; null when none. */
    public SaFacts rekeyedFrom;
    public SaFacts rekeyedTo;
    /** A Delete of this IKE SA that the tool read: who sent it and where (null when none was read). */
    public String deletedBy;
    public org.vpnsleuth.track.FrameRef deletedAt;
    /** REDIRECTED: the gateway the client was sent to (RFC 5685), as the REDIRECT notify names it. */
    public String redirectedTo;
    /**
     * The SA this one follows after a redirect (its IKE_SA_INIT carries REDIRECTED_FROM naming that
     * SA's gateway), and the SA set up with the new gateway after this one was redirected.
     */
    public SaFacts redirectedFrom;
    public SaFacts redirectedToSa;
    /** REDIRECTED_FROM's original gateway as read in this SA's IKE_SA_INIT, null otherwise. */
    public String redirectedFromGateway;
    /** A Delete of a child SA's SPI read in this SA whose child is not among this SA's (moved here by a rekey). */
    record ChildDelete(String spi, String who, org.vpnsleuth.track.FrameRef at) implements java.io.Serializable {
    }

    final List<ChildDelete> unmatchedDeletes = new ArrayList<>();
    /** Facts worth a line that are no finding: keepalives, a rekey or second connection, round trips. */
    public final List<String> notes = new ArrayList<>();
    /**
     * Security findings about the IKE SA itself (its algorithms, IKEv1, Aggressive Mode with a
     * PSK, a weak PSK), most severe first; those about ESP/AH are on the child SAs
     * (diagnose/SecurityFindings, docs/security.md).
     */
    public final List<SecurityFinding> security = new ArrayList<>();

    /**
     * The daemons' own outcome and error lines for this SA (charon/pluto logs given with --keys or
     * --log: DaemonLogEvidence), at most {@link DaemonLogEvidence#PER_SA}; how many more matched.
     */
    public final List<DaemonLogEvidence.Shown> daemonLog = new ArrayList<>();
    public int daemonLogMore;
    /** What a daemon's log says that the wire cannot show (a local install failure), in words; null when nothing. */
    public String daemonLogSays;

    SaDiagnosis(IkeSa sa) {
        this.sa = sa;
    }

    public Cause cause() {
        return main == null ? null : main.cause();
    }

    public Confidence confidence() {
        return main == null ? null : main.confidence();
    }
}
