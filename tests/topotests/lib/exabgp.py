# SPDX-License-Identifier: GPL-2.0-or-later
"""ExaBGP 4.2 as an independent BGP receiver: it keeps every UPDATE it gets
(parsed to JSON, with each EVPN NLRI's raw octets) in a file that a test
reads back."""

import json
import os
import sys

CONF = """process dump {
    run %(python)s %(dump)s %(out)s;
    encoder json;
}

neighbor %(peer)s {
    router-id %(local)s;
    local-address %(local)s;
    local-as %(asn)d;
    peer-as %(peer_as)d;
    family {
        %(family)s;
    }
    api {
        processes [ dump ];
        receive {
            parsed;
            update;
        }
    }
}
"""


class Receiver:
    """ExaBGP on `node`, connecting from `local` to `peer`."""

    def __init__(self, node, workdir, local, peer, asn, peer_as=None, family="l2vpn evpn"):
        self.node = node
        self.out = os.path.join(workdir, "%s-exabgp.json" % node.name)
        self.conf = os.path.join(workdir, "%s-exabgp.conf" % node.name)
        self.log = os.path.join(workdir, "%s-exabgp.log" % node.name)
        with open(self.conf, "w") as f:
            f.write(CONF % dict(python=sys.executable, out=self.out, peer=peer, local=local,
                                asn=asn, peer_as=peer_as or asn, family=family,
                                dump=os.path.join(os.path.dirname(__file__), "exabgp_dump.py")))

    def start(self):
        self.node.popen(["env", "exabgp.daemon.user=root", "exabgp.daemon.drop=false",
                         "exabgp.log.destination=stdout", "exabgp.log.level=DEBUG",
                         "exabgp.log.message=true", "exabgp.api.ack=false",
                         "exabgp.tcp.bind=", "exabgp", self.conf], logfile=self.log)
        return self

    def messages(self):
        """Every message ExaBGP reported, in order."""
        if not os.path.exists(self.out):
            return []
        msgs = []
        with open(self.out) as f:
            for line in f:
                try:
                    msgs.append(json.loads(line))
                except ValueError:
                    continue
        return msgs

    def evpn_announced(self):
        """raw NLRI hex -> (route type, ExaBGP's parse of the NLRI, sorted
        extended community values), the last announcement of each."""
        out = {}
        for msg in self.messages():
            upd = msg.get("neighbor", {}).get("message", {}).get("update", {})
            ecs = sorted("%016x" % e["value"]
                         for e in upd.get("attribute", {}).get("extended-community", []))
            for nh, nlris in upd.get("announce", {}).get("l2vpn evpn", {}).items():
                for n in nlris:
                    if "raw" in n:
                        out[n["raw"].lower()] = (n.get("code"), n, ecs)
        return out
