package org.vpnsleuth.oracle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven through its own DevTools protocol (Chromium's {@code --headless
 * --remote-debugging-port}, a WebSocket from the JDK; no WebDriver): one browser start serves every
 * page a test loads. Commands are sent as JSON and answered by id; events (console messages,
 * exceptions, log entries, page loads) go to the listeners.
 */
final class Cdp implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<Map<String, Object>>> listeners = new CopyOnWriteArrayList<>();

    private Cdp(Process process, WebSocket ws) {
        this.process = process;
        this.ws = ws;
    }

    /** Starts {@code chromium} headless with a fresh profile in {@code profile} and connects to it. */
    static Cdp start(String chromium, Path profile, int width, int height) throws Exception {
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the browser went away
            }
            url.completeExceptionally(new IOException("chromium exited without a DevTools address"));
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        String address;
        try {
            address = url.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            kill(p);
            throw e;
        }
        Cdp[] self = new Cdp[1];
        StringBuilder partial = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    self[0].dispatch(MiniJson.obj(MiniJson.parse(text)));
                }
                w.request(1);
                return null;
            }
        };
        WebSocket ws;
        try {
            ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(address), listener).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            kill(p);
            throw e;
        }
        self[0] = new Cdp(p, ws);
        return self[0];
    }

    private void dispatch(Map<String, Object> msg) {
        Object id = msg.get("id");
        if (id != null) {
            CompletableFuture<Map<String, Object>> f = pending.remove(((Double) id).intValue());
            if (f != null) {
                f.complete(msg);
            }
            return;
        }
        for (Consumer<Map<String, Object>> l : listeners) {
            l.accept(msg);
        }
    }

    void listen(Consumer<Map<String, Object>> l) {
        listeners.add(l);
    }

    /** Sends {@code method} with {@code params} (a JSON object's text) to {@code session} (null: the browser); its result. */
    Map<String, Object> send(String session, String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        String msg = "{\"id\":" + id + ",\"method\":" + quote(method) + ",\"params\":" + (params == null ? "{}" : params)
                + (session == null ? "" : ",\"sessionId\":" + quote(session)) + "}";
        synchronized (ws) {
            ws.sendText(msg, true).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> reply = f.get(120, TimeUnit.SECONDS);
        if (reply.get("error") != null) {
            throw new IOException(method + ": " + reply.get("error"));
        }
        return MiniJson.obj(reply.get("result"));
    }

    /** {@code s} as a JSON string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** CPU seconds the browser's processes have used so far (load-independent, unlike wall time). */
    double cpuSeconds() {
        double[] sum = {process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)};
        process.descendants().forEach(h -> sum[0] += h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0));
        return sum[0];
    }

    /** Resident memory of the browser's processes now, in bytes (from /proc; 0 where it cannot be read). */
    long rssBytes() {
        long[] sum = {rss(process.pid())};
        process.descendants().forEach(h -> sum[0] += rss(h.pid()));
        return sum[0];
    }

    private static long rss(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    @Override
    public void close() {
        try {
            synchronized (ws) {
                ws.sendText("{\"id\":" + ids.incrementAndGet() + ",\"method\":\"Browser.close\",\"params\":{}}", true)
                        .get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // killed below
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill(process);
            }
            ws.abort();
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
        }
    }
}
