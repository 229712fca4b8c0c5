/**
 * Compiles an app and impnet into one script for the XS engine: esbuild,
 * with the module names a Moddable manifest would map (`impnet`,
 * `impnet/host`, `embedded:io/socket/udp`, `embedded:network/interface/ethernet`, `timer`, …) resolved
 * to impnet's sources and to the simulator's emulated Moddable modules.
 */
import { build as esbuild, type Plugin } from "esbuild";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const impnetDir = join(root, "modules", "impnet");
const boardDir = join(here, "board");

/** Module names and the files that play them in the simulator. */
const MODULES: Record<string, string> = {
  impnet: join(impnetDir, "impnet.ts"),
  "impnet/host": join(here, "xs", "host.ts"),
  "impnet/udp-socket": join(impnetDir, "moddable", "udp-socket", "stock-udp.ts"),
  "embedded:io/socket/udp": join(boardDir, "udp.ts"),
  "embedded:network/interface/wifi": join(boardDir, "wifi.ts"),
  "embedded:network/interface/ethernet": join(boardDir, "ethernet.ts"),
  net: join(boardDir, "net.ts"),
  timer: join(boardDir, "timer.ts"),
  time: join(boardDir, "time.ts"),
  "mc/config": join(boardDir, "config.ts"),
};

/** Resolves a module name the way the simulator's "manifest" would, or undefined. */
export function simulatorModule(specifier: string): string | undefined {
  const mapped = MODULES[specifier];
  if (mapped !== undefined) return mapped;
  if (specifier.startsWith("impnet/")) {
    const base = join(impnetDir, specifier.slice("impnet/".length));
    for (const candidate of [`${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const modulePlugin: Plugin = {
  name: "impnet-modules",
  setup(b) {
    b.onResolve({ filter: /^(impnet(\/.*)?|embedded:.*|net|timer|time|mc\/config)$/ }, (args) => {
      const path = simulatorModule(args.path);
      return path === undefined ? undefined : { path };
    });
  },
};

export interface Bundle {
  /** The directory holding the build (removed when the simulator stops). */
  dir: string;
  /** The script to load with xsnap's `s` command. */
  path: string;
  /** Its source map, next to it. */
  mapPath: string;
  /**
   * Rewrites `firmware.js:LINE` frames of an XS stack to the app's and
   * impnet's source files and lines. (xsnap can apply a source map itself,
   * but names the wrong file in a multi-file bundle.)
   */
  mapStack(text: string): string;
}

/** A compile error with the first message as `file:line: text`. */
export class CompileError extends Error {}

/**
 * Temporary build directories this process made and still holds. Whatever
 * ends the process (a failed start, an exit, a caught signal), the `exit`
 * hook removes them, so no `impnet-sim-*` directory is left behind.
 */
const liveDirs = new Set<string>();

function track(dir: string): void {
  if (liveDirs.size === 0) process.once("exit", removeAllBundles);
  liveDirs.add(dir);
}

/** Removes a bundle's temporary directory (made by `bundleApp` without `outDir`). */
export function removeBundle(bundle: Pick<Bundle, "dir">): void {
  rmSync(bundle.dir, { recursive: true, force: true });
  liveDirs.delete(bundle.dir);
}

/** Removes every temporary build directory still held. */
export function removeAllBundles(): void {
  for (const dir of [...liveDirs]) removeBundle({ dir });
}

/**
 * Builds `entry` (an app's main module) into `outDir` (default: a new
 * temporary directory). Throws `CompileError` when the app does not compile.
 */
export async function bundleApp(entry: string, outDir?: string): Promise<Bundle> {
  if (outDir !== undefined) return build(entry, outDir);
  const dir = mkdtempSync(join(tmpdir(), "impnet-sim-"));
  track(dir);
  try {
    return await build(entry, dir);
  } catch (error) {
    removeBundle({ dir });
    throw error;
  }
}

async function build(entry: string, dir: string): Promise<Bundle> {
  const app = resolve(entry);
  const path = join(dir, "firmware.js");
  const stdin = [
    `import { boot } from ${JSON.stringify(join(here, "xs", "entry.ts"))};`,
    `boot(() => import(${JSON.stringify(app)}));`,
  ].join("\n");
  try {
    const result = await esbuild({
      stdin: { contents: stdin, resolveDir: root, sourcefile: "impnet-sim-entry.ts", loader: "ts" },
      bundle: true,
      format: "iife",
      platform: "neutral",
      target: "es2022",
      outfile: path,
      sourcemap: "external",
      write: false,
      logLevel: "silent",
      plugins: [modulePlugin],
      tsconfig: join(root, "tsconfig.json"),
    });
    for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    if (errors !== undefined && errors.length > 0) {
      const first = errors[0];
      const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : "";
      throw new CompileError(`${where}${first.text}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`);
    }
    throw error;
  }
  const mapPath = `${path}.map`;
  const map = new SourceMap(JSON.parse(readFileSync(mapPath, "utf8")) as SourceMapPayload);
  const frame = new RegExp(`${escapeRegExp(path)}:(\\d+)`, "g");
  const mapStack = (text: string): string =>
    text.replace(frame, (whole, line: string) => {
      // XS gives lines but no columns: take the last mapping on the line.
      const entry = map.findEntry(Number(line) - 1, 1e6) as { generatedLine?: number; originalSource?: string; originalLine?: number };
      if (entry.originalSource === undefined || entry.generatedLine !== Number(line) - 1) return whole;
      const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : resolve(dir, entry.originalSource);
      return `${relative(process.cwd(), source)}:${(entry.originalLine ?? 0) + 1}`;
    });
  return { dir, path, mapPath, mapStack };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
