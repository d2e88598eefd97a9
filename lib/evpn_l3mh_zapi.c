// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: zebra <-> bgpd extension messages
 * (draft-brissette-bess-evpn-l3-mh, sections 3.4-3.6).
 */
#include <zebra.h>

#include "evpn_l3mh_zapi.h"

const char *l3mh_zapi_type2str(uint16_t type)
{
	switch (type) {
	case L3MH_ZAPI_ENABLE:
		return "ENABLE";
	case L3MH_ZAPI_LOCAL_NEIGH_ADD:
		return "LOCAL_NEIGH_ADD";
	case L3MH_ZAPI_LOCAL_NEIGH_DEL:
		return "LOCAL_NEIGH_DEL";
	case L3MH_ZAPI_SYNC_NEIGH_ADD:
		return "SYNC_NEIGH_ADD";
	case L3MH_ZAPI_SYNC_NEIGH_DEL:
		return "SYNC_NEIGH_DEL";
	case L3MH_ZAPI_REPLAY:
		return "REPLAY";
	case L3MH_ZAPI_REPLAY_DONE:
		return "REPLAY_DONE";
	}
	return "unknown";
}

void l3mh_zapi_enable_encode(struct stream *s, const struct l3mh_zapi_enable *en)
{
	stream_putc(s, en->enable);
	stream_put_in_addr(s, &en->originator_ip);
	stream_putw(s, en->retention);
}

bool l3mh_zapi_enable_decode(struct stream *s, struct l3mh_zapi_enable *en)
{
	uint8_t enable;

	STREAM_GETC(s, enable);
	en->enable = !!enable;
	STREAM_GET(&en->originator_ip, s, sizeof(en->originator_ip));
	STREAM_GETW(s, en->retention);
	return true;

stream_failure:
	return false;
}

void l3mh_zapi_neigh_encode(struct stream *s, const struct l3mh_zapi_neigh *n)
{
	stream_put(s, n->esi.val, ESI_BYTES);
	stream_putl(s, n->etag);
	stream_put_ipaddr(s, &n->ip);
	stream_put(s, n->mac.octet, ETH_ALEN);
	stream_putl(s, n->ifindex);
}

bool l3mh_zapi_neigh_decode(struct stream *s, struct l3mh_zapi_neigh *n)
{
	memset(n, 0, sizeof(*n));
	STREAM_GET(n->esi.val, s, ESI_BYTES);
	STREAM_GETL(s, n->etag);
	STREAM_GET_IPADDR(s, &n->ip);
	STREAM_GET(n->mac.octet, s, ETH_ALEN);
	STREAM_GETL(s, n->ifindex);
	return true;

stream_failure:
	return false;
}
