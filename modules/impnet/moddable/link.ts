import Net from "net";
import { interfaceInfo } from "impnet/udp-socket";
import { openUdpEndpoint } from "./udp";
import type { InterfaceChanged419, NetModule, NetworkInterface419 } from "./platform";
import type { Endpoint, InterfaceKind, Link, LinkAddresses, LinkConfig, LinkListener, LinkPhase, PacketReceiver } from "impnet/port";

/**
 * Addressing stock Moddable cannot tell from JavaScript (it exposes an
 * interface's address but not its netmask, gateway or broadcast), taken from
 * `staticconfig` or from the host's configuration (`mc/config`) unless the
 * platform socket's `interfaceInfo()` knows it (impnet's native UDP).
 */
export interface LinkSettings {
  address?: string;
  netmask?: string;
  gateway?: string;
  dns?: readonly string[];
  ssid?: string;
  password?: string;
}

/** Makes links of one kind (one driver per interface name). */
export interface LinkDriver {
  readonly kind: InterfaceKind;
  /** MAC address, when the platform can tell. */
  macaddress(): string | undefined;
  open(config: LinkConfig, listener: LinkListener, settings: LinkSettings): Link;
}

const NetApi = Net as unknown as NetModule;

/** The MAC address `Net.get` reports for `mode` ("ethernet", "station"), if any. */
export function platformMac(mode: string): string | undefined {
  const mac = NetApi.get("MAC", mode);
  return typeof mac === "string" ? mac : undefined;
}

/** What every Moddable link shares: its configuration, UDP endpoints, and phase reporting with duplicates dropped. */
export abstract class ModdableLink implements Link {
  protected phase: LinkPhase = "starting";
  protected closed = false;

  constructor(
    protected readonly config: LinkConfig,
    protected readonly listener: LinkListener,
    protected readonly settings: LinkSettings,
  ) {}

  abstract addresses(): LinkAddresses;

  openEndpoint(localPort: number, receiver: PacketReceiver): Endpoint {
    return openUdpEndpoint(localPort, receiver, this.config.name);
  }

  close(): void {
    this.closed = true;
  }

  /** Reports `phase` (with `reason`, when the app should know why) unless it is the current one. */
  protected report(phase: LinkPhase, reason?: string): void {
    if (this.closed || phase === this.phase) return;
    this.phase = phase;
    this.listener.linkPhase(phase, reason);
  }

  /**
   * Netmask/gateway/DNS from `staticconfig`; else address, netmask, gateway
   * and broadcast as the platform reports them (native UDP), DNS from the
   * host settings; else all from the host settings.
   */
  protected configured(): LinkAddresses {
    const fixed = this.config.staticConfig;
    const s = this.settings;
    const dnsserver = fixed?.dns ?? s.dns;
    const known = fixed === undefined ? interfaceInfo(this.config.name) : undefined;
    if (known !== undefined) return { address: known.address, netmask: known.netmask, gateway: known.gateway, broadcast: known.broadcast, dnsserver };
    return { netmask: fixed?.netmask ?? s.netmask, gateway: fixed?.gateway ?? s.gateway, dnsserver };
  }
}

/**
 * A link on an ECMA-419 network interface (WiFi or Ethernet): the instance,
 * its `onChanged("connection")` calls routed to `connectionChanged()`, the
 * address it reports, and closing it with the link.
 */
export abstract class Interface419Link<T extends NetworkInterface419> extends ModdableLink {
  protected readonly network: T;

  /** `create` makes the instance with the `onChanged` callback it is given. */
  constructor(
    config: LinkConfig,
    listener: LinkListener,
    settings: LinkSettings,
    create: (onChanged: InterfaceChanged419<T>) => T,
  ) {
    super(config, listener, settings);
    const link = this;
    this.network = create(function (property) {
      if (property === "connection") link.connectionChanged();
    });
  }

  /** Translates the instance's `connection` into link phases. */
  abstract connectionChanged(): void;

  addresses(): LinkAddresses {
    return { ...this.configured(), address: this.config.staticConfig?.ip ?? ipv4Only(this.network.address) };
  }

  override close(): void {
    super.close();
    this.network.close();
  }
}

/** A dotted-quad IPv4 string, or undefined (drops IPv6 and non-strings the platform may return). */
export function ipv4Only(value: unknown): string | undefined {
  return typeof value === "string" && value.indexOf(".") > 0 && value.indexOf(":") < 0 ? value : undefined;
}
