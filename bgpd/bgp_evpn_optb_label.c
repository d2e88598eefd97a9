// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN Inter-Domain Option-B: labeled and unlabeled EVPN routes
 * (draft-rabadan-bess-evpn-inter-domain-opt-b sections 2.1.1, 2.1.2).
 */
#include <zebra.h>

#include "prefix.h"

#include "bgpd/bgp_evpn_optb_label.h"

mpls_label_t optb_label_value(mpls_label_t field)
{
	const uint8_t *f = (const uint8_t *)&field;

	return ((mpls_label_t)f[0] << 12) | ((mpls_label_t)f[1] << 4) | (f[2] >> 4);
}

mpls_label_t optb_label_field(mpls_label_t local, mpls_label_t field)
{
	mpls_label_t out = 0;
	uint8_t *o = (uint8_t *)&out;
	const uint8_t *f = (const uint8_t *)&field;

	o[0] = (local >> 12) & 0xff;
	o[1] = (local >> 4) & 0xff;
	o[2] = ((local & 0x0f) << 4) | (f[2] & 0x0f);
	return out;
}

bool optb_label_forwards(mpls_label_t field)
{
	return optb_label_value(field) >= MPLS_LABEL_UNRESERVED_MIN;
}

int optb_label_slots(uint8_t route_type, const mpls_label_t *nlri, uint8_t num, bool pmsi_ir,
		     mpls_label_t pmsi, mpls_label_t slots[OPTB_SLOTS])
{
	int i, used = 0;

	for (i = 0; i < OPTB_SLOTS; i++)
		slots[i] = MPLS_INVALID_LABEL;
	switch (route_type) {
	case BGP_EVPN_AD_ROUTE:
	case BGP_EVPN_IP_PREFIX_ROUTE:
		/* RT-1 per EVI, RT-5 without an overlay index; per-ES RT-1
		 * (label 0, ESI Label EC) and RT-5 label 0 are left alone
		 */
		if (num >= 1 && optb_label_forwards(nlri[0]))
			slots[0] = nlri[0];
		break;
	case BGP_EVPN_MAC_IP_ROUTE:
		/* Label1 and Label2: two separate swaps */
		for (i = 0; i < num && i < OPTB_SLOTS; i++)
			if (optb_label_forwards(nlri[i]))
				slots[i] = nlri[i];
		break;
	case BGP_EVPN_IMET_ROUTE:
		/* the PMSI Tunnel label, ingress replication only */
		if (pmsi_ir && optb_label_forwards(pmsi))
			slots[0] = pmsi;
		break;
	default:
		/* RT-4 and the other unlabeled routes: next hop self only */
		break;
	}
	for (i = 0; i < OPTB_SLOTS; i++)
		if (slots[i] != MPLS_INVALID_LABEL)
			used++;
	return used;
}

const char *optb_slot_name(uint8_t route_type, int slot)
{
	switch (route_type) {
	case BGP_EVPN_MAC_IP_ROUTE:
		return slot ? "label2" : "label1";
	case BGP_EVPN_IMET_ROUTE:
		return "pmsi";
	default:
		return "label";
	}
}
