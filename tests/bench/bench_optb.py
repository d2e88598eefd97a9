#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Benchmark (not a test): an EVPN Inter-Domain Option-B border router
(bgpd -M evpn_optb, draft-rabadan-bess-evpn-inter-domain-opt-b) re-advertising
N labeled routes, next to the same router doing plain next-hop-self without
label swap, in the same run.

    INJ (AS 65001) --eBGP-- BR (AS 65000, FRR) --eBGP-- SINK (AS 65002)

INJ and SINK are minimal BGP speakers in this file (raw UPDATEs, so that
sending N routes costs far less than the router under test). INJ sends N
RT-2 (MAC only, Label1 = one per-VRF label 5000, MPLS encapsulation EC).

For each N (default 100000 1000000) and each kind:
  swap   'option-b border-router' (per-route labels: N local labels, N LSPs)
  plain  'neighbor SINK next-hop-self force' and no attribute-unchanged
         next-hop: FRR's EVPN re-advertisement with next-hop self, no swap
it prints routes/s (first UPDATE sent by INJ to the N-th route received by
SINK), LSPs installed/s (zebra's dataplane done with N LSP updates, swap
only), the RSS growth per route of bgpd and zebra and the number of kernel
MPLS routes at the end. Fresh daemons per
measurement. Ratios are swap / plain.

With --profile it also prints how the lab's one CPU was spent from the
first UPDATE to the end (kernel user/system split, each daemon's CPU time)
and the top event handlers of bgpd and zebra (FRR's own accounting, `show
event cpu`: perf cannot sample UML's guests).

With --strace it also prints each daemon's system calls by count (strace
-c -f attached for the run; it slows the daemons, so its rates are not the
benchmark's): every system call of a guest process costs the UML kernel
host context switches, which the event handler times above include.

Run on the host: make bench-optb N="100000 1000000"  (or N="100000 --profile")
"""

import os
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "topotests", "lib"))

import brtopo  # noqa: E402
from benchlib import (clear_event_cpu, cpu_times, print_cpu_times, print_event_cpu,  # noqa: E402
                      run_sizes, stop_profiled, strace_report, strace_start)

BR_AS, INJ_AS, SINK_AS = brtopo.BR_AS, brtopo.INJ_AS, brtopo.SINK_AS
INJ_IP, BR_INJ_IP = brtopo.INJ_IP, brtopo.BR_INJ_IP
SINK_IP, BR_SINK_IP = brtopo.SINK_IP, brtopo.BR_SINK_IP
VRF_LABEL = 5000
PROFILE = "--profile" in sys.argv
STRACE = "--strace" in sys.argv


# --- a minimal BGP speaker --------------------------------------------------
def _msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def _open(asn, rid):
    caps = (b"\x01\x04\x00\x19\x00\x46"  # MP: L2VPN EVPN
            + b"\x41\x04" + struct.pack("!I", asn))  # 4-octet AS
    opt = b"\x02" + bytes([len(caps)]) + caps
    return _msg(1, struct.pack("!BHH4sB", 4, asn, 180, socket.inet_aton(rid), len(opt)) + opt)


def _recv_msg(s, buf):
    while True:
        if len(buf) >= 19:
            ln = struct.unpack("!H", buf[16:18])[0]
            if len(buf) >= ln:
                return buf[:ln], buf[ln:]
        chunk = s.recv(1 << 20)
        if not chunk:
            raise ConnectionError("session closed")
        buf += chunk


def _session(local, peer, asn):
    s = socket.create_connection((peer, 179), timeout=30, source_address=(local, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 24)
    s.sendall(_open(asn, local))
    buf = b""
    m, buf = _recv_msg(s, buf)
    assert m[18] == 1, "no OPEN from the BR"
    s.sendall(_msg(4, b""))
    while True:
        m, buf = _recv_msg(s, buf)
        if m[18] == 4:
            return s, buf


def _rt2(i):
    rd = struct.pack("!H4sH", 1, socket.inet_aton(INJ_IP), 1 + (i >> 16))
    mac = struct.pack("!HI", 0x0200 | (i >> 32), i & 0xFFFFFFFF)
    label = struct.pack("!I", VRF_LABEL << 4 | 1)[1:]
    body = rd + b"\x00" * 10 + b"\x00" * 4 + b"\x30" + mac + b"\x00" + label
    return b"\x02" + bytes([len(body)]) + body


def _updates(n):
    """UPDATEs carrying n RT-2s, ~110 per message."""
    aspath = b"\x40\x02\x06\x02\x01" + struct.pack("!I", INJ_AS)
    ecom = (struct.pack("!BBHI", 0x00, 0x02, INJ_AS, 1)  # RT 65001:1
            + b"\x03\x0c\x00\x00\x00\x00\x00\x0a")  # encapsulation MPLS
    ecom_attr = b"\xc0\x10" + bytes([len(ecom)]) + ecom
    out, i = [], 0
    while i < n:
        nlri = b"".join(_rt2(j) for j in range(i, min(n, i + 110)))
        mp = b"\x00\x19\x46\x04" + socket.inet_aton(INJ_IP) + b"\x00" + nlri
        attrs = b"\x40\x01\x01\x00" + aspath + b"\x90\x0e" + struct.pack("!H", len(mp)) + mp + ecom_attr
        out.append(_msg(2, b"\x00\x00" + struct.pack("!H", len(attrs)) + attrs))
        i += 110
    return out


def speaker_inject(n):
    msgs = _updates(n)
    s, _ = _session(INJ_IP, BR_INJ_IP, INJ_AS)
    print("start %.6f" % time.time(), flush=True)
    last = time.time()
    for m in msgs:
        s.sendall(m)
        if time.time() - last > 30:
            s.sendall(_msg(4, b""))
            last = time.time()
    print("sent %.6f" % time.time(), flush=True)
    while True:  # keep the session up until killed
        time.sleep(30)
        s.sendall(_msg(4, b""))


def speaker_sink(n):
    s, buf = _session(SINK_IP, BR_SINK_IP, SINK_AS)
    got, nh, last = 0, None, time.time()
    while got < n:
        m, buf = _recv_msg(s, buf)
        if time.time() - last > 30:
            s.sendall(_msg(4, b""))
            last = time.time()
        if m[18] != 2:
            continue
        wl = struct.unpack("!H", m[19:21])[0]
        off = 21 + wl
        al = struct.unpack("!H", m[off:off + 2])[0]
        off += 2
        end = off + al
        while off < end:
            flags, code = m[off], m[off + 1]
            if flags & 0x10:
                ln = struct.unpack("!H", m[off + 2:off + 4])[0]
                off += 4
            else:
                ln = m[off + 2]
                off += 3
            if code == 14:
                v = m[off:off + ln]
                nhl = v[3]
                nh = socket.inet_ntoa(v[4:8]) if nhl == 4 else nh
                p = 4 + nhl + 1
                while p < len(v):
                    p += 2 + v[p + 1]
                    got += 1
            off += ln
    print("done %.6f %d %s" % (time.time(), got, nh), flush=True)
    while True:
        time.sleep(30)
        s.sendall(_msg(4, b""))


# --- the measurement ---------------------------------------------------------
BR_CONF = """frr defaults traditional
hostname br
!
router bgp %(br)d
 bgp router-id 10.255.0.1
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 neighbor %(inj)s remote-as %(inj_as)d
 neighbor %(sink)s remote-as %(sink_as)d
 !
 address-family l2vpn evpn
  neighbor %(inj)s activate
  neighbor %(sink)s activate
%(extra)s exit-address-family
exit
"""


def dplane(br):
    """zebra's dataplane counters ('show zebra dplane'), by name."""
    out = {}
    for line in br.vtysh("show zebra dplane").splitlines():
        k, _, v = line.partition(":")
        if v.strip().isdigit():
            out[k.strip()] = int(v.strip())
    return out


def measure(kind, n):
    from lab import Lab

    lab = Lab("bench-optb-%s-%d" % (kind, n))
    try:
        br, inj, sink = brtopo.build(lab, daemon_args={"zebra": ["-s", "268435456"]})
        if kind == "swap":
            extra = "  option-b border-router\n"
        else:
            extra = ("  no neighbor %s attribute-unchanged next-hop\n"
                     "  neighbor %s next-hop-self force\n" % (SINK_IP, SINK_IP))
        conf = os.path.join(lab.workdir, "br.conf")
        with open(conf, "w") as f:
            f.write(BR_CONF % {"br": BR_AS, "inj": INJ_IP, "inj_as": INJ_AS, "sink": SINK_IP,
                               "sink_as": SINK_AS, "extra": extra})
        br.start_frr(conf)
        time.sleep(1)
        if PROFILE:
            for d in ("bgpd", "zebra"):
                clear_event_cpu(br, d)
            cpu0 = cpu_times(lab)
        rss0 = {d: br.rss_kb(d) for d in ("bgpd", "zebra")}
        if STRACE:
            straces = strace_start(br, ("bgpd", "zebra"), lab.workdir)
        me = os.path.abspath(__file__)
        log_s = os.path.join(lab.workdir, "sink.out")
        log_i = os.path.join(lab.workdir, "inj.out")
        sink.popen(["/usr/bin/python3", me, "--speaker", "sink", str(n)], logfile=log_s)
        time.sleep(1)
        inj.popen(["/usr/bin/python3", me, "--speaker", "inject", str(n)], logfile=log_i)

        def line(path, word):
            try:
                with open(path) as f:
                    for ln in f:
                        if ln.startswith(word):
                            return ln.split()
            except OSError:
                pass
            return None

        deadline = time.time() + 3600
        lsp_done = None
        t_start = None
        while time.time() < deadline:
            if not t_start:
                st = line(log_i, "start")
                t_start = float(st[1]) if st else None
            done = line(log_s, "done")
            if kind == "swap" and lsp_done is None and t_start:
                # zebra's dataplane counters: N LSP updates taken and
                # nothing queued any more means all are in the kernel (a
                # dump of the kernel's MPLS table is far too slow to poll)
                dp = dplane(br)
                if dp.get("LSP updates", 0) >= n and dp.get("Route update queue depth", 1) == 0:
                    lsp_done = time.time()
            if done and (kind != "swap" or lsp_done):
                break
            # dumping the MPLS table costs CPU the daemons share: poll less
            # often for big N
            time.sleep(max(0.5, n / 200000.0))
        else:
            return {"kind": kind, "n": n, "error": "timeout"}
        rss1 = {d: br.rss_kb(d) for d in ("bgpd", "zebra")}
        if PROFILE:
            print_cpu_times(cpu0, cpu_times(lab))
            print_event_cpu([br], ("bgpd", "zebra"), top=8)
        if STRACE:
            strace_report(straces)
        t_done = float(done[1])
        kernel = int(br.cmd("ip -f mpls route show | wc -l", timeout=1800).strip() or 0)
        errors = dplane(br).get("LSP update errors", 0)
        stop_profiled(br)
        res = {"kind": kind, "n": n, "nh": done[3],
               "routes_s": n / (t_done - t_start),
               "t_routes": t_done - t_start,
               "lsp_s": n / (lsp_done - t_start) if lsp_done else None,
               "t_lsp": (lsp_done - t_start) if lsp_done else None,
               "bgpd_b": (rss1["bgpd"] - rss0["bgpd"]) * 1024.0 / n,
               "zebra_b": (rss1["zebra"] - rss0["zebra"]) * 1024.0 / n,
               "kernel": kernel, "lsp_errors": errors}
        return res
    finally:
        # no state dump: 'show ... detail' of N routes outlasts its timeout
        lab.dump_state = lambda: None
        lab.stop()


def report(kind, n, r):
    if "error" in r:
        print("%-6s %8d %s" % (kind, n, r["error"]), flush=True)
        return
    print("%-6s %8d %10.0f %8.1fs %10s %9s %12.0f %12.0f %8d  %s%s" % (
        kind, n, r["routes_s"], r["t_routes"],
        "%.0f" % r["lsp_s"] if r["lsp_s"] else "-",
        "%.1fs" % r["t_lsp"] if r["t_lsp"] else "-",
        r["bgpd_b"], r["zebra_b"], r["kernel"], r["nh"],
        " (%d LSP errors)" % r["lsp_errors"] if r["lsp_errors"] else ""), flush=True)


def main(args):
    if args and args[0] == "--speaker":
        return (speaker_inject if args[1] == "inject" else speaker_sink)(int(args[2]))
    print("EVPN Option-B border router benchmark: N RT-2 (MAC, per-VRF label) "
          "INJ -> BR -> SINK over eBGP", flush=True)
    print("%-6s %8s %10s %9s %10s %9s %12s %12s %8s  %s" % (
        "kind", "N", "routes/s", "t_routes", "LSPs/s", "t_lsp", "bgpd B/rt", "zebra B/rt",
        "kernel", "next hop at SINK"), flush=True)
    args = [a for a in args if a not in ("--profile", "--strace")]
    sizes, res = run_sizes(args, ("plain", "swap"), [100000, 1000000], measure, report)
    for n in sizes:
        s, p = res.get(("swap", n), {}), res.get(("plain", n), {})
        if not s or not p or "error" in s or "error" in p:
            continue
        print("ratio swap/plain N=%d: routes/s %.2f, bgpd RSS/route %.2f, zebra RSS/route %s"
              % (n, s["routes_s"] / p["routes_s"],
                 s["bgpd_b"] / p["bgpd_b"] if p["bgpd_b"] > 0 else float("nan"),
                 "%.2f" % (s["zebra_b"] / p["zebra_b"]) if p["zebra_b"] >= 1 else
                 "n/a (plain: none)"),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) or 0)
