package org.vpnsleuth.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link DerNames}: X.501 Names, X.509 GeneralNames and certificate subject/issuer. Real certificates
 * are checked against openssl; everything else is built byte by byte from X.690 (DER) and RFC 5280.
 */
class DerNamesTest {

    // ------------------------------------------------------------ DER building (X.690 §8.1, §10.1)

    static byte[] h(String hex) {
        hex = hex.replace(" ", "");
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** One element: identifier octet, definite length in the fewest octets (X.690 §10.1), contents. */
    static byte[] der(int tag, byte[]... contents) {
        byte[] c = cat(contents);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(tag);
        int n = c.length;
        if (n < 0x80) {
            o.write(n);
        } else if (n < 0x100) {
            o.write(0x81);
            o.write(n);
        } else if (n < 0x10000) {
            o.write(0x82);
            o.write(n >>> 8);
            o.write(n);
        } else {
            o.write(0x83);
            o.write(n >>> 16);
            o.write(n >>> 8);
            o.write(n);
        }
        o.writeBytes(c);
        return o.toByteArray();
    }

    static byte[] seq(byte[]... c) {
        return der(0x30, c);
    }

    static byte[] set(byte[]... c) {
        return der(0x31, c);
    }

    /** AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY } (RFC 5280 §4.1.2.4). */
    static byte[] atv(byte[] type, byte[] value) {
        return seq(type, value);
    }

    /** An RDN of one attribute. */
    static byte[] rdn(byte[] type, byte[] value) {
        return set(atv(type, value));
    }

    static byte[] utf8(String s) {
        return der(0x0c, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] printable(String s) {
        return der(0x13, s.getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] ia5(String s) {
        return der(0x16, s.getBytes(StandardCharsets.US_ASCII));
    }

    // attribute types, id-at = 2.5.4 (RFC 5280 appendix A): 2*40+5 = 0x55, 4, n
    static final byte[] CN = h("06 03 55 04 03");
    static final byte[] C = h("06 03 55 04 06");
    static final byte[] L = h("06 03 55 04 07");
    static final byte[] O = h("06 03 55 04 0a");
    static final byte[] OU = h("06 03 55 04 0b");
    /** domainComponent 0.9.2342.19200300.100.1.25 (RFC 4519): 2342 = 0x92 0x26, 19200300 = 0x89 0x93 0xf2 0x2c. */
    static final byte[] DC = h("06 0a 09 92 26 89 93 f2 2c 64 01 19");
    /** 1.3.6.1.4.1.99999.1, not in the table: 1*40+3 = 0x2b, 99999 = 6·128² + 13·128 + 31 = 0x86 0x8d 0x1f. */
    static final byte[] PRIVATE_OID = h("06 09 2b 06 01 04 01 86 8d 1f 01");

    static DerNames.Result name(byte[] b) {
        return DerNames.name(b, 0, b.length);
    }

    static void assertText(DerNames.Result r, String text) {
        assertThat(r.malformed()).as("malformed").isNull();
        assertThat(r.text()).isEqualTo(text);
    }

    static void assertBad(DerNames.Result r, String reasonPart) {
        assertThat(r.text()).as("text of a malformed input").isNull();
        assertThat(r.malformed()).isNotNull().isNotEmpty().contains(reasonPart);
    }

    // ------------------------------------------------------------ real certificates against openssl

    /** The DER of a PEM file (RFC 7468): the base64 between the BEGIN and END lines. */
    static byte[] pem(Path f) throws IOException {
        StringBuilder b64 = new StringBuilder();
        boolean in = false;
        for (String line : Files.readAllLines(f, StandardCharsets.US_ASCII)) {
            if (line.startsWith("-----BEGIN CERTIFICATE-----")) {
                in = true;
            } else if (line.startsWith("-----END CERTIFICATE-----")) {
                break;
            } else if (in) {
                b64.append(line.trim());
            }
        }
        assertThat(b64).as("PEM certificate in %s", f).isNotEmpty();
        return Base64.getDecoder().decode(b64.toString());
    }

    static String opensslPath() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, "openssl");
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        File f = new File("/usr/bin/openssl");
        return f.canExecute() ? f.getPath() : null;
    }

    /** {subject, issuer} as openssl prints them with {@code -nameopt sep_comma_plus_space}. */
    static String[] opensslNames(String openssl, Path cert) throws Exception {
        Process p = new ProcessBuilder(openssl, "x509", "-in", cert.toString(), "-noout", "-subject", "-issuer",
                "-nameopt", "sep_comma_plus_space").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("openssl exit status; output: %s", text).isZero();
        String subject = null;
        String issuer = null;
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("subject=")) {
                subject = line.substring("subject=".length()).trim();
            } else if (line.startsWith("issuer=")) {
                issuer = line.substring("issuer=".length()).trim();
            }
        }
        assertThat(subject).as("openssl subject line in: %s", text).isNotNull();
        assertThat(issuer).as("openssl issuer line in: %s", text).isNotNull();
        return new String[] {subject, issuer};
    }

    /** The shipped test PKIs: captures/certs/STAR/{ca,initiator,responder}.crt. */
    static List<Path> certificateFiles() throws IOException {
        Path dir = Path.of("captures/certs");
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                for (String n : List.of("ca.crt", "initiator.crt", "responder.crt")) {
                    if (Files.isRegularFile(d.resolve(n))) {
                        files.add(d.resolve(n));
                    }
                }
            }
        }
        return files;
    }

    /**
     * The TBSCertificate's issuer and subject elements (tag, length and contents), found by a walk
     * of RFC 5280 §4.1 independent of DerNames: Certificate → TBSCertificate → [0] version,
     * serialNumber, signature, issuer, validity, subject.
     */
    static byte[][] issuerAndSubject(byte[] cert) {
        int[] tbs = inner(cert, inner(cert, new int[] {0, cert.length})[0]); // {contents start, end}
        int p = tbs[0];
        byte[][] found = new byte[2][];
        int field = 0;
        if ((cert[p] & 0xff) == 0xa0) {
            p = next(cert, p);
        }
        while (field < 5) {
            int q = next(cert, p);
            if (field == 2) {
                found[0] = Arrays.copyOfRange(cert, p, q);
            } else if (field == 4) {
                found[1] = Arrays.copyOfRange(cert, p, q);
            }
            p = q;
            field++;
        }
        return found;
    }

    /** {contents start, contents end} of the element at {@code at[0]}. */
    private static int[] inner(byte[] b, int[] at) {
        return inner(b, at[0]);
    }

    private static int[] inner(byte[] b, int pos) {
        int lb = b[pos + 1] & 0xff;
        int p = pos + 2;
        int len = lb;
        if (lb >= 0x80) {
            len = 0;
            for (int i = 0; i < (lb & 0x7f); i++) {
                len = (len << 8) | (b[p++] & 0xff);
            }
        }
        return new int[] {p, p + len};
    }

    private static int next(byte[] b, int pos) {
        return inner(b, pos)[1];
    }

    @Test
    void realCertificatesMatchOpenssl() throws Exception {
        List<Path> files = certificateFiles();
        Assumptions.assumeFalse(files.isEmpty(), "captures/certs/*/*.crt not present");
        String openssl = opensslPath();
        if (openssl == null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("openssl is not installed; CI must have it (.ci/run installs it)");
            }
            Assumptions.abort("openssl not installed: the certificate names cannot be checked against it "
                    + "(apt-get install openssl)");
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        for (Path f : files) {
            byte[] der = pem(f);
            String[] want = opensslNames(openssl, f);
            DerNames.CertificateNames got = DerNames.certificate(der, 0, der.length);
            assertThat(got.malformed()).as("%s malformed", f).isNull();
            assertThat(got.subject()).as("%s subject", f).isEqualTo(want[0]);
            assertThat(got.issuer()).as("%s issuer", f).isEqualTo(want[1]);

            // the subject and issuer Names alone, inside a larger buffer (offsets honoured)
            byte[][] is = issuerAndSubject(der);
            assertText(name(is[1]), want[0]);
            assertText(name(is[0]), want[1]);
            byte[] padded = cat(h("ffff ff"), is[1], h("3000 ff"));
            assertText(DerNames.name(padded, 3, is[1].length), want[0]);

            // the certificate inside a larger buffer
            byte[] inBuf = cat(h("0102"), der, h("0304"));
            DerNames.CertificateNames got2 = DerNames.certificate(inBuf, 2, der.length);
            assertThat(got2.subject()).isEqualTo(want[0]);
            assertThat(got2.issuer()).isEqualTo(want[1]);
        }
    }

    @Test
    void truncatedAndDamagedCertificatesNeverThrow() throws Exception {
        List<Path> files = certificateFiles();
        Assumptions.assumeFalse(files.isEmpty(), "captures/certs/*/*.crt not present");
        byte[] der = pem(files.get(0));
        // every truncation: the outer SEQUENCE's length overruns what is left (X.690 §8.1.3)
        for (int n = 0; n < der.length; n++) {
            DerNames.CertificateNames c = DerNames.certificate(der, 0, n);
            assertThat(c.subject()).as("subject of a certificate cut to %d bytes", n).isNull();
            assertThat(c.issuer()).as("issuer of a certificate cut to %d bytes", n).isNull();
            assertThat(c.malformed()).as("reason for a cut to %d bytes", n).isNotEmpty();
        }
        // every byte replaced by a few values: no exception, and a clean result has both names
        Random rnd = new Random(5280);
        for (int i = 0; i < der.length; i++) {
            for (int k = 0; k < 3; k++) {
                byte[] d = der.clone();
                d[i] = (byte) (k == 0 ? d[i] ^ 0x80 : rnd.nextInt(256));
                DerNames.CertificateNames c = DerNames.certificate(d, 0, d.length);
                if (c.malformed() == null) {
                    assertThat(c.subject()).isNotNull();
                    assertThat(c.issuer()).isNotNull();
                } else {
                    assertThat(c.malformed()).isNotEmpty();
                }
            }
        }
    }

    // ------------------------------------------------------------ a certificate built by hand

    /** A TBSCertificate (RFC 5280 §4.1) with or without the [0] EXPLICIT version. */
    static byte[] certificate(boolean withVersion, byte[] issuer, byte[] subject) {
        byte[] version = der(0xa0, der(0x02, h("02"))); // [0] EXPLICIT INTEGER v3(2)
        byte[] serial = der(0x02, h("01"));
        byte[] sigAlg = seq(h("06 09 2a 86 48 86 f7 0d 01 01 0b"), h("05 00")); // sha256WithRSAEncryption
        byte[] validity = seq(der(0x17, "250101000000Z".getBytes(StandardCharsets.US_ASCII)),
                der(0x17, "350101000000Z".getBytes(StandardCharsets.US_ASCII)));
        byte[] spki = seq(seq(h("06 09 2a 86 48 86 f7 0d 01 01 01"), h("05 00")), der(0x03, h("00 00")));
        byte[] tbs = withVersion ? seq(version, serial, sigAlg, issuer, validity, subject, spki)
                : seq(serial, sigAlg, issuer, validity, subject, spki);
        return seq(tbs, sigAlg, der(0x03, h("00 01 02")));
    }

    @Test
    void handBuiltCertificates() {
        byte[] issuer = seq(rdn(C, printable("CH")), rdn(O, utf8("strongSwan")), rdn(CN, utf8("strongSwan CA")));
        byte[] subject = seq(rdn(C, printable("CH")), rdn(O, utf8("strongSwan")), rdn(CN, utf8("moon")));
        for (boolean v3 : new boolean[] {true, false}) {
            byte[] c = certificate(v3, issuer, subject);
            DerNames.CertificateNames n = DerNames.certificate(c, 0, c.length);
            assertThat(n.malformed()).as("v3 %s", v3).isNull();
            assertThat(n.subject()).isEqualTo("C=CH, O=strongSwan, CN=moon");
            assertThat(n.issuer()).isEqualTo("C=CH, O=strongSwan, CN=strongSwan CA");
        }
        // an empty subject (allowed with a subjectAltName, RFC 5280 §4.1.2.6)
        byte[] c = certificate(true, issuer, h("30 00"));
        DerNames.CertificateNames n = DerNames.certificate(c, 0, c.length);
        assertThat(n.malformed()).isNull();
        assertThat(n.subject()).isEmpty();
        // a subject that is not a Name: the issuer is still given, with the reason
        c = certificate(true, issuer, seq(h("30 03 06 01 00")));
        n = DerNames.certificate(c, 0, c.length);
        assertThat(n.subject()).isNull();
        assertThat(n.issuer()).isEqualTo("C=CH, O=strongSwan, CN=strongSwan CA");
        assertThat(n.malformed()).startsWith("X.509 certificate: ").contains("not a SET");
    }

    @Test
    void certificateMalformed() {
        DerNames.CertificateNames n = DerNames.certificate(new byte[0], 0, 0);
        assertThat(n.subject()).isNull();
        assertThat(n.issuer()).isNull();
        assertThat(n.malformed()).isNotEmpty();
        // a SET where the Certificate SEQUENCE must be
        byte[] b = h("31 00");
        n = DerNames.certificate(b, 0, b.length);
        assertThat(n.subject()).isNull();
        assertThat(n.malformed()).contains("no SEQUENCE");
        // a SEQUENCE holding no TBSCertificate
        b = h("30 03 02 01 01");
        n = DerNames.certificate(b, 0, b.length);
        assertThat(n.subject()).isNull();
        assertThat(n.malformed()).contains("TBSCertificate");
        // a TBSCertificate that stops after the serial number
        b = seq(seq(der(0xa0, der(0x02, h("02"))), der(0x02, h("01"))));
        n = DerNames.certificate(b, 0, b.length);
        assertThat(n.subject()).isNull();
        assertThat(n.issuer()).isNull();
        assertThat(n.malformed()).contains("TBSCertificate field");
    }

    // ------------------------------------------------------------ Names built by hand

    @Test
    void rdnsInEncodingOrder() {
        byte[] dn = seq(rdn(C, printable("CH")), rdn(O, utf8("strongSwan")), rdn(CN, utf8("moon")));
        assertText(name(dn), "C=CH, O=strongSwan, CN=moon");
        // inside a larger buffer, with bytes that are not a Name on both sides
        byte[] buf = cat(h("31 31 31 31"), dn, h("00 00"));
        assertText(DerNames.name(buf, 4, dn.length), "C=CH, O=strongSwan, CN=moon");
        // domainComponent: an OID with multi-byte arcs that has a short name
        assertText(name(seq(rdn(DC, ia5("org")), rdn(DC, ia5("example")), rdn(CN, utf8("x")))),
                "DC=org, DC=example, CN=x");
    }

    @Test
    void multiValuedRdnJoinedWithPlus() {
        byte[] dn = seq(rdn(C, printable("CH")), set(atv(CN, utf8("moon")), atv(OU, utf8("ops")), atv(L, utf8("Bern"))));
        assertText(name(dn), "C=CH, CN=moon+OU=ops+L=Bern");
    }

    @Test
    void utf8StringWithNonAscii() {
        // "Zürich" in UTF-8: ü = c3 bc; "東京" = e6 9d b1 e4 ba ac
        byte[] dn = seq(rdn(L, h("0c 07 5a c3 bc 72 69 63 68")), rdn(O, h("0c 06 e6 9d b1 e4 ba ac")));
        assertText(name(dn), "L=Zürich, O=東京");
    }

    @Test
    void bmpAndOtherStringTypes() {
        // BMPString (UCS-2 big-endian): "Aé€" = 0041 00e9 20ac
        assertText(name(seq(rdn(CN, h("1e 06 00 41 00 e9 20 ac")))), "CN=Aé€");
        // UniversalString (UCS-4 big-endian): "A😀" = 00000041 0001f600
        assertText(name(seq(rdn(CN, h("1c 08 00 00 00 41 00 01 f6 00")))), "CN=A😀");
        // TeletexString as Latin-1 in practice: e9 = é
        assertText(name(seq(rdn(CN, h("14 03 63 61 e9")))), "CN=caé");
        // IA5String, VisibleString, NumericString
        assertText(name(seq(rdn(CN, h("16 01 61")), rdn(CN, h("1a 01 62")), rdn(CN, h("12 02 34 32")))),
                "CN=a, CN=b, CN=42");
        // a BMPString of an odd length is not UCS-2: its DER in hex (RFC 4514 §2.4)
        assertText(name(seq(rdn(CN, h("1e 03 00 41 00")))), "CN=#1e03004100");
    }

    @Test
    void unknownAttributeTypeAsDottedOid() {
        assertText(name(seq(rdn(PRIVATE_OID, utf8("v")))), "1.3.6.1.4.1.99999.1=v");
        // a first subidentifier of 80 or more (X.690 §8.19.4): 2.999 = 2*40+999 = 1079 = 0x88 0x37
        assertText(name(seq(rdn(h("06 03 88 37 03"), utf8("w")))), "2.999.3=w");
        // 2.16.840.1.101.3.4.2.1 (sha256): 2*40+16 = 0x60, 840 = 0x86 0x48
        assertText(name(seq(rdn(h("06 09 60 86 48 01 65 03 04 02 01"), utf8("z")))), "2.16.840.1.101.3.4.2.1=z");
        // 0.0: a single zero octet
        assertText(name(seq(rdn(h("06 01 00"), utf8("n")))), "0.0=n");
    }

    @Test
    void nonStringValueAsHashAndHexOfItsDer() {
        // RFC 4514 §2.4: '#' and the hex of the BER (here DER) encoding of the value, tag and length included
        assertText(name(seq(rdn(PRIVATE_OID, h("02 01 05")))), "1.3.6.1.4.1.99999.1=#020105");
        assertText(name(seq(rdn(CN, h("04 02 ab cd")))), "CN=#0402abcd");
        assertText(name(seq(rdn(CN, h("30 03 02 01 07")))), "CN=#3003020107");
        // also within a multi-valued RDN
        assertText(name(seq(set(atv(CN, utf8("a")), atv(PRIVATE_OID, h("01 01 ff"))))),
                "CN=a+1.3.6.1.4.1.99999.1=#0101ff");
    }

    @Test
    void longFormLengths() {
        // 0x81: one length octet (values 128..255)
        String a200 = "a".repeat(200);
        byte[] value = cat(h("0c 81 c8"), a200.getBytes(StandardCharsets.US_ASCII)); // 3 + 200
        byte[] attr = cat(h("30 81 d0"), CN, value); // 5 + 203 = 208 = 0xd0
        byte[] rdnSet = cat(h("31 81 d3"), attr); // 3 + 208 = 211 = 0xd3
        byte[] dn = cat(h("30 81 d6"), rdnSet); // 3 + 211 = 214 = 0xd6
        assertThat(dn).hasSize(217);
        assertText(name(dn), "CN=" + a200);
        // 0x82: two length octets
        String b300 = "b".repeat(300);
        value = cat(h("0c 82 01 2c"), b300.getBytes(StandardCharsets.US_ASCII)); // 4 + 300
        attr = cat(h("30 82 01 35"), CN, value); // contents 5 + 304 = 309 = 0x135, 313 bytes in all
        rdnSet = cat(h("31 82 01 39"), attr); // contents 313 = 0x139, 317 bytes in all
        byte[] country = rdn(C, printable("CH")); // 31 0b 30 09 06 03 55 04 06 13 02 43 48: 13 bytes
        assertThat(country).hasSize(13);
        dn = cat(h("30 82 01 4a"), rdnSet, country); // 317 + 13 = 330 = 0x14a
        assertThat(dn).hasSize(4 + 0x14a);
        assertText(name(dn), "CN=" + b300 + ", C=CH");
        // the builder agrees with the hand-written layout
        assertThat(seq(rdn(CN, utf8(a200)))).isEqualTo(cat(h("30 81 d6"), rdnSet(a200)));
    }

    private static byte[] rdnSet(String a200) {
        return cat(h("31 81 d3 30 81 d0"), CN, h("0c 81 c8"), a200.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void emptyDn() {
        assertText(name(h("30 00")), ""); // RDNSequence of no RDN
        assertText(DerNames.name(new byte[0], 0, 0), ""); // no bytes at all (an ID payload with no data)
    }

    @Test
    void controlCharactersEscaped() {
        // NUL, LF, CR, ESC, DEL in a UTF8String
        assertText(name(seq(rdn(CN, h("0c 09 61 00 62 0a 63 0d 1b 64 7f")))), "CN=a\\x00b\\x0ac\\x0d\\x1bd\\x7f");
        // a backslash is escaped too, so that "\x0a" in the output always means an escape
        assertText(name(seq(rdn(CN, utf8("a\\x0a")))), "CN=a\\x5cx0a");
        // in a PrintableString-tagged value and a BMPString
        assertText(name(seq(rdn(CN, h("13 03 41 09 42")), rdn(CN, h("1e 04 00 0a 00 43")))), "CN=A\\x09B, CN=\\x0aC");
        // C1 controls (U+0080..U+009F; U+009B is the 8-bit CSI of terminals, U+0085 is NEL)
        assertText(name(seq(rdn(CN, h("0c 06 78 c2 9b c2 85 79")))), "CN=x\\x9b\\x85y");
        assertText(name(seq(rdn(CN, h("14 03 41 9b 42")))), "CN=A\\x9bB"); // TeletexString as Latin-1
    }

    // ------------------------------------------------------------ malformed Names

    @Test
    void lengthOverrunningTheBuffer() {
        assertBad(name(h("30 05 31 03")), "no SEQUENCE");
        // an inner length overrunning its enclosing element
        assertBad(name(h("30 04 31 09 30 07")), "not a SET");
        byte[] dn = seq(rdn(CN, utf8("moon")));
        dn[dn.length - 5] = 0x7f; // the UTF8String's length
        assertBad(name(dn), "does not fit");
        // a length field cut off by the end of the buffer
        assertBad(name(h("30")), "no SEQUENCE");
        assertBad(name(h("30 82 01")), "no SEQUENCE");
    }

    @Test
    void indefiniteLength() {
        // X.690 §8.1.3.6: 0x80 is the indefinite form, which DER forbids (§10.1)
        assertBad(name(h("30 80 31 80 30 80 06 03 55 04 03 0c 01 61 00 00 00 00 00 00")), "no SEQUENCE");
        byte[] inner = h("30 0d 31 80 30 09 06 03 55 04 03 0c 02 61 62");
        assertBad(name(inner), "not a SET");
        assertBad(name(seq(rdn(CN, h("0c 80 61 00 00")))), "does not fit");
    }

    @Test
    void lengthOfFiveOrMoreOctets() {
        // 0x85: five length octets, even when the value they give (2) is small
        assertBad(name(h("30 85 00 00 00 00 02 30 00")), "no SEQUENCE");
        assertBad(name(h("30 88 00 00 00 00 00 00 00 00")), "no SEQUENCE");
        assertBad(name(h("30 8f 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")), "no SEQUENCE");
        // a 4-octet length beyond the buffer
        assertBad(name(h("30 84 ff ff ff ff 31 00")), "no SEQUENCE");
        assertBad(name(h("30 84 7f ff ff ff 31 00")), "no SEQUENCE");
    }

    @Test
    void trailingBytesAfterTheSequence() {
        byte[] dn = cat(seq(rdn(CN, utf8("moon"))), h("00 00 00"));
        assertBad(name(dn), "3 bytes after the SEQUENCE");
        assertBad(name(h("30 00 00")), "after the SEQUENCE");
        // bytes after an attribute value inside its AttributeTypeAndValue
        assertBad(name(seq(set(seq(CN, utf8("a"), h("05 00"))))), "bytes after the value");
    }

    @Test
    void setMissing() {
        // RDNSequence ::= SEQUENCE OF RelativeDistinguishedName, each a SET (RFC 5280 §4.1.2.4)
        assertBad(name(seq(atv(CN, utf8("moon")))), "RDN 1 is not a SET");
        assertBad(name(seq(rdn(C, printable("CH")), atv(CN, utf8("moon")))), "RDN 2 is not a SET");
        // a SET holding something else than SEQUENCEs
        assertBad(name(seq(set(CN, utf8("moon")))), "is not a SEQUENCE");
        // an attribute whose type is not an OID, or with no value
        assertBad(name(seq(rdn(utf8("CN"), utf8("moon")))), "not an OID");
        assertBad(name(seq(set(seq(CN)))), "does not fit");
        // not a SEQUENCE at all
        assertBad(name(set(atv(CN, utf8("moon")))), "no SEQUENCE");
    }

    @Test
    void emptyRdnIsMalformed() {
        // RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue (RFC 5280 §4.1.2.4)
        assertBad(name(seq(rdn(CN, utf8("moon")), h("31 00"))), "RDN 2");
        assertBad(name(h("30 02 31 00")), "RDN 1");
    }

    @Test
    void badObjectIdentifiers() {
        // X.690 §8.19.2: a subidentifier's leading octet shall not be 0x80 (not minimal)
        assertBad(name(seq(rdn(h("06 04 80 55 04 03"), utf8("a")))), "OID");
        assertBad(name(seq(rdn(h("06 04 55 04 80 03"), utf8("a")))), "OID");
        assertBad(name(seq(rdn(h("06 05 55 80 80 04 03"), utf8("a")))), "OID");
        // the last subidentifier truncated: its last octet still has bit 8 set
        assertBad(name(seq(rdn(h("06 03 55 04 83"), utf8("a")))), "OID");
        assertBad(name(seq(rdn(h("06 01 ff"), utf8("a")))), "OID");
        // an empty OID
        assertBad(name(seq(rdn(h("06 00"), utf8("a")))), "OID");
        // 0x80 inside a subidentifier (not leading) is fine: 2.5.4.16384 = 0x81 0x80 0x00
        assertText(name(seq(rdn(h("06 05 55 04 81 80 00"), utf8("a")))), "2.5.4.16384=a");
    }

    @Test
    void randomBytesNeverThrow() {
        byte[] good = seq(rdn(C, printable("CH")), set(atv(CN, utf8("moon")), atv(PRIVATE_OID, h("02 01 05"))),
                rdn(L, h("1e 04 00 41 00 42")));
        byte[] goodCert = certificate(true, good, good);
        byte[] goodGn = der(0xa4, good);
        int calls = 0;
        for (int seed = 0; seed < 400; seed++) {
            Random rnd = new Random(seed);
            for (int len = 0; len <= 96; len += 1 + rnd.nextInt(4)) {
                byte[] b = new byte[len];
                rnd.nextBytes(b);
                if (len > 0 && rnd.nextBoolean()) {
                    b[0] = (byte) (rnd.nextBoolean() ? 0x30 : 0x31); // get past the first tag more often
                }
                if (len > 1 && rnd.nextBoolean()) {
                    b[1] = (byte) (len - 2);
                }
                check(b);
                calls++;
            }
            // mutations of well-formed inputs reach the inner elements
            for (byte[] base : new byte[][] {good, goodCert, goodGn}) {
                byte[] m = base.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
                check(Arrays.copyOf(m, rnd.nextInt(m.length + 1)));
                check(m);
                calls += 2;
            }
        }
        assertThat(calls).isGreaterThan(10_000);
    }

    /** Every entry point on {@code b} at offset 1 of a larger buffer: no exception, one of text / reason. */
    private static void check(byte[] b) {
        byte[] buf = cat(h("a5"), b, h("5a"));
        for (DerNames.Result r : new DerNames.Result[] {DerNames.name(buf, 1, b.length),
                DerNames.generalName(buf, 1, b.length)}) {
            assertThat(r.text() == null).as("exactly one of text / malformed: %s", r).isNotEqualTo(r.malformed() == null);
            if (r.malformed() != null) {
                assertThat(r.malformed()).isNotEmpty();
            }
        }
        DerNames.CertificateNames c = DerNames.certificate(buf, 1, b.length);
        if (c.malformed() == null) {
            assertThat(c.subject()).isNotNull();
            assertThat(c.issuer()).isNotNull();
        } else {
            assertThat(c.malformed()).isNotEmpty();
        }
    }

    // ------------------------------------------------------------ GeneralName (RFC 5280 §4.2.1.6)

    static DerNames.Result gn(byte[] b) {
        return DerNames.generalName(b, 0, b.length);
    }

    @Test
    void generalNameStrings() {
        // [1] rfc822Name, [2] dNSName, [6] uniformResourceIdentifier: IA5String, IMPLICIT
        assertText(gn(cat(h("81 0b"), "a@b.example".getBytes(StandardCharsets.US_ASCII))), "email:a@b.example");
        assertText(gn(cat(h("82 13"), "moon.strongswan.org".getBytes(StandardCharsets.US_ASCII))),
                "dns:moon.strongswan.org");
        assertText(gn(cat(h("86 16"), "http://crl.example/a.c".getBytes(StandardCharsets.US_ASCII))),
                "uri:http://crl.example/a.c");
        // control characters escaped here as well
        assertText(gn(h("82 03 61 0a 62")), "dns:a\\x0ab");
        // long form length
        String longName = "x".repeat(130) + ".example";
        assertText(gn(cat(h("82 81 8a"), longName.getBytes(StandardCharsets.US_ASCII))), "dns:" + longName);
    }

    @Test
    void generalNameIpAddresses() {
        // [7] iPAddress: OCTET STRING of 4 (IPv4) or 16 (IPv6) octets in network byte order
        assertText(gn(h("87 04 c0 00 02 01")), "ip:192.0.2.1");
        assertText(gn(h("87 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01")), "ip:2001:db8::1");
        assertText(gn(h("87 10 fe 80 00 00 00 00 00 00 02 00 5e ff fe 00 53 00")), "ip:fe80::200:5eff:fe00:5300");
        assertBad(gn(h("87 05 c0 00 02 01 00")), "iPAddress of 5 bytes");
        assertBad(gn(h("87 00")), "iPAddress of 0 bytes");
        // address + mask (name constraints form, 8 octets) is not an identity
        assertBad(gn(h("87 08 c0 00 02 00 ff ff ff 00")), "iPAddress of 8 bytes");
    }

    @Test
    void generalNameDirectoryNameAndRegisteredId() {
        // [4] directoryName: EXPLICIT (Name is a CHOICE), constructed: a4 len 30 ...
        byte[] dn = seq(rdn(C, printable("CH")), rdn(O, utf8("strongSwan")), rdn(CN, utf8("moon")));
        assertText(gn(der(0xa4, dn)), "dn:C=CH, O=strongSwan, CN=moon");
        assertText(gn(der(0xa4, h("30 00"))), "dn:");
        assertBad(gn(der(0xa4, h("31 00"))), "DER Name");
        assertBad(gn(der(0xa4, cat(dn, h("00")))), "after the SEQUENCE");
        // [8] registeredID: OBJECT IDENTIFIER, IMPLICIT
        assertText(gn(h("88 03 2a 03 04")), "rid:1.2.3.4");
        assertText(gn(h("88 09 2b 06 01 04 01 86 8d 1f 01")), "rid:1.3.6.1.4.1.99999.1");
        assertBad(gn(h("88 03 2a 03 84")), "registeredID");
        assertBad(gn(h("88 00")), "registeredID");
    }

    @Test
    void generalNameOtherNameAndOthersShownRaw() {
        // [0] otherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }, IMPLICIT so a0
        // here the UPN of Microsoft, 1.3.6.1.4.1.311.20.2.3, holding UTF8String "u@x"
        byte[] contents = cat(h("06 0a 2b 06 01 04 01 82 37 14 02 03"), h("a0 05 0c 03 75 40 78"));
        byte[] other = der(0xa0, contents);
        StringBuilder hex = new StringBuilder();
        for (byte x : contents) {
            hex.append(String.format("%02x", x & 0xff));
        }
        assertText(gn(other), "[0]#" + hex);
        // [3] x400Address and [5] ediPartyName: the contents raw too
        assertText(gn(h("a3 02 30 00")), "[3]#3000");
        assertText(gn(h("a5 03 81 01 41")), "[5]#810141");
    }

    @Test
    void generalNameMalformed() {
        assertBad(gn(new byte[0]), "does not fit");
        assertBad(gn(h("82")), "does not fit");
        assertBad(gn(h("82 05 61 62")), "does not fit");
        assertBad(gn(h("82 80 61 00 00")), "does not fit");
        assertBad(gn(h("82 85 00 00 00 00 01 61")), "does not fit");
        assertBad(gn(h("82 01 61 62")), "1 bytes after the element");
    }
}
