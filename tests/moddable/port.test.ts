/**
 * The Moddable port (modules/impnet/moddable) running impnet's core on the
 * emulated Moddable modules over a memory board: link drivers (ECMA-419
 * Ethernet for eth0, ECMA-419 WiFi for wl0, the `lin` host network), the
 * impOS states they produce (docs/impos-api.md §2, §4), `getiptable()`
 * (§3.2) and `imp.net.info()`.
 *
 * One installed board per process: every test is serial and makes its own.
 */
import test from "ava";
import Ethernet from "../../hosts/sim/board/ethernet";
import WiFi from "../../hosts/sim/board/wifi";
import { NetState } from "../../modules/impnet/core/constants";
import { Blob } from "../../modules/impnet/core/blob";
import { HostError, type LinkPhase } from "../../modules/impnet/port";
import { ModdablePlatform } from "../../modules/impnet/moddable/port";
import { EthernetDriver } from "../../modules/impnet/moddable/links/ethernet";
import { WifiDriver } from "../../modules/impnet/moddable/links/wifi";
import { HostNetworkDriver } from "../../modules/impnet/moddable/links/host-network";
import { ETH0, WL0, moddableDevice, openInterface, type ModdableDevice } from "../support/memory-board";

const S = NetState;

/** Records the options every emulated WiFi `connect()` gets (the emulation does not keep them). */
function spyWifiConnect(): { calls: Array<{ SSID?: string; password?: string }>; restore(): void } {
  const proto = WiFi.prototype as unknown as { connect(options: { SSID?: string; password?: string }): void };
  const original = proto.connect;
  const calls: Array<{ SSID?: string; password?: string }> = [];
  proto.connect = function (this: unknown, options) {
    calls.push({ ...options });
    return original.call(this, options);
  };
  return { calls, restore: () => (proto.connect = original) };
}

/** eth0 opened and brought to CONNECTED by link events. */
function connectedEth0(device: ModdableDevice = moddableDevice()) {
  const opened = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.linkUp("eth0");
  return { device, ...opened };
}

// ================================================================ eth0: ECMA-419 Ethernet

test.serial("eth0: imp.net.open installs the Ethernet driver at once and returns in STARTING", (t) => {
  const device = moddableDevice();
  const { iface, states } = openInterface(device, { interface: "eth0" });
  t.deepEqual(device.io.started, ["eth0"]);
  t.true(device.mb.board.iface("eth0")!.started);
  t.is(iface.getstate(), S.STARTING);
  t.deepEqual(states, [], "the callback is not called from inside open()");
  device.mb.flush();
  t.deepEqual(states, [S.STARTING], "the current state is announced on the next turn");
});

test.serial("eth0: link-up (connection 400) gives ETHERNET_LINK_UP then ETHERNET_DHCPING; the address (500) gives CONNECTED", (t) => {
  const device = moddableDevice();
  const { iface, states } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.link("eth0", "link-up");
  t.deepEqual(states, [S.STARTING, S.ETHERNET_LINK_UP, S.ETHERNET_DHCPING]);
  t.is(iface.getstate(), S.ETHERNET_DHCPING);
  device.mb.link("eth0", "address");
  t.deepEqual(states, [S.STARTING, S.ETHERNET_LINK_UP, S.ETHERNET_DHCPING, S.CONNECTED]);
  t.is(iface.getstate(), S.CONNECTED);
});

test.serial("eth0: link-down gives ETHERNET_STOPPED_NO_LINK; link-up and address again recover to CONNECTED", (t) => {
  const { device, iface, states } = connectedEth0();
  states.length = 0;
  device.mb.link("eth0", "link-down");
  t.deepEqual(states, [S.ETHERNET_STOPPED_NO_LINK]);
  t.deepEqual(iface.getiptable(), { ipv4: {} });
  device.mb.link("eth0", "link-up");
  device.mb.link("eth0", "address");
  t.deepEqual(states, [S.ETHERNET_STOPPED_NO_LINK, S.ETHERNET_LINK_UP, S.ETHERNET_DHCPING, S.CONNECTED]);
  t.is(iface.getiptable().ipv4.address, ETH0.address);
});

test.serial("eth0: a gotIP without a link (after disconnect) does not claim CONNECTED", (t) => {
  const { device, iface, states } = connectedEth0();
  device.mb.link("eth0", "link-down");
  states.length = 0;
  device.mb.link("eth0", "address");
  t.deepEqual(states, []);
  t.is(iface.getstate(), S.ETHERNET_STOPPED_NO_LINK);
});

test.serial("eth0: a chip that fails while running shows as ETHERNET_STOPPED_NO_LINK (the platform reports nothing else); it recovers with the link", (t) => {
  const { device, iface, states } = connectedEth0();
  states.length = 0;
  device.mb.link("eth0", "unhappy");
  t.deepEqual(states, [S.ETHERNET_STOPPED_NO_LINK]);
  t.notThrows(() => iface.openudp(null, 20001), "a link loss keeps the interface powered");
  device.mb.link("eth0", "recover");
  device.mb.linkUp("eth0");
  t.deepEqual(states, [S.ETHERNET_STOPPED_NO_LINK, S.ETHERNET_LINK_UP, S.ETHERNET_DHCPING, S.CONNECTED]);
});

test.serial("eth0: opened after other code brought Ethernet up, it reports LINK_UP, DHCPING, CONNECTED on its first turn", (t) => {
  const device = moddableDevice();
  new Ethernet({});
  device.mb.linkUp("eth0");
  const { iface, states } = openInterface(device, { interface: "eth0" });
  t.is(iface.getstate(), S.STARTING);
  device.mb.flush();
  // The link is ahead of the STARTING announcement; STARTING still comes first (docs/compatibility.md §1).
  t.deepEqual(states, [S.STARTING, S.ETHERNET_LINK_UP, S.ETHERNET_DHCPING, S.CONNECTED]);
  t.is(iface.getiptable().ipv4.address, ETH0.address);
});

test.serial("eth0: a driver that did not install (chip failed before open; configure() throws) gives UNHAPPY asynchronously", (t) => {
  const device = moddableDevice();
  device.mb.board.iface("eth0")!.failed = true;
  const { iface, states } = openInterface(device, { interface: "eth0" });
  t.is(iface.getstate(), S.STARTING, "open() itself does not throw or change state");
  t.deepEqual(states, []);
  device.mb.flush();
  t.deepEqual(states, [S.STARTING, S.ETHERNET_STOPPED_UNHAPPY]);
  t.is(iface.getstate(), S.ETHERNET_STOPPED_UNHAPPY);
  t.deepEqual(device.io.started, []);
});

test.serial("eth0: no eth0 on the board also gives UNHAPPY; info() lists eth0 without a MAC", (t) => {
  const device = moddableDevice({ interfaces: [WL0], drivers: { eth0: new EthernetDriver(), wl0: new WifiDriver() } });
  t.deepEqual(device.imp.net.info().interface, [{ type: "ethernet" }, { type: "wifi", macaddress: WL0.mac }]);
  const { states } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  t.deepEqual(states, [S.STARTING, S.ETHERNET_STOPPED_UNHAPPY]);
});

test.serial("eth0: after a failed install the link is not retried (a second instance would abort the device); later link events do not move it", (t) => {
  const device = moddableDevice();
  device.mb.board.iface("eth0")!.failed = true;
  const { iface, states } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.link("eth0", "recover");
  device.mb.linkUp("eth0");
  device.mb.advance(60_000);
  t.deepEqual(states, [S.STARTING, S.ETHERNET_STOPPED_UNHAPPY]);
  t.is(iface.getstate(), S.ETHERNET_STOPPED_UNHAPPY);
  const again = device.imp.net.open({ interface: "eth0" });
  t.is(again, iface, "re-opening returns the same interface");
  device.mb.flush();
  t.deepEqual(device.io.started, [], "and makes no second Ethernet instance");
});

test.serial("eth0: a staticconfig is applied with configure({ static }) at open and reported by getiptable", (t) => {
  const device = moddableDevice();
  const { iface } = openInterface(device, {
    interface: "eth0",
    staticconfig: { ip: "192.168.1.77", netmask: "255.255.255.0", gateway: "192.168.1.1", dns: ["192.168.1.2"] },
  });
  t.is(device.io.notes.length, 1, "configure() reached the emulation (which notes the address it cannot honour)");
  t.regex(device.io.notes[0], /static address 192\.168\.1\.77 ignored/);
  device.mb.flush();
  device.mb.linkUp("eth0");
  t.is(iface.getstate(), S.CONNECTED);
  t.deepEqual(iface.getiptable().ipv4, {
    address: "192.168.1.77",
    netmask: "255.255.255.0",
    broadcast: "192.168.1.255",
    gateway: "192.168.1.1",
    dnsserver: ["192.168.1.2"],
  });
});

test.serial("eth0: the address is IPv4 only: before DHCP the interface's IPv6 link-local address is not reported", (t) => {
  const device = moddableDevice();
  const { iface } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.link("eth0", "link-up");
  t.is(iface.getstate(), S.ETHERNET_DHCPING);
  t.deepEqual(iface.getiptable(), { ipv4: {} });
});

test.serial("eth0: the link driver stops reporting after close()", (t) => {
  const { mb } = moddableDevice();
  const phases: LinkPhase[] = [];
  const link = new EthernetDriver().open({ name: "eth0", kind: "ethernet" }, { linkPhase: (p) => phases.push(p) }, {});
  mb.link("eth0", "link-up");
  link.close();
  mb.link("eth0", "address");
  mb.link("eth0", "link-down");
  t.deepEqual(phases, ["link-up", "addressing"]);
});

// ================================================================ wl0: ECMA-419 WiFi

/** wl0 joined to "home" and CONNECTED; `states` starts empty from there. */
function connectedWl0() {
  const device = moddableDevice({ config: { ssid: "home" } });
  const opened = openInterface(device, { interface: "wl0" });
  device.mb.flush();
  device.mb.linkUp("wl0");
  opened.states.length = 0;
  return { device, ...opened };
}

test.serial("wl0: SSID and password from config ssid/password; STARTING → JOINING → LINK_UP → DHCPING → CONNECTED", (t) => {
  const spy = spyWifiConnect();
  try {
    const device = moddableDevice({ config: { ssid: "home", password: "pw" } });
    const { iface, states } = openInterface(device, { interface: "wl0" });
    t.deepEqual(spy.calls, [], "connect() is called on the next turn, not inside open()");
    device.mb.flush();
    t.deepEqual(spy.calls, [{ SSID: "home", password: "pw" }]);
    t.deepEqual(device.io.started, ["wl0"]);
    t.deepEqual(states, [S.STARTING, S.WIFI_JOINING], "the first callback is STARTING, as on Ethernet");
    device.mb.link("wl0", "link-up");
    t.deepEqual(states, [S.STARTING, S.WIFI_JOINING, S.WIFI_LINK_UP, S.WIFI_DHCPING]);
    device.mb.link("wl0", "address");
    t.deepEqual(states, [S.STARTING, S.WIFI_JOINING, S.WIFI_LINK_UP, S.WIFI_DHCPING, S.CONNECTED]);
    t.deepEqual(device.logs.error, []);
    t.is(iface.getiptable().ipv4.address, WL0.address);
  } finally {
    spy.restore();
  }
});

test.serial("wl0: wificonfig wins over config; an empty or null key joins an open network (no password)", (t) => {
  const spy = spyWifiConnect();
  try {
    let device = moddableDevice({ config: { ssid: "home", password: "pw" } });
    device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "office", key: "secret" } });
    device.mb.flush();
    device = moddableDevice({ config: { ssid: "home", password: "pw" } });
    device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "cafe", key: "" } });
    device.mb.flush();
    device = moddableDevice();
    device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "park", key: null } });
    device.mb.flush();
    device = moddableDevice({ config: { ssid: "open" } });
    device.imp.net.open({ interface: "wl0" });
    device.mb.flush();
    t.deepEqual(spy.calls, [{ SSID: "office", password: "secret" }, { SSID: "cafe" }, { SSID: "park" }, { SSID: "open" }]);
  } finally {
    spy.restore();
  }
});

test.serial("wl0: no SSID anywhere gives WIFI_STOPPED with the reason in server.error, and the radio is never asked to connect", (t) => {
  const device = moddableDevice({ config: { password: "pw" } });
  const { iface, states } = openInterface(device, { interface: "wl0" });
  device.mb.advance(10_000);
  t.deepEqual(states, [S.STARTING, S.WIFI_STOPPED]);
  t.deepEqual(device.logs.error, [
    "imp.net: interface wl0 is in state 105: no WiFi SSID, so it never joins: give imp.net.open a wificonfig with an ssid, or set ssid (and password) in mc/config (impnet-sim: --config ssid=NAME)",
  ]);
  t.deepEqual(device.io.started, []);
  t.throws(() => iface.openudp(null, 20001), { message: /not powered or is unavailable/ });
});

test.serial("wl0: a drop gives WIFI_STOPPED, then the link rejoins by itself after the reconnect delay (1 s)", (t) => {
  const { device, iface, states } = connectedWl0();
  device.mb.link("wl0", "link-down");
  t.deepEqual(states, [S.WIFI_STOPPED]);
  device.mb.advance(999);
  t.deepEqual(device.io.started, ["wl0"], "no rejoin before the delay");
  device.mb.advance(1);
  t.deepEqual(device.io.started, ["wl0", "wl0"]);
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_JOINING]);
  device.mb.linkUp("wl0");
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_JOINING, S.WIFI_LINK_UP, S.WIFI_DHCPING, S.CONNECTED]);
  t.is(iface.getstate(), S.CONNECTED);
});

test.serial("wl0: with an access point that answers (auto link-up/address) the interface comes back on its own after a drop", (t) => {
  const device = moddableDevice({ config: { ssid: "home" }, autoLink: { linkUpMs: 200, addressMs: 300 } });
  const { iface, states } = openInterface(device, { interface: "wl0" });
  device.mb.advance(499);
  t.is(iface.getstate(), S.WIFI_DHCPING);
  device.mb.advance(1);
  t.is(iface.getstate(), S.CONNECTED);
  device.mb.link("wl0", "link-down");
  device.mb.advance(1000 + 500);
  t.is(iface.getstate(), S.CONNECTED);
  t.deepEqual(states, [
    S.STARTING,
    S.WIFI_JOINING,
    S.WIFI_LINK_UP,
    S.WIFI_DHCPING,
    S.CONNECTED,
    S.WIFI_STOPPED,
    S.WIFI_JOINING,
    S.WIFI_LINK_UP,
    S.WIFI_DHCPING,
    S.CONNECTED,
  ]);
});

test.serial("wl0: a failing connect() (radio failed) gives WIFI_STOPPED_UNHAPPY, with the driver's error in server.error", (t) => {
  const device = moddableDevice({ config: { ssid: "home" } });
  device.mb.board.iface("wl0")!.failed = true;
  const { iface, states } = openInterface(device, { interface: "wl0" });
  device.mb.flush();
  t.deepEqual(states, [S.STARTING, S.WIFI_STOPPED_UNHAPPY]);
  t.is(iface.getstate(), S.WIFI_STOPPED_UNHAPPY);
  t.deepEqual(device.logs.error, ["imp.net: interface wl0 is in state 106: WiFi connect() failed (connect failed); trying again every 5 s"]);
});

test.serial("wl0: a failed radio (the simulator's 'unhappy') shows as a drop (WIFI_STOPPED); the rejoin 1 s later fails (UNHAPPY, with the reason), retried every 5 s until the radio recovers", (t) => {
  const { device, states } = connectedWl0();
  // What an ESP32 shows: the connection drops, and connect() throws from then on.
  device.mb.link("wl0", "unhappy");
  t.deepEqual(states, [S.WIFI_STOPPED]);
  device.mb.advance(999);
  t.deepEqual(states, [S.WIFI_STOPPED], "no rejoin before 1 s");
  device.mb.advance(1);
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_STOPPED_UNHAPPY]);
  t.deepEqual(device.logs.error, ["imp.net: interface wl0 is in state 106: WiFi connect() failed (connect failed); trying again every 5 s"]);
  device.mb.advance(10_000);
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_STOPPED_UNHAPPY], "the retries fail quietly while the radio is down");
  // The radio works again without telling anyone: the next retry (at 16 s) joins.
  device.mb.link("wl0", "recover");
  device.mb.advance(4999);
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_STOPPED_UNHAPPY], "not before the retry");
  device.mb.advance(1);
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_STOPPED_UNHAPPY, S.WIFI_JOINING]);
  device.mb.linkUp("wl0");
  t.deepEqual(states, [S.WIFI_STOPPED, S.WIFI_STOPPED_UNHAPPY, S.WIFI_JOINING, S.WIFI_LINK_UP, S.WIFI_DHCPING, S.CONNECTED]);
});

test.serial("wl0: a blob key (encrypted) is refused by imp.net.open with a clear error, and nothing is left open", (t) => {
  const device = moddableDevice();
  const key = new Blob(4);
  const error = t.throws(() => device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "home", key } }));
  t.regex(error?.message ?? "", /imp\.net\.open: interface wl0 is not available: .*encrypted WiFi keys \(blob\) are not supported/);
  t.is(device.runtime.interfaces.size, 0);
  device.mb.flush();
  t.deepEqual(device.io.started, []);
  t.notThrows(() => device.imp.net.open({ interface: "wl0", wificonfig: { ssid: "home", key: "plain" } }));
});

test.serial("wl0: a staticconfig goes to WiFi.configure() before joining and is what getiptable reports", (t) => {
  const device = moddableDevice({ config: { ssid: "home" } });
  const { iface } = openInterface(device, {
    interface: "wl0",
    staticconfig: { ip: "10.1.9.9", netmask: "255.255.0.0", gateway: "10.1.0.1" },
  });
  t.is(device.io.notes.length, 1);
  t.regex(device.io.notes[0], /static address 10\.1\.9\.9/);
  device.mb.flush();
  device.mb.linkUp("wl0");
  t.deepEqual(iface.getiptable().ipv4, { address: "10.1.9.9", netmask: "255.255.0.0", broadcast: "10.1.255.255", gateway: "10.1.0.1" });
});

test.serial("wl0: the link driver stops reporting and cancels its rejoin after close()", (t) => {
  const { mb } = moddableDevice();
  const phases: LinkPhase[] = [];
  const link = new WifiDriver().open({ name: "wl0", kind: "wifi" }, { linkPhase: (p) => phases.push(p) }, { ssid: "home" });
  mb.flush();
  mb.linkUp("wl0");
  mb.link("wl0", "link-down");
  t.deepEqual(phases, ["joining", "link-up", "addressing", "connected", "no-link"]);
  link.close();
  mb.advance(5000);
  t.deepEqual(mb.io.started, ["wl0"], "no rejoin after close");
  t.is(mb.board.timerCount(), 0);
});

// ================================================================ lin: host network

test.serial("lin host network: comes up to CONNECTED by itself on consecutive turns, with no board link involved", (t) => {
  const device = moddableDevice({ drivers: { eth0: new HostNetworkDriver() } });
  device.mb.linkUp("eth0"); // the host computer's network is simply there
  const { iface, states } = openInterface(device, { interface: "eth0" });
  t.deepEqual(states, []);
  device.mb.flush();
  t.deepEqual(states, [S.STARTING, S.ETHERNET_LINK_UP, S.ETHERNET_DHCPING, S.CONNECTED]);
  t.is(iface.getstate(), S.CONNECTED);
  t.deepEqual(device.io.started, [], "nothing was started on the board");
  device.mb.link("eth0", "link-down");
  device.mb.advance(60_000);
  t.is(iface.getstate(), S.CONNECTED, "it never goes down");
});

test.serial("lin host network: address from config eth0_address, else Net.get('IP')", (t) => {
  let device = moddableDevice({ drivers: { eth0: new HostNetworkDriver() }, config: { eth0_address: "192.168.7.7", eth0_netmask: "255.255.255.0" } });
  device.mb.linkUp("eth0");
  let { iface } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  t.deepEqual(iface.getiptable().ipv4, { address: "192.168.7.7", netmask: "255.255.255.0", broadcast: "192.168.7.255" });

  device = moddableDevice({ drivers: { eth0: new HostNetworkDriver() } });
  device.mb.linkUp("eth0");
  ({ iface } = openInterface(device, { interface: "eth0" }));
  device.mb.flush();
  t.deepEqual(iface.getiptable().ipv4, { address: ETH0.address });
});

test.serial("lin host network: a wifi-kind host link reports WIFI_* states; info() has no MAC", (t) => {
  const device = moddableDevice({ drivers: { wl0: new HostNetworkDriver("wifi") } });
  const { states } = openInterface(device, { interface: "wl0" });
  device.mb.flush();
  t.deepEqual(states, [S.STARTING, S.WIFI_LINK_UP, S.WIFI_DHCPING, S.CONNECTED]);
  t.deepEqual(device.imp.net.info().interface, [{ type: "wifi" }]);
});

// ================================================================ getiptable, info

test.serial("getiptable (eth0): address from Net.get('IP', 'ethernet'); netmask, gateway, dns from config; broadcast derived", (t) => {
  const device = moddableDevice({
    config: { eth0_netmask: "255.255.255.0", eth0_gateway: "192.168.1.1", eth0_dns: "192.168.1.1,192.168.1.2" },
  });
  const { iface } = connectedEth0(device);
  t.deepEqual(iface.getiptable(), {
    ipv4: {
      address: ETH0.address,
      netmask: "255.255.255.0",
      broadcast: "192.168.1.255",
      gateway: "192.168.1.1",
      dnsserver: ["192.168.1.1", "192.168.1.2"],
    },
  });
});

test.serial("getiptable (eth0): the platform's DNS list (Net.get('DNS')) wins over eth0_dns", (t) => {
  const device = moddableDevice({ config: { dns: "9.9.9.9", eth0_dns: "192.168.1.1" } });
  const { iface } = connectedEth0(device);
  t.deepEqual(iface.getiptable().ipv4.dnsserver, ["9.9.9.9"]);
});

test.serial("getiptable: without configured netmask only the address is known (no netmask, no broadcast, nothing 0.0.0.0)", (t) => {
  const { iface } = connectedEth0();
  t.deepEqual(iface.getiptable(), { ipv4: { address: ETH0.address } });
});

test.serial("getiptable is empty before CONNECTED", (t) => {
  const device = moddableDevice({ config: { eth0_netmask: "255.255.255.0" } });
  const { iface } = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.link("eth0", "link-up");
  t.deepEqual(iface.getiptable(), { ipv4: {} });
});

test.serial("getiptable (eth0): staticconfig values win over config", (t) => {
  const device = moddableDevice({ config: { eth0_netmask: "255.255.0.0", eth0_gateway: "192.168.0.1", eth0_dns: "192.168.0.2" } });
  const { iface } = openInterface(device, {
    interface: "eth0",
    staticconfig: { ip: ETH0.address, netmask: "255.255.255.128", gateway: "192.168.1.126", dns: ["192.168.1.3", "192.168.1.4"] },
  });
  device.mb.flush();
  device.mb.linkUp("eth0");
  t.deepEqual(iface.getiptable().ipv4, {
    address: ETH0.address,
    netmask: "255.255.255.128",
    broadcast: "192.168.1.127",
    gateway: "192.168.1.126",
    dnsserver: ["192.168.1.3", "192.168.1.4"],
  });
});

test.serial("getiptable (wl0): address from the WiFi interface; wl0_netmask / wl0_gateway / wl0_dns from config", (t) => {
  const device = moddableDevice({ config: { ssid: "home", wl0_netmask: "255.255.0.0", wl0_gateway: "10.1.0.1", wl0_dns: "10.1.0.1" } });
  const { iface } = openInterface(device, { interface: "wl0" });
  device.mb.flush();
  device.mb.linkUp("wl0");
  t.deepEqual(iface.getiptable().ipv4, {
    address: WL0.address,
    netmask: "255.255.0.0",
    broadcast: "10.1.255.255",
    gateway: "10.1.0.1",
    dnsserver: ["10.1.0.1"],
  });
});

test.serial("imp.net.info(): MACs from Net.get (ethernet, station); active and ipv4 follow the connected interface", (t) => {
  const device = moddableDevice({ config: { ssid: "home", wl0_netmask: "255.255.0.0" } });
  t.deepEqual(device.imp.net.info(), { interface: [{ type: "ethernet", macaddress: ETH0.mac }, { type: "wifi", macaddress: WL0.mac }] });
  openInterface(device, { interface: "wl0" });
  device.mb.flush();
  device.mb.linkUp("wl0");
  const info = device.imp.net.info();
  t.is(info.active, 1);
  t.deepEqual(info.ipv4, { address: WL0.address, netmask: "255.255.0.0", broadcast: "10.1.255.255" });
});

test.serial("ModdablePlatform: now() is Time.ticks since the host was made, defer() runs on the next turn, openLink refuses an unknown name", (t) => {
  const { mb } = moddableDevice();
  mb.advance(500);
  const port = new ModdablePlatform([{ name: "eth0", driver: new EthernetDriver(), settings: {} }]);
  t.is(port.now(), 0);
  mb.advance(1234);
  t.is(port.now(), 1234);
  t.is(port.micros(), 1234000, "without Time.microseconds (lin, the emulation), micros() is now() × 1000");
  let ran = 0;
  port.defer({ run: () => ran++ });
  t.is(ran, 0);
  mb.flush();
  t.is(ran, 1);
  const error = t.throws(() => port.openLink({ name: "eth9", kind: "ethernet" }, { linkPhase: () => {} }));
  t.true(error instanceof HostError);
  t.is((error as HostError).reason, "unavailable");
  t.deepEqual(port.interfaces(), [{ name: "eth0", kind: "ethernet", macaddress: ETH0.mac }]);
});

test.serial("ModdablePlatform: schedule() runs a task once through Moddable's Timer after the delay; cancel() stops it", (t) => {
  const { mb } = moddableDevice();
  const port = new ModdablePlatform([]);
  const ran: string[] = [];
  port.schedule({ run: () => ran.push(`a@${mb.now()}`) }, 250);
  const b = port.schedule({ run: () => ran.push(`b@${mb.now()}`) }, 100);
  port.schedule({ run: () => ran.push(`c@${mb.now()}`) }, 0);
  t.is(mb.board.timerCount(), 3, "one Moddable timer each");
  port.cancel(b);
  mb.advance(1000);
  t.deepEqual(ran, ["c@0", "a@250"]);
  t.is(mb.board.timerCount(), 0, "one-shots clear themselves");
});

test.serial("imp.wakeup on the Moddable port: fires through the emulated timer module, cancelwakeup clears the Moddable timer", (t) => {
  const device = moddableDevice();
  const fired: number[] = [];
  const timer = device.imp.wakeup(0.05, () => void fired.push(device.mb.now()));
  const cancelled = device.imp.wakeup(0.02, () => void fired.push(-1));
  device.imp.cancelwakeup(cancelled!);
  t.is(device.mb.board.timerCount(), 1);
  device.mb.advance(49);
  t.deepEqual(fired, []);
  device.mb.advance(1);
  t.deepEqual(fired, [50]);
  t.notThrows(() => device.imp.cancelwakeup(timer!), "cancelling a fired timer does not touch Moddable's timer again");
  device.imp.wakeup(0, () => {
    throw new Error("from a timer");
  });
  device.mb.flush();
  t.deepEqual(device.mb.crashes, [], "the exception does not reach Moddable's timer loop");
  t.regex(device.logs.error[0] ?? "", /^imp\.wakeup callback threw: Error: from a timer/);
});
