/*
 * See impnet_iface.h. Facts relied on: getifaddrs(3) lists one AF_INET entry
 * per IPv4 address with its netmask and, when IFF_BROADCAST is set, its
 * broadcast address; /proc/net/route lists the IPv4 routes, one per line:
 * interface, destination, gateway, flags, ..., mask, all in hexadecimal in
 * network byte order as the kernel stores them (docs/native-udp.md §3).
 */
#include "impnet_iface.h"

#include <ifaddrs.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>

static bool defaultGateway(const char *name, struct in_addr *gateway)
{
	FILE *routes = fopen("/proc/net/route", "r");
	char line[256];
	bool found = false;

	if (!routes)
		return false;
	if (!fgets(line, sizeof(line), routes)) {	/* the header line */
		fclose(routes);
		return false;
	}
	while (!found && fgets(line, sizeof(line), routes)) {
		char device[IF_NAMESIZE + 1];
		unsigned int destination, via, flags, mask;
		int refcnt, use, metric;
		if (sscanf(line, "%16s %x %x %x %d %d %d %x", device, &destination, &via, &flags, &refcnt, &use, &metric, &mask) != 8)
			continue;
		if (strcmp(device, name) || destination || mask || !(flags & RTF_UP) || !(flags & RTF_GATEWAY))
			continue;
		gateway->s_addr = via;	/* already in network byte order */
		found = true;
	}
	fclose(routes);
	return found;
}

/* Whether `entry` holds `address`: its own address, or any address of a loopback interface's subnet (Linux routes all of 127/8 to lo). */
static bool holds(const struct ifaddrs *entry, struct in_addr address)
{
	struct in_addr own = ((const struct sockaddr_in *)entry->ifa_addr)->sin_addr;
	struct in_addr mask = ((const struct sockaddr_in *)entry->ifa_netmask)->sin_addr;
	if (own.s_addr == address.s_addr)
		return true;
	return (entry->ifa_flags & IFF_LOOPBACK) && ((own.s_addr & mask.s_addr) == (address.s_addr & mask.s_addr));
}

bool impnetIfaceFind(struct in_addr address, ImpnetIface *iface)
{
	struct ifaddrs *all, *entry, *found = NULL;

	if (getifaddrs(&all))
		return false;
	for (entry = all; entry; entry = entry->ifa_next) {
		if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET || !entry->ifa_netmask || !holds(entry, address))
			continue;
		found = entry;
		if (((struct sockaddr_in *)entry->ifa_addr)->sin_addr.s_addr == address.s_addr)
			break;	/* an exact match wins over a loopback subnet */
	}
	if (found) {
		memset(iface, 0, sizeof(*iface));
		strncpy(iface->name, found->ifa_name, sizeof(iface->name) - 1);
		iface->address = address;
		iface->netmask = ((struct sockaddr_in *)found->ifa_netmask)->sin_addr;
		iface->loopback = (found->ifa_flags & IFF_LOOPBACK) != 0;
		iface->can_broadcast = (found->ifa_flags & IFF_BROADCAST) != 0;
		if (iface->can_broadcast && found->ifa_broadaddr && found->ifa_broadaddr->sa_family == AF_INET)
			iface->broadcast = ((struct sockaddr_in *)found->ifa_broadaddr)->sin_addr;
		if (!iface->broadcast.s_addr)	/* none (loopback, point-to-point) or not set ("ip addr add" without brd) */
			iface->broadcast.s_addr = address.s_addr | ~iface->netmask.s_addr;
		iface->has_gateway = defaultGateway(iface->name, &iface->gateway);
	}
	freeifaddrs(all);
	return found != NULL;
}
