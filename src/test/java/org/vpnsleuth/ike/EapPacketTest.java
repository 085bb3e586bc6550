package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * EAP packets built byte for byte from their specifications (RFC 3748 §4-5, draft-kamath-pppext-
 * eap-mschapv2-02 §2 with the failure text of RFC 2759 §6, RFC 5216 §3.1, RFC 4187 §8.1/§11), decoded
 * into typed records with the names of the registries (IANA EAP registry, RFC 2759 §6 error codes).
 */
class EapPacketTest {
    /** code, identifier, length (computed), then the type data. */
    private static byte[] eap(int code, int id, byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int len = 4 + data.length;
        b.write(code);
        b.write(id);
        b.write(len >> 8);
        b.write(len & 0xff);
        b.writeBytes(data);
        return b.toByteArray();
    }

    private static byte[] cat(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                b.write(i);
            } else if (p instanceof String s) {
                b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            } else {
                b.writeBytes((byte[]) p);
            }
        }
        return b.toByteArray();
    }

    private static EapPacket parse(byte[] b) {
        return EapPacket.parse(b, 0, b.length);
    }

    @Test
    void identityNakMd5AndTheCodes() {
        EapPacket id = parse(eap(2, 7, cat(1, "alice")));
        assertThat(id.codeName()).isEqualTo("Response");
        assertThat(id.identifier()).isEqualTo(7);
        assertThat(id.method()).isEqualTo(new EapPacket.Identity("alice"));
        assertThat(id.words()).isEqualTo("Response/Identity 'alice'");
        // RFC 3748 §5.3.1: a Nak lists the types the peer wants; 4 = MD5-Challenge
        EapPacket nak = parse(eap(2, 8, cat(3, 4)));
        assertThat(nak.method()).isInstanceOf(EapPacket.Nak.class);
        assertThat(((EapPacket.Nak) nak.method()).desired()).containsExactly(4);
        assertThat(nak.words()).isEqualTo("Response/Legacy Nak wants EAP-MD5");
        // RFC 3748 §5.4: Value-Size 16, value, name
        EapPacket md5 = parse(eap(1, 9, cat(4, 16, new byte[16], "server")));
        assertThat(md5.method()).isEqualTo(new EapPacket.Md5Challenge(16, "server"));
        assertThat(parse(eap(3, 9, new byte[0])).codeName()).isEqualTo("Success");
        EapPacket failure = parse(eap(4, 9, new byte[0]));
        assertThat(failure.codeName()).isEqualTo("Failure");
        assertThat(failure.malformed()).isNull();
        assertThat(parse(eap(1, 1, cat(2, "password expires soon"))).method())
                .isEqualTo(new EapPacket.Notification("password expires soon"));
    }

    /** An EAP-MSCHAPv2 Failure request: OpCode 4, MS-CHAPv2-ID, MS-Length, then the RFC 2759 §6 text. */
    private static EapPacket mschapFailure(String text) {
        int msLen = 4 + text.length();
        return parse(eap(1, 0x42, cat(26, 4, 0x41, msLen >> 8, msLen & 0xff, text)));
    }

    @Test
    void msChapV2FailureCodesAreNamed() {
        EapPacket p = mschapFailure("E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=Authentication failed");
        EapPacket.MsChapV2 m = (EapPacket.MsChapV2) p.method();
        assertThat(m.opName()).isEqualTo("Failure");
        assertThat(m.msId()).isEqualTo(0x41);
        assertThat(m.error()).isEqualTo(691L);
        assertThat(m.errorName()).isEqualTo("ERROR_AUTHENTICATION_FAILURE");
        assertThat(m.retry()).isTrue();
        assertThat(m.challenge()).isEqualTo("00112233445566778899AABBCCDDEEFF");
        assertThat(m.version()).isEqualTo(3L);
        assertThat(m.text()).isEqualTo("Authentication failed");
        assertThat(p.error()).isEqualTo(691L);
        assertThat(p.words()).contains("EAP-MSCHAPv2 Failure E=691 ERROR_AUTHENTICATION_FAILURE R=1 V=3");
        // RFC 2759 §6: the other codes
        assertThat(((EapPacket.MsChapV2) mschapFailure("E=646 R=0 V=3").method()).errorName()).isEqualTo("ERROR_RESTRICTED_LOGON_HOURS");
        assertThat(((EapPacket.MsChapV2) mschapFailure("E=647 R=0 V=3").method()).errorName()).isEqualTo("ERROR_ACCT_DISABLED");
        assertThat(((EapPacket.MsChapV2) mschapFailure("E=648 R=0 V=3").method()).errorName()).isEqualTo("ERROR_PASSWD_EXPIRED");
        assertThat(((EapPacket.MsChapV2) mschapFailure("E=649 R=0 V=3").method()).errorName())
                .isEqualTo("ERROR_NO_DIALIN_PERMISSION");
        assertThat(((EapPacket.MsChapV2) mschapFailure("E=709 R=0 V=3").method()).errorName()).isEqualTo("ERROR_CHANGING_PASSWORD");
        // a peer's Success/Failure response is the OpCode alone
        EapPacket ack = parse(eap(2, 0x42, cat(26, 3)));
        assertThat(((EapPacket.MsChapV2) ack.method()).opName()).isEqualTo("Success");
        // a Challenge: Value-Size 16, the challenge, the server's name
        int msLen = 4 + 1 + 16 + 6;
        EapPacket ch = parse(eap(1, 5, cat(26, 1, 5, msLen >> 8, msLen & 0xff, 16, new byte[16], "strong")));
        assertThat(((EapPacket.MsChapV2) ch.method()).name()).isEqualTo("strong");
    }

    @Test
    void tlsMethodsAkaAndMalformedPackets() {
        // RFC 5216 §3.1: EAP-TLS Start (S bit 0x20, no data)
        EapPacket start = parse(eap(1, 3, cat(13, 0x20)));
        assertThat(start.typeName()).isEqualTo("EAP-TLS");
        assertThat(start.method()).isEqualTo(new EapPacket.Tls(0x20, null, 0));
        assertThat(start.words()).isEqualTo("Request/EAP-TLS Start, 0 bytes of TLS");
        // L bit: a 4-byte TLS Message Length follows the flags
        EapPacket frag = parse(eap(2, 4, cat(25, 0xc0, 0, 0, 0x10, 0, new byte[10])));
        assertThat(frag.typeName()).isEqualTo("PEAP");
        assertThat(frag.method()).isEqualTo(new EapPacket.Tls(0xc0, 4096L, 10));
        // RFC 4187 §11: subtype 1 AKA-Challenge
        EapPacket aka = parse(eap(1, 6, cat(23, 1, 0, 0)));
        assertThat(aka.method()).isEqualTo(new EapPacket.AkaSim(1, "AKA-Challenge"));
        assertThat(parse(new byte[] {1, 1, 0, 40, 1}).malformed()).contains("EAP length 40");
        assertThat(parse(new byte[] {1, 1}).malformed()).contains("needs 4");
        assertThat(parse(new byte[] {4, 1, 0, 5, 0}).malformed()).contains("must be 4");
    }
}
