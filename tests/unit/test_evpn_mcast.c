// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: the EVPN multicast route codec of RFC 9251 sections 9.1-9.3
 * (SMET, Multicast Membership Report Synch, Multicast Leave Synch) in
 * lib/evpn_mcast.c, with the vectors of the project's WIRE.md section 7
 * (valid and malformed): decode, encode again to the same octets, %pFX,
 * JSON, the route key (compare/hash) and the constructors for modules;
 * the key's size (FRR's struct prefix does not grow) and the store of its
 * IPv6 addresses (handles, holds by table nodes, the sweep).
 */
#include <zebra.h>

#include "lib/evpn_mcast.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/printfrr.h"
#include "lib/stream.h"
#include "lib/table.h"
#include "tests/unit/l3mh_unit.h"

static size_t from_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;
	unsigned int b;

	assert(n <= max);
	for (size_t i = 0; i < n; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = b;
	}
	return n;
}

static bool str_eq(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		printf("  %s: got  %s\n  %s: want %s\n", what, got, what, want);
		return false;
	}
	return true;
}

/* decode a full NLRI (Type, Length, body) */
static enum evpn_mcast_decode_result decode(const char *hex, struct prefix_rd *prd,
					    struct prefix_evpn *p, struct evpn_mcast_attr *ma)
{
	uint8_t buf[128];
	size_t n = from_hex(hex, buf, sizeof(buf));
	const char *why = NULL;
	enum evpn_mcast_decode_result res;

	assert(n >= 2 && buf[1] == n - 2);
	res = evpn_mcast_decode(buf[0], buf + 2, buf[1], prd, p, ma, &why);
	if (res != EVPN_MCAST_DECODE_OK)
		printf("  decode: %s\n", why);
	return res;
}

/* decode, encode again, print, JSON */
static bool valid(const char *hex, const char *want_str, const char *want_json, uint8_t want_flags,
		  uint8_t want_max_resp)
{
	struct prefix_rd prd;
	struct prefix_evpn p;
	struct evpn_mcast_attr ma;
	struct stream *s;
	char got[256], str[EVPN_MCAST_PREFIX_STRLEN];
	struct json_object *json;
	bool ok = true;

	if (decode(hex, &prd, &p, &ma) != EVPN_MCAST_DECODE_OK)
		return false;

	/* RD 1:192.0.2.1:100 */
	ok &= prd.val[0] == 0 && prd.val[1] == 1 && prd.val[2] == 192 && prd.val[7] == 100;
	ok &= ma.flags == want_flags && ma.max_resp_time == want_max_resp && ma.reserved == 0;

	s = stream_new(256);
	stream_putc(s, p.prefix.route_type);
	evpn_mcast_encode(s, &p, &prd, &ma);
	for (size_t i = 0; i < stream_get_endp(s); i++)
		snprintf(got + 2 * i, 3, "%02x", stream_getc_from(s, i));
	ok &= str_eq("encode", got, hex);
	ok &= stream_get_endp(s) == 2 + evpn_mcast_encoded_len(&p);
	stream_free(s);

	snprintfrr(str, sizeof(str), "%pFX", &p);
	ok &= str_eq("%pFX", str, want_str);

	json = json_object_new_object();
	evpn_mcast_prefix2json(&p, json);
	ok &= str_eq("json", json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN),
		     want_json);
	json_object_free(json);
	return ok;
}

static enum evpn_mcast_decode_result malformed(const char *hex)
{
	struct prefix_rd prd;
	struct prefix_evpn p;
	struct evpn_mcast_attr ma;

	return decode(hex, &prd, &p, &ma);
}

#define ESI_T1 "01:00:11:22:33:44:55:01:00:00"
#define RT7_V4 "07220001c0000201006401001122334455010000000000000020ef01010120c000020102"
#define RT8_V4 "08270001c0000201006401001122334455010000000000000020ef01010120c0000202000000000a02"
#define RT8_V6                                                                                     \
	"08430001c0000201006401001122334455010000000000008020010db800000000000000000000000580ff3e000000000000000000008000000120c000020200000000640a"

static void test_key(void)
{
	struct prefix_rd prd;
	struct prefix_evpn a, b, built;
	struct evpn_mcast_attr ma;
	struct ipaddr src, grp, orig;
	esi_t esi;
	struct route_table *table;
	struct route_node *n1, *n2;
	uint8_t buf[128];
	size_t n;

	/* RT-8: flags, Reserved and Maximum Response Time are not key */
	decode(RT8_V4, &prd, &a, &ma);
	n = from_hex(RT8_V4, buf, sizeof(buf));
	buf[n - 2] = 99;   /* max response time */
	buf[n - 1] = 0x04; /* flags */
	{
		const char *why;

		evpn_mcast_decode(buf[0], buf + 2, buf[1], &prd, &b, &ma, &why);
	}
	result("leave-sync key ignores flags and max response time",
	       ma.max_resp_time == 99 && ma.flags == 0x04 && prefix_same(&a, &b) &&
		       !prefix_cmp(&a, &b) && prefix_hash_key(&a) == prefix_hash_key(&b));

	/* RT-7 and RT-8 with the same fields are different routes */
	decode(RT7_V4, &prd, &b, &ma);
	b.prefix.mcast_key.orig = htonl(0xc0000202); /* 192.0.2.2 like the RT-8 */
	result("join-sync and leave-sync are different keys",
	       !prefix_same(&a, &b) && prefix_cmp(&a, &b));

	/* the ESI is part of the key of RT-7/8 */
	decode(RT7_V4, &prd, &a, &ma);
	decode(RT7_V4, &prd, &b, &ma);
	b.prefix.mcast_key.esi.val[9] = 1;
	result("join-sync key includes the ESI", !prefix_same(&a, &b));

	/* constructors give the decoded key octet for octet */
	memset(&esi, 0, sizeof(esi));
	from_hex("01001122334455010000", esi.val, sizeof(esi.val));
	str2ipaddr("239.1.1.1", &grp);
	str2ipaddr("192.0.2.1", &orig);
	evpn_join_sync_prefix_build(&built, &esi, 0, NULL, &grp, &orig);
	result("join-sync constructor equals decoded (*,G)", !memcmp(&built, &a, sizeof(built)));

	decode(RT8_V6, &prd, &a, &ma);
	str2ipaddr("2001:db8::5", &src);
	str2ipaddr("ff3e::8000:1", &grp);
	str2ipaddr("192.0.2.2", &orig);
	evpn_leave_sync_prefix_build(&built, &esi, 0, &src, &grp, &orig);
	result("leave-sync constructor equals decoded (S,G) v6", !memcmp(&built, &a, sizeof(built)));

	evpn_mcast_prefix_src(&built, &src);
	evpn_mcast_prefix_orig(&built, &orig);
	result("key accessors return the addresses",
	       IS_IPADDR_V6(&src) && IS_IPADDR_V4(&orig) &&
		       orig.ipaddr_v4.s_addr == htonl(0xc0000202));
	evpn_smet_prefix_build(&built, 7, NULL, &grp, &orig);
	evpn_mcast_prefix_src(&built, &src);
	result("smet constructor: (*,G) has no source and no ESI",
	       IS_IPADDR_NONE(&src) && built.prefix.mcast_key.eth_tag == 7 &&
		       built.prefix.mcast_key.src_len == 0 &&
		       !memcmp(&built.prefix.mcast_key.esi, &(esi_t){}, sizeof(esi_t)));

	/* a route table keeps the types apart and finds equal keys again */
	table = route_table_init();
	decode(RT7_V4, &prd, &a, &ma);
	decode(RT8_V4, &prd, &b, &ma);
	n1 = route_node_get(table, (struct prefix *)&a);
	n2 = route_node_get(table, (struct prefix *)&b);
	evpn_join_sync_prefix_build(&built, &esi, 0, NULL,
				    &(struct ipaddr){ .ipa_type = IPADDR_V4,
						      .ipaddr_v4 = { htonl(0xef010101) } },
				    &(struct ipaddr){ .ipa_type = IPADDR_V4,
						      .ipaddr_v4 = { htonl(0xc0000201) } });
	result("route table: RT-7 and RT-8 in different nodes, lookup by constructor",
	       n1 != n2 && route_node_lookup_maynull(table, (struct prefix *)&built) == n1);
	route_unlock_node(n1);
	route_unlock_node(n1);
	route_unlock_node(n2);
	route_table_finish(table);
}

/* FRR 10.3's sizes: every daemon's routes, and the EVPN prefix length
 * its JSON shows for route types 1-5
 */
static void test_sizes(void)
{
	struct prefix_evpn p;

	evpn_smet_prefix_build(&p, 0, NULL,
			       &(struct ipaddr){ .ipa_type = IPADDR_V4,
						 .ipaddr_v4 = { htonl(0xef010101) } },
			       &(struct ipaddr){ .ipa_type = IPADDR_V4,
						 .ipaddr_v4 = { htonl(0xc0000201) } });
	result("struct prefix and struct evpn_addr keep FRR's sizes",
	       sizeof(struct prefix) == 56 && sizeof(struct evpn_addr) == 44 &&
		       sizeof(struct prefix_evpn) <= sizeof(struct prefix));
	result("prefix length 352 like every EVPN route", p.prefixlen == 352);
}

static struct ipaddr v6(const char *s)
{
	struct ipaddr ip;

	str2ipaddr(s, &ip);
	return ip;
}

static void test_in6_store(void)
{
	struct prefix_evpn a, b, c;
	struct ipaddr src = v6("2001:db8:99::5"), grp = v6("ff3e::99:1"), orig = v6("2001:db8::1");
	struct ipaddr got;
	struct route_table *table;
	struct route_node *rn;
	size_t before;
	time_t now = monotime(NULL);
	char str[EVPN_MCAST_PREFIX_STRLEN];

	/* everything stored so far is unheld: start from an empty store */
	evpn_mcast_in6_sweep(now + EVPN_MCAST_IN6_GRACE);
	before = evpn_mcast_in6_count();
	evpn_join_sync_prefix_build(&a, NULL, 5, &src, &grp, &orig);
	evpn_join_sync_prefix_build(&b, NULL, 5, &src, &grp, &orig);
	result("in6 store: each IPv6 address stored once, equal keys equal octets",
	       evpn_mcast_in6_count() == before + 3 && !memcmp(&a, &b, sizeof(a)) &&
		       prefix_same(&a, &b) && prefix_hash_key(&a) == prefix_hash_key(&b));
	evpn_join_sync_prefix_build(&c, NULL, 5, &src, &orig, &orig);
	result("in6 store: another group is another key", !prefix_same(&a, &c));

	/* a table node holds its key: the sweep keeps the addresses */
	table = route_table_init();
	rn = route_node_get(table, (struct prefix *)&a);
	evpn_mcast_prefix_hold(&rn->p, true);
	evpn_mcast_in6_sweep(now + 10 * EVPN_MCAST_IN6_GRACE);
	evpn_mcast_prefix_grp(&b, &got);
	snprintfrr(str, sizeof(str), "%pFX", &b);
	result("in6 store: a held key survives the sweep",
	       evpn_mcast_in6_count() == before + 3 && IS_IPADDR_V6(&got) &&
		       !memcmp(&got.ipaddr_v6, &grp.ipaddr_v6, sizeof(got.ipaddr_v6)) &&
		       str_eq("%pFX", str,
			      "[7]:[00:00:00:00:00:00:00:00:00:00]:[5]:[128]:[2001:db8:99::5]:[128]:[ff3e::99:1]:[128]:[2001:db8::1]"));
	result("in6 store: lookup by an equal key built later",
	       route_node_lookup_maynull(table, (struct prefix *)&b) == rn);
	route_unlock_node(rn);

	/* let go: kept for the grace period, then freed */
	evpn_mcast_prefix_hold(&rn->p, false);
	route_unlock_node(rn);
	route_table_finish(table);
	now = monotime(NULL);
	evpn_mcast_in6_sweep(now + EVPN_MCAST_IN6_GRACE - 1);
	result("in6 store: an unheld address is kept for the grace period",
	       evpn_mcast_in6_count() == before + 3);
	evpn_mcast_in6_sweep(now + EVPN_MCAST_IN6_GRACE);
	evpn_mcast_prefix_grp(&b, &got);
	result("in6 store: then freed; a stale key reads :: and does not crash",
	       evpn_mcast_in6_count() == before && IS_IPADDR_V6(&got) &&
		       IN6_IS_ADDR_UNSPECIFIED(&got.ipaddr_v6));

	/* an unheld address that a new key uses again starts its grace
	 * period over: the sweep a new address of that same key runs must
	 * not free it (seen in the lab: a source address withdrawn earlier
	 * read :: in the next RT-7 with that source)
	 */
	now = monotime(NULL);
	evpn_join_sync_prefix_build(&a, NULL, 5, &src, &grp, &orig);
	sleep(2);
	evpn_join_sync_prefix_build(&b, NULL, 5, &src, &grp, &orig);
	evpn_mcast_in6_sweep(now + EVPN_MCAST_IN6_GRACE);
	evpn_mcast_prefix_src(&b, &got);
	result("in6 store: an address used again starts its grace period over",
	       evpn_mcast_in6_count() == before + 3 &&
		       !memcmp(&got.ipaddr_v6, &src.ipaddr_v6, sizeof(got.ipaddr_v6)));
	evpn_mcast_in6_sweep(monotime(NULL) + EVPN_MCAST_IN6_GRACE);
	result("in6 store: and is freed after it", evpn_mcast_in6_count() == before);
}

int main(void)
{
	result("smet (*,G) v4",
	       valid("06180001c00002010064000000000020ef01010120c000020102",
		     "[6]:[0]:[0]:[32]:[239.1.1.1]:[32]:[192.0.2.1]",
		     "{\"ethTag\":0,\"sourceLen\":0,\"groupLen\":32,\"group\":\"239.1.1.1\",\"originatorLen\":32,\"originator\":\"192.0.2.1\"}",
		     0x02, 0));
	result("join-sync (*,G) v4",
	       valid(RT7_V4, "[7]:[" ESI_T1 "]:[0]:[0]:[32]:[239.1.1.1]:[32]:[192.0.2.1]",
		     "{\"esi\":\"" ESI_T1
		     "\",\"ethTag\":0,\"sourceLen\":0,\"groupLen\":32,\"group\":\"239.1.1.1\",\"originatorLen\":32,\"originator\":\"192.0.2.1\"}",
		     0x02, 0));
	result("join-sync (S,G) v6",
	       valid("074a0001c0000201006401001122334455010000000000008020010db800000000000000000000000580ff3e00000000000000000000800000018020010db800000000000000000000000102",
		     "[7]:[" ESI_T1
		     "]:[0]:[128]:[2001:db8::5]:[128]:[ff3e::8000:1]:[128]:[2001:db8::1]",
		     "{\"esi\":\"" ESI_T1
		     "\",\"ethTag\":0,\"sourceLen\":128,\"source\":\"2001:db8::5\",\"groupLen\":128,\"group\":\"ff3e::8000:1\",\"originatorLen\":128,\"originator\":\"2001:db8::1\"}",
		     0x02, 0));
	result("leave-sync (*,G) v4",
	       valid(RT8_V4, "[8]:[" ESI_T1 "]:[0]:[0]:[32]:[239.1.1.1]:[32]:[192.0.2.2]",
		     "{\"esi\":\"" ESI_T1
		     "\",\"ethTag\":0,\"sourceLen\":0,\"groupLen\":32,\"group\":\"239.1.1.1\",\"originatorLen\":32,\"originator\":\"192.0.2.2\"}",
		     0x02, 10));
	result("leave-sync (S,G) v6 group, v4 originator",
	       valid(RT8_V6,
		     "[8]:[" ESI_T1
		     "]:[0]:[128]:[2001:db8::5]:[128]:[ff3e::8000:1]:[32]:[192.0.2.2]",
		     "{\"esi\":\"" ESI_T1
		     "\",\"ethTag\":0,\"sourceLen\":128,\"source\":\"2001:db8::5\",\"groupLen\":128,\"group\":\"ff3e::8000:1\",\"originatorLen\":32,\"originator\":\"192.0.2.2\"}",
		     0x0a, 100));

	/* WIRE.md section 7, malformed */
	result("join-sync group length 64 is discarded",
	       malformed(
		       "07260001c0000201006401001122334455010000000000000040000000000000000020c000020102") ==
		       EVPN_MCAST_DECODE_BAD);
	result("leave-sync without flags is treated as withdraw",
	       malformed(
		       "08260001c0000201006401001122334455010000000000000020ef01010120c0000202000000000a") ==
		       EVPN_MCAST_DECODE_KEY_ONLY);
	/* more framing-intact defects */
	result("smet with a trailing octet is treated as withdraw",
	       malformed("06190001c00002010064000000000020ef01010120c00002010200") ==
		       EVPN_MCAST_DECODE_KEY_ONLY);
	result("smet source length 24 is discarded",
	       malformed("061b0001c00002010064000000001801010120ef01010120c000020102") ==
		       EVPN_MCAST_DECODE_BAD);
	result("smet originator length 0 is discarded",
	       malformed("06140001c00002010064000000000020ef0101010002") == EVPN_MCAST_DECODE_BAD);
	result("join-sync cut inside the ESI is discarded",
	       malformed("070c0001c0000201006401001122") == EVPN_MCAST_DECODE_BAD);
	result("smet group address cut short is discarded",
	       malformed("06100001c00002010064000000000020ef01") == EVPN_MCAST_DECODE_BAD);
	result("leave-sync originator v6 length with v4 octets is discarded",
	       malformed(
		       "08270001c0000201006401001122334455010000000000000020ef01010180c0000202000000000a02") ==
		       EVPN_MCAST_DECODE_BAD);

	test_key();
	test_sizes();
	test_in6_store();

	{
		char buf[EVPN_MCAST_FLAGS_STRLEN];

		result("flags string",
		       !strcmp(evpn_mcast_flags2str(0x0a, buf, sizeof(buf)), "v2 exclude") &&
			       !strcmp(evpn_mcast_flags2str(0x04, buf, sizeof(buf)), "v3 include"));
	}
	return failures ? 1 : 0;
}
