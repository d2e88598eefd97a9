// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: the redundancy mode of an L3 Ethernet
 * Segment, a part of the evpn_l3mh module's core (bgp_evpn_l3mh_es.h).
 *
 * draft-ietf-bess-evpn-l3mh-proto-00 section 1.6, requirements 6-8: an L3
 * ES is all-active (the default, FRR's only mode), single-active or
 * port-active (RFC 9786).
 *   - The mode of a local L3 ES goes into its routes: the single-active
 *     flag of the ESI Label extended community of its EAD-ES (RFC 7432
 *     section 7.5), set for single-active and for port-active (RFC 9786
 *     section 3.4); the DF Alg and the capabilities of the DF Election
 *     extended community of its RT-4 (RFC 8584 section 2.2): P (port mode,
 *     RFC 9786 section 3.4) for port-active, DP (Don't Preempt, RFC 9785
 *     section 3) when non-revertive.
 *   - The mode of every other PE of the ES is read from its RT-4 and its
 *     EAD-ES. A PE of another mode or DF algorithm is a mismatch: it is
 *     logged and shown. When the DF Election ECs of the PEs differ in DF
 *     Alg or in capabilities, every PE falls back to the default election,
 *     modulus per <ES, Ethernet Tag> with no capabilities (RFC 8584 section
 *     2.2, RFC 9786 section 7): a port-active ES whose PEs do not all
 *     advertise the P bit is carved per VLAN.
 *   - The DF of a port-active ES (RFC 9786 section 3.2) is elected from
 *     the RT-4s of its PEs, by modulus or by preference (lib/evpn_df.c);
 *     a PE whose ES link is down is no candidate. Non-revertive (RFC 9785
 *     section 4.3): a PE whose ES comes up advertises the lowest
 *     preference for the DF wait time, then the preference of a DF with
 *     Don't Preempt that it would preempt, without DP, until it is the
 *     best candidate anyway.
 *   - A single-active ES has one DF per <ES, Ethernet Tag> (RFC 7432
 *     section 8.5): by modulus, or the PE of the highest preference.
 *   - After each election what zebra is to hold down on this PE goes to
 *     it (ES_MODE), through a function of the core.
 */
#include <zebra.h>

#include "json.h"
#include "vty.h"

#include "lib/evpn_df.h"
#include "lib/evpn_l3mh_zapi.h"
#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_ecommunity.h"
#include "bgpd/bgp_evpn.h"
#include "bgpd/bgp_evpn_l3mh.h"
#include "bgpd/bgp_evpn_l3mh_es.h"
#include "bgpd/bgp_evpn_mh.h"
#include "bgpd/bgp_evpn_private.h"
#include "bgpd/bgp_evpn_vty.h"
#include "bgpd/bgp_memory.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_vty.h"

DEFINE_MTYPE_STATIC(BGPD, L3MH_ES_MODE, "EVPN L3MH ES redundancy mode");

/* the configured mode of an ES: only those not all-active */
struct l3mh_es_cfg {
	esi_t esi;
	enum l3mh_es_mode mode;
	uint8_t alg; /* EVPN_DF_ALG_MODULUS or EVPN_DF_ALG_PREF */
	bool dp;     /* non-revertive: Don't Preempt */
};

/* another PE of an ES, from its RT-4 and its EAD-ES */
struct l3mh_es_peer {
	esi_t esi;
	struct in_addr ip; /* originator IP; the EAD-ES's next hop */
	bool esr;	   /* its RT-4: */
	struct evpn_df_ec df;
	bool ead; /* its EAD-ES: */
	bool single_active;
};

/* the state of a local L3 ES */
struct l3mh_es_state {
	esi_t esi;
	bool mismatch; /* as last logged */
	/* as zebra was last told */
	bool sent;
	struct l3mh_zapi_es_mode zm;
	/* non-revertive (RFC 9785 section 4.3) */
	bool was_df;	      /* this PE was the DF at the last election */
	bool oper_up;	      /* its ES link, at the last election */
	bool in_use;	      /* in_use_pref is advertised, without DP */
	uint16_t in_use_pref; /* the DF's preference, not to preempt it */
	struct event *t_wait; /* after coming up: defer to the PEs there */
};

static struct {
	bool enabled;
	struct list *cfgs;   /* struct l3mh_es_cfg */
	struct list *peers;  /* struct l3mh_es_peer */
	struct list *states; /* struct l3mh_es_state */
	struct event *t_eval;
	/* bgpd's start, until the other PEs' routes are in */
	time_t t0;
	bool started;
	struct event *t_start;
	/* the core's: tell zebra the mode of a local ES and its DF state */
	void (*mode_changed)(const struct l3mh_zapi_es_mode *zm);
} esm;

/*
 * RFC 7432 section 8.5's DF wait timer: a non-revertive PE whose ES comes
 * up advertises the lowest preference for this long, then the DF's if it
 * finds one with Don't Preempt, so that it does not preempt it meanwhile.
 */
#define L3MH_ES_DF_WAIT 3

/*
 * At bgpd's start zebra still holds down what the last bgpd had it hold
 * (a standby stays out of the CE's LAG while its bgpd restarts). No ES
 * mode goes to zebra, which would let that go, before the other PEs' RT-4s
 * are in: for the DF wait time (RFC 7432 section 8.5) and until every
 * L2VPN EVPN peer is Established and has sent its End-of-RIB, or for
 * L3MH_ES_START_MAX seconds.
 */
#define L3MH_ES_START_MAX 30

/* the capabilities the PEs of an ES must share: DP is per PE (RFC 9785) */
#define L3MH_ES_CAPS(bitmap) ((bitmap) & ~EVPN_DF_CAP_DP)

/* the view of one local ES: its PEs (pes[0] is this PE) and their modes */
struct l3mh_es_view {
	struct bgp_evpn_es *es;
	enum l3mh_es_mode mode;
	struct evpn_df_pe pes[EVPN_DF_MAX_PES];
	enum l3mh_es_mode pe_mode[EVPN_DF_MAX_PES];
	bool pe_mode_known[EVPN_DF_MAX_PES];
	int n;
	/* a PE whose mode or DF Alg is not this PE's */
	bool mismatch;
	const char *why;
	struct in_addr why_pe;
	/* the DF election: per ES (port-active) or per Ethernet Tag */
	bool per_es;
	uint8_t alg;  /* in use */
	int df;	      /* per_es: the index of the DF in pes, -1 if none */
	bool self_up; /* this PE's ES link is up: it is a candidate */
	/* single-active: this PE is the DF of Ethernet Tag t if df_all, or
	 * if t mod n_pes is ordinal (carve false: no election)
	 */
	bool carve, df_all;
	uint16_t n_pes, ordinal;
};

const char *l3mh_es_mode2str(enum l3mh_es_mode mode)
{
	switch (mode) {
	case L3MH_ES_ALL_ACTIVE:
		return "all-active";
	case L3MH_ES_SINGLE_ACTIVE:
		return "single-active";
	case L3MH_ES_PORT_ACTIVE:
		return "port-active";
	}
	return "?";
}

static struct l3mh_es_cfg *l3mh_es_cfg_find(const esi_t *esi)
{
	struct listnode *node;
	struct l3mh_es_cfg *c;

	for (ALL_LIST_ELEMENTS_RO(esm.cfgs, node, c))
		if (!memcmp(&c->esi, esi, sizeof(*esi)))
			return c;
	return NULL;
}

static struct l3mh_es_state *l3mh_es_state_find(const esi_t *esi)
{
	struct listnode *node;
	struct l3mh_es_state *st;

	for (ALL_LIST_ELEMENTS_RO(esm.states, node, st))
		if (!memcmp(&st->esi, esi, sizeof(*esi)))
			return st;
	return NULL;
}

static struct l3mh_es_peer *l3mh_es_peer_get(const esi_t *esi, struct in_addr ip, bool create)
{
	struct listnode *node;
	struct l3mh_es_peer *p;

	for (ALL_LIST_ELEMENTS_RO(esm.peers, node, p))
		if (!memcmp(&p->esi, esi, sizeof(*esi)) && p->ip.s_addr == ip.s_addr)
			return p;
	if (!create)
		return NULL;
	p = XCALLOC(MTYPE_L3MH_ES_MODE, sizeof(*p));
	p->esi = *esi;
	p->ip = ip;
	listnode_add(esm.peers, p);
	return p;
}

/* an L3 ES: one with no L2-VNI (as for its Encapsulation EC) */
static bool l3mh_es_is_l3(const struct bgp_evpn_es *es)
{
	return CHECK_FLAG(es->flags, BGP_EVPNES_LOCAL) && !listcount(es->es_evi_list);
}

/* non-revertive: by preference, with Don't Preempt (either mode) */
static bool l3mh_es_non_revertive(const struct l3mh_es_cfg *c)
{
	return c && c->alg == EVPN_DF_ALG_PREF && c->dp;
}

/* this PE's DF Election EC and ESI Label flag for an ES of mode c */
static void l3mh_es_own_params(const struct l3mh_es_cfg *c, const struct bgp_evpn_es *es,
			       bool *single_active, struct evpn_df_ec *df)
{
	struct l3mh_es_state *st;

	*single_active = false;
	df->alg = EVPN_DF_ALG_PREF; /* FRR's, for an all-active ES */
	df->bitmap = 0;
	df->pref = es->df_pref;
	if (!c)
		return;
	*single_active = true;
	df->alg = c->alg;
	if (c->mode == L3MH_ES_PORT_ACTIVE)
		df->bitmap |= EVPN_DF_CAP_PORT;
	if (c->dp)
		df->bitmap |= EVPN_DF_CAP_DP;
	st = l3mh_es_non_revertive(c) ? l3mh_es_state_find(&es->esi) : NULL;
	if (st && st->in_use) {
		/* RFC 9785 section 4.3: the DF's preference, DP clear */
		df->pref = st->in_use_pref;
		df->bitmap &= ~EVPN_DF_CAP_DP;
	}
}

/*
 * RFC 7432 section 7.5, RFC 9786 section 3.4. An L3 ES has no EVI: its
 * EAD-per-ES, which carries the single-active flag, goes with the ES-Import
 * RT, to the PEs of the ES as its RT-4 does.
 */
static int l3mh_es_redundancy_hook(struct bgp_evpn_es *es, struct bgp_evpn_es_redundancy *red)
{
	struct evpn_df_ec df;

	if (!esm.enabled || !l3mh_es_is_l3(es))
		return 0;
	l3mh_es_own_params(l3mh_es_cfg_find(&es->esi), es, &red->single_active, &df);
	red->df_alg = df.alg;
	red->df_bitmap = df.bitmap;
	red->df_pref = df.pref;
	red->ead_es_without_evi = true;
	return 0;
}

static enum l3mh_es_mode l3mh_es_peer_mode(const struct l3mh_es_peer *p, bool *known)
{
	*known = true;
	if (p->esr && (p->df.bitmap & EVPN_DF_CAP_PORT))
		return L3MH_ES_PORT_ACTIVE;
	if (p->ead)
		return p->single_active ? L3MH_ES_SINGLE_ACTIVE : L3MH_ES_ALL_ACTIVE;
	/* an RT-4 alone says only that it is not port-active */
	*known = false;
	return L3MH_ES_ALL_ACTIVE;
}

static void l3mh_es_view(struct bgp_evpn_es *es, struct l3mh_es_view *v)
{
	struct l3mh_es_cfg *c = l3mh_es_cfg_find(&es->esi);
	struct listnode *node;
	struct l3mh_es_peer *p;
	bool single_active, same_caps = true, known;
	enum l3mh_es_mode m;

	memset(v, 0, sizeof(*v));
	v->es = es;
	v->mode = c ? c->mode : L3MH_ES_ALL_ACTIVE;
	v->pes[0].ip = es->originator_ip;
	l3mh_es_own_params(c, es, &single_active, &v->pes[0].df);
	v->pe_mode[0] = v->mode;
	v->pe_mode_known[0] = true;
	v->n = 1;
	for (ALL_LIST_ELEMENTS_RO(esm.peers, node, p)) {
		if (memcmp(&p->esi, &es->esi, sizeof(esi_t)) || !p->esr ||
		    p->ip.s_addr == es->originator_ip.s_addr || v->n >= EVPN_DF_MAX_PES)
			continue;
		m = l3mh_es_peer_mode(p, &known);
		v->pes[v->n].ip = p->ip;
		v->pes[v->n].df = p->df;
		v->pe_mode[v->n] = m;
		v->pe_mode_known[v->n] = known;
		/* a PE known by its RT-4 alone is not port-active, and may be
		 * either of the others
		 */
		if (!v->mismatch && m != v->mode && (known || v->mode == L3MH_ES_PORT_ACTIVE)) {
			v->mismatch = true;
			v->why = "redundancy-mode";
			v->why_pe = p->ip;
		}
		if (p->df.alg != v->pes[0].df.alg ||
		    L3MH_ES_CAPS(p->df.bitmap) != L3MH_ES_CAPS(v->pes[0].df.bitmap)) {
			same_caps = false;
			if (!v->mismatch) {
				v->mismatch = true;
				v->why = p->df.alg != v->pes[0].df.alg ? "df-algorithm"
								       : "df-capabilities";
				v->why_pe = p->ip;
			}
		}
		v->n++;
	}
	/* this PE does modulus and preference; HRW is taken as modulus */
	v->alg = same_caps && v->pes[0].df.alg == EVPN_DF_ALG_PREF ? EVPN_DF_ALG_PREF
								   : EVPN_DF_ALG_MODULUS;
	v->per_es = v->mode == L3MH_ES_PORT_ACTIVE && same_caps;
	/* a PE whose ES link is down (not held down as a standby: zebra
	 * keeps that one up) is no candidate, and its peers see its RT-4 go
	 */
	v->self_up = CHECK_FLAG(es->flags, BGP_EVPNES_OPER_UP);
	v->df = -1;
	/* single-active, its PEs agreeing on the mode: per Ethernet Tag,
	 * the DF Alg falling back to modulus if they do not agree on it
	 */
	v->carve = v->mode == L3MH_ES_SINGLE_ACTIVE && v->self_up &&
		   !(v->mismatch && !strcmp(v->why, "redundancy-mode"));
	if (v->carve && v->alg == EVPN_DF_ALG_PREF)
		v->df_all = evpn_df_port_elect(v->pes, v->n, EVPN_DF_ALG_PREF, es->esi.val) == 0;
	else if (v->carve) {
		struct in_addr ips[EVPN_DF_MAX_PES];
		int n = v->n;

		for (int i = 0; i < n; i++)
			ips[i] = v->pes[i].ip;
		v->ordinal = evpn_df_pe_ordinal(ips, &n, v->pes[0].ip);
		v->n_pes = n;
	}
	if (v->per_es && v->self_up)
		v->df = evpn_df_port_elect(v->pes, v->n, v->alg, es->esi.val);
	else if (v->per_es && v->n > 1) {
		v->df = evpn_df_port_elect(v->pes + 1, v->n - 1, v->alg, es->esi.val);
		if (v->df >= 0)
			v->df++;
	}
}

/* ------------------------------------------------------------------------
 * The routes of the other PEs
 * ------------------------------------------------------------------------
 */
static void l3mh_es_eval(struct event *e);

/* the DF is elected by preference: of a port-active ES, or of every
 * Ethernet Tag of a single-active one
 */
static bool l3mh_es_pref_elected(const struct l3mh_es_view *v)
{
	return v->alg == EVPN_DF_ALG_PREF && (v->per_es || v->carve);
}

/* this PE is the DF by that election */
static bool l3mh_es_pref_df(const struct l3mh_es_view *v)
{
	return v->per_es ? v->df == 0 : v->df_all;
}

static void l3mh_es_wait_over(struct event *e)
{
	l3mh_es_eval(NULL);
}

static bool l3mh_es_peers_in(struct bgp *bgp)
{
	struct listnode *node;
	struct peer *peer;

	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
		if (peer->afc[AFI_L2VPN][SAFI_EVPN] &&
		    !CHECK_FLAG(peer->flags, PEER_FLAG_SHUTDOWN) &&
		    (!peer_established(peer->connection) ||
		     !CHECK_FLAG(peer->af_sflags[AFI_L2VPN][SAFI_EVPN], PEER_STATUS_EOR_RECEIVED)))
			return false;
	return true;
}

/* may this bgpd tell zebra the ES modes yet (L3MH_ES_START_MAX)? */
static bool l3mh_es_started(void)
{
	struct bgp *bgp = bgp_get_evpn();
	time_t up = monotime(NULL) - esm.t0;

	if (esm.started)
		return true;
	if (up < L3MH_ES_START_MAX && (up < L3MH_ES_DF_WAIT || !bgp || !l3mh_es_peers_in(bgp))) {
		event_add_timer(bm->master, l3mh_es_wait_over, NULL, 1, &esm.t_start);
		return false;
	}
	L3MH_DEBUG("ES modes: the other PEs' routes are in after %lld s, elections start",
		   (long long)up);
	esm.started = true;
	return true;
}

/*
 * Non-revertive (RFC 9785 section 4.3): a PE that is not the DF and finds
 * a DF with Don't Preempt that it would preempt advertises that DF's
 * preference with DP clear; it advertises its own again once it is the
 * best candidate anyway (the DF went). Returns whether that changed.
 */
static bool l3mh_es_in_use_update(struct l3mh_es_state *st, const struct l3mh_es_cfg *c,
				  const struct l3mh_es_view *v)
{
	bool in_use = false;
	uint16_t pref = 0;
	int best;

	if (!l3mh_es_non_revertive(c) || !l3mh_es_pref_elected(v))
		in_use = false;
	else if (st->t_wait) {
		in_use = true; /* the lowest preference until the wait is over */
	} else if (!st->was_df && v->n > 1) {
		struct evpn_df_pe duel[2];

		best = evpn_df_port_elect(v->pes + 1, v->n - 1, EVPN_DF_ALG_PREF, v->es->esi.val) +
		       1;
		/* this PE with its own preference and DP, against that DF */
		duel[0] = v->pes[0];
		duel[0].df.pref = v->es->df_pref;
		duel[0].df.bitmap |= EVPN_DF_CAP_DP;
		duel[1] = v->pes[best];
		if ((v->pes[best].df.bitmap & EVPN_DF_CAP_DP) &&
		    evpn_df_port_elect(duel, 2, EVPN_DF_ALG_PREF, v->es->esi.val) == 0) {
			in_use = true;
			pref = v->pes[best].df.pref;
		}
	}
	if (in_use == st->in_use && (!in_use || pref == st->in_use_pref))
		return false;
	st->in_use = in_use;
	st->in_use_pref = pref;
	return true;
}

/* what zebra acts on (ES_MODE) */
static void l3mh_es_zapi_mode(const struct l3mh_es_view *v, struct l3mh_zapi_es_mode *zm)
{
	memset(zm, 0, sizeof(*zm));
	zm->esi = v->es->esi;
	/* a port-active ES whose PEs disagree is carved per Ethernet Tag as
	 * an all-active one is, for its multicast (RFC 9786 section 7)
	 */
	if (v->mode == L3MH_ES_PORT_ACTIVE && v->per_es) {
		zm->mode = L3MH_ZAPI_ES_PORT_ACTIVE;
		zm->standby = v->self_up && v->df > 0;
	} else if (v->carve) {
		zm->mode = L3MH_ZAPI_ES_SINGLE_ACTIVE;
		zm->df_all = v->df_all;
		zm->n_pes = v->n_pes;
		zm->ordinal = v->ordinal;
	}
}

static void l3mh_es_eval(struct event *e)
{
	struct l3mh_es_view v;
	struct l3mh_es_state *st;
	struct l3mh_es_cfg *c;
	struct bgp_evpn_es *es;
	struct listnode *node, *next;
	char esi_buf[ESI_STR_LEN];
	struct l3mh_zapi_es_mode zm;
	int round;
	bool started;

	if (!bgp_mh_info)
		return;
	started = l3mh_es_started();
	RB_FOREACH (es, bgp_es_rb_head, &bgp_mh_info->es_rb_tree) {
		if (!esm.enabled || !l3mh_es_is_l3(es))
			continue;
		c = l3mh_es_cfg_find(&es->esi);
		st = l3mh_es_state_find(&es->esi);
		if (!st) {
			st = XCALLOC(MTYPE_L3MH_ES_MODE, sizeof(*st));
			st->esi = es->esi;
			listnode_add(esm.states, st);
		}
		esi_to_str(&es->esi, esi_buf, sizeof(esi_buf));
		/* a non-revertive PE coming up waits before it competes */
		if (l3mh_es_non_revertive(c) && CHECK_FLAG(es->flags, BGP_EVPNES_OPER_UP) &&
		    !st->oper_up) {
			st->was_df = false;
			event_add_timer(bm->master, l3mh_es_wait_over, NULL, L3MH_ES_DF_WAIT,
					&st->t_wait);
		}
		st->oper_up = CHECK_FLAG(es->flags, BGP_EVPNES_OPER_UP);
		/* with the preference this PE advertises, then perhaps again
		 * with the one that changes to
		 */
		for (round = 0; round < 2; round++) {
			l3mh_es_view(es, &v);
			if (!l3mh_es_in_use_update(st, c, &v))
				break;
			L3MH_DEBUG("ES %s: advertise DF preference %u%s", esi_buf,
				   st->in_use ? st->in_use_pref : es->df_pref,
				   st->in_use ? " without Don't Preempt" : "");
			bgp_evpn_local_es_redundancy_update(bgp_get_evpn(), es);
		}
		st->was_df = l3mh_es_pref_elected(&v) && l3mh_es_pref_df(&v);
		l3mh_es_zapi_mode(&v, &zm);
		if (started && (!st->sent || memcmp(&st->zm, &zm, sizeof(zm)))) {
			st->sent = true;
			st->zm = zm;
			if (zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE)
				zlog_info("evpn-l3mh: ES %s port-active: %s", esi_buf,
					  zm.standby  ? "standby (another PE is the DF)"
					  : v.df == 0 ? "DF"
						      : "this PE's link is down");
			else if (zm.mode == L3MH_ZAPI_ES_SINGLE_ACTIVE)
				zlog_info("evpn-l3mh: ES %s single-active: DF of %s", esi_buf,
					  zm.df_all  ? "every Ethernet Tag"
					  : zm.n_pes ? "its share of the Ethernet Tags (modulus)"
						     : "no Ethernet Tag");
			if (esm.mode_changed)
				esm.mode_changed(&zm);
		}
		if (st->mismatch == v.mismatch)
			continue;
		st->mismatch = v.mismatch;
		if (v.mismatch)
			zlog_warn("evpn-l3mh: ES %s %s mismatch: this PE is %s (DF algorithm %s), PE %pI4 is not",
				  esi_buf, v.why, l3mh_es_mode2str(v.mode),
				  evpn_df_alg2str(v.pes[0].df.alg), &v.why_pe);
		else
			zlog_info("evpn-l3mh: ES %s: its PEs agree on %s", esi_buf,
				  l3mh_es_mode2str(v.mode));
	}
	/* forget the ESs that are gone, letting their links go */
	for (ALL_LIST_ELEMENTS(esm.states, node, next, st)) {
		es = bgp_evpn_es_find(&st->esi);
		if (esm.enabled && es && l3mh_es_is_l3(es))
			continue;
		if (st->sent && st->zm.mode != L3MH_ZAPI_ES_ALL_ACTIVE && esm.mode_changed) {
			memset(&zm, 0, sizeof(zm));
			zm.esi = st->esi;
			esm.mode_changed(&zm);
		}
		event_cancel(&st->t_wait);
		listnode_delete(esm.states, st);
		XFREE(MTYPE_L3MH_ES_MODE, st);
	}
}

static void l3mh_es_changed(void)
{
	event_add_timer_msec(bm->master, l3mh_es_eval, NULL, 100, &esm.t_eval);
}

static struct in_addr l3mh_es_path_nh(const struct attr *attr)
{
	return attr->mp_nexthop_global_in.s_addr ? attr->mp_nexthop_global_in : attr->nexthop;
}

/* the RT-4 and EAD-ES of the other PEs, as the best path of each changes */
static int l3mh_es_route_update(struct bgp *bgp, afi_t afi, safi_t safi, struct bgp_dest *dest,
				struct bgp_path_info *old_route, struct bgp_path_info *new_route)
{
	const struct prefix_evpn *p;
	struct bgp_path_info *pi = new_route ? new_route : old_route;
	struct l3mh_es_peer *peer;
	struct ecommunity *ecom;
	const esi_t *esi;
	struct in_addr ip;
	bool esr;

	if (afi != AFI_L2VPN || safi != SAFI_EVPN || bgp != bgp_get_evpn() || !dest->pdest)
		return 0;
	p = (const struct prefix_evpn *)bgp_dest_get_prefix(dest);
	if (p->prefix.route_type == BGP_EVPN_ES_ROUTE) {
		esr = true;
		esi = &p->prefix.es_addr.esi;
		ip = p->prefix.es_addr.ip.ipaddr_v4;
	} else if (p->prefix.route_type == BGP_EVPN_AD_ROUTE &&
		   p->prefix.ead_addr.eth_tag == BGP_EVPN_AD_ES_ETH_TAG) {
		esr = false;
		esi = &p->prefix.ead_addr.esi;
		ip = l3mh_es_path_nh(pi->attr);
	} else
		return 0;
	/* this PE's own: its ES went up or down */
	if (pi->peer == bgp->peer_self) {
		l3mh_es_changed();
		return 0;
	}
	peer = l3mh_es_peer_get(esi, ip, !!new_route);
	if (!peer)
		return 0;
	ecom = new_route ? bgp_attr_get_ecommunity(new_route->attr) : NULL;
	if (esr) {
		peer->esr = !!new_route;
		memset(&peer->df, 0, sizeof(peer->df));
		if (ecom && ecom->unit_size == ECOMMUNITY_SIZE)
			evpn_df_ec_find(ecom->val, ecom->size, &peer->df);
	} else {
		peer->ead = !!new_route;
		peer->single_active = false;
		for (uint32_t i = 0; ecom && ecom->unit_size == ECOMMUNITY_SIZE && i < ecom->size;
		     i++) {
			const uint8_t *v = ecom->val + i * ECOMMUNITY_SIZE;

			if (v[0] == ECOMMUNITY_ENCODE_EVPN &&
			    v[1] == ECOMMUNITY_EVPN_SUBTYPE_ESI_LABEL)
				peer->single_active = v[2] & 0x01;
		}
	}
	if (!peer->esr && !peer->ead) {
		listnode_delete(esm.peers, peer);
		XFREE(MTYPE_L3MH_ES_MODE, peer);
	}
	L3MH_DEBUG("ES peer %pI4 %s %s", &ip, esr ? "RT-4" : "EAD-ES",
		   new_route ? "updated" : "withdrawn");
	l3mh_es_changed();
	return 0;
}

/* ------------------------------------------------------------------------
 * Config, show
 * ------------------------------------------------------------------------
 */
/* originate the routes of a local ES again with its mode */
static void l3mh_es_readvertise(const esi_t *esi)
{
	struct bgp *bgp = bgp_get_evpn();
	struct bgp_evpn_es *es = bgp_mh_info ? bgp_evpn_es_find(esi) : NULL;

	if (bgp && es && CHECK_FLAG(es->flags, BGP_EVPNES_LOCAL))
		bgp_evpn_local_es_redundancy_update(bgp, es);
	l3mh_es_changed();
}

void l3mh_es_mode_enable(bool on)
{
	struct listnode *node;
	struct l3mh_es_cfg *c;

	if (esm.enabled == on)
		return;
	esm.enabled = on;
	/* the configured modes stay, in effect while enabled */
	for (ALL_LIST_ELEMENTS_RO(esm.cfgs, node, c))
		l3mh_es_readvertise(&c->esi);
	l3mh_es_changed();
}

bool l3mh_es_mode_configured(void)
{
	return listcount(esm.cfgs) > 0;
}

void l3mh_es_mode_config_write(struct vty *vty)
{
	struct listnode *node;
	struct l3mh_es_cfg *c;
	char esi_buf[ESI_STR_LEN];

	for (ALL_LIST_ELEMENTS_RO(esm.cfgs, node, c)) {
		vty_out(vty, "  l3-multihoming es %s redundancy-mode %s",
			esi_to_str(&c->esi, esi_buf, sizeof(esi_buf)), l3mh_es_mode2str(c->mode));
		if (c->alg == EVPN_DF_ALG_PREF)
			vty_out(vty, " df-algorithm preference%s", c->dp ? " non-revertive" : "");
		vty_out(vty, "\n");
	}
}

/* the help of "[no] l3-multihoming es ... redundancy-mode ..." */
#define L3MH_ES_MODE_HELP                                                                          \
	"EVPN multi-homing for L3 services on routed LAGs\n"                                       \
	"An L3 Ethernet Segment\n"                                                                 \
	"Its ESI, 10 octets xx:xx:...\n"                                                           \
	"Redundancy mode\n"                                                                        \
	"All-active: every PE forwards (the default)\n"                                            \
	"Single-active: one PE forwards per VLAN\n"                                                \
	"Port-active: one PE forwards on the ES (RFC 9786)\n"                                      \
	"DF election algorithm\n"                                                                  \
	"Modulus (RFC 7432 section 8.5), the default\n"                                            \
	"Highest preference (RFC 9785): evpn mh es-df-pref\n"                                      \
	"Do not take the DF role back (Don't Preempt)\n"

#include "bgpd/bgp_evpn_l3mh_es_clippy.c"

DEFPY(l3mh_es_mode, l3mh_es_mode_cmd,
      "l3-multihoming es WORD$esi_str redundancy-mode <all-active|single-active|port-active>$mode [df-algorithm <modulus|preference>$alg [non-revertive$nonrev]]",
      L3MH_ES_MODE_HELP)
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct l3mh_es_cfg *c;
	esi_t esi;

	if (bgp != bgp_get_evpn()) {
		vty_out(vty, "%% l3-multihoming es is set in the EVPN instance\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (!str_to_esi(esi_str, &esi)) {
		vty_out(vty, "%% malformed ESI %s\n", esi_str);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (nonrev && strcmp(alg, "preference")) {
		vty_out(vty, "%% non-revertive needs df-algorithm preference\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	c = l3mh_es_cfg_find(&esi);
	if (!strcmp(mode, "all-active")) {
		if (alg && strcmp(alg, "preference")) {
			vty_out(vty, "%% an all-active ES uses df-algorithm preference\n");
			return CMD_WARNING_CONFIG_FAILED;
		}
		/* the default: nothing to keep */
		if (c) {
			listnode_delete(esm.cfgs, c);
			XFREE(MTYPE_L3MH_ES_MODE, c);
			l3mh_es_readvertise(&esi);
		}
		return CMD_SUCCESS;
	}
	if (!c) {
		c = XCALLOC(MTYPE_L3MH_ES_MODE, sizeof(*c));
		c->esi = esi;
		listnode_add_sort(esm.cfgs, c);
	}
	c->mode = !strcmp(mode, "port-active") ? L3MH_ES_PORT_ACTIVE : L3MH_ES_SINGLE_ACTIVE;
	c->alg = alg && !strcmp(alg, "preference") ? EVPN_DF_ALG_PREF : EVPN_DF_ALG_MODULUS;
	c->dp = !!nonrev;
	l3mh_es_readvertise(&esi);
	return CMD_SUCCESS;
}

DEFPY(no_l3mh_es_mode, no_l3mh_es_mode_cmd,
      "no l3-multihoming es WORD$esi_str [redundancy-mode [<all-active|single-active|port-active> [df-algorithm <modulus|preference> [non-revertive]]]]",
      NO_STR L3MH_ES_MODE_HELP)
{
	struct l3mh_es_cfg *c;
	esi_t esi;

	if (!str_to_esi(esi_str, &esi)) {
		vty_out(vty, "%% malformed ESI %s\n", esi_str);
		return CMD_WARNING_CONFIG_FAILED;
	}
	c = l3mh_es_cfg_find(&esi);
	if (!c)
		return CMD_SUCCESS;
	listnode_delete(esm.cfgs, c);
	XFREE(MTYPE_L3MH_ES_MODE, c);
	l3mh_es_readvertise(&esi);
	return CMD_SUCCESS;
}

static const char *l3mh_es_pe_mode_str(const struct l3mh_es_view *v, int i)
{
	return v->pe_mode_known[i] ? l3mh_es_mode2str(v->pe_mode[i]) : "not port-active (no EAD-ES)";
}

static void l3mh_es_show_one(struct vty *vty, const struct l3mh_es_view *v, json_object *arr)
{
	char esi_buf[ESI_STR_LEN];
	json_object *j, *jpes, *jp;
	int i;

	esi_to_str(&v->es->esi, esi_buf, sizeof(esi_buf));
	if (!arr) {
		vty_out(vty, "ES %s: %s, DF algorithm %s%s, preference %u%s\n", esi_buf,
			l3mh_es_mode2str(v->mode), evpn_df_alg2str(v->pes[0].df.alg),
			(v->pes[0].df.bitmap & EVPN_DF_CAP_DP) ? " non-revertive" : "",
			v->pes[0].df.pref, v->mismatch ? ", MISMATCH" : "");
		if (v->mismatch)
			vty_out(vty, "  %s mismatch with PE %pI4\n", v->why, &v->why_pe);
		vty_out(vty, "  DF election: %s, %s", v->per_es ? "per ES" : "per Ethernet Tag",
			evpn_df_alg2str(v->alg));
		if (v->per_es && v->df >= 0)
			vty_out(vty, ", DF %pI4%s", &v->pes[v->df].ip,
				v->df == 0 ? " (this PE)" : "");
		if (!v->self_up)
			vty_out(vty, ", this PE's link down");
		vty_out(vty, "\n");
		for (i = 0; i < v->n; i++)
			vty_out(vty, "  PE %-15pI4 %s, DF algorithm %s, preference %u%s%s\n",
				&v->pes[i].ip, l3mh_es_pe_mode_str(v, i),
				evpn_df_alg2str(v->pes[i].df.alg), v->pes[i].df.pref,
				(v->pes[i].df.bitmap & EVPN_DF_CAP_DP) ? ", don't preempt" : "",
				i == 0 ? " (this PE)" : "");
		return;
	}
	j = json_object_new_object();
	json_object_string_add(j, "esi", esi_buf);
	json_object_string_add(j, "mode", l3mh_es_mode2str(v->mode));
	json_object_string_add(j, "dfAlgorithm", evpn_df_alg2str(v->pes[0].df.alg));
	json_object_boolean_add(j, "nonRevertive", v->pes[0].df.bitmap & EVPN_DF_CAP_DP);
	json_object_int_add(j, "dfPreference", v->pes[0].df.pref);
	json_object_string_addf(j, "originatorIp", "%pI4", &v->pes[0].ip);
	json_object_boolean_add(j, "mismatch", v->mismatch);
	if (v->mismatch) {
		json_object_string_add(j, "mismatchOf", v->why);
		json_object_string_addf(j, "mismatchPe", "%pI4", &v->why_pe);
	}
	json_object_string_add(j, "dfElection", v->per_es ? "per-es" : "per-ethernet-tag");
	json_object_string_add(j, "dfAlgorithmInUse", evpn_df_alg2str(v->alg));
	json_object_boolean_add(j, "candidate", v->self_up);
	if (v->per_es && v->df >= 0) {
		json_object_string_addf(j, "df", "%pI4", &v->pes[v->df].ip);
		json_object_boolean_add(j, "isDf", v->df == 0);
	}
	if (v->carve && v->alg == EVPN_DF_ALG_PREF)
		json_object_boolean_add(j, "dfOfEveryEthernetTag", v->df_all);
	else if (v->carve) {
		json_object_int_add(j, "carvingPes", v->n_pes);
		json_object_int_add(j, "carvingOrdinal", v->ordinal);
	}
	if (v->mode == L3MH_ES_PORT_ACTIVE)
		json_object_string_add(j, "portState",
				       !v->per_es || v->df < 0 ? "no-df"
				       : v->df == 0	       ? "df"
				       : v->self_up	       ? "standby"
							       : "down");
	jpes = json_object_new_array();
	for (i = 0; i < v->n; i++) {
		jp = json_object_new_object();
		json_object_string_addf(jp, "originatorIp", "%pI4", &v->pes[i].ip);
		json_object_boolean_add(jp, "self", i == 0);
		json_object_string_add(jp, "mode",
				       v->pe_mode_known[i] ? l3mh_es_mode2str(v->pe_mode[i])
							   : "unknown");
		json_object_string_add(jp, "dfAlgorithm", evpn_df_alg2str(v->pes[i].df.alg));
		json_object_int_add(jp, "dfPreference", v->pes[i].df.pref);
		json_object_boolean_add(jp, "portMode", v->pes[i].df.bitmap & EVPN_DF_CAP_PORT);
		json_object_boolean_add(jp, "dontPreempt", v->pes[i].df.bitmap & EVPN_DF_CAP_DP);
		json_object_array_add(jpes, jp);
	}
	json_object_object_add(j, "pes", jpes);
	json_object_array_add(arr, j);
}

DEFPY(show_l3mh_es, show_l3mh_es_cmd, "show bgp l2vpn evpn l3-multihoming es [json$json]",
      SHOW_STR BGP_STR L2VPN_HELP_STR EVPN_HELP_STR
      "EVPN multi-homing for L3 services\n"
      "The local L3 Ethernet Segments: redundancy mode, PEs, DF\n" JSON_STR)
{
	json_object *top = NULL, *arr = NULL;
	struct l3mh_es_view v;
	struct bgp_evpn_es *es;

	if (json) {
		top = json_object_new_object();
		json_object_boolean_add(top, "enabled", esm.enabled);
		/* false at bgpd's start until the other PEs' routes are in */
		json_object_boolean_add(top, "electionsStarted", esm.started);
		arr = json_object_new_array();
		json_object_object_add(top, "es", arr);
	} else if (esm.enabled && !esm.started)
		vty_out(vty,
			"DF elections wait for the other PEs' routes (bgpd started %lld s ago)\n",
			(long long)(monotime(NULL) - esm.t0));
	if (esm.enabled && bgp_mh_info)
		RB_FOREACH (es, bgp_es_rb_head, &bgp_mh_info->es_rb_tree) {
			if (!l3mh_es_is_l3(es))
				continue;
			l3mh_es_view(es, &v);
			l3mh_es_show_one(vty, &v, arr);
		}
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Init
 * ------------------------------------------------------------------------
 */
static void l3mh_es_free(void *arg)
{
	XFREE(MTYPE_L3MH_ES_MODE, arg);
}

/* the configured modes, in the order of their ESIs */
static int l3mh_es_cfg_cmp(void *a, void *b)
{
	return memcmp(&((struct l3mh_es_cfg *)a)->esi, &((struct l3mh_es_cfg *)b)->esi,
		      sizeof(esi_t));
}

void l3mh_es_mode_resend(void)
{
	struct listnode *node;
	struct l3mh_es_state *st;

	for (ALL_LIST_ELEMENTS_RO(esm.states, node, st))
		st->sent = false;
	l3mh_es_changed();
}

void l3mh_es_mode_init(void (*mode_changed)(const struct l3mh_zapi_es_mode *zm))
{
	esm.mode_changed = mode_changed;
	esm.t0 = monotime(NULL);
	esm.cfgs = list_new();
	esm.cfgs->del = l3mh_es_free;
	esm.cfgs->cmp = l3mh_es_cfg_cmp;
	esm.peers = list_new();
	esm.peers->del = l3mh_es_free;
	esm.states = list_new();
	install_element(BGP_EVPN_NODE, &l3mh_es_mode_cmd);
	install_element(BGP_EVPN_NODE, &no_l3mh_es_mode_cmd);
	install_element(VIEW_NODE, &show_l3mh_es_cmd);
	hook_register(bgp_route_update, l3mh_es_route_update);
	hook_register(bgp_evpn_es_redundancy, l3mh_es_redundancy_hook);
}

void l3mh_es_mode_fini(void)
{
	event_cancel(&esm.t_eval);
	event_cancel(&esm.t_start);
	list_delete(&esm.cfgs);
	list_delete(&esm.peers);
	while (listcount(esm.states)) {
		struct l3mh_es_state *st = listnode_head(esm.states);

		event_cancel(&st->t_wait);
		listnode_delete(esm.states, st);
		XFREE(MTYPE_L3MH_ES_MODE, st);
	}
	list_delete(&esm.states);
}
