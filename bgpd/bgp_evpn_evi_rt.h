// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVI-RT extended community (RFC 9251 section 9.5), as used by EVPN L3
 * multi-homing sync routes (draft-brissette-bess-evpn-l3-mh section 3.3):
 * the Route Target of an EVI (here: of an IP-VRF) carried in an EVPN
 * extended community, so the route itself is imported by the ES-Import RT.
 *
 *   RT  00:02 AS2:LA4   <->  EVI-RT type 0  06:0A AS2:LA4
 *   RT  01:02 IPv4:LA2  <->  EVI-RT type 1  06:0B IPv4:LA2
 *   RT  02:02 AS4:LA2   <->  EVI-RT type 2  06:0C AS4:LA2
 *   RT6 00:02 IPv6:LA2  <->  EVI-RT type 3  06:0D IPv6:LA2 (20-octet IPv6
 *                            address specific form, RFC 5701 attribute)
 *
 * and the Multicast Flags extended community (RFC 9251 section 9.4),
 * 06:09 Flags(2) Reserved(4): I (0x0001) IGMP proxy, M (0x0002) MLD proxy.
 */
#ifndef _FRR_BGP_EVPN_EVI_RT_H
#define _FRR_BGP_EVPN_EVI_RT_H

#include <stdbool.h>
#include <stdint.h>

#define EVI_RT_ECOM_TYPE_EVPN 0x06
#define EVI_RT_SUBTYPE_TYPE0  0x0a
#define EVI_RT_SUBTYPE_TYPE1  0x0b
#define EVI_RT_SUBTYPE_TYPE2  0x0c
#define EVI_RT_SUBTYPE_TYPE3  0x0d
#define ES_IMPORT_RT_SUBTYPE  0x02
#define MCAST_FLAGS_SUBTYPE   0x09
#define MCAST_FLAG_IGMP_PROXY 0x0001
#define MCAST_FLAG_MLD_PROXY  0x0002
#define EVI_RT6_SIZE	      20

/* 8-octet RT -> EVI-RT; false if rt is not a 2-octet-AS, IPv4 or
 * 4-octet-AS Route Target.
 */
extern bool evi_rt_from_rt(const uint8_t rt[8], uint8_t evi_rt[8]);
/* 8-octet EVI-RT -> the RT it carries; false if not an EVI-RT type 0-2 */
extern bool evi_rt_to_rt(const uint8_t evi_rt[8], uint8_t rt[8]);
extern bool evi_rt_is(const uint8_t val[8]);

/* 20-octet IPv6 address specific RT -> EVI-RT type 3 and back; false if
 * the input is not a (transitive) IPv6 RT or an EVI-RT type 3.
 */
extern bool evi_rt6_from_rt6(const uint8_t rt[EVI_RT6_SIZE],
			     uint8_t evi_rt[EVI_RT6_SIZE]);
extern bool evi_rt6_to_rt6(const uint8_t evi_rt[EVI_RT6_SIZE],
			   uint8_t rt[EVI_RT6_SIZE]);

/* Multicast Flags EC: encode; decode returns false if val is not one */
extern void mcast_flags_ec_encode(uint16_t flags, uint8_t val[8]);
extern bool mcast_flags_ec_decode(const uint8_t val[8], uint16_t *flags);
extern bool es_import_rt_is(const uint8_t val[8]);

#endif /* _FRR_BGP_EVPN_EVI_RT_H */
