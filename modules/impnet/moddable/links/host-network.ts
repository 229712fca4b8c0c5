/**
 * An interface that is simply the host computer's network: Moddable's `lin`
 * simulator, whose UDP sockets are the host's own (moddable-platform.md §7).
 * It comes up at once (LINK_UP, DHCPING, CONNECTED on consecutive turns)
 * and never goes down. Its address is the configured one, else the host's
 * first non-loopback IPv4 (`Net.get("IP")`); with native UDP, the address,
 * netmask, gateway and broadcast of the host interface holding the
 * configured address (docs/native-udp.md §3).
 */
import Net from "net";
import Timer from "timer";
import { ModdableLink, ipv4Only, type LinkDriver, type LinkSettings } from "../link";
import type { NetModule, TimerModule } from "../platform";
import type { InterfaceKind, Link, LinkAddresses, LinkConfig, LinkListener } from "impnet/port";

const NetApi = Net as unknown as NetModule;
const Timers = Timer as unknown as TimerModule;

class HostNetworkLink extends ModdableLink {
  constructor(
    config: LinkConfig,
    listener: LinkListener,
    settings: LinkSettings,
  ) {
    super(config, listener, settings);
    const link = this;
    Timers.set(() => {
      link.report("link-up");
      link.report("addressing");
      Timers.set(() => link.report("connected"));
    });
  }

  addresses(): LinkAddresses {
    const configured = this.configured();
    return {
      ...configured,
      address: this.config.staticConfig?.ip ?? configured.address ?? this.settings.address ?? ipv4Only(NetApi.get("IP")),
    };
  }
}

/** An always-up link on the host computer's network. */
export class HostNetworkDriver implements LinkDriver {
  constructor(readonly kind: InterfaceKind = "ethernet") {}

  macaddress(): string | undefined {
    return undefined;
  }

  open(config: LinkConfig, listener: LinkListener, settings: LinkSettings): Link {
    return new HostNetworkLink(config, listener, settings);
  }
}
