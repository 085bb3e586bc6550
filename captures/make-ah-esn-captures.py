#!/usr/bin/python3
"""Synthetic AH and ESN fixtures for vpnsleuth, built with scapy's SecurityAssociation.

Neither the kernel here (no xfrm AH/ESP) nor strongSwan's libipsec (ESP-in-UDP only, no AH) can
put AH or ESN on the wire, so these captures come from an independent implementation: Debian's
python3-scapy 2.5.0 (scapy.layers.ipsec) with python3-cryptography. Run with /usr/bin/python3
(the Debian interpreter that has them):

    /usr/bin/python3 captures/make-ah-esn-captures.py [OUTDIR]

It writes, into OUTDIR (default: the directory of this script):

  ipsec-ah.pcap       AH (RFC 4302) transport and tunnel mode, IPv4 and IPv6, six integrity
                      algorithms, IPv4 options, IPv6 hop-by-hop / destination options / a type 0
                      routing header, AH with ESN, and one packet with a corrupted ICV per kind
  ipsec-esp-esn.pcap  ESP (RFC 4303) with Extended Sequence Numbers whose 64-bit values cross
                      2^32 (high-order bits 0, then 1, one packet reordered back across the wrap),
                      AES-CBC + HMAC-SHA2-256-128 and AES-GCM-16, and corrupted ICV/tag packets
  ah-esn.keys         the SAs in vpnsleuth's keys-file format (docs/keys.md)
  ah-esn.expected.tsv per packet: frame, protocol, SPI, 64-bit sequence number, whether the
                      ICV is good, SHA-256 of what follows the AH header / of the ESP inner packet

Everything is deterministic (keys from SHA-256 of a label, fixed IVs and times): running it again
gives the same bytes.

Where scapy 2.5.0 is wrong by the RFCs, this script does not follow it:
  * ESP with ESN and a separate integrity algorithm: scapy's AuthAlgo.sign() MACs only the ESP
    packet, without the high-order 32 bits of the sequence number that RFC 4303 2.2.1 / 3.3.2
    append after the Next Header for the ICV. Here scapy encrypts (SA without integrity) and the
    script computes the ICV itself with python3-cryptography's HMAC over ESP | Seq# high bits.
  * SecurityAssociation.encrypt(seq_num=0) takes the 0 as "not given" and sends the SA's
    counter instead; the low-order 0 after a wrap is set through sa.seq_num here.
  * scapy leaves the IPv4 fragment offset in the AH ICV input (RFC 4302 3.3.3.1.1.1 zeroes it);
    AH packets are whole datagrams here, so the offset is 0 and that makes no difference.
scapy has no AES-XCBC-96 or AES-GMAC for AH, so those are not in the fixtures.
"""
import hashlib
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, hmac
from scapy.all import Ether, IP, IPv6, ICMP, UDP, Raw, wrpcap, raw
from scapy.layers.inet import IPOption_Router_Alert
from scapy.layers.inet6 import (ICMPv6EchoRequest, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrRouting, HBHOptUnknown, RouterAlert)
from scapy.layers.ipsec import AH, ESP, SecurityAssociation

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
MAC_A = "02:00:00:00:0a:01"
MAC_B = "02:00:00:00:0a:02"
V4_A, V4_B = "192.0.2.1", "192.0.2.2"
V6_A, V6_B = "2001:db8::1", "2001:db8::2"
T0 = 1767225600  # 2026-01-01 00:00:00 UTC


def key(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("vpnsleuth-ah-esn/%s/%d" % (label, i)).encode()).digest()
        i += 1
    return out[:n]


# vpnsleuth name, scapy name, key bytes
AUTH = {
    "hmac-md5-96": ("HMAC-MD5-96", 16),
    "hmac-sha1-96": ("HMAC-SHA1-96", 20),
    "hmac-sha2-256-128": ("SHA2-256-128", 32),
    "hmac-sha2-384-192": ("SHA2-384-192", 48),
    "hmac-sha2-512-256": ("SHA2-512-256", 64),
    "aes-cmac-96": ("AES-CMAC-96", 16),
}

frames = {"ipsec-ah.pcap": [], "ipsec-esp-esn.pcap": []}
expected = []
keylines = []


def emit(capture, pkt, proto, spi, seq64, good, inner):
    lst = frames[capture]
    eth = Ether(src=MAC_A, dst=MAC_B, type=0x86DD if pkt.version == 6 else 0x0800) / pkt
    eth.time = T0 + len(lst)
    lst.append(eth)
    expected.append((capture, len(lst), proto, "%08x" % spi, seq64, 1 if good else 0,
                     hashlib.sha256(inner).hexdigest()))


def corrupt_last(pkt_bytes, at):
    b = bytearray(pkt_bytes)
    b[at] ^= 0x01
    return bytes(b)


# ---------------------------------------------------------------- AH

def ah_case(spi, alg, make_inner, tunnel=None, seqs=(1, 2), esn=False, corrupt=None, dst=None):
    """AH packets of one SA. make_inner(i) gives the i-th original packet. corrupt: index of a
    packet (into seqs) whose ICV gets one bit flipped after signing."""
    scapy_alg, klen = AUTH[alg]
    k = key("ah-%08x" % spi, klen)
    sa = SecurityAssociation(AH, spi=spi, auth_algo=scapy_alg, auth_key=k, tunnel_header=tunnel)
    keylines.append("ah %08x%s auth=%s:%s%s" % (spi, " dst=" + dst if dst else "", alg, k.hex(),
                                               " esn" if esn else ""))
    for i, s in enumerate(seqs):
        hi, lo = (s >> 32, s & 0xffffffff)
        orig = make_inner(i)
        sa.seq_num = lo  # not seq_num=lo: scapy reads a 0 there as "not given"
        out = sa.encrypt(orig, esn_en=esn, esn=hi)
        wire = raw(out)
        good = True
        # what follows the AH header: the upper-layer payload (transport) or the inner packet (tunnel)
        parsed = out.__class__(wire)
        ahl = parsed[AH]
        after = raw(ahl.payload)
        if corrupt == i:
            # flip a bit of the first ICV byte: the AH header sits right after the IP header
            # (and, for IPv6, its extension headers before AH)
            ah_off = len(wire) - len(raw(ahl))
            wire = corrupt_last(wire, ah_off + 12)
            good = False
        pkt = out.__class__(wire)
        # check with scapy's own verification (as received: routing headers as on the wire)
        if good and not any(isinstance(x, IPv6ExtHdrRouting) for x in pkt.iterpayloads()):
            sa.decrypt(out.__class__(wire), esn_en=esn, esn=s >> 32)
        emit("ipsec-ah.pcap", pkt, "ah", spi, s, good, after)


def icmp4(src, dst, i, **kw):
    return IP(src=src, dst=dst, **kw) / ICMP(type=8, id=0x4a48, seq=i + 1) / Raw(b"vpnsleuth AH %d " % i + bytes(range(24)))


def udp6(src, dst, i, **kw):
    return IPv6(src=src, dst=dst, **kw) / UDP(sport=40000 + i, dport=7) / Raw(b"vpnsleuth AH v6 %d" % i)


# 1. transport IPv4, HMAC-SHA1-96, Router Alert option (immutable), TOS/TTL/DF (mutable)
ah_case(0x0000a001, "hmac-sha1-96",
        lambda i: IP(src=V4_A, dst=V4_B, tos=0xb8, ttl=63, flags="DF", id=0x1000 + i,
                     options=[IPOption_Router_Alert()]) / ICMP(type=8, id=0x4a48, seq=i + 1)
        / Raw(b"router alert %d" % i), seqs=(1, 2, 3), corrupt=2, dst=V4_B)
# 2. tunnel IPv4, HMAC-SHA2-256-128 (inner ICMP between the protected networks)
ah_case(0x0000a002, "hmac-sha2-256-128", lambda i: icmp4("10.1.0.1", "10.2.0.1", i),
        tunnel=IP(src=V4_A, dst=V4_B, tos=0x10, ttl=50))
# 3. transport IPv6, HMAC-SHA2-384-192 (36-byte AH padded to 40): hop-by-hop Router Alert
#    (immutable) and a destination option with the "may change" bit (type 0x3e, RFC 4727)
ah_case(0x0000a003, "hmac-sha2-384-192",
        lambda i: IPv6(src=V6_A, dst=V6_B, tc=0x28, fl=0x12345, hlim=61)
        / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
        / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x3e, optdata=b"\x11\x22\x33\x44")])
        / UDP(sport=40000 + i, dport=7) / Raw(b"vpnsleuth AH v6 %d" % i), corrupt=1)
# 4. tunnel IPv6, HMAC-SHA2-512-256 (44-byte AH padded to 48)
ah_case(0x0000a004, "hmac-sha2-512-256", lambda i: udp6("2001:db8:1::1", "2001:db8:2::1", i),
        tunnel=IPv6(src=V6_A, dst=V6_B, fl=0xabcde, hlim=40))
# 5. transport IPv4, HMAC-MD5-96, UDP
ah_case(0x0000a005, "hmac-md5-96",
        lambda i: IP(src=V4_A, dst=V4_B, ttl=64) / UDP(sport=5000 + i, dport=7) / Raw(b"md5 %d" % i))
# 6. transport IPv6, AES-CMAC-96
ah_case(0x0000a006, "aes-cmac-96", lambda i: udp6(V6_A, V6_B, i))
# 7. transport IPv4, HMAC-SHA2-256-128 with ESN across 2^32 (one reordered back over the wrap)
ah_case(0x0000a007, "hmac-sha2-256-128", lambda i: icmp4(V4_A, V4_B, i, ttl=64),
        seqs=(0xfffffffe, 0x100000000, 0xffffffff, 0x100000001), esn=True, corrupt=3)
# 8. transport IPv6 with a type 0 routing header (segments left 1): the ICV covers the header
#    and destination as they arrive at the final destination (RFC 4302 3.3.3.1.2.2)
ah_case(0x0000a008, "hmac-sha2-256-128",
        lambda i: IPv6(src=V6_A, dst="2001:db8::99", hlim=64)
        / IPv6ExtHdrRouting(type=0, segleft=1, addresses=[V6_B])
        / UDP(sport=41000 + i, dport=7) / Raw(b"routed %d" % i))

# ---------------------------------------------------------------- ESP with ESN

ESN_SEQS = (0xfffffffd, 0xfffffffe, 0x100000000, 0xffffffff, 0x100000001, 0x100000002)


def esp_esn_cbc(spi, corrupt):
    ek = key("esp-%08x-enc" % spi, 16)
    ak = key("esp-%08x-auth" % spi, 32)
    keylines.append("esp %08x dst=%s enc=aes-cbc-128:%s auth=hmac-sha2-256-128:%s esn"
                    % (spi, V4_B, ek.hex(), ak.hex()))
    # no integrity algorithm in scapy's SA: its sign() would leave out the ESN high bits
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-CBC", crypt_key=ek,
                             tunnel_header=IP(src=V4_A, dst=V4_B, ttl=64))
    for i, s in enumerate(ESN_SEQS):
        hi, lo = s >> 32, s & 0xffffffff
        inner = icmp4("10.1.0.1", "10.2.0.1", i, ttl=64)
        sa.seq_num = lo
        out = sa.encrypt(inner, iv=key("iv-%08x-%d" % (spi, i), 16))
        esp_bytes = raw(out[ESP])
        m = hmac.HMAC(ak, hashes.SHA256())
        m.update(esp_bytes + struct.pack("!L", hi))  # RFC 4303 2.2.1: high-order bits after Next Header
        icv = m.finalize()[:16]
        good = i != corrupt
        if not good:
            icv = bytes([icv[0] ^ 0x80]) + icv[1:]
        ip = out.copy()
        ip[ESP].data = out[ESP].data + icv
        del ip[IP].len
        del ip[IP].chksum
        pkt = IP(raw(ip))
        emit("ipsec-esp-esn.pcap", pkt, "esp", spi, s, good, raw(inner))


def esp_esn_gcm(spi, corrupt, v6=False):
    ek = key("esp-%08x-enc" % spi, 36)  # AES-256 key | 4-byte salt (RFC 4106 8.1)
    keylines.append("esp %08x enc=aes-gcm-16-256:%s esn" % (spi, ek.hex()))
    tunnel = IPv6(src=V6_A, dst=V6_B) if v6 else IP(src=V4_A, dst=V4_B, ttl=64)
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM", crypt_key=ek, tunnel_header=tunnel)
    for i, s in enumerate(ESN_SEQS):
        hi, lo = s >> 32, s & 0xffffffff
        inner = udp6("2001:db8:1::1", "2001:db8:2::1", i) if v6 else icmp4("10.1.0.1", "10.2.0.1", i, ttl=64)
        # RFC 4106 5: AAD = SPI | 64-bit ESN (high, low)
        sa.seq_num = lo
        out = sa.encrypt(inner, iv=key("iv-%08x-%d" % (spi, i), 8), esn_en=True, esn=hi)
        wire = raw(out)
        good = i != corrupt
        if not good:
            wire = corrupt_last(wire, len(wire) - 1)
        emit("ipsec-esp-esn.pcap", out.__class__(wire), "esp", spi, s, good, raw(inner))


esp_esn_cbc(0x0000b001, corrupt=5)
esp_esn_gcm(0x0000b002, corrupt=5)
esp_esn_gcm(0x0000b003, corrupt=None, v6=True)

for name, lst in frames.items():
    wrpcap(os.path.join(OUT, name), lst)
with open(os.path.join(OUT, "ah-esn.keys"), "w") as f:
    f.write("# Keys of ipsec-ah.pcap and ipsec-esp-esn.pcap (captures/make-ah-esn-captures.py).\n")
    f.write("# TEST MATERIAL: derived from public labels, protects nothing.\n")
    for l in keylines:
        f.write(l + "\n")
with open(os.path.join(OUT, "ah-esn.expected.tsv"), "w") as f:
    f.write("capture\tframe\tprotocol\tspi\tseq64\ticvGood\tsha256\n")
    for e in expected:
        f.write("\t".join(str(x) for x in e) + "\n")
print("wrote %d + %d frames, %d SAs" % (len(frames["ipsec-ah.pcap"]), len(frames["ipsec-esp-esn.pcap"]), len(keylines)))
