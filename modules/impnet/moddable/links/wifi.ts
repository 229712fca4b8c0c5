/**
 * `wl0` on ECMA-419 `embedded:network/interface/wifi` (the ESP32 default
 * since Moddable SDK 8.x).
 *
 * `connection` → impOS states: 300 → WIFI_JOINING, 400 → WIFI_LINK_UP then
 * WIFI_DHCPING, 500 → CONNECTED, 200 → WIFI_STOPPED; after a drop the link
 * reconnects by itself (as impOS does) after `RECONNECT_MS`. `connect()`
 * throwing → WIFI_STOPPED_UNHAPPY, retried every `RETRY_AFTER_FAILURE_MS`;
 * no SSID configured → WIFI_STOPPED.
 */
import WiFi from "embedded:network/interface/wifi";
import Timer from "timer";
import { Interface419Link, platformMac, type LinkDriver, type LinkSettings } from "../link";
import {
  CONNECTION_CONNECTED,
  CONNECTION_CONNECTING,
  CONNECTION_DISCONNECTED,
  CONNECTION_LINKED,
  type TimerModule,
  type WifiConstructor419,
  type WifiInstance419,
} from "../platform";
import { HostError, type Link, type LinkConfig, type LinkListener } from "impnet/port";

const WiFiModule = WiFi as unknown as WifiConstructor419;
const Timers = Timer as unknown as TimerModule;

/** Pause before rejoining after the access point dropped us. */
const RECONNECT_MS = 1000;
/** Pause before trying again after the driver refused to connect. */
const RETRY_AFTER_FAILURE_MS = 5000;

class WifiLink extends Interface419Link<WifiInstance419> {
  private readonly ssid: string | undefined;
  private readonly password: string | undefined;
  private reconnect: unknown = undefined;

  constructor(
    config: LinkConfig,
    listener: LinkListener,
    settings: LinkSettings,
  ) {
    super(config, listener, settings, (onChanged) => new WiFiModule({ onChanged }));
    const credentials = config.wifi;
    this.ssid = credentials?.ssid ?? settings.ssid;
    this.password = credentials === undefined ? settings.password : (credentials.key as string | null) || undefined;
    const fixed = config.staticConfig;
    if (fixed !== undefined) {
      this.network.configure({ static: { address: fixed.ip, mask: fixed.netmask, gateway: fixed.gateway ?? "0.0.0.0" } });
    }
    const link = this;
    Timers.set(() => link.join());
  }

  connectionChanged(): void {
    switch (this.network.connection) {
      case CONNECTION_CONNECTED:
        this.report("connected");
        break;
      case CONNECTION_LINKED:
        this.report("link-up");
        this.report("addressing");
        break;
      case CONNECTION_CONNECTING:
        this.report("joining");
        break;
      case CONNECTION_DISCONNECTED:
        this.report("no-link");
        this.scheduleReconnect(RECONNECT_MS);
        break;
    }
  }

  join(): void {
    this.reconnect = undefined;
    if (this.closed) return;
    if (this.ssid === undefined || this.ssid === "") {
      this.report("stopped");
      return;
    }
    try {
      this.network.connect(this.password === undefined ? { SSID: this.ssid } : { SSID: this.ssid, password: this.password });
    } catch {
      // "connect failed" / "already connecting" from the driver: keep trying, as impOS does.
      this.report("unhappy");
      this.scheduleReconnect(RETRY_AFTER_FAILURE_MS);
      return;
    }
    // connect() sets connection to 300 without an onChanged call.
    if (this.network.connection === CONNECTION_CONNECTING) this.report("joining");
  }

  override close(): void {
    super.close();
    if (this.reconnect !== undefined) Timers.clear(this.reconnect);
  }

  private scheduleReconnect(delay: number): void {
    if (this.reconnect !== undefined || this.closed) return;
    const link = this;
    this.reconnect = Timers.set(() => link.join(), delay);
  }
}

/** `wl0` through ECMA-419 WiFi. */
export class WifiDriver implements LinkDriver {
  readonly kind = "wifi";

  macaddress(): string | undefined {
    return platformMac("station");
  }

  open(config: LinkConfig, listener: LinkListener, settings: LinkSettings): Link {
    const key = config.wifi?.key;
    if (key !== undefined && key !== null && typeof key !== "string") {
      throw new HostError("unavailable", "encrypted WiFi keys (blob) are not supported on Moddable; pass the key as a string");
    }
    return new WifiLink(config, listener, settings);
  }
}
