/**
 * Benchmark "lwip-tap": echo packets/s and round trips through the ESP32
 * backend's lwIP part on real lwIP (Debian's liblwip over a TAP device, the
 * test bed of tools/rig/lwip, used by tests/lwip; docs/native-lwip.md §3), beside a raw Node dgram
 * echo across a veth pair, both driven by impnet-peer from a PC namespace in
 * closed loop. Needs root, /dev/net/tun, cc and liblwip-dev.
 */
import { execFileSync } from "node:child_process";
import type { EchoReport } from "../tools/peer/types";
import { createLan, type NamespaceLan } from "../tools/rig/netns";
import { waitOutput } from "../tools/rig/process";
import { lwipUnavailable, root, startTapLan, type TapLan } from "../tools/rig/lwip/tap-lan";

export interface TapRow {
  server: string;
  size: number;
  window: number;
  pps: number;
  p50: number;
  p99: number;
  lost: number;
  /** echoes/s over the Node dgram echo's at the same size and window, same run (NaN for the baseline's own rows). */
  ratio: number;
}

const PEER = "tools/peer/bin.js";
const LWIP = "impnet lwIP socket, lwIP 2.1.3 over TAP";
const BASELINE = "Node dgram echo, Linux over veth";
const ECHO_PORT = 5090;

/** impnet-peer's echo from namespace `ns` at `target`; one result per size. */
function peerEcho(ns: string, target: string, sizes: number[], window: number, seconds: number): EchoReport["results"] {
  const output = execFileSync("ip", ["netns", "exec", ns, process.execPath, PEER, "echo", "--target", target, "--size", sizes.join(","), "--window", String(window), "--duration", `${seconds}s`, "--json"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return (JSON.parse(output) as EchoReport).results;
}

function rows(server: string, window: number, results: EchoReport["results"]): TapRow[] {
  return results.map((r) => ({ server, size: r.size, window, pps: r.receivedPps, p50: r.rttMs?.p50 ?? NaN, p99: r.rttMs?.p99 ?? NaN, lost: r.lost, ratio: NaN }));
}

export async function lwipTap(options: { sizes?: number[]; windows?: number[]; seconds?: number } = {}): Promise<{ rows: TapRow[]; notes: string[] }> {
  const reason = lwipUnavailable();
  if (reason !== null) return { rows: [], notes: [`skipped: ${reason}`] };
  const sizes = options.sizes ?? [64, 1400];
  const windows = options.windows ?? [1, 16, 64];
  const seconds = options.seconds ?? 3;
  const result: TapRow[] = [];
  const notes: string[] = [];
  const tag = `impnet-lb${process.pid}`;
  let lan: TapLan | undefined;
  let veth: NamespaceLan | undefined;
  try {
    lan = await startTapLan(tag, "fast");
    const opened = await lan.harness.request(`open 2 eth0 ${ECHO_PORT} 64`);
    if (opened[0] !== "opened") throw new Error(`harness: ${opened.join(" ")}`);
    await lan.harness.request("echo 2");
    veth = createLan(`${tag}v`, 2, 83, 100 + (process.pid % 100));
    const server = veth.spawn(0, process.execPath, [PEER, "serve-echo", "--listen", `${veth.address(0)}:${ECHO_PORT}`], root);
    await waitOutput(server, /listening/);
    // Point by point in turn, so load from elsewhere on the machine falls on both.
    for (const window of windows) {
      result.push(...rows(LWIP, window, peerEcho(`${tag}-e`, `${lan.eth0.lwip}:${ECHO_PORT}`, sizes, window, seconds)));
      result.push(...rows(BASELINE, window, peerEcho(veth.hosts[1]!, `${veth.address(0)}:${ECHO_PORT}`, sizes, window, seconds)));
    }
    const queue = await lan.harness.queue(2);
    const stats = await lan.harness.stats();
    notes.push(`lwIP harness: ${queue.echoed} echoed, ${queue.dropped} dropped by the socket's queue, ${stats.input_refused} frames refused by lwIP's mailbox`);
  } finally {
    lan?.remove();
    veth?.remove();
  }
  for (const row of result) {
    const base = result.find((b) => b.server === BASELINE && b.size === row.size && b.window === row.window);
    if (row.server !== BASELINE && base !== undefined) row.ratio = row.pps / base.pps;
  }
  return { rows: result, notes };
}

export function lwipTapTable(report: { rows: TapRow[]; notes: string[] }): string {
  if (report.rows.length === 0) return report.notes.join("\n");
  const lines = ["| server | size | window | echoes/s | vs Node | p50 ms | p99 ms | lost |", "|---|---:|---:|---:|---:|---:|---:|---:|"];
  for (const r of report.rows) {
    const ratio = Number.isNaN(r.ratio) ? "1 (baseline)" : `${r.ratio.toFixed(2)}×`;
    lines.push(`| ${r.server} | ${r.size} | ${r.window} | ${Math.round(r.pps).toLocaleString("en")} | ${ratio} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.lost} |`);
  }
  return [...lines, "", ...report.notes.map((n) => `- ${n}`)].join("\n");
}
