// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, zebra side: what the redundancy mode of an L3 ES
 * holds down on this PE (draft-ietf-bess-evpn-l3mh-proto-00 section 1.6,
 * requirements 6-8). bgpd elects the DFs and sends ES_MODE; this file acts.
 *
 * Port-active (RFC 9786 section 2.2): the non-DF keeps the CE from using
 * its links, "holding the port down" or setting LACP out-of-sync. Linux
 * bonding has no knob for a member's LACP sync bit, and protodown is there
 * only for macvlan and VxLAN devices, so the standby PE sets the bond's
 * members administratively down: the CE's LACP sees the link go down at
 * once, and the CE's LAG hashes onto the DF's links alone. The ES stays up
 * for BGP meanwhile (zebra_evpn_es_hold_up), so this PE keeps its RT-4 and
 * EAD-per-ES, remains a candidate of the election and goes on receiving
 * the DF's sync routes. When it becomes the DF, the members it set down
 * come up again and the ES is held up until the bond is up again (LACP
 * takes a moment) or L3MH_ES_GRACE seconds have passed, so that its routes
 * do not flap meanwhile. A member added to a standby bond, or set up by
 * hand, goes down too.
 *
 * Single-active (RFC 7432 section 8.5, one DF per <ES, Ethernet Tag>): the
 * sub-interfaces of the Ethernet Tags this PE is not the DF of are set
 * down (the bond and its members stay up for the others); those of the
 * ones it becomes the DF of come up again. The bond's own untagged
 * interface (Ethernet Tag 0) is left up.
 *
 * When bgpd goes, what it held down stays down: a standby stays out of the
 * CE's LAG while its bgpd restarts (the new one elects only once the other
 * PEs' routes are in), and a PE without bgpd could not serve the CE anyway.
 * So it does when zebra stops or crashes: what is held down is written to
 * a file of the run state directory (L3MH_ES_HELD_FILE), and the next
 * zebra takes it over. What the next bgpd does not name within
 * L3MH_ES_STALE seconds of its coming comes up. When an ES stops being
 * local, everything it held comes up again.
 */
#include <zebra.h>

#include "json.h"
#include "vrf.h"
#include "vty.h"

#include "lib/evpn_l3mh_zapi.h"
#include "zebra/interface.h"
#include "zebra/ioctl.h"
#include "zebra/zebra_evpn_l3mh_es.h"
#include "zebra/zebra_evpn_mh.h"
#include "zebra/zebra_ns.h"
#include "zebra/zebra_router.h"
#include "zebra/zserv.h"
#include "libfrr.h"

DEFINE_MTYPE_STATIC(ZEBRA, L3MH_ES_MODE, "EVPN L3MH ES redundancy mode");

#define L3MH_ES_GRACE	 10
#define L3MH_ES_MAX_HELD 64
/* what a bgpd that went away had held down, and the next bgpd has not
 * named this long after it connected (its elections wait 30 s at most),
 * comes up; while there is no bgpd, it stays down
 */
#define L3MH_ES_STALE 60
/* in frr_runstatedir: a line "ESI MODE IFNAME..." per ES holding something */
#define L3MH_ES_HELD_FILE "zebra_evpn_l3mh_held"

/* a local L3 ES that is not all-active, as bgpd last said */
struct l3mh_es_mode {
	struct l3mh_zapi_es_mode zm;
	/* the members (port-active) or sub-interfaces (single-active) this
	 * PE set down
	 */
	ifindex_t held[L3MH_ES_MAX_HELD];
	int n_held;
	struct event *t_grace;
	/* of a bgpd that went away */
	bool stale;
	/* held by the last zebra, by name, until zebra hears of them */
	char pending[L3MH_ES_MAX_HELD][IFNAMSIZ];
	int n_pending;
};

static struct list *es_modes;
static struct event *t_stale;
static struct zebra_evpn_es *(*es_of_if)(struct interface *ifp, uint32_t *etag);

static struct l3mh_es_mode *l3mh_es_mode_find(const esi_t *esi)
{
	struct listnode *node;
	struct l3mh_es_mode *p;

	for (ALL_LIST_ELEMENTS_RO(es_modes, node, p))
		if (!memcmp(&p->zm.esi, esi, sizeof(*esi)))
			return p;
	return NULL;
}

static struct interface *l3mh_es_ifp(ifindex_t ifindex)
{
	return if_lookup_by_index_per_ns(zebra_ns_lookup(NS_DEFAULT), ifindex);
}

static struct zebra_evpn_es *l3mh_es_mode_es(const struct l3mh_es_mode *p)
{
	struct zebra_evpn_es *es = zebra_evpn_es_find(&p->zm.esi);

	return es && (es->flags & ZEBRA_EVPNES_LOCAL) && es->zif ? es : NULL;
}

static void l3mh_es_held_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", frr_runstatedir, L3MH_ES_HELD_FILE);
}

/* what is held down now, for the next zebra */
static void l3mh_es_held_save(void)
{
	char path[512], tmp[520], esi_buf[ESI_STR_LEN];
	struct listnode *node;
	struct l3mh_es_mode *p;
	struct interface *ifp;
	bool any = false;
	FILE *f;

	l3mh_es_held_path(path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		zlog_warn("evpn-l3mh: cannot write %s: %s", tmp, safe_strerror(errno));
		return;
	}
	for (ALL_LIST_ELEMENTS_RO(es_modes, node, p)) {
		if (!p->n_held && !p->n_pending)
			continue;
		any = true;
		fprintf(f, "%s %u", esi_to_str(&p->zm.esi, esi_buf, sizeof(esi_buf)), p->zm.mode);
		for (int i = 0; i < p->n_held; i++) {
			ifp = l3mh_es_ifp(p->held[i]);
			if (ifp)
				fprintf(f, " %s", ifp->name);
		}
		for (int i = 0; i < p->n_pending; i++)
			fprintf(f, " %s", p->pending[i]);
		fprintf(f, "\n");
	}
	fclose(f);
	if (rename(tmp, path) < 0)
		zlog_warn("evpn-l3mh: cannot write %s: %s", path, safe_strerror(errno));
	if (!any)
		unlink(path);
}

static int l3mh_es_held_at(const struct l3mh_es_mode *p, ifindex_t ifindex)
{
	for (int i = 0; i < p->n_held; i++)
		if (p->held[i] == ifindex)
			return i;
	return -1;
}

/*
 * Hold an interface down. One that is down already is held as well, and
 * comes up with the others: a zebra that stopped without letting its
 * links go (a crash) left them down.
 */
static void l3mh_es_hold_if(struct l3mh_es_mode *p, struct zebra_evpn_es *es, struct interface *ifp)
{
	/* first: a port-active ES is held up before zebra hears of it */
	if (l3mh_es_held_at(p, ifp->ifindex) < 0) {
		if (p->n_held >= L3MH_ES_MAX_HELD)
			return;
		p->held[p->n_held++] = ifp->ifindex;
		l3mh_es_held_save();
	}
	/* down already, or set up again by hand: down */
	if (!if_is_up(ifp))
		return;
	zlog_info("evpn-l3mh: ES %s %s non-DF: %s set down", es->esi_str,
		  p->zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE ? "port-active" : "single-active",
		  ifp->name);
	if (if_unset_flags(ifp, IFF_UP) < 0)
		zlog_warn("evpn-l3mh: ES %s: cannot set %s down", es->esi_str, ifp->name);
}

static void l3mh_es_release_at(struct l3mh_es_mode *p, int i, const char *why)
{
	struct interface *ifp = l3mh_es_ifp(p->held[i]);
	char esi_buf[ESI_STR_LEN];

	p->held[i] = p->held[--p->n_held];
	l3mh_es_held_save();
	if (!ifp)
		return;
	zlog_info("evpn-l3mh: ES %s %s: %s set up",
		  esi_to_str(&p->zm.esi, esi_buf, sizeof(esi_buf)), why, ifp->name);
	if (if_set_flags(ifp, IFF_UP) < 0)
		zlog_warn("evpn-l3mh: cannot set %s up", ifp->name);
}

static void l3mh_es_grace_over(struct event *e)
{
	struct l3mh_es_mode *p = EVENT_ARG(e);
	struct zebra_evpn_es *es = l3mh_es_mode_es(p);

	if (es)
		zebra_evpn_es_oper_update(es);
}

/* let everything go; grace: the ES is held up until its bond is up */
static void l3mh_es_release_all_of(struct l3mh_es_mode *p, bool grace, const char *why)
{
	struct zebra_evpn_es *es = l3mh_es_mode_es(p);

	if (!p->n_held)
		return;
	if (grace)
		event_add_timer(zrouter.master, l3mh_es_grace_over, p, L3MH_ES_GRACE, &p->t_grace);
	while (p->n_held)
		l3mh_es_release_at(p, 0, why);
	if (!grace && es)
		zebra_evpn_es_oper_update(es);
}

/* a single-active ES's sub-interface: is it to be down? */
static bool l3mh_es_sub_held(const struct l3mh_es_mode *p, struct zebra_evpn_es *es,
			     struct interface *ifp)
{
	uint32_t etag;

	return es_of_if && ifp != es->zif->ifp && es_of_if(ifp, &etag) == es && etag &&
	       !l3mh_zapi_es_mode_df(&p->zm, etag);
}

/* make the interfaces of an ES what bgpd's last word says */
static void l3mh_es_apply(struct l3mh_es_mode *p)
{
	struct zebra_evpn_es *es = l3mh_es_mode_es(p);
	struct interface *ifp;
	struct zebra_if *mbr;
	struct listnode *node;
	struct vrf *vrf;
	int i;

	if (!es)
		return;
	switch (p->zm.mode) {
	case L3MH_ZAPI_ES_PORT_ACTIVE:
		if (!p->zm.standby) {
			l3mh_es_release_all_of(p, true, "port-active DF");
			return;
		}
		event_cancel(&p->t_grace);
		if (es->zif->bond_info.mbr_zifs)
			for (ALL_LIST_ELEMENTS_RO(es->zif->bond_info.mbr_zifs, node, mbr))
				l3mh_es_hold_if(p, es, mbr->ifp);
		return;
	case L3MH_ZAPI_ES_SINGLE_ACTIVE:
		/* the DF of an Ethernet Tag again: up */
		for (i = p->n_held - 1; i >= 0; i--) {
			ifp = l3mh_es_ifp(p->held[i]);
			if (!ifp || !l3mh_es_sub_held(p, es, ifp))
				l3mh_es_release_at(p, i, "single-active DF");
		}
		RB_FOREACH (vrf, vrf_id_head, &vrfs_by_id)
			FOR_ALL_INTERFACES (vrf, ifp)
				if (l3mh_es_sub_held(p, es, ifp))
					l3mh_es_hold_if(p, es, ifp);
		return;
	}
	l3mh_es_release_all_of(p, false, "all-active");
}

static void l3mh_es_mode_free(struct l3mh_es_mode *p)
{
	event_cancel(&p->t_grace);
	listnode_delete(es_modes, p);
	XFREE(MTYPE_L3MH_ES_MODE, p);
}

void l3mh_es_mode_msg(const struct l3mh_zapi_es_mode *zm)
{
	struct l3mh_es_mode *p = l3mh_es_mode_find(&zm->esi);

	if (!p && zm->mode == L3MH_ZAPI_ES_ALL_ACTIVE)
		return;
	if (!p) {
		p = XCALLOC(MTYPE_L3MH_ES_MODE, sizeof(*p));
		listnode_add(es_modes, p);
	}
	/* bgpd says now: the last zebra's holds not heard of are forgotten */
	p->stale = false;
	p->n_pending = 0;
	/* a change of mode lets what the old one held go first */
	if (p->zm.mode != zm->mode)
		l3mh_es_release_all_of(p, false, "mode changed");
	p->zm = *zm;
	l3mh_es_apply(p);
	if (zm->mode == L3MH_ZAPI_ES_ALL_ACTIVE)
		l3mh_es_mode_free(p);
	l3mh_es_held_save();
}

bool l3mh_es_mode_is_df(const esi_t *esi, uint32_t etag, bool *df)
{
	struct l3mh_es_mode *p = es_modes ? l3mh_es_mode_find(esi) : NULL;

	if (!p)
		return false;
	*df = p->zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE ? !p->zm.standby
						     : l3mh_zapi_es_mode_df(&p->zm, etag);
	return true;
}

/* every 10 s while there is something a gone bgpd held down */
static void l3mh_es_stale_check(struct event *e)
{
	struct zserv *bgpd = zserv_find_client(ZEBRA_ROUTE_BGP, 0);
	struct listnode *node, *next;
	struct l3mh_es_mode *p;

	if (!bgpd || monotime(NULL) - (time_t)bgpd->connect_time < L3MH_ES_STALE) {
		event_add_timer(zrouter.master, l3mh_es_stale_check, NULL, 10, &t_stale);
		return;
	}
	for (ALL_LIST_ELEMENTS(es_modes, node, next, p))
		if (p->stale) {
			l3mh_es_release_all_of(p, false, "not named by the new bgpd");
			l3mh_es_mode_free(p);
		}
}

/*
 * bgpd went away. What it had held down stays down: a standby stays out of
 * the CE's LAG, and a PE without bgpd could not serve it anyway. The next
 * bgpd's elections say what comes up.
 */
void l3mh_es_mode_bgpd_gone(void)
{
	struct listnode *node, *next;
	struct l3mh_es_mode *p;
	char esi_buf[ESI_STR_LEN];

	event_cancel(&t_stale);
	for (ALL_LIST_ELEMENTS(es_modes, node, next, p)) {
		if (!p->n_held && !p->n_pending) {
			l3mh_es_mode_free(p);
			continue;
		}
		p->stale = true;
		zlog_info("evpn-l3mh: ES %s %s: bgpd gone, %d interface(s) stay down",
			  esi_to_str(&p->zm.esi, esi_buf, sizeof(esi_buf)),
			  p->zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE ? "port-active" : "single-active",
			  p->n_held);
	}
	if (listcount(es_modes))
		event_add_timer(zrouter.master, l3mh_es_stale_check, NULL, 10, &t_stale);
}

/* a port-active ES is up while its members are held down, and a while
 * after
 */
static int l3mh_es_hold_up(struct zebra_evpn_es *es)
{
	struct l3mh_es_mode *p = l3mh_es_mode_find(&es->esi);

	return p && p->zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE &&
	       (p->n_held || p->n_pending || p->t_grace);
}

/*
 * An interface appeared, came up or changed: a member of a standby bond or
 * a sub-interface of a VLAN this PE is not the DF of goes down; the bond of
 * an activating ES came up: the grace is over.
 */
static int l3mh_es_if_update(struct interface *ifp)
{
	struct zebra_if *zif = ifp->info;
	struct zebra_evpn_es *es;
	struct listnode *node, *next;
	struct l3mh_es_mode *p;

	if (!zif)
		return 0;
	for (ALL_LIST_ELEMENTS(es_modes, node, next, p)) {
		/* the last zebra's: held as they were, until bgpd says */
		for (int i = 0; i < p->n_pending; i++)
			if (!strcmp(p->pending[i], ifp->name) &&
			    l3mh_es_held_at(p, ifp->ifindex) < 0 && p->n_held < L3MH_ES_MAX_HELD) {
				p->held[p->n_held++] = ifp->ifindex;
				strlcpy(p->pending[i], p->pending[--p->n_pending], IFNAMSIZ);
				break;
			}
		/* a gone bgpd's (or zebra's): as it was, until bgpd says */
		if (p->stale)
			continue;
		es = l3mh_es_mode_es(p);
		if (!es) {
			/* the ES is gone: its interfaces are left as they are */
			l3mh_es_release_all_of(p, false, "ES gone");
			continue;
		}
		if (p->zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE && p->zm.standby &&
		    zif->bondslave_info.bond_if == es->zif->ifp)
			l3mh_es_hold_if(p, es, ifp);
		else if (p->zm.mode == L3MH_ZAPI_ES_SINGLE_ACTIVE && l3mh_es_sub_held(p, es, ifp))
			l3mh_es_hold_if(p, es, ifp);
		if (p->t_grace && ifp == es->zif->ifp && if_is_operative(ifp)) {
			event_cancel(&p->t_grace);
			zebra_evpn_es_oper_update(es);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * CLI
 * ------------------------------------------------------------------------
 */
#include "zebra/zebra_evpn_l3mh_es_clippy.c"

static const char *l3mh_es_mode_str(const struct l3mh_es_mode *p)
{
	return p->zm.mode == L3MH_ZAPI_ES_PORT_ACTIVE ? "port-active" : "single-active";
}

static const char *l3mh_es_state(const struct l3mh_es_mode *p)
{
	if (p->zm.mode == L3MH_ZAPI_ES_SINGLE_ACTIVE)
		return p->zm.df_all ? "df" : p->zm.n_pes ? "df-per-ethernet-tag" : "non-df";
	return p->zm.standby ? "standby" : p->t_grace ? "activating" : "df";
}

DEFPY(show_evpn_l3mh_es, show_evpn_l3mh_es_cmd, "show evpn l3mh es [json$json]",
      SHOW_STR "EVPN\n"
      "EVPN L3 multi-homing\n"
      "The single-active and port-active L3 Ethernet Segments\n" JSON_STR)
{
	json_object *top = NULL, *arr = NULL, *j, *jheld;
	struct zebra_evpn_es *es;
	struct interface *ifp;
	struct listnode *node;
	struct l3mh_es_mode *p;
	char esi_buf[ESI_STR_LEN];

	if (json) {
		top = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(top, "es", arr);
	} else
		vty_out(vty, "%-30s %-12s %-13s %-19s %-5s %s\n", "ESI", "Interface", "Mode",
			"State", "Oper", "Held down");
	for (ALL_LIST_ELEMENTS_RO(es_modes, node, p)) {
		es = l3mh_es_mode_es(p);
		esi_to_str(&p->zm.esi, esi_buf, sizeof(esi_buf));
		if (!json) {
			vty_out(vty, "%-30s %-12s %-13s %-19s %-5s", esi_buf,
				es ? es->zif->ifp->name : "-", l3mh_es_mode_str(p), l3mh_es_state(p),
				es && (es->flags & ZEBRA_EVPNES_OPER_UP) ? "up" : "down");
			for (int i = 0; i < p->n_held; i++) {
				ifp = l3mh_es_ifp(p->held[i]);
				vty_out(vty, " %s", ifp ? ifp->name : "?");
			}
			vty_out(vty, "\n");
			continue;
		}
		j = json_object_new_object();
		json_object_string_add(j, "esi", esi_buf);
		json_object_string_add(j, "interface", es ? es->zif->ifp->name : "");
		json_object_string_add(j, "mode", l3mh_es_mode_str(p));
		json_object_string_add(j, "state", l3mh_es_state(p));
		json_object_boolean_add(j, "operUp", es && (es->flags & ZEBRA_EVPNES_OPER_UP));
		/* held for a bgpd that went away */
		json_object_boolean_add(j, "stale", p->stale);
		json_object_boolean_add(j, "interfaceOperative",
					es && if_is_operative(es->zif->ifp));
		jheld = json_object_new_array();
		for (int i = 0; i < p->n_held; i++) {
			ifp = l3mh_es_ifp(p->held[i]);
			json_object_array_add(jheld, json_object_new_string(ifp ? ifp->name : "?"));
		}
		json_object_object_add(j, "heldDown", jheld);
		json_object_array_add(arr, j);
	}
	if (top)
		vty_json(vty, top);
	return CMD_SUCCESS;
}

/*
 * The holds of the last zebra, which stopped or crashed: kept as a bgpd
 * that went away left them, until the next bgpd names their ES.
 */
static void l3mh_es_held_load(void)
{
	char path[512], line[1024], *tok, *save = NULL;
	struct l3mh_es_mode *p;
	unsigned int mode;
	esi_t esi;
	FILE *f;

	l3mh_es_held_path(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		tok = strtok_r(line, " \n", &save);
		if (!tok || !str_to_esi(tok, &esi) || l3mh_es_mode_find(&esi))
			continue;
		tok = strtok_r(NULL, " \n", &save);
		if (!tok || sscanf(tok, "%u", &mode) != 1 ||
		    (mode != L3MH_ZAPI_ES_PORT_ACTIVE && mode != L3MH_ZAPI_ES_SINGLE_ACTIVE))
			continue;
		p = XCALLOC(MTYPE_L3MH_ES_MODE, sizeof(*p));
		p->zm.esi = esi;
		p->zm.mode = mode;
		p->zm.standby = mode == L3MH_ZAPI_ES_PORT_ACTIVE;
		p->stale = true;
		listnode_add(es_modes, p);
		/* zebra hears of its interfaces later */
		while ((tok = strtok_r(NULL, " \n", &save)) && p->n_pending < L3MH_ES_MAX_HELD)
			strlcpy(p->pending[p->n_pending++], tok, IFNAMSIZ);
		zlog_info("evpn-l3mh: ES %s: the last zebra held %d interface(s) down: they stay down until bgpd elects",
			  esi_to_str(&esi, line, sizeof(line)), p->n_pending);
	}
	fclose(f);
	if (listcount(es_modes))
		event_add_timer(zrouter.master, l3mh_es_stale_check, NULL, 10, &t_stale);
}

void l3mh_es_mode_init(struct zebra_evpn_es *(*if_es)(struct interface *ifp, uint32_t *etag))
{
	es_of_if = if_es;
	es_modes = list_new();
	install_element(VIEW_NODE, &show_evpn_l3mh_es_cmd);
	hook_register(zebra_evpn_es_hold_up, l3mh_es_hold_up);
	hook_register(zebra_if_update, l3mh_es_if_update);
	l3mh_es_held_load();
}

/* zebra stops: what is held down stays down, for the next zebra */
void l3mh_es_mode_fini(void)
{
	struct l3mh_es_mode *p;

	event_cancel(&t_stale);
	while ((p = listnode_head(es_modes)))
		l3mh_es_mode_free(p);
	list_delete(&es_modes);
}
