// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: ARP/ND synchronization with RT-2
 * between the PEs of an Ethernet Segment on a routed bond, a sync type of
 * the evpn_l3mh module (bgp_evpn_l3mh.h).
 *
 * draft-ietf-bess-evpn-l3mh-proto-00 section 3.6 (the problem: 1.1):
 *   3.6.1  advertising an ARP/ND entry learned on an ES (sub-)interface:
 *          RT-2 with MAC+IP, ESI, Ethernet Tag = VLAN (3.5), label 0, no
 *          label2, no BGP Encapsulation EC, the RTs of section 3.2
 *   3.6.2  receiving it: import by RTs (the core decides), map ESI +
 *          Ethernet Tag to the local (sub-)interface (zebra), install the
 *          neighbour
 *
 * zebra's evpn_l3mh module reports local neighbours (LOCAL_NEIGH) and
 * installs the synced ones (SYNC_NEIGH); see lib/evpn_l3mh_zapi.h. The
 * other types resolve next hops with these entries (neigh_by_ip,
 * neigh_on_es) and hear of each that comes or goes (l3mh_neigh_changed()).
 */
#include <zebra.h>

#include "hash.h"
#include "jhash.h"
#include "json.h"
#include "vty.h"

#include "lib/evpn_l3mh_zapi.h"
#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_evpn.h"
#include "bgpd/bgp_evpn_l3mh.h"
#include "bgpd/bgp_evpn_mh.h"
#include "bgpd/bgp_evpn_private.h"
#include "bgpd/bgp_evpn_vty.h"
#include "bgpd/bgp_memory.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_vty.h"

DEFINE_MTYPE_STATIC(BGPD, L3MH_NEIGH, "EVPN L3MH neighbour");

/* Local and synced entries, in one table for show */
enum l3mh_origin { L3MH_LOCAL, L3MH_SYNCED };

struct l3mh_neigh {
	/* key */
	enum l3mh_origin origin;
	vrf_id_t vrf_id;
	esi_t esi;
	uint32_t etag;
	struct ipaddr ip;
	struct prefix_rd prd; /* synced: the route's RD (one per peer) */

	struct ethaddr mac;
	struct in_addr peer; /* synced: the route's next hop */
	bool stale;	     /* local: not yet named by zebra's replay */
	/* in its sets, by enum l3mh_neigh_idx: the next one, and the pointer
	 * that points at this one (unlinked at once, not by walking the set:
	 * an ES's set holds all its entries)
	 */
	struct l3mh_neigh *next[2];
	struct l3mh_neigh **pprev[2];
};

/*
 * For the other types' lookups, the entries are also in sets: of one
 * address in a VRF, and of one ES and Ethernet Tag in a VRF.
 */
enum l3mh_neigh_idx { L3MH_BY_IP, L3MH_BY_ES, L3MH_IDX_MAX };

struct l3mh_neigh_set {
	vrf_id_t vrf_id;
	struct ipaddr ip; /* L3MH_BY_IP */
	esi_t esi;	  /* L3MH_BY_ES */
	uint32_t etag;
	struct l3mh_neigh *head; /* chained by next[] */
};

static struct {
	struct hash *neighs;	      /* struct l3mh_neigh */
	struct hash *synced_by_route; /* the synced ones, by route key */
	struct hash *sets[L3MH_IDX_MAX];
} an;

/* ------------------------------------------------------------------------
 * Neighbour table
 * ------------------------------------------------------------------------
 */
static unsigned int l3mh_neigh_hash_key(const void *arg)
{
	const struct l3mh_neigh *n = arg;
	uint32_t h = jhash(n->esi.val, ESI_BYTES, n->vrf_id + n->origin);

	h = jhash(n->prd.val, sizeof(n->prd.val), h);
	h = jhash_1word(n->etag, h);
	return jhash(&n->ip, sizeof(n->ip), h);
}

static bool l3mh_neigh_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_neigh *x = a, *y = b;

	return x->origin == y->origin && x->vrf_id == y->vrf_id && x->etag == y->etag &&
	       !memcmp(&x->esi, &y->esi, sizeof(x->esi)) &&
	       !memcmp(x->prd.val, y->prd.val, sizeof(x->prd.val)) && !ipaddr_cmp(&x->ip, &y->ip) &&
	       /* a synced entry is one route: its MAC is part of the key */
	       (x->origin == L3MH_LOCAL || !memcmp(&x->mac, &y->mac, ETH_ALEN));
}

/* synced entries by the route that synced them: (RD, Ethernet Tag, MAC, IP) */
static unsigned int l3mh_route_hash_key(const void *arg)
{
	const struct l3mh_neigh *n = arg;
	uint32_t h = jhash(n->prd.val, sizeof(n->prd.val), n->etag);

	h = jhash(n->mac.octet, ETH_ALEN, h);
	return jhash(&n->ip, sizeof(n->ip), h);
}

static bool l3mh_route_hash_cmp(const void *a, const void *b)
{
	const struct l3mh_neigh *x = a, *y = b;

	return x->etag == y->etag && !memcmp(x->prd.val, y->prd.val, sizeof(x->prd.val)) &&
	       !memcmp(&x->mac, &y->mac, ETH_ALEN) && !ipaddr_cmp(&x->ip, &y->ip);
}

static unsigned int l3mh_set_by_ip_key(const void *arg)
{
	const struct l3mh_neigh_set *ns = arg;

	return jhash(&ns->ip, sizeof(ns->ip), ns->vrf_id);
}

static bool l3mh_set_by_ip_cmp(const void *a, const void *b)
{
	const struct l3mh_neigh_set *x = a, *y = b;

	return x->vrf_id == y->vrf_id && !ipaddr_cmp(&x->ip, &y->ip);
}

static unsigned int l3mh_set_by_es_key(const void *arg)
{
	const struct l3mh_neigh_set *ns = arg;

	return jhash(ns->esi.val, ESI_BYTES, jhash_2words(ns->vrf_id, ns->etag, 0));
}

static bool l3mh_set_by_es_cmp(const void *a, const void *b)
{
	const struct l3mh_neigh_set *x = a, *y = b;

	return x->vrf_id == y->vrf_id && x->etag == y->etag &&
	       !memcmp(&x->esi, &y->esi, sizeof(x->esi));
}

static void *l3mh_set_alloc(void *arg)
{
	struct l3mh_neigh_set *ns = XMALLOC(MTYPE_L3MH_NEIGH, sizeof(*ns));

	*ns = *(struct l3mh_neigh_set *)arg;
	return ns;
}

static struct l3mh_neigh_set *l3mh_set_of(enum l3mh_neigh_idx i, const struct l3mh_neigh *ln,
					  bool create)
{
	struct l3mh_neigh_set key = {
		.vrf_id = ln->vrf_id, .ip = ln->ip, .esi = ln->esi, .etag = ln->etag
	};

	return create ? hash_get(an.sets[i], &key, l3mh_set_alloc) : hash_lookup(an.sets[i], &key);
}

static void l3mh_neigh_add(struct l3mh_neigh *ln)
{
	(void)hash_get(an.neighs, ln, hash_alloc_intern);
	for (enum l3mh_neigh_idx i = 0; i < L3MH_IDX_MAX; i++) {
		struct l3mh_neigh_set *ns = l3mh_set_of(i, ln, true);

		ln->next[i] = ns->head;
		if (ns->head)
			ns->head->pprev[i] = &ln->next[i];
		ns->head = ln;
		ln->pprev[i] = &ns->head;
	}
}

static void l3mh_neigh_del(struct l3mh_neigh *ln)
{
	hash_release(an.neighs, ln);
	for (enum l3mh_neigh_idx i = 0; i < L3MH_IDX_MAX; i++) {
		struct l3mh_neigh_set *ns = l3mh_set_of(i, ln, false);

		if (!ns)
			continue;
		*ln->pprev[i] = ln->next[i];
		if (ln->next[i])
			ln->next[i]->pprev[i] = ln->pprev[i];
		ln->next[i] = NULL;
		ln->pprev[i] = NULL;
		if (!ns->head) {
			hash_release(an.sets[i], ns);
			XFREE(MTYPE_L3MH_NEIGH, ns);
		}
	}
}

/* ------------------------------------------------------------------------
 * Messages to zebra
 * ------------------------------------------------------------------------
 */
static void l3mh_zebra_send_neigh(const struct l3mh_neigh *ln, bool add)
{
	struct l3mh_zapi_neigh n = { .esi = ln->esi, .etag = ln->etag, .ip = ln->ip, .mac = ln->mac };
	uint16_t type = add ? L3MH_ZAPI_SYNC_NEIGH_ADD : L3MH_ZAPI_SYNC_NEIGH_DEL;
	struct stream *s = l3mh_zebra_msg_start(type, ln->vrf_id);

	if (!s)
		return;
	L3MH_DEBUG("send %s vrf %u etag %u %pIA %pEA", l3mh_zapi_type2str(type), ln->vrf_id,
		   ln->etag, &ln->ip, &ln->mac);
	l3mh_zapi_neigh_encode(s, &n);
	l3mh_zebra_msg_send();
}

/* Ask zebra for every local entry again; those it does not name before
 * REPLAY_DONE are gone (see l3mh_replay_done()).
 */
static void l3mh_stale_mark_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_neigh *ln = hb->data;

	if (ln->origin == L3MH_LOCAL)
		ln->stale = true;
}

static void l3mh_zebra_send_replay(void)
{
	if (!l3mh_zebra_knows() || !l3mh_zebra_msg_start(L3MH_ZAPI_REPLAY, VRF_DEFAULT))
		return;
	L3MH_DEBUG("send REPLAY");
	hash_iterate(an.neighs, l3mh_stale_mark_walk, NULL);
	l3mh_zebra_msg_send();
}

/* ------------------------------------------------------------------------
 * Advertising (draft 3.6.1)
 * ------------------------------------------------------------------------
 */
static void l3mh_route_prefix(const struct l3mh_neigh *ln, struct prefix_evpn *p)
{
	struct ethaddr mac = ln->mac;
	struct ipaddr ip = ln->ip;

	build_evpn_type2_prefix(p, &mac, &ip);
	p->prefix.macip_addr.eth_tag = ln->etag;
}

static void l3mh_route_update(struct l3mh_vrf *lv, struct l3mh_neigh *ln)
{
	struct prefix_evpn p;
	struct attr attr;

	if (!l3mh_self_route_attr(lv, &ln->esi, &attr))
		return;
	attr.esi = ln->esi;
	l3mh_route_prefix(ln, &p);
	l3mh_self_route_update(&p, &lv->prd, &attr);
}

static void l3mh_route_withdraw(struct l3mh_vrf *lv, struct l3mh_neigh *ln)
{
	struct prefix_evpn p;

	l3mh_route_prefix(ln, &p);
	l3mh_self_route_withdraw(&p, &lv->prd);
}

static void l3mh_local_neigh(vrf_id_t vrf_id, const struct l3mh_zapi_neigh *n, bool add)
{
	struct l3mh_neigh key = {
		.origin = L3MH_LOCAL, .vrf_id = vrf_id, .esi = n->esi, .etag = n->etag, .ip = n->ip
	};
	struct l3mh_vrf *lv = l3mh_vrf_find_id(vrf_id);
	struct l3mh_neigh *ln;

	ln = hash_lookup(an.neighs, &key);
	if (!add) {
		if (!ln)
			return;
		l3mh_neigh_del(ln);
		if (lv)
			l3mh_route_withdraw(lv, ln);
		XFREE(MTYPE_L3MH_NEIGH, ln);
		l3mh_neigh_changed(vrf_id);
		return;
	}
	if (!ln) {
		ln = XCALLOC(MTYPE_L3MH_NEIGH, sizeof(*ln));
		*ln = key;
		l3mh_neigh_add(ln);
		l3mh_neigh_changed(vrf_id);
	} else if (lv && memcmp(&ln->mac, &n->mac, sizeof(n->mac)))
		/* the MAC is part of the route key: withdraw the old one */
		l3mh_route_withdraw(lv, ln);
	ln->mac = n->mac;
	ln->stale = false;
	if (!lv || !l3mh_es_is_local(&n->esi, NULL)) {
		L3MH_DEBUG("local %pIA etag %u vrf %u: %s", &n->ip, n->etag, vrf_id,
			   !lv ? "no arp-nd-sync in this VRF" : "ES not known to bgp");
		return;
	}
	l3mh_route_update(lv, ln);
}

/* (Re)advertise or withdraw every local entry of a VRF: advertised are
 * those on an ES that bgpd knows as local
 */
struct l3mh_refresh_ctx {
	struct l3mh_vrf *lv;
	bool withdraw;
};

static void l3mh_vrf_refresh_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_refresh_ctx *ctx = arg;
	struct l3mh_neigh *ln = hb->data;

	if (ln->origin != L3MH_LOCAL || ln->vrf_id != ctx->lv->bgp->vrf_id)
		return;
	if (ctx->withdraw || !l3mh_es_is_local(&ln->esi, NULL))
		l3mh_route_withdraw(ctx->lv, ln);
	else
		l3mh_route_update(ctx->lv, ln);
}

static void l3mh_arp_nd_vrf_refresh(struct l3mh_vrf *lv, bool withdraw)
{
	struct l3mh_refresh_ctx ctx = { .lv = lv, .withdraw = withdraw };

	hash_iterate(an.neighs, l3mh_vrf_refresh_walk, &ctx);
}

/* ------------------------------------------------------------------------
 * Receiving (draft 3.6.2)
 * ------------------------------------------------------------------------
 */
static bool l3mh_arp_nd_route_owned(const struct prefix_evpn *p)
{
	return p->prefix.route_type == BGP_EVPN_MAC_IP_ROUTE && !is_evpn_prefix_ipaddr_none(p);
}

static const esi_t *l3mh_arp_nd_route_esi(const struct prefix_evpn *p, const struct attr *attr)
{
	return &attr->esi;
}

/*
 * Forget what the route (prd, p) synced before, unless it is `keep` (the
 * entry it syncs now, if any); returns true if keep was already there.
 */
static bool l3mh_synced_replace(const struct prefix_evpn *p, const struct prefix_rd *prd,
				const struct l3mh_neigh *keep)
{
	struct l3mh_neigh key = { .origin = L3MH_SYNCED, .prd = *prd }, *ln;

	key.etag = p->prefix.macip_addr.eth_tag;
	key.ip = p->prefix.macip_addr.ip;
	memcpy(&key.mac, &p->prefix.macip_addr.mac, ETH_ALEN);
	ln = hash_lookup(an.synced_by_route, &key);
	if (!ln)
		return false;
	if (keep && l3mh_neigh_hash_cmp(ln, keep))
		return true;
	hash_release(an.synced_by_route, ln);
	l3mh_neigh_del(ln);
	l3mh_zebra_send_neigh(ln, false);
	l3mh_neigh_changed(ln->vrf_id);
	XFREE(MTYPE_L3MH_NEIGH, ln);
	return false;
}

static void l3mh_arp_nd_route_update(const struct prefix_evpn *p, const struct prefix_rd *prd,
				     struct bgp_path_info *pi, struct l3mh_vrf *lv)
{
	struct l3mh_neigh key = { .origin = L3MH_SYNCED }, *ln;

	if (lv) {
		key.vrf_id = lv->bgp->vrf_id;
		key.esi = pi->attr->esi;
		key.etag = p->prefix.macip_addr.eth_tag;
		key.ip = p->prefix.macip_addr.ip;
		key.prd = *prd;
		memcpy(&key.mac, &p->prefix.macip_addr.mac, ETH_ALEN);
	}
	/* forget what the old best path synced; install what the new does */
	if (l3mh_synced_replace(p, prd, lv ? &key : NULL) || !lv)
		return;

	ln = XCALLOC(MTYPE_L3MH_NEIGH, sizeof(*ln));
	*ln = key;
	ln->peer = pi->attr->nexthop;
	l3mh_neigh_add(ln);
	(void)hash_get(an.synced_by_route, ln, hash_alloc_intern);
	L3MH_DEBUG("import %pFX rd %pRDP into %s", p, prd, lv->bgp->name_pretty);
	l3mh_zebra_send_neigh(ln, true);
	l3mh_neigh_changed(ln->vrf_id);
}

/* zebra has named every current local entry: the others are gone */
static void l3mh_stale_sweep_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_neigh *ln = hb->data;
	struct list *gone = arg;

	if (ln->origin == L3MH_LOCAL && ln->stale)
		listnode_add(gone, ln);
}

static void l3mh_replay_done(void)
{
	struct list *gone = list_new();
	struct listnode *node;
	struct l3mh_neigh *ln;
	struct l3mh_vrf *lv;

	hash_iterate(an.neighs, l3mh_stale_sweep_walk, gone);
	for (ALL_LIST_ELEMENTS_RO(gone, node, ln)) {
		L3MH_DEBUG("local %pIA etag %u vrf %u gone during replay", &ln->ip, ln->etag,
			   ln->vrf_id);
		l3mh_neigh_del(ln);
		lv = l3mh_vrf_find_id(ln->vrf_id);
		if (lv)
			l3mh_route_withdraw(lv, ln);
		l3mh_neigh_changed(ln->vrf_id);
		XFREE(MTYPE_L3MH_NEIGH, ln);
	}
	list_delete(&gone);
}

/* ------------------------------------------------------------------------
 * The entries, for the other types
 * ------------------------------------------------------------------------
 */
/* of two entries with an address, the one the other types use: on an ES
 * that is up, with the lowest ESI, a local one
 */
static bool l3mh_neigh_better(const struct l3mh_neigh *a, const struct l3mh_neigh *b)
{
	bool a_up = l3mh_es_is_up(&a->esi), b_up = l3mh_es_is_up(&b->esi);
	int c = memcmp(&a->esi, &b->esi, sizeof(esi_t));

	if (a_up != b_up)
		return a_up;
	if (c)
		return c < 0;
	return a->origin < b->origin;
}

static bool l3mh_arp_nd_neigh_by_ip(vrf_id_t vrf_id, const struct ipaddr *ip, uint32_t ll_etag,
				    esi_t *esi, uint32_t *etag)
{
	struct l3mh_neigh key = { .vrf_id = vrf_id, .ip = *ip };
	struct l3mh_neigh_set *ns = l3mh_set_of(L3MH_BY_IP, &key, false);
	const struct l3mh_neigh *ln, *found = NULL;
	bool ll = l3mh_ip_is_ll(ip);

	for (ln = ns ? ns->head : NULL; ln; ln = ln->next[L3MH_BY_IP])
		if ((!ll || ln->etag == ll_etag) && (!found || l3mh_neigh_better(ln, found)))
			found = ln;
	if (!found)
		return false;
	*esi = found->esi;
	*etag = found->etag;
	return true;
}

/* several entries on (esi, etag): the lowest address (a routed LAG
 * usually has the one CE router behind it)
 */
static bool l3mh_arp_nd_neigh_on_es(vrf_id_t vrf_id, const esi_t *esi, uint32_t etag,
				    uint8_t ipa_type, struct ipaddr *ip)
{
	struct l3mh_neigh key = { .vrf_id = vrf_id, .esi = *esi, .etag = etag };
	struct l3mh_neigh_set *ns = l3mh_set_of(L3MH_BY_ES, &key, false);
	const struct l3mh_neigh *ln, *found = NULL;

	for (ln = ns ? ns->head : NULL; ln; ln = ln->next[L3MH_BY_ES])
		if (ln->ip.ipa_type == ipa_type && (!found || ipaddr_cmp(&ln->ip, &found->ip) < 0))
			found = ln;
	if (!found)
		return false;
	*ip = found->ip;
	return true;
}

/* ------------------------------------------------------------------------
 * Messages from zebra, zebra session
 * ------------------------------------------------------------------------
 */
static bool l3mh_arp_nd_zapi_owned(uint16_t type)
{
	return type == L3MH_ZAPI_LOCAL_NEIGH_ADD || type == L3MH_ZAPI_LOCAL_NEIGH_DEL ||
	       type == L3MH_ZAPI_REPLAY_DONE;
}

static void l3mh_arp_nd_zapi_msg(uint16_t type, struct stream *s, vrf_id_t vrf_id)
{
	struct l3mh_zapi_neigh n;

	if (type == L3MH_ZAPI_REPLAY_DONE) {
		l3mh_replay_done();
		return;
	}
	if (!l3mh_zapi_neigh_decode(s, &n)) {
		zlog_warn("evpn-l3mh: malformed %s from zebra", l3mh_zapi_type2str(type));
		return;
	}
	l3mh_local_neigh(vrf_id, &n, type == L3MH_ZAPI_LOCAL_NEIGH_ADD);
}

static void l3mh_synced_resend_walk(struct hash_bucket *hb, void *arg)
{
	struct l3mh_neigh *ln = hb->data;

	if (ln->origin == L3MH_SYNCED)
		l3mh_zebra_send_neigh(ln, true);
}

/*
 * A restarted zebra knows nothing: it gets every synced entry again, and
 * names the local ones again (REPLAY; those it does not name are gone).
 */
static void l3mh_arp_nd_zebra_connected(void)
{
	if (!l3mh_enabled())
		return;
	hash_iterate(an.neighs, l3mh_synced_resend_walk, NULL);
	l3mh_zebra_send_replay();
}

/* zebra reports again what it learned on interfaces that were not on an
 * ES before
 */
static void l3mh_arp_nd_local_es_changed(void)
{
	l3mh_zebra_send_replay();
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "bgpd/bgp_evpn_l3mh_arp_nd_clippy.c"

DEFPY(l3mh_arp_nd_sync, l3mh_arp_nd_sync_cmd,
      "[no] l3-multihoming arp-nd-sync [route-target-mode <es-import|ip-vrf>$mode]",
      NO_STR
      "EVPN multi-homing for L3 services on routed LAGs\n"
      "Synchronize ARP/ND entries of ES interfaces with RT-2\n"
      "Route targets of the sync routes\n"
      "ES-Import RT and an EVI-RT carrying this VRF's RT (default)\n"
      "This VRF's route targets\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);

	if (no)
		l3mh_vrf_unconfigure(bgp);
	else
		l3mh_vrf_configure(bgp, (mode && !strcmp(mode, "ip-vrf")) ? L3MH_RT_IP_VRF
									  : L3MH_RT_ES_IMPORT);
	return CMD_SUCCESS;
}

static void l3mh_arp_nd_config_write(struct l3mh_vrf *lv, struct vty *vty)
{
	vty_out(vty, "  l3-multihoming arp-nd-sync%s\n",
		lv->mode == L3MH_RT_IP_VRF ? " route-target-mode ip-vrf" : "");
}

struct l3mh_show_ctx {
	struct vty *vty;
	json_object *json;
};

static void l3mh_show_walk(struct hash_bucket *b, void *arg)
{
	struct l3mh_neigh *ln = b->data;
	struct l3mh_show_ctx *ctx = arg;
	struct vrf *vrf = vrf_lookup_by_id(ln->vrf_id);
	const char *origin = ln->origin == L3MH_LOCAL ? "local" : "synced";
	struct l3mh_vrf *lv = l3mh_vrf_find_id(ln->vrf_id);
	const char *state;
	char esi_buf[ESI_STR_LEN];

	if (ln->origin == L3MH_SYNCED)
		state = "installed-request";
	else
		state = !lv				    ? "not-synced"
			: !l3mh_es_is_local(&ln->esi, NULL) ? "no-local-es"
							    : "advertised";
	esi_to_str(&ln->esi, esi_buf, sizeof(esi_buf));
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "vrf", vrf ? vrf->name : "?");
		json_object_string_add(j, "esi", esi_buf);
		json_object_int_add(j, "ethTag", ln->etag);
		json_object_string_addf(j, "ip", "%pIA", &ln->ip);
		json_object_string_addf(j, "mac", "%pEA", &ln->mac);
		json_object_string_add(j, "origin", origin);
		json_object_string_add(j, "state", state);
		if (ln->origin == L3MH_SYNCED) {
			json_object_string_addf(j, "rd", "%pRDP", &ln->prd);
			json_object_string_addf(j, "peer", "%pI4", &ln->peer);
		}
		json_object_array_add(ctx->json, j);
	} else
		vty_out(ctx->vty, "%-10s %-30s %-8u %-26pIA %-17pEA %-7s %s\n",
			vrf ? vrf->name : "?", esi_buf, ln->etag, &ln->ip, &ln->mac, origin, state);
}

DEFPY(show_l3mh_neigh, show_l3mh_neigh_cmd,
      "show bgp l2vpn evpn l3-multihoming neighbors [json$json]",
      SHOW_STR BGP_STR L2VPN_HELP_STR EVPN_HELP_STR
      "EVPN multi-homing for L3 services\n"
      "ARP/ND entries, local and synced\n" JSON_STR)
{
	struct l3mh_show_ctx ctx = { .vty = vty };
	struct in_addr orig = l3mh_originator_ip();
	json_object *top = NULL;

	if (json) {
		top = l3mh_show_json_new("neighbors", &ctx.json);
		json_object_string_addf(top, "originatorIp", "%pI4", &orig);
		json_object_int_add(top, "retentionTime", l3mh_retention_time());
	} else {
		vty_out(vty, "EVPN L3 multi-homing: %s\n", l3mh_enabled() ? "enabled" : "disabled");
		vty_out(vty, "%-10s %-30s %-8s %-26s %-17s %-7s %s\n", "VRF", "ESI", "EthTag", "IP",
			"MAC", "Origin", "State");
	}
	hash_iterate(an.neighs, l3mh_show_walk, &ctx);
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

static void l3mh_arp_nd_init(void)
{
	an.neighs = hash_create_size(1024, l3mh_neigh_hash_key, l3mh_neigh_hash_cmp,
				     "EVPN L3MH neighbours");
	an.synced_by_route = hash_create_size(1024, l3mh_route_hash_key, l3mh_route_hash_cmp,
					      "EVPN L3MH synced by route");
	an.sets[L3MH_BY_IP] = hash_create_size(1024, l3mh_set_by_ip_key, l3mh_set_by_ip_cmp,
					       "EVPN L3MH neighbours by address");
	an.sets[L3MH_BY_ES] = hash_create_size(256, l3mh_set_by_es_key, l3mh_set_by_es_cmp,
					       "EVPN L3MH neighbours by ES");
	install_element(BGP_EVPN_NODE, &l3mh_arp_nd_sync_cmd);
	install_element(VIEW_NODE, &show_l3mh_neigh_cmd);
}

const struct l3mh_sync_ops l3mh_arp_nd_ops = {
	.name = "ARP/ND",
	.init = l3mh_arp_nd_init,
	.route_owned = l3mh_arp_nd_route_owned,
	.route_esi = l3mh_arp_nd_route_esi,
	.route_update = l3mh_arp_nd_route_update,
	.neigh_by_ip = l3mh_arp_nd_neigh_by_ip,
	.neigh_on_es = l3mh_arp_nd_neigh_on_es,
	.zapi_owned = l3mh_arp_nd_zapi_owned,
	.zapi_msg = l3mh_arp_nd_zapi_msg,
	.vrf_refresh = l3mh_arp_nd_vrf_refresh,
	.local_es_changed = l3mh_arp_nd_local_es_changed,
	.zebra_connected = l3mh_arp_nd_zebra_connected,
	.config_write = l3mh_arp_nd_config_write,
};
