package org.vpnsleuth.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vpnsleuth.base.Bytes;

/**
 * IPv4 and IPv6 fragment reassembly with bounded memory and time. Datagrams are keyed by
 * (version, source, destination, identification, protocol). Limits: {@link #maxPending} datagrams
 * in progress, {@link #maxBytes} bytes buffered in all, {@link #timeoutNanos} of capture time
 * between the first fragment and completion. Overlaps keep the bytes that arrived first (what
 * Linux does since 2018 for IPv6, and the safe choice); an overlap whose bytes differ is reported,
 * because it is either an attack or a broken middlebox. Datagrams that never complete are kept,
 * with the frames that carried their fragments, in {@link #incomplete()} (bounded too).
 */
public final class IpReassembly {
    /**
     * Largest reassembled datagram: an IPv4 header plus payload, or an IPv6 fragmentable part, of
     * 65535 bytes (RFC 791, RFC 8200 §4.5). Fragments reaching beyond it ("ping of death") can be
     * sent (offset 8191*8 + a full fragment) but never make a valid datagram; they are dropped
     * and reported, as Linux and tshark do.
     */
    static final int MAX_DATAGRAM = 65535;
    /** Buffer a new reassembly starts with. */
    private static final int INITIAL_BUFFER = 2048;

    final int maxPending;
    final long maxBytes;
    final long timeoutNanos;
    private static final int MAX_INCOMPLETE_KEPT = 1000;
    private static final int MAX_FRAGMENTS = 512;

    private final LinkedHashMap<Key, Pending> pending = new LinkedHashMap<>();
    private long bytes;
    private final List<Incomplete> incomplete = new ArrayList<>();
    private long incompleteDropped;
    private long completed;

    public IpReassembly() {
        this(4096, 64L << 20, 60_000_000_000L);
    }

    public IpReassembly(int maxPending, long maxBytes, long timeoutNanos) {
        this.maxPending = maxPending;
        this.maxBytes = maxBytes;
        this.timeoutNanos = timeoutNanos;
    }

    /** A datagram made whole from its fragments. */
    public static final class Datagram {
        public final byte[] data;
        public final int length;
        public final long[] frames;
        /** Non-null when fragments overlapped. */
        public final String problem;

        Datagram(byte[] data, int length, long[] frames, String problem) {
            this.data = data;
            this.length = length;
            this.frames = frames;
            this.problem = problem;
        }

        public String describe() {
            StringBuilder sb = new StringBuilder("IP datagram of ").append(length).append(" bytes reassembled from ")
                    .append(frames.length).append(" fragments in frames ");
            for (int i = 0; i < frames.length; i++) {
                sb.append(i == 0 ? "" : ",").append(frames[i]);
            }
            if (problem != null) {
                sb.append("; ").append(problem);
            }
            return sb.toString();
        }

        void fields(FieldSink out) {
            out.begin("reassembled");
            out.number("length", length);
            out.beginList("frames");
            for (long f : frames) {
                out.number(null, f);
            }
            out.endList();
            if (problem != null) {
                out.text("problem", problem);
            }
            out.end();
        }
    }

    /** A datagram whose fragments never all arrived. */
    public record Incomplete(String description, long[] frames, int bytesReceived, int totalLength, String reason,
            String src, String dst, int protocol, long firstNanos) {
        @Override
        public String toString() {
            return description + ": " + reason + " (" + bytesReceived + " of "
                    + (totalLength < 0 ? "?" : Integer.toString(totalLength)) + " bytes, frames "
                    + org.vpnsleuth.base.Capped.frames(frames) + ")";
        }
    }

    private static final class Key {
        final byte[] k;
        final int hash;

        Key(byte[] k) {
            this.k = k;
            this.hash = Arrays.hashCode(k);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(k, other.k);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Pending {
        /** The datagram's key bytes (addresses, id, protocol); its description is made from them when reported. */
        final byte[] key;
        byte[] data = new byte[INITIAL_BUFFER];
        /** Sorted, disjoint received ranges [start, end). */
        int[] starts = new int[8];
        int[] ends = new int[8];
        int ranges;
        int total = -1;
        long[] frames = new long[4];
        int frameCount;
        final long firstNanos;
        String problem;

        Pending(byte[] key, long firstNanos) {
            this.key = key;
            this.firstNanos = firstNanos;
        }

        /** "IPv4 a > b id 0x... proto N", built only when the datagram is reported. */
        String description() {
            boolean v6 = key.length == 37;
            long id = v6 ? Bytes.u32(key, 32) : Bytes.u16(key, 8);
            int protocol = key[v6 ? 36 : 10] & 0xff;
            return (v6 ? "IPv6 " + Bytes.ipv6(key, 0) + " > " + Bytes.ipv6(key, 16)
                    : "IPv4 " + Bytes.ipv4(key, 0) + " > " + Bytes.ipv4(key, 4))
                    + " id " + Bytes.hex32(id) + " proto " + protocol;
        }

        int received() {
            int n = 0;
            for (int i = 0; i < ranges; i++) {
                n += ends[i] - starts[i];
            }
            return n;
        }

        boolean complete() {
            return total >= 0 && ranges == 1 && starts[0] == 0 && ends[0] == total;
        }
    }

    /**
     * Adds one fragment. {@code buf[off, off+len)} is its payload (after the IP header and, for IPv6,
     * the fragment header). Returns the whole datagram's payload when this fragment completes it.
     */
    public Datagram add(boolean v6, Layer ip, long id, int protocol, int fragOffset, boolean more, byte[] buf, int off,
            int len, boolean truncated, long frame, long nanos) {
        expire(nanos);
        byte[] k = new byte[v6 ? 37 : 13];
        if (v6) {
            System.arraycopy(ip.buf, ip.offset + 8, k, 0, 32);
            k[32] = (byte) (id >>> 24);
            k[33] = (byte) (id >>> 16);
            k[34] = (byte) (id >>> 8);
            k[35] = (byte) id;
            k[36] = (byte) protocol;
        } else {
            System.arraycopy(ip.buf, ip.offset + 12, k, 0, 8);
            k[8] = (byte) (id >>> 8);
            k[9] = (byte) id;
            k[10] = (byte) protocol;
            k[11] = 4;
        }
        Key key = new Key(k);
        Pending pd = pending.get(key);
        if (pd == null) {
            if (pending.size() >= maxPending) {
                evictOldest("too many datagrams being reassembled at once (limit " + maxPending + ")", null);
            }
            if (bytes + INITIAL_BUFFER > maxBytes) {
                evictUntil(INITIAL_BUFFER, null);
            }
            pd = new Pending(k, nanos);
            pending.put(key, pd);
            bytes += pd.data.length;
        }
        if (pd.frameCount == pd.frames.length) {
            pd.frames = Arrays.copyOf(pd.frames, pd.frames.length * 2);
        }
        pd.frames[pd.frameCount++] = frame;
        if (pd.frameCount > MAX_FRAGMENTS) {
            drop(key, pd, "more than " + MAX_FRAGMENTS + " fragments");
            return null;
        }
        if (truncated) {
            pd.problem = "a fragment was cut by the snaplen";
            // The datagram can never be whole; keep collecting the frame numbers for the report.
            return null;
        }
        int endByte = fragOffset + len;
        // IPv4 counts its header in the 65535; IPv6 limits the fragmentable part (RFC 8200 §4.5)
        int limit = v6 ? MAX_DATAGRAM : MAX_DATAGRAM - Math.max(20, ip.headerLength);
        if (endByte > limit) {
            drop(key, pd, "fragment ends at byte " + endByte + ", beyond the largest possible datagram (" + limit
                    + " bytes of payload)");
            return null;
        }
        if (!more) {
            if (pd.total >= 0 && pd.total != endByte) {
                pd.problem = "two last fragments disagree on the length (" + pd.total + " and " + endByte + ")";
            } else {
                pd.total = endByte;
            }
        } else if ((len & 7) != 0 && len > 0) {
            pd.problem = "a non-final fragment of " + len + " bytes (not a multiple of 8)";
        }
        if (endByte > pd.data.length) {
            int size = Math.max(endByte, Math.min(MAX_DATAGRAM, pd.data.length * 2));
            long grow = size - pd.data.length;
            if (bytes + grow > maxBytes) {
                // make room by ending older reassemblies, never the one being added to
                evictUntil(grow, key);
                if (bytes + grow > maxBytes) {
                    drop(key, pd, "reassembly memory limit (" + maxBytes + " bytes) reached");
                    return null;
                }
            }
            pd.data = Arrays.copyOf(pd.data, size);
            bytes += grow;
        }
        insert(pd, fragOffset, endByte, buf, off);
        if (pd.complete()) {
            pending.remove(key);
            bytes -= pd.data.length;
            completed++;
            return new Datagram(pd.data, pd.total, Arrays.copyOf(pd.frames, pd.frameCount), pd.problem);
        }
        if (pd.total >= 0 && pd.ranges > 0 && pd.ends[pd.ranges - 1] > pd.total) {
            pd.problem = "fragments extend beyond the last fragment's end (" + pd.total + ")";
        }
        return null;
    }

    /** Copies the new bytes that no earlier fragment supplied; reports overlaps that disagree. */
    private static void insert(Pending pd, int start, int end, byte[] buf, int off) {
        if (start >= end) {
            return;
        }
        int s = start;
        for (int i = 0; i < pd.ranges && s < end; i++) {
            int rs = pd.starts[i];
            int re = pd.ends[i];
            if (re <= s) {
                continue;
            }
            if (rs >= end) {
                break;
            }
            // bytes [s, rs) are new
            if (rs > s) {
                System.arraycopy(buf, off + (s - start), pd.data, s, rs - s);
            }
            int os = Math.max(s, rs);
            int oe = Math.min(end, re);
            if (oe > os && !Arrays.equals(buf, off + (os - start), off + (oe - start), pd.data, os, oe)) {
                pd.problem = "overlapping fragments with different content at bytes " + os + "-" + oe
                        + " (the first arrival was kept)";
            }
            s = Math.max(s, re);
        }
        if (s < end) {
            System.arraycopy(buf, off + (s - start), pd.data, s, end - s);
        }
        addRange(pd, start, end);
    }

    private static void addRange(Pending pd, int start, int end) {
        int[] ns = new int[pd.ranges + 1];
        int[] ne = new int[pd.ranges + 1];
        int n = 0;
        boolean placed = false;
        for (int i = 0; i <= pd.ranges; i++) {
            int s;
            int e;
            if (i == pd.ranges) {
                if (placed) {
                    break;
                }
                s = start;
                e = end;
                placed = true;
            } else if (!placed && start < pd.starts[i]) {
                s = start;
                e = end;
                placed = true;
                i--;
            } else {
                s = pd.starts[i];
                e = pd.ends[i];
            }
            if (n > 0 && s <= ne[n - 1]) {
                ne[n - 1] = Math.max(ne[n - 1], e);
            } else {
                ns[n] = s;
                ne[n] = e;
                n++;
            }
        }
        pd.starts = ns;
        pd.ends = ne;
        pd.ranges = n;
    }

    /** Ends reassemblies older than the timeout, as of capture time {@code nanos}. */
    public void expire(long nanos) {
        Iterator<Map.Entry<Key, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Pending> e = it.next();
            Pending pd = e.getValue();
            if (nanos - pd.firstNanos <= timeoutNanos) {
                break; // insertion order is arrival order of first fragments
            }
            it.remove();
            bytes -= pd.data.length;
            keep(pd, "fragments missing after " + (timeoutNanos / 1_000_000_000L) + " s");
        }
    }

    /** Ends every reassembly in progress (end of capture): all go to {@link #incomplete()}. */
    public void finish() {
        for (Pending pd : pending.values()) {
            keep(pd, "fragments missing at the end of the capture");
        }
        pending.clear();
        bytes = 0;
    }

    /** Ends the oldest reassembly other than {@code except}; false when there is none. */
    private boolean evictOldest(String reason, Key except) {
        Iterator<Map.Entry<Key, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Pending> e = it.next();
            if (e.getKey().equals(except)) {
                continue;
            }
            Pending pd = e.getValue();
            it.remove();
            bytes -= pd.data.length;
            keep(pd, reason);
            return true;
        }
        return false;
    }

    private void evictUntil(long need, Key except) {
        while (bytes + need > maxBytes) {
            if (!evictOldest("reassembly memory limit (" + maxBytes + " bytes) reached", except)) {
                break;
            }
        }
    }

    private void drop(Key key, Pending pd, String reason) {
        pending.remove(key);
        bytes -= pd.data.length;
        keep(pd, reason);
    }

    private void keep(Pending pd, String reason) {
        if (incomplete.size() >= MAX_INCOMPLETE_KEPT) {
            incompleteDropped++;
            return;
        }
        String why = pd.problem != null ? reason + "; " + pd.problem : reason;
        boolean v6 = pd.key.length == 37;
        incomplete.add(new Incomplete(pd.description(), Arrays.copyOf(pd.frames, pd.frameCount), pd.received(), pd.total, why,
                v6 ? Bytes.ipv6(pd.key, 0) : Bytes.ipv4(pd.key, 0), v6 ? Bytes.ipv6(pd.key, 16) : Bytes.ipv4(pd.key, 4),
                pd.key[v6 ? 36 : 10] & 0xff, pd.firstNanos));
    }

    /** Datagrams that did not complete (after {@link #finish()}, all of them). */
    public List<Incomplete> incomplete() {
        return incomplete;
    }

    public long incompleteNotKept() {
        return incompleteDropped;
    }

    public int pendingCount() {
        return pending.size();
    }

    public long bufferedBytes() {
        return bytes;
    }

    public long completedCount() {
        return completed;
    }
}
