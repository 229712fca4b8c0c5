/**
 * Starting the app module on a Moddable host (and in the XS simulator,
 * which runs the same port): the impOS start-up of `impnet/boot`, set up
 * by `mc/config` (`impnet_primary`, `impnet_start_at_once`), then the app
 * module is imported and, as Moddable does with `main`, its default export
 * is called when it is a function.
 */
import { startOptions, type ConfigTable } from "./host";
import type { StartOptions } from "impnet/core/boot";

/** `boot` of `impnet/boot` (passed in, so the port does not need the device module). */
export type BootFunction = (options: StartOptions, start: () => void) => void;

/**
 * Resolves once the app module ran (after its primary interface connected,
 * or at once); rejects when the primary interface cannot be opened or the
 * app's top level throws.
 */
export function startApp(boot: BootFunction, config: ConfigTable, load: () => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    boot(startOptions(config), () => {
      load().then(runDefault).then(resolve, reject);
    });
  });
}

function runDefault(module: unknown): void {
  const main = (module as { default?: unknown } | null | undefined)?.default;
  if (typeof main === "function") main();
}
