/**
 * impnet host for Moddable's desktop simulator (`mcconfig -p lin`, `mcsim`):
 * `eth0` is the host computer's network, always up. By default it reports
 * 127.0.0.1 (manifest config `eth0_address`), so a peer on the same PC can
 * be answered; set `eth0_address=` to the PC's LAN address for LAN peers.
 */
import config from "mc/config";
import { moddableHost } from "impnet/moddable/host";
import { HostNetworkDriver } from "impnet/moddable/links/host-network";
import type { Host } from "impnet/port";

export default function host(): Host {
  return moddableHost({ eth0: new HostNetworkDriver("ethernet") }, config as Record<string, unknown>);
}
