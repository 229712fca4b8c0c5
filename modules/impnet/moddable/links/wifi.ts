/**
 * `wl0` on ECMA-419 `embedded:network/interface/wifi` (the ESP32 default
 * since Moddable SDK 8.x). The states follow impOS's WiFi sequence
 * (docs/compatibility.md §1, "Order of states"):
 *
 *   open             → STARTING (the core's first announcement); the radio is
 *                      asked to join on the next turn
 *   connect()        → WIFI_JOINING (connection 300)
 *   connection 400   → WIFI_LINK_UP, then WIFI_DHCPING
 *   connection 500   → CONNECTED
 *   connection 200   → WIFI_STOPPED (dropped); rejoins after `RECONNECT_MS`
 *   connect() throws → WIFI_STOPPED_UNHAPPY, with the error in server.error;
 *                      tried again every `RETRY_AFTER_FAILURE_MS`
 *   no SSID          → WIFI_STOPPED, with the reason in server.error
 *
 * WIFI_SCANNING is never reported: ECMA-419's `connect()` scans inside the
 * join and has no state for it. ECMA-419 WiFi has no event for a failed
 * radio: it shows as a drop (WIFI_STOPPED), then as the rejoin failing
 * (WIFI_STOPPED_UNHAPPY); a recovered radio is found by the next retry.
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

const WiFiModule: WifiConstructor419 = WiFi;
const Timers: TimerModule = Timer;

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
        // Already failing: the retry is scheduled; a drop does not make it any less unhappy.
        if (this.phase === "unhappy") break;
        this.report("no-link");
        this.scheduleReconnect(RECONNECT_MS);
        break;
    }
  }


  join(): void {
    this.reconnect = undefined;
    if (this.closed) return;
    if (this.ssid === undefined || this.ssid === "") {
      this.report("stopped", "no WiFi SSID, so it never joins: give imp.net.open a wificonfig with an ssid, or set ssid (and password) in mc/config (impnet-sim: --config ssid=NAME)");
      return;
    }
    try {
      this.network.connect(this.password === undefined ? { SSID: this.ssid } : { SSID: this.ssid, password: this.password });
    } catch (error) {
      // "connect failed" / "already connecting" from the driver: keep trying, as impOS does.
      const message = error instanceof Error ? error.message : String(error);
      this.report("unhappy", `WiFi connect() failed (${message}); trying again every ${RETRY_AFTER_FAILURE_MS / 1000} s`);
      this.scheduleReconnect(RETRY_AFTER_FAILURE_MS);
      return;
    }
    // connect() sets connection to 300 without an onChanged call.
    if (this.network.connection === CONNECTION_CONNECTING) this.report("joining");
  }

  override close(): void {
    super.close();
    this.cancelReconnect();
  }

  private scheduleReconnect(delay: number): void {
    if (this.reconnect !== undefined || this.closed) return;
    const link = this;
    this.reconnect = Timers.set(() => link.join(), delay);
  }

  private cancelReconnect(): void {
    if (this.reconnect === undefined) return;
    Timers.clear(this.reconnect);
    this.reconnect = undefined;
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
