/*
 * A stand-in for the globals that Moddable's `testmc` app (tools/testmc/main.js
 * in the SDK) gives its tests, so that the SDK's own test files run unmodified
 * outside xsbug: $DONE, $DO, $TESTMC and $NETWORK, written here from what those
 * globals do. `assert` and Test262Error come from the SDK's
 * tools/test262/harness.js, which the runner loads from $MODDABLE.
 *
 * The result is one trace line: "testmc: PASS" or "testmc: FAIL <reason>".
 */
import Timer from "timer";
import Net from "net";
import config from "mc/config";

function describe(error) {
  try {
    return typeof error === "string" ? error : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/** Host objects of other classes, for invalid-receiver tests (plain objects here: no native code). */
class HostObject {}
class HostObjectChunk {}
class HostBuffer {}

/**
 * Installs the globals. `connected()` brings the network up (testmc: Wi-Fi);
 * `hosts` answers $NETWORK.resolve for the names it lists, so a test that
 * contacts a public server reaches a local stand-in instead.
 */
export function installHarness({ connected, hosts = {} }) {
  let finished = false;
  globalThis.$DONE = function (error) {
    if (finished) return;
    finished = true;
    trace(error === undefined ? "testmc: PASS\n" : `testmc: FAIL ${describe(error)}\n`);
  };
  // As testmc: runs f, then $DONE() or $DONE(error).
  globalThis.$DO = function (f) {
    return function (...args) {
      try {
        f(...args);
        $DONE();
      } catch (e) {
        $DONE(e);
      }
    };
  };
  globalThis.$NETWORK = Object.freeze({
    get connected() {
      return connected();
    },
    async wifi() {
      return { ssid: config.ssid, password: config.password };
    },
    async resolve(domain) {
      if (Object.prototype.hasOwnProperty.call(hosts, domain)) return hosts[domain];
      return new Promise((resolve, reject) => {
        Net.resolve(domain, (name, address) => {
          if (address) resolve(address);
          else reject();
        });
      });
    },
    invalidDomain: "fail.moddable.com",
  });
  globalThis.$TESTMC = Object.freeze({
    timeout(ms, message = "timeout") {
      Timer.set(function () {
        $DONE(message);
      }, ms);
    },
    HostObject,
    HostObjectChunk,
    HostBuffer,
    config,
    wifiInvalidConnectionTimeout: 30_000,
    wifiConnectionTimeout: 20_000,
    wifiScanTimeout: 10_000,
  });
}

/** "name=address,name=address" (mc/config testmc_hosts) as a map. */
export function parseHosts(text) {
  const hosts = {};
  for (const entry of (text ?? "").split(",")) {
    const eq = entry.indexOf("=");
    if (eq > 0) hosts[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return hosts;
}
