#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_igp: IGP route synchronization with RT-5 between the PEs of an L3 ES
(draft-ietf-bess-evpn-l3mh-proto-00 sections 1.3, 3.8.1, 3.8.2) on the
reference topology, over its RFC 4364 (L3VPN) core.

CE1 runs an IGP over its LAG (bond2 of PE1 and PE2, ES-2, VRF CUST1):
OSPFv2 + OSPFv3, or IS-IS for IPv4 and IPv6 (the module is parametrized by
the IGP; see topo()). It has a loopback and a subnet behind it, IPv4 and
IPv6. Its LAG hash sends its IGP packets to one PE only, so only that PE
(the learner, per address family) forms an adjacency and learns CE1's
routes; without the sync PE3 has one path to them. With
`l3-multihoming igp-sync` the learner advertises each as an RT-5 (ESI or
gateway IP), the other PE installs it via CE1's address on its own bond2,
exports it as its own VPN route, and PE3 load-balances.

bgpd maps a route to its ES by the route's interface (zebra's ES_IF
messages), so IS-IS, which forms its adjacency without ARP, and OSPFv3 and
IS-IS for IPv6, whose next hops are link-local, are synced as OSPFv2 is.
"""

import os
import re
import subprocess
import sys

import pytest

import bgpinject
import tshark
from frrreload import frr_reload, reload_test, running_lines
from lab import l3vni_cmds, wait_for
from reftopo import (CE1_IP4, CE1_IP6, CE1_LO4, CE1_LO6, CE1_NET4, CE1_NET6, ES, PE3_LO,
                     RefTopo, lag_whole)
from udpflows import FlowTest

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
PES = ("pe1", "pe2")
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
ESI2 = "03:02:00:00:00:00:e2:00:00:02"
ES_IMPORT_E1 = "060202000000" "00e1"
ES_IMPORT_E2 = "060202000000" "00e2"
EVI_RT_1 = "060afde800000001"  # EVI-RT type 0 carrying RT 65000:1
P_LO, PE_LO = "10.0.0.10", {"pe1": "10.0.0.1", "pe2": "10.0.0.2"}


class Fam:
    "What the tests check per address family"

    def __init__(self, v, lo, net, ce_ip, pe_lo, labels):
        self.v, self.lo, self.net, self.ce_ip = v, lo, net, ce_ip
        self.afi = "ipv%d" % v
        self.show = "ip" if v == 4 else "ipv6"  # show <it> route
        self.host = "%s/%d" % (lo, 32 if v == 4 else 128)
        self.prefixes = (self.host, net)
        self.pe_lo = pe_lo      # the PEs' VPN next hops at PE3
        self.labels = labels    # their SR labels, PE3 -> PE

    def __repr__(self):
        return self.afi


V4 = Fam(4, CE1_LO4, CE1_NET4, CE1_IP4, PE_LO, {"16001": "pe1", "16002": "pe2"})
V6 = Fam(6, CE1_LO6, CE1_NET6, CE1_IP6, {"pe1": "2001:db8:ff::1", "pe2": "2001:db8:ff::2"},
         {"16101": "pe1", "16102": "pe2"})
FAMS = (V4, V6)
INJ = "10.9.0.3"


L3VNI = 1001


class IgpTopo(RefTopo):
    """The reference topology with CE1 running an IGP (ce1/frr-<igp>.conf;
    the PEs run both), plus a raw BGP speaker peering with PE2 (for the
    treat-as-withdraw cases). core "mpls": the RFC 4364 core of the
    reference topology; "evpn": an RFC 9136 one instead, CUST1 an EVPN
    IP-VRF with L3VNI 1001 over VXLAN (<router>/frr-evpn.conf)."""

    def __init__(self, testdir, igp, core="mpls", **kw):
        super().__init__(testdir, name="l3mh_igp_%s%s" % (igp, "" if core == "mpls" else "_" + core),
                         ce1_igp=["ospfd", "ospf6d", "isisd"],
                         # one link for all of CE1's IS-IS PDUs (reftopo's doc)
                         ce1_hash="vlan+srcmac" if igp == "isis" else "layer2", **kw)
        self.igp, self.core = igp, core

    def config_path(self, router):
        if router == "ce1":
            return os.path.join(self.testdir, "ce1", "frr-%s.conf" % self.igp)
        if self.core == "evpn":
            return os.path.join(self.testdir, router, "frr-evpn.conf")
        return super().config_path(router)

    def build(self):
        super().build()
        if self.core == "evpn":
            # the L3VNI of CUST1: VXLAN device, bridge, the bridge as SVI
            for pe in ("pe1", "pe2", "pe3"):
                self.lab[pe].script(l3vni_cmds("CUST1", L3VNI, "10.0.0.%s" % pe[-1]))
        self.lab.add_node("x1")
        self.lab.link("pe2", "eth-x", "x1", "eth0")
        self.lab["pe2"].script(["ip addr add 10.9.0.1/24 dev eth-x", "ip link set eth-x up"])
        self.lab["x1"].script(["ip addr add %s/24 dev eth0" % INJ, "ip link set eth0 up"])

    def start(self):
        super().start()
        self.inj_cmds = os.path.join(self.lab.workdir, "inj-cmds.txt")
        self.inj_log = os.path.join(self.lab.workdir, "inj.log")
        open(self.inj_cmds, "w").close()
        self.lab["x1"].popen(
            [sys.executable, bgpinject.__file__, "--peer", "10.9.0.1", "--source", INJ,
             "--asn", "65000", "--router-id", INJ, "--cmds", self.inj_cmds,
             "--log", self.inj_log], logfile=os.path.join(self.lab.workdir, "inj.out"))
        return self

    def inject(self, attrs):
        with open(self.inj_cmds, "a") as f:
            f.write("update %s\n" % bgpinject.update(attrs).hex())


@pytest.fixture(scope="module", params=["ospf", "isis", "ospf-evpn"])
def topo(request):
    igp, _, core = request.param.partition("-")
    t = IgpTopo(CWD, igp, core or "mpls", modules=MODULES)
    try:
        t.start()
        yield t
    finally:
        t.stop()


def _isis_up(node, vrf=""):
    """The number of IS-IS adjacencies in state Up (text: `show isis
    neighbor json` is read as a neighbor named "json" in FRR 10.3)"""
    out = node.vtysh("show isis %sneighbor" % ("vrf %s " % vrf if vrf else ""))
    return len(re.findall(r"\s\d\s+Up\s", out))


def _full_neighbours(topo, fam=V4):
    "The PEs CE1 has a full IGP adjacency with for fam (OSPF Full, IS-IS Up)"
    rid = {"10.0.0.1": "pe1", "10.0.0.2": "pe2"}
    if topo.igp == "isis":
        # the lab's daemons all have hostname lab0: tell the PEs apart by
        # their side of the adjacency
        ce = _isis_up(topo["ce1"])
        pes = [pe for pe in PES if _isis_up(topo[pe], "CUST1")]
        return pes if ce == len(pes) else pes + ["CE1 has %d up" % ce]
    if fam.v == 6:
        out = topo["ce1"].vtysh_json("show ipv6 ospf6 neighbor json").get("neighbors", [])
        return sorted(rid.get(n["neighborId"], n["neighborId"]) for n in out
                      if n.get("state") == "Full")
    out = topo["ce1"].vtysh_json("show ip ospf neighbor json").get("neighbors", {})
    return sorted(rid.get(r, r) for r, l in out.items() for n in l
                  if n.get("nbrState", "").startswith("Full"))


def _fams(topo):
    "The address families of the variant: the EVPN core is run with IPv4 only"
    return FAMS if topo.core == "mpls" else (V4,)


def _only_mpls(topo, why):
    if topo.core != "mpls":
        pytest.skip(why)


def _only_fams(topo, fam):
    if fam not in _fams(topo):
        pytest.skip("the %s core variant is run with IPv4 only" % topo.core)


def _proto(topo, fam):
    "The IGP's name in zebra's routes and in igp-routes"
    return "ospf6" if topo.igp == "ospf" and fam.v == 6 else topo.igp


def _learner(topo, fam=V4):
    """The PE that CE1 has its adjacency with for fam, and the other one
    (after a link event, the other PE's adjacency takes a dead interval to
    go: wait for it)"""
    err = wait_for(lambda: None if len(_full_neighbours(topo, fam)) == 1
                   else "%s full: %s" % (fam, _full_neighbours(topo, fam)), timeout=30,
                   desc="one adjacency")
    assert err is None, err
    pes = _full_neighbours(topo, fam)
    return pes[0], ("pe2" if pes[0] == "pe1" else "pe1")


def _sync(topo, on, approach=None):
    for pe in PES:
        cmd = "l3-multihoming igp-sync" + (" approach %s" % approach if approach else "")
        topo[pe].config("router bgp 65000 vrf CUST1\naddress-family l2vpn evpn\n%s%s"
                        % ("" if on else "no ", cmd))


def _fam(prefix):
    return V6 if ":" in prefix else V4


def _pe3_paths(topo, prefix):
    "PE3's VPN paths to prefix in CUST1, by next hop, and its kernel next hops"
    fam = _fam(prefix)
    r = topo["pe3"].vtysh_json("show bgp vrf CUST1 %s unicast %s json" % (fam.afi, prefix))
    paths = sorted(nh["ip"] for p in r.get("paths", []) for nh in p.get("nexthops", [])[:1]
                   if p.get("valid") and (p.get("bestpath") or p.get("multipath")))
    route = topo["pe3"].cmd("ip -%d -j route show vrf CUST1 %s" % (fam.v, prefix))
    return paths, route


def _pe3_ecmp(topo, prefix, want):
    fam = _fam(prefix)

    def check():
        paths, route = _pe3_paths(topo, prefix)
        if paths != sorted(fam.pe_lo[pe] for pe in want):
            return "PE3 %s: paths via %s" % (prefix, paths)
        kern = topo["pe3"].cmd("ip -%d route show vrf CUST1 %s" % (fam.v, prefix))
        n = len(re.findall(r"^\s+nexthop ", kern, re.M)) or (1 if " via " in kern else 0)
        if n != len(want):
            return "PE3 kernel %s: %s" % (prefix, kern)
        if topo.core == "evpn":
            # over the L3VNI: to each PE's VTEP, onlink on the SVI
            vteps = sorted(re.findall(r"via (\S+) dev br%d .*onlink" % L3VNI, kern))
            if vteps != sorted(PE_LO[pe] for pe in want):
                return "PE3 kernel %s, not to the VTEPs %s: %s" % (prefix, want, kern)
        return None
    return check


def test_lags_whole(topo):
    err = wait_for(lambda: lag_whole(topo["ce1"], "bond0", ES["bond2"][0]), timeout=30,
                   desc="CE1 LAG")
    assert err is None, err


ESI1 = "03:02:00:00:00:00:e1:00:00:01"


def _es_ifs(node):
    j = node.vtysh_json("show bgp l2vpn evpn l3-multihoming interfaces json")
    return {i["interface"]: (i["vrf"], i["esi"], i["ethTag"], i["up"]) for i in j["interfaces"]}


def test_es_interfaces(topo):
    """bgpd knows each PE's ES (sub-)interfaces from zebra (ES_IF): bond2
    (ES-2, untagged), bond1 itself and its VLANs 1 and 2 (ES-1, Ethernet
    Tags 0, 1 and 2), in their VRFs, up; a route is mapped to its ES by its
    interface."""
    want = {"bond2": ("CUST1", ESI2, 0, True), "bond1": ("default", ESI1, 0, True),
            "bond1.1": ("CUST1", ESI1, 1, True), "bond1.2": ("CUST2", ESI1, 2, True)}
    for pe in PES:
        err = wait_for(lambda: None if _es_ifs(topo[pe]) == want else _es_ifs(topo[pe]),
                       timeout=30, desc="%s ES interfaces" % pe)
        assert err is None, err


def test_adjacency_with_one_pe_only(topo):
    """CE1's IGP hellos go to one PE only (its LAG hash): for each address
    family CE1 has one full neighbour, and only that PE has CE1's routes by
    the IGP (draft 1.3)."""
    for fam in _fams(topo):
        err = wait_for(lambda: None if len(_full_neighbours(topo, fam)) == 1
                       else "%s full: %s" % (fam, _full_neighbours(topo, fam)), timeout=60,
                       desc="%s adjacency" % fam)
        assert err is None, err
        learner, other = _learner(topo, fam)
        for pfx in fam.prefixes:
            def check():
                r = topo[learner].vtysh_json("show %s route vrf CUST1 %s json"
                                             % (fam.show, pfx)).get(pfx)
                return None if r and r[0]["protocol"] == _proto(topo, fam) else "%s: %s" % (pfx, r)
            err = wait_for(check, timeout=30, desc="learner's IGP routes")
            assert err is None, err
            r = topo[other].vtysh_json("show %s route vrf CUST1 %s json"
                                       % (fam.show, pfx)).get(pfx, [])
            assert not [x for x in r if x["protocol"] in ("ospf", "ospf6", "isis")], r


def test_baseline_one_path_at_pe3(topo):
    "With the sync off, PE3 has a single path to CE1's loopback: the learner's."
    for fam in _fams(topo):
        learner, _ = _learner(topo, fam)
        for pfx in fam.prefixes:
            err = wait_for(_pe3_ecmp(topo, pfx, [learner]), timeout=30, desc="PE3 one path")
            assert err is None, err


def _igp_routes(node):
    return node.vtysh_json("show bgp l2vpn evpn l3-multihoming igp-routes json")


def _entry(node, origin, prefix):
    for r in _igp_routes(node).get("routes", []):
        if r["origin"] == origin and r["prefix"] == prefix:
            return r
    return None


def _vrf_best(node, prefix):
    r = node.vtysh_json("show bgp vrf CUST1 %s unicast %s json" % (_fam(prefix).afi, prefix))
    for p in r.get("paths", []):
        if p.get("bestpath", {}).get("overall"):
            return p
    return None


def _pcap(topo, node):
    return os.path.join(topo.lab.workdir, node, "%s-bgp.pcap" % node)


def _rt5_sent(pcap, src, prefix):
    """The RT-5s for prefix that src sent in the capture, as tshark decodes
    them: [(NLRI fields, 8-octet EC hex values)], oldest first."""
    ip = prefix.split("/")[0]
    key = "bgp.evpn.nlri.ipv6.addr" if ":" in ip else "bgp.evpn.nlri.ip.addr"
    out = []
    for msg in tshark.bgp_updates(pcap, "bgp.type == 2 && ip.src == %s" % src):
        ecs = []
        nlris = []
        for code, raw, dec in msg:
            if code == bgpinject.EXT_COMMUNITIES:
                ecs = sorted(raw[6:][i:i + 16] for i in range(0, len(raw) - 6, 16))
            elif code == bgpinject.MP_REACH:
                nlris = tshark.evpn_nlris(dec)
        for fields, _ in nlris:
            if fields.get("bgp.evpn.nlri.rt") == "5" and fields.get(key) == ip:
                out.append((fields, ecs))
    return out


def _rt5_decoded(topo, pcap_node, src, prefix, approach, gw):
    """None if tshark decodes, in pcap_node's capture, src's RT-5 for
    prefix as the approach has it (gw: the learner's next hop)"""
    # the sync RT-5, not a PE's own one of the EVPN core (with a Router's MAC)
    sent = [x for x in _rt5_sent(_pcap(topo, pcap_node), src, prefix)
            if not any(ec.startswith("0603") for ec in x[1])]
    if not sent:
        return "no RT-5 for %s from %s in %s's capture" % (prefix, src, pcap_node)
    fields, ecs = sent[-1]
    v6 = ":" in prefix
    want_esi = ESI2 if approach == "esi" else "00:00:00:00:00:00:00:00:00:00"
    want_gw = ("::" if v6 else "0.0.0.0") if approach == "esi" else gw
    got = (fields.get("bgp.evpn.nlri.esi"),
           fields.get("bgp.evpn.nlri.ipv%d.gtw_addr" % (6 if v6 else 4)),
           fields.get("bgp.evpn.nlri.etag"), fields.get("bgp.evpn.nlri.prefix_len"),
           # the label field: a VNI to tshark on a session with VXLAN routes
           fields.get("bgp.update.path_attribute.mpls_label", {}).get(
               "bgp.update.path_attribute.mpls_label_value", fields.get("bgp.evpn.nlri.vni")))
    want = (want_esi, want_gw, "0", prefix.split("/")[1], "0")
    if got != want:
        return "%s: (esi, gw, etag, len, label) %s, want %s" % (pcap_node, got, want)
    # ES-Import RT + EVI-RT, no Encapsulation EC, no Router's MAC
    if ecs != sorted([ES_IMPORT_E2, EVI_RT_1]):
        return "%s: ECs %s" % (pcap_node, ecs)
    return None


def _via_pe(topo, src, dst, sports, dport):
    """Which PE PE3's ECMP hash picks for each UDP flow, by its SR label."""
    fam = _fam(dst)
    out = topo["pe3"].cmd("\n".join(
        "ip -%d route get %s vrf CUST1 from %s ipproto udp sport %d dport %d"
        % (fam.v, dst, src, sp, dport) for sp in sports))
    if topo.core == "evpn":
        # by the VTEP
        vteps = re.findall(r"via (\S+) dev br%d" % L3VNI, out)
        assert len(vteps) == len(sports), out
        pe_of = {v: pe for pe, v in PE_LO.items()}
        return {sp: pe_of[v] for sp, v in zip(sports, vteps)}
    labels = re.findall(r"encap mpls\s+(\d+)", out)
    assert len(labels) == len(sports), out
    return {sp: fam.labels[l] for sp, l in zip(sports, labels)}


def _flows(topo, dst, port, capture_on):
    """Send 32 UDP flows from PE3's CUST1 to dst: (ports that arrived, the
    ports PE3 hashed to each PE, the ports seen leaving each capture_on
    PE's bond2 towards CE1)."""
    src = PE3_LO["CUST1"][0 if _fam(dst).v == 4 else 1]
    ft = FlowTest(topo["pe3"], topo["ce1"], dst, port=port, src=src, src_dev="CUST1", flows=32)
    via = _via_pe(topo, src, dst, ft.sports(), port)
    caps = {}
    for pe in capture_on:
        f = os.path.join(topo.lab.workdir, pe, "%s-flows-%d.pcap" % (pe, port))
        caps[pe] = (f, topo[pe].popen(["tcpdump", "-q", "-U", "-i", "bond2", "-w", f,
                                       "udp dst port %d" % port]))
        wait_for(lambda: None if os.path.exists(f) else "no pcap", timeout=10)
    got = ft.run()
    seen = {}
    for pe, (f, p) in caps.items():
        subprocess.run(["sleep", "1"])
        os.killpg(p.pid, 2)
        p.wait(timeout=10)
        seen[pe] = {int(x["udp.srcport"][0]) for x in tshark.fields(f, "udp", ["udp.srcport"])}
    return got, set(ft.sports()), via, seen


def _ce1_ll(topo):
    "CE1's link-local address on its LAG: the next hop of its OSPFv3 and IS-IS IPv6 routes"
    out = topo["ce1"].cmd("ip -6 -o addr show dev bond0 scope link")
    return re.search(r"inet6 (fe80::[0-9a-f:]+)/64", out).group(1)


def _ce1_known(topo):
    """Traffic to CE1's addresses on the LAG from each PE: ARP/ND entries
    for them, which the ARP/ND sync shares (CE1's answers are hashed to one
    PE). The next hops resolve through them; OSPFv2 makes them as it forms
    its adjacency, IS-IS does not."""
    for pe in PES:
        for dst, dev in ((CE1_IP4, "CUST1"), (CE1_IP6, "CUST1"), (_ce1_ll(topo), "bond2")):
            topo[pe].cmd("ping -c 2 -i 0.2 -W 1 -I %s %s" % (dev, dst), check=False)


def _check_sync(topo, approach, fam):
    learner, other = _learner(topo, fam)
    proto = _proto(topo, fam)
    ll = _ce1_ll(topo)
    local_nh = fam.ce_ip if fam.v == 4 else ll
    synced_nh = local_nh if approach == "gateway-ip" else fam.ce_ip
    _ce1_known(topo)
    for pfx in fam.prefixes:
        # the learner advertises it (3.8.1 / 3.8.2)
        def local():
            e = _entry(topo[learner], "local", pfx)
            want = {"state": "advertised", "approach": approach, "esi": ESI2, "ethTag": 0,
                    "igp": proto, "nexthop": local_nh, "interface": "bond2"}
            return None if e and all(e.get(k) == v for k, v in want.items()) else e
        err = wait_for(local, timeout=30, desc="%s advertises %s" % (learner, pfx))
        assert err is None, err

        # the other PE installs it via CE1 on its own bond2
        def synced():
            e = _entry(topo[other], "synced", pfx)
            if not e or e.get("state") != "installed" or e.get("nexthop") != synced_nh \
                    or e.get("approach") != approach:
                return "igp-routes: %s" % e
            best = _vrf_best(topo[other], pfx)
            nh = [n.get("ip") for n in best.get("nexthops", [])] if best else None
            if not best or nh != [synced_nh] or best.get("weight") != 32768:
                return "best path: %s" % best
            kern = topo[other].cmd("ip -%d route show vrf CUST1 %s" % (fam.v, pfx))
            if not re.search(r"via %s dev bond2 proto bgp" % re.escape(synced_nh), kern):
                return "kernel: %s" % kern
            return None
        err = wait_for(synced, timeout=30, desc="%s installs %s" % (other, pfx))
        assert err is None, err
        # no sync route back: the other PE advertises nothing for it
        assert _entry(topo[other], "local", pfx) is None
        # the learner keeps its IGP route as best
        best = _vrf_best(topo[learner], pfx)
        assert best and best["origin"] == "incomplete" and best.get("weight") == 32768, best
        r = topo[learner].vtysh_json("show %s route vrf CUST1 %s json"
                                     % (fam.show, pfx))[pfx]
        assert [x["protocol"] for x in r if x.get("selected")] == [proto], r

        # PE3: two VPN paths, two kernel next hops
        err = wait_for(_pe3_ecmp(topo, pfx, PES), timeout=30, desc="PE3 ECMP %s" % pfx)
        assert err is None, err

        # tshark: on the learner's side of P and on the other PE's side
        for pcap_node, src in ((learner, PE_LO[learner]), (other, P_LO)):
            err = wait_for(lambda: _rt5_decoded(topo, pcap_node, src, pfx, approach, local_nh),
                           timeout=20, desc="RT-5 decode")
            assert err is None, err

    # flows: all arrive, those hashed to the other PE cross its bond2
    port = (5003 if approach == "esi" else 5004) + (10 if fam.v == 6 else 0)
    got, want, via, seen = _flows(topo, fam.lo, port, [other])
    via_other = {sp for sp, pe in via.items() if pe == other}
    assert via_other and len(via_other) < len(want), "hash does not spread: %s" % via
    assert got == want, "arrived %d/%d, lost %s" % (len(got), len(want), sorted(want - got))
    assert seen[other] == via_other, "via %s: predicted %s, seen %s" % (
        other, sorted(via_other), sorted(seen[other]))


@pytest.mark.parametrize("fam", FAMS, ids=repr)
def test_sync_esi_approach(topo, fam):
    """ESI approach (3.8.1): RT-5 with the ES's ESI, gateway IP 0. Over the
    EVPN core the draft has IP aliasing instead (IP A-D routes), which FRR
    10.3 lacks: the other PE re-originates the prefix as for the
    gateway-IP approach (doc/user/evpn-l3mh.rst)."""
    _only_fams(topo, fam)
    _sync(topo, True)
    _check_sync(topo, "esi", fam)


@pytest.mark.parametrize("fam", FAMS, ids=repr)
def test_sync_gateway_ip_approach(topo, fam):
    """Gateway-IP approach (3.8.2): RT-5 with ESI 0 and CE1's address as
    gateway IP. Over the EVPN core the other PE re-originates the prefix
    as its own RT-5 (its RD, its VTEP and router MAC, the L3VNI), and PE3
    load-balances over the two VTEPs."""
    _only_fams(topo, fam)
    _sync(topo, True, "gateway-ip")
    _check_sync(topo, "gateway-ip", fam)


def _running(node):
    return "\n".join(running_lines(node)) + "\n"


def test_running_config_round_trip_and_frr_reload(topo):
    """`l3-multihoming igp-sync approach gateway-ip` is in show
    running-config, applying it again changes nothing, and frr-reload.py
    takes the ESI approach (the default, no keyword) back and forth."""
    _only_mpls(topo, "the config round trip is tested once, on the RFC 4364 core")
    pe = "pe2"
    cfg = _running(topo[pe])
    assert re.search(r"router bgp 65000 vrf CUST1\n(.*\n)*? address-family l2vpn evpn\n"
                     r"  l3-multihoming arp-nd-sync\n  l3-multihoming igp-sync approach gateway-ip\n",
                     cfg), cfg
    path = os.path.join(topo.lab.workdir, "%s-igp.conf" % pe)
    with open(path, "w") as f:
        f.write(cfg)
    topo[pe].cmd("%s -N %s -f %s" % (os.path.join(os.environ.get("FRR_PREFIX", "/usr"),
                                                  "bin", "vtysh"), pe, path))
    assert _running(topo[pe]) == cfg
    assert reload_test(topo[pe], path) == ([], [])
    esi = cfg.replace("igp-sync approach gateway-ip\n", "igp-sync\n")
    with open(path, "w") as f:
        f.write(esi)
    dels, adds = reload_test(topo[pe], path)
    assert dels == ["router bgp 65000 vrf CUST1 address-family l2vpn evpn "
                    "l3-multihoming igp-sync approach gateway-ip"] or \
        any("igp-sync approach gateway-ip" in d for d in dels), (dels, adds)
    assert any(a.endswith("l3-multihoming igp-sync") for a in adds), (dels, adds)
    frr_reload(topo[pe], path, "--reload")
    assert _running(topo[pe]) == esi
    with open(path, "w") as f:
        f.write(cfg)
    frr_reload(topo[pe], path, "--reload")
    assert _running(topo[pe]) == cfg


def test_igp_sync_needs_arp_nd_sync(topo):
    "igp-sync is refused in a VRF without arp-nd-sync (its RTs and next hops)."
    _only_mpls(topo, "tested once, on the RFC 4364 core")
    out = topo["pe2"].cmd("%s -N pe2 -c 'configure' -c 'router bgp 65000 vrf CUST2' "
                          "-c 'address-family l2vpn evpn' -c 'no l3-multihoming arp-nd-sync' "
                          "-c 'l3-multihoming igp-sync'" % os.path.join(
                              os.environ.get("FRR_PREFIX", "/usr"), "bin", "vtysh"), check=False)
    assert "configure 'l3-multihoming arp-nd-sync' first" in out, out
    topo["pe2"].config("router bgp 65000 vrf CUST2\naddress-family l2vpn evpn\n"
                       "l3-multihoming arp-nd-sync")


def _rt5(rd_index, esi, etag, plen, ip, gw=None):
    """An EVPN RT-5 NLRI (RFC 9136 3.1), RD 10.9.0.3:rd_index, IPv4 or IPv6
    by ip: prefix, gateway IP (0 if None), label 0."""
    return bgpinject.evpn_rt5(bgpinject.rd_ip("10.9.0.3", rd_index), plen, ip, gw, esi, etag)


def _rt2(rd_index, esi, etag, mac, ip):
    "An EVPN RT-2 NLRI (RFC 7432 7.2), RD 10.9.0.3:rd_index: MAC and IP, label 0"
    return bgpinject.evpn_rt2(bgpinject.rd_ip("10.9.0.3", rd_index), mac, ip, (0,), esi, etag,
                              vni=True)


FOREIGN_ESI = "03:02:00:00:00:00:77:00:00:09"
MAX_ESI = "ff:ff:ff:ff:ff:ff:ff:ff:ff:ff"
INJ_CASES = [
    # (prefix, ESI, extended communities, log reason)
    ("10.77.1.0", FOREIGN_ESI, ["060202000000" "0077", EVI_RT_1],
     "ES-Import RT or ESI of a non-local ES"),
    ("10.77.2.0", ESI2, ["060202000000" "0099", EVI_RT_1], "ES-Import RT or ESI of a non-local ES"),
    ("10.77.3.0", ESI2, [ES_IMPORT_E2, "060afde800000009"],
     "EVI-RT missing, repeated or of no local VRF"),
    # MAX-ESI is no ESI (RFC 7432 section 5): with gateway IP 0, label 0
    # and no Router's MAC, bgpd's own RFC 9136 check treats it as withdrawn
    ("10.77.4.0", MAX_ESI, [ES_IMPORT_E2, EVI_RT_1], None),
]


def _announce(topo, nlri, ecs):
    topo.inject(bgpinject.base_attributes() + bgpinject.ext_communities(ecs) +
                bgpinject.mp_reach_evpn(INJ, [nlri]))


def _established(pe2):
    n = pe2.vtysh_json("show bgp neighbor %s json" % INJ).get(INJ, {})
    return None if n.get("bgpState") == "Established" else n.get("bgpState")


def test_injected_rt5_treat_as_withdraw(topo):
    """RT-5s with a foreign ESI, a foreign ES-Import RT, a foreign EVI-RT or
    a reserved ESI, from a raw BGP speaker: each is treated as withdrawn
    with a log line, is not installed, and the session stays up."""
    _only_mpls(topo, "tested once, on the RFC 4364 core")
    pe2 = topo["pe2"]
    err = wait_for(lambda: _established(pe2), timeout=30, desc="PE2-injector session")
    assert err is None, err
    for k, (pfx, esi, ecs, _) in enumerate(INJ_CASES):
        _announce(topo, _rt5(20 + k, esi, 0, 24, pfx), ecs)
    log = os.path.join(pe2.logdir, "bgpd.log")

    def logged():
        text = open(log).read()
        for pfx, esi, _, reason in INJ_CASES:
            if reason:
                line = (r"treat-as-withdraw RT-5 \[5\]:\[0\]:\[24\]:\[%s\] .*esi %s from %s: .*%s"
                        % (re.escape(pfx), re.escape(esi), re.escape(INJ), re.escape(reason)))
            else:
                line = (r"Invalid update from peer .* prefix \[5\]:\[0\]:\[24\]:\[%s\] "
                        r".*treat as withdraw" % re.escape(pfx))
            if not re.search(line, text):
                return "no log line for %s (%s)" % (pfx, reason or "RFC 9136")
        return None

    err = wait_for(logged, timeout=20, desc="treat-as-withdraw log lines")
    assert err is None, err
    routes = pe2.vtysh_json("show bgp l2vpn evpn route type prefix json")
    from_inj = [p for rd, v in routes.items() if rd.startswith("10.9.0.3:")
                and isinstance(v, dict) for p in v]
    assert not from_inj, from_inj
    for pfx, *_ in INJ_CASES:
        assert not pe2.vtysh_json("show ip route vrf CUST1 %s/24 json" % pfx), pfx
    n = pe2.vtysh_json("show bgp neighbor %s json" % INJ)[INJ]
    assert n["bgpState"] == "Established" and n.get("connectionsDropped", 0) == 0, n
    assert "NOTIFICATION" not in open(topo.inj_log).read()


def _injected_installed(topo, pfx, **want):
    """PE2 has the injector's RT-5 for pfx installed, with the igp-routes
    JSON fields want, and PE3 has PE2's path alone"""
    def check():
        e = _entry(topo["pe2"], "synced", pfx)
        if not e or e["state"] != "installed" or any(e.get(k) != v for k, v in want.items()):
            return e
        paths = _pe3_paths(topo, pfx)
        return None if paths[0] == [_fam(pfx).pe_lo["pe2"]] else paths
    return check


def _injected_gone(topo, pfx):
    "PE2 and PE3 have no route to pfx (nor PE2 an RT-5 of it)"
    def check():
        pe2 = topo["pe2"]
        if _entry(pe2, "synced", pfx) or pe2.vtysh_json(
                "show %s route vrf CUST1 %s json" % (_fam(pfx).show, pfx)):
            return "still on PE2"
        return None if _pe3_paths(topo, pfx)[0] == [] else "still on PE3"
    return check


def test_unresolved_gateway_neither_installed_nor_readvertised(topo):
    """A valid RT-5 whose gateway IP has no ARP/ND entry on the ES: PE2
    keeps it unresolved, installs nothing and PE3 gets no path from PE2;
    once the gateway has an entry (a synced one, injected as an RT-2) the
    route is installed and re-advertised."""
    _only_mpls(topo, "tested once, on the RFC 4364 core")
    pe2 = topo["pe2"]
    err = wait_for(lambda: _established(pe2), timeout=30, desc="PE2-injector session")
    assert err is None, err
    gw, pfx = "198.51.100.77", "10.78.0.0/24"
    _announce(topo, _rt5(30, "00" * 10, 0, 24, "10.78.0.0", gw), [ES_IMPORT_E2, EVI_RT_1])

    def unresolved():
        e = _entry(pe2, "synced", pfx)
        return None if e and e["state"] == "unresolved" and e["gatewayIp"] == gw else e
    err = wait_for(unresolved, timeout=20, desc="unresolved")
    assert err is None, err
    assert not pe2.vtysh_json("show ip route vrf CUST1 %s json" % pfx)
    assert _vrf_best(pe2, pfx) is None
    assert _pe3_paths(topo, pfx)[0] == []
    # the gateway gets an entry: an RT-2 of ES-2 for it
    rt2 = _rt2(31, ESI2, 0, "02:00:00:00:77:78", gw)
    _announce(topo, rt2, [ES_IMPORT_E2, EVI_RT_1])

    err = wait_for(_injected_installed(topo, pfx, nexthop=gw), timeout=30,
                   desc="installed once resolved")
    assert err is None, err
    kern = pe2.cmd("ip route show vrf CUST1 %s" % pfx)
    assert "via %s dev bond2 proto bgp" % gw in kern, kern
    # withdrawn: gone from PE2 and PE3
    topo.inject(bgpinject.mp_unreach_evpn([_rt5(30, "00" * 10, 0, 24, "10.78.0.0", gw)]))

    err = wait_for(_injected_gone(topo, pfx), timeout=30, desc="withdrawn")
    assert err is None, err
    topo.inject(bgpinject.mp_unreach_evpn([rt2]))


def test_link_local_gateway_on_its_ethernet_tag(topo):
    """A link-local gateway IP names a neighbour on one link: PE2 resolves
    an RT-5's through an ND entry on the route's ES Ethernet Tag only. The
    same address synced on ES-1's VLAN 1 (bond1.1, also in CUST1) leaves the
    route unresolved; once it is synced on ES-2's Ethernet Tag 0 too, the
    route is installed via bond2."""
    _only_mpls(topo, "tested once, on the RFC 4364 core")
    pe2 = topo["pe2"]
    err = wait_for(lambda: _established(pe2), timeout=30, desc="PE2-injector session")
    assert err is None, err
    gw, pfx = "fe80::77", "2001:db8:78::/64"
    rt5 = _rt5(32, "00" * 10, 0, 64, "2001:db8:78::", gw)
    on_e1 = _rt2(33, ESI1, 1, "02:00:00:00:77:01", gw)
    on_e2 = _rt2(34, ESI2, 0, "02:00:00:00:77:02", gw)
    _announce(topo, rt5, [ES_IMPORT_E2, EVI_RT_1])
    _announce(topo, on_e1, [ES_IMPORT_E1, EVI_RT_1])

    def synced_on(esi):
        n = pe2.vtysh_json("show evpn l3mh synced-neighbors json").get("neighbors", [])
        return None if [x for x in n if x["ip"] == gw and x["esi"] == esi
                        and x["state"] == "installed"] else n
    try:
        err = wait_for(lambda: synced_on(ESI1), timeout=20, desc="the ES-1 entry installed")
        assert err is None, err
        e = _entry(pe2, "synced", pfx)
        assert e and e["state"] == "unresolved", e
        assert not pe2.vtysh_json("show %s route vrf CUST1 %s json" % (V6.show, pfx))

        _announce(topo, on_e2, [ES_IMPORT_E2, EVI_RT_1])

        err = wait_for(_injected_installed(topo, pfx, interface="bond2"), timeout=30,
                       desc="installed via bond2")
        assert err is None, err
        kern = pe2.cmd("ip -6 route show vrf CUST1 %s" % pfx)
        assert "via %s dev bond2 proto bgp" % gw in kern, kern
    finally:
        topo.inject(bgpinject.mp_unreach_evpn([rt5, on_e1, on_e2]))
    err = wait_for(_injected_gone(topo, pfx), timeout=30, desc="withdrawn")
    assert err is None, err


@pytest.mark.parametrize("fam", FAMS, ids=repr)
def test_ce_route_removed_withdrawals_chain(topo, fam):
    """CE1's loopback goes: the learner's IGP route goes, its RT-5 is
    withdrawn, the other PE's VPN route goes; PE2 and PE3 lose it within
    seconds. It comes back with ECMP."""
    _only_fams(topo, fam)
    learner, other = _learner(topo, fam)
    pfx = fam.host
    topo["ce1"].cmd("ip addr del %s dev lo" % pfx)
    try:
        def gone():
            if _entry(topo[learner], "local", pfx):
                return "learner still has it"
            if _entry(topo[other], "synced", pfx):
                return "other still has the RT-5"
            if topo[other].vtysh_json("show %s route vrf CUST1 %s json"
                                      % (fam.show, pfx)):
                return "other still routes it"
            return None if _pe3_paths(topo, pfx)[0] == [] else "PE3 %s" % (
                _pe3_paths(topo, pfx),)
        err = wait_for(gone, timeout=20, desc="CE route gone")
        assert err is None, err
        # the rest of CE1's routes are untouched
        assert _entry(topo[other], "synced", fam.net)["state"] == "installed"
    finally:
        topo["ce1"].cmd("ip addr add %s dev lo" % pfx)
    err = wait_for(_pe3_ecmp(topo, pfx, PES), timeout=30, desc="PE3 ECMP again")
    assert err is None, err


def _retention(topo, secs):
    for pe in PES:
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n%s" % (
            "l3-multihoming retention-time %d" % secs if secs else "no l3-multihoming retention-time"))


def test_learner_es_link_down(topo):
    """The learner's ES link goes down. Its OSPF route, RT-5 and RT-2s go;
    with a retention time (draft section 4) the other PE keeps the route
    it installed, via CE1 on its own bond2, until it has the route by its
    own adjacency (CE1's LAG now sends it everything). PE3 is left with the
    other PE's path and no flow is lost. The link comes back."""
    learner, other = _learner(topo)
    pfx = "%s/32" % CE1_LO4
    log = os.path.join(topo[other].logdir, "bgpd.log")
    mark = len(open(log).read())
    _retention(topo, 15)
    topo[learner].cmd("ip link set eth-ce down")
    try:
        # the learner's bond2 is down: no ES interface that is up
        err = wait_for(lambda: None if _es_ifs(topo[learner]).get("bond2", ())[3:] == (False,)
                       else _es_ifs(topo[learner]), timeout=20, desc="bond2 down in bgpd")
        assert err is None, err
        # at once: the other PE keeps the route it installed (retention)
        def retained():
            if not re.search(r"igp \[5\]:\[0\]:\[32\]:\[%s\] rd \S+: retained 15s via %s"
                             % (re.escape(CE1_LO4), re.escape(CE1_IP4)), open(log).read()[mark:]):
                return "no retention log line"
            return _pe3_ecmp(topo, pfx, [other])()
        err = wait_for(retained, timeout=20, desc="retained, PE3 via other only")
        assert err is None, err
        got, want, _, _ = _flows(topo, CE1_LO4, 5005, [])
        assert got == want, "arrived %d/%d" % (len(got), len(want))

        # then the other PE has the route by its own adjacency
        def own():
            r = topo[other].vtysh_json("show ip route vrf CUST1 %s json" % pfx).get(pfx, [])
            return None if [x["protocol"] for x in r if x.get("selected")] == [topo.igp] else r
        err = wait_for(own, timeout=30, desc="other PE's own IGP route")
        assert err is None, err
        err = wait_for(_pe3_ecmp(topo, pfx, [other]), timeout=20, desc="PE3 via other only")
        assert err is None, err
        got, want, via, _ = _flows(topo, CE1_LO4, 5006, [])
        assert set(via.values()) == {other}, (via, topo["pe3"].vtysh(
            "show bgp vrf CUST1 ipv4 unicast %s" % pfx))
        assert got == want, "arrived %d/%d" % (len(got), len(want))
    finally:
        topo[learner].cmd("ip link set eth-ce up")
        _retention(topo, 0)
    err = wait_for(lambda: lag_whole(topo["ce1"], "bond0", ES["bond2"][0]), timeout=60,
                   desc="LAG whole again")
    assert err is None, err
    for fam in _fams(topo):
        err = wait_for(lambda: None if len(_full_neighbours(topo, fam)) == 1
                       else _full_neighbours(topo, fam), timeout=60, desc="one adjacency again")
        assert err is None, err
    for fam in _fams(topo):
        for p in fam.prefixes:
            err = wait_for(_pe3_ecmp(topo, p, PES), timeout=40, desc="PE3 ECMP again")
            assert err is None, err


def _synced_everywhere(topo):
    "Every CE1 prefix installed by sync on the other PE, and with ECMP at PE3"
    for fam in _fams(topo):
        for pfx in fam.prefixes:
            def check():
                # (a restart may have the adjacency move to the other PE)
                pes = _full_neighbours(topo, fam)
                if len(pes) != 1:
                    return "%s adjacencies: %s" % (fam, pes)
                other = "pe2" if pes[0] == "pe1" else "pe1"
                e = _entry(topo[other], "synced", pfx)
                if not e or e.get("state") != "installed":
                    return "%s igp-routes: %s" % (other, e)
                kern = topo[other].cmd("ip -%d route show vrf CUST1 %s" % (fam.v, pfx))
                if not re.search(r"dev bond2 proto bgp", kern):
                    return "%s kernel: %s" % (other, kern)
                return _pe3_ecmp(topo, pfx, PES)()
            err = wait_for(check, timeout=60, desc="%s synced again" % pfx)
            assert err is None, err


def test_bgpd_restart_on_other_pe(topo):
    """bgpd restarts on the PE that has CE1's routes by sync: once its
    sessions are back it imports the RT-5s again, installs the routes via
    CE1 on its bond2 and PE3 has ECMP again."""
    _, other = _learner(topo)
    # the restarted bgpd reads the integrated config: make it the running one
    topo[other].vtysh("write memory")
    topo[other].stop_daemon("bgpd")
    topo[other].start_daemon("bgpd")
    _synced_everywhere(topo)


def test_zebra_restart_on_learner(topo):
    """zebra restarts on the learner (bgpd lives on): the new zebra tells
    bgpd its ES interfaces again (ES_IF), the IGP routes come back (the IGP
    daemons restarted after zebra: FRR 10.3's do not give a restarted zebra
    their routes again) and are advertised again as RT-5s: the other PE
    installs them and PE3 has ECMP again."""
    learner, _ = _learner(topo)
    node = topo[learner]
    node.vtysh("write memory")
    node.stop_daemon("zebra")
    node.start_daemon("zebra")
    for d in ("isisd", "ospfd", "ospf6d"):
        node.stop_daemon(d)
        node.start_daemon(d)
    for fam in _fams(topo):
        for pfx in fam.prefixes:
            err = wait_for(lambda: None if (_entry(node, "local", pfx) or {}).get("state")
                           == "advertised" else _entry(node, "local", pfx), timeout=90,
                           desc="%s advertised again" % pfx)
            assert err is None, err
    _synced_everywhere(topo)


def test_sync_off_back_to_one_path(topo):
    "igp-sync off: the other PE removes what it installed, PE3 is back to one path."
    _sync(topo, False)
    for fam in _fams(topo):
        learner, other = _learner(topo, fam)
        for pfx in fam.prefixes:
            err = wait_for(_pe3_ecmp(topo, pfx, [learner]), timeout=30, desc="PE3 one path")
            assert err is None, err
            # only the learner's VPN route, imported (weight 0), is left on the other PE
            best = _vrf_best(topo[other], pfx)
            assert best and best.get("weight", 0) == 0, best
    for pe in PES:
        assert _igp_routes(topo[pe])["routes"] == []
