/**
 * Bundle entry of the simulator's firmware: starts the bridge from the
 * settings the supervisor put in `globalThis.impnetSim`, installs
 * `handleCommand`, and registers the app to run on the START command.
 * The supervisor's bundler appends `boot(() => import(APP))`.
 */
import "./moddable-globals";
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

/** Registers the app module. */
export function boot(loadApp: () => Promise<unknown>): void {
  sim.setApp(loadApp);
}
