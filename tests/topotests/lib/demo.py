#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Demo lab, in three parts. Run on the host with `make demo` (tools/lab-run
--demo).

1. The draft's Figure 3 reference topology (l3mh_base configuration, with
   zebra and bgpd running the evpn_l3mh modules, unconfigured): each PE's
   state and the problem of draft §1.1, UDP flows from PE3 lost via PE2.
2. `l3-multihoming arp-nd-sync` turned on live on PE1 and PE2 (the
   configuration of the l3mh_arp_nd topotest): PE2's synced neighbour
   entries, and the same flows again.
3. EVPN Inter-Domain Option-B (the optb_br topotest's Figure 2, booted in
   the background meanwhile): an RT-5 of E-PE as sent and as I-PE got it
   from BR-1, the BRs' label swaps in bgpd and in the kernel, and an MPLS
   ping from I-PE to E-PE through both BRs, answered the same way back.
A summary of the figures ends it; every one is measured at run time.
"""

import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "optb_br"))

from lab import wait_for  # noqa: E402
from reftopo import ES, HOST_IP4, HOSTS, PE3_LO, RefTopo  # noqa: E402
from udpflows import FlowTest  # noqa: E402
import tshark  # noqa: E402
import test_optb_br as optb  # noqa: E402

BASE = os.path.join(os.path.dirname(HERE), "l3mh_base")
# as in l3mh_arp_nd: both PEs of the ESs run the modules
MODULES = {pe: {"zebra": ["evpn_l3mh"], "bgpd": ["evpn_l3mh"]} for pe in ("pe1", "pe2")}
# what l3mh_arp_nd's pe1/pe2 frr.conf add to l3mh_base's (less the debugs):
# the EVPN instance first, so the ESs are announced as L3 ESs
SYNC_ON = """evpn mh startup-delay 0
router bgp 65000
 address-family l2vpn evpn
  l3-multihoming
 exit-address-family
exit
router bgp 65000 vrf CUST1
 address-family l2vpn evpn
  l3-multihoming arp-nd-sync
 exit-address-family
exit
router bgp 65000 vrf CUST2
 address-family l2vpn evpn
  l3-multihoming arp-nd-sync
 exit-address-family
exit
interface bond1
 evpn mh es-id 1
 evpn mh es-sys-mac %s
exit
interface bond2
 evpn mh es-id 2
 evpn mh es-sys-mac %s
exit""" % (ES["bond1"][0], ES["bond2"][0])

# Option-B: E-PE's RT-5 (the test's, label 3007) and one I-PE originates
# for its loopback (label 3008), the way back for the ping's replies
E_RD, I_RD = "10.0.3.4:100", "10.0.1.1:100"
E_LABEL, I_LABEL = 3007, 3008
E_PREFIX, E_ADDR = "10.20.0.0/24", "10.20.0.1"
E_RT5 = optb.ROUTES["rt5"]
I_RT5 = ("prefix %s/32 gw 0.0.0.0 esi 0 etag 0 label %d rd %s rt 64500:100 encap mpls "
         "router-mac 02:00:00:00:0b:ff nexthop %s"
         % (optb.LO["ipe"], optb.gl(I_LABEL), I_RD, optb.LO["ipe"]))
BR1_BLOCK = "mpls label dynamic-block 1000 1999"
# on the wire, apart from the BGP sessions (which ride SR labels too)
MPLS_CAP = "-i %s mpls and not tcp port 179"


def section(title):
    print("\n" + "=" * 78 + "\n" + title + "\n" + "=" * 78, flush=True)


def show(node, cmds):
    for c in cmds:
        print("\n%s# %s" % (node.name, c))
        if c.startswith(("ip ", "cat ", "gobgp ", "ping ", "tcpdump ")):
            out = node.cmd(c, check=False)
        else:
            out = node.vtysh(c)
        print(out.rstrip(), flush=True)


def note(msg):
    print("demo: " + msg, flush=True)


def flows(topo):
    """The 32 UDP flows from PE3 to H1 and to H2: {host: flows arrived}."""
    got = {}
    for h, hv in HOSTS.items():
        vrf = hv["vrf"]
        ft = FlowTest(topo["pe3"], topo[h], HOST_IP4, port=5002,
                      src=PE3_LO[vrf][0], src_dev=vrf, flows=32)
        got[h] = len(ft.run())
        print("\nPE3 %s -> %s %s: %d of %d UDP flows arrived"
              % (vrf, h.upper(), HOST_IP4, got[h], ft.flows), flush=True)
    return got


def _extern(n):
    return n is not None and ("extern_learn" in n or "extern_learn" in n.get("flags", []))


def pe2_synced(topo):
    """None once PE2 has both hosts' entries extern-learned, on their VLANs."""
    for h, hv in HOSTS.items():
        sub = "bond1.%d" % hv["vlan"]
        n = topo["pe2"].neighbor(sub, HOST_IP4)
        if not n or n.get("lladdr") != hv["mac"] or not _extern(n):
            return "PE2 %s %s: %s" % (sub, HOST_IP4, n)
    return None


# --- Option-B helpers --------------------------------------------------------

def gobgp_rt5(ob, pe, rd):
    """(prefix, next hop, [labels]) of the RT-5 with that RD in a GoBGP RIB
    (labels decoded from GoBGP's 24-bit field), or None."""
    for t, v, p in optb.gobgp_rib(ob, pe):
        if t == 5 and "%s:%s" % (v["rd"]["admin"], v["rd"]["assigned"]) == rd:
            return (v.get("prefix"), optb._attr(p, 14)["nexthop"], optb.labels_of(v))
    return None


def swap(ob, br, rd):
    """The BR's swap entry for the route with that RD, or None."""
    for s in optb.br_swaps(ob, br).get("labelSwaps", []):
        if s.get("rd") == rd:
            return s
    return None


def optb_ready(ob):
    """None once each side has the other's RT-5 with the BR as next hop and
    both BRs have both swaps installed."""
    for pe, rd, nh in (("ipe", E_RD, optb.LO["br1"]), ("epe", I_RD, optb.LO["br2"])):
        r = gobgp_rt5(ob, pe, rd)
        if not r or r[1] != nh:
            return "%s: RT-5 %s: %s" % (pe, rd, r)
    for br in ("br1", "br2"):
        for rd in (E_RD, I_RD):
            s = swap(ob, br, rd)
            if not s or not s.get("lspInstalled"):
                return "%s: swap %s: %s" % (br, rd, s)
    return None


def fmt_route(who, r):
    return "%-34s %s  next hop %-10s label %s" % (
        who, r[0], r[1], "/".join(str(lb) for lb in r[2]))


def start_optb(ob):
    """Boot the optb_br topotest's Figure 2 (its own code) and have both
    GoBGP PEs originate their RT-5; it converges while part 1 runs."""
    ob.start()
    # both BRs' label pools would start at 16: BR-1's labels come from
    # another block, so the two BRs' labels are told apart in the output
    ob["br1"].config(BR1_BLOCK)
    optb.gobgp(ob, "epe", "global rib -a evpn add " + E_RT5)
    optb.gobgp(ob, "ipe", "global rib -a evpn add " + I_RT5)
    for node, ifname in (("ipe", "eth-br1"), ("br2", "eth-br1")):
        ob[node].start_capture("mpls", MPLS_CAP % ifname)


def wire_rt5(node, pcap, src, rd):
    """tshark's decode of the last UPDATE from src in a BGP capture that
    carries the RT-5 with that RD: (prefix, next hop, labels), or None."""
    routes = tshark.evpn_routes(os.path.join(node.logdir, pcap), src=src)
    for key, r in routes.items():
        text = "\n".join(key)
        if "IP Prefix route" in text and "(%s)" % rd in text:
            ip = re.search(r"IPv4 address: (\S+)", text)
            plen = re.search(r"IP prefix length: (\d+)", text)
            return ("%s/%s" % (ip.group(1), plen.group(1)) if ip and plen else "?",
                    r["nexthop"], r["labels"])
    return None


def optb_part(ob, res):
    section("Option-B: E-PE's RT-5 through BR-2 and BR-1 (next hop self, new label)")
    err = wait_for(lambda: optb_ready(ob), timeout=60, desc="Option-B routes and swaps")
    if err:
        note(err)
        return
    print("(BR-1's zebra got `%s` right after it started, before any route:\n"
          "both BRs' label pools would start at 16, and equal numbers would hide the swap)"
          % BR1_BLOCK)
    print("\nRD %s, each UPDATE as tshark decodes the BGP captures:" % E_RD)
    hops = (("E-PE -> BR-2", ob["epe"], "epe-bgp.pcap", optb.LO["epe"]),
            ("BR-2 -> BR-1", ob["br1"], "br1-bgp-eth-br2.pcap", "10.12.0.2"),
            ("BR-1 -> I-PE", ob["ipe"], "ipe-bgp.pcap", optb.LO["br1"]))
    wire = []
    for who, node, pcap, src in hops:
        try:
            r = wire_rt5(node, pcap, src, E_RD)
        except Exception as e:  # noqa: BLE001 -- a decode problem is shown, not fatal
            r = None
            note("tshark: %s" % e)
        wire.append(r)
        print(fmt_route("  %s:" % who, r) if r else "  %s: not in the capture" % who,
              flush=True)
    got = gobgp_rt5(ob, "ipe", E_RD)
    print(fmt_route("  I-PE's GoBGP RIB:", got), flush=True)
    res["optb"] = [r[2][0] if r else None for r in wire]
    for br in ("br2", "br1"):
        show(ob[br], ["show bgp l2vpn evpn option-b label-swap",
                      "ip -f mpls route show proto bgp"])
    s2, s1 = swap(ob, "br2", E_RD), swap(ob, "br1", E_RD)
    print("\nlabel chain I-PE -> E-PE: I-PE pushes %d; BR-1 swaps %d -> %d (to BR-2);"
          " BR-2 swaps %d -> %s/%d (to E-PE)"
          % (got[2][0], s1["inLabel"], s1["outLabel"], s2["inLabel"],
             "/".join(str(lb) for lb in s2.get("transportLabels", [])), s2["outLabel"]),
          flush=True)

    section("Option-B: MPLS ping I-PE -> E-PE through both BRs")
    # GoBGP has no data plane: the PEs' kernel routes are set by hand from
    # the labels their RIBs got; the BRs' LSPs are bgpd's
    back = gobgp_rt5(ob, "epe", I_RD)
    ipe, epe = ob["ipe"], ob["epe"]
    cmds = {
        ipe: ["ip route add %s encap mpls %d via inet 10.1.0.2 dev eth-br1 src %s"
              % (E_PREFIX, got[2][0], optb.LO["ipe"]),
              "sysctl -qw net.mpls.conf.lo.input=1",
              "ip -f mpls route add %d dev lo" % I_LABEL],
        epe: ["ip link add evi100 type dummy", "ip link set evi100 up",
              "ip addr add %s/24 dev evi100" % E_ADDR,
              "sysctl -qw net.mpls.conf.lo.input=1",
              "ip -f mpls route add %d dev lo" % E_LABEL,
              "ip route add %s/32 encap mpls %d via inet 10.3.0.1 dev eth-br2"
              % (optb.LO["ipe"], back[2][0])],
    }
    print("I-PE's GoBGP also originated an RT-5 for its loopback, label %d, the way back:"
          % I_LABEL)
    print(fmt_route("  E-PE's GoBGP RIB, from BR-2:", back))
    print("GoBGP programs no data plane: the PEs' kernel routes are set from their RIBs\n"
          "(one label each, the BR is adjacent); the BRs' LSPs are bgpd's, shown above.",
          flush=True)
    for node, c in cmds.items():
        for line in c:
            print("%s# %s" % (node.name, line))
        node.script(c)
    show(ipe, ["ip -f mpls route"])
    show(epe, ["ip -f mpls route"])
    ping = "ping -c 3 -i 0.3 -W 1 -I %s %s" % (optb.LO["ipe"], E_ADDR)
    out = ipe.cmd(ping, check=False)
    print("\nipe# %s\n%s" % (ping, out.rstrip()), flush=True)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    res["ping"] = (int(m.group(1)), int(m.group(2))) if m else None
    time.sleep(0.5)
    print("\nlabel stacks on the wire (first echo request and reply):", flush=True)
    for node, pcap in ((ipe, "ipe-mpls"), (ob["br2"], "br2-mpls"), (epe, "epe-mpls")):
        path = os.path.join(node.logdir, pcap + ".pcap")
        print("\n%s (%s):" % (node.name, {"ipe": "I-PE - BR-1", "br2": "BR-1 - BR-2",
                                          "epe": "BR-2 - E-PE"}[node.name]))
        print(node.cmd("tcpdump -nn -t -c 2 -r %s 2>/dev/null" % path, check=False).rstrip(),
              flush=True)


def summary(res, secs):
    section("Summary (measured in this run, %.0f s so far)" % secs)
    for h in HOSTS:
        if "without" in res:
            print("PE3 -> %s: %d of 32 UDP flows arrive without sync, %s with"
                  " `l3-multihoming arp-nd-sync`" % (h.upper(), res["without"][h],
                                                     "%d of 32" % res["with"][h]
                                                     if "with" in res else "-"))
    if res.get("sync") is not None:
        print("ARP sync: PE2 had PE1's entries %.1f s after the configuration" % res["sync"])
    if "optb" in res:
        print("Option-B: E-PE's RT-5 %s, label on the wire E-PE -> BR-2 %s,"
              " BR-2 -> BR-1 %s, BR-1 -> I-PE %s" % tuple([E_PREFIX] + res["optb"]))
    if res.get("ping"):
        print("MPLS ping I-PE -> E-PE through BR-1 and BR-2: %d sent, %d answered"
              % res["ping"])
    sys.stdout.flush()


def main():
    t0 = time.time()
    res = {}
    topo = RefTopo(BASE, name="demo", modules=MODULES)
    optb.NAME = "demo-optb"  # its logs in build/lab-logs/demo-optb-fig2
    ob = optb.OptbTopo("fig2")
    print("demo: building the reference topology (8 namespaces, 4 FRR routers)...",
          flush=True)
    topo.start()
    try:
        print("demo: and the Option-B topology (I-PE, BR-1, BR-2, E-PE), converging meanwhile",
              flush=True)
        start_optb(ob)

        def converged():
            r = topo["pe3"].vtysh_json("show ip route vrf CUST1 192.0.2.0/24 json")
            nh = r.get("192.0.2.0/24", [{}])[0].get("nexthops", [])
            return None if len([n for n in nh if n.get("fib")]) == 2 else "not yet"

        err = wait_for(converged, timeout=90, desc="L3VPN ECMP on PE3")
        print("demo: converged" if not err else "demo: " + err, flush=True)
        for pe in ("pe1", "pe2"):
            section("%s: LAGs, VRFs, BGP" % pe.upper())
            show(topo[pe], [
                "ip -br link show type bond",
                "ip -d -br link show type vlan",
                "show bgp summary",
                "show ip route vrf CUST1",
                "ip neigh show dev bond1.1",
            ])
        section("PE3: L3VPN ECMP over PE1 and PE2")
        show(topo["pe3"], ["show ip route vrf CUST1 192.0.2.0/24",
                           "ip route show vrf CUST1"])
        section("SW1: one LAG towards PE1 and PE2 (same aggregator)")
        show(topo["sw1"], ["cat /proc/net/bonding/bond0"])

        section("Draft §1.1: ARP learned by one PE only; flows via the other are lost")
        for h in HOSTS:
            topo[h].cmd("ping -c 2 -i 0.2 -W 1 192.0.2.1", check=False)
        for pe in ("pe1", "pe2"):
            show(topo[pe], ["ip neigh show 192.0.2.2"])
        res["without"] = flows(topo)

        section("Draft §3.6: l3-multihoming arp-nd-sync, turned on live on PE1 and PE2")
        print("PE1, PE2# configure terminal")
        print("\n".join("  " + line for line in SYNC_ON.splitlines()), flush=True)
        t = time.time()
        for pe in ("pe1", "pe2"):
            topo[pe].config(SYNC_ON)
        err = wait_for(lambda: pe2_synced(topo), timeout=30, desc="ARP sync to PE2")
        res["sync"] = None if err else time.time() - t
        note(err or "PE2 has PE1's ARP entries, %.1f s after the configuration" % res["sync"])
        show(topo["pe1"], ["show bgp l2vpn evpn l3-multihoming neighbors"])
        show(topo["pe2"], ["show bgp l2vpn evpn l3-multihoming neighbors",
                           "show evpn l3mh synced-neighbors",
                           "ip neigh show dev bond1.1", "ip neigh show dev bond1.2"])
        res["with"] = flows(topo)

        optb_part(ob, res)
        summary(res, time.time() - t0)
    finally:
        note("stopping both labs (state dumps, logs)")
        ob.stop()
        topo.stop()
    note("logs and pcaps in build/lab-logs/demo/ and build/lab-logs/demo-optb-fig2/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
