package org.vpnsleuth.diagnose;

import org.vpnsleuth.track.FrameRef;

/** A frame and what in it proves the point ("N(NO_PROPOSAL_CHOSEN)", "MM5 sent 4 times"). */
public record Evidence(FrameRef at, String what) implements java.io.Serializable {
}
