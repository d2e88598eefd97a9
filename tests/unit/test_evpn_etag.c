// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: Ethernet Tag ID derivation from an L3 sub-interface's VLAN
 * encapsulation and back (draft-brissette-bess-evpn-l3-mh section 3.5).
 */
#include <zebra.h>

#include "lib/evpn_etag.h"
#include "tests/unit/l3mh_unit.h"

static bool roundtrip(enum evpn_etag_encap_type type, uint16_t outer,
		      uint16_t inner, uint32_t want)
{
	struct evpn_etag_encap e = { .type = type,
				     .outer_vid = outer,
				     .inner_vid = inner };
	struct evpn_etag_encap back;
	uint32_t etag = 0xdeadbeef;

	if (!evpn_etag_from_encap(&e, &etag) || etag != want) {
		printf("  encode %d %u.%u: got 0x%x want 0x%x\n", type, outer,
		       inner, etag, want);
		return false;
	}
	if (!evpn_etag_to_encap(etag, &back) || back.type != type ||
	    back.outer_vid != e.outer_vid || back.inner_vid != e.inner_vid) {
		printf("  decode 0x%x: type %d %u.%u\n", etag, back.type,
		       back.outer_vid, back.inner_vid);
		return false;
	}
	return true;
}

static bool encode_rejects(enum evpn_etag_encap_type type, uint16_t outer,
			   uint16_t inner)
{
	struct evpn_etag_encap e = { .type = type,
				     .outer_vid = outer,
				     .inner_vid = inner };
	uint32_t etag = 0x12345;

	return !evpn_etag_from_encap(&e, &etag) && etag == 0x12345;
}

static bool decode_rejects(uint32_t etag)
{
	struct evpn_etag_encap e;

	return !evpn_etag_to_encap(etag, &e);
}

int main(void)
{
	char buf[32];
	struct evpn_etag_encap e;

	result("untagged is 0", roundtrip(EVPN_ETAG_UNTAGGED, 0, 0, 0));
	result("single tag vlan 1 is 1", roundtrip(EVPN_ETAG_SINGLE, 1, 0, 1));
	result("single tag vlan 4094 is 0xffe",
	       roundtrip(EVPN_ETAG_SINGLE, 4094, 0, 0xffe));
	result("double tag 100.200 is 0x0640c8",
	       roundtrip(EVPN_ETAG_DOUBLE, 100, 200, (100 << 12) | 200));
	result("double tag 4094.1 is 0xffe001",
	       roundtrip(EVPN_ETAG_DOUBLE, 4094, 1, 0xffe001));
	result("single tag vid 0 rejected",
	       encode_rejects(EVPN_ETAG_SINGLE, 0, 0));
	result("single tag vid 4095 rejected",
	       encode_rejects(EVPN_ETAG_SINGLE, 4095, 0));
	result("double tag inner 0 rejected",
	       encode_rejects(EVPN_ETAG_DOUBLE, 10, 0));
	result("double tag outer 4095 rejected",
	       encode_rejects(EVPN_ETAG_DOUBLE, 4095, 10));
	result("etag over 24 bits rejected", decode_rejects(0x1000001));
	result("etag with inner vid 0 rejected", decode_rejects(0x064000));
	result("etag with inner vid 4095 rejected", decode_rejects(0x000fff));
	result("etag with outer vid 4095 rejected", decode_rejects(0xfff001));

	evpn_etag_to_encap((7 << 12) | 8, &e);
	result("double tag prints as vlan 7.8",
	       !strcmp(evpn_etag_encap2str(&e, buf, sizeof(buf)), "vlan 7.8"));
	evpn_etag_to_encap(0, &e);
	result("untagged prints as untagged",
	       !strcmp(evpn_etag_encap2str(&e, buf, sizeof(buf)), "untagged"));

	return failures ? 1 : 0;
}
