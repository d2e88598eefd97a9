import frrtest


class TestEvpnDf(frrtest.TestMultiOut):
    program = "./test_evpn_df"


for name in (
    "DF EC: preference, port mode, don't preempt, 100",
    "DF EC: FRR's own, preference 32767",
    "DF EC: modulus, port mode",
    "DF EC: round trip",
    "DF EC: the ESI Label EC is not one",
    "DF EC: found among others, reserved bits of DF Alg ignored",
    "DF EC: none among others",
    "DF EC: algorithm names",
    "ESI value: bytes 3-6",
    "ESI value: type 3, the low four octets of the system MAC",
    "modulus: V even, 2 PEs: the lower IP",
    "modulus: V odd, 2 PEs: the higher IP",
    "modulus: both PEs elect the same one, whatever their order",
    "modulus: 3 PEs, numeric order, a PE named twice counts once",
    "modulus: 3 PEs, V mod 3 = 1",
    "HRW is taken as modulus",
    "preference: the highest",
    "preference: a tie goes to the lowest IP",
    "preference: a tie goes to Don't Preempt first",
    "preference: a returning PE with the DF's preference and no DP loses",
    "no PEs: no DF",
    "one PE: it is the DF",
):
    TestEvpnDf.okfail(name)

TestEvpnDf.exit_cleanly()
