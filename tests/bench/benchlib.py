# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the benchmark scripts (not tests)."""

import os
import re
import shlex
import time


def wait_count(count, n, kind, t0, deadline, stall=60):
    """Poll count() until it reaches n, printing progress; give up at
    deadline or after stall seconds without progress. Returns (the last
    count, seconds from t0 to the last change or to completion)."""
    got = last = 0
    t_last = t_progress = time.time()
    while time.time() < deadline:
        got = count()
        if got >= n:
            t_last = time.time()
            break
        if got != last:
            print("bench:   %s %d/%d after %.1f s" % (kind, got, n, time.time() - t0),
                  flush=True)
            last, t_last, t_progress = got, time.time(), time.time()
        elif time.time() - t_progress > stall:
            print("bench:   %s stalled at %d/%d for %d s" % (kind, got, n, stall), flush=True)
            break
        time.sleep(0.5)
    return got, t_last - t0


def on_fresh_lab(fresh, run_one):
    """run(kind, N) for run_sizes(): run_one(lab, kind, N) on a new lab,
    fresh(kind), which is stopped afterwards"""
    def run(kind, n):
        lab = fresh(kind)
        try:
            return run_one(lab, kind, n)
        finally:
            lab.stop()
    return run


def run_sizes(args, kinds, sizes, run, report):
    """The main loop of a benchmark: for each size N in args (else sizes)
    and each kind (--kinds=a,b in args, else kinds), r = run(kind, N), a
    dict, then report(kind, N, r). Returns the sizes and {(kind, N): r}."""
    args = list(args)
    for a in [a for a in args if a.startswith("--kinds=")]:
        kinds = a.split("=", 1)[1].split(",")
        args.remove(a)
    sizes = [int(a) for a in args] or list(sizes)
    results = {}
    for n in sizes:
        for kind in kinds:
            r = results[kind, n] = run(kind, n)
            report(kind, n, r)
    return sizes, results


# --- FRR's own profile: the run time of each event handler ------------------
_EVENT_ROW = re.compile(r"^\s*\d+\s+([\d.]+)\s+(\d+)(?:\s+\d+){7}\s.*?(\S+)\s*$")


def _event_cpu_cmd(node, daemon, cmd):
    from lab import VTYSH

    return node.cmd("%s -N %s -d %s -c %s" % (VTYSH, node.name, daemon, shlex.quote(cmd)))


def clear_event_cpu(node, daemon):
    _event_cpu_cmd(node, daemon, "clear event cpu")


def event_cpu(node, daemon):
    """`show event cpu` of a daemon: {(pthread, event): (ms, calls)}"""
    rows, pthread = {}, "?"
    for line in _event_cpu_cmd(node, daemon, "show event cpu").splitlines():
        if line.startswith("Total "):
            break
        m = re.match(r"Showing statistics for pthread (.*)", line)
        if m:
            pthread = m.group(1).strip()
            continue
        m = _EVENT_ROW.match(line)
        if m:
            rows[pthread, m.group(3)] = (float(m.group(1)), int(m.group(2)))
    return rows


def print_event_cpu(nodes, daemons, top=6):
    """Where the CPU time went, per daemon: its top event handlers"""
    for node in nodes:
        for d in daemons:
            rows = event_cpu(node, d)
            total = sum(ms for ms, _ in rows.values()) or 1.0
            print("bench: profile %s %s: %.0f ms in event handlers" % (node.name, d, total),
                  flush=True)
            for (pt, ev), (ms, calls) in sorted(rows.items(), key=lambda x: -x[1][0])[:top]:
                print("bench:   %5.1f%% %9.0f ms %8d calls  %s/%s" % (
                    100.0 * ms / total, ms, calls, pt, ev), flush=True)


# --- CPU time of every daemon, and of the one CPU the lab's kernel has ------
def cpu_times(lab):
    """{(router, daemon): CPU s} of the lab's daemons, and {"user",
    "system", "idle", ...: s} of its kernel (/proc/stat): the lab is one
    UML kernel on one CPU, which all its nodes share"""
    hz = os.sysconf("SC_CLK_TCK")
    out = {}
    for r in lab.routers():
        for d in r.daemons:
            try:
                with open("/proc/%d/stat" % r.pid(d)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, ValueError):
                continue
            out[r.name, d] = (int(fields[11]) + int(fields[12])) / hz
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return out, dict(zip(names, (t / hz for t in ticks)))


def print_cpu_times(before, after, top=8):
    """Where the CPU went between two cpu_times(): the whole CPU, then the
    daemons that took most"""
    (d0, k0), (d1, k1) = before, after
    k = {n: k1[n] - k0[n] for n in k0}
    total = sum(k.values()) or 1.0
    print("bench: CPU %.1f s: " % total + ", ".join(
        "%s %.0f%%" % (n, 100.0 * v / total) for n, v in k.items() if v >= 0.005 * total),
        flush=True)
    d = sorted(((d1[x] - d0.get(x, 0), x) for x in d1), reverse=True)
    for s, (node, daemon) in d[:top]:
        print("bench:   %5.1f%% %7.2f s  %s %s" % (100.0 * s / total, s, node, daemon), flush=True)


# --- system calls of a daemon (strace -c), perf's stand-in in UML -------------
def strace_start(node, daemons, workdir):
    """Attach strace -c -f to each daemon of node; returns what
    strace_report() needs"""
    import subprocess

    out = {}
    for d in daemons:
        path = os.path.join(workdir, "strace-%s-%s.txt" % (node.name, d))
        p = subprocess.Popen(["strace", "-c", "-f", "-o", path, "-p", str(node.pid(d))],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out[node.name, d] = (p, path)
    time.sleep(1)
    return out


def strace_report(straces, top=8):
    """Detach the strace -c of strace_start() and print each daemon's
    busiest system calls"""
    import signal

    for (name, d), (p, path) in straces.items():
        p.send_signal(signal.SIGINT)
        p.wait(timeout=60)
        rows = []
        with open(path) as f:
            for line in f:
                cols = line.split()
                if len(cols) >= 5 and cols[-1] != "total" and \
                        cols[0].replace(".", "").isdigit():
                    rows.append(cols)
        # the total line's columns shift with the strace version: add up
        calls = sum(int(cols[3]) for cols in rows)
        print("bench: syscalls %s %s: %d" % (name, d, calls), flush=True)
        for cols in rows[:top]:
            print("bench:   %9s calls %6s%% of syscall time  %s" % (cols[3], cols[0], cols[-1]),
                  flush=True)


def stop_profiled(node):
    """Stop the daemons of node that run under valgrind (LAB_WRAP): they
    write their profile when they exit, which outlasts the lab's stop"""
    import signal

    for w in os.environ.get("LAB_WRAP", "").split(";"):
        d, _, cmd = w.partition("=")
        d = d.strip()
        if "valgrind" not in cmd or d not in node.daemons:
            continue
        pid = node.pid(d)
        os.kill(pid, signal.SIGTERM)
        for _ in range(1200):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.5)
        print("bench: %s %s under valgrind stopped; its profile is in %s" % (
            node.name, d, node.logdir), flush=True)
