# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the benchmark scripts (not tests)."""

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
