// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side (draft-ietf-bess-evpn-l3mh-proto-00):
 * the core of the evpn_l3mh module and the interface of its sync types.
 *
 * The core (bgp_evpn_l3mh.c) holds the ES and VRF state and config
 * (sections 3.2-3.5), builds and withdraws this PE's sync routes, makes
 * the import decision of section 3.6.2 for every received sync route,
 * talks to zebra and registers the module. Each sync type sits above it
 * in its own file and calls down into it:
 *
 *   bgp_evpn_l3mh_arp_nd.c  ARP/ND with RT-2         (section 3.6)
 *   bgp_evpn_l3mh_gm.c      IGMP/MLD with RT-7/RT-8  (section 3.7)
 *   bgp_evpn_l3mh_igp.c     IGP routes with RT-5     (section 3.8)
 *
 * The core reaches a type only through its struct l3mh_sync_ops, in the
 * core's one table of types (BIRD's bgp_attr_table is the model).
 */
#ifndef _FRR_BGP_EVPN_L3MH_H
#define _FRR_BGP_EVPN_L3MH_H

#include "bgpd/bgp_evpn_l3mh_import.h"

struct attr;
struct bgp;
struct bgp_dest;
struct bgp_path_info;
struct ecommunity;
struct ipaddr;
struct json_object;
struct prefix;
struct prefix_evpn;
struct stream;
struct vty;

extern bool l3mh_debug;
#define L3MH_DEBUG(fmt, ...)                                                                       \
	do {                                                                                       \
		if (l3mh_debug)                                                                    \
			zlog_debug("evpn-l3mh: " fmt, ##__VA_ARGS__);                              \
	} while (0)

/* the sync types, in the order of the core's table */
enum l3mh_sync_type {
	L3MH_SYNC_ARP_ND, /* section 3.6 */
	L3MH_SYNC_GM,	  /* section 3.7 */
	L3MH_SYNC_IGP,	  /* section 3.8 */
	L3MH_SYNC_MAX,
};

/* L3 multi-homing sync config of one BGP instance (a VRF, or the default
 * one for the global routing table). It exists while arp-nd-sync is
 * configured: its route targets and RD are those of every sync type.
 */
struct l3mh_vrf {
	struct bgp *bgp;
	enum l3mh_rt_mode mode;
	struct ecommunity *rts;	     /* configured RTs; else the VRF's */
	struct prefix_rd prd;	     /* RD of its sync routes */
	uint16_t rd_id;		     /* its local part, of bgpd's RD index space */
	uint32_t syncs;		     /* bit (1 << enum l3mh_sync_type) per type on */
	uint32_t opt[L3MH_SYNC_MAX]; /* a type's own option (its config) */
};

/*
 * A sync type's operations, called by the core only. Every member may be
 * NULL.
 */
struct l3mh_sync_ops {
	const char *name;
	/* it resolves next hops with link-local ND entries: zebra reports
	 * them while a VRF has the type on
	 */
	bool link_local;
	void (*init)(void);
	/* is p one of the routes this type syncs with? */
	bool (*route_owned)(const struct prefix_evpn *p);
	/*
	 * Is a route it owns a sync route (rc: its extended communities)?
	 * NULL: every route it owns is. One that is not is left to FRR.
	 */
	bool (*route_is_sync)(const struct prefix_evpn *p, const struct attr *attr,
			      const struct l3mh_route_ecoms *rc);
	/* the ESI a received route is judged by (section 3.6.2), or NULL if
	 * it carries none (the ES-Import RT alone names the ES)
	 */
	const esi_t *(*route_esi)(const struct prefix_evpn *p, const struct attr *attr);
	/*
	 * The best path of one of its routes (p, prd) changed. lv: the VRF
	 * that imports it, pi its best path from an ES peer; lv NULL: none
	 * does (any more), so what the route synced goes.
	 */
	void (*route_update)(const struct prefix_evpn *p, const struct prefix_rd *prd,
			     struct bgp_path_info *pi, struct l3mh_vrf *lv);
	/*
	 * The best path of a prefix of a VRF with L3 multi-homing sync config
	 * (AFI_IP or AFI_IP6 unicast) changed; best is NULL if it has none.
	 */
	void (*vrf_route_update)(struct l3mh_vrf *lv, afi_t afi, struct bgp_dest *dest,
				 struct bgp_path_info *best);
	/*
	 * The ARP/ND entries, for the other types: is ip an entry (local or
	 * synced) of VRF vrf_id, on which ES and Ethernet Tag? A link-local
	 * ip names a neighbour on one link: only an entry on Ethernet Tag
	 * ll_etag counts. Of several, one on an ES that is up, then the one
	 * with the lowest ESI, a local one before a synced one.
	 * The lowest address of family ipa_type of the entries on (esi, etag)?
	 */
	bool (*neigh_by_ip)(vrf_id_t vrf_id, const struct ipaddr *ip, uint32_t ll_etag, esi_t *esi,
			    uint32_t *etag);
	bool (*neigh_on_es)(vrf_id_t vrf_id, const esi_t *esi, uint32_t etag, uint8_t ipa_type,
			    struct ipaddr *ip);
	/* an ARP/ND entry of VRF vrf_id came or went */
	void (*neigh_changed)(vrf_id_t vrf_id);
	/* an ES (sub-)interface of VRF vrf_id came, went, or went up or down */
	void (*es_if_changed)(vrf_id_t vrf_id);
	/* is a message of this type from zebra for this sync type? */
	bool (*zapi_owned)(uint16_t type);
	void (*zapi_msg)(uint16_t type, struct stream *s, vrf_id_t vrf_id);
	/* advertise a VRF's local entries again, or withdraw them */
	void (*vrf_refresh)(struct l3mh_vrf *lv, bool withdraw);
	/* an RT-4 came, changed or went */
	void (*es_routes_changed)(void);
	/* the set of local ESs changed (after the VRFs were refreshed) */
	void (*local_es_changed)(void);
	/* bgpd's zebra session (re)connected; ENABLE is sent */
	void (*zebra_connected)(void);
	/* its lines of the VRF's address-family l2vpn evpn */
	void (*config_write)(struct l3mh_vrf *lv, struct vty *vty);
};

/* the types' operations, for the core's table */
extern const struct l3mh_sync_ops l3mh_arp_nd_ops;
extern const struct l3mh_sync_ops l3mh_gm_ops;
extern const struct l3mh_sync_ops l3mh_igp_ops;

/* --- the core, for the sync types --------------------------------------- */

/* l3-multihoming is configured in the EVPN instance */
extern bool l3mh_enabled(void);
extern struct in_addr l3mh_originator_ip(void);
extern uint16_t l3mh_retention_time(void);
extern struct l3mh_vrf *l3mh_vrf_find(const struct bgp *bgp);
extern struct l3mh_vrf *l3mh_vrf_find_id(vrf_id_t vrf_id);
extern void l3mh_vrf_foreach(void (*fn)(struct l3mh_vrf *lv, void *arg), void *arg);
static inline bool l3mh_vrf_syncs(const struct l3mh_vrf *lv, enum l3mh_sync_type t)
{
	return lv && (lv->syncs & (1u << t));
}

/* create a VRF's sync config, or change its RT mode (arp-nd-sync) */
extern struct l3mh_vrf *l3mh_vrf_configure(struct bgp *bgp, enum l3mh_rt_mode mode);
/* remove it: every type's sync routes of the VRF are withdrawn */
extern void l3mh_vrf_unconfigure(struct bgp *bgp);
/* turn a sync type on or off in a VRF */
extern void l3mh_vrf_set_sync(struct l3mh_vrf *lv, enum l3mh_sync_type t, bool on);

/* judge every received sync route again (config changed) */
extern void l3mh_reimport_all(void);
extern bool l3mh_es_is_local(const esi_t *esi, void *arg);
/* a local ES whose interface is up (it has advertised its RT-4) */
extern bool l3mh_es_is_up(const esi_t *esi);

/* this PE's own path of sub_type in dest (peer_self, ZEBRA_ROUTE_BGP) */
extern struct bgp_path_info *l3mh_own_path(struct bgp *bgp, struct bgp_dest *dest,
					   uint8_t sub_type);
/* give dest that path (valid) with attr_new, whose reference it takes;
 * NULL if it had it already. The caller runs bgp_process().
 */
extern struct bgp_path_info *l3mh_own_path_set(struct bgp *bgp, struct bgp_dest *dest,
					       uint8_t sub_type, struct attr *attr_new);

/* this PE's own sync routes */
extern bool l3mh_self_route_attr(struct l3mh_vrf *lv, const esi_t *esi, struct attr *attr);
extern void l3mh_self_route_update(const struct prefix_evpn *p, const struct prefix_rd *prd,
				   struct attr *attr);
extern void l3mh_self_route_withdraw(const struct prefix_evpn *p, const struct prefix_rd *prd);

/* ARP/ND entries (the neigh_* operations of the type that has them) */
extern bool l3mh_neigh_by_ip(vrf_id_t vrf_id, const struct ipaddr *ip, uint32_t ll_etag, esi_t *esi,
			     uint32_t *etag);
extern bool l3mh_neigh_on_es(vrf_id_t vrf_id, const esi_t *esi, uint32_t etag, uint8_t ipa_type,
			     struct ipaddr *ip);
/* an IPv6 link-local address: a neighbour on one link only */
extern bool l3mh_ip_is_ll(const struct ipaddr *ip);
/* tell every type that an ARP/ND entry of VRF vrf_id came or went */
extern void l3mh_neigh_changed(vrf_id_t vrf_id);

/*
 * The ES (sub-)interfaces, as zebra reports them: is ifindex one of VRF
 * vrf_id that is up, of which ES and Ethernet Tag? The one of (esi, etag)
 * that is up (IFINDEX_INTERNAL: none)?
 */
extern bool l3mh_es_if(vrf_id_t vrf_id, ifindex_t ifindex, esi_t *esi, uint32_t *etag);
extern ifindex_t l3mh_es_etag_ifindex(vrf_id_t vrf_id, const esi_t *esi, uint32_t etag);

/* a show command's JSON, {"enabled": ..., key: *arr}: its entries go into *arr */
extern struct json_object *l3mh_show_json_new(const char *key, struct json_object **arr);

/* a message to zebra's evpn_l3mh module: NULL if there is no session */
extern struct stream *l3mh_zebra_msg_start(uint16_t type, vrf_id_t vrf_id);
extern void l3mh_zebra_msg_send(void);
/* zebra has been sent ENABLE on this session */
extern bool l3mh_zebra_knows(void);

#endif /* _FRR_BGP_EVPN_L3MH_H */
