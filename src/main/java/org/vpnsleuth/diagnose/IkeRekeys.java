package org.vpnsleuth.diagnose;

import java.util.List;

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

    static void link(List<SaFacts> all, Diagnoser.FactsBySa bySa,
            org.vpnsleuth.track.PeerIndex peers) {
        java.util.Map<Long, List<SaFacts>> bySpiI = new java.util.HashMap<>(); // made on the first readable new SPI
        for (SaFacts a : all) {
            if (a.sa.version != 2 || a.sa.initiator == null) {
                continue;
            }
            // the latest CREATE_CHILD_SA first: when the SPIs are not readable, the rekey is the one right before the new SA
            for (int i = a.createChildSas.length - 1; i >= 0; i--) {
                SaFacts.CreateChildSa e = a.createChildSas[i];
                boolean known = e.ikeRekeySpi() != null;
                if (!known && e.requestDecrypted()) {
                    continue; // decrypted: a child SA, not an IKE rekey
                }
                if (known && bySpiI.isEmpty()) {
                    for (SaFacts f : all) { // (order does not matter: the first created candidate is taken)
                        bySpiI.computeIfAbsent(f.sa.spiI, k -> new java.util.ArrayList<>(1)).add(f);
                    }
                }
                SaFacts b = successor(bySa, bySpiI, peers, a, e, known ? e.ikeRekeySpi() : null);
                if (b != null) {
                    rekeyed(a, e, b, known);
                    break;
                }
            }
        }
    }

    private static SaFacts successor(Diagnoser.FactsBySa bySa,
            java.util.Map<Long, List<SaFacts>> bySpiI, org.vpnsleuth.track.PeerIndex peers, SaFacts a, SaFacts.CreateChildSa r, String spi) {
        List<org.vpnsleuth.track.IkeSa> pair = peers.between(a.initiatorAddress(), a.responderAddress());
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
            SaFacts first = null;
            // the SAs of the pair with that initiator SPI: a look-up, not a pass over the pair's SAs
            for (SaFacts b : bySpiI.getOrDefault(want, List.of())) {
                org.vpnsleuth.track.IkeSa x = b.sa;
                if (x.between(a.initiatorAddress(), a.responderAddress()) && candidate(a, b)
                        && (first == null || x.seq < first.sa.seq)) {
                    first = b;
                }
            }
            return first;
        }
        if (a.lastInformationalNanos <= r.responseNanos()) {
            return null; // not deleted after it: no rekey to infer
        }
        long t = r.responseNanos();
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
        SaFacts found = null;
        for (int i = lo; i < pair.size() && pair.get(i).firstNanos() - t < GUESS_WINDOW_NANOS; i++) {
            SaFacts b = bySa.get(pair.get(i));
            if (b != null && candidate(a, b)) {
                if (found != null) {
                    return null; // two candidates: do not guess
                }
                found = b;
            }
        }
        return found;
    }

    private static boolean candidate(SaFacts a, SaFacts b) {
        return b != a && b.rekeyedFrom == null && b.sa.version == 2 && b.beganWithoutInit;
    }

    private static void rekeyed(SaFacts a, SaFacts.CreateChildSa e, SaFacts b, boolean known) {
        b.rekeyedFrom = a;
        b.verdict = Verdict.ESTABLISHED;
        String child = e.name();
        for (SaFacts.Child c : a.children) {
            if (c.name.equals(child)) {
                c.open = false; // no longer among the SA's children
            }
        }
        String how = known ? "its SA payloads propose protocol IKE with the new SPIs"
                : "encrypted; inferred: the new SA begins without IKE_SA_INIT right after it and this one is deleted";
        long responseNanos = e.responseNanos();
        a.edit(d -> {
            d.rekeyedTo = b;
            d.children.removeIf(c -> c.name.equals(child));
            d.notes.add(String.format("rekeyed: %s (frames %d/%d) replaced this IKE SA by %016x/%016x (%s)", child,
                    e.requestFrame(), e.responseFrame(), b.sa.spiI, b.sa.spiR, how));
            // the old SA's Delete after its rekey is the end RFC 7296 §2.18 prescribes, not a peer tearing the tunnel down
            for (Finding f : List.copyOf(d.findings)) {
                if (f.cause() == Cause.DELETED_BY_PEER && !f.evidence().isEmpty()
                        && f.evidence().get(0).at().nanos() > responseNanos) {
                    d.findings.remove(f);
                    if (d.main == f) {
                        d.main = null;
                    }
                    d.notes.add("deleted after its rekey (frame " + f.evidence().get(0).at().frame() + "), as RFC 7296 §2.18 has it");
                }
            }
        });
        b.edit(d -> {
            d.rekeyedFrom = a;
            for (Finding f : List.copyOf(d.findings)) {
                if (f.cause() == Cause.CAPTURE_INCOMPLETE) {
                    d.findings.remove(f);
                    if (d.main == f) {
                        d.main = null;
                    }
                }
            }
            if (d.main == null) {
                for (Finding f : d.findings) {
                    if (f.cause() != Cause.UNKNOWN) {
                        d.main = f;
                        break;
                    }
                }
            }
            d.verdict = Verdict.ESTABLISHED;
            d.rfcState = String.format("ESTABLISHED (rekeyed from %016x/%016x)", a.sa.spiI, a.sa.spiR);
            d.notes.add(0, String.format("created by the rekey of IKE SA %016x/%016x: %s, frames %d/%d", a.sa.spiI, a.sa.spiR,
                    child, e.requestFrame(), e.responseFrame()));
        });
    }
}
