package org.vpnsleuth.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.cli.Main;
import org.vpnsleuth.track.FrameRef;

/** `analyze --format html` without a browser: escaping, -o, the page's policy, ladders as data (the browser test: oracle/HtmlReportBrowserTest). */
class HtmlReportTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            rc = Main.commandLine(o, e).execute(args);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    static String capture(String name) {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir")).resolve("captures").resolve(name).toString();
    }

    @Test
    void everyMarkupCharacterIsEscapedInTextAndAttributes() {
        // HTML 5 §13.1.2.6: in text and in quoted attribute values, & < > " ' are the characters to escape
        assertThat(Html.esc("<img src=x onerror=alert(1)>")).isEqualTo("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(Html.esc("a\" onmouseover='x'&")).isEqualTo("a&quot; onmouseover=&#39;x&#39;&amp;");
        assertThat(Html.esc("nul\u0000bel\u0007del\u007f")).isEqualTo("nul\uFFFDbel\uFFFDdel\uFFFD");
        assertThat(Html.esc("lone \uD800 surrogate")).isEqualTo("lone \uFFFD surrogate");
        assertThat(Html.esc("CN=\uD83D\uDD12 ok")).isEqualTo("CN=\uD83D\uDD12 ok");
        assertThat(Html.esc(null)).isEmpty();
    }

    @Test
    void ladderDataCannotCloseItsScriptElement() {
        Ladder l = new Ladder("Initiator", "</script><script>alert(1)</script>", "Responder", "b", 0, r -> Long.toString(r.frame()));
        l.add(new Ladder.Row("msg ir", "sa1-0-3", new String[] {"data-name", "MM1</script>"}, new FrameRef(0, 3, 1_000_000), true,
                "MM1 \u2028<b>", "[SA & KE]", "t"));
        StringBuilder sb = new StringBuilder();
        l.renderData(sb, "x");
        String s = sb.toString();
        assertThat(s).startsWith("<script type=\"application/json\" class=\"ladder-data\">").endsWith("]}</script>");
        String body = s.substring(s.indexOf('>') + 1, s.length() - "</script>".length());
        assertThat(body).doesNotContain("<").doesNotContain(">").doesNotContain("&").doesNotContain("\u2028")
                .contains("\\u003c/script\\u003e").contains("\"msg ir\"").contains(",3,0,0.001000,1,");
    }

    @Test
    void outputFileHoldsOneSelfContainedPage(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.html");
        Run r = run("analyze", "--format", "html", "-q", "-o", f.toString(), capture("fail-ikev1-psk.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).isEmpty();
        String html = Files.readString(f, StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n")
                .contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';");
        // the only URL is SVG's namespace name, which nothing loads
        Matcher m = Pattern.compile("(https?:|//[a-z0-9.-]+\\.[a-z]{2,}/|\\bsrc=|<link|@import|url\\()").matcher(html);
        int urls = 0;
        while (m.find()) {
            assertThat(html.startsWith("http://www.w3.org/2000/svg", m.start()) || html.startsWith("//www.w3.org/2000/svg", m.start()))
                    .as("reference at %d: %s", m.start(), html.substring(m.start(), Math.min(html.length(), m.start() + 60))).isTrue();
            urls++;
        }
        assertThat(urls).isPositive();
        // the same page on standard output
        Run o = run("analyze", "--format", "html", "-q", capture("fail-ikev1-psk.pcapng"));
        assertThat(o.out()).isEqualTo(html);
    }

    @Test
    void securityFindingsAreInThePageAsInTheJson(@TempDir Path dir) throws Exception {
        // the weak 3DES/SHA1/MODP-1024 capture (captures/README.md): every finding of the JSON report, SA's and child SAs', is a row
        Path f = dir.resolve("r.html");
        String keys = capture("weak-ikev2-3des.initiator.log");
        Run r = run("analyze", "--format", "html", "-q", "--keys", keys, "-o", f.toString(), capture("weak-ikev2-3des.pcapng"));
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        String html = Files.readString(f, StandardCharsets.UTF_8);
        String json = run("analyze", "--format", "json", "--keys", keys, capture("weak-ikev2-3des.pcapng")).out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"code\":\"([A-Z_0-9]+)\",\"severity\":\"([A-Z]+)\"").matcher(json);
        java.util.Map<String, Integer> fromJson = new java.util.TreeMap<>();
        while (m.find()) {
            fromJson.merge(m.group(1) + "/" + m.group(2), 1, Integer::sum);
        }
        assertThat(fromJson).containsKey("WEAK_DH_GROUP/MEDIUM");
        java.util.regex.Matcher h = java.util.regex.Pattern.compile("class=\"security-finding\" data-code=\"([A-Z_0-9]+)\" data-severity=\"([A-Z]+)\"")
                .matcher(html);
        java.util.Map<String, Integer> fromHtml = new java.util.TreeMap<>();
        while (h.find()) {
            fromHtml.merge(h.group(1) + "/" + h.group(2), 1, Integer::sum);
        }
        assertThat(fromHtml).isEqualTo(fromJson);
    }

    @Test
    void showKeysWritesNoKeyIntoThePage(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.html");
        Run r = run("analyze", "--format", "html", "-q", "--show-keys", "--psk", "vpnsleuth-test-psk-0123456789", "--keys",
                capture("fail-ikev2-psk.initiator.log"), "-o", f.toString(), capture("fail-ikev2-psk.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.err()).contains("--show-keys: the HTML page never holds key material");
        String html = Files.readString(f, StandardCharsets.UTF_8);
        assertThat(html).doesNotContain("vpnsleuth-test-psk-0123456789").contains("decrypted");
    }

    @Test
    void anUnwritableOutputIsAClearError(@TempDir Path dir) {
        Run r = run("analyze", "--format", "html", "-q", "-o", dir.resolve("no/such/dir/r.html").toString(),
                capture("fail-ikev1-psk.pcapng"));
        assertThat(r.exit()).isEqualTo(Main.UNREADABLE);
        assertThat(r.err()).contains("cannot write").contains("r.html");
    }
}
