import frrtest


class TestEvpnL3mhImport(frrtest.TestMultiOut):
    program = "./test_evpn_l3mh_import"


for name in (
    "ES-Import + EVI-RT of a local ES and VRF: import",
    "foreign ES-Import RT: treat-as-withdraw",
    "ESI of a non-local ES: treat-as-withdraw",
    "EVI-RT of no local VRF: treat-as-withdraw",
    "two EVI-RTs: treat-as-withdraw",
    "ES-Import without EVI-RT: treat-as-withdraw",
    "EVI-RT without ES-Import: treat-as-withdraw",
    "ESI 0 with ES-Import: treat-as-withdraw",
    "MAX-ESI with ES-Import: treat-as-withdraw",
    "IP-VRF RT of a local ES: import",
    "IP-VRF RT with ESI 0: treat-as-withdraw",
    "IP-VRF RT with MAX-ESI: treat-as-withdraw",
    "IP-VRF RT of a non-local ES: treat-as-withdraw",
    "RT of an ES-Import-mode VRF alone: not a sync route",
    "no communities: not a sync route",
    "ES-Import + EVI-RT type 3 of a local VRF: import",
    "EVI-RT type 3 of no local VRF: treat-as-withdraw",
    "EVI-RT types 0 and 3 together: treat-as-withdraw",
    "EVI-RT type 3 of a non-local ES: treat-as-withdraw",
    "IPv6 IP-VRF RT of a local ES: import",
    "IPv6 IP-VRF RT with ESI 0: treat-as-withdraw",
    "no ESI, ES-Import + EVI-RT of a local ES and VRF: import",
    "no ESI, foreign ES-Import RT: treat-as-withdraw",
    "no ESI, EVI-RT without ES-Import: treat-as-withdraw",
    "no ESI, EVI-RT of no local VRF: treat-as-withdraw",
    "no ESI, IP-VRF RT: import",
    "no ESI, RT of no VRF: not a sync route",
    "RT-5 with an overlay index and ES-Import + EVI-RT: sync",
    "RT-5 with an overlay index and an IP-VRF RT: sync",
    "RT-5 without an overlay index: not sync",
    "RT-5 with a Router's MAC: not sync",
    "RT-5 with a VXLAN Encapsulation EC: not sync",
    "RT-5 with an MPLS Encapsulation EC: not sync",
):
    TestEvpnL3mhImport.okfail(name)

TestEvpnL3mhImport.exit_cleanly()
