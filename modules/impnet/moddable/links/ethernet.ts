/**
 * `eth0` on Moddable's legacy `ethernet` module (the documented ESP32 path,
 * used for the W5500).
 *
 * Messages → impOS states:
 *   "connect"    → ETHERNET_LINK_UP, then ETHERNET_DHCPING (DHCP starts with the link)
 *   "gotIP"      → CONNECTED (repeats, e.g. for the IPv6 link-local address, are dropped)
 *   "disconnect" → ETHERNET_STOPPED_NO_LINK
 *   Ethernet.start() throwing ("device not found") → ETHERNET_STOPPED_UNHAPPY
 *   "unhappy"    → ETHERNET_STOPPED_UNHAPPY. Not sent by stock Moddable (which has
 *                  no driver-failure event); the XS simulator sends it, and a
 *                  native extension could.
 */
import Ethernet from "ethernet";
import Net from "net";
import Timer from "timer";
import { ModdableLink, ipv4Only, platformMac, type LinkDriver, type LinkSettings } from "../link";
import type { EthernetConstructor, EthernetInstance, EthernetMessage, NetModule, TimerModule } from "../platform";
import type { Link, LinkAddresses, LinkConfig, LinkListener } from "impnet/port";

const EthernetModule = Ethernet as unknown as EthernetConstructor;
const NetApi = Net as unknown as NetModule;
const Timers = Timer as unknown as TimerModule;

class EthernetLink extends ModdableLink {
  private readonly ethernet: EthernetInstance;

  constructor(
    config: LinkConfig,
    listener: LinkListener,
    settings: LinkSettings,
  ) {
    super(config, listener, settings);
    const link = this;
    this.ethernet = new EthernetModule(function (message: EthernetMessage) {
      link.message(message);
    });
    try {
      EthernetModule.start();
      const fixed = config.staticConfig;
      if (fixed !== undefined) EthernetModule.useStaticIP(fixed.ip, fixed.netmask, fixed.gateway ?? "0.0.0.0");
    } catch {
      // Driver install failed (no chip, wrong pins): phases are reported asynchronously.
      Timers.set(() => link.report("unhappy"));
    }
  }

  message(message: EthernetMessage): void {
    switch (message) {
      case "connect":
        this.report("link-up");
        this.report("addressing");
        break;
      case "gotIP":
        if (this.phase === "addressing" || this.phase === "link-up") this.report("connected");
        break;
      case "disconnect":
        this.report("no-link");
        break;
      case "unhappy":
        this.report("unhappy");
        break;
    }
  }

  addresses(): LinkAddresses {
    const dns = NetApi.get("DNS");
    return {
      ...this.configured(),
      address: this.config.staticConfig?.ip ?? ipv4Only(NetApi.get("IP", "ethernet")),
      dnsserver: this.config.staticConfig?.dns ?? (Array.isArray(dns) && dns.length > 0 ? dns : this.settings.dns),
    };
  }

  override close(): void {
    super.close();
    this.ethernet.close();
  }
}

/** `eth0` through the legacy `ethernet` module. */
export class EthernetDriver implements LinkDriver {
  readonly kind = "ethernet";

  macaddress(): string | undefined {
    return platformMac("ethernet");
  }

  open(config: LinkConfig, listener: LinkListener, settings: LinkSettings): Link {
    return new EthernetLink(config, listener, settings);
  }
}
