package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.List;

/**
 * What `vpnsleuth overhead --stack/--preset` prints: the stack's figures for one path MTU
 * (docs/overhead.md, "JSON").
 *
 * @param stack the stack
 * @param preset the preset it came from, or null
 * @param pathMtu the MTU the outer packets must fit (the Ethernet MTU under eth, the IP MTU otherwise)
 * @param overheadMin the least overhead over all inner packet lengths
 * @param overheadMax the most (the padding's worst case)
 * @param maxInnerPacket the largest inner IP packet that fits: the tunnel's {@code ip mtu}; -1 when none does
 * @param overheadAtMax the overhead of that largest packet
 * @param mssIpv4 TCP MSS to clamp for IPv4 inside (maxInnerPacket − 40)
 * @param mssIpv6 TCP MSS to clamp for IPv6 inside (maxInnerPacket − 60)
 * @param efficiency inner / outer bytes at the largest packet (0..1)
 * @param rows the table by inner packet size
 * @param folklore the folklore numbers of the preset, each against the computed value
 */
public record Calculation(Stack stack, Presets.Preset preset, int pathMtu, int overheadMin, int overheadMax,
        int maxInnerPacket, int overheadAtMax, int mssIpv4, int mssIpv6, double efficiency, List<Row> rows,
        List<FolkloreCheck> folklore) {

    /** One inner packet size: outer length (MTU level), overhead, efficiency, frame length (with framing layers). */
    public record Row(int inner, int outer, int overhead, double efficiency, int frame, boolean fits) {
    }

    /**
     * A folklore pair against the computed values: {@code margin} = maxInnerPacket − folklore ip mtu
     * (negative: the folklore value is too large and its full-size packets do not fit), and the outer
     * length a full-size packet at the folklore MTU has.
     */
    public record FolkloreCheck(Presets.Folklore folklore, int margin, int mssMargin, int outerAtFolklore) {
        public boolean fits() {
            return margin >= 0;
        }
    }

    /** The inner sizes of the default table: common packet sizes up to the largest that fits, and that largest one. */
    public static final List<Integer> DEFAULT_SIZES = List.of(40, 64, 128, 256, 512, 576, 1024, 1280, 1360, 1400);

    /** The figures of {@code stack} for {@code pathMtu}, with a table at {@code sizes} (the largest packet added). */
    public static Calculation of(Stack stack, Presets.Preset preset, int pathMtu, List<Integer> sizes) {
        int max = stack.maxInnerPacket(pathMtu);
        List<Row> rows = new ArrayList<>();
        List<Integer> all = new ArrayList<>(sizes);
        if (max > 0 && !all.contains(max)) {
            all.add(max);
        }
        all.sort(null);
        for (int n : all) {
            if (n <= 0 || (max >= 0 && n > max)) {
                continue;
            }
            rows.add(row(stack, n, pathMtu));
        }
        List<FolkloreCheck> folk = new ArrayList<>();
        if (preset != null) {
            for (Presets.Folklore f : preset.folklore()) {
                folk.add(new FolkloreCheck(f, max - f.ipMtu(), stack.mss(pathMtu, false) - f.mss(), stack.outerLength(f.ipMtu())));
            }
        }
        int atMax = max < 0 ? -1 : stack.overhead(max);
        double eff = max <= 0 ? 0 : (double) max / stack.outerLength(max);
        return new Calculation(stack, preset, pathMtu, stack.minOverhead(), stack.maxOverhead(), max, atMax,
                stack.mss(pathMtu, false), stack.mss(pathMtu, true), eff, List.copyOf(rows), List.copyOf(folk));
    }

    /** The row for inner size n. */
    public static Row row(Stack stack, int n, int pathMtu) {
        int outer = stack.outerLength(n);
        return new Row(n, outer, outer - n, (double) n / outer, stack.frameLength(n), outer <= pathMtu);
    }
}
