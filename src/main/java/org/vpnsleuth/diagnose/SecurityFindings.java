package org.vpnsleuth.diagnose;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.diagnose.SecurityFinding.Severity;
import org.vpnsleuth.ike.IkeAlgorithms;
import org.vpnsleuth.ike.IkeRegistries;
import org.vpnsleuth.ike.Ikev1Payload;
import org.vpnsleuth.ike.Ikev2Payload;
import org.vpnsleuth.ike.Ikev2Payloads;
import org.vpnsleuth.ike.KeyCheck;
import org.vpnsleuth.ike.PayloadType;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * The security findings of an IKE SA and its child SAs (issue 16, docs/security.md): which of
 * the algorithms offered and chosen the RFCs mark as weak (RFC 8247 for the IKE SA, RFC 8221 for
 * ESP/AH, RFC 9395 for what it deprecates; the rows are data, {@code registry/security/}), IKEv1
 * itself (deprecated, RFC 9395), Aggressive Mode with a pre-shared key, child SAs without PFS,
 * and a supplied pre-shared key that verifies the exchange and is short or common. Reads the
 * proposals the tracker parsed once (track/IkeMessage's {@code v2Proposals}/{@code v1Proposals}),
 * never the bytes. A weak option offered but not chosen is one severity step lower.
 */
public final class SecurityFindings {
    private SecurityFindings() {
    }

    /** A row of registry/security/algorithm-status.tsv. */
    record Row(String table, String type, int id, String name, String status, String code, String reference, String why) {
    }

    /** An algorithm as negotiated: its IKEv2 transform type ("encr", "prf", "integ", "ke", "auth") and ID, shown as the wire names it. */
    record Alg(String type, int id, String shown) {
        String key() {
            return type + "|" + id;
        }
    }

    /** The IKEv2 transform types by number (RFC 7296 §3.3.2) as the status table names them. */
    private static final String[] V2_TYPES = {null, "encr", "prf", "integ", "ke"};
    /** The words a finding uses for each kind of algorithm. */
    private static final Map<String, String> ROLE = Map.of("encr", "encryption", "prf", "PRF", "integ", "integrity",
            "ke", "Diffie-Hellman group", "auth", "authentication");

    /** The RFC 9395 §2 status of IKEv1 (SHOULD NOT be deployed), and the severities of the rules without a table row. */
    static final String IKEV1_STATUS = "SHOULD NOT";
    /** A PSK shorter than this many characters is weak (issue 16: under 20). */
    static final int PSK_MIN_LENGTH = 20;

    static final String TABLE_IKE = "ike";
    static final String TABLE_IPSEC = "ipsec";

    // IKEv1 SA attribute classes (RFC 2409 appendix A; RFC 2407 §4.5)
    private static final int P1_ENCRYPTION = 1;
    private static final int P1_HASH = 2;
    private static final int P1_AUTH = 3;
    private static final int P1_GROUP = 4;
    private static final int P1_KEY_LENGTH = 14;
    private static final int P2_GROUP = 3;
    private static final int P2_AUTH = 5;
    private static final int P2_KEY_LENGTH = 6;
    /** Protocol IDs (RFC 2407 §4.4.1, RFC 7296 §3.3.1: the same numbers for IKE/ISAKMP, AH, ESP). */
    private static final int PROTO_IKE = 1;
    private static final int PROTO_AH = 2;
    private static final int PROTO_ESP = 3;
    /** IKEv1 exchange type Aggressive (RFC 2408 §4.8). */
    private static final int AGGRESSIVE = 4;
    /** IKEv1 phase-1 authentication methods that use a pre-shared key: PSK, XAUTHInitPreShared, XAUTHRespPreShared. */
    private static final Set<Integer> PSK_METHODS = Set.of(1, 65001, 65002);

    static final Map<String, Row> ROWS = new LinkedHashMap<>();
    /** "space|value" of registry/security/ikev1-algorithms.tsv → the IKEv1 name, type and IKEv2 ID. */
    static final Map<String, String[]> V1 = new HashMap<>();
    static final Set<String> COMMON_PSKS = new HashSet<>();

    static {
        for (String[] f : NameTable.rows("security/algorithm-status", 8)) {
            Row r = new Row(f[0], f[1], Integer.parseInt(f[2]), f[3], f[4], f[5], f[6], f[7].trim());
            ROWS.put(r.table() + "|" + r.type() + "|" + r.id(), r);
        }
        for (String[] f : NameTable.rows("security/ikev1-algorithms", 5)) {
            V1.put(f[0] + "|" + Integer.parseInt(f[1]), new String[] {f[2], f[3], f[4].trim()});
        }
        for (String[] f : NameTable.rows("security/common-psks", 2)) {
            COMMON_PSKS.add(f[0].toLowerCase(Locale.ROOT));
        }
    }

    /** The row judging {@code alg} where {@code table} applies (groups and auth methods: always RFC 8247's), or null. */
    static Row row(String table, Alg alg) {
        String t = alg.type().equals("ke") || alg.type().equals("auth") ? TABLE_IKE : table;
        return ROWS.get(t + "|" + alg.key());
    }

    /** Adds the findings of {@code sa} to {@code d.security} and to its children's {@code security}. */
    static void apply(IkeSa sa, SaDiagnosis d, KeyMaterial keys) {
        if (sa.version == 1) {
            v1(sa, d);
        } else {
            v2(sa, d);
        }
        psk(sa, d, keys);
        sort(d.security);
        for (ChildSa c : d.children) {
            sort(c.security);
        }
    }

    private static void sort(List<SecurityFinding> l) {
        l.sort(Comparator.comparing(SecurityFinding::severity).thenComparing(f -> f.offeredOrChosen().equals(SecurityFinding.CHOSEN) ? 0 : 1)
                .thenComparing(SecurityFinding::code));
    }

    // ------------------------------------------------------------------ IKEv2

    private static void v2(IkeSa sa, SaDiagnosis d) {
        // the IKE SA: every IKE_SA_INIT attempt's offer, the accepted response's choice
        List<List<Alg>> offered = new ArrayList<>();
        List<Alg> chosen = null;
        FrameRef offeredAt = null;
        FrameRef chosenAt = null;
        for (IkeExchange e : sa.exchanges("IKE_SA_INIT")) {
            IkeMessage q = e.request();
            IkeMessage r = e.response();
            if (q != null && !q.v2Proposals.isEmpty()) {
                offeredAt = offeredAt == null ? q.at : offeredAt;
                offered.addAll(v2Algs(q.v2Proposals, PROTO_IKE));
            }
            if (r != null && !r.v2Proposals.isEmpty()) {
                List<List<Alg>> c = v2Algs(r.v2Proposals, PROTO_IKE);
                if (!c.isEmpty()) {
                    chosen = c.get(0);
                    chosenAt = r.at;
                }
            }
        }
        judge(offered, chosen, TABLE_IKE, "IKE SA", offeredAt, chosenAt, d.security);
        // child SAs (IKE_AUTH, CREATE_CHILD_SA) and IKE SA rekeys (CREATE_CHILD_SA with an IKE proposal)
        for (ChildSa c : d.children) {
            IkeExchange e = c.exchange;
            if (e == null) {
                continue;
            }
            IkeMessage q = e.request();
            IkeMessage r = e.response();
            List<Ikev2Payload.Proposal> qp = q == null ? List.of() : q.v2Proposals;
            List<Ikev2Payload.Proposal> rp = r == null ? List.of() : r.v2Proposals;
            boolean ikeRekey = hasProtocol(qp, PROTO_IKE) || hasProtocol(rp, PROTO_IKE);
            if (ikeRekey) {
                List<List<Alg>> o = v2Algs(qp, PROTO_IKE);
                List<List<Alg>> ch = v2Algs(rp, PROTO_IKE);
                judge(o, ch.isEmpty() ? null : ch.get(0), TABLE_IKE, "rekeyed IKE SA (" + c.name + ")",
                        q == null ? null : q.at, r == null ? null : r.at, d.security);
                continue;
            }
            for (int proto : new int[] {PROTO_ESP, PROTO_AH}) {
                List<List<Alg>> o = v2Algs(qp, proto);
                List<List<Alg>> ch = v2Algs(rp, proto);
                judge(o, ch.isEmpty() ? null : ch.get(0), TABLE_IPSEC, proto == PROTO_ESP ? "ESP" : "AH",
                        q == null ? null : q.at, r == null ? null : r.at, c.security);
            }
            if (e.kind.equals("CREATE_CHILD_SA")) {
                noPfsV2(c, q, r, qp, rp);
            }
            // IKE_AUTH's SA payloads carry no KE (RFC 7296 §1.2): whether rekeys use PFS shows only in CREATE_CHILD_SA
        }
    }

    private static boolean hasProtocol(List<Ikev2Payload.Proposal> ps, int proto) {
        for (Ikev2Payload.Proposal p : ps) {
            if (p.protocolId() != null && p.protocolId() == proto) {
                return true;
            }
        }
        return false;
    }

    /** Each proposal of {@code proto} as its algorithms (with "integ 0" for ESP without integrity and a cipher that is not AEAD). */
    static List<List<Alg>> v2Algs(List<Ikev2Payload.Proposal> ps, int proto) {
        List<List<Alg>> out = new ArrayList<>();
        for (Ikev2Payload.Proposal p : ps) {
            if (p.protocolId() == null || p.protocolId() != proto || p.transforms() == null) {
                continue;
            }
            List<Alg> algs = new ArrayList<>();
            boolean integ = false;
            boolean aead = false;
            boolean encr = false;
            for (Ikev2Payload.Transform t : p.transforms()) {
                if (t.type() == null || t.id() == null || t.type() < 1 || t.type() >= V2_TYPES.length) {
                    continue;
                }
                String type = V2_TYPES[t.type()];
                NameTable names = Ikev2Payloads.transformIds(t.type());
                String n = names == null ? null : names.name(t.id());
                String shown = (n != null ? n : type + " " + t.id()) + (t.keyLength() > 0 ? "-" + t.keyLength() : "");
                algs.add(new Alg(type, t.id(), shown));
                if (t.type() == 3 && t.id() != 0) {
                    integ = true;
                }
                if (t.type() == 1) {
                    encr = true;
                    aead |= isAead(t.id());
                }
            }
            if (proto == PROTO_ESP && encr && !integ && !aead) {
                algs.add(new Alg("integ", 0, "no integrity algorithm"));
            }
            out.add(algs);
        }
        return out;
    }

    /** A combined-mode (AEAD) cipher: one whose ICV the algorithm table gives (RFC 5282, RFC 4106/4309, RFC 7634). */
    static boolean isAead(int encrId) {
        IkeAlgorithms.Sizes s = IkeAlgorithms.of(IkeAlgorithms.IKEV2_ENCR, encrId);
        return s != null && s.icvLength() > 0;
    }

    /** CREATE_CHILD_SA for a child SA: no KE method chosen (or none offered) means no PFS for this SA's keys. */
    private static void noPfsV2(ChildSa c, IkeMessage q, IkeMessage r, List<Ikev2Payload.Proposal> qp,
            List<Ikev2Payload.Proposal> rp) {
        boolean offeredWithout = false;
        boolean anyOffer = false;
        for (Ikev2Payload.Proposal p : qp) {
            if (p.protocolId() != null && (p.protocolId() == PROTO_ESP || p.protocolId() == PROTO_AH)) {
                anyOffer = true;
                offeredWithout |= !hasKe(p, true);
            }
        }
        Ikev2Payload.Proposal chosen = null;
        for (Ikev2Payload.Proposal p : rp) {
            if (p.protocolId() != null && (p.protocolId() == PROTO_ESP || p.protocolId() == PROTO_AH)) {
                chosen = p;
                break;
            }
        }
        String ref = "RFC 7296 §1.3.1";
        if (chosen != null) {
            if (!hasKe(chosen, false) && !r.hasPayload(PayloadType.V2_KE)) {
                c.security.add(new SecurityFinding("NO_PFS", Severity.LOW,
                        c.name + " created this child SA without a Diffie-Hellman exchange (no KE method chosen): its keys"
                                + " derive from the IKE SA's SK_d alone, no perfect forward secrecy",
                        SecurityFinding.CHOSEN, null, ref, r.at));
            } else if (offeredWithout) {
                c.security.add(new SecurityFinding("NO_PFS", Severity.INFO,
                        c.name + " offered this child SA without a Diffie-Hellman exchange too (KE method NONE or a proposal"
                                + " without KE); the responder chose one",
                        SecurityFinding.OFFERED, null, ref, q.at));
            }
        } else if (anyOffer && offeredWithout && q != null) {
            c.security.add(new SecurityFinding("NO_PFS", Severity.INFO,
                    c.name + " offers this child SA without a Diffie-Hellman exchange (no KE method): no perfect forward secrecy"
                            + " if accepted",
                    SecurityFinding.OFFERED, null, ref, q.at));
        }
    }

    /** The proposal has a KE transform other than NONE (with {@code noneCounts}: and none that is NONE). */
    private static boolean hasKe(Ikev2Payload.Proposal p, boolean noneCounts) {
        boolean some = false;
        boolean none = false;
        if (p.transforms() != null) {
            for (Ikev2Payload.Transform t : p.transforms()) {
                if (t.type() != null && t.type() == 4 && t.id() != null) {
                    if (t.id() == 0) {
                        none = true;
                    } else {
                        some = true;
                    }
                }
            }
        }
        return some && !(noneCounts && none);
    }

    // ------------------------------------------------------------------ IKEv1

    private static void v1(IkeSa sa, SaDiagnosis d) {
        IkeExchange p1 = null;
        for (IkeExchange e : sa.exchanges) {
            if (e.exchangeType == 2 || e.exchangeType == AGGRESSIVE) {
                p1 = e;
                break;
            }
        }
        IkeMessage m1 = null;
        IkeMessage m2 = null;
        if (p1 != null) {
            for (IkeMessage m : p1.messages) {
                if (m.v1Proposals.isEmpty()) {
                    continue;
                }
                if (m1 == null && !m.response) {
                    m1 = m;
                } else if (m2 == null && m.response) {
                    m2 = m;
                }
            }
        }
        FrameRef first = sa.messages.get(0).at;
        // only offered: the capture shows the start of phase 1 and no answer to it
        boolean answered = p1 == null || p1.messages.stream().anyMatch(m -> m.response);
        Severity v1 = Severity.of(IKEV1_STATUS);
        d.security.add(new SecurityFinding("IKEV1", answered ? v1 : v1.lower(),
                "IKEv1 (ISAKMP, RFC 2409) is deprecated and moved to Historic: systems that support only IKEv1 should not be"
                        + " deployed; move this tunnel to IKEv2",
                answered ? SecurityFinding.CHOSEN : SecurityFinding.OFFERED, IKEV1_STATUS, "RFC 9395 §2", first));
        if (m1 != null || m2 != null) {
            List<List<Alg>> offered = m1 == null ? List.of() : v1Algs(m1.v1Proposals, PROTO_IKE);
            List<List<Alg>> chosen = m2 == null ? List.of() : v1Algs(m2.v1Proposals, PROTO_IKE);
            judge(offered, chosen.isEmpty() ? null : chosen.get(0), TABLE_IKE, "IKE SA", m1 == null ? null : m1.at,
                    m2 == null ? null : m2.at, d.security);
        }
        if (p1 != null && p1.exchangeType == AGGRESSIVE && usesPsk(m1, m2)) {
            boolean hashOnWire = m2 != null;
            d.security.add(new SecurityFinding("AGGRESSIVE_MODE_PSK", hashOnWire ? Severity.HIGH : Severity.MEDIUM,
                    "Aggressive Mode with a pre-shared key: the identities travel in clear and "
                            + (hashOnWire ? "AM2's HASH_R, with the nonces and KE values beside it, lets anyone with this capture"
                                    + " test PSK guesses offline (`vpnsleuth psk-crack FILE --wordlist W`)"
                                    : "an answer (AM2) would carry a HASH_R that lets anyone test PSK guesses offline"
                                            + " (`vpnsleuth psk-crack`)")
                            + "; use Main Mode or IKEv2, or certificates",
                    hashOnWire ? SecurityFinding.CHOSEN : SecurityFinding.OFFERED, null, "RFC 2409 §5.4, RFC 9395 §2",
                    hashOnWire ? m2.at : m1 != null ? m1.at : first));
        }
        for (ChildSa c : d.children) {
            IkeExchange qm = c.exchange;
            if (qm == null) {
                continue;
            }
            IkeMessage q1 = null;
            IkeMessage q2 = null;
            for (IkeMessage m : qm.messages) {
                if ("QM1".equals(m.name)) {
                    q1 = m;
                } else if ("QM2".equals(m.name)) {
                    q2 = m;
                }
            }
            boolean q1Read = readable(q1);
            boolean q2Read = readable(q2);
            for (int proto : new int[] {PROTO_ESP, PROTO_AH}) {
                List<List<Alg>> o = q1Read ? v1Algs(q1.v1Proposals, proto) : List.of();
                List<List<Alg>> ch = q2Read ? v1Algs(q2.v1Proposals, proto) : List.of();
                judge(o, ch.isEmpty() ? null : ch.get(0), TABLE_IPSEC, proto == PROTO_ESP ? "ESP" : "AH",
                        q1 == null ? null : q1.at, q2 == null ? null : q2.at, c.security);
            }
            String ref = "RFC 2409 §5.5";
            if (q2Read && !q2.v1Proposals.isEmpty() && !q2.hasPayload(PayloadType.V1_KE)) {
                c.security.add(new SecurityFinding("NO_PFS", Severity.LOW,
                        "Quick Mode without PFS (no KE payload in QM2, no group chosen): the child SA's keys derive from"
                                + " SKEYID_d alone, no perfect forward secrecy",
                        SecurityFinding.CHOSEN, null, ref, q2.at));
            } else if (!q2Read && q1Read && !q1.v1Proposals.isEmpty() && !q1.hasPayload(PayloadType.V1_KE)) {
                c.security.add(new SecurityFinding("NO_PFS", Severity.INFO,
                        "Quick Mode offered without PFS (no KE payload in QM1): no perfect forward secrecy if accepted",
                        SecurityFinding.OFFERED, null, ref, q1.at));
            }
        }
    }

    /** Cleartext, or decrypted with the supplied keys: its payloads are known. */
    private static boolean readable(IkeMessage m) {
        return m != null && (!m.encrypted || m.decryptedWith != null);
    }

    private static boolean usesPsk(IkeMessage m1, IkeMessage m2) {
        for (IkeMessage m : new IkeMessage[] {m2, m1}) {
            if (m == null) {
                continue;
            }
            for (List<Alg> t : v1Algs(m.v1Proposals, PROTO_IKE)) {
                for (Alg a : t) {
                    if (a.type().equals("auth-v1")) {
                        return PSK_METHODS.contains(a.id());
                    }
                }
            }
        }
        return m1 != null && PSK_METHODS.contains(m1.authMethod);
    }

    /**
     * Each transform of the proposals of {@code proto} (an IKEv1 transform is a whole suite) as its
     * algorithms, mapped to IKEv2's by ikev1-algorithms.tsv; the phase-1 auth method is also kept
     * as "auth-v1" (its IKEv1 number) for the Aggressive Mode rule.
     */
    static List<List<Alg>> v1Algs(List<Ikev1Payload.Proposal> ps, int proto) {
        List<List<Alg>> out = new ArrayList<>();
        for (Ikev1Payload.Proposal p : ps) {
            if (p.protocolId() == null || p.protocolId() != proto || p.transforms() == null) {
                continue;
            }
            for (Ikev1Payload.Transform t : p.transforms()) {
                List<Alg> algs = new ArrayList<>();
                long keyLength = -1;
                if (t.attributes() != null) {
                    for (Ikev1Payload.Attribute a : t.attributes()) {
                        if (a.type() != null && a.value() != null
                                && a.type() == (proto == PROTO_IKE ? P1_KEY_LENGTH : P2_KEY_LENGTH)) {
                            keyLength = a.value();
                        }
                    }
                }
                boolean integ = false;
                boolean aead = false;
                boolean encr = false;
                if (proto == PROTO_ESP || proto == PROTO_AH) {
                    Alg x = v1Alg(proto == PROTO_ESP ? "p2-esp" : "p2-ah", t.transformId(), keyLength);
                    if (x != null) {
                        algs.add(x);
                        encr |= x.type().equals("encr");
                        aead |= x.type().equals("encr") && isAead(x.id());
                        integ |= x.type().equals("integ");
                    }
                }
                if (t.attributes() != null) {
                    for (Ikev1Payload.Attribute a : t.attributes()) {
                        if (a.type() == null || a.value() == null || a.value() > Integer.MAX_VALUE) {
                            continue;
                        }
                        int cls = a.type();
                        int v = (int) (long) a.value();
                        String space = proto == PROTO_IKE
                                ? switch (cls) {
                                    case P1_ENCRYPTION -> "p1-encr";
                                    case P1_HASH -> "p1-hash";
                                    case P1_AUTH -> "p1-auth";
                                    case P1_GROUP -> "p1-group";
                                    default -> null;
                                }
                                : switch (cls) {
                                    case P2_AUTH -> "p2-auth";
                                    case P2_GROUP -> "p2-group";
                                    default -> null;
                                };
                        if (space == null) {
                            continue;
                        }
                        if (space.equals("p1-auth")) {
                            algs.add(new Alg("auth-v1", v, null));
                        }
                        Alg x = v1Alg(space.equals("p2-group") ? "p1-group" : space, v, cls == P1_ENCRYPTION ? keyLength : -1);
                        if (x != null) {
                            algs.add(x);
                            integ |= x.type().equals("integ") && x.id() != 0;
                        }
                    }
                }
                if (proto == PROTO_ESP && encr && !integ && !aead) {
                    algs.add(new Alg("integ", 0, "no authentication algorithm"));
                }
                out.add(algs);
            }
        }
        return out;
    }

    /** The IKEv2 algorithm an IKEv1 value stands for, shown "IKEv1 name (IKEv2 name)", or null when unmapped. */
    private static Alg v1Alg(String space, Integer value, long keyLength) {
        if (value == null) {
            return null;
        }
        String[] m = V1.get(space + "|" + value);
        if (m == null) {
            return null;
        }
        int t = switch (m[1]) {
            case "encr" -> 1;
            case "prf" -> 2;
            case "integ" -> 3;
            case "ke" -> 4;
            default -> -1;
        };
        int id = Integer.parseInt(m[2]);
        String v2 = t > 0 ? Ikev2Payloads.transformIds(t).name(id) : IkeRegistries.IKEV2_AUTH_METHODS.name(id);
        String shown = m[0] + (keyLength > 0 ? "-" + keyLength : "") + (v2 != null && !v2.equalsIgnoreCase(m[0]) ? " (" + v2 + ")" : "");
        return new Alg(m[1], id, shown);
    }

    // ------------------------------------------------------------------ judging

    /**
     * The weak algorithms of {@code offered} (every alternative) and {@code chosen} (null when no
     * answer shows it) by the rows of {@code table}: chosen at the row's severity, offered only one
     * step lower; each row once.
     */
    static void judge(List<List<Alg>> offered, List<Alg> chosen, String table, String subject, FrameRef offeredAt,
            FrameRef chosenAt, List<SecurityFinding> out) {
        Map<String, Alg> chosenRows = new LinkedHashMap<>();
        if (chosen != null) {
            for (Alg a : chosen) {
                Row r = row(table, a);
                if (r != null) {
                    chosenRows.putIfAbsent(r.table() + "|" + a.key(), a);
                }
            }
        }
        Map<String, Alg> offeredRows = new LinkedHashMap<>();
        for (List<Alg> alt : offered) {
            for (Alg a : alt) {
                Row r = row(table, a);
                if (r != null && !chosenRows.containsKey(r.table() + "|" + a.key())) {
                    offeredRows.putIfAbsent(r.table() + "|" + a.key(), a);
                }
            }
        }
        for (Alg a : chosenRows.values()) {
            out.add(finding(row(table, a), a, subject, true, chosenAt));
        }
        for (Alg a : offeredRows.values()) {
            out.add(finding(row(table, a), a, subject, false, offeredAt));
        }
    }

    private static SecurityFinding finding(Row r, Alg a, String subject, boolean chosen, FrameRef at) {
        Severity s = Severity.of(r.status());
        String role = ROLE.getOrDefault(a.type(), a.type());
        String what = subject + " " + role + " " + a.shown() + (chosen ? "" : " offered (not chosen)") + ": " + r.why();
        return new SecurityFinding(r.code(), chosen ? s : s.lower(), what,
                chosen ? SecurityFinding.CHOSEN : SecurityFinding.OFFERED, r.status(), r.reference(), at);
    }

    // ------------------------------------------------------------------ PSK

    /**
     * A supplied pre-shared key that verifies this SA's exchange (a PSK check matched) and is
     * shorter than {@link #PSK_MIN_LENGTH} characters or in the common list; the key is named by
     * its source, never shown.
     */
    private static void psk(IkeSa sa, SaDiagnosis d, KeyMaterial keys) {
        if (keys == null || keys.psks.isEmpty()) {
            return;
        }
        Set<String> said = new HashSet<>();
        for (IkeMessage m : sa.messages) {
            KeyCheck k = m.keyCheck;
            if (k == null || k.psk() == null
                    || !(k.kind() == KeyCheck.Kind.PSK_MATCH || k.kind() == KeyCheck.Kind.HASH_OK)) {
                continue;
            }
            for (KeyMaterial.Psk p : keys.psks) {
                if (!k.psk().equals(p.source()) || !said.add(p.source())) {
                    continue;
                }
                String text = new String(p.secret(), StandardCharsets.UTF_8);
                int length = text.codePointCount(0, text.length());
                boolean common = COMMON_PSKS.contains(text.toLowerCase(Locale.ROOT));
                boolean shortKey = length < PSK_MIN_LENGTH;
                if (!common && !shortKey) {
                    continue;
                }
                boolean aggressive = false;
                for (IkeExchange e : sa.exchanges) {
                    aggressive |= sa.version == 1 && e.exchangeType == AGGRESSIVE;
                }
                String why = common ? "is one of the commonly used keys every wordlist holds" + (shortKey ? " and is shorter than "
                        + PSK_MIN_LENGTH + " characters" : "") : "is shorter than " + PSK_MIN_LENGTH + " characters";
                d.security.add(new SecurityFinding("PSK_WEAK", aggressive ? Severity.HIGH : Severity.MEDIUM,
                        "the pre-shared key from " + p.source() + " verifies this exchange (" + k.what() + ") and " + why
                                + ": a dictionary attack finds it"
                                + (aggressive ? " offline from this capture (`vpnsleuth psk-crack`)"
                                        : " (an active attacker posing as a peer can test guesses offline)")
                                + "; use a long random key or certificates",
                        SecurityFinding.CHOSEN, null, sa.version == 1 ? "RFC 2409 §5.4, RFC 7296 §2.15" : "RFC 7296 §2.15",
                        m.at));
            }
        }
    }
}
