// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A libFuzzer harness over bgpd's receive path (RFC 4271 section 4.3
 * UPDATE, RFC 4760 MP_REACH/MP_UNREACH, the EVPN NLRIs of RFC 7432,
 * RFC 9136 and RFC 9251, RFC 7606 error handling), with the project's
 * modules loaded and configured (draft-ietf-bess-evpn-l3mh-proto
 * section 3.6: the L3 MH import decision and treat-as-withdraw;
 * draft-rabadan-bess-evpn-inter-domain-opt-b section 2: the Option-B
 * border router's label handling).
 *
 * bgpd runs as it does in the daemon, less the sockets to the outside: its
 * I/O and keepalive threads, its event loop (run here until it has
 * nothing left to do), best path selection, update groups. Two iBGP peers
 * are Established by the real FSM (a KEEPALIVE in OpenConfirm), each on a
 * socketpair whose other end the harness reads and throws away: "in",
 * which the inputs come from, and "out", to which bgpd announces what it
 * keeps. Both have IPv4 and IPv6 unicast, IPv4 VPN and L2VPN EVPN
 * negotiated. The configuration is a file (FUZZ_CONFIG, by default
 * fuzz_bgp_update.conf next to this file); the modules are loaded from
 * FUZZ_MODULE_DIR.
 *
 * An input is a sequence of BGP messages without their marker:
 * a 2-octet message length (header included, as on the wire), a type
 * octet, then the body. The harness adds the marker, checks each message
 * as bgpd's reader does (bgp_io.c validate_header()) and feeds it to the
 * "in" session; a message the reader would refuse ends the input. When an
 * input brings the session down (a NOTIFICATION), and after every
 * FZ_RESET_EVERY inputs, the harness waits until bgpd has cleared the peer
 * and brings the session up again.
 */

#include <zebra.h>

#include <sys/socket.h>

#include "command.h"
#include "ferr.h"
#include "lib_errors.h"
#include "frr_pthread.h"
#include "hook.h"
#include "libfrr.h"
#include "memory.h"
#include "module.h"
#include "northbound.h"
#include "privs.h"
#include "sockunion.h"
#include "stream.h"
#include "vrf.h"
#include "vty.h"
#include "workqueue.h"
#include "zclient.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_errors.h"
#include "bgpd/bgp_fsm.h"
#include "bgpd/bgp_labelpool.h"
#include "bgpd/bgp_network.h"
#include "bgpd/bgp_packet.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_zebra.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif
#ifndef FUZZ_MODULE_DIR
#define FUZZ_MODULE_DIR "bgpd/.libs"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
/* lib/debug.h, whose DEBUG_ON bgpd/bgp_debug.h defines again */
void debug_init(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct zebra_privs_t bgpd_privs = {};
extern struct zclient *zclient;

static struct event_loop *master;

struct fz_peer {
	const char *addr;
	struct peer *peer;
	int sock[2];
};
static struct fz_peer fz_in = { .addr = "127.0.0.2", .sock = { -1, -1 } };
static struct fz_peer fz_out = { .addr = "127.0.0.3", .sock = { -1, -1 } };

static bool fz_stopped;
static unsigned long fz_inputs;
#define FZ_RESET_EVERY 10000

static void fz_stop(struct event *event)
{
	fz_stopped = true;
}

static void fz_drain(struct fz_peer *fp)
{
	char buf[65536];

	if (fp->sock[1] < 0)
		return;
	while (read(fp->sock[1], buf, sizeof(buf)) > 0)
		;
}

/* Run the event loop until a round runs nothing but its own stop timer:
 * each round ends with a timer due now, so nothing blocks.
 */
static void fz_pump(void)
{
	struct event ev;
	struct event *t = NULL;
	unsigned int round, ran;

	for (round = 0; round < 1000; round++) {
		ran = 0;
		fz_stopped = false;
		event_add_timer_msec(master, fz_stop, NULL, 0, &t);
		while (!fz_stopped && event_fetch(master, &ev)) {
			event_call(&ev);
			ran++;
		}
		fz_drain(&fz_in);
		fz_drain(&fz_out);
		if (ran <= 1)
			break;
	}
}

/* bgpd's work queues wait before they run; here they run at once */
static void fz_no_hold(struct fz_peer *fp)
{
	if (fp->peer->clear_node_queue)
		fp->peer->clear_node_queue->spec.hold = 0;
}

static void fz_push(struct peer_connection *connection, const uint8_t *msg, size_t len)
{
	struct stream *s = stream_new(len);

	stream_put(s, msg, len);
	frr_with_mutex (&connection->io_mtx) {
		stream_fifo_push(connection->ibuf, s);
	}
}

static void fz_process(struct peer_connection *connection)
{
	struct event ev = { .arg = connection };

	bgp_process_packet(&ev);
}

static union sockunion *fz_su(const char *addr)
{
	union sockunion su;

	str2sockunion(addr, &su);
	return sockunion_dup(&su);
}

/* OpenConfirm with the capabilities and families of an OPEN exchange,
 * then a KEEPALIVE: bgp_establish() as in a real session
 */
static void fz_session_up(struct fz_peer *fp)
{
	uint8_t keepalive[BGP_HEADER_SIZE];
	struct peer *peer = fp->peer;
	struct peer_connection *connection = peer->connection;
	afi_t afi;
	safi_t safi;

	EVENT_OFF(connection->t_start);
	EVENT_OFF(connection->t_connect);
	if (fp->sock[1] >= 0)
		close(fp->sock[1]);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fp->sock) < 0)
		abort();
	connection->fd = fp->sock[0];
	sockunion_free(connection->su_local);
	sockunion_free(connection->su_remote);
	connection->su_local = fz_su("127.0.0.1");
	connection->su_remote = fz_su(fp->addr);
	peer->nexthop.v4.s_addr = htonl(INADDR_LOOPBACK);

	peer->cap = PEER_CAP_REFRESH_ADV | PEER_CAP_REFRESH_RCV | PEER_CAP_AS4_ADV |
		    PEER_CAP_AS4_RCV | PEER_CAP_EXTENDED_MESSAGE_ADV |
		    PEER_CAP_EXTENDED_MESSAGE_RCV;
	peer->max_packet_size = BGP_EXTENDED_MESSAGE_MAX_PACKET_SIZE;
	FOREACH_AFI_SAFI (afi, safi) {
		if (!peer->afc[afi][safi])
			continue;
		peer->afc_adv[afi][safi] = 1;
		peer->afc_recv[afi][safi] = 1;
		peer->afc_nego[afi][safi] = 1;
	}
	peer->v_holdtime = 0;
	peer->v_keepalive = 0;
	inet_pton(AF_INET, fp->addr, &peer->remote_id);

	memset(keepalive, 0xff, BGP_MARKER_SIZE);
	keepalive[16] = 0;
	keepalive[17] = BGP_HEADER_SIZE;
	keepalive[18] = BGP_MSG_KEEPALIVE;
	bgp_fsm_change_status(connection, OpenConfirm);
	fz_push(connection, keepalive, sizeof(keepalive));
	fz_process(connection);
	fz_pump();
	if (!peer_established(connection)) {
		fprintf(stderr, "fuzz: %s did not come up (%s)\n", fp->addr,
			lookup_msg(bgp_status_msg, connection->status, NULL));
		abort();
	}
}

/* after a session went down: bgpd clears the peer, then it comes up */
static void fz_session_again(struct fz_peer *fp)
{
	struct peer_connection *connection = fp->peer->connection;
	unsigned int i;

	for (i = 0; i < 1000 && connection->status != Idle; i++) {
		fz_no_hold(fp);
		fz_pump();
		if (connection->status != Idle)
			usleep(1000);
	}
	if (connection->status != Idle) {
		fprintf(stderr, "fuzz: %s stuck in %s\n", fp->addr,
			lookup_msg(bgp_status_msg, connection->status, NULL));
		abort();
	}
	fz_session_up(fp);
}

/* bgpd keeps an RD's table of a two-level RIB (VPN, ENCAP, EVPN) when its
 * last route goes (bgp_afi_node_get() makes it, only bgp_cleanup_routes()
 * at shutdown frees it). A peer sends a few RDs; the fuzzer sends a new
 * one in every other input, and walking the empty tables (bgp_clear_route,
 * subgroup_announce_table) came to be most of the time per input. Once the
 * peer is cleared, free the RD tables that are empty.
 */
static void fz_prune_rd_tables(void)
{
	struct bgp *bgp = bgp_get_default();
	struct bgp_dest *dest;
	struct bgp_table *table;
	afi_t afi;
	safi_t safi;

	FOREACH_AFI_SAFI (afi, safi) {
		if (safi != SAFI_MPLS_VPN && safi != SAFI_ENCAP && safi != SAFI_EVPN)
			continue;
		for (dest = bgp_table_top(bgp->rib[afi][safi]); dest; dest = bgp_route_next(dest)) {
			table = bgp_dest_get_bgp_table_info(dest);
			if (!table || bgp_table_count(table))
				continue;
			bgp_table_finish(&table);
			bgp_dest_set_bgp_table_info(dest, NULL);
			dest = bgp_dest_unlock_node(dest);
			assert(dest);
		}
	}
}

static struct fz_peer *fz_setup_peer(struct fz_peer *fp)
{
	union sockunion su;
	struct bgp *bgp = bgp_get_default();

	str2sockunion(fp->addr, &su);
	fp->peer = bgp ? peer_lookup(bgp, &su) : NULL;
	if (!fp->peer) {
		fprintf(stderr, "fuzz: no neighbor %s in the configuration\n", fp->addr);
		abort();
	}
	fz_session_up(fp);
	return fp;
}

/* hook_call(frr_late_init) is libfrr.c's alone (frr_config_fork(), which
 * a harness does not run): the modules' late init, as it calls them
 */
static void fz_late_init(void)
{
	struct hookent *he;

	for (he = _hook_frr_late_init.entries; he; he = he->next) {
		if (he->has_arg)
			((int (*)(void *, struct event_loop *))he->hookfn)(he->hookarg, master);
		else
			((int (*)(struct event_loop *))he->hookfn)(master);
	}
}

/* FUZZ_MEMSTATS=1: FRR's count of allocations per memory type at exit,
 * what bgpd holds after the run, reachable or not
 */
static int fz_memstats_walk(void *arg, struct memgroup *mg, struct memtype *mt)
{
	if (mt && mt->n_alloc)
		fprintf(stderr, "fuzz: memstats: %s: %zu\n", mt->name, mt->n_alloc);
	return 0;
}

static void fz_memstats(void)
{
	qmem_walk(fz_memstats_walk, NULL);
}

/* bgpd's label pool gets its labels from zebra's label manager, which the
 * harness has not: it hands bgpd one chunk as the label manager would,
 * and holds one label of it so that the pool never gives the chunk back.
 * Without labels, Option-B's swaps would wait for ever for theirs (and
 * pile up: 100,000 after 400,000 inputs).
 */
#define FZ_LABEL_FIRST 100000
#define FZ_LABEL_LAST  199999

static int fz_label_holder;

static int fz_label_cb(mpls_label_t label, void *labelid, bool allocated)
{
	return 0;
}

static void fz_label_manager(void)
{
	bgp_lp_event_chunk(FZ_LABEL_FIRST, FZ_LABEL_LAST);
	bgp_lp_get(LP_TYPE_VRF, &fz_label_holder, VRF_DEFAULT, fz_label_cb);
}

static void fz_errlog(const void *cookie, const char *err)
{
	fprintf(stderr, "fuzz: module: %s\n", err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *moddir = getenv("FUZZ_MODULE_DIR") ?: FUZZ_MODULE_DIR;
	const char *conf = getenv("FUZZ_CONFIG") ?: FUZZ_SRCDIR "/fuzz_bgp_update.conf";
	char *mods = XSTRDUP(MTYPE_TMP, getenv("FUZZ_MODULES") ?: "evpn_l3mh evpn_optb");
	char *mod, *save = NULL;
	struct bgp *bgp;

	zlog_aux_init("fuzz: ", getenv("FUZZ_LOG") ? LOG_DEBUG : LOG_CRIT);
	if (getenv("FUZZ_MEMSTATS"))
		atexit(fz_memstats);
	cmd_init(1);
	debug_init();
	log_ref_init();
	lib_error_init();
	zprivs_preinit(&bgpd_privs);
	zprivs_init(&bgpd_privs);
	master = event_master_create(NULL);
	nb_init(master, NULL, 0, false, false);

	/* a module's init only registers its frr_late_init hook */
	for (mod = strtok_r(mods, " ", &save); mod; mod = strtok_r(NULL, " ", &save)) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/bgpd_%s.so", moddir, mod);
		if (!frrmod_load(path, NULL, fz_errlog, NULL))
			abort();
	}
	XFREE(MTYPE_TMP, mods);

	bgp_master_init(master, BGP_SOCKET_SNDBUF_SIZE, list_new());
	bgp_option_set(BGP_OPT_NO_LISTEN);
	bgp_option_set(BGP_OPT_NO_FIB);
	bgp_option_set(BGP_OPT_NO_ZEBRA);
	bgp_error_init();
	vrf_init(NULL, NULL, NULL, NULL);
	frr_pthread_init();
	bgp_init(0);
	bgp_if_init();
	/* no zebra: never connect to one */
	EVENT_OFF(zclient->t_connect);
	EVENT_OFF(bm->t_bgp_start_label_manager);
	fz_late_init();
	bgp_pthreads_run();

	if (!vty_read_config(NULL, conf, NULL)) {
		fprintf(stderr, "fuzz: cannot read %s\n", conf);
		abort();
	}
	/* the configuration's own events (a session reset per neighbor
	 * command) run before the sessions come up
	 */
	fz_pump();
	bgp = bgp_get_default();
	if (!bgp)
		abort();
	bgp->process_queue->spec.hold = 0;
	fz_label_manager();
	fz_setup_peer(&fz_out);
	fz_setup_peer(&fz_in);
	return 0;
}

/* bgp_io.c validate_header(): what bgpd's reader lets through */
static bool fz_valid(uint8_t type, size_t len, size_t max)
{
	if (len < BGP_HEADER_SIZE || len > max)
		return false;
	switch (type) {
	case BGP_MSG_OPEN:
		return len >= BGP_MSG_OPEN_MIN_SIZE;
	case BGP_MSG_UPDATE:
		return len >= BGP_MSG_UPDATE_MIN_SIZE;
	case BGP_MSG_NOTIFY:
		return len >= BGP_MSG_NOTIFY_MIN_SIZE;
	case BGP_MSG_KEEPALIVE:
		return len == BGP_MSG_KEEPALIVE_MIN_SIZE;
	case BGP_MSG_ROUTE_REFRESH_NEW:
	case BGP_MSG_ROUTE_REFRESH_OLD:
		return len >= BGP_MSG_ROUTE_REFRESH_MIN_SIZE;
	case BGP_MSG_CAPABILITY:
		return len >= BGP_MSG_CAPABILITY_MIN_SIZE;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peer_connection *connection = fz_in.peer->connection;
	uint8_t msg[BGP_EXTENDED_MESSAGE_MAX_PACKET_SIZE];
	size_t len, body;

	memset(msg, 0xff, BGP_MARKER_SIZE);
	while (size >= 3 && peer_established(connection)) {
		len = (data[0] << 8) | data[1];
		if (!fz_valid(data[2], len, fz_in.peer->max_packet_size))
			break;
		body = len - BGP_HEADER_SIZE;
		if (size < 3 + body)
			break;
		msg[16] = data[0];
		msg[17] = data[1];
		msg[18] = data[2];
		memcpy(msg + BGP_HEADER_SIZE, data + 3, body);
		data += 3 + body;
		size -= 3 + body;
		fz_push(connection, msg, len);
		fz_process(connection);
		fz_pump();
	}
	/* the routes of the inputs before go with a session reset now and
	 * then, so that bgpd's tables stay the size of a real one's
	 */
	if (++fz_inputs % FZ_RESET_EVERY == 0) {
		if (peer_established(connection))
			bgp_event_update(connection, BGP_Stop);
		fz_session_again(&fz_in);
		fz_prune_rd_tables();
	} else if (!peer_established(connection))
		fz_session_again(&fz_in);
	return 0;
}
