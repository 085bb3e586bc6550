package org.vpnsleuth.track;

import java.util.TreeMap;

/**
 * The sizes of one direction of one encapsulation instance (an ESP or AH SPI, a GRE key, a PPTP
 * call's enhanced GRE, an L2TP session, an IP-in-IP pair): outer IP packet lengths as a histogram,
 * the largest one, DF bits, outer packets that were IP-fragmented, the overhead of each packet
 * whose inner IP packet is visible (outer IP length − inner IP length), and the TCP MSS options
 * of inner SYNs. Bounded: fixed buckets and at most {@link #MAX_OVERHEAD_VALUES} distinct overhead
 * values, never a list of packets.
 */
public final class EncapSizes implements java.io.Serializable {
    /** Upper bounds (inclusive) of the outer-length buckets; the last catches everything above. */
    public static final int[] BUCKET_UPPER = {128, 256, 512, 1024, 1280, 1400, 1420, 1440, 1460, 1480, 1500, 9000,
        Integer.MAX_VALUE};
    public static final int MAX_OVERHEAD_VALUES = 64;

    /** "ESP", "AH", "GRE", "PPTP", "L2TP", "IP-in-IP". */
    public final String kind;
    public final int file;
    public final String src;
    public final String dst;
    /** SPI, GRE key (-1 none), PPTP call ID, L2TP session ID (v2: tunnel << 16 | session), 0 for IP-in-IP. */
    public final long id;
    /** The layers from the outer IP to the inner IP of the first packet whose inner packet was seen ("ipv4/udp/esp/ipv4"). */
    public String stack;
    /** The layers from the outer IP to the encapsulation of the first packet ("ipv4/udp/esp"). */
    public String outerStack;
    public boolean outerIpv6;
    public long packets;
    /** Packets whose outer length is unknown (an IPv4 total length of 0: segmentation offload). */
    public long unknownLength;
    public final long[] buckets = new long[BUCKET_UPPER.length];
    public int largest = -1;
    public FrameRef largestAt;
    public int smallest = -1;
    public long dfSet;
    public long dfClear;
    /** Outer datagrams reassembled from IP fragments, the fragment frames they took, the first such frame. */
    public long fragmentedPackets;
    public long fragmentFrames;
    public FrameRef firstFragmented;
    /** Largest outer datagram that arrived in fragments. */
    public int largestFragmented = -1;
    /** Packets whose inner IP packet was visible (GRE, L2TP, IP-in-IP, AH, decrypted ESP), with the exact overhead. */
    public long innerVisible;
    public int overheadMin = -1;
    public int overheadMax = -1;
    public FrameRef overheadMaxAt;
    /** Overhead values seen, sorted, and the packets of each (see {@link #overheads}). */
    private int[] overheadValues = new int[4];
    private long[] overheadCounts = new long[4];
    private int overheadCount;
    public long otherOverheads;
    public int innerLargest = -1;
    /** Bytes before the ESP header (outer IP header, UDP, RFC 8229 framing): min and max, for ESP not decrypted. */
    public int espBeforeMin = -1;
    public int espBeforeMax = -1;
    /** ESP packets opened with keys, their IV and ICV lengths (the last seen) and the padding lengths seen. */
    public long decrypted;
    public int ivLength = -1;
    public int icvLength = -1;
    public int padMin = -1;
    public int padMax = -1;
    /** TCP SYNs (and SYN-ACKs) inside the tunnel carrying an MSS option: count, smallest, largest (inner IPv6 ones apart). */
    public long mssSyns;
    public int mssMin = -1;
    public int mssMax = -1;
    public FrameRef mssMaxAt;
    public boolean mssIpv6;

    /** The order the tracker created it in (the report's order). */
    long seq;
    /** Capture time of its last packet (an instance idle for long enough may be written out). */
    long lastNanos;
    /** The hash of its key in the tracker's index (track/AddrIndex). */
    transient long keyHash;

    EncapSizes(String kind, int file, String src, String dst, long id) {
        this.kind = kind;
        this.file = file;
        this.src = src;
        this.dst = dst;
        this.id = id;
    }

    /**
     * Writes this instance in a compact form of its own (every field but the index hash), for an
     * instance written out while the capture is read: numbers as numbers, no class descriptors, no
     * object stream per instance (Java serialization of each was most of the report's read-back time).
     */
    public void writeTo(java.io.DataOutput out) throws java.io.IOException {
        out.writeByte(FORMAT);
        text(out, kind);
        out.writeInt(file);
        text(out, src);
        text(out, dst);
        out.writeLong(id);
        text(out, stack);
        text(out, outerStack);
        out.writeBoolean(outerIpv6);
        out.writeLong(packets);
        out.writeLong(unknownLength);
        out.writeByte(buckets.length);
        for (long b : buckets) {
            out.writeLong(b);
        }
        out.writeInt(largest);
        ref(out, largestAt);
        out.writeInt(smallest);
        out.writeLong(dfSet);
        out.writeLong(dfClear);
        out.writeLong(fragmentedPackets);
        out.writeLong(fragmentFrames);
        ref(out, firstFragmented);
        out.writeInt(largestFragmented);
        out.writeLong(innerVisible);
        out.writeInt(overheadMin);
        out.writeInt(overheadMax);
        ref(out, overheadMaxAt);
        out.writeInt(overheadCount);
        for (int i = 0; i < overheadCount; i++) {
            out.writeInt(overheadValues[i]);
            out.writeLong(overheadCounts[i]);
        }
        out.writeLong(otherOverheads);
        out.writeInt(innerLargest);
        out.writeInt(espBeforeMin);
        out.writeInt(espBeforeMax);
        out.writeLong(decrypted);
        out.writeInt(ivLength);
        out.writeInt(icvLength);
        out.writeInt(padMin);
        out.writeInt(padMax);
        out.writeLong(mssSyns);
        out.writeInt(mssMin);
        out.writeInt(mssMax);
        ref(out, mssMaxAt);
        out.writeBoolean(mssIpv6);
        out.writeLong(seq);
        out.writeLong(lastNanos);
    }

    /** An instance as {@link #writeTo} wrote it (its index hash is the reader's to set). */
    public static EncapSizes readFrom(java.io.DataInput in) throws java.io.IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new java.io.IOException("not an encapsulation's sizes (format " + format + ")");
        }
        EncapSizes x = new EncapSizes(text(in), in.readInt(), text(in), text(in), in.readLong());
        x.stack = text(in);
        x.outerStack = text(in);
        x.outerIpv6 = in.readBoolean();
        x.packets = in.readLong();
        x.unknownLength = in.readLong();
        int n = in.readUnsignedByte();
        if (n != x.buckets.length) {
            throw new java.io.IOException(n + " size buckets where there are " + x.buckets.length);
        }
        for (int i = 0; i < n; i++) {
            x.buckets[i] = in.readLong();
        }
        x.largest = in.readInt();
        x.largestAt = ref(in);
        x.smallest = in.readInt();
        x.dfSet = in.readLong();
        x.dfClear = in.readLong();
        x.fragmentedPackets = in.readLong();
        x.fragmentFrames = in.readLong();
        x.firstFragmented = ref(in);
        x.largestFragmented = in.readInt();
        x.innerVisible = in.readLong();
        x.overheadMin = in.readInt();
        x.overheadMax = in.readInt();
        x.overheadMaxAt = ref(in);
        int values = in.readInt();
        if (values < 0 || values > MAX_OVERHEAD_VALUES) {
            throw new java.io.IOException(values + " overhead values (at most " + MAX_OVERHEAD_VALUES + ")");
        }
        x.overheadValues = new int[Math.max(4, values)];
        x.overheadCounts = new long[Math.max(4, values)];
        for (int i = 0; i < values; i++) {
            x.overheadValues[i] = in.readInt();
            x.overheadCounts[i] = in.readLong();
        }
        x.overheadCount = values;
        x.otherOverheads = in.readLong();
        x.innerLargest = in.readInt();
        x.espBeforeMin = in.readInt();
        x.espBeforeMax = in.readInt();
        x.decrypted = in.readLong();
        x.ivLength = in.readInt();
        x.icvLength = in.readInt();
        x.padMin = in.readInt();
        x.padMax = in.readInt();
        x.mssSyns = in.readLong();
        x.mssMin = in.readInt();
        x.mssMax = in.readInt();
        x.mssMaxAt = ref(in);
        x.mssIpv6 = in.readBoolean();
        x.seq = in.readLong();
        x.lastNanos = in.readLong();
        return x;
    }

    /** The first byte of {@link #writeTo}'s form (a different one is refused, not misread). */
    private static final int FORMAT = 1;

    private static void text(java.io.DataOutput out, String s) throws java.io.IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String text(java.io.DataInput in) throws java.io.IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void ref(java.io.DataOutput out, FrameRef r) throws java.io.IOException {
        out.writeBoolean(r != null);
        if (r != null) {
            out.writeInt(r.file());
            out.writeLong(r.frame());
            out.writeLong(r.nanos());
        }
    }

    private static FrameRef ref(java.io.DataInput in) throws java.io.IOException {
        return in.readBoolean() ? new FrameRef(in.readInt(), in.readLong(), in.readLong()) : null;
    }

    /** Index of the bucket holding {@code length}. */
    public static int bucket(int length) {
        for (int i = 0; i < BUCKET_UPPER.length; i++) {
            if (length <= BUCKET_UPPER[i]) {
                return i;
            }
        }
        return BUCKET_UPPER.length - 1;
    }

    /** The bucket's range in words ("1401–1420", "≤128", ">9000"). */
    public static String bucketLabel(int i) {
        if (i == 0) {
            return "≤" + BUCKET_UPPER[0];
        }
        if (BUCKET_UPPER[i] == Integer.MAX_VALUE) {
            return ">" + BUCKET_UPPER[i - 1];
        }
        return (BUCKET_UPPER[i - 1] + 1) + "–" + BUCKET_UPPER[i];
    }

    void outer(FrameAt at, int length, Boolean df) {
        packets++;
        lastNanos = at.nanos();
        if (df != null) {
            if (df) {
                dfSet++;
            } else {
                dfClear++;
            }
        }
        if (length < 0) {
            unknownLength++;
            return;
        }
        buckets[bucket(length)]++;
        if (length > largest) {
            largest = length;
            largestAt = at.ref();
        }
        if (smallest < 0 || length < smallest) {
            smallest = length;
        }
    }

    void fragmented(FrameRef at, int frames, int length) {
        fragmentedPackets++;
        fragmentFrames += frames;
        if (firstFragmented == null) {
            firstFragmented = at;
        }
        largestFragmented = Math.max(largestFragmented, length);
    }

    void inner(FrameAt at, int overhead, int innerLength) {
        innerVisible++;
        if (overheadMin < 0 || overhead < overheadMin) {
            overheadMin = overhead;
        }
        if (overhead > overheadMax) {
            overheadMax = overhead;
            overheadMaxAt = at.ref();
        }
        innerLargest = Math.max(innerLargest, innerLength);
        // counted in small sorted arrays (no boxing per packet: this runs for every packet whose inner IP is seen)
        int i = java.util.Arrays.binarySearch(overheadValues, 0, overheadCount, overhead);
        if (i >= 0) {
            overheadCounts[i]++;
        } else if (overheadCount < MAX_OVERHEAD_VALUES) {
            i = -i - 1;
            if (overheadCount == overheadValues.length) {
                overheadValues = java.util.Arrays.copyOf(overheadValues, overheadCount * 2);
                overheadCounts = java.util.Arrays.copyOf(overheadCounts, overheadCount * 2);
            }
            System.arraycopy(overheadValues, i, overheadValues, i + 1, overheadCount - i);
            System.arraycopy(overheadCounts, i, overheadCounts, i + 1, overheadCount - i);
            overheadValues[i] = overhead;
            overheadCounts[i] = 1;
            overheadCount++;
        } else {
            otherOverheads++;
        }
    }

    /** Overhead value → packets, in increasing order of value (at most {@link #MAX_OVERHEAD_VALUES} values; the rest in {@link #otherOverheads}). */
    public java.util.SortedMap<Integer, Long> overheads() {
        java.util.SortedMap<Integer, Long> m = new TreeMap<>();
        for (int i = 0; i < overheadCount; i++) {
            m.put(overheadValues[i], overheadCounts[i]);
        }
        return m;
    }

    void espBefore(int before) {
        if (espBeforeMin < 0 || before < espBeforeMin) {
            espBeforeMin = before;
        }
        espBeforeMax = Math.max(espBeforeMax, before);
    }

    void decrypted(int iv, int pad, int icv) {
        decrypted++;
        ivLength = iv;
        icvLength = icv;
        if (padMin < 0 || pad < padMin) {
            padMin = pad;
        }
        padMax = Math.max(padMax, pad);
    }

    void mss(FrameRef at, int mss, boolean ipv6) {
        mssSyns++;
        if (mssMin < 0 || mss < mssMin) {
            mssMin = mss;
        }
        if (mss > mssMax) {
            mssMax = mss;
            mssMaxAt = at;
            mssIpv6 = ipv6;
        }
    }

    /** "ESP 0x1977eb59", "GRE key 0x0000000a", "L2TP tunnel 12 session 7", "IP-in-IP". */
    public String name() {
        return switch (kind) {
            case "ESP", "AH" -> kind + " 0x" + org.vpnsleuth.base.Bytes.hexPadded(id, 8);
            case "GRE" -> id < 0 ? "GRE" : "GRE key 0x" + org.vpnsleuth.base.Bytes.hexPadded(id, 8);
            case "PPTP" -> "PPTP call " + id;
            case "L2TP" -> id > 0xffffffffL ? "L2TPv3 session 0x" + org.vpnsleuth.base.Bytes.hexPadded(id & 0xffffffffL, 8)
                    : "L2TP tunnel " + (id >>> 16) + " session " + (id & 0xffff);
            default -> kind;
        };
    }
}
