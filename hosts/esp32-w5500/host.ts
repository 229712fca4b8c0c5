/**
 * impnet host for an ESP32 with a W5500 SPI Ethernet chip: `eth0` on the
 * W5500 (legacy `ethernet` module) and `wl0` on the ESP32's own WiFi.
 */
import config from "mc/config";
import { moddableHost } from "impnet/moddable/host";
import { EthernetDriver } from "impnet/moddable/links/ethernet";
import { WifiDriver } from "impnet/moddable/links/wifi";
import type { Host } from "impnet/port";

export default function host(): Host {
  return moddableHost({ eth0: new EthernetDriver(), wl0: new WifiDriver() }, config as Record<string, unknown>);
}
