#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Benchmark (not a test): convergence of an L3 ES, in lost milliseconds, by
the method of draft-ietf-bmwg-evpntest (a constant offered load; the time
lost is the packets lost divided by the offered rate), on the reference
topology with the multicast extras (the l3mh_mcast configs, VRF CUST1).

Traffic, each at 400 packets/s for the whole of each measurement (a lab
of one UML kernel on one CPU forwards both streams without loss at that
rate, not at 1000/s):
  unicast    PE3 -> H1, 8 UDP flows (PE3 load-balances them over PE1 and
             PE2; SW1's LAG hashes H1's frames to PE1, which alone learns
             H1's ARP entry)
  multicast  S1 -> 239.1.9.9, H1 joined with IGMPv2 (PE1 learns the join)

Failures of PE1, in this order on one lab per configuration:
  (a) link   PE1's ES-1 member link (eth-sw) goes down (then back up)
  (c) bgpd   bgpd restarts on PE1 (stopped, started again at once)
  (b) node   PE1 fails entirely: all its daemons killed, all its links down

Configurations (both PEs):
  sync       all-active with the ARP/ND and IGMP/MLD sync (the l3mh_mcast
             config)
  nosync     all-active without the sync (the baseline: no arp-nd-sync,
             no igmp-mld-sync)
  port       port-active, PE1 the DF (es-df-pref 50000), with the sync
  port-gr    port, and BGP graceful restart on the PEs and the RR
each without and with `l3-multihoming retention-time 30`.

Before each failure the traffic runs for 3 s. The lost ms of a flow is
its longest run of consecutive lost packets from the failure on, times
the flow's packet interval: the draft's "packets lost / offered rate" of
one outage, without the scattered single losses of a loaded lab (their
share of the packets before the failure is printed apart, "steady"). The
unicast figures are the mean over the flows and the worst flow: PE3 sends
some flows through PE2, which need not lose anything.

Run on the host: make bench-convergence
  (ARGS="--configs=sync,port --failures=link,bgpd --retention=30": a part)
"""

import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests", "lib"))

import mcast  # noqa: E402
from lab import CmdError, wait_for  # noqa: E402
from reftopo import ES, HOST_IP4, PE3_LO, RefTopo, lag_whole  # noqa: E402
from udpflows import FlowTest, Stream  # noqa: E402

TESTDIR = os.path.join(os.path.dirname(HERE), "topotests", "l3mh_mcast")
MODULES = {pe: {d: ["evpn_l3mh"] for d in ("zebra", "bgpd", "pimd", "pim6d")}
           for pe in ("pe1", "pe2")}
ESI1 = "03:02:00:00:00:00:e1:00:00:01"
GROUP = "239.1.9.9"
RATE = 400.0
FLOWS = 8
PRE, POST = 3.0, 12.0  # seconds of traffic before and after the failure
CONFIGS = ("nosync", "sync", "port")  # and "port-gr" on demand
FAILURES = ("link", "bgpd", "node")


class BenchTopo(RefTopo):
    def build(self):
        super().build()
        for h in ("h1", "h2"):
            self.lab[h].sysctl("net.ipv4.conf.eth0.force_igmp_version", 2)


def _cfg(topo, pe, lines):
    out = topo[pe].config(lines)
    if "%" in out:
        raise RuntimeError("%s: %s: %s" % (pe, lines, out))


def _zebra_es_state(topo, pe):
    for e in topo[pe].vtysh_json("show evpn l3mh es json").get("es", []):
        if e["esi"] == ESI1:
            return e["state"]
    return None


def _ready(topo, config):
    if config.startswith("port"):
        return None if (_zebra_es_state(topo, "pe1"), _zebra_es_state(topo, "pe2")) == (
            "df", "standby") else "port-active not settled"
    return lag_whole(topo["sw1"], "bond0", ES["bond1"][0])


def _wait(topo, what, check, timeout=90):
    err = wait_for(check, timeout=timeout, interval=0.5, desc=what)
    if err:
        raise RuntimeError(err)


def fresh_topo(config, retention):
    topo = BenchTopo(TESTDIR, name="bench-conv", modules=MODULES, mcast=True)
    topo.start()
    for pe in ("pe1", "pe2"):
        _cfg(topo, pe, "no debug bgp evpn l3-multihoming\nno debug zebra evpn l3mh")
        if config == "nosync":
            _cfg(topo, pe, "router bgp 65000 vrf CUST1\naddress-family l2vpn evpn\n"
                           "no l3-multihoming arp-nd-sync")
        if retention:
            _cfg(topo, pe, "router bgp 65000\naddress-family l2vpn evpn\n"
                           "l3-multihoming retention-time %d" % retention)
    if config == "port-gr":
        # the capability goes into the OPEN: the sessions start again
        for n in ("pe1", "pe2", "pe3", "p"):
            _cfg(topo, n, "router bgp 65000\nbgp graceful-restart")
            topo[n].vtysh("clear bgp *")
    if config.startswith("port"):
        _cfg(topo, "pe1", "interface bond1\nevpn mh es-df-pref 50000")
        for pe in ("pe1", "pe2"):
            _cfg(topo, pe, "router bgp 65000\naddress-family l2vpn evpn\n"
                           "l3-multihoming es %s redundancy-mode port-active "
                           "df-algorithm preference" % ESI1)
    _wait(topo, "%s ready" % config, lambda: _ready(topo, config))
    # a restarted bgpd reads the configuration file: this one
    for pe in ("pe1", "pe2", "pe3", "p"):
        topo[pe].vtysh("write memory")
    return topo


def _warm_up(topo):
    """PE3's flows to H1 until all 32 arrive (the PEs resolve H1, PE2 by
    the sync), or 30 s have passed (the baseline never gets there)."""
    t0 = time.time()
    while time.time() - t0 < 30:
        ft = FlowTest(topo["pe3"], topo["h1"], HOST_IP4, port=5203, src=PE3_LO["CUST1"][0],
                      src_dev="CUST1", flows=32)
        try:
            if ft.run() == set(ft.sports()):
                return True
        except CmdError:
            pass  # PE3 has no route yet
        time.sleep(1)
    return False


def _outage(seqs, got):
    """The longest run of consecutive numbers of seqs not in got."""
    run = worst = 0
    for q in seqs:
        run = 0 if q in got else run + 1
        worst = max(worst, run)
    return worst


def measure(topo, failure, inject):
    """Run both streams, inject the failure PRE seconds in; return the
    lost ms of each, and the steady loss of the first PRE seconds."""
    n = int((PRE + POST) * RATE)
    _warm_up(topo)
    uni = Stream(topo["pe3"], topo["h1"], HOST_IP4, port=5201, src=PE3_LO["CUST1"][0],
                 src_dev="CUST1", flows=FLOWS, rate=RATE, count=n)
    uni.start_receiver()
    m = mcast.join(topo["h1"], GROUP, version=2, port=5202, tag="conv")
    # the join is learnt, synced and the tree built before the run
    for _ in range(15):
        mcast.send(topo["s1"], GROUP, count=10, rate=20, port=5202, tag="warmup")
        time.sleep(1)
        if m.state()["other"] >= 5:  # the member counts warm-up packets apart
            break
    time.sleep(2)
    threads = [threading.Thread(target=uni.send),
               threading.Thread(target=mcast.send, args=(topo["s1"], GROUP),
                                kwargs={"count": n, "rate": RATE, "port": 5202, "tag": "conv"})]
    for t in threads:
        t.start()
    time.sleep(PRE)
    inject()
    for t in threads:
        t.join()
    got_u = uni.received()
    counts = mcast.wait_counts(m, n, timeout=10)
    m.leave()
    got_m = {k for k in counts if 0 <= k < n}
    pre = int(PRE * RATE)
    res = {}
    for kind, got, flows in (("unicast", got_u, FLOWS), ("multicast", got_m, 1)):
        gaps = [_outage([q for q in range(f, n, flows) if q >= pre], got) * 1000.0 * flows / RATE
                for f in range(flows)]
        # scattered losses before the failure (the first second is the
        # senders' start)
        steady = 1 - len([q for q in got if RATE <= q < pre]) / (pre - RATE)
        res[kind] = {"lost_ms": sum(gaps) / flows, "flow_ms": max(gaps), "steady": steady}
    return res


def run_config(config, retention, failures):
    topo = fresh_topo(config, retention)
    out = {}
    try:
        for f in failures:
            if f == "link":
                out[f] = measure(topo, f, lambda: topo["pe1"].cmd("ip link set eth-sw down"))
                topo["pe1"].cmd("ip link set eth-sw up")
                _wait(topo, "back after the link", lambda: _ready(topo, config))
                time.sleep(3)
            elif f == "bgpd":
                def restart():
                    topo["pe1"].stop_daemon("bgpd")
                    topo["pe1"].start_daemon("bgpd")

                out[f] = measure(topo, f, restart)
                _wait(topo, "back after bgpd", lambda: _ready(topo, config))
                time.sleep(10)
            elif f == "node":
                def kill():
                    pe1 = topo["pe1"]
                    pe1.cmd("kill -9 %s" % " ".join(str(pe1.pid(d)) for d in pe1.daemons
                                                    if pe1.daemon_alive(d)), check=False)
                    for ifname in pe1.links():
                        if ifname != "lo":
                            pe1.cmd("ip link set %s down" % ifname, check=False)

                out[f] = measure(topo, f, kill)
    finally:
        topo.stop()
    return out


def main():
    configs, failures, retentions = list(CONFIGS), list(FAILURES), [0, 30]
    for a in sys.argv[1:]:
        if a.startswith("--retention="):
            retentions = [int(x) for x in a.split("=", 1)[1].split(",")]
        if a.startswith("--configs="):
            configs = a.split("=", 1)[1].split(",")
        elif a.startswith("--failures="):
            failures = a.split("=", 1)[1].split(",")
    # the node failure ends a lab: last
    failures = [f for f in FAILURES if f in failures]
    results = {}
    for config in configs:
        for retention in retentions:
            key = "%s%s" % (config, "+retention" if retention else "")
            print("bench: %s ..." % key, flush=True)
            results[key] = run_config(config, retention, failures)
            for f, r in results[key].items():
                print("bench:   %-5s unicast %7.0f ms, worst flow %7.0f ms (steady loss %3.0f%%), "
                      "multicast %7.0f ms (steady loss %3.0f%%)" % (
                          f, r["unicast"]["lost_ms"], r["unicast"]["flow_ms"],
                          100 * r["unicast"]["steady"], r["multicast"]["lost_ms"],
                          100 * r["multicast"]["steady"]), flush=True)
    print("\nbench: lost ms per failure of PE1 (the longest outage of a flow): unicast PE3->H1 "
          "(the mean of %d flows, and the worst flow) / multicast S1->H1, %d pps each; the "
          "unicast loss before the failure in brackets" % (FLOWS, RATE))
    print("%-18s %-24s %-24s %-24s" % ("config", "(a) ES link", "(c) bgpd restart",
                                       "(b) PE1 down"))
    names = {"link": "(a) ES link", "bgpd": "(c) bgpd restart", "node": "(b) PE1 down"}
    for key, r in results.items():
        cells = []
        for f in ("link", "bgpd", "node"):
            if f not in r:
                cells.append("-")
                continue
            u, m = r[f]["unicast"], r[f]["multicast"]
            cells.append("%.0f (%.0f) / %.0f%s" % (
                u["lost_ms"], u["flow_ms"], m["lost_ms"],
                " [%.0f%%]" % (100 * u["steady"]) if u["steady"] >= 0.01 else ""))
        print("%-18s %-24s %-24s %-24s" % (key, cells[0], cells[1], cells[2]), flush=True)
    del names
    return 0


if __name__ == "__main__":
    sys.exit(main())
