// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, zebra side: ARP/ND synchronization between the PEs
 * of an Ethernet Segment on a routed bond.
 *
 * draft-ietf-bess-evpn-l3mh-proto-00:
 *   3.4  L3 ES: an ES on a routed bond, known to bgpd without any L2-VNI
 *   3.5  Ethernet Tag <-> L3 (sub-)interface of the ES
 *   3.6  ARP/ND synchronization: local entries go to bgpd (RT-2), entries
 *        synced from an ES peer are installed in the kernel
 *   3.7  IGMP/MLD synchronization: relays memberships between pimd/pim6d
 *        and bgpd (RT-7/RT-8), mapping an interface to its ES and
 *        Ethernet Tag and back, and tells pimd/pim6d on which ES
 *        (sub-)interfaces this PE is the designated forwarder
 *   1.6  (requirements 6-8) the links of a port-active ES and the
 *        sub-interfaces of a single-active one, held down on the non-DF:
 *        zebra_evpn_l3mh_es.c
 *   3.8  IGP route synchronization: tells bgpd which interfaces are ES
 *        (sub-)interfaces, of which ES and Ethernet Tag, and whether they
 *        are up (ES_IF), so that it maps a VRF route's interface to them
 *
 * bgpd's evpn_l3mh module turns the feature on (L3MH_ZAPI_ENABLE); this
 * module then reports every usable locally learned neighbour on an ES
 * (sub-)interface (zebra_neigh_local_update hook) and installs the ones
 * bgpd syncs from the ES peers as extern-learned entries through the data
 * plane, unless this PE has learned the same entry itself.
 */
#include <zebra.h>

#include "hash.h"
#include "jhash.h"
#include "json.h"
#include "libfrr.h"
#include "lib/version.h"
#include "module.h"
#include "vty.h"

#include "lib/evpn_df.h"
#include "lib/evpn_etag.h"
#include "lib/evpn_l3mh_zapi.h"
#include "lib/debug.h"
#include "zebra/debug.h"
#include "zebra/interface.h"
#include "zebra/redistribute.h"
#include "zebra/rt.h"
#include "zebra/zebra_dplane.h"
#include "zebra/zebra_evpn_l3mh_es.h"
#include "zebra/zebra_evpn_mh.h"
#include "zebra/zebra_neigh.h"
#include "zebra/zebra_ns.h"
#include "zebra/zebra_router.h"
#include "zebra/zebra_vrf.h"
#include "zebra/zserv.h"

DEFINE_MTYPE_STATIC(ZEBRA, L3MH_SYNC_NEIGH, "EVPN L3MH synced neighbour");
DEFINE_MTYPE_STATIC(ZEBRA, L3MH_GM, "EVPN L3MH IGMP/MLD sync state");
DEFINE_MTYPE_STATIC(ZEBRA, L3MH_ES_IF, "EVPN L3MH ES interface");

/* lib's debug framework: set from the config, it is written back there */
static struct debug l3mh_dbg = {
	.conf = "debug zebra evpn l3mh",
	.desc = "EVPN L3 multi-homing",
};
#define L3MH_DEBUG(fmt, ...)                                                   \
	do {                                                                   \
		if (DEBUG_MODE_CHECK(&l3mh_dbg, DEBUG_MODE_ALL))               \
			zlog_debug("evpn-l3mh: " fmt, ##__VA_ARGS__);          \
	} while (0)

static struct {
	bool enabled;
	struct in_addr originator_ip;
	uint16_t retention; /* s; 0: synced entries go with their route */
	bool link_local;    /* report link-local neighbours too (IGP sync) */
	struct hash *sync_neighs;
	struct list *es_dfs; /* struct l3mh_es_df: ESs with IGMP/MLD sync */
	struct list *gm_ifs; /* struct l3mh_gm_if: what pimd was told */
	/* the retention time pimd is told: kept when bgpd goes, so that
	 * pimd retains the synced memberships then too
	 */
	uint16_t gm_retention;
	struct hash *es_ifs; /* struct l3mh_es_if: what bgpd was told */
} l3mh;

/* ------------------------------------------------------------------------
 * L3 ES (sub-)interfaces and their Ethernet Tag (draft section 3.5)
 * ------------------------------------------------------------------------
 */
static struct interface *l3mh_if_lookup(ifindex_t ifindex)
{
	return if_lookup_by_index_per_ns(zebra_ns_lookup(NS_DEFAULT), ifindex);
}

/*
 * The local ES of an L3 interface: the bond itself (untagged), a VLAN on
 * the bond (single tag) or a VLAN on a VLAN on the bond (double tag).
 */
static struct zebra_evpn_es *l3mh_if_es(struct interface *ifp, uint32_t *etag)
{
	struct evpn_etag_encap encap = { .type = EVPN_ETAG_UNTAGGED };
	struct zebra_if *zif = ifp->info;
	struct interface *bond = ifp;
	struct zebra_if *bzif;

	if (!zif)
		return NULL;
	if (IS_ZEBRA_IF_VLAN(ifp)) {
		struct interface *parent = l3mh_if_lookup(zif->link_ifindex);

		if (!parent || !parent->info)
			return NULL;
		encap.type = EVPN_ETAG_SINGLE;
		encap.outer_vid = zif->l2info.vl.vid;
		bond = parent;
		if (IS_ZEBRA_IF_VLAN(parent)) {
			struct zebra_if *pzif = parent->info;

			encap.type = EVPN_ETAG_DOUBLE;
			encap.outer_vid = pzif->l2info.vl.vid;
			encap.inner_vid = zif->l2info.vl.vid;
			bond = l3mh_if_lookup(pzif->link_ifindex);
			if (!bond || !bond->info)
				return NULL;
		}
	}
	bzif = bond->info;
	if (!IS_ZEBRA_IF_BOND(bond) || !bzif->es_info.es ||
	    !(bzif->es_info.es->flags & ZEBRA_EVPNES_LOCAL))
		return NULL;
	if (!evpn_etag_from_encap(&encap, etag))
		return NULL;
	return bzif->es_info.es;
}

/* The (sub-)interface of a local ES that an Ethernet Tag stands for. */
static struct interface *l3mh_es_etag_if(const esi_t *esi, uint32_t etag)
{
	struct zebra_evpn_es *es = zebra_evpn_es_find(esi);
	struct vrf *vrf;
	struct interface *ifp;
	uint32_t if_etag;

	if (!es || !(es->flags & ZEBRA_EVPNES_LOCAL) || !es->zif)
		return NULL;
	if (etag == 0)
		return es->zif->ifp;
	RB_FOREACH (vrf, vrf_id_head, &vrfs_by_id)
		FOR_ALL_INTERFACES (vrf, ifp)
			if (ifp->ifindex != IFINDEX_INTERNAL && IS_ZEBRA_IF_VLAN(ifp) &&
			    l3mh_if_es(ifp, &if_etag) == es && if_etag == etag)
				return ifp;
	return NULL;
}

/* ------------------------------------------------------------------------
 * Messages to bgpd
 * ------------------------------------------------------------------------
 */
/* a ZEBRA_EXTENSION_MESSAGE of ours, to be completed and sent */
static struct stream *l3mh_msg_start(uint16_t type, vrf_id_t vrf_id)
{
	struct stream *s = stream_new(ZEBRA_SMALL_PACKET_SIZE);

	zclient_create_header(s, ZEBRA_EXTENSION_MESSAGE, vrf_id);
	stream_putw(s, L3MH_ZAPI_EXT_ID);
	stream_putw(s, type);
	return s;
}

static void l3mh_msg_send(struct zserv *client, struct stream *s)
{
	stream_putw_at(s, 0, stream_get_endp(s));
	zserv_send_message(client, s);
}

static void l3mh_send_local_neigh(struct interface *ifp, const esi_t *esi,
				  uint32_t etag, const struct ipaddr *ip,
				  const struct ethaddr *mac, bool add)
{
	struct zserv *client = zserv_find_client(ZEBRA_ROUTE_BGP, 0);
	uint16_t type = add ? L3MH_ZAPI_LOCAL_NEIGH_ADD
			    : L3MH_ZAPI_LOCAL_NEIGH_DEL;
	struct l3mh_zapi_neigh n = {
		.esi = *esi,
		.etag = etag,
		.ip = *ip,
		.ifindex = ifp->ifindex,
	};
	struct stream *s;

	if (!client)
		return;
	if (mac)
		n.mac = *mac;
	L3MH_DEBUG("send %s %s vrf %s etag %u %pIA %pEA",
		   l3mh_zapi_type2str(type), ifp->name, ifp->vrf->name, etag,
		   ip, &n.mac);

	s = l3mh_msg_start(type, ifp->vrf->vrf_id);
	l3mh_zapi_neigh_encode(s, &n);
	l3mh_msg_send(client, s);
}

/* ------------------------------------------------------------------------
 * The ES (sub-)interfaces, for bgpd's IGP route sync (draft section 3.8)
 * ------------------------------------------------------------------------
 */
struct l3mh_es_if {
	struct l3mh_zapi_es_if z;
	vrf_id_t vrf_id;
	bool seen; /* in the current evaluation */
};

static void l3mh_send_es_if(struct zserv *client, const struct l3mh_es_if *ei, bool es)
{
	struct l3mh_zapi_es_if z = ei->z;
	struct stream *s = l3mh_msg_start(L3MH_ZAPI_ES_IF, ei->vrf_id);

	z.es = es;
	L3MH_DEBUG("send ES_IF ifindex %u vrf %u etag %u es %d up %d", z.ifindex, ei->vrf_id,
		   z.etag, es, z.up);
	l3mh_zapi_es_if_encode(s, &z);
	l3mh_msg_send(client, s);
}

static unsigned int l3mh_es_if_hash_key(const void *arg)
{
	const struct l3mh_es_if *ei = arg;

	return jhash_1word(ei->z.ifindex, 0);
}

static bool l3mh_es_if_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_es_if *x = a, *y = b;

	return x->z.ifindex == y->z.ifindex;
}

static void l3mh_es_if_gone(struct zserv *client, struct l3mh_es_if *ei)
{
	l3mh_send_es_if(client, ei, false);
	hash_release(l3mh.es_ifs, ei);
	XFREE(MTYPE_L3MH_ES_IF, ei);
}

/* Tell bgpd whether ifp is an ES (sub-)interface now, if that changed */
static void l3mh_es_if_eval(struct zserv *client, struct interface *ifp)
{
	struct l3mh_es_if key = { .z.ifindex = ifp->ifindex }, *ei;
	struct zebra_evpn_es *es = NULL;
	uint32_t etag = 0;
	bool up;

	if (ifp->ifindex == IFINDEX_INTERNAL)
		return;
	/* one being deleted is inactive */
	if (l3mh.enabled && CHECK_FLAG(ifp->status, ZEBRA_INTERFACE_ACTIVE))
		es = l3mh_if_es(ifp, &etag);
	ei = hash_lookup(l3mh.es_ifs, &key);
	if (!es) {
		if (ei)
			l3mh_es_if_gone(client, ei);
		return;
	}
	up = if_is_operative(ifp) && (es->flags & ZEBRA_EVPNES_OPER_UP);
	if (!ei) {
		ei = XCALLOC(MTYPE_L3MH_ES_IF, sizeof(*ei));
		ei->z.ifindex = ifp->ifindex;
		ei->vrf_id = ifp->vrf->vrf_id;
		(void)hash_get(l3mh.es_ifs, ei, hash_alloc_intern);
	} else if (ei->vrf_id == ifp->vrf->vrf_id && ei->z.etag == etag && ei->z.up == up &&
		   !memcmp(&ei->z.esi, &es->esi, sizeof(esi_t))) {
		ei->seen = true;
		return;
	} else if (ei->vrf_id != ifp->vrf->vrf_id) {
		/* gone from its old VRF */
		l3mh_send_es_if(client, ei, false);
		ei->vrf_id = ifp->vrf->vrf_id;
	}
	ei->seen = true;
	ei->z.esi = es->esi;
	ei->z.etag = etag;
	ei->z.up = up;
	l3mh_send_es_if(client, ei, true);
}

static void l3mh_es_if_unsee_walk(struct hash_bucket *hb, void *arg)
{
	((struct l3mh_es_if *)hb->data)->seen = false;
}

static void l3mh_es_if_unseen_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_es_if *ei = hb->data;

	if (!ei->seen)
		listnode_add(arg, ei);
}

/* Tell bgpd which interfaces are ES (sub-)interfaces now: what changed */
static void l3mh_es_ifs_eval(void)
{
	struct zserv *client = zserv_find_client(ZEBRA_ROUTE_BGP, 0);
	struct list *gone;
	struct listnode *node;
	struct l3mh_es_if *ei;
	struct interface *ifp;
	struct vrf *vrf;

	if (!client)
		return;
	hash_iterate(l3mh.es_ifs, l3mh_es_if_unsee_walk, NULL);
	RB_FOREACH (vrf, vrf_id_head, &vrfs_by_id)
		FOR_ALL_INTERFACES (vrf, ifp)
			l3mh_es_if_eval(client, ifp);
	gone = list_new();
	hash_iterate(l3mh.es_ifs, l3mh_es_if_unseen_walk, gone);
	for (ALL_LIST_ELEMENTS_RO(gone, node, ei))
		l3mh_es_if_gone(client, ei);
	list_delete(&gone);
}

static void l3mh_es_if_free(void *arg)
{
	XFREE(MTYPE_L3MH_ES_IF, arg);
}

/* ------------------------------------------------------------------------
 * Synced neighbours (from the ES peers through bgpd)
 * ------------------------------------------------------------------------
 */
enum l3mh_sync_state {
	L3MH_SYNC_NO_IF,    /* no (sub-)interface for the ES + Ethernet Tag */
	L3MH_SYNC_VRF_MISMATCH, /* the interface is in another VRF */
	L3MH_SYNC_IF_DOWN,  /* the interface is down: the kernel has flushed it */
	L3MH_SYNC_LOCAL,    /* this PE learned the entry itself */
	L3MH_SYNC_INSTALLED,/* extern-learned entry in the kernel */
	L3MH_SYNC_RETAINED, /* route withdrawn, kept for the retention time */
};

static const char *const l3mh_sync_state_str[] = {
	[L3MH_SYNC_NO_IF] = "no-interface",
	[L3MH_SYNC_VRF_MISMATCH] = "vrf-mismatch",
	[L3MH_SYNC_IF_DOWN] = "interface-down",
	[L3MH_SYNC_LOCAL] = "local-entry",
	[L3MH_SYNC_INSTALLED] = "installed",
	[L3MH_SYNC_RETAINED] = "retained",
};

struct l3mh_sync_neigh {
	/* key */
	vrf_id_t vrf_id;
	esi_t esi;
	uint32_t etag;
	struct ipaddr ip;

	struct ethaddr mac;
	enum l3mh_sync_state state;
	ifindex_t ifindex; /* where it is installed (or would be) */
	struct event *t_retain; /* RETAINED: end of the retention time */
};

static unsigned int l3mh_sync_hash_key(const void *arg)
{
	const struct l3mh_sync_neigh *sn = arg;
	uint32_t h;

	h = jhash(sn->esi.val, ESI_BYTES, sn->vrf_id);
	h = jhash_1word(sn->etag, h);
	return jhash(&sn->ip, sizeof(sn->ip), h);
}

static bool l3mh_sync_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_sync_neigh *x = a, *y = b;

	return x->vrf_id == y->vrf_id && x->etag == y->etag &&
	       !memcmp(&x->esi, &y->esi, sizeof(x->esi)) &&
	       !ipaddr_cmp(&x->ip, &y->ip);
}

/* Program (or not) one synced entry according to the local state. */
static void l3mh_sync_neigh_eval(struct l3mh_sync_neigh *sn)
{
	struct interface *ifp;
	enum l3mh_sync_state old = sn->state;

	if (old == L3MH_SYNC_RETAINED)
		return; /* the kernel's entry now, until the time is up */
	ifp = l3mh_es_etag_if(&sn->esi, sn->etag);
	if (!ifp)
		sn->state = L3MH_SYNC_NO_IF;
	else if (ifp->vrf->vrf_id != sn->vrf_id)
		sn->state = L3MH_SYNC_VRF_MISMATCH;
	else if (!if_is_operative(ifp))
		sn->state = L3MH_SYNC_IF_DOWN;
	else if (zebra_neigh_local_get(ifp->ifindex, &sn->ip, NULL))
		sn->state = L3MH_SYNC_LOCAL;
	else
		sn->state = L3MH_SYNC_INSTALLED;

	if (old == L3MH_SYNC_INSTALLED && sn->state != L3MH_SYNC_INSTALLED) {
		struct interface *oifp = l3mh_if_lookup(sn->ifindex);

		/* a local entry replaces ours in the kernel by itself, a
		 * down interface has none
		 */
		if (oifp && sn->state != L3MH_SYNC_LOCAL && sn->state != L3MH_SYNC_IF_DOWN)
			dplane_rem_neigh_delete(oifp, &sn->ip);
	}
	sn->ifindex = ifp ? ifp->ifindex : IFINDEX_INTERNAL;
	if (sn->state == L3MH_SYNC_INSTALLED) {
		L3MH_DEBUG("install %pIA %pEA on %s vrf %s", &sn->ip, &sn->mac,
			   ifp->name, ifp->vrf->name);
		dplane_rem_neigh_add(ifp, &sn->ip, &sn->mac, 0, false);
	} else
		L3MH_DEBUG("hold %pIA %pEA etag %u vrf %u: %s", &sn->ip,
			   &sn->mac, sn->etag, sn->vrf_id,
			   l3mh_sync_state_str[sn->state]);
}

/* ------------------------------------------------------------------------
 * Retention (draft section 4)
 *
 * When the route of an installed entry is withdrawn (or bgpd goes away) and
 * a retention time is configured, the entry stays usable until that time is
 * up. It is handed to the kernel as an ordinary (not extern-learned) STALE
 * entry and probed at once, so the kernel refreshes it with ARP requests /
 * neighbour solicitations to the host. If the host answers this PE, the
 * entry is this PE's own when the time is up and is advertised as such;
 * if the refresh fails (no answer, or the CE's LAG hash took the answer to
 * another PE of the ES), the entry is installed again as before and
 * removed when the time is up. It is never advertised before that.
 * ------------------------------------------------------------------------
 */
static void l3mh_sync_neigh_free(struct l3mh_sync_neigh *sn)
{
	event_cancel(&sn->t_retain);
	XFREE(MTYPE_L3MH_SYNC_NEIGH, sn);
}

static void l3mh_send_local_neigh(struct interface *ifp, const esi_t *esi,
				  uint32_t etag, const struct ipaddr *ip,
				  const struct ethaddr *mac, bool add);

static void l3mh_retain_expire(struct event *e)
{
	struct l3mh_sync_neigh *sn = EVENT_ARG(e);
	struct interface *ifp = l3mh_if_lookup(sn->ifindex);
	struct ethaddr mac;

	hash_release(l3mh.sync_neighs, sn);
	if (ifp && zebra_neigh_local_get(ifp->ifindex, &sn->ip, &mac)) {
		L3MH_DEBUG("retention of %pIA on %s over: the host answered, the entry is local",
			   &sn->ip, ifp->name);
		if (l3mh.enabled)
			l3mh_send_local_neigh(ifp, &sn->esi, sn->etag, &sn->ip,
					      &mac, true);
	} else if (ifp) {
		L3MH_DEBUG("retention of %pIA on %s over: removed", &sn->ip,
			   ifp->name);
		dplane_rem_neigh_delete(ifp, &sn->ip);
	}
	l3mh_sync_neigh_free(sn);
}

/* The route of sn is gone: retain it if so configured (true) */
static bool l3mh_sync_neigh_retain(struct l3mh_sync_neigh *sn)
{
	struct interface *ifp = l3mh_if_lookup(sn->ifindex);

	if (!l3mh.retention || sn->state != L3MH_SYNC_INSTALLED || !ifp)
		return false;
	L3MH_DEBUG("retain %pIA %pEA on %s for %us", &sn->ip, &sn->mac,
		   ifp->name, l3mh.retention);
	sn->state = L3MH_SYNC_RETAINED;
	/* a kernel-owned STALE entry, then probed now */
	dplane_local_neigh_add(ifp, &sn->ip, &sn->mac, false, false, true);
	dplane_neigh_discover(ifp, &sn->ip);
	event_add_timer(zrouter.master, l3mh_retain_expire, sn, l3mh.retention,
			&sn->t_retain);
	return true;
}

/* Is the kernel's entry for ip on ifp a retained synced one? */
static bool l3mh_sync_neigh_retained(struct interface *ifp,
				     struct zebra_evpn_es *es, uint32_t etag,
				     const struct ipaddr *ip)
{
	struct l3mh_sync_neigh key = { .vrf_id = ifp->vrf->vrf_id,
				       .esi = es->esi,
				       .etag = etag,
				       .ip = *ip };
	struct l3mh_sync_neigh *sn = hash_lookup(l3mh.sync_neighs, &key);

	return sn && sn->state == L3MH_SYNC_RETAINED;
}

/* The route of a retained entry is back */
static void l3mh_sync_neigh_unretain(struct l3mh_sync_neigh *sn)
{
	struct interface *ifp = l3mh_if_lookup(sn->ifindex);

	event_cancel(&sn->t_retain);
	sn->state = L3MH_SYNC_NO_IF;
	if (ifp) {
		/* take the kernel's entry back as ours at once; zebra does
		 * not hear of its own change, so drop the entry from its
		 * table of local ones (a neigh_read() may have put it there)
		 */
		sn->state = L3MH_SYNC_INSTALLED;
		dplane_rem_neigh_add(ifp, &sn->ip, &sn->mac, 0, false);
		zebra_neigh_del(ifp, &sn->ip);
	}
}

static void l3mh_sync_neigh_add(vrf_id_t vrf_id, const struct l3mh_zapi_neigh *n)
{
	struct l3mh_sync_neigh key = {
		.vrf_id = vrf_id, .esi = n->esi, .etag = n->etag, .ip = n->ip
	};
	struct l3mh_sync_neigh *sn = hash_lookup(l3mh.sync_neighs, &key);

	if (!sn) {
		sn = XCALLOC(MTYPE_L3MH_SYNC_NEIGH, sizeof(*sn));
		*sn = key;
		sn->state = L3MH_SYNC_NO_IF;
		(void)hash_get(l3mh.sync_neighs, sn, hash_alloc_intern);
	}
	sn->mac = n->mac;
	if (sn->state == L3MH_SYNC_RETAINED)
		l3mh_sync_neigh_unretain(sn);
	l3mh_sync_neigh_eval(sn);
}

static void l3mh_sync_neigh_del(vrf_id_t vrf_id, const struct l3mh_zapi_neigh *n)
{
	struct l3mh_sync_neigh key = {
		.vrf_id = vrf_id, .esi = n->esi, .etag = n->etag, .ip = n->ip
	};
	struct l3mh_sync_neigh *sn = hash_lookup(l3mh.sync_neighs, &key);
	struct interface *ifp;

	if (!sn || sn->state == L3MH_SYNC_RETAINED ||
	    l3mh_sync_neigh_retain(sn))
		return;
	hash_release(l3mh.sync_neighs, sn);
	if (sn->state == L3MH_SYNC_INSTALLED) {
		ifp = l3mh_if_lookup(sn->ifindex);
		L3MH_DEBUG("uninstall %pIA on %s", &sn->ip,
			   ifp ? ifp->name : "?");
		if (ifp)
			dplane_rem_neigh_delete(ifp, &sn->ip);
	}
	l3mh_sync_neigh_free(sn);
}

static void l3mh_sync_neigh_eval_walk(struct hash_bucket *b, void *arg)
{
	struct l3mh_sync_neigh *sn = b->data;
	struct interface *ifp = arg;

	/* the entries on ifp, and those waiting for an interface */
	if (!ifp || sn->ifindex == ifp->ifindex || sn->state == L3MH_SYNC_NO_IF ||
	    sn->state == L3MH_SYNC_VRF_MISMATCH || sn->state == L3MH_SYNC_IF_DOWN)
		l3mh_sync_neigh_eval(sn);
}

/* ------------------------------------------------------------------------
 * Local neighbours (zebra_neigh_local_update hook)
 * ------------------------------------------------------------------------
 */
/*
 * A link-local address names no host beyond the link, but the ES is the
 * link on every PE of it: its CE's link-local address is the next hop of
 * the CE's OSPFv3 and IS-IS IPv6 routes, so it is reported while bgpd
 * syncs IGP routes (draft section 3.8.2)
 */
static bool l3mh_neigh_reported(const struct ipaddr *ip)
{
	return l3mh.link_local || !IS_IPADDR_V6(ip) || !IN6_IS_ADDR_LINKLOCAL(&ip->ipaddr_v6);
}

static int l3mh_neigh_local_update(struct interface *ifp,
				   const struct ipaddr *ip,
				   const struct ethaddr *mac, bool active)
{
	struct l3mh_sync_neigh key = { .ip = *ip };
	struct l3mh_sync_neigh *sn;
	struct zebra_evpn_es *es;
	uint32_t etag;

	if (!l3mh.enabled)
		return 0;
	es = l3mh_if_es(ifp, &etag);
	if (!es)
		return 0;
	if (!l3mh_neigh_reported(ip))
		return 0;

	key.vrf_id = ifp->vrf->vrf_id;
	key.esi = es->esi;
	key.etag = etag;
	sn = hash_lookup(l3mh.sync_neighs, &key);
	if (sn && sn->state == L3MH_SYNC_RETAINED) {
		/* the retained entry itself: not ours until the time is up;
		 * if the refresh failed (no answer, or the answer went to
		 * another PE of the ES), it is still kept until then
		 */
		if (!active) {
			L3MH_DEBUG("retained %pIA on %s: refresh failed, kept until the retention time is up",
				   ip, ifp->name);
			dplane_rem_neigh_add(ifp, &sn->ip, &sn->mac, 0, false);
		}
		return 0;
	}

	l3mh_send_local_neigh(ifp, &es->esi, etag, ip, mac, active);

	/* a synced entry for the same host takes over when the local one
	 * goes, and steps back when one is learned
	 */
	if (sn)
		l3mh_sync_neigh_eval(sn);
	return 0;
}

/* Send every usable local neighbour on the ES interfaces again, then
 * REPLAY_DONE: bgpd forgets the local entries the replay did not name
 * (gone while their interface was not yet, or no longer, on an ES).
 */
static void l3mh_replay(void)
{
	struct zserv *client = zserv_find_client(ZEBRA_ROUTE_BGP, 0);
	struct zebra_neigh_ent *n;
	struct interface *ifp;
	struct zebra_evpn_es *es;
	uint32_t etag;

	RB_FOREACH (n, zebra_neigh_rb_head, &zneigh_info->neigh_rb_tree) {
		if (!CHECK_FLAG(n->flags, ZEBRA_NEIGH_ENT_ACTIVE))
			continue;
		ifp = l3mh_if_lookup(n->ifindex);
		if (!ifp)
			continue;
		es = l3mh_if_es(ifp, &etag);
		if (!es || !l3mh_neigh_reported(&n->ip) ||
		    l3mh_sync_neigh_retained(ifp, es, etag, &n->ip))
			continue;
		l3mh_send_local_neigh(ifp, &es->esi, etag, &n->ip, &n->mac,
				      true);
	}
	l3mh_es_ifs_eval();
	if (client)
		l3mh_msg_send(client,
			      l3mh_msg_start(L3MH_ZAPI_REPLAY_DONE, VRF_DEFAULT));
}

/* ------------------------------------------------------------------------
 * IGMP/MLD synchronization relay (draft section 3.7)
 * ------------------------------------------------------------------------
 */
/* the PEs of an ES with IGMP/MLD sync, from bgpd (its RT-4s) */
struct l3mh_es_df {
	esi_t esi;
	uint16_t n_pes;
	uint16_t ordinal; /* this PE's place among them */
};

/* an ES (sub-)interface as pimd/pim6d were told */
struct l3mh_gm_if {
	ifindex_t ifindex;
	vrf_id_t vrf_id;
	bool df;
	bool seen; /* in the current evaluation */
};

static void l3mh_gm_free(void *arg)
{
	XFREE(MTYPE_L3MH_GM, arg);
}

static struct l3mh_es_df *l3mh_es_df_find(const esi_t *esi)
{
	struct listnode *node;
	struct l3mh_es_df *d;

	for (ALL_LIST_ELEMENTS_RO(l3mh.es_dfs, node, d))
		if (!memcmp(&d->esi, esi, sizeof(*esi)))
			return d;
	return NULL;
}

/*
 * The designated forwarder of an <ES, Ethernet Tag>: the service carving
 * of RFC 7432 section 8.5, PE number (Ethernet Tag mod N) of the N PEs of
 * the ES ordered by originator IP. Both PEs compute it from the same RT-4s.
 * A port-active ES's DF is that of the whole ES, a single-active ES's that
 * of its own election (zebra_evpn_l3mh_es.c).
 */
static bool l3mh_gm_if_df(struct interface *ifp, bool *df)
{
	struct zebra_evpn_es *es;
	struct l3mh_es_df *d;
	uint32_t etag;

	es = l3mh_if_es(ifp, &etag);
	if (!es)
		return false;
	d = l3mh_es_df_find(&es->esi);
	if (!d || !d->n_pes)
		return false;
	/* a single-active or port-active ES: its DF of the Ethernet Tag */
	if (l3mh_es_mode_is_df(&es->esi, etag, df)) {
		*df = *df && (es->flags & ZEBRA_EVPNES_OPER_UP);
		return true;
	}
	/* a PE whose ES link is down forwards nothing to it; its peers see
	 * its RT-4 go and take over
	 */
	*df = evpn_df_is_self(etag, d->n_pes, d->ordinal) && (es->flags & ZEBRA_EVPNES_OPER_UP);
	return true;
}

/* one copy to each PIM client (pimd and pim6d): consumes s */
static void l3mh_send_pim(struct stream *s)
{
	struct listnode *node;
	struct zserv *client;

	stream_putw_at(s, 0, stream_get_endp(s));
	for (ALL_LIST_ELEMENTS_RO(zrouter.client_list, node, client))
		if (client->proto == ZEBRA_ROUTE_PIM)
			zserv_send_message(client, stream_dup(s));
	stream_free(s);
}

static void l3mh_send_gm_if(const struct l3mh_gm_if *gi, bool es)
{
	struct l3mh_zapi_gm_if z = { .ifindex = gi->ifindex, .es = es,
				     .df = gi->df,
				     .retention = l3mh.gm_retention };
	struct stream *s = l3mh_msg_start(L3MH_ZAPI_GM_IF, gi->vrf_id);

	L3MH_DEBUG("send GM_IF ifindex %u vrf %u es %d df %d retention %u",
		   gi->ifindex, gi->vrf_id, es, gi->df, z.retention);
	l3mh_zapi_gm_if_encode(s, &z);
	l3mh_send_pim(s);
}

/* to bgpd (client) or to the PIM clients (NULL) */
static void l3mh_send_gm_replay(struct zserv *client, uint8_t family)
{
	struct stream *s = l3mh_msg_start(L3MH_ZAPI_GM_REPLAY, VRF_DEFAULT);

	l3mh_zapi_gm_replay_encode(s, family);
	if (client)
		l3mh_msg_send(client, s);
	else
		l3mh_send_pim(s);
}

/* Tell pimd/pim6d which interfaces are ES (sub-)interfaces with IGMP/MLD
 * sync now and where this PE is the DF; all of them if `all`.
 */
static void l3mh_gm_ifs_eval(bool all)
{
	struct listnode *node, *nnode;
	struct l3mh_gm_if *gi;
	struct interface *ifp;
	struct vrf *vrf;
	bool df, added = false;

	for (ALL_LIST_ELEMENTS_RO(l3mh.gm_ifs, node, gi))
		gi->seen = false;
	RB_FOREACH (vrf, vrf_id_head, &vrfs_by_id)
		FOR_ALL_INTERFACES (vrf, ifp) {
			if (!l3mh.enabled || !l3mh_gm_if_df(ifp, &df))
				continue;
			for (ALL_LIST_ELEMENTS_RO(l3mh.gm_ifs, node, gi))
				if (gi->ifindex == ifp->ifindex)
					break;
			if (!gi) {
				gi = XCALLOC(MTYPE_L3MH_GM, sizeof(*gi));
				gi->ifindex = ifp->ifindex;
				gi->df = !df;
				listnode_add(l3mh.gm_ifs, gi);
				added = true;
			}
			gi->seen = true;
			if (gi->df == df && gi->vrf_id == vrf->vrf_id && !all)
				continue;
			gi->df = df;
			gi->vrf_id = vrf->vrf_id;
			l3mh_send_gm_if(gi, true);
		}
	for (ALL_LIST_ELEMENTS(l3mh.gm_ifs, node, nnode, gi)) {
		if (gi->seen)
			continue;
		l3mh_send_gm_if(gi, false);
		list_delete_node(l3mh.gm_ifs, node);
		XFREE(MTYPE_L3MH_GM, gi);
	}
	/* memberships synced before their interface was known */
	if (added && zserv_find_client(ZEBRA_ROUTE_BGP, 0))
		l3mh_send_gm_replay(zserv_find_client(ZEBRA_ROUTE_BGP, 0), 0);
}

static void l3mh_gm_es_df(const struct l3mh_zapi_es_df *z)
{
	struct l3mh_es_df *d = l3mh_es_df_find(&z->esi);

	if (!z->n_pes) {
		if (d) {
			listnode_delete(l3mh.es_dfs, d);
			XFREE(MTYPE_L3MH_GM, d);
		}
	} else {
		if (!d) {
			d = XCALLOC(MTYPE_L3MH_GM, sizeof(*d));
			d->esi = z->esi;
			listnode_add(l3mh.es_dfs, d);
		}
		d->n_pes = z->n_pes;
		d->ordinal = z->ordinal;
	}
	l3mh_gm_ifs_eval(false);
}

/* pimd -> bgpd: name the interface by its ES and Ethernet Tag */
static void l3mh_gm_local(uint16_t type, struct l3mh_zapi_gm *g)
{
	struct zserv *bgp = zserv_find_client(ZEBRA_ROUTE_BGP, 0);
	struct interface *ifp = l3mh_if_lookup(g->ifindex);
	struct zebra_evpn_es *es = ifp ? l3mh_if_es(ifp, &g->etag) : NULL;
	struct stream *s;
	bool df;

	if (!es || !bgp || !l3mh_gm_if_df(ifp, &df)) {
		L3MH_DEBUG("%s %pIA,%pIA ifindex %u: not on an ES with IGMP/MLD sync",
			   l3mh_zapi_type2str(type), &g->src, &g->grp,
			   g->ifindex);
		return;
	}
	g->esi = es->esi;
	s = l3mh_msg_start(type, ifp->vrf->vrf_id);
	l3mh_zapi_gm_encode(s, g);
	l3mh_msg_send(bgp, s);
}

/* bgpd -> pimd: the interface of the ES and Ethernet Tag, in the VRF */
static void l3mh_gm_sync(uint16_t type, vrf_id_t vrf_id,
			 struct l3mh_zapi_gm *g)
{
	struct interface *ifp = l3mh_es_etag_if(&g->esi, g->etag);
	struct stream *s;

	if (!ifp || ifp->vrf->vrf_id != vrf_id) {
		L3MH_DEBUG("%s %pIA,%pIA etag %u vrf %u: %s",
			   l3mh_zapi_type2str(type), &g->src, &g->grp,
			   g->etag, vrf_id,
			   ifp ? "interface in another VRF" : "no interface");
		return;
	}
	g->ifindex = ifp->ifindex;
	s = l3mh_msg_start(type, vrf_id);
	l3mh_zapi_gm_encode(s, g);
	l3mh_send_pim(s);
}

/* ------------------------------------------------------------------------
 * Messages from bgpd
 * ------------------------------------------------------------------------
 */
static void l3mh_enable(const struct l3mh_zapi_enable *en)
{
	bool was = l3mh.enabled;
	uint16_t gm_retention = l3mh.gm_retention;

	L3MH_DEBUG("%s, originator %pI4", en->enable ? "enable" : "disable",
		   &en->originator_ip);
	l3mh.enabled = en->enable;
	l3mh.retention = en->enable ? en->retention : 0;
	l3mh.gm_retention = l3mh.retention;
	l3mh.link_local = en->enable && en->link_local;
	l3mh.originator_ip = en->enable ? en->originator_ip
					: (struct in_addr){};
	zebra_evpn_es_set_l3_originator_ip(l3mh.originator_ip);
	if (l3mh.enabled && !was) {
		/* learn the kernel's current entries, then report them */
		neigh_read(zebra_ns_lookup(NS_DEFAULT));
		l3mh_replay();
	} else if (!l3mh.enabled && was)
		l3mh_es_ifs_eval();
	else if (l3mh.gm_retention != gm_retention)
		l3mh_gm_ifs_eval(true);
}

static int l3mh_zserv_msg(struct zserv *client,
			  const struct zapi_extension_hdr *hdr,
			  struct stream *msg, uint16_t length,
			  struct zebra_vrf *zvrf)
{
	struct l3mh_zapi_enable en;
	struct l3mh_zapi_neigh n;
	struct l3mh_zapi_gm gm;
	struct l3mh_zapi_es_df df;
	struct l3mh_zapi_es_mode zm;
	uint8_t family;
	vrf_id_t vrf_id = zvrf_id(zvrf);

	if (hdr->ext_id != L3MH_ZAPI_EXT_ID)
		return 0;
	L3MH_DEBUG("recv %s from %s", l3mh_zapi_type2str(hdr->type),
		   zebra_route_string(client->proto));

	switch (hdr->type) {
	case L3MH_ZAPI_ENABLE:
		if (l3mh_zapi_enable_decode(msg, &en))
			l3mh_enable(&en);
		break;
	case L3MH_ZAPI_SYNC_NEIGH_ADD:
	case L3MH_ZAPI_SYNC_NEIGH_DEL:
		if (!l3mh_zapi_neigh_decode(msg, &n)) {
			zlog_warn("evpn-l3mh: malformed %s from %s",
				  l3mh_zapi_type2str(hdr->type),
				  zebra_route_string(client->proto));
			break;
		}
		if (hdr->type == L3MH_ZAPI_SYNC_NEIGH_ADD)
			l3mh_sync_neigh_add(vrf_id, &n);
		else
			l3mh_sync_neigh_del(vrf_id, &n);
		break;
	case L3MH_ZAPI_REPLAY:
		l3mh_replay();
		break;
	case L3MH_ZAPI_ES_IF_REPLAY:
		l3mh_es_ifs_eval();
		break;
	case L3MH_ZAPI_GM_LOCAL_ADD:
	case L3MH_ZAPI_GM_LOCAL_DEL:
	case L3MH_ZAPI_GM_LEAVE:
	case L3MH_ZAPI_GM_SYNC_ADD:
	case L3MH_ZAPI_GM_SYNC_DEL:
	case L3MH_ZAPI_GM_SYNC_LEAVE:
		if (!l3mh_zapi_gm_decode(msg, &gm)) {
			zlog_warn("evpn-l3mh: malformed %s from %s",
				  l3mh_zapi_type2str(hdr->type),
				  zebra_route_string(client->proto));
			break;
		}
		if (hdr->type == L3MH_ZAPI_GM_SYNC_ADD ||
		    hdr->type == L3MH_ZAPI_GM_SYNC_DEL ||
		    hdr->type == L3MH_ZAPI_GM_SYNC_LEAVE)
			l3mh_gm_sync(hdr->type, vrf_id, &gm);
		else
			l3mh_gm_local(hdr->type, &gm);
		break;
	case L3MH_ZAPI_GM_ES_DF:
		if (l3mh_zapi_es_df_decode(msg, &df))
			l3mh_gm_es_df(&df);
		break;
	case L3MH_ZAPI_ES_MODE:
		if (l3mh_zapi_es_mode_decode(msg, &zm)) {
			l3mh_es_mode_msg(&zm);
			/* which PE forwards multicast to the ES follows */
			if (listcount(l3mh.es_dfs))
				l3mh_gm_ifs_eval(false);
		} else
			zlog_warn("evpn-l3mh: malformed ES_MODE from %s",
				  zebra_route_string(client->proto));
		break;
	case L3MH_ZAPI_GM_REPLAY:
		if (!l3mh_zapi_gm_replay_decode(msg, &family)) {
			zlog_warn("evpn-l3mh: malformed GM_REPLAY from %s",
				  zebra_route_string(client->proto));
			break;
		}
		if (client->proto == ZEBRA_ROUTE_PIM) {
			/* a pimd (re)started: its ES interfaces, then bgpd's
			 * synced memberships (and bgpd forgets the ones it
			 * does not name again)
			 */
			l3mh_gm_ifs_eval(true);
			if (zserv_find_client(ZEBRA_ROUTE_BGP, 0))
				l3mh_send_gm_replay(zserv_find_client(ZEBRA_ROUTE_BGP, 0),
						    family);
		} else
			l3mh_send_gm_replay(NULL, 0);
		break;
	default:
		zlog_warn("evpn-l3mh: unknown message %u from %s", hdr->type,
			  zebra_route_string(client->proto));
	}
	return 0;
}

/* bgpd went away: its synced entries go with it (it resends on return),
 * or are retained for the retention time
 */
static void l3mh_sync_neigh_flush_walk(struct hash_bucket *b, void *arg)
{
	struct l3mh_sync_neigh *sn = b->data;
	struct list *gone = arg;

	if (sn->state != L3MH_SYNC_RETAINED && !l3mh_sync_neigh_retain(sn))
		listnode_add(gone, sn);
}

static int l3mh_client_close(struct zserv *client)
{
	struct list *gone;
	struct listnode *node;
	struct l3mh_sync_neigh *sn;
	struct interface *ifp;
	uint16_t gm_retention;

	/* bgpd's main session (not its label manager's, session 1) */
	if (client->proto != ZEBRA_ROUTE_BGP || client->instance || client->session_id)
		return 0;
	/* what the ES modes held down stays down until the next bgpd */
	l3mh_es_mode_bgpd_gone();
	gm_retention = l3mh.retention;
	gone = list_new();
	hash_iterate(l3mh.sync_neighs, l3mh_sync_neigh_flush_walk, gone);
	for (ALL_LIST_ELEMENTS_RO(gone, node, sn)) {
		hash_release(l3mh.sync_neighs, sn);
		ifp = l3mh_if_lookup(sn->ifindex);
		if (sn->state == L3MH_SYNC_INSTALLED && ifp)
			dplane_rem_neigh_delete(ifp, &sn->ip);
		l3mh_sync_neigh_free(sn);
	}
	list_delete(&gone);
	/* nothing to tell a closing client */
	hash_clean(l3mh.es_ifs, l3mh_es_if_free);
	if (l3mh.enabled) {
		struct l3mh_zapi_enable off = {};

		l3mh_enable(&off);
	}
	/* without bgpd no DF is known: pimd drops the synced memberships,
	 * or retains them for the retention time (draft section 4)
	 */
	l3mh.gm_retention = gm_retention;
	list_delete_all_node(l3mh.es_dfs);
	l3mh_gm_ifs_eval(false);
	return 0;
}

/*
 * An interface appeared, came up, went down, is being deleted or changed
 * VRF (zebra_if_update hook): re-evaluate what depends on it. A flap has
 * the kernel flush the synced entries: they go interface-down and are
 * installed again when it is back.
 */
static int l3mh_if_update(struct interface *ifp)
{
	struct zebra_if *zif = ifp->info;
	struct zserv *client;

	if (l3mh.enabled)
		hash_iterate(l3mh.sync_neighs, l3mh_sync_neigh_eval_walk, ifp);
	if (l3mh.enabled || hashcount(l3mh.es_ifs)) {
		/* an ES's own interface: its sub-interfaces' state too */
		if (zif && zif->es_info.es)
			l3mh_es_ifs_eval();
		else if ((client = zserv_find_client(ZEBRA_ROUTE_BGP, 0)))
			l3mh_es_if_eval(client, ifp);
	}
	if (listcount(l3mh.es_dfs))
		l3mh_gm_ifs_eval(false);
	return 0;
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "zebra/zebra_evpn_l3mh_clippy.c"

struct l3mh_show_ctx {
	struct vty *vty;
	json_object *json;
};

static void l3mh_show_sync_walk(struct hash_bucket *b, void *arg)
{
	struct l3mh_sync_neigh *sn = b->data;
	struct l3mh_show_ctx *ctx = arg;
	struct interface *ifp = l3mh_if_lookup(sn->ifindex);
	struct vrf *vrf = vrf_lookup_by_id(sn->vrf_id);
	char esi_buf[ESI_STR_LEN];

	esi_to_str(&sn->esi, esi_buf, sizeof(esi_buf));
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
		json_object_string_add(j, "esi", esi_buf);
		json_object_int_add(j, "ethTag", sn->etag);
		json_object_string_addf(j, "ip", "%pIA", &sn->ip);
		json_object_string_addf(j, "mac", "%pEA", &sn->mac);
		json_object_string_add(j, "interface", ifp ? ifp->name : "");
		json_object_string_add(j, "state",
				       l3mh_sync_state_str[sn->state]);
		if (sn->t_retain)
			json_object_int_add(j, "retainedSeconds",
					    event_timer_remain_second(
						    sn->t_retain));
		json_object_array_add(ctx->json, j);
	} else
		vty_out(ctx->vty, "%-10s %-30s %-8u %-26pIA %-17pEA %-12s %s\n",
			vrf ? vrf->name : "?", esi_buf, sn->etag, &sn->ip,
			&sn->mac, ifp ? ifp->name : "-",
			l3mh_sync_state_str[sn->state]);
}

DEFPY(show_evpn_l3mh_sync, show_evpn_l3mh_sync_cmd,
      "show evpn l3mh synced-neighbors [json$json]",
      SHOW_STR "EVPN\n"
      "EVPN L3 multi-homing\n"
      "Neighbours synced from the ES peers\n" JSON_STR)
{
	struct l3mh_show_ctx ctx = { .vty = vty };
	json_object *top = NULL;

	if (json) {
		top = json_object_new_object();
		json_object_boolean_add(top, "enabled", l3mh.enabled);
		json_object_string_addf(top, "originatorIp", "%pI4",
					&l3mh.originator_ip);
		json_object_int_add(top, "retentionTime", l3mh.retention);
		ctx.json = json_object_new_array();
		json_object_object_add(top, "neighbors", ctx.json);
	} else {
		vty_out(vty, "EVPN L3 multi-homing: %s, originator %pI4\n",
			l3mh.enabled ? "enabled" : "disabled",
			&l3mh.originator_ip);
		vty_out(vty, "%-10s %-30s %-8s %-26s %-17s %-12s %s\n", "VRF",
			"ESI", "EthTag", "IP", "MAC", "Interface", "State");
	}
	hash_iterate(l3mh.sync_neighs, l3mh_show_sync_walk, &ctx);
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

DEFPY(debug_evpn_l3mh, debug_evpn_l3mh_cmd,
      "[no] debug zebra evpn l3mh",
      NO_STR DEBUG_STR "Zebra configuration\n"
      "EVPN\n"
      "EVPN L3 multi-homing\n")
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
	l3mh.sync_neighs = hash_create_size(1024, l3mh_sync_hash_key,
					    l3mh_sync_hash_cmp,
					    "EVPN L3MH synced neighbours");
	l3mh.es_dfs = list_new();
	l3mh.es_dfs->del = l3mh_gm_free;
	l3mh.gm_ifs = list_new();
	l3mh.gm_ifs->del = l3mh_gm_free;
	l3mh.es_ifs = hash_create_size(64, l3mh_es_if_hash_key, l3mh_es_if_hash_cmp,
				       "EVPN L3MH ES interfaces");
	install_element(VIEW_NODE, &show_evpn_l3mh_sync_cmd);
	install_element(ENABLE_NODE, &debug_evpn_l3mh_cmd);
	install_element(CONFIG_NODE, &debug_evpn_l3mh_cmd);
	hook_register(zserv_extension_msg, l3mh_zserv_msg);
	hook_register(zserv_client_close, l3mh_client_close);
	hook_register(zebra_neigh_local_update, l3mh_neigh_local_update);
	hook_register(zebra_if_update, l3mh_if_update);
	debug_install(&l3mh_dbg);
	l3mh_es_mode_init(l3mh_if_es);
	return 0;
}

static void l3mh_sync_neigh_hash_free(void *arg)
{
	l3mh_sync_neigh_free(arg);
}

static int l3mh_fini(void)
{
	l3mh_es_mode_fini();
	hash_clean_and_free(&l3mh.sync_neighs, l3mh_sync_neigh_hash_free);
	hash_clean_and_free(&l3mh.es_ifs, l3mh_es_if_free);
	list_delete(&l3mh.es_dfs);
	list_delete(&l3mh.gm_ifs);
	return 0;
}

static int l3mh_module_init(void)
{
	hook_register(frr_late_init, l3mh_late_init);
	hook_register(frr_fini, l3mh_fini);
	return 0;
}

FRR_MODULE_SETUP(.name = "zebra_evpn_l3mh", .version = FRR_VERSION,
		 .description = "EVPN L3 multi-homing (ARP/ND sync)",
		 .init = l3mh_module_init);
