package org.vpnsleuth.capture;

/**
 * Something wrong in the file that did not stop reading, or stopped it after the last good frame.
 *
 * @param source file name
 * @param frame  the frame number concerned (the one that would have come next when the file ends early)
 * @param message what was wrong, in words
 */
public record CaptureWarning(String source, long frame, String message) {
    @Override
    public String toString() {
        return source + ": frame " + frame + ": " + message;
    }
}
