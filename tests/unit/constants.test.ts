/**
 * docs/impos-api.md §4 (imp.net state constants) and §7 (Send Error Codes),
 * on imp.net, in core/constants and as exported from "impnet".
 */
import test from "ava";
import * as constants from "../../modules/impnet/core/constants";
import { NetState } from "../../modules/impnet/core/constants";
import { fakeWorld } from "../support/fake/network";
import { loadApp } from "../support/bundle";
import { newDevice } from "../support/device";

const STATES: [string, number][] = [
  ["UNKNOWN", -1],
  ["STARTING", 0],
  ["CONNECTED", 1],
  ["WIFI_SCANNING", 100],
  ["WIFI_JOINING", 101],
  ["WIFI_WPSING", 102],
  ["WIFI_LINK_UP", 103],
  ["WIFI_DHCPING", 104],
  ["WIFI_STOPPED", 105],
  ["WIFI_STOPPED_UNHAPPY", 106],
  ["ETHERNET_LINK_UP", 200],
  ["ETHERNET_DHCPING", 201],
  ["ETHERNET_STOPPED", 202],
  ["ETHERNET_STOPPED_UNHAPPY", 203],
  ["ETHERNET_STOPPED_NO_LINK", 204],
  ["CELLULAR_PINGING", 300],
  ["CELLULAR_WAITING_FOR_SIM", 301],
  ["CELLULAR_PPP_CONNECTING", 302],
  ["CELLULAR_REGISTERING", 303],
  ["CELLULAR_REGISTRATION_DENIED", 304],
  ["CELLULAR_STOPPED", 305],
  ["CELLULAR_STOPPED_UNHAPPY", 306],
];

for (const [name, value] of STATES) {
  test(`imp.net.${name} is ${value}`, (t) => {
    const { imp } = newDevice();
    t.is((imp.net as unknown as Record<string, unknown>)[name], value);
    t.is((NetState as Record<string, number>)[name], value);
  });
}

test("NetState has exactly the 22 documented states, with distinct values", (t) => {
  t.deepEqual(Object.entries(NetState), STATES);
  t.is(new Set(Object.values(NetState)).size, STATES.length);
});

test("Send Error Codes: NOT_CONNECTED 1, TIMEOUT 2, DISCONNECTED 3, impnet's RATE_LIMITED 4", (t) => {
  t.is(constants.SEND_ERROR_NOT_CONNECTED, 1);
  t.is(constants.SEND_ERROR_TIMEOUT, 2);
  t.is(constants.SEND_ERROR_DISCONNECTED, 3);
  t.is(constants.SEND_ERROR_RATE_LIMITED, 4);
});

test("limits: MAX_SIZE 65507, MAX_IP_PORT 65535, local ports from 1024, ephemeral 49152-65535, 100 burst at 25/s", (t) => {
  t.is(constants.MAX_SIZE, 65507);
  t.is(constants.MAX_IP_PORT, 65535);
  t.is(constants.MIN_LOCAL_PORT, 1024);
  t.is(constants.EPHEMERAL_FIRST, 49152);
  t.is(constants.EPHEMERAL_LAST, 65535);
  t.is(constants.RATE_LIMIT_BURST, 100);
  t.is(constants.RATE_LIMIT_PER_SECOND, 25);
});

test('"impnet" exports the Send Error Codes, MAX_SIZE, MAX_IP_PORT, NetState and imp/server/agent', async (t) => {
  const world = fakeWorld();
  const exported = await loadApp("tests/support/impnet-exports.ts", world.host);
  t.is(exported.SEND_ERROR_NOT_CONNECTED, 1);
  t.is(exported.SEND_ERROR_TIMEOUT, 2);
  t.is(exported.SEND_ERROR_DISCONNECTED, 3);
  t.is(exported.SEND_ERROR_RATE_LIMITED, 4);
  t.is(exported.MAX_SIZE, 65507);
  t.is(exported.MAX_IP_PORT, 65535);
  t.deepEqual(exported.NetState, NetState);
  t.is(typeof exported.Blob, "function");
  const imp = exported.imp as { net: Record<string, unknown> };
  for (const [name, value] of STATES) t.is(imp.net[name], value, name);
  t.is(typeof (exported.server as { log: unknown }).log, "function");
  t.is(typeof (exported.agent as { send: unknown }).send, "function");
});

test('"impnet" exports the Squirrel globals: format, swap2, swap4, swapfloat, time, hardware, imp.wakeup/cancelwakeup', async (t) => {
  const world = fakeWorld();
  const exported = await loadApp("tests/support/impnet-exports.ts", world.host);
  const format = exported.format as (f: string, ...a: unknown[]) => string;
  t.is(format("%s:%d", "10.0.0.1", 80), "10.0.0.1:80");
  t.is((exported.swap2 as (v: number) => number)(0x1a2b), 0x2b1a);
  t.is((exported.swap4 as (v: number) => number)(0x1a2b3c4d), 0x4d3c2b1a);
  t.is(typeof exported.swapfloat, "function");
  t.is(typeof (exported.time as () => number)(), "number");
  const hardware = exported.hardware as { millis(): number; micros(): number };
  world.lan.clock.advance(42);
  t.is(hardware.millis(), 42, "hardware is the app's device, on the host's clock");
  t.is(hardware.micros(), 42000);
  const imp = exported.imp as { wakeup(s: number, cb: () => void): object | null; cancelwakeup(t: object): void };
  let fired = 0;
  imp.wakeup(0.01, () => fired++);
  world.lan.clock.advance(10);
  t.is(fired, 1);
});
