# SPDX-License-Identifier: GPL-2.0-or-later
"""
Lean topotest harness for the user-mode-linux lab.

FRR's own topotest library (topogen + munet) runs in the lab but costs
seconds per node; this harness keeps FRR's conventions (one directory per
test, per-router config files, vtysh/json checks, a log directory per test)
with plain network namespaces and veth links.

Every router runs its FRR daemons with a pathspace of its own name
(`-N <router>`), so `vtysh -N <router>` reaches it; its integrated config
`<testdir>/<router>/frr.conf` is applied with `vtysh -b` as frrinit does.
Logs, BGP pcaps and a state dump land in $LAB_LOGS/<test>/.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import time

FRR_PREFIX = os.environ.get("FRR_PREFIX", "/usr")
SBIN = os.path.join(FRR_PREFIX, "sbin")
VTYSH = os.path.join(FRR_PREFIX, "bin", "vtysh")
# the daemons built with AddressSanitizer (tools/build --asan-lab), for the
# routers of Lab(asan=...); vtysh stays FRR_PREFIX's
ASAN_PREFIX = os.environ.get("LAB_ASAN_PREFIX") or os.path.join(
    os.environ.get("LAB_BUILD", "/nonexistent"), "install-asan")
RUNDIR = "/var/run/frr"
WORKDIR = "/tmp/lab"


class CmdError(Exception):
    pass


def run(cmd, check=True, timeout=60, stdin=None):
    """Run a shell command in the lab's root namespace; return stdout."""
    p = subprocess.run(
        cmd,
        shell=True,
        stdin=subprocess.DEVNULL if stdin is None else None,
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    if check and p.returncode != 0:
        raise CmdError("%s: exit %d: %s" % (cmd, p.returncode, p.stderr.strip()))
    return p.stdout


def l3vni_cmds(vrf, vni, local):
    """The kernel side of an EVPN L3VNI (RFC 9136 over VXLAN) for VRF vrf:
    a VXLAN device with VTEP address local in a bridge, the bridge (the
    VRF's SVI) enslaved to the VRF."""
    vx, br = "vxlan%d" % vni, "br%d" % vni
    return [
        "ip link add %s type bridge" % br,
        "ip link set %s master %s addrgenmode none" % (br, vrf),
        "ip link add %s type vxlan id %d local %s dstport 4789 nolearning" % (vx, vni, local),
        "ip link set %s master %s addrgenmode none" % (vx, br),
        "ip link set %s type bridge_slave neigh_suppress on learning off" % vx,
        "ip link set %s up" % br, "ip link set %s up" % vx]


def wait_for(fn, timeout=30, interval=0.5, desc=None):
    """Poll fn() until it returns a falsy 'error' value (None/""/False).

    fn returns None when the condition holds and a description of what is
    still wrong otherwise, like FRR's topotest.run_and_expect. Returns None
    on success, the last error otherwise.
    """
    deadline = time.time() + timeout
    err = None
    while True:
        try:
            err = fn()
        except (CmdError, ValueError, KeyError, IndexError, TypeError) as e:
            err = "%s: %s" % (type(e).__name__, e)
        if not err:
            return None
        if time.time() >= deadline:
            return "%s: %s" % (desc or getattr(fn, "__name__", "condition"), err)
        time.sleep(interval)


def json_subset(actual, expected, path=""):
    """Return None if `expected` is contained in `actual`, else a diff text.

    Dicts match key by key (extra keys in actual are fine), lists match
    element by element in order, a value of None in expected requires the
    key to be absent.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return "%s: expected an object, got %r" % (path or "/", actual)
        for k, v in expected.items():
            if v is None:
                if k in actual:
                    return "%s/%s: should be absent" % (path, k)
                continue
            if k not in actual:
                return "%s/%s: missing" % (path, k)
            err = json_subset(actual[k], v, "%s/%s" % (path, k))
            if err:
                return err
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) < len(expected):
            return "%s: expected list of >= %d, got %r" % (path, len(expected), actual)
        for i, v in enumerate(expected):
            err = json_subset(actual[i], v, "%s[%d]" % (path, i))
            if err:
                return err
        return None
    if actual != expected:
        return "%s: expected %r, got %r" % (path or "/", expected, actual)
    return None


class Node:
    """A host in its own network namespace."""

    def __init__(self, lab, name):
        self.lab = lab
        self.name = name
        self.procs = []
        run("ip netns add %s" % name)
        # no DAD: addresses are usable at once
        self.script(["ip link set lo up"] + [
            "sysctl -qw net.ipv6.conf.%s.%s=0" % (k, v)
            for k in ("all", "default") for v in ("accept_dad", "dad_transmits")])

    def cmd(self, cmd, check=True, timeout=60, stdin=None):
        return run(
            "ip netns exec %s sh -c %s" % (self.name, shlex.quote(cmd)),
            check=check,
            timeout=timeout,
            stdin=stdin,
        )

    def script(self, cmds, check=True):
        """Run several commands in one shell, stopping at the first error."""
        return self.cmd("set -e\n" + "\n".join(cmds), check=check, timeout=120)

    def cmd_json(self, cmd):
        return json.loads(self.cmd(cmd) or "null")

    def sysctl(self, key, value):
        self.cmd("sysctl -qw %s=%s" % (key, value))

    def popen(self, argv, logfile=None):
        """Start a long-running process in the namespace (killed at stop)."""
        out = open(logfile, "ab") if logfile else subprocess.DEVNULL
        p = subprocess.Popen(
            ["ip", "netns", "exec", self.name] + argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if logfile:
            out.close()
        self.procs.append(p)
        return p

    def links(self):
        """Kernel links as `ip -j -d link` reports them, by name."""
        return {l["ifname"]: l for l in self.cmd_json("ip -j -d link show")}

    def addrs(self, ifname):
        out = self.cmd_json("ip -j addr show dev %s" % ifname)
        return sorted(
            "%s/%s" % (a["local"], a["prefixlen"])
            for a in out[0]["addr_info"]
            if a.get("scope") != "link"
        )

    def neighbors(self, ifname=None, family=None):
        """Kernel neighbour entries (`ip -j neigh`), optionally per device."""
        fam = {4: "-4 ", 6: "-6 "}.get(family, "")
        dev = " dev %s" % ifname if ifname else ""
        return self.cmd_json("ip %s-j neigh show%s" % (fam, dev))

    def neighbor(self, ifname, ip):
        """The kernel's entry for ip on ifname, or None."""
        for n in self.neighbors(ifname):
            if n["dst"] == ip:
                return n
        return None

    def stop(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGINT)
                p.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.procs = []


class Router(Node):
    """A node running FRR daemons with pathspace `name`."""

    def __init__(self, lab, name, daemons, modules=None, daemon_args=None):
        super().__init__(lab, name)
        self.daemons = daemons
        self.modules = modules or {}
        self.daemon_args = daemon_args or {}
        self.asan = lab.asan is True or name in lab.asan
        self.sbin = os.path.join(ASAN_PREFIX, "sbin") if self.asan else SBIN
        self.rundir = os.path.join(RUNDIR, name)
        self.logdir = os.path.join(lab.workdir, name)
        os.makedirs(self.logdir, exist_ok=True)
        os.makedirs(self.rundir, exist_ok=True)
        # a new node: nothing of an earlier lab's daemons (such as what the
        # evpn_l3mh zebra module held down, zebra_evpn_l3mh_held)
        for f in os.listdir(self.rundir):
            if os.path.isfile(os.path.join(self.rundir, f)):
                os.unlink(os.path.join(self.rundir, f))
        # nor an earlier lab's config files: a daemon reads its own
        # <daemon>.conf at startup when there is one
        conf = "/etc/frr/%s" % name
        os.makedirs(conf, exist_ok=True)
        for f in os.listdir(conf):
            if os.path.isfile(os.path.join(conf, f)):
                os.unlink(os.path.join(conf, f))
        self.script([
            "sysctl -qw net.ipv4.ip_forward=1",
            "sysctl -qw net.ipv6.conf.all.forwarding=1",
            "sysctl -qw net.ipv4.conf.all.rp_filter=0",
            "sysctl -qw net.ipv4.conf.default.rp_filter=0",
        ])

    def start_capture(self, name="bgp", filt="tcp port 179"):
        pcap = os.path.join(self.logdir, "%s-%s.pcap" % (self.name, name))
        self.popen(
            ["tcpdump", "-q", "-i", "any", "-U", "-Z", "root", "-s", "0", "-w", pcap]
            + shlex.split(filt),
            logfile=os.path.join(self.logdir, "tcpdump-%s.log" % name),
        )
        # tcpdump opens the file once it listens: wait for it
        wait_for(lambda: None if os.path.exists(pcap) else "no pcap", timeout=10)

    def start_frr(self, config):
        """Start the daemons and apply the integrated config file."""
        shutil.copy(config, "/etc/frr/%s/frr.conf" % self.name)
        with open("/etc/frr/%s/vtysh.conf" % self.name, "w") as f:
            f.write("service integrated-vtysh-config\n")
        for d in self.daemons:
            self._spawn(d)
        for d in self.daemons:
            self._wait_vty(d)
        out = self.cmd("%s -N %s -b" % (VTYSH, self.name), check=False, timeout=120)
        with open(os.path.join(self.logdir, "vtysh-boot.log"), "w") as f:
            f.write(out)

    def stop_daemon(self, d):
        """Stop one daemon (SIGTERM) and wait until it has exited."""
        pid = self.pid(d)
        os.kill(pid, signal.SIGTERM)

        def gone():
            # the process may be reaped between any two looks at /proc
            try:
                with open("/proc/%d/stat" % pid) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, ProcessLookupError):
                return None
            return None if state == "Z" else "running"

        err = wait_for(gone, timeout=60 if self.asan else 30, interval=0.1)
        if err:
            raise CmdError("%s: %s did not stop" % (self.name, d))
        for leftover in ("%s.vty" % d, "%s.pid" % d):
            try:
                os.unlink(os.path.join(self.rundir, leftover))
            except FileNotFoundError:
                pass

    def start_daemon(self, d):
        """Start one daemon again and give it its part of the config."""
        self._spawn(d)
        self._wait_vty(d)
        out = self.cmd("%s -N %s -d %s -b" % (VTYSH, self.name, d), check=False,
                       timeout=120)
        with open(os.path.join(self.logdir, "vtysh-boot-%s.log" % d), "a") as f:
            f.write(out)

    def _spawn(self, d):
        argv = [
            os.path.join(self.sbin, d),
            "-d",
            "-N",
            self.name,
            "-P",
            "0",
            "--log",
            "file:%s/%s.log" % (self.logdir, d),
            "--log-level",
            "debug",
            "-i",
            "%s/%s.pid" % (self.rundir, d),
        ]
        for m in self.modules.get(d, []):
            argv += ["-M", m]
        argv += self.daemon_args.get(d, [])
        if d == "zebra":
            argv += ["--v6-rr-semantics"]
        env = ""
        if self.asan:
            # a report per process in the log directory (asan.<daemon>.<pid>),
            # leaks included: LeakSanitizer runs when the daemon exits
            env = "env ASAN_OPTIONS=%s " % shlex.quote(
                "log_path=%s/asan.%s:detect_leaks=1:abort_on_error=0:"
                "disable_coredump=1:print_summary=1" % (self.logdir, d))
        # LAB_WRAP="zebra=valgrind --tool=callgrind ..." runs a daemon under
        # a profiler (perf cannot sample inside UML); %d is the log directory
        wrap = ""
        for w in os.environ.get("LAB_WRAP", "").split(";"):
            name, _, cmd = w.partition("=")
            if name.strip() == d and cmd.strip():
                wrap = cmd.strip().replace("%d", self.logdir) + " "
        run(
            "ip netns exec %s %s%s%s </dev/null >>%s/%s.out 2>&1"
            % (self.name, env, wrap, " ".join(map(shlex.quote, argv)), self.logdir, d)
        )

    def _wait_vty(self, d):
        sock = os.path.join(self.rundir, "%s.vty" % d)
        err = wait_for(
            lambda: None if os.path.exists(sock) else "no socket",
            timeout=30,
            interval=0.1,
        )
        if err:
            raise CmdError("%s: %s did not start: %s" % (self.name, d, err))

    def vtysh(self, cmd):
        args = " ".join("-c %s" % shlex.quote(c) for c in cmd.split("\n") if c)
        return self.cmd("%s -N %s %s" % (VTYSH, self.name, args), timeout=60)

    def vtysh_json(self, cmd):
        out = self.vtysh(cmd)
        return json.loads(out) if out.strip() else {}

    def evpn_paths(self, rtype, detail=True):
        """prefix string -> list of path dicts of `show bgp l2vpn evpn
        route [detail] type RTYPE json`, over all RDs."""
        j = self.vtysh_json("show bgp l2vpn evpn route %stype %s json"
                            % ("detail " if detail else "", rtype))
        out = {}

        def flat(p):
            return [x for e in p for x in flat(e)] if isinstance(p, list) else [p]

        for v in j.values():
            if isinstance(v, dict):
                for pfx, pv in v.items():
                    if isinstance(pv, dict) and "paths" in pv:
                        out.setdefault(pfx, []).extend(flat(pv["paths"]))
        return out

    def config(self, lines):
        """Apply configuration lines in configure mode."""
        return self.vtysh("configure terminal\n" + lines)

    def pid(self, d):
        with open(os.path.join(self.rundir, "%s.pid" % d)) as f:
            return int(f.read().strip())

    def rss_kb(self, d):
        """Resident set size of a daemon, kB."""
        with open("/proc/%d/status" % self.pid(d)) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def daemon_alive(self, d):
        try:
            with open(os.path.join(self.rundir, "%s.pid" % d)) as f:
                os.kill(int(f.read().strip()), 0)
            return True
        except (OSError, ValueError):
            return False

    def stop(self):
        pids = []
        for d in reversed(self.daemons):
            try:
                with open(os.path.join(self.rundir, "%s.pid" % d)) as f:
                    pid = int(f.read().strip())
                os.kill(pid, signal.SIGTERM)
                pids.append(pid)
            except (OSError, ValueError):
                pass
        if self.asan:
            # let each daemon exit by itself: LeakSanitizer runs at exit
            wait_for(lambda: [p for p in pids if _running(p)], timeout=60, interval=0.2)
        else:
            time.sleep(0.2)
        super().stop()

    def asan_reports(self):
        """{file name: text} of the AddressSanitizer reports of this
        router's daemons (one that runs them under ASan)."""
        out = {}
        for f in sorted(os.listdir(self.logdir)):
            if f.startswith("asan."):
                with open(os.path.join(self.logdir, f), errors="replace") as fh:
                    out[f] = fh.read()
        return out


def _running(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


class Lab:
    """A set of namespaces and veth links for one test module. asan: the
    names of the routers whose daemons run from ASAN_PREFIX, or True for
    all."""

    def __init__(self, name, asan=()):
        self.name = name
        self.asan = asan
        if asan and not os.path.exists(os.path.join(ASAN_PREFIX, "sbin", "bgpd")):
            raise CmdError("no AddressSanitizer build in %s (tools/build --asan-lab)"
                           % ASAN_PREFIX)
        self.nodes = {}
        self.workdir = os.path.join(WORKDIR, name)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.logdest = os.path.join(os.environ.get("LAB_LOGS", "/tmp/lab-logs"), name)

    def log(self, msg):
        with open(os.path.join(self.workdir, "lab.log"), "a") as f:
            f.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))

    def add_node(self, name):
        self.nodes[name] = Node(self, name)
        return self.nodes[name]

    def add_router(self, name, daemons, modules=None, daemon_args=None):
        self.nodes[name] = Router(self, name, daemons, modules, daemon_args)
        return self.nodes[name]

    def __getitem__(self, name):
        return self.nodes[name]

    def routers(self):
        return [n for n in self.nodes.values() if isinstance(n, Router)]

    def link(self, a, ifa, b, ifb, mac_a=None, mac_b=None):
        """A veth pair between two nodes (optionally with fixed MACs)."""
        run(
            "ip link add %s netns %s%s type veth peer name %s netns %s%s"
            % (ifa, a, " address %s" % mac_a if mac_a else "",
               ifb, b, " address %s" % mac_b if mac_b else "")
        )

    def dump_state(self):
        shows = (
            "show running-config",
            "show bgp summary",
            "show bgp vrf all ipv4 unicast",
            "show ip route vrf all",
            "show ipv6 route vrf all",
            "show mpls table",
            "show ip nht vrf all",
            "show bgp nexthop detail",
            "show interface brief",
            "show bgp l2vpn evpn route detail",
            "show bgp l2vpn evpn es detail",
            "show evpn es detail",
        )
        for r in self.routers():
            args = " ".join("-c %s" % shlex.quote(c) for c in shows)
            out = r.cmd("%s -N %s -E %s" % (VTYSH, r.name, args), check=False)
            with open(os.path.join(r.logdir, "state.txt"), "w") as f:
                f.write(out)
        cmds = (
            "ip -d link",
            "ip addr",
            "ip neigh",
            "ip route show table all",
            "ip -6 route show table all",
            "ip -f mpls route",
            "cat /proc/net/bonding/*",
        )
        script = "\n".join("echo '### %s'; %s 2>&1" % (c, c) for c in cmds)
        for n in self.nodes.values():
            with open(os.path.join(self.workdir, "kernel-%s.txt" % n.name), "w") as f:
                f.write(n.cmd(script, check=False))

    def stop(self):
        try:
            self.dump_state()
        finally:
            for n in self.nodes.values():
                n.stop()
            for n in self.nodes.values():
                pids = run("ip netns pids %s" % n.name, check=False).split()
                for p in pids:
                    try:
                        os.kill(int(p), signal.SIGKILL)
                    except OSError:
                        pass
                run("ip netns del %s" % n.name, check=False)
            self.nodes = {}
            shutil.rmtree(self.logdest, ignore_errors=True)
            shutil.copytree(self.workdir, self.logdest)
