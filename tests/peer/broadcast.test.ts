// Broadcast mode on a private LAN made of network namespaces that this test
// creates and removes itself: a bridge namespace joining the peer (.1), two
// hosts running `impnet-peer serve-echo` (.2, .3) and one silent host (.4),
// all on 10.77.S.0/24. Needs root and iproute2; skipped otherwise.

import test from "ava";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { validateAgainstSchema } from "../../hosts/peer/schema.ts";
import type { BroadcastReport, EchoReport } from "../../hosts/peer/types.ts";
import { BIN, ROOT, runCli } from "./helpers.ts";

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function unavailable(): string | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not running as root";
  try {
    ip("-V");
  } catch {
    return "the `ip` command (iproute2) is not installed";
  }
  const probe = `imppeer-probe-${process.pid}`;
  try {
    ip("netns", "add", probe);
  } catch (err) {
    return `cannot create network namespaces: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    try {
      ip("netns", "del", probe);
    } catch {
      // was not created
    }
  }
  return null;
}

const reason = unavailable();
const tag = `imppeer${process.pid}`;
const S = 100 + (process.pid % 100);
const NET = `10.77.${S}`;
const PORT = 7777;
const NS = { br: `${tag}-br`, p: `${tag}-p`, e1: `${tag}-e1`, e2: `${tag}-e2`, q: `${tag}-q` };
const MEMBERS: Array<[string, number]> = [
  [NS.p, 1],
  [NS.e1, 2],
  [NS.e2, 3],
  [NS.q, 4],
];
const children: ChildProcess[] = [];
let cleaned = false;

function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const ns of Object.values(NS)) {
    try {
      ip("netns", "del", ns);
    } catch {
      // not created
    }
  }
}

function startEcho(ns: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, "serve-echo", "--listen", `0.0.0.0:${PORT}`], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(c);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve-echo in ${ns} did not start: ${out}`)), 15_000);
    c.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("listening on")) {
        clearTimeout(timer);
        resolve(c);
      }
    });
    c.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
    c.on("exit", (code) => reject(new Error(`serve-echo in ${ns} exited with ${code}: ${out}`)));
  });
}

if (reason) {
  test.skip(`broadcast on a namespace LAN (skipped: ${reason})`, () => {});
  console.log(`tests/peer/broadcast.test.ts skipped: ${reason}`);
} else {
  process.on("exit", cleanup);
  test.before(async () => {
    for (const ns of Object.values(NS)) ip("netns", "add", ns);
    ip("-n", NS.br, "link", "add", "br0", "type", "bridge");
    ip("-n", NS.br, "link", "set", "br0", "up");
    for (const [ns, host] of MEMBERS) {
      ip("link", "add", "v0", "netns", ns, "type", "veth", "peer", "name", `p${host}`, "netns", NS.br);
      ip("-n", NS.br, "link", "set", `p${host}`, "master", "br0", "up");
      ip("-n", ns, "addr", "add", `${NET}.${host}/24`, "brd", "+", "dev", "v0");
      ip("-n", ns, "link", "set", "v0", "up");
      ip("-n", ns, "link", "set", "lo", "up");
    }
    await Promise.all([startEcho(NS.e1), startEcho(NS.e2)]);
  });
  test.after.always(async () => {
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    cleanup();
  });

  test.serial("broadcast lists exactly the hosts that answered, with address, port and RTT", async (t) => {
    const r = await runCli(["broadcast", "--target", `${NET}.255:${PORT}`, "--count", "3", "--rate", "20", "--timeout", "500ms", "--json"], {
      prefix: ["ip", "netns", "exec", NS.p],
    });
    t.is(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as BroadcastReport;
    t.deepEqual(validateAgainstSchema(doc), []);
    t.is(doc.mode, "broadcast");
    t.is(doc.target, `${NET}.255:${PORT}`);
    const res = doc.results[0]!;
    t.is(res.sent, 3);
    t.is(res.replies, 6);
    t.deepEqual(
      res.responders.map((x) => `${x.address}:${x.port}`),
      [`${NET}.2:${PORT}`, `${NET}.3:${PORT}`],
    );
    for (const x of res.responders) {
      t.is(x.replies, 3);
      t.is(x.matched, 3);
      t.is(x.duplicated, 0);
      t.is(x.corrupted, 0);
      t.truthy(x.rttMs);
      t.true(x.rttMs!.min > 0 && x.rttMs!.max < 500);
    }
    t.is(res.rttMs!.samples, 6);
  });

  test.serial("human broadcast summary names the responders", async (t) => {
    const r = await runCli(["broadcast", "--target", `${NET}.255:${PORT}`, "--count", "2", "--rate", "20", "--timeout", "300ms"], {
      prefix: ["ip", "netns", "exec", NS.p],
    });
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /4 replies from 2 responders/);
    t.regex(r.stdout, new RegExp(`${NET.replace(/\./g, "\\.")}\\.2:${PORT} +2 +2 `));
  });

  test.serial("broadcast to a port nobody serves finds no responders", async (t) => {
    const r = await runCli(["broadcast", "--target", `${NET}.255:${PORT + 1}`, "--count", "2", "--rate", "20", "--timeout", "300ms", "--json"], {
      prefix: ["ip", "netns", "exec", NS.p],
    });
    t.is(r.code, 0, r.stderr);
    const res = (JSON.parse(r.stdout) as BroadcastReport).results[0]!;
    t.is(res.sent, 2);
    t.deepEqual(res.responders, []);
    t.is(res.rttMs, null);
  });

  test.serial("unicast echo across the namespace LAN to a private address", async (t) => {
    const r = await runCli(["echo", "--target", `${NET}.3:${PORT}`, "--count", "500", "--size", "1400", "--json"], {
      prefix: ["ip", "netns", "exec", NS.p],
    });
    t.is(r.code, 0, r.stderr);
    const res = (JSON.parse(r.stdout) as EchoReport).results[0]!;
    t.is(res.sent, 500);
    t.is(res.received, 500);
    t.is(res.corrupted, 0);
  });
}
