import test from "ava";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import dgram from "node:dgram";
import { encodeProbe } from "../../hosts/peer/probe.ts";
import { startRawEcho } from "../../hosts/peer/raw-echo.ts";
import { validateAgainstSchema } from "../../hosts/peer/schema.ts";
import type { EchoReport, FloodReport, SinkReport } from "../../hosts/peer/types.ts";
import { BIN, misbehavingEcho, ROOT, runCli, startSink, sum } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "impnet-peer-test-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function checkPercentiles(t: import("ava").ExecutionContext, p: EchoReport["results"][number]["rttMs"]) {
  t.truthy(p);
  if (!p) return;
  t.true(p.min <= p.p50 && p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max, JSON.stringify(p));
}

test("echo --json: one JSON document that validates against the schema", async (t) => {
  const server = await misbehavingEcho((i) => (i % 50 === 0 ? "drop" : i % 40 === 0 ? "dup" : "echo"));
  try {
    const r = await runCli(["echo", "--target", server.target, "--count", "500", "--size", "64,512", "--timeout", "200ms", "--json"]);
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
    t.is(doc.options.timeoutMs, 200);
    t.is(doc.machine.node, process.version);
    t.true(doc.machine.cpus >= 1);
    t.is(new Date(doc.date).toISOString(), doc.date);
    t.true(Date.parse(doc.finished) >= Date.parse(doc.date));
    t.is(doc.results.length, 2);
    for (const res of doc.results) {
      t.is(res.sent, 500);
      t.is(res.received + res.lost, res.sent);
      t.is(res.lost, 10);
      // every 40th duplicated unless also a 50th (dropped): 12 - 2 in 1..500, 13 - 3 in 501..1000
      t.is(res.duplicated, 10);
      t.is(res.lossRatio, 0.02);
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
    const r = await runCli(["echo", "--target", `127.0.0.1:${server.port}`, "--count", "50", "--json"]);
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
    const r = await runCli(["echo", "--target", `127.0.0.1:${server.port}`, "--count", "200"]);
    t.is(r.code, 0);
    t.is(r.stderr, "");
    t.regex(r.stdout, /^echo 127\.0\.0\.1:\d+ +unpaced, window 16, count 200/);
    t.regex(r.stdout, /\n64 +200 +200 +0 +0\.00%/);
  } finally {
    await server.close();
  }
});

test("--report writes a self-contained HTML page with an SVG histogram and loss plot", async (t) => {
  const server = await misbehavingEcho((i) => (i % 25 === 0 ? "drop" : "echo"));
  const file = join(dir, "echo.html");
  try {
    const r = await runCli(["echo", "--target", server.target, "--count", "1000", "--timeout", "200ms", "--report", file]);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /report written to/);
    const html = readFileSync(file, "utf8");
    t.regex(html, /^<!doctype html>/);
    t.regex(html, /<h3>Round-trip time histogram<\/h3><svg [^>]*aria-label="RTT histogram"/);
    t.regex(html, /aria-label="loss over time"/);
    t.true((html.match(/class="bar"/g) ?? []).length >= 1, "histogram has bars");
    t.true((html.match(/class="loss"/g) ?? []).length >= 1, "loss plot shows the losses");
    t.regex(html, /<table class="grid">/);
    t.regex(html, /1000 \/ 960 \/ 40/);
    t.notRegex(html, /<script|<link|src=|url\(|href="http/i, "no external assets or scripts");
  } finally {
    await server.close();
  }
});

test("flood --json validates against the schema (flooding an in-process sink)", async (t) => {
  // The idle timer starts at once, while the CLI child may still wait for a slot: give it room.
  const { port, report: sinkP } = await startSink({ timeoutMs: 10000, count: 2000 });
  const flood = await runCli(["flood", "--target", `127.0.0.1:${port}`, "--count", "2000", "--size", "100", "--rate", "20k", "--json"]);
  t.is(flood.code, 0, flood.stderr);
  const f = JSON.parse(flood.stdout) as FloodReport;
  t.deepEqual(validateAgainstSchema(f), []);
  t.is(f.mode, "flood");
  t.is(f.results[0]!.sent, 2000);
  t.is(f.results[0]!.bytes, 200_000);
  t.is(f.options.rate, 20_000);
  const d = await sinkP;
  t.deepEqual(validateAgainstSchema(d), []);
  const st = d.results[0]!.streams[0]!;
  t.is(st.received + st.lost, st.expected);
  t.true(st.received > 0 && st.received <= 2000);
});

test("sink --json and --report from the CLI", async (t) => {
  const port = 20000 + (process.pid % 20000);
  const file = join(dir, "sink.html");
  const child = runCli(["sink", "--listen", `127.0.0.1:${port}`, "--count", "6", "--timeout", "15s", "--json", "--report", file]);
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
      const cmd = `${process.execPath} ${BIN} echo --target 127.0.0.1:${server.port} --duration 800ms --rate 500`;
      // asynchronous, so this process's echo server keeps answering meanwhile
      const { stdout: out } = await promisify(execFile)("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", cwd: ROOT, timeout: 20_000 });
      t.regex(out, /\r\x1b\[Kecho size 64 \d+\.\ds sent \d+ received [1-9]\d*/);
      t.regex(out, /paced 500 pkt\/s/);
    } finally {
      await server.close();
    }
  },
);
