package org.vpnsleuth.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.vpnsleuth.decode.FrameBuilder.cat;
import static org.vpnsleuth.decode.FrameBuilder.decode;
import static org.vpnsleuth.decode.FrameBuilder.eth;
import static org.vpnsleuth.decode.FrameBuilder.fields;
import static org.vpnsleuth.decode.FrameBuilder.hexBytes;
import static org.vpnsleuth.decode.FrameBuilder.ipv4;
import static org.vpnsleuth.decode.FrameBuilder.udp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.Frame;

/** PPP framing, PPPoE, LCP/IPCP/IPV6CP/CCP, PAP, CHAP (MS-CHAPv2), EAP and Multilink. */
class PppCodecsTest {
    static final int ETH = 1;
    static final int PPP = 9;
    static final int PPP_HDLC = 50;
    static final int PPP_PPPD = 166;
    static final int PPP_WITH_DIR = 204;
    static final Path CORPUS = Path.of("/work/shared/corpus/tcpdump");

    /** A PPP frame on link type 9: FF 03, protocol, body. */
    private static byte[] ppp(int proto, byte[] body) {
        return new FrameBuilder().hex("ff03").u16(proto).bytes(body).build();
    }

    /** code, identifier, length (computed), data: the RFC 1661 packet. */
    private static byte[] cp(int code, int id, byte[]... data) {
        byte[] d = cat(data);
        return new FrameBuilder().u8(code).u8(id).u16(4 + d.length).bytes(d).build();
    }

    private static byte[] opt(int type, String hexValue) {
        byte[] v = hexBytes(hexValue);
        return new FrameBuilder().u8(type).u8(2 + v.length).bytes(v).build();
    }

    private static byte[] ascii(String s) {
        return new FrameBuilder().ascii(s).build();
    }

    private static Packet onPpp(int proto, byte[] body) {
        return decode(PPP, ppp(proto, body));
    }

    // ---------------------------------------------------------------- PPP framing

    @Test
    void addressControlAndProtocolFieldCompression() {
        byte[] ip = ipv4(17, udp(1, 2, new byte[] {9}));
        Packet full = decode(PPP, ppp(0x0021, ip));
        assertThat(full.stack()).isEqualTo("ppp/ipv4/udp/data");
        Layer l = full.layer(0);
        assertThat(l.headerLength).isEqualTo(4);
        assertThat(fields(l)).containsEntry("addressControl", true).containsEntry("control", 0x03L)
                .containsEntry("protocolCompressed", false).containsEntry("protocol", 0x21L)
                .containsEntry("protocolName", "Internet Protocol version 4");
        // ACFC and PFC: the frame starts with the 1-byte protocol 0x21
        Packet compressed = decode(PPP, cat(new byte[] {0x21}, ip));
        assertThat(compressed.stack()).isEqualTo("ppp/ipv4/udp/data");
        assertThat(compressed.layer(0).headerLength).isEqualTo(1);
        assertThat(fields(compressed.layer(0))).containsEntry("addressControl", false)
                .containsEntry("protocolCompressed", true).containsEntry("protocol", 0x21L);
        // unknown protocol: data, named in the summary
        Packet unknown = decode(PPP, ppp(0xc025, new byte[] {1, 2}));
        assertThat(unknown.stack()).isEqualTo("ppp/data");
        assertThat(FrameBuilder.summary(unknown.layer(0))).isEqualTo("PPP Link Quality Report");
    }

    @Test
    void badControlFieldIsMalformed() {
        Packet p = decode(PPP, hexBytes("ff60 7e80 2101"));
        assertThat(p.layer(0).malformed).contains("control field 0x60");
        assertThat(fields(p.layer(0))).containsEntry("protocol", 0x7e80L);
    }

    @Test
    void directionByteOnPppWithDirAndPppd() {
        byte[] lcp = cp(9, 1, hexBytes("01020304"));
        for (int lt : new int[] {PPP_WITH_DIR, PPP_PPPD}) {
            Packet p = decode(lt, cat(new byte[] {1}, ppp(0xc021, lcp)));
            assertThat(p.stack()).isEqualTo("ppp/lcp");
            assertThat(p.layer(0).headerLength).isEqualTo(5);
            assertThat(fields(p.layer(0))).containsEntry("direction", 1L).containsEntry("directionName", "sent")
                    .containsEntry("protocol", 0xc021L);
        }
        // on link type 9 there is no direction byte
        assertThat(decode(PPP, ppp(0xc021, lcp)).layer(0).headerLength).isEqualTo(4);
    }

    @Test
    void pppHdlcLinkMayCarryCiscoHdlc() {
        byte[] ip = ipv4(17, udp(1, 2, new byte[] {9}));
        Packet c = decode(PPP_HDLC, cat(hexBytes("0f00 0800"), ip));
        assertThat(c.stack()).isEqualTo("chdlc/ipv4/udp/data");
        Packet m = decode(PPP_HDLC, cat(hexBytes("8f00 0800"), ip));
        assertThat(m.stack()).isEqualTo("chdlc/ipv4/udp/data");
        Packet p = decode(PPP_HDLC, ppp(0x0021, ip));
        assertThat(p.stack()).isEqualTo("ppp/ipv4/udp/data");
    }

    // ---------------------------------------------------------------- PPPoE

    @Test
    void pppoeSessionCarriesPppWithoutAddressControl() {
        byte[] lcp = cp(9, 106, hexBytes("0102030405060708 0a0b"));
        byte[] s = new FrameBuilder().u8(0x11).u8(0).u16(0x17).u16(2 + lcp.length).u16(0xc021).bytes(lcp).build();
        byte[] frame = cat(eth(0x8864, s), new byte[20]); // Ethernet padding after the PPPoE length
        Packet p = decode(ETH, frame);
        assertThat(p.stack()).isEqualTo("eth/pppoe/lcp");
        Layer l = p.find(Proto.PPPOE);
        assertThat(l.malformed).isNull();
        assertThat(l.headerLength).isEqualTo(8);
        assertThat(fields(l)).containsEntry("version", 1L).containsEntry("type", 1L).containsEntry("code", 0L)
                .containsEntry("sessionId", 0x17L).containsEntry("length", (long) (2 + lcp.length))
                .containsEntry("protocol", 0xc021L);
        assertThat(FrameBuilder.summary(l)).isEqualTo("PPPoE ses=0x0017");
        assertThat(fields(p.find(Proto.LCP))).containsEntry("codeName", "Echo-Request").containsEntry("identifier", 106L)
                .containsEntry("magicNumber", 0x01020304L).containsEntry("data", "050607080a0b");

        byte[] lie = new FrameBuilder().u8(0x11).u8(0).u16(1).u16(400).u16(0x0021).hex("4500").build();
        assertThat(decode(ETH, eth(0x8864, lie)).find(Proto.PPPOE).malformed).contains("claims 398 payload bytes");
        byte[] vt = new FrameBuilder().u8(0x22).u8(0).u16(1).u16(2).u16(0x0021).build();
        assertThat(decode(ETH, eth(0x8864, vt)).find(Proto.PPPOE).malformed).contains("version/type 0x22");
        byte[] empty = new FrameBuilder().u8(0x11).u8(0).u16(1).u16(0).build();
        assertThat(decode(ETH, eth(0x8864, empty)).find(Proto.PPPOE).malformed).contains("no PPP protocol field");
    }

    @Test
    void pppoeDiscoveryTags() {
        byte[] tags = new FrameBuilder().u16(0x0101).u16(0).u16(0x0102).u16(4).ascii("ac-1").u16(0x0103).u16(4)
                .hex("16372c16").u16(0x0120).u16(2).u16(1500).u16(0x0203).u16(4).ascii("oops").u16(0).u16(0).build();
        byte[] padi = new FrameBuilder().u8(0x11).u8(0x07).u16(0).u16(tags.length).bytes(tags).build();
        Packet p = decode(ETH, cat(eth(0x8863, padi), new byte[10]));
        assertThat(p.stack()).isEqualTo("eth/pppoed");
        Layer l = p.find(Proto.PPPOED);
        assertThat(l.malformed).isNull();
        assertThat(fields(l)).containsEntry("codeName", "PADO").containsEntry("tags[0].typeName", "Service-Name")
                .containsEntry("tags[0].value", "").containsEntry("tags[1].typeName", "AC-Name")
                .containsEntry("tags[1].value", "ac-1").containsEntry("tags[2].typeName", "Host-Uniq")
                .containsEntry("tags[2].value", "16372c16").containsEntry("tags[3].typeName", "PPP-Max-Payload")
                .containsEntry("tags[3].value", 1500L).containsEntry("tags[4].typeName", "Generic-Error")
                .containsEntry("tags[4].value", "oops").containsEntry("tags[5].typeName", "End-Of-List")
                .doesNotContainKey("tags[6].type");
        assertThat(FrameBuilder.summary(l)).isEqualTo("PPPoE PADO");

        byte[] padt = new FrameBuilder().u8(0x11).u8(0xa7).u16(0x3b).u16(0).build();
        assertThat(FrameBuilder.summary(decode(ETH, eth(0x8863, padt)).find(Proto.PPPOED)))
                .isEqualTo("PPPoE PADT ses=0x003b");
        byte[] overrun = new FrameBuilder().u8(0x11).u8(0x09).u16(0).u16(8).u16(0x0101).u16(60).u32(0).build();
        Layer o = decode(ETH, eth(0x8863, overrun)).find(Proto.PPPOED);
        assertThat(o.malformed).contains("Service-Name length 60 runs past the packet");
        assertThatCode(() -> fields(o)).doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------- LCP and NCPs

    @Test
    void lcpConfigureRequestOptions() {
        byte[] body = cp(1, 7, opt(1, "0578"), opt(2, "00000000"), opt(3, "c22305"), opt(5, "deadbeef"), opt(7, ""),
                opt(8, ""), opt(4, "c025 00000bb8"), opt(13, "06"), opt(17, "064e"), opt(19, "01 0a0b0c"),
                opt(3, "c223 81"), opt(3, "c023"), opt(99, "aa"));
        Packet p = onPpp(0xc021, body);
        assertThat(p.stack()).isEqualTo("ppp/lcp");
        Layer l = p.find(Proto.LCP);
        assertThat(l.malformed).isNull();
        Map<String, Object> f = fields(l);
        assertThat(f).containsEntry("code", 1L).containsEntry("codeName", "Configure-Request")
                .containsEntry("identifier", 7L).containsEntry("length", (long) body.length)
                .containsEntry("options[0].typeName", "Maximum-Receive-Unit").containsEntry("options[0].mru", 1400L)
                .containsEntry("options[1].accm", 0L)
                .containsEntry("options[2].authProtocol", 0xc223L)
                .containsEntry("options[2].authProtocolName", "Challenge Handshake Authentication Protocol")
                .containsEntry("options[2].algorithm", 5L).containsEntry("options[2].algorithmName", "CHAP with MD5")
                .containsEntry("options[3].magicNumber", 0xdeadbeefL)
                .containsEntry("options[4].typeName", "Protocol-Field-Compression")
                .containsEntry("options[5].typeName", "Address-and-Control-Field-Compression")
                .containsEntry("options[6].qualityProtocol", 0xc025L).containsEntry("options[6].reportingPeriod", 3000L)
                .containsEntry("options[7].operation", 6L).containsEntry("options[8].mrru", 1614L)
                .containsEntry("options[9].class", 1L).containsEntry("options[9].address", "0a0b0c")
                .containsEntry("options[10].algorithmName", "MS-CHAP-2")
                .containsEntry("options[11].authProtocolName", "Password Authentication Protocol")
                .containsEntry("options[12].type", 99L).containsEntry("options[12].value", "aa");
        assertThat(FrameBuilder.summary(l)).isEqualTo("LCP Configure-Request id=7");
        Packet ms = onPpp(0xc021, cp(4, 1, opt(3, "c22380")));
        assertThat(fields(ms.find(Proto.LCP))).containsEntry("codeName", "Configure-Reject")
                .containsEntry("options[0].algorithmName", "MS-CHAP");
    }

    @Test
    void lcpOtherCodes() {
        assertThat(fields(onPpp(0xc021, cp(5, 2, ascii("bye"))).find(Proto.LCP)))
                .containsEntry("codeName", "Terminate-Request").containsEntry("data", "627965");
        assertThat(fields(onPpp(0xc021, cp(6, 2)).find(Proto.LCP))).containsEntry("codeName", "Terminate-Ack");
        assertThat(fields(onPpp(0xc021, cp(7, 3, hexBytes("20010004"))).find(Proto.LCP)))
                .containsEntry("codeName", "Code-Reject").containsEntry("rejectedPacket", "20010004");
        assertThat(fields(onPpp(0xc021, cp(8, 4, hexBytes("80fd 0101 0004"))).find(Proto.LCP)))
                .containsEntry("codeName", "Protocol-Reject").containsEntry("rejectedProtocol", 0x80fdL)
                .containsEntry("rejectedProtocolName", "Compression Control Protocol")
                .containsEntry("rejectedInformation", "01010004");
        assertThat(fields(onPpp(0xc021, cp(10, 5, hexBytes("11223344"))).find(Proto.LCP)))
                .containsEntry("codeName", "Echo-Reply").containsEntry("magicNumber", 0x11223344L);
        assertThat(fields(onPpp(0xc021, cp(11, 5, hexBytes("11223344 ff"))).find(Proto.LCP)))
                .containsEntry("codeName", "Discard-Request").containsEntry("data", "ff");
        assertThat(fields(onPpp(0xc021, cp(12, 6, hexBytes("11223344"), ascii("MSRASV5.20"))).find(Proto.LCP)))
                .containsEntry("codeName", "Identification").containsEntry("message", "MSRASV5.20");
        assertThat(fields(onPpp(0xc021, cp(13, 7, hexBytes("11223344 00000e10"), ascii("hour"))).find(Proto.LCP)))
                .containsEntry("codeName", "Time-Remaining").containsEntry("secondsRemaining", 3600L)
                .containsEntry("message", "hour");
        Layer shortEcho = onPpp(0xc021, cp(9, 1, hexBytes("11"))).find(Proto.LCP);
        assertThat(shortEcho.malformed).contains("no room for the magic number");
    }

    @Test
    void ipcpIpv6cpAndCcpOptions() {
        byte[] ipcp = cp(1, 1, opt(3, "00000000"), opt(129, "08080808"), opt(131, "08080404"), opt(130, "0a000001"),
                opt(132, "0a000002"), opt(2, "002d 0f01"));
        Map<String, Object> f = fields(onPpp(0x8021, ipcp).find(Proto.IPCP));
        assertThat(f).containsEntry("options[0].typeName", "IP-Address").containsEntry("options[0].address", "0.0.0.0")
                .containsEntry("options[1].typeName", "Primary DNS Server Address")
                .containsEntry("options[1].address", "8.8.8.8").containsEntry("options[2].address", "8.8.4.4")
                .containsEntry("options[3].typeName", "Primary NBNS Server Address")
                .containsEntry("options[4].typeName", "Secondary NBNS Server Address")
                .containsEntry("options[5].compressionProtocol", 0x2dL)
                .containsEntry("options[5].compressionProtocolName", "Van Jacobson Compressed TCP/IP")
                .containsEntry("options[5].data", "0f01");
        byte[] v6 = cp(2, 1, opt(1, "0211 22ff fe33 4455"));
        assertThat(fields(onPpp(0x8057, v6).find(Proto.IPV6CP))).containsEntry("codeName", "Configure-Ack")
                .containsEntry("options[0].typeName", "Interface-Identifier")
                .containsEntry("options[0].interfaceId", "021122fffe334455");
        byte[] ccp = cp(1, 1, opt(18, "01000040"), opt(26, "7800"));
        Packet c = onPpp(0x80fd, ccp);
        assertThat(c.stack()).isEqualTo("ppp/ccp");
        assertThat(fields(c.find(Proto.CCP))).containsEntry("options[0].typeName", "Microsoft PPE/PPC")
                .containsEntry("options[0].supportedBits", 0x01000040L).containsEntry("options[0].stateless", true)
                .containsEntry("options[0].mppe128", true).containsEntry("options[0].mppe40", false)
                .containsEntry("options[0].mppc", false).containsEntry("options[1].typeName", "Deflate")
                .containsEntry("options[1].value", "7800");
        assertThat(fields(onPpp(0x80fd, cp(14, 9)).find(Proto.CCP))).containsEntry("codeName", "Reset-Request");
        // LCP-only codes are not named for an NCP
        assertThat(fields(onPpp(0x8021, cp(9, 9, hexBytes("00000000"))).find(Proto.IPCP))).doesNotContainKey("codeName");
    }

    @Test
    void optionLengthsThatLie() {
        Layer zero = onPpp(0xc021, cp(1, 1, opt(1, "0578"), hexBytes("0500 deadbeef"))).find(Proto.LCP);
        assertThat(zero.malformed).contains("option Magic-Number length 0 is below 2");
        assertThatCode(() -> fields(zero)).doesNotThrowAnyException();
        Layer over = onPpp(0xc021, cp(1, 1, hexBytes("0520 deadbeef"))).find(Proto.LCP);
        assertThat(over.malformed).contains("option Magic-Number length 32 runs past the packet (6 bytes left)");
        Layer mru = onPpp(0xc021, cp(1, 1, hexBytes("0103 05"))).find(Proto.LCP);
        assertThat(mru.malformed).contains("Maximum-Receive-Unit length 3, must be 4");
        assertThat(fields(mru)).containsEntry("options[0].value", "05").doesNotContainKey("options[0].mru");
        Layer len = onPpp(0xc021, hexBytes("0101 0002")).find(Proto.LCP);
        assertThat(len.malformed).contains("LCP length 2 is below the 4-byte header");
        Layer lie = onPpp(0xc021, hexBytes("0101 0040 0104 0578")).find(Proto.LCP);
        assertThat(lie.malformed).contains("claims 60 payload bytes, only 4 present");
        assertThat(lie.truncated).isTrue();
    }

    // ---------------------------------------------------------------- PAP

    @Test
    void papNeverShowsThePassword() {
        byte[] req = cp(1, 3, new byte[] {5}, ascii("alice"), new byte[] {6}, ascii("s3cret"));
        Packet p = onPpp(0xc023, req);
        assertThat(p.stack()).isEqualTo("ppp/pap");
        Layer l = p.find(Proto.PAP);
        assertThat(l.malformed).isNull();
        Map<String, Object> f = fields(l);
        assertThat(f).containsEntry("codeName", "Authenticate-Request").containsEntry("identifier", 3L)
                .containsEntry("peerIdLength", 5L).containsEntry("peerId", "alice").containsEntry("passwordLength", 6L);
        String everything = f.toString() + FrameBuilder.summary(l);
        assertThat(everything).doesNotContain("s3cret").doesNotContain("733363726574");
        assertThat(FrameBuilder.summary(l)).isEqualTo("PAP Authenticate-Request id=3 peer=alice");

        Packet ack = onPpp(0xc023, cp(2, 3, new byte[] {8}, ascii("Login ok")));
        assertThat(fields(ack.find(Proto.PAP))).containsEntry("codeName", "Authenticate-Ack")
                .containsEntry("message", "Login ok");
        Layer bad = onPpp(0xc023, cp(1, 3, new byte[] {5}, ascii("alice"), new byte[] {60}, ascii("s3"))).find(Proto.PAP);
        assertThat(bad.malformed).contains("Passwd-Length 60 runs past the packet");
        assertThat(fields(bad).toString()).doesNotContain("s3");
        Layer noPw = onPpp(0xc023, cp(1, 3, new byte[] {9}, ascii("alice"))).find(Proto.PAP);
        assertThat(noPw.malformed).contains("Peer-ID length 9 leaves no room");
    }

    // ---------------------------------------------------------------- CHAP and MS-CHAPv2

    @Test
    void chapChallengeAndMd5Response() {
        byte[] ch = cp(1, 1, new byte[] {16}, hexBytes("00112233445566778899aabbccddeeff"), ascii("srv"));
        Layer c = onPpp(0xc223, ch).find(Proto.CHAP);
        assertThat(fields(c)).containsEntry("codeName", "Challenge").containsEntry("valueSize", 16L)
                .containsEntry("value", "00112233445566778899aabbccddeeff").containsEntry("name", "srv");
        assertThat(FrameBuilder.summary(c)).isEqualTo("CHAP Challenge id=1 name=srv");
        byte[] md5 = cp(2, 1, new byte[] {16}, hexBytes("ffeeddccbbaa99887766554433221100"), ascii("bob"));
        assertThat(fields(onPpp(0xc223, md5).find(Proto.CHAP))).containsEntry("codeName", "Response")
                .containsEntry("value", "ffeeddccbbaa99887766554433221100").containsEntry("name", "bob")
                .doesNotContainKey("ntResponse");
        Layer over = onPpp(0xc223, cp(1, 1, new byte[] {40}, hexBytes("0011"))).find(Proto.CHAP);
        assertThat(over.malformed).contains("Value-Size 40 runs past the packet");
    }

    @Test
    void msChapV2ResponseSuccessAndFailure() {
        byte[] peer = hexBytes("0102030405060708090a0b0c0d0e0f10");
        byte[] nt = hexBytes("a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8");
        byte[] resp = cp(2, 9, new byte[] {49}, peer, new byte[8], nt, new byte[] {0}, ascii("alice"));
        Map<String, Object> f = fields(onPpp(0xc223, resp).find(Proto.CHAP));
        assertThat(f).containsEntry("valueSize", 49L).containsEntry("variant", "MS-CHAPv2")
                .containsEntry("peerChallenge", "0102030405060708090a0b0c0d0e0f10")
                .containsEntry("reserved", "0000000000000000")
                .containsEntry("ntResponse", "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8")
                .containsEntry("flags", 0L).containsEntry("name", "alice");

        String auth = "407A5589115FD0D6209F510FE9C04566932CDA56";
        Map<String, Object> ok = fields(onPpp(0xc223, cp(3, 9, ascii("S=" + auth + " M=Welcome home"))).find(Proto.CHAP));
        assertThat(ok).containsEntry("codeName", "Success").containsEntry("authenticatorResponse", auth)
                .containsEntry("successMessage", "Welcome home");

        String fail = "E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=Authentication failure";
        Map<String, Object> no = fields(onPpp(0xc223, cp(4, 9, ascii(fail))).find(Proto.CHAP));
        assertThat(no).containsEntry("codeName", "Failure").containsEntry("message", fail)
                .containsEntry("errorCode", 691L).containsEntry("errorCodeName", "ERROR_AUTHENTICATION_FAILURE")
                .containsEntry("retry", true).containsEntry("challenge", "00112233445566778899AABBCCDDEEFF")
                .containsEntry("version", 3L).containsEntry("failureMessage", "Authentication failure");
        int[] codes = {646, 647, 648, 649, 709};
        String[] names = {"ERROR_RESTRICTED_LOGON_HOURS", "ERROR_ACCT_DISABLED", "ERROR_PASSWD_EXPIRED",
            "ERROR_NO_DIALIN_PERMISSION", "ERROR_CHANGING_PASSWORD"};
        for (int i = 0; i < codes.length; i++) {
            Map<String, Object> e = fields(onPpp(0xc223, cp(4, 1, ascii("E=" + codes[i] + " R=0 V=3"))).find(Proto.CHAP));
            assertThat(e).containsEntry("errorCodeName", names[i]).containsEntry("retry", false);
        }
        // garbage after E= does not throw
        assertThatCode(() -> fields(onPpp(0xc223, cp(4, 1, ascii("E=x R= C V=99999999999999999 M"))).find(Proto.CHAP)))
                .doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------- EAP

    @Test
    void eapPackets() {
        Packet id = onPpp(0xc227, cp(2, 1, new byte[] {1}, ascii("user@example.net")));
        assertThat(id.stack()).isEqualTo("ppp/eap");
        Layer l = id.find(Proto.EAP);
        assertThat(fields(l)).containsEntry("codeName", "Response").containsEntry("type", 1L)
                .containsEntry("typeName", "Identity").containsEntry("identity", "user@example.net");
        assertThat(FrameBuilder.summary(l)).isEqualTo("EAP Response id=1 Identity");
        assertThat(fields(onPpp(0xc227, cp(1, 2, new byte[] {26}, hexBytes("0102"))).find(Proto.EAP)))
                .containsEntry("typeName", "MS-EAP-Authentication").containsEntry("typeData", "0102");
        assertThat(fields(onPpp(0xc227, cp(1, 2, new byte[] {29})).find(Proto.EAP)))
                .containsEntry("typeName", "EAP-MSCHAP-V2");
        assertThat(fields(onPpp(0xc227, cp(2, 2, new byte[] {3, 13, 25})).find(Proto.EAP)))
                .containsEntry("typeName", "Legacy Nak").containsEntry("desiredTypes[0]", 13L)
                .containsEntry("desiredTypes[1]", 25L);
        assertThat(fields(onPpp(0xc227, cp(1, 3, new byte[] {4, 2, 0x11, 0x22}, ascii("srv"))).find(Proto.EAP)))
                .containsEntry("typeName", "MD5-Challenge").containsEntry("value", "1122").containsEntry("name", "srv");
        Layer ok = onPpp(0xc227, cp(3, 3)).find(Proto.EAP);
        assertThat(ok.malformed).isNull();
        assertThat(fields(ok)).containsEntry("codeName", "Success");
        assertThat(onPpp(0xc227, cp(1, 4)).find(Proto.EAP).malformed).contains("without a Type");
        assertThat(onPpp(0xc227, cp(4, 4, new byte[] {1})).find(Proto.EAP).malformed).contains("must be 4");
        assertThat(onPpp(0xc227, hexBytes("0101 0100 01")).find(Proto.EAP).malformed).contains("claims 252 payload bytes");
    }

    // ---------------------------------------------------------------- Multilink

    @Test
    void multilinkLongSequenceFormat() {
        byte[] ip = ipv4(17, udp(1, 2, new byte[] {9}));
        byte[] whole = new FrameBuilder().u8(0xc0).u24(0x000102).u16(0x0021).bytes(ip).build();
        Packet p = onPpp(0x003d, whole);
        assertThat(p.stack()).isEqualTo("ppp/mlppp/ppp/ipv4/udp/data");
        Layer m = p.find(Proto.MLPPP);
        assertThat(fields(m)).containsEntry("begin", true).containsEntry("end", true).containsEntry("seq", 0x102L)
                .containsEntry("reserved", 0L);
        assertThat(FrameBuilder.summary(m)).isEqualTo("MLPPP seq=258 B E");
        byte[] middle = new FrameBuilder().u8(0x00).u24(7).hex("0102030405").build();
        assertThat(onPpp(0x003d, middle).stack()).isEqualTo("ppp/mlppp/data");
        assertThat(onPpp(0x003d, hexBytes("80")).find(Proto.MLPPP).malformed).contains("needs 4 bytes");
    }

    @Test
    void neverThrowsOnPrefixesAndMutations() {
        List<byte[]> frames = List.of(
                ppp(0xc021, cp(1, 7, opt(1, "0578"), opt(3, "c22381"), opt(19, "010a"))),
                ppp(0x8021, cp(1, 1, opt(3, "00000000"), opt(2, "002d0f01"))),
                ppp(0x80fd, cp(1, 1, opt(18, "01000040"))),
                ppp(0xc023, cp(1, 3, new byte[] {5}, ascii("alice"), new byte[] {6}, ascii("s3cret"))),
                ppp(0xc223, cp(2, 9, new byte[] {49}, new byte[49], ascii("alice"))),
                ppp(0xc223, cp(4, 9, ascii("E=691 R=1 C=00 V=3 M=x"))),
                ppp(0xc227, cp(2, 1, new byte[] {3, 4, 5})),
                ppp(0x003d, new FrameBuilder().u8(0xc0).u24(1).u16(0xc021).bytes(cp(9, 1, new byte[4])).build()));
        for (byte[] f : frames) {
            for (int cut = 0; cut <= f.length; cut++) {
                for (int flip = 0; flip < Math.min(cut, 12); flip++) {
                    byte[] b = Arrays.copyOf(f, cut);
                    b[flip] ^= (byte) 0x5a;
                    for (int lt : new int[] {PPP, PPP_WITH_DIR, PPP_HDLC}) {
                        assertThatCode(() -> {
                            Packet p = decode(lt, b);
                            for (int i = 0; i < p.count(); i++) {
                                fields(p.layer(i));
                                FrameBuilder.summary(p.layer(i));
                            }
                        }).doesNotThrowAnyException();
                    }
                    byte[] e = eth(0x8864, cat(new byte[] {0x11, 0, 0, 1, 0, (byte) b.length}, b));
                    assertThatCode(() -> decode(ETH, e)).doesNotThrowAnyException();
                    byte[] d = eth(0x8863, cat(new byte[] {0x11, 9, 0, 0, 0, (byte) b.length}, b));
                    assertThatCode(() -> {
                        Packet p = decode(ETH, d);
                        for (int i = 0; i < p.count(); i++) {
                            fields(p.layer(i));
                        }
                    }).doesNotThrowAnyException();
                }
            }
        }
    }

    // ---------------------------------------------------------------- tcpdump's corpus

    private static List<Frame> corpus(String name) throws Exception {
        Path f = CORPUS.resolve(name);
        Assumptions.assumeTrue(Files.exists(f), "corpus absent");
        return FrameBuilder.read(f);
    }

    private static Packet first(String name) throws Exception {
        Packet p = new Packet();
        new Decoder().decode(corpus(name).get(0), p);
        return p;
    }

    @Test
    void pppoeDiscoveryCapture() throws Exception {
        // tcpdump pppoe.out: "PPPoE PADI [Service-Name] [PPP-Max-Payload 0x05DC] [Host-Uniq 0x16372C16]"
        Packet p = first("pppoe.pcap");
        assertThat(p.stack()).isEqualTo("eth/pppoed");
        assertThat(fields(p.find(Proto.PPPOED))).containsEntry("codeName", "PADI")
                .containsEntry("tags[0].typeName", "Service-Name").containsEntry("tags[0].value", "")
                .containsEntry("tags[1].typeName", "PPP-Max-Payload").containsEntry("tags[1].value", 0x05dcL)
                .containsEntry("tags[2].typeName", "Host-Uniq").containsEntry("tags[2].value", "16372c16");
    }

    @Test
    void pppoeSessionCapture() throws Exception {
        // tcpdump pppoes.out: "PPPoE [ses 0x17] LCP, Echo-Request (0x09), id 106, length 14",
        // "PPPoE [ses 0x3b] LCP, Echo-Request (0x09), id 103, length 14"
        List<Frame> frames = corpus("pppoes.pcap");
        long[][] expect = {{0x17, 106}, {0x3b, 103}};
        Decoder d = new Decoder();
        for (int i = 0; i < 2; i++) {
            Packet p = new Packet();
            d.decode(frames.get(i), p);
            assertThat(p.stack()).isEqualTo("eth/pppoe/lcp");
            assertThat(fields(p.find(Proto.PPPOE))).containsEntry("sessionId", expect[i][0]);
            Layer lcp = p.find(Proto.LCP);
            assertThat(lcp.headerLength + lcp.payloadLength + 2).isEqualTo(14); // tcpdump counts the protocol field
            assertThat(fields(lcp)).containsEntry("codeName", "Echo-Request").containsEntry("identifier", expect[i][1]);
        }
    }

    @Test
    void invalidLengthsCaptures() throws Exception {
        // tcpdump ppp-invalid-lengths.out: "IPCP, Conf-Nack (0x03), id 128 ... encoded length 8451,
        // IP-Comp Option (0x02), length 218: IP Header Compression (0x61)"
        Packet p = first("ppp-invalid-lengths.pcap");
        assertThat(p.stack()).isEqualTo("ppp/ipcp");
        Layer ipcp = p.find(Proto.IPCP);
        assertThat(fields(ipcp)).containsEntry("codeName", "Configure-Nak").containsEntry("identifier", 128L)
                .containsEntry("length", 8451L).containsEntry("options[0].typeName", "IP-Compression-Protocol")
                .containsEntry("options[0].length", 218L).containsEntry("options[0].compressionProtocol", 0x61L)
                .containsEntry("options[1].type", 0x7bL).containsEntry("options[1].length", 123L);
        // tcpdump ppp_ccp_config_deflate_option_asan.out: "CCP, Conf-Request (0x01), id 223 ... encoded length 15,
        // MVRCA Option (0x18), length 5 [|ppp]": cut by the snaplen
        Packet c = first("ppp_ccp_config_deflate_option_asan.pcap");
        assertThat(c.stack()).isEqualTo("eth/ppp/ccp");
        Layer ccp = c.find(Proto.CCP);
        assertThat(ccp.truncated).isTrue();
        assertThat(ccp.malformed).isNull();
        assertThat(fields(ccp)).containsEntry("identifier", 223L).containsEntry("length", 15L)
                .containsEntry("options[0].typeName", "Magnalink MVRCA").containsEntry("options[0].length", 5L);
        // tcpdump ppp_error_hexdump.out "unknown PPP protocol (0x7e80)", ppp_ip_udp_dns.out "(0x7e08)"
        assertThat(fields(first("ppp_error_hexdump.pcap").layer(0))).containsEntry("protocol", 0x7e80L);
        assertThat(fields(first("ppp_ip_udp_dns.pcap").layer(0))).containsEntry("protocol", 0x7e08L);
        // mlppp-oobr.out "MLPPP, [|mlppp]", heapoverflow-ppp_hdlc_if_print.out "[|ppp_hdlc]": cut, never thrown
        Packet m = first("mlppp-oobr.pcap");
        assertThat(m.stack()).isEqualTo("ppp/mlppp");
        assertThat(m.find(Proto.MLPPP).truncated).isTrue();
        assertThat(m.malformed()).isFalse();
        assertThatCode(() -> first("heapoverflow-ppp_hdlc_if_print.pcap")).doesNotThrowAnyException();
    }
}
