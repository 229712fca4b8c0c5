/**
 * Runs the Moddable SDK's own ECMA-419 UDP tests ($MODDABLE/tests/modules/io/
 * socket/udp/*.js, read from the SDK, never copied) unmodified against the
 * simulator's emulation of `embedded:io/socket/udp`, and with --mcsim also on
 * Moddable's lin build in mcsim, then prints a per-test table:
 *
 *   tsx tools/moddable-io-tests.ts [--mcsim] [--only NAME] [--verbose] [--shared-network]
 *   make test-moddable-io [MCSIM=1]
 *
 * The tests are written for the SDK's testmc app and xsbug; tools/testmc/
 * stands in for testmc's globals ($DONE, $DO, $TESTMC, $NETWORK) and the SDK's
 * tools/test262/harness.js provides `assert`. Four tests ask
 * `$NETWORK.resolve("pool.ntp.org")` and send SNTP requests there: the
 * stand-in's $NETWORK.resolve answers that one name with the address of a
 * local NTP stand-in (tools/testmc/ntp.ts) on a loopback address, so neither
 * the tests nor the emulation's Net.resolve change.
 *
 * In the simulator each test runs on wl0 at 127.0.0.1 and joins Wi-Fi as
 * testmc does on a device; in mcsim the network is the host's own. The tests
 * bind fixed ports on 127.0.0.1 (1234, 51515), so where it can the runner
 * re-runs itself in a private network namespace (`unshare -rn`, loopback
 * only) where nothing else holds them; --shared-network skips that.
 * Exits 1 when a test fails on the emulation (mcsim results are reported only).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Simulator } from "../hosts/sim/simulator";
import { buildForLin, findSdk, mcsimUnavailable, runMcsim, type ModdableSdk } from "./mcsim";
import { startNtpStandIn, type NtpStandIn } from "./testmc/ntp";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TESTMC = join(root, "tools", "testmc");
/** Longest a test may take before it counts as hung (each test sets its own 5 s $TESTMC.timeout). */
const TEST_LIMIT_MS = 60_000;

export interface Outcome {
  result: "pass" | "fail" | "skip";
  detail: string;
}

/** The result line of the testmc stand-in, or undefined. */
function parseResult(line: string): Outcome | undefined {
  if (line === "testmc: PASS") return { result: "pass", detail: "" };
  if (line.startsWith("testmc: FAIL ")) return { result: "fail", detail: line.slice("testmc: FAIL ".length) };
  return undefined;
}

/** The SDK's UDP test files, sorted. */
export function udpTests(sdk: ModdableSdk): string[] {
  const dir = join(sdk.root, "tests", "modules", "io", "socket", "udp");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".js"))
    .sort()
    .map((name) => join(dir, name));
}

/** The simulator app for one test: the stand-in, the SDK's assert, the test as a module. */
function simulatorApp(sdk: ModdableSdk, test: string, hosts: Record<string, string>): string {
  return [
    `import ${JSON.stringify(join(sdk.root, "tools", "test262", "harness.js"))};`,
    `import { installHarness } from ${JSON.stringify(join(TESTMC, "harness.js"))};`,
    `import { connectWifi } from ${JSON.stringify(join(TESTMC, "wifi.js"))};`,
    `import { runModule } from ${JSON.stringify(join(TESTMC, "sim-module.js"))};`,
    `installHarness({ connected: connectWifi, hosts: ${JSON.stringify(hosts)} });`,
    `runModule(${JSON.stringify(readFileSync(test, "utf8"))}, ${JSON.stringify(basename(test))});`,
    "",
  ].join("\n");
}

/** Runs one test on the emulation in the simulator. */
export async function runOnSimulator(sdk: ModdableSdk, test: string, hosts: Record<string, string>, log?: (line: string) => void): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), "moddable-io-"));
  let sim: Simulator | undefined;
  try {
    const app = join(dir, "app.js");
    writeFileSync(app, simulatorApp(sdk, test, hosts));
    let settle!: (outcome: Outcome) => void;
    const outcome = new Promise<Outcome>((resolveOutcome) => (settle = resolveOutcome));
    sim = await Simulator.start({
      app,
      interfaces: [{ name: "wl0", address: "127.0.0.1" }],
      config: { ssid: "testmc" },
      onTrace: (line) => {
        log?.(line);
        const result = parseResult(line);
        if (result !== undefined) settle(result);
      },
      onError: (line) => log?.(`error: ${line}`),
      onNote: (line) => log?.(`note: ${line}`),
      onCrash: (text) => settle({ result: "fail", detail: `crashed: ${text.split("\n")[0]}` }),
    });
    const limit = setTimeout(() => settle({ result: "fail", detail: `no result within ${TEST_LIMIT_MS / 1000} s` }), TEST_LIMIT_MS);
    const result = await outcome;
    clearTimeout(limit);
    return result;
  } catch (error) {
    return { result: "fail", detail: (error as Error).message.split("\n")[0] };
  } finally {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The module name of a test in the lin build: one per test, so that a shared build never reuses another's. */
function linModule(test: string): string {
  return `testmc/${basename(test, ".js")}`;
}

/**
 * The lin manifest for one test. The SDK's test262 harness is preloaded, as
 * testmc does: it assigns `toString` on a prototype, which a frozen runtime
 * refuses.
 */
function linManifest(sdk: ModdableSdk, test: string): string {
  return JSON.stringify(
    {
      build: { NAME: "testmc-udp" },
      include: ["$(MODDABLE)/examples/manifest_base.json", "$(MODDABLE)/modules/io/manifest.json", "$(MODDABLE)/modules/network/net/manifest.json"],
      modules: {
        "*": [join(TESTMC, "lin-main")],
        "testmc-harness": join(TESTMC, "harness"),
        "test262-harness": join(sdk.root, "tools", "test262", "harness"),
        [linModule(test)]: test.replace(/\.js$/, ""),
      },
      preload: ["test262-harness"],
      creation: { main: "lin-main" },
      strip: [],
    },
    null,
    2,
  );
}

/**
 * Builds one test for lin and runs it in mcsim. `dir` is the build directory,
 * shared by the tests of a run so that mcconfig rebuilds only what changed.
 */
export async function runOnMcsim(sdk: ModdableSdk, dir: string, test: string, hosts: Record<string, string>, log?: (line: string) => void): Promise<Outcome> {
  {
    const manifest = join(dir, "manifest.json");
    writeFileSync(manifest, linManifest(sdk, test));
    const out = join(dir, "build");
    const so = (() => {
      try {
        const testmc_hosts = Object.entries(hosts).map(([k, v]) => `${k}=${v}`).join(",");
        return buildForLin(sdk, root, manifest, out, { testmc_hosts, testmc_test: linModule(test) });
      } catch (error) {
        return error as Error;
      }
    })();
    if (so instanceof Error) {
      log?.(so.message);
      return { result: "fail", detail: so.message.split("\n").slice(0, 3).join(" / ") };
    }
    let settle!: (outcome: Outcome) => void;
    const outcome = new Promise<Outcome>((resolveOutcome) => (settle = resolveOutcome));
    const run = runMcsim(sdk, so, (line) => {
      log?.(line);
      const result = parseResult(line);
      if (result !== undefined) settle(result);
    });
    void run.exited.then((code) => settle({ result: "fail", detail: `mcsim exited (${code}) without a result` }));
    const limit = setTimeout(() => settle({ result: "fail", detail: `no result within ${TEST_LIMIT_MS / 1000} s` }), TEST_LIMIT_MS);
    const result = await outcome;
    clearTimeout(limit);
    run.stop();
    await run.exited;
    return result;
  }
}

function cell(outcome: Outcome | undefined): string {
  if (outcome === undefined) return "-";
  return outcome.detail === "" ? outcome.result : `${outcome.result}: ${outcome.detail}`;
}

const PRIVATE_NETWORK = "IMPNET_PRIVATE_NETWORK";

/**
 * Runs this same command again inside a new network namespace with only a
 * loopback interface, when `unshare -rn` works here; returns its exit code,
 * or undefined to go on in the shared network.
 */
async function rerunInPrivateNetwork(): Promise<number | undefined> {
  if (process.env[PRIVATE_NETWORK] === "1" || process.platform !== "linux") return undefined;
  if (spawnSync("unshare", ["-rn", "sh", "-c", "ip link set lo up"], { stdio: "ignore" }).status !== 0) return undefined;
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn("unshare", ["-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...command], {
    stdio: "inherit",
    env: { ...process.env, [PRIVATE_NETWORK]: "1" },
  });
  return new Promise((resolveCode) => child.on("close", (code) => resolveCode(code ?? 1)));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (!args.includes("--shared-network")) {
    const code = await rerunInPrivateNetwork();
    if (code !== undefined) return code;
  }
  const withMcsim = args.includes("--mcsim");
  const verbose = args.includes("--verbose");
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  const sdk = findSdk();
  if (typeof sdk === "string") {
    process.stderr.write(`moddable-io-tests: ${sdk}\n`);
    return 1;
  }
  const tests = udpTests(sdk).filter((test) => only === undefined || basename(test) === only || basename(test) === `${only}.js`);
  const mcsimReason = withMcsim ? mcsimUnavailable(sdk) : "not asked for (--mcsim, or MCSIM=1 with make)";
  let ntp: NtpStandIn | undefined;
  let ntpReason = "";
  try {
    ntp = await startNtpStandIn();
  } catch (error) {
    ntpReason = (error as Error).message;
  }
  const hosts: Record<string, string> = ntp === undefined ? {} : { "pool.ntp.org": ntp.address };
  process.stdout.write(
    `Moddable SDK ${sdk.version} (${sdk.root}): ${tests.length} UDP tests; ` +
      `${process.env[PRIVATE_NETWORK] === "1" ? "private network namespace" : "shared network"}; ` +
      `${ntp === undefined ? ntpReason : `pool.ntp.org answered by the NTP stand-in at ${ntp.address}:123`}\n`,
  );
  const rows: { name: string; emulation: Outcome; lin: Outcome | undefined }[] = [];
  const linDir = mcsimReason === null ? mkdtempSync(join(tmpdir(), "moddable-io-lin-")) : undefined;
  for (const test of tests) {
    const name = basename(test);
    const log = verbose ? (line: string) => process.stdout.write(`  [${name}] ${line}\n`) : undefined;
    const needsNtp = readFileSync(test, "utf8").includes("pool.ntp.org");
    const skipped: Outcome | undefined = needsNtp && ntp === undefined ? { result: "skip", detail: ntpReason } : undefined;
    const emulation = skipped ?? (await runOnSimulator(sdk, test, hosts, log));
    const lin = linDir === undefined ? undefined : (skipped ?? (await runOnMcsim(sdk, linDir, test, hosts, log)));
    rows.push({ name, emulation, lin });
    process.stdout.write(`  ${name}: emulation ${cell(emulation)}${lin === undefined ? "" : `; lin ${cell(lin)}`}\n`);
  }
  await ntp?.close();
  if (linDir !== undefined) rmSync(linDir, { recursive: true, force: true });
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const emulationWidth = Math.max(9, ...rows.map((r) => cell(r.emulation).length));
  process.stdout.write(`\n| ${"test".padEnd(width)} | ${"emulation".padEnd(emulationWidth)} | lin (mcsim) |\n`);
  process.stdout.write(`|${"-".repeat(width + 2)}|${"-".repeat(emulationWidth + 2)}|-------------|\n`);
  for (const row of rows) process.stdout.write(`| ${row.name.padEnd(width)} | ${cell(row.emulation).padEnd(emulationWidth)} | ${cell(row.lin)} |\n`);
  const passed = rows.filter((r) => r.emulation.result === "pass").length;
  const linPassed = rows.filter((r) => r.lin?.result === "pass").length;
  process.stdout.write(
    `\nemulation: ${passed}/${rows.length} passed; lin: ${mcsimReason === null ? `${linPassed}/${rows.length} passed` : `not run (${mcsimReason})`}` +
      `${ntp === undefined ? "" : `; NTP requests answered: ${ntp.answered}`}\n`,
  );
  return rows.every((r) => r.emulation.result === "pass") ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`moddable-io-tests: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
