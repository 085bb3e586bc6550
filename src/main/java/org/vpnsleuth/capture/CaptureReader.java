package org.vpnsleuth.capture;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** A streaming reader of frames. Obtain one from {@link Captures#open}. */
public interface CaptureReader extends Closeable {
    /**
     * Reads the next frame into {@code f}, reusing it; its bytes stay valid until the next call.
     * Returns false at the end of the capture, including an end forced by a damaged record (see
     * {@link #warnings()}). Never throws for bad content.
     */
    boolean next(Frame f);

    /** Problems met so far: truncated records, bad block lengths, decompression errors. */
    List<CaptureWarning> warnings();

    /** "pcap", "pcap-ns", "pcapng", with a "+gzip" suffix when the file was compressed. */
    String format();

    /** Frames returned so far. */
    long framesRead();

    /** Bytes of the file read so far (compressed bytes for a gzip file); -1 when not known (standard input). */
    default long sourceBytesRead() {
        return -1;
    }

    /** The file's size in bytes; -1 when not known (standard input, a pipe). */
    default long sourceSize() {
        return -1;
    }

    @Override
    void close() throws IOException;
}
