/**
 * impOS start-up (docs/compatibility.md §1): on an imp, device code runs
 * once the device is online, so it can read `imp.net.info().ipv4` at its
 * top level. A host brings up its primary interface and starts the app
 * when that interface is CONNECTED; an app that handles an offline start
 * can ask to start at once instead (impOS's RETURN_ON_ERROR start).
 */
import { NetState } from "./constants";
import type { Runtime } from "./runtime";

/** How a host starts its app. */
export interface StartOptions {
  /** The interface the device comes online through (default: the host's first). */
  primary?: string;
  /** Start the app at once, opening nothing for it. */
  atOnce?: boolean;
}

/** States after which an interface does not connect by itself soon: worth a line in the log while the app waits. */
const STOPPED: readonly number[] = Object.freeze([
  NetState.WIFI_STOPPED,
  NetState.WIFI_STOPPED_UNHAPPY,
  NetState.ETHERNET_STOPPED,
  NetState.ETHERNET_STOPPED_UNHAPPY,
  NetState.ETHERNET_STOPPED_NO_LINK,
  NetState.CELLULAR_STOPPED,
  NetState.CELLULAR_STOPPED_UNHAPPY,
]);

/**
 * Brings up the primary interface with `imp.net.open` and calls `start`
 * once, when it is CONNECTED (at once with `atOnce`, or when the host has no
 * interface). The app's own `imp.net.open` of that interface then returns
 * the same, already connected interface, and its callback is told
 * CONNECTED. While waiting, every stop of the interface is logged through
 * `server.error`. Throws when the primary interface cannot be opened.
 */
export function startWhenConnected(runtime: Runtime, options: StartOptions, start: () => void): void {
  if (options.atOnce === true) {
    start();
    return;
  }
  const primary = options.primary ?? runtime.platform.interfaces()[0]?.name;
  if (primary === undefined) {
    start();
    return;
  }
  let waiting = true;
  runtime.imp.net.open({ interface: primary }, (state) => {
    if (!waiting) return;
    if (state === NetState.CONNECTED) {
      waiting = false;
      start();
    } else if (STOPPED.includes(state)) {
      runtime.log.error(`impnet: ${primary} is not connected (state ${state}); the app starts once it is`);
    }
  });
}
