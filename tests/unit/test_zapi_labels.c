// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test: ZAPI LSP messages (struct zapi_labels) decoded without
 * clearing the whole structure (patch "lib, zebra: do not clear or copy a
 * whole zapi_labels for each LSP"): every field a message carries is
 * decoded, and nothing of an earlier message or of the stack shows through
 * in the nexthops in use. The EVPN Option-B border router sends one such
 * message per swapped label (draft-rabadan-bess-evpn-inter-domain-opt-b
 * section 2.1).
 */
#include <zebra.h>

#include "stream.h"
#include "zclient.h"

#include "tests/unit/l3mh_unit.h"

static struct zapi_labels sent, got;

static void nexthop4(struct zapi_nexthop *znh, const char *gw, ifindex_t ifindex, int nlabels,
		     mpls_label_t first)
{
	int i;

	memset(znh, 0, sizeof(*znh));
	znh->type = ifindex ? NEXTHOP_TYPE_IPV4_IFINDEX : NEXTHOP_TYPE_IPV4;
	znh->vrf_id = VRF_DEFAULT;
	znh->ifindex = ifindex;
	znh->gate.ipv4 = a4(gw);
	znh->label_num = nlabels;
	for (i = 0; i < nlabels; i++)
		znh->labels[i] = first + i;
}

/* encode sent, decode into got (first filled with junk) */
static bool round_trip(void)
{
	struct stream *s = stream_new(ZEBRA_MAX_PACKET_SIZ);
	int rc;

	memset(&got, 0xa5, sizeof(got));
	rc = zapi_labels_encode(s, ZEBRA_MPLS_LABELS_ADD, &sent);
	/* skip the ZAPI header, as zebra's handler gets the message */
	stream_set_getp(s, ZEBRA_HEADER_SIZE);
	if (rc == 0)
		rc = zapi_labels_decode(s, &got);
	stream_free(s);
	return rc == 0;
}

static bool znh_same(const struct zapi_nexthop *a, const struct zapi_nexthop *b)
{
	return a->type == b->type && a->vrf_id == b->vrf_id && a->ifindex == b->ifindex &&
	       a->gate.ipv4.s_addr == b->gate.ipv4.s_addr && a->label_num == b->label_num &&
	       !memcmp(a->labels, b->labels, a->label_num * sizeof(a->labels[0])) &&
	       a->backup_num == b->backup_num &&
	       !memcmp(a->backup_idx, b->backup_idx, a->backup_num) && a->weight == 0 &&
	       a->seg_num == 0 && a->srte_color == 0;
}

int main(int argc, char **argv)
{
	/* an Option-B swap: in 16, out 3002 behind a transport label */
	memset(&sent, 0, sizeof(sent));
	sent.type = ZEBRA_LSP_BGP;
	sent.local_label = 16;
	sent.nexthop_num = 1;
	nexthop4(&sent.nexthops[0], "10.0.0.2", 3, 2, 3002);
	result("one nexthop, two labels: decoded over junk",
	       round_trip() && got.message == 0 && got.type == ZEBRA_LSP_BGP &&
		       got.local_label == 16 && got.nexthop_num == 1 &&
		       got.backup_nexthop_num == 0 && got.route.prefix.family == 0 &&
		       znh_same(&got.nexthops[0], &sent.nexthops[0]));

	/* ECMP with backups and an FTN */
	memset(&sent, 0, sizeof(sent));
	sent.message = ZAPI_LABELS_FTN | ZAPI_LABELS_HAS_BACKUPS;
	sent.type = ZEBRA_LSP_OSPF_SR;
	sent.local_label = 100000;
	sent.route.prefix.family = AF_INET;
	sent.route.prefix.prefixlen = 32;
	sent.route.prefix.u.prefix4 = a4("192.0.2.1");
	sent.route.type = ZEBRA_ROUTE_OSPF;
	sent.route.instance = 1;
	sent.nexthop_num = 2;
	nexthop4(&sent.nexthops[0], "10.0.0.2", 3, 1, 200);
	nexthop4(&sent.nexthops[1], "10.0.1.2", 4, 3, 300);
	SET_FLAG(sent.nexthops[0].flags, ZAPI_NEXTHOP_FLAG_HAS_BACKUP);
	sent.nexthops[0].backup_num = 1;
	sent.nexthops[0].backup_idx[0] = 0;
	sent.backup_nexthop_num = 1;
	nexthop4(&sent.backup_nexthops[0], "10.0.2.2", 5, 1, 400);
	result("two nexthops, a backup, an FTN: decoded over junk",
	       round_trip() && got.message == sent.message && got.type == ZEBRA_LSP_OSPF_SR &&
		       got.local_label == 100000 && got.route.prefix.family == AF_INET &&
		       got.route.prefix.prefixlen == 32 &&
		       got.route.prefix.u.prefix4.s_addr == sent.route.prefix.u.prefix4.s_addr &&
		       got.route.type == ZEBRA_ROUTE_OSPF && got.route.instance == 1 &&
		       got.nexthop_num == 2 && znh_same(&got.nexthops[0], &sent.nexthops[0]) &&
		       znh_same(&got.nexthops[1], &sent.nexthops[1]) &&
		       got.backup_nexthop_num == 1 &&
		       znh_same(&got.backup_nexthops[0], &sent.backup_nexthops[0]));

	/* a message without backups after one with: none left over */
	{
		struct stream *s = stream_new(ZEBRA_MAX_PACKET_SIZ);
		bool ok;

		memset(&sent, 0, sizeof(sent));
		sent.type = ZEBRA_LSP_BGP;
		sent.local_label = 17;
		sent.nexthop_num = 1;
		nexthop4(&sent.nexthops[0], "10.0.0.3", 0, 1, 3005);
		/* got still holds the previous message */
		zapi_labels_encode(s, ZEBRA_MPLS_LABELS_ADD, &sent);
		stream_set_getp(s, ZEBRA_HEADER_SIZE);
		ok = zapi_labels_decode(s, &got) == 0;
		stream_free(s);
		result("no backups after a message with backups",
		       ok && got.message == 0 && got.backup_nexthop_num == 0 &&
			       got.nexthop_num == 1 && got.local_label == 17 &&
			       got.route.prefix.family == 0 &&
			       znh_same(&got.nexthops[0], &sent.nexthops[0]));
	}

	/* cut short: rejected */
	{
		struct stream *s = stream_new(ZEBRA_MAX_PACKET_SIZ);
		struct stream *cut;
		size_t len;

		zapi_labels_encode(s, ZEBRA_MPLS_LABELS_ADD, &sent);
		len = stream_get_endp(s) - 3;
		cut = stream_new(len);
		stream_put(cut, STREAM_DATA(s), len);
		stream_set_getp(cut, ZEBRA_HEADER_SIZE);
		result("cut short: rejected", zapi_labels_decode(cut, &got) < 0);
		stream_free(cut);
		stream_free(s);
	}

	return failures ? 1 : 0;
}
