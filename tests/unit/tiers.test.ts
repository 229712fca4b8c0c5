/**
 * One command per test tier (package.json `test:<tier>`), and every folder of
 * tests belongs to one, so a developer can run the tier they touch and
 * `npm test` (all of them) runs nothing that no tier does.
 */
import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/bundle";

test("every folder with tests has its npm run test:<tier> command", (t) => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const folders = readdirSync(join(ROOT, "tests"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(ROOT, "tests", entry.name)).some((file) => file.endsWith(".test.ts")))
    .map((entry) => entry.name)
    .sort();
  t.deepEqual(folders, ["hil", "lwip", "moddable", "peer", "perf", "reliability", "sim", "unit"]);
  for (const folder of folders) t.is(scripts[`test:${folder}`], `ava tests/${folder}`, folder);
  t.is(scripts.test, "npm run test:cycles && npm run typecheck && ava", "npm test: the import-cycle check, the type check, then every tier in one ava run");
});
