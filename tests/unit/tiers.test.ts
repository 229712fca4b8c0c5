/**
 * One command per test tier (package.json `test:<tier>`), and every folder of
 * tests belongs to one, so a developer can run the tier they touch and
 * `npm test` (all of them but the package tier) runs nothing that no tier does.
 * The package tier (npm pack, install, build: minutes) has its own ava config
 * and runs in CI after `npm test` (.ci/run).
 */
import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/bundle";
import { pathToFileURL } from "node:url";

/** An ava config file's settings (plain JavaScript, so typed here). */
async function avaSettings(file: string): Promise<{ files: string[] }> {
  return ((await import(pathToFileURL(join(ROOT, file)).href)) as { default: { files: string[] } }).default;
}

test("every folder with tests has its npm run test:<tier> command", async (t) => {
  const [avaConfig, packageConfig] = await Promise.all([avaSettings("ava.config.js"), avaSettings("tests/package/ava.config.js")]);
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const folders = readdirSync(join(ROOT, "tests"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(ROOT, "tests", entry.name)).some((file) => file.endsWith(".test.ts")))
    .map((entry) => entry.name)
    .sort();
  t.deepEqual(folders, ["hil", "lwip", "moddable", "package", "peer", "perf", "reliability", "sim", "unit"]);
  for (const folder of folders.filter((name) => name !== "package")) t.is(scripts[`test:${folder}`], `ava tests/${folder}`, folder);
  t.is(scripts["test:package"], "ava --config tests/package/ava.config.js", "the package tier: its own ava config");
  t.is(scripts.test, "npm run test:cycles && npm run typecheck && ava", "npm test: the import-cycle check, the type check, then every tier but the package tier in one ava run");
  t.deepEqual(avaConfig.files, ["tests/**/*.test.ts", "!tests/package/**"], "the everyday run leaves the package tier out");
  t.deepEqual(packageConfig.files, ["tests/package/**/*.test.ts"]);
});
