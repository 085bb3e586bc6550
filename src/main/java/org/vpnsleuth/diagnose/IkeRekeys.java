package org.vpnsleuth.diagnose;

import java.util.List;
import org.vpnsleuth.track.IkeExchange;
import org.vpnsleuth.track.IkeMessage;

/**
 * IKEv2 IKE SA rekeys (RFC 7296 §1.3.2, §2.18): a CREATE_CHILD_SA whose SA payload proposes
 * protocol IKE creates a new IKE SA with new SPIs, which carries on without IKE_SA_INIT; the old SA
 * is then deleted. Per SA the rules see a child SA, a delete and a capture that "starts late";
 * together they are one tunnel rekeyed. Decrypted, the SPIs of the proposals name the new SA;
 * encrypted, a new SA between the same peers that begins (without IKE_SA_INIT) right after an
 * answered CREATE_CHILD_SA of the old one, which is deleted afterwards, is taken as its successor.
 */
final class IkeRekeys {
    /** How soon after the rekey response the new SA's first message must come when the SPIs are not readable. */
    private static final long GUESS_WINDOW_NANOS = 30_000_000_000L;

    private IkeRekeys() {
    }

    static void link(List<SaDiagnosis> all) {
        for (SaDiagnosis a : all) {
            if (a.sa.version != 2 || a.sa.initiator == null) {
                continue;
            }
            // the latest CREATE_CHILD_SA first: when the SPIs are not readable, the rekey is the one right before the new SA
            for (int i = a.sa.exchanges.size() - 1; i >= 0; i--) {
                IkeExchange e = a.sa.exchanges.get(i);
                IkeMessage q = e.request();
                IkeMessage r = e.response();
                if (!e.kind.equals("CREATE_CHILD_SA") || q == null || r == null) {
                    continue;
                }
                boolean known = q.ikeRekeySpi != null;
                if (!known && q.decryptedWith != null) {
                    continue; // decrypted: a child SA, not an IKE rekey
                }
                SaDiagnosis b = successor(all, a, r, known ? q.ikeRekeySpi : null);
                if (b != null) {
                    rekeyed(a, e, b, known);
                    break;
                }
            }
        }
    }

    private static SaDiagnosis successor(List<SaDiagnosis> all, SaDiagnosis a, IkeMessage r, String spi) {
        SaDiagnosis found = null;
        for (SaDiagnosis b : all) {
            if (b == a || b.rekeyedFrom != null || b.sa.version != 2 || b.sa.messages.isEmpty()
                    || !b.sa.exchanges("IKE_SA_INIT").isEmpty()
                    || !b.sa.between(a.sa.initiator.address(), a.sa.responder.address())) {
                continue;
            }
            long first = b.sa.firstNanos();
            if (spi != null) {
                if (String.format("%016x", b.sa.spiI).equalsIgnoreCase(spi)) {
                    return b;
                }
            } else if (first > r.at.nanos() && first - r.at.nanos() < GUESS_WINDOW_NANOS && deletedAfter(a, r)) {
                if (found != null) {
                    return null; // two candidates: do not guess
                }
                found = b;
            }
        }
        return found;
    }

    /** The old SA's last exchange is an answered INFORMATIONAL after the rekey (its Delete, RFC 7296 §2.18). */
    private static boolean deletedAfter(SaDiagnosis a, IkeMessage r) {
        IkeExchange last = a.sa.exchanges.get(a.sa.exchanges.size() - 1);
        return last.kind.equals("INFORMATIONAL") && last.request() != null && last.request().at.nanos() > r.at.nanos();
    }

    private static void rekeyed(SaDiagnosis a, IkeExchange e, SaDiagnosis b, boolean known) {
        a.rekeyedTo = b;
        b.rekeyedFrom = a;
        String child = "CREATE_CHILD_SA mid " + e.messageId;
        a.children.removeIf(c -> c.name.equals(child));
        String how = known ? "its SA payloads propose protocol IKE with the new SPIs"
                : "encrypted; inferred: the new SA begins without IKE_SA_INIT right after it and this one is deleted";
        a.notes.add(String.format("rekeyed: %s (frames %d/%d) replaced this IKE SA by %016x/%016x (%s)", child,
                e.request().at.frame(), e.response().at.frame(), b.sa.spiI, b.sa.spiR, how));
        // the old SA's Delete after its rekey is the end RFC 7296 §2.18 prescribes, not a peer tearing the tunnel down
        for (Finding f : List.copyOf(a.findings)) {
            if (f.cause() == Cause.DELETED_BY_PEER && !f.evidence().isEmpty()
                    && f.evidence().get(0).at().nanos() > e.response().at.nanos()) {
                a.findings.remove(f);
                if (a.main == f) {
                    a.main = null;
                }
                a.notes.add("deleted after its rekey (frame " + f.evidence().get(0).at().frame() + "), as RFC 7296 §2.18 has it");
            }
        }
        for (Finding f : List.copyOf(b.findings)) {
            if (f.cause() == Cause.CAPTURE_INCOMPLETE) {
                b.findings.remove(f);
                if (b.main == f) {
                    b.main = null;
                }
            }
        }
        if (b.main == null) {
            for (Finding f : b.findings) {
                if (f.cause() != Cause.UNKNOWN) {
                    b.main = f;
                    break;
                }
            }
        }
        b.verdict = Verdict.ESTABLISHED;
        b.rfcState = String.format("ESTABLISHED (rekeyed from %016x/%016x)", a.sa.spiI, a.sa.spiR);
        b.notes.add(0, String.format("created by the rekey of IKE SA %016x/%016x: %s, frames %d/%d", a.sa.spiI, a.sa.spiR,
                child, e.request().at.frame(), e.response().at.frame()));
    }
}
