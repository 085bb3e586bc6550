package org.vpnsleuth.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The peer index against its definition: for random SAs between a few addresses (several
 * addresses per side, as NAT and captures on both sides of it give, equal start times, SAs listed
 * out of time order), "the SA of the peers up at t" equals a pass over every SA with
 * {@link IkeSa#between}, and "the SAs between a and b" is exactly the SAs for which it is true.
 */
class PeerIndexTest {
    private static IkeMessage message(long nanos) {
        return new IkeMessage(new FrameRef(0, 1, nanos), new Endpoint("192.0.2.1", 500), new Endpoint("192.0.2.2", 500),
                new IkeMessage.Header(2, 1, 0, 34, "IKE_SA_INIT", 0, 8, 300, false), "", 0);
    }

    /** The definition: the latest SA of the peers that started at or before t (first created on ties), else the earliest. */
    private static IkeSa bruteForce(List<IkeSa> all, String a, String b, long t) {
        IkeSa best = null;
        for (IkeSa sa : all) {
            if (sa.between(a, b) && sa.firstNanos() <= t && (best == null || sa.firstNanos() > best.firstNanos())) {
                best = sa;
            }
        }
        if (best == null) {
            for (IkeSa sa : all) {
                if (sa.between(a, b) && (best == null || sa.firstNanos() < best.firstNanos())) {
                    best = sa;
                }
            }
        }
        return best;
    }

    @Test
    void ownerEqualsAPassOverEverySa() {
        String[] addrs = {"192.0.2.1", "192.0.2.2", "198.51.100.7", "203.0.113.9", "2001:db8::1"};
        for (int seed = 0; seed < 200; seed++) {
            Random r = new Random(seed);
            PeerIndex index = new PeerIndex();
            List<IkeSa> all = new ArrayList<>();
            int n = 1 + r.nextInt(60);
            for (int i = 0; i < n; i++) {
                IkeSa sa = new IkeSa(1 + r.nextInt(2), r.nextLong(), i);
                sa.messages.add(message(r.nextInt(20) * 1_000_000_000L)); // coarse times: many ties
                sa.initiatorAddresses.add(addrs[r.nextInt(addrs.length)]);
                sa.responderAddresses.add(addrs[r.nextInt(addrs.length)]);
                index.update(sa);
                if (r.nextInt(4) == 0) { // a later address of one side (NAT float, second capture point)
                    (r.nextBoolean() ? sa.initiatorAddresses : sa.responderAddresses).add(addrs[r.nextInt(addrs.length)]);
                    index.update(sa);
                }
                all.add(sa);
            }
            for (int q = 0; q < 100; q++) {
                String a = addrs[r.nextInt(addrs.length)];
                String b = addrs[r.nextInt(addrs.length)];
                long t = r.nextInt(22) * 1_000_000_000L - 1_000_000_000L + (r.nextBoolean() ? 0 : 1);
                assertThat(index.at(a, b, t)).as("seed %d, %s-%s at %d", seed, a, b, t).isSameAs(bruteForce(all, a, b, t));
                List<IkeSa> expected = new ArrayList<>();
                for (IkeSa sa : all) {
                    if (sa.between(a, b)) {
                        expected.add(sa);
                    }
                }
                assertThat(index.between(a, b)).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(index.between(a, b)).isSortedAccordingTo(PeerIndex.BY_START);
            }
            // eviction forgets exactly the evicted SAs
            List<IkeSa> gone = new ArrayList<>(all.subList(0, all.size() / 2));
            index.removeAll(gone);
            all.removeAll(gone);
            for (String a : addrs) {
                for (String b : addrs) {
                    assertThat(index.at(a, b, 5_000_000_000L)).isSameAs(bruteForce(all, a, b, 5_000_000_000L));
                }
            }
        }
    }
}
