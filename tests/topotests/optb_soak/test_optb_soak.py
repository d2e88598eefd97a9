#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
optb_soak: an EVPN Option-B border router (bgpd -M evpn_optb,
draft-rabadan-bess-evpn-inter-domain-opt-b section 2: next hop self, a
local label and a label swap LSP per labeled route) through session flaps
with many routes, its mgmtd, zebra and bgpd built with AddressSanitizer
(lib/soak.py).

    INJ (AS 65001) --eBGP-- BR (AS 65000) --eBGP-- SINK (AS 65002)

INJ (lib/bgpinject.py) sends N RT-2s (one RD per 1,000 MACs, Label1 a per
EVI label, the MPLS encapsulation EC); SINK is another bgpinject session
that takes what BR re-advertises. Each flap closes INJ's session (a Cease):
BR withdraws the routes from SINK, releases every local label and removes
every LSP; INJ comes back and sends the routes again. After each: BR holds
exactly one swap, one installed LSP in the kernel and one label of its
label pool per route, or none of them, and SINK's session has what BR
has; FRR's own memory accounting of bgpd and zebra has not grown with the
routes over the flaps. LAB_SOAK=full: 20 flaps of 10,000 routes; CI: 3 of 1,000. At the end
no daemon of BR has left an AddressSanitizer report, leaks included.
"""

import os
import struct
import time

import pytest

import bgpinject
import brtopo
import soak
from brtopo import BR_INJ_IP, BR_SINK_IP, INJ_AS, INJ_IP, SINK_AS, SINK_IP
from lab import Lab, wait_for

CWD = os.path.dirname(os.path.abspath(__file__))
EVI_LABEL = 5000
N = soak.scale(1000, 10000)
FLAPS = soak.scale(3, 20)
PER_UPDATE = 100


def updates(n):
    """UPDATE bodies carrying n RT-2s from INJ, PER_UPDATE per message."""
    attrs = (bgpinject.attr(0x40, bgpinject.ORIGIN, b"\x00")
             + bgpinject.attr(0x40, bgpinject.AS_PATH, b"\x02\x01" + struct.pack("!I", INJ_AS))
             + bgpinject.ext_communities(["0002fde900000001",     # RT 65001:1
                                          "030c00000000000a"]))  # encapsulation MPLS
    out = []
    for first in range(0, n, PER_UPDATE):
        nlris = [bgpinject.evpn_rt2(bgpinject.rd_ip(INJ_IP, 1 + i // 1000),
                                    "02:00:%02x:%02x:%02x:%02x" % (
                                        i >> 24 & 0xFF, i >> 16 & 0xFF, i >> 8 & 0xFF, i & 0xFF),
                                    labels=(EVI_LABEL,))
                 for i in range(first, min(n, first + PER_UPDATE))]
        out.append(bgpinject.update(attrs + bgpinject.mp_reach_evpn(INJ_IP, nlris)).hex())
    return out


@pytest.fixture(scope="module")
def topo():
    lab = Lab("optb_soak", asan=("br",))
    try:
        br, inj, sink = brtopo.build(lab)
        br.start_capture()
        br.start_frr(os.path.join(CWD, "br", "frr.conf"))
        lab.inj = bgpinject.Injector(inj, lab.workdir, BR_INJ_IP, INJ_AS, INJ_IP).start()
        lab.sink = bgpinject.Injector(sink, lab.workdir, BR_SINK_IP, SINK_AS, SINK_IP).start()
        lab.figures = soak.Figures(lab)
        lab.updates = updates(N)
        yield lab
    finally:
        lab.stop()


def state(lab):
    """What BR holds: routes from INJ and sent to SINK, swaps (and how many
    say their LSP is in), bgpd's LSPs in the kernel, labels of its pool."""
    br = lab["br"]
    peers = br.vtysh_json("show bgp l2vpn evpn summary json").get("peers", {})
    sw = br.vtysh_json("show bgp l2vpn evpn option-b label-swap json")
    swaps = sw.get("labelSwaps", [])
    kernel = [ln for ln in br.cmd("ip -f mpls route show").splitlines() if "proto bgp" in ln]
    pool = br.vtysh_json("show bgp labelpool summary json")
    return {"received": peers.get(INJ_IP, {}).get("pfxRcd"),
            "sent": peers.get(SINK_IP, {}).get("pfxSnt"),
            "swaps": len(swaps),
            "installed": sum(1 for s in swaps if s.get("lspInstalled")),
            "kernel_lsps": len(kernel),
            "kernel_distinct": len({ln.split()[0] for ln in kernel}),
            "labels": pool.get("inUse")}


def holds(lab, n):
    want = {"received": n, "sent": n, "swaps": n, "installed": n, "kernel_lsps": n,
            "kernel_distinct": n, "labels": n}

    def check():
        st = state(lab)
        return None if st == want else "BR holds %s, want %s" % (st, want)
    return check


def established(lab, peer):
    st = lab["br"].vtysh_json("show bgp neighbors %s json" % peer).get(peer, {}).get("bgpState")
    return None if st == "Established" else "%s: %s" % (peer, st)


def announce(lab):
    for u in lab.updates:
        lab.inj.send("update %s" % u)


def converge(what, check, timeout):
    t0 = time.time()
    err = wait_for(check, timeout=timeout, interval=1, desc=what)
    assert err is None, err
    return time.time() - t0


def test_lsan_reports_in_this_kernel(topo):
    err = soak.lsan_works(topo["br"])
    assert err is None, err


def test_sessions_and_nothing_held(topo):
    for peer in (INJ_IP, SINK_IP):
        converge("session %s" % peer, lambda: established(topo, peer), 120)
    converge("nothing yet", holds(topo, 0), 30)
    topo.rss0 = soak.rss(topo, ("zebra", "bgpd"))


def test_routes_swapped(topo):
    "INJ's N routes: BR holds one swap, one LSP and one label per route."
    announce(topo)
    t = converge("%d routes" % N, holds(topo, N), 600)
    topo.figures.add("%d routes swapped, LSPs in the kernel, in %.1f s" % (N, t))
    topo.mtypes = {d: soak.mtypes(topo["br"], d) for d in ("bgpd", "zebra")}


def test_flaps(topo):
    """INJ's session flaps FLAPS times: all is released each time, then
    all comes back."""
    t_down, t_up = 0.0, 0.0
    for i in range(FLAPS):
        topo.inj.close()
        t_down += converge("flap %d: released" % i, holds(topo, 0), 600)
        converge("flap %d: INJ back" % i, lambda: established(topo, INJ_IP), 120)
        announce(topo)
        t_up += converge("flap %d: swapped again" % i, holds(topo, N), 600)
    topo.figures.add("Option-B: %d flaps of %d routes; released in %.1f s, swapped again "
                     "in %.1f s per flap (ASan)" % (FLAPS, N, t_down / FLAPS, t_up / FLAPS))
    # the same routes held as before the flaps: FRR's own count of what
    # each daemon holds (reachable or not) has not grown with the routes
    grown = {}
    for d in ("bgpd", "zebra"):
        grown[d] = soak.mtype_growth(topo.mtypes[d], soak.mtypes(topo["br"], d))
        topo.figures.add("%s memory types changed over the flaps: %s" % (d, grown[d] or "none"))
    rss1 = soak.rss(topo, ("zebra", "bgpd"))
    topo.figures.add("RSS kB with no route -> with %d after the flaps (ASan): %s" % (N, ", ".join(
        "%s %d -> %d" % (k, topo.rss0.get(k, 0), v) for k, v in sorted(rss1.items()))))
    per_route = {d: {k: v for k, v in g.items() if v[1] - v[0] >= N // 10}
                 for d, g in grown.items()}
    assert not any(per_route.values()), "grown with the flaps: %s" % per_route


def test_no_asan_report(topo):
    soak.stop_all(topo)
    reps = soak.reports(topo)
    topo.figures.add("AddressSanitizer reports: %d" % len(reps))
    assert not reps, "\n\n".join("%s:\n%s" % kv for kv in reps.items())
