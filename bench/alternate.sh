#!/usr/bin/env bash
# A/B of whole commands: runs each in turn, REPEAT times, and prints per command the median wall
# time and the median CPU time (user + sys, which moves less than the wall time when other work
# shares the cores), every run's figures, and the load average at the end. Output is discarded.
#
#   bench/alternate.sh REPEAT LABEL1 'COMMAND1' LABEL2 'COMMAND2' ...
#
# e.g. bench/alternate.sh 5 tiered "java -jar J psk-crack -q C --wordlist W" \
#          no-tiers "java -XX:-TieredCompilation -jar J psk-crack -q C --wordlist W"
set -uo pipefail
(($# >= 3 && $# % 2 == 1)) || { echo "usage: $0 REPEAT LABEL 'COMMAND' [LABEL 'COMMAND']..." >&2; exit 2; }
rep=$1
shift
labels=()
cmds=()
while (($#)); do
    labels+=("$1")
    cmds+=("$2")
    shift 2
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A wall cpu
for ((r = 0; r < rep; r++)); do
    for i in "${!cmds[@]}"; do
        if ! /usr/bin/time -f '%e %U %S' -o "$tmp/time" bash -c "${cmds[$i]}" >/dev/null 2>"$tmp/err"; then
            echo "alternate: ${labels[$i]} failed:" >&2
            cat "$tmp/err" >&2
            exit 1
        fi
        read -r w u s <"$tmp/time"
        wall[$i]+="$w "
        cpu[$i]+="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') "
    done
done
median() { printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for i in "${!cmds[@]}"; do
    printf '%-24s wall median %7s s [ %s]  CPU median %6s s [ %s]\n' "${labels[$i]}" "$(median "${wall[$i]}")" "${wall[$i]}" \
        "$(median "${cpu[$i]}")" "${cpu[$i]}"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
