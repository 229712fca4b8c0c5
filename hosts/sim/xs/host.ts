/**
 * `impnet/host` in the XS simulator: the same Moddable port and link
 * drivers as the esp32-w5500 host (eth0 on ECMA-419 Ethernet,
 * wl0 on ECMA-419 WiFi), running over the emulated modules, with
 * `server.log`/`server.error` and `agent` carried to the supervisor.
 */
import config from "mc/config";
import { moddableHost } from "impnet/moddable/host";
import { EthernetDriver } from "impnet/moddable/links/ethernet";
import { WifiDriver } from "impnet/moddable/links/wifi";
import type { LinkDriver } from "impnet/moddable/link";
import type { Host } from "impnet/port";
import { bridge } from "./bridge";

export default function host(): Host {
  const sim = bridge();
  const drivers: Record<string, LinkDriver> = {};
  if (sim.board.iface("eth0") !== undefined) drivers.eth0 = new EthernetDriver();
  if (sim.board.iface("wl0") !== undefined) drivers.wl0 = new WifiDriver();
  return moddableHost(drivers, config as Record<string, unknown>, { log: sim, agent: sim.agent });
}
