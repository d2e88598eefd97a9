// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: messages between zebra's and bgpd's modules
 * (draft-brissette-bess-evpn-l3-mh, sections 3.4-3.6), carried in
 * ZEBRA_EXTENSION_MESSAGE.
 *
 *   bgpd -> zebra  ENABLE       L3 multi-homing on/off, ES originator IP,
 *                               retention time
 *   zebra -> bgpd  LOCAL_NEIGH  a neighbour learned on an ES (sub-)interface
 *   bgpd -> zebra  SYNC_NEIGH   a neighbour synced from an ES peer (RT-2)
 *   bgpd -> zebra  REPLAY       send every LOCAL_NEIGH again
 *   zebra -> bgpd  REPLAY_DONE  end of a replay: local entries not sent
 *                               since the REPLAY are gone
 *
 * One encode/decode pair per message, shared by both modules.
 */
#ifndef _FRR_EVPN_L3MH_ZAPI_H
#define _FRR_EVPN_L3MH_ZAPI_H

#include "prefix.h"
#include "ipaddr.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* extension id of ZEBRA_EXTENSION_MESSAGE ("L3" in ASCII) */
#define L3MH_ZAPI_EXT_ID 0x4c33

enum l3mh_zapi_type {
	L3MH_ZAPI_ENABLE = 1,
	L3MH_ZAPI_LOCAL_NEIGH_ADD,
	L3MH_ZAPI_LOCAL_NEIGH_DEL,
	L3MH_ZAPI_SYNC_NEIGH_ADD,
	L3MH_ZAPI_SYNC_NEIGH_DEL,
	L3MH_ZAPI_REPLAY,
	L3MH_ZAPI_REPLAY_DONE,
};

struct l3mh_zapi_enable {
	bool enable;
	struct in_addr originator_ip;
	uint16_t retention; /* seconds a synced entry outlives its route */
};

/*
 * A neighbour on an L3 ES (sub-)interface: the ES and Ethernet Tag name the
 * interface on every PE of the ES; the VRF travels in the ZAPI header.
 */
struct l3mh_zapi_neigh {
	esi_t esi;
	uint32_t etag;
	struct ipaddr ip;
	struct ethaddr mac;
	ifindex_t ifindex; /* LOCAL_NEIGH: the sender's interface; else 0 */
};

extern const char *l3mh_zapi_type2str(uint16_t type);

extern void l3mh_zapi_enable_encode(struct stream *s,
				    const struct l3mh_zapi_enable *en);
extern bool l3mh_zapi_enable_decode(struct stream *s,
				    struct l3mh_zapi_enable *en);

extern void l3mh_zapi_neigh_encode(struct stream *s,
				   const struct l3mh_zapi_neigh *n);
extern bool l3mh_zapi_neigh_decode(struct stream *s,
				   struct l3mh_zapi_neigh *n);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_EVPN_L3MH_ZAPI_H */
