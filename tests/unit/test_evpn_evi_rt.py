import frrtest


class TestEvpnEviRt(frrtest.TestMultiOut):
    program = "./test_evpn_evi_rt"


for name in (
    "type 0 from AS2 RT 65000:10100",
    "type 1 from IPv4 RT 192.0.2.1:100",
    "type 2 from AS4 RT 4200000000:100",
    "route origin is no RT",
    "opaque type is no RT",
    "ES-Import RT recognised",
    "type 3 is an EVI-RT but has no 8-octet RT",
    "multicast flags is no EVI-RT",
    "type 3 from IPv6 RT 2001:db8::1:100",
    "IPv6 route origin is no RT",
    "type 0 is no type 3",
    "multicast flags I+M encode",
    "multicast flags decode IGMP proxy",
    "EVI-RT is no multicast flags",
):
    TestEvpnEviRt.okfail(name)

TestEvpnEviRt.exit_cleanly()
