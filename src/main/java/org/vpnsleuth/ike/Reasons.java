package org.vpnsleuth.ike;

import java.util.List;

/** The first reason a parse stopped, in the order the fields are shown: what the payload records share. */
final class Reasons {
    private Reasons() {
    }

    /** Something parsed that may have stopped the parse, and why. */
    interface Reasoned extends java.io.Serializable {
        /** The first reason the parse gave for stopping, in the order the fields are shown; null when none. */
        String firstMalformed();
    }

    /** The first non-null reason among {@code reasons}. */
    static String first(String... reasons) {
        for (String r : reasons) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** The first reason of the first element of {@code l} that has one; null when none (or no list). */
    static String firstOf(List<? extends Reasoned> l) {
        if (l != null) {
            for (Reasoned x : l) {
                String r = x.firstMalformed();
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }
}
