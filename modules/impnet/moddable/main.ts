/**
 * impnet's main module on Moddable (`creation.main` in impnet's manifest):
 * Moddable runs it at start-up instead of the app. It brings up the primary
 * interface and imports the app's module, `main`, once that interface is
 * CONNECTED (or at once with `impnet_start_at_once`), so device code runs
 * online as on an imp. A failure to start is reported through
 * `server.error` (xsbug / trace).
 */
import config from "mc/config";
import { server } from "impnet";
import { boot } from "impnet/boot";
import { describeError } from "impnet/core/describe";
import { startApp } from "impnet/moddable/start";

/** The app's module name (a variable: it is resolved when imported, at run time). */
const APP = "main";

export default function main(): void {
  startApp(boot, config as Record<string, unknown>, () => import(APP)).then(undefined, (error: unknown) => {
    server.error(`impnet: the app did not start: ${describeError(error)}`);
  });
}
