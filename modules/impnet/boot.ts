/**
 * `impnet/boot`: how a host starts its app the impOS way (see
 * core/boot.ts): brings up the primary interface and runs `start` once it
 * is CONNECTED, or at once with `atOnce`.
 */
import { device } from "impnet/device";
import { startWhenConnected, type StartOptions } from "impnet/core/boot";

export type { StartOptions } from "impnet/core/boot";

export function boot(options: StartOptions, start: () => void): void {
  startWhenConnected(device, options, start);
}
