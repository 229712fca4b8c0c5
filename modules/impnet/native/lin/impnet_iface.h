/*
 * The IPv4 configuration of the host interface that holds an address, from
 * the host's interface table (getifaddrs) and routing table
 * (/proc/net/route). Plain C, no XS: the lin backend of impnet's native UDP
 * (docs/native-udp.md §3) asks it which interface "eth0" is.
 */
#ifndef IMPNET_IFACE_H
#define IMPNET_IFACE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

typedef struct {
	char name[IF_NAMESIZE];       /* the host's name for it: "lo", "enp3s0", "v0" */
	struct in_addr address;
	struct in_addr netmask;
	struct in_addr broadcast;     /* the interface's, else address | ~netmask */
	struct in_addr gateway;       /* the interface's default route, if has_gateway */
	bool has_gateway;
	bool loopback;
	bool can_broadcast;           /* IFF_BROADCAST: a LAN that carries broadcasts */
} ImpnetIface;

/* Fills `iface` for the interface holding `address` (on Linux every 127/8 address is lo's); false when none does. */
bool impnetIfaceFind(struct in_addr address, ImpnetIface *iface);

#endif
