/**
 * `eth0` on ECMA-419 `embedded:network/interface/ethernet` (Moddable
 * modules/io/ethernet/esp32 with impnet's W5500 glue; docs/esp32.md §2).
 *
 * `connection` → impOS states: 400 → ETHERNET_LINK_UP then ETHERNET_DHCPING
 * (ESP-IDF starts DHCP on every link-up by itself), 500 → CONNECTED (IPv4
 * and the IPv6 link-local address both assigned), 200 → ETHERNET_STOPPED_NO_LINK.
 * impnet never calls `connect()`: it would only restart DHCP, and while its
 * "connecting" flag is set `connection` reads 300 even with the link up, which
 * would hide ETHERNET_LINK_UP. A driver that did not install (no chip, wrong
 * pins) shows only as `configure()` throwing "not initialized":
 * ETHERNET_STOPPED_UNHAPPY, until the device restarts. A chip that stops
 * answering later reads as a link loss.
 */
import Ethernet from "embedded:network/interface/ethernet";
import Timer from "timer";
import { Interface419Link, NetApi, platformMac, type LinkDriver, type LinkSettings } from "../link";
import {
  CONNECTION_CONNECTED,
  CONNECTION_DISCONNECTED,
  CONNECTION_LINKED,
  type EthernetConstructor419,
  type EthernetInstance419,
  type TimerModule,
} from "../platform";
import type { Link, LinkAddresses, LinkConfig, LinkListener } from "impnet/port";

const EthernetModule: EthernetConstructor419 = Ethernet;
const Timers: TimerModule = Timer;

class EthernetLink extends Interface419Link<EthernetInstance419> {
  private installed = true;

  constructor(
    config: LinkConfig,
    listener: LinkListener,
    settings: LinkSettings,
  ) {
    super(config, listener, settings, (onChanged) => new EthernetModule({ onChanged }));
    const fixed = config.staticConfig;
    try {
      // With no static address, an empty configure() changes nothing: it only tells whether the driver installed.
      this.network.configure(fixed === undefined ? {} : { static: { address: fixed.ip, mask: fixed.netmask, gateway: fixed.gateway ?? "0.0.0.0" } });
    } catch {
      this.installed = false;
    }
    // Phases are reported asynchronously; the link may already be up (connection read then).
    const link = this;
    Timers.set(() => (link.installed ? link.connectionChanged() : link.report("unhappy")));
  }

  connectionChanged(): void {
    if (!this.installed) return;
    switch (this.network.connection) {
      case CONNECTION_CONNECTED:
        if (this.phase === "connected") break;
        if (this.phase !== "addressing") {
          this.report("link-up");
          this.report("addressing");
        }
        this.report("connected");
        break;
      case CONNECTION_LINKED:
        this.report("link-up");
        this.report("addressing");
        break;
      case CONNECTION_DISCONNECTED:
        // Before the first link-up there is nothing to report: impOS stays in STARTING.
        if (this.phase !== "starting") this.report("no-link");
        break;
    }
  }

  override addresses(): LinkAddresses {
    const dns = NetApi.get("DNS");
    return {
      ...super.addresses(),
      dnsserver: this.config.staticConfig?.dns ?? (Array.isArray(dns) && dns.length > 0 ? dns : this.settings.dns),
    };
  }
}

/** `eth0` through ECMA-419 Ethernet. */
export class EthernetDriver implements LinkDriver {
  readonly kind = "ethernet";

  macaddress(): string | undefined {
    return platformMac("ethernet");
  }

  open(config: LinkConfig, listener: LinkListener, settings: LinkSettings): Link {
    return new EthernetLink(config, listener, settings);
  }
}
