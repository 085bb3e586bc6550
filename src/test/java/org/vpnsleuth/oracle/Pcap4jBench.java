package org.vpnsleuth.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.factory.PacketFactory;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;

/**
 * Decoding speed of vpnsleuth's decoder and of pcap4j's static packet factory on the same frames
 * (docs/performance.md, "pcap4j"): the capture is read into memory once, then each decoder runs
 * over all its frames, pass after pass, single-threaded; frames/s per pass. Not a test: run by
 * bench/pcap4j-bench.sh.
 *
 * <pre>java -cp CLASSPATH org.vpnsleuth.oracle.Pcap4jBench FILE [PASSES]</pre>
 */
public final class Pcap4jBench {
    private Pcap4jBench() {
    }

    public static void main(String[] args) throws Exception {
        String file = args[0];
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<byte[]> data = new ArrayList<>();
        List<long[]> meta = new ArrayList<>(); // timestamp, original length, link type
        long bytes = 0;
        try (CaptureReader r = Captures.open(file)) {
            Frame f = new Frame();
            while (r.next(f)) {
                data.add(java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength));
                meta.add(new long[] {f.timestampNanos, f.originalLength, f.linkType});
                bytes += f.capturedLength;
            }
        }
        int n = data.size();
        System.out.printf(Locale.ROOT, "%s: %,d frames, %,d bytes in memory%n", file, n, bytes);
        PacketFactory<Packet, DataLinkType> pcap4j = PacketFactories.getFactory(Packet.class, DataLinkType.class);
        for (int pass = 1; pass <= passes; pass++) {
            // vpnsleuth: a new decoder per pass (reassembly and IKE state start empty), as a file read does
            Decoder d = new Decoder();
            org.vpnsleuth.decode.Packet p = new org.vpnsleuth.decode.Packet();
            Frame f = new Frame();
            long layers = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                byte[] b = data.get(i);
                long[] m = meta.get(i);
                f.data = b;
                f.offset = 0;
                f.capturedLength = b.length;
                f.originalLength = (int) m[1];
                f.timestampNanos = m[0];
                f.linkType = (int) m[2];
                f.number = i + 1;
                d.decode(f, p);
                layers += p.count();
            }
            long t1 = System.nanoTime();
            report("vpnsleuth", pass, n, bytes, t1 - t0, layers);
            long headers = 0;
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                byte[] b = data.get(i);
                Packet q = pcap4j.newInstance(b, 0, b.length, DataLinkType.getInstance((int) meta.get(i)[2]));
                for (; q != null; q = q.getPayload()) {
                    headers++;
                }
            }
            t1 = System.nanoTime();
            report("pcap4j   ", pass, n, bytes, t1 - t0, headers);
        }
    }

    private static void report(String who, int pass, int frames, long bytes, long nanos, long layers) {
        double s = nanos / 1e9;
        System.out.printf(Locale.ROOT, "%s pass %d: %,d frames in %.3f s = %.2f M frames/s, %.0f MB/s (%.2f layers per frame)%n",
                who, pass, frames, s, frames / s / 1e6, bytes / s / 1e6, layers / (double) frames);
    }
}
