/*
 * A TAP network interface for lwIP, in place of Debian's tapif
 * (docs/native-lwip.md §3): liblwip0 2.1.3+dfsg1-2 allocates tapif's
 * receive pbufs from PBUF_POOL, whose elements its memp.c makes 616 bytes
 * while its pbuf.c fills up to 1536, so every frame over about 590 bytes
 * overruns the heap. Frames here go into PBUF_RAM pbufs, which pbuf.c sizes
 * itself (ESP-IDF's Ethernet and WiFi drivers do not use PBUF_POOL either).
 *
 * One reader thread per TAP hands each frame to netif->input (tcpip_input),
 * as a driver's receive task does; sends write the frame from lwIP's thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

#include "tap.h"

#define FRAME_MAX 1518 /* Ethernet with a VLAN tag, no FCS */

static err_t tapOutput(struct netif *netif, struct pbuf *p)
{
	TapState *tap = netif->state;
	unsigned char frame[FRAME_MAX];

	if (p->tot_len > sizeof(frame))
		return ERR_IF;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	/* EIO while the PC's side of the TAP is down: the frame is lost, as on a cable without a peer. */
	if (write(tap->fd, frame, p->tot_len) != p->tot_len)
		return ERR_IF;
	return ERR_OK;
}

static void *tapReader(void *arg)
{
	struct netif *netif = arg;
	TapState *tap = netif->state;
	unsigned char frame[FRAME_MAX];

	for (;;) {
		ssize_t length = read(tap->fd, frame, sizeof(frame));
		if (length < 0 && EINTR == errno)
			continue;
		if (length <= 0) {
			perror("tap: read");
			exit(3);
		}
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_RAM);
		if (!p) {
			tap->refused++;
			continue;
		}
		pbuf_take(p, frame, (u16_t)length);
		if (ERR_OK != netif->input(p, netif)) {
			tap->refused++; /* lwIP's mailbox is full: the frame is dropped */
			pbuf_free(p);
		}
	}
	return NULL;
}

err_t tap_netif_init(struct netif *netif)
{
	TapState *tap = netif->state;
	struct ifreq request;
	pthread_t thread;

	tap->fd = open("/dev/net/tun", O_RDWR);
	if (tap->fd < 0) {
		perror("tap: /dev/net/tun");
		return ERR_IF;
	}
	memset(&request, 0, sizeof(request));
	snprintf(request.ifr_name, sizeof(request.ifr_name), "%s", tap->device);
	request.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(tap->fd, TUNSETIFF, &request) < 0) {
		perror("tap: TUNSETIFF");
		return ERR_IF;
	}
	netif->name[0] = 't';
	netif->name[1] = 'p';
	netif->output = etharp_output;
	netif->linkoutput = tapOutput;
	netif->mtu = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, tap->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_IGMP;
	netif_set_link_up(netif);
	if (pthread_create(&thread, NULL, tapReader, netif))
		return ERR_IF;
	pthread_detach(thread);
	return ERR_OK;
}
