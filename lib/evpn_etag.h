// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN Ethernet Tag ID <-> L3 sub-interface encapsulation
 * (draft-brissette-bess-evpn-l3-mh, section 3.5 "Mapping for L3
 * Sub-Interface to Ethernet Tag-id", normalized VIDs per RFC 9744).
 *
 *   untagged                      -> 0
 *   single tag VID v              -> v              (bits 11-0)
 *   double tag outer o, inner i   -> (o << 12) | i  (bits 23-12, 11-0)
 */
#ifndef _FRR_EVPN_ETAG_H
#define _FRR_EVPN_ETAG_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EVPN_ETAG_VID_BITS 12
#define EVPN_ETAG_VID_MASK 0x0fffU
#define EVPN_ETAG_MAX	   0x00ffffffU
#define EVPN_ETAG_VID_MIN  1
#define EVPN_ETAG_VID_MAX  4094

enum evpn_etag_encap_type {
	EVPN_ETAG_UNTAGGED = 0,
	EVPN_ETAG_SINGLE,
	EVPN_ETAG_DOUBLE,
};

/* The VLAN encapsulation of an L3 (sub-)interface of an ES. */
struct evpn_etag_encap {
	enum evpn_etag_encap_type type;
	uint16_t outer_vid; /* the only VID of a single-tagged interface */
	uint16_t inner_vid; /* double tag only */
};

/*
 * Ethernet Tag ID for an encapsulation. Returns false (and leaves *etag
 * untouched) for a VID outside 1..4094.
 */
extern bool evpn_etag_from_encap(const struct evpn_etag_encap *encap,
				 uint32_t *etag);

/*
 * Encapsulation an Ethernet Tag ID stands for. Returns false for a value
 * that no sub-interface can have (more than 24 bits, VID 0 or 4095 where
 * a tag is present).
 */
extern bool evpn_etag_to_encap(uint32_t etag, struct evpn_etag_encap *encap);

/* "untagged", "vlan 100", "vlan 100.200" into buf; returns buf. */
extern const char *evpn_etag_encap2str(const struct evpn_etag_encap *encap,
				       char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_EVPN_ETAG_H */
