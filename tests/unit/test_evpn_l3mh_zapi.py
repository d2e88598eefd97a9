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
):
    TestEvpnL3mhZapi.okfail(name)

TestEvpnL3mhZapi.exit_cleanly()
