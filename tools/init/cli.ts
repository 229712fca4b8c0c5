/**
 * `impnet init [DIR]`: writes a new impnet app into DIR (default: the current
 * folder): package.json, tsconfig.json, manifest.json, main.ts (the seed's
 * echo server), a Makefile and .gitignore (tools/init/starter.ts).
 *
 * It never overwrites a file. One exception, so that `npm install impnet &&
 * npx impnet init` works: an existing package.json gets the starter's
 * scripts added, and is refused if it already has a script of the same name.
 * Refusals exit 1 and write nothing; bad arguments exit 2 with the usage.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { appName, gitignore, impnetVersion, mainTs, makefile, manifestJson, packageJson, SCRIPTS, tsconfigJson } from "./starter.ts";

export const USAGE = `usage: impnet init [DIR] [--impnet SPEC]
  DIR             where to write the app (default: the current folder; made if missing)
  --impnet SPEC   the dependency on impnet in a new package.json (default: ^<this version>)`;

class UsageError extends Error {}
class RefusedError extends Error {}

interface InitArgs {
  dir: string;
  impnetSpec: string;
}

function parseArgs(argv: readonly string[]): InitArgs | "help" {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") return "help";
  if (command !== "init") throw new UsageError(command === undefined ? "a command is required" : `unknown command '${command}'`);
  let dir: string | undefined;
  let impnetSpec = `^${impnetVersion()}`;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--impnet") {
      const spec = rest[++i];
      if (spec === undefined || spec === "") throw new UsageError("--impnet needs a version or path");
      impnetSpec = spec;
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option '${arg}'`);
    else if (dir === undefined) dir = arg;
    else throw new UsageError(`one DIR only (got '${dir}' and '${arg}')`);
  }
  return { dir: resolve(dir ?? "."), impnetSpec };
}

interface PackageManifest {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The new text of an existing package.json: the starter's scripts added, or a refusal naming the ones it has. */
function extendPackageJson(path: string, shown: string): string {
  let json: PackageManifest;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as PackageManifest;
  } catch (error) {
    throw new RefusedError(`${shown} is not valid JSON (${(error as Error).message})`);
  }
  const taken = Object.keys(SCRIPTS).filter((name) => json.scripts?.[name] !== undefined && json.scripts[name] !== SCRIPTS[name]);
  if (taken.length > 0) throw new RefusedError(`${shown} already has the script${taken.length > 1 ? "s" : ""} ${taken.join(", ")}`);
  if (json.dependencies?.impnet === undefined && json.devDependencies?.impnet === undefined) {
    throw new RefusedError(`${shown} exists but does not depend on impnet (npm install impnet first, or init into a new folder)`);
  }
  json.scripts = { ...json.scripts, ...SCRIPTS };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Writes the starter into `dir`; returns the files written or extended, relative to the current folder. */
export function init({ dir, impnetSpec }: InitArgs): string[] {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new RefusedError(`${dir} is not a folder`);
  const name = appName(basename(dir));
  const shown = (file: string): string => relative(process.cwd(), join(dir, file)) || file;
  const files: Record<string, string> = {
    "tsconfig.json": tsconfigJson(),
    "manifest.json": manifestJson(name),
    "main.ts": mainTs(),
    Makefile: makefile(name),
    ".gitignore": gitignore(),
  };
  const existing = Object.keys(files).filter((file) => existsSync(join(dir, file)));
  if (existing.length > 0) throw new RefusedError(`${existing.map(shown).join(", ")} already exist${existing.length > 1 ? "" : "s"}; nothing was written`);
  const packagePath = join(dir, "package.json");
  files["package.json"] = existsSync(packagePath) ? extendPackageJson(packagePath, shown("package.json")) : packageJson(name, impnetSpec);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text, { flag: file === "package.json" ? "w" : "wx" });
  return Object.keys(files).map(shown);
}

/** Runs the command line; returns the exit code. */
export function main(argv: readonly string[]): number {
  let args: InitArgs | "help";
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`impnet: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const written = init(args);
    const where = relative(process.cwd(), args.dir);
    process.stdout.write(
      [
        `impnet: wrote ${written.join(", ")}`,
        "next:",
        ...(where === "" ? [] : [`  cd ${where}`]),
        "  npm install                    # if impnet is not installed there yet",
        "  npx impnet-sim main.ts         # the echo on 127.0.0.1:1234 in impnet's XS simulator",
        "  npx impnet-peer echo --target 127.0.0.1:1234 --count 100",
        "  make build HOST=esp32-w5500    # with the Moddable SDK; the Makefile's header lists its targets",
        "",
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof RefusedError)) throw error;
    process.stderr.write(`impnet init: ${error.message}\n`);
    return 1;
  }
}
