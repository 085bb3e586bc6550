package org.vpnsleuth.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.oracle.StrictJson;
import org.vpnsleuth.report.FrameFormatter;
import org.vpnsleuth.report.JsonWriter;

/**
 * Fuzz tests of the decode pipeline and the capture readers (Jazzer). Without JAZZER_FUZZ=1 (the
 * normal `mvn verify`) each method only replays its stored inputs in
 * src/test/resources/org/vpnsleuth/fuzz/DecodeFuzzTestInputs/METHOD/ as regression tests. To
 * fuzz one method: {@code mvn -Pfuzz test -Dtest=DecodeFuzzTest#ethernetFrame} (the profile sets
 * JAZZER_FUZZ=1; a run lasts maxDuration; crashing inputs are written to the inputs directory).
 *
 * <p>What counts as a finding: any exception or error out of decoding, formatting or reading (the
 * decoder promises never to throw on frame content, the readers never to throw for bad content),
 * a JSON line that is not valid JSON, or one input taking longer than the timeout (a hang).
 */
class DecodeFuzzTest {
    /** LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LINUX_SLL, LINKTYPE_PPP. */
    static final int ETHERNET = 1;
    static final int RAW = 101;
    static final int SLL = 113;
    static final int PPP = 9;

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void ethernetFrame(byte[] data) {
        decodeFrame(ETHERNET, data);
    }

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void rawIpFrame(byte[] data) {
        decodeFrame(RAW, data);
    }

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void sllFrame(byte[] data) {
        decodeFrame(SLL, data);
    }

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void pppFrame(byte[] data) {
        decodeFrame(PPP, data);
    }

    /**
     * A conversation of IKE messages: the input is split at 2-byte big-endian lengths into UDP
     * payloads sent to port 500 alternately by two hosts, all through one decoder, so that the
     * state kept between messages (roles, negotiated transforms, IKEv1 fragment reassembly) sees
     * hostile sequences; then the state is finished and its incomplete messages formatted.
     */
    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void ikeMessages(byte[] data) {
        Decoder d = new Decoder();
        Packet p = new Packet();
        StringBuilder sb = new StringBuilder();
        org.vpnsleuth.track.Tracker t = new org.vpnsleuth.track.Tracker();
        t.addFile("fuzz");
        int pos = 0;
        long number = 0;
        while (pos + 2 <= data.length && number < 64) {
            int len = Math.min(((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff), data.length - pos - 2);
            byte[] frame = ipv4Udp(number % 2 == 0, data, pos + 2, len);
            number++;
            d.decode(frame(RAW, frame, number, frame.length), p);
            format(p, sb);
            t.add(p, 0);
            pos += 2 + len;
        }
        IkeDecodeState.of(d).finish();
        IkeDecodeState.of(d).incomplete().forEach(i -> sb.append(i));
        // the same conversation through tracking and diagnosis: no exception, valid JSON
        t.finish(d, 0);
        t.link();
        org.vpnsleuth.diagnose.Diagnoser dg = new org.vpnsleuth.diagnose.Diagnoser(t.firstNanos(), t.lastNanos());
        for (org.vpnsleuth.track.IkeSa sa : t.ikeSas()) {
            dg.diagnose(sa);
        }
    }

    /** An IPv4/UDP 500→500 datagram around {@code data[off, off + len)}, from 192.0.2.1 or 192.0.2.2. */
    static byte[] ipv4Udp(boolean fromFirst, byte[] data, int off, int len) {
        byte[] f = new byte[28 + len];
        int total = f.length;
        f[0] = 0x45;
        f[2] = (byte) (total >>> 8);
        f[3] = (byte) total;
        f[8] = 64;
        f[9] = 17;
        f[12] = (byte) 192;
        f[14] = 2;
        f[15] = (byte) (fromFirst ? 1 : 2);
        f[16] = (byte) 192;
        f[18] = 2;
        f[19] = (byte) (fromFirst ? 2 : 1);
        f[20] = 0x01;
        f[21] = (byte) 0xf4;
        f[22] = 0x01;
        f[23] = (byte) 0xf4;
        f[24] = (byte) ((8 + len) >>> 8);
        f[25] = (byte) (8 + len);
        System.arraycopy(data, off, f, 28, len);
        return f;
    }

    /** The bytes as a whole capture file (pcap, pcapng, gzip or garbage), read to the end and decoded. */
    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void captureFile(byte[] data) throws IOException {
        CaptureReader r;
        try {
            r = Captures.open(new ByteArrayInputStream(data), "fuzz");
        } catch (CaptureException e) {
            return; // not a capture: rejected cleanly
        }
        Decoder d = new Decoder();
        Packet p = new Packet();
        Frame f = new Frame();
        StringBuilder sb = new StringBuilder();
        long frames = 0;
        long last = 0;
        try (r) {
            while (r.next(f)) {
                frames++;
                assertTrue(f.number > last, "frame numbers must increase: " + f.number + " after " + last);
                last = f.number;
                assertTrue(f.capturedLength >= 0 && f.offset >= 0 && f.offset + f.capturedLength <= f.data.length,
                        "frame view outside its buffer");
                d.decode(f, p);
                format(p, sb);
            }
        }
        assertEquals(frames, r.framesRead(), "framesRead()");
        r.warnings().forEach(w -> sb.append(w));
        r.format();
        d.reassembly.finish();
        d.reassembly.incomplete().forEach(i -> sb.append(i));
    }

    /**
     * One frame body decoded twice with one decoder (state such as reassembly sees it again),
     * then once more as if the snaplen had cut it (the truncated, not malformed, paths).
     */
    static void decodeFrame(int linkType, byte[] data) {
        Decoder d = new Decoder();
        Packet p = new Packet();
        StringBuilder sb = new StringBuilder();
        Frame f = frame(linkType, data, 1, data.length);
        d.decode(f, p);
        format(p, sb);
        f = frame(linkType, data, 2, data.length);
        d.decode(f, p);
        format(p, sb);
        f = frame(linkType, data, 3, data.length + 1500);
        new Decoder().decode(f, p);
        format(p, sb);
    }

    static Frame frame(int linkType, byte[] data, long number, int originalLength) {
        Frame f = new Frame();
        // the frame sits inside a larger buffer, as readers hand them out: views must respect the bounds
        byte[] buf = new byte[data.length + 16];
        System.arraycopy(data, 0, buf, 8, data.length);
        f.data = buf;
        f.offset = 8;
        f.capturedLength = data.length;
        f.originalLength = originalLength;
        f.linkType = linkType;
        f.number = number;
        f.timestampNanos = 1_700_000_000_000_000_000L + number;
        f.source = "fuzz";
        return f;
    }

    static void format(Packet p, StringBuilder sb) {
        sb.setLength(0);
        FrameFormatter.line(p, sb);
        sb.setLength(0);
        FrameFormatter.tree(p, sb);
        sb.setLength(0);
        FrameFormatter.json(p, new JsonWriter(sb));
        char c = StrictJson.validate(sb.toString());
        assertEquals('{', c, "JSON output is not an object");
        sb.setLength(0);
    }
}
