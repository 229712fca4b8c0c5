/**
 * WiFi states in the XS simulator (docs/compatibility.md §1, "Order of
 * states", and §6): impOS's sequence from STARTING, what `link wl0 down`,
 * `link wl0 unhappy` and `link wl0 up` give, and a wl0 without an SSID
 * saying why it never connects.
 */
import test from "ava";
import { runApp, freePort, type SimRun } from "../support/sim";

const APP = "tests/sim/apps/lifecycle.ts";

function states(run: SimRun, from = 0): string[] {
  return run.logs.slice(from).filter((line) => line.startsWith("state "));
}

async function wifiApp(config: Record<string, string>): Promise<SimRun> {
  const port = await freePort();
  return runApp(APP, { interfaces: [{ name: "wl0", address: "127.0.0.122" }], config: { iface: "wl0", port: String(port), ...config }, startAtOnce: true });
}

test("wl0 comes up through impOS's WiFi sequence, STARTING first", async (t) => {
  const run = await wifiApp({ ssid: "office", password: "secret" });
  try {
    await run.waitFor(/^open /);
    t.deepEqual(states(run), ["state 0", "state 101", "state 103", "state 104", "state 1"]);
    t.deepEqual(run.errors, []);
  } finally {
    await run.sim.stop();
  }
});

test("link wl0 unhappy: WIFI_STOPPED (a drop, as on an ESP32), then WIFI_STOPPED_UNHAPPY when the rejoin fails; link wl0 up: back at the next retry", async (t) => {
  const run = await wifiApp({ ssid: "office" });
  try {
    await run.waitFor(/^open /);
    const mark = run.logs.length;
    run.sim.control("link wl0 unhappy");
    await run.waitFor(/^state 106$/, undefined, mark);
    t.deepEqual(states(run, mark), ["state 105", "state 106"]);
    t.true(run.errors.includes("imp.net: interface wl0 is in state 106: WiFi connect() failed (connect failed); trying again every 5 s"), run.errors.join("\n"));
    const upAt = performance.now();
    run.sim.control("link wl0 up");
    // The link retries every 5 s; the retry after the radio recovered joins.
    await run.waitFor(/^open /, undefined, mark);
    t.log(`CONNECTED ${Math.round(performance.now() - upAt)} ms after link wl0 up (the retry comes at most 5 s after the last)`);
    t.deepEqual(states(run, mark), ["state 105", "state 106", "state 101", "state 103", "state 104", "state 1"]);
  } finally {
    await run.sim.stop();
  }
});

test("link wl0 down: WIFI_STOPPED; the link rejoins by itself and reaches CONNECTED once the access point is back", async (t) => {
  const run = await wifiApp({ ssid: "office" });
  try {
    await run.waitFor(/^open /);
    const mark = run.logs.length;
    run.sim.control("link wl0 down");
    await run.waitFor(/^closed$/, undefined, mark);
    t.deepEqual(states(run, mark), ["state 105"]);
    run.sim.control("link wl0 up");
    await run.waitFor(/^open /, undefined, mark);
    t.deepEqual(states(run, mark), ["state 105", "state 101", "state 103", "state 104", "state 1"]);
  } finally {
    await run.sim.stop();
  }
});

test("wl0 without an SSID: WIFI_STOPPED, and server.error says why it never connects", async (t) => {
  const run = await wifiApp({});
  try {
    const line = await run.waitFor(/no WiFi SSID/);
    t.is(line, "imp.net: interface wl0 is in state 105: no WiFi SSID, so it never joins: give imp.net.open a wificonfig with an ssid, or set ssid (and password) in mc/config (impnet-sim: --config ssid=NAME)");
    await run.waitFor(/^state 105$/);
    t.deepEqual(states(run), ["state 0", "state 105"]);
  } finally {
    await run.sim.stop();
  }
});
