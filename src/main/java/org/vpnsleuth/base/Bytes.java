package org.vpnsleuth.base;

/** Big-endian reads and hex formatting. Callers check bounds first. */
public final class Bytes {
    private Bytes() {
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public static int u8(byte[] b, int o) {
        return b[o] & 0xff;
    }

    public static int u16(byte[] b, int o) {
        return (b[o] & 0xff) << 8 | (b[o + 1] & 0xff);
    }

    public static int u24(byte[] b, int o) {
        return (b[o] & 0xff) << 16 | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff);
    }

    public static long u32(byte[] b, int o) {
        return ((long) (b[o] & 0xff) << 24) | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    public static int i32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    public static long u64(byte[] b, int o) {
        return (long) i32(b, o) << 32 | (i32(b, o + 4) & 0xffffffffL);
    }

    /** Lowercase hex without separators. */
    public static String hex(byte[] b, int o, int len) {
        char[] c = new char[len * 2];
        for (int i = 0; i < len; i++) {
            int v = b[o + i] & 0xff;
            c[2 * i] = HEX[v >>> 4];
            c[2 * i + 1] = HEX[v & 15];
        }
        return new String(c);
    }

    public static void appendHex(StringBuilder sb, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            sb.append(HEX[(int) (v >>> (4 * i)) & 15]);
        }
    }

    /**
     * {@code v} in lowercase hex, zero-padded to at least {@code width} digits: the same text as
     * {@code String.format("%0<width>x", v)} for a long (a negative value as its 16 two's-complement
     * digits), without the formatter's parsing and allocations.
     */
    public static String hexPadded(long v, int width) {
        int digits = v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 3) / 4;
        int n = Math.max(digits, width);
        char[] c = new char[n];
        for (int i = n - 1; i >= 0; i--) {
            c[i] = HEX[(int) v & 15];
            v >>>= 4;
        }
        return new String(c);
    }

    public static String hex32(long v) {
        StringBuilder sb = new StringBuilder(10).append("0x");
        appendHex(sb, v, 8);
        return sb.toString();
    }

    public static String hex16(int v) {
        StringBuilder sb = new StringBuilder(6).append("0x");
        appendHex(sb, v, 4);
        return sb.toString();
    }

    public static String ipv4(byte[] b, int o) {
        byte[] t = new byte[15];
        int n = 0;
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                t[n++] = '.';
            }
            int v = b[o + i] & 0xff;
            if (v >= 100) {
                t[n++] = (byte) ('0' + v / 100);
            }
            if (v >= 10) {
                t[n++] = (byte) ('0' + v / 10 % 10);
            }
            t[n++] = (byte) ('0' + v % 10);
        }
        return new String(t, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** RFC 5952 text form: lowercase, longest run of two or more zero groups compressed. */
    public static String ipv6(byte[] b, int o) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = u16(b, o + 2 * i);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        // IPv4-mapped addresses (::ffff:a.b.c.d) in the dotted form, as tshark and inet_ntop print them
        if (bestStart == 0 && bestLen == 5 && g[5] == 0xffff) {
            return "::ffff:" + ipv4(b, o + 12);
        }
        return sb.toString();
    }

    public static String mac(byte[] b, int o) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            appendHex(sb, b[o + i] & 0xff, 2);
        }
        return sb.toString();
    }
}
