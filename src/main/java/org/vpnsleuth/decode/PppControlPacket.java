package org.vpnsleuth.decode;

import java.util.List;

/**
 * A PPP control or authentication packet read straight from its layer's bytes by
 * {@link #of(Layer)}: LCP, IPCP, IPV6CP, CCP (RFC 1661 §5 packet format), PAP (RFC 1334), CHAP
 * (RFC 1994, MS-CHAP RFC 2433/2759) or EAP (RFC 3748), with what the tracker records. Texts are
 * null when the packet does not carry them.
 */
public sealed interface PppControlPacket {
    // codes of LCP and the NCPs (RFC 1661 §5; names in registry/ppp-control-codes.tsv)
    int CONFIGURE_REQUEST = 1;
    int CONFIGURE_REJECT = 4;
    int TERMINATE_REQUEST = 5;
    int TERMINATE_ACK = 6;
    int CODE_REJECT = 7;
    int PROTOCOL_REJECT = 8;

    /** LCP, IPCP, IPV6CP, CCP, PAP, CHAP or EAP. */
    Proto protocol();

    int code();

    /** The code's name for the protocol ("Configure-Request", "Success", ...), null when it has none. */
    String codeName();

    int identifier();

    /** The packet of an LCP, IPCP, IPV6CP, CCP, PAP, CHAP or EAP layer; null for another layer or one below 4 bytes. */
    static PppControlPacket of(Layer l) {
        return PppCodecs.controlPacket(l);
    }

    /**
     * LCP and the network/compression control protocols.
     *
     * @param options the options of a Configure-Request/Ack/Nak/Reject, in order
     * @param terminateText the data of a Terminate-Request/Ack as text, when it is printable text
     *     up to the first NUL (else null)
     * @param rejectedProtocol the protocol of an LCP Protocol-Reject, -1 when absent
     * @param rejectedProtocolName its name, null when unnamed
     */
    record Control(Proto protocol, int code, String codeName, int identifier, List<PppOption> options,
            String terminateText, int rejectedProtocol, String rejectedProtocolName) implements PppControlPacket {
    }

    /** PAP (RFC 1334): the Peer-ID of an Authenticate-Request, the message of an Ack/Nak. */
    record Pap(Proto protocol, int code, String codeName, int identifier, String peerId, String message)
            implements PppControlPacket {
        public static final int AUTHENTICATE_REQUEST = 1;
        public static final int AUTHENTICATE_ACK = 2;
        public static final int AUTHENTICATE_NAK = 3;
    }

    /**
     * CHAP (RFC 1994) and MS-CHAP.
     *
     * @param name the Name of a Challenge or Response
     * @param variant "MS-CHAPv2" for a Response shaped like one, else null
     * @param message the message of a Success or Failure
     * @param errorCode the E= code of an MS-CHAP Failure (RFC 2759 §6), -1 when absent
     * @param errorName its name
     * @param failureMessage the M= text of an MS-CHAP Failure
     */
    record Chap(Proto protocol, int code, String codeName, int identifier, String name, String variant,
            String message, long errorCode, String errorName, String failureMessage) implements PppControlPacket {
        public static final int CHALLENGE = 1;
        public static final int RESPONSE = 2;
        public static final int SUCCESS = 3;
        public static final int FAILURE = 4;
    }

    /**
     * EAP (RFC 3748).
     *
     * @param type the method type of a Request/Response, -1 when absent
     * @param typeName its name
     * @param identity the Identity (type 1) text
     * @param notification the Notification (type 2) text
     */
    record Eap(Proto protocol, int code, String codeName, int identifier, int type, String typeName, String identity,
            String notification) implements PppControlPacket {
        public static final int REQUEST = 1;
        public static final int RESPONSE = 2;
        public static final int TYPE_IDENTITY = 1;
        public static final int TYPE_NOTIFICATION = 2;
    }
}
