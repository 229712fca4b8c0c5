/*
 * The driver hooks Moddable's ECMA-419 Ethernet interface
 * ($MODDABLE/modules/io/ethernet/esp32/ethernet-esp32.c) includes as
 * "ethernet.h" for an SPI Ethernet chip; impnet-w5500.c implements them for
 * the WIZnet W5500 (docs/esp32.md §2). The signatures are the SDK's
 * (modules/network/ethernet/esp32/ethernet.h), which this header replaces so
 * that the legacy ethernet module stays out of the build.
 */
#ifndef IMPNET_ETHERNET_H
#define IMPNET_ETHERNET_H

#include "esp_eth_mac.h"
#include "esp_eth_phy.h"
#include "driver/spi_master.h"

/* Never NULL: a MAC that fails to initialise stands in, so that the driver install fails cleanly. */
esp_eth_mac_t *mod_ethernet_get_mac(spi_device_interface_config_t spi_devcfg, int interrupt_pin);
/* Never NULL, for the same reason. */
esp_eth_phy_t *mod_ethernet_get_phy(void);

#endif
