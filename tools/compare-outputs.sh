#!/usr/bin/env bash
# Behaviour check for refactors: builds two commits and compares what `analyze` and `dissect`
# print (text and JSON) on every shipped capture and every capture of ../shared/corpus, byte for
# byte. Captures that ship strongSwan logs are also analysed with those logs as keys.
#
#   tools/compare-outputs.sh BEFORE [AFTER]      # AFTER defaults to the working tree
#
# BEFORE and AFTER are any git revisions; the working tree (uncommitted changes included) is
# compared when AFTER is omitted. Outputs go to ${OUT:-/tmp/vpnsleuth-compare}/{before,after};
# the script prints each differing output and exits 1 when any differs, 0 when all are identical.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
before=${1:?usage: tools/compare-outputs.sh BEFORE [AFTER]}
after=${2:-}
out=${OUT:-/tmp/vpnsleuth-compare}
rm -rf "$out"
mkdir -p "$out/before" "$out/after" "$out/trees"

build() { # build REV DIR -> jar path on stdout
    local rev=$1 dir=$2
    if [ -z "$rev" ]; then
        (cd "$here" && mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package >/dev/null)
        echo "$here/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar"
        return
    fi
    git -C "$here" worktree remove --force "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
    git -C "$here" worktree add -q --detach "$dir" "$rev"
    (cd "$dir" && mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package >/dev/null)
    echo "$dir/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar"
}

jar_before=$(build "$before" "$out/trees/before")
jar_after=$(build "$after" "$out/trees/after")

captures=()
for f in "$here"/captures/*.pcap "$here"/captures/*.pcapng "$here"/../shared/corpus/*/*.pcap "$here"/../shared/corpus/*/*.pcapng \
         "$here"/../shared/corpus/*/*.pcap.gz; do
    [ -f "$f" ] && captures+=("$f")
done

run_all() { # run_all JAR DIR: every command line of every capture, in one JVM
    local jar=$1 dir=$2 f name l
    local jobs="$dir.jobs"
    : >"$jobs"
    for f in "${captures[@]}"; do
        name=$(basename "$f")
        printf '%s\t%s\t%s\n' "$dir/$name.analyze.txt" analyze "$f" >>"$jobs"
        printf '%s\t%s\t%s\t%s\t%s\n' "$dir/$name.analyze.json" analyze --format json "$f" >>"$jobs"
        printf '%s\t%s\t%s\n' "$dir/$name.dissect.txt" dissect "$f" >>"$jobs"
        printf '%s\t%s\t%s\t%s\t%s\n' "$dir/$name.dissect.json" dissect --format json "$f" >>"$jobs"
        local logs=""
        for l in "${f%.*}".*.log; do
            [ -f "$l" ] && logs+=$'\t--keys\t'"$l"
        done
        if [ -n "$logs" ]; then
            printf '%s\t%s\t%s\t%s%s\t%s\n' "$dir/$name.analyze-keys.json" analyze --format json "$logs" "$f" >>"$jobs"
            printf '%s\t%s%s\t%s\n' "$dir/$name.analyze-keys.txt" analyze "$logs" "$f" >>"$jobs"
            printf '%s\t%s\t%s%s\t%s\n' "$dir/$name.dissect-keys.txt" dissect -v "$logs" "$f" >>"$jobs"
        fi
    done
    (cd "$here" && java -cp "$jar" "$here/tools/RunMany.java" "$jobs")
}

run_all "$jar_before" "$out/before"
run_all "$jar_after" "$out/after"
status=0
n=0
for f in "$out"/before/*; do
    n=$((n + 1))
    g="$out/after/$(basename "$f")"
    if ! cmp -s "$f" "$g"; then
        echo "DIFFERS: $(basename "$f")"
        diff "$f" "$g" | head -20 || true
        status=1
    fi
done
git -C "$here" worktree remove --force "$out/trees/before" >/dev/null 2>&1 || true
git -C "$here" worktree remove --force "$out/trees/after" >/dev/null 2>&1 || true
echo "compared $n outputs of ${#captures[@]} captures: $([ $status = 0 ] && echo identical || echo 'some differ')"
exit $status
