// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: which labels of an EVPN route an Option-B border router swaps,
 * and the label fields it advertises
 * (draft-rabadan-bess-evpn-inter-domain-opt-b sections 2.1.1, 2.1.2).
 */
#include <zebra.h>

#include "prefix.h"

#include "bgpd/bgp_evpn_optb_label.h"
#include "tests/unit/l3mh_unit.h"

/* a label field as it is on the wire: label << 4 | EXP << 1 | BOS */
static mpls_label_t field(const uint8_t b[3])
{
	mpls_label_t f = 0;

	memcpy(&f, b, 3);
	return f;
}

static bool slots_are(uint8_t type, const mpls_label_t *nlri, uint8_t num, bool ir,
		      mpls_label_t pmsi, int want_used, mpls_label_t want0, mpls_label_t want1)
{
	mpls_label_t s[OPTB_SLOTS];
	int used = optb_label_slots(type, nlri, num, ir, pmsi, s);

	if (used != want_used || s[0] != want0 || s[1] != want1) {
		printf("  type %u: used %d slots 0x%x 0x%x\n", type, used, s[0], s[1]);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	/* 3002 with BOS, as RFC 7432 puts it: 00 bb a1 */
	static const uint8_t l3002[3] = { 0x00, 0xbb, 0xa1 };
	static const uint8_t l3005[3] = { 0x00, 0xbb, 0xd1 };
	static const uint8_t l0[3] = { 0x00, 0x00, 0x01 };
	static const uint8_t l15[3] = { 0x00, 0x00, 0xf1 };
	static const uint8_t l1048575_exp[3] = { 0xff, 0xff, 0xf5 };
	mpls_label_t f3002 = field(l3002), f3005 = field(l3005), f0 = field(l0);
	mpls_label_t two[2] = { f3002, f3005 }, one0[1] = { f0 };
	mpls_label_t two_l2zero[2] = { f3002, f0 }, f;
	const uint8_t *b = (const uint8_t *)&f;

	result("label value of 00 bb a1 is 3002", optb_label_value(f3002) == 3002);
	result("label value of ff ff f5 is 1048575",
	       optb_label_value(field(l1048575_exp)) == 1048575);
	f = optb_label_field(16, f3002);
	result("local label 16 replaces 3002, BOS kept",
	       b[0] == 0x00 && b[1] == 0x01 && b[2] == 0x01);
	f = optb_label_field(1048575, field(l1048575_exp));
	result("local label keeps EXP and BOS bits", b[0] == 0xff && b[1] == 0xff && b[2] == 0xf5);
	result("label 0 does not forward", !optb_label_forwards(f0));
	result("label 15 does not forward", !optb_label_forwards(field(l15)));
	result("label 3002 forwards", optb_label_forwards(f3002));

	result("RT-1 per EVI: one swap",
	       slots_are(BGP_EVPN_AD_ROUTE, &f3002, 1, false, 0, 1, f3002, MPLS_INVALID_LABEL));
	result("RT-1 per ES (label 0): none", slots_are(BGP_EVPN_AD_ROUTE, one0, 1, false, 0, 0,
							MPLS_INVALID_LABEL, MPLS_INVALID_LABEL));
	result("RT-2 one label: label1",
	       slots_are(BGP_EVPN_MAC_IP_ROUTE, &f3002, 1, false, 0, 1, f3002, MPLS_INVALID_LABEL));
	result("RT-2 two labels: two swaps",
	       slots_are(BGP_EVPN_MAC_IP_ROUTE, two, 2, false, 0, 2, f3002, f3005));
	result("RT-2 label2 0: label1 only", slots_are(BGP_EVPN_MAC_IP_ROUTE, two_l2zero, 2, false,
						       0, 1, f3002, MPLS_INVALID_LABEL));
	result("RT-3 ingress replication: PMSI label",
	       slots_are(BGP_EVPN_IMET_ROUTE, NULL, 0, true, f3005, 1, f3005, MPLS_INVALID_LABEL));
	result("RT-3 other tunnel type: none", slots_are(BGP_EVPN_IMET_ROUTE, NULL, 0, false, f3005,
							 0, MPLS_INVALID_LABEL, MPLS_INVALID_LABEL));
	result("RT-4: none", slots_are(BGP_EVPN_ES_ROUTE, NULL, 0, false, 0, 0, MPLS_INVALID_LABEL,
				       MPLS_INVALID_LABEL));
	result("RT-5 label: one swap", slots_are(BGP_EVPN_IP_PREFIX_ROUTE, &f3002, 1, false, 0, 1,
						 f3002, MPLS_INVALID_LABEL));
	result("RT-5 label 0 (overlay index): none",
	       slots_are(BGP_EVPN_IP_PREFIX_ROUTE, one0, 1, false, 0, 0, MPLS_INVALID_LABEL,
			 MPLS_INVALID_LABEL));
	result("slot names", !strcmp(optb_slot_name(BGP_EVPN_MAC_IP_ROUTE, 1), "label2") &&
				     !strcmp(optb_slot_name(BGP_EVPN_IMET_ROUTE, 0), "pmsi") &&
				     !strcmp(optb_slot_name(BGP_EVPN_AD_ROUTE, 0), "label"));
	return failures ? 1 : 0;
}
