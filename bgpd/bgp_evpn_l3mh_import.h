// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: the import decision for a received sync RT-2
 * (draft-brissette-bess-evpn-l3-mh sections 3.3 and 3.6.2, RFC 9251
 * section 9.5, RFC 7606 treat-as-withdraw).
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
	L3MH_RT_ES_IMPORT, /* ES-Import RT + EVI-RT (draft 3.3 a) */
	L3MH_RT_IP_VRF,	   /* the IP-VRF's RTs (draft 3.3 b) */
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
	/* the VRF (opaque) in RT mode `mode` whose RTs include rt, or NULL */
	void *(*vrf_for_rt)(const uint8_t rt[8], enum l3mh_rt_mode mode,
			    void *arg);
	void *arg;
};

extern const char *l3mh_verdict2str(enum l3mh_verdict v);
extern bool l3mh_esi_reserved(const esi_t *esi);

/*
 * ecoms: the route's extended communities, n entries of 8 octets.
 * On L3MH_IMPORT, *vrf is the VRF to sync the entry into.
 */
extern enum l3mh_verdict l3mh_import_decide(const esi_t *esi,
					    const uint8_t *ecoms, uint32_t n,
					    const struct l3mh_import_ctx *ctx,
					    void **vrf);

#endif /* _FRR_BGP_EVPN_L3MH_IMPORT_H */
