# SPDX-License-Identifier: GPL-2.0-or-later
"""
Independent decoding of the lab's BGP captures with Debian's tshark.

What bgpd sent is checked here with code no one in this project wrote:
tshark's BGP dissector reads the pcap each router's capture wrote.
"""

import re
import subprocess


def fields(pcap, display_filter, names):
    """One dict per matching packet: field name -> list of values.

    tshark prints every occurrence of a field in a packet, comma-separated,
    in the order the dissector met them (so the n-th RD goes with the n-th
    prefix of an MP_REACH_NLRI).
    """
    argv = ["tshark", "-n", "-r", pcap, "-Y", display_filter, "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for n in names:
        argv += ["-e", n]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, timeout=120, check=True).stdout
    pkts = []
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(names) - len(cols))
        pkts.append({n: [v for v in c.split(",") if v != ""] for n, c in zip(names, cols)})
    return pkts


def verbose(pcap, display_filter):
    """tshark's full decode (-V) of the matching packets, as text."""
    argv = ["tshark", "-n", "-r", pcap, "-Y", display_filter, "-V"]
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, timeout=120, check=True).stdout


def mp_reach_blocks(text):
    """The text of every MP_REACH_NLRI attribute in a -V decode."""
    blocks, cur = [], None
    for line in text.splitlines():
        if "Path Attribute - " in line:
            if cur is not None:
                blocks.append("\n".join(cur))
            cur = [] if "MP_REACH_NLRI" in line else None
        elif cur is not None:
            if line.startswith(("Frame ", "Border Gateway Protocol")) or not line.strip():
                blocks.append("\n".join(cur))
                cur = None
            else:
                cur.append(line)
    if cur is not None:
        blocks.append("\n".join(cur))
    return blocks


VPN_NLRI_RE = re.compile(r"Label Stack=(\d+)[^R]*RD=([^,]+), IPv[46]=(\S+)")


def vpn_nlri(pcap, src=None):
    """(rd, prefix/len, label) of every VPNv4/VPNv6 NLRI advertised."""
    flt = "bgp.type == 2 && bgp.update.path_attribute.mp_reach_nlri.safi == 128"
    if src:
        flt += " && %s.src == %s" % ("ipv6" if ":" in src else "ip", src)
    out = []
    # VPNv4: tshark dissects each NLRI into fields, in NLRI order
    v4 = flt + " && bgp.update.path_attribute.mp_reach_nlri.afi == 1"
    names = ["bgp.rd", "bgp.label_stack", "bgp.mp_reach_nlri_ipv4_prefix", "bgp.prefix_length"]
    for p in fields(pcap, v4, names):
        for rd, label, prefix, plen in zip(*(p[n] for n in names)):
            # the prefix length counts the label and RD bits too
            out.append((rd, "%s/%d" % (prefix, int(plen) - 88), int(label.split()[0])))
    # VPNv6: tshark 4.0 gives each NLRI as one text item
    v6 = flt + " && bgp.update.path_attribute.mp_reach_nlri.afi == 2"
    for block in mp_reach_blocks(verbose(pcap, v6)):
        for label, rd, prefix in VPN_NLRI_RE.findall(block):
            out.append((rd, prefix, int(label)))
    return out


def _collect(node, key, out):
    """Every value of `key` in a tshark -T json tree, in document order."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                out.extend(v if isinstance(v, list) else [v])
            else:
                _collect(v, key, out)
    elif isinstance(node, list):
        for v in node:
            _collect(v, key, out)
    return out


def bgp_messages(pcap, display_filter, names):
    """One dict per BGP message (not per frame: a TCP segment may carry
    several): field name -> list of values, in the message's order."""
    import json

    argv = ["tshark", "-n", "-r", pcap, "-Y", display_filter, "-T", "json", "--no-duplicate-keys", "-J", "bgp"]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, timeout=120, check=True).stdout
    msgs = []
    for frame in json.loads(out or "[]"):
        layers = frame.get("_source", {}).get("layers", {})
        bgp = layers.get("bgp", [])
        for m in bgp if isinstance(bgp, list) else [bgp]:
            msgs.append({n: _collect(m, n, []) for n in names + ["bgp.type"]})
    return msgs


def _as_list(v):
    return v if isinstance(v, list) else [v]


def _raw_hex(v):
    """The hex of a -x "<field>_raw" value ([hex, offset, len, mask, type])."""
    return v[0] if v and not isinstance(v[0], list) else None


def bgp_updates(pcap, display_filter="bgp.type == 2"):
    """Every UPDATE message, as a list of its path attributes:
    (type code, raw attribute hex incl. flags/type/length, tshark's decode).
    """
    import json

    argv = ["tshark", "-n", "-r", pcap, "-Y", display_filter, "-T", "json", "-x",
            "--no-duplicate-keys", "-J", "bgp"]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, timeout=120, check=True).stdout
    msgs = []
    for frame in json.loads(out or "[]"):
        bgp = frame.get("_source", {}).get("layers", {}).get("bgp", [])
        for m in _as_list(bgp):
            if not isinstance(m, dict) or m.get("bgp.type") != "2":
                continue
            pa = m.get("bgp.update.path_attributes", {})
            attrs = _as_list(pa.get("bgp.update.path_attribute", []))
            raws = pa.get("bgp.update.path_attribute_raw", [])
            raws = [raws] if raws and not isinstance(raws[0], list) else raws
            msgs.append([(int(a["bgp.update.path_attribute.type_code"]), r[0], a)
                         for a, r in zip(attrs, raws)])
    return msgs


def evpn_nlris(decoded_attr):
    """The EVPN NLRIs of a decoded MP_REACH/MP_UNREACH attribute, in order:
    (tshark's fields of the NLRI, raw NLRI hex incl. Type and Length)."""
    def walk(n, dec, raw):
        if isinstance(n, dict):
            for k, v in n.items():
                if k == "bgp.evpn.nlri":
                    dec.extend(_as_list(v))
                elif k == "bgp.evpn.nlri_raw":
                    raw.extend([_raw_hex(v)] if _raw_hex(v) else [r[0] for r in v])
                else:
                    walk(v, dec, raw)
        elif isinstance(n, list):
            for v in n:
                walk(v, dec, raw)
        return dec, raw

    dec, raw = walk(decoded_attr, [], [])
    return list(zip(dec, raw))

# --- EVPN (used by optb_br) ------------------------------------------------

# RT-1/RT-2 labels ("... = MPLS Label 1: 16"), RT-5's ("MPLS Label Stack: 21")
_EVPN_LABEL_RE = re.compile(r"(?:= MPLS Label(?: \d)?|MPLS Label Stack): (\d+)")


def _blocks(lines, indent, start):
    """Split lines into blocks starting at lines with exactly `indent`
    spaces that begin with `start`; a block runs until the next line with
    that indentation or less."""
    blocks, cur = [], None
    for line in lines:
        ind = len(line) - len(line.lstrip(" "))
        if ind == indent and line.strip().startswith(start):
            cur = [line]
            blocks.append(cur)
        elif cur is not None and ind > indent:
            cur.append(line)
        else:
            cur = None
    return blocks


def evpn_routes(pcap, src=None):
    """Every EVPN route advertised in the capture (the last advertisement of
    each), as tshark decodes it: {NLRI text without labels: dict} with
    nexthop, labels (20-bit, NLRI order), esi, ext_communities (tshark's
    text of each), pmsi_type, pmsi_flags, pmsi_label, pmsi_endpoint."""
    flt = "bgp.type == 2 && bgp.update.path_attribute.mp_reach_nlri.safi == 70"
    if src:
        flt += " && ip.src == %s" % src
    text = verbose(pcap, flt)
    routes = {}
    msgs = re.split(r"\n(?=Border Gateway Protocol - )|\n(?=Frame \d+:)", text)
    for msg in msgs:
        if not msg.startswith("Border Gateway Protocol - UPDATE"):
            continue
        lines = msg.splitlines()
        attrs = {}
        for b in _blocks(lines, 8, "Path Attribute - "):
            name = b[0].strip()[len("Path Attribute - "):].split(":")[0].strip()
            attrs[name] = b
        mp = attrs.get("MP_REACH_NLRI")
        if not mp:
            continue
        nh = None
        for line in mp:
            m = re.match(r"\s+Next hop: (\S+)", line)
            if m:
                nh = m.group(1)
        # one text block per community, as tshark prints it
        ecom = ["\n".join(l.strip() for l in b)
                for b in _blocks(attrs.get("EXTENDED_COMMUNITIES", []), 16, "")]
        pmsi = "\n".join(attrs.get("PMSI_TUNNEL_ATTRIBUTE", []))

        def grab(rx, s=pmsi):
            m = re.search(rx, s)
            return m.group(1) if m else None

        pm_label = grab(r"= MPLS Label: (\d+)")
        for nl in _blocks(mp, 16, "EVPN NLRI:"):
            body = "\n".join(nl)
            key = tuple(l.strip() for l in nl if "MPLS Label" not in l)
            routes[key] = {
                "nexthop": nh,
                "labels": [int(x) for x in _EVPN_LABEL_RE.findall(body)],
                "esi": grab(r"ESI: (\S+)", body),
                "ext_communities": ecom,
                "pmsi_type": grab(r"Tunnel Type: (.+)"),
                "pmsi_flags": grab(r"\n\s+Flags: (\d+)\n"),
                "pmsi_label": int(pm_label) if pm_label else None,
                "pmsi_endpoint": grab(r"IP end point: (\S+)"),
            }
    return routes
