// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: import decision for a received sync route
 * (draft-ietf-bess-evpn-l3mh-proto-00 sections 3.2, 3.6.2, 3.8).
 */
#include <zebra.h>

#include "bgpd/bgp_evpn_evi_rt.h"
#include "bgpd/bgp_evpn_l3mh_import.h"

static const char *const l3mh_verdict_str[] = {
	[L3MH_NOT_SYNC] = "not a sync route",
	[L3MH_IMPORT] = "import",
	[L3MH_TAW_ESI_RESERVED] = "reserved ESI (0 or MAX-ESI)",
	[L3MH_TAW_ES_NOT_LOCAL] = "ES-Import RT or ESI of a non-local ES",
	[L3MH_TAW_EVI_RT] = "EVI-RT missing, repeated or of no local VRF",
};

const char *l3mh_verdict2str(enum l3mh_verdict v)
{
	return v <= L3MH_TAW_EVI_RT ? l3mh_verdict_str[v] : "?";
}

bool l3mh_rt5_is_sync(bool overlay_index, const struct l3mh_route_ecoms *rc)
{
	uint32_t i;

	if (!overlay_index)
		return false;
	for (i = 0; i < rc->n; i++) {
		const uint8_t *v = rc->ecoms + i * 8;

		/* Router's MAC (RFC 9135), BGP Encapsulation (RFC 9012) */
		if ((v[0] == 0x06 && v[1] == 0x03) || (v[0] == 0x03 && v[1] == 0x0c))
			return false;
	}
	return true;
}

/* The ES-Import RT of an ESI: its octets 1-6 (types 1 and 3 carry the
 * system MAC there; FRR derives it so for every type).
 */
static bool l3mh_es_import_matches(const esi_t *esi, const uint8_t val[8])
{
	return !memcmp(&val[2], &esi->val[1], ETH_ALEN);
}

enum l3mh_verdict l3mh_import_decide(const esi_t *esi,
				     const struct l3mh_route_ecoms *rc,
				     const struct l3mh_import_ctx *ctx,
				     void **vrf)
{
	const uint8_t *es_import = NULL, *evi_rt = NULL, *evi_rt6 = NULL;
	uint8_t rt[EVI_RT6_SIZE];
	uint32_t i, n_evi_rt = 0;

	*vrf = NULL;
	for (i = 0; i < rc->n; i++) {
		const uint8_t *v = rc->ecoms + i * 8;

		if (es_import_rt_is(v))
			es_import = v;
		else if (evi_rt_is(v)) {
			evi_rt = v;
			n_evi_rt++;
		}
	}
	for (i = 0; i < rc->n6; i++) {
		const uint8_t *v = rc->ecoms6 + i * EVI_RT6_SIZE;

		if (evi_rt6_to_rt6(v, rt)) {
			evi_rt6 = v;
			n_evi_rt++;
		}
	}

	if (es_import || n_evi_rt) {
		/* mode a: ES-Import RT + exactly one EVI-RT */
		if (esi && esi_is_reserved(esi))
			return L3MH_TAW_ESI_RESERVED;
		if (!es_import)
			return L3MH_TAW_ES_NOT_LOCAL;
		if (esi ? !ctx->es_is_local(esi, ctx->arg) ||
				  !l3mh_es_import_matches(esi, es_import)
			: !ctx->es_import_is_local(&es_import[2], ctx->arg))
			return L3MH_TAW_ES_NOT_LOCAL;
		if (n_evi_rt != 1)
			return L3MH_TAW_EVI_RT;
		if (evi_rt6) {
			evi_rt6_to_rt6(evi_rt6, rt);
			*vrf = ctx->vrf_for_rt(rt, EVI_RT6_SIZE,
					       L3MH_RT_ES_IMPORT, ctx->arg);
		} else if (evi_rt_to_rt(evi_rt, rt))
			*vrf = ctx->vrf_for_rt(rt, 8, L3MH_RT_ES_IMPORT,
					       ctx->arg);
		return *vrf ? L3MH_IMPORT : L3MH_TAW_EVI_RT;
	}

	/* mode b: one of the IP-VRF's RTs */
	for (i = 0; i < rc->n + rc->n6; i++) {
		void *v = i < rc->n ? ctx->vrf_for_rt(rc->ecoms + i * 8, 8,
						      L3MH_RT_IP_VRF, ctx->arg)
				    : ctx->vrf_for_rt(rc->ecoms6 + (i - rc->n) *
								 EVI_RT6_SIZE,
						      EVI_RT6_SIZE,
						      L3MH_RT_IP_VRF, ctx->arg);

		if (!v)
			continue;
		if (esi && esi_is_reserved(esi))
			return L3MH_TAW_ESI_RESERVED;
		if (esi && !ctx->es_is_local(esi, ctx->arg))
			return L3MH_TAW_ES_NOT_LOCAL;
		*vrf = v;
		return L3MH_IMPORT;
	}
	return L3MH_NOT_SYNC;
}
