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

    static void link(List<SaDiagnosis> all, java.util.Map<org.vpnsleuth.track.IkeSa, SaDiagnosis> bySa,
            org.vpnsleuth.track.PeerIndex peers) {
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
                SaDiagnosis b = successor(bySa, peers, a, r, known ? q.ikeRekeySpi : null);
                if (b != null) {
                    rekeyed(a, e, b, known);
                    break;
                }
            }
        }
    }

    /**
     * The SA that CREATE_CHILD_SA response {@code r} of {@code a} created: the one with initiator SPI
     * {@code spi} when the proposal was read (the first such in report order), else the only SA of
     * the same peers that begins without IKE_SA_INIT within {@link #GUESS_WINDOW_NANOS} after it, when
     * {@code a} is deleted afterwards. Candidates come from the peers' SAs ordered by start time.
     */
    private static SaDiagnosis successor(java.util.Map<org.vpnsleuth.track.IkeSa, SaDiagnosis> bySa,
            org.vpnsleuth.track.PeerIndex peers, SaDiagnosis a, IkeMessage r, String spi) {
        List<org.vpnsleuth.track.IkeSa> pair = peers.between(a.sa.initiator.address(), a.sa.responder.address());
        if (spi != null) {
            long want;
            if (spi.length() != 16) {
                return null;
            }
            try {
                want = Long.parseUnsignedLong(spi, 16);
            } catch (NumberFormatException e) {
                return null;
            }
            SaDiagnosis first = null;
            for (org.vpnsleuth.track.IkeSa x : pair) {
                SaDiagnosis b = bySa.get(x);
                if (x.spiI == want && b != null && candidate(a, b) && (first == null || x.seq < first.sa.seq)) {
                    first = b;
                }
            }
            return first;
        }
        if (!deletedAfter(a, r)) {
            return null;
        }
        long t = r.at.nanos();
        int lo = 0;
        int hi = pair.size();
        while (lo < hi) { // the first SA that starts after the response
            int mid = (lo + hi) >>> 1;
            if (pair.get(mid).firstNanos() > t) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        SaDiagnosis found = null;
        for (int i = lo; i < pair.size() && pair.get(i).firstNanos() - t < GUESS_WINDOW_NANOS; i++) {
            SaDiagnosis b = bySa.get(pair.get(i));
            if (b != null && candidate(a, b)) {
                if (found != null) {
                    return null; // two candidates: do not guess
                }
                found = b;
            }
        }
        return found;
    }

    /** {@code b} may be the SA a rekey of {@code a} created: another IKEv2 SA, not yet claimed, that began without IKE_SA_INIT. */
    private static boolean candidate(SaDiagnosis a, SaDiagnosis b) {
        return b != a && b.rekeyedFrom == null && b.sa.version == 2 && !b.sa.messages.isEmpty()
                && b.sa.exchanges("IKE_SA_INIT").isEmpty();
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
