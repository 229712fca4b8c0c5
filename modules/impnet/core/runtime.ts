import { NetState, SEND_ERROR_NOT_CONNECTED } from "./constants";
import { checkNic, type Nic } from "./nic";
import { describeValue, logText } from "./describe";
import { optionalCallback, requireString } from "./checks";
import { Hardware } from "./clock";
import { wakeupDelay, WakeupTimer, type WakeupCallback } from "./wakeup";
import { NetInterface, type IPv4Table, type StateCallback } from "./interface";
import { DeviceContext, type UnhandledExceptionHandler } from "./context";
import { HostError, type AgentInbox, type Host } from "../port";

export type { UnhandledExceptionHandler } from "./context";

/** One record of `imp.net.info().interface`. */
export interface InterfaceRecord {
  type: "ethernet" | "wifi" | "cell";
  macaddress?: string;
  ssid?: string;
}

/** `imp.net.info()` result. `active` and `ipv4` are absent while no interface is connected. */
export interface NetInfo {
  interface: InterfaceRecord[];
  active?: number;
  ipv4?: IPv4Table;
}

/** Handler for `agent.on(name, handler)`. */
export type AgentHandler = (data: unknown) => void;

/**
 * impOS `imp.net`: opens interfaces, reports them, and carries the state
 * constants (`imp.net.CONNECTED`, …).
 */
export class ImpNet {
  readonly UNKNOWN = NetState.UNKNOWN;
  readonly STARTING = NetState.STARTING;
  readonly CONNECTED = NetState.CONNECTED;
  readonly WIFI_SCANNING = NetState.WIFI_SCANNING;
  readonly WIFI_JOINING = NetState.WIFI_JOINING;
  readonly WIFI_WPSING = NetState.WIFI_WPSING;
  readonly WIFI_LINK_UP = NetState.WIFI_LINK_UP;
  readonly WIFI_DHCPING = NetState.WIFI_DHCPING;
  readonly WIFI_STOPPED = NetState.WIFI_STOPPED;
  readonly WIFI_STOPPED_UNHAPPY = NetState.WIFI_STOPPED_UNHAPPY;
  readonly ETHERNET_LINK_UP = NetState.ETHERNET_LINK_UP;
  readonly ETHERNET_DHCPING = NetState.ETHERNET_DHCPING;
  readonly ETHERNET_STOPPED = NetState.ETHERNET_STOPPED;
  readonly ETHERNET_STOPPED_UNHAPPY = NetState.ETHERNET_STOPPED_UNHAPPY;
  readonly ETHERNET_STOPPED_NO_LINK = NetState.ETHERNET_STOPPED_NO_LINK;
  readonly CELLULAR_PINGING = NetState.CELLULAR_PINGING;
  readonly CELLULAR_WAITING_FOR_SIM = NetState.CELLULAR_WAITING_FOR_SIM;
  readonly CELLULAR_PPP_CONNECTING = NetState.CELLULAR_PPP_CONNECTING;
  readonly CELLULAR_REGISTERING = NetState.CELLULAR_REGISTERING;
  readonly CELLULAR_REGISTRATION_DENIED = NetState.CELLULAR_REGISTRATION_DENIED;
  readonly CELLULAR_STOPPED = NetState.CELLULAR_STOPPED;
  readonly CELLULAR_STOPPED_UNHAPPY = NetState.CELLULAR_STOPPED_UNHAPPY;

  /** @internal */
  constructor(private readonly runtime: Runtime) {}

  /**
   * impOS `imp.net.open(nic, callback)`: powers up and starts the interface
   * named by `nic.interface` and returns it at once; `callback(state)` is
   * called asynchronously with the current state and on every change.
   * Opening an interface that is already open returns the same object (the
   * new callback, if given, replaces the old one).
   */
  open(nic: Nic, callback?: StateCallback | null): NetInterface {
    const runtime = this.runtime;
    const stateCallback = optionalCallback<StateCallback>("imp.net.open", "callback", callback);
    const platform = runtime.platform;
    const checked = checkNic(nic, platform.interfaces());
    const name = checked.link.name;
    let iface = runtime.interfaces.get(name);
    if (iface === undefined) {
      const opened = new NetInterface(runtime, name, checked.link.kind, stateCallback);
      try {
        opened.link = platform.openLink(checked.link, opened);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        if (error instanceof HostError) throw new Error(`imp.net.open: interface ${name} is not available: ${detail}`);
        throw error;
      }
      runtime.interfaces.set(name, opened);
      iface = opened;
    }
    iface.proxy = checked.proxy;
    iface.reopen(stateCallback);
    return iface;
  }

  /** impOS `imp.net.info()`: every interface, the index of the connected one, and its `ipv4` table. */
  info(): NetInfo {
    const runtime = this.runtime;
    const records: InterfaceRecord[] = [];
    const info: NetInfo = { interface: records };
    const descriptors = runtime.platform.interfaces();
    for (let i = 0; i < descriptors.length; i++) {
      const descriptor = descriptors[i];
      const record: InterfaceRecord = { type: descriptor.kind };
      if (descriptor.macaddress !== undefined) record.macaddress = descriptor.macaddress;
      records.push(record);
      const iface = runtime.interfaces.get(descriptor.name);
      if (iface !== undefined && info.active === undefined && iface.state === NetState.CONNECTED) {
        info.active = i;
        info.ipv4 = iface.getiptable().ipv4;
      }
    }
    return info;
  }

  /**
   * impnet extension: switch impOS's outgoing rate limit (100-packet burst,
   * 25 packets/s, shared by all sockets) on or off for this app. Off by default.
   */
  setratelimit(enabled: boolean): void {
    if (typeof enabled !== "boolean") throw new TypeError("imp.net.setratelimit: enabled must be true or false");
    this.runtime.setRateLimit(enabled);
  }
}

/** impOS `imp` (the parts impnet provides). */
export class Imp {
  /** impOS `imp.net`. */
  readonly net: ImpNet;

  /** @internal */
  constructor(private readonly runtime: Runtime) {
    this.net = new ImpNet(runtime);
  }

  /**
   * impOS `imp.wakeup(interval, callback)`: calls `callback()` once,
   * `interval` seconds from now (0–10737418, centisecond resolution: a
   * positive interval rounds up to the next 0.01 s; 0 runs on the next
   * turn). Returns the timer, for `imp.cancelwakeup()`, or null when the
   * host cannot make a timer. An exception thrown by `callback` is reported
   * like any callback's (`server.error` or `imp.onunhandledexception`).
   */
  wakeup(interval: number, callback: WakeupCallback): WakeupTimer | null {
    const delay = wakeupDelay(interval);
    if (typeof callback !== "function") {
      throw new TypeError(`imp.wakeup: callback must be a function, not ${describeValue(callback)}`);
    }
    const timer = new WakeupTimer(this.runtime, callback);
    return timer.start(delay) ? timer : null;
  }

  /**
   * impOS `imp.cancelwakeup(timer)`: the timer will not fire. Cancelling a
   * timer that already fired or was cancelled does nothing; anything that
   * is not a timer from `imp.wakeup()` throws.
   */
  cancelwakeup(timer: WakeupTimer): void {
    if (!(timer instanceof WakeupTimer)) {
      throw new TypeError(`imp.cancelwakeup: timer ${describeValue(timer)} is not a timer from imp.wakeup`);
    }
    timer.cancel();
  }

  /**
   * impOS `imp.onunhandledexception(handler)`: errors thrown by app callbacks
   * go to `handler` instead of `server.error`. `null` restores the default.
   */
  onunhandledexception(handler: UnhandledExceptionHandler | null): void {
    this.runtime.unhandled = optionalCallback<UnhandledExceptionHandler>("imp.onunhandledexception", "handler", handler);
  }
}

/** impOS `server` (logging only: impnet has no impCloud). */
export class Server {
  /** @internal */
  constructor(private readonly runtime: Runtime) {}

  /** impOS `server.log(message)`. Returns 0. */
  log(message: unknown): number {
    this.runtime.log.log(logText(message));
    return 0;
  }

  /** impOS `server.error(message)`. Returns 0. */
  error(message: unknown): number {
    this.runtime.log.error(logText(message));
    return 0;
  }
}

/** impOS `agent`: a named-message channel to whatever the host puts on the other end. */
export class Agent implements AgentInbox {
  /** Made on first use: a Map created while Moddable preloads impnet would be read-only. */
  private handlers: Map<string, AgentHandler> | undefined;

  /** @internal */
  constructor(private readonly runtime: Runtime) {}

  /** impOS `agent.on(name, handler)`: handle messages called `name`; `null` removes the handler. */
  on(name: string, handler: AgentHandler | null): void {
    requireString("agent.on", "name", name);
    const checked = optionalCallback<AgentHandler>("agent.on", "handler", handler);
    const handlers = (this.handlers ??= new Map());
    if (checked === null) handlers.delete(name);
    else handlers.set(name, checked);
    this.runtime.ensureAgentTransport();
  }

  /** impOS `agent.send(name, data)`: returns 0, or `SEND_ERROR_NOT_CONNECTED` when the host has no agent transport. */
  send(name: string, data?: unknown): number {
    requireString("agent.send", "name", name);
    const transport = this.runtime.host.agent;
    return transport === undefined ? SEND_ERROR_NOT_CONNECTED : transport.send(name, data);
  }

  /** @internal Host: a message from the agent side. Unknown names are dropped, as on impOS. */
  deliver(name: string, data: unknown): void {
    const handler = this.handlers?.get(name);
    if (handler === undefined) return;
    try {
      handler(data);
    } catch (error) {
      this.runtime.callbackFailed(`agent.on("${name}") handler`, error);
    }
  }
}

/**
 * The device: one per host. Adds the impOS objects an app uses and the open
 * interfaces to the {@link DeviceContext} they share.
 */
export class Runtime extends DeviceContext {
  readonly imp: Imp;
  readonly server: Server;
  readonly agent: Agent;
  readonly hardware: Hardware;
  private interfaceTable: Map<string, NetInterface> | undefined;
  private agentListening = false;

  constructor(host: Host | (() => Host)) {
    super(host);
    this.imp = new Imp(this);
    this.server = new Server(this);
    this.agent = new Agent(this);
    this.hardware = new Hardware(this);
  }

  /** Open interfaces by name (made on first use: a Map made while Moddable preloads impnet would be read-only). */
  get interfaces(): Map<string, NetInterface> {
    return (this.interfaceTable ??= new Map());
  }

  /** Connects the host's agent transport to `agent.on` handlers, once. */
  ensureAgentTransport(): void {
    if (this.agentListening) return;
    const transport = this.host.agent;
    if (transport === undefined) return;
    this.agentListening = true;
    transport.listen(this.agent);
  }
}

/** The impOS objects an app imports. */
export interface ImpGlobals {
  imp: Imp;
  server: Server;
  agent: Agent;
  hardware: Hardware;
}

/** Builds a device on `host` (or on the host a factory makes on first use). */
export function createRuntime(host: Host | (() => Host)): Runtime {
  return new Runtime(host);
}
