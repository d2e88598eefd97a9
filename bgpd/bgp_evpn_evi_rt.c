// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVI-RT extended community codec (RFC 9251 section 9.5; used by
 * draft-brissette-bess-evpn-l3-mh section 3.3).
 */
#include <string.h>

#include "bgpd/bgp_evpn_evi_rt.h"

#define RT_SUBTYPE 0x02

bool evi_rt_from_rt(const uint8_t rt[8], uint8_t evi_rt[8])
{
	if (rt[1] != RT_SUBTYPE || rt[0] > 0x02)
		return false;
	evi_rt[0] = EVI_RT_ECOM_TYPE_EVPN;
	evi_rt[1] = EVI_RT_SUBTYPE_TYPE0 + rt[0];
	memcpy(&evi_rt[2], &rt[2], 6);
	return true;
}

bool evi_rt_is(const uint8_t val[8])
{
	return val[0] == EVI_RT_ECOM_TYPE_EVPN &&
	       val[1] >= EVI_RT_SUBTYPE_TYPE0 && val[1] <= EVI_RT_SUBTYPE_TYPE3;
}

bool evi_rt_to_rt(const uint8_t evi_rt[8], uint8_t rt[8])
{
	if (evi_rt[0] != EVI_RT_ECOM_TYPE_EVPN ||
	    evi_rt[1] < EVI_RT_SUBTYPE_TYPE0 || evi_rt[1] > EVI_RT_SUBTYPE_TYPE2)
		return false;
	rt[0] = evi_rt[1] - EVI_RT_SUBTYPE_TYPE0;
	rt[1] = RT_SUBTYPE;
	memcpy(&rt[2], &evi_rt[2], 6);
	return true;
}

bool es_import_rt_is(const uint8_t val[8])
{
	return val[0] == EVI_RT_ECOM_TYPE_EVPN && val[1] == ES_IMPORT_RT_SUBTYPE;
}
