// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN L3 multi-homing, bgpd side: the redundancy mode of an L3 Ethernet
 * Segment (draft-ietf-bess-evpn-l3mh-proto-00 section 1.6, requirements
 * 6-8; RFC 7432 section 14.1, RFC 9786), a part of the module's core
 * beneath bgp_evpn_l3mh.c: it calls nothing of the core.
 */
#ifndef _FRR_BGP_EVPN_L3MH_ES_H
#define _FRR_BGP_EVPN_L3MH_ES_H

#include <stdbool.h>

#include "lib/prefix.h"

struct vty;

enum l3mh_es_mode {
	L3MH_ES_ALL_ACTIVE, /* the default */
	L3MH_ES_SINGLE_ACTIVE,
	L3MH_ES_PORT_ACTIVE,
};

extern const char *l3mh_es_mode2str(enum l3mh_es_mode mode);

/*
 * Its commands and hooks (the module's late init), and its end. It calls
 * mode_changed when what zebra is to do for a local L3 ES changes: its
 * mode, or what the DF election made of this PE (ES_MODE); the core tells
 * zebra, which holds the links or sub-interfaces down.
 */
struct l3mh_zapi_es_mode;
extern void l3mh_es_mode_init(void (*mode_changed)(const struct l3mh_zapi_es_mode *zm));
extern void l3mh_es_mode_fini(void);
/* l3-multihoming was turned on or off: the ESs' modes stay configured, in
 * effect while on
 */
extern void l3mh_es_mode_enable(bool on);
/* an ES has a redundancy mode configured (in effect while enabled) */
extern bool l3mh_es_mode_configured(void);
/* zebra knows nothing (it connected again): tell it every ES's state */
extern void l3mh_es_mode_resend(void);
/* its lines of the EVPN instance's address-family l2vpn evpn */
extern void l3mh_es_mode_config_write(struct vty *vty);

#endif /* _FRR_BGP_EVPN_L3MH_ES_H */
