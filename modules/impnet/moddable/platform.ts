/**
 * The shapes of Moddable modules as the port uses them at run time
 * (docs/platform-notes.md §1–§3, docs/compatibility.md), declared once. Where the port imports a module
 * it assigns it to a constant of its shape without a cast, so both
 * type-checks hold the platform to these shapes: the Moddable one (`@moddable/typings`, plus
 * hosts/typings/compat/*.d.ts for what the npm package lacks: ECMA-419
 * Ethernet and WiFi, UDP `close()` and `read()` → `undefined`) and the Node
 * one, where the specifiers map to the XS simulator's emulation
 * (hosts/sim/board), which must therefore implement the same shapes.
 */
import type { ReceivedDatagram } from "impnet/port";

/** ECMA-419 `embedded:io/socket/udp` instance. */
export interface UdpSocket419 {
  /**
   * The oldest datagram, carrying its sender as own properties.
   * `destination` is not in stock Moddable: hosts that know it add it (the
   * XS simulator; a native lwIP extension could too).
   */
  read(): ReceivedDatagram | undefined;
  write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
  close(): void;
  /** The `target` constructor option, stored as an own property. */
  readonly target?: unknown;
}

export interface UdpOptions419 {
  /** Always given: the core picks ephemeral ports itself. */
  port: number;
  onReadable?: (this: UdpSocket419, count: number) => void;
  target?: unknown;
  /**
   * impnet extension: the interface ("eth0", "wl0") the socket belongs to,
   * as lwIP's `udp_bind_netif`. The XS simulator's emulation and impnet's
   * native UDP honour it; stock Moddable ignores it and binds IP_ADDR_ANY
   * (docs/compatibility.md §6).
   */
  interface: string;
}

export type UdpConstructor419 = new (options: UdpOptions419) => UdpSocket419;

/** What ECMA-419 network interfaces (`embedded:network/interface/wifi`, `…/ethernet`) have in common. */
export interface NetworkInterface419 {
  /** One of the `CONNECTION_*` values. */
  readonly connection: number;
  /** IPv4 address once assigned; ESP32 Ethernet reports the IPv6 link-local address before that. */
  readonly address: string | undefined;
  readonly MAC: string | undefined;
  close(): void;
}

/** `onChanged` of an ECMA-419 network interface, called with `this` = the instance. */
export type InterfaceChanged419<T> = (this: T, property: "connection" | "address") => void;

/** Static IPv4 settings for `configure()`. */
export interface StaticAddress419 {
  address: string;
  mask: string;
  gateway: string;
}

/** ECMA-419 `embedded:network/interface/wifi` instance. */
export interface WifiInstance419 extends NetworkInterface419 {
  connect(options: { SSID: string; password?: string }): void;
  disconnect(): void;
  configure(options: { static?: StaticAddress419 | false }): void;
}
export type WifiConstructor419 = new (options: { onChanged?: InterfaceChanged419<WifiInstance419> }) => WifiInstance419;

/**
 * ECMA-419 `embedded:network/interface/ethernet` instance (Moddable
 * modules/io/ethernet/esp32; docs/esp32.md §2). `configure()` throws
 * "not initialized" when the driver did not install.
 */
export interface EthernetInstance419 extends NetworkInterface419 {
  connect(): void;
  disconnect(): void;
  configure(options: { hostname?: string; static?: StaticAddress419 | false }): void;
}
export type EthernetConstructor419 = new (options: { onChanged?: InterfaceChanged419<EthernetInstance419> }) => EthernetInstance419;

/**
 * An interface's IPv4 configuration as the platform knows it
 * (`interfaceInfo()` of `impnet/udp-socket`; only impnet's native UDP knows it).
 */
export interface PlatformIPv4 {
  address: string;
  netmask: string;
  gateway?: string;
  broadcast: string;
}

/** ECMA-419 network interface `connection` values (WiFi and Ethernet alike). */
export const CONNECTION_DISCONNECTED = 200;
/** WiFi: joining. Ethernet: `connect()` was called (impnet never calls it, see links/ethernet.ts). */
export const CONNECTION_CONNECTING = 300;
/** WiFi associated / Ethernet link up; no address yet. */
export const CONNECTION_LINKED = 400;
export const CONNECTION_CONNECTED = 500;

/** `net` module (`Net.get`). */
export interface NetModule {
  get(property: string, mode?: string): unknown;
}

/** `timer` module. */
export interface TimerModule {
  set(callback: () => void, interval?: number, repeat?: number): unknown;
  clear(timer: unknown): void;
}

/** `time` module (`microseconds` once Moddable's microseconds module is in the build: ESP32). */
export interface TimeModule {
  readonly ticks: number;
  readonly microseconds?: number;
}
