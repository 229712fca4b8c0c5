/**
 * Type-checks an app the way a Moddable build would before it runs in the
 * simulator: against impnet's sources, Moddable's globals and module
 * declarations (the same files `make check-moddable` uses,
 * hosts/tsconfig.moddable.json) and the ES2025 library mcconfig selects
 * (tools/mcmanifest.js in the SDK), with the project's strict settings.
 */
import type * as TypeScript from "typescript";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Loaded with require: through tsx's ESM loader the 9 MB compiler takes three times as long to load.
const ts = createRequire(import.meta.url)("typescript") as typeof TypeScript;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const MODDABLE_CONFIG = join(root, "hosts", "tsconfig.moddable.json");
/**
 * TypeScript's incremental state per app: a second run of an unchanged app
 * skips the checking (about 1–2 s on two cores), and stays correct because
 * TypeScript compares file versions.
 */
const CACHE_DIR = join(root, "node_modules", ".cache", "impnet-sim");

interface Setup {
  options: TypeScript.CompilerOptions;
  /** Declaration files every app sees (Moddable's globals and modules). */
  declarations: string[];
}

let setup: Setup | undefined;

function loadSetup(): Setup {
  if (setup !== undefined) return setup;
  const read = ts.readConfigFile(MODDABLE_CONFIG, (path) => ts.sys.readFile(path));
  if (read.error !== undefined) throw new Error(`${MODDABLE_CONFIG}: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(MODDABLE_CONFIG), undefined, MODDABLE_CONFIG);
  const options: TypeScript.CompilerOptions = {
    ...parsed.options,
    lib: ["lib.es2025.d.ts"],
    noEmit: true,
    skipLibCheck: true,
    composite: false,
  };
  setup = { options, declarations: parsed.fileNames.filter((file) => file.endsWith(".d.ts")) };
  return setup;
}

/**
 * Type-checks `app` and returns one line per diagnostic,
 * `FILE:LINE:COLUMN: error TSnnnn: message` (FILE relative to the working
 * directory), one per error, or an empty list when the app type-checks.
 */
export function typeCheckApp(app: string): string[] {
  const { options: base, declarations } = loadSetup();
  const path = resolve(app);
  const options: TypeScript.CompilerOptions = { ...base, ...cacheOptions(path) };
  const rootNames = [path, ...declarations];
  const program = options.incremental
    ? ts.createIncrementalProgram({ rootNames, options, host: ts.createIncrementalCompilerHost(options) })
    : ts.createProgram({ rootNames, options });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  // With noEmit, emit() only writes the incremental state.
  if (options.incremental) program.emit();
  return diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map(formatDiagnostic);
}

/** Incremental checking with its state in node_modules/.cache, when that can be created. */
function cacheOptions(app: string): TypeScript.CompilerOptions {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
  } catch {
    return { incremental: false };
  }
  const key = createHash("sha256").update(app).digest("hex").slice(0, 16);
  return { incremental: true, tsBuildInfoFile: join(CACHE_DIR, `typecheck-${key}.tsbuildinfo`) };
}

function formatDiagnostic(diagnostic: TypeScript.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ").replace(/\s*\n\s*/g, " ");
  const kind = ts.DiagnosticCategory[diagnostic.category].toLowerCase();
  const tail = `${kind} TS${diagnostic.code}: ${message}`;
  if (diagnostic.file === undefined || diagnostic.start === undefined) return tail;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(process.cwd(), diagnostic.file.fileName)}:${line + 1}:${character + 1}: ${tail}`;
}
