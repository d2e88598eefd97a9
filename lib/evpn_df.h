// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN designated forwarder election for L3 Ethernet Segments
 * (draft-ietf-bess-evpn-l3mh-proto-00 section 1.6, requirements 6-8, and
 * section 3.7):
 *
 * - service carving (RFC 7432 section 8.5) per <ES, Ethernet Tag>: the PEs
 *   of the ES, ordered by their originator IP addresses, numbered from 0;
 *   PE number (Ethernet Tag mod N) is the DF. The multicast towards an ES
 *   (RFC 9251 section 6) and single-active ESs use it;
 * - the DF of a whole ES of a port-active one (RFC 9786 section 3): by
 *   modulus of the ESI, or by preference (RFC 9785), with Don't Preempt;
 * - the DF Election extended community that carries the algorithm, the
 *   capabilities and the preference (RFC 8584 section 2.2, RFC 9785
 *   section 3, RFC 9786 section 3.4), one codec for both daemons.
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

/* --- the DF Election extended community --------------------------------- */

/* DF Alg (IANA "DF Alg" registry) */
#define EVPN_DF_ALG_MODULUS 0 /* RFC 7432 service carving, the default */
#define EVPN_DF_ALG_HRW	    1 /* RFC 8584 */
#define EVPN_DF_ALG_PREF    2 /* RFC 9785 Highest-Preference */

/* the Bitmap (IANA "DF Election Capabilities"; bit 0 is the MSB) */
#define EVPN_DF_CAP_DP	 0x8000 /* bit 0: Don't Preempt, RFC 9785 */
#define EVPN_DF_CAP_AC	 0x4000 /* bit 1: AC-DF, RFC 8584 */
#define EVPN_DF_CAP_PORT 0x0400 /* bit 5: port mode, RFC 9786 */

#define EVPN_DF_EC_TYPE	   0x06 /* EVPN */
#define EVPN_DF_EC_SUBTYPE 0x06 /* DF Election */

struct evpn_df_ec {
	uint8_t alg;	 /* the 5 bits of DF Alg */
	uint16_t bitmap; /* EVPN_DF_CAP_* */
	uint16_t pref;	 /* the last two octets: DF preference (RFC 9785) */
};

/* write one 8-octet extended community */
extern void evpn_df_ec_encode(uint8_t val[8], const struct evpn_df_ec *df);
/* is val a DF Election EC? then fill df */
extern bool evpn_df_ec_decode(const uint8_t val[8], struct evpn_df_ec *df);
/* the first DF Election EC of n extended communities of 8 octets */
extern bool evpn_df_ec_find(const uint8_t *vals, uint32_t n, struct evpn_df_ec *df);
extern const char *evpn_df_alg2str(uint8_t alg);

/* --- the DF of a port-active ES (RFC 9786 section 3) -------------------- */

#define EVPN_DF_MAX_PES 64

/* one PE of the ES, as its RT-4 says */
struct evpn_df_pe {
	struct in_addr ip; /* originator IP */
	struct evpn_df_ec df;
};

/*
 * The value an ES is carved by (RFC 9786 section 3.2): "bytes 3-6" of the
 * ESI, byte 0 being its Type (as RFC 7432 section 7.6 counts them: bytes
 * 1-6 of a type-3 ESI are the system MAC), in network order.
 */
extern uint32_t evpn_df_esi_value(const uint8_t esi[10]);

/*
 * Elect the DF of an ES among its n PEs by alg: EVPN_DF_ALG_MODULUS, PE
 * number (V mod n) in the order of their IPs; EVPN_DF_ALG_PREF, the
 * highest preference, then one with Don't Preempt, then the lowest IP.
 * Another algorithm is taken as modulus. Returns the DF's index in pes
 * (not reordered; a PE named twice counts once), or -1 if n is 0.
 */
extern int evpn_df_port_elect(const struct evpn_df_pe *pes, int n, uint8_t alg,
			      const uint8_t esi[10]);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_EVPN_DF_H */
