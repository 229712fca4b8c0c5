/*
 * Runs a test file's source as a real ECMAScript module (with top-level await)
 * inside the simulator's firmware: a Compartment whose module map gives the
 * test the emulated Moddable modules and whose global object has the
 * firmware's globals (trace, $DONE, assert, ...). The simulator bundles apps
 * as one script, which cannot hold a module with top-level await.
 */
import UDP from "embedded:io/socket/udp";
import WiFi from "embedded:network/interface/wifi";
import Timer from "timer";
import Time from "time";
import Net from "net";
import config from "mc/config";

const HOST_MODULES = {
  "embedded:io/socket/udp": UDP,
  "embedded:network/interface/wifi": WiFi,
  timer: Timer,
  time: Time,
  net: Net,
  "mc/config": config,
};

export function runModule(source, specifier) {
  const globals = {};
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (name === "globalThis" || name === "global" || name === "undefined" || name === "NaN" || name === "Infinity") continue;
    globals[name] = globalThis[name];
  }
  const modules = {};
  Object.keys(HOST_MODULES).forEach((name, i) => {
    const hidden = `__testmcModule${i}`;
    globals[hidden] = HOST_MODULES[name];
    modules[name] = { source: new ModuleSource(`export default globalThis.${hidden};`) };
  });
  modules[specifier] = { source: new ModuleSource(source) };
  const compartment = new Compartment({ globals, modules });
  compartment.import(specifier).then(undefined, (error) => $DONE(error));
}
