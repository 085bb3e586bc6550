package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.base.Bytes;

/** The dotted-quad text of every octet value in every position equals the JDK's own formatting. */
class BytesIpv4Test {
    @Test
    void everyOctetValueAsTheJdkWritesIt() throws Exception {
        byte[] b = new byte[6];
        for (int v = 0; v < 256; v++) {
            for (int pos = 0; pos < 4; pos++) {
                b[1] = 10;
                b[2] = (byte) 200;
                b[3] = 7;
                b[4] = 99;
                b[1 + pos] = (byte) v;
                String jdk = InetAddress.getByAddress(new byte[] {b[1], b[2], b[3], b[4]}).getHostAddress();
                assertThat(Bytes.ipv4(b, 1)).isEqualTo(jdk);
            }
        }
    }
}
