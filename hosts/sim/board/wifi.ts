/**
 * Emulated ECMA-419 `embedded:network/interface/wifi` (ESP32
 * modules/io/wifi/esp32; docs/platform-notes.md §3.1) for interface wl0:
 * `connection` 200/300/400/500, `onChanged("connection" | "address")` with
 * `this` the instance, `connect()` errors ("already connecting", "SSID
 * required", "connect failed" when the simulator made the radio fail).
 * As on an ESP32, a radio that fails shows only as a drop (200) and
 * `connect()` throwing until it recovers; there is no event for either.
 */
import { board, type LinkObserver } from "./board";

type OnChanged = (this: WiFi, property: "connection" | "address") => void;

const NAME = "wl0";

export default class WiFi implements LinkObserver {
  private readonly onChanged: OnChanged | undefined;
  private connecting = false;
  private connected = false;
  private gotAddress = false;
  private closed = false;

  constructor(options: { onChanged?: OnChanged; port?: number }) {
    if (options === undefined || options === null) throw new TypeError("options required");
    this.onChanged = options.onChanged;
    board().observe(this);
  }

  get connection(): number {
    if (this.connected && this.gotAddress) return 500;
    if (this.connected) return 400;
    if (this.connecting) return 300;
    return 200;
  }

  get address(): string | undefined {
    const iface = board().iface(NAME);
    return this.connected && this.gotAddress && iface !== undefined ? iface.address : undefined;
  }

  get MAC(): string | undefined {
    return board().iface(NAME)?.mac;
  }

  connect(options: { SSID?: string; password?: string }): void {
    if (this.connecting) throw new Error("already connecting");
    if (options === undefined || options === null || !("SSID" in options)) throw new Error("SSID required");
    const b = board();
    const iface = b.iface(NAME);
    if (iface === undefined || iface.failed) throw new Error("connect failed");
    this.connecting = true;
    iface.started = true;
    b.io.startLink(NAME);
  }

  disconnect(): void {}

  configure(options: { static?: { address: string; mask: string; gateway: string } | false }): void {
    const iface = board().iface(NAME);
    if (iface !== undefined && options?.static && options.static.address !== iface.address) {
      board().io.note(`wifi: static address ${options.static.address} ignored; the simulator's wl0 is ${iface.address}`);
    }
  }

  close(): void {
    this.closed = true;
    board().unobserve(this);
  }

  /** @internal Board events → connection changes. */
  linkEvent(name: string, event: string): void {
    if (name !== NAME || this.closed) return;
    const before = this.connection;
    const hadAddress = this.gotAddress;
    switch (event) {
      case "link-up":
        if (!this.connecting) return; // not joining: the radio ignores the AP
        this.connecting = false;
        this.connected = true;
        break;
      case "address":
        if (!this.connected) return;
        this.gotAddress = true;
        break;
      case "link-down":
      case "unhappy":
        this.connecting = false;
        this.connected = false;
        this.gotAddress = false;
        break;
      default:
        return;
    }
    const onChanged = this.onChanged;
    if (onChanged === undefined) return;
    if (this.connection !== before) onChanged.call(this, "connection");
    if (!hadAddress && this.gotAddress && !this.closed) onChanged.call(this, "address");
  }
}
