/**
 * How a Moddable host starts the app (modules/impnet/moddable/start.ts, the
 * code impnet's `main` module and the XS simulator run): `mc/config` keys
 * `impnet_primary` and `impnet_start_at_once`, the app module imported once
 * the primary interface is CONNECTED over the emulated Moddable modules,
 * and its default export called as Moddable calls `main`'s.
 *
 * One installed board per process: every test is serial and makes its own.
 */
import test from "ava";
import { startWhenConnected } from "../../modules/impnet/core/boot";
import { startOptions } from "../../modules/impnet/moddable/host";
import { startApp, type BootFunction } from "../../modules/impnet/moddable/start";
import { moddableDevice, type ModdableDevice } from "../support/memory-board";

function bootOn(device: ModdableDevice): BootFunction {
  return (options, start) => startWhenConnected(device.runtime, options, start);
}

/** Lets promise jobs run (the app module is imported asynchronously). */
function jobs(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test.serial("startOptions reads impnet_primary and impnet_start_at_once from mc/config", (t) => {
  t.deepEqual(startOptions({}), { atOnce: false });
  t.deepEqual(startOptions({ impnet_primary: "wl0", impnet_start_at_once: "1" }), { primary: "wl0", atOnce: true });
  t.deepEqual(startOptions({ impnet_primary: "", impnet_start_at_once: "0" }), { atOnce: false });
  t.deepEqual(startOptions({ impnet_start_at_once: "true" }), { atOnce: true });
});

test.serial("the app module is imported once eth0 is CONNECTED (emulated Ethernet events), and its default export is called", async (t) => {
  const device = moddableDevice({ config: { impnet_primary: "eth0" } });
  const calls: string[] = [];
  const started = startApp(bootOn(device), { impnet_primary: "eth0" }, async () => {
    calls.push(`imported, ipv4 ${JSON.stringify(device.imp.net.info().ipv4?.address)}`);
    return { default: () => calls.push("default export called") };
  });
  t.deepEqual(device.io.started, ["eth0"], "booting started eth0 (Ethernet.start())");
  device.mb.flush();
  device.mb.link("eth0", "link-up");
  await jobs();
  t.deepEqual(calls, [], "not while ETHERNET_DHCPING");
  device.mb.link("eth0", "address");
  await started;
  t.deepEqual(calls, ['imported, ipv4 "192.168.1.10"', "default export called"]);
});

test.serial("impnet_start_at_once imports the app at once and opens nothing for it", async (t) => {
  const device = moddableDevice();
  let imported = 0;
  await startApp(bootOn(device), { impnet_start_at_once: "1" }, async () => {
    imported++;
    return {};
  });
  t.is(imported, 1);
  t.deepEqual(device.io.started, [], "no interface was started");
});

test.serial("with impnet_primary wl0 the app waits for WiFi (ECMA-419 events) and eth0 is left alone", async (t) => {
  const device = moddableDevice({ config: { ssid: "office" } });
  let imported = false;
  const started = startApp(bootOn(device), { impnet_primary: "wl0" }, async () => {
    imported = true;
    return undefined;
  });
  device.mb.flush();
  t.deepEqual(device.io.started, ["wl0"]);
  await jobs();
  t.false(imported);
  device.mb.linkUp("wl0");
  await started;
  t.true(imported);
});

test.serial("a start that fails rejects: an unknown primary interface, an app whose top level throws", async (t) => {
  const device = moddableDevice();
  await t.throwsAsync(
    startApp(bootOn(device), { impnet_primary: "eth7" }, async () => ({})),
    { message: /^imp\.net\.open: interface "eth7" is not available on this device/ },
  );
  await t.throwsAsync(
    startApp(bootOn(device), { impnet_start_at_once: "1" }, async () => {
      throw new TypeError("top-level failure");
    }),
    { instanceOf: TypeError, message: "top-level failure" },
  );
});
