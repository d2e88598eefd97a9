#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Benchmark (not a test): EVPN L3 multi-homing IGP route sync (draft section
3.8) on the reference topology, next to the same routes without the sync,
in the same run.

For each N (default 10000): CE1 (OSPFv2 over its LAG, adjacency with one
PE, the learner) originates N external /32s (kernel blackhole routes,
`redistribute kernel`).
  plain  igp-sync off: time until PE3's kernel has all N, via the learner
         alone (CE1 -> OSPF -> learner -> VPN route -> RR -> PE3 -> kernel)
  l3mh   igp-sync on (ESI approach): time until PE3's kernel has all N
         with two next hops (... learner -> RT-5 -> RR -> other PE ->
         its VPN route -> RR -> PE3)
and prints routes/s and the RSS growth per route of bgpd and zebra on the
PEs. The ratio is l3mh / plain. Each measurement runs on a fresh lab.
With --profile it also prints how the lab's one CPU was spent during the
measurement (user, system, idle; the daemons that took most) and, per
daemon of PE1, PE2 and PE3, the event handlers that took most of it.

Run on the host: make bench-igp N="10000 --profile"
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests", "lib"))

from benchlib import (clear_event_cpu, cpu_times, on_fresh_lab, print_cpu_times,  # noqa: E402
                      print_event_cpu, run_sizes, wait_count)
from reftopo import RefTopo  # noqa: E402

TESTDIR = os.path.join(os.path.dirname(HERE), "topotests", "l3mh_igp")
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
DAEMON_ARGS = {"zebra": ["-s", "268435456"]}
PES = ("pe1", "pe2")
# --profile: where the daemons' CPU time goes, by FRR's own accounting of
# its event handlers (`show event cpu`); perf cannot sample UML's guests
PROFILE = "--profile" in sys.argv
PROFILED, DAEMONS = ("pe1", "pe2", "pe3"), ("bgpd", "zebra")


class BenchTopo(RefTopo):
    def config_path(self, router):
        if router == "ce1":
            return os.path.join(self.testdir, "ce1", "frr-ospf.conf")
        return super().config_path(router)


def ip_of(i):
    n = (10 << 24) | (100 << 16) | i
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def pe3_count(topo, n, want_nh):
    """How many of the N routes PE3's kernel has with want_nh next hops.
    Text, not `ip -j`: the JSON of a single-path route with MPLS encap has
    two "dst" keys (the prefix and the label stack), and the label wins."""
    out = topo["pe3"].cmd("ip -4 route show vrf CUST1 proto bgp")
    nhs = {}
    cur = None
    for line in out.splitlines():
        if not line[:1].isspace():
            cur = line.split()[0] if line.startswith("10.100.") else None
            if cur:
                nhs[cur] = 1 if " via " in line else 0
        elif cur and line.split()[:1] == ["nexthop"]:
            nhs[cur] += 1
    return sum(1 for v in nhs.values() if v == want_nh)


def rss(topo):
    return {(pe, d): topo[pe].rss_kb(d) for pe in PES for d in ("bgpd", "zebra")}


def learner(topo):
    out = topo["ce1"].vtysh_json("show ip ospf neighbor json").get("neighbors", {})
    full = [rid for rid, l in out.items() for x in l if x.get("nbrState", "").startswith("Full")]
    return full


def fresh_topo(kind):
    topo = BenchTopo(TESTDIR, name="bench-igp", modules=MODULES, daemon_args=DAEMON_ARGS,
                     ce1_igp=["ospfd", "ospf6d", "isisd"])
    topo.start()
    for pe in PES:
        topo[pe].config("no debug bgp evpn l3-multihoming\nno debug zebra evpn l3mh\n"
                        "no debug bgp zebra")
        if kind == "l3mh":
            topo[pe].config("router bgp 65000 vrf CUST1\naddress-family l2vpn evpn\n"
                            "l3-multihoming igp-sync")
    topo["ce1"].config("router ospf\nredistribute kernel")
    t0 = time.time()
    while len(learner(topo)) != 1 and time.time() - t0 < 90:
        time.sleep(1)
    # CE1's loopback with ECMP at PE3 (l3mh) or one path (plain): ready
    time.sleep(5)
    return topo


def run_one(topo, kind, n):
    want_nh = 2 if kind == "l3mh" else 1
    batch = "/tmp/bench-igp-%d.batch" % n
    with open(batch, "w") as f:
        f.write("\n".join("route add blackhole %s/32" % ip_of(i) for i in range(n)) + "\n")
    before = rss(topo)
    for node in PROFILED:
        for d in DAEMONS:
            clear_event_cpu(topo[node], d)
    cpu0 = cpu_times(topo.lab)
    t0 = time.time()
    topo["ce1"].cmd("ip -batch %s" % batch, timeout=600)
    deadline = t0 + 120 + n / 20.0
    got, t_last = wait_count(lambda: pe3_count(topo, n, want_nh), n, kind, t0, deadline)
    after = rss(topo)
    if PROFILE:
        print_cpu_times(cpu0, cpu_times(topo.lab))
        print_event_cpu([topo[node] for node in PROFILED], DAEMONS)
    return {"kind": kind, "n": n, "complete": got >= n, "got": got, "last_s": t_last,
            "rate": got / t_last if t_last else 0,
            "rss_per_route": {k: (after[k] - before[k]) * 1024.0 / n for k in before}}


def report(kind, n, r):
    print("bench: %-5s N=%-6d complete=%s (%d) last kernel route %.2f s, %.0f routes/s"
          % (kind, n, r["complete"], r["got"], r["last_s"], r["rate"]), flush=True)
    print("bench:        RSS growth per route (bytes): " + ", ".join(
        "%s %s %.0f" % (pe, d, v) for (pe, d), v in sorted(r["rss_per_route"].items())),
        flush=True)


def main():
    args = [a for a in sys.argv[1:] if a != "--profile"]
    sizes, results = run_sizes(args, ("plain", "l3mh"), [10000], on_fresh_lab(fresh_topo, run_one),
                               report)
    print("\nbench: summary (l3mh: PE3 has ECMP for all; plain: PE3 has them via the learner)")
    print("%-8s %10s %10s %7s" % ("N", "l3mh s", "plain s", "ratio"))
    for n in sizes:
        a, b = results.get(("l3mh", n)), results.get(("plain", n))
        if a and b:
            print("%-8d %10.2f %10.2f %7.2f" % (n, a["last_s"], b["last_s"],
                                                a["last_s"] / b["last_s"] if b["last_s"] else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
