package org.vpnsleuth.capture;

/** The input cannot be read as a capture at all (not a capture file, unsupported format, I/O error). */
public class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
