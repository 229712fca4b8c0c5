/**
 * The lwIP test bed (docs/native-lwip.md §3): the harness (harness/harness.c,
 * built here with cc against Debian's liblwip-dev) runs lwIP in a namespace
 * of its own with one TAP per interface; each TAP is then moved into a
 * namespace of its own, where a PC agent (pc-agent.ts) owns real sockets.
 * So eth0 and wl0 are two separate LANs, as on a device with both:
 *
 *   harness ns: lwIP  eth0 10.81.T.2/24 (gateway .1) ── TAP ──  ns A: PC 10.81.T.1
 *                     wl0  10.82.T.2/24 (no gateway) ── TAP ──  ns B: PC 10.82.T.1
 *
 * Needs root, /dev/net/tun, iproute2, cc and liblwip-dev.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { namespaceTeardown, netnsUnavailable } from "../netns";
import { Lines } from "./lines";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** The harness's C files (compiled: the first three), and what they include. */
const SOURCES = [
  "tools/rig/lwip/harness/harness.c",
  "tools/rig/lwip/harness/tap.c",
  "modules/impnet/native/lwip/impnet_lwip_udp.c",
  "tools/rig/lwip/harness/tap.h",
  "modules/impnet/native/lwip/impnet_lwip_udp.h",
];
/** lwIP's MAC address on an interface (harness.c: 02:69:6d:70:00:NN in argument order). */
export const LWIP_MAC = { eth0: "02:69:6d:70:00:01", wl0: "02:69:6d:70:00:02" } as const;

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Why the lwIP tests cannot run here, or null when they can. */
export function lwipUnavailable(): string | null {
  const netns = netnsUnavailable();
  if (netns !== null) return netns;
  try {
    accessSync("/dev/net/tun", constants.R_OK | constants.W_OK);
  } catch {
    return "no /dev/net/tun (TAP devices)";
  }
  if (!existsSync("/usr/include/lwip/lwipopts.h")) return "Debian's liblwip-dev is not installed (apt-get install liblwip-dev)";
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
  } catch {
    return "no C compiler (cc)";
  }
  return null;
}

/**
 * Builds the harness once per source version and flavour; returns its path.
 * Tests run it under AddressSanitizer and UndefinedBehaviorSanitizer (a bad
 * copy or a use after free aborts it); the benchmark runs it optimised only.
 */
export function buildHarness(flavour: "checked" | "fast" = "checked"): string {
  const flags = flavour === "checked" ? ["-O1", "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"] : ["-O2"];
  const hash = createHash("sha256").update(flags.join(" "));
  for (const source of SOURCES) hash.update(readFileSync(join(root, source)));
  const dir = join(root, "node_modules", ".cache", "impnet-lwip");
  const binary = join(dir, `harness-${flavour}-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  execFileSync("cc", [
    "-std=gnu11", ...flags, "-g", "-Wall", "-Wextra", "-Werror",
    "-I/usr/include/lwip", `-I${join(root, "modules/impnet/native/lwip")}`, `-I${join(root, "tools/rig/lwip/harness")}`,
    ...SOURCES.slice(0, 3).map((source) => join(root, source)),
    "-llwip", "-ldl", "-lpthread", "-o", partial,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  renameSync(partial, binary); // atomic: test files building at once each rename a complete binary
  return binary;
}

/** The harness's line protocol (harness/harness.c). */
export class HarnessClient {
  readonly lines: Lines;
  private stderr = "";

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.lines = new Lines(child.stdout, "lwip harness", () => (this.stderr === "" ? "" : `harness stderr:\n${this.stderr}`));
  }

  /** Sends a command; resolves with the fields of its answer (the "= " line), verb first. */
  async request(command: string): Promise<string[]> {
    const answer = this.lines.take((line) => line.startsWith("= "), `an answer to "${command}"`);
    this.child.stdin.write(`${command}\n`);
    return (await answer).slice(2).split(" ");
  }

  /** Waits for the next datagram socket `n` reports. */
  async received(n: number, what = `a datagram on socket ${n}`): Promise<Received> {
    const line = await this.lines.take((l) => l.startsWith(`* recv ${n} `), what);
    const [, , , address, port, destination, length, fnv] = line.split(" ");
    return { address: address!, port: Number(port), destination: destination!, length: Number(length), fnv: fnv! };
  }

  /** Datagrams reported for socket `n` and not taken yet. */
  pending(n: number): number {
    return this.lines.peek((l) => l.startsWith(`* recv ${n} `)).length;
  }

  /** The `stats` answer as numbers. */
  async stats(): Promise<Record<string, number>> {
    const fields = await this.request("stats");
    return Object.fromEntries(fields.slice(1).map((f) => f.split("=")).map(([k, v]) => [k!, Number(v)]));
  }

  /** `queue N`: queued, dropped, notifications, echoed. */
  async queue(n: number): Promise<{ queued: number; dropped: number; notified: number; echoed: number }> {
    const [, , queued, dropped, notified, echoed] = await this.request(`queue ${n}`);
    return { queued: Number(queued), dropped: Number(dropped), notified: Number(notified), echoed: Number(echoed) };
  }
}

export interface Received {
  address: string;
  port: number;
  /** Where the datagram was sent: the harness's view only. */
  destination: string;
  length: number;
  fnv: string;
}

/** A PC agent (pc-agent.ts) in one namespace. */
export class AgentClient {
  readonly lines: Lines;
  private nextId = 1;
  private stderr = "";

  constructor(readonly child: ChildProcessWithoutNullStreams, label: string) {
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.lines = new Lines(child.stdout, label, () => (this.stderr === "" ? "" : `${label} stderr:\n${this.stderr}`));
  }

  async request(fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answer = this.lines.take((line) => line.startsWith(`{"id":${id},`) || line === `{"id":${id}}`, `the agent's answer to ${JSON.stringify(fields)}`);
    this.child.stdin.write(`${JSON.stringify({ id, ...fields })}\n`);
    const parsed = JSON.parse(await answer) as Record<string, unknown>;
    if (typeof parsed.error === "string") throw new Error(`agent: ${parsed.error}`);
    return parsed;
  }

  /** Binds a socket named `socket`; resolves with its port. */
  async bind(socket: string, port = 0, address = "0.0.0.0"): Promise<number> {
    return (await this.request({ op: "bind", socket, address, port })).port as number;
  }

  async send(socket: string, address: string, port: number, length: number, seed: number): Promise<void> {
    await this.request({ op: "send", socket, address, port, length, seed });
  }

  async burst(socket: string, address: string, port: number, count: number, length: number, seed: number): Promise<void> {
    await this.request({ op: "burst", socket, address, port, count, length, seed });
  }

  /** Waits for the next datagram on `socket`. */
  async received(socket: string, what = `a datagram on the PC's socket ${socket}`): Promise<Received> {
    const line = await this.lines.take((l) => l.startsWith(`{"ev":"recv","socket":"${socket}",`), what);
    const event = JSON.parse(line) as { address: string; port: number; length: number; fnv: string };
    return { address: event.address, port: event.port, destination: "", length: event.length, fnv: event.fnv };
  }

  /** Datagrams the PC's `socket` received and no test took yet. */
  pending(socket: string): number {
    return this.lines.peek((l) => l.startsWith(`{"ev":"recv","socket":"${socket}",`)).length;
  }
}

export interface TapSide {
  /** The interface's name in impnet and in the harness. */
  name: "eth0" | "wl0";
  net: string;
  /** lwIP's address on it (NET.2). */
  lwip: string;
  /** The PC's address on it (NET.1). */
  pc: string;
  broadcast: string;
  /** The agent in this LAN's namespace. */
  agent: AgentClient;
}

export interface TapLan {
  harness: HarnessClient;
  eth0: TapSide;
  wl0: TapSide;
  remove(): void;
}

async function startAgent(namespace: string, label: string, children: ChildProcessWithoutNullStreams[]): Promise<AgentClient> {
  const child = spawn("ip", ["netns", "exec", namespace, process.execPath, "--import", "tsx", join(root, "tools/rig/lwip/pc-agent.ts")], { cwd: root });
  children.push(child);
  const agent = new AgentClient(child, label);
  await agent.lines.take((line) => line === '{"ev":"ready"}', `${label} to start`);
  return agent;
}

/** Builds the test bed; `tag` keeps the namespace names unique. */
export async function startTapLan(tag: string, flavour: "checked" | "fast" = "checked"): Promise<TapLan> {
  const binary = buildHarness(flavour);
  const third = 100 + (process.pid % 100);
  const ns = { harness: `${tag}-lw`, eth0: `${tag}-e`, wl0: `${tag}-w` };
  const children: ChildProcessWithoutNullStreams[] = [];
  const remove = namespaceTeardown(Object.values(ns), children);
  try {
    for (const name of Object.values(ns)) ip("netns", "add", name);
    const sides = [
      { name: "eth0" as const, net: `10.81.${third}`, tap: "teth0", namespace: ns.eth0, gateway: true },
      { name: "wl0" as const, net: `10.82.${third}`, tap: "twl0", namespace: ns.wl0, gateway: false },
    ];
    // The harness creates each TAP in its own namespace when it attaches to it.
    // lwIP keeps its netifs and timers to the end: no leak report at exit (the tests count lwIP's memory themselves).
    const child = spawn("ip", ["netns", "exec", ns.harness, binary, ...sides.map((s) => `${s.name}=${s.tap}=${s.net}.2/24${s.gateway ? `=${s.net}.1` : ""}`)], {
      env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1" },
    });
    children.push(child);
    const harness = new HarnessClient(child);
    await harness.lines.take((line) => line.startsWith("= ready"), "the harness to start");
    for (const side of sides) {
      // The TAP stays attached to the harness while it moves into the PC's namespace.
      ip("-n", ns.harness, "link", "set", side.tap, "netns", side.namespace);
      // Quiet links: no IPv6 chatter, and a permanent neighbour entry (no ARP probes) for lwIP's address,
      // so no frame the tests did not send reaches lwIP while they count its memory.
      const ipv6 = `/proc/sys/net/ipv6/conf/${side.tap}/disable_ipv6`;
      execFileSync("ip", ["netns", "exec", side.namespace, "sh", "-c", `[ ! -e ${ipv6} ] || echo 1 > ${ipv6}`]);
      ip("-n", side.namespace, "addr", "add", `${side.net}.1/24`, "brd", "+", "dev", side.tap);
      ip("-n", side.namespace, "link", "set", side.tap, "up");
      ip("-n", side.namespace, "link", "set", "lo", "up");
      ip("-n", side.namespace, "neigh", "replace", `${side.net}.2`, "lladdr", LWIP_MAC[side.name], "dev", side.tap, "nud", "permanent");
      // 255.255.255.255 needs a route; everything else off the /24 goes to lwIP too (and no further).
      ip("-n", side.namespace, "route", "add", "default", "dev", side.tap);
    }
    const [eth0Agent, wl0Agent] = await Promise.all([startAgent(ns.eth0, "PC agent (eth0 LAN)", children), startAgent(ns.wl0, "PC agent (wl0 LAN)", children)]);
    const side = (s: (typeof sides)[number], agent: AgentClient): TapSide => ({
      name: s.name,
      net: s.net,
      lwip: `${s.net}.2`,
      pc: `${s.net}.1`,
      broadcast: `${s.net}.255`,
      agent,
    });
    return { harness, eth0: side(sides[0]!, eth0Agent), wl0: side(sides[1]!, wl0Agent), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Runs `command` in a side's namespace (`ip neigh`, `ip -s link`). */
export function inNamespace(tag: string, side: "eth0" | "wl0", ...args: string[]): string {
  return ip("-n", `${tag}-${side === "eth0" ? "e" : "w"}`, ...args);
}
