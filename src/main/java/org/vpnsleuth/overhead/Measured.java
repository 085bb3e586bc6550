package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.track.EncapSizes;
import org.vpnsleuth.track.FrameRef;
import org.vpnsleuth.track.IcmpError;

/**
 * What a capture proves about one direction of one encapsulation instance (overhead/Measurements
 * draws it from track/EncapSizes): the overhead observed (exact where the inner packet is visible,
 * a range from the negotiated ESP transforms otherwise), the overhead the model gives for the
 * same stack, the path MTU the capture shows (ICMP, fragments) or assumes, the effective inner
 * MTU, the {@code ip mtu} and {@code adjust-mss} values for it, and warnings in plain words.
 */
public final class Measured {
    /** Path MTU assumed when the capture shows none (Ethernet). */
    public static final int ASSUMED_PATH_MTU = 1500;

    public final EncapSizes sizes;
    /** The ESP transforms (null: not ESP, or not known), and where they come from ("decrypted", "negotiated"). */
    public Esp esp;
    public String espSource;
    /** The transforms are the user's assumption (--esp), not from the capture. */
    public boolean espAssumed;
    /** The model's stack for what was seen (outer IP to inner IP), null when it cannot be written (unknown transforms). */
    public Stack stack;
    /** Observed overhead: exact ({@code exact}) from packets whose inner packet was visible, or the range the ESP length allows; -1 unknown. */
    public int overheadMin = -1;
    public int overheadMax = -1;
    public boolean exact;
    /** The model's overhead for {@link #stack}: least and most (padding); -1 without a stack. */
    public int modelMin = -1;
    public int modelMax = -1;
    /** The path MTU: from ICMP, from the fragment sizes, or assumed; how, and the frame that shows it. */
    public int pathMtu = ASSUMED_PATH_MTU;
    public String pathMtuSource = "assumed (Ethernet): the capture shows no smaller path MTU";
    /** Where {@link #pathMtu} comes from: "assumed", "given" (--mtu), "icmp" or "fragments". */
    public String pathMtuFrom = "assumed";
    public FrameRef pathMtuAt;
    /** Path MTU − the most overhead observed; -1 when the overhead is unknown. */
    public int innerMtu = -1;
    /** The largest inner IP packet that fits (ip mtu) and the TCP MSS to clamp (IPv4, IPv6); -1 unknown. */
    public int ipMtu = -1;
    public int mssIpv4 = -1;
    public int mssIpv6 = -1;
    /** "model" (Stack.maxInnerPacket / Stack.mss) or "measured" (path MTU − observed overhead). */
    public String figuresFrom;
    /** ICMP fragmentation-needed / packet-too-big messages about this instance's packets. */
    public final List<IcmpError> icmp = new ArrayList<>();
    /** Fragment frames of the sender → receiver pair and the largest fragment (SizeTracker.Fragments). */
    public long fragmentFrames;
    public int largestFragment = -1;
    public final List<String> warnings = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();

    Measured(EncapSizes sizes) {
        this.sizes = sizes;
    }

    /** "ESP 0x1977eb59 192.0.2.1 → 192.0.2.2". */
    public String title() {
        return sizes.name() + " " + sizes.src + " → " + sizes.dst;
    }
}
