/**
 * Builds a Moddable app for `lin` with the SDK's mcconfig and runs it in
 * Moddable's desktop simulator, mcsim, headless (under xvfb-run when there is
 * no display), with its `trace()` output as lines. A release build without
 * xsbug writes trace to stdout (xs/sources/xsDebug.c `fxReport`); stdbuf
 * makes that stdout unbuffered so each line arrives as it is written.
 *
 * Nothing from the SDK is copied: everything is read from $MODDABLE.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** An installed Moddable SDK. */
export interface ModdableSdk {
  /** $MODDABLE. */
  root: string;
  /** Where mcconfig and mcsim are. */
  bin: string;
  /** `git describe` of the SDK checkout, or "unknown". */
  version: string;
}

/** The SDK from $MODDABLE, or why it cannot be used. */
export function findSdk(): ModdableSdk | string {
  const root = process.env.MODDABLE;
  if (root === undefined || root === "") return "MODDABLE is not set (export MODDABLE=/path/to/moddable)";
  const platform = process.platform === "darwin" ? "mac" : "lin";
  const bin = join(root, "build", "bin", platform, "release");
  if (!existsSync(join(bin, "mcconfig"))) return `mcconfig not found in ${bin}: build the Moddable SDK tools first`;
  const described = spawnSync("git", ["-C", root, "describe", "--tags", "--always"], { encoding: "utf8" });
  const version = described.status === 0 ? described.stdout.trim() : "unknown";
  return { root, bin, version };
}

/** Why mcsim cannot run here, or null. */
export function mcsimUnavailable(sdk: ModdableSdk): string | null {
  if (process.platform !== "linux") return "mcsim runs headless only on Linux here";
  if (!existsSync(join(sdk.bin, "mcsim"))) return `mcsim not found in ${sdk.bin}`;
  if (process.env.DISPLAY === undefined && spawnSync("which", ["xvfb-run"]).status !== 0) return "no display and no xvfb-run";
  if (spawnSync("which", ["stdbuf"]).status !== 0) return "stdbuf (coreutils) is not installed";
  return null;
}

function environment(sdk: ModdableSdk, projectRoot: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // mcconfig compiles TypeScript with the tsc it finds on PATH: the project's.
  return { ...process.env, ...extra, MODDABLE: sdk.root, PATH: `${sdk.bin}:${join(projectRoot, "node_modules", ".bin")}:${process.env.PATH ?? ""}` };
}

/** Options of a lin build: `config` adds mc/config values, `env` build variables such as IMPNET_UDP (docs/native-udp.md §2). */
export interface LinBuild {
  config?: Record<string, string>;
  env?: Record<string, string>;
}

function mcconfigArgs(manifest: string, outDir: string, config: Record<string, string>): string[] {
  mkdirSync(outDir, { recursive: true }); // mcconfig refuses a missing -o directory
  return ["-m", "-p", "lin", "-o", outDir, manifest, ...Object.entries(config).map(([k, v]) => `${k}=${v}`)];
}

function builtLibrary(manifest: string, outDir: string, status: number | null, output: string): string {
  if (status !== 0) {
    const log = output.trim().split("\n").slice(-20).join("\n");
    throw new Error(`mcconfig failed for ${manifest}:\n${log}`);
  }
  const found = findFile(join(outDir, "bin", "lin"), "mc.so");
  if (found === undefined) throw new Error(`mcconfig built ${manifest} but no mc.so appeared under ${outDir}`);
  return found;
}

/**
 * Builds `manifest` for lin (release, so trace goes to stdout) into `outDir`
 * and returns the path of the app's mc.so. `config` adds mc/config values.
 */
export function buildForLin(sdk: ModdableSdk, projectRoot: string, manifest: string, outDir: string, config: Record<string, string> = {}, env: Record<string, string> = {}): string {
  const built = spawnSync("mcconfig", mcconfigArgs(manifest, outDir, config), { encoding: "utf8", env: environment(sdk, projectRoot, env), maxBuffer: 64 << 20 });
  return builtLibrary(manifest, outDir, built.status, `${built.stdout}\n${built.stderr}`);
}

/** buildForLin without blocking the event loop (a first build compiles XS: minutes). */
export function buildForLinAsync(sdk: ModdableSdk, projectRoot: string, manifest: string, outDir: string, options: LinBuild = {}): Promise<string> {
  const child = spawn("mcconfig", mcconfigArgs(manifest, outDir, options.config ?? {}), { env: environment(sdk, projectRoot, options.env) });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      try {
        resolve(builtLibrary(manifest, outDir, status, output));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/**
 * A lin manifest that builds `app` (a TypeScript or JavaScript file, absolute
 * path) as the project's manifest.json builds main.ts: impnet, the lin host,
 * and the app as module `main`.
 */
export function impnetAppManifest(projectRoot: string, app: string): string {
  return JSON.stringify(
    {
      build: { NAME: "impnet" },
      include: ["$(MODDABLE)/examples/manifest_base.json", join(projectRoot, "modules", "impnet", "manifest.json"), join(projectRoot, "hosts", "lin", "manifest.json")],
      modules: { main: app.replace(/\.(ts|js)$/, "") },
      typescript: { tsconfig: { compilerOptions: { strict: true, useDefineForClassFields: false } } },
    },
    null,
    2,
  );
}

function findFile(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === name) return path;
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** A running mcsim. */
export interface McsimRun {
  /** Ends mcsim (and xvfb-run's X server): the whole process group this run started. */
  stop(): void;
  /** Resolves when it exited. */
  exited: Promise<number | null>;
}

/**
 * Runs `mcSo` in mcsim; `onLine` gets each stdout line (trace output).
 * `netns` runs it, and its X server, inside that network namespace.
 */
export function runMcsim(sdk: ModdableSdk, mcSo: string, onLine: (line: string) => void, netns?: string): McsimRun {
  const mcsim = join(sdk.bin, "mcsim");
  const headless = process.env.DISPLAY === undefined || netns !== undefined;
  const inner = headless ? ["stdbuf", "-oL", "xvfb-run", "-a", mcsim, mcSo] : ["stdbuf", "-oL", mcsim, mcSo];
  const command = netns === undefined ? inner : ["ip", "netns", "exec", netns, ...inner];
  // Its own process group, so stopping it also ends Xvfb and mcsim, which xvfb-run started.
  const child = spawn(command[0], command.slice(1), { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let stopped = false;
  return {
    stop() {
      if (stopped || child.pid === undefined) return;
      stopped = true;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    },
    exited,
  };
}
