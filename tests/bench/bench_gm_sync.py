#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Benchmark (not a test): EVPN L3 multi-homing IGMP join sync (draft-ietf-
bess-evpn-l3mh-proto section 3.7, RFC 9251 RT-7), on the reference
topology of the l3mh_soak topotest.

For each N (default 10000): H1 joins N groups with IGMPv2 (a socket each;
SW1's LAG hashes each report to PE1 or PE2), and the benchmark reads both
PEs' pimd (show ip igmp evpn-sync json) until every group is a local
membership on one PE and a synced one on the other. It prints, from the
first join:
  local   the time until the PEs' pimd have all N as local memberships:
          pimd's own handling of N local joins, the baseline
  synced  the time until each is synced on the other PE too
          (pimd -> zebra -> bgpd RT-7 -> RR -> bgpd -> zebra -> pimd)
and the ratio synced / local, then the RSS growth per group of pimd, bgpd
and zebra on both PEs. H1 then leaves them all, and the time until both
PEs have none is printed too.

Run on the host: make bench-gm N=10000
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests", "lib"))

import mcast  # noqa: E402
from benchlib import on_fresh_lab, run_sizes  # noqa: E402
from reftopo import RefTopo  # noqa: E402

TESTDIR = os.path.join(os.path.dirname(HERE), "topotests", "l3mh_soak")
PES = ("pe1", "pe2")
MODULES = {pe: {d: ["evpn_l3mh"] for d in ("zebra", "bgpd", "pimd", "pim6d")} for pe in PES}
IFNAME, VRF = "bond1.1", "CUST1"
DAEMONS = ("pimd", "bgpd", "zebra")


def group(i):
    return "239.%d.%d.%d" % (64 + (i >> 16), (i >> 8) & 255, i & 255)


class BenchTopo(RefTopo):
    def build(self):
        super().build()
        self.lab["h1"].sysctl("net.ipv4.conf.eth0.force_igmp_version", 2)


def origins(topo):
    """{pe: {"local": n, "synced": n}} of the benchmark's groups in pimd"""
    out = {}
    for pe in PES:
        js = topo[pe].vtysh_json("show ip igmp evpn-sync vrf %s json" % VRF) or {}
        c = {"local": 0, "synced": 0}
        for m in js.get("memberships", []):
            if m.get("interface") == IFNAME and m.get("group", "").startswith("239.") and \
                    not m["group"].startswith("239.1.") and m.get("origin") in c:
                c[m["origin"]] += 1
        out[pe] = c
    return out


def rss(topo):
    return {(pe, d): topo[pe].rss_kb(d) for pe in PES for d in DAEMONS}


def run_one(topo, kind, n):
    before = rss(topo)
    groups = [group(i) for i in range(n)]
    t0 = time.time()
    m = mcast.hold(topo["h1"], groups, tag="bench%d" % n, timeout=60 + n / 100.0)
    t_local = t_sync = None
    deadline = t0 + 120 + n / 20.0
    last = None
    while time.time() < deadline:
        o = origins(topo)
        local = sum(o[pe]["local"] for pe in PES)
        synced = sum(o[pe]["synced"] for pe in PES)
        now = time.time()
        if (local, synced) != last:
            print("bench:   %d local, %d synced after %.1f s" % (local, synced, now - t0),
                  flush=True)
            last = (local, synced)
        if t_local is None and local >= n:
            t_local = now - t0
        if t_sync is None and synced >= n:
            t_sync = now - t0
        if t_local is not None and t_sync is not None:
            break
        time.sleep(1)
    after = rss(topo)
    # and all leave again
    t1 = time.time()
    m.leave(timeout=120)
    t_gone = None
    while time.time() < t1 + 120 + n / 20.0:
        o = origins(topo)
        if not any(o[pe]["local"] or o[pe]["synced"] for pe in PES):
            t_gone = time.time() - t1
            break
        time.sleep(1)
    return {"n": n, "local_s": t_local, "sync_s": t_sync, "gone_s": t_gone,
            "rss": {k: (after[k] - before[k]) * 1024.0 / n for k in before}}


def fresh_topo(kind=None):
    topo = BenchTopo(TESTDIR, name="bench-gm", modules=MODULES, mcast=True)
    topo.start()
    for pe in PES:
        topo[pe].config("no debug bgp evpn l3-multihoming\nno debug zebra evpn l3mh")
    for _ in range(90):
        js = topo["pe2"].vtysh_json("show bgp l2vpn evpn es json")
        if js:
            break
        time.sleep(1)
    time.sleep(5)
    return topo


def fmt(v):
    return "%.1f s" % v if v is not None else "not reached"


def report(kind, n, r):
    print("bench: N=%d groups: all local (pimd) %s, all synced %s, ratio %s; all left %s"
          % (n, fmt(r["local_s"]), fmt(r["sync_s"]),
             "%.2f" % (r["sync_s"] / r["local_s"]) if r["local_s"] and r["sync_s"] else "-",
             fmt(r["gone_s"])), flush=True)
    print("bench:   RSS growth per group (bytes): " + ", ".join(
        "%s %s %.0f" % (pe, d, v) for (pe, d), v in sorted(r["rss"].items())), flush=True)


def main():
    run_sizes(sys.argv[1:], ("gm",), [10000], on_fresh_lab(fresh_topo, run_one), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
