// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: the import decision for received EVPN L3 multi-homing sync
 * routes (draft-ietf-bess-evpn-l3mh-proto-00 3.2, 3.6.2, 3.8; RFC 9251
 * 9.5), with the treat-as-withdraw cases.
 *
 * This PE has ES 03:02:00:00:00:00:e1:00:00:01 (ES-Import RT
 * 02:00:00:00:00:e1); VRF "es" imports RT 65000:1 in ES-Import mode,
 * VRF "vrf" imports RT 65000:2 in IP-VRF mode; VRFs "es6" and "vrf6" the
 * IPv6 address specific RTs 2001:db8::1:100 (ES-Import mode) and
 * 2001:db8::2:200 (IP-VRF mode).
 */
#include <zebra.h>

#include "bgpd/bgp_evpn_l3mh_import.h"

static int failures;
static const esi_t local_esi = {
	{ 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x01 }
};
static const esi_t foreign_esi = {
	{ 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x77, 0x00, 0x00, 0x09 }
};
static const esi_t zero = {};
static const esi_t max_esi = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				 0xff, 0xff, 0xff } };
static char vrf_es[] = "es", vrf_ip[] = "vrf", vrf_es6[] = "es6",
	    vrf_ip6[] = "vrf6";

static bool es_is_local(const esi_t *esi, void *arg)
{
	return !memcmp(esi, &local_esi, sizeof(*esi));
}

static void *vrf_for_rt(const uint8_t *rt, size_t len, enum l3mh_rt_mode mode,
			void *arg)
{
	static const uint8_t rt1[8] = { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 1 };
	static const uint8_t rt2[8] = { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 2 };
	/* RFC 5701 RT 2001:db8::1:100 and 2001:db8::2:200 */
	static const uint8_t rt6_1[20] = { 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8,
					   0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 1, 0x00, 0x64 };
	static const uint8_t rt6_2[20] = { 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8,
					   0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 2, 0x00, 0xc8 };

	if (len == 8 && mode == L3MH_RT_ES_IMPORT && !memcmp(rt, rt1, 8))
		return vrf_es;
	if (len == 8 && mode == L3MH_RT_IP_VRF && !memcmp(rt, rt2, 8))
		return vrf_ip;
	if (len == 20 && mode == L3MH_RT_ES_IMPORT && !memcmp(rt, rt6_1, 20))
		return vrf_es6;
	if (len == 20 && mode == L3MH_RT_IP_VRF && !memcmp(rt, rt6_2, 20))
		return vrf_ip6;
	return NULL;
}

static bool es_import_is_local(const uint8_t *mac, void *arg)
{
	return !memcmp(mac, &local_esi.val[1], 6);
}

static const struct l3mh_import_ctx ctx = {
	.es_is_local = es_is_local,
	.vrf_for_rt = vrf_for_rt,
	.es_import_is_local = es_import_is_local,
};

#define ES_IMPORT_E1 "060202000000" "00e1"
#define ES_IMPORT_99 "060202000000" "0099"
#define EVI_RT_1     "060afde800000001"
#define EVI_RT_9     "060afde800000009"
#define RT_1	     "0002fde800000001"
#define RT_2	     "0002fde800000002"
#define ENCAP_MPLS   "030c00000000000a"

static void from_hex(const char *hex, uint8_t *out)
{
	unsigned int b;
	size_t i;

	for (i = 0; i < strlen(hex) / 2; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = b;
	}
}

/* hex: 8-octet extended communities; hex6: 20-octet IPv6 ones */
static void check6(const char *name, const esi_t *esi, const char *hex,
		   const char *hex6, enum l3mh_verdict want,
		   const char *want_vrf)
{
	uint8_t ecoms[64], ecoms6[80];
	struct l3mh_route_ecoms rc = {
		.ecoms = ecoms, .n = strlen(hex) / 16,
		.ecoms6 = ecoms6, .n6 = strlen(hex6) / 40,
	};
	void *vrf = (void *)1;
	enum l3mh_verdict v;
	bool ok;

	from_hex(hex, ecoms);
	from_hex(hex6, ecoms6);
	v = l3mh_import_decide(esi, &rc, &ctx, &vrf);
	ok = v == want && (want_vrf ? vrf && !strcmp(vrf, want_vrf) : !vrf);
	if (!ok)
		printf("  got %s vrf %s\n", l3mh_verdict2str(v),
		       vrf ? (char *)vrf : "-");
	printf("%s: %s\n", name, ok ? "OK" : "failed");
	if (!ok)
		failures++;
}

static void check(const char *name, const esi_t *esi, const char *hex,
		  enum l3mh_verdict want, const char *want_vrf)
{
	check6(name, esi, hex, "", want, want_vrf);
}

/* an RT-5 of section 3.8 (overlay: it names the CE by ESI or gateway IP) */
static void check_rt5(const char *name, bool overlay, const char *hex,
		      bool want)
{
	uint8_t ecoms[64];
	struct l3mh_route_ecoms rc = { .ecoms = ecoms, .n = strlen(hex) / 16 };
	bool ok;

	from_hex(hex, ecoms);
	ok = l3mh_rt5_is_sync(overlay, &rc) == want;
	printf("%s: %s\n", name, ok ? "OK" : "failed");
	if (!ok)
		failures++;
}

#define RMAC	    "0603" "020000000101"
#define ENCAP_VXLAN "030c000000000008"

#define EVI_RT6_1 "060d20010db8000000000000000000000001" "0064"
#define EVI_RT6_9 "060d20010db8000000000000000000000009" "0064"
#define RT6_2	  "000220010db8000000000000000000000002" "00c8"

int main(void)
{
	check("ES-Import + EVI-RT of a local ES and VRF: import", &local_esi,
	      ES_IMPORT_E1 EVI_RT_1, L3MH_IMPORT, "es");
	check("foreign ES-Import RT: treat-as-withdraw", &local_esi,
	      ES_IMPORT_99 EVI_RT_1, L3MH_TAW_ES_NOT_LOCAL, NULL);
	check("ESI of a non-local ES: treat-as-withdraw", &foreign_esi,
	      ES_IMPORT_E1 EVI_RT_1, L3MH_TAW_ES_NOT_LOCAL, NULL);
	check("EVI-RT of no local VRF: treat-as-withdraw", &local_esi,
	      ES_IMPORT_E1 EVI_RT_9, L3MH_TAW_EVI_RT, NULL);
	check("two EVI-RTs: treat-as-withdraw", &local_esi,
	      ES_IMPORT_E1 EVI_RT_1 EVI_RT_9, L3MH_TAW_EVI_RT, NULL);
	check("ES-Import without EVI-RT: treat-as-withdraw", &local_esi,
	      ES_IMPORT_E1, L3MH_TAW_EVI_RT, NULL);
	check("EVI-RT without ES-Import: treat-as-withdraw", &local_esi,
	      EVI_RT_1, L3MH_TAW_ES_NOT_LOCAL, NULL);
	check("ESI 0 with ES-Import: treat-as-withdraw", &zero,
	      ES_IMPORT_E1 EVI_RT_1, L3MH_TAW_ESI_RESERVED, NULL);
	check("MAX-ESI with ES-Import: treat-as-withdraw", &max_esi,
	      ES_IMPORT_E1 EVI_RT_1, L3MH_TAW_ESI_RESERVED, NULL);
	check("IP-VRF RT of a local ES: import", &local_esi,
	      RT_2 ENCAP_MPLS, L3MH_IMPORT, "vrf");
	check("IP-VRF RT with ESI 0: treat-as-withdraw", &zero, RT_2,
	      L3MH_TAW_ESI_RESERVED, NULL);
	check("IP-VRF RT with MAX-ESI: treat-as-withdraw", &max_esi, RT_2,
	      L3MH_TAW_ESI_RESERVED, NULL);
	check("IP-VRF RT of a non-local ES: treat-as-withdraw", &foreign_esi,
	      RT_2, L3MH_TAW_ES_NOT_LOCAL, NULL);
	check("RT of an ES-Import-mode VRF alone: not a sync route",
	      &local_esi, RT_1, L3MH_NOT_SYNC, NULL);
	check("no communities: not a sync route", &local_esi, "",
	      L3MH_NOT_SYNC, NULL);
	check6("ES-Import + EVI-RT type 3 of a local VRF: import", &local_esi,
	       ES_IMPORT_E1, EVI_RT6_1, L3MH_IMPORT, "es6");
	check6("EVI-RT type 3 of no local VRF: treat-as-withdraw", &local_esi,
	       ES_IMPORT_E1, EVI_RT6_9, L3MH_TAW_EVI_RT, NULL);
	check6("EVI-RT types 0 and 3 together: treat-as-withdraw", &local_esi,
	       ES_IMPORT_E1 EVI_RT_1, EVI_RT6_1, L3MH_TAW_EVI_RT, NULL);
	check6("EVI-RT type 3 of a non-local ES: treat-as-withdraw",
	       &foreign_esi, ES_IMPORT_E1, EVI_RT6_1, L3MH_TAW_ES_NOT_LOCAL,
	       NULL);
	check6("IPv6 IP-VRF RT of a local ES: import", &local_esi, "", RT6_2,
	       L3MH_IMPORT, "vrf6");
	check6("IPv6 IP-VRF RT with ESI 0: treat-as-withdraw", &zero, "",
	       RT6_2, L3MH_TAW_ESI_RESERVED, NULL);
	/* no ESI: an RT-5 of the gateway-IP approach (draft 3.8.2) */
	check("no ESI, ES-Import + EVI-RT of a local ES and VRF: import", NULL,
	      ES_IMPORT_E1 EVI_RT_1, L3MH_IMPORT, "es");
	check("no ESI, foreign ES-Import RT: treat-as-withdraw", NULL,
	      ES_IMPORT_99 EVI_RT_1, L3MH_TAW_ES_NOT_LOCAL, NULL);
	check("no ESI, EVI-RT without ES-Import: treat-as-withdraw", NULL,
	      EVI_RT_1, L3MH_TAW_ES_NOT_LOCAL, NULL);
	check("no ESI, EVI-RT of no local VRF: treat-as-withdraw", NULL,
	      ES_IMPORT_E1 EVI_RT_9, L3MH_TAW_EVI_RT, NULL);
	check("no ESI, IP-VRF RT: import", NULL, RT_2, L3MH_IMPORT, "vrf");
	check("no ESI, RT of no VRF: not a sync route", NULL, RT_1,
	      L3MH_NOT_SYNC, NULL);
	check_rt5("RT-5 with an overlay index and ES-Import + EVI-RT: sync",
		  true, ES_IMPORT_E1 EVI_RT_1, true);
	check_rt5("RT-5 with an overlay index and an IP-VRF RT: sync", true,
		  RT_2, true);
	check_rt5("RT-5 without an overlay index: not sync", false,
		  ES_IMPORT_E1 EVI_RT_1, false);
	check_rt5("RT-5 with a Router's MAC: not sync", true, RT_2 RMAC,
		  false);
	check_rt5("RT-5 with a VXLAN Encapsulation EC: not sync", true,
		  RT_2 ENCAP_VXLAN, false);
	check_rt5("RT-5 with an MPLS Encapsulation EC: not sync", true,
		  RT_2 ENCAP_MPLS, false);
	return failures ? 1 : 0;
}
