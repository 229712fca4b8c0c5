/**
 * `impnet-sim [--iface eth0=ADDRESS[/PREFIX]] [--iface wl0=…] [--rate-limit]
 *             [--config KEY=VALUE]… [--no-typecheck] APP.ts|APP.js`
 *
 * Type-checks APP (TypeScript) as a Moddable build would, then runs it on the
 * XS engine with real UDP. `server.log` and `trace()` lines go to stdout,
 * `server.error` lines to stderr; control commands are read from stdin.
 */
import { createInterface } from "node:readline";
import { statSync } from "node:fs";
import { Simulator, type SimInterface } from "./simulator";

const USAGE = `usage: impnet-sim [--iface eth0=ADDRESS[/PREFIX]] [--iface wl0=ADDRESS[/PREFIX]] [--rate-limit] [--start-at-once] [--config KEY=VALUE]... [--no-typecheck] APP.ts|APP.js

Type-checks APP (an impnet app; .ts) against impnet's and Moddable's types, then runs it on the XS engine,
with real UDP sockets on this host. APP starts once the first interface is CONNECTED, as impOS starts
device code once online.
  --iface NAME=ADDRESS[/PREFIX]  simulated interface eth0 or wl0 on an address this host owns
                                 (default: eth0=127.0.0.1/8; on loopback 127.0.0.0/8 counts as the LAN)
  --rate-limit                   enforce impOS's outgoing limit (100-packet burst, 25 packets/s)
  --start-at-once                start APP at once, before any interface is up (for apps that handle an offline start)
  --config KEY=VALUE             extra mc/config value for the app (e.g. ssid=office for wl0)
  --no-typecheck                 run a TypeScript app without type-checking it first
stdout: server.log and trace() lines; stderr: server.error lines, type errors and simulator notes.
stdin commands: link IFACE down | link IFACE up | link IFACE unhappy | dhcp IFACE delay MS | agent NAME JSON | quit`;

class UsageError extends Error {}

interface Arguments {
  app: string;
  interfaces: SimInterface[];
  rateLimit: boolean;
  startAtOnce: boolean;
  config: Record<string, string>;
  typeCheck: boolean;
}

function parseArguments(argv: string[]): Arguments | "help" {
  const interfaces: SimInterface[] = [];
  const config: Record<string, string> = {};
  let rateLimit = false;
  let typeCheck = true;
  let startAtOnce = false;
  let app: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === "-h" || arg === "--help") return "help";
    else if (arg === "--rate-limit") rateLimit = true;
    else if (arg === "--no-typecheck") typeCheck = false;
    else if (arg === "--start-at-once") startAtOnce = true;
    else if (arg === "--iface" || arg.startsWith("--iface=")) {
      const text = arg === "--iface" ? value() : arg.slice("--iface=".length);
      const match = /^(eth0|wl0)=([^/]+)(?:\/(\d+))?$/.exec(text);
      if (match === null) throw new UsageError(`--iface ${text}: expected eth0=ADDRESS[/PREFIX] or wl0=ADDRESS[/PREFIX]`);
      interfaces.push({ name: match[1] as "eth0" | "wl0", address: match[2], prefix: match[3] === undefined ? undefined : Number(match[3]) });
    } else if (arg === "--config" || arg.startsWith("--config=")) {
      const text = arg === "--config" ? value() : arg.slice("--config=".length);
      const eq = text.indexOf("=");
      if (eq <= 0) throw new UsageError(`--config ${text}: expected KEY=VALUE`);
      config[text.slice(0, eq)] = text.slice(eq + 1);
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else if (app !== undefined) throw new UsageError(`only one app can run (got ${app} and ${arg})`);
    else app = arg;
  }
  if (app === undefined) throw new UsageError("no app given");
  return { app, interfaces: interfaces.length > 0 ? interfaces : [{ name: "eth0", address: "127.0.0.1" }], rateLimit, startAtOnce, config, typeCheck };
}

function fail(message: string, code: number): never {
  process.stderr.write(`impnet-sim: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let args: Arguments | "help";
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`impnet-sim: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const kind = statSync(args.app, { throwIfNoEntry: false });
  if (kind === undefined) fail(`app file ${args.app} not found`, 1);
  if (kind.isDirectory()) fail(`${args.app} is a directory; give the app's main file (for example ${args.app.replace(/\/$/, "")}/main.ts)`, 1);
  if (!kind.isFile()) fail(`${args.app} is not a file`, 1);
  // A signal while starting exits through process.exit, whose hook removes the build directory.
  const early = (signal: NodeJS.Signals): never => process.exit(signal === "SIGINT" ? 130 : 143);
  process.once("SIGINT", early);
  process.once("SIGTERM", early);

  if (args.typeCheck && /\.(c|m)?tsx?$/.test(args.app)) {
    // JavaScript apps run unchecked, as mcconfig builds them by default. The compiler loads only when needed.
    const { typeCheckApp } = await import("./typecheck");
    const diagnostics = typeCheckApp(args.app);
    if (diagnostics.length > 0) {
      for (const line of diagnostics) process.stderr.write(`${line}\n`);
      fail(`${args.app} does not type-check (${diagnostics.length} error${diagnostics.length === 1 ? "" : "s"}); --no-typecheck runs it anyway`, 1);
    }
  }

  let crashed = false;
  let sim: Simulator;
  try {
    sim = await Simulator.start({
      app: args.app,
      interfaces: args.interfaces,
      rateLimit: args.rateLimit,
      startAtOnce: args.startAtOnce,
      config: args.config,
      onLog: (line) => process.stdout.write(`${line}\n`),
      onTrace: (line) => process.stdout.write(`${line}\n`),
      onError: (line) => process.stderr.write(`${line}\n`),
      onNote: (line) => process.stderr.write(`impnet-sim: ${line}\n`),
      onAgent: (name, data) => process.stderr.write(`impnet-sim: agent.send ${name} ${JSON.stringify(data)}\n`),
      onCrash: (text) => {
        crashed = true;
        process.stderr.write(`impnet-sim: the app crashed: ${text}\n`);
      },
    });
  } catch (error) {
    fail((error as Error).message.split("\n")[0], 1);
  }
  if (crashed) {
    process.exit((await sim.stopped).code || 1);
  }
  const ifaces = args.interfaces.map((i) => `${i.name} ${i.address}${i.prefix === undefined ? "" : `/${i.prefix}`}`).join(", ");
  process.stderr.write(`impnet-sim: running ${args.app} on XS; ${ifaces}${args.rateLimit ? "; rate limit on" : ""}${args.startAtOnce ? "; started at once" : ""}; commands on stdin ("quit" to stop)\n`);

  const input = createInterface({ input: process.stdin, terminal: false });
  input.on("line", (line) => {
    const command = line.trim();
    if (command === "") return;
    if (command === "quit") {
      void sim.stop();
      return;
    }
    try {
      sim.control(command);
    } catch (error) {
      process.stderr.write(`impnet-sim: ${(error as Error).message}\n`);
    }
  });
  // EOF on stdin does not stop the simulator (so it can run in the background); quit, Ctrl-C or SIGTERM do.
  const stop = (): void => void sim.stop();
  process.off("SIGINT", early);
  process.off("SIGTERM", early);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const { code } = await sim.stopped;
  input.close();
  process.exit(crashed ? 1 : code);
}

void main();
