#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_mcast: IGMP/MLD join synchronization between the PEs of an L3 ES with
RT-7/RT-8 (draft-ietf-bess-evpn-l3mh-proto-00 section 3.7, RFC 9251) on the
reference topology; zebra, bgpd, pimd and pim6d run the evpn_l3mh modules.

H1 (VLAN 1 behind SW1's LAG) joins groups of S1, a source behind PE3. SW1's
layer-2 LAG hash sends each IGMP/MLD message to one PE only (which one
depends on the destination MAC: a report to the group, a Leave to
224.0.0.2, an IGMPv3 report to 224.0.0.22), the "learner". The learner
advertises an RT-7, its ES peer joins the same membership on its own
bond1.1; only the designated forwarder of <ES, VLAN 1> forwards to the ES
(the other holds bond1.1 muted in its OILs), so H1 gets every packet once,
whichever PE learnt the join, and keeps receiving when the DF's link fails.

Multicast transport: FRR has no MVPN, so two VRF-lite links PE3-PE1 and
PE3-PE2 with PIM stand in for the MVPN's PMSI tunnels (lib/reftopo.py);
the PEs' RPF for S1 and the RP (PE3's 203.0.113.129, for 239/8) is a static
route over that link (see pe1/frr.conf). 232/8 is SSM (pimd's default
range), ff3e::/32 is pim6d's default SSM range.

All of it runs in VRF CUST1, the draft's case: bond1.1, the transport
links and S1's link are in CUST1, pimd and pim6d run `router pim vrf CUST1`
and `router pim6 vrf CUST1`, the sync is configured in CUST1's
address-family l2vpn evpn (EVI-RT 65000:1). That needs one kernel
multicast routing table per VRF (CONFIG_IP_MROUTE_MULTIPLE_TABLES,
CONFIG_IPV6_MROUTE, CONFIG_IPV6_MROUTE_MULTIPLE_TABLES), which the lab's
own kernel has (kernel/uml-lab.config); the module fails at once on a
kernel without them rather than test less.
"""

import json
import threading
import os
import re
import time

import pytest

import bgpinject
import mcast
import sys
import tshark
from frrreload import config_lines
from lab import wait_for
from reftopo import ES, PE3_S1_IP4, S1_IP4, S1_IP6, VRFS, RefTopo, lag_whole, mcast_link, mroute_tables

CWD = os.path.dirname(os.path.abspath(__file__))
MODULES = {pe: {d: ["evpn_l3mh"] for d in ("zebra", "bgpd", "pimd", "pim6d")}
           for pe in ("pe1", "pe2")}
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
PES = ("pe1", "pe2")
ASM_G, SSM_G, MLD_G = "239.1.1.1", "232.1.1.1", "ff3e::1:1"
N, RATE = 200, 100


class McastTopo(RefTopo):
    """The reference topology with the multicast extras, in VRF CUST1."""

    def __init__(self, name=None, testdir=CWD, vrfs=("CUST1",)):
        self.kernel = mroute_tables()
        assert self.kernel == {"ipv4": "ok", "ipv6": "ok"}, (
            "the lab kernel has no multicast routing table per VRF: %s" % self.kernel)
        super().__init__(testdir, name=name, modules=MODULES, mcast=True, mcast_vrfs=vrfs)
        self.vrf_arg = "vrf CUST1 "
        self.table = "table %d" % VRFS["CUST1"]

    def build(self):
        """Plus X1, a raw BGP speaker (lib/bgpinject.py) peering with PE2,
        for RT-7s that no PE of the lab would send; H1 and H2 in IGMPv2."""
        super().build()
        # the hosts speak IGMPv2 from the start: a later change of version
        # waits for old queries' answers (mcast.force_igmp_version)
        for h in ("h1", "h2"):
            self.lab[h].sysctl("net.ipv4.conf.eth0.force_igmp_version", 2)
        self.lab.add_node("x1")
        self.lab.link("pe2", "eth-x", "x1", "eth0")
        self.lab["pe2"].script(["ip addr add 10.9.0.1/24 dev eth-x", "ip link set eth-x up"])
        self.lab["x1"].script(["ip addr add 10.9.0.3/24 dev eth0", "ip link set eth0 up"])

    def start(self):
        super().start()
        self.inj_cmds = os.path.join(self.lab.workdir, "inj-cmds.txt")
        open(self.inj_cmds, "w").close()
        self.lab["x1"].popen(
            [sys.executable, bgpinject.__file__, "--peer", "10.9.0.1", "--source", "10.9.0.3",
             "--asn", "65000", "--router-id", "10.9.0.3", "--cmds", self.inj_cmds,
             "--log", os.path.join(self.lab.workdir, "inj.log")],
            logfile=os.path.join(self.lab.workdir, "inj.out"))
        return self

    def inject(self, attrs):
        with open(self.inj_cmds, "a") as f:
            f.write("update %s\n" % bgpinject.update(attrs).hex())

    def show(self, node, cmd, json_out=True):
        "A pimd/pim6d show command in the multicast VRF: 'show ip pim X' etc."
        c = re.sub(r"^show (ip|ipv6) (pim|igmp|mld|mroute)", r"show \1 \2 " + self.vrf_arg.strip(), cmd)
        return self[node].vtysh_json(c + " json") if json_out else self[node].vtysh(c)

    def kernel_mroutes(self, node, v6=False):
        return self[node].cmd("ip %smroute show %s" % ("-6 " if v6 else "", self.table))


@pytest.fixture(scope="module")
def topo():
    t = McastTopo()
    try:
        t.start()
        t.lab.log("kernel multicast tables per VRF: %s; multicast in %s"
                  % (t.kernel, ", ".join(t.mcast_vrfs)))
        yield t
    finally:
        t.stop()


def _record(topo, name, text):
    with open(os.path.join(topo.lab.workdir, "mcast-%s.txt" % name), "a") as f:
        f.write(text.rstrip() + "\n")


def _has_group(js, ifname, group, source=None):
    """True if a pimd/pim6d groups/joins json names group (and source) under ifname."""
    def walk(o):
        if isinstance(o, dict):
            if ifname in o and walk_in(o[ifname]):
                return True
            return any(walk(v) for k, v in o.items() if k != ifname)
        if isinstance(o, list):
            return any(walk(v) for v in o)
        return False

    def walk_in(o):
        text = json.dumps(o)
        return group in text and (source is None or source in text)

    return walk(js)


def igmp_learners(topo, group, source=None):
    "The PEs whose IGMP state on bond1.1 has group (and source)."
    cmd = "show ip igmp sources" if source else "show ip igmp groups"
    return [pe for pe in PES if _has_group(topo.show(pe, cmd), "bond1.1", group, source)]


def mld_learners(topo, group, source=None):
    return [pe for pe in PES
            if _has_group(topo.show(pe, "show ipv6 mld joins"), "bond1.1", group, source)]


def _one_learner(topo, learners_fn, group, source=None, timeout=30):
    found = []

    def check():
        found[:] = learners_fn(topo, group, source)
        return None if len(found) == 1 else "learners %s" % found

    err = wait_for(check, timeout=timeout, desc="one PE learns %s" % group)
    assert err is None, err
    return found[0]


def _receive_each_once(topo, member, group, port, learner, v6=False):
    """S1 sends N numbered packets after a warm-up (the first packet of a
    new (S,G) can be lost while the PEs resolve it); H1 must get each once."""
    s1 = topo["s1"]
    mcast.send(s1, group, count=5, rate=10, port=port, tag="warmup")

    def tree_ready():
        out = topo.kernel_mroutes(learner, v6)
        return None if group in out and "Oifs" in out else "no kernel mroute for %s: %r" % (group, out)

    err = wait_for(tree_ready, timeout=20, desc="%s mroute" % learner)
    assert err is None, err
    mcast.send(s1, group, count=N, rate=RATE, port=port)
    counts = mcast.wait_counts(member, N, timeout=15)
    st = mcast.stats(counts, N)
    for pe in ("pe1", "pe2", "pe3"):
        _record(topo, group, "### %s: ip mroute show %s\n%s" % (pe, topo.table, topo.kernel_mroutes(pe, v6)))
    assert st["received"] == N and not st["dups"] and not st["extra"], (
        "%s: got %d/%d, missing %s, duplicates %s" % (group, st["received"], N, st["missing"][:20], st["dups"]))
    return st


# --- sync state as the user sees it ------------------------------------------

ROUTES = {}  # (group, source) -> (learner, flags): RT-7s checked on the wire at the end


def evpn_sync(topo, pe, v6=False):
    "pimd's (pim6d's) view: {'interfaces': [...], 'memberships': [...]}"
    return topo[pe].vtysh_json("show %s evpn-sync %sjson" % ("ipv6 mld" if v6 else "ip igmp",
                                                              topo.vrf_arg))


def pim_membership(topo, pe, group, source=None, v6=False):
    for m in evpn_sync(topo, pe, v6)["memberships"]:
        if m["interface"] == "bond1.1" and m["group"] == group and \
                m["source"] == (source or ("::" if v6 else "0.0.0.0")):
            return m
    return None


def bgp_groups(topo, pe, group, source=None):
    js = topo[pe].vtysh_json("show bgp l2vpn evpn l3-multihoming groups json")
    return [g for g in js["groups"] if g["group"] == group and
            (source is None or g["source"] == source)]


def df_of_bond1_1(topo, v6=False):
    "The PEs that call themselves DF of bond1.1 (pimd's or pim6d's view)."
    out = []
    for pe in PES:
        for i in evpn_sync(topo, pe, v6)["interfaces"]:
            if i["interface"] == "bond1.1" and i["designatedForwarder"]:
                out.append(pe)
    return out


def _other(pe):
    return "pe2" if pe == "pe1" else "pe1"


def _wait_synced(topo, learner, group, source=None, flags=None, v6=False, joined=True):
    """The learner advertises its membership (RT-7), the other PE imports
    it and its pimd/pim6d joins it on bond1.1."""
    other = _other(learner)

    def check():
        mine = bgp_groups(topo, learner, group, source)
        if [g["origin"] for g in mine] != ["local"] or mine[0]["state"] != "advertised":
            return "learner %s: %s" % (learner, mine)
        if flags and mine[0]["flags"] != flags:
            return "learner flags %s, want %s" % (mine[0]["flags"], flags)
        theirs = bgp_groups(topo, other, group, source)
        if [g["origin"] for g in theirs] != ["synced"]:
            return "%s: %s" % (other, theirs)
        if theirs[0]["esi"] != ESI1 or theirs[0]["ethTag"] != 1:
            return "%s: ESI/Ethernet Tag %s" % (other, theirs[0])
        m = pim_membership(topo, other, group, source, v6)
        if not m or m["origin"] != "synced":
            return "%s pim: %s" % (other, m)
        if joined and m["state"] != "joined":
            return "%s pim state %s" % (other, m["state"])
        return None

    err = wait_for(check, timeout=30, desc="RT-7 sync of %s" % group)
    assert err is None, err


def _wait_pruned(topo, group, source=None, v6=False, timeout=30):
    "Neither PE keeps the membership: no RT-7, no pimd state, no OIF."
    def check():
        for pe in PES:
            if bgp_groups(topo, pe, group, source):
                return "%s bgp: %s" % (pe, bgp_groups(topo, pe, group, source))
            if pim_membership(topo, pe, group, source, v6):
                return "%s pim: %s" % (pe, pim_membership(topo, pe, group, source, v6))
        return None

    err = wait_for(check, timeout=timeout, desc="prune of %s" % group)
    assert err is None, err


def _oifs(topo, pe, group, v6=False):
    "bond1.1 forwards group in pe's kernel (any (S,G)/(*,G) entry)?"
    return [line for line in topo.kernel_mroutes(pe, v6).splitlines()
            if group in line and "bond1.1" in line.split("Oifs:")[-1]]


def test_lag_up(topo):
    "SW1's LACP bond aggregates the links to PE1 and PE2."
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=30,
                   desc="sw1 bond0 aggregation")
    assert err is None, err


def test_pim_neighbors_over_transport(topo):
    "PIM adjacencies over the transport links: PE1-PE3 and PE2-PE3."
    want = {"pe1": {"eth-m": mcast_link("pe1")[0][1]}, "pe2": {"eth-m": mcast_link("pe2")[0][1]},
            "pe3": {"eth-m1": mcast_link("pe1")[0][0], "eth-m2": mcast_link("pe2")[0][0]}}
    for node, nbrs in want.items():
        def check():
            js = topo.show(node, "show ip pim neighbor")
            for ifname, addr in nbrs.items():
                if addr not in js.get(ifname, {}):
                    return "%s: no neighbour %s on %s: %s" % (node, addr, ifname, js)
            return None

        err = wait_for(check, timeout=60, desc="%s PIM neighbours" % node)
        assert err is None, err


def test_rpf_over_transport(topo):
    "The PEs' RPF towards S1 and the RP is the transport link."
    for pe in PES:
        for addr in (S1_IP4, PE3_S1_IP4):
            out = topo[pe].vtysh("show ip route %s%s" % (topo.vrf_arg, addr))
            assert "eth-m" in out, (pe, addr, out)


def test_designated_forwarder(topo):
    """Both PEs elect the same DF for <ES-1, VLAN 1> from their RT-4s
    (RFC 7432 service carving: PE number 1 mod 2 of [10.0.0.1, 10.0.0.2],
    i.e. PE2), in pimd and in pim6d."""
    for v6 in (False, True):
        err = wait_for(lambda: None if df_of_bond1_1(topo, v6) == ["pe2"]
                       else "DF %s" % df_of_bond1_1(topo, v6), timeout=30,
                       desc="DF election (%s)" % ("pim6d" if v6 else "pimd"))
        assert err is None, err


def test_igmpv2_join_synced_and_forwarded(topo):
    """H1 joins (*,239.1.1.1) with IGMPv2: one PE learns it, the other PE
    gets it by RT-7 and joins it too; only the DF forwards to the ES, and H1
    gets each of S1's packets exactly once."""
    m = mcast.join(topo["h1"], ASM_G, version=2, port=5100)
    topo.members = {ASM_G: m}
    learner = _one_learner(topo, igmp_learners, ASM_G)
    topo.learner = {ASM_G: learner}
    ROUTES[(ASM_G, None)] = (learner, 0x02)
    _record(topo, ASM_G, "learner %s" % learner)
    _wait_synced(topo, learner, ASM_G, flags="v2 include")
    # the synced join is not an IGMP group of the other PE
    assert igmp_learners(topo, ASM_G) == [learner]
    # pimd's own AutoRP joins on bond1.1 are not synced
    for pe in PES:
        for grp in ("224.0.1.39", "224.0.1.40"):
            assert not bgp_groups(topo, pe, grp), bgp_groups(topo, pe, grp)
    df = df_of_bond1_1(topo)[0]
    _receive_each_once(topo, m, ASM_G, 5100, df)
    # the non-DF holds bond1.1 muted: in the PIM state, not in the kernel
    assert _oifs(topo, df, ASM_G), topo.kernel_mroutes(df)
    assert not _oifs(topo, _other(df), ASM_G), topo.kernel_mroutes(_other(df))
    topo.lab.log("IGMPv2 %s: learner %s, DF %s" % (ASM_G, learner, df))


def test_df_link_failure(topo):
    """The DF's member link goes down: its RT-4 is withdrawn, the other PE
    becomes DF and, holding the synced state already, forwards; H1 misses
    only the packets of the switch-over (the gap is printed)."""
    df = df_of_bond1_1(topo)[0]
    other = _other(df)
    m = mcast.join(topo["h1"], ASM_G, port=5104)
    count, rate = 800, 100
    sender = threading.Thread(target=mcast.send, args=(topo["s1"], ASM_G),
                              kwargs={"count": count, "rate": rate, "port": 5104})
    try:
        sender.start()
        time.sleep(2)
        t0 = time.time()
        topo[df].cmd("ip link set eth-sw down")
        err = wait_for(lambda: None if df_of_bond1_1(topo) == [other]
                       else "DF %s" % df_of_bond1_1(topo), timeout=20, desc="DF takeover")
        took = time.time() - t0
        sender.join()
        st = mcast.stats(mcast.wait_counts(m, count, timeout=15), count)
    finally:
        sender.join()
        m.leave()
        topo[df].cmd("ip link set eth-sw up")
    assert err is None, err
    gap_ms = st["longest_gap"] * 1000 // rate
    _record(topo, ASM_G, "DF %s link down: DF moved in %.1fs; received %d/%d, longest gap %d "
            "packets (%d ms), duplicates %s" % (df, took, st["received"], count,
                                                st["longest_gap"], gap_ms, st["dups"]))
    print("DF link failure: %d/%d received, gap %d ms" % (st["received"], count, gap_ms))
    assert not st["dups"], st["dups"]
    # everything after the switch-over arrives
    assert all(i not in st["missing"] for i in range(count - 300, count)), st["missing"]
    assert _oifs(topo, other, ASM_G), topo.kernel_mroutes(other)
    # the link comes back: LAG whole again, PE2 DF again
    err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=60,
                   desc="LAG back")
    assert err is None, err
    err = wait_for(lambda: None if df_of_bond1_1(topo) == ["pe2"]
                   else "DF %s" % df_of_bond1_1(topo), timeout=30, desc="DF back")
    assert err is None, err


def _log_count(topo, pe, daemon, pattern):
    with open(os.path.join(topo[pe].logdir, "%s.log" % daemon)) as f:
        return len(re.findall(pattern, f.read()))


def _leave_and_prune(topo, member, group, learner):
    """member leaves; returns the PEs that logged its IGMPv2 Leave once both
    PEs have pruned (no RT-7, no pimd state, no OIF)."""
    leave = r"Recv IGMPv2 LEAVE from %s on bond1.1 for %s" % (re.escape("192.0.2.2"),
                                                              re.escape(group))
    before = {pe: _log_count(topo, pe, "pimd", leave) for pe in PES}
    t0 = time.time()
    member.leave()
    _wait_pruned(topo, group, timeout=30)
    took = time.time() - t0
    leave_pe = [pe for pe in PES if _log_count(topo, pe, "pimd", leave) > before[pe]]
    _record(topo, group, "leave received by %s (learner %s); both pruned in %.1fs"
            % (leave_pe, learner, took))
    assert leave_pe, "no PE logged the Leave"
    for pe in PES:
        assert not _oifs(topo, pe, group), topo.kernel_mroutes(pe)
    assert not igmp_learners(topo, group)
    return leave_pe


def test_igmpv2_leave_synced(topo):
    """H1 leaves 239.1.1.1, then joins and leaves 239.1.1.3: both PEs
    prune within seconds, not after the 260 s membership timeout.

    SW1's layer-2 hash (last octets of source and destination MAC) sends
    the report for 239.1.1.3 (to 01:00:5e:01:01:03) and the Leave (to
    224.0.0.2, 01:00:5e:00:00:02) over different members: the Leave reaches
    the PE that never saw the report. That PE advertises an RT-8 for the
    synced membership, and the learner runs its last member queries as if
    the Leave had arrived there (RFC 9251 section 9.3)."""
    _leave_and_prune(topo, topo.members[ASM_G], ASM_G, topo.learner[ASM_G])

    group = "239.1.1.3"
    m = mcast.join(topo["h1"], group, version=2, port=5105)
    learner = _one_learner(topo, igmp_learners, group)
    _wait_synced(topo, learner, group, flags="v2 include")
    ROUTES[(group, None)] = (learner, 0x02)
    before = _log_count(topo, learner, "bgpd", r"send GM_SYNC_LEAVE \S*%s" % re.escape(group))
    leave_pe = _leave_and_prune(topo, m, group, learner)
    assert leave_pe == [_other(learner)], (leave_pe, learner)
    # the other PE's RT-8 made the learner start its last member queries
    assert _log_count(topo, learner, "bgpd", r"send GM_SYNC_LEAVE \S*%s" %
                      re.escape(group)) > before


def test_igmpv3_ssm_join_synced(topo):
    """H1 joins (S1,232.1.1.1) with IGMPv3: synced with the IGMPv3 include
    flags, H1 gets each packet once, both PEs prune after the leave."""
    m = mcast.join(topo["h1"], SSM_G, source=S1_IP4, version=3, port=5101)
    try:
        learner = _one_learner(topo, igmp_learners, SSM_G, S1_IP4)
        ROUTES[(SSM_G, S1_IP4)] = (learner, 0x04)
        _record(topo, SSM_G, "learner %s" % learner)
        _wait_synced(topo, learner, SSM_G, S1_IP4, flags="v3 include")
        _receive_each_once(topo, m, SSM_G, 5101, df_of_bond1_1(topo)[0])
    finally:
        m.leave()
    _wait_pruned(topo, SSM_G, S1_IP4)


def test_mldv2_join_synced(topo):
    """H1 joins (S1,ff3e::1:1) with MLDv2: one PE's pim6d learns it, the
    other's gets it by RT-7 (MLDv2 flags) and joins it; only the DF
    forwards, and H1 gets each of S1's IPv6 packets exactly once."""
    m = mcast.join(topo["h1"], MLD_G, source=S1_IP6, port=5102)
    try:
        learner = _one_learner(topo, mld_learners, MLD_G, S1_IP6)
        ROUTES[(MLD_G, S1_IP6)] = (learner, 0x02)
        _record(topo, MLD_G, "learner %s" % learner)
        _wait_synced(topo, learner, MLD_G, S1_IP6, flags="v2 include", v6=True)
        df = df_of_bond1_1(topo, True)[0]
        _receive_each_once(topo, m, MLD_G, 5102, df, v6=True)
        assert _oifs(topo, df, MLD_G, v6=True), topo.kernel_mroutes(df, True)
        assert not _oifs(topo, _other(df), MLD_G, v6=True), topo.kernel_mroutes(_other(df), True)
    finally:
        m.leave()
    _wait_pruned(topo, MLD_G, S1_IP6, v6=True)


# bond1.1 of a PE, deleted and created again or taken out of CUST1 and
# enslaved again (the kernel drops its addresses and multicast state either
# way); the restore commands rebuild it as lib/reftopo.py built it
SUB_EVENTS = {
    "deleted_and_created_again": (
        ["ip link del bond1.1"],
        ["ip link add link bond1 name bond1.1 type vlan id 1",
         "ip link set bond1.1 master CUST1",
         "ip addr add 192.0.2.1/24 dev bond1.1",
         "ip addr add 2001:db8:c1::1/64 dev bond1.1",
         "ip link set bond1.1 up"]),
    "vrf_re_enslave": (
        ["ip link set bond1.1 nomaster"],
        ["ip link set bond1.1 master CUST1",
         "ip addr replace 192.0.2.1/24 dev bond1.1",
         "ip addr replace 2001:db8:c1::1/64 dev bond1.1",
         "ip link set bond1.1 up"]),
}
# (event, IPv6) -> (group, UDP port) of that test
SUB_GROUPS = {
    ("deleted_and_created_again", False): ("239.1.2.1", 5120),
    ("deleted_and_created_again", True): ("ff3e::1:21", 5121),
    ("vrf_re_enslave", False): ("239.1.2.2", 5122),
    ("vrf_re_enslave", True): ("ff3e::1:22", 5123),
}


@pytest.mark.parametrize("v6", [False, True], ids=["igmpv2", "mldv2"])
@pytest.mark.parametrize("event", sorted(SUB_EVENTS))
def test_sub_interface_event_keeps_sync(topo, event, v6):
    """H1 joins a group; on the PE that has the membership by sync only,
    bond1.1 is deleted and created again (or leaves VRF CUST1 and is
    enslaved again). While it is gone that PE's pimd/pim6d holds no
    membership on it; once bond1.1 is back, bgpd's synced membership is
    joined again on the new interface (its DF role and mute as before: an
    OIF in the kernel at the DF only) and H1 gets each of S1's packets
    exactly once, whichever PE forwards."""
    group, port = SUB_GROUPS[(event, v6)]
    source = S1_IP6 if v6 else None
    learners = mld_learners if v6 else igmp_learners
    m = mcast.join(topo["h1"], group, source=source, version=None if v6 else 2, port=port)
    restored = False
    try:
        learner = _one_learner(topo, learners, group, source)
        other = _other(learner)
        _wait_synced(topo, learner, group, source, flags="v2 include", v6=v6)
        df = df_of_bond1_1(topo, v6)
        down, restore = SUB_EVENTS[event]
        try:
            topo[other].script(down)

            def gone():
                mm = pim_membership(topo, other, group, source, v6)
                return None if not mm or mm["state"] != "joined" else "%s still joined: %s" % (other, mm)

            err = wait_for(gone, timeout=20, desc="%s: no joined membership on bond1.1" % other)
            assert err is None, err
            topo[other].script(restore)
            restored = True
        finally:
            if not restored:
                topo[other].script(restore, check=False)
        _record(topo, group, "%s on %s (learner %s, DF %s)" % (event, other, learner, df))
        _wait_synced(topo, learner, group, source, flags="v2 include", v6=v6)
        err = wait_for(lambda: None if df_of_bond1_1(topo, v6) == df
                       else "DF %s" % df_of_bond1_1(topo, v6), timeout=30, desc="DF again")
        assert err is None, err
        _receive_each_once(topo, m, group, port, df[0], v6=v6)
        assert _oifs(topo, df[0], group, v6=v6), topo.kernel_mroutes(df[0], v6)
        assert not _oifs(topo, _other(df[0]), group, v6=v6), topo.kernel_mroutes(_other(df[0]), v6)
    finally:
        m.leave()
    _wait_pruned(topo, group, source, v6=v6, timeout=60)


def test_pimd_restart(topo):
    """pimd restarts on either PE while H1 is a member: the PE that has the
    membership synced gets it back from bgpd (replay through zebra); the
    learner learns it again from its startup queries' reports, and bgpd
    keeps its RT-7 meanwhile (stale, withdrawn if not named again)."""
    group = "239.1.1.7"
    m = mcast.join(topo["h1"], group, version=2, port=5106)
    try:
        learner = _one_learner(topo, igmp_learners, group)
        other = _other(learner)
        _wait_synced(topo, learner, group, flags="v2 include")
        for pe in (other, learner):
            topo[pe].stop_daemon("pimd")
            topo[pe].start_daemon("pimd")

            def back():
                js = {p: bgp_groups(topo, p, group) for p in PES}
                origins = sorted(g["origin"] for p in PES for g in js[p])
                if "stale" in [g["state"] for p in PES for g in js[p]]:
                    return "stale: %s" % js
                if origins != ["local", "synced"]:
                    return "bgp: %s" % js
                syncer = [p for p in PES if js[p][0]["origin"] == "synced"][0]
                st = (pim_membership(topo, syncer, group) or {}).get("state")
                return None if st == "joined" else "%s pimd: %s" % (syncer, st)

            err = wait_for(back, timeout=60, desc="sync after a pimd restart on %s" % pe)
            assert err is None, err
            _record(topo, group, "pimd restarted on %s: back in sync" % pe)
    finally:
        m.leave()
    _wait_pruned(topo, group, timeout=300)


def test_bgpd_restart(topo):
    """bgpd restarts on the learner while S1 sends: the learner forwards on
    its own while its routes are gone (no DF info: bond1.1 unmuted), the
    sync comes back with bgpd; H1 keeps receiving: the packets after the
    restart arrive exactly once (loss and duplicates of the switch-overs
    are recorded)."""
    group = "239.1.1.9"
    m = mcast.join(topo["h1"], group, version=2, port=5107)
    count, rate = 1500, 100
    try:
        learner = _one_learner(topo, igmp_learners, group)
        _wait_synced(topo, learner, group, flags="v2 include")
        mcast.send(topo["s1"], group, count=5, rate=10, port=5107, tag="warmup")
        sender = threading.Thread(target=mcast.send, args=(topo["s1"], group),
                                  kwargs={"count": count, "rate": rate, "port": 5107})
        sender.start()
        time.sleep(2)
        topo[learner].stop_daemon("bgpd")
        time.sleep(1)
        topo[learner].start_daemon("bgpd")
        err = wait_for(lambda: None if df_of_bond1_1(topo) == ["pe2"] else "DF %s"
                       % df_of_bond1_1(topo), timeout=60, desc="DF after the restart")
        assert err is None, err
        _wait_synced(topo, learner, group, flags="v2 include")
        synced_at = time.time()
        sender.join()
        st = mcast.stats(mcast.wait_counts(m, count, timeout=20), count)
    finally:
        m.leave()
    _record(topo, group, "bgpd restart on %s: received %d/%d, longest gap %d packets, "
            "%d duplicated" % (learner, st["received"], count, st["longest_gap"], len(st["dups"])))
    print("bgpd restart: %d/%d received, gap %d, %d duplicates"
          % (st["received"], count, st["longest_gap"], len(st["dups"])))
    # back in sync well before the end: the last 3 s arrive, each once
    assert synced_at < time.time() - 3, "sync came back too late to judge"
    tail = range(count - 300, count)
    assert all(i not in st["missing"] for i in tail), st["missing"][-50:]
    assert not [i for i in tail if i in st["dups"]], st["dups"]
    _wait_pruned(topo, group, timeout=300)


# --- retention (draft section 4) ---------------------------------------------

def _retention(topo, pe, secs):
    topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n" +
                    ("l3-multihoming retention-time %d" % secs if secs
                     else "no l3-multihoming retention-time"))
    # zebra passes it on to pimd and pim6d
    for v6 in (False, True):
        def check():
            ifs = [i for i in evpn_sync(topo, pe, v6).get("interfaces", [])
                   if i["interface"] == "bond1.1"]
            return None if ifs and ifs[0]["retentionTime"] == secs else "bond1.1: %s" % ifs

        err = wait_for(check, timeout=20,
                       desc="%s: retention time %d in %s" % (pe, secs, "pim6d" if v6 else "pimd"))
        assert err is None, err


def _pim_by_origin(topo, pe, group, source, v6):
    "pimd's (pim6d's) memberships of group on bond1.1: origin -> entry."
    any_src = "::" if v6 else "0.0.0.0"
    return {m["origin"]: m for m in evpn_sync(topo, pe, v6)["memberships"]
            if m["interface"] == "bond1.1" and m["group"] == group
            and m["source"] == (source or any_src)}


def _capture_queries(topo, pe, v6):
    "tcpdump of the IGMP or MLD packets on pe's ES member link."
    f = os.path.join(topo.lab.workdir, pe, "%s-gm-queries-%s.pcap" % (pe, "mld" if v6 else "igmp"))
    # MLD has a hop-by-hop header: tcpdump's "icmp6" would not match it
    p = topo[pe].popen(["tcpdump", "-q", "-U", "-i", "eth-sw", "-w", f,
                        "ip6" if v6 else "igmp"])
    wait_for(lambda: None if os.path.exists(f) else "no pcap", timeout=10)
    return f, p


def _specific_queries(f, p, group, v6):
    "The group-specific queries for group in the capture, per tshark."
    time.sleep(1)
    os.killpg(p.pid, 2)
    p.wait(timeout=10)
    if v6:
        return tshark.fields(f, "icmpv6.type == 130 && icmpv6.mld.multicast_address == %s" % group,
                             ["ipv6.dst", "icmpv6.mld.multicast_address"])
    return tshark.fields(f, "igmp.type == 0x11 && igmp.maddr == %s" % group,
                         ["ip.dst", "igmp.maddr"])


class _Retained:
    """H1 a member of group (its learner one PE, the other PE with it by
    sync) and a retention time on the other PE; on exit the links are up,
    the retention time is off, the LAG is whole and H1 has left (once the
    LAG is whole, so that its leave reaches a PE with the membership)."""

    def __init__(self, topo, v6, group, port, retention):
        self.topo, self.v6, self.retention = topo, v6, retention
        self.group, self.source = group, S1_IP6 if v6 else None
        self.learners = mld_learners if v6 else igmp_learners
        self.m = mcast.join(topo["h1"], group, source=self.source,
                            version=None if v6 else 2, port=port)
        self.learner = None

    def __enter__(self):
        try:
            self.learner = _one_learner(self.topo, self.learners, self.group, self.source)
            self.other = _other(self.learner)
            _wait_synced(self.topo, self.learner, self.group, self.source, flags="v2 include",
                         v6=self.v6)
            _retention(self.topo, self.other, self.retention)
        except BaseException:
            self.__exit__()
            raise
        return self

    def memberships(self):
        return _pim_by_origin(self.topo, self.other, self.group, self.source, self.v6)

    def __exit__(self, exc_type=None, *exc):
        topo = self.topo
        topo["h1"].cmd("ip link set eth0 up")
        if self.learner:
            topo[self.learner].cmd("ip link set eth-sw up")
        try:
            if self.learner:
                _retention(topo, self.other, 0)
            err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=60,
                           desc="SW1's LAG whole again")
        finally:
            self.m.leave()
        if exc_type is None:  # the test's own failure comes first
            assert err is None, err
            _wait_pruned(topo, self.group, self.source, v6=self.v6, timeout=60)


@pytest.mark.parametrize("v6", [False, True], ids=["igmpv2", "mldv2"])
def test_retention_host_alive(topo, v6):
    """Draft section 4: the learner loses its ES link, so its RT-7 is
    withdrawn; with a retention time the other PE keeps the synced
    membership joined all along, sends group-specific queries on bond1.1
    (seen by tshark), H1 answers over the LAG's remaining link, and the
    membership is the other PE's own: learned by its IGMP/MLD, advertised
    in its own RT-7, and still there when the time is up."""
    retention = 20
    with _Retained(topo, v6, "ff3e::1:31" if v6 else "239.1.3.1", 5130, retention) as r:
        group, source, learner, other = r.group, r.source, r.learner, r.other
        f, p = _capture_queries(topo, other, v6)
        topo[learner].cmd("ip link set eth-sw down")
        seen, t0, kept = set(), time.time(), None
        gaps = []
        # never without the membership, until after the time is up
        while time.time() < t0 + retention + 10:
            ms = r.memberships()
            syn = ms.get("synced")
            if syn:
                seen.add(syn["state"])
                if syn["state"] == "retained":
                    assert 0 <= syn["retainedSecs"] <= retention, syn
                    assert syn["retentionQueries"] >= 1, syn
            if not ms:
                gaps.append(round(time.time() - t0, 1))
            if not syn and "local" in ms:
                kept = time.time() - t0
                break
            time.sleep(0.5)
        queries = _specific_queries(f, p, group, v6)
        _record(topo, group, "retention %ds on %s, learner %s down: states %s, %d queries, "
                "gaps %s, synced copy gone after %ss" % (retention, other, learner, sorted(seen),
                                                          len(queries), gaps, kept))
        assert "retained" in seen, seen
        assert not gaps, gaps
        # the retained copy stayed for the retention time, then went
        assert kept is not None and kept > retention - 3, kept
        assert queries and all(q["ip.dst" if not v6 else "ipv6.dst"] == [group]
                               for q in queries), queries
        # the host's answer made it the other PE's own: in its IGMP/MLD,
        # in pimd's sync (local, advertised) and in bgpd (its own RT-7)
        assert other in r.learners(topo, group, source)
        mine = bgp_groups(topo, other, group, source)
        assert [(g["origin"], g["state"]) for g in mine] == [("local", "advertised")], mine
        assert list(r.memberships()) == ["local"]


@pytest.mark.parametrize("v6", [False, True], ids=["igmpv2", "mldv2"])
def test_retention_host_gone(topo, v6):
    """A retained membership that no host answers (H1's link is down: its
    reports never come) stays joined until the retention time is up, then
    goes, with a log line."""
    retention = 12
    with _Retained(topo, v6, "ff3e::1:32" if v6 else "239.1.3.2", 5131, retention) as r:
        group, source, learner, other = r.group, r.source, r.learner, r.other
        gone = r"retention of synced \S*%s\S* on bond1.1 over: no host answered" % re.escape(group)
        daemon = "pim6d" if v6 else "pimd"
        before = _log_count(topo, other, daemon, gone)
        topo["h1"].cmd("ip link set eth0 down")
        topo[learner].cmd("ip link set eth-sw down")
        err = wait_for(lambda: None if r.memberships().get("synced", {}).get("state") == "retained"
                       else "not retained", timeout=20, desc="retained")
        assert err is None, err
        t0 = time.time()
        mm = r.memberships()
        assert list(mm) == ["synced"] and mm["synced"]["joined"], mm
        err = wait_for(lambda: None if not r.memberships() else "still there",
                       timeout=retention + 10, desc="time up")
        assert err is None, err
        took = time.time() - t0
        _record(topo, group, "retention %ds on %s, nobody answers: removed after %.1fs"
                % (retention, other, took))
        assert took > retention - 4, took
        assert not r.learners(topo, group, source)
        assert not bgp_groups(topo, other, group, source)
        assert _log_count(topo, other, daemon, gone) == before + 1


def _mld_stats(topo, pe):
    js = topo.show(pe, "show ipv6 mld statistics")
    return js.get("CUST1", js).get("bond1.1", {}) if isinstance(js, dict) else {}


def test_mld_query_for_unknown_source(topo):
    """Patch 0030: FRR 10.3's pim6d dies on a multicast-address-and-source-
    specific query naming a source it has no state for, from any node on
    the link (and from itself: the retention's queries above). H1 sends
    such queries, for groups whose MACs SW1's LAG hash spreads over both
    members, from a link-local address above the PEs' own (so neither PE
    gives up being the querier): both PEs count them and pim6d lives on."""
    h1 = topo["h1"]
    ll = "fe80::ffff:ffff:ffff:fffe"
    h1.cmd("ip -6 addr add %s/64 dev eth0 nodad" % ll)
    pids = {pe: topo[pe].pid("pim6d") for pe in PES}
    before = {pe: _mld_stats(topo, pe).get("rxV2QueryGroupSource", 0) for pe in PES}
    try:
        for i in range(16):
            mcast.mld_query(h1, "ff3e::1:9%x" % i, ["2001:db8:99::%x" % (i + 1)], src=ll)
        time.sleep(1)
    finally:
        h1.cmd("ip -6 addr del %s/64 dev eth0" % ll)
    after = {pe: _mld_stats(topo, pe).get("rxV2QueryGroupSource", 0) for pe in PES}
    _record(topo, "mld-query", "S,G queries from H1 counted: %s -> %s" % (before, after))
    for pe in PES:
        assert topo[pe].pid("pim6d") == pids[pe] and os.path.exists("/proc/%d" % pids[pe]), pe
        assert after[pe] > before[pe], (pe, before, after)
        assert "bond1.1" in json.dumps(evpn_sync(topo, pe, True)["interfaces"])


def test_running_config_round_trip(topo):
    """The knob shows up in show running-config, and applying that output
    again changes nothing."""
    pe = topo["pe1"]
    cfg = pe.vtysh("show running-config")
    assert re.search(r"  l3-multihoming arp-nd-sync\n(  l3-multihoming route-target \S+\n)?"
                     r"  l3-multihoming igmp-mld-sync\n", cfg), cfg
    path = os.path.join(topo.lab.workdir, "pe1-running.conf")
    with open(path, "w") as f:
        f.write("\n".join(config_lines(cfg)))
    pe.cmd("%s -N pe1 -f %s" % (os.path.join(os.environ.get("FRR_PREFIX", "/usr"), "bin",
                                              "vtysh"), path))
    assert pe.vtysh("show running-config") == cfg


def _rt7(rd_index, esi, etag, grp, flags, orig="10.9.0.3"):
    """An RT-7 NLRI (RFC 9251 9.2) for (*,grp): RD 10.9.0.3:rd_index."""
    body = (bytes.fromhex("00010a090003") + rd_index.to_bytes(2, "big") +
            bytes.fromhex(esi.replace(":", "")) + etag.to_bytes(4, "big") +
            b"\x00" + b"\x20" + bytes(int(o) for o in grp.split(".")) +
            b"\x20" + bytes(int(o) for o in orig.split(".")) + bytes([flags]))
    return bytes([7, len(body)]) + body


def test_injected_rt7_import_and_treat_as_withdraw(topo):
    """RT-7s from a speaker that is no PE of the lab: a valid one (ESI-1, the
    ES-Import RT, the EVI-RT of the sync's route target) is joined by PE2's
    pimd; one with ESI 0, MAX-ESI, a foreign ES-Import RT or an EVI-RT of no
    local VRF is treated as withdrawn (not in PE2's table, nothing joined,
    one log line each) and the session stays up."""
    pe2 = topo["pe2"]
    err = wait_for(lambda: None if pe2.vtysh_json("show bgp neighbor 10.9.0.3 json").get(
        "10.9.0.3", {}).get("bgpState") == "Established" else "not established",
        timeout=30, desc="PE2-injector session")
    assert err is None, err
    es_import = "06020200000000e1"
    evi_rt = "060afde800000001"  # CUST1's 65000:1
    cases = [  # (group, ESI, ECs, reason)
        ("239.9.9.1", "00:" * 9 + "00", [es_import, evi_rt], "0 or MAX-ESI"),
        ("239.9.9.2", "ff:" * 9 + "ff", [es_import, evi_rt], "0 or MAX-ESI"),
        ("239.9.9.3", ESI1, ["06020200000000" "99", evi_rt], "non-local ES"),
        ("239.9.9.4", ESI1, [es_import, "060afde800000009"], "EVI-RT"),
    ]
    before = _log_count(topo, "pe2", "bgpd", r"treat-as-withdraw RT-7")

    def announce(k, grp, esi, ecs):
        topo.inject(bgpinject.base_attributes() + bgpinject.ext_communities(ecs) +
                    bgpinject.mp_reach_evpn("10.9.0.3", [_rt7(k, esi, 1, grp, 0x02)]))

    announce(1, "239.9.9.9", ESI1, [es_import, evi_rt])
    for k, (grp, esi, ecs, _) in enumerate(cases):
        announce(10 + k, grp, esi, ecs)
    err = wait_for(lambda: None if (pim_membership(topo, "pe2", "239.9.9.9") or {}).get(
        "state") == "joined" else "not joined: %s" % pim_membership(topo, "pe2", "239.9.9.9"),
        timeout=20, desc="valid injected RT-7 joined")
    assert err is None, err
    err = wait_for(lambda: None if _log_count(topo, "pe2", "bgpd", r"treat-as-withdraw RT-7")
                   - before >= len(cases) else "log lines missing", timeout=20,
                   desc="treat-as-withdraw log lines")
    assert err is None, err
    with open(os.path.join(pe2.logdir, "bgpd.log")) as f:
        log = f.read()
    table = pe2.vtysh("show bgp l2vpn evpn route type join-sync")
    for grp, esi, ecs, reason in cases:
        assert re.search(r"treat-as-withdraw RT-7 \S*%s.*from 10\.9\.0\.3: .*%s"
                         % (re.escape(grp), re.escape(reason)), log), (grp, reason)
        assert grp not in table, table
        assert pim_membership(topo, "pe2", grp) is None
    n = pe2.vtysh_json("show bgp neighbor 10.9.0.3 json")["10.9.0.3"]
    assert n["bgpState"] == "Established" and n.get("connectionsDropped", 0) == 0, n
    # withdrawn by the speaker: PE2 leaves it
    topo.inject(bgpinject.mp_unreach_evpn([_rt7(1, ESI1, 1, "239.9.9.9", 0x02)]))
    err = wait_for(lambda: None if pim_membership(topo, "pe2", "239.9.9.9") is None
                   else "still there", timeout=20, desc="injected RT-7 withdrawn")
    assert err is None, err


def _pcap(topo, router):
    return os.path.join(topo.lab.workdir, router, "%s-bgp.pcap" % router)


TSHARK_ECS = {}  # raw NLRI hex -> tshark's decode of the route's ECs


def _join_sync_sent(pcap, src):
    """raw NLRI hex -> (tshark fields, sorted EC hex values) of every RT-7/8
    in the MP_REACH of the UPDATEs src sent."""
    out = {}
    for msg in tshark.bgp_updates(pcap, "bgp.type == 2 && ip.src == %s" % src):
        ecs, nlris, tsh = [], [], []
        for code, raw, dec in msg:
            if code == 16:  # EXTENDED COMMUNITIES
                ecs = sorted(raw[6:][i:i + 16] for i in range(0, len(raw) - 6, 16))
                tsh = tshark._as_list(dec["bgp.ext_communities"]["bgp.ext_community"])
            elif code == 14:  # MP_REACH_NLRI
                nlris = tshark.evpn_nlris(dec)
        for fields, raw in nlris:
            if fields.get("bgp.evpn.nlri.rt") in ("7", "8"):
                out[raw] = (fields, ecs)
                TSHARK_ECS[raw] = tsh
    return out


def test_rt7_rt8_on_the_wire(topo):
    """tshark decodes every RT-7/RT-8 a learner sent with the intended
    fields (ESI, Ethernet Tag 1, source, group, originator, flags; the
    ES-Import RT and one EVI-RT, or the VRF's RT), and the route reflector
    P passes them on unchanged (its capture of the learner's UPDATEs
    against the other PE's capture of P's)."""
    assert ROUTES, "no join was made"
    lo = {"pe1": "10.0.0.1", "pe2": "10.0.0.2"}
    want_rt = "0002fde800000001"  # CUST1's 65000:1
    for (grp, src), (learner, flags) in ROUTES.items():
        sent = _join_sync_sent(_pcap(topo, "p"), lo[learner])
        refl = _join_sync_sent(_pcap(topo, _other(learner)), "10.0.0.10")
        mine = [(raw, f, ecs) for raw, (f, ecs) in sent.items()
                if f.get("bgp.evpn.nlri.rt") == "7" and grp in json.dumps(f)]
        assert mine, "no RT-7 for %s from %s in P's capture" % (grp, learner)
        for raw, f, ecs in mine:
            fam = "ipv6" if ":" in grp else "ipv4"
            assert f["bgp.evpn.nlri.esi"] == ESI1, f
            assert f["bgp.evpn.nlri.etag"] == "1", f
            assert f["bgp.mcast_vpn_nlri_group_addr_" + fam] == grp, f
            if src:
                assert f["bgp.mcast_vpn_nlri_source_addr_" + fam] == src, f
            else:
                assert f["bgp.mcast_vpn_nlri_source_length"] == "0", f
            assert f["bgp.evpn.nlri.or_addr_ipv4"] == lo[learner], f
            assert int(f["bgp.evpn.nlri.igmp_mc_flags"], 16) == flags, f
            # ES-Import RT of ESI-1 (system MAC 02:00:00:00:00:e1), EVI-RT type 0
            evi_rt = "060a" + want_rt[4:]
            assert "06020200000000e1" in ecs, ecs
            assert evi_rt in ecs, (evi_rt, ecs)
            # and as tshark decodes them: the ES-Import RT by name, the
            # EVI-RT (type 0x06 sub-type 0x0a, unknown to tshark 4.0) raw
            tsh = [(e.get("bgp.ext_com.type"), e.get("bgp.ext_com.stype_tr_evpn"),
                    e.get("bgp.ext_com_evpn.esi.rt") or e.get("bgp.ext_com.value_raw"))
                   for e in TSHARK_ECS[raw]]
            assert ("0x06", "0x02", "02:00:00:00:00:e1") in tsh, tsh
            assert [t for t in tsh if t[:2] == ("0x06", "0x0a") and
                    int(t[2], 16) == int(evi_rt[4:], 16)], (tsh, evi_rt)
            # reflected unchanged
            assert raw in refl, "RT-7 %s not reflected to %s" % (raw, _other(learner))
            assert refl[raw][1] == ecs, (refl[raw][1], ecs)
    # the IGMPv2 leaves: RT-8s (from the learner, and from the PE that got
    # the Leave of a membership it had synced), reflected too
    for grp in (ASM_G, "239.1.1.3"):
        rt8 = {}
        for pe in PES:
            rt8.update({raw: (pe, f) for raw, (f, e) in
                        _join_sync_sent(_pcap(topo, "p"), lo[pe]).items()
                        if f.get("bgp.evpn.nlri.rt") == "8" and grp in json.dumps(f)})
        assert rt8, "no RT-8 for %s" % grp
        for raw, (pe, f) in rt8.items():
            assert f["bgp.evpn.nlri.esi"] == ESI1 and f["bgp.evpn.nlri.etag"] == "1", f
            assert f["bgp.evpn.nlri.or_addr_ipv4"] == lo[pe], f
            # RT-8 (RFC 9251 9.3): ..., Reserved (4), Max Response Time, Flags
            tail = bytes.fromhex(raw)[-6:]
            assert tail[:4] == bytes(4) and tail[4] > 0 and tail[5] == 0x02, raw
            assert raw in _join_sync_sent(_pcap(topo, _other(pe)), "10.0.0.10"), raw
    # the cross-PE leave: an RT-8 from the PE that did not learn 239.1.1.3
    learner = ROUTES[("239.1.1.3", None)][0]
    assert any(f.get("bgp.evpn.nlri.rt") == "8" and "239.1.1.3" in json.dumps(f)
               for f, e in _join_sync_sent(_pcap(topo, "p"), lo[_other(learner)]).values())


def _zebra_es_state(topo, pe):
    for e in topo[pe].vtysh_json("show evpn l3mh es json").get("es", []):
        if e["esi"] == ESI1:
            return e["state"]
    return None


def _port_active(topo, on):
    """ES-1 port-active with PE1 the DF (preference 50000), or all-active
    again; wait for PE2 to be its standby (or for the LAG to be whole)."""
    if on:
        topo["pe1"].config("interface bond1\nevpn mh es-df-pref 50000")
    for pe in PES:
        topo[pe].config("router bgp 65000\naddress-family l2vpn evpn\n%s" % (
            "l3-multihoming es %s redundancy-mode port-active df-algorithm preference" % ESI1
            if on else "no l3-multihoming es %s" % ESI1))
    if not on:
        topo["pe1"].config("interface bond1\nno evpn mh es-df-pref")
        err = wait_for(lambda: lag_whole(topo["sw1"], "bond0", ES["bond1"][0]), timeout=60,
                       desc="LAG whole")
    else:
        err = wait_for(lambda: None if (_zebra_es_state(topo, "pe1"), _zebra_es_state(
            topo, "pe2")) == ("df", "standby") else "zebra %s %s" % (
                _zebra_es_state(topo, "pe1"), _zebra_es_state(topo, "pe2")),
            timeout=60, desc="PE2 standby")
    assert err is None, err


def test_port_active_df_forwards_multicast(topo):
    """ES-1 port-active, PE1 its DF and PE2 its standby (links held down):
    PE1 alone is the multicast DF of VLAN 1 (not PE2, whose turn by
    <ES, VLAN> carving it would be), H1's join is learnt by PE1 and synced
    to PE2, and H1 gets S1's packets once each. PE1's link fails: PE1
    withdraws its RT-7, PE2 retains the membership (draft section 4, a
    retention time of 30 s), takes over as DF of the ES and of VLAN 1 and
    forwards; everything after the switch-over arrives, none twice. Then
    all-active again, PE2 the multicast DF of VLAN 1 as before."""
    group, port = "239.1.4.4", 5140
    _port_active(topo, True)
    m = None
    try:
        for pe in PES:
            _retention(topo, pe, 30)
        err = wait_for(lambda: None if df_of_bond1_1(topo) == ["pe1"]
                       else "DF %s" % df_of_bond1_1(topo), timeout=30, desc="DF PE1")
        assert err is None, err
        m = mcast.join(topo["h1"], group, version=2, port=port)
        learner = _one_learner(topo, igmp_learners, group)
        assert learner == "pe1", learner
        _wait_synced(topo, learner, group, flags="v2 include", joined=False)
        _receive_each_once(topo, m, group, port, "pe1")
        count, rate = 800, 100
        m2 = mcast.join(topo["h1"], group, port=port + 1)
        sender = threading.Thread(target=mcast.send, args=(topo["s1"], group),
                                  kwargs={"count": count, "rate": rate, "port": port + 1})
        try:
            sender.start()
            time.sleep(2)
            topo["pe1"].cmd("ip link set eth-sw down")
            err = wait_for(lambda: None if df_of_bond1_1(topo) == ["pe2"] and
                           _zebra_es_state(topo, "pe2") in ("df", "activating")
                           else "DF %s, PE2 %s" % (df_of_bond1_1(topo),
                                                   _zebra_es_state(topo, "pe2")),
                           timeout=30, desc="PE2 takes over")
            sender.join()
            st = mcast.stats(mcast.wait_counts(m2, count, timeout=15), count)
        finally:
            sender.join()
            m2.leave()
            topo["pe1"].cmd("ip link set eth-sw up")
        assert err is None, err
        gap_ms = st["longest_gap"] * 1000 // rate
        _record(topo, group, "port-active DF PE1 link down: received %d/%d, longest gap %d ms, "
                "duplicates %s, missing %s" % (st["received"], count, gap_ms, st["dups"],
                                               st["missing"]))
        print("port-active DF link failure: %d/%d received, gap %d ms" % (
            st["received"], count, gap_ms))
        assert not st["dups"], st["dups"]
        # PE2 forwards once its link is in SW1's LAG: the last 3 s arrive,
        # but for the scattered losses of a loaded lab (at most 5%)
        late = [i for i in st["missing"] if i >= count - 300]
        assert len(late) <= 15, "lost after the switch-over: %s" % late
        # PE1 back (revertive): PE1 the DF again, PE2 the standby
        err = wait_for(lambda: None if (_zebra_es_state(topo, "pe1"), _zebra_es_state(
            topo, "pe2")) == ("df", "standby") and df_of_bond1_1(topo) == ["pe1"]
            else "zebra %s %s, DF %s" % (_zebra_es_state(topo, "pe1"),
                                         _zebra_es_state(topo, "pe2"), df_of_bond1_1(topo)),
            timeout=60, desc="PE1 DF again")
        assert err is None, err
    finally:
        if m:
            m.leave()
        for pe in PES:
            _retention(topo, pe, 0)
        _port_active(topo, False)
    err = wait_for(lambda: None if df_of_bond1_1(topo) == ["pe2"]
                   else "DF %s" % df_of_bond1_1(topo), timeout=30, desc="DF PE2 again")
    assert err is None, err
    _wait_pruned(topo, group, timeout=60)


def test_retention_bgpd_restart(topo):
    """(Last: a bgpd restart on PE2 ends X1's session.) bgpd stops on the
    PE that has H1's membership by sync only: with a
    retention time its pimd keeps the membership joined (retained) while
    bgpd is away, and sends its queries; once bgpd is back, the membership
    is a synced one again or, if H1's answer came to this PE, its own. It
    is never missing meanwhile."""
    group = "239.1.3.3"
    m = mcast.join(topo["h1"], group, version=2, port=5132)
    other = None
    try:
        learner = _one_learner(topo, igmp_learners, group)
        other = _other(learner)
        _wait_synced(topo, learner, group, flags="v2 include")
        _retention(topo, other, 30)
        topo[other].stop_daemon("bgpd")
        err = wait_for(lambda: None if _pim_by_origin(topo, other, group, None, False).get(
            "synced", {}).get("state") == "retained" else "not retained", timeout=20,
            desc="retained")
        assert err is None, err
        assert _pim_by_origin(topo, other, group, None, False)["synced"]["joined"] or \
            "local" in _pim_by_origin(topo, other, group, None, False)
        t0 = time.time()
        topo[other].start_daemon("bgpd")
        gaps, states = [], set()

        def back():
            ms = _pim_by_origin(topo, other, group, None, False)
            if not ms:
                gaps.append(round(time.time() - t0, 1))
            states.update("%s:%s" % (o, x["state"]) for o, x in ms.items())
            mine = [g["origin"] for g in bgp_groups(topo, learner, group)]
            if "local" not in mine:
                return "learner: %s" % mine
            if ms.get("synced", {}).get("state") == "joined" or \
                    set(ms) == {"local"} and "local" in [
                        g["origin"] for g in bgp_groups(topo, other, group)]:
                return None
            return "%s: %s" % (other, ms)

        err = wait_for(back, timeout=60, interval=0.5, desc="synced again")
        _record(topo, group, "bgpd restart on %s with retention: states %s, gaps %s"
                % (other, sorted(states), gaps))
        assert err is None, err
        assert not gaps, gaps
    finally:
        if other:
            _retention(topo, other, 0)
        m.leave()
    _wait_pruned(topo, group, timeout=60)
