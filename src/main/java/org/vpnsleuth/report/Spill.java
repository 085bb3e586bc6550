package org.vpnsleuth.report;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text that must wait for something written before it (the details of a report wait for its
 * summary): held in memory up to {@link #MEMORY_CHARS}, past that in a temporary file (deleted
 * when the text has been copied out, or at exit), so a report of any size keeps memory bounded.
 */
final class Spill extends Writer {
    /** Characters held in memory before the text moves to a temporary file. */
    static final int MEMORY_CHARS = 4 << 20;

    private final int memoryChars;
    private final StringBuilder memory = new StringBuilder();
    private Path file;
    private Writer fileWriter;

    Spill() {
        this(MEMORY_CHARS);
    }

    Spill(int memoryChars) {
        this.memoryChars = memoryChars;
    }

    /** Whether the text went to a temporary file (for tests). */
    boolean spilled() {
        return file != null;
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        append(java.nio.CharBuffer.wrap(cbuf, off, len));
    }

    @Override
    public Writer append(CharSequence s) throws IOException {
        if (fileWriter == null && memory.length() + s.length() > memoryChars) {
            file = Files.createTempFile("vpnsleuth-report-", ".txt");
            file.toFile().deleteOnExit();
            fileWriter = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
            fileWriter.append(memory);
            memory.setLength(0);
            memory.trimToSize();
        }
        if (fileWriter != null) {
            fileWriter.append(s);
        } else {
            memory.append(s);
        }
        return this;
    }

    /** Copies the text held to {@code to} (or appends it to {@code sb} when {@code to} is null), then forgets it. */
    void copyTo(Writer to, StringBuilder sb) {
        try {
            if (fileWriter == null) {
                if (to != null) {
                    to.append(memory);
                } else {
                    sb.append(memory);
                }
                memory.setLength(0);
                return;
            }
            fileWriter.close();
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                char[] buf = new char[1 << 16];
                int n;
                while ((n = r.read(buf)) > 0) {
                    if (to != null) {
                        to.write(buf, 0, n);
                    } else {
                        sb.append(buf, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            close();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                if (fileWriter != null) {
                    fileWriter.close();
                }
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is deleted at exit
            }
            fileWriter = null;
        }
    }
}
