#!/usr/bin/env bash
# live-drop-bench.sh -- how fast `vpnsleuth live` keeps up: replays a large mixed VPN capture
# onto a veth pair (tcpreplay, from a second network namespace) at increasing packet rates while
# `vpnsleuth live` captures on the other end, and prints libpcap's counters for each rate.
#
# Usage (root; tcpreplay, iproute2):  bench/live-drop-bench.sh [CAPTURE] [PPS...]
#   CAPTURE  default bench/out/live.pcap, made with bench/make-big-capture.sh (200 MB) when missing
#   PPS      rates to try (packets/s); "top" replays as fast as tcpreplay can
# Environment: PACKETS=N packets replayed per rate (default 200000), BUFFER=KiB (live -B, default 32768)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cap=${1:-$here/out/live.pcap}
shift || true
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(20000 50000 100000 200000 400000 top)
packets=${PACKETS:-200000}
buffer=${BUFFER:-32768}
jar=$root/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar
[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
command -v tcpreplay >/dev/null || { echo "missing: tcpreplay (apt-get install tcpreplay)" >&2; exit 1; }
[[ -f $jar ]] || (cd "$root" && mvn -B -q -DskipTests package)
[[ -f $cap ]] || "$here/make-big-capture.sh" "$cap" 200
a=vslbench$$a b=vslbench$$b
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
ip -n "$a" link add vlive type veth peer name vpeer netns "$b"
for ns in "$a" "$b"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n "$a" link set vlive up; ip -n "$b" link set vpeer up
printf '%-8s %10s %10s %10s %10s %8s %s\n' rate sent received dropped ifdrop 'drop%' 'replay'
for r in "${rates[@]}"; do
    out=$(mktemp); err=$(mktemp)
    ip netns exec "$a" java -jar "$jar" live -i vlive --format json --no-status -B "$buffer" --duration 600 >"$out" 2>"$err" &
    pid=$!
    until grep -q 'listening on' "$err"; do sleep 0.1; done
    sleep 1
    if [[ $r == top ]]; then speed=(--topspeed); else speed=(--pps="$r"); fi
    rep=$(ip netns exec "$b" tcpreplay -q -i vpeer "${speed[@]}" --limit="$packets" "$cap" 2>&1 | grep -E 'Actual|Rated' | tr -s ' ' | tr '\n' ' ')
    sleep 2
    kill -TERM "$pid"; wait "$pid" || true
    line=$(grep '"event":"capture-stopped"' "$out" || true)
    rec=$(grep -o '"received":[0-9]*' <<<"$line" | cut -d: -f2); drop=$(grep -o '"dropped":[0-9]*' <<<"$line" | cut -d: -f2)
    ifd=$(grep -o '"droppedByInterface":[0-9]*' <<<"$line" | cut -d: -f2)
    pct=$(awk -v d="${drop:-0}" -v n="$packets" 'BEGIN { printf "%.2f", 100 * d / n }')
    printf '%-8s %10s %10s %10s %10s %8s %s\n' "$r" "$packets" "${rec:-?}" "${drop:-?}" "${ifd:-?}" "$pct" "$rep"
    rm -f "$out" "$err"
done
