#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A minimal BGP speaker that sends hand-made UPDATE messages (RFC 4271
section 4.3), for routes and malformed input no Debian tool can send, e.g.
the EVPN route types 6-8 of RFC 9251 (GoBGP resets the session on them,
ExaBGP 4.2 cannot originate them).

As a program it opens one session (it connects; capabilities: multiprotocol
for L2VPN EVPN and IPv4 unicast, 4-octet AS), keeps it up with keepalives,
and sends the UPDATE bodies that a test appends, as hex lines, to a command
file ("update <hex>"); "close" ends the session with a Cease and opens a
new one. Everything it sends and receives is logged, with any
NOTIFICATION the peer sends, so a test can tell a session reset apart.

As a module it builds the messages: attr(), mp_reach_evpn(),
mp_unreach_evpn(), ext_communities(), evpn_rt2(), rd_ip(), update(); and
Injector runs the program on a lab node.
"""

import argparse
import ipaddress
import os
import select
import socket
import struct
import sys
import time

ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF = 1, 2, 3, 5
EXT_COMMUNITIES, MP_REACH, MP_UNREACH, IPV6_EXT_COMMUNITIES = 16, 14, 15, 25
AFI_L2VPN, SAFI_EVPN = 25, 70
MSG_OPEN, MSG_UPDATE, MSG_NOTIFICATION, MSG_KEEPALIVE = 1, 2, 3, 4


def attr(flags, code, value):
    """One path attribute; the extended-length flag is set when needed."""
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def base_attributes(local_pref=100):
    """ORIGIN IGP, empty AS_PATH (iBGP), LOCAL_PREF."""
    return (attr(0x40, ORIGIN, b"\x00") + attr(0x40, AS_PATH, b"") +
            attr(0x40, LOCAL_PREF, struct.pack("!I", local_pref)))


def mp_reach_evpn(nexthop, nlris):
    """MP_REACH_NLRI for L2VPN EVPN with an IPv4 next hop; nlris are the
    full EVPN NLRIs (Type, Length, body) as bytes."""
    nh = socket.inet_aton(nexthop)
    body = struct.pack("!HBB", AFI_L2VPN, SAFI_EVPN, len(nh)) + nh + b"\x00"
    return attr(0x80, MP_REACH, body + b"".join(nlris))


def mp_unreach_evpn(nlris):
    body = struct.pack("!HB", AFI_L2VPN, SAFI_EVPN)
    return attr(0x80, MP_UNREACH, body + b"".join(nlris))


def ext_communities(values):
    """EXTENDED COMMUNITIES from 8-octet hex strings."""
    return attr(0xC0, EXT_COMMUNITIES, b"".join(bytes.fromhex(v) for v in values))


def ipv6_ext_communities(values):
    """IPv6 Address Specific EXTENDED COMMUNITIES from 20-octet hex strings."""
    return attr(0xC0, IPV6_EXT_COMMUNITIES, b"".join(bytes.fromhex(v) for v in values))


def _esi(esi):
    "10 octets from bytes, hex or a colon-separated hex string"
    return esi if isinstance(esi, bytes) else bytes.fromhex(esi.replace(":", ""))


def _labels(labels, vni):
    """The 3-octet label fields: 20-bit MPLS labels with the bottom-of-stack
    bit (RFC 7432 section 7.2), or, vni, the 24-bit values as they are
    (a VNI, RFC 8365 section 5.1.3; label 0 as 0x000000)."""
    return b"".join(v.to_bytes(3, "big") if vni else struct.pack("!I", v << 4 | 1)[1:]
                    for v in labels)


def evpn_rt2(rd, mac, ip=None, labels=(0,), esi=b"\0" * 10, etag=0, vni=False):
    """An EVPN MAC/IP Advertisement route NLRI (RFC 7432 section 7.2):
    rd the 8-octet RD, mac a "xx:xx:..." string, ip an address or None,
    labels one or two (MPLS labels, or 24-bit values if vni)."""
    body = (rd + _esi(esi) + struct.pack("!I", etag) + b"\x30" +
            bytes.fromhex(mac.replace(":", "")))
    if ip is None:
        body += b"\x00"
    else:
        a = ipaddress.ip_address(ip)
        body += bytes([len(a.packed) * 8]) + a.packed
    body += _labels(labels, vni)
    return b"\x02" + bytes([len(body)]) + body


def evpn_rt5(rd, plen, ip, gw=None, esi=b"\0" * 10, etag=0, label=0, vni=True):
    """An EVPN IP Prefix route NLRI (RFC 9136 section 3.1), of the IPv4 or
    IPv6 layout by ip; gateway IP 0 if gw is None; the label a VNI (or an
    MPLS label unless vni)."""
    a = ipaddress.ip_address(ip)
    g = ipaddress.ip_address(gw or ("::" if a.version == 6 else "0.0.0.0"))
    body = (rd + _esi(esi) + struct.pack("!I", etag) + bytes([plen]) + a.packed + g.packed +
            _labels((label,), vni))
    return b"\x05" + bytes([len(body)]) + body


def rd_ip(ip, n):
    """A type 1 RD (RFC 4364 section 4.2): IPv4 address ip, number n."""
    return struct.pack("!H4sH", 1, socket.inet_aton(ip), n)


def update(attributes):
    """An UPDATE body (no withdrawn routes, no IPv4 NLRI)."""
    return struct.pack("!H", 0) + struct.pack("!H", len(attributes)) + attributes


def message(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def open_message(asn, router_id, hold=90):
    caps = b""
    for afi, safi in ((1, 1), (AFI_L2VPN, SAFI_EVPN)):
        caps += struct.pack("!BBBBHBB", 2, 6, 1, 4, afi, 0, safi)
    caps += struct.pack("!BBBBI", 2, 6, 65, 4, asn)  # 4-octet AS
    my_as = asn if asn < 65536 else 23456
    return message(MSG_OPEN, struct.pack("!BHH4sB", 4, my_as, hold,
                                         socket.inet_aton(router_id), len(caps)) + caps)


class Injector:
    """This program on a lab node: start() runs it, announce(), withdraw()
    and close() append commands to its command file."""

    def __init__(self, node, workdir, peer, asn, router_id, source=None):
        self.node, self.peer, self.asn, self.router_id = node, peer, asn, router_id
        self.source = source
        self.cmds = os.path.join(workdir, "%s-cmds.txt" % node.name)
        self.log = os.path.join(workdir, "%s.log" % node.name)
        self.out = os.path.join(workdir, "%s.out" % node.name)

    def start(self):
        open(self.cmds, "w").close()
        argv = [sys.executable, os.path.abspath(__file__), "--peer", self.peer,
                "--asn", str(self.asn), "--router-id", self.router_id,
                "--cmds", self.cmds, "--log", self.log]
        if self.source:
            argv += ["--source", self.source]
        self.node.popen(argv, logfile=self.out)
        return self

    def send(self, line):
        with open(self.cmds, "a") as f:
            f.write(line + "\n")

    def inject(self, attrs):
        """An UPDATE with these path attributes (bytes)."""
        self.send("update %s" % update(attrs).hex())

    def announce(self, nexthop, nlris, ecs, v6ecs=()):
        """EVPN NLRIs (hex) with base_attributes() and these extended
        communities (hex)."""
        attrs = base_attributes() + ext_communities(ecs)
        if v6ecs:
            attrs += ipv6_ext_communities(v6ecs)
        self.inject(attrs + mp_reach_evpn(nexthop, [bytes.fromhex(n) for n in nlris]))

    def withdraw(self, nlris):
        self.inject(mp_unreach_evpn([bytes.fromhex(n) for n in nlris]))

    def close(self):
        self.send("close")

    def log_text(self):
        with open(self.log) as f:
            return f.read()


class Session:
    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.buf = b""

    def connect(self):
        while True:
            try:
                s = socket.create_connection(
                    (self.args.peer, 179), timeout=5,
                    source_address=(self.args.source, 0) if self.args.source else None)
                break
            except OSError as e:
                self.log("connect: %s" % e)
                time.sleep(1)
        s.settimeout(None)
        self.sock = s
        self.buf = b""
        self.opened = False
        self.hold = 90
        self.send(open_message(self.args.asn, self.args.router_id, self.hold), "OPEN")

    def send(self, msg, what):
        self.sock.sendall(msg)
        self.log("sent %s %s" % (what, msg[19:].hex()))

    def receive(self):
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.log("peer closed the session")
            return False
        self.buf += data
        while len(self.buf) >= 19:
            length, mtype = struct.unpack("!HB", self.buf[16:19])
            if len(self.buf) < length:
                break
            body, self.buf = self.buf[19:length], self.buf[length:]
            if mtype == MSG_OPEN:
                # the smaller hold time of the two OPENs holds (RFC 4271 4.2)
                self.hold = min(self.hold, struct.unpack("!H", body[3:5])[0])
                self.opened = True
                self.log("received OPEN, hold time %d" % self.hold)
                self.send(message(MSG_KEEPALIVE, b""), "KEEPALIVE")
            elif mtype == MSG_KEEPALIVE:
                self.log("received KEEPALIVE")
            elif mtype == MSG_NOTIFICATION:
                self.log("received NOTIFICATION code %d subcode %d" % (body[0], body[1]))
                return False
            elif mtype == MSG_UPDATE:
                self.log("received UPDATE %s" % body.hex())
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--router-id", required=True)
    ap.add_argument("--cmds", required=True, help="file of 'update <hex>' lines")
    ap.add_argument("--log", required=True)
    ap.add_argument("--source", help="local address to connect from")
    args = ap.parse_args()

    logf = open(args.log, "a", buffering=1)

    def log(msg):
        logf.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))

    open(args.cmds, "a").close()
    sess = Session(args, log)
    sess.connect()
    done = 0
    last_ka = time.time()
    while True:
        r, _, _ = select.select([sess.sock], [], [], 0.2)
        if r and not sess.receive():
            if not sess.opened:
                # the peer was not configured for us yet (bgpd still
                # reading its config): try again, as a BGP speaker does
                log("closed before the peer's OPEN: connecting again")
                sess.sock.close()
                time.sleep(1)
                sess.connect()
                done = 0
                continue
            log("session down")
            return 1
        with open(args.cmds) as f:
            lines = f.read().splitlines()
        for line in lines[done:]:
            verb, _, arg = line.partition(" ")
            if verb == "update":
                sess.send(message(MSG_UPDATE, bytes.fromhex(arg)), "UPDATE")
            elif verb == "close":
                # Cease / Administrative Shutdown (RFC 4486), then a new
                # session: the lines before this one are not sent again
                sess.send(message(MSG_NOTIFICATION, b"\x06\x02"), "NOTIFICATION")
                sess.sock.close()
                log("closed the session")
                time.sleep(1)
                sess.connect()
        done = len(lines)
        if time.time() - last_ka > max(1, sess.hold // 3):
            sess.send(message(MSG_KEEPALIVE, b""), "KEEPALIVE")
            last_ka = time.time()


if __name__ == "__main__":
    sys.exit(main())
