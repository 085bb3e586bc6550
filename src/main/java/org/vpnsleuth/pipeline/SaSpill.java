package org.vpnsleuth.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.vpnsleuth.diagnose.SaDiagnosis;

/**
 * IKE SA diagnoses written out while the capture is still being read (issue 12: an SA that is
 * over is diagnosed, written and dropped; the report reads it back in its place). One temporary
 * file, deleted when closed (and at exit); each diagnosis, with the SA's whole story, is one
 * serialized record found by its offset. Class descriptors are written as the class name only,
 * so a record costs about what its fields do. Memory: the offsets (12 bytes per SA).
 */
final class SaSpill implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private long end;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 << 10);

    SaSpill() {
        try {
            file = Files.createTempFile("vpnsleuth-sas-", ".bin");
            file.toFile().deleteOnExit();
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for the SAs written out while reading (in "
                    + System.getProperty("java.io.tmpdir") + ", set with -Djava.io.tmpdir): " + e.getMessage(), e);
        }
    }

    /** A diagnosis holding something that cannot be written (a class not marked serializable): it stays in memory. */
    static final class NotWritable extends RuntimeException {
        NotWritable(java.io.NotSerializableException e) {
            super(e.getMessage(), e);
        }
    }

    /** Where a diagnosis was written: its offset and length in the file. */
    record Ref(long offset, int length) {
    }

    Ref write(SaDiagnosis d) {
        return writeObject(d);
    }

    /** Writes {@code o} (a diagnosis, or an encapsulation's sizes); one writer at a time. */
    synchronized Ref writeObject(Object o) {
        buffer.reset();
        try (ObjectOutputStream out = new CompactOut(buffer)) {
            out.writeObject(o);
        } catch (java.io.NotSerializableException e) {
            throw new NotWritable(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + o.getClass().getSimpleName() + " to write it out: " + e, e);
        }
        return writeBytes(buffer.toByteArray());
    }

    /** Writes {@code b} (something in a form of its own, such as an encapsulation's sizes); one writer at a time. */
    synchronized Ref writeBytes(byte[] b) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(b);
            long at = end;
            while (bb.hasRemaining()) {
                at += channel.write(bb, at);
            }
            Ref r = new Ref(end, b.length);
            end = at;
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file + " (the SAs written out while reading): " + e.getMessage(), e);
        }
    }

    SaDiagnosis read(Ref r) {
        return (SaDiagnosis) readObject(r);
    }

    /** The object written at {@code r}. */
    Object readObject(Ref r) {
        byte[] b = readBytes(r);
        try (ObjectInputStream in = new CompactIn(new ByteArrayInputStream(b))) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot read back what was written out to " + file + ": " + e, e);
        }
    }

    /** The bytes written at {@code r}. */
    byte[] readBytes(Ref r) {
        byte[] b = new byte[r.length()];
        ByteBuffer bb = ByteBuffer.wrap(b);
        try {
            long at = r.offset();
            while (bb.hasRemaining()) {
                int n = channel.read(bb, at);
                if (n < 0) {
                    throw new IOException("unexpected end of file");
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back " + file + " (the SAs written out while reading): " + e.getMessage(), e);
        }
        return b;
    }

    /**
     * The result of work on an SA done on another thread (writing it out, reading it back): its
     * failure is this thread's, as if the work had been done here.
     */
    static <T> T await(java.util.concurrent.Future<T> f) {
        return org.vpnsleuth.base.Threads.await(f, "an IKE SA was written out or read back");
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left behind is deleted at exit
        }
    }

    /** Writes a class descriptor as the class name alone (both sides run the same classes). */
    private static final class CompactOut extends ObjectOutputStream {
        CompactOut(OutputStream out) throws IOException {
            super(out);
        }

        @Override
        protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
            writeUTF(desc.getName());
        }
    }

    private static final class CompactIn extends ObjectInputStream {
        CompactIn(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
            String name = readUTF();
            int e = 0;
            while (e < name.length() && name.charAt(e) == '[') {
                e++;
            }
            boolean primitiveArray = e > 0 && name.length() == e + 1;
            String element = e > 0 && !primitiveArray ? name.substring(e + 1) : name;
            if (!(element.startsWith("org.vpnsleuth.") || element.startsWith("java.") || primitiveArray)) {
                throw new java.io.InvalidClassException(name, "not a class of an SA's diagnosis");
            }
            Class<?> c = Class.forName(name, false, SaSpill.class.getClassLoader());
            ObjectStreamClass d = ObjectStreamClass.lookup(c);
            if (d == null) {
                throw new java.io.InvalidClassException(name, "not serializable");
            }
            return d;
        }
    }
}
