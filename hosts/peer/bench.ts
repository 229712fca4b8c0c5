// Measures what impnet-peer drives against a raw Node dgram echo server on
// loopback (the server runs in its own process, `impnet-peer serve-echo`), and
// compares it with a minimal hand-written closed-loop client that does no
// accounting at all: if the two are close, the peer is not the bottleneck.
//
//   npx tsx hosts/peer/bench.ts [seconds-per-case]   (default 3)
//
// Prints a Markdown table for hosts/peer/README.md.

import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { realClock } from "./clock.ts";
import { runEcho } from "./echo.ts";
import { runFlood } from "./flood.ts";

const secs = Number(process.argv[2] ?? 3);
const durationMs = secs * 1000;
const now = realClock.now;
const BIN = fileURLToPath(new URL("./bin.js", import.meta.url));

async function startServer(): Promise<{ port: number; stop: () => Promise<string> }> {
  const child = spawn(process.execPath, [BIN, "serve-echo", "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (c) => reject(new Error(`serve-echo exited ${c}`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.on("exit", () => resolve(out.split("\n").filter(Boolean).pop() ?? ""));
        child.kill("SIGINT");
      }),
  };
}

/** Minimal closed-loop client: `window` datagrams in flight, no accounting. */
async function rawClient(port: number, size: number, window: number, ms: number): Promise<{ pps: number; cpuUs: number }> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  await new Promise<void>((r) => sock.connect(port, "127.0.0.1", () => r()));
  const buf = Buffer.alloc(size, 7);
  let received = 0;
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const end = t0 + ms;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let stopped = false;
  const noop = () => {};
  sock.on("message", () => {
    received++;
    if (!stopped && now() < end) sock.send(buf, noop);
    else if (!stopped) {
      stopped = true;
      done();
    }
  });
  for (let i = 0; i < window; i++) sock.send(buf, noop);
  setTimeout(() => {
    if (!stopped) {
      stopped = true;
      done();
    }
  }, ms + 1000);
  await finished;
  const elapsed = (now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  sock.close();
  return { pps: received / elapsed, cpuUs: (cpu.user + cpu.system) / received };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

const rows: string[] = [];
const row = (...c: Array<string | number>) => rows.push(`| ${c.join(" | ")} |`);

const loadBefore = os.loadavg()[0]!.toFixed(2);
const server = await startServer();
for (const size of [64, 1400]) {
  for (const window of [16, 64]) {
    const raw = await rawClient(server.port, size, window, durationMs);
    const cpu0 = process.cpuUsage();
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, size, window, durationMs });
    const cpu = process.cpuUsage(cpu0);
    const r = doc.results[0]!;
    const cpuUs = (cpu.user + cpu.system) / r.received;
    row(
      `echo unpaced, window ${window}`,
      size,
      fmt(r.receivedPps),
      fmt(raw.pps),
      `${((100 * r.receivedPps) / raw.pps).toFixed(0)} %`,
      `${cpuUs.toFixed(1)} / ${raw.cpuUs.toFixed(1)}`,
      `${r.lost} / ${r.sent}`,
      `${r.rttMs?.p50.toFixed(3)} / ${r.rttMs?.p99.toFixed(3)}`,
    );
  }
  // The pacing tests only bound the rate (never faster than asked); its accuracy is measured here.
  for (const rate of [2_000, 10_000, 30_000]) {
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, size, rate, durationMs });
    const r = doc.results[0]!;
    row(`echo paced ${fmt(rate)} pkt/s`, size, `${fmt(r.sentPps)} sent, ${fmt(r.receivedPps)} echoed`, "-", "-", "-", `${r.lost} / ${r.sent}`, `${r.rttMs?.p50.toFixed(3)} / ${r.rttMs?.p99.toFixed(3)}`);
  }
  const flood = await runFlood({ target: `127.0.0.1:${server.port}`, size, durationMs });
  const f = flood.results[0]!;
  row("flood unpaced (send only)", size, `${fmt(f.sentPps)} sent, ${fmt(f.replies.packets / (f.durationMs / 1000))} echoed`, "-", "-", "-", `${f.errors.send} send errors`, "-");
  const paced = await runFlood({ target: `127.0.0.1:${server.port}`, size, durationMs, rate: 1_000 });
  const p = paced.results[0]!;
  row("flood paced 1,000 pkt/s (send only)", size, `${fmt(p.sentPps)} sent`, "-", "-", "-", `${p.errors.send} send errors`, "-");
}
const last = await server.stop();

let cpu = os.cpus()[0]?.model ?? "unknown";
try {
  cpu = /Model name:\s*(.*)/.exec(execFileSync("lscpu", { encoding: "utf8" }))?.[1]?.trim() ?? cpu;
} catch {
  // no lscpu
}
console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} CPUs (nproc), ${cpu}, Node ${process.version}, ${os.type()} ${os.release()}; ${secs} s per case; 1-min load average ${loadBefore} before, ${os.loadavg()[0]!.toFixed(2)} after; server: ${last}\n`);
console.log("| case | size (bytes) | peer pkt/s | raw client pkt/s | peer / raw | CPU µs per echo, peer / raw | lost / sent | RTT p50 / p99 (ms) |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
