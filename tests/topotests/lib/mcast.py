#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Multicast hosts for data-plane checks: a member that joins a group (and
counts what it receives per sequence number) for as long as its process
lives, and a sender of N numbered UDP packets at a fixed rate.

  mcast.py member --group G [--source S] --dev IF --port P --out FILE
  mcast.py hold --groups G1,G2,... --dev IF --out FILE
  mcast.py send --group G --port P --count N --rate PPS [--dev IF]
                [--ttl T] [--tag TAG]
  mcast.py mld-query --group G [--sources S1,S2] --dev IF --from LL

"mld-query" sends one MLDv2 multicast-address(-and-source)-specific query
(RFC 3810 5.1) from link-local address LL, as a router would: hop limit 1,
a Router Alert hop-by-hop option, to G.

The kernel does the IGMP/MLD: IGMPv2 (*,G) after forcing the interface to
version 2 (net.ipv4.conf.IF.force_igmp_version=2), IGMPv3 (S,G) and MLDv2
(S,G) with MCAST_JOIN_SOURCE_GROUP, (*,G) with IP_ADD_MEMBERSHIP /
IPV6_JOIN_GROUP. Killing the member closes its socket: the kernel sends
the Leave (IGMPv2) or the BLOCK/TO_IN{} report (IGMPv3/MLDv2).

"hold" joins many groups ((*,G), a socket each) and only holds them, for
churn: it writes FILE once all are joined and leaves them all on SIGTERM.

Importable: join(node, ...) -> Member, hold(node, groups) -> Member,
send(node, ...), stats(counts, n).
"""

import argparse
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time

MCAST_JOIN_SOURCE_GROUP = 46
IP_MULTICAST_ALL = 49
ME = os.path.abspath(__file__)
PYTHON = "/usr/bin/python3"


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def _sockaddr_storage(addr):
    """struct sockaddr_storage (128 bytes) holding addr, port 0."""
    if _family(addr) == socket.AF_INET:
        raw = struct.pack("=H", socket.AF_INET) + b"\0\0" + socket.inet_aton(addr)
    else:
        raw = (struct.pack("=H", socket.AF_INET6) + b"\0\0" + b"\0" * 4
               + socket.inet_pton(socket.AF_INET6, addr))
    return raw.ljust(128, b"\0")


def _join(s, group, source, ifindex):
    fam = _family(group)
    level = socket.IPPROTO_IP if fam == socket.AF_INET else socket.IPPROTO_IPV6
    if source:
        # struct group_source_req: u32 interface, padding to 8, group, source
        req = struct.pack("=I4x", ifindex) + _sockaddr_storage(group) + _sockaddr_storage(source)
        s.setsockopt(level, MCAST_JOIN_SOURCE_GROUP, req)
    elif fam == socket.AF_INET:
        # struct ip_mreqn: group, local address (any), ifindex
        s.setsockopt(level, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(group) + socket.inet_aton("0.0.0.0")
                     + struct.pack("=i", ifindex))
    else:
        s.setsockopt(level, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, group) + struct.pack("=I", ifindex))


def member(args):
    """Join, count packets per sequence number, rewrite args.out (JSON) at
    most every 0.2 s while things arrive; leave on SIGTERM/SIGINT."""
    fam = _family(args.group)
    ifindex = socket.if_nametoindex(args.dev)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        s.bind((args.group, args.port))
    else:
        s.bind((args.group, args.port, 0, ifindex))
    _join(s, args.group, args.source, ifindex)

    state = {"joined": time.time(), "counts": {}, "first": {}, "peers": {}, "other": 0}
    stop = []

    def dump():
        with open(args.out + ".tmp", "w") as f:
            json.dump(state, f)
        os.rename(args.out + ".tmp", args.out)

    def on_signal(signum, frame):
        stop.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    dump()
    dirty, last_dump = False, 0.0
    while not stop:
        try:
            r, _, _ = select.select([s], [], [], 0.2)
        except InterruptedError:
            continue
        now = time.time()
        if r:
            data, peer = s.recvfrom(2048)
            words = data.split()
            if len(words) >= 2 and words[0] == args.tag.encode():
                seq = words[1].decode()
                state["counts"][seq] = state["counts"].get(seq, 0) + 1
                state["first"].setdefault(seq, now)
                state["peers"][peer[0]] = state["peers"].get(peer[0], 0) + 1
            else:
                state["other"] += 1
            dirty = True
        if dirty and now - last_dump >= 0.2:
            dump()
            dirty, last_dump = False, now
    s.close()  # the kernel leaves the group here
    state["left"] = time.time()
    dump()


def holder(args):
    if args.groups.startswith("@"):
        with open(args.groups[1:]) as f:
            args.groups = f.read().strip()
    groups = args.groups.split(",")
    ifindex = socket.if_nametoindex(args.dev)
    # a socket per group: thousands for a benchmark
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = len(groups) + 64
    if soft < want:
        # root may raise the hard limit too
        if hard != resource.RLIM_INFINITY and hard < want:
            hard = want
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    socks = []
    for g in groups:
        s = socket.socket(_family(g), socket.SOCK_DGRAM)
        _join(s, g, None, ifindex)
        socks.append(s)
    stop = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
    signal.signal(signal.SIGINT, lambda signum, frame: stop.append(signum))
    state = {"joined": time.time(), "groups": groups, "counts": {}, "first": {}}
    with open(args.out + ".tmp", "w") as f:
        json.dump(state, f)
    os.rename(args.out + ".tmp", args.out)
    while not stop:
        signal.pause()
    for s in socks:
        s.close()  # the kernel sends a Leave / TO_IN{} report per group


def sender(args):
    fam = _family(args.group)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, args.ttl)
        if args.dev:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                         struct.pack("=4s4si", b"\0" * 4, b"\0" * 4,
                                     socket.if_nametoindex(args.dev)))
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, args.ttl)
        if args.dev:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF,
                         socket.if_nametoindex(args.dev))
    start = time.time()
    for seq in range(args.count):
        # a fixed schedule: a slow send does not shift the later packets
        delay = start + seq / args.rate - time.time()
        if delay > 0:
            time.sleep(delay)
        s.sendto(b"%s %d %.6f" % (args.tag.encode(), seq, time.time()),
                 (args.group, args.port))
    s.close()


IPV6_HOPOPTS = 54
ICMP6_MLD_QUERY = 130


def mld_querier(args):
    ifindex = socket.if_nametoindex(args.dev)
    srcs = [x for x in (args.sources or "").split(",") if x]
    # type, code, checksum (the kernel's), max resp code 1000 ms, reserved,
    # group, S/QRV 2, QQIC 125, number of sources, sources
    msg = (struct.pack("!BBHHH", ICMP6_MLD_QUERY, 0, 0, 1000, 0)
           + socket.inet_pton(socket.AF_INET6, args.group)
           + struct.pack("!BBH", 2, 125, len(srcs))
           + b"".join(socket.inet_pton(socket.AF_INET6, x) for x in srcs))
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.bind((args.from_, 0, 0, ifindex))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    # hop-by-hop header: Router Alert (MLD, RFC 2711) and a PadN
    hbh = bytes([0, 0, 5, 2, 0, 0, 1, 0])
    s.sendmsg([msg], [(socket.IPPROTO_IPV6, IPV6_HOPOPTS, hbh)], 0,
              (args.group, 0, 0, ifindex))
    s.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    m = sub.add_parser("member")
    m.add_argument("--group", required=True)
    m.add_argument("--source")
    m.add_argument("--dev", required=True)
    m.add_argument("--port", type=int, default=5100)
    m.add_argument("--tag", default="mcast")
    m.add_argument("--out", required=True)
    h = sub.add_parser("hold")
    h.add_argument("--groups", required=True)
    h.add_argument("--dev", required=True)
    h.add_argument("--out", required=True)
    s = sub.add_parser("send")
    s.add_argument("--group", required=True)
    s.add_argument("--port", type=int, default=5100)
    s.add_argument("--count", type=int, default=200)
    s.add_argument("--rate", type=float, default=100.0)
    s.add_argument("--dev")
    s.add_argument("--ttl", type=int, default=32)
    s.add_argument("--tag", default="mcast")
    q = sub.add_parser("mld-query")
    q.add_argument("--group", required=True)
    q.add_argument("--sources")
    q.add_argument("--dev", required=True)
    q.add_argument("--from", dest="from_", required=True)
    args = ap.parse_args()
    {"member": member, "hold": holder, "send": sender, "mld-query": mld_querier}[args.mode](args)


# --- driving both ends from a test -------------------------------------------


class Member:
    """A host's membership of one group, held by a background process that
    also counts what arrives. Leave with leave() (the kernel sends the
    Leave / BLOCK report)."""

    def __init__(self, node, group, source, dev, port, tag, out, proc):
        self.node, self.group, self.source, self.dev = node, group, source, dev
        self.port, self.tag, self.out, self.proc = port, tag, out, proc

    def state(self):
        """The member's last snapshot: {"counts": {seq: copies}, "first":
        {seq: arrival time}, "peers": {sender: packets}, "other": n}."""
        with open(self.out) as f:
            st = json.load(f)
        st["counts"] = {int(k): v for k, v in st["counts"].items()}
        st["first"] = {int(k): v for k, v in st["first"].items()}
        return st

    def counts(self):
        return self.state()["counts"]

    def alive(self):
        return self.proc.poll() is None

    def leave(self, timeout=10):
        """Stop the member (the kernel leaves the group); return its final state."""
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=timeout)
        return self.state()


# pimd's and pim6d's default IGMP/MLD query maximum response time, seconds
GQ_MAX_RESP = 10


def _force_version(node, key, want):
    """Set a host's forced IGMP/MLD version sysctl. Linux answers a general
    query that arrived before the change in the old version when its random
    response timer fires (up to the query's maximum response time later):
    a change waits that out, so that no report of the old version follows
    it. Set it before the routers start to spare the wait."""
    if node.cmd("sysctl -n %s" % key).strip() == str(want):
        return
    node.sysctl(key, want)
    time.sleep(GQ_MAX_RESP + 0.5)


def force_igmp_version(node, dev, version):
    "node's kernel speaks IGMP version 2, or 3 (the default), on dev."
    _force_version(node, "net.ipv4.conf.%s.force_igmp_version" % dev,
                   {2: 2, 3: 0}.get(version, version))


def force_mld_version(node, dev, version):
    "node's kernel speaks MLD version 1, or 2 (the default), on dev."
    _force_version(node, "net.ipv6.conf.%s.force_mld_version" % dev,
                   {1: 1, 2: 0}.get(version, version))


def join(node, group, source=None, dev="eth0", version=None, port=5100, tag="mcast"):
    """Make node join group on dev: (*,G) without source, (S,G) with one.
    version: IPv4 only, 2 or 3 forces the IGMP version the kernel speaks on
    dev (net.ipv4.conf.DEV.force_igmp_version), None leaves it alone.
    IPv6 joins use the kernel's default MLDv2. Returns a Member once the
    process has joined."""
    if version is not None and _family(group) == socket.AF_INET:
        force_igmp_version(node, dev, version)
    out = os.path.join(node.lab.workdir, "mcast-%s-%s-%s-%d.json" % (
        node.name, group.replace(":", "_"), source or "any", port))
    if os.path.exists(out):
        os.unlink(out)
    argv = [PYTHON, ME, "member", "--group", group, "--dev", dev, "--port", str(port),
            "--tag", tag, "--out", out]
    if source:
        argv += ["--source", source]
    proc = node.popen(argv, logfile=out + ".log")
    deadline = time.time() + 10
    while not os.path.exists(out):
        if proc.poll() is not None or time.time() > deadline:
            log = open(out + ".log").read() if os.path.exists(out + ".log") else ""
            raise RuntimeError("%s: join %s failed: %s" % (node.name, group, log))
        time.sleep(0.05)
    return Member(node, group, source, dev, port, tag, out, proc)


def hold(node, groups, dev="eth0", tag="hold", timeout=30):
    """Make node join every group of groups ((*,G)) on dev, in one process;
    leave() leaves them all. Returns a Member once all are joined."""
    out = os.path.join(node.lab.workdir, "mcast-%s-%s.json" % (node.name, tag))
    if os.path.exists(out):
        os.unlink(out)
    arg = ",".join(groups)
    if len(arg) > 65536:
        # one argument may not exceed 128 kB: many groups go in a file
        with open(out + ".groups", "w") as f:
            f.write(arg)
        arg = "@" + out + ".groups"
    argv = [PYTHON, ME, "hold", "--groups", arg, "--dev", dev, "--out", out]
    proc = node.popen(argv, logfile=out + ".log")
    deadline = time.time() + timeout
    while not os.path.exists(out):
        if proc.poll() is not None or time.time() > deadline:
            log = open(out + ".log").read() if os.path.exists(out + ".log") else ""
            raise RuntimeError("%s: joining %d groups failed: %s" % (node.name, len(groups), log))
        time.sleep(0.05)
    return Member(node, ",".join(groups), None, dev, 0, tag, out, proc)


def send(node, group, count=200, rate=100.0, port=5100, dev="eth0", ttl=32, tag="mcast"):
    """Send count numbered packets to group from node at rate packets/s
    (returns when the last one is sent)."""
    node.cmd("%s %s send --group %s --port %d --count %d --rate %s --dev %s --ttl %d --tag %s"
             % (PYTHON, ME, group, port, count, rate, dev, ttl, tag),
             timeout=60 + count / rate)


def mld_query(node, group, sources=(), dev="eth0", src=None):
    """node sends an MLDv2 specific query for group (and sources) on dev,
    from link-local address src."""
    node.cmd("%s %s mld-query --group %s --dev %s --from %s%s"
             % (PYTHON, ME, group, dev, src,
                " --sources %s" % ",".join(sources) if sources else ""))


def stats(counts, n):
    """What a member got of packets 0..n-1: {"received": distinct seqs,
    "missing": [seq...], "dups": {seq: copies} for copies > 1, "extra":
    seqs outside 0..n-1, "longest_gap": the longest run of missing seqs}."""
    missing = [i for i in range(n) if i not in counts]
    longest = run = 0
    for i in range(n):
        run = run + 1 if i not in counts else 0
        longest = max(longest, run)
    return {
        "received": n - len(missing),
        "missing": missing,
        "dups": {k: v for k, v in counts.items() if v > 1},
        "extra": sorted(k for k in counts if not 0 <= k < n),
        "longest_gap": longest,
    }


def wait_counts(m, n, timeout=10, idle=1.0):
    """Wait until member m has all n seqs or nothing new came for idle
    seconds (after the sender finished); return its counts."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        c = m.counts()
        if len(c) >= n and all(i in c for i in range(n)):
            time.sleep(idle)  # late duplicates
            return m.counts()
        total = sum(c.values())
        if total != last:
            last, since = total, time.time()
        elif time.time() - since >= idle:
            break
        time.sleep(0.1)
    return m.counts()


if __name__ == "__main__":
    sys.exit(main())
