package org.vpnsleuth.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounded line reading (any bytes, BOM, CR LF, a maximum line length) and I/O errors in words. */
class TextLinesTest {
    @TempDir
    Path tmp;

    static List<String> all(byte[] b, int max) throws IOException {
        List<String> out = new ArrayList<>();
        try (TextLines l = new TextLines(new ByteArrayInputStream(b), max)) {
            for (String s; (s = l.next()) != null; ) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void crLfBomAndLatin1BytesSurvive() throws IOException {
        byte[] b = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'a', '\r', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n', '\n', 'x'};
        List<String> l = all(b, 100);
        assertThat(l).containsExactly("a", "caf\u00e9", "", "x");
        assertThat(l.get(1).getBytes(StandardCharsets.ISO_8859_1)).containsExactly('c', 'a', 'f', 0xe9);
        // a BOM only at the very start is one; later it is the line's bytes
        assertThat(all("a\n\u00ef\u00bb\u00bfb\n".getBytes(StandardCharsets.ISO_8859_1), 100).get(1)).hasSize(4);
    }

    @Test
    void theLongestLineIsAllowedAndOneByteMoreIsAnErrorNamingIt() throws IOException {
        assertThat(all(("ab\n" + "x".repeat(10) + "\r\n").getBytes(StandardCharsets.US_ASCII), 10)).containsExactly("ab",
                "x".repeat(10));
        assertThatThrownBy(() -> all(("ab\ncd\n" + "x".repeat(11) + "\n").getBytes(StandardCharsets.US_ASCII), 10))
                .isInstanceOf(TextLines.LineTooLongException.class).hasMessage("line 3 is longer than 10 bytes")
                .satisfies(e -> assertThat(((TextLines.LineTooLongException) e).line()).isEqualTo(3));
        // no line end at all, longer than the read chunk
        assertThatThrownBy(() -> all(new byte[200_000], 1000)).isInstanceOf(TextLines.LineTooLongException.class)
                .hasMessage("line 1 is longer than 1,000 bytes");
    }

    @Test
    void peekedLinesComeAgainWithTheirNumbers() throws IOException {
        try (TextLines l = new TextLines(new ByteArrayInputStream("1\n2\n3\n4\n".getBytes(StandardCharsets.US_ASCII)), 10)) {
            assertThat(l.peek(2)).containsExactly("1", "2");
            assertThat(l.next()).isEqualTo("1");
            assertThat(l.number()).isEqualTo(1);
            assertThat(l.next()).isEqualTo("2");
            assertThat(l.next()).isEqualTo("3");
            assertThat(l.number()).isEqualTo(3);
            assertThat(l.next()).isEqualTo("4");
            assertThat(l.next()).isNull();
        }
    }

    @Test
    void devZeroEndsAtItsFirstLine() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (InputStream in = new FileInputStream("/dev/zero"); TextLines l = new TextLines(in, 64 * 1024)) {
                assertThatThrownBy(l::next).isInstanceOf(TextLines.LineTooLongException.class)
                        .hasMessage("line 1 is longer than 65,536 bytes");
            }
        });
    }

    @Test
    void ioErrorsSayWhyNotJustThePath() throws IOException {
        Path missing = tmp.resolve("nope.txt");
        assertThat(IoErrors.why(catchIo(() -> Files.newInputStream(missing)))).isEqualTo("no such file");
        Path deep = tmp.resolve("no-dir/sub/out.pcapng");
        IOException e = catchIo(() -> Files.newOutputStream(deep));
        assertThat(e).isInstanceOf(NoSuchFileException.class);
        assertThat(IoErrors.why(e)).isEqualTo("the directory " + tmp.resolve("no-dir") + " does not exist");
        IOException dir = catchIo(() -> {
            try (InputStream in = Files.newInputStream(tmp)) {
                in.read();
            }
        });
        assertThat(IoErrors.why(dir)).isEqualTo("is a directory");
        assertThat(IoErrors.why(new IOException((String) null))).startsWith("an input/output error the system gave no reason for")
                .doesNotContain("null");
        assertThat(IoErrors.why(new java.io.EOFException())).isEqualTo("the file ended early");
    }

    interface Io {
        void run() throws IOException;
    }

    static IOException catchIo(Io r) {
        try {
            r.run();
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("no IOException");
    }
}
