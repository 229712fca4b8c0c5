/* A TAP network interface for lwIP (tap.c). */
#ifndef IMPNET_HARNESS_TAP_H
#define IMPNET_HARNESS_TAP_H

#include <stdatomic.h>

#include "lwip/err.h"
#include "lwip/netif.h"

typedef struct {
	char device[16];          /* the TAP's name: created in this network namespace, or attached */
	unsigned char mac[6];
	int fd;
	atomic_long refused;      /* frames lwIP could not take (no pbuf, or its mailbox full) */
} TapState;

/** netif_add's init function; netif->state is a TapState. */
err_t tap_netif_init(struct netif *netif);

#endif
