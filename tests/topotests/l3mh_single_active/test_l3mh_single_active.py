#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_single_active: a single-active L3 ES (draft-ietf-bess-evpn-l3mh-proto-00
section 1.6, requirement 8; RFC 7432 section 8.5) on the reference
topology, with SW1 attached to PE1 and PE2 over two separate links, not a
LAG: each of its VLANs is bridged across both, and the PEs' bond1 is an
active-backup bond of one member.

ES-1 is single-active with the default algorithm: of the two PEs ordered
by IP, PE number (VLAN mod 2) is the DF: PE2 for VLAN 1 (H1, CUST1), PE1
for VLAN 2 (H2, CUST2). Each PE holds down the sub-interface of the VLAN
it is not the DF of, so one gateway answers on each VLAN, and PE3's flows
to each host arrive through that VLAN's DF. When a DF's link fails, the
other PE becomes the DF of every VLAN; when it comes back, the VLANs are
carved again.
"""

import os

import pytest

from lab import wait_for
from reftopo import HOST_IP4, HOSTS, PE3_LO, RefTopo
from udpflows import FlowTest

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
# VLAN -> its DF while both PEs are up
DF = {1: "pe2", 2: "pe1"}
OTHER = {"pe1": "pe2", "pe2": "pe1"}


@pytest.fixture(scope="module")
def topo():
    t = RefTopo(CWD, modules=MODULES, sw1_lag=False)
    try:
        t.start()
        yield t
    finally:
        t.stop()


def _admin_up(node, ifname):
    return "UP" in node.links()[ifname]["flags"]


def _zebra_es(node):
    for e in node.vtysh_json("show evpn l3mh es json").get("es", []):
        if e["esi"] == ESI1:
            return e
    return None


def _bgp_es(node):
    for e in node.vtysh_json("show bgp l2vpn evpn l3-multihoming es json").get("es", []):
        if e["esi"] == ESI1:
            return e
    return None


def _carved(topo, df):
    """None once each PE holds down exactly the sub-interfaces of the VLANs
    df (VLAN -> PE) does not give it, in zebra and in the kernel."""
    for pe in ("pe1", "pe2"):
        want = sorted("bond1.%d" % vid for vid, d in df.items() if d != pe)
        z = _zebra_es(topo[pe])
        if not z or z["mode"] != "single-active" or sorted(z["heldDown"]) != want:
            return "%s zebra: %s, want held %s" % (pe, z, want)
        for vid, d in df.items():
            if _admin_up(topo[pe], "bond1.%d" % vid) != (d == pe):
                return "%s bond1.%d admin up %s" % (pe, vid, not d == pe)
        if not _admin_up(topo[pe], "eth-sw"):
            return "%s eth-sw down" % pe
    return None


def _wait_carved(topo, df, timeout=60):
    err = wait_for(lambda: _carved(topo, df), timeout=timeout, desc="VLANs carved %s" % df)
    assert err is None, err


def _flows(topo, host):
    vrf = HOSTS[host]["vrf"]

    def check():
        ft = FlowTest(topo["pe3"], topo[host], HOST_IP4, port=5004, src=PE3_LO[vrf][0],
                      src_dev=vrf, flows=16)
        got = ft.run()
        return None if got == set(ft.sports()) else "arrived %d/%d" % (len(got), ft.flows)

    err = wait_for(check, timeout=40, interval=1, desc="flows PE3 -> %s" % host)
    assert err is None, err


def _pe3_next_hops(topo, vrf):
    """The BGP next hops (PE loopbacks) of PE3's paths to the hosts' subnet."""
    r = topo["pe3"].vtysh_json("show bgp vrf %s ipv4 unicast 192.0.2.0/24 json" % vrf)
    return sorted(p["nexthops"][0]["ip"] for p in r.get("paths", []) if p.get("valid"))


def test_single_active_carving(topo):
    """Both PEs agree (no mismatch) and carve by modulus: PE1 is PE number 0,
    PE2 number 1; PE1 holds bond1.1 down, PE2 bond1.2."""
    for pe, ordinal in (("pe1", 0), ("pe2", 1)):
        def check():
            e = _bgp_es(topo[pe])
            want = {"mode": "single-active", "mismatch": False, "dfElection": "per-ethernet-tag",
                    "carvingPes": 2, "carvingOrdinal": ordinal}
            bad = {k: (e or {}).get(k) for k, v in want.items() if (e or {}).get(k) != v}
            return "%s: %s" % (pe, bad) if bad else None

        err = wait_for(check, timeout=60, desc="%s carving" % pe)
        assert err is None, err
    _wait_carved(topo, DF)


def test_each_vlan_through_its_df(topo):
    """PE3 has one path per VLAN's subnet, through its DF (the other PE's
    sub-interface is down, so it exports no route), and all 16 flows to H1
    and to H2 arrive."""
    for host, vrf in (("h1", "CUST1"), ("h2", "CUST2")):
        df = DF[HOSTS[host]["vlan"]]
        want = ["10.0.0.%d" % (1 if df == "pe1" else 2)]
        err = wait_for(lambda: None if _pe3_next_hops(topo, vrf) == want
                       else "PE3 %s: %s" % (vrf, _pe3_next_hops(topo, vrf)),
                       timeout=60, desc="PE3 path for %s" % host)
        assert err is None, err
        _flows(topo, host)


def test_df_link_fails_and_comes_back(topo):
    """PE2's link to SW1 fails: its ES goes down, its RT-4 is withdrawn, and
    PE1, the one PE left, is the DF of both VLANs: bond1.1 comes up on PE1
    and H1's flows arrive through it. The link comes back: the VLANs are
    carved again."""
    topo["pe2"].cmd("ip link set eth-sw down")
    try:
        def pe1_all():
            z = _zebra_es(topo["pe1"])
            if not z or z["heldDown"] or not _admin_up(topo["pe1"], "bond1.1"):
                return "PE1: %s" % z
            return None

        err = wait_for(pe1_all, timeout=60, desc="PE1 DF of every VLAN")
        assert err is None, err
        _flows(topo, "h1")
        _flows(topo, "h2")
    finally:
        topo["pe2"].cmd("ip link set eth-sw up")
    _wait_carved(topo, DF)
    _flows(topo, "h1")
    _flows(topo, "h2")


def test_preference_algorithm(topo):
    """With df-algorithm preference on both PEs, one PE is the DF of every
    VLAN: the highest es-df-pref, PE2's 40000 over PE1's default 32767."""
    topo["pe2"].config("interface bond1\nevpn mh es-df-pref 40000")
    for pe in ("pe1", "pe2"):
        out = topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n"
                              "l3-multihoming es %s redundancy-mode single-active "
                              "df-algorithm preference" % ESI1)
        assert "%" not in out, out
    try:
        for pe in ("pe1", "pe2"):
            err = wait_for(lambda: None if (_bgp_es(topo[pe]) or {}).get("dfOfEveryEthernetTag")
                           == (pe == "pe2") else "%s: %s" % (pe, _bgp_es(topo[pe])),
                           timeout=60, desc="%s preference" % pe)
            assert err is None, err
        _wait_carved(topo, {1: "pe2", 2: "pe2"})
        _flows(topo, "h1")
        _flows(topo, "h2")
    finally:
        for pe in ("pe1", "pe2"):
            topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n"
                            "l3-multihoming es %s redundancy-mode single-active" % ESI1)
        topo["pe2"].config("interface bond1\nno evpn mh es-df-pref")
    _wait_carved(topo, DF)


def test_all_active_again_lets_everything_up(topo):
    """Back to all-active on both PEs: nothing is held down."""
    for pe in ("pe1", "pe2"):
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n"
                        "no l3-multihoming es %s" % ESI1)
    for pe in ("pe1", "pe2"):
        err = wait_for(lambda: None if _zebra_es(topo[pe]) is None and
                       _admin_up(topo[pe], "bond1.1") and _admin_up(topo[pe], "bond1.2")
                       else "%s: %s" % (pe, _zebra_es(topo[pe])), timeout=30,
                       desc="%s all up" % pe)
        assert err is None, err
