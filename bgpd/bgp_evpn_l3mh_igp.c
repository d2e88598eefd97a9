// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: IGP route synchronization with RT-5
 * between the PEs of an Ethernet Segment on a routed bond, a sync type of
 * the evpn_l3mh module (bgp_evpn_l3mh.h).
 *
 * draft-ietf-bess-evpn-l3mh-proto-00 section 3.8 (the problem: 1.3). A
 * CE's IGP adjacency forms with one PE of the ES only; that PE advertises
 * what it learns over the ES (sub-)interface as an RT-5 to its ES peers:
 *   3.8.1  ESI approach: the ES's ESI, gateway IP 0
 *   3.8.2  gateway-IP approach: ESI 0, gateway IP = the route's next hop
 * with Ethernet Tag = VLAN (3.5), label 0, no Router's MAC, no BGP
 * Encapsulation EC and the route targets of section 3.2 (the core builds
 * them). The IGP routes are the VRF's: `redistribute ospf|ospf6|isis` in
 * it; a route is the CE's when its interface is an ES (sub-)interface
 * (the core's table of them, from zebra).
 *
 * An ES peer imports it by the rules of 3.6.2 (the core decides) and
 * installs the prefix in the VRF via the CE's address on its own ES
 * (sub-)interface: the gateway IP, or the ES's neighbour (an ARP/ND entry,
 * local or synced; the type has zebra report link-local ND entries, the
 * next hops of OSPFv3 and IS-IS for IPv6). It is a BGP route of the VRF,
 * preferred to the VPN route of the PE that learned it (weight), and the
 * VRF exports it like any other: its own VPN route (RFC 4364 core), with
 * its RD, its label and next hop self, or its own RT-5 (RFC 9136 core,
 * `advertise ipv4|ipv6 unicast`). A route it got by sync is never
 * advertised as a sync route again, and one whose next hop does not
 * resolve is neither installed nor re-advertised.
 *
 * Section 4, retention: with `l3-multihoming retention-time`, an installed
 * route is kept (with the next hop it had) that long after its RT-5 is
 * withdrawn or its next hop's ARP/ND entry goes, so that the PE still
 * forwards to the CE while its own IGP adjacency forms (the learner's ES
 * link failed). zebra keeps the synced ARP/ND entry for the same time.
 */
#include <zebra.h>

#include "hash.h"
#include "jhash.h"
#include "json.h"
#include "vty.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_attr_evpn.h"
#include "bgpd/bgp_evpn.h"
#include "bgpd/bgp_evpn_l3mh.h"
#include "bgpd/bgp_evpn_private.h"
#include "bgpd/bgp_evpn_vty.h"
#include "bgpd/bgp_memory.h"
#include "bgpd/bgp_mplsvpn.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_vty.h"

DEFINE_MTYPE_STATIC(BGPD, L3MH_IGP, "EVPN L3MH IGP route");

/* lv->opt[L3MH_SYNC_IGP]: the approach of the RT-5s this PE originates */
enum l3mh_igp_approach {
	L3MH_IGP_ESI, /* section 3.8.1 */
	L3MH_IGP_GW,  /* section 3.8.2 */
};

/* the key of the VRF routes: first member of struct igp_local, igp_vroute */
struct igp_key {
	vrf_id_t vrf_id;
	struct prefix p;
};

/* a VRF route this PE learned by IGP (it originates the RT-5) */
struct igp_local {
	struct igp_key k;

	int type;	   /* ZEBRA_ROUTE_OSPF, _OSPF6, _ISIS */
	struct ipaddr nh;  /* the CE's address */
	ifindex_t ifindex; /* its interface */
	uint8_t origin;
	bool med_set;
	uint32_t med;
	/* advertised: the ES and Ethernet Tag of nh, the approach */
	bool advertised;
	esi_t esi;
	uint32_t etag;
	enum l3mh_igp_approach approach;
};

struct igp_vroute;

/* a received sync RT-5 that a VRF imports */
struct igp_synced {
	struct prefix_rd prd;
	struct prefix_evpn evp; /* key, with prd */

	struct igp_vroute *vr;
	bool by_esi; /* ESI approach, else gateway IP */
	esi_t esi;
	uint32_t etag;
	struct ipaddr gw;
	struct in_addr peer; /* the route's next hop: the PE that learned it */
	uint8_t origin;
	bool med_set;
	uint32_t med;
	bool resolved;
	struct ipaddr nh;  /* resolved: the CE's address on this PE's ES */
	ifindex_t ifindex; /* and its interface, for a link-local one */
	/* section 4: kept installed with nh until t_retain fires */
	bool withdrawn;	     /* its RT-5 is gone */
	bool retained;	     /* t_retain runs */
	bool retain_expired; /* unresolved since its retention time ran out */
	struct event *t_retain;
};

/* the VRF route that received RT-5s give */
struct igp_vroute {
	struct igp_key k;

	struct list *synced;	 /* struct igp_synced */
	struct igp_synced *from; /* installed from it, or NULL */
	struct ipaddr nh;
	ifindex_t ifindex;
	bool installed;
	bool dirty; /* an RT-5 of it changed: install again */
};

static struct {
	struct hash *locals;
	struct hash *synced;
	struct hash *vroutes;
	struct event *t_neigh; /* ARP/ND entries changed: resolve again */
} igp;

static const char *igp_approach2str(enum l3mh_igp_approach a)
{
	return a == L3MH_IGP_GW ? "gateway-ip" : "esi";
}

/* ------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------
 */
/* of a struct igp_local or igp_vroute, through its first member */
static unsigned int igp_key_hash(const void *arg)
{
	const struct igp_key *k = arg;

	return jhash_1word(k->vrf_id, prefix_hash_key(&k->p));
}

static bool igp_key_cmp(const void *a, const void *b)
{
	const struct igp_key *x = a, *y = b;

	return x->vrf_id == y->vrf_id && prefix_same(&x->p, &y->p);
}

static unsigned int igp_synced_hash_key(const void *arg)
{
	const struct igp_synced *s = arg;

	return jhash(s->prd.val, sizeof(s->prd.val), prefix_hash_key(&s->evp));
}

static bool igp_synced_hash_cmp(const void *a, const void *b)
{
	const struct igp_synced *x = a, *y = b;

	return !memcmp(x->prd.val, y->prd.val, sizeof(x->prd.val)) &&
	       prefix_same((const struct prefix *)&x->evp, (const struct prefix *)&y->evp);
}

/* ------------------------------------------------------------------------
 * Advertising (draft 3.8.1, 3.8.2)
 * ------------------------------------------------------------------------
 */
static bool igp_path_is_igp(const struct bgp_path_info *pi)
{
	return pi->sub_type == BGP_ROUTE_REDISTRIBUTE &&
	       (pi->type == ZEBRA_ROUTE_OSPF || pi->type == ZEBRA_ROUTE_OSPF6 ||
		pi->type == ZEBRA_ROUTE_ISIS);
}

static void igp_local_prefix(const struct igp_local *l, struct prefix_evpn *evp)
{
	build_type5_prefix_from_ip_prefix(evp, &l->k.p);
	evp->prefix.prefix_addr.eth_tag = l->etag;
}

static void igp_local_withdraw(struct l3mh_vrf *lv, struct igp_local *l)
{
	struct prefix_evpn evp;

	if (!l->advertised)
		return;
	igp_local_prefix(l, &evp);
	l3mh_self_route_withdraw(&evp, &lv->prd);
	l->advertised = false;
}

/* Advertise the route if its interface is a local ES (sub-)interface that
 * is up: its next hop is the CE
 */
static void igp_local_eval(struct l3mh_vrf *lv, struct igp_local *l)
{
	enum l3mh_igp_approach approach = lv->opt[L3MH_SYNC_IGP];
	struct bgp_route_evpn *bre;
	struct prefix_evpn evp;
	struct attr attr;
	uint32_t etag = 0;
	esi_t esi = {};
	bool ok;

	ok = l3mh_vrf_syncs(lv, L3MH_SYNC_IGP) &&
	     l3mh_es_if(l->k.vrf_id, l->ifindex, &esi, &etag) && l3mh_es_is_up(&esi);
	/* the Ethernet Tag is part of the route key */
	if (l->advertised && (!ok || l->etag != etag))
		igp_local_withdraw(lv, l);
	if (!ok) {
		if (l3mh_vrf_syncs(lv, L3MH_SYNC_IGP))
			L3MH_DEBUG("igp %pFX vrf %u via %pIA ifindex %u: not over a local ES that is up",
				   &l->k.p, l->k.vrf_id, &l->nh, l->ifindex);
		return;
	}
	l->esi = esi;
	l->etag = etag;
	if (!l3mh_self_route_attr(lv, &esi, &attr))
		return;
	attr.origin = l->origin;
	if (l->med_set)
		bgp_attr_set_med(&attr, l->med);
	bre = XCALLOC(MTYPE_BGP_EVPN_OVERLAY, sizeof(*bre));
	if (approach == L3MH_IGP_GW) {
		bre->type = OVERLAY_INDEX_GATEWAY_IP;
		bre->gw_ip = l->nh;
	} else {
		bre->type = OVERLAY_INDEX_ESI;
		bre->eth_s_id = esi;
	}
	/* bgp_attr_intern() interns it */
	bgp_attr_set_evpn_overlay(&attr, bre);
	igp_local_prefix(l, &evp);
	l3mh_self_route_update(&evp, &lv->prd, &attr);
	l->advertised = true;
	l->approach = approach;
}

static void igp_local_free(struct l3mh_vrf *lv, struct igp_local *l)
{
	igp_local_withdraw(lv, l);
	hash_release(igp.locals, l);
	XFREE(MTYPE_L3MH_IGP, l);
}

/* The best path of a VRF prefix changed: is it an IGP route to sync? */
static void igp_vrf_route_update(struct l3mh_vrf *lv, afi_t afi, struct bgp_dest *dest,
				 struct bgp_path_info *best)
{
	struct igp_local key = { .k.vrf_id = lv->bgp->vrf_id }, *l;
	const struct attr *attr;

	prefix_copy(&key.k.p, bgp_dest_get_prefix(dest));
	l = hash_lookup(igp.locals, &key);
	if (!l3mh_vrf_syncs(lv, L3MH_SYNC_IGP) || !best || !igp_path_is_igp(best)) {
		if (l)
			igp_local_free(lv, l);
		return;
	}
	if (!l) {
		l = XCALLOC(MTYPE_L3MH_IGP, sizeof(*l));
		*l = key;
		(void)hash_get(igp.locals, l, hash_alloc_intern);
	}
	attr = best->attr;
	l->type = best->type;
	l->origin = attr->origin;
	l->med_set = CHECK_FLAG(attr->flag, ATTR_FLAG_BIT(BGP_ATTR_MULTI_EXIT_DISC));
	l->med = attr->med;
	l->ifindex = attr->nh_ifindex;
	memset(&l->nh, 0, sizeof(l->nh));
	if (afi == AFI_IP) {
		SET_IPADDR_V4(&l->nh);
		l->nh.ipaddr_v4 = attr->nexthop;
	} else {
		SET_IPADDR_V6(&l->nh);
		l->nh.ipaddr_v6 = attr->mp_nexthop_global;
	}
	igp_local_eval(lv, l);
}

/* ------------------------------------------------------------------------
 * Receiving (draft 3.8.1, 3.8.2): the VRF route
 * ------------------------------------------------------------------------
 */
static void igp_vroute_install(struct igp_vroute *vr, struct bgp *bgp, struct igp_synced *s)
{
	afi_t afi = family2afi(vr->k.p.family);
	struct bgp *bgp_vpn = bgp_get_default();
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	struct attr attr, *attr_new;

	/* weight 32768: preferred to the VPN route of the PE that learned it */
	bgp_attr_default_set(&attr, bgp, s->origin);
	if (s->med_set)
		bgp_attr_set_med(&attr, s->med);
	if (afi == AFI_IP) {
		attr.nexthop = s->nh.ipaddr_v4;
		attr.mp_nexthop_global_in = s->nh.ipaddr_v4;
		attr.mp_nexthop_len = BGP_ATTR_NHLEN_IPV4;
	} else {
		attr.mp_nexthop_global = s->nh.ipaddr_v6;
		attr.mp_nexthop_len = BGP_ATTR_NHLEN_IPV6_GLOBAL;
		/* bgp_zebra installs a link-local one with it */
		attr.nh_ifindex = s->ifindex;
	}
	attr_new = bgp_attr_intern(&attr);
	aspath_unintern(&attr.aspath);

	dest = bgp_node_get(bgp->rib[afi][SAFI_UNICAST], &vr->k.p);
	/* valid: its next hop is an ARP/ND entry on this PE's ES */
	pi = l3mh_own_path_set(bgp, dest, BGP_ROUTE_NORMAL, attr_new);
	if (!pi) {
		bgp_dest_unlock_node(dest);
		return;
	}
	L3MH_DEBUG("igp install %pFX in %s via %pIA (rd %pRDP)", &vr->k.p, bgp->name_pretty, &s->nh,
		   &s->prd);
	bgp_process(bgp, dest, pi, afi, SAFI_UNICAST);
	/* the VRF's own VPN route for it (draft 3.8.1, RFC 4364 core) */
	if (bgp_vpn)
		vpn_leak_from_vrf_update(bgp_vpn, bgp, pi);
	bgp_dest_unlock_node(dest);
}

static void igp_vroute_uninstall(struct igp_vroute *vr, struct bgp *bgp)
{
	afi_t afi = family2afi(vr->k.p.family);
	struct bgp *bgp_vpn = bgp_get_default();
	struct bgp_path_info *pi;
	struct bgp_dest *dest;

	dest = bgp_node_lookup(bgp->rib[afi][SAFI_UNICAST], &vr->k.p);
	if (!dest)
		return;
	pi = l3mh_own_path(bgp, dest, BGP_ROUTE_NORMAL);
	if (pi && !CHECK_FLAG(pi->flags, BGP_PATH_REMOVED)) {
		L3MH_DEBUG("igp uninstall %pFX in %s", &vr->k.p, bgp->name_pretty);
		if (bgp_vpn)
			vpn_leak_from_vrf_withdraw(bgp_vpn, bgp, pi);
		bgp_path_info_delete(dest, pi);
		bgp_process(bgp, dest, pi, afi, SAFI_UNICAST);
	}
	bgp_dest_unlock_node(dest);
}

static void igp_synced_free(struct igp_synced *s);
static void igp_vroute_eval(struct igp_vroute *vr);

static void igp_retain_expire(struct event *e)
{
	struct igp_synced *s = EVENT_ARG(e);

	L3MH_DEBUG("igp %pFX rd %pRDP: retention time up", &s->evp, &s->prd);
	s->retained = false;
	if (s->withdrawn) {
		igp_synced_free(s);
		return;
	}
	s->retain_expired = true;
	if (s->vr)
		igp_vroute_eval(s->vr);
}

/* Keep an installed route that lost its RT-5 or its next hop (section 4) */
static bool igp_synced_retain(struct igp_synced *s)
{
	uint16_t secs = l3mh_retention_time();

	if (s->retained)
		return true;
	if (!secs || s->retain_expired || !s->vr || s->vr->from != s)
		return false;
	L3MH_DEBUG("igp %pFX rd %pRDP: retained %us via %pIA", &s->evp, &s->prd, secs, &s->nh);
	s->retained = true;
	event_add_timer(bm->master, igp_retain_expire, s, secs, &s->t_retain);
	return true;
}

/* the CE's address on this PE's ES for a received RT-5 */
static bool igp_synced_resolve(struct igp_synced *s, vrf_id_t vrf_id)
{
	ifindex_t ifindex = IFINDEX_INTERNAL;
	struct ipaddr nh = {};
	uint32_t etag;
	esi_t esi;
	bool ok;

	/* over this PE's own ES (sub-)interface, which is up */
	if (s->by_esi) {
		esi = s->esi;
		etag = s->etag;
		ok = l3mh_es_is_up(&esi) &&
		     l3mh_neigh_on_es(vrf_id, &esi, etag, s->gw.ipa_type, &nh);
	} else {
		/* a link-local one: the CE's on the route's Ethernet Tag */
		ok = l3mh_neigh_by_ip(vrf_id, &s->gw, s->etag, &esi, &etag) && l3mh_es_is_up(&esi);
		nh = s->gw;
	}
	/* a link-local one is installed on the interface of its entry */
	if (ok && l3mh_ip_is_ll(&nh)) {
		ifindex = l3mh_es_etag_ifindex(vrf_id, &esi, etag);
		ok = ifindex != IFINDEX_INTERNAL;
	}
	if (ok && !s->withdrawn) {
		/* resolved again: retained no more */
		EVENT_OFF(s->t_retain);
		s->retained = s->retain_expired = false;
		s->nh = nh;
		s->ifindex = ifindex;
	} else
		ok = igp_synced_retain(s);
	s->resolved = ok;
	return ok;
}

/* lower is preferred: one not retained, by the PE that learned it, by RD */
static int igp_synced_cmp(const struct igp_synced *a, const struct igp_synced *b)
{
	if (a->retained != b->retained)
		return a->retained ? 1 : -1;
	if (a->peer.s_addr != b->peer.s_addr)
		return ntohl(a->peer.s_addr) < ntohl(b->peer.s_addr) ? -1 : 1;
	return memcmp(a->prd.val, b->prd.val, sizeof(a->prd.val));
}

/* Install the prefix from the preferred RT-5 that resolves, or remove it */
static void igp_vroute_eval(struct igp_vroute *vr)
{
	struct l3mh_vrf *lv = l3mh_vrf_find_id(vr->k.vrf_id);
	bool on = lv && l3mh_enabled() && l3mh_vrf_syncs(lv, L3MH_SYNC_IGP);
	struct igp_synced *s, *best = NULL;
	struct listnode *node;

	for (ALL_LIST_ELEMENTS_RO(vr->synced, node, s))
		if (on && igp_synced_resolve(s, vr->k.vrf_id) &&
		    (!best || igp_synced_cmp(s, best) < 0))
			best = s;
	if (best && best == vr->from && !vr->dirty && !ipaddr_cmp(&best->nh, &vr->nh) &&
	    best->ifindex == vr->ifindex)
		return;
	vr->dirty = false;
	if (!best) {
		if (vr->installed && lv)
			igp_vroute_uninstall(vr, lv->bgp);
		vr->installed = false;
		vr->from = NULL;
	} else {
		igp_vroute_install(vr, lv->bgp, best);
		vr->installed = true;
		vr->from = best;
		vr->nh = best->nh;
		vr->ifindex = best->ifindex;
	}
	if (!listcount(vr->synced)) {
		hash_release(igp.vroutes, vr);
		list_delete(&vr->synced);
		XFREE(MTYPE_L3MH_IGP, vr);
	}
}

static void igp_synced_detach(struct igp_synced *s)
{
	struct igp_vroute *vr = s->vr;

	if (!vr)
		return;
	s->vr = NULL;
	listnode_delete(vr->synced, s);
	if (vr->from == s) {
		/* install from another, or remove */
		vr->from = NULL;
		vr->dirty = true;
	}
	igp_vroute_eval(vr);
}

/* a received RT-5 that is not valid for an IP-VRF (FRR 10.3 stores an
 * IPv4 one with prefix length up to 128): ignored here
 */
static bool igp_rt5_prefix(const struct prefix_evpn *evp, struct prefix *p)
{
	const struct ipaddr *ip = &evp->prefix.prefix_addr.ip;
	uint8_t len = evp->prefix.prefix_addr.ip_prefix_length;

	memset(p, 0, sizeof(*p));
	if (IS_IPADDR_V4(ip) && len <= IPV4_MAX_BITLEN) {
		p->family = AF_INET;
		p->u.prefix4 = ip->ipaddr_v4;
	} else if (IS_IPADDR_V6(ip) && len <= IPV6_MAX_BITLEN) {
		p->family = AF_INET6;
		p->u.prefix6 = ip->ipaddr_v6;
	} else
		return false;
	p->prefixlen = len;
	apply_mask(p);
	return true;
}

static void igp_route_update(const struct prefix_evpn *evp, const struct prefix_rd *prd,
			     struct bgp_path_info *pi, struct l3mh_vrf *lv)
{
	struct igp_synced key = { .prd = *prd, .evp = *evp }, *s;
	struct igp_vroute vkey = {}, *vr;
	const struct bgp_route_evpn *bre;

	s = hash_lookup(igp.synced, &key);
	if (lv && !igp_rt5_prefix(evp, &vkey.k.p)) {
		zlog_warn("evpn-l3mh: RT-5 %pFX rd %pRDP: invalid IP prefix, ignored", evp, prd);
		lv = NULL;
	}
	if (!lv) {
		if (!s || s->withdrawn)
			return;
		s->withdrawn = true;
		if (igp_synced_retain(s)) {
			igp_vroute_eval(s->vr);
			return;
		}
		L3MH_DEBUG("igp forget %pFX rd %pRDP", evp, prd);
		igp_synced_free(s);
		return;
	}
	if (s && s->withdrawn) {
		/* back within its retention time */
		EVENT_OFF(s->t_retain);
		s->withdrawn = s->retained = s->retain_expired = false;
	}
	if (!s) {
		s = XCALLOC(MTYPE_L3MH_IGP, sizeof(*s));
		*s = key;
		(void)hash_get(igp.synced, s, hash_alloc_intern);
	}
	vkey.k.vrf_id = lv->bgp->vrf_id;
	if (s->vr && (s->vr->k.vrf_id != vkey.k.vrf_id || !prefix_same(&s->vr->k.p, &vkey.k.p)))
		igp_synced_detach(s);

	bre = bgp_attr_get_evpn_overlay(pi->attr);
	s->by_esi = bre->type == OVERLAY_INDEX_ESI;
	s->esi = bre->eth_s_id;
	s->etag = evp->prefix.prefix_addr.eth_tag;
	/* ESI approach: the family of the CE's address to look for */
	if (s->by_esi) {
		memset(&s->gw, 0, sizeof(s->gw));
		s->gw.ipa_type = vkey.k.p.family == AF_INET ? IPADDR_V4 : IPADDR_V6;
	} else
		s->gw = bre->gw_ip;
	s->peer = pi->attr->mp_nexthop_len == BGP_ATTR_NHLEN_IPV4 ? pi->attr->mp_nexthop_global_in
								  : pi->attr->nexthop;
	s->origin = pi->attr->origin;
	s->med_set = CHECK_FLAG(pi->attr->flag, ATTR_FLAG_BIT(BGP_ATTR_MULTI_EXIT_DISC));
	s->med = pi->attr->med;
	L3MH_DEBUG("igp import %pFX rd %pRDP into %s", evp, prd, lv->bgp->name_pretty);

	if (!s->vr) {
		vr = hash_lookup(igp.vroutes, &vkey);
		if (!vr) {
			vr = XCALLOC(MTYPE_L3MH_IGP, sizeof(*vr));
			*vr = vkey;
			vr->synced = list_new();
			(void)hash_get(igp.vroutes, vr, hash_alloc_intern);
		}
		listnode_add(vr->synced, s);
		s->vr = vr;
	}
	/* its attributes may have changed: install again */
	s->vr->dirty = true;
	igp_vroute_eval(s->vr);
}

static void igp_synced_free(struct igp_synced *s)
{
	EVENT_OFF(s->t_retain);
	hash_release(igp.synced, s);
	igp_synced_detach(s);
	XFREE(MTYPE_L3MH_IGP, s);
}

static bool igp_route_owned(const struct prefix_evpn *p)
{
	return p->prefix.route_type == BGP_EVPN_IP_PREFIX_ROUTE;
}

static bool igp_route_is_sync(const struct prefix_evpn *p, const struct attr *attr,
			      const struct l3mh_route_ecoms *rc)
{
	const struct bgp_route_evpn *bre = bgp_attr_get_evpn_overlay(attr);

	return l3mh_rt5_is_sync(bre && (bre->type == OVERLAY_INDEX_ESI ||
					bre->type == OVERLAY_INDEX_GATEWAY_IP),
				rc);
}

static const esi_t *igp_route_esi(const struct prefix_evpn *p, const struct attr *attr)
{
	const struct bgp_route_evpn *bre = bgp_attr_get_evpn_overlay(attr);

	return bre && bre->type == OVERLAY_INDEX_ESI ? &bre->eth_s_id : NULL;
}

/* ------------------------------------------------------------------------
 * State changes
 * ------------------------------------------------------------------------
 */
struct igp_walk_ctx {
	struct l3mh_vrf *lv; /* NULL: every VRF */
	bool withdraw;
};

static void igp_local_walk(struct hash_bucket *hb, void *arg)
{
	struct igp_walk_ctx *ctx = arg;
	struct igp_local *l = hb->data;
	struct l3mh_vrf *lv = ctx->lv ? ctx->lv : l3mh_vrf_find_id(l->k.vrf_id);

	if (ctx->lv && l->k.vrf_id != ctx->lv->bgp->vrf_id)
		return;
	if (!lv || ctx->withdraw) {
		if (lv)
			igp_local_withdraw(lv, l);
		hash_release(igp.locals, l);
		XFREE(MTYPE_L3MH_IGP, l);
	} else
		igp_local_eval(lv, l);
}

static void igp_vroute_walk(struct hash_bucket *hb, void *arg)
{
	struct igp_walk_ctx *ctx = arg;
	struct igp_vroute *vr = hb->data;

	if (ctx->lv && vr->k.vrf_id != ctx->lv->bgp->vrf_id)
		return;
	if (ctx->withdraw) {
		if (vr->installed)
			igp_vroute_uninstall(vr, ctx->lv->bgp);
		vr->installed = false;
		vr->from = NULL;
	} else
		igp_vroute_eval(vr);
}

/* the VRF's IGP routes, from its RIB */
static void igp_vrf_rib_walk(struct l3mh_vrf *lv)
{
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (!lv->bgp->rib[afi][SAFI_UNICAST])
			continue;
		for (dest = bgp_table_top(lv->bgp->rib[afi][SAFI_UNICAST]); dest;
		     dest = bgp_route_next(dest)) {
			for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
				if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
					break;
			if (pi && igp_path_is_igp(pi))
				igp_vrf_route_update(lv, afi, dest, pi);
		}
	}
}

/*
 * Withdraw the VRF's RT-5s and remove the routes it installed, or
 * advertise and install them again.
 */
static void igp_vrf_refresh(struct l3mh_vrf *lv, bool withdraw)
{
	struct igp_walk_ctx ctx = { .lv = lv, .withdraw = withdraw };

	hash_iterate(igp.locals, igp_local_walk, &ctx);
	if (!withdraw && l3mh_vrf_syncs(lv, L3MH_SYNC_IGP))
		igp_vrf_rib_walk(lv);
	hash_iterate(igp.vroutes, igp_vroute_walk, &ctx);
}

/* ARP/ND entries or ES (sub-)interfaces came or went: the routes are
 * mapped and their next hops resolved again, once for all
 */
static void igp_state_change(struct event *e)
{
	struct igp_walk_ctx ctx = {};

	hash_iterate(igp.locals, igp_local_walk, &ctx);
	hash_iterate(igp.vroutes, igp_vroute_walk, &ctx);
}

static void igp_state_changed(vrf_id_t vrf_id)
{
	if (hashcount(igp.locals) || hashcount(igp.vroutes))
		event_add_event(bm->master, igp_state_change, NULL, 0, &igp.t_neigh);
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "bgpd/bgp_evpn_l3mh_igp_clippy.c"

DEFPY(l3mh_igp_sync, l3mh_igp_sync_cmd,
      "[no] l3-multihoming igp-sync [approach <esi|gateway-ip>$approach]",
      NO_STR
      "EVPN multi-homing for L3 services on routed LAGs\n"
      "Synchronize the IGP routes learned on ES interfaces with RT-5\n"
      "How the RT-5 names the CE\n"
      "By the ES's ESI (default)\n"
      "By the route's next hop, as gateway IP\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);

	if (!lv) {
		if (no)
			return CMD_SUCCESS;
		vty_out(vty,
			"%% configure 'l3-multihoming arp-nd-sync' first: its route targets apply and its entries resolve the next hops\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (no) {
		lv->opt[L3MH_SYNC_IGP] = L3MH_IGP_ESI;
		if (l3mh_vrf_syncs(lv, L3MH_SYNC_IGP))
			l3mh_vrf_set_sync(lv, L3MH_SYNC_IGP, false);
		return CMD_SUCCESS;
	}
	lv->opt[L3MH_SYNC_IGP] = (approach && !strcmp(approach, "gateway-ip")) ? L3MH_IGP_GW
									       : L3MH_IGP_ESI;
	/* on, or the approach changed: advertise again */
	l3mh_vrf_set_sync(lv, L3MH_SYNC_IGP, true);
	return CMD_SUCCESS;
}

static void igp_config_write(struct l3mh_vrf *lv, struct vty *vty)
{
	if (!l3mh_vrf_syncs(lv, L3MH_SYNC_IGP))
		return;
	vty_out(vty, "  l3-multihoming igp-sync%s\n",
		lv->opt[L3MH_SYNC_IGP] == L3MH_IGP_GW ? " approach gateway-ip" : "");
}

struct igp_show_ctx {
	struct vty *vty;
	json_object *json;
};

static void igp_show_line(struct igp_show_ctx *ctx, json_object *j)
{
	json_object *o;

	if (ctx->json) {
		json_object_array_add(ctx->json, j);
		return;
	}
	vty_out(ctx->vty, "%-10s %-20s %-7s %-10s %-30s %-8s %-26s %s\n",
		json_object_get_string(json_object_object_get(j, "vrf")),
		json_object_get_string(json_object_object_get(j, "prefix")),
		json_object_get_string(json_object_object_get(j, "origin")),
		json_object_get_string(json_object_object_get(j, "approach")),
		json_object_object_get_ex(j, "esi", &o) ? json_object_get_string(o) : "-",
		json_object_object_get_ex(j, "ethTag", &o) ? json_object_get_string(o) : "-",
		json_object_object_get_ex(j, "nexthop", &o) ? json_object_get_string(o) : "-",
		json_object_get_string(json_object_object_get(j, "state")));
	json_object_free(j);
}

static json_object *igp_show_common(vrf_id_t vrf_id, const struct prefix *p, const char *origin)
{
	struct vrf *vrf = vrf_lookup_by_id(vrf_id);
	json_object *j = json_object_new_object();

	json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
	json_object_string_addf(j, "prefix", "%pFX", p);
	json_object_string_add(j, "origin", origin);
	return j;
}

static void igp_show_local_walk(struct hash_bucket *hb, void *arg)
{
	struct igp_show_ctx *ctx = arg;
	struct igp_local *l = hb->data;
	json_object *j = igp_show_common(l->k.vrf_id, &l->k.p, "local");
	char esi_buf[ESI_STR_LEN];

	json_object_string_add(j, "igp", zebra_route_string(l->type));
	json_object_string_addf(j, "nexthop", "%pIA", &l->nh);
	json_object_string_add(j, "interface", ifindex2ifname(l->ifindex, l->k.vrf_id));
	if (l->advertised) {
		json_object_string_add(j, "approach", igp_approach2str(l->approach));
		json_object_string_add(j, "esi", esi_to_str(&l->esi, esi_buf, sizeof(esi_buf)));
		json_object_int_add(j, "ethTag", l->etag);
	} else
		json_object_string_add(j, "approach", "-");
	json_object_string_add(j, "state", l->advertised ? "advertised" : "no-local-es");
	igp_show_line(ctx, j);
}

static void igp_show_synced_walk(struct hash_bucket *hb, void *arg)
{
	struct igp_show_ctx *ctx = arg;
	struct igp_synced *s = hb->data;
	json_object *j;
	char esi_buf[ESI_STR_LEN];

	if (!s->vr)
		return;
	j = igp_show_common(s->vr->k.vrf_id, &s->vr->k.p, "synced");
	json_object_string_add(j, "approach", s->by_esi ? "esi" : "gateway-ip");
	if (s->by_esi)
		json_object_string_add(j, "esi", esi_to_str(&s->esi, esi_buf, sizeof(esi_buf)));
	else
		json_object_string_addf(j, "gatewayIp", "%pIA", &s->gw);
	json_object_int_add(j, "ethTag", s->etag);
	json_object_string_addf(j, "rd", "%pRDP", &s->prd);
	json_object_string_addf(j, "peer", "%pI4", &s->peer);
	if (s->resolved)
		json_object_string_addf(j, "nexthop", "%pIA", &s->nh);
	if (s->resolved && s->ifindex)
		json_object_string_add(j, "interface", ifindex2ifname(s->ifindex, s->vr->k.vrf_id));
	if (s->retained)
		json_object_int_add(j, "retainedSecs", event_timer_remain_second(s->t_retain));
	json_object_string_add(j, "state",
			       s->vr->from == s ? (s->retained ? "retained" : "installed")
			       : s->resolved	? "backup"
						: "unresolved");
	igp_show_line(ctx, j);
}

DEFPY(show_l3mh_igp, show_l3mh_igp_cmd,
      "show bgp l2vpn evpn l3-multihoming igp-routes [json$json]",
      SHOW_STR BGP_STR L2VPN_HELP_STR EVPN_HELP_STR
      "EVPN multi-homing for L3 services\n"
      "IGP routes, local and synced with RT-5\n" JSON_STR)
{
	struct igp_show_ctx ctx = { .vty = vty };
	json_object *top = NULL;

	if (json) {
		top = l3mh_show_json_new("routes", &ctx.json);
	} else
		vty_out(vty, "%-10s %-20s %-7s %-10s %-30s %-8s %-26s %s\n", "VRF", "Prefix",
			"Origin", "Approach", "ESI", "EthTag", "Nexthop", "State");
	hash_iterate(igp.locals, igp_show_local_walk, &ctx);
	hash_iterate(igp.synced, igp_show_synced_walk, &ctx);
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

static void igp_init(void)
{
	igp.locals = hash_create_size(1024, igp_key_hash, igp_key_cmp, "EVPN L3MH IGP local routes");
	igp.synced = hash_create_size(1024, igp_synced_hash_key, igp_synced_hash_cmp,
				      "EVPN L3MH IGP synced routes");
	igp.vroutes = hash_create_size(1024, igp_key_hash, igp_key_cmp, "EVPN L3MH IGP VRF routes");
	install_element(BGP_EVPN_NODE, &l3mh_igp_sync_cmd);
	install_element(VIEW_NODE, &show_l3mh_igp_cmd);
}

const struct l3mh_sync_ops l3mh_igp_ops = {
	.name = "IGP",
	/* the next hops of OSPFv3 and IS-IS for IPv6 */
	.link_local = true,
	.init = igp_init,
	.route_owned = igp_route_owned,
	.route_is_sync = igp_route_is_sync,
	.route_esi = igp_route_esi,
	.route_update = igp_route_update,
	.vrf_route_update = igp_vrf_route_update,
	.neigh_changed = igp_state_changed,
	.es_if_changed = igp_state_changed,
	.vrf_refresh = igp_vrf_refresh,
	.config_write = igp_config_write,
};
