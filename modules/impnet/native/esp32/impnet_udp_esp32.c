/*
 * impnet's native UDP for Moddable on ESP32: the host functions of ../udp.js
 * (docs/native-udp.md §1) over the plain-C lwIP socket in ../lwip
 * (docs/native-lwip.md §2).
 *
 * Interfaces are ESP-IDF netifs found by interface key: eth0 is "ETH_DEF"
 * (Moddable's ECMA-419 Ethernet), wl0 "WIFI_STA_DEF" (its WiFi station).
 * The lwIP part tells a socket's reader from lwIP's thread; this file posts
 * that to the XS task with modMessagePostToMachine, as Moddable's own lwIP
 * UDP (modules/io/socket/lwip/udp.c) does, and calls onReadable there.
 */

#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"			// xsID_* values
#include "mc.defines.h"

#include "esp_netif.h"
#include "lwip/ip4_addr.h"

#include "impnet_lwip_udp.h"

#ifndef MODDEF_IMPNET_UDP_QUEUE
	#define MODDEF_IMPNET_UDP_QUEUE (64)
#endif
#ifndef MODDEF_IMPNET_ETH0_IFKEY
	#define MODDEF_IMPNET_ETH0_IFKEY "ETH_DEF"
#endif
#ifndef MODDEF_IMPNET_WL0_IFKEY
	#define MODDEF_IMPNET_WL0_IFKEY "WIFI_STA_DEF"
#endif
#ifndef xsID_destination
	#define xsID_destination xsID("destination")
#endif

typedef struct ImpnetUDPRecord ImpnetUDPRecord;
typedef ImpnetUDPRecord *ImpnetUDP;

struct ImpnetUDPRecord {
	impnet_lwip_udp *udp;		// NULL once closed
	xsMachine *the;
	xsSlot obj;
	xsSlot *onReadable;
	uint16_t posted;			// messages on their way to the XS task (modCriticalSection)
	uint8_t closed;
};

static void xs_impnet_udp_mark(xsMachine *the, void *it, xsMarkRoot markRoot);
void xs_impnet_udp_destructor(void *it);

static const xsHostHooks gImpnetUDPHooks = {
	xs_impnet_udp_destructor,
	xs_impnet_udp_mark,
	NULL
};

/* The ESP-IDF netif of "eth0" or "wl0", or NULL (none made yet: then lwIP's thread may not run either). */
static esp_netif_t *netifNamed(xsMachine *the, xsSlot *name)
{
	char text[8];
	if (!esp_netif_get_default_netif())
		return NULL;
	xsmcToStringBuffer(*name, text, sizeof(text));
	if (!c_strcmp(text, "eth0"))
		return esp_netif_get_handle_from_ifkey(MODDEF_IMPNET_ETH0_IFKEY);
	if (!c_strcmp(text, "wl0"))
		return esp_netif_get_handle_from_ifkey(MODDEF_IMPNET_WL0_IFKEY);
	return NULL;
}

static void dotted(xsMachine *the, xsSlot *slot, uint32_t address)
{
	char text[16];
	ip4_addr_t ip;
	ip4_addr_set_u32(&ip, address);
	ip4addr_ntoa_r(&ip, text, sizeof(text));
	xsmcSetString(*slot, text);
}

/* Frees the record once it is closed and no message for it is on its way. */
static void release(ImpnetUDP udp)
{
	uint8_t last;
	modCriticalSectionDeclare;

	modCriticalSectionBegin();
	last = udp->closed && !udp->posted;
	modCriticalSectionEnd();
	if (last)
		c_free(udp);
}

/* In the XS task: datagrams wait. */
static void deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	ImpnetUDP udp = refcon;
	uint32_t queued;
	modCriticalSectionDeclare;

	modCriticalSectionBegin();
	udp->posted -= 1;
	modCriticalSectionEnd();
	if (udp->closed) {
		release(udp);
		return;
	}
	queued = impnet_lwip_udp_queued(udp->udp);
	if (!queued)
		return;		// a read() emptied the queue since
	// onReadable may close the socket: it is freed then (nothing is on its way), so nothing here reads it after.
	xsBeginHost(the);
		xsmcSetInteger(xsResult, queued);
		xsCallFunction1(xsReference(udp->onReadable), udp->obj, xsResult);
	xsEndHost(the);
}

/* In lwIP's thread: the lwIP part's readable callback. */
static int readable(void *context)
{
	ImpnetUDP udp = context;
	modCriticalSectionDeclare;

	if (!udp->onReadable)
		return 1;		// nobody to tell; read() re-arms it
	modCriticalSectionBegin();
	udp->posted += 1;
	modCriticalSectionEnd();
	if (0 == modMessagePostToMachine(udp->the, NULL, 0, deliver, udp))
		return 1;
	modCriticalSectionBegin();
	udp->posted -= 1;
	modCriticalSectionEnd();
	return 0;			// the XS task's queue stayed full: the next datagram tries again
}

/* this = the socket; arguments: port, interface name, onReadable (or undefined), queue length (0: default). */
void xs_impnet_udp_open(xsMachine *the)
{
	uint16_t port = (uint16_t)xsmcToInteger(xsArg(0));
	int queue = xsmcToInteger(xsArg(3));
	esp_netif_t *netif = netifNamed(the, &xsArg(1));
	int index = netif ? esp_netif_get_netif_impl_index(netif) : -1;
	impnet_lwip_result result;
	ImpnetUDP udp;

	if ((index <= 0) || (index > 255)) {
		xsmcSetString(xsResult, "no network");
		return;
	}
	udp = c_calloc(1, sizeof(ImpnetUDPRecord));
	if (!udp)
		xsRangeError("no memory");
	udp->the = the;
	udp->obj = xsThis;
	if (xsmcTest(xsArg(2)))
		udp->onReadable = xsmcToReference(xsArg(2));
	result = impnet_lwip_udp_open((uint8_t)index, port, (uint16_t)((queue > 0) ? queue : MODDEF_IMPNET_UDP_QUEUE),
		readable, udp, &udp->udp);
	if (IMPNET_LWIP_OK != result) {
		c_free(udp);
		if (IMPNET_LWIP_IN_USE == result)
			xsmcSetString(xsResult, "bind failed");
		else if (IMPNET_LWIP_NO_NETWORK == result)
			xsmcSetString(xsResult, "no network");
		else if (IMPNET_LWIP_NO_MEMORY == result)
			xsmcSetString(xsResult, "no memory");
		else
			xsmcSetString(xsResult, "bind refused");
		return;
	}
	xsmcSetHostData(xsThis, udp);
	xsSetHostHooks(xsThis, (xsHostHooks *)&gImpnetUDPHooks);
	xsRemember(udp->obj);	// an open socket lives until close(), as Moddable's own sockets do
}

/* Called by XS's garbage collector or when the machine ends; close() leaves nothing for it. */
void xs_impnet_udp_destructor(void *it)
{
	ImpnetUDP udp = it;
	if (!udp)
		return;
	impnet_lwip_udp_close(udp->udp);
	udp->udp = NULL;
	udp->closed = 1;
	release(udp);
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
	xsmcSetHostData(xsThis, NULL);
	xsForget(udp->obj);
	xs_impnet_udp_destructor(udp);	// lwIP's thread removes the pcb: no message is posted after this
}

void xs_impnet_udp_read(xsMachine *the)
{
	ImpnetUDP udp = openSocket(the);
	impnet_lwip_datagram *datagram = impnet_lwip_udp_peek(udp->udp);

	if (!datagram) {
		impnet_lwip_datagram_free(impnet_lwip_udp_take(udp->udp));	// NULL: re-arms the readable callback
		return;
	}
	// Everything JavaScript sees first: if XS runs out of memory the datagram stays queued.
	xsmcSetArrayBuffer(xsResult, datagram->bytes, datagram->length);
	xsmcVars(1);
	dotted(the, &xsVar(0), datagram->source);
	xsmcSet(xsResult, xsID_address, xsVar(0));
	xsmcSetInteger(xsVar(0), datagram->source_port);
	xsmcSet(xsResult, xsID_port, xsVar(0));
	dotted(the, &xsVar(0), datagram->destination);
	xsmcSet(xsResult, xsID_destination, xsVar(0));
	impnet_lwip_datagram_free(impnet_lwip_udp_take(udp->udp));
}

void xs_impnet_udp_write(xsMachine *the)
{
	ImpnetUDP udp = openSocket(the);
	void *data;
	xsUnsignedValue length;
	ip4_addr_t to;
	int port;
	err_t err;
	impnet_lwip_result result;

	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (length > IMPNET_LWIP_MAX_DATAGRAM)
		xsRangeError("write: buffer of %u bytes is over %d", (unsigned)length, IMPNET_LWIP_MAX_DATAGRAM);
	if (!ip4addr_aton(xsmcToString(xsArg(1)), &to))
		xsTypeError("write: address is not a dotted quad");
	port = xsmcToInteger(xsArg(2));
	if ((port < 0) || (port > 65535))
		xsRangeError("write: port %d is outside 0-65535", port);
	// The bytes stay where XS has them: this task waits in tcpip_api_call while lwIP reads them.
	result = impnet_lwip_udp_send(udp->udp, data, length, ip4_addr_get_u32(&to), (uint16_t)port, &err);
	if (IMPNET_LWIP_OK == result)
		return;
	if (IMPNET_LWIP_NO_NETWORK == result)
		xsUnknownError("no network");
	if (IMPNET_LWIP_NO_MEMORY == result)
		xsUnknownError("no memory");
	xsUnknownError("%s", impnet_lwip_error_text(err));
}

void xs_impnet_udp_get_dropped(xsMachine *the)
{
	xsmcSetInteger(xsResult, impnet_lwip_udp_dropped(openSocket(the)->udp));
}

/* [address, netmask, broadcast, gateway?] of the interface named by the argument, or undefined. */
void xs_impnet_udp_interface_info(xsMachine *the)
{
	esp_netif_t *netif = netifNamed(the, &xsArg(0));
	esp_netif_ip_info_t info;
	uint32_t broadcast;

	if (!netif || (ESP_OK != esp_netif_get_ip_info(netif, &info)) || !info.ip.addr)
		return;
	broadcast = (info.ip.addr & info.netmask.addr) | ~info.netmask.addr;
	xsmcVars(1);
	xsmcSetNewArray(xsResult, info.gw.addr ? 4 : 3);
	dotted(the, &xsVar(0), info.ip.addr);
	xsmcSetIndex(xsResult, 0, xsVar(0));
	dotted(the, &xsVar(0), info.netmask.addr);
	xsmcSetIndex(xsResult, 1, xsVar(0));
	dotted(the, &xsVar(0), broadcast);
	xsmcSetIndex(xsResult, 2, xsVar(0));
	if (info.gw.addr) {
		dotted(the, &xsVar(0), info.gw.addr);
		xsmcSetIndex(xsResult, 3, xsVar(0));
	}
}
