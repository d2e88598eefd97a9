import frrtest


class TestEvpnMcastEcom(frrtest.TestMultiOut):
    program = "./test_evpn_mcast_ecom"


for name in (
    "multicast flags I and M",
    "multicast flags I",
    "multicast flags M",
    "multicast flags none",
    "multicast flags unknown bit",
    "EVI-RT type 0",
    "EVI-RT type 1",
    "EVI-RT type 2",
    "EVI-RT type 3 (IPv6 EC)",
    "ES-Import RT with EVI-RT and flags",
):
    TestEvpnMcastEcom.okfail(name)

TestEvpnMcastEcom.exit_cleanly()
