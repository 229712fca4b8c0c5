/**
 * Emulated ECMA-419 `embedded:network/interface/ethernet` for interface
 * eth0, with the observable behaviour of Moddable's ESP32 implementation
 * (modules/io/ethernet/esp32/ethernet-esp32.c; docs/esp32.md §2):
 *
 * - The first instance installs the driver and starts the link. If the chip
 *   does not answer, the install fails quietly: the instance exists,
 *   `connection` stays 200, `address` is undefined and `configure()` throws
 *   "not initialized". A later instance would re-initialise the SPI bus,
 *   which aborts the device: here it throws.
 * - `connection`: 500 when linked with IPv4 and the IPv6 link-local address,
 *   else 300 while a `connect()` is pending, else 400 when linked, else 200.
 *   DHCP starts on link-up without `connect()`.
 * - `onChanged("connection")` on every change of that state, then
 *   `onChanged("address")` when the IPv4 address arrives.
 * - `address`: IPv4, else the IPv6 link-local address once the link is up.
 * - A chip that fails while running reads as link down: there is no other event.
 */
import { board, type Board } from "./board";

type OnChanged = (this: Ethernet, property: "connection" | "address") => void;

const NAME = "eth0";
/** Bits of `ip`: IPv4 address, IPv6 link-local address (ethernet-esp32.c's `gIP`). */
const IPV4 = 0x01;
const IPV6 = 0x02;
const BOTH = IPV4 | IPV6;

/** The driver's state, one per board (ethernet-esp32.c's globals). */
interface Driver {
  /** esp_eth_driver_install succeeded (`gNetif` set). */
  installed: boolean;
  /** The install was tried and failed. */
  failedInstall: boolean;
  /** Link up (`gConnected`). */
  linked: boolean;
  /** Addresses assigned since the link came up (`gIP`). */
  ip: number;
  /** A static address was configured (DHCP client stopped). */
  staticAddress: boolean;
  instances: Ethernet[];
}

const drivers = new WeakMap<Board, Driver>();

function driverOf(b: Board): Driver {
  let driver = drivers.get(b);
  if (driver === undefined) {
    driver = { installed: false, failedInstall: false, linked: false, ip: 0, staticAddress: false, instances: [] };
    drivers.set(b, driver);
    b.observe({ linkEvent: (name, event) => driverEvent(driver as Driver, name, event) });
  }
  return driver;
}

/** Board events → the driver's ESP-IDF events, delivered to every open instance. */
function driverEvent(driver: Driver, name: string, event: string): void {
  if (name !== NAME || !driver.installed) return;
  switch (event) {
    case "link-up":
      if (driver.linked) return;
      driver.linked = true;
      driver.ip = 0;
      broadcast(driver, (e) => e.linkUp(0));
      break;
    case "address":
      // DHCP's IPv4 address; the link-local IPv6 address (after duplicate detection) is taken to be in place by then.
      if (!driver.linked || driver.ip === BOTH) return;
      driver.ip = BOTH;
      broadcast(driver, (e) => e.gotAddress(false));
      break;
    case "link-down":
    case "unhappy":
      if (!driver.linked) return;
      driver.linked = false;
      driver.ip = 0;
      broadcast(driver, (e) => e.linkDown());
      break;
  }
}

function broadcast(driver: Driver, deliver: (instance: Ethernet) => void): void {
  for (const instance of driver.instances.slice()) deliver(instance);
}

/** The EUI-64 link-local address lwIP derives from a MAC address, written as lwIP's ip6addr_ntoa does (upper case, first zero run as "::"). */
function linkLocal(mac: string): string {
  const b = mac.split(":").map((part) => parseInt(part, 16));
  const groups = [0xfe80, 0, 0, 0, ((b[0] ^ 0x02) << 8) | b[1], (b[2] << 8) | 0xff, 0xfe00 | b[3], (b[4] << 8) | b[5]];
  const start = groups.indexOf(0);
  let end = start;
  while (end < groups.length && groups[end] === 0) end++;
  const hex = (list: number[]): string => list.map((g) => g.toString(16).toUpperCase()).join(":");
  return `${hex(groups.slice(0, start))}::${hex(groups.slice(end))}`;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function validIPv4(text: unknown): boolean {
  const match = typeof text === "string" ? DOTTED_QUAD.exec(text) : null;
  return match !== null && match.slice(1).every((part) => Number(part) <= 255);
}

export default class Ethernet {
  private readonly onChanged: OnChanged | undefined;
  private readonly driver: Driver;
  private connected = false;
  private connecting = false;
  private ip = 0;
  private closed = false;

  constructor(options: { onChanged?: OnChanged; port?: unknown }) {
    if (options === undefined || options === null) throw new TypeError("options required");
    const b = board();
    this.onChanged = options.onChanged;
    this.driver = driverOf(b);
    const wasInstalled = this.driver.installed;
    install(b, this.driver);
    const iface = b.iface(NAME);
    // A fresh netif has no address; a later instance sees what the first one's link got.
    if (wasInstalled && iface !== undefined) {
      if (iface.hasAddress) {
        this.connected = true;
        this.ip |= IPV4;
      }
      if (this.driver.linked) this.ip |= IPV6;
      if (this.ip !== 0) {
        this.driver.ip = this.ip;
        this.driver.linked = true;
      } else if (this.driver.linked) this.connected = true;
    }
    this.driver.instances.push(this);
  }

  get connection(): number {
    if (this.connected && this.ip === BOTH) return 500;
    if (this.connecting) return 300;
    if (this.connected) return 400;
    return 200;
  }

  get address(): string | undefined {
    const iface = board().iface(NAME);
    if (!this.driver.installed || iface === undefined) return undefined;
    if (iface.hasAddress) return iface.address;
    return this.driver.linked ? linkLocal(iface.mac) : undefined;
  }

  get MAC(): string | undefined {
    // esp_read_mac(ESP_MAC_ETH): the factory-derived address, installed or not.
    return board().iface(NAME)?.mac;
  }

  /** Starts DHCP (or, with a static address, posts "got IP" at once, link or not). */
  connect(): void {
    if (this.connecting) throw new Error("already connecting");
    if (this.driver.installed && this.driver.staticAddress) {
      this.driver.ip = BOTH;
      const self = this;
      board().setTimer(() => self.gotAddress(false), 0, 0);
    } else {
      this.connecting = true;
    }
  }

  disconnect(): void {
    this.connecting = false;
    this.ip = 0;
  }

  configure(options: { hostname?: string; static?: { address: string; mask: string; gateway: string } | false }): void {
    const driver = this.driver;
    if (!driver.installed) throw new Error("not initialized");
    if (options === undefined || options === null || !("static" in options)) return;
    const fixed = options.static;
    const b = board();
    if (fixed) {
      if (!validIPv4(fixed.address)) throw new RangeError("invalid address");
      if (!validIPv4(fixed.mask)) throw new RangeError("invalid mask");
      if (!validIPv4(fixed.gateway)) throw new RangeError("invalid gateway");
      const iface = b.iface(NAME);
      if (iface !== undefined && fixed.address !== iface.address) {
        b.io.note(`ethernet: static address ${fixed.address} ignored; the simulator's eth0 is ${iface.address}`);
      }
      driver.staticAddress = true;
      if (driver.linked) {
        driver.ip = BOTH;
        broadcast(driver, (e) => e.gotAddress(true));
      }
    } else {
      driver.staticAddress = false;
      if (driver.linked) {
        driver.ip = 0;
        broadcast(driver, (e) => e.linkUp(0));
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const list = this.driver.instances;
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
  }

  /** @internal ETHERNET_EVENT_CONNECTED. */
  linkUp(ip: number): void {
    this.deliver(true, this.connecting, ip, false);
  }

  /** @internal ETHERNET_EVENT_DISCONNECTED. */
  linkDown(): void {
    this.deliver(false, false, 0, false);
  }

  /** @internal IP_EVENT_ETH_GOT_IP once both addresses are in. */
  gotAddress(changed: boolean): void {
    this.deliver(true, this.connecting, BOTH, changed);
  }

  private deliver(connected: boolean, connecting: boolean, ip: number, addressChanged: boolean): void {
    if (this.closed) return;
    const before = { connected: this.connected, connecting: this.connecting, ip: this.ip };
    this.connected = connected;
    this.connecting = connecting;
    this.ip = ip;
    const onChanged = this.onChanged;
    if (onChanged === undefined) return;
    const connectionChanged = before.connected !== connected || before.connecting !== connecting || before.ip !== ip;
    const gotIPv4 = ((before.ip & IPV4) === 0 && (ip & IPV4) !== 0) || addressChanged;
    if (connectionChanged) onChanged.call(this, "connection");
    if (gotIPv4 && !this.closed) onChanged.call(this, "address");
  }
}

/** initEthernet(): installs the driver for the first instance; a retry after a failed install aborts on the device. */
function install(b: Board, driver: Driver): void {
  if (driver.installed) return;
  if (driver.failedInstall) {
    throw new Error("ethernet: spi_bus_initialize failed (ESP_ERR_INVALID_STATE) after a failed install: ESP_ERROR_CHECK aborts the device");
  }
  const iface = b.iface(NAME);
  if (iface === undefined || iface.failed) {
    driver.failedInstall = true;
    return;
  }
  driver.installed = true;
  iface.started = true;
  b.io.startLink(NAME);
}
