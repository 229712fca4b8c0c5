/**
 * The simulated interfaces and their links: addresses, what the user wants
 * (up, down, a failed driver), and the carrier and DHCP delays after the
 * firmware starts a link. Each change becomes a LinkEvent for the board.
 */
import { addressToNumber, numberToAddress, type LinkEvent } from "./protocol";
import type { BoardInterfaceSpec } from "./board/board";

/** A simulated interface: `eth0` or `wl0`, on an address this host owns. */
export interface SimInterface {
  name: "eth0" | "wl0";
  address: string;
  /** Prefix length (default 8 on loopback, else 24). */
  prefix?: number;
}

/** What the user asked of a link (`link IFACE up|down|unhappy`). */
export type Wanted = "up" | "down" | "unhappy";

export interface InterfaceState {
  spec: BoardInterfaceSpec;
  addressNumber: number;
  broadcastNumber: number;
  networkNumber: number;
  mask: number;
  loopback: boolean;
  wanted: Wanted;
  started: boolean;
  linkUp: boolean;
  dhcpDelay: number;
  timers: NodeJS.Timeout[];
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export class Links {
  readonly interfaces: InterfaceState[];
  /** Carrier delay after a link starts (ms). */
  private readonly linkDelayMs: number;

  /** `event(iface, e)`: tell the board (a LINK record in the next command). */
  constructor(
    specs: readonly SimInterface[],
    delays: { linkDelayMs?: number; dhcpDelayMs?: number },
    private readonly event: (iface: InterfaceState, event: LinkEvent) => void,
  ) {
    this.linkDelayMs = delays.linkDelayMs ?? 5;
    this.interfaces = specs.map((spec) => {
      const addressNumber = addressToNumber(spec.address);
      const loopback = addressNumber >>> 24 === 127;
      const prefix = spec.prefix ?? (loopback ? 8 : 24);
      const mask = maskOf(prefix);
      return {
        spec: { name: spec.name, address: spec.address, netmask: numberToAddress(mask) },
        addressNumber,
        mask,
        networkNumber: (addressNumber & mask) >>> 0,
        broadcastNumber: (addressNumber | ~mask) >>> 0,
        loopback,
        wanted: "up",
        started: false,
        linkUp: false,
        dhcpDelay: delays.dhcpDelayMs ?? 20,
        timers: [],
      };
    });
  }

  /** The interface called `name`; throws naming the ones there are. */
  get(name: string): InterfaceState {
    const iface = this.interfaces.find((i) => i.spec.name === name);
    if (iface === undefined) {
      throw new Error(`no simulated interface ${name} (have: ${this.interfaces.map((i) => i.spec.name).join(", ")})`);
    }
    return iface;
  }

  /** Takes a simulated link down, brings it up, or makes its driver fail. */
  set(name: string, wanted: Wanted): void {
    const iface = this.get(name);
    const before = iface.wanted;
    iface.wanted = wanted;
    this.cancelBringUp(iface);
    if (wanted === "up") {
      if (before === "unhappy") this.event(iface, "recover");
      if (iface.started && !iface.linkUp) this.bringUp(iface);
    } else if (wanted === "down") {
      if (iface.linkUp) this.event(iface, "link-down");
      iface.linkUp = false;
    } else {
      this.event(iface, "unhappy");
      iface.linkUp = false;
    }
  }

  /** The firmware started interface `name` (LINKSTART). */
  started(name: string): void {
    const iface = this.interfaces.find((i) => i.spec.name === name);
    if (iface === undefined) return;
    iface.started = true;
    if (iface.wanted === "up") {
      this.cancelBringUp(iface);
      this.bringUp(iface);
    }
  }

  /** Stops every pending carrier and DHCP timer. */
  stop(): void {
    for (const iface of this.interfaces) this.cancelBringUp(iface);
  }

  /** Carrier after the link delay, address after the DHCP delay. */
  private bringUp(iface: InterfaceState): void {
    iface.timers.push(
      setTimeout(() => {
        iface.linkUp = true;
        this.event(iface, "link-up");
        iface.timers.push(setTimeout(() => this.event(iface, "address"), iface.dhcpDelay));
      }, this.linkDelayMs),
    );
  }

  private cancelBringUp(iface: InterfaceState): void {
    for (const timer of iface.timers) clearTimeout(timer);
    iface.timers.length = 0;
  }
}
