package org.vpnsleuth.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vpnsleuth.base.IoErrors;

/** Opens capture files: classic pcap, pcapng, either gzip-compressed, or standard input ("-"). */
public final class Captures {
    private Captures() {
    }

    /** Opens a file by name; "-" is standard input. The format is detected from the content. */
    public static CaptureReader open(String name) throws CaptureException {
        if ("-".equals(name)) {
            return open(System.in, "-");
        }
        Path path = Path.of(name);
        if (Files.isDirectory(path)) {
            throw new CaptureException(name + ": is a directory, not a capture file");
        }
        Counting in;
        long size;
        try {
            in = new Counting(Files.newInputStream(path));
            size = Files.size(path);
        } catch (IOException e) {
            throw new CaptureException("cannot open the capture " + name + ": " + IoErrors.why(e));
        }
        try {
            CaptureReader r = open(in, name);
            if (r instanceof AbstractReader a) {
                a.source(in, Files.isRegularFile(path) ? size : -1);
            }
            return r;
        } catch (CaptureException e) {
            closeQuietly(in);
            throw e;
        }
    }

    /** Counts the bytes read through it (progress of a long read). */
    static final class Counting extends java.io.FilterInputStream {
        volatile long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += Math.max(0, k);
            return k;
        }
    }

    /** Reads a capture from a stream (closed with the reader). */
    public static CaptureReader open(InputStream raw, String name) throws CaptureException {
        try {
            PushbackInputStream peek = new PushbackInputStream(raw, 4);
            byte[] m = new byte[4];
            int n = readFully(peek, m);
            if (n > 0) {
                peek.unread(m, 0, n);
            }
            String suffix = "";
            InputStream in = peek;
            if (n >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
                in = new GzipInput(peek);
                suffix = "+gzip";
            }
            InputBuffer buf = new InputBuffer(in);
            int have = buf.ensure(4);
            if (have < 4) {
                throw new CaptureException(name + ": " + (have == 0 && n == 0 ? "empty file" : "too short to be a capture file ("
                        + have + " bytes)"));
            }
            int be = AbstractReader.be32(buf.buf, buf.pos);
            int le = AbstractReader.le32(buf.buf, buf.pos);
            if (be == PcapngReader.SHB) {
                return PcapngReader.open(buf, name, suffix);
            }
            if (isPcapMagic(be) || isPcapMagic(le)) {
                return PcapReader.open(buf, name, suffix);
            }
            throw new CaptureException(name + ": not a capture file (pcap, pcapng, optionally gzip-compressed); it starts with "
                    + String.format("%02x %02x %02x %02x", buf.buf[buf.pos], buf.buf[buf.pos + 1], buf.buf[buf.pos + 2],
                            buf.buf[buf.pos + 3]) + describeMagic(be));
        } catch (GzipInput.Damage e) {
            closeQuietly(raw);
            throw new CaptureException(name + ": " + e.getMessage() + "; no frame could be read", e);
        } catch (IOException e) {
            closeQuietly(raw);
            throw new CaptureException(name + ": cannot read the capture: " + IoErrors.why(e), e);
        }
    }

    private static boolean isPcapMagic(int v) {
        return v == PcapReader.MAGIC_US || v == PcapReader.MAGIC_NS || v == PcapReader.MAGIC_MODIFIED;
    }

    private static String describeMagic(int be) {
        if ((be >>> 8) == 0x425a68) {
            return " (bzip2, unsupported: decompress it first)";
        }
        if (be == 0xfd377a58) {
            return " (xz, unsupported: decompress it first)";
        }
        if (be == 0x28b52ffd) {
            return " (zstd, unsupported: decompress it first)";
        }
        if (be == 0x504b0304) {
            return " (zip archive: extract the capture first)";
        }
        return "";
    }

    private static int readFully(InputStream in, byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to say than the error already thrown
        }
    }
}
