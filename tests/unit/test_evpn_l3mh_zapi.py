import frrtest


class TestEvpnL3mhZapi(frrtest.TestMultiOut):
    program = "./test_evpn_l3mh_zapi"


for name in (
    "ENABLE round trip",
    "neighbour IPv4 round trip",
    "neighbour IPv6 round trip",
    "neighbour cut short rejected",
    "ES interface round trip",
    "ES interface cut short rejected",
    "ES_IF and ES_IF_REPLAY are named",
    "ES mode round trip, cut short rejected",
    "ES mode: standby not port-active, carving not single-active, ordinal beyond n, "
    "unknown mode rejected",
    "ES mode: single-active DF per Ethernet Tag",
    "ES_MODE is named",
):
    TestEvpnL3mhZapi.okfail(name)

TestEvpnL3mhZapi.exit_cleanly()
