package org.vpnsleuth.base;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Why an I/O operation failed, in words a user acts on: "no such file", "the directory /x does
 * not exist", "permission denied", "is a directory". Java's exceptions often carry only the path
 * ({@link NoSuchFileException}'s message is the file name) or nothing at all; a message is never
 * just the path and never "null".
 */
public final class IoErrors {
    private IoErrors() {
    }

    /**
     * The reason alone, without the path (the caller says what was being done with which file):
     * "no such file", "the directory /a/b does not exist", "permission denied", "is a directory",
     * "not a directory: /a/file", "the file ended early", else the system's reason.
     */
    public static String why(IOException e) {
        if (e instanceof NoSuchFileException n) {
            String missing = missingParent(n.getFile());
            return missing != null ? "the directory " + missing + " does not exist" : "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException n) {
            return "not a directory: " + n.getFile();
        }
        if (e instanceof EOFException) {
            return e.getMessage() == null || e.getMessage().isBlank() ? "the file ended early" : e.getMessage();
        }
        if (e instanceof FileSystemException f) {
            String r = f.getReason();
            if (r != null && !r.isBlank()) {
                return plain(r);
            }
            return "an input/output error the system gave no reason for (" + f.getClass().getSimpleName() + ")";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return "an input/output error the system gave no reason for (" + e.getClass().getSimpleName() + ")";
        }
        return plain(m);
    }

    /** The system's words, as a Unix tool prints them: "Is a directory" becomes "is a directory". */
    private static String plain(String reason) {
        String r = reason.strip();
        if (r.length() > 1 && Character.isUpperCase(r.charAt(0)) && !Character.isUpperCase(r.charAt(1))) {
            r = Character.toLowerCase(r.charAt(0)) + r.substring(1);
        }
        return r;
    }

    /** The nearest ancestor directory of {@code file} that does not exist, when its parent is missing; else null. */
    private static String missingParent(String file) {
        if (file == null) {
            return null;
        }
        Path p;
        try {
            p = Path.of(file).toAbsolutePath().getParent();
        } catch (RuntimeException e) {
            return null;
        }
        String missing = null;
        while (p != null && !Files.exists(p)) {
            missing = p.toString();
            p = p.getParent();
        }
        return missing;
    }
}
