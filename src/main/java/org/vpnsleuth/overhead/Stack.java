package org.vpnsleuth.overhead;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An encapsulation stack: the headers a tunnel adds around an inner IP packet, outermost first, as
 * written in the stack syntax (docs/overhead.md): layers separated by '/', each a name from
 * {@code registry/overhead/stack-grammar.tsv} with optional parameters after ':' (or in
 * parentheses), comma-separated:
 * <pre>
 *   eth/ipv4/udp/esp:aes-gcm-16-256                 IPsec tunnel mode with NAT-T (the inner packet is not written)
 *   eth/pppoe/ipv4/esp:aes-cbc-256,sha1/gre:key     DMVPN (GRE with tunnel key over IPsec transport) on PPPoE
 *   ipv4/esp(aes-cbc-256,sha256)/ipv4/gre            GRE over IPsec tunnel mode
 * </pre>
 * ESP is in tunnel mode when an IP header is written inside it, in transport mode otherwise (its
 * payload is then what is written inside it: GRE, UDP/L2TP). Framing layers at the bottom (eth,
 * vlan, ppp: {@code framing} in the grammar) are outside the MTU; every other layer counts against it.
 */
public final class Stack {
    private final List<Encapsulation> layers;
    private final int framing;

    private Stack(List<Encapsulation> layers, int framing) {
        this.layers = List.copyOf(layers);
        this.framing = framing;
    }

    /** Stacks parsed, by spec (a Stack is immutable); bounded: cleared past {@link #CACHED} specs. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Stack> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    static final int CACHED = 1024;

    /** As {@link #parse}, the stack of a spec parsed before shared (the measurements of thousands of SAs name a few stacks). */
    public static Stack cached(String spec) {
        Stack s = CACHE.get(spec);
        if (s == null) {
            s = parse(spec);
            if (CACHE.size() >= CACHED) {
                CACHE.clear();
            }
            CACHE.put(spec, s);
        }
        return s;
    }

    /**
     * Parses a stack.
     *
     * @throws IllegalArgumentException naming the layer (by position and text) and what is wrong
     */
    public static Stack parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty stack: write the layers outermost first, separated by '/',"
                    + " e.g. eth/ipv4/udp/esp:aes-gcm-16-256 (layers: " + LayerTable.join(layerNames()) + ")");
        }
        String[] parts = spec.split("/", -1);
        List<Encapsulation> out = new ArrayList<>();
        String prev = "^";
        String ip = null;
        int framing = 0;
        boolean bottom = true;
        for (int i = 0; i < parts.length; i++) {
            String t = parts[i].trim();
            String where = "layer " + (i + 1) + " '" + t + "': ";
            if (t.isEmpty()) {
                throw new IllegalArgumentException("layer " + (i + 1) + " of '" + spec + "' is empty (a '/' too many)");
            }
            String name;
            String args;
            int colon = t.indexOf(':');
            int paren = t.indexOf('(');
            if (paren >= 0 && (colon < 0 || paren < colon)) {
                if (!t.endsWith(")")) {
                    throw new IllegalArgumentException(where + "'(' without a closing ')' at the end");
                }
                name = t.substring(0, paren);
                args = t.substring(paren + 1, t.length() - 1);
            } else if (colon >= 0) {
                name = t.substring(0, colon);
                args = t.substring(colon + 1);
            } else {
                name = t;
                args = null;
            }
            name = LayerTable.lower(name);
            LayerTable.Grammar g = LayerTable.GRAMMAR.get(name);
            if (g == null) {
                throw new IllegalArgumentException(where + "unknown layer '" + name + "' (layers: " + LayerTable.join(layerNames()) + ")");
            }
            if (!g.follows().contains(prev)) {
                List<String> fits = g.follows().stream().filter(f -> !f.equals("^")).toList();
                throw new IllegalArgumentException(where + (prev.equals("^")
                        ? "'" + name + "' cannot be the outermost layer (it goes inside " + LayerTable.join(fits) + ")"
                        : "'" + name + "' cannot go directly inside '" + prev + "' (it goes inside "
                                + (g.follows().contains("^") ? "nothing (outermost), " : "") + LayerTable.join(fits) + ")"));
            }
            List<String> argList = new ArrayList<>();
            if (args != null) {
                for (String a : args.split(",", -1)) {
                    String x = LayerTable.lower(a);
                    if (x.isEmpty()) {
                        throw new IllegalArgumentException(where + "an empty parameter (a ',' too many, or nothing after ':')");
                    }
                    argList.add(x);
                }
            }
            Encapsulation e;
            try {
                e = build(name, argList, prev, ip);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ex.getMessage(), ex);
            }
            out.add(e);
            if (bottom && g.framing()) {
                framing++;
            } else {
                bottom = false;
            }
            if (name.equals("ipv4") || name.equals("ipv6")) {
                ip = name;
            }
            prev = name;
        }
        if (!LayerTable.GRAMMAR.get(prev).mayEnd()) {
            throw new IllegalArgumentException("the stack ends with '" + prev + "', which carries no IP packet itself:"
                    + " write what it carries (" + LayerTable.join(inside(prev)) + ")");
        }
        return new Stack(out, framing);
    }

    /** The layers that may go directly inside {@code layer} ("^": outermost). */
    static List<String> inside(String layer) {
        List<String> l = new ArrayList<>();
        for (LayerTable.Grammar g : LayerTable.GRAMMAR.values()) {
            if (g.follows().contains(layer)) {
                l.add(g.layer());
            }
        }
        return l;
    }

    /** Every layer name of the syntax (for completion and messages). */
    public static List<String> layerNames() {
        return List.copyOf(LayerTable.GRAMMAR.keySet());
    }

    /** The parameters a layer takes, as the syntax writes them ("key", "options=N", "tags=N"). */
    public static List<String> parameters(String layer) {
        String name = LayerTable.lower(layer);
        if (name.equals("esp")) {
            return List.of("CIPHER", "INTEGRITY");
        }
        if (name.equals("ah")) {
            return List.of("INTEGRITY");
        }
        Set<String> out = new LinkedHashSet<>();
        for (LayerTable.Row r : LayerTable.rows(name)) {
            switch (r.kind()) {
                case "flag" -> out.add(r.param());
                case "bytes", "count", "choice" -> out.add(r.param() + "=N");
                default -> {
                }
            }
        }
        return List.copyOf(out);
    }

    private static Encapsulation build(String name, List<String> args, String prev, String ip) {
        if (name.equals("esp")) {
            if (args.isEmpty() || args.size() > 2) {
                throw new IllegalArgumentException("esp takes its algorithms: esp:CIPHER[,INTEGRITY], e.g. esp:aes-gcm-16-256"
                        + " or esp:aes-cbc-256,sha256" + (args.isEmpty() ? "" : " (" + args.size() + " parameters given)"));
            }
            return Esp.of(args.get(0), args.size() == 2 ? args.get(1) : null);
        }
        if (name.equals("ah")) {
            if (args.size() != 1) {
                throw new IllegalArgumentException("ah takes one integrity algorithm: ah:sha256");
            }
            return Ah.of(args.get(0), "ipv6".equals(ip));
        }
        List<LayerTable.Row> rows = LayerTable.rows(name);
        int bytes = 0;
        List<String> parts = new ArrayList<>();
        Set<String> sources = new LinkedHashSet<>();
        for (LayerTable.Row r : rows) {
            if (r.kind().equals("base") || (r.kind().equals("after") && prev.equals(r.rule().get("after")))) {
                bytes += r.bytes();
                parts.add(r.kind().equals("after") ? "after " + prev + " " + r.bytes() : name + " " + r.bytes());
                sources.add(r.source());
            }
        }
        Map<String, Integer> given = new java.util.LinkedHashMap<>();
        for (String a : args) {
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq >= 0) {
                key = a.substring(0, eq).trim();
                value = a.substring(eq + 1).trim();
            } else if (!a.isEmpty() && Character.isDigit(a.charAt(0))) {
                List<LayerTable.Row> numeric = rows.stream()
                        .filter(r -> r.kind().equals("count") || r.kind().equals("bytes") || r.kind().equals("choice")).toList();
                if (numeric.size() != 1) {
                    throw new IllegalArgumentException("a bare number '" + a + "': " + name
                            + (numeric.isEmpty() ? " takes no number" : " takes several, write PARAM=N") + paramHint(name));
                }
                key = numeric.get(0).param();
                value = a;
            } else {
                key = a;
                value = null;
            }
            LayerTable.Row row = rows.stream().filter(r -> r.param().equals(key)
                    && !r.kind().equals("base") && !r.kind().equals("after")).findFirst().orElse(null);
            if (row == null) {
                throw new IllegalArgumentException(name + " has no parameter '" + key + "'" + paramHint(name));
            }
            if (given.containsKey(key)) {
                throw new IllegalArgumentException("parameter '" + key + "' given twice");
            }
            int n;
            if (row.kind().equals("flag")) {
                if (value != null) {
                    throw new IllegalArgumentException("'" + key + "' is a flag: write it without '=" + value + "'");
                }
                n = 1;
            } else {
                if (value == null) {
                    throw new IllegalArgumentException("'" + key + "' needs a number: " + key + "=N");
                }
                try {
                    n = Integer.parseInt(value);
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("'" + key + "=" + value + "': not a number");
                }
                check(row, n);
            }
            given.put(key, n);
        }
        List<String> canonical = new ArrayList<>();
        for (LayerTable.Row r : rows) {
            Integer n = given.get(r.param());
            if (r.kind().equals("count") && n == null) {
                n = r.ruleInt("default", 0);
                if (n == 0) {
                    continue;
                }
            } else if (n == null) {
                continue;
            } else {
                canonical.add(r.kind().equals("flag") ? r.param() : r.param() + "=" + n);
            }
            int add = switch (r.kind()) {
                case "flag" -> r.bytes();
                case "count", "bytes", "choice" -> n * r.bytes() + (given.containsKey(r.param()) ? r.ruleInt("fixed", 0) : 0);
                default -> 0;
            };
            if (add != 0 || r.kind().equals("choice")) {
                bytes += add;
                parts.add(r.param() + " " + add);
                sources.add(r.source());
            }
        }
        if (bytes < 0) {
            throw new IllegalStateException(name + ": negative size");
        }
        String spec = canonical.isEmpty() ? name : name + ":" + String.join(",", canonical);
        String describe = parts.size() == 1
                ? rows.get(0).meaning() + " (" + String.join(", ", sources) + ")"
                : String.join(" + ", parts) + " = " + bytes + " (" + String.join(", ", sources) + ")";
        return new Header(name, spec, bytes, describe);
    }

    private static void check(LayerTable.Row r, int n) {
        String p = "'" + r.param() + "=" + n + "': ";
        switch (r.kind()) {
            case "bytes" -> {
                int mult = r.ruleInt("mult", 1);
                if (n < 0 || n % mult != 0) {
                    throw new IllegalArgumentException(p + "must be a multiple of " + mult + " bytes (" + r.meaning() + ", " + r.source() + ")");
                }
                if (n > r.ruleInt("max", Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException(p + "at most " + r.ruleInt("max", 0) + " bytes (" + r.meaning() + ", " + r.source() + ")");
                }
            }
            case "count" -> {
                if (n < r.ruleInt("min", 0) || n > r.ruleInt("max", Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException(p + "must be " + r.ruleInt("min", 0) + " to " + r.ruleInt("max", 0));
                }
            }
            case "choice" -> {
                List<String> values = List.of(r.rule().get("values").split("\\|"));
                if (!values.contains(String.valueOf(n))) {
                    throw new IllegalArgumentException(p + "must be one of " + String.join(", ", values) + " (" + r.source() + ")");
                }
            }
            default -> {
            }
        }
    }

    private static String paramHint(String name) {
        List<String> p = parameters(name);
        return p.isEmpty() ? " (" + name + " takes no parameters)" : " (parameters: " + LayerTable.join(p) + ")";
    }

    /** The stack of a preset ({@link Presets}). */
    public static Stack preset(String name) {
        return Presets.get(name).stack();
    }

    /** The preset names. */
    public static List<String> presets() {
        return Presets.names();
    }

    /** The layers, outermost first. */
    public List<Encapsulation> layers() {
        return layers;
    }

    /** How many layers at the bottom are link framing, outside the MTU (eth, vlan, ppp there). */
    public int framingLayers() {
        return framing;
    }

    /** The bytes of the framing layers (Ethernet 14, VLAN tags): frame length − outer packet length. */
    public int framingBytes() {
        int b = 0;
        for (int i = 0; i < framing; i++) {
            b += layers.get(i).added(0);
        }
        return b;
    }

    /**
     * The outer packet length (at the MTU level: without the framing layers) minus the inner
     * packet length, computed from the innermost layer out (each layer's payload is the inner
     * packet with the layers inside it).
     */
    public int overhead(int innerPacketLength) {
        return outerLength(innerPacketLength) - innerPacketLength;
    }

    /** The outer packet's length, as the MTU counts it. */
    public int outerLength(int innerPacketLength) {
        int n = innerPacketLength;
        for (int i = layers.size() - 1; i >= framing; i--) {
            n += layers.get(i).added(n);
        }
        return n;
    }

    /** The frame's length with the framing layers (Ethernet header; FCS not counted). */
    public int frameLength(int innerPacketLength) {
        return outerLength(innerPacketLength) + framingBytes();
    }

    /** The largest inner IP packet whose outer packet fits {@code pathMtu} (the tunnel's {@code ip mtu}); -1 when none does. */
    public int maxInnerPacket(int pathMtu) {
        // outerLength is non-decreasing in the inner length (padding only rounds up), so the first fit from the top is the largest.
        for (int n = pathMtu; n >= 0; n--) {
            if (outerLength(n) <= pathMtu) {
                return n;
            }
        }
        return -1;
    }

    /** The TCP MSS to clamp: maxInnerPacket − inner IP header (20 IPv4 / 40 IPv6) − TCP header 20; -1 when nothing fits. */
    public int mss(int pathMtu, boolean ipv6) {
        int max = maxInnerPacket(pathMtu);
        int mss = max - LayerTable.base(ipv6 ? "ipv6" : "ipv4") - LayerTable.base("tcp");
        return max < 0 || mss < 0 ? -1 : mss;
    }

    /** The period after which the overhead repeats (the least common multiple of the layers' padding units). */
    public int period() {
        int p = 1;
        for (Encapsulation e : layers) {
            int q = e.period();
            p = p / gcd(p, q) * q;
        }
        return p;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** The least overhead over all inner packet lengths. */
    public int minOverhead() {
        int min = Integer.MAX_VALUE;
        for (int n = 0; n < period(); n++) {
            min = Math.min(min, overhead(n));
        }
        return min;
    }

    /** The most overhead over all inner packet lengths (the padding's worst case). */
    public int maxOverhead() {
        int max = Integer.MIN_VALUE;
        for (int n = 0; n < period(); n++) {
            max = Math.max(max, overhead(n));
        }
        return max;
    }

    /** The stack in the canonical syntax (lower case, ':' parameters). */
    public String spec() {
        List<String> s = new ArrayList<>();
        for (Encapsulation e : layers) {
            s.add(e.spec());
        }
        return String.join("/", s);
    }

    @Override
    public String toString() {
        return spec();
    }

    static <T> List<T> unmodifiable(List<T> l) {
        return Collections.unmodifiableList(l);
    }
}
