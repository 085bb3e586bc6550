package org.vpnsleuth.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.base.OutputFile;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;

/**
 * `live --write` with rotation: each file is written under a temporary name and gets its own name
 * only when complete (a file with the name is never half-written), the files hold the capture's
 * frames byte for byte in order, --rotate-files keeps the newest N, and a rotated name that is an
 * input is refused without touching it.
 */
class PcapngRotatorTest {
    @TempDir
    Path tmp;

    static final Path CAP = Path.of(System.getProperty("user.dir"), "captures", "ikev2-psk-esp.pcapng");

    static List<byte[]> frames(Path f) throws Exception {
        List<byte[]> l = new ArrayList<>();
        try (CaptureReader r = Captures.open(f.toString())) {
            Frame fr = new Frame();
            while (r.next(fr)) {
                l.add(Arrays.copyOfRange(fr.data, fr.offset, fr.offset + fr.capturedLength));
            }
        }
        return l;
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Writes the capture's frames through the rotator (a new file every 0.5 s of capture time), checking after each one what is on disk. */
    List<Path> writeAll(PcapngRotator w, Path dir) throws Exception {
        try (CaptureReader r = Captures.open(CAP.toString())) {
            Frame f = new Frame();
            while (r.next(f)) {
                w.write(f);
                if (f.number == 1) {
                    assertThat(dir.resolve("cap.pcapng")).as("the first file before it is complete").doesNotExist();
                }
                List<String> on = names(dir);
                assertThat(on.stream().filter(n -> n.endsWith(OutputFile.TEMP_SUFFIX))).as("one file being written").hasSize(1);
                // every file that has its name is complete: it reads to the end
                for (Path p : w.files()) {
                    assertThat(frames(p)).isNotEmpty();
                }
            }
        }
        w.close();
        assertThat(names(dir)).noneMatch(n -> n.endsWith(OutputFile.TEMP_SUFFIX));
        return w.files();
    }

    @Test
    void filesGetTheirNameWhenCompleteAndHoldTheCapture() throws Exception {
        Path dir = tmp.resolve("all");
        Files.createDirectories(dir);
        List<byte[]> want = frames(CAP);
        assertThat(want).hasSize(20); // captures/README.md: ikev2-psk-esp has 20 frames
        PcapngRotator w = new PcapngRotator(dir.resolve("cap.pcapng"), 0, 500_000_000L, 0, "test");
        List<Path> files = writeAll(w, dir);
        assertThat(files.size()).isGreaterThan(2);
        assertThat(files.get(0)).isEqualTo(dir.resolve("cap.pcapng"));
        assertThat(files.get(1)).isEqualTo(dir.resolve("cap.1.pcapng"));
        List<byte[]> got = new ArrayList<>();
        for (Path p : files) {
            got.addAll(frames(p));
        }
        assertThat(got).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            assertThat(got.get(i)).as("frame " + (i + 1)).isEqualTo(want.get(i));
        }
        assertThat(w.frames()).isEqualTo(20);
    }

    @Test
    void rotateFilesKeepsTheNewest() throws Exception {
        Path dir = tmp.resolve("keep");
        Files.createDirectories(dir);
        PcapngRotator w = new PcapngRotator(dir.resolve("cap.pcapng"), 0, 500_000_000L, 2, "test");
        List<Path> files = writeAll(w, dir);
        assertThat(files).hasSize(2);
        assertThat(names(dir)).containsExactlyElementsOf(files.stream().map(p -> p.getFileName().toString()).sorted().toList());
        List<byte[]> want = frames(CAP);
        List<byte[]> last = frames(files.get(1));
        assertThat(last.get(last.size() - 1)).isEqualTo(want.get(want.size() - 1));
    }

    @Test
    void aRotatedNameThatIsAnInputIsRefused() throws Exception {
        Path dir = tmp.resolve("in");
        Files.createDirectories(dir);
        Path keys = dir.resolve("cap.1.pcapng"); // an odd name for a key file, but the user's
        Files.writeString(keys, "psk secret\n");
        PcapngRotator w = new PcapngRotator(dir.resolve("cap.pcapng"), 0, 500_000_000L, 0, "test",
                List.of(new OutputFile.Input("--keys", keys)));
        assertThatThrownBy(() -> {
            try (CaptureReader r = Captures.open(CAP.toString())) {
                Frame f = new Frame();
                while (r.next(f)) {
                    w.write(f);
                }
            }
        }).isInstanceOf(OutputFile.RefusedException.class).hasMessageContaining("refusing to write " + keys);
        assertThat(Files.readString(keys)).isEqualTo("psk secret\n");
        w.close();
        assertThat(names(dir)).containsExactly("cap.1.pcapng", "cap.pcapng");
        assertThat(frames(dir.resolve("cap.pcapng"))).isNotEmpty();
    }
}
