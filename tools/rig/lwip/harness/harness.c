/*
 * The lwIP test harness (docs/native-lwip.md §3): Debian's liblwip (its unix
 * port's tcpip thread) with one netif per TAP device (tap.c), and impnet's
 * lwIP socket (modules/impnet/native/lwip) on top. The main thread plays the
 * XS task: it gets `readable` notifications through a pipe (as the ESP32
 * binding gets them through Moddable's message queue), drains sockets with
 * take(), and speaks a line protocol:
 *
 *   stdin, one command a line        stdout
 *   open N IFACE PORT LIMIT          = opened N PORT | = open-failed N REASON
 *   send N ADDRESS PORT LENGTH SEED  = sent N | = send-failed N REASON LWIP_ERR
 *   hold N | release N               = held N | = released N (release drains)
 *   echo N                           = echoing N (every datagram goes back to its sender)
 *   drain N                          = drained N COUNT (after a * recv line each)
 *   queue N                          = queue N QUEUED DROPPED NOTIFIED ECHOED
 *   close N                          = closed N
 *   address IFACE A.B.C.D            = address IFACE A.B.C.D
 *   stock PORT | unstock PORT        = stock PORT ERR | = unstocked PORT (a pcb bound as Moddable's
 *                                      stock UDP binds: IP_ADDR_ANY, no netif; ERR is lwIP's err_t)
 *   info IFACE                       = info IFACE ADDRESS NETMASK GATEWAY BROADCAST
 *   stats                            = stats key=value ...
 *   (events)                         * recv N SOURCE SPORT DESTINATION LENGTH FNV1A
 *
 * Arguments: IFACE=TAPDEV=ADDRESS/PREFIX[=GATEWAY] per netif; the TAP is
 * created (or attached) in the current network namespace. The netifs' MAC
 * addresses are 02:69:6d:70:00:NN, NN = 1, 2, … in argument order.
 * Payloads sent are a pattern: byte i = (SEED * 31 + i * 7 + (i >> 8)) & 0xff.
 *
 * Memory accounting: Debian's build has LWIP_STATS 0, so the harness counts
 * lwIP's pool and heap allocations itself by interposing memp_malloc/memp_free
 * and mem_malloc/mem_free, which liblwip.so calls through its PLT.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include "impnet_lwip_udp.h"
#include "tap.h"

#define MAX_NETIFS 4
#define MAX_SOCKETS 128

/* ---- lwIP memory accounting ---- */

static atomic_long gPoolLive[MEMP_MAX];
static atomic_long gHeapLive;
static const char *const gPoolNames[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

void *memp_malloc(memp_t type)
{
	static void *(*real)(memp_t);
	void *memory;
	if (!real)
		real = (void *(*)(memp_t))dlsym(RTLD_NEXT, "memp_malloc");
	memory = real(type);
	if (memory)
		atomic_fetch_add(&gPoolLive[type], 1);
	return memory;
}

void memp_free(memp_t type, void *memory)
{
	static void (*real)(memp_t, void *);
	if (!real)
		real = (void (*)(memp_t, void *))dlsym(RTLD_NEXT, "memp_free");
	if (memory)
		atomic_fetch_sub(&gPoolLive[type], 1);
	real(type, memory);
}

void *mem_malloc(mem_size_t size)
{
	static void *(*real)(mem_size_t);
	void *memory;
	if (!real)
		real = (void *(*)(mem_size_t))dlsym(RTLD_NEXT, "mem_malloc");
	memory = real(size);
	if (memory)
		atomic_fetch_add(&gHeapLive, 1);
	return memory;
}

void mem_free(void *memory)
{
	static void (*real)(void *);
	if (!real)
		real = (void (*)(void *))dlsym(RTLD_NEXT, "mem_free");
	if (memory)
		atomic_fetch_sub(&gHeapLive, 1);
	real(memory);
}

/* ---- netifs ---- */

typedef struct {
	char name[16];
	struct netif netif;
	TapState tap;
} Netif;

static Netif gNetifs[MAX_NETIFS];
static int gNetifCount;

static Netif *findNetif(const char *name)
{
	for (int i = 0; i < gNetifCount; i++)
		if (!strcmp(gNetifs[i].name, name))
			return &gNetifs[i];
	return NULL;
}

static void fail(const char *message, const char *detail)
{
	fprintf(stderr, "lwip-harness: %s%s%s\n", message, detail ? ": " : "", detail ? detail : "");
	exit(2);
}

/* IFACE=TAPDEV=ADDRESS/PREFIX[=GATEWAY] */
static void addNetif(char *spec)
{
	char *name = strtok(spec, "="), *tap = strtok(NULL, "="), *cidr = strtok(NULL, "="), *gateway = strtok(NULL, "=");
	char *slash = cidr ? strchr(cidr, '/') : NULL;
	ip4_addr_t address, netmask, gw;
	Netif *entry;
	int prefix;

	if (!name || !tap || !slash || gNetifCount == MAX_NETIFS)
		fail("bad interface", spec);
	*slash = 0;
	prefix = atoi(slash + 1);
	if (!ip4addr_aton(cidr, &address) || prefix < 1 || prefix > 30)
		fail("bad address", cidr);
	ip4_addr_set_u32(&netmask, lwip_htonl(0xFFFFFFFFu << (32 - prefix)));
	ip4_addr_set_zero(&gw);
	if (gateway && !ip4addr_aton(gateway, &gw))
		fail("bad gateway", gateway);

	entry = &gNetifs[gNetifCount++];
	snprintf(entry->name, sizeof(entry->name), "%s", name);
	snprintf(entry->tap.device, sizeof(entry->tap.device), "%s", tap);
	memcpy(entry->tap.mac, (unsigned char[6]){ 0x02, 0x69, 0x6d, 0x70, 0x00, (unsigned char)gNetifCount }, 6);
	LOCK_TCPIP_CORE();
	if (!netif_add(&entry->netif, &address, &netmask, &gw, &entry->tap, tap_netif_init, tcpip_input))
		fail("netif_add failed", name);
	if (1 == gNetifCount)
		netif_set_default(&entry->netif);
	netif_set_up(&entry->netif);
	UNLOCK_TCPIP_CORE();
}

/* ---- sockets: the main thread is the reader ---- */

typedef struct {
	impnet_lwip_udp *udp;
	int index;
	int held;
	int echo;
	unsigned long notified;
	unsigned long echoed;
	unsigned long echoFailures;
} Socket;

static Socket gSockets[MAX_SOCKETS];
static int gNotify[2];

/* In lwIP's thread: stands for modMessagePostToMachine. */
static int readable(void *context)
{
	unsigned char index = (unsigned char)((Socket *)context)->index;
	return 1 == write(gNotify[1], &index, 1);
}

static uint32_t fnv1a(const uint8_t *bytes, size_t length)
{
	uint32_t hash = 2166136261u;
	for (size_t i = 0; i < length; i++) {
		hash ^= bytes[i];
		hash *= 16777619u;
	}
	return hash;
}

static void dotted(uint32_t address, char *text)
{
	ip4_addr_t a;
	ip4_addr_set_u32(&a, address);
	ip4addr_ntoa_r(&a, text, 16);
}

/* Takes every queued datagram: printed, or echoed back to its sender. */
static unsigned long drain(Socket *socket)
{
	impnet_lwip_datagram *datagram;
	unsigned long count = 0;
	char source[16], destination[16];
	err_t err;

	while ((datagram = impnet_lwip_udp_take(socket->udp))) {
		count++;
		if (socket->echo) {
			if (IMPNET_LWIP_OK == impnet_lwip_udp_send(socket->udp, datagram->bytes, datagram->length, datagram->source, datagram->source_port, &err))
				socket->echoed++;
			else
				socket->echoFailures++;
		}
		else {
			dotted(datagram->source, source);
			dotted(datagram->destination, destination);
			printf("* recv %d %s %u %s %u %08x\n", socket->index, source, datagram->source_port, destination, datagram->length, fnv1a(datagram->bytes, datagram->length));
		}
		impnet_lwip_datagram_free(datagram);
	}
	return count;
}

static Socket *socketArg(const char *text)
{
	int index = text ? atoi(text) : -1;
	if (index < 0 || index >= MAX_SOCKETS || !gSockets[index].udp) {
		printf("= error no socket %s\n", text ? text : "");
		return NULL;
	}
	return &gSockets[index];
}

static const char *reason(impnet_lwip_result result)
{
	switch (result) {
		case IMPNET_LWIP_OK: return "ok";
		case IMPNET_LWIP_IN_USE: return "in-use";
		case IMPNET_LWIP_NO_NETWORK: return "no-network";
		case IMPNET_LWIP_NO_MEMORY: return "no-memory";
		case IMPNET_LWIP_TOO_LONG: return "too-long";
		default: return "refused";
	}
}

static void commandOpen(char **args)
{
	int index = args[0] ? atoi(args[0]) : -1;
	Netif *netif = args[1] ? findNetif(args[1]) : NULL;
	impnet_lwip_result result;

	if (index < 0 || index >= MAX_SOCKETS || gSockets[index].udp || !args[2] || !args[3]) {
		printf("= error bad open\n");
		return;
	}
	memset(&gSockets[index], 0, sizeof(Socket));
	gSockets[index].index = index;
	/* An unknown interface name opens on a netif index that does not exist. */
	result = impnet_lwip_udp_open(netif ? netif_get_index(&netif->netif) : 250, (uint16_t)atoi(args[2]), (uint16_t)atoi(args[3]),
		readable, &gSockets[index], &gSockets[index].udp);
	if (IMPNET_LWIP_OK == result)
		printf("= opened %d %u\n", index, impnet_lwip_udp_port(gSockets[index].udp));
	else
		printf("= open-failed %d %s\n", index, reason(result));
}

static void commandSend(char **args)
{
	Socket *socket = socketArg(args[0]);
	ip4_addr_t address;
	size_t length;
	uint8_t *bytes;
	unsigned seed;
	impnet_lwip_result result;
	err_t err;

	if (!socket)
		return;
	if (!args[1] || !ip4addr_aton(args[1], &address) || !args[2] || !args[3] || !args[4]) {
		printf("= error bad send\n");
		return;
	}
	length = strtoul(args[3], NULL, 10);
	seed = (unsigned)strtoul(args[4], NULL, 10);
	bytes = malloc(length ? length : 1);
	for (size_t i = 0; i < length; i++)
		bytes[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	result = impnet_lwip_udp_send(socket->udp, bytes, length, ip4_addr_get_u32(&address), (uint16_t)atoi(args[2]), &err);
	free(bytes);
	if (IMPNET_LWIP_OK == result)
		printf("= sent %d\n", socket->index);
	else
		printf("= send-failed %d %s %d\n", socket->index, reason(result), (int)err);
}

static void commandStats(void)
{
	uint32_t sockets, datagrams;
	int pcbs = 0;
	long refused = 0;

	impnet_lwip_udp_totals(&sockets, &datagrams);
	for (int i = 0; i < gNetifCount; i++)
		refused += atomic_load(&gNetifs[i].tap.refused);
	LOCK_TCPIP_CORE(); /* a snapshot between two lwIP steps */
	for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next)
		pcbs++;
	printf("= stats sockets=%u datagrams=%u udp_pcbs=%d heap=%ld input_refused=%ld", sockets, datagrams, pcbs,
		atomic_load(&gHeapLive), refused);
	for (int i = 0; i < MEMP_MAX; i++)
		printf(" memp.%s=%ld", gPoolNames[i], atomic_load(&gPoolLive[i]));
	UNLOCK_TCPIP_CORE();
	printf("\n");
}

static void commandInfo(char **args)
{
	Netif *entry = args[0] ? findNetif(args[0]) : NULL;
	char address[16], netmask[16], gateway[16], broadcast[16];
	uint32_t a, m;

	if (!entry) {
		printf("= error no interface\n");
		return;
	}
	LOCK_TCPIP_CORE();
	a = ip4_addr_get_u32(netif_ip4_addr(&entry->netif));
	m = ip4_addr_get_u32(netif_ip4_netmask(&entry->netif));
	dotted(a, address);
	dotted(m, netmask);
	dotted(ip4_addr_get_u32(netif_ip4_gw(&entry->netif)), gateway);
	UNLOCK_TCPIP_CORE();
	dotted((a & m) | ~m, broadcast);
	printf("= info %s %s %s %s %s\n", entry->name, address, netmask, gateway, broadcast);
}

static void commandAddress(char **args)
{
	Netif *entry = args[0] ? findNetif(args[0]) : NULL;
	ip4_addr_t address;

	if (!entry || !args[1] || !ip4addr_aton(args[1], &address)) {
		printf("= error bad address\n");
		return;
	}
	LOCK_TCPIP_CORE();
	netif_set_ipaddr(&entry->netif, &address);
	UNLOCK_TCPIP_CORE();
	printf("= address %s %s\n", entry->name, args[1]);
}

/* Moddable's stock lwIP UDP socket (modules/io/socket/lwip/udp.c): udp_bind(pcb, IP_ADDR_ANY, port). */
static struct udp_pcb *gStock[8];

static void commandStock(char **args, int bind)
{
	int port = args[0] ? atoi(args[0]) : 0;
	err_t err = ERR_OK;
	int i;

	LOCK_TCPIP_CORE();
	if (bind) {
		for (i = 0; (i < 8) && gStock[i]; i++)
			;
		struct udp_pcb *pcb = (i < 8) ? udp_new() : NULL;
		err = pcb ? udp_bind(pcb, IP_ADDR_ANY, (u16_t)port) : ERR_MEM;
		if (pcb && (ERR_OK == err))
			gStock[i] = pcb;
		else if (pcb)
			udp_remove(pcb);
	}
	else {
		for (i = 0; i < 8; i++) {
			if (gStock[i] && (gStock[i]->local_port == port)) {
				udp_remove(gStock[i]);
				gStock[i] = NULL;
			}
		}
	}
	UNLOCK_TCPIP_CORE();
	if (bind)
		printf("= stock %d %d\n", port, (int)err);
	else
		printf("= unstocked %d\n", port);
}

static void command(char *line)
{
	char *args[8] = { 0 };
	char *verb = strtok(line, " \t\r\n");
	Socket *socket;

	for (int i = 0; i < 7 && (args[i] = strtok(NULL, " \t\r\n")); i++)
		;
	if (!verb)
		return;
	if (!strcmp(verb, "open"))
		commandOpen(args);
	else if (!strcmp(verb, "send"))
		commandSend(args);
	else if (!strcmp(verb, "stats"))
		commandStats();
	else if (!strcmp(verb, "info"))
		commandInfo(args);
	else if (!strcmp(verb, "address"))
		commandAddress(args);
	else if (!strcmp(verb, "stock"))
		commandStock(args, 1);
	else if (!strcmp(verb, "unstock"))
		commandStock(args, 0);
	else if (!(socket = socketArg(args[0])))
		;
	else if (!strcmp(verb, "hold")) {
		socket->held = 1;
		printf("= held %d\n", socket->index);
	}
	else if (!strcmp(verb, "release")) {
		socket->held = 0;
		drain(socket);
		printf("= released %d\n", socket->index);
	}
	else if (!strcmp(verb, "echo")) {
		socket->echo = 1;
		drain(socket);
		printf("= echoing %d\n", socket->index);
	}
	else if (!strcmp(verb, "drain"))
		printf("= drained %d %lu\n", socket->index, drain(socket));
	else if (!strcmp(verb, "queue"))
		printf("= queue %d %u %u %lu %lu\n", socket->index, impnet_lwip_udp_queued(socket->udp), impnet_lwip_udp_dropped(socket->udp), socket->notified, socket->echoed);
	else if (!strcmp(verb, "close")) {
		impnet_lwip_udp_close(socket->udp);
		socket->udp = NULL;
		printf("= closed %d\n", socket->index);
	}
	else
		printf("= error unknown command %s\n", verb);
}

static void started(void *arg)
{
	sys_sem_signal((sys_sem_t *)arg);
}

int main(int argc, char **argv)
{
	static char line[4096];
	size_t used = 0;
	sys_sem_t ready;

	if (argc < 2)
		fail("usage: lwip-harness IFACE=TAPDEV=ADDRESS/PREFIX[=GATEWAY] ...", NULL);
	if (pipe(gNotify))
		fail("pipe", strerror(errno));
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (ERR_OK != sys_sem_new(&ready, 0))
		fail("sys_sem_new", NULL);
	tcpip_init(started, &ready);
	sys_sem_wait(&ready);
	sys_sem_free(&ready);
	for (int i = 1; i < argc; i++)
		addNetif(argv[i]);

	printf("= ready");
	for (int i = 0; i < gNetifCount; i++)
		printf(" %s=%u", gNetifs[i].name, netif_get_index(&gNetifs[i].netif));
	printf("\n");
	fflush(stdout);

	for (;;) {
		struct pollfd fds[2] = { { 0, POLLIN, 0 }, { gNotify[0], POLLIN, 0 } };
		if (poll(fds, 2, -1) < 0) {
			if (EINTR == errno)
				continue;
			fail("poll", strerror(errno));
		}
		if (fds[1].revents & POLLIN) {
			unsigned char indexes[256];
			ssize_t count = read(gNotify[0], indexes, sizeof(indexes));
			for (ssize_t i = 0; i < count; i++) {
				Socket *socket = &gSockets[indexes[i]];
				if (!socket->udp)
					continue; /* closed after the notification was posted */
				socket->notified++;
				if (!socket->held)
					drain(socket);
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP)) {
			ssize_t count = read(0, line + used, sizeof(line) - 1 - used);
			if (count <= 0)
				break; /* stdin closed: the test is done */
			used += (size_t)count;
			line[used] = 0;
			char *start = line, *end;
			while ((end = strchr(start, '\n'))) {
				*end = 0;
				command(start);
				start = end + 1;
			}
			used = strlen(start);
			memmove(line, start, used + 1);
			if (used == sizeof(line) - 1)
				fail("command too long", NULL);
		}
		fflush(stdout);
	}
	return 0;
}
