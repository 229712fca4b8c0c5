/**
 * Emulated `net` module with ESP32's rules (docs/platform-notes.md §3.5):
 * `Net.get` gives "IP" of the selected interface or undefined, "MAC", "DNS";
 * no netmask or gateway. `Net.resolve` answers as ESP32's lwIP does without
 * a DNS server (impOS local networking has none; docs/compatibility.md §5).
 */
import { board } from "./board";
import { inetAton } from "./inet-aton";
import { formatIPv4 } from "../../../modules/impnet/core/address";

/** lwIP's DNS_MAX_NAME_LENGTH: longer names are refused (ERR_ARG). */
const MAX_NAME_LENGTH = 256;

/**
 * What ESP32's `dns_gethostbyname` answers at once (dns.c): "localhost" is
 * 127.0.0.1 (LWIP_HAVE_LOOPIF, on by default), a name already in address
 * form is that address; anything else would need a DNS server, so it fails.
 */
function lookup(name: string): string | undefined {
  if (name === "" || name.length >= MAX_NAME_LENGTH) return undefined;
  if (name === "localhost") return "127.0.0.1";
  const address = inetAton(name);
  return address < 0 ? undefined : formatIPv4(address);
}

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
  /**
   * Calls `callback(name, address)` with `this` the global object, or
   * `callback(name, undefined)` when the name cannot be resolved: always
   * later, from the board's event loop, as modResolve.c posts the answer as
   * a message to the VM.
   */
  resolve(host: unknown, callback: (name: string, address?: string) => void): void {
    const name = `${host as string}`; // xsToString: a Symbol throws TypeError
    const address = lookup(name);
    board().setTimer(() => void callback.call(globalThis, name, address), 0, 0);
  },
};

export default Net;
