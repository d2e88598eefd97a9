#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
evpn_bad_input: the EVPN inputs that crash or mislead FRR 10.3, sent over
a real session, each with the fix the project carries (patches 0022-0028).

    inj (raw BGP speaker) --- pe (FRR, route reflector, VRF CUST1 L3VNI 1001)
    10.1.0.2        10.1.0.1   |  10.3.0.1               | 10.4.0.1 (CUST1)
                               x1 (ExaBGP 4.2) 10.3.0.2   ce (FRR) 10.4.0.2

pe has the project's modules loaded and l3-multihoming on, keeps inj's
routes in its Adj-RIB-In (soft-reconfiguration inbound) and logs every
received update (debug bgp updates in). Its VRF CUST1 imports RT
65000:1001 and runs "maximum-paths ibgp 2", and ce advertises 10.4.0.50/32
to it. x1 is an independent receiver of what pe reflects.

The inputs:
- an RT-5 of the IPv4 layout with an IP prefix length of 33 to 255, or of
  the IPv6 layout with one above 128 (FRR issue #22353: 33-128 abort bgpd in
  masklen2ip() when the route is imported into a VRF; 129-255 reset the
  session). Each is discarded with a log line; the session stays up, and the
  valid RT-5 after it in the same UPDATE is stored and imported.
- a valid RT-5, then the session closes (#21396: with soft-reconfiguration
  inbound the overlay index is freed twice, mt_count_free() asserts).
- an RT-2 with an ESI whose VRF route is a multipath of a path without
  labels (#18678: bgp_evpn_mpath_has_dvni() read the labels of a path that
  has none).
- MAX-ESI in an RT-2 and an RT-5 (upstream PR #20990): the RT-2 makes no
  ES, the RT-5 with a gateway IP is a gateway-IP route, not a route with
  both overlay indexes. Both are valid routes: they are stored and
  reflected.
"""

import os
import re

import pytest

from lab import Lab, l3vni_cmds, wait_for
import bgpinject
import exabgp
import tshark

CWD = os.path.dirname(os.path.abspath(__file__))
INJ, PE_INJ, PE_X1, X1, PE_CE, CE = (
    "10.1.0.2", "10.1.0.1", "10.3.0.1", "10.3.0.2", "10.4.0.1", "10.4.0.2")
HOST = "10.4.0.50"  # ce's network, and the IP of the RT-2 of #18678
L3VNI = 1001
MODULES = {"pe": {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]}}

RD = "0001c00002010064"  # 192.0.2.1:100
RT_CUST1 = "0002fde8000003e9"  # RT 65000:1001
ENCAP_VXLAN = "030c000000000008"
RMAC = "060302aabbccdd01"  # Router's MAC 02:aa:bb:cc:dd:01
VRF_ECS = [RT_CUST1, ENCAP_VXLAN, RMAC]
ZERO_ESI = "00" * 10
ESI_A = "0300aabbccddee000001"  # a remote ES
MAX_ESI = "ff" * 10


def rt5(plen, ip, gw=None, esi=ZERO_ESI, etag=0, label=L3VNI):
    """An RT-5 NLRI (RFC 9136 section 3.1), hex; the layout follows ip."""
    return bgpinject.evpn_rt5(bytes.fromhex(RD), plen, ip, gw, esi, etag, label).hex()


def rt5_key(plen, ip, etag=0):
    return "[5]:[%d]:[%d]:[%s]" % (etag, plen, ip)


def rt2(mac, ip, esi, labels=(100, L3VNI)):
    """An RT-2 MAC+IPv4 NLRI (RFC 7432 section 7.2), hex; labels: VNIs."""
    return bgpinject.evpn_rt2(bytes.fromhex(RD), mac, ip, labels, esi, vni=True).hex()


def esi_str(esi):
    return ":".join(esi[i:i + 2] for i in range(0, 20, 2))


class BadInputTopo:
    def __init__(self):
        self.lab = Lab("evpn_bad_input")
        self.closes = 0  # the sessions that inj closed

    def __getitem__(self, name):
        return self.lab[name]

    def start(self):
        lab = self.lab
        lab.add_node("inj")
        lab.add_node("x1")
        lab.add_router("pe", ["mgmtd", "zebra", "bgpd"], modules=MODULES["pe"])
        lab.add_router("ce", ["mgmtd", "zebra", "bgpd"])
        lab.link("inj", "eth0", "pe", "eth-inj")
        lab.link("pe", "eth-x1", "x1", "eth0")
        lab.link("pe", "eth-ce", "ce", "eth0")
        lab["inj"].script(["ip addr add %s/24 dev eth0" % INJ, "ip link set eth0 up"])
        lab["x1"].script(["ip addr add %s/24 dev eth0" % X1, "ip link set eth0 up"])
        lab["ce"].script(["ip addr add %s/24 dev eth0" % CE, "ip link set eth0 up",
                          "ip addr add %s/32 dev lo" % HOST, "ip link set lo up"])
        lab["pe"].script([
            "ip addr add %s/24 dev eth-inj" % PE_INJ, "ip link set eth-inj up",
            "ip addr add %s/24 dev eth-x1" % PE_X1, "ip link set eth-x1 up",
            "ip link add CUST1 type vrf table 1001", "ip link set CUST1 up",
            "ip link set eth-ce master CUST1",
            "ip addr add %s/24 dev eth-ce" % PE_CE, "ip link set eth-ce up",
        ] + l3vni_cmds("CUST1", L3VNI, PE_INJ))
        lab["pe"].start_capture()
        for r in ("pe", "ce"):
            lab[r].start_frr(os.path.join(CWD, r, "frr.conf"))
        self.inj = bgpinject.Injector(lab["inj"], lab.workdir, PE_INJ, 65000, INJ).start()
        self.x1 = exabgp.Receiver(lab["x1"], lab.workdir, X1, PE_X1, 65000).start()
        return self

    def stop(self):
        self.lab.stop()

    def announce(self, nlris, ecs):
        self.inj.announce(INJ, nlris, ecs)

    def neighbor(self, peer, vrf=None):
        v = "vrf %s " % vrf if vrf else ""
        return self["pe"].vtysh_json("show bgp %sneighbors %s json" % (v, peer)).get(peer, {})

    def log(self):
        with open(os.path.join(self.lab.workdir, "pe", "bgpd.log")) as f:
            return f.read()


@pytest.fixture(scope="module")
def topo():
    t = BadInputTopo()
    try:
        t.start()
        yield t
    finally:
        t.stop()


def _rt5_stored(pe, key):
    return key in pe.evpn_paths("prefix")


def _vrf_paths(pe, prefix):
    j = pe.vtysh_json("show bgp vrf CUST1 ipv4 unicast %s json" % prefix)
    return j.get("paths", [])


def _overlays(pe):
    """The number of EVPN overlay indexes bgpd holds (show memory)."""
    m = re.search(r"^BGP EVPN Overlay\s*:\s*(\d+)", pe.vtysh("show memory bgpd"), re.M)
    return int(m.group(1)) if m else 0


def _alive_and_up(topo):
    """None if bgpd and zebra run and inj's session is up, established as
    many times as the tests closed it, plus one, else why."""
    pe = topo["pe"]
    for d in ("bgpd", "zebra"):
        if not pe.daemon_alive(d):
            return "pe's %s is dead" % d
    n = topo.neighbor(INJ)
    if n.get("bgpState") != "Established":
        return "inj is %s" % n.get("bgpState")
    if n.get("connectionsEstablished") != topo.closes + 1:
        return "inj's session was established %s times" % n.get("connectionsEstablished")
    return None


def _reflected_nlris(topo):
    """Every EVPN NLRI (raw hex) in pe's UPDATEs to x1, in pe's capture."""
    pcap = os.path.join(topo.lab.workdir, "pe", "pe-bgp.pcap")
    out = set()
    for msg in tshark.bgp_updates(pcap, "bgp.type == 2 && ip.src == %s" % PE_X1):
        for code, raw, dec in msg:
            if code == bgpinject.MP_REACH:
                out.update(r for _, r in tshark.evpn_nlris(dec))
    return out


def test_sessions_established(topo):
    "inj and x1 on pe's default instance, ce on its VRF CUST1."
    def check():
        for peer, vrf in ((INJ, None), (X1, None), (CE, "CUST1")):
            st = topo.neighbor(peer, vrf).get("bgpState")
            if st != "Established":
                return "%s is %s" % (peer, st)
        return None

    err = wait_for(check, timeout=60, desc="sessions")
    assert err is None, err
    # the L3VNI is up, so RT-5s with RT 65000:1001 are imported into CUST1
    err = wait_for(lambda: None if topo["pe"].vtysh_json("show bgp vrf CUST1 vni json")
                   .get("l3vni") == L3VNI else "no L3VNI", timeout=30)
    assert err is None, err


def test_rt5_then_session_close(topo):
    """#21396: a valid RT-5 is stored in the Adj-RIB-In and imported into
    CUST1; inj closes the session; bgpd frees the overlay index once, and
    the route goes from the EVPN table and the VRF."""
    pe = topo["pe"]
    before = _overlays(pe)
    nlri, key = rt5(24, "10.77.0.0"), rt5_key(24, "10.77.0.0")
    topo.announce([nlri], VRF_ECS)
    err = wait_for(lambda: None if _vrf_paths(pe, "10.77.0.0/24") else "not imported",
                   timeout=30, desc="RT-5 in CUST1")
    assert err is None, err
    assert _rt5_stored(pe, key)
    af = topo.neighbor(INJ)["addressFamilyInfo"]["l2VpnEvpn"]
    assert af.get("inboundSoftConfigPermit") is True, af
    assert _overlays(pe) == before + 1
    topo.inj.close()
    topo.closes += 1
    err = wait_for(lambda: _alive_and_up(topo), timeout=60, desc="inj back")
    assert err is None, err
    assert not _rt5_stored(pe, key)
    assert not _vrf_paths(pe, "10.77.0.0/24")
    assert _overlays(pe) == before
    assert "assert" not in open(os.path.join(topo.lab.workdir, "pe", "bgpd.out")).read()


# (layout, IP prefix length): the IPv4 layout with 33-255, the IPv6 one
# with 129-255
BAD_PLEN = [("4", 33), ("4", 40), ("4", 128), ("4", 129), ("4", 255),
            ("6", 129), ("6", 255)]


@pytest.mark.parametrize("layout,plen", BAD_PLEN, ids=["v4-%d" % p if l == "4" else "v6-%d" % p
                                                       for l, p in BAD_PLEN])
def test_rt5_prefix_longer_than_address(topo, layout, plen):
    """#22353: the bad RT-5 is discarded with a log line and not reflected;
    the session stays up, and the valid RT-5 after it in the same UPDATE
    is stored, imported into CUST1 and reflected to x1."""
    pe = topo["pe"]
    i = BAD_PLEN.index((layout, plen))
    bad_ip = "10.1.0.0" if layout == "4" else "2001:db8:1::"
    bad = rt5(plen, bad_ip)
    good_pfx = "10.78.%d.0" % i
    good = rt5(24, good_pfx)
    topo.announce([bad, good], VRF_ECS)
    err = wait_for(lambda: None if _vrf_paths(pe, good_pfx + "/24") else "valid RT-5 not imported",
                   timeout=30, desc="the RT-5 after the bad one")
    assert err is None, err
    assert _alive_and_up(topo) is None, _alive_and_up(topo)
    assert not _rt5_stored(pe, rt5_key(plen, bad_ip))
    want = "IPv%s layout but IP Prefix length %d (max %d), discarded" % (
        layout, plen, 32 if layout == "4" else 128)
    assert len([l for l in topo.log().splitlines() if want in l]) == 1, want
    err = wait_for(lambda: None if good in topo.x1.evpn_announced() else "not at x1",
                   timeout=30, desc="reflection of the valid RT-5")
    assert err is None, err
    assert bad not in topo.x1.evpn_announced()
    # pe's capture may write the UPDATE after x1 has read it
    err = wait_for(lambda: None if good in _reflected_nlris(topo) else "not in pe's capture",
                   timeout=10, desc="the valid RT-5 in pe's capture")
    assert err is None, err
    assert bad not in _reflected_nlris(topo)


def test_rt2_multipath_of_a_path_without_labels(topo):
    """#18678: the RT-2 of HOST with ESI_A is imported into CUST1 and is a
    multipath of ce's path, which has no labels; bgpd installs the route
    in zebra with both next hops and lives."""
    pe = topo["pe"]
    err = wait_for(lambda: None if len(_vrf_paths(pe, HOST + "/32")) == 1 else "no ce path",
                   timeout=30, desc="ce's route")
    assert err is None, err
    topo.announce([rt2("02:00:00:00:00:50", HOST, ESI_A)], VRF_ECS)

    def check():
        err = _alive_and_up(topo)
        if err:
            return err
        paths = _vrf_paths(pe, HOST + "/32")
        if len(paths) != 2:
            return "%d paths" % len(paths)
        if not any(p.get("multipath") for p in paths):
            return "no multipath: %s" % paths
        # the EVPN path (via the VTEP, inj) is best: bgp_zebra_announce()
        # asks of it whether ESI_A's next-hop group can be used
        best = [p for p in paths if p.get("bestpath", {}).get("overall")]
        if not best or best[0]["nexthops"][0]["ip"] != INJ:
            return "best is not the EVPN path: %s" % best
        return None

    err = wait_for(check, timeout=30, desc="multipath")
    assert err is None, err
    r = pe.vtysh_json("show ip route vrf CUST1 %s/32 json" % HOST)[HOST + "/32"][0]
    assert r["protocol"] == "bgp"
    assert sorted(nh["ip"] for nh in r["nexthops"]) == [INJ, CE], r["nexthops"]
    # the remote ES of ESI_A exists: the MAX-ESI test below can tell an ES
    es = [e["esi"] for e in pe.vtysh_json("show bgp l2vpn evpn es json")]
    assert esi_str(ESI_A) in es, es


def test_max_esi(topo):
    """MAX-ESI: an RT-2 with it makes no ES; an RT-5 with it and a gateway IP
    is a gateway-IP route (imported into CUST1 via the gateway). Both are
    stored and reflected with the ESI as received."""
    pe = topo["pe"]
    host2 = "10.4.0.51"
    r2 = rt2("02:00:00:00:00:51", host2, MAX_ESI)
    r5 = rt5(24, "10.79.0.0", gw=CE, esi=MAX_ESI)
    topo.announce([r2, r5], VRF_ECS)
    err = wait_for(lambda: None if _vrf_paths(pe, host2 + "/32") and _vrf_paths(pe, "10.79.0.0/24")
                   else "not imported", timeout=30, desc="MAX-ESI routes in CUST1")
    assert err is None, err
    assert _alive_and_up(topo) is None
    es = [e["esi"] for e in pe.vtysh_json("show bgp l2vpn evpn es json")]
    assert esi_str(MAX_ESI) not in es, es
    path = pe.evpn_paths("prefix")[rt5_key(24, "10.79.0.0")][0]
    assert path.get("gatewayIP") == CE, path
    assert "ESI and gateway-IP both non-zero" not in topo.log()
    vrf = _vrf_paths(pe, "10.79.0.0/24")[0]
    assert vrf["nexthops"][0]["ip"] == CE, vrf
    err = wait_for(lambda: None if {r2, r5} <= set(topo.x1.evpn_announced()) else "not at x1",
                   timeout=30, desc="reflection")
    assert err is None, err
    assert topo.x1.evpn_announced()[r5][1]["esi"] == esi_str(MAX_ESI)


def test_no_session_reset(topo):
    "After all of the above: the closes inj asked for, no other reset."
    assert _alive_and_up(topo) is None, _alive_and_up(topo)
    assert topo.neighbor(INJ).get("connectionsDropped", 0) == topo.closes
    assert topo.neighbor(CE, "CUST1").get("connectionsDropped", 0) == 0
    log = topo.inj.log_text()
    assert "received NOTIFICATION" not in log and "session down" not in log
    for d in ("bgpd", "zebra"):
        out = open(os.path.join(topo.lab.workdir, "pe", "%s.out" % d)).read()
        assert "assert" not in out.lower() and "ERROR: AddressSanitizer" not in out, out[-2000:]
