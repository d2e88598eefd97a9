#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
evpn_mcast_rt: the EVPN multicast routes of RFC 9251 (type 6 SMET, type 7
Multicast Membership Report Synch, type 8 Multicast Leave Synch) through an
FRR route reflector that is not a PE of any ES.

    inj (raw BGP speaker) --- rr (FRR, route reflector) --- c1 (FRR, client)
    10.1.0.2          10.1.0.1       |          10.2.0.1          10.2.0.2
                                     | 10.3.0.1
                                     x1 (ExaBGP 4.2, receiver) 10.3.0.2

inj sends the routes of WIRE.md section 7 (valid and malformed) with the
ES-Import RT, EVI-RT (types 0 and 3) and Multicast Flags extended
communities; rr must store and reflect them with every field intact (its
own capture on both sides, and c1's, decoded by tshark), treat malformed
routes whose framing is intact as withdrawn (or discard them when no key
can be read) with one log line and no session reset; c1 filters them with
"match evpn route-type". ExaBGP, which keeps EVPN types it does not know
as raw octets, is a second, independent receiver of what rr reflects.

inj also sends RT-5s (RFC 9136) with each overlay index, as the RT-5
sync of draft-ietf-bess-evpn-l3mh-proto section 3.8 does: an ESI (with
ES-Import RT and EVI-RT) or a gateway IP. rr has no soft-reconfiguration
inbound: FRR 10.3 kept the overlay index only with it, and encoded a
received ESI from the wrong field, so it reflected both with ESI 0 and
gateway IP 0 (patches 0020, 0021).
"""

import json
import os

import pytest

from lab import Lab, wait_for
import bgpinject
import exabgp
import tshark

CWD = os.path.dirname(os.path.abspath(__file__))
INJ, RR_INJ, RR_C1, C1 = "10.1.0.2", "10.1.0.1", "10.2.0.1", "10.2.0.2"
RR_X1, X1 = "10.3.0.1", "10.3.0.2"

ESI = "01:00:11:22:33:44:55:01:00:00"
RD = "192.0.2.1:100"
# extended communities (sorted as FRR keeps them)
ES_IMPORT = "0602001122334455"
MCAST_FLAGS_I = "0609000100000000"
MCAST_FLAGS_IM = "0609000300000000"
EVI_RT0 = "060afde800002774"  # EVI-RT type 0, 65000:10100
RT = "0002fde800002774"  # RT 65000:10100
EVI_RT3 = "060d20010db80000000000000000000000010064"  # 2001:db8::1:100

SYNC_ECS = [ES_IMPORT, MCAST_FLAGS_I, EVI_RT0]


def route(hex_nlri, ecs, v6ecs=(), **expect):
    return dict(nlri=hex_nlri, ecs=ecs, v6ecs=list(v6ecs), **expect)


# WIRE.md section 7; expect: type, prefix (%pFX), source/group/originator,
# flags, max response time
ROUTES = {
    "smet": route(
        "06180001c00002010064000000000020ef01010120c000020102", [MCAST_FLAGS_IM, RT],
        rt=6, prefix="[6]:[0]:[0]:[32]:[239.1.1.1]:[32]:[192.0.2.1]",
        src=None, grp="239.1.1.1", orig="192.0.2.1", flags=0x02, esi=None),
    "join4": route(
        "07220001c0000201006401001122334455010000000000000020ef01010120c000020102", SYNC_ECS,
        rt=7, prefix="[7]:[%s]:[0]:[0]:[32]:[239.1.1.1]:[32]:[192.0.2.1]" % ESI,
        src=None, grp="239.1.1.1", orig="192.0.2.1", flags=0x02, esi=ESI),
    "join6": route(
        "074a0001c0000201006401001122334455010000000000008020010db800000000000000000000000580ff3e00000000000000000000800000018020010db800000000000000000000000102",
        SYNC_ECS, [EVI_RT3],
        rt=7, prefix="[7]:[%s]:[0]:[128]:[2001:db8::5]:[128]:[ff3e::8000:1]:[128]:[2001:db8::1]" % ESI,
        src="2001:db8::5", grp="ff3e::8000:1", orig="2001:db8::1", flags=0x02, esi=ESI),
    "leave4": route(
        "08270001c0000201006401001122334455010000000000000020ef01010120c0000202000000000a02", SYNC_ECS,
        rt=8, prefix="[8]:[%s]:[0]:[0]:[32]:[239.1.1.1]:[32]:[192.0.2.2]" % ESI,
        src=None, grp="239.1.1.1", orig="192.0.2.2", flags=0x02, max_resp=10, esi=ESI),
    "leave6": route(
        "08430001c0000201006401001122334455010000000000008020010db800000000000000000000000580ff3e000000000000000000008000000120c000020200000000640a",
        SYNC_ECS,
        rt=8, prefix="[8]:[%s]:[0]:[128]:[2001:db8::5]:[128]:[ff3e::8000:1]:[32]:[192.0.2.2]" % ESI,
        src="2001:db8::5", grp="ff3e::8000:1", orig="192.0.2.2", flags=0x0A, max_resp=100, esi=ESI),
}
TYPE_NAME = {6: "smet", 7: "join-sync", 8: "leave-sync"}

# RT-5 (RFC 9136 section 3.1): RD 192.0.2.1:100, ESI, Ethernet Tag, IP
# prefix length, prefix, gateway IP, label 0
ESI_HEX = "01001122334455010000"
RT5 = {
    "rt5-esi4": dict(
        nlri="0522" "0001c00002010064" + ESI_HEX + "00000001" "18" "cb007100" "00000000" "000000",
        ecs=[ES_IMPORT, EVI_RT0], prefix="[5]:[1]:[24]:[203.0.113.0]",
        esi=ESI, gw=None, etag=1, plen=24, ip="203.0.113.0"),
    "rt5-gw4": dict(
        nlri="0522" "0001c00002010064" + "00" * 10 + "00000002" "18" "c6336400" "c0000207" "000000",
        ecs=[RT], prefix="[5]:[2]:[24]:[198.51.100.0]",
        esi=None, gw="192.0.2.7", etag=2, plen=24, ip="198.51.100.0"),
    "rt5-gw6": dict(
        nlri="053a" "0001c00002010064" + "00" * 10 + "00000001" "30"
             "20010db8000500000000000000000000" "20010db8000000000000000000000007" "000000",
        ecs=[RT], prefix="[5]:[1]:[48]:[2001:db8:5::]",
        esi=None, gw="2001:db8::7", etag=1, plen=48, ip="2001:db8:5::"),
}

# malformed, framing intact (WIRE.md section 7)
RT7_GROUP_LEN_64 = "07260001c0000201006401001122334455010000000000000040000000000000000020c000020102"
RT8_TAW_KEY = "[8]:[%s]:[0]:[0]:[32]:[239.1.1.2]:[32]:[192.0.2.2]" % ESI
RT8_TAW_VALID = "08270001c0000201006401001122334455010000000000000020ef01010220c0000202000000000a02"
RT8_TAW_NO_FLAGS = "08260001c0000201006401001122334455010000000000000020ef01010220c0000202000000000a"
RT6_AFTER_BAD = "06180001c00002010064000000000020ef09090920c000020102"
RT6_AFTER_BAD_KEY = "[6]:[0]:[0]:[32]:[239.9.9.9]:[32]:[192.0.2.1]"


class McastTopo:
    def __init__(self):
        self.lab = Lab("evpn_mcast_rt")

    def __getitem__(self, name):
        return self.lab[name]

    def start(self):
        lab = self.lab
        lab.add_node("inj")
        lab.add_node("x1")
        for r in ("rr", "c1"):
            lab.add_router(r, ["zebra", "bgpd"])
        lab.link("inj", "eth0", "rr", "eth-inj")
        lab.link("rr", "eth-c1", "c1", "eth0")
        lab["inj"].script(["ip addr add %s/24 dev eth0" % INJ, "ip link set eth0 up"])
        lab["rr"].script(["ip addr add %s/24 dev eth-inj" % RR_INJ, "ip link set eth-inj up",
                          "ip addr add %s/24 dev eth-c1" % RR_C1, "ip link set eth-c1 up"])
        lab["c1"].script(["ip addr add %s/24 dev eth0" % C1, "ip link set eth0 up"])
        lab.link("rr", "eth-x1", "x1", "eth0")
        lab["rr"].script(["ip addr add %s/24 dev eth-x1" % RR_X1, "ip link set eth-x1 up"])
        lab["x1"].script(["ip addr add %s/24 dev eth0" % X1, "ip link set eth0 up"])
        for r in lab.routers():
            r.start_capture()
        for r in lab.routers():
            r.start_frr(os.path.join(CWD, r.name, "frr.conf"))
        self.inj = bgpinject.Injector(lab["inj"], lab.workdir, RR_INJ, 65000, INJ).start()
        self.x1 = exabgp.Receiver(lab["x1"], lab.workdir, X1, RR_X1, 65000).start()
        return self

    def stop(self):
        self.lab.stop()

    def inject(self, attrs):
        self.inj.inject(attrs)

    def announce(self, nlris, ecs, v6ecs=()):
        self.inj.announce(INJ, nlris, ecs, v6ecs)

    def withdraw(self, nlris):
        self.inj.withdraw(nlris)


@pytest.fixture(scope="module")
def topo():
    t = McastTopo()
    try:
        t.start()
        yield t
    finally:
        t.stop()


def evpn_paths(router, rtype, detail=True):
    return router.evpn_paths(rtype, detail)


def neighbor(router, peer):
    return router.vtysh_json("show bgp neighbors %s json" % peer)[peer]


def test_sessions_established(topo):
    "The injector and the client are up on the route reflector."
    def check():
        for peer in (INJ, C1, X1):
            st = neighbor(topo["rr"], peer).get("bgpState")
            if st != "Established":
                return "%s is %s" % (peer, st)
        return None

    err = wait_for(check, timeout=60, desc="sessions")
    assert err is None, err
    for name, r in ROUTES.items():
        topo.announce([r["nlri"]], r["ecs"], r["v6ecs"])
    for name, r in RT5.items():
        topo.announce([r["nlri"]], r["ecs"])


def _check_paths(router, want_prefixes, rtype):
    have = evpn_paths(router, rtype)
    missing = [p for p in want_prefixes if p not in have]
    return ("%s missing %s, have %s" % (rtype, missing, list(have))) if missing else None


@pytest.mark.parametrize("name", list(ROUTES))
def test_stored_on_rr_with_json(topo, name):
    "rr stores each route with its key and non-key fields in show ... json."
    r = ROUTES[name]
    tname = TYPE_NAME[r["rt"]]
    err = wait_for(lambda: _check_paths(topo["rr"], [r["prefix"]], tname), timeout=30)
    assert err is None, err
    # the numeric type works too, and gives the same routes
    assert r["prefix"] in evpn_paths(topo["rr"], str(r["rt"]))
    path = evpn_paths(topo["rr"], tname)[r["prefix"]][0]
    assert path["mcastFlags"] == r["flags"]
    assert path["mcastFilterMode"] == ("exclude" if r["flags"] & 0x08 else "include")
    if r["rt"] == 8:
        assert path["maxResponseTime"] == r["max_resp"]
        assert path["reserved"] == 0
    else:
        assert "maxResponseTime" not in path
    # the key in JSON (non-detail list output)
    brief = evpn_paths(topo["rr"], tname, detail=False)[r["prefix"]][0]
    assert brief["routeType"] == r["rt"]
    assert brief["group"] == r["grp"]
    assert brief["originator"] == r["orig"]
    assert brief.get("source") == r["src"]
    assert brief.get("esi") == r["esi"]


def test_extended_communities_shown(topo):
    "EVI-RT types 0 and 3, ES-Import RT and Multicast Flags print by name."
    path = evpn_paths(topo["rr"], "join-sync")[ROUTES["join6"]["prefix"]][0]
    ecs = path["extendedCommunity"]["string"].split()
    assert "ES-Import-Rt:00:11:22:33:44:55" in ecs
    assert "EVI-RT:65000:10100" in ecs
    assert "MCAST-FLAGS:IGMP-proxy" in ecs
    assert path["extendedIpv6Community"]["string"] == "EVI-RT:2001:db8::1:100"
    smet = evpn_paths(topo["rr"], "smet")[ROUTES["smet"]["prefix"]][0]
    assert "MCAST-FLAGS:IGMP-proxy,MLD-proxy" in smet["extendedCommunity"]["string"].split()
    assert "RT:65000:10100" in smet["extendedCommunity"]["string"].split()


def test_route_map_on_client(topo):
    "c1: 'match evpn route-type smet' denies RT-6, 'join-sync' sets local-pref 200."
    c1 = topo["c1"]
    err = wait_for(lambda: _check_paths(c1, [ROUTES["leave4"]["prefix"], ROUTES["leave6"]["prefix"]],
                                        "leave-sync"), timeout=30)
    assert err is None, err
    err = wait_for(lambda: _check_paths(c1, [ROUTES["join4"]["prefix"], ROUTES["join6"]["prefix"]],
                                        "join-sync"), timeout=30)
    assert err is None, err
    assert evpn_paths(c1, "smet") == {}
    for name in ("join4", "join6"):
        assert evpn_paths(c1, "join-sync")[ROUTES[name]["prefix"]][0]["locPrf"] == 200
    for name in ("leave4", "leave6"):
        path = evpn_paths(c1, "leave-sync")[ROUTES[name]["prefix"]][0]
        assert path["locPrf"] == 100
        assert path["maxResponseTime"] == ROUTES[name]["max_resp"]
        assert path["mcastFlags"] == ROUTES[name]["flags"]
    conf = c1.vtysh("show running-config")
    assert " match evpn route-type smet" in conf
    assert " match evpn route-type join-sync" in conf


def _announced(pcap, src):
    """raw NLRI hex -> (tshark fields, sorted EC values, IPv6 EC hex,
    tshark's decode of each EC) for every EVPN NLRI in an MP_REACH that src
    sent."""
    out = {}
    for msg in tshark.bgp_updates(pcap, "bgp.type == 2 && ip.src == %s" % src):
        ecs = v6 = None
        tsh_ecs = []
        nlris = []
        for code, raw, dec in msg:
            if code == bgpinject.EXT_COMMUNITIES:
                ecs = sorted(raw[6:][i:i + 16] for i in range(0, len(raw) - 6, 16))
                tsh_ecs = tshark._as_list(dec["bgp.ext_communities"]["bgp.ext_community"])
            elif code == bgpinject.IPV6_EXT_COMMUNITIES:
                v6 = raw[6:]
            elif code == bgpinject.MP_REACH:
                nlris = tshark.evpn_nlris(dec)
        for fields, raw in nlris:
            out[raw] = (fields, ecs, v6, tsh_ecs)
    return out


def _pcap(topo, router):
    return os.path.join(topo.lab.workdir, router, "%s-bgp.pcap" % router)


def _reflection_error(topo, routes):
    """None if rr sent each of routes on to c1 with the NLRI octets and
    extended communities it received (rr's capture and c1's), else why."""
    sent = _announced(_pcap(topo, "rr"), INJ)
    for side, pcap in (("rr", _pcap(topo, "rr")), ("c1", _pcap(topo, "c1"))):
        refl = _announced(pcap, RR_C1)
        for name, r in routes.items():
            if r["nlri"] not in sent:
                return "%s: injected %s not in rr's capture" % (name, r["nlri"])
            if r["nlri"] not in refl:
                return "%s: %s not reflected intact (%s capture has %s)" % (
                    name, r["nlri"], side, [n for n in refl if n[:2] == r["nlri"][:2]])
            if refl[r["nlri"]][1:3] != sent[r["nlri"]][1:3]:
                return "%s: attributes changed: in %s out %s" % (
                    name, sent[r["nlri"]][1:3], refl[r["nlri"]][1:3])
            if refl[r["nlri"]][1] != sorted(r["ecs"]):
                return "%s: ECs %s, want %s" % (name, refl[r["nlri"]][1], r["ecs"])
            if (refl[r["nlri"]][2] or None) != ("".join(r.get("v6ecs", ())) or None):
                return "%s: IPv6 ECs %s" % (name, refl[r["nlri"]][2])
    return None


@pytest.mark.parametrize("kind", ["mcast", "rt5"])
def test_reflected_intact(topo, kind):
    """The NLRI octets (an RT-5's ESI and gateway IP included) and the EVPN
    extended communities leave rr as they came in, in rr's capture and in c1's."""
    routes = ROUTES if kind == "mcast" else RT5
    err = wait_for(lambda: _reflection_error(topo, routes), timeout=30, interval=2,
                   desc="%s reflection" % kind)
    assert err is None, err


@pytest.mark.parametrize("name", list(ROUTES))
def test_tshark_decodes_reflected(topo, name):
    "tshark decodes each reflected route with the intended field values."
    r = ROUTES[name]
    fields, ecs, v6, tsh_ecs = _announced(_pcap(topo, "c1"), RR_C1)[r["nlri"]]
    assert fields["bgp.evpn.nlri.rt"] == str(r["rt"])
    assert fields["bgp.evpn.nlri.len"] == str(len(r["nlri"]) // 2 - 2)
    assert fields["bgp.evpn.nlri.rd"] == "00:01:c0:00:02:01:00:64"  # RD 192.0.2.1:100
    assert fields.get("bgp.evpn.nlri.esi") == r["esi"]
    assert fields["bgp.evpn.nlri.etag"] == "0"
    fam = lambda a: "ipv6" if ":" in a else "ipv4"
    if r["src"]:
        assert fields["bgp.mcast_vpn_nlri_source_length"] == ("128" if ":" in r["src"] else "32")
        assert fields["bgp.mcast_vpn_nlri_source_addr_" + fam(r["src"])] == r["src"]
    else:
        assert fields["bgp.mcast_vpn_nlri_source_length"] == "0"
    assert fields["bgp.mcast_vpn_nlri_group_addr_" + fam(r["grp"])] == r["grp"]
    assert fields["bgp.evpn.nlri.or_addr_" + fam(r["orig"])] == r["orig"]
    if r["rt"] != 8:
        assert int(fields["bgp.evpn.nlri.igmp_mc_flags"], 16) == r["flags"]
    else:
        # tshark 4.0 reads RT-8 with the RT-7 layout (Flags where Reserved
        # starts): check Reserved, Maximum Response Time and Flags from the
        # octets that tshark delimits as this NLRI
        raw = bytes.fromhex(r["nlri"])
        assert raw[-6:-2] == b"\0\0\0\0"
        assert raw[-2] == r["max_resp"] and raw[-1] == r["flags"]
    # the extended communities as tshark decodes them
    decoded = []
    for e in tsh_ecs:
        if e["bgp.ext_com.type"] == "0x00":
            decoded.append(("rt", e["bgp.ext_com.value_as2"], e["bgp.ext_com.value_an4"]))
        elif e.get("bgp.ext_com.stype_tr_evpn") == "0x02":
            decoded.append(("es-import", e["bgp.ext_com_evpn.esi.rt"]))
        else:
            decoded.append((e["bgp.ext_com.stype_tr_evpn"], int(e["bgp.ext_com.value_raw"], 16)))
    want = []
    for ec in r["ecs"]:
        if ec[:4] == "0002":
            want.append(("rt", str(int(ec[4:8], 16)), str(int(ec[8:], 16))))
        elif ec[:4] == "0602":
            want.append(("es-import", ":".join(ec[i:i + 2] for i in range(4, 16, 2))))
        else:  # EVI-RT type 0 (0x0a), Multicast Flags (0x09): the 6 value octets
            want.append(("0x" + ec[2:4], int(ec[4:], 16)))
    assert sorted(decoded) == sorted(want)


def _rt5_paths(router):
    """RT-5 prefix -> its paths in show bgp l2vpn evpn route detail json"""
    return evpn_paths(router, "prefix")


@pytest.mark.parametrize("name", list(RT5))
def test_rt5_overlay_index_kept(topo, name):
    """rr and c1, neither with soft-reconfiguration inbound, store the
    RT-5 with its gateway IP (show ... json); the ESI of rt5-esi4 is
    checked on the wire below (FRR's JSON shows only attr->esi)."""
    r = RT5[name]
    for rtr in ("rr", "c1"):
        err = wait_for(lambda: None if r["prefix"] in _rt5_paths(topo[rtr])
                       else "%s: %s missing" % (rtr, r["prefix"]), timeout=30)
        assert err is None, err
        path = _rt5_paths(topo[rtr])[r["prefix"]][0]
        assert path.get("gatewayIP") == r["gw"], (rtr, path)


@pytest.mark.parametrize("name", list(RT5))
def test_rt5_tshark_decodes_reflected(topo, name):
    "tshark decodes each reflected RT-5 with its ESI, Ethernet Tag, prefix and gateway IP."
    r = RT5[name]
    fields = _announced(_pcap(topo, "c1"), RR_C1)[r["nlri"]][0]
    v6 = ":" in r["ip"]
    assert fields["bgp.evpn.nlri.rt"] == "5"
    assert fields["bgp.evpn.nlri.esi"] == (r["esi"] or "00:00:00:00:00:00:00:00:00:00")
    assert fields["bgp.evpn.nlri.etag"] == str(r["etag"])
    assert fields["bgp.evpn.nlri.prefix_len"] == str(r["plen"])
    assert fields["bgp.evpn.nlri.ipv6.addr" if v6 else "bgp.evpn.nlri.ip.addr"] == r["ip"]
    gw = fields["bgp.evpn.nlri.ipv6.gtw_addr" if v6 else "bgp.evpn.nlri.ipv4.gtw_addr"]
    assert gw == (r["gw"] or ("::" if v6 else "0.0.0.0"))
    assert fields["bgp.update.path_attribute.mpls_label"]["bgp.update.path_attribute.mpls_label_value"] == "0"


def _exabgp_announced(topo):
    """raw NLRI hex -> (type, parse, sorted EC values) ExaBGP got (it does
    not parse types 6-8)."""
    return topo.x1.evpn_announced()


def test_exabgp_receives_intact(topo):
    "ExaBGP, behind rr, receives each route with the same octets and ECs."
    def check():
        got = _exabgp_announced(topo)
        for name, r in ROUTES.items():
            if r["nlri"] not in got:
                return "%s not received by ExaBGP (got %s)" % (name, list(got))
            code, parsed, ecs = got[r["nlri"]]
            if code != r["rt"] or ecs != sorted(r["ecs"]):
                return "%s: code %s ECs %s" % (name, code, ecs)
        return None

    err = wait_for(check, timeout=30, interval=1, desc="ExaBGP")
    assert err is None, err


def test_exabgp_receives_rt5_intact(topo):
    "ExaBGP, behind rr, parses each RT-5 with its ESI and gateway IP."
    def check():
        got = _exabgp_announced(topo)
        for name, r in RT5.items():
            if r["nlri"] not in got:
                return "%s not received by ExaBGP" % name
            code, parsed, ecs = got[r["nlri"]]
            if code != 5 or ecs != sorted(r["ecs"]):
                return "%s: code %s ECs %s" % (name, code, ecs)
        return None

    err = wait_for(check, timeout=30, interval=1, desc="ExaBGP RT-5")
    assert err is None, err
    for name, r in RT5.items():
        n = _exabgp_announced(topo)[r["nlri"]][1]
        assert n["esi"] == (r["esi"] or "-"), n
        assert n["gateway"] == (r["gw"] or "0.0.0.0"), n
        assert (n["ip"], n["iplen"], n["ethernet-tag"]) == (r["ip"], r["plen"], r["etag"]), n


def _rr_log(topo):
    with open(os.path.join(topo.lab.workdir, "rr", "bgpd.log")) as f:
        return f.read()


def test_malformed_key_intact_treated_as_withdraw(topo):
    "An RT-8 without its Flags octet withdraws the route of that key; one log line."
    topo.announce([RT8_TAW_VALID], SYNC_ECS)
    for r in ("rr", "c1"):
        err = wait_for(lambda: _check_paths(topo[r], [RT8_TAW_KEY], "leave-sync"), timeout=30)
        assert err is None, err
    topo.announce([RT8_TAW_NO_FLAGS], SYNC_ECS)
    for r in ("rr", "c1"):
        err = wait_for(lambda: None if RT8_TAW_KEY not in evpn_paths(topo[r], "leave-sync")
                       else "still there", timeout=30, desc="%s withdraw" % r)
        assert err is None, err
    lines = [l for l in _rr_log(topo).splitlines() if "treated as withdraw" in l]
    assert len(lines) == 1, lines
    assert RT8_TAW_KEY in lines[0] and "len 38" in lines[0]


def test_malformed_without_key_discarded(topo):
    "An RT-7 with group length 64 is discarded, the next NLRI of the same UPDATE kept."
    topo.announce([RT7_GROUP_LEN_64, RT6_AFTER_BAD], [MCAST_FLAGS_IM, RT])
    err = wait_for(lambda: _check_paths(topo["rr"], [RT6_AFTER_BAD_KEY], "smet"), timeout=30)
    assert err is None, err
    lines = [l for l in _rr_log(topo).splitlines() if "discarded" in l and "type-7" in l]
    assert len(lines) == 1, lines
    assert "bad multicast group length" in lines[0]


def test_withdraw(topo):
    "An MP_UNREACH of RT-7 removes it on rr and c1."
    topo.withdraw([ROUTES["join6"]["nlri"]])
    for r in ("rr", "c1"):
        err = wait_for(lambda: None if ROUTES["join6"]["prefix"] not in evpn_paths(topo[r], "join-sync")
                       else "still there", timeout=30, desc="%s withdraw" % r)
        assert err is None, err
    assert ROUTES["join4"]["prefix"] in evpn_paths(topo["rr"], "join-sync")


def test_no_session_reset(topo):
    """None of the above reset an FRR session. (ExaBGP 4.2's JSON encoder
    fails on a withdrawn EVPN route of a type it does not know, "GenericEVPN
    object has no attribute nexthop", and drops its session to rr; x1 is
    only used to receive announcements.)"""
    for peer in (INJ, C1):
        n = neighbor(topo["rr"], peer)
        assert n["bgpState"] == "Established"
        assert n.get("connectionsDropped", 0) == 0, n.get("connectionsDropped")
        assert n.get("connectionsEstablished") == 1
    log = topo.inj.log_text()
    assert "NOTIFICATION" not in log and "session down" not in log
