// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, zebra side: what the redundancy mode of an L3 ES
 * holds down on this PE (draft-ietf-bess-evpn-l3mh-proto-00 section 1.6,
 * requirements 6-8; RFC 9786 section 2.2, RFC 7432 section 8.5), a part of
 * the module beneath zebra_evpn_l3mh.c: it calls nothing of it.
 */
#ifndef _FRR_ZEBRA_EVPN_L3MH_ES_H
#define _FRR_ZEBRA_EVPN_L3MH_ES_H

#include "lib/evpn_l3mh_zapi.h"

struct interface;
struct zebra_evpn_es;

/* if_es: the local ES an interface is of, and its Ethernet Tag (the core's) */
extern void l3mh_es_mode_init(struct zebra_evpn_es *(*if_es)(struct interface *ifp, uint32_t *etag));
/* zebra stops: what is held down stays down (the next zebra takes it over) */
extern void l3mh_es_mode_fini(void);
/* bgpd's ES_MODE */
extern void l3mh_es_mode_msg(const struct l3mh_zapi_es_mode *zm);
/* the DF of an <ES, Ethernet Tag> of a port-active or single-active ES,
 * as its election made it: false for any other ES
 */
extern bool l3mh_es_mode_is_df(const esi_t *esi, uint32_t etag, bool *df);
/* bgpd went away: what it held down stays down, until the next bgpd has
 * been there a minute without naming it
 */
extern void l3mh_es_mode_bgpd_gone(void);

#endif /* _FRR_ZEBRA_EVPN_L3MH_ES_H */
