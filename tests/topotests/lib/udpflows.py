#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
UDP flows for data-plane checks: N flows that differ only in their source
port, so an ECMP or LAG hash spreads them, and a receiver that reports
which flows arrived.

  udpflows.py recv --port P [--dev VRF] --out FILE [--idle S] [--max S]
  udpflows.py send --dst IP --port P [--src IP] [--dev VRF] --flows N
                   [--sport-base B] [--count K]

Also importable: FlowTest drives both ends in lab namespaces.
"""

import argparse
import json
import os
import select
import socket
import sys
import time

SO_BINDTODEVICE = 25


def _sock(family, dev):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode())
    return s


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv(args):
    socks = []
    for fam, any_addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = _sock(fam, args.dev)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((any_addr, args.port))
        socks.append(s)
    got = {}
    # tell the caller we listen
    with open(args.out + ".ready", "w") as f:
        f.write("ready\n")
    start = last = time.time()
    while True:
        now = time.time()
        if now - start > args.max or (got and now - last > args.idle):
            break
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            data, peer = s.recvfrom(2048)
            key = "%s %d" % (peer[0], peer[1])
            got[key] = got.get(key, 0) + 1
            last = time.time()
    with open(args.out + ".tmp", "w") as f:
        json.dump(got, f)
    os.rename(args.out + ".tmp", args.out)


def send(args):
    fam = _family(args.dst)
    for i in range(args.flows):
        s = _sock(fam, args.dev)
        s.bind((args.src or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), args.sport_base + i))
        for k in range(args.count):
            s.sendto(b"flow %d pkt %d" % (i, k), (args.dst, args.port))
        s.close()
        time.sleep(args.gap)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--dev")
    r.add_argument("--out", required=True)
    r.add_argument("--idle", type=float, default=1.0)
    r.add_argument("--max", type=float, default=20.0)
    s = sub.add_parser("send")
    s.add_argument("--dst", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--src")
    s.add_argument("--dev")
    s.add_argument("--flows", type=int, default=32)
    s.add_argument("--sport-base", type=int, default=40000)
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--gap", type=float, default=0.01)
    args = ap.parse_args()
    recv(args) if args.mode == "recv" else send(args)


class FlowTest:
    """Send N UDP flows from one lab node to another and see which arrive."""

    def __init__(self, src_node, dst_node, dst, port=5001, src=None, src_dev=None,
                 dst_dev=None, flows=32, sport_base=40000):
        self.src_node, self.dst_node = src_node, dst_node
        self.dst, self.port, self.src = dst, port, src
        self.src_dev, self.dst_dev = src_dev, dst_dev
        self.flows, self.sport_base = flows, sport_base

    def sports(self):
        return list(range(self.sport_base, self.sport_base + self.flows))

    def run(self):
        """Return the set of source ports whose packets arrived."""
        out = "/tmp/udpflows-%s-%d-%d.json" % (self.dst_node.name, self.port, os.getpid())
        for f in (out, out + ".ready"):
            if os.path.exists(f):
                os.unlink(f)
        me = os.path.abspath(__file__)
        argv = ["/usr/bin/python3", me, "recv", "--port", str(self.port), "--out", out]
        if self.dst_dev:
            argv += ["--dev", self.dst_dev]
        p = self.dst_node.popen(argv)
        deadline = time.time() + 10
        while not os.path.exists(out + ".ready") and time.time() < deadline:
            time.sleep(0.05)
        cmd = "/usr/bin/python3 %s send --dst %s --port %d --flows %d --sport-base %d" % (
            me, self.dst, self.port, self.flows, self.sport_base)
        if self.src:
            cmd += " --src %s" % self.src
        if self.src_dev:
            cmd += " --dev %s" % self.src_dev
        self.src_node.cmd(cmd)
        p.wait(timeout=30)
        with open(out) as f:
            got = json.load(f)
        os.unlink(out)
        return {int(k.split()[1]) for k in got}


if __name__ == "__main__":
    sys.exit(main())
