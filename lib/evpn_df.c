// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN designated forwarder election for L3 Ethernet Segments: service
 * carving (RFC 7432 section 8.5) per <ES, Ethernet Tag> for the multicast
 * of draft-ietf-bess-evpn-l3mh-proto-00 section 3.7 and single-active ESs,
 * the per-ES election of port-active ESs (RFC 9786 section 3) and the DF
 * Election extended community (RFC 8584 section 2.2, RFC 9785, RFC 9786).
 */
#include <zebra.h>

#include "evpn_df.h"

static int evpn_df_addr_cmp(const void *a, const void *b)
{
	uint32_t x = ntohl(((const struct in_addr *)a)->s_addr);
	uint32_t y = ntohl(((const struct in_addr *)b)->s_addr);

	return x < y ? -1 : x > y;
}

int evpn_df_pe_ordinal(struct in_addr *pes, int *n, struct in_addr self)
{
	int i, j, at = -1;

	qsort(pes, *n, sizeof(*pes), evpn_df_addr_cmp);
	for (i = 0, j = 0; i < *n; i++) {
		if (j && pes[j - 1].s_addr == pes[i].s_addr)
			continue;
		pes[j++] = pes[i];
	}
	*n = j;
	for (i = 0; i < *n; i++)
		if (pes[i].s_addr == self.s_addr)
			at = i;
	return at;
}

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * | Type=0x06     | Sub-Type 0x06 | RSV |  DF Alg |    Bitmap     ~
 * ~     Bitmap    |   Reserved    |          DF Preference        |
 */
void evpn_df_ec_encode(uint8_t val[8], const struct evpn_df_ec *df)
{
	memset(val, 0, 8);
	val[0] = EVPN_DF_EC_TYPE;
	val[1] = EVPN_DF_EC_SUBTYPE;
	val[2] = df->alg & 0x1f;
	val[3] = df->bitmap >> 8;
	val[4] = df->bitmap & 0xff;
	val[6] = df->pref >> 8;
	val[7] = df->pref & 0xff;
}

bool evpn_df_ec_decode(const uint8_t val[8], struct evpn_df_ec *df)
{
	if (val[0] != EVPN_DF_EC_TYPE || val[1] != EVPN_DF_EC_SUBTYPE)
		return false;
	df->alg = val[2] & 0x1f;
	df->bitmap = (val[3] << 8) | val[4];
	df->pref = (val[6] << 8) | val[7];
	return true;
}

bool evpn_df_ec_find(const uint8_t *vals, uint32_t n, struct evpn_df_ec *df)
{
	for (uint32_t i = 0; i < n; i++)
		if (evpn_df_ec_decode(vals + 8 * i, df))
			return true;
	return false;
}

const char *evpn_df_alg2str(uint8_t alg)
{
	switch (alg) {
	case EVPN_DF_ALG_MODULUS:
		return "modulus";
	case EVPN_DF_ALG_HRW:
		return "hrw";
	case EVPN_DF_ALG_PREF:
		return "preference";
	}
	return "unknown";
}

uint32_t evpn_df_esi_value(const uint8_t esi[10])
{
	return ((uint32_t)esi[3] << 24) | (esi[4] << 16) | (esi[5] << 8) | esi[6];
}

static int evpn_df_pe_cmp_ip(const struct evpn_df_pe *a, const struct evpn_df_pe *b)
{
	return evpn_df_addr_cmp(&a->ip, &b->ip);
}

/* is a a better DF than b by preference (RFC 9785 section 4.1)? */
static bool evpn_df_pref_better(const struct evpn_df_pe *a, const struct evpn_df_pe *b)
{
	bool dpa = a->df.bitmap & EVPN_DF_CAP_DP, dpb = b->df.bitmap & EVPN_DF_CAP_DP;

	if (a->df.pref != b->df.pref)
		return a->df.pref > b->df.pref;
	if (dpa != dpb)
		return dpa;
	return evpn_df_pe_cmp_ip(a, b) < 0;
}

int evpn_df_port_elect(const struct evpn_df_pe *pes, int n, uint8_t alg, const uint8_t esi[10])
{
	struct in_addr ips[EVPN_DF_MAX_PES];
	int i, best = -1, m = 0;

	if (n <= 0)
		return -1;
	if (alg == EVPN_DF_ALG_PREF) {
		for (i = 0; i < n; i++)
			if (best < 0 || evpn_df_pref_better(&pes[i], &pes[best]))
				best = i;
		return best;
	}
	/* modulus (and the default for an algorithm this PE lacks): PE
	 * number V mod N in the order of the IPs
	 */
	for (i = 0; i < n && m < EVPN_DF_MAX_PES; i++)
		ips[m++] = pes[i].ip;
	evpn_df_pe_ordinal(ips, &m, ips[0]);
	for (i = 0; i < n; i++)
		if (pes[i].ip.s_addr == ips[evpn_df_esi_value(esi) % m].s_addr)
			return i;
	return -1;
}
