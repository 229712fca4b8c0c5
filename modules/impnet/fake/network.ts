/**
 * In-memory fake network for unit tests of the core's rules: a virtual
 * clock, a LAN of peers, and a device whose interfaces come up, go down and
 * fail on command. Nothing here touches a real socket; behaviour that
 * depends on real sockets or the XS engine is tested through the simulator.
 */
import { broadcastOf, formatIPv4, parseIPv4 } from "../core/address";
import { decodeText, encodeText } from "../core/text";
import {
  HostError,
  type AgentInbox,
  type AgentTransport,
  type Endpoint,
  type Host,
  type HostOptions,
  type InterfaceDescriptor,
  type InterfaceKind,
  type Link,
  type LinkAddresses,
  type LinkConfig,
  type LinkListener,
  type LinkPhase,
  type LogSink,
  type NetworkPort,
  type PacketReceiver,
  type Datagram as ReceivedDatagram,
  type Task,
  type TimerHandle,
} from "../port";

/** A datagram as the fake network saw it. */
export interface Datagram {
  from: string;
  fromPort: number;
  to: string;
  toPort: number;
  data: Uint8Array;
}

interface Timer {
  at: number;
  seq: number;
  run: () => void;
}

/** Virtual time and an event queue shared by everything on a fake LAN. */
export class FakeClock {
  private time = 0;
  private seq = 0;
  private queue: Timer[] = [];

  now(): number {
    return this.time;
  }

  /** Runs `run` after `delay` virtual milliseconds (0 = at the next `flush`); returns the entry for `cancel`. */
  schedule(delay: number, run: () => void): object {
    const timer: Timer = { at: this.time + delay, seq: this.seq++, run };
    this.queue.push(timer);
    return timer;
  }

  /** Removes an entry `schedule` returned, if it has not run. */
  cancel(timer: object): void {
    const i = this.queue.indexOf(timer as Timer);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Runs everything due now, including work that scheduling adds for now. */
  flush(): void {
    this.advance(0);
  }

  /** Moves time forward by `ms`, running everything that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const t = this.queue[i];
        if (t.at > end) continue;
        if (next < 0 || t.at < this.queue[next].at || (t.at === this.queue[next].at && t.seq < this.queue[next].seq)) next = i;
      }
      if (next < 0) break;
      const [timer] = this.queue.splice(next, 1);
      if (timer.at > this.time) this.time = timer.at;
      timer.run();
    }
    this.time = end;
  }

  /** Events still waiting. */
  pending(): number {
    return this.queue.length;
  }
}

/** A PC or another device on the fake LAN, with one UDP port. */
export class FakePeer {
  readonly received: Datagram[] = [];
  constructor(
    private readonly lan: FakeLan,
    readonly address: string,
    readonly port: number,
  ) {}

  /** Sends a datagram to `address:port` (a device address or a broadcast address). */
  send(address: string, port: number, data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? encodeText(data) : data;
    this.lan.transmit({ from: this.address, fromPort: this.port, to: address, toPort: port, data: bytes.slice() });
  }

  /** Payloads received so far, as text. */
  texts(): string[] {
    return this.received.map((d) => decodeText(d.data, 0, d.data.length));
  }
}

/** Something on the LAN that takes datagrams (peers and device links). */
interface Station {
  accepts(datagram: Datagram): boolean;
  take(datagram: Datagram): void;
}

/** The shared medium: routes datagrams between peers and devices, asynchronously. */
export class FakeLan {
  readonly clock = new FakeClock();
  /** Every datagram put on the wire, in order. */
  readonly wire: Datagram[] = [];
  /** Transmission delay in virtual ms. */
  latency = 1;
  private stations: Station[] = [];
  private peers = new Map<string, FakePeer>();

  /** A peer at `address:port` (created on first use). */
  peer(address: string, port: number): FakePeer {
    const key = `${address}:${port}`;
    let peer = this.peers.get(key);
    if (peer === undefined) {
      peer = new FakePeer(this, address, port);
      this.peers.set(key, peer);
      const target = peer;
      this.stations.push({
        accepts: (d) => d.toPort === target.port && (d.to === target.address || isBroadcastFor(d.to, target.address)),
        take: (d) => target.received.push(d),
      });
    }
    return peer;
  }

  /** @internal */
  attach(station: Station): void {
    this.stations.push(station);
  }

  /** @internal Puts a datagram on the wire; stations get it after `latency`. */
  transmit(datagram: Datagram): void {
    this.wire.push(datagram);
    this.clock.schedule(this.latency, () => {
      for (const station of this.stations) if (station.accepts(datagram)) station.take(datagram);
    });
  }
}

/** A /24-style guess used only for peers, which have no netmask: x.y.z.255 is their broadcast. */
function isBroadcastFor(to: string, address: string): boolean {
  const t = parseIPv4(to);
  const a = parseIPv4(address);
  return t >= 0 && a >= 0 && (t === 0xffffffff || t === broadcastOf(a, 0xffffff00));
}

/** How a fake interface behaves. */
export interface FakeInterfaceOptions {
  name: string;
  kind: InterfaceKind;
  /** Address it gets when connected (default 192.168.1.<n>). */
  address?: string;
  netmask?: string;
  /** The broadcast address the platform reports (default: none, so the core derives it). */
  broadcast?: string;
  gateway?: string;
  dhcpserver?: string;
  dnsserver?: string[];
  macaddress?: string;
  /** `openLink` throws `HostError("unavailable")`. */
  unavailable?: boolean;
  /** Phases a link walks through after `openLink`, each `stepMs` apart. */
  bringUp?: LinkPhase[];
  stepMs?: number;
}

const BRING_UP: Record<InterfaceKind, LinkPhase[]> = {
  ethernet: ["link-up", "addressing", "connected"],
  wifi: ["scanning", "joining", "link-up", "addressing", "connected"],
  cell: ["scanning", "joining", "link-up", "connected"],
};

/** A device's link on the fake LAN. */
export class FakeLink implements Link, Station {
  /** Phases reported to the core, in order. */
  readonly phases: LinkPhase[] = [];
  /** The configuration the core passed to `openLink`. */
  config: LinkConfig | undefined;
  private phase: LinkPhase = "starting";
  private listener: LinkListener | undefined;
  private closed = false;

  constructor(
    private readonly device: FakeDevice,
    readonly options: FakeInterfaceOptions,
  ) {}

  /** @internal */
  start(config: LinkConfig, listener: LinkListener): void {
    this.config = config;
    this.listener = listener;
    this.closed = false;
    const steps = this.options.bringUp ?? BRING_UP[this.options.kind];
    const step = this.options.stepMs ?? 10;
    this.schedulePhase(0, "starting");
    steps.forEach((phase, i) => this.schedulePhase(step * (i + 1), phase));
  }

  /** Test control: report `phase` now (e.g. "no-link" when the cable is pulled), with the link's `reason` if given. */
  set(phase: LinkPhase, reason?: string): void {
    this.phase = phase;
    this.phases.push(phase);
    if (!this.closed) this.listener?.linkPhase(phase, reason);
  }

  /** Test control: walk the bring-up sequence again (cable plugged back in). */
  reconnect(): void {
    const steps = this.options.bringUp ?? BRING_UP[this.options.kind];
    const step = this.options.stepMs ?? 10;
    steps.forEach((phase, i) => this.schedulePhase(step * i, phase));
  }

  get connected(): boolean {
    return this.phase === "connected";
  }

  addresses(): LinkAddresses {
    if (!this.connected) return {};
    const o = this.options;
    const staticConfig = this.config?.staticConfig;
    return {
      address: staticConfig?.ip ?? o.address,
      netmask: staticConfig?.netmask ?? o.netmask,
      broadcast: staticConfig ? undefined : o.broadcast,
      gateway: staticConfig?.gateway ?? o.gateway,
      dhcpserver: staticConfig ? undefined : o.dhcpserver,
      dnsserver: staticConfig?.dns ?? o.dnsserver,
    };
  }

  openEndpoint(localPort: number, receiver: PacketReceiver): Endpoint {
    return this.device.bind(this, localPort, receiver);
  }

  close(): void {
    this.closed = true;
  }

  /** The link's own address and directed broadcast while connected. */
  ownAddresses(): { address: number; broadcast: number } | undefined {
    if (!this.connected) return undefined;
    const a = this.addresses();
    if (a.address === undefined) return undefined;
    const address = parseIPv4(a.address);
    const mask = a.netmask === undefined ? 0xffffff00 : parseIPv4(a.netmask);
    return { address, broadcast: a.broadcast === undefined ? broadcastOf(address, mask) : parseIPv4(a.broadcast) };
  }

  accepts(d: Datagram): boolean {
    const own = this.ownAddresses();
    const to = parseIPv4(d.to);
    // With a carrier but no address (DHCP running), lwIP still takes limited broadcasts.
    if (own === undefined) return to === 0xffffffff && (this.phase === "link-up" || this.phase === "addressing");
    return to === own.address || to === own.broadcast || to === 0xffffffff;
  }

  take(d: Datagram): void {
    this.device.deliver(this, d);
  }

  private schedulePhase(delay: number, phase: LinkPhase): void {
    this.device.lan.clock.schedule(delay, () => this.set(phase));
  }
}

/** One bound port on the fake device, with ECMA-419 read/write/close. */
class FakeEndpoint implements Endpoint {
  open = true;
  readonly queue: ReceivedDatagram[] = [];
  constructor(
    private readonly device: FakeDevice,
    readonly link: FakeLink,
    readonly port: number,
    readonly receiver: PacketReceiver,
  ) {}

  read(): ReceivedDatagram | undefined {
    if (!this.open) throw new SyntaxError("fake endpoint: closed");
    return this.queue.shift();
  }

  write(data: ArrayBuffer | Uint8Array, address: string, port: number): void {
    if (!this.open) throw new SyntaxError("fake endpoint: closed");
    this.device.send(this, data, address, port);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.queue.length = 0;
    this.device.unbind(this);
  }
}

/** A device on the fake LAN: implements the port contract for the core. */
export class FakeDevice implements NetworkPort {
  readonly links = new Map<string, FakeLink>();
  /** Ports taken by something other than impnet (e.g. an SDK service). */
  readonly occupied = new Set<number>();
  /** Datagrams the device sent, in order. */
  readonly sent: Datagram[] = [];
  /** Failures the next sends meet instead of sending: no route (a HostError) or a platform refusal. */
  readonly failNextSends: ("no-route" | "failed")[] = [];
  /** While true, `schedule` throws as a platform out of timers would. */
  timersFail = false;
  private readonly endpoints = new Map<number, FakeEndpoint>();
  private readonly descriptors: InterfaceDescriptor[] = [];

  constructor(
    readonly lan: FakeLan,
    interfaces: FakeInterfaceOptions[],
  ) {
    interfaces.forEach((options, i) => {
      const withDefaults: FakeInterfaceOptions = {
        address: `192.168.1.${10 + i}`,
        netmask: "255.255.255.0",
        gateway: "192.168.1.1",
        dhcpserver: "192.168.1.1",
        dnsserver: ["192.168.1.1"],
        ...options,
      };
      const link = new FakeLink(this, withDefaults);
      this.links.set(options.name, link);
      lan.attach(link);
      const descriptor: InterfaceDescriptor = { name: options.name, kind: options.kind };
      this.descriptors.push(options.macaddress === undefined ? descriptor : { ...descriptor, macaddress: options.macaddress });
    });
  }

  /** The fake link named `name` (throws for a typo in a test). */
  link(name: string): FakeLink {
    const link = this.links.get(name);
    if (link === undefined) throw new Error(`fake device has no interface ${name}`);
    return link;
  }

  /** Local ports currently bound by impnet. */
  boundPorts(): number[] {
    return [...this.endpoints.keys()].sort((a, b) => a - b);
  }

  interfaces(): readonly InterfaceDescriptor[] {
    return this.descriptors;
  }

  openLink(config: LinkConfig, listener: LinkListener): Link {
    const link = this.link(config.name);
    if (link.options.unavailable) throw new HostError("unavailable", `${config.name} is disabled`);
    link.start(config, listener);
    return link;
  }

  now(): number {
    return this.lan.clock.now();
  }

  defer(task: Task): void {
    this.lan.clock.schedule(0, () => task.run());
  }

  schedule(task: Task, delayMs: number): TimerHandle {
    if (this.timersFail) throw new Error("fake device: no timer available");
    return this.lan.clock.schedule(delayMs, () => task.run());
  }

  cancel(handle: TimerHandle): void {
    this.lan.clock.cancel(handle);
  }

  /** @internal */
  bind(link: FakeLink, port: number, receiver: PacketReceiver): Endpoint {
    if (this.occupied.has(port) || this.endpoints.has(port)) throw new HostError("in-use", `port ${port} is in use`);
    const endpoint = new FakeEndpoint(this, link, port, receiver);
    this.endpoints.set(port, endpoint);
    return endpoint;
  }

  /** @internal */
  unbind(endpoint: FakeEndpoint): void {
    if (this.endpoints.get(endpoint.port) === endpoint) this.endpoints.delete(endpoint.port);
  }

  /** @internal */
  send(endpoint: FakeEndpoint, data: ArrayBuffer | Uint8Array, address: string, port: number): void {
    const injected = this.failNextSends.shift();
    if (injected === "no-route") throw new HostError("no-network", "injected: no route");
    if (injected === "failed") throw new Error("injected: send failed");
    const own = endpoint.link.ownAddresses();
    if (own === undefined) throw new HostError("no-network", "no route: the link has no address");
    const bytes = data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0));
    const datagram: Datagram = { from: formatIPv4(own.address), fromPort: endpoint.port, to: address, toPort: port, data: bytes };
    this.sent.push(datagram);
    this.lan.transmit(datagram);
  }

  /** @internal A datagram reached one of this device's links. */
  deliver(link: FakeLink, d: Datagram): void {
    const endpoint = this.endpoints.get(d.toPort);
    if (endpoint === undefined || !endpoint.open) return;
    const datagram = Object.assign(d.data.slice().buffer, { address: d.from, port: d.fromPort, destination: d.to });
    endpoint.queue.push(datagram);
    endpoint.receiver.readable(endpoint);
  }
}

/** Collects `server.log` / `server.error` lines. */
export class LogRecorder implements LogSink {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  log(line: string): void {
    this.lines.push(line);
  }
  error(line: string): void {
    this.errors.push(line);
  }
}

/** An agent on the far side of the fake channel. */
export class FakeAgent implements AgentTransport {
  /** Messages the device sent with `agent.send`. */
  readonly received: { name: string; data: unknown }[] = [];
  private inbox: AgentInbox | undefined;
  /** Whether `agent.send` should fail as when the channel is down. */
  connected = true;

  constructor(private readonly clock: FakeClock) {}

  send(name: string, data: unknown): number {
    if (!this.connected) return 1;
    this.received.push({ name, data });
    return 0;
  }

  listen(inbox: AgentInbox): void {
    this.inbox = inbox;
  }

  /** Sends `name`/`data` to the device (delivered at the next clock flush). */
  post(name: string, data: unknown): void {
    this.clock.schedule(0, () => this.inbox?.deliver(name, data));
  }
}

/** Everything a unit test needs: LAN, device, log and agent, wired into a `Host`. */
export interface FakeWorld {
  lan: FakeLan;
  device: FakeDevice;
  log: LogRecorder;
  agent: FakeAgent;
  host: Host;
}

/** Builds a fake world. Default: one Ethernet `eth0` at 192.168.1.10/24 and one WiFi `wl0` at 192.168.1.11/24. */
export function fakeWorld(interfaces?: FakeInterfaceOptions[], options?: HostOptions): FakeWorld {
  const lan = new FakeLan();
  const device = new FakeDevice(
    lan,
    interfaces ?? [
      { name: "eth0", kind: "ethernet", macaddress: "02:00:00:00:00:01" },
      { name: "wl0", kind: "wifi", macaddress: "02:00:00:00:00:02" },
    ],
  );
  const log = new LogRecorder();
  const agent = new FakeAgent(lan.clock);
  const host: Host = { port: device, log, agent, options };
  return { lan, device, log, agent, host };
}
