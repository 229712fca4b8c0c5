// Broadcast mode on a private LAN of network namespaces (tools/rig/netns.ts)
// that this test creates and removes itself: the peer (.1), two hosts running
// `impnet-peer serve-echo` (.2, .3) and one silent host (.4), all on
// 10.77.S.0/24. Needs root and iproute2; skipped otherwise.

import test from "ava";
import type { ChildProcess } from "node:child_process";
import { validateAgainstSchema } from "../../tools/peer/schema.ts";
import type { BroadcastReport, EchoReport } from "../../tools/peer/types.ts";
import { createLan, netnsUnavailable, type NamespaceLan } from "../../tools/rig/netns.ts";
import { HANG_GUARD_MS } from "../../tools/rig/wait.ts";
import { BIN, ROOT, runCli } from "./helpers.ts";

const reason = netnsUnavailable();
const S = 100 + (process.pid % 100);
const NET = `10.77.${S}`;
const PORT = 7777;
/** Host indexes on the LAN (host i is NET.(i+1)); host 3 stays silent. */
const PEER = 0;
const ECHO_HOSTS = [1, 2];
/**
 * How long broadcast mode collects replies after its last probe. It cannot end
 * earlier (it does not know who will answer), so this is a wall-clock window:
 * long enough that an echo host on a busy machine always answers within it.
 */
const COLLECT = "3s";

function startEcho(lan: NamespaceLan, host: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = lan.spawn(host, process.execPath, [BIN, "serve-echo", "--listen", `0.0.0.0:${PORT}`], ROOT);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve-echo in ${lan.hosts[host]} did not start: ${out}`)), HANG_GUARD_MS);
    c.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("listening on")) {
        clearTimeout(timer);
        resolve(c);
      }
    });
    c.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    c.on("exit", (code) => reject(new Error(`serve-echo in ${lan.hosts[host]} exited with ${code}: ${out}`)));
  });
}

if (reason) {
  test.skip(`broadcast on a namespace LAN (skipped: ${reason})`, () => {});
  console.log(`tests/peer/broadcast.test.ts skipped: ${reason}`);
} else {
  let lan: NamespaceLan;
  const echoes: ChildProcess[] = [];
  test.before(async () => {
    lan = createLan(`imppeer${process.pid}`, 4, 77, S);
    echoes.push(...(await Promise.all(ECHO_HOSTS.map((host) => startEcho(lan, host)))));
  });
  test.after.always(async () => {
    for (const c of echoes) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    lan?.remove();
  });

  test.serial("broadcast lists exactly the hosts that answered, with address, port and RTT", async (t) => {
    const r = await runCli(["broadcast", "--target", `${NET}.255:${PORT}`, "--count", "3", "--rate", "20", "--timeout", COLLECT, "--json"], {
      prefix: ["ip", "netns", "exec", lan.hosts[PEER]!],
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
      t.true(x.rttMs!.min > 0 && x.rttMs!.min <= x.rttMs!.max);
    }
    t.is(res.rttMs!.samples, 6);
  });

  test.serial("human broadcast summary names the responders", async (t) => {
    const r = await runCli(["broadcast", "--target", `${NET}.255:${PORT}`, "--count", "2", "--rate", "20", "--timeout", COLLECT], {
      prefix: ["ip", "netns", "exec", lan.hosts[PEER]!],
    });
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /4 replies from 2 responders/);
    t.regex(r.stdout, new RegExp(`${NET.replace(/\./g, "\\.")}\\.2:${PORT} +2 +2 `));
  });

  test.serial("broadcast to a port nobody serves finds no responders", async (t) => {
    const r = await runCli(["broadcast", "--target", `${NET}.255:${PORT + 1}`, "--count", "2", "--rate", "20", "--timeout", "300ms", "--json"], {
      prefix: ["ip", "netns", "exec", lan.hosts[PEER]!],
    });
    t.is(r.code, 0, r.stderr);
    const res = (JSON.parse(r.stdout) as BroadcastReport).results[0]!;
    t.is(res.sent, 2);
    t.deepEqual(res.responders, []);
    t.is(res.rttMs, null);
  });

  test.serial("unicast echo across the namespace LAN to a private address", async (t) => {
    const r = await runCli(["echo", "--target", `${NET}.3:${PORT}`, "--count", "500", "--size", "1400", "--timeout", "60s", "--json"], {
      prefix: ["ip", "netns", "exec", lan.hosts[PEER]!],
    });
    t.is(r.code, 0, r.stderr);
    const res = (JSON.parse(r.stdout) as EchoReport).results[0]!;
    t.is(res.sent, 500);
    t.is(res.received, 500);
    t.is(res.corrupted, 0);
  });
}
