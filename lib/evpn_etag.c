// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN Ethernet Tag ID <-> L3 sub-interface encapsulation
 * (draft-brissette-bess-evpn-l3-mh, section 3.5; RFC 9744 normalized VIDs).
 */
#include <zebra.h>

#include "evpn_etag.h"

static bool evpn_etag_vid_valid(uint32_t vid)
{
	return vid >= EVPN_ETAG_VID_MIN && vid <= EVPN_ETAG_VID_MAX;
}

bool evpn_etag_from_encap(const struct evpn_etag_encap *encap, uint32_t *etag)
{
	switch (encap->type) {
	case EVPN_ETAG_UNTAGGED:
		*etag = 0;
		return true;
	case EVPN_ETAG_SINGLE:
		if (!evpn_etag_vid_valid(encap->outer_vid))
			return false;
		*etag = encap->outer_vid;
		return true;
	case EVPN_ETAG_DOUBLE:
		if (!evpn_etag_vid_valid(encap->outer_vid) ||
		    !evpn_etag_vid_valid(encap->inner_vid))
			return false;
		*etag = ((uint32_t)encap->outer_vid << EVPN_ETAG_VID_BITS) |
			encap->inner_vid;
		return true;
	}
	return false;
}

bool evpn_etag_to_encap(uint32_t etag, struct evpn_etag_encap *encap)
{
	uint32_t outer = (etag >> EVPN_ETAG_VID_BITS) & EVPN_ETAG_VID_MASK;
	uint32_t inner = etag & EVPN_ETAG_VID_MASK;

	if (etag > EVPN_ETAG_MAX)
		return false;
	if (etag == 0) {
		*encap = (struct evpn_etag_encap){ .type = EVPN_ETAG_UNTAGGED };
		return true;
	}
	if (!evpn_etag_vid_valid(inner))
		return false;
	if (outer == 0) {
		*encap = (struct evpn_etag_encap){ .type = EVPN_ETAG_SINGLE,
						   .outer_vid = inner };
		return true;
	}
	if (!evpn_etag_vid_valid(outer))
		return false;
	*encap = (struct evpn_etag_encap){ .type = EVPN_ETAG_DOUBLE,
					   .outer_vid = outer,
					   .inner_vid = inner };
	return true;
}

const char *evpn_etag_encap2str(const struct evpn_etag_encap *encap, char *buf,
				size_t len)
{
	switch (encap->type) {
	case EVPN_ETAG_UNTAGGED:
		snprintf(buf, len, "untagged");
		break;
	case EVPN_ETAG_SINGLE:
		snprintf(buf, len, "vlan %u", encap->outer_vid);
		break;
	case EVPN_ETAG_DOUBLE:
		snprintf(buf, len, "vlan %u.%u", encap->outer_vid,
			 encap->inner_vid);
		break;
	default:
		snprintf(buf, len, "?");
	}
	return buf;
}
