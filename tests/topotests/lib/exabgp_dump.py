#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ExaBGP API process: append every message ExaBGP reports (JSON, one a
line) to the file named by argv[1]."""
import sys

with open(sys.argv[1], "a", buffering=1) as out:
    for line in sys.stdin:
        out.write(line)
