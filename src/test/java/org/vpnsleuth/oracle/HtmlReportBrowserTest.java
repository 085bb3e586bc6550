package org.vpnsleuth.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.vpnsleuth.oracle.MiniJson.arr;
import static org.vpnsleuth.oracle.MiniJson.obj;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.cli.Main;

/**
 * `analyze --format html` in a real browser: headless Chromium (Chromium's own {@code --headless
 * --dump-dom --screenshot}, one start per capture, no WebDriver) loads the page of every shipped
 * failure capture (captures/expected-verdicts.tsv and expected-l2tp-verdicts.tsv) and of a capture
 * whose identity is an HTML tag. A probe script put in front of the page records console errors,
 * uncaught exceptions, Content-Security-Policy violations and resource loads, then writes what the
 * rendered DOM holds (SAs, verdicts, ladders, messages and their frames, tunnels) into the DOM,
 * which --dump-dom returns. That is checked against the JSON report of the same capture, against
 * the TSV files' verdicts (from the daemons' logs), and, for every message and frame number,
 * against tshark's dissection of the capture (one tshark run per capture). A screenshot of each
 * page is written to target/html-report/NAME.png for a person to look at.
 */
class HtmlReportBrowserTest {
    private static final String HOSTILE_ID = "<img src=x onerror=alert()>";

    /**
     * What the test reads from the rendered DOM once the page has loaded (evaluated in the page,
     * returned as JSON): SAs, ladders, messages and their frames, tunnels, summary rows, any
     * reference to an external URL, resources loaded, images, and whether the hostile identity is
     * shown as text.
     */
    static final String PROBE = """
            (function(){
              function frames(root,sel){return Array.prototype.map.call(root.querySelectorAll(sel),function(g){return +g.getAttribute('data-frame');});}
              var r={};
              r.sas=Array.prototype.map.call(document.querySelectorAll('.ike-sa'),function(d){
                var l=d.querySelector('svg.ladder');
                return {id:d.id,verdict:d.getAttribute('data-verdict'),spiI:d.getAttribute('data-spi-i'),cause:d.getAttribute('data-cause'),
                  confidence:d.getAttribute('data-confidence'),stoppedAt:d.getAttribute('data-stopped-at'),ladders:d.querySelectorAll('svg.ladder').length,
                  msgs:Array.prototype.map.call(d.querySelectorAll('svg.ladder .msg'),function(g){return {frame:+g.getAttribute('data-frame'),
                    ir:g.classList.contains('ir'),mid:g.getAttribute('data-message-id')};}),
                  retrans:frames(d,'svg.ladder .retransmission'),stops:d.querySelectorAll('svg.ladder .stopped-at').length,
                  width:l?l.getBoundingClientRect().width:0,
                  linked:!!document.querySelector('#summary-table a[href="#'+d.id+'"]')};
              });
              r.tunnels=Array.prototype.map.call(document.querySelectorAll('.tunnel'),function(d){
                return {id:d.id,kind:d.getAttribute('data-kind'),verdict:d.getAttribute('data-verdict'),stoppedAt:d.getAttribute('data-stopped-at'),
                  tmsgs:Array.prototype.map.call(d.querySelectorAll(':scope > .body > svg.ladder .tmsg'),function(g){return {frame:+g.getAttribute('data-frame'),name:g.getAttribute('data-name')};}),
                  pmsgs:frames(d,':scope > .body > svg.ladder .pmsg'),ladders:d.querySelectorAll(':scope > .body > svg.ladder').length,
                  stops:d.querySelectorAll(':scope > .body > svg.ladder .stopped-at').length,
                  linked:!!document.querySelector('#summary-table a[href="#'+d.id+'"]')};
              });
              r.summaryRows=document.querySelectorAll('#summary-table tbody tr').length;
              r.external=Array.prototype.filter.call(document.querySelectorAll('[src],[href]'),function(e){var u=e.getAttribute('src')||e.getAttribute('href');return !/^(#|data:)/.test(u);}).map(function(e){return e.outerHTML.slice(0,120);});
              r.resources=performance.getEntriesByType('resource').map(function(e){return e.name;});
              r.images=document.images.length;
              r.text=document.body.textContent.indexOf(%s)>=0;
              return JSON.stringify(r);
            })()
            """.formatted("'" + HOSTILE_ID.replace("'", "\\'") + "'");

    /** RFC 2661 §3.2 control message types (the test's own table: an oracle independent of the code). */
    private static final Map<Integer, String> L2TP_TYPES = Map.ofEntries(Map.entry(1, "SCCRQ"), Map.entry(2, "SCCRP"),
            Map.entry(3, "SCCCN"), Map.entry(4, "StopCCN"), Map.entry(6, "HELLO"), Map.entry(7, "OCRQ"), Map.entry(8, "OCRP"),
            Map.entry(9, "OCCN"), Map.entry(10, "ICRQ"), Map.entry(11, "ICRP"), Map.entry(12, "ICCN"), Map.entry(14, "CDN"),
            Map.entry(15, "WEN"), Map.entry(16, "SLI"));
    /** RFC 2637 §2 control message types. */
    private static final Map<Integer, String> PPTP_TYPES = Map.ofEntries(Map.entry(1, "SCCRQ"), Map.entry(2, "SCCRP"),
            Map.entry(3, "StopCCRQ"), Map.entry(4, "StopCCRP"), Map.entry(5, "Echo-Request"), Map.entry(6, "Echo-Reply"),
            Map.entry(7, "OCRQ"), Map.entry(8, "OCRP"), Map.entry(9, "ICRQ"), Map.entry(10, "ICRP"), Map.entry(11, "ICCN"),
            Map.entry(12, "CCRQ"), Map.entry(13, "CDN"), Map.entry(14, "WEN"), Map.entry(15, "SLI"));

    static Path base() {
        String b = System.getProperty("basedir");
        return Path.of(b != null ? b : System.getProperty("user.dir"));
    }

    /** Chromium on PATH (Debian's chromium, or chromium-browser / google-chrome), or $VPNSLEUTH_CHROMIUM; null when none. */
    static String chromium() {
        String env = System.getenv("VPNSLEUTH_CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static void require(boolean present, String what) {
        if (!present) {
            if ("true".equals(System.getenv("CI"))) {
                fail(what + " is required under CI=true but was not found on PATH (.ci/run installs it)");
            }
            Assumptions.abort(what + " is not installed (Debian: apt-get install " + what + "); the HTML report's browser test is skipped");
        }
    }

    record Run(int exit, String out, String err) {
    }

    static Run analyze(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            rc = Main.commandLine(o, e).execute(args);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    /** One page to load: its capture, its JSON report, the rows of the TSV files that name it. */
    record Case(String name, Path capture, Path html, String json, List<String[]> ikeRows, List<String[]> tunnelRows) {
    }

    /** What one browser run and one tshark run gave for a case. */
    record Result(Case c, Map<String, Object> probe, Map<Long, String[]> tshark, Path png, List<String> errors, String error,
            long lazyData) {
        Result(Case c, Map<String, Object> probe, Map<Long, String[]> tshark, Path png, List<String> errors, String error) {
            this(c, probe, tshark, png, errors, error, -1);
        }
    }

    // tshark columns
    private static final String[] FIELDS = {"frame.number", "ip.src", "ipv6.src", "icmp.type", "icmpv6.type", "isakmp.ispi",
        "isakmp.exchangetype", "isakmp.messageid", "isakmp.flags", "isakmp.version", "l2tp.type", "l2tp.avp.message_type",
        "pptp.control_message_type", "ppp.protocol", "pppoe.code"};
    private static final int IP_SRC = 1;
    private static final int IP6_SRC = 2;
    private static final int ICMP = 3;
    private static final int ICMP6 = 4;
    private static final int ISPI = 5;
    private static final int EXCH = 6;
    private static final int MID = 7;
    private static final int FLAGS = 8;
    private static final int VERSION = 9;
    private static final int L2TP_TYPE = 10;
    private static final int L2TP_MSG = 11;
    private static final int PPTP_MSG = 12;
    private static final int PPP = 13;
    private static final int PPPOE_CODE = 14;

    static Map<Long, String[]> tshark(Path capture) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields", "-E", "separator=/t",
                "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark did not finish on " + capture);
        }
        Map<Long, String[]> rows = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String[] row = new String[FIELDS.length];
            for (int i = 0; i < row.length; i++) {
                row[i] = i < f.length ? f[i] : "";
            }
            rows.put(Long.parseLong(row[0]), row);
        }
        return rows;
    }

    /**
     * Loads {@code c}'s page in the browser's tab {@code session}: the console errors, exceptions
     * and error log entries (a Content-Security-Policy violation, a failed load) from the
     * navigation to the screenshot, what the probe reads from the DOM, and the screenshot.
     */
    static Result browse(Cdp cdp, String session, List<String> errors, Case c, Path outDir, Future<Map<Long, String[]>> tshark) {
        Path png = outDir.resolve(c.name() + ".png");
        try {
            Files.deleteIfExists(png);
            CompletableFuture<Object> loaded = new CompletableFuture<>();
            synchronized (errors) {
                errors.clear();
            }
            cdp.listen(ev -> {
                if ("Page.loadEventFired".equals(ev.get("method")) && session.equals(ev.get("sessionId"))) {
                    loaded.complete(ev);
                }
            });
            cdp.send(session, "Page.navigate", "{\"url\":" + Cdp.quote(c.html().toUri().toString()) + "}");
            loaded.get(120, TimeUnit.SECONDS);
            long lazyData = -1;
            if (c.name().startsWith("lazy-")) {
                // a page whose ladders are drawn on opening: count their data, then open everything as a user would
                lazyData = ((Double) obj(cdp.send(session, "Runtime.evaluate", "{\"expression\":"
                        + Cdp.quote("document.querySelectorAll('script.ladder-data, script.sa-bodies').length") + ",\"returnByValue\":true}")
                        .get("result")).get("value")).longValue();
                cdp.send(session, "Runtime.evaluate", "{\"expression\":" + Cdp.quote("document.getElementById('expand').click()") + "}");
                // the SAs' bodies are decompressed (asynchronously) as they are opened: wait until none is pending
                cdp.send(session, "Runtime.evaluate", "{\"expression\":" + Cdp.quote(HtmlLoadMeasure.SETTLED) + ",\"awaitPromise\":true}");
            }
            // let timers the page set on load run, then read the DOM
            cdp.send(session, "Runtime.evaluate", "{\"expression\":\"new Promise(function(r){setTimeout(r,50);})\",\"awaitPromise\":true}");
            Map<String, Object> res = cdp.send(session, "Runtime.evaluate", "{\"expression\":" + Cdp.quote(PROBE)
                    + ",\"returnByValue\":true}");
            Map<String, Object> value = obj(res.get("result"));
            if (res.get("exceptionDetails") != null || !(value.get("value") instanceof String)) {
                return new Result(c, null, null, png, List.of(), "the probe failed: " + res);
            }
            Map<String, Object> shot = cdp.send(session, "Page.captureScreenshot", "{\"format\":\"png\"}");
            Files.write(png, java.util.Base64.getDecoder().decode((String) shot.get("data")));
            List<String> seen;
            synchronized (errors) {
                seen = new ArrayList<>(errors);
            }
            return new Result(c, obj(MiniJson.parse((String) value.get("value"))), tshark.get(5, TimeUnit.MINUTES), png, seen, null,
                    lazyData);
        } catch (Exception e) {
            return new Result(c, null, null, png, List.of(), e.toString());
        }
    }

    /** Console errors and warnings, uncaught exceptions and error or warning log entries of {@code session}, in words. */
    static void collectErrors(Cdp cdp, String session, List<String> errors) {
        cdp.listen(ev -> {
            if (!session.equals(ev.get("sessionId"))) {
                return;
            }
            Object method = ev.get("method");
            Map<String, Object> p = ev.get("params") == null ? Map.of() : obj(ev.get("params"));
            String e = null;
            if ("Runtime.exceptionThrown".equals(method)) {
                e = "exception: " + p.get("exceptionDetails");
            } else if ("Runtime.consoleAPICalled".equals(method) && List.of("error", "warning", "assert").contains(p.get("type"))) {
                e = "console." + p.get("type") + ": " + p.get("args");
            } else if ("Log.entryAdded".equals(method)) {
                Map<String, Object> entry = obj(p.get("entry"));
                if (List.of("error", "warning").contains(entry.get("level"))) {
                    e = "log " + entry.get("level") + " (" + entry.get("source") + "): " + entry.get("text") + " " + entry.getOrDefault("url", "");
                }
            }
            if (e != null) {
                synchronized (errors) {
                    errors.add(e);
                }
            }
        });
    }

    static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }

    static List<String[]> tsv(Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank() && !line.startsWith("#")) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    /** A capture like fail-ikev1-aggressive-psk.pcapng whose initiator identity (sent in clear in AM1) is an HTML tag of the same length. */
    static Path hostileCapture(Path captures, Path outDir) throws IOException {
        byte[] b = Files.readAllBytes(captures.resolve("fail-ikev1-aggressive-psk.pcapng"));
        byte[] from = "initiator.vpnsleuth.example".getBytes(StandardCharsets.US_ASCII);
        byte[] to = HOSTILE_ID.getBytes(StandardCharsets.US_ASCII);
        assertThat(to).hasSameSizeAs(from);
        int n = 0;
        for (int i = 0; i + from.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, b, i, to.length);
                n++;
            }
        }
        assertThat(n).as("the initiator's FQDN identity in the capture").isPositive();
        Path p = outDir.resolve("hostile-identity.pcapng");
        Files.write(p, b);
        return p;
    }

    @Test
    void everyShippedFailureCaptureLoadsWithoutErrorAndMatchesItsJsonAndTshark() throws Exception {
        String chromium = chromium();
        require(chromium != null, "chromium");
        require(onPath("tshark"), "tshark");
        long started = System.nanoTime();
        Path captures = base().resolve("captures");
        Path outDir = base().resolve("target").resolve("html-report");
        Files.createDirectories(outDir);
        Map<String, List<String[]>> ike = new LinkedHashMap<>();
        for (String[] r : tsv(captures.resolve("expected-verdicts.tsv"))) {
            ike.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r);
        }
        Map<String, List<String[]>> tun = new LinkedHashMap<>();
        for (String[] r : tsv(captures.resolve("expected-l2tp-verdicts.tsv"))) {
            tun.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r);
        }
        Set<String> files = new LinkedHashSet<>(ike.keySet());
        files.addAll(tun.keySet());
        List<Case> cases = new ArrayList<>();
        for (String f : files) {
            cases.add(makeCase(f.replaceFirst("\\.pcapng?$", ""), captures.resolve(f), outDir, ike.getOrDefault(f, List.of()),
                    tun.getOrDefault(f, List.of())));
        }
        cases.add(makeCase("hostile-identity", hostileCapture(captures, outDir), outDir, List.of(), List.of()));
        // pages whose ladders are drawn by the page's script when opened (as above AnalysisHtml.LAZY_LADDERS_ABOVE)
        for (String f : List.of("fail-ikev1-psk.pcapng", "fail-ikev2-dh-retry.pcapng", "l2tp-icrq-lost.pcapng",
                "pptp-lcp-no-answer.pcapng", "l2tp-lcp-no-answer.pcapng")) {
            cases.add(lazyCase(f.replaceFirst("\\.pcapng$", ""), captures.resolve(f), outDir, ike.getOrDefault(f, List.of()),
                    tun.getOrDefault(f, List.of())));
        }
        assertThat(cases).hasSizeGreaterThan(20);

        // tshark beside the browser: one run per capture, all assertions on a capture share it
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Map<Long, String[]>>> dissections = new ArrayList<>();
        for (Case c : cases) {
            dissections.add(pool.submit(() -> tshark(c.capture())));
        }
        List<Result> results = new ArrayList<>();
        Path profile = Files.createTempDirectory("vpnsleuth-chromium");
        double browserCpu = -1;
        long browserStart = System.nanoTime();
        try (Cdp cdp = Cdp.start(chromium, profile, 1280, 1800)) {
            String target = (String) cdp.send(null, "Target.createTarget", "{\"url\":\"about:blank\"}").get("targetId");
            String session = (String) cdp.send(null, "Target.attachToTarget", "{\"targetId\":" + Cdp.quote(target)
                    + ",\"flatten\":true}").get("sessionId");
            List<String> errors = new ArrayList<>();
            collectErrors(cdp, session, errors);
            cdp.send(session, "Page.enable", null);
            cdp.send(session, "Runtime.enable", null);
            cdp.send(session, "Log.enable", null);
            cdp.send(session, "Emulation.setDeviceMetricsOverride", "{\"width\":1280,\"height\":1800,\"deviceScaleFactor\":1,\"mobile\":false}");
            for (int i = 0; i < cases.size(); i++) {
                results.add(browse(cdp, session, errors, cases.get(i), outDir, dissections.get(i)));
            }
            browserCpu = cdp.cpuSeconds();
        } finally {
            pool.shutdownNow();
            deleteTree(profile);
        }
        double browserSeconds = (System.nanoTime() - browserStart) / 1e9;

        SoftAssertions soft = new SoftAssertions();
        for (Result r : results) {
            check(soft, r);
        }
        System.out.printf(Locale.ROOT, "HtmlReportBrowserTest: %d pages, %.1f s in one Chromium (%.1f s of its CPU;"
                + " tshark beside it), %.1f s in all; screenshots in %s%n", results.size(), browserSeconds, browserCpu, (System.nanoTime() - started) / 1e9, outDir);
        soft.assertAll();
    }

    static Case makeCase(String name, Path capture, Path outDir, List<String[]> ikeRows, List<String[]> tunnelRows) {
        Path html = outDir.resolve(name + ".html");
        // with the captures' strongSwan logs and PSK as key material, where there are any: the page shows the
        // decrypted payloads, and the diagnosis can see the true cause (AnalyzeVerdictTest) that the TSV names
        List<String> keys = keyArgs(capture, name);
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "html", "-q", "-o", html.toString()));
        args.addAll(keys);
        args.add(capture.toString());
        Run h = analyze(args.toArray(String[]::new));
        assertThat(h.exit()).as("%s: analyze --format html: %s", name, h.err()).isEqualTo(Main.OK);
        args = new ArrayList<>(List.of("analyze", "--format", "json", "-q"));
        args.addAll(keys);
        args.add(capture.toString());
        Run j = analyze(args.toArray(String[]::new));
        assertThat(j.exit()).as("%s: analyze --format json: %s", name, j.err()).isEqualTo(Main.OK);
        return new Case(name, capture, html, j.out(), ikeRows, tunnelRows);
    }

    /** The PSK every shipped capture's scenario uses (captures/README.md). */
    static final String PSK = "vpnsleuth-test-psk-0123456789";

    static List<Path> logs(Path capture, String name) {
        String stem = name.equals("hostile-identity") ? "fail-ikev1-aggressive-psk" : name;
        Path dir = base().resolve("captures");
        List<Path> r = new ArrayList<>();
        for (String side : List.of(".initiator.log", ".responder.log")) {
            if (Files.exists(dir.resolve(stem + side))) {
                r.add(dir.resolve(stem + side));
            } else if (Files.exists(dir.resolve(stem + side + ".gz"))) {
                r.add(dir.resolve(stem + side + ".gz")); // a libreswan pluto log (ls-* captures)
            }
        }
        return r;
    }

    static List<String> keyArgs(Path capture, String name) {
        List<String> a = new ArrayList<>();
        for (Path p : logs(capture, name)) {
            a.add("--keys");
            a.add(p.toString());
        }
        if (!a.isEmpty()) {
            a.add("--psk");
            a.add(PSK);
        }
        return a;
    }

    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile(
            "\\] (?:<[^>]*> )?(.*?) => \\d+ bytes @ 0x");
    private static final java.util.regex.Pattern HEX_ROW = java.util.regex.Pattern.compile(
            "\\] (?:<[^>]*> )?\\s*\\d+: ((?:[0-9A-F]{2} ?)+)");

    /** The first 8 bytes (lowercase hex) of every secret and key a strongSwan level-4 log dumps. */
    static Set<String> secrets(List<Path> logs) throws IOException {
        Set<String> r = new LinkedHashSet<>();
        for (Path log : logs) {
            String name = null;
            StringBuilder hex = new StringBuilder();
            for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                java.util.regex.Matcher h = SECRET.matcher(line);
                java.util.regex.Matcher x = HEX_ROW.matcher(line);
                if (h.find()) {
                    if (name != null && hex.length() >= 16) {
                        r.add(hex.substring(0, 16));
                    }
                    String what = h.group(1).toLowerCase(Locale.ROOT);
                    name = what.contains("secret") || what.contains("key") || what.contains("skeyid") ? what : null;
                    hex.setLength(0);
                } else if (name != null && x.find()) {
                    hex.append(x.group(1).replace(" ", "").toLowerCase(Locale.ROOT));
                } else if (name != null) {
                    if (hex.length() >= 16) {
                        r.add(hex.substring(0, 16));
                    }
                    name = null;
                    hex.setLength(0);
                }
            }
        }
        return r;
    }

    /** As {@link #makeCase}, without keys, the page rendered with every ladder drawn on opening (threshold 0). */
    static Case lazyCase(String stem, Path capture, Path outDir, List<String[]> ikeRows, List<String[]> tunnelRows) {
        String name = "lazy-" + stem;
        Path html = outDir.resolve(name + ".html");
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<org.vpnsleuth.capture.CaptureReader> readers = org.vpnsleuth.pipeline.Analysis.open(List.of(capture.toString()), names, errors);
        assertThat(errors).as(name).isEmpty();
        StringWriter w = new StringWriter();
        try {
            org.vpnsleuth.pipeline.Analysis a = org.vpnsleuth.pipeline.Analysis.run(names, readers, List.of());
            StringBuilder sb = new StringBuilder();
            org.vpnsleuth.report.AnalysisHtml.render(a, sb, w, 0);
            w.append(sb);
            Files.writeString(html, w.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            org.vpnsleuth.pipeline.Analysis.close(readers);
        }
        Run j = analyze("analyze", "--format", "json", "-q", capture.toString());
        assertThat(j.exit()).as("%s: analyze --format json: %s", name, j.err()).isEqualTo(Main.OK);
        // without keys the cause of some rows is only a low-confidence one (AnalyzeVerdictTest): the TSV's verdicts only
        List<String[]> rows = new ArrayList<>();
        for (String[] r : ikeRows) {
            String[] x = r.clone();
            x[7] = null;
            rows.add(x);
        }
        return new Case(name, capture, html, j.out(), rows, tunnelRows);
    }

    private static String str(Object o) {
        return o == null ? null : o instanceof Double d ? Long.toString(d.longValue()) : o.toString();
    }

    private static long num(Object o) {
        return ((Double) o).longValue();
    }

    private static List<Long> sorted(List<Long> l) {
        List<Long> r = new ArrayList<>(l);
        java.util.Collections.sort(r);
        return r;
    }

    private static String addr(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        if (endpoint.startsWith("[")) {
            return endpoint.substring(1, endpoint.indexOf(']'));
        }
        int colon = endpoint.lastIndexOf(':');
        return colon > 0 && endpoint.indexOf(':') == colon ? endpoint.substring(0, colon) : endpoint;
    }

    static void check(SoftAssertions soft, Result r) {
        Case c = r.c();
        String n = c.name();
        if (r.error() != null) {
            soft.fail(n + ": " + r.error());
            return;
        }
        Map<String, Object> probe = r.probe();
        Map<String, Object> json = obj(MiniJson.parse(c.json().strip()));
        // the page loads cleanly, offline
        soft.assertThat(r.errors()).as("%s: console errors and warnings, exceptions, CSP violations, failed loads", n).isEmpty();
        soft.assertThat(arr(probe.get("external"))).as("%s: elements that reference an external URL", n).isEmpty();
        soft.assertThat(arr(probe.get("resources"))).as("%s: resources loaded", n).isEmpty();
        soft.assertThat(r.png()).as("%s: screenshot", n).exists();
        soft.assertThat(r.png().toFile().length()).as("%s: screenshot size", n).isGreaterThan(10_000);

        Map<Long, String[]> ts = r.tshark();
        List<Object> sas = arr(json.get("ikeSas"));
        List<Object> domSas = arr(probe.get("sas"));
        soft.assertThat(domSas).as("%s: IKE SAs in the page", n).hasSameSizeAs(sas);
        for (int i = 0; i < Math.min(sas.size(), domSas.size()); i++) {
            checkSa(soft, n, obj(sas.get(i)), obj(domSas.get(i)), ts);
        }
        // every ISAKMP frame tshark sees of these SAs is on a ladder (as a message, a retransmission or a fragment of one)
        Map<String, Set<Long>> onLadder = new HashMap<>();
        for (Object o : sas) {
            Map<String, Object> sa = obj(o);
            Set<Long> frames = onLadder.computeIfAbsent(str(sa.get("spiI")), k -> new TreeSet<>());
            for (Object e : arr(sa.get("exchanges"))) {
                for (Object mo : arr(obj(e).get("messages"))) {
                    for (Object fr : arr(obj(mo).get("frames"))) {
                        frames.add(num(obj(fr).get("frame")));
                    }
                }
            }
            for (Object d : domSas) {
                if (str(sa.get("spiI")).equals(obj(d).get("spiI"))) {
                    for (Object m : arr(obj(d).get("msgs"))) {
                        frames.add(num(obj(m).get("frame")));
                    }
                    for (Object f : arr(obj(d).get("retrans"))) {
                        frames.add(num(f));
                    }
                }
            }
        }
        for (String[] row : ts.values()) {
            if (row[ISPI].isEmpty() || !row[ICMP].isEmpty() || !row[ICMP6].isEmpty()) {
                continue;
            }
            for (String spi : row[ISPI].split(",")) {
                if (onLadder.containsKey(spi)) {
                    soft.assertThat(onLadder.get(spi)).as("%s: tshark's ISAKMP frame %s (SPI %s) on the ladder", n, row[0], spi)
                            .contains(Long.parseLong(row[0]));
                }
            }
        }
        // the TSV's verdicts (from the daemons' logs)
        for (String[] row : c.ikeRows()) {
            Map<String, Object> d = null;
            for (Object o : domSas) {
                if (row[4].equals(obj(o).get("spiI"))) {
                    d = obj(o);
                }
            }
            soft.assertThat(d).as("%s: SA %s in the page", n, row[4]).isNotNull();
            if (d != null) {
                soft.assertThat(d.get("verdict")).as("%s: SA %s verdict", n, row[4]).isEqualTo(row[5]);
                soft.assertThat(d.get("stoppedAt")).as("%s: SA %s stopped at", n, row[4]).isEqualTo(row[6]);
                String cause = row[7];
                if (row.length > 12 && !row[12].isBlank() && !logs(c.capture(), c.name()).isEmpty()) {
                    // the page was made with the daemons' logs as keys: the TSV's withKeys column says what differs then
                    for (String kv : row[12].split(";")) {
                        if (kv.startsWith("cause=")) {
                            cause = kv.substring("cause=".length());
                        }
                    }
                }
                if (cause == null) {
                    continue;
                }
                if ("LOW".equals(d.get("confidence"))) {
                    // from the wire alone the true cause may be one the diagnosis names as possible (AnalyzeVerdictTest)
                    List<Object> allowed = new ArrayList<>(List.of(String.valueOf(d.get("cause"))));
                    for (Object o : sas) {
                        if (row[4].equals(obj(o).get("spiI")) && !arr(obj(o).get("findings")).isEmpty()) {
                            allowed.addAll(arr(obj(arr(obj(o).get("findings")).get(0)).get("alternatives")));
                        }
                    }
                    soft.assertThat(allowed).as("%s: SA %s cause at low confidence, or its alternatives", n, row[4]).contains(cause);
                } else {
                    soft.assertThat(d.get("cause")).as("%s: SA %s cause", n, row[4]).isEqualTo(cause);
                }
            }
        }
        checkTunnels(soft, c, json, arr(probe.get("tunnels")), ts);
        int rows = sas.size() + arr(json.get("pppSessions")).size();
        for (Object t : arr(json.get("l2tp"))) {
            rows += 1 + arr(obj(t).get("sessions")).size();
        }
        for (Object t : arr(json.get("pptp"))) {
            rows += 1 + arr(obj(t).get("calls")).size();
        }
        soft.assertThat(num(probe.get("summaryRows"))).as("%s: summary rows", n).isEqualTo(rows);
        String html;
        Set<String> secrets;
        try {
            html = Files.readString(c.html(), StandardCharsets.UTF_8);
            secrets = secrets(logs(c.capture(), n));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // no key material in the page: not the PSK, not a byte of any key the logs dump
        soft.assertThat(html).as("%s: the PSK", n).doesNotContain(PSK);
        String flat = html.toLowerCase(Locale.ROOT);
        for (String k : secrets) {
            soft.assertThat(flat).as("%s: a key from the logs (%s...)", n, k.substring(0, 4)).doesNotContain(k);
        }
        if (n.equals("fail-ikev2-psk") || n.equals("fail-ikev1-psk")) {
            // the logs of a negotiation that derived keys dump them: the check above had something to look for
            soft.assertThat(secrets).as("%s: keys read from the logs", n).hasSizeGreaterThan(5);
        }
        if (n.startsWith("lazy-")) {
            soft.assertThat(r.lazyData()).as("%s: bodies and ladders as data before opening", n).isPositive();
        }
        if (n.equals("hostile-identity")) {
            soft.assertThat(html).as("hostile identity: the tag is escaped").doesNotContain("<img")
                    .contains("&lt;img src=x onerror=alert()&gt;");
            soft.assertThat(num(probe.get("images"))).as("hostile identity: no <img> element in the DOM").isZero();
            soft.assertThat(probe.get("text")).as("hostile identity: shown as text").isEqualTo(Boolean.TRUE);
        }
    }

    static void checkSa(SoftAssertions soft, String n, Map<String, Object> sa, Map<String, Object> dom, Map<Long, String[]> ts) {
        String spi = str(sa.get("spiI"));
        String what = n + " SA " + spi;
        soft.assertThat(dom.get("spiI")).as("%s: order", what).isEqualTo(spi);
        soft.assertThat(dom.get("verdict")).as("%s: data-verdict", what).isEqualTo(sa.get("verdict"));
        soft.assertThat(dom.get("cause")).as("%s: data-cause", what).isEqualTo(sa.get("cause"));
        soft.assertThat(num(dom.get("ladders"))).as("%s: one svg.ladder", what).isEqualTo(1);
        soft.assertThat(((Double) dom.get("width"))).as("%s: the ladder is drawn", what).isGreaterThan(100.0);
        soft.assertThat(dom.get("linked")).as("%s: a summary row links to it", what).isEqualTo(Boolean.TRUE);
        boolean stopped = "FAILED".equals(sa.get("verdict")) || "INCOMPLETE".equals(sa.get("verdict"));
        soft.assertThat(num(dom.get("stops"))).as("%s: .stopped-at", what).isEqualTo(stopped ? 1 : 0);
        List<Long> jsonMsgs = new ArrayList<>();
        List<Long> jsonRetrans = new ArrayList<>();
        Map<Long, Map<String, Object>> exchangeOf = new HashMap<>();
        Map<Long, Long> origOf = new HashMap<>();
        for (Object e : arr(sa.get("exchanges"))) {
            for (Object mo : arr(obj(e).get("messages"))) {
                Map<String, Object> m = obj(mo);
                long f = num(m.get("frame"));
                jsonMsgs.add(f);
                exchangeOf.put(f, obj(e));
                for (Object x : arr(m.get("retransmissions"))) {
                    long rf = num(obj(x).get("frame"));
                    jsonRetrans.add(rf);
                    exchangeOf.put(rf, obj(e));
                    origOf.put(rf, f);
                }
            }
        }
        List<Long> domMsgs = new ArrayList<>();
        for (Object o : arr(dom.get("msgs"))) {
            domMsgs.add(num(obj(o).get("frame")));
        }
        List<Long> domRetrans = new ArrayList<>();
        for (Object o : arr(dom.get("retrans"))) {
            domRetrans.add(num(o));
        }
        soft.assertThat(sorted(domMsgs)).as("%s: .msg frames = exchanges[].messages[].frame", what).isEqualTo(sorted(jsonMsgs));
        soft.assertThat(sorted(domRetrans)).as("%s: .retransmission frames", what).isEqualTo(sorted(jsonRetrans));
        String initiator = addr(str(sa.get("initiator")));
        // each message against tshark: an ISAKMP frame of this SA, with the exchange type, message ID and sender the JSON names
        for (Object o : arr(dom.get("msgs"))) {
            Map<String, Object> m = obj(o);
            long f = num(m.get("frame"));
            String[] row = ts.get(f);
            if (row == null || row[ISPI].isEmpty()) {
                soft.fail(what + ": tshark sees no ISAKMP in frame " + f);
                continue;
            }
            soft.assertThat(row[ISPI].split(",")).as("%s frame %d: tshark's initiator SPI", what, f).contains(spi);
            Map<String, Object> e = exchangeOf.get(f);
            if (e != null) {
                soft.assertThat(row[EXCH].split(",")).as("%s frame %d: tshark's exchange type", what, f)
                        .contains(str(e.get("exchangeType")));
            }
            soft.assertThat(Long.decode(row[MID].split(",")[0])).as("%s frame %d: tshark's message ID", what, f)
                    .isEqualTo(Long.parseLong((String) m.get("mid"), 16));
            boolean ir = Boolean.TRUE.equals(m.get("ir"));
            if (row[VERSION].startsWith("0x20") || row[VERSION].startsWith("0x02")) {
                soft.assertThat((Integer.decode(row[FLAGS].split(",")[0]) & 0x08) != 0)
                        .as("%s frame %d: IKEv2 Initiator flag vs the arrow's direction", what, f).isEqualTo(ir);
            } else if (initiator != null && !row[IP_SRC].isEmpty()) {
                soft.assertThat(row[IP_SRC].equals(initiator)).as("%s frame %d: sender (%s) vs the arrow's direction", what, f,
                        row[IP_SRC]).isEqualTo(ir);
            }
        }
        for (long f : domRetrans) {
            String[] row = ts.get(f);
            if (row == null || row[ISPI].isEmpty()) {
                soft.fail(what + ": tshark sees no ISAKMP in retransmission frame " + f);
                continue;
            }
            soft.assertThat(row[ISPI].split(",")).as("%s retransmission frame %d: SPI", what, f).contains(spi);
            Long orig = origOf.get(f);
            if (orig != null && ts.get(orig) != null) {
                soft.assertThat(row[EXCH] + "/" + row[MID]).as("%s retransmission frame %d: same exchange and message ID as frame %d",
                        what, f, orig).isEqualTo(ts.get(orig)[EXCH] + "/" + ts.get(orig)[MID]);
            }
        }
    }

    /** The tunnels, sessions, calls and PPP sessions of the JSON report, in page order: kind, verdict, control frames, PPP frames. */
    record Expected(String kind, String verdict, String stoppedAt, List<Long> control, List<Long> ppp) {
    }

    private static List<Long> frames(Object list) {
        List<Long> r = new ArrayList<>();
        if (list != null) {
            for (Object o : arr(list)) {
                r.add(num(obj(o).get("frame")));
            }
        }
        return r;
    }

    private static List<Long> pppFrames(Map<String, Object> holder) {
        Object ppp = holder.get("ppp");
        return ppp == null ? List.of() : frames(obj(ppp).get("packets"));
    }

    static void checkTunnels(SoftAssertions soft, Case c, Map<String, Object> json, List<Object> dom, Map<Long, String[]> ts) {
        String n = c.name();
        List<Expected> exp = new ArrayList<>();
        for (Object o : arr(json.get("l2tp"))) {
            Map<String, Object> t = obj(o);
            exp.add(new Expected(str(t.get("kind")), str(t.get("verdict")), str(t.get("stoppedAt")), frames(t.get("messages")), List.of()));
            for (Object so : arr(t.get("sessions"))) {
                Map<String, Object> s = obj(so);
                exp.add(new Expected(str(s.get("kind")), str(s.get("verdict")), str(s.get("stoppedAt")), frames(s.get("messages")),
                        pppFrames(s)));
            }
        }
        for (Object o : arr(json.get("pptp"))) {
            Map<String, Object> t = obj(o);
            exp.add(new Expected(str(t.get("kind")), str(t.get("verdict")), str(t.get("stoppedAt")), frames(t.get("messages")), List.of()));
            for (Object so : arr(t.get("calls"))) {
                Map<String, Object> s = obj(so);
                exp.add(new Expected(str(s.get("kind")), str(s.get("verdict")), str(s.get("stoppedAt")), frames(s.get("messages")),
                        pppFrames(s)));
            }
        }
        for (Object o : arr(json.get("pppSessions"))) {
            Map<String, Object> s = obj(o);
            exp.add(new Expected(str(s.get("kind")), str(s.get("verdict")), str(s.get("stoppedAt")), List.of(),
                    frames(s.get("packets"))));
        }
        soft.assertThat(dom).as("%s: .tunnel elements", n).hasSameSizeAs(exp);
        Set<Long> l2tpOnPage = new TreeSet<>();
        Set<Long> pptpOnPage = new TreeSet<>();
        for (int i = 0; i < Math.min(exp.size(), dom.size()); i++) {
            Expected e = exp.get(i);
            Map<String, Object> d = obj(dom.get(i));
            String what = n + " " + d.get("id");
            soft.assertThat(d.get("kind")).as("%s: data-kind", what).isEqualTo(e.kind());
            soft.assertThat(d.get("verdict")).as("%s: data-verdict", what).isEqualTo(e.verdict());
            soft.assertThat(d.get("linked")).as("%s: a summary row links to it", what).isEqualTo(Boolean.TRUE);
            List<Long> tm = new ArrayList<>();
            for (Object o : arr(d.get("tmsgs"))) {
                Map<String, Object> m = obj(o);
                long f = num(m.get("frame"));
                tm.add(f);
                String[] row = ts.get(f);
                String name = (String) m.get("name");
                if (e.kind().startsWith("L2TP")) {
                    l2tpOnPage.add(f);
                    if (row != null && !row[L2TP_TYPE].isEmpty()) {
                        String type = row[L2TP_MSG].isEmpty() ? "ZLB" : L2TP_TYPES.getOrDefault(Integer.parseInt(row[L2TP_MSG].split(",")[0]), "?");
                        soft.assertThat(name).as("%s frame %d: tshark's L2TP message type", what, f).isEqualToIgnoringCase(type);
                    } else {
                        soft.fail(what + ": tshark sees no L2TP control message in frame " + f);
                    }
                } else {
                    pptpOnPage.add(f);
                    if (row != null && !row[PPTP_MSG].isEmpty()) {
                        soft.assertThat(name).as("%s frame %d: tshark's PPTP control message type", what, f)
                                .isEqualTo(PPTP_TYPES.getOrDefault(Integer.parseInt(row[PPTP_MSG].split(",")[0]), "?"));
                    } else {
                        soft.fail(what + ": tshark sees no PPTP control message in frame " + f);
                    }
                }
            }
            soft.assertThat(sorted(tm)).as("%s: control-message frames = the JSON's messages", what).isEqualTo(sorted(e.control()));
            List<Long> pm = new ArrayList<>();
            for (Object o : arr(d.get("pmsgs"))) {
                long f = num(o);
                pm.add(f);
                String[] row = ts.get(f);
                // a PPP packet, or (PPPoE) a discovery packet of the story: tshark's PPPoE code other than 0 (session data)
                soft.assertThat(row != null && (!row[PPP].isEmpty() || !row[PPPOE_CODE].isEmpty() && !row[PPPOE_CODE].equals("0x00")))
                        .as("%s frame %d: tshark sees PPP or a PPPoE discovery packet", what, f).isTrue();
            }
            soft.assertThat(sorted(pm)).as("%s: PPP packet frames = the JSON's packets", what).isEqualTo(sorted(e.ppp()));
            boolean stopped = !"ESTABLISHED".equals(e.verdict());
            soft.assertThat(num(d.get("ladders"))).as("%s: its own ladders", what).isPositive();
            soft.assertThat(num(d.get("stops"))).as("%s: .stopped-at in its own ladders", what).isEqualTo(stopped ? 1 : 0);
        }
        // every L2TP / PPTP control frame tshark dissects (not those quoted in ICMP errors) is on a ladder
        for (String[] row : ts.values()) {
            if (!row[ICMP].isEmpty() || !row[ICMP6].isEmpty()) {
                continue;
            }
            if (row[L2TP_TYPE].contains("1")) {
                soft.assertThat(l2tpOnPage).as("%s: tshark's L2TP control frame %s on a ladder", n, row[0]).contains(Long.parseLong(row[0]));
            }
            if (!row[PPTP_MSG].isEmpty()) {
                soft.assertThat(pptpOnPage).as("%s: tshark's PPTP control frame %s on a ladder", n, row[0]).contains(Long.parseLong(row[0]));
            }
        }
        for (String[] row : c.tunnelRows()) {
            boolean found = false;
            for (Object o : dom) {
                Map<String, Object> d = obj(o);
                found |= row[1].equals(d.get("kind")) && row[2].equals(d.get("verdict")) && row[3].equals(d.get("stoppedAt"));
            }
            soft.assertThat(found).as("%s: a %s %s at %s (expected-l2tp-verdicts.tsv)", n, row[1], row[2], row[3]).isTrue();
        }
    }
}
