#!/usr/bin/env python3
"""verify-captures.py -- check the captures in this directory against the charon logs.

For every capture it
  * extracts the key material from <scenario>.initiator.log (charon level-4 dumps),
  * feeds it to tshark (IKEv1/IKEv2 decryption tables, ESP SA table) in a throw-away
    Wireshark profile, and
  * prints a per-frame summary (what each frame is, after decryption) and counts of
    IKE / ESP / decrypted-ESP / ICV-good / NAT-keepalive frames.
A capture "passes" when every ESP frame decrypts to an inner ICMP packet with a good ICV
and every encrypted IKE message is decrypted.  Needs tshark (tested with 4.0).

Usage:  captures/verify-captures.py [--keys] [capture...]
        --keys  also print the main keys (hex) per scenario
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# capture file -> (scenario/log prefix, initiator's outer address as seen in that capture)
CAPTURES = {
    'ikev2-psk-esp.pcapng': ('ikev2-psk-esp', '192.0.2.1'),
    'ikev2-psk-esp-cbc.pcapng': ('ikev2-psk-esp-cbc', '192.0.2.1'),
    'ikev1-main-quick.pcap': ('ikev1-main-quick', '192.0.2.1'),
    'ikev1-aggressive.pcapng': ('ikev1-aggressive', '192.0.2.1'),
    'nat-t.pcapng': ('nat-t', '192.0.2.1'),                         # public side of the NAT
    'nat-t.initiator-side.pcapng': ('nat-t', '198.51.100.2'),       # private side of the NAT
    'ikev1-fragments.pcap': ('ikev1-fragments', '192.0.2.1'),
    'ikev2-fragments.pcapng': ('ikev2-fragments', '192.0.2.1'),
    'ikev2-ip-fragments.pcapng': ('ikev2-ip-fragments', '192.0.2.1'),
    'fail-ikev2-dh-retry.pcapng': ('fail-ikev2-dh-retry', '192.0.2.1'),
    'fail-dpd-dead-peer.pcapng': ('fail-dpd-dead-peer', '192.0.2.1'),
    'fail-ikev2-dead-peer.pcapng': ('fail-ikev2-dead-peer', '192.0.2.1'),
    'fail-deleted-by-peer.pcapng': ('fail-deleted-by-peer', '192.0.2.1'),
    'fail-ikev2-mode.pcapng': ('fail-ikev2-mode', '192.0.2.1'),
    'fail-ikev1-proxy-mirror.pcapng': ('fail-ikev1-proxy-mirror', '192.0.2.1'),
}
RESPONDER = '192.0.2.2'

HDR = re.compile(r'\] (?:<[^>]*> )?(.*?) => (\d+) bytes @ 0x')
ROW = re.compile(r'\] (?:<[^>]*> )?\s*\d+: ((?:[0-9A-F]{2} ?)+)')


def dumps(path):
    """All 'NAME => N bytes @ 0x..' hex dumps of a charon log, in order: [(name, hex)]."""
    out, cur, need, buf = [], None, 0, ''
    with open(path, errors='replace') as f:
        for line in f:
            m = HDR.search(line)
            if m:
                cur, need, buf = m.group(1).strip(), int(m.group(2)), ''
                if need == 0:
                    out.append((cur, ''))
                    cur = None
                continue
            if cur:
                r = ROW.search(line)
                if r:
                    buf += r.group(1).replace(' ', '')[:32]
                    if len(buf) >= 2 * need:
                        out.append((cur, buf[:2 * need].lower()))
                        cur = None
    return out


def first(d, name):
    for n, h in d:
        if n == name:
            return h
    return None


def log_facts(log):
    text = open(log, errors='replace').read()
    f = {}
    m = re.search(r'selected proposal: IKE:([A-Z0-9_]+)/([A-Z0-9_]+)/([A-Z0-9_]+)/([A-Z0-9_]+)', text)
    f['ike_proposal'] = m.group(0).split(': ')[1] if m else None
    f['ike_encr'], f['ike_integ'] = (m.group(1), m.group(2)) if m else (None, None)
    m = re.search(r'selected proposal: (ESP:[A-Z0-9_/]+)', text)
    f['esp_proposal'] = m.group(1) if m else None
    m = re.search(r'established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o', text)
    f['spi_in'], f['spi_out'] = m.groups()     # initiator's inbound (R->I) / outbound (I->R)
    f['ikev1'] = 'Main Mode' in text or 'Aggressive Mode' in text
    return f


IKEV2_ENCR = {'AES_CBC_128': 'AES-CBC-128 [RFC3602]', 'AES_CBC_192': 'AES-CBC-192 [RFC3602]',
              'AES_CBC_256': 'AES-CBC-256 [RFC3602]'}
IKEV2_INTEG = {'HMAC_SHA2_256_128': 'HMAC_SHA2_256_128 [RFC4868]', 'HMAC_SHA1_96': 'HMAC_SHA1_96 [RFC2404]'}


def esp_algs(prop):
    enc = 'AES-GCM with 16 octet ICV [RFC4106]' if 'AES_GCM_16' in prop else 'AES-CBC [RFC3602]'
    if 'HMAC_SHA2_256_128' in prop:
        integ = 'HMAC-SHA-256-128 [RFC4868]'
    elif 'HMAC_SHA1_96' in prop:
        integ = 'HMAC-SHA-1-96 [RFC2404]'
    else:
        integ = 'NULL'
    return enc, integ


def tshark(pcap, args, env=None):
    r = subprocess.run(['tshark', '-r', pcap] + args, capture_output=True, text=True, env=env)
    return r.stdout


def verify(capture, show_keys):
    scen, ini_ip = CAPTURES[capture]
    pcap = os.path.join(HERE, capture)
    ilog = os.path.join(HERE, scen + '.initiator.log')
    d = dumps(ilog)
    f = log_facts(ilog)
    spis = tshark(pcap, ['-Y', 'isakmp.rspi != 00:00:00:00:00:00:00:00', '-T', 'fields',
                         '-e', 'isakmp.ispi', '-e', 'isakmp.rspi']).split()
    ispi, rspi = spis[0], spis[1]

    with tempfile.TemporaryDirectory(prefix='vpnsleuth-verify.') as home:
        return _verify(capture, show_keys, scen, ini_ip, pcap, d, f, ispi, rspi, home)


def _verify(capture, show_keys, scen, ini_ip, pcap, d, f, ispi, rspi, home):
    cfg = os.path.join(home, '.config', 'wireshark')
    os.makedirs(cfg)
    if f['ikev1']:
        # hex-byte UAT fields are written unquoted
        with open(os.path.join(cfg, 'ikev1_decryption_table'), 'w') as u:
            u.write('%s,%s\n' % (ispi, first(d, 'encryption key Ka')))
    else:
        with open(os.path.join(cfg, 'ikev2_decryption_table'), 'w') as u:
            u.write('%s,%s,%s,%s,"%s",%s,%s,"%s"\n' % (
                ispi, rspi, first(d, 'Sk_ei secret'), first(d, 'Sk_er secret'),
                IKEV2_ENCR[f['ike_encr']], first(d, 'Sk_ai secret'), first(d, 'Sk_ar secret'),
                IKEV2_INTEG[f['ike_integ']]))
    enc, integ = esp_algs(f['esp_proposal'])
    ik, rk = first(d, 'integrity initiator key'), first(d, 'integrity responder key')
    with open(os.path.join(cfg, 'esp_sa'), 'w') as u:
        u.write('"IPv4","%s","%s","0x%s","%s","0x%s","%s","%s"\n' % (
            ini_ip, RESPONDER, f['spi_out'], enc, first(d, 'encryption initiator key'), integ,
            '0x' + ik if ik else ''))
        u.write('"IPv4","%s","%s","0x%s","%s","0x%s","%s","%s"\n' % (
            RESPONDER, ini_ip, f['spi_in'], enc, first(d, 'encryption responder key'), integ,
            '0x' + rk if rk else ''))
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, '.config'))
    opts = ['-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE']

    def count(flt):
        return len(tshark(pcap, opts + ['-Y', flt], env).splitlines())

    rows = tshark(pcap, opts + ['-T', 'fields', '-E', 'separator=|', '-e', 'frame.number',
                                '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'udp.dstport',
                                '-e', '_ws.col.Protocol', '-e', '_ws.col.Info',
                                '-e', 'isakmp.delete.spi', '-e', 'esp.spi', '-e', 'esp.sequence',
                                '-e', 'icmp.type'], env)
    ftype = subprocess.run(['capinfos', '-t', pcap], capture_output=True,
                           text=True).stdout.split('File type:')[1].strip()
    print('== %s  (scenario %s; %s)' % (capture, scen, ftype))
    print('   IKE %s   %s   IKE SPIs %s / %s   ESP SPI I->R 0x%s, R->I 0x%s' % (
        f['ike_proposal'], f['esp_proposal'], ispi, rspi, f['spi_out'], f['spi_in']))
    for r in rows.splitlines():
        fr, src, sp, dp, proto, info, dspi, espi, seq, icmp = (r.split('|') + [''] * 10)[:10]
        src = src.split(',')[0]   # outer source address only
        extra = ''
        if espi:
            extra = ' seq=%s inner=%s' % (seq, {'8': 'ICMP echo request', '0': 'ICMP echo reply'}.get(
                icmp.split(',')[-1], 'NOT DECRYPTED'))
        if dspi:
            extra = ' [decrypted DELETE of %s]' % dspi
        print('   %3s %-15s %5s->%-5s %-8s %s%s' % (fr, src, sp, dp, proto, info, extra))
    n = dict(frames=count('frame'), ike=count('isakmp'), esp=count('esp'),
             esp_decrypted=count('esp && icmp'), icv_good=count('esp.icv_good == 1'),
             keepalive=count('udpencap.nat_keepalive'), arp=count('arp'),
             udp500=count('udp.port == 500'), udp4500=count('udp.port == 4500'))
    if f['ikev1']:
        n['ike_encrypted'] = count('isakmp.flag_e == 1')
        n['ike_decrypted'] = count('isakmp.flag_e == 1 && isakmp.hash')
    else:
        n['ike_encrypted'] = count('isakmp.exchangetype != 34')
        n['ike_decrypted'] = count('isakmp.enc.decrypted && !isakmp.ikev2.integrity_checksum')
    print('   counts: %s' % ', '.join('%s=%d' % kv for kv in n.items()))
    ok = n['esp'] == n['esp_decrypted'] == n['icv_good'] and n['ike_encrypted'] == n['ike_decrypted']
    print('   IKE and ESP decryption with the logged keys: %s' % ('OK' if ok else 'FAILED'))
    if show_keys:
        names = (['SKEYID', 'SKEYID_d', 'SKEYID_a', 'SKEYID_e', 'encryption key Ka', 'initial IV']
                 if f['ikev1'] else
                 ['SKEYSEED', 'Sk_d secret', 'Sk_ai secret', 'Sk_ar secret', 'Sk_ei secret',
                  'Sk_er secret', 'Sk_pi secret', 'Sk_pr secret'])
        names += ['encryption initiator key', 'encryption responder key',
                  'integrity initiator key', 'integrity responder key']
        for k in names:
            v = first(d, k)
            if v:
                print('   %-26s %s' % (k, v))
    print()
    return ok


def main():
    args = sys.argv[1:]
    show_keys = '--keys' in args
    caps = [a for a in args if a != '--keys'] or list(CAPTURES)
    ok = all([verify(os.path.basename(c), show_keys) for c in caps])
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
