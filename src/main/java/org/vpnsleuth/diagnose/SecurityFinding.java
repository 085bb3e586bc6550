package org.vpnsleuth.diagnose;

import org.vpnsleuth.track.FrameRef;

/**
 * One thing that is weak in what the peers negotiated or offered (docs/security.md): a code
 * (WEAK_ENCRYPTION, WEAK_DH_GROUP, NO_PFS, IKEV1, ...), how serious, a sentence naming the
 * algorithm or fact, whether the weak option was only {@code "offered"} or {@code "chosen"}
 * (negotiated, or in use), the RFC requirement level it breaks ({@code status}, null when no RFC
 * gives one), the RFC section cited, and the frame that shows it. Never carries a secret.
 */
public record SecurityFinding(String code, Severity severity, String what, String offeredOrChosen, String status,
        String reference, FrameRef at) implements java.io.Serializable {

    /** How serious: from the RFC status (MUST NOT high, SHOULD NOT medium, MAY and MUST- low), one step lower when only offered. */
    public enum Severity {
        HIGH, MEDIUM, LOW, INFO;

        /** One step lower (a weak option offered, not chosen); INFO stays INFO. */
        public Severity lower() {
            return this == INFO ? INFO : values()[ordinal() + 1];
        }

        /** The severity an RFC requirement level gives a weak algorithm that is negotiated. */
        public static Severity of(String status) {
            return switch (status) {
                case "MUST NOT" -> HIGH;
                case "SHOULD NOT" -> MEDIUM;
                case "MUST", "SHOULD", "SHOULD+" -> INFO;
                default -> LOW; // MAY, MUST-
            };
        }
    }

    public static final String OFFERED = "offered";
    public static final String CHOSEN = "chosen";
}
