/**
 * Compares the global environment of Moddable's XS with the simulator's:
 *
 *   tsx tools/xs-environment.ts moddable [--ts]   probe in mcsim ($MODDABLE, lin build); --ts prints
 *                                                  the list for tests/sim/environment.test.ts
 *   tsx tools/xs-environment.ts sim               probe in impnet-sim
 *   tsx tools/xs-environment.ts diff              both, then what Moddable has and the simulator lacks
 *
 * The probe is tools/xs-environment/probe.js: one "xs-env LABEL names" line per
 * global, constructor prototype and intrinsic.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildForLin, findSdk, mcsimUnavailable, runMcsim } from "./mcsim";
import { Simulator } from "../hosts/sim/simulator";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PROBE_DIR = join(root, "tools", "xs-environment");

/** Label → own property names, from probe lines. */
export type Environment = Map<string, Set<string>>;

export function parseEnvironment(lines: readonly string[]): Environment {
  const environment: Environment = new Map();
  for (const line of lines) {
    const match = /^xs-env (\S+) ?(.*)$/.exec(line);
    if (match === null || match[1] === "end") continue;
    environment.set(match[1], new Set(match[2] === "" ? [] : match[2].split(",")));
  }
  return environment;
}

/** "LABEL.name" for everything `expected` has and `actual` lacks (a missing object counts as every name). */
export function missingNames(expected: Environment, actual: Environment): string[] {
  const missing: string[] = [];
  for (const [label, names] of expected) {
    const have = actual.get(label);
    if (have === undefined) {
      missing.push(`${label} (the object itself)`);
      continue;
    }
    for (const name of names) if (!have.has(name)) missing.push(`${label}.${name}`);
  }
  return missing;
}

function collect(onDone: (lines: string[]) => void): (line: string) => void {
  const lines: string[] = [];
  return (line) => {
    if (!line.startsWith("xs-env ")) return;
    lines.push(line);
    if (line === "xs-env end") onDone(lines);
  };
}

/** Runs the probe in mcsim and returns its lines. */
export async function probeModdable(): Promise<{ lines: string[]; sdk: string }> {
  const sdk = findSdk();
  if (typeof sdk === "string") throw new Error(sdk);
  const why = mcsimUnavailable(sdk);
  if (why !== null) throw new Error(why);
  const out = mkdtempSync(join(tmpdir(), "xs-environment-"));
  try {
    const so = buildForLin(sdk, root, join(PROBE_DIR, "manifest.json"), out);
    const lines = await new Promise<string[]>((resolveLines, reject) => {
      const run = runMcsim(sdk, so, collect((done) => {
        run.stop();
        resolveLines(done);
      }));
      void run.exited.then((code) => reject(new Error(`mcsim exited (${code}) before the probe finished`)));
    });
    return { lines, sdk: sdk.version };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Runs the probe in impnet-sim and returns its lines. */
export async function probeSimulator(): Promise<string[]> {
  let finish!: (lines: string[]) => void;
  const done = new Promise<string[]>((resolveLines) => (finish = resolveLines));
  const sim = await Simulator.start({ app: join(PROBE_DIR, "probe.js"), onTrace: collect(finish) });
  try {
    return await Promise.race([done, sim.stopped.then(({ reason }) => Promise.reject(new Error(`the simulator stopped: ${reason}`)))]);
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const [mode, flag] = process.argv.slice(2);
  if (mode === "moddable") {
    const { lines, sdk } = await probeModdable();
    if (flag === "--ts") {
      process.stdout.write(`// Moddable SDK ${sdk}, lin release build in mcsim, ${new Date().toISOString().slice(0, 10)} (tools/xs-environment.ts moddable --ts)\n`);
      for (const [label, names] of parseEnvironment(lines)) process.stdout.write(`  ${JSON.stringify(label)}: ${JSON.stringify([...names].join(","))},\n`);
    } else process.stdout.write(`${lines.join("\n")}\n`);
  } else if (mode === "sim") {
    process.stdout.write(`${(await probeSimulator()).join("\n")}\n`);
  } else if (mode === "diff") {
    const [moddable, simulator] = [await probeModdable(), await probeSimulator()];
    const missing = missingNames(parseEnvironment(moddable.lines), parseEnvironment(simulator));
    process.stdout.write(`Moddable SDK ${moddable.sdk} has, impnet-sim lacks (${missing.length}):\n${missing.map((m) => `  ${m}`).join("\n")}\n`);
  } else {
    process.stderr.write("usage: tsx tools/xs-environment.ts moddable [--ts] | sim | diff\n");
    process.exit(2);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`xs-environment: ${error.message}\n`);
      process.exit(1);
    },
  );
}
