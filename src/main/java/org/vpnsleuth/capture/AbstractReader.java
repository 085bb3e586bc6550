package org.vpnsleuth.capture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.vpnsleuth.base.IoErrors;

/** Shared plumbing of the file readers: the buffer, warnings, frame numbering, I/O errors as warnings. */
abstract class AbstractReader implements CaptureReader {
    /** At most this many warnings are kept; later ones are counted. */
    private static final int MAX_WARNINGS = 1000;

    final InputBuffer in;
    final String source;
    private final String format;
    private final List<CaptureWarning> warnings = new ArrayList<>();
    private long suppressed;
    long frames;
    private boolean finished;

    AbstractReader(InputBuffer in, String source, String format) {
        this.in = in;
        this.source = source;
        this.format = format;
    }

    @Override
    public final boolean next(Frame f) {
        if (finished) {
            return false;
        }
        try {
            if (readNext(f)) {
                frames++;
                f.number = frames;
                f.source = source;
                return true;
            }
        } catch (GzipInput.Damage e) {
            warn(frames + 1, e.getMessage() + String.format("; stopped here, the %,d frame(s) before it were read", frames));
        } catch (IOException e) {
            warn(frames + 1, "read error, stopped here: " + IoErrors.why(e));
        } catch (RuntimeException e) {
            warn(frames + 1, "internal reader error, stopped here: " + e);
        }
        finished = true;
        return false;
    }

    /** Reads one frame; false at the end (a damaged end adds a warning first). */
    abstract boolean readNext(Frame f) throws IOException;

    final void warn(long frame, String message) {
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(new CaptureWarning(source, frame, message));
        } else {
            suppressed++;
        }
    }

    @Override
    public List<CaptureWarning> warnings() {
        if (suppressed == 0) {
            return Collections.unmodifiableList(warnings);
        }
        List<CaptureWarning> all = new ArrayList<>(warnings);
        all.add(new CaptureWarning(source, frames, String.format("and %,d more warning(s), not kept (at most %,d are)", suppressed, MAX_WARNINGS)));
        return all;
    }

    /** Counts what is read from the file, for progress (null: unknown). */
    private Captures.Counting counting;
    private long size = -1;

    final void source(Captures.Counting c, long fileSize) {
        counting = c;
        size = fileSize;
    }

    @Override
    public long sourceBytesRead() {
        return counting == null ? -1 : counting.count;
    }

    @Override
    public long sourceSize() {
        return size;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public long framesRead() {
        return frames;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    static int be32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    static int le16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    static int be16(byte[] b, int o) {
        return (b[o] & 0xff) << 8 | (b[o + 1] & 0xff);
    }
}
