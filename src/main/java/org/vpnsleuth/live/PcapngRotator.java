package org.vpnsleuth.live;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.vpnsleuth.base.OutputFile;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.capture.PcapngWriter;

/**
 * {@code --write FILE.pcapng}: every captured frame through {@link PcapngWriter}, into a new file
 * when the current one reaches a size or an age (FILE.pcapng, then FILE.1.pcapng, FILE.2.pcapng,
 * ...), keeping at most a number of files (the oldest deleted) when asked. Each file is a complete
 * pcapng (its own section header), readable by tshark on its own. Each file is written under a
 * temporary name in its directory ({@link OutputFile}) and gets its name when it is complete (at
 * the rotation, or when the capture stops); a name that is one of the inputs is refused.
 */
public final class PcapngRotator implements AutoCloseable {
    private final Path base;
    private final long maxBytes;
    private final long maxNanos;
    private final int maxFiles;
    private final String application;
    private final List<OutputFile.Input> inputs;
    private final Deque<Path> written = new ArrayDeque<>();
    private OutputFile file;
    private Path completed;
    private boolean abandoned;
    private PcapngWriter writer;
    private Counting counter;
    private long openedAtNanos = Long.MIN_VALUE;
    private int index;
    private long frames;
    private long framesInFile;

    private static final class Counting extends FilterOutputStream {
        long bytes;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes += len;
        }
    }

    /** @param maxBytes rotate at this size (0: never); @param maxNanos at this age (0: never); @param maxFiles keep this many (0: all) */
    public PcapngRotator(Path base, long maxBytes, long maxNanos, int maxFiles, String application) {
        this(base, maxBytes, maxNanos, maxFiles, application, List.of());
    }

    /** @param inputs files no output file may be (the key files) */
    public PcapngRotator(Path base, long maxBytes, long maxNanos, int maxFiles, String application, List<OutputFile.Input> inputs) {
        this.inputs = List.copyOf(inputs);
        this.base = base;
        this.maxBytes = maxBytes;
        this.maxNanos = maxNanos;
        this.maxFiles = maxFiles;
        this.application = application;
    }

    /** The name of file number {@code i}: the base name for 0, NAME.i.EXT after it. */
    public Path name(int i) {
        if (i == 0) {
            return base;
        }
        String n = base.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String rotated = dot > 0 ? n.substring(0, dot) + "." + i + n.substring(dot) : n + "." + i;
        return base.resolveSibling(rotated);
    }

    /** Opens the first file now, so that a path that cannot be written is reported before the capture starts. */
    public void open() throws IOException {
        if (writer == null) {
            next(System.currentTimeMillis() * 1_000_000L);
        }
    }

    private void next(long nowNanos) throws IOException {
        finish();
        while (maxFiles > 0 && !written.isEmpty() && written.size() + 1 > maxFiles) { // with the one opened now: maxFiles
            Files.deleteIfExists(written.removeFirst());
        }
        Path p = name(index++);
        try {
            OutputFile.refuseInputs(p, inputs);
            file = p.toString().equals("-") ? OutputFile.stdout() : OutputFile.open(p, false);
        } catch (IOException e) {
            abandoned = true; // no file after a refusal or an error: nothing more is written
            throw e;
        }
        counter = new Counting(file.stream());
        writer = new PcapngWriter(counter, application);
        openedAtNanos = nowNanos;
        framesInFile = 0;
    }

    /**
     * The current file complete: flushed and given its name. When that fails, what it holds stays
     * under its temporary name (said in the exception) and nothing more is written.
     */
    private void finish() throws IOException {
        if (writer == null) {
            return;
        }
        OutputFile f = file;
        PcapngWriter w = writer;
        writer = null;
        file = null;
        try {
            w.close(); // flushes into the temporary file (closing it is left to f)
            f.commit();
        } catch (IOException e) {
            abandoned = true;
            Path kept = f.abandonKeeping();
            if (kept != null && Files.exists(kept)) {
                throw new IOException(OutputFile.reason(e) + "; what was written is kept as " + kept, e);
            }
            throw e;
        }
        completed = f.target();
        written.addLast(f.target());
    }

    /** The file completed by the last rotation. */
    public Path completed() {
        return completed;
    }

    /** Writes {@code f}; returns the path of a new file when this frame started one (after a rotation), else null. */
    public Path write(Frame f) throws IOException {
        Path rotated = null;
        if (abandoned) {
            return null;
        }
        if (writer == null) {
            next(f.timestampNanos);
        } else if (framesInFile > 0 && (maxBytes > 0 && counter.bytes >= maxBytes
                || maxNanos > 0 && f.timestampNanos - openedAtNanos >= maxNanos)) {
            next(f.timestampNanos);
            rotated = file.target();
        }
        writer.write(f.data, f.offset, f.capturedLength, f.originalLength, f.timestampNanos, f.linkType, null);
        frames++;
        framesInFile++;
        return rotated;
    }

    public void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    public long frames() {
        return frames;
    }

    /** Files completed and still on disk, oldest first. */
    public java.util.List<Path> files() {
        return java.util.List.copyOf(written);
    }

    /**
     * After a write error: stops writing and keeps what the current file holds under its temporary
     * name, which is returned (null when no file was open).
     */
    public Path abandon() {
        if (file == null) {
            return null;
        }
        Path kept = file.abandonKeeping();
        abandoned = true;
        file = null;
        writer = null;
        return kept;
    }

    /** The current file completed. */
    @Override
    public void close() throws IOException {
        finish();
    }
}
