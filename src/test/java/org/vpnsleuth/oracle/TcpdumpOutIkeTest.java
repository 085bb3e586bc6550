package org.vpnsleuth.oracle;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Codecs;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.LayerCodec;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.oracle.TcpdumpOut.Item;

/**
 * tcpdump's own expected outputs as an independent oracle for IKE field values. For every IKE test
 * of tcpdump's regression suite in the shared corpus ({@code TESTLIST.excerpt} and
 * {@code TESTrun.crypto-excerpt}: isakmp1..5, ikev2four/fourv/fourv4, ikev2-id-*, ikev2pI2*, the
 * isakmp oobr files ...) the {@code .out} file is read packet by packet (one top-level line per
 * packet; the count must equal the capture's frame count) and every value tcpdump printed for
 * ISAKMP is compared with what vpnsleuth decodes from the same frame ({@link Codecs} fields of the
 * IKE layer, the same values as {@code dissect -v} and JSON): IKE version, message ID, exchange
 * type, flags (IKEv2 I/V/R, IKEv1 E/C), SPIs, the header's Length, the payload type sequence,
 * proposal numbers, protocol IDs, transform counts and SPIs, transform types, IDs, key lengths and
 * attributes (IKEv1 phase-1 and phase-2 classes), KE group, nonce length and bytes, notify
 * protocol, type, SPI and leading data bytes, ID type, protocol, port and value, vendor ID bytes
 * and text, IKEv1 Delete SPIs, payload lengths, critical bits, IKEv1 encryption, NAT-T
 * demultiplexing (keepalive, non-ESP marker, UDP-encapsulated ESP SPI and sequence) and tcpdump's
 * damage markers ({@code [|sa]}, {@code [|isakmp]}, {@code [bad: ...]}, {@code [payload too short]})
 * against vpnsleuth marking the layer or a payload malformed or truncated. tcpdump prints IKEv2
 * TS, Delete, CERT, CP and EAP payloads only as a length (and hex with -vvv), so those compare by
 * type and length; the IKEv1 I/R after "phase 1" is tcpdump's guess from its cookie cache, not a
 * header field, and is not compared.
 *
 * <p>Every expected value comes from the {@code .out} file; tcpdump's names are turned into numbers
 * with {@link Mnemonics}, whose tables are those of tcpdump's print-isakmp.c. Decrypted contents
 * (tests run with {@code -E}) are ignored. Known, explained differences: {@link #ALLOWED}. With
 * {@code -Dvpnsleuth.tcpdumpOut.dump=true} every compared value is printed, field by field.
 */
class TcpdumpOutIkeTest {

    // ---------------------------------------------------------------- tcpdump's mnemonics

    /**
     * tcpdump's names for IKE numbers, read from print-isakmp.c of the-tcpdump-group/tcpdump
     * (4.99 generation; the tables are unchanged since 4.9): {@code etypestr}, {@code npstr},
     * {@code protoidstr}, {@code ikev2_t_type_map}, {@code esp_p_map}, {@code prf_p_map},
     * {@code integ_p_map}, {@code dh_p_map}, {@code esn_p_map}, {@code ikev1_p_map},
     * {@code ah_p_map}, {@code ipcomp_p_map}, {@code oakley_t_map}, {@code ipsec_t_map},
     * {@code encr_t_map}, the {@code ipsecidtypestr}/{@code certstr}/{@code v2_auth} tables, the
     * IKEv1 notify tables of {@code ikev1_n_print} and the ID type prefixes of
     * {@code ikev2_ID_print}. A name not in a table is printed by tcpdump as {@code #N} (or a bare
     * number); both are read as N.
     */
    static final class Mnemonics {
        private Mnemonics() {
        }

        private static Map<String, Integer> table(Object... kv) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put((String) kv[i], (Integer) kv[i + 1]);
            }
            return m;
        }

        /** etypestr: exchange types (IKEv1 0-5, 32-33; IKEv2 34-37). */
        static final Map<String, Integer> EXCHANGE = table("none", 0, "base", 1, "ident", 2, "auth", 3, "agg", 4,
                "inf", 5, "oakley-quick", 32, "oakley-newgroup", 33, "ikev2_init", 34, "ikev2_auth", 35,
                "child_sa", 36, "inf2", 37);

        /** npstr: payload types, also the names in truncation markers [|x]. */
        static final Map<String, Integer> PAYLOAD = new LinkedHashMap<>();

        static {
            String[] v1 = {"none", "sa", "p", "t", "ke", "id", "cert", "cr", "hash", "sig", "nonce", "n", "d", "vid"};
            for (int i = 0; i < v1.length; i++) {
                PAYLOAD.put(v1[i], i);
            }
            for (int i = 14; i <= 32; i++) {
                PAYLOAD.put("pay" + i, i);
            }
            String[] v2 = {"v2sa", "v2ke", "v2IDi", "v2IDr", "v2cert", "v2cr", "v2auth", "v2nonce", "v2n", "v2d",
                "v2vid", "v2TSi", "v2TSr", "v2e", "v2cp", "v2eap"};
            for (int i = 0; i < v2.length; i++) {
                PAYLOAD.put(v2[i], 33 + i);
            }
        }

        /** protoidstr: proposal, notify and delete protocol IDs. */
        static final Map<String, Integer> PROTOCOL = table("isakmp", 1, "ipsec-ah", 2, "ipsec-esp", 3, "ipcomp", 4);

        /** ikev2_t_type_map. */
        static final Map<String, Integer> V2_TRANSFORM_TYPE = table("encr", 1, "prf", 2, "integ", 3, "dh", 4, "esn", 5);

        /** esp_p_map: IKEv2 ENCR IDs and IKEv1 ESP transform IDs (RFC 2407 §4.4.4). */
        static final Map<String, Integer> ESP = table("1des-iv64", 1, "1des", 2, "3des", 3, "rc5", 4, "idea", 5,
                "cast", 6, "blowfish", 7, "3idea", 8, "1des-iv32", 9, "rc4", 10, "null", 11, "aes", 12);

        /** prf_p_map. */
        static final Map<String, Integer> PRF = table("hmac-md5", 1, "hmac-sha", 2, "hmac-tiger", 3, "aes128_xcbc", 4);

        /** integ_p_map. */
        static final Map<String, Integer> INTEG = table("hmac-md5", 1, "hmac-sha", 2, "dec-mac", 3, "kpdk-md5", 4,
                "aes-xcbc", 5);

        /** dh_p_map, also the group description values of oakley_t_map and ipsec_t_map. */
        static final Map<String, Integer> DH = table("modp768", 1, "modp1024", 2, "EC2N 2^155", 3, "EC2N 2^185", 4,
                "modp1536", 5, "iana-grp06", 6, "iana-grp07", 7, "iana-grp08", 8, "iana-grp09", 9, "iana-grp10", 10,
                "iana-grp11", 11, "iana-grp12", 12, "iana-grp13", 13, "modp2048", 14, "modp3072", 15, "modp4096", 16,
                "modp6144", 17, "modp8192", 18);

        /** esn_p_map. */
        static final Map<String, Integer> ESN = table("no-esn", 0, "esn", 1);

        /** ikev1_p_map (ISAKMP proposals: KEY_IKE). */
        static final Map<String, Integer> V1_ISAKMP_TRANSFORM = table("ike", 1);

        /** ah_p_map (RFC 2407 §4.4.3). */
        static final Map<String, Integer> V1_AH_TRANSFORM = table("(reserved)", 1, "md5", 2, "sha", 3, "1des", 4,
                "sha2-256", 5, "sha2-384", 6, "sha2-512", 7);

        /** ipcomp_p_map (RFC 2407 §4.4.5). */
        static final Map<String, Integer> V1_IPCOMP_TRANSFORM = table("oui", 1, "deflate", 2, "lzs", 3);

        /** oakley_t_map: IKEv1 phase-1 attribute classes (RFC 2409 Appendix A). */
        static final Map<String, Integer> OAKLEY_ATTR = table("enc", 1, "hash", 2, "auth", 3, "group desc", 4,
                "group type", 5, "group prime", 6, "group gen1", 7, "group gen2", 8, "group curve A", 9,
                "group curve B", 10, "lifetype", 11, "lifeduration", 12, "prf", 13, "keylen", 14, "field", 15,
                "order", 16);

        /** oakley_t_map's value tables, by attribute class. */
        static final Map<Integer, Map<String, Integer>> OAKLEY_VALUES = Map.of(
                1, table("1des", 1, "idea", 2, "blowfish", 3, "rc5", 4, "3des", 5, "cast", 6, "aes", 7),
                2, table("md5", 1, "sha1", 2, "tiger", 3, "sha2-256", 4, "sha2-384", 5, "sha2-512", 6),
                3, table("preshared", 1, "dss", 2, "rsa sig", 3, "rsa enc", 4, "rsa enc revised", 5),
                4, DH,
                5, table("MODP", 1, "ECP", 2, "EC2N", 3),
                11, table("sec", 1, "kb", 2));

        /** ipsec_t_map: IKEv1 phase-2 attribute classes (RFC 2407 §4.5). */
        static final Map<String, Integer> IPSEC_ATTR = table("lifetype", 1, "life", 2, "group desc", 3, "enc mode", 4,
                "auth", 5, "keylen", 6, "rounds", 7, "dictsize", 8, "privalg", 9);

        /** ipsec_t_map's value tables, by attribute class. */
        static final Map<Integer, Map<String, Integer>> IPSEC_VALUES = Map.of(
                1, table("sec", 1, "kb", 2),
                3, DH,
                4, table("tunnel", 1, "transport", 2),
                5, table("hmac-md5", 1, "hmac-sha1", 2, "1des-mac", 3, "keyed", 4));

        /** encr_t_map: the one IKEv2 ENCR attribute tcpdump names. */
        static final Map<String, Integer> V2_ENCR_ATTR = table("keylen", 14);

        /** ipsecidtypestr (IKEv1 ID types, RFC 2407 §4.6.2.1). */
        static final Map<String, Integer> V1_ID_TYPE = table("IPv4", 1, "FQDN", 2, "user FQDN", 3, "IPv4net", 4,
                "IPv6", 5, "IPv6net", 6, "IPv4range", 7, "IPv6range", 8, "ASN1 DN", 9, "ASN1 GN", 10, "keyid", 11);

        /** ikev2_ID_print's prefixes (RFC 7296 §3.5 ID types). */
        static final Map<String, Integer> V2_ID_TYPE = table("ipv4", 1, "fqdn", 2, "rfc822", 3, "ipv6", 5, "dn", 9,
                "gn", 10, "keyid", 11);

        /** certstr (IKEv1 certificate encodings, RFC 2408 §3.9). */
        static final Map<String, Integer> V1_CERT = table("none", 0, "pkcs7", 1, "pgp", 2, "dns", 3, "x509sign", 4,
                "x509ke", 5, "kerberos", 6, "crl", 7, "arl", 8, "spki", 9, "x509attr", 10);

        /** v2_auth of ikev2_auth_print. */
        static final Map<String, Integer> V2_AUTH = table("invalid", 0, "rsasig", 1, "shared-secret", 2, "dsssig", 3);

        /** ikev1_n_print: notify_error_str (1-30), ipsec_notify_error_str, notify_status_str, ipsec_notify_status_str. */
        static final Map<String, Integer> V1_NOTIFY = table("INVALID-PAYLOAD-TYPE", 1, "DOI-NOT-SUPPORTED", 2,
                "SITUATION-NOT-SUPPORTED", 3, "INVALID-COOKIE", 4, "INVALID-MAJOR-VERSION", 5,
                "INVALID-MINOR-VERSION", 6, "INVALID-EXCHANGE-TYPE", 7, "INVALID-FLAGS", 8, "INVALID-MESSAGE-ID", 9,
                "INVALID-PROTOCOL-ID", 10, "INVALID-SPI", 11, "INVALID-TRANSFORM-ID", 12,
                "ATTRIBUTES-NOT-SUPPORTED", 13, "NO-PROPOSAL-CHOSEN", 14, "BAD-PROPOSAL-SYNTAX", 15,
                "PAYLOAD-MALFORMED", 16, "INVALID-KEY-INFORMATION", 17, "INVALID-ID-INFORMATION", 18,
                "INVALID-CERT-ENCODING", 19, "INVALID-CERTIFICATE", 20, "CERT-TYPE-UNSUPPORTED", 21,
                "INVALID-CERT-AUTHORITY", 22, "INVALID-HASH-INFORMATION", 23, "AUTHENTICATION-FAILED", 24,
                "INVALID-SIGNATURE", 25, "ADDRESS-NOTIFICATION", 26, "NOTIFY-SA-LIFETIME", 27,
                "CERTIFICATE-UNAVAILABLE", 28, "UNSUPPORTED-EXCHANGE-TYPE", 29, "UNEQUAL-PAYLOAD-LENGTHS", 30,
                "RESERVED", 8192, "CONNECTED", 16384, "RESPONDER-LIFETIME", 24576, "REPLAY-STATUS", 24577,
                "INITIAL-CONTACT", 24578);

        /** IP protocol names tcpdump would print without -n (the tests run with -n: numbers). */
        static final Map<String, Integer> IP_PROTOCOL = table("icmp", 1, "tcp", 6, "udp", 17);

        private static final Pattern NUMBER = Pattern.compile("#?(\\d+)");

        /** The number of a printed name: the table's, or N for "#N" and "N"; null when neither. */
        static Long number(Map<String, Integer> table, String printed) {
            if (printed == null) {
                return null;
            }
            String s = printed.trim();
            Integer n = table == null ? null : table.get(s);
            if (n != null) {
                return n.longValue();
            }
            Matcher m = NUMBER.matcher(s);
            return m.matches() ? Long.parseLong(m.group(1)) : null;
        }

        /** The IKEv1 transform ID table for a proposal's protocol (ikev1_t_print). */
        static Map<String, Integer> v1TransformIds(long protocol) {
            return switch ((int) protocol) {
                case 1 -> V1_ISAKMP_TRANSFORM;
                case 2 -> V1_AH_TRANSFORM;
                case 3 -> ESP;
                case 4 -> V1_IPCOMP_TRANSFORM;
                default -> null;
            };
        }

        /** The IKEv2 transform ID table of a transform type (ikev2_t_print). */
        static Map<String, Integer> v2TransformIds(long type) {
            return switch ((int) type) {
                case 1 -> ESP;
                case 2 -> PRF;
                case 3 -> INTEG;
                case 4 -> DH;
                case 5 -> ESN;
                default -> null;
            };
        }
    }

    // ---------------------------------------------------------------- allow-list

    /**
     * One known, explained difference (the style of {@link IkeDifferentialTest.Allowed}): the .out
     * file (glob), frames ("*" or "3,4,10-12"), fields, and patterns that tcpdump's and vpnsleuth's
     * values (joined with ",") must match in full (null: any). With {@code prefix}, vpnsleuth's
     * values must moreover be exactly the first ones of tcpdump's, fewer of them.
     */
    record Allowed(String out, String frames, Set<String> fields, String tcpdump, String vpnsleuth, boolean prefix,
            String reason) {
        boolean covers(Difference d) {
            if (!TsharkDifferentialTest.globMatches(out, d.out()) || !TsharkDifferentialTest.framesMatch(frames, d.frame())
                    || !fields.contains(d.field())) {
                return false;
            }
            if (prefix && !(d.vpnsleuth().size() < d.tcpdump().size()
                    && Values.same(d.field(), d.tcpdump().subList(0, d.vpnsleuth().size()), d.vpnsleuth()))) {
                return false;
            }
            return (tcpdump == null || Pattern.compile(tcpdump).matcher(String.join(",", d.tcpdump())).matches())
                    && (vpnsleuth == null || Pattern.compile(vpnsleuth).matcher(String.join(",", d.vpnsleuth())).matches());
        }
    }

    /**
     * Entries for several fields at once, each with its own exact tcpdump value and the same
     * vpnsleuth value: {@code fieldValue} alternates field and tcpdump value.
     */
    private static List<Allowed> each(String out, String frames, String vpnsleuth, String reason, String... fieldValue) {
        List<Allowed> l = new ArrayList<>();
        for (int i = 0; i < fieldValue.length; i += 2) {
            l.add(new Allowed(out, frames, Set.of(fieldValue[i]), Pattern.quote(fieldValue[i + 1]), vpnsleuth, false,
                    reason));
        }
        return l;
    }

    private static final String T5 = "T5 (vpnsleuth right): payload type 11 (length 5) in an IKEv2 (2.12) message;"
            + " tcpdump uses its IKEv1 Notification printer and reads DOI, protocol, SPI size, type and SPI from the"
            + " bytes after the 5-byte payload; in IKEv2 types 1-32 are reserved (RFC 7296 §3.2, IANA IKEv2 Payload"
            + " Types) and vpnsleuth shows an unknown payload with its one data byte";

    /** Every entry names whose reading is right (RFC 2408, RFC 7296) and why; T-numbers as in the docs. */
    static final List<Allowed> ALLOWED = Stream.of(
            // T1: tcpdump ignores the ISAKMP Length and walks to the end of the datagram
            List.of(new Allowed("isakmp-no-none-np.out", "1", Set.of("payloads", "notify.doi", "notify.protocolId",
                    "notify.type", "notify.spi", "notify.data"), null, null, true,
                    "T1 (vpnsleuth right): the ISAKMP Length is 84 but the UDP datagram holds 2186 bytes; tcpdump walks"
                    + " the Notification chain to the end of the captured datagram (ikev1_sub_print is bounded by the"
                    + " snapshot end), vpnsleuth stops at the message's end (RFC 2408 §3.1: Length of the total message)"
                    + " after the two N payloads inside it and marks the chain malformed (the second N's Next Payload"
                    + " points past the end); vpnsleuth's values are exactly tcpdump's first ones")),
            // T2: an ID_IPV4_ADDR of one byte
            List.of(new Allowed("ikev2-id-normal.out", "1", Set.of("id.data"), "de", "", false,
                    "T2 (vpnsleuth right): ID_IPV4_ADDR with 1 byte of identification data (IDi length 9); tcpdump"
                    + " prints the byte in hex, vpnsleuth shows no address and marks the identity malformed: RFC 7296"
                    + " §3.5 defines ID_IPV4_ADDR as a single four-octet address"),
                    new Allowed("ikev2-id-normal.out", "1", Set.of("damaged"), "no", "yes", false,
                    "T2 (vpnsleuth right): tcpdump does not check the size of an ID_IPV4_ADDR (RFC 7296 §3.5: four"
                    + " octets); vpnsleuth marks the 1-byte identity malformed")),
            // T3: a Last Substruc byte of 46
            List.of(new Allowed("ikev2pI2-segfault-v.out", "1", Set.of("transform.substructure"), "t,t,t,v2e", "t,t,t,t",
                    false,
                    "T3 (vpnsleuth's reading better): the third transform's Last Substruc byte is 46, not 3 (RFC 7296"
                    + " §3.3.2: 0 for the last, 3 for more); tcpdump takes it as a payload type and prints the fourth"
                    + " substructure only as 'v2e', vpnsleuth decodes it as the fourth transform, as the proposal's"
                    + " transform count (4) and length say (§3.3.2: the last transform can be found from the"
                    + " proposal length); vpnsleuth does not flag the value 46 itself")),
            // T5: payload type 11 in an IKEv2 message, printed by tcpdump as an IKEv1 Notification
            each("isakmp-ikev1_n_print-oobr.out", "1", "", T5, "notify.doi", "0", "notify.protocolId", "128",
                    "notify.type", "24577"),
            each("isakmp-ikev1_n_print-oobr.out", "3", "", T5, "notify.doi", "1", "notify.protocolId", "16",
                    "notify.type", "24577", "notify.spi", "04"))
            .flatMap(List::stream).toList();

    // ---------------------------------------------------------------- vpnsleuth's values

    /** Records a layer's fields as a tree: objects as maps, lists as lists, numbers as Long, bytes as hex. */
    static final class Tree implements FieldSink {
        final Map<String, Object> root = new LinkedHashMap<>();
        private final Deque<Object> stack = new ArrayDeque<>();
        /** A "malformed" (or "payloadsMalformed") member was emitted anywhere. */
        boolean malformed;

        Tree() {
            stack.push(root);
        }

        @SuppressWarnings("unchecked")
        private void put(String name, Object v) {
            if ("malformed".equals(name) || "payloadsMalformed".equals(name)) {
                malformed = true;
            }
            Object top = stack.peek();
            if (top instanceof List) {
                ((List<Object>) top).add(v);
            } else if (name != null) {
                ((Map<String, Object>) top).putIfAbsent(name, v);
            }
        }

        @Override
        public void text(String name, String value) {
            put(name, value);
        }

        @Override
        public void number(String name, long value) {
            put(name, value);
        }

        @Override
        public void named(String name, long value, String label) {
            put(name, value);
        }

        @Override
        public void hexNumber(String name, long value, int digits) {
            put(name, value);
        }

        @Override
        public void bool(String name, boolean value) {
            put(name, value);
        }

        @Override
        public void bytes(String name, byte[] b, int offset, int length) {
            put(name, hex(b, offset, length));
        }

        @Override
        public void begin(String name) {
            Map<String, Object> m = new LinkedHashMap<>();
            put(name, m);
            stack.push(m);
        }

        @Override
        public void end() {
            if (stack.size() > 1) {
                stack.pop();
            }
        }

        @Override
        public void beginList(String name) {
            List<Object> l = new ArrayList<>();
            put(name, l);
            stack.push(l);
        }

        @Override
        public void endList() {
            if (stack.size() > 1) {
                stack.pop();
            }
        }
    }

    static String hex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len * 2);
        for (int i = 0; i < len; i++) {
            sb.append(Character.forDigit((b[off + i] >> 4) & 15, 16)).append(Character.forDigit(b[off + i] & 15, 16));
        }
        return sb.toString();
    }

    /** What vpnsleuth decoded in one frame, kept beyond the reuse of the Packet's layers. */
    record VpnFrame(long number, List<Proto> stack, Map<String, Object> ike, boolean ikeHeader, boolean ikeDamaged,
            boolean cutBeforeIke, Map<String, Object> esp) {
    }

    record VpnRun(List<VpnFrame> frames, String error) {
    }

    private static Map<String, Object> fieldsOf(Layer l, Tree t) {
        LayerCodec c = Codecs.of(l.proto);
        if (c != null) {
            c.fields(l, t);
        }
        return t.root;
    }

    static VpnRun runVpnsleuth(Path file) {
        List<VpnFrame> frames = new ArrayList<>();
        try (CaptureReader r = Captures.open(file.toString())) {
            Decoder d = new Decoder();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                List<Proto> stack = new ArrayList<>();
                Map<String, Object> ike = null;
                Map<String, Object> esp = null;
                boolean header = false;
                boolean damaged = false;
                boolean shortIke = false;
                for (int i = 0; i < p.count(); i++) {
                    Layer l = p.layer(i);
                    stack.add(l.proto);
                    if (l.proto == Proto.IKE && ike == null) {
                        Tree t = new Tree();
                        ike = fieldsOf(l, t);
                        header = l.headerLength >= 28;
                        shortIke = !header;
                        damaged = l.malformed != null || l.truncated || t.malformed;
                    } else if (l.proto == Proto.ESP && esp == null) {
                        esp = fieldsOf(l, new Tree());
                    }
                }
                Layer last = p.count() > 0 ? p.layer(p.count() - 1) : null;
                boolean cut = shortIke || (ike == null && last != null && last.truncated
                        && (last.proto == Proto.UDP || last.proto == Proto.NON_ESP_MARKER));
                frames.add(new VpnFrame(p.frame.number, stack, ike, header, damaged, cut, esp));
            }
        } catch (CaptureException e) {
            return new VpnRun(frames, e.getMessage());
        } catch (IOException e) {
            return new VpnRun(frames, "close: " + e);
        }
        return new VpnRun(frames, null);
    }

    // ---------------------------------------------------------------- the values of one frame

    /**
     * tcpdump's and vpnsleuth's values of one frame, field by field, in order. Two fields hold
     * bytes that tcpdump prints from the start of a payload's data to the end of the captured
     * packet (ike_show_somedata and the notify data of ikev2_n_print/ikev1_n_print use the
     * snapshot end, not the payload's end, as the limit): there tcpdump's value must start with
     * vpnsleuth's, or, when tcpdump elided the middle ("head..."), the two must agree on their
     * common leading bytes.
     */
    static final class Values {
        static final Set<String> LEADING_BYTES = Set.of("notify.data", "nonce.head");

        final Map<String, List<String>> tcpdump = new LinkedHashMap<>();
        final Map<String, List<String>> vpnsleuth = new LinkedHashMap<>();

        private List<String> list(Map<String, List<String>> m, String field) {
            tcpdump.computeIfAbsent(field, k -> new ArrayList<>());
            vpnsleuth.computeIfAbsent(field, k -> new ArrayList<>());
            return m.get(field);
        }

        /** tcpdump printed {@code t} for field; vpnsleuth shows {@code v} (null: nothing). */
        void add(String field, Object t, Object v) {
            if (t != null) {
                list(tcpdump, field).add(canon(t));
            }
            if (v != null) {
                list(vpnsleuth, field).add(canon(v));
            }
            list(tcpdump, field); // the field exists for both sides even when neither has a value
        }

        /** A value vpnsleuth shows where tcpdump printed nothing (an extra payload, proposal ...). */
        void extra(String field, Object v) {
            add(field, null, v);
        }

        int count() {
            return tcpdump.values().stream().mapToInt(List::size).sum();
        }

        static boolean same(String field, List<String> t, List<String> v) {
            if (!LEADING_BYTES.contains(field)) {
                return t.equals(v);
            }
            if (t.size() != v.size()) {
                return false;
            }
            for (int i = 0; i < t.size(); i++) {
                String a = t.get(i);
                String b = v.get(i);
                if (a.endsWith("...")) {
                    String head = a.substring(0, a.length() - 3);
                    if (!head.startsWith(b) && !b.startsWith(head)) {
                        return false;
                    }
                } else if (!a.startsWith(b)) {
                    return false;
                }
            }
            return true;
        }

        private static String canon(Object o) {
            if (o instanceof Long l) {
                return Long.toUnsignedString(l);
            }
            if (o instanceof Integer i) {
                return Integer.toString(i);
            }
            return String.valueOf(o);
        }
    }

    // ---------------------------------------------------------------- helpers on the vpnsleuth tree

    private static Long num(Map<String, Object> m, String k) {
        if (m == null) {
            return null;
        }
        Object o = m.get(k);
        return o instanceof Long l ? l : null;
    }

    private static String str(Map<String, Object> m, String k) {
        if (m == null) {
            return null;
        }
        Object o = m.get(k);
        return o == null ? null : String.valueOf(o);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Map<String, Object> m, String k, String mustHave) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (m != null && m.get(k) instanceof List<?> l) {
            for (Object o : l) {
                // elements holding only "malformed" (a proposal that did not decode) are not items
                if (o instanceof Map<?, ?> e && (mustHave == null || e.containsKey(mustHave))) {
                    out.add((Map<String, Object>) e);
                }
            }
        }
        return out;
    }

    private static <T> T at(List<T> l, int i) {
        return i < l.size() ? l.get(i) : null;
    }

    private static String group(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : null;
    }

    private static Long dec(String s) {
        return s == null ? null : Long.parseLong(s);
    }

    /** Hex as a number (unsigned decimal) when it fits 64 bits, else as lowercase hex. */
    static String hexValue(String hex) {
        String h = hex.toLowerCase(Locale.ROOT);
        BigInteger v = new BigInteger(h.isEmpty() ? "0" : h, 16);
        return v.bitLength() <= 64 ? v.toString() : h;
    }

    /** vpnsleuth's attribute value (a number, or hex when longer than 63 bits) in {@link #hexValue} form. */
    private static String attrValue(Object o) {
        if (o instanceof Long l) {
            return Long.toUnsignedString(l);
        }
        return o == null ? null : hexValue(String.valueOf(o));
    }

    private static final Pattern ESCAPE = Pattern.compile("\\\\x([0-9a-fA-F]{2})");

    /** The bytes of vpnsleuth's text value: printable ASCII as is, \xNN escapes decoded. */
    static byte[] unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            Matcher m = ESCAPE.matcher(s).region(i, s.length());
            if (s.charAt(i) == '\\' && m.lookingAt()) {
                out.write(Integer.parseInt(m.group(1), 16));
                i += 3;
            } else {
                out.write(s.charAt(i) & 0xff);
            }
        }
        return out.toByteArray();
    }

    static byte[] unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** An IPv4/IPv6 literal as hex bytes (0x... taken as hex already), or null. */
    static String addressHex(String s) {
        s = s.trim();
        if (s.startsWith("0x")) {
            return s.substring(2).toLowerCase(Locale.ROOT);
        }
        if (!s.matches("[0-9a-fA-F:.]+") || !(s.contains(".") || s.contains(":"))) {
            return null;
        }
        try {
            byte[] b = InetAddress.getByName(s).getAddress();
            return hex(b, 0, b.length);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** "a/m", "a-b" or "a" with each address as hex bytes; null when a part is not an address. */
    static String addresses(String s) {
        if (s == null) {
            return null;
        }
        String sep = s.contains("/") ? "/" : s.contains("-") ? "-" : null;
        if (sep == null) {
            return addressHex(s);
        }
        String[] parts = s.split(Pattern.quote(sep), 2);
        String a = addressHex(parts[0]);
        String b = addressHex(parts[1]);
        return a == null || b == null ? null : a + sep + b;
    }

    /** A rendering with the closing parentheses, markers and trailer tcpdump printed after it removed. */
    private static String trimmed(String s) {
        String r = s.replaceAll("\\s*\\(len mismatch: [^)]*\\)\\s*$", "");
        r = r.replaceAll("(\\s*\\[\\|[^\\]]+\\])+\\s*$", "");
        return r.replaceAll("[)\\s]+$", "");
    }

    // ---------------------------------------------------------------- the comparison of one frame

    static void compareFrame(Values v, TcpdumpOut.Isakmp t, VpnFrame f, int verbosity) {
        String tIke = t.header ? "isakmp" : t.cutBeforeHeader ? "cut before the ISAKMP header" : "none";
        String vIke = f.ikeHeader() ? "isakmp" : f.cutBeforeIke() ? "cut before the ISAKMP header" : "none";
        v.add("ike", tIke, vIke);
        String vNatt = f.stack().contains(Proto.NATT_KEEPALIVE) ? "keepalive"
                : f.stack().contains(Proto.NON_ESP_MARKER) ? "non-esp"
                : f.stack().contains(Proto.ESP) && f.stack().indexOf(Proto.ESP) > 0
                        && f.stack().get(f.stack().indexOf(Proto.ESP) - 1) == Proto.UDP ? "esp" : "none";
        v.add("natt", t.natt == null ? "none" : t.natt, vNatt);
        if (t.espSpi != null) {
            v.add("esp.spi", Long.parseUnsignedLong(t.espSpi, 16), num(f.esp(), "spi"));
            v.add("esp.seq", Long.parseUnsignedLong(t.espSeq, 16), num(f.esp(), "seq"));
        }
        if (!t.header) {
            return;
        }
        Map<String, Object> ike = f.ike();
        Long major = num(ike, "majorVersion");
        if (t.major != null) {
            v.add("majorVersion", dec(t.major), major);
            v.add("minorVersion", dec(t.minor), num(ike, "minorVersion"));
        } else {
            v.add("majorVersion", t.family, major == null ? null : major == 1 || major == 2 ? major.toString() : "other");
        }
        Long msgid = num(ike, "messageId");
        if (t.msgid != null) {
            v.add("messageId", Long.parseLong(t.msgid, 16), msgid);
        } else if (t.phase != null) {
            boolean zero = t.phase.equals("1") || t.phase.equals("parent_sa");
            v.add("messageId", zero ? "zero" : "nonzero", msgid == null ? null : msgid == 0 ? "zero" : "nonzero");
        }
        if (t.exchange != null) {
            v.add("exchangeType", Mnemonics.number(Mnemonics.EXCHANGE, t.exchange), num(ike, "exchangeType"));
        }
        Long flags = num(ike, "flags");
        if ("1".equals(t.family) || "2".equals(t.family)) {
            String vf = null;
            if (flags != null) {
                long x = flags;
                vf = x == 0 ? "none" : "1".equals(t.family)
                        ? "[" + ((x & 1) != 0 ? "E" : "") + ((x & 2) != 0 ? "C" : "") + "]"
                        : "[" + ((x & 8) != 0 ? "I" : "") + ((x & 0x10) != 0 ? "V" : "") + ((x & 0x20) != 0 ? "R" : "") + "]";
            }
            v.add("flags", t.flags == null ? "none" : "[" + t.flags + "]", vf);
        }
        if (t.spiI != null) {
            v.add("spiI", t.spiI, str(ike, "spiI"));
            v.add("spiR", t.spiR, str(ike, "spiR"));
        }
        if (t.lenIsakmp != null) {
            v.add("length", dec(t.lenIsakmp), num(ike, "length"));
        }
        if (t.encrypted != null) {
            v.add("encrypted", "true", ike == null ? null : String.valueOf(Boolean.TRUE.equals(ike.get("encrypted"))));
            v.add("nextPayload", Mnemonics.number(Mnemonics.PAYLOAD, t.encrypted), num(ike, "nextPayload"));
        }
        if (t.headerMarker != null && t.payloads.isEmpty()) {
            v.add("nextPayload", Mnemonics.number(Mnemonics.PAYLOAD, t.headerMarker), num(ike, "nextPayload"));
        }
        boolean walked = verbosity >= 1 && t.encrypted == null && !"other".equals(t.family);
        if (walked) {
            List<Map<String, Object>> vp = maps(ike, "payloads", null);
            int i = 0;
            for (Item it : t.payloads) {
                payload(v, it, at(vp, i++));
            }
            for (; i < vp.size(); i++) {
                v.extra("payloads", num(vp.get(i), "type"));
            }
        }
        if (walked || !t.markers.isEmpty()) {
            v.add("damaged", t.markers.isEmpty() ? "no" : "yes", ike == null ? null : f.ikeDamaged() ? "yes" : "no");
        }
    }

    /** The payload type an item stands for: by the name tcpdump printed, or by its marker when it printed none. */
    static long typeOf(Item it) {
        String rest = it.rest;
        switch (it.name) {
            case "" -> {
                String m = group(rest, "^ ?\\[\\|([^\\]]+)\\]");
                Long n = Mnemonics.number(Mnemonics.PAYLOAD, m);
                return n == null ? -1 : n;
            }
            case "sa" -> {
                return rest.startsWith(" doi=") ? 1 : 33; // ikev1_sa_print or ikev2_sa_print
            }
            case "nonce" -> {
                return rest.startsWith(" n len=") ? 10 : 40;
            }
            case "n" -> {
                return rest.startsWith(" doi=") ? 11 : 41; // ikev1_n_print or ikev2_n_print
            }
            default -> {
                Long n = Mnemonics.number(Mnemonics.PAYLOAD, it.name);
                return n == null ? -1 : n;
            }
        }
    }

    private static void payload(Values v, Item it, Map<String, Object> p) {
        long type = typeOf(it);
        v.add("payloads", type, num(p, "type"));
        if (!it.colon) {
            return; // a type without printer (pay15, #126) or a marker before the name: nothing else printed
        }
        String r = it.rest;
        if (type >= 33 && type <= 48) {
            v.add("payload.critical", String.valueOf(it.critical), p == null || p.get("critical") == null ? null
                    : String.valueOf(p.get("critical")));
        }
        switch ((int) type) {
            case 1 -> v1Sa(v, it, p);
            case 2 -> v1Proposal(v, it, p);
            case 3 -> v1Transform(v, it, p, 0);
            case 4 -> length(v, r, "^ key len=(\\d+)", 4, p);
            case 5 -> v1Id(v, r, p);
            case 6, 7 -> {
                length(v, r, "^ len=(\\d+)", 4, p);
                v.add("cert.encoding", Mnemonics.number(Mnemonics.V1_CERT, group(r, " type=(\\S+?)[)\\s]")), num(p, "encoding"));
            }
            case 8, 9 -> {
                length(v, r, "^ len=(\\d+)", 4, p);
                v.add("data", group(r, "^ len=\\d+ ([0-9a-f]+)" + HEX_END), str(p, "data"));
            }
            case 10 -> nonce(v, r, "^ n len=(\\d+)", p);
            case 11 -> v1Notify(v, r, p);
            case 12 -> v1Delete(v, r, p);
            case 13 -> {
                length(v, r, "^ len=(\\d+)", 4, p);
                String hex = group(r, "^ len=\\d+ ([0-9a-f]+)" + HEX_END);
                if (hex != null) {
                    v.add("vid.bytes", hex, str(p, "vendorId"));
                }
            }
            case 33 -> v2Sa(v, it, p);
            case 34 -> {
                String small = group(r, "^ len=(\\d+) < 8");
                if (small != null) {
                    v.add("payload.length", dec(small), num(p, "length"));
                } else {
                    length(v, r, "^ len=(\\d+)", 8, p);
                    String g = group(r, "^ len=\\d+ group=(.+?)(?: [0-9a-f]+)?\\)");
                    if (g == null) {
                        g = group(r, "^ len=\\d+ group=(\\S+)");
                    }
                    v.add("ke.group", Mnemonics.number(Mnemonics.DH, g), num(p, "group"));
                }
            }
            case 35, 36 -> v2Id(v, r, p);
            case 39 -> {
                length(v, r, "^ len=(\\d+)", 4, p);
                v.add("auth.method", Mnemonics.number(Mnemonics.V2_AUTH, group(r, " method=(\\S+?)[)\\s]")), num(p, "method"));
            }
            case 40 -> nonce(v, r, "^ len=(\\d+)", p);
            case 41 -> v2Notify(v, r, p);
            case 43 -> v2Vid(v, r, p);
            case 46 -> {
                length(v, r, "^ len=(\\d+)", 4, p);
                v.add("sk.encryptedLength", dec(group(r, "^ len=(\\d+)")), num(p, "encryptedLength"));
            }
            case 37, 38, 42, 44, 45, 47, 48 -> length(v, r, "^ len=(\\d+)", 4, p);
            default -> {
            }
        }
    }

    /** Hex printed by rawprint ends at a space, a parenthesis or the line's end. */
    private static final String HEX_END = "(?=[\\s)]|$)";

    /** payload.length: the printed len plus what tcpdump subtracted from the payload length. */
    private static void length(Values v, String rest, String regex, int plus, Map<String, Object> p) {
        String n = group(rest, regex);
        if (n != null) {
            v.add("payload.length", Long.parseLong(n) + plus, num(p, "length"));
        }
    }

    private static void nonce(Values v, String r, String lenRegex, Map<String, Object> p) {
        String n = group(r, lenRegex);
        if (n == null) {
            return;
        }
        v.add("payload.length", Long.parseLong(n) + 4, num(p, "length"));
        v.add("nonce.length", dec(n), num(p, "nonceLength"));
        String full = group(r, "(?: nonce=\\(| n len=\\d+ )([0-9a-f]+)" + HEX_END);
        String head = group(r, " data=\\(([0-9a-f]*)\\.\\.\\.");
        if (full != null) {
            v.add("nonce", full, str(p, "nonce"));
        } else if (head != null) {
            v.add("nonce.head", head + "...", str(p, "nonce"));
        }
    }

    // IKEv1 ------------------------------------------------------------------

    private static void v1Sa(Values v, Item it, Map<String, Object> p) {
        String doi = group(it.rest, "^ doi=(\\S+?)[)\\s]");
        boolean ipsec = "ipsec".equals(doi);
        v.add("sa.doi", ipsec ? Long.valueOf(1) : Mnemonics.number(null, doi), num(p, "doi"));
        if (ipsec) {
            String sit = group(it.rest, " situation=([a-z+]*)");
            long bits = 0;
            for (String s : sit == null ? new String[0] : sit.split("\\+")) {
                bits |= switch (s) {
                    case "identity" -> 1;
                    case "secrecy" -> 2;
                    case "integrity" -> 4;
                    default -> 0;
                };
            }
            v.add("sa.situation", bits, num(p, "situation"));
        } else {
            v.add("sa.situation", Mnemonics.number(null, group(it.rest, " situation=(\\d+)")), num(p, "situation"));
        }
        List<Map<String, Object>> vp = maps(p, "proposals", "number");
        int j = 0;
        for (Item c : it.children) {
            v1Proposal(v, c, at(vp, j++));
        }
        for (; j < vp.size(); j++) {
            v.extra("proposal.number", num(vp.get(j), "number"));
        }
    }

    private static void v1Proposal(Values v, Item it, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ #(\\d+) protoid=(\\S+) transform=(\\d+)(?: spi=([0-9a-f]+))?").matcher(it.rest);
        if (!"p".equals(it.name) || !m.find()) {
            v.add("proposal.substructure", it.name, p == null ? null : "p");
            return;
        }
        Long proto = Mnemonics.number(Mnemonics.PROTOCOL, m.group(2));
        v.add("proposal.number", dec(m.group(1)), num(p, "number"));
        v.add("proposal.protocolId", proto, num(p, "protocolId"));
        v.add("proposal.transformCount", dec(m.group(3)), num(p, "transformCount"));
        if (m.group(4) != null) {
            v.add("proposal.spi", m.group(4), str(p, "spi"));
        }
        List<Map<String, Object>> vt = maps(p, "transforms", "number");
        int k = 0;
        for (Item c : it.children) {
            v1Transform(v, c, at(vt, k++), proto == null ? 0 : proto);
        }
        for (; k < vt.size(); k++) {
            v.extra("transform.number", num(vt.get(k), "number"));
        }
    }

    private static final Pattern ATTR = Pattern.compile("\\(type=([^()]*?) (?:len=(\\d+) )?value=([^()]*?)\\)");

    private static void v1Transform(Values v, Item it, Map<String, Object> t, long proto) {
        Matcher m = Pattern.compile("^ #(\\d+) id=(.*?) (?=[()\\[]|$)").matcher(it.rest);
        if (!"t".equals(it.name) || !m.find()) {
            v.add("transform.substructure", it.name, t == null ? null : "t");
            return;
        }
        v.add("transform.number", dec(m.group(1)), num(t, "number"));
        v.add("transform.id", Mnemonics.number(Mnemonics.v1TransformIds(proto), m.group(2)), num(t, "transformId"));
        Map<String, Integer> types = proto == 1 ? Mnemonics.OAKLEY_ATTR : proto >= 2 && proto <= 4 ? Mnemonics.IPSEC_ATTR : null;
        Map<Integer, Map<String, Integer>> values = proto == 1 ? Mnemonics.OAKLEY_VALUES
                : proto >= 2 && proto <= 4 ? Mnemonics.IPSEC_VALUES : Map.of();
        List<Map<String, Object>> va = maps(t, "attributes", "type");
        int a = 0;
        Matcher am = ATTR.matcher(it.rest);
        while (am.find()) {
            Long type = Mnemonics.number(types, am.group(1));
            String raw = am.group(3);
            String value;
            if (am.group(2) != null || raw.matches("[0-9a-f]{4}")) {
                value = hexValue(raw); // TLV bytes, or a TV value without a name: its two bytes in hex
            } else {
                Integer named = type == null || values.get(type.intValue()) == null ? null
                        : values.get(type.intValue()).get(raw);
                value = named == null ? "unknown name " + raw : named.toString();
            }
            Map<String, Object> at = at(va, a++);
            v.add("transform.attribute", type + "=" + value,
                    at == null ? null : num(at, "type") + "=" + attrValue(at.get("value")));
        }
        for (; a < va.size(); a++) {
            v.extra("transform.attribute", num(va.get(a), "type") + "=" + attrValue(va.get(a).get("value")));
        }
    }

    private static void v1Id(Values v, String r, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ idtype=(.+?) protoid=(\\S+) port=(\\d+)(?: len=(\\d+)(.*))?$").matcher(r);
        if (!m.find()) {
            return;
        }
        Long type = Mnemonics.number(Mnemonics.V1_ID_TYPE, m.group(1));
        v.add("id.type", type, num(p, "idType"));
        v.add("id.protocolId", Mnemonics.number(Mnemonics.IP_PROTOCOL, m.group(2)), num(p, "protocolId"));
        v.add("id.port", dec(m.group(3)), num(p, "port"));
        if (m.group(4) == null) {
            return;
        }
        Long plen = num(p, "length");
        v.add("id.length", dec(m.group(4)), plen == null ? null : plen - 8);
        String data = m.group(5);
        if (data.startsWith(" [bad:") || type == null) {
            return; // no value printed: a marker says why
        }
        String value = str(p, "value");
        switch (type.intValue()) {
            case 2, 3 -> v.add("id.value", trimmed(data.substring(Math.min(1, data.length()))),
                    value == null ? null : trimmed(TcpdumpOut.fnPrint(unescape(value))));
            case 1, 4, 5, 6, 7, 8 -> v.add("id.value", addresses(trimmed(data)), addresses(value));
            default -> {
                String hex = group(data, "^ ([0-9a-f]+)" + HEX_END); // DN, GN, KEY_ID: hex only with -vvv
                if (hex != null && type == 11) {
                    v.add("id.value", hex, value);
                }
            }
        }
    }

    private static void v1Notify(Values v, String r, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ doi=(\\S+) proto=(\\S+) type=(\\S+?)(?=[)\\s]|$)(?: spi=([0-9a-f]+))?").matcher(r);
        if (!m.find()) {
            return;
        }
        boolean ipsec = "ipsec".equals(m.group(1));
        v.add("notify.doi", ipsec ? Long.valueOf(1) : Mnemonics.number(null, m.group(1)), num(p, "doi"));
        v.add("notify.protocolId", Mnemonics.number(ipsec ? Mnemonics.PROTOCOL : null, m.group(2)), num(p, "protocolId"));
        v.add("notify.type", Mnemonics.number(Mnemonics.V1_NOTIFY, m.group(3)), num(p, "notifyType"));
        if (m.group(4) != null) {
            v.add("notify.spi", m.group(4), str(p, "spi"));
        }
        notifyData(v, r, p == null ? null : str(p, "data") == null ? "" : str(p, "data"));
    }

    private static void notifyData(Values v, String r, String vpn) {
        Matcher d = Pattern.compile(" data=\\(([0-9a-f]*)(\\.\\.\\.)?").matcher(r);
        if (d.find()) {
            v.add("notify.data", d.group(1) + (d.group(2) != null ? "..." : ""), vpn);
        }
    }

    private static void v1Delete(Values v, String r, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ doi=(\\S+) proto=(\\S+) spilen=(\\d+) nspi=(\\d+) spi=([0-9a-f,]*)").matcher(r);
        if (!m.find()) {
            return;
        }
        boolean ipsec = "ipsec".equals(m.group(1));
        v.add("delete.doi", ipsec ? Long.valueOf(1) : Mnemonics.number(null, m.group(1)), num(p, "doi"));
        v.add("delete.protocolId", Mnemonics.number(ipsec ? Mnemonics.PROTOCOL : null, m.group(2)), num(p, "protocolId"));
        v.add("delete.spiSize", dec(m.group(3)), num(p, "spiSize"));
        v.add("delete.spiCount", dec(m.group(4)), num(p, "spiCount"));
        List<Object> vs = p != null && p.get("spis") instanceof List<?> l ? new ArrayList<>(l) : List.of();
        int i = 0;
        for (String spi : m.group(5).isEmpty() ? new String[0] : m.group(5).split(",")) {
            v.add("delete.spi", spi, at(vs, i++));
        }
        for (; i < vs.size(); i++) {
            v.extra("delete.spi", vs.get(i));
        }
    }

    // IKEv2 ------------------------------------------------------------------

    private static void v2Sa(Values v, Item it, Map<String, Object> p) {
        length(v, it.rest, "^ len=(\\d+)", 4, p);
        List<Map<String, Object>> vp = maps(p, "proposals", "number");
        int j = 0;
        for (Item c : it.children) {
            v2Proposal(v, c, at(vp, j++));
        }
        for (; j < vp.size(); j++) {
            v.extra("proposal.number", num(vp.get(j), "number"));
        }
    }

    private static void v2Proposal(Values v, Item it, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ #(\\d+) protoid=(\\S+) transform=(\\d+) len=(\\d+)(?: spi=([0-9a-f]+))?").matcher(it.rest);
        if (!"p".equals(it.name) || !m.find()) {
            // ikev2_sa_print prints a substructure whose Last Substruc is not 2 by that number's payload name
            v.add("proposal.substructure", it.name, p == null ? null : "p");
            return;
        }
        v.add("proposal.number", dec(m.group(1)), num(p, "number"));
        v.add("proposal.protocolId", Mnemonics.number(Mnemonics.PROTOCOL, m.group(2)), num(p, "protocolId"));
        v.add("proposal.transformCount", dec(m.group(3)), num(p, "transformCount"));
        if (m.group(5) != null) {
            v.add("proposal.spi", m.group(5), str(p, "spi"));
        }
        List<Map<String, Object>> vt = maps(p, "transforms", "type");
        int k = 0;
        for (Item c : it.children) {
            v2Transform(v, c, at(vt, k++));
        }
        for (; k < vt.size(); k++) {
            v.extra("transform.substructure", "t");
        }
    }

    private static void v2Transform(Values v, Item it, Map<String, Object> t) {
        Matcher m = Pattern.compile("^ #\\d+ type=(\\S+) id=(.*?) (?=[()\\[]|$)").matcher(it.rest);
        boolean isT = "t".equals(it.name) && m.find();
        // ikev2_p_print prints a substructure whose Last Substruc is not 3 by that number's payload name
        v.add("transform.substructure", isT ? "t" : it.name, t == null ? null : "t");
        if (!isT) {
            return;
        }
        Long type = Mnemonics.number(Mnemonics.V2_TRANSFORM_TYPE, m.group(1));
        v.add("transform.type", type, num(t, "type"));
        v.add("transform.id", Mnemonics.number(type == null ? null : Mnemonics.v2TransformIds(type), m.group(2)),
                num(t, "id"));
        List<Map<String, Object>> va = maps(t, "attributes", "type");
        int a = 0;
        Matcher am = ATTR.matcher(it.rest);
        while (am.find()) {
            Long at = Mnemonics.number(type != null && type == 1 ? Mnemonics.V2_ENCR_ATTR : null, am.group(1));
            String value = hexValue(am.group(3));
            if (at != null && at == 14 && am.group(2) == null && a == 0) {
                v.add("transform.keyLength", value, num(t, "keyLength"));
                continue;
            }
            Map<String, Object> x = at(va, a++);
            v.add("transform.attribute", at + "=" + value, x == null ? null : num(x, "type") + "=" + attrValue(x.get("value")));
        }
        if (t != null && t.get("keyLength") != null && !it.rest.contains("(type=")) {
            v.extra("transform.keyLength", num(t, "keyLength"));
        }
    }

    private static void v2Id(Values v, String r, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ len=(\\d+)(?: ([0-9a-f]+)" + HEX_END + ")?(?: (ipv4|fqdn|rfc822|ipv6|dn|gn|keyid):(.*))?").matcher(r);
        if (!m.find()) {
            return;
        }
        v.add("payload.length", Long.parseLong(m.group(1)) + 4, num(p, "length"));
        String body = m.group(2);
        Long type = body != null && body.length() >= 2 ? Long.valueOf(Integer.parseInt(body.substring(0, 2), 16))
                : Mnemonics.number(Mnemonics.V2_ID_TYPE, m.group(3));
        if (type != null) {
            v.add("id.type", type, num(p, "idType"));
        }
        if (m.group(3) == null) {
            return;
        }
        String data = m.group(4);
        String value = str(p, "value");
        switch (m.group(3)) {
            case "ipv4", "ipv6" -> v.add("id.data", group(data, "^([0-9a-f]*)"), value == null ? null : addresses(value));
            case "keyid" -> v.add("id.data", group(data, "^([0-9a-f]*)"), value);
            case "fqdn", "rfc822" -> v.add("id.data", trimmed(data),
                    value == null ? null : trimmed(TcpdumpOut.asciiDots(unescape(value))));
            default -> {
                // dn, gn: vpnsleuth shows the DER name decoded, tcpdump the bytes; compared by type only
            }
        }
    }

    private static void v2Notify(Values v, String r, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ prot_id=(\\S+) type=(\\d+)\\((.*?)\\)(?: spi=([0-9a-f]+))?").matcher(r);
        if (!m.find()) {
            return;
        }
        v.add("notify.protocolId", Mnemonics.number(Mnemonics.PROTOCOL, m.group(1)), num(p, "protocolId"));
        v.add("notify.type", dec(m.group(2)), num(p, "notifyType"));
        if (m.group(4) != null) {
            v.add("notify.spi", m.group(4), str(p, "spi"));
        }
        String data = null;
        if (p != null) {
            data = str(p, "cookie") != null ? str(p, "cookie") : str(p, "hash") != null ? str(p, "hash")
                    : str(p, "data") != null ? str(p, "data") : "";
            if (p.containsKey("group") || p.containsKey("hashAlgorithms")) {
                return; // data shown decoded by vpnsleuth; tcpdump's bytes are not comparable as printed
            }
        }
        notifyData(v, r, data);
    }

    private static void v2Vid(Values v, String r, Map<String, Object> p) {
        Matcher m = Pattern.compile("^ len=(\\d+) vid=").matcher(r);
        if (!m.find()) {
            return;
        }
        int len = Integer.parseInt(m.group(1));
        v.add("payload.length", (long) len + 4, num(p, "length"));
        String s = r.substring(m.end());
        String vid = str(p, "vendorId");
        v.add("vid.text", s.substring(0, Math.min(len, s.length())),
                vid == null ? null : TcpdumpOut.asciiDots(unhex(vid)));
        String hex = s.length() > len ? group(s.substring(len), "^ ([0-9a-f]{" + 2 * len + "})") : null;
        if (hex != null) {
            v.add("vid.bytes", hex, vid);
        }
    }

    // ---------------------------------------------------------------- one .out file

    record Difference(String out, long frame, String field, List<String> tcpdump, List<String> vpnsleuth) {
        @Override
        public String toString() {
            return out + " frame " + frame + " " + field + ": tcpdump=" + String.join(",", tcpdump) + " vpnsleuth="
                    + String.join(",", vpnsleuth);
        }
    }

    static void check(Path dir, TcpdumpOut.Case c) throws IOException {
        Path pcap = dir.resolve(c.pcap());
        Path out = dir.resolve(c.out());
        Assumptions.assumeTrue(Files.isRegularFile(pcap) && Files.isRegularFile(out),
                "skipped: " + c.pcap() + " or " + c.out() + " absent from the corpus");
        List<TcpdumpOut.Packet> packets = TcpdumpOut.packets(out);
        VpnRun run = runVpnsleuth(pcap);
        if (packets.size() != run.frames().size()) {
            fail(c.label() + ": tcpdump printed " + packets.size() + " packets, vpnsleuth read " + run.frames().size()
                    + " frames" + (run.error() != null ? " (" + run.error() + ")" : ""));
        }
        List<Difference> diffs = new ArrayList<>();
        long values = 0;
        for (int i = 0; i < packets.size(); i++) {
            TcpdumpOut.Packet pk = packets.get(i);
            VpnFrame vf = run.frames().get(i);
            if (pk.number() != i + 1 || vf.number() != i + 1) {
                fail(c.label() + ": packet " + (i + 1) + " is numbered " + pk.number() + " in the .out file, frame "
                        + vf.number() + " by vpnsleuth");
            }
            Values v = new Values();
            compareFrame(v, TcpdumpOut.isakmp(pk), vf, c.verbosity());
            values += v.count();
            if (Boolean.getBoolean("vpnsleuth.tcpdumpOut.dump")) {
                for (String field : v.tcpdump.keySet()) {
                    System.out.println("[tcpdump-out] " + c.out() + " frame " + (i + 1) + " " + field + ": tcpdump="
                            + String.join(",", v.tcpdump.get(field)) + " vpnsleuth=" + String.join(",", v.vpnsleuth.get(field)));
                }
            }
            for (String field : v.tcpdump.keySet()) {
                List<String> t = v.tcpdump.get(field);
                List<String> x = v.vpnsleuth.get(field);
                if (!Values.same(field, t, x)) {
                    diffs.add(new Difference(c.out(), i + 1, field, t, x));
                }
            }
        }
        List<Difference> unexplained = new ArrayList<>();
        Map<String, Integer> used = new LinkedHashMap<>(); // by reason
        for (Difference d : diffs) {
            Allowed hit = ALLOWED.stream().filter(a -> a.covers(d)).findFirst().orElse(null);
            if (hit == null) {
                unexplained.add(d);
            } else {
                used.merge(hit.reason(), 1, Integer::sum);
            }
        }
        System.out.println("[tcpdump-out] " + c.out() + ": " + packets.size() + " frames, " + values
                + " values compared (" + c.pcap() + (c.args().isBlank() ? "" : ", " + c.args()) + "), " + diffs.size()
                + " difference(s), " + unexplained.size() + " not in the allow-list");
        used.forEach((reason, n) -> System.out.println("[tcpdump-out] " + c.out() + ": " + n + " allowed difference(s): "
                + reason));
        if (!unexplained.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append(unexplained.size()).append(" difference(s) between tcpdump's ").append(c.label())
                    .append(" and vpnsleuth (file frame field: tcpdump=VALUE vpnsleuth=VALUE)\n");
            int shown = 0;
            for (Difference d : unexplained) {
                if (shown++ < 60) {
                    sb.append("  ").append(d).append('\n');
                }
            }
            if (unexplained.size() > 60) {
                sb.append("  ... and ").append(unexplained.size() - 60).append(" more\n");
            }
            fail(sb.toString());
        }
    }

    @TestFactory
    Stream<DynamicNode> tcpdumpExpectedOutputsAgreeWithVpnsleuth() throws IOException {
        Path dir = TestCaptures.corpusDir();
        List<DynamicNode> nodes = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            nodes.add(DynamicTest.dynamicTest("corpus absent", () -> Assumptions.abort(
                    "skipped: corpus absent (" + dir + "; set -Dvpnsleuth.corpus=DIR)")));
            return nodes.stream();
        }
        List<TcpdumpOut.Case> cases = TcpdumpOut.ikeCases(dir);
        if (cases.isEmpty()) {
            nodes.add(DynamicTest.dynamicTest("no IKE tests listed", () -> Assumptions.abort(
                    "skipped: no IKE test in " + dir.resolve("TESTLIST.excerpt") + " or TESTrun.crypto-excerpt")));
            return nodes.stream();
        }
        Map<String, Integer> seen = new HashMap<>();
        for (TcpdumpOut.Case c : cases) {
            String name = c.label();
            int n = seen.merge(name, 1, Integer::sum);
            nodes.add(DynamicTest.dynamicTest(n == 1 ? name : name + " #" + n, dir.resolve(c.out()).toUri(),
                    () -> check(dir, c)));
        }
        return nodes.stream();
    }
}
