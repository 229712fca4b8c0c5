/**
 * Benchmark "throughput": echo packets/s through the XS simulator (main.ts,
 * and the raw ECMA-419 echo app) beside a raw Node dgram echo, same machine,
 * same run, driven by impnet-peer in closed loop. Each server is its own
 * process, as a user would run it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { runEcho, type EchoResult } from "../tools/peer/index";
import { root } from "../tools/rig/sim";
import { waitOutput } from "../tools/rig/process";

export interface ThroughputRow {
  server: string;
  window: number;
  size: number;
  pps: number;
  p50: number;
  p99: number;
  lost: number;
  ratio: number;
}

interface Server {
  name: string;
  target: string;
  child: ChildProcessWithoutNullStreams;
}

async function startServer(name: string, args: string[], ready: RegExp, target: string): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: root });
  await waitOutput(child, ready, 30000);
  return { name, target, child };
}

/** Waits until `target` echoes (for servers that print nothing when ready). */
async function echoing(target: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const report = await runEcho({ target, count: 1, size: 64, timeoutMs: 200 });
    if (report.results[0].received === 1) return;
  }
  throw new Error(`${target} does not echo`);
}

/**
 * Closed-loop windows: 64 datagrams in flight (latency-minded), and 256 (a
 * load test: the simulator batches more per crossing into XS).
 */
export async function throughput(options: { sizes?: number[]; seconds?: number; windows?: number[]; rounds?: number } = {}): Promise<ThroughputRow[]> {
  const sizes = options.sizes ?? [64, 1400];
  const durationMs = (options.seconds ?? 3) * 1000;
  const windows = options.windows ?? [64, 256];
  const rounds = options.rounds ?? 2;
  const sim = join(root, "hosts", "sim", "bin.js");
  const peer = join(root, "tools", "peer", "bin.js");
  const servers: Server[] = [];
  try {
    servers.push(await startServer("Node dgram echo", [peer, "serve-echo", "--listen", "127.0.0.46:7001"], /listening/, "127.0.0.46:7001"));
    servers.push(await startServer("impnet main.ts in the simulator", [sim, "--iface", "eth0=127.0.0.47", "main.ts"], /echo: listening/, "127.0.0.47:1234"));
    const raw = await startServer("raw ECMA-419 echo in the simulator", [sim, "--start-at-once", "--iface", "eth0=127.0.0.48", "bench/apps/raw-echo.ts"], /running/, "127.0.0.48:1234");
    servers.push(raw);
    await echoing(raw.target);
    const sums = new Map<string, { pps: number; p50: number; p99: number; lost: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const window of windows) for (const size of sizes) {
        for (const server of servers) {
          const report = await runEcho({ target: server.target, size, durationMs, window, timeoutMs: 1000 });
          const result: EchoResult = report.results[0];
          const key = `${server.name}|${size}|${window}`;
          const sum = sums.get(key) ?? { pps: 0, p50: 0, p99: 0, lost: 0 };
          sum.pps += result.receivedPps / rounds;
          sum.p50 += (result.rttMs?.p50 ?? NaN) / rounds;
          sum.p99 += (result.rttMs?.p99 ?? NaN) / rounds;
          sum.lost += result.lost;
          sums.set(key, sum);
        }
      }
    }
    const rows: ThroughputRow[] = [];
    for (const window of windows) for (const size of sizes) {
      const base = (sums.get(`${servers[0].name}|${size}|${window}`) as { pps: number }).pps;
      for (const server of servers) {
        const sum = sums.get(`${server.name}|${size}|${window}`) as { pps: number; p50: number; p99: number; lost: number };
        rows.push({ server: server.name, window, size, pps: sum.pps, p50: sum.p50, p99: sum.p99, lost: sum.lost, ratio: sum.pps / base });
      }
    }
    return rows;
  } finally {
    for (const server of servers) server.child.kill("SIGTERM");
  }
}

export function throughputTable(rows: ThroughputRow[]): string {
  const lines = ["| server | window | size | echo packets/s | vs Node dgram | RTT p50 ms | RTT p99 ms | lost |", "|---|---:|---:|---:|---:|---:|---:|---:|"];
  for (const r of rows) {
    lines.push(`| ${r.server} | ${r.window} | ${r.size} | ${r.pps.toFixed(0)} | ${(r.ratio * 100).toFixed(0)} % | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.lost} |`);
  }
  return lines.join("\n");
}
