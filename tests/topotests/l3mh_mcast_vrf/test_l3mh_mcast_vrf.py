#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_mcast_vrf: the IGMP/MLD join sync of l3mh_mcast (draft-ietf-bess-evpn-
l3mh-proto-00 section 3.7, RFC 9251) in two IP-VRFs at once, overlapping in
everything but the VRF and the VLAN.

H1 (VLAN 1, bond1.1 in CUST1) and H2 (VLAN 2, bond1.2 in CUST2) sit behind
SW1's LAG with the same address; S1 (behind PE3 in CUST1) and S2 (in CUST2)
have the same addresses too, and send to the same groups and ports. Each
host joins the same group; the learner of each join advertises an RT-7
with the ES-Import RT, the Ethernet Tag of its VLAN and its VRF's EVI-RT,
the other PE imports it into the same VRF on the same sub-interface. Each
VRF's <ES, VLAN> has its own designated forwarder (VLAN 1: PE2, VLAN 2:
PE1), and each host gets its own VRF's packets exactly once and none of the
other VRF's. The PEs' configs are l3mh_mcast's plus CUST2 (pimd, pim6d,
IGMP/MLD on bond1.2, the transport links eth-n, the sync in CUST2).

The MLD leave of a membership the other PE learnt (RFC 9251 section 9.3):
with MLDv1 a host's report goes to the group's MAC address and its Done to
ff02::2, so SW1's layer-2 hash (last octets of the MACs, ether type) can
send them to different PEs; for ff0e::1:5 it does, from both hosts. The PE
that gets the Done has the membership by sync only: it advertises an RT-8,
and the learner runs its last listener queries as if the Done had arrived
there (pim6d's gm_sg_leave_external(), patch 0017). A host that is still a
listener answers those queries and keeps the membership; one that has left
is pruned within seconds, not after MLD's 260 s listener interval.
"""

import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "l3mh_mcast"))

import mcast  # noqa: E402
import test_l3mh_mcast as base  # noqa: E402
from lab import wait_for  # noqa: E402
from reftopo import ES, HOSTS, S1_IP6, VRFS, lag_whole  # noqa: E402

# per VRF: host, its sub-interface and VLAN, the source behind PE3, the DF
# of <ES-1, VLAN> (Ethernet Tag mod 2 over [PE1, PE2]) and the EVI-RT
CUST = {
    "CUST1": {"host": "h1", "if": "bond1.1", "vlan": 1, "src": "s1", "df": "pe2", "rt": "65000:1"},
    "CUST2": {"host": "h2", "if": "bond1.2", "vlan": 2, "src": "s2", "df": "pe1", "rt": "65000:2"},
}
ASM_G, MLD_G = "239.1.1.1", "ff3e::1:1"
V1_G = "ff0e::1:5"  # MLDv1 report to 33:33:00:01:00:05, Done to 33:33:00:00:00:02
N, RATE = 200, 100


class TwoVrfTopo(base.McastTopo):
    "l3mh_mcast's topology with multicast in CUST1 and CUST2."

    def __init__(self):
        super().__init__(name="l3mh_mcast_vrf", testdir=HERE, vrfs=tuple(CUST))

    def config_path(self, router):
        path = super().config_path(router)
        # P has nothing per VRF: l3mh_mcast's
        return path if os.path.exists(path) else os.path.join(base.CWD, router, "frr.conf")


@pytest.fixture(scope="module")
def topo():
    t = TwoVrfTopo()
    try:
        t.start()
        yield t
    finally:
        t.stop()


def evpn_sync(topo, pe, vrf, v6=False):
    return topo[pe].vtysh_json("show %s evpn-sync vrf %s json"
                               % ("ipv6 mld" if v6 else "ip igmp", vrf))


def memberships(topo, pe, vrf, group, v6=False):
    return [m for m in evpn_sync(topo, pe, vrf, v6)["memberships"] if m["group"] == group]


def bgp_groups(topo, pe, group):
    js = topo[pe].vtysh_json("show bgp l2vpn evpn l3-multihoming groups json")
    return [g for g in js["groups"] if g["group"] == group]


def kernel_oifs(topo, pe, vrf, group, v6=False):
    "The OIFs of group's entries in pe's kernel multicast table of vrf."
    out = topo[pe].cmd("ip %smroute show table %d" % ("-6 " if v6 else "", VRFS[vrf]))
    oifs = set()
    for line in out.splitlines():
        if group in line and "Oifs:" in line:
            oifs.update(w.split("(")[0] for w in
                        line.split("Oifs:")[1].split("State:")[0].split())
    return oifs


def test_lag_up(topo):
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=30,
                   desc="sw1 bond0 aggregation")
    assert err is None, err


def test_es_interfaces_and_df_per_vrf(topo):
    """pimd and pim6d of both PEs have bond1.1 in CUST1 and bond1.2 in
    CUST2 as ES interfaces, with one DF per <ES, VLAN>: PE2 for VLAN 1,
    PE1 for VLAN 2 (and PE1 for the native bond2, Ethernet Tag 0)."""
    for v6 in (False, True):
        def check():
            for pe in base.PES:
                for vrf, c in CUST.items():
                    ifs = {i["interface"]: i["designatedForwarder"]
                           for i in evpn_sync(topo, pe, vrf, v6)["interfaces"]}
                    want = {c["if"]: pe == c["df"]}
                    if vrf == "CUST1":
                        want["bond2"] = pe == "pe1"
                    if ifs != want:
                        return "%s %s: %s, want %s" % (pe, vrf, ifs, want)
            return None

        err = wait_for(check, timeout=30, desc="ES interfaces per VRF (%s)" % ("pim6d" if v6 else "pimd"))
        assert err is None, err


def _pim_ready(topo):
    "PIM adjacencies over both VRFs' transport links, on both PEs."
    def check():
        for pe in base.PES:
            for vrf, eth in (("CUST1", "eth-m"), ("CUST2", "eth-n")):
                for fam in ("ip", "ipv6"):
                    js = topo[pe].vtysh_json("show %s pim vrf %s neighbor json" % (fam, vrf))
                    if eth not in js or not js[eth]:
                        return "%s %s %s: no PIM neighbour on %s" % (pe, fam, vrf, eth)
        return None

    err = wait_for(check, timeout=60, desc="PIM neighbours in CUST1 and CUST2")
    assert err is None, err


def _join_both(topo, group, source=None, version=None, port=5200):
    """H1 and H2 join group; wait until each VRF's join is synced to the
    other PE of the ES; return {vrf: member}."""
    members = {}
    for vrf, c in CUST.items():
        members[vrf] = mcast.join(topo[c["host"]], group, source=source, version=version,
                                  port=port, tag=vrf.lower())
    v6 = ":" in group

    def check():
        for vrf, c in CUST.items():
            per_pe = {pe: memberships(topo, pe, vrf, group, v6) for pe in base.PES}
            origins = sorted(m["origin"] for ms in per_pe.values() for m in ms
                             if m["interface"] == c["if"])
            if origins != ["local", "synced"]:
                return "%s: %s" % (vrf, per_pe)
            for pe, ms in per_pe.items():
                for m in ms:
                    if m["interface"] != c["if"] or m["vrf"] != vrf:
                        return "%s %s: %s on the wrong sub-interface" % (pe, vrf, m)
                    if m["origin"] == "synced" and m["state"] != "joined":
                        return "%s %s: %s" % (pe, vrf, m)
        return None

    err = wait_for(check, timeout=40, desc="sync of %s in CUST1 and CUST2" % group)
    if err:
        for m in members.values():
            m.leave()
    assert err is None, err
    return members


def _check_rt7s(topo, group):
    """bgpd's view: one local and one synced RT-7 per VRF, with the
    Ethernet Tag of that VRF's VLAN."""
    seen = {}
    for pe in base.PES:
        for g in bgp_groups(topo, pe, group):
            seen.setdefault(g["vrf"], []).append((g["origin"], g["ethTag"], g["esi"]))
    for vrf, c in CUST.items():
        got = sorted(seen.get(vrf, []))
        assert got == [("local", c["vlan"], base.ESI1), ("synced", c["vlan"], base.ESI1)], (vrf, seen)


def _send_both_and_check(topo, members, group, port):
    """S1 and S2 send N packets each to group:port, tagged with their VRF;
    each host gets its own VRF's packets exactly once, none of the other's;
    each VRF's traffic leaves only its DF, on its own sub-interface."""
    v6 = ":" in group
    for vrf, c in CUST.items():
        mcast.send(topo[c["src"]], group, count=5, rate=10, port=port, tag="warmup")

    def trees():
        for vrf, c in CUST.items():
            if c["if"] not in kernel_oifs(topo, c["df"], vrf, group, v6):
                return "%s: %s has no %s OIF for %s" % (vrf, c["df"], c["if"], group)
        return None

    err = wait_for(trees, timeout=20, desc="kernel mroutes per VRF")
    assert err is None, err
    for vrf, c in CUST.items():
        mcast.send(topo[c["src"]], group, count=N, rate=RATE, port=port, tag=vrf.lower())
    for vrf, c in CUST.items():
        m = members[vrf]
        st = mcast.stats(mcast.wait_counts(m, N, timeout=15), N)
        other = m.state()["other"]
        print("%s %s: %d/%d of %s's packets, duplicates %s, packets of the other VRF or the "
              "warm-up: %d" % (c["host"].upper(), group, st["received"], N, c["src"].upper(),
                               len(st["dups"]), other))
        assert st["received"] == N and not st["dups"] and not st["extra"], (vrf, st)
        # the warm-up (5) may or may not arrive; the other VRF's N never
        assert other <= 5, (vrf, other)
    # kernel: each VRF's table forwards to its own sub-interface at its DF
    # only, never to the other VRF's
    for vrf, c in CUST.items():
        for pe in base.PES:
            oifs = kernel_oifs(topo, pe, vrf, group, v6)
            assert (c["if"] in oifs) == (pe == c["df"]), (pe, vrf, oifs)
            others = {x["if"] for x in CUST.values()} - {c["if"]}
            assert not oifs & others, (pe, vrf, oifs)


def _leave_both(topo, members, group):
    v6 = ":" in group
    for m in members.values():
        m.leave()

    def check():
        for vrf in CUST:
            for pe in base.PES:
                if memberships(topo, pe, vrf, group, v6):
                    return "%s %s: %s" % (pe, vrf, memberships(topo, pe, vrf, group, v6))
            if any(bgp_groups(topo, pe, group) for pe in base.PES):
                return "RT-7s left"
        return None

    err = wait_for(check, timeout=30, desc="prune of %s in both VRFs" % group)
    assert err is None, err


@pytest.mark.parametrize("group,source,version,port", [
    (ASM_G, None, 2, 5200),
    (MLD_G, S1_IP6, None, 5202),  # (S,G), S1 and S2 both 2001:db8:3:80::2
], ids=["igmpv2", "mldv2"])
def test_same_group_in_both_vrfs(topo, group, source, version, port):
    """H1 (CUST1) and H2 (CUST2) join the same group at the same time
    (IGMPv2 239.1.1.1, MLDv2 (S,ff3e::1:1)): synced per VRF, forwarded once
    per VRF through its DF, nothing crosses between the VRFs; both leaves
    prune."""
    _pim_ready(topo)
    members = _join_both(topo, group, source=source, version=version, port=port)
    try:
        _check_rt7s(topo, group)
        _send_both_and_check(topo, members, group, port)
    finally:
        _leave_both(topo, members, group)


def test_rt7_evi_rt_per_vrf(topo):
    """The RT-7s carry the ES-Import RT of ESI-1 and the EVI-RT of their
    own VRF only (65000:1 for VLAN 1, 65000:2 for VLAN 2), as bgpd shows
    them on both PEs: join again in both VRFs and read the routes."""
    members = _join_both(topo, ASM_G, version=2, port=5204)
    try:
        for pe in base.PES:
            brief = topo[pe].evpn_paths("join-sync", detail=False)
            detail = topo[pe].evpn_paths("join-sync")
            tags = {}
            for pfx, paths in brief.items():
                for b in paths:
                    if b.get("group") != ASM_G:
                        continue
                    for d in detail.get(pfx, []):
                        ecs = set(d.get("extendedCommunity", {}).get("string", "").split())
                        tags.setdefault(b["ethTag"], []).append(ecs)
            for vrf, c in CUST.items():
                other = [x["rt"] for x in CUST.values() if x is not c][0]
                assert tags.get(c["vlan"]), (pe, vrf, tags)
                for ecs in tags[c["vlan"]]:
                    assert "ES-Import-Rt:02:00:00:00:00:e1" in ecs, (pe, ecs)
                    assert "EVI-RT:%s" % c["rt"] in ecs, (pe, vrf, ecs)
                    assert "EVI-RT:%s" % other not in ecs, (pe, vrf, ecs)
    finally:
        _leave_both(topo, members, ASM_G)


# --- MLD leave heard by the PE without the membership -----------------------

def mld_stats(topo, pe, vrf, ifname):
    js = topo[pe].vtysh_json("show ipv6 mld vrf %s statistics interface %s json" % (vrf, ifname))
    js = js.get(vrf, js)
    return js.get(ifname, js)


def _log_count(topo, pe, daemon, pattern):
    with open(os.path.join(topo[pe].logdir, "%s.log" % daemon)) as f:
        return len(re.findall(pattern, f.read()))


def _v1_member(topo, vrf, port):
    """The VRF's host joins V1_G with MLDv1 (and keeps speaking MLDv1: the
    MLDv2 tests come first); wait for one learner and the other PE's
    synced copy; return (member, learner, other)."""
    c = CUST[vrf]
    host = topo[c["host"]]
    mcast.force_mld_version(host, "eth0", 1)
    m = mcast.join(host, V1_G, port=port, tag=vrf.lower())
    found = {}

    def check():
        per_pe = {pe: [x for x in memberships(topo, pe, vrf, V1_G, True)
                       if x["interface"] == c["if"]] for pe in base.PES}
        local = [pe for pe, ms in per_pe.items() if [x["origin"] for x in ms] == ["local"]]
        synced = [pe for pe, ms in per_pe.items() if [x["origin"] for x in ms] == ["synced"]]
        if len(local) != 1 or len(synced) != 1:
            return "%s: %s" % (vrf, per_pe)
        found["learner"], found["other"] = local[0], synced[0]
        return None

    err = wait_for(check, timeout=40, desc="MLDv1 membership of %s synced in %s" % (V1_G, vrf))
    if err:
        m.leave()
    assert err is None, err
    return m, found["learner"], found["other"]


def _gone(topo, vrf):
    def check():
        for pe in base.PES:
            ms = memberships(topo, pe, vrf, V1_G, True)
            if ms:
                return "%s %s: %s" % (pe, vrf, ms)
        if any(g["vrf"] == vrf for pe in base.PES for g in bgp_groups(topo, pe, V1_G)):
            return "%s: RT-7s left" % vrf
        return None
    return check


@pytest.mark.parametrize("vrf", list(CUST))
def test_mld_leave_at_the_other_pe(topo, vrf):
    """The host's MLDv1 report reaches one PE (the learner), its Done the
    other, which has the membership only by sync: that PE advertises an
    RT-8, the learner sends its last listener queries (a group-specific
    query on the wire: pim6d's counter), nobody answers, and both PEs prune
    the membership within seconds; the RT-7 is withdrawn."""
    c = CUST[vrf]
    m, learner, other = _v1_member(topo, vrf, 5210)
    try:
        done_before = mld_stats(topo, other, vrf, c["if"])["rxV1Done"]
        learner_done = mld_stats(topo, learner, vrf, c["if"])["rxV1Done"]
        queries_before = mld_stats(topo, learner, vrf, c["if"])["txV2QueryGroup"]
        sync_leaves = _log_count(topo, learner, "bgpd", r"send GM_SYNC_LEAVE \S*%s" % re.escape(V1_G))
        m.leave()
        err = wait_for(_gone(topo, vrf), timeout=30, desc="prune of %s in %s" % (V1_G, vrf))
        assert err is None, err
        # the Done went to the other PE, not to the learner
        assert mld_stats(topo, other, vrf, c["if"])["rxV1Done"] > done_before
        assert mld_stats(topo, learner, vrf, c["if"])["rxV1Done"] == learner_done
        # the other PE's RT-8 reached the learner's pim6d, which queried
        assert _log_count(topo, learner, "bgpd", r"send GM_SYNC_LEAVE \S*%s" % re.escape(V1_G)) > sync_leaves
        assert mld_stats(topo, learner, vrf, c["if"])["txV2QueryGroup"] > queries_before
        print("%s: MLDv1 report at %s, Done at %s, pruned on both" % (vrf, learner, other))
    finally:
        m.leave()


# an MLDv1 Done as a host's kernel sends it (RFC 2710: link-local source,
# ff02::2, hop limit 1, router alert), for a host that has not left
DONE = """
import sys
from scapy.all import Ether, ICMPv6MLDone, IPv6, IPv6ExtHdrHopByHop, RouterAlert, sendp
mac, src, grp = sys.argv[1:4]
pkt = (Ether(src=mac, dst="33:33:00:00:00:02") /
       IPv6(src=src, dst="ff02::2", hlim=1) /
       IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) / ICMPv6MLDone(mladdr=grp))
sendp(pkt, iface="eth0", verbose=False)
"""


@pytest.mark.parametrize("vrf", list(CUST))
def test_mld_leave_at_the_other_pe_listener_stays(topo, vrf):
    """A Done for V1_G reaches the PE without the membership while the host
    is still a listener (sent by hand, as another host's would be): the RT-8
    makes the learner query, the host's kernel answers with a report, and
    the membership stays, learnt on one PE and synced on the other."""
    c = CUST[vrf]
    host = topo[c["host"]]
    m, learner, other = _v1_member(topo, vrf, 5212)
    try:
        ll = re.search(r"inet6 (fe80::[0-9a-f:]+)/64", host.cmd("ip -6 addr show dev eth0 scope link"))
        assert ll, host.cmd("ip -6 addr show dev eth0")
        before = {pe: mld_stats(topo, pe, vrf, c["if"]) for pe in base.PES}
        host.cmd("/usr/bin/python3 -c '%s' %s %s %s" % (DONE, HOSTS[c["host"]]["mac"],
                                                        ll.group(1), V1_G))

        def answered():
            now = mld_stats(topo, learner, vrf, c["if"])
            if mld_stats(topo, other, vrf, c["if"])["rxV1Done"] <= before[other]["rxV1Done"]:
                return "%s got no Done" % other
            if now["txV2QueryGroup"] <= before[learner]["txV2QueryGroup"]:
                return "%s sent no group-specific query" % learner
            if now["rxV1Reports"] <= before[learner]["rxV1Reports"]:
                return "%s got no report back" % learner
            return None

        err = wait_for(answered, timeout=20, desc="last listener query answered")
        assert err is None, err
        for pe, origin in ((learner, "local"), (other, "synced")):
            ms = [x for x in memberships(topo, pe, vrf, V1_G, True) if x["interface"] == c["if"]]
            assert [x["origin"] for x in ms] == [origin], (pe, ms)
            if origin == "synced":
                assert ms[0]["state"] == "joined", (pe, ms)

        # the leave is over once the learner's queries are: the other PE
        # withdraws its RT-8, so that the next leave is a new one
        def rt8_withdrawn():
            left = [g for g in bgp_groups(topo, other, V1_G)
                    if g["vrf"] == vrf and g["origin"] == "local"]
            return "%s: %s" % (other, left) if left else None

        err = wait_for(rt8_withdrawn, timeout=20, desc="RT-8 of %s withdrawn" % other)
        assert err is None, err
        synced = [g for g in bgp_groups(topo, other, V1_G) if g["vrf"] == vrf]
        assert [g["origin"] for g in synced] == ["synced"], synced
    finally:
        m.leave()
    err = wait_for(_gone(topo, vrf), timeout=30, desc="prune of %s in %s" % (V1_G, vrf))
    assert err is None, err


def test_zebra_restart_keeps_sync(topo):
    """zebra restarts on each PE in turn (bgpd and pimd live on; isisd is
    restarted after it, since FRR 10.3's isisd gives a restarted zebra
    none of its routes) while H1 and H2 are members of 239.1.1.1: the ES interfaces, DFs and synced memberships come back in
    pimd (through the new zebra), and each host again gets its own VRF's
    packets exactly once."""
    _pim_ready(topo)
    members = _join_both(topo, ASM_G, version=2, port=5220)
    try:
        for pe in base.PES:
            topo[pe].vtysh("write memory")
            topo[pe].stop_daemon("zebra")
            topo[pe].start_daemon("zebra")
            # FRR 10.3's isisd gives no restarted zebra its routes
            topo[pe].stop_daemon("isisd")
            topo[pe].start_daemon("isisd")

            def back():
                for p in base.PES:
                    for vrf, c in CUST.items():
                        ifs = {i["interface"]: i["designatedForwarder"]
                               for i in evpn_sync(topo, p, vrf)["interfaces"]}
                        if ifs.get(c["if"]) != (p == c["df"]):
                            return "%s %s: interfaces %s" % (p, vrf, ifs)
                        ms = [m for m in memberships(topo, p, vrf, ASM_G)
                              if m["interface"] == c["if"]]
                        if not ms or any(m["origin"] == "synced" and m["state"] != "joined"
                                         for m in ms):
                            return "%s %s: %s" % (p, vrf, ms)
                return None

            err = wait_for(back, timeout=90, desc="sync after a zebra restart on %s" % pe)
            assert err is None, err
            _pim_ready(topo)
        _send_both_and_check(topo, members, ASM_G, 5220)
    finally:
        _leave_both(topo, members, ASM_G)
