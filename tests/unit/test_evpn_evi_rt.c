// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: EVI-RT extended community codec (RFC 9251 section 9.5),
 * with the vectors of the project's WIRE.md section 2.
 */
#include <zebra.h>

#include "bgpd/bgp_evpn_evi_rt.h"
#include "tests/unit/l3mh_unit.h"

static bool hex_eq(const uint8_t *got, const char *hex)
{
	char buf[17];
	int i;

	for (i = 0; i < 8; i++)
		snprintf(buf + 2 * i, 3, "%02x", got[i]);
	if (strcmp(buf, hex))
		printf("  got %s want %s\n", buf, hex);
	return !strcmp(buf, hex);
}

static void from_hex(const char *hex, uint8_t out[8])
{
	int i;
	unsigned int b;

	for (i = 0; i < 8; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = b;
	}
}

static bool roundtrip(const char *rt_hex, const char *evi_hex)
{
	uint8_t rt[8], evi[8], back[8];

	from_hex(rt_hex, rt);
	return evi_rt_from_rt(rt, evi) && hex_eq(evi, evi_hex) &&
	       evi_rt_is(evi) && !es_import_rt_is(evi) &&
	       evi_rt_to_rt(evi, back) && hex_eq(back, rt_hex);
}

int main(void)
{
	uint8_t v[8], out[8];

	result("type 0 from AS2 RT 65000:10100",
	       roundtrip("0002fde800002774", "060afde800002774"));
	result("type 1 from IPv4 RT 192.0.2.1:100",
	       roundtrip("0102c00002010064", "060bc00002010064"));
	result("type 2 from AS4 RT 4200000000:100",
	       roundtrip("0202fa56ea000064", "060cfa56ea000064"));

	from_hex("0003fde800002774", v); /* route origin, not a target */
	result("route origin is no RT", !evi_rt_from_rt(v, out));
	from_hex("0302000000000008", v); /* opaque type */
	result("opaque type is no RT", !evi_rt_from_rt(v, out));
	from_hex("060200aabbccddee", v);
	result("ES-Import RT recognised", es_import_rt_is(v) && !evi_rt_is(v));
	from_hex("060d000000000000", v);
	result("type 3 is an EVI-RT but has no 8-octet RT",
	       evi_rt_is(v) && !evi_rt_to_rt(v, out));
	from_hex("0609000300000000", v); /* multicast flags */
	result("multicast flags is no EVI-RT", !evi_rt_is(v));

	{
		/* RFC 5701 RT 2001:db8::1:100 <-> EVI-RT type 3 */
		static const char rt6[] = "000220010db8000000000000000000000001"
					  "0064";
		static const char evi6[] = "060d20010db80000000000000000000000"
					   "010064";
		uint8_t a[EVI_RT6_SIZE], b[EVI_RT6_SIZE], c[EVI_RT6_SIZE];
		unsigned int x;

		for (int i = 0; i < EVI_RT6_SIZE; i++) {
			sscanf(rt6 + 2 * i, "%2x", &x);
			a[i] = x;
			sscanf(evi6 + 2 * i, "%2x", &x);
			c[i] = x;
		}
		result("type 3 from IPv6 RT 2001:db8::1:100",
		       evi_rt6_from_rt6(a, b) && !memcmp(b, c, sizeof(b)) &&
			       evi_rt6_to_rt6(b, c) && !memcmp(a, c, sizeof(a)));
		a[1] = 0x03; /* IPv6 route origin */
		result("IPv6 route origin is no RT", !evi_rt6_from_rt6(a, b));
		result("type 0 is no type 3",
		       !evi_rt6_to_rt6((uint8_t[EVI_RT6_SIZE]){ 0x06, 0x0a }, b));
	}
	{
		uint16_t flags = 0;

		mcast_flags_ec_encode(MCAST_FLAG_IGMP_PROXY | MCAST_FLAG_MLD_PROXY, out);
		result("multicast flags I+M encode", hex_eq(out, "0609000300000000"));
		from_hex("0609000100000000", v);
		result("multicast flags decode IGMP proxy",
		       mcast_flags_ec_decode(v, &flags) && flags == MCAST_FLAG_IGMP_PROXY);
		result("EVI-RT is no multicast flags",
		       !mcast_flags_ec_decode((const uint8_t *)"\x06\x0a\0\0\0\0\0\0", &flags));
	}

	return failures ? 1 : 0;
}
