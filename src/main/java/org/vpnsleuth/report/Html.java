package org.vpnsleuth.report;

/**
 * HTML escaping for every string that reaches the HTML report. Text from a capture is hostile
 * (identities, vendor IDs, certificate names, L2TP host names, PPP messages): it is escaped for
 * text and for quoted attribute values alike, and control characters (which HTML cannot carry)
 * become U+FFFD.
 */
final class Html {
    private Html() {
    }

    /** {@code s} escaped for an element's text or a double- or single-quoted attribute value; "" for null. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || Character.isSurrogate(c) && !validSurrogate(s, i)
                        ? "\uFFFD" : null;
            };
            if (r != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (r != null) {
                    sb.append(r);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** {@code s} cut to {@code max} characters with an ellipsis (for a line in an SVG, whose text does not wrap). */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }
}
