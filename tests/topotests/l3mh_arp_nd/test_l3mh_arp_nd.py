#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_arp_nd: ARP/ND synchronization with RT-2 between the PEs of an L3 ES
(draft-brissette-bess-evpn-l3-mh sections 3.4-3.6) on the reference
topology, with zebra and bgpd running the evpn_l3mh modules.

H1 (VLAN 1, CUST1) and H2 (VLAN 2, CUST2) share 192.0.2.2; SW1's LAG hash
sends their IPv4 frames to PE1 only (and their IPv6 frames to PE2 only).
Whatever one PE learns, the other installs, on the sub-interface the
Ethernet Tag names, extern-learned, so PE3's flows arrive whichever PE
they cross (the l3mh_base baseline loses those via PE2).
"""

import os
import re

import pytest

from lab import wait_for
from reftopo import HOST_IP4, HOST_IP6, HOSTS, PE3_LO, RefTopo
from udpflows import FlowTest

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
ESI2 = "03:02:00:00:00:00:e2:00:00:02"


@pytest.fixture(scope="module")
def topo():
    t = RefTopo(CWD, modules=MODULES)
    try:
        t.start()
        yield t
    finally:
        t.stop()


def _neigh(node, ifname, ip):
    for n in node.neighbors(ifname):
        if n["dst"] == ip:
            return n
    return None


def _is_ext(n):
    "iproute2 prints the extern_learn flag as a key of its own"
    return n is not None and ("extern_learn" in n or "extern_learn" in n.get("flags", []))


def _local(node, ifname, ip):
    "The locally learned (not extern-learned) entry, if any"
    n = _neigh(node, ifname, ip)
    return n if n and n.get("lladdr") and not _is_ext(n) else None


def _synced(node, ifname, ip, mac):
    """None if node's kernel has ip -> mac on ifname as an extern-learned entry."""
    n = _neigh(node, ifname, ip)
    if not n:
        return "no entry for %s on %s" % (ip, ifname)
    if n.get("lladdr") != mac:
        return "%s on %s: lladdr %s, want %s" % (ip, ifname, n.get("lladdr"), mac)
    if not _is_ext(n):
        return "%s on %s not extern_learn: %s" % (ip, ifname, n)
    return None


def test_l3_es_known_to_bgp_with_peer(topo):
    "Each PE's bgpd has both L3 ESs as local, with the other PE as ES peer (RT-4)."
    for pe, peer in (("pe1", "10.0.0.2"), ("pe2", "10.0.0.1")):
        def check():
            es = {e["esi"]: e for e in topo[pe].vtysh_json("show bgp l2vpn evpn es json")}
            for esi in (ESI1, ESI2):
                if esi not in es:
                    return "%s missing: %s" % (esi, list(es))
                if "local" not in es[esi].get("type", []):
                    return "%s not local: %s" % (esi, es[esi])
                vteps = [v["vtep_ip"] for v in es[esi].get("vteps", [])]
                if peer not in vteps:
                    return "%s: ES peer %s not in %s" % (esi, peer, vteps)
            return None

        err = wait_for(check, timeout=60, desc="%s ES" % pe)
        assert err is None, err


def test_arp_synced_to_pe2(topo):
    "ARP learned by PE1 only is installed on PE2, per sub-interface, in the right VRF."
    for host in HOSTS:
        topo[host].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1")
    for host, hv in HOSTS.items():
        sub = "bond1.%d" % hv["vlan"]
        n1 = _neigh(topo["pe1"], sub, HOST_IP4)
        assert n1 and n1.get("lladdr") == hv["mac"], (host, n1)
        assert not _is_ext(n1), n1
        err = wait_for(lambda: _synced(topo["pe2"], sub, HOST_IP4, hv["mac"]),
                       timeout=20, desc="PE2 %s" % host)
        assert err is None, err
        links = topo["pe2"].links()
        assert links[sub]["master"] == hv["vrf"]


def test_nd_synced_to_pe1(topo):
    "ND learned by PE2 only (the IPv6 hash goes the other way) is installed on PE1."
    for host in HOSTS:
        topo[host].cmd("ping -6 -c 2 -i 0.2 -W 1 2001:db8:c1::1")
    for host, hv in HOSTS.items():
        sub = "bond1.%d" % hv["vlan"]
        learner = [pe for pe in ("pe1", "pe2")
                   if (_local(topo[pe], sub, HOST_IP6) or {}).get("lladdr") == hv["mac"]]
        assert learner, "nobody learned %s of %s" % (HOST_IP6, host)
        other = "pe1" if learner[0] == "pe2" else "pe2"
        err = wait_for(lambda: _synced(topo[other], sub, HOST_IP6, hv["mac"]),
                       timeout=20, desc="%s %s ND" % (other, host))
        assert err is None, err


def test_ce1_native_bond_synced(topo):
    "CE1 on the untagged ES bond2 (Ethernet Tag 0) is synced both ways."
    topo["ce1"].cmd("ping -c 2 -i 0.2 -W 1 198.51.100.1")
    learners = [pe for pe in ("pe1", "pe2") if _local(topo[pe], "bond2", "198.51.100.2")]
    assert learners, "nobody learned CE1"
    other = "pe1" if learners[0] == "pe2" else "pe2"
    mac = _neigh(topo[learners[0]], "bond2", "198.51.100.2")["lladdr"]
    err = wait_for(lambda: _synced(topo[other], "bond2", "198.51.100.2", mac),
                   timeout=20, desc="%s CE1" % other)
    assert err is None, err


@pytest.mark.parametrize("host", ["h1", "h2"])
def test_no_flow_lost(topo, host):
    "The baseline of l3mh_base, fixed: all 32 flows from PE3 arrive, via either PE."
    vrf = HOSTS[host]["vrf"]
    ft = FlowTest(topo["pe3"], topo[host], HOST_IP4, port=5002, src=PE3_LO[vrf][0],
                  src_dev=vrf, flows=32)
    got = ft.run()
    assert got == set(ft.sports()), "arrived %d/%d, lost %s" % (
        len(got), ft.flows, sorted(set(ft.sports()) - got))


def test_show_l3mh_neighbors_json(topo):
    "bgpd lists local and synced entries per VRF/ES/Ethernet Tag."
    out = topo["pe2"].vtysh_json("show bgp l2vpn evpn l3-multihoming neighbors json")
    assert out["enabled"] is True
    synced = [n for n in out["neighbors"] if n["origin"] == "synced"
              and n["ip"] == HOST_IP4]
    assert sorted((n["vrf"], n["ethTag"], n["mac"], n["esi"]) for n in synced) == [
        ("CUST1", 1, HOSTS["h1"]["mac"], ESI1), ("CUST2", 2, HOSTS["h2"]["mac"], ESI1)]
    zebra = topo["pe2"].vtysh_json("show evpn l3mh synced-neighbors json")
    inst = [(n["vrf"], n["interface"], n["state"]) for n in zebra["neighbors"]
            if n["ip"] == HOST_IP4]
    assert sorted(inst) == [("CUST1", "bond1.1", "installed"),
                            ("CUST2", "bond1.2", "installed")]


def test_running_config_round_trip(topo):
    "The knobs show up in show running-config as configured."
    cfg = topo["pe1"].vtysh("show running-config")
    assert re.search(r"address-family l2vpn evpn\n(  .*\n)*  l3-multihoming\n", cfg), cfg
    assert cfg.count("l3-multihoming arp-nd-sync") == 2, cfg


def test_delete_on_pe1_removes_from_pe2(topo):
    "When PE1's entry goes away, PE2's synced entry goes too."
    topo["pe1"].cmd("ip neigh del %s dev bond1.1" % HOST_IP4)

    def gone():
        n = _neigh(topo["pe2"], "bond1.1", HOST_IP4)
        return None if not n or "lladdr" not in n else "still %s" % n

    err = wait_for(gone, timeout=20, desc="PE2 removal")
    assert err is None, err
    # and H2's, on the other sub-interface, is untouched
    assert _synced(topo["pe2"], "bond1.2", HOST_IP4, HOSTS["h2"]["mac"]) is None
