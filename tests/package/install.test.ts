/**
 * impnet as a user gets it (npm run test:package; not part of `npm test`):
 * `npm pack`, the tarball installed into a new project, `npx impnet init`,
 * the app type-checked with the project's own `tsc`, run with
 * `npx impnet-sim main.ts`, and echoed by `npx impnet-peer`; with a Moddable
 * SDK, the starter built for `lin` and echoing in mcsim.
 *
 * npm's cache (~/.npm) is reused; @agoric/xsnap builds the XS engine from
 * source on every install, which is most of the time this takes.
 */
import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, waitOutput, finished, type Finished } from "../../tools/rig/process";
import { freePort, root, uniqueLoopback, UdpClient } from "../../tools/rig/sim";
import { HANG_GUARD_MS } from "../../tools/rig/wait";
import { buildForLin, findSdk, mcsimUnavailable, runMcsim } from "../../tools/mcsim";

const INSTALL_GUARD_MS = 20 * 60_000; // a hang guard: packing and installing build XS from source
const STARTER = ["package.json", "tsconfig.json", "manifest.json", "main.ts", "Makefile", ".gitignore"];

/** The environment a user's shell would have: none of ava's settings for this repository's tests. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TSX_TSCONFIG_PATH;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Runs a command as a user types it. `npx NAME` runs the project's own bin; a
 * missing one is not fetched (npx asks first, and with no terminal it fails).
 */
function command(cmd: string, args: string[], cwd: string, timeoutMs = HANG_GUARD_MS): Promise<Finished> {
  return run(cmd, args, { cwd, env: userEnv(), timeoutMs });
}

const work = mkdtempSync(join(tmpdir(), "impnet-package-"));
const project = join(work, "app");
let tarball = "";
let packed: { files: string[]; size: number } = { files: [], size: 0 };
let installed: Finished | undefined;
let initialised: Finished | undefined;

test.before(async (t) => {
  let started = Date.now();
  const pack = await command("npm", ["pack", "--json", "--pack-destination", work], root, INSTALL_GUARD_MS);
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [info] = JSON.parse(pack.stdout) as { filename: string; size: number; files: { path: string }[] }[];
  tarball = join(work, info.filename);
  packed = { files: info.files.map((f) => f.path), size: info.size };
  t.log(`npm pack: ${info.filename}, ${packed.size} bytes, ${packed.files.length} files, ${Date.now() - started} ms`);

  started = Date.now();
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  installed = await command("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], project, INSTALL_GUARD_MS);
  t.log(`npm install of the tarball (XS engine built from source): ${Date.now() - started} ms`);
  if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stderr}`);
  initialised = await command("npx", ["impnet", "init"], project);
});

test.after.always(() => {
  rmSync(work, { recursive: true, force: true });
});

test.serial("npm pack holds the module, hosts, simulator, peer, starter and docs, and no tests, benchmarks or build output", (t) => {
  for (const file of ["manifest_impnet.json", "modules/impnet/impnet.ts", "modules/impnet/manifest.json", "hosts/tsconfig.app.json", "hosts/sim/bin.js", "hosts/lin/manifest.json", "tools/peer/bin.js", "tools/init/bin.js", "examples/echo.ts", "docs/compatibility.md", "README.md"]) {
    t.true(packed.files.includes(file), file);
  }
  const unwanted = packed.files.filter((file) => /^(tests|bench|build|node_modules)\/|\.tsbuildinfo$|^\.ci\//.test(file));
  t.deepEqual(unwanted, []);
});

test.serial("npx impnet init writes the starter beside the installed package and adds its scripts", (t) => {
  t.is(initialised?.code, 0, initialised?.stderr);
  for (const file of STARTER) t.true(existsSync(join(project, file)), file);
  const json = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
  t.regex(json.dependencies.impnet, /^file:.*impnet-\d+\.\d+\.\d+\.tgz$/, "depends on the packed tarball");
  t.is(json.scripts.sim, "impnet-sim main.ts");
  for (const script of ["sim-moddable", "build", "deploy", "xsbug"]) t.is(json.scripts[script], `make ${script}`);
  t.is(readFileSync(join(project, "main.ts"), "utf8"), readFileSync(join(root, "examples", "echo.ts"), "utf8"), "main.ts is the seed's echo");
  const manifest = JSON.parse(readFileSync(join(project, "manifest.json"), "utf8")) as { include: string[] };
  t.deepEqual(manifest.include, ["$(MODDABLE)/examples/manifest_base.json", "./node_modules/impnet/manifest_impnet.json"]);
  const make = spawnSync("make", ["-s", "hosts"], { cwd: project, encoding: "utf8" });
  t.is(make.stdout.trim(), "esp32-w5500 esp32-wifi lin", "make hosts: the installed package's hosts");
});

test.serial("npx impnet init refuses to overwrite, and rejects bad arguments with the usage", async (t) => {
  const before = Object.fromEntries(STARTER.map((file) => [file, readFileSync(join(project, file), "utf8")]));
  const again = await command("npx", ["impnet", "init"], project);
  t.is(again.code, 1);
  t.regex(again.stderr, /impnet init: tsconfig\.json, manifest\.json, main\.ts, Makefile, \.gitignore already exist; nothing was written/);
  for (const file of STARTER) t.is(readFileSync(join(project, file), "utf8"), before[file], `${file} unchanged`);

  const bad = await command("npx", ["impnet", "init", "a", "b"], project);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /one DIR only[\s\S]*usage: impnet init/);
  const unknown = await command("npx", ["impnet", "start"], project);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command 'start'/);

  const fresh = await command("npx", ["impnet", "init", "fresh"], project);
  t.is(fresh.code, 0, fresh.stderr);
  const json = JSON.parse(readFileSync(join(project, "fresh", "package.json"), "utf8")) as { dependencies: Record<string, string>; name: string };
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  t.deepEqual(json.dependencies, { impnet: `^${version}` }, "a new package.json depends on this version");
  t.is(json.name, "fresh");
  t.deepEqual(readdirSync(join(project, "fresh")).sort(), [...STARTER].sort());
});

test.serial("the starter type-checks with the project's tsc, against impnet's real types", async (t) => {
  const clean = await command("npx", ["tsc", "--noEmit", "-p", "."], project);
  t.is(clean.code, 0, clean.stdout + clean.stderr);
  // A wrong use of impnet fails: the types come from the package, they are not `any`.
  writeFileSync(join(project, "wrong.ts"), 'import { imp, Blob } from "impnet";\nconst address: string | undefined = imp.net.info().ipv4?.address;\nconst n: string = new Blob(4).len();\nexport { address, n };\n');
  try {
    const wrong = await command("npx", ["tsc", "--noEmit", "-p", "."], project);
    t.not(wrong.code, 0);
    t.regex(wrong.stdout, /wrong\.ts\(3,7\): error TS2322: Type 'number' is not assignable to type 'string'/);
    t.notRegex(wrong.stdout, /wrong\.ts\(2,/, "imp.net.info().ipv4?.address is a string or undefined");
  } finally {
    rmSync(join(project, "wrong.ts"));
  }
});

test.serial("npx impnet-sim main.ts runs the starter; npx impnet-peer gets every echo", async (t) => {
  const address = uniqueLoopback();
  const sim = spawn("npx", ["impnet-sim", "--iface", `eth0=${address}`, "main.ts"], { cwd: project, env: userEnv() });
  const done = finished(sim);
  try {
    await waitOutput(sim, /impnet-sim: running main\.ts/);
    const peer = await command("npx", ["impnet-peer", "echo", "--target", `${address}:1234`, "--count", "20", "--window", "1", "--timeout", "60s", "--json"], project);
    t.is(peer.code, 0, peer.stderr);
    const result = (JSON.parse(peer.stdout) as { results: { sent: number; received: number; lost: number; corrupted: number }[] }).results[0];
    t.like(result, { sent: 20, received: 20, lost: 0, corrupted: 0 });
  } finally {
    sim.stdin.end("quit\n");
  }
  const { code, stdout } = await done;
  t.is(code, 0);
  t.is(stdout.match(/Received 64bytes from 127\.0\.0\.1:\d+/g)?.length, 20, "the seed's log line, once per datagram");
});

const sdk = findSdk();
const unavailable = typeof sdk === "string" ? sdk : mcsimUnavailable(sdk);

if (unavailable !== null || typeof sdk === "string") {
  test.skip(`the starter on Moddable's lin build in mcsim: skipped, ${unavailable}`, () => {});
} else {
  test.serial("the starter's manifest resolves for esp32 with each ESP32 host (mcconfig, no ESP-IDF needed to resolve)", (t) => {
    for (const host of ["esp32-w5500", "esp32-wifi"]) {
      const out = mkdtempSync(join(work, `esp32-${host}-`));
      const resolved = spawnSync("mcconfig", ["-d", "-p", "esp32", "-o", out, join(project, "manifest.json")], {
        cwd: project,
        encoding: "utf8",
        env: { ...userEnv(), MODDABLE: sdk.root, IMPNET_HOST: host, PATH: `${sdk.bin}:${join(project, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
      });
      t.is(resolved.status, 0, `${host}: ${resolved.stdout}${resolved.stderr}`);
      const makefile = readdirSync(join(out, "tmp", "esp32"), { recursive: true, encoding: "utf8" }).find((file) => file.endsWith("makefile"));
      t.truthy(makefile, `${host}: mcconfig wrote the build's makefile`);
    }
  });

  test.serial("the starter builds for lin with mcconfig from node_modules and echoes in mcsim", async (t) => {
    // The lin build binds the echo's port on every address of this PC, where other programs may hold
    // the seed's 1234: the app gets a free port instead, its only change (the runs above used it as written).
    const port = await freePort("0.0.0.0");
    const main = join(project, "main.ts");
    const source = readFileSync(main, "utf8");
    t.is(source.match(/\b1234\b/g)?.length, 1, "the echo's port appears once");
    writeFileSync(main, source.replace(/\b1234\b/, String(port)));
    const started = Date.now();
    const mcSo = buildForLin(sdk, project, join(project, "manifest.json"), join(project, "build"));
    t.log(`mcconfig -m -p lin (Moddable ${sdk.version}): ${Date.now() - started} ms`);
    const lines: string[] = [];
    const mcsim = runMcsim(sdk, mcSo, (line) => lines.push(line));
    const client = await UdpClient.open();
    try {
      // The app starts once eth0 is CONNECTED; until then datagrams go unanswered. Probe until one comes back.
      const deadline = Date.now() + HANG_GUARD_MS;
      while (client.replies.length === 0 && Date.now() < deadline) {
        await client.send("ready?", port);
        await client.waitReplies(1, 500).catch(() => undefined);
      }
      t.true(client.replies.length > 0, `no echo from mcsim; it printed:\n${lines.join("\n")}`);
      const peer = await command("npx", ["impnet-peer", "echo", "--target", `127.0.0.1:${port}`, "--count", "20", "--window", "1", "--timeout", "60s", "--json"], project);
      t.is(peer.code, 0, peer.stderr);
      const result = (JSON.parse(peer.stdout) as { results: { sent: number; received: number; lost: number }[] }).results[0];
      t.like(result, { sent: 20, received: 20, lost: 0 });
      t.true(lines.some((line) => /Received 64bytes from 127\.0\.0\.1:\d+/.test(line)), lines.join("\n"));
    } finally {
      client.close();
      mcsim.stop();
      await mcsim.exited;
    }
  });
}
