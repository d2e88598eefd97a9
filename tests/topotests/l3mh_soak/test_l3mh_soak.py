#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
l3mh_soak: the synced state of an L3 ES through churn, with PE1's and
PE2's daemons (mgmtd, zebra, isisd, bgpd, staticd, pimd, pim6d) built
with AddressSanitizer (lib/soak.py); draft-ietf-bess-evpn-l3mh-proto
sections 3.5 (ARP/ND sync with RT-2) and 3.7 (IGMP/MLD sync with RT-7
and RT-8, RFC 9251), on the reference topology with the multicast extras
(lib/reftopo.py), in VRF CUST1 on bond1.1 (ES-1, VLAN 1).

The churn (LAB_SOAK=full: make soak; the counts in brackets are CI's):
- 1,000 (40) learn/delete cycles of ARP/ND entries: rounds of entries
  added to the kernel of one PE or the other (half IPv4, half IPv6, as
  `ip neigh` learns them), then deleted;
- 1,000 (40) join/leave cycles of IGMPv2 memberships: H1 joins a round
  of groups (SW1's LAG hash spreads the reports over the PEs), then
  leaves them;
- 50 (4) flaps of the PEs' sessions to the route reflector, alternately
  PE1's and PE2's, with a standing set of entries and groups;
- a restart of bgpd on PE1, then on PE2.
After each round and phase the synced set is the learned set, on both
PEs, in bgpd, zebra, pimd and the kernel; FRR's own memory accounting of
zebra, bgpd and pimd has not grown over the flaps; at the end no label or
LSP has leaked (the counts are those before the churn) and no daemon has
left an AddressSanitizer report, leaks included: the daemons are stopped
one by one so that LeakSanitizer runs in each.
"""

import os
import time

import pytest

import mcast
import soak
from lab import wait_for
from reftopo import RefTopo, mroute_tables

CWD = os.path.dirname(os.path.abspath(__file__))
PES = ("pe1", "pe2")
MODULES = {pe: {d: ["evpn_l3mh"] for d in ("zebra", "bgpd", "pimd", "pim6d")} for pe in PES}
RR = "10.0.0.10"
IFNAME, VRF, ETAG = "bond1.1", "CUST1", 1

ND_ROUNDS, ND_PER_ROUND = soak.scale((2, 20), (10, 100))
GM_ROUNDS, GM_PER_ROUND = soak.scale((2, 20), (10, 100))
FLAPS = soak.scale(4, 50)
# the standing set of the flaps and restarts
KEEP_ENTRIES, KEEP_GROUPS = 20, 10


def entry_ip(i):
    """The i-th soak address: even i IPv4, odd i IPv6."""
    return "192.0.2.%d" % (100 + i // 2) if i % 2 == 0 else "2001:db8:c1::5:%x" % (i // 2)


def entry_mac(rnd, i):
    return "02:5a:%02x:00:%02x:%02x" % (rnd & 0xFF, i >> 8, i & 0xFF)


def learner_of(i):
    return PES[(i // 2) % 2]


SOAK_IPS = {entry_ip(i) for i in range(max(ND_PER_ROUND, KEEP_ENTRIES))}


def group(rnd, i):
    return "239.2.%d.%d" % (rnd, 1 + i)


class SoakTopo(RefTopo):
    def build(self):
        super().build()
        # H1 speaks IGMPv2 from the start (mcast.force_igmp_version)
        # and holds many groups
        self.lab["h1"].sysctl("net.ipv4.conf.eth0.force_igmp_version", 2)
        self.lab["h1"].sysctl("net.ipv4.igmp_max_memberships", 1024)


@pytest.fixture(scope="module")
def topo():
    kernel = mroute_tables()
    assert kernel == {"ipv4": "ok", "ipv6": "ok"}, kernel
    t = SoakTopo(CWD, modules=MODULES, mcast=True, asan=PES)
    try:
        t.start()
        t.figures = soak.Figures(t.lab)
        yield t
    finally:
        t.stop()


# --- the state, as a user reads it --------------------------------------------

def kernel_entries(node):
    """{ip: (mac, extern_learn)} of the soak addresses on bond1.1."""
    out = {}
    for n in node.neighbors(IFNAME):
        if n["dst"] in SOAK_IPS and n.get("lladdr"):
            ext = "extern_learn" in n or "extern_learn" in n.get("flags", [])
            out[n["dst"]] = (n["lladdr"], ext)
    return out


def bgp_entries(node):
    """{ip: (mac, origin)} of bgpd's L3 MH neighbours of the soak addresses."""
    js = node.vtysh_json("show bgp l2vpn evpn l3-multihoming neighbors json")
    return {n["ip"]: (n["mac"], n["origin"]) for n in js.get("neighbors", [])
            if n["vrf"] == VRF and n["ethTag"] == ETAG and n["ip"] in SOAK_IPS}


def zebra_synced(node):
    js = node.vtysh_json("show evpn l3mh synced-neighbors json")
    return {n["ip"]: n["state"] for n in js.get("neighbors", [])
            if n["interface"] == IFNAME and n["ip"] in SOAK_IPS}


def entries_converged(topo, learned):
    """None if both PEs hold exactly learned ({ip: (mac, learner)}): the
    learner's own entry, the other's synced one, in the kernel, in bgpd and
    (synced) in zebra."""
    for pe in PES:
        want_k = {ip: (mac, who != pe) for ip, (mac, who) in learned.items()}
        want_b = {ip: (mac, "local" if who == pe else "synced")
                  for ip, (mac, who) in learned.items()}
        want_z = {ip: "installed" for ip, (mac, who) in learned.items() if who != pe}
        for what, got, want in (("kernel", kernel_entries(topo[pe]), want_k),
                                ("bgpd", bgp_entries(topo[pe]), want_b),
                                ("zebra", zebra_synced(topo[pe]), want_z)):
            if got != want:
                diff = sorted(set(got.items()) ^ set(want.items()))
                return "%s %s: %d entries, want %d; differ: %s" % (
                    pe, what, len(got), len(want), diff[:6])
    return None


def learn(topo, learned):
    """Add learned's entries to their learner's kernel, as ARP/ND would."""
    for pe in PES:
        lines = ["neigh replace %s lladdr %s dev %s nud permanent" % (ip, mac, IFNAME)
                 for ip, (mac, who) in learned.items() if who == pe]
        if lines:
            topo[pe].cmd("ip -batch -", stdin="\n".join(lines) + "\n")


def forget(topo, learned):
    for pe in PES:
        lines = ["neigh del %s dev %s" % (ip, IFNAME)
                 for ip, (mac, who) in learned.items() if who == pe]
        if lines:
            topo[pe].cmd("ip -batch -", stdin="\n".join(lines) + "\n")


def groups_state(topo, pe):
    """({group: origin} of bgpd, {group: origin} of pimd) on bond1.1 for
    the soak's groups (239.2/16)."""
    js = topo[pe].vtysh_json("show bgp l2vpn evpn l3-multihoming groups json")
    bgp = {g["group"]: g["origin"] for g in js.get("groups", [])
           if g["group"].startswith("239.2.")}
    js = topo[pe].vtysh_json("show ip igmp evpn-sync vrf %s json" % VRF)
    pim = {m["group"]: m["origin"] for m in js.get("memberships", [])
           if m["interface"] == IFNAME and m["group"].startswith("239.2.")}
    return bgp, pim


def groups_converged(topo, groups):
    """None if each group of groups is one PE's own (local) and synced on
    the other, in bgpd and in pimd, and no other soak group is anywhere."""
    state = {pe: groups_state(topo, pe) for pe in PES}
    for g in groups:
        origins = sorted(state[pe][0].get(g, "-") for pe in PES)
        if origins != ["local", "synced"]:
            return "%s in bgpd: %s" % (g, {pe: state[pe][0].get(g) for pe in PES})
        for pe in PES:
            if state[pe][1].get(g) != state[pe][0][g]:
                return "%s %s: pimd %s, bgpd %s" % (pe, g, state[pe][1].get(g), state[pe][0][g])
    for pe in PES:
        extra = (set(state[pe][0]) | set(state[pe][1])) - set(groups)
        if extra:
            return "%s still has %s" % (pe, sorted(extra)[:6])
    return None


def labels(topo):
    """What the PEs hold of labels: bgpd's label pool, zebra's LSPs, the
    kernel's MPLS routes."""
    out = {}
    for pe in PES:
        pool = topo[pe].vtysh_json("show bgp labelpool summary json")
        out[pe] = {"labelpool": {k: pool.get(k) for k in ("ledger", "inUse", "pending")},
                   "zebra_lsps": len(topo[pe].vtysh_json("show mpls table json")),
                   "kernel_mpls": len(topo[pe].cmd("ip -f mpls route show").splitlines())}
    return out


def converge(topo, what, check, timeout):
    t0 = time.time()
    err = wait_for(check, timeout=timeout, interval=0.5, desc=what)
    assert err is None, err
    return time.time() - t0


# --- the soak ---------------------------------------------------------------

def test_lsan_reports_in_this_kernel(topo):
    "LeakSanitizer reports a leak in the lab kernel: 'no report' means something."
    err = soak.lsan_works(topo["pe1"])
    assert err is None, err


def test_converged_at_start(topo):
    def up():
        for pe in PES:
            js = topo[pe].vtysh_json("show bgp neighbors %s json" % RR)
            if js.get(RR, {}).get("bgpState") != "Established":
                return "%s: session to the RR %s" % (pe, js.get(RR, {}).get("bgpState"))
            es = topo[pe].vtysh_json("show bgp l2vpn evpn es json")
            if not any(e.get("vteps") for e in (es if isinstance(es, list) else [])):
                return "%s: no ES peer yet" % pe
        return None

    converge(topo, "sessions and ES peers", up, 120)
    converge(topo, "no soak state", lambda: entries_converged(topo, {}) or
             groups_converged(topo, []), 30)
    topo.labels0 = labels(topo)
    topo.rss0 = soak.rss(topo.lab, ("zebra", "bgpd", "pimd"))
    topo.figures.add("labels at start: %s" % topo.labels0)


def test_arp_nd_churn(topo):
    """Rounds of ARP/ND entries learned on PE1 or PE2 and deleted again: each
    round synced to the other PE, then gone from both."""
    t0, t_sync, t_gone = time.time(), 0.0, 0.0
    for rnd in range(ND_ROUNDS):
        learned = {entry_ip(i): (entry_mac(rnd, i), learner_of(i)) for i in range(ND_PER_ROUND)}
        learn(topo, learned)
        t_sync += converge(topo, "round %d synced" % rnd,
                           lambda: entries_converged(topo, learned), 120)
        forget(topo, learned)
        t_gone += converge(topo, "round %d gone" % rnd, lambda: entries_converged(topo, {}), 120)
    n = ND_ROUNDS * ND_PER_ROUND
    topo.figures.add("ARP/ND: %d learn/delete cycles (%d rounds of %d) in %.1f s; "
                     "synced %.2f s, gone %.2f s per round" % (
                         n, ND_ROUNDS, ND_PER_ROUND, time.time() - t0,
                         t_sync / ND_ROUNDS, t_gone / ND_ROUNDS))


def test_igmp_churn(topo):
    """Rounds of IGMPv2 joins of H1 (each report to one PE, by SW1's LAG
    hash) and leaves: each round synced with RT-7s, then pruned on both."""
    t0, t_sync, t_gone = time.time(), 0.0, 0.0
    for rnd in range(GM_ROUNDS):
        groups = [group(rnd, i) for i in range(GM_PER_ROUND)]
        m = mcast.hold(topo["h1"], groups, tag="round%d" % rnd)
        t_sync += converge(topo, "round %d joins synced" % rnd,
                           lambda: groups_converged(topo, groups), 120)
        m.leave()
        t_gone += converge(topo, "round %d left" % rnd, lambda: groups_converged(topo, []), 120)
    n = GM_ROUNDS * GM_PER_ROUND
    topo.figures.add("IGMP: %d join/leave cycles (%d rounds of %d) in %.1f s; "
                     "synced %.2f s, pruned %.2f s per round" % (
                         n, GM_ROUNDS, GM_PER_ROUND, time.time() - t0,
                         t_sync / GM_ROUNDS, t_gone / GM_ROUNDS))


@pytest.fixture(scope="module")
def standing(topo):
    """Entries and groups that stay through the flaps and restarts."""
    learned = {entry_ip(i): (entry_mac(0xFF, i), learner_of(i)) for i in range(KEEP_ENTRIES)}
    learn(topo, learned)
    groups = [group(200, i) for i in range(KEEP_GROUPS)]
    m = mcast.hold(topo["h1"], groups, tag="standing")

    def check():
        return entries_converged(topo, learned) or groups_converged(topo, groups)

    converge(topo, "standing set", check, 120)
    yield check
    m.leave()
    forget(topo, learned)


def established(topo, pe):
    js = topo[pe].vtysh_json("show bgp neighbors %s json" % RR)
    st = js.get(RR, {}).get("bgpState")
    return None if st == "Established" else "%s: %s" % (pe, st)


def test_rr_session_flaps(topo, standing):
    """The PEs' sessions to the RR flap, alternately PE1's and PE2's; the
    synced state is whole again after every fifth flap and at the end."""
    daemons = ("zebra", "bgpd", "pimd")
    before = {(pe, d): soak.mtypes(topo[pe], d) for pe in PES for d in daemons}
    t0 = time.time()
    for i in range(FLAPS):
        pe = PES[i % 2]
        topo[pe].vtysh("clear bgp %s" % RR)
        converge(topo, "flap %d: %s's session" % (i, pe), lambda: established(topo, pe), 120)
        if i % 5 == 4:
            converge(topo, "flap %d: synced" % i, standing, 120)
    t = converge(topo, "after %d flaps" % FLAPS, standing, 120)
    topo.figures.add("RR session flaps: %d in %.1f s; whole again %.1f s after the last" % (
        FLAPS, time.time() - t0, t))
    # the same state as before: FRR's own count of what each daemon holds
    # (reachable or not) has not grown with the entries or groups
    grown = {k: soak.mtype_growth(v, soak.mtypes(topo[k[0]], k[1])) for k, v in before.items()}
    topo.figures.add("memory types changed over the flaps: %s" % (
        {"%s/%s" % k: g for k, g in grown.items() if g} or "none"))
    big = {"%s/%s" % k: {t: v for t, v in g.items() if v[1] - v[0] >= KEEP_ENTRIES}
           for k, g in grown.items()}
    assert not any(big.values()), "grown with the flaps: %s" % big


@pytest.mark.parametrize("pe", PES)
def test_bgpd_restart(topo, standing, pe):
    "bgpd restarts on one PE (LeakSanitizer runs as it exits): the sync is whole again."
    t0 = time.time()
    topo[pe].stop_daemon("bgpd")
    topo[pe].start_daemon("bgpd")
    converge(topo, "%s bgpd back" % pe, lambda: established(topo, pe), 120)
    t = converge(topo, "%s: synced after the restart" % pe, standing, 180)
    topo.figures.add("bgpd restart on %s: synced again %.1f s after the start" % (
        pe, time.time() - t0))
    assert t is not None


def test_no_label_or_lsp_leaked(topo, standing):
    """The label pool, zebra's LSPs and the kernel's MPLS routes are what
    they were before the churn."""
    err = wait_for(lambda: None if labels(topo) == topo.labels0 else
                   "now %s, at start %s" % (labels(topo), topo.labels0), timeout=60)
    assert err is None, err
    rss1 = soak.rss(topo.lab, ("zebra", "bgpd", "pimd"))
    topo.figures.add("RSS kB at start -> end (ASan): %s" % ", ".join(
        "%s %d -> %d" % (k, topo.rss0.get(k, 0), v) for k, v in sorted(rss1.items())))


def test_no_asan_report(topo):
    """No daemon of PE1 or PE2 has an AddressSanitizer report, after each
    exits in turn (LeakSanitizer's leak check included)."""
    soak.stop_all(topo.lab)
    reps = soak.reports(topo.lab)
    topo.figures.add("AddressSanitizer reports: %d" % len(reps))
    assert not reps, "\n\n".join("%s:\n%s" % kv for kv in reps.items())
