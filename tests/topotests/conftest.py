# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest glue for the project's topotests (run inside the UML lab)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))


def pytest_configure(config):
    if os.geteuid() != 0 or not os.path.exists("/proc/sys/net/mpls"):
        # Outside the lab kernel nothing here can run: say so plainly.
        config.addinivalue_line(
            "markers", "lab: needs the UML lab (tools/lab-run)"
        )
