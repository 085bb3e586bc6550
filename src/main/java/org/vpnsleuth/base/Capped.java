package org.vpnsleuth.base;

import java.util.List;

/**
 * Lists shown up to a limit: what is left out is counted and said, always at the end and always
 * as "and N more", never dropped silently.
 */
public final class Capped {
    private Capped() {
    }

    /** Frame numbers shown in one warning line at most. */
    public static final int FRAMES_SHOWN = 10;

    /** "[1, 2, 3]", or past {@link #FRAMES_SHOWN} numbers "[1, 2, ..., 10] and 502 more". */
    public static String frames(long[] frames) {
        StringBuilder sb = new StringBuilder("[");
        int shown = Math.min(frames.length, FRAMES_SHOWN);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(frames[i]);
        }
        sb.append(']');
        if (frames.length > shown) {
            sb.append(String.format(" and %,d more", frames.length - shown));
        }
        return sb.toString();
    }

    /** Each item's text after {@code word} ("incomplete " + datagram). */
    public static List<String> prefixed(String word, List<?> items) {
        return items.stream().map(x -> word + x).toList();
    }

    /**
     * Adds the first {@code show} of {@code items} to {@code out}, each as {@code prefix + item},
     * then, when any were left out here or before ({@code notKept}: dropped where they were
     * collected), one line {@code prefix + "and N more " + noun}.
     */
    public static void add(List<String> out, List<?> items, long notKept, int show, String prefix, String noun) {
        int n = Math.min(show, items.size());
        for (int i = 0; i < n; i++) {
            out.add(prefix + items.get(i));
        }
        long more = items.size() - n + notKept;
        if (more > 0) {
            out.add(String.format("%sand %,d more %s", prefix, more, noun));
        }
    }
}
