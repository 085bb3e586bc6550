package org.vpnsleuth.ike;

import org.vpnsleuth.decode.Bytes;
import org.vpnsleuth.decode.FieldSink;
import org.vpnsleuth.decode.NameTable;

/** What the IKEv1 and IKEv2 payload decoders share: bounds checks, malformed reasons, the proposal list. */
final class PayloadFields {
    private PayloadFields() {
    }

    /** Proposals in one SA payload are capped here (the counts in the packet are not trusted). */
    static final int MAX_PROPOSALS = 256;

    /** Decodes one proposal at {@code pos} (bounded by {@code end}); false when malformed (reason emitted). */
    interface ProposalDecoder {
        boolean decode(byte[] b, int pos, int end, FieldSink out);
    }

    static void malformed(FieldSink out, String why) {
        out.text("malformed", why);
    }

    /** True when {@code n} bytes are there from {@code off}; otherwise emits why not. */
    static boolean need(FieldSink out, int off, int n, int end, String what) {
        if (end - off < n) {
            malformed(out, what + " needs " + n + " bytes, only " + Math.max(0, end - off) + " present");
            return false;
        }
        return true;
    }

    /** The registry name of {@code v}, or null (no table, unknown value, out of range). */
    static String name(NameTable t, long v) {
        return t == null || v < 0 || v > Integer.MAX_VALUE ? null : t.name((int) v);
    }

    /**
     * The proposal list of an SA payload (the same substructure layout in RFC 2408 §3.5 and RFC 7296
     * §3.3.1): each proposal's own length moves to the next, "last" (0) in its first byte ends the
     * list, and bytes left after the last proposal are reported.
     */
    static void proposals(byte[] b, int pos, int end, FieldSink out, ProposalDecoder decoder) {
        out.beginList("proposals");
        int n = 0;
        boolean ok = true;
        while (pos < end && n < MAX_PROPOSALS) {
            n++;
            out.begin(null);
            ok = decoder.decode(b, pos, end, out);
            int len = end - pos >= 4 ? Bytes.u16(b, pos + 2) : 0;
            int last = b[pos] & 0xff;
            out.end();
            if (!ok) {
                break;
            }
            pos += len;
            if (last == 0) {
                break;
            }
        }
        out.endList();
        if (ok && pos < end) {
            malformed(out, (end - pos) + " bytes after the last proposal");
        }
    }
}
