#!/usr/bin/env bash
# Measures vpnsleuth against tshark and tcpdump on one capture and prints a table.
#
#   bench/run-bench.sh [FILE]        (default bench/out/big.pcap; make it with bench/make-big-capture.sh)
#
# Environment: REPEAT (passes of each vpnsleuth bench kind, default 3), JAVA (default java),
# JAVA_OPTS (extra JVM options), JAR (default target/vpnsleuth-0.1.0-SNAPSHOT-all.jar, built when
# missing), SKIP_TSHARK=1 / SKIP_TCPDUMP=1 / SKIP_DISSECT=1 to leave a tool out.
#
# What is run, each under /usr/bin/time -v (wall time, max RSS), after reading the file once so
# that every tool starts with the file in the page cache:
#   vpnsleuth bench --repeat $REPEAT FILE           read-only and read+decode passes
#   vpnsleuth dissect FILE > /dev/null               decode + one-line text of every frame
#   tshark -r FILE -T fields -e frame.number > /dev/null
#   tcpdump -r FILE -n > /dev/null
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
file=${1:-$root/bench/out/big.pcap}
repeat=${REPEAT:-3}
java=${JAVA:-java}
jar=${JAR:-$root/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ ! -f $file ]]; then
    echo "run-bench: $file not found; make it with bench/make-big-capture.sh" >&2
    exit 2
fi
if [[ ! -f $jar ]]; then
    (cd "$root" && mvn -B -q -DskipTests package)
fi

# "0:01.23" or "1:02:03.4" (from time -v) to seconds
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

size=$(stat -c %s "$file")
echo "file:    $file ($(awk -v s="$size" 'BEGIN {printf "%.1f MB", s / 1e6}'))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "java:    $("$java" -version 2>&1 | head -1)"
echo "tshark:  $(tshark -v 2>/dev/null | head -1 || echo none)"
echo "tcpdump: $(tcpdump --version 2>&1 | head -1 || echo none)"
echo

# Page cache: read the file once before timing anything.
cat "$file" > /dev/null

# shellcheck disable=SC2086
/usr/bin/time -v "$java" ${JAVA_OPTS:-} -jar "$jar" bench --repeat "$repeat" "$file" > "$tmp/bench.out" 2> "$tmp/bench.time"
cat "$tmp/bench.out"
echo
frames=$(awk '/pass 1:/ {gsub(",", "", $4); print $4; exit}' "$tmp/bench.out")

if [[ ${SKIP_DISSECT:-0} != 1 ]]; then
    # shellcheck disable=SC2086
    /usr/bin/time -v "$java" ${JAVA_OPTS:-} -jar "$jar" dissect "$file" > /dev/null 2> "$tmp/dissect.time"
fi
if [[ ${SKIP_TSHARK:-0} != 1 ]] && command -v tshark > /dev/null; then
    /usr/bin/time -v tshark -r "$file" -T fields -e frame.number > /dev/null 2> "$tmp/tshark.time"
fi
if [[ ${SKIP_TCPDUMP:-0} != 1 ]] && command -v tcpdump > /dev/null; then
    /usr/bin/time -v tcpdump -r "$file" -n > /dev/null 2> "$tmp/tcpdump.time"
fi

# Table: per vpnsleuth bench kind the best pass and the spread (slowest..fastest, all passes, the
# first included: it carries the JIT warm-up); for the one-shot tools the whole run's wall time.
printf '%-40s %12s %10s %18s %9s %10s\n' "what" "frames/s" "MB/s" "spread (M fr/s)" "wall s" "max RSS"
awk -v size="$size" '
    / pass [0-9]+:/ {
        kind = $1; s = $7; fr = $4; gsub(",", "", fr); r = fr / s / 1e6
        if (!(kind in best) || r > best[kind]) { best[kind] = r; bs[kind] = s }
        if (!(kind in worst) || r < worst[kind]) worst[kind] = r
        if (!(kind in seen)) { order[++n] = kind; seen[kind] = 1 }
    }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]
            printf "%-40s %10.2f M %10.0f %8.2f .. %6.2f %9s %10s\n", "vpnsleuth bench " k " (best pass)", best[k], size / bs[k] / 1e6, worst[k], best[k], "-", "-"
        }
    }' "$tmp/bench.out"
row() { # name, time file
    local w r
    w=$(wall "$2")
    r=$(rss "$2")
    awk -v n="$1" -v w="$w" -v r="$r" -v f="$frames" -v size="$size" \
        'BEGIN {printf "%-40s %10.2f M %10.0f %18s %9.2f %7s MiB\n", n, f / w / 1e6, size / w / 1e6, "", w, r}'
}
printf '%-40s %12s %10s %18s %9.2f %7s MiB\n' "vpnsleuth bench (whole JVM run)" "" "" "" "$(wall "$tmp/bench.time")" "$(rss "$tmp/bench.time")"
[[ -f $tmp/dissect.time ]] && row "vpnsleuth dissect > /dev/null" "$tmp/dissect.time"
[[ -f $tmp/tshark.time ]] && row "tshark -T fields -e frame.number" "$tmp/tshark.time"
[[ -f $tmp/tcpdump.time ]] && row "tcpdump -n > /dev/null" "$tmp/tcpdump.time"
echo
echo "frames: $frames; frames/s and MB/s of the one-shot tools are over their whole run (start-up included)."
