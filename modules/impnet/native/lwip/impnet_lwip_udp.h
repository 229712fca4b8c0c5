/*
 * impnet's UDP socket on lwIP's raw API: plain C, no XS and no ESP-IDF, so the
 * same file builds into the ESP32 firmware and, on Linux, against Debian's
 * liblwip for the TAP tests (docs/native-lwip.md).
 *
 * A socket belongs to one netif: its pcb is bound to the netif
 * (udp_bind_netif), so it receives only what arrives on that netif and is
 * addressed to the netif's address, its subnet broadcast or 255.255.255.255,
 * and it sends from the netif's address out of that netif only. The pcb's
 * address is IP_ADDR_ANY (with SO_REUSE), so the socket follows the netif
 * through a change of address; the same port can be open on each netif.
 *
 * Threads: every lwIP call is made in lwIP's thread (tcpip_api_call, as
 * Moddable's modLwipSafe.c does); take() and the counters may be called from
 * any one other thread (the XS task). Received datagrams wait in a bounded
 * queue, each copied once from its pbuf chain into its own buffer so the pbuf
 * goes back to lwIP (and the network driver) at once.
 */
#ifndef IMPNET_LWIP_UDP_H
#define IMPNET_LWIP_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct impnet_lwip_udp impnet_lwip_udp;

/** One received datagram; owned by the caller of take() until impnet_lwip_datagram_free(). */
typedef struct impnet_lwip_datagram {
	struct impnet_lwip_datagram *next;
	uint32_t source;          /* sender's IPv4 address, network byte order (as ip4_addr_t.addr) */
	uint32_t destination;     /* the address it was sent to: the netif's, its subnet broadcast or 255.255.255.255 */
	uint16_t source_port;
	uint16_t length;
	uint8_t bytes[];
} impnet_lwip_datagram;

/**
 * Called in lwIP's thread when a datagram was queued and the reader has not
 * been told since take() last emptied the queue. Returns nonzero when the
 * reader will be told (a message was posted); zero when it could not be, so
 * that the next datagram tries again.
 */
typedef int (*impnet_lwip_readable_fn)(void *context);

typedef enum {
	IMPNET_LWIP_OK = 0,
	IMPNET_LWIP_IN_USE,      /* the port is already bound on that netif */
	IMPNET_LWIP_NO_NETWORK,  /* no such netif, no IPv4 address on it, or no route from it */
	IMPNET_LWIP_NO_MEMORY,
	IMPNET_LWIP_TOO_LONG,    /* more than IMPNET_LWIP_MAX_DATAGRAM bytes */
	IMPNET_LWIP_REFUSED      /* any other lwIP error: see the err_t */
} impnet_lwip_result;

/** The largest UDP payload IPv4 can carry. */
#define IMPNET_LWIP_MAX_DATAGRAM 65507

/**
 * Opens a socket on `port` (1..65535) of the netif with index `netif_index`
 * (netif_get_index()). At most `queue_limit` datagrams wait; later ones are
 * dropped and counted. `readable(context)` is called as described above.
 */
impnet_lwip_result impnet_lwip_udp_open(uint8_t netif_index, uint16_t port, uint16_t queue_limit,
	impnet_lwip_readable_fn readable, void *context, impnet_lwip_udp **udp);

/** The oldest queued datagram, left in the queue (only the reader takes), or NULL when none waits. */
impnet_lwip_datagram *impnet_lwip_udp_peek(impnet_lwip_udp *udp);

/** The oldest queued datagram, taken off the queue, or NULL when none waits. Emptying the queue re-arms `readable`. */
impnet_lwip_datagram *impnet_lwip_udp_take(impnet_lwip_udp *udp);

void impnet_lwip_datagram_free(impnet_lwip_datagram *datagram);

/**
 * Sends `length` bytes to `address` (network byte order) and `port` from the
 * socket's netif address, out of its netif. Broadcast is allowed. When it
 * returns, lwIP has the datagram (or refused it: `*lwip_err` then holds
 * lwIP's error when the result is IMPNET_LWIP_REFUSED or NO_NETWORK).
 */
impnet_lwip_result impnet_lwip_udp_send(impnet_lwip_udp *udp, const void *data, size_t length,
	uint32_t address, uint16_t port, err_t *lwip_err);

/** Removes the pcb (in lwIP's thread), drops the queued datagrams and frees the socket. */
void impnet_lwip_udp_close(impnet_lwip_udp *udp);

/** Datagrams dropped because the queue was full (or no memory for a copy). */
uint32_t impnet_lwip_udp_dropped(impnet_lwip_udp *udp);

/** Datagrams waiting in the queue. */
uint32_t impnet_lwip_udp_queued(impnet_lwip_udp *udp);

/** The port the socket is bound to. */
uint16_t impnet_lwip_udp_port(impnet_lwip_udp *udp);

/** Sockets open and datagram buffers allocated, over all sockets (for leak checks). */
void impnet_lwip_udp_totals(uint32_t *sockets, uint32_t *datagrams);

/** A short English text for an lwIP error (lwip_strerr is compiled only with LWIP_DEBUG). */
const char *impnet_lwip_error_text(err_t err);

#ifdef __cplusplus
}
#endif

#endif
