# SPDX-License-Identifier: GPL-2.0-or-later
"""
The reference topology of the ES-LAG draft (Figure 3), for every topotest.

              H1 (CUST1, VLAN 1)   H2 (CUST2, VLAN 2)
                      \\              /
                       +----SW1-----+          CE1
                        bond0 (LACP)         bond0 (LACP)
                        /        \\            /      \\
              PE1 bond1 (ESI-1)  PE2 bond1   PE1 bond2 (ESI-2)  PE2 bond2
                        \\        /
                         +--P (IS-IS, SR-MPLS, BGP RR)--+
                                      |
                                     PE3

PE1/PE2: bond1 = 802.3ad, one member to SW1, ad_actor_system shared per ES;
  bond1.1 in VRF CUST1 and bond1.2 in VRF CUST2, both 192.0.2.1/24 and
  2001:db8:c1::1/64 (overlapping on purpose, told apart by VLAN);
  bond2 native in VRF CUST1, 198.51.100.1/24, 2001:db8:c2::1/64.
  Both PEs use the same anycast gateway MAC per bond, as a CE on one LAG
  hashes its frames to either.
Core: IS-IS L2 with SR-MPLS prefix SIDs (kernel MPLS), iBGP AS 65000 with
  P as route reflector: VPNv4 + L2VPN EVPN over IPv4, VPNv6 over IPv6.
PE3: VRFs CUST1/CUST2 with loopbacks 203.0.113.1 / 203.0.113.2 and
  2001:db8:3:1::1 / 2001:db8:3:2::1; L3/L4 ECMP hashing.

Optional IGP on CE1 (RefTopo(..., ce1_igp=["ospfd"]), off by default): CE1
  runs FRR (mgmtd, zebra and the given IGP daemons, config ce1/frr.conf of
  the test directory) and has a loopback (CE1_LO4/CE1_LO6) and a subnet
  behind it on lan0 (CE1_NET4/CE1_NET6, CE1 CE1_LAN4/CE1_LAN6); the PEs run the same
  IGP daemons, in CUST1 on bond2 (draft section 1.3). ce1_hash sets CE1's
  LAG hash policy. Linux's layer2 hash mixes in the Ethernet type field,
  which in an 802.3 frame (IS-IS) is its length: CE1 would send its
  odd-length LSPs to one PE and the even-length ones to the other, which
  has no adjacency and drops them. A CE router's LAG hashes non-IP frames
  by their addresses, so an IS-IS test gives CE1 "vlan+srcmac".

Optional multicast extras (RefTopo(..., mcast=True), off by default):
  S1, a multicast source behind PE3 (203.0.113.128/25, 2001:db8:3:80::/64),
  and the multicast transport: FRR has no MVPN (RFC 6513/6514) and no mLDP,
  so CUST1's multicast cannot cross the L3VPN core. Two VRF-lite links,
  PE3-PE1 (eth-m1/eth-m, 198.18.1.0/24) and PE3-PE2 (eth-m2/eth-m,
  198.18.2.0/24), stand in for the MVPN's PMSI tunnels; PIM runs on them.
  The PEs also run staticd, pimd and pim6d. S1's link and the transport
  links are in VRF CUST1 (the draft's case). With mcast_vrfs=("CUST1",
  "CUST2") CUST2 gets the same: S2 behind PE3 with S1's addresses, and
  transport links eth-n (PE) / eth-n<i> (PE3) with the addresses of CUST1's,
  so the two VRFs' multicast overlaps in everything but the VRF. Per-VRF
  multicast routing tables in the kernel are needed (see mroute_tables()).
"""

import os
import re
import time

from lab import Lab

VRFS = {"CUST1": 1001, "CUST2": 1002}
ES = {
    # bond: (ad_actor_system shared by the PEs, anycast gateway MAC)
    "bond1": ("02:00:00:00:00:e1", "02:aa:00:00:01:01"),
    "bond2": ("02:00:00:00:00:e2", "02:aa:00:00:02:01"),
}
PE_ID = {"pe1": 1, "pe2": 2, "pe3": 3, "p": 10}
# The hosts' MACs are chosen so that SW1's and CE1's layer-2 LAG hash sends
# their IPv4 frames to PE1 (the draft's §1.1 case: only PE1 learns them).
HOSTS = {
    "h1": {"vlan": 1, "vrf": "CUST1", "mac": "02:00:00:00:01:01"},
    "h2": {"vlan": 2, "vrf": "CUST2", "mac": "02:00:00:00:02:01"},
}
CE1_MAC = "02:00:00:00:03:01"
HOST_IP4, HOST_IP6 = "192.0.2.2", "2001:db8:c1::2"
CE1_IP4, CE1_IP6 = "198.51.100.2", "2001:db8:c2::2"
CE1_LO4, CE1_LO6 = "192.168.100.1", "2001:db8:c3::1"
CE1_NET4, CE1_NET6 = "192.168.101.0/24", "2001:db8:c4::/64"
CE1_LAN4, CE1_LAN6 = "192.168.101.1/24", "2001:db8:c4::1/64"  # CE1 on lan0
PE3_LO = {
    "CUST1": ("203.0.113.1", "2001:db8:3:1::1"),
    "CUST2": ("203.0.113.2", "2001:db8:3:2::1"),
}
PE_DAEMONS = ["mgmtd", "zebra", "isisd", "bgpd"]
MCAST_DAEMONS = ["staticd", "pimd", "pim6d"]
# multicast extras: S1 behind PE3 in CUST1, and per ES PE its transport link
# to PE3 in CUST1 (PE side eth-m, PE3 side eth-m<i>); the same in CUST2 with
# S2 and eth-n, same addresses
MCAST_VRFS = {"CUST1": ("s1", "eth-m"), "CUST2": ("s2", "eth-n")}
S1_IP4, S1_IP6 = "203.0.113.130", "2001:db8:3:80::2"
PE3_S1_IP4, PE3_S1_IP6 = "203.0.113.129", "2001:db8:3:80::1"


def mcast_link(pe):
    """Transport link of an ES PE in CUST1: (PE addr, PE3 addr) per family
    as ((pe4, pe3_4), (pe6, pe3_6)), /24 and /64."""
    i = PE_ID[pe]
    return (("198.18.%d.%d" % (i, i), "198.18.%d.3" % i),
            ("2001:db8:3%d::%d" % (i, i), "2001:db8:3%d::3" % i))


def loopback(node):
    i = PE_ID[node]
    return "10.0.0.%d" % i, "2001:db8:ff::%x" % i


def _bond(name, members, mac=None, actor=None, hash_policy="layer2", lacp=True):
    opts = "mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy %s" % hash_policy
    if not lacp:
        opts = "mode active-backup miimon 100"
    if actor:
        opts += " ad_actor_system %s" % actor
    cmds = ["ip link add %s type bond %s" % (name, opts)]
    if mac:
        cmds.append("ip link set %s address %s" % (name, mac))
    for m in members:
        cmds += ["ip link set %s down" % m, "ip link set %s master %s" % (m, name),
                 "ip link set %s up" % m]
    return cmds + ["ip link set %s up" % name]


def _vrf(name, table):
    return ["ip link add %s type vrf table %d" % (name, table), "ip link set %s up" % name]


def _addr(ifname, *addrs):
    return ["ip addr add %s dev %s" % (a, ifname) for a in addrs] + [
        "ip link set %s up" % ifname]


class RefTopo:
    """Figure 3 of the draft, with FRR configs from one test directory."""

    def __init__(self, testdir, name=None, modules=None, daemon_args=None,
                 mcast=False, mcast_vrfs=("CUST1",), snooping=True, ce1_igp=None,
                 ce1_hash="layer2", asan=(), sw1_lag=True):
        """mcast: add S1, the multicast transport and the multicast daemons
        (see the module doc), in each VRF of mcast_vrfs;
        snooping=False turns SW1's bridges' IGMP/MLD snooping off;
        ce1_igp: IGP daemons CE1 and the PEs run, ce1_hash: CE1's LAG
        hash policy (see the module doc); asan: the routers whose
        daemons run under AddressSanitizer (lab.Lab); sw1_lag=False
        attaches SW1 over two separate links instead of its LACP bond
        (each VLAN bridged across both, the PEs' bond1 active-backup with
        its one member), as a single-active ES is."""
        self.testdir = testdir
        self.name = name or os.path.basename(testdir.rstrip("/"))
        self.modules = modules or {}
        self.daemon_args = daemon_args or {}
        self.mcast = mcast
        self.mcast_vrfs = tuple(mcast_vrfs) if mcast else ()
        self.snooping = snooping
        self.ce1_igp = list(ce1_igp or [])
        self.ce1_hash = ce1_hash
        self.asan = asan
        self.sw1_lag = sw1_lag
        self.lab = None

    def __getitem__(self, name):
        return self.lab[name]

    def build(self):
        lab = self.lab = Lab(self.name, asan=self.asan)
        for r in ("pe1", "pe2", "pe3", "p"):
            daemons = PE_DAEMONS + (MCAST_DAEMONS if self.mcast and r != "p" else [])
            if r in ("pe1", "pe2"):
                daemons = daemons + [d for d in self.ce1_igp if d not in daemons]
            lab.add_router(r, daemons, self.modules.get(r), self.daemon_args)
        if self.ce1_igp:
            lab.add_router("ce1", ["mgmtd", "zebra"] + self.ce1_igp)
        for n in ("sw1", "h1", "h2") + ((() if self.ce1_igp else ("ce1",))) + tuple(
                MCAST_VRFS[v][0] for v in self.mcast_vrfs):
            lab.add_node(n)
        # per-node shell commands, run in one go per node at the end
        sh = {n: [] for n in lab.nodes}

        # MPLS must be on before zebra starts
        for r in ("pe1", "pe2", "pe3", "p"):
            sh[r].append("sysctl -qw net.mpls.platform_labels=100000")

        # --- core: PEs - P ---------------------------------------------------
        for pe in ("pe1", "pe2", "pe3"):
            i = PE_ID[pe]
            lab.link(pe, "eth-p", "p", "eth-%s" % pe)
            sh[pe] += _addr("eth-p", "10.1.%d.1/24" % i, "2001:db8:1:%d::1/64" % i)
            sh["p"] += _addr("eth-%s" % pe, "10.1.%d.2/24" % i, "2001:db8:1:%d::2/64" % i)
            sh[pe].append("sysctl -qw net.mpls.conf.eth-p.input=1")
            sh["p"].append("sysctl -qw net.mpls.conf.eth-%s.input=1" % pe)
        for r in ("pe1", "pe2", "pe3", "p"):
            v4, v6 = loopback(r)
            sh[r] += _addr("lo", "%s/32" % v4, "%s/128" % v6)

        # --- access: the two ESs -------------------------------------------
        for pe in ("pe1", "pe2"):
            for vrf, table in VRFS.items():
                sh[pe] += _vrf(vrf, table)
            lab.link(pe, "eth-sw", "sw1", "eth-%s" % pe)
            lab.link(pe, "eth-ce", "ce1", "eth-%s" % pe)
            actor, gwmac = ES["bond1"]
            sh[pe] += _bond("bond1", ["eth-sw"], mac=gwmac, actor=actor if self.sw1_lag else None,
                            lacp=self.sw1_lag)
            for vid, vrf in ((1, "CUST1"), (2, "CUST2")):
                sub = "bond1.%d" % vid
                sh[pe].append("ip link add link bond1 name %s type vlan id %d" % (sub, vid))
                sh[pe].append("ip link set %s master %s" % (sub, vrf))
                sh[pe] += _addr(sub, "192.0.2.1/24", "2001:db8:c1::1/64")
            actor, gwmac = ES["bond2"]
            sh[pe] += _bond("bond2", ["eth-ce"], mac=gwmac, actor=actor)
            sh[pe].append("ip link set bond2 master CUST1")
            sh[pe] += _addr("bond2", "198.51.100.1/24", "2001:db8:c2::1/64")

        # PE3: VRFs with a loopback each, L3/L4 ECMP hashing
        for vrf, table in VRFS.items():
            lo = "lo-%s" % vrf.lower()
            sh["pe3"] += _vrf(vrf, table) + [
                "ip link add %s type dummy" % lo, "ip link set %s master %s" % (lo, vrf)]
            sh["pe3"] += _addr(lo, "%s/32" % PE3_LO[vrf][0], "%s/128" % PE3_LO[vrf][1])
        sh["pe3"] += ["sysctl -qw net.ipv4.fib_multipath_hash_policy=1",
                      "sysctl -qw net.ipv6.fib_multipath_hash_policy=1"]

        # --- SW1: a LACP bond trunking VLANs 1 and 2 to H1 and H2 ------------
        for h, hv in HOSTS.items():
            lab.link("sw1", "eth-%s" % h, h, "eth0", mac_b=hv["mac"])
        uplinks = ["bond0"] if self.sw1_lag else ["eth-pe1", "eth-pe2"]
        if self.sw1_lag:
            sh["sw1"] += _bond("bond0", ["eth-pe1", "eth-pe2"])
        else:
            sh["sw1"] += ["ip link set %s up" % u for u in uplinks]
        for h, hv in HOSTS.items():
            vid = hv["vlan"]
            sh["sw1"].append("ip link add br%d type bridge" % vid)
            for u in uplinks:
                sh["sw1"] += [
                    "ip link add link %s name %s.%d type vlan id %d" % (u, u, vid, vid),
                    "ip link set %s.%d master br%d" % (u, vid, vid),
                    "ip link set %s.%d up" % (u, vid)]
            sh["sw1"] += [
                "ip link set eth-%s master br%d" % (h, vid),
            ] + ["ip link set %s up" % i for i in ("eth-%s" % h, "br%d" % vid)]
            if not self.snooping:
                sh["sw1"].append("ip link set br%d type bridge mcast_snooping 0" % vid)
            sh[h] += _addr("eth0", "%s/24" % HOST_IP4, "%s/64" % HOST_IP6) + [
                "ip route add default via 192.0.2.1",
                "ip -6 route add default via 2001:db8:c1::1"]

        # --- CE1: a LACP bond, native, in CUST1 ------------------------------
        sh["ce1"] += _bond("bond0", ["eth-pe1", "eth-pe2"], mac=CE1_MAC,
                           hash_policy=self.ce1_hash)
        sh["ce1"] += _addr("bond0", "%s/24" % CE1_IP4, "%s/64" % CE1_IP6) + [
            "ip route add default via 198.51.100.1",
            "ip -6 route add default via 2001:db8:c2::1"]
        if self.ce1_igp:
            sh["ce1"] += _addr("lo", "%s/32" % CE1_LO4, "%s/128" % CE1_LO6) + [
                "ip link add lan0 type dummy"] + _addr("lan0", CE1_LAN4, CE1_LAN6)

        if self.mcast:
            self._build_mcast(sh)

        for n, cmds in sh.items():
            lab[n].script(cmds)

    def _build_mcast(self, sh):
        lab = self.lab
        for vrf in self.mcast_vrfs:
            src, eth = MCAST_VRFS[vrf]

            def enslave(ifname):
                return ["ip link set %s master %s" % (ifname, vrf)]

            for pe in ("pe1", "pe2"):
                (a4, b4), (a6, b6) = mcast_link(pe)
                m = "%s%d" % (eth, PE_ID[pe])
                lab.link(pe, eth, "pe3", m)
                sh[pe] += enslave(eth) + _addr(eth, "%s/24" % a4, "%s/64" % a6)
                sh["pe3"] += enslave(m) + _addr(m, "%s/24" % b4, "%s/64" % b6)
            lab.link("pe3", "eth-%s" % src, src, "eth0")
            sh["pe3"] += enslave("eth-%s" % src) + _addr(
                "eth-%s" % src, "%s/25" % PE3_S1_IP4, "%s/64" % PE3_S1_IP6)
            sh[src] += _addr("eth0", "%s/25" % S1_IP4, "%s/64" % S1_IP6) + [
                "ip route add default via %s" % PE3_S1_IP4,
                "ip -6 route add default via %s" % PE3_S1_IP6]

    def start(self):
        t0 = time.time()
        self.build()
        t1 = time.time()
        for r in self.lab.routers():
            r.start_capture()
        for r in self.lab.routers():
            r.start_frr(self.config_path(r.name))
        t2 = time.time()
        self.lab.log("topology %.1fs, FRR start %.1fs" % (t1 - t0, t2 - t1))
        return self

    def config_path(self, router):
        """The integrated config a router starts with."""
        return os.path.join(self.testdir, router, "frr.conf")

    def stop(self):
        if self.lab:
            self.lab.stop()


def mroute_tables():
    """Whether the lab kernel can give pimd/pim6d a multicast routing table
    per VRF (probed in the caller's namespace): {"ipv4": "ok" or why not
    (needs CONFIG_IP_MROUTE_MULTIPLE_TABLES), "ipv6": "ok" or why not
    (needs CONFIG_IPV6_MROUTE and CONFIG_IPV6_MROUTE_MULTIPLE_TABLES)}."""
    import socket
    import struct

    res = {}
    for af, fam, proto, level in (
            ("ipv4", socket.AF_INET, socket.IPPROTO_IGMP, socket.IPPROTO_IP),
            ("ipv6", socket.AF_INET6, socket.IPPROTO_ICMPV6, socket.IPPROTO_IPV6)):
        s = socket.socket(fam, socket.SOCK_RAW, proto)
        try:
            s.setsockopt(level, 209, struct.pack("i", 1001))  # MRT_TABLE / MRT6_TABLE
            res[af] = "ok"
        except OSError as e:
            res[af] = "MRT%s_TABLE: %s" % ("6" if af == "ipv6" else "", e.strerror)
        finally:
            s.close()
    return res


def bonding(node, bond):
    """Parse /proc/net/bonding/<bond>: {slave: {aggregator, partner_mac, mii}}."""
    text = node.cmd("cat /proc/net/bonding/%s" % bond)
    slaves = {}
    for block in text.split("\nSlave Interface: ")[1:]:
        name = block.split("\n", 1)[0].strip()
        agg = re.search(r"Aggregator ID: (\d+)", block)
        partner = re.search(r"details partner lacp pdu:.*?system mac address: (\S+)", block, re.S)
        mii = re.search(r"MII Status: (\S+)", block)
        slaves[name] = {
            "aggregator": agg.group(1) if agg else None,
            "partner": partner.group(1) if partner else None,
            "mii": mii.group(1) if mii else None,
        }
    active = re.search(r"Active Aggregator Info:\s*\n\s*Aggregator ID: (\d+)", text)
    return slaves, active.group(1) if active else None


def lag_whole(node, bond, actor):
    """None once node's LACP bond aggregates both PEs' links (one partner
    system, one active aggregator), else what is missing."""
    slaves, active = bonding(node, bond)
    if set(slaves) != {"eth-pe1", "eth-pe2"}:
        return "members %s" % sorted(slaves)
    for name, s in slaves.items():
        if s["mii"] != "up":
            return "%s MII %s" % (name, s["mii"])
        if s["partner"] != actor:
            return "%s partner %s != %s" % (name, s["partner"], actor)
        if s["aggregator"] != active:
            return "%s in aggregator %s, active %s" % (name, s["aggregator"], active)
    return None
