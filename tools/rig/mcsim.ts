/**
 * Test helpers for impnet apps built for Moddable's lin platform and run in
 * mcsim (headless), when a Moddable SDK is installed ($MODDABLE). Builds
 * are kept in node_modules/.cache/impnet-mcsim/NAME, so mcconfig rebuilds
 * only what changed (a first build compiles XS: a few minutes).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildForLinAsync, findSdk, impnetAppManifest, mcsimUnavailable, runMcsim, type LinBuild, type ModdableSdk } from "../mcsim";
import { root } from "./sim";

/** The SDK, or why mcsim tests cannot run here. */
export function mcsimSdk(): ModdableSdk | string {
  const sdk = findSdk();
  if (typeof sdk === "string") return sdk;
  return mcsimUnavailable(sdk) ?? sdk;
}

/**
 * Builds `app` (path relative to the repository root) for lin into the
 * build cache `name` (one per test file: files run in parallel) and returns
 * its mc.so.
 */
export async function buildApp(sdk: ModdableSdk, name: string, app: string, options: LinBuild = {}): Promise<string> {
  const dir = join(root, "node_modules", ".cache", "impnet-mcsim", name);
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, "manifest.json");
  writeFileSync(manifest, impnetAppManifest(root, join(root, app)));
  return buildForLinAsync(sdk, root, manifest, join(dir, "build"), options);
}

/** A running mcsim and the `trace()` lines it printed (server.log and server.error lines among them). */
export interface McsimApp {
  lines: string[];
  /** Resolves with the first line matching `pattern`, from line `from` on; rejects after `ms` or when mcsim exits. */
  waitFor(pattern: RegExp, ms?: number, from?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `mcSo` in mcsim (inside network namespace `netns`, when given). */
export function startApp(sdk: ModdableSdk, mcSo: string, netns?: string): McsimApp {
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let exited = false;
  const run = runMcsim(
    sdk,
    mcSo,
    (line) => {
      lines.push(line);
      for (const waiter of waiters.splice(0)) waiter();
    },
    netns,
  );
  void run.exited.then(() => {
    exited = true;
    for (const waiter of waiters.splice(0)) waiter();
  });
  return {
    lines,
    waitFor(pattern, ms = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`mcsim: no line matching ${pattern} within ${ms} ms; it printed:\n${lines.join("\n")}`)), ms);
        const check = (): void => {
          const found = lines.slice(from).find((line) => pattern.test(line));
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else if (exited) {
            clearTimeout(timer);
            reject(new Error(`mcsim exited before printing a line matching ${pattern}; it printed:\n${lines.join("\n")}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    async stop() {
      run.stop();
      await run.exited;
    },
  };
}
