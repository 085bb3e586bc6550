package org.vpnsleuth.ike;

/**
 * Every IKE payload type number the code names, defined once: IKEv1/ISAKMP next-payload types
 * ({@code V1_*}, RFC 2408 §3.1, RFC 3947, the NAT-T drafts' 130/131 and the Cisco/Microsoft
 * fragmentation payload 132) and IKEv2 payload types ({@code V2_*}, RFC 7296 §3.2, RFC 7383). The
 * names shown to users come from the IANA registry files (ike/isakmp-payload-types.tsv,
 * ike/ikev2-payload-types.tsv); PayloadTypeTest checks each constant against them.
 */
public final class PayloadType {
    private PayloadType() {
    }

    public static final int NONE = 0;

    public static final int V1_SA = 1;
    public static final int V1_P = 2;
    public static final int V1_T = 3;
    public static final int V1_KE = 4;
    public static final int V1_ID = 5;
    public static final int V1_CERT = 6;
    public static final int V1_CR = 7;
    public static final int V1_HASH = 8;
    public static final int V1_SIG = 9;
    public static final int V1_NONCE = 10;
    public static final int V1_N = 11;
    public static final int V1_D = 12;
    public static final int V1_VID = 13;
    public static final int V1_ATTR = 14;
    public static final int V1_NAT_D = 20;
    public static final int V1_NAT_OA = 21;
    public static final int V1_NAT_D_DRAFT = 130;
    public static final int V1_NAT_OA_DRAFT = 131;
    public static final int V1_FRAG = 132;

    public static final int V2_SA = 33;
    public static final int V2_KE = 34;
    public static final int V2_IDI = 35;
    public static final int V2_IDR = 36;
    public static final int V2_CERT = 37;
    public static final int V2_CERTREQ = 38;
    public static final int V2_AUTH = 39;
    public static final int V2_NONCE = 40;
    public static final int V2_N = 41;
    public static final int V2_D = 42;
    public static final int V2_VID = 43;
    public static final int V2_TSI = 44;
    public static final int V2_TSR = 45;
    public static final int V2_SK = 46;
    public static final int V2_CP = 47;
    public static final int V2_EAP = 48;
    public static final int V2_SKF = 53;
}
