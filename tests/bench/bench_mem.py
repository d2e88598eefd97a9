#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Benchmark (not a test): memory per route of zebra and bgpd with the
project's patched FRR against FRR 10.3 as Debian ships it (tools/build
--baseline), in the same run.

One router (mgmtd, zebra, sharpd, bgpd): sharpd installs N IPv4 (then, in a
fresh lab, N IPv6) routes into zebra, which puts them in the kernel, and
bgpd takes them with 'redistribute sharp'. The patched build runs without
the project's modules: this measures what every FRR user pays for the
patch series, which is above all the size of struct prefix in every route
node (doc/developer/evpn-l3mh.rst).

For each build and family it prints, per route, the growth of zebra's and
bgpd's RSS and of their heap in use (mallinfo's 'Used ordinary blocks' of
the main arena: the route tables; zebra's dataplane contexts, freed once
the kernel has the routes, live in the dataplane thread's arena), from
just before the install to when zebra has every route in the FIB and bgpd
every route in its RIB and the RSS has settled; and the ratios patched /
unpatched. The RSS keeps the high water mark of what zebra's dataplane
queue held, which depends on how fast the kernel took the routes in that
run; the heap figure does not.

Run on the host: make bench-mem N=1000000 (IPv6: N/5, or N="N N6")
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests", "lib"))

CONF = """frr defaults traditional
hostname r1
!
router bgp 65000
 bgp router-id 10.255.0.1
 no bgp network import-check
 address-family ipv4 unicast
  redistribute sharp
 exit-address-family
 address-family ipv6 unicast
  redistribute sharp
 exit-address-family
exit
!
"""
FAMILY = {
    # family: (first prefix, next hop, connected address, show route, show bgp)
    "ipv4": ("10.0.0.0", "192.168.1.2", "192.168.1.1/24", "show ip route summary json",
             "ipv4 unicast"),
    "ipv6": ("2001:db8::", "2001:db8:ffff::2", "2001:db8:ffff::1/64",
             "show ipv6 route summary json", "ipv6 unicast"),
}


def _sharp_fib(r, cmd):
    """(rib, fib) counts of sharp routes in zebra's summary."""
    js = json.loads(r.vtysh(cmd) or "{}")
    for e in js.get("routes", []):
        if e.get("type") == "sharp":
            return e.get("rib", 0), e.get("fib", 0)
    return 0, 0


def _bgp_rib_nodes(r, afi):
    """Routes in bgpd's table (show bgp <afi> statistics: total prefixes)."""
    out = r.vtysh("show bgp %s statistics" % afi)
    for line in out.splitlines():
        if line.strip().startswith("Total Prefixes"):
            return int(line.split()[-1])
    return 0


def _heap(r, d):
    """Bytes of the daemon's main heap arena in use (show memory: mallinfo's
    'Used ordinary blocks'), which, unlike the RSS, does not keep the high
    water mark of memory freed since (zebra's dataplane contexts)."""
    from lab import VTYSH

    out = r.cmd("%s -N %s -d %s -c 'show memory'" % (VTYSH, r.name, d), timeout=60)
    for line in out.splitlines():
        if "Used ordinary blocks:" in line:
            v, unit = line.split(":", 1)[1].split()
            return int(v) * {"bytes": 1, "KiB": 1024, "MiB": 1 << 20}[unit]
    return 0


def _settled_rss(r, daemons):
    """RSS (kB) once two readings 2 s apart agree within 0.5 %."""
    last = None
    for _ in range(60):
        now = {d: r.rss_kb(d) for d in daemons}
        if last and all(abs(now[d] - last[d]) <= last[d] / 200 for d in daemons):
            return now
        last = now
        time.sleep(2)
    return last


def measure(label, family, n):
    from lab import Lab, wait_for

    first, nh, addr, show_route, afi = FAMILY[family]
    lab = Lab("bench-mem-%s-%s-%d" % (label, family, n))
    try:
        r = lab.add_router("r1", ["mgmtd", "zebra", "sharpd", "bgpd"],
                           daemon_args={"zebra": ["-s", "268435456"]})
        r.script(["ip link add d0 type dummy", "ip addr add %s dev d0" % addr,
                  "ip link set d0 up"])
        conf = os.path.join(lab.workdir, "r1.conf")
        with open(conf, "w") as f:
            f.write(CONF)
        r.start_frr(conf)
        err = wait_for(lambda: None if nh.rsplit(".", 1)[0] in r.vtysh("show ip route connected")
                       or family == "ipv6" else "no connected route", timeout=30)
        assert err is None, err
        rss0 = _settled_rss(r, ("zebra", "bgpd"))
        heap0 = {d: _heap(r, d) for d in ("zebra", "bgpd")}
        t0 = time.time()
        r.vtysh("sharp install routes %s nexthop %s %d" % (first, nh, n))
        err = wait_for(lambda: None if _sharp_fib(r, show_route) == (n, n) else
                       "zebra %s" % (_sharp_fib(r, show_route),), timeout=3600, interval=5)
        assert err is None, err
        t_fib = time.time() - t0
        err = wait_for(lambda: None if _bgp_rib_nodes(r, afi) >= n else
                       "bgpd %d" % _bgp_rib_nodes(r, afi), timeout=1800, interval=5)
        assert err is None, err
        t_bgp = time.time() - t0
        rss1 = _settled_rss(r, ("zebra", "bgpd"))
        heap1 = {d: _heap(r, d) for d in ("zebra", "bgpd")}
        return {"build": label, "family": family, "n": n, "t_fib": t_fib, "t_bgp": t_bgp,
                "zebra_b": (rss1["zebra"] - rss0["zebra"]) * 1024.0 / n,
                "bgpd_b": (rss1["bgpd"] - rss0["bgpd"]) * 1024.0 / n,
                "zebra_h": (heap1["zebra"] - heap0["zebra"]) * 1.0 / n,
                "bgpd_h": (heap1["bgpd"] - heap0["bgpd"]) * 1.0 / n,
                "zebra_kb": rss1["zebra"], "bgpd_kb": rss1["bgpd"]}
    finally:
        # 'show ... ' of N routes in a state dump would outlast its timeout
        lab.dump_state = lambda: None
        lab.stop()


def main(args):
    if args and args[0] == "--measure":
        print("RESULT " + json.dumps(measure(args[1], args[2], int(args[3]))), flush=True)
        return 0
    n = int(args[0]) if args else 1000000
    # IPv6: N6 (second argument; default N/5, the kernel's FIB takes IPv6
    # routes far more slowly in the lab)
    n6 = int(args[1]) if len(args) > 1 else max(1, n // 5)
    build = os.environ.get("LAB_BUILD") or os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                                         "build")
    builds = [("unpatched", os.path.join(build, "install-base")),
              ("patched", os.path.join(build, "install"))]
    for label, prefix in builds:
        if not os.path.exists(os.path.join(prefix, "sbin", "zebra")):
            print("bench-mem: no FRR in %s (tools/build --baseline)" % prefix)
            return 2
    print("Memory per route: N sharpd routes in zebra (and the kernel's FIB) and, "
          "redistributed, in bgpd; unpatched FRR 10.3 vs the patched build", flush=True)
    print("per route: RSS growth, and growth of the heap in use (mallinfo)", flush=True)
    print("%-10s %-5s %8s %9s %9s %11s %11s %11s %11s" % (
        "build", "fam", "N", "t_fib", "t_bgp", "zebra RSS", "bgpd RSS", "zebra heap",
        "bgpd heap"), flush=True)
    res = {}
    for family, count in (("ipv4", n), ("ipv6", n6)):
        for label, prefix in builds:
            env = dict(os.environ, FRR_PREFIX=prefix,
                       PATH="%s/bin:%s/sbin:%s" % (prefix, prefix, os.environ.get("PATH", "")))
            out = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--measure",
                                  label, family, str(count)], env=env, capture_output=True,
                                 text=True)
            line = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
            if out.returncode or not line:
                print("%-10s %-5s %8d failed:\n%s%s" % (label, family, count, out.stdout,
                                                         out.stderr[-3000:]), flush=True)
                continue
            r = res[(label, family)] = json.loads(line[0][7:])
            print("%-10s %-5s %8d %8.1fs %8.1fs %11.1f %11.1f %11.1f %11.1f" % (
                label, family, count, r["t_fib"], r["t_bgp"], r["zebra_b"], r["bgpd_b"],
                r["zebra_h"], r["bgpd_h"]), flush=True)
        a, b = res.get(("patched", family)), res.get(("unpatched", family))
        if a and b and all(b[k] for k in ("zebra_b", "bgpd_b", "zebra_h", "bgpd_h")):
            print("%-10s %-5s %8s %9s %9s %10.3fx %10.3fx %10.3fx %10.3fx" % (
                "ratio", family, "", "", "", a["zebra_b"] / b["zebra_b"],
                a["bgpd_b"] / b["bgpd_b"], a["zebra_h"] / b["zebra_h"],
                a["bgpd_h"] / b["bgpd_h"]), flush=True)
    return 0 if len(res) == 4 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
