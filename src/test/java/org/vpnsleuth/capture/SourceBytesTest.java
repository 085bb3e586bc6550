package org.vpnsleuth.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the progress line reads: the bytes of the file consumed and the file's size (the compressed ones for gzip). */
class SourceBytesTest {
    private static final Path CAPTURE = Path.of("captures/fail-ikev1-psk.pcapng");

    private static long readAll(CaptureReader r) {
        Frame f = new Frame();
        long n = 0;
        while (r.next(f)) {
            n++;
        }
        return n;
    }

    @Test
    void plainFileEndsAtItsSize() throws Exception {
        long size = Files.size(CAPTURE);
        try (CaptureReader r = Captures.open(CAPTURE.toString())) {
            assertThat(r.sourceSize()).isEqualTo(size);
            assertThat(readAll(r)).isPositive();
            assertThat(r.sourceBytesRead()).isEqualTo(size);
        }
    }

    @Test
    void gzipCountsCompressedBytes(@TempDir Path dir) throws Exception {
        Path gz = dir.resolve("c.pcapng.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(CAPTURE));
        }
        try (CaptureReader r = Captures.open(gz.toString())) {
            assertThat(r.sourceSize()).isEqualTo(Files.size(gz));
            readAll(r);
            assertThat(r.sourceBytesRead()).isEqualTo(Files.size(gz));
        }
    }

    @Test
    void aStreamHasNoSize() throws Exception {
        try (CaptureReader r = Captures.open(new ByteArrayInputStream(Files.readAllBytes(CAPTURE)), "-")) {
            readAll(r);
            assertThat(r.sourceSize()).isEqualTo(-1);
            assertThat(r.sourceBytesRead()).isEqualTo(-1);
        }
    }
}
