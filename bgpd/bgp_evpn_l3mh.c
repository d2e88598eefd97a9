// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: the core of the evpn_l3mh module, under
 * its sync types (bgp_evpn_l3mh.h).
 *
 * draft-ietf-bess-evpn-l3mh-proto-00:
 *   3.2    route targets of sync routes: ES-Import RT + EVI-RT, or the
 *          IP-VRF's RTs (configured per VRF, and for the GRT)
 *   3.3    no EVI: the RD of the sync routes is generated locally
 *   3.4    L3 ES: RT-4 and ES peer discovery without any L2-VNI; its
 *          redundancy mode (1.6, requirements 6-8) in bgp_evpn_l3mh_es.c
 *   3.6.2  (and 3.7.2, 3.8.1, 3.8.2) the import decision for every received sync
 *          route: by RTs, into a local VRF; treat-as-withdraw (RFC 7606)
 *          of one that fails it
 *   4      the retention time of synced entries (zebra keeps them)
 *
 * It builds and withdraws this PE's sync routes for the types, sends the
 * types' messages to zebra's evpn_l3mh module and hands each received
 * route and zebra message to its type through the table below.
 */
#include <zebra.h>

#include "hash.h"
#include "jhash.h"
#include "json.h"
#include "lib/version.h"
#include "libfrr.h"
#include "module.h"
#include "vty.h"
#include "zclient.h"

#include "lib/evpn_l3mh_zapi.h"
#include "bgpd/bgpd.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_ecommunity.h"
#include "bgpd/bgp_evpn.h"
#include "bgpd/bgp_evpn_evi_rt.h"
#include "bgpd/bgp_evpn_l3mh.h"
#include "bgpd/bgp_evpn_l3mh_es.h"
#include "bgpd/bgp_evpn_l3mh_import.h"
#include "bgpd/bgp_evpn_mh.h"
#include "bgpd/bgp_evpn_private.h"
#include "bgpd/bgp_evpn_vty.h"
#include "bgpd/bgp_memory.h"
#include "bgpd/bgp_rd.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_vty.h"
#include "bgpd/bgp_zebra.h"

DEFINE_MTYPE_STATIC(BGPD, L3MH_VRF, "EVPN L3MH VRF config");
DEFINE_MTYPE_STATIC(BGPD, L3MH_ES_IF, "EVPN L3MH ES interface");

bool l3mh_debug;

/* the sync types: the core reaches them only through this table */
static const struct l3mh_sync_ops *const l3mh_types[L3MH_SYNC_MAX] = {
	[L3MH_SYNC_ARP_ND] = &l3mh_arp_nd_ops,
	[L3MH_SYNC_GM] = &l3mh_gm_ops,
	[L3MH_SYNC_IGP] = &l3mh_igp_ops,
};

#define L3MH_CALL(t, op, ...)                                                                      \
	do {                                                                                       \
		if (l3mh_types[t]->op)                                                             \
			l3mh_types[t]->op(__VA_ARGS__);                                            \
	} while (0)

static struct {
	bool enabled;		   /* l3-multihoming in the default instance */
	struct in_addr orig;	   /* configured originator IP, or 0 */
	uint16_t retention;	   /* retention time of synced entries, s */
	struct list *vrfs;	   /* struct l3mh_vrf */
	bool zebra_knows;	   /* ENABLE sent on this zebra session */
	bool link_local;	   /* zebra reports link-local neighbours */
	struct event *t_es_change; /* a local ES came or went */
	struct hash *es_ifs;	   /* struct l3mh_es_if, from zebra, by ifindex */
	struct hash *es_etag_ifs;  /* the same, by VRF, ESI and Ethernet Tag */
} l3mh;

/* an L3 ES (sub-)interface of this PE (draft 3.5), as zebra reports it */
struct l3mh_es_if {
	ifindex_t ifindex;
	vrf_id_t vrf_id;
	esi_t esi;
	uint32_t etag;
	bool up;
	/* in es_etag_ifs: the one of its (VRF, ESI, Ethernet Tag), which
	 * two have only while an interface is replaced
	 */
	bool by_etag;
};

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */
bool l3mh_enabled(void)
{
	return l3mh.enabled;
}

struct in_addr l3mh_originator_ip(void)
{
	struct bgp *bgp = bgp_get_evpn();

	if (l3mh.orig.s_addr)
		return l3mh.orig;
	return bgp ? bgp->router_id : (struct in_addr){};
}


uint16_t l3mh_retention_time(void)
{
	return l3mh.retention;
}

struct l3mh_vrf *l3mh_vrf_find(const struct bgp *bgp)
{
	struct listnode *node;
	struct l3mh_vrf *lv;

	for (ALL_LIST_ELEMENTS_RO(l3mh.vrfs, node, lv))
		if (lv->bgp == bgp)
			return lv;
	return NULL;
}

void l3mh_vrf_foreach(void (*fn)(struct l3mh_vrf *lv, void *arg), void *arg)
{
	struct listnode *node, *nnode;
	struct l3mh_vrf *lv;

	for (ALL_LIST_ELEMENTS(l3mh.vrfs, node, nnode, lv))
		fn(lv, arg);
}

struct l3mh_vrf *l3mh_vrf_find_id(vrf_id_t vrf_id)
{
	struct bgp *bgp = bgp_lookup_by_vrf_id(vrf_id);

	return bgp ? l3mh_vrf_find(bgp) : NULL;
}

/* The RTs a VRF's sync routes carry and import by: the configured ones, or
 * its EVPN export RTs, or its L3VPN export RTs (IPv4, then IPv6).
 */
static const struct ecommunity *l3mh_vrf_rts(struct l3mh_vrf *lv)
{
	struct bgp *bgp = lv->bgp;
	afi_t afi;

	if (lv->rts)
		return lv->rts;
	if (bgp->vrf_export_rtl && listcount(bgp->vrf_export_rtl)) {
		/* the EVPN IP-VRF's (route-target export) */
		const struct vrf_route_target *l3rt = listgetdata(listhead(bgp->vrf_export_rtl));

		return l3rt->ecom;
	}
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (bgp->vpn_policy[afi].rtlist[BGP_VPN_POLICY_DIR_TOVPN])
			return bgp->vpn_policy[afi].rtlist[BGP_VPN_POLICY_DIR_TOVPN];
	return NULL;
}

/* rt: 8 octets, or 20 for an IPv6 address specific RT */
static bool l3mh_vrf_has_rt(struct l3mh_vrf *lv, const uint8_t *rt, size_t len)
{
	const struct ecommunity *ecom = l3mh_vrf_rts(lv);
	uint32_t i;

	if (!ecom || ecom->unit_size != len)
		return false;
	for (i = 0; i < ecom->size; i++)
		if (!memcmp(ecom->val + i * ecom->unit_size, rt, len))
			return true;
	return false;
}

/* the type whose routes p is one of, or L3MH_SYNC_MAX */
static enum l3mh_sync_type l3mh_route_type(const struct prefix_evpn *p)
{
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		if (l3mh_types[t]->route_owned && l3mh_types[t]->route_owned(p))
			return t;
	return L3MH_SYNC_MAX;
}

/* ------------------------------------------------------------------------
 * ARP/ND entries, for the types that resolve next hops with them
 * ------------------------------------------------------------------------
 */
bool l3mh_neigh_by_ip(vrf_id_t vrf_id, const struct ipaddr *ip, uint32_t ll_etag, esi_t *esi,
		      uint32_t *etag)
{
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		if (l3mh_types[t]->neigh_by_ip)
			return l3mh_types[t]->neigh_by_ip(vrf_id, ip, ll_etag, esi, etag);
	return false;
}

bool l3mh_neigh_on_es(vrf_id_t vrf_id, const esi_t *esi, uint32_t etag, uint8_t ipa_type,
		      struct ipaddr *ip)
{
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		if (l3mh_types[t]->neigh_on_es)
			return l3mh_types[t]->neigh_on_es(vrf_id, esi, etag, ipa_type, ip);
	return false;
}

bool l3mh_ip_is_ll(const struct ipaddr *ip)
{
	return IS_IPADDR_V6(ip) && IN6_IS_ADDR_LINKLOCAL(&ip->ipaddr_v6);
}

void l3mh_neigh_changed(vrf_id_t vrf_id)
{
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		L3MH_CALL(t, neigh_changed, vrf_id);
}

/* ------------------------------------------------------------------------
 * The ES (sub-)interfaces (draft 3.5), for the types that map a VRF
 * route's interface to its ES and Ethernet Tag and back
 * ------------------------------------------------------------------------
 */
static void l3mh_es_if_free(void *arg)
{
	XFREE(MTYPE_L3MH_ES_IF, arg);
}

static unsigned int l3mh_es_if_hash_key(const void *arg)
{
	const struct l3mh_es_if *ei = arg;

	return jhash_1word(ei->ifindex, 0);
}

static bool l3mh_es_if_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_es_if *x = a, *y = b;

	return x->ifindex == y->ifindex;
}

static unsigned int l3mh_es_etag_hash_key(const void *arg)
{
	const struct l3mh_es_if *ei = arg;

	return jhash(ei->esi.val, ESI_BYTES, jhash_2words(ei->vrf_id, ei->etag, 0));
}

static bool l3mh_es_etag_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_es_if *x = a, *y = b;

	return x->vrf_id == y->vrf_id && x->etag == y->etag &&
	       !memcmp(&x->esi, &y->esi, sizeof(x->esi));
}

static struct l3mh_es_if *l3mh_es_if_find(ifindex_t ifindex)
{
	struct l3mh_es_if key = { .ifindex = ifindex };

	return hash_lookup(l3mh.es_ifs, &key);
}

bool l3mh_es_if(vrf_id_t vrf_id, ifindex_t ifindex, esi_t *esi, uint32_t *etag)
{
	struct l3mh_es_if *ei = l3mh_es_if_find(ifindex);

	if (!ei || !ei->up || ei->vrf_id != vrf_id)
		return false;
	*esi = ei->esi;
	*etag = ei->etag;
	return true;
}

ifindex_t l3mh_es_etag_ifindex(vrf_id_t vrf_id, const esi_t *esi, uint32_t etag)
{
	struct l3mh_es_if key = { .vrf_id = vrf_id, .esi = *esi, .etag = etag }, *ei;

	ei = hash_lookup(l3mh.es_etag_ifs, &key);
	return ei && ei->up ? ei->ifindex : IFINDEX_INTERNAL;
}

/* ei goes into es_etag_ifs, unless one there of its key is up and ei not */
static void l3mh_es_etag_link(struct l3mh_es_if *ei)
{
	struct l3mh_es_if *o = hash_lookup(l3mh.es_etag_ifs, ei);

	if (o && (o->up || !ei->up))
		return;
	if (o) {
		hash_release(l3mh.es_etag_ifs, o);
		o->by_etag = false;
	}
	(void)hash_get(l3mh.es_etag_ifs, ei, hash_alloc_intern);
	ei->by_etag = true;
}

struct l3mh_es_etag_find {
	const struct l3mh_es_if *gone;
	struct l3mh_es_if *found;
};

static void l3mh_es_etag_find_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_es_etag_find *f = arg;
	struct l3mh_es_if *ei = hb->data;

	if (ei != f->gone && l3mh_es_etag_hash_cmp(ei, f->gone) && (!f->found || ei->up))
		f->found = ei;
}

/* ei leaves es_etag_ifs: another of its key, if any, takes its place */
static void l3mh_es_etag_unlink(struct l3mh_es_if *ei)
{
	struct l3mh_es_etag_find f = { .gone = ei };

	if (!ei->by_etag)
		return;
	hash_release(l3mh.es_etag_ifs, ei);
	ei->by_etag = false;
	hash_iterate(l3mh.es_ifs, l3mh_es_etag_find_walk, &f);
	if (f.found)
		l3mh_es_etag_link(f.found);
}

static void l3mh_es_if_msg(struct stream *s, vrf_id_t vrf_id)
{
	struct l3mh_zapi_es_if z;
	struct l3mh_es_if *ei;

	if (!l3mh_zapi_es_if_decode(s, &z)) {
		zlog_warn("evpn-l3mh: malformed ES_IF from zebra");
		return;
	}
	ei = l3mh_es_if_find(z.ifindex);
	if (ei)
		l3mh_es_etag_unlink(ei);
	if (!z.es) {
		if (!ei)
			return;
		hash_release(l3mh.es_ifs, ei);
		XFREE(MTYPE_L3MH_ES_IF, ei);
	} else {
		if (!ei) {
			ei = XCALLOC(MTYPE_L3MH_ES_IF, sizeof(*ei));
			ei->ifindex = z.ifindex;
			(void)hash_get(l3mh.es_ifs, ei, hash_alloc_intern);
		}
		ei->vrf_id = vrf_id;
		ei->esi = z.esi;
		ei->etag = z.etag;
		ei->up = z.up;
		l3mh_es_etag_link(ei);
	}
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		L3MH_CALL(t, es_if_changed, vrf_id);
}

static void l3mh_es_ifs_clean(void)
{
	hash_clean(l3mh.es_etag_ifs, NULL);
	hash_clean(l3mh.es_ifs, l3mh_es_if_free);
}


/* ------------------------------------------------------------------------
 * Messages to zebra
 * ------------------------------------------------------------------------
 */
struct stream *l3mh_zebra_msg_start(uint16_t type, vrf_id_t vrf_id)
{
	if (!zclient || zclient->sock < 0)
		return NULL;
	return zclient_extension_msg_start(zclient, L3MH_ZAPI_EXT_ID, type, vrf_id);
}

void l3mh_zebra_msg_send(void)
{
	zclient_extension_msg_send(zclient);
}

bool l3mh_zebra_knows(void)
{
	return l3mh.zebra_knows;
}

static void l3mh_zebra_send_enable(void)
{
	struct l3mh_zapi_enable en = { .enable = l3mh.enabled,
				       .originator_ip = l3mh_originator_ip(),
				       .retention = l3mh.retention,
				       .link_local = l3mh.link_local };
	struct stream *s = l3mh_zebra_msg_start(L3MH_ZAPI_ENABLE, VRF_DEFAULT);

	if (!s)
		return;
	L3MH_DEBUG("send ENABLE %u originator %pI4 retention %u link-local %u", en.enable,
		   &en.originator_ip, en.retention, en.link_local);
	l3mh_zapi_enable_encode(s, &en);
	l3mh_zebra_msg_send();
	l3mh.zebra_knows = l3mh.enabled;
}

/* the redundancy mode of a local L3 ES, as bgp_evpn_l3mh_es.c elects */
static void l3mh_es_mode_send(const struct l3mh_zapi_es_mode *zm)
{
	struct stream *s = l3mh_zebra_msg_start(L3MH_ZAPI_ES_MODE, VRF_DEFAULT);
	char esi_buf[ESI_STR_LEN];

	if (!s)
		return;
	L3MH_DEBUG("send ES_MODE %s mode %u standby %u df-all %u carving %u/%u",
		   esi_to_str(&zm->esi, esi_buf, sizeof(esi_buf)), zm->mode, zm->standby,
		   zm->df_all, zm->ordinal, zm->n_pes);
	l3mh_zapi_es_mode_encode(s, zm);
	l3mh_zebra_msg_send();
}

/* ------------------------------------------------------------------------
 * This PE's sync routes (draft 3.2, 3.6.1, 3.7.1)
 * ------------------------------------------------------------------------
 */

/*
 * The extended communities of a sync route: ES-Import RT + one EVI-RT per
 * VRF RT, or the VRF's RTs. An IPv6 address specific VRF RT gives an
 * EVI-RT type 3 (or itself) in the IPv6 Address Specific Extended
 * Community attribute, *ecom6 (NULL if none).
 */
static struct ecommunity *l3mh_route_ecom(struct l3mh_vrf *lv, const esi_t *esi,
					  struct ecommunity **ecom6)
{
	const struct ecommunity *rts = l3mh_vrf_rts(lv);
	struct ecommunity *ecom = ecommunity_new();
	struct ecommunity_val eval;
	struct ecommunity_val_ipv6 eval6;
	struct ethaddr es_mac;
	uint32_t i;

	*ecom6 = NULL;
	if (lv->mode == L3MH_RT_ES_IMPORT) {
		es_get_system_mac((esi_t *)esi, &es_mac);
		encode_es_rt_extcomm(&eval, &es_mac);
		ecommunity_add_val(ecom, &eval, true, false);
	}
	for (i = 0; rts && i < rts->size; i++) {
		const uint8_t *rt = rts->val + i * rts->unit_size;

		if (rts->unit_size == IPV6_ECOMMUNITY_SIZE) {
			if (lv->mode == L3MH_RT_ES_IMPORT) {
				if (!evi_rt6_from_rt6(rt, eval6.val))
					continue;
			} else
				memcpy(eval6.val, rt, IPV6_ECOMMUNITY_SIZE);
			if (!*ecom6) {
				*ecom6 = ecommunity_new();
				(*ecom6)->unit_size = IPV6_ECOMMUNITY_SIZE;
			}
			ecommunity_add_val_ipv6(*ecom6, &eval6, true, false);
			continue;
		}
		if (lv->mode == L3MH_RT_ES_IMPORT) {
			if (!evi_rt_from_rt(rt, eval.val))
				continue;
		} else
			memcpy(eval.val, rt, ECOMMUNITY_SIZE);
		ecommunity_add_val(ecom, &eval, true, false);
	}
	if (!ecom->size)
		ecommunity_free(&ecom);
	return ecom;
}

/* the 8- and 20-octet extended communities of a received route */
static void l3mh_route_ecoms_get(const struct attr *attr, struct l3mh_route_ecoms *rc)
{
	const struct ecommunity *ecom = bgp_attr_get_ecommunity(attr);
	const struct ecommunity *ecom6 = bgp_attr_get_ipv6_ecommunity(attr);

	memset(rc, 0, sizeof(*rc));
	if (ecom && ecom->unit_size == ECOMMUNITY_SIZE) {
		rc->ecoms = ecom->val;
		rc->n = ecom->size;
	}
	if (ecom6 && ecom6->unit_size == IPV6_ECOMMUNITY_SIZE) {
		rc->ecoms6 = ecom6->val;
		rc->n6 = ecom6->size;
	}
}

struct bgp_path_info *l3mh_own_path(struct bgp *bgp, struct bgp_dest *dest, uint8_t sub_type)
{
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (pi->peer == bgp->peer_self && pi->type == ZEBRA_ROUTE_BGP &&
		    pi->sub_type == sub_type)
			return pi;
	return NULL;
}

struct bgp_path_info *l3mh_own_path_set(struct bgp *bgp, struct bgp_dest *dest, uint8_t sub_type,
					struct attr *attr_new)
{
	struct bgp_path_info *pi = l3mh_own_path(bgp, dest, sub_type);

	if (pi && attrhash_cmp(pi->attr, attr_new) && !CHECK_FLAG(pi->flags, BGP_PATH_REMOVED)) {
		bgp_attr_unintern(&attr_new);
		return NULL;
	}
	if (pi) {
		if (CHECK_FLAG(pi->flags, BGP_PATH_REMOVED))
			bgp_path_info_restore(dest, pi);
		bgp_path_info_set_flag(dest, pi, BGP_PATH_ATTR_CHANGED);
		bgp_attr_unintern(&pi->attr);
		pi->attr = attr_new;
		pi->uptime = monotime(NULL);
	} else {
		pi = info_make(ZEBRA_ROUTE_BGP, sub_type, 0, bgp->peer_self, attr_new, dest);
		SET_FLAG(pi->flags, BGP_PATH_VALID);
		bgp_path_info_add(dest, pi);
	}
	return pi;
}

/*
 * The attributes of a sync route of an ES (draft 3.6.1, 3.7): next hop =
 * originator IP, the route targets of the VRF's mode, no label, no BGP
 * Encapsulation EC. The caller may add more, then calls
 * l3mh_self_route_update(), which interns them. False if there is no
 * originator IP yet.
 */
bool l3mh_self_route_attr(struct l3mh_vrf *lv, const esi_t *esi, struct attr *attr)
{
	struct bgp *bgp_evpn = bgp_get_evpn();
	struct in_addr orig = l3mh_originator_ip();
	struct ecommunity *ecom, *ecom6;

	if (!bgp_evpn || !orig.s_addr)
		return false;
	bgp_attr_default_set(attr, bgp_evpn, BGP_ORIGIN_IGP);
	attr->nexthop = orig;
	attr->mp_nexthop_global_in = orig;
	attr->mp_nexthop_len = BGP_ATTR_NHLEN_IPV4;
	ecom = l3mh_route_ecom(lv, esi, &ecom6);
	/* bgp_attr_intern() interns them */
	bgp_attr_set_ecommunity(attr, ecom);
	bgp_attr_set_ipv6_ecommunity(attr, ecom6);
	return true;
}

/* Advertise (p, prd) with attr, as this PE's own route */
void l3mh_self_route_update(const struct prefix_evpn *p, const struct prefix_rd *prd,
			    struct attr *attr)
{
	struct bgp *bgp_evpn = bgp_get_evpn();
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	struct attr *attr_new;

	attr_new = bgp_attr_intern(attr);
	/* drop the temporary attribute's own reference */
	aspath_unintern(&attr->aspath);

	dest = bgp_evpn_global_node_get(bgp_evpn->rib[AFI_L2VPN][SAFI_EVPN], AFI_L2VPN, SAFI_EVPN,
					p, (struct prefix_rd *)prd, NULL);
	pi = l3mh_own_path_set(bgp_evpn, dest, BGP_ROUTE_STATIC, attr_new);
	if (!pi) {
		bgp_dest_unlock_node(dest);
		return;
	}
	L3MH_DEBUG("advertise %pFX rd %pRDP", p, prd);
	bgp_process(bgp_evpn, dest, pi, AFI_L2VPN, SAFI_EVPN);
	bgp_dest_unlock_node(dest);
}

void l3mh_self_route_withdraw(const struct prefix_evpn *p, const struct prefix_rd *prd)
{
	struct bgp *bgp_evpn = bgp_get_evpn();
	struct bgp_path_info *pi;
	struct bgp_dest *dest;

	if (!bgp_evpn)
		return;
	dest = bgp_evpn_global_node_lookup(bgp_evpn->rib[AFI_L2VPN][SAFI_EVPN], SAFI_EVPN, p,
					   (struct prefix_rd *)prd, NULL);
	if (!dest)
		return;
	pi = l3mh_own_path(bgp_evpn, dest, BGP_ROUTE_STATIC);
	if (pi) {
		L3MH_DEBUG("withdraw %pFX rd %pRDP", p, prd);
		bgp_path_info_delete(dest, pi);
		bgp_process(bgp_evpn, dest, pi, AFI_L2VPN, SAFI_EVPN);
	}
	bgp_dest_unlock_node(dest);
}

/* (Re)advertise or withdraw every local entry of a VRF, of every type */
static void l3mh_vrf_refresh(struct l3mh_vrf *lv, bool withdraw)
{
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		L3MH_CALL(t, vrf_refresh, lv, withdraw);
}

/* ------------------------------------------------------------------------
 * Receiving (draft 3.6.2): the import decision
 * ------------------------------------------------------------------------
 */
bool l3mh_es_is_local(const esi_t *esi, void *arg)
{
	struct bgp_evpn_es *es = bgp_evpn_es_find(esi);

	return es && bgp_evpn_is_es_local(es);
}

bool l3mh_es_is_up(const esi_t *esi)
{
	struct bgp_evpn_es *es = bgp_evpn_es_find(esi);

	return es && bgp_evpn_is_es_local(es) && CHECK_FLAG(es->flags, BGP_EVPNES_OPER_UP);
}

static void *l3mh_vrf_for_rt(const uint8_t *rt, size_t len, enum l3mh_rt_mode mode, void *arg)
{
	struct listnode *node;
	struct l3mh_vrf *lv;

	for (ALL_LIST_ELEMENTS_RO(l3mh.vrfs, node, lv))
		if (lv->mode == mode && l3mh_vrf_has_rt(lv, rt, len))
			return lv;
	return NULL;
}

/* the ES-Import RT of a local ES: its ESI's octets 1-6 (as FRR derives it) */
static bool l3mh_es_import_is_local(const uint8_t *mac, void *arg)
{
	struct bgp_evpn_es *es;

	RB_FOREACH (es, bgp_es_rb_head, &bgp_mh_info->es_rb_tree)
		if (bgp_evpn_is_es_local(es) && !memcmp(&es->esi.val[1], mac, ETH_ALEN))
			return true;
	return false;
}

static const struct l3mh_import_ctx l3mh_import_ctx = {
	.es_is_local = l3mh_es_is_local,
	.vrf_for_rt = l3mh_vrf_for_rt,
	.es_import_is_local = l3mh_es_import_is_local,
};

/*
 * The VRF that imports a received route of type t, or NULL: it passes the
 * import rules into a VRF that syncs type t. *v is the verdict.
 */
static struct l3mh_vrf *l3mh_import_vrf(enum l3mh_sync_type t, const struct prefix_evpn *p,
					const struct attr *attr, enum l3mh_verdict *v)
{
	struct l3mh_route_ecoms rc;
	void *vrf = NULL;

	l3mh_route_ecoms_get(attr, &rc);
	if (l3mh_types[t]->route_is_sync && !l3mh_types[t]->route_is_sync(p, attr, &rc)) {
		*v = L3MH_NOT_SYNC;
		return NULL;
	}
	*v = l3mh_import_decide(l3mh_types[t]->route_esi(p, attr), &rc, &l3mh_import_ctx, &vrf);
	if (*v != L3MH_IMPORT || !l3mh_vrf_syncs(vrf, t))
		return NULL;
	return vrf;
}

/* An ES with no L2-VNI is an L3 ES: its RT-4 carries no VxLAN
 * Encapsulation EC (the sync routes carry none either, draft 3.6.1)
 */
static int l3mh_es_no_encap(struct bgp_evpn_es *es)
{
	return l3mh.enabled && !listcount(es->es_evi_list);
}

/*
 * Treat-as-withdraw (RFC 7606) of a received sync route that fails the
 * import rules: it never enters the RIB, a previous version is removed.
 */
static int l3mh_update_taw(struct peer *peer, afi_t afi, safi_t safi, const struct prefix *pfx,
			   const struct prefix_rd *prd, struct attr *attr)
{
	const struct prefix_evpn *p = (const struct prefix_evpn *)pfx;
	enum l3mh_sync_type t;
	enum l3mh_verdict v;
	char esi_buf[ESI_STR_LEN] = "-";
	const esi_t *esi;

	if (!l3mh.enabled || safi != SAFI_EVPN)
		return 0;
	t = l3mh_route_type(p);
	if (t == L3MH_SYNC_MAX)
		return 0;
	l3mh_import_vrf(t, p, attr, &v);
	if (v == L3MH_NOT_SYNC || v == L3MH_IMPORT)
		return 0;
	esi = l3mh_types[t]->route_esi(p, attr);
	if (esi)
		esi_to_str(esi, esi_buf, sizeof(esi_buf));
	zlog_warn("evpn-l3mh: treat-as-withdraw RT-%u %pFX rd %pRDP esi %s from %s: %s",
		  p->prefix.route_type, p, prd, esi_buf, peer->host, l3mh_verdict2str(v));
	return 1;
}

/* Config changed what is imported: routes treated as withdrawn before
 * may now be wanted, so ask the EVPN peers for their routes again.
 */
static void l3mh_refresh_peers(void)
{
	struct bgp *bgp_evpn = bgp_get_evpn();
	struct listnode *node;
	struct peer *peer;

	if (!bgp_evpn)
		return;
	for (ALL_LIST_ELEMENTS_RO(bgp_evpn->peer, node, peer))
		if (peer_established(peer->connection) && peer->afc_nego[AFI_L2VPN][SAFI_EVPN])
			peer_clear_soft(peer, AFI_L2VPN, SAFI_EVPN, BGP_CLEAR_SOFT_IN);
}

static void l3mh_es_changed(void);

static int l3mh_route_update_hook(struct bgp *bgp, afi_t afi, safi_t safi, struct bgp_dest *dest,
				  struct bgp_path_info *old_route, struct bgp_path_info *new_route)
{
	const struct prefix_evpn *p;
	struct l3mh_vrf *lv = NULL;
	enum l3mh_sync_type t;
	enum l3mh_verdict v;

	/* a VRF's own routes (the IGP routes of section 3.8) */
	if ((afi == AFI_IP || afi == AFI_IP6) && safi == SAFI_UNICAST) {
		lv = l3mh_vrf_find(bgp);
		if (lv && l3mh.enabled)
			for (t = 0; t < L3MH_SYNC_MAX; t++)
				L3MH_CALL(t, vrf_route_update, lv, afi, dest, new_route);
		return 0;
	}
	if (afi != AFI_L2VPN || safi != SAFI_EVPN || bgp != bgp_get_evpn())
		return 0;
	p = (const struct prefix_evpn *)bgp_dest_get_prefix(dest);
	if (p->prefix.route_type == BGP_EVPN_ES_ROUTE) {
		if ((old_route && old_route->peer == bgp->peer_self) ||
		    (new_route && new_route->peer == bgp->peer_self))
			l3mh_es_changed();
		/* the PEs of an ES (the IGMP/MLD sync's DF election) */
		for (t = 0; t < L3MH_SYNC_MAX; t++)
			L3MH_CALL(t, es_routes_changed);
		return 0;
	}
	t = l3mh_route_type(p);
	/* dest->pdest: the RD level of the two-level table */
	if (t == L3MH_SYNC_MAX || !dest->pdest)
		return 0;
	if (l3mh.enabled && new_route && new_route->peer != bgp->peer_self &&
	    CHECK_FLAG(new_route->flags, BGP_PATH_VALID))
		lv = l3mh_import_vrf(t, p, new_route->attr, &v);
	/* a route that a config change left unimported comes again:
	 * l3mh_refresh_peers() asks for it, l3mh_update_taw() judges it
	 */
	l3mh_types[t]->route_update(p, (const struct prefix_rd *)bgp_dest_get_prefix(dest->pdest),
				    lv ? new_route : NULL, lv);
	return 0;
}

static void l3mh_reimport_rib(void);

/* Run the import decision again for every sync route (config changed) */
void l3mh_reimport_all(void)
{
	l3mh_refresh_peers();
	l3mh_reimport_rib();
}

static void l3mh_reimport_rib(void)
{
	struct bgp *bgp_evpn = bgp_get_evpn();
	struct bgp_dest *rd_dest, *dest;
	struct bgp_path_info *pi;
	struct bgp_table *table;

	if (!bgp_evpn)
		return;
	for (rd_dest = bgp_table_top(bgp_evpn->rib[AFI_L2VPN][SAFI_EVPN]); rd_dest;
	     rd_dest = bgp_route_next(rd_dest)) {
		table = bgp_dest_get_bgp_table_info(rd_dest);
		if (!table)
			continue;
		for (dest = bgp_table_top(table); dest; dest = bgp_route_next(dest)) {
			const struct prefix_evpn *p =
				(const struct prefix_evpn *)bgp_dest_get_prefix(dest);

			if (l3mh_route_type(p) == L3MH_SYNC_MAX)
				continue;
			for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
				if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
					break;
			l3mh_route_update_hook(bgp_evpn, AFI_L2VPN, SAFI_EVPN, dest, NULL, pi);
		}
	}
}

/*
 * A local ES came or went (its RT-4 did, draft 3.4): the local entries on
 * it are advertised or withdrawn, zebra reports again what it learned on
 * interfaces that were not on an ES before, and the routes judged against
 * the old set of local ESes are judged again.
 */
static void l3mh_es_change(struct event *e)
{
	struct listnode *node;
	struct l3mh_vrf *lv;

	if (!l3mh.enabled)
		return;
	L3MH_DEBUG("local ES set changed: re-evaluating");
	for (ALL_LIST_ELEMENTS_RO(l3mh.vrfs, node, lv))
		l3mh_vrf_refresh(lv, false);
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		L3MH_CALL(t, local_es_changed);
	l3mh_reimport_all();
	/* and which interfaces are ES (sub-)interfaces now */
	if (l3mh.zebra_knows && l3mh_zebra_msg_start(L3MH_ZAPI_ES_IF_REPLAY, VRF_DEFAULT)) {
		L3MH_DEBUG("send ES_IF_REPLAY");
		l3mh_zebra_msg_send();
	}
}

static void l3mh_es_changed(void)
{
	if (l3mh.enabled)
		event_add_timer_msec(bm->master, l3mh_es_change, NULL, 100, &l3mh.t_es_change);
}

/* ------------------------------------------------------------------------
 * Messages from zebra
 * ------------------------------------------------------------------------
 */
static int l3mh_zclient_msg(struct zclient *zc, const struct zapi_extension_hdr *hdr,
			    struct stream *s, uint16_t length, vrf_id_t vrf_id)
{
	if (hdr->ext_id != L3MH_ZAPI_EXT_ID)
		return 0;
	L3MH_DEBUG("recv %s vrf %u", l3mh_zapi_type2str(hdr->type), vrf_id);
	if (hdr->type == L3MH_ZAPI_ES_IF) {
		l3mh_es_if_msg(s, vrf_id);
		return 0;
	}
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		if (l3mh_types[t]->zapi_owned && l3mh_types[t]->zapi_owned(hdr->type)) {
			l3mh_types[t]->zapi_msg(hdr->type, s, vrf_id);
			break;
		}
	return 0;
}

/* ------------------------------------------------------------------------
 * State changes
 * ------------------------------------------------------------------------
 */
static void l3mh_vrf_set_rd(struct l3mh_vrf *lv)
{
	/*
	 * type-1 RD: originator IP : an index of its own, as FRR derives its
	 * auto RDs; not the VRF's, whose RT-5s (advertise ipv4|ipv6 unicast,
	 * RFC 9136 core) would share the sync RT-5s' keys
	 */
	struct in_addr orig = l3mh_originator_ip();
	char buf[RD_ADDRSTRLEN];

	snprintfrr(buf, sizeof(buf), "%pI4:%u", &orig, lv->rd_id);
	str2prefix_rd(buf, &lv->prd);
}

static void l3mh_global_update(void)
{
	struct listnode *node;
	struct l3mh_vrf *lv;

	if (l3mh.enabled || l3mh.zebra_knows)
		l3mh_zebra_send_enable();
	for (ALL_LIST_ELEMENTS_RO(l3mh.vrfs, node, lv)) {
		l3mh_vrf_refresh(lv, true);
		l3mh_vrf_set_rd(lv);
		if (l3mh.enabled)
			l3mh_vrf_refresh(lv, false);
	}
}

static int l3mh_routerid_update(struct bgp *bgp, bool withdraw)
{
	if (bgp == bgp_get_evpn() && !l3mh.orig.s_addr)
		l3mh_global_update();
	return 0;
}

/*
 * Does a VRF have a type on that needs link-local ND entries? When that
 * changes, zebra is told, and reports its entries again (as when the
 * local ES set changes; the ones it no longer names are withdrawn).
 */
static void l3mh_link_local_update(void)
{
	struct listnode *node;
	struct l3mh_vrf *lv;
	bool ll = false;

	for (ALL_LIST_ELEMENTS_RO(l3mh.vrfs, node, lv))
		for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
			ll |= l3mh_types[t]->link_local && l3mh_vrf_syncs(lv, t);
	if (ll == l3mh.link_local)
		return;
	l3mh.link_local = ll;
	if (l3mh.zebra_knows) {
		l3mh_zebra_send_enable();
		l3mh_es_changed();
	}
}

/* arp-nd-sync goes from a VRF: its sync routes are withdrawn */
static void l3mh_vrf_free(struct l3mh_vrf *lv)
{
	l3mh_vrf_refresh(lv, true);
	listnode_delete(l3mh.vrfs, lv);
	if (lv->rts)
		ecommunity_free(&lv->rts);
	bf_release_index(bm->rd_idspace, lv->rd_id);
	XFREE(MTYPE_L3MH_VRF, lv);
	l3mh_link_local_update();
}

static int l3mh_inst_delete(struct bgp *bgp)
{
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);

	if (lv)
		l3mh_vrf_free(lv);
	if (bgp == bgp_get_evpn() && l3mh.enabled) {
		l3mh.enabled = false;
		/* bgpd stopping is not a disable: zebra retains the synced
		 * entries when the session closes
		 */
		if (!bm->terminating)
			l3mh_zebra_send_enable();
	}
	return 0;
}

/*
 * bgpd's zebra session (re)connected: tell zebra again, then each type
 * (a restarted zebra knows nothing).
 */
static void (*l3mh_zebra_connected_orig)(struct zclient *zc);

static void l3mh_zebra_connected(struct zclient *zc)
{
	if (l3mh_zebra_connected_orig)
		l3mh_zebra_connected_orig(zc);
	l3mh.zebra_knows = false;
	/* zebra tells them again */
	l3mh_es_ifs_clean();
	if (l3mh.enabled)
		l3mh_zebra_send_enable();
	l3mh_es_mode_resend();
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		L3MH_CALL(t, zebra_connected);
}

/* ------------------------------------------------------------------------
 * VRF config, for the types' commands
 * ------------------------------------------------------------------------
 */
struct l3mh_vrf *l3mh_vrf_configure(struct bgp *bgp, enum l3mh_rt_mode mode)
{
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);

	if (!lv) {
		lv = XCALLOC(MTYPE_L3MH_VRF, sizeof(*lv));
		lv->bgp = bgp;
		lv->syncs = 1u << L3MH_SYNC_ARP_ND;
		bf_assign_index(bm->rd_idspace, lv->rd_id);
		listnode_add(l3mh.vrfs, lv);
	} else
		l3mh_vrf_refresh(lv, true);
	lv->mode = mode;
	l3mh_vrf_set_rd(lv);
	if (l3mh.enabled)
		l3mh_vrf_refresh(lv, false);
	l3mh_reimport_all();
	return lv;
}

void l3mh_vrf_unconfigure(struct bgp *bgp)
{
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);

	if (lv)
		l3mh_vrf_free(lv);
	l3mh_reimport_all();
}

void l3mh_vrf_set_sync(struct l3mh_vrf *lv, enum l3mh_sync_type t, bool on)
{
	if (on)
		lv->syncs |= 1u << t;
	else
		lv->syncs &= ~(1u << t);
	L3MH_CALL(t, vrf_refresh, lv, !on);
	l3mh_reimport_all();
	l3mh_link_local_update();
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "bgpd/bgp_evpn_l3mh_clippy.c"

DEFPY(l3mh_enable, l3mh_enable_cmd,
      "[no] l3-multihoming [originator-ip A.B.C.D$orig]",
      NO_STR
      "EVPN multi-homing for L3 services on routed LAGs\n"
      "Originator IP of the ES routes (default: router-id)\n"
      "IPv4 address\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);

	if (bgp != bgp_get_evpn()) {
		vty_out(vty,
			"%% l3-multihoming is enabled in the EVPN instance; use 'l3-multihoming arp-nd-sync' in a VRF\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	/* the retention time and the ES modes are lines of their own and stay
	 * (in effect while l3-multihoming is on): frr-reload.py changes the
	 * originator with `no l3-multihoming` then the new line, and expects
	 * every other line to be there still
	 */
	l3mh.enabled = !no;
	l3mh.orig = (no || !orig_str) ? (struct in_addr){} : orig;
	l3mh_es_mode_enable(l3mh.enabled);
	l3mh_global_update();
	l3mh_reimport_all();
	return CMD_SUCCESS;
}

DEFPY(l3mh_retention, l3mh_retention_cmd,
      "[no] l3-multihoming retention-time ![(1-3600)$secs]",
      NO_STR
      "EVPN multi-homing for L3 services on routed LAGs\n"
      "Keep a synced entry this long after its route is withdrawn\n"
      "Seconds\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);

	if (bgp != bgp_get_evpn()) {
		vty_out(vty, "%% l3-multihoming retention-time is set in the EVPN instance\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	l3mh.retention = no ? 0 : secs;
	if (l3mh.enabled)
		l3mh_zebra_send_enable();
	return CMD_SUCCESS;
}

/* An IPv6 address specific route target (RFC 5701, type 0x00 sub-type
 * 0x02): X:X::X:X:NN, the local administrator after the last colon.
 */
static struct ecommunity *l3mh_rt6_parse(const char *str)
{
	const char *colon = strrchr(str, ':');
	struct ecommunity_val_ipv6 v = {};
	char addr[INET6_ADDRSTRLEN];
	struct ecommunity *ecom;
	struct in6_addr a;
	unsigned long la;
	char *end;

	if (!colon || !colon[1] || colon - str >= (ptrdiff_t)sizeof(addr))
		return NULL;
	memcpy(addr, str, colon - str);
	addr[colon - str] = '\0';
	errno = 0;
	la = strtoul(colon + 1, &end, 10);
	if (*end || errno || la > UINT16_MAX || inet_pton(AF_INET6, addr, &a) != 1)
		return NULL;
	v.val[0] = 0x00;
	v.val[1] = ECOMMUNITY_ROUTE_TARGET;
	memcpy(&v.val[2], &a, sizeof(a));
	v.val[18] = la >> 8;
	v.val[19] = la & 0xff;
	ecom = ecommunity_new();
	ecom->unit_size = IPV6_ECOMMUNITY_SIZE;
	ecommunity_add_val_ipv6(ecom, &v, true, false);
	return ecom;
}

DEFPY(l3mh_rt, l3mh_rt_cmd,
      "[no] l3-multihoming route-target RT$rt",
      NO_STR
      "EVPN multi-homing for L3 services on routed LAGs\n"
      "Route target of the sync routes (instead of the VRF's)\n"
      "ASN:XX, A.B.C.D:XX or X:X::X:X:XX (IPv6 address specific)\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);
	struct ecommunity *ecom;

	if (!lv) {
		vty_out(vty, "%% configure 'l3-multihoming arp-nd-sync' first\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	/* ecommunity_str2com_ipv6() loops on hex digits after the first
	 * group and encodes a Flowspec type: parse IPv6 RTs here
	 */
	if (strchr(rt, ':') != strrchr(rt, ':'))
		ecom = l3mh_rt6_parse(rt);
	else
		ecom = ecommunity_str2com(rt, ECOMMUNITY_ROUTE_TARGET, 0);
	if (!ecom) {
		vty_out(vty, "%% malformed route target %s\n", rt);
		return CMD_WARNING_CONFIG_FAILED;
	}
	l3mh_vrf_refresh(lv, true);
	if (lv->rts)
		ecommunity_free(&lv->rts);
	if (no)
		ecommunity_free(&ecom);
	else
		lv->rts = ecom;
	if (l3mh.enabled)
		l3mh_vrf_refresh(lv, false);
	l3mh_reimport_all();
	return CMD_SUCCESS;
}

static int l3mh_config_write(struct bgp *bgp, struct vty *vty)
{
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);
	bool global = bgp == bgp_get_evpn() &&
		      (l3mh.enabled || l3mh.retention || l3mh_es_mode_configured());

	if (!global && !lv)
		return 0;
	vty_out(vty, " !\n address-family l2vpn evpn\n");
	if (global) {
		if (l3mh.orig.s_addr)
			vty_out(vty, "  l3-multihoming originator-ip %pI4\n", &l3mh.orig);
		else if (l3mh.enabled)
			vty_out(vty, "  l3-multihoming\n");
		if (l3mh.retention)
			vty_out(vty, "  l3-multihoming retention-time %u\n", l3mh.retention);
		l3mh_es_mode_config_write(vty);
	}
	if (lv) {
		for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
			L3MH_CALL(t, config_write, lv, vty);
		if (lv->rts && lv->rts->unit_size == IPV6_ECOMMUNITY_SIZE) {
			const uint8_t *v = lv->rts->val;

			vty_out(vty, "  l3-multihoming route-target %pI6:%u\n",
				(const struct in6_addr *)&v[2], (v[18] << 8) | v[19]);
		} else if (lv->rts) {
			char *rts = ecommunity_ecom2str(lv->rts, ECOMMUNITY_FORMAT_ROUTE_MAP,
							ECOMMUNITY_ROUTE_TARGET);

			vty_out(vty, "  l3-multihoming route-target %s\n", rts);
			XFREE(MTYPE_ECOMMUNITY_STR, rts);
		}
	}
	vty_out(vty, " exit-address-family\n");
	return 0;
}

DEFPY(debug_l3mh, debug_l3mh_cmd, "[no] debug bgp evpn l3-multihoming",
      NO_STR DEBUG_STR BGP_STR EVPN_HELP_STR
      "EVPN multi-homing for L3 services\n")
{
	l3mh_debug = !no;
	return CMD_SUCCESS;
}

json_object *l3mh_show_json_new(const char *key, json_object **arr)
{
	json_object *top = json_object_new_object();

	json_object_boolean_add(top, "enabled", l3mh.enabled);
	*arr = json_object_new_array();
	json_object_object_add(top, key, *arr);
	return top;
}

static void l3mh_es_if_list_walk(struct hash_bucket *hb, void *arg)
{
	listnode_add_sort(arg, hb->data);
}

static int l3mh_es_if_ifindex_cmp(void *a, void *b)
{
	const struct l3mh_es_if *x = a, *y = b;

	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

DEFPY(show_l3mh_interfaces, show_l3mh_interfaces_cmd,
      "show bgp l2vpn evpn l3-multihoming interfaces [json$json]",
      SHOW_STR BGP_STR L2VPN_HELP_STR EVPN_HELP_STR
      "EVPN multi-homing for L3 services\n"
      "The ES (sub-)interfaces zebra reports\n" JSON_STR)
{
	json_object *top = NULL, *arr = NULL;
	char esi_buf[ESI_STR_LEN];
	struct list *eis = list_new();
	struct listnode *node;
	struct l3mh_es_if *ei;

	if (json)
		top = l3mh_show_json_new("interfaces", &arr);
	else
		vty_out(vty, "%-16s %-10s %-30s %-8s %s\n", "Interface", "VRF", "ESI", "EthTag",
			"State");
	eis->cmp = l3mh_es_if_ifindex_cmp;
	hash_iterate(l3mh.es_ifs, l3mh_es_if_list_walk, eis);
	for (ALL_LIST_ELEMENTS_RO(eis, node, ei)) {
		struct vrf *vrf = vrf_lookup_by_id(ei->vrf_id);
		const char *name = ifindex2ifname(ei->ifindex, ei->vrf_id);
		json_object *j;

		esi_to_str(&ei->esi, esi_buf, sizeof(esi_buf));
		if (!json) {
			vty_out(vty, "%-16s %-10s %-30s %-8u %s\n", name, vrf ? vrf->name : "?",
				esi_buf, ei->etag, ei->up ? "up" : "down");
			continue;
		}
		j = json_object_new_object();
		json_object_string_add(j, "interface", name);
		json_object_int_add(j, "ifindex", ei->ifindex);
		json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
		json_object_string_add(j, "esi", esi_buf);
		json_object_int_add(j, "ethTag", ei->etag);
		json_object_boolean_add(j, "up", ei->up);
		json_object_array_add(arr, j);
	}
	list_delete(&eis);
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

static int l3mh_debug_config_write(struct vty *vty, bool running)
{
	if (l3mh_debug)
		vty_out(vty, "debug bgp evpn l3-multihoming\n");
	return 0;
}

/* ------------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------------
 */
/* bgpd stops: the table zebra gave */
static int l3mh_fini(void)
{
	l3mh_es_mode_fini();
	l3mh_es_ifs_clean();
	hash_free(l3mh.es_etag_ifs);
	hash_free(l3mh.es_ifs);
	return 0;
}

static int l3mh_late_init(struct event_loop *tm)
{
	l3mh.vrfs = list_new();
	l3mh.es_ifs = hash_create_size(64, l3mh_es_if_hash_key, l3mh_es_if_hash_cmp,
				       "EVPN L3MH ES interfaces");
	l3mh.es_etag_ifs = hash_create_size(64, l3mh_es_etag_hash_key, l3mh_es_etag_hash_cmp,
					    "EVPN L3MH ES interfaces by Ethernet Tag");
	install_element(BGP_EVPN_NODE, &l3mh_enable_cmd);
	install_element(BGP_EVPN_NODE, &l3mh_retention_cmd);
	install_element(BGP_EVPN_NODE, &l3mh_rt_cmd);
	install_element(VIEW_NODE, &show_l3mh_interfaces_cmd);
	install_element(ENABLE_NODE, &debug_l3mh_cmd);
	install_element(CONFIG_NODE, &debug_l3mh_cmd);
	hook_register(bgp_route_update, l3mh_route_update_hook);
	hook_register(bgp_update_treat_as_withdraw, l3mh_update_taw);
	hook_register(bgp_evpn_es_no_encap, l3mh_es_no_encap);
	hook_register(bgp_inst_config_write, l3mh_config_write);
	hook_register(bgp_inst_delete, l3mh_inst_delete);
	hook_register(bgp_routerid_update, l3mh_routerid_update);
	hook_register(bgp_hook_config_write_debug, l3mh_debug_config_write);
	hook_register(zclient_extension_msg, l3mh_zclient_msg);
	hook_register(frr_fini, l3mh_fini);
	l3mh_es_mode_init(l3mh_es_mode_send);
	for (enum l3mh_sync_type t = 0; t < L3MH_SYNC_MAX; t++)
		L3MH_CALL(t, init);
	if (zclient) {
		l3mh_zebra_connected_orig = zclient->zebra_connected;
		zclient->zebra_connected = l3mh_zebra_connected;
	}
	return 0;
}

static int l3mh_module_init(void)
{
	hook_register(frr_late_init, l3mh_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_evpn_l3mh", .version = FRR_VERSION,
		 .description = "EVPN multi-homing for L3 services (ARP/ND, IGMP/MLD, IGP sync)",
		 .init = l3mh_module_init);
