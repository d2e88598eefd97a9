# SPDX-License-Identifier: GPL-2.0-or-later
"""
The fuzz harness's seed corpus and every crash input found, once each,
through the harness built with AddressSanitizer (replay_bgp_update, built
by tools/build --asan): CI's part of make fuzz. An ASan report or an
assert in bgpd fails it, naming the input.
"""

import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PROG = os.path.join(HERE, "replay_bgp_update")
INPUTS = [os.path.join(HERE, d) for d in ("corpus", "crashes")]


def _inputs():
    return sorted(os.path.join(d, f) for d in INPUTS if os.path.isdir(d)
                  for f in os.listdir(d) if not f.startswith("."))


def test_corpus_and_crashes_replay_clean():
    inputs = _inputs()
    assert len(inputs) > 0
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
               FUZZ_MODULE_DIR=os.path.join(HERE, "..", "..", "bgpd", ".libs"))
    p = subprocess.run([PROG] + INPUTS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=env, timeout=600)
    done = [l.split()[1] for l in p.stdout.splitlines() if l.startswith("replay: /")]
    assert p.returncode == 0, "crashed on %s:\n%s" % (done[-1] if done else "setup",
                                                     p.stdout[-4000:])
    assert "replay: %d inputs, no crash" % len(inputs) in p.stdout, p.stdout[-2000:]
