package org.vpnsleuth.diagnose;

/**
 * Why a negotiation stopped (or what went wrong on the way): the stable vocabulary of
 * {@code cause} in reports and JSON, documented in docs/diagnosis.md. Names never change; new
 * causes may be added.
 */
public enum Cause {
    NO_RESPONSE("the peer never answered"),
    IKE_PROPOSAL_MISMATCH("no IKE (phase 1) proposal acceptable to both peers"),
    DH_GROUP_MISMATCH("the responder wants another Diffie-Hellman group"),
    COOKIE_CHALLENGE("the responder asked for a cookie (anti-DoS) before it would go on"),
    PSK_MISMATCH("the pre-shared keys differ"),
    AUTH_FAILED("authentication failed"),
    EAP_FAILED("EAP authentication of the user failed (wrong password, unknown user, account, or EAP method)"),
    CERT_EXPIRED("a certificate has expired"),
    CERT_NOT_YET_VALID("a certificate is not valid yet (or a clock is wrong)"),
    CERT_UNTRUSTED("a certificate is issued by a CA the other side does not trust"),
    ID_MISMATCH("an identity (IDi/IDr) the other side has no configuration for"),
    CHILD_PROPOSAL_MISMATCH("no IPsec (phase 2 / child SA) proposal acceptable to both peers"),
    TS_MISMATCH("traffic selectors / proxy IDs do not match"),
    MODE_MISMATCH("transport and tunnel mode do not match"),
    NAT_T_BLOCKED("NAT detected, but UDP 4500 does not get through"),
    IKE_FRAGMENTS_LOST("a large IKE message was fragmented and the fragments were lost"),
    XAUTH_FAILED("XAUTH user authentication failed"),
    MODECFG_FAILED("Mode Config gave no address"),
    PEER_DEAD("dead peer detection: the peer stopped answering"),
    DELETED_BY_PEER("a peer deleted the SA"),
    L2TP_NO_RESPONSE("the L2TP peer never answered"),
    L2TP_REJECTED("the L2TP peer refused the tunnel or session"),
    L2TP_SECRET_MISMATCH("L2TP tunnel authentication failed: the tunnel secrets differ (or only one end has one)"),
    PPTP_REJECTED("the PPTP server or client refused the control connection or the call (a result code other than 1)"),
    PPP_NOT_STARTED("PPP never started on the session or call (the PPP daemon did not start, or the peer refused the call)"),
    PPP_LCP_FAILED("PPP LCP never reached the Opened state"),
    PPP_TERMINATED("one end ended the PPP link on its own (user request, idle, administrator), without an option disagreement"),
    PPP_AUTH_FAILED("PPP authentication failed"),
    PPP_IPCP_FAILED("PPP IPCP never opened: no IPv4 address or options agreed"),
    PPPOE_NO_RESPONSE("PPPoE discovery unanswered: no access concentrator offered (PADI) or confirmed (PADR) the session"),
    PPPOE_REJECTED("PPPoE discovery refused or ended: an error tag, a PADS without a session, a PADT, or an offer not taken"),
    ESP_ONE_WAY("ESP flows in one direction only"),
    PFS_MISMATCH("the child SA proposals' PFS (Diffie-Hellman) groups differ"),
    TEMPORARY_FAILURE("the peer refused for now (a simultaneous rekey or delete, RFC 7296 §2.25)"),
    CHILD_NOT_FOUND("the peer no longer has the child SA being rekeyed (CHILD_SA_NOT_FOUND)"),
    NO_ADDITIONAL_SAS("the peer accepts no more child SAs on this IKE SA"),
    REDIRECTED("the gateway redirected the client to another gateway (RFC 5685)"),
    CHILD_SA_INSTALL_FAILED("a daemon's kernel refused to install the child SA (its log says so; the peer saw only a refusal)"),
    CAPTURE_INCOMPLETE("the capture starts or ends in the middle of the negotiation"),
    UNKNOWN("the capture does not say why");

    public final String meaning;

    Cause(String meaning) {
        this.meaning = meaning;
    }
}
