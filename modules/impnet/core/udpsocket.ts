import { Blob } from "./blob";
import { encodeText } from "./text";
import { optionalCallback, requireInteger } from "./checks";
import { describeValue } from "./describe";
import { parseIPv4 } from "./address";
import {
  EPHEMERAL_FIRST,
  EPHEMERAL_LAST,
  MAX_IP_PORT,
  MAX_SIZE,
  NetState,
  SEND_ERROR_NOT_CONNECTED,
  SEND_ERROR_TIMEOUT,
} from "./constants";
import { HostError, NO_ROUTE, SENT, type Endpoint, type PacketReceiver } from "../port";
import type { NetInterface } from "./interface";
import type { Runtime } from "./runtime";

/**
 * impOS receive callback: `function(fromAddress, fromPort, toAddress, toPort, data)`.
 * `data` is a {@link Blob} wrapping the datagram without a copy.
 */
export type ReceiveCallback = (fromAddress: string, fromPort: number, toAddress: string, toPort: number, data: Blob) => void;

/** Attempts at finding a free ephemeral port before giving up. */
const EPHEMERAL_ATTEMPTS = 64;

/**
 * impOS `udpsocket`: made only by `interface.openudp()`.
 *
 * Receive path: the host calls {@link UdpSocket.receive} once per datagram; the
 * socket wraps the buffer in a Blob and calls the app. Send path: checks,
 * rate limit, ephemeral bind on first send, then one host call.
 */
export class UdpSocket implements PacketReceiver {
  private callback: ReceiveCallback | null;
  /** Local port; 0 while unbound. */
  private port = 0;
  private endpoint: Endpoint | null = null;
  private open = true;
  /** The last destination that passed the address checks, and the interface addressing it was checked under. */
  private lastAddress = "";
  private lastAddressEpoch = -1;

  /** @internal Use `interface.openudp()`. */
  constructor(
    private readonly runtime: Runtime,
    private readonly iface: NetInterface,
    callback: ReceiveCallback | null,
  ) {
    this.callback = callback;
  }

  /** @internal Binds to `localPort` (already validated and known free in the core). */
  bind(localPort: number): void {
    this.endpoint = this.iface.link.openEndpoint(localPort, this);
    this.port = localPort;
    this.runtime.ports.set(localPort, this);
  }

  /**
   * impOS `udpsocket.send(address, port, data)`: sends `data` (string or blob,
   * whole, at most 65507 bytes) to a private IPv4 `address` and `port`.
   * Returns 0, or a Send Error Code when the datagram could not be sent
   * (interface not connected, rate limited, platform failure). Throws on a
   * closed socket or invalid arguments; a throwing call changes nothing.
   */
  send(address: string, port: number, data: string | Blob): number {
    if (!this.open) throw new Error("send: socket is closed");
    if (address !== this.lastAddress || this.lastAddressEpoch !== this.iface.epoch) this.checkAddress(address);
    if (typeof port !== "number" || !Number.isInteger(port)) {
      throw new TypeError(`send: port ${describeValue(port)} is not an integer`);
    }
    if (port < 0 || port > MAX_IP_PORT) throw new RangeError(`send: port ${port} is outside 0-65535`);
    if (port === 67 || port === 68) throw new RangeError(`send: port ${port} is reserved for DHCP/BOOTP`);
    let bytes: ArrayBuffer | Uint8Array;
    if (data instanceof Blob) bytes = data.bytes();
    else if (typeof data === "string") bytes = encodeText(data);
    else throw new TypeError(`send: data must be a string or blob, not ${describeValue(data)}`);
    if (bytes.byteLength > MAX_SIZE) {
      throw new RangeError(`send: data is ${bytes.byteLength} bytes, above the ${MAX_SIZE}-byte maximum`);
    }

    const iface = this.iface;
    if (iface.state !== NetState.CONNECTED) return SEND_ERROR_NOT_CONNECTED;
    const runtime = this.runtime;
    const limiter = runtime.limiter;
    if (limiter !== null && !limiter.available(runtime.port.now())) return runtime.rateLimitErrorCode;
    if (this.endpoint === null) this.bindEphemeral();
    if (limiter !== null) limiter.take();
    const outcome = (this.endpoint as Endpoint).send(bytes, address, port);
    if (outcome === SENT) return 0;
    return outcome === NO_ROUTE ? SEND_ERROR_NOT_CONNECTED : SEND_ERROR_TIMEOUT;
  }

  /**
   * impOS `udpsocket.onreceive(callback)`: replaces the receive handler;
   * `null` stops delivery. Throws on a closed socket.
   */
  onreceive(callback: ReceiveCallback | null): void {
    if (!this.open) throw new Error("onreceive: socket is closed");
    this.callback = optionalCallback<ReceiveCallback>("onreceive", "callback", callback);
  }

  /** impOS `udpsocket.close()`: closes the socket and frees its port. Closing again does nothing. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.callback = null;
    const endpoint = this.endpoint;
    if (endpoint !== null) {
      this.endpoint = null;
      this.runtime.ports.delete(this.port);
      endpoint.close();
    }
  }

  /** impOS `udpsocket.isopen()`: true until `close()`, bound or not. */
  isopen(): boolean {
    return this.open;
  }

  /** @internal Host delivery of one datagram (the hot path). */
  receive(data: ArrayBuffer, fromAddress: string, fromPort: number, toAddress: string | undefined): void {
    const callback = this.callback;
    if (callback === null) return;
    const blob = new Blob(data);
    try {
      callback(fromAddress, fromPort, toAddress === undefined ? this.iface.unicast : toAddress, this.port, blob);
    } catch (error) {
      this.runtime.callbackFailed("onreceive callback", error);
    }
  }

  private checkAddress(address: unknown): void {
    if (typeof address !== "string") {
      throw new TypeError(`send: address ${describeValue(address)} is not a string`);
    }
    const value = parseIPv4(address);
    if (value < 0) throw new TypeError(`send: address ${describeValue(address)} is not a dotted-quad IPv4 address`);
    if (!this.iface.reaches(value)) {
      throw new RangeError(`send: address ${address} is not a private (10/8, 172.16/12, 192.168/16) address`);
    }
    this.lastAddress = address;
    this.lastAddressEpoch = this.iface.epoch;
  }

  private bindEphemeral(): void {
    const ports = this.runtime.ports;
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let attempt = 0; attempt < EPHEMERAL_ATTEMPTS; attempt++) {
      const candidate = EPHEMERAL_FIRST + Math.floor(Math.random() * span);
      if (ports.has(candidate)) continue;
      try {
        this.bind(candidate);
        return;
      } catch (error) {
        if (!(error instanceof HostError) || error.reason !== "in-use") throw this.iface.bindFailure("send", error);
      }
    }
    throw new Error(`send: no free ephemeral port in ${EPHEMERAL_FIRST}-${EPHEMERAL_LAST} after ${EPHEMERAL_ATTEMPTS} attempts`);
  }

  /** @internal Whether the socket holds `port` (tests, diagnostics). */
  localPort(): number {
    return this.port;
  }
}

/** @internal Checks `openudp`'s `localPort` argument; returns 0 when omitted. */
export function checkLocalPort(localPort: unknown): number {
  if (localPort === undefined) return 0;
  const port = requireInteger("openudp", "localPort", localPort);
  if (port < 1024) throw new RangeError(`openudp: localPort ${port} is below 1024`);
  if (port > MAX_IP_PORT) throw new RangeError(`openudp: localPort ${port} is above 65535`);
  return port;
}
