import { Blob, receivedBlob } from "./blob";
import { encodeText } from "./text";
import { optionalCallback, requireInteger, UNCHECKED } from "./checks";
import { describeError, describeValue } from "./describe";
import type { RateLimiter } from "./rate-limiter";
import {
  EPHEMERAL_FIRST,
  EPHEMERAL_LAST,
  MAX_IP_PORT,
  MAX_SIZE,
  NetState,
  SEND_ERROR_NOT_CONNECTED,
  SEND_ERROR_TIMEOUT,
} from "./constants";
import { HostError, type Endpoint, type Link, type PacketReceiver } from "../port";
import type { DeviceContext } from "./context";

/**
 * impOS receive callback: `function(fromAddress, fromPort, toAddress, toPort, data)`.
 * `data` is a {@link Blob} wrapping the datagram without a copy.
 */
export type ReceiveCallback = (fromAddress: string, fromPort: number, toAddress: string, toPort: number, data: Blob) => void;

const CONNECTED = NetState.CONNECTED;

/**
 * What a socket needs of its interface (`NetInterface` provides it). Declared
 * here, on the socket's side, so the interface imports the socket and not
 * the other way round.
 */
export interface SocketOwner {
  /** impOS state constant. */
  readonly state: number;
  /** Network interface identifier, for error messages. */
  readonly name: string;
  /** Own unicast address while connected: the `toAddress` when the host cannot tell the destination. */
  readonly unicast: string;
  /** The last destination that passed `checkDestination` while connected. */
  readonly reachable: string | symbol;
  readonly link: Link;
  /** `send()`'s destination rule: throws the impOS error. */
  checkDestination(address: unknown): void;
}

/** Attempts at finding a free ephemeral port before giving up. */
const EPHEMERAL_ATTEMPTS = 64;

/**
 * impOS `udpsocket`: made only by `interface.openudp()`.
 *
 * Receive path: the host calls {@link UdpSocket.readable} when datagrams
 * wait; the socket reads each one, wraps it in a Blob (no copy) and calls the
 * app, inside one try block per batch. Send path: checks, rate limit,
 * ephemeral bind on first send, then the host endpoint's `write()`.
 */
export class UdpSocket implements PacketReceiver {
  private callback: ReceiveCallback | null;
  /** Local port; 0 while unbound. */
  private port = 0;
  private endpoint: Endpoint | null = null;
  private open = true;
  /** The last destination port that passed the checks (an echo answers the same peer again and again). */
  private lastPort: number | symbol = UNCHECKED;

  /** @internal Use `interface.openudp()`. */
  constructor(
    private readonly context: DeviceContext,
    private readonly iface: SocketOwner,
    callback: ReceiveCallback | null,
  ) {
    this.callback = callback;
  }

  /** @internal Binds to `localPort` (already validated and known free in the core). */
  bind(localPort: number): void {
    this.endpoint = this.iface.link.openEndpoint(localPort, this);
    this.port = localPort;
    this.context.ports.add(localPort);
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
    const iface = this.iface;
    if (address !== iface.reachable) iface.checkDestination(address);
    if (port !== this.lastPort) {
      // One test passes every integer in 0..65535 (fails NaN, fractions, strings, out of range); 67/68 next.
      if ((port & 0xffff) !== port || port === 67 || port === 68) checkPort(port);
      this.lastPort = port;
    }
    let bytes: ArrayBuffer | Uint8Array | null;
    if (data instanceof Blob) bytes = data.datagram();
    else if (typeof data === "string") {
      bytes = encodeText(data);
      if (bytes.byteLength > MAX_SIZE) bytes = null;
    } else throw new TypeError(`send: data must be a string or blob, not ${describeValue(data)}`);
    if (bytes === null) throw tooLong(data);

    if (iface.state !== CONNECTED) return SEND_ERROR_NOT_CONNECTED;
    if (this.context.limiter !== null) return this.sendLimited(bytes, address, port);
    let endpoint = this.endpoint;
    if (endpoint === null) endpoint = this.bindEphemeral();
    try {
      endpoint.write(bytes, address, port);
      return 0;
    } catch (error) {
      return sendFailure(error);
    }
  }

  /** `send()` with impOS's rate limit on: a token per datagram handed to the network. */
  private sendLimited(bytes: ArrayBuffer | Uint8Array, address: string, port: number): number {
    const context = this.context;
    const limiter = context.limiter as RateLimiter;
    if (!limiter.available(context.platform.now())) return context.rateLimitErrorCode;
    const endpoint = this.endpoint ?? this.bindEphemeral();
    limiter.take();
    try {
      endpoint.write(bytes, address, port);
      return 0;
    } catch (error) {
      return sendFailure(error);
    }
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
      this.context.ports.delete(this.port);
      endpoint.close();
    }
  }

  /** impOS `udpsocket.isopen()`: true until `close()`, bound or not. */
  isopen(): boolean {
    return this.open;
  }

  /**
   * @internal Host: datagrams are waiting on `endpoint` (the hot path). Reads
   * them all, since hosts call again only when more arrive. A throwing app
   * callback is reported and the next datagram is delivered. While the
   * socket's interface is not CONNECTED they are read and dropped instead
   * (one state test per batch, not per datagram: states change only between
   * host events).
   */
  readable(endpoint: Endpoint): void {
    // impOS: an interface that is not CONNECTED has no usable address, so nothing is
    // received through it; drain what the platform queued meanwhile (docs/compatibility.md §2).
    if (this.iface.state !== CONNECTED) {
      this.discard(endpoint);
      return;
    }
    let delivering = false;
    const port = this.port;
    for (;;) {
      try {
        for (;;) {
          // The callback may have closed the socket, and a closed endpoint's read() throws.
          if (!this.open) return;
          const datagram = endpoint.read();
          if (datagram === undefined) return;
          const callback = this.callback;
          if (callback === null) continue;
          const to = datagram.destination;
          delivering = true;
          callback(datagram.address, datagram.port, to === undefined ? this.iface.unicast : to, port, receivedBlob(datagram));
          delivering = false;
        }
      } catch (error) {
        if (!delivering) {
          this.context.log.error(`udpsocket: receive failed on port ${this.port}: ${describeError(error)}`);
          return;
        }
        delivering = false;
        this.context.callbackFailed("onreceive callback", error);
      }
    }
  }

  /** Reads and drops every queued datagram (the interface is not connected). */
  private discard(endpoint: Endpoint): void {
    try {
      while (this.open && endpoint.read() !== undefined) this.context.droppedNotConnected++;
    } catch (error) {
      this.context.log.error(`udpsocket: receive failed on port ${this.port}: ${describeError(error)}`);
    }
  }

  private bindEphemeral(): Endpoint {
    const ports = this.context.ports;
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let attempt = 0; attempt < EPHEMERAL_ATTEMPTS; attempt++) {
      const candidate = EPHEMERAL_FIRST + Math.floor(Math.random() * span);
      if (ports.has(candidate)) continue;
      try {
        this.bind(candidate);
        return this.endpoint as Endpoint;
      } catch (error) {
        if (!(error instanceof HostError) || error.reason !== "in-use") throw bindFailure("send", this.iface.name, error);
      }
    }
    throw new Error(`send: no free ephemeral port in ${EPHEMERAL_FIRST}-${EPHEMERAL_LAST} after ${EPHEMERAL_ATTEMPTS} attempts`);
  }
}

/** @internal The impOS exception for a host's refusal to bind a port on interface `iface`. */
export function bindFailure(method: string, iface: string, error: unknown, port?: number): Error {
  if (error instanceof HostError) {
    if (error.reason === "in-use") return new Error(`${method}: localPort ${port} is already in use`);
    if (error.reason === "no-network") return new Error(`${method}: interface ${iface} has no network yet`);
    return new Error(`${method}: interface ${iface} could not bind a port: ${error.message}`);
  }
  return error instanceof Error ? error : new Error(`${method}: ${String(error)}`);
}

/** The Send Error Code for a host's failed write: no route, or a platform refusal. */
function sendFailure(error: unknown): number {
  return error instanceof HostError && error.reason === "no-network" ? SEND_ERROR_NOT_CONNECTED : SEND_ERROR_TIMEOUT;
}

/** The error for data over 65507 bytes. */
function tooLong(data: string | Blob): RangeError {
  const length = typeof data === "string" ? encodeText(data).byteLength : data.len();
  return new RangeError(`send: data is ${length} bytes, above the ${MAX_SIZE}-byte maximum`);
}

/** Throws the error for a destination port that failed send()'s fast check. */
function checkPort(port: unknown): void {
  if (typeof port !== "number" || !Number.isInteger(port)) {
    throw new TypeError(`send: port ${describeValue(port)} is not an integer`);
  }
  if (port < 0 || port > MAX_IP_PORT) throw new RangeError(`send: port ${port} is outside 0-65535`);
  throw new RangeError(`send: port ${port} is reserved for DHCP/BOOTP`);
}

/** @internal Checks `openudp`'s `localPort` argument; returns 0 when omitted. */
export function checkLocalPort(localPort: unknown): number {
  if (localPort === undefined) return 0;
  const port = requireInteger("openudp", "localPort", localPort);
  if (port < 1024) throw new RangeError(`openudp: localPort ${port} is below 1024`);
  if (port > MAX_IP_PORT) throw new RangeError(`openudp: localPort ${port} is above 65535`);
  return port;
}
