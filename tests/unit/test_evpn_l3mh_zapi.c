// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: the zebra <-> bgpd messages of ARP/ND and IGP route sync
 * (draft-ietf-bess-evpn-l3mh-proto-00 sections 3.5, 3.6 and 3.8;
 * lib/evpn_l3mh_zapi.h): each one read back as it was written, and
 * rejected when cut short.
 */
#include <zebra.h>

#include "stream.h"
#include "lib/evpn_l3mh_zapi.h"
#include "tests/unit/l3mh_unit.h"

static const esi_t esi1 = { .val = { 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0xe2, 0x00, 0x00, 0x02 } };

static bool enable_roundtrip(void)
{
	struct l3mh_zapi_enable en = { .enable = true, .retention = 15, .link_local = true }, back;
	struct stream *s = stream_new(64);
	bool ok;

	inet_pton(AF_INET, "10.0.0.1", &en.originator_ip);
	l3mh_zapi_enable_encode(s, &en);
	ok = l3mh_zapi_enable_decode(s, &back) && back.enable &&
	     back.originator_ip.s_addr == en.originator_ip.s_addr && back.retention == 15 &&
	     back.link_local;
	stream_free(s);
	return ok;
}

static bool neigh_roundtrip(const char *addr)
{
	struct l3mh_zapi_neigh n = { .esi = esi1, .etag = 100, .ifindex = 9 }, back;
	struct stream *s = stream_new(128);
	bool ok;

	str2ipaddr(addr, &n.ip);
	n.mac.octet[0] = 0x02;
	n.mac.octet[5] = 0x11;
	l3mh_zapi_neigh_encode(s, &n);
	ok = l3mh_zapi_neigh_decode(s, &back) && !memcmp(&back.esi, &esi1, sizeof(esi1)) &&
	     back.etag == 100 && !ipaddr_cmp(&back.ip, &n.ip) &&
	     !memcmp(&back.mac, &n.mac, sizeof(n.mac)) && back.ifindex == 9;
	stream_free(s);
	return ok;
}

static bool es_if_roundtrip(bool es, bool up)
{
	struct l3mh_zapi_es_if ei = { .ifindex = 12,
				      .esi = esi1,
				      .etag = 0x0640c8,
				      .es = es,
				      .up = up },
			       back;
	struct stream *s = stream_new(64);
	bool ok;

	l3mh_zapi_es_if_encode(s, &ei);
	ok = l3mh_zapi_es_if_decode(s, &back) && back.ifindex == 12 &&
	     !memcmp(&back.esi, &esi1, sizeof(esi1)) && back.etag == 0x0640c8 && back.es == es &&
	     back.up == up;
	stream_free(s);
	return ok;
}

/* every message cut one octet short of its end is rejected */
static bool es_if_rejects_truncated(void)
{
	struct l3mh_zapi_es_if ei = { .ifindex = 12, .esi = esi1, .es = true }, back;
	struct stream *s = stream_new(64), *cut;
	bool ok;

	l3mh_zapi_es_if_encode(s, &ei);
	cut = stream_new(64);
	stream_put(cut, STREAM_DATA(s), stream_get_endp(s) - 1);
	ok = !l3mh_zapi_es_if_decode(cut, &back);
	stream_free(s);
	stream_free(cut);
	return ok;
}

static bool es_mode_roundtrip(const struct l3mh_zapi_es_mode *m)
{
	struct l3mh_zapi_es_mode back;
	struct stream *s = stream_new(64), *cut = stream_new(64);
	bool ok;

	l3mh_zapi_es_mode_encode(s, m);
	stream_put(cut, STREAM_DATA(s), stream_get_endp(s) - 1);
	ok = l3mh_zapi_es_mode_decode(s, &back) && !memcmp(&back.esi, &m->esi, sizeof(esi_t)) &&
	     back.mode == m->mode && back.standby == m->standby && back.df_all == m->df_all &&
	     back.n_pes == m->n_pes && back.ordinal == m->ordinal &&
	     !l3mh_zapi_es_mode_decode(cut, &back);
	stream_free(s);
	stream_free(cut);
	return ok;
}

static bool es_mode_rejected(const struct l3mh_zapi_es_mode *m)
{
	struct l3mh_zapi_es_mode back;
	struct stream *s = stream_new(64);
	bool ok;

	l3mh_zapi_es_mode_encode(s, m);
	ok = !l3mh_zapi_es_mode_decode(s, &back);
	stream_free(s);
	return ok;
}

static bool neigh_rejects_truncated(void)
{
	struct l3mh_zapi_neigh n = { .esi = esi1 }, back;
	struct stream *s = stream_new(128), *cut;
	bool ok;

	str2ipaddr("10.1.2.3", &n.ip);
	l3mh_zapi_neigh_encode(s, &n);
	cut = stream_new(128);
	stream_put(cut, STREAM_DATA(s), stream_get_endp(s) - 1);
	ok = !l3mh_zapi_neigh_decode(cut, &back);
	stream_free(s);
	stream_free(cut);
	return ok;
}

int main(void)
{
	result("ENABLE round trip", enable_roundtrip());
	result("neighbour IPv4 round trip", neigh_roundtrip("192.168.10.1"));
	result("neighbour IPv6 round trip", neigh_roundtrip("2001:db8:10::1"));
	result("neighbour cut short rejected", neigh_rejects_truncated());
	result("ES interface round trip", es_if_roundtrip(true, true) &&
						  es_if_roundtrip(true, false) &&
						  es_if_roundtrip(false, false));
	result("ES interface cut short rejected", es_if_rejects_truncated());
	result("ES_IF and ES_IF_REPLAY are named",
	       !strcmp(l3mh_zapi_type2str(L3MH_ZAPI_ES_IF), "ES_IF") &&
		       !strcmp(l3mh_zapi_type2str(L3MH_ZAPI_ES_IF_REPLAY), "ES_IF_REPLAY"));
	result("ES mode round trip, cut short rejected",
	       es_mode_roundtrip(&(struct l3mh_zapi_es_mode){ .esi = esi1 }) &&
		       es_mode_roundtrip(&(struct l3mh_zapi_es_mode){
			       .esi = esi1, .mode = L3MH_ZAPI_ES_PORT_ACTIVE, .standby = true }) &&
		       es_mode_roundtrip(
			       &(struct l3mh_zapi_es_mode){ .esi = esi1,
							    .mode = L3MH_ZAPI_ES_SINGLE_ACTIVE,
							    .n_pes = 3,
							    .ordinal = 2 }) &&
		       es_mode_roundtrip(&(struct l3mh_zapi_es_mode){
			       .esi = esi1, .mode = L3MH_ZAPI_ES_SINGLE_ACTIVE, .df_all = true }));
	result("ES mode: standby not port-active, carving not single-active, ordinal beyond n, "
	       "unknown mode rejected",
	       es_mode_rejected(&(struct l3mh_zapi_es_mode){
		       .esi = esi1, .mode = L3MH_ZAPI_ES_SINGLE_ACTIVE, .standby = true }) &&
		       es_mode_rejected(&(struct l3mh_zapi_es_mode){
			       .esi = esi1, .mode = L3MH_ZAPI_ES_PORT_ACTIVE, .df_all = true }) &&
		       es_mode_rejected(
			       &(struct l3mh_zapi_es_mode){ .esi = esi1,
							    .mode = L3MH_ZAPI_ES_SINGLE_ACTIVE,
							    .n_pes = 2,
							    .ordinal = 2 }) &&
		       es_mode_rejected(&(struct l3mh_zapi_es_mode){ .esi = esi1, .mode = 3 }));
	result("ES mode: single-active DF per Ethernet Tag",
	       l3mh_zapi_es_mode_df(&(struct l3mh_zapi_es_mode){ .n_pes = 2, .ordinal = 1 }, 1) &&
		       !l3mh_zapi_es_mode_df(&(struct l3mh_zapi_es_mode){ .n_pes = 2, .ordinal = 1 },
					     2) &&
		       l3mh_zapi_es_mode_df(&(struct l3mh_zapi_es_mode){ .df_all = true }, 7) &&
		       !l3mh_zapi_es_mode_df(&(struct l3mh_zapi_es_mode){}, 0));
	result("ES_MODE is named", !strcmp(l3mh_zapi_type2str(L3MH_ZAPI_ES_MODE), "ES_MODE"));

	return failures ? 1 : 0;
}
