#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_es_mode: the redundancy mode of an L3 ES
(draft-ietf-bess-evpn-l3mh-proto-00 section 1.6, requirements 6-8) on the
reference topology, in the routes as RFC 7432, RFC 8584, RFC 9785 and
RFC 9786 say, as tshark decodes them, and as bgpd shows the ES.

ES-1 (bond1) starts all-active, FRR's only mode; ES-2 (bond2) starts
port-active with the preference algorithm on both PEs (frr.conf), PE1 with
DF preference 50000 and PE2 with FRR's default 32767, so PE1 is its DF.
The tests then change ES-1's mode on one PE or both: a mode or DF
algorithm the PEs do not share is a mismatch, shown and logged.

On a port-active ES the non-DF holds its link to the CE down (RFC 9786
section 2.2): the CE's LACP bond sees that member down and sends
everything over the DF's. The last tests fail the DF's link to CE1 and
bring it back, with UDP flows from PE3 to CE1, revertive and
non-revertive (RFC 9785 section 4.3).
"""

import os
import re
import threading
import time

import pytest

from frrreload import frr_reload, reload_test, running_lines
from lab import VTYSH, wait_for
from reftopo import CE1_IP4, PE3_LO, RefTopo, bonding
from udpflows import FlowTest

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
ESI2 = "03:02:00:00:00:00:e2:00:00:02"
IP = {"pe1": "10.0.0.1", "pe2": "10.0.0.2"}
OTHER = {"pe1": "pe2", "pe2": "pe1"}


@pytest.fixture(scope="module")
def topo():
    t = RefTopo(CWD, modules=MODULES)
    try:
        t.start()
        yield t
    finally:
        t.stop()


def _es(node, esi):
    for e in node.vtysh_json("show bgp l2vpn evpn l3-multihoming es json").get("es", []):
        if e["esi"] == esi:
            return e
    return None


def _es_is(topo, pe, esi, want, timeout=30, pes=("10.0.0.1", "10.0.0.2")):
    """Wait until pe's view of esi has every key of want with its value, and
    has the PEs pes; return that view."""
    view = {}

    def check():
        e = _es(topo[pe], esi)
        if e is None:
            return "%s: no ES %s" % (pe, esi)
        if sorted(p["originatorIp"] for p in e["pes"]) != sorted(pes):
            return "%s: PEs of %s: %s" % (pe, esi, e["pes"])
        bad = {k: e.get(k) for k, v in want.items() if e.get(k) != v}
        view.update(e)
        return "%s %s: %s (want %s)" % (pe, esi, bad, want) if bad else None

    err = wait_for(check, timeout=timeout, desc="%s ES %s" % (pe, esi))
    assert err is None, err
    return view


def _set(topo, pe, line):
    out = topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n%s" % line)
    assert "%" not in out, out


def _peer(view, ip):
    return [p for p in view["pes"] if p["originatorIp"] == ip][0]


def test_all_active_by_default(topo):
    """ES-1 has no mode configured: all-active on both PEs, FRR's DF
    algorithm (preference), no mismatch; each PE sees the other's EAD-ES,
    so it knows that PE is all-active too."""
    for pe in ("pe1", "pe2"):
        v = _es_is(topo, pe, ESI1, {"mode": "all-active", "dfAlgorithm": "preference",
                                    "mismatch": False, "dfElection": "per-ethernet-tag"})
        other = _peer(v, IP[OTHER[pe]])
        assert other["mode"] == "all-active" and not other["portMode"], v
        assert "df" not in v, v


def test_port_active_preference_from_config(topo):
    """ES-2, port-active with the preference algorithm from frr.conf: one DF
    for the whole ES, PE1 (preference 50000 over 32767), on both PEs."""
    for pe in ("pe1", "pe2"):
        v = _es_is(topo, pe, ESI2, {"mode": "port-active", "dfAlgorithm": "preference",
                                    "mismatch": False, "dfElection": "per-es",
                                    "dfAlgorithmInUse": "preference", "df": "10.0.0.1",
                                    "isDf": pe == "pe1"})
        assert v["dfPreference"] == (50000 if pe == "pe1" else 32767), v
        other = _peer(v, IP[OTHER[pe]])
        assert other["mode"] == "port-active" and other["portMode"], v
        assert other["dfPreference"] == (32767 if pe == "pe1" else 50000), v


# --- on the wire, as tshark decodes it -------------------------------------

def _es_routes(topo, pcap_node, src):
    """tshark's decode of the RT-4 and EAD-ES routes src sent, as seen in
    pcap_node's capture: {(route type, ESI): [(the EVPN EC sub-types, the
    raw EC values, the ESI Label's single-active flags) of each UPDATE that
    advertises it]}. (tshark's fields do not tell the NLRIs an UPDATE
    withdraws from those it advertises; no other route carries an RT-4's
    or an EAD-ES's ECs, so one wrongly counted cannot match.)"""
    import tshark

    names = ["bgp.evpn.nlri.rt", "bgp.evpn.nlri.esi", "bgp.ext_com.stype_tr_evpn",
             "bgp.ext_com.value_raw", "bgp.ext_com_l2.esi_label_flag",
             "bgp.update.path_attribute.type_code"]
    pcap = os.path.join(topo.lab[pcap_node].logdir, "%s-bgp.pcap" % pcap_node)
    flt = "(bgp.evpn.nlri.rt == 4 || bgp.evpn.nlri.etag == 4294967295) && ip.src == %s" % src
    out = {}
    for m in tshark.bgp_messages(pcap, flt, names):
        if "14" not in m["bgp.update.path_attribute.type_code"]:
            continue
        for rt, esi in zip(m["bgp.evpn.nlri.rt"], m["bgp.evpn.nlri.esi"]):
            out.setdefault((rt, esi), []).append(
                (m["bgp.ext_com.stype_tr_evpn"], [v.lower() for v in m["bgp.ext_com.value_raw"]],
                 m["bgp.ext_com_l2.esi_label_flag"]))
    return out


def _wire_is(topo, pcap_node, src, esi, df_value, single_active):
    """src advertised its RT-4 of esi with a DF Election EC (sub-type 0x06)
    whose six octets of value are df_value (tshark prints them as a 64-bit
    number), and its EAD-ES with the ESI Label EC (sub-type 0x01) with the
    single-active flag as given."""
    flag = (["1"], ["True"]) if single_active else (["0"], ["False"])

    def check():
        routes = _es_routes(topo, pcap_node, src)
        rt4, rt1 = routes.get(("4", esi), []), routes.get(("1", esi), [])
        if not [u for u in rt4 if "0x06" in u[0] and "0x0000" + df_value in u[1]]:
            return "no RT-4 of %s from %s with DF Election %s: %s" % (esi, src, df_value, rt4)
        if not [u for u in rt1 if "0x01" in u[0] and u[2] in flag]:
            return "no EAD-ES of %s from %s single-active %s: %s" % (esi, src, single_active,
                                                                    rt1)
        return None

    err = wait_for(check, timeout=30, desc="tshark %s routes of %s" % (src, esi))
    assert err is None, err


@pytest.mark.parametrize("pcap_node,src", [("pe1", "10.0.0.1"), ("pe2", "10.0.0.10")])
def test_tshark_modes(topo, pcap_node, src):
    """PE1's routes as it sent them and as the route reflector sent them on
    to PE2: ES-1's RT-4 says DF Alg 2 (preference), no capabilities,
    preference 32767, and its EAD-ES has the single-active flag clear;
    ES-2's RT-4 says DF Alg 2 with the P bit (0x0400), preference 50000
    (0xc350), and its EAD-ES has the single-active flag set."""
    _wire_is(topo, pcap_node, src, ESI1, "020000007fff", False)
    _wire_is(topo, pcap_node, src, ESI2, "02040000c350", True)


# --- changes --------------------------------------------------------------

def test_port_active_modulus(topo):
    """ES-1 port-active on both PEs, with the default algorithm, modulus:
    its ESI's bytes 3-6 are 0x000000e1, odd, so of the two PEs ordered by
    IP the second, PE2, is the DF (RFC 9786 section 3.2). PE2's RT-4 now
    says DF Alg 0 and P, its EAD-ES single-active."""
    for pe in ("pe1", "pe2"):
        _set(topo, pe, "l3-multihoming es %s redundancy-mode port-active" % ESI1)
    for pe in ("pe1", "pe2"):
        _es_is(topo, pe, ESI1, {"mode": "port-active", "dfAlgorithm": "modulus",
                                "mismatch": False, "dfElection": "per-es", "df": "10.0.0.2",
                                "isDf": pe == "pe2"})
    _wire_is(topo, "pe2", "10.0.0.2", ESI1, "000400007fff", True)
    # PE1, the non-DF, holds its link to SW1 down; SW1's LAG uses PE2's
    err = wait_for(lambda: _port_state(topo, "pe2", ESI1, "bond1", "eth-sw", "sw1", "bond0"),
                   timeout=60, desc="PE2 DF of ES-1")
    assert err is None, err


def test_mode_mismatch(topo):
    """PE2 goes back to all-active on ES-1 while PE1 stays port-active: both
    PEs show the mismatch and log it, and the ES falls back to the DF
    election per <ES, Ethernet Tag> (RFC 9786 section 7). Configured the
    same again, the mismatch clears."""
    _set(topo, "pe2", "no l3-multihoming es %s" % ESI1)
    v = _es_is(topo, "pe1", ESI1, {"mode": "port-active", "mismatch": True,
                                   "mismatchOf": "redundancy-mode", "mismatchPe": "10.0.0.2",
                                   "dfElection": "per-ethernet-tag"})
    assert _peer(v, "10.0.0.2")["mode"] == "all-active", v
    _es_is(topo, "pe2", ESI1, {"mode": "all-active", "mismatch": True,
                               "mismatchOf": "redundancy-mode", "mismatchPe": "10.0.0.1"})
    # no DF election per ES: PE1 lets its link to SW1 go
    err = wait_for(lambda: None if _admin_up(topo["pe1"], "eth-sw") and
                   not (_zebra_es(topo["pe1"], ESI1) or {}).get("heldDown") else "PE1 eth-sw held",
                   timeout=20, desc="PE1 eth-sw up")
    assert err is None, err
    log = os.path.join(topo.lab["pe1"].logdir, "bgpd.log")

    def logged():
        text = open(log).read()
        return None if re.search(r"evpn-l3mh: ES %s redundancy-mode mismatch: this PE is "
                                 r"port-active .*PE 10\.0\.0\.2 is not" % ESI1, text) \
            else "no mismatch log line"

    err = wait_for(logged, timeout=10, desc="mismatch log")
    assert err is None, err
    _set(topo, "pe2", "l3-multihoming es %s redundancy-mode port-active" % ESI1)
    for pe in ("pe1", "pe2"):
        _es_is(topo, pe, ESI1, {"mode": "port-active", "mismatch": False, "df": "10.0.0.2"})
    err = wait_for(lambda: None if re.search(r"evpn-l3mh: ES %s: its PEs agree on port-active"
                                             % ESI1, open(log).read()) else "no agree line",
                   timeout=10, desc="agree log")
    assert err is None, err


def test_df_algorithm_mismatch(topo):
    """Both port-active, PE2 with the preference algorithm and PE1 with
    modulus: a DF algorithm mismatch; every PE falls back to modulus per
    <ES, Ethernet Tag> (RFC 8584 section 2.2)."""
    _set(topo, "pe2", "l3-multihoming es %s redundancy-mode port-active df-algorithm preference"
         % ESI1)
    for pe in ("pe1", "pe2"):
        _es_is(topo, pe, ESI1, {"mode": "port-active", "mismatch": True,
                                "mismatchOf": "df-algorithm", "mismatchPe": IP[OTHER[pe]],
                                "dfElection": "per-ethernet-tag", "dfAlgorithmInUse": "modulus"})


def test_single_active_non_revertive(topo):
    """ES-1 single-active with the preference algorithm, non-revertive, on
    both PEs: no mismatch; PE1's RT-4 says DF Alg 2 with DP (0x8000) and no
    P, its EAD-ES single-active. (Revertive first, so that PE1, the lower
    IP at equal preference, is the DF when both turn non-revertive: from an
    election without a DF the PE that turns first would keep the role.)"""
    for pe in ("pe1", "pe2"):
        _set(topo, pe, "l3-multihoming es %s redundancy-mode single-active "
                       "df-algorithm preference" % ESI1)
    for pe in ("pe1", "pe2"):
        _es_is(topo, pe, ESI1, {"mode": "single-active", "mismatch": False,
                                "dfOfEveryEthernetTag": pe == "pe1"})
    for pe in ("pe1", "pe2"):
        _set(topo, pe, "l3-multihoming es %s redundancy-mode single-active "
                       "df-algorithm preference non-revertive" % ESI1)
    for pe in ("pe1", "pe2"):
        _es_is(topo, pe, ESI1, {"mode": "single-active", "dfAlgorithm": "preference",
                                "nonRevertive": True, "mismatch": False,
                                "dfElection": "per-ethernet-tag"})

        def other_dp():
            # the other PE's RT-4 with DP may come a moment after
            other = _peer(_es(topo[pe], ESI1), IP[OTHER[pe]])
            return None if other["mode"] == "single-active" and other["dontPreempt"] \
                else "%s sees %s" % (pe, other)

        err = wait_for(other_dp, timeout=30, desc="%s: the other PE non-revertive" % pe)
        assert err is None, err
    _wire_is(topo, "pe1", "10.0.0.1", ESI1, "028000007fff", True)


def test_bad_config_refused(topo):
    """A malformed ESI, non-revertive without the preference algorithm and
    an ES mode outside the EVPN instance are refused; nothing changes."""
    before = topo["pe1"].vtysh("show running-config")
    for line, ctx in (
            ("l3-multihoming es 03:zz:00 redundancy-mode port-active",
             "router bgp 65000\naddress-family l2vpn evpn"),
            ("l3-multihoming es %s redundancy-mode port-active non-revertive" % ESI1,
             "router bgp 65000\naddress-family l2vpn evpn"),
            ("l3-multihoming es %s redundancy-mode port-active df-algorithm modulus "
             "non-revertive" % ESI1, "router bgp 65000\naddress-family l2vpn evpn"),
            ("l3-multihoming es %s redundancy-mode port-active" % ESI1,
             "router bgp 65000 vrf CUST1\naddress-family l2vpn evpn")):
        cmds = ["configure terminal"] + ctx.split("\n") + [line]
        out = topo["pe1"].cmd("%s -N pe1 %s 2>&1" % (VTYSH, " ".join(
            "-c '%s'" % c for c in cmds)), check=False)
        assert "%" in out, (line, out)
    assert topo["pe1"].vtysh("show running-config") == before


def _running_body(node):
    return "\n".join(running_lines(node)) + "\n"


def test_running_config_and_frr_reload(topo):
    """The modes are in show running-config as configured (the default,
    all-active, is not written); applying it again changes nothing;
    frr-reload.py sees nothing to change, and with ES-1 made port-active in
    the file it replaces exactly that line, nothing else."""
    pe1 = topo["pe1"]
    cfg = pe1.vtysh("show running-config")
    lines = [l.strip() for l in cfg.splitlines() if "l3-multihoming es " in l]
    assert lines == [
        "l3-multihoming es %s redundancy-mode single-active df-algorithm preference "
        "non-revertive" % ESI1,
        "l3-multihoming es %s redundancy-mode port-active df-algorithm preference" % ESI2], cfg
    body = _running_body(pe1)
    path = os.path.join(topo.lab.workdir, "pe1-es-mode.conf")
    with open(path, "w") as f:
        f.write(body)
    pe1.cmd("%s -N pe1 -f %s" % (os.path.join(os.environ.get("FRR_PREFIX", "/usr"), "bin",
                                              "vtysh"), path))
    assert pe1.vtysh("show running-config") == cfg
    assert reload_test(pe1, path) == ([], [])

    target = body.replace("redundancy-mode single-active df-algorithm preference non-revertive",
                          "redundancy-mode port-active")
    with open(path, "w") as f:
        f.write(target)
    dels, adds = reload_test(pe1, path)
    # the changed line, within its contexts
    dels = [l for l in dels if l not in ("router bgp 65000", "address-family l2vpn evpn",
                                         "exit-address-family", "exit")]
    adds = [l for l in adds if l not in ("router bgp 65000", "address-family l2vpn evpn",
                                         "exit-address-family", "exit")]
    assert dels == ["no l3-multihoming es %s redundancy-mode single-active df-algorithm "
                    "preference non-revertive" % ESI1] and \
        adds == ["l3-multihoming es %s redundancy-mode port-active" % ESI1], (dels, adds)
    frr_reload(pe1, path, "--reload")
    assert _running_body(pe1) == target
    v = _es_is(topo, "pe1", ESI1, {"mode": "port-active", "dfAlgorithm": "modulus",
                                   "nonRevertive": False})
    assert v["mismatch"] is True  # PE2 is still single-active


# --- port-active: the links (RFC 9786 section 2.2) ---------------------------

def _zebra_es(node, esi):
    for e in node.vtysh_json("show evpn l3mh es json").get("es", []):
        if e["esi"] == esi:
            return e
    return None


def _admin_up(node, ifname):
    return "UP" in node.links()[ifname]["flags"]


def _port_state(topo, dfpe, esi, bond, member, ce, ce_bond):
    """None once dfpe is the DF of esi and the other PE its standby, as
    each PE's bgpd and zebra say, with the standby's member admin down and
    the CE's LACP bond using dfpe's link alone."""
    sb = OTHER[dfpe]
    for pe, state in ((dfpe, "df"), (sb, "standby")):
        e = _es(topo[pe], esi)
        if not e or e.get("portState") != state or e.get("df") != IP[dfpe]:
            return "%s bgpd: %s" % (pe, e and {k: e.get(k) for k in ("portState", "df")})
        z = _zebra_es(topo[pe], esi)
        want_held = [member] if state == "standby" else []
        if not z or z["state"] != state or z["heldDown"] != want_held or not z["operUp"]:
            return "%s zebra: %s" % (pe, z)
    if _admin_up(topo[sb], member) or not _admin_up(topo[dfpe], member):
        return "%s admin up %s, %s %s" % (sb, _admin_up(topo[sb], member), dfpe,
                                         _admin_up(topo[dfpe], member))
    slaves, active = bonding(topo[ce], ce_bond)
    if slaves.get("eth-" + sb, {}).get("mii") != "down":
        return "%s: eth-%s %s" % (ce, sb, slaves.get("eth-" + sb))
    s = slaves.get("eth-" + dfpe, {})
    if s.get("mii") != "up" or s.get("aggregator") != active:
        return "%s: eth-%s %s, active aggregator %s" % (ce, dfpe, s, active)
    return None


def _wait_port_state(topo, dfpe, timeout=60):
    err = wait_for(lambda: _port_state(topo, dfpe, ESI2, "bond2", "eth-ce", "ce1", "bond0"),
                   timeout=timeout, desc="%s DF of ES-2" % dfpe)
    assert err is None, err


def _flows_to_ce1(topo, timeout=40):
    def flows():
        ft = FlowTest(topo["pe3"], topo["ce1"], CE1_IP4, port=5003, src=PE3_LO["CUST1"][0],
                      src_dev="CUST1", flows=16)
        got = ft.run()
        return None if got == set(ft.sports()) else "arrived %d/%d" % (len(got), ft.flows)

    err = wait_for(flows, timeout=timeout, interval=1, desc="flows PE3 -> CE1")
    assert err is None, err


def test_port_active_standby_holds_its_link(topo):
    """ES-2: PE2, the non-DF, holds its member eth-ce down (zebra says
    standby, the kernel has eth-ce admin down) and keeps the ES up for BGP:
    PE1 still has PE2's RT-4. CE1's bond has its link to PE2 down and uses
    PE1's; all 16 UDP flows from PE3 reach CE1."""
    _wait_port_state(topo, "pe1")
    v = _es(topo["pe1"], ESI2)
    assert _peer(v, "10.0.0.2")["mode"] == "port-active", v
    _flows_to_ce1(topo)


def test_port_active_synced_state_ready_on_standby(topo):
    """The standby receives the DF's sync routes: CE1's ARP entry, learned on
    PE1, is in PE2's zebra, waiting for its interface."""
    def check():
        for n in topo["pe2"].vtysh_json("show evpn l3mh synced-neighbors json")["neighbors"]:
            if n["ip"] == CE1_IP4 and n["esi"] == ESI2:
                return None if n["state"] == "interface-down" else "state %s" % n["state"]
        return "CE1's entry not synced to PE2"

    err = wait_for(check, timeout=30, desc="CE1 synced to the standby")
    assert err is None, err


def _takeover_and_revert(topo):
    """PE1's link to CE1 fails; PE2 takes over and the flows arrive through
    it; PE1's link comes back and PE1 (revertive) is the DF again."""
    topo["pe1"].cmd("ip link set eth-ce down")
    try:
        def pe2_df():
            e, z = _es(topo["pe2"], ESI2), _zebra_es(topo["pe2"], ESI2)
            if not e or e.get("portState") != "df" or not z or z["heldDown"] or \
                    not _admin_up(topo["pe2"], "eth-ce"):
                return "PE2: %s %s" % (e and e.get("portState"), z)
            slaves, active = bonding(topo["ce1"], "bond0")
            s = slaves.get("eth-pe2", {})
            return None if s.get("mii") == "up" and s.get("aggregator") == active else \
                "CE1 eth-pe2 %s active %s" % (s, active)

        err = wait_for(pe2_df, timeout=60, desc="PE2 takes over")
        assert err is None, err
        _flows_to_ce1(topo)
        n = topo["pe2"].neighbor("bond2", CE1_IP4)
        assert n and n.get("lladdr"), n
    finally:
        topo["pe1"].cmd("ip link set eth-ce up")
    _wait_port_state(topo, "pe1")
    _flows_to_ce1(topo)


def test_port_active_df_link_fails_and_reverts(topo):
    """PE1's link to CE1 fails: PE1's ES goes down and its RT-4 is withdrawn,
    PE2 becomes the DF, sets its link up, CE1's LACP takes it, and the flows
    arrive through PE2, which has CE1's ARP entry installed from the sync.
    PE1's link comes back: revertive, PE1 (preference 50000) is the DF
    again and PE2 holds its link down again."""
    _takeover_and_revert(topo)


def test_port_active_non_revertive(topo):
    """Non-revertive on both PEs: PE1's link fails, PE2 takes over; PE1's
    link comes back and PE1 does not preempt: after the DF wait it
    advertises PE2's preference (32767) without Don't Preempt, as tshark
    shows, and stays the standby; PE2 keeps the DF role. Then PE2's link
    fails: PE1 takes over and advertises its own preference again."""
    for pe in ("pe1", "pe2"):
        _set(topo, pe, "l3-multihoming es %s redundancy-mode port-active df-algorithm "
                       "preference non-revertive" % ESI2)
    _wait_port_state(topo, "pe1")
    topo["pe1"].cmd("ip link set eth-ce down")
    try:
        err = wait_for(lambda: None if (_es(topo["pe2"], ESI2) or {}).get("portState") == "df"
                       else "PE2 not DF", timeout=60, desc="PE2 takes over")
        assert err is None, err
    finally:
        topo["pe1"].cmd("ip link set eth-ce up")
    _wait_port_state(topo, "pe2")
    v = _es_is(topo, "pe1", ESI2, {"dfPreference": 32767, "nonRevertive": False,
                                   "portState": "standby"})
    assert _peer(v, "10.0.0.2")["dontPreempt"], v
    _wire_is(topo, "pe1", "10.0.0.1", ESI2, "02040000" + "7fff", True)
    _flows_to_ce1(topo)
    topo["pe2"].cmd("ip link set eth-ce down")
    try:
        _es_is(topo, "pe1", ESI2, {"dfPreference": 50000, "nonRevertive": True,
                                   "portState": "df"}, timeout=60, pes=("10.0.0.1",))
        _flows_to_ce1(topo)
    finally:
        topo["pe2"].cmd("ip link set eth-ce up")
    # PE2 comes back and does not preempt PE1 either
    _wait_port_state(topo, "pe1")
    _es_is(topo, "pe2", ESI2, {"dfPreference": 32767, "nonRevertive": True})


# --- daemon restarts on the standby -----------------------------------------

def _revertive(topo):
    for pe in ("pe1", "pe2"):
        _set(topo, pe, "l3-multihoming es %s redundancy-mode port-active df-algorithm "
                       "preference" % ESI2)
    _wait_port_state(topo, "pe1")


class _Watch:
    """Every 100 ms: is PE2's member eth-ce admin up, or CE1's link to PE2
    up? Each time one is, it is noted."""

    def __init__(self, topo):
        self.topo, self.seen = topo, []
        self.stop = threading.Event()
        self.t = threading.Thread(target=self._run)
        self.t.start()

    def _run(self):
        t0 = time.time()
        while not self.stop.is_set():
            pe2 = _admin_up(self.topo["pe2"], "eth-ce")
            ce1 = bonding(self.topo["ce1"], "bond0")[0].get("eth-pe2", {}).get("mii")
            if pe2 or ce1 != "down":
                self.seen.append("%.1f s: PE2 eth-ce admin %s, CE1 eth-pe2 %s" % (
                    time.time() - t0, "up" if pe2 else "down", ce1))
            time.sleep(0.1)

    def done(self):
        self.stop.set()
        self.t.join()
        return self.seen


def test_port_active_bgpd_restart_on_standby(topo):
    """bgpd restarts on PE2, the standby. Its zebra keeps eth-ce down all
    the while: the link never comes up, and CE1's bond never has PE2's link
    (a watch every 100 ms); zebra shows the hold as stale while bgpd is
    away. The new bgpd elects only once PE1's routes are in, so PE2 is the
    standby again without letting the link up, and the hold is its own:
    PE1's link fails, PE2 takes over; PE1 is the DF again after."""
    _revertive(topo)
    _flows_to_ce1(topo)
    topo["pe2"].vtysh("write memory")  # the restarted bgpd reads frr.conf
    w = _Watch(topo)
    try:
        topo["pe2"].stop_daemon("bgpd")
        z = _zebra_es(topo["pe2"], ESI2)
        assert z and z["stale"] and z["heldDown"] == ["eth-ce"] and \
            z["state"] == "standby", z
        topo["pe2"].start_daemon("bgpd")
        err = wait_for(lambda: None if topo["pe2"].vtysh_json(
            "show bgp l2vpn evpn l3-multihoming es json").get("electionsStarted")
            else "elections not started", timeout=60, desc="PE2's elections")
        assert err is None, err
        _wait_port_state(topo, "pe1")
        time.sleep(1)
    finally:
        seen = w.done()
    assert not seen, seen
    z = _zebra_es(topo["pe2"], ESI2)
    assert not z["stale"], z
    _flows_to_ce1(topo)
    _takeover_and_revert(topo)


def test_port_active_zebra_restart_on_standby(topo):
    """zebra restarts on PE2, the standby (bgpd lives on). The stopping
    zebra leaves eth-ce down and writes down that it holds it; the new one
    takes the hold over (stale until bgpd has told it the ES's state again)
    and the link does not come up meanwhile (the watch). Then isisd
    restarts too (FRR 10.3's isisd gives a restarted zebra none of its
    routes): until IS-IS is back PE2 cannot resolve PE1's RT-4 and may take
    the DF role for a while. In the end PE2 is the standby again with
    eth-ce its own: PE1's link fails and PE2 takes over; PE1 is the DF
    again after."""
    _wait_port_state(topo, "pe1")
    topo["pe2"].vtysh("write memory")
    w = _Watch(topo)
    try:
        topo["pe2"].stop_daemon("zebra")
        held = topo["pe2"].cmd("cat %s/zebra_evpn_l3mh_held" % topo["pe2"].rundir)
        assert held.split() == [ESI2, "2", "eth-ce"], held
        topo["pe2"].start_daemon("zebra")

        def told():
            z = _zebra_es(topo["pe2"], ESI2)
            return None if z and not z["stale"] and z["state"] == "standby" and \
                z["heldDown"] == ["eth-ce"] else "PE2 zebra %s" % z

        err = wait_for(told, timeout=30, interval=0.2, desc="PE2's zebra told again")
        assert err is None, err
    finally:
        seen = w.done()
    assert not seen, seen
    topo["pe2"].stop_daemon("isisd")
    topo["pe2"].start_daemon("isisd")

    def underlay():
        # PE2 and PE3 reach each other's loopback over IS-IS again
        for node, lo in (("pe2", "10.0.0.3"), ("pe2", "10.0.0.1"), ("pe3", "10.0.0.2")):
            if "isis" not in topo[node].cmd("ip route show %s" % lo, check=False):
                return "%s: no IS-IS route to %s" % (node, lo)
        return None

    err = wait_for(underlay, timeout=120, desc="IS-IS back after PE2's isisd restart")
    assert err is None, err
    _wait_port_state(topo, "pe1", timeout=120)
    _flows_to_ce1(topo, timeout=90)
    _takeover_and_revert(topo)
