import { Blob } from "./blob";
import { parseIPv4 } from "./address";
import { requireString, requireTable } from "./checks";
import { describeValue } from "./describe";
import { MAX_IP_PORT } from "./constants";
import type { InterfaceDescriptor, LinkConfig, StaticConfig, WifiConfig } from "../port";

/** `ipv4.proxy`, present only when the NIC table had a `proxyconfig`. */
export interface ProxyTable {
  address: string;
  port: number;
  type: number;
  user?: string;
}

/** impOS NIC (network interface configuration) table for `imp.net.open()`. */
export interface Nic {
  /** Network interface identifier: "eth0", "wl0", "cell0". Required. */
  interface: string;
  /** WiFi only: credentials. */
  wificonfig?: { ssid: string; key: string | Blob | null };
  /** WiFi and Ethernet: static addressing (keys of `imp.setstaticnetworkconfiguration`). */
  staticconfig?: { ip: string; netmask: string; gateway?: string; dns?: string[] };
  /** WiFi and Ethernet: proxy settings (keys of `imp.setproxy`). */
  proxyconfig?: { type: number; address: string; port: number; username?: string; password?: string };
}

const NIC_KEYS: readonly string[] = Object.freeze(["interface", "wificonfig", "staticconfig", "proxyconfig"]);
const METHOD = "imp.net.open";

/** A validated NIC: what the host gets, plus the proxy the IP table reports. */
export interface CheckedNic {
  link: LinkConfig;
  proxy: ProxyTable | undefined;
}

/**
 * Validates a NIC table against the interfaces the host has. Throws the
 * impOS-style error for anything malformed or used on the wrong kind.
 */
export function checkNic(nic: unknown, interfaces: readonly InterfaceDescriptor[]): CheckedNic {
  const table = requireTable(METHOD, "nic", nic);
  for (const key in table) {
    if (NIC_KEYS.indexOf(key) < 0) {
      throw new TypeError(`${METHOD}: nic key "${key}" is not one of ${NIC_KEYS.join(", ")}`);
    }
  }
  if (!("interface" in table)) throw new TypeError(`${METHOD}: nic needs an "interface" key (e.g. "eth0")`);
  const name = requireString(METHOD, "nic.interface", table.interface);
  let descriptor: InterfaceDescriptor | undefined;
  for (const candidate of interfaces) if (candidate.name === name) descriptor = candidate;
  if (descriptor === undefined) {
    const names = interfaces.map((d) => d.name).join(", ") || "none";
    throw new Error(`${METHOD}: interface "${name}" is not available on this device (it has: ${names})`);
  }
  const kind = descriptor.kind;
  const link: LinkConfig = { name, kind };
  let proxy: ProxyTable | undefined;
  if (table.wificonfig !== undefined) {
    if (kind !== "wifi") throw new Error(`${METHOD}: wificonfig is only valid on a WiFi interface, not ${name} (${kind})`);
    link.wifi = checkWifi(table.wificonfig);
  }
  if (table.staticconfig !== undefined) {
    if (kind === "cell") throw new Error(`${METHOD}: staticconfig is only valid on WiFi and Ethernet, not ${name} (cellular)`);
    link.staticConfig = checkStatic(table.staticconfig);
  }
  if (table.proxyconfig !== undefined) {
    if (kind === "cell") throw new Error(`${METHOD}: proxyconfig is only valid on WiFi and Ethernet, not ${name} (cellular)`);
    proxy = checkProxy(table.proxyconfig);
  }
  return { link, proxy };
}

function checkWifi(value: unknown): WifiConfig {
  const table = requireTable(METHOD, "wificonfig", value);
  const ssid = requireString(METHOD, "wificonfig.ssid", table.ssid);
  if (ssid.length === 0 || ssid.length > 32) throw new RangeError(`${METHOD}: wificonfig.ssid must be 1-32 characters`);
  if (!("key" in table)) throw new TypeError(`${METHOD}: wificonfig needs a "key" (null or "" for an open network)`);
  const key = table.key;
  if (key === null || typeof key === "string") return { ssid, key };
  if (key instanceof Blob) return { ssid, key: key.bytes().slice() };
  throw new TypeError(`${METHOD}: wificonfig.key must be a string, a blob or null, not ${describeValue(key)}`);
}

function checkStatic(value: unknown): StaticConfig {
  const table = requireTable(METHOD, "staticconfig", value);
  const ip = dottedQuad("staticconfig.ip", table.ip);
  const netmask = dottedQuad("staticconfig.netmask", table.netmask);
  const mask = parseIPv4(netmask);
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) throw new RangeError(`${METHOD}: staticconfig.netmask ${netmask} is not a contiguous mask`);
  const config: StaticConfig = { ip, netmask };
  if (table.gateway !== undefined) config.gateway = dottedQuad("staticconfig.gateway", table.gateway);
  if (table.dns !== undefined) {
    const dns = table.dns;
    if (!Array.isArray(dns) || dns.length < 1 || dns.length > 2) {
      throw new TypeError(`${METHOD}: staticconfig.dns must be an array of one or two addresses`);
    }
    config.dns = dns.map((server, i) => dottedQuad(`staticconfig.dns[${i}]`, server));
  }
  return config;
}

function checkProxy(value: unknown): ProxyTable {
  const table = requireTable(METHOD, "proxyconfig", value);
  const type = table.type;
  if (typeof type !== "number" || !Number.isInteger(type)) throw new TypeError(`${METHOD}: proxyconfig.type must be an integer (PROXY_TYPE_HTTP)`);
  const address = requireString(METHOD, "proxyconfig.address", table.address);
  if (address.length === 0 || address.length > 64) throw new RangeError(`${METHOD}: proxyconfig.address must be 1-64 characters`);
  const port = table.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > MAX_IP_PORT) {
    throw new RangeError(`${METHOD}: proxyconfig.port ${describeValue(port)} is not an integer in 0-65535`);
  }
  const proxy: ProxyTable = { address, port, type };
  if (table.username !== undefined) {
    const user = requireString(METHOD, "proxyconfig.username", table.username);
    if (user.length > 32) throw new RangeError(`${METHOD}: proxyconfig.username is longer than 32 characters`);
    proxy.user = user;
  }
  if (table.password !== undefined) {
    if (proxy.user === undefined) throw new TypeError(`${METHOD}: proxyconfig.password needs a username`);
    const password = requireString(METHOD, "proxyconfig.password", table.password);
    if (password.length > 32) throw new RangeError(`${METHOD}: proxyconfig.password is longer than 32 characters`);
  }
  return proxy;
}

function dottedQuad(name: string, value: unknown): string {
  const text = requireString(METHOD, name, value);
  if (parseIPv4(text) < 0) throw new TypeError(`${METHOD}: ${name} ${describeValue(text)} is not a dotted-quad IPv4 address`);
  return text;
}
