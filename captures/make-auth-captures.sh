#!/usr/bin/env bash
# make-auth-captures.sh -- REAL IKEv2 authentication failures for vpnsleuth (issue 14):
# EAP (EAP-MSCHAPv2, EAP-MD5), certificates (untrusted CA, expired, not yet valid) and
# identities (an IDr or IDi the other side has no configuration for).
#
# It reuses the namespaces, charon and tcpdump helpers of make-captures.sh (sourced: functions
# only) and, like it, runs two real strongSwan charon daemons in two network namespaces, each
# logging at level 4 (every key: the logs are the key files of the captures).
# With userspace ESP (kernel-libipsec: IKE floats to UDP 4500 after IKE_SA_INIT, ESP in UDP),
# `mobike = no`.  Certificates are ECDSA P-256 (small: IKE_AUTH fits one datagram, no fragments),
# made fresh with `pki` on every run and saved to certs/auth-<scenario>/ (TEST MATERIAL).
#
# Usage (as root):   captures/make-auth-captures.sh [scenario...]   (all when none is given)
# Scenarios (-> <name>.pcapng, <name>.initiator.log, <name>.responder.log):
#   eap-mschapv2                          EAP-MSCHAPv2 that works (four IKE_AUTH rounds)
#   fail-eap-mschapv2-password            wrong password, EAP identity = IDi (no EAP-Identity round)
#   fail-eap-mschapv2-password-eapid      wrong password, EAP-Identity round (eap_id = %any)
#   fail-eap-mschapv2-unknown-user        EAP identity the server has no secret for
#   fail-eap-mschapv2-unknown-user-eapid  the same with an EAP-Identity round
#   fail-eap-md5-password                 EAP-MD5, wrong password
#   fail-eap-method                       client does only EAP-MD5, server only EAP-MSCHAPv2 (Nak)
#   fail-cert-untrusted-initiator         the initiator's certificate from a CA the responder does not trust
#   fail-cert-untrusted-responder         the responder's certificate from a CA the initiator does not trust
#   fail-cert-expired-initiator           the initiator's certificate expired
#   fail-cert-expired-responder           the responder's certificate expired
#   fail-cert-not-yet-valid               the initiator's certificate not valid yet
#   fail-id-psk-idr                       PSK; the initiator asks for an IDr the responder does not have
#   fail-id-psk-idi                       PSK; the initiator's IDi is not configured on the responder
#   fail-id-cert-idr                      certificates; an IDr the responder does not have
#   fail-ikev1-cert-untrusted             IKEv1 Main Mode, RSA signatures: the initiator's certificate from CA2
#   fail-ikev1-cert-expired               IKEv1 Main Mode, RSA signatures: the responder's certificate expired
# Environment: OUT=dir (default: this directory), NSP=prefix of the namespaces (default vauth),
#              KEEP_WORK=1.
# The passwords and PSKs below are TEST MATERIAL, published on purpose; they protect nothing.

set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export NSP=${NSP:-vauth}
# shellcheck source=make-captures.sh
source "$HERE/make-captures.sh"

EAP_USER=alice
EAP_PASS='vpnsleuth-eap-right'          # the server's password for alice (test material)
EAP_PASS_WRONG='vpnsleuth-eap-wrong'    # what the client sends in the *-password scenarios
EAP_UNKNOWN=mallory                      # a user the server has no secret for
# userspace ESP (kernel-libipsec, ESP-in-UDP 4500) so that a child SA that comes up carries pings
PLUGINS_AUTH="$PLUGINS_ESP eap-identity eap-mschapv2 eap-md5"
ID_I=initiator.vpnsleuth.example
ID_R=responder.vpnsleuth.example
ID_OTHER=gateway2.vpnsleuth.example      # an identity nobody has
ID_STRANGER=stranger.vpnsleuth.example   # an IDi the responder has no config for
DN_CA2='C=XX, O=vpnsleuth test material, OU=captures, CN=vpnsleuth rogue CA'

save_capture() {   # as make-captures.sh's, naming this generator in the pcapng comment
    editcap -F pcapng --capture-comment \
        "vpnsleuth captures/make-auth-captures.sh: $(basename "$2"), $STRONGSWAN_VERSION" \
        "$WORK/$1.pcap" "$2"
    log "saved $(basename "$2") ($(tshark -r "$2" 2>/dev/null | wc -l) frames, $(stat -c %s "$2") bytes)"
}

pki_date() {       # pki_date 'RELATIVE': a date in pki's default --dateform (UTC here)
    date -u -d "$1" '+%d.%m.%y %H:%M:%S'
}

# auth_pki: CA (trusted by both), CA2 (trusted by nobody), end certificates (ECDSA P-256,
# SHA-256) for both peers with subject CN and SAN = the FQDN identity.  Knobs:
#   A_I_CA / A_R_CA       ca|ca2: who issues the initiator's / responder's certificate
#   A_I_VALID / A_R_VALID "" (10 years from now) | expired | future
#   A_KEY                 ecdsa (P-256, default) | rsa (2048 bits)
auth_pki() {
    local p=$WORK/pki role ca valid fqdn kt=${A_KEY:-ecdsa} ks
    local -a dates
    if [[ $kt == rsa ]]; then ks=2048; else ks=256; fi
    mkdir -p "$p"
    printf 'pki {\n    load = random pem pkcs1 pkcs8 x509 pubkey gmp openssl sha1 sha2\n}\n' >"$p/strongswan.conf"
    local -x STRONGSWAN_CONF=$p/strongswan.conf
    pki --gen --type "$kt" --size "$ks" --outform pem >"$p/ca.key"
    pki --self --ca --lifetime 3650 --in "$p/ca.key" --type "$kt" --digest sha256 --dn "$CA_DN" --outform pem >"$p/ca.crt"
    pki --gen --type "$kt" --size "$ks" --outform pem >"$p/ca2.key"
    pki --self --ca --lifetime 3650 --in "$p/ca2.key" --type "$kt" --digest sha256 --dn "$DN_CA2" --outform pem >"$p/ca2.crt"
    for role in initiator responder; do
        if [[ $role == initiator ]]; then ca=${A_I_CA:-ca} valid=${A_I_VALID:-} fqdn=$ID_I
        else ca=${A_R_CA:-ca} valid=${A_R_VALID:-} fqdn=$ID_R; fi
        case $valid in
            expired) dates=(--not-before "$(pki_date '-400 days')" --not-after "$(pki_date '-30 days')") ;;
            future)  dates=(--not-before "$(pki_date '+30 days')" --not-after "$(pki_date '+400 days')") ;;
            *)       dates=(--lifetime 3650) ;;
        esac
        pki --gen --type "$kt" --size "$ks" --outform pem >"$p/$role.key"
        pki --pub --in "$p/$role.key" --type "$kt" |
            pki --issue "${dates[@]}" --cacert "$p/$ca.crt" --cakey "$p/$ca.key" --digest sha256 \
                --dn "C=XX, O=vpnsleuth test material, OU=captures, CN=$fqdn" --san "$fqdn" --outform pem >"$p/$role.crt"
        mkdir -p "$WORK/$role/x509ca" "$WORK/$role/x509" "$WORK/$role/private"
        cp "$p/ca.crt" "$WORK/$role/x509ca/ca.crt"
        cp "$p/$role.crt" "$WORK/$role/x509/$role.crt"
        cp "$p/$role.key" "$WORK/$role/private/$role.key"
    done
    log "test PKI ($kt $ks): CA, rogue CA2, initiator by ${A_I_CA:-ca} ${A_I_VALID:-valid}, responder by ${A_R_CA:-ca} ${A_R_VALID:-valid}"
}

# write_auth_conf ROLE LOCAL_ADDR REMOTE_ADDR LOCAL_LINES REMOTE_LINES SECRET_BLOCKS
#   LOCAL_LINES / REMOTE_LINES: ';'-separated lines of the local / remote auth round;
#   SECRET_BLOCKS: text put inside secrets { }.
write_auth_conf() {
    local role=$1 laddr=$2 raddr=$3 lts rts
    local -a loc rem
    IFS=';' read -r -a loc <<<"$4"
    IFS=';' read -r -a rem <<<"$5"
    if [[ $role == initiator ]]; then lts=10.1.0.0/24 rts=10.2.0.0/24; else lts=10.2.0.0/24 rts=10.1.0.0/24; fi
    cat >"$WORK/$role/swanctl.conf" <<EOF
# generated by make-auth-captures.sh for instance '$role'
connections {
    vpn {
        version = ${A_VERSION:-2}
        local_addrs = $laddr
        remote_addrs = $raddr
        proposals = aes256-sha256-modp2048
        rekey_time = 0
        reauth_time = 0
        dpd_delay = 0
        mobike = no
        fragmentation = no
        local {
$(for l in "${loc[@]}"; do printf '            %s\n' "$l"; done)
        }
        remote {
$(for l in "${rem[@]}"; do printf '            %s\n' "$l"; done)
        }
        children {
            net {
                mode = tunnel
                esp_proposals = aes256gcm16
                local_ts = $lts
                remote_ts = $rts
                rekey_time = 0
                start_action = none
                close_action = none
            }
        }
    }
}
secrets {
$6
}
EOF
}

eap_secret() {     # eap_secret NAME ID PASSWORD: one EAP secret block
    printf '    eap-%s {\n        id = %s\n        secret = "%s"\n    }\n' "$1" "$2" "$3"
}

psk_secret() {     # psk_secret SECRET
    printf '    ike-test {\n        secret = "%s"\n    }\n' "$1"
}

auth_setup() {     # auth_setup NAME: namespaces, both strongswan.conf
    fail_setup "$1"
    write_strongswan_conf initiator
    write_strongswan_conf responder
}

auth_run() {       # auth_run NAME: start, initiate, let the failure play out, save NAME.*
    fail_start
    if swan initiator --initiate --child net --timeout 30; then
        log "initiate succeeded"
        nap 0.5
        tunnel_ping ini 2 || true
        nap 0.5
        swan initiator --list-sas || true
        terminate_both
    else
        log "initiate failed (rc $?): the expected outcome of a fail-* scenario"
    fi
    nap 2
    swan initiator --list-sas || true
    swan responder --list-sas || true
    stop_capture wire
    stop_charon initiator
    stop_charon responder
    save_capture wire "$OUT/$1.pcapng"
    cp "$WORK/initiator/charon.log" "$OUT/$1.initiator.log"
    cp "$WORK/responder/charon.log" "$OUT/$1.responder.log"
    if [[ -d $WORK/pki ]]; then
        mkdir -p "$OUT/certs/auth-$1"
        cp "$WORK"/pki/*.crt "$WORK"/pki/*.key "$OUT/certs/auth-$1/"
    fi
    teardown
}

# eap_case NAME METHOD_CLIENT METHOD_SERVER CLIENT_ID CLIENT_EAP_ID CLIENT_PASS SERVER_EAP_ID
#   the responder authenticates with its certificate (ECDSA), the initiator with EAP;
#   CLIENT_EAP_ID empty: the EAP identity is the IKE identity (no EAP-Identity exchange);
#   SERVER_EAP_ID %any: the server asks with EAP-Identity.
eap_case() {
    local name=$1 mc=$2 ms=$3 cid=$4 ceap=$5 cpass=$6 seap=$7 user
    local SWAN_LOAD=$PLUGINS_AUTH
    auth_setup "$name"
    auth_pki
    user=${ceap:-$cid}
    write_auth_conf initiator "$OUTER_I" "$OUTER_R" \
        "auth = $mc;id = $cid${ceap:+;eap_id = $ceap}" \
        "auth = pubkey;id = $ID_R;cacerts = ca.crt" \
        "$(eap_secret "$user" "$user" "$cpass")"
    write_auth_conf responder "$OUTER_R" "$OUTER_I" \
        "auth = pubkey;id = $ID_R;certs = responder.crt" \
        "auth = $ms${seap:+;eap_id = $seap}" \
        "$(eap_secret "$EAP_USER" "$EAP_USER" "$EAP_PASS")"
    auth_run "$name"
}

scenario_eap-mschapv2() { eap_case eap-mschapv2 eap-mschapv2 eap-mschapv2 "$ID_I" "$EAP_USER" "$EAP_PASS" %any; }
scenario_fail-eap-mschapv2-password() {
    eap_case fail-eap-mschapv2-password eap-mschapv2 eap-mschapv2 "$EAP_USER" "" "$EAP_PASS_WRONG" ""; }
scenario_fail-eap-mschapv2-password-eapid() {
    eap_case fail-eap-mschapv2-password-eapid eap-mschapv2 eap-mschapv2 "$ID_I" "$EAP_USER" "$EAP_PASS_WRONG" %any; }
scenario_fail-eap-mschapv2-unknown-user() {
    eap_case fail-eap-mschapv2-unknown-user eap-mschapv2 eap-mschapv2 "$EAP_UNKNOWN" "" "$EAP_PASS" ""; }
scenario_fail-eap-mschapv2-unknown-user-eapid() {
    eap_case fail-eap-mschapv2-unknown-user-eapid eap-mschapv2 eap-mschapv2 "$ID_I" "$EAP_UNKNOWN" "$EAP_PASS" %any; }
scenario_fail-eap-md5-password() {
    eap_case fail-eap-md5-password eap-md5 eap-md5 "$ID_I" "$EAP_USER" "$EAP_PASS_WRONG" %any; }
scenario_fail-eap-method() {
    eap_case fail-eap-method eap-md5 eap-mschapv2 "$ID_I" "$EAP_USER" "$EAP_PASS" %any; }

# cert_case NAME [REMOTE_ID_AT_INITIATOR]: certificates both ways (knobs of auth_pki as prefix
#   assignments), FQDN identities
cert_case() {
    local name=$1 rid=${2:-$ID_R}
    local SWAN_LOAD=$PLUGINS_AUTH
    auth_setup "$name"
    auth_pki
    write_auth_conf initiator "$OUTER_I" "$OUTER_R" \
        "auth = pubkey;id = $ID_I;certs = initiator.crt" "auth = pubkey;id = $rid;cacerts = ca.crt" ""
    write_auth_conf responder "$OUTER_R" "$OUTER_I" \
        "auth = pubkey;id = $ID_R;certs = responder.crt" "auth = pubkey;id = $ID_I;cacerts = ca.crt" ""
    auth_run "$name"
}

scenario_fail-cert-untrusted-initiator() { A_I_CA=ca2 cert_case fail-cert-untrusted-initiator; }
scenario_fail-cert-untrusted-responder() { A_R_CA=ca2 cert_case fail-cert-untrusted-responder; }
scenario_fail-cert-expired-initiator()   { A_I_VALID=expired cert_case fail-cert-expired-initiator; }
scenario_fail-cert-expired-responder()   { A_R_VALID=expired cert_case fail-cert-expired-responder; }
scenario_fail-cert-not-yet-valid()       { A_I_VALID=future cert_case fail-cert-not-yet-valid; }
scenario_fail-id-cert-idr()              { cert_case fail-id-cert-idr "$ID_OTHER"; }
# IKEv1 Main Mode with RSA signatures (authentication method 3), FQDN identities, CERT/SIG in MM5/MM6
scenario_fail-ikev1-cert-untrusted() { A_VERSION=1 A_KEY=rsa A_I_CA=ca2 cert_case fail-ikev1-cert-untrusted; }
scenario_fail-ikev1-cert-expired()   { A_VERSION=1 A_KEY=rsa A_R_VALID=expired cert_case fail-ikev1-cert-expired; }

# psk_id_case NAME INITIATOR_ID REMOTE_ID_AT_INITIATOR: the same PSK on both sides, the
#   responder configured for IDi initiator.vpnsleuth.example and its own responder.vpnsleuth.example
psk_id_case() {
    local name=$1 iid=$2 rid=$3
    local SWAN_LOAD=$PLUGINS_AUTH
    auth_setup "$name"
    write_auth_conf initiator "$OUTER_I" "$OUTER_R" "auth = psk;id = $iid" "auth = psk;id = $rid" "$(psk_secret "$PSK")"
    write_auth_conf responder "$OUTER_R" "$OUTER_I" "auth = psk;id = $ID_R" "auth = psk;id = $ID_I" "$(psk_secret "$PSK")"
    auth_run "$name"
}

scenario_fail-id-psk-idr() { psk_id_case fail-id-psk-idr "$ID_I" "$ID_OTHER"; }
scenario_fail-id-psk-idi() { psk_id_case fail-id-psk-idi "$ID_STRANGER" "$ID_R"; }

AUTH_SCENARIOS=(eap-mschapv2 fail-eap-mschapv2-password fail-eap-mschapv2-password-eapid
                fail-eap-mschapv2-unknown-user fail-eap-mschapv2-unknown-user-eapid
                fail-eap-md5-password fail-eap-method
                fail-cert-untrusted-initiator fail-cert-untrusted-responder
                fail-cert-expired-initiator fail-cert-expired-responder fail-cert-not-yet-valid
                fail-id-psk-idr fail-id-psk-idi fail-id-cert-idr
                fail-ikev1-cert-untrusted fail-ikev1-cert-expired)

auth_main() {
    local s
    local -a todo=("$@")
    [[ ${#todo[@]} -eq 0 ]] && todo=("${AUTH_SCENARIOS[@]}")
    for s in "${todo[@]}"; do
        declare -F "scenario_$s" >/dev/null || { echo "unknown scenario '$s' (known: ${AUTH_SCENARIOS[*]})" >&2; exit 2; }
    done
    mkdir -p "$OUT"
    for s in "${todo[@]}"; do "scenario_$s"; done
    log "done: ${todo[*]}"
}

auth_main "$@"
