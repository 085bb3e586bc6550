package org.vpnsleuth.live;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.vpnsleuth.capture.Frame;

/**
 * A libpcap capture handle through pcap4j: the only class that touches pcap4j (and so JNA and
 * libpcap), loaded only by {@code vpnsleuth live}. File analysis never loads it, so it works
 * without libpcap installed. Every failure becomes a {@link LiveException} with a message that
 * says what to do.
 */
public final class PcapSource implements Closeable {
    /** The Debian package that provides libpcap.so.0.8. */
    public static final String DEBIAN_PACKAGE = "libpcap0.8";

    /** Capture settings (docs/live.md). */
    public record Options(String iface, String filter, int snaplen, boolean promiscuous, int bufferBytes, boolean immediate,
            int timeoutMillis) {
    }

    /** An interface as libpcap lists it. */
    public record Iface(String name, String description, List<String> addresses, boolean up, boolean loopback) {
        @Override
        public String toString() {
            return name + (up ? "" : " (down)") + (loopback ? " (loopback)" : "")
                    + (addresses.isEmpty() ? "" : " " + String.join(", ", addresses))
                    + (description != null ? " — " + description : "");
        }
    }

    /** Something the user must fix, said in words. */
    public static final class LiveException extends Exception {
        private static final long serialVersionUID = 1L;
        /** The interfaces, when the named one does not exist. */
        public final List<Iface> interfaces;
        /** A usage error (bad filter, unknown interface) rather than a system one. */
        public final boolean usage;

        LiveException(String message, List<Iface> interfaces, boolean usage) {
            super(message);
            this.interfaces = interfaces;
            this.usage = usage;
        }
    }

    private final PcapHandle handle;
    private final int linkType;
    private final String iface;

    private PcapSource(PcapHandle handle, String iface) {
        this.handle = handle;
        this.iface = iface;
        this.linkType = handle.getDlt().value();
        direct();
    }

    /** The interfaces libpcap can capture on. */
    public static List<Iface> interfaces() throws LiveException {
        try {
            List<Iface> l = new ArrayList<>();
            for (PcapNetworkInterface n : Pcaps.findAllDevs()) {
                List<String> addrs = new ArrayList<>();
                for (PcapAddress a : n.getAddresses()) {
                    if (a.getAddress() != null) {
                        addrs.add(a.getAddress().getHostAddress());
                    }
                }
                l.add(new Iface(n.getName(), n.getDescription(), addrs, n.isUp(), n.isLoopBack()));
            }
            return l;
        } catch (PcapNativeException e) {
            throw explain(e.getMessage(), null);
        } catch (LinkageError e) {
            throw missingLibpcap(e);
        }
    }

    /** Opens {@code o.iface()} with the filter set; throws with the reason and the remedy. */
    public static PcapSource open(Options o) throws LiveException {
        List<Iface> all = interfaces();
        if (all.stream().noneMatch(i -> i.name().equals(o.iface()))) {
            throw new LiveException("no interface named '" + o.iface() + "'", all, true);
        }
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(o.iface()).snaplen(o.snaplen())
                    .promiscuousMode(o.promiscuous() ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(o.timeoutMillis()).bufferSize(o.bufferBytes()).immediateMode(o.immediate())
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO).build();
        } catch (PcapNativeException e) {
            throw explain(e.getMessage(), o.iface());
        } catch (LinkageError e) {
            throw missingLibpcap(e);
        }
        try {
            h.setFilter(o.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | org.pcap4j.core.NotOpenException | RuntimeException e) {
            h.close();
            throw new LiveException("bad capture filter '" + o.filter() + "': " + e.getMessage(), null, true);
        }
        return new PcapSource(h, o.iface());
    }

    static LiveException explain(String message, String iface) {
        String m = message == null ? "" : message;
        String low = m.toLowerCase(java.util.Locale.ROOT);
        if (low.contains("permission") || low.contains("not permitted")) {
            return new LiveException("no permission to capture" + (iface != null ? " on " + iface : "") + " (" + m
                    + "): run as root, or give java the capability: setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which java))"
                    + " (CAP_NET_RAW)", null, false);
        }
        if (low.contains("no such device")) {
            return new LiveException("no interface named '" + iface + "' (" + m + ")", null, true);
        }
        return new LiveException("libpcap: " + m, null, false);
    }

    static LiveException missingLibpcap(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return new LiveException("libpcap is not installed or cannot be loaded: install it with 'apt-get install " + DEBIAN_PACKAGE
                + "' (Debian/Ubuntu; the libpcap package elsewhere) [" + (nl > 0 ? m.substring(0, nl) : m).trim() + "]", null, false);
    }

    /**
     * libpcap's pcap_next_ex, mapped here directly (JNA direct mapping) instead of through pcap4j,
     * whose getNextRawPacket builds a header Structure, a byte[] and a Timestamp per packet: the
     * capture thread reads the header and copies the bytes into a buffer it owns, nothing allocated.
     */
    static final class Native {
        static native int pcap_next_ex(com.sun.jna.Pointer p, com.sun.jna.Pointer header, com.sun.jna.Pointer data);

        static native int pcap_get_tstamp_precision(com.sun.jna.Pointer p);

        static {
            com.sun.jna.Native.register(Native.class, com.sun.jna.NativeLibrary.getInstance(
                    System.getProperty("org.pcap4j.core.NativeMappings.pcapLibName", com.sun.jna.Platform.isWindows() ? "wpcap" : "pcap")));
        }
    }

    /** pcap_t, for the direct calls; null when pcap4j's object could not be opened up (then pcap4j's own calls are used). */
    private com.sun.jna.Pointer pcap;
    /** pcap_next_ex's two out-parameters: the header pointer at 0, the data pointer at POINTER_SIZE. */
    private com.sun.jna.Memory out;
    private com.sun.jna.Pointer outData;
    /** Moved to each packet's header and data (no Pointer per packet). */
    private final com.sun.jna.Pointer hdrAt = new com.sun.jna.Pointer(0);
    private final com.sun.jna.Pointer dataAt = new com.sun.jna.Pointer(0);
    private final byte[] hdr = new byte[32];
    private final java.nio.ByteBuffer hdrView = java.nio.ByteBuffer.wrap(hdr).order(java.nio.ByteOrder.nativeOrder());
    private boolean nanoPrecision;
    /** The frame pcap4j returned (fallback path). */
    private byte[] fallback;

    /** The current frame (after {@link #poll} returned true). */
    private int capLen;
    private int origLen;
    private long tsNanos;

    private void direct() {
        if (Boolean.getBoolean("vpnsleuth.live.pcap4j")) {
            return; // -Dvpnsleuth.live.pcap4j=true: pcap4j's path, to compare (bench/live-drop-bench.sh)
        }
        try {
            java.lang.reflect.Field f = PcapHandle.class.getDeclaredField("handle");
            f.setAccessible(true);
            com.sun.jna.Pointer p = (com.sun.jna.Pointer) f.get(handle);
            int prec = Native.pcap_get_tstamp_precision(p);
            out = new com.sun.jna.Memory(2L * com.sun.jna.Native.POINTER_SIZE);
            outData = out.share(com.sun.jna.Native.POINTER_SIZE);
            nanoPrecision = prec == 1; // PCAP_TSTAMP_PRECISION_NANO
            pcap = p;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            pcap = null; // pcap4j's getNextRawPacket, slower
        }
    }

    /** True when frames are read with pcap_next_ex directly (false: through pcap4j, a byte[] per packet). */
    public boolean directRead() {
        return pcap != null;
    }

    /**
     * Waits for the next frame (until the read timeout, or a {@link #wake}): true when one came;
     * its lengths and time are then {@link #capturedLength()}, {@link #originalLength()},
     * {@link #timestampNanos()}, its bytes are copied with {@link #copyTo}. Nothing is allocated.
     */
    public boolean poll() throws LiveException {
        if (pcap == null) {
            return pollPcap4j();
        }
        int rc = Native.pcap_next_ex(pcap, out, outData);
        if (rc == 1) {
            int ls = com.sun.jna.Native.LONG_SIZE;
            com.sun.jna.Pointer.nativeValue(hdrAt, com.sun.jna.Native.POINTER_SIZE == 8 ? out.getLong(0) : out.getInt(0) & 0xffffffffL);
            com.sun.jna.Pointer.nativeValue(dataAt, com.sun.jna.Native.POINTER_SIZE == 8 ? out.getLong(com.sun.jna.Native.POINTER_SIZE)
                    : out.getInt(com.sun.jna.Native.POINTER_SIZE) & 0xffffffffL);
            // struct pcap_pkthdr { struct timeval ts (two C longs); bpf_u_int32 caplen; bpf_u_int32 len; }
            hdrAt.read(0, hdr, 0, 2 * ls + 8);
            java.nio.ByteBuffer b = hdrView;
            long sec = ls == 8 ? b.getLong(0) : b.getInt(0);
            long frac = ls == 8 ? b.getLong(8) : b.getInt(4);
            capLen = b.getInt(2 * ls);
            origLen = Math.max(b.getInt(2 * ls + 4), capLen);
            tsNanos = sec * 1_000_000_000L + (nanoPrecision ? frac : frac * 1000L);
            return true;
        }
        if (rc == 0 || rc == -2) { // read timeout; pcap_breakloop (PCAP_ERROR_BREAK)
            return false;
        }
        throw new LiveException("libpcap: reading packets failed (pcap_next_ex " + rc + ")", null, false);
    }

    private boolean pollPcap4j() throws LiveException {
        byte[] b;
        try {
            b = handle.getNextRawPacket();
        } catch (org.pcap4j.core.NotOpenException e) {
            throw new LiveException("the capture handle was closed", null, false);
        }
        if (b == null) {
            return false;
        }
        java.sql.Timestamp ts = handle.getTimestamp();
        Integer orig = handle.getOriginalLength();
        fallback = b;
        capLen = b.length;
        origLen = orig != null ? Math.max(orig, b.length) : b.length;
        tsNanos = ts != null ? Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos() : System.currentTimeMillis() * 1_000_000L;
        return true;
    }

    public int capturedLength() {
        return capLen;
    }

    public int originalLength() {
        return origLen;
    }

    public long timestampNanos() {
        return tsNanos;
    }

    /** Copies the bytes of the frame {@link #poll} got to {@code to[at, at + capturedLength())}. */
    public void copyTo(byte[] to, int at) {
        if (pcap != null) {
            dataAt.read(0, to, at, capLen);
        } else {
            System.arraycopy(fallback, 0, to, at, capLen);
        }
    }

    /**
     * Waits up to the read timeout for the next frame and fills {@code f} with it (a fresh array
     * each time); false when none came in time.
     */
    public boolean next(Frame f) throws LiveException {
        if (!poll()) {
            return false;
        }
        byte[] b = new byte[capLen];
        copyTo(b, 0);
        f.data = b;
        f.offset = 0;
        f.capturedLength = capLen;
        f.originalLength = origLen;
        f.timestampNanos = tsNanos;
        f.linkType = linkType;
        f.interfaceId = 0;
        f.comment = null;
        return true;
    }

    /**
     * Makes a {@link #poll} blocked in libpcap return (pcap_breakloop, which libpcap 1.10 makes wake
     * a waiting poll): with immediate mode on Linux the read timeout does not apply, so a quiet
     * interface would block the capture thread forever. Safe from another thread; a no-op once closed.
     */
    public void wake() {
        try {
            handle.breakLoop();
        } catch (org.pcap4j.core.NotOpenException | RuntimeException e) {
            // closed already: nothing to wake
        }
    }

    /** libpcap's counters: received, dropped by libpcap (buffer full), dropped by the interface; null when unavailable. */
    public long[] stats() {
        try {
            PcapStat s = handle.getStats();
            return new long[] {s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf()};
        } catch (PcapNativeException | org.pcap4j.core.NotOpenException | RuntimeException e) {
            return null;
        }
    }

    public int linkType() {
        return linkType;
    }

    public String iface() {
        return iface;
    }

    public static String libVersion() {
        try {
            return Pcaps.libVersion();
        } catch (LinkageError e) {
            return "libpcap (unknown version)";
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
