/*
 * impnet's native UDP for Moddable's lin platform (mcsim): the host functions
 * of ../udp.js on POSIX sockets, woken by GLib's main loop (docs/native-udp.md §3).
 *
 * Interface "NAME" is the host interface holding mc/config's NAME_address
 * (eth0 default 127.0.0.1). A socket on it is up to three kernel sockets on
 * one port, each telling the destination of what it receives by what it is
 * bound to: the interface's unicast address; off loopback, its subnet
 * broadcast address; and 255.255.255.255 tied to the interface
 * (SO_BINDTODEVICE) where the interface carries broadcasts and the process
 * may tie a socket to it. Sends leave from the unicast socket (source: the
 * interface's address; SO_BROADCAST on).
 *
 * Readiness comes from a GLib unix-fd source per kernel socket on the main
 * context XS runs its promise jobs on (xs/platforms/lin_xs.c), so there is
 * no polling interval. A wake-up reads what the kernel holds into a bounded
 * queue, calls onReadable once while the queue is not empty and has not been
 * announced, and reads more once JavaScript drained it. Datagrams arriving
 * while the queue is full and announced are dropped and counted.
 */

#include "xsmc.h"
#include "mc.xs.h"			// xsID_* values
#include "mc.defines.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "impnet_iface.h"

#ifndef MODDEF_IMPNET_UDP_QUEUE
	#define MODDEF_IMPNET_UDP_QUEUE (64)
#endif
#ifndef xsID_destination
	#define xsID_destination xsID("destination")
#endif

#define kMaxDatagram (65507)
#define kReceiveBuffer (4 << 20)
#define kDispatchBudget (1024)		// datagrams one wake-up reads before letting other sources run

enum {
	kUnicast = 0,
	kSubnetBroadcast,
	kLimitedBroadcast,
	kEndpoints
};

typedef struct {
	struct in_addr from;
	uint16_t fromPort;
	uint8_t endpoint;			// which kernel socket received it: its address is the destination
	uint32_t length;
	uint8_t data[];
} Datagram;

typedef struct ImpnetUDPRecord ImpnetUDPRecord;
typedef ImpnetUDPRecord *ImpnetUDP;

typedef struct {
	ImpnetUDP udp;
	int fd;
	GSource *source;
	struct in_addr address;
	char text[INET_ADDRSTRLEN];
} Endpoint;

struct ImpnetUDPRecord {
	xsMachine *the;
	xsSlot obj;
	xsSlot *onReadable;
	Endpoint endpoints[kEndpoints];
	uint16_t port;
	uint8_t closed;
	uint8_t announced;			// onReadable was called; not again until a read() empties the queue
	int holds;
	uint32_t capacity;
	uint32_t head;
	uint32_t count;
	uint32_t dropped;
	Datagram **queue;
};

static void xs_impnet_udp_mark(xsMachine *the, void *it, xsMarkRoot markRoot);
void xs_impnet_udp_destructor(void *it);

static const xsHostHooks gImpnetUDPHooks = {
	xs_impnet_udp_destructor,
	xs_impnet_udp_mark,
	NULL
};

static uint8_t gScratch[65536];		// one datagram at a time, off the kernel (XS runs on one thread)

static gboolean endpointReadable(gint fd, GIOCondition condition, gpointer it);

/* The host interface for `name` (mc/config NAME_address, eth0 default 127.0.0.1); false if no interface holds it. */
static bool configuredInterface(xsMachine *the, const char *name, ImpnetIface *iface)
{
	char key[32];
	char text[INET_ADDRSTRLEN] = "";
	struct in_addr address;

	snprintf(key, sizeof(key), "%s_address", name);
	xsmcVars(2);
	xsVar(0) = xsAwaitImport("mc/config", XS_IMPORT_DEFAULT);
	xsmcGet(xsVar(1), xsVar(0), xsID(key));
	if ((xsStringType == xsmcTypeOf(xsVar(1))) && (c_strlen(xsmcToString(xsVar(1))) < sizeof(text)))
		xsmcToStringBuffer(xsVar(1), text, sizeof(text));
	else if (!c_strcmp(name, "eth0"))
		c_strcpy(text, "127.0.0.1");
	if (1 != inet_pton(AF_INET, text, &address))
		return false;
	return impnetIfaceFind(address, iface);
}

/* A datagram socket bound to address:port (optionally tied to `device`), or -1 with errno set. */
static int bindSocket(struct in_addr address, uint16_t port, const char *device, int shared)
{
	struct sockaddr_in local = {0};
	int on = 1, size = kReceiveBuffer, fd, error;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on));
	if (shared)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	// Room for a burst of 64 KB datagrams; SO_RCVBUFFORCE passes net.core.rmem_max where permitted.
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (device && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, c_strlen(device) + 1))
		goto fail;
	local.sin_family = AF_INET;
	local.sin_port = htons(port);
	local.sin_addr = address;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)))
		goto fail;
	return fd;
fail:
	error = errno;
	close(fd);
	errno = error;
	return -1;
}

static void endpointStart(ImpnetUDP udp, int which, int fd, struct in_addr address)
{
	Endpoint *endpoint = &udp->endpoints[which];
	endpoint->udp = udp;
	endpoint->fd = fd;
	endpoint->address = address;
	inet_ntop(AF_INET, &address, endpoint->text, sizeof(endpoint->text));
	endpoint->source = g_unix_fd_source_new(fd, G_IO_IN);
	g_source_set_callback(endpoint->source, G_SOURCE_FUNC(endpointReadable), endpoint, NULL);	// a unix-fd source calls it as GUnixFDSourceFunc
	g_source_set_priority(endpoint->source, G_PRIORITY_DEFAULT);
	g_source_attach(endpoint->source, g_main_context_get_thread_default());
}

static void endpointsStop(ImpnetUDP udp)
{
	int i;
	for (i = 0; i < kEndpoints; i++) {
		Endpoint *endpoint = &udp->endpoints[i];
		if (endpoint->source) {
			g_source_destroy(endpoint->source);
			g_source_unref(endpoint->source);
			endpoint->source = NULL;
		}
		if (endpoint->fd >= 0) {
			close(endpoint->fd);
			endpoint->fd = -1;
		}
	}
}

static void queueEmpty(ImpnetUDP udp)
{
	while (udp->count) {
		c_free(udp->queue[udp->head]);
		udp->queue[udp->head] = NULL;
		udp->head = (udp->head + 1) % udp->capacity;
		udp->count -= 1;
	}
}

static void udpFree(ImpnetUDP udp)
{
	endpointsStop(udp);
	if (udp->queue) {
		queueEmpty(udp);
		c_free(udp->queue);
	}
	c_free(udp);
}

static void udpRelease(ImpnetUDP udp)
{
	if (--udp->holds <= 0)
		udpFree(udp);
}

/* this = the socket; arguments: port, interface name, onReadable (or undefined), queue length (0: default). */
void xs_impnet_udp_open(xsMachine *the)
{
	uint16_t port = (uint16_t)xsmcToInteger(xsArg(0));
	char name[8];
	int capacity = xsmcToInteger(xsArg(3));
	ImpnetIface iface;
	ImpnetUDP udp;
	int i, fd;

	xsmcToStringBuffer(xsArg(1), name, sizeof(name));
	if (!configuredInterface(the, name, &iface)) {
		xsmcSetString(xsResult, "no network");
		return;
	}
	if (capacity <= 0)
		capacity = MODDEF_IMPNET_UDP_QUEUE;

	udp = c_calloc(1, sizeof(ImpnetUDPRecord));
	if (!udp)
		xsRangeError("no memory");
	for (i = 0; i < kEndpoints; i++)
		udp->endpoints[i].fd = -1;
	udp->queue = c_calloc(capacity, sizeof(Datagram *));
	if (!udp->queue) {
		c_free(udp);
		xsRangeError("no memory");
	}
	udp->capacity = capacity;
	udp->port = port;

	fd = bindSocket(iface.address, port, NULL, 0);
	if (fd < 0) {
		int error = errno;
		udpFree(udp);
		if (EADDRINUSE == error)
			xsmcSetString(xsResult, "bind failed");
		else if (EADDRNOTAVAIL == error)
			xsmcSetString(xsResult, "no network");
		else
			xsmcSetString(xsResult, strerror(error));
		return;
	}
	endpointStart(udp, kUnicast, fd, iface.address);

	// Loopback has no LAN to broadcast on, and every device a PC runs on 127/8 would share its broadcast address.
	if (!iface.loopback) {
		fd = bindSocket(iface.broadcast, port, NULL, 1);
		if (fd < 0) {
			int error = errno;
			udpFree(udp);
			xsmcSetString(xsResult, (EADDRINUSE == error) ? "bind failed" : strerror(error));
			return;
		}
		endpointStart(udp, kSubnetBroadcast, fd, iface.broadcast);
		if (iface.can_broadcast) {
			// Optional: SO_BINDTODEVICE may be refused without CAP_NET_RAW; then 255.255.255.255 is not heard.
			struct in_addr limited = { htonl(INADDR_BROADCAST) };
			fd = bindSocket(limited, port, iface.name, 1);
			if (fd >= 0)
				endpointStart(udp, kLimitedBroadcast, fd, limited);
		}
	}

	if (xsmcTest(xsArg(2)))
		udp->onReadable = xsmcToReference(xsArg(2));
	udp->the = the;
	udp->obj = xsThis;
	udp->holds = 1;
	xsmcSetHostData(xsThis, udp);
	xsSetHostHooks(xsThis, (xsHostHooks *)&gImpnetUDPHooks);
	xsRemember(udp->obj);	// an open socket lives until close(), as Moddable's own sockets do
}

/* Called by XS's garbage collector or when the machine ends; close() leaves nothing for it. */
void xs_impnet_udp_destructor(void *it)
{
	if (it)
		udpFree((ImpnetUDP)it);
}

static void xs_impnet_udp_mark(xsMachine *the, void *it, xsMarkRoot markRoot)
{
	ImpnetUDP udp = it;
	if (udp && udp->onReadable)
		(*markRoot)(the, udp->onReadable);
}

static ImpnetUDP openSocket(xsMachine *the)
{
	ImpnetUDP udp = xsmcGetHostDataValidate(xsThis, (void *)&gImpnetUDPHooks);
	if (!udp)
		xsUnknownError("closed");
	return udp;
}

void xs_impnet_udp_close(xsMachine *the)
{
	ImpnetUDP udp = xsmcGetHostDataValidate(xsThis, (void *)&gImpnetUDPHooks);
	if (!udp)
		return;
	udp->closed = 1;
	endpointsStop(udp);
	queueEmpty(udp);
	xsmcSetHostData(xsThis, NULL);
	xsForget(udp->obj);
	udpRelease(udp);
}

void xs_impnet_udp_read(xsMachine *the)
{
	ImpnetUDP udp = openSocket(the);
	Datagram *datagram;
	char from[INET_ADDRSTRLEN];

	if (!udp->count) {
		udp->announced = 0;
		return;
	}
	datagram = udp->queue[udp->head];
	// The ArrayBuffer first: if XS runs out of memory the datagram stays queued.
	xsmcSetArrayBuffer(xsResult, datagram->data, datagram->length);
	xsmcVars(1);
	inet_ntop(AF_INET, &datagram->from, from, sizeof(from));
	xsmcSetString(xsVar(0), from);
	xsmcSet(xsResult, xsID_address, xsVar(0));
	xsmcSetInteger(xsVar(0), datagram->fromPort);
	xsmcSet(xsResult, xsID_port, xsVar(0));
	xsmcSetString(xsVar(0), udp->endpoints[datagram->endpoint].text);
	xsmcSet(xsResult, xsID_destination, xsVar(0));

	udp->queue[udp->head] = NULL;
	udp->head = (udp->head + 1) % udp->capacity;
	udp->count -= 1;
	if (!udp->count)
		udp->announced = 0;
	c_free(datagram);
}

void xs_impnet_udp_write(xsMachine *the)
{
	ImpnetUDP udp = openSocket(the);
	void *data;
	xsUnsignedValue length;
	struct sockaddr_in to = {0};
	const char *address;
	int port, result;

	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (length > kMaxDatagram)
		xsRangeError("write: buffer of %u bytes is over %d", (unsigned)length, kMaxDatagram);
	address = xsmcToString(xsArg(1));
	if (1 != inet_pton(AF_INET, address, &to.sin_addr))
		xsTypeError("write: address is not a dotted quad");
	port = xsmcToInteger(xsArg(2));
	if ((port < 0) || (port > 65535))
		xsRangeError("write: port %d is outside 0-65535", port);
	to.sin_family = AF_INET;
	to.sin_port = htons(port);

	do {
		result = sendto(udp->endpoints[kUnicast].fd, data, length, 0, (struct sockaddr *)&to, sizeof(to));
	} while ((result < 0) && (EINTR == errno));
	if (result < 0) {
		int error = errno;
		if ((ENETUNREACH == error) || (EHOSTUNREACH == error) || (ENETDOWN == error) || (EADDRNOTAVAIL == error))
			xsUnknownError("no network");
		xsUnknownError("%s", strerror(error));
	}
}

void xs_impnet_udp_get_dropped(xsMachine *the)
{
	xsmcSetInteger(xsResult, openSocket(the)->dropped);
}

/* [address, netmask, broadcast, gateway?] of the interface named by the argument, or undefined. */
void xs_impnet_udp_interface_info(xsMachine *the)
{
	char name[8];
	char text[INET_ADDRSTRLEN];
	ImpnetIface iface;

	xsmcToStringBuffer(xsArg(0), name, sizeof(name));
	if (!configuredInterface(the, name, &iface))
		return;
	xsmcSetNewArray(xsResult, iface.has_gateway ? 4 : 3);
	inet_ntop(AF_INET, &iface.address, text, sizeof(text));
	xsmcSetString(xsVar(0), text);
	xsmcSetIndex(xsResult, 0, xsVar(0));
	inet_ntop(AF_INET, &iface.netmask, text, sizeof(text));
	xsmcSetString(xsVar(0), text);
	xsmcSetIndex(xsResult, 1, xsVar(0));
	inet_ntop(AF_INET, &iface.broadcast, text, sizeof(text));
	xsmcSetString(xsVar(0), text);
	xsmcSetIndex(xsResult, 2, xsVar(0));
	if (iface.has_gateway) {
		inet_ntop(AF_INET, &iface.gateway, text, sizeof(text));
		xsmcSetString(xsVar(0), text);
		xsmcSetIndex(xsResult, 3, xsVar(0));
	}
}

typedef enum {
	kDrained,			// the kernel has nothing more
	kQueueFull,			// the queue is full and not announced yet: announce, then read on
	kBudgetSpent
} PullResult;

/* Moves datagrams from `endpoint`'s kernel socket into the queue. */
static PullResult pull(ImpnetUDP udp, Endpoint *endpoint, int *budget)
{
	for (;;) {
		struct sockaddr_in from;
		socklen_t fromLength = sizeof(from);
		Datagram *datagram;
		ssize_t length;

		if ((udp->count == udp->capacity) && !udp->announced && udp->onReadable)
			return kQueueFull;
		if (*budget <= 0)
			return kBudgetSpent;
		length = recvfrom(endpoint->fd, gScratch, sizeof(gScratch), MSG_DONTWAIT, (struct sockaddr *)&from, &fromLength);
		if (length < 0) {
			if (EINTR == errno)
				continue;
			return kDrained;	// EAGAIN, or an error the next datagram does not depend on
		}
		*budget -= 1;
		// lwIP does not hand a netif's own broadcasts back to it; Linux loops them back: leave them out.
		if ((endpoint != &udp->endpoints[kUnicast]) && (from.sin_addr.s_addr == udp->endpoints[kUnicast].address.s_addr) && (ntohs(from.sin_port) == udp->port))
			continue;
		if (udp->count == udp->capacity) {
			udp->dropped += 1;
			continue;
		}
		datagram = c_malloc(sizeof(Datagram) + length);
		if (!datagram) {
			udp->dropped += 1;
			continue;
		}
		datagram->from = from.sin_addr;
		datagram->fromPort = ntohs(from.sin_port);
		datagram->endpoint = (uint8_t)(endpoint - udp->endpoints);
		datagram->length = (uint32_t)length;
		c_memcpy(datagram->data, gScratch, length);
		udp->queue[(udp->head + udp->count) % udp->capacity] = datagram;
		udp->count += 1;
	}
}

static void announce(ImpnetUDP udp)
{
	udp->announced = 1;
	xsBeginHost(udp->the);
		xsmcSetInteger(xsResult, udp->count);
		xsCallFunction1(xsReference(udp->onReadable), udp->obj, xsResult);
	xsEndHost(udp->the);
}

static gboolean endpointReadable(gint fd, GIOCondition condition, gpointer it)
{
	Endpoint *endpoint = it;
	ImpnetUDP udp = endpoint->udp;
	int budget = kDispatchBudget;
	PullResult result;

	udp->holds += 1;		// onReadable may close the socket
	do {
		result = pull(udp, endpoint, &budget);
		if (udp->count && !udp->announced && udp->onReadable)
			announce(udp);
	} while (!udp->closed && (kQueueFull == result));
	udpRelease(udp);
	return G_SOURCE_CONTINUE;	// close() destroys the source
}
