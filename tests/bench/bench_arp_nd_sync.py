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
per entry of bgpd and zebra on both PEs. Ratios are l3mh / plain, and
l3mh's sync time against the kernel's own: the times are the kernels'
event timestamps (ip -ts monitor neigh on both PEs), from PE1's first add
to PE1's last (the kernel learning them, from ip -batch) and to PE2's last
extern-learned add (the sync).
  latency  N entries (default 1000) learned on PE1 one at a time, each
         only once the one before is on PE2: learn -> install latency
         from PE1's kernel event to PE2's, p50, p99 and max

With --hold=MS, PE1, PE2 and the route reflector run with `bgp
process-queue hold-time MS` (default 50 ms: each BGP hop holds a route that
long before best path).

Run on the host: make bench N="10000 100000"  (N="--kinds=l3mh 100000": one
side; N="--kinds=latency 1000": the latency alone; N="--kinds=latency
--hold=0 1000")
"""

import os
import re
import sys
import time
from datetime import datetime

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


_TS = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\]\s*(Deleted )?(\S+) ")


class NeighMonitor:
    """ip -ts monitor neigh on a node's device: when the kernel added each
    address (its first add event after start; with extern=True only the
    extern-learned ones), read as the file grows"""

    def __init__(self, node, dev, path, extern=False):
        self.path, self.extern, self.off, self.first, self.gone = path, extern, 0, {}, {}
        # a big receive buffer: a monitor that falls behind loses events
        # (ENOBUFS) and would count too few
        run("sysctl -qw net.core.rmem_max=268435456")
        self.proc = node.popen(["ip", "-rcvbuf", "268435456", "-ts", "monitor", "neigh", "dev",
                                dev], logfile=path)
        time.sleep(0.5)

    def poll(self):
        try:
            with open(self.path) as f:
                f.seek(self.off)
                data = f.read()
        except OSError:
            return self.first
        end = data.rfind("\n") + 1
        self.off += len(data[:end].encode())
        for line in data[:end].splitlines():
            m = _TS.match(line)
            if not m:
                continue
            if m.group(2):
                # a deletion need not repeat the flags
                if m.group(3) in self.first and m.group(3) not in self.gone:
                    self.gone[m.group(3)] = datetime.fromisoformat(m.group(1)).timestamp()
                continue
            if self.extern and "extern_learn" not in line:
                continue
            if m.group(3) not in self.first:
                self.first[m.group(3)] = datetime.fromisoformat(m.group(1)).timestamp()
        return self.first

    def stop(self):
        self.proc.kill()
        self.proc.wait()


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

    wd = topo.lab.workdir
    mon1 = NeighMonitor(pe1, dev, os.path.join(wd, "mon-pe1-%s-%d" % (kind, n)))
    mon2 = NeighMonitor(pe2, dev, os.path.join(wd, "mon-pe2-%s-%d" % (kind, n)), extern=True)
    before = rss(topo)
    t0 = time.time()
    pe1.cmd("ip -batch %s" % batch, timeout=600)
    t_batch = time.time() - t0
    deadline = t0 + 120 + n / 50.0
    # counted from PE2's kernel events: dumping N neighbours to count them
    # would take the CPU the daemons share
    got, t_last = wait_count(lambda: len(mon2.poll()), n, kind, t0, deadline)
    after = rss(topo)
    # what the kernel has, once: the events counted must agree
    in_kernel = ext_count(pe2, dev)
    if in_kernel != got:
        print("bench:   PE2's kernel has %d extern-learned entries, its events %d"
              % (in_kernel, got), flush=True)
    learned, synced = dict(mon1.poll()), dict(mon2.poll())
    k_first = min(learned.values()) if learned else t0
    k_learn = (max(learned.values()) - k_first) if learned else 0
    k_sync = (max(synced.values()) - k_first) if synced else 0

    # clean up: the entries go, and so do PE2's copies
    with open(batch + ".del", "w") as f:
        f.write("\n".join("neigh del %s dev %s" % (ip_of(base, i), dev) for i in range(n)) + "\n")
    pe1.cmd("ip -batch %s.del" % batch, timeout=600)
    if fdb:
        with open(batch + ".fdbdel", "w") as f:
            f.write("\n".join("fdb del %s dev hostport master" % mac_of(macp, i)
                              for i in range(n)) + "\n")
        pe1.cmd("bridge -batch %s.fdbdel" % batch, check=False, timeout=600)
    # PE2's kernel events again: when each synced entry went
    t_del = time.time()
    mon2.poll()
    left = prev = len(synced) - len(mon2.gone)
    t_progress = time.time()
    while left > 0 and time.time() - t_progress < 60:
        time.sleep(0.5)
        mon2.poll()
        left = len(synced) - len(mon2.gone)
        if left != prev:
            prev, t_progress = left, time.time()
    t_clear = (max(mon2.gone.values()) - t_del) if mon2.gone else float("nan")
    mon1.stop()
    mon2.stop()

    return {
        "kind": kind, "n": n, "complete": got >= n, "got": got,
        "batch_s": t_batch, "last_install_s": t_last, "clear_s": t_clear,
        "kernel_learn_s": k_learn, "kernel_sync_s": k_sync,
        "rate": got / t_last if t_last else 0,
        "rss_per_entry": {k: (after[k] - before[k]) * 1024.0 / n for k in before},
    }


def fresh_topo(kind=None):
    """A new lab per measurement, so RSS growth is not hidden by memory an
    earlier run freed."""
    topo = BenchTopo(TESTDIR, name="bench", modules=MODULES, daemon_args=DAEMON_ARGS)
    topo.start()
    # no state dump at the end: 'show ... detail' of N routes outlasts its
    # timeout and would hide the benchmark's own error
    topo.lab.dump_state = lambda: None
    for pe in ("pe1", "pe2"):
        # benchmark without debug logs; the L2-VNI for the baseline
        topo[pe].config("no debug bgp evpn l3-multihoming\nno debug zebra evpn l3mh")
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\nadvertise-all-vni")

    def ready():
        es = topo["pe2"].vtysh_json("show bgp l2vpn evpn es json")
        vni = topo["pe2"].vtysh_json("show evpn vni json")
        return None if es and "100" in vni else "not yet"

    if HOLD is not None:
        for node in ("pe1", "pe2", "p"):
            topo[node].config("router bgp 65000\nbgp process-queue hold-time %d" % HOLD)
    t0 = time.time()
    while ready() and time.time() - t0 < 90:
        time.sleep(1)
    time.sleep(3)
    return topo


def run_latency(topo, n):
    """n entries learned on PE1 one at a time, each once the one before is
    on PE2: the latency from PE1's kernel event to PE2's"""
    pe1, pe2 = topo["pe1"], topo["pe2"]
    dev, base, macp = "bond1.1", (100 << 24) | (96 << 16), 0xc0
    wd = topo.lab.workdir
    mon1 = NeighMonitor(pe1, dev, os.path.join(wd, "mon-pe1-latency-%d" % n))
    mon2 = NeighMonitor(pe2, dev, os.path.join(wd, "mon-pe2-latency-%d" % n), extern=True)
    lost = 0
    for i in range(n):
        ip = ip_of(base, i)
        pe1.cmd("ip neigh add %s lladdr %s dev %s nud permanent" % (ip, mac_of(macp, i), dev))
        t_end = time.time() + 5
        while ip not in mon2.poll() and time.time() < t_end:
            time.sleep(0.005)
        if ip not in mon2.first:
            lost += 1
    learned, synced = mon1.poll(), mon2.poll()
    mon1.stop()
    mon2.stop()
    lat = sorted((synced[ip] - learned[ip]) * 1000.0 for ip in synced if ip in learned)
    pe1.cmd("ip neigh flush dev %s nud permanent" % dev, check=False)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    return {"kind": "latency", "n": n, "complete": not lost, "got": len(lat), "lost": lost,
            "p50": pct(0.50), "p99": pct(0.99), "max": lat[-1] if lat else float("nan")}


def report(kind, n, r):
    if kind == "latency":
        print("bench: latency N=%d (one at a time) learn on PE1 -> extern-learned on PE2: "
              "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d measured, %d not synced in 5 s)"
              % (n, r["p50"], r["p99"], r["max"], r["got"], r["lost"]), flush=True)
        return
    print("bench: %-5s N=%-7d complete=%s last kernel install %.2f s "
          "(ip -batch %.2f s), %.0f entries/s, cleared in %.2f s"
          % (kind, n, r["complete"], r["last_install_s"], r["batch_s"],
             r["rate"], r["clear_s"]), flush=True)
    print("bench:        kernel events: PE1 learnt all in %.2f s, PE2 had all %.2f s after "
          "PE1's first (%.2f x)" % (r["kernel_learn_s"], r["kernel_sync_s"],
                                     r["kernel_sync_s"] / r["kernel_learn_s"]
                                     if r["kernel_learn_s"] else float("nan")), flush=True)
    print("bench:        RSS growth per entry (bytes): " + ", ".join(
        "%s %s %.0f" % (pe, d, v) for (pe, d), v in sorted(r["rss_per_entry"].items())),
        flush=True)


def run_kind(topo, kind, n):
    return run_latency(topo, n) if kind == "latency" else run_one(topo, kind, n)


HOLD = None


def main():
    global HOLD
    args = sys.argv[1:]
    for a in [a for a in args if a.startswith("--hold=")]:
        HOLD = int(a.split("=", 1)[1])
        args.remove(a)
        print("bench: bgp process-queue hold-time %d on PE1, PE2 and the RR" % HOLD, flush=True)
    if any(a == "--kinds=latency" for a in args) and not [a for a in args if a.isdigit()]:
        args.append("1000")
    sizes, results = run_sizes(args, ("plain", "l3mh"), [10000, 100000],
                               on_fresh_lab(fresh_topo, run_kind), report)
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
    for n in sizes:
        a = results.get(("l3mh", n))
        if a and a["kernel_learn_s"]:
            print("bench: l3mh N=%d: sync / kernel learning %.2f (PE2 had all %.2f s after PE1's "
                  "first add; PE1's kernel learnt them in %.2f s)" % (
                      n, a["kernel_sync_s"] / a["kernel_learn_s"], a["kernel_sync_s"],
                      a["kernel_learn_s"]), flush=True)
        if a:
            print("bench: l3mh N=%d: memory per synced entry (RSS growth, bytes): PE1 bgpd %.0f, "
                  "zebra %.0f; PE2 bgpd %.0f, zebra %.0f" % (
                      n, a["rss_per_entry"]["pe1", "bgpd"], a["rss_per_entry"]["pe1", "zebra"],
                      a["rss_per_entry"]["pe2", "bgpd"], a["rss_per_entry"]["pe2", "zebra"]),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
