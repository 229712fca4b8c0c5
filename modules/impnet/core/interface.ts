import { NetState } from "./constants";
import { broadcastOf, formatIPv4, isLoopbackIPv4, isPrivateIPv4, parseIPv4, prefixLength } from "./address";
import { optionalCallback, UNCHECKED } from "./checks";
import { describeValue } from "./describe";
import { bindFailure, checkLocalPort, UdpSocket, type ReceiveCallback, type SocketOwner } from "./udpsocket";
import type { ProxyTable } from "./nic";
import type { InterfaceKind, Link, LinkListener, LinkPhase, Task } from "../port";
import type { DeviceContext } from "./context";

export type { ProxyTable } from "./nic";

/** impOS interface state callback: `function(state)`. */
export type StateCallback = (state: number) => void;

/** The `ipv4` table of `getiptable()` and `imp.net.info()`; a dotted-quad field is absent when it would be 0.0.0.0. */
export interface IPv4Table {
  address?: string;
  broadcast?: string;
  dhcpserver?: string;
  dnsserver?: string[];
  gateway?: string;
  netmask?: string;
  proxy?: ProxyTable;
}

/** `interface.getiptable()` result. */
export interface IPTable {
  ipv4: IPv4Table;
}

/** impOS state number for each link phase, by interface kind (frozen: lives in flash when preloaded). */
const STATES: Readonly<Record<InterfaceKind, Readonly<Record<LinkPhase, number>>>> = Object.freeze({
  ethernet: Object.freeze({
    starting: NetState.STARTING,
    scanning: NetState.STARTING,
    joining: NetState.STARTING,
    "link-up": NetState.ETHERNET_LINK_UP,
    addressing: NetState.ETHERNET_DHCPING,
    connected: NetState.CONNECTED,
    "no-link": NetState.ETHERNET_STOPPED_NO_LINK,
    stopped: NetState.ETHERNET_STOPPED,
    unhappy: NetState.ETHERNET_STOPPED_UNHAPPY,
  }),
  wifi: Object.freeze({
    starting: NetState.STARTING,
    scanning: NetState.WIFI_SCANNING,
    joining: NetState.WIFI_JOINING,
    "link-up": NetState.WIFI_LINK_UP,
    addressing: NetState.WIFI_DHCPING,
    connected: NetState.CONNECTED,
    "no-link": NetState.WIFI_STOPPED,
    stopped: NetState.WIFI_STOPPED,
    unhappy: NetState.WIFI_STOPPED_UNHAPPY,
  }),
  cell: Object.freeze({
    starting: NetState.STARTING,
    scanning: NetState.CELLULAR_PINGING,
    joining: NetState.CELLULAR_REGISTERING,
    "link-up": NetState.CELLULAR_PPP_CONNECTING,
    addressing: NetState.CELLULAR_PPP_CONNECTING,
    connected: NetState.CONNECTED,
    "no-link": NetState.CELLULAR_STOPPED,
    stopped: NetState.CELLULAR_STOPPED,
    unhappy: NetState.CELLULAR_STOPPED_UNHAPPY,
  }),
});

/**
 * impOS `interface`: what `imp.net.open()` returns. Listens to its link's
 * phases, keeps the impOS state, and makes UDP sockets.
 */
export class NetInterface implements LinkListener, Task, SocketOwner {
  /** impOS state constant, as `getstate()` returns it. */
  state: number = NetState.STARTING;
  /** Own unicast address while connected ("" before); the `toAddress` of packets whose destination the host cannot tell. */
  unicast = "";
  /**
   * The last destination that passed the whole of `checkDestination` while
   * connected (sockets skip the check for it: an echo replies to the same
   * peer again and again). Cleared whenever the interface connects, since the
   * subnet and loopback rules depend on its address. Starts as a symbol,
   * which no argument can equal.
   */
  reachable: string | symbol = UNCHECKED;
  /** @internal Set by `imp.net.open` right after the host opened the link. */
  link!: Link;
  /** @internal `proxyconfig`, reported back in the IP table. */
  proxy: ProxyTable | undefined;
  private phase: LinkPhase = "starting";
  private onLoopback = false;
  /** The interface's own subnet while connected (`subnetMask` 0: unknown, so only the private-address rule applies). */
  private subnetNetwork = 0;
  private subnetMask = 0;
  private callback: StateCallback | null;
  private announcePending = false;

  /** @internal Use `imp.net.open()`. */
  constructor(
    private readonly context: DeviceContext,
    readonly name: string,
    readonly kind: InterfaceKind,
    callback: StateCallback | null,
  ) {
    this.callback = callback;
  }

  /** impOS `interface.getstate()`: the current `imp.net.*` state constant. */
  getstate(): number {
    return this.state;
  }

  /**
   * impOS `interface.getiptable()`: `{ ipv4: {...} }`. Fields are present only
   * while the interface is connected, and a dotted-quad field is left out
   * when it would be 0.0.0.0.
   */
  getiptable(): IPTable {
    const ipv4: IPv4Table = {};
    if (this.state === NetState.CONNECTED) {
      const raw = this.link.addresses();
      const address = known(raw.address);
      const netmask = known(raw.netmask);
      if (address !== undefined) ipv4.address = address;
      if (netmask !== undefined) ipv4.netmask = netmask;
      const broadcast =
        known(raw.broadcast) ??
        (address !== undefined && netmask !== undefined
          ? known(formatIPv4(broadcastOf(parseIPv4(address), parseIPv4(netmask))))
          : undefined);
      if (broadcast !== undefined) ipv4.broadcast = broadcast;
      const gateway = known(raw.gateway);
      if (gateway !== undefined) ipv4.gateway = gateway;
      const dhcpserver = known(raw.dhcpserver);
      if (dhcpserver !== undefined) ipv4.dhcpserver = dhcpserver;
      if (raw.dnsserver !== undefined) {
        const dns = raw.dnsserver.filter((server) => known(server) !== undefined);
        if (dns.length > 0) ipv4.dnsserver = dns;
      }
    }
    if (this.proxy !== undefined) ipv4.proxy = { ...this.proxy };
    return { ipv4 };
  }

  /**
   * impOS `interface.openudp(callback, localPort)`: a UDP socket on this
   * interface. With `localPort` (1024–65535) it is bound at once; without,
   * it is bound to an ephemeral port (49152–65535) on its first send.
   * Throws on cellular, on an unpowered or unavailable interface, and for a
   * port that is not an integer, out of range or in use.
   */
  openudp(callback?: ReceiveCallback | null, localPort?: number): UdpSocket {
    const receive = optionalCallback<ReceiveCallback>("openudp", "callback", callback);
    if (this.kind === "cell") throw new Error(`openudp: UDP is not available on cellular interface ${this.name}`);
    if (this.phase === "stopped" || this.phase === "unhappy") {
      throw new Error(`openudp: interface ${this.name} is not powered or is unavailable (state ${this.state})`);
    }
    const port = checkLocalPort(localPort);
    if (port !== 0 && this.context.ports.has(port)) throw new Error(`openudp: localPort ${port} is already in use`);
    const socket = new UdpSocket(this.context, this, receive);
    if (port !== 0) {
      try {
        socket.bind(port);
      } catch (error) {
        throw bindFailure("openudp", this.name, error, port);
      }
    }
    return socket;
  }

  /**
   * @internal `send()`'s destination rule (docs/compatibility.md §2): a
   * dotted-quad private address inside the interface's own subnet, since an
   * interface opened for local use reaches only its subnet (its broadcast
   * address included). While the interface is not connected its subnet is
   * unknown and only the private-address rule applies (`send` then returns
   * 1). An interface on loopback keeps its own rule: private or 127/8.
   * Throws the impOS error; caches an address that passed while connected.
   */
  checkDestination(address: unknown): void {
    if (typeof address !== "string") {
      throw new TypeError(`send: address ${describeValue(address)} is not a string`);
    }
    const value = parseIPv4(address);
    if (value < 0) throw new TypeError(`send: address ${describeValue(address)} is not a dotted-quad IPv4 address`);
    if (!isPrivateIPv4(value) && !(this.onLoopback && isLoopbackIPv4(value))) {
      throw new RangeError(`send: address ${address} is not a private (10/8, 172.16/12, 192.168/16) address`);
    }
    if (this.state !== NetState.CONNECTED) return;
    const mask = this.subnetMask;
    if (mask !== 0 && !this.onLoopback && ((value & mask) >>> 0) !== this.subnetNetwork) {
      throw new RangeError(
        `send: address ${address} is outside ${this.name}'s subnet ${formatIPv4(this.subnetNetwork)}/${prefixLength(mask)}`,
      );
    }
    this.reachable = address;
  }

  /** @internal Host: the link moved to `phase` (`reason`: why, when the link can tell). */
  linkPhase(phase: LinkPhase, reason?: string): void {
    this.phase = phase;
    if (phase === "connected") this.learnAddress();
    const next = STATES[this.kind][phase];
    if (next === this.state) return;
    // The state imp.net.open() is about to announce comes first, even when the link moves on
    // before the announcement's turn: the callback always sees STARTING before anything else.
    if (this.announcePending) {
      this.announcePending = false;
      this.notify();
    }
    this.state = next;
    if (reason !== undefined) this.context.log.error(`imp.net: interface ${this.name} is in state ${next}: ${reason}`);
    this.notify();
  }

  /** @internal Deferred first announcement of the state after `imp.net.open()`. */
  run(): void {
    if (!this.announcePending) return;
    this.announcePending = false;
    this.notify();
  }

  /** @internal `imp.net.open()` on this interface: new callback (if any) and one announcement of the current state. */
  reopen(callback: StateCallback | null): void {
    if (callback !== null) this.callback = callback;
    this.announcePending = true;
    this.context.platform.defer(this);
  }

  private notify(): void {
    const callback = this.callback;
    if (callback === null) return;
    try {
      callback(this.state);
    } catch (error) {
      this.context.callbackFailed("interface state callback", error);
    }
  }

  /** On CONNECTED: the own address (for `toAddress`) and subnet (for the destination rule). */
  private learnAddress(): void {
    const raw = this.link.addresses();
    const address = known(raw.address) ?? "";
    const netmask = known(raw.netmask);
    const value = address === "" ? -1 : parseIPv4(address);
    const mask = netmask === undefined || value < 0 ? -1 : parseIPv4(netmask);
    this.unicast = address;
    this.onLoopback = value >= 0 && isLoopbackIPv4(value);
    this.subnetMask = mask < 0 ? 0 : mask;
    this.subnetNetwork = mask < 0 ? 0 : (value & mask) >>> 0;
    this.reachable = UNCHECKED;
  }
}

/** A dotted quad worth reporting: present, and not 0.0.0.0. */
function known(address: string | undefined): string | undefined {
  return address === undefined || address === "" || address === "0.0.0.0" ? undefined : address;
}
