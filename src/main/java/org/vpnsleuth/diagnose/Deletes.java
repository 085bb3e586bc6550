package org.vpnsleuth.diagnose;

import static org.vpnsleuth.diagnose.Diagnoser.ev;
import static org.vpnsleuth.diagnose.Diagnoser.finding;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.IkeMessage;
import org.vpnsleuth.track.IkeSa;

/**
 * Delete payloads the tool has read (cleartext, or decrypted with key material) end what they name,
 * in both IKE versions (RFC 2408 §3.15, RFC 7296 §1.4.1, §3.11): a Delete of protocol IKE/ISAKMP
 * ends the IKE SA and, with it, its child SAs; a Delete of ESP/AH SPIs ends the child SA those SPIs
 * belong to. Each gets state DELETED, who sent the Delete and the frame.
 */
final class Deletes {
    private Deletes() {
    }

    static void apply(IkeSa sa, SaDiagnosis d) {
        IkeMessage ikeDelete = null;
        for (IkeMessage m : sa.messages) {
            if (m.retransmissionOf != null || m.deleteRecords.isEmpty() || sa.version == 2 && m.response) {
                continue; // an IKEv2 response's Deletes only acknowledge the request's (RFC 7296 §1.4.1)
            }
            String who = (Boolean.TRUE.equals(m.fromInitiator) ? "initiator " : "responder ") + m.src.address();
            for (IkeMessage.Delete del : m.deleteRecords) {
                if (del.protocol() == 1) {
                    if (d.deletedAt == null) {
                        d.deletedBy = who;
                        d.deletedAt = m.at;
                        ikeDelete = m;
                    }
                    for (ChildSa c : d.children) {
                        if (c.verdict == Verdict.ESTABLISHED && c.state == null) {
                            mark(c, who, m);
                        }
                    }
                    continue;
                }
                for (String spi : del.spis()) {
                    boolean found = false;
                    for (ChildSa c : d.children) {
                        if (c.state == null && owns(c, spi)) {
                            mark(c, who, m);
                            found = true;
                        }
                    }
                    if (!found) {
                        d.unmatchedDeletes.add(new SaDiagnosis.ChildDelete(spi, who, m.at));
                    }
                }
            }
        }
        if (ikeDelete == null) {
            return;
        }
        for (Finding f : d.findings) {
            if (f.cause() == Cause.DELETED_BY_PEER && f.confidence() == Confidence.HIGH) {
                return;
            }
        }
        String who = d.deletedBy.substring(0, d.deletedBy.indexOf(' '));
        List<Evidence> e = new ArrayList<>();
        e.add(ev(ikeDelete, (sa.version == 1 ? "Informational" : "INFORMATIONAL request") + ": Delete "
                + String.join(", ", ikeDelete.deletes)));
        d.findings.removeIf(f -> f.cause() == Cause.DELETED_BY_PEER && f.confidence() == Confidence.LOW);
        d.findings.add(finding(Cause.DELETED_BY_PEER, Confidence.HIGH, sa.version == 1 ? "Informational" : "INFORMATIONAL",
                "deleted by the " + who + ": Delete " + String.join(", ", ikeDelete.deletes),
                "The " + who + " sent a Delete of the " + (sa.version == 1 ? "ISAKMP" : "IKE")
                        + " SA (read in frame " + ikeDelete.at.frame() + "), which ends it and its child SAs.",
                "If the tunnel should have stayed up, read the " + who + "'s log for why it deleted the SA"
                        + " (lifetime, idle timeout, administrator, a failed rekey or Quick Mode).",
                e, List.of()));
    }

    /** The SPI is the child's: named by its SA payloads, or the SPI of one of its ESP/AH flows. */
    static boolean owns(ChildSa c, String spi) {
        if (c.spis.contains(spi)) {
            return true;
        }
        for (org.vpnsleuth.track.EspFlow f : c.flows) {
            if (org.vpnsleuth.base.Bytes.hexPadded(f.spi, 8).equals(spi)) {
                return true;
            }
        }
        return false;
    }

    private static void mark(ChildSa c, String who, IkeMessage m) {
        mark(c, who, m.at);
    }

    private static void mark(ChildSa c, String who, org.vpnsleuth.track.FrameRef at) {
        c.state = "DELETED";
        c.deletedBy = who;
        c.deletedAt = at;
    }

    /**
     * Child SAs move to the new IKE SA at an IKE SA rekey (RFC 7296 §2.18): a Delete read in the new
     * SA for a child set up in the old one ends that child. Run after the rekeys are linked.
     */
    static void acrossRekeys(List<SaFacts> all) {
        java.util.Set<Object> named = new java.util.HashSet<>(); // SaFacts.spiKey of each SPI named
        for (SaFacts d : all) {
            if (d.rekeyedFrom != null) {
                for (SaDiagnosis.ChildDelete del : d.unmatchedDeletes) {
                    named.add(SaFacts.spiKey(del.spi()));
                }
            }
        }
        if (named.isEmpty()) {
            return;
        }
        // the children owning a SPI some Delete names, by SPI, in SA order then child order (look-ups, not a
        // walk back along the rekey chain per Delete: a site-to-site tunnel's chain is as long as the capture)
        java.util.Map<Object, List<Owned>> owners = new java.util.HashMap<>();
        for (SaFacts x : all) {
            for (SaFacts.Child c : x.children) {
                for (long code : c.spiCodes) {
                    own(owners, named, code, x, c);
                }
                for (String spi : c.spiTexts) {
                    own(owners, named, spi, x, c);
                }
            }
        }
        java.util.Map<SaFacts, SaFacts> root = new java.util.IdentityHashMap<>();
        java.util.Map<SaFacts, Integer> depth = new java.util.IdentityHashMap<>();
        for (SaFacts d : all) {
            if (d.rekeyedFrom == null || d.unmatchedDeletes.isEmpty()) {
                continue;
            }
            chain(d, root, depth);
            for (SaDiagnosis.ChildDelete del : d.unmatchedDeletes) {
                List<Owned> found = new ArrayList<>();
                for (Owned o : owners.getOrDefault(SaFacts.spiKey(del.spi()), List.of())) {
                    chain(o.sa(), root, depth);
                    if (root.get(o.sa()) == root.get(d) && depth.get(o.sa()) < depth.get(d)) {
                        found.add(o); // an SA d was rekeyed from, however far back
                    }
                }
                found.sort(java.util.Comparator.comparingInt((Owned o) -> -depth.get(o.sa()))); // the nearest first; stable
                for (Owned o : found) {
                    if (o.child().open) {
                        o.child().open = false;
                        o.sa().edit(o.child(), (xd, child) -> mark(child, del.who(), del.at()));
                    }
                }
            }
        }
    }

    /** A child SA owning a SPI a Delete names, and its SA. */
    private record Owned(SaFacts sa, SaFacts.Child child) {
    }

    private static void own(java.util.Map<Object, List<Owned>> owners, java.util.Set<Object> named, Object spi, SaFacts x,
            SaFacts.Child c) {
        if (!named.contains(spi)) {
            return;
        }
        List<Owned> l = owners.computeIfAbsent(spi, k -> new ArrayList<>(1));
        if (l.isEmpty() || l.get(l.size() - 1).child() != c) { // a child owns it once, by SA payload or by flow
            l.add(new Owned(x, c));
        }
    }

    /** The first SA of {@code d}'s rekey chain and how many rekeys back it is, for {@code d} and the SAs it was rekeyed from. */
    private static void chain(SaFacts d, java.util.Map<SaFacts, SaFacts> root, java.util.Map<SaFacts, Integer> depth) {
        if (depth.containsKey(d)) {
            return;
        }
        List<SaFacts> path = new ArrayList<>();
        java.util.Set<SaFacts> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        SaFacts x = d;
        while (x != null && !depth.containsKey(x) && seen.add(x)) {
            path.add(x);
            x = x.rekeyedFrom;
        }
        SaFacts r;
        int at;
        if (x != null && depth.containsKey(x)) {
            r = root.get(x);
            at = depth.get(x) + 1;
        } else { // the start of the chain (or, were the links ever circular, the SA where they close)
            r = path.get(path.size() - 1);
            at = 0;
        }
        for (int i = path.size() - 1; i >= 0; i--) {
            root.put(path.get(i), r);
            depth.put(path.get(i), at++);
        }
    }
}
