/**
 * Bundle entry of the simulator's firmware: starts the bridge from the
 * settings the supervisor put in `globalThis.impnetSim`, installs
 * `handleCommand`, and registers the app to start on the START command.
 * The supervisor's bundler appends `boot(() => import(APP))`.
 *
 * The app starts as on every Moddable host (impnet/moddable/start): once
 * the primary interface (`impnet_primary`, the first `--iface`) is
 * CONNECTED, or at once with `impnet_start_at_once` (`--start-at-once`).
 */
import "./moddable-globals";
import config from "mc/config";
import { boot as bootDevice } from "impnet/boot";
import { startApp } from "impnet/moddable/start";
import { startBridge, type SimSettings } from "./bridge";

interface SimGlobals {
  impnetSim?: SimSettings;
  handleCommand?: (command: ArrayBuffer) => unknown;
}

const globals = globalThis as SimGlobals;
const settings = globals.impnetSim;
if (settings === undefined) throw new Error("impnet simulator: settings missing (globalThis.impnetSim)");
const sim = startBridge(settings);
globals.handleCommand = (command: ArrayBuffer) => sim.handle(command);

/** Registers the app module; a failure to start it (its top level threw) is a crash. */
export function boot(loadApp: () => Promise<unknown>): void {
  sim.setApp(() => startApp(bootDevice, config as Record<string, unknown>, loadApp));
}
