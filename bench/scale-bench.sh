#!/usr/bin/env bash
# Gateway-scale benchmark (issue 12): how vpnsleuth analyze/dissect, tshark and tcpdump grow with a
# VPN concentrator's capture (tens of thousands of IKE SAs between the same two peers, bulk
# ESP-in-UDP), made by bench/MakeGatewayCapture.java from the real exchanges in captures/.
#
#   bench/scale-bench.sh                      everything with the defaults below
#   TREE=/work/wt-x bench/scale-bench.sh      measure another worktree's jar (built there first)
#
# Environment (all optional):
#   TREE      worktree whose vpnsleuth is measured (default: this script's tree)
#   JAR       jar to run (default $TREE/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar)
#   BUILD     1 = run 'mvn -B -q -o -DskipTests package' in $TREE first (default 1 when JAR is missing, else 0)
#   CAPS      where the captures are made and kept (default bench/out/scale; a capture is reused when its
#             file exists, the name carries mode, SAs, ESP per SA and seed)
#   BASE_SAS  IKE SAs of the 1x capture (default 26300: ~259 MB, ~1.17 M frames)
#   ESP_PER_SA (default 36)   SEED (default 1)
#   SIZES     multipliers of BASE_SAS, pair mode (default "0.25 0.5 1 2 4")
#   CLIENTS   multipliers for the clients-mode variant (default "1"; "" for none)
#   TOOLS     (default "tcpdump tshark dissect analyze")
#   REPEAT    passes (default 3); each pass runs every size and tool once, in turn (alternating), and
#             the table shows the median of the passes
#   TIMEOUT   seconds per run (default 1200); a run that hits it is reported as "timeout", and that
#             tool is not run again on that size or on any larger size (SKIP_LARGER=0 to run anyway)
#   HEAP_SIZES multipliers for the heap-bound run: analyze through $TREE/vpnsleuth with
#             VPNSLEUTH_JAVA_OPTS=-Xmx256m, once per size (default "1"; "" for none)
#   STARTUP   1 = also compare start-up on a 10-frame capture, medians of 5 (default 1)
#   RESULTS   raw per-run results TSV (default $CAPS/results-<date>.tsv)
#
# Every run is the whole command with JVM start, output to a file, under
# /usr/bin/time -f '%e %M %U %S' (wall seconds, max RSS KiB, user and system CPU seconds: on a shared
# machine the CPU time is the steadier figure) and timeout:
#   $TREE/vpnsleuth analyze --format json FILE > OUT   (the launcher, as users run it: its JVM flags and CDS archive)
#   $TREE/vpnsleuth dissect FILE > OUT
#   tshark -n -r FILE -Y isakmp > OUT
#   tcpdump -n -r FILE > OUT
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "${TREE:-$here}" && pwd)
jar=${JAR:-$tree/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar}
caps=${CAPS:-$here/bench/out/scale}
base_sas=${BASE_SAS:-26300}
esp=${ESP_PER_SA:-36}
seed=${SEED:-1}
sizes=${SIZES-0.25 0.5 1 2 4}
clients=${CLIENTS-1}
tools=${TOOLS:-tcpdump tshark dissect analyze}
repeat=${REPEAT:-3}
tmo=${TIMEOUT:-1200}
skip_larger=${SKIP_LARGER:-1}
heap_sizes=${HEAP_SIZES-1}
startup=${STARTUP:-1}
mkdir -p "$caps"
results=${RESULTS:-$caps/results-$(date +%Y%m%d-%H%M%S).tsv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ ! -x /usr/bin/time ]]; then
    echo "scale-bench: /usr/bin/time missing (apt-get install time)" >&2
    exit 2
fi
if [[ ${BUILD:-} == 1 || ( -z ${BUILD:-} && ! -f $jar ) ]]; then
    echo "building $tree (mvn -B -q -o -DskipTests package)..." >&2
    (cd "$tree" && mvn -B -q -o -DskipTests package) || { echo "scale-bench: build failed" >&2; exit 3; }
fi
if [[ -n $(find "$tree/src/main" "$tree/pom.xml" -newer "$jar" -print -quit 2>/dev/null) ]]; then
    echo "scale-bench: $jar is older than $tree/src/main; build it (BUILD=1), or ./vpnsleuth would rebuild inside a timed run" >&2
    exit 3
fi

# ------------------------------------------------------------------ captures

label() { # multiplier -> label
    case $1 in 0.25) echo 1/4x ;; 0.5) echo 1/2x ;; *) echo "${1}x" ;; esac
}
# make_cap MODE MULT -> prints the capture path; writes PATH.info: frames, SAs, bytes, ESP share, span
make_cap() {
    local mode=$1 mult=$2 sas f
    sas=$(awk -v b="$base_sas" -v m="$mult" 'BEGIN {printf "%d", b * m + 0.5}')
    f=$caps/gw-$mode-$sas-e$esp-s$seed.pcap
    if [[ ! -s $f || ! -s $f.info ]]; then
        java "$here/bench/MakeGatewayCapture.java" --captures "$here/captures" --mode "$mode" --sas "$sas" \
            --esp-per-sa "$esp" --seed "$seed" "$f" > "$f.gen" || { echo "scale-bench: generator failed" >&2; exit 4; }
        awk 'NR == 1 {for (i = 1; i <= NF; i++) {g = $i; gsub(",", "", g)
                 if ($(i+1) == "bytes,") b = g; if ($(i+1) == "frames,") fr = g; if ($(i+1) == "IKE") s = g; if ($i == "span") sp = $(i+1)}}
             NR == 2 {e = $4; sub(/\(/, "", e)}
             END {print fr, s, b, e, sp}' "$f.gen" > "$f.info"
    fi
    echo "$f"
}

declare -a LABELS FILES MULTS
for m in $sizes; do
    LABELS+=("$(label "$m")"); FILES+=("$(make_cap pair "$m")"); MULTS+=("$m")
done
for m in $clients; do
    LABELS+=("$(label "$m")-clients"); FILES+=("$(make_cap clients "$m")"); MULTS+=("$m")
done

# ------------------------------------------------------------------ runs

cmd_for() { # tool file -> command line (as an array in CMD)
    case $1 in
        analyze) CMD=("$tree/vpnsleuth" analyze --format json "$2") ;;   # the launcher: its JVM flags and CDS archive
        dissect) CMD=("$tree/vpnsleuth" dissect "$2") ;;
        tshark) CMD=(tshark -n -r "$2" -Y isakmp) ;;
        tcpdump) CMD=(tcpdump -n -r "$2") ;;
        analyze-xmx256m) CMD=(env VPNSLEUTH_JAVA_OPTS=-Xmx256m "$tree/vpnsleuth" analyze --format json "$2") ;;
        *) echo "unknown tool $1" >&2; exit 2 ;;
    esac
}

# run_one PASS LABEL TOOL FILE -> appends a line to $results; returns 124 on timeout
run_one() {
    local pass=$1 lab=$2 tool=$3 f=$4 rc wall rss usr sys cpu status
    cmd_for "$tool" "$f"
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" timeout "$tmo" "${CMD[@]}" > "$work/out" 2> "$work/err"
    rc=$?
    read -r wall rss usr sys < <(tail -1 "$work/time")
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    if [[ $rc == 124 ]]; then status=timeout
    elif [[ $rc == 0 ]]; then status=ok
    elif grep -q OutOfMemoryError "$work/err"; then status=oom
    else status=rc$rc; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pass" "$lab" "$tool" "$status" "$wall" "$rss" "$(stat -c %s "$work/out")" "$cpu" >> "$results"
    printf '  pass %s %-12s %-16s %-8s %8s s %8s KiB  cpu %8s s  (load %s)\n' "$pass" "$lab" "$tool" "$status" "$wall" "$rss" "$cpu" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
    [[ $rc == 124 ]] && return 124
    return 0
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "tree:    $tree ($(git -C "$tree" rev-parse --short HEAD 2>/dev/null) on $(git -C "$tree" rev-parse --abbrev-ref HEAD 2>/dev/null)), jar $jar"
echo "java:    $(java -version 2>&1 | head -1)"
echo "tshark:  $(tshark -v 2>/dev/null | head -1)"
echo "tcpdump: $(tcpdump --version 2>&1 | head -1)"
echo "load at start: $(cat /proc/loadavg)"
echo "results: $results"
printf 'pass\tsize\ttool\tstatus\twall_s\tmaxrss_kib\tout_bytes\tcpu_s\n' > "$results"

declare -A DEAD # tool -> smallest multiplier at which it timed out
ge() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a + 0 >= b + 0)}'; }
for ((p = 1; p <= repeat; p++)); do
    for i in "${!FILES[@]}"; do
        cat "${FILES[$i]}" > /dev/null # page cache
        for tool in $tools; do
            if [[ $skip_larger == 1 && -n ${DEAD[$tool]:-} ]] && ge "${MULTS[$i]}" "${DEAD[$tool]}"; then
                printf '%s\t%s\t%s\t%s\t\t\t\n' "$p" "${LABELS[$i]}" "$tool" "skipped" >> "$results"
                continue
            fi
            if ! run_one "$p" "${LABELS[$i]}" "$tool" "${FILES[$i]}"; then
                if [[ -z ${DEAD[$tool]:-} ]] || ! ge "${MULTS[$i]}" "${DEAD[$tool]}"; then DEAD[$tool]=${MULTS[$i]}; fi
            fi
        done
    done
done

for m in $heap_sizes; do
    f=$(make_cap pair "$m")
    cat "$f" > /dev/null
    run_one 1 "$(label "$m")" analyze-xmx256m "$f" || true
done

if [[ $startup == 1 ]]; then
    small=$caps/gw-10frames.pcap
    editcap -r "${FILES[0]}" "$small" 1-10 2> /dev/null
    for ((p = 1; p <= 5; p++)); do
        for tool in analyze tshark tcpdump; do
            run_one "$p" 10frames "$tool" "$small" || true
        done
    done
fi

# ------------------------------------------------------------------ table

infos=$work/infos.tsv
for i in "${!FILES[@]}"; do
    printf '%s\t%s\n' "${LABELS[$i]}" "$(cat "${FILES[$i]}.info")" >> "$infos"
done
printf '10frames\t10 %s 0 0 0\n' "$(tshark -n -r "$caps/gw-10frames.pcap" -Y isakmp -T fields -e isakmp.ispi 2> /dev/null | sort -u | grep -c . )" >> "$infos" 2> /dev/null || true
python3 - "$results" "$infos" "$tmo" <<'EOF'
import sys, statistics, collections
res, infos, tmo = sys.argv[1], sys.argv[2], sys.argv[3]
info = {}
for line in open(infos):
    lab, rest = line.rstrip('\n').split('\t', 1)
    f = rest.split()
    info[lab] = f
runs = collections.defaultdict(list)
order_sizes, order_tools = [], []
for line in list(open(res))[1:]:
    p, lab, tool, status, wall, rss, outb, cpu = (line.rstrip('\n').split('\t') + [''] * 8)[:8]
    runs[(lab, tool)].append((status, float(wall) if wall else None, int(rss) if rss else None, float(cpu) if cpu else None))
    if lab not in order_sizes: order_sizes.append(lab)
    if tool not in order_tools: order_tools.append(tool)

def med_ok(lab, tool):
    r = runs.get((lab, tool), [])
    ok = [x for x in r if x[0] == 'ok']
    if not r:
        return None, None, '-'
    if len(ok) * 2 > len(r) or (ok and len(ok) == len(r)):
        return statistics.median(x[1] for x in ok), statistics.median(x[2] for x in ok), 'ok %d/%d' % (len(ok), len(r))
    return None, None, '-'

def cpu_med(lab, tool):
    c = [x[3] for x in runs.get((lab, tool), []) if x[0] == 'ok' and x[3] is not None]
    return statistics.median(c) if c else None

def med(lab, tool):
    r = runs.get((lab, tool), [])
    ok = [x for x in r if x[0] == 'ok']
    m = med_ok(lab, tool)
    if m[0] is not None or not r:
        return m
    bad = [x for x in r if x[0] != 'ok' and x[0] != 'skipped']
    if not bad:
        return None, None, 'skipped'
    st, wall = bad[0][0], bad[0][1]
    return None, max((x[2] or 0) for x in bad), st + (' (> %s s)' % tmo if st == 'timeout' else ' after %.1f s' % wall)

print()
print('%-12s %-16s %10s %8s %8s %10s %8s %10s %10s  %s' % ('size', 'tool', 'frames', 'SAs', 'MB', 'wall s', 'cpu s', 'max RSS MB', 'x tcpdump', 'runs'))
for lab in order_sizes:
    fr, sas, b = (info.get(lab, ['?', '?', '0'])[:3])
    tcp = med(lab, 'tcpdump')[0]
    for tool in order_tools:
        if (lab, tool) not in runs:
            continue
        w, rss, st = med(lab, tool)
        ws = '%.2f' % w if w is not None else st.split()[0]
        rs = '%.0f' % (rss / 1024) if rss else '-'
        ratio = '%.1f' % (w / tcp) if (w is not None and tcp) else '-'
        c = cpu_med(lab, tool)
        print('%-12s %-16s %10s %8s %8.1f %10s %8s %10s %10s  %s' % (lab, tool, '{:,}'.format(int(fr)) if fr.isdigit() else fr,
              sas, int(b) / 1e6, ws, '%.2f' % c if c is not None else '-', rs, ratio, st))
print()
print('growth (median wall time ratios; linear = 4.0 for 4x/1x, 2.0 per doubling):')
for tool in order_tools:
    if tool in ('analyze-xmx256m',):
        continue
    parts = []
    for a, b in (('4x', '1x'), ('1/2x', '1/4x'), ('1x', '1/2x'), ('2x', '1x'), ('4x', '2x')):
        wa, wb = med(a, tool)[0], med(b, tool)[0]
        if (a, tool) in runs and (b, tool) in runs:
            parts.append('%s/%s %s' % (a, b, '%.2f' % (wa / wb) if wa and wb else 'n/a (' + (med(a, tool)[2] if not wa else med(b, tool)[2]).split()[0] + ')'))
    if parts:
        print('  %-10s %s' % (tool, ', '.join(parts)))
EOF
echo "load at end: $(cat /proc/loadavg)"
