/*
 * W5500 glue for Moddable's ECMA-419 Ethernet interface on ESP-IDF v6
 * (docs/esp32.md §2). ESP-IDF 6 moved the W5500 driver out of esp_eth into
 * the espressif/w5500 component (esp_eth_mac_w5500.h, esp_eth_phy_w5500.h);
 * ethernet-esp32.c initialises the SPI bus and installs the driver with the
 * MAC and PHY made here.
 *
 * Board settings come from the host manifest's defines.ethernet (mc.defines.h):
 *   spi.port (SPI host), int_pin (-1: poll every poll_ms), hz, spi.cs_pin, spi.miso_pin,
 *   spi.mosi_pin, spi.sck_pin, spi.dma_ch; ethernet-esp32.c reads the pins, hz and dma_ch.
 */
#include "mc.defines.h"
#include "esp_err.h"
#include "esp_eth_mac_w5500.h"
#include "esp_eth_phy_w5500.h"
#include "ethernet.h"

#ifndef MODDEF_ETHERNET_POLL_MS
	#define MODDEF_ETHERNET_POLL_MS (10)
#endif
#ifndef MODDEF_ETHERNET_RX_TASK_PRIORITY
	/* Moddable's own w5500_api.c uses 2 (below the XS task), not ESP-IDF's default 15. */
	#define MODDEF_ETHERNET_RX_TASK_PRIORITY (2)
#endif

/*
 * ethernet-esp32.c passes whatever it got to esp_eth_driver_install and, when
 * that fails, calls mac->del and phy->del: a NULL from the component would
 * crash the device. These stand-ins make the install fail instead (the
 * interface then reports ETHERNET_STOPPED_UNHAPPY).
 */
static esp_err_t unavailableMacMediator(esp_eth_mac_t *mac, esp_eth_mediator_t *eth) { return ESP_OK; }
static esp_err_t unavailableMacFail(esp_eth_mac_t *mac) { return ESP_FAIL; }
static esp_err_t unavailableMacDel(esp_eth_mac_t *mac) { return ESP_OK; }
static esp_eth_mac_t gUnavailableMac = {
	.set_mediator = unavailableMacMediator,
	.init = unavailableMacFail,
	.deinit = unavailableMacDel,
	.del = unavailableMacDel,
};

static esp_err_t unavailablePhyMediator(esp_eth_phy_t *phy, esp_eth_mediator_t *eth) { return ESP_OK; }
static esp_err_t unavailablePhyOk(esp_eth_phy_t *phy) { return ESP_OK; }
static esp_err_t unavailablePhyFail(esp_eth_phy_t *phy) { return ESP_FAIL; }
static esp_eth_phy_t gUnavailablePhy = {
	.set_mediator = unavailablePhyMediator,
	.reset_hw = unavailablePhyOk,
	.init = unavailablePhyFail,
	.deinit = unavailablePhyOk,
	.del = unavailablePhyOk,
};

esp_eth_mac_t *mod_ethernet_get_mac(spi_device_interface_config_t spi_devcfg, int interrupt_pin)
{
	/* The W5500 frame has a 16-bit address and an 8-bit control phase; 0/0 lets the component set them
	   (ethernet-esp32.c's defaults, 3 and 5 bits, are the ENC28J60's, which the component refuses). */
	spi_devcfg.command_bits = 0;
	spi_devcfg.address_bits = 0;

	eth_w5500_config_t w5500_config = ETH_W5500_DEFAULT_CONFIG(MODDEF_ETHERNET_SPI_PORT, &spi_devcfg);
	w5500_config.int_gpio_num = interrupt_pin;
	w5500_config.poll_period_ms = (interrupt_pin < 0) ? MODDEF_ETHERNET_POLL_MS : 0;

	eth_mac_config_t mac_config = ETH_MAC_DEFAULT_CONFIG();
	mac_config.rx_task_prio = MODDEF_ETHERNET_RX_TASK_PRIORITY;

	esp_eth_mac_t *mac = esp_eth_mac_new_w5500(&w5500_config, &mac_config);
	return mac ? mac : &gUnavailableMac;
}

esp_eth_phy_t *mod_ethernet_get_phy(void)
{
	eth_phy_config_t phy_config = ETH_PHY_DEFAULT_CONFIG();
	phy_config.autonego_timeout_ms = 0;
	/* ETH_PHY_DEFAULT_CONFIG resets through GPIO 5, the classic board's CS pin: the W5500's RST is
	   wired to a pull-up or driven by defines.ethernet.power_pin in ethernet-esp32.c instead. */
	phy_config.reset_gpio_num = -1;

	esp_eth_phy_t *phy = esp_eth_phy_new_w5500(&phy_config);
	return phy ? phy : &gUnavailablePhy;
}
