/**
 * Emulated `net` module (`Net.get`) with ESP32's rules (moddable-platform.md
 * §3.5): "IP" of the selected interface or undefined, "MAC", "DNS"; no
 * netmask or gateway.
 */
import { board } from "./board";

function selected(mode: string | undefined): string | undefined {
  if (mode === "ethernet") return "eth0";
  if (mode === "station" || mode === "ap") return "wl0";
  // Default: Wi-Fi when it was started, else Ethernet.
  const wifi = board().iface("wl0");
  return wifi !== undefined && wifi.started ? "wl0" : "eth0";
}

const Net = {
  get(property: string, mode?: string): unknown {
    const iface = board().iface(selected(mode) ?? "");
    switch (property) {
      case "IP":
        return iface !== undefined && iface.hasAddress ? iface.address : undefined;
      case "MAC":
        return iface?.mac;
      case "DNS": {
        const dns = board().config.dns;
        return typeof dns === "string" && dns !== "" ? dns.split(",") : [];
      }
      default:
        return undefined;
    }
  },
  resolve(name: string, callback: (name: string, address?: string) => void): void {
    board().setTimer(() => callback(name, undefined), 0, 0);
  },
};

export default Net;
