/**
 * Every impnet module a Moddable build can load is preloaded (docs/esp32.md §1).
 *
 * mcconfig expands a wildcard in "preload" over `.js` files only, so
 * `impnet/core/*` would preload none of impnet's TypeScript modules: the
 * manifests list each module by name instead, and this test keeps those lists
 * complete. It reads the manifests and the files, as mcconfig does; `make
 * check-esp32` then confirms from xsl's output that the image holds them.
 */
import test from "ava";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const impnetDir = join(root, "modules", "impnet");

/** Manifests that map impnet modules: the module's own, each host's, and the UDP socket choices hosts include (docs/native-udp.md §2). */
const MANIFESTS = [
  "modules/impnet/manifest.json",
  "hosts/esp32-w5500/manifest.json",
  "hosts/esp32-wifi/manifest.json",
  "hosts/lin/manifest.json",
  "modules/impnet/moddable/udp-socket/stock.json",
  "modules/impnet/moddable/udp-socket/native.json",
  "modules/impnet/native/manifest.json",
];

/** Files under modules/impnet that no Moddable build loads, and why. */
const NOT_FOR_MODDABLE: Record<string, string> = {
  "fake/network.ts": "the in-memory network of the unit tests",
};

interface Manifest {
  modules?: Record<string, string | string[]>;
  preload?: string[];
}

function isModuleFile(name: string): boolean {
  return (name.endsWith(".ts") && !name.endsWith(".d.ts")) || name.endsWith(".js");
}

/** Module specifier → file, for the entries of `manifest` that map impnet sources (wildcards expanded as mcconfig does: one folder, no recursion). */
function mappedModules(manifestPath: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, manifestPath), "utf8")) as Manifest;
  const base = dirname(join(root, manifestPath));
  const mapped = new Map<string, string>();
  for (const [specifier, target] of Object.entries(manifest.modules ?? {})) {
    if (typeof target !== "string" || !specifier.startsWith("impnet")) continue;
    const path = resolve(base, target);
    if (specifier.endsWith("*")) {
      const folder = dirname(path);
      for (const name of readdirSync(folder).filter(isModuleFile).sort()) {
        mapped.set(specifier.slice(0, -1) + name.replace(/\.(ts|js)$/, ""), join(folder, name));
      }
    } else {
      for (const extension of [".ts", ".js"]) {
        if (statSync(path + extension, { throwIfNoEntry: false }) !== undefined) mapped.set(specifier, path + extension);
      }
    }
  }
  return mapped;
}

function preloads(manifestPath: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(root, manifestPath), "utf8")) as Manifest;
  return new Set(manifest.preload ?? []);
}

function sourcesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourcesUnder(path));
    else if (isModuleFile(name)) found.push(path);
  }
  return found;
}

for (const manifestPath of MANIFESTS) {
  test(`${manifestPath}: every impnet module it maps is in its preload list, by name`, (t) => {
    const mapped = mappedModules(manifestPath);
    const preloaded = preloads(manifestPath);
    t.true(mapped.size > 0, "the manifest maps impnet modules");
    const missing = [...mapped.keys()].filter((specifier) => !preloaded.has(specifier));
    t.deepEqual(missing, [], `add these to "preload" in ${manifestPath}`);
    const wildcards = [...preloaded].filter((entry) => entry.includes("*"));
    t.deepEqual(wildcards, [], "mcconfig's preload wildcards match .js files only");
  });

  test(`${manifestPath}: every impnet name in its preload list is a module it maps`, (t) => {
    const mapped = mappedModules(manifestPath);
    const stale = [...preloads(manifestPath)].filter((entry) => entry.startsWith("impnet") && !mapped.has(entry));
    t.deepEqual(stale, [], "mcconfig ignores preload names it cannot find: remove or fix these");
  });
}

test("every module under modules/impnet is mapped and preloaded by some manifest, or listed as not for Moddable", (t) => {
  const preloadedFiles = new Set<string>();
  for (const manifestPath of MANIFESTS) {
    const preloaded = preloads(manifestPath);
    for (const [specifier, file] of mappedModules(manifestPath)) if (preloaded.has(specifier)) preloadedFiles.add(file);
  }
  const sources = sourcesUnder(impnetDir);
  t.true(sources.length > 10, "modules/impnet has sources");
  const leftOut = sources.map((file) => relative(impnetDir, file)).filter((file) => !preloadedFiles.has(join(impnetDir, file)) && !(file in NOT_FOR_MODDABLE));
  t.deepEqual(leftOut, [], "map and preload these in a manifest, or add them to NOT_FOR_MODDABLE with the reason");
});
