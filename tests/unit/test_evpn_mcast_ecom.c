// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: bgpd's extended community printer for the RFC 9251 ECs
 * (section 9.4 Multicast Flags, section 9.5 EVI-RT types 0-3), in the
 * style of FRR's tests/bgpd/test_ecommunity.c: parse the octets as the
 * attribute parser does, print as "show bgp" does.
 */
#include <zebra.h>

#include "bgpd/bgpd.h"
#include "bgpd/bgp_ecommunity.h"

static int failures;

static void check(const char *name, const char *hex, bool ipv6, const char *want)
{
	uint8_t buf[64];
	size_t n = strlen(hex) / 2;
	struct ecommunity *ecom;
	unsigned int b;
	const char *got;
	bool ok;

	assert(n <= sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		buf[i] = b;
	}
	ecom = ipv6 ? ecommunity_parse_ipv6(buf, n) : ecommunity_parse(buf, n, false);
	got = ecom ? ecommunity_str(ecom) : "(parse error)";
	ok = !strcmp(got, want);
	if (!ok)
		printf("  got  %s\n  want %s\n", got, want);
	printf("%s: %s\n", name, ok ? "OK" : "failed");
	if (!ok)
		failures++;
	if (ecom)
		ecommunity_free(&ecom);
}

int main(void)
{
	ecommunity_init();

	check("multicast flags I and M", "0609000300000000", false,
	      "MCAST-FLAGS:IGMP-proxy,MLD-proxy");
	check("multicast flags I", "0609000100000000", false, "MCAST-FLAGS:IGMP-proxy");
	check("multicast flags M", "0609000200000000", false, "MCAST-FLAGS:MLD-proxy");
	check("multicast flags none", "0609000000000000", false, "MCAST-FLAGS:none");
	check("multicast flags unknown bit", "0609000400000000", false, "MCAST-FLAGS:0x0004");
	check("EVI-RT type 0", "060afde800002774", false, "EVI-RT:65000:10100");
	check("EVI-RT type 1", "060bc00002010064", false, "EVI-RT:192.0.2.1:100");
	check("EVI-RT type 2", "060cfa56ea000064", false, "EVI-RT:4200000000:100");
	check("EVI-RT type 3 (IPv6 EC)", "060d20010db80000000000000000000000010064", true,
	      "EVI-RT:2001:db8::1:100");
	/* kept in octet order, as bgpd stores them */
	check("ES-Import RT with EVI-RT and flags",
	      "0602001122334455060afde8000027740609000100000000", false,
	      "ES-Import-Rt:00:11:22:33:44:55 MCAST-FLAGS:IGMP-proxy EVI-RT:65000:10100");
	return failures ? 1 : 0;
}
