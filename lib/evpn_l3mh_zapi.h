// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing: messages between zebra's and bgpd's modules
 * (draft-ietf-bess-evpn-l3mh-proto-00, sections 3.4-3.8), carried in
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
 * IGMP/MLD join synchronization (draft section 3.7, RFC 9251 RT-7/RT-8),
 * between pimd/pim6d and bgpd through zebra, which maps an interface to
 * its ES and Ethernet Tag and back:
 *
 *   pimd -> zebra -> bgpd  GM_LOCAL    a membership learned on an ES
 *                                      (sub-)interface came or went
 *   pimd -> zebra -> bgpd  GM_LEAVE    a leave started the last member
 *                                      queries (RT-8)
 *   bgpd -> zebra -> pimd  GM_SYNC     a membership synced from an ES peer
 *   bgpd -> zebra -> pimd  GM_SYNC_LEAVE  an ES peer received a leave for
 *                                      a membership learned here (RT-8)
 *   bgpd -> zebra          GM_ES_DF    the PEs of an ES (DF election)
 *   zebra -> pimd          GM_IF       an ES (sub-)interface and whether
 *                                      this PE is its DF
 *   pimd -> zebra -> bgpd  GM_REPLAY   send every GM_SYNC and GM_ES_DF again;
 *                                      with an address family: that pimd
 *                                      (re)started, its memberships are
 *                                      stale until it names them again
 *   bgpd -> zebra -> pimd  GM_REPLAY   send every GM_LOCAL again
 *
 * IGP route synchronization (draft section 3.8): bgpd maps the interface
 * of a VRF route to its ES and Ethernet Tag and back:
 *
 *   zebra -> bgpd  ES_IF         an L3 ES (sub-)interface came, changed
 *                                or went (also sent after a REPLAY)
 *   bgpd -> zebra  ES_IF_REPLAY  send the ES_IFs that changed (the local
 *                                ES set did)
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
	L3MH_ZAPI_GM_LOCAL_ADD,
	L3MH_ZAPI_GM_LOCAL_DEL,
	L3MH_ZAPI_GM_LEAVE,
	L3MH_ZAPI_GM_SYNC_ADD,
	L3MH_ZAPI_GM_SYNC_DEL,
	L3MH_ZAPI_GM_ES_DF,
	L3MH_ZAPI_GM_IF,
	L3MH_ZAPI_GM_REPLAY,
	L3MH_ZAPI_GM_SYNC_LEAVE,
	L3MH_ZAPI_ES_IF,
	L3MH_ZAPI_ES_IF_REPLAY,
	L3MH_ZAPI_ES_MODE,
};

struct l3mh_zapi_enable {
	bool enable;
	struct in_addr originator_ip;
	uint16_t retention; /* seconds a synced entry outlives its route */
	/* report link-local neighbours too: the next hops of OSPFv3 and of
	 * IS-IS for IPv6, for the IGP route sync (section 3.8.2)
	 */
	bool link_local;
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

/*
 * An IGMP/MLD membership: between zebra and bgpd the ES and Ethernet Tag
 * name the interface, between zebra and pimd its ifindex. The VRF travels
 * in the ZAPI header.
 */
struct l3mh_zapi_gm {
	esi_t esi;
	uint32_t etag;
	ifindex_t ifindex;
	struct ipaddr src; /* the any address of grp's family for (*,G) */
	struct ipaddr grp;
	uint8_t flags;	  /* EVPN_MCAST_FLAG_* (RFC 9251 section 9) */
	uint8_t max_resp; /* GM_LEAVE: maximum response time, 1/10 s */
};

/*
 * How long the last member (last listener) queries that follow a leave
 * take, robustness 2 and a second's margin: after that, a membership still
 * there was answered for and the leave is over (RFC 9251 section 9.3).
 */
static inline unsigned long l3mh_leave_over_msec(uint32_t max_resp_dsec)
{
	return max_resp_dsec * 200 + 1000;
}

/* GM_ES_DF: this PE is PE number `ordinal` (0-based, by originator IP) of
 * the n_pes PEs of the ES; n_pes 0: no IGMP/MLD sync on the ES
 */
struct l3mh_zapi_es_df {
	esi_t esi;
	uint16_t n_pes;
	uint16_t ordinal;
};

/* GM_IF: ifindex is (es) or is no longer an ES (sub-)interface with IGMP/MLD
 * sync; df: this PE forwards multicast to the ES on it. retention: the
 * retention time (draft section 4), s: a synced membership whose route is
 * withdrawn (GM_SYNC_DEL), or every synced one of an interface that is no
 * longer an ES interface because bgpd stopped, is kept that long; 0: they
 * go at once.
 */
struct l3mh_zapi_gm_if {
	ifindex_t ifindex;
	bool es;
	bool df;
	uint16_t retention;
};

/*
 * While a synced membership is retained, the group-specific queries that
 * refresh it (draft section 4) go at its start and then this often: four
 * in the retention time, at most 10 s and at least 1 s apart, so that a
 * host's answer comes while the time still runs.
 */
static inline unsigned long l3mh_retain_query_msec(uint16_t retention)
{
	unsigned long msec = retention * 1000UL / 4;

	return msec < 1000 ? 1000 : msec > 10000 ? 10000 : msec;
}

/*
 * ES_IF (zebra -> bgpd): ifindex is (es) or is no longer an L3 ES
 * (sub-)interface, the one of ES esi and Ethernet Tag etag (section 3.5);
 * up: it is operative and so is its ES. The VRF travels in the ZAPI
 * header. ES_IF_REPLAY (bgpd -> zebra, no body): send what changed.
 */
struct l3mh_zapi_es_if {
	ifindex_t ifindex;
	esi_t esi;
	uint32_t etag;
	bool es;
	bool up;
};

/*
 * ES_MODE (bgpd -> zebra): the redundancy mode of a local L3 ES and what
 * the DF election made of this PE (draft section 1.6, requirements 6-8).
 *   port-active (RFC 9786): standby, another PE is the DF of the ES, so
 *     this PE holds its links to the CE down and the ES up for BGP;
 *   single-active (RFC 7432 section 8.5): this PE is the DF of Ethernet
 *     Tag t if df_all, or if n_pes and t mod n_pes is ordinal; the
 *     sub-interfaces of the other Ethernet Tags are held down.
 * Otherwise (all-active, no DF elected, a mismatch) everything is up.
 */
enum l3mh_zapi_es_mode_type {
	L3MH_ZAPI_ES_ALL_ACTIVE = 0,
	L3MH_ZAPI_ES_SINGLE_ACTIVE,
	L3MH_ZAPI_ES_PORT_ACTIVE,
};

struct l3mh_zapi_es_mode {
	esi_t esi;
	uint8_t mode; /* enum l3mh_zapi_es_mode_type */
	bool standby;
	bool df_all;
	uint16_t n_pes;
	uint16_t ordinal;
};

/* single-active: is this PE the DF of Ethernet Tag etag? */
static inline bool l3mh_zapi_es_mode_df(const struct l3mh_zapi_es_mode *m, uint32_t etag)
{
	return m->df_all || (m->n_pes && etag % m->n_pes == m->ordinal);
}

extern const char *l3mh_zapi_type2str(uint16_t type);

extern void l3mh_zapi_enable_encode(struct stream *s,
				    const struct l3mh_zapi_enable *en);
extern bool l3mh_zapi_enable_decode(struct stream *s,
				    struct l3mh_zapi_enable *en);

extern void l3mh_zapi_neigh_encode(struct stream *s,
				   const struct l3mh_zapi_neigh *n);
extern bool l3mh_zapi_neigh_decode(struct stream *s,
				   struct l3mh_zapi_neigh *n);

extern void l3mh_zapi_gm_encode(struct stream *s, const struct l3mh_zapi_gm *g);
extern bool l3mh_zapi_gm_decode(struct stream *s, struct l3mh_zapi_gm *g);
extern void l3mh_zapi_es_df_encode(struct stream *s,
				   const struct l3mh_zapi_es_df *df);
extern bool l3mh_zapi_es_df_decode(struct stream *s, struct l3mh_zapi_es_df *df);
/* GM_REPLAY: AF_INET, AF_INET6 or 0 */
extern void l3mh_zapi_gm_replay_encode(struct stream *s, uint8_t family);
extern bool l3mh_zapi_gm_replay_decode(struct stream *s, uint8_t *family);
extern void l3mh_zapi_gm_if_encode(struct stream *s,
				   const struct l3mh_zapi_gm_if *gi);
extern bool l3mh_zapi_gm_if_decode(struct stream *s, struct l3mh_zapi_gm_if *gi);
extern void l3mh_zapi_es_if_encode(struct stream *s, const struct l3mh_zapi_es_if *ei);
extern bool l3mh_zapi_es_if_decode(struct stream *s, struct l3mh_zapi_es_if *ei);
extern void l3mh_zapi_es_mode_encode(struct stream *s, const struct l3mh_zapi_es_mode *m);
extern bool l3mh_zapi_es_mode_decode(struct stream *s, struct l3mh_zapi_es_mode *m);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_EVPN_L3MH_ZAPI_H */
