# SPDX-License-Identifier: GPL-2.0-or-later
"""
INJ - BR - SINK: an EVPN Option-B border router
(draft-rabadan-bess-evpn-inter-domain-opt-b section 2) between two eBGP
speakers, for the Option-B benchmark (tests/bench/bench_optb.py) and the
Option-B soak (optb_soak).

    INJ (AS 65001) --eBGP-- BR (AS 65000, FRR) --eBGP-- SINK (AS 65002)
     10.1.0.2     10.1.0.1            10.2.0.1          10.2.0.2

BR runs mgmtd, zebra and bgpd -M evpn_optb, with MPLS on both links.
"""

BR_AS, INJ_AS, SINK_AS = 65000, 65001, 65002
INJ_IP, BR_INJ_IP = "10.1.0.2", "10.1.0.1"
SINK_IP, BR_SINK_IP = "10.2.0.2", "10.2.0.1"


def build(lab, daemon_args=None):
    """Add BR, INJ and SINK to lab and address them; returns (br, inj, sink).
    BR's daemons are not started."""
    br = lab.add_router("br", ["mgmtd", "zebra", "bgpd"], modules={"bgpd": ["evpn_optb"]},
                        daemon_args=daemon_args)
    inj, sink = lab.add_node("inj"), lab.add_node("sink")
    lab.link("br", "eth-inj", "inj", "eth0")
    lab.link("br", "eth-sink", "sink", "eth0")
    br.script(["sysctl -qw net.mpls.platform_labels=1048575",
               "ip addr add %s/24 dev eth-inj" % BR_INJ_IP, "ip link set eth-inj up",
               "ip addr add %s/24 dev eth-sink" % BR_SINK_IP, "ip link set eth-sink up",
               "sysctl -qw net.mpls.conf.eth-inj.input=1",
               "sysctl -qw net.mpls.conf.eth-sink.input=1"])
    inj.script(["ip addr add %s/24 dev eth0" % INJ_IP, "ip link set eth0 up"])
    sink.script(["ip addr add %s/24 dev eth0" % SINK_IP, "ip link set eth0 up"])
    return br, inj, sink
