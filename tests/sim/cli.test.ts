/**
 * The `impnet-sim` command and `npm start`: real processes, real UDP,
 * control commands on stdin, and one-line errors for bad input.
 */
import test from "ava";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, root, UdpClient, uniqueLoopback } from "../support/sim";
import { run, waitOutput, type Finished } from "../support/process";
import { HANG_GUARD_MS, until } from "../support/wait";

const BIN = join(root, "hosts", "sim", "bin.js");

function runCli(args: string[], input = "", env?: NodeJS.ProcessEnv): Promise<Finished> {
  return run(process.execPath, [BIN, ...args], { cwd: root, input, env });
}

test.serial("an unknown option is a one-line error with usage and exit code 2", async (t) => {
  const result = await runCli(["--bogus", "main.ts"]);
  t.is(result.code, 2);
  t.is(result.stderr.split("\n")[0], "impnet-sim: unknown option --bogus");
  t.regex(result.stderr, /^usage: impnet-sim/m);
});

test.serial("no app is a usage error", async (t) => {
  const result = await runCli([]);
  t.is(result.code, 2);
  t.is(result.stderr.split("\n")[0], "impnet-sim: no app given");
});

test.serial("a malformed --iface is a usage error", async (t) => {
  const result = await runCli(["--iface", "eth1=127.0.0.1", "main.ts"]);
  t.is(result.code, 2);
  t.regex(result.stderr.split("\n")[0], /^impnet-sim: --iface eth1=127\.0\.0\.1: expected eth0=ADDRESS/);
});

test.serial("a missing app file is a one-line error", async (t) => {
  const result = await runCli(["no-such-app.ts"]);
  t.is(result.code, 1);
  t.is(result.stderr, "impnet-sim: app file no-such-app.ts not found\n");
});

test.serial("an app that does not compile is a one-line error naming the file and line", async (t) => {
  const result = await runCli(["tests/sim/apps/broken.js"]);
  t.is(result.code, 1);
  const lines = result.stderr.trim().split("\n");
  t.is(lines.length, 1);
  t.regex(lines[0], /^impnet-sim: .*broken\.js:3:\d+: /);
});

test.serial("a directory given as the app is reported as a directory in one line", async (t) => {
  const result = await runCli(["examples"]);
  t.is(result.code, 1);
  t.is(result.stderr, "impnet-sim: examples is a directory; give the app's main file (for example examples/main.ts)\n");
});

test.serial("a TypeScript app with type errors is not run: one file:line:col line per error, then exit 1", async (t) => {
  const result = await runCli(["tests/sim/apps/type-error.ts"]);
  t.is(result.code, 1);
  t.is(result.stdout, "", "the app must not run");
  t.deepEqual(result.stderr.trimEnd().split("\n"), [
    "tests/sim/apps/type-error.ts:4:7: error TS2322: Type 'string' is not assignable to type 'number'.",
    "tests/sim/apps/type-error.ts:5:56: error TS2551: Property 'interfaces' does not exist on type 'NetInfo'. Did you mean 'interface'?",
    "impnet-sim: tests/sim/apps/type-error.ts does not type-check (2 errors); --no-typecheck runs it anyway",
  ]);
});

test.serial("--no-typecheck runs a TypeScript app with type errors", async (t) => {
  const result = await runCli(["--no-typecheck", "--start-at-once", "tests/sim/apps/type-error.ts"], "quit\n");
  t.is(result.code, 0);
  t.is(result.stdout, "ran with port 1234 and undefined\ntrace ran\n");
});

test.serial("a clean type-check is remembered only while the app is unchanged: an edit that breaks it is caught", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cli-app-"));
  try {
    const app = join(dir, "app.ts");
    writeFileSync(app, 'import { server } from "impnet";\nserver.log("clean");\n');
    for (let run = 0; run < 2; run++) {
      const clean = await runCli(["--start-at-once", app], "quit\n");
      t.is(clean.code, 0, clean.stderr);
      t.is(clean.stdout, "clean\n");
    }
    writeFileSync(app, 'import { server } from "impnet";\nconst text: string = 42;\nserver.log(text);\n');
    const broken = await runCli([app]);
    t.is(broken.code, 1);
    t.regex(broken.stderr, /app\.ts:2:7: error TS2322: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("no impnet-sim-* temporary directory is left behind, whatever ends the run", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cli-temp-"));
  try {
    const env = { ...process.env, TMPDIR: dir };
    const runs: [string[], string, number][] = [
      [["tests/sim/apps/broken.js"], "", 1], // does not compile
      [["tests/sim/apps/type-error.ts"], "", 1], // does not type-check
      [["tests/sim/apps/crash-at-start.ts"], "", 1], // crashes while starting
      [["--iface", "eth0=10.255.255.254/24", "main.ts"], "", 1], // interface it cannot have
      [["--no-typecheck", "--start-at-once", "tests/sim/apps/type-error.ts"], "quit\n", 0], // runs and quits
    ];
    for (const [args, input, code] of runs) {
      const result = await runCli(args, input, env);
      t.is(result.code, code, `${args.join(" ")}: ${result.stderr}`);
      t.deepEqual(
        readdirSync(dir).filter((name) => name.startsWith("impnet-sim-")),
        [],
        `after ${args.join(" ")}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("trace() prints one stdout line per newline, unprefixed, in order with server.log; text without a newline waits for one", async (t) => {
  const result = await runCli(["--start-at-once", "tests/sim/apps/trace.js"], "quit\n");
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

test.serial("an interface address this host does not own is refused", async (t) => {
  const result = await runCli(["--iface", "eth0=10.255.255.254/24", "main.ts"]);
  t.is(result.code, 1);
  t.is(result.stderr, "impnet-sim: interface eth0: 10.255.255.254 is not an address of this host\n");
});

test.serial("a crash at start-up prints the XS stack and exits non-zero", async (t) => {
  const result = await runCli(["tests/sim/apps/crash-at-start.ts"]);
  t.is(result.code, 1);
  t.is(result.stdout, "about to fail\n");
  t.regex(result.stderr, /impnet-sim: the app crashed: Error: deliberate start-up failure/);
  t.regex(result.stderr, /crash-at-start\.ts:\d+/);
});

test("npm start serves UDP echo on 127.0.0.1 (port from --config echo_port); stdin commands drive the link; quit stops it", async (t) => {
  // main.ts's own port, 1234, is pinned in tests/unit/examples.test.ts; here a free one, so a
  // user's `npm start` or another test run cannot be in the way.
  const port = await freePort();
  // Its own process group: npm does not pass a kill on to the simulator it started, which would
  // otherwise outlive the test (it ignores the end of stdin by design).
  const child = spawn("npm", ["start", "--silent", "--", "--config", `echo_port=${port}`], { cwd: root, detached: true });
  try {
    const ready = await waitOutput(child, /echo: listening on/);
    t.regex(ready, new RegExp(`echo: listening on 127\\.0\\.0\\.1:${port} \\(broadcast 127\\.255\\.255\\.255\\)`));
    const client = await UdpClient.open();
    await client.send("ping over loopback", port);
    await client.waitReplies(1);
    t.is(client.replies[0].data.toString(), "ping over loopback");

    child.stdin.write("link eth0 down\n");
    t.regex(await waitOutput(child, /Ethernet stopped/), /echo: Ethernet stopped \(state 204\) - closing UDP/);
    child.stdin.write("link eth0 up\n");
    await waitOutput(child, /echo: listening on/);
    await client.send("again", port);
    await client.waitReplies(2);
    t.is(client.replies[1].data.toString(), "again");

    child.stdin.write("frobnicate\n");
    t.regex(await waitOutput(child, /unknown command/), /impnet-sim: unknown command "frobnicate"/);
    client.close();
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write("quit\n");
    t.is(await exited, 0);
  } finally {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // the group has already gone
      }
    }
  }
});

test("the seed's echo example runs as ported: started online, it reads imp.net.info().ipv4 at top level and echoes", async (t) => {
  // The seed echo binds its own port 1234: on an address no other run uses.
  const address = uniqueLoopback();
  const child = spawn(process.execPath, [BIN, "--iface", `eth0=${address}`, "examples/echo.ts"], { cwd: root });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  try {
    await waitOutput(child, /running examples\/echo\.ts on XS/);
    const client = await UdpClient.open("127.0.0.1");
    try {
      // The socket opens on the CONNECTED callback after the app started, which this process
      // cannot see: ask again every 200 ms until it answers (the hang guard ends a dead run).
      const deadline = Date.now() + HANG_GUARD_MS;
      while (client.replies.length === 0) {
        if (Date.now() > deadline) throw new Error("the echo never answered");
        await client.send("ping", 1234, address);
        await client.waitReplies(1, 200).catch(() => undefined);
      }
      t.is(client.replies[0].data.toString(), "ping");
      await until(() => stdout.includes("Received"), "the seed's log line");
      t.regex(stdout, new RegExp(`^Received 4bytes from 127\\.0\\.0\\.1:${client.port}$`, "m"));
    } finally {
      client.close();
    }
    child.stdin.write("quit\n");
    t.is(await exited, 0);
  } finally {
    child.kill();
  }
});

test("--start-at-once runs the app before any interface is up: the seed echo's top-level ipv4 is absent and it crashes", async (t) => {
  const result = await runCli(["--start-at-once", "--iface", "eth0=127.0.0.9", "examples/echo.ts"]);
  t.is(result.code, 1);
  t.regex(result.stderr, /impnet-sim: the app crashed: TypeError: .*\n.*examples\/echo\.ts:5\d/);
  const usage = await runCli(["--help"]);
  t.regex(usage.stdout, /--start-at-once +start APP at once/);
});
