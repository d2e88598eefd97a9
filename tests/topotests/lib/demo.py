#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Demo lab: boot the draft's Figure 3 reference topology (l3mh_base
configuration), print each PE's state, and show the problem the project
solves (draft §1.1). Run on the host with `make demo` (tools/lab-run --demo).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lab import wait_for  # noqa: E402
from reftopo import HOST_IP4, HOSTS, PE3_LO, RefTopo  # noqa: E402
from udpflows import FlowTest  # noqa: E402

BASE = os.path.join(os.path.dirname(HERE), "l3mh_base")


def section(title):
    print("\n" + "=" * 78 + "\n" + title + "\n" + "=" * 78, flush=True)


def show(node, cmds):
    for c in cmds:
        print("\n%s# %s" % (node.name, c))
        out = node.vtysh(c) if not c.startswith(("ip ", "cat ")) else node.cmd(c)
        print(out.rstrip(), flush=True)


def main():
    topo = RefTopo(BASE, name="demo")
    print("demo: building the reference topology (8 namespaces, 4 FRR routers)...",
          flush=True)
    topo.start()
    try:
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
        for h, hv in HOSTS.items():
            vrf = hv["vrf"]
            ft = FlowTest(topo["pe3"], topo[h], HOST_IP4, port=5002,
                          src=PE3_LO[vrf][0], src_dev=vrf, flows=32)
            got = ft.run()
            print("\nPE3 %s -> %s %s: %d of %d UDP flows arrived"
                  % (vrf, h.upper(), HOST_IP4, len(got), ft.flows), flush=True)
    finally:
        topo.stop()
    print("\ndemo: logs and BGP pcaps in build/lab-logs/demo/", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
