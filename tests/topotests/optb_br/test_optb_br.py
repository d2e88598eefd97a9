#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
optb_br: EVPN Inter-Domain Option-B border routers
(draft-rabadan-bess-evpn-inter-domain-opt-b sections 2, 2.1, 4), in both of
the draft's topologies; every test runs once per figure.

Figure 2 (multi-AS backbone, "fig2"):

     AS 64500 (domain 1)                         AS 64501 (domain 3)
  I-PE ---------- BR-1 ======= eBGP ======= BR-2 ---------- E-PE
  GoBGP  IS-IS SR  FRR   single hop        FRR   IS-IS SR  GoBGP
  10.0.1.1        10.0.1.2                10.0.3.3        10.0.3.4

Figure 1 (IGP domains of one AS 64500, "fig1"): the same routers, domain 2
between BR-1 and BR-2 is OSPF with SR-MPLS (PHP), iBGP between the BRs'
loopbacks; each BR reflects (route-reflector-client) between its domains.

Domains 1 and 3 run their own IS-IS with SR-MPLS (prefix SIDs without PHP,
so the transport label towards E-PE is visible on the wire); loopbacks of
the PEs never leave their domain. I-PE and E-PE are GoBGP speakers (Debian's gobgpd): E-PE originates
EVPN-MPLS routes of every type, I-PE receives them from BR-1. BR-1 and BR-2
run bgpd -M evpn_optb with 'option-b border-router'.

Checked like a user would: GoBGP's RIB at I-PE, tshark decodes of the BGP
captures at E-PE and I-PE, the BRs' 'show ... option-b label-swap json',
kernel MPLS routes, and MPLS packets sent from I-PE with scapy and captured
at E-PE.
"""

import json
import os
import re
import subprocess
import time

import pytest

from frrreload import frr_reload, reload_test, running_lines
from lab import Lab, wait_for
import tshark

CWD = os.path.dirname(os.path.abspath(__file__))
NAME = "optb_br"
LO = {"ipe": "10.0.1.1", "br1": "10.0.1.2", "br2": "10.0.3.3", "epe": "10.0.3.4"}
SRGB = 16000
SID = {"ipe": 1, "br1": 2, "br2": 3, "epe": 4}
LINKS = [
    # (a, ifa, addr a, b, ifb, addr b)
    ("ipe", "eth-br1", "10.1.0.1/30", "br1", "eth-ipe", "10.1.0.2/30"),
    ("br1", "eth-br2", "10.12.0.1/30", "br2", "eth-br1", "10.12.0.2/30"),
    ("br2", "eth-epe", "10.3.0.1/30", "epe", "eth-br2", "10.3.0.2/30"),
]
API = 50051
# GoBGP reads and writes an EVPN label field as one 24-bit number (the VNI
# layout); for an MPLS label (RFC 7432: the high-order 20 bits) it is given
# label << 4 | 1 (bottom of stack) and its RIB is read back the same way.


def gl(label):
    return label << 4 | 1


def ml(field):
    return field >> 4


RD = "10.0.3.4:100"
RD_ES = "10.0.3.4:1"
ESI = "LACP aa:bb:cc:dd:ee:ff 1"
TAIL = "rt 64500:100 encap mpls nexthop 10.0.3.4"

# What E-PE originates: name -> (gobgp arguments, labels it carries that
# forward traffic, labels that must stay as they are)
ROUTES = {
    "rt1-es": ("a-d esi %s etag 4294967295 label 0 rd %s rt 64500:100 encap mpls "
               "esi-label %d nexthop 10.0.3.4" % (ESI, RD_ES, gl(3001))),
    "rt1-evi": "a-d esi %s etag 0 label %d rd %s %s" % (ESI, gl(3002), RD, TAIL),
    "rt2-one": "macadv 02:00:00:00:0a:01 0.0.0.0 esi 0 etag 0 label %d rd %s %s" % (gl(3003), RD, TAIL),
    "rt2-two": ("macadv 02:00:00:00:0a:02 10.10.0.2 esi 0 etag 0 label %d,%d rd %s "
                "rt 64500:100 default-gateway encap mpls nexthop 10.0.3.4" % (gl(3004), gl(3005), RD)),
    "rt3": ("multicast 10.0.3.4 etag 0 rd %s rt 64500:100 encap mpls "
            "pmsi ingress-repl %d 10.0.3.4 nexthop 10.0.3.4" % (RD, gl(3006))),
    "rt4": "esi 10.0.3.4 esi %s rd %s rt 64500:100 nexthop 10.0.3.4" % (ESI, RD_ES),
    "rt5": ("prefix 10.20.0.0/24 gw 0.0.0.0 esi 0 etag 0 label %d rd %s rt 64500:100 "
            "encap mpls router-mac 02:00:00:00:0a:ff nexthop 10.0.3.4" % (gl(3007), RD)),
}
# (route, which label) -> E-PE's label, for every label that forwards
EPE_LABELS = {
    ("rt1-evi", "label"): 3002,
    ("rt2-one", "label1"): 3003,
    ("rt2-two", "label1"): 3004,
    ("rt2-two", "label2"): 3005,
    ("rt3", "pmsi"): 3006,
    ("rt5", "label"): 3007,
}


class OptbTopo:
    def __init__(self, variant):
        self.variant = variant
        self.lab = None
        self.asn = {"br1": 64500, "br2": 64501 if variant == "fig2" else 64500}
        # BR-1's BGP next hop for BR-2's routes
        self.br2_nh = "10.12.0.2" if variant == "fig2" else LO["br2"]

    def path(self, node, f):
        p = os.path.join(CWD, self.variant, node, f)
        return p if os.path.exists(p) else os.path.join(CWD, node, f)

    def __getitem__(self, name):
        return self.lab[name]

    def start(self):
        lab = self.lab = Lab("%s-%s" % (NAME, self.variant))
        for n in ("ipe", "epe"):
            lab.add_router(n, ["mgmtd", "zebra", "isisd"])
        for n in ("br1", "br2"):
            lab.add_router(n, ["mgmtd", "zebra", "isisd"]
                           + (["ospfd"] if self.variant == "fig1" else []) + ["bgpd"],
                           modules={"bgpd": ["evpn_optb"]})
        sh = {n: ["sysctl -qw net.mpls.platform_labels=100000",
                  "ip addr add %s/32 dev lo" % LO[n]] for n in LO}
        for a, ifa, aa, b, ifb, ab in LINKS:
            lab.link(a, ifa, b, ifb)
            for n, i, addr in ((a, ifa, aa), (b, ifb, ab)):
                sh[n] += ["ip addr add %s dev %s" % (addr, i), "ip link set %s up" % i,
                          "sysctl -qw net.mpls.conf.%s.input=1" % i]
        for n, cmds in sh.items():
            lab[n].script(cmds)
        # sessions to loopbacks ride the SR transport (MPLS-wrapped TCP),
        # which a capture on "any" (Linux cooked) cannot filter: capture
        # each router's links
        caps = {"ipe": ["eth-br1"], "br1": ["eth-ipe", "eth-br2"],
                "br2": ["eth-br1", "eth-epe"], "epe": ["eth-br2"]}
        for n, ifs in caps.items():
            for i in ifs:
                lab[n].start_capture("bgp" if len(ifs) == 1 else "bgp-%s" % i,
                                     "-i %s tcp port 179 or (mpls and tcp port 179)" % i)
        lab["epe"].start_capture("mpls", "-i eth-br2 mpls and not tcp port 179")
        for r in lab.routers():
            r.start_frr(self.path(r.name, "frr.conf"))
        # GoBGP needs its loopback reachable from the BR: start once IS-IS is up
        for pe, br in (("ipe", "br1"), ("epe", "br2")):
            err = wait_for(lambda: None if LO[pe] in lab[br].cmd("ip route show proto isis").split()
                           else "no IS-IS route to %s" % pe, timeout=60)
            assert err is None, err
            lab[pe].popen(["gobgpd", "-f", self.path(pe, "gobgpd.toml"),
                           "--api-hosts", "127.0.0.1:%d" % API, "-l", "debug"],
                          logfile=os.path.join(lab.workdir, "%s-gobgpd.log" % pe))
        return self

    def stop(self):
        if self.lab:
            self.lab.stop()


@pytest.fixture(scope="module", params=["fig2", "fig1"])
def topo(request):
    t = OptbTopo(request.param)
    try:
        t.start()
        yield t
    finally:
        t.stop()


def gobgp(topo, pe, args):
    return topo[pe].cmd("gobgp -p %d %s" % (API, args))


def gobgp_rib(topo, pe):
    """GoBGP's EVPN RIB as a list of (nlri value dict, path dict)."""
    out = gobgp(topo, pe, "global rib -a evpn -j")
    rib = json.loads(out or "{}") or {}
    paths = []
    for _, plist in rib.items():
        for p in plist:
            paths.append((p["nlri"]["type"], p["nlri"]["value"], p))
    return paths


def labels_of(v):
    """The MPLS labels of a GoBGP NLRI value (RT-2: "labels", else "label")."""
    return [ml(x) for x in (v.get("labels") or [v.get("label", 0)])]


def _attr(path, t):
    for a in path["attrs"]:
        if a["type"] == t:
            return a
    return None


def ipe_route(topo, name):
    """The path I-PE has for one of E-PE's routes (matched on the NLRI key)."""
    key = _route_key(name)
    for t, v, p in gobgp_rib(topo, "ipe"):
        if (t, _nlri_key(t, v)) == key:
            return v, p
    return None, None


def _nlri_key(t, v):
    rd = "%s:%s" % (v["rd"]["admin"], v["rd"]["assigned"])
    if t == 1:
        return (rd, v["esi"], v["etag"])
    if t == 2:
        return (rd, v["mac"], v.get("ip", ""))
    if t == 3:
        return (rd, v["ip"])
    if t == 4:
        return (rd, v["esi"], v["ip"])
    if t == 5:
        return (rd, v["prefix"])
    return (rd,)


_EPE_KEYS = {}


def _route_key(name):
    return _EPE_KEYS[name]


def br_swaps(topo, br):
    return topo[br].vtysh_json("show bgp l2vpn evpn option-b label-swap json")


def swap_by_epe_label(topo, br):
    """{(route name, label name): swap json} for one BR, matched on the RD +
    the label name and the label value at E-PE / BR-2."""
    return br_swaps(topo, br).get("labelSwaps", [])


def mpls_routes(node):
    """{in label: text} of the kernel's MPLS table (a multipath LSP's
    nexthop lines joined to its first line)."""
    out = node.cmd("ip -f mpls route show")
    table = {}
    last = None
    for line in out.splitlines():
        f = line.split()
        if f and f[0].isdigit():
            last = int(f[0])
            table[last] = line.strip()
        elif f and last is not None:
            table[last] += " " + line.strip()
    return table


def lsp_out_stacks(line):
    """The label stacks an LSP's nexthops push ("as to A/B"), in order."""
    f = line.split()
    return [[int(x) for x in f[i + 2].split("/")]
            for i in range(len(f) - 2) if f[i] == "as" and f[i + 1] == "to"]


def ledger(node):
    """Labels bgpd holds from its label pool for swaps."""
    j = node.vtysh_json("show bgp labelpool ledger json")
    return [e for e in (j if isinstance(j, list) else j.get("ledger", []))
            if e.get("prefix") == "l3vpn-bind"]


def test_sessions(topo):
    def up():
        if topo.variant == "fig2":
            sessions = (("br1", ("10.0.1.1", "10.12.0.2")), ("br2", ("10.0.3.4", "10.12.0.1")))
        else:
            sessions = (("br1", ("10.0.1.1", LO["br2"])), ("br2", ("10.0.3.4", LO["br1"])))
        for br, peers in sessions:
            s = topo[br].vtysh_json("show bgp l2vpn evpn summary json")
            for p in peers:
                st = s.get("peers", {}).get(p, {}).get("state")
                if st != "Established":
                    return "%s %s: %s" % (br, p, st)
        return None

    err = wait_for(up, timeout=90, desc="BGP sessions")
    assert err is None, err
    # domains stay apart: BR-1 does not know E-PE's loopback, nor I-PE BR-2's
    assert LO["epe"] not in topo["br1"].cmd("ip route")
    assert LO["ipe"] not in topo["br2"].cmd("ip route")


def test_epe_originates(topo):
    for name, args in ROUTES.items():
        gobgp(topo, "epe", "global rib -a evpn add " + args)
    rib = gobgp_rib(topo, "epe")
    assert len(rib) == len(ROUTES), rib
    # remember each route's NLRI key by what E-PE says about it
    for name in ROUTES:
        for t, v, p in rib:
            k = _nlri_key(t, v)
            if name.startswith("rt%d" % t):
                if t == 1 and (v["etag"] == 4294967295) != (name == "rt1-es"):
                    continue
                if t == 2 and (v.get("ip", "") not in ("", "<nil>")) != (name == "rt2-two"):
                    continue
                _EPE_KEYS[name] = (t, k)
    assert len(_EPE_KEYS) == len(ROUTES), _EPE_KEYS


def test_ipe_receives_all_with_nhs_and_new_labels(topo):
    """Every route reaches I-PE with next hop BR-1 and, for each label that
    forwards, a label other than E-PE's; labels that do not forward (RT-1
    per-ES label 0, the ESI label EC) are unchanged."""

    def all_there():
        for name in ROUTES:
            v, p = ipe_route(topo, name)
            if not v:
                return "%s missing at I-PE" % name
            nh = _attr(p, 14)["nexthop"]
            if nh != LO["br1"]:
                return "%s next hop %s" % (name, nh)
        return None

    err = wait_for(all_there, timeout=60, desc="routes at I-PE")
    assert err is None, err

    epe = {n: None for n in ROUTES}
    for t, v, p in gobgp_rib(topo, "epe"):
        for n, (tt, k) in _EPE_KEYS.items():
            if (t, _nlri_key(t, v)) == (tt, k):
                epe[n] = (v, p)
    for name in ROUTES:
        v, p = ipe_route(topo, name)
        ev, ep = epe[name]
        got, sent = labels_of(v), labels_of(ev)
        assert len(got) == len(sent), (name, v, ev)
        if name in ("rt1-evi", "rt5", "rt2-one", "rt2-two"):
            assert all(a != b for a, b in zip(got, sent)), (name, v, ev)
        if name == "rt1-es":
            assert got == sent == [0]
        if name == "rt3":
            pm, epm = _attr(p, 22), _attr(ep, 22)
            assert pm["label"] != epm["label"], (pm, epm)
            assert pm["tunnel-id"] == LO["br1"], pm
            assert pm["tunnel-type"] == epm["tunnel-type"] == 6
        # extended communities (RTs, encapsulation, ESI label, router MAC,
        # default gateway) as E-PE sent them. The attribute is a set (RFC
        # 4360): bgpd stores it sorted and keeps a repeated community once
        # (GoBGP's CLI repeats the Default Gateway EC)
        assert _ecset(_attr(p, 16)["value"]) == _ecset(_attr(ep, 16)["value"]), name


def _distinct(items):
    out = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def _ecset(items):
    return sorted({json.dumps(i, sort_keys=True) for i in items})


def _swaps_by_out(topo, br):
    return {(s["rd"], s["label"], s["outLabel"]): s for s in swap_by_epe_label(topo, br)}


def test_swap_tables_and_kernel_lsps(topo):
    """BR-2 swaps its local label to E-PE's over the domain-3 transport
    (SR label of E-PE pushed too); BR-1 swaps its local label to BR-2's over
    the single-hop eBGP link (fig2) or over domain 2's SR path with PHP
    (fig1): one label on the wire; both LSPs are in the kernel."""

    def complete():
        for br in ("br1", "br2"):
            j = br_swaps(topo, br)
            sw = j.get("labelSwaps", [])
            if len(sw) != len(EPE_LABELS) or not all(s.get("lspInstalled") for s in sw):
                return "%s: %s" % (br, sw)
        return None

    err = wait_for(complete, timeout=30, desc="swap tables")
    assert err is None, err
    for br in ("br1", "br2"):
        with open(os.path.join(topo.lab.workdir, "%s-label-swap.txt" % br), "w") as f:
            f.write(topo[br].vtysh("show bgp l2vpn evpn option-b label-swap"))
    br2 = br_swaps(topo, "br2")["labelSwaps"]
    br1 = br_swaps(topo, "br1")["labelSwaps"]
    k2, k1 = mpls_routes(topo["br2"]), mpls_routes(topo["br1"])
    assert sorted(s["outLabel"] for s in br2) == sorted(EPE_LABELS.values())
    epe_sid = SRGB + SID["epe"]
    for s in br2:
        assert s["nexthop"] == "%s/32" % LO["epe"]
        assert s["transportLabels"] == [epe_sid], s
        line = k2.get(s["inLabel"])
        assert line and "as to %d/%d " % (epe_sid, s["outLabel"]) in line, (s, line)
    # BR-1's out labels are BR-2's in labels, one label towards BR-2
    assert sorted(s["outLabel"] for s in br1) == sorted(s["inLabel"] for s in br2)
    for s in br1:
        assert s["nexthop"] == "%s/32" % topo.br2_nh, s
        # PHP: nothing, or implicit null (which the kernel LSP leaves out)
        assert s["transportLabels"] in ([], [3]), s
        line = k1.get(s["inLabel"])
        assert line and "as to %d " % s["outLabel"] in line and "10.12.0.2" in line, (s, line)
    # every label I-PE got is one of BR-1's in labels
    in1 = {s["inLabel"] for s in br1}
    for name in ("rt1-evi", "rt2-one", "rt2-two", "rt5"):
        assert set(labels_of(ipe_route(topo, name)[0])) <= in1, name
    assert ml(_attr(ipe_route(topo, "rt3")[1], 22)["label"]) in in1
    # one label pool entry per swap
    assert len(ledger(topo["br1"])) == len(br1)
    assert len(ledger(topo["br2"])) == len(br2)


def _swap_key(s):
    return (s["rd"], s["prefix"], s["label"])


def _label_chain(topo):
    """{(RD, route, label name): (I-PE label, E-PE label)}: BR-1's local
    label for the route, and the label BR-2 received from E-PE for the
    same route (matched on the route, not on BR-2's local label: while a
    BR re-labels its routes BR-1 may still swap to a label BR-2 has since
    given another route)."""
    br1 = {_swap_key(s): s for s in br_swaps(topo, "br1")["labelSwaps"]}
    br2 = {_swap_key(s): s for s in br_swaps(topo, "br2")["labelSwaps"]}
    return {k: (s1.get("inLabel"), br2[k]["outLabel"]) for k, s1 in br1.items() if k in br2}


def test_tshark_attributes_preserved(topo):
    """tshark decodes of what E-PE sent and what I-PE received: same NLRI
    keys, ESI, Ethernet Tag, MAC/IP, RD; same extended communities and PMSI
    tunnel type; next hop BR-1; labels differ for the forwarding ones."""
    lab = topo.lab
    sent = tshark.evpn_routes(os.path.join(lab["epe"].logdir, "epe-bgp.pcap"), src=LO["epe"])
    recv = tshark.evpn_routes(os.path.join(lab["ipe"].logdir, "ipe-bgp.pcap"), src=LO["br1"])
    assert len(sent) == len(ROUTES), sent
    assert set(sent) == set(recv), (sorted(sent), sorted(recv))
    for key, s in sent.items():
        r = recv[key]
        assert r["nexthop"] == LO["br1"], (key, r)
        assert s["nexthop"] == LO["epe"], (key, s)
        for f in ("esi", "pmsi_type", "pmsi_flags"):
            assert s[f] == r[f], (key, f, s[f], r[f])
        assert sorted(set(s["ext_communities"])) == sorted(r["ext_communities"]), key
        assert len(s["labels"]) == len(r["labels"]), (key, s, r)
        for a, b in zip(s["labels"], r["labels"]):
            if a >= 16:
                assert a != b, (key, s["labels"], r["labels"])
            else:
                assert a == b, (key, s["labels"], r["labels"])
        if s["pmsi_label"] is not None:
            assert s["pmsi_label"] != r["pmsi_label"]
            assert r["pmsi_endpoint"] == LO["br1"]


SEND = """
import sys
from scapy.all import Ether, Raw, sendp
from scapy.contrib.mpls import MPLS
dst, label, flow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cw = bytes.fromhex("0000%04x" % (label & 0xffff))
payload = cw + bytes.fromhex("02000000aaaa020000bbbbbb0800") + b"optb-%d" % label
pkt = Ether(dst=dst) / MPLS(label=label, s=0, ttl=64) / MPLS(label=flow, s=1, ttl=64) / Raw(payload)
sendp(pkt, iface="eth-br1", count=3, verbose=False)
"""


def _mpls_payloads(pcap):
    """{bottom label: [bytes under the label stack]} of a capture (scapy)."""
    from scapy.all import rdpcap

    out = {}
    for pkt in rdpcap(pcap):
        b = bytes(pkt)
        if b[12:14] != b"\x88\x47":
            continue
        off = 14
        while off + 4 <= len(b):
            lse = int.from_bytes(b[off:off + 4], "big")
            off += 4
            if lse & 0x100:
                out.setdefault(lse >> 12, []).append(b[off:])
                break
    return out


def test_dataplane_label_swap(topo):
    """MPLS packets sent by I-PE with the label it received for each route
    arrive at E-PE with exactly E-PE's label under E-PE's SR label, the flow
    label and control word below it untouched (tshark decode of E-PE's
    capture)."""
    _dataplane(topo, 0x9a000)


def _dataplane(topo, flow_base):
    """Send one flow per swap chain from I-PE (flow labels from flow_base,
    unique per call: E-PE's capture keeps earlier packets) and check what
    arrives at E-PE."""
    lab = topo.lab
    chain = _label_chain(topo)
    assert len(chain) == len(EPE_LABELS)
    mac = lab["br1"].links()["eth-ipe"]["address"]
    script = os.path.join(lab.workdir, "send_mpls.py")
    with open(script, "w") as f:
        f.write(SEND)
    flows = {}
    for i, (key, (l_ipe, l_epe)) in enumerate(sorted(chain.items())):
        flows[flow_base + i] = (key, l_ipe, l_epe)

    def send(which):
        # BR-1's label for each route as it is now (a BR may have
        # re-labelled the route since the last send)
        now = _label_chain(topo)
        for flow in which:
            key = flows[flow][0]
            if now.get(key, (None,))[0] is not None:
                flows[flow] = (key,) + now[key]
            lab["ipe"].cmd("/usr/bin/python3 %s %s %d %d" % (script, mac, flows[flow][1], flow))

    send(flows)
    pcap = os.path.join(lab["epe"].logdir, "epe-mpls.pcap")
    last_send = [time.time()]

    def arrived():
        pk = tshark.fields(pcap, "mpls", ["mpls.label", "mpls.bottom"])
        seen = {}
        for p in pk:
            labels = [int(x) for x in p["mpls.label"]]
            if len(labels) == 3:
                seen[labels[2]] = (labels, p)
        missing = [f for f in flows if f not in seen]
        # a packet sent while a next hop on the way was still being
        # resolved (after a daemon restart) may be dropped, and one sent
        # while a BR still re-labelled its routes (the labels the chain
        # was read from were already re-advertised, the LSPs not yet
        # replaced) may take another route's swap: send those again, the
        # last packet of each flow is what counts
        wrong = [f for f in flows if f in seen and seen[f][0][1] != flows[f][2]]
        if (missing or wrong) and time.time() - last_send[0] > 2:
            send(missing + wrong)
            last_send[0] = time.time()
        if missing:
            return "flows not seen at E-PE: %s" % missing, seen
        if wrong:
            return "flows with another label at E-PE: %s" % {
                f: seen[f][0] for f in wrong}, seen
        return None, seen

    err = wait_for(lambda: arrived()[0], timeout=20, desc="MPLS at E-PE")
    if err:
        err += "".join("\n%s swaps %s\n%s kernel LSPs %s" % (
            br, [(_swap_key(s), s.get("inLabel"), s["outLabel"])
                 for s in br_swaps(topo, br)["labelSwaps"]], br, _bgp_lsps(topo[br]))
            for br in ("br1", "br2"))
    assert err is None, err
    _, seen = arrived()
    epe_sid = SRGB + SID["epe"]
    for flow, (key, l_ipe, l_epe) in flows.items():
        labels, _ = seen[flow]
        assert labels == [epe_sid, l_epe, flow], (key, l_ipe, labels)
    # the bytes under the stack (control word + payload) are what I-PE sent
    raw = _mpls_payloads(pcap)
    for flow, (key, l_ipe, l_epe) in flows.items():
        want = bytes.fromhex("0000%04x" % (l_ipe & 0xffff))
        want += bytes.fromhex("02000000aaaa020000bbbbbb0800") + b"optb-%d" % l_ipe
        assert want in raw.get(flow, []), (key, raw.get(flow))


def test_withdraw_cleans_up(topo):
    """E-PE withdraws the two-label RT-2: I-PE loses it, both BRs drop its
    two swaps, LSPs and labels."""
    before = {br: br_swaps(topo, br)["labelSwaps"] for br in ("br1", "br2")}
    gone2 = [s for s in before["br2"] if s["outLabel"] in (3004, 3005)]
    assert len(gone2) == 2
    gone1 = [s for s in before["br1"] if s["outLabel"] in [g["inLabel"] for g in gone2]]
    assert len(gone1) == 2
    gobgp(topo, "epe", "global rib -a evpn del " + ROUTES["rt2-two"])

    def withdrawn():
        if ipe_route(topo, "rt2-two")[0]:
            return "still at I-PE"
        for br, gone in (("br1", gone1), ("br2", gone2)):
            now = br_swaps(topo, br)["labelSwaps"]
            if len(now) != len(EPE_LABELS) - 2:
                return "%s: %d swaps" % (br, len(now))
            k = mpls_routes(topo[br])
            for g in gone:
                if g["inLabel"] in k:
                    return "%s: LSP %d still in the kernel" % (br, g["inLabel"])
            if len(ledger(topo[br])) != len(now):
                return "%s: %d labels held for %d swaps" % (br, len(ledger(topo[br])), len(now))
        return None

    err = wait_for(withdrawn, timeout=30, desc="withdraw")
    assert err is None, err
    # the other routes are still there
    for name in ROUTES:
        if name != "rt2-two":
            assert ipe_route(topo, name)[0], name
    gobgp(topo, "epe", "global rib -a evpn add " + ROUTES["rt2-two"])
    err = wait_for(lambda: None if ipe_route(topo, "rt2-two")[0] else "not back",
                   timeout=30, desc="re-advertised")
    assert err is None, err


def _bgp_lsps(node):
    return {k: v for k, v in mpls_routes(node).items() if "proto bgp" in v}


def test_session_flaps_leave_nothing_stale(topo):
    """20 session flaps, alternately E-PE's session at BR-2 and the BR-1 -
    BR-2 session: afterwards each BR holds exactly one LSP and one label per
    swap, and I-PE has every route again."""
    br2_peer = "10.12.0.2" if topo.variant == "fig2" else LO["br2"]
    for i in range(20):
        if i % 2:
            topo["br1"].vtysh("clear bgp l2vpn evpn %s" % br2_peer)
        else:
            topo["br2"].vtysh("clear bgp l2vpn evpn %s" % LO["epe"])
        if i % 5 == 4:
            # let it converge now and then, so flaps hit both idle and busy states
            wait_for(lambda: None if len(br_swaps(topo, "br2")["labelSwaps"]) == len(EPE_LABELS)
                     else "converging", timeout=30)

    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=90, desc="after 20 flaps")
    assert err is None, err


def _swaps_match_kernel(topo):
    """None when each BR has one swap per E-PE label, each shown installed
    and each in the kernel (and no other LSP of bgpd's there), one label
    pool entry per swap, and I-PE has every route."""
    for br in ("br1", "br2"):
        sw = br_swaps(topo, br)["labelSwaps"]
        if len(sw) != len(EPE_LABELS) or not all(s.get("lspInstalled") for s in sw):
            return "%s: %d swaps" % (br, len(sw))
        lsps = _bgp_lsps(topo[br])
        if sorted(lsps) != sorted(s["inLabel"] for s in sw):
            return "%s: kernel LSPs %s vs swaps %s" % (br, sorted(lsps), sorted(s["inLabel"] for s in sw))
        for s in sw:
            stacks = lsp_out_stacks(lsps[s["inLabel"]])
            if len(stacks) != 1 or stacks[0][-1] != s["outLabel"]:
                return "%s: kernel LSP %s for swap %s" % (br, lsps[s["inLabel"]], s)
        if len(ledger(topo[br])) != len(sw):
            return "%s: %d labels for %d swaps" % (br, len(ledger(topo[br])), len(sw))
    # BR-1 swaps each route's label to BR-2's local label for that route
    br2 = {s["inLabel"]: _swap_key(s) for s in br_swaps(topo, "br2")["labelSwaps"]}
    for s in br_swaps(topo, "br1")["labelSwaps"]:
        if br2.get(s["outLabel"]) != _swap_key(s):
            return "br1: swap %s goes to BR-2's label for %s" % (s, br2.get(s["outLabel"]))
    for name in ROUTES:
        if not ipe_route(topo, name)[0]:
            return "%s missing at I-PE" % name
    return None


def _routes_gone_no_false_lsps(topo, brs):
    """None when no swap of these BRs claims an LSP the kernel lacks and
    I-PE has lost E-PE's routes (the RT-5 stands for them)."""
    for br in brs:
        lsps = _bgp_lsps(topo[br])
        claimed = [s for s in br_swaps(topo, br)["labelSwaps"]
                   if s.get("lspInstalled") and s.get("inLabel") not in lsps]
        if claimed:
            return "%s claims LSPs the kernel lacks: %s" % (br, claimed)
    return "I-PE still has the RT-5" if ipe_route(topo, "rt5")[0] else None


# the link each BR's LSPs leave by: BR-1 towards BR-2, BR-2 towards E-PE
LSP_LINK = {"br1": "eth-br2", "br2": "eth-epe"}


@pytest.mark.parametrize("br", ["br1", "br2"])
def test_interface_flap_lsps_back(topo, br):
    """The link a BR's LSPs go out of goes down and comes back (BR-1: the
    BR-1 - BR-2 link, which carries the eBGP session in fig2 and the OSPF
    domain in fig1; BR-2: E-PE's link, so the next hop's IS-IS route goes).
    While it is down no swap of that BR claims an LSP that is not in the
    kernel; once it is up, every swap is back with its LSP, and MPLS
    packets from I-PE reach E-PE with E-PE's labels."""
    node, link = topo[br], LSP_LINK[br]
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=30, desc="before")
    assert err is None, err
    try:
        node.cmd("ip link set %s down" % link)

        err = wait_for(lambda: _routes_gone_no_false_lsps(topo, [br]), timeout=30,
                       desc="%s down" % link)
        assert err is None, err
    finally:
        node.cmd("ip link set %s up" % link)
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=90,
                   desc="LSPs after %s flapped on %s" % (link, br))
    assert err is None, err
    _dataplane(topo, 0x9b000 if br == "br1" else 0x9c000)


def test_link_deleted_and_created_again(topo):
    """The BR-1 - BR-2 link (a veth pair) is deleted and created again with
    its addresses: while it is gone neither BR claims an LSP the kernel
    lacks and I-PE loses E-PE's routes; once it is back every swap has its
    LSP again and MPLS packets from I-PE reach E-PE."""
    a, ifa, aa, b, ifb, ab = LINKS[1]
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=30, desc="before")
    assert err is None, err
    topo[a].cmd("ip link del %s" % ifa)
    try:
        err = wait_for(lambda: _routes_gone_no_false_lsps(topo, ["br1", "br2"]), timeout=30,
                       desc="link deleted")
        assert err is None, err
    finally:
        topo.lab.link(a, ifa, b, ifb)
        for n, i, addr in ((a, ifa, aa), (b, ifb, ab)):
            topo[n].script(["ip addr add %s dev %s" % (addr, i), "ip link set %s up" % i,
                            "sysctl -qw net.mpls.conf.%s.input=1" % i])
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=90,
                   desc="LSPs after the link was created again")
    assert err is None, err
    _dataplane(topo, 0x9f000)


def _restart(topo, br, daemons):
    """Restart daemons on a BR from its running config, in order (after
    zebra its IGPs too: FRR 10.3's isisd gives a restarted zebra none of
    its routes; bgpd lives on, watchfrr's phased restart of every daemon
    is the bgpd restart case)."""
    topo[br].vtysh("write memory")
    for d in daemons:
        topo[br].stop_daemon(d)
    for d in daemons:
        topo[br].start_daemon(d)


def test_bgpd_restart_lsps_back(topo):
    """bgpd restarts on BR-2: zebra drops the dead bgpd's LSPs and labels,
    the new bgpd learns the routes again and gets new labels, and each BR
    ends with exactly one LSP and one label per swap, none stale; packets
    from I-PE reach E-PE."""
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=30, desc="before")
    assert err is None, err
    _restart(topo, "br2", ["bgpd"])
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=120,
                   desc="LSPs after a bgpd restart on BR-2")
    assert err is None, err
    _dataplane(topo, 0x9d000)


def test_zebra_restart_lsps_back(topo):
    """zebra restarts on BR-2: bgpd sends every swap's LSP to the new zebra
    and gets its labels again from the new label manager (patch 0019: FRR
    10.3's bgpd never reconnected to it, so a route learnt after the
    restart waited for a label forever). Every swap is in the kernel again,
    shown installed, one label each; a route E-PE advertises after the
    restart gets a swap and reaches I-PE; packets from I-PE reach E-PE."""
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=30, desc="before")
    assert err is None, err
    _restart(topo, "br2", ["zebra", "isisd"] + (["ospfd"] if topo.variant == "fig1" else []))
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=90,
                   desc="LSPs after a zebra restart on BR-2")
    assert err is None, err
    _dataplane(topo, 0x9e000)
    late = "macadv 02:00:00:00:0d:01 0.0.0.0 esi 0 etag 0 label %d rd %s %s" % (gl(3200), RD, TAIL)
    gobgp(topo, "epe", "global rib -a evpn add " + late)
    try:
        def swapped():
            sw = [s for s in br_swaps(topo, "br2")["labelSwaps"] if s["outLabel"] == 3200]
            if len(sw) != 1 or not sw[0].get("lspInstalled") or sw[0].get("inLabel") is None:
                return "BR-2 swap for the late route: %s" % sw
            if sw[0]["inLabel"] not in _bgp_lsps(topo["br2"]):
                return "BR-2: no LSP %d in the kernel" % sw[0]["inLabel"]
            for t, v, p in gobgp_rib(topo, "ipe"):
                if t == 2 and v.get("mac") == "02:00:00:00:0d:01":
                    return None
            return "the late route is not at I-PE"

        err = wait_for(swapped, timeout=30, desc="a route learnt after the restart")
        assert err is None, err
    finally:
        gobgp(topo, "epe", "global rib -a evpn del " + late)
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=30, desc="late route gone")
    assert err is None, err


def test_withdraw_all_releases_everything(topo):
    for name, args in ROUTES.items():
        gobgp(topo, "epe", "global rib -a evpn del " + args)

    def empty():
        for br in ("br1", "br2"):
            if br_swaps(topo, br)["labelSwaps"]:
                return "%s: swaps left" % br
            if _bgp_lsps(topo[br]):
                return "%s: LSPs left %s" % (br, _bgp_lsps(topo[br]))
            if ledger(topo[br]):
                return "%s: labels left" % br
        if gobgp_rib(topo, "ipe"):
            return "routes left at I-PE"
        return None

    err = wait_for(empty, timeout=30, desc="all withdrawn")
    assert err is None, err
    for name, args in ROUTES.items():
        gobgp(topo, "epe", "global rib -a evpn add " + args)


def test_frr_reload_label_allocation(topo):
    """BR-2's `option-b border-router` changed to per-(next hop, label)
    allocation and back with frr-reload.py --reload, as an operator applies
    a changed frr.conf: --test lists exactly that line to delete and its
    replacement to add, nothing after; each time every swap is back in the
    kernel with one label each, and packets from I-PE reach E-PE; the
    running config ends as it began."""
    br2 = topo["br2"]
    err = wait_for(lambda: _swaps_match_kernel(topo), timeout=30, desc="before")
    assert err is None, err
    start = running_lines(br2)
    path = os.path.join(topo.lab.workdir, "br2-reload.conf")
    steps = (("option-b border-router",
              "option-b border-router label-allocation per-nexthop-label", 0x9f800),
             ("option-b border-router label-allocation per-nexthop-label",
              "option-b border-router", 0x9fc00))
    for old, new, flows in steps:
        lines = running_lines(br2)
        lines[lines.index("  " + old)] = "  " + new
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        dels, adds = reload_test(br2, path)
        ctx = ("router bgp", "address-family", "exit")
        assert [l for l in dels if not l.startswith(ctx)] == ["no " + old], dels
        assert [l for l in adds if not l.startswith(ctx)] == [new], adds
        frr_reload(br2, path, "--reload")
        assert reload_test(br2, path) == ([], []), running_lines(br2)
        want = "per-nexthop-label" if "per-nexthop" in new else "per-route"
        assert br_swaps(topo, "br2")["labelAllocation"] == want
        err = wait_for(lambda: _swaps_match_kernel(topo), timeout=60,
                       desc="swaps after frr-reload.py: %s" % new)
        assert err is None, err
        _dataplane(topo, flows)
    assert running_lines(br2) == start


def test_per_nexthop_label_allocation(topo):
    """With per-(next hop, label) allocation, routes E-PE advertises with one
    per-VRF label share one local label and one LSP on BR-2."""
    for i in range(3):
        gobgp(topo, "epe", "global rib -a evpn add macadv 02:00:00:00:0b:0%d 0.0.0.0 esi 0 "
                           "etag 0 label %d rd %s %s" % (i, gl(3100), RD, TAIL))
    topo["br2"].config("router bgp %d\naddress-family l2vpn evpn\n" % topo.asn["br2"] +
                       "option-b border-router label-allocation per-nexthop-label")

    def shared():
        j = br_swaps(topo, "br2")
        if j.get("labelAllocation") != "per-nexthop-label":
            return "mode %s" % j.get("labelAllocation")
        vrf = [s for s in j["labelSwaps"] if s["outLabel"] == 3100]
        if len(vrf) != 3 or len({s["inLabel"] for s in vrf if "inLabel" in s}) != 1:
            return "per-VRF label swaps: %s" % vrf
        if vrf[0]["sharedBy"] != 3 or j["swaps"] != len(EPE_LABELS) + 1:
            return "swaps %d, sharedBy %d" % (j["swaps"], vrf[0]["sharedBy"])
        if len(_bgp_lsps(topo["br2"])) != j["swaps"]:
            return "kernel LSPs %d" % len(_bgp_lsps(topo["br2"]))
        return None

    err = wait_for(shared, timeout=30, desc="per-nexthop-label")
    assert err is None, err
    run = topo["br2"].vtysh("show running-config")
    assert "option-b border-router label-allocation per-nexthop-label" in run
    # and every route still reaches I-PE
    err = wait_for(lambda: None if all(ipe_route(topo, n)[0] for n in ROUTES) else "missing",
                   timeout=30, desc="routes after mode change")
    assert err is None, err


def _find(node, key, out):
    """Every value of `key` anywhere in a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                out.append(v)
            _find(v, key, out)
    elif isinstance(node, list):
        for v in node:
            _find(v, key, out)
    return out


def test_vxlan_routes_untouched(topo):
    """A route with the VXLAN Encapsulation EC carries a 24-bit VNI, not an
    MPLS label: BR-2 re-advertises it with next hop and VNI unchanged and
    no swap (a VXLAN Option-B data path is out of scope)."""
    mac = "02:00:00:00:0c:01"
    gobgp(topo, "epe", "global rib -a evpn add macadv %s 0.0.0.0 esi 0 etag 0 label 10100 "
                       "rd 10.0.3.4:200 rt 64500:200 encap vxlan nexthop 10.0.3.4" % mac)

    def at_br1():
        j = topo["br1"].vtysh_json("show bgp l2vpn evpn route rd 10.0.3.4:200 json")
        nhs = [h.get("ip") for hops in _find(j, "nexthops", []) for h in hops]
        if LO["epe"] not in nhs:
            return "BR-1 next hops %s" % nhs
        if "10100" not in json.dumps(j):
            return "VNI 10100 not in %s" % j
        return None

    err = wait_for(at_br1, timeout=30, desc="VXLAN route at BR-1")
    assert err is None, err
    assert not [s for s in br_swaps(topo, "br2")["labelSwaps"]
                if s["rd"] == "10.0.3.4:200"]
    gobgp(topo, "epe", "global rib -a evpn del macadv %s 0.0.0.0 esi 0 etag 0 label 10100 "
                       "rd 10.0.3.4:200 rt 64500:200 encap vxlan nexthop 10.0.3.4" % mac)


def test_config_roundtrip(topo):
    for br in ("br1", "br2"):
        run = topo[br].vtysh("show running-config")
        assert re.search(r"^  option-b border-router", run, re.M), run
        path = os.path.join(topo.lab.workdir, "%s-running.conf" % br)
        with open(path, "w") as f:
            f.write(run)
        topo[br].cmd("vtysh -N %s -f %s" % (br, path), check=False)
        assert topo[br].vtysh("show running-config") == run
    topo["br1"].config("router bgp 64500\naddress-family l2vpn evpn\nno option-b border-router")
    assert "option-b border-router" not in topo["br1"].vtysh("show running-config")
    assert br_swaps(topo, "br1")["borderRouter"] is False
    err = wait_for(lambda: None if not _bgp_lsps(topo["br1"]) else "LSPs left", timeout=20)
    assert err is None, err
