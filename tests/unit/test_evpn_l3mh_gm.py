import frrtest


class TestEvpnL3mhGm(frrtest.TestMultiOut):
    program = "./test_evpn_l3mh_gm"


for name in (
    "two PEs: 10.0.0.1 is PE 0",
    "two PEs: 10.0.0.2 is PE 1",
    "numeric order, not text order",
    "a PE named twice counts once",
    "self not among the PEs is -1",
    "vlan 1 of 2 PEs: PE 1",
    "vlan 0 (untagged) of 2 PEs: PE 0",
    "double tag 100.200 of 3 PEs: PE 0x0640c8 mod 3",
    "one PE is DF of every vlan",
    "no PEs: nobody is DF",
    "two PEs agree on one DF per vlan",
    "GM message IPv4 (*,G) round trip",
    "GM message IPv4 (S,G) round trip",
    "GM message IPv6 (S,G) round trip",
    "GM message IPv6 (*,G) exclude round trip",
    "GM message with source and group of two families rejected",
    "GM message cut short rejected",
    "ES DF round trip",
    "ES DF n 0 (no sync) round trip",
    "ES DF ordinal beyond n rejected",
    "GM interface round trip",
    "GM interface cut short rejected",
    "retention queries: 4 in 20 s, every 5 s",
    "retention queries: at most 10 s apart",
    "retention queries: at least 1 s apart",
):
    TestEvpnL3mhGm.okfail(name)

TestEvpnL3mhGm.exit_cleanly()
