#!/usr/bin/env bash
# Decoding speed of vpnsleuth's decoder and of pcap4j's static packet factory (test scope) on the same
# frames, read into memory first: docs/performance.md, "pcap4j". Single-threaded.
#
#   bench/pcap4j-bench.sh [FILE [PASSES]]      (FILE defaults to bench/out/big100.pcap, made here if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
file=${1:-$here/out/big100.pcap}
passes=${2:-5}
if [[ ! -f $file && $file == "$here/out/big100.pcap" ]]; then
    "$here/make-big-capture.sh" "$file" 100
fi
cd "$root"
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test
java -Xmx2g -cp "target/classes:target/test-classes:$(cat target/test.cp)" org.vpnsleuth.oracle.Pcap4jBench "$file" "$passes"
