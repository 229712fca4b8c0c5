/**
 * `impnet/udp-socket` on stock Moddable UDP (`embedded:io/socket/udp`):
 * the platform socket the core's endpoints are, and no interface table,
 * because Moddable's JavaScript APIs expose no netmask, gateway or broadcast
 * (docs/compatibility.md §3). A host picks this (stock.json) or
 * ./native-udp (native.json) in its manifest (docs/native-udp.md §2).
 */
import UDP from "embedded:io/socket/udp";
import type { PlatformIPv4, UdpConstructor419 } from "../platform";

/**
 * The stock socket in the port's shape. The one cast: Moddable's build type-checks this module with
 * the SDK's own typings, whose UDP class lacks `close()` (the runtime has it: docs/platform-notes.md
 * §1), and a build's generated tsconfig cannot map the specifier to hosts/typings/compat/udp.d.ts as
 * our own type-checks do (there the shapes are checked without a cast).
 */
const StockUDP = UDP as unknown as UdpConstructor419;
export default StockUDP;

/** Stock Moddable cannot tell: always undefined. */
export function interfaceInfo(name: string): PlatformIPv4 | undefined {
  void name;
  return undefined;
}
