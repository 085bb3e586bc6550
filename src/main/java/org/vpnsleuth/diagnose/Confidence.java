package org.vpnsleuth.diagnose;

/** How sure a finding is: HIGH when the wire says it outright (a cleartext notify), LOW when it is an inference. */
public enum Confidence {
    HIGH, MEDIUM, LOW
}
