import frrtest


class TestEvpnOptbLabel(frrtest.TestMultiOut):
    program = "./test_evpn_optb_label"


for name in (
    "label value of 00 bb a1 is 3002",
    "label value of ff ff f5 is 1048575",
    "local label 16 replaces 3002, BOS kept",
    "local label keeps EXP and BOS bits",
    "label 0 does not forward",
    "label 15 does not forward",
    "label 3002 forwards",
    "RT-1 per EVI: one swap",
    "RT-1 per ES (label 0): none",
    "RT-2 one label: label1",
    "RT-2 two labels: two swaps",
    "RT-2 label2 0: label1 only",
    "RT-3 ingress replication: PMSI label",
    "RT-3 other tunnel type: none",
    "RT-4: none",
    "RT-5 label: one swap",
    "RT-5 label 0 (overlay index): none",
    "slot names",
):
    TestEvpnOptbLabel.okfail(name)

TestEvpnOptbLabel.exit_cleanly()
