package org.vpnsleuth.track;

/**
 * The frame being tracked: file, frame number and capture time, whose {@link FrameRef} is made
 * only when something keeps a reference to the frame (a message, the first packet of a flow, a new
 * largest size). The bulk path (a packet of a known ESP flow) keeps numbers, not objects, so it
 * allocates nothing per frame. One instance, reused by {@link Tracker#add} for every frame.
 */
public final class FrameAt {
    private int file;
    private long frame;
    private long nanos;
    private FrameRef ref;

    public void set(int file, long frame, long nanos) {
        this.file = file;
        this.frame = frame;
        this.nanos = nanos;
        this.ref = null;
    }

    public int file() {
        return file;
    }

    public long frame() {
        return frame;
    }

    public long nanos() {
        return nanos;
    }

    /** This frame as a reference to keep (one object per frame, made on the first call). */
    public FrameRef ref() {
        if (ref == null) {
            ref = new FrameRef(file, frame, nanos);
        }
        return ref;
    }
}
