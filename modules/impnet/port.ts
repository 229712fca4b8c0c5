/**
 * The platform contract: the one seam between impnet's core (every impOS rule)
 * and a host (Moddable on ESP32, Moddable's `lin` simulator, the XS
 * simulator, the in-memory fake network). Hosts only translate platform
 * events and errors into these shapes; they never validate arguments or
 * decide impOS semantics.
 *
 * Everything on the receive path is an object with a method (no closures),
 * so a host can deliver a datagram with one method call and no allocation
 * beyond the platform's own buffer.
 */

/** Kind of network interface, as impOS names them in `imp.net.info()`. */
export type InterfaceKind = "ethernet" | "wifi" | "cell";

/**
 * Where a link is in its life. The core maps each phase to the impOS state
 * constant for the interface's kind (e.g. `"link-up"` is
 * `ETHERNET_LINK_UP` on Ethernet and `WIFI_LINK_UP` on WiFi).
 */
export type LinkPhase =
  | "starting" // powering up
  | "scanning" // WiFi only: looking for the network
  | "joining" // WiFi only: associating
  | "link-up" // carrier / association up, no address yet
  | "addressing" // waiting for DHCP (or applying a static address)
  | "connected" // address assigned: usable
  | "no-link" // carrier lost / association dropped; the interface stays powered
  | "stopped" // interface stopped on purpose
  | "unhappy"; // driver or chip failure

/** Addresses of a link, as dotted quads. Missing or "0.0.0.0" means unknown; the core drops such fields. */
export interface LinkAddresses {
  address?: string;
  netmask?: string;
  broadcast?: string;
  gateway?: string;
  dhcpserver?: string;
  dnsserver?: readonly string[];
}

/** Static addressing (`staticconfig` in the NIC table). */
export interface StaticConfig {
  ip: string;
  netmask: string;
  gateway?: string;
  dns?: readonly string[];
}

/** WiFi credentials (`wificonfig`). A non-string key (impOS: an encrypted blob) is passed as bytes. */
export interface WifiConfig {
  ssid: string;
  key: string | Uint8Array | null;
}

/** Everything a host needs to bring a link up; validated by the core before it reaches the host. */
export interface LinkConfig {
  name: string;
  kind: InterfaceKind;
  wifi?: WifiConfig;
  staticConfig?: StaticConfig;
}

/** What the host says about one network interface it has. */
export interface InterfaceDescriptor {
  /** Network interface identifier: `eth0`, `wl0`, `cell0`, … */
  readonly name: string;
  readonly kind: InterfaceKind;
  /** MAC address "AA:BB:…" when the platform can tell. */
  readonly macaddress?: string;
}

/** Receives link phase changes. Called asynchronously, never from inside `openLink`. */
export interface LinkListener {
  /**
   * The link is now in `phase`. `reason` says why, when the link knows
   * something the app cannot see in the state alone (for example why a WiFi
   * link will never join); the core reports it through `server.error`.
   */
  linkPhase(phase: LinkPhase, reason?: string): void;
}

/**
 * A received datagram, in the shape ECMA-419's UDP `read()` returns: the
 * payload ArrayBuffer, carrying its sender as own properties and, when the
 * host knows it, the destination address it was sent to.
 */
export interface ReceivedDatagram extends ArrayBuffer {
  readonly address: string;
  readonly port: number;
  /** Destination address (unicast or broadcast), if the host can tell. */
  readonly destination?: string;
}

/**
 * A bound UDP endpoint, in ECMA-419's UDP socket shape, so a Moddable host
 * hands over the platform socket itself with nothing in between.
 */
export interface Endpoint {
  /** The oldest datagram not yet read, or `undefined`. Throws once closed. */
  read(): ReceivedDatagram | undefined;
  /**
   * Sends the bytes of a whole ArrayBuffer or of a view (only the view's
   * bytes). Throws when the datagram cannot go out: `HostError("no-network")`
   * for no route, any other error for a platform refusal.
   */
  write(data: ArrayBuffer | Uint8Array, address: string, port: number): void;
  /** Releases the port and drops queued datagrams. Idempotent. */
  close(): void;
}

/** Told when datagrams are waiting on an endpoint. */
export interface PacketReceiver {
  /**
   * Datagrams are waiting on `endpoint`: the receiver reads until `read()`
   * returns `undefined` (hosts call this again only when more arrive).
   */
  readable(endpoint: Endpoint): void;
}

/** Why a host could not bind an endpoint or open a link. */
export type HostFailure = "in-use" | "no-network" | "unavailable" | "failed";

/** Thrown by hosts for expected failures; the core turns it into the impOS exception. */
export class HostError extends Error {
  readonly reason: HostFailure;
  constructor(reason: HostFailure, detail: string) {
    super(detail);
    this.reason = reason;
  }
}

/** An opened network interface. */
export interface Link {
  /** Current addressing; an empty object when the link has none. */
  addresses(): LinkAddresses;
  /**
   * Binds a UDP endpoint on `localPort` (1024–65535; the core chooses
   * ephemeral ports itself). Throws `HostError("in-use")` when taken.
   */
  openEndpoint(localPort: number, receiver: PacketReceiver): Endpoint;
  /** Stops listening to the link (the core calls it when the interface is released). */
  close(): void;
}

/** A deferred unit of work (an object, so scheduling allocates no closure). */
export interface Task {
  run(): void;
}

/** What every host implements. */
export interface Platform {
  /** The interfaces this device has, in platform order. */
  interfaces(): readonly InterfaceDescriptor[];
  /**
   * Powers up and starts the named link; phases arrive through `listener`.
   * Throws `HostError("unavailable")` when the interface cannot be used.
   */
  openLink(config: LinkConfig, listener: LinkListener): Link;
  /**
   * Milliseconds since the host started (the device booted), from a
   * monotonic clock: the rate limiter and `hardware.millis()`.
   */
  now(): number;
  /**
   * Microseconds on the same clock, when the platform has one finer than
   * `now()` (`hardware.micros()`; without it the core uses `now() × 1000`).
   */
  micros?(): number;
  /** Runs `task.run()` soon, from the host's event loop, not from the caller's stack. */
  defer(task: Task): void;
  /**
   * Runs `task.run()` once, `delayMs` from now, from the host's event loop
   * (`imp.wakeup`). Returns a handle for `cancel`. Throws when the platform
   * cannot make a timer.
   */
  schedule(task: Task, delayMs: number): TimerHandle;
  /** Stops a scheduled task that has not run yet (the core never passes one that ran or was cancelled). */
  cancel(handle: TimerHandle): void;
}

/** A host's timer, as `schedule` returns it; only the host looks inside. */
export type TimerHandle = object;

/** Where `server.log` / `server.error` lines go. */
export interface LogSink {
  log(line: string): void;
  error(line: string): void;
}

/** Receives messages from the agent side, for the handlers registered with `agent.on`. */
export interface AgentInbox {
  deliver(name: string, data: unknown): void;
}

/** Carries `agent.send` messages out of the device and agent messages in. */
export interface AgentTransport {
  /** Returns 0 when sent, or a Send Error Code. */
  send(name: string, data: unknown): number;
  /** Called once with the inbox that dispatches to `agent.on` handlers. */
  listen(inbox: AgentInbox): void;
}

/** Host-wide switches. */
export interface HostOptions {
  /** Enforce impOS's outgoing limit (100-packet burst, 25/s). Off by default. */
  rateLimit?: boolean;
  /** Value `send()` returns when the rate limiter refuses a packet. */
  rateLimitErrorCode?: number;
}

/** Everything the core gets from a host. */
export interface Host {
  readonly platform: Platform;
  readonly log?: LogSink;
  readonly agent?: AgentTransport;
  readonly options?: HostOptions;
}
