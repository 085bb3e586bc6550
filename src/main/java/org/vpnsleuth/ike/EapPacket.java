package org.vpnsleuth.ike;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.base.Bytes;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.decode.FieldSink;

/**
 * One EAP packet (RFC 3748 §4) as an IKEv2 EAP payload carries it (RFC 7296 §3.16): code,
 * identifier, and for a Request or Response the method and what the method's data says, as a
 * typed record ({@link Method}). Names come from the registry tables {@code eap-codes},
 * {@code eap-method-types}, {@code mschapv2-opcodes}, {@code mschap-error-codes} and
 * {@code eap-aka-sim-subtypes}.
 */
public record EapPacket(int code, String codeName, int identifier, int length, Integer type, String typeName, Method method,
        String malformed) implements java.io.Serializable {

    public static final NameTable CODES = NameTable.load("eap-codes");
    public static final NameTable TYPES = NameTable.load("eap-method-types");
    public static final NameTable MSCHAPV2_OPCODES = NameTable.load("mschapv2-opcodes");
    public static final NameTable MSCHAP_ERRORS = NameTable.load("mschap-error-codes");
    public static final NameTable AKA_SIM_SUBTYPES = NameTable.load("eap-aka-sim-subtypes");

    /** EAP codes (RFC 3748 §4). */
    public static final int REQUEST = 1;
    public static final int RESPONSE = 2;
    public static final int SUCCESS = 3;
    public static final int FAILURE = 4;
    /** Method types (IANA EAP Method Types). */
    public static final int IDENTITY = 1;
    public static final int NOTIFICATION = 2;
    public static final int NAK = 3;
    public static final int MD5_CHALLENGE = 4;
    public static final int GTC = 6;
    public static final int TLS = 13;
    public static final int SIM = 18;
    public static final int TTLS = 21;
    public static final int AKA = 23;
    public static final int PEAP = 25;
    /** EAP-MSCHAPv2 as Microsoft and strongSwan send it (IANA "MS-EAP-Authentication"). */
    public static final int MSCHAPV2 = 26;
    public static final int MSCHAPV2_ALT = 29;
    public static final int FAST = 43;
    public static final int AKA_PRIME = 50;
    public static final int TEAP = 55;
    public static final int EXPANDED = 254;

    /** What a method's data says. */
    public sealed interface Method extends java.io.Serializable permits Identity, Notification, Nak, Md5Challenge, MsChapV2, Tls, AkaSim, Other {
        /** The data in words, for a report line. */
        String words();
    }

    /** Identity (RFC 3748 §5.1): a Request's prompt or a Response's identity. */
    public record Identity(String identity) implements Method {
        @Override
        public String words() {
            return identity.isEmpty() ? "" : "'" + identity + "'";
        }
    }

    /** Notification (RFC 3748 §5.2): text to show the user. */
    public record Notification(String text) implements Method {
        @Override
        public String words() {
            return "'" + text + "'";
        }
    }

    /** Legacy Nak (RFC 3748 §5.3.1): the methods the peer would accept instead (0: none). */
    public record Nak(List<Integer> desired, List<String> desiredNames) implements Method {
        @Override
        public String words() {
            return desired.isEmpty() ? "no alternative" : "wants " + String.join(", ", desiredNames);
        }
    }

    /** MD5-Challenge (RFC 3748 §5.4, RFC 1994): the value and the name after it. */
    public record Md5Challenge(int valueSize, String name) implements Method {
        @Override
        public String words() {
            return (name == null || name.isEmpty() ? "" : "name '" + name + "', ") + valueSize + "-byte value";
        }
    }

    /**
     * EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2 §2, RFC 2759): OpCode, MS-CHAPv2-ID, the
     * Challenge's or Response's name, a Success's "S=... M=..." or a Failure's
     * "E=... R=... C=... V=... M=..." with the error named.
     */
    public record MsChapV2(int opCode, String opName, Integer msId, String name, String message, Long error,
            String errorName, Boolean retry, String challenge, Long version, String text) implements Method {
        @Override
        public String words() {
            StringBuilder s = new StringBuilder(opName != null ? opName : "OpCode " + opCode);
            if (name != null && !name.isEmpty()) {
                s.append(" name '").append(name).append('\'');
            }
            if (error != null) {
                s.append(" E=").append(error);
                if (errorName != null) {
                    s.append(' ').append(errorName);
                }
                if (retry != null) {
                    s.append(" R=").append(retry ? 1 : 0);
                }
                if (version != null) {
                    s.append(" V=").append(version);
                }
            }
            if (text != null && !text.isEmpty()) {
                s.append(" M='").append(text).append('\'');
            }
            return s.toString();
        }
    }

    /** TLS-based methods (EAP-TLS RFC 5216, TTLS RFC 5281, PEAP, FAST RFC 4851, TEAP RFC 7170): flags and TLS length. */
    public record Tls(int flags, Long tlsLength, int dataLength) implements Method {
        @Override
        public String words() {
            List<String> f = new ArrayList<>();
            if ((flags & 0x20) != 0) {
                f.add("Start");
            }
            if ((flags & 0x80) != 0) {
                f.add("L");
            }
            if ((flags & 0x40) != 0) {
                f.add("more fragments");
            }
            return (f.isEmpty() ? "" : String.join(", ", f) + ", ") + dataLength + " bytes of TLS" + ((flags & 7) != 0
                    ? ", version " + (flags & 7) : "");
        }
    }

    /** EAP-SIM / EAP-AKA / EAP-AKA' (RFC 4186, RFC 4187, RFC 9048): the subtype. */
    public record AkaSim(int subtype, String subtypeName) implements Method {
        @Override
        public String words() {
            return subtypeName != null ? subtypeName : "subtype " + subtype;
        }
    }

    /** Any other method: its data length. */
    public record Other(int dataLength) implements Method {
        @Override
        public String words() {
            return dataLength + " bytes";
        }
    }

    /** The short name of method type {@code t} as engineers write it ("MSCHAPv2", "MD5", "TLS"), from the registry. */
    public static String methodName(Integer t) {
        if (t == null) {
            return null;
        }
        if (t == MSCHAPV2 || t == MSCHAPV2_ALT) {
            return "EAP-MSCHAPv2";
        }
        String n = TYPES.name(t);
        if (n == null) {
            return "EAP type " + t;
        }
        if (t == MD5_CHALLENGE) {
            return "EAP-MD5";
        }
        return n.startsWith("EAP") || n.equals("PEAP") ? n : "EAP " + n;
    }

    /** The packet in words: "Request/EAP-MSCHAPv2 Challenge name 'srv'", "Failure". */
    public String words() {
        StringBuilder s = new StringBuilder(codeName != null ? codeName : "code " + code);
        if (type != null) {
            s.append('/').append(type == IDENTITY || type == NOTIFICATION || type == NAK ? typeName : methodName(type));
            String w = method == null ? "" : method.words();
            if (!w.isEmpty()) {
                s.append(' ').append(w);
            }
        }
        return s.toString();
    }

    /** The method's failure code when it reports one (an MS-CHAPv2 Failure's E=), else null. */
    public Long error() {
        return method instanceof MsChapV2 m ? m.error() : null;
    }

    /** Parses the EAP packet in {@code b[off, end)}; never throws, a packet that does not parse says why in {@code malformed}. */
    public static EapPacket parse(byte[] b, int off, int end) {
        if (end - off < 4) {
            return new EapPacket(-1, null, -1, end - off, null, null, null,
                    "EAP packet of " + (end - off) + " bytes, the header alone needs 4");
        }
        int code = b[off] & 0xff;
        int id = b[off + 1] & 0xff;
        int len = Bytes.u16(b, off + 2);
        String cn = CODES.name(code);
        if (len < 4 || len > end - off) {
            return new EapPacket(code, cn, id, len, null, null, null,
                    "EAP length " + len + " does not fit the " + (end - off) + " bytes of the payload");
        }
        int stop = off + len;
        if (code != REQUEST && code != RESPONSE) {
            return new EapPacket(code, cn, id, len, null, null, null,
                    (code == SUCCESS || code == FAILURE) && len != 4 ? "EAP " + cn + " of length " + len + ", must be 4" : null);
        }
        if (len < 5) {
            return new EapPacket(code, cn, id, len, null, null, null, "EAP " + cn + " without a Type");
        }
        int t = b[off + 4] & 0xff;
        int d = off + 5;
        Method m;
        String why = null;
        switch (t) {
            case IDENTITY -> m = new Identity(text(b, d, stop));
            case NOTIFICATION -> m = new Notification(text(b, d, stop));
            case NAK -> {
                List<Integer> l = new ArrayList<>();
                List<String> n = new ArrayList<>();
                for (int i = d; i < stop && l.size() < 64; i++) {
                    int x = b[i] & 0xff;
                    if (x != 0) {
                        l.add(x);
                        n.add(methodName(x));
                    }
                }
                m = new Nak(l, n);
            }
            case MD5_CHALLENGE -> {
                int vs = d < stop ? b[d] & 0xff : 0;
                if (d >= stop || d + 1 + vs > stop) {
                    why = "MD5-Challenge value size " + vs + " overruns the packet";
                    m = new Md5Challenge(vs, null);
                } else {
                    m = new Md5Challenge(vs, text(b, d + 1 + vs, stop));
                }
            }
            case MSCHAPV2, MSCHAPV2_ALT -> {
                m = msChapV2(code, b, d, stop);
                if (m == null) {
                    why = "EAP-MSCHAPv2 without an OpCode";
                }
            }
            case TLS, TTLS, PEAP, FAST, TEAP -> {
                if (d >= stop) {
                    why = TYPES.name(t) + " without flags";
                    m = null;
                } else {
                    int flags = b[d] & 0xff;
                    Long tl = (flags & 0x80) != 0 && d + 5 <= stop ? Bytes.u32(b, d + 1) : null;
                    m = new Tls(flags, tl, stop - d - 1 - (tl != null ? 4 : 0));
                }
            }
            case SIM, AKA, AKA_PRIME -> m = d < stop ? new AkaSim(b[d] & 0xff, AKA_SIM_SUBTYPES.name(b[d] & 0xff)) : null;
            default -> m = new Other(stop - d);
        }
        return new EapPacket(code, cn, id, len, t, TYPES.name(t), m, why);
    }

    /** An EAP-MSCHAPv2 message: a peer's Success/Failure response is the OpCode alone. */
    private static MsChapV2 msChapV2(int code, byte[] b, int d, int stop) {
        if (d >= stop) {
            return null;
        }
        int op = b[d] & 0xff;
        String on = MSCHAPV2_OPCODES.name(op);
        if (stop - d < 4) {
            return new MsChapV2(op, on, null, null, null, null, null, null, null, null, null);
        }
        int msId = b[d + 1] & 0xff;
        int v = d + 4;
        if (op == 1 || op == 2) {
            int vs = v < stop ? b[v] & 0xff : 0;
            String name = v + 1 + vs <= stop ? text(b, v + 1 + vs, stop) : null;
            return new MsChapV2(op, on, msId, name, null, null, null, null, null, null, null);
        }
        String msg = text(b, v, stop);
        if (op == 3) {
            int mi = msg.indexOf("M=");
            return new MsChapV2(op, on, msId, null, msg, null, null, null, null, null, mi >= 0 ? msg.substring(mi + 2) : null);
        }
        if (op == 4) {
            Long e = null;
            Boolean r = null;
            String c = null;
            Long ver = null;
            String t = null;
            int i = 0;
            while (i < msg.length()) {
                int sp = msg.indexOf(' ', i);
                String tok = msg.substring(i, sp < 0 ? msg.length() : sp);
                if (tok.startsWith("M=")) {
                    t = msg.substring(i + 2);
                    break;
                }
                if (tok.length() >= 2 && tok.charAt(1) == '=') {
                    String val = tok.substring(2);
                    switch (tok.charAt(0)) {
                        case 'E' -> e = number(val);
                        case 'R' -> {
                            Long x = number(val);
                            r = x == null ? null : x == 1;
                        }
                        case 'C' -> c = val;
                        case 'V' -> ver = number(val);
                        default -> {
                        }
                    }
                }
                if (sp < 0) {
                    break;
                }
                i = sp + 1;
            }
            String en = e == null || e > Integer.MAX_VALUE ? null : MSCHAP_ERRORS.name((int) (long) e);
            return new MsChapV2(op, on, msId, null, msg, e, en, r, c, ver, t);
        }
        return new MsChapV2(op, on, msId, null, null, null, null, null, null, null, null);
    }

    private static Long number(String s) {
        if (s.isEmpty() || s.length() > 12) {
            return null;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i) - '0';
            if (c < 0 || c > 9) {
                return null;
            }
            v = v * 10 + c;
        }
        return v;
    }

    /**
     * Printable text of {@code b[off, end)}: UTF-8 without the NUL terminators some implementations
     * send (strongSwan ends MS-CHAPv2 messages with one), control characters shown as '.', at most
     * 256 characters.
     */
    static String text(byte[] b, int off, int end) {
        while (end > off && b[end - 1] == 0) {
            end--;
        }
        if (off >= end) {
            return "";
        }
        String s = new String(b, off, Math.min(end - off, 1024), StandardCharsets.UTF_8);
        StringBuilder o = new StringBuilder();
        for (int i = 0; i < s.length() && o.length() < 256; i++) {
            char c = s.charAt(i);
            o.append(c < 0x20 || c == 0x7f ? '.' : c);
        }
        return o.toString();
    }

    /** The fields, as `dissect -v` and the JSON show them. */
    public void render(FieldSink out) {
        if (code >= 0) {
            out.named("eapCode", code, codeName);
            out.number("eapIdentifier", identifier);
            out.number("eapLength", length);
        }
        if (type != null) {
            out.named("eapType", type, typeName);
        }
        if (method instanceof Identity x) {
            out.text("identity", x.identity());
        } else if (method instanceof Notification x) {
            out.text("notification", x.text());
        } else if (method instanceof Nak x) {
            out.beginList("desiredTypes");
            for (int i = 0; i < x.desired().size(); i++) {
                out.named(null, x.desired().get(i), TYPES.name(x.desired().get(i)));
            }
            out.endList();
        } else if (method instanceof Md5Challenge x) {
            out.number("valueSize", x.valueSize());
            if (x.name() != null && !x.name().isEmpty()) {
                out.text("name", x.name());
            }
        } else if (method instanceof MsChapV2 x) {
            out.named("opCode", x.opCode(), x.opName());
            if (x.msId() != null) {
                out.number("msChapV2Id", x.msId());
            }
            if (x.name() != null && !x.name().isEmpty()) {
                out.text("name", x.name());
            }
            if (x.error() != null) {
                out.named("errorCode", x.error(), x.errorName());
            }
            if (x.retry() != null) {
                out.bool("retry", x.retry());
            }
            if (x.challenge() != null) {
                out.text("challenge", x.challenge());
            }
            if (x.version() != null) {
                out.number("version", x.version());
            }
            if (x.text() != null) {
                out.text(x.opCode() == 3 ? "successMessage" : "failureMessage", x.text());
            }
        } else if (method instanceof Tls x) {
            out.hexNumber("flags", x.flags(), 2);
            if (x.tlsLength() != null) {
                out.number("tlsMessageLength", x.tlsLength());
            }
            out.number("tlsDataLength", x.dataLength());
        } else if (method instanceof AkaSim x) {
            out.named("subtype", x.subtype(), x.subtypeName());
        } else if (method instanceof Other x) {
            out.number("typeDataLength", x.dataLength());
        }
        if (malformed != null) {
            out.text("malformed", malformed);
        }
    }
}
