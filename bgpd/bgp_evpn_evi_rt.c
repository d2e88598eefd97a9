// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVI-RT extended community codec (RFC 9251 section 9.5; used by
 * draft-brissette-bess-evpn-l3-mh section 3.3) and the Multicast Flags
 * extended community (RFC 9251 section 9.4).
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

bool evi_rt6_from_rt6(const uint8_t rt[EVI_RT6_SIZE],
		      uint8_t evi_rt[EVI_RT6_SIZE])
{
	/* RFC 5701: type 0x00 (transitive IPv6 address specific), 0x02 RT */
	if (rt[0] != 0x00 || rt[1] != RT_SUBTYPE)
		return false;
	evi_rt[0] = EVI_RT_ECOM_TYPE_EVPN;
	evi_rt[1] = EVI_RT_SUBTYPE_TYPE3;
	memcpy(&evi_rt[2], &rt[2], EVI_RT6_SIZE - 2);
	return true;
}

bool evi_rt6_to_rt6(const uint8_t evi_rt[EVI_RT6_SIZE],
		    uint8_t rt[EVI_RT6_SIZE])
{
	if (evi_rt[0] != EVI_RT_ECOM_TYPE_EVPN ||
	    evi_rt[1] != EVI_RT_SUBTYPE_TYPE3)
		return false;
	rt[0] = 0x00;
	rt[1] = RT_SUBTYPE;
	memcpy(&rt[2], &evi_rt[2], EVI_RT6_SIZE - 2);
	return true;
}

void mcast_flags_ec_encode(uint16_t flags, uint8_t val[8])
{
	memset(val, 0, 8);
	val[0] = EVI_RT_ECOM_TYPE_EVPN;
	val[1] = MCAST_FLAGS_SUBTYPE;
	val[2] = flags >> 8;
	val[3] = flags & 0xff;
}

bool mcast_flags_ec_decode(const uint8_t val[8], uint16_t *flags)
{
	if (val[0] != EVI_RT_ECOM_TYPE_EVPN || val[1] != MCAST_FLAGS_SUBTYPE)
		return false;
	*flags = (val[2] << 8) | val[3];
	return true;
}
