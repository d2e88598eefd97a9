#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
UDP flows for data-plane checks: N flows that differ only in their source
port, so an ECMP or LAG hash spreads them, and a receiver that reports
which flows arrived.

  udpflows.py recv --port P [--dev VRF] --out FILE [--idle S] [--max S]
                   [--last K]
  udpflows.py send --dst IP --port P [--src IP] [--dev VRF] --flows N
                   [--sport-base B] [--count K]
  udpflows.py stream --dst IP --port P [--src IP] [--dev VRF] --flows N
                   --rate PPS --count C [--sport-base B]

"stream" sends C numbered packets at a fixed aggregate rate, taking the N
source ports in turn (a constant offered load for convergence
measurements); "recv" then also reports which numbers arrived, and with
--last K stops soon after number K (an outage longer than --idle does
not end the stream's count early).

Also importable: FlowTest drives both ends in lab namespaces, Stream a
numbered stream.
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
    got, seqs = {}, set()
    # tell the caller we listen
    with open(args.out + ".ready", "w") as f:
        f.write("ready\n")
    start = last = time.time()
    end = None
    while True:
        now = time.time()
        if now - start > args.max or (got and now - last > args.idle):
            break
        if end is None and args.last is not None and args.last in seqs:
            end = now + 0.5  # the stragglers of other flows
        if end is not None and now > end:
            break
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            data, peer = s.recvfrom(2048)
            key = "%s %d" % (peer[0], peer[1])
            got[key] = got.get(key, 0) + 1
            if data.startswith(b"seq "):
                seqs.add(int(data.split()[1]))
            last = time.time()
    with open(args.out + ".tmp", "w") as f:
        json.dump({"flows": got, "seqs": sorted(seqs)} if seqs else got, f)
    os.rename(args.out + ".tmp", args.out)


def _flow_socks(args):
    """One socket per flow, bound to source port sport_base + i."""
    fam = _family(args.dst)
    socks = []
    for i in range(args.flows):
        s = _sock(fam, args.dev)
        s.bind((args.src or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), args.sport_base + i))
        socks.append(s)
    return socks


def send(args):
    for i, s in enumerate(_flow_socks(args)):
        for k in range(args.count):
            s.sendto(b"flow %d pkt %d" % (i, k), (args.dst, args.port))
        s.close()
        time.sleep(args.gap)


def stream(args):
    socks = _flow_socks(args)
    start = time.time()
    for seq in range(args.count):
        # a fixed schedule: a slow send does not shift the later packets
        delay = start + seq / args.rate - time.time()
        if delay > 0:
            time.sleep(delay)
        try:
            socks[seq % args.flows].sendto(b"seq %d" % seq, (args.dst, args.port))
        except OSError:
            pass  # no route for a while: those packets are lost
    for s in socks:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--dev")
    r.add_argument("--out", required=True)
    r.add_argument("--idle", type=float, default=1.0)
    r.add_argument("--max", type=float, default=20.0)
    r.add_argument("--last", type=int)
    s = sub.add_parser("send")
    s.add_argument("--dst", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--src")
    s.add_argument("--dev")
    s.add_argument("--flows", type=int, default=32)
    s.add_argument("--sport-base", type=int, default=40000)
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--gap", type=float, default=0.01)
    st = sub.add_parser("stream")
    st.add_argument("--dst", required=True)
    st.add_argument("--port", type=int, required=True)
    st.add_argument("--src")
    st.add_argument("--dev")
    st.add_argument("--flows", type=int, default=32)
    st.add_argument("--sport-base", type=int, default=40000)
    st.add_argument("--rate", type=float, default=1000.0)
    st.add_argument("--count", type=int, required=True)
    args = ap.parse_args()
    {"recv": recv, "send": send, "stream": stream}[args.mode](args)


class Stream:
    """A numbered stream of UDP packets from one lab node to another at a
    fixed rate over N flows; lost() tells how many numbers never arrived."""

    def __init__(self, src_node, dst_node, dst, port=5201, src=None, src_dev=None,
                 dst_dev=None, flows=32, rate=1000.0, count=10000, sport_base=41000):
        self.src_node, self.dst_node, self.dst, self.port = src_node, dst_node, dst, port
        self.src, self.src_dev, self.dst_dev = src, src_dev, dst_dev
        self.flows, self.rate, self.count, self.sport_base = flows, rate, count, sport_base
        self.out = "/tmp/udpstream-%s-%d-%d.json" % (dst_node.name, port, os.getpid())

    def start_receiver(self):
        for f in (self.out, self.out + ".ready"):
            if os.path.exists(f):
                os.unlink(f)
        me = os.path.abspath(__file__)
        # an outage may last the whole stream: the receiver waits for the
        # last number, or for the stream's length of silence
        length = self.count / self.rate
        argv = ["/usr/bin/python3", me, "recv", "--port", str(self.port), "--out", self.out,
                "--idle", str(length + 3), "--max", str(length + 60),
                "--last", str(self.count - 1)]
        if self.dst_dev:
            argv += ["--dev", self.dst_dev]
        self.proc = self.dst_node.popen(argv)
        deadline = time.time() + 10
        while not os.path.exists(self.out + ".ready") and time.time() < deadline:
            time.sleep(0.05)

    def send(self):
        """Send the whole stream (returns when the last packet is sent)."""
        me = os.path.abspath(__file__)
        cmd = "/usr/bin/python3 %s stream --dst %s --port %d --flows %d --rate %s --count %d " \
              "--sport-base %d" % (me, self.dst, self.port, self.flows, self.rate, self.count,
                                   self.sport_base)
        if self.src:
            cmd += " --src %s" % self.src
        if self.src_dev:
            cmd += " --dev %s" % self.src_dev
        self.src_node.cmd(cmd, timeout=self.count / self.rate + 60)

    def received(self):
        """The numbers that arrived, once the receiver has stopped."""
        self.proc.wait(timeout=self.count / self.rate + 90)
        with open(self.out) as f:
            got = json.load(f)
        os.unlink(self.out)
        return set(got.get("seqs", []))


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
