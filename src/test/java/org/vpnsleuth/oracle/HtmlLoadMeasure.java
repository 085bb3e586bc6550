package org.vpnsleuth.oracle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: measures how an HTML report loads in headless Chromium (docs/performance.md, "HTML
 * report"). For each page given: a fresh browser, the page opened from its file, then (from the
 * DevTools protocol) the times to DOMContentLoaded and load, the renderer's work from
 * {@code Performance.getMetrics} (script, layout, style, task durations), the JavaScript heap, DOM
 * nodes, the browser's CPU seconds and resident memory; then the time to filter the summary by a
 * text, to sort it and to open one SA.
 *
 * <pre>
 * mvn -o -q test-compile
 * java -cp target/test-classes org.vpnsleuth.oracle.HtmlLoadMeasure PAGE.html [FILTER-TEXT] ...
 * </pre>
 */
public final class HtmlLoadMeasure {
    private HtmlLoadMeasure() {
    }

    public static void main(String[] args) throws Exception {
        String chromium = HtmlReportBrowserTest.chromium();
        if (chromium == null) {
            System.err.println("no chromium on PATH");
            System.exit(2);
        }
        for (String page : args) {
            measure(chromium, Path.of(page).toAbsolutePath());
        }
    }

    private static Object eval(Cdp cdp, String session, String js) throws Exception {
        Map<String, Object> r = cdp.send(session, "Runtime.evaluate", "{\"expression\":" + Cdp.quote(js)
                + ",\"returnByValue\":true,\"awaitPromise\":true}");
        if (r.get("exceptionDetails") != null) {
            throw new IllegalStateException(js + ": " + r.get("exceptionDetails"));
        }
        return MiniJson.obj(r.get("result")).get("value");
    }

    /** A promise of the page's having no SA body left to decompress (a large page's {@code data-pending}). */
    static final String SETTLED = "new Promise(function(r){(function w(){if(document.documentElement.hasAttribute('data-pending'))"
            + "setTimeout(w,5);else r(0);})();})";

    private static final String FRAME = "new Promise(function(r){requestAnimationFrame(function(){requestAnimationFrame(function(){r(0);});});})";

    /** Milliseconds {@code action} takes until two animation frames later (style, layout and paint done). */
    private static double timed(Cdp cdp, String session, String action) throws Exception {
        Object v = eval(cdp, session, "(async function(){var t=performance.now();" + action + ";await " + FRAME
                + ";return performance.now()-t;})()");
        return ((Double) v);
    }

    static void measure(String chromium, Path page) throws Exception {
        Path profile = Files.createTempDirectory("vpnsleuth-measure");
        try (Cdp cdp = Cdp.start(chromium, profile, 1280, 1800)) {
            String target = (String) cdp.send(null, "Target.createTarget", "{\"url\":\"about:blank\"}").get("targetId");
            String session = (String) cdp.send(null, "Target.attachToTarget", "{\"targetId\":" + Cdp.quote(target)
                    + ",\"flatten\":true}").get("sessionId");
            java.util.List<String> errors = new java.util.ArrayList<>();
            HtmlReportBrowserTest.collectErrors(cdp, session, errors);
            cdp.send(session, "Page.enable", null);
            cdp.send(session, "Runtime.enable", null);
            cdp.send(session, "Performance.enable", null);
            double cpu0 = cdp.cpuSeconds();
            long rss0 = cdp.rssBytes();
            CompletableFuture<Object> loaded = new CompletableFuture<>();
            cdp.listen(ev -> {
                if ("Page.loadEventFired".equals(ev.get("method")) && session.equals(ev.get("sessionId"))) {
                    loaded.complete(ev);
                }
            });
            long start = System.nanoTime();
            cdp.send(session, "Page.navigate", "{\"url\":" + Cdp.quote(page.toUri().toString()) + "}");
            loaded.get(30, TimeUnit.MINUTES);
            eval(cdp, session, FRAME);
            double wall = (System.nanoTime() - start) / 1e9;
            double cpu = cdp.cpuSeconds() - cpu0;
            Map<String, Object> m = metrics(cdp, session);
            Map<String, Object> t = MiniJson.obj(MiniJson.parse((String) eval(cdp, session,
                    "(function(){var n=performance.getEntriesByType('navigation')[0];return JSON.stringify({dcl:n.domContentLoadedEventEnd,"
                            + "load:n.loadEventEnd,rows:document.querySelectorAll('#summary-table tbody tr').length,"
                            + "sas:document.querySelectorAll('.ike-sa').length});})()")));
            long rss = cdp.rssBytes();
            System.out.printf(Locale.ROOT, "%s: %,d bytes; DOMContentLoaded %.0f ms, load %.0f ms, wall to first frames %.1f s, "
                    + "browser CPU %.1f s; renderer: task %.1f s (script %.1f s, layout %.1f s, style %.1f s); JS heap used %.1f MB; "
                    + "DOM nodes %,d; summary rows in the DOM %d, .ike-sa %d; browser RSS %.0f MB (%.0f MB on about:blank)%n",
                    page.getFileName(), Files.size(page), num(t.get("dcl")), num(t.get("load")), wall, cpu, num(m.get("TaskDuration")),
                    num(m.get("ScriptDuration")), num(m.get("LayoutDuration")), num(m.get("RecalcStyleDuration")),
                    num(m.get("JSHeapUsedSize")) / 1e6, (long) num(m.get("Nodes")), (long) num(t.get("rows")), (long) num(t.get("sas")),
                    rss / 1e6, rss0 / 1e6);
            // interactions: filter by the last SA's initiator SPI, clear it, sort by start descending, open the 5,000th SA
            String spi = (String) eval(cdp, session, "(function(){var s=document.querySelectorAll('.ike-sa');"
                    + "return s.length?s[s.length-1].getAttribute('data-spi-i'):'';})()");
            double filter = timed(cdp, session, "var f=document.getElementById('filter');f.value=" + Cdp.quote(spi)
                    + ";f.dispatchEvent(new Event('input'))");
            Object shown = eval(cdp, session, "document.getElementById('shown').textContent");
            double clear = timed(cdp, session, "var f=document.getElementById('filter');f.value='';f.dispatchEvent(new Event('input'))");
            double sort = timed(cdp, session, "document.querySelectorAll('#summary-table th')[7].click();"
                    + "document.querySelectorAll('#summary-table th')[7].click()");
            double open = timed(cdp, session, "var s=document.querySelectorAll('.ike-sa');var d=s[Math.floor(s.length/2)];"
                    + "var h=new Promise(function(r){window.addEventListener('hashchange',r,{once:true});});"
                    + "location.hash='#'+d.id;await h;await " + SETTLED);
            Object msgs = eval(cdp, session, "(function(){var s=document.querySelectorAll('.ike-sa');var d=s[Math.floor(s.length/2)];"
                    + "return d.open+' '+d.querySelectorAll('svg.ladder .msg').length;})()");
            Map<String, Object> m2 = metrics(cdp, session);
            synchronized (errors) {
                for (String e : errors) {
                    System.out.println("  page error: " + e);
                }
            }
            System.out.printf(Locale.ROOT, "  filter by SPI %s: %.0f ms (%s); clear: %.0f ms; sort by start twice: %.0f ms; "
                    + "open the middle SA by its link: %.0f ms (open, msgs: %s); JS heap used after %.1f MB, DOM nodes %,d%n",
                    spi, filter, shown, clear, sort, open, msgs, num(m2.get("JSHeapUsedSize")) / 1e6, (long) num(m2.get("Nodes")));
        } finally {
            HtmlReportBrowserTest.deleteTree(profile);
        }
    }

    private static Map<String, Object> metrics(Cdp cdp, String session) throws Exception {
        Map<String, Object> r = new java.util.HashMap<>();
        for (Object o : MiniJson.arr(cdp.send(session, "Performance.getMetrics", null).get("metrics"))) {
            Map<String, Object> e = MiniJson.obj(o);
            r.put((String) e.get("name"), e.get("value"));
        }
        return r;
    }

    private static double num(Object o) {
        return o instanceof Double d ? d : 0;
    }
}
