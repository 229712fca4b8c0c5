/**
 * impos-net-spec.md §3.1–3.2: interface.getstate() and interface.getiptable().
 */
import test from "ava";
import fc from "fast-check";
import { formatIPv4 } from "../../modules/impnet/core/address";
import { NetState, connectedDevice, deliver, openDevice, waitConnected } from "../support/device";

test("getstate() follows the link: STARTING right after open, CONNECTED once up", (t) => {
  const { iface, world } = openDevice();
  t.is(iface.getstate(), NetState.STARTING);
  waitConnected(world, iface);
  t.is(iface.getstate(), NetState.CONNECTED);
  world.device.link("eth0").set("no-link");
  t.is(iface.getstate(), NetState.ETHERNET_STOPPED_NO_LINK);
});

test("getiptable() has the single key ipv4, empty while not connected", (t) => {
  const { iface, world } = openDevice();
  t.deepEqual(iface.getiptable(), { ipv4: {} });
  world.lan.clock.advance(20); // ETHERNET_DHCPING: no address yet
  t.is(iface.getstate(), NetState.ETHERNET_DHCPING);
  t.deepEqual(iface.getiptable(), { ipv4: {} });
});

test("getiptable() while connected reports address, netmask, broadcast, gateway, dhcpserver, dnsserver", (t) => {
  const { iface } = connectedDevice();
  const table = iface.getiptable();
  t.deepEqual(Object.keys(table), ["ipv4"]);
  t.deepEqual(table.ipv4, {
    address: "192.168.1.10",
    netmask: "255.255.255.0",
    broadcast: "192.168.1.255",
    gateway: "192.168.1.1",
    dhcpserver: "192.168.1.1",
    dnsserver: ["192.168.1.1"],
  });
  t.false("proxy" in table.ipv4, "no proxy unless proxyconfig was given");
});

test("getiptable() fields disappear when the link is lost and come back on reconnect", (t) => {
  const { iface, world } = connectedDevice();
  world.device.link("eth0").set("no-link");
  t.deepEqual(iface.getiptable(), { ipv4: {} });
  world.device.link("eth0").reconnect();
  waitConnected(world, iface);
  t.is(iface.getiptable().ipv4.address, "192.168.1.10");
});

test("dotted-quad fields equal to 0.0.0.0 are left out", (t) => {
  const { iface } = connectedDevice(
    { interface: "eth0" },
    {
      interfaces: [
        { name: "eth0", kind: "ethernet", address: "10.0.0.7", netmask: "255.0.0.0", gateway: "0.0.0.0", dhcpserver: "0.0.0.0", dnsserver: ["0.0.0.0", "10.0.0.53"] },
      ],
    },
  );
  const ipv4 = iface.getiptable().ipv4;
  t.false("gateway" in ipv4);
  t.false("dhcpserver" in ipv4);
  t.deepEqual(ipv4.dnsserver, ["10.0.0.53"], "a 0.0.0.0 DNS server is dropped from the list");
  t.deepEqual(ipv4, { address: "10.0.0.7", netmask: "255.0.0.0", broadcast: "10.255.255.255", dnsserver: ["10.0.0.53"] });
});

test("dnsserver is left out when every server is 0.0.0.0, and address/netmask/broadcast when they are", (t) => {
  const { iface } = connectedDevice(
    { interface: "eth0" },
    {
      interfaces: [
        { name: "eth0", kind: "ethernet", address: "0.0.0.0", netmask: "0.0.0.0", gateway: "192.168.1.1", dhcpserver: "192.168.1.1", dnsserver: ["0.0.0.0"] },
      ],
    },
  );
  t.deepEqual(iface.getiptable().ipv4, { gateway: "192.168.1.1", dhcpserver: "192.168.1.1" });
});

test("broadcast is derived from address and netmask", (t) => {
  const cases: [string, string, string][] = [
    ["10.1.2.3", "255.255.0.0", "10.1.255.255"],
    ["172.16.5.5", "255.255.255.252", "172.16.5.7"],
    ["192.168.7.200", "255.255.255.128", "192.168.7.255"],
    ["192.168.7.100", "255.255.255.128", "192.168.7.127"],
    ["10.9.9.9", "255.255.255.255", "10.9.9.9"],
  ];
  for (const [address, netmask, broadcast] of cases) {
    const { iface } = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address, netmask }] });
    t.is(iface.getiptable().ipv4.broadcast, broadcast, `${address}/${netmask}`);
  }
});

test("a broadcast address the platform reports wins over the derived one", (t) => {
  // 192.168.1.10/24 derives 192.168.1.255; this platform says 192.168.1.127.
  const { iface, world } = connectedDevice(
    { interface: "eth0" },
    { interfaces: [{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: "255.255.255.0", broadcast: "192.168.1.127" }] },
  );
  t.is(iface.getiptable().ipv4.broadcast, "192.168.1.127");
  // And it is the address datagrams to the subnet arrive on as toAddress.
  const to: string[] = [];
  iface.openudp((_from, _port, toAddress) => to.push(toAddress), 1234);
  world.lan.peer("192.168.1.50", 5000).send("192.168.1.127", 1234, "x");
  deliver(world);
  t.deepEqual(to, ["192.168.1.127"]);
});

test("property: broadcast = address | ~netmask for any private address and prefix 1..32", (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 1, max: 32 }), (low, prefix) => {
      const addressValue = (0x0a000000 | low) >>> 0; // 10/8
      const mask = (0xffffffff << (32 - prefix)) >>> 0;
      const address = formatIPv4(addressValue);
      const netmask = formatIPv4(mask);
      const { iface } = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address, netmask }] });
      const expected = formatIPv4((addressValue | ~mask) >>> 0);
      return iface.getiptable().ipv4.broadcast === expected;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test("staticconfig values are used for the table, and dhcpserver is absent", (t) => {
  const { iface } = connectedDevice({
    interface: "eth0",
    staticconfig: { ip: "10.20.30.40", netmask: "255.255.255.0", gateway: "10.20.30.1", dns: ["10.20.30.2", "10.20.30.3"] },
  });
  t.deepEqual(iface.getiptable().ipv4, {
    address: "10.20.30.40",
    netmask: "255.255.255.0",
    broadcast: "10.20.30.255",
    gateway: "10.20.30.1",
    dnsserver: ["10.20.30.2", "10.20.30.3"],
  });
});

test("staticconfig on WiFi is used too, and a 0.0.0.0 static gateway is left out", (t) => {
  const { iface } = connectedDevice({
    interface: "wl0",
    staticconfig: { ip: "172.20.0.9", netmask: "255.255.0.0", gateway: "0.0.0.0" },
  });
  const ipv4 = iface.getiptable().ipv4;
  t.is(ipv4.address, "172.20.0.9");
  t.is(ipv4.broadcast, "172.20.255.255");
  t.false("gateway" in ipv4);
  t.false("dhcpserver" in ipv4);
});

test("proxy table comes from proxyconfig: address, port, type, and no user without a username", (t) => {
  const { iface } = connectedDevice({ interface: "eth0", proxyconfig: { type: 1, address: "proxy.lan", port: 3128 } });
  t.deepEqual(iface.getiptable().ipv4.proxy, { address: "proxy.lan", port: 3128, type: 1 });
});

test("proxy table has user when a username is given, and never the password", (t) => {
  const { iface } = connectedDevice({
    interface: "wl0",
    proxyconfig: { type: 1, address: "192.168.1.3", port: 8080, username: "bob", password: "hunter2" },
  });
  const proxy = iface.getiptable().ipv4.proxy;
  t.deepEqual(proxy, { address: "192.168.1.3", port: 8080, type: 1, user: "bob" });
  t.false(JSON.stringify(iface.getiptable()).includes("hunter2"));
});

test("proxy is reported even before the interface is connected (it is configuration, not addressing)", (t) => {
  const { iface } = openDevice({ interface: "eth0", proxyconfig: { type: 1, address: "proxy.lan", port: 3128 } });
  t.deepEqual(iface.getiptable(), { ipv4: { proxy: { address: "proxy.lan", port: 3128, type: 1 } } });
});

test("opening the interface again without proxyconfig drops the proxy; with one replaces it", (t) => {
  const { imp, iface } = connectedDevice({ interface: "eth0", proxyconfig: { type: 1, address: "proxy.lan", port: 3128 } });
  imp.net.open({ interface: "eth0", proxyconfig: { type: 1, address: "other", port: 1 } });
  t.deepEqual(iface.getiptable().ipv4.proxy, { address: "other", port: 1, type: 1 });
  imp.net.open({ interface: "eth0" });
  t.false("proxy" in iface.getiptable().ipv4);
});

test("getiptable() returns a fresh table each call: changing one does not change the next", (t) => {
  const { iface } = connectedDevice({ interface: "eth0", proxyconfig: { type: 1, address: "proxy.lan", port: 3128 } });
  const first = iface.getiptable();
  first.ipv4.address = "10.0.0.1";
  first.ipv4.dnsserver?.push("1.1.1.1");
  if (first.ipv4.proxy) first.ipv4.proxy.port = 1;
  const second = iface.getiptable();
  t.is(second.ipv4.address, "192.168.1.10");
  t.deepEqual(second.ipv4.dnsserver, ["192.168.1.1"]);
  t.is(second.ipv4.proxy?.port, 3128);
});

test("getiptable().ipv4 mirrors imp.net.info().ipv4 for the connected interface", (t) => {
  const { imp, iface } = connectedDevice();
  t.deepEqual(imp.net.info().ipv4, iface.getiptable().ipv4);
});
