/**
 * A private LAN made of network namespaces that a test creates and removes
 * itself: a bridge namespace and N host namespaces, each host on
 * NET.(i+1)/24 with a subnet broadcast address. Needs root and iproute2.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Why namespace LANs cannot be made here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not running as root";
  try {
    ip("-V");
  } catch {
    return "the `ip` command (iproute2) is not installed";
  }
  const probe = `impnet-probe-${process.pid}`;
  try {
    ip("netns", "add", probe);
  } catch (error) {
    return `cannot create network namespaces: ${(error as Error).message.split("\n")[0]}`;
  } finally {
    try {
      ip("netns", "del", probe);
    } catch {
      // was not created
    }
  }
  return null;
}

export interface NamespaceLan {
  /** "10.77.S": hosts are NET.1 … NET.N, the broadcast address NET.255. */
  net: string;
  /** Host namespace names, index 0 = NET.1. */
  hosts: string[];
  address(host: number): string;
  broadcast: string;
  /** Runs a command inside host `host`'s namespace. */
  spawn(host: number, command: string, args: string[], cwd?: string): ChildProcessWithoutNullStreams;
  /** Kills what it spawned and deletes every namespace (idempotent). */
  remove(): void;
}

/** Creates the LAN. `tag` keeps names unique; `third` picks the /24 (10.X.third.0). */
export function createLan(tag: string, hostCount: number, second: number, third: number): NamespaceLan {
  const net = `10.${second}.${third}`;
  const bridge = `${tag}-br`;
  const hosts = Array.from({ length: hostCount }, (_, i) => `${tag}-h${i + 1}`);
  const children: ChildProcessWithoutNullStreams[] = [];
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const ns of [bridge, ...hosts]) {
      try {
        ip("netns", "del", ns);
      } catch {
        // not created
      }
    }
  };
  process.on("exit", remove);
  try {
    for (const ns of [bridge, ...hosts]) ip("netns", "add", ns);
    ip("-n", bridge, "link", "add", "br0", "type", "bridge");
    ip("-n", bridge, "link", "set", "br0", "up");
    hosts.forEach((ns, i) => {
      ip("link", "add", "v0", "netns", ns, "type", "veth", "peer", "name", `p${i + 1}`, "netns", bridge);
      ip("-n", bridge, "link", "set", `p${i + 1}`, "master", "br0", "up");
      ip("-n", ns, "addr", "add", `${net}.${i + 1}/24`, "brd", "+", "dev", "v0");
      ip("-n", ns, "link", "set", "v0", "up");
      ip("-n", ns, "link", "set", "lo", "up");
    });
  } catch (error) {
    remove();
    throw error;
  }
  return {
    net,
    hosts,
    address: (host) => `${net}.${host + 1}`,
    broadcast: `${net}.255`,
    spawn(host, command, args, cwd) {
      const child = spawn("ip", ["netns", "exec", hosts[host]!, command, ...args], { cwd });
      children.push(child);
      return child;
    },
    remove,
  };
}
