#!/usr/bin/python3
"""Synthetic GRE, IP-in-IP, L2TPv2 data and PPTP enhanced GRE fixtures for vpnsleuth's measured
overhead (track/SizeTracker, overhead/Measurements).

The kernel here has no GRE or IPIP devices and no /dev/ppp, so no daemon can put these
encapsulations on the wire. This script writes them with Debian's python3-scapy 2.5.0 (Ether,
IPv4 and ICMP, and the pcap writer); the tunnel headers themselves are packed here byte by byte
from the RFC layouts, so every flag and optional field is exactly the one named below. Run with
/usr/bin/python3:

    /usr/bin/python3 captures/make-tunnel-sizes-captures.py [OUTDIR]

It writes tunnel-sizes.pcap into OUTDIR (default: this directory). Each instance is one outer
address pair (GRE, IP-in-IP), one L2TP session or one PPTP call, carrying inner IPv4 ICMP echo
requests with 36, 72, 972 and 1372 bytes of data (inner IP packets of 64, 100, 1000 and 1400
bytes), one direction only:

  GRE (RFC 2784, RFC 2890), protocol type 0x0800, outer 198.51.100.x -> 203.0.113.x
    .1 -> .1  no optional fields                      header 4
    .2 -> .2  key 0x00000064                          header 8
    .3 -> .3  key 0x000000c8 and sequence number      header 12
    .4 -> .4  checksum, key 0x0000012c and sequence   header 16 (checksum + reserved1 4)
    .5 -> .5  checksum only                           header 8
  IP-in-IP (RFC 2003), IP protocol 4, 198.51.100.6 -> 203.0.113.6   no header but the outer IP
  L2TPv2 data (RFC 2661) over UDP 1701 -> 1701, 198.51.100.7 -> 203.0.113.7, tunnel 7, carrying
  PPP (RFC 1661) with protocol 0x0021 (IPv4, uncompressed protocol field):
    session 1  no length bit, PPP ff 03 00 21           L2TP 6 + PPP 4
    session 2  length bit, PPP ff 03 00 21              L2TP 8 + PPP 4
    session 3  no length bit, address/control compressed (RFC 1661 6.6): PPP 00 21   L2TP 6 + PPP 2
    session 4  length bit and Ns/Nr, PPP 00 21          L2TP 12 + PPP 2
  PPTP (RFC 2637 4.1) enhanced GRE, version 1, protocol 0x880b, 198.51.100.8 -> 203.0.113.8:
    call 1  key (payload length, call ID), sequence and acknowledgment, PPP ff 03 00 21   GRE 16 + PPP 4
    call 2  key and sequence, no acknowledgment, PPP 00 21 (ACFC)                          GRE 12 + PPP 2

Every outer IPv4 header is 20 bytes with DF set; UDP checksums are 0 (allowed for IPv4). The
GRE checksum (RFC 2784 2.5) is the IP checksum of the GRE header and payload. Deterministic:
fixed addresses, identifiers and times; running it again gives the same bytes.
"""
import os
import struct
import sys

from scapy.all import Ether, IP, ICMP, Raw, raw, wrpcap

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
MAC_A = "02:00:00:00:0b:01"
MAC_B = "02:00:00:00:0b:02"
T0 = 1767225600  # 2026-01-01 00:00:00 UTC
DATA = [36, 72, 972, 1372]  # ICMP data bytes: inner IPv4 packets of 64, 100, 1000, 1400 bytes


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def inner(n, seq):
    p = IP(src="10.0.0.1", dst="10.0.1.1", id=seq, flags="DF") / ICMP(id=0x5653, seq=seq) / Raw(bytes(i & 0xff for i in range(n)))
    return raw(p)


def gre(payload, csum=False, key=None, seq=None, proto=0x0800):
    flags = (0x8000 if csum else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    opt = b""
    if csum:
        opt += b"\0\0\0\0"  # checksum (filled below) + reserved1
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    h = struct.pack("!HH", flags, proto) + opt
    if csum:
        c = checksum(h + payload)
        h = h[:4] + struct.pack("!H", c) + h[6:]
    return h + payload


def pptp(ppp, call, seq, ack=None):
    # RFC 2637 4.1: C=0 R=0 K=1 S=1 s=0 Recur=0 A flags=0 Ver=1, protocol 0x880b, payload length, call ID
    flags = 0x2000 | 0x1000 | (0x0080 if ack is not None else 0) | 1
    h = struct.pack("!HHHHI", flags, 0x880B, len(ppp), call, seq)
    if ack is not None:
        h += struct.pack("!I", ack)
    return h + ppp


def l2tp(ppp, tunnel, session, length=False, ns=None):
    # RFC 2661 3.1: T=0 (data), L, S, O=0, P=0, Ver=2
    flags = 0x0002 | (0x4000 if length else 0) | (0x0800 if ns is not None else 0)
    size = 6 + (2 if length else 0) + (4 if ns is not None else 0) + len(ppp)
    h = struct.pack("!H", flags)
    if length:
        h += struct.pack("!H", size)
    h += struct.pack("!HH", tunnel, session)
    if ns is not None:
        h += struct.pack("!HH", ns, 0)
    return h + ppp


def ppp(ip, acfc):
    return (b"" if acfc else b"\xff\x03") + b"\x00\x21" + ip


def outer(src, dst, proto, payload):
    return raw(IP(src=src, dst=dst, id=0, flags="DF", ttl=64, proto=proto) / Raw(payload))


def main():
    frames = []

    def add(b):
        frames.append(b)

    seq = 0
    # GRE variants
    variants = [dict(), dict(key=100), dict(key=200, seq=True), dict(csum=True, key=300, seq=True), dict(csum=True)]
    for i, v in enumerate(variants, start=1):
        for j, n in enumerate(DATA):
            seq += 1
            add(outer("198.51.100.%d" % i, "203.0.113.%d" % i, 47,
                      gre(inner(n, seq), csum=v.get("csum", False), key=v.get("key"), seq=j if v.get("seq") else None)))
    # IP-in-IP
    for n in DATA:
        seq += 1
        add(outer("198.51.100.6", "203.0.113.6", 4, inner(n, seq)))
    # L2TPv2 data sessions
    sessions = [dict(session=1, length=False, ns=False, acfc=False), dict(session=2, length=True, ns=False, acfc=False),
                dict(session=3, length=False, ns=False, acfc=True), dict(session=4, length=True, ns=True, acfc=True)]
    for s in sessions:
        for j, n in enumerate(DATA):
            seq += 1
            msg = l2tp(ppp(inner(n, seq), s["acfc"]), 7, s["session"], length=s["length"], ns=j if s["ns"] else None)
            udp = struct.pack("!HHHH", 1701, 1701, 8 + len(msg), 0) + msg
            add(outer("198.51.100.7", "203.0.113.7", 17, udp))
    # PPTP calls
    for j, n in enumerate(DATA):
        seq += 1
        add(outer("198.51.100.8", "203.0.113.8", 47, pptp(ppp(inner(n, seq), False), 1, j + 1, ack=j)))
    for j, n in enumerate(DATA):
        seq += 1
        add(outer("198.51.100.8", "203.0.113.8", 47, pptp(ppp(inner(n, seq), True), 2, j + 1)))
    pkts = []
    for k, b in enumerate(frames):
        p = Ether(src=MAC_A, dst=MAC_B, type=0x0800) / Raw(b)  # the bytes as built, not re-dissected
        p.time = T0 + k * 0.01
        pkts.append(p)
    wrpcap(os.path.join(OUT, "tunnel-sizes.pcap"), pkts)


if __name__ == "__main__":
    main()
