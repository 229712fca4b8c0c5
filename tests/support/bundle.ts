/**
 * Bundles an impnet app (examples/*.ts, main.ts) with esbuild the way a host
 * build would, with the `impnet/host` module mapped to a test host, and
 * loads the bundle so a test can drive it through a fake world.
 *
 * - The bundle contains the app, `impnet` and the core, so every load gets
 *   its own device (runtime), exactly as a fresh boot would.
 * - `modules/impnet/port.ts` stays external and is imported from its file
 *   URL, so `HostError`s thrown by the test-side fake network are the same
 *   class the bundled core checks with `instanceof`.
 * - Each load binds the bundle to one host through a unique key, so
 *   concurrent tests cannot see each other's hosts.
 */
import { build, type Plugin } from "esbuild";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Host } from "../../modules/impnet/port";

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const PORT_MODULE = join(ROOT, "modules/impnet/port.ts");
const HOST_KEY = "__IMPNET_TEST_HOST_KEY__";
const REGISTRY = "__impnetTestHosts";

type Registry = Map<string, Host>;

function registry(): Registry {
  const g = globalThis as unknown as Record<string, Registry | undefined>;
  let hosts = g[REGISTRY];
  if (hosts === undefined) {
    hosts = new Map();
    g[REGISTRY] = hosts;
  }
  return hosts;
}

/**
 * Maps `impnet/host` to a stub that looks the host up by key, keeps port.ts
 * shared with the tests, and gives apps an empty `mc/config` (their defaults).
 */
const testHostPlugin: Plugin = {
  name: "impnet-test-host",
  setup(b) {
    b.onResolve({ filter: /^mc\/config$/ }, () => ({ path: "mc-config", namespace: "impnet-test" }));
    b.onResolve({ filter: /^impnet\/host$/ }, () => ({ path: "impnet-test-host", namespace: "impnet-test" }));
    b.onLoad({ filter: /^mc-config$/, namespace: "impnet-test" }, () => ({ contents: "export default {};\n", loader: "js" }));
    b.onLoad({ filter: /^impnet-test-host$/, namespace: "impnet-test" }, () => ({
      contents:
        `const hosts = globalThis[${JSON.stringify(REGISTRY)}];\n` +
        `export default function host() {\n` +
        `  const h = hosts && hosts.get(${JSON.stringify(HOST_KEY)});\n` +
        `  if (h === undefined) throw new Error("impnet test host not registered");\n` +
        `  return h;\n` +
        `}\n`,
      loader: "js",
    }));
    b.onResolve({ filter: /port$/ }, (args) => {
      if (args.namespace !== "file") return undefined;
      const target = args.path.startsWith(".") ? resolve(args.resolveDir, args.path) : args.path;
      if (target === PORT_MODULE.slice(0, -3) || target === PORT_MODULE || args.path === "impnet/port") {
        return { path: pathToFileURL(PORT_MODULE).href, external: true };
      }
      return undefined;
    });
  },
};

const bundles = new Map<string, Promise<string>>();

/** Bundle entry that starts `app` through `impnet/boot`, as a host does (see `bootApp`). */
const BOOT_PREFIX = "boot:";
function bootEntry(app: string): string {
  return [
    `import { boot } from "impnet/boot";`,
    `export function start(options) {`,
    `  return new Promise((resolve, reject) => boot(options, () => { import(${JSON.stringify(join(ROOT, app))}).then(resolve, reject); }));`,
    `}`,
  ].join("\n");
}

/**
 * esbuild bundle (ESM text) of `entry` (a path relative to the repository
 * root), cached per entry. `impnet` and `impnet/*` resolve through the
 * repository's tsconfig paths.
 */
export function bundleApp(entry: string): Promise<string> {
  let cached = bundles.get(entry);
  if (cached === undefined) {
    const booting = entry.startsWith(BOOT_PREFIX);
    cached = build({
      ...(booting
        ? { stdin: { contents: bootEntry(entry.slice(BOOT_PREFIX.length)), resolveDir: ROOT, sourcefile: "boot-entry.js", loader: "js" as const } }
        : { entryPoints: [join(ROOT, entry)] }),
      absWorkingDir: ROOT,
      tsconfig: join(ROOT, "tsconfig.json"),
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
      plugins: [testHostPlugin],
    }).then((result) => {
      const text = result.outputFiles[0].text;
      if (!text.includes(HOST_KEY)) throw new Error(`bundle of ${entry} does not use impnet/host`);
      return text;
    });
    bundles.set(entry, cached);
  }
  return cached;
}

let loads = 0;

/**
 * Bundles `entry`, binds the bundle to `host` and evaluates it (the app's
 * top-level code runs now, e.g. its `imp.net.open()`). Resolves to the
 * module's exports once it has been evaluated.
 */
export async function loadApp(entry: string, host: Host): Promise<Record<string, unknown>> {
  const text = await bundleApp(entry);
  const key = `host-${process.pid}-${++loads}`;
  registry().set(key, host);
  const dir = await mkdtemp(join(tmpdir(), "impnet-app-"));
  const file = join(dir, `${entry.replace(/[^A-Za-z0-9]+/g, "_")}.mjs`);
  try {
    await writeFile(file, text.split(HOST_KEY).join(key));
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A booted app: `started` settles once the app's module ran (or failed at its top level). */
export interface BootedApp {
  started: Promise<Record<string, unknown>>;
}

/**
 * Loads `entry` the way hosts start apps (impnet/boot): the bundle's device
 * opens `options.primary` (default: the host's first interface) and the
 * app's module runs once it is CONNECTED, or at once with `atOnce`. Move the
 * fake clock to let the interface come up, then await `started`.
 */
export async function bootApp(entry: string, host: Host, options: { primary?: string; atOnce?: boolean } = {}): Promise<BootedApp> {
  const loaded = await loadApp(`${BOOT_PREFIX}${entry}`, host);
  const start = loaded.start as (options: { primary?: string; atOnce?: boolean }) => Promise<Record<string, unknown>>;
  return { started: start(options) };
}
