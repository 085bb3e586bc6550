package org.vpnsleuth.crypto;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Hex strings of test vectors (spaces ignored) and ASCII strings as bytes. */
final class Hex {
    private Hex() {
    }

    static byte[] b(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", "").replace("\n", "").toLowerCase());
    }

    static String s(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] repeat(int value, int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** 0x00, 0x01, ..., n-1. */
    static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
