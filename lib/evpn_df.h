// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN designated forwarder election by service carving (RFC 7432 section
 * 8.5), per <ES, Ethernet Tag>, as the L3 multi-homing draft uses it for
 * multicast towards an ES (draft-brissette-bess-evpn-l3-mh section 3.7,
 * RFC 9251 section 6): the PEs of the ES, ordered by their originator IP
 * addresses, numbered from 0; PE number (Ethernet Tag mod N) is the DF.
 */
#ifndef _FRR_EVPN_DF_H
#define _FRR_EVPN_DF_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Order the n PE addresses of an ES (self among them or not) and return
 * self's place, 0-based, or -1 if self is not one of them. pes is sorted
 * in place; duplicates count once.
 */
extern int evpn_df_pe_ordinal(struct in_addr *pes, int *n, struct in_addr self);

/* PE number `ordinal` of n_pes is the DF of Ethernet Tag etag */
static inline bool evpn_df_is_self(uint32_t etag, uint16_t n_pes, uint16_t ordinal)
{
	return n_pes && etag % n_pes == ordinal;
}

#ifdef __cplusplus
}
#endif

#endif /* _FRR_EVPN_DF_H */
