/**
 * docs/impos-api.md §2: imp.net.open(nic, callback): NIC validation, the
 * state callback, unavailable interfaces, opening twice.
 */
import test from "ava";
import { Blob } from "../../modules/impnet/core/blob";
import { NetInterface } from "../../modules/impnet/core/interface";
import type { Nic } from "../../modules/impnet/core/nic";
import { NetState, connectedDevice, newDevice, openDevice, waitConnected, blobOf, type Device } from "../support/device";

const withCell = {
  interfaces: [
    { name: "eth0", kind: "ethernet" as const },
    { name: "wl0", kind: "wifi" as const },
    { name: "cell0", kind: "cell" as const },
  ],
};

/** Nothing was opened: no interface registered, no link started, nothing scheduled. */
function assertNothingOpened(t: import("ava").ExecutionContext, device: Device): void {
  t.is(device.runtime.interfaces.size, 0);
  for (const link of device.world.device.links.values()) t.is(link.config, undefined);
  t.is(device.world.lan.clock.pending(), 0);
}

// ---------------------------------------------------------------- returns at once

test("open returns an interface at once, in STARTING, without calling the callback synchronously", (t) => {
  const { imp } = newDevice();
  const states: number[] = [];
  const iface = imp.net.open({ interface: "eth0" }, (s) => states.push(s));
  t.true(iface instanceof NetInterface);
  t.is(iface.getstate(), NetState.STARTING);
  t.deepEqual(states, [], "callback must not run inside open()");
});

test("open powers up the named link with the validated config", (t) => {
  const { imp, world } = newDevice();
  imp.net.open({ interface: "eth0" });
  t.deepEqual(world.device.link("eth0").config, { name: "eth0", kind: "ethernet" });
  t.is(world.device.link("wl0").config, undefined, "other interfaces are left alone");
});

test("the first state callback arrives asynchronously with STARTING", (t) => {
  const { states, world } = openDevice();
  t.deepEqual(states, []);
  world.lan.clock.flush();
  t.deepEqual(states, [NetState.STARTING]);
});

test("a link that moves before the first announcement's turn: the callback still gets STARTING first, then the new state", (t) => {
  // stepMs 0: the link reports "joining" on the same turn as the deferred STARTING announcement, ahead of it.
  const { states, world } = openDevice({ interface: "wl0" }, { interfaces: [{ name: "wl0", kind: "wifi", bringUp: ["joining"], stepMs: 0 }] });
  world.lan.clock.flush();
  t.deepEqual(states, [NetState.STARTING, NetState.WIFI_JOINING]);
});

test("a link's reason for a state goes to server.error with the interface and the state; no reason, no line", (t) => {
  const { states, world, iface } = openDevice({ interface: "wl0" });
  world.lan.clock.flush();
  world.device.link("wl0").set("stopped", "no WiFi SSID configured");
  world.device.link("wl0").set("stopped", "said once: the state did not change");
  world.device.link("wl0").set("joining");
  t.deepEqual(states, [NetState.STARTING, NetState.WIFI_STOPPED, NetState.WIFI_JOINING]);
  t.deepEqual(world.log.errors, [`imp.net: interface wl0 is in state ${NetState.WIFI_STOPPED}: no WiFi SSID configured`]);
  t.is(iface.getstate(), NetState.WIFI_JOINING);
});

// ---------------------------------------------------------------- state sequences

test("Ethernet state sequence: STARTING, ETHERNET_LINK_UP, ETHERNET_DHCPING, CONNECTED", (t) => {
  const { states } = connectedDevice({ interface: "eth0" });
  t.deepEqual(states, [NetState.STARTING, NetState.ETHERNET_LINK_UP, NetState.ETHERNET_DHCPING, NetState.CONNECTED]);
});

test("WiFi state sequence: STARTING, WIFI_SCANNING, WIFI_JOINING, WIFI_LINK_UP, WIFI_DHCPING, CONNECTED", (t) => {
  const { states } = connectedDevice({ interface: "wl0", wificonfig: { ssid: "lab", key: "secret" } });
  t.deepEqual(states, [
    NetState.STARTING,
    NetState.WIFI_SCANNING,
    NetState.WIFI_JOINING,
    NetState.WIFI_LINK_UP,
    NetState.WIFI_DHCPING,
    NetState.CONNECTED,
  ]);
});

test("the callback receives the same value getstate() returns at that moment", (t) => {
  const device = newDevice();
  const seen: [number, number][] = [];
  const iface: NetInterface = device.imp.net.open({ interface: "wl0" }, (s) => seen.push([s, iface.getstate()]));
  waitConnected(device.world, iface);
  t.true(seen.length >= 6);
  for (const [given, current] of seen) t.is(given, current);
  t.is(iface.getstate(), NetState.CONNECTED);
});

test("state changes after connecting are reported: no-link, stopped, unhappy (Ethernet)", (t) => {
  const { world, iface, states } = connectedDevice();
  const link = world.device.link("eth0");
  states.length = 0;
  link.set("no-link");
  t.is(iface.getstate(), NetState.ETHERNET_STOPPED_NO_LINK);
  link.set("stopped");
  t.is(iface.getstate(), NetState.ETHERNET_STOPPED);
  link.set("unhappy");
  t.is(iface.getstate(), NetState.ETHERNET_STOPPED_UNHAPPY);
  t.deepEqual(states, [NetState.ETHERNET_STOPPED_NO_LINK, NetState.ETHERNET_STOPPED, NetState.ETHERNET_STOPPED_UNHAPPY]);
});

test("state changes after connecting are reported: no-link and unhappy (WiFi)", (t) => {
  const { world, iface, states } = connectedDevice({ interface: "wl0" });
  const link = world.device.link("wl0");
  states.length = 0;
  link.set("no-link");
  t.is(iface.getstate(), NetState.WIFI_STOPPED);
  link.set("unhappy");
  t.is(iface.getstate(), NetState.WIFI_STOPPED_UNHAPPY);
  t.deepEqual(states, [NetState.WIFI_STOPPED, NetState.WIFI_STOPPED_UNHAPPY]);
});

test("a reconnect walks the bring-up sequence again to CONNECTED", (t) => {
  const { world, iface, states } = connectedDevice();
  world.device.link("eth0").set("no-link");
  states.length = 0;
  world.device.link("eth0").reconnect();
  waitConnected(world, iface);
  t.deepEqual(states, [NetState.ETHERNET_LINK_UP, NetState.ETHERNET_DHCPING, NetState.CONNECTED]);
});

test("a phase that does not change the state is not announced again", (t) => {
  const { world, states } = connectedDevice();
  states.length = 0;
  world.device.link("eth0").set("connected");
  world.lan.clock.flush();
  t.deepEqual(states, []);
});

test("open without a callback (or with null) still brings the interface up", (t) => {
  for (const callback of [undefined, null]) {
    const { imp, world } = newDevice();
    const iface = imp.net.open({ interface: "eth0" }, callback);
    waitConnected(world, iface);
    t.is(iface.getstate(), NetState.CONNECTED);
  }
});

test("a cellular interface can be opened (to power the modem) and reaches CONNECTED", (t) => {
  const { imp, world } = newDevice(withCell);
  const states: number[] = [];
  const cell = imp.net.open({ interface: "cell0" }, (s) => states.push(s));
  waitConnected(world, cell);
  t.is(states[0], NetState.STARTING);
  t.is(states[states.length - 1], NetState.CONNECTED);
  for (const s of states.slice(1, -1)) t.true(s >= 300 && s <= 306, `cellular intermediate state ${s}`);
});

// ---------------------------------------------------------------- NIC validation

interface BadNic {
  title: string;
  nic: unknown;
  error: RegExp;
  type: typeof Error | typeof TypeError | typeof RangeError;
}

const badNics: BadNic[] = [
  { title: "nic null", nic: null, error: /^imp\.net\.open: nic must be a table, not null$/, type: TypeError },
  { title: "nic as a string (the draft docs' typo)", nic: "eth0", error: /^imp\.net\.open: nic must be a table, not "eth0"$/, type: TypeError },
  { title: "nic as an array", nic: ["eth0"], error: /^imp\.net\.open: nic must be a table, not an array$/, type: TypeError },
  { title: "nic as a number", nic: 1, error: /^imp\.net\.open: nic must be a table/, type: TypeError },
  { title: "no interface key", nic: {}, error: /^imp\.net\.open: nic needs an "interface" key/, type: TypeError },
  { title: "interface not a string", nic: { interface: 0 }, error: /^imp\.net\.open: nic\.interface must be a string, not 0$/, type: TypeError },
  { title: "interface null", nic: { interface: null }, error: /^imp\.net\.open: nic\.interface must be a string, not null$/, type: TypeError },
  { title: "unknown key", nic: { interface: "eth0", ssid: "x" }, error: /^imp\.net\.open: nic key "ssid" is not one of interface, wificonfig, staticconfig, proxyconfig$/, type: TypeError },
  { title: "unknown interface name", nic: { interface: "eth9" }, error: /^imp\.net\.open: interface "eth9" is not available on this device \(it has: eth0, wl0, cell0\)$/, type: Error },
  { title: "interface name by class", nic: { interface: "wifi" }, error: /^imp\.net\.open: interface "wifi" is not available/, type: Error },
  // wificonfig
  { title: "wificonfig on Ethernet", nic: { interface: "eth0", wificonfig: { ssid: "a", key: "" } }, error: /^imp\.net\.open: wificonfig is only valid on a WiFi interface, not eth0 \(ethernet\)$/, type: Error },
  { title: "wificonfig on cellular", nic: { interface: "cell0", wificonfig: { ssid: "a", key: "" } }, error: /^imp\.net\.open: wificonfig is only valid on a WiFi interface, not cell0 \(cell\)$/, type: Error },
  { title: "wificonfig not a table", nic: { interface: "wl0", wificonfig: "lab" }, error: /^imp\.net\.open: wificonfig must be a table, not "lab"$/, type: TypeError },
  { title: "wificonfig without ssid", nic: { interface: "wl0", wificonfig: { key: "k" } }, error: /^imp\.net\.open: wificonfig\.ssid must be a string, not undefined$/, type: TypeError },
  { title: "wificonfig.ssid not a string", nic: { interface: "wl0", wificonfig: { ssid: 5, key: "k" } }, error: /^imp\.net\.open: wificonfig\.ssid must be a string, not 5$/, type: TypeError },
  { title: "wificonfig.ssid empty", nic: { interface: "wl0", wificonfig: { ssid: "", key: "k" } }, error: /^imp\.net\.open: wificonfig\.ssid must be 1-32 characters$/, type: RangeError },
  { title: "wificonfig.ssid of 33 characters", nic: { interface: "wl0", wificonfig: { ssid: "s".repeat(33), key: "k" } }, error: /^imp\.net\.open: wificonfig\.ssid must be 1-32 characters$/, type: RangeError },
  { title: "wificonfig without key", nic: { interface: "wl0", wificonfig: { ssid: "lab" } }, error: /^imp\.net\.open: wificonfig needs a "key" \(null or "" for an open network\)$/, type: TypeError },
  { title: "wificonfig.key a number", nic: { interface: "wl0", wificonfig: { ssid: "lab", key: 1234 } }, error: /^imp\.net\.open: wificonfig\.key must be a string, a blob or null, not 1234$/, type: TypeError },
  { title: "wificonfig.key a byte array", nic: { interface: "wl0", wificonfig: { ssid: "lab", key: new Uint8Array(4) } }, error: /^imp\.net\.open: wificonfig\.key must be a string, a blob or null, not an object$/, type: TypeError },
  // staticconfig
  { title: "staticconfig on cellular", nic: { interface: "cell0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0" } }, error: /^imp\.net\.open: staticconfig is only valid on WiFi and Ethernet, not cell0 \(cellular\)$/, type: Error },
  { title: "staticconfig not a table", nic: { interface: "eth0", staticconfig: "10.0.0.2" }, error: /^imp\.net\.open: staticconfig must be a table, not "10\.0\.0\.2"$/, type: TypeError },
  { title: "staticconfig without ip", nic: { interface: "eth0", staticconfig: { netmask: "255.0.0.0" } }, error: /^imp\.net\.open: staticconfig\.ip must be a string, not undefined$/, type: TypeError },
  { title: "staticconfig.ip malformed", nic: { interface: "eth0", staticconfig: { ip: "10.0.0", netmask: "255.0.0.0" } }, error: /^imp\.net\.open: staticconfig\.ip "10\.0\.0" is not a dotted-quad IPv4 address$/, type: TypeError },
  { title: "staticconfig.ip with a leading zero", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.02", netmask: "255.0.0.0" } }, error: /^imp\.net\.open: staticconfig\.ip "10\.0\.0\.02" is not a dotted-quad/, type: TypeError },
  { title: "staticconfig without netmask", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2" } }, error: /^imp\.net\.open: staticconfig\.netmask must be a string, not undefined$/, type: TypeError },
  { title: "staticconfig.netmask malformed", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.255.255" } }, error: /^imp\.net\.open: staticconfig\.netmask "255\.255\.255" is not a dotted-quad/, type: TypeError },
  { title: "staticconfig.netmask not contiguous", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.255.0" } }, error: /^imp\.net\.open: staticconfig\.netmask 255\.0\.255\.0 is not a contiguous mask$/, type: RangeError },
  { title: "staticconfig.netmask with a hole", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.255.255.253" } }, error: /^imp\.net\.open: staticconfig\.netmask 255\.255\.255\.253 is not a contiguous mask$/, type: RangeError },
  { title: "staticconfig.netmask inverted", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "0.0.0.255" } }, error: /^imp\.net\.open: staticconfig\.netmask 0\.0\.0\.255 is not a contiguous mask$/, type: RangeError },
  { title: "staticconfig.gateway malformed", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0", gateway: "gw" } }, error: /^imp\.net\.open: staticconfig\.gateway "gw" is not a dotted-quad/, type: TypeError },
  { title: "staticconfig.gateway not a string", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0", gateway: 1 } }, error: /^imp\.net\.open: staticconfig\.gateway must be a string, not 1$/, type: TypeError },
  { title: "staticconfig.dns not an array", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0", dns: "10.0.0.1" } }, error: /^imp\.net\.open: staticconfig\.dns must be an array of one or two addresses$/, type: TypeError },
  { title: "staticconfig.dns empty", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0", dns: [] } }, error: /^imp\.net\.open: staticconfig\.dns must be an array of one or two addresses$/, type: TypeError },
  { title: "staticconfig.dns with three servers", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0", dns: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] } }, error: /^imp\.net\.open: staticconfig\.dns must be an array of one or two addresses$/, type: TypeError },
  { title: "staticconfig.dns with a malformed server", nic: { interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask: "255.0.0.0", dns: ["10.0.0.1", "dns"] } }, error: /^imp\.net\.open: staticconfig\.dns\[1\] "dns" is not a dotted-quad/, type: TypeError },
  // proxyconfig
  { title: "proxyconfig on cellular", nic: { interface: "cell0", proxyconfig: { type: 1, address: "proxy", port: 8080 } }, error: /^imp\.net\.open: proxyconfig is only valid on WiFi and Ethernet, not cell0 \(cellular\)$/, type: Error },
  { title: "proxyconfig not a table", nic: { interface: "eth0", proxyconfig: true }, error: /^imp\.net\.open: proxyconfig must be a table, not true$/, type: TypeError },
  { title: "proxyconfig.type missing", nic: { interface: "eth0", proxyconfig: { address: "proxy", port: 8080 } }, error: /^imp\.net\.open: proxyconfig\.type must be an integer/, type: TypeError },
  { title: "proxyconfig.type not an integer", nic: { interface: "eth0", proxyconfig: { type: 1.5, address: "proxy", port: 8080 } }, error: /^imp\.net\.open: proxyconfig\.type must be an integer/, type: TypeError },
  { title: "proxyconfig.address missing", nic: { interface: "eth0", proxyconfig: { type: 1, port: 8080 } }, error: /^imp\.net\.open: proxyconfig\.address must be a string, not undefined$/, type: TypeError },
  { title: "proxyconfig.address empty", nic: { interface: "eth0", proxyconfig: { type: 1, address: "", port: 8080 } }, error: /^imp\.net\.open: proxyconfig\.address must be 1-64 characters$/, type: RangeError },
  { title: "proxyconfig.address of 65 characters", nic: { interface: "eth0", proxyconfig: { type: 1, address: "p".repeat(65), port: 8080 } }, error: /^imp\.net\.open: proxyconfig\.address must be 1-64 characters$/, type: RangeError },
  { title: "proxyconfig.port -1", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: -1 } }, error: /^imp\.net\.open: proxyconfig\.port -1 is not an integer in 0-65535$/, type: RangeError },
  { title: "proxyconfig.port 65536", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 65536 } }, error: /^imp\.net\.open: proxyconfig\.port 65536 is not an integer in 0-65535$/, type: RangeError },
  { title: "proxyconfig.port 80.5", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 80.5 } }, error: /^imp\.net\.open: proxyconfig\.port 80\.5 is not an integer in 0-65535$/, type: RangeError },
  { title: "proxyconfig.port a string", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: "8080" } }, error: /^imp\.net\.open: proxyconfig\.port "8080" is not an integer in 0-65535$/, type: RangeError },
  { title: "proxyconfig.username not a string", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 8080, username: 7 } }, error: /^imp\.net\.open: proxyconfig\.username must be a string, not 7$/, type: TypeError },
  { title: "proxyconfig.username of 33 characters", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 8080, username: "u".repeat(33) } }, error: /^imp\.net\.open: proxyconfig\.username is longer than 32 characters$/, type: RangeError },
  { title: "proxyconfig.password without username", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 8080, password: "pw" } }, error: /^imp\.net\.open: proxyconfig\.password needs a username$/, type: TypeError },
  { title: "proxyconfig.password not a string", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 8080, username: "u", password: 1 } }, error: /^imp\.net\.open: proxyconfig\.password must be a string, not 1$/, type: TypeError },
  { title: "proxyconfig.password of 33 characters", nic: { interface: "eth0", proxyconfig: { type: 1, address: "proxy", port: 8080, username: "u", password: "p".repeat(33) } }, error: /^imp\.net\.open: proxyconfig\.password is longer than 32 characters$/, type: RangeError },
];

for (const bad of badNics) {
  test(`open rejects ${bad.title} and opens nothing`, (t) => {
    const device = newDevice(withCell);
    const states: number[] = [];
    const error = t.throws(() => device.imp.net.open(bad.nic as Nic, (s) => states.push(s)), { message: bad.error });
    t.is(error?.constructor, bad.type);
    assertNothingOpened(t, device);
    device.world.lan.clock.advance(1000);
    t.deepEqual(states, [], "no state callback after a rejected open");
    t.is(device.imp.net.info().active, undefined);
  });
}

test("open rejects a callback that is not a function", (t) => {
  for (const callback of ["cb", 1, {}]) {
    const device = newDevice();
    t.throws(() => device.imp.net.open({ interface: "eth0" }, callback as never), {
      instanceOf: TypeError,
      message: /^imp\.net\.open: callback must be a function or null, not /,
    });
    assertNothingOpened(t, device);
  }
});

test("a rejected open leaves the interface openable afterwards", (t) => {
  const device = newDevice();
  t.throws(() => device.imp.net.open({ interface: "eth0", bogus: 1 } as Nic));
  const iface = device.imp.net.open({ interface: "eth0" });
  waitConnected(device.world, iface);
  t.is(iface.getstate(), NetState.CONNECTED);
});

// ---------------------------------------------------------------- valid NIC variations

test("wificonfig keys accepted: string, empty string, null (open network), blob (encrypted)", (t) => {
  for (const key of ["secret", "", null]) {
    const device = newDevice();
    device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "lab", key } });
    t.deepEqual(device.world.device.link("wl0").config?.wifi, { ssid: "lab", key });
  }
  const device = newDevice();
  const encrypted = new Blob(0);
  encrypted.writestring("\u0001\u0002\u0003");
  device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "s".repeat(32), key: encrypted } });
  const given = device.world.device.link("wl0").config?.wifi;
  t.is(given?.ssid, "s".repeat(32));
  t.deepEqual(given?.key, new Uint8Array([1, 2, 3]));
});

test("a WiFi interface opens without wificonfig (the host's stored credentials)", (t) => {
  const { iface } = connectedDevice({ interface: "wl0" });
  t.is(iface.getstate(), NetState.CONNECTED);
});

test("staticconfig is accepted on Ethernet and on WiFi and handed to the host", (t) => {
  for (const name of ["eth0", "wl0"]) {
    const device = newDevice();
    const staticconfig = { ip: "10.1.2.3", netmask: "255.255.0.0", gateway: "10.1.0.1", dns: ["10.1.0.2", "10.1.0.3"] };
    device.imp.net.open({ interface: name, staticconfig });
    t.deepEqual(device.world.device.link(name).config?.staticConfig, staticconfig);
  }
});

test("staticconfig accepts every contiguous netmask", (t) => {
  for (let prefix = 0; prefix <= 32; prefix++) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const netmask = [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join(".");
    const device = newDevice();
    t.notThrows(() => device.imp.net.open({ interface: "eth0", staticconfig: { ip: "10.0.0.2", netmask } }), netmask);
  }
});

test("staticconfig with only ip and netmask, and with one DNS server", (t) => {
  const device = newDevice();
  device.imp.net.open({ interface: "eth0", staticconfig: { ip: "192.168.5.5", netmask: "255.255.255.0", dns: ["192.168.5.1"] } });
  t.deepEqual(device.world.device.link("eth0").config?.staticConfig, { ip: "192.168.5.5", netmask: "255.255.255.0", dns: ["192.168.5.1"] });
});

test("proxyconfig is accepted on Ethernet and WiFi, with boundary lengths and ports", (t) => {
  for (const name of ["eth0", "wl0"]) {
    for (const proxyconfig of [
      { type: 1, address: "p", port: 0 },
      { type: 1, address: "p".repeat(64), port: 65535, username: "u".repeat(32), password: "p".repeat(32) },
      { type: 1, address: "proxy.lan", port: 3128, username: "bob" },
    ]) {
      const device = newDevice();
      t.notThrows(() => device.imp.net.open({ interface: name, proxyconfig }));
    }
  }
});

// ---------------------------------------------------------------- unavailable interface

test("open throws when the interface is not available (disabled), and nothing is registered", (t) => {
  const device = newDevice({
    interfaces: [
      { name: "eth0", kind: "ethernet", unavailable: true },
      { name: "wl0", kind: "wifi" },
    ],
  });
  const error = t.throws(() => device.imp.net.open({ interface: "eth0" }, () => {}), {
    message: /^imp\.net\.open: interface eth0 is not available: eth0 is disabled$/,
  });
  t.is(error?.constructor, Error);
  t.is(device.runtime.interfaces.size, 0);
  t.throws(() => device.imp.net.open({ interface: "eth0" }), { message: /not available/ }, "still unavailable on a second try");
  const wifi = device.imp.net.open({ interface: "wl0" });
  waitConnected(device.world, wifi);
  t.is(wifi.getstate(), NetState.CONNECTED, "the other interface is unaffected");
});

// ---------------------------------------------------------------- opening twice

test("opening an open interface again returns the same object and announces the current state asynchronously", (t) => {
  const { imp, iface, world } = connectedDevice();
  const second: number[] = [];
  const again = imp.net.open({ interface: "eth0" }, (s) => second.push(s));
  t.is(again, iface);
  t.deepEqual(second, []);
  world.lan.clock.flush();
  t.deepEqual(second, [NetState.CONNECTED]);
  t.is(world.device.link("eth0").phases.filter((p) => p === "connected").length, 1, "the link is not restarted");
});

test("a second open with a callback replaces the first callback", (t) => {
  const { imp, world, states } = connectedDevice();
  const second: number[] = [];
  imp.net.open({ interface: "eth0" }, (s) => second.push(s));
  world.lan.clock.flush();
  states.length = 0;
  world.device.link("eth0").set("no-link");
  t.deepEqual(states, []);
  t.deepEqual(second, [NetState.CONNECTED, NetState.ETHERNET_STOPPED_NO_LINK]);
});

test("a second open without a callback keeps the first callback and re-announces the state to it", (t) => {
  const { imp, world, states } = connectedDevice();
  states.length = 0;
  imp.net.open({ interface: "eth0" });
  world.lan.clock.flush();
  t.deepEqual(states, [NetState.CONNECTED]);
});

test("opening a second interface gives a distinct object with its own state", (t) => {
  const { imp, iface, world } = connectedDevice();
  const wifi = imp.net.open({ interface: "wl0" });
  t.not(wifi, iface);
  t.is(wifi.getstate(), NetState.STARTING);
  t.is(iface.getstate(), NetState.CONNECTED);
  waitConnected(world, wifi);
  t.is(wifi.getstate(), NetState.CONNECTED);
});

// ---------------------------------------------------------------- throwing state callback

test("a throwing state callback is reported through server.error and the network keeps working", (t) => {
  const device = newDevice();
  let calls = 0;
  const iface = device.imp.net.open({ interface: "eth0" }, () => {
    calls++;
    throw new Error("state boom");
  });
  waitConnected(device.world, iface);
  t.is(calls, 4);
  t.is(device.world.log.errors.length, 4);
  for (const line of device.world.log.errors) t.regex(line, /^interface state callback threw: Error: state boom/);
  const peer = device.world.lan.peer("192.168.1.50", 5000);
  const socket = iface.openudp(null, 1234);
  t.is(socket.send(peer.address, peer.port, "still up"), 0);
  device.world.lan.clock.advance(5);
  t.deepEqual(peer.texts(), ["still up"]);
});

test("imp.onunhandledexception receives a state callback's error instead of server.error", (t) => {
  const device = newDevice();
  const caught: unknown[] = [];
  device.imp.onunhandledexception((e) => caught.push(e));
  const boom = new Error("state boom");
  device.imp.net.open({ interface: "eth0" }, () => {
    throw boom;
  });
  device.world.lan.clock.flush();
  t.deepEqual(caught, [boom]);
  t.deepEqual(device.world.log.errors, []);
});

test("blob helper sanity: blobOf gives the bytes with the pointer at 0", (t) => {
  const b = blobOf("abc");
  t.is(b.len(), 3);
  t.is(b.tell(), 0);
  t.is(b.tostring(), "abc");
});
