#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_base: the draft's reference topology (Figure 3) without the extension.

Checks the lab itself (LAGs aggregate across the two PEs, VRFs and
sub-interfaces, IS-IS/SR-MPLS core, BGP sessions, L3VPN ECMP on PE3,
host reachability), then demonstrates the problem of draft §1.1: the CE's
LAG hash makes only PE1 learn H1's ARP entry, and the flows from PE3 that
its ECMP hash sends through PE2 are lost.
"""

import os
import re

import pytest

from lab import wait_for, json_subset
from reftopo import (
    CE1_IP4,
    ES,
    HOST_IP4,
    HOSTS,
    PE3_LO,
    RefTopo,
    lag_whole,
    loopback,
)
from udpflows import FlowTest

CWD = os.path.dirname(os.path.abspath(__file__))
PES = ("pe1", "pe2")


@pytest.fixture(scope="module")
def topo():
    t = RefTopo(CWD)
    try:
        t.start()
        yield t
    finally:
        t.stop()


@pytest.mark.parametrize("node,bond,actor", [("sw1", "bond0", ES["bond1"][0]),
                                             ("ce1", "bond0", ES["bond2"][0])])
def test_lag_aggregates_both_pes(topo, node, bond, actor):
    "The CE side of each ES sees one LAG over both PEs (same ad_actor_system)."

    err = wait_for(lambda: lag_whole(topo[node], bond, actor), timeout=30,
                   desc="%s %s aggregation" % (node, bond))
    assert err is None, err


def test_pe_sub_interfaces_and_vrfs(topo):
    "bond1.1/bond1.2 are VLAN 1/2 in CUST1/CUST2; bond2 is native in CUST1."
    want = {
        "bond1.1": ("CUST1", 1, ["192.0.2.1/24", "2001:db8:c1::1/64"]),
        "bond1.2": ("CUST2", 2, ["192.0.2.1/24", "2001:db8:c1::1/64"]),
        "bond2": ("CUST1", None, ["198.51.100.1/24", "2001:db8:c2::1/64"]),
    }
    for pe in PES:
        links = topo[pe].links()
        assert links["bond1"]["linkinfo"]["info_kind"] == "bond"
        assert links["bond1"]["linkinfo"]["info_data"]["mode"] == "802.3ad"
        for ifname, (vrf, vid, addrs) in want.items():
            link = links[ifname]
            assert link["master"] == vrf, (pe, ifname, link.get("master"))
            if vid is not None:
                info = link["linkinfo"]["info_data"]
                assert (info["protocol"], info["id"]) == ("802.1Q", vid), (pe, ifname, info)
                assert link["link"] == "bond1"
            assert topo[pe].addrs(ifname) == sorted(addrs), (pe, ifname)
            assert link["address"] == ES["bond1" if vid else "bond2"][1]


def test_bgp_sessions_established(topo):
    "Every PE's sessions to the route reflector are up, per address family."
    afs = {
        "pe1": ("ipv4Vpn", "ipv6Vpn", "l2VpnEvpn"),
        "pe2": ("ipv4Vpn", "ipv6Vpn", "l2VpnEvpn"),
        "pe3": ("ipv4Vpn", "ipv6Vpn"),
        "p": ("ipv4Vpn", "ipv6Vpn", "l2VpnEvpn"),
    }

    def check(node):
        summ = topo[node].vtysh_json("show bgp summary json")
        for af in afs[node]:
            peers = summ.get(af, {}).get("peers", {})
            want = 3 if node == "p" and af != "l2VpnEvpn" else (2 if node == "p" else 1)
            est = [p for p, v in peers.items() if v.get("state") == "Established"]
            if len(est) != want:
                return "%s: %d of %d established: %s" % (af, len(est), want, peers)
        return None

    for node in afs:
        err = wait_for(lambda: check(node), timeout=60, desc="%s bgp" % node)
        assert err is None, err


def _pe3_ecmp(topo, vrf, prefix, v6=False):
    cmd = "show %s route vrf %s %s json" % ("ipv6" if v6 else "ip", vrf, prefix)
    routes = topo["pe3"].vtysh_json(cmd).get(prefix)
    if not routes:
        return "no route"
    sel = [r for r in routes if r.get("selected")]
    if not sel:
        return "not selected"
    nhs = [nh for nh in sel[0]["nexthops"] if nh.get("fib")]
    vias = sorted(nh.get("ip", "") for nh in nhs)
    if len(nhs) != 2:
        return "fib nexthops %s" % vias
    if not all(nh.get("labels") for nh in nhs):
        return "unlabeled nexthop in %s" % nhs
    return None


@pytest.mark.parametrize("vrf,prefix,v6", [
    ("CUST1", "192.0.2.0/24", False),
    ("CUST2", "192.0.2.0/24", False),
    ("CUST1", "198.51.100.0/24", False),
    ("CUST1", "2001:db8:c1::/64", True),
    ("CUST2", "2001:db8:c1::/64", True),
    ("CUST1", "2001:db8:c2::/64", True),
])
def test_pe3_vpn_ecmp(topo, vrf, prefix, v6):
    "PE3 reaches each CE subnet over both PE1 and PE2 (two labeled paths)."
    err = wait_for(lambda: _pe3_ecmp(topo, vrf, prefix, v6), timeout=60,
                   desc="PE3 %s %s ECMP" % (vrf, prefix))
    assert err is None, err
    # and the kernel has both next hops in the VRF table
    fam = "-6" if v6 else "-4"
    out = topo["pe3"].cmd("ip %s route show vrf %s %s" % (fam, vrf, prefix))
    assert out.count("nexthop") == 2, out
    assert out.count("encap mpls") == 2, out


def test_vpn_updates_decoded_by_tshark(topo):
    "tshark decodes the RR's VPN UPDATEs to PE3: each CE subnet from both PEs."
    import tshark

    pcap = os.path.join(topo.lab["pe3"].logdir, "pe3-bgp.pcap")
    want = [(pe, v, pfx) for pe in (1, 2) for v, pfx in (
        (1, "192.0.2.0/24"), (2, "192.0.2.0/24"), (1, "198.51.100.0/24"),
        (1, "2001:db8:c1::/64"), (2, "2001:db8:c1::/64"), (1, "2001:db8:c2::/64"))]

    def check():
        nlri = tshark.vpn_nlri(pcap, src="10.0.0.10") + tshark.vpn_nlri(
            pcap, src="2001:db8:ff::a")
        seen = {(rd, pfx): label for rd, pfx, label in nlri}
        for pe, v, pfx in want:
            label = seen.get(("10.0.0.%d:%d" % (pe, v), pfx))
            if label is None or label < 16:
                return "RD 10.0.0.%d:%d %s: label %s" % (pe, v, pfx, label)
        return None

    err = wait_for(check, timeout=20, desc="tshark VPN NLRI")
    assert err is None, err


def test_core_label_switching(topo):
    "PE3's route to each PE loopback is an SR-MPLS LSP through P."
    for pe in PES:
        v4, _ = loopback(pe)

        def check():
            r = topo["pe3"].vtysh_json("show ip route %s/32 json" % v4).get("%s/32" % v4)
            if not r:
                return "no route"
            nh = r[0]["nexthops"][0]
            if not nh.get("labels"):
                return "no label: %s" % nh
            return None

        err = wait_for(check, timeout=30, desc="PE3 LSP to %s" % pe)
        assert err is None, err


@pytest.mark.parametrize("host", ["h1", "h2"])
def test_hosts_reach_pe3_vrf_loopback(topo, host):
    "Every flow from H1 (CUST1) and H2 (CUST2) reaches PE3's VRF loopback."
    vrf = HOSTS[host]["vrf"]
    for ip in PE3_LO[vrf]:
        ft = FlowTest(topo[host], topo["pe3"], ip, dst_dev=vrf, flows=16)
        got = ft.run()
        assert got == set(ft.sports()), "%s -> PE3 %s: %d of %d flows" % (
            host, ip, len(got), ft.flows)


def test_ce1_reaches_pe3_vrf_loopback(topo):
    "CE1 on the native ES bond2 reaches PE3's CUST1 loopback."
    ft = FlowTest(topo["ce1"], topo["pe3"], PE3_LO["CUST1"][0], dst_dev="CUST1", flows=16)
    assert ft.run() == set(ft.sports())


def _neigh(node, ifname, ip):
    return node.neighbor(ifname, ip)


def test_baseline_arp_learned_by_one_pe_only(topo):
    """Draft §1.1: the CE's hashing makes only PE1 learn H1's and H2's ARP.

    The hosts talk to their gateway; SW1's layer-2 LAG hash sends their
    frames (and their replies to the anycast MAC) to PE1 only.
    """
    for host in HOSTS:
        topo[host].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1")
    for host, hv in HOSTS.items():
        sub = "bond1.%d" % hv["vlan"]
        n1 = _neigh(topo["pe1"], sub, HOST_IP4)
        assert n1 and n1.get("lladdr") == hv["mac"], (host, n1)
        n2 = _neigh(topo["pe2"], sub, HOST_IP4)
        assert n2 is None or "lladdr" not in n2, (host, n2)


def _via_pe(topo, vrf, src, dst, sports, dport):
    """Which PE PE3's ECMP hash picks for each UDP flow, by its SR label."""
    out = topo["pe3"].cmd("\n".join(
        "ip -4 route get %s vrf %s from %s ipproto udp sport %d dport %d"
        % (dst, vrf, src, sp, dport) for sp in sports))
    # the outer label is the SR prefix SID of the egress PE (index 1 or 2)
    labels = re.findall(r"encap mpls\s+(\d+)", out)
    assert len(labels) == len(sports), out
    return {sp: {"16001": "pe1", "16002": "pe2"}[l] for sp, l in zip(sports, labels)}


@pytest.mark.parametrize("host", ["h1", "h2"])
def test_baseline_flows_via_pe2_lost(topo, host):
    """BASELINE (flipped by the ARP/ND sync issue to assert zero loss).

    Of 32 flows from PE3's VRF to the host, exactly those PE3 hashes to PE2
    (which has no ARP entry for the host) are lost; those via PE1 arrive.
    """
    vrf = HOSTS[host]["vrf"]
    src = PE3_LO[vrf][0]
    ft = FlowTest(topo["pe3"], topo[host], HOST_IP4, port=5002, src=src,
                  src_dev=vrf, flows=32)
    via = _via_pe(topo, vrf, src, HOST_IP4, ft.sports(), ft.port)
    via_pe2 = {sp for sp, pe in via.items() if pe == "pe2"}
    assert via_pe2 and len(via_pe2) < ft.flows, "hash does not spread: %s" % via
    got = ft.run()
    assert got == set(ft.sports()) - via_pe2, (
        "arrived %d/%d; lost %s; hashed to PE2 %s"
        % (len(got), ft.flows, sorted(set(ft.sports()) - got), sorted(via_pe2)))
