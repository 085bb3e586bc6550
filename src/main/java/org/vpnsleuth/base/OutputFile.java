package org.vpnsleuth.base;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A file the tool writes, written so that no user's file is ever destroyed:
 * <ul>
 * <li>{@link #refuseInputs}: an output that is one of the inputs (the same path, a {@code ../}
 * spelling of it, a symlink to it, a hard link of it) is refused before anything is written;</li>
 * <li>a regular file (new or existing) is written to a temporary file in the target's directory
 * ({@code .NAME.XXXXXXXX.vpnsleuth-tmp}) and renamed over the target by {@link #commit} when it is
 * complete: a failure (or {@link #close} without {@code commit}) removes the temporary file and
 * leaves the target as it was. A symlink target is followed: the file it points to is replaced,
 * the link stays. The new file keeps the permissions of the file it replaces (a new one gets the
 * umask's), or 0600 when it holds secrets;</li>
 * <li>{@code -} (standard output), a FIFO and a character device are written as streams.</li>
 * </ul>
 */
public final class OutputFile implements Closeable {
    /** The suffix of the temporary files (a crashed run may leave one; they are safe to delete). */
    public static final String TEMP_SUFFIX = ".vpnsleuth-tmp";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** An output that is one of the inputs: nothing was written. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /** An input an output must not be: what it is (for the message: "the capture", "--keys") and its path. */
    public record Input(String what, Path path) {
    }

    private final Path target;
    private final Path destination;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private boolean committed;
    private boolean closed;

    private OutputFile(Path target, Path destination, Path temp, FileChannel channel, OutputStream raw) {
        this.target = target;
        this.destination = destination;
        this.temp = temp;
        this.channel = channel;
        this.out = new FilterOutputStream(raw) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the file is finished by commit() or close() of the OutputFile, not by the writer on top
            }
        };
    }

    /** Standard output as an output: written as a stream, never closed. */
    public static OutputFile stdout() {
        return new OutputFile(Path.of("-"), null, null, null, new FileOutputStream(FileDescriptor.out));
    }

    /** {@code -}: standard output; anything else: {@link #open(Path, boolean)}. */
    public static OutputFile open(String target, boolean secret) throws IOException {
        return "-".equals(target) ? stdout() : open(Path.of(target), secret);
    }

    /**
     * Opens {@code target} for writing: a FIFO or character device directly, anything else through
     * a temporary file in its directory (created here, so that a directory that does not exist or
     * cannot be written is reported before any work). {@code secret}: the file is made 0600.
     */
    public static OutputFile open(Path target, boolean secret) throws IOException {
        BasicFileAttributes a = attributes(target); // links followed by the kernel (/dev/stdout onto a pipe too)
        if (a != null && a.isDirectory()) {
            throw new FileSystemException(target.toString(), null, "is a directory");
        }
        if (a != null && !a.isRegularFile()) { // a FIFO, a character or block device: a stream, as the user meant
            FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE);
            return new OutputFile(target, null, null, ch, Channels.newOutputStream(ch));
        }
        Path dest = followLinks(target); // the file a rename must replace, so that a symlink stays a symlink
        Path dir = dest.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(target.toString(), null, Files.exists(dir) ? "not a directory: " + dir
                    : "the directory " + dir + " does not exist");
        }
        Set<PosixFilePermission> perms = secret ? OWNER_ONLY : null;
        if (!secret && a != null) {
            try {
                perms = Files.getPosixFilePermissions(dest);
            } catch (UnsupportedOperationException | IOException e) {
                perms = null;
            }
        }
        String name = dest.getFileName().toString();
        String stem = "." + (name.length() > 200 ? name.substring(0, 200) : name) + ".";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(stem + String.format("%08x", ThreadLocalRandom.current().nextInt()) + TEMP_SUFFIX);
            try {
                FileAttribute<?>[] attrs = secret && posix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                        : new FileAttribute<?>[0];
                FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs);
                try {
                    if (perms != null && posix(dir)) {
                        Files.setPosixFilePermissions(tmp, perms);
                    }
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    Files.deleteIfExists(tmp);
                    throw e;
                }
                return new OutputFile(target, dest, tmp, ch, Channels.newOutputStream(ch));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    private static boolean posix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code p} with every symlink of its last component followed (at most 40, as the kernel does). */
    static Path followLinks(Path p) throws IOException {
        Path cur = p;
        for (int i = 0; i < 40; i++) {
            if (!Files.isSymbolicLink(cur)) {
                return cur;
            }
            Path link = Files.readSymbolicLink(cur);
            Path parent = cur.toAbsolutePath().getParent();
            cur = parent == null ? link : parent.resolve(link);
        }
        throw new FileSystemException(p.toString(), null, "too many levels of symbolic links");
    }

    /** The stream to write to; closing it only flushes (the file is finished by {@link #commit}). */
    public OutputStream stream() {
        return out;
    }

    /** What the user named. */
    public Path target() {
        return target;
    }

    /** The temporary file being written, or null for a stream. */
    public Path temp() {
        return temp;
    }

    /** True for standard output, a FIFO or a device: no temporary file, no rename. */
    public boolean streamed() {
        return temp == null;
    }

    /** True for {@code -} and for a stream that is this process's standard output ({@code /dev/stdout}, its pipe or terminal). */
    public boolean isStandardOutput() {
        if (target.toString().equals("-")) {
            return true;
        }
        if (temp != null) {
            return false;
        }
        try {
            Path stdout = Path.of("/dev/stdout");
            return Files.exists(stdout) && Files.isSameFile(target, stdout);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Flushes, syncs the temporary file to disk and renames it over the target. */
    public void commit() throws IOException {
        if (closed) {
            throw new IOException(target + ": already closed");
        }
        out.flush();
        if (temp == null) {
            committed = true;
            return;
        }
        channel.force(true);
        channel.close();
        try {
            Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, destination, StandardCopyOption.REPLACE_EXISTING); // the same directory: only a strange file system
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            closed = true;
            throw e;
        }
        committed = true;
        closed = true;
    }

    /**
     * Closes without renaming and returns the temporary file, kept (a live capture's part written
     * before a disk error); null for a stream.
     */
    public Path abandonKeeping() {
        closed = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the file keeps what reached it
        }
        return temp;
    }

    /** Without {@link #commit}: the temporary file is removed and the target left as it was. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (temp == null) {
            try {
                out.flush();
            } finally {
                if (channel != null) {
                    channel.close();
                }
            }
            return;
        }
        try {
            channel.close();
        } finally {
            if (!committed) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Refuses {@code output} when it is one of {@code inputs} (for a directory input: one of the
     * files in it), however spelled: the same path, {@code ../}, a symlink, a hard link. An output
     * that does not exist yet is no input; {@code -} and inputs that do not exist are skipped.
     */
    public static void refuseInputs(Path output, Collection<Input> inputs) throws RefusedException {
        if (output == null || output.toString().equals("-") || !Files.exists(output)) {
            return;
        }
        for (Input in : inputs) {
            if (in.path() == null || in.path().toString().equals("-") || !Files.exists(in.path())) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            Input label = in;
            if (Files.isDirectory(in.path())) {
                label = new Input("read with " + in.what() + " " + in.path(), in.path());
                try (Stream<Path> s = Files.list(in.path())) {
                    s.limit(100_000).forEach(files::add);
                } catch (IOException | RuntimeException e) {
                    // an unlistable directory: nothing of it was read
                }
            } else {
                files.add(in.path());
            }
            for (Path f : files) {
                if (same(output, f)) {
                    throw new RefusedException("refusing to write " + output + ": it is " + how(output, f, label)
                            + "; nothing was written (choose another output file)");
                }
            }
        }
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static String how(Path output, Path input, Input in) {
        String what = "the input " + input + " (" + in.what() + ")";
        try {
            if (Files.isSymbolicLink(output)) {
                return what + " through a symbolic link to " + output.toRealPath();
            }
            if (output.toRealPath().equals(input.toRealPath())) {
                return what + ", the same file (" + output.toRealPath() + ")";
            }
            return what + ": a hard link of the same file (inode " + Files.getAttribute(output, "unix:ino") + ")";
        } catch (IOException | RuntimeException e) {
            return what + ", the same file";
        }
    }

    /** What went wrong writing, said plainly: "permission denied", "the directory X does not exist"... */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fe) {
            String r = fe.getReason();
            if (e instanceof AccessDeniedException) {
                return "permission denied" + (fe.getFile() != null ? " (" + fe.getFile() + ")" : "");
            }
            if (e instanceof NoSuchFileException) {
                return r != null ? r : "no such file or directory" + (fe.getFile() != null ? " (" + fe.getFile() + ")" : "");
            }
            if (e instanceof NotDirectoryException) {
                return "not a directory" + (fe.getFile() != null ? " (" + fe.getFile() + ")" : "");
            }
            if (r != null) {
                return r.toLowerCase(java.util.Locale.ROOT);
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
