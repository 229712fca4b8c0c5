/**
 * The `impnet-sim` command and `npm start`: real processes, real UDP,
 * control commands on stdin, and one-line errors for bad input.
 */
import test from "ava";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { root, UdpClient } from "../support/sim";
import { run, waitOutput, type Finished } from "../support/process";

const BIN = join(root, "hosts", "sim", "bin.js");

function runCli(args: string[], input = ""): Promise<Finished> {
  return run(process.execPath, [BIN, ...args], { cwd: root, input });
}

test("an unknown option is a one-line error with usage and exit code 2", async (t) => {
  const result = await runCli(["--bogus", "main.ts"]);
  t.is(result.code, 2);
  t.is(result.stderr.split("\n")[0], "impnet-sim: unknown option --bogus");
  t.regex(result.stderr, /^usage: impnet-sim/m);
});

test("no app is a usage error", async (t) => {
  const result = await runCli([]);
  t.is(result.code, 2);
  t.is(result.stderr.split("\n")[0], "impnet-sim: no app given");
});

test("a malformed --iface is a usage error", async (t) => {
  const result = await runCli(["--iface", "eth1=127.0.0.1", "main.ts"]);
  t.is(result.code, 2);
  t.regex(result.stderr.split("\n")[0], /^impnet-sim: --iface eth1=127\.0\.0\.1: expected eth0=ADDRESS/);
});

test("a missing app file is a one-line error", async (t) => {
  const result = await runCli(["no-such-app.ts"]);
  t.is(result.code, 1);
  t.is(result.stderr, "impnet-sim: app file no-such-app.ts not found\n");
});

test("an app that does not compile is a one-line error naming the file and line", async (t) => {
  const result = await runCli(["tests/sim/apps/broken.js"]);
  t.is(result.code, 1);
  const lines = result.stderr.trim().split("\n");
  t.is(lines.length, 1);
  t.regex(lines[0], /^impnet-sim: .*broken\.js:3:\d+: /);
});

test("trace() prints one stdout line per newline, unprefixed, in order with server.log; text without a newline waits for one", async (t) => {
  const result = await runCli(["tests/sim/apps/trace.js"], "quit\n");
  t.is(result.code, 0);
  t.deepEqual(result.stdout.split("\n"), [
    "hello",
    "one 2 true",
    "no newline yet ... done",
    "a",
    "b",
    "conversation: bubble",
    "centered",
    "print 1 null",
    "trace.name=trace length=1",
    "before server.log",
    "server.log between traces",
    "after server.log",
    "held until the simulator stops",
    "",
  ]);
  t.notRegex(result.stderr, /xs print|binary bubbles/);
});

test("an interface address this host does not own is refused", async (t) => {
  const result = await runCli(["--iface", "eth0=10.255.255.254/24", "main.ts"]);
  t.is(result.code, 1);
  t.is(result.stderr, "impnet-sim: interface eth0: 10.255.255.254 is not an address of this host\n");
});

test("a crash at start-up prints the XS stack and exits non-zero", async (t) => {
  const result = await runCli(["tests/sim/apps/crash-at-start.ts"]);
  t.is(result.code, 1);
  t.is(result.stdout, "about to fail\n");
  t.regex(result.stderr, /impnet-sim: the app crashed: Error: deliberate start-up failure/);
  t.regex(result.stderr, /crash-at-start\.ts:\d+/);
});

test("npm start serves UDP echo on 127.0.0.1:1234; stdin commands drive the link; quit stops it", async (t) => {
  const child = spawn("npm", ["start", "--silent"], { cwd: root });
  try {
    const ready = await waitOutput(child, /echo: listening on 127\.0\.0\.1:1234/);
    t.regex(ready, /echo: listening on 127\.0\.0\.1:1234 \(broadcast 127\.255\.255\.255\)/);
    const client = await UdpClient.open();
    await client.send("ping over loopback", 1234);
    await client.waitReplies(1);
    t.is(client.replies[0].data.toString(), "ping over loopback");

    child.stdin.write("link eth0 down\n");
    t.regex(await waitOutput(child, /Ethernet stopped/), /echo: Ethernet stopped \(state 204\) - closing UDP/);
    child.stdin.write("link eth0 up\n");
    await waitOutput(child, /echo: listening on/);
    await client.send("again", 1234);
    await client.waitReplies(2);
    t.is(client.replies[1].data.toString(), "again");

    child.stdin.write("frobnicate\n");
    t.regex(await waitOutput(child, /unknown command/), /impnet-sim: unknown command "frobnicate"/);
    client.close();
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write("quit\n");
    t.is(await exited, 0);
  } finally {
    child.kill();
  }
});
