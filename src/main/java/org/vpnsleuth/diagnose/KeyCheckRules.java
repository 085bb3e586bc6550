package org.vpnsleuth.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vpnsleuth.ike.KeyCheck;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * What the recomputed hashes and AUTH payloads of an SA prove (ike/KeyCheck): which supplied
 * pre-shared key each peer uses. Two peers on different keys settle PSK_MISMATCH at HIGH
 * confidence and name the side whose key is not the supplied one; two peers on the same key rule
 * PSK_MISMATCH out; a decrypted message whose hash does not verify is a finding of its own.
 */
final class KeyCheckRules {
    private KeyCheckRules() {
    }

    /** The distinct checks of the SA in capture order (a retransmission's check is its original's). */
    private static Map<String, IkeMessage> distinct(IkeSa sa) {
        Map<String, IkeMessage> m = new LinkedHashMap<>();
        for (IkeMessage x : sa.messages) {
            KeyCheck k = x.keyCheck;
            if (k != null) {
                m.putIfAbsent(k.kind() + "|" + k.what() + "|" + k.fromInitiator() + "|" + k.key() + "|" + k.psk(), x);
            }
        }
        return m;
    }

    static void apply(IkeSa sa, SaDiagnosis d) {
        Map<String, IkeMessage> checks = distinct(sa);
        if (checks.isEmpty()) {
            return;
        }
        // per side (0 initiator, 1 responder): the supplied PSKs its values match, and whether one matched none
        List<Set<String>> uses = List.of(new LinkedHashSet<>(), new LinkedHashSet<>());
        boolean[] none = new boolean[2];
        int tried = 0;
        List<Evidence> pskEvidence = new ArrayList<>();
        Set<String> plainHashes = new LinkedHashSet<>();
        List<String> notes = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        for (IkeMessage m : checks.values()) {
            KeyCheck k = m.keyCheck;
            int side = k.fromInitiator() ? 0 : 1;
            switch (k.kind()) {
                case PSK_MATCH -> uses.get(side).add(k.psk());
                case PSK_NONE -> {
                    none[side] = true;
                    tried = Math.max(tried, k.tried());
                }
                case HASH_OK -> {
                    if (k.psk() != null) {
                        uses.get(side).add(k.psk());
                    } else if (k.tried() > 0) {
                        none[side] = true;
                        tried = Math.max(tried, k.tried());
                    }
                }
                case HASH_FAILED -> d.findings.add(Diagnoser.finding(Cause.AUTH_FAILED, Confidence.MEDIUM, m.name,
                        k.what() + " does not verify with the supplied keys",
                        m.name + " decrypted, but its HASH is not the one SKEYID_a of those keys gives: the message was"
                                + " altered on the way, or the keys that decrypted it are not the ones its sender used"
                                + " (a peer whose phase-1 keys differ rejects it with INVALID-HASH-INFORMATION).",
                        "Check the key material supplied for this SA; compare both peers' logs.",
                        List.of(new Evidence(m.at, k.text())), List.of()));
            }
            if (k.kind() != KeyCheck.Kind.HASH_FAILED && (k.kind() != KeyCheck.Kind.HASH_OK || k.psk() != null || k.tried() > 0)) {
                pskEvidence.add(new Evidence(m.at, k.text()));
            }
            if (k.kind() == KeyCheck.Kind.HASH_OK && k.psk() == null && k.tried() == 0) {
                plainHashes.add(k.what().replace("HASH(1) of the ", "").replace("HASH of the ", "").replaceFirst("HASH\\(\\d\\) of ", ""));
            } else {
                notes.add("key check, frame " + m.at.frame() + ": " + k.text());
                checked.add(k.what().replace("the initiator's AUTH", "AUTH_i").replace("the responder's AUTH", "AUTH_r")
                        .replace("HASH(1) of the Informational", "Informational HASH") + " (frame " + m.at.frame() + ")");
            }
        }
        if (!pskEvidence.isEmpty() && sameKey(uses, none)) {
            d.notes.add("pre-shared key: both peers use the key from " + uses.get(0).iterator().next() + " ("
                    + String.join(", ", checked) + " recomputed)");
        } else {
            d.notes.addAll(notes);
        }
        if (!plainHashes.isEmpty()) {
            d.notes.add("phase-2 hashes verified with the keys that decrypted them: " + String.join(", ", plainHashes));
        }
        if (pskEvidence.isEmpty()) {
            return;
        }
        String iUses = describe(uses.get(0), none[0], tried);
        String rUses = describe(uses.get(1), none[1], tried);
        boolean iKnown = iUses != null;
        boolean rKnown = rUses != null;
        // both sides known: each matches supplied keys but not the same ones, or one matches and the other none
        boolean bothMatch = !uses.get(0).isEmpty() && !uses.get(1).isEmpty();
        boolean differ = iKnown && rKnown && (bothMatch ? !uses.get(0).equals(uses.get(1)) : none[0] != none[1]);
        boolean same = sameKey(uses, none);
        Finding main = d.main;
        boolean pskCause = main != null && (main.cause() == Cause.PSK_MISMATCH || main.cause() == Cause.AUTH_FAILED
                || main.cause() == Cause.UNKNOWN);
        if (differ) {
            String wrong = uses.get(0).isEmpty() ? "initiator" : uses.get(1).isEmpty() ? "responder" : null;
            Finding f = Diagnoser.finding(Cause.PSK_MISMATCH, Confidence.HIGH,
                    main != null && main.stoppedAt() != null ? main.stoppedAt() : d.stoppedAt,
                    "the pre-shared keys differ: the initiator uses " + iUses + ", the responder " + rUses,
                    "Recomputed from the capture with the supplied keys, the values that authenticate each peer"
                            + " (HASH_I/HASH_R, AUTH, or the HASH of a message decrypted with that peer's keys) show two"
                            + " different pre-shared keys." + (main != null && pskCause ? " " + main.explanation() : ""),
                    wrong != null
                            ? "Set the " + wrong + "'s pre-shared key for this peer to the one the other side uses ("
                                    + keyOf(uses.get(wrong.equals("initiator") ? 1 : 0))
                                    + "): Cisco `crypto isakmp key` / tunnel-group `ikev1|ikev2 pre-shared-key`, strongSwan"
                                    + " `secrets`."
                            : "Make both peers use the same pre-shared key (Cisco `crypto isakmp key`, strongSwan"
                                    + " `secrets`).",
                    merge(pskEvidence, main != null && pskCause ? main.evidence() : List.of()), List.of());
            if (main != null && pskCause && d.verdict == Verdict.FAILED) {
                replaceMain(d, f);
            } else {
                d.findings.add(f);
            }
        } else if (same) {
            String key = uses.get(0).iterator().next();
            if (main != null && main.cause() == Cause.PSK_MISMATCH) {
                Finding f = Diagnoser.finding(Cause.AUTH_FAILED, Confidence.MEDIUM, main.stoppedAt(),
                        "both peers use the same pre-shared key (from " + key + "): authentication failed for another reason",
                        "Recomputed with the supplied keys, both peers' authenticating values match the pre-shared key from "
                                + key + ", so the keys do not differ. " + main.explanation(),
                        "Compare the identities each peer sends and expects (IDi/IDr, Cisco `crypto isakmp identity`,"
                                + " strongSwan `id`/`remote.id`) and the peers' logs.",
                        merge(pskEvidence, main.evidence()), List.of());
                replaceMain(d, f);
            }
        } else if (main != null && main.cause() == Cause.PSK_MISMATCH) {
            // one side known: it says which key to look at on the other
            String known = iKnown ? "the initiator uses " + iUses : "the responder uses " + rUses;
            Finding f = new Finding(main.cause(), main.confidence(), main.stoppedAt(), main.headline() + " (" + known + ")",
                    main.explanation() + " Recomputed with the supplied keys: " + known + ".", main.fix(),
                    merge(main.evidence(), pskEvidence), main.alternatives(), main.recovered());
            replaceMain(d, f);
        }
    }

    private static boolean sameKey(List<Set<String>> uses, boolean[] none) {
        return !none[0] && !none[1] && uses.get(0).size() == 1 && uses.get(0).equals(uses.get(1));
    }

    /** The supplied key(s) a side's values match, for a fix. */
    private static String keyOf(Set<String> s) {
        return s.isEmpty() ? "not one of the supplied keys" : "the key from " + String.join(" or ", s);
    }

    private static String describe(Set<String> uses, boolean none, int tried) {
        if (!uses.isEmpty()) {
            return "the key from " + String.join(" and ", uses);
        }
        return none ? "another key (none of the " + tried + " supplied)" : null;
    }

    private static List<Evidence> merge(List<Evidence> a, List<Evidence> b) {
        List<Evidence> all = new ArrayList<>(a);
        for (Evidence e : b) {
            if (!all.contains(e)) {
                all.add(e);
            }
        }
        return all;
    }

    private static void replaceMain(SaDiagnosis d, Finding f) {
        int i = d.findings.indexOf(d.main);
        if (i >= 0) {
            d.findings.set(i, f);
        } else {
            d.findings.add(0, f);
        }
        d.main = f;
    }
}
