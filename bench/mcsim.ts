/**
 * Benchmark "mcsim" (needs a Moddable SDK, $MODDABLE): echo packets/s and
 * round-trip percentiles of main.ts built for Moddable's lin platform and
 * run in mcsim, with impnet's native UDP and with stock Moddable UDP, beside
 * a raw Node dgram echo (impnet-peer serve-echo), in the same run, measured
 * by impnet-peer echo in closed loop.
 *
 * Stock lin UDP binds every address (INADDR_ANY) on port 1234, so anything
 * else on this PC using port 1234 would collide with it: as root the three
 * servers and the peer run inside a network namespace of their own (only
 * loopback), otherwise on the PC's loopback.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import type { EchoReport, EchoResult } from "../tools/peer/types";
import { buildApp, mcsimSdk, startApp } from "../tools/rig/mcsim";
import { netnsUnavailable } from "../tools/rig/netns";
import { finished, waitOutput } from "../tools/rig/process";
import { root } from "../tools/rig/sim";
import type { ModdableSdk } from "../tools/mcsim";

export interface McsimRow {
  server: string;
  window: number;
  size: number;
  pps: number;
  p50: number;
  p90: number;
  p99: number;
  lost: number;
}

export interface McsimBench {
  rows: McsimRow[];
  /** Where it ran, for the table's notes. */
  where: string;
  /** Seconds measured per point. */
  seconds: number;
}

const PEER = join(root, "tools", "peer", "bin.js");
const NODE_ECHO = "127.0.0.1:7001";
const NATIVE = "127.0.0.2";
const SERVERS = { node: "Node dgram echo (impnet-peer serve-echo)", native: "main.ts in mcsim, native UDP", stock: "main.ts in mcsim, stock Moddable UDP" };
// Stock lin UDP binds INADDR_ANY and sends from it: its replies to 127.0.0.1 leave from 127.0.0.1
// whatever eth0_address says, and impnet-peer takes replies only from the address it sent to.
const STOCK = "127.0.0.1";

/** Why the benchmark cannot run here, or the SDK. */
export function mcsimBenchSdk(): ModdableSdk | string {
  return mcsimSdk();
}

function inNamespace(netns: string | undefined, command: string[]): string[] {
  return netns === undefined ? command : ["ip", "netns", "exec", netns, ...command];
}

function spawnIn(netns: string | undefined, command: string[]): ChildProcessWithoutNullStreams {
  const full = inNamespace(netns, command);
  return spawn(full[0], full.slice(1), { cwd: root });
}

async function echo(netns: string | undefined, target: string, size: number, window: number, seconds: number): Promise<EchoResult> {
  // A stock lin echo answers one datagram per 20 ms: with 32 in flight a round trip takes about 0.7 s.
  const args = [process.execPath, PEER, "echo", "--target", target, "--size", String(size), "--window", String(window), "--duration", `${seconds}s`, "--timeout", "3s", "--json"];
  const done = await finished(spawnIn(netns, args));
  if (done.code !== 0) throw new Error(`impnet-peer echo ${target} failed (${done.code}): ${done.stderr.trim()}`);
  return (JSON.parse(done.stdout) as EchoReport).results[0];
}

/** Runs the benchmark: `seconds` per point, windows 1 (latency) and 32 (throughput), 64 and 1400 bytes. */
export async function mcsimBench(sdk: ModdableSdk, options: { seconds?: number; sizes?: number[]; windows?: number[] } = {}): Promise<McsimBench> {
  const seconds = options.seconds ?? 3;
  const sizes = options.sizes ?? [64, 1400];
  const windows = options.windows ?? [1, 32];
  const nativeSo = await buildApp(sdk, "bench-native", "main.ts", { config: { eth0_address: NATIVE }, env: { IMPNET_UDP: "native" } });
  const stockSo = await buildApp(sdk, "bench-stock", "main.ts", { env: { IMPNET_UDP: "stock" } });

  const netns = netnsUnavailable() === null ? `impnet-bench${process.pid}` : undefined;
  if (netns !== undefined) {
    execFileSync("ip", ["netns", "add", netns]);
    execFileSync("ip", ["-n", netns, "link", "set", "lo", "up"]);
  }
  const rows: McsimRow[] = [];
  const nodeEcho = spawnIn(netns, [process.execPath, PEER, "serve-echo", "--listen", NODE_ECHO]);
  try {
    await waitOutput(nodeEcho, /listening/, 30_000);
    const measure = async (server: string, target: string, window: number, size: number): Promise<void> => {
      const result = await echo(netns, target, size, window, seconds);
      const rtt = result.rttMs;
      rows.push({ server, window, size, pps: result.receivedPps, p50: rtt?.p50 ?? NaN, p90: rtt?.p90 ?? NaN, p99: rtt?.p99 ?? NaN, lost: result.lost });
    };
    // Node and native side by side, each point measured on one then the other, so that load from
    // elsewhere on the PC falls on both alike; stock alone afterwards (it binds INADDR_ANY:1234).
    const native = startApp(sdk, nativeSo, netns);
    try {
      await native.waitFor(/^echo: listening on /);
      // Unrecorded warm-up: the first second after start runs slower on both (page faults, XS's first collections).
      await echo(netns, NODE_ECHO, 64, 1, 1);
      await echo(netns, `${NATIVE}:1234`, 64, 1, 1);
      for (const window of windows)
        for (const size of sizes) {
          await measure(SERVERS.node, NODE_ECHO, window, size);
          await measure(SERVERS.native, `${NATIVE}:1234`, window, size);
        }
    } finally {
      await native.stop();
    }
    const stock = startApp(sdk, stockSo, netns);
    try {
      await stock.waitFor(/^echo: listening on /);
      for (const window of windows) for (const size of sizes) await measure(SERVERS.stock, `${STOCK}:1234`, window, size);
    } finally {
      await stock.stop();
    }
  } finally {
    nodeEcho.kill("SIGTERM");
    await new Promise((resolve) => (nodeEcho.exitCode === null ? nodeEcho.once("close", resolve) : resolve(undefined)));
    if (netns !== undefined) execFileSync("ip", ["netns", "del", netns]);
  }
  const where = netns !== undefined ? "a network namespace of its own (loopback only)" : "the PC's loopback";
  const order = Object.values(SERVERS);
  rows.sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server));
  return { rows, where, seconds };
}

export function mcsimTable(bench: McsimBench): string {
  const lines = [
    `In ${bench.where}; impnet-peer echo, closed loop, ${bench.seconds} s per point; 1 s unrecorded warm-up, then Node and native measured alternately point by point, stock afterwards.`,
    "",
    "| server | window | size | echo packets/s | native ÷ stock | native ÷ Node | RTT p50 ms | p90 ms | p99 ms | lost |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const find = (server: string, window: number, size: number): McsimRow | undefined => bench.rows.find((r) => r.server.includes(server) && r.window === window && r.size === size);
  for (const r of bench.rows) {
    const stock = find("stock", r.window, r.size);
    const node = find("Node", r.window, r.size);
    const native = r.server.includes("native");
    const vsStock = native && stock !== undefined && stock.pps > 0 ? `${(r.pps / stock.pps).toFixed(0)} ×` : "";
    const vsNode = native && node !== undefined && node.pps > 0 ? `${((r.pps / node.pps) * 100).toFixed(0)} %` : "";
    lines.push(`| ${r.server} | ${r.window} | ${r.size} | ${r.pps.toFixed(0)} | ${vsStock} | ${vsNode} | ${r.p50.toFixed(3)} | ${r.p90.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.lost} |`);
  }
  return lines.join("\n");
}
