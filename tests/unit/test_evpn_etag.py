import frrtest


class TestEvpnEtag(frrtest.TestMultiOut):
    program = "./test_evpn_etag"


for name in (
    "untagged is 0",
    "single tag vlan 1 is 1",
    "single tag vlan 4094 is 0xffe",
    "double tag 100.200 is 0x0640c8",
    "double tag 4094.1 is 0xffe001",
    "single tag vid 0 rejected",
    "single tag vid 4095 rejected",
    "double tag inner 0 rejected",
    "double tag outer 4095 rejected",
    "etag over 24 bits rejected",
    "etag with inner vid 0 rejected",
    "etag with inner vid 4095 rejected",
    "etag with outer vid 4095 rejected",
    "double tag prints as vlan 7.8",
    "untagged prints as untagged",
):
    TestEvpnEtag.okfail(name)

TestEvpnEtag.exit_cleanly()
