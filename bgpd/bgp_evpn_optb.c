// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN Inter-Domain Option-B Border Router (bgpd -M evpn_optb).
 *
 * draft-rabadan-bess-evpn-inter-domain-opt-b-04:
 *   2      the Border Router keeps every EVPN route of its domains (no VRF,
 *          no VNI, whatever the route targets; RIB-in/out policy still
 *          applies), re-advertises it with Next Hop Self and programs an
 *          EVPN label swap in the data path: local label -> received label
 *          towards the received next hop (over iBGP resolved over the
 *          transport tunnel, whose label is pushed too; over single-hop eBGP
 *          the swapped label alone)
 *   2.1    per received UPDATE: extract the EVPN label (NLRI or attribute),
 *          program the swap, re-advertise with NHS and the local label
 *   2.1.1  labeled routes: RT-1 per EVI, RT-2 Label1 and Label2 (two swaps),
 *          RT-3 PMSI Tunnel label (ingress replication), RT-5 non-zero label;
 *          labels that do not forward (RT-1 per ES label 0 + ESI Label EC,
 *          E-Tree leaf labels) and every other field are preserved
 *   2.1.2  unlabeled routes (RT-4, RT-6/7/8, RT-11): next hop self only
 *   4      flow label / control word: the swap only rewrites the top of the
 *          stack, what lies below the service label is untouched
 *
 * Routes whose BGP Encapsulation EC says VXLAN carry a 24-bit VNI: they keep
 * VNI and next hop (a VXLAN Option-B data path is out of scope).
 *
 * The swap LSPs are FRR's L3VPN multi-domain-switching ones
 * (bgp_mplsvpn_swap_lsp_send(), labels from bgpd's label pool, taken
 * synchronously so a route goes out in its first best-path run); the core
 * hooks bgp_evpn_announce_attr / bgp_evpn_announce_labels let this module
 * rewrite next hop, PMSI Tunnel and NLRI labels on the way out.
 */
#include <zebra.h>

#include "jhash.h"
#include "json.h"
#include "lib/version.h"
#include "libfrr.h"
#include "module.h"
#include "mpls.h"
#include "nexthop.h"
#include "typesafe.h"
#include "vty.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_ecommunity.h"
#include "bgpd/bgp_encap_types.h"
#include "bgpd/bgp_evpn.h"
#include "bgpd/bgp_evpn_optb_label.h"
#include "bgpd/bgp_evpn_private.h"
#include "bgpd/bgp_evpn_vty.h"
#include "bgpd/bgp_label.h"
#include "bgpd/bgp_labelpool.h"
#include "bgpd/bgp_mplsvpn.h"
#include "bgpd/bgp_nexthop.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_vty.h"
#include "bgpd/bgp_zebra.h"

DEFINE_MTYPE_STATIC(BGPD, EVPN_OPTB, "EVPN Option-B instance");
DEFINE_MTYPE_STATIC(BGPD, EVPN_OPTB_SWAP, "EVPN Option-B label swap");
DEFINE_MTYPE_STATIC(BGPD, EVPN_OPTB_NH, "EVPN Option-B next hop");
DEFINE_MTYPE_STATIC(BGPD, EVPN_OPTB_ROUTE, "EVPN Option-B route");

static bool optb_debug;
#define OPTB_DEBUG(fmt, ...)                                                                       \
	do {                                                                                       \
		if (optb_debug)                                                                    \
			zlog_debug("evpn-optb: " fmt, ##__VA_ARGS__);                              \
	} while (0)

/* Label allocation (draft 2.1.1 RT-2: per route is the draft's method; per
 * (next hop, received label) saves labels when the egress PE uses per-VRF
 * labels, as FRR's L3VPN binder does).
 */
enum optb_alloc { OPTB_ALLOC_PER_ROUTE, OPTB_ALLOC_PER_NH_LABEL };

PREDECL_RBTREE_UNIQ(optb_swaps);
PREDECL_DLIST(optb_refs);
PREDECL_HASH(optb_routes);
PREDECL_HASH(optb_nhs);

struct optb_inst;

/* A received BGP next hop and how it resolves, shared by the swaps towards
 * it (the routes of one egress PE mostly share one)
 */
struct optb_nh {
	struct optb_nhs_item item;
	struct optb_inst *oi;
	struct prefix nexthop; /* the received BGP next hop */
	struct nexthop *nh;    /* resolved next hop (transport labels) */
	uint32_t swaps;	       /* swaps using it */
};

/* One swap LSP: in_label (local) -> out_label (received) via nexthop */
struct optb_swap {
	struct optb_swaps_item item;
	/* key */
	const struct bgp_dest *owner; /* per route: the route; else NULL */
	uint8_t slot;		      /* per route: which of its labels */
	struct optb_nh *onh;	      /* the received BGP next hop */
	mpls_label_t out_label;	      /* the received label (20 bits) */
	/* state */
	mpls_label_t in_label;	    /* local label, MPLS_INVALID_LABEL while pending */
	bool allocating;	    /* a label pool request is in flight */
	bool orphan;		    /* released while allocating */
	bool lsp;		    /* the LSP was sent to zebra */
	struct optb_refs_head refs; /* the routes using it */
};

/* A route's use of a swap */
struct optb_ref {
	struct optb_refs_item item;
	struct optb_route *route;
	struct optb_swap *swap;
	mpls_label_t raw; /* the received label field (3 octets) */
};

/* An EVPN route re-advertised with swapped labels */
struct optb_route {
	struct optb_routes_item item;
	struct bgp_dest *dest; /* locked */
	struct optb_ref refs[OPTB_SLOTS];
};

struct optb_inst {
	struct bgp *bgp;
	enum optb_alloc alloc;
	struct optb_swaps_head swaps;
	struct optb_routes_head routes;
	struct optb_nhs_head nhs;
	uint64_t lsp_adds, lsp_dels; /* counters for show */
};

/* per route, the owner and slot alone tell swaps apart: no prefix compare */
static int optb_swap_cmp(const struct optb_swap *a, const struct optb_swap *b)
{
	if (a->owner != b->owner)
		return (uintptr_t)a->owner < (uintptr_t)b->owner ? -1 : 1;
	if (a->slot != b->slot)
		return (int)a->slot - (int)b->slot;
	if (a->onh != b->onh)
		return (uintptr_t)a->onh < (uintptr_t)b->onh ? -1 : 1;
	if (a->out_label != b->out_label)
		return a->out_label < b->out_label ? -1 : 1;
	return 0;
}

DECLARE_RBTREE_UNIQ(optb_swaps, struct optb_swap, item, optb_swap_cmp);
DECLARE_DLIST(optb_refs, struct optb_ref, item);

static int optb_route_cmp(const struct optb_route *a, const struct optb_route *b)
{
	return a->dest == b->dest ? 0 : ((uintptr_t)a->dest < (uintptr_t)b->dest ? -1 : 1);
}

static uint32_t optb_route_hash(const struct optb_route *r)
{
	uintptr_t v = (uintptr_t)r->dest;

	return jhash_2words((uint32_t)v, (uint32_t)((uint64_t)v >> 32), 0x0b0b);
}

DECLARE_HASH(optb_routes, struct optb_route, item, optb_route_cmp, optb_route_hash);

static int optb_nh_cmp(const struct optb_nh *a, const struct optb_nh *b)
{
	return prefix_cmp(&a->nexthop, &b->nexthop);
}

/* the address alone: prefix_hash_key() hashes the whole struct prefix */
static uint32_t optb_nh_hash(const struct optb_nh *n)
{
	if (n->nexthop.family == AF_INET)
		return jhash_1word(n->nexthop.u.prefix4.s_addr, 0x0b0b);
	return jhash2(n->nexthop.u.prefix6.s6_addr32, 4, 0x0b0b);
}

DECLARE_HASH(optb_nhs, struct optb_nh, item, optb_nh_cmp, optb_nh_hash);

/* One instance per BGP instance with the mode on (normally just one) */
static struct list *optb_insts;

static struct optb_inst *optb_inst_find(const struct bgp *bgp)
{
	struct listnode *n;
	struct optb_inst *oi;

	if (!optb_insts)
		return NULL;
	for (ALL_LIST_ELEMENTS_RO(optb_insts, n, oi))
		if (oi->bgp == bgp)
			return oi;
	return NULL;
}

/* ------------------------------------------------------------------------
 * Which labels of a route forward traffic (draft 2.1.1)
 * ------------------------------------------------------------------------
 */

static bool optb_is_vxlan(struct attr *attr)
{
	bgp_encap_types type = BGP_ENCAP_TYPE_MPLS;

	bgp_attr_extcom_tunnel_type(attr, &type);
	return type == BGP_ENCAP_TYPE_VXLAN;
}

static uint8_t optb_route_type(const struct bgp_dest *dest)
{
	return ((const struct prefix_evpn *)bgp_dest_get_prefix(dest))->prefix.route_type;
}

/* Received forwarding labels of a route, by slot; returns how many */
static int optb_route_labels(const struct bgp_dest *dest, struct bgp_path_info *pi,
			     mpls_label_t raw[OPTB_SLOTS])
{
	uint8_t n = BGP_PATH_INFO_NUM_LABELS(pi);
	bool ir = CHECK_FLAG(pi->attr->flag, ATTR_FLAG_BIT(BGP_ATTR_PMSI_TUNNEL)) &&
		  bgp_attr_get_pmsi_tnl_type(pi->attr) == PMSI_TNLTYPE_INGR_REPL;

	return optb_label_slots(optb_route_type(dest), n ? pi->extra->labels->label : NULL, n, ir,
				pi->attr->label, raw);
}

/* Does the border-router procedure apply to this path? */
static bool optb_path_applies(struct bgp_path_info *pi)
{
	return pi && pi->type == ZEBRA_ROUTE_BGP && pi->sub_type == BGP_ROUTE_NORMAL && pi->peer &&
	       pi->peer != pi->peer->bgp->peer_self && !optb_is_vxlan(pi->attr);
}

/* ------------------------------------------------------------------------
 * Swaps: local label from the label pool, LSP through zebra
 * ------------------------------------------------------------------------
 */
static void optb_swap_lsp(struct optb_swap *sw, int cmd)
{
	struct nexthop *nh = sw->onh->nh;

	if (sw->in_label == MPLS_INVALID_LABEL || !nh)
		return;
	if (cmd == ZEBRA_MPLS_LABELS_DELETE && !sw->lsp)
		return;
	if (optb_debug) {
		char tl[MPLS_LABEL_STRLEN] = "-";

		if (nh->nh_label && nh->nh_label->num_labels)
			mpls_label2str(nh->nh_label->num_labels, nh->nh_label->label, tl,
				       sizeof(tl), 0, 0);
		zlog_debug("evpn-optb: %s LSP %u -> %u via %pFX (%pNHv, transport %s)",
			   cmd == ZEBRA_MPLS_LABELS_DELETE    ? "delete"
			   : cmd == ZEBRA_MPLS_LABELS_REPLACE ? "replace"
							      : "install",
			   sw->in_label, sw->out_label, &sw->onh->nexthop, nh, tl);
	}
	/* one write for all the LSPs of this event, not one each */
	if (zclient)
		zclient->defer_writes = true;
	bgp_mplsvpn_swap_lsp_send(cmd, sw->in_label, sw->out_label, &sw->onh->nexthop, nh,
				  sw->onh->oi->bgp->name_pretty);
	if (zclient)
		zclient->defer_writes = false;
	if (cmd == ZEBRA_MPLS_LABELS_DELETE) {
		sw->lsp = false;
		sw->onh->oi->lsp_dels++;
	} else {
		sw->lsp = true;
		sw->onh->oi->lsp_adds++;
	}
}

/* The received next hop resolves another way (IGP path, transport label):
 * every swap towards it replaces its LSP
 */
static void optb_nh_set(struct optb_nh *onh, const struct nexthop *nh)
{
	struct optb_swap *sw;

	if (onh->nh && nh && nexthop_same(onh->nh, nh))
		return;
	if (!onh->nh && !nh)
		return;
	if (onh->nh)
		nexthop_free(onh->nh);
	onh->nh = nh ? nexthop_dup(nh, NULL) : NULL;
	if (!onh->nh)
		return;
	frr_each (optb_swaps, &onh->oi->swaps, sw)
		if (sw->onh == onh)
			optb_swap_lsp(sw, sw->lsp ? ZEBRA_MPLS_LABELS_REPLACE
						  : ZEBRA_MPLS_LABELS_ADD);
}

static struct optb_nh *optb_nh_get(struct optb_inst *oi, const struct prefix *nexthop)
{
	struct optb_nh key, *onh;

	prefix_copy(&key.nexthop, nexthop);
	onh = optb_nhs_find(&oi->nhs, &key);
	if (onh)
		return onh;
	onh = XCALLOC(MTYPE_EVPN_OPTB_NH, sizeof(*onh));
	onh->oi = oi;
	prefix_copy(&onh->nexthop, nexthop);
	optb_nhs_add(&oi->nhs, onh);
	return onh;
}

static void optb_route_reannounce(struct optb_route *r)
{
	struct bgp_table *table = bgp_dest_table(r->dest);
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(r->dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			break;
	SET_FLAG(r->dest->flags, BGP_NODE_LABEL_CHANGED);
	bgp_process(table->bgp, r->dest, pi, table->afi, table->safi);
}

static void optb_swap_free(struct optb_swap *sw)
{
	struct optb_nh *onh = sw->onh;

	XFREE(MTYPE_EVPN_OPTB_SWAP, sw);
	if (--onh->swaps)
		return;
	if (onh->oi)
		optb_nhs_del(&onh->oi->nhs, onh);
	if (onh->nh)
		nexthop_free(onh->nh);
	XFREE(MTYPE_EVPN_OPTB_NH, onh);
}

static int optb_label_cb(mpls_label_t label, void *ctx, bool allocated)
{
	struct optb_swap *sw = ctx;
	struct optb_ref *ref;

	if (!allocated) {
		/* zebra's label manager went away: the label pool revokes the
		 * label and queues a new request, answered later
		 */
		OPTB_DEBUG("label %u revoked for %pFX label %u", label, &sw->onh->nexthop,
			   sw->out_label);
		if (!sw->orphan && sw->in_label != MPLS_INVALID_LABEL)
			optb_swap_lsp(sw, ZEBRA_MPLS_LABELS_DELETE);
		sw->in_label = MPLS_INVALID_LABEL;
		sw->allocating = true;
		if (!sw->orphan)
			frr_each (optb_refs, &sw->refs, ref)
				optb_route_reannounce(ref->route);
		return 0;
	}
	if (sw->orphan) {
		/* released while the request was in flight */
		bgp_lp_release(LP_TYPE_BGP_L3VPN_BIND, sw, label);
		optb_swap_free(sw);
		return 0;
	}
	sw->allocating = false;
	if (sw->in_label != MPLS_INVALID_LABEL && sw->in_label != label)
		optb_swap_lsp(sw, ZEBRA_MPLS_LABELS_DELETE);
	sw->in_label = label;
	OPTB_DEBUG("label %u allocated for %pFX label %u", label, &sw->onh->nexthop,
		   sw->out_label);
	optb_swap_lsp(sw, ZEBRA_MPLS_LABELS_ADD);
	/* the routes can go out now */
	frr_each (optb_refs, &sw->refs, ref)
		optb_route_reannounce(ref->route);
	return 0;
}

static struct optb_swap *optb_swap_get(struct optb_inst *oi, const struct prefix *nexthop,
				       mpls_label_t out_label, const struct bgp_dest *dest, int slot)
{
	struct optb_swap key = {}, *sw;
	mpls_label_t label;

	key.onh = optb_nh_get(oi, nexthop);
	key.out_label = out_label;
	if (oi->alloc == OPTB_ALLOC_PER_ROUTE) {
		key.owner = dest;
		key.slot = slot;
	}
	sw = optb_swaps_find(&oi->swaps, &key);
	if (sw)
		return sw;
	sw = XCALLOC(MTYPE_EVPN_OPTB_SWAP, sizeof(*sw));
	sw->onh = key.onh;
	sw->onh->swaps++;
	sw->out_label = out_label;
	sw->owner = key.owner;
	sw->slot = key.slot;
	sw->in_label = MPLS_INVALID_LABEL;
	sw->allocating = true;
	optb_refs_init(&sw->refs);
	optb_swaps_add(&oi->swaps, sw);
	/* normally answered at once, so the route goes out in this best-path
	 * run; else optb_label_cb() re-announces it when the label arrives
	 */
	label = bgp_lp_get_now(LP_TYPE_BGP_L3VPN_BIND, sw, oi->bgp->vrf_id, optb_label_cb);
	if (label != MPLS_LABEL_NONE) {
		sw->in_label = label;
		sw->allocating = false;
		OPTB_DEBUG("label %u allocated for %pFX label %u", label, &sw->onh->nexthop,
			   sw->out_label);
	}
	return sw;
}

/* Drop a route's reference; the last one deletes the LSP, frees the label */
static void optb_ref_clear(struct optb_ref *ref)
{
	struct optb_swap *sw = ref->swap;

	if (!sw)
		return;
	optb_refs_del(&sw->refs, ref);
	ref->swap = NULL;
	ref->raw = MPLS_INVALID_LABEL;
	if (optb_refs_count(&sw->refs))
		return;
	optb_swaps_del(&sw->onh->oi->swaps, sw);
	if (sw->allocating) {
		/* freed by the label pool callback */
		sw->orphan = true;
		return;
	}
	optb_swap_lsp(sw, ZEBRA_MPLS_LABELS_DELETE);
	if (sw->in_label != MPLS_INVALID_LABEL)
		bgp_lp_release(LP_TYPE_BGP_L3VPN_BIND, sw, sw->in_label);
	optb_swap_free(sw);
}

/* ------------------------------------------------------------------------
 * Routes
 * ------------------------------------------------------------------------
 */
static struct optb_route *optb_route_find(struct optb_inst *oi, const struct bgp_dest *dest)
{
	struct optb_route key = { .dest = (struct bgp_dest *)dest };

	return optb_routes_find(&oi->routes, &key);
}

static void optb_route_free(struct optb_inst *oi, struct optb_route *r)
{
	int i;

	for (i = 0; i < OPTB_SLOTS; i++)
		optb_ref_clear(&r->refs[i]);
	optb_routes_del(&oi->routes, r);
	bgp_dest_unlock_node(r->dest);
	XFREE(MTYPE_EVPN_OPTB_ROUTE, r);
}

/* Bring a route's swaps in line with its best path (NULL: none) */
static void optb_route_sync(struct optb_inst *oi, struct bgp_dest *dest, struct bgp_path_info *pi)
{
	struct optb_route *r = optb_route_find(oi, dest);
	mpls_label_t raw[OPTB_SLOTS];
	const struct nexthop *nh;
	int i, used = 0;

	if (pi && optb_path_applies(pi) && pi->nexthop && CHECK_FLAG(pi->flags, BGP_PATH_VALID))
		used = optb_route_labels(dest, pi, raw);
	if (!used) {
		if (r)
			optb_route_free(oi, r);
		return;
	}
	if (!r) {
		r = XCALLOC(MTYPE_EVPN_OPTB_ROUTE, sizeof(*r));
		r->dest = bgp_dest_lock_node(dest);
		for (i = 0; i < OPTB_SLOTS; i++) {
			r->refs[i].route = r;
			r->refs[i].raw = MPLS_INVALID_LABEL;
		}
		optb_routes_add(&oi->routes, r);
	}
	nh = pi->nexthop->nexthop;
	for (i = 0; i < OPTB_SLOTS; i++) {
		struct optb_ref *ref = &r->refs[i];
		struct optb_swap *sw;

		if (raw[i] == MPLS_INVALID_LABEL) {
			optb_ref_clear(ref);
			continue;
		}
		sw = optb_swap_get(oi, &pi->nexthop->prefix, optb_label_value(raw[i]), dest, i);
		if (ref->swap != sw) {
			optb_ref_clear(ref);
			ref->swap = sw;
			optb_refs_add_tail(&sw->refs, ref);
		}
		ref->raw = raw[i];
		optb_nh_set(sw->onh, nh);
		if (!sw->lsp)
			optb_swap_lsp(sw, ZEBRA_MPLS_LABELS_ADD);
	}
}

/* The route is ready to go out when every forwarding label has its swap */
static bool optb_route_ready(struct optb_route *r, const struct bgp_dest *dest,
			     struct bgp_path_info *pi)
{
	mpls_label_t raw[OPTB_SLOTS];
	int i;

	if (!optb_route_labels(dest, pi, raw))
		return true;
	if (!r)
		return false;
	for (i = 0; i < OPTB_SLOTS; i++) {
		if (raw[i] == MPLS_INVALID_LABEL)
			continue;
		if (!r->refs[i].swap || r->refs[i].raw != raw[i] ||
		    r->refs[i].swap->in_label == MPLS_INVALID_LABEL)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------
 */
static int optb_route_update(struct bgp *bgp, afi_t afi, safi_t safi, struct bgp_dest *dest,
			     struct bgp_path_info *old, struct bgp_path_info *new)
{
	struct optb_inst *oi;

	if (safi != SAFI_EVPN)
		return 0;
	oi = optb_inst_find(bgp);
	if (!oi)
		return 0;
	optb_route_sync(oi, dest, new);
	return 0;
}

static int optb_announce_attr(struct peer *peer, struct bgp_dest *dest, struct bgp_path_info *pi,
			      struct attr *attr)
{
	struct optb_inst *oi = optb_inst_find(peer->bgp);
	struct optb_route *r;

	if (!oi || !optb_path_applies(pi))
		return 0;
	r = optb_route_find(oi, dest);
	if (!optb_route_ready(r, dest, pi)) {
		OPTB_DEBUG("%pBD to %s: local label pending, not announced", dest, peer->host);
		return 1;
	}
	/* follow the transport: a new IGP path or transport label for the
	 * received next hop replaces the LSP
	 */
	if (r && pi->nexthop)
		for (int i = 0; i < OPTB_SLOTS; i++)
			if (r->refs[i].swap)
				optb_nh_set(r->refs[i].swap->onh, pi->nexthop->nexthop);
	/* draft 2: next hop self for every route type */
	subgroup_announce_reset_nhop(AF_EVPN, attr);
	if (optb_route_type(dest) == BGP_EVPN_IMET_ROUTE &&
	    CHECK_FLAG(attr->flag, ATTR_FLAG_BIT(BGP_ATTR_PMSI_TUNNEL)) &&
	    bgp_attr_get_pmsi_tnl_type(attr) == PMSI_TNLTYPE_INGR_REPL) {
		/* PMSI Tunnel (IR): the tunnel endpoint is this router too,
		 * and its label is the local one
		 */
		if (r && r->refs[0].swap)
			attr->label = optb_label_field(r->refs[0].swap->in_label, r->refs[0].raw);
		attr->nexthop = peer->nexthop.v4;
	}
	return 0;
}

static int optb_announce_labels(struct peer *peer, struct bgp_dest *dest, struct bgp_path_info *pi,
				mpls_label_t *labels, uint8_t *num_labels)
{
	struct optb_inst *oi = optb_inst_find(peer->bgp);
	struct optb_route *r;
	int i, changed = 0;

	if (!oi || !optb_path_applies(pi))
		return 0;
	if (optb_route_type(dest) == BGP_EVPN_IMET_ROUTE)
		return 0;
	r = optb_route_find(oi, dest);
	if (!r)
		return 0;
	for (i = 0; i < *num_labels && i < OPTB_SLOTS; i++) {
		struct optb_swap *sw = r->refs[i].swap;

		if (!sw || sw->in_label == MPLS_INVALID_LABEL)
			continue;
		labels[i] = optb_label_field(sw->in_label, labels[i]);
		changed = 1;
	}
	return changed;
}

/* Re-evaluate and re-announce every EVPN route of an instance */
static void optb_walk(struct bgp *bgp, struct optb_inst *oi)
{
	struct bgp_table *rib = bgp->rib[AFI_L2VPN][SAFI_EVPN];
	struct bgp_dest *rd, *dest;

	if (!rib)
		return;
	for (rd = bgp_table_top(rib); rd; rd = bgp_route_next(rd)) {
		struct bgp_table *table = bgp_dest_get_bgp_table_info(rd);

		if (!table)
			continue;
		for (dest = bgp_table_top(table); dest; dest = bgp_route_next(dest)) {
			struct bgp_path_info *pi;

			for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
				if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
					break;
			if (!pi)
				continue;
			if (oi)
				optb_route_sync(oi, dest, pi);
			SET_FLAG(dest->flags, BGP_NODE_LABEL_CHANGED);
			bgp_process(bgp, dest, pi, AFI_L2VPN, SAFI_EVPN);
		}
	}
}

static void optb_inst_free(struct optb_inst *oi)
{
	struct optb_route *r;
	struct optb_nh *onh;

	while ((r = optb_routes_first(&oi->routes)))
		optb_route_free(oi, r);
	/* only swaps whose label request is in flight still use a next hop:
	 * the label pool's callback frees them, and the last one its next hop
	 */
	while ((onh = optb_nhs_pop(&oi->nhs)))
		onh->oi = NULL;
	optb_routes_fini(&oi->routes);
	optb_swaps_fini(&oi->swaps);
	optb_nhs_fini(&oi->nhs);
	listnode_delete(optb_insts, oi);
	XFREE(MTYPE_EVPN_OPTB, oi);
}

static int optb_inst_delete(struct bgp *bgp)
{
	struct optb_inst *oi = optb_inst_find(bgp);

	if (oi)
		optb_inst_free(oi);
	return 0;
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "bgpd/bgp_evpn_optb_clippy.c"

DEFPY(optb_border_router, optb_border_router_cmd,
      "[no] option-b border-router [label-allocation <per-route|per-nexthop-label>$alloc]",
      NO_STR
      "EVPN Inter-Domain Option-B\n"
      "Act as a Border Router: keep every EVPN route, re-advertise it with next-hop self and swapped labels\n"
      "How local labels are allocated\n"
      "One local label per route and received label (default)\n"
      "One local label per (next hop, received label)\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct optb_inst *oi = optb_inst_find(bgp);
	enum optb_alloc mode = (alloc && !strcmp(alloc, "per-nexthop-label"))
				       ? OPTB_ALLOC_PER_NH_LABEL
				       : OPTB_ALLOC_PER_ROUTE;

	if (bgp != bgp_get_evpn()) {
		vty_out(vty,
			"%% option-b border-router is configured in the EVPN (default) instance\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (no) {
		if (oi) {
			optb_inst_free(oi);
			optb_walk(bgp, NULL);
		}
		return CMD_SUCCESS;
	}
	if (oi && oi->alloc == mode)
		return CMD_SUCCESS;
	if (oi) {
		/* new labels for everything: release, then re-allocate */
		struct optb_route *r;

		while ((r = optb_routes_first(&oi->routes)))
			optb_route_free(oi, r);
	} else {
		oi = XCALLOC(MTYPE_EVPN_OPTB, sizeof(*oi));
		oi->bgp = bgp;
		optb_swaps_init(&oi->swaps);
		optb_routes_init(&oi->routes);
		optb_nhs_init(&oi->nhs);
		listnode_add(optb_insts, oi);
	}
	oi->alloc = mode;
	optb_walk(bgp, oi);
	return CMD_SUCCESS;
}

static int optb_config_write(struct bgp *bgp, struct vty *vty)
{
	struct optb_inst *oi = optb_inst_find(bgp);

	if (!oi)
		return 0;
	vty_out(vty, " !\n address-family l2vpn evpn\n");
	vty_out(vty, "  option-b border-router%s\n",
		oi->alloc == OPTB_ALLOC_PER_NH_LABEL ? " label-allocation per-nexthop-label" : "");
	vty_out(vty, " exit-address-family\n");
	return 0;
}

static void optb_show_ref(struct vty *vty, json_object *jroutes, struct optb_route *r, int slot)
{
	struct optb_ref *ref = &r->refs[slot];
	struct optb_swap *sw = ref->swap;
	const struct nexthop *nh = sw->onh->nh;
	const struct prefix_rd *prd = (const struct prefix_rd *)bgp_dest_get_prefix(r->dest->pdest);
	char lbl[64] = "";
	int i, n = 0;

	if (nh && nh->nh_label)
		for (i = 0; i < nh->nh_label->num_labels; i++)
			n += snprintf(lbl + n, sizeof(lbl) - n, "%s%u", i ? "/" : "",
				      nh->nh_label->label[i]);
	if (jroutes) {
		json_object *j = json_object_new_object();
		json_object *jt = json_object_new_array();

		json_object_string_addf(j, "rd", "%pRDP", prd);
		json_object_string_addf(j, "prefix", "%pFX", bgp_dest_get_prefix(r->dest));
		json_object_string_add(j, "label", optb_slot_name(optb_route_type(r->dest), slot));
		if (sw->in_label != MPLS_INVALID_LABEL)
			json_object_int_add(j, "inLabel", sw->in_label);
		json_object_int_add(j, "outLabel", sw->out_label);
		json_object_string_addf(j, "nexthop", "%pFX", &sw->onh->nexthop);
		if (nh && nh->nh_label)
			for (i = 0; i < nh->nh_label->num_labels; i++)
				json_object_array_add(jt, json_object_new_int(
								  nh->nh_label->label[i]));
		json_object_object_add(j, "transportLabels", jt);
		if (nh && nh->ifindex)
			json_object_string_add(j, "interface",
					       ifindex2ifname(nh->ifindex, nh->vrf_id));
		json_object_boolean_add(j, "lspInstalled", sw->lsp);
		json_object_int_add(j, "sharedBy", optb_refs_count(&sw->refs));
		json_object_array_add(jroutes, j);
	} else {
		char in[16] = "-";

		if (sw->in_label != MPLS_INVALID_LABEL)
			snprintf(in, sizeof(in), "%u", sw->in_label);
		vty_out(vty, "%-22pRDP %-40pFX %-6s %-8s %-8u %-16pFX %-12s %s\n", prd,
			bgp_dest_get_prefix(r->dest),
			optb_slot_name(optb_route_type(r->dest), slot), in, sw->out_label,
			&sw->onh->nexthop, lbl[0] ? lbl : "-", sw->lsp ? "yes" : "no");
	}
}

DEFPY(show_optb, show_optb_cmd,
      "show bgp l2vpn evpn option-b label-swap [json$json]",
      SHOW_STR BGP_STR L2VPN_HELP_STR EVPN_HELP_STR
      "EVPN Inter-Domain Option-B\n"
      "Label swaps of re-advertised routes\n" JSON_STR)
{
	struct bgp *bgp = bgp_get_evpn();
	struct optb_inst *oi = bgp ? optb_inst_find(bgp) : NULL;
	json_object *top = NULL, *jroutes = NULL;
	struct optb_route *r;
	int i;

	if (json) {
		top = json_object_new_object();
		json_object_boolean_add(top, "borderRouter", !!oi);
	} else if (!oi) {
		vty_out(vty, "EVPN Option-B border router: disabled\n");
		return CMD_SUCCESS;
	}
	if (oi) {
		if (top) {
			json_object_string_add(top, "labelAllocation",
					       oi->alloc == OPTB_ALLOC_PER_ROUTE
						       ? "per-route"
						       : "per-nexthop-label");
			json_object_int_add(top, "routes", optb_routes_count(&oi->routes));
			json_object_int_add(top, "swaps", optb_swaps_count(&oi->swaps));
			json_object_int_add(top, "lspInstalls", oi->lsp_adds);
			json_object_int_add(top, "lspDeletes", oi->lsp_dels);
			jroutes = json_object_new_array();
			json_object_object_add(top, "labelSwaps", jroutes);
		} else {
			vty_out(vty,
				"EVPN Option-B border router, label allocation %s: %zu routes, %zu swaps\n",
				oi->alloc == OPTB_ALLOC_PER_ROUTE ? "per-route"
								  : "per-nexthop-label",
				optb_routes_count(&oi->routes), optb_swaps_count(&oi->swaps));
			vty_out(vty, "%-22s %-40s %-6s %-8s %-8s %-16s %-12s %s\n", "RD", "Route",
				"Label", "In", "Out", "Nexthop", "Transport", "LSP");
		}
		frr_each (optb_routes, &oi->routes, r)
			for (i = 0; i < OPTB_SLOTS; i++)
				if (r->refs[i].swap)
					optb_show_ref(vty, jroutes, r, i);
	}
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

DEFPY(debug_optb, debug_optb_cmd, "[no] debug bgp evpn option-b",
      NO_STR DEBUG_STR BGP_STR EVPN_HELP_STR "EVPN Inter-Domain Option-B\n")
{
	optb_debug = !no;
	return CMD_SUCCESS;
}

static int optb_debug_config_write(struct vty *vty, bool running)
{
	if (optb_debug)
		vty_out(vty, "debug bgp evpn option-b\n");
	return 0;
}

/*
 * bgpd's zebra session (re)connected: a restarted zebra has none of the
 * LSPs, so every swap's is sent again.
 */
static void (*optb_zebra_connected_orig)(struct zclient *zc);

static void optb_zebra_connected(struct zclient *zc)
{
	struct listnode *n;
	struct optb_inst *oi;
	struct optb_swap *sw;

	if (optb_zebra_connected_orig)
		optb_zebra_connected_orig(zc);
	for (ALL_LIST_ELEMENTS_RO(optb_insts, n, oi))
		frr_each (optb_swaps, &oi->swaps, sw) {
			sw->lsp = false;
			optb_swap_lsp(sw, ZEBRA_MPLS_LABELS_ADD);
		}
}

/* ------------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------------
 */
static int optb_late_init(struct event_loop *tm)
{
	optb_insts = list_new();
	install_element(BGP_EVPN_NODE, &optb_border_router_cmd);
	install_element(VIEW_NODE, &show_optb_cmd);
	install_element(ENABLE_NODE, &debug_optb_cmd);
	install_element(CONFIG_NODE, &debug_optb_cmd);
	hook_register(bgp_route_update, optb_route_update);
	hook_register(bgp_evpn_announce_attr, optb_announce_attr);
	hook_register(bgp_evpn_announce_labels, optb_announce_labels);
	hook_register(bgp_inst_config_write, optb_config_write);
	hook_register(bgp_inst_delete, optb_inst_delete);
	hook_register(bgp_hook_config_write_debug, optb_debug_config_write);
	if (zclient) {
		optb_zebra_connected_orig = zclient->zebra_connected;
		zclient->zebra_connected = optb_zebra_connected;
	}
	return 0;
}

static int optb_module_init(void)
{
	hook_register(frr_late_init, optb_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_evpn_optb", .version = FRR_VERSION,
		 .description = "EVPN Inter-Domain Option-B border router",
		 .init = optb_module_init);
