#!/usr/bin/env bash
# vpnsleuth psk-crack beside ike-scan's psk-crack on the same Aggressive Mode exchange and wordlist.
#
#   bench/psk-crack-bench.sh [CAPTURE [KEY]]
#
# CAPTURE defaults to captures/ikev1-aggressive-sha1.pcapng (strongSwan, PRF_HMAC_SHA1, MODP_2048:
# ike-scan's psk-crack knows only MD5 and SHA1) and KEY to its documented pre-shared key.
#
# 1. bench/ike-scan-params.py writes psk-crack's parameters file (g_xr:g_xi:cky_r:cky_i:sai_b:
#    idir_b:ni_b:nr_b:hash_r) from the capture, with its own parser.
# 2. A wordlist of WORDS (default 10,000,000) generated words (pw00000001 ... , 11 bytes a line)
#    and then KEY as the last line is written to bench/out/ (kept for the next run), and read once
#    so that both tools find it in the page cache.
# 3. Both tools run alternately, REPEAT (default 3) times each, each run the whole command under
#    /usr/bin/time (JVM start included for vpnsleuth); a run that does not find the key fails the
#    benchmark. Prints every run, then the medians, words/s, the ratio and the load averages.
#
# vpnsleuth runs through the ./vpnsleuth launcher, as users run it, unless JAR names a jar to run
# with `java -jar` instead.
# Environment: WORDS, REPEAT, JAVA (default java), JAR (default target/vpnsleuth-0.1.0-SNAPSHOT-all.jar,
# built when missing), THREADS (vpnsleuth --threads; default: its own, the number of cores),
# PSK_CRACK (default psk-crack).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
capture=${1:-$root/captures/ikev1-aggressive-sha1.pcapng}
key=${2:-vpnsleuth-test-psk-0123456789}
words=${WORDS:-10000000}
repeat=${REPEAT:-3}
java=${JAVA:-java}
jar=${JAR:-$root/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar}
pskcrack=${PSK_CRACK:-psk-crack}
out=$root/bench/out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v "$pskcrack" >/dev/null || { echo "psk-crack-bench: $pskcrack not found (apt-get install ike-scan)" >&2; exit 2; }
if [[ ! -f $jar ]]; then
    (cd "$root" && mvn -B -q -DskipTests package)
fi

params=$out/psk-params.txt
python3 "$root/bench/ike-scan-params.py" "$capture" >"$params"
[[ $(wc -l <"$params") -eq 1 ]] || { echo "psk-crack-bench: expected one exchange in $capture" >&2; exit 2; }

list=$out/words-$words.txt
if [[ ! -f $list || $(tail -n 1 "$list") != "$key" ]]; then
    echo "writing $list ($words words, then the key)" >&2
    awk -v n="$words" -v k="$key" 'BEGIN { for (i = 1; i <= n; i++) printf "pw%08d\n", i; print k }' >"$list.tmp"
    mv "$list.tmp" "$list"
fi
lines=$(wc -l <"$list")
cat "$list" >/dev/null

threads_opt=()
[[ -n ${THREADS:-} ]] && threads_opt=(--threads "$THREADS")
if [[ -n ${JAR:-} ]]; then # a given jar, run with java -jar (JAVA_OPTS added)
    vpnsleuth_cmd=("$java" ${JAVA_OPTS:-} -jar "$jar" psk-crack "$capture" --wordlist "$list" "${threads_opt[@]}")
else # the command as users run it: the launcher (its JVM options and class-data-sharing archive)
    vpnsleuth_cmd=("$root/vpnsleuth" psk-crack "$capture" --wordlist "$list" "${threads_opt[@]}")
fi
ikescan_cmd=("$pskcrack" -d "$list" "$params")

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "capture:   $capture"
echo "wordlist:  $list ($lines lines, $(stat -c %s "$list") bytes; the last is the key)"
echo "vpnsleuth: ${vpnsleuth_cmd[*]}"
echo "ike-scan:  ${ikescan_cmd[*]}"
echo "machine:   $(nproc) cores; $("$pskcrack" --version 2>&1 | head -n 1); $("$java" -version 2>&1 | head -n 1)"
echo "load average before: $(load)"
echo
printf '%-10s %4s %9s %9s %9s  %s\n' tool run wall_s user_s sys_s load1
declare -a vs_wall=() ik_wall=() vs_cpu=() ik_cpu=()
for ((r = 1; r <= repeat; r++)); do
    for tool in ike-scan vpnsleuth; do
        if [[ $tool == vpnsleuth ]]; then cmd=("${vpnsleuth_cmd[@]}"); else cmd=("${ikescan_cmd[@]}"); fi
        /usr/bin/time -f '%e %U %S' -o "$tmp/time" "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"
        if ! grep -qF "$key" "$tmp/out"; then
            echo "psk-crack-bench: $tool did not find the key:" >&2
            cat "$tmp/out" "$tmp/err" >&2
            exit 1
        fi
        read -r wall user sys <"$tmp/time"
        printf '%-10s %4d %9s %9s %9s  %s\n' "$tool" "$r" "$wall" "$user" "$sys" "$(cut -d' ' -f1 /proc/loadavg)"
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
        if [[ $tool == vpnsleuth ]]; then vs_wall+=("$wall"); vs_cpu+=("$cpu"); else ik_wall+=("$wall"); ik_cpu+=("$cpu"); fi
    done
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
vs=$(median "${vs_wall[@]}")
ik=$(median "${ik_wall[@]}")
vsc=$(median "${vs_cpu[@]}")
ikc=$(median "${ik_cpu[@]}")
echo
echo "load average after: $(load)"
awk -v vs="$vs" -v ik="$ik" -v vsc="$vsc" -v ikc="$ikc" -v n="$lines" 'BEGIN {
    printf "median wall: ike-scan psk-crack %.2f s (%.2f M words/s), vpnsleuth psk-crack %.2f s (%.2f M words/s)\n", ik, n / ik / 1e6, vs, n / vs / 1e6
    printf "median CPU (user + sys): ike-scan %.2f s (%.0f ns a word), vpnsleuth %.2f s (%.0f ns a word, JVM start included)\n", ikc, ikc / n * 1e9, vsc, vsc / n * 1e9
    printf "vpnsleuth / ike-scan time: %.2f\n", vs / ik
}'
