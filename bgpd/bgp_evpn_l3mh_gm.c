// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: IGMP/MLD join synchronization between
 * the PEs of an Ethernet Segment with the routes of RFC 9251, a sync type
 * of the evpn_l3mh module (bgp_evpn_l3mh.h).
 *
 * draft-ietf-bess-evpn-l3mh-proto-00 section 3.7 (the problem: 1.2):
 *   - a membership that pimd/pim6d learned on an ES (sub-)interface
 *     (through zebra, which names the ES and Ethernet Tag) is advertised
 *     as a Multicast Membership Report Synch route (RT-7, RFC 9251
 *     section 9.2): ESI, Ethernet Tag = VLAN (section 3.5), (S,G), the
 *     originator, the IGMP/MLD version and filter mode flags, and the
 *     route targets of the VRF's mode (section 3.2: ES-Import RT + one
 *     EVI-RT, or the IP-VRF's RTs);
 *   - a leave is advertised as a Multicast Leave Synch route (RT-8,
 *     section 9.3) with the maximum response time, until the membership
 *     goes and both routes are withdrawn;
 *   - an RT-7 of an ES peer that passes the import rules of section 3.7.2
 *     (the core decides; a bad one is treated as withdrawn) goes to
 *     pimd/pim6d, which joins it on the mapped interface;
 *   - the PEs of each local ES (their RT-4s) go to zebra, which elects the
 *     designated forwarder of each <ES, Ethernet Tag> (RFC 7432 section
 *     8.5) for pimd/pim6d.
 */
#include <zebra.h>

#include "hash.h"
#include "jhash.h"
#include "json.h"
#include "vty.h"

#include "lib/evpn_df.h"
#include "lib/evpn_l3mh_zapi.h"
#include "lib/evpn_mcast.h"
#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_evpn.h"
#include "bgpd/bgp_evpn_l3mh.h"
#include "bgpd/bgp_evpn_mh.h"
#include "bgpd/bgp_evpn_vty.h"
#include "bgpd/bgp_evpn_private.h"
#include "bgpd/bgp_memory.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_vty.h"
#include "bgpd/bgp_zebra.h"

DEFINE_MTYPE_STATIC(BGPD, L3MH_GM, "EVPN L3MH IGMP/MLD membership");

enum l3mh_gm_origin { L3MH_GM_LOCAL, L3MH_GM_SYNCED };

/*
 * A membership: local ones by (VRF, ES, Ethernet Tag, S, G), synced ones
 * by the key of the RT-7 that synced them (RD, ES, Ethernet Tag, S, G,
 * originator).
 */
struct l3mh_gm {
	/* key */
	enum l3mh_gm_origin origin;
	vrf_id_t vrf_id; /* local; synced: where it was imported */
	esi_t esi;
	uint32_t etag;
	struct ipaddr src; /* the any address for (*,G) */
	struct ipaddr grp;
	struct prefix_rd prd; /* synced */
	struct ipaddr orig;   /* synced */

	uint8_t flags;	  /* EVPN_MCAST_FLAG_* */
	bool leave;	  /* local: RT-8 advertised; synced: RT-8 received */
	bool leave_only;  /* local: the leave of a peer's membership, no RT-7 */
	bool stale;	  /* local: pimd restarted and has not named it again */
	uint8_t max_resp; /* of the leave, 1/10 s */
	time_t uptime;
	struct event *t_leave; /* leave_only: end of the peer's last member queries */
};

static struct {
	struct hash *gms;
	struct event *t_df;    /* the ES routes changed */
	struct event *t_stale; /* end of the wait for a restarted pimd */
	struct list *df_esis;  /* esi_t: ESs zebra has a DF election for */
} gm;

/* ------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------
 */
static unsigned int l3mh_gm_hash_key(const void *arg)
{
	const struct l3mh_gm *g = arg;
	uint32_t h = jhash(g->esi.val, ESI_BYTES, g->etag ^ g->origin);

	h = jhash(&g->grp, sizeof(g->grp), h);
	return jhash(&g->src, sizeof(g->src), h);
}

static bool l3mh_gm_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_gm *x = a, *y = b;

	if (x->origin != y->origin || x->etag != y->etag ||
	    memcmp(&x->esi, &y->esi, sizeof(x->esi)) || ipaddr_cmp(&x->src, &y->src) ||
	    ipaddr_cmp(&x->grp, &y->grp))
		return false;
	if (x->origin == L3MH_GM_LOCAL)
		return x->vrf_id == y->vrf_id;
	return !memcmp(x->prd.val, y->prd.val, sizeof(x->prd.val)) &&
	       !ipaddr_cmp(&x->orig, &y->orig);
}

static void l3mh_gm_free(struct l3mh_gm *g)
{
	EVENT_OFF(g->t_leave);
	hash_release(gm.gms, g);
	XFREE(MTYPE_L3MH_GM, g);
}

/* ------------------------------------------------------------------------
 * Advertising RT-7 and RT-8 (RFC 9251 sections 9.2, 9.3)
 * ------------------------------------------------------------------------
 */
static void l3mh_gm_prefix(const struct l3mh_gm *g, uint8_t route_type, struct prefix_evpn *p)
{
	struct ipaddr orig = { .ipa_type = IPADDR_V4 };

	orig.ipaddr_v4 = l3mh_originator_ip();
	evpn_mcast_prefix_build(p, route_type, &g->esi, g->etag,
				ipaddr_is_zero(&g->src) ? NULL : &g->src, &g->grp, &orig);
}

static void l3mh_gm_withdraw(struct l3mh_vrf *lv, const struct l3mh_gm *g)
{
	struct prefix_evpn p;

	l3mh_gm_prefix(g, BGP_EVPN_JOIN_SYNC_ROUTE, &p);
	l3mh_self_route_withdraw(&p, &lv->prd);
	l3mh_gm_prefix(g, BGP_EVPN_LEAVE_SYNC_ROUTE, &p);
	l3mh_self_route_withdraw(&p, &lv->prd);
}

static void l3mh_gm_advertise(struct l3mh_vrf *lv, const struct l3mh_gm *g)
{
	struct prefix_evpn p;
	struct attr attr;

	l3mh_gm_prefix(g, BGP_EVPN_JOIN_SYNC_ROUTE, &p);
	if (g->leave_only)
		l3mh_self_route_withdraw(&p, &lv->prd);
	else {
		if (!l3mh_self_route_attr(lv, &g->esi, &attr))
			return;
		attr.evpn_mcast.flags = g->flags;
		l3mh_self_route_update(&p, &lv->prd, &attr);
	}

	l3mh_gm_prefix(g, BGP_EVPN_LEAVE_SYNC_ROUTE, &p);
	if (!g->leave) {
		l3mh_self_route_withdraw(&p, &lv->prd);
		return;
	}
	if (!l3mh_self_route_attr(lv, &g->esi, &attr))
		return;
	attr.evpn_mcast.flags = g->flags;
	attr.evpn_mcast.max_resp_time = g->max_resp;
	l3mh_self_route_update(&p, &lv->prd, &attr);
}

/* advertised if the VRF syncs IGMP/MLD and the ES is local */
/*
 * Its ES (sub-)interface is up here: a PE whose ES link is down has no
 * host behind it, whatever IGMP/MLD still holds until its timers run out
 * (MLD keeps its state on a down interface), and withdraws the routes.
 */
static bool l3mh_gm_es_if_up(const struct l3mh_gm *g)
{
	return l3mh_es_etag_ifindex(g->vrf_id, &g->esi, g->etag) != IFINDEX_INTERNAL;
}

static void l3mh_gm_local_eval(struct l3mh_gm *g, bool withdraw)
{
	struct l3mh_vrf *lv = l3mh_vrf_find_id(g->vrf_id);

	if (!lv)
		return;
	if (withdraw || !l3mh_enabled() || !l3mh_vrf_syncs(lv, L3MH_SYNC_GM) ||
	    !l3mh_es_is_local(&g->esi, NULL) || !l3mh_gm_es_if_up(g))
		l3mh_gm_withdraw(lv, g);
	else
		l3mh_gm_advertise(lv, g);
}

/* the peer's membership outlived its last member queries: the leave is over */
static void l3mh_gm_leave_only_over(struct event *e)
{
	struct l3mh_gm *g = EVENT_ARG(e);

	L3MH_DEBUG("leave of %pIA,%pIA over: withdrawing its RT-8", &g->src, &g->grp);
	l3mh_gm_local_eval(g, true);
	l3mh_gm_free(g);
}

static void l3mh_gm_local(uint16_t type, vrf_id_t vrf_id, const struct l3mh_zapi_gm *z)
{
	struct l3mh_gm key = { .origin = L3MH_GM_LOCAL,
			       .vrf_id = vrf_id,
			       .esi = z->esi,
			       .etag = z->etag,
			       .src = z->src,
			       .grp = z->grp };
	struct l3mh_gm *g = hash_lookup(gm.gms, &key);

	if (type == L3MH_ZAPI_GM_LOCAL_DEL) {
		if (!g)
			return;
		l3mh_gm_local_eval(g, true);
		l3mh_gm_free(g);
		return;
	}
	if (!g) {
		g = XCALLOC(MTYPE_L3MH_GM, sizeof(*g));
		*g = key;
		g->uptime = monotime(NULL);
		/* the leave of a membership an ES peer learned: its RT-8
		 * only, until the peer's RT-7 goes
		 */
		g->leave_only = type == L3MH_ZAPI_GM_LEAVE;
		(void)hash_get(gm.gms, g, hash_alloc_intern);
	}
	g->flags = z->flags;
	g->stale = false;
	if (type == L3MH_ZAPI_GM_LEAVE) {
		g->leave = true;
		g->max_resp = z->max_resp;
		/* a host that answered the learner's last member queries is
		 * still a member, and the next leave must be a new RT-8
		 */
		if (g->leave_only && !g->t_leave)
			event_add_timer_msec(bm->master, l3mh_gm_leave_only_over, g,
					     l3mh_leave_over_msec(g->max_resp), &g->t_leave);
	} else {
		g->leave = false;
		g->leave_only = false;
		EVENT_OFF(g->t_leave);
	}
	l3mh_gm_local_eval(g, false);
}

struct l3mh_gm_vrf_ctx {
	struct l3mh_vrf *lv;
	bool withdraw;
};

static void l3mh_gm_vrf_refresh_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct l3mh_gm_vrf_ctx *ctx = arg;

	if (g->vrf_id != ctx->lv->bgp->vrf_id)
		return;
	if (g->origin == L3MH_GM_LOCAL)
		l3mh_gm_local_eval(g, ctx->withdraw);
}

/* an ES (sub-)interface of VRF vrf_id came, went, or went up or down */
static void l3mh_gm_es_if_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;

	if (g->vrf_id == *(vrf_id_t *)arg && g->origin == L3MH_GM_LOCAL)
		l3mh_gm_local_eval(g, false);
}

static void l3mh_gm_es_if_changed(vrf_id_t vrf_id)
{
	hash_iterate(gm.gms, l3mh_gm_es_if_walk, &vrf_id);
}

static void l3mh_gm_vrf_refresh(struct l3mh_vrf *lv, bool withdraw)
{
	struct l3mh_gm_vrf_ctx ctx = { .lv = lv, .withdraw = withdraw };

	hash_iterate(gm.gms, l3mh_gm_vrf_refresh_walk, &ctx);
}

/* ------------------------------------------------------------------------
 * Receiving RT-7 and RT-8 (draft 3.6.2 rules)
 * ------------------------------------------------------------------------
 */
/* GM_SYNC_ADD/DEL/LEAVE of membership g, to pimd through zebra */
static void l3mh_gm_send(uint16_t type, const struct l3mh_gm *g)
{
	struct l3mh_zapi_gm z = {
		.esi = g->esi, .etag = g->etag, .src = g->src, .grp = g->grp, .flags = g->flags
	};
	struct stream *s = l3mh_zebra_msg_start(type, g->vrf_id);

	if (!s)
		return;
	L3MH_DEBUG("send %s %pIA,%pIA etag %u vrf %u", l3mh_zapi_type2str(type), &g->src, &g->grp,
		   g->etag, g->vrf_id);
	l3mh_zapi_gm_encode(s, &z);
	l3mh_zebra_msg_send();
}

/* the local entry of this PE for the membership of a synced key */
static struct l3mh_gm *l3mh_gm_local_of(vrf_id_t vrf_id, const struct l3mh_gm *synced)
{
	struct l3mh_gm key = { .origin = L3MH_GM_LOCAL,
			       .vrf_id = vrf_id,
			       .esi = synced->esi,
			       .etag = synced->etag,
			       .src = synced->src,
			       .grp = synced->grp };

	return hash_lookup(gm.gms, &key);
}

/* the peer's membership went: so does the RT-8 of its leave sent from here */
static void l3mh_gm_leave_only_done(struct l3mh_gm *synced)
{
	struct l3mh_gm *g = l3mh_gm_local_of(synced->vrf_id, synced);

	if (!g || !g->leave_only)
		return;
	l3mh_gm_local_eval(g, true);
	l3mh_gm_free(g);
}

/* an ES peer's RT-8 for a membership learned here: pimd runs the last
 * member queries as if the leave had arrived here
 */
static void l3mh_gm_peer_leave(struct l3mh_vrf *lv, const struct l3mh_gm *key)
{
	struct l3mh_gm *g = l3mh_gm_local_of(lv->bgp->vrf_id, key);

	if (g && !g->leave_only)
		l3mh_gm_send(L3MH_ZAPI_GM_SYNC_LEAVE, g);
}

/* the membership key of an RT-7/RT-8; false if its group is neither IPv4
 * nor IPv6
 */
static bool l3mh_gm_key_from_route(const struct prefix_evpn *p, const struct prefix_rd *prd,
				   struct l3mh_gm *key)
{
	memset(key, 0, sizeof(*key));
	key->origin = L3MH_GM_SYNCED;
	key->esi = p->prefix.mcast_key.esi;
	key->etag = p->prefix.mcast_key.eth_tag;
	evpn_mcast_prefix_grp(p, &key->grp);
	if (!IS_IPADDR_V4(&key->grp) && !IS_IPADDR_V6(&key->grp))
		return false;
	evpn_mcast_prefix_src(p, &key->src);
	if (key->src.ipa_type == IPADDR_NONE) {
		/* (*,G): the any address of G's family */
		key->src.ipa_type = key->grp.ipa_type;
	}
	evpn_mcast_prefix_orig(p, &key->orig);
	key->prd = *prd;
	return true;
}

static bool l3mh_gm_route_owned(const struct prefix_evpn *p)
{
	return p->prefix.route_type == BGP_EVPN_JOIN_SYNC_ROUTE ||
	       p->prefix.route_type == BGP_EVPN_LEAVE_SYNC_ROUTE;
}

static const esi_t *l3mh_gm_route_esi(const struct prefix_evpn *p, const struct attr *attr)
{
	return &p->prefix.mcast_key.esi;
}

static void l3mh_gm_route_update(const struct prefix_evpn *p, const struct prefix_rd *prd,
				 struct bgp_path_info *new_route, struct l3mh_vrf *lv)
{
	struct l3mh_gm key, *g;
	bool import = lv != NULL;

	if (!l3mh_gm_key_from_route(p, prd, &key))
		return;
	g = hash_lookup(gm.gms, &key);

	if (p->prefix.route_type == BGP_EVPN_LEAVE_SYNC_ROUTE) {
		/* shown with its RT-7; the membership goes with the RT-7 */
		if (g) {
			g->leave = import;
			g->max_resp = import ? new_route->attr->evpn_mcast.max_resp_time : 0;
		}
		/* the leave of a membership learned here */
		if (import)
			l3mh_gm_peer_leave(lv, &key);
		return;
	}

	if (!import) {
		if (g) {
			L3MH_DEBUG("unsync %pFX rd %pRDP", p, &key.prd);
			l3mh_gm_send(L3MH_ZAPI_GM_SYNC_DEL, g);
			l3mh_gm_leave_only_done(g);
			l3mh_gm_free(g);
		}
		return;
	}
	if (g && (g->vrf_id != lv->bgp->vrf_id || g->flags != new_route->attr->evpn_mcast.flags)) {
		l3mh_gm_send(L3MH_ZAPI_GM_SYNC_DEL, g);
		l3mh_gm_free(g);
		g = NULL;
	}
	if (g)
		return;
	g = XCALLOC(MTYPE_L3MH_GM, sizeof(*g));
	*g = key;
	g->vrf_id = lv->bgp->vrf_id;
	g->flags = new_route->attr->evpn_mcast.flags;
	g->uptime = monotime(NULL);
	(void)hash_get(gm.gms, g, hash_alloc_intern);
	L3MH_DEBUG("import %pFX rd %pRDP into %s", p, &key.prd, lv->bgp->name_pretty);
	l3mh_gm_send(L3MH_ZAPI_GM_SYNC_ADD, g);
}

/* ------------------------------------------------------------------------
 * The PEs of each local ES, for the DF election in zebra
 * ------------------------------------------------------------------------
 */
static void l3mh_gm_any_vrf(struct l3mh_vrf *lv, void *arg)
{
	if (l3mh_vrf_syncs(lv, L3MH_SYNC_GM))
		*(bool *)arg = true;
}

static void l3mh_gm_send_es_df(const struct l3mh_zapi_es_df *df)
{
	struct stream *s = l3mh_zebra_msg_start(L3MH_ZAPI_GM_ES_DF, VRF_DEFAULT);

	if (!s)
		return;
	L3MH_DEBUG("send GM_ES_DF %u of %u PEs", df->ordinal, df->n_pes);
	l3mh_zapi_es_df_encode(s, df);
	l3mh_zebra_msg_send();
}

static void l3mh_gm_esi_free(void *arg)
{
	XFREE(MTYPE_L3MH_GM, arg);
}

static bool l3mh_gm_esi_in(struct list *esis, const esi_t *esi)
{
	struct listnode *node;
	esi_t *e;

	for (ALL_LIST_ELEMENTS_RO(esis, node, e))
		if (!memcmp(e, esi, sizeof(*e)))
			return true;
	return false;
}

/*
 * Every local ES: this PE (its originator IP) and the PEs whose RT-4 it
 * received, in the order of their IP addresses (RFC 7432 section 8.5).
 */
static void l3mh_gm_df_update(struct event *e)
{
	struct in_addr ips[64];
	struct l3mh_zapi_es_df df;
	struct bgp_evpn_es_vtep *vtep;
	struct bgp_evpn_es *es;
	struct listnode *node;
	struct in_addr self;
	bool any = false;
	struct list *now = list_new();
	esi_t *esi;
	int n;

	if (l3mh_enabled())
		l3mh_vrf_foreach(l3mh_gm_any_vrf, &any);
	RB_FOREACH (es, bgp_es_rb_head, &bgp_mh_info->es_rb_tree) {
		if (!any || !CHECK_FLAG(es->flags, BGP_EVPNES_LOCAL))
			continue;
		self = es->originator_ip.s_addr ? es->originator_ip : l3mh_originator_ip();
		n = 0;
		ips[n++] = self;
		for (ALL_LIST_ELEMENTS_RO(es->es_vtep_list, node, vtep))
			if (CHECK_FLAG(vtep->flags, BGP_EVPNES_VTEP_ESR) && n < (int)array_size(ips))
				ips[n++] = vtep->vtep_ip;
		memset(&df, 0, sizeof(df));
		df.esi = es->esi;
		df.ordinal = evpn_df_pe_ordinal(ips, &n, self);
		df.n_pes = n;
		l3mh_gm_send_es_df(&df);
		esi = XMALLOC(MTYPE_L3MH_GM, sizeof(*esi));
		*esi = es->esi;
		listnode_add(now, esi);
	}
	/* the ESs that are no longer local or synced */
	for (ALL_LIST_ELEMENTS_RO(gm.df_esis, node, esi))
		if (!l3mh_gm_esi_in(now, esi)) {
			memset(&df, 0, sizeof(df));
			df.esi = *esi;
			l3mh_gm_send_es_df(&df);
		}
	list_delete(&gm.df_esis);
	now->del = l3mh_gm_esi_free;
	gm.df_esis = now;
}

static void l3mh_gm_es_changed(void)
{
	event_add_timer_msec(bm->master, l3mh_gm_df_update, NULL, 100, &gm.t_df);
}

/* ------------------------------------------------------------------------
 * Messages from zebra, zebra session
 * ------------------------------------------------------------------------
 */
static void l3mh_gm_send_replay(void)
{
	struct stream *s = l3mh_zebra_msg_start(L3MH_ZAPI_GM_REPLAY, VRF_DEFAULT);

	if (!s)
		return;
	l3mh_zapi_gm_replay_encode(s, 0);
	l3mh_zebra_msg_send();
}

static void l3mh_gm_resend_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;

	if (g->origin == L3MH_GM_SYNCED)
		l3mh_gm_send(L3MH_ZAPI_GM_SYNC_ADD, g);
}

/*
 * pimd or pim6d (re)started: its memberships as bgpd knows them are stale
 * until it reports them again (it learns them anew from the reports its
 * startup queries bring); the others are withdrawn after
 * L3MH_GM_STALE_TIME.
 */
#define L3MH_GM_STALE_TIME 30

static void l3mh_gm_stale_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct list *gone = arg;

	if (g->origin == L3MH_GM_LOCAL && g->stale)
		listnode_add(gone, g);
}

static void l3mh_gm_stale_sweep(struct event *e)
{
	struct list *gone = list_new();
	struct listnode *node;
	struct l3mh_gm *g;

	hash_iterate(gm.gms, l3mh_gm_stale_walk, gone);
	for (ALL_LIST_ELEMENTS_RO(gone, node, g)) {
		L3MH_DEBUG("local %pIA,%pIA etag %u vrf %u not named again after a restart",
			   &g->src, &g->grp, g->etag, g->vrf_id);
		l3mh_gm_local_eval(g, true);
		l3mh_gm_free(g);
	}
	list_delete(&gone);
}

static void l3mh_gm_stale_mark_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	uint8_t family = *(uint8_t *)arg;

	if (g->origin == L3MH_GM_LOCAL && family == (IS_IPADDR_V4(&g->grp) ? AF_INET : AF_INET6))
		g->stale = true;
}

static void l3mh_gm_stale_mark(uint8_t family)
{
	hash_iterate(gm.gms, l3mh_gm_stale_mark_walk, &family);
	event_add_timer(bm->master, l3mh_gm_stale_sweep, NULL, L3MH_GM_STALE_TIME, &gm.t_stale);
}

static bool l3mh_gm_zapi_owned(uint16_t type)
{
	return type == L3MH_ZAPI_GM_LOCAL_ADD || type == L3MH_ZAPI_GM_LOCAL_DEL ||
	       type == L3MH_ZAPI_GM_LEAVE || type == L3MH_ZAPI_GM_REPLAY;
}

static void l3mh_gm_zapi_msg(uint16_t type, struct stream *s, vrf_id_t vrf_id)
{
	struct l3mh_zapi_gm z;
	uint8_t family;

	switch (type) {
	case L3MH_ZAPI_GM_LOCAL_ADD:
	case L3MH_ZAPI_GM_LOCAL_DEL:
	case L3MH_ZAPI_GM_LEAVE:
		if (!l3mh_zapi_gm_decode(s, &z)) {
			zlog_warn("evpn-l3mh: malformed %s from zebra", l3mh_zapi_type2str(type));
			return;
		}
		l3mh_gm_local(type, vrf_id, &z);
		break;
	case L3MH_ZAPI_GM_REPLAY:
		if (!l3mh_zapi_gm_replay_decode(s, &family)) {
			zlog_warn("evpn-l3mh: malformed %s from zebra", l3mh_zapi_type2str(type));
			return;
		}
		/* a pimd (re)started or an ES interface appeared: the DF
		 * election and the synced memberships again; after a restart
		 * the memberships pimd does not name again are gone
		 */
		if (family)
			l3mh_gm_stale_mark(family);
		l3mh_gm_df_update(NULL);
		hash_iterate(gm.gms, l3mh_gm_resend_walk, NULL);
		break;
	}
}

static void l3mh_gm_zebra_connected(void)
{
	list_delete_all_node(gm.df_esis);
	l3mh_gm_es_changed();
	l3mh_gm_send_replay();
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "bgpd/bgp_evpn_l3mh_gm_clippy.c"

DEFPY(l3mh_gm_sync, l3mh_gm_sync_cmd, "[no] l3-multihoming igmp-mld-sync",
      NO_STR
      "EVPN multi-homing for L3 services on routed LAGs\n"
      "Synchronize IGMP/MLD joins on ES interfaces with RT-7/RT-8\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct l3mh_vrf *lv = l3mh_vrf_find(bgp);

	if (!lv) {
		if (no)
			return CMD_SUCCESS;
		vty_out(vty,
			"%% configure 'l3-multihoming arp-nd-sync' first: its route targets apply\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (l3mh_vrf_syncs(lv, L3MH_SYNC_GM) == !no)
		return CMD_SUCCESS;
	/* received RT-7s judged again */
	l3mh_vrf_set_sync(lv, L3MH_SYNC_GM, !no);
	l3mh_gm_es_changed();
	/* pimd reports its memberships again */
	if (!no)
		l3mh_gm_send_replay();
	return CMD_SUCCESS;
}

static void l3mh_gm_config_write(struct l3mh_vrf *lv, struct vty *vty)
{
	if (l3mh_vrf_syncs(lv, L3MH_SYNC_GM))
		vty_out(vty, "  l3-multihoming igmp-mld-sync\n");
}

struct l3mh_gm_show_ctx {
	struct vty *vty;
	json_object *json;
};

static const char *l3mh_gm_state(const struct l3mh_gm *g)
{
	struct l3mh_vrf *lv = l3mh_vrf_find_id(g->vrf_id);

	if (g->origin == L3MH_GM_SYNCED)
		return g->leave ? "synced-leaving" : "synced";
	if (!l3mh_vrf_syncs(lv, L3MH_SYNC_GM))
		return "not-synced";
	if (!l3mh_es_is_local(&g->esi, NULL))
		return "no-local-es";
	if (!l3mh_gm_es_if_up(g))
		return "es-down";
	if (g->leave_only)
		return "peer-leave-advertised";
	if (g->stale)
		return "stale";
	return g->leave ? "leave-advertised" : "advertised";
}

static void l3mh_gm_show_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct l3mh_gm_show_ctx *ctx = arg;
	struct vrf *vrf = vrf_lookup_by_id(g->vrf_id);
	const char *origin = g->origin == L3MH_GM_LOCAL ? "local" : "synced";
	char esi_buf[ESI_STR_LEN];
	char flags[EVPN_MCAST_FLAGS_STRLEN];
	char sg[INET6_ADDRSTRLEN * 2 + 4];

	esi_to_str(&g->esi, esi_buf, sizeof(esi_buf));
	evpn_mcast_flags2str(g->flags, flags, sizeof(flags));
	if (ipaddr_is_zero(&g->src))
		snprintfrr(sg, sizeof(sg), "(*,%pIA)", &g->grp);
	else
		snprintfrr(sg, sizeof(sg), "(%pIA,%pIA)", &g->src, &g->grp);
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
		json_object_string_add(j, "esi", esi_buf);
		json_object_int_add(j, "ethTag", g->etag);
		json_object_string_addf(j, "source", "%pIA", &g->src);
		json_object_string_addf(j, "group", "%pIA", &g->grp);
		json_object_string_add(j, "origin", origin);
		json_object_string_add(j, "flags", flags);
		json_object_string_add(j, "state", l3mh_gm_state(g));
		if (g->leave)
			json_object_int_add(j, "maxResponseTime", g->max_resp);
		if (g->origin == L3MH_GM_SYNCED) {
			json_object_string_addf(j, "rd", "%pRDP", &g->prd);
			json_object_string_addf(j, "originator", "%pIA", &g->orig);
		}
		json_object_int_add(j, "uptime", monotime(NULL) - g->uptime);
		json_object_array_add(ctx->json, j);
	} else
		vty_out(ctx->vty, "%-10s %-30s %-8u %-40s %-7s %-12s %s\n", vrf ? vrf->name : "?",
			esi_buf, g->etag, sg, origin, flags, l3mh_gm_state(g));
}

DEFPY(show_l3mh_gm, show_l3mh_gm_cmd,
      "show bgp l2vpn evpn l3-multihoming groups [json$json]",
      SHOW_STR BGP_STR L2VPN_HELP_STR EVPN_HELP_STR
      "EVPN multi-homing for L3 services\n"
      "IGMP/MLD memberships, local and synced\n" JSON_STR)
{
	struct l3mh_gm_show_ctx ctx = { .vty = vty };
	json_object *top = NULL;

	if (json) {
		top = l3mh_show_json_new("groups", &ctx.json);
	} else
		vty_out(vty, "%-10s %-30s %-8s %-40s %-7s %-12s %s\n", "VRF", "ESI", "EthTag",
			"(S,G)", "Origin", "Flags", "State");
	hash_iterate(gm.gms, l3mh_gm_show_walk, &ctx);
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

static void l3mh_gm_init(void)
{
	gm.gms = hash_create_size(256, l3mh_gm_hash_key, l3mh_gm_hash_cmp,
				  "EVPN L3MH IGMP/MLD memberships");
	gm.df_esis = list_new();
	gm.df_esis->del = l3mh_gm_esi_free;
	install_element(BGP_EVPN_NODE, &l3mh_gm_sync_cmd);
	install_element(VIEW_NODE, &show_l3mh_gm_cmd);
}

const struct l3mh_sync_ops l3mh_gm_ops = {
	.name = "IGMP/MLD",
	.init = l3mh_gm_init,
	.route_owned = l3mh_gm_route_owned,
	.route_esi = l3mh_gm_route_esi,
	.route_update = l3mh_gm_route_update,
	.zapi_owned = l3mh_gm_zapi_owned,
	.zapi_msg = l3mh_gm_zapi_msg,
	.vrf_refresh = l3mh_gm_vrf_refresh,
	.es_if_changed = l3mh_gm_es_if_changed,
	.es_routes_changed = l3mh_gm_es_changed,
	.zebra_connected = l3mh_gm_zebra_connected,
	.config_write = l3mh_gm_config_write,
};
