/**
 * How the Moddable host reads `mc/config` (modules/impnet/moddable/host.ts):
 * `settingsFor`, `enabled`, `impnet_rate_limit`, and what the port does with
 * interfaces sharing the device-wide port space.
 *
 * One installed board per process: every test is serial and makes its own.
 */
import test from "ava";
import { NetState, SEND_ERROR_RATE_LIMITED } from "../../modules/impnet/core/constants";
import { enabled, moddableHost, settingsFor } from "../../modules/impnet/moddable/host";
import { EthernetDriver } from "../../modules/impnet/moddable/links/ethernet";
import { ETH0, WL0, moddableDevice, openInterface } from "../support/memory-board";

const PEER = "192.168.1.50";

function connectedEth0(config: Record<string, unknown>) {
  const device = moddableDevice({ config });
  const { iface } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.linkUp("eth0");
  return { device, iface };
}

/** eth0 and wl0 open and CONNECTED (wl0 joins "home" unless `options.config` says otherwise). */
function bothConnected(options: Parameters<typeof moddableDevice>[0] = {}) {
  const device = moddableDevice({ config: { ssid: "home" }, ...options });
  const eth = openInterface(device, { interface: "eth0" });
  const wifi = openInterface(device, { interface: "wl0" });
  device.mb.flush();
  device.mb.linkUp("eth0");
  device.mb.linkUp("wl0");
  return { device, eth, wifi };
}

// ================================================================ settingsFor

test("settingsFor: NAME_address / _netmask / _gateway / _dns for the named interface only", (t) => {
  const config = {
    eth0_address: "192.168.1.10",
    eth0_netmask: "255.255.255.0",
    eth0_gateway: "192.168.1.1",
    eth0_dns: "192.168.1.1",
    wl0_netmask: "255.255.0.0",
  };
  t.deepEqual(settingsFor(config, "eth0"), {
    address: "192.168.1.10",
    netmask: "255.255.255.0",
    gateway: "192.168.1.1",
    dns: ["192.168.1.1"],
  });
  t.deepEqual(settingsFor(config, "wl0"), { netmask: "255.255.0.0" });
  t.deepEqual(settingsFor(config, "eth1"), {});
});

test("settingsFor: NAME_dns is a comma-separated list (spaces and empty entries dropped)", (t) => {
  t.deepEqual(settingsFor({ eth0_dns: "1.1.1.1,8.8.8.8" }, "eth0").dns, ["1.1.1.1", "8.8.8.8"]);
  t.deepEqual(settingsFor({ eth0_dns: "1.1.1.1, 8.8.8.8" }, "eth0").dns, ["1.1.1.1", "8.8.8.8"]);
  t.deepEqual(settingsFor({ eth0_dns: "1.1.1.1," }, "eth0").dns, ["1.1.1.1"]);
});

test("settingsFor: ssid / password go to WiFi interfaces (wl*) only", (t) => {
  const config = { ssid: "home", password: "pw" };
  t.deepEqual(settingsFor(config, "wl0"), { ssid: "home", password: "pw" });
  t.deepEqual(settingsFor(config, "wl1"), { ssid: "home", password: "pw" });
  t.deepEqual(settingsFor(config, "eth0"), {});
});

test("settingsFor: empty strings and non-string values are ignored", (t) => {
  t.deepEqual(settingsFor({ eth0_netmask: "", eth0_gateway: 5, eth0_dns: ["1.1.1.1"], ssid: "" }, "eth0"), {});
  t.deepEqual(settingsFor({ ssid: true, password: "" }, "wl0"), {});
});

test("enabled: '1', 'true', true and 1 switch on; anything else does not", (t) => {
  t.deepEqual(
    ["1", "true", true, 1].map(enabled),
    [true, true, true, true],
  );
  t.deepEqual(
    ["0", "false", "yes", "", undefined, 0, false, "TRUE"].map(enabled),
    [false, false, false, false, false, false, false, false],
  );
});

test("moddableHost: the rate limiter option follows impnet_rate_limit", (t) => {
  const drivers = { eth0: new EthernetDriver() };
  t.deepEqual(moddableHost(drivers, { impnet_rate_limit: "1" }).options, { rateLimit: true });
  t.deepEqual(moddableHost(drivers, {}).options, { rateLimit: false });
});

// ================================================================ through the runtime

test.serial("impnet_rate_limit: '1' turns the limiter on: the 101st send in a burst returns 4, and tokens refill at 25/s of board time", (t) => {
  const { device, iface } = connectedEth0({ impnet_rate_limit: "1" });
  const socket = iface.openudp(null, 20001);
  const results: number[] = [];
  for (let i = 0; i < 101; i++) results.push(socket.send(PEER, 5000, "x"));
  t.deepEqual(results.slice(0, 100), new Array(100).fill(0));
  t.is(results[100], SEND_ERROR_RATE_LIMITED);
  t.is(results[100], 4);
  t.is(device.io.sent.length, 100, "the refused datagram never reached the platform");
  device.mb.advance(39);
  t.is(socket.send(PEER, 5000, "x"), 4, "less than one token after 39 ms");
  device.mb.advance(1);
  t.is(socket.send(PEER, 5000, "x"), 0, "one token after 40 ms");
  t.is(socket.send(PEER, 5000, "x"), 4);
});

test.serial("impnet_rate_limit absent: no limit (the 101st and later sends go out)", (t) => {
  const { device, iface } = connectedEth0({});
  const socket = iface.openudp(null, 20001);
  let failures = 0;
  for (let i = 0; i < 200; i++) if (socket.send(PEER, 5000, "x") !== 0) failures++;
  t.is(failures, 0);
  t.is(device.io.sent.length, 200);
});

test.serial("mc/config strings from the command line: ssid and eth0_netmask arrive as the app's config", (t) => {
  const { eth, wifi } = bothConnected({ config: { ssid: "home", password: "pw", eth0_netmask: "255.255.255.0" } });
  t.is(eth.iface.getstate(), NetState.CONNECTED);
  t.is(wifi.iface.getstate(), NetState.CONNECTED);
  t.deepEqual(eth.iface.getiptable().ipv4, { address: ETH0.address, netmask: "255.255.255.0", broadcast: "192.168.1.255" });
  t.deepEqual(wifi.iface.getiptable().ipv4, { address: WL0.address });
});

test.serial("stock Moddable (lwIP binds to ANY): a port bound on eth0 is in use on wl0, and hears wl0's traffic", (t) => {
  const { device, eth, wifi } = bothConnected({ bindAny: true });
  const got: string[] = [];
  eth.iface.openudp((from, _fp, to, _tp, data) => got.push(`${from}->${to}:${data.tostring()}`), 20001);
  t.throws(() => wifi.iface.openudp(null, 20001), { message: "openudp: localPort 20001 is already in use" });
  device.io.peer("10.1.0.5", 7000).send(WL0.address, 20001, "via wifi");
  device.mb.advance(1);
  t.deepEqual(got, [`10.1.0.5->${ETH0.address}:via wifi`], "stock Moddable cannot tell the destination: toAddress is eth0's own");
});

test.serial("a socket belongs to its interface (the simulator's emulation): bound on eth0 only, it sends from eth0 and does not hear wl0", (t) => {
  const { device, eth, wifi } = bothConnected();
  const got: string[] = [];
  const ethSocket = eth.iface.openudp((from, _fp, to, _tp, data) => got.push(`eth0 ${from}->${to}:${data.tostring()}`), 20001);
  const wifiSocket = wifi.iface.openudp((from, _fp, to, _tp, data) => got.push(`wl0 ${from}->${to}:${data.tostring()}`), 20002);
  t.deepEqual(
    device.io.binds.map((b) => [b.requested, b.iface]),
    [
      [20001, "eth0"],
      [20002, "wl0"],
    ],
    "the port asks the platform to bind each socket on its own interface",
  );
  t.throws(() => wifi.iface.openudp(null, 20001), { message: "openudp: localPort 20001 is already in use" }, "ports stay device-wide");
  const wifiPeer = device.io.peer("10.1.0.5", 7000);
  const ethPeer = device.io.peer("192.168.1.50", 7000);
  wifiPeer.send(WL0.address, 20001, "to eth0's port via wifi");
  wifiPeer.send("10.1.255.255", 20001, "wifi broadcast to eth0's port");
  ethPeer.send(ETH0.address, 20001, "via ethernet");
  wifiPeer.send(WL0.address, 20002, "via wifi");
  device.mb.advance(1);
  t.deepEqual(got, ["eth0 192.168.1.50->192.168.1.10:via ethernet", "wl0 10.1.0.5->10.1.2.20:via wifi"]);
  t.is(ethSocket.send("192.168.1.50", 7000, "from eth0"), 0);
  t.is(wifiSocket.send("10.1.0.5", 7000, "from wl0"), 0);
  device.mb.advance(1);
  t.deepEqual(ethPeer.received.map((d) => `${d.from}:${d.fromPort}`), [`${ETH0.address}:20001`]);
  t.deepEqual(wifiPeer.received.map((d) => `${d.from}:${d.fromPort}`), [`${WL0.address}:20002`]);
});
