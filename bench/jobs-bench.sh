#!/usr/bin/env bash
# One thread against the reader thread and ESP workers (pipeline/FrameFeed): the whole command,
# JVM start included, for an old jar (before FrameFeed), the new jar with -Dvpnsleuth.jobs=1 and
# the new jar with the default (the machine's cores); alternating runs under /usr/bin/time, and a
# byte-for-byte comparison of the outputs of the three.
#
#   OLD_JAR=/path/to/old.jar bench/jobs-bench.sh
#
# Environment: CASES (names of the cases to run, space-separated; default all), OLD_JAR (required: a jar built from the commit before), JAR (default
# target/vpnsleuth-0.1.0-SNAPSHOT-all.jar), RUNS (default 3), GW (gateway capture, default
# /work/bench-out/gw-quarter.pcap: java bench/MakeGatewayCapture.java --sas 6575 GW), ESP captures
# bench/out/esp-gcm-162.pcap and esp-cbc-162.pcap (bench/decrypt-bench.sh makes them).
# Prints "label run wall user sys maxrss-KiB" per run and the load average before each round.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=${OLD_JAR:?OLD_JAR: a jar of the commit before}
new=${JAR:-$root/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar}
runs=${RUNS:-3}
gw=${GW:-/work/bench-out/gw-quarter.pcap}
gcm=$root/bench/out/esp-gcm-162.pcap
cbc=$root/bench/out/esp-cbc-162.pcap
gcm_log=$root/captures/ikev2-esp-sizes.initiator.log
cbc_log=$root/captures/ikev2-esp-sizes-cbc.initiator.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

variants=("old:java -jar $old" "new1:java -Dvpnsleuth.jobs=1 -jar $new" "new:java -jar $new")
# name | arguments (OUT is replaced by the output file) | stdout to OUT?
cases=(
  "analyze-json|analyze --format json $gw|stdout"
  "dissect|dissect $gw|stdout"
  "decrypt-gcm|decrypt --keys $gcm_log -o OUT $gcm|file"
  "decrypt-cbc|decrypt --keys $cbc_log -o OUT $cbc|file"
  "analyze-gcm|analyze --format json $gcm|stdout"
  "analyze-keys-gcm|analyze --format json --keys $gcm_log $gcm|stdout"
  "analyze-cbc|analyze --format json $cbc|stdout"
  "analyze-keys-cbc|analyze --format json --keys $cbc_log $cbc|stdout"
)
echo "machine: $(nproc) cores; java: $(java -version 2>&1 | head -1)"
for c in "${cases[@]}"; do
    IFS='|' read -r name args how <<<"$c"
    if [[ -n ${CASES:-} && " $CASES " != *" $name "* ]]; then
        continue
    fi
    for r in $(seq 1 "$runs"); do
        echo "# $name round $r, load: $(cut -d' ' -f1-3 /proc/loadavg)"
        for v in "${variants[@]}"; do
            label=${v%%:*}
            cmd=${v#*:}
            out=$tmp/$name.$label.out
            a=${args//OUT/$out}
            if [[ $how == stdout ]]; then
                # shellcheck disable=SC2086
                /usr/bin/time -f "$name $label $r %e %U %S %M" $cmd $a > "$out" 2> "$tmp/err" || true
            else
                # shellcheck disable=SC2086
                /usr/bin/time -f "$name $label $r %e %U %S %M" $cmd $a > /dev/null 2> "$tmp/err" || true
            fi
            tail -1 "$tmp/err"
        done
    done
    for label in new1 new; do
        if cmp -s "$tmp/$name.old.out" "$tmp/$name.$label.out"; then
            echo "$name: old and $label outputs identical"
        else
            echo "$name: old and $label outputs DIFFER"
        fi
    done
done
