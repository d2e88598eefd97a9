// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EVPN Inter-Domain Option-B: which labels of an EVPN route forward traffic
 * and how a local label replaces one (draft-rabadan-bess-evpn-inter-domain-
 * opt-b section 2.1.1; label fields: RFC 7432 section 7, RFC 9136 section 3).
 */
#ifndef _BGP_EVPN_OPTB_LABEL_H
#define _BGP_EVPN_OPTB_LABEL_H

#include "mpls.h"

/* A route has at most two forwarding labels: RT-2 Label1/Label2; RT-1 per
 * EVI and RT-5 one in the NLRI; RT-3 one in the PMSI Tunnel attribute.
 */
#define OPTB_SLOTS 2

/* The 20-bit label of a received 3-octet label field (as bgpd stores it) */
extern mpls_label_t optb_label_value(mpls_label_t field);

/* The label field advertised for local label `local` instead of `field`:
 * only the label changes, the low 4 bits (EXP, bottom of stack) stay.
 */
extern mpls_label_t optb_label_field(mpls_label_t local, mpls_label_t field);

/* Labels that forward: not 0 (RT-1 per ES, RT-5 with an overlay index)
 * nor any other reserved label.
 */
extern bool optb_label_forwards(mpls_label_t field);

/*
 * The forwarding labels of a route of `route_type`: `nlri` holds its
 * `num` NLRI label fields; `pmsi_ir` says it has a PMSI Tunnel attribute of
 * type Ingress Replication whose label field is `pmsi`. Fills
 * slots[OPTB_SLOTS] (MPLS_INVALID_LABEL where unused) and returns the
 * number of slots used; 0 means next hop self only.
 */
extern int optb_label_slots(uint8_t route_type, const mpls_label_t *nlri, uint8_t num, bool pmsi_ir,
			    mpls_label_t pmsi, mpls_label_t slots[OPTB_SLOTS]);

/* What a slot is called in show output: label1/label2, pmsi, label */
extern const char *optb_slot_name(uint8_t route_type, int slot);

#endif
