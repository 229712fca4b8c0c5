/**
 * Emulated legacy `ethernet` module (modules/network/ethernet;
 * moddable-platform.md §3.4) for interface eth0: `Ethernet.start()`, a
 * one-argument constructor registering the callback, messages "connect",
 * "disconnect", "gotIP" (posted twice, as ESP32 posts it again for the IPv6
 * link-local address). The simulator also posts "unhappy" when told the
 * chip failed; stock Moddable has no such message.
 */
import { board, type LinkObserver } from "./board";

type Callback = (this: Ethernet, message: string) => void;

const NAME = "eth0";

export default class Ethernet implements LinkObserver {
  static readonly gotIP = "gotIP";
  static readonly lostIP = "lostIP";
  static readonly connected = "connect";
  static readonly disconnected = "disconnect";

  private callback: Callback | undefined;

  constructor(...args: unknown[]) {
    if (args.length === 1 && typeof args[0] === "function") this.callback = args[0] as Callback;
    board().observe(this);
  }

  set onNotify(callback: Callback) {
    this.callback = callback;
  }

  close(): void {
    this.callback = undefined;
    board().unobserve(this);
  }

  static start(): void {
    const b = board();
    const iface = b.iface(NAME);
    if (iface === undefined || iface.failed) throw new Error("Ethernet.c Ethernet device not found");
    if (iface.started) return;
    iface.started = true;
    b.io.startLink(NAME);
  }

  static useStaticIP(address: string, netmask: string, gateway: string): void {
    const iface = board().iface(NAME);
    if (iface === undefined || !iface.started) throw new Error("Ethernet not initialized");
    if (address !== iface.address) {
      board().io.note(`ethernet: useStaticIP(${address}, ${netmask}, ${gateway}) ignored; the simulator's eth0 is ${iface.address}`);
    }
  }

  static useDHCP(): void {
    const iface = board().iface(NAME);
    if (iface === undefined || !iface.started) throw new Error("Ethernet not initialized");
  }

  /** @internal Board events → legacy messages. */
  linkEvent(name: string, event: string): void {
    if (name !== NAME || board().iface(NAME)?.started !== true) return;
    switch (event) {
      case "link-up":
        this.post("connect");
        break;
      case "address":
        this.post("gotIP");
        this.post("gotIP");
        break;
      case "link-down":
        this.post("disconnect");
        break;
      case "unhappy":
        this.post("unhappy");
        break;
    }
  }

  private post(message: string): void {
    const callback = this.callback;
    if (callback !== undefined) callback.call(this, message);
  }
}
