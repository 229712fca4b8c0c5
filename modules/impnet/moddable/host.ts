/**
 * Builds an impnet host on Moddable from an interface list and the app's
 * `mc/config` (manifest `config` plus `mcconfig key=value` arguments, all
 * strings when given on the command line).
 *
 * Keys read, for each interface NAME (eth0, wl0):
 *   NAME_address   (host-network links only: the address to report)
 *   NAME_netmask, NAME_gateway, NAME_dns (comma-separated; blanks around entries ignored)
 *   ssid, password (wl0 without a wificonfig; Moddable's usual keys)
 *   impnet_rate_limit: "1"/"true" to enforce impOS's 25 packets/s limit
 *   impnet_primary: the interface the app waits for at start (default: the host's first)
 *   impnet_start_at_once: "1"/"true" to start the app without waiting for it
 */
import { ModdablePlatform, type InterfacePlan } from "./port";
import type { LinkDriver, LinkSettings } from "./link";
import type { AgentTransport, Host, LogSink } from "impnet/port";
import type { StartOptions } from "impnet/core/boot";

export type ConfigTable = Readonly<Record<string, unknown>>;

/** Reads the host settings of interface `name` from `mc/config`. */
export function settingsFor(config: ConfigTable, name: string): LinkSettings {
  const settings: LinkSettings = {};
  const address = text(config[`${name}_address`]);
  const netmask = text(config[`${name}_netmask`]);
  const gateway = text(config[`${name}_gateway`]);
  const dns = text(config[`${name}_dns`]);
  if (address !== undefined) settings.address = address;
  if (netmask !== undefined) settings.netmask = netmask;
  if (gateway !== undefined) settings.gateway = gateway;
  if (dns !== undefined) {
    // "a,b" from the command line, or "a, b" written in a manifest: no blanks in the addresses.
    const servers = dns.split(",").map((server) => server.trim()).filter((server) => server !== "");
    if (servers.length > 0) settings.dns = servers;
  }
  if (name.startsWith("wl")) {
    const ssid = text(config.ssid);
    const password = text(config.password);
    if (ssid !== undefined) settings.ssid = ssid;
    if (password !== undefined) settings.password = password;
  }
  return settings;
}

/** Whether a config value switches something on ("1", "true", true, 1). */
export function enabled(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "true";
}

/** The impnet host for `drivers` (interface name → driver), configured from `config`. */
export function moddableHost(
  drivers: Readonly<Record<string, LinkDriver>>,
  config: ConfigTable,
  extras?: { log?: LogSink; agent?: AgentTransport },
): Host {
  const plan: InterfacePlan[] = [];
  for (const name in drivers) plan.push({ name, driver: drivers[name], settings: settingsFor(config, name) });
  return {
    platform: new ModdablePlatform(plan),
    log: extras?.log,
    agent: extras?.agent,
    options: { rateLimit: enabled(config.impnet_rate_limit) },
  };
}

/** How the app starts, from `impnet_primary` and `impnet_start_at_once`. */
export function startOptions(config: ConfigTable): StartOptions {
  const options: StartOptions = { atOnce: enabled(config.impnet_start_at_once) };
  const primary = text(config.impnet_primary);
  if (primary !== undefined) options.primary = primary;
  return options;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
