// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: the pieces of the IGMP/MLD join sync that need no daemon
 * (draft-ietf-bess-evpn-l3mh-proto-00 section 3.7): the DF election per
 * <ES, Ethernet Tag> (RFC 7432 section 8.5 service carving), the
 * pimd <-> zebra <-> bgpd messages (lib/evpn_l3mh_zapi.h) and the query
 * schedule of the retention of section 4.
 */
#include <zebra.h>

#include "stream.h"
#include "lib/evpn_df.h"
#include "lib/evpn_l3mh_zapi.h"
#include "lib/evpn_mcast.h"
#include "tests/unit/l3mh_unit.h"

static struct ipaddr ip(const char *s)
{
	struct ipaddr a = {};

	str2ipaddr(s, &a);
	return a;
}

/* --- DF ------------------------------------------------------------------ */

static bool df_ordinal(const char **pes, int n, const char *self, int want, int want_n)
{
	struct in_addr a[8];
	int i, got;

	for (i = 0; i < n; i++)
		a[i] = a4(pes[i]);
	got = evpn_df_pe_ordinal(a, &n, a4(self));
	if (got != want || n != want_n)
		printf("  ordinal of %s: %d of %d, want %d of %d\n", self, got, n, want, want_n);
	return got == want && n == want_n;
}

/* both PEs of a two-PE ES agree: exactly one DF per VLAN, alternating */
static bool df_agree(void)
{
	const char *pes[] = { "10.0.0.2", "10.0.0.1" };
	struct in_addr a[2], b[2];
	int n1 = 2, n2 = 2, o1, o2;
	uint32_t vid;

	a[0] = a4(pes[0]), a[1] = a4(pes[1]);
	b[0] = a4(pes[1]), b[1] = a4(pes[0]);
	o1 = evpn_df_pe_ordinal(a, &n1, a4("10.0.0.1"));
	o2 = evpn_df_pe_ordinal(b, &n2, a4("10.0.0.2"));
	for (vid = 0; vid < 4095; vid++) {
		bool d1 = evpn_df_is_self(vid, n1, o1), d2 = evpn_df_is_self(vid, n2, o2);

		if (d1 == d2 || d2 != (vid & 1)) {
			printf("  vlan %u: pe1 %d pe2 %d\n", vid, d1, d2);
			return false;
		}
	}
	return true;
}

/* --- messages ------------------------------------------------------------ */

static bool gm_roundtrip(const char *src, const char *grp, uint8_t flags)
{
	struct l3mh_zapi_gm g = { .etag = 0x0640c8, .ifindex = 42, .flags = flags, .max_resp = 100 },
			    back;
	struct stream *s = stream_new(512);
	bool ok;

	memset(g.esi.val, 0x03, ESI_BYTES);
	g.src = ip(src);
	g.grp = ip(grp);
	l3mh_zapi_gm_encode(s, &g);
	ok = l3mh_zapi_gm_decode(s, &back) && !memcmp(&back.esi, &g.esi, sizeof(g.esi)) &&
	     back.etag == g.etag && back.ifindex == 42 && !ipaddr_cmp(&back.src, &g.src) &&
	     !ipaddr_cmp(&back.grp, &g.grp) && back.flags == flags && back.max_resp == 100 &&
	     !STREAM_READABLE(s);
	stream_free(s);
	return ok;
}

static bool gm_rejects_mixed_family(void)
{
	struct l3mh_zapi_gm g = {}, back;
	struct stream *s = stream_new(512);
	bool ok;

	g.src = ip("2001:db8::1");
	g.grp = ip("239.1.1.1");
	l3mh_zapi_gm_encode(s, &g);
	ok = !l3mh_zapi_gm_decode(s, &back);
	stream_free(s);
	return ok;
}

static bool gm_rejects_truncated(void)
{
	struct l3mh_zapi_gm g = {}, back;
	struct stream *s = stream_new(512), *t;
	size_t len, cut;
	bool ok = true;

	g.src = ip("0.0.0.0");
	g.grp = ip("239.1.1.1");
	l3mh_zapi_gm_encode(s, &g);
	len = stream_get_endp(s);
	for (cut = 0; cut < len; cut++) {
		t = stream_new(512);
		stream_put(t, STREAM_DATA(s), cut);
		if (l3mh_zapi_gm_decode(t, &back)) {
			printf("  decoded %zu of %zu octets\n", cut, len);
			ok = false;
		}
		stream_free(t);
	}
	stream_free(s);
	return ok;
}

static bool es_df_roundtrip(uint16_t n, uint16_t ordinal, bool want_ok)
{
	struct l3mh_zapi_es_df d = { .n_pes = n, .ordinal = ordinal }, back;
	struct stream *s = stream_new(64);
	bool ok;

	memset(d.esi.val, 0xe1, ESI_BYTES);
	l3mh_zapi_es_df_encode(s, &d);
	ok = l3mh_zapi_es_df_decode(s, &back);
	if (ok)
		ok = back.n_pes == n && back.ordinal == ordinal &&
		     !memcmp(&back.esi, &d.esi, sizeof(d.esi));
	stream_free(s);
	return ok == want_ok;
}

static bool gm_if_roundtrip(bool es, bool df, uint16_t retention)
{
	struct l3mh_zapi_gm_if g = { .ifindex = 7, .es = es, .df = df, .retention = retention },
			       back;
	struct stream *s = stream_new(64);
	bool ok;

	l3mh_zapi_gm_if_encode(s, &g);
	ok = l3mh_zapi_gm_if_decode(s, &back) && back.ifindex == 7 && back.es == es &&
	     back.df == df && back.retention == retention;
	stream_free(s);
	return ok;
}

static bool gm_if_rejects_truncated(void)
{
	struct l3mh_zapi_gm_if g = { .ifindex = 7, .es = true, .retention = 30 }, back;
	struct stream *s = stream_new(64);
	bool ok;

	l3mh_zapi_gm_if_encode(s, &g);
	/* the retention time cut off */
	stream_set_endp(s, stream_get_endp(s) - 1);
	ok = !l3mh_zapi_gm_if_decode(s, &back);
	stream_free(s);
	return ok;
}

int main(void)
{
	const char *two[] = { "10.0.0.2", "10.0.0.1" };
	const char *three[] = { "192.0.2.30", "10.0.0.9", "172.16.0.1" };
	const char *dup[] = { "10.0.0.1", "10.0.0.2", "10.0.0.1" };

	result("two PEs: 10.0.0.1 is PE 0", df_ordinal(two, 2, "10.0.0.1", 0, 2));
	result("two PEs: 10.0.0.2 is PE 1", df_ordinal(two, 2, "10.0.0.2", 1, 2));
	result("numeric order, not text order", df_ordinal(three, 3, "192.0.2.30", 2, 3) &&
							df_ordinal(three, 3, "172.16.0.1", 1, 3));
	result("a PE named twice counts once", df_ordinal(dup, 3, "10.0.0.2", 1, 2));
	result("self not among the PEs is -1", df_ordinal(two, 2, "10.0.0.3", -1, 2));
	result("vlan 1 of 2 PEs: PE 1", evpn_df_is_self(1, 2, 1) && !evpn_df_is_self(1, 2, 0));
	result("vlan 0 (untagged) of 2 PEs: PE 0", evpn_df_is_self(0, 2, 0));
	result("double tag 100.200 of 3 PEs: PE 0x0640c8 mod 3",
	       evpn_df_is_self(0x0640c8, 3, 0x0640c8 % 3));
	result("one PE is DF of every vlan",
	       evpn_df_is_self(1, 1, 0) && evpn_df_is_self(4094, 1, 0));
	result("no PEs: nobody is DF", !evpn_df_is_self(1, 0, 0));
	result("two PEs agree on one DF per vlan", df_agree());

	result("GM message IPv4 (*,G) round trip",
	       gm_roundtrip("0.0.0.0", "239.1.1.1", EVPN_MCAST_FLAG_V2));
	result("GM message IPv4 (S,G) round trip",
	       gm_roundtrip("203.0.113.130", "232.1.1.1", EVPN_MCAST_FLAG_V3));
	result("GM message IPv6 (S,G) round trip",
	       gm_roundtrip("2001:db8:3:80::2", "ff3e::1:1", EVPN_MCAST_FLAG_V2));
	result("GM message IPv6 (*,G) exclude round trip",
	       gm_roundtrip("::", "ff0e::1:1", EVPN_MCAST_FLAG_V2 | EVPN_MCAST_FLAG_IE));
	result("GM message with source and group of two families rejected",
	       gm_rejects_mixed_family());
	result("GM message cut short rejected", gm_rejects_truncated());
	result("ES DF round trip", es_df_roundtrip(2, 1, true));
	result("ES DF n 0 (no sync) round trip", es_df_roundtrip(0, 0, true));
	result("ES DF ordinal beyond n rejected", es_df_roundtrip(2, 2, false));
	result("GM interface round trip", gm_if_roundtrip(true, false, 0) &&
						  gm_if_roundtrip(true, true, 20) &&
						  gm_if_roundtrip(false, false, 3600));
	result("GM interface cut short rejected", gm_if_rejects_truncated());
	result("retention queries: 4 in 20 s, every 5 s", l3mh_retain_query_msec(20) == 5000);
	result("retention queries: at most 10 s apart", l3mh_retain_query_msec(3600) == 10000);
	result("retention queries: at least 1 s apart",
	       l3mh_retain_query_msec(1) == 1000 && l3mh_retain_query_msec(3) == 1000);

	return failures ? 1 : 0;
}
