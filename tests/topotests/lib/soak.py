# SPDX-License-Identifier: GPL-2.0-or-later
"""
What the churn soaks (l3mh_soak, optb_soak) share: their scale, their
figures, and the AddressSanitizer side of the lab.

The soaks run the daemons of the routers under test from the
AddressSanitizer build (tools/build --asan-lab, lab.Lab(asan=...)); each
daemon writes its reports, the leaks LeakSanitizer finds when it exits
included, to asan.<daemon>.<pid> in its router's log directory.

LAB_SOAK=full (make soak) gives the counts of the issue (1,000 learn/delete
cycles, 50 session flaps, 20 Option-B flaps of 10k routes); otherwise
(CI) a short run of each churn, same checks.
"""

import os
import time

FULL = os.environ.get("LAB_SOAK") == "full"


def scale(short, full):
    return full if FULL else short


class Figures:
    """Lines of figures, printed and kept in <workdir>/figures.txt (which
    make soak prints from build/lab-logs/<test>/)."""

    def __init__(self, lab):
        self.path = os.path.join(lab.workdir, "figures.txt")
        self.add("%s: %s scale, %s" % (lab.name, "full" if FULL else "short",
                                       time.strftime("%Y-%m-%d %H:%M:%S")))

    def add(self, line):
        print(line, flush=True)
        with open(self.path, "a") as f:
            f.write(line + "\n")


LEAK_C = r"""
#include <stdlib.h>
#include <string.h>
int main(void)
{
	char *p = malloc(4242);
	memset(p, 1, 4242);
	p = NULL;
	return 0;
}
"""


def lsan_works(node):
    """None if a leaking program built with -fsanitize=address and run in
    node, with the options the lab gives its daemons, leaves a leak
    report: the check that a soak's "no report" means something in this
    kernel. Otherwise what went wrong."""
    d = os.path.join(node.lab.workdir, "lsan-check")
    os.makedirs(d, exist_ok=True)
    src, prog = os.path.join(d, "leak.c"), os.path.join(d, "leak")
    with open(src, "w") as f:
        f.write(LEAK_C)
    node.cmd("gcc -g -O0 -fsanitize=address -o %s %s" % (prog, src), timeout=120)
    node.cmd("ASAN_OPTIONS=log_path=%s/asan.leak:detect_leaks=1 %s" % (d, prog), check=False)
    reports = [f for f in os.listdir(d) if f.startswith("asan.leak")]
    if not reports:
        return "no report from a leaking program"
    text = open(os.path.join(d, reports[0])).read()
    if "detected memory leaks" not in text or "4242 byte" not in text:
        return "report without the leak: %s" % text[:500]
    return None


def reports(lab):
    """{router/file: first lines} of every AddressSanitizer report of the
    lab's routers."""
    out = {}
    for r in lab.routers():
        if r.asan:
            for f, text in r.asan_reports().items():
                out["%s/%s" % (r.name, f)] = "\n".join(text.splitlines()[:40])
    return out


def stop_all(lab, order=("pimd", "pim6d", "bgpd", "isisd", "staticd", "zebra", "mgmtd")):
    """Stop the daemons of the ASan routers one by one, each waited for:
    LeakSanitizer runs as each exits."""
    for r in lab.routers():
        if not r.asan:
            continue
        for d in sorted(r.daemons, key=lambda d: order.index(d) if d in order else -1):
            if r.daemon_alive(d):
                r.stop_daemon(d)


def rss(lab, daemons):
    """{router/daemon: RSS kB} of the ASan routers' daemons."""
    return {"%s/%s" % (r.name, d): r.rss_kb(d) for r in lab.routers() if r.asan
            for d in daemons if d in r.daemons and r.daemon_alive(d)}


def mtypes(router, daemon):
    """{memory type: allocations in use} of a daemon, from FRR's own
    accounting (show memory <daemon>): what it holds, reachable or not."""
    out = {}
    for line in router.vtysh("show memory %s" % daemon).splitlines():
        name, sep, rest = line.partition(":")
        f = rest.split()
        if sep and f and f[0].isdigit() and name.strip():
            out[name.strip()] = int(f[0])
    return out


def mtype_growth(before, after):
    """{memory type: (before, after)} of the types whose count changed."""
    return {k: (before.get(k, 0), after.get(k, 0))
            for k in sorted(set(before) | set(after)) if before.get(k, 0) != after.get(k, 0)}
