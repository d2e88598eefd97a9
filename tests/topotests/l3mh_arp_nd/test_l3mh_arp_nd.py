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
import sys
import time

import pytest

import bgpinject
from frrreload import config_lines, frr_reload, reload_test, running_lines
from lab import wait_for
from reftopo import ES, HOST_IP4, HOST_IP6, HOSTS, PE3_LO, RefTopo, lag_whole
from udpflows import FlowTest

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
ESI2 = "03:02:00:00:00:00:e2:00:00:02"


class ArpNdTopo(RefTopo):
    """The reference topology plus X1, a GoBGP speaker peering with PE2."""

    def build(self):
        super().build()
        self.lab.add_node("x1")
        self.lab.link("pe2", "eth-x", "x1", "eth0")
        self.lab["pe2"].script(["ip addr add 10.9.0.1/24 dev eth-x", "ip link set eth-x up"])
        self.lab["x1"].script(["ip addr add 10.9.0.2/24 dev eth0",
                               "ip addr add 10.9.0.3/24 dev eth0", "ip link set eth0 up"])

    def start(self):
        super().start()
        x1 = self.lab["x1"]
        x1.popen(["gobgpd", "-f", os.path.join(CWD, "x1", "gobgpd.toml"),
                  "--api-hosts", "127.0.0.1:50051", "-l", "debug"],
                 logfile=os.path.join(self.lab.workdir, "x1-gobgpd.log"))
        # a raw speaker for what GoBGP cannot send (an ES-Import RT, EVI-RTs)
        self.inj_cmds = os.path.join(self.lab.workdir, "inj-cmds.txt")
        self.inj_log = os.path.join(self.lab.workdir, "inj.log")
        open(self.inj_cmds, "w").close()
        x1.popen([sys.executable, bgpinject.__file__, "--peer", "10.9.0.1",
                  "--source", "10.9.0.3", "--asn", "65000", "--router-id", "10.9.0.3",
                  "--cmds", self.inj_cmds, "--log", self.inj_log],
                 logfile=os.path.join(self.lab.workdir, "inj.out"))
        return self

    def inject(self, attrs):
        with open(self.inj_cmds, "a") as f:
            f.write("update %s\n" % bgpinject.update(attrs).hex())


@pytest.fixture(scope="module")
def topo():
    t = ArpNdTopo(CWD, modules=MODULES)
    try:
        t.start()
        yield t
    finally:
        t.stop()


def gobgp(topo, args):
    return topo["x1"].cmd("gobgp -p 50051 " + args)


def _neigh(node, ifname, ip):
    return node.neighbor(ifname, ip)


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


def test_es_routes_carry_no_encap(topo):
    "The RT-4s of an L3 ES (no L2-VNI) carry the ES-Import RT but no VxLAN Encapsulation EC."
    out = topo["pe2"].vtysh("show bgp l2vpn evpn route type es")
    routes = re.findall(r"\[4\]:\[[0-9a-f:]+\]:\[32\]:\[[0-9.]+\]\n.*\n(.*)\n", out)
    assert len(routes) == 4, out  # own and PE1's, for both ESs
    for ec in routes:
        assert "ES-Import-Rt" in ec and "ET:" not in ec, ec


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
    """The knobs show up in show running-config as configured, and applying
    that output again changes nothing."""
    cfg = topo["pe1"].vtysh("show running-config")
    assert re.search(r"address-family l2vpn evpn\n(  .*\n)*  l3-multihoming\n", cfg), cfg
    assert cfg.count("l3-multihoming arp-nd-sync") == 2, cfg
    path = os.path.join(topo.lab.workdir, "pe1-running.conf")
    with open(path, "w") as f:
        f.write("\n".join(config_lines(cfg)))
    topo["pe1"].cmd("%s -N pe1 -f %s" % (os.path.join(os.environ.get(
        "FRR_PREFIX", "/usr"), "bin", "vtysh"), path))
    again = topo["pe1"].vtysh("show running-config")
    assert again == cfg


def test_debug_in_running_config_and_frr_reload(topo):
    """`debug zebra evpn l3mh` (set in frr.conf) is in show running-config,
    and frr-reload.py sees the running config as it is: nothing to change;
    without the debug line it would delete exactly that line."""
    cfg = topo["pe2"].vtysh("show running-config")
    assert "\ndebug zebra evpn l3mh\n" in cfg, cfg
    assert "\ndebug bgp evpn l3-multihoming\n" in cfg, cfg
    body = "\n".join(config_lines(cfg))
    path = os.path.join(topo.lab.workdir, "pe2-reload.conf")
    with open(path, "w") as f:
        f.write(body + "\n")
    assert reload_test(topo["pe2"], path) == ([], [])
    with open(path, "w") as f:
        f.write(body.replace("\ndebug zebra evpn l3mh\n", "\n") + "\n")
    dels, adds = reload_test(topo["pe2"], path)
    assert dels == ["no debug zebra evpn l3mh"] and adds == [], (dels, adds)
    # and applied with --reload: off, then on again, nothing else touched
    frr_reload(topo["pe2"], path, "--reload")
    off = topo["pe2"].vtysh("show running-config")
    assert off == cfg.replace("\ndebug zebra evpn l3mh\n", "\n"), off
    with open(path, "w") as f:
        f.write(body + "\n")
    frr_reload(topo["pe2"], path, "--reload")
    assert topo["pe2"].vtysh("show running-config") == cfg


def _zebra_state(node, ifname, ip):
    for n in node.vtysh_json("show evpn l3mh synced-neighbors json")["neighbors"]:
        if n["ip"] == ip and n["interface"] == ifname:
            return n["state"]
    return None


def _both_paths(topo, vrf):
    def check():
        r = topo["pe3"].vtysh_json("show ip route vrf %s 192.0.2.0/24 json" % vrf)
        nh = r.get("192.0.2.0/24", [{}])[0].get("nexthops", [])
        return None if len([n for n in nh if n.get("fib")]) == 2 else "PE3 paths: %s" % nh
    return check


def _all_flows(topo, host):
    vrf = HOSTS[host]["vrf"]
    ft = FlowTest(topo["pe3"], topo[host], HOST_IP4, port=5002, src=PE3_LO[vrf][0],
                  src_dev=vrf, flows=32)
    got = ft.run()
    return got, set(ft.sports())


def _states(node, vlan):
    return [n["state"] for n in node.vtysh_json("show evpn l3mh synced-neighbors json")["neighbors"]
            if n["ip"] == HOST_IP4 and n["ethTag"] == vlan]


def _flows_again(topo, host, timeout=60):
    """Once PE3 has both paths to the host's subnet again, all 32 flows
    from PE3 reach it (a bond member needs LACP to let it distribute again:
    a few seconds)."""
    err = wait_for(_both_paths(topo, HOSTS[host]["vrf"]), timeout=timeout, desc="PE3 ECMP again")
    assert err is None, err

    def flows():
        got, want = _all_flows(topo, host)
        return None if got == want else "arrived %d/%d" % (len(got), len(want))

    err = wait_for(flows, timeout=20, interval=1, desc="all flows to %s" % host)
    assert err is None, err


def _event_and_back(topo, host, event, restore, waiting, lag=False, flushed=True):
    """On PE2, which has host's entry only by sync: run the event's
    commands, check that zebra holds the entry in one of the waiting states
    and (flushed) that the kernel has no extern_learn entry; restore; check that the
    entry is extern_learn in the kernel again and installed, and, once PE3
    has both paths again, that all 32 flows from PE3 reach host."""
    pe2, hv = topo["pe2"], HOSTS[host]
    sub = "bond1.%d" % hv["vlan"]
    err = wait_for(lambda: _synced(pe2, sub, HOST_IP4, hv["mac"]), timeout=20,
                   desc="%s synced" % host)
    assert err is None, err
    restored = False
    try:
        pe2.script(event)
        err = wait_for(lambda: None if _states(pe2, hv["vlan"]) in [[w] for w in waiting]
                       else _states(pe2, hv["vlan"]), timeout=10, desc="entry waiting")
        assert err is None, err
        if flushed:
            n = _neigh(pe2, sub, HOST_IP4) if sub in pe2.links() else None
            assert n is None or not _is_ext(n), n
        pe2.script(restore)
        restored = True
    finally:
        if not restored:
            pe2.script(restore, check=False)
    if lag:
        err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=60,
                       desc="LAG whole again")
        assert err is None, err
    err = wait_for(lambda: _synced(pe2, sub, HOST_IP4, hv["mac"]), timeout=20,
                   desc="%s installed again on PE2" % host)
    assert err is None, err
    assert _states(pe2, hv["vlan"]) == ["installed"]
    _flows_again(topo, host)


def test_flap_on_receiving_pe(topo):
    """PE2's bond1.1 goes down (the kernel flushes its neighbours: zebra
    says interface-down, not installed) and up again: H1's entry is
    extern_learn again and all 32 flows arrive."""
    _event_and_back(topo, "h1", ["ip link set bond1.1 down"], ["ip link set bond1.1 up"],
                    ["interface-down"])


def test_sub_interface_deleted_and_created_again(topo):
    """PE2's bond1.2 is deleted (the kernel takes it out of CUST2 first):
    H2's entry waits for an interface; bond1.2 is created again (VLAN 2,
    CUST2, up): the entry is installed on the new interface at once."""
    _event_and_back(topo, "h2", ["ip link del bond1.2"],
                    ["ip link add link bond1 name bond1.2 type vlan id 2",
                     "ip link set bond1.2 master CUST2",
                     "ip addr add 192.0.2.1/24 dev bond1.2",
                     "ip addr add 2001:db8:c1::1/64 dev bond1.2",
                     "ip link set bond1.2 up"],
                    ["no-interface", "interface-down", "vrf-mismatch"])


def test_vrf_re_enslave(topo):
    """PE2's bond1.1 leaves VRF CUST1 (vrf-mismatch: the Ethernet Tag's
    interface is no longer in the route's VRF) and is enslaved again."""
    _event_and_back(topo, "h1", ["ip link set bond1.1 nomaster"],
                    ["ip link set bond1.1 master CUST1",
                     "ip addr replace 192.0.2.1/24 dev bond1.1",
                     "ip addr replace 2001:db8:c1::1/64 dev bond1.1"],
                    ["vrf-mismatch"])


def test_bond_member_change(topo):
    """PE2's only member of bond1 leaves the bond (bond1 and its
    sub-interfaces lose their carrier; the kernel keeps extern-learned
    entries through a carrier loss) and joins it again: LACP aggregates it
    again with SW1 and H1's entry is installed again."""
    _event_and_back(topo, "h1", ["ip link set eth-sw nomaster"],
                    ["ip link set eth-sw down", "ip link set eth-sw master bond1",
                     "ip link set eth-sw up"],
                    ["interface-down"], lag=True, flushed=False)


def _reload_with(node, extra, after="router bgp 65000\n"):
    """frr-reload.py --reload of node's running config with extra lines
    after the first `after`; the running config then"""
    cfg = node.vtysh("show running-config")
    body = "\n".join(config_lines(cfg))
    body = body.replace(after, after + extra, 1) + "\n"
    path = os.path.join(node.lab.workdir, "%s-hold.conf" % node.name)
    with open(path, "w") as f:
        f.write(body)
    frr_reload(node, path, "--reload")
    return path


def test_process_queue_hold_time(topo):
    """`bgp process-queue hold-time` (patch 0041), the latency knob of the
    ARP/ND sync (each BGP hop waits that long, 50 ms by default, before
    best path runs): set with frr-reload.py on PE1, the route reflector and
    PE2, it is in show running-config and frr-reload.py then has nothing to
    change; an entry PE1 learns is synced to PE2 and withdrawn again; `no`
    takes it back to the default, which is not written."""
    for name in ("pe1", "p", "pe2"):
        node = topo[name]
        path = _reload_with(node, " bgp process-queue hold-time 0\n")
        cfg = node.vtysh("show running-config")
        assert "\n bgp process-queue hold-time 0\n" in cfg, (name, cfg)
        assert reload_test(node, path) == ([], []), name
    ip, mac = "192.0.2.77", "02:00:00:00:77:01"
    topo["pe1"].cmd("ip neigh replace %s lladdr %s dev bond1.1 nud reachable" % (ip, mac))
    err = wait_for(lambda: _synced(topo["pe2"], "bond1.1", ip, mac), timeout=20,
                   desc="PE2 with hold-time 0")
    assert err is None, err
    topo["pe1"].cmd("ip neigh del %s dev bond1.1" % ip)
    err = wait_for(lambda: _absent(topo["pe2"], "bond1.1", ip), timeout=20,
                   desc="PE2 removal with hold-time 0")
    assert err is None, err
    for name in ("pe1", "p", "pe2"):
        topo[name].config("router bgp 65000\nno bgp process-queue hold-time")
        cfg = topo[name].vtysh("show running-config")
        assert "process-queue" not in cfg, (name, cfg)


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


def _evpn_mp_reach(pcap, src):
    """tshark's view of every BGP UPDATE from src that advertises RT-2s."""
    import tshark

    names = ["bgp.evpn.nlri.rt", "bgp.evpn.nlri.esi", "bgp.evpn.nlri.etag",
             "bgp.evpn.nlri.mac_addr", "bgp.evpn.nlri.mpls_ls1", "bgp.evpn.nlri.mpls_ls2",
             "bgp.ext_com.type", "bgp.ext_com.stype_tr_evpn", "bgp.ext_com.value_raw",
             "bgp.update.path_attribute.type_code"]
    flt = "bgp.evpn.nlri.rt == 2 && ip.src == %s" % src
    return [m for m in tshark.bgp_messages(pcap, flt, names)
            if "14" in m["bgp.update.path_attribute.type_code"]
            and set(m["bgp.evpn.nlri.rt"]) == {"2"}]


@pytest.mark.parametrize("pcap_node,src", [("pe1", "10.0.0.1"), ("pe2", "10.0.0.10")])
def test_rt2_decoded_by_tshark(topo, pcap_node, src):
    """tshark decodes PE1's sync RT-2 (and the RR's copy to PE2, unchanged):
    ESI, Ethernet Tag = VLAN, label 0, no label2, ES-Import RT and EVI-RT
    carrying the VRF's RT, no BGP Encapsulation EC."""
    pcap = os.path.join(topo.lab[pcap_node].logdir, "%s-bgp.pcap" % pcap_node)
    want = {(HOSTS["h1"]["mac"], "1"): "0x0000fde800000001",   # RT 65000:1
            (HOSTS["h2"]["mac"], "2"): "0x0000fde800000002"}   # RT 65000:2

    def check():
        seen = {}
        for p in _evpn_mp_reach(pcap, src):
            # one UPDATE: its RT-2 NLRIs share the path attributes
            for mac, etag, esi, ls1 in zip(p["bgp.evpn.nlri.mac_addr"],
                                           p["bgp.evpn.nlri.etag"], p["bgp.evpn.nlri.esi"],
                                           p["bgp.evpn.nlri.mpls_ls1"]):
                seen[(mac, etag)] = (esi, ls1, p)
        for key, evi_rt in want.items():
            if key not in seen:
                return "no RT-2 for %s in %s" % (key, sorted(seen))
            esi, ls1, p = seen[key]
            if esi != ESI1:
                return "%s ESI %s" % (key, esi)
            if ls1 != "0" or p["bgp.evpn.nlri.mpls_ls2"]:
                return "%s labels %s/%s" % (key, ls1, p["bgp.evpn.nlri.mpls_ls2"])
            ecs = list(zip(p["bgp.ext_com.type"], p["bgp.ext_com.stype_tr_evpn"]))
            if sorted(ecs) != [("0x06", "0x02"), ("0x06", "0x0a")]:
                return "%s ext communities %s" % (key, ecs)
            if evi_rt not in p["bgp.ext_com.value_raw"]:
                return "%s EVI-RT %s, want %s" % (key, p["bgp.ext_com.value_raw"], evi_rt)
        return None

    err = wait_for(check, timeout=20, desc="tshark RT-2 from %s" % src)
    assert err is None, err


def test_evi_rt_in_show_bgp(topo):
    "bgpd prints the received sync route's EVI-RT as such."
    routes = topo["pe2"].vtysh_json("show bgp l2vpn evpn route type macip json")
    ecs = [p.get("extendedCommunity", {}).get("string", "")
           for rd, rdv in routes.items() if rd.startswith("10.0.0.1:") and isinstance(rdv, dict)
           for pfx, pv in rdv.items() if isinstance(pv, dict) and HOSTS["h2"]["mac"] in pfx
           for group in pv.get("paths", []) for p in group]
    assert ecs and all("EVI-RT:65000:2" in ec and "ES-Import-Rt:02:00:00:00:00:e1" in ec
                       for ec in ecs), ecs


def test_local_entry_not_overwritten(topo):
    """A synced entry never replaces one the PE learned itself; it takes over
    when the local one goes."""
    ip = "192.0.2.50"
    topo["pe2"].cmd("ip neigh replace %s lladdr 02:00:00:00:05:02 dev bond1.1 nud permanent" % ip)
    # PE2's entry may already be synced to PE1: a local one replaces it
    topo["pe1"].cmd("ip neigh replace %s lladdr 02:00:00:00:05:01 dev bond1.1 nud permanent" % ip)

    def held():
        z = topo["pe2"].vtysh_json("show evpn l3mh synced-neighbors json")
        st = [n["state"] for n in z["neighbors"] if n["ip"] == ip]
        return None if st == ["local-entry"] else "zebra state %s" % st

    err = wait_for(held, timeout=20, desc="PE2 holds the synced %s" % ip)
    assert err is None, err
    n = _neigh(topo["pe2"], "bond1.1", ip)
    assert n["lladdr"] == "02:00:00:00:05:02" and not _is_ext(n), n

    topo["pe2"].cmd("ip neigh del %s dev bond1.1" % ip)
    err = wait_for(lambda: _synced(topo["pe2"], "bond1.1", ip, "02:00:00:00:05:01"),
                   timeout=20, desc="PE2 takes over %s" % ip)
    assert err is None, err
    topo["pe1"].cmd("ip neigh del %s dev bond1.1" % ip)
    err = wait_for(lambda: None if not _neigh(topo["pe2"], "bond1.1", ip) else "still there",
                   timeout=20, desc="PE2 removes %s" % ip)
    assert err is None, err


def test_rt_mode_flip_to_ip_vrf(topo):
    """CUST1 switched to the IP-VRF RT mode on both PEs: the sync route now
    carries RT 65000:1 and no ES-Import RT / EVI-RT, and still syncs."""
    for pe in ("pe1", "pe2"):
        topo[pe].config("router bgp 65000 vrf CUST1\naddress-family l2vpn evpn\n"
                        "l3-multihoming arp-nd-sync route-target-mode ip-vrf")
    topo["h1"].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1")

    def check():
        routes = topo["pe2"].vtysh_json("show bgp l2vpn evpn route type macip json")
        for rd, rdv in routes.items():
            if not rd.startswith("10.0.0.1:") or not isinstance(rdv, dict):
                continue
            for pfx, pv in rdv.items():
                if not pfx.startswith("[2]:[1]:") or HOSTS["h1"]["mac"] not in pfx:
                    continue
                if ":[32]:[" not in pfx:
                    continue
                paths = [p for group in pv.get("paths", []) for p in group]
                ecs = [p.get("extendedCommunity", {}).get("string", "") for p in paths]
                if any("RT:65000:1" in ec and "ES-Import" not in ec for ec in ecs):
                    return None
                return "ext communities %r" % ecs
        return "no RT-2 of H1 from PE1"

    err = wait_for(check, timeout=20, desc="RT-2 in ip-vrf mode")
    assert err is None, err
    assert _synced(topo["pe2"], "bond1.1", HOST_IP4, HOSTS["h1"]["mac"]) is None
    cfg = topo["pe1"].vtysh("show running-config")
    assert "l3-multihoming arp-nd-sync route-target-mode ip-vrf" in cfg, cfg


TAW_CASES = [
    # (mac, esi args for gobgp, expected reason in the log)
    ("02:00:00:00:09:01", "", "reserved ESI"),
    ("02:00:00:00:09:02", "esi 255 ff:ff:ff:ff:ff:ff:ff:ff:ff", "reserved ESI"),
    ("02:00:00:00:09:03", "esi MAC 02:00:00:00:00:77 9", "non-local ES"),
]


def test_gobgp_treat_as_withdraw(topo):
    """RT-2s from GoBGP with the VRF's RT but ESI 0, MAX-ESI or the ESI of an
    ES this PE does not have: nothing installed, a log line each, the
    session stays up. A valid one from the same speaker is installed."""

    def established():
        n = topo["pe2"].vtysh_json("show bgp neighbor 10.9.0.2 json").get("10.9.0.2", {})
        return None if n.get("bgpState") == "Established" else n.get("bgpState")

    err = wait_for(established, timeout=30, desc="PE2-GoBGP session")
    assert err is None, err
    for mac, esi, _ in TAW_CASES:
        gobgp(topo, "global rib -a evpn add macadv %s 192.0.2.77 %s etag 1 label 0 "
                    "rd 10.9.0.2:%s rt 65000:1 nexthop 10.9.0.2" % (mac, esi, mac[-1]))
    # a control route on ES-1 (ESI type 3, PE1/PE2's) is imported
    gobgp(topo, "global rib -a evpn add macadv 02:00:00:00:09:09 192.0.2.78 "
                "esi MAC 02:00:00:00:00:e1 1 etag 1 label 0 rd 10.9.0.2:9 rt 65000:1 "
                "nexthop 10.9.0.2")
    err = wait_for(lambda: _synced(topo["pe2"], "bond1.1", "192.0.2.78", "02:00:00:00:09:09"),
                   timeout=20, desc="GoBGP control route installed")
    assert err is None, err

    log = os.path.join(topo.lab["pe2"].logdir, "bgpd.log")

    def logged():
        text = open(log).read()
        for mac, _, reason in TAW_CASES:
            if not re.search(r"treat-as-withdraw RT-2 .*%s.* from 10\.9\.0\.2: .*%s"
                             % (re.escape(mac), reason), text):
                return "no log line for %s (%s)" % (mac, reason)
        return None

    err = wait_for(logged, timeout=20, desc="treat-as-withdraw log")
    assert err is None, err
    for sub in ("bond1.1", "bond1.2"):
        assert _neigh(topo["pe2"], sub, "192.0.2.77") is None
    # treated as withdrawn: not in PE2's RIB at all; the control route is
    routes = topo["pe2"].vtysh_json("show bgp l2vpn evpn route type macip json")
    from_x1 = sorted(pfx for rd, rdv in routes.items() if rd.startswith("10.9.0.2:")
                     and isinstance(rdv, dict) for pfx in rdv if pfx.startswith("[2]"))
    assert from_x1 == ["[2]:[1]:[48]:[02:00:00:00:09:09]:[32]:[192.0.2.78]"], from_x1
    n = topo["pe2"].vtysh_json("show bgp neighbor 10.9.0.2 json")["10.9.0.2"]
    assert n["bgpState"] == "Established"
    assert n.get("connectionsDropped", 0) == 0, n


def _rt2(rd_index, esi, etag, mac, ip):
    """An EVPN RT-2 NLRI (RFC 7432 7.2): RD 10.9.0.3:rd_index (type 1), MAC+IPv4, label 0."""
    return bgpinject.evpn_rt2(bgpinject.rd_ip("10.9.0.3", rd_index), mac, ip, (0,), esi, etag,
                              vni=True)


ES_IMPORT_E1 = "060202000000" "00e1"  # ES-Import RT of ESI1 (02:00:00:00:00:e1)
EVI_RT_1 = "060afde800000001"         # EVI-RT type 0 carrying RT 65000:1 (CUST1)
INJ_CASES = [
    # (MAC, extended communities, log reason)
    ("02:00:00:00:77:51", ["060202000000" "0099", EVI_RT_1], "ES-Import RT or ESI of a non-local ES"),
    ("02:00:00:00:77:52", [ES_IMPORT_E1, "060afde800000009"], "EVI-RT missing, repeated or of no local VRF"),
    ("02:00:00:00:77:53", [ES_IMPORT_E1, EVI_RT_1, "060afde800000002"],
     "EVI-RT missing, repeated or of no local VRF"),
    ("02:00:00:00:77:54", [ES_IMPORT_E1], "EVI-RT missing, repeated or of no local VRF"),
]


def test_injected_es_import_and_evi_rt_treat_as_withdraw(topo):
    """RT-2s with what GoBGP cannot send, from a raw BGP speaker: a foreign
    ES-Import RT, an EVI-RT of no local VRF, two EVI-RTs, none. Each is
    treated as withdrawn with a log line, the session stays up; a valid
    route from it is installed, and removed again when an update of the
    same route turns invalid (treat-as-withdraw of a route already there)."""
    pe2 = topo["pe2"]

    def established():
        n = pe2.vtysh_json("show bgp neighbor 10.9.0.3 json").get("10.9.0.3", {})
        return None if n.get("bgpState") == "Established" else n.get("bgpState")

    err = wait_for(established, timeout=30, desc="PE2-injector session")
    assert err is None, err
    # these routes are for CUST1 in ES-Import mode (an earlier test may
    # have left it in IP-VRF mode)
    ipvrf = "l3-multihoming arp-nd-sync route-target-mode ip-vrf" in pe2.vtysh(
        "show running-config")
    pe2.config("router bgp 65000 vrf CUST1\naddress-family l2vpn evpn\n"
               "l3-multihoming arp-nd-sync")
    try:
        _injected_cases(topo, pe2)
    finally:
        if ipvrf:
            pe2.config("router bgp 65000 vrf CUST1\naddress-family l2vpn evpn\n"
                       "l3-multihoming arp-nd-sync route-target-mode ip-vrf")


def _injected_cases(topo, pe2):
    def announce(nlri, ecs):
        topo.inject(bgpinject.base_attributes() + bgpinject.ext_communities(ecs) +
                    bgpinject.mp_reach_evpn("10.9.0.3", [nlri]))

    valid = _rt2(1, ESI1, 1, "02:00:00:00:77:50", "192.0.2.50")
    announce(valid, [ES_IMPORT_E1, EVI_RT_1])
    err = wait_for(lambda: _synced(pe2, "bond1.1", "192.0.2.50", "02:00:00:00:77:50"),
                   timeout=20, desc="valid injected route installed")
    assert err is None, err
    for k, (mac, ecs, _) in enumerate(INJ_CASES):
        announce(_rt2(10 + k, ESI1, 1, mac, "192.0.2.51"), ecs)
    # the valid route again, now with a foreign ES-Import RT
    announce(valid, ["060202000000" "0099", EVI_RT_1])

    log = os.path.join(pe2.logdir, "bgpd.log")

    def logged():
        text = open(log).read()
        for mac, _, reason in INJ_CASES + [("02:00:00:00:77:50", None, "non-local ES")]:
            if not re.search(r"treat-as-withdraw RT-2 .*%s.* from 10\.9\.0\.3: .*%s"
                             % (re.escape(mac), re.escape(reason)), text):
                return "no log line for %s (%s)" % (mac, reason)
        return None

    err = wait_for(logged, timeout=20, desc="treat-as-withdraw log lines")
    assert err is None, err
    err = wait_for(lambda: _absent(pe2, "bond1.1", "192.0.2.50"), timeout=20,
                   desc="the route turned invalid is uninstalled")
    assert err is None, err
    assert _absent(pe2, "bond1.1", "192.0.2.51") is None
    routes = pe2.vtysh_json("show bgp l2vpn evpn route type macip json")
    from_inj = [pfx for rd, rdv in routes.items() if rd.startswith("10.9.0.3:")
                and isinstance(rdv, dict) for pfx in rdv if pfx.startswith("[2]")]
    assert not from_inj, from_inj
    n = pe2.vtysh_json("show bgp neighbor 10.9.0.3 json")["10.9.0.3"]
    assert n["bgpState"] == "Established" and n.get("connectionsDropped", 0) == 0, n
    assert "NOTIFICATION" not in open(topo.inj_log).read()


def test_host_going_away_withdrawn(topo):
    """H1 leaves: once PE1's entry fails, PE2's synced one goes too; when H1
    comes back it is synced again."""
    # PE1 ages H1's entry in a second or two rather than the kernel's
    # 15-45 s: the timer is armed when the entry is learned, so learn it anew
    topo["pe1"].script([
        "echo 1000 >/proc/sys/net/ipv4/neigh/bond1.1/base_reachable_time_ms",
        "echo 1 >/proc/sys/net/ipv4/neigh/bond1.1/delay_first_probe_time",
        "ip neigh flush dev bond1.1 %s" % HOST_IP4])
    topo["h1"].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1")
    err = wait_for(lambda: _synced(topo["pe2"], "bond1.1", HOST_IP4, HOSTS["h1"]["mac"]),
                   timeout=20, desc="H1 synced before it leaves")
    assert err is None, err
    topo["h1"].cmd("ip link set eth0 down")
    # traffic towards H1 makes PE1 probe it and give up
    out = topo["pe1"].cmd("ping -c 12 -i 1 -W 1 -I CUST1 %s" % HOST_IP4, check=False,
                          timeout=30)

    def gone():
        n = _neigh(topo["pe2"], "bond1.1", HOST_IP4)
        return None if not n or "lladdr" not in n else "still %s" % n

    err = wait_for(gone, timeout=30, desc="PE2 forgets H1")
    assert err is None, "%s; PE1: %s; ping: %s" % (
        err, topo["pe1"].cmd("ip -s neigh show %s dev bond1.1" % HOST_IP4), out)
    topo["h1"].cmd("ip link set eth0 up")
    topo["h1"].cmd("ping -c 3 -i 0.3 -W 1 192.0.2.1", check=False)
    err = wait_for(lambda: _synced(topo["pe2"], "bond1.1", HOST_IP4, HOSTS["h1"]["mac"]),
                   timeout=20, desc="H1 synced again")
    assert err is None, err


def test_global_routing_table_explicit_rt(topo):
    """The global routing table syncs too, with an explicit route target:
    VLAN 3 on bond1, in no VRF, on both PEs."""
    for pe in ("pe1", "pe2"):
        topo[pe].script(["ip link add link bond1 name bond1.3 type vlan id 3",
                         "ip addr add 192.0.3.1/24 dev bond1.3",
                         "ip link set bond1.3 up"])
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n"
                        "l3-multihoming arp-nd-sync\n"
                        "l3-multihoming route-target 65000:100")
    topo["pe1"].cmd("ip neigh add 192.0.3.9 lladdr 02:00:00:00:03:09 dev bond1.3 nud permanent")
    err = wait_for(lambda: _synced(topo["pe2"], "bond1.3", "192.0.3.9", "02:00:00:00:03:09"),
                   timeout=20, desc="GRT entry synced")
    assert err is None, err
    links = topo["pe2"].links()
    assert "master" not in links["bond1.3"], links["bond1.3"]
    cfg = topo["pe2"].vtysh("show running-config")
    assert "l3-multihoming route-target 65000:100" in cfg, cfg
    topo["pe1"].cmd("ip neigh del 192.0.3.9 dev bond1.3")
    err = wait_for(lambda: None if not _neigh(topo["pe2"], "bond1.3", "192.0.3.9")
                   else "still there", timeout=20, desc="GRT entry withdrawn")
    assert err is None, err



def test_ipv6_specific_rt_evi_rt_type3(topo):
    """An IPv6 address specific route target (RFC 5701): the sync route
    carries EVI-RT type 3 in the IPv6 extended communities attribute (RFC
    9251 section 9.5), and the peer imports it by that."""
    rt6 = "2001:db8::1:100"
    for pe in ("pe1", "pe2"):
        if "bond1.3" not in topo[pe].links():
            topo[pe].script(["ip link add link bond1 name bond1.3 type vlan id 3",
                             "ip addr add 192.0.3.1/24 dev bond1.3",
                             "ip link set bond1.3 up"])
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n"
                        "l3-multihoming arp-nd-sync\n"
                        "no l3-multihoming route-target 65000:100\n"
                        "l3-multihoming route-target %s" % rt6)
    try:
        cfg = topo["pe2"].vtysh("show running-config")
        assert "l3-multihoming route-target %s" % rt6 in cfg, cfg
        topo["pe1"].cmd("ip neigh replace 192.0.3.6 lladdr 02:00:00:00:03:06 dev bond1.3 "
                        "nud permanent")
        err = wait_for(lambda: _synced(topo["pe2"], "bond1.3", "192.0.3.6",
                                       "02:00:00:00:03:06"), timeout=20,
                       desc="synced by EVI-RT type 3")
        assert err is None, err
        out = topo["pe2"].vtysh("show bgp l2vpn evpn route detail")
        blocks = [b for b in out.split("BGP routing table entry") if "192.0.3.6" in b]
        assert blocks, out
        assert "EVI-RT:%s" % rt6 in blocks[0] and "ES-Import-Rt" in blocks[0], blocks[0]
        assert "EVI-RT:65000" not in blocks[0], blocks[0]
        # a PE importing another IPv6 RT treats it as withdrawn
        topo["pe2"].config("router bgp 65000\naddress-family l2vpn evpn\n"
                           "l3-multihoming route-target 2001:db8::9:100")
        err = wait_for(lambda: _absent(topo["pe2"], "bond1.3", "192.0.3.6"), timeout=20,
                       desc="not imported under another IPv6 RT")
        assert err is None, err
    finally:
        topo["pe1"].cmd("ip neigh del 192.0.3.6 dev bond1.3", check=False)
        for pe in ("pe1", "pe2"):
            topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n"
                            "l3-multihoming route-target 65000:100")


def _es2(pe, on):
    "Configure or remove ES-2 on a PE's bond2."
    topo_cfg = "interface bond2\n%sevpn mh es-id 2" % ("" if on else "no ")
    pe.config(topo_cfg)


def _absent(node, ifname, ip):
    n = _neigh(node, ifname, ip)
    return None if not n or "lladdr" not in n else "still %s" % n


def test_es_configured_after_neighbours(topo):
    """An ES configured on a bond that already has neighbours: the PE
    advertises them then (zebra replays), and forgets the ones that went
    while the bond was not on the ES; a peer that received sync routes
    before its own ES existed imports them once it does (route refresh)."""
    pe1, pe2 = topo["pe1"], topo["pe2"]
    a, b, c = "198.51.100.50", "198.51.100.51", "198.51.100.52"
    mac = {a: "02:00:00:00:64:50", b: "02:00:00:00:64:51", c: "02:00:00:00:64:52"}
    try:
        # b is synced while ES-2 is on PE1
        pe1.cmd("ip neigh replace %s lladdr %s dev bond2 nud permanent" % (b, mac[b]))
        err = wait_for(lambda: _synced(pe2, "bond2", b, mac[b]), timeout=20, desc="b synced")
        assert err is None, err
        # PE1 leaves ES-2: what it synced is withdrawn
        _es2(pe1, False)
        err = wait_for(lambda: _absent(pe2, "bond2", b), timeout=20,
                       desc="b withdrawn with PE1's ES")
        assert err is None, err
        # meanwhile b goes and a comes on PE1's bond2
        pe1.cmd("ip neigh del %s dev bond2" % b)
        pe1.cmd("ip neigh replace %s lladdr %s dev bond2 nud permanent" % (a, mac[a]))
        _es2(pe1, True)
        err = wait_for(lambda: _synced(pe2, "bond2", a, mac[a]), timeout=30,
                       desc="a synced once PE1 has ES-2 again")
        assert err is None, err
        assert _absent(pe2, "bond2", b) is None, "b came back"
        local = pe1.vtysh_json("show bgp l2vpn evpn l3-multihoming neighbors json")
        assert b not in str(local), local

        # PE2 leaves ES-2; c arrives from PE1 and is treated as withdrawn
        _es2(pe2, False)
        pe1.cmd("ip neigh replace %s lladdr %s dev bond2 nud permanent" % (c, mac[c]))
        log = os.path.join(pe2.logdir, "bgpd.log")

        def taw_logged():
            with open(log) as f:
                return None if re.search(r"treat-as-withdraw RT-2 .*%s.*non-local ES"
                                         % re.escape(c), f.read()) else "no log line"

        err = wait_for(taw_logged, timeout=20, desc="c treated as withdrawn on PE2")
        assert err is None, err
        assert _absent(pe2, "bond2", c) is None
        _es2(pe2, True)
        err = wait_for(lambda: _synced(pe2, "bond2", c, mac[c]), timeout=30,
                       desc="c imported once PE2 has ES-2 again")
        assert err is None, err
    finally:
        _es2(pe1, True)
        _es2(pe2, True)
        for ip in (a, b, c):
            pe1.cmd("ip neigh del %s dev bond2" % ip, check=False)


def test_interface_down_withdraws(topo):
    """PE1's sub-interface going down flushes what PE1 learned on it: PE2's
    synced copy goes too; once it is up and H2 is learned again, it is back."""
    pe1, pe2, mac = topo["pe1"], topo["pe2"], HOSTS["h2"]["mac"]
    topo["h2"].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1")
    err = wait_for(lambda: _synced(pe2, "bond1.2", HOST_IP4, mac), timeout=20,
                   desc="H2 synced")
    assert err is None, err
    pe1.cmd("ip link set bond1.2 down")
    try:
        err = wait_for(lambda: _absent(pe2, "bond1.2", HOST_IP4), timeout=20,
                       desc="H2 withdrawn with PE1's bond1.2")
        assert err is None, err
    finally:
        pe1.cmd("ip link set bond1.2 up")
    err = wait_for(lambda: None if "UP" in pe1.cmd("ip -br link show bond1.2") else "down",
                   timeout=10, desc="bond1.2 up")
    assert err is None, err

    def relearned():
        topo["h2"].cmd("ping -c 1 -W 1 192.0.2.1", check=False)
        return _synced(pe2, "bond1.2", HOST_IP4, mac)

    err = wait_for(relearned, timeout=30, desc="H2 synced again")
    assert err is None, err


def _synced_state(node, ip, ifname):
    "The zebra state of a synced entry (installed, retained, ...), or None."
    j = node.vtysh_json("show evpn l3mh synced-neighbors json")
    for n in j.get("neighbors", []):
        if n["ip"] == ip and n["interface"] == ifname:
            return n
    return None


def _retention(pe, secs):
    pe.config("router bgp 65000\naddress-family l2vpn evpn\n" +
              ("l3-multihoming retention-time %d" % secs if secs
               else "no l3-multihoming retention-time"))


def test_retention_host_alive(topo):
    """Draft section 4: PE1 loses its ES link, so its entries are withdrawn;
    with a retention time PE2 keeps H1's entry usable all along, refreshes
    it with ARP (H1 answers over the LAG's remaining link), and when the
    time is up the entry is PE2's own and advertised as such."""
    pe1, pe2, mac = topo["pe1"], topo["pe2"], HOSTS["h1"]["mac"]
    retention = 15
    _retention(pe2, retention)
    try:
        cfg = pe2.vtysh("show running-config")
        assert "l3-multihoming retention-time %d" % retention in cfg, cfg
        topo["h1"].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1")
        err = wait_for(lambda: _synced(pe2, "bond1.1", HOST_IP4, mac), timeout=20,
                       desc="H1 synced")
        assert err is None, err
        pe1.cmd("ip link set eth-sw down")
        err = wait_for(lambda: None if (_synced_state(pe2, HOST_IP4, "bond1.1") or {}).get(
            "state") == "retained" else "not retained", timeout=20, desc="retained")
        assert err is None, err
        st = _synced_state(pe2, HOST_IP4, "bond1.1")
        assert 0 < st["retainedSeconds"] <= retention, st
        # usable all along: never absent, never failed, until the time is up
        gaps = []
        deadline = time.time() + retention + 5
        while time.time() < deadline:
            n = _neigh(pe2, "bond1.1", HOST_IP4)
            if not n or n.get("lladdr") != mac or "FAILED" in n.get("state", []):
                gaps.append(n)
            st = _synced_state(pe2, HOST_IP4, "bond1.1")
            if st is None:
                break
            time.sleep(0.5)
        assert not gaps, gaps
        assert _synced_state(pe2, HOST_IP4, "bond1.1") is None, "still retained"
        # now PE2's own entry (answered ARP), advertised by PE2
        n = _local(pe2, "bond1.1", HOST_IP4)
        assert n and n["lladdr"] == mac, _neigh(pe2, "bond1.1", HOST_IP4)

        def advertised():
            j = pe2.vtysh_json("show bgp l2vpn evpn l3-multihoming neighbors json")
            return None if any(x["ip"] == HOST_IP4 and x["origin"] == "local"
                               and x["mac"] == mac for x in j["neighbors"]) \
                else "not advertised: %s" % j["neighbors"]

        err = wait_for(advertised, timeout=10, desc="PE2 advertises H1")
        assert err is None, err
    finally:
        pe1.cmd("ip link set eth-sw up")
        _retention(pe2, 0)
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=60,
                   desc="SW1's LAG whole again")
    assert err is None, err


def _learner(topo, host):
    """(learner, other): the PE that learns host's IPv4 entry itself and the
    one that has it synced. Which is which follows SW1's LAG hash, which a
    member link flap (test_retention_host_alive) may turn around."""
    sub = "bond1.%d" % HOSTS[host]["vlan"]
    mac = HOSTS[host]["mac"]
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=60,
                   desc="SW1's LAG whole")
    assert err is None, err
    # entries left by earlier tests (a refreshed retained one is local)
    for pe in ("pe1", "pe2"):
        if _local(topo[pe], sub, HOST_IP4):
            topo[pe].cmd("ip neigh del %s dev %s" % (HOST_IP4, sub))
    found = {}

    def check():
        topo[host].cmd("ping -c 1 -W 1 192.0.2.1", check=False)
        for a, b in (("pe1", "pe2"), ("pe2", "pe1")):
            if _local(topo[a], sub, HOST_IP4) and not _synced(topo[b], sub, HOST_IP4, mac):
                found["pair"] = (topo[a], topo[b])
                return None
        return "no learner/synced pair yet"

    err = wait_for(check, timeout=40, desc="%s learned and synced" % host)
    assert err is None, err
    return found["pair"]


def test_retention_host_gone(topo):
    """A retained entry whose host does not answer the refresh is still kept
    (installed again, extern-learned) until the retention time is up, then
    removed."""
    learner, other = _learner(topo, "h2")
    mac = HOSTS["h2"]["mac"]
    retention = 25
    _retention(other, retention)
    try:
        topo["h2"].cmd("ip link set eth0 down")
        learner.cmd("ip neigh del %s dev bond1.2" % HOST_IP4)
        err = wait_for(lambda: None if (_synced_state(other, HOST_IP4, "bond1.2") or {}).get(
            "state") == "retained" else "not retained", timeout=20, desc="retained")
        assert err is None, err
        t0 = time.time()
        # the kernel's probes fail within seconds: then it is ours again
        err = wait_for(lambda: _synced(other, "bond1.2", HOST_IP4, mac),
                       timeout=retention - 5, desc="installed again after the failed refresh")
        assert err is None, err
        st = _synced_state(other, HOST_IP4, "bond1.2")
        assert st and st["state"] == "retained", st
        err = wait_for(lambda: None if _synced_state(other, HOST_IP4, "bond1.2") is None
                       else "still retained", timeout=retention + 10, desc="time up")
        assert err is None, err
        assert time.time() - t0 > retention - 8
        assert _absent(other, "bond1.2", HOST_IP4) is None, _neigh(other, "bond1.2", HOST_IP4)
    finally:
        topo["h2"].cmd("ip link set eth0 up")
        _retention(other, 0)


def test_retention_bgpd_restart(topo):
    """bgpd restarting on the PE that has H1 synced, with a retention time:
    zebra keeps the synced entries; when bgpd has the routes again they are
    installed as before, and were never taken for the PE's own."""
    learner, other = _learner(topo, "h1")
    mac = HOSTS["h1"]["mac"]
    _retention(other, 60)
    # the restarted bgpd reads the integrated config: make it the running one
    # (earlier tests changed the route-target mode at run time)
    other.vtysh("write memory")
    other.stop_daemon("bgpd")
    err = wait_for(lambda: None if (_synced_state(other, HOST_IP4, "bond1.1") or {}).get(
        "state") == "retained" else "not retained", timeout=10, desc="retained")
    assert err is None, err
    n = _neigh(other, "bond1.1", HOST_IP4)
    assert n and n.get("lladdr") == mac, n
    other.start_daemon("bgpd")
    err = wait_for(lambda: (None if (_synced_state(other, HOST_IP4, "bond1.1") or {}).get(
        "state") == "installed" else "not installed"), timeout=60,
        desc="installed again from the route")
    assert err is None, err
    err = wait_for(lambda: _synced(other, "bond1.1", HOST_IP4, mac), timeout=10,
                   desc="extern-learned again")
    assert err is None, err
    j = other.vtysh_json("show bgp l2vpn evpn l3-multihoming neighbors json")
    mine = [x for x in j["neighbors"] if x["ip"] == HOST_IP4 and x["origin"] == "local"
            and x["vrf"] == "CUST1"]
    assert not mine, mine
    _retention(other, 0)


def test_zebra_restart_on_receiving_pe(topo):
    """zebra restarts on PE2 (last in this module): bgpd's session to it
    comes back and bgpd hands the new zebra every synced entry again: H1's
    and H2's entries are extern_learn in PE2's kernel and installed, and all
    flows arrive. bgpd lives on: watchfrr's phased restart would restart
    every daemon, which test_retention_bgpd_restart covers. isisd is
    restarted after zebra: FRR 10.3's isisd does not give a restarted zebra
    its routes again (the core's loopbacks, and so the iBGP sessions, would
    be gone)."""
    pe2 = topo["pe2"]
    for host, hv in HOSTS.items():
        sub = "bond1.%d" % hv["vlan"]
        # the retention tests before may have had PE2 learn it itself: the
        # synced entry takes over once that one is gone
        if _local(pe2, sub, HOST_IP4):
            pe2.cmd("ip neigh del %s dev %s" % (HOST_IP4, sub), check=False)

        def synced():
            # (and learnt by PE1 again, after the retention tests' host away)
            topo[host].cmd("ping -c 1 -W 1 192.0.2.1", check=False)
            return _synced(pe2, sub, HOST_IP4, hv["mac"])

        err = wait_for(synced, timeout=30, desc="%s synced" % host)
        assert err is None, err
    # the restarted zebra reads the integrated config: make it the running one
    pe2.vtysh("write memory")
    pe2.stop_daemon("zebra")
    pe2.start_daemon("zebra")
    pe2.stop_daemon("isisd")
    pe2.start_daemon("isisd")
    for host, hv in HOSTS.items():
        sub = "bond1.%d" % hv["vlan"]

        def back():
            return _synced(pe2, sub, HOST_IP4, hv["mac"]) or (
                None if _states(pe2, hv["vlan"]) == ["installed"] else _states(pe2, hv["vlan"]))

        err = wait_for(back, timeout=60, desc="%s back on PE2 after a zebra restart" % host)
        assert err is None, err
    for host in HOSTS:
        _flows_again(topo, host, timeout=90)


# frr-reload.py steps on PE2: (context, line to take out, line to put in);
# "bgp" is `router bgp 65000`, "evpn" its l2vpn evpn address family, a VRF
# name that VRF's l2vpn evpn address family. Each of the project's knobs is
# set, changed and taken back; the originator change goes through
# `no l3-multihoming`, which must leave the retention time and the ES mode.
ES9 = "03:00:00:00:00:00:00:00:00:09"
RELOAD_STEPS = [
    ("evpn", None, "l3-multihoming retention-time 30"),
    ("evpn", "l3-multihoming retention-time 30", "l3-multihoming retention-time 60"),
    ("evpn", None, "l3-multihoming es %s redundancy-mode single-active" % ES9),
    ("evpn", "l3-multihoming es %s redundancy-mode single-active" % ES9,
     "l3-multihoming es %s redundancy-mode port-active df-algorithm preference "
     "non-revertive" % ES9),
    ("evpn", "l3-multihoming", "l3-multihoming originator-ip 10.0.0.2"),
    ("evpn", "l3-multihoming originator-ip 10.0.0.2", "l3-multihoming"),
    ("CUST2", None, "l3-multihoming route-target 65000:99"),
    ("CUST2", "l3-multihoming route-target 65000:99", "l3-multihoming route-target 65000:98"),
    ("CUST2", None, "l3-multihoming igmp-mld-sync"),
    ("CUST2", None, "l3-multihoming igp-sync approach gateway-ip"),
    ("CUST2", "l3-multihoming igp-sync approach gateway-ip", "l3-multihoming igp-sync"),
    ("bgp", None, "bgp process-queue hold-time 10"),
    # the global routing table's sync, in the EVPN instance itself
    ("evpn", "l3-multihoming route-target 65000:100", "l3-multihoming route-target 65000:101"),
    ("evpn", None, "l3-multihoming igmp-mld-sync"),
    # and back to the start
    ("evpn", "l3-multihoming igmp-mld-sync", None),
    ("evpn", "l3-multihoming route-target 65000:101", "l3-multihoming route-target 65000:100"),
    ("bgp", "bgp process-queue hold-time 10", None),
    ("CUST2", "l3-multihoming igp-sync", None),
    ("CUST2", "l3-multihoming igmp-mld-sync", None),
    ("CUST2", "l3-multihoming route-target 65000:98", None),
    ("evpn", "l3-multihoming es %s redundancy-mode port-active df-algorithm preference "
     "non-revertive" % ES9, None),
    ("evpn", "l3-multihoming retention-time 60", None),
]


def _edit(lines, ctx, old, new):
    """lines with old taken out of / new put into the context's block (a
    BGP instance may show its l2vpn evpn address family more than once:
    bgpd's own lines, then each module's)."""
    head = "router bgp 65000" + ("" if ctx in ("bgp", "evpn") else " vrf %s" % ctx)
    start = lines.index(head)
    end = lines.index("exit", start)
    if ctx == "bgp":
        at, indent = start + 1, " "
    else:
        af = lines.index(" address-family l2vpn evpn", start, end)
        at, indent = af + 1, "  "
    out = list(lines)
    if old is not None:
        i = out.index(indent + old, start, end)
        if new is None:
            del out[i]
        else:
            out[i] = indent + new
    else:
        out.insert(at, indent + new)
    return out


def _knob_lines(lines):
    """frr-reload.py's lines to delete or add, less the context lines."""
    return sorted(l for l in lines
                  if not l.startswith(("router bgp", "address-family", "exit")))


def test_frr_reload_every_knob(topo):
    """Each of the project's commands (the EVPN instance's, a VRF's and the
    BGP instance's) set, changed and taken back on PE2 with frr-reload.py
    --reload, as an operator applies a changed frr.conf: before each step
    frr-reload.py --test would delete and add exactly the changed lines
    (nothing unrelated taken out and put back), afterwards it sees the
    running config as the target, with the new line in it; at the end the
    running config is the one of the start, and an entry PE1 learns is
    synced to PE2 again."""
    pe2 = topo["pe2"]
    start = running_lines(pe2)
    path = os.path.join(topo.lab.workdir, "pe2-reload-knobs.conf")
    steps = list(RELOAD_STEPS)
    if "  l3-multihoming route-target 65000:100" not in start:
        # the global routing table's sync (test_global_routing_table_explicit_rt
        # leaves it on): on first, off last
        grt = [("evpn", None, "l3-multihoming arp-nd-sync"),
               ("evpn", None, "l3-multihoming route-target 65000:100")]
        steps = grt + steps + [(c, n, o) for c, o, n in reversed(grt)]
    # CUST1's route target mode flipped and back (test_rt_mode_flip_to_ip_vrf
    # leaves it in IP-VRF mode)
    modes = ["l3-multihoming arp-nd-sync", "l3-multihoming arp-nd-sync route-target-mode ip-vrf"]
    cust1 = start[start.index("router bgp 65000 vrf CUST1"):]
    if "  " + modes[1] in cust1[:cust1.index("exit")]:
        modes.reverse()
    steps += [("CUST1", modes[0], modes[1]), ("CUST1", modes[1], modes[0])]
    for ctx, old, new in steps:
        target = _edit(running_lines(pe2), ctx, old, new)
        with open(path, "w") as f:
            f.write("\n".join(target) + "\n")
        dels, adds = reload_test(pe2, path)
        want_dels = ["no " + old] if old is not None else []
        want_adds = [new] if new is not None else []
        assert (_knob_lines(dels), _knob_lines(adds)) == (want_dels, want_adds), \
            (ctx, old, new, dels, adds)
        frr_reload(pe2, path, "--reload")
        assert reload_test(pe2, path) == ([], []), (ctx, old, new, running_lines(pe2))
        if new is not None:
            try:
                _edit(running_lines(pe2), ctx, new, new)
            except ValueError:
                pytest.fail("%s: %r not in the running config" % (ctx, new))
    assert running_lines(pe2) == start
    ip, mac = "192.0.2.78", "02:00:00:00:78:01"
    topo["pe1"].cmd("ip neigh replace %s lladdr %s dev bond1.1 nud reachable" % (ip, mac))
    err = wait_for(lambda: _synced(pe2, "bond1.1", ip, mac), timeout=30,
                   desc="PE2 after the reloads")
    assert err is None, err
    topo["pe1"].cmd("ip neigh del %s dev bond1.1" % ip)
    err = wait_for(lambda: _absent(pe2, "bond1.1", ip), timeout=30, desc="PE2 removal")
    assert err is None, err
