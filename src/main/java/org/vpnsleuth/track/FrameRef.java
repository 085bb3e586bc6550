package org.vpnsleuth.track;

/** One frame of one of the files being analysed: file index (0-based), frame number, capture time. */
public record FrameRef(int file, long frame, long nanos) implements java.io.Serializable {
}
