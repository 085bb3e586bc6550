package org.vpnsleuth.crypto;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real strongSwan captures of captures/ as raw UDP payloads (read with tshark, field
 * {@code udp.payload}), and a minimal IKE message parser for the tests (RFC 7296 §3.1-3.2,
 * RFC 2408 §3.1-3.2: the two share the header and generic payload header layout).
 */
final class Captures {
    private Captures() {
    }

    static Path dir() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).resolve("captures");
    }

    static boolean haveTshark() {
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Frame number to UDP payload, for every UDP frame of {@code file} (under captures/). */
    static Map<Integer, byte[]> udpPayloads(String file) throws IOException, InterruptedException {
        Path f = dir().resolve(file);
        if (!Files.isRegularFile(f)) {
            throw new AssertionError("missing capture " + f);
        }
        Process p = new ProcessBuilder("tshark", "-n", "-r", f.toString(), "-Y", "udp", "-T", "fields",
                "-e", "frame.number", "-e", "udp.payload").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<Integer, byte[]> out = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] c = line.split("\t", -1);
                if (c.length >= 2 && !c[1].isEmpty()) {
                    out.put(Integer.parseInt(c[0]), HexFormat.of().parseHex(c[1].replace(":", "")));
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("tshark failed on " + f);
        }
        return out;
    }

    /**
     * The IKE message of a UDP payload: on port 4500 (RFC 3948 §2.2) the four zero bytes of the
     * non-ESP marker come first.
     */
    static byte[] ike(byte[] udp) {
        if (udp.length >= 4 && udp[0] == 0 && udp[1] == 0 && udp[2] == 0 && udp[3] == 0) {
            return java.util.Arrays.copyOfRange(udp, 4, udp.length);
        }
        return udp;
    }

    /** One payload: its type, where its generic header starts, the whole payload and its body. */
    record Payload(int type, int offset, byte[] whole, byte[] body) {
    }

    /** A parsed IKE message (header fields and the top-level payload chain). */
    record Message(byte[] raw) {
        byte[] spiI() {
            return java.util.Arrays.copyOfRange(raw, 0, 8);
        }

        byte[] spiR() {
            return java.util.Arrays.copyOfRange(raw, 8, 16);
        }

        int firstPayload() {
            return raw[16] & 0xff;
        }

        int exchangeType() {
            return raw[18] & 0xff;
        }

        int flags() {
            return raw[19] & 0xff;
        }

        int messageId() {
            return (raw[20] & 0xff) << 24 | (raw[21] & 0xff) << 16 | (raw[22] & 0xff) << 8 | (raw[23] & 0xff);
        }

        /** Everything after the 28-byte header (IKEv1: the encrypted body). */
        byte[] body() {
            return java.util.Arrays.copyOfRange(raw, 28, raw.length);
        }

        List<Payload> payloads() {
            return chain(raw, 28, firstPayload());
        }

        Payload payload(int type) {
            return find(payloads(), type);
        }
    }

    static Payload find(List<Payload> payloads, int type) {
        for (Payload p : payloads) {
            if (p.type() == type) {
                return p;
            }
        }
        throw new AssertionError("no payload of type " + type + " in " + payloads.stream().map(Payload::type).toList());
    }

    /**
     * The chain of payloads from {@code offset}, the first of type {@code first}, up to next
     * payload 0 (or an IKEv2 SK/SKF payload, which is last).
     */
    static List<Payload> chain(byte[] b, int offset, int first) {
        List<Payload> out = new ArrayList<>();
        int type = first;
        int o = offset;
        while (type != 0) {
            int next = b[o] & 0xff;
            int len = (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
            out.add(new Payload(type, o, java.util.Arrays.copyOfRange(b, o, o + len),
                    java.util.Arrays.copyOfRange(b, o + 4, o + len)));
            if (type == 46 || type == 53) {
                break; // IKEv2 SK/SKF: the last payload; its next payload is the first inner one
            }
            type = next;
            o += len;
        }
        return out;
    }

    /** The bytes of the payloads after {@code p} to the end of the chain (IKEv1 "rest", without padding). */
    static byte[] after(byte[] plain, List<Payload> chain, Payload p) {
        Payload last = chain.get(chain.size() - 1);
        int from = p.offset() + p.whole().length;
        return java.util.Arrays.copyOfRange(plain, from, last.offset() + last.whole().length);
    }
}
