// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, pimd/pim6d side: IGMP/MLD join synchronization
 * between the PEs of an Ethernet Segment on a routed bond.
 *
 * draft-ietf-bess-evpn-l3mh-proto-00 (was draft-brissette-bess-evpn-l3-mh):
 *   1.2  the CE's LAG hashing sends a host's IGMP/MLD reports to one PE of
 *        the ES only
 *   3.7  the PEs synchronize that state with the Multicast Membership
 *        Report Synch (RT-7) and Leave Synch (RT-8) routes of RFC 9251
 *        (sections 9.2, 9.3); one designated forwarder per <ES, Ethernet
 *        Tag> sends the traffic to the ES (RFC 9251 section 6, RFC 7432
 *        section 8.5), both PEs keep the state.
 *
 * The same file is built into pimd (IGMP, PIM_IPV 4) and pim6d (MLD,
 * PIM_IPV 6) as the module evpn_l3mh:
 * - memberships learned on an ES (sub-)interface (pim_gm_membership and
 *   pim_gm_leave hooks) go to bgpd through zebra (GM_LOCAL, GM_LEAVE),
 *   which originates the RT-7/RT-8;
 * - memberships synced from the ES peers (GM_SYNC) are joined into the TIB
 *   on that interface as if a report had arrived there, unless this PE
 *   learned the same membership itself;
 * - on an ES interface where this PE is not the designated forwarder
 *   (GM_IF from zebra), the interface is held muted in every OIL
 *   (pim_channel_oif_mute hook, as MLAG does): both PEs keep the state
 *   and join upstream, only the DF forwards to the ES, and the other
 *   forwards as soon as it becomes the DF.
 *
 * Section 4, retention: with `l3-multihoming retention-time` (in bgpd; zebra
 * passes it on in GM_IF), a synced membership whose route is withdrawn, or
 * every one of an ES interface when bgpd stops, stays joined for that
 * time and is refreshed with group-specific queries on its interface. A
 * host still there answers with a report: the membership is this PE's own
 * from then on (and advertised at once); the retained copy goes when the
 * time is up, and takes the membership with it if nobody answered.
 */
#include <zebra.h>

#include "debug.h"
#include "hash.h"
#include "jhash.h"
#include "json.h"
#include "lib/version.h"
#include "libfrr.h"
#include "module.h"
#include "vrf.h"
#include "vty.h"
#include "zclient.h"

#include "lib/evpn_l3mh_zapi.h"
#include "lib/evpn_mcast.h"
#include "pimd/pimd.h"
#include "pimd/pim_iface.h"
#include "pimd/pim_igmp.h"
#include "pimd/pim_igmpv3.h"
#include "pimd/pim_instance.h"
#include "pimd/pim_memory.h"
#include "pimd/pim_oil.h"
#include "pimd/pim_tib.h"
#include "pimd/pim6_mld.h"
#include "pimd/pim_zebra.h"

DEFINE_MTYPE_STATIC(PIMD, L3MH_GM, "EVPN L3MH IGMP/MLD membership");
DEFINE_MTYPE_STATIC(PIMD, L3MH_GM_IF, "EVPN L3MH ES interface");

/* lib's debug framework: set from the config, it is written back there */
static struct debug l3mh_dbg = {
	.conf = "debug pim evpn-l3mh",
	.desc = "EVPN L3 multi-homing IGMP/MLD sync",
};
#define L3MH_DEBUG(fmt, ...)                                                                       \
	do {                                                                                       \
		if (DEBUG_MODE_CHECK(&l3mh_dbg, DEBUG_MODE_ALL))                                   \
			zlog_debug("evpn-l3mh: " fmt, ##__VA_ARGS__);                              \
	} while (0)

/* An ES (sub-)interface with IGMP/MLD sync, as zebra names it */
struct l3mh_gm_if {
	ifindex_t ifindex;
	vrf_id_t vrf_id;
	bool df;	    /* this PE forwards multicast to the ES here */
	uint16_t retention; /* s, section 4 */
};

enum l3mh_gm_origin { L3MH_GM_LOCAL, L3MH_GM_SYNCED };

struct l3mh_gm {
	/* key */
	enum l3mh_gm_origin origin;
	vrf_id_t vrf_id;
	ifindex_t ifindex;
	pim_sgaddr sg;

	uint8_t flags;		  /* EVPN_MCAST_FLAG_*: version, filter mode */
	bool leaving;		  /* local: a leave was reported (RT-8) */
	bool joined;		  /* synced: joined into the TIB */
	struct event *t_leave;	  /* local: the last member queries' time */
	struct channel_oil *oil;  /* synced: the TIB join's OIL */
	struct pim_instance *pim; /* synced: the instance it joined */
	time_t uptime;

	/* synced, section 4: its route is withdrawn, it is kept until
	 * t_retain and queried for meanwhile
	 */
	bool retained;
	uint16_t retain_secs; /* the retention time it was kept for */
	struct event *t_retain;
	struct event *t_query;
	uint32_t queries; /* group-specific queries sent for it */
};

static struct {
	struct hash *ifs;     /* struct l3mh_gm_if by ifindex */
	struct hash *gms;     /* struct l3mh_gm */
	struct event *t_eval; /* synced memberships to (re)join */
	void (*zebra_connected)(struct zclient *zc);
} l3mh;

/* ------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------
 */
static unsigned int l3mh_gm_if_hash_key(const void *arg)
{
	const struct l3mh_gm_if *gi = arg;

	return jhash_1word(gi->ifindex, 0);
}

static bool l3mh_gm_if_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_gm_if *x = a, *y = b;

	return x->ifindex == y->ifindex;
}

static struct l3mh_gm_if *l3mh_gm_if_find(ifindex_t ifindex)
{
	struct l3mh_gm_if key = { .ifindex = ifindex };

	return hash_lookup(l3mh.ifs, &key);
}

static unsigned int l3mh_gm_hash_key(const void *arg)
{
	const struct l3mh_gm *g = arg;
	uint32_t h = jhash_3words(g->origin, g->vrf_id, g->ifindex, 0);

	return jhash(&g->sg, sizeof(g->sg), h);
}

static bool l3mh_gm_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_gm *x = a, *y = b;

	return x->origin == y->origin && x->vrf_id == y->vrf_id && x->ifindex == y->ifindex &&
	       !pim_sgaddr_cmp(x->sg, y->sg);
}

static struct l3mh_gm *l3mh_gm_find(enum l3mh_gm_origin origin, vrf_id_t vrf_id, ifindex_t ifindex,
				    pim_sgaddr sg)
{
	struct l3mh_gm key = { .origin = origin, .vrf_id = vrf_id, .ifindex = ifindex, .sg = sg };

	return hash_lookup(l3mh.gms, &key);
}

static void l3mh_gm_del(struct l3mh_gm *g)
{
	EVENT_OFF(g->t_leave);
	EVENT_OFF(g->t_retain);
	EVENT_OFF(g->t_query);
	hash_release(l3mh.gms, g);
	XFREE(MTYPE_L3MH_GM, g);
}

/*
 * The interface of a membership, while it is in the membership's VRF (with
 * VRF-lite, if_lookup_by_index() finds an interface in any VRF: a synced
 * membership of one VRF must never join in another).
 */
static struct interface *l3mh_gm_ifp(const struct l3mh_gm *g)
{
	struct interface *ifp = if_lookup_by_index(g->ifindex, g->vrf_id);

	return ifp && ifp->vrf->vrf_id == g->vrf_id ? ifp : NULL;
}

/*
 * Memberships worth a route: not the link's own control groups (IGMP and
 * MLD do not track 224.0.0.0/24 and link scope anyway) and not AutoRP's
 * 224.0.1.39/40, which pimd joins itself on every PIM interface.
 */
static bool l3mh_gm_group_synced(pim_addr grp)
{
#if PIM_IPV == 4
	uint32_t g = ntohl(grp.s_addr);

	return (g & 0xffffff00) != 0xe0000000 && g != 0xe0000127 && g != 0xe0000128;
#else
	return !IN6_IS_ADDR_MC_NODELOCAL(&grp) && !IN6_IS_ADDR_MC_LINKLOCAL(&grp);
#endif
}

/* RFC 9251 section 9.1 flags of a report of IGMP version 1-3 / MLD 1-2 */
static uint8_t l3mh_gm_flags(uint8_t version, bool exclude, pim_sgaddr sg)
{
	uint8_t flags;

	switch (version) {
	case 1:
		return EVPN_MCAST_FLAG_V1;
	case 2:
		flags = EVPN_MCAST_FLAG_V2;
		/* MLDv2 has filter modes, IGMPv2 does not */
		if (PIM_IPV == 4)
			return flags;
		break;
	default:
		flags = EVPN_MCAST_FLAG_V3;
		break;
	}
	if (exclude && pim_addr_is_any(sg.src))
		flags |= EVPN_MCAST_FLAG_IE;
	return flags;
}

/* ------------------------------------------------------------------------
 * Messages to zebra (for bgpd)
 * ------------------------------------------------------------------------
 */
static void l3mh_send_gm(uint16_t type, const struct l3mh_gm *g, uint8_t max_resp)
{
	struct zclient *zc = pim_zebra_zclient_get();
	struct l3mh_zapi_gm z = {
		.ifindex = g->ifindex,
		.flags = g->flags,
		.max_resp = max_resp,
	};
	struct stream *s;

	if (!zc || zc->sock < 0)
		return;
	z.src.ipa_type = z.grp.ipa_type = PIM_IPADDR;
	z.src.ipaddr_pim = g->sg.src;
	z.grp.ipaddr_pim = g->sg.grp;
	L3MH_DEBUG("send %s %pSG ifindex %u vrf %u flags 0x%x", l3mh_zapi_type2str(type), &g->sg,
		   g->ifindex, g->vrf_id, g->flags);
	s = zclient_extension_msg_start(zc, L3MH_ZAPI_EXT_ID, type, g->vrf_id);
	l3mh_zapi_gm_encode(s, &z);
	zclient_extension_msg_send(zc);
}

static void l3mh_send_replay(void)
{
	struct zclient *zc = pim_zebra_zclient_get();
	struct stream *s;

	if (!zc || zc->sock < 0)
		return;
	s = zclient_extension_msg_start(zc, L3MH_ZAPI_EXT_ID, L3MH_ZAPI_GM_REPLAY, VRF_DEFAULT);
	/* our memberships are stale at bgpd until we name them again */
	l3mh_zapi_gm_replay_encode(s, PIM_AF);
	zclient_extension_msg_send(zc);
}

/* ------------------------------------------------------------------------
 * Synced memberships: joined into the TIB unless learned locally
 * ------------------------------------------------------------------------
 */
static void l3mh_synced_unjoin(struct l3mh_gm *g)
{
	struct interface *ifp = l3mh_gm_ifp(g);
	struct pim_interface *pim_ifp = ifp ? ifp->info : NULL;

	if (!g->joined)
		return;
	g->joined = false;
	if (!pim_ifp || !g->oil || pim_ifp->pim != g->pim) {
		/* the interface is gone, or left the VRF before it went down:
		 * pimd has taken its state there down with it, and pruning now
		 * would reach into the instance it is in now (the reference to
		 * the old instance's OIL is left to that instance)
		 */
		if (g->oil)
			L3MH_DEBUG("synced %pSG: ifindex %u left VRF %u, TIB state dropped", &g->sg,
				   g->ifindex, g->vrf_id);
		g->oil = NULL;
		g->pim = NULL;
		return;
	}
	L3MH_DEBUG("synced %pSG on %s: leave the TIB", &g->sg, ifp->name);
	tib_sg_gm_prune(pim_ifp->pim, g->sg, ifp, &g->oil);
	g->oil = NULL;
	g->pim = NULL;
}

/*
 * Join a synced membership into the TIB, or leave it. False if it should
 * join but cannot yet: the interface is down, has no VIF, or IGMP/MLD is
 * not (yet: a restarted pimd gets its config after zebra's messages) on.
 */
static bool l3mh_synced_eval(struct l3mh_gm *g)
{
	struct interface *ifp = l3mh_gm_ifp(g);
	struct pim_interface *pim_ifp = ifp ? ifp->info : NULL;
	struct l3mh_gm_if *gi = l3mh_gm_if_find(g->ifindex);
	bool want = ((gi && gi->vrf_id == g->vrf_id) || g->retained) &&
		    !l3mh_gm_find(L3MH_GM_LOCAL, g->vrf_id, g->ifindex, g->sg);

	if (!want || !ifp) {
		/* not wanted, or its interface is out of its VRF for now */
		l3mh_synced_unjoin(g);
		return !want;
	}
	if (g->joined)
		return true;
	if (!pim_ifp || !pim_ifp->gm_enable || !if_is_operative(ifp) ||
	    pim_ifp->mroute_vif_index < 0)
		return false;
	g->joined = tib_sg_gm_join(pim_ifp->pim, g->sg, ifp, &g->oil);
	g->pim = pim_ifp->pim;
	L3MH_DEBUG("synced %pSG on %s: %s", &g->sg, ifp->name,
		   g->joined ? "joined the TIB" : "TIB join failed");
	return g->joined;
}

static void l3mh_synced_eval_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	bool *blocked = arg;

	if (g->origin == L3MH_GM_SYNCED && !l3mh_synced_eval(g))
		*blocked = true;
}

static void l3mh_synced_eval_all(struct event *e)
{
	bool blocked = false;

	hash_iterate(l3mh.gms, l3mh_synced_eval_walk, &blocked);
	/* an interface not ready yet: try again */
	if (blocked)
		event_add_timer_msec(router->master, l3mh_synced_eval_all, NULL, 2000, &l3mh.t_eval);
}

/* after the TIB has seen the current change (e.g. a local prune) */
static void l3mh_synced_eval_later(void)
{
	event_add_timer_msec(router->master, l3mh_synced_eval_all, NULL, 10, &l3mh.t_eval);
}

/* ------------------------------------------------------------------------
 * Retention of synced memberships (draft section 4)
 * ------------------------------------------------------------------------
 */
/* a group-specific (IGMPv3, MLDv2: group-and-source-specific for (S,G))
 * query for g on its interface
 */
static void l3mh_retain_query(struct l3mh_gm *g)
{
	struct interface *ifp = l3mh_gm_ifp(g);
	struct pim_interface *pim_ifp = ifp ? ifp->info : NULL;

	if (!pim_ifp || !pim_ifp->gm_enable || !if_is_operative(ifp))
		return;
	L3MH_DEBUG("retained %pSG on %s: group-specific query", &g->sg, ifp->name);
	g->queries++;
#if PIM_IPV == 4
	{
		char buf[PIM_IGMP_BUFSIZE_WRITE];
		int n_src = 0;
		struct listnode *node;
		struct gm_sock *igmp;

		if (pim_ifp->igmp_version == 3 && !pim_addr_is_any(g->sg.src)) {
			memcpy(buf + IGMP_V3_SOURCES_OFFSET, &g->sg.src, sizeof(g->sg.src));
			n_src = 1;
		}
		for (ALL_LIST_ELEMENTS_RO(pim_ifp->gm_socket_list, node, igmp))
			igmp_send_query(pim_ifp->igmp_version, NULL, buf, sizeof(buf), n_src,
					g->sg.grp, g->sg.grp,
					pim_ifp->gm_specific_query_max_response_time_dsec, 0, igmp);
	}
#else
	gm_send_query_external(ifp, g->sg);
#endif
}

static void l3mh_retain_query_timer(struct event *e)
{
	struct l3mh_gm *g = EVENT_ARG(e);

	l3mh_retain_query(g);
	event_add_timer_msec(router->master, l3mh_retain_query_timer, g,
			     l3mh_retain_query_msec(g->retain_secs), &g->t_query);
}

static void l3mh_synced_retain_end(struct l3mh_gm *g)
{
	EVENT_OFF(g->t_retain);
	EVENT_OFF(g->t_query);
	g->retained = false;
}

/*
 * The retention time is up: if a host answered here, the membership is this
 * PE's own already (a local one, advertised); else it goes.
 */
static void l3mh_retain_expire(struct event *e)
{
	struct l3mh_gm *g = EVENT_ARG(e);
	struct interface *ifp = l3mh_gm_ifp(g);

	l3mh_synced_retain_end(g);
	if (l3mh_gm_find(L3MH_GM_LOCAL, g->vrf_id, g->ifindex, g->sg))
		L3MH_DEBUG("retention of %pSG on %s over: a host answered, the membership is local",
			   &g->sg, ifp ? ifp->name : "?");
	else
		zlog_info("evpn-l3mh: retention of synced %pSG on %s over: no host answered %u queries, removed",
			  &g->sg, ifp ? ifp->name : "?", g->queries);
	l3mh_synced_unjoin(g);
	l3mh_gm_del(g);
}

/*
 * The route of synced membership g is gone, or its interface is no longer
 * an ES interface: keep it for secs (true), refreshed by queries, or not
 * (secs 0: false). One retained already keeps its time.
 */
static bool l3mh_synced_retain(struct l3mh_gm *g, uint16_t secs)
{
	struct interface *ifp = l3mh_gm_ifp(g);

	if (g->retained)
		return true;
	if (!secs)
		return false;
	L3MH_DEBUG("synced %pSG on %s: retained %us", &g->sg, ifp ? ifp->name : "?", secs);
	g->retained = true;
	g->retain_secs = secs;
	g->queries = 0;
	event_add_timer(router->master, l3mh_retain_expire, g, secs, &g->t_retain);
	/* at once, then a few times while the time runs */
	event_add_timer_msec(router->master, l3mh_retain_query_timer, g, 0, &g->t_query);
	return true;
}

static void l3mh_synced_update(vrf_id_t vrf_id, const struct l3mh_zapi_gm *z, bool add)
{
	struct l3mh_gm key = { .origin = L3MH_GM_SYNCED, .vrf_id = vrf_id, .ifindex = z->ifindex };
	struct l3mh_gm *g;

	if (z->grp.ipa_type != PIM_IPADDR)
		return; /* the other address family's daemon */
	key.sg.src = z->src.ipaddr_pim;
	key.sg.grp = z->grp.ipaddr_pim;
	g = hash_lookup(l3mh.gms, &key);
	if (!add) {
		struct l3mh_gm_if *gi = l3mh_gm_if_find(z->ifindex);

		if (!g || (gi && l3mh_synced_retain(g, gi->retention)))
			return;
		l3mh_synced_unjoin(g);
		l3mh_gm_del(g);
		return;
	}
	if (!g) {
		g = XCALLOC(MTYPE_L3MH_GM, sizeof(*g));
		*g = key;
		g->uptime = monotime(NULL);
		(void)hash_get(l3mh.gms, g, hash_alloc_intern);
	} else if (g->retained) {
		L3MH_DEBUG("synced %pSG ifindex %u: route back, retained no more", &g->sg,
			   g->ifindex);
		l3mh_synced_retain_end(g);
	}
	g->flags = z->flags;
	if (!l3mh_synced_eval(g))
		l3mh_synced_eval_later();
}

struct l3mh_if_down_ctx {
	struct interface *ifp;
	struct list *gone;
};

/* an interface went down: its synced joins leave the TIB while its VIF is
 * still there, and join again when it is back; its local memberships are
 * gone (MLD stops on a down interface without a word: pim_gm_membership
 * is not called)
 */
static void l3mh_if_down_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct l3mh_if_down_ctx *ctx = arg;

	if (g->ifindex != ctx->ifp->ifindex || g->vrf_id != ctx->ifp->vrf->vrf_id)
		return;
	if (g->origin == L3MH_GM_SYNCED)
		l3mh_synced_unjoin(g);
	else
		listnode_add(ctx->gone, g);
}

static int l3mh_if_down(struct interface *ifp)
{
	struct l3mh_if_down_ctx ctx = { .ifp = ifp, .gone = list_new() };
	struct listnode *node;
	struct l3mh_gm *g;

	hash_iterate(l3mh.gms, l3mh_if_down_walk, &ctx);
	for (ALL_LIST_ELEMENTS_RO(ctx.gone, node, g)) {
		L3MH_DEBUG("%pSG on %s: interface down, no longer a member", &g->sg, ifp->name);
		if (l3mh_gm_if_find(g->ifindex))
			l3mh_send_gm(L3MH_ZAPI_GM_LOCAL_DEL, g, 0);
		l3mh_gm_del(g);
	}
	list_delete(&ctx.gone);
	return 0;
}

static int l3mh_if_up(struct interface *ifp)
{
	if (l3mh_gm_if_find(ifp->ifindex))
		l3mh_synced_eval_later();
	return 0;
}

/* ------------------------------------------------------------------------
 * Local memberships (hooks in IGMP/MLD)
 * ------------------------------------------------------------------------
 */
static int l3mh_gm_membership(struct interface *ifp, pim_sgaddr sg, bool join, uint8_t version,
			      bool exclude)
{
	vrf_id_t vrf_id = ifp->vrf->vrf_id;
	struct l3mh_gm *g = l3mh_gm_find(L3MH_GM_LOCAL, vrf_id, ifp->ifindex, sg);
	struct l3mh_gm *synced;
	bool es = !!l3mh_gm_if_find(ifp->ifindex);
	uint8_t flags = l3mh_gm_flags(version, exclude, sg);

	if (!l3mh_gm_group_synced(sg.grp))
		return 0;
	if (!join) {
		if (!g)
			return 0;
		if (es)
			l3mh_send_gm(L3MH_ZAPI_GM_LOCAL_DEL, g, 0);
		l3mh_gm_del(g);
		/* a synced one takes over once the TIB has pruned ours */
		if (l3mh_gm_find(L3MH_GM_SYNCED, vrf_id, ifp->ifindex, sg))
			l3mh_synced_eval_later();
		return 0;
	}
	/* IGMP re-evaluates its sources after a leave: only a new report
	 * (the membership outlives the last member queries) ends the leave
	 */
	if (g && g->flags == flags)
		return 0;
	if (!g) {
		g = XCALLOC(MTYPE_L3MH_GM, sizeof(*g));
		g->origin = L3MH_GM_LOCAL;
		g->vrf_id = vrf_id;
		g->ifindex = ifp->ifindex;
		g->sg = sg;
		g->uptime = monotime(NULL);
		(void)hash_get(l3mh.gms, g, hash_alloc_intern);
	}
	g->flags = flags;
	/* learned here: a synced copy leaves the TIB before ours joins */
	synced = l3mh_gm_find(L3MH_GM_SYNCED, vrf_id, ifp->ifindex, sg);
	if (synced)
		l3mh_synced_unjoin(synced);
	if (es)
		l3mh_send_gm(L3MH_ZAPI_GM_LOCAL_ADD, g, 0);
	return 0;
}

static void l3mh_leave_over(struct event *e)
{
	struct l3mh_gm *g = EVENT_ARG(e);

	g->leaving = false;
	if (l3mh_gm_if_find(g->ifindex))
		l3mh_send_gm(L3MH_ZAPI_GM_LOCAL_ADD, g, 0);
}

/*
 * A leave arrived: for a membership learned here, or for one an ES peer
 * learned (the CE's hash sent the report there and the leave here): either
 * way the ES peers hear of it with an RT-8 (RFC 9251 section 9.3).
 */
static int l3mh_gm_leave(struct interface *ifp, pim_sgaddr sg, uint8_t version,
			 uint32_t max_resp_dsec)
{
	vrf_id_t vrf_id = ifp->vrf->vrf_id;
	struct l3mh_gm *g = l3mh_gm_find(L3MH_GM_LOCAL, vrf_id, ifp->ifindex, sg);

	if (!l3mh_gm_if_find(ifp->ifindex))
		return 0;
	if (!g) {
		g = l3mh_gm_find(L3MH_GM_SYNCED, vrf_id, ifp->ifindex, sg);
		if (g) {
			L3MH_DEBUG("leave of synced %pSG on %s", &sg, ifp->name);
			l3mh_send_gm(L3MH_ZAPI_GM_LEAVE, g, MIN(max_resp_dsec, 255));
		}
		return 0;
	}
	if (g->leaving)
		return 0;
	g->leaving = true;
	l3mh_send_gm(L3MH_ZAPI_GM_LEAVE, g, MIN(max_resp_dsec, 255));
	/* still a member after the last member queries (robustness 2): a
	 * host answered, the leave is over
	 */
	event_add_timer_msec(router->master, l3mh_leave_over, g,
			     l3mh_leave_over_msec(max_resp_dsec), &g->t_leave);
	return 0;
}

/*
 * An ES peer received the leave of a membership learned here: run the last
 * member queries as if the leave had arrived here (RFC 9251 section 5.2).
 */
static void l3mh_gm_sync_leave(vrf_id_t vrf_id, const struct l3mh_zapi_gm *z)
{
	pim_sgaddr sg;
	struct l3mh_gm *g;
	struct interface *ifp;

	if (z->grp.ipa_type != PIM_IPADDR)
		return;
	sg.src = z->src.ipaddr_pim;
	sg.grp = z->grp.ipaddr_pim;
	g = l3mh_gm_find(L3MH_GM_LOCAL, vrf_id, z->ifindex, sg);
	ifp = if_lookup_by_index(z->ifindex, vrf_id);
	if (!g || !ifp || !ifp->info)
		return;
#if PIM_IPV == 4
	{
		struct pim_interface *pim_ifp = ifp->info;
		struct gm_sock *igmp = listnode_head(pim_ifp->gm_socket_list);

		if (!igmp)
			return;
		L3MH_DEBUG("leave of %pSG on %s at an ES peer: last member queries", &sg, ifp->name);
		if (pim_addr_is_any(sg.src))
			igmpv3_report_toin(igmp, igmp->ifaddr, sg.grp, 0, NULL);
		else
			igmpv3_report_block(igmp, igmp->ifaddr, sg.grp, 1, &sg.src);
	}
#else
	L3MH_DEBUG("leave of %pSG on %s at an ES peer: last listener queries", &sg, ifp->name);
	gm_sg_leave_external(ifp, sg);
#endif
}

struct l3mh_if_walk_ctx {
	ifindex_t ifindex;
	struct list *gone;
};

static void l3mh_local_send_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct l3mh_if_walk_ctx *ctx = arg;

	if (g->origin != L3MH_GM_LOCAL || !l3mh_gm_if_find(g->ifindex) ||
	    (ctx->ifindex && g->ifindex != ctx->ifindex))
		return;
	l3mh_send_gm(L3MH_ZAPI_GM_LOCAL_ADD, g, 0);
	if (g->leaving)
		l3mh_send_gm(L3MH_ZAPI_GM_LEAVE, g, 0);
}

/* ------------------------------------------------------------------------
 * ES interfaces and the designated forwarder
 * ------------------------------------------------------------------------
 */
static int l3mh_oif_mute(struct channel_oil *c_oil, struct pim_interface *pim_ifp)
{
	struct interface *ifp = pim_if_find_by_vif_index(c_oil->pim, pim_ifp->mroute_vif_index);
	struct l3mh_gm_if *gi = ifp ? l3mh_gm_if_find(ifp->ifindex) : NULL;

	return gi && !gi->df;
}

static void l3mh_df_apply(struct interface *ifp)
{
	struct pim_interface *pim_ifp = ifp->info;
	struct channel_oil *c_oil;

	if (!pim_ifp || !pim_ifp->pim || pim_ifp->mroute_vif_index < 0)
		return;
	frr_each (rb_pim_oil, &pim_ifp->pim->channel_oil_head, c_oil)
		pim_channel_update_oif_mute(c_oil, pim_ifp);
}

static void l3mh_synced_drop_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct l3mh_if_walk_ctx *ctx = arg;

	if (g->origin == L3MH_GM_SYNCED && g->ifindex == ctx->ifindex)
		listnode_add(ctx->gone, g);
}

static void l3mh_gm_if_update(vrf_id_t vrf_id, const struct l3mh_zapi_gm_if *z)
{
	struct l3mh_gm_if *gi = l3mh_gm_if_find(z->ifindex);
	struct interface *ifp = if_lookup_by_index(z->ifindex, vrf_id);
	struct l3mh_if_walk_ctx ctx = { .ifindex = z->ifindex };
	struct listnode *node;
	struct l3mh_gm *g;

	if (!z->es) {
		if (!gi)
			return;
		L3MH_DEBUG("ifindex %u is no longer an ES interface", z->ifindex);
		hash_release(l3mh.ifs, gi);
		XFREE(MTYPE_L3MH_GM_IF, gi);
		/* its synced memberships have nowhere to go: they go, or are
		 * retained if bgpd stopped (zebra names the time)
		 */
		ctx.gone = list_new();
		hash_iterate(l3mh.gms, l3mh_synced_drop_walk, &ctx);
		for (ALL_LIST_ELEMENTS_RO(ctx.gone, node, g)) {
			if (l3mh_synced_retain(g, z->retention))
				continue;
			l3mh_synced_unjoin(g);
			l3mh_gm_del(g);
		}
		list_delete(&ctx.gone);
		if (ifp)
			l3mh_df_apply(ifp);
		return;
	}
	if (!gi) {
		gi = XCALLOC(MTYPE_L3MH_GM_IF, sizeof(*gi));
		gi->ifindex = z->ifindex;
		gi->df = !z->df; /* changed below */
		(void)hash_get(l3mh.ifs, gi, hash_alloc_intern);
		gi->vrf_id = vrf_id;
		/* what was learned here before it was an ES interface */
		hash_iterate(l3mh.gms, l3mh_local_send_walk, &ctx);
		l3mh_synced_eval_later();
	}
	gi->retention = z->retention;
	if (gi->vrf_id != vrf_id) {
		/* enslaved to another VRF: the synced memberships of the one
		 * it left wait for it to come back
		 */
		gi->vrf_id = vrf_id;
		l3mh_synced_eval_later();
	}
	if (gi->df == z->df)
		return;
	gi->df = z->df;
	L3MH_DEBUG("%s: %s", ifp ? ifp->name : "?",
		   gi->df ? "designated forwarder" : "not the designated forwarder");
	if (ifp)
		l3mh_df_apply(ifp);
}

/* ------------------------------------------------------------------------
 * Messages from zebra
 * ------------------------------------------------------------------------
 */
static int l3mh_zclient_msg(struct zclient *zc, const struct zapi_extension_hdr *hdr,
			    struct stream *s, uint16_t length, vrf_id_t vrf_id)
{
	struct l3mh_if_walk_ctx ctx = {};
	struct l3mh_zapi_gm_if gi;
	struct l3mh_zapi_gm z;
	uint8_t family;

	if (hdr->ext_id != L3MH_ZAPI_EXT_ID)
		return 0;
	L3MH_DEBUG("recv %s vrf %u", l3mh_zapi_type2str(hdr->type), vrf_id);
	switch (hdr->type) {
	case L3MH_ZAPI_GM_SYNC_ADD:
	case L3MH_ZAPI_GM_SYNC_DEL:
		if (!l3mh_zapi_gm_decode(s, &z))
			goto malformed;
		l3mh_synced_update(vrf_id, &z, hdr->type == L3MH_ZAPI_GM_SYNC_ADD);
		break;
	case L3MH_ZAPI_GM_IF:
		if (!l3mh_zapi_gm_if_decode(s, &gi))
			goto malformed;
		l3mh_gm_if_update(vrf_id, &gi);
		break;
	case L3MH_ZAPI_GM_REPLAY:
		if (!l3mh_zapi_gm_replay_decode(s, &family))
			goto malformed;
		if (!family || family == PIM_AF)
			hash_iterate(l3mh.gms, l3mh_local_send_walk, &ctx);
		break;
	case L3MH_ZAPI_GM_SYNC_LEAVE:
		if (!l3mh_zapi_gm_decode(s, &z))
			goto malformed;
		l3mh_gm_sync_leave(vrf_id, &z);
		break;
	default:
		break;
	}
	return 0;

malformed:
	zlog_warn("evpn-l3mh: malformed %s from zebra", l3mh_zapi_type2str(hdr->type));
	return 0;
}

/* pimd's zebra session (re)connected: ask for the ES interfaces and the
 * synced memberships
 */
static void l3mh_zebra_connected(struct zclient *zc)
{
	if (l3mh.zebra_connected)
		l3mh.zebra_connected(zc);
	l3mh_send_replay();
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "pimd/pim_evpn_l3mh_clippy.c"

struct l3mh_show_ctx {
	struct vty *vty;
	vrf_id_t vrf_id;
	json_object *json;
};

/* the ES interfaces and whether this PE is their DF */
static void l3mh_show_if_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm_if *gi = hb->data;
	struct l3mh_show_ctx *ctx = arg;
	struct interface *ifp = if_lookup_by_index(gi->ifindex, gi->vrf_id);
	struct vrf *vrf = vrf_lookup_by_id(gi->vrf_id);

	if (ctx->vrf_id != VRF_UNKNOWN && gi->vrf_id != ctx->vrf_id)
		return;
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
		json_object_string_add(j, "interface", ifp ? ifp->name : "");
		json_object_boolean_add(j, "designatedForwarder", gi->df);
		json_object_int_add(j, "retentionTime", gi->retention);
		json_object_array_add(ctx->json, j);
	} else
		vty_out(ctx->vty, "ES interface %s (VRF %s): %s, retention time %us\n",
			ifp ? ifp->name : "?", vrf ? vrf->name : "?",
			gi->df ? "designated forwarder" : "not the designated forwarder",
			gi->retention);
}

static const char *l3mh_gm_state(const struct l3mh_gm *g)
{
	if (g->origin == L3MH_GM_LOCAL)
		return g->leaving ? "leaving" : "advertised";
	if (g->retained)
		return "retained";
	if (g->joined)
		return "joined";
	if (l3mh_gm_find(L3MH_GM_LOCAL, g->vrf_id, g->ifindex, g->sg))
		return "learned-locally";
	return "not-joined";
}

static void l3mh_show_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_gm *g = hb->data;
	struct l3mh_show_ctx *ctx = arg;
	struct interface *ifp = l3mh_gm_ifp(g);
	struct l3mh_gm_if *gi = l3mh_gm_if_find(g->ifindex);
	struct vrf *vrf = vrf_lookup_by_id(g->vrf_id);
	char flags[EVPN_MCAST_FLAGS_STRLEN];

	if (ctx->vrf_id != VRF_UNKNOWN && g->vrf_id != ctx->vrf_id)
		return;
	if (g->origin == L3MH_GM_LOCAL && !gi)
		return; /* not on an ES interface: not synced */
	evpn_mcast_flags2str(g->flags, flags, sizeof(flags));
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
		json_object_string_add(j, "interface", ifp ? ifp->name : "");
		json_object_string_addf(j, "source", "%pPA", &g->sg.src);
		json_object_string_addf(j, "group", "%pPA", &g->sg.grp);
		json_object_string_add(j, "origin", g->origin == L3MH_GM_LOCAL ? "local" : "synced");
		json_object_string_add(j, "flags", flags);
		json_object_string_add(j, "state", l3mh_gm_state(g));
		json_object_boolean_add(j, "designatedForwarder", gi && gi->df);
		json_object_int_add(j, "uptime", monotime(NULL) - g->uptime);
		if (g->retained) {
			json_object_boolean_add(j, "joined", g->joined);
			json_object_int_add(j, "retainedSecs",
					    event_timer_remain_second(g->t_retain));
			json_object_int_add(j, "retentionQueries", g->queries);
		}
		json_object_array_add(ctx->json, j);
	} else
		vty_out(ctx->vty, "%-10s %-12s %-40pSG %-7s %-12s %-17s %s\n",
			vrf ? vrf->name : "?", ifp ? ifp->name : "-", &g->sg,
			g->origin == L3MH_GM_LOCAL ? "local" : "synced", flags, l3mh_gm_state(g),
			gi && gi->df ? "yes" : "no");
}

DEFPY(show_pim_l3mh_gm, show_pim_l3mh_gm_cmd,
      "show <ip$ip igmp|ipv6$ipv6 mld> evpn-sync [vrf NAME$vrf_name] [json$json]",
      SHOW_STR IP_STR "IGMP information\n" IPV6_STR "MLD information\n"
      "Memberships synchronized with the EVPN ES peers\n" VRF_CMD_HELP_STR
      JSON_STR)
{
	struct l3mh_show_ctx ctx = { .vty = vty, .vrf_id = VRF_UNKNOWN };
	json_object *top = NULL;

	/* the command is in pimd and pim6d: only one of them answers */
	if ((ip && PIM_IPV != 4) || (ipv6 && PIM_IPV != 6))
		return CMD_SUCCESS;
	if (vrf_name) {
		struct vrf *vrf = vrf_lookup_by_name(vrf_name);

		if (!vrf) {
			if (json)
				vty_out(vty, "{}\n");
			else
				vty_out(vty, "%% VRF %s not found\n", vrf_name);
			return CMD_WARNING;
		}
		ctx.vrf_id = vrf->vrf_id;
	}
	if (json) {
		top = json_object_new_object();
		ctx.json = json_object_new_array();
		json_object_object_add(top, "interfaces", ctx.json);
		hash_iterate(l3mh.ifs, l3mh_show_if_walk, &ctx);
		ctx.json = json_object_new_array();
		json_object_object_add(top, "memberships", ctx.json);
	} else {
		hash_iterate(l3mh.ifs, l3mh_show_if_walk, &ctx);
		vty_out(vty, "\n");
	}
	if (!json)
		vty_out(vty, "%-10s %-12s %-40s %-7s %-12s %-17s %s\n", "VRF", "Interface", "(S,G)",
			"Origin", "Flags", "State", "DF");
	hash_iterate(l3mh.gms, l3mh_show_walk, &ctx);
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

DEFPY(debug_pim_l3mh_gm, debug_pim_l3mh_gm_cmd, "[no] debug pim evpn-l3mh",
      NO_STR DEBUG_STR "PIM protocol activity\n"
      "EVPN L3 multi-homing IGMP/MLD synchronization\n")
{
	DEBUG_MODE_SET(&l3mh_dbg, DEBUG_NODE2MODE(vty->node), !no);
	return CMD_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------------
 */
static int l3mh_late_init(struct event_loop *tm)
{
	struct zclient *zc = pim_zebra_zclient_get();

	l3mh.ifs = hash_create_size(32, l3mh_gm_if_hash_key, l3mh_gm_if_hash_cmp,
				    "EVPN L3MH ES interfaces");
	l3mh.gms = hash_create_size(256, l3mh_gm_hash_key, l3mh_gm_hash_cmp,
				    "EVPN L3MH IGMP/MLD memberships");
	hook_register(pim_gm_membership, l3mh_gm_membership);
	hook_register(pim_gm_leave, l3mh_gm_leave);
	hook_register(pim_channel_oif_mute, l3mh_oif_mute);
	hook_register(if_down, l3mh_if_down);
	hook_register(if_up, l3mh_if_up);
	hook_register(zclient_extension_msg, l3mh_zclient_msg);
	if (zc) {
		l3mh.zebra_connected = zc->zebra_connected;
		zc->zebra_connected = l3mh_zebra_connected;
	}
	install_element(VIEW_NODE, &show_pim_l3mh_gm_cmd);
	install_element(ENABLE_NODE, &debug_pim_l3mh_gm_cmd);
	install_element(CONFIG_NODE, &debug_pim_l3mh_gm_cmd);
	debug_install(&l3mh_dbg);
	return 0;
}

static int l3mh_module_init(void)
{
	hook_register(frr_late_init, l3mh_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "evpn_l3mh", .version = FRR_VERSION,
		 .description = "EVPN L3 multi-homing (IGMP/MLD sync)", .init = l3mh_module_init);
