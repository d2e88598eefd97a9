#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The seed corpus of tests/fuzz/fuzz_bgp_update.c, in its input format (each
BGP message as a 2-octet length, a type octet and the body):

- every NLRI of ../shared/WIRE.md section 7 (valid and malformed), each in
  an UPDATE from AS 65002 with the extended communities the project's
  routes carry (RT, ES-Import RT, EVI-RT types 0 and 3, Multicast Flags,
  ESI Label, Encapsulation, Router's MAC) and, for an RT-3, a PMSI Tunnel
  attribute; then withdrawn (MP_UNREACH);
- the UPDATEs of the lab's captures (pcaps given on the command line,
  e.g. build/lab-logs/*/*/*.pcap), one seed per UPDATE.

Usage: make_corpus.py [--wire WIRE.md] [--out DIR] [PCAP...]
"""

import argparse
import glob
import hashlib
import os
import re
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "topotests", "lib"))
import bgpinject  # noqa: E402

PMSI_TUNNEL = 22
NEXTHOP = "10.2.0.2"  # the VTEP or PE of "in" (not a martian, as 127/8 is)
AS_PATH_IN = struct.pack("!BBI", 2, 1, 65002)  # AS_SEQUENCE 65002 (4-octet AS)
ECS = [
    "0002fde900000064",  # RT 65001:100
    "0602001122334455",  # ES-Import RT
    "060afde900000064",  # EVI-RT type 0
    "0609000300000000",  # Multicast Flags: IGMP and MLD proxy
    "0601000000000064",  # ESI Label, label 100... (all-active)
    "030c000000000008",  # Encapsulation: VXLAN
    "030c00000000000a",  # Encapsulation: MPLS
    "060302aabbccdd01",  # Router's MAC
]
EVI_RT3 = "060d20010db80000000000000000000000010064"


def message(mtype, body):
    """The harness's format of one message: length (with the 19-octet
    header), type, body."""
    return struct.pack("!HB", 19 + len(body), mtype) + body


def update_in(attrs):
    return message(bgpinject.MSG_UPDATE, bgpinject.update(attrs))


def base_in():
    return (bgpinject.attr(0x40, bgpinject.ORIGIN, b"\x00") +
            bgpinject.attr(0x40, bgpinject.AS_PATH, AS_PATH_IN))


def wire_vectors(path):
    """The hex NLRIs of the tables of WIRE.md section 7."""
    text = open(path).read()
    sect = text[text.index("## 7."):]
    return re.findall(r"^\| `([0-9a-f]+)` \|", sect, re.M)


def evpn_seeds(nlri_hex):
    nlri = bytes.fromhex(nlri_hex)
    attrs = base_in() + bgpinject.ext_communities(ECS)
    attrs += bgpinject.ipv6_ext_communities([EVI_RT3])
    if nlri[0] == 3:
        # PMSI Tunnel: ingress replication, label 100, endpoint NEXTHOP
        attrs += bgpinject.attr(0xC0, PMSI_TUNNEL,
                                bytes([0, 6]) + (100 << 4 | 1).to_bytes(3, "big") +
                                socket.inet_aton(NEXTHOP))
    reach = update_in(attrs + bgpinject.mp_reach_evpn(NEXTHOP, [nlri]))
    unreach = update_in(bgpinject.mp_unreach_evpn([nlri]))
    return [reach, reach + unreach]


def pcap_updates(pcaps):
    """Every BGP UPDATE in the captures' TCP port 179 streams."""
    from scapy.all import IP, IPv6, TCP, PcapReader  # noqa: E402

    streams = {}
    for p in pcaps:
        try:
            reader = PcapReader(p)
        except Exception:
            continue
        for pkt in reader:
            if TCP not in pkt or not bytes(pkt[TCP].payload):
                continue
            ip = pkt[IP] if IP in pkt else pkt[IPv6] if IPv6 in pkt else None
            if ip is None or 179 not in (pkt[TCP].sport, pkt[TCP].dport):
                continue
            key = (p, ip.src, pkt[TCP].sport, ip.dst, pkt[TCP].dport)
            segs = streams.setdefault(key, {})
            segs.setdefault(pkt[TCP].seq, bytes(pkt[TCP].payload))
    for segs in streams.values():
        data = b"".join(segs[s] for s in sorted(segs))
        while len(data) >= 19 and data[:16] == b"\xff" * 16:
            length, mtype = struct.unpack("!HB", data[16:19])
            if length < 19 or length > len(data):
                break
            if mtype == bgpinject.MSG_UPDATE:
                yield message(mtype, data[19:length])
            data = data[length:]


def shape(msg):
    """What kind of UPDATE a seed is: its attribute type codes, and for
    MP_REACH/MP_UNREACH the AFI/SAFI and the EVPN route types."""
    body = msg[3:]
    wlen = struct.unpack("!H", body[:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    attrs, i, out = body[4 + wlen:4 + wlen + alen], 0, [bool(wlen)]
    while i + 3 <= len(attrs):
        flags, code = attrs[i], attrs[i + 1]
        hl = 4 if flags & 0x10 else 3
        alen = int.from_bytes(attrs[i + 2:i + hl], "big")
        val = attrs[i + hl:i + hl + alen]
        out.append(code)
        if code in (bgpinject.MP_REACH, bgpinject.MP_UNREACH) and len(val) >= 3:
            afi, safi = struct.unpack("!HB", val[:3])
            out.append((afi, safi))
            if (afi, safi) == (bgpinject.AFI_L2VPN, bgpinject.SAFI_EVPN):
                j = 3 if code == bgpinject.MP_UNREACH else 5 + val[3]
                types = set()
                while j + 2 <= len(val):
                    types.add(val[j])
                    j += 2 + val[j + 1]
                out.append(tuple(sorted(types)))
        i += hl + alen
    return tuple(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wire", default=os.path.join(HERE, "..", "..", "..", "shared", "WIRE.md"))
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    ap.add_argument("pcaps", nargs="*")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    seeds = []
    for v in wire_vectors(args.wire):
        seeds += evpn_seeds(v)
    pcaps = [p for g in args.pcaps for p in glob.glob(g)]
    # one UPDATE of each shape from the captures
    shapes = set()
    for u in pcap_updates(pcaps):
        if shape(u) not in shapes:
            shapes.add(shape(u))
            seeds.append(u)
    n = 0
    for s in seeds:
        name = os.path.join(args.out, hashlib.sha1(s).hexdigest())
        if not os.path.exists(name):
            with open(name, "wb") as f:
                f.write(s)
            n += 1
    print("make_corpus: %d seeds written to %s (%d from WIRE.md and pcaps)"
          % (n, args.out, len(seeds)))


if __name__ == "__main__":
    main()
