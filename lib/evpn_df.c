// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN designated forwarder election by service carving (RFC 7432 section
 * 8.5) for the L3 multi-homing draft's multicast (section 3.7).
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
