/**
 * `impnet/udp-socket` on stock Moddable UDP (`embedded:io/socket/udp`):
 * the platform socket the core's endpoints are, and no interface table,
 * because Moddable's JavaScript APIs expose no netmask, gateway or broadcast
 * (docs/compatibility.md §3). A host picks this (stock.json) or
 * ./native-udp (native.json) in its manifest (docs/native-udp.md §2).
 */
import UDP from "embedded:io/socket/udp";
import type { PlatformIPv4 } from "../platform";

export default UDP;

/** Stock Moddable cannot tell: always undefined. */
export function interfaceInfo(name: string): PlatformIPv4 | undefined {
  void name;
  return undefined;
}
