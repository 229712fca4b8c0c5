/**
 * docs/impos-api.md §5: imp.net.info(): interface records, `active`, `ipv4`.
 */
import test from "ava";
import { connectedDevice, newDevice, waitConnected } from "../support/device";

test("info() lists every interface of the device with type and macaddress, in host order", (t) => {
  const { imp } = newDevice();
  t.deepEqual(imp.net.info().interface, [
    { type: "ethernet", macaddress: "02:00:00:00:00:01" },
    { type: "wifi", macaddress: "02:00:00:00:00:02" },
  ]);
});

test("info() records cellular interfaces as type cell, and leaves macaddress out when the host does not know it", (t) => {
  const { imp } = newDevice({
    interfaces: [
      { name: "wl0", kind: "wifi" },
      { name: "cell0", kind: "cell" },
      { name: "eth0", kind: "ethernet", macaddress: "02:aa:bb:cc:dd:ee" },
    ],
  });
  const records = imp.net.info().interface;
  t.deepEqual(records, [{ type: "wifi" }, { type: "cell" }, { type: "ethernet", macaddress: "02:aa:bb:cc:dd:ee" }]);
  t.false("macaddress" in records[0]);
});

test("info() has neither active nor ipv4 when no interface is connected", (t) => {
  const { imp } = newDevice();
  const info = imp.net.info();
  t.false("active" in info);
  t.false("ipv4" in info);
  imp.net.open({ interface: "eth0" }); // opened but not yet connected
  const starting = imp.net.info();
  t.false("active" in starting);
  t.false("ipv4" in starting);
});

test("info() gives the index of the connected interface and its ipv4 table", (t) => {
  const { imp, iface } = connectedDevice({ interface: "eth0" });
  const info = imp.net.info();
  t.is(info.active, 0);
  t.is(info.interface[info.active ?? -1].type, "ethernet");
  t.deepEqual(info.ipv4, iface.getiptable().ipv4);
  t.is(info.ipv4?.address, "192.168.1.10");
});

test("info() with only WiFi connected: active is WiFi's index and ipv4 is its table", (t) => {
  const { imp, iface } = connectedDevice({ interface: "wl0" });
  const info = imp.net.info();
  t.is(info.active, 1);
  t.is(info.interface[1].type, "wifi");
  t.deepEqual(info.ipv4, iface.getiptable().ipv4);
  t.is(info.ipv4?.address, "192.168.1.11");
});

test("info() with two interfaces connected reports the first connected one in host order", (t) => {
  const { imp, world } = connectedDevice({ interface: "wl0" });
  const eth = imp.net.open({ interface: "eth0" });
  waitConnected(world, eth);
  const info = imp.net.info();
  t.is(info.active, 0);
  t.is(info.ipv4?.address, "192.168.1.10");
  world.device.link("eth0").set("no-link");
  t.is(imp.net.info().active, 1, "falls back to WiFi when Ethernet goes down");
});

test("info() drops active and ipv4 again when the connection is lost", (t) => {
  const { imp, world } = connectedDevice();
  world.device.link("eth0").set("no-link");
  const info = imp.net.info();
  t.false("active" in info);
  t.false("ipv4" in info);
  t.is(info.interface.length, 2);
});

test("info().ipv4 includes the proxy table of the active interface", (t) => {
  const { imp } = connectedDevice({ interface: "eth0", proxyconfig: { type: 1, address: "proxy.lan", port: 3128, username: "u" } });
  t.deepEqual(imp.net.info().ipv4?.proxy, { address: "proxy.lan", port: 3128, type: 1, user: "u" });
});

test("info() returns fresh tables: changing one does not change the next", (t) => {
  const { imp } = connectedDevice();
  const first = imp.net.info();
  first.interface[0].type = "cell";
  first.interface.pop();
  if (first.ipv4) first.ipv4.address = "10.0.0.1";
  const second = imp.net.info();
  t.is(second.interface.length, 2);
  t.is(second.interface[0].type, "ethernet");
  t.is(second.ipv4?.address, "192.168.1.10");
});
