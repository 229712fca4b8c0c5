// impnet-peer's output: --json against the schema, the human summary, --report
// pages and the TTY progress line, mostly through the CLI. A CLI child runs on
// the wall clock, so these runs lose nothing by design (a loss timeout no
// healthy run reaches); loss reporting is rendered from a manual-clock run.

import test from "ava";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import dgram from "node:dgram";
import { ManualClock } from "../../hosts/peer/clock.ts";
import { runEcho } from "../../hosts/peer/echo.ts";
import { renderHtml } from "../../hosts/peer/html.ts";
import { encodeProbe } from "../../hosts/peer/probe.ts";
import { startRawEcho } from "../../hosts/peer/raw-echo.ts";
import { validateAgainstSchema } from "../../hosts/peer/schema.ts";
import type { EchoReport, FloodReport, SinkReport } from "../../hosts/peer/types.ts";
import { HANG_GUARD_MS, kernelDrops, until } from "../support/wait.ts";
import { BIN, freePort, misbehavingEcho, ROOT, runCli, startSink, sum } from "./helpers.ts";

/** A loss timeout no healthy CLI run reaches: the run ends when every echo is back. */
const NEVER = "60s";

const dir = mkdtempSync(join(tmpdir(), "impnet-peer-test-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function checkPercentiles(t: import("ava").ExecutionContext, p: EchoReport["results"][number]["rttMs"]) {
  t.truthy(p);
  if (!p) return;
  t.true(p.min <= p.p50 && p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max, JSON.stringify(p));
}

test("echo --json: one JSON document that validates against the schema", async (t) => {
  // Not the last probe of a step (i = 500, 1000): the run may end before its copy arrives.
  const server = await misbehavingEcho((i) => (i % 40 === 0 && i % 500 !== 0 ? "dup" : "echo"));
  try {
    const r = await runCli(["echo", "--target", server.target, "--count", "500", "--size", "64,512", "--timeout", NEVER, "--json"]);
    t.is(r.code, 0, r.stderr);
    t.is(r.stderr, "", "no progress output when stderr is not a TTY");
    const doc = JSON.parse(r.stdout) as EchoReport;
    t.deepEqual(validateAgainstSchema(doc), []);
    t.is(doc.schema, "impnet-peer/report@1");
    t.is(doc.mode, "echo");
    t.is(doc.target, server.target);
    t.is(doc.listen, null);
    t.deepEqual(doc.options.sizes, [64, 512]);
    t.is(doc.options.count, 500);
    t.is(doc.options.window, 16);
    t.is(doc.options.timeoutMs, 60_000);
    t.is(doc.machine.node, process.version);
    t.true(doc.machine.cpus >= 1);
    t.is(new Date(doc.date).toISOString(), doc.date);
    t.true(Date.parse(doc.finished) >= Date.parse(doc.date));
    t.is(doc.results.length, 2);
    // every 40th datagram the server sees is duplicated: 40..480 and 520..960
    t.deepEqual(
      doc.results.map((res) => res.duplicated),
      [12, 12],
    );
    for (const res of doc.results) {
      t.is(res.sent, 500);
      t.is(res.received, 500);
      t.is(res.lost, 0);
      t.is(res.lossRatio, 0);
      t.is(sum(res.timeline.series.sent!), res.sent);
      t.is(sum(res.timeline.series.lost!), res.lost);
      t.is(sum(res.rttHistogram.map((b) => b[2])), res.rttMs!.samples);
      checkPercentiles(t, res.rttMs);
    }
  } finally {
    await server.close();
  }
});

test("the schema validator rejects broken documents", async (t) => {
  const server = await startRawEcho();
  try {
    const r = await runCli(["echo", "--target", `127.0.0.1:${server.port}`, "--count", "50", "--timeout", NEVER, "--json"]);
    const doc = JSON.parse(r.stdout);
    t.deepEqual(validateAgainstSchema(doc), []);
    const missing = structuredClone(doc);
    delete missing.results[0].sent;
    t.true(validateAgainstSchema(missing).some((e) => /missing sent/.test(e) || /oneOf/.test(e)));
    const wrongType = structuredClone(doc);
    wrongType.results[0].rttMs.p50 = "fast";
    t.true(validateAgainstSchema(wrongType).length > 0);
    const extra = structuredClone(doc);
    extra.surprise = 1;
    t.true(validateAgainstSchema(extra).some((e) => /unexpected property surprise/.test(e)));
  } finally {
    await server.close();
  }
});

test("human summary by default", async (t) => {
  const server = await startRawEcho();
  try {
    const r = await runCli(["echo", "--target", `127.0.0.1:${server.port}`, "--count", "200", "--timeout", NEVER]);
    t.is(r.code, 0);
    t.is(r.stderr, "");
    t.regex(r.stdout, /^echo 127\.0\.0\.1:\d+ +unpaced, window 16, count 200/);
    t.regex(r.stdout, /\n64 +200 +200 +0 +0\.00%/);
  } finally {
    await server.close();
  }
});

test("--report writes a self-contained HTML page with an SVG histogram", async (t) => {
  const server = await startRawEcho();
  const file = join(dir, "echo.html");
  try {
    const r = await runCli(["echo", "--target", `127.0.0.1:${server.port}`, "--count", "1000", "--timeout", NEVER, "--report", file]);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /report written to/);
    const html = readFileSync(file, "utf8");
    t.regex(html, /^<!doctype html>/);
    t.regex(html, /<h3>Round-trip time histogram<\/h3><svg [^>]*aria-label="RTT histogram"/);
    t.regex(html, /aria-label="loss over time"/);
    t.true((html.match(/class="bar"/g) ?? []).length >= 1, "histogram has bars");
    t.regex(html, /<table class="grid">/);
    t.regex(html, /1000 \/ 1000 \/ 0/);
    t.notRegex(html, /<script|<link|src=|url\(|href="http/i, "no external assets or scripts");
  } finally {
    await server.close();
  }
});

test("the report page plots losses (a lossy run on a manual clock)", async (t) => {
  // Every 25th probe dropped; the server moves the clock past each one's loss timeout (window 1).
  const clock = new ManualClock();
  const server = await misbehavingEcho((i, msg) => {
    if (i % 25 !== 0) return "echo";
    clock.advance(msg.readUInt32BE(12) / 1000 + 125 - clock.now());
    return "drop";
  });
  try {
    const doc = await runEcho({ target: server.target, count: 1000, window: 1, timeoutMs: 100, clock });
    t.is(doc.results[0]!.lost, 40);
    const html = renderHtml(doc);
    t.regex(html, /aria-label="loss over time"/);
    t.true((html.match(/class="loss"/g) ?? []).length >= 1, "loss plot shows the losses");
    t.regex(html, /1000 \/ 960 \/ 40/);
  } finally {
    await server.close();
  }
});

test("flood --json validates against the schema (flooding an in-process sink)", async (t) => {
  // The sink has no end of its own: it is stopped once every datagram is received or dropped by the kernel.
  let seen = 0;
  const ac = new AbortController();
  const { port, report: sinkP } = await startSink({ signal: ac.signal, onDatagram: (n) => (seen = n) });
  const flood = await runCli(["flood", "--target", `127.0.0.1:${port}`, "--count", "2000", "--size", "100", "--rate", "20k", "--timeout", "1ms", "--json"]);
  t.is(flood.code, 0, flood.stderr);
  const f = JSON.parse(flood.stdout) as FloodReport;
  t.deepEqual(validateAgainstSchema(f), []);
  t.is(f.mode, "flood");
  t.is(f.results[0]!.sent, 2000);
  t.is(f.results[0]!.bytes, 200_000);
  t.is(f.options.rate, 20_000);
  await until(() => seen + kernelDrops("127.0.0.1", port) === 2000, "every datagram received by the sink or dropped by the kernel");
  ac.abort();
  const d = await sinkP;
  t.deepEqual(validateAgainstSchema(d), []);
  const st = d.results[0]!.streams[0]!;
  t.is(st.received + st.lost, st.expected);
  t.true(st.received > 0 && st.received <= 2000);
});

test("sink --json and --report from the CLI", async (t) => {
  const port = await freePort();
  const file = join(dir, "sink.html");
  const child = runCli(["sink", "--listen", `127.0.0.1:${port}`, "--count", "6", "--json", "--report", file]);
  const sock = dgram.createSocket("udp4");
  sock.on("error", () => {}); // ECONNREFUSED until the sink is up
  let seq = 0;
  let finished = false;
  void child.then(() => (finished = true));
  const buf = Buffer.alloc(64);
  while (!finished) {
    sock.send(encodeProbe(buf, 0, 0xabcdef01, seq++, 0), port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 40));
  }
  sock.close();
  const s = await child;
  t.is(s.code, 0, s.stderr);
  t.is(s.stderr, "");
  const d = JSON.parse(s.stdout) as SinkReport;
  t.deepEqual(validateAgainstSchema(d), []);
  t.is(d.mode, "sink");
  t.is(d.listen, `127.0.0.1:${port}`);
  const res = d.results[0]!;
  t.is(res.endReason, "count");
  t.is(res.packets, 6);
  t.is(res.probes, 6);
  t.is(res.streams[0]!.runId, 0xabcdef01);
  t.is(res.streams[0]!.received, 6);
  t.is(res.streams[0]!.received + res.streams[0]!.lost, res.streams[0]!.expected);
  const html = readFileSync(file, "utf8");
  t.regex(html, /aria-label="loss over time"/);
  t.regex(html, /abcdef01/);
});

// `script` (util-linux) gives the child a pseudo-terminal, so stderr is a TTY there.
const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

(hasScript ? test : test.skip)(
  `live progress line on stderr when it is a TTY${hasScript ? "" : " (skipped: util-linux `script` not installed)"}`,
  async (t) => {
    const server = await startRawEcho();
    try {
      // Progress lines come every 250 ms of the run; what they count is checked on a manual clock in echo.test.ts.
      const cmd = `${process.execPath} ${BIN} echo --target 127.0.0.1:${server.port} --duration 800ms --rate 500`;
      // asynchronous, so this process's echo server keeps answering meanwhile
      const { stdout: out } = await promisify(execFile)("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", cwd: ROOT, timeout: HANG_GUARD_MS });
      t.regex(out, /\r\x1b\[Kecho size 64 \d+\.\ds sent [1-9]\d* received \d+/);
      t.regex(out, /paced 500 pkt\/s/);
    } finally {
      await server.close();
    }
  },
);
