#!/usr/bin/env bash
# make-l2tp-captures.sh -- produce REAL L2TP and PPTP packet captures for vpnsleuth's tests.
#
# Two Linux network namespaces connected by a veth pair; real xl2tpd daemons (LAC and LNS)
# or a real pptpd server and pptp-linux client run in them; tcpdump records the wire on the
# LNS/server side.  The daemons' own logs are saved next to each capture: they are the
# ground truth for captures/expected-l2tp-verdicts.tsv.
#
# The kernel of the build machine has no /dev/ppp and no kernel L2TP, so pppd cannot run a
# PPP session.  That is used on purpose where a real pppd failure is the scenario (pppd
# exits at once, and xl2tpd answers with a genuine CDN, pptpd closes the call).  Where a
# scenario needs the PPP end to stay up or to speak, a stand-in replaces pppd (bind-mounted
# over /usr/sbin/pppd for xl2tpd, pptpd's -e option, pptp's --nolaunchpppd): either a
# process that holds the pty open and says nothing, or a script that writes LCP
# Configure-Requests built from RFC 1661 §5.1 / RFC 1662 (HDLC framing, FCS-16) and never
# answers.  The L2TP/PPTP control messages, the L2TP data framing and the GRE are always the
# daemons' own; the PPP bytes of those frames are the script's (documented per scenario in
# captures/README.md, "L2TP and PPTP scenarios").
#
# Usage (as root):   captures/make-l2tp-captures.sh [scenario...]
# Scenarios:         l2tp-cdn l2tp-rejected l2tp-challenge l2tp-no-lns l2tp-silent
#                    l2tp-icrq-lost l2tp-lcp-no-answer pptp-pppd-died pptp-call-cleared
#                    pptp-lcp-no-answer pptp-no-server l2tp-secret-scccn l2tp-secret-lac-none
#                    l2tp-cdn-lac-pppd l2tp-cdn-no-address pppoe-pppd-died pppoe-no-service
#                    (all of them when none is given)
# Environment:       OUT=dir     where to write the captures/logs (default: this directory)
#                    KEEP_WORK=1 keep the temporary working directory for inspection
#
# Everything happens inside namespaces created by this script (the veth ends are created
# directly inside them), so no packet leaves the machine.  The tunnel secrets below are TEST
# MATERIAL, deliberately published.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE}
NSP=vpnl                                  # prefix of every namespace this script creates
LAC_ADDR=192.0.2.1                        # LAC / PPTP client
LNS_ADDR=192.0.2.2                        # LNS / PPTP server (capture point)
ALL_SCENARIOS=(l2tp-cdn l2tp-rejected l2tp-challenge l2tp-no-lns l2tp-silent l2tp-icrq-lost
               l2tp-lcp-no-answer pptp-pppd-died pptp-call-cleared pptp-lcp-no-answer pptp-no-server
               l2tp-secret-scccn l2tp-secret-lac-none l2tp-cdn-lac-pppd l2tp-cdn-no-address
               pppoe-pppd-died pppoe-no-service)
LNS_SECRET='vpnsleuth-lns-tunnel-secret'  # test material (l2tp-challenge)
LAC_SECRET='vpnsleuth-lac-other-secret'   # test material (l2tp-challenge), deliberately different
PY=/usr/bin/python3

[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
missing=()
for p in xl2tpd pptpd pptp-linux ppp pppoe; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
fi
for tool in xl2tpd pptpd pptp pppd pppoe pppoe-server pppoe-discovery tcpdump editcap tshark ip unshare nft mount "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

XL2TPD_VERSION=$( (xl2tpd -v 2>&1 || true) | sed -n 's/.*version: *//p' | head -n1)
PPTPD_VERSION=$( (pptpd -v 2>&1 || true) | head -n1)
PPTP_VERSION=$( (pptp --version 2>&1 || true) | head -n1)
WORK=$(mktemp -d /tmp/vpnsleuth-l2tp-captures.XXXXXX)
declare -A PID_OF=()     # role -> pid (daemons, tcpdump)

nap() { sleep "$1" & wait $!; }   # a sleep that lets a TERM/INT trap run at once
log() { printf '[%(%T)T] %s\n' -1 "$*" >&2; }

# ---------------------------------------------------------------- cleanup -------------
kill_pid() {   # kill_pid PID: TERM, wait up to 5 s, then KILL
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

teardown() {   # stop everything this script started and delete its namespaces
    local role ns pid
    for role in "${!PID_OF[@]}"; do kill_pid "${PID_OF[$role]}"; done
    PID_OF=()
    for ns in $(ip netns list 2>/dev/null | awk -v p="^${NSP}-" '$1 ~ p {print $1}'); do
        # anything still running inside one of *our* namespaces was started by us
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill_pid "$pid"; done
        ip netns del "$ns" 2>/dev/null || true
    done
}

on_exit() {
    local rc=$?
    teardown
    if [[ ${KEEP_WORK:-0} == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# ---------------------------------------------------------------- namespaces ----------
setup_net() {  # two namespaces, one veth pair: lac0 192.0.2.1/24 <-> lns0 192.0.2.2/24
    teardown
    local ns
    for ns in lac lns; do
        ip netns add "$NSP-$ns"
        ip -n "$NSP-$ns" link set lo up
        ip netns exec "$NSP-$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip netns exec "$NSP-$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    done
    ip -n "$NSP-lac" link add lac0 type veth peer name lns0 netns "$NSP-lns"
    ip -n "$NSP-lac" addr add "$LAC_ADDR/24" dev lac0
    ip -n "$NSP-lns" addr add "$LNS_ADDR/24" dev lns0
    ip -n "$NSP-lac" link set lac0 up
    ip -n "$NSP-lns" link set lns0 up
    # ARP resolved before the capture starts (keeps the frame numbers of the stories stable)
    ip netns exec "$NSP-lac" ping -n -c1 -W2 "$LNS_ADDR" >/dev/null
}

# ---------------------------------------------------------------- capture -------------
start_capture() {  # start_capture TAG -> $WORK/TAG.pcap, on the LNS/server interface
    local tag=$1 i filter=${2:-'udp port 1701 or tcp port 1723 or ip proto 47 or icmp'}
    ip netns exec "$NSP-lns" tcpdump --immediate-mode -s0 -n -i lns0 -w "$WORK/$tag.pcap" \
        "$filter" >"$WORK/$tag.tcpdump.out" 2>&1 &
    PID_OF[tcpdump]=$!
    for i in $(seq 50); do
        grep -q 'listening on' "$WORK/$tag.tcpdump.out" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/$tag.tcpdump.out" >&2
    return 1
}

stop_capture() {   # SIGINT so tcpdump flushes and closes the file
    local pid=${PID_OF[tcpdump]} i
    kill -INT "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill_pid "$pid"
    unset "PID_OF[tcpdump]"
}

save_capture() {   # save_capture TAG NAME: $WORK/TAG.pcap -> $OUT/NAME.pcapng with a comment
    local tag=$1 name=$2 what=$3
    editcap -F pcapng --capture-comment "vpnsleuth captures/make-l2tp-captures.sh: $name.pcapng, $what" \
        "$WORK/$tag.pcap" "$OUT/$name.pcapng"
    log "saved $name.pcapng ($(tshark -r "$OUT/$name.pcapng" 2>/dev/null | wc -l) frames)"
}

# ---------------------------------------------------------------- PPP stand-ins -------
write_standins() {
    # holds the pty open, speaks no PPP (pppd stays "up" for the daemon)
    printf '#!/bin/sh\n# vpnsleuth stand-in for pppd: holds the pty, speaks no PPP\nexec sleep 600\n' >"$WORK/pppd-mute"
    # reads everything, answers nothing
    printf '#!/bin/sh\n# vpnsleuth stand-in for pppd: reads the pty, never answers\nexec cat >/dev/null\n' >"$WORK/pppd-deaf"
    # sends LCP Configure-Requests like pppd does, never answers (COUNT requests, INTERVAL s apart)
    cat >"$WORK/lcp-requests.py" <<'EOF'
# LCP Configure-Requests as pppd 2.4.9 sends them with "noauth" (RFC 1661 sec. 5.1: code 1,
# a new identifier per request, options ACCM 0 (RFC 1662 sec. 7.1), Magic-Number,
# Protocol-Field-Compression, Address-and-Control-Field-Compression), HDLC-framed for a pty
# (RFC 1662 sec. 4: 0x7e flags, 0x7d escapes of 0x00-0x1f/0x7d/0x7e, FCS-16 of appendix C).
import os, struct, sys, time
def fcs16(data):
    fcs = 0xffff
    for b in data:
        fcs ^= b
        for _ in range(8):
            fcs = (fcs >> 1) ^ 0x8408 if fcs & 1 else fcs >> 1
    return fcs ^ 0xffff
def hdlc(frame):
    raw = frame + struct.pack('<H', fcs16(frame))
    out = bytearray([0x7e])
    for b in raw:
        out += bytes([0x7d, b ^ 0x20]) if b < 0x20 or b in (0x7d, 0x7e) else bytes([b])
    return bytes(out + b'\x7e')
count, interval, magic = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3], 16)
for i in range(count):
    opts = bytes([2, 6, 0, 0, 0, 0]) + bytes([5, 6]) + struct.pack('>I', magic) + bytes([7, 2, 8, 2])
    lcp = bytes([1, i + 1]) + struct.pack('>H', 4 + len(opts)) + opts
    os.write(1, hdlc(b'\xff\x03\xc0\x21' + lcp))
    time.sleep(interval)
EOF
    printf '#!/bin/sh\n# vpnsleuth stand-in for pppd: 5 LCP Configure-Requests 3 s apart, then exits\nexec %s %s 5 3 5a17c0de\n' \
        "$PY" "$WORK/lcp-requests.py" >"$WORK/pppd-lcp"
    chmod +x "$WORK/pppd-mute" "$WORK/pppd-deaf" "$WORK/pppd-lcp"
    # a syslog socket in a private /dev for the daemons that only log to syslog (pptpd, pptp)
    cat >"$WORK/syslogd.py" <<'EOF'
import os, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, 'a', buffering=1) as f:
    while True:
        f.write(time.strftime('%H:%M:%S ') + s.recv(65536).decode('utf-8', 'replace').rstrip('\n\0') + '\n')
EOF
    cat >"$WORK/privdev.sh" <<'EOF'
# privdev.sh LOGFILE CMD...: run CMD in this (private) mount namespace with a private /dev
# whose /dev/log is a listener that writes LOGFILE; the real /dev nodes CMD needs are bound in.
set -e
log=$1; shift
W=$(mktemp -d "$(dirname "$0")/privdev.XXXXXX")
mkdir "$W/odev"; mount --rbind /dev "$W/odev"
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero full random urandom tty; do touch "/dev/$n"; mount --bind "$W/odev/$n" "/dev/$n"; done
mkdir /dev/pts /dev/shm; mount --bind "$W/odev/pts" /dev/pts
ln -s pts/ptmx /dev/ptmx; ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
/usr/bin/python3 "$(dirname "$0")/syslogd.py" /dev/log "$log" &
SL=$!
trap 'kill $SL 2>/dev/null' EXIT
for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
exec 3<&0
"$@" <&3 3<&- & C=$!
trap 'kill $C 2>/dev/null; wait $C 2>/dev/null; kill $SL 2>/dev/null' TERM INT
wait $C || true
EOF
}

# ---------------------------------------------------------------- xl2tpd --------------
# write_xl2tpd ROLE [extra global lines] -- [extra section lines]
write_xl2tpd() {
    local role=$1; shift
    local -a glob=() sect=()
    while (($#)) && [[ $1 != -- ]]; do glob+=("$1"); shift; done
    (($#)) && shift
    sect=("$@")
    local dir=$WORK/$role addr peer
    mkdir -p "$dir"
    if [[ $role == lac ]]; then addr=$LAC_ADDR; else addr=$LNS_ADDR; fi
    printf 'noauth\nnodefaultroute\ndebug\n' >"$dir/options"
    : >"$dir/l2tp-secrets"
    chmod 600 "$dir/l2tp-secrets"
    {
        echo "; generated by make-l2tp-captures.sh for the $role"
        echo "[global]"
        echo "listen-addr = $addr"
        echo "port = 1701"
        echo "auth file = $dir/l2tp-secrets"
        echo "debug avp = yes"
        echo "debug network = yes"
        echo "debug state = yes"
        echo "debug tunnel = yes"
        for l in "${glob[@]}"; do echo "$l"; done
        if [[ $role == lac ]]; then
            echo "[lac vpn]"
            echo "lns = $LNS_ADDR"
            echo "redial = no"
            echo "autodial = no"
        else
            echo "[lns default]"
            echo "ip range = 10.9.0.10-10.9.0.20"
            echo "local ip = 10.9.0.1"
        fi
        echo "require authentication = no"
        echo "length bit = yes"
        echo "ppp debug = yes"
        echo "pppoptfile = $dir/options"
        for l in "${sect[@]}"; do echo "$l"; done
    } >"$dir/xl2tpd.conf"
}

start_xl2tpd() {   # start_xl2tpd ROLE [STANDIN]: xl2tpd in the role's namespace, pppd replaced by STANDIN
    local role=$1 standin=${2:-} dir=$WORK/$1 i bind=true
    [[ -n $standin ]] && bind="mount --bind '$WORK/$standin' /usr/sbin/pppd"
    ip netns exec "$NSP-$role" unshare -m --propagation private sh -c "$bind && exec xl2tpd -D \
        -c '$dir/xl2tpd.conf' -p '$dir/xl2tpd.pid' -C '$dir/l2tp-control' -s '$dir/l2tp-secrets'" \
        >"$dir/xl2tpd.log" 2>&1 &
    PID_OF[xl2tpd-$role]=$!
    for i in $(seq 50); do
        grep -q 'Listening on IP address' "$dir/xl2tpd.log" 2>/dev/null && { log "xl2tpd $role up${standin:+ (pppd: $standin)}"; return 0; }
        kill -0 "${PID_OF[xl2tpd-$role]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/xl2tpd.log" >&2
    return 1
}

lac_control() { echo "$1" >"$WORK/lac/l2tp-control"; }

stop_xl2tpd() {
    kill_pid "${PID_OF[xl2tpd-$1]}"
    unset "PID_OF[xl2tpd-$1]"
}

save_xl2tpd_logs() {   # save_xl2tpd_logs NAME
    cp "$WORK/lac/xl2tpd.log" "$OUT/$1.lac.log"
    [[ -f $WORK/lns/xl2tpd.log ]] && cp "$WORK/lns/xl2tpd.log" "$OUT/$1.lns.log"
    return 0
}

l2tp_run() {   # l2tp_run NAME WHAT LAC_STANDIN LNS_STANDIN(- = no LNS) SECONDS_AFTER_CONNECT [nft rule for the LNS]
    local name=$1 what=$2 lacpppd=$3 lnspppd=$4 secs=$5 rule=${6:-}
    setup_net
    if [[ -n $rule ]]; then
        ip netns exec "$NSP-lns" nft -f - <<EOF
table inet vpnsleuth {
    chain input {
        type filter hook input priority 0; policy accept;
        $rule
    }
}
EOF
    fi
    start_capture "$name"
    [[ $lnspppd != - ]] && start_xl2tpd lns "$lnspppd"
    start_xl2tpd lac "$lacpppd"
    nap 1
    lac_control "c vpn"
    nap "$secs"
    stop_xl2tpd lac
    [[ $lnspppd != - ]] && stop_xl2tpd lns
    nap 0.5
    stop_capture
    save_capture "$name" "$name" "$what; $XL2TPD_VERSION"
    save_xl2tpd_logs "$name"
}

# ---------------------------------------------------------------- L2TP scenarios ------
scenario_l2tp-cdn() {
    # tunnel up, session up, the LNS's real pppd dies (no /dev/ppp): CDN; hellos after 60 s idle;
    # then the LAC is told to disconnect: StopCCN "Goodbye!"
    setup_net
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns
    write_xl2tpd lac
    start_capture l2tp-cdn
    start_xl2tpd lns            # real pppd: exits at once
    start_xl2tpd lac pppd-mute  # the LAC's PPP end stays up (says nothing)
    nap 1
    lac_control "c vpn"
    nap 65                      # xl2tpd sends HELLO after 60 s without control traffic
    lac_control "d vpn"
    nap 3
    stop_xl2tpd lac; stop_xl2tpd lns; nap 0.5
    stop_capture
    save_capture l2tp-cdn l2tp-cdn "xl2tpd LAC+LNS, LNS pppd fails (CDN), HELLO, StopCCN; $XL2TPD_VERSION"
    save_xl2tpd_logs l2tp-cdn
}

scenario_l2tp-rejected() {
    # the LNS accepts only LAC 192.0.2.9: StopCCN "No Authorization" in answer to SCCRQ
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns "access control = yes" -- "lac = 192.0.2.9"
    write_xl2tpd lac
    l2tp_run l2tp-rejected "xl2tpd LNS access control refuses the LAC (StopCCN)" pppd-mute "" 4
}

scenario_l2tp-challenge() {
    # both ends use tunnel authentication with different secrets: the LAC refuses the SCCRP
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns -- "challenge = yes"
    write_xl2tpd lac -- "challenge = yes"
    echo "* * $LNS_SECRET" >"$WORK/lns/l2tp-secrets"
    echo "* * $LAC_SECRET" >"$WORK/lac/l2tp-secrets"
    l2tp_run l2tp-challenge "xl2tpd tunnel secrets differ (StopCCN after SCCRP)" pppd-mute "" 4
}

scenario_l2tp-no-lns() {
    # nothing listens on UDP 1701 at the LNS address: ICMP port unreachable for every SCCRQ
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lac
    l2tp_run l2tp-no-lns "no LNS running: ICMP port unreachable" pppd-mute - 20
}

scenario_l2tp-silent() {
    # the LNS's firewall drops UDP 1701 silently: SCCRQ retransmitted, nothing back
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns
    write_xl2tpd lac
    l2tp_run l2tp-silent "UDP 1701 dropped at the LNS (nft)" pppd-mute pppd-mute 20 "udp dport 1701 drop"
}

scenario_l2tp-icrq-lost() {
    # the LNS's firewall drops ICRQ only (Message Type AVP value 10 at UDP payload offset 18):
    # the tunnel comes up, the ICRQ is retransmitted unacknowledged, the LAC gives up (StopCCN "Timeout")
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns
    write_xl2tpd lac
    l2tp_run l2tp-icrq-lost "ICRQ dropped at the LNS (nft)" pppd-mute pppd-mute 42 "udp dport 1701 @th,208,16 10 drop"
}

scenario_l2tp-lcp-no-answer() {
    # session up; the LAC's PPP end sends 5 LCP Configure-Requests (scripted), the LNS's reads and never answers
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns
    write_xl2tpd lac
    l2tp_run l2tp-lcp-no-answer "LCP Configure-Requests unanswered (PPP stand-ins)" pppd-lcp pppd-deaf 17
}

scenario_l2tp-secret-scccn() {
    # only the LNS challenges (RFC 2661 §4.2: Challenge AVP in SCCRP); the LAC answers with a
    # Challenge Response made with another secret in SCCCN: the LNS refuses the SCCCN (StopCCN)
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns -- "challenge = yes"
    write_xl2tpd lac
    echo "* * $LNS_SECRET" >"$WORK/lns/l2tp-secrets"
    echo "* * $LAC_SECRET" >"$WORK/lac/l2tp-secrets"
    l2tp_run l2tp-secret-scccn "xl2tpd tunnel secrets differ, only the LNS challenges (StopCCN after SCCCN)" pppd-mute "" 4
}

scenario_l2tp-secret-lac-none() {
    # the LNS challenges with a secret, the LAC has no tunnel secret at all (empty auth file)
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns -- "challenge = yes"
    write_xl2tpd lac
    echo "* * $LNS_SECRET" >"$WORK/lns/l2tp-secrets"
    l2tp_run l2tp-secret-lac-none "xl2tpd tunnel secret on the LNS only" pppd-mute "" 4
}

scenario_l2tp-cdn-lac-pppd() {
    # tunnel and session up; the LAC's real pppd dies at once (no /dev/ppp): the LAC sends CDN
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns
    write_xl2tpd lac
    l2tp_run l2tp-cdn-lac-pppd "the LAC's pppd fails (CDN from the LAC before any PPP)" "" pppd-mute 4
}

scenario_l2tp-cdn-no-address() {
    # the LNS has no address to give (an empty 'ip range'): it refuses the call with CDN before PPP
    rm -rf "$WORK/lac" "$WORK/lns"
    write_xl2tpd lns
    sed -i '/^ip range/d;/^local ip/d' "$WORK/lns/xl2tpd.conf"
    echo "assign ip = yes" >>"$WORK/lns/xl2tpd.conf"
    write_xl2tpd lac
    l2tp_run l2tp-cdn-no-address "the LNS has no address pool (CDN before any PPP)" pppd-mute pppd-mute 4
}

# ---------------------------------------------------------------- PPPoE ---------------
# rp-pppoe's pppoe-server (the access concentrator, on lns0) and its client programs (on lac0) run the
# discovery stage in user space (RFC 2516 §5); the session's pppd cannot run here (no /dev/ppp).
start_pppoe_server() {
    mkdir -p "$WORK/pppoe"
    : >"$WORK/pppoe/syslog"
    ip netns exec "$NSP-lns" unshare -m --propagation private bash "$WORK/privdev.sh" "$WORK/pppoe/syslog" \
        pppoe-server -F -I lns0 -C vpnsleuth-ac -S internet -L 10.7.0.1 -R 10.7.0.10 -N 4 >"$WORK/pppoe/stdout" 2>&1 &
    PID_OF[pppoe-server]=$!
    local i
    for i in $(seq 50); do   # the server is ready once its private /dev/log listener is
        [[ -s $WORK/pppoe/syslog ]] || ip netns exec "$NSP-lns" pgrep -x pppoe-server >/dev/null && break
        sleep 0.1
    done
    nap 2
}

pppoe_end() {    # pppoe_end NAME WHAT
    kill_pid "${PID_OF[pppoe-server]}"; unset "PID_OF[pppoe-server]"
    nap 0.5
    stop_capture
    save_capture "$1" "$1" "$2; rp-pppoe $(dpkg-query -W -f '${Version}' pppoe)"
    { cat "$WORK/pppoe/syslog"; echo "--- pppoe-server standard output/error ---"; cat "$WORK/pppoe/stdout"; } >"$OUT/$1.server.log"
    cp "$WORK/pppoe/client.log" "$OUT/$1.client.log"
}

scenario_pppoe-pppd-died() {
    # the discovery completes (PADI/PADO/PADR/PADS); pppoe-server's pppd for the session dies at once
    # (no /dev/ppp) and the server ends the session with PADT before any PPP frame
    setup_net; rm -rf "$WORK/pppoe"
    start_capture pppoe-pppd-died 'ether proto 0x8863 or ether proto 0x8864'
    start_pppoe_server
    (sleep 8) | ip netns exec "$NSP-lac" timeout 10 pppoe -I lac0 -S internet >"$WORK/pppoe/client.log" 2>&1 || true
    pppoe_end pppoe-pppd-died "pppoe-server's pppd fails: PADT from the AC"
}

scenario_pppoe-no-service() {
    # the host asks for Service-Name 'premium', the server offers only 'internet': it does not answer (RFC 2516 §5.2)
    setup_net; rm -rf "$WORK/pppoe"
    start_capture pppoe-no-service 'ether proto 0x8863 or ether proto 0x8864'
    start_pppoe_server
    ip netns exec "$NSP-lac" pppoe-discovery -I lac0 -S premium -t 2 -a 3 >"$WORK/pppoe/client.log" 2>&1 || true
    pppoe_end pppoe-no-service "PADI for a Service-Name the AC does not offer"
}

# ---------------------------------------------------------------- PPTP ----------------
write_pptpd() {
    mkdir -p "$WORK/pptpd"
    printf 'localip 10.8.0.1\nremoteip 10.8.0.10-20\n' >"$WORK/pptpd/pptpd.conf"
    printf 'name pptpd\nnoauth\nnodefaultroute\ndebug\n' >"$WORK/pptpd/options"
}

start_pptpd() {    # start_pptpd [STANDIN]
    local standin=${1:-} i extra=()
    [[ -n $standin ]] && extra=(-e "$WORK/$standin")
    : >"$WORK/pptpd/syslog"
    ip netns exec "$NSP-lns" unshare -m --propagation private bash "$WORK/privdev.sh" "$WORK/pptpd/syslog" \
        pptpd -f -d "${extra[@]}" -c "$WORK/pptpd/pptpd.conf" -o "$WORK/pptpd/options" -p "$WORK/pptpd/pptpd.pid" \
        -l "$LNS_ADDR" >"$WORK/pptpd/stdout" 2>&1 &
    PID_OF[pptpd]=$!
    for i in $(seq 50); do
        grep -q 'Manager process started' "$WORK/pptpd/syslog" 2>/dev/null && { log "pptpd up${standin:+ (pppd: $standin)}"; return 0; }
        sleep 0.1
    done
    cat "$WORK/pptpd/stdout" "$WORK/pptpd/syslog" >&2
    return 1
}

# start_pptp FEED: the pptp-linux client with --nolaunchpppd; its PPP side (stdin) comes from FEED
start_pptp() {
    local feed=$1
    mkdir -p "$WORK/pptp"
    : >"$WORK/pptp/syslog"
    rm -f "$WORK/pptp/feed"
    mkfifo "$WORK/pptp/feed"
    bash -c "$feed" >"$WORK/pptp/feed" &
    PID_OF[feed]=$!
    ip netns exec "$NSP-lac" unshare -m --propagation private bash "$WORK/privdev.sh" \
        "$WORK/pptp/syslog" pptp "$LNS_ADDR" --nolaunchpppd --nohostroute --loglevel 2 --idle-wait 3 \
        <"$WORK/pptp/feed" >"$WORK/pptp/stdout" 2>&1 &
    PID_OF[pptp]=$!
}

pptp_main_pid() {  # the pptp process (not its call manager child) in the client namespace
    local pid
    for pid in $(ip netns pids "$NSP-lac"); do
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == pptp ]] && [[ $(cat "/proc/$(awk '{print $4}' "/proc/$pid/stat")/comm" 2>/dev/null) != pptp ]]; then
            echo "$pid"; return 0
        fi
    done
}

save_pptp_logs() {   # pptpd and pptp log to syslog; what pppd (or its stand-in) printed follows
    { cat "$WORK/pptpd/syslog"; echo "--- pptpd standard output/error (pppd's messages) ---"; cat "$WORK/pptpd/stdout"; } \
        >"$OUT/$1.server.log"
    { cat "$WORK/pptp/syslog"; echo "--- pptp standard output/error ---"; cat "$WORK/pptp/stdout"; } >"$OUT/$1.client.log"
}

pptp_end() {       # pptp_end NAME WHAT
    kill_pid "${PID_OF[pptp]}"; unset "PID_OF[pptp]"
    kill_pid "${PID_OF[feed]}"; unset "PID_OF[feed]"
    kill_pid "${PID_OF[pptpd]}"; unset "PID_OF[pptpd]"
    nap 0.5
    stop_capture
    save_capture "$1" "$1" "$2; $PPTPD_VERSION, $PPTP_VERSION"
    save_pptp_logs "$1"
}

scenario_pptp-pppd-died() {
    # pptpd launches the real pppd, which exits at once (no /dev/ppp): the server closes the call
    setup_net; rm -rf "$WORK/pptpd" "$WORK/pptp"; write_pptpd
    start_capture pptp-pppd-died
    start_pptpd
    start_pptp "sleep 12"
    nap 6
    pptp_end pptp-pppd-died "pptpd's pppd fails, the server closes the control connection"
}

scenario_pptp-call-cleared() {
    # both PPP ends are mute stand-ins: the call stays up without PPP, PPTP echoes every 3 s
    # idle; then the client is stopped: Call-Clear-Request
    setup_net; rm -rf "$WORK/pptpd" "$WORK/pptp"; write_pptpd
    start_capture pptp-call-cleared
    start_pptpd pppd-mute
    start_pptp "sleep 30"
    nap 12
    local pid; pid=$(pptp_main_pid)
    [[ -n $pid ]] && kill -TERM "$pid"
    nap 3
    pptp_end pptp-call-cleared "call up without PPP (stand-ins), echoes, Call-Clear-Request"
}

scenario_pptp-lcp-no-answer() {
    # the client's PPP end sends 5 LCP Configure-Requests (scripted) through pptp's real GRE;
    # the server's PPP end (stand-in) reads and never answers
    setup_net; rm -rf "$WORK/pptpd" "$WORK/pptp"; write_pptpd
    start_capture pptp-lcp-no-answer
    start_pptpd pppd-deaf
    start_pptp "sleep 1.5; $PY '$WORK/lcp-requests.py' 5 3 5a17c0de; sleep 2"
    nap 21
    pptp_end pptp-lcp-no-answer "LCP Configure-Requests in GRE unanswered (PPP stand-ins)"
}

scenario_pptp-no-server() {
    # nothing listens on TCP 1723: RST
    setup_net; rm -rf "$WORK/pptpd" "$WORK/pptp"; mkdir -p "$WORK/pptpd"; : >"$WORK/pptpd/syslog"
    start_capture pptp-no-server
    start_pptp "sleep 3"
    nap 4
    kill_pid "${PID_OF[pptp]}"; unset "PID_OF[pptp]"
    kill_pid "${PID_OF[feed]}"; unset "PID_OF[feed]"
    nap 0.5
    stop_capture
    save_capture pptp-no-server pptp-no-server "no PPTP server: TCP RST; $PPTP_VERSION"
    cp "$WORK/pptp/syslog" "$OUT/pptp-no-server.client.log"
}

# ---------------------------------------------------------------- main ----------------
write_standins
scenarios=("$@")
((${#scenarios[@]})) || scenarios=("${ALL_SCENARIOS[@]}")
for s in "${scenarios[@]}"; do
    declare -F "scenario_$s" >/dev/null || { echo "unknown scenario: $s" >&2; exit 1; }
done
for s in "${scenarios[@]}"; do
    log "scenario $s"
    "scenario_$s"
    teardown
done
log "done: ${scenarios[*]}"
