package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vpnsleuth.track.EncapSizes;
import org.vpnsleuth.track.IcmpError;
import org.vpnsleuth.track.SizeTracker;

/**
 * The conclusions of overhead/Measured from the tracker's sizes: the expected overhead from the
 * model (overhead/Stack, overhead/Esp: never a second size formula here), the path MTU evidence
 * and the warnings.
 */
public final class Measurements {
    /** ESP transforms of an SPI: IKEv2 ENCR and INTEG IDs (0 for AEAD), key bits; {@code source} in words. */
    public record Transforms(int encr, int keyBits, int integ, String source) {
    }

    /**
     * What the user tells {@code overhead FILE}: the path MTU to use when the capture proves no
     * smaller one ({@code --mtu}; -1: none given, {@link Measured#ASSUMED_PATH_MTU}), and the ESP
     * transforms to assume for ESP whose transforms are unknown ({@code --esp}; null: none).
     */
    public record Options(int pathMtu, Esp assumedEsp) {
        public static final Options NONE = new Options(-1, null);
    }

    /** IP protocols an ICMP error's quoted datagram has for each kind of instance (UDP: NAT-T ESP, L2TP). */
    private static final Map<String, Set<Integer>> QUOTED_PROTOCOLS = Map.of(
            "ESP", Set.of(50, 17, 6), "AH", Set.of(51), "GRE", Set.of(47), "PPTP", Set.of(47),
            "L2TP", Set.of(17, 115), "IP-in-IP", Set.of(4, 41));
    /** Inner IP header + TCP header, IPv4 and IPv6, for an MSS from an inner packet size. */
    private static final int TCP_IP4 = 40;
    private static final int TCP_IP6 = 60;

    private Measurements() {
    }

    /**
     * One Measured per instance of {@code sizes}; {@code transforms} by "file|spi" (ESP SAs whose
     * keys verified, or whose negotiated transforms are known); {@code icmp} the capture's ICMP errors.
     */
    public static List<Measured> of(SizeTracker sizes, Map<String, Transforms> transforms, List<IcmpError> icmp) {
        return of(sizes, transforms, icmp, Options.NONE);
    }

    /** As {@link #of(SizeTracker, Map, List)}, with the user's path MTU and assumed ESP transforms. */
    public static List<Measured> of(SizeTracker sizes, Map<String, Transforms> transforms, List<IcmpError> icmp, Options options) {
        List<EncapSizes> all = sizes.instances();
        if (sizes.written()) {
            // some were written out while the capture was read: each is read back and worked out when asked for
            return new java.util.AbstractList<>() {
                @Override
                public Measured get(int i) {
                    return measure(all.get(i), sizes, transforms, icmp, options);
                }

                @Override
                public int size() {
                    return all.size();
                }
            };
        }
        List<Measured> out = new ArrayList<>(all.size());
        for (EncapSizes s : all) {
            out.add(measure(s, sizes, transforms, icmp, options));
        }
        return out;
    }

    private static Measured measure(EncapSizes s, SizeTracker sizes, Map<String, Transforms> transforms, List<IcmpError> icmp,
            Options options) {
        try {
            return one(s, sizes, transforms.get(s.file + "|" + s.id), icmp, options);
        } catch (RuntimeException e) {
            Measured m = new Measured(s);
            m.warnings.add("overhead not worked out: " + e.getMessage());
            return m;
        }
    }

    private static Measured one(EncapSizes s, SizeTracker sizes, Transforms t, List<IcmpError> icmp, Options options) {
        Measured m = new Measured(s);
        if (s.kind.equals("ESP") && t != null) {
            try {
                m.esp = Esp.of(t.encr(), t.keyBits(), t.integ());
                m.espSource = t.source();
            } catch (IllegalArgumentException e) {
                m.notes.add(e.getMessage());
            }
        }
        if (s.kind.equals("ESP") && m.esp == null && s.innerVisible == 0 && options.assumedEsp() != null) {
            m.esp = options.assumedEsp();
            m.espAssumed = true;
            m.espSource = "assumed (--esp " + m.esp.spec().substring("esp:".length()) + "): the capture does not show them";
        }
        if (options.pathMtu() > 0) {
            m.pathMtu = options.pathMtu();
            m.pathMtuFrom = "given";
            m.pathMtuSource = "given (--mtu " + options.pathMtu() + "): the capture shows no smaller path MTU";
        }
        // the observed overhead
        if (s.innerVisible > 0) {
            m.overheadMin = s.overheadMin;
            m.overheadMax = s.overheadMax;
            m.exact = true;
        } else if (m.esp != null && s.espBeforeMin >= 0) {
            m.overheadMin = s.espBeforeMin + m.esp.minAdded();
            m.overheadMax = s.espBeforeMax + m.esp.maxAdded();
        }
        // the model's stack for what was seen
        String spec = spec(s, m.esp);
        if (spec != null) {
            try {
                m.stack = Stack.cached(spec); // thousands of SAs share a few stacks
                m.modelMin = m.stack.minOverhead();
                m.modelMax = m.stack.maxOverhead();
            } catch (IllegalArgumentException e) {
                m.notes.add("no model for the stack " + spec + ": " + e.getMessage());
            }
        }
        if (m.overheadMin < 0 && m.stack != null && s.kind.equals("ESP")) {
            m.overheadMin = m.modelMin;
            m.overheadMax = m.modelMax;
        }
        if (m.exact && m.stack != null && (m.overheadMin < m.modelMin || m.overheadMax > m.modelMax)) {
            m.notes.add("measured overhead " + range(m.overheadMin, m.overheadMax) + " is outside the model's "
                    + range(m.modelMin, m.modelMax) + " for " + m.stack.spec()
                    + " (header options, more padding than the least, or TFC padding)");
        }
        // path MTU evidence: ICMP about this instance's packets, then the fragments
        Set<Integer> protos = QUOTED_PROTOCOLS.getOrDefault(s.kind, Set.of());
        IcmpError smallest = null;
        for (IcmpError e : icmp) {
            if (e.mtu() >= 0 && e.at().file() == s.file && s.src.equals(e.quotedSrc()) && s.dst.equals(e.quotedDst())
                    && protos.contains(e.quotedProtocol())) {
                m.icmp.add(e);
                if (e.mtu() > 0 && (smallest == null || e.mtu() < smallest.mtu())) {
                    smallest = e;
                }
            }
        }
        for (SizeTracker.Fragments f : sizes.fragments()) {
            if (f.file == s.file && f.src.equals(s.src) && f.dst.equals(s.dst)) {
                m.fragmentFrames = f.frames;
                m.largestFragment = f.largest;
            }
        }
        int proven = -1;
        String provenSource = null;
        String provenFrom = null;
        org.vpnsleuth.track.FrameRef provenAt = null;
        if (smallest != null) {
            proven = smallest.mtu();
            provenFrom = "icmp";
            provenSource = "ICMP from " + smallest.from() + ": " + smallest.what();
            provenAt = smallest.at();
        } else if (s.fragmentedPackets > 0 && m.largestFragment > 0) {
            proven = m.largestFragment;
            provenFrom = "fragments";
            provenSource = "the largest IP fragment (the sender's MTU is at least this, below " + s.largestFragmented + ")";
            provenAt = s.firstFragmented;
        }
        if (proven > 0 && (options.pathMtu() <= 0 || proven < options.pathMtu())) {
            m.pathMtu = proven;
            m.pathMtuFrom = provenFrom;
            m.pathMtuSource = provenSource + (options.pathMtu() > 0 ? "; lower than the --mtu " + options.pathMtu() + " given" : "");
            m.pathMtuAt = provenAt;
        } else if (proven > 0) {
            m.pathMtuSource = "given (--mtu " + options.pathMtu() + "); the capture shows " + proven + " (" + provenSource + ")";
        }
        if (m.overheadMax >= 0) {
            m.innerMtu = m.pathMtu - m.overheadMax;
        }
        if (m.stack != null) {
            m.ipMtu = m.stack.maxInnerPacket(m.pathMtu);
            m.mssIpv4 = m.stack.mss(m.pathMtu, false);
            m.mssIpv6 = m.stack.mss(m.pathMtu, true);
            m.figuresFrom = "model";
        } else if (m.exact) {
            m.ipMtu = m.innerMtu;
            m.mssIpv4 = m.innerMtu - TCP_IP4;
            m.mssIpv6 = m.innerMtu - TCP_IP6;
            m.figuresFrom = "measured";
        }
        warnings(m, smallest);
        return m;
    }

    private static void warnings(Measured m, IcmpError icmp) {
        EncapSizes s = m.sizes;
        String set = m.ipMtu > 0 ? "set ip mtu ≤ " + m.ipMtu + " and adjust-mss ≤ " + m.mssIpv4
                : "give the keys (--keys) so the overhead, and with it ip mtu and adjust-mss, can be worked out";
        if (s.fragmentedPackets > 0) {
            m.warnings.add("outer packets of " + s.largestFragmented + " bytes are fragmented (" + s.fragmentedPackets
                    + " datagram(s) in " + s.fragmentFrames + " fragments, first completed in frame " + s.firstFragmented.frame()
                    + (m.largestFragment > 0 ? ", pieces of at most " + m.largestFragment + " bytes" : "")
                    + "): the path MTU is below " + s.largestFragmented + " and the tunnel's MTU is too large; " + set);
        }
        if (icmp != null) {
            m.warnings.add("ICMP says the path MTU is " + icmp.mtu() + " (frame " + icmp.at().frame() + "): " + set);
        }
        if (s.largest > m.pathMtu && s.fragmentedPackets == 0) {
            m.warnings.add("outer packets of " + s.largest + " bytes (frame " + s.largestAt.frame() + ") exceed the path MTU "
                    + m.pathMtu + (s.dfSet > 0 ? " with DF set: they are dropped beyond the bottleneck" : "") + "; " + set);
        }
        if (s.mssSyns > 0) {
            int allowed = s.mssIpv6 ? m.mssIpv6 : m.mssIpv4;
            if (allowed > 0 && s.mssMax > allowed) {
                m.warnings.add("TCP SYNs inside the tunnel announce MSS " + s.mssMax + " (frame " + s.mssMaxAt.frame()
                        + "), more than the " + allowed + " the path allows: clamp with adjust-mss ≤ " + allowed);
            }
        }
        if (s.unknownLength > 0) {
            m.notes.add(s.unknownLength + " packet(s) of unknown length (IPv4 total length 0: segmentation offload)");
        }
        if (s.kind.equals("ESP") && s.innerVisible == 0 && m.esp == null) {
            m.notes.add("ESP not decrypted and its transforms not known: overhead unknown (give --keys)");
        } else if (s.kind.equals("ESP") && !m.exact && m.esp != null && m.espAssumed) {
            m.notes.add("assumption: ESP transforms " + m.esp.describe() + " (--esp), not shown by the capture: overhead "
                    + range(m.overheadMin, m.overheadMax) + " if they are right (padding not visible)");
        } else if (s.kind.equals("ESP") && !m.exact && m.esp != null) {
            m.notes.add("overhead from the negotiated transforms: " + range(m.overheadMin, m.overheadMax)
                    + " (padding not visible)");
        }
    }

    static String range(int min, int max) {
        return min == max ? Integer.toString(min) : min + "–" + max;
    }

    /**
     * The stack in the model's syntax (overhead/Stack) for the layers seen ("ipv4/udp/esp/ipv4"),
     * ESP with its transforms; null when a layer's parameters are not known.
     */
    static String spec(EncapSizes s, Esp esp) {
        String seen = s.stack != null ? s.stack : s.outerStack;
        if (seen == null) {
            return null;
        }
        String[] parts = seen.split("/");
        int n = parts.length;
        if (s.stack != null) {
            n--; // the inner IP packet itself is not written
        } else if (!parts[n - 1].equals("esp")) {
            return null; // the inner packet was never seen: the layers inside are not known
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String p = parts[i];
            String name = p.indexOf(':') >= 0 ? p.substring(0, p.indexOf(':')) : p;
            switch (name) {
                case "esp" -> {
                    if (esp == null) {
                        return null;
                    }
                    out.add(esp.spec());
                }
                case "iketcp" -> out.add("espintcp");
                case "ipv4", "ipv6", "udp", "tcp", "gre", "pptp", "l2tp", "l2tpv3", "ppp" -> out.add(p);
                default -> {
                    return null; // AH's ICV, MPPE, ...: not written from the header alone
                }
            }
        }
        return String.join("/", out);
    }
}
