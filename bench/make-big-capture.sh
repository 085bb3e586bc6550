#!/usr/bin/env bash
# Makes a large, deterministic, mixed VPN capture for `vpnsleuth bench` (see bench/MakeBigCapture.java
# for the mix) and, with --pcapng, a pcapng copy of it made by editcap.
#
#   bench/make-big-capture.sh [--pcapng] [OUT [SIZE_MB]]
#
# OUT defaults to bench/out/big.pcap (bench/out/ is git-ignored), SIZE_MB to 1000 (10^6 bytes).
# The pcapng copy is OUT with the .pcap suffix replaced by .pcapng.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pcapng=0
if [[ ${1:-} == --pcapng ]]; then
    pcapng=1
    shift
fi
out=${1:-$here/out/big.pcap}
size=${2:-1000}
mkdir -p "$(dirname "$out")"
java -Xmx256m "$here/MakeBigCapture.java" "$out" "$size"
if [[ $pcapng == 1 ]]; then
    ng=${out%.pcap}.pcapng
    if ! command -v editcap >/dev/null; then
        echo "editcap (wireshark-common) not found: no pcapng copy" >&2
        exit 1
    fi
    editcap -F pcapng "$out" "$ng"
    ls -l "$ng"
fi
