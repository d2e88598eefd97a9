// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: what the ARP/ND sync
 * (bgp_evpn_l3mh.c, draft-brissette-bess-evpn-l3-mh sections 3.3-3.6)
 * shares with the IGMP/MLD sync (bgp_evpn_l3mh_gm.c, section 3.7) in the
 * evpn_l3mh module.
 */
#ifndef _FRR_BGP_EVPN_L3MH_H
#define _FRR_BGP_EVPN_L3MH_H

#include "bgpd/bgp_evpn_l3mh_import.h"

struct attr;
struct bgp;
struct bgp_dest;
struct bgp_path_info;
struct ecommunity;
struct stream;
struct vty;

extern bool l3mh_debug;
#define L3MH_DEBUG(fmt, ...)                                                                       \
	do {                                                                                       \
		if (l3mh_debug)                                                                    \
			zlog_debug("evpn-l3mh: " fmt, ##__VA_ARGS__);                              \
	} while (0)

/* L3 multi-homing sync config of one BGP instance (a VRF, or the default
 * one for the global routing table)
 */
struct l3mh_vrf {
	struct bgp *bgp;
	enum l3mh_rt_mode mode;
	struct ecommunity *rts; /* configured RTs; else the VRF's */
	struct prefix_rd prd;	/* RD of its sync routes */
	bool gm_sync;		/* IGMP/MLD sync too (draft 3.7) */
};

/* l3-multihoming is configured in the EVPN instance */
extern bool l3mh_enabled(void);
extern struct in_addr l3mh_originator_ip(void);
extern struct l3mh_vrf *l3mh_vrf_find(const struct bgp *bgp);
extern struct l3mh_vrf *l3mh_vrf_find_id(vrf_id_t vrf_id);
extern void l3mh_vrf_foreach(void (*fn)(struct l3mh_vrf *lv, void *arg), void *arg);
/* judge every received sync route again (config changed) */
extern void l3mh_reimport_all(void);
extern bool l3mh_es_is_local(const esi_t *esi, void *arg);
extern const struct l3mh_import_ctx l3mh_import_ctx;

extern struct ecommunity *l3mh_route_ecom(struct l3mh_vrf *lv, const esi_t *esi,
					  struct ecommunity **ecom6);
extern void l3mh_route_ecoms_get(const struct attr *attr, struct l3mh_route_ecoms *rc);

/* this PE's own sync routes */
extern bool l3mh_self_route_attr(struct l3mh_vrf *lv, const esi_t *esi, struct attr *attr);
extern void l3mh_self_route_update(const struct prefix_evpn *p, const struct prefix_rd *prd,
				   struct attr *attr);
extern void l3mh_self_route_withdraw(const struct prefix_evpn *p, const struct prefix_rd *prd);

/* --- IGMP/MLD sync (bgp_evpn_l3mh_gm.c) -------------------------------- */
extern void l3mh_gm_init(void);
/* RT-7/RT-8 best path changed */
extern void l3mh_gm_route_update(struct bgp *bgp, struct bgp_dest *dest,
				 struct bgp_path_info *new_route);
/* treat-as-withdraw verdict of a received RT-7/RT-8 (0: keep) */
extern int l3mh_gm_update_taw(struct peer *peer, const struct prefix_evpn *p,
			      const struct prefix_rd *prd, struct attr *attr);
/* a GM_* message from zebra */
extern void l3mh_gm_zclient_msg(uint16_t type, struct stream *s, vrf_id_t vrf_id);
/* the ES routes, the VRF config or the zebra session changed */
extern void l3mh_gm_es_changed(void);
/* withdraw a VRF's RT-7/RT-8, or advertise them again (config changed) */
extern void l3mh_gm_vrf_refresh(struct l3mh_vrf *lv, bool withdraw);
extern void l3mh_gm_zebra_connected(void);
extern void l3mh_gm_config_write(struct l3mh_vrf *lv, struct vty *vty);

#endif /* _FRR_BGP_EVPN_L3MH_H */
