// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: zebra <-> bgpd extension messages
 * (draft-ietf-bess-evpn-l3mh-proto-00, sections 3.4-3.8).
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
	case L3MH_ZAPI_GM_LOCAL_ADD:
		return "GM_LOCAL_ADD";
	case L3MH_ZAPI_GM_LOCAL_DEL:
		return "GM_LOCAL_DEL";
	case L3MH_ZAPI_GM_LEAVE:
		return "GM_LEAVE";
	case L3MH_ZAPI_GM_SYNC_ADD:
		return "GM_SYNC_ADD";
	case L3MH_ZAPI_GM_SYNC_DEL:
		return "GM_SYNC_DEL";
	case L3MH_ZAPI_GM_ES_DF:
		return "GM_ES_DF";
	case L3MH_ZAPI_GM_IF:
		return "GM_IF";
	case L3MH_ZAPI_GM_REPLAY:
		return "GM_REPLAY";
	case L3MH_ZAPI_GM_SYNC_LEAVE:
		return "GM_SYNC_LEAVE";
	case L3MH_ZAPI_ES_IF:
		return "ES_IF";
	case L3MH_ZAPI_ES_IF_REPLAY:
		return "ES_IF_REPLAY";
	case L3MH_ZAPI_ES_MODE:
		return "ES_MODE";
	}
	return "unknown";
}

void l3mh_zapi_enable_encode(struct stream *s, const struct l3mh_zapi_enable *en)
{
	stream_putc(s, en->enable);
	stream_put_in_addr(s, &en->originator_ip);
	stream_putw(s, en->retention);
	stream_putc(s, en->link_local);
}

bool l3mh_zapi_enable_decode(struct stream *s, struct l3mh_zapi_enable *en)
{
	uint8_t enable, link_local;

	STREAM_GETC(s, enable);
	en->enable = !!enable;
	STREAM_GET(&en->originator_ip, s, sizeof(en->originator_ip));
	STREAM_GETW(s, en->retention);
	STREAM_GETC(s, link_local);
	en->link_local = !!link_local;
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

void l3mh_zapi_gm_encode(struct stream *s, const struct l3mh_zapi_gm *g)
{
	stream_put(s, g->esi.val, ESI_BYTES);
	stream_putl(s, g->etag);
	stream_putl(s, g->ifindex);
	stream_put_ipaddr(s, &g->src);
	stream_put_ipaddr(s, &g->grp);
	stream_putc(s, g->flags);
	stream_putc(s, g->max_resp);
}

bool l3mh_zapi_gm_decode(struct stream *s, struct l3mh_zapi_gm *g)
{
	memset(g, 0, sizeof(*g));
	STREAM_GET(g->esi.val, s, ESI_BYTES);
	STREAM_GETL(s, g->etag);
	STREAM_GETL(s, g->ifindex);
	STREAM_GET_IPADDR(s, &g->src);
	STREAM_GET_IPADDR(s, &g->grp);
	STREAM_GETC(s, g->flags);
	STREAM_GETC(s, g->max_resp);
	/* source and group of one family */
	return g->src.ipa_type == g->grp.ipa_type;

stream_failure:
	return false;
}

void l3mh_zapi_es_df_encode(struct stream *s, const struct l3mh_zapi_es_df *df)
{
	stream_put(s, df->esi.val, ESI_BYTES);
	stream_putw(s, df->n_pes);
	stream_putw(s, df->ordinal);
}

bool l3mh_zapi_es_df_decode(struct stream *s, struct l3mh_zapi_es_df *df)
{
	memset(df, 0, sizeof(*df));
	STREAM_GET(df->esi.val, s, ESI_BYTES);
	STREAM_GETW(s, df->n_pes);
	STREAM_GETW(s, df->ordinal);
	return !df->n_pes || df->ordinal < df->n_pes;

stream_failure:
	return false;
}

void l3mh_zapi_gm_if_encode(struct stream *s, const struct l3mh_zapi_gm_if *gi)
{
	stream_putl(s, gi->ifindex);
	stream_putc(s, gi->es);
	stream_putc(s, gi->df);
	stream_putw(s, gi->retention);
}

bool l3mh_zapi_gm_if_decode(struct stream *s, struct l3mh_zapi_gm_if *gi)
{
	uint8_t es, df;

	memset(gi, 0, sizeof(*gi));
	STREAM_GETL(s, gi->ifindex);
	STREAM_GETC(s, es);
	STREAM_GETC(s, df);
	STREAM_GETW(s, gi->retention);
	gi->es = !!es;
	gi->df = !!df;
	return true;

stream_failure:
	return false;
}

void l3mh_zapi_es_if_encode(struct stream *s, const struct l3mh_zapi_es_if *ei)
{
	stream_putl(s, ei->ifindex);
	stream_put(s, ei->esi.val, ESI_BYTES);
	stream_putl(s, ei->etag);
	stream_putc(s, ei->es);
	stream_putc(s, ei->up);
}

bool l3mh_zapi_es_if_decode(struct stream *s, struct l3mh_zapi_es_if *ei)
{
	uint8_t es, up;

	memset(ei, 0, sizeof(*ei));
	STREAM_GETL(s, ei->ifindex);
	STREAM_GET(ei->esi.val, s, ESI_BYTES);
	STREAM_GETL(s, ei->etag);
	STREAM_GETC(s, es);
	STREAM_GETC(s, up);
	ei->es = !!es;
	ei->up = !!up;
	return true;

stream_failure:
	return false;
}

void l3mh_zapi_es_mode_encode(struct stream *s, const struct l3mh_zapi_es_mode *m)
{
	stream_put(s, m->esi.val, ESI_BYTES);
	stream_putc(s, m->mode);
	stream_putc(s, m->standby);
	stream_putc(s, m->df_all);
	stream_putw(s, m->n_pes);
	stream_putw(s, m->ordinal);
}

bool l3mh_zapi_es_mode_decode(struct stream *s, struct l3mh_zapi_es_mode *m)
{
	uint8_t sb, all;

	memset(m, 0, sizeof(*m));
	STREAM_GET(m->esi.val, s, ESI_BYTES);
	STREAM_GETC(s, m->mode);
	STREAM_GETC(s, sb);
	STREAM_GETC(s, all);
	STREAM_GETW(s, m->n_pes);
	STREAM_GETW(s, m->ordinal);
	m->standby = !!sb;
	m->df_all = !!all;
	/* a standby only of a port-active ES, a carving only of a
	 * single-active one, an ordinal among the PEs
	 */
	if (m->mode > L3MH_ZAPI_ES_PORT_ACTIVE ||
	    (m->standby && m->mode != L3MH_ZAPI_ES_PORT_ACTIVE) ||
	    ((m->df_all || m->n_pes) && m->mode != L3MH_ZAPI_ES_SINGLE_ACTIVE) ||
	    (m->n_pes && m->ordinal >= m->n_pes))
		return false;
	return true;

stream_failure:
	return false;
}

void l3mh_zapi_gm_replay_encode(struct stream *s, uint8_t family)
{
	stream_putc(s, family);
}

bool l3mh_zapi_gm_replay_decode(struct stream *s, uint8_t *family)
{
	STREAM_GETC(s, *family);
	return *family == 0 || *family == AF_INET || *family == AF_INET6;

stream_failure:
	return false;
}
