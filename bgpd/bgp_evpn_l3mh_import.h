// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: the import decision for a received sync route
 * (draft-ietf-bess-evpn-l3mh-proto-00 sections 3.2, 3.6.2, 3.7.2, 3.8;
 * RFC 9251 section 9.5, RFC 7606 treat-as-withdraw).
 *
 * Kept free of bgpd state so it can be unit-tested: the caller tells
 * which ESs are local and which VRF imports an RT.
 */
#ifndef _FRR_BGP_EVPN_L3MH_IMPORT_H
#define _FRR_BGP_EVPN_L3MH_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"

enum l3mh_rt_mode {
	L3MH_RT_ES_IMPORT, /* ES-Import RT + EVI-RT (draft 3.2 a) */
	L3MH_RT_IP_VRF,	   /* the IP-VRF's RTs (draft 3.2 b) */
};

enum l3mh_verdict {
	L3MH_NOT_SYNC,	       /* not an L3 MH sync route for this PE */
	L3MH_IMPORT,
	L3MH_TAW_ESI_RESERVED, /* ESI 0 or MAX-ESI */
	L3MH_TAW_ES_NOT_LOCAL, /* ES-Import RT / ESI of a non-local ES */
	L3MH_TAW_EVI_RT,       /* not exactly one EVI-RT, or a non-local one */
};

struct l3mh_import_ctx {
	/* is esi the ESI of a local ES? */
	bool (*es_is_local)(const esi_t *esi, void *arg);
	/* the VRF (opaque) in RT mode `mode` whose RTs include rt (len 8, or
	 * 20 for an IPv6 address specific RT), or NULL
	 */
	void *(*vrf_for_rt)(const uint8_t *rt, size_t len,
			    enum l3mh_rt_mode mode, void *arg);
	/* is mac (an ES-Import RT's value) the ES-Import RT of a local ES? */
	bool (*es_import_is_local)(const uint8_t *mac, void *arg);
	void *arg;
};

/* a route's extended communities: n of 8 octets and n6 IPv6 address
 * specific ones of 20 octets (RFC 5701)
 */
struct l3mh_route_ecoms {
	const uint8_t *ecoms;
	uint32_t n;
	const uint8_t *ecoms6;
	uint32_t n6;
};

extern const char *l3mh_verdict2str(enum l3mh_verdict v);

/*
 * Is an RT-5 an IGP sync route (draft section 3.8)? It names the CE by
 * an overlay index (a non-zero ESI, 3.8.1, or gateway IP, 3.8.2) and
 * carries neither a Router's MAC nor a BGP Encapsulation extended
 * community (3.6.1): an RT-5 of an IP-VRF-to-IP-VRF core (RFC 9136) has
 * both, and is no sync route.
 */
extern bool l3mh_rt5_is_sync(bool overlay_index, const struct l3mh_route_ecoms *rc);

/*
 * The verdict on a route with ESI esi and extended communities rc. The
 * EVI-RT may be of type 0-2 (8 octets) or 3 (IPv6 address specific); the
 * IP-VRF RTs of either size. On L3MH_IMPORT, *vrf is the VRF to sync the
 * entry into.
 *
 * esi NULL: the route carries no ESI (an RT-5 of the gateway-IP approach,
 * draft section 3.8.2): the ES-Import RT alone names the ES, and with the
 * IP-VRF's RTs no ES is named (the caller resolves the gateway on one).
 */
extern enum l3mh_verdict l3mh_import_decide(const esi_t *esi,
					    const struct l3mh_route_ecoms *rc,
					    const struct l3mh_import_ctx *ctx,
					    void **vrf);

#endif /* _FRR_BGP_EVPN_L3MH_IMPORT_H */
