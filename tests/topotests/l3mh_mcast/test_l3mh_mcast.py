#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_mcast: IGMP/MLD joins on the L3 ES of the reference topology, the
baseline without join sync (no RT-7/RT-8 yet): the data plane of the lab.

H1 (VLAN 1 behind SW1's LAG) joins groups of S1, a source behind PE3. SW1's
layer-2 LAG hash sends each report to one PE only, the "learner"; only that
PE joins the tree towards PE3 and forwards, so H1 gets each packet once.

Multicast transport: FRR has no MVPN, so two VRF-lite links PE3-PE1 and
PE3-PE2 with PIM stand in for the MVPN's PMSI tunnels (lib/reftopo.py);
the PEs' RPF for S1 and the RP (PE3's 203.0.113.129, for 239/8) is a static
route over that link (see pe1/frr.conf). 232/8 is SSM (pimd's default
range), ff3e::/32 is pim6d's default SSM range.

The draft's case is all of this in VRF CUST1. That needs one kernel
multicast routing table per VRF (CONFIG_IP_MROUTE_MULTIPLE_TABLES; for IPv6
also CONFIG_IPV6_MROUTE): Debian's user-mode-linux kernels (6.1 in
bookworm, 6.12 in trixie) have neither, and pimd's CUST1 instance then gets
no mroute socket (MRT_TABLE: ENOPROTOOPT), no VIFs, no PIM neighbours and
no IGMP groups. On such a kernel this module runs the same configs in the
global table instead (bond1.1, the transport links and S1's link outside
the VRFs; `router pim vrf CUST1` -> `router pim`) and skips the IPv6 data
plane; with a kernel that has the options it runs in CUST1 unchanged.
"""

import json
import os
import re
import time

import pytest

import mcast
from lab import wait_for
from reftopo import ES, PE3_S1_IP4, S1_IP4, S1_IP6, RefTopo, lag_whole, mcast_link, mroute_tables

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
PES = ("pe1", "pe2")
ASM_G, SSM_G, MLD_G = "239.1.1.1", "232.1.1.1", "ff3e::1:1"
N, RATE = 200, 100


class McastTopo(RefTopo):
    """The reference topology with the multicast extras, in VRF CUST1 when
    the kernel has per-VRF multicast tables, else in the global table."""

    def __init__(self):
        self.kernel = mroute_tables()
        vrf = "CUST1" if self.kernel["ipv4"] == "ok" else None
        super().__init__(CWD, modules=MODULES, mcast=True, mcast_vrf=vrf)
        self.vrf_arg = "vrf CUST1 " if vrf else ""
        self.table = "table 1001" if vrf else ""

    def config_path(self, router):
        path = super().config_path(router)
        if self.mcast_vrf or router == "p":
            return path
        # the same config in the global table (see the module doc)
        text = open(path).read()
        for a, b in (("router pim vrf CUST1\n", "router pim\n"),
                     ("router pim6 vrf CUST1\n", "router pim6\n")):
            assert a in text, (router, a)
            text = text.replace(a, b)
        if router in PES:
            text, n = re.subn(r"\nvrf CUST1\n((?: .*\n)+)exit-vrf\n",
                              lambda m: "\n" + re.sub(r"(?m)^ ", "", m.group(1)), text)
            assert n == 1, router
        out = os.path.join(self.lab.workdir, "%s-frr.conf" % router)
        with open(out, "w") as f:
            f.write(text)
        return out

    def show(self, node, cmd, json_out=True):
        "A pimd/pim6d show command in the multicast VRF: 'show ip pim X' etc."
        c = re.sub(r"^show (ip|ipv6) (pim|igmp|mld|mroute)", r"show \1 \2 " + self.vrf_arg.strip(), cmd)
        return self[node].vtysh_json(c + " json") if json_out else self[node].vtysh(c)

    def kernel_mroutes(self, node, v6=False):
        return self[node].cmd("ip %smroute show %s" % ("-6 " if v6 else "", self.table))


@pytest.fixture(scope="module")
def topo():
    t = McastTopo()
    try:
        t.start()
        t.lab.log("kernel multicast tables per VRF: %s; multicast in %s"
                  % (t.kernel, t.mcast_vrf or "the global table"))
        yield t
    finally:
        t.stop()


def _record(topo, name, text):
    with open(os.path.join(topo.lab.workdir, "mcast-%s.txt" % name), "a") as f:
        f.write(text.rstrip() + "\n")


def _has_group(js, ifname, group, source=None):
    """True if a pimd/pim6d groups/joins json names group (and source) under ifname."""
    def walk(o):
        if isinstance(o, dict):
            if ifname in o and walk_in(o[ifname]):
                return True
            return any(walk(v) for k, v in o.items() if k != ifname)
        if isinstance(o, list):
            return any(walk(v) for v in o)
        return False

    def walk_in(o):
        text = json.dumps(o)
        return group in text and (source is None or source in text)

    return walk(js)


def igmp_learners(topo, group, source=None):
    "The PEs whose IGMP state on bond1.1 has group (and source)."
    cmd = "show ip igmp sources" if source else "show ip igmp groups"
    return [pe for pe in PES if _has_group(topo.show(pe, cmd), "bond1.1", group, source)]


def mld_learners(topo, group, source=None):
    return [pe for pe in PES
            if _has_group(topo.show(pe, "show ipv6 mld joins"), "bond1.1", group, source)]


def _one_learner(topo, learners_fn, group, source=None, timeout=30):
    found = []

    def check():
        found[:] = learners_fn(topo, group, source)
        return None if len(found) == 1 else "learners %s" % found

    err = wait_for(check, timeout=timeout, desc="one PE learns %s" % group)
    assert err is None, err
    return found[0]


def _receive_each_once(topo, member, group, port, learner, v6=False):
    """S1 sends N numbered packets after a warm-up (the first packet of a
    new (S,G) can be lost while the PEs resolve it); H1 must get each once."""
    s1 = topo["s1"]
    mcast.send(s1, group, count=5, rate=10, port=port, tag="warmup")

    def tree_ready():
        out = topo.kernel_mroutes(learner, v6)
        return None if group in out and "Oifs" in out else "no kernel mroute for %s: %r" % (group, out)

    err = wait_for(tree_ready, timeout=20, desc="%s mroute" % learner)
    assert err is None, err
    mcast.send(s1, group, count=N, rate=RATE, port=port)
    counts = mcast.wait_counts(member, N, timeout=15)
    st = mcast.stats(counts, N)
    for pe in ("pe1", "pe2", "pe3"):
        _record(topo, group, "### %s: ip mroute show %s\n%s" % (pe, topo.table, topo.kernel_mroutes(pe, v6)))
    assert st["received"] == N and not st["dups"] and not st["extra"], (
        "%s: got %d/%d, missing %s, duplicates %s" % (group, st["received"], N, st["missing"][:20], st["dups"]))
    return st


def test_lag_up(topo):
    "SW1's LACP bond aggregates the links to PE1 and PE2."
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=30,
                   desc="sw1 bond0 aggregation")
    assert err is None, err


def test_pim_neighbors_over_transport(topo):
    "PIM adjacencies over the transport links: PE1-PE3 and PE2-PE3."
    want = {"pe1": {"eth-m": mcast_link("pe1")[0][1]}, "pe2": {"eth-m": mcast_link("pe2")[0][1]},
            "pe3": {"eth-m1": mcast_link("pe1")[0][0], "eth-m2": mcast_link("pe2")[0][0]}}
    for node, nbrs in want.items():
        def check():
            js = topo.show(node, "show ip pim neighbor")
            for ifname, addr in nbrs.items():
                if addr not in js.get(ifname, {}):
                    return "%s: no neighbour %s on %s: %s" % (node, addr, ifname, js)
            return None

        err = wait_for(check, timeout=60, desc="%s PIM neighbours" % node)
        assert err is None, err


def test_rpf_over_transport(topo):
    "The learner-side PEs' RPF towards S1 and the RP is the transport link."
    for pe in PES:
        for addr in (S1_IP4, PE3_S1_IP4):
            out = topo[pe].vtysh("show ip route %s%s" % (topo.vrf_arg, addr))
            assert "eth-m" in out, (pe, addr, out)


def _log_count(topo, pe, daemon, pattern):
    with open(os.path.join(topo[pe].logdir, "%s.log" % daemon)) as f:
        return len(re.findall(pattern, f.read()))


def test_igmpv2_asm_join_and_forwarding(topo):
    """H1 joins (*,239.1.1.1) with IGMPv2: one PE learns it (SW1's hash),
    S1's 200 packets arrive at H1 exactly once each, through that PE.

    The learner's kernel then has (global table; `ip mroute show table 1001`
    in CUST1):
      (0.0.0.0,239.1.1.1)        Iif: eth-m  Oifs: pimreg bond1.1 eth-m  State: resolved
      (203.0.113.130,239.1.1.1)  Iif: eth-m  Oifs: bond1.1  State: resolved
    and PE3's: (203.0.113.130,239.1.1.1) Iif: eth-s1 Oifs: eth-m1 (towards
    the learner only); the other PE has no entry."""
    m = mcast.join(topo["h1"], ASM_G, version=2, port=5100)
    try:
        learner = _one_learner(topo, igmp_learners, ASM_G)
        other = "pe2" if learner == "pe1" else "pe1"
        _record(topo, ASM_G, "learner %s" % learner)
        _receive_each_once(topo, m, ASM_G, 5100, learner)
        assert igmp_learners(topo, ASM_G) == [learner], "the other PE learnt it too (sync?)"
        assert ASM_G not in topo.kernel_mroutes(other), topo.kernel_mroutes(other)
        leave = r"Recv IGMPv2 LEAVE from %s on bond1.1 for %s" % (re.escape("192.0.2.2"),
                                                                  re.escape(ASM_G))
        before = {pe: _log_count(topo, pe, "pimd", leave) for pe in PES}
    finally:
        m.leave()
    topo.lab.log("IGMPv2 %s: learner %s" % (ASM_G, learner))

    # The Leave goes to 224.0.0.2, so SW1's layer-2 hash may send it to the
    # PE that never saw the report (here: PE2, the report went to PE1).
    leave_pe = []

    def leave_seen():
        leave_pe[:] = [pe for pe in PES if _log_count(topo, pe, "pimd", leave) > before[pe]]
        return None if leave_pe else "no PE logged the Leave"

    err = wait_for(leave_seen, timeout=10, desc="IGMPv2 Leave")
    assert err is None, err
    _record(topo, ASM_G, "leave received by %s" % leave_pe)
    if leave_pe == [learner]:
        err = wait_for(lambda: None if not igmp_learners(topo, ASM_G) else "still joined",
                       timeout=20, desc="IGMPv2 leave")
        assert err is None, err
    else:
        # Baseline without Leave sync (RT-8): the learner keeps the group
        # until its membership timer (260 s) runs out.
        assert leave_pe == [other], leave_pe
        time.sleep(5)
        assert igmp_learners(topo, ASM_G) == [learner]


def test_igmpv3_ssm_join_and_forwarding(topo):
    """H1 joins (S1,232.1.1.1) with IGMPv3: one PE learns it, PIM SSM joins
    towards S1 over the transport, H1 gets each packet once."""
    m = mcast.join(topo["h1"], SSM_G, source=S1_IP4, version=3, port=5101)
    try:
        learner = _one_learner(topo, igmp_learners, SSM_G, S1_IP4)
        _record(topo, SSM_G, "learner %s" % learner)
        _receive_each_once(topo, m, SSM_G, 5101, learner)
    finally:
        m.leave()
    err = wait_for(lambda: None if not igmp_learners(topo, SSM_G, S1_IP4) else "still joined",
                   timeout=20, desc="IGMPv3 leave")
    assert err is None, err


def test_mldv2_ssm_join(topo):
    "H1 joins (S1,ff3e::1:1) with MLDv2: one PE's pim6d learns it."
    m = mcast.join(topo["h1"], MLD_G, source=S1_IP6, port=5102)
    try:
        learner = _one_learner(topo, mld_learners, MLD_G, S1_IP6)
        _record(topo, MLD_G, "learner %s" % learner)
    finally:
        m.leave()
    # MLDv2 reports, the BLOCK included, go to ff02::16: the same PE
    err = wait_for(lambda: None if not mld_learners(topo, MLD_G, S1_IP6) else "still joined",
                   timeout=20, desc="MLDv2 leave")
    assert err is None, err


def test_mldv2_ssm_forwarding(topo):
    "S1's IPv6 packets to ff3e::1:1 arrive at H1 exactly once each."
    if topo.kernel["ipv6"] != "ok":
        pytest.skip("lab kernel has no IPv6 multicast routing (CONFIG_IPV6_MROUTE): %s"
                    % topo.kernel["ipv6"])
    m = mcast.join(topo["h1"], MLD_G, source=S1_IP6, port=5103)
    try:
        learner = _one_learner(topo, mld_learners, MLD_G, S1_IP6)
        _receive_each_once(topo, m, MLD_G, 5103, learner, v6=True)
    finally:
        m.leave()
