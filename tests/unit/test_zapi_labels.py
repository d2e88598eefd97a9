import frrtest


class TestZapiLabels(frrtest.TestMultiOut):
    program = "./test_zapi_labels"


for name in (
    "one nexthop, two labels: decoded over junk",
    "two nexthops, a backup, an FTN: decoded over junk",
    "no backups after a message with backups",
    "cut short: rejected",
):
    TestZapiLabels.okfail(name)

TestZapiLabels.exit_cleanly()
