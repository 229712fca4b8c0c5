/**
 * The shapes of Moddable modules as they behave at run time
 * (moddable-platform.md §1–§3), where `@moddable/typings` is missing or
 * wrong: ECMA-419 UDP has `close()`, `read()` returns `undefined` when the
 * queue is empty, and `write()` takes any ArrayBuffer or view. The port casts
 * the imported classes to these interfaces once, at import.
 */
import type { Datagram } from "impnet/port";

/**
 * A datagram from `read()`: the ArrayBuffer carries the sender as own
 * properties. `destination` is not in stock Moddable: hosts that know it add
 * it (the XS simulator; a native lwIP extension could too).
 */
export type ReceivedPacket = Datagram;

/** ECMA-419 `embedded:io/socket/udp` instance. */
export interface UdpSocket419 {
  read(): ReceivedPacket | undefined;
  write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
  close(): void;
  /** The `target` constructor option, stored as an own property. */
  readonly target?: unknown;
}

export interface UdpOptions419 {
  port?: number;
  onReadable?: (this: UdpSocket419, count: number) => void;
  target?: unknown;
}

export type UdpConstructor419 = new (options: UdpOptions419) => UdpSocket419;

/** Messages of the legacy `ethernet` module (plus the `"unhappy"` extension, see links/ethernet.ts). */
export type EthernetMessage = "start" | "connect" | "disconnect" | "gotIP" | "unhappy";

/** Legacy `ethernet` module. */
export interface EthernetInstance {
  close(): void;
}
export interface EthernetConstructor {
  new (callback: (this: EthernetInstance, message: EthernetMessage) => void): EthernetInstance;
  start(): void;
  useStaticIP(address: string, netmask: string, gateway: string): void;
  useDHCP(): void;
}

/** ECMA-419 `embedded:network/interface/wifi` instance. */
export interface WifiInstance419 {
  readonly connection: number;
  readonly address: string | undefined;
  readonly MAC: string | undefined;
  connect(options: { SSID: string; password?: string }): void;
  disconnect(): void;
  configure(options: { static?: { address: string; mask: string; gateway: string } | false }): void;
  close(): void;
}
export type WifiConstructor419 = new (options: {
  onChanged?: (this: WifiInstance419, property: "connection" | "address") => void;
}) => WifiInstance419;

/** ECMA-419 WiFi `connection` values. */
export const WIFI_DISCONNECTED = 200;
export const WIFI_CONNECTING = 300;
export const WIFI_ASSOCIATED = 400;
export const WIFI_CONNECTED = 500;

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
