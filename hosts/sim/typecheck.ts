/**
 * Type-checks an app the way a Moddable build would before it runs in the
 * simulator: against impnet's sources, Moddable's globals and module
 * declarations and the ES2025 library mcconfig selects (tools/mcmanifest.js
 * in the SDK), strict: hosts/tsconfig.app.json, the settings apps extend.
 * `impnet` is this package's, wherever the app is, as in the bundle.
 *
 * Start-up cost: loading the compiler and building the program take about
 * 2 s of CPU. So a clean result is remembered in node_modules/.cache with
 * the size and modification time of every file the program read; while
 * none of them changed, the app is known to type-check and the compiler is
 * not even loaded. Any other run checks incrementally (TypeScript's own
 * state, in the same folder).
 */
import type * as TypeScript from "typescript";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const APP_CONFIG = join(root, "hosts", "tsconfig.app.json");
const CACHE_DIR = join(root, "node_modules", ".cache", "impnet-sim");

let compiler: typeof TypeScript | undefined;

/** The compiler, loaded on first use with require: through tsx's ESM loader the 9 MB file takes three times as long. */
function typescript(): typeof TypeScript {
  compiler ??= require("typescript") as typeof TypeScript;
  return compiler;
}

interface Setup {
  options: TypeScript.CompilerOptions;
  /** Declaration files every app sees (Moddable's globals and modules). */
  declarations: string[];
}

let setup: Setup | undefined;

function loadSetup(): Setup {
  if (setup !== undefined) return setup;
  const ts = typescript();
  const read = ts.readConfigFile(APP_CONFIG, (path) => ts.sys.readFile(path));
  if (read.error !== undefined) throw new Error(`${APP_CONFIG}: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(APP_CONFIG), undefined, APP_CONFIG);
  const impnet = join(root, "modules", "impnet");
  const options: TypeScript.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    // The app gets this impnet wherever it lives, as in the bundle (bundle.ts `simulatorModule`).
    paths: { impnet: [join(impnet, "impnet.ts")], "impnet/host": [join(impnet, "host.d.ts")], "impnet/*": [join(impnet, "*")] },
  };
  setup = { options, declarations: parsed.fileNames.filter((file) => file.endsWith(".d.ts")) };
  return setup;
}

// ---------------------------------------------------------------- the clean-result stamp

/** What a clean check read: the compiler's version, this checker's settings, and [file, size, mtime] of every input. */
interface Stamp {
  compiler: string;
  files: [string, number, number][];
}

function cacheFile(app: string, suffix: string): string {
  return join(CACHE_DIR, `typecheck-${createHash("sha256").update(app).digest("hex").slice(0, 16)}.${suffix}`);
}

function fileState(path: string): [string, number, number] | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? undefined : [path, stat.size, stat.mtimeMs];
}

function compilerVersion(): string {
  return (JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
}

/** Whether `app` type-checked cleanly and none of the files that check read has changed since. */
function knownClean(app: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(cacheFile(app, "clean.json"), "utf8")) as Stamp;
    if (stamp.compiler !== compilerVersion()) return false;
    for (const [path, size, mtime] of stamp.files) {
      const now = fileState(path);
      if (now === undefined || now[1] !== size || now[2] !== mtime) return false;
    }
    return stamp.files.length > 0;
  } catch {
    return false;
  }
}

function rememberClean(app: string, inputs: readonly string[]): void {
  const files = [...inputs, APP_CONFIG, fileURLToPath(import.meta.url)].map(fileState).filter((f) => f !== undefined);
  const stamp: Stamp = { compiler: compilerVersion(), files };
  try {
    writeFileSync(cacheFile(app, "clean.json"), JSON.stringify(stamp));
  } catch {
    // no cache: the next run checks again
  }
}

function forget(app: string): void {
  try {
    writeFileSync(cacheFile(app, "clean.json"), "{}");
  } catch {
    // nothing remembered
  }
}

// ---------------------------------------------------------------- checking

/**
 * Type-checks `app` and returns one line per error,
 * `FILE:LINE:COLUMN: error TSnnnn: message` (FILE relative to the working
 * directory), or an empty list when the app type-checks.
 */
export function typeCheckApp(app: string): string[] {
  const path = resolve(app);
  const cached = cacheAvailable();
  if (cached && knownClean(path)) return [];
  const ts = typescript();
  const { options: base, declarations } = loadSetup();
  const options: TypeScript.CompilerOptions = cached ? { ...base, incremental: true, tsBuildInfoFile: cacheFile(path, "tsbuildinfo") } : base;
  const rootNames = [path, ...declarations];
  const program = cached
    ? ts.createIncrementalProgram({ rootNames, options, host: ts.createIncrementalCompilerHost(options) })
    : ts.createProgram({ rootNames, options });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map(formatDiagnostic);
  if (cached) {
    program.emit(); // with noEmit, this writes TypeScript's incremental state only
    if (errors.length === 0) rememberClean(path, program.getSourceFiles().map((file) => file.fileName));
    else forget(path);
  }
  return errors;
}

/** Whether the cache folder exists or can be made (a read-only install checks every time). */
function cacheAvailable(): boolean {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

function formatDiagnostic(diagnostic: TypeScript.Diagnostic): string {
  const ts = typescript();
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ").replace(/\s*\n\s*/g, " ");
  const kind = ts.DiagnosticCategory[diagnostic.category].toLowerCase();
  const tail = `${kind} TS${diagnostic.code}: ${message}`;
  if (diagnostic.file === undefined || diagnostic.start === undefined) return tail;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(process.cwd(), diagnostic.file.fileName)}:${line + 1}:${character + 1}: ${tail}`;
}
