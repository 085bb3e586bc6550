package org.vpnsleuth.diagnose;

import java.util.List;

/**
 * One thing the diagnosis found: its cause, how sure it is, where the negotiation was
 * ({@code stoppedAt}), a one-line headline, the explanation in an engineer's terms, the fix to try,
 * the evidence, other causes that the same evidence allows, and whether the peers recovered from
 * it (an INVALID_KE_PAYLOAD followed by success is a finding on an established SA).
 */
public record Finding(Cause cause, Confidence confidence, String stoppedAt, String headline, String explanation,
        String fix, List<Evidence> evidence, List<Cause> alternatives, boolean recovered) implements java.io.Serializable {
}
