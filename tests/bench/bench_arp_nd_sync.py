#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Benchmark (not a test): EVPN L3 multi-homing ARP/ND sync, PE1 -> PE2, on the
reference topology, next to FRR's own EVPN propagation of the same number
of plain RT-2 (MAC+IP) routes in the same run.

For each N (default 10000 100000):
  l3mh   N permanent neighbours appear on PE1's bond1.1 (CUST1, ES-1);
         time until PE2's kernel has all N as extern-learned entries on
         bond1.1 (zebra -> bgpd RT-2 -> RR -> bgpd -> zebra -> kernel)
  plain  N static FDB entries + neighbours on PE1's VxLAN L2-VNI SVI
         (advertise-all-vni); time until PE2's kernel has all N as
         extern-learned neighbours on its SVI: FRR's standard RT-2 path
and prints entries/s, time to the last kernel install and the RSS growth
per entry of bgpd and zebra on both PEs. Ratios are l3mh / plain.

Run on the host: make bench N="10000 100000"  (N="--kinds=l3mh 100000": one side)
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests", "lib"))

from lab import run  # noqa: E402
from benchlib import on_fresh_lab, run_sizes, wait_count  # noqa: E402
from reftopo import RefTopo  # noqa: E402

TESTDIR = os.path.join(os.path.dirname(HERE), "topotests", "l3mh_arp_nd")
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
# a big netlink buffer, as production zebras run with
DAEMON_ARGS = {"zebra": ["-s", "268435456"]}


class BenchTopo(RefTopo):
    """l3mh_arp_nd's PEs, plus a VxLAN L2-VNI 100 on PE1 and PE2."""

    def build(self):
        super().build()
        for pe, i in (("pe1", 1), ("pe2", 2)):
            self.lab[pe].script([
                "ip link add br100 type bridge",
                "ip link add vxlan100 type vxlan id 100 local 10.0.0.%d dstport 4789 nolearning" % i,
                "ip link set vxlan100 master br100",
                "ip link add hostport type dummy",
                "ip link set hostport master br100",
                "ip addr add 172.16.0.%d/12 dev br100" % i,
                "ip link set vxlan100 up", "ip link set hostport up", "ip link set br100 up",
            ])
        # the neighbour tables' garbage collection limits are global
        run("; ".join("sysctl -qw net.ipv%s.neigh.default.gc_thresh%d=4194304" % (v, t)
                      for v in ("4", "6") for t in (1, 2, 3)))


def ip_of(base, i):
    n = base + i
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def mac_of(prefix, i):
    return "02:%02x:%02x:%02x:%02x:%02x" % (prefix, (i >> 24) & 255, (i >> 16) & 255,
                                            (i >> 8) & 255, i & 255)


def ext_count(node, dev):
    out = node.cmd("ip -4 neigh show dev %s | grep -c extern_learn || true" % dev)
    return int(out.strip() or 0)


def rss(topo):
    return {(pe, d): topo[pe].rss_kb(d) for pe in ("pe1", "pe2") for d in ("bgpd", "zebra")}


def run_one(topo, kind, n):
    pe1, pe2 = topo["pe1"], topo["pe2"]
    batch = "/tmp/bench-%s-%d.batch" % (kind, n)
    if kind == "l3mh":
        dev, base, macp = "bond1.1", (100 << 24) | (64 << 16), 0xa0
        lines = ["neigh add %s lladdr %s dev %s nud permanent"
                 % (ip_of(base, i), mac_of(macp, i), dev) for i in range(n)]
        fdb = []
    else:
        dev, base, macp = "br100", (172 << 24) | (16 << 16) | 256, 0xb0
        lines = ["neigh add %s lladdr %s dev %s nud permanent"
                 % (ip_of(base, i), mac_of(macp, i), dev) for i in range(n)]
        fdb = ["fdb add %s dev hostport master static" % mac_of(macp, i) for i in range(n)]
    with open(batch, "w") as f:
        f.write("\n".join(lines) + "\n")
    if fdb:
        with open(batch + ".fdb", "w") as f:
            f.write("\n".join(fdb) + "\n")
        pe1.cmd("bridge -batch %s.fdb" % batch, timeout=600)

    before = rss(topo)
    t0 = time.time()
    pe1.cmd("ip -batch %s" % batch, timeout=600)
    t_batch = time.time() - t0
    deadline = t0 + 120 + n / 50.0
    got, t_last = wait_count(lambda: ext_count(pe2, dev), n, kind, t0, deadline)
    after = rss(topo)

    # clean up: the entries go, and so do PE2's copies
    with open(batch + ".del", "w") as f:
        f.write("\n".join("neigh del %s dev %s" % (ip_of(base, i), dev) for i in range(n)) + "\n")
    pe1.cmd("ip -batch %s.del" % batch, timeout=600)
    if fdb:
        with open(batch + ".fdbdel", "w") as f:
            f.write("\n".join("fdb del %s dev hostport master" % mac_of(macp, i)
                              for i in range(n)) + "\n")
        pe1.cmd("bridge -batch %s.fdbdel" % batch, check=False, timeout=600)
    left = prev = ext_count(pe2, dev)
    t_progress = time.time()
    while left > 0 and time.time() - t_progress < 60:
        time.sleep(0.5)
        left = ext_count(pe2, dev)
        if left != prev:
            prev, t_progress = left, time.time()
    t_clear = time.time() - t0 - t_last

    return {
        "kind": kind, "n": n, "complete": got >= n, "got": got,
        "batch_s": t_batch, "last_install_s": t_last, "clear_s": t_clear,
        "rate": got / t_last if t_last else 0,
        "rss_per_entry": {k: (after[k] - before[k]) * 1024.0 / n for k in before},
    }


def fresh_topo(kind=None):
    """A new lab per measurement, so RSS growth is not hidden by memory an
    earlier run freed."""
    topo = BenchTopo(TESTDIR, name="bench", modules=MODULES, daemon_args=DAEMON_ARGS)
    topo.start()
    for pe in ("pe1", "pe2"):
        # benchmark without debug logs; the L2-VNI for the baseline
        topo[pe].config("no debug bgp evpn l3-multihoming\nno debug zebra evpn l3mh")
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\nadvertise-all-vni")

    def ready():
        es = topo["pe2"].vtysh_json("show bgp l2vpn evpn es json")
        vni = topo["pe2"].vtysh_json("show evpn vni json")
        return None if es and "100" in vni else "not yet"

    t0 = time.time()
    while ready() and time.time() - t0 < 90:
        time.sleep(1)
    time.sleep(3)
    return topo


def report(kind, n, r):
    print("bench: %-5s N=%-7d complete=%s last kernel install %.2f s "
          "(ip -batch %.2f s), %.0f entries/s, cleared in %.2f s"
          % (kind, n, r["complete"], r["last_install_s"], r["batch_s"],
             r["rate"], r["clear_s"]), flush=True)
    print("bench:        RSS growth per entry (bytes): " + ", ".join(
        "%s %s %.0f" % (pe, d, v) for (pe, d), v in sorted(r["rss_per_entry"].items())),
        flush=True)


def main():
    sizes, results = run_sizes(sys.argv[1:], ("plain", "l3mh"), [10000, 100000],
                               on_fresh_lab(fresh_topo, run_one), report)
    print("\nbench: summary (l3mh / plain EVPN RT-2, same run, fresh daemons each)")
    print("%-8s %10s %10s %7s %11s %11s %14s %14s" % (
        "N", "l3mh s", "plain s", "ratio", "l3mh ent/s", "plain ent/s",
        "l3mh B/ent*", "plain B/ent*"))
    for n in sizes:
        a, b = results.get(("l3mh", n)), results.get(("plain", n))
        if not a or not b:
            continue
        mem = lambda r: sum(r["rss_per_entry"].values())
        print("%-8d %10.2f %10.2f %7.2f %11.0f %11.0f %14.0f %14.0f" % (
            n, a["last_install_s"], b["last_install_s"],
            a["last_install_s"] / b["last_install_s"] if b["last_install_s"] else 0,
            a["rate"], b["rate"], mem(a), mem(b)), flush=True)
    print("bench: * RSS growth per entry, bgpd + zebra on PE1 and PE2 together")
    return 0


if __name__ == "__main__":
    sys.exit(main())
