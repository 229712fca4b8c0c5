/**
 * Private LANs made of network namespaces that a test creates and removes
 * itself: a bridge namespace per /24 and host namespaces on them, each host
 * on NET.(i+1)/24 with a subnet broadcast address; a host can be on two
 * subnets (a device with two interfaces). Needs root and iproute2.
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

/** One /24 of a namespace network: which hosts are on it. */
export interface SubnetPlan {
  /** "10.X.Y": the subnet is NET.0/24. */
  net: string;
  /** Host indexes on this subnet, in order: the first gets NET.1, the next NET.2, … */
  members: number[];
}

/** A /24 of a namespace network as built. */
export interface Subnet {
  net: string;
  broadcast: string;
  /** Address of `host` on this subnet (throws when the host is not on it). */
  address(host: number): string;
}

/**
 * A network of namespaces: one bridge namespace per /24, host namespaces
 * with one veth per subnet they are on (v0, v1, … in plan order). A host on
 * two subnets is a device with two interfaces.
 */
export interface NamespaceNetwork {
  hosts: string[];
  subnets: Subnet[];
  spawn(host: number, command: string, args: string[], cwd?: string): ChildProcessWithoutNullStreams;
  remove(): void;
}

/**
 * The teardown of a namespace test bed: kills what it spawned and deletes its
 * namespaces, once (also at exit). Returns the idempotent `remove`.
 */
export function namespaceTeardown(namespaces: string[], children: ChildProcessWithoutNullStreams[]): () => void {
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const ns of namespaces) {
      try {
        ip("netns", "del", ns);
      } catch {
        // not created
      }
    }
  };
  process.on("exit", remove);
  return remove;
}

/** Creates `hostCount` hosts and the subnets of `plan`. `tag` keeps names unique. */
export function createNetwork(tag: string, hostCount: number, plan: SubnetPlan[]): NamespaceNetwork {
  const bridges = plan.map((_, i) => `${tag}-br${i}`);
  const hosts = Array.from({ length: hostCount }, (_, i) => `${tag}-h${i + 1}`);
  const children: ChildProcessWithoutNullStreams[] = [];
  const remove = namespaceTeardown([...bridges, ...hosts], children);
  const veths = new Map<number, number>();
  try {
    for (const ns of [...bridges, ...hosts]) ip("netns", "add", ns);
    plan.forEach((subnet, s) => {
      const bridge = `${tag}-br${s}`;
      ip("-n", bridge, "link", "add", "br0", "type", "bridge");
      ip("-n", bridge, "link", "set", "br0", "up");
      subnet.members.forEach((host, i) => {
        if (!Number.isInteger(host) || host < 0 || host >= hostCount) throw new Error(`subnet ${subnet.net}: no host ${host}`);
        const ns = `${tag}-h${host + 1}`;
        const dev = `v${veths.get(host) ?? 0}`;
        veths.set(host, (veths.get(host) ?? 0) + 1);
        ip("link", "add", dev, "netns", ns, "type", "veth", "peer", "name", `p${i + 1}`, "netns", bridge);
        ip("-n", bridge, "link", "set", `p${i + 1}`, "master", "br0", "up");
        ip("-n", ns, "addr", "add", `${subnet.net}.${i + 1}/24`, "brd", "+", "dev", dev);
        ip("-n", ns, "link", "set", dev, "up");
        ip("-n", ns, "link", "set", "lo", "up");
      });
    });
  } catch (error) {
    remove();
    throw error;
  }
  return {
    hosts,
    subnets: plan.map((subnet) => ({
      net: subnet.net,
      broadcast: `${subnet.net}.255`,
      address(host: number): string {
        const i = subnet.members.indexOf(host);
        if (i < 0) throw new Error(`host ${host} is not on ${subnet.net}.0/24`);
        return `${subnet.net}.${i + 1}`;
      },
    })),
    spawn(host, command, args, cwd) {
      const child = spawn("ip", ["netns", "exec", hosts[host]!, command, ...args], { cwd });
      children.push(child);
      return child;
    },
    remove,
  };
}

/** Creates a LAN of one /24 with every host on it. `tag` keeps names unique; `third` picks the /24 (10.X.third.0). */
export function createLan(tag: string, hostCount: number, second: number, third: number): NamespaceLan {
  const net = `10.${second}.${third}`;
  const network = createNetwork(tag, hostCount, [{ net, members: Array.from({ length: hostCount }, (_, i) => i) }]);
  return {
    net,
    hosts: network.hosts,
    address: (host) => `${net}.${host + 1}`,
    broadcast: `${net}.255`,
    spawn: network.spawn,
    remove: network.remove,
  };
}
