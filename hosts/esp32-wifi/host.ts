/** impnet host for a plain ESP32 board: `wl0` on its WiFi (SSID/password from `mcconfig ssid=… password=…`). */
import config from "mc/config";
import { moddableHost } from "impnet/moddable/host";
import { WifiDriver } from "impnet/moddable/links/wifi";
import type { Host } from "impnet/port";

export default function host(): Host {
  return moddableHost({ wl0: new WifiDriver() }, config as Record<string, unknown>);
}
