#!/usr/bin/python3
"""L2TP over transport-mode ESP (Windows L2TP/IPsec, RFC 3193), built with scapy from a real capture.

The kernel here has no xfrm ESP and strongSwan's libipsec does tunnel mode only, so no daemon can
put transport-mode ESP on the wire. This script takes the real xl2tpd capture l2tp-cdn.pcapng
(captures/make-l2tp-captures.sh) and wraps every UDP datagram of it in transport-mode ESP with an
independent implementation, Debian's python3-scapy (scapy.layers.ipsec.SecurityAssociation):

  l2tp-ipsec-transport.pcap  ESP (IP protocol 50) in transport mode, AES-CBC-256 + HMAC-SHA1-96
                             (what a Windows L2TP/IPsec client proposes first)
  l2tp-ipsec-natt.pcap       the same inside UDP 4500 (RFC 3948 UDP encapsulation, a client
                             behind NAT), AES-GCM-16 with a 128-bit key
  l2tp-ipsec.keys            both SAs per direction in vpnsleuth's keys-file format (docs/keys.md)
  l2tp-ipsec.expected.tsv    per frame: capture, frame, SPI, sequence number, SHA-256 of the
                             original UDP datagram the ESP packet carries

scapy 2.5.0 writes the UDP length of the NAT-T header as 8 (the header alone); the script sets
it to header + ESP packet as RFC 768 wants. Frame numbers and times are those of l2tp-cdn.pcapng, so its expected verdicts
(expected-l2tp-verdicts.tsv) hold for the decrypted captures too. Deterministic: keys from
SHA-256 of a label, IVs from the sequence number. Run with /usr/bin/python3:

    /usr/bin/python3 captures/make-l2tp-ipsec-captures.py [OUTDIR]
"""
import hashlib
import os
import sys

from scapy.all import IP, UDP, raw, rdpcap, wrpcap
from scapy.layers.ipsec import ESP, SecurityAssociation

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
SOURCE = os.path.join(HERE, "l2tp-cdn.pcapng")
LAC, LNS = "192.0.2.1", "192.0.2.2"


def key(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("vpnsleuth-l2tp-ipsec/%s/%d" % (label, i)).encode()).digest()
        i += 1
    return out[:n]


# capture name -> (vpnsleuth enc name, scapy crypt algo, key bytes, vpnsleuth auth, scapy auth, auth key bytes, NAT-T)
CASES = {
    "l2tp-ipsec-transport.pcap": ("aes-cbc-256", "AES-CBC", 32, "hmac-sha1-96", "HMAC-SHA1-96", 20, False),
    # AES-GCM keys as IKE derives them: 16 key bytes then the 4-byte salt (RFC 4106 §8.1)
    "l2tp-ipsec-natt.pcap": ("aes-gcm-16-128", "AES-GCM", 20, None, None, 0, True),
}
SPI = {("l2tp-ipsec-transport.pcap", LAC): 0x0000b101, ("l2tp-ipsec-transport.pcap", LNS): 0x0000b102,
       ("l2tp-ipsec-natt.pcap", LAC): 0x0000b201, ("l2tp-ipsec-natt.pcap", LNS): 0x0000b202}

original = rdpcap(SOURCE)
keylines = ["# Keys of l2tp-ipsec-transport.pcap and l2tp-ipsec-natt.pcap (captures/make-l2tp-ipsec-captures.py).",
            "# TEST MATERIAL: derived from public labels, protects nothing."]
expected = ["#capture\tframe\tspi\tseq\tsha256_of_udp_datagram"]
for name, (enc, s_enc, klen, auth, s_auth, alen, natt) in CASES.items():
    sas = {}
    for src, dst in ((LAC, LNS), (LNS, LAC)):
        spi = SPI[(name, src)]
        ek = key("%s/enc/%08x" % (name, spi), klen)
        ak = key("%s/auth/%08x" % (name, spi), alen) if auth else None
        nat = UDP(sport=4500, dport=4500, chksum=0) if natt else None
        sa = SecurityAssociation(ESP, spi=spi, crypt_algo=s_enc, crypt_key=ek,
                                 auth_algo=s_auth, auth_key=ak, nat_t_header=nat)
        sas[src] = sa
        keylines.append("esp %08x dst=%s enc=%s:%s%s" % (spi, dst, enc, ek.hex(),
                                                          " auth=%s:%s" % (auth, ak.hex()) if auth else ""))
    out = []
    seqs = {}
    for n, frame in enumerate(original, start=1):
        ip = frame[IP]
        sa = sas[ip.src]
        seqs[ip.src] = seqs.get(ip.src, 0) + 1
        sa.seq_num = seqs[ip.src]  # each SA counts its own packets from 1 (RFC 4303 §3.3.3)
        clear = IP(raw(ip))  # a copy scapy may rewrite
        datagram = raw(clear.payload)
        # the IV from the sequence number: deterministic, unique per SA
        iv = hashlib.sha256(("iv/%s/%d" % (name, n)).encode()).digest()[:16 if s_enc == "AES-CBC" else 8]
        wire = sa.encrypt(clear, iv=iv)
        eth = frame.copy()
        eth.remove_payload()
        b = bytearray(raw(wire))
        if natt:
            # scapy 2.5.0 writes the NAT-T header's UDP length as 8 (the header alone, the ESP packet
            # after it parsed as padding); RFC 768 wants header + ESP packet. The checksum stays 0
            # (RFC 3948 §2.1) and the IP header does not change.
            ihl = (b[0] & 0x0F) * 4
            udp_len = len(b) - ihl
            b[ihl + 4:ihl + 6] = udp_len.to_bytes(2, "big")
        outer = IP(bytes(b))
        pkt = eth / outer
        pkt.time = frame.time
        pkt.wirelen = len(raw(pkt))  # the copy keeps the original's length otherwise
        out.append(pkt)
        expected.append("%s\t%d\t%08x\t%d\t%s" % (name, n, sa.spi, seqs[ip.src], hashlib.sha256(datagram).hexdigest()))
    wrpcap(os.path.join(OUT, name), out)

with open(os.path.join(OUT, "l2tp-ipsec.keys"), "w") as f:
    f.write("\n".join(keylines) + "\n")
with open(os.path.join(OUT, "l2tp-ipsec.expected.tsv"), "w") as f:
    f.write("\n".join(expected) + "\n")
