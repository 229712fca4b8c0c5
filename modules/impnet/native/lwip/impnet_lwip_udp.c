/*
 * impnet's UDP socket on lwIP's raw API (see impnet_lwip_udp.h and
 * docs/native-lwip.md). Plain C: lwIP and the C library only.
 */
#include "impnet_lwip_udp.h"

#include <stdlib.h>
#include <string.h>

#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/udp.h"
#include "lwip/priv/tcpip_priv.h"

#define UDP_IP_HEADERS 28 /* IPv4 header without options + UDP header */

struct impnet_lwip_udp {
	struct udp_pcb *pcb;
	uint8_t netif_index;
	uint16_t port;
	uint16_t queue_limit;
	/* The queue, `armed` and the counters are shared by lwIP's thread and the reader: SYS_ARCH_PROTECT. */
	impnet_lwip_datagram *head;
	impnet_lwip_datagram *tail;
	uint32_t queued;
	uint32_t dropped;
	uint8_t armed; /* the reader is to be told at the next datagram */
	impnet_lwip_readable_fn readable;
	void *context;
};

static uint32_t gSockets;
static uint32_t gDatagrams;

/* ---- in lwIP's thread ---- */

static void receive(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *address, u16_t port)
{
	impnet_lwip_udp *udp = arg;
	const ip4_addr_t *destination = ip4_current_dest_addr();
	impnet_lwip_datagram *datagram = NULL;
	int full, tell;
	SYS_ARCH_DECL_PROTECT(level);
	(void)pcb;

	/* lwIP accepts a datagram for any of its addresses on any netif (and 127.0.0.1): this socket takes
	   only its netif's own address and broadcasts. */
	if (!ip4_addr_cmp(destination, netif_ip4_addr(ip_current_input_netif())) &&
		!ip4_addr_isbroadcast(destination, ip_current_input_netif())) {
		pbuf_free(p);
		return;
	}

	/* Only this thread adds to the queue: room found here is still there below. */
	SYS_ARCH_PROTECT(level);
	full = udp->queued >= udp->queue_limit;
	SYS_ARCH_UNPROTECT(level);
	if (!full) {
		/* One copy of the whole chain (a reassembled datagram is a chain); the pbuf goes back at once, so
		   queued datagrams never hold the driver's receive buffers. */
		datagram = malloc(sizeof(impnet_lwip_datagram) + p->tot_len);
		if (datagram) {
			datagram->next = NULL;
			datagram->source = ip_2_ip4(address)->addr;
			datagram->destination = destination->addr;
			datagram->source_port = port;
			datagram->length = p->tot_len;
			pbuf_copy_partial(p, datagram->bytes, p->tot_len, 0);
		}
	}
	pbuf_free(p);

	SYS_ARCH_PROTECT(level);
	if (!datagram) {
		udp->dropped += 1;
		SYS_ARCH_UNPROTECT(level);
		return;
	}
	if (udp->tail)
		udp->tail->next = datagram;
	else
		udp->head = datagram;
	udp->tail = datagram;
	udp->queued += 1;
	gDatagrams += 1;
	tell = udp->armed;
	udp->armed = 0;
	SYS_ARCH_UNPROTECT(level);

	if (tell && !udp->readable(udp->context)) {
		SYS_ARCH_PROTECT(level);
		udp->armed = 1;
		SYS_ARCH_UNPROTECT(level);
	}
}

typedef struct {
	struct tcpip_api_call_data call;
	impnet_lwip_udp *udp;
	impnet_lwip_result result;
	const void *data;
	u16_t length;
	ip_addr_t address;
	u16_t port;
	err_t err;
} Call;

/* The socket's netif when it has an IPv4 address, else NULL. */
static struct netif *addressed(uint8_t index)
{
	struct netif *netif = netif_get_by_index(index);
	if (!netif || ip4_addr_isany_val(*netif_ip4_addr(netif)))
		return NULL;
	return netif;
}

/* Whether `port` is taken on `netif`: by one of these sockets on it, or by a pcb bound to all netifs
   through IP_ADDR_ANY or this netif's address (Moddable's stock UDP binds IP_ADDR_ANY). */
static int taken(u16_t port, struct netif *netif)
{
	struct udp_pcb *pcb;
	for (pcb = udp_pcbs; pcb; pcb = pcb->next) {
		if (pcb->local_port != port)
			continue;
		if (NETIF_NO_INDEX != pcb->netif_idx && netif_get_index(netif) != pcb->netif_idx)
			continue;
		if (ip_addr_isany(&pcb->local_ip) || ip4_addr_cmp(ip_2_ip4(&pcb->local_ip), netif_ip4_addr(netif)))
			return 1;
	}
	return 0;
}

static err_t open_in_lwip(struct tcpip_api_call_data *data)
{
	Call *call = (Call *)data;
	impnet_lwip_udp *udp = call->udp;
	struct netif *netif = addressed(udp->netif_index);
	struct udp_pcb *pcb;

	if (!netif) {
		call->result = IMPNET_LWIP_NO_NETWORK;
		return ERR_OK;
	}
	if (taken(udp->port, netif)) {
		call->result = IMPNET_LWIP_IN_USE;
		return ERR_OK;
	}
	pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb) {
		call->result = IMPNET_LWIP_NO_MEMORY;
		return ERR_OK;
	}
	ip_set_option(pcb, SOF_BROADCAST); /* for IP_SOF_BROADCAST(_RECV) builds; harmless otherwise */
#if SO_REUSE
	/* Bound to the netif, not to its address: the socket outlives a change of address (a new DHCP lease),
	   and sends from whatever address the netif has. SOF_REUSEADDR lets the same port be bound on each
	   netif; taken() did the per-netif check that lwIP's udp_bind cannot do. */
	ip_set_option(pcb, SOF_REUSEADDR);
	call->err = udp_bind(pcb, IP4_ADDR_ANY, udp->port);
#else
	/* Without SO_REUSE two netifs cannot share a port on IP_ADDR_ANY: bind the address (a new address
	   then needs a new socket). */
	call->err = udp_bind(pcb, netif_ip_addr4(netif), udp->port);
#endif
	if (ERR_OK != call->err) {
		udp_remove(pcb);
		call->result = (ERR_USE == call->err) ? IMPNET_LWIP_IN_USE : IMPNET_LWIP_REFUSED;
		return ERR_OK;
	}
	udp_bind_netif(pcb, netif);
	udp_recv(pcb, receive, udp);
	udp->pcb = pcb;
	call->result = IMPNET_LWIP_OK;
	return ERR_OK;
}

static err_t send_in_lwip(struct tcpip_api_call_data *data)
{
	Call *call = (Call *)data;
	impnet_lwip_udp *udp = call->udp;
	struct netif *netif = addressed(udp->netif_index);
	struct pbuf *p;

	if (!netif) {
		call->result = IMPNET_LWIP_NO_NETWORK;
		return ERR_OK;
	}
	if (call->length + UDP_IP_HEADERS <= netif->mtu) {
		/* One frame: one pbuf with room for the headers, as lwIP's own sockets do for drivers that want a
		   single pbuf (LWIP_NETIF_TX_SINGLE_PBUF). */
		p = pbuf_alloc(PBUF_TRANSPORT, call->length, PBUF_RAM);
		if (p)
			memcpy(p->payload, call->data, call->length);
	}
	else {
		/* Fragmented anyway: refer to the caller's bytes (the caller waits until this returns); ip4_frag
		   copies each fragment, and ARP queueing copies what it keeps. */
		p = pbuf_alloc(PBUF_TRANSPORT, call->length, PBUF_REF);
		if (p)
			p->payload = (void *)call->data;
	}
	if (!p) {
		call->result = IMPNET_LWIP_NO_MEMORY;
		return ERR_OK;
	}
	call->err = udp_sendto_if(udp->pcb, p, &call->address, call->port, netif);
	pbuf_free(p);
	if (ERR_OK == call->err)
		call->result = IMPNET_LWIP_OK;
	else if (ERR_RTE == call->err)
		call->result = IMPNET_LWIP_NO_NETWORK;
	else if (ERR_MEM == call->err || ERR_BUF == call->err)
		call->result = IMPNET_LWIP_NO_MEMORY;
	else
		call->result = IMPNET_LWIP_REFUSED;
	return ERR_OK;
}

static err_t close_in_lwip(struct tcpip_api_call_data *data)
{
	Call *call = (Call *)data;
	udp_remove(call->udp->pcb);
	call->udp->pcb = NULL;
	return ERR_OK;
}

/* ---- in the caller's thread ---- */

impnet_lwip_result impnet_lwip_udp_open(uint8_t netif_index, uint16_t port, uint16_t queue_limit,
	impnet_lwip_readable_fn readable, void *context, impnet_lwip_udp **result)
{
	impnet_lwip_udp *udp;
	Call call;
	err_t err;
	SYS_ARCH_DECL_PROTECT(level);

	*result = NULL;
	udp = calloc(1, sizeof(impnet_lwip_udp));
	if (!udp)
		return IMPNET_LWIP_NO_MEMORY;
	udp->netif_index = netif_index;
	udp->port = port;
	udp->queue_limit = queue_limit;
	udp->armed = 1;
	udp->readable = readable;
	udp->context = context;

	memset(&call, 0, sizeof(call));
	call.udp = udp;
	err = tcpip_api_call(open_in_lwip, &call.call);
	if (ERR_OK != err) {
		free(udp);
		return IMPNET_LWIP_NO_MEMORY;
	}
	if (IMPNET_LWIP_OK != call.result) {
		free(udp);
		return call.result;
	}
	SYS_ARCH_PROTECT(level);
	gSockets += 1;
	SYS_ARCH_UNPROTECT(level);
	*result = udp;
	return IMPNET_LWIP_OK;
}

impnet_lwip_datagram *impnet_lwip_udp_peek(impnet_lwip_udp *udp)
{
	impnet_lwip_datagram *datagram;
	SYS_ARCH_DECL_PROTECT(level);

	SYS_ARCH_PROTECT(level);
	datagram = udp->head;
	SYS_ARCH_UNPROTECT(level);
	return datagram;
}

impnet_lwip_datagram *impnet_lwip_udp_take(impnet_lwip_udp *udp)
{
	impnet_lwip_datagram *datagram;
	SYS_ARCH_DECL_PROTECT(level);

	SYS_ARCH_PROTECT(level);
	datagram = udp->head;
	if (datagram) {
		udp->head = datagram->next;
		if (!udp->head)
			udp->tail = NULL;
		udp->queued -= 1;
	}
	if (!udp->head)
		udp->armed = 1;
	SYS_ARCH_UNPROTECT(level);
	if (datagram)
		datagram->next = NULL;
	return datagram;
}

void impnet_lwip_datagram_free(impnet_lwip_datagram *datagram)
{
	SYS_ARCH_DECL_PROTECT(level);
	if (!datagram)
		return;
	SYS_ARCH_PROTECT(level);
	gDatagrams -= 1;
	SYS_ARCH_UNPROTECT(level);
	free(datagram);
}

impnet_lwip_result impnet_lwip_udp_send(impnet_lwip_udp *udp, const void *data, size_t length,
	uint32_t address, uint16_t port, err_t *lwip_err)
{
	Call call;
	err_t err;

	*lwip_err = ERR_OK;
	if (length > IMPNET_LWIP_MAX_DATAGRAM)
		return IMPNET_LWIP_TOO_LONG;
	memset(&call, 0, sizeof(call));
	call.udp = udp;
	call.data = data;
	call.length = (u16_t)length;
	ip_addr_set_ip4_u32_val(call.address, address);
	call.port = port;
	err = tcpip_api_call(send_in_lwip, &call.call);
	if (ERR_OK != err) {
		*lwip_err = err;
		return IMPNET_LWIP_NO_MEMORY;
	}
	*lwip_err = call.err;
	return call.result;
}

void impnet_lwip_udp_close(impnet_lwip_udp *udp)
{
	Call call;
	impnet_lwip_datagram *datagram;
	SYS_ARCH_DECL_PROTECT(level);

	memset(&call, 0, sizeof(call));
	call.udp = udp;
	/* After this returns no receive() can run for this socket: it ran in lwIP's thread, which removed the pcb. */
	tcpip_api_call(close_in_lwip, &call.call);
	while ((datagram = impnet_lwip_udp_take(udp)))
		impnet_lwip_datagram_free(datagram);
	SYS_ARCH_PROTECT(level);
	gSockets -= 1;
	SYS_ARCH_UNPROTECT(level);
	free(udp);
}

uint32_t impnet_lwip_udp_dropped(impnet_lwip_udp *udp)
{
	uint32_t dropped;
	SYS_ARCH_DECL_PROTECT(level);
	SYS_ARCH_PROTECT(level);
	dropped = udp->dropped;
	SYS_ARCH_UNPROTECT(level);
	return dropped;
}

uint32_t impnet_lwip_udp_queued(impnet_lwip_udp *udp)
{
	uint32_t queued;
	SYS_ARCH_DECL_PROTECT(level);
	SYS_ARCH_PROTECT(level);
	queued = udp->queued;
	SYS_ARCH_UNPROTECT(level);
	return queued;
}

uint16_t impnet_lwip_udp_port(impnet_lwip_udp *udp)
{
	return udp->port;
}

void impnet_lwip_udp_totals(uint32_t *sockets, uint32_t *datagrams)
{
	SYS_ARCH_DECL_PROTECT(level);
	SYS_ARCH_PROTECT(level);
	*sockets = gSockets;
	*datagrams = gDatagrams;
	SYS_ARCH_UNPROTECT(level);
}

const char *impnet_lwip_error_text(err_t err)
{
	switch (err) {
		case ERR_OK: return "ok";
		case ERR_MEM: return "out of memory";
		case ERR_BUF: return "buffer error";
		case ERR_TIMEOUT: return "timeout";
		case ERR_RTE: return "no route";
		case ERR_VAL: return "illegal value";
		case ERR_USE: return "address in use";
		case ERR_IF: return "low-level netif error";
		case ERR_ARG: return "illegal argument";
		default: return "lwIP error";
	}
}
