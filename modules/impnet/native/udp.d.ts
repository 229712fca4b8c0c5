/**
 * Types of impnet's native UDP socket for Moddable (`impnet/native/udp`,
 * docs/native-udp.md): the ECMA-419 UDP socket shape plus what stock
 * Moddable cannot give. The same module on every backend (lin, esp32).
 */

/** The interfaces a socket can belong to. */
export type InterfaceName = "eth0" | "wl0";

export interface UDPOptions {
  /** 1–65535 (the core picks ephemeral ports itself). */
  port: number;
  /** The socket belongs to this interface only: "eth0" or "wl0" (an `InterfaceName`); any other name throws a `RangeError`. */
  interface: string;
  /** Called with `this` = the socket when datagrams are queued; again only after a `read()` emptied the queue. */
  onReadable?: (this: UDP, count: number) => void;
  /** Kept as the socket's `target`. */
  target?: unknown;
}

/** A received datagram: its bytes, with the sender and the address it was sent to. */
export interface NativeDatagram extends ArrayBuffer {
  readonly address: string;
  readonly port: number;
  /** The interface's unicast address, its subnet broadcast address or 255.255.255.255. */
  readonly destination: string;
}

/** An interface's IPv4 configuration as the platform knows it. */
export interface InterfaceInfo {
  address: string;
  netmask: string;
  gateway?: string;
  broadcast: string;
}

export default class UDP {
  /**
   * Binds `options.port` on `options.interface`. Throws `Error("bind failed")`
   * when the port is in use there, `Error("no network")` when the interface
   * has no IPv4 address, `TypeError`/`RangeError` for bad options.
   */
  constructor(options: UDPOptions);
  /** The oldest queued datagram, or undefined when none is queued. Throws `Error("closed")` after `close()`. */
  read(): NativeDatagram | undefined;
  /**
   * Hands the bytes (a whole ArrayBuffer, or a view's bytes; up to 65507) to
   * the platform for `address`:`port`, from the interface's address.
   * Throws `Error("no network")` when there is no route, another Error when
   * the platform refuses. Nothing is queued for later.
   */
  write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
  /** Releases the port and drops queued datagrams; idempotent. */
  close(): void;
  /** Datagrams dropped because the receive queue was full. */
  readonly dropped: number;
  readonly target?: unknown;
  format: "buffer";
}

/** The IPv4 configuration of `name`, or undefined when it has no address. */
export function interfaceInfo(name: string): InterfaceInfo | undefined;
