package org.vpnsleuth.decode;

/**
 * One configuration option of an LCP, IPCP, IPV6CP or CCP Configure-Request/Ack/Nak/Reject
 * (RFC 1661 §6, RFC 1332, RFC 1877, RFC 5072, RFC 1962), typed by protocol and option type. The
 * variant depends on the type only: when the option's length is wrong for its type (or the
 * capture cuts it), its values are -1 (texts null), as the dissector then shows raw bytes.
 */
public sealed interface PppOption {
    // LCP option types (RFC 1661 §6, RFC 1990; names in registry/lcp-options.tsv)
    int LCP_MRU = 1;
    int LCP_ACCM = 2;
    int LCP_AUTH_PROTOCOL = 3;
    int LCP_MAGIC_NUMBER = 5;
    int LCP_PFC = 7;
    int LCP_ACFC = 8;
    int LCP_MRRU = 17;
    // IPCP option types (RFC 1332, RFC 1877; names in registry/ipcp-options.tsv)
    int IPCP_COMPRESSION = 2;
    int IPCP_ADDRESS = 3;
    int IPCP_PRIMARY_DNS = 129;
    int IPCP_PRIMARY_NBNS = 130;
    int IPCP_SECONDARY_DNS = 131;
    int IPCP_SECONDARY_NBNS = 132;
    /** CHAP algorithm 5: MD5 (RFC 1994); names in registry/chap-algorithms.tsv. */
    int CHAP_MD5 = 5;

    /** The option type. */
    int type();

    /** LCP Maximum-Receive-Unit. */
    record Mru(int mru) implements PppOption {
        @Override
        public int type() {
            return LCP_MRU;
        }
    }

    /** LCP Async-Control-Character-Map. */
    record Accm(long accm) implements PppOption {
        @Override
        public int type() {
            return LCP_ACCM;
        }
    }

    /**
     * LCP Authentication-Protocol: the protocol (0xc023 PAP, 0xc223 CHAP, 0xc227 EAP) and its name,
     * and for CHAP the algorithm (-1 when absent) and its name.
     */
    record AuthProtocol(int protocol, String protocolName, int algorithm, String algorithmName) implements PppOption {
        @Override
        public int type() {
            return LCP_AUTH_PROTOCOL;
        }
    }

    /** LCP Magic-Number. */
    record MagicNumber(long magic) implements PppOption {
        @Override
        public int type() {
            return LCP_MAGIC_NUMBER;
        }
    }

    /** LCP Protocol-Field-Compression. */
    record Pfc() implements PppOption {
        @Override
        public int type() {
            return LCP_PFC;
        }
    }

    /** LCP Address-and-Control-Field-Compression. */
    record Acfc() implements PppOption {
        @Override
        public int type() {
            return LCP_ACFC;
        }
    }

    /** LCP Multilink-MRRU. */
    record Mrru(int mrru) implements PppOption {
        @Override
        public int type() {
            return LCP_MRRU;
        }
    }

    /** IPCP IP-Address (3) and the RFC 1877 DNS and NBNS server addresses (129-132), dotted. */
    record IpAddress(int type, String address) implements PppOption {
    }

    /** IPCP IP-Compression-Protocol: the protocol and its name. */
    record IpCompression(int protocol, String protocolName) implements PppOption {
        @Override
        public int type() {
            return IPCP_COMPRESSION;
        }
    }

    /** Any other option: its type and the registry's name for it (null when unnamed). */
    record Other(int type, String typeName) implements PppOption {
    }
}
