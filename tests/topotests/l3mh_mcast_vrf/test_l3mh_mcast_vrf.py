#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_mcast_vrf: the IGMP/MLD join sync of l3mh_mcast in VRF CUST1, the
draft's case (bond1.1 in CUST1, the sync configured in CUST1's
address-family l2vpn evpn, EVI-RT 65000:1), with l3mh_mcast's configs.

On a kernel without per-VRF multicast routing tables (Debian's
user-mode-linux: no CONFIG_IP_MROUTE_MULTIPLE_TABLES, no IPv6 multicast
routing) pimd gets no mroute socket in CUST1 and learns no IGMP group
there, so only the control plane of MLD can run: pim6d still learns MLD
joins in CUST1. This module checks that a join learnt in CUST1 is synced
into CUST1 on the other PE (the route target names the VRF, ESI + Ethernet
Tag the sub-interface), and that the leave prunes it. The data plane in a
VRF is l3mh_mcast's, when the kernel has the options (it then runs in
CUST1 itself).
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "l3mh_mcast"))

import mcast  # noqa: E402
import test_l3mh_mcast as base  # noqa: E402
from lab import wait_for  # noqa: E402
from reftopo import ES, S1_IP6, RefTopo, lag_whole, mroute_tables  # noqa: E402

GROUP = "ff3e::1:1"


class VrfTopo(base.McastTopo):
    "l3mh_mcast's topology and configs, in VRF CUST1 whatever the kernel."

    def __init__(self):
        self.kernel = mroute_tables()
        RefTopo.__init__(self, base.CWD, name="l3mh_mcast_vrf", modules=base.MODULES,
                         mcast=True, mcast_vrf="CUST1")
        self.vrf_arg = "vrf CUST1 "
        self.table = "table 1001"


@pytest.fixture(scope="module")
def topo():
    t = VrfTopo()
    try:
        t.start()
        t.lab.log("kernel multicast tables per VRF: %s" % t.kernel)
        yield t
    finally:
        t.stop()


def test_lag_up(topo):
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=30,
                   desc="sw1 bond0 aggregation")
    assert err is None, err


def test_es_interface_in_vrf(topo):
    """pim6d (and pimd) of both PEs have the ES interfaces of CUST1: bond1.1
    (VLAN 1 of ES-1, DF PE2) and the native bond2 (ES-2, Ethernet Tag 0, DF
    PE1)."""
    for v6 in (True, False):
        def check():
            for pe in base.PES:
                ifs = {(i["interface"], i["vrf"]): i["designatedForwarder"]
                       for i in base.evpn_sync(topo, pe, v6)["interfaces"]}
                want = {("bond1.1", "CUST1"): pe == "pe2", ("bond2", "CUST1"): pe == "pe1"}
                if ifs != want:
                    return "%s: %s, want %s" % (pe, ifs, want)
            return None

        err = wait_for(check, timeout=30, desc="ES interface in CUST1")
        assert err is None, err


def test_igmp_in_vrf_needs_kernel(topo):
    "IGMP in a VRF needs a multicast routing table per VRF in the kernel."
    if topo.kernel["ipv4"] != "ok":
        pytest.skip("lab kernel: %s (CONFIG_IP_MROUTE_MULTIPLE_TABLES); l3mh_mcast "
                    "runs the IGMP sync in the global table" % topo.kernel["ipv4"])
    m = mcast.join(topo["h1"], base.ASM_G, version=2, port=5100)
    try:
        learner = base._one_learner(topo, base.igmp_learners, base.ASM_G)
        base._wait_synced(topo, learner, base.ASM_G, flags="v2 include")
    finally:
        m.leave()
    base._wait_pruned(topo, base.ASM_G)


def test_mldv2_join_synced_in_vrf(topo):
    """H1 joins (S1,ff3e::1:1) with MLDv2 in CUST1: the learner's pim6d
    learns it in CUST1, its RT-7 carries the ES-Import RT and the EVI-RT of
    CUST1's 65000:1, the other PE imports it into CUST1 (bgpd) and its pim6d
    has it synced on bond1.1 in CUST1; the leave prunes both."""
    m = mcast.join(topo["h1"], GROUP, source=S1_IP6, port=5102)
    try:
        learner = base._one_learner(topo, base.mld_learners, GROUP, S1_IP6)
        other = base._other(learner)
        base._wait_synced(topo, learner, GROUP, S1_IP6, flags="v2 include", v6=True,
                          joined=topo.kernel["ipv6"] == "ok")
        g = base.bgp_groups(topo, other, GROUP, S1_IP6)[0]
        assert g["vrf"] == "CUST1", g
        mine = base.bgp_groups(topo, learner, GROUP, S1_IP6)[0]
        assert mine["vrf"] == "CUST1", mine
        pm = base.pim_membership(topo, other, GROUP, S1_IP6, v6=True)
        assert pm["vrf"] == "CUST1" and pm["interface"] == "bond1.1", pm
        routes = topo[other].vtysh("show bgp l2vpn evpn route type join-sync")
        assert "ES-Import-Rt:02:00:00:00:00:e1" in routes and "EVI-RT:65000:1" in routes, routes
        assert "EVI-RT:65000:100" not in routes, routes
    finally:
        m.leave()
    base._wait_pruned(topo, GROUP, S1_IP6, v6=True)
