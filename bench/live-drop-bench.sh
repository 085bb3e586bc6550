#!/usr/bin/env bash
# live-drop-bench.sh -- does `vpnsleuth live` keep up: replays a large mixed VPN capture onto a
# veth pair (tcpreplay from a second network namespace, the capture preloaded in memory) at each
# rate for DURATION seconds, with `tcpdump -w /dev/null` capturing the same replay right before and
# right after `vpnsleuth live` does, and prints what each lost: tcpdump's "dropped by kernel";
# vpnsleuth's libpcap drops (dropped, droppedByInterface) and its own (droppedInternal: frames the
# analysis thread could not take). tcpreplay's achieved rate is printed from its own summary.
#
# Usage (root; tcpreplay, tcpdump, iproute2):  bench/live-drop-bench.sh [CAPTURE] [PPS...]
#   CAPTURE  default bench/out/live.pcap, made with bench/make-big-capture.sh (200 MB) when missing
#   PPS      rates to try (packets/s), default 5000 20000 50000 100000
# Environment:
#   DURATION=S     seconds of replay per run (default 20): PPS*S packets, the capture looped as needed
#   BUFFER=KiB     live -B (default: live's own default, 65536)
#   LIVE_ARGS=...  more options for live (e.g. "--immediate", "--ring-size 256", "--keys FILE": ESP opened by
#                  the live-esp-N workers; -Dvpnsleuth.jobs=1 in JAVA_OPTS for none)
#   JAVA_OPTS=...  JVM options for live (e.g. -XX:StartFlightRecording=filename=live.jfr)
#   TCPDUMP=0      no tcpdump runs
#   KEEP=DIR       keep live's output of each run as DIR/live-PPS.jsonl (events, drops, report)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cap=${1:-$here/out/live.pcap}
shift || true
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(5000 20000 50000 100000)
duration=${DURATION:-20}
jar=$root/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar
[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
for t in tcpreplay tcpdump capinfos; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
[[ -f $jar ]] || (cd "$root" && mvn -B -q -DskipTests package)
[[ -f $cap ]] || "$here/make-big-capture.sh" "$cap" 200
frames=$(capinfos -c -M "$cap" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
a=vslbench$$a b=vslbench$$b
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
ip -n "$a" link add vlive type veth peer name vpeer netns "$b"
for ns in "$a" "$b"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$a" link set vlive up; ip -n "$b" link set vpeer up
tmp=$(mktemp -d)

# replay PPS PACKETS: tcpreplay's achieved packets and rate ("sent pps")
replay() {
    local loops=$(( ($2 + frames - 1) / frames ))
    ip netns exec "$b" tcpreplay -i vpeer -K --pps="$1" --loop="$loops" --limit="$2" "$cap" >"$tmp/replay" 2>&1 || true
    local sent pps
    sent=$(grep -oE 'Actual: [0-9]+ packets' "$tmp/replay" | grep -oE '[0-9]+' || echo '?')
    pps=$(grep -oE '[0-9.]+ pps' "$tmp/replay" | head -1 | cut -d' ' -f1 || echo '?')
    echo "$sent ${pps%.*}"
}

# tcpdump_run PPS PACKETS: "sent pps received dropped-by-kernel"
tcpdump_run() {
    ip netns exec "$a" tcpdump -i vlive -n -w /dev/null 2>"$tmp/td" &
    local pid=$!
    until grep -q 'listening on' "$tmp/td"; do sleep 0.1; done
    sleep 1
    local r; r=$(replay "$1" "$2")
    sleep 2
    kill -INT "$pid"; wait "$pid" || true
    echo "$r $(grep -oE '[0-9]+ packets received by filter' "$tmp/td" | cut -d' ' -f1) $(grep -oE '[0-9]+ packets dropped by kernel' "$tmp/td" | cut -d' ' -f1)"
}

# threadcpu PID: CPU time (clock ticks) of live's capture thread ("java", the launcher's main
# thread), of its analysis thread and of its ESP workers (live-esp-N, with --keys), from /proc
threadcpu() {
    for t in /proc/"$1"/task/*; do echo "$(cat "$t/comm") $(cut -d' ' -f14,15 "$t/stat")"; done \
        | awk '$1 == "java" { c += $2 + $3 } $1 == "live-analysis" { a += $2 + $3 } $1 ~ /^live-esp-/ { w += $2 + $3 }
               END { print c + 0, a + 0, w + 0 }'
}

# live_run PPS PACKETS: "sent pps received dropped ifdrop droppedInternal analysed"
live_run() {
    local bopt=(); [[ -n ${BUFFER:-} ]] && bopt=(-B "$BUFFER")
    # shellcheck disable=SC2086
    ip netns exec "$a" java ${JAVA_OPTS:-} -jar "$jar" live -i vlive --format json --no-status "${bopt[@]}" ${LIVE_ARGS:-} \
        --duration 3600 >"$tmp/out" 2>"$tmp/err" &
    local pid=$!
    until grep -q 'listening on' "$tmp/err"; do sleep 0.1; done
    sleep 1
    local cpu0; cpu0=$(threadcpu "$pid")
    local r; r=$(replay "$1" "$2")
    sleep 2
    local cpu1; cpu1=$(threadcpu "$pid")
    kill -TERM "$pid"; wait "$pid" || true
    [[ -z ${KEEP:-} ]] || cp "$tmp/out" "$KEEP/live-$1.jsonl"
    local line; line=$(grep '"event":"capture-stopped"' "$tmp/out" || true)
    field() { grep -oE "\"$1\":[0-9]+" <<<"$line" | cut -d: -f2 || echo '?'; }
    echo "$r $(field received) $(field dropped) $(field droppedByInterface) $(field droppedInternal) $(field packets)" \
        "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2], y[3] - x[3] }')"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores; capture $cap ($frames frames); ${duration} s per run; $(tcpreplay -V 2>&1 | head -1)"
printf '%-7s %-8s %9s %8s | %9s %8s %8s %6s %8s %9s | %8s %8s | %s\n' rate run sent 'sent/s' received dropped ifdrop \
    internal 'lost%' analysed 'td-drop' 'td-lost%' 'load (1 min); live: CPU µs per frame, capture/analysis/ESP workers'
for r in "${rates[@]}"; do
    n=$((r * duration))
    if [[ ${TCPDUMP:-1} != 0 ]]; then
        read -r s p rec d <<<"$(tcpdump_run "$r" "$n")"
        printf '%-7s %-8s %9s %8s | %9s %8s %8s %6s %8s %9s | %8s %8s | %s\n' "$r" tcpdump "$s" "$p" "$rec" - - - - - "$d" \
            "$(awk -v d="$d" -v n="$s" 'BEGIN { printf "%.2f", 100 * d / n }')" "$(cut -d' ' -f1 /proc/loadavg)"
    fi
    read -r s p rec d ifd di an cc ca cw <<<"$(live_run "$r" "$n")"
    tick=$(getconf CLK_TCK)
    printf '%-7s %-8s %9s %8s | %9s %8s %8s %6s %8s %9s | %8s %8s | %s\n' "$r" vpnsleuth "$s" "$p" "$rec" "$d" "$ifd" "$di" \
        "$(awk -v a="$d" -v b="$ifd" -v c="$di" -v n="$s" 'BEGIN { printf "%.2f", 100 * (a + b + c) / n }')" "$an" - - \
        "$(cut -d' ' -f1 /proc/loadavg); $(awk -v c="$cc" -v a="$ca" -v t="$tick" -v cap="$((rec - d))" -v an="$an" \
            -v w="$cw" 'BEGIN { printf "%.2f / %.2f / %.2f", c * 1e6 / t / cap, a * 1e6 / t / an, w * 1e6 / t / an }')"
    if [[ ${TCPDUMP:-1} != 0 ]]; then
        read -r s p rec d <<<"$(tcpdump_run "$r" "$n")"
        printf '%-7s %-8s %9s %8s | %9s %8s %8s %6s %8s %9s | %8s %8s | %s\n' "$r" tcpdump "$s" "$p" "$rec" - - - - - "$d" \
            "$(awk -v d="$d" -v n="$s" 'BEGIN { printf "%.2f", 100 * d / n }')" "$(cut -d' ' -f1 /proc/loadavg)"
    fi
done
rm -rf "$tmp"
