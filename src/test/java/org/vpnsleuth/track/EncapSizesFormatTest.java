package org.vpnsleuth.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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

/**
 * The compact form an encapsulation's sizes are written out in (EncapSizes.writeTo/readFrom)
 * gives back every field: every instance of every shipped capture is written and read, and the
 * copy is compared field by field through reflection (so a field added later and forgotten in the
 * form fails here), with the overhead values compared as the report reads them.
 */
class EncapSizesFormatTest {
    @Test
    void everyInstanceOfEveryShippedCaptureReadsBackTheSame() throws Exception {
        Path dir = Path.of("captures");
        Assumptions.assumeTrue(Files.isDirectory(dir), "captures/ not present");
        List<Path> caps = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().forEach(caps::add);
        }
        int instances = 0;
        int withFragments = 0;
        int withOverheads = 0;
        for (Path cap : caps) {
            Tracker t = new Tracker();
            try (CaptureReader r = Captures.open(cap.toString())) {
                Decoder d = new Decoder();
                Packet p = new Packet();
                Frame f = new Frame();
                while (r.next(f)) {
                    d.decode(f, p);
                    t.add(p, 0);
                }
            }
            for (EncapSizes x : t.sizes().instances()) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(b)) {
                    x.writeTo(out);
                }
                EncapSizes y;
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b.toByteArray()))) {
                    y = EncapSizes.readFrom(in);
                    assertThat(in.read()).as("%s %s: nothing after the form", cap.getFileName(), x.name()).isEqualTo(-1);
                }
                sameFields(cap.getFileName() + " " + x.name(), x, y);
                instances++;
                withFragments += x.firstFragmented != null ? 1 : 0;
                withOverheads += x.overheads().isEmpty() ? 0 : 1;
            }
        }
        assertThat(instances).isGreaterThan(100);
        // the optional parts of the form met in the captures (ikev2-esp-pmtu's fragments); MSS below
        assertThat(withFragments).isPositive();
        assertThat(withOverheads).isPositive();
    }

    @Test
    void everyPartSetReadsBackTheSame() throws Exception {
        EncapSizes x = new EncapSizes("L2TP", 1, "2001:db8::1", "198.51.100.7", (1L << 32) | 0xabcdef01L);
        x.stack = "IPv6/UDP/L2TP/PPP/IPv4";
        x.outerStack = "IPv6/UDP";
        x.outerIpv6 = true;
        FrameAt at = new FrameAt();
        for (int i = 0; i < 200; i++) {
            at.set(1, 1000 + i, 5_000_000_000L + i);
            x.outer(at, 100 + 7 * i, i % 3 == 0 ? null : i % 2 == 0);
            x.inner(at, 40 + i % 70, 60 + 7 * i); // 70 overhead values: more than the 64 kept
        }
        x.outer(at, -1, null);
        x.fragmented(new FrameRef(1, 7, 3), 3, 2900);
        x.espBefore(48);
        x.decrypted(16, 2, 16);
        x.mss(new FrameRef(1, 9, 4), 1360, true);
        x.seq = 41;
        x.lastNanos = 5_000_000_199L;
        assertThat(x.otherOverheads).isPositive();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            x.writeTo(out);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b.toByteArray()))) {
            sameFields("synthetic", x, EncapSizes.readFrom(in));
        }
    }

    @Test
    void anotherFormIsRefusedNotMisread() {
        byte[] b = {2, 0};
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> EncapSizes.readFrom(new DataInputStream(new ByteArrayInputStream(b))))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("format 2");
    }

    private static void sameFields(String what, EncapSizes x, EncapSizes y) throws Exception {
        for (Field f : EncapSizes.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) || Modifier.isTransient(m)) {
                continue;
            }
            f.setAccessible(true);
            Object a = f.get(x);
            Object c = f.get(y);
            if (f.getName().equals("overheadValues") || f.getName().equals("overheadCounts")) {
                continue; // storage with room to grow: compared below as the values and counts held
            }
            assertThat(c).as("%s: %s", what, f.getName()).usingRecursiveComparison().isEqualTo(a);
        }
        assertThat(y.overheads()).as("%s: overheads", what).isEqualTo(x.overheads());
    }
}
