package org.vpnsleuth.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;

/**
 * Issue 12: no allocation per frame on the ESP bulk path. The ESP-in-UDP packets of a real
 * strongSwan capture, once their flows exist, are decoded and tracked again and again (later
 * capture times, as a long capture brings them): the heap the thread allocates must not grow
 * with the number of packets. Counted with the JVM's per-thread allocation counter, not timed.
 */
class EspBulkAllocationTest {
    @Test
    void knownEspFlowsAllocateNothingPerPacket() throws Exception {
        Path file = Path.of("captures/ikev2-esp-sizes.pcapng");
        Assumptions.assumeTrue(Files.exists(file), "capture not present");
        var mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "this JVM does not count allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
        Decoder d = new Decoder();
        Packet p = new Packet();
        Tracker t = new Tracker();
        List<Frame> esp = new ArrayList<>();
        long last = 0;
        try (CaptureReader r = Captures.open(file.toString())) {
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                t.add(p, 0);
                last = Math.max(last, f.timestampNanos);
                if (p.find(Proto.ESP) != null && p.find(Proto.UDP) != null) {
                    esp.add(f.copy());
                }
            }
        }
        assertThat(esp).as("ESP-in-UDP frames in the capture").hasSizeGreaterThan(20);
        long flows = t.flows().size();
        long number = 1_000_000;
        long nanos = last;
        int rounds = 0;
        long before = 0;
        int measured = 0;
        for (int pass = 0; pass < 2; pass++) { // the first pass warms up; the second is counted
            before = threads.getCurrentThreadAllocatedBytes();
            measured = 0;
            for (int round = 0; round < 20_000; round++) {
                for (int i = 0; i < esp.size(); i++) { // by index: an iterator would be this loop's own allocation
                    Frame f = esp.get(i);
                    f.number = number++;
                    f.timestampNanos = nanos += 1_000_000; // a millisecond apart
                    d.decode(f, p);
                    t.add(p, 0);
                    measured++;
                }
                rounds++;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(t.flows()).as("no new flow: the packets belong to the flows already seen").hasSize((int) flows);
        assertThat(allocated).as("bytes allocated for %,d ESP packets of known flows (%d rounds)", measured, rounds)
                .isLessThan(measured / 8L); // nothing per packet (a few bytes, once, for the counter)
    }
}
