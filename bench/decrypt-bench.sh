#!/usr/bin/env bash
# ESP decryption speed: `vpnsleuth decrypt -o` against tshark with the same keys, and the per-core
# decryption rate of `vpnsleuth bench --keys`, on ESP-in-UDP captures re-encrypted with the child SA
# keys of captures/ikev2-esp-sizes (AES_GCM_16_256) and captures/ikev2-esp-sizes-cbc (AES_CBC_256 +
# HMAC_SHA2_256_128) by bench/MakeEspCapture.java.
#
#   bench/decrypt-bench.sh
#
# Environment: RUNS (alternating runs of each tool, default 3), N_SMALL (packets of the 162-byte
# files, default 200000), N_LARGE (packets of the 1400-byte files, default 50000), REPEAT (passes of
# `bench --keys`, default 5), JAR (default target/vpnsleuth-0.1.0-SNAPSHOT-all.jar, built when missing).
#
# What it does:
#   1. makes bench/out/esp-{gcm,cbc}-{162,1400}.pcap when missing (java bench/MakeEspCapture.java);
#   2. writes each SA pair's Wireshark tables with `vpnsleuth keys export --wireshark DIR` and a
#      preferences file that turns ESP decryption and the ICV check on;
#   3. checks that tshark finds every ICV good and vpnsleuth decrypts every packet;
#   4. RUNS alternating runs, under /usr/bin/time, of
#        vpnsleuth decrypt --keys LOG -o OUT.pcapng FILE          (the ./vpnsleuth launcher, JVM start included)
#        WIRESHARK_CONFIG_DIR=DIR tshark -r FILE -Y icmp > /dev/null
#      on the 162-byte files, and prints each run and the medians;
#   5. `vpnsleuth bench --repeat $REPEAT --keys LOG FILE` on the 1400-byte files: ESP MB/s per core.
# The load average is printed before and after: the machine may be shared.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
runs=${RUNS:-3}
n_small=${N_SMALL:-200000}
n_large=${N_LARGE:-50000}
repeat=${REPEAT:-5}
jar=${JAR:-$root/target/vpnsleuth-0.1.0-SNAPSHOT-all.jar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

if [[ ! -f $jar ]]; then
    (cd "$root" && mvn -B -q -DskipTests package)
fi
gcm_log=$root/captures/ikev2-esp-sizes.initiator.log
cbc_log=$root/captures/ikev2-esp-sizes-cbc.initiator.log
make() { # kind, log, capture, packets, frame bytes
    local f=$out/esp-$1-$5.pcap
    if [[ ! -f $f ]]; then
        java -Xmx256m "$root/bench/MakeEspCapture.java" "$2" "$3" "$f" "$4" "$5"
    fi
}
make gcm "$gcm_log" "$root/captures/ikev2-esp-sizes.pcapng" "$n_small" 162
make cbc "$cbc_log" "$root/captures/ikev2-esp-sizes-cbc.pcapng" "$n_small" 162
make gcm "$gcm_log" "$root/captures/ikev2-esp-sizes.pcapng" "$n_large" 1400
make cbc "$cbc_log" "$root/captures/ikev2-esp-sizes-cbc.pcapng" "$n_large" 1400

for kind in gcm cbc; do
    log=$gcm_log
    [[ $kind == cbc ]] && log=$cbc_log
    java -jar "$jar" keys export --keys "$log" --wireshark "$tmp/ws-$kind" "$out/esp-$kind-162.pcap" > /dev/null
    printf 'esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n' > "$tmp/ws-$kind/preferences"
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "java:    $(java -version 2>&1 | head -1)"
echo "tshark:  $(tshark -v 2>/dev/null | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# 3. every ICV verified by both
for kind in gcm cbc; do
    f=$out/esp-$kind-162.pcap
    log=$gcm_log
    [[ $kind == cbc ]] && log=$cbc_log
    good=$(WIRESHARK_CONFIG_DIR=$tmp/ws-$kind tshark -r "$f" -Y 'esp.icv_good == 1 && icmp' 2>/dev/null | wc -l)
    ours=$("$root/vpnsleuth" decrypt --keys "$log" -o "$tmp/check.pcapng" "$f" 2>&1 | sed -n 's/.*; \([0-9]*\) ESP packet(s) decrypted, \([0-9]*\) failed.*/\1 decrypted, \2 failed/p')
    echo "esp-$kind-162.pcap: tshark: $good frames with a good ICV and ICMP inside; vpnsleuth: $ours"
done
echo

# 4. decrypt -o against tshark, alternating
secs() { awk '{print $1}' "$1"; }
for kind in gcm cbc; do
    f=$out/esp-$kind-162.pcap
    log=$gcm_log
    [[ $kind == cbc ]] && log=$cbc_log
    cat "$f" > /dev/null
    for i in $(seq 1 "$runs"); do
        /usr/bin/time -f '%e %U %S %M' -o "$tmp/v-$kind-$i" "$root/vpnsleuth" decrypt --keys "$log" -o "$tmp/out.pcapng" "$f" > /dev/null 2>&1
        /usr/bin/time -f '%e %U %S %M' -o "$tmp/t-$kind-$i" env WIRESHARK_CONFIG_DIR="$tmp/ws-$kind" tshark -r "$f" -Y icmp > /dev/null 2>&1
        printf 'esp-%s-162 run %d: vpnsleuth decrypt -o %5.2f s (cpu %5.2f s, max RSS %4.0f MiB)   tshark -Y icmp %5.2f s (cpu %5.2f s, max RSS %4.0f MiB)   load %s\n' \
            "$kind" "$i" $(awk '{print $1, $2 + $3, $4 / 1024}' "$tmp/v-$kind-$i") $(awk '{print $1, $2 + $3, $4 / 1024}' "$tmp/t-$kind-$i") \
            "$(cut -d' ' -f1 /proc/loadavg)"
    done
    v=$(cat "$tmp"/v-$kind-* | awk '{print $1}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    t=$(cat "$tmp"/t-$kind-* | awk '{print $1}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    awk -v k="$kind" -v v="$v" -v t="$t" -v n="$n_small" 'BEGIN {printf "esp-%s-162 medians: vpnsleuth %.2f s, tshark %.2f s: vpnsleuth takes %.0f %% of tshark'"'"'s time (%.0f k packets/s against %.0f k)\n\n", k, v, t, 100 * v / t, n / v / 1e3, n / t / 1e3}'
done

# 5. per-core decryption rate on 1400-byte frames
for kind in gcm cbc; do
    f=$out/esp-$kind-1400.pcap
    log=$gcm_log
    [[ $kind == cbc ]] && log=$cbc_log
    echo "vpnsleuth bench --repeat $repeat --keys $(basename "$log") esp-$kind-1400.pcap:"
    java -jar "$jar" bench --repeat "$repeat" --keys "$log" "$f"
    echo
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
