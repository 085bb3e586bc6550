#!/usr/bin/python3
"""make-pppoe-captures.py -- PPPoE discovery scenarios built byte for byte from RFC 2516.

No PPPoE daemon can run on the build machine (no /dev/ppp, so neither pppd's rp-pppoe plugin nor
pppoe-server can bring a session up), so these captures are written by this script, deterministically
(same bytes every run), as classic pcap files with Ethernet frames (link type 1):

  PPPoE header (RFC 2516 section 4): VER 1 and TYPE 1 (0x11), CODE, SESSION_ID, LENGTH of the payload.
  Discovery (EtherType 0x8863, section 5): PADI 0x09 (broadcast from the host), PADO 0x07 (unicast from
  the access concentrator), PADR 0x19, PADS 0x65, PADT 0xa7; tags (appendix A) as TAG_TYPE, TAG_LENGTH,
  value: Service-Name 0x0101, AC-Name 0x0102, Host-Uniq 0x0103, AC-Cookie 0x0104, Relay-Session-Id 0x0110,
  Service-Name-Error 0x0201, AC-System-Error 0x0202, Generic-Error 0x0203.
  Session (EtherType 0x8864, section 6): CODE 0, the SESSION_ID of the PADS, then the PPP protocol field
  and the PPP packet (LCP RFC 1661 section 5, IPCP RFC 1332).

Usage: /usr/bin/python3 captures/make-pppoe-captures.py [OUTDIR]   (default: this directory)
The scenarios and what each shows are in captures/README.md ("PPPoE scenarios") and their expected
diagnosis in captures/expected-l2tp-verdicts.tsv.  MAC addresses are locally administered test values.
"""
import os
import struct
import sys

HOST = bytes.fromhex('020000000001')   # the PPPoE host (client)
AC = bytes.fromhex('020000000002')     # the access concentrator
BCAST = b'\xff' * 6
T0 = 1796000000                        # 2026-12-01 ... UTC, seconds


def tag(t, value=b''):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack('>HH', t, len(value)) + value


SERVICE_NAME, AC_NAME, HOST_UNIQ, AC_COOKIE, RELAY_ID = 0x0101, 0x0102, 0x0103, 0x0104, 0x0110
SERVICE_NAME_ERROR, AC_SYSTEM_ERROR, GENERIC_ERROR = 0x0201, 0x0202, 0x0203
PADI, PADO, PADR, PADS, PADT = 0x09, 0x07, 0x19, 0x65, 0xa7
UNIQ = bytes.fromhex('5a17c0de')
COOKIE = bytes(range(16))


def discovery(src, dst, code, sid, *tags):
    payload = b''.join(tags)
    return dst + src + b'\x88\x63' + struct.pack('>BBHH', 0x11, code, sid, len(payload)) + payload


def session(src, dst, sid, protocol, packet):
    payload = struct.pack('>H', protocol) + packet
    return dst + src + b'\x88\x64' + struct.pack('>BBHH', 0x11, 0, sid, len(payload)) + payload


def cp(code, ident, data=b''):
    """An LCP/IPCP packet (RFC 1661 section 5): code, identifier, length, data."""
    return struct.pack('>BBH', code, ident, 4 + len(data)) + data


def lcp_opts(magic):
    return bytes([1, 4, 0x05, 0xd4]) + bytes([5, 6]) + struct.pack('>I', magic)   # MRU 1492, Magic-Number


def ip_opt(addr):
    return bytes([3, 6]) + bytes(int(x) for x in addr.split('.'))


def icmp_echo(src, dst, seq, reply=False):
    """An IPv4 ICMP echo (RFC 792) with correct checksums."""
    def csum(b):
        if len(b) % 2:
            b += b'\0'
        s = sum(struct.unpack('>%dH' % (len(b) // 2), b))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return (~s) & 0xffff
    body = struct.pack('>BBHHH', 0 if reply else 8, 0, 0, 0x1234, seq) + b'vpnsleuth'
    body = body[:2] + struct.pack('>H', csum(body)) + body[4:]
    a = bytes(int(x) for x in src.split('.'))
    b = bytes(int(x) for x in dst.split('.'))
    hdr = struct.pack('>BBHHHBBH', 0x45, 0, 20 + len(body), seq, 0, 64, 1, 0) + a + b
    hdr = hdr[:10] + struct.pack('>H', csum(hdr)) + hdr[12:]
    return hdr + body


def write(path, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, data in frames:
            sec = T0 + int(t)
            usec = int(round((t - int(t)) * 1e6))
            if len(data) < 60:
                data = data + b'\0' * (60 - len(data))   # Ethernet minimum frame (without FCS)
            f.write(struct.pack('<IIII', sec, usec, len(data), len(data)) + data)


def padi(service=''):
    return discovery(HOST, BCAST, PADI, 0, tag(SERVICE_NAME, service), tag(HOST_UNIQ, UNIQ))


def pado(*extra, service='internet'):
    return discovery(AC, HOST, PADO, 0, tag(AC_NAME, 'vpnsleuth-ac'), tag(SERVICE_NAME, service), tag(HOST_UNIQ, UNIQ),
                     tag(AC_COOKIE, COOKIE), *extra)


def padr(service='internet'):
    return discovery(HOST, AC, PADR, 0, tag(SERVICE_NAME, service), tag(HOST_UNIQ, UNIQ), tag(AC_COOKIE, COOKIE))


def pads(sid, service='internet'):
    return discovery(AC, HOST, PADS, sid, tag(SERVICE_NAME, service), tag(HOST_UNIQ, UNIQ))


SID = 0x0011


def discovery_ok(t=0.0):
    return [(t, padi()), (t + 0.002, pado()), (t + 0.004, padr()), (t + 0.006, pads(SID))]


def link_up(t):
    """LCP both ways (no authentication), IPCP both ways, two pings: an established PPP session."""
    h, a = lambda p, d: session(HOST, AC, SID, p, d), lambda p, d: session(AC, HOST, SID, p, d)
    return [
        (t, h(0xc021, cp(1, 1, lcp_opts(0x11111111)))),
        (t + 0.001, a(0xc021, cp(1, 1, lcp_opts(0x22222222)))),
        (t + 0.002, a(0xc021, cp(2, 1, lcp_opts(0x11111111)))),
        (t + 0.003, h(0xc021, cp(2, 1, lcp_opts(0x22222222)))),
        (t + 0.010, h(0x8021, cp(1, 1, ip_opt('10.7.0.2')))),
        (t + 0.011, a(0x8021, cp(1, 1, ip_opt('10.7.0.1')))),
        (t + 0.012, a(0x8021, cp(2, 1, ip_opt('10.7.0.2')))),
        (t + 0.013, h(0x8021, cp(2, 1, ip_opt('10.7.0.1')))),
        (t + 1.0, h(0x0021, icmp_echo('10.7.0.2', '10.7.0.1', 1))),
        (t + 1.001, a(0x0021, icmp_echo('10.7.0.1', '10.7.0.2', 1, True))),
        (t + 2.0, h(0x0021, icmp_echo('10.7.0.2', '10.7.0.1', 2))),
        (t + 2.001, a(0x0021, icmp_echo('10.7.0.1', '10.7.0.2', 2, True))),
    ]


SCENARIOS = {
    # PADI retransmitted (pppd's rp-pppoe plugin: timeout 5 s, doubled each time), nothing answers
    'pppoe-padi-unanswered': [(0.0, padi('isp-gold')), (5.0, padi('isp-gold')), (15.0, padi('isp-gold'))],
    # an AC answers every PADI, but with an AC-Name/Service-Name the host is not configured to take: no PADR
    'pppoe-pado-no-padr': [(0.0, padi('isp-gold')), (0.002, pado(service='isp-basic')), (5.0, padi('isp-gold')),
                           (5.002, pado(service='isp-basic')), (15.0, padi('isp-gold')), (15.002, pado(service='isp-basic'))],
    # the AC offers, the host requests, no PADS ever comes back
    'pppoe-padr-unanswered': [(0.0, padi()), (0.002, pado()), (0.004, padr()), (5.004, padr()), (15.004, padr())],
    # the host requests a Service-Name the AC does not offer: PADS with session 0 and Service-Name-Error
    'pppoe-service-name-error': [(0.0, padi()), (0.002, pado()), (0.004, padr('premium')),
                                 (0.006, discovery(AC, HOST, PADS, 0, tag(SERVICE_NAME, 'premium'), tag(HOST_UNIQ, UNIQ),
                                                   tag(SERVICE_NAME_ERROR, 'premium is not offered')))],
    # the AC cannot create the session (resources): PADS with session 0 and AC-System-Error, through a relay
    'pppoe-ac-system-error': [(0.0, padi()), (0.002, pado(tag(RELAY_ID, b'\x00\x01\x00\x07'))), (0.004, padr()),
                              (0.006, discovery(AC, HOST, PADS, 0, tag(SERVICE_NAME, 'internet'), tag(HOST_UNIQ, UNIQ),
                                                tag(AC_SYSTEM_ERROR, 'session limit reached')))],
    # a session up (LCP, IPCP, data), then the AC ends it with PADT carrying a Generic-Error
    'pppoe-padt-ac': discovery_ok() + link_up(0.1) + [
        (5.0, discovery(AC, HOST, PADT, SID, tag(GENERIC_ERROR, 'administrative disconnect')))],
    # a session up, the host hangs up: LCP Terminate-Request 'User request', Terminate-Ack, PADT from the host
    'pppoe-padt-host': discovery_ok() + link_up(0.1) + [
        (5.0, session(HOST, AC, SID, 0xc021, cp(5, 2, b'User request'))),
        (5.001, session(AC, HOST, SID, 0xc021, cp(6, 2))),
        (5.002, discovery(HOST, AC, PADT, SID, tag(HOST_UNIQ, UNIQ)))],
    # the host ends LCP 0.7 s after its first Configure-Request, before the link opened, without any Nak or Reject
    'pppoe-lcp-user-request': discovery_ok() + [
        (0.100, session(HOST, AC, SID, 0xc021, cp(1, 1, lcp_opts(0x11111111)))),
        (0.101, session(AC, HOST, SID, 0xc021, cp(1, 1, lcp_opts(0x22222222)))),
        (0.102, session(HOST, AC, SID, 0xc021, cp(2, 1, lcp_opts(0x22222222)))),
        (0.800, session(HOST, AC, SID, 0xc021, cp(5, 2, b'User request'))),
        (0.801, session(AC, HOST, SID, 0xc021, cp(6, 2))),
        (0.802, discovery(HOST, AC, PADT, SID, tag(HOST_UNIQ, UNIQ)))],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, frames in SCENARIOS.items():
        write(os.path.join(out, name + '.pcap'), frames)
        print(name + '.pcap', len(frames), 'frames')


if __name__ == '__main__':
    main()
