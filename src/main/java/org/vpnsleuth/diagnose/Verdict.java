package org.vpnsleuth.diagnose;

/** The outcome of an IKE SA or child SA as the capture shows it. */
public enum Verdict {
    /** It came up (and may have been deleted later). */
    ESTABLISHED,
    /** It did not come up, and the capture covers the attempt. */
    FAILED,
    /** The capture starts or ends in the middle of the negotiation. */
    INCOMPLETE,
    /**
     * The gateway sent the client to another gateway (RFC 5685 REDIRECT in IKE_SA_INIT, IKE_AUTH or
     * INFORMATIONAL): this SA ends there; the client's SA with the new gateway has its own verdict.
     */
    REDIRECTED
}
