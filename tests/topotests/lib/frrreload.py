# SPDX-License-Identifier: GPL-2.0-or-later
"""
FRR's frr-reload.py against a lab router: what an operator runs to apply a
changed frr.conf (--reload) or to see what it would change (--test).
"""

import os
import re


def frr_reload(node, path, mode):
    """frr-reload.py --test or --reload of path on node; its output.

    The config directory is the node's own (/etc/frr/<name>, whose
    vtysh.conf has the integrated config): --reload ends with `write`,
    which elsewhere would write a <daemon>.conf per daemon that the next
    daemon started with that name reads."""
    prefix = os.environ.get("FRR_PREFIX", "/usr")
    work = node.lab.workdir
    return node.cmd("/usr/bin/python3 %s/sbin/frr-reload.py %s -N %s "
                    "--bindir %s/bin --confdir /etc/frr --rundir %s %s"
                    % (prefix, mode, node.name, prefix, work, path))


def reload_test(node, path):
    """frr-reload.py --test of path against node's running config: the
    commands it would run to delete and to add lines (each list empty when
    there is nothing to change)."""
    sections = {"Delete": [], "Add": []}
    cur = None
    for line in frr_reload(node, path, "--test").splitlines():
        m = re.match(r"Lines To (Delete|Add)$", line)
        if m:
            cur = sections[m.group(1)]
        # frr-reload.py always adds the integrated-config line of its own
        elif cur is not None and line.strip() and not set(line) <= {"="} and \
                line.strip() != "service integrated-vtysh-config":
            cur.append(line.strip())
    return sections["Delete"], sections["Add"]


def config_lines(text):
    """show running-config's output as lines, without vtysh's two header
    lines (what frr-reload.py and vtysh -f take)."""
    return [l for l in text.splitlines()
            if l not in ("Building configuration...", "Current configuration:")]


def running_lines(node):
    """node's running config as config_lines()."""
    return config_lines(node.vtysh("show running-config"))
