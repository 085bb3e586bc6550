#!/usr/bin/env bash
# make-captures.sh -- produce REAL IKE/ESP packet captures for vpnsleuth's test corpus.
#
# Two (or, for NAT-T, three) Linux network namespaces connected by veth pairs; a real
# strongSwan charon daemon runs in each peer namespace (each in its own mount namespace with
# a private /run, because charon 5.9.8 hard-codes /var/run/charon.pid); tcpdump records the
# wire between them.  The daemons log at level 4, which prints all key material: these
# *.initiator.log / *.responder.log files are the ground truth for decryption tests.
#
# The kernel of the build machine has no ESP support, so ESP is produced by charon's
# kernel-libipsec plugin (userspace ESP on a TUN device).  libipsec only does UDP-encapsulated
# tunnel-mode ESP, so charon floats IKE to UDP 4500 and ESP travels as ESP-in-UDP (RFC 3948)
# on port 4500, even without a NAT.
#
# Usage (as root):   captures/make-captures.sh [scenario...]
# Scenarios:         ikev2-psk-esp ikev2-psk-esp-cbc ikev1-main-quick ikev1-aggressive nat-t
#                    ikev1-fragments ikev2-fragments ikev2-ip-fragments
#                    ikev2-rekey-pfs ikev1-quick-pfs
#                    ikev2-esp-sizes ikev2-esp-sizes-cbc ikev2-esp-pmtu (overhead and MTU)
#                    failures (-> fail-<name>.pcapng): ikev1-proposal ikev2-proposal
#                    ikev2-dh-retry ikev1-psk ikev2-psk ikev2-ts ikev1-qm-proposal ikev1-qm-ts
#                    no-responder ikev1-no-responder nat-t-blocked dpd-dead-peer
#                    ikev2-dead-peer deleted-by-peer xauth ikev2-mode ikev1-proxy-mirror
#                    ikev1-aggressive-psk
#                    (all of them, successes and failures, when none is given)
#                    ikev1-aggressive-sha1 (only when named: the psk-crack benchmark's
#                    HMAC-SHA1 exchange, which ike-scan's psk-crack can crack too)
# Environment:       OUT=dir     where to write the captures/logs (default: this directory)
#                    KEEP_WORK=1 keep the temporary working directory for inspection
#
# Everything happens inside namespaces created by this script (veth ends are created directly
# inside them, nothing is attached to the root namespace), so no packet leaves the machine.
# The pre-shared key below is TEST MATERIAL, deliberately published; it protects nothing.
# So are the RSA certificates and private keys that the *-fragments scenarios generate with
# `pki` on every run (copied to captures/certs/NAME/).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE}
CHARON=${CHARON:-/usr/lib/ipsec/charon}
PSK='vpnsleuth-test-psk-0123456789'      # documented test PSK (see README.md)
NSP=${NSP:-vpns}                          # prefix of every namespace this script creates (NSP=... to run beside another run)
ALL_SCENARIOS=(ikev2-psk-esp ikev2-psk-esp-cbc ikev1-main-quick ikev1-aggressive nat-t
               ikev1-fragments ikev2-fragments ikev2-ip-fragments ikev2-rekey-pfs ikev1-quick-pfs
               ikev2-esp-sizes ikev2-esp-sizes-cbc ikev2-esp-pmtu)
# real failures (captures fail-<name>.pcapng, see "Failure scenarios" in README.md)
FAILURE_SCENARIOS=(ikev1-proposal ikev2-proposal ikev2-dh-retry ikev1-psk ikev2-psk ikev2-ts
                   ikev1-qm-proposal ikev1-qm-ts no-responder ikev1-no-responder nat-t-blocked
                   dpd-dead-peer ikev2-dead-peer deleted-by-peer xauth ikev2-mode
                   ikev1-proxy-mirror ikev1-aggressive-psk)
# charon plugin lists: with userspace ESP (kernel-libipsec, which forces ESP-in-UDP and so a
# float to 4500) for scenarios that install a CHILD_SA, and IKE-only (kernel-netlink: no ESP
# SA can be installed on this kernel, but IKE stays on UDP 500 unless there is a real NAT)
PLUGINS_ESP='random nonce aes sha1 sha2 md5 hmac gcm gmp curve25519 kdf openssl pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default vici'
PLUGINS_IKE='random nonce aes sha1 sha2 md5 hmac gcm gmp curve25519 kdf openssl pem pkcs1 x509 pubkey kernel-netlink socket-default vici'

# Addresses (RFC 5737 documentation ranges on the wire, RFC 1918 inside the tunnel)
OUTER_I=192.0.2.1        # initiator, direct scenarios
OUTER_R=192.0.2.2        # responder, all scenarios
NAT_PRIV_I=198.51.100.2  # initiator behind the NAT (nat-t)
NAT_PRIV_GW=198.51.100.1 # NAT box, inside
NAT_PUB=192.0.2.1        # NAT box, outside (the masquerade address)
INNER_I=10.1.0.1         # inside initiator's protected subnet 10.1.0.0/24
INNER_R=10.2.0.1         # inside responder's protected subnet 10.2.0.0/24

[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
for tool in "$CHARON" swanctl pki tcpdump editcap tshark ip unshare nft ping; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

STRONGSWAN_VERSION=$("$CHARON" --version 2>/dev/null | head -n1 || echo "strongSwan (unknown version)")
WORK=$(mktemp -d /tmp/vpnsleuth-captures.XXXXXX)
declare -A PID_OF=()     # role -> pid (charon instances, tcpdump processes)

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
mkns() {       # mkns NAME
    local ns=$NSP-$1
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # keep the captures free of IPv6 noise (router/neighbour solicitations, MLD)
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.default.rp_filter=0
}

veth() {       # veth NS_A IF_A ADDR_A/LEN NS_B IF_B ADDR_B/LEN  (both ends born in namespaces)
    ip -n "$NSP-$1" link add "$2" type veth peer name "$5" netns "$NSP-$4"
    ip -n "$NSP-$1" addr add "$3" dev "$2"
    ip -n "$NSP-$4" addr add "$6" dev "$5"
    ip -n "$NSP-$1" link set "$2" up
    ip -n "$NSP-$4" link set "$5" up
}

# ---------------------------------------------------------------- strongSwan ----------
# write_strongswan_conf ROLE [extra lines for the charon section]
write_strongswan_conf() {
    local role=$1; shift
    local dir=$WORK/$role
    mkdir -p "$dir/run"
    cat >"$dir/strongswan.conf" <<EOF
# generated by make-captures.sh for instance '$role'
charon {
    load_modular = no
    # kernel-libipsec first: the first registered kernel-ipsec interface wins
    load = ${SWAN_LOAD:-$PLUGINS_ESP}
    install_routes = yes
    retransmit_timeout = 1
    retransmit_base = 1.4
    retransmit_tries = 3
    retransmit_jitter = 0
    port = 500
    port_nat_t = 4500
$(for l in "$@"; do printf '    %s\n' "$l"; done)
    plugins {
        vici {
            socket = unix://$dir/run/charon.vici
        }
    }
    filelog {
        main {
            path = $dir/charon.log
            append = no
            flush_line = yes
            time_format = %Y-%m-%d %H:%M:%S
            ike_name = yes
            default = 1
            ike = 4
            chd = 4
            cfg = 2
            knl = 2
            net = 2
            enc = 2
            esp = 4
            lib = 1
        }
    }
    syslog {
        daemon {
            default = -1
        }
    }
}
EOF
}

# write_swanctl_conf ROLE VERSION LOCAL_ADDRS REMOTE_ADDRS LOCAL_ID REMOTE_ID IKE_PROP ESP_PROP \
#                    LOCAL_TS REMOTE_TS [extra connection-level lines...]
write_swanctl_conf() {
    local role=$1 version=$2 laddr=$3 raddr=$4 lid=$5 rid=$6 ike=$7 esp=$8 lts=$9 rts=${10}
    shift 10
    cat >"$WORK/$role/swanctl.conf" <<EOF
# generated by make-captures.sh for instance '$role'
connections {
    vpn {
        version = $version
        local_addrs = $laddr
        remote_addrs = $raddr
        proposals = $ike
        rekey_time = 0
        reauth_time = 0
        dpd_delay = 0
$(for l in "$@"; do printf '        %s\n' "$l"; done)
        local {
            auth = psk
            id = $lid
        }
        remote {
            auth = psk
            id = $rid
        }
        children {
            net {
                mode = tunnel
                esp_proposals = $esp
                local_ts = $lts
                remote_ts = $rts
                rekey_time = 0
                start_action = none
                close_action = none
                dpd_action = clear
            }
${EXTRA_CHILDREN:-}
        }
    }
}
secrets {
    ike-test {
        # test material only, published in captures/README.md
        secret = "$PSK"
    }
}
EOF
}

# child_block NAME ESP_PROP LOCAL_TS REMOTE_TS: one more `children` entry for write_swanctl_conf
#   (pass the text in EXTRA_CHILDREN), configured like `net`
child_block() {
    cat <<EOF
            $1 {
                mode = tunnel
                esp_proposals = $2
                local_ts = $3
                remote_ts = $4
                rekey_time = 0
                start_action = none
                close_action = none
                dpd_action = clear
            }
EOF
}

# ---------------------------------------------------------------- certificates --------
# Subjects of the generated test PKI (also the IKE identities, type ID_DER_ASN1_DN)
CA_DN='C=XX, O=vpnsleuth test material, OU=captures, CN=vpnsleuth test CA'
DN_I='C=XX, O=vpnsleuth test material, OU=captures, CN=initiator.vpnsleuth.example'
DN_R='C=XX, O=vpnsleuth test material, OU=captures, CN=responder.vpnsleuth.example'
RSA_BITS=4096   # large keys/signatures make IKE_AUTH / MM5 / MM6 exceed the 1500-byte MTU

# make_certs: a CA and one end-entity certificate per peer (all RSA $RSA_BITS, SHA-256,
# PKCS#1 v1.5 signatures), written to $WORK/pki and installed into each instance's
# directory: `swanctl --load-all --file DIR/swanctl.conf` loads credentials from DIR/x509ca,
# DIR/x509 and DIR/private.
make_certs() {
    local p=$WORK/pki role dn san
    mkdir -p "$p"
    # an explicit plugin list for pki (the default one tries a TPM and complains)
    printf 'pki {\n    load = random pem pkcs1 pkcs8 x509 pubkey gmp openssl sha1 sha2\n}\n' \
        >"$p/strongswan.conf"
    local -x STRONGSWAN_CONF=$p/strongswan.conf
    pki --gen --type rsa --size "$RSA_BITS" --outform pem >"$p/ca.key"
    pki --self --ca --lifetime 3650 --in "$p/ca.key" --type rsa --digest sha256 \
        --dn "$CA_DN" --outform pem >"$p/ca.crt"
    for role in initiator responder; do
        if [[ $role == initiator ]]; then dn=$DN_I san=initiator.vpnsleuth.example
        else dn=$DN_R san=responder.vpnsleuth.example; fi
        pki --gen --type rsa --size "$RSA_BITS" --outform pem >"$p/$role.key"
        pki --pub --in "$p/$role.key" --type rsa |
            pki --issue --lifetime 3650 --cacert "$p/ca.crt" --cakey "$p/ca.key" --digest sha256 \
                --dn "$dn" --san "$san" --outform pem >"$p/$role.crt"
        mkdir -p "$WORK/$role/x509ca" "$WORK/$role/x509" "$WORK/$role/private"
        cp "$p/ca.crt" "$WORK/$role/x509ca/ca.crt"
        cp "$p/$role.crt" "$WORK/$role/x509/$role.crt"
        cp "$p/$role.key" "$WORK/$role/private/$role.key"
    done
    log "test PKI made: CA + 2 end certs, RSA $RSA_BITS"
}

save_certs() {     # save_certs NAME: the test PKI of this run -> $OUT/certs/NAME/
    mkdir -p "$OUT/certs/$1"
    cp "$WORK/pki/ca.crt" "$WORK/pki/ca.key" "$WORK/pki/initiator.crt" "$WORK/pki/initiator.key" \
        "$WORK/pki/responder.crt" "$WORK/pki/responder.key" "$OUT/certs/$1/"
}

# write_swanctl_conf_cert ROLE VERSION LOCAL_ADDRS REMOTE_ADDRS LOCAL_DN REMOTE_DN IKE_PROP \
#                         ESP_PROP LOCAL_TS REMOTE_TS [extra connection-level lines...]
#   like write_swanctl_conf, but public-key (RSA certificate) authentication with DN identities
write_swanctl_conf_cert() {
    local role=$1 version=$2 laddr=$3 raddr=$4 lid=$5 rid=$6 ike=$7 esp=$8 lts=$9 rts=${10}
    shift 10
    cat >"$WORK/$role/swanctl.conf" <<EOF
# generated by make-captures.sh for instance '$role'
connections {
    vpn {
        version = $version
        local_addrs = $laddr
        remote_addrs = $raddr
        proposals = $ike
        rekey_time = 0
        reauth_time = 0
        dpd_delay = 0
$(for l in "$@"; do printf '        %s\n' "$l"; done)
        local {
            auth = pubkey
            certs = $role.crt
            id = "$lid"
        }
        remote {
            auth = pubkey
            cacerts = ca.crt
            id = "$rid"
        }
        children {
            net {
                mode = tunnel
                esp_proposals = $esp
                local_ts = $lts
                remote_ts = $rts
                rekey_time = 0
                start_action = none
                close_action = none
                dpd_action = clear
            }
        }
    }
}
EOF
}

swan() {       # swan ROLE COMMAND [args...]   (swanctl wants the command first)
    local role=$1 cmd=$2; shift 2
    swanctl "$cmd" --uri "unix://$WORK/$role/run/charon.vici" "$@"
}

start_charon() {   # start_charon ROLE NAMESPACE
    local role=$1 ns=$NSP-$2 dir=$WORK/$1 i
    ip netns exec "$ns" unshare -m --propagation private \
        sh -c "mount --bind '$dir/run' /run && STRONGSWAN_CONF='$dir/strongswan.conf' exec '$CHARON'" \
        >"$dir/charon.stdout" 2>&1 &
    PID_OF[charon-$role]=$!
    for i in $(seq 100); do
        if [[ -S $dir/run/charon.vici ]] && swan "$role" --stats >/dev/null 2>&1; then
            swan "$role" --load-all --noprompt --file "$dir/swanctl.conf" >"$dir/load.out" 2>&1 \
                || { cat "$dir/load.out" >&2; return 1; }
            log "charon $role up (pid ${PID_OF[charon-$role]})"
            return 0
        fi
        kill -0 "${PID_OF[charon-$role]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "charon $role did not start; its output and log:" >&2
    cat "$dir/charon.stdout" "$dir/charon.log" >&2 2>/dev/null || true
    return 1
}

stop_charon() {    # stop_charon ROLE
    kill_pid "${PID_OF[charon-$1]}"
    unset "PID_OF[charon-$1]"
}

start_capture() {  # start_capture TAG NAMESPACE IFACE  -> $WORK/TAG.pcap
    local tag=$1 ns=$NSP-$2 ifc=$3 i
    ip netns exec "$ns" tcpdump --immediate-mode -s0 -n -i "$ifc" -w "$WORK/$tag.pcap" \
        >"$WORK/$tag.tcpdump.out" 2>&1 &
    PID_OF[tcpdump-$tag]=$!
    for i in $(seq 50); do
        grep -q 'listening on' "$WORK/$tag.tcpdump.out" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/$tag.tcpdump.out" >&2
    return 1
}

stop_capture() {   # stop_capture TAG: SIGINT so tcpdump flushes and closes the file
    local pid=${PID_OF[tcpdump-$1]} i
    kill -INT "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill_pid "$pid"
    unset "PID_OF[tcpdump-$1]"
}

save_capture() {   # save_capture TAG DEST_FILE   (.pcapng -> converted, .pcap -> classic)
    local tag=$1 dest=$2
    case $dest in
        *.pcapng) editcap -F pcapng --capture-comment \
                      "vpnsleuth captures/make-captures.sh: $(basename "$dest"), $STRONGSWAN_VERSION" \
                      "$WORK/$tag.pcap" "$dest" ;;
        *.pcap)   cp "$WORK/$tag.pcap" "$dest" ;;
        *) echo "bad capture name $dest" >&2; return 1 ;;
    esac
    log "saved $(basename "$dest") ($(tshark -r "$dest" 2>/dev/null | wc -l) frames, $(stat -c %s "$dest") bytes)"
}

save_logs() {      # save_logs NAME
    cp "$WORK/initiator/charon.log" "$OUT/$1.initiator.log"
    cp "$WORK/responder/charon.log" "$OUT/$1.responder.log"
}

tunnel_ping() {    # tunnel_ping NS COUNT: ping from the initiator's inner address to the responder's
    ip netns exec "$NSP-$1" ping -n -c "$2" -i 0.3 -W 2 -I "$INNER_I" "$INNER_R"
}

terminate_both() { # DELETE of the CHILD_SA (ESP SPIs) first, then of the IKE SA
    swan initiator --terminate --child net --timeout 10
    nap 0.5
    swan initiator --terminate --ike vpn --timeout 10
    nap 1
}

inner_addrs() {    # the protected "subnets": one address each, on lo
    ip -n "$NSP-$1" addr add "$INNER_I/32" dev lo
    ip -n "$NSP-$2" addr add "$INNER_R/32" dev lo
}

# ---------------------------------------------------------------- generic two-peer run --
# run_direct NAME OUTFILE VERSION IKE_PROP ESP_PROP ID_I ID_R EXTRA_CHARON_OPTS EXTRA_CONN...
#   EXTRA_CHARON_OPTS is one ';'-separated string of strongswan.conf charon lines.
run_direct() {
    local name=$1 outfile=$2 version=$3 ike=$4 esp=$5 id_i=$6 id_r=$7 opts=$8
    shift 8
    local -a charon_opts=()
    [[ -n $opts ]] && IFS=';' read -r -a charon_opts <<<"$opts"
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns resp
    veth ini ini0 "$OUTER_I/24" resp resp0 "$OUTER_R/24"
    inner_addrs ini resp

    write_strongswan_conf initiator "${charon_opts[@]}"
    write_strongswan_conf responder "${charon_opts[@]}"
    write_swanctl_conf initiator "$version" "$OUTER_I" "$OUTER_R" "$id_i" "$id_r" "$ike" "$esp" \
        10.1.0.0/24 10.2.0.0/24 "$@"
    write_swanctl_conf responder "$version" "$OUTER_R" "$OUTER_I" "$id_r" "$id_i" "$ike" "$esp" \
        10.2.0.0/24 10.1.0.0/24 "$@"
    start_charon responder resp
    start_charon initiator ini
    start_capture wire resp resp0
    nap 0.5

    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 5
    nap 0.5
    swan initiator --list-sas || true
    terminate_both
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$outfile"
    save_logs "$name"
    teardown
}

# run_cert NAME OUTFILE VERSION IKE_PROP ESP_PROP EXTRA_CONN...
#   like run_direct, but with a freshly generated RSA PKI and DN identities; the PKI is saved
#   to $OUT/certs/NAME/ (test material).
run_cert() {
    local name=$1 outfile=$2 version=$3 ike=$4 esp=$5
    shift 5
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns resp
    veth ini ini0 "$OUTER_I/24" resp resp0 "$OUTER_R/24"
    inner_addrs ini resp

    write_strongswan_conf initiator
    write_strongswan_conf responder
    make_certs
    write_swanctl_conf_cert initiator "$version" "$OUTER_I" "$OUTER_R" "$DN_I" "$DN_R" "$ike" "$esp" \
        10.1.0.0/24 10.2.0.0/24 "$@"
    write_swanctl_conf_cert responder "$version" "$OUTER_R" "$OUTER_I" "$DN_R" "$DN_I" "$ike" "$esp" \
        10.2.0.0/24 10.1.0.0/24 "$@"
    start_charon responder resp
    start_charon initiator ini
    start_capture wire resp resp0
    nap 0.5

    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 5
    nap 0.5
    swan initiator --list-sas || true
    terminate_both
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$outfile"
    save_logs "$name"
    save_certs "$name"
    teardown
}

# ---------------------------------------------------------------- scenarios -----------
# IKEv2, PSK, AES-GCM-256 (AEAD) child SA; ESP-in-UDP via libipsec; clean DELETE.
scenario_ikev2-psk-esp() {
    run_direct ikev2-psk-esp ikev2-psk-esp.pcapng 2 \
        aes256-sha256-modp2048 aes256gcm16 \
        initiator.vpnsleuth.example responder.vpnsleuth.example ""
}

# IKEv2, PSK, AES-CBC-256 + HMAC-SHA2-256-128 (non-AEAD) child SA, ECP-256 IKE SA.
scenario_ikev2-psk-esp-cbc() {
    run_direct ikev2-psk-esp-cbc ikev2-psk-esp-cbc.pcapng 2 \
        aes128-sha256-ecp256 aes256-sha256 \
        initiator.vpnsleuth.example responder.vpnsleuth.example ""
}

# IKEv1 Main Mode + Quick Mode, PSK (IP-address IDs), AES-128-CBC/HMAC-SHA1-96 ESP.
# Written as CLASSIC pcap so that reader is exercised too.
scenario_ikev1-main-quick() {
    run_direct ikev1-main-quick ikev1-main-quick.pcap 1 \
        aes128-sha1-modp2048 aes128-sha1 \
        "$OUTER_I" "$OUTER_R" ""
}

# IKEv1 Aggressive Mode, PSK, FQDN IDs, HMAC-SHA1 PRF: the exchange of bench/psk-crack-bench.sh
# (ike-scan's psk-crack knows only MD5 and SHA1 hashes).  Not in ALL_SCENARIOS: named only.
scenario_ikev1-aggressive-sha1() {
    run_direct ikev1-aggressive-sha1 ikev1-aggressive-sha1.pcapng 1 \
        aes128-sha1-modp2048 aes128-sha1 \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        "i_dont_care_about_security_and_use_aggressive_mode_psk = yes" \
        "aggressive = yes"
}

# IKEv1 Aggressive Mode + Quick Mode, PSK, FQDN IDs (visible in clear in aggressive mode).
scenario_ikev1-aggressive() {
    run_direct ikev1-aggressive ikev1-aggressive.pcapng 1 \
        aes256-sha256-modp2048 aes256-sha256 \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        "i_dont_care_about_security_and_use_aggressive_mode_psk = yes" \
        "aggressive = yes"
}

# IKEv2 through a real NAT (nft masquerade random) with NAT-D, float to 4500, 0xFF NAT
# keepalives (keep_alive = 2s) and UDP-encapsulated ESP.  Captured on both sides of the NAT.
scenario_nat-t() {
    local name=nat-t
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns nat; mkns resp
    veth ini ini0 "$NAT_PRIV_I/24" nat nat-in "$NAT_PRIV_GW/24"
    veth nat nat-out "$NAT_PUB/24" resp resp0 "$OUTER_R/24"
    ip -n "$NSP-ini" route add default via "$NAT_PRIV_GW"
    # the responder knows no route to 198.51.100.0/24: only the NAT makes this work
    ip netns exec "$NSP-nat" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$NSP-nat" nft -f - <<'EOF'
table ip nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "nat-out" masquerade random
    }
}
EOF
    inner_addrs ini resp

    write_strongswan_conf initiator "keep_alive = 2s"
    write_strongswan_conf responder "keep_alive = 2s"
    write_swanctl_conf initiator 2 "$NAT_PRIV_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes128gcm16 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf responder 2 "$OUTER_R" "%any" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes128gcm16 10.2.0.0/24 10.1.0.0/24
    start_charon responder resp
    start_charon initiator ini
    start_capture public resp resp0     # responder side of the NAT (public addresses)
    start_capture private ini ini0      # initiator side of the NAT (private addresses)
    nap 0.5

    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 5
    log "idle 7 s for NAT keepalives"
    nap 7
    tunnel_ping ini 2
    swan initiator --list-sas || true
    swan responder --list-sas || true
    ip netns exec "$NSP-nat" conntrack -L 2>/dev/null || ip netns exec "$NSP-nat" cat /proc/net/nf_conntrack 2>/dev/null || true
    terminate_both
    stop_capture public
    stop_capture private
    stop_charon initiator
    stop_charon responder
    save_capture public "$OUT/nat-t.pcapng"
    save_capture private "$OUT/nat-t.initiator-side.pcapng"
    save_logs "$name"
    teardown
}

# IKEv1 Main Mode + Quick Mode with RSA-4096 certificates and DN IDs; fragmentation = force:
# MM5/MM6 (ID, CERT, SIG) exceed the MTU and are sent as IKEv1 fragments (payload 132).
# Written as CLASSIC pcap.
scenario_ikev1-fragments() {
    run_cert ikev1-fragments ikev1-fragments.pcap 1 \
        aes256-sha256-modp2048 aes128-sha256 \
        "fragmentation = force"
}

# IKEv2 with RSA-4096 certificates and DN IDs; fragmentation = yes: IKE_AUTH request and
# response exceed charon.fragment_size (1280) and are sent as RFC 7383 SKF fragments.
scenario_ikev2-fragments() {
    run_cert ikev2-fragments ikev2-fragments.pcapng 2 \
        aes128-sha256-modp3072 aes128gcm16 \
        "fragmentation = yes"
}

# The same as ikev2-fragments with fragmentation = no: IKE_AUTH is one UDP datagram larger
# than the MTU, fragmented by the sender's IP layer.
scenario_ikev2-ip-fragments() {
    run_cert ikev2-ip-fragments ikev2-ip-fragments.pcapng 2 \
        aes128-sha256-modp3072 aes128gcm16 \
        "fragmentation = no"
}

# IKEv2, PSK, child SAs with PFS, CREATE_CHILD_SA and rekeys.  IKE_AUTH creates `net`
# (aes256-sha256-ecp256: the ECP_256 group is used only by CREATE_CHILD_SA, with a KE payload);
# then CREATE_CHILD_SA creates a second child `net2` (10.1.1.0/24 === 10.2.1.0/24,
# aes128gcm16-modp2048, PFS); `net` is rekeyed (CREATE_CHILD_SA with N(REKEY_SA), KE), the IKE
# SA is rekeyed (CREATE_CHILD_SA with an IKE proposal: new SPIs, new SKEYSEED from the old
# SK_d), `net` is rekeyed again under the new IKE SA; pings through `net` (and `net2`) after
# every step; then DELETEs.
INNER2_I=10.1.1.1        # ikev2-rekey-pfs: second child's subnets 10.1.1.0/24 === 10.2.1.0/24
INNER2_R=10.2.1.1
scenario_ikev2-rekey-pfs() {
    local name=ikev2-rekey-pfs
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns resp
    veth ini ini0 "$OUTER_I/24" resp resp0 "$OUTER_R/24"
    inner_addrs ini resp
    ip -n "$NSP-ini" addr add "$INNER2_I/32" dev lo
    ip -n "$NSP-resp" addr add "$INNER2_R/32" dev lo

    write_strongswan_conf initiator
    write_strongswan_conf responder
    EXTRA_CHILDREN=$(child_block net2 aes128gcm16-modp2048 10.1.1.0/24 10.2.1.0/24) \
    write_swanctl_conf initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes256-sha256-ecp256 10.1.0.0/24 10.2.0.0/24
    EXTRA_CHILDREN=$(child_block net2 aes128gcm16-modp2048 10.2.1.0/24 10.1.1.0/24) \
    write_swanctl_conf responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256-sha256-ecp256 10.2.0.0/24 10.1.0.0/24
    start_charon responder resp
    start_charon initiator ini
    start_capture wire resp resp0
    nap 0.5

    swan initiator --initiate --child net --timeout 20        # IKE_SA_INIT, IKE_AUTH (net)
    nap 0.5
    tunnel_ping ini 2
    swan initiator --initiate --child net2 --timeout 20       # CREATE_CHILD_SA (net2, PFS)
    nap 0.5
    ip netns exec "$NSP-ini" ping -n -c 2 -i 0.3 -W 2 -I "$INNER2_I" "$INNER2_R"
    log "rekeying CHILD_SA net"
    swan initiator --rekey --child net                        # CREATE_CHILD_SA, REKEY_SA, KE
    nap 1.5
    tunnel_ping ini 2
    log "rekeying IKE_SA vpn"
    swan initiator --rekey --ike vpn                          # CREATE_CHILD_SA, IKE proposal
    nap 1.5
    tunnel_ping ini 2
    log "rekeying CHILD_SA net under the new IKE_SA"
    swan initiator --rekey --child net
    nap 1.5
    tunnel_ping ini 2
    ip netns exec "$NSP-ini" ping -n -c 2 -i 0.3 -W 2 -I "$INNER2_I" "$INNER2_R"
    nap 0.5
    swan initiator --list-sas || true
    swan initiator --terminate --child net2 --timeout 10
    nap 0.5
    terminate_both
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$name.pcapng"
    save_logs "$name"
    teardown
}

# IKEv1 Main Mode (PSK, IP-address IDs) + Quick Mode with PFS (esp_proposals
# aes256-sha256-modp3072: KE payloads in QM1/QM2), pings, a rekey of the child (a second Quick
# Mode with PFS on the same ISAKMP SA, then an Informational DELETE of the old ESP SAs), pings.
scenario_ikev1-quick-pfs() {
    local name=ikev1-quick-pfs
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns resp
    veth ini ini0 "$OUTER_I/24" resp resp0 "$OUTER_R/24"
    inner_addrs ini resp

    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf initiator 1 "$OUTER_I" "$OUTER_R" "$OUTER_I" "$OUTER_R" \
        aes128-sha256-modp2048 aes256-sha256-modp3072 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf responder 1 "$OUTER_R" "$OUTER_I" "$OUTER_R" "$OUTER_I" \
        aes128-sha256-modp2048 aes256-sha256-modp3072 10.2.0.0/24 10.1.0.0/24
    start_charon responder resp
    start_charon initiator ini
    start_capture wire resp resp0
    nap 0.5

    swan initiator --initiate --child net --timeout 20        # MM1-MM6, QM1-QM3 with KE
    nap 0.5
    tunnel_ping ini 3
    log "rekeying CHILD_SA net (a new Quick Mode)"
    swan initiator --rekey --child net
    nap 1.5
    tunnel_ping ini 3
    nap 0.5
    swan initiator --list-sas || true
    terminate_both
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$name.pcapng"
    save_logs "$name"
    teardown
}

# ================================================================ failure scenarios =====
# Real failures between two real charons: each scenario changes one thing in one peer's
# configuration (or drops packets with nft in a namespace) and records what the daemons do.
# Output: fail-<name>.pcapng + fail-<name>.{initiator,responder}.log.  Expected diagnoses
# (from the logs and tshark) are in README.md ("Failure scenarios") and expected-verdicts.tsv.

# ---------------------------------------------------------------- overhead and MTU ------
# Pings of several sizes through the tunnel, so that the ESP padding, the largest packets and
# the outer IP fragments show (docs/overhead.md, captures/README.md "Overhead and MTU").
# libipsec's TUN device (ipsec0) has MTU 1400 and libipsec reads it with a buffer of that size
# (raising the device's MTU truncates the packets), so inner packets above 1400 bytes are
# fragmented by the sender's inner IP stack (without DF) or refused by ping (-M do: "message too
# long, mtu=1400"). 100..103 show the padding change with the size, 1372 fills the TUN MTU.
SIZE_PINGS=(100 101 102 103 1000 1372 1400 1472 1500)   # ICMP payload bytes (inner IPv4: + 28)

size_pings() {     # size_pings NS: each size once with DF (-M do), once without (-M dont)
    local s df
    for s in "${SIZE_PINGS[@]}"; do
        for df in do dont; do
            log "ping -s $s -M $df"
            ip netns exec "$NSP-$1" ping -n -c 1 -W 2 -s "$s" -M "$df" -I "$INNER_I" "$INNER_R" || true
            nap 0.3
        done
    done
}

inner_tcp_syn() {  # a TCP SYN through the tunnel (its MSS option; port 9 has no listener: RST)
    ip netns exec "$NSP-$1" timeout 3 bash -c "exec 3<>/dev/tcp/$INNER_R/9" 2>/dev/null || true
    nap 0.3
}


run_sizes() {      # run_sizes NAME ESP_PROP: two peers on one 1500-byte link
    local name=$1 esp=$2
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns resp
    veth ini ini0 "$OUTER_I/24" resp resp0 "$OUTER_R/24"
    inner_addrs ini resp
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf initiator 2 "$OUTER_I" "$OUTER_R" initiator.vpnsleuth.example \
        responder.vpnsleuth.example aes256-sha256-modp2048 "$esp" 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf responder 2 "$OUTER_R" "$OUTER_I" responder.vpnsleuth.example \
        initiator.vpnsleuth.example aes256-sha256-modp2048 "$esp" 10.2.0.0/24 10.1.0.0/24
    start_charon responder resp
    start_charon initiator ini
    start_capture wire resp resp0
    nap 0.5
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    size_pings ini
    inner_tcp_syn ini
    swan initiator --list-sas || true
    terminate_both
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$name.pcapng"
    save_logs "$name"
    teardown
}

scenario_ikev2-esp-sizes() {
    run_sizes ikev2-esp-sizes aes256gcm16
}

scenario_ikev2-esp-sizes-cbc() {
    run_sizes ikev2-esp-sizes-cbc aes256-sha256
}

# The path MTU lowered: a router namespace between the peers whose link to the responder has
# MTU 1400.  The first outer packet above 1400 bytes with DF draws an ICMP "fragmentation
# needed" (MTU 1400) from the router; the initiator's kernel then fragments the larger outer
# packets itself, and the responder fragments its replies to its 1400-byte link.  Captured on
# the router's interface towards the initiator.
PMTU_RT_I=192.0.2.254    # router, initiator side
PMTU_RT_R=203.0.113.254  # router, responder side
PMTU_R=203.0.113.2       # responder behind the router
scenario_ikev2-esp-pmtu() {
    local name=ikev2-esp-pmtu
    log "=== scenario $name ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns rt; mkns resp
    veth ini ini0 "$OUTER_I/24" rt rt-in "$PMTU_RT_I/24"
    veth rt rt-out "$PMTU_RT_R/24" resp resp0 "$PMTU_R/24"
    ip -n "$NSP-rt" link set rt-out mtu 1400
    ip -n "$NSP-resp" link set resp0 mtu 1400
    ip -n "$NSP-ini" route add default via "$PMTU_RT_I"
    ip -n "$NSP-resp" route add default via "$PMTU_RT_R"
    ip netns exec "$NSP-rt" sysctl -qw net.ipv4.ip_forward=1
    inner_addrs ini resp
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf initiator 2 "$OUTER_I" "$PMTU_R" initiator.vpnsleuth.example \
        responder.vpnsleuth.example aes256-sha256-modp2048 aes256gcm16 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf responder 2 "$PMTU_R" "$OUTER_I" responder.vpnsleuth.example \
        initiator.vpnsleuth.example aes256-sha256-modp2048 aes256gcm16 10.2.0.0/24 10.1.0.0/24
    start_charon responder resp
    start_charon initiator ini
    start_capture wire rt rt-in
    nap 0.5
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    size_pings ini
    inner_tcp_syn ini
    swan initiator --list-sas || true
    terminate_both
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$name.pcapng"
    save_logs "$name"
    teardown
}


PSK_WRONG='vpnsleuth-wrong-psk-9876543210'   # the other PSK of the *-psk scenarios (test material)
XAUTH_USER=alice                              # XAUTH test user (test material)
XAUTH_PASS='vpnsleuth-xauth-right'            # the responder's (correct) XAUTH password
XAUTH_PASS_WRONG='vpnsleuth-xauth-wrong'      # the password the initiator sends

# write_swanctl_conf_fail ROLE VERSION LOCAL_ADDRS REMOTE_ADDRS LOCAL_ID REMOTE_ID IKE_PROP \
#                         ESP_PROP LOCAL_TS REMOTE_TS [extra connection-level lines...]
#   like write_swanctl_conf (PSK auth), with knobs given as variables (prefix assignments):
#     F_SECRET  the PSK this peer uses (default $PSK)
#     F_MODE    child mode (default tunnel)
#     F_CHILD   extra child-level lines, ';'-separated
#     F_LOCAL2  a second local auth round (local-2), ';'-separated lines, e.g. XAUTH
#     F_REMOTE2 a second remote auth round (remote-2), ';'-separated lines
#     F_XAUTH   "id:secret" of an XAUTH secret
write_swanctl_conf_fail() {
    local role=$1 version=$2 laddr=$3 raddr=$4 lid=$5 rid=$6 ike=$7 esp=$8 lts=$9 rts=${10}
    shift 10
    local secret=${F_SECRET:-$PSK} mode=${F_MODE:-tunnel} l
    local -a child=() local2=() remote2=()
    [[ -n ${F_CHILD:-} ]] && IFS=';' read -r -a child <<<"$F_CHILD"
    [[ -n ${F_LOCAL2:-} ]] && IFS=';' read -r -a local2 <<<"$F_LOCAL2"
    [[ -n ${F_REMOTE2:-} ]] && IFS=';' read -r -a remote2 <<<"$F_REMOTE2"
    {
        cat <<EOT
# generated by make-captures.sh for instance '$role'
connections {
    vpn {
        version = $version
        local_addrs = $laddr
        remote_addrs = $raddr
        proposals = $ike
        rekey_time = 0
        reauth_time = 0
        dpd_delay = 0
$(for l in "$@"; do printf '        %s\n' "$l"; done)
        local-1 {
            auth = psk
            id = $lid
        }
EOT
        if ((${#local2[@]})); then
            printf '        local-2 {\n'; printf '            %s\n' "${local2[@]}"; printf '        }\n'
        fi
        cat <<EOT
        remote-1 {
            auth = psk
            id = $rid
        }
EOT
        if ((${#remote2[@]})); then
            printf '        remote-2 {\n'; printf '            %s\n' "${remote2[@]}"; printf '        }\n'
        fi
        cat <<EOT
        children {
            net {
                mode = $mode
                esp_proposals = $esp
                local_ts = $lts
                remote_ts = $rts
                rekey_time = 0
                start_action = none
                close_action = none
                dpd_action = clear
$(for l in "${child[@]}"; do printf '                %s\n' "$l"; done)
            }
        }
    }
}
secrets {
    ike-test {
        # test material only, published in captures/README.md
        secret = "$secret"
    }
EOT
        if [[ -n ${F_XAUTH:-} ]]; then
            printf '    xauth-test {\n        id = %s\n        secret = "%s"\n    }\n' \
                "${F_XAUTH%%:*}" "${F_XAUTH#*:}"
        fi
        printf '}\n'
    } >"$WORK/$role/swanctl.conf"
}

fail_setup() {     # fail_setup NAME: fresh namespaces ini/resp and one veth, as run_direct
    log "=== scenario $1 (failure) ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns resp
    veth ini ini0 "$OUTER_I/24" resp resp0 "$OUTER_R/24"
    inner_addrs ini resp
}

fail_setup_nat() { # fail_setup_nat NAME: the nat-t topology (ini - nat - resp), real masquerade
    log "=== scenario $1 (failure) ==="
    teardown
    rm -rf "${WORK:?}"/*
    mkns ini; mkns nat; mkns resp
    veth ini ini0 "$NAT_PRIV_I/24" nat nat-in "$NAT_PRIV_GW/24"
    veth nat nat-out "$NAT_PUB/24" resp resp0 "$OUTER_R/24"
    ip -n "$NSP-ini" route add default via "$NAT_PRIV_GW"
    ip netns exec "$NSP-nat" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$NSP-nat" nft -f - <<'EOT'
table ip nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "nat-out" masquerade random
    }
}
EOT
    inner_addrs ini resp
}

fail_start() {     # both charons, then the capture on the responder's interface
    start_charon responder resp
    start_charon initiator ini
    start_capture wire resp resp0
    nap 0.5
}

fail_finish() {    # fail_finish NAME: show the SAs, stop everything, save fail-NAME.*
    swan initiator --list-sas || true
    swan responder --list-sas || true
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/fail-$1.pcapng"
    save_logs "fail-$1"
    teardown
}

initiate_fail() {  # initiate the child; a failure is the expected outcome here
    if swan initiator --initiate --child net --timeout 30; then
        log "initiate succeeded"
    else
        log "initiate failed (rc $?): the expected outcome of this scenario"
    fi
}

# nft_drop NS WHAT: drop packets in namespace NS, after tcpdump has seen them (the input hook
# comes after the packet socket, so dropped incoming packets are still in the capture; dropped
# outgoing packets never reach the interface).  WHAT is an nft match, e.g. 'udp dport 4500'.
#   An optional third argument is dropped in the output hook.
nft_drop() {
    {
        printf 'table inet vpnsleuth_drop {\n'
        printf '    chain input {\n        type filter hook input priority filter; policy accept;\n'
        printf '        %s drop\n    }\n' "$2"
        if [[ -n ${3:-} ]]; then
            printf '    chain output {\n        type filter hook output priority filter; policy accept;\n'
            printf '        %s drop\n    }\n' "$3"
        fi
        printf '}\n'
    } | ip netns exec "$NSP-$1" nft -f -
    log "nft in $1: input '$2' dropped${3:+, output '$3' dropped}"
}

# 1. IKEv1 Main Mode: the initiator proposes only 3DES/SHA1/MODP1024, the responder accepts only
#    AES256/SHA256/MODP2048 -> the responder answers MM1 with a cleartext Informational
#    NO-PROPOSAL-CHOSEN.
scenario_ikev1-proposal() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev1-proposal
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" "$OUTER_I" "$OUTER_R" \
        3des-sha1-modp1024 aes128-sha1 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" "$OUTER_R" "$OUTER_I" \
        aes256-sha256-modp2048 aes128-sha1 10.2.0.0/24 10.1.0.0/24
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev1-proposal
}

# 2. IKEv2: no common IKE proposal -> IKE_SA_INIT response with N(NO_PROPOSAL_CHOSEN).
scenario_ikev2-proposal() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev2-proposal
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes128-sha1-modp1024 aes256gcm16 10.1.0.0/24 10.2.0.0/24 "mobike = no"
    write_swanctl_conf_fail responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.2.0.0/24 10.1.0.0/24 "mobike = no"
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev2-proposal
}

# 3. IKEv2: the initiator's first group (ECP_256, whose KE it sends) is not acceptable, but its
#    proposal also lists MODP_2048, the responder's only group -> INVALID_KE_PAYLOAD(MODP_2048),
#    the initiator retries with the same SPI and MODP_2048, and the tunnel comes up (recovered).
scenario_ikev2-dh-retry() {
    fail_setup ikev2-dh-retry
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-ecp256-modp2048 aes256gcm16 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.2.0.0/24 10.1.0.0/24
    fail_start
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 3
    nap 0.5
    swan initiator --list-sas || true
    terminate_both
    fail_finish ikev2-dh-retry
}

# 4. IKEv1 Main Mode with different PSKs -> the responder cannot decrypt MM5; MM5 is
#    retransmitted and each copy is answered with an encrypted Informational.
scenario_ikev1-psk() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev1-psk
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" "$OUTER_I" "$OUTER_R" \
        aes128-sha1-modp2048 aes128-sha1 10.1.0.0/24 10.2.0.0/24
    F_SECRET=$PSK_WRONG write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" "$OUTER_R" "$OUTER_I" \
        aes128-sha1-modp2048 aes128-sha1 10.2.0.0/24 10.1.0.0/24
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev1-psk
}

# 5. IKEv2 with different PSKs -> the responder's AUTH check fails; IKE_AUTH response carries
#    N(AUTHENTICATION_FAILED) (encrypted).
scenario_ikev2-psk() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev2-psk
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.1.0.0/24 10.2.0.0/24 "mobike = no"
    F_SECRET=$PSK_WRONG write_swanctl_conf_fail responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.2.0.0/24 10.1.0.0/24 "mobike = no"
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev2-psk
}

# 6. IKEv2: the responder's local_ts is 10.3.0.0/24, the initiator asks for 10.2.0.0/24 ->
#    IKE SA established, IKE_AUTH response carries N(TS_UNACCEPTABLE), no CHILD_SA.
scenario_ikev2-ts() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev2-ts
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.1.0.0/24 10.2.0.0/24 "mobike = no"
    write_swanctl_conf_fail responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.3.0.0/24 10.1.0.0/24 "mobike = no"
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev2-ts
}

# 7. IKEv1: Main Mode succeeds, Quick Mode ESP proposals differ (AES128/SHA1 vs AES256/SHA256)
#    -> encrypted Informational NO-PROPOSAL-CHOSEN after QM1.
scenario_ikev1-qm-proposal() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev1-qm-proposal
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" "$OUTER_I" "$OUTER_R" \
        aes128-sha1-modp2048 aes128-sha1 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" "$OUTER_R" "$OUTER_I" \
        aes128-sha1-modp2048 aes256-sha256 10.2.0.0/24 10.1.0.0/24
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev1-qm-proposal
}

# 8. IKEv1: Main Mode succeeds, Quick Mode proxy IDs do not match (responder's local_ts
#    10.3.0.0/24) -> encrypted Informational INVALID-ID-INFORMATION after QM1.
scenario_ikev1-qm-ts() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev1-qm-ts
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" "$OUTER_I" "$OUTER_R" \
        aes128-sha1-modp2048 aes128-sha1 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" "$OUTER_R" "$OUTER_I" \
        aes128-sha1-modp2048 aes128-sha1 10.3.0.0/24 10.1.0.0/24
    fail_start
    initiate_fail
    nap 1
    fail_finish ikev1-qm-ts
}

# 9. No answer: the responder's charon runs, but its namespace drops incoming UDP 500/4500
#    (nft input hook; the capture still sees the requests) -> the first message is
#    retransmitted until the initiator gives up.  IKEv2 (IKE_SA_INIT) and IKEv1 (MM1).
no_responder() {   # no_responder NAME VERSION IKE_PROP
    local SWAN_LOAD=$PLUGINS_IKE name=$1 version=$2 ike=$3
    fail_setup "$name"
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator "$version" "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        "$ike" aes256gcm16 10.1.0.0/24 10.2.0.0/24 "mobike = no"
    write_swanctl_conf_fail responder "$version" "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        "$ike" aes256gcm16 10.2.0.0/24 10.1.0.0/24 "mobike = no"
    nft_drop resp 'udp dport { 500, 4500 }'
    fail_start
    initiate_fail
    nap 2
    fail_finish "$name"
}
scenario_no-responder()       { no_responder no-responder 2 aes256-sha256-modp2048; }
scenario_ikev1-no-responder() { no_responder ikev1-no-responder 1 aes128-sha1-modp2048; }

# 10. IKEv2 through the real NAT of the nat-t scenario, UDP 4500 dropped at the responder ->
#     IKE_SA_INIT (UDP 500) succeeds and both detect the NAT, the floated IKE_AUTH request on
#     UDP 4500 is retransmitted unanswered.
scenario_nat-t-blocked() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup_nat nat-t-blocked
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 2 "$NAT_PRIV_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes128gcm16 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 2 "$OUTER_R" "%any" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes128gcm16 10.2.0.0/24 10.1.0.0/24
    nft_drop resp 'udp dport 4500'
    fail_start
    initiate_fail
    nap 2
    fail_finish nat-t-blocked
}

# 11. Dead peer: established with DPD on the initiator (dpd_delay 2s), two DPD rounds answered,
#     then the responder's namespace drops all UDP in and out -> DPD requests unanswered.
#     IKEv1: R-U-THERE without R-U-THERE-ACK until dpd_timeout (8 s); IKEv2: an empty
#     INFORMATIONAL request retransmitted until the initiator gives up.
dead_peer() {      # dead_peer NAME VERSION
    local name=$1 version=$2 extra=""
    [[ $version == 1 ]] && extra="dpd_timeout = 8s"
    fail_setup "$name"
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator "$version" "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes128-sha256-modp2048 aes128-sha256 10.1.0.0/24 10.2.0.0/24 \
        "dpd_delay = 2s" ${extra:+"$extra"}
    write_swanctl_conf_fail responder "$version" "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes128-sha256-modp2048 aes128-sha256 10.2.0.0/24 10.1.0.0/24
    fail_start
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 2
    log "idle 5 s: DPD answered"
    nap 5
    nft_drop resp 'meta l4proto udp' 'meta l4proto udp'
    log "waiting for the initiator to declare the peer dead"
    nap 14
    fail_finish "$name"
}
scenario_dpd-dead-peer()   { dead_peer dpd-dead-peer 1; }
scenario_ikev2-dead-peer() { dead_peer ikev2-dead-peer 2; }

# 12. IKEv2 established, then the responder deletes the IKE SA (swanctl --terminate --ike on
#     the responder) -> INFORMATIONAL request with Delete(IKE) from the responder.
scenario_deleted-by-peer() {
    fail_setup deleted-by-peer
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 10.2.0.0/24 10.1.0.0/24
    fail_start
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 3
    nap 0.5
    swan responder --terminate --ike vpn --timeout 10
    nap 1
    fail_finish deleted-by-peer
}

# 13. IKEv1 Main Mode (PSK) + XAUTH (xauth-generic): the initiator sends the wrong XAUTH
#     password -> the responder's CFG_SET carries XAUTH_STATUS = Fail.
scenario_xauth() {
    local SWAN_LOAD="$PLUGINS_IKE xauth-generic"
    fail_setup xauth
    write_strongswan_conf initiator
    write_strongswan_conf responder
    F_LOCAL2="auth = xauth;xauth_id = $XAUTH_USER" F_XAUTH="$XAUTH_USER:$XAUTH_PASS_WRONG" \
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes128-sha1 10.1.0.0/24 10.2.0.0/24
    F_REMOTE2="auth = xauth" F_XAUTH="$XAUTH_USER:$XAUTH_PASS" \
    write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes128-sha1 10.2.0.0/24 10.1.0.0/24
    fail_start
    initiate_fail
    nap 2
    fail_finish xauth
}

# 14. IKEv2 mode mismatch: the initiator's child is mode = transport, the responder's
#     mode = tunnel (host-to-host selectors, so transport would be possible).  What strongSwan
#     5.9.8 really does: the initiator sends N(USE_TRANSPORT_MODE), the responder ignores it
#     and answers without it, and both install a TUNNEL-mode CHILD_SA (no error, no log line):
#     a silent fallback.  Two pings to the peer's own address then go through that tunnel.
scenario_ikev2-mode() {
    fail_setup ikev2-mode
    # libipsec refuses a host-to-host route via its TUN device ("can't install route ...
    # conflicts with IKE traffic") unless allow_peer_ts is set; the route would then swallow
    # the IKE packets too, so they get fwmark 1 (socket-default) and the routing rule for
    # table 220 applies only to unmarked packets (kernel-netlink fwmark = !1)
    local -a opts=("plugins {" "    kernel-libipsec {" "        allow_peer_ts = yes" "    }"
                   "    socket-default {" "        fwmark = 1" "    }"
                   "    kernel-netlink {" "        fwmark = !1" "    }" "}")
    write_strongswan_conf initiator "${opts[@]}"
    write_strongswan_conf responder "${opts[@]}"
    F_MODE=transport write_swanctl_conf_fail initiator 2 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 dynamic dynamic
    F_MODE=tunnel write_swanctl_conf_fail responder 2 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256gcm16 dynamic dynamic
    fail_start
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    ip netns exec "$NSP-ini" ping -n -c 2 -i 0.3 -W 2 "$OUTER_R"
    nap 0.5
    swan initiator --list-sas || true
    terminate_both
    fail_finish ikev2-mode
}

# 15. IKEv1 proxy IDs that are not mirror images, so Quick Mode works in one direction only.
#     Main Mode (PSK, IP IDs) comes up; the initiator (A) has 10.1.0.0/24 === 10.2.0.0/24, the
#     responder (B) local_ts 10.2.0.0/24 and remote_ts "10.9.0.0/24, 10.1.0.0/24".  strongSwan's
#     Quick Mode carries one ID pair and a QM initiator proposes its first TS of each side; a QM
#     responder narrows the proposal to its own list.  A initiates the child: QM1 10.1.0.0/24 ===
#     10.2.0.0/24, B's list contains 10.1.0.0/24 -> QM2/QM3, CHILD_SA up, 2 pings.  Then B
#     initiates the child on the same ISAKMP SA: QM1 10.2.0.0/24 === 10.9.0.0/24, A has no child
#     config for it -> encrypted Informational INVALID-ID-INFORMATION.
#     (Proxy IDs where one side is only wider, e.g. B remote_ts 10.1.0.0/16, are no failure with
#     strongSwan: A narrows 10.1.0.0/16 to its 10.1.0.0/24, B accepts the subset, and both Quick
#     Modes succeed.)
scenario_ikev1-proxy-mirror() {
    fail_setup ikev1-proxy-mirror
    write_strongswan_conf initiator
    write_strongswan_conf responder
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" "$OUTER_I" "$OUTER_R" \
        aes128-sha1-modp2048 aes128-sha1 10.1.0.0/24 10.2.0.0/24
    write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" "$OUTER_R" "$OUTER_I" \
        aes128-sha1-modp2048 aes128-sha1 10.2.0.0/24 "10.9.0.0/24, 10.1.0.0/24"
    fail_start
    swan initiator --initiate --child net --timeout 20
    nap 0.5
    tunnel_ping ini 2
    nap 0.5
    log "the responder (B) now initiates its CHILD_SA on the same ISAKMP SA"
    if swan responder --initiate --child net --timeout 20; then
        log "B's Quick Mode succeeded (not expected)"
    else
        log "B's Quick Mode failed (rc $?): the expected outcome of this scenario"
    fi
    nap 1
    fail_finish ikev1-proxy-mirror
}

# 16. IKEv1 Aggressive Mode (PSK, FQDN IDs, IKE-only) with different PSKs.  AM1, then AM2 with
#     HASH_R computed with the responder's PSK; the initiator's HASH_R differs ('calculated HASH
#     does not match HASH payload'), it sends an Informational AUTHENTICATION-FAILED encrypted
#     with its own key and deletes its SA; the responder cannot use that message (queued behind
#     the unfinished Aggressive Mode task), retransmits AM2 three times and gives up.
scenario_ikev1-aggressive-psk() {
    local SWAN_LOAD=$PLUGINS_IKE
    fail_setup ikev1-aggressive-psk
    write_strongswan_conf initiator "i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
    write_strongswan_conf responder "i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
    write_swanctl_conf_fail initiator 1 "$OUTER_I" "$OUTER_R" \
        initiator.vpnsleuth.example responder.vpnsleuth.example \
        aes256-sha256-modp2048 aes256-sha256 10.1.0.0/24 10.2.0.0/24 "aggressive = yes"
    F_SECRET=$PSK_WRONG write_swanctl_conf_fail responder 1 "$OUTER_R" "$OUTER_I" \
        responder.vpnsleuth.example initiator.vpnsleuth.example \
        aes256-sha256-modp2048 aes256-sha256 10.2.0.0/24 10.1.0.0/24 "aggressive = yes"
    fail_start
    initiate_fail
    log "waiting for the responder's AM2 retransmissions to end"
    nap 8
    fail_finish ikev1-aggressive-psk
}

# ---------------------------------------------------------------- main ----------------
main() {
    local s
    local -a todo=("$@")
    [[ ${#todo[@]} -eq 0 ]] && todo=("${ALL_SCENARIOS[@]}" "${FAILURE_SCENARIOS[@]}")
    for s in "${todo[@]}"; do
        declare -F "scenario_$s" >/dev/null || {
            echo "unknown scenario '$s' (known: ${ALL_SCENARIOS[*]} ${FAILURE_SCENARIOS[*]})" >&2
            exit 2; }
    done
    mkdir -p "$OUT"
    for s in "${todo[@]}"; do "scenario_$s"; done
    log "done: ${todo[*]}"
}

# sourced by another generator (make-auth-captures.sh): functions only, no run
[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
