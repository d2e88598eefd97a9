// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: the DF Election extended community (RFC 8584 section 2.2,
 * RFC 9785 section 3, RFC 9786 section 3.4) and the per-ES DF election of
 * a port-active L3 ES (RFC 9786 section 3; draft-ietf-bess-evpn-l3mh-proto-00
 * section 1.6, requirement 7), lib/evpn_df.c.
 */
#include <zebra.h>

#include "lib/evpn_df.h"
#include "tests/unit/l3mh_unit.h"

static void esi(uint8_t e[10], const char *s)
{
	unsigned int v[10];

	sscanf(s, "%x:%x:%x:%x:%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
	       &v[7], &v[8], &v[9]);
	for (int i = 0; i < 10; i++)
		e[i] = v[i];
}

static struct evpn_df_pe pe(const char *ip, uint8_t alg, uint16_t bitmap, uint16_t pref)
{
	return (struct evpn_df_pe){ .ip = a4(ip), .df = { alg, bitmap, pref } };
}

/* --- the extended community --------------------------------------------- */

static bool ec_bytes(const struct evpn_df_ec *df, const uint8_t want[8])
{
	uint8_t val[8];

	evpn_df_ec_encode(val, df);
	if (memcmp(val, want, 8)) {
		printf("  got %02x %02x %02x %02x %02x %02x %02x %02x\n", val[0], val[1], val[2],
		       val[3], val[4], val[5], val[6], val[7]);
		return false;
	}
	return true;
}

static bool ec_round_trip(uint8_t alg, uint16_t bitmap, uint16_t pref)
{
	struct evpn_df_ec in = { alg, bitmap, pref }, out = {};
	uint8_t val[8];

	evpn_df_ec_encode(val, &in);
	return evpn_df_ec_decode(val, &out) && out.alg == alg && out.bitmap == bitmap &&
	       out.pref == pref;
}

static void test_ec(void)
{
	const uint8_t port_pref[8] = { 0x06, 0x06, 0x02, 0x84, 0x00, 0x00, 0x00, 0x64 };
	const uint8_t frr[8] = { 0x06, 0x06, 0x02, 0x00, 0x00, 0x00, 0x7f, 0xff };
	const uint8_t port_mod[8] = { 0x06, 0x06, 0x00, 0x04, 0x00, 0x00, 0x7f, 0xff };
	/* ES-Import RT, ESI Label, DF Election (with reserved bits set) */
	const uint8_t several[24] = { 0x06, 0x02, 0x02, 0,    0,    0,	  0,	0xe1,
				      0x06, 0x01, 0x01, 0,    0,    0,	  0,	0,
				      0x06, 0x06, 0xe0, 0x04, 0x00, 0xff, 0x01, 0x00 };
	struct evpn_df_ec df = {};

	result("DF EC: preference, port mode, don't preempt, 100",
	       ec_bytes(&(struct evpn_df_ec){ EVPN_DF_ALG_PREF, EVPN_DF_CAP_PORT | EVPN_DF_CAP_DP,
					      100 },
			port_pref));
	result("DF EC: FRR's own, preference 32767",
	       ec_bytes(&(struct evpn_df_ec){ EVPN_DF_ALG_PREF, 0, 32767 }, frr));
	result("DF EC: modulus, port mode",
	       ec_bytes(&(struct evpn_df_ec){ EVPN_DF_ALG_MODULUS, EVPN_DF_CAP_PORT, 32767 },
			port_mod));
	result("DF EC: round trip", ec_round_trip(EVPN_DF_ALG_HRW, EVPN_DF_CAP_AC, 65535) &&
					    ec_round_trip(EVPN_DF_ALG_MODULUS, 0, 0));
	result("DF EC: the ESI Label EC is not one", !evpn_df_ec_decode(several + 8, &df));
	result("DF EC: found among others, reserved bits of DF Alg ignored",
	       evpn_df_ec_find(several, 3, &df) && df.alg == EVPN_DF_ALG_MODULUS &&
		       df.bitmap == EVPN_DF_CAP_PORT && df.pref == 256);
	result("DF EC: none among others", !evpn_df_ec_find(several, 2, &df));
	result("DF EC: algorithm names", !strcmp(evpn_df_alg2str(0), "modulus") &&
						 !strcmp(evpn_df_alg2str(2), "preference") &&
						 !strcmp(evpn_df_alg2str(9), "unknown"));
}

/* --- the election -------------------------------------------------------- */

static void test_elect(void)
{
	uint8_t e[10], e3[10];
	struct evpn_df_pe two[2] = { pe("10.0.0.2", 0, EVPN_DF_CAP_PORT, 0),
				     pe("10.0.0.1", 0, EVPN_DF_CAP_PORT, 0) };
	struct evpn_df_pe rev[2] = { two[1], two[0] };
	struct evpn_df_pe three[4] = { pe("10.0.0.3", 0, 0, 0), pe("10.0.0.10", 0, 0, 0),
				       pe("10.0.0.2", 0, 0, 0), pe("10.0.0.3", 0, 0, 0) };
	struct evpn_df_pe p[3];

	esi(e, "00:11:22:33:44:55:66:77:88:99");
	result("ESI value: bytes 3-6", evpn_df_esi_value(e) == 0x33445566);
	/* the lab's ES: evpn mh es-id 1, es-sys-mac 02:00:00:00:00:e1 */
	esi(e3, "03:02:00:00:00:00:e1:00:00:01");
	result("ESI value: type 3, the low four octets of the system MAC",
	       evpn_df_esi_value(e3) == 0xe1);

	result("modulus: V even, 2 PEs: the lower IP", evpn_df_port_elect(two, 2, 0, e) == 1);
	result("modulus: V odd, 2 PEs: the higher IP", evpn_df_port_elect(two, 2, 0, e3) == 0);
	result("modulus: both PEs elect the same one, whatever their order",
	       two[evpn_df_port_elect(two, 2, 0, e3)].ip.s_addr ==
			       rev[evpn_df_port_elect(rev, 2, 0, e3)].ip.s_addr &&
		       two[evpn_df_port_elect(two, 2, 0, e)].ip.s_addr ==
			       rev[evpn_df_port_elect(rev, 2, 0, e)].ip.s_addr);
	/* 3 distinct PEs 10.0.0.2 < .3 < .10 (numeric, not text, order);
	 * 0xe1 = 225 = 3 * 75: PE number 0
	 */
	result("modulus: 3 PEs, numeric order, a PE named twice counts once",
	       evpn_df_port_elect(three, 4, 0, e3) == 2);
	esi(e3, "03:02:00:00:00:00:e2:00:00:01");
	result("modulus: 3 PEs, V mod 3 = 1", evpn_df_port_elect(three, 4, 0, e3) == 0);
	result("HRW is taken as modulus", evpn_df_port_elect(three, 4, EVPN_DF_ALG_HRW, e3) == 0);

	p[0] = pe("10.0.0.1", 2, 0, 100);
	p[1] = pe("10.0.0.2", 2, 0, 200);
	p[2] = pe("10.0.0.3", 2, 0, 150);
	result("preference: the highest", evpn_df_port_elect(p, 3, 2, e) == 1);
	p[1].df.pref = 150;
	result("preference: a tie goes to the lowest IP", evpn_df_port_elect(p, 3, 2, e) == 1);
	p[2].df.bitmap = EVPN_DF_CAP_DP;
	result("preference: a tie goes to Don't Preempt first", evpn_df_port_elect(p, 3, 2, e) == 2);
	/* RFC 9785 section 4.3: the PE coming back advertises the DF's
	 * preference with DP clear, and so does not take over
	 */
	p[0] = pe("10.0.0.1", 2, 0, 150);
	result("preference: a returning PE with the DF's preference and no DP loses",
	       evpn_df_port_elect(p, 3, 2, e) == 2);
	result("no PEs: no DF", evpn_df_port_elect(p, 0, 2, e) == -1);
	result("one PE: it is the DF",
	       evpn_df_port_elect(p, 1, 0, e) == 0 && evpn_df_port_elect(p, 1, 2, e) == 0);
}

int main(int argc, char **argv)
{
	test_ec();
	test_elect();
	return failures ? 1 : 0;
}
