package org.vpnsleuth.live;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.vpnsleuth.report.JsonWriter;

/**
 * One thing that happened during a live capture, as it happened: its kind, the capture time, the
 * one-line text a person reads and the fields a script reads (docs/live.md, "JSON lines").
 */
public final class LiveEvent {
    /** The kinds, with their stable JSON names. */
    public enum Kind {
        CAPTURE_STARTED("capture-started"),
        IKE_SA_NEW("ike-sa-new"),
        EXCHANGE("exchange"),
        RETRANSMISSION("retransmission"),
        VERDICT("verdict"),
        CHILD_SA_UP("child-sa-up"),
        ESP_FLOW_STARTED("esp-flow-started"),
        ESP_FLOW_STOPPED("esp-flow-stopped"),
        ESP_FLOW_RESUMED("esp-flow-resumed"),
        DPD("dpd"),
        DELETE("delete"),
        ICMP_ERROR("icmp-error"),
        IKE_SA_EVICTED("ike-sa-evicted"),
        DROPS("drops"),
        FILE_ROTATED("file-rotated"),
        CAPTURE_STOPPED("capture-stopped");

        public final String json;

        Kind(String json) {
            this.json = json;
        }
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public final Kind kind;
    /** Capture time (nanoseconds since the epoch, UTC). */
    public final long nanos;
    /** The line a person reads (without time and kind). */
    public final String text;
    /** Fields for scripts, in order; values are String, Long, Integer, Boolean or null. */
    public final Map<String, Object> fields = new LinkedHashMap<>();

    public LiveEvent(Kind kind, long nanos, String text) {
        this.kind = kind;
        this.nanos = nanos;
        this.text = text;
    }

    public LiveEvent with(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    /** "12:00:01.234 verdict          IKEv1 ... " (UTC clock). */
    public String textLine() {
        StringBuilder sb = new StringBuilder(40 + text.length());
        sb.append(CLOCK.format(Instant.ofEpochSecond(0, nanos))).append(' ').append(kind.json);
        for (int i = kind.json.length(); i < 16; i++) {
            sb.append(' '); // %-16s
        }
        return sb.append(' ').append(text).toString();
    }

    /** One JSON object on one line: event, time, nanos, text, then the fields. */
    public String jsonLine() {
        StringBuilder sb = new StringBuilder(256);
        JsonWriter j = new JsonWriter(sb);
        j.beginObject(null);
        j.value("event", kind.json);
        j.value("time", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(0, nanos)));
        j.value("nanos", nanos);
        j.value("text", text);
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                j.value(e.getKey(), (String) null);
            } else if (v instanceof Long || v instanceof Integer) {
                j.value(e.getKey(), ((Number) v).longValue());
            } else if (v instanceof Boolean b) {
                j.value(e.getKey(), b);
            } else {
                j.value(e.getKey(), v.toString());
            }
        }
        j.endObject();
        return sb.toString();
    }

    @Override
    public String toString() {
        return textLine();
    }
}
