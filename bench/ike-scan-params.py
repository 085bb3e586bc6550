#!/usr/bin/env python3
"""Writes ike-scan's psk-crack parameters for each IKEv1 Aggressive Mode exchange in a capture.

    bench/ike-scan-params.py CAPTURE > params.txt

One line per exchange (AM1 from the initiator, AM2 from the responder with HASH_R), in the
format `ike-scan --pskcrack` writes and `psk-crack` reads (colon-separated hex):

    g_xr:g_xi:cky_r:cky_i:sai_b:idir_b:ni_b:nr_b:hash_r

SAi_b and IDir_b are the bodies of the initiator's SA and the responder's ID payload without
their generic payload headers; g^x and the nonces are the KE and Nonce payload bodies.

This is a separate parser from vpnsleuth's own (pcap and pcapng, Ethernet or Linux cooked
capture, IPv4/IPv6, UDP 500 or 4500 with the non-ESP marker), so that the benchmark's two tools
do not share one reading of the capture: psk-crack finding the key shows the line is right.
"""
import struct
import sys

SA, KE, ID, HASH, NONCE = 1, 4, 5, 8, 10


def frames(data):
    """(link type, frame bytes) of every packet of a pcap or pcapng file."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xD4, 0x4D) else ">"
        link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFFFFF
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            yield link, data[off + 16:off + 16 + incl]
            off += 16 + incl
        return
    if magic != b"\x0a\x0d\x0d\x0a":
        raise SystemExit("not a pcap or pcapng file")
    off, e, links = 0, "<", []
    while off + 12 <= len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":  # section header: byte order, interfaces anew
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            links.append(struct.unpack(e + "H", body[0:2])[0])
        elif btype == 6:  # enhanced packet
            iface, _, _, cap, _ = struct.unpack(e + "IIIII", body[0:20])
            yield links[iface], body[20:20 + cap]
        elif btype == 3:  # simple packet
            yield links[0], body[4:]
        off += blen


def udp_payload(link, f):
    """(source port, destination port, payload) of a UDP datagram, or None."""
    if link == 1:  # Ethernet, with any 802.1Q tags
        off, etype = 14, struct.unpack(">H", f[12:14])[0]
        while etype in (0x8100, 0x88A8):
            etype, off = struct.unpack(">H", f[off + 2:off + 4])[0], off + 4
    elif link == 113:  # Linux cooked capture
        off, etype = 16, struct.unpack(">H", f[14:16])[0]
    elif link in (101, 12):  # raw IP
        off, etype = 0, 0x0800 if f[0] >> 4 == 4 else 0x86DD
    else:
        return None
    if etype == 0x0800:
        if f[off + 9] != 17 or struct.unpack(">H", f[off + 6:off + 8])[0] & 0x3FFF:
            return None  # not UDP, or a fragment
        off += (f[off] & 0x0F) * 4
    elif etype == 0x86DD:
        if f[off + 6] != 17:
            return None
        off += 40
    else:
        return None
    sport, dport, ulen = struct.unpack(">HHH", f[off:off + 6])
    return sport, dport, f[off + 8:off + ulen]


def payloads(msg):
    """{payload type: body} of an ISAKMP message (the first of each type)."""
    nxt, off, end, out = msg[16], 28, min(len(msg), struct.unpack(">I", msg[24:28])[0]), {}
    while nxt and off + 4 <= end:
        plen = struct.unpack(">H", msg[off + 2:off + 4])[0]
        if plen < 4 or off + plen > end:
            break
        out.setdefault(nxt, msg[off + 4:off + plen])
        nxt, off = msg[off], off + plen
    return out


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: ike-scan-params.py CAPTURE")
    with open(sys.argv[1], "rb") as fh:
        data = fh.read()
    am1, done = {}, set()
    for link, f in frames(data):
        u = udp_payload(link, f)
        if u is None:
            continue
        sport, dport, msg = u
        if 4500 in (sport, dport):
            if msg[:4] != b"\0\0\0\0":
                continue  # ESP
            msg = msg[4:]
        elif 500 not in (sport, dport):
            continue
        if len(msg) < 28 or msg[18] != 4 or msg[19] & 1 or msg[17] >> 4 != 1:
            continue  # not a cleartext IKEv1 Aggressive Mode message
        cky_i, cky_r, p = msg[0:8], msg[8:16], payloads(msg)
        if cky_r == b"\0" * 8:
            if SA in p and KE in p and NONCE in p:
                am1[cky_i] = p
        elif cky_i in am1 and HASH in p and KE in p and NONCE in p and ID in p and cky_i not in done:
            done.add(cky_i)
            i = am1[cky_i]
            print(":".join(x.hex() for x in (p[KE], i[KE], cky_r, cky_i, i[SA], p[ID], i[NONCE], p[NONCE], p[HASH])))
    if not done:
        raise SystemExit(sys.argv[1] + ": no Aggressive Mode exchange with AM1 and AM2")


if __name__ == "__main__":
    main()
