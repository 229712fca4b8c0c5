/**
 * The import-cycle check (`npm run test:cycles`, .dependency-cruiser.cjs)
 * must fail on a cycle, type-only imports included: here it is run with the
 * same configuration on a fixture whose two modules import each other.
 */
import test from "ava";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function cruise(path: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["node_modules/dependency-cruiser/bin/dependency-cruise.mjs", "--config", ".dependency-cruiser.cjs", path],
      { cwd: root },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

test("the cycle check fails on two modules that import each other (one import type-only)", async (t) => {
  const { code, output } = await cruise("tests/unit/fixtures/cycle");
  t.not(code, 0, output);
  t.regex(output, /no-circular/);
  t.regex(output, /first\.ts/);
  t.regex(output, /second\.ts/);
});
