package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpnsleuth.oracle.MiniJson.arr;
import static org.vpnsleuth.oracle.MiniJson.obj;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpnsleuth.cli.Main;
import org.vpnsleuth.report.AnalysisHtml;

/**
 * A large HTML report (above {@link AnalysisHtml#LAZY_LADDERS_ABOVE} SAs: summary rows as data,
 * SA bodies compressed until opened) in headless Chromium. The capture is made by
 * bench/MakeGatewayCapture.java from the real strongSwan exchanges in captures/ (240 IKE SAs, a
 * third of them failures), with its manifest naming the capture each session was copied from; so
 * what a session's SA should show is known independently of vpnsleuth: its verdict and stopping
 * point from captures/expected-verdicts.tsv (the daemons' logs), its messages from tshark.
 *
 * <p>Checked: the page opens with no error and with none of the SAs' bodies or ladders in the DOM,
 * every SA has its {@code .ike-sa} element, the summary table holds one page of rows and the whole
 * table as data; filtering by an SA's SPI finds its row (from any page) and the verdict filter
 * counts the JSON's failures; sorting orders the data; following a row's link opens the SA and
 * renders its body and ladder to the DOM contract (data-verdict, one svg.ladder, a .msg per JSON
 * message with its frame, .retransmission, .stopped-at), each message an ISAKMP frame of that SA
 * in tshark's dissection.
 */
class HtmlLargeReportBrowserTest {
    @TempDir
    Path tmp;

    private static Object eval(Cdp cdp, String session, String js) throws Exception {
        Map<String, Object> r = cdp.send(session, "Runtime.evaluate", "{\"expression\":" + Cdp.quote(js)
                + ",\"returnByValue\":true,\"awaitPromise\":true}");
        assertThat(r.get("exceptionDetails")).as("%s", js).isNull();
        return obj(r.get("result")).get("value");
    }

    private static long num(Object o) {
        return o == null ? -1 : ((Double) o).longValue();
    }

    @Test
    void aLargeReportOpensAndOneSaIsRenderedFromItsCompressedDataWhenFoundByTheFilter() throws Exception {
        String chromium = HtmlReportBrowserTest.chromium();
        HtmlReportBrowserTest.require(chromium != null, "chromium");
        HtmlReportBrowserTest.require(HtmlReportBrowserTest.onPath("tshark"), "tshark");
        Path base = HtmlReportBrowserTest.base();
        Path capture = tmp.resolve("gw240.pcap");
        Path manifest = tmp.resolve("manifest.tsv");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process gen = new ProcessBuilder(javaBin, base.resolve("bench/MakeGatewayCapture.java").toString(), "--mode", "clients", "--sas", "240",
                "--esp-per-sa", "1", "--fail-ratio", "0.3", "--seed", "7", "--captures", base.resolve("captures").toString(),
                "--manifest", manifest.toString(), capture.toString()).redirectErrorStream(true).start();
        String genOut = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gen.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(gen.exitValue()).as(genOut).isZero();
        var tshark = CompletableFuture.supplyAsync(() -> {
            try {
                return HtmlReportBrowserTest.tshark(capture);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Path html = tmp.resolve("large.html");
        HtmlReportBrowserTest.Run h = HtmlReportBrowserTest.analyze("analyze", "--format", "html", "-q", "-o", html.toString(),
                capture.toString());
        assertThat(h.exit()).as(h.err()).isEqualTo(Main.OK);
        HtmlReportBrowserTest.Run j = HtmlReportBrowserTest.analyze("analyze", "--format", "json", "-q", capture.toString());
        assertThat(j.exit()).as(j.err()).isEqualTo(Main.OK);
        List<Object> sas = arr(obj(MiniJson.parse(j.out())).get("ikeSas"));
        assertThat(sas.size()).as("a large page").isGreaterThan(AnalysisHtml.LAZY_LADDERS_ABOVE);
        Map<String, Integer> indexOf = new HashMap<>();
        int failed = 0;
        for (int i = 0; i < sas.size(); i++) {
            indexOf.put((String) obj(sas.get(i)).get("spiI"), i);
            failed += "FAILED".equals(obj(sas.get(i)).get("verdict")) ? 1 : 0;
        }
        // the documented size: about 1.3 KB per SA at 10,000 SAs (docs/html-report.md); this page has more fixed parts per SA
        assertThat(Files.size(html) / sas.size()).as("bytes per SA").isLessThan(3000);

        // the SAs to open: the last session copied from each of two failure captures (rows beyond the first page),
        // with what the daemons' logs say of them
        Map<String, String[]> expected = new HashMap<>();
        for (String[] r : HtmlReportBrowserTest.tsv(base.resolve("captures/expected-verdicts.tsv"))) {
            expected.putIfAbsent(r[0], r);
        }
        Map<String, String> spiOf = new HashMap<>();
        for (String line : Files.readAllLines(manifest)) {
            String[] f = line.split("\t");
            if (f[1].equals("fail-ikev2-psk.pcapng") || f[1].equals("fail-ikev1-proposal.pcapng")) {
                spiOf.put(f[1], f[5].split(",")[0]);
            }
        }
        assertThat(spiOf).as("the manifest has sessions of both captures").hasSize(2);

        Path profile = Files.createTempDirectory("vpnsleuth-chromium");
        SoftAssertions soft = new SoftAssertions();
        try (Cdp cdp = Cdp.start(chromium, profile, 1280, 1800)) {
            String target = (String) cdp.send(null, "Target.createTarget", "{\"url\":\"about:blank\"}").get("targetId");
            String session = (String) cdp.send(null, "Target.attachToTarget", "{\"targetId\":" + Cdp.quote(target)
                    + ",\"flatten\":true}").get("sessionId");
            List<String> errors = new ArrayList<>();
            HtmlReportBrowserTest.collectErrors(cdp, session, errors);
            cdp.send(session, "Page.enable", null);
            cdp.send(session, "Runtime.enable", null);
            cdp.send(session, "Log.enable", null);
            CompletableFuture<Object> loaded = new CompletableFuture<>();
            cdp.listen(ev -> {
                if ("Page.loadEventFired".equals(ev.get("method")) && session.equals(ev.get("sessionId"))) {
                    loaded.complete(ev);
                }
            });
            cdp.send(session, "Page.navigate", "{\"url\":" + Cdp.quote(html.toUri().toString()) + "}");
            loaded.get(120, TimeUnit.SECONDS);

            Map<String, Object> first = obj(MiniJson.parse((String) eval(cdp, session, "JSON.stringify({"
                    + "sas:document.querySelectorAll('.ike-sa').length,ladders:document.querySelectorAll('svg.ladder').length,"
                    + "msgs:document.querySelectorAll('.msg').length,rows:document.querySelectorAll('#summary-table tbody tr').length,"
                    + "data:JSON.parse(document.getElementById('summary-data').textContent).length,"
                    + "blocks:document.querySelectorAll('script.sa-bodies').length,shown:document.getElementById('shown').textContent})")));
            soft.assertThat(num(first.get("sas"))).as(".ike-sa elements").isEqualTo(sas.size());
            soft.assertThat(num(first.get("ladders")) + num(first.get("msgs"))).as("no ladder before an SA is opened").isZero();
            soft.assertThat(num(first.get("rows"))).as("summary rows in the DOM").isEqualTo(AnalysisHtml.SUMMARY_PAGE_ROWS);
            soft.assertThat(num(first.get("data"))).as("summary rows as data").isEqualTo(sas.size());
            soft.assertThat(num(first.get("blocks"))).as("compressed blocks of bodies")
                    .isEqualTo((sas.size() + AnalysisHtml.BODIES_PER_BLOCK - 1) / AnalysisHtml.BODIES_PER_BLOCK);
            soft.assertThat(first.get("shown")).isEqualTo(sas.size() + " of " + sas.size() + " shown");

            // the verdict filter counts the data, not the page
            eval(cdp, session, "(function(){var v=document.getElementById('verdict-filter');v.value='FAILED';"
                    + "v.dispatchEvent(new Event('change'));})()");
            soft.assertThat(eval(cdp, session, "document.getElementById('shown').textContent"))
                    .isEqualTo(failed + " of " + sas.size() + " shown");
            eval(cdp, session, "(function(){var v=document.getElementById('verdict-filter');v.value='';"
                    + "v.dispatchEvent(new Event('change'));})()");

            // sorting by start (descending: two clicks) orders the data: the first page and the next are in order
            String starts = "Array.prototype.map.call(document.querySelectorAll('#summary-table tbody td[data-v]'),function(t){return +t.getAttribute('data-v');})";
            eval(cdp, session, "(function(){var th=document.querySelectorAll('#summary-table th')[7];th.click();th.click();})()");
            List<Object> page1 = arr(eval(cdp, session, starts));
            eval(cdp, session, "document.getElementById('page-next').click()");
            List<Object> page2 = arr(eval(cdp, session, starts));
            List<Double> all = new ArrayList<>();
            page1.forEach(o -> all.add((Double) o));
            page2.forEach(o -> all.add((Double) o));
            soft.assertThat(all).as("start times, sorted descending over two pages").hasSize(2 * AnalysisHtml.SUMMARY_PAGE_ROWS)
                    .isSortedAccordingTo((x, y) -> Double.compare(y, x));

            Map<Long, String[]> ts = tshark.get(5, TimeUnit.MINUTES);
            for (Map.Entry<String, String> e : spiOf.entrySet()) {
                String spi = e.getValue();
                Integer k = indexOf.get(spi);
                soft.assertThat(k).as("%s: the manifest's SPI %s is an SA of the report", e.getKey(), spi).isNotNull();
                if (k == null) {
                    continue;
                }
                String id = "sa-" + (k + 1);
                Object rows = eval(cdp, session, "(function(){var f=document.getElementById('filter');f.value=" + Cdp.quote(spi)
                        + ";f.dispatchEvent(new Event('input'));return Array.prototype.map.call("
                        + "document.querySelectorAll('#summary-table tbody tr a'),function(a){return a.getAttribute('href');});})()");
                soft.assertThat(arr(rows)).as("%s: filtering by SPI %s", e.getKey(), spi).containsExactly("#" + id);
                // follow the row's link as a user clicks it: the SA opens, its body is decompressed and its ladder drawn
                eval(cdp, session, "(async function(){var h=new Promise(function(r){window.addEventListener('hashchange',r,{once:true});});"
                        + "document.querySelector('#summary-table tbody tr a').click();await h;await " + HtmlLoadMeasure.SETTLED + ";})()");
                Map<String, Object> probe = obj(MiniJson.parse((String) eval(cdp, session, HtmlReportBrowserTest.PROBE)));
                Map<String, Object> dom = null;
                for (Object o : arr(probe.get("sas"))) {
                    if (id.equals(obj(o).get("id"))) {
                        dom = obj(o);
                    }
                }
                soft.assertThat(eval(cdp, session, "document.getElementById(" + Cdp.quote(id) + ").open")).as("%s opened", id)
                        .isEqualTo(Boolean.TRUE);
                String[] tsv = expected.get(e.getKey());
                soft.assertThat(dom.get("verdict")).as("%s: verdict from the daemons' logs", e.getKey()).isEqualTo(tsv[5]);
                soft.assertThat(dom.get("stoppedAt")).as("%s: stopping point from the daemons' logs", e.getKey()).isEqualTo(tsv[6]);
                HtmlReportBrowserTest.checkSa(soft, "large page " + e.getKey(), obj(sas.get(k)), dom, ts);
                soft.assertThat(arr(dom.get("msgs"))).as("%s: messages drawn", id).isNotEmpty();
            }
            synchronized (errors) {
                soft.assertThat(errors).as("console errors, exceptions, log entries").isEmpty();
            }
            Map<String, Object> shot = cdp.send(session, "Page.captureScreenshot", "{\"format\":\"png\"}");
            Path out = base.resolve("target").resolve("html-report");
            Files.createDirectories(out);
            Files.write(out.resolve("large-240.png"), java.util.Base64.getDecoder().decode((String) shot.get("data")));
            System.out.printf(Locale.ROOT, "HtmlLargeReportBrowserTest: %d SAs, %,d bytes, screenshot %s%n", sas.size(), Files.size(html),
                    out.resolve("large-240.png"));
        } finally {
            HtmlReportBrowserTest.deleteTree(profile);
        }
        soft.assertAll();
    }
}
